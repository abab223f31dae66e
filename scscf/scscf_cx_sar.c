/*
 * scscf_cx_sar — Server-Assignment-Request (TS 29.228 §6.1.2, TS 29.229
 * §6.1.3): tell the HSS that this S-CSCF serves (REGISTRATION,
 * RE_REGISTRATION) or stops serving (USER_/TIMEOUT_DEREGISTRATION,
 * AUTHENTICATION_FAILURE) a public identity; the SAA brings the User-Data,
 * unless the SAR said User-Data-Already-Available (a re-registration: the
 * S-CSCF keeps the profile it has; a changed profile comes with a PPR).
 * See scscf_cx.h for the threading.
 */
#include "scscf_cx.h"

#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"
#include "ims_userdata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sar_build(struct scscf_sar *s, struct msg **out)
{
	const struct scscf_cfg *cfg = &s->sc->cfg;
	struct msg *msg = NULL;

	if (ims_cx_request_new(ims_cx.cmd_sar, cfg->hss_realm,
	                       cfg->hss_host[0] ? cfg->hss_host : NULL, &msg) < 0)
		return -1;
	if ((s->impi[0] && ims_cx_add_str(msg, ims_cx.avp_user_name, s->impi) < 0) ||
	    ims_cx_add_str(msg, ims_cx.avp_public_identity, s->impu) < 0 ||
	    ims_cx_add_str(msg, ims_cx.avp_server_name, cfg->server_name) < 0 ||
	    ims_cx_add_i32(msg, ims_cx.avp_server_assignment_type, s->type) < 0 ||
	    ims_cx_add_i32(msg, ims_cx.avp_user_data_already_available,
	                   s->udaa ? IMS_CX_USER_DATA_ALREADY_AVAILABLE
	                           : IMS_CX_USER_DATA_NOT_AVAILABLE) < 0) {
		fd_msg_free(msg);
		return -1;
	}
	*out = msg;
	return 0;
}

/* ---- the implicit set ---- */

static bool usable(const struct ims_public_identity *pi)
{
	return pi->identity && !pi->barred && pi->type == IMS_IDENTITY_PUBLIC_USER &&
	       strlen(pi->identity) < SCSCF_ID_MAX;
}

static int add_id(char ids[][SCSCF_ID_MAX], int n, int max, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return n;
	if (n >= max)
		return n;
	snprintf(ids[n], SCSCF_ID_MAX, "%s", id);
	return n + 1;
}

int scscf_cx_implicit_set(const char *xml, const char *impu, char ids[][SCSCF_ID_MAX], int max)
{
	struct ims_subscription *sub = NULL;
	int n = 0;

	if (!xml || ims_userdata_parse(xml, strlen(xml), &sub) < 0)
		return -1;
	if (max > 0)
		n = add_id(ids, n, max, impu);
	/* every unbarred public user identity the HSS sent: the SAA carries the
	 * profiles of the registered identity's implicit set */
	for (size_t p = 0; p < sub->nprofiles; p++) {
		const struct ims_service_profile *sp = &sub->profiles[p];
		for (size_t i = 0; i < sp->nidentities; i++)
			if (usable(&sp->identities[i]))
				n = add_id(ids, n, max, sp->identities[i].identity);
	}
	ims_subscription_free(sub);
	return n;
}

/* ---- reading the SAA (freeDiameter thread) ---- */

static void fail(struct scscf_sar *s, int status, const char *why)
{
	s->status = status;
	snprintf(s->reason, sizeof s->reason, "%s", why);
}

static void read_user_data(struct scscf_sar *s, struct msg *ans)
{
	const uint8_t *data;
	size_t len;

	if (ims_cx_get_bytes(ans, ims_cx.avp_user_data, &data, &len) < 0 || len == 0)
		return; /* de-registrations carry none */
	s->user_data = malloc(len + 1);
	if (!s->user_data) {
		fail(s, 500, "out of memory");
		return;
	}
	memcpy(s->user_data, data, len);
	s->user_data[len] = '\0';
	int n = scscf_cx_implicit_set(s->user_data, s->impu, s->id_buf, SCSCF_ASSOC_MAX);
	if (n < 0) {
		fail(s, 500, "SAA: User-Data does not parse");
		return;
	}
	for (int i = 0; i < n; i++)
		s->ids[i] = s->id_buf[i];
	s->n_ids = n;
}

