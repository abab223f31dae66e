/* ims_diam — see ims_diam.h. */
#include "ims_diam.h"

#include "ims_log.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define MAX_HANDLERS 16
#define PENDING_BUCKETS 1024
/* Our own deadline comes this long after freeDiameter's, so that
 * freeDiameter's expiry (which knows the peer) normally reports first. */
#define GRACE_MS 2000

/* ---- Handlers ----------------------------------------------------------- */

struct handler {
	struct dict_object *cmd;
	ims_diam_handler_fn fn;
	void *opaque;
	struct disp_hdl *hdl;
};

static struct handler handlers[MAX_HANDLERS];
static int n_handlers;
static struct disp_hdl *fallback_hdl;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool started; /* between ims_diam_start() and ims_diam_stop() */

static bool is_request(struct msg *msg)
{
	struct msg_hdr *h;
	return fd_msg_hdr(msg, &h) == 0 && (h->msg_flags & CMD_FLAG_REQUEST);
}

/* Make sure *msg is an answer with a result: the handler failed. */
static void answer_failure(struct msg **msg, uint32_t code)
{
	struct ims_cx_result res;

	if (is_request(*msg)) {
		if (ims_cx_answer_new(msg)) {
			/* Could not even build an answer: freeDiameter logs and drops. */
			return;
		}
	} else if (ims_cx_result_get(*msg, &res) == 0) {
		return;
	}
	ims_cx_answer_set_result(*msg, code);
}

/* A request without Session-Id (every Cx command's ABNF starts with one;
 * guard_hook below removes one freeDiameter cannot read): answer
 * DIAMETER_MISSING_AVP with Failed-AVP { Session-Id "" } (RFC 6733 7.5),
 * without running the handler.  Returns false when it has one. */
static bool answered_missing_session_id(struct msg **msg)
{
	struct avp *a = NULL;
	struct msg_hdr *h;

	if (!is_request(*msg) || ims_cx_find(*msg, ims_cx.avp_session_id, &a) == 0)
		return false;
	if (fd_msg_hdr(*msg, &h) == 0)
		IMS_WARN("diameter: request %u (hop-by-hop 0x%08x) without Session-Id: "
		         "DIAMETER_MISSING_AVP",
		         h->msg_code, h->msg_hbhid);
	answer_failure(msg, IMS_DIAMETER_MISSING_AVP);
	if (!is_request(*msg) && ims_cx_add_group(*msg, ims_cx.avp_failed_avp, &a) == 0)
		(void)ims_cx_add_bytes(a, ims_cx.avp_session_id, NULL, 0); /* best effort */
	return true;
}

static int dispatch_cb(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,
                       enum disp_action *act)
{
	struct handler *h = opaque;
	char sid[128];

	if (answered_missing_session_id(msg)) {
		*act = DISP_ACT_SEND;
		return 0;
	}
	ims_cx_session_id(*msg, sid, sizeof sid);
	int ret = h->fn(msg, h->opaque);
	if (!*msg) { /* the handler keeps it */
		*act = DISP_ACT_CONT;
		return 0;
	}
	if (ret < 0) {
		IMS_ERR("diameter: handler failed (%s); answering DIAMETER_UNABLE_TO_COMPLY [%s]",
		        strerror(-ret), sid);
		answer_failure(msg, IMS_DIAMETER_UNABLE_TO_COMPLY);
	} else if (is_request(*msg)) {
		IMS_ERR("diameter: handler returned without an answer [%s]", sid);
		answer_failure(msg, IMS_DIAMETER_UNABLE_TO_COMPLY);
	}
	*act = DISP_ACT_SEND;
	return 0;
}

/* Cx messages no handler took: answer requests COMMAND_UNSUPPORTED,
 * leave answers to freeDiameter (which discards them). */
static int fallback_cb(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,
                       enum disp_action *act)
{
	struct msg_hdr *h;
	char sid[128];

	*act = DISP_ACT_CONT;
	if (fd_msg_hdr(*msg, &h) || !(h->msg_flags & CMD_FLAG_REQUEST))
		return 0;
	ims_cx_session_id(*msg, sid, sizeof sid);
	IMS_WARN("diameter: no handler for Cx command %u: DIAMETER_COMMAND_UNSUPPORTED [%s]",
	         h->msg_code, sid);
	if (ims_cx_answer_new(msg) == 0 &&
	    ims_cx_answer_set_result(*msg, IMS_DIAMETER_COMMAND_UNSUPPORTED) == 0)
		*act = DISP_ACT_SEND;
	return 0;
}

