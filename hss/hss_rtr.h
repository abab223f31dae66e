/*
 * hss_rtr — HSS-initiated Cx requests, on an operator's command:
 * Registration-Termination (RTR, TS 29.228 6.1.3) and Push-Profile (PPR,
 * TS 29.228 6.1.6), sent to the Diameter host of the S-CSCF that serves the
 * identity (the Origin-Host of its last MAR/SAR).
 *
 * Both block the calling thread until the answer or the configured
 * [diameter] request_timeout; call them from the control channel's thread,
 * never from a freeDiameter handler.
 */
#ifndef HSS_RTR_H
#define HSS_RTR_H

#include <stddef.h>
#include <stdint.h>

struct hss_impu;

/* identity: a private identity (alice@open-ims.test: every registered
 * public identity of it) or a public one (sip:/sips:/tel:, its implicit
 * set).  reason: Reason-Code 0..3 (IMS_CX_REASON_*); info: Reason-Info or
 * NULL.  On success the identities are marked not registered and their
 * S-CSCF name cleared.  Returns the answer's result code (2001 success;
 * an Experimental-Result-Code is returned as is) or -1 with why set (not
 * registered, unknown, no answer...). */
int hss_rtr_send(const char *identity, int reason, const char *info, char *why, size_t len);

/* Push the current User-Data of identity's implicit set (a public
 * identity) or of every registered set of a private identity.  Returns as
 * hss_rtr_send(). */
int hss_ppr_send(const char *identity, char *why, size_t len);

/* TS 29.228 8.1.1: a MAR moved the implicit set of old (as it was before)
 * to a new S-CSCF with another Diameter host; tell the old S-CSCF with an
 * RTR (NEW_SERVER_ASSIGNED) without waiting for its answer (safe on a
 * freeDiameter thread).  The database is not touched. */
void hss_rtr_old_scscf(const char *impi, const struct hss_impu *old, const char *sid);

#endif
