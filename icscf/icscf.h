/*
 * icscf — the I-CSCF: the home network's entry point.
 *
 * REGISTER: UAR to the HSS, then forward to the S-CSCF the UAA names (or
 * one chosen by capabilities).  Terminating requests: LIR, then forward to
 * the serving S-CSCF.  Keeps no registration state.
 */
#ifndef ICSCF_H
#define ICSCF_H

#include <stdbool.h>
#include <stdint.h>

#include "icscf_cfg.h"
#include "ims_bridge.h"
#include "ims_sip.h"
#include "ims_trust.h"

struct icscf {
	struct icscf_cfg cfg;
	struct icscf_scscf scscfs[ICSCF_MAX_SCSCF];
	int n_scscfs;
	su_root_t *root;
	struct ims_sip *sip;
	struct ims_bridge *bridge;
	int diameter_started;
	struct ims_trust trust; /* our core's addresses */
};

/* What a UAA or LIA said, copied on freeDiameter's thread for the root. */
struct icscf_cx_result {
	struct icscf *ic;
	uint32_t tx_id;
	uint32_t result;   /* Result-Code or Experimental-Result-Code; 0: no answer */
	int experimental;  /* result is an Experimental-Result-Code */
	char server_name[256];
	unsigned mandatory[16], optional[16];
	int n_mandatory, n_optional;
	int has_capabilities;
};

/* Bring the I-CSCF up on root: SIP, bridge, Diameter.  0 or -1. */
int icscf_init(struct icscf *ic, su_root_t *root, const char *diameter_conf_path);
void icscf_fini(struct icscf *ic);

/* SIP entry (ims_sip request function). */
int icscf_request(void *ctx, struct ims_sip_tx *tx);

/* icscf_register.c */
int icscf_register(struct icscf *ic, struct ims_sip_tx *tx);
/* icscf_route.c: terminating requests (LIR) */
int icscf_terminating(struct icscf *ic, struct ims_sip_tx *tx);

/* Choose the S-CSCF for an answer: its Server-Name, or the first configured
 * S-CSCF that has every mandatory capability (most optional ones win).
 * Returns the URI (borrowed) or NULL. */
const char *icscf_select_scscf(const struct icscf *ic, const struct icscf_cx_result *r);

/* Map a Cx error to a SIP status and reason phrase text (TS 29.228 / 24.229). */
int icscf_cx_to_sip(const struct icscf_cx_result *r, const char **reason);

/* icscf_register.c, pure steps (tests/fuzz drives them): the private
 * identity (Authorization username=, else the To AOR): 0 or -1; whether
 * every binding of a REGISTER asks for expiry 0. */
int icscf_private_identity(const sip_t *sip, char *buf, size_t len);
bool icscf_is_deregistration(const sip_t *sip);

/* icscf_cx.c: copy what a UAA or LIA says (result, Server-Name,
 * capabilities) into r; ans NULL leaves r->result 0 ("no answer"). */
struct msg;
void icscf_cx_read_answer(struct msg *ans, struct icscf_cx_result *r);

/* icscf_cx.c: send UAR / LIR for transaction tx_id; the answer comes back as
 * a struct icscf_cx_result to done() on the root thread.  0 or -1. */
typedef void (*icscf_cx_done_fn)(struct icscf_cx_result *r);
int icscf_cx_uar(struct icscf *ic, uint32_t tx_id, const char *impi, const char *impu,
		 const char *visited, int auth_type, icscf_cx_done_fn done);
int icscf_cx_lir(struct icscf *ic, uint32_t tx_id, const char *impu, icscf_cx_done_fn done);

#endif
