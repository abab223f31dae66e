/*
 * scscf_orig — originating requests at the S-CSCF (TS 24.229 §5.4.3.2):
 * they arrive with the Service-Route we gave at registration
 * (sip:orig@scscf...;lr) on top, from the UE's P-CSCF.
 *
 *   served    P-Asserted-Identity (set by the P-CSCF from the registered
 *             set) must be an identity registered here: else 403
 *   record    Record-Route; the call log hears of INVITEs
 *   ifc       the ORIGINATING iFCs (scscf_ifc.c)
 *   out       a home-domain target (sip: in our domain, tel:) goes to the
 *             I-CSCF: [scscf] icscf_uri, or the home domain by RFC 3263
 *             (NAPTR/SRV of open-ims.test); other domains by RFC 3263 of
 *             the Request-URI
 */
#include "scscf_session.h"

#include "ims_log.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_string.h>

static int refuse(struct ims_sip_tx *tx, const char *why)
{
	IMS_INFO("%s (Call-ID %s): originating: 403, %s",
	         ims_sip_tx_request(tx)->sip_request->rq_method_name, scscf_call_id(tx), why);
	char warn[300];
	snprintf(warn, sizeof warn, "399 %s \"%s\"", ims_sip_config(ims_sip_tx_sip_agent(tx))->name,
	         why);
	ims_sip_tx_reply(tx, 403, NULL, SIPTAG_WARNING_STR(warn), TAG_END());
	return 0;
}

/* The served user: a registered identity of ours, asserted by the P-CSCF. */
static int served_user(struct scscf *sc, struct ims_sip_tx *tx, char *impu, size_t len,
                       struct scscf_reg **reg)
{
	if (scscf_asserted_identity(ims_sip_tx_request(tx), impu, len) < 0)
		return refuse(tx, "no P-Asserted-Identity"), 1;
	*reg = scscf_ul_find(sc->ul, impu);
	if (!*reg || (*reg)->n_contacts == 0)
		return refuse(tx, "the asserted identity is not registered here"), 1;
	return 0;
}

int scscf_orig(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	struct scscf_reg *reg = NULL;
	char impu[SCSCF_ID_MAX];

	if (served_user(sc, tx, impu, sizeof impu, &reg))
		return 0;
	ims_sip_tx_pop_own_routes(tx);
	if (ims_sip_tx_record_route(tx) < 0)
		return 500;
	if (sip->sip_request->rq_method == sip_method_invite) {
		char callee[SCSCF_ID_MAX] = "?";
		ims_sip_url_impu(sip->sip_request->rq_url, callee, sizeof callee);
		if (!scscf_txd(sc, tx))
			return 500;
		ims_sip_tx_on_response(tx, scscf_session_response);
		scscf_session_log_invite(sc, tx, impu, callee);
	}
	struct scscf_sess *s = scscf_sess_new(IMS_SESSION_ORIGINATING, impu, reg->user_data);
	if (!s)
		return 500;
	IMS_DEBUG("%s (Call-ID %s): originating for %s", sip->sip_request->rq_method_name,
	          scscf_call_id(tx), impu);
	return scscf_ifc_continue(sc, tx, s);
}

bool scscf_home_target(struct scscf *sc, const url_t *url)
{
	if (url->url_type == url_tel)
		return true;
	return url->url_host && (su_casematch(url->url_host, sc->cfg.sip.domain) ||
	                         su_casematch(url->url_host, sc->cfg.sip.name));
}

int scscf_orig_route_out(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	const url_t *ruri = sip->sip_request->rq_url;
	url_t *hop = NULL;

	if (!sip->sip_route && scscf_home_target(sc, ruri)) {
		/* the I-CSCF of the home network: configured, or by DNS */
		char buf[300];
		if (sc->cfg.icscf_uri[0])
			snprintf(buf, sizeof buf, "%s", sc->cfg.icscf_uri);
		else
			snprintf(buf, sizeof buf, "sip:%s", sc->cfg.sip.domain);
		hop = url_make(msg_home(ims_sip_tx_msg(tx)), buf);
		if (!hop)
			return 500;
	} else if (!sip->sip_route && ruri->url_type != url_sip && ruri->url_type != url_sips) {
		return 416; /* neither ours nor routable by DNS */
	}
	IMS_DEBUG("%s (Call-ID %s): out to %s", sip->sip_request->rq_method_name, scscf_call_id(tx),
	          hop ? "the I-CSCF" : "the Request-URI / Route");
	return ims_sip_tx_forward(tx, NULL, hop, NULL) < 0 ? 500 : 0;
}
