/*
 * hss_cx_lir — Location-Info-Request (TS 29.228 6.1.4, TS 29.229 6.1.5):
 * which S-CSCF serves a public identity, for the I-CSCF's terminating (or
 * originating, Originating-Request) routing.
 *
 *  unknown identity                          -> DIAMETER_ERROR_USER_UNKNOWN
 *  registered, or unregistered at an S-CSCF  -> DIAMETER_SUCCESS + Server-Name
 *  not registered, with services for the unregistered state (an iFC whose
 *  ProfilePartIndicator is absent or UNREGISTERED) or Originating-Request:
 *      an S-CSCF name stored -> DIAMETER_UNREGISTERED_SERVICE + Server-Name
 *      otherwise             -> DIAMETER_UNREGISTERED_SERVICE + Server-Capabilities
 *  not registered, no such services          -> DIAMETER_ERROR_IDENTITY_NOT_REGISTERED
 */
#include "hss_cx.h"

#include "ims_log.h"

#include <string.h>

struct lir {
	char impu_id[HSS_ID_MAX];
	bool originating;
	struct hss_impu impu;
};

static int lir_read(struct hss_req *r, struct lir *l)
{
	struct avp *a = NULL;

	if (hss_need_str(r, ims_cx.avp_public_identity, l->impu_id, sizeof l->impu_id))
		return HSS_STOP;
	l->originating = ims_cx_find(r->req, ims_cx.avp_originating_request, &a) == 0;
	return 0;
}

static int lir_unregistered(struct hss_req *r, struct lir *l)
{
	int rc = l->originating ? HSS_DB_OK
				: hss_db_profile_has_unreg_services(l->impu.service_profile_id);

	if (rc == HSS_DB_NOT_FOUND)
		return hss_fail_experimental(r, IMS_CX_ERROR_IDENTITY_NOT_REGISTERED,
					     "not registered, no unregistered services");
	if (rc != HSS_DB_OK)
		return hss_fail_db(r);
	hss_set_success(r, true, IMS_CX_UNREGISTERED_SERVICE);
	if (l->impu.scscf_name[0])
		return hss_add_str(r, ims_cx.avp_server_name, l->impu.scscf_name) ? hss_fail_db(r)
										  : 0;
	return hss_add_server_capabilities(r, l->impu.id) ? hss_fail_db(r) : 0;
}

static int lir_answer(struct hss_req *r, struct lir *l)
{
	if (l->impu.state == HSS_NOT_REGISTERED || !l->impu.scscf_name[0])
		return lir_unregistered(r, l);
	hss_set_success(r, false, IMS_DIAMETER_SUCCESS);
	return hss_add_str(r, ims_cx.avp_server_name, l->impu.scscf_name) ? hss_fail_db(r) : 0;
}

int hss_cx_lir(struct msg **msg, void *opaque)
{
	struct hss_req r;
	struct lir l;

	if (hss_req_begin(msg, &r, "LIR") < 0)
		return -1;
	memset(&l, 0, sizeof l);
	if (!lir_read(&r, &l) &&
	    !hss_db_step(&r, hss_db_impu_get(l.impu_id, &l.impu), "unknown public identity") &&
	    !lir_answer(&r, &l))
		IMS_INFO("LIR %s: %s (%s) -> %u %s", r.sid, l.impu_id,
			 hss_reg_state_name(l.impu.state), r.code, l.impu.scscf_name);
	return hss_req_end(msg, &r);
}
