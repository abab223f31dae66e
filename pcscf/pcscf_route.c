/*
 * pcscf_route — requests other than REGISTER at the P-CSCF.
 *
 * From a registered UE (matched by the address it registered from, or by
 * its registered Contact when it switched to TCP: ue_by_contact()):
 * originating (TS 24.229 §5.2.6.3): the UE's P-Asserted-Identity is never
 * trusted; P-Preferred-Identity, when it names one of the UE's registered
 * identities, becomes the P-Asserted-Identity, else the default identity
 * is asserted; an initial request follows the Service-Route; Record-Route
 * with our address, which the UE reaches without DNS, and the transport it
 * registered with.
 * From anywhere else: the request must be routed through us by the core
 * (terminating, §5.2.6.4) and come from a core address ([sip] listen or
 * [pcscf] trusted_addresses, common/ims_trust.h); it goes to the
 * registered contact, at the address the UE registered from (NAT).
 * Unregistered UEs get 403.
 */
#include "pcscf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_util.h>

#include "ims_log.h"

static const char *call_id(sip_t *sip)
{
	return sip->sip_call_id ? sip->sip_call_id->i_id : "-";
}

static bool is_initial(sip_t *sip)
{
	return !sip->sip_to || !sip->sip_to->a_tag;
}

/* PAI from the registered set; a UE can never assert another identity. */
int pcscf_assert_identity(msg_t *msg, sip_t *sip, const struct pcscf_reg *ue)
{
	const char *ppi = ims_sip_unknown_value(sip, "P-Preferred-Identity");
	char preferred[256] = "";

	if (ppi) {
		const char *s = strchr(ppi, '<');
		s = s ? s + 1 : ppi;
		snprintf(preferred, sizeof preferred, "%.*s", (int)strcspn(s, ">"), s);
	}
	const char *identity =
		preferred[0] && pcscf_reg_has_impu(ue, preferred) ? preferred : ue->asserted;
	ims_sip_unknown_remove(msg, sip, "P-Asserted-Identity");
	ims_sip_unknown_remove(msg, sip, "P-Preferred-Identity");
	return ims_sip_unknown_add(msg, sip, "P-Asserted-Identity", "<%s>", identity);
}

static int originating(struct pcscf *pc, struct ims_sip_tx *tx, const struct pcscf_reg *ue)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t *sip = ims_sip_tx_request(tx);

	ims_sip_tx_pop_own_routes(tx);
	if (sip->sip_request->rq_method == sip_method_ack)
		return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;
	if (pcscf_assert_identity(msg, sip, ue) < 0)
		return 500;
	if (is_initial(sip)) {
		/* the route to the S-CSCF is the one the registration gave us */
		while (sip->sip_route)
			sip_route_remove(msg, sip);
		if (ue->service_route[0] &&
		    sip_add_make(msg, sip, sip_route_class, ue->service_route) < 0)
			return 500;
		if (ims_sip_tx_record_route_addr(tx, ue->tcp) < 0)
			return 500;
		pcscf_charging_vector(pc, tx);
	}
	IMS_DEBUG("%s %s: originating from %s", sip->sip_request->rq_method_name, call_id(sip),
		  ue->asserted);
	return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;
}

