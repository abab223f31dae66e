/* ctl_db — see ctl_db.h. */
#include "ctl_db.h"

#include <mysql.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
#define MAX_COLS 16
#define COL_BUF 4096
#define CACHE_MAX 64
#define IO_TIMEOUT 300 /* s: a bulk chunk may take a while */

struct ctl_db {
	MYSQL *my;
	struct {
		const char *sql;
		MYSQL_STMT *st;
	} cache[CACHE_MAX];
	int ncache;
	unsigned errnum;
	char err[1024];
};

static int fail_my(struct ctl_db *db, const char *what)
{
	db->errnum = mysql_errno(db->my);
	snprintf(db->err, sizeof db->err, "%s: %s (MariaDB error %u)", what, mysql_error(db->my),
	         db->errnum);
	return -1;
}

static int fail_st(struct ctl_db *db, MYSQL_STMT *st, const char *what)
{
	db->errnum = mysql_stmt_errno(st);
	snprintf(db->err, sizeof db->err, "%s: %s (MariaDB error %u)", what, mysql_stmt_error(st),
	         db->errnum);
	return -1;
}

int ctl_db_open(const struct ctl_conn *c, struct ctl_db **out, char *err, size_t len)
{
	struct ctl_db *db = calloc(1, sizeof *db);
	unsigned int cto = (unsigned int)c->connect_timeout, io = IO_TIMEOUT;

	if (!db || !(db->my = mysql_init(NULL))) {
		snprintf(err, len, "out of memory");
		free(db);
		return -1;
	}
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &cto);
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &io);
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &io);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(db->my, c->host, c->user, c->password, c->name,
	                        (unsigned int)c->port, NULL, 0)) {
		snprintf(err, len,
		         "cannot connect to the HSS database %s at %s:%d as %s: %s (is MariaDB "
		         "running? 'scripts/db up' starts the lab's)",
		         c->name, c->host, c->port, c->user, mysql_error(db->my));
		ctl_db_close(db);
		return -1;
	}
	if (mysql_autocommit(db->my, 0)) {
		snprintf(err, len, "cannot turn autocommit off: %s", mysql_error(db->my));
		ctl_db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void ctl_db_close(struct ctl_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	if (db->my)
		mysql_close(db->my);
	free(db);
}

/* The prepared statement of sql, from the cache or newly prepared. */
static MYSQL_STMT *stmt_get(struct ctl_db *db, const char *sql)
{
	MYSQL_STMT *st;

	for (int i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	st = mysql_stmt_init(db->my);
	if (!st) {
		fail_my(db, "preparing a statement");
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))) {
		fail_st(db, st, "preparing a statement");
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache < CACHE_MAX) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache++].st = st;
	}
	return st;
}

static void stmt_put(struct ctl_db *db, MYSQL_STMT *st)
{
	for (int i = 0; i < db->ncache; i++)
		if (db->cache[i].st == st)
			return;
	mysql_stmt_close(st);
}

struct params {
	MYSQL_BIND bind[MAX_PARAMS];
	unsigned long len[MAX_PARAMS];
	unsigned long long u[MAX_PARAMS];
};

static void bind_params(struct params *b, const struct ctl_db_param *p, int np)
{
	memset(b, 0, sizeof *b);
	for (int i = 0; i < np; i++) {
		MYSQL_BIND *x = &b->bind[i];
		if (p[i].type == CTL_DB_U64) {
			b->u[i] = p[i].u;
			x->buffer_type = MYSQL_TYPE_LONGLONG;
			x->buffer = &b->u[i];
			x->is_unsigned = 1;
		} else if (!p[i].s) {
			x->buffer_type = MYSQL_TYPE_NULL;
		} else {
			b->len[i] = (unsigned long)strlen(p[i].s);
			x->buffer_type = MYSQL_TYPE_STRING;
			x->buffer = (void *)p[i].s;
			x->buffer_length = b->len[i];
			x->length = &b->len[i];
		}
	}
}

struct results {
	MYSQL_BIND bind[MAX_COLS];
	unsigned long len[MAX_COLS];
	my_bool null[MAX_COLS], error[MAX_COLS];
	char *cols[MAX_COLS];
	char buf[MAX_COLS][COL_BUF];
};

