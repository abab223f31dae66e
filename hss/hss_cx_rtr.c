/* hss_cx_rtr — RTR and PPR; see hss_rtr.h. */
#include "hss_rtr.h"

#include "hss_cfg.h"
#include "hss_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The registered identities one request is about. */
struct target {
	char impi[HSS_ID_MAX];
	struct hss_impu sets[HSS_SET_MAX]; /* one identity per implicit set */
	int nsets;
	char host[HSS_ID_MAX], realm[HSS_ID_MAX];
};

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, answered;
	struct ims_cx_result res;
};

static bool is_public(const char *id)
{
	return strncmp(id, "sip:", 4) == 0 || strncmp(id, "sips:", 5) == 0 ||
	       strncmp(id, "tel:", 4) == 0;
}

static void add_set(struct target *t, const struct hss_impu *u)
{
	if (u->state == HSS_NOT_REGISTERED || !u->origin_host[0] || t->nsets >= HSS_SET_MAX)
		return;
	if (t->host[0] && strcmp(t->host, u->origin_host) != 0)
		return; /* another S-CSCF: a later command */
	for (int i = 0; i < t->nsets; i++)
		if (t->sets[i].implicit_set == u->implicit_set)
			return;
	t->sets[t->nsets++] = *u;
	snprintf(t->host, sizeof t->host, "%s", u->origin_host);
	snprintf(t->realm, sizeof t->realm, "%s", u->origin_realm);
}

/* Find what identity covers.  Returns 0 or -1 with why set. */
static int find_target(const char *identity, struct target *t, char *why, size_t len)
{
	struct hss_impu u, all[HSS_SET_MAX];
	struct hss_impi impi;
	int n = 0, rc;

	memset(t, 0, sizeof *t);
	if (is_public(identity)) {
		rc = hss_db_impu_get(identity, &u);
		if (rc == HSS_DB_OK)
			rc = hss_db_impi_of_impu(u.id, t->impi, sizeof t->impi);
		if (rc == HSS_DB_OK)
			add_set(t, &u);
	} else {
		rc = hss_db_impi_get(identity, &impi);
		if (rc == HSS_DB_OK)
			rc = hss_db_impus_of_impi(impi.id, all, HSS_SET_MAX, &n);
		snprintf(t->impi, sizeof t->impi, "%s", identity);
		for (int i = 0; rc == HSS_DB_OK && i < n; i++)
			add_set(t, &all[i]);
	}
	if (rc != HSS_DB_OK) {
		snprintf(why, len, rc == HSS_DB_NOT_FOUND ? "unknown identity %s"
							  : "database unavailable (%s)",
			 identity);
		return -1;
	}
	if (t->nsets == 0) {
		snprintf(why, len, "%s is not registered at any S-CSCF", identity);
		return -1;
	}
	return 0;
}

