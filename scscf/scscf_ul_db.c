/* scscf_ul_db — see scscf_ul_db.h. */
#include "scscf_ul_db.h"

#include "ims_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <sofia-sip/su_md5.h>

enum op_kind { OP_REG_SAVE, OP_REG_DEL, OP_CONTACT_SAVE, OP_CONTACT_DEL };

/* One change, copied on the root thread: one allocation sized to its
 * strings (a change is made at every registration, on the SIP loop), plus
 * the identities and profile of a registration row. */
struct op {
	struct op *next;
	enum op_kind kind;
	const char *impu, *impi; /* in text[] */
	char *assoc;             /* identities, one a line (OP_REG_SAVE) */
	char *user_data;         /* OP_REG_SAVE, NULL when none */
	char ckey[33];           /* contact key: MD5(uri, instance, reg-id) */
	struct scscf_contact c;  /* OP_CONTACT_*: a copy, its strings in text[] */
	char text[];
};

enum stmt_id { S_REG_SAVE, S_REG_DEL_CONTACTS, S_REG_DEL, S_CONTACT_SAVE, S_CONTACT_DEL, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
    [S_REG_SAVE] = "INSERT INTO registration (impu, impi, associated, user_data) "
                   "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE impi = VALUES(impi), "
                   "associated = VALUES(associated), user_data = VALUES(user_data)",
    [S_REG_DEL_CONTACTS] = "DELETE FROM contact WHERE impu = ?",
    [S_REG_DEL] = "DELETE FROM registration WHERE impu = ?",
    [S_CONTACT_SAVE] =
        "INSERT INTO contact (impu, ckey, uri, params, path, received, call_id, cseq, "
        "instance, reg_id, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE uri = VALUES(uri), params = VALUES(params), "
        "path = VALUES(path), received = VALUES(received), call_id = VALUES(call_id), "
        "cseq = VALUES(cseq), instance = VALUES(instance), reg_id = VALUES(reg_id), "
        "expires = VALUES(expires)",
    [S_CONTACT_DEL] = "DELETE FROM contact WHERE impu = ? AND ckey = ?",
};

/* Ops taken from the queue at once (a backlog: the database was slow or
 * away); from BATCH_MIN on they are written in one transaction, one commit
 * instead of one each.  Fewer are written one by one: START TRANSACTION
 * and COMMIT are two more round trips, which cost more than the commits
 * they save with innodb_flush_log_at_trx_commit = 2 (scripts/db). */
#define BATCH_MAX 256
#define BATCH_MIN 4

