/*
 * hss_cx_mar — Multimedia-Auth-Request (TS 29.228 6.3, TS 29.229 6.1.7):
 * authentication vectors for the S-CSCF.
 *
 *  Digest-AKAv1-MD5  n = min(SIP-Number-Auth-Items, max_auth_items) Milenage
 *                    vectors on n fresh consecutive SQNs (hss_sqn.h: from a
 *                    block reserved atomically in MySQL);
 *                    SIP-Authenticate = RAND||AUTN, SIP-Authorization = XRES,
 *                    Confidentiality-Key = CK, Integrity-Key = IK.
 *                    With SIP-Authorization = RAND||AUTS in the request:
 *                    resynchronisation (MAC-S checked, SQN := SQN_MS) first.
 *  SIP Digest        one item with SIP-Digest-Authenticate { Digest-Realm,
 *                    Digest-Algorithm "MD5", Digest-QoP "auth", Digest-HA1 }.
 *  Digest-MD5        (legacy, OpenIMSCore FHoSS) one item with
 *                    SIP-Authenticate = 32 hex characters of 16 random bytes
 *                    (a nonce the S-CSCF may use) and SIP-Authorization = HA1
 *                    as 32 lower-case hex characters.
 *  Unknown           the private identity's default scheme.
 * A scheme the subscriber is not allowed (or has no credentials for) gets
 * DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED.
 *
 * The S-CSCF name of the request is stored for the identity's implicit set
 * (TS 29.228 8.1: a MAR from a new S-CSCF overwrites the old name, except
 * on resynchronisation).
 */
#include "hss_cfg.h"
#include "hss_cx.h"
#include "hss_rtr.h"
#include "hss_sqn.h"

#include "ims_aka.h"
#include "ims_codec.h"
#include "ims_digest.h"
#include "ims_log.h"
#include "ims_milenage.h"

#include <openssl/rand.h>
#include <string.h>

enum scheme { S_AKA, S_SIP_DIGEST, S_DIGEST_MD5 };
static const char *const scheme_names[] = {IMS_CX_SCHEME_AKAV1_MD5, IMS_CX_SCHEME_SIP_DIGEST,
					   IMS_CX_SCHEME_DIGEST_MD5};

struct mar {
	char impi_id[HSS_ID_MAX], impu_id[HSS_ID_MAX], server[HSS_ID_MAX];
	char origin_host[HSS_ID_MAX], origin_realm[HSS_ID_MAX];
	char scheme_str[64];
	uint32_t n;
	const uint8_t *resync; /* RAND||AUTS (30 bytes) or NULL */
	struct avp *resync_avp;
	enum scheme scheme;
	struct hss_impi impi;
	struct hss_impu impu;
};

static int mar_read_item(struct hss_req *r, struct mar *m)
{
	struct avp *item = NULL, *a = NULL;
	size_t len = 0;

	if (ims_cx_find(r->req, ims_cx.avp_sip_auth_data_item, &item) < 0)
		return hss_fail_missing(r, ims_cx.avp_sip_auth_data_item);
	if (ims_cx_find(item, ims_cx.avp_sip_authentication_scheme, &a) < 0)
		snprintf(m->scheme_str, sizeof m->scheme_str, "%s", IMS_CX_SCHEME_UNKNOWN);
	else if (ims_cx_avp_str(a, m->scheme_str, sizeof m->scheme_str) < 0)
		return hss_fail_invalid(r, a, "bad SIP-Authentication-Scheme");
	if (ims_cx_find(item, ims_cx.avp_sip_authorization, &m->resync_avp) == 0) {
		if (ims_cx_avp_bytes(m->resync_avp, &m->resync, &len) < 0 || len != 30)
			return hss_fail_invalid(r, m->resync_avp,
						"SIP-Authorization is not RAND||AUTS (30 bytes)");
	}
	return 0;
}

static int mar_read(struct hss_req *r, struct mar *m)
{
	struct avp *a = NULL;

	if (hss_need_str(r, ims_cx.avp_user_name, m->impi_id, sizeof m->impi_id) ||
	    hss_need_str(r, ims_cx.avp_public_identity, m->impu_id, sizeof m->impu_id) ||
	    hss_need_str(r, ims_cx.avp_server_name, m->server, sizeof m->server) ||
	    hss_need_str(r, ims_cx.avp_origin_host, m->origin_host, sizeof m->origin_host) ||
	    hss_need_str(r, ims_cx.avp_origin_realm, m->origin_realm, sizeof m->origin_realm))
		return HSS_STOP;
	if (ims_cx_find(r->req, ims_cx.avp_sip_number_auth_items, &a) < 0)
		return hss_fail_missing(r, ims_cx.avp_sip_number_auth_items);
	if (ims_cx_avp_u32(a, &m->n) < 0)
		return hss_fail_invalid(r, a, "bad SIP-Number-Auth-Items");
	if (m->n == 0)
		m->n = 1;
	if (m->n > (uint32_t)hss_cx_cfg->max_auth_items)
		m->n = (uint32_t)hss_cx_cfg->max_auth_items;
	return mar_read_item(r, m);
}

