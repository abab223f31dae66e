/*
 * scscf_cx — the S-CSCF's Cx procedures (TS 29.228 §6.3, TS 29.229):
 *   MAR/MAA  scscf_cx_mar.c  vectors for a challenge, AKA resynchronisation
 *   SAR/SAA  scscf_cx_sar.c  registration, re-registration, de-registration,
 *                            authentication failure; User-Data
 *   RTR/PPR  scscf_cx_rtr.c  the HSS removes registrations / pushes profiles
 *
 * A request is described by a heap struct that carries both the question
 * and, once answered, a plain copy of the answer.  ims_diam_send()'s
 * callback (a freeDiameter thread) fills the answer part and posts the
 * struct through the bridge; done() then runs on the su_root thread, where
 * the caller looks its SIP transaction up again by tx_id; the struct is
 * freed after done() returns.
 */
#ifndef SCSCF_CX_H
#define SCSCF_CX_H

#include <stdbool.h>
#include <stdint.h>

#include "scscf.h"

#define SCSCF_CX_REASON_MAX 160

struct scscf_mar {
	/* question */
	struct scscf *sc;
	uint32_t tx_id;
	char call_id[128];
	char impi[SCSCF_ID_MAX];
	char impu[SCSCF_ID_MAX];
	enum scscf_scheme want; /* NONE: "Unknown", the HSS picks */
	bool resync;
	uint8_t rand_auts[30]; /* RAND || AUTS when resync */
	int attempt;           /* MARs sent already for this challenge */
	void (*done)(struct scscf_mar *m);
	/* answer */
	int status; /* 0, or the SIP status to answer (403, 500, 504) */
	char reason[SCSCF_CX_REASON_MAX];
	struct scscf_vector vec; /* scheme, ha1 or rand/xres/ck/ik; nonce set for AKA */
	uint8_t autn[16];
};

/* Send the MAR.  Returns 0 (done() will run once, on the root thread; m is
 * freed after it) or -1 (m is still the caller's). */
int scscf_cx_mar_send(struct scscf_mar *m);

struct scscf_sar {
	/* question */
	struct scscf *sc;
	uint32_t tx_id; /* 0 when no SIP transaction waits */
	char call_id[128];
	char impi[SCSCF_ID_MAX];
	char impu[SCSCF_ID_MAX];
	int type; /* IMS_CX_SAT_* */
	/* User-Data-Already-Available: the S-CSCF holds the set's profile
	 * (TS 29.228 6.1.2: the HSS then need not send it) */
	bool udaa;
	void (*done)(struct scscf_sar *s); /* NULL: log the outcome only */
	/* answer */
	int status; /* 0, or the SIP status to answer */
	char reason[SCSCF_CX_REASON_MAX];
	char *user_data;                  /* the IMSSubscription XML (malloc'd), or NULL */
	const char *ids[SCSCF_ASSOC_MAX]; /* implicit set of the registered identity */
	int n_ids;                        /* (pointing into id_buf) */
	char id_buf[SCSCF_ASSOC_MAX][SCSCF_ID_MAX];
};

/* Send the SAR.  Returns 0 (done() will run once on the root thread, then
 * s and its user_data are freed) or -1 (s is still the caller's). */
int scscf_cx_sar_send(struct scscf_sar *s);

/* A SAR nobody waits for (timeout/administrative de-registration). */
void scscf_cx_sar_notify(struct scscf *sc, const char *impi, const char *impu, int type);

/* The implicit set of impu from the IMSSubscription XML: the identities of
 * the service profile holding impu (impu first; tel URIs included).
 * Returns how many were written to ids (at most max), or -1 when the XML
 * does not parse. */
int scscf_cx_implicit_set(const char *xml, const char *impu, char ids[][SCSCF_ID_MAX], int max);

/* Read an MAA / SAA (ans NULL: no answer) into the answer part of m / s:
 * status 0 or the SIP status and reason (what the answer callbacks do on
 * freeDiameter's thread; tests/fuzz drives them with hostile answers).
 * s->user_data is malloc'd (the caller frees it). */
struct msg;
void scscf_cx_mar_read(struct scscf_mar *m, struct msg *ans);
void scscf_cx_sar_read(struct scscf_sar *s, struct msg *ans);

/* Register the RTR and PPR handlers (after ims_diam_start). Returns 0/-1. */
int scscf_cx_rtr_register(struct scscf *sc);

#endif
