/*
 * scscf_term — terminating requests at the S-CSCF (TS 24.229 §5.4.3.3):
 * initial requests from the I-CSCF (no Route of ours left).
 *
 *   callee     the Request-URI's public identity; its registration (any
 *              identity of the implicit set finds it)
 *   registered Record-Route; TERMINATING_REGISTERED iFCs; then fork to
 *              every contact in parallel: Request-URI = the contact, Route =
 *              its stored Path (ims_sip relays the first 2xx and CANCELs
 *              the other branches); no contact -> 480
 *   not here   SAR UNREGISTERED_USER: the profile's
 *              TERMINATING_UNREGISTERED iFCs, or 480 when none takes it;
 *              unknown user -> 404
 */
#include "scscf_session.h"

#include "scscf_cx.h"

#include "ims_cx.h"
#include "ims_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_util.h>

static void log_invite(struct scscf *sc, struct ims_sip_tx *tx, const char *callee)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	char caller[SCSCF_ID_MAX] = "?";

	if (sip->sip_request->rq_method != sip_method_invite || !scscf_txd(sc, tx))
		return;
	if (scscf_asserted_identity(sip, caller, sizeof caller) < 0 && sip->sip_from)
		ims_sip_url_impu(sip->sip_from->a_url, caller, sizeof caller);
	ims_sip_tx_on_response(tx, scscf_session_response);
	scscf_session_log_invite(sc, tx, caller, callee);
}

/* One branch: Request-URI = the contact, Route = its Path. */
static int fork_one(struct ims_sip_tx *tx, const struct scscf_contact *c)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t *sip = ims_sip_tx_request(tx);
	url_t *uri = url_make(msg_home(msg), c->uri);

	if (!uri)
		return -1;
	while (sip->sip_route)
		sip_route_remove(msg, sip);
	if (c->path[0] && sip_add_make(msg, sip, sip_route_class, c->path) < 0)
		return -1;
	return ims_sip_tx_forward(tx, uri, NULL, NULL);
}

int scscf_term_fork(struct scscf *sc, struct ims_sip_tx *tx, const char *served)
{
	struct scscf_reg *reg = scscf_ul_find(sc->ul, served);
	sip_t const *sip = ims_sip_tx_request(tx);
	int64_t now = scscf_now();
	int n = 0;

	for (const struct scscf_contact *c = reg ? reg->contacts : NULL; c; c = c->next) {
		if (c->expires <= now)
			continue;
		if (fork_one(tx, c) < 0) {
			IMS_WARN("%s (Call-ID %s): cannot fork to %s",
			         sip->sip_request->rq_method_name, scscf_call_id(tx), c->uri);
			continue;
		}
		n++;
	}
	IMS_DEBUG("%s (Call-ID %s): terminating to %s: %d contact(s)",
	          sip->sip_request->rq_method_name, scscf_call_id(tx), served, n);
	return n ? 0 : 480;
}

/* ---- the callee is not registered here: SAR UNREGISTERED_USER ---- */

static void saa_unregistered(struct scscf_sar *s)
{
	struct scscf *sc = s->sc;
	struct ims_sip_tx *tx = ims_sip_tx_find(sc->sip, s->tx_id);
	if (!tx)
		return;
	int rc = s->status == 403 ? 404 : s->status ? 480 : 0;
	if (!rc) {
		struct scscf_sess *ss =
		    scscf_sess_new(IMS_SESSION_TERMINATING_UNREGISTERED, s->impu, s->user_data);
		rc = ss ? scscf_ifc_continue(sc, tx, ss) : 500;
	} else {
		IMS_INFO("%s (Call-ID %s): %s not registered; SAR: %s",
		         ims_sip_tx_request(tx)->sip_request->rq_method_name, s->call_id, s->impu,
		         s->reason);
	}
	if (rc >= 200)
		ims_sip_tx_reply(tx, rc, NULL, TAG_END());
}

static int unregistered(struct scscf *sc, struct ims_sip_tx *tx, const char *impu)
{
	struct scscf_sar *s = calloc(1, sizeof *s);
	if (!s)
		return 500;
	s->sc = sc;
	s->tx_id = ims_sip_tx_id(tx);
	s->type = IMS_CX_SAT_UNREGISTERED_USER;
	s->done = saa_unregistered;
	snprintf(s->call_id, sizeof s->call_id, "%s", scscf_call_id(tx));
	snprintf(s->impu, sizeof s->impu, "%s", impu);
	if (scscf_cx_sar_send(s) < 0) {
		free(s);
		return 480;
	}
	return 0;
}

int scscf_term(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	char impu[SCSCF_ID_MAX];

	if (ims_sip_url_impu(sip->sip_request->rq_url, impu, sizeof impu) < 0)
		return 404;
	struct scscf_reg *reg = scscf_ul_find(sc->ul, impu);
	if (ims_sip_tx_record_route(tx) < 0)
		return 500;
	log_invite(sc, tx, impu);
	if (!reg || reg->n_contacts == 0)
		return unregistered(sc, tx, impu);
	struct scscf_sess *s =
	    scscf_sess_new(IMS_SESSION_TERMINATING_REGISTERED, impu, reg->user_data);
	if (!s)
		return 500;
	IMS_DEBUG("%s (Call-ID %s): terminating for %s", sip->sip_request->rq_method_name,
	          scscf_call_id(tx), impu);
	return scscf_ifc_continue(sc, tx, s);
}
