/* ctl_store — see ctl_store.h. */
#include "ctl_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_store_schemes(bool has_password, bool has_k, const char *want, char *schemes, size_t size,
                      const char **def, char *err, size_t len)
{
	snprintf(schemes, size, "%s%s%s", has_k ? CTL_SCHEME_AKA : "",
	         has_k && has_password ? "," : "",
	         has_password ? CTL_SCHEME_MD5 "," CTL_SCHEME_LEGACY : "");
	if (want && strcmp(want, CTL_SCHEME_AKA) == 0 && !has_k) {
		snprintf(err, len, "--scheme aka needs an AKA key (--aka-k or --aka-k-ascii)");
		return -1;
	}
	if (want && strcmp(want, CTL_SCHEME_AKA) != 0 && !has_password) {
		snprintf(err, len, "--scheme %s needs a password (--password)",
		         ctl_scheme_short(want));
		return -1;
	}
	*def = want ? want : has_password ? CTL_SCHEME_MD5 : CTL_SCHEME_AKA;
	return 0;
}

int ctl_store_cred(const struct ctl_args *a, struct ctl_cred *cr)
{
	bool has_k = a->k[0] != '\0';
	char err[256];

	memset(cr, 0, sizeof *cr);
	if (!a->password && !has_k) {
		ctl_err(a, "give --password PW (MD5), an AKA key (--aka-k HEX), or both");
		return CTL_USAGE;
	}
	if (a->op[0] && a->opc[0]) {
		ctl_err(a, "--op and --opc exclude each other (the HSS derives OPc from OP)");
		return CTL_USAGE;
	}
	if (!has_k && (a->op[0] || a->opc[0])) {
		ctl_err(a, "--op/--opc without an AKA key (--aka-k) has no use");
		return CTL_USAGE;
	}
	if (ctl_store_schemes(a->password != NULL, has_k, a->scheme, cr->schemes,
	                      sizeof cr->schemes, &cr->default_scheme, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	cr->password = a->password;
	cr->k = has_k ? a->k : NULL;
	cr->opc = a->opc[0] ? a->opc : NULL;
	cr->op = a->op[0] ? a->op : (has_k && !cr->opc ? CTL_LAB_OP : NULL);
	cr->amf = a->amf[0] ? a->amf : CTL_LAB_AMF;
	cr->barred = a->barred;
	return CTL_OK;
}

void ctl_store_imsu_name(const char *user, const char *domain, char *out, size_t len)
{
	if (strcmp(domain, CTL_DEFAULT_DOMAIN) == 0)
		snprintf(out, len, "%s", user);
	else
		snprintf(out, len, "%s@%s", user, domain);
}

int ctl_store_begin(struct ctl_db *db, const char *profile, const char *domain, struct ctl_cred *cr,
                    struct ctl_ids *ids)
{
	static const char q_sp[] = "SELECT id FROM service_profile WHERE name = ?";
	static const char q_vn[] = "SELECT id FROM visited_network WHERE identity = ?";
	static const char q_imsu[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM imsu";
	static const char q_impi[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM impi";
	static const char q_impu[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM impu";
	static const char q_set[] = "SELECT COALESCE(MAX(implicit_set), 0) + 1 FROM impu";
	struct ctl_db_param p[] = {CTL_S(profile)}, pd[] = {CTL_S(domain)};
	int rc;

	memset(ids, 0, sizeof *ids);
	if (ctl_db_lock(db) < 0)
		return -1;
	rc = ctl_db_u64(db, q_sp, p, 1, &cr->profile_id);
	if (rc != 0)
		return rc;
	if (ctl_db_u64(db, q_vn, pd, 1, &ids->vn) < 0 ||
	    ctl_db_u64(db, q_imsu, NULL, 0, &ids->imsu) < 0 ||
	    ctl_db_u64(db, q_impi, NULL, 0, &ids->impi) < 0 ||
	    ctl_db_u64(db, q_impu, NULL, 0, &ids->impu) < 0 ||
	    ctl_db_u64(db, q_set, NULL, 0, &ids->set) < 0)
		return -1;
	return 0;
}

/* Column arrays of one batch. */
struct batch {
	uint64_t *imsu_id, *impi_id, *impu_id, *impu_impi, *impu_set, *sp, *barring, *vn;
	const char **imsu_name, **impi_name, **impu_name;
	const char **schemes, **def, **pw, **k, **op, **opc, **amf;
};

static void batch_free(struct batch *b)
{
	void **all[] = {(void **)&b->imsu_id,   (void **)&b->impi_id,   (void **)&b->impu_id,
	                (void **)&b->impu_impi, (void **)&b->impu_set,  (void **)&b->sp,
	                (void **)&b->barring,   (void **)&b->vn,        (void **)&b->imsu_name,
	                (void **)&b->impi_name, (void **)&b->impu_name, (void **)&b->schemes,
	                (void **)&b->def,       (void **)&b->pw,        (void **)&b->k,
	                (void **)&b->op,        (void **)&b->opc,       (void **)&b->amf};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
}

static int batch_alloc(struct batch *b, unsigned n, unsigned m)
{
	memset(b, 0, sizeof *b);
	b->imsu_id = calloc(n, sizeof(uint64_t));
	b->impi_id = calloc(n, sizeof(uint64_t));
	b->imsu_name = calloc(n, sizeof(char *));
	b->impi_name = calloc(n, sizeof(char *));
	b->schemes = calloc(n, sizeof(char *));
	b->def = calloc(n, sizeof(char *));
	b->pw = calloc(n, sizeof(char *));
	b->k = calloc(n, sizeof(char *));
	b->op = calloc(n, sizeof(char *));
	b->opc = calloc(n, sizeof(char *));
	b->amf = calloc(n, sizeof(char *));
	b->impu_id = calloc(m, sizeof(uint64_t));
	b->impu_impi = calloc(m, sizeof(uint64_t));
	b->impu_set = calloc(m, sizeof(uint64_t));
	b->sp = calloc(m, sizeof(uint64_t));
	b->barring = calloc(m, sizeof(uint64_t));
	b->vn = calloc(m, sizeof(uint64_t));
	b->impu_name = calloc(m, sizeof(char *));
	if (!b->imsu_id || !b->impi_id || !b->imsu_name || !b->impi_name || !b->schemes ||
	    !b->def || !b->pw || !b->k || !b->op || !b->opc || !b->amf || !b->impu_id ||
	    !b->impu_impi || !b->impu_set || !b->sp || !b->barring || !b->vn || !b->impu_name) {
		batch_free(b);
		return -1;
	}
	return 0;
}

static void batch_fill(struct batch *b, const struct ctl_cred *cr, const struct ctl_new *subs,
                       unsigned n, struct ctl_ids *ids)
{
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		b->imsu_id[i] = ids->imsu++;
		b->impi_id[i] = ids->impi++;
		b->imsu_name[i] = subs[i].imsu;
		b->impi_name[i] = subs[i].impi;
		b->schemes[i] = cr->schemes;
		b->def[i] = cr->default_scheme;
		b->pw[i] = cr->password;
		b->k[i] = cr->k;
		b->op[i] = cr->op;
		b->opc[i] = cr->opc;
		b->amf[i] = cr->amf;
		for (int j = 0; j < subs[i].nimpus; j++, m++) {
			b->impu_id[m] = ids->impu++;
			b->impu_impi[m] = b->impi_id[i];
			b->impu_set[m] = ids->set;
			b->sp[m] = cr->profile_id;
			b->barring[m] = cr->barred ? 1 : 0;
			b->vn[m] = ids->vn;
			b->impu_name[m] = subs[i].impus[j];
		}
		ids->set++;
	}
}

static int batch_run(struct ctl_db *db, const struct batch *b, unsigned n, unsigned m, bool vn)
{
	static const char q_imsu[] = "INSERT INTO imsu (id, name) VALUES (?, ?)";
	static const char q_impi[] =
	    "INSERT INTO impi (id, imsu_id, identity, auth_schemes, default_auth_scheme, "
	    "password, ha1, k, op, opc, amf, sqn) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, 0)";
	static const char q_impu[] =
	    "INSERT INTO impu (id, identity, identity_type, implicit_set, service_profile_id, "
	    "barring, can_register) VALUES (?, ?, 'public_user', ?, ?, ?, 1)";
	static const char q_link[] = "INSERT INTO impi_impu (impi_id, impu_id) VALUES (?, ?)";
	static const char q_vn[] =
	    "INSERT INTO impu_visited_network (impu_id, visited_network_id) VALUES (?, ?)";
	const struct ctl_db_col imsu[] = {{CTL_DB_U64, NULL, b->imsu_id},
	                                  {CTL_DB_STR, b->imsu_name, NULL}};
	const struct ctl_db_col impi[] = {
	    {CTL_DB_U64, NULL, b->impi_id},   {CTL_DB_U64, NULL, b->imsu_id},
	    {CTL_DB_STR, b->impi_name, NULL}, {CTL_DB_STR, b->schemes, NULL},
	    {CTL_DB_STR, b->def, NULL},       {CTL_DB_STR, b->pw, NULL},
	    {CTL_DB_STR, b->k, NULL},         {CTL_DB_STR, b->op, NULL},
	    {CTL_DB_STR, b->opc, NULL},       {CTL_DB_STR, b->amf, NULL}};
	const struct ctl_db_col impu[] = {{CTL_DB_U64, NULL, b->impu_id},
	                                  {CTL_DB_STR, b->impu_name, NULL},
	                                  {CTL_DB_U64, NULL, b->impu_set},
	                                  {CTL_DB_U64, NULL, b->sp},
	                                  {CTL_DB_U64, NULL, b->barring}};
	const struct ctl_db_col link[] = {{CTL_DB_U64, NULL, b->impu_impi},
	                                  {CTL_DB_U64, NULL, b->impu_id}};
	const struct ctl_db_col vnl[] = {{CTL_DB_U64, NULL, b->impu_id}, {CTL_DB_U64, NULL, b->vn}};

	if (ctl_db_bulk(db, q_imsu, imsu, 2, n) < 0 || ctl_db_bulk(db, q_impi, impi, 10, n) < 0 ||
	    ctl_db_bulk(db, q_impu, impu, 5, m) < 0 || ctl_db_bulk(db, q_link, link, 2, m) < 0)
		return -1;
	return vn ? ctl_db_bulk(db, q_vn, vnl, 2, m) : 0;
}

int ctl_store_insert(struct ctl_db *db, const struct ctl_cred *cr, const struct ctl_new *subs,
                     unsigned n, struct ctl_ids *ids)
{
	struct batch b;
	unsigned m = 0;
	int rc;

	for (unsigned i = 0; i < n; i++)
		m += (unsigned)subs[i].nimpus;
	if (batch_alloc(&b, n, m ? m : 1) < 0)
		return -1;
	batch_fill(&b, cr, subs, n, ids);
	rc = batch_run(db, &b, n, m, ids->vn != 0);
	batch_free(&b);
	return rc;
}

/* --- delete --------------------------------------------------------- */

/* The private identities to delete are collected in a temporary table, and
 * a few set-based statements delete them all (fast for bulk-delete, the
 * same code for one). */
int ctl_store_delete_begin(struct ctl_db *db)
{
	static const char q_mk[] = "CREATE TEMPORARY TABLE IF NOT EXISTS imsctl_del "
	                           "(identity VARCHAR(255) NOT NULL PRIMARY KEY)";
	static const char q_mku[] = "CREATE TEMPORARY TABLE IF NOT EXISTS imsctl_del_impu "
	                            "(id INT UNSIGNED NOT NULL PRIMARY KEY)";
	static const char q_mkm[] = "CREATE TEMPORARY TABLE IF NOT EXISTS imsctl_del_imsu "
	                            "(id INT UNSIGNED NOT NULL PRIMARY KEY)";
	static const char q_clr[] = "DELETE FROM imsctl_del";
	static const char q_clru[] = "DELETE FROM imsctl_del_impu";
	static const char q_clrm[] = "DELETE FROM imsctl_del_imsu";
	const char *const all[] = {q_mk, q_mku, q_mkm, q_clr, q_clru, q_clrm};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (ctl_db_exec(db, all[i], NULL, 0, NULL, NULL, NULL) < 0)
			return -1;
	return 0;
}

int ctl_store_delete_add(struct ctl_db *db, const char *const *impis, unsigned n)
{
	static const char q[] = "INSERT IGNORE INTO imsctl_del (identity) VALUES (?)";
	const struct ctl_db_col col[] = {{CTL_DB_STR, impis, NULL}};

	return ctl_db_bulk(db, q, col, 1, n);
}

struct reg_ctx {
	char *err;
	size_t len;
	int n;
};

static int reg_row(void *ctx, int ncols, char **cols)
{
	struct reg_ctx *r = ctx;

	if (r->n++ == 0)
		snprintf(r->err, r->len, "%s is %s at %s", cols[0], cols[1],
		         cols[2] ? cols[2] : "an S-CSCF");
	return 0;
}

int ctl_store_delete_run(struct ctl_db *db, bool force, uint64_t *deleted, char *err, size_t len)
{
	static const char q_reg[] =
	    "SELECT u.identity, u.reg_state, u.scscf_name FROM imsctl_del d "
	    "JOIN impi i ON i.identity = d.identity JOIN impi_impu ii ON ii.impi_id = i.id "
	    "JOIN impu u ON u.id = ii.impu_id WHERE u.reg_state <> 'not_registered' LIMIT 1";
	static const char q_impu[] =
	    "INSERT IGNORE INTO imsctl_del_impu (id) SELECT ii.impu_id FROM imsctl_del d "
	    "JOIN impi i ON i.identity = d.identity JOIN impi_impu ii ON ii.impi_id = i.id";
	static const char q_imsu[] =
	    "INSERT IGNORE INTO imsctl_del_imsu (id) SELECT i.imsu_id FROM imsctl_del d "
	    "JOIN impi i ON i.identity = d.identity";
	static const char q_impi[] =
	    "DELETE FROM impi WHERE identity IN (SELECT identity FROM imsctl_del)";
	/* Public identities another private identity still uses stay. */
	static const char q_del_impu[] =
	    "DELETE FROM impu WHERE id IN (SELECT id FROM imsctl_del_impu) AND NOT EXISTS "
	    "(SELECT 1 FROM impi_impu ii WHERE ii.impu_id = impu.id)";
	static const char q_del_imsu[] =
	    "DELETE FROM imsu WHERE id IN (SELECT id FROM imsctl_del_imsu) AND NOT EXISTS "
	    "(SELECT 1 FROM impi WHERE impi.imsu_id = imsu.id)";
	struct reg_ctx reg = {err, len, 0};

	if (ctl_db_exec(db, q_reg, NULL, 0, reg_row, &reg, NULL) < 0)
		return -1;
	if (reg.n > 0 && !force)
		return 2;
	if (ctl_db_exec(db, q_impu, NULL, 0, NULL, NULL, NULL) < 0 ||
	    ctl_db_exec(db, q_imsu, NULL, 0, NULL, NULL, NULL) < 0 ||
	    ctl_db_exec(db, q_impi, NULL, 0, NULL, NULL, deleted) < 0 ||
	    ctl_db_exec(db, q_del_impu, NULL, 0, NULL, NULL, NULL) < 0 ||
	    ctl_db_exec(db, q_del_imsu, NULL, 0, NULL, NULL, NULL) < 0)
		return -1;
	return 0;
}

int ctl_store_delete(struct ctl_db *db, const char *impi, bool force, char *err, size_t len)
{
	const char *one[] = {impi};
	uint64_t deleted = 0;
	int rc;

	if (ctl_store_delete_begin(db) < 0 || ctl_store_delete_add(db, one, 1) < 0)
		return -1;
	rc = ctl_store_delete_run(db, force, &deleted, err, len);
	return rc != 0 ? rc : deleted ? 0 : 1;
}
