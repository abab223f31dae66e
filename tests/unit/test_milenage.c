/*
 * Unit tests for ims_milenage against the six test sets of 3GPP TS 35.208
 * §4.3 (the same data as TS 35.207 §4.3): OPc, f1, f1*, f2, f3, f4, f5, f5*.
 * Every expected value below was found identical in at least two
 * independently published copies of the test data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ims_codec.h"
#include "ims_milenage.h"

struct milenage_set {
	const char *k, *rand, *sqn, *amf, *op;
	const char *opc, *f1, *f1star, *f2, *f3, *f4, *f5, *f5star;
};

static const struct milenage_set sets[6] = {
	{/* Test set 1 */
	 .k = "465b5ce8b199b49faa5f0a2ee238a6bc",
	 .rand = "23553cbe9637a89d218ae64dae47bf35",
	 .sqn = "ff9bb4d0b607",
	 .amf = "b9b9",
	 .op = "cdc202d5123e20f62b6d676ac72cb318",
	 .opc = "cd63cb71954a9f4e48a5994e37a02baf",
	 .f1 = "4a9ffac354dfafb3",
	 .f1star = "01cfaf9ec4e871e9",
	 .f2 = "a54211d5e3ba50bf",
	 .f3 = "b40ba9a3c58b2a05bbf0d987b21bf8cb",
	 .f4 = "f769bcd751044604127672711c6d3441",
	 .f5 = "aa689c648370",
	 .f5star = "451e8beca43b"},
	{/* Test set 2 */
	 .k = "0396eb317b6d1c36f19c1c84cd6ffd16",
	 .rand = "c00d603103dcee52c4478119494202e8",
	 .sqn = "fd8eef40df7d",
	 .amf = "af17",
	 .op = "ff53bade17df5d4e793073ce9d7579fa",
	 .opc = "53c15671c60a4b731c55b4a441c0bde2",
	 .f1 = "5df5b31807e258b0",
	 .f1star = "a8c016e51ef4a343",
	 .f2 = "d3a628ed988620f0",
	 .f3 = "58c433ff7a7082acd424220f2b67c556",
	 .f4 = "21a8c1f929702adb3e738488b9f5c5da",
	 .f5 = "c47783995f72",
	 .f5star = "30f1197061c1"},
	{/* Test set 3 */
	 .k = "fec86ba6eb707ed08905757b1bb44b8f",
	 .rand = "9f7c8d021accf4db213ccff0c7f71a6a",
	 .sqn = "9d0277595ffc",
	 .amf = "725c",
	 .op = "dbc59adcb6f9a0ef735477b7fadf8374",
	 .opc = "1006020f0a478bf6b699f15c062e42b3",
	 .f1 = "9cabc3e99baf7281",
	 .f1star = "95814ba2b3044324",
	 .f2 = "8011c48c0c214ed2",
	 .f3 = "5dbdbb2954e8f3cde665b046179a5098",
	 .f4 = "59a92d3b476a0443487055cf88b2307b",
	 .f5 = "33484dc2136b",
	 .f5star = "deacdd848cc6"},
	{/* Test set 4 */
	 .k = "9e5944aea94b81165c82fbf9f32db751",
	 .rand = "ce83dbc54ac0274a157c17f80d017bd6",
	 .sqn = "0b604a81eca8",
	 .amf = "9e09",
	 .op = "223014c5806694c007ca1eeef57f004f",
	 .opc = "a64a507ae1a2a98bb88eb4210135dc87",
	 .f1 = "74a58220cba84c49",
	 .f1star = "ac2cc74a96871837",
	 .f2 = "f365cd683cd92e96",
	 .f3 = "e203edb3971574f5a94b0d61b816345d",
	 .f4 = "0c4524adeac041c4dd830d20854fc46b",
	 .f5 = "f0b9c08ad02e",
	 .f5star = "6085a86c6f63"},
	{/* Test set 5 */
	 .k = "4ab1deb05ca6ceb051fc98e77d026a84",
	 .rand = "74b0cd6031a1c8339b2b6ce2b8c4a186",
	 .sqn = "e880a1b580b6",
	 .amf = "9f07",
	 .op = "2d16c5cd1fdf6b22383584e3bef2a8d8",
	 .opc = "dcf07cbd51855290b92a07a9891e523e",
	 .f1 = "49e785dd12626ef2",
	 .f1star = "9e85790336bb3fa2",
	 .f2 = "5860fc1bce351e7e",
	 .f3 = "7657766b373d1c2138f307e3de9242f9",
	 .f4 = "1c42e960d89b8fa99f2744e0708ccb53",
	 .f5 = "31e11a609118",
	 .f5star = "fe2555e54aa9"},
	{/* Test set 6 */
	 .k = "6c38a116ac280c454f59332ee35c8c4f",
	 .rand = "ee6466bc96202c5a557abbeff8babf63",
	 .sqn = "414b98222181",
	 .amf = "4464",
	 .op = "1ba00a1a7c6700ac8c3ff3e96ad08725",
	 .opc = "3803ef5363b947c6aaa225e58fae3934",
	 .f1 = "078adfb488241a57",
	 .f1star = "80246b8d0186bcf1",
	 .f2 = "16c8233f05a0ac28",
	 .f3 = "3f8c7587fe8e4b233af676aede30ba3b",
	 .f4 = "a7466cc1e6b2a1337d49d3b66e95d7b4",
	 .f5 = "45b0f69ab06c",
	 .f5star = "1f53cd2b1113"},
};

