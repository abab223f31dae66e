/*
 * ims_diam — a freeDiameter node inside a daemon (HSS, I-CSCF, S-CSCF).
 *
 * One node per process (freeDiameter's core is a process-wide singleton
 * and cannot be started again after it stopped):
 *
 *   ims_diam_start("cfg/hss.fd.conf");         // core up, Cx dictionary, peers connecting
 *   ims_diam_register(ims_cx.cmd_uar, hss_uar, ctx);  // one handler per command
 *   ...
 *   ims_diam_stop();                            // handlers off, core down, pending sends answered
 * NULL
 *
 * THREADS.  Handlers and answer callbacks run on freeDiameter's threads
 * (several at once: AppServThreads in the .conf), or on ims_diam's own
 * timeout or backlog thread, or — for sends still pending at
 * ims_diam_stop() — on the thread calling ims_diam_stop().  Never touch sofia-sip objects there: copy
 * what the answer says into a plain struct keyed by an id and post it to
 * the su_root thread with ims_bridge_post() (common/ims_bridge.h); the
 * root looks its transaction up again.  The HSS has no SIP and answers on
 * freeDiameter's thread directly.
 *
 * Logs: freeDiameter's own lines go through ims_log ("diameter: ...").  A
 * peer that comes up logs "diameter: Connected to 'hss.open-ims.test' (TCP,
 * ...)" at info level.
 */
#ifndef IMS_DIAM_H
#define IMS_DIAM_H

#include "ims_cx.h"

#include <stdbool.h>

/* Start the node: freeDiameter logs into ims_log, fd_core_initialize,
 * fd_core_parseconf(fd_conf_path), ims_cx_dict_init, advertise Cx
 * (Auth-Application-Id 16777216, vendor 10415) in CER/CEA, register the
 * fallback that answers DIAMETER_COMMAND_UNSUPPORTED for Cx commands that
 * have no handler, fd_core_start, fd_core_waitstartcomplete.  Returns once
 * the node listens and has started connecting to its ConnectPeers (it does
 * not wait for peers to be open: see ims_diam_peer_open()).  Returns 0 or
 * a negative errno, logged.  Call once per process, from the main thread. */
int ims_diam_start(const char *fd_conf_path);

/* Before ims_diam_start(): true turns Nagle's algorithm off (TCP_NODELAY)
 * on this node's Diameter connections, which freeDiameter 1.2.1 leaves on.
 * An answer then leaves when it is written instead of when the peer
 * acknowledges the previous one; the HSS does this ([diameter] nodelay),
 * the CSCFs keep Nagle, which batches their requests under load
 * (docs/performance.md, changes 7 and 8). */
void ims_diam_set_nodelay(bool on);

/* Stop the node: unregister every handler (when this returns none is
 * running or will run), fd_core_shutdown + fd_core_wait_shutdown_complete
 * (DPR to the peers), then call every send callback still pending with a
 * NULL answer, on this thread.  Safe to call when not started. */
void ims_diam_stop(void);

/* A request handler, registered for one command (DISP_HOW_CC).
 * On entry *msg is the received request, already parsed against the
 * dictionary (read it with ims_cx_get_*).  Turn it into the answer with
 * ims_cx_answer_new(msg), add the result and AVPs, and return 0: ims_diam
 * sends *msg.  Returning a negative value still answers: with
 * DIAMETER_UNABLE_TO_COMPLY when *msg is still the request, or with *msg as
 * it is (plus that Result-Code if it has no result yet) when it is
 * already the answer.  A handler that wants to answer later may take the
 * message: set *msg = NULL and send the answer with fd_msg_send() itself.
 * Runs on a freeDiameter thread (see THREADS above). */
typedef int (*ims_diam_handler_fn)(struct msg **msg, void *opaque);

/* Register fn for the request command cmd (e.g. ims_cx.cmd_uar); opaque
 * is passed back (borrowed; must outlive ims_diam_stop()).  At most one
 * handler per command and 16 in all.  Call after ims_diam_start().
 * Returns 0, -EINVAL, -EEXIST (command already has one) or -ENOSPC. */
int ims_diam_register(struct dict_object *cmd, ims_diam_handler_fn fn, void *opaque);

/* Called exactly once per successful ims_diam_send().  answer is the
 * parsed answer — possibly one freeDiameter generated locally, e.g.
 * Result-Code DIAMETER_UNABLE_TO_DELIVER (3002) when no peer can take the
 * request — or NULL when no answer came in time, the answer was dropped as
 * malformed, or the node stopped.  answer is borrowed: it is freed when the
 * callback returns, so copy what you need (ims_cx_result_get, ims_cx_get_*).
 * Runs on a freeDiameter or ims_diam thread (see THREADS above). */
typedef void (*ims_diam_answer_fn)(void *data, struct msg *answer);

/* Send the request msg (built with ims_cx_request_new) and call cb(data,
 * answer-or-NULL) when it is answered or after timeout_ms.  Takes msg in
 * every case (freed on failure).  Returns 0 (cb will be called exactly
 * once, never from inside this call) or a negative errno (cb is never
 * called; logged).  data is the caller's (borrowed until cb runs).
 * Never waits for freeDiameter: when its outgoing queue (30 messages) is
 * full, the request waits in ims_diam's backlog and a thread of ims_diam's
 * posts it (ims_diam_stop() logs how many did, and whether freeDiameter's
 * queues blocked).  Thread-safe. */
int ims_diam_send(struct msg *msg, unsigned timeout_ms, ims_diam_answer_fn cb, void *data);

/* True when the peer with this Diameter identity (e.g. "hss.open-ims.test")
 * is connected and has passed CER/CEA (freeDiameter's STATE_OPEN).
 * Thread-safe. */
bool ims_diam_peer_open(const char *diameter_id);

#endif
