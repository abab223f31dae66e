/* Unit tests for ims_codec: hex and base64 (RFC 4648 §10 test vectors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims_codec.h"

static void test_hex_encode_is_lower_case(void **state)
{
	const uint8_t in[] = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
	char out[2 * sizeof(in) + 1];

	assert_int_equal(ims_hex_encode(in, sizeof(in), out), 12);
	assert_string_equal(out, "0001abcdefff");
	assert_int_equal(ims_hex_encode(in, 0, out), 0);
	assert_string_equal(out, "");
}

static void test_hex_decode_accepts_both_cases(void **state)
{
	uint8_t out[4];

	assert_int_equal(ims_hex_decode("aBcD0f9E", out, sizeof(out)), 4);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_int_equal(out[2], 0x0f);
	assert_int_equal(out[3], 0x9e);
	assert_int_equal(ims_hex_decode("", out, sizeof(out)), 0);
}

static void test_hex_decode_rejects_bad_input(void **state)
{
	uint8_t out[4];

	assert_int_equal(ims_hex_decode("abc", out, sizeof(out)), -1);      /* odd */
	assert_int_equal(ims_hex_decode("zz", out, sizeof(out)), -1);       /* not hex */
	assert_int_equal(ims_hex_decode("0x12", out, sizeof(out)), -1);     /* prefix */
	assert_int_equal(ims_hex_decode("12 34", out, sizeof(out)), -1);    /* space */
	assert_int_equal(ims_hex_decode("0011223344", out, sizeof(out)), -1); /* too long */
	assert_int_equal(ims_hex_decode(NULL, out, sizeof(out)), -1);
}

static const struct {
	const char *plain;
	const char *b64;
} rfc4648[] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

static void test_base64_encode_rfc4648_vectors(void **state)
{
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		int n = ims_base64_encode((const uint8_t *)rfc4648[i].plain,
					  strlen(rfc4648[i].plain), out, sizeof(out));

		assert_int_equal(n, (int)strlen(rfc4648[i].b64));
		assert_string_equal(out, rfc4648[i].b64);
	}
}

static void test_base64_decode_rfc4648_vectors(void **state)
{
	uint8_t out[16];
	size_t i;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		int n = ims_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), out,
					  sizeof(out));

		assert_int_equal(n, (int)strlen(rfc4648[i].plain));
		assert_memory_equal(out, rfc4648[i].plain, (size_t)n);
	}
}

static void test_base64_encode_rejects_small_buffer(void **state)
{
	char out[8];

	/* "foob" needs 8 characters plus the NUL. */
	assert_int_equal(ims_base64_encode((const uint8_t *)"foob", 4, out, 8), -1);
	assert_int_equal(ims_base64_encode((const uint8_t *)"foo", 3, out, 5), 4);
	assert_string_equal(out, "Zm9v");
}

static void test_base64_decode_rejects_malformed_input(void **state)
{
	uint8_t out[16];

	assert_int_equal(ims_base64_decode("Zg", 2, out, sizeof(out)), -1);     /* no padding */
	assert_int_equal(ims_base64_decode("Zm9", 3, out, sizeof(out)), -1);    /* length */
	assert_int_equal(ims_base64_decode("Z===", 4, out, sizeof(out)), -1);   /* 3 pads */
	assert_int_equal(ims_base64_decode("Zg=a", 4, out, sizeof(out)), -1);   /* pad inside */
	assert_int_equal(ims_base64_decode("Zg==Zm9v", 8, out, sizeof(out)), -1); /* pad mid */
	assert_int_equal(ims_base64_decode("Zm9*", 4, out, sizeof(out)), -1);   /* alphabet */
	assert_int_equal(ims_base64_decode("Zm 9", 4, out, sizeof(out)), -1);   /* space */
	assert_int_equal(ims_base64_decode("Zh==", 4, out, sizeof(out)), -1);   /* stray bits */
	assert_int_equal(ims_base64_decode("Zm9=", 4, out, sizeof(out)), -1);   /* stray bits */
	assert_int_equal(ims_base64_decode(NULL, 4, out, sizeof(out)), -1);
}

static void test_base64_decode_respects_outmax(void **state)
{
	uint8_t out[6];

	assert_int_equal(ims_base64_decode("Zm9vYmFy", 8, out, 5), -1);
	assert_int_equal(ims_base64_decode("Zm9vYmE=", 8, out, 5), 5);
	assert_memory_equal(out, "fooba", 5);
}

static void test_base64_round_trips_all_byte_values(void **state)
{
	uint8_t in[256], back[256];
	char enc[345];
	size_t len;

	for (len = 0; len < sizeof(in); len++)
		in[len] = (uint8_t)(255 - len);
	for (len = 0; len <= sizeof(in); len += 1) {
		int n = ims_base64_encode(in, len, enc, sizeof(enc));

		assert_true(n >= 0);
		assert_int_equal(ims_base64_decode(enc, (size_t)n, back, sizeof(back)), (int)len);
		assert_memory_equal(back, in, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_encode_is_lower_case),
		cmocka_unit_test(test_hex_decode_accepts_both_cases),
		cmocka_unit_test(test_hex_decode_rejects_bad_input),
		cmocka_unit_test(test_base64_encode_rfc4648_vectors),
		cmocka_unit_test(test_base64_decode_rfc4648_vectors),
		cmocka_unit_test(test_base64_encode_rejects_small_buffer),
		cmocka_unit_test(test_base64_decode_rejects_malformed_input),
		cmocka_unit_test(test_base64_decode_respects_outmax),
		cmocka_unit_test(test_base64_round_trips_all_byte_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
