/*
 * ctl_db — ims-ctl's access to the HSS database: one MariaDB connection,
 * prepared statements only (every value travels as a bound parameter; the
 * SQL texts are constants), cached by their text's address, and array
 * binding (MariaDB bulk execution) for bulk inserts.
 *
 * Functions return 0, a positive "not found" where documented, or -1 with
 * the reason in ctl_db_error().
 */
#ifndef CTL_DB_H
#define CTL_DB_H

#include "ctl.h"

#include <stdint.h>

struct ctl_db;

enum ctl_db_type { CTL_DB_STR, CTL_DB_U64 };

/* A parameter: STR with s (NULL sends SQL NULL) or U64 with u. */
struct ctl_db_param {
	enum ctl_db_type type;
	const char *s;
	uint64_t u;
};
#define CTL_S(x)                                                                                   \
	{                                                                                          \
		CTL_DB_STR, (x), 0                                                                 \
	}
#define CTL_U(x)                                                                                   \
	{                                                                                          \
		CTL_DB_U64, NULL, (uint64_t)(x)                                                    \
	}

/* A column of a bulk execution: nrows values, s[i] NULL for SQL NULL. */
struct ctl_db_col {
	enum ctl_db_type type;
	const char *const *s;
	const uint64_t *u;
};

/* Called per result row; cols[i] is NULL for SQL NULL, else a string
 * (numbers in decimal).  Return 0 to go on; anything else stops the fetch
 * and is returned by ctl_db_exec(). */
typedef int (*ctl_db_row_fn)(void *ctx, int ncols, char **cols);

/* Connect (timeouts, utf8mb4, autocommit off).  Returns 0 or -1 with err. */
int ctl_db_open(const struct ctl_conn *c, struct ctl_db **out, char *err, size_t len);
void ctl_db_close(struct ctl_db *db);

/* Run sql with params.  affected (may be NULL) gets the number of rows
 * fetched, or the affected rows of a statement without a result. */
int ctl_db_exec(struct ctl_db *db, const char *sql, const struct ctl_db_param *p, int np,
                ctl_db_row_fn row, void *ctx, uint64_t *affected);

/* The first column of the first row as a number: 0, 1 (no row or NULL)
 * or -1. */
int ctl_db_u64(struct ctl_db *db, const char *sql, const struct ctl_db_param *p, int np,
               uint64_t *out);

/* Execute sql once for each of nrows rows of cols (ncols columns), in one
 * round trip when the server supports bulk execution, else row by row. */
int ctl_db_bulk(struct ctl_db *db, const char *sql, const struct ctl_db_col *cols, int ncols,
                unsigned nrows);

int ctl_db_commit(struct ctl_db *db);
int ctl_db_rollback(struct ctl_db *db);

/* Serialise writers (GET_LOCK, released when the connection closes). */
int ctl_db_lock(struct ctl_db *db);

const char *ctl_db_error(const struct ctl_db *db);

/* For commands: connect with a->conn, printing why not (NULL). */
struct ctl_db *ctl_db_connect(const struct ctl_args *a);
/* Print the last error, roll back; returns CTL_FAIL. */
int ctl_db_failed(const struct ctl_args *a, struct ctl_db *db);
/* The server's error number of the last failure (1062: duplicate key). */
unsigned ctl_db_errno(const struct ctl_db *db);

#endif
