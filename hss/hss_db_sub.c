/* hss_db_sub — the subscriber queries of hss_db.h over hss_db_exec(). */
#include "hss_db.h"

#include "hss_cache.h"

#include "ims_log.h"

#include <stdio.h>
#include <string.h>

enum {
	Q_IMPI_GET,
	Q_IMPU_GET,
	Q_IMPU_WILDCARD,
	Q_IMPI_IMPU,
	Q_ROAMING,
	Q_IMPLICIT_SET,
	Q_IMPUS_OF_IMPI,
	Q_IMPI_OF_IMPU,
	Q_UNREG_SERVICES,
	Q_SET_STATE,
	Q_SQN_RESERVE,
	Q_SQN_RESYNC,
	Q_PROFILE_IFCS,
	Q_PROFILE_SPTS,
	Q_PAIR_GET,
	Q_PAIR_GET_SET,
	Q_CAPS_AND_NAMES,
	Q_COUNT
};

#define IMPU_COLS                                                                     \
	"u.id, u.identity, u.identity_type + 0, u.wildcard, u.implicit_set, "          \
	"u.service_profile_id, u.barring, u.can_register, u.reg_state + 0, "           \
	"u.scscf_name, u.origin_host, u.origin_realm"
#define IMPU_NCOLS 12
#define SQN_MOD "281474976710656"
#define PAIR_COLS                                                                     \
	"SELECT i.id, i.imsu_id, i.identity, i.auth_schemes, i.default_auth_scheme, "  \
	"i.password, i.ha1, i.k, i.op, i.opc, i.amf, " IMPU_COLS
#define PAIR_FROM                                                                     \
	" FROM impi i JOIN impi_impu ii ON ii.impi_id = i.id JOIN impu u "              \
	"ON u.id = ii.impu_id WHERE i.identity = ? AND u.identity = ?"
#define PAIR_NCOLS (11 + IMPU_NCOLS) /* no sqn: hss_db_sqn_* */