static int mar_identities(struct hss_req *r, struct mar *m)
{
	int rc = hss_db_pair_get(m->impi_id, m->impu_id, &m->impi, &m->impu);

	if (rc == HSS_DB_OK)
		return 0; /* the usual case, in one round trip */
	if (rc != HSS_DB_NOT_FOUND)
		return hss_fail_db(r);
	if (hss_db_step(r, hss_db_impi_get(m->impi_id, &m->impi), "unknown private identity") ||
	    hss_db_step(r, hss_db_impu_get(m->impu_id, &m->impu), "unknown public identity"))
		return HSS_STOP;
	rc = hss_db_impi_impu_linked(m->impi.id, m->impu.id);
	if (rc == HSS_DB_NOT_FOUND)
		return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITIES_DONT_MATCH,
					     "the private identity may not use the public one");
	return rc == HSS_DB_OK ? 0 : hss_fail_db(r);
}

/* "a,b,c" (MySQL SET) contains name? */
static bool set_has(const char *set, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = set; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static int mar_scheme(struct hss_req *r, struct mar *m)
{
	const char *want = m->scheme_str;

	if (want[0] == '\0' || strcmp(want, IMS_CX_SCHEME_UNKNOWN) == 0)
		want = m->impi.default_scheme;
	for (int i = 0; i < 3; i++) {
		if (strcmp(want, scheme_names[i]) != 0)
			continue;
		if (!set_has(m->impi.auth_schemes, want))
			break;
		m->scheme = (enum scheme)i;
		if (m->resync && m->scheme != S_AKA)
			return hss_fail_invalid(r, m->resync_avp,
						"resynchronisation needs Digest-AKAv1-MD5");
		return 0;
	}
	return hss_fail_experimental(r, IMS_CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED, want);
}

/* Keep the requesting S-CSCF's name (and Diameter host, for RTR/PPR). */
static int mar_store_server(struct hss_req *r, struct mar *m)
{
	if (m->resync && m->impu.scscf_name[0])
		return 0;
	if (strcmp(m->impu.scscf_name, m->server) == 0 &&
	    strcmp(m->impu.origin_host, m->origin_host) == 0)
		return 0;
	if (hss_db_set_state(m->impu.implicit_set, m->impu.state, m->server, m->origin_host,
			     m->origin_realm) != HSS_DB_OK)
		return hss_fail_db(r);
	if (m->impu.scscf_name[0] && m->impu.state != HSS_NOT_REGISTERED &&
	    strcmp(m->impu.scscf_name, m->server) != 0) {
		IMS_INFO("MAR %s: %s moves from %s to %s", r->sid, m->impu_id,
			 m->impu.scscf_name, m->server);
		if (m->impu.origin_host[0] && strcmp(m->impu.origin_host, m->origin_host) != 0)
			hss_rtr_old_scscf(m->impi_id, &m->impu, r->sid);
	}
	return 0;
}

/* HA1 from the password, else the stored one; -1 when neither. */
static int mar_ha1(const struct mar *m, char ha1[IMS_DIGEST_HEX_LEN])
{
	if (m->impi.password[0]) {
		ims_digest_ha1(m->impi.identity, hss_cx_cfg->digest_realm,
			       (const uint8_t *)m->impi.password, strlen(m->impi.password), ha1);
		return 0;
	}
	if (strlen(m->impi.ha1) != 32)
		return -1;
	memcpy(ha1, m->impi.ha1, 33);
	return 0;
}

static int add_item_head(struct hss_req *r, struct avp **item, uint32_t number,
			 const char *scheme)
{
	if (ims_cx_add_group(r->ans, ims_cx.avp_sip_auth_data_item, item) < 0 ||
	    ims_cx_add_u32(*item, ims_cx.avp_sip_item_number, number) < 0 ||
	    ims_cx_add_str(*item, ims_cx.avp_sip_authentication_scheme, scheme) < 0)
		return -1;
	return 0;
}

static int mar_digest(struct hss_req *r, struct mar *m)
{
	char ha1[IMS_DIGEST_HEX_LEN], nonce[33];
	uint8_t rnd[16];
	struct avp *item = NULL, *sda = NULL;

	if (mar_ha1(m, ha1) < 0)
		return hss_fail_experimental(r, IMS_CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED,
					     "no password or HA1 provisioned");
	m->n = 1;
	if (add_item_head(r, &item, 1, scheme_names[m->scheme]) < 0)
		return hss_fail_db(r);
	if (m->scheme == S_DIGEST_MD5) {
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			return hss_fail_db(r);
		ims_hex_encode(rnd, sizeof rnd, nonce);
		if (ims_cx_add_str(item, ims_cx.avp_sip_authenticate, nonce) < 0 ||
		    ims_cx_add_str(item, ims_cx.avp_sip_authorization, ha1) < 0)
			return hss_fail_db(r);
		return 0;
	}
	if (ims_cx_add_group(item, ims_cx.avp_sip_digest_authenticate, &sda) < 0 ||
	    ims_cx_add_str(sda, ims_cx.avp_digest_realm, hss_cx_cfg->digest_realm) < 0 ||
	    ims_cx_add_str(sda, ims_cx.avp_digest_algorithm, "MD5") < 0 ||
	    ims_cx_add_str(sda, ims_cx.avp_digest_qop, "auth") < 0 ||
	    ims_cx_add_str(sda, ims_cx.avp_digest_ha1, ha1) < 0)
		return hss_fail_db(r);
	return 0;
}

static int mar_keys(const struct hss_impi *impi, struct ims_aka_keys *k)
{
	uint8_t op[16];

	if (ims_hex_decode(impi->k, k->k, 16) != 16 || ims_hex_decode(impi->amf, k->amf, 2) != 2)
		return -1;
	if (impi->opc[0])
		return ims_hex_decode(impi->opc, k->opc, 16) == 16 ? 0 : -1;
	if (ims_hex_decode(impi->op, op, 16) != 16)
		return -1;
	return ims_milenage_opc(k->k, op, k->opc);
}

/* Take m->n fresh SQNs from *first on (after a resynchronisation if asked). */
static int mar_sqn(struct hss_req *r, struct mar *m, const struct ims_aka_keys *k,
		   uint64_t *first)
{
	uint8_t sqn_ms[6];
	int rc;

	if (!m->resync) {
		rc = hss_sqn_take(m->impi.id, m->n, first);
		return rc == HSS_DB_OK ? 0 : hss_fail_db(r);
	}
	if (ims_aka_resync(k, m->resync, m->resync + 16, sqn_ms) < 0)
		return hss_fail_result(r, IMS_DIAMETER_AUTHENTICATION_REJECTED,
				       "resynchronisation: MAC-S does not match");
	IMS_INFO("MAR %s: %s resynchronised to SQN %llu", r->sid, m->impi_id,
		 (unsigned long long)ims_sqn_get(sqn_ms));
	rc = hss_sqn_resync(m->impi.id, ims_sqn_get(sqn_ms), m->n, first);
	return rc == HSS_DB_OK ? 0 : hss_fail_db(r);
}

static int add_aka_item(struct hss_req *r, uint32_t number, const struct ims_aka_vector *v)
{
	uint8_t ra[32];
	struct avp *item = NULL;

	memcpy(ra, v->rand, 16);
	memcpy(ra + 16, v->autn, 16);
	if (add_item_head(r, &item, number, IMS_CX_SCHEME_AKAV1_MD5) < 0 ||
	    ims_cx_add_bytes(item, ims_cx.avp_sip_authenticate, ra, 32) < 0 ||
	    ims_cx_add_bytes(item, ims_cx.avp_sip_authorization, v->xres, 8) < 0 ||
	    ims_cx_add_bytes(item, ims_cx.avp_confidentiality_key, v->ck, 16) < 0 ||
	    ims_cx_add_bytes(item, ims_cx.avp_integrity_key, v->ik, 16) < 0)
		return -1;
	return 0;
}

static int mar_aka(struct hss_req *r, struct mar *m)
{
	struct ims_aka_keys k;
	struct ims_aka_vector v;
	uint8_t sqn[6], rnd[16];
	uint64_t first = 0;

	if (mar_keys(&m->impi, &k) < 0)
		return hss_fail_experimental(r, IMS_CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED,
					     "no AKA credentials (K, OP/OPc, AMF) provisioned");
	if (mar_sqn(r, m, &k, &first))
		return HSS_STOP;
	for (uint32_t i = 0; i < m->n; i++) {
		ims_sqn_put((first + i) & HSS_SQN_MASK, sqn);
		if (RAND_bytes(rnd, sizeof rnd) != 1 || ims_aka_vector(&k, sqn, rnd, &v) < 0 ||
		    add_aka_item(r, i + 1, &v) < 0)
			return hss_fail_db(r);
	}
	return 0;
}

static int mar_answer(struct hss_req *r, struct mar *m)
{
	if (hss_add_str(r, ims_cx.avp_user_name, m->impi_id) < 0 ||
	    hss_add_str(r, ims_cx.avp_public_identity, m->impu_id) < 0)
		return hss_fail_db(r);
	if (m->scheme == S_AKA ? mar_aka(r, m) : mar_digest(r, m))
		return HSS_STOP;
	if (ims_cx_add_u32(r->ans, ims_cx.avp_sip_number_auth_items, m->n) < 0)
		return hss_fail_db(r);
	hss_set_success(r, false, IMS_DIAMETER_SUCCESS);
	return 0;
}

int hss_cx_mar(struct msg **msg, void *opaque)
{
	struct hss_req r;
	struct mar m;

	if (hss_req_begin(msg, &r, "MAR") < 0)
		return -1;
	memset(&m, 0, sizeof m);
	if (!mar_read(&r, &m) && !mar_identities(&r, &m) && !mar_scheme(&r, &m) &&
	    !mar_store_server(&r, &m) && !mar_answer(&r, &m))
		IMS_INFO("MAR %s: %s %s: %u %s item(s)%s", r.sid, m.impi_id, m.impu_id, m.n,
			 scheme_names[m.scheme], m.resync ? " after resynchronisation" : "");
	return hss_req_end(msg, &r);
}