int ims_diam_register(struct dict_object *cmd, ims_diam_handler_fn fn, void *opaque)
{
	int ret = 0;

	if (!cmd || !fn || !started)
		return -EINVAL;
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < n_handlers; i++)
		if (handlers[i].cmd == cmd) {
			ret = -EEXIST;
			goto out;
		}
	if (n_handlers == MAX_HANDLERS) {
		ret = -ENOSPC;
		goto out;
	}
	struct handler *h = &handlers[n_handlers];
	*h = (struct handler){.cmd = cmd, .fn = fn, .opaque = opaque};
	struct disp_when when = {.app = ims_cx.app, .command = cmd};
	ret = fd_disp_register(dispatch_cb, DISP_HOW_CC, &when, h, &h->hdl);
	if (ret) {
		IMS_ERR("diameter: fd_disp_register: %s", strerror(ret));
		ret = -ret;
		goto out;
	}
	n_handlers++;
out:
	pthread_mutex_unlock(&reg_lock);
	return ret;
}

static void unregister_all(void)
{
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < n_handlers; i++)
		if (handlers[i].hdl)
			fd_disp_unregister(&handlers[i].hdl, NULL);
	n_handlers = 0;
	if (fallback_hdl)
		fd_disp_unregister(&fallback_hdl, NULL);
	pthread_mutex_unlock(&reg_lock);
}

/* ---- Pending sends ----------------------------------------------------------
 * freeDiameter gets an id, not a pointer, as callback data: whichever of
 * the answer callback, freeDiameter's expiry and our own deadline comes
 * first takes the entry out of the table and calls the user; the others
 * find nothing.  So each user callback runs exactly once, and a late
 * callback from freeDiameter never touches freed memory. */

struct pending {
	uint64_t id;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	ims_diam_answer_fn cb;
	void *data;
	unsigned timeout_ms;
	char sid[128];
	struct pending *hnext;         /* bucket chain */
	struct pending *tprev, *tnext; /* deadline order */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pending *bucket[PENDING_BUCKETS];
	struct pending *head, *tail; /* by deadline */
	uint64_t next_id;
	pthread_t thread;
	bool thread_running, stopping;
	struct timespec wakes_at; /* when the timeout thread wakes by itself */
} pend = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return (a->tv_nsec > b->tv_nsec) - (a->tv_nsec < b->tv_nsec);
}

