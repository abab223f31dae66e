/*
 * pcscf — the P-CSCF: the UE's first hop (TS 24.229 §5.2).
 *
 * REGISTER: adds Path, P-Visited-Network-ID and P-Charging-Vector, finds the
 * I-CSCF by DNS, hides CK/IK from the UE, remembers the registration from
 * the 200 OK.  Other requests: from a registered UE (originating: assert
 * identity, follow the Service-Route, Record-Route) or from the core
 * (terminating: deliver to the registered contact).
 */
#ifndef PCSCF_H
#define PCSCF_H

#include "ims_sip.h"
#include "ims_trust.h"
#include "pcscf_cfg.h"
#include "pcscf_ratelimit.h"
#include "pcscf_reg.h"
#include "pcscf_store.h"

struct pcscf {
	struct pcscf_cfg cfg;
	su_root_t *root;
	struct ims_sip *sip;
	struct pcscf_regtab *regs;
	struct pcscf_store *store; /* NULL: registrations in memory only */
	su_timer_t *sweep;
	unsigned icid_counter;
	struct pcscf_ratelimit *ratelimit; /* NULL: no rate limit */
	struct ims_trust trust;            /* the core's addresses */
};

int pcscf_init(struct pcscf *pc, su_root_t *root);
void pcscf_fini(struct pcscf *pc);

int pcscf_request(void *ctx, struct ims_sip_tx *tx);
int pcscf_register(struct pcscf *pc, struct ims_sip_tx *tx);
int pcscf_route(struct pcscf *pc, struct ims_sip_tx *tx);

/* The steps of request handling that need no transaction (the fuzz
 * targets in tests/fuzz drive them with parsed hostile messages):
 * REGISTER's edits (routes dropped, untrusted P- headers removed, Path,
 * Supported: path, P-Visited-Network-ID): 0, or a SIP status to answer;
 * the asserted identity of an originating request from ue: 0 or -1;
 * ck=/ik= removed from a challenge. */
int pcscf_register_edit(const struct pcscf_cfg *cfg, msg_t *msg, sip_t *sip);
int pcscf_assert_identity(msg_t *msg, sip_t *sip, const struct pcscf_reg *ue);
void pcscf_hide_keys(msg_t *msg, sip_t *sip);

/* Add a P-Charging-Vector with a fresh icid-value if there is none. */
void pcscf_charging_vector(struct pcscf *pc, struct ims_sip_tx *tx);

#endif