const struct hss_db_query hss_db_queries[] = {
	[Q_IMPI_GET] = {"SELECT id, imsu_id, identity, auth_schemes, default_auth_scheme, "
			"password, ha1, k, op, opc, amf, sqn FROM impi WHERE identity = ?",
			1, 12},
	[Q_IMPU_GET] = {"SELECT " IMPU_COLS " FROM impu u WHERE u.identity = ?", 1, IMPU_NCOLS},
	[Q_IMPU_WILDCARD] = {"SELECT " IMPU_COLS " FROM impu u WHERE u.identity_type = "
			     "'wildcard_psi' AND u.wildcard IS NOT NULL AND ? REGEXP u.wildcard "
			     "ORDER BY u.id LIMIT 1",
			     1, IMPU_NCOLS},
	[Q_IMPI_IMPU] = {"SELECT impi_id FROM impi_impu WHERE impi_id = ? AND impu_id = ?", 2,
			 1},
	[Q_ROAMING] = {"SELECT v.id FROM impu_visited_network iv JOIN visited_network v "
		       "ON v.id = iv.visited_network_id WHERE iv.impu_id = ? AND v.identity = ?",
		       2, 1},
	[Q_IMPLICIT_SET] = {"SELECT " IMPU_COLS " FROM impu u WHERE u.implicit_set = ? "
			    "ORDER BY u.id",
			    1, IMPU_NCOLS},
	[Q_IMPUS_OF_IMPI] = {"SELECT " IMPU_COLS " FROM impu u JOIN impi_impu ii "
			     "ON ii.impu_id = u.id WHERE ii.impi_id = ? ORDER BY u.id",
			     1, IMPU_NCOLS},
	[Q_IMPI_OF_IMPU] = {"SELECT i.identity FROM impi i JOIN impi_impu ii ON ii.impi_id = "
			    "i.id WHERE ii.impu_id = ? ORDER BY i.id LIMIT 1",
			    1, 1},
	[Q_UNREG_SERVICES] = {"SELECT spi.ifc_id FROM service_profile_ifc spi JOIN ifc f "
			      "ON f.id = spi.ifc_id WHERE spi.service_profile_id = ? AND "
			      "(f.profile_part_indicator IS NULL OR f.profile_part_indicator = 1) "
			      "LIMIT 1",
			      1, 1},
	[Q_SET_STATE] = {"UPDATE impu SET reg_state = ?, scscf_name = ?, origin_host = ?, "
			 "origin_realm = ? WHERE implicit_set = ?",
			 5, 0},
	[Q_SQN_RESERVE] = {"UPDATE impi SET sqn = LAST_INSERT_ID(MOD(sqn + ?, " SQN_MOD
			   ")) WHERE id = ?",
			   2, 0},
	[Q_SQN_RESYNC] = {"UPDATE impi SET sqn = LAST_INSERT_ID(MOD(? + ?, " SQN_MOD
			  ")) WHERE id = ?",
			  3, 0},
	[Q_PROFILE_IFCS] = {"SELECT f.id, spi.priority, f.condition_type_cnf, "
			    "f.profile_part_indicator, a.server_name, a.default_handling, "
			    "a.service_info, a.include_register_request, "
			    "a.include_register_response FROM service_profile_ifc spi JOIN ifc f ON f.id = "
			    "spi.ifc_id JOIN application_server a ON a.id = f.application_server_id "
			    "WHERE spi.service_profile_id = ? ORDER BY spi.priority, f.id",
			    1, 9},
	/* every iFC's SPTs in one round trip, not one per iFC */
	[Q_PROFILE_SPTS] = {"SELECT s.ifc_id, s.group_id, s.condition_negated, s.type + 0, "
			    "s.header, s.value FROM service_profile_ifc spi JOIN ifc_spt s ON "
			    "s.ifc_id = spi.ifc_id WHERE spi.service_profile_id = ? "
			    "ORDER BY s.ifc_id, s.group_id, s.id",
			    1, 6},
	/* UAR/MAR/SAR fast path: both identities and their link in one round
	 * trip (hss_db_pair_get) */
	[Q_PAIR_GET] = {PAIR_COLS PAIR_FROM, 2, PAIR_NCOLS},
	/* SAR: and whether the whole implicit set is in the identity's state
	 * at its S-CSCF (then a state that stays the same is not written) */
	[Q_PAIR_GET_SET] = {PAIR_COLS ", NOT EXISTS (SELECT 1 FROM impu s WHERE s.implicit_set = "
			    "u.implicit_set AND NOT (s.reg_state <=> u.reg_state AND s.scscf_name "
			    "<=> u.scscf_name AND s.origin_host <=> u.origin_host AND "
			    "s.origin_realm <=> u.origin_realm))" PAIR_FROM,
			    2, PAIR_NCOLS + 1},
	/* Q_CAPS then Q_SCSCF_NAMES in one round trip: kind 0 rows are
	 * capabilities, kind 1 rows S-CSCF names */
	[Q_CAPS_AND_NAMES] = {"SELECT kind, cap, mandatory, name FROM (SELECT DISTINCT 0 AS kind, "
			      "c.capability AS cap, c.mandatory, '' AS name, 0 AS priority, 0 AS id "
			      "FROM impi_impu ii JOIN impi i ON i.id = ii.impi_id JOIN imsu s ON "
			      "s.id = i.imsu_id JOIN capability_set c ON c.set_id = s.capability_set "
			      "WHERE ii.impu_id = ? UNION ALL SELECT 1, 0, 0, name, priority, id "
			      "FROM scscf) t ORDER BY kind, priority, id, cap, mandatory",
			      1, 4},
};
const int hss_db_n_queries = Q_COUNT;

static const char *const state_names[] = {"not_registered", "registered", "unregistered"};

