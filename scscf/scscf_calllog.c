/* scscf_calllog — see scscf_calllog.h. */
#include "scscf_calllog.h"

#include "ims_log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <mysql.h>

#define CALL_BUCKETS 1024u
#define CALLS_MAX 100000u /* calls in progress kept at most */

enum stmt_id { S_START, S_ANSWER, S_FAIL, S_END, S_LOST, S_LOST_OPEN, S_PURGE, S_COUNT };

#define PURGE_INTERVAL 3600 /* s between two deletions of old calls */

/* A row the S-CSCF stops following without an end (no BYE after max_age,
 * the S-CSCF stopping, or found open at start after a crash) is closed as
 * 'lost'; its ended_at is when the S-CSCF gave up, not the call's end
 * (sql/ims_scscf/003_call_end_reason.sql). */
static const char *const stmt_sql[S_COUNT] = {
    [S_START] = "INSERT INTO calls (id, scscf, call_id, caller, callee, started_at) "
                "VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(? / 1000))",
    [S_ANSWER] = "UPDATE calls SET status = ?, answered_at = FROM_UNIXTIME(? / 1000) "
                 "WHERE id = ?",
    [S_FAIL] = "UPDATE calls SET status = ?, ended_at = FROM_UNIXTIME(? / 1000), "
               "end_reason = 'failed' WHERE id = ?",
    [S_END] = "UPDATE calls SET ended_at = FROM_UNIXTIME(? / 1000), end_reason = 'bye' "
              "WHERE id = ?",
    [S_LOST] = "UPDATE calls SET ended_at = FROM_UNIXTIME(? / 1000), end_reason = 'lost' "
               "WHERE id = ? AND ended_at IS NULL",
    /* every row of this S-CSCF still open (NULL: written before version 3) */
    [S_LOST_OPEN] = "UPDATE calls SET ended_at = FROM_UNIXTIME(? / 1000), end_reason = 'lost' "
                    "WHERE ended_at IS NULL AND (scscf = ? OR scscf IS NULL)",
    [S_PURGE] = "DELETE FROM calls WHERE started_at < NOW() - INTERVAL ? DAY LIMIT 10000",
};

/* One change, copied on the root thread. */
struct op {
	struct op *next;
	enum stmt_id kind;
	uint64_t id;
	int64_t at_ms;
	uint32_t status;
	char call_id[256], caller[256], callee[256];
};

/* A call in progress (root thread). */
struct call {
	struct call *next;
	uint64_t id;
	int64_t started; /* s */
	bool final;
	char call_id[];
};

struct scscf_calllog {
	struct scscf_cfg cfg;
	bool db;
	struct call *calls[CALL_BUCKETS];
	unsigned ncalls;
	uint32_t counter;
	int64_t last_purge; /* root thread: when old calls were last deleted */
	/* queue */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct op *head, **tail;
	size_t queued;
	bool stopping;
	int64_t stop_deadline_ms;
	/* writer thread only */
	MYSQL *conn;
	MYSQL_STMT *stmt[S_COUNT];
};

static int64_t wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- writer thread ---- */

static void writer_disconnect(struct scscf_calllog *cl)
{
	for (int i = 0; i < S_COUNT; i++) {
		if (cl->stmt[i])
			mysql_stmt_close(cl->stmt[i]);
		cl->stmt[i] = NULL;
	}
	if (cl->conn)
		mysql_close(cl->conn);
	cl->conn = NULL;
}

