/*
 * scscf_cx_rtr — the requests the HSS sends to the S-CSCF:
 *   RTR (TS 29.228 §6.1.3): Registration-Termination — remove the listed
 *       public identities' registrations, or every registration of the
 *       private identities (User-Name and Associated-Identities) when none
 *       is listed;
 *   PPR (TS 29.228 §6.1.4): Push-Profile — new User-Data for a private
 *       identity's registrations.
 * The handlers run on freeDiameter's threads: they copy the request into a
 * plain struct, post it to the root thread (which owns the registrations)
 * and answer DIAMETER_SUCCESS at once.
 */
#include "scscf_cx.h"

#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTR_MAX_IDS 32

struct rtr_job {
	struct scscf *sc;
	bool ppr;
	char sid[128];
	char impi[RTR_MAX_IDS][SCSCF_ID_MAX]; /* User-Name, then Associated-Identities */
	int n_impi;
	char impu[RTR_MAX_IDS][SCSCF_ID_MAX]; /* Public-Identity AVPs */
	int n_impu;
	int32_t reason;
	char *user_data; /* PPR */
};

static void job_free(struct rtr_job *j)
{
	free(j->user_data);
	free(j);
}

/* ---- root thread ---- */

static bool reg_listed(const struct rtr_job *j, const struct scscf_reg *reg)
{
	if (j->n_impu > 0) {
		for (int i = 0; i < j->n_impu; i++)
			for (int k = 0; k < reg->n_assoc; k++)
				if (strcmp(j->impu[i], reg->assoc[k]) == 0)
					return true;
		return false;
	}
	for (int i = 0; i < j->n_impi; i++)
		if (strcmp(j->impi[i], reg->impi) == 0)
			return true;
	return false;
}

static void rtr_apply(struct rtr_job *j)
{
	struct scscf_ul *ul = j->sc->ul;
	int n = 0;

	for (struct scscf_reg *reg = scscf_ul_first(ul), *next; reg; reg = next) {
		next = reg->next;
		if (!reg_listed(j, reg))
			continue;
		IMS_INFO("RTR %s: %s de-registered by the HSS (reason %d)", j->sid, reg->impu,
		         j->reason);
		scscf_ul_remove(ul, reg);
		n++;
	}
	if (n == 0)
		IMS_INFO("RTR %s: no registration of %s here", j->sid, j->impi[0]);
}

static void ppr_apply(struct rtr_job *j)
{
	struct scscf_ul *ul = j->sc->ul;

	for (struct scscf_reg *reg = scscf_ul_first(ul); reg; reg = reg->next) {
		if (!reg_listed(j, reg))
			continue;
		char ids[SCSCF_ASSOC_MAX][SCSCF_ID_MAX];
		const char *ptr[SCSCF_ASSOC_MAX];
		int n = scscf_cx_implicit_set(j->user_data, reg->impu, ids, SCSCF_ASSOC_MAX);
		if (n < 0) {
			IMS_WARN("PPR %s: User-Data for %s does not parse; kept the old one",
			         j->sid, reg->impu);
			continue;
		}
		for (int i = 0; i < n; i++)
			ptr[i] = ids[i];
		scscf_ul_set_profile(ul, reg, ptr, n, j->user_data);
		IMS_INFO("PPR %s: new profile for %s", j->sid, reg->impu);
	}
}

static void job_on_root(void *arg)
{
	struct rtr_job *j = arg;
	if (j->ppr) {
		if (j->user_data)
			ppr_apply(j);
	} else {
		rtr_apply(j);
	}
	job_free(j);
}

/* ---- freeDiameter threads ---- */

static void read_ids(struct rtr_job *j, struct msg *req)
{
	struct avp *a = NULL, *group = NULL;

	if (ims_cx_get_str(req, ims_cx.avp_user_name, j->impi[0], SCSCF_ID_MAX) == 0)
		j->n_impi = 1;
	for (int rc = ims_cx_find(req, ims_cx.avp_public_identity, &a);
	     rc == 0 && j->n_impu < RTR_MAX_IDS;
	     rc = ims_cx_find_next(a, ims_cx.avp_public_identity, &a))
		if (ims_cx_avp_str(a, j->impu[j->n_impu], SCSCF_ID_MAX) == 0)
			j->n_impu++;
	if (ims_cx_find(req, ims_cx.avp_associated_identities, &group) < 0)
		return;
	for (int rc = ims_cx_find(group, ims_cx.avp_user_name, &a);
	     rc == 0 && j->n_impi < RTR_MAX_IDS; rc = ims_cx_find_next(a, ims_cx.avp_user_name, &a))
		if (ims_cx_avp_str(a, j->impi[j->n_impi], SCSCF_ID_MAX) == 0)
			j->n_impi++;
}

static void read_reason(struct rtr_job *j, struct msg *req)
{
	struct avp *dr = NULL;
	j->reason = -1;
	if (ims_cx_find(req, ims_cx.avp_deregistration_reason, &dr) == 0)
		ims_cx_get_i32(dr, ims_cx.avp_reason_code, &j->reason);
}

static void read_user_data(struct rtr_job *j, struct msg *req)
{
	const uint8_t *data;
	size_t len;
	if (ims_cx_get_bytes(req, ims_cx.avp_user_data, &data, &len) < 0 || len == 0)
		return;
	j->user_data = malloc(len + 1);
	if (j->user_data) {
		memcpy(j->user_data, data, len);
		j->user_data[len] = '\0';
	}
}

static int handle(struct msg **msg, struct scscf *sc, bool ppr)
{
	struct rtr_job *j = calloc(1, sizeof *j);
	if (!j)
		return -ENOMEM;
	j->sc = sc;
	j->ppr = ppr;
	ims_cx_session_id(*msg, j->sid, sizeof j->sid);
	read_ids(j, *msg);
	if (ppr)
		read_user_data(j, *msg);
	else
		read_reason(j, *msg);
	IMS_INFO("%s %s for %s%s%s", ppr ? "PPR" : "RTR", j->sid, j->n_impi ? j->impi[0] : "?",
	         j->n_impu ? " " : "", j->n_impu ? j->impu[0] : "");

	int rc = ims_cx_answer_new(msg);
	if (rc == 0)
		rc = ims_cx_answer_set_result(*msg, IMS_DIAMETER_SUCCESS);
	if (rc < 0 || ims_bridge_post(sc->bridge, job_on_root, j) < 0) {
		job_free(j);
		return rc < 0 ? rc : -ENOMEM;
	}
	return 0;
}

static int rtr_handler(struct msg **msg, void *opaque)
{
	return handle(msg, opaque, false);
}
static int ppr_handler(struct msg **msg, void *opaque)
{
	return handle(msg, opaque, true);
}

int scscf_cx_rtr_register(struct scscf *sc)
{
	if (ims_diam_register(ims_cx.cmd_rtr, rtr_handler, sc) < 0 ||
	    ims_diam_register(ims_cx.cmd_ppr, ppr_handler, sc) < 0) {
		IMS_ERR("diameter: cannot register the RTR/PPR handlers");
		return -1;
	}
	return 0;
}
