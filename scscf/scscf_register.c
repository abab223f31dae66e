/*
 * scscf_register — the S-CSCF as registrar (TS 24.229 §5.4.1, RFC 3261
 * §10.3, RFC 3327, RFC 3608), a pipeline of small steps:
 *
 *   identities   To -> public identity; Authorization username, or the
 *                private identity derived from To (sip:alice@d -> alice@d)
 *   authenticate no or empty credentials -> MAR -> 401 challenge;
 *                unknown/expired nonce or a replayed nc -> new challenge
 *                (stale=TRUE); auts -> resynchronisation MAR -> challenge;
 *                wrong response -> [SAR AUTHENTICATION_FAILURE] -> 403
 *   contacts     parse Contact/Expires into a plan (423 too brief, 400)
 *   assign       SAR REGISTRATION / RE_REGISTRATION / USER_DEREGISTRATION
 *   store        implicit set and profile from the SAA, bindings
 *   answer       200 with every binding, Service-Route, P-Associated-URI,
 *                Path, Date
 * Each step returns 0 to go on (or when it answered / went to Diameter),
 * or a SIP status.  Continuations after MAR/SAR find the transaction again
 * by id (scscf_cx.h); the per-transaction state (struct reg_ctx) is
 * attached to the transaction and freed with it.
 */
#include "scscf_reg.h"

#include "ims_codec.h"
#include "ims_cx.h"
#include "ims_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ctx_free(void *p)
{
	struct reg_ctx *rc = p;
	free(rc->contacts);
	free(rc);
}

static struct reg_ctx *ctx_new(struct scscf *sc, struct ims_sip_tx *tx)
{
	struct reg_ctx *rc = calloc(1, sizeof *rc);
	if (!rc)
		return NULL;
	rc->sc = sc;
	rc->tx_id = ims_sip_tx_id(tx);
	snprintf(rc->call_id, sizeof rc->call_id, "%s", scscf_call_id(tx));
	ims_sip_tx_set_data(tx, rc, ctx_free);
	return rc;
}

struct ims_sip_tx *scscf_reg_find(struct scscf *sc, uint32_t id, struct reg_ctx **rc)
{
	struct ims_sip_tx *tx = ims_sip_tx_find(sc->sip, id);
	*rc = tx ? ims_sip_tx_data(tx) : NULL;
	if (!tx || !*rc) {
		IMS_DEBUG("register: transaction %u is gone", (unsigned)id);
		return NULL;
	}
	return tx;
}

/* ---- identities ---- */

static int step_identities(struct reg_ctx *rc, sip_t const *sip)
{
	if (!sip->sip_to || ims_sip_url_impu(sip->sip_to->a_url, rc->impu, sizeof rc->impu) < 0)
		return scscf_reg_fail(rc, 400, "bad To header");
	if (scscf_auth_parse(sip->sip_authorization, rc->sc->cfg.realm, &rc->creds) < 0)
		return scscf_reg_fail(rc, 400, "malformed Authorization header");
	if (rc->creds.username[0]) {
		snprintf(rc->impi, sizeof rc->impi, "%s", rc->creds.username);
		return 0;
	}
	/* softphones: the private identity is the public one without scheme */
	if (sip->sip_to->a_url->url_type == url_tel ||
	    ims_sip_url_aor(sip->sip_to->a_url, rc->impi, sizeof rc->impi) < 0 ||
	    !strchr(rc->impi, '@'))
		return scscf_reg_fail(rc, 403, "no private identity (send Authorization username)");
	return 0;
}

/* ---- challenge ---- */

static int reply_challenge(struct reg_ctx *rc, struct ims_sip_tx *tx, const struct scscf_vector *v)
{
	const struct scscf_cfg *cfg = &rc->sc->cfg;
	char www[512], ck[33], ik[33];
	int n = snprintf(www, sizeof www,
	                 "Digest realm=\"%s\", nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
	                 cfg->realm, v->nonce, v->scheme == SCSCF_SCHEME_AKA ? "AKAv1-MD5" : "MD5",
	                 rc->stale ? ", stale=TRUE" : "");
	if (v->scheme == SCSCF_SCHEME_AKA && v->has_keys && cfg->send_ck_ik && n > 0 &&
	    (size_t)n < sizeof www) {
		ims_hex_encode(v->ck, 16, ck);
		ims_hex_encode(v->ik, 16, ik);
		snprintf(www + n, sizeof www - (size_t)n, ", ck=\"%s\", ik=\"%s\"", ck, ik);
	}
	IMS_INFO("register (Call-ID %s): 401 for %s (%s%s)", rc->call_id, rc->impi,
	         v->scheme == SCSCF_SCHEME_AKA ? "AKAv1-MD5" : "MD5", rc->stale ? ", stale" : "");
	ims_sip_tx_reply(tx, SIP_401_UNAUTHORIZED, SIPTAG_WWW_AUTHENTICATE_STR(www), TAG_END());
	return 0; /* answered: rc is gone */
}

