/*
 * scscf_calllog — the call log: one row per INVITE dialog the S-CSCF
 * routes (table ims_scscf.calls, sql/ims_scscf/002_calls.sql): Call-ID,
 * caller, callee, start, answer, end, final status.
 *
 * The root thread keeps the calls in progress in memory (by Call-ID, so
 * that the spiral orig -> I-CSCF -> term records one call) and queues each
 * change; a writer thread with its own connection and prepared statements
 * applies the queue, as scscf_ul_db does.  Nothing here blocks the SIP
 * loop.  With [db] enabled = no the calls are only logged.
 *
 * Every row gets an end: end_reason 'bye' (BYE), 'failed' (final failure)
 * or 'lost' when the S-CSCF stops following a call that has none: no BYE
 * after max_age, the S-CSCF stopping, or a row of this S-CSCF (column
 * scscf: its server_name) found open at start after a crash.  A lost row's
 * ended_at is when the S-CSCF gave up, not when the call ended
 * (sql/ims_scscf/003_call_end_reason.sql).
 */
#ifndef SCSCF_CALLLOG_H
#define SCSCF_CALLLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "scscf_cfg.h"

struct scscf_calllog;

/* Start the writer (cfg->db_enabled) or a memory-only log.  NULL: no
 * memory.  The writer first closes as lost the rows of this S-CSCF that a
 * previous run left open. */
struct scscf_calllog *scscf_calllog_start(const struct scscf_cfg *cfg);
/* Close as lost the calls still in progress, apply what is queued (up to
 * 2 s; what is left is closed at the next start), stop the thread, free. */
void scscf_calllog_stop(struct scscf_calllog *cl);

/* An initial INVITE: a new call unless call_id is already in progress.
 * Returns true when it started one: its transaction then owes the call its
 * scscf_calllog_final(). */
bool scscf_calllog_invite(struct scscf_calllog *cl, const char *call_id, const char *caller,
                          const char *callee);
/* The final response to the initial INVITE, as sent to the caller (the
 * first 2xx answers the call; a failure ends it). */
void scscf_calllog_final(struct scscf_calllog *cl, const char *call_id, int status);
/* BYE in the dialog: the call ends. */
void scscf_calllog_bye(struct scscf_calllog *cl, const char *call_id);
/* Calls in progress older than max_age s (a BYE lost, a UE gone) are
 * closed as lost and forgotten; also deletes the rows older than
 * [scscf] calllog_days, once an hour. */
void scscf_calllog_expire(struct scscf_calllog *cl, int64_t now, int max_age);

/* Calls in progress (tests, status). */
size_t scscf_calllog_active(const struct scscf_calllog *cl);

/* Writes queued and not yet applied. */
size_t scscf_calllog_pending(struct scscf_calllog *cl);

#endif