/* Fetch every row of st into row().  Returns 0, row()'s stop value or -1. */
static int fetch_rows(struct ctl_db *db, MYSQL_STMT *st, int ncols, ctl_db_row_fn row, void *ctx,
                      uint64_t *n)
{
	struct results *r = calloc(1, sizeof *r);
	int rc = 0, f;

	if (!r)
		return snprintf(db->err, sizeof db->err, "out of memory"), -1;
	for (int i = 0; i < ncols; i++) {
		r->bind[i].buffer_type = MYSQL_TYPE_STRING;
		r->bind[i].buffer = r->buf[i];
		r->bind[i].buffer_length = COL_BUF;
		r->bind[i].length = &r->len[i];
		r->bind[i].is_null = &r->null[i];
		r->bind[i].error = &r->error[i];
	}
	if (mysql_stmt_bind_result(st, r->bind) || mysql_stmt_store_result(st)) {
		rc = fail_st(db, st, "reading the result");
		goto out;
	}
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		for (int i = 0; i < ncols; i++) {
			size_t l = r->len[i] < COL_BUF ? r->len[i] : COL_BUF - 1;
			r->buf[i][l] = '\0';
			r->cols[i] = r->null[i] ? NULL : r->buf[i];
		}
		(*n)++;
		if (row && (rc = row(ctx, ncols, r->cols)) != 0)
			goto out;
	}
	if (f == 1)
		rc = fail_st(db, st, "fetching a row");
out:
	mysql_stmt_free_result(st);
	free(r);
	return rc;
}

int ctl_db_exec(struct ctl_db *db, const char *sql, const struct ctl_db_param *p, int np,
                ctl_db_row_fn row, void *ctx, uint64_t *affected)
{
	struct params b;
	MYSQL_STMT *st = stmt_get(db, sql);
	uint64_t n = 0;
	int ncols, rc = 0;

	if (!st)
		return -1;
	if (np > MAX_PARAMS || (unsigned long)np != mysql_stmt_param_count(st)) {
		snprintf(db->err, sizeof db->err, "statement expects %lu parameters, got %d",
		         mysql_stmt_param_count(st), np);
		return -1;
	}
	bind_params(&b, p, np);
	if ((np && mysql_stmt_bind_param(st, b.bind)) || mysql_stmt_execute(st))
		return fail_st(db, st, "running a statement");
	ncols = (int)mysql_stmt_field_count(st);
	if (ncols > MAX_COLS) {
		mysql_stmt_free_result(st);
		return snprintf(db->err, sizeof db->err, "too many columns"), -1;
	}
	if (ncols > 0)
		rc = fetch_rows(db, st, ncols, row, ctx, &n);
	else
		n = (uint64_t)mysql_stmt_affected_rows(st);
	if (affected)
		*affected = n;
	return rc;
}

struct one {
	uint64_t v;
	int found;
};

static int one_row(void *ctx, int ncols, char **cols)
{
	struct one *o = ctx;

	if (cols[0]) {
		o->v = strtoull(cols[0], NULL, 10);
		o->found = 1;
	}
	return 1; /* the first row is enough */
}

int ctl_db_u64(struct ctl_db *db, const char *sql, const struct ctl_db_param *p, int np,
               uint64_t *out)
{
	struct one o = {0, 0};
	int rc = ctl_db_exec(db, sql, p, np, one_row, &o, NULL);

	if (rc < 0)
		return -1;
	*out = o.v;
	return o.found ? 0 : 1;
}

/* Row by row, for servers without bulk execution. */
static int bulk_rows(struct ctl_db *db, MYSQL_STMT *st, const struct ctl_db_col *cols, int ncols,
                     unsigned nrows)
{
	struct ctl_db_param p[MAX_PARAMS];
	struct params b;

	for (unsigned r = 0; r < nrows; r++) {
		for (int i = 0; i < ncols; i++) {
			p[i].type = cols[i].type;
			p[i].s = cols[i].type == CTL_DB_STR ? cols[i].s[r] : NULL;
			p[i].u = cols[i].type == CTL_DB_U64 ? cols[i].u[r] : 0;
		}
		bind_params(&b, p, ncols);
		if (mysql_stmt_bind_param(st, b.bind) || mysql_stmt_execute(st))
			return fail_st(db, st, "running a statement");
	}
	return 0;
}