void scscf_cx_sar_read(struct scscf_sar *s, struct msg *ans)
{
	struct ims_cx_result res;

	if (!ans) {
		fail(s, 504, "HSS did not answer the SAR");
		return;
	}
	if (ims_cx_result_get(ans, &res) < 0) {
		fail(s, 500, "SAA without a result");
		return;
	}
	if (ims_cx_result_is_success(&res)) {
		read_user_data(s, ans);
		return;
	}
	if (!res.experimental && res.code == IMS_DIAMETER_UNABLE_TO_DELIVER) {
		fail(s, 504, "HSS unreachable (SAR: DIAMETER_UNABLE_TO_DELIVER)");
		return;
	}
	if (res.experimental && (res.code == IMS_CX_ERROR_USER_UNKNOWN ||
	                         res.code == IMS_CX_ERROR_IDENTITIES_DONT_MATCH)) {
		fail(s, 403,
		     res.code == IMS_CX_ERROR_USER_UNKNOWN
		         ? "unknown user"
		         : "private and public identities do not match");
		return;
	}
	s->status = 500;
	snprintf(s->reason, sizeof s->reason, "SAA %s %u",
	         res.experimental ? "experimental" : "result", res.code);
}

static void sar_on_root(void *arg)
{
	struct scscf_sar *s = arg;
	if (s->done)
		s->done(s);
	free(s->user_data);
	free(s);
}

static void sar_answer(void *data, struct msg *ans)
{
	struct scscf_sar *s = data;
	char sid[128] = "-";

	if (ans)
		ims_cx_session_id(ans, sid, sizeof sid);
	scscf_cx_sar_read(s, ans);
	if (s->status)
		IMS_WARN("SAR %s (Call-ID %s) type %d for %s: %s", sid, s->call_id, s->type,
		         s->impu, s->reason);
	else
		IMS_DEBUG("SAA %s (Call-ID %s) type %d for %s: ok", sid, s->call_id, s->type,
		          s->impu);
	if (ims_bridge_post(s->sc->bridge, sar_on_root, s) < 0) {
		IMS_ERR("SAR (Call-ID %s): cannot hand the answer to the SIP loop", s->call_id);
		free(s->user_data);
		free(s);
	}
}

int scscf_cx_sar_send(struct scscf_sar *s)
{
	struct msg *msg = NULL;

	if (!s->sc->diameter || sar_build(s, &msg) < 0) {
		IMS_ERR("SAR (Call-ID %s) for %s: cannot build the request", s->call_id, s->impu);
		return -1;
	}
	if (ims_diam_send(msg, (unsigned)s->sc->cfg.timeout_ms, sar_answer, s) < 0) {
		IMS_ERR("SAR (Call-ID %s) for %s: cannot send", s->call_id, s->impu);
		return -1;
	}
	IMS_DEBUG("SAR (Call-ID %s) type %d %s %s%s", s->call_id, s->type, s->impi, s->impu,
	          s->udaa ? " (user data already available)" : "");
	return 0;
}

void scscf_cx_sar_notify(struct scscf *sc, const char *impi, const char *impu, int type)
{
	struct scscf_sar *s = calloc(1, sizeof *s);
	if (!s) {
		IMS_ERR("SAR type %d for %s: out of memory", type, impu);
		return;
	}
	s->sc = sc;
	s->type = type;
	snprintf(s->call_id, sizeof s->call_id, "-");
	snprintf(s->impi, sizeof s->impi, "%s", impi);
	snprintf(s->impu, sizeof s->impu, "%s", impu);
	if (scscf_cx_sar_send(s) < 0)
		free(s);
}
