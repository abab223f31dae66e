/*
 * icscf_cx — UAR and LIR to the HSS.  The answer callbacks run on
 * freeDiameter's threads: they copy what the answer says into a plain
 * struct icscf_cx_result and post it to the SIP loop through the bridge.
 */
#include "icscf.h"

#include <stdlib.h>
#include <string.h>

#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

struct cx_pending {
	struct icscf *ic;
	uint32_t tx_id;
	icscf_cx_done_fn done;
};

struct cx_delivery {
	struct icscf_cx_result r;
	icscf_cx_done_fn done;
};

static void deliver_on_root(void *arg)
{
	struct cx_delivery *d = arg;
	d->done(&d->r);
	free(d);
}

static void read_capabilities(struct msg *ans, struct icscf_cx_result *r)
{
	struct avp *caps, *a;
	if (ims_cx_find(ans, ims_cx.avp_server_capabilities, &caps) < 0)
		return;
	r->has_capabilities = 1;
	for (int rc = ims_cx_find(caps, ims_cx.avp_mandatory_capability, &a);
	     rc == 0 && r->n_mandatory < 16;
	     rc = ims_cx_find_next(a, ims_cx.avp_mandatory_capability, &a))
		ims_cx_avp_u32(a, &r->mandatory[r->n_mandatory++]);
	for (int rc = ims_cx_find(caps, ims_cx.avp_optional_capability, &a);
	     rc == 0 && r->n_optional < 16;
	     rc = ims_cx_find_next(a, ims_cx.avp_optional_capability, &a))
		ims_cx_avp_u32(a, &r->optional[r->n_optional++]);
	/* a Server-Name inside the capabilities is a preferred S-CSCF */
	if (!r->server_name[0])
		ims_cx_get_str(caps, ims_cx.avp_server_name, r->server_name,
			       sizeof r->server_name);
}

void icscf_cx_read_answer(struct msg *ans, struct icscf_cx_result *r)
{
	struct ims_cx_result res;
	if (ans && ims_cx_result_get(ans, &res) == 0) {
		r->result = res.code;
		r->experimental = res.experimental;
		ims_cx_get_str(ans, ims_cx.avp_server_name, r->server_name, sizeof r->server_name);
		read_capabilities(ans, r);
	}
}

/* freeDiameter thread: copy what the answer says and hand it over. */
static void on_answer(void *data, struct msg *ans)
{
	struct cx_pending *p = data;
	struct cx_delivery *d = calloc(1, sizeof *d);

	if (d) {
		d->done = p->done;
		d->r.ic = p->ic;
		d->r.tx_id = p->tx_id;
		icscf_cx_read_answer(ans, &d->r);
		if (ims_bridge_post(p->ic->bridge, deliver_on_root, d) < 0)
			free(d);
	}
	free(p); /* ans is borrowed: ims_diam frees it */
}

static int send_request(struct icscf *ic, uint32_t tx_id, struct msg *req, icscf_cx_done_fn done)
{
	struct cx_pending *p = calloc(1, sizeof *p);
	if (!p) {
		fd_msg_free(req);
		return -1;
	}
	p->ic = ic;
	p->tx_id = tx_id;
	p->done = done;
	if (ims_diam_send(req, ic->cfg.cx_timeout_ms, on_answer, p) < 0) {
		free(p); /* ims_diam_send freed req and will not call back */
		return -1;
	}
	return 0;
}

int icscf_cx_uar(struct icscf *ic, uint32_t tx_id, const char *impi, const char *impu,
		 const char *visited, int auth_type, icscf_cx_done_fn done)
{
	struct msg *req = NULL;

	if (ims_cx_request_new(ims_cx.cmd_uar, ic->cfg.hss_realm, NULL, &req) < 0 ||
	    ims_cx_add_str(req, ims_cx.avp_user_name, impi) < 0 ||
	    ims_cx_add_str(req, ims_cx.avp_public_identity, impu) < 0 ||
	    ims_cx_add_str(req, ims_cx.avp_visited_network_identifier, visited) < 0 ||
	    ims_cx_add_i32(req, ims_cx.avp_user_authorization_type, auth_type) < 0) {
		IMS_ERR("cx: cannot build UAR for %s", impu);
		if (req)
			fd_msg_free(req);
		return -1;
	}
	return send_request(ic, tx_id, req, done);
}

int icscf_cx_lir(struct icscf *ic, uint32_t tx_id, const char *impu, icscf_cx_done_fn done)
{
	struct msg *req = NULL;

	if (ims_cx_request_new(ims_cx.cmd_lir, ic->cfg.hss_realm, NULL, &req) < 0 ||
	    ims_cx_add_str(req, ims_cx.avp_public_identity, impu) < 0) {
		IMS_ERR("cx: cannot build LIR for %s", impu);
		if (req)
			fd_msg_free(req);
		return -1;
	}
	return send_request(ic, tx_id, req, done);
}