static void on_answer(void *data, struct msg *ans)
{
	struct waiter *w = data;

	pthread_mutex_lock(&w->lock);
	w->answered = ans && ims_cx_result_get(ans, &w->res) == 0;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Send req and wait for its result.  Returns the code or -1. */
static int send_wait(struct msg *req, const char *what, char *why, size_t len)
{
	struct waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	unsigned ms = (unsigned)hss_cx_cfg->request_timeout * 1000u;
	int rc;

	if (ims_diam_send(req, ms, on_answer, &w) < 0) {
		snprintf(why, len, "%s could not be sent", what);
		return -1;
	}
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	if (!w.answered) {
		snprintf(why, len, "no answer to %s within %u ms", what, ms);
		return -1;
	}
	rc = (int)w.res.code;
	snprintf(why, len, "%s answered %s %d", what,
		 w.res.experimental ? "Experimental-Result-Code" : "Result-Code", rc);
	return rc;
}

static int rtr_build(const struct target *t, int reason, const char *info, struct msg **out)
{
	struct hss_impu set[HSS_SET_MAX];
	struct avp *dr = NULL;
	struct msg *m = NULL;
	int n = 0;

	if (ims_cx_request_new(ims_cx.cmd_rtr, t->realm, t->host, &m) < 0)
		return -1;
	if (ims_cx_add_str(m, ims_cx.avp_user_name, t->impi) < 0)
		goto fail;
	for (int i = 0; i < t->nsets; i++) {
		if (hss_db_implicit_set(t->sets[i].implicit_set, set, HSS_SET_MAX, &n) != HSS_DB_OK)
			goto fail;
		for (int j = 0; j < n; j++)
			if (ims_cx_add_str(m, ims_cx.avp_public_identity, set[j].identity) < 0)
				goto fail;
	}
	if (ims_cx_add_group(m, ims_cx.avp_deregistration_reason, &dr) < 0 ||
	    ims_cx_add_i32(dr, ims_cx.avp_reason_code, reason) < 0 ||
	    (info && info[0] && ims_cx_add_str(dr, ims_cx.avp_reason_info, info) < 0))
		goto fail;
	*out = m;
	return 0;
fail:
	fd_msg_free(m);
	return -1;
}

int hss_rtr_send(const char *identity, int reason, const char *info, char *why, size_t len)
{
	struct target t;
	struct msg *m = NULL;
	int rc;

	if (reason < 0 || reason > IMS_CX_REASON_REMOVE_SCSCF) {
		snprintf(why, len, "reason code %d is not 0..3", reason);
		return -1;
	}
	if (find_target(identity, &t, why, len) < 0)
		return -1;
	if (rtr_build(&t, reason, info, &m) < 0) {
		snprintf(why, len, "cannot build the RTR");
		return -1;
	}
	IMS_INFO("RTR: de-registering %s at %s (reason %d)", identity, t.host, reason);
	rc = send_wait(m, "RTR", why, len);
	if (rc == IMS_DIAMETER_SUCCESS) {
		for (int i = 0; i < t.nsets; i++)
			if (hss_db_set_state(t.sets[i].implicit_set, HSS_NOT_REGISTERED, NULL, NULL,
					     NULL) != HSS_DB_OK)
				IMS_ERR("RTR: %s de-registered but the database was not updated",
					identity);
	}
	IMS_INFO("RTR %s: %s", identity, why);
	return rc;
}

static int ppr_one(const struct target *t, const struct hss_impu *set, char *why, size_t len)
{
	struct msg *m = NULL;
	char *xml = NULL;
	size_t xlen = 0;

	if (hss_userdata_build(t->impi, set->implicit_set, &xml, &xlen) != 0 ||
	    ims_cx_request_new(ims_cx.cmd_ppr, t->realm, t->host, &m) < 0 ||
	    ims_cx_add_str(m, ims_cx.avp_user_name, t->impi) < 0 ||
	    ims_cx_add_bytes(m, ims_cx.avp_user_data, (const uint8_t *)xml, xlen) < 0) {
		free(xml);
		if (m)
			fd_msg_free(m);
		snprintf(why, len, "cannot build the PPR");
		return -1;
	}
	free(xml);
	return send_wait(m, "PPR", why, len);
}

int hss_ppr_send(const char *identity, char *why, size_t len)
{
	struct target t;
	int rc = -1;

	if (find_target(identity, &t, why, len) < 0)
		return -1;
	for (int i = 0; i < t.nsets; i++) {
		IMS_INFO("PPR: pushing the profile of %s to %s", t.sets[i].identity, t.host);
		rc = ppr_one(&t, &t.sets[i], why, len);
		if (rc != IMS_DIAMETER_SUCCESS)
			break;
	}
	IMS_INFO("PPR %s: %s", identity, why);
	return rc;
}

static void on_old_answer(void *data, struct msg *ans)
{
	struct ims_cx_result res;
	char *what = data;

	if (ans && ims_cx_result_get(ans, &res) == 0)
		IMS_INFO("%s answered %s %u", what,
			 res.experimental ? "Experimental-Result-Code" : "Result-Code", res.code);
	else
		IMS_WARN("%s: no answer", what);
	free(what);
}

void hss_rtr_old_scscf(const char *impi, const struct hss_impu *old, const char *sid)
{
	struct target t;
	struct msg *m = NULL;
	char *what = NULL;

	memset(&t, 0, sizeof t);
	snprintf(t.impi, sizeof t.impi, "%s", impi);
	add_set(&t, old);
	if (t.nsets == 0 || rtr_build(&t, IMS_CX_REASON_NEW_SERVER_ASSIGNED, NULL, &m) < 0) {
		IMS_WARN("MAR %s: cannot build the RTR to the old S-CSCF %s", sid, old->origin_host);
		return;
	}
	if (asprintf(&what, "RTR (new server assigned) to %s for %s", t.host, old->identity) < 0)
		what = NULL;
	IMS_INFO("MAR %s: %s", sid, what ? what : "RTR to the old S-CSCF");
	if (!what || ims_diam_send(m, (unsigned)hss_cx_cfg->request_timeout * 1000u,
				   on_old_answer, what) < 0) {
		IMS_WARN("MAR %s: the RTR to the old S-CSCF %s could not be sent", sid,
			 old->origin_host);
		free(what);
	}
}