static int terminating(struct pcscf *pc, struct ims_sip_tx *tx)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t *sip = ims_sip_tx_request(tx);
	bool ack = sip->sip_request->rq_method == sip_method_ack;

	/* Only the core sends us terminating requests: from anyone else (a UE
	 * that is not registered, e.g. with a forged Route to the S-CSCF and a
	 * forged P-Asserted-Identity, or a forged in-dialog request for a
	 * registered UE) a request is refused. */
	int own = ims_sip_tx_pop_own_routes(tx);
	bool core = ims_trust_has(&pc->trust, ims_sip_tx_source_ip(tx));
	if (!core || (own == 0 && is_initial(sip))) {
		IMS_INFO("%s %s: refused: from %s:%d, which is not a registered UE%s",
			 sip->sip_request->rq_method_name, call_id(sip), ims_sip_tx_source_ip(tx),
			 ims_sip_tx_source_port(tx), core ? "" : " nor the core");
		if (ack)
			return 0;
		return ims_sip_tx_reply(tx, 403, "Forbidden - not registered", TAG_END()), 0;
	}
	if (sip->sip_route) /* further hops on the way */
		return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;

	char *ruri = url_as_string(msg_home(msg), sip->sip_request->rq_url);
	struct pcscf_reg *ue = ruri ? pcscf_reg_by_contact(pc->regs, ruri, time(NULL)) : NULL;
	if (!ue && !is_initial(sip) && core) {
		/* In a dialog the target is the UE's Contact of that dialog, which
		 * need not be the one it registered (another user part, none at
		 * all): go to it as it is. */
		IMS_DEBUG("%s %s: in-dialog to %s", sip->sip_request->rq_method_name,
			  call_id(sip), ruri ? ruri : "?");
		return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? (ack ? 0 : 500) : 0;
	}
	if (!ue) {
		IMS_INFO("%s %s: no registered UE at %s", sip->sip_request->rq_method_name,
			 call_id(sip), ruri ? ruri : "?");
		return ack ? 0 : 480;
	}
	if (is_initial(sip) && !ack && ims_sip_tx_record_route_addr(tx, ue->tcp) < 0)
		return 500;
	char hop[128];
	snprintf(hop, sizeof hop, "sip:%s:%u;transport=%s", ue->src_ip, ue->src_port,
		 ue->tcp ? "tcp" : "udp");
	url_t *next = url_make(msg_home(msg), hop);
	IMS_DEBUG("%s %s: terminating to %s via %s", sip->sip_request->rq_method_name,
		  call_id(sip), ruri, hop);
	return !next || ims_sip_tx_forward(tx, NULL, next, NULL) < 0 ? 500 : 0;
}

/* A UE registered over UDP sends a request of more than 1300 bytes over
 * TCP (RFC 3261 §18.1.1), from a port of the connection's own: PJSUA's
 * INVITE with its SDP.  Such a request is still the UE's when it comes
 * straight from a UE (one Via: every node of the core adds its own), its
 * Contact is a contact registered here, and it comes from the address that
 * contact registered from. */
static struct pcscf_reg *ue_by_contact(struct pcscf *pc, struct ims_sip_tx *tx)
{
	sip_t *sip = ims_sip_tx_request(tx);
	su_home_t *home = msg_home(ims_sip_tx_msg(tx));

	if (!sip->sip_via || sip->sip_via->v_next || !sip->sip_contact)
		return NULL;
	char *contact = url_as_string(home, sip->sip_contact->m_url);
	struct pcscf_reg *ue = contact ? pcscf_reg_by_contact(pc->regs, contact, time(NULL)) : NULL;
	su_free(home, contact);
	if (!ue || strcmp(ue->src_ip, ims_sip_tx_source_ip(tx)) != 0)
		return NULL;
	IMS_DEBUG("%s %s: from %s:%d over %s, contact registered from %s:%u",
		  sip->sip_request->rq_method_name, call_id(sip), ims_sip_tx_source_ip(tx),
		  ims_sip_tx_source_port(tx), ims_sip_tx_protocol(tx), ue->src_ip, ue->src_port);
	return ue;
}

int pcscf_route(struct pcscf *pc, struct ims_sip_tx *tx)
{
	bool tcp = strcmp(ims_sip_tx_protocol(tx), "tcp") == 0;
	struct pcscf_reg *ue = pcscf_reg_by_addr(pc->regs, ims_sip_tx_source_ip(tx),
						 (uint16_t)ims_sip_tx_source_port(tx), tcp,
						 time(NULL));
	if (!ue)
		ue = ue_by_contact(pc, tx);
	return ue ? originating(pc, tx, ue) : terminating(pc, tx);
}
