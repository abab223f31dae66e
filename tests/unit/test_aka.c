/*
 * Unit tests for ims_aka: network vectors against TS 35.208 test set 1, the
 * vector/UE round trip with the lab credentials of IMS-FACTS.md (K
 * "alice-aka-secret", OP "open-ims-test-op", AMF "IM", all raw ASCII bytes),
 * resynchronisation and the RFC 3310 nonce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims_aka.h"
#include "ims_codec.h"
#include "ims_milenage.h"

static void unhex(const char *hex, uint8_t *out, size_t len)
{
	assert_int_equal(ims_hex_decode(hex, out, len), (int)len);
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	char buf[65];

	assert_true(len <= 32);
	ims_hex_encode(got, len, buf);
	assert_string_equal(buf, want);
}

static void lab_keys(struct ims_aka_keys *keys)
{
	memcpy(keys->k, "alice-aka-secret", 16);
	assert_int_equal(ims_milenage_opc(keys->k, (const uint8_t *)"open-ims-test-op", keys->opc),
			 0);
	memcpy(keys->amf, "IM", 2);
}

static const uint8_t lab_rand[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

static void test_sqn_put_get_round_trip(void **state)
{
	uint8_t sqn[6];

	ims_sqn_put(0x0000123456789abcULL, sqn);
	assert_hex(sqn, 6, "123456789abc");
	assert_true(ims_sqn_get(sqn) == 0x123456789abcULL);
	ims_sqn_put(0xffffffffffffULL, sqn);
	assert_true(ims_sqn_get(sqn) == 0xffffffffffffULL);
	ims_sqn_put(0, sqn);
	assert_true(ims_sqn_get(sqn) == 0);
}

/* TS 35.208 test set 1: AUTN = (SQN xor AK) || AMF || MAC-A. */
static void test_vector_matches_ts35208_set1(void **state)
{
	struct ims_aka_keys keys;
	struct ims_aka_vector v;
	uint8_t sqn[6], rand[16];

	unhex("465b5ce8b199b49faa5f0a2ee238a6bc", keys.k, 16);
	unhex("cd63cb71954a9f4e48a5994e37a02baf", keys.opc, 16);
	unhex("b9b9", keys.amf, 2);
	unhex("ff9bb4d0b607", sqn, 6);
	unhex("23553cbe9637a89d218ae64dae47bf35", rand, 16);

	assert_int_equal(ims_aka_vector(&keys, sqn, rand, &v), 0);
	assert_memory_equal(v.rand, rand, 16);
	/* ff9bb4d0b607 xor aa689c648370 = 55f328b43577 */
	assert_hex(v.autn, 16, "55f328b43577b9b94a9ffac354dfafb3");
	assert_hex(v.xres, 8, "a54211d5e3ba50bf");
	assert_hex(v.ck, 16, "b40ba9a3c58b2a05bbf0d987b21bf8cb");
	assert_hex(v.ik, 16, "f769bcd751044604127672711c6d3441");
}

static void test_vector_then_ue_check_round_trip(void **state)
{
	struct ims_aka_keys keys;
	struct ims_aka_vector v;
	uint8_t sqn[6], sqn_ue[6], res[8], ck[16], ik[16];

	lab_keys(&keys);
	ims_sqn_put(0x21, sqn);
	assert_int_equal(ims_aka_vector(&keys, sqn, lab_rand, &v), 0);
	assert_memory_equal(v.autn + 6, "IM", 2);

	assert_int_equal(ims_aka_ue_check(&keys, v.rand, v.autn, sqn_ue, res, ck, ik), 0);
	assert_memory_equal(sqn_ue, sqn, 6);
	assert_memory_equal(res, v.xres, 8);
	assert_memory_equal(ck, v.ck, 16);
	assert_memory_equal(ik, v.ik, 16);
}

static void test_ue_check_rejects_tampered_autn(void **state)
{
	struct ims_aka_keys keys;
	struct ims_aka_vector v;
	uint8_t sqn[6], autn[16], res[8];
	size_t i;

	lab_keys(&keys);
	ims_sqn_put(0x1000, sqn);
	assert_int_equal(ims_aka_vector(&keys, sqn, lab_rand, &v), 0);
	/* Any single bit flipped in SQN xor AK, AMF or MAC-A is caught. */
	for (i = 0; i < 16; i++) {
		memcpy(autn, v.autn, 16);
		autn[i] ^= 0x01;
		assert_int_equal(ims_aka_ue_check(&keys, v.rand, autn, NULL, res, NULL, NULL), -1);
	}
}

static void test_ue_check_rejects_wrong_key(void **state)
{
	struct ims_aka_keys keys, other;
	struct ims_aka_vector v;
	uint8_t sqn[6];

	lab_keys(&keys);
	other = keys;
	memcpy(other.k, "bob-aka-secret-k", 16);
	ims_sqn_put(7, sqn);
	assert_int_equal(ims_aka_vector(&keys, sqn, lab_rand, &v), 0);
	assert_int_equal(ims_aka_ue_check(&other, v.rand, v.autn, NULL, NULL, NULL, NULL), -1);
}

static void test_resync_recovers_sqn_ms(void **state)
{
	struct ims_aka_keys keys;
	uint8_t sqn_ms[6], auts[14], recovered[6];

	lab_keys(&keys);
	ims_sqn_put(0x0000abcdef012345ULL, sqn_ms);
	assert_int_equal(ims_aka_ue_auts(&keys, lab_rand, sqn_ms, auts), 0);
	assert_memory_not_equal(auts, sqn_ms, 6); /* SQN_MS is concealed by AK* */
	assert_int_equal(ims_aka_resync(&keys, lab_rand, auts, recovered), 0);
	assert_memory_equal(recovered, sqn_ms, 6);
}