static void ts_add_ms(struct timespec *ts, unsigned ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Under the lock. */
static void pending_insert(struct pending *p)
{
	struct pending **b = &pend.bucket[p->id % PENDING_BUCKETS];
	p->hnext = *b;
	*b = p;

	struct pending *after = pend.tail; /* usually the newest deadline is the latest */
	while (after && ts_cmp(&after->deadline, &p->deadline) > 0)
		after = after->tprev;
	p->tprev = after;
	p->tnext = after ? after->tnext : pend.head;
	if (p->tnext)
		p->tnext->tprev = p;
	else
		pend.tail = p;
	if (after)
		after->tnext = p;
	else
		pend.head = p;
}

/* Under the lock: unlink and return the entry for id, or NULL. */
static struct pending *pending_take(uint64_t id)
{
	struct pending **b = &pend.bucket[id % PENDING_BUCKETS];
	for (; *b; b = &(*b)->hnext) {
		struct pending *p = *b;
		if (p->id != id)
			continue;
		*b = p->hnext;
		if (p->tprev)
			p->tprev->tnext = p->tnext;
		else
			pend.head = p->tnext;
		if (p->tnext)
			p->tnext->tprev = p->tprev;
		else
			pend.tail = p->tprev;
		return p;
	}
	return NULL;
}

static struct pending *claim(void *data)
{
	pthread_mutex_lock(&pend.lock);
	struct pending *p = pending_take((uint64_t)(uintptr_t)data);
	pthread_mutex_unlock(&pend.lock);
	return p;
}

/* Answer "no answer" (NULL) to a request that will get none, after saying
 * why at the given level (the request's Session-Id is appended), and free
 * its entry.  The entry must already be out of the table. */
static void give_up(struct pending *p, enum ims_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void give_up(struct pending *p, enum ims_log_level level, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	ims_log(level, "diameter: %s [%s]", why, p->sid);
	p->cb(p->data, NULL);
	free(p);
}

static void answer_cb(void *data, struct msg **answer)
{
	struct pending *p = claim(data);
	if (p) {
		p->cb(p->data, *answer);
		free(p);
	} else {
		IMS_DEBUG("diameter: late answer discarded");
	}
	fd_msg_free(*answer); /* with its request */
	*answer = NULL;
}

static void expire_cb(void *data, DiamId_t sentto, size_t sentto_len, struct msg **req)
{
	struct pending *p = claim(data);

	fd_msg_free(*req); /* ours to dispose of (else freeDiameter logs an error) */
	*req = NULL;
	if (!p)
		return;
	give_up(p, IMS_LOG_WARN, "no answer from %.*s within %u ms", (int)sentto_len,
	        sentto ? (const char *)sentto : "?", p->timeout_ms);
}

/* Our own deadlines: for requests freeDiameter lost track of (an answer it
 * dropped as malformed, a request stuck in a queue).  The thread sleeps
 * until the earliest deadline, or IDLE_TICK_MS with none, and a sender
 * wakes it only for a deadline earlier than that: every deadline is at
 * least GRACE_MS away, so a sender practically never does (one futex
 * wake-up, a context switch on another CPU, saved per request). */
#define IDLE_TICK_MS 1000

static void *watchdog(void *arg)
{
	pthread_mutex_lock(&pend.lock);
	while (!pend.stopping) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		struct pending *p = pend.head;
		if (p && ts_cmp(&p->deadline, &now) <= 0) {
			pending_take(p->id);
			pthread_mutex_unlock(&pend.lock);
			give_up(p, IMS_LOG_WARN, "request got no usable answer within %u ms",
			        p->timeout_ms);
			pthread_mutex_lock(&pend.lock);
			continue;
		}
		if (p) {
			pend.wakes_at = p->deadline;
		} else {
			pend.wakes_at = now;
			ts_add_ms(&pend.wakes_at, IDLE_TICK_MS);
		}
		pthread_cond_timedwait(&pend.cond, &pend.lock, &pend.wakes_at);
	}
	pthread_mutex_unlock(&pend.lock);
	return NULL;
}

static int watchdog_start(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pend.cond, &ca);
	pthread_condattr_destroy(&ca);
	pend.stopping = false;
	int ret = pthread_create(&pend.thread, NULL, watchdog, NULL);
	if (ret) {
		IMS_ERR("diameter: cannot start the timeout thread: %s", strerror(ret));
		pthread_cond_destroy(&pend.cond);
		return -ret;
	}
	pend.thread_running = true;
	return 0;
}

/* Ends a thread that waits on cond for *stopping: sets it, wakes the
 * thread and joins it.  Returns false when it was not running. */
static bool stop_thread(pthread_mutex_t *lock, pthread_cond_t *cond, bool *stopping,
			pthread_t thread, bool *running)
{
	if (!*running)
		return false;
	pthread_mutex_lock(lock);
	*stopping = true;
	pthread_cond_signal(cond);
	pthread_mutex_unlock(lock);
	pthread_join(thread, NULL);
	*running = false;
	return true;
}

/* Stop the thread, then answer NULL to whatever is still pending. */
static void watchdog_stop(void)
{
	if (!stop_thread(&pend.lock, &pend.cond, &pend.stopping, pend.thread, &pend.thread_running))
		return;

	for (;;) {
		pthread_mutex_lock(&pend.lock);
		struct pending *p = pend.head;
		if (p)
			pending_take(p->id);
		pthread_mutex_unlock(&pend.lock);
		if (!p)
			break;
		give_up(p, IMS_LOG_WARN, "stopping with a request unanswered");
	}
	pthread_cond_destroy(&pend.cond);
}

/* ---- Sending without blocking the sender ------------------------------------
 * fd_msg_send() posts to freeDiameter's outgoing queue, which holds 30
 * messages and blocks whoever posts to it when full (libfdcore/queues.c,
 * libfdproto/fifo.c).  A CSCF sends from its SIP loop, and under overload
 * that loop waited there (200-800 ms per CSCF in a 1,000 registrations/s
 * bench step, docs/performance.md change 9) instead of answering
 * retransmissions from its transactions.  So ims_diam_send() posts itself
 * only while the queue has room and no earlier request waits; otherwise
 * the request joins a backlog, in order, and the backlog thread posts it,
 * blocking in the sender's place. */

