/*
 * hss_db — the HSS's MySQL storage (MariaDB, schema in sql/ims_hss/).
 *
 * A pool of connections shared by freeDiameter's handler threads: a call
 * borrows one connection for the duration of one query (no global lock
 * around MySQL), uses prepared statements only, and gives up after the
 * configured connect/read timeouts, so that a dead database yields
 * HSS_DB_ERROR quickly instead of a hang.  A connection that broke is
 * reopened transparently on its next use.
 *
 * Every function returns HSS_DB_OK, HSS_DB_NOT_FOUND (no such row) or
 * HSS_DB_ERROR (database unavailable or a query failed; already logged).
 * Strings are copied into the caller's fixed-size buffers: nothing returned
 * is owned by the database layer.
 */
#ifndef HSS_DB_H
#define HSS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hss_cfg;

#define HSS_DB_OK 0
#define HSS_DB_NOT_FOUND 1
#define HSS_DB_ERROR (-1)

#define HSS_ID_MAX 256  /* identities, names: 255 characters + NUL */
#define HSS_SET_MAX 32  /* identities per implicit set / per IMPI we handle */
#define HSS_CAP_MAX 32  /* capabilities per set */
#define HSS_SCSCF_MAX 16

enum hss_reg_state {
	HSS_NOT_REGISTERED = 0,
	HSS_REGISTERED = 1,
	HSS_UNREGISTERED = 2,
};

enum hss_impu_type {
	HSS_PUBLIC_USER = 0,
	HSS_PSI = 1,
	HSS_WILDCARD_PSI = 2,
};

struct hss_impi {
	uint64_t id, imsu_id;
	char identity[HSS_ID_MAX];
	char auth_schemes[128];  /* "Digest-AKAv1-MD5,SIP Digest,..." */
	char default_scheme[32];
	char password[HSS_ID_MAX]; /* "" when NULL */
	char ha1[33];              /* "" when NULL */
	char k[33], op[33], opc[33]; /* hex, "" when NULL */
	char amf[5];
	uint64_t sqn; /* hss_db_impi_get only; a pair (possibly cached) has 0 */
};

struct hss_impu {
	uint64_t id;
	char identity[HSS_ID_MAX];  /* as stored (a wildcard PSI's pattern row) */
	enum hss_impu_type type;
	char wildcard[HSS_ID_MAX];
	uint64_t implicit_set, service_profile_id;
	bool barring, can_register;
	enum hss_reg_state state;
	char scscf_name[HSS_ID_MAX]; /* "" when none */
	char origin_host[HSS_ID_MAX];
	char origin_realm[HSS_ID_MAX];
};

struct hss_caps {
	uint32_t mandatory[HSS_CAP_MAX];
	int n_mandatory;
	uint32_t optional[HSS_CAP_MAX];
	int n_optional;
	char names[HSS_SCSCF_MAX][HSS_ID_MAX]; /* S-CSCFs by priority */
	int n_names;
};

/* --- the pool --------------------------------------------------------- */

/* Start the pool (connections open lazily).  Returns 0 or -1. */
int hss_db_init(const struct hss_cfg *cfg);
/* Close every connection.  No call may be running. */
void hss_db_fini(void);

/* --- generic prepared statements (hss_db.c; used by hss_db_sub.c) ----- */

enum hss_db_type { HSS_DB_STR, HSS_DB_U64 };

/* A parameter or a result column.  STR: buf is char[size] (a parameter is
 * NUL-terminated; a result gets NUL-terminated, "" when NULL).  U64: buf is
 * uint64_t (a result is 0 when NULL).  is_null: a parameter is sent as
 * NULL; a result column tells whether it was NULL. */
struct hss_db_val {
	enum hss_db_type type;
	void *buf;
	size_t size;
	bool is_null;
};

#define HSS_DB_S(b) {HSS_DB_STR, (void *)(b), sizeof(b), false}
#define HSS_DB_SP(p) {HSS_DB_STR, (void *)(p), 0, (p) == NULL}
#define HSS_DB_U(u) {HSS_DB_U64, (void *)(u), sizeof(uint64_t), false}

/* Called once per result row with the columns filled in; returns 0 to go on,
 * anything else stops the fetch (and exec returns it). */
typedef int (*hss_db_row_fn)(void *ctx, const struct hss_db_val *cols);

struct hss_db_query {
	const char *sql;
	int n_params;
	int n_cols;
};

/* Run query q (its index in the caller's table is its statement cache slot).
 * rows gets the number of rows fetched, or for a statement without result
 * columns the affected rows; insert_id (may be NULL) gets LAST_INSERT_ID.
 * Returns HSS_DB_OK, HSS_DB_ERROR, or the row function's stop value. */