struct scscf_ul_db {
	struct scscf_cfg cfg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;    /* queue not empty, or stopping */
	pthread_cond_t drained; /* queue empty */
	struct op *head, **tail;
	size_t queued;
	size_t held; /* ops the writer took from the queue and is writing */
	bool stopping;
	/* A registration row was lost (queue full, or refused): until then
	 * (now_ms()) every contact saved rewrites its registration row too, as
	 * every re-registration did before unchanged rows were skipped, so
	 * that the table heals within max_expires. */
	_Atomic int64_t heal_until_ms;
	int64_t stop_deadline_ms; /* when stopping: give up writing after this */
	/* writer thread only */
	bool was_away; /* a write failed with the connection since the queue was empty */
	MYSQL *conn;
	MYSQL_STMT *stmt[S_COUNT];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connection ---- */

static MYSQL *db_connect(const struct scscf_cfg *cfg)
{
	MYSQL *m = mysql_init(NULL);
	unsigned timeout = (unsigned)cfg->db_connect_timeout;
	unsigned rw = 5;

	if (!m)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(m, cfg->db_host, cfg->db_user, cfg->db_password, cfg->db_name,
	                        (unsigned)cfg->db_port, NULL, 0)) {
		IMS_WARN("ul_db: cannot connect to %s@%s:%d/%s: %s", cfg->db_user, cfg->db_host,
		         cfg->db_port, cfg->db_name, mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static void writer_disconnect(struct scscf_ul_db *db)
{
	for (int i = 0; i < S_COUNT; i++) {
		if (db->stmt[i])
			mysql_stmt_close(db->stmt[i]);
		db->stmt[i] = NULL;
	}
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
}

static int writer_connect(struct scscf_ul_db *db)
{
	if (db->conn)
		return 0;
	db->conn = db_connect(&db->cfg);
	if (!db->conn)
		return -1;
	for (int i = 0; i < S_COUNT; i++) {
		db->stmt[i] = mysql_stmt_init(db->conn);
		if (!db->stmt[i] ||
		    mysql_stmt_prepare(db->stmt[i], stmt_sql[i], strlen(stmt_sql[i])) != 0) {
			IMS_ERR("ul_db: cannot prepare \"%.40s...\": %s (schema sql/ims_scscf "
			        "applied? scripts/db migrate)",
			        stmt_sql[i],
			        db->stmt[i] ? mysql_stmt_error(db->stmt[i]) : "no memory");
			writer_disconnect(db);
			return -1;
		}
	}
	IMS_INFO("ul_db: connected to %s:%d/%s", db->cfg.db_host, db->cfg.db_port, db->cfg.db_name);
	return 0;
}

/* ---- statements ---- */

struct binder {
	MYSQL_BIND b[12];
	unsigned long len[12];
	my_bool null[12];
	int n;
};

static void bind_str(struct binder *bd, const char *s)
{
	MYSQL_BIND *b = &bd->b[bd->n];
	memset(b, 0, sizeof *b);
	b->buffer_type = MYSQL_TYPE_STRING;
	bd->null[bd->n] = s == NULL;
	bd->len[bd->n] = s ? strlen(s) : 0;
	b->buffer = (void *)(s ? s : "");
	b->buffer_length = bd->len[bd->n];
	b->length = &bd->len[bd->n];
	b->is_null = &bd->null[bd->n];
	bd->n++;
}

static void bind_u32(struct binder *bd, const uint32_t *v)
{
	MYSQL_BIND *b = &bd->b[bd->n++];
	memset(b, 0, sizeof *b);
	b->buffer_type = MYSQL_TYPE_LONG;
	b->is_unsigned = 1;
	b->buffer = (void *)v;
}

static void bind_i64(struct binder *bd, const int64_t *v)
{
	MYSQL_BIND *b = &bd->b[bd->n++];
	memset(b, 0, sizeof *b);
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = (void *)v;
}

/* After error err: 1 when it is the connection's (retry after
 * reconnecting), -1 when the statement itself failed (drop the change). */
static int error_kind(unsigned err)
{
	/* client errors (2xxx: gone, lost ...), server shutdown, killed, lock waits */
	return err >= 2000 || err == 1053 || err == 1927 || err == 1205 || err == 1213 ? 1 : -1;
}

/* 0, 1 when the error is the connection's (retry after reconnecting), -1
 * when the statement itself failed (drop the change). */
static int stmt_run(struct scscf_ul_db *db, enum stmt_id id, struct binder *bd)
{
	MYSQL_STMT *st = db->stmt[id];
	if (mysql_stmt_bind_param(st, bd->b) == 0 && mysql_stmt_execute(st) == 0)
		return 0;
	unsigned err = mysql_stmt_errno(st);
	IMS_WARN("ul_db: %.40s...: %s (%u)", stmt_sql[id], mysql_stmt_error(st), err);
	return error_kind(err);
}

/* A plain statement (transaction control): as stmt_run. */
static int query_run(struct scscf_ul_db *db, const char *sql)
{
	if (mysql_query(db->conn, sql) == 0)
		return 0;
	unsigned err = mysql_errno(db->conn);
	IMS_WARN("ul_db: %s: %s (%u)", sql, mysql_error(db->conn), err);
	return error_kind(err);
}

static int apply(struct scscf_ul_db *db, const struct op *op)
{
	struct binder bd = {.n = 0};
	int rc;

	switch (op->kind) {
	case OP_REG_SAVE:
		bind_str(&bd, op->impu);
		bind_str(&bd, op->impi);
		bind_str(&bd, op->assoc ? op->assoc : "");
		bind_str(&bd, op->user_data);
		return stmt_run(db, S_REG_SAVE, &bd);
	case OP_REG_DEL:
		bind_str(&bd, op->impu);
		rc = stmt_run(db, S_REG_DEL_CONTACTS, &bd);
		return rc ? rc : stmt_run(db, S_REG_DEL, &bd);
	case OP_CONTACT_SAVE:
		bind_str(&bd, op->impu);
		bind_str(&bd, op->ckey);
		bind_str(&bd, op->c.uri);
		bind_str(&bd, op->c.params);
		bind_str(&bd, op->c.path);
		bind_str(&bd, op->c.received);
		bind_str(&bd, op->c.call_id);
		bind_u32(&bd, &op->c.cseq);
		bind_str(&bd, op->c.instance);
		bind_u32(&bd, &op->c.reg_id);
		bind_i64(&bd, &op->c.expires);
		return stmt_run(db, S_CONTACT_SAVE, &bd);
	case OP_CONTACT_DEL:
		bind_str(&bd, op->impu);
		bind_str(&bd, op->ckey);
		return stmt_run(db, S_CONTACT_DEL, &bd);
	}
	return -1;
}

static void op_free(struct op *op)
{
	if (!op)
		return;
	free(op->assoc);
	free(op->user_data);
	free(op);
}

/* ---- the writer thread ---- */

static void heal_from_now(struct scscf_ul_db *db)
{
	atomic_store(&db->heal_until_ms, now_ms() + (int64_t)db->cfg.max_expires * 1000);
}

/* Stopping and past the deadline: give up what is not written. */
static bool give_up(struct scscf_ul_db *db, size_t n)
{
	pthread_mutex_lock(&db->lock);
	bool late = db->stopping && now_ms() >= db->stop_deadline_ms;
	pthread_mutex_unlock(&db->lock);
	if (late)
		IMS_WARN("ul_db: stopping with %zu unwritten change(s) (database away)", n);
	return late;
}

static void retry_pause(void)
{
	struct timespec ts = {0, 500 * 1000000L};
	nanosleep(&ts, NULL);
}

/* Apply op, reconnecting as long as the database is away.  Returns when
 * applied, dropped, or (stopping) the deadline passed. */
static void write_one(struct scscf_ul_db *db, const struct op *op)
{
	for (;;) {
		if (writer_connect(db) == 0) {
			int rc = apply(db, op);
			if (rc < 0 && op->kind == OP_REG_SAVE)
				heal_from_now(db);
			if (rc <= 0)
				return; /* done, or a bad change (logged) */
			writer_disconnect(db);
		}
		db->was_away = true;
		if (give_up(db, 1))
			return;
		retry_pause();
	}
}

/* The ops of a batch in one transaction: 0 committed, 1 the connection
 * failed (nothing of it is committed, or all of it and the answer was lost:
 * the ops are upserts and deletes, applying them again in order is
 * harmless), -1 a statement failed (rolled back). */
static int apply_batch(struct scscf_ul_db *db, const struct op *ops)
{
	int rc = query_run(db, "START TRANSACTION");

	for (const struct op *op = ops; op && rc == 0; op = op->next)
		rc = apply(db, op);
	if (rc == 0 && mysql_commit(db->conn) != 0) {
		rc = error_kind(mysql_errno(db->conn));
		IMS_WARN("ul_db: COMMIT: %s (%u)", mysql_error(db->conn), mysql_errno(db->conn));
	}
	if (rc < 0 && mysql_rollback(db->conn) != 0)
		return 1; /* the connection went too: try it all again */
	return rc;
}

/* Write the n ops of the list: in one transaction when there are
 * BATCH_MIN or more, again as a whole after the connection failed, one by
 * one (as write_one) after a statement failed, so that only the bad change
 * is dropped. */
static void write_batch(struct scscf_ul_db *db, const struct op *ops, size_t n)
{
	if (n < BATCH_MIN) {
		for (const struct op *op = ops; op; op = op->next)
			write_one(db, op);
		return;
	}
	for (;;) {
		if (writer_connect(db) == 0) {
			int rc = apply_batch(db, ops);
			if (rc == 0 && db->was_away)
				IMS_INFO("ul_db: %zu changes queued while the database was away "
				         "written in one transaction",
				         n);
			if (rc == 0)
				return;
			if (rc < 0) {
				for (const struct op *op = ops; op; op = op->next)
					write_one(db, op);
				return;
			}
			writer_disconnect(db);
		}
		db->was_away = true;
		if (give_up(db, n))
			return;
		retry_pause();
	}
}

static void *writer_main(void *arg)
{
	struct scscf_ul_db *db = arg;

	mysql_thread_init();
	pthread_mutex_lock(&db->lock);
	for (;;) {
		while (!db->head && !db->stopping)
			pthread_cond_wait(&db->cond, &db->lock);
		if (!db->head)
			break;
		if (db->stopping && now_ms() >= db->stop_deadline_ms)
			break;
		/* take up to BATCH_MAX ops off the queue */
		struct op *ops = db->head, *last = ops;
		size_t n = 1;
		while (last->next && n < BATCH_MAX) {
			last = last->next;
			n++;
		}
		db->head = last->next;
		last->next = NULL;
		if (!db->head)
			db->tail = &db->head;
		db->queued -= n;
		db->held = n;
		pthread_mutex_unlock(&db->lock);

		write_batch(db, ops, n);
		while (ops) {
			struct op *next = ops->next;
			op_free(ops);
			ops = next;
		}

		pthread_mutex_lock(&db->lock);
		db->held = 0;
		if (!db->head) {
			db->was_away = false;
			pthread_cond_broadcast(&db->drained);
		}
	}
	pthread_cond_broadcast(&db->drained);
	pthread_mutex_unlock(&db->lock);
	writer_disconnect(db);
	mysql_thread_end();
	return NULL;
}

/* ---- the hooks (root thread) ---- */

static void enqueue(struct scscf_ul_db *db, struct op *op)
{
	pthread_mutex_lock(&db->lock);
	if (db->queued >= (size_t)db->cfg.db_queue_max && db->head) {
		struct op *old = db->head;
		db->head = old->next;
		if (!db->head)
			db->tail = &db->head;
		db->queued--;
		if (old->kind == OP_REG_SAVE)
			heal_from_now(db);
		op_free(old);
		IMS_WARN("ul_db: queue full (%d): oldest change dropped", db->cfg.db_queue_max);
	}
	op->next = NULL;
	*db->tail = op;
	db->tail = &op->next;
	db->queued++;
	pthread_cond_signal(&db->cond);
	pthread_mutex_unlock(&db->lock);
}

/* Appends string v to the op's text at *at; returns where it went. */
static const char *put(char **at, const char *v)
{
	size_t n = strlen(v) + 1;
	char *where = *at;
	memcpy(where, v, n);
	*at += n;
	return where;
}

static void contact_key(const struct scscf_contact *c, char out[33])
{
	su_md5_t md5[1];
	char regid[16];
	snprintf(regid, sizeof regid, "%u", c->reg_id);
	su_md5_init(md5);
	su_md5_strupdate(md5, c->instance[0] ? c->instance : c->uri);
	su_md5_update(md5, "\n", 1);
	su_md5_strupdate(md5, c->instance[0] ? regid : "");
	su_md5_hexdigest(md5, out);
}

/* A change of reg, and of its contact c when there is one. */
static struct op *op_new(enum op_kind kind, const struct scscf_reg *reg,
                         const struct scscf_contact *c)
{
	size_t ids = strlen(reg->impu) + strlen(reg->impi) + 2;
	struct op *op = malloc(sizeof *op + ids + (c ? scscf_ul_contact_text(c) : 0));
	if (!op) {
		IMS_ERR("ul_db: out of memory: change of %s not written", reg->impu);
		return NULL;
	}
	memset(op, 0, sizeof *op);
	op->kind = kind;
	char *at = op->text;
	op->impu = put(&at, reg->impu);
	op->impi = put(&at, reg->impi);
	if (c) {
		scscf_ul_contact_copy(c, &op->c, at);
		contact_key(c, op->ckey);
	}
	return op;
}

static char *join_assoc(const struct scscf_reg *reg)
{
	size_t len = 1;
	for (int i = 0; i < reg->n_assoc; i++)
		len += strlen(reg->assoc[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < reg->n_assoc; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", reg->assoc[i]);
	*p = '\0';
	return s;
}

static void hook_reg_saved(void *arg, const struct scscf_reg *reg)
{
	struct op *op = op_new(OP_REG_SAVE, reg, NULL);
	if (!op)
		return;
	op->assoc = join_assoc(reg);
	op->user_data = reg->user_data ? strdup(reg->user_data) : NULL;
	if (!op->assoc || (reg->user_data && !op->user_data)) {
		IMS_ERR("ul_db: out of memory: registration of %s not written", reg->impu);
		op_free(op);
		return;
	}
	enqueue(arg, op);
}

static void hook_reg_removed(void *arg, const struct scscf_reg *reg)
{
	struct op *op = op_new(OP_REG_DEL, reg, NULL);
	if (op)
		enqueue(arg, op);
}

static void hook_contact_saved(void *arg, const struct scscf_reg *reg,
                               const struct scscf_contact *c)
{
	struct scscf_ul_db *db = arg;
	if (atomic_load(&db->heal_until_ms) > now_ms())
		hook_reg_saved(db, reg); /* its row may have been lost */
	struct op *op = op_new(OP_CONTACT_SAVE, reg, c);
	if (op)
		enqueue(arg, op);
}

static void hook_contact_removed(void *arg, const struct scscf_reg *reg,
                                 const struct scscf_contact *c)
{
	struct op *op = op_new(OP_CONTACT_DEL, reg, c);
	if (op)
		enqueue(arg, op);
}

void scscf_ul_db_hooks(struct scscf_ul_db *db, struct scscf_ul_hooks *hooks)
{
	hooks->reg_saved = hook_reg_saved;
	hooks->reg_removed = hook_reg_removed;
	hooks->contact_saved = hook_contact_saved;
	hooks->contact_removed = hook_contact_removed;
	hooks->arg = db;
}

/* ---- life ---- */

struct scscf_ul_db *scscf_ul_db_start(const struct scscf_cfg *cfg)
{
	struct scscf_ul_db *db = calloc(1, sizeof *db);
	if (!db)
		return NULL;
	db->cfg = *cfg;
	db->tail = &db->head;
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->cond, NULL);
	pthread_cond_init(&db->drained, NULL);
	if (pthread_create(&db->thread, NULL, writer_main, db) != 0) {
		IMS_ERR("ul_db: cannot start the writer thread");
		pthread_mutex_destroy(&db->lock);
		pthread_cond_destroy(&db->cond);
		pthread_cond_destroy(&db->drained);
		free(db);
		return NULL;
	}
	return db;
}

size_t scscf_ul_db_pending(struct scscf_ul_db *db)
{
	pthread_mutex_lock(&db->lock);
	size_t n = db->queued + db->held;
	pthread_mutex_unlock(&db->lock);
	return n;
}

int scscf_ul_db_flush(struct scscf_ul_db *db, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&db->lock);
	while ((db->head || db->held) &&
	       pthread_cond_timedwait(&db->drained, &db->lock, &until) == 0)
		;
	int rc = db->head || db->held ? -1 : 0;
	pthread_mutex_unlock(&db->lock);
	return rc;
}

void scscf_ul_db_stop(struct scscf_ul_db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&db->lock);
	db->stopping = true;
	db->stop_deadline_ms = now_ms() + 2000;
	pthread_cond_signal(&db->cond);
	pthread_mutex_unlock(&db->lock);
	pthread_join(db->thread, NULL);
	while (db->head) {
		struct op *op = db->head;
		db->head = op->next;
		op_free(op);
	}
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->cond);
	pthread_cond_destroy(&db->drained);
	free(db);
}

/* ---- loading at start ---- */

static int load_regs(MYSQL *m, struct scscf_ul *ul)
{
	static const char q[] = "SELECT impu, impi, associated, user_data FROM registration";
	if (mysql_query(m, q) != 0)
		return -1;
	MYSQL_RES *res = mysql_store_result(m);
	if (!res)
		return -1;
	int n = 0;
	for (MYSQL_ROW row; (row = mysql_fetch_row(res));) {
		struct scscf_reg *reg = row[0] && row[1] ? scscf_ul_add(ul, row[0], row[1]) : NULL;
		if (!reg) {
			IMS_WARN("ul_db: registration of %s not loaded", row[0] ? row[0] : "?");
			continue;
		}
		const char *ids[SCSCF_ASSOC_MAX];
		int nids = 0;
		char *assoc = row[2] ? strdup(row[2]) : NULL, *save = NULL;
		for (char *t = assoc ? strtok_r(assoc, "\n", &save) : NULL;
		     t && nids < SCSCF_ASSOC_MAX; t = strtok_r(NULL, "\n", &save))
			ids[nids++] = t;
		scscf_ul_set_profile(ul, reg, ids, nids, row[3]);
		free(assoc);
		n++;
	}
	mysql_free_result(res);
	return n;
}

static void load_contact_row(struct scscf_ul *ul, MYSQL_ROW row)
{
	struct scscf_reg *reg = row[0] ? scscf_ul_find(ul, row[0]) : NULL;
	struct scscf_binding c = {0};
	int err;

	if (!reg || strcmp(reg->impu, row[0]) != 0 || !row[1])
		return;
	snprintf(c.uri, sizeof c.uri, "%s", row[1]);
	snprintf(c.params, sizeof c.params, "%s", row[2] ? row[2] : "");
	snprintf(c.path, sizeof c.path, "%s", row[3] ? row[3] : "");
	snprintf(c.received, sizeof c.received, "%s", row[4] ? row[4] : "");
	snprintf(c.call_id, sizeof c.call_id, "%s", row[5] ? row[5] : "");
	c.cseq = row[6] ? (uint32_t)strtoul(row[6], NULL, 10) : 0;
	snprintf(c.instance, sizeof c.instance, "%s", row[7] ? row[7] : "");
	c.reg_id = row[8] ? (unsigned)strtoul(row[8], NULL, 10) : 0;
	c.expires = row[9] ? strtoll(row[9], NULL, 10) : 0;
	if (!scscf_ul_contact_save(ul, reg, &c, &err))
		IMS_WARN("ul_db: contact %s of %s not loaded (%d)", c.uri, reg->impu, err);
}

static int load_contacts(MYSQL *m, struct scscf_ul *ul)
{
	static const char q[] = "SELECT impu, uri, params, path, received, call_id, cseq, "
	                        "instance, reg_id, expires FROM contact";
	if (mysql_query(m, q) != 0)
		return -1;
	MYSQL_RES *res = mysql_store_result(m);
	if (!res)
		return -1;
	for (MYSQL_ROW row; (row = mysql_fetch_row(res));)
		load_contact_row(ul, row);
	mysql_free_result(res);
	return 0;
}

int scscf_ul_db_load(const struct scscf_cfg *cfg, struct scscf_ul *ul)
{
	MYSQL *m = db_connect(cfg);
	if (!m) {
		IMS_ERR("ul_db: cannot load the registrations: database %s:%d/%s unavailable",
		        cfg->db_host, cfg->db_port, cfg->db_name);
		return -1;
	}
	int n = load_regs(m, ul);
	if (n < 0 || load_contacts(m, ul) < 0) {
		IMS_ERR("ul_db: cannot load the registrations: %s (schema sql/ims_scscf applied?)",
		        mysql_error(m));
		mysql_close(m);
		return -1;
	}
	mysql_close(m);
	IMS_INFO("ul_db: loaded %d registration(s) from %s", n, cfg->db_name);
	return n;
}