static int again_for_sipp(struct reg_ctx *rc, const struct scscf_mar *m);

/* SIPp (3.6) takes RES as a C string and cuts it at a 0x00 byte, so that
 * one AKA challenge in ~30 fails with it; [auth] aka_no_zero_res asks the
 * HSS for another vector instead (a few times at most). */
static bool zero_in_res(const struct reg_ctx *rc, const struct scscf_mar *m)
{
	return m->vec.scheme == SCSCF_SCHEME_AKA && rc->sc->cfg.aka_no_zero_res && m->attempt < 4 &&
	       memchr(m->vec.xres, 0, m->vec.xres_len) != NULL;
}

/* The MAA is in: store the vector and challenge, or fail. */
static int challenge_with(struct reg_ctx *rc, struct ims_sip_tx *tx, struct scscf_mar *m)
{
	if (m->status)
		return scscf_reg_fail(rc, m->status, m->reason);
	if (zero_in_res(rc, m))
		return again_for_sipp(rc, m);
	if (m->vec.scheme == SCSCF_SCHEME_MD5 &&
	    scscf_auth_random_nonce(m->vec.nonce, sizeof m->vec.nonce) < 0)
		return scscf_reg_fail(rc, 500, "no random nonce");
	struct scscf_vector *v = scscf_nonces_add(m->sc->nonces, &m->vec, scscf_mono());
	if (!v)
		return scscf_reg_fail(rc, 500, "cannot store the challenge");
	return reply_challenge(rc, tx, v);
}

static void on_mar(struct scscf_mar *m)
{
	struct reg_ctx *rc;
	struct ims_sip_tx *tx = scscf_reg_find(m->sc, m->tx_id, &rc);

	if (tx)
		scscf_reg_finish(tx, rc, challenge_with(rc, tx, m));
}

static struct scscf_mar *mar_new(struct reg_ctx *rc)
{
	struct scscf_mar *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->sc = rc->sc;
	m->tx_id = rc->tx_id;
	m->done = on_mar;
	snprintf(m->call_id, sizeof m->call_id, "%s", rc->call_id);
	snprintf(m->impi, sizeof m->impi, "%s", rc->impi);
	snprintf(m->impu, sizeof m->impu, "%s", rc->impu);
	return m;
}

static int send_mar(struct reg_ctx *rc, struct scscf_mar *m)
{
	if (!m)
		return scscf_reg_fail(rc, 500, "out of memory");
	if (scscf_cx_mar_send(m) < 0) {
		free(m);
		return scscf_reg_fail(rc, 500, "cannot ask the HSS (Diameter down)");
	}
	return 0;
}

static int again_for_sipp(struct reg_ctx *rc, const struct scscf_mar *prev)
{
	struct scscf_mar *m = mar_new(rc);
	IMS_DEBUG("register (Call-ID %s): XRES holds a zero byte, asking for another vector",
	          rc->call_id);
	if (m) {
		m->want = SCSCF_SCHEME_AKA; /* after a resync too: the HSS's SQN is set now */
		m->attempt = prev->attempt + 1;
	}
	return send_mar(rc, m);
}

static int challenge(struct reg_ctx *rc, bool stale)
{
	struct scscf_mar *m = mar_new(rc);
	rc->stale = stale;
	if (m)
		m->want = scscf_scheme_from_algorithm(rc->creds.algorithm);
	return send_mar(rc, m);
}

static int resync(struct reg_ctx *rc, struct scscf_vector *v)
{
	uint8_t auts[14];
	if (scscf_auth_auts(&rc->creds, auts) < 0)
		return scscf_reg_fail(rc, 400, "auts is not base64 of 14 bytes");
	struct scscf_mar *m = mar_new(rc);
	if (m) {
		m->resync = true;
		m->want = SCSCF_SCHEME_AKA;
		memcpy(m->rand_auts, v->rand, 16);
		memcpy(m->rand_auts + 16, auts, 14);
	}
	IMS_INFO("register (Call-ID %s): %s asks for AKA resynchronisation", rc->call_id, rc->impi);
	scscf_nonces_remove(rc->sc->nonces, v);
	return send_mar(rc, m);
}

