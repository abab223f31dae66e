/*
 * hss_cx — what the HSS's Cx handlers share: the request context, reading
 * identities, building the answer and its result, and the handler table.
 *
 * Each handler (hss_cx_uar.c ...) is a pipeline of small steps over a
 * struct hss_req.  A step returns 0 to go on, or HSS_STOP after it set the
 * outcome (hss_fail_*); the handler then sends the answer whatever happened.
 */
#ifndef HSS_CX_H
#define HSS_CX_H

#include "hss_db.h"
#include "ims_cx.h"

#include <stdbool.h>
#include <stdint.h>

struct hss_cfg;

#define HSS_STOP 1

struct hss_req {
	struct msg *req; /* the request (owned by ans) */
	struct msg *ans; /* the answer being built */
	char sid[256];   /* Session-Id, for log lines */
	const char *cmd; /* "UAR", ... */
	/* outcome */
	bool experimental;
	uint32_t code;
	struct dict_object *missing; /* Failed-AVP of a missing AVP */
	struct avp *invalid;         /* Failed-AVP of an invalid one */
};

/* The configuration the handlers read (set by hss_cx_register()). */
extern const struct hss_cfg *hss_cx_cfg;

/* Turn *msg into the answer and fill r.  Returns 0, or -1 when not even an
 * answer could be made (the request is then dropped). */
int hss_req_begin(struct msg **msg, struct hss_req *r, const char *cmd);
/* Add the outcome (success if none was set); ims_diam sends *msg. */
int hss_req_end(struct msg **msg, struct hss_req *r);

/* Set the outcome; each returns HSS_STOP so that a step can `return hss_fail_...`. */
int hss_fail_result(struct hss_req *r, uint32_t code, const char *why);
int hss_fail_experimental(struct hss_req *r, uint32_t code, const char *why);
int hss_fail_missing(struct hss_req *r, struct dict_object *avp);
int hss_fail_invalid(struct hss_req *r, struct avp *avp, const char *why);
/* Database trouble: DIAMETER_UNABLE_TO_COMPLY. */
int hss_fail_db(struct hss_req *r);
/* Map a hss_db result to a step result: NOT_FOUND -> USER_UNKNOWN. */
int hss_db_step(struct hss_req *r, int db_rc, const char *what);
void hss_set_success(struct hss_req *r, bool experimental, uint32_t code);

/* Read a required string AVP of the request (missing or malformed sets
 * the outcome and returns HSS_STOP). */
int hss_need_str(struct hss_req *r, struct dict_object *avp, char *buf, size_t len);
/* Optional: 0 read, -ENOENT absent (buf ""), HSS_STOP malformed. */
int hss_opt_str(struct hss_req *r, struct dict_object *avp, char *buf, size_t len);
/* Optional Enumerated/Unsigned32 within [0, max]; def when absent. */
int hss_opt_enum(struct hss_req *r, struct dict_object *avp, int32_t max, int32_t def,
		 int32_t *out);

/* Answer AVPs shared by several commands. */
int hss_add_server_capabilities(struct hss_req *r, uint64_t impu_id);
int hss_add_str(struct hss_req *r, struct dict_object *avp, const char *value);

/* The handlers, registered by hss_cx_register(). */
int hss_cx_uar(struct msg **msg, void *opaque);
int hss_cx_mar(struct msg **msg, void *opaque);
int hss_cx_sar(struct msg **msg, void *opaque);
int hss_cx_lir(struct msg **msg, void *opaque);

/* Register every handler with ims_diam (after ims_diam_start(); the
 * fallback for other Cx commands is ims_diam's).  Returns 0 or -1. */
int hss_cx_register(const struct hss_cfg *cfg);

/* User-Data (hss_userdata.c): the IMSSubscription XML for private identity
 * impi and the implicit set.  *xml is malloc'd (caller frees).  Returns
 * 0, HSS_DB_ERROR, or -1 when it could not be built. */
int hss_userdata_build(const char *impi, uint64_t implicit_set, char **xml, size_t *len);

#endif
