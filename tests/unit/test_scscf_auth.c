/*
 * Unit tests for scscf_auth: the Authorization header as UEs send it
 * (empty IMS credentials, several realms, auts), the verification of MD5
 * and AKAv1-MD5 responses (RFC 2617's worked example; a Milenage vector
 * answered by the UE side of ims_aka), single use per nonce count, and the
 * store of pending challenges (expiry, capacity, removal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "ims_aka.h"
#include "ims_codec.h"
#include "ims_digest.h"
#include "ims_milenage.h"
#include "scscf_auth.h"

#define REALM "open-ims.test"

static su_home_t home[1] = {SU_HOME_INIT(home)};

/* Parse "Authorization: <value>" lines into creds. */
static int parse(const char *value, const char *value2, struct scscf_creds *c)
{
	sip_authorization_t *au = sip_authorization_make(home, value);
	assert_non_null(au);
	if (value2) {
		au->au_next = sip_authorization_make(home, value2);
		assert_non_null(au->au_next);
	}
	return scscf_auth_parse(au, REALM, c);
}

/* ---- parsing ---- */

static void test_parse_no_header_is_absent(void **state)
{
	struct scscf_creds c;
	assert_int_equal(scscf_auth_parse(NULL, REALM, &c), 0);
	assert_false(c.present);
	assert_true(scscf_creds_empty(&c));
}

static void test_parse_empty_ims_credentials_pjsua_style(void **state)
{
	struct scscf_creds c;
	assert_int_equal(parse("Digest username=\"alice@open-ims.test\", realm=\"open-ims.test\", "
	                       "nonce=\"\", uri=\"sip:open-ims.test\", response=\"\"",
	                       NULL, &c),
	                 0);
	assert_true(c.present);
	assert_string_equal(c.username, "alice@open-ims.test");
	assert_string_equal(c.nonce, "");
	assert_string_equal(c.algorithm, "");
	assert_true(scscf_creds_empty(&c));
	assert_int_equal(scscf_scheme_from_algorithm(c.algorithm), SCSCF_SCHEME_NONE);
}

static void test_parse_algorithm_asks_for_a_scheme(void **state)
{
	struct scscf_creds c;
	parse("Digest username=\"alice@open-ims.test\", realm=\"open-ims.test\", nonce=\"\", "
	      "uri=\"sip:open-ims.test\", response=\"\", algorithm=AKAv1-MD5",
	      NULL, &c);
	assert_int_equal(scscf_scheme_from_algorithm(c.algorithm), SCSCF_SCHEME_AKA);
	assert_int_equal(scscf_scheme_from_algorithm("md5"), SCSCF_SCHEME_MD5);
	assert_int_equal(scscf_scheme_from_algorithm("SHA-256"), SCSCF_SCHEME_NONE);
}

static void test_parse_full_response_with_auts(void **state)
{
	struct scscf_creds c;
	assert_int_equal(parse("Digest username=\"carol@open-ims.test\", realm=\"open-ims.test\", "
	                       "nonce=\"abc=\", uri=\"sip:open-ims.test\", response=\"0123\", "
	                       "algorithm=AKAv1-MD5, cnonce=\"xyz\", qop=auth, nc=00000001, "
	                       "auts=\"AAECAwQFBgcICQoLDA0=\"",
	                       NULL, &c),
	                 0);
	assert_false(scscf_creds_empty(&c));
	assert_string_equal(c.nonce, "abc=");
	assert_string_equal(c.qop, "auth");
	assert_string_equal(c.nc, "00000001");
	assert_string_equal(c.cnonce, "xyz");
	assert_string_equal(c.auts, "AAECAwQFBgcICQoLDA0=");
	uint8_t auts[14];
	assert_int_equal(scscf_auth_auts(&c, auts), 0);
	for (int i = 0; i < 14; i++)
		assert_int_equal(auts[i], i);
}

