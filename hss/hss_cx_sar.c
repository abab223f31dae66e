/*
 * hss_cx_sar — Server-Assignment-Request (TS 29.228 6.1.2, TS 29.229 6.1.3):
 * the S-CSCF takes (or gives up) a user, and gets its profile.
 *
 *  REGISTRATION, RE_REGISTRATION  set registered at this S-CSCF; User-Data
 *  UNREGISTERED_USER              set unregistered (kept registered if it
 *                                 was) at this S-CSCF; User-Data
 *  NO_ASSIGNMENT                  User-Data for the assigned S-CSCF only
 *  TIMEOUT_/USER_/ADMINISTRATIVE_DEREGISTRATION, DEREGISTRATION_TOO_MUCH_DATA
 *                                 not registered, S-CSCF name cleared
 *  ..._STORE_SERVER_NAME          not registered, S-CSCF name kept
 *  AUTHENTICATION_FAILURE/_TIMEOUT  a failed first registration clears the
 *                                 name the MAR stored; a registered user
 *                                 stays registered
 * Without Public-Identity a de-registration covers every identity of the
 * User-Name.  User-Data is sent unless User-Data-Already-Available says
 * USER_DATA_ALREADY_AVAILABLE (then it is not built either).  An
 * assignment that finds the whole implicit set already in the state it
 * asks for, at the same S-CSCF with the same Origin-Host and -Realm (a
 * re-registration), writes nothing: with User-Data-Already-Available the
 * SAR costs one statement.
 *
 * A second S-CSCF (Server-Name differs from the one of a registered or
 * unregistered user): an assignment gets
 * DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED with the assigned Server-Name
 * (TS 29.228 8.1: only a MAR moves a user to a new S-CSCF); a
 * de-registration from it gets DIAMETER_UNABLE_TO_COMPLY and changes
 * nothing.
 */
#include "hss_cfg.h"
#include "hss_cx.h"

#include "ims_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sar {
	char impi_id[HSS_ID_MAX], impu_id[HSS_ID_MAX], server[HSS_ID_MAX];
	char origin_host[HSS_ID_MAX], origin_realm[HSS_ID_MAX];
	int32_t type, udaa;
	bool has_impi, has_impu;
	bool set_same; /* the whole implicit set is in impu's state (pair lookup) */
	struct hss_impi impi;
	struct hss_impu impu;
};

static bool is_assignment(int32_t t)
{
	return t == IMS_CX_SAT_REGISTRATION || t == IMS_CX_SAT_RE_REGISTRATION ||
	       t == IMS_CX_SAT_UNREGISTERED_USER || t == IMS_CX_SAT_NO_ASSIGNMENT;
}

static int sar_read(struct hss_req *r, struct sar *s)
{
	struct avp *a = NULL;
	int rc;

	if (hss_need_str(r, ims_cx.avp_server_name, s->server, sizeof s->server) ||
	    hss_need_str(r, ims_cx.avp_origin_host, s->origin_host, sizeof s->origin_host) ||
	    hss_need_str(r, ims_cx.avp_origin_realm, s->origin_realm, sizeof s->origin_realm))
		return HSS_STOP;
	if (ims_cx_find(r->req, ims_cx.avp_server_assignment_type, &a) < 0)
		return hss_fail_missing(r, ims_cx.avp_server_assignment_type);
	if (ims_cx_find(r->req, ims_cx.avp_user_data_already_available, &a) < 0)
		return hss_fail_missing(r, ims_cx.avp_user_data_already_available);
	if (hss_opt_enum(r, ims_cx.avp_server_assignment_type,
			 IMS_CX_SAT_DEREGISTRATION_TOO_MUCH_DATA, 0, &s->type) ||
	    hss_opt_enum(r, ims_cx.avp_user_data_already_available, 1, 0, &s->udaa))
		return HSS_STOP;
	rc = hss_opt_str(r, ims_cx.avp_user_name, s->impi_id, sizeof s->impi_id);
	if (rc > 0)
		return rc;
	s->has_impi = rc == 0;
	rc = hss_opt_str(r, ims_cx.avp_public_identity, s->impu_id, sizeof s->impu_id);
	if (rc > 0)
		return rc;
	s->has_impu = rc == 0;
	if (!s->has_impu && (is_assignment(s->type) || !s->has_impi))
		return hss_fail_missing(r, ims_cx.avp_public_identity);
	if (!s->has_impi && (s->type == IMS_CX_SAT_REGISTRATION ||
			     s->type == IMS_CX_SAT_RE_REGISTRATION))
		return hss_fail_missing(r, ims_cx.avp_user_name);
	return 0;
}

static int sar_identities(struct hss_req *r, struct sar *s)
{
	int rc;

	if (s->has_impu && s->has_impi) {
		rc = hss_db_pair_get_set(s->impi_id, s->impu_id, &s->impi, &s->impu,
					 &s->set_same);
		if (rc == HSS_DB_OK)
			return 0; /* the usual case, in one round trip */
		if (rc != HSS_DB_NOT_FOUND)
			return hss_fail_db(r);
	}
	if (s->has_impu &&
	    hss_db_step(r, hss_db_impu_get(s->impu_id, &s->impu), "unknown public identity"))
		return HSS_STOP;
	if (s->has_impi &&
	    hss_db_step(r, hss_db_impi_get(s->impi_id, &s->impi), "unknown private identity"))
		return HSS_STOP;
	if (!s->has_impi) {
		rc = hss_db_impi_of_impu(s->impu.id, s->impi_id, sizeof s->impi_id);
		if (hss_db_step(r, rc, "no private identity for the public identity") ||
		    hss_db_step(r, hss_db_impi_get(s->impi_id, &s->impi), "private identity gone"))
			return HSS_STOP;
		return 0;
	}
	if (!s->has_impu)
		return 0;
	rc = hss_db_impi_impu_linked(s->impi.id, s->impu.id);
	if (rc == HSS_DB_NOT_FOUND)
		return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITIES_DONT_MATCH,
					     "the private identity may not use the public one");
	return rc == HSS_DB_OK ? 0 : hss_fail_db(r);
}