static void unhex(const char *hex, uint8_t *out, size_t len)
{
	assert_int_equal(ims_hex_decode(hex, out, len), (int)len);
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	char buf[33];

	assert_true(len <= 16);
	ims_hex_encode(got, len, buf);
	assert_string_equal(buf, want);
}

struct inputs {
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
};

static void load(const struct milenage_set *s, struct inputs *in)
{
	unhex(s->k, in->k, 16);
	unhex(s->rand, in->rand, 16);
	unhex(s->sqn, in->sqn, 6);
	unhex(s->amf, in->amf, 2);
	unhex(s->op, in->op, 16);
	unhex(s->opc, in->opc, 16);
}

static void check_set(const struct milenage_set *s)
{
	struct inputs in;
	uint8_t opc[16], mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];

	load(s, &in);
	assert_int_equal(ims_milenage_opc(in.k, in.op, opc), 0);
	assert_hex(opc, 16, s->opc);

	assert_int_equal(ims_milenage_f1(in.k, opc, in.rand, in.sqn, in.amf, mac_a, mac_s), 0);
	assert_hex(mac_a, 8, s->f1);
	assert_hex(mac_s, 8, s->f1star);

	assert_int_equal(ims_milenage_f2345(in.k, opc, in.rand, res, ck, ik, ak, ak_star), 0);
	assert_hex(res, 8, s->f2);
	assert_hex(ck, 16, s->f3);
	assert_hex(ik, 16, s->f4);
	assert_hex(ak, 6, s->f5);
	assert_hex(ak_star, 6, s->f5star);
}

static void test_set1_matches_ts35208(void **state)
{
	check_set(&sets[0]);
}
static void test_set2_matches_ts35208(void **state)
{
	check_set(&sets[1]);
}
static void test_set3_matches_ts35208(void **state)
{
	check_set(&sets[2]);
}
static void test_set4_matches_ts35208(void **state)
{
	check_set(&sets[3]);
}
static void test_set5_matches_ts35208(void **state)
{
	check_set(&sets[4]);
}
static void test_set6_matches_ts35208(void **state)
{
	check_set(&sets[5]);
}

/* Each output may be asked for alone and gives the same value. */
static void test_outputs_may_be_requested_separately(void **state)
{
	const struct milenage_set *s = &sets[3];
	struct inputs in;
	uint8_t mac[8], res[8], key[16], ak[6];

	load(s, &in);
	assert_int_equal(ims_milenage_f1(in.k, in.opc, in.rand, in.sqn, in.amf, mac, NULL), 0);
	assert_hex(mac, 8, s->f1);
	assert_int_equal(ims_milenage_f1(in.k, in.opc, in.rand, in.sqn, in.amf, NULL, mac), 0);
	assert_hex(mac, 8, s->f1star);
	assert_int_equal(ims_milenage_f2345(in.k, in.opc, in.rand, res, NULL, NULL, NULL, NULL),
			 0);
	assert_hex(res, 8, s->f2);
	assert_int_equal(ims_milenage_f2345(in.k, in.opc, in.rand, NULL, key, NULL, NULL, NULL),
			 0);
	assert_hex(key, 16, s->f3);
	assert_int_equal(ims_milenage_f2345(in.k, in.opc, in.rand, NULL, NULL, key, NULL, NULL),
			 0);
	assert_hex(key, 16, s->f4);
	assert_int_equal(ims_milenage_f2345(in.k, in.opc, in.rand, NULL, NULL, NULL, ak, NULL), 0);
	assert_hex(ak, 6, s->f5);
	assert_int_equal(ims_milenage_f2345(in.k, in.opc, in.rand, NULL, NULL, NULL, NULL, ak), 0);
	assert_hex(ak, 6, s->f5star);
}

/* alice's lab credentials (IMS-FACTS.md: K and OP as raw ASCII bytes).  The
 * expected OPc was computed independently with the openssl command line:
 * AES-128-ECB of OP under K, xor OP. */
static void test_opc_for_lab_credentials(void **state)
{
	const uint8_t *k = (const uint8_t *)"alice-aka-secret";
	const uint8_t *op = (const uint8_t *)"open-ims-test-op";
	uint8_t opc[16];

	assert_int_equal(ims_milenage_opc(k, op, opc), 0);
	assert_hex(opc, 16, "4d241c9495ecbcbf3f501fe1936f3367");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set1_matches_ts35208),
		cmocka_unit_test(test_set2_matches_ts35208),
		cmocka_unit_test(test_set3_matches_ts35208),
		cmocka_unit_test(test_set4_matches_ts35208),
		cmocka_unit_test(test_set5_matches_ts35208),
		cmocka_unit_test(test_set6_matches_ts35208),
		cmocka_unit_test(test_outputs_may_be_requested_separately),
		cmocka_unit_test(test_opc_for_lab_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