static int writer_connect(struct scscf_calllog *cl)
{
	const struct scscf_cfg *cfg = &cl->cfg;
	unsigned timeout = (unsigned)cfg->db_connect_timeout, rw = 5;

	if (cl->conn)
		return 0;
	cl->conn = mysql_init(NULL);
	if (!cl->conn)
		return -1;
	mysql_options(cl->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(cl->conn, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(cl->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(cl->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(cl->conn, cfg->db_host, cfg->db_user, cfg->db_password,
	                        cfg->db_name, (unsigned)cfg->db_port, NULL, 0)) {
		IMS_WARN("calllog: cannot connect to %s:%d/%s: %s", cfg->db_host, cfg->db_port,
		         cfg->db_name, mysql_error(cl->conn));
		writer_disconnect(cl);
		return -1;
	}
	for (int i = 0; i < S_COUNT; i++) {
		cl->stmt[i] = mysql_stmt_init(cl->conn);
		if (!cl->stmt[i] ||
		    mysql_stmt_prepare(cl->stmt[i], stmt_sql[i], strlen(stmt_sql[i])) != 0) {
			IMS_ERR("calllog: cannot prepare \"%.40s...\": %s (sql/ims_scscf/003_*.sql "
			        "applied? scripts/db migrate)",
			        stmt_sql[i],
			        cl->stmt[i] ? mysql_stmt_error(cl->stmt[i]) : "no memory");
			writer_disconnect(cl);
			return -1;
		}
	}
	return 0;
}

static void bind_str(MYSQL_BIND *b, unsigned long *len, const char *s)
{
	memset(b, 0, sizeof *b);
	*len = strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)s;
	b->buffer_length = *len;
	b->length = len;
}

static void bind_num(MYSQL_BIND *b, enum enum_field_types type, const void *v, bool is_unsigned)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = type;
	b->buffer = (void *)v;
	b->is_unsigned = is_unsigned;
}

/* The parameters of op's statement, in stmt_sql's order (6 at most). */
static void bind_op(struct scscf_calllog *cl, const struct op *op, MYSQL_BIND *b,
                    unsigned long *len)
{
	int n = 0;

	switch (op->kind) {
	case S_PURGE:
		bind_num(&b[n++], MYSQL_TYPE_LONG, &op->status, true); /* days */
		break;
	case S_START:
		bind_num(&b[n++], MYSQL_TYPE_LONGLONG, &op->id, true);
		bind_str(&b[n], &len[n], cl->cfg.server_name), n++;
		bind_str(&b[n], &len[n], op->call_id), n++;
		bind_str(&b[n], &len[n], op->caller), n++;
		bind_str(&b[n], &len[n], op->callee), n++;
		bind_num(&b[n++], MYSQL_TYPE_LONGLONG, &op->at_ms, false);
		break;
	case S_LOST_OPEN:
		bind_num(&b[n++], MYSQL_TYPE_LONGLONG, &op->at_ms, false);
		bind_str(&b[n], &len[n], cl->cfg.server_name), n++;
		break;
	default: /* S_ANSWER, S_FAIL, S_END, S_LOST */
		if (op->kind == S_ANSWER || op->kind == S_FAIL)
			bind_num(&b[n++], MYSQL_TYPE_LONG, &op->status, true);
		bind_num(&b[n++], MYSQL_TYPE_LONGLONG, &op->at_ms, false);
		bind_num(&b[n++], MYSQL_TYPE_LONGLONG, &op->id, true);
		break;
	}
}

static void log_applied(const struct op *op, unsigned long long rows)
{
	if (op->kind == S_PURGE && rows > 0)
		IMS_INFO("calllog: %llu call(s) older than %u days deleted", rows, op->status);
	else if (op->kind == S_LOST_OPEN && rows > 0)
		IMS_INFO("calllog: %llu call(s) left without an end closed as lost", rows);
}

/* 0 done, 1 retry after reconnecting, -1 dropped. */
static int apply(struct scscf_calllog *cl, const struct op *op)
{
	MYSQL_BIND b[6];
	unsigned long len[6];

	bind_op(cl, op, b, len);
	MYSQL_STMT *st = cl->stmt[op->kind];
	if (mysql_stmt_bind_param(st, b) == 0 && mysql_stmt_execute(st) == 0) {
		log_applied(op, (unsigned long long)mysql_stmt_affected_rows(st));
		return 0;
	}
	unsigned err = mysql_stmt_errno(st);
	IMS_WARN("calllog: call %s: %s (%u)", op->call_id, mysql_stmt_error(st), err);
	return err >= 2000 || err == 1053 || err == 1205 || err == 1213 ? 1 : -1;
}

static void write_one(struct scscf_calllog *cl, const struct op *op)
{
	for (;;) {
		if (writer_connect(cl) == 0) {
			int rc = apply(cl, op);
			if (rc <= 0)
				return;
			writer_disconnect(cl);
		}
		pthread_mutex_lock(&cl->lock);
		bool give_up = cl->stopping && mono_ms() >= cl->stop_deadline_ms;
		pthread_mutex_unlock(&cl->lock);
		if (give_up)
			return;
		struct timespec ts = {0, 500 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void *writer_main(void *arg)
{
	struct scscf_calllog *cl = arg;

	mysql_thread_init();
	pthread_mutex_lock(&cl->lock);
	for (;;) {
		while (!cl->head && !cl->stopping)
			pthread_cond_wait(&cl->cond, &cl->lock);
		if (!cl->head || (cl->stopping && mono_ms() >= cl->stop_deadline_ms))
			break;
		struct op *op = cl->head;
		cl->head = op->next;
		if (!cl->head)
			cl->tail = &cl->head;
		pthread_mutex_unlock(&cl->lock);
		write_one(cl, op);
		free(op);
		pthread_mutex_lock(&cl->lock);
		cl->queued--;
	}
	pthread_mutex_unlock(&cl->lock);
	writer_disconnect(cl);
	mysql_thread_end();
	return NULL;
}

/* c is NULL for a change of no particular call (S_PURGE, S_LOST_OPEN). */
static void enqueue(struct scscf_calllog *cl, enum stmt_id kind, const struct call *c, int status,
                    const char *caller, const char *callee)
{
	const char *call_id = c ? c->call_id : "-";

	if (!cl->db)
		return;
	struct op *op = calloc(1, sizeof *op);
	if (!op) {
		IMS_ERR("calllog: call %s: out of memory, change not written", call_id);
		return;
	}
	op->kind = kind;
	op->id = c ? c->id : 0;
	op->at_ms = wall_ms();
	op->status = (uint32_t)status;
	snprintf(op->call_id, sizeof op->call_id, "%s", call_id);
	snprintf(op->caller, sizeof op->caller, "%s", caller ? caller : "");
	snprintf(op->callee, sizeof op->callee, "%s", callee ? callee : "");
	pthread_mutex_lock(&cl->lock);
	if (cl->queued >= (size_t)cl->cfg.db_queue_max) {
		pthread_mutex_unlock(&cl->lock);
		IMS_WARN("calllog: queue full: call %s not written", call_id);
		free(op);
		return;
	}
	*cl->tail = op;
	cl->tail = &op->next;
	cl->queued++;
	pthread_cond_signal(&cl->cond);
	pthread_mutex_unlock(&cl->lock);
}

/* ---- calls in progress (root thread) ---- */

static unsigned bucket(const char *call_id)
{
	uint32_t h = 2166136261u;
	for (const char *p = call_id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % CALL_BUCKETS;
}

static struct call **find(struct scscf_calllog *cl, const char *call_id)
{
	struct call **p = &cl->calls[bucket(call_id)];
	while (*p && strcmp((*p)->call_id, call_id) != 0)
		p = &(*p)->next;
	return p;
}

static void forget(struct scscf_calllog *cl, struct call **p)
{
	struct call *c = *p;
	*p = c->next;
	free(c);
	cl->ncalls--;
}

bool scscf_calllog_invite(struct scscf_calllog *cl, const char *call_id, const char *caller,
                          const char *callee)
{
	struct call **p = find(cl, call_id);
	if (*p || cl->ncalls >= CALLS_MAX)
		return false; /* the spiral's second pass, or too many */
	struct call *c = calloc(1, sizeof *c + strlen(call_id) + 1);
	if (!c)
		return false;
	strcpy(c->call_id, call_id);
	c->started = (int64_t)time(NULL);
	c->id = ((uint64_t)wall_ms() << 12) | (++cl->counter & 0xfffu);
	*p = c;
	cl->ncalls++;
	IMS_INFO("call %s: %s -> %s", call_id, caller, callee);
	enqueue(cl, S_START, c, 0, caller, callee);
	return true;
}

void scscf_calllog_final(struct scscf_calllog *cl, const char *call_id, int status)
{
	struct call **p = find(cl, call_id);
	if (!*p || (*p)->final)
		return;
	(*p)->final = true;
	IMS_INFO("call %s: %d", call_id, status);
	if (status < 300) {
		enqueue(cl, S_ANSWER, *p, status, NULL, NULL);
		return;
	}
	enqueue(cl, S_FAIL, *p, status, NULL, NULL);
	forget(cl, p);
}

void scscf_calllog_bye(struct scscf_calllog *cl, const char *call_id)
{
	struct call **p = find(cl, call_id);
	if (!*p)
		return;
	IMS_INFO("call %s: ended", call_id);
	enqueue(cl, S_END, *p, 0, NULL, NULL);
	forget(cl, p);
}

void scscf_calllog_expire(struct scscf_calllog *cl, int64_t now, int max_age)
{
	/* retention: the table would otherwise grow for ever (~70 bytes a call) */
	if (max_age > 0 && cl->cfg.calllog_days > 0 && now - cl->last_purge >= PURGE_INTERVAL) {
		cl->last_purge = now;
		enqueue(cl, S_PURGE, NULL, cl->cfg.calllog_days, NULL, NULL);
	}
	for (unsigned i = 0; i < CALL_BUCKETS; i++) {
		struct call **p = &cl->calls[i];
		while (*p) {
			if ((*p)->started + max_age > now) {
				p = &(*p)->next;
				continue;
			}
			IMS_INFO("call %s: lost (no end after %d s)", (*p)->call_id, max_age);
			enqueue(cl, S_LOST, *p, 0, NULL, NULL);
			forget(cl, p);
		}
	}
}

size_t scscf_calllog_active(const struct scscf_calllog *cl)
{
	return cl->ncalls;
}

size_t scscf_calllog_pending(struct scscf_calllog *cl)
{
	if (!cl->db)
		return 0;
	pthread_mutex_lock(&cl->lock);
	size_t n = cl->queued;
	pthread_mutex_unlock(&cl->lock);
	return n;
}

/* ---- life ---- */

struct scscf_calllog *scscf_calllog_start(const struct scscf_cfg *cfg)
{
	struct scscf_calllog *cl = calloc(1, sizeof *cl);
	if (!cl)
		return NULL;
	cl->cfg = *cfg;
	cl->tail = &cl->head;
	if (!cfg->db_enabled)
		return cl;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->cond, NULL);
	if (pthread_create(&cl->thread, NULL, writer_main, cl) != 0) {
		IMS_ERR("calllog: cannot start the writer thread");
		pthread_mutex_destroy(&cl->lock);
		pthread_cond_destroy(&cl->cond);
		free(cl);
		return NULL;
	}
	cl->db = true;
	/* first in the queue, so before any call of ours: what a previous run
	 * (a crash, a stop that could not write) left open */
	enqueue(cl, S_LOST_OPEN, NULL, 0, NULL, NULL);
	return cl;
}

static void free_calls(struct scscf_calllog *cl)
{
	for (unsigned i = 0; i < CALL_BUCKETS; i++)
		while (cl->calls[i])
			forget(cl, &cl->calls[i]);
}

void scscf_calllog_stop(struct scscf_calllog *cl)
{
	if (!cl)
		return;
	if (cl->db) {
		/* last in the queue: the calls still followed (and any row of ours
		 * whose end could not be written) are lost; if the writer cannot
		 * get to it in time, the next start does it */
		if (cl->ncalls > 0)
			IMS_INFO("calllog: %u call(s) in progress at stop: lost", cl->ncalls);
		enqueue(cl, S_LOST_OPEN, NULL, 0, NULL, NULL);
		pthread_mutex_lock(&cl->lock);
		cl->stopping = true;
		cl->stop_deadline_ms = mono_ms() + 2000;
		pthread_cond_signal(&cl->cond);
		pthread_mutex_unlock(&cl->lock);
		pthread_join(cl->thread, NULL);
		while (cl->head) {
			struct op *op = cl->head;
			cl->head = op->next;
			free(op);
		}
		pthread_mutex_destroy(&cl->lock);
		pthread_cond_destroy(&cl->cond);
	}
	free_calls(cl);
	free(cl);
}