/* Another S-CSCF serves this set (registered or unregistered)? */
static int sar_other_server(struct hss_req *r, const struct sar *s, const struct hss_impu *u)
{
	if (u->state == HSS_NOT_REGISTERED || !u->scscf_name[0] ||
	    strcmp(u->scscf_name, s->server) == 0)
		return 0;
	if (!is_assignment(s->type))
		return hss_fail_result(r, IMS_DIAMETER_UNABLE_TO_COMPLY,
				       "de-registration from an S-CSCF that does not serve the user");
	if (hss_add_str(r, ims_cx.avp_server_name, u->scscf_name) < 0)
		return hss_fail_db(r);
	return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITY_ALREADY_REGISTERED,
				     u->scscf_name);
}

static int sar_user_data(struct hss_req *r, struct sar *s)
{
	char *xml = NULL;
	size_t len = 0;
	int rc;

	if (hss_add_str(r, ims_cx.avp_user_name, s->impi_id) < 0)
		return hss_fail_db(r);
	if (s->udaa == IMS_CX_USER_DATA_ALREADY_AVAILABLE)
		return 0;
	rc = hss_userdata_build(s->impi_id, s->impu.implicit_set, &xml, &len);
	if (rc != 0)
		return hss_fail_db(r);
	rc = ims_cx_add_bytes(r->ans, ims_cx.avp_user_data, (const uint8_t *)xml, len);
	free(xml);
	return rc < 0 ? hss_fail_db(r) : 0;
}

/* The set is already in state st at this S-CSCF, with the Origin-Host and
 * -Realm of the request (a re-registration): the UPDATE would change
 * nothing. */
static bool sar_unchanged(const struct sar *s, enum hss_reg_state st)
{
	const struct hss_impu *u = &s->impu;

	return s->set_same && u->state == st && strcmp(u->scscf_name, s->server) == 0 &&
	       strcmp(u->origin_host, s->origin_host) == 0 &&
	       strcmp(u->origin_realm, s->origin_realm) == 0;
}

static int sar_assign(struct hss_req *r, struct sar *s)
{
	enum hss_reg_state st = HSS_REGISTERED;

	if (sar_other_server(r, s, &s->impu))
		return HSS_STOP;
	if (s->type == IMS_CX_SAT_NO_ASSIGNMENT) {
		if (strcmp(s->impu.scscf_name, s->server) != 0)
			return hss_fail_result(r, IMS_DIAMETER_UNABLE_TO_COMPLY,
					       "NO_ASSIGNMENT from an S-CSCF not assigned");
		return sar_user_data(r, s);
	}
	if (s->type == IMS_CX_SAT_UNREGISTERED_USER && s->impu.state != HSS_REGISTERED)
		st = HSS_UNREGISTERED;
	if (sar_unchanged(s, st))
		return sar_user_data(r, s);
	if (hss_db_set_state(s->impu.implicit_set, st, s->server, s->origin_host,
			     s->origin_realm) != HSS_DB_OK)
		return hss_fail_db(r);
	return sar_user_data(r, s);
}

/* De-registration and authentication failure of one implicit set. */
static int sar_release_set(struct hss_req *r, struct sar *s, const struct hss_impu *u)
{
	bool keep = s->type == IMS_CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME ||
		    s->type == IMS_CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME;
	bool auth = s->type == IMS_CX_SAT_AUTHENTICATION_FAILURE ||
		    s->type == IMS_CX_SAT_AUTHENTICATION_TIMEOUT;

	if (auth && u->state != HSS_NOT_REGISTERED)
		return 0; /* a failed re-authentication does not de-register */
	if (sar_other_server(r, s, u))
		return HSS_STOP;
	if (hss_db_set_state(u->implicit_set, HSS_NOT_REGISTERED, keep ? s->server : NULL,
			     keep ? s->origin_host : NULL, keep ? s->origin_realm : NULL) !=
	    HSS_DB_OK)
		return hss_fail_db(r);
	return 0;
}

static int sar_release(struct hss_req *r, struct sar *s)
{
	struct hss_impu all[HSS_SET_MAX];
	int n = 0;

	if (s->has_impu)
		return sar_release_set(r, s, &s->impu);
	if (hss_db_impus_of_impi(s->impi.id, all, HSS_SET_MAX, &n) != HSS_DB_OK)
		return hss_fail_db(r);
	for (int i = 0; i < n; i++)
		if (sar_release_set(r, s, &all[i]))
			return HSS_STOP;
	return 0;
}

int hss_cx_sar(struct msg **msg, void *opaque)
{
	struct hss_req r;
	struct sar s;

	if (hss_req_begin(msg, &r, "SAR") < 0)
		return -1;
	memset(&s, 0, sizeof s);
	if (!sar_read(&r, &s) && !sar_identities(&r, &s) &&
	    !(is_assignment(s.type) ? sar_assign(&r, &s) : sar_release(&r, &s)))
		IMS_INFO("SAR %s: %s %s type %d%s from %s -> %u", r.sid, s.impi_id, s.impu_id,
			 s.type,
			 s.udaa == IMS_CX_USER_DATA_ALREADY_AVAILABLE
				 ? " (user data already available)"
				 : "",
			 s.server, r.code ? r.code : IMS_DIAMETER_SUCCESS);
	return hss_req_end(msg, &r);
}
