/* ctl_set — change a subscriber: credentials, default scheme, profile,
 * public identities and their barring, all in one transaction. */
#include "ctl.h"
#include "ctl_db.h"
#include "ctl_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the database says about the private identity. */
struct cur {
	uint64_t id;
	bool found, has_password, has_k, has_op;
	char def[32];
	uint64_t set, profile; /* of its first public identity; 0: none */
	int nimpus;
};

static int cur_row(void *ctx, int ncols, char **cols)
{
	struct cur *c = ctx;

	c->found = true;
	c->id = strtoull(cols[0], NULL, 10);
	c->has_password = cols[1] || cols[2];
	c->has_k = cols[3] != NULL;
	c->has_op = cols[4] || cols[5];
	snprintf(c->def, sizeof c->def, "%s", cols[6] ? cols[6] : "");
	return 1;
}

static int set_row(void *ctx, int ncols, char **cols)
{
	struct cur *c = ctx;

	if (c->nimpus++ == 0) {
		c->set = strtoull(cols[0], NULL, 10);
		c->profile = strtoull(cols[1], NULL, 10);
	}
	return 0;
}

static int load(struct ctl_db *db, const char *impi, struct cur *c)
{
	static const char q_impi[] =
	    "SELECT id, password, ha1, k, op, opc, default_auth_scheme FROM impi "
	    "WHERE identity = ? FOR UPDATE";
	static const char q_set[] =
	    "SELECT u.implicit_set, u.service_profile_id FROM impu u JOIN impi_impu ii "
	    "ON ii.impu_id = u.id WHERE ii.impi_id = ? ORDER BY u.id";
	struct ctl_db_param p[] = {CTL_S(impi)};

	memset(c, 0, sizeof *c);
	if (ctl_db_exec(db, q_impi, p, 1, cur_row, c, NULL) < 0)
		return -1;
	if (!c->found)
		return 1;
	struct ctl_db_param pi[] = {CTL_U(c->id)};
	return ctl_db_exec(db, q_set, pi, 1, set_row, c, NULL) < 0 ? -1 : 0;
}

/* One UPDATE of impi's column(s) from a constant statement. */
static int upd(struct ctl_db *db, const char *sql, const char *v, uint64_t id)
{
	struct ctl_db_param p[] = {CTL_S(v), CTL_U(id)};

	return ctl_db_exec(db, sql, p, 2, NULL, NULL, NULL);
}

static int set_credentials(const struct ctl_args *a, struct ctl_db *db, struct cur *c)
{
	static const char q_pw[] = "UPDATE impi SET password = ?, ha1 = NULL WHERE id = ?";
	static const char q_k[] = "UPDATE impi SET k = ? WHERE id = ?";
	static const char q_op[] = "UPDATE impi SET op = ?, opc = NULL WHERE id = ?";
	static const char q_opc[] = "UPDATE impi SET opc = ?, op = NULL WHERE id = ?";
	static const char q_amf[] = "UPDATE impi SET amf = ? WHERE id = ?";
	static const char q_sqn[] = "UPDATE impi SET sqn = ? WHERE id = ?";
	int rc = 0;

	if (a->password)
		rc |= upd(db, q_pw, a->password, c->id);
	if (a->k[0])
		rc |= upd(db, q_k, a->k, c->id);
	if (a->op[0] || (a->k[0] && !c->has_op && !a->opc[0]))
		rc |= upd(db, q_op, a->op[0] ? a->op : CTL_LAB_OP, c->id);
	if (a->opc[0])
		rc |= upd(db, q_opc, a->opc, c->id);
	if (a->amf[0])
		rc |= upd(db, q_amf, a->amf, c->id);
	if (a->sqn >= 0) {
		struct ctl_db_param p[] = {CTL_U(a->sqn), CTL_U(c->id)};
		rc |= ctl_db_exec(db, q_sqn, p, 2, NULL, NULL, NULL);
	}
	c->has_password |= a->password != NULL;
	c->has_k |= a->k[0] != '\0';
	return rc ? -1 : 0;
}

/* Recompute the allowed schemes; keep the default unless asked or no
 * longer possible.  Returns 0, -1 (database) or CTL_USAGE (printed). */
