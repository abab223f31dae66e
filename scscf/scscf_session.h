/*
 * scscf_session — the S-CSCF's session routing (TS 24.229 §5.4.3, RFC 3261
 * §16): every request but REGISTER.
 *
 *   scscf_session.c  dispatch: continuation after an application server
 *                    (our Route with odi=), originating (our orig Route),
 *                    in-dialog / loose-routed (pass on along the Route
 *                    set), terminating (initial, no Route of ours left);
 *                    loop detection; the per-request state
 *   scscf_orig.c     originating: served identity from P-Asserted-Identity,
 *                    iFCs, then out: home target -> I-CSCF, else RFC 3263
 *   scscf_term.c     terminating: bindings (or SAR UNREGISTERED_USER),
 *                    iFCs, fork to every contact via its Path
 *   scscf_ifc.c      the iFC chain: next matching iFC -> application
 *                    server with Route <AS>, <us;odi=...>; default
 *                    handling when it does not answer
 *   scscf_calllog.c  INVITE dialogs into MySQL (writer thread)
 *
 * A session (struct scscf_sess) is what must survive the round trip to an
 * application server: the case, the served identity, its parsed profile
 * and where the iFC chain stands.  It is kept in a table by its odi
 * (original dialog identifier) until it expires.
 * Everything here runs on the su_root thread.
 */
#ifndef SCSCF_SESSION_H
#define SCSCF_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "ims_userdata.h"
#include "scscf.h"

struct scscf_sess {
	struct scscf_sess *next; /* table chain */
	uint32_t odi;            /* 0 until it goes to an application server */
	int64_t expires;         /* mono s, once in the table */
	enum ims_session_case scase;
	char served[SCSCF_ID_MAX];            /* the served public identity */
	struct ims_subscription *sub;         /* owned; NULL when the profile has no iFC */
	const struct ims_service_profile *sp; /* in sub: the served identity's */
	int next_ifc;                         /* evaluation order index of the next iFC */
	/* Steps: an AS step is the next_ifc value once its iFC matched (>= 1);
	 * it travels in the Route back to us (";s=N"). */
	int returned;  /* highest step whose AS sent the request back */
	int abandoned; /* highest step whose AS we stopped waiting for */
};

/* Per-transaction data of an initial request (freed with it). */
struct scscf_txd {
	struct scscf *sc;
	uint32_t tx_id;
	uint32_t odi;         /* the session this transaction forwarded to an AS */
	int as_step;          /* ... at that step */
	su_timer_t *as_timer; /* [scscf] as_timeout_ms: the AS must say something */
	bool at_as;           /* the last branch went to an application server */
	bool as_heard;        /* ... and it answered something (>100) */
	enum ims_default_handling dh;
	int pushed_routes; /* Route entries pushed for the AS branch */
};

/* Dispatch (scscf_session.c): returns 0 or a SIP status. */
int scscf_session_request(struct scscf *sc, struct ims_sip_tx *tx);

/* Session table (scscf_session.c). */
struct scscf_sessions *scscf_sessions_new(void);
void scscf_sessions_destroy(struct scscf_sessions *t);
void scscf_sessions_expire(struct scscf_sessions *t, int64_t now);
struct scscf_sess *scscf_sess_new(enum ims_session_case scase, const char *served,
                                  const char *user_data);
/* Free a session that was never put into the table. */
void scscf_sess_free(struct scscf_sess *s);
/* Put s into the table (gives it its odi). */
void scscf_sess_keep(struct scscf_sessions *t, struct scscf_sess *s);
struct scscf_sess *scscf_sess_find(struct scscf_sessions *t, uint32_t odi);
/* Free s unless it is in the table. */
void scscf_sess_done(struct scscf_sess *s);

/* The transaction's data, created on first use (NULL: no memory). */
struct scscf_txd *scscf_txd(struct scscf *sc, struct ims_sip_tx *tx);
/* Arm the AS timer of d ([scscf] as_timeout_ms; 0: nta's timeouts only). */
void scscf_txd_as_timer(struct scscf_txd *d);
/* The response hook of initial INVITEs and AS branches. */
int scscf_session_response(void *ctx, struct ims_sip_tx *tx, msg_t *msg, sip_t *sip);
/* An initial INVITE into the call log: when it starts a call, the final
 * response tx sends upstream (any, ours included) ends or answers it. */
void scscf_session_log_invite(struct scscf *sc, struct ims_sip_tx *tx, const char *caller,
                              const char *callee);

/* Originating (scscf_orig.c): top Route is our orig route. */
int scscf_orig(struct scscf *sc, struct ims_sip_tx *tx);
/* A target of the home network: tel:, or sip: in [sip] domain. */
bool scscf_home_target(struct scscf *sc, const url_t *url);
/* After the iFCs: route out (home -> I-CSCF, else DNS). */
int scscf_orig_route_out(struct scscf *sc, struct ims_sip_tx *tx);

/* Terminating (scscf_term.c): initial request without a Route of ours. */
int scscf_term(struct scscf *sc, struct ims_sip_tx *tx);
/* After the iFCs: fork to the bindings of served. */
int scscf_term_fork(struct scscf *sc, struct ims_sip_tx *tx, const char *served);

/* The iFC chain (scscf_ifc.c).  Evaluates s's iFCs from s->next_ifc on;
 * sends the request to the first matching AS (s goes into the table), or,
 * when none is left, routes on (orig: out; term: fork) and disposes of s.
 * Returns 0 or a SIP status (s is disposed of then too). */
int scscf_ifc_continue(struct scscf *sc, struct ims_sip_tx *tx, struct scscf_sess *s);

/* Helpers (scscf_session.c). */
/* The identity of the first P-Asserted-Identity as "sip:user@host" /
 * "tel:+1"; 0 or -1. */
int scscf_asserted_identity(sip_t const *sip, char *buf, size_t len);
/* Push the route entries of value (a Route header value) in front of the
 * request's Route set; returns how many were pushed, or -1. */
int scscf_push_routes(struct ims_sip_tx *tx, const char *value);
void scscf_pop_routes(struct ims_sip_tx *tx, int n);

#endif
