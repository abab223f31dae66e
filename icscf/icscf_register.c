/*
 * icscf_register — REGISTER at the I-CSCF (TS 24.229 §5.3.1.2):
 * UAR → pick the S-CSCF → forward.  The I-CSCF keeps no state of its own;
 * the transaction waits in ims_sip while the HSS answers.
 */
#include "icscf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/su_string.h>

#include "ims_cx.h"
#include "ims_log.h"

static const char *call_id(sip_t *sip)
{
	return sip->sip_call_id ? sip->sip_call_id->i_id : "-";
}

/* A REGISTER whose every binding asks for expiry 0 is a de-registration. */
bool icscf_is_deregistration(const sip_t *sip)
{
	if (!sip->sip_contact)
		return false;
	if (sip->sip_contact->m_url->url_type == url_any)
		return true;
	for (const sip_contact_t *m = sip->sip_contact; m; m = m->m_next) {
		if (m->m_expires)
			if (strtoul(m->m_expires, NULL, 10) != 0)
				return false;
		if (!m->m_expires && !(sip->sip_expires && sip->sip_expires->ex_delta == 0))
			return false;
	}
	return true;
}

/* The private identity: Authorization username, or derived from the
 * public one (sip:alice@open-ims.test → alice@open-ims.test). */
int icscf_private_identity(const sip_t *sip, char *buf, size_t len)
{
	for (const sip_authorization_t *au = sip->sip_authorization; au; au = au->au_next) {
		const char *user = msg_params_find(au->au_params, "username=");
		if (user && *user) {
			char *unq = msg_unquote_dup(NULL, user);
			int n = unq ? snprintf(buf, len, "%s", unq) : -1;
			free(unq);
			return n < 0 || (size_t)n >= len ? -1 : 0;
		}
	}
	return ims_sip_url_aor(sip->sip_to->a_url, buf, len);
}

static void uaa_received(struct icscf_cx_result *r)
{
	struct icscf *ic = r->ic;
	struct ims_sip_tx *tx = ims_sip_tx_find(ic->sip, r->tx_id);
	if (!tx)
		return; /* CANCELled or timed out meanwhile */
	sip_t *sip = ims_sip_tx_request(tx);

	if (!ims_cx_result_is_success(&(struct ims_cx_result){r->result, r->experimental, 0})) {
		const char *why;
		int status = icscf_cx_to_sip(r, &why);
		IMS_WARN("REGISTER %s: UAA %s%u -> %d (%s)", call_id(sip),
			 r->experimental ? "experimental " : "", r->result, status, why);
		char warning[300];
		snprintf(warning, sizeof warning, "399 %s \"%s\"", ic->cfg.sip.name, why);
		ims_sip_tx_reply(tx, status, NULL, SIPTAG_WARNING_STR(warning), TAG_END());
		return;
	}
	const char *scscf = icscf_select_scscf(ic, r);
	if (!scscf) {
		IMS_WARN("REGISTER %s: no S-CSCF has the capabilities the HSS asks for",
			 call_id(sip));
		ims_sip_tx_reply(tx, 600, "No S-CSCF with the required capabilities", TAG_END());
		return;
	}
	url_t *next = url_make(msg_home(ims_sip_tx_msg(tx)), scscf);
	IMS_INFO("REGISTER %s: UAA %u -> forwarding to %s", call_id(sip), r->result, scscf);
	if (!next || ims_sip_tx_forward(tx, NULL, next, NULL) < 0)
		ims_sip_tx_reply(tx, 500, "Cannot forward to the S-CSCF", TAG_END());
}

int icscf_register(struct icscf *ic, struct ims_sip_tx *tx)
{
	sip_t *sip = ims_sip_tx_request(tx);
	char impi[256], impu[256];
	const char *visited = ims_sip_unknown_value(sip, "P-Visited-Network-ID");

	if (!sip->sip_to || ims_sip_url_impu(sip->sip_to->a_url, impu, sizeof impu) < 0 ||
	    icscf_private_identity(sip, impi, sizeof impi) < 0)
		return 400;
	char vnid[256];
	if (!visited || !*visited)
		visited = ic->cfg.sip.domain;
	snprintf(vnid, sizeof vnid, "%s", visited[0] == '"' ? visited + 1 : visited);
	vnid[strcspn(vnid, "\"")] = '\0';

	int uat = icscf_is_deregistration(sip) ? IMS_CX_UAT_DE_REGISTRATION : IMS_CX_UAT_REGISTRATION;
	IMS_DEBUG("REGISTER %s: UAR %s / %s type %d", call_id(sip), impi, impu, uat);
	if (icscf_cx_uar(ic, ims_sip_tx_id(tx), impi, impu, vnid, uat, uaa_received) < 0)
		return 500;
	return 0;
}