#define OUTGOING_SPARE 4 /* room left for freeDiameter's own posts */

struct backlog_item {
	struct msg *msg;
	uint64_t id;
	struct timespec fd_deadline;
	struct backlog_item *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct backlog_item *head, *tail;
	pthread_t thread;
	bool running, stopping;
	uint64_t queued; /* requests that went through the backlog, for the report */
} bl = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static bool still_pending(uint64_t id)
{
	bool found = false;
	pthread_mutex_lock(&pend.lock);
	for (struct pending *p = pend.bucket[id % PENDING_BUCKETS]; p && !found; p = p->hnext)
		found = p->id == id;
	pthread_mutex_unlock(&pend.lock);
	return found;
}

static bool outgoing_has_room(void)
{
	int count = 0, limit = 0;
	if (fd_stat_getstats(STAT_G_OUTGOING, NULL, &count, &limit, NULL, NULL, NULL, NULL, NULL))
		return true; /* cannot tell: post as before */
	return limit == 0 || count < limit - OUTGOING_SPARE;
}

/* Post msg for pending request id; on failure answer the request NULL. */
static void post(struct msg *msg, uint64_t id, struct timespec *fd_deadline)
{
	void *key = (void *)(uintptr_t)id;
	int ret = fd_msg_send_timeout(&msg, answer_cb, key, expire_cb, fd_deadline);
	if (ret == 0)
		return;
	if (msg)
		fd_msg_free(msg);
	struct pending *p = claim(key);
	if (!p)
		return;
	give_up(p, IMS_LOG_ERROR, "fd_msg_send_timeout: %s", strerror(ret));
}

static void *backlog_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bl.lock);
	while (!bl.stopping) {
		struct backlog_item *it = bl.head;
		if (!it) {
			pthread_cond_wait(&bl.cond, &bl.lock);
			continue;
		}
		bl.head = it->next;
		if (!bl.head)
			bl.tail = NULL;
		pthread_mutex_unlock(&bl.lock);
		if (still_pending(it->id))
			post(it->msg, it->id, &it->fd_deadline); /* may block: what we are for */
		else
			fd_msg_free(it->msg); /* timed out while waiting here */
		free(it);
		pthread_mutex_lock(&bl.lock);
	}
	pthread_mutex_unlock(&bl.lock);
	return NULL;
}

/* True when msg was taken into the backlog (the caller must not post it). */
static bool backlog_take(struct msg *msg, uint64_t id, const struct timespec *fd_deadline)
{
	bool taken = false;
	pthread_mutex_lock(&bl.lock);
	if (bl.running && !bl.stopping && (bl.head || !outgoing_has_room())) {
		struct backlog_item *it = malloc(sizeof *it);
		if (it) {
			*it = (struct backlog_item){.msg = msg, .id = id, .fd_deadline = *fd_deadline};
			if (bl.tail)
				bl.tail->next = it;
			else
				bl.head = it;
			bl.tail = it;
			bl.queued++;
			pthread_cond_signal(&bl.cond);
			taken = true;
		}
	}
	pthread_mutex_unlock(&bl.lock);
	return taken;
}

static int backlog_start(void)
{
	bl.stopping = false;
	int ret = pthread_create(&bl.thread, NULL, backlog_thread, NULL);
	if (ret) {
		IMS_ERR("diameter: cannot start the send backlog thread: %s", strerror(ret));
		return -ret;
	}
	bl.running = true;
	return 0;
}

/* Before freeDiameter stops (its queues must not go away under a blocked
 * post): stop the thread, answer NULL to what is still in the backlog. */
static void backlog_stop(void)
{
	if (!stop_thread(&bl.lock, &bl.cond, &bl.stopping, bl.thread, &bl.running))
		return;
	while (bl.head) {
		struct backlog_item *it = bl.head;
		bl.head = it->next;
		fd_msg_free(it->msg);
		struct pending *p = claim((void *)(uintptr_t)it->id);
		if (p)
			give_up(p, IMS_LOG_WARN, "stopping with a request not sent");
		free(it);
	}
	bl.tail = NULL;
}

