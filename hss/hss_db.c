/* hss_db — the connection pool and the prepared-statement runner; see
 * hss_db.h.  The queries themselves are in hss_db_sub.c. */
#include "hss_db.h"

#include "hss_cfg.h"
#include "ims_log.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COLS 32 /* the pair queries read 24 or 25 */
#define MAX_PARAMS 8
#define SLOW_MS 500 /* a failed attempt this slow was a timeout: no retry */

struct hss_db_conn {
	MYSQL *my;            /* NULL: closed */
	MYSQL_STMT **stmt;    /* [hss_db_n_queries], prepared lazily */
	struct hss_db_conn *next_free;
};

static struct {
	const struct hss_cfg *cfg;
	struct hss_db_conn *conns;
	int n;
	struct hss_db_conn *free_list;
	pthread_mutex_t lock; /* the free list only, never held across MySQL */
	pthread_cond_t cond;
	bool started;
	_Atomic int64_t down_until; /* ms (monotonic): the server is gone, fail fast */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct hss_db_conn *c)
{
	for (int i = 0; i < hss_db_n_queries; i++) {
		if (c->stmt[i])
			mysql_stmt_close(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	if (c->my)
		mysql_close(c->my);
	c->my = NULL;
}

static int conn_open(struct hss_db_conn *c)
{
	const struct hss_cfg *cfg = pool.cfg;
	unsigned int ct = (unsigned)cfg->db_connect_timeout, rt = (unsigned)cfg->db_read_timeout;
	unsigned int proto = MYSQL_PROTOCOL_TCP;

	c->my = mysql_init(NULL);
	if (!c->my)
		return -1;
	mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(c->my, MYSQL_OPT_READ_TIMEOUT, &rt);
	mysql_options(c->my, MYSQL_OPT_WRITE_TIMEOUT, &rt);
	mysql_options(c->my, MYSQL_OPT_PROTOCOL, &proto);
	mysql_options(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(c->my, cfg->db_host, cfg->db_user, cfg->db_password,
				cfg->db_name, (unsigned)cfg->db_port, NULL, CLIENT_FOUND_ROWS)) {
		IMS_WARN("db: cannot connect to %s:%d/%s: %s", cfg->db_host, cfg->db_port,
			 cfg->db_name, mysql_error(c->my));
		mysql_close(c->my);
		c->my = NULL;
		pool.down_until = now_ms() + cfg->db_retry_interval;
		return -1;
	}
	IMS_DEBUG("db: connected to %s:%d/%s", cfg->db_host, cfg->db_port, cfg->db_name);
	return 0;
}

int hss_db_init(const struct hss_cfg *cfg)
{
	if (mysql_library_init(0, NULL, NULL) != 0) {
		IMS_ERR("db: cannot initialise the MySQL client library");
		return -1;
	}
	pool.cfg = cfg;
	pool.n = cfg->db_pool_size;
	pool.conns = calloc((size_t)pool.n, sizeof *pool.conns);
	if (!pool.conns)
		return -1;
	for (int i = 0; i < pool.n; i++) {
		pool.conns[i].stmt = calloc((size_t)hss_db_n_queries, sizeof(MYSQL_STMT *));
		if (!pool.conns[i].stmt) {
			hss_db_fini();
			return -1;
		}
		pool.conns[i].next_free = pool.free_list;
		pool.free_list = &pool.conns[i];
	}
	pool.started = true;
	return 0;
}

void hss_db_fini(void)
{
	for (int i = 0; pool.conns && i < pool.n; i++) {
		if (pool.conns[i].stmt)
			conn_close(&pool.conns[i]);
		free(pool.conns[i].stmt);
	}
	free(pool.conns);
	pool.conns = NULL;
	pool.free_list = NULL;
	pool.n = 0;
	if (pool.started)
		mysql_library_end();
	pool.started = false;
}

/* Borrow a connection; waits for one at most the configured timeouts. */
static struct hss_db_conn *conn_get(void)
{
	struct hss_db_conn *c = NULL;
	struct timespec until;
	int rc = 0;

	if (!pool.conns)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += pool.cfg->db_connect_timeout + pool.cfg->db_read_timeout;
	pthread_mutex_lock(&pool.lock);
	while (!pool.free_list && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&pool.cond, &pool.lock, &until);
	if (pool.free_list) {
		c = pool.free_list;
		pool.free_list = c->next_free;
	}
	pthread_mutex_unlock(&pool.lock);
	if (!c)
		IMS_ERR("db: no free connection within the timeout (pool of %d)", pool.n);
	return c;
}

static void conn_put(struct hss_db_conn *c)
{
	pthread_mutex_lock(&pool.lock);
	c->next_free = pool.free_list;
	pool.free_list = c;
	pthread_cond_signal(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
}

/* Errors after which the connection is no good: close it, retry once. */
static bool conn_lost(unsigned int err)
{
	return (err >= 2000 && err < 3000) || err == 1053 /* ER_SERVER_SHUTDOWN */ ||
	       err == 1927 /* ER_CONNECTION_KILLED */ || err == 4031 /* idle timeout */;
}

static void bind_params(MYSQL_BIND *b, const struct hss_db_val *p, int n)
{
	memset(b, 0, sizeof(MYSQL_BIND) * (size_t)n);
	for (int i = 0; i < n; i++) {
		if (p[i].is_null) {
			b[i].buffer_type = MYSQL_TYPE_NULL;
		} else if (p[i].type == HSS_DB_STR) {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = p[i].buf;
			b[i].buffer_length = strlen(p[i].buf);
		} else {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = p[i].buf;
			b[i].is_unsigned = 1;
		}
	}
}

struct col_state {
	unsigned long len[MAX_COLS];
	my_bool null[MAX_COLS];
	my_bool error[MAX_COLS];
};

static void bind_cols(MYSQL_BIND *b, struct hss_db_val *c, int n, struct col_state *st)
{
	memset(b, 0, sizeof(MYSQL_BIND) * (size_t)n);
	for (int i = 0; i < n; i++) {
		b[i].buffer = c[i].buf;
		b[i].length = &st->len[i];
		b[i].is_null = &st->null[i];
		b[i].error = &st->error[i];
		if (c[i].type == HSS_DB_STR) {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer_length = c[i].size - 1; /* room for the NUL */
		} else {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].is_unsigned = 1;
		}
	}
}

/* Terminate the strings of a fetched row and set is_null. */
static int finish_row(struct hss_db_val *c, int n, const struct col_state *st)
{
	for (int i = 0; i < n; i++) {
		c[i].is_null = st->null[i];
		if (c[i].type == HSS_DB_STR) {
			if (st->len[i] >= c[i].size)
				return -1;
			((char *)c[i].buf)[st->null[i] ? 0 : st->len[i]] = '\0';
		} else if (st->null[i]) {
			*(uint64_t *)c[i].buf = 0;
		}
	}
	return 0;
}

static int fetch_rows(MYSQL_STMT *st, const struct hss_db_query *q, struct hss_db_val *cols,
		      hss_db_row_fn row, void *ctx, uint64_t *rows)
{
	MYSQL_BIND b[MAX_COLS];
	struct col_state cs;
	int rc = HSS_DB_OK, f;

	memset(&cs, 0, sizeof cs);
	bind_cols(b, cols, q->n_cols, &cs);
	if (mysql_stmt_bind_result(st, b) || mysql_stmt_store_result(st))
		return HSS_DB_ERROR;
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		if (f == MYSQL_DATA_TRUNCATED || finish_row(cols, q->n_cols, &cs) < 0) {
			IMS_ERR("db: a value too long for its buffer in: %s", q->sql);
			rc = HSS_DB_ERROR;
			break;
		}
		(*rows)++;
		if (row && (rc = row(ctx, cols)) != 0)
			break;
	}
	if (f == 1)
		rc = HSS_DB_ERROR;
	mysql_stmt_free_result(st);
	return rc;
}

/* One attempt on connection c.  *lost tells the caller to reconnect. */
static int exec_on(struct hss_db_conn *c, int qi, const struct hss_db_val *params,
		   struct hss_db_val *cols, hss_db_row_fn row, void *ctx, uint64_t *rows,
		   uint64_t *insert_id, bool *lost)
{
	const struct hss_db_query *q = &hss_db_queries[qi];
	MYSQL_BIND pb[MAX_PARAMS];
	MYSQL_STMT *st;
	int rc;

	*lost = false;
	*rows = 0;
	if (!c->my && conn_open(c) < 0)
		return HSS_DB_ERROR;
	if (!c->stmt[qi]) {
		st = mysql_stmt_init(c->my);
		if (!st) {
			*lost = true;
			return HSS_DB_ERROR;
		}
		if (mysql_stmt_prepare(st, q->sql, strlen(q->sql))) {
			IMS_ERR("db: prepare failed (%u %s): %s", mysql_stmt_errno(st),
				mysql_stmt_error(st), q->sql);
			*lost = conn_lost(mysql_stmt_errno(st));
			mysql_stmt_close(st);
			return HSS_DB_ERROR;
		}
		c->stmt[qi] = st;
	}
	st = c->stmt[qi];
	bind_params(pb, params, q->n_params);
	if ((q->n_params && mysql_stmt_bind_param(st, pb)) || mysql_stmt_execute(st)) {
		*lost = conn_lost(mysql_stmt_errno(st));
		IMS_ERR("db: query failed (%u %s)", mysql_stmt_errno(st), mysql_stmt_error(st));
		return HSS_DB_ERROR;
	}
	if (q->n_cols == 0) {
		*rows = mysql_stmt_affected_rows(st);
		if (insert_id)
			*insert_id = mysql_stmt_insert_id(st);
		return HSS_DB_OK;
	}
	rc = fetch_rows(st, q, cols, row, ctx, rows);
	if (rc == HSS_DB_ERROR && mysql_stmt_errno(st)) {
		*lost = conn_lost(mysql_stmt_errno(st));
		IMS_ERR("db: fetch failed (%u %s)", mysql_stmt_errno(st), mysql_stmt_error(st));
	}
	return rc;
}

int hss_db_exec(int q, const struct hss_db_val *params, struct hss_db_val *cols,
		hss_db_row_fn row, void *ctx, uint64_t *rows, uint64_t *insert_id)
{
	struct hss_db_conn *c;
	uint64_t dummy;
	int64_t start = now_ms();
	bool lost;
	int rc;

	if (!rows)
		rows = &dummy;
	if (hss_db_queries[q].n_cols > MAX_COLS || hss_db_queries[q].n_params > MAX_PARAMS) {
		IMS_ERR("db: query %d has more columns or parameters than hss_db.c binds", q);
		return HSS_DB_ERROR;
	}
	if (start < pool.down_until) {
		IMS_DEBUG("db: server unavailable (retrying in %lld ms)",
			  (long long)(pool.down_until - start));
		return HSS_DB_ERROR;
	}
	c = conn_get();
	if (!c)
		return HSS_DB_ERROR;
	rc = exec_on(c, q, params, cols, row, ctx, rows, insert_id, &lost);
	if (rc == HSS_DB_ERROR && lost) {
		conn_close(c);
		if (now_ms() - start > SLOW_MS) {
			/* a timeout: the server hangs; let the others fail fast */
			pool.down_until = now_ms() + pool.cfg->db_retry_interval;
		} else if (*rows == 0) {
			/* the server went away (restart, idle timeout): reconnect once */
			rc = exec_on(c, q, params, cols, row, ctx, rows, insert_id, &lost);
			if (rc == HSS_DB_ERROR && lost)
				conn_close(c);
		}
	}
	conn_put(c);
	return rc;
}