static void test_parse_picks_our_realm_among_several(void **state)
{
	struct scscf_creds c;
	parse("Digest username=\"x\", realm=\"other.test\", nonce=\"n1\", uri=\"sip:a\", "
	      "response=\"r1\"",
	      "Digest username=\"alice@open-ims.test\", realm=\"open-ims.test\", nonce=\"n2\", "
	      "uri=\"sip:a\", response=\"r2\"",
	      &c);
	assert_true(c.present);
	assert_string_equal(c.nonce, "n2");
}

static void test_parse_ignores_foreign_realms_only(void **state)
{
	struct scscf_creds c;
	parse(
	    "Digest username=\"x\", realm=\"a.test\", nonce=\"n1\", uri=\"sip:a\", response=\"r\"",
	    "Digest username=\"y\", realm=\"b.test\", nonce=\"n2\", uri=\"sip:a\", response=\"r\"",
	    &c);
	assert_false(c.present);
}

static void test_parse_refuses_overlong_values(void **state)
{
	char big[600], line[800];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(line, sizeof line, "Digest username=\"u\", realm=\"open-ims.test\", nonce=\"%s\"",
	         big);
	struct scscf_creds c;
	assert_int_equal(parse(line, NULL, &c), -1);
	assert_false(c.present);
}

static void test_auts_must_be_14_bytes(void **state)
{
	struct scscf_creds c = {.present = true};
	strcpy(c.auts, "AAEC");
	uint8_t auts[14];
	assert_int_equal(scscf_auth_auts(&c, auts), -1);
	strcpy(c.auts, "not base64!");
	assert_int_equal(scscf_auth_auts(&c, auts), -1);
}

/* ---- verification ---- */

/* A qop=auth response as a UE computes it. */
static void ue_response(struct scscf_creds *c, const char *ha1, const char *method)
{
	ims_digest_response(ha1, c->nonce, c->nc, c->cnonce, c->qop[0] ? c->qop : NULL, method,
	                    c->uri, c->response);
}

static void md5_setup(struct scscf_vector *v, struct scscf_creds *c, const char *password)
{
	memset(v, 0, sizeof *v);
	memset(c, 0, sizeof *c);
	v->scheme = SCSCF_SCHEME_MD5;
	strcpy(v->impi, "alice@open-ims.test");
	strcpy(v->nonce, "bm9uY2U=");
	ims_digest_ha1("alice@open-ims.test", REALM, (const uint8_t *)"alice", 5, v->ha1);
	c->present = true;
	strcpy(c->username, "alice@open-ims.test");
	strcpy(c->realm, REALM);
	strcpy(c->nonce, v->nonce);
	strcpy(c->uri, "sip:open-ims.test");
	strcpy(c->qop, "auth");
	strcpy(c->cnonce, "0a4f113b");
	strcpy(c->nc, "00000001");
	char ha1[IMS_DIGEST_HEX_LEN];
	ims_digest_ha1(c->username, REALM, (const uint8_t *)password, strlen(password), ha1);
	ue_response(c, ha1, "REGISTER");
}

static void test_verify_rfc2617_example(void **state)
{
	struct scscf_vector v = {.scheme = SCSCF_SCHEME_MD5};
	struct scscf_creds c = {.present = true};
	strcpy(v.impi, "Mufasa");
	ims_digest_ha1("Mufasa", "testrealm@host.com", (const uint8_t *)"Circle Of Life", 14,
	               v.ha1);
	strcpy(c.username, "Mufasa");
	strcpy(c.realm, "testrealm@host.com");
	strcpy(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	strcpy(c.uri, "/dir/index.html");
	strcpy(c.qop, "auth");
	strcpy(c.nc, "00000001");
	strcpy(c.cnonce, "0a4f113b");
	strcpy(c.response, "6629fae49393a05397450978507c4ef1");
	assert_int_equal(scscf_auth_verify(&v, &c, "GET"), SCSCF_AUTH_OK);
}

static void test_verify_md5_right_password(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "alice");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_OK);
	assert_int_equal(v.nc, 1);
}

static void test_verify_md5_wrong_password(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "bob");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_WRONG);
	assert_false(v.used);
}