/* One round trip: column-wise array binding with indicators. */
static int bulk_array(struct ctl_db *db, MYSQL_STMT *st, const struct ctl_db_col *cols, int ncols,
                      unsigned nrows)
{
	MYSQL_BIND bind[MAX_PARAMS];
	char *ind = calloc((size_t)ncols * nrows, 1);
	unsigned int size = nrows;
	int rc = 0;

	if (!ind)
		return snprintf(db->err, sizeof db->err, "out of memory"), -1;
	memset(bind, 0, sizeof bind);
	for (int i = 0; i < ncols; i++) {
		char *c = ind + (size_t)i * nrows;
		for (unsigned r = 0; r < nrows; r++)
			c[r] = cols[i].type == CTL_DB_U64 ? STMT_INDICATOR_NONE
			       : cols[i].s[r]             ? STMT_INDICATOR_NTS
			                                  : STMT_INDICATOR_NULL;
		bind[i].u.indicator = c;
		if (cols[i].type == CTL_DB_U64) {
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)cols[i].u;
			bind[i].is_unsigned = 1;
		} else {
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)cols[i].s;
		}
	}
	if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &size) ||
	    mysql_stmt_bind_param(st, bind) || mysql_stmt_execute(st))
		rc = fail_st(db, st, "running a bulk statement");
	free(ind);
	return rc;
}

/* Does the server take array binding (MariaDB >= 10.2; not MySQL)? */
static bool bulk_supported(struct ctl_db *db)
{
	unsigned long caps = 0, ext = 0;

	if (mariadb_get_infov(db->my, MARIADB_CONNECTION_SERVER_CAPABILITIES, &caps) ||
	    mariadb_get_infov(db->my, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &ext))
		return false;
	return !(caps & CLIENT_MYSQL) && (ext & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32));
}

int ctl_db_bulk(struct ctl_db *db, const char *sql, const struct ctl_db_col *cols, int ncols,
                unsigned nrows)
{
	MYSQL_STMT *st;
	int rc;

	if (nrows == 0)
		return 0;
	if (ncols > MAX_PARAMS)
		return snprintf(db->err, sizeof db->err, "too many columns"), -1;
	st = mysql_stmt_init(db->my);
	if (!st)
		return fail_my(db, "preparing a statement");
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))) {
		rc = fail_st(db, st, "preparing a statement");
	} else if ((unsigned long)ncols != mysql_stmt_param_count(st)) {
		snprintf(db->err, sizeof db->err, "statement expects %lu parameters, got %d",
		         mysql_stmt_param_count(st), ncols);
		rc = -1;
	} else if (bulk_supported(db)) {
		rc = bulk_array(db, st, cols, ncols, nrows);
	} else {
		rc = bulk_rows(db, st, cols, ncols, nrows);
	}
	stmt_put(db, st);
	return rc;
}

int ctl_db_commit(struct ctl_db *db)
{
	return mysql_commit(db->my) ? fail_my(db, "commit") : 0;
}

int ctl_db_rollback(struct ctl_db *db)
{
	return mysql_rollback(db->my) ? fail_my(db, "rollback") : 0;
}

int ctl_db_lock(struct ctl_db *db)
{
	static const char sql[] = "SELECT GET_LOCK('ims_hss.imsctl', 30)";
	uint64_t got = 0;

	if (ctl_db_u64(db, sql, NULL, 0, &got) < 0)
		return -1;
	if (got != 1) {
		snprintf(db->err, sizeof db->err,
		         "another imsctl has been changing the database for 30 s; try again");
		return -1;
	}
	return 0;
}

const char *ctl_db_error(const struct ctl_db *db)
{
	return db->err;
}

unsigned ctl_db_errno(const struct ctl_db *db)
{
	return db->errnum;
}

struct ctl_db *ctl_db_connect(const struct ctl_args *a)
{
	struct ctl_db *db = NULL;
	char err[1024];

	if (ctl_db_open(&a->conn, &db, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return NULL;
	}
	return db;
}

int ctl_db_failed(const struct ctl_args *a, struct ctl_db *db)
{
	ctl_err(a, "%s", ctl_db_error(db));
	ctl_db_rollback(db);
	return CTL_FAIL;
}