const char *hss_reg_state_name(enum hss_reg_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "?";
}

/* --- IMPI ------------------------------------------------------------- */

int hss_db_impi_get(const char *identity, struct hss_impi *o)
{
	struct hss_db_val p[] = {HSS_DB_SP(identity)};
	struct hss_db_val c[] = {
		HSS_DB_U(&o->id),        HSS_DB_U(&o->imsu_id),       HSS_DB_S(o->identity),
		HSS_DB_S(o->auth_schemes), HSS_DB_S(o->default_scheme), HSS_DB_S(o->password),
		HSS_DB_S(o->ha1),        HSS_DB_S(o->k),              HSS_DB_S(o->op),
		HSS_DB_S(o->opc),        HSS_DB_S(o->amf),            HSS_DB_U(&o->sqn),
	};
	uint64_t rows;
	int rc;

	memset(o, 0, sizeof *o);
	rc = hss_db_exec(Q_IMPI_GET, p, c, NULL, NULL, &rows, NULL);
	if (rc != HSS_DB_OK)
		return rc;
	return rows ? HSS_DB_OK : HSS_DB_NOT_FOUND;
}

/* --- IMPU ------------------------------------------------------------- */

struct impu_row {
	struct hss_impu tmp;
	uint64_t type, barring, can_register, state;
	struct hss_impu *out;
	int max, n;
};

#define IMPU_BIND(r)                                                                  \
	{                                                                             \
		HSS_DB_U(&(r)->tmp.id), HSS_DB_S((r)->tmp.identity), HSS_DB_U(&(r)->type), \
		HSS_DB_S((r)->tmp.wildcard), HSS_DB_U(&(r)->tmp.implicit_set),         \
		HSS_DB_U(&(r)->tmp.service_profile_id), HSS_DB_U(&(r)->barring),       \
		HSS_DB_U(&(r)->can_register), HSS_DB_U(&(r)->state),                   \
		HSS_DB_S((r)->tmp.scscf_name), HSS_DB_S((r)->tmp.origin_host),          \
		HSS_DB_S((r)->tmp.origin_realm),                                       \
	}

/* ENUMs + 0 are 1-based indexes in the order of the schema's lists. */
static int impu_row(void *ctx, const struct hss_db_val *cols)
{
	struct impu_row *r = ctx;
	struct hss_impu *u;

	if (r->n >= r->max) {
		IMS_WARN("db: more than %d identities for %s; ignoring the rest", r->max,
			 r->out[0].identity);
		return 0;
	}
	u = &r->out[r->n++];
	*u = r->tmp;
	u->type = r->type >= 1 && r->type <= 3 ? (enum hss_impu_type)(r->type - 1) : HSS_PUBLIC_USER;
	u->barring = r->barring != 0;
	u->can_register = r->can_register != 0;
	u->state = r->state >= 1 && r->state <= 3 ? (enum hss_reg_state)(r->state - 1)
						  : HSS_NOT_REGISTERED;
	return 0;
}

static int impu_query(int q, struct hss_db_val *p, struct hss_impu *out, int max, int *n)
{
	struct impu_row r = {.out = out, .max = max};
	struct hss_db_val c[] = IMPU_BIND(&r);
	int rc = hss_db_exec(q, p, c, impu_row, &r, NULL, NULL);

	*n = r.n;
	return rc;
}

int hss_db_impu_get(const char *identity, struct hss_impu *out)
{
	struct hss_db_val p[] = {HSS_DB_SP(identity)};
	int n = 0, rc;

	rc = impu_query(Q_IMPU_GET, p, out, 1, &n);
	if (rc == HSS_DB_OK && n == 0)
		rc = impu_query(Q_IMPU_WILDCARD, p, out, 1, &n);
	if (rc != HSS_DB_OK)
		return rc;
	return n ? HSS_DB_OK : HSS_DB_NOT_FOUND;
}

