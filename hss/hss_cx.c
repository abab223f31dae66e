/* hss_cx — shared plumbing of the Cx handlers; see hss_cx.h. */
#include "hss_cx.h"

#include "hss_cfg.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <errno.h>
#include <string.h>

const struct hss_cfg *hss_cx_cfg;


int hss_req_begin(struct msg **msg, struct hss_req *r, const char *cmd)
{
	memset(r, 0, sizeof *r);
	r->cmd = cmd;
	ims_cx_session_id(*msg, r->sid, sizeof r->sid);
	if (ims_cx_answer_new(msg) < 0) {
		IMS_ERR("%s %s: cannot build the answer; dropping the request", cmd, r->sid);
		return -1;
	}
	r->ans = *msg;
	if (fd_msg_answ_getq(r->ans, &r->req) != 0 || !r->req) {
		IMS_ERR("%s %s: answer without its request", cmd, r->sid);
		return -1;
	}
	return 0;
}

void hss_set_success(struct hss_req *r, bool experimental, uint32_t code)
{
	r->experimental = experimental;
	r->code = code;
}

int hss_fail_result(struct hss_req *r, uint32_t code, const char *why)
{
	IMS_INFO("%s %s: Result-Code %u (%s)", r->cmd, r->sid, code, why);
	hss_set_success(r, false, code);
	return HSS_STOP;
}

int hss_fail_experimental(struct hss_req *r, uint32_t code, const char *why)
{
	IMS_INFO("%s %s: Experimental-Result-Code %u (%s)", r->cmd, r->sid, code, why);
	hss_set_success(r, true, code);
	return HSS_STOP;
}

static const char *avp_name(struct dict_object *model)
{
	struct dict_avp_data d;
	if (model && fd_dict_getval(model, &d) == 0 && d.avp_name)
		return d.avp_name;
	return "?";
}

int hss_fail_missing(struct hss_req *r, struct dict_object *avp)
{
	IMS_WARN("%s %s: missing AVP %s", r->cmd, r->sid, avp_name(avp));
	r->missing = avp;
	hss_set_success(r, false, IMS_DIAMETER_MISSING_AVP);
	return HSS_STOP;
}

int hss_fail_invalid(struct hss_req *r, struct avp *avp, const char *why)
{
	struct dict_object *model = NULL;
	fd_msg_model(avp, &model);
	IMS_WARN("%s %s: invalid AVP %s: %s", r->cmd, r->sid, avp_name(model), why);
	r->invalid = avp;
	hss_set_success(r, false, IMS_DIAMETER_INVALID_AVP_VALUE);
	return HSS_STOP;
}

int hss_fail_db(struct hss_req *r)
{
	IMS_ERR("%s %s: database unavailable: DIAMETER_UNABLE_TO_COMPLY", r->cmd, r->sid);
	hss_set_success(r, false, IMS_DIAMETER_UNABLE_TO_COMPLY);
	return HSS_STOP;
}

int hss_db_step(struct hss_req *r, int db_rc, const char *what)
{
	if (db_rc == HSS_DB_OK)
		return 0;
	if (db_rc == HSS_DB_NOT_FOUND)
		return hss_fail_experimental(r, IMS_CX_ERROR_USER_UNKNOWN, what);
	return hss_fail_db(r);
}

/* --- reading the request ------------------------------------------------ */

int hss_opt_str(struct hss_req *r, struct dict_object *model, char *buf, size_t len)
{
	struct avp *a = NULL;
	int rc;

	buf[0] = '\0';
	if (ims_cx_find(r->req, model, &a) < 0)
		return -ENOENT;
	rc = ims_cx_avp_str(a, buf, len);
	if (rc == 0 && buf[0] != '\0')
		return 0;
	return hss_fail_invalid(r, a, rc == -ENOSPC ? "too long" : "empty or not text");
}

int hss_need_str(struct hss_req *r, struct dict_object *model, char *buf, size_t len)
{
	int rc = hss_opt_str(r, model, buf, len);
	if (rc == -ENOENT)
		return hss_fail_missing(r, model);
	return rc;
}

int hss_opt_enum(struct hss_req *r, struct dict_object *model, int32_t max, int32_t def,
		 int32_t *out)
{
	struct avp *a = NULL;
	int32_t v = 0;
	uint32_t u = 0;

	*out = def;
	if (ims_cx_find(r->req, model, &a) < 0)
		return 0;
	if (ims_cx_avp_i32(a, &v) < 0) {
		if (ims_cx_avp_u32(a, &u) < 0 || u > (uint32_t)INT32_MAX)
			return hss_fail_invalid(r, a, "not a number");
		v = (int32_t)u;
	}
	if (v < 0 || v > max)
		return hss_fail_invalid(r, a, "value out of range");
	*out = v;
	return 0;
}