int ims_diam_send(struct msg *msg, unsigned timeout_ms, ims_diam_answer_fn cb, void *data)
{
	struct pending *p = NULL;
	struct timespec fd_deadline;
	int ret;

	if (!msg)
		return -EINVAL;
	if (!cb || !started || timeout_ms == 0) {
		ret = -EINVAL;
		goto fail;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		ret = -ENOMEM;
		goto fail;
	}
	p->cb = cb;
	p->data = data;
	p->timeout_ms = timeout_ms;
	ims_cx_session_id(msg, p->sid, sizeof p->sid);
	clock_gettime(CLOCK_MONOTONIC, &p->deadline);
	ts_add_ms(&p->deadline, timeout_ms + GRACE_MS);
	clock_gettime(CLOCK_REALTIME, &fd_deadline); /* freeDiameter's clock */
	ts_add_ms(&fd_deadline, timeout_ms);

	pthread_mutex_lock(&pend.lock);
	if (pend.stopping) { /* ims_diam_stop() is draining the table */
		pthread_mutex_unlock(&pend.lock);
		ret = -ESHUTDOWN;
		goto fail;
	}
	p->id = ++pend.next_id;
	pending_insert(p);
	if (ts_cmp(&p->deadline, &pend.wakes_at) < 0)
		pthread_cond_signal(&pend.cond);
	pthread_mutex_unlock(&pend.lock);

	if (backlog_take(msg, p->id, &fd_deadline))
		return 0;
	void *key = (void *)(uintptr_t)p->id;
	ret = fd_msg_send_timeout(&msg, answer_cb, key, expire_cb, &fd_deadline);
	if (ret == 0)
		return 0;
	/* Not queued: no callback will come; take the entry back. */
	IMS_ERR("diameter: fd_msg_send_timeout: %s [%s]", strerror(ret), p->sid);
	ret = -ret;
	if (!claim(key))
		return 0; /* cannot happen: nothing else knows the id yet */
fail:
	free(p);
	if (msg)
		fd_msg_free(msg);
	return ret;
}

/* ---- Message hooks -------------------------------------------------------------
 * With no hook registered for a message event, freeDiameter 1.2.1 runs its
 * default (libfdcore/hooks.c, fd_hook_call): it prints the whole message
 * into a buffer (fd_msg_dump_summary, or fd_msg_dump_full for every locally
 * created request) under one process-wide mutex, and only then hands the
 * text to a debug-level log call that drops it.  That was a third of the
 * CSCFs' instructions per registration (callgrind, docs/performance.md).
 * So these events get a hook of ours, which dumps only when debug logging
 * is on.  The error events (parsing, routing, dropped, peers) keep
 * freeDiameter's default: they log at error or notice level.
 * HOOK_DATA_RECEIVED (a cheap log call by default) takes only one hook,
 * which the dbg_msg_dumps extension may want: not taken here. */

static struct fd_hook_hdl *quiet_hdl;

static void quiet_hook(enum fd_hook_type type, struct msg *msg, struct peer_hdr *peer,
                       void *other, struct fd_hook_permsgdata *pmd, void *regdata)
{
	static const char *const what[] = {
	    [HOOK_MESSAGE_RECEIVED] = "received from",
	    [HOOK_MESSAGE_LOCAL] = "created locally",
	    [HOOK_MESSAGE_SENDING] = "sending to",
	    [HOOK_MESSAGE_SENT] = "sent to",
	    [HOOK_MESSAGE_ROUTING_LOCAL] = "dispatching",
	};
	char *buf = NULL;
	size_t len = 0;

	if (ims_log_get_level() < IMS_LOG_DEBUG || !msg)
		return;
	if (!fd_msg_dump_summary(&buf, &len, NULL, msg, NULL, 0, 1))
		return;
	IMS_DEBUG("diameter: %s %s: %s", (unsigned)type < sizeof what / sizeof *what && what[type]
	                                     ? what[type] : "message",
	          peer && peer->info.pi_diamid ? (const char *)peer->info.pi_diamid : "-", buf);
	free(buf);
}

