/*
 * icscf_route — terminating initial requests at the I-CSCF
 * (TS 24.229 §5.3.2): LIR for the Request-URI, forward to the serving
 * S-CSCF.
 */
#include "icscf.h"

#include <stdio.h>

#include "ims_cx.h"
#include "ims_log.h"

static void lia_received(struct icscf_cx_result *r)
{
	struct icscf *ic = r->ic;
	struct ims_sip_tx *tx = ims_sip_tx_find(ic->sip, r->tx_id);
	if (!tx)
		return;
	sip_t *sip = ims_sip_tx_request(tx);
	const char *cid = sip->sip_call_id ? sip->sip_call_id->i_id : "-";

	if (!ims_cx_result_is_success(&(struct ims_cx_result){r->result, r->experimental, 0})) {
		const char *why;
		int status = icscf_cx_to_sip(r, &why);
		if (r->experimental && r->result == IMS_CX_ERROR_USER_UNKNOWN)
			status = 404, why = "HSS: user unknown";
		char warning[300];
		snprintf(warning, sizeof warning, "399 %s \"%s\"", ic->cfg.sip.name, why);
		IMS_INFO("%s %s: LIA %u -> %d (%s)", sip->sip_request->rq_method_name, cid,
			 r->result, status, why);
		ims_sip_tx_reply(tx, status, NULL, SIPTAG_WARNING_STR(warning), TAG_END());
		return;
	}
	const char *scscf = icscf_select_scscf(ic, r);
	url_t *next = scscf ? url_make(msg_home(ims_sip_tx_msg(tx)), scscf)
			    : NULL;
	if (!next) {
		ims_sip_tx_reply(tx, 480, "No S-CSCF serves the callee", TAG_END());
		return;
	}
	/* the S-CSCF must know it is terminating: route to it with "orig" absent */
	IMS_INFO("%s %s: LIA -> %s", sip->sip_request->rq_method_name, cid, scscf);
	if (ims_sip_tx_forward(tx, NULL, next, NULL) < 0)
		ims_sip_tx_reply(tx, 500, "Cannot forward to the S-CSCF", TAG_END());
}

int icscf_terminating(struct icscf *ic, struct ims_sip_tx *tx)
{
	sip_t *sip = ims_sip_tx_request(tx);
	char impu[256];

	if (sip->sip_request->rq_method == sip_method_ack)
		return 0; /* an ACK we cannot route: drop */
	ims_sip_tx_pop_own_routes(tx);
	if (sip->sip_route) {
		/* routed through us by someone else: pass it on (RFC 3261 §16.12) */
		return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;
	}
	if (ims_sip_url_impu(sip->sip_request->rq_url, impu, sizeof impu) < 0)
		return 404;
	if (icscf_cx_lir(ic, ims_sip_tx_id(tx), impu, lia_received) < 0)
		return 500;
	return 0;
}