/* ---- failure ---- */

static void on_sar_auth_failure(struct scscf_sar *s)
{
	struct reg_ctx *rc;
	struct ims_sip_tx *tx = scscf_reg_find(s->sc, s->tx_id, &rc);
	if (tx)
		scscf_reg_finish(tx, rc, 403); /* rc->why was set before the SAR */
}

/* TS 29.228 §6.1.2 / TS 24.229 §5.4.1.2.3: a user not registered here that
 * fails authentication is reported with AUTHENTICATION_FAILURE, so that
 * the HSS clears the S-CSCF name stored by the MAR. */
static int auth_failed(struct reg_ctx *rc, struct scscf_vector *v, enum scscf_verdict why)
{
	char text[SCSCF_CX_REASON_MAX];

	if (why == SCSCF_AUTH_BAD_USER)
		snprintf(text, sizeof text, "username %.60s is not the private identity %.60s",
		         rc->creds.username, v->impi);
	else
		snprintf(text, sizeof text, "wrong credentials");
	IMS_WARN("register (Call-ID %s): authentication of %s failed: %s", rc->call_id, v->impi,
	         text);
	scscf_reg_fail(rc, 403, text);
	snprintf(rc->impi, sizeof rc->impi, "%s", v->impi); /* the one the HSS knows */
	scscf_nonces_remove(rc->sc->nonces, v);
	if (scscf_ul_find(rc->sc->ul, rc->impu))
		return 403;
	struct scscf_sar *s =
	    scscf_reg_sar_new(rc, IMS_CX_SAT_AUTHENTICATION_FAILURE, on_sar_auth_failure);
	if (!s || scscf_cx_sar_send(s) < 0) {
		free(s);
		return 403;
	}
	return 0;
}

/* ---- authentication ---- */

static int step_authenticate(struct reg_ctx *rc, struct ims_sip_tx *tx)
{
	struct scscf_creds *c = &rc->creds;

	if (scscf_creds_empty(c))
		return challenge(rc, false);
	struct scscf_vector *v = scscf_nonces_find(rc->sc->nonces, c->nonce, scscf_mono());
	if (!v) {
		IMS_INFO("register (Call-ID %s): nonce of %s unknown or expired", rc->call_id,
		         rc->impi);
		return challenge(rc, true);
	}
	if (strcmp(v->impu, rc->impu) != 0) {
		/* the HSS checked impi and impu together for this nonce only */
		IMS_INFO("register (Call-ID %s): nonce was issued for %s, not %s", rc->call_id,
		         v->impu, rc->impu);
		return challenge(rc, true);
	}
	if (c->auts[0] && v->scheme == SCSCF_SCHEME_AKA)
		return resync(rc, v);
	const char *method = ims_sip_tx_request(tx)->sip_request->rq_method_name;
	switch (scscf_auth_verify(v, c, method)) {
	case SCSCF_AUTH_OK:
		IMS_DEBUG("register (Call-ID %s): %s authenticated", rc->call_id, rc->impi);
		return scscf_reg_authorized(rc, tx);
	case SCSCF_AUTH_REPLAY:
		IMS_INFO("register (Call-ID %s): nc %s of %s reused", rc->call_id, c->nc, rc->impi);
		return challenge(rc, true);
	case SCSCF_AUTH_MALFORMED:
		return scscf_reg_fail(rc, 400,
		                      "incomplete Digest credentials (qop=auth needs nc, cnonce)");
	case SCSCF_AUTH_BAD_USER:
		return auth_failed(rc, v, SCSCF_AUTH_BAD_USER);
	case SCSCF_AUTH_WRONG:
		break;
	}
	return auth_failed(rc, v, SCSCF_AUTH_WRONG);
}

int scscf_register(struct scscf *sc, struct ims_sip_tx *tx)
{
	struct reg_ctx *rc = ctx_new(sc, tx);
	if (!rc)
		return 500;
	int status = step_identities(rc, ims_sip_tx_request(tx));
	if (status == 0)
		status = step_authenticate(rc, tx);
	scscf_reg_finish(tx, rc, status);
	return 0;
}