int hss_db_exec(int q, const struct hss_db_val *params, struct hss_db_val *cols,
		hss_db_row_fn row, void *ctx, uint64_t *rows, uint64_t *insert_id);

/* The table of statements (hss_db_sub.c) and its size. */
extern const struct hss_db_query hss_db_queries[];
extern const int hss_db_n_queries;

/* --- subscriber data (hss_db_sub.c) ----------------------------------- */

int hss_db_impi_get(const char *identity, struct hss_impi *out);
/* Exact identity first, then a wildcarded PSI whose pattern matches. */
int hss_db_impu_get(const char *identity, struct hss_impu *out);
/* Both identities, exactly as stored, and linked: one statement instead of
 * the three below, or none when hss_cache.h has the pair.  HSS_DB_NOT_FOUND
 * when either is unknown, a wildcarded PSI, or they are not linked: the
 * caller then takes the three-step path, which says which. */
int hss_db_pair_get(const char *impi_id, const char *impu_id, struct hss_impi *impi,
		    struct hss_impu *impu);
/* hss_db_pair_get, and in the same statement (SAR): *set_same, whether
 * every identity of impu's implicit set has impu's registration state,
 * S-CSCF name and origin (false when not found). */
int hss_db_pair_get_set(const char *impi_id, const char *impu_id, struct hss_impi *impi,
			struct hss_impu *impu, bool *set_same);
/* HSS_DB_OK when impi may use impu, else HSS_DB_NOT_FOUND. */
int hss_db_impi_impu_linked(uint64_t impi_id, uint64_t impu_id);
/* HSS_DB_OK when impu may register from the visited network vn. */
int hss_db_roaming_allowed(uint64_t impu_id, const char *vn);
/* Capabilities the IMSU owning impu needs, and the S-CSCF names (one
 * statement). */
int hss_db_capabilities(uint64_t impu_id, struct hss_caps *out);
/* The identities of an implicit set, the set's first (lowest id) first. */
int hss_db_implicit_set(uint64_t set, struct hss_impu *out, int max, int *n);
/* The public identities impi may use. */
int hss_db_impus_of_impi(uint64_t impi_id, struct hss_impu *out, int max, int *n);
/* A private identity that may use impu (the first), for SAA/RTR. */
int hss_db_impi_of_impu(uint64_t impu_id, char *identity, size_t size);
/* HSS_DB_OK when the service profile has an iFC that applies to
 * unregistered users (LIR for an unregistered identity). */
int hss_db_profile_has_unreg_services(uint64_t service_profile_id);

/* Registration state and S-CSCF of every identity of an implicit set.
 * scscf_name/origin_* NULL clear them. */
int hss_db_set_state(uint64_t implicit_set, enum hss_reg_state state, const char *scscf_name,
		     const char *origin_host, const char *origin_realm);

/* Reserve n SQNs atomically: sqn becomes (sqn + n) mod 2^48; *last gets
 * the new value (the vectors use last-n+1 .. last). */
int hss_db_sqn_reserve(uint64_t impi_id, unsigned n, uint64_t *last);
/* After a resynchronisation: sqn becomes (sqn_ms + n) mod 2^48 atomically. */
int hss_db_sqn_resync(uint64_t impi_id, uint64_t sqn_ms, unsigned n, uint64_t *last);

const char *hss_reg_state_name(enum hss_reg_state s);

/* --- service profiles (User-Data) --------------------------------------- */

struct hss_ifc {
	uint64_t id;
	int priority;
	bool cnf;
	int profile_part; /* -1 absent, 0 REGISTERED, 1 UNREGISTERED */
	char server_name[HSS_ID_MAX];
	int default_handling;
	char service_info[1024];
	bool include_register_request, include_register_response;
};

enum hss_spt_type { /* the order of ifc_spt.type */
	HSS_SPT_REQUEST_URI = 1,
	HSS_SPT_METHOD,
	HSS_SPT_HEADER,
	HSS_SPT_SESSION_CASE,
	HSS_SPT_SESSION_DESCRIPTION,
};

struct hss_spt {
	unsigned group;
	bool negated;
	enum hss_spt_type type;
	char header[HSS_ID_MAX]; /* "" when NULL */
	char value[HSS_ID_MAX];
};

/* The iFCs of a service profile by priority. */
int hss_db_profile_ifcs(uint64_t service_profile_id, struct hss_ifc *out, int max, int *n);
/* The SPTs of all the profile's iFCs in one round trip, ordered by iFC id,
 * group and row: fn(ctx, ifc_id, spt) for each; a non-zero return stops. */
typedef int (*hss_db_spt_fn)(void *ctx, uint64_t ifc_id, const struct hss_spt *spt);
int hss_db_profile_spts(uint64_t service_profile_id, hss_db_spt_fn fn, void *ctx);

#endif