static int set_schemes(const struct ctl_args *a, struct ctl_db *db, const struct cur *c)
{
	static const char q[] =
	    "UPDATE impi SET auth_schemes = ?, default_auth_scheme = ? WHERE id = ?";
	char schemes[64], err[256];
	const char *want = a->scheme, *def;

	if (!want && c->def[0] &&
	    (strcmp(c->def, CTL_SCHEME_AKA) == 0 ? c->has_k : c->has_password))
		want = ctl_scheme_parse(c->def);
	if (ctl_store_schemes(c->has_password, c->has_k, want, schemes, sizeof schemes, &def, err,
	                      sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	struct ctl_db_param p[] = {CTL_S(schemes), CTL_S(def), CTL_U(c->id)};
	return ctl_db_exec(db, q, p, 3, NULL, NULL, NULL) < 0 ? -1 : 0;
}

/* The id of a public identity of this private identity: 0, 1 (not its) or -1. */
static int impu_of(struct ctl_db *db, uint64_t impi_id, const char *uri, uint64_t *id)
{
	static const char q[] = "SELECT u.id FROM impu u JOIN impi_impu ii ON ii.impu_id = u.id "
	                        "WHERE ii.impi_id = ? AND u.identity = ?";
	struct ctl_db_param p[] = {CTL_U(impi_id), CTL_S(uri)};

	return ctl_db_u64(db, q, p, 2, id);
}

static int set_barring(const struct ctl_args *a, struct ctl_db *db, const struct cur *c,
                       const struct ctl_list *l, int value)
{
	static const char q[] = "UPDATE impu SET barring = ? WHERE id = ?";
	uint64_t id;
	int rc;

	for (int i = 0; i < l->n; i++) {
		if ((rc = impu_of(db, c->id, l->v[i], &id)) != 0) {
			if (rc > 0)
				ctl_err(a, "%s is not a public identity of %s", l->v[i], a->pos[0]);
			return rc > 0 ? CTL_FAIL : -1;
		}
		struct ctl_db_param p[] = {CTL_U(value), CTL_U(id)};
		if (ctl_db_exec(db, q, p, 2, NULL, NULL, NULL) < 0)
			return -1;
	}
	return 0;
}

static int add_impus(const struct ctl_args *a, struct ctl_db *db, struct cur *c)
{
	static const char q_taken[] = "SELECT 1 FROM impu WHERE identity = ?";
	static const char q_set[] = "SELECT COALESCE(MAX(implicit_set), 0) + 1 FROM impu";
	static const char q_sp[] = "SELECT id FROM service_profile WHERE name = ?";
	static const char q_ins[] =
	    "INSERT INTO impu (identity, identity_type, implicit_set, service_profile_id, "
	    "barring, can_register) VALUES (?, 'public_user', ?, ?, 0, 1)";
	static const char q_link[] =
	    "INSERT INTO impi_impu (impi_id, impu_id) SELECT ?, id FROM impu WHERE identity = ?";
	static const char q_vn[] =
	    "INSERT INTO impu_visited_network (impu_id, visited_network_id) SELECT u.id, v.id "
	    "FROM impu u, visited_network v WHERE u.identity = ? AND v.identity = ?";
	struct ctl_db_param pd[] = {CTL_S(CTL_DEFAULT_PROFILE)};
	uint64_t n;

	if (a->impus.n && c->nimpus == 0 &&
	    (ctl_db_u64(db, q_set, NULL, 0, &c->set) < 0 ||
	     ctl_db_u64(db, q_sp, pd, 1, &c->profile) < 0))
		return -1;
	for (int i = 0; i < a->impus.n; i++) {
		const char *u = a->impus.v[i];
		struct ctl_db_param pt[] = {CTL_S(u)};
		struct ctl_db_param pi[] = {CTL_S(u), CTL_U(c->set), CTL_U(c->profile)};
		struct ctl_db_param pl[] = {CTL_U(c->id), CTL_S(u)};
		struct ctl_db_param pv[] = {
		    CTL_S(u),
		    CTL_S(strchr(a->pos[0], '@') ? strchr(a->pos[0], '@') + 1 : a->domain)};
		if (ctl_db_exec(db, q_taken, pt, 1, NULL, NULL, &n) < 0)
			return -1;
		if (n > 0) {
			ctl_err(a, "public identity %s already exists", u);
			return CTL_FAIL;
		}
		if (ctl_db_exec(db, q_ins, pi, 3, NULL, NULL, NULL) < 0 ||
		    ctl_db_exec(db, q_link, pl, 2, NULL, NULL, NULL) < 0 ||
		    ctl_db_exec(db, q_vn, pv, 2, NULL, NULL, NULL) < 0)
			return -1;
		c->nimpus++;
	}
	return 0;
}

static int remove_impus(const struct ctl_args *a, struct ctl_db *db, struct cur *c)
{
	static const char q_unlink[] = "DELETE FROM impi_impu WHERE impi_id = ? AND impu_id = ?";
	static const char q_orphan[] = "DELETE FROM impu WHERE id = ? AND NOT EXISTS "
	                               "(SELECT 1 FROM impi_impu WHERE impu_id = ?)";
	uint64_t id;
	int rc;

	for (int i = 0; i < a->remove.n; i++) {
		if ((rc = impu_of(db, c->id, a->remove.v[i], &id)) != 0) {
			if (rc > 0)
				ctl_err(a, "%s is not a public identity of %s", a->remove.v[i],
				        a->pos[0]);
			return rc > 0 ? CTL_FAIL : -1;
		}
		if (c->nimpus <= 1) {
			ctl_err(a,
			        "%s is the last public identity of %s; delete the subscriber "
			        "instead",
			        a->remove.v[i], a->pos[0]);
			return CTL_FAIL;
		}
		struct ctl_db_param pu[] = {CTL_U(c->id), CTL_U(id)};
		struct ctl_db_param po[] = {CTL_U(id), CTL_U(id)};
		if (ctl_db_exec(db, q_unlink, pu, 2, NULL, NULL, NULL) < 0 ||
		    ctl_db_exec(db, q_orphan, po, 2, NULL, NULL, NULL) < 0)
			return -1;
		c->nimpus--;
	}
	return 0;
}

static int set_profile(const struct ctl_args *a, struct ctl_db *db, const struct cur *c)
{
	static const char q_sp[] = "SELECT id FROM service_profile WHERE name = ?";
	static const char q[] = "UPDATE impu u JOIN impi_impu ii ON ii.impu_id = u.id "
	                        "SET u.service_profile_id = ? WHERE ii.impi_id = ?";
	struct ctl_db_param p[] = {CTL_S(a->profile)};
	uint64_t sp;
	int rc = ctl_db_u64(db, q_sp, p, 1, &sp);

	if (rc != 0) {
		if (rc > 0)
			ctl_err(a, "no service profile '%s' in the database", a->profile);
		return rc > 0 ? CTL_FAIL : -1;
	}
	struct ctl_db_param pu[] = {CTL_U(sp), CTL_U(c->id)};
	return ctl_db_exec(db, q, pu, 2, NULL, NULL, NULL) < 0 ? -1 : 0;
}

static bool nothing_to_do(const struct ctl_args *a)
{
	return !a->password && !a->k[0] && !a->op[0] && !a->opc[0] && !a->amf[0] && !a->scheme &&
	       !a->profile && a->sqn < 0 && !a->impus.n && !a->bar.n && !a->unbar.n && !a->remove.n;
}

/* Every change, in order.  Returns 0, -1 (database) or a CTL_* code. */
static int apply_all(const struct ctl_args *a, struct ctl_db *db, struct cur *c)
{
	int rc;

	if ((rc = set_credentials(a, db, c)) != 0 || (rc = set_schemes(a, db, c)) != 0 ||
	    (rc = add_impus(a, db, c)) != 0 || (rc = remove_impus(a, db, c)) != 0 ||
	    (rc = set_barring(a, db, c, &a->bar, 1)) != 0 ||
	    (rc = set_barring(a, db, c, &a->unbar, 0)) != 0)
		return rc;
	return a->profile ? set_profile(a, db, c) : 0;
}

int ctl_cmd_set(struct ctl_args *a)
{
	char impi[CTL_ID_MAX], err[512];
	struct ctl_db *db;
	struct cur c;
	int rc;

	if (ctl_impi_of(a, a->pos[0], impi, sizeof impi, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	if (nothing_to_do(a)) {
		ctl_err(a, "nothing to change (imsctl set --help lists what can be)");
		return CTL_USAGE;
	}
	if (a->op[0] && a->opc[0]) {
		ctl_err(a, "--op and --opc exclude each other");
		return CTL_USAGE;
	}
	if (!(db = ctl_db_connect(a)))
		return CTL_FAIL;
	rc = ctl_db_lock(db) < 0 ? -1 : load(db, impi, &c);
	if (rc == 1) {
		ctl_err(a, "no subscriber %s", impi);
		rc = CTL_FAIL;
	} else if (rc == 0 && (rc = apply_all(a, db, &c)) == 0 && (rc = ctl_db_commit(db)) == 0) {
		printf("updated %s\n", impi);
	}
	if (rc < 0)
		rc = ctl_db_failed(a, db);
	else if (rc > 0)
		ctl_db_rollback(db);
	ctl_db_close(db);
	return rc;
}