/* MAC-S is f1* over AMF = 0000 whatever the subscriber's AMF (TS 33.102
 * §6.3.3), so the AUTS does not depend on keys->amf. */
static void test_resync_uses_dummy_amf(void **state)
{
	struct ims_aka_keys keys, other;
	uint8_t sqn_ms[6], auts1[14], auts2[14], mac_s[8];

	lab_keys(&keys);
	other = keys;
	other.amf[0] = 0x80;
	other.amf[1] = 0x00;
	ims_sqn_put(42, sqn_ms);
	assert_int_equal(ims_aka_ue_auts(&keys, lab_rand, sqn_ms, auts1), 0);
	assert_int_equal(ims_aka_ue_auts(&other, lab_rand, sqn_ms, auts2), 0);
	assert_memory_equal(auts1, auts2, 14);
	assert_int_equal(ims_milenage_f1(keys.k, keys.opc, lab_rand, sqn_ms,
					 (const uint8_t[2]){0, 0}, NULL, mac_s),
			 0);
	assert_memory_equal(auts1 + 6, mac_s, 8);
}

static void test_resync_rejects_bad_mac_s(void **state)
{
	struct ims_aka_keys keys;
	uint8_t sqn_ms[6], auts[14], bad[14], recovered[6], other_rand[16];
	size_t i;

	lab_keys(&keys);
	ims_sqn_put(0x500, sqn_ms);
	assert_int_equal(ims_aka_ue_auts(&keys, lab_rand, sqn_ms, auts), 0);
	memset(recovered, 0xee, sizeof(recovered));
	for (i = 0; i < 14; i++) {
		memcpy(bad, auts, 14);
		bad[i] ^= 0x80;
		assert_int_equal(ims_aka_resync(&keys, lab_rand, bad, recovered), -1);
	}
	/* sqn_ms is left untouched on failure. */
	for (i = 0; i < 6; i++)
		assert_int_equal(recovered[i], 0xee);
	/* AUTS made for another RAND does not verify. */
	memcpy(other_rand, lab_rand, 16);
	other_rand[0] ^= 1;
	assert_int_equal(ims_aka_resync(&keys, other_rand, auts, recovered), -1);
}

static void test_nonce_encode_decode_round_trip(void **state)
{
	struct ims_aka_keys keys;
	struct ims_aka_vector v;
	uint8_t sqn[6], rand[16], autn[16];
	char nonce[45];

	lab_keys(&keys);
	ims_sqn_put(1, sqn);
	assert_int_equal(ims_aka_vector(&keys, sqn, lab_rand, &v), 0);
	assert_int_equal(ims_aka_nonce_encode(v.rand, v.autn, nonce, sizeof(nonce)), 0);
	assert_int_equal(strlen(nonce), 44);
	assert_int_equal(ims_aka_nonce_decode(nonce, rand, autn), 0);
	assert_memory_equal(rand, v.rand, 16);
	assert_memory_equal(autn, v.autn, 16);
}

static void test_nonce_encode_is_base64_of_rand_autn(void **state)
{
	uint8_t rand[16], autn[16];
	char nonce[45];

	memset(rand, 0, sizeof(rand));
	memset(autn, 0xff, sizeof(autn));
	assert_int_equal(ims_aka_nonce_encode(rand, autn, nonce, sizeof(nonce)), 0);
	assert_string_equal(nonce, "AAAAAAAAAAAAAAAAAAAAAP////////////////////8=");
	assert_int_equal(ims_aka_nonce_encode(rand, autn, nonce, 44), -1);
}

static void test_nonce_decode_accepts_server_data(void **state)
{
	uint8_t rand[16], autn[16];

	/* 32 bytes of RAND || AUTN followed by 6 bytes of server data. */
	assert_int_equal(
		ims_aka_nonce_decode("AAAAAAAAAAAAAAAAAAAAAP////////////////////9zZXJ2ZXI=", rand,
				     autn),
		0);
	assert_int_equal(rand[15], 0x00);
	assert_int_equal(autn[0], 0xff);
	assert_int_equal(autn[15], 0xff);
}

static void test_nonce_decode_rejects_bad_nonces(void **state)
{
	uint8_t rand[16], autn[16];
	char longer[400];

	/* 31 bytes only. */
	assert_int_equal(
		ims_aka_nonce_decode("AAAAAAAAAAAAAAAAAAAAAP///////////////////w==", rand, autn),
		-1);
	assert_int_equal(ims_aka_nonce_decode("", rand, autn), -1);
	assert_int_equal(ims_aka_nonce_decode("not base64 at all, surely not!", rand, autn), -1);
	assert_int_equal(ims_aka_nonce_decode(NULL, rand, autn), -1);
	memset(longer, 'A', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(ims_aka_nonce_decode(longer, rand, autn), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqn_put_get_round_trip),
		cmocka_unit_test(test_vector_matches_ts35208_set1),
		cmocka_unit_test(test_vector_then_ue_check_round_trip),
		cmocka_unit_test(test_ue_check_rejects_tampered_autn),
		cmocka_unit_test(test_ue_check_rejects_wrong_key),
		cmocka_unit_test(test_resync_recovers_sqn_ms),
		cmocka_unit_test(test_resync_uses_dummy_amf),
		cmocka_unit_test(test_resync_rejects_bad_mac_s),
		cmocka_unit_test(test_nonce_encode_decode_round_trip),
		cmocka_unit_test(test_nonce_encode_is_base64_of_rand_autn),
		cmocka_unit_test(test_nonce_decode_accepts_server_data),
		cmocka_unit_test(test_nonce_decode_rejects_bad_nonces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
