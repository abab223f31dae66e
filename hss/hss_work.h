/*
 * hss_work — the HSS's database workers: threads that run the Cx requests
 * which need MariaDB, so that freeDiameter's dispatch threads never wait
 * for it.
 *
 * Every Cx request is first tried on the dispatch thread with the database
 * off limits (hss_cx.c; hss_db_defer_begin).  Most requests of a
 * registration are answered there from memory: a MAR for Digest MD5 from
 * the pair cache, an AKA MAR with an SQN from its block, a UAR of a
 * registered identity.  A request that needs a statement is handed whole
 * to a worker, which runs the handler again from the start with the
 * database allowed and sends the answer.  Without this split a MAR that
 * needs nothing but memory waited behind every request blocked on
 * MariaDB: with freeDiameter's 4 dispatch threads busy with statements
 * (MariaDB waiting for a CPU on a loaded machine) it waited for them, and
 * its p99 at 1,000 registrations/s was 12-57 ms (docs/performance.md,
 * change 14).
 *
 * The workers are as many as the database pool's connections ([db]
 * pool_size), so a worker never waits for a connection.  Requests wait
 * for a worker in a queue of fixed size; when it is full the request is
 * answered DIAMETER_TOO_BUSY at once (RFC 6733 7.1.3) rather than kept.
 */
#ifndef HSS_WORK_H
#define HSS_WORK_H

#include "ims_diam.h"

#include <stdbool.h>
#include <stdint.h>

/* Start n worker threads and a queue of queue_max requests.  Returns 0 or
 * -1 (logged). */
int hss_work_start(unsigned n, unsigned queue_max);
/* Let the workers answer what is queued, then stop them.  Requests handed
 * over afterwards are refused (hss_work_queue returns -1). */
void hss_work_stop(void);
/* True between hss_work_start and hss_work_stop. */
bool hss_work_running(void);

/* Run fn(&req, NULL) on a worker and send what it answers
 * (ims_diam_send_answer).  Returns 0 (req now belongs to the worker), or
 * -1 when the queue is full or the workers are not running (req is still
 * the caller's). */
int hss_work_queue(ims_diam_handler_fn fn, struct msg *req);

struct hss_work_stats {
	uint64_t queued;   /* requests handed to a worker */
	uint64_t refused;  /* queue full: answered DIAMETER_TOO_BUSY */
	unsigned max_wait; /* the most requests ever waiting at once */
};
void hss_work_stats(struct hss_work_stats *out);

#endif
