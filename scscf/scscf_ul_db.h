/*
 * scscf_ul_db — write-through of the registrations to MySQL (database
 * ims_scscf, schema sql/ims_scscf/), so that a restarted S-CSCF knows every
 * registration it had.
 *
 * Writes never block the SIP loop: the ul hooks (root thread) copy each
 * change into a queue; one writer thread owns its own connection and
 * prepared statements, applies the queue in order, reconnects after a
 * failure (keeping the change that failed), and drops the oldest changes
 * beyond [db] queue_max with a warning.  A backlog (several changes queued
 * when the writer comes for them) is written in transactions of up to 256
 * changes; a transaction that fails with the connection is applied again as
 * a whole after reconnecting, one that a statement of it failed is applied
 * again change by change (only the bad change is dropped, as without
 * transactions).  A registration whose identities and user data did not
 * change is not written again (scscf_ul reports it only when they do); a
 * registration row lost (queue full, refused) makes every saved contact
 * rewrite its registration row too for max_expires.
 *
 * Loading happens once at start, before the SIP agent listens:
 * scscf_ul_db_load() reads every registration and contact (expired ones
 * included: the caller expires them through the ul afterwards, so that the
 * HSS hears of them).
 */
#ifndef SCSCF_UL_DB_H
#define SCSCF_UL_DB_H

#include "scscf_cfg.h"
#include "scscf_ul.h"

struct scscf_ul_db;

/* Read the whole table into ul (no hooks called).  Returns the number of
 * registrations loaded, or -1 when the database cannot be read (logged). */
int scscf_ul_db_load(const struct scscf_cfg *cfg, struct scscf_ul *ul);

/* Start the writer thread.  Returns NULL on failure (logged).  The
 * connection is opened by the thread; a database that is down is retried. */
struct scscf_ul_db *scscf_ul_db_start(const struct scscf_cfg *cfg);

/* Hooks that queue every change of ul for db (install them with
 * scscf_ul_set_hooks() after loading). */
void scscf_ul_db_hooks(struct scscf_ul_db *db, struct scscf_ul_hooks *hooks);

/* Writes queued and not yet applied (tests, status). */
size_t scscf_ul_db_pending(struct scscf_ul_db *db);

/* Wait up to timeout_ms for the queue to be applied.  Returns 0 when it is
 * empty, -1 otherwise. */
int scscf_ul_db_flush(struct scscf_ul_db *db, int timeout_ms);

/* Apply what is queued (for up to 2 s), stop the thread, free. */
void scscf_ul_db_stop(struct scscf_ul_db *db);

#endif