int hss_db_implicit_set(uint64_t set, struct hss_impu *out, int max, int *n)
{
	struct hss_db_val p[] = {HSS_DB_U(&set)};
	return impu_query(Q_IMPLICIT_SET, p, out, max, n);
}

int hss_db_impus_of_impi(uint64_t impi_id, struct hss_impu *out, int max, int *n)
{
	struct hss_db_val p[] = {HSS_DB_U(&impi_id)};
	return impu_query(Q_IMPUS_OF_IMPI, p, out, max, n);
}

/* A query whose only question is whether a row exists. */
static int exists(int q, struct hss_db_val *p)
{
	uint64_t id, rows = 0;
	struct hss_db_val c[] = {HSS_DB_U(&id)};
	int rc = hss_db_exec(q, p, c, NULL, NULL, &rows, NULL);

	if (rc != HSS_DB_OK)
		return rc;
	return rows ? HSS_DB_OK : HSS_DB_NOT_FOUND;
}

/* The pair query q; extra binds the column after the pair's (Q_PAIR_GET has none). */
static int pair_get(int q, const char *impi_id, const char *impu_id, struct hss_impi *impi,
		    struct hss_impu *impu, struct hss_db_val extra)
{
	struct hss_db_val p[] = {HSS_DB_SP(impi_id), HSS_DB_SP(impu_id)};
	struct impu_row r = {.out = impu, .max = 1};
	struct hss_db_val c[] = {
		HSS_DB_U(&impi->id),        HSS_DB_U(&impi->imsu_id),       HSS_DB_S(impi->identity),
		HSS_DB_S(impi->auth_schemes), HSS_DB_S(impi->default_scheme), HSS_DB_S(impi->password),
		HSS_DB_S(impi->ha1),        HSS_DB_S(impi->k),              HSS_DB_S(impi->op),
		HSS_DB_S(impi->opc),        HSS_DB_S(impi->amf),
		HSS_DB_U(&r.tmp.id), HSS_DB_S(r.tmp.identity), HSS_DB_U(&r.type),
		HSS_DB_S(r.tmp.wildcard), HSS_DB_U(&r.tmp.implicit_set),
		HSS_DB_U(&r.tmp.service_profile_id), HSS_DB_U(&r.barring),
		HSS_DB_U(&r.can_register), HSS_DB_U(&r.state),
		HSS_DB_S(r.tmp.scscf_name), HSS_DB_S(r.tmp.origin_host),
		HSS_DB_S(r.tmp.origin_realm), extra,
	};
	uint64_t rows = 0;
	int rc;

	memset(impi, 0, sizeof *impi);
	rc = hss_db_exec(q, p, c, NULL, NULL, &rows, NULL);
	if (rc != HSS_DB_OK)
		return rc;
	if (!rows)
		return HSS_DB_NOT_FOUND;
	impu_row(&r, c);
	return HSS_DB_OK;
}

int hss_db_pair_get(const char *impi_id, const char *impu_id, struct hss_impi *impi,
		    struct hss_impu *impu)
{
	uint64_t none, stamp;
	int rc;

	if (hss_cache_get(impi_id, impu_id, impi, impu))
		return HSS_DB_OK;
	stamp = hss_cache_stamp();
	rc = pair_get(Q_PAIR_GET, impi_id, impu_id, impi, impu,
		      (struct hss_db_val)HSS_DB_U(&none));
	if (rc == HSS_DB_OK)
		hss_cache_put(impi_id, impu_id, impi, impu, stamp);
	return rc;
}

int hss_db_pair_get_set(const char *impi_id, const char *impu_id, struct hss_impi *impi,
			struct hss_impu *impu, bool *set_same)
{
	uint64_t same = 0, stamp = hss_cache_stamp();
	int rc = pair_get(Q_PAIR_GET_SET, impi_id, impu_id, impi, impu,
			  (struct hss_db_val)HSS_DB_U(&same));

