/*
 * scscf — the S-CSCF's context: configuration, SIP engine, Diameter node,
 * registrations, pending challenges, and the dispatch of SIP requests.
 *
 *   scscf_init()  load the registrations from MySQL, start the writer,
 *                 start Diameter (Cx client, RTR/PPR server), listen on SIP,
 *                 start the expiry timer;
 *   su_root_run() serve;
 *   scscf_fini()  stop everything in reverse order.
 *
 * Everything here runs on the su_root thread, except what scscf_cx_*.c
 * says runs on freeDiameter's threads (and only posts to the bridge).
 */
#ifndef SCSCF_H
#define SCSCF_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_wait.h>

#include "ims_bridge.h"
#include "ims_sip.h"
#include "ims_trust.h"
#include "scscf_auth.h"
#include "scscf_cfg.h"
#include "scscf_ul.h"
#include "scscf_ul_db.h"

struct scscf_sessions;
struct scscf_calllog;

struct scscf {
	struct scscf_cfg cfg;
	su_root_t *root;
	struct ims_sip *sip;
	struct ims_bridge *bridge;
	struct scscf_ul *ul;
	struct scscf_ul_db *db; /* NULL when [db] enabled = no */
	struct scscf_nonces *nonces;
	struct scscf_sessions *sessions; /* sessions at an application server */
	struct scscf_calllog *calls;     /* the call log */
	struct ims_trust trust;          /* sources of the core (sessions) */
	su_timer_t *tick;                /* 1 s: contact and nonce expiry */
	bool diameter;                   /* the Diameter node runs */
};

/* Bring the S-CSCF up on root with cfg (copied).  Returns 0, or -1 with
 * the reason logged (everything already started is stopped again). */
int scscf_init(struct scscf *sc, const struct scscf_cfg *cfg, su_root_t *root);
void scscf_fini(struct scscf *sc);

/* Wall clock (contact expiry, stored in MySQL) and monotonic seconds
 * (nonce lifetime). */
int64_t scscf_now(void);
int64_t scscf_mono(void);

/* The REGISTER pipeline (scscf_register.c): returns 0 (answered or pending)
 * or a SIP status. */
int scscf_register(struct scscf *sc, struct ims_sip_tx *tx);

/* Expiry of one registration left without contacts (timer, RTR): SAR
 * TIMEOUT_DEREGISTRATION / nothing.  scscf_register.c. */
void scscf_reg_gone(void *sc, const struct scscf_reg *reg);

/* The Call-ID of tx's request for log lines ("-" when none), borrowed. */
const char *scscf_call_id(struct ims_sip_tx *tx);

#endif
