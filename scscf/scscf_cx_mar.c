/*
 * scscf_cx_mar — Multimedia-Auth-Request (TS 29.228 §6.3.1, TS 29.229
 * §6.1.7): ask the HSS for one authentication vector, or resynchronise
 * (SIP-Authorization = RAND || AUTS).  See scscf_cx.h for the threading.
 */
#include "scscf_cx.h"

#include "ims_aka.h"
#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scheme_request_name(enum scscf_scheme s)
{
	switch (s) {
	case SCSCF_SCHEME_AKA:
		return IMS_CX_SCHEME_AKAV1_MD5;
	case SCSCF_SCHEME_MD5:
		return IMS_CX_SCHEME_SIP_DIGEST;
	default:
		return IMS_CX_SCHEME_UNKNOWN;
	}
}

static int mar_build(struct scscf_mar *m, struct msg **out)
{
	const struct scscf_cfg *cfg = &m->sc->cfg;
	struct msg *msg = NULL;
	struct avp *item = NULL;

	if (ims_cx_request_new(ims_cx.cmd_mar, cfg->hss_realm,
	                       cfg->hss_host[0] ? cfg->hss_host : NULL, &msg) < 0)
		return -1;
	if (ims_cx_add_str(msg, ims_cx.avp_user_name, m->impi) < 0 ||
	    ims_cx_add_str(msg, ims_cx.avp_public_identity, m->impu) < 0 ||
	    ims_cx_add_u32(msg, ims_cx.avp_sip_number_auth_items, 1) < 0 ||
	    ims_cx_add_group(msg, ims_cx.avp_sip_auth_data_item, &item) < 0 ||
	    ims_cx_add_str(item, ims_cx.avp_sip_authentication_scheme,
	                   scheme_request_name(m->resync ? SCSCF_SCHEME_AKA : m->want)) < 0 ||
	    (m->resync && ims_cx_add_bytes(item, ims_cx.avp_sip_authorization, m->rand_auts,
	                                   sizeof m->rand_auts) < 0) ||
	    ims_cx_add_str(msg, ims_cx.avp_server_name, cfg->server_name) < 0) {
		fd_msg_free(msg);
		return -1;
	}
	*out = msg;
	return 0;
}

/* ---- reading the MAA (freeDiameter thread) ---- */

static void fail(struct scscf_mar *m, int status, const char *why)
{
	m->status = status;
	snprintf(m->reason, sizeof m->reason, "%s", why);
}

static void read_aka(struct scscf_mar *m, struct avp *item)
{
	const uint8_t *data;
	size_t len;
	struct scscf_vector *v = &m->vec;

	if (ims_cx_get_bytes(item, ims_cx.avp_sip_authenticate, &data, &len) < 0 || len < 32) {
		fail(m, 500, "MAA: AKA item without RAND||AUTN");
		return;
	}
	memcpy(v->rand, data, 16);
	memcpy(m->autn, data + 16, 16);
	if (ims_cx_get_bytes(item, ims_cx.avp_sip_authorization, &data, &len) < 0 || len < 4 ||
	    len > sizeof v->xres) {
		fail(m, 500, "MAA: AKA item without XRES");
		return;
	}
	memcpy(v->xres, data, len);
	v->xres_len = len;
	const uint8_t *ck, *ik;
	size_t ckl, ikl;
	if (ims_cx_get_bytes(item, ims_cx.avp_confidentiality_key, &ck, &ckl) == 0 &&
	    ims_cx_get_bytes(item, ims_cx.avp_integrity_key, &ik, &ikl) == 0 && ckl == 16 &&
	    ikl == 16) {
		memcpy(v->ck, ck, 16);
		memcpy(v->ik, ik, 16);
		v->has_keys = true;
	}
	v->scheme = SCSCF_SCHEME_AKA;
	if (ims_aka_nonce_encode(v->rand, m->autn, v->nonce, sizeof v->nonce) < 0)
		fail(m, 500, "MAA: cannot encode the AKA nonce");
}

static int is_hex32(const char *s)
{
	if (strlen(s) != 32)
		return 0;
	return strspn(s, "0123456789abcdefABCDEF") == 32;
}

static void read_digest(struct scscf_mar *m, struct avp *item, bool legacy)
{
	struct avp *sda = NULL;
	int rc;

	if (legacy) /* Digest-MD5 (FHoSS): SIP-Authorization = HA1 in hex */
		rc = ims_cx_get_str(item, ims_cx.avp_sip_authorization, m->vec.ha1,
		                    sizeof m->vec.ha1);
	else if ((rc = ims_cx_find(item, ims_cx.avp_sip_digest_authenticate, &sda)) == 0)
		rc = ims_cx_get_str(sda, ims_cx.avp_digest_ha1, m->vec.ha1, sizeof m->vec.ha1);
	if (rc < 0 || !is_hex32(m->vec.ha1)) {
		fail(m, 500, "MAA: digest item without a valid HA1");
		return;
	}
	m->vec.scheme = SCSCF_SCHEME_MD5;
}