	*set_same = rc == HSS_DB_OK && same != 0;
	if (rc == HSS_DB_OK)
		hss_cache_put(impi_id, impu_id, impi, impu, stamp);
	return rc;
}

int hss_db_impi_impu_linked(uint64_t impi_id, uint64_t impu_id)
{
	struct hss_db_val p[] = {HSS_DB_U(&impi_id), HSS_DB_U(&impu_id)};
	return exists(Q_IMPI_IMPU, p);
}

int hss_db_roaming_allowed(uint64_t impu_id, const char *vn)
{
	struct hss_db_val p[] = {HSS_DB_U(&impu_id), HSS_DB_SP(vn)};
	return exists(Q_ROAMING, p);
}

int hss_db_profile_has_unreg_services(uint64_t service_profile_id)
{
	struct hss_db_val p[] = {HSS_DB_U(&service_profile_id)};
	return exists(Q_UNREG_SERVICES, p);
}

int hss_db_impi_of_impu(uint64_t impu_id, char *identity, size_t size)
{
	char buf[HSS_ID_MAX];
	struct hss_db_val p[] = {HSS_DB_U(&impu_id)};
	struct hss_db_val c[] = {HSS_DB_S(buf)};
	uint64_t rows = 0;
	int rc = hss_db_exec(Q_IMPI_OF_IMPU, p, c, NULL, NULL, &rows, NULL);

	if (rc != HSS_DB_OK)
		return rc;
	if (!rows)
		return HSS_DB_NOT_FOUND;
	snprintf(identity, size, "%s", buf);
	return HSS_DB_OK;
}

/* --- capabilities ------------------------------------------------------ */

struct caps_row {
	uint64_t kind, cap, mandatory;
	char name[HSS_ID_MAX];
	struct hss_caps *out;
};

static int caps_row(void *ctx, const struct hss_db_val *cols)
{
	struct caps_row *r = ctx;
	struct hss_caps *o = r->out;

	if (r->kind == 1) {
		if (o->n_names < HSS_SCSCF_MAX)
			memcpy(o->names[o->n_names++], r->name, sizeof r->name);
	} else if (r->mandatory && o->n_mandatory < HSS_CAP_MAX) {
		o->mandatory[o->n_mandatory++] = (uint32_t)r->cap;
	} else if (!r->mandatory && o->n_optional < HSS_CAP_MAX) {
		o->optional[o->n_optional++] = (uint32_t)r->cap;
	}
	return 0;
}

int hss_db_capabilities(uint64_t impu_id, struct hss_caps *out)
{
	struct caps_row r = {.out = out};
	struct hss_db_val p[] = {HSS_DB_U(&impu_id)};
	struct hss_db_val c[] = {HSS_DB_U(&r.kind), HSS_DB_U(&r.cap), HSS_DB_U(&r.mandatory),
				 HSS_DB_S(r.name)};

	memset(out, 0, sizeof *out);
	return hss_db_exec(Q_CAPS_AND_NAMES, p, c, caps_row, &r, NULL, NULL);
}

/* --- updates ------------------------------------------------------------ */

int hss_db_set_state(uint64_t implicit_set, enum hss_reg_state state, const char *scscf_name,
		     const char *origin_host, const char *origin_realm)
{
	char st[16];
	struct hss_db_val p[] = {HSS_DB_S(st), HSS_DB_SP(scscf_name), HSS_DB_SP(origin_host),
				 HSS_DB_SP(origin_realm), HSS_DB_U(&implicit_set)};

	int rc;

	snprintf(st, sizeof st, "%s", hss_reg_state_name(state));
	rc = hss_db_exec(Q_SET_STATE, p, NULL, NULL, NULL, NULL, NULL);
	hss_cache_set_written(implicit_set); /* also on error: it may have committed */
	return rc;
}