static void test_verify_nc_is_single_use(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "alice");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_OK);
	/* the same nonce count again: a replay */
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_REPLAY);
	/* the next one is fine */
	strcpy(c.nc, "00000002");
	char ha1[IMS_DIGEST_HEX_LEN];
	ims_digest_ha1(c.username, REALM, (const uint8_t *)"alice", 5, ha1);
	ue_response(&c, ha1, "REGISTER");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_OK);
	/* going back is not */
	strcpy(c.nc, "00000001");
	ue_response(&c, ha1, "REGISTER");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_REPLAY);
}

static void test_verify_without_qop_only_once(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "alice");
	c.qop[0] = c.nc[0] = c.cnonce[0] = '\0';
	ue_response(&c, v.ha1, "REGISTER");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_OK);
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_REPLAY);
}

static void test_verify_other_user_is_refused(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "alice");
	strcpy(c.username, "bob@open-ims.test");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_BAD_USER);
}

static void test_verify_incomplete_qop_is_malformed(void **state)
{
	struct scscf_vector v;
	struct scscf_creds c;
	md5_setup(&v, &c, "alice");
	c.cnonce[0] = '\0';
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_MALFORMED);
	md5_setup(&v, &c, "alice");
	strcpy(c.nc, "1");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_MALFORMED);
	md5_setup(&v, &c, "alice");
	strcpy(c.qop, "auth-int");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_MALFORMED);
}