/* ---- Guard on received messages -------------------------------------------
 * freeDiameter 1.2.1 asserts (aborts the daemon) on two first-level AVPs
 * whose value it expects its dictionary to have parsed, and the peer
 * decides whether it could:
 *  - Session-Id (263, vendor 0) sent with the V flag: the dictionary does
 *    not resolve it and it keeps no value.  fd_msg_sess_get()
 *    (libfdproto/messages.c) fails ASSERT(avp_value); it runs to dispatch
 *    any routable message (routing_dispatch.c, msg_dispatch) and to build
 *    any answer to a request (fd_msg_new_answer_from_req: CEA, DWA, DPA,
 *    the CEA refusing an unknown peer, every error answer, ours).
 *  - Result-Code (268, no V flag) of an answer whose parsing fails before
 *    reaching it (an unsupported mandatory AVP earlier) or on it (a bad
 *    length): fd_msg_parse_or_error() (libfdcore/messages.c), looking for
 *    it to decide whether to keep the bad answer, fails ASSERT(avp_value).
 * HOOK_MESSAGE_RECEIVED runs right after the buffer is cut into AVPs, before
 * any of that: for the first message of a new connection (server.c, a
 * CER) and for every message of a known peer (p_psm.c).  Several hooks
 * may take one event (hooks.c: a list, called in registration order).
 * guard_hook resolves those AVPs there (so a Result-Code behind an
 * unsupported AVP has its value when freeDiameter looks for it) and removes
 * one still without a value, with a warning naming the peer.  Then:
 *  - a Cx request without Session-Id reaches dispatch_cb, which answers
 *    DIAMETER_MISSING_AVP (5005) naming it (the commands have no rules in
 *    the dictionary: freeDiameter would pass it on); what freeDiameter
 *    answers itself (CEA, DWA, DPA, error answers) goes without one;
 *  - an answer without Result-Code reaches its callback so
 *    (ims_cx_result_get() finds none), or is dropped when its parsing
 *    failed elsewhere: the request ends at its deadline (a CEA: the
 *    connection is closed).
 * tests/integration/hss (test_session_id_with_vendor_flag_..., test_cer_...,
 * test_cea_...) sends each of these to the real HSS. */

static struct fd_hook_hdl *guard_hdl;

/* True when avp, resolved against the dictionary, still has no value. */
static bool avp_without_value(struct avp *avp, struct avp_hdr *h)
{
	struct dict_object *model = NULL;
	struct fd_pei pei; /* so that freeDiameter does not log it as well */

	if (fd_msg_model(avp, &model))
		return false;
	if (!model)
		(void)fd_msg_parse_dict(avp, fd_g_config->cnf_dict, &pei); /* failed: no value */
	return h->avp_value == NULL;
}

/* The first-level AVP avp, of header h, would make freeDiameter abort. */
static bool avp_would_abort(struct avp *avp, struct avp_hdr *h, bool request)
{
	if (h->avp_code == AC_SESSION_ID && h->avp_vendor == 0)
		return avp_without_value(avp, h);
	if (!request && h->avp_code == AC_RESULT_CODE && !(h->avp_flags & AVP_FLAG_VENDOR))
		return avp_without_value(avp, h);
	return false;
}

static void guard_hook(enum fd_hook_type type, struct msg *msg, struct peer_hdr *peer, void *other,
                       struct fd_hook_permsgdata *pmd, void *regdata)
{
	struct msg_hdr *mh;
	struct avp_hdr *h;
	struct avp *avp = NULL, *next = NULL;

	if (!msg || fd_msg_hdr(msg, &mh) || fd_msg_browse(msg, MSG_BRW_FIRST_CHILD, &avp, NULL))
		return;
	bool request = mh->msg_flags & CMD_FLAG_REQUEST;
	/* peer is NULL for a new connection's first message; other names it */
	const char *from = peer && peer->info.pi_diamid ? (const char *)peer->info.pi_diamid
	                   : other                      ? (const char *)other
	                                                : "-";
	for (; avp; avp = next) {
		if (fd_msg_browse(avp, MSG_BRW_NEXT, &next, NULL))
			next = NULL;
		if (fd_msg_avp_hdr(avp, &h) || !avp_would_abort(avp, h, request))
			continue;
		IMS_WARN("diameter: %s %u from %s has a %s AVP (code %u, flags 0x%02x, vendor %u) "
		         "freeDiameter cannot read: removed",
		         request ? "request" : "answer", mh->msg_code, from,
		         h->avp_code == AC_SESSION_ID ? "Session-Id" : "Result-Code", h->avp_code,
		         h->avp_flags, h->avp_vendor);
		fd_msg_free(avp); /* unlinks it from the message (destroy_obj) */
	}
}