static void read_item(struct scscf_mar *m, struct msg *ans)
{
	struct avp *item = NULL;
	char scheme[64] = "";

	if (ims_cx_find(ans, ims_cx.avp_sip_auth_data_item, &item) < 0) {
		fail(m, 500, "MAA without SIP-Auth-Data-Item");
		return;
	}
	ims_cx_get_str(item, ims_cx.avp_sip_authentication_scheme, scheme, sizeof scheme);
	if (strcmp(scheme, IMS_CX_SCHEME_AKAV1_MD5) == 0)
		read_aka(m, item);
	else if (strcmp(scheme, IMS_CX_SCHEME_SIP_DIGEST) == 0)
		read_digest(m, item, false);
	else if (strcmp(scheme, IMS_CX_SCHEME_DIGEST_MD5) == 0)
		read_digest(m, item, true);
	else
		fail(m, 500, "MAA: unsupported SIP-Authentication-Scheme");
}

/* Result of the answer -> SIP status (0 = go on). */
void scscf_cx_mar_read(struct scscf_mar *m, struct msg *ans)
{
	struct ims_cx_result res;

	if (!ans) {
		fail(m, 504, "HSS did not answer the MAR");
		return;
	}
	if (ims_cx_result_get(ans, &res) < 0) {
		fail(m, 500, "MAA without a result");
		return;
	}
	if (ims_cx_result_is_success(&res)) {
		read_item(m, ans);
		return;
	}
	if (!res.experimental && res.code == IMS_DIAMETER_UNABLE_TO_DELIVER) {
		fail(m, 504, "HSS unreachable (MAR: DIAMETER_UNABLE_TO_DELIVER)");
		return;
	}
	if (!res.experimental && res.code == IMS_DIAMETER_TOO_BUSY) {
		fail(m, 503, "HSS too busy");
		return;
	}
	if (!res.experimental && res.code == IMS_DIAMETER_AUTHENTICATION_REJECTED) {
		fail(m, 403, "authentication rejected by the HSS (resynchronisation failed)");
		return;
	}
	if (res.experimental) {
		switch (res.code) {
		case IMS_CX_ERROR_USER_UNKNOWN:
			fail(m, 403, "unknown user");
			return;
		case IMS_CX_ERROR_IDENTITIES_DONT_MATCH:
			fail(m, 403, "private and public identities do not match");
			return;
		case IMS_CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED:
			fail(m, 403, "authentication scheme not supported for this user");
			return;
		}
	}
	m->status = 500;
	snprintf(m->reason, sizeof m->reason, "MAA %s %u",
	         res.experimental ? "experimental" : "result", res.code);
}

static void mar_on_root(void *arg)
{
	struct scscf_mar *m = arg;
	m->done(m);
	free(m);
}

static void mar_answer(void *data, struct msg *ans)
{
	struct scscf_mar *m = data;
	char sid[128];

	if (ans)
		ims_cx_session_id(ans, sid, sizeof sid);
	else
		snprintf(sid, sizeof sid, "-");
	scscf_cx_mar_read(m, ans);
	if (m->status)
		IMS_WARN("MAR %s (Call-ID %s) for %s: %s", sid, m->call_id, m->impi, m->reason);
	else
		IMS_DEBUG("MAA %s (Call-ID %s): vector for %s", sid, m->call_id, m->impi);
	snprintf(m->vec.impi, sizeof m->vec.impi, "%s", m->impi);
	snprintf(m->vec.impu, sizeof m->vec.impu, "%s", m->impu);
	if (ims_bridge_post(m->sc->bridge, mar_on_root, m) < 0) {
		IMS_ERR("MAR (Call-ID %s): cannot hand the answer to the SIP loop", m->call_id);
		free(m);
	}
}

int scscf_cx_mar_send(struct scscf_mar *m)
{
	struct msg *msg = NULL;

	if (!m->sc->diameter || mar_build(m, &msg) < 0) {
		IMS_ERR("MAR (Call-ID %s) for %s: cannot build the request", m->call_id, m->impi);
		return -1;
	}
	if (ims_diam_send(msg, (unsigned)m->sc->cfg.timeout_ms, mar_answer, m) < 0) {
		IMS_ERR("MAR (Call-ID %s) for %s: cannot send", m->call_id, m->impi);
		return -1;
	}
	IMS_DEBUG("MAR (Call-ID %s) %s %s scheme %s%s", m->call_id, m->impi, m->impu,
	          scheme_request_name(m->want), m->resync ? " (resync)" : "");
	return 0;
}