/* AKA: a vector made for carol's lab credentials, answered by the UE side. */
static void test_verify_aka_with_res_as_password(void **state)
{
	struct ims_aka_keys keys;
	struct ims_aka_vector av;
	uint8_t op[16], sqn[6], rand[16], res[8];
	memcpy(keys.k, "carol-aka-secret", 16);
	memcpy(op, "open-ims-test-op", 16);
	memcpy(keys.amf, "IM", 2);
	assert_int_equal(ims_milenage_opc(keys.k, op, keys.opc), 0);
	ims_sqn_put(42, sqn);
	for (int i = 0; i < 16; i++)
		rand[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(ims_aka_vector(&keys, sqn, rand, &av), 0);

	struct scscf_vector v = {.scheme = SCSCF_SCHEME_AKA, .xres_len = 8};
	strcpy(v.impi, "carol@open-ims.test");
	memcpy(v.rand, av.rand, 16);
	memcpy(v.xres, av.xres, 8);
	assert_int_equal(ims_aka_nonce_encode(av.rand, av.autn, v.nonce, sizeof v.nonce), 0);

	/* the UE checks AUTN and computes RES from the nonce it got */
	uint8_t r2[16], autn[16];
	assert_int_equal(ims_aka_nonce_decode(v.nonce, r2, autn), 0);
	assert_int_equal(ims_aka_ue_check(&keys, r2, autn, NULL, res, NULL, NULL), 0);
	struct scscf_creds c = {.present = true};
	strcpy(c.username, v.impi);
	strcpy(c.realm, REALM);
	strcpy(c.nonce, v.nonce);
	strcpy(c.uri, "sip:open-ims.test");
	strcpy(c.qop, "auth");
	strcpy(c.nc, "00000001");
	strcpy(c.cnonce, "c0ffee");
	char ha1[IMS_DIGEST_HEX_LEN];
	ims_digest_ha1(c.username, REALM, res, sizeof res, ha1);
	ue_response(&c, ha1, "REGISTER");
	assert_int_equal(scscf_auth_verify(&v, &c, "REGISTER"), SCSCF_AUTH_OK);

	/* a response over another password (e.g. the MD5 one) fails */
	struct scscf_vector v2 = v;
	v2.nc = 0;
	v2.used = false;
	ims_digest_ha1(c.username, REALM, (const uint8_t *)"carol", 5, ha1);
	ue_response(&c, ha1, "REGISTER");
	assert_int_equal(scscf_auth_verify(&v2, &c, "REGISTER"), SCSCF_AUTH_WRONG);
}

static void test_random_nonces_differ(void **state)
{
	char a[64], b[64];
	assert_int_equal(scscf_auth_random_nonce(a, sizeof a), 0);
	assert_int_equal(scscf_auth_random_nonce(b, sizeof b), 0);
	assert_int_equal(strlen(a), 32);
	assert_string_not_equal(a, b);
}

/* ---- the store ---- */

static struct scscf_vector vec(const char *nonce)
{
	struct scscf_vector v = {.scheme = SCSCF_SCHEME_MD5};
	strcpy(v.nonce, nonce);
	strcpy(v.impi, "alice@open-ims.test");
	return v;
}

static void test_store_find_and_expire(void **state)
{
	struct scscf_nonces *s = scscf_nonces_new(30, 100);
	struct scscf_vector a = vec("a"), b = vec("b");
	assert_non_null(scscf_nonces_add(s, &a, 1000));
	assert_non_null(scscf_nonces_add(s, &b, 1010));
	assert_null(scscf_nonces_add(s, &a, 1011)); /* duplicate nonce */
	struct scscf_vector *f = scscf_nonces_find(s, "a", 1029);
	assert_non_null(f);
	assert_int_equal(f->expires, 1030);
	assert_null(scscf_nonces_find(s, "a", 1030)); /* expired */
	assert_non_null(scscf_nonces_find(s, "b", 1030));
	assert_int_equal(scscf_nonces_count(s), 1);
	assert_int_equal(scscf_nonces_expire(s, 1040), 1);
	assert_int_equal(scscf_nonces_count(s), 0);
	scscf_nonces_destroy(s);
}

static void test_store_capacity_drops_the_oldest(void **state)
{
	struct scscf_nonces *s = scscf_nonces_new(30, 2);
	struct scscf_vector a = vec("a"), b = vec("b"), c = vec("c");
	scscf_nonces_add(s, &a, 1);
	scscf_nonces_add(s, &b, 2);
	scscf_nonces_add(s, &c, 3);
	assert_int_equal(scscf_nonces_count(s), 2);
	assert_null(scscf_nonces_find(s, "a", 4));
	assert_non_null(scscf_nonces_find(s, "b", 4));
	assert_non_null(scscf_nonces_find(s, "c", 4));
	scscf_nonces_destroy(s);
}

static void test_store_remove(void **state)
{
	struct scscf_nonces *s = scscf_nonces_new(30, 10);
	struct scscf_vector a = vec("a"), b = vec("b"), c = vec("c");
	scscf_nonces_add(s, &a, 1);
	struct scscf_vector *pb = scscf_nonces_add(s, &b, 1);
	scscf_nonces_add(s, &c, 1);
	scscf_nonces_remove(s, pb);
	assert_null(scscf_nonces_find(s, "b", 2));
	assert_non_null(scscf_nonces_find(s, "a", 2));
	assert_non_null(scscf_nonces_find(s, "c", 2));
	assert_int_equal(scscf_nonces_expire(s, 100), 2);
	scscf_nonces_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_no_header_is_absent),
	    cmocka_unit_test(test_parse_empty_ims_credentials_pjsua_style),
	    cmocka_unit_test(test_parse_algorithm_asks_for_a_scheme),
	    cmocka_unit_test(test_parse_full_response_with_auts),
	    cmocka_unit_test(test_parse_picks_our_realm_among_several),
	    cmocka_unit_test(test_parse_ignores_foreign_realms_only),
	    cmocka_unit_test(test_parse_refuses_overlong_values),
	    cmocka_unit_test(test_auts_must_be_14_bytes),
	    cmocka_unit_test(test_verify_rfc2617_example),
	    cmocka_unit_test(test_verify_md5_right_password),
	    cmocka_unit_test(test_verify_md5_wrong_password),
	    cmocka_unit_test(test_verify_nc_is_single_use),
	    cmocka_unit_test(test_verify_without_qop_only_once),
	    cmocka_unit_test(test_verify_other_user_is_refused),
	    cmocka_unit_test(test_verify_incomplete_qop_is_malformed),
	    cmocka_unit_test(test_verify_aka_with_res_as_password),
	    cmocka_unit_test(test_random_nonces_differ),
	    cmocka_unit_test(test_store_find_and_expire),
	    cmocka_unit_test(test_store_capacity_drops_the_oldest),
	    cmocka_unit_test(test_store_remove),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	su_home_deinit(home);
	return rc;
}
