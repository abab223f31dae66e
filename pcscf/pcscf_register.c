/*
 * pcscf_register — REGISTER at the P-CSCF (TS 24.229 §5.2.2).
 *
 * Request: drop the UE's routes (a REGISTER is routed by its Request-URI),
 * add Path, Supported: path, P-Visited-Network-ID and P-Charging-Vector,
 * forward to the home network's I-CSCF (DNS, or the configured URI).
 * Responses: strip ck=/ik= from a challenge; on 200 remember or forget the
 * UE's binding.
 */
#include "pcscf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_util.h>

#include "ims_log.h"

static const char *call_id(sip_t *sip)
{
	return sip->sip_call_id ? sip->sip_call_id->i_id : "-";
}

/* Integrity and cipher keys are for the P-CSCF's IPsec, never for the UE. */
void pcscf_hide_keys(msg_t *msg, sip_t *sip)
{
	for (sip_www_authenticate_t *au = sip->sip_www_authenticate; au; au = au->au_next) {
		if (!au->au_params)
			continue;
		int n = msg_params_remove((msg_param_t *)au->au_params, "ck");
		n += msg_params_remove((msg_param_t *)au->au_params, "ik");
		if (n)
			msg_fragment_clear(au->au_common);
	}
}

/* Join every value of header name (unknown to sofia) with ", ". */
static void join_unknown(const sip_t *sip, const char *name, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next) {
		if (!u->un_name || strcasecmp(u->un_name, name) != 0 || !u->un_value)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", u->un_value);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

static void join_service_route(su_home_t *home, const sip_t *sip, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (sip_service_route_t *r = sip->sip_service_route; r; r = r->r_next) {
		char *s = url_as_string(home, r->r_url);
		int n = s ? snprintf(buf + used, len - used, "%s<%s>", used ? ", " : "", s) : 0;
		su_free(home, s);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/* The expiry the registrar granted to contact m of the request. */
static long granted_expiry(const sip_t *resp, const sip_contact_t *m)
{
	for (const sip_contact_t *c = resp->sip_contact; c; c = c->m_next) {
		if (url_cmp(c->m_url, m->m_url) != 0)
			continue;
		if (c->m_expires)
			return strtol(c->m_expires, NULL, 10);
		return resp->sip_expires ? (long)resp->sip_expires->ex_delta : 0;
	}
	return 0; /* not listed: not (or no longer) bound */
}

static void remember(struct pcscf *pc, struct ims_sip_tx *tx, sip_t *resp)
{
	sip_t *req = ims_sip_tx_request(tx);
	char impus[1024], routes[1024];
	su_home_t *home = msg_home(ims_sip_tx_msg(tx));
	time_t now = time(NULL);

	join_unknown(resp, "P-Associated-URI", impus, sizeof impus);
	join_service_route(home, resp, routes, sizeof routes);
	for (sip_contact_t *m = req->sip_contact; m; m = m->m_next) {
		if (m->m_url->url_type == url_any)
			break;
		char *contact = url_as_string(home, m->m_url);
		if (!contact)
			continue;
		long expires = granted_expiry(resp, m);
		if (expires <= 0) {
			if (pcscf_reg_remove(pc->regs, contact))
				IMS_INFO("REGISTER %s: %s de-registered", call_id(req), contact);
		} else if (!impus[0]) {
			IMS_WARN("REGISTER %s: 200 without P-Associated-URI; %s not remembered",
				 call_id(req), contact);
		} else if (pcscf_reg_save(pc->regs, contact, ims_sip_tx_source_ip(tx),
					  (uint16_t)ims_sip_tx_source_port(tx),
					  strcmp(ims_sip_tx_protocol(tx), "tcp") == 0, impus, routes,
					  now + expires)) {
			IMS_INFO("REGISTER %s: %s registered from %s:%d for %lds as %s",
				 call_id(req), contact, ims_sip_tx_source_ip(tx),
				 ims_sip_tx_source_port(tx), expires, impus);
		} else {
			IMS_ERR("REGISTER %s: registration table full; %s not remembered",
				call_id(req), contact);
		}
		su_free(home, contact);
	}
	/* "Contact: *" with Expires: 0 removes every binding of the UE's contacts */
	if (req->sip_contact && req->sip_contact->m_url->url_type == url_any)
		for (sip_contact_t *c = resp->sip_contact; c; c = c->m_next) {
			char *contact = url_as_string(home, c->m_url);
			if (contact)
				pcscf_reg_remove(pc->regs, contact);
			su_free(home, contact);
		}
}

static int register_response(void *ctx, struct ims_sip_tx *tx, msg_t *msg, sip_t *sip)
{
	struct pcscf *pc = ctx;
	int status = sip->sip_status->st_status;

	if (status == 401 || status == 407)
		pcscf_hide_keys(msg, sip);
	else if (status >= 200 && status < 300)
		remember(pc, tx, sip);
	return 0;
}

int pcscf_register_edit(const struct pcscf_cfg *cfg, msg_t *msg, sip_t *sip)
{
	char path[300];

	if (!sip->sip_to || !sip->sip_from || !sip->sip_call_id || !sip->sip_cseq)
		return 400;
	/* a registrar is a SIP URI (RFC 3261 10.2); others cannot be routed */
	enum url_type_e scheme = sip->sip_request->rq_url->url_type;
	if (scheme != url_sip && scheme != url_sips)
		return 416;
	while (sip->sip_route)
		sip_route_remove(msg, sip);
	/* a Path from the UE would have the core route its calls anywhere */
	while (sip->sip_path)
		msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_path);
	/* what a UE says about the visited network or charging is not trusted */
	ims_sip_unknown_remove(msg, sip, "P-Visited-Network-ID");
	ims_sip_unknown_remove(msg, sip, "P-Charging-Vector");

	snprintf(path, sizeof path, "<sip:term@%s:%d;lr>", cfg->sip.name, cfg->sip.port);
	if (sip_add_make(msg, sip, sip_path_class, path) < 0 ||
	    (!sip_has_supported(sip->sip_supported, "path") &&
	     sip_add_make(msg, sip, sip_supported_class, "path") < 0) ||
	    ims_sip_unknown_add(msg, sip, "P-Visited-Network-ID", "\"%s\"",
				cfg->visited_network) < 0)
		return 500;
	return 0;
}

int pcscf_register(struct pcscf *pc, struct ims_sip_tx *tx)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t *sip = ims_sip_tx_request(tx);

	int status = pcscf_register_edit(&pc->cfg, msg, sip);
	if (status)
		return status;
	pcscf_charging_vector(pc, tx);

	url_t *next = NULL;
	if (pc->cfg.icscf_uri[0]) {
		next = url_make(msg_home(msg), pc->cfg.icscf_uri);
		if (!next)
			return 500;
	}
	ims_sip_tx_on_response(tx, register_response);
	IMS_DEBUG("REGISTER %s from %s:%d -> %s", call_id(sip), ims_sip_tx_source_ip(tx),
		  ims_sip_tx_source_port(tx), pc->cfg.icscf_uri[0] ? pc->cfg.icscf_uri : "DNS");
	return ims_sip_tx_forward(tx, NULL, next, NULL) < 0 ? 500 : 0;
}
