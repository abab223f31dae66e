/*
 * Unit tests for ims_digest: RFC 2617 §3.5's worked example, the RFC 2069
 * form without qop, and AKAv1-MD5 (RFC 3310) with a binary password.
 * Values other than RFC 2617's were computed independently (Python hashlib).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims_digest.h"

#define MUFASA_NONCE "dcd98b7102dd2f0e8b11d0f600bfb0c093"

static void test_ha1_of_rfc2617_example(void **state)
{
	char ha1[IMS_DIGEST_HEX_LEN];
	const char *pw = "Circle Of Life";

	ims_digest_ha1("Mufasa", "testrealm@host.com", (const uint8_t *)pw, strlen(pw), ha1);
	assert_string_equal(ha1, "939e7578ed9e3c518a452acee763bce9");
}

static void test_response_with_qop_auth_matches_rfc2617(void **state)
{
	char ha1[IMS_DIGEST_HEX_LEN], resp[IMS_DIGEST_HEX_LEN];
	const char *pw = "Circle Of Life";

	ims_digest_ha1("Mufasa", "testrealm@host.com", (const uint8_t *)pw, strlen(pw), ha1);
	ims_digest_response(ha1, MUFASA_NONCE, "00000001", "0a4f113b", "auth", "GET",
			    "/dir/index.html", resp);
	assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
}

static void test_response_without_qop_uses_rfc2069_form(void **state)
{
	char resp[IMS_DIGEST_HEX_LEN], resp2[IMS_DIGEST_HEX_LEN];
	const char *ha1 = "939e7578ed9e3c518a452acee763bce9";

	/* MD5(HA1:nonce:HA2); nc and cnonce are ignored. */
	ims_digest_response(ha1, MUFASA_NONCE, NULL, NULL, NULL, "GET", "/dir/index.html", resp);
	assert_string_equal(resp, "670fd8c2df070c60b045671b8b24ff02");
	ims_digest_response(ha1, MUFASA_NONCE, "00000001", "0a4f113b", "", "GET",
			    "/dir/index.html", resp2);
	assert_string_equal(resp2, resp);
}

static void test_aka_binary_password_is_hashed_as_bytes(void **state)
{
	/* A RES with a NUL and high bytes: must not be treated as a C string. */
	const uint8_t res[8] = {0x00, 0xff, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f};
	char ha1[IMS_DIGEST_HEX_LEN], resp[IMS_DIGEST_HEX_LEN];

	ims_digest_ha1("carol@open-ims.test", "open-ims.test", res, sizeof(res), ha1);
	assert_string_equal(ha1, "11a0d1635e9a6b254592cb43fce0e63e");
	ims_digest_response(ha1, "nonceXYZ==", "00000001", "abcdef01", "auth", "REGISTER",
			    "sip:open-ims.test", resp);
	assert_string_equal(resp, "994033fc0ebe71e73b15cf8b7aa2b9e3");
}

static void test_empty_password_for_aka_resync(void **state)
{
	char ha1[IMS_DIGEST_HEX_LEN];

	ims_digest_ha1("carol@open-ims.test", "open-ims.test", NULL, 0, ha1);
	assert_string_equal(ha1, "85c522710dff51b99039ea82caecead6");
	ims_digest_ha1("carol@open-ims.test", "open-ims.test", (const uint8_t *)"", 0, ha1);
	assert_string_equal(ha1, "85c522710dff51b99039ea82caecead6");
}

static void test_equal_ignores_case(void **state)
{
	assert_true(ims_digest_equal("6629fae49393a05397450978507c4ef1",
				     "6629FAE49393A05397450978507C4EF1"));
}

static void test_equal_rejects_different_digests(void **state)
{
	assert_false(ims_digest_equal("6629fae49393a05397450978507c4ef1",
				      "6629fae49393a05397450978507c4ef2"));
	assert_false(ims_digest_equal("6629fae49393a05397450978507c4ef1",
				      "6629fae49393a05397450978507c4ef"));
	assert_false(ims_digest_equal("", ""));
	assert_false(ims_digest_equal(NULL, "6629fae49393a05397450978507c4ef1"));
	assert_false(ims_digest_equal("6629fae49393a05397450978507c4ef1", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ha1_of_rfc2617_example),
		cmocka_unit_test(test_response_with_qop_auth_matches_rfc2617),
		cmocka_unit_test(test_response_without_qop_uses_rfc2069_form),
		cmocka_unit_test(test_aka_binary_password_is_hashed_as_bytes),
		cmocka_unit_test(test_empty_password_for_aka_resync),
		cmocka_unit_test(test_equal_ignores_case),
		cmocka_unit_test(test_equal_rejects_different_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