/* ---- Nagle off on the peer connections (ims_diam_set_nodelay) --------------
 * freeDiameter 1.2.1 clears TCP_NODELAY on the sockets it creates
 * (libfdcore/tcp.c, citing RFC 3539 §3.2); accepted connections inherit
 * the listener's setting.  With Nagle, an answer written while the previous
 * one is unacknowledged waits until the peer sends its next request (which
 * carries the ACK) or its delayed-ACK timer fires: at the HSS, MAR p50 5.0
 * instead of 0.5 ms at 100 registrations/s (docs/performance.md, change 8).
 * freeDiameter gives no access to a connection's socket, so when a peer
 * connects, every TCP socket of this process with our Diameter port on its
 * local side (the listener too: later accepted connections inherit it) or
 * the peer's port on its remote side gets TCP_NODELAY.  Only freeDiameter's
 * sockets have those ports: SIP and MariaDB use others. */

static bool nodelay_wanted;
static struct fd_hook_hdl *connected_hdl;

void ims_diam_set_nodelay(bool on)
{
	nodelay_wanted = on;
}

static int sock_port(int fd, bool remote)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int rc = remote ? getpeername(fd, (struct sockaddr *)&ss, &len)
	                : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (rc < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* TCP_NODELAY on the TCP sockets with local port ours or remote port
 * theirs; returns how many. */
static int nodelay_on(int ours, int theirs)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int type = 0, one = 1;
		socklen_t len = sizeof type;
		if (*end || end == e->d_name || fd == dirfd(d) ||
		    getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
			continue;
		if (sock_port((int)fd, false) != ours && sock_port((int)fd, true) != theirs)
			continue;
		if (setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Registered only with ims_diam_set_nodelay(true); it replaces
 * freeDiameter's own "Connected to" notice, so it logs one. */
static void connected_hook(enum fd_hook_type type, struct msg *msg, struct peer_hdr *peer,
                           void *other, struct fd_hook_permsgdata *pmd, void *regdata)
{
	char proto[40] = "-";
	(void)type, (void)msg, (void)other, (void)pmd, (void)regdata;
	if (!peer)
		return;
	if (fd_peer_cnx_proto_info(peer, proto, sizeof proto) != 0)
		snprintf(proto, sizeof proto, "-");
	int theirs = peer->info.config.pic_port ? peer->info.config.pic_port : DIAMETER_PORT;
	int n = nodelay_on(fd_g_config->cnf_port, theirs);
	IMS_INFO("diameter: Connected to '%s' (%s); Nagle off on %d Diameter socket%s",
	         peer->info.pi_diamid ? (const char *)peer->info.pi_diamid : "?", proto, n,
	         n == 1 ? "" : "s");
}

static int msg_hooks_register(void)
{
	uint32_t mask = HOOK_MASK(HOOK_MESSAGE_RECEIVED, HOOK_MESSAGE_LOCAL, HOOK_MESSAGE_SENDING,
	                          HOOK_MESSAGE_SENT, HOOK_MESSAGE_ROUTING_LOCAL);
	int ret = fd_hook_register(mask, quiet_hook, NULL, NULL, &quiet_hdl);
	if (!ret) /* after quiet_hook: a debug dump shows the message as it came */
		ret = fd_hook_register(HOOK_MASK(HOOK_MESSAGE_RECEIVED), guard_hook, NULL, NULL,
		                       &guard_hdl);
	if (!ret && nodelay_wanted)
		ret = fd_hook_register(HOOK_MASK(HOOK_PEER_CONNECT_SUCCESS), connected_hook, NULL,
		                       NULL, &connected_hdl);
	if (ret)
		IMS_ERR("diameter: fd_hook_register failed: %s", strerror(ret));
	return -ret;
}

static void msg_hooks_unregister(void)
{
	if (quiet_hdl)
		fd_hook_unregister(quiet_hdl);
	if (guard_hdl)
		fd_hook_unregister(guard_hdl);
	if (connected_hdl)
		fd_hook_unregister(connected_hdl);
	quiet_hdl = guard_hdl = connected_hdl = NULL;
}

/* ---- Node ------------------------------------------------------------------- */

bool ims_diam_peer_open(const char *diameter_id)
{
	struct peer_hdr *peer = NULL;

	if (!started || !diameter_id)
		return false;
	if (fd_peer_getbyid((DiamId_t)diameter_id, strlen(diameter_id), 1, &peer) || !peer)
		return false;
	int state = fd_peer_get_state(peer);
	/* STATE_OPEN_NEW: CEA sent, open, waiting for the first message. */
	return state == STATE_OPEN || state == STATE_OPEN_NEW;
}

static int fd_step(int ret, const char *what)
{
	if (ret)
		IMS_ERR("diameter: %s failed: %s", what, strerror(ret));
	return ret ? -ret : 0;
}

int ims_diam_start(const char *fd_conf_path)
{
	int ret;

	if (started || !fd_conf_path)
		return -EINVAL;
	ims_log_route_freediameter(); /* first: fd_core_initialize logs too */
	ret = fd_step(fd_core_initialize(), "fd_core_initialize");
	if (ret)
		return ret;
	ret = fd_step(fd_core_parseconf(fd_conf_path), fd_conf_path);
	if (!ret)
		ret = msg_hooks_register();
	if (!ret)
		ret = ims_cx_dict_init();
	if (!ret)
		ret = fd_step(fd_disp_app_support(ims_cx.app, ims_cx.vendor_3gpp, 1, 0),
		              "fd_disp_app_support");
	if (!ret) {
		struct disp_when when = {.app = ims_cx.app};
		ret = fd_step(
		    fd_disp_register(fallback_cb, DISP_HOW_APPID, &when, NULL, &fallback_hdl),
		    "fd_disp_register");
	}
	if (!ret)
		ret = watchdog_start();
	if (!ret)
		ret = backlog_start();
	if (ret)
		goto fail;
	ret = fd_step(fd_core_start(), "fd_core_start");
	if (!ret)
		ret = fd_step(fd_core_waitstartcomplete(), "fd_core_waitstartcomplete");
	if (ret)
		goto fail;
	started = true;
	IMS_INFO("diameter: node %s (realm %s) started from %s", fd_g_config->cnf_diamid,
	         fd_g_config->cnf_diamrlm, fd_conf_path);
	return 0;
fail:
	unregister_all();
	backlog_stop();
	fd_core_shutdown();
	fd_core_wait_shutdown_complete();
	msg_hooks_unregister();
	watchdog_stop();
	return ret;
}

/* freeDiameter's three global queues hold a few tens of messages
 * (libfdcore/queues.c: incoming 20, outgoing 30, local 25) and block whoever
 * posts to a full one: the sender of a request (ims_diam's backlog thread,
 * or a caller when the queue had room) or of an answer (the HSS's
 * handlers), or the peer's receiving side.  Their high-water marks say
 * whether that happened (a warning when a queue was full), and the time
 * spent posting (freeDiameter counts the whole post, waits included) how
 * long. */
static void queue_report(void)
{
	static const struct {
		enum fd_stat_type stat;
		const char *name;
	} qs[] = {{STAT_G_INCOMING, "incoming"}, {STAT_G_OUTGOING, "outgoing"}, {STAT_G_LOCAL, "local"}};
	char line[256];
	size_t n = 0;
	bool full = false;

	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		int limit = 0, highest = 0;
		long long total = 0;
		struct timespec posting = {0};
		if (fd_stat_getstats(qs[i].stat, NULL, NULL, &limit, &highest, &total, NULL, &posting,
				     NULL) != 0)
			continue;
		long long ms = (long long)posting.tv_sec * 1000 + posting.tv_nsec / 1000000;
		full |= limit > 0 && highest >= limit;
		int w = snprintf(line + n, sizeof line - n,
				 "%s%s %lld messages, at most %d of %d, %lld ms posting", n ? "; " : "",
				 qs[i].name, total, highest, limit, ms);
		if (w < 0 || (size_t)w >= sizeof line - n)
			break;
		n += (size_t)w;
	}
	pthread_mutex_lock(&bl.lock);
	unsigned long long backlog = bl.queued;
	pthread_mutex_unlock(&bl.lock);
	if (full)
		IMS_WARN("diameter: a freeDiameter queue was full (overload) and blocked its posters: "
			 "%s; %llu requests waited in ims_diam's backlog instead", line, backlog);
	else
		IMS_INFO("diameter: freeDiameter queues: %s; %llu requests waited in ims_diam's backlog",
			 line, backlog);
}

void ims_diam_stop(void)
{
	if (!started)
		return;
	started = false; /* no new sends or registrations */
	queue_report();
	unregister_all();
	backlog_stop();
	fd_core_shutdown();
	fd_core_wait_shutdown_complete();
	msg_hooks_unregister();
	watchdog_stop();
	IMS_INFO("diameter: node stopped");
}