int hss_db_sqn_reserve(uint64_t impi_id, unsigned n, uint64_t *last)
{
	uint64_t step = n, rows = 0;
	struct hss_db_val p[] = {HSS_DB_U(&step), HSS_DB_U(&impi_id)};
	int rc = hss_db_exec(Q_SQN_RESERVE, p, NULL, NULL, NULL, &rows, last);

	if (rc == HSS_DB_OK && rows != 1)
		return HSS_DB_NOT_FOUND;
	return rc;
}

int hss_db_sqn_resync(uint64_t impi_id, uint64_t sqn_ms, unsigned n, uint64_t *last)
{
	uint64_t step = n, rows = 0;
	struct hss_db_val p[] = {HSS_DB_U(&sqn_ms), HSS_DB_U(&step), HSS_DB_U(&impi_id)};
	int rc = hss_db_exec(Q_SQN_RESYNC, p, NULL, NULL, NULL, &rows, last);

	if (rc == HSS_DB_OK && rows != 1)
		return HSS_DB_NOT_FOUND;
	return rc;
}

/* --- service profiles ----------------------------------------------------- */

struct ifc_row {
	struct hss_ifc tmp;
	uint64_t priority, cnf, ppi, dh, inc_req, inc_resp;
	struct hss_ifc *out;
	int max, n;
};

static int ifc_row(void *ctx, const struct hss_db_val *cols)
{
	struct ifc_row *r = ctx;
	struct hss_ifc *f;

	if (r->n >= r->max)
		return 0;
	f = &r->out[r->n++];
	*f = r->tmp;
	f->priority = (int)(int64_t)r->priority;
	f->cnf = r->cnf != 0;
	f->profile_part = cols[3].is_null ? -1 : (int)r->ppi;
	f->default_handling = (int)r->dh;
	f->include_register_request = r->inc_req != 0;
	f->include_register_response = r->inc_resp != 0;
	return 0;
}

int hss_db_profile_ifcs(uint64_t service_profile_id, struct hss_ifc *out, int max, int *n)
{
	struct ifc_row r = {.out = out, .max = max};
	struct hss_db_val p[] = {HSS_DB_U(&service_profile_id)};
	struct hss_db_val c[] = {HSS_DB_U(&r.tmp.id), HSS_DB_U(&r.priority), HSS_DB_U(&r.cnf),
				 HSS_DB_U(&r.ppi), HSS_DB_S(r.tmp.server_name), HSS_DB_U(&r.dh),
				 HSS_DB_S(r.tmp.service_info), HSS_DB_U(&r.inc_req),
				 HSS_DB_U(&r.inc_resp)};
	int rc = hss_db_exec(Q_PROFILE_IFCS, p, c, ifc_row, &r, NULL, NULL);

	*n = r.n;
	return rc;
}

struct spt_row {
	struct hss_spt tmp;
	uint64_t ifc_id, group, negated, type;
	hss_db_spt_fn fn;
	void *ctx;
};

static int spt_row(void *ctx, const struct hss_db_val *cols)
{
	struct spt_row *r = ctx;
	struct hss_spt s = r->tmp;

	(void)cols;
	s.group = (unsigned)r->group;
	s.negated = r->negated != 0;
	s.type = (enum hss_spt_type)r->type;
	return r->fn(r->ctx, r->ifc_id, &s);
}

int hss_db_profile_spts(uint64_t service_profile_id, hss_db_spt_fn fn, void *ctx)
{
	struct spt_row r = {.fn = fn, .ctx = ctx};
	struct hss_db_val p[] = {HSS_DB_U(&service_profile_id)};
	struct hss_db_val c[] = {HSS_DB_U(&r.ifc_id), HSS_DB_U(&r.group), HSS_DB_U(&r.negated),
				 HSS_DB_U(&r.type),   HSS_DB_S(r.tmp.header), HSS_DB_S(r.tmp.value)};

	return hss_db_exec(Q_PROFILE_SPTS, p, c, spt_row, &r, NULL, NULL);
}
