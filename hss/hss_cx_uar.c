/*
 * hss_cx_uar — User-Authorization-Request (TS 29.228 6.1.1, TS 29.229 6.1.1):
 * may this user register from here, and which S-CSCF serves it?
 *
 *  unknown identities           -> DIAMETER_ERROR_USER_UNKNOWN
 *  IMPI may not use IMPU        -> DIAMETER_ERROR_IDENTITIES_DONT_MATCH
 *  (not de-registration:)
 *    the whole implicit set barred -> DIAMETER_AUTHORIZATION_REJECTED
 *    visited network not allowed   -> DIAMETER_ERROR_ROAMING_NOT_ALLOWED
 *    identity may not register     -> DIAMETER_AUTHORIZATION_REJECTED
 *  REGISTRATION_AND_CAPABILITIES -> DIAMETER_SUCCESS + Server-Capabilities
 *  REGISTRATION: registered/unregistered, or an S-CSCF name stored
 *                  -> DIAMETER_SUBSEQUENT_REGISTRATION + Server-Name
 *                otherwise -> DIAMETER_FIRST_REGISTRATION + Server-Capabilities
 *  DE_REGISTRATION: registered/unregistered -> DIAMETER_SUCCESS + Server-Name
 *                   otherwise -> DIAMETER_ERROR_IDENTITY_NOT_REGISTERED
 */
#include "hss_cfg.h"
#include "hss_cx.h"

#include "ims_log.h"

#include <string.h>
#include <strings.h>

struct uar {
	char impi_id[HSS_ID_MAX], impu_id[HSS_ID_MAX], vn[HSS_ID_MAX];
	int32_t type;
	struct hss_impi impi;
	struct hss_impu impu;
	char server[HSS_ID_MAX]; /* the S-CSCF assigned to the user, "" none */
};

static int uar_read(struct hss_req *r, struct uar *u)
{
	if (hss_need_str(r, ims_cx.avp_user_name, u->impi_id, sizeof u->impi_id) ||
	    hss_need_str(r, ims_cx.avp_public_identity, u->impu_id, sizeof u->impu_id) ||
	    hss_need_str(r, ims_cx.avp_visited_network_identifier, u->vn, sizeof u->vn))
		return HSS_STOP;
	return hss_opt_enum(r, ims_cx.avp_user_authorization_type,
			    IMS_CX_UAT_REGISTRATION_AND_CAPABILITIES, IMS_CX_UAT_REGISTRATION,
			    &u->type);
}

static int uar_identities(struct hss_req *r, struct uar *u)
{
	int rc = hss_db_pair_get(u->impi_id, u->impu_id, &u->impi, &u->impu);

	if (rc == HSS_DB_OK)
		return 0; /* the usual case, in one round trip */
	if (rc != HSS_DB_NOT_FOUND)
		return hss_fail_db(r);
	if (hss_db_step(r, hss_db_impi_get(u->impi_id, &u->impi), "unknown private identity") ||
	    hss_db_step(r, hss_db_impu_get(u->impu_id, &u->impu), "unknown public identity"))
		return HSS_STOP;
	rc = hss_db_impi_impu_linked(u->impi.id, u->impu.id);
	if (rc == HSS_DB_NOT_FOUND)
		return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITIES_DONT_MATCH,
					     "the private identity may not use the public one");
	return rc == HSS_DB_OK ? 0 : hss_fail_db(r);
}

/* Barred only when every identity of the implicit set is barred. */
static int uar_barring(struct hss_req *r, struct uar *u)
{
	struct hss_impu set[HSS_SET_MAX];
	int n = 0;

	if (!u->impu.barring)
		return 0;
	if (hss_db_implicit_set(u->impu.implicit_set, set, HSS_SET_MAX, &n) != HSS_DB_OK)
		return hss_fail_db(r);
	for (int i = 0; i < n; i++)
		if (!set[i].barring)
			return 0;
	return hss_fail_result(r, IMS_DIAMETER_AUTHORIZATION_REJECTED, "identity barred");
}

static int uar_roaming(struct hss_req *r, struct uar *u)
{
	int rc;

	if (strcasecmp(u->vn, hss_cx_cfg->home_network) != 0) {
		rc = hss_db_roaming_allowed(u->impu.id, u->vn);
		if (rc == HSS_DB_NOT_FOUND)
			return hss_fail_experimental(r, IMS_CX_ERROR_ROAMING_NOT_ALLOWED, u->vn);
		if (rc != HSS_DB_OK)
			return hss_fail_db(r);
	}
	if (!u->impu.can_register || u->impu.type != HSS_PUBLIC_USER)
		return hss_fail_result(r, IMS_DIAMETER_AUTHORIZATION_REJECTED,
				       "identity may not register");
	return 0;
}

static int uar_authorize(struct hss_req *r, struct uar *u)
{
	if (u->type == IMS_CX_UAT_DE_REGISTRATION)
		return 0;
	if (uar_barring(r, u) || uar_roaming(r, u))
		return HSS_STOP;
	return 0;
}

/* The serving S-CSCF: the identity's own, else one another identity of the
 * same private identity is registered (or kept) with. */
static int uar_server(struct hss_req *r, struct uar *u)
{
	struct hss_impu all[HSS_SET_MAX];
	int n = 0;

	if (u->impu.scscf_name[0]) {
		memcpy(u->server, u->impu.scscf_name, sizeof u->server);
		return 0;
	}
	if (hss_db_impus_of_impi(u->impi.id, all, HSS_SET_MAX, &n) != HSS_DB_OK)
		return hss_fail_db(r);
	for (int i = 0; i < n && !u->server[0]; i++)
		memcpy(u->server, all[i].scscf_name, sizeof u->server);
	return 0;
}

static int uar_answer(struct hss_req *r, struct uar *u)
{
	bool assigned = u->impu.state != HSS_NOT_REGISTERED && u->server[0];

	if (u->type == IMS_CX_UAT_DE_REGISTRATION && !assigned)
		return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITY_NOT_REGISTERED,
					     "de-registration of an identity not registered");
	if (u->type == IMS_CX_UAT_DE_REGISTRATION) {
		hss_set_success(r, false, IMS_DIAMETER_SUCCESS);
		return hss_add_str(r, ims_cx.avp_server_name, u->server) ? hss_fail_db(r) : 0;
	}
	if (u->type == IMS_CX_UAT_REGISTRATION && u->server[0]) {
		hss_set_success(r, true, IMS_CX_SUBSEQUENT_REGISTRATION);
		return hss_add_str(r, ims_cx.avp_server_name, u->server) ? hss_fail_db(r) : 0;
	}
	if (u->type == IMS_CX_UAT_REGISTRATION)
		hss_set_success(r, true, IMS_CX_FIRST_REGISTRATION);
	else
		hss_set_success(r, false, IMS_DIAMETER_SUCCESS);
	return hss_add_server_capabilities(r, u->impu.id) ? hss_fail_db(r) : 0;
}

int hss_cx_uar(struct msg **msg, void *opaque)
{
	struct hss_req r;
	struct uar u;

	if (hss_req_begin(msg, &r, "UAR") < 0)
		return -1;
	memset(&u, 0, sizeof u);
	if (!uar_read(&r, &u) && !uar_identities(&r, &u) && !uar_authorize(&r, &u) &&
	    !uar_server(&r, &u) && !uar_answer(&r, &u))
		IMS_INFO("UAR %s: %s / %s type %d -> %u%s%s", r.sid, u.impi_id, u.impu_id, u.type,
			 r.code, u.server[0] ? " " : "", u.server);
	return hss_req_end(msg, &r);
}