/* --- building the answer ------------------------------------------------- */

int hss_add_str(struct hss_req *r, struct dict_object *avp, const char *value)
{
	return ims_cx_add_str(r->ans, avp, value) < 0 ? -1 : 0;
}

int hss_add_server_capabilities(struct hss_req *r, uint64_t impu_id)
{
	struct hss_caps caps;
	struct avp *g = NULL;
	int rc = hss_db_capabilities(impu_id, &caps);

	if (rc != HSS_DB_OK)
		return rc;
	if (ims_cx_add_group(r->ans, ims_cx.avp_server_capabilities, &g) < 0)
		return -1;
	for (int i = 0; i < caps.n_mandatory; i++)
		if (ims_cx_add_u32(g, ims_cx.avp_mandatory_capability, caps.mandatory[i]) < 0)
			return -1;
	for (int i = 0; i < caps.n_optional; i++)
		if (ims_cx_add_u32(g, ims_cx.avp_optional_capability, caps.optional[i]) < 0)
			return -1;
	for (int i = 0; i < caps.n_names; i++)
		if (ims_cx_add_str(g, ims_cx.avp_server_name, caps.names[i]) < 0)
			return -1;
	return 0;
}

/* A copy of the missing AVP's kind with an empty value, or of the invalid
 * AVP's value, inside Failed-AVP (RFC 6733 7.5, TS 29.228 6). */
static int add_failed_avp(struct hss_req *r)
{
	struct dict_object *model = r->missing;
	struct dict_avp_data d;
	struct avp *failed = NULL, *inner = NULL;
	union avp_value zero = {0};
	union avp_value *val = &zero;
	struct avp_hdr *h = NULL;

	if (r->invalid) {
		if (fd_msg_model(r->invalid, &model) || !model || fd_msg_avp_hdr(r->invalid, &h))
			return -1;
		if (h->avp_value)
			val = h->avp_value;
	}
	if (!model || fd_dict_getval(model, &d) != 0)
		return -1;
	if (d.avp_basetype == AVP_TYPE_OCTETSTRING && val == &zero)
		zero.os.data = (uint8_t *)"", zero.os.len = 0;
	if (fd_msg_avp_new(ims_cx.avp_failed_avp, 0, &failed) || fd_msg_avp_new(model, 0, &inner))
		goto fail;
	if (d.avp_basetype != AVP_TYPE_GROUPED && fd_msg_avp_setvalue(inner, val))
		goto fail;
	if (fd_msg_avp_add(failed, MSG_BRW_LAST_CHILD, inner))
		goto fail;
	inner = NULL;
	if (fd_msg_avp_add(r->ans, MSG_BRW_LAST_CHILD, failed))
		goto fail;
	return 0;
fail:
	if (inner)
		fd_msg_free(inner);
	if (failed)
		fd_msg_free(failed);
	return -1;
}

int hss_req_end(struct msg **msg, struct hss_req *r)
{
	int rc;

	if (r->code == 0)
		hss_set_success(r, false, IMS_DIAMETER_SUCCESS);
	if (r->experimental)
		rc = ims_cx_answer_set_experimental(r->ans, r->code);
	else
		rc = ims_cx_answer_set_result(r->ans, r->code);
	if (rc == 0 && (r->missing || r->invalid) && add_failed_avp(r) < 0)
		IMS_WARN("%s %s: could not add Failed-AVP", r->cmd, r->sid);
	if (rc < 0) {
		IMS_ERR("%s %s: cannot set the result of the answer", r->cmd, r->sid);
		return -1;
	}
	IMS_DEBUG("%s %s: answered %s %u", r->cmd, r->sid,
		  r->experimental ? "Experimental-Result-Code" : "Result-Code", r->code);
	return 0;
}

/* --- registration ----------------------------------------------------------- */

int hss_cx_register(const struct hss_cfg *cfg)
{
	hss_cx_cfg = cfg;
	if (ims_diam_register(ims_cx.cmd_uar, hss_cx_uar, NULL) < 0 ||
	    ims_diam_register(ims_cx.cmd_mar, hss_cx_mar, NULL) < 0 ||
	    ims_diam_register(ims_cx.cmd_sar, hss_cx_sar, NULL) < 0 ||
	    ims_diam_register(ims_cx.cmd_lir, hss_cx_lir, NULL) < 0) {
		IMS_ERR("diameter: cannot register the Cx handlers");
		return -1;
	}
	return 0;
}
