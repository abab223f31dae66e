/*
 * scscf_ifc — the iFC chain of a session (TS 24.229 §5.4.3.2/§5.4.3.3,
 * TS 29.228 annex B): evaluate the served user's initial filter criteria
 * in priority order from where the session stands; for the first that
 * matches, send the request to its application server with
 *   Route: <AS;lr>, <sip:scscf...;lr;odi=XXXXXXXX;s=N>
 * so that it comes back to us and we go on with the next iFC
 * (scscf_session.c finds the session by its odi, and the step by s=).
 * When the AS fails (408, 5xx) or stays silent for [scscf] as_timeout_ms
 * (neither a response above 100 nor the request back), scscf_session.c
 * applies its default handling.
 */
#include "scscf_session.h"

#include "ims_ifc.h"
#include "ims_log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>

/* What the trigger points see of the request. */
struct ifc_view {
	char *text; /* the whole message as text (home of the request) */
	char buf[4][1024];
	unsigned next;
};

/* header_fn over the message text: the index-th value of name. */
static const char *view_header(void *arg, const char *name, size_t index)
{
	struct ifc_view *v = arg;
	size_t nlen = strlen(name), seen = 0;
	const char *p = v->text ? strstr(v->text, "\r\n") : NULL; /* skip request line */

	while (p && p[2] != '\r' && p[2] != '\0') {
		const char *line = p + 2;
		p = strstr(line, "\r\n");
		size_t len = p ? (size_t)(p - line) : strlen(line);
		if (len <= nlen || strncasecmp(line, name, nlen) != 0)
			continue;
		const char *c = line + nlen;
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c != ':' || seen++ != index)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		char *out = v->buf[v->next++ % 4];
		snprintf(out, sizeof v->buf[0], "%.*s", (int)(len - (size_t)(c - line)), c);
		return out;
	}
	return NULL;
}

static int describe(struct ims_sip_tx *tx, const struct scscf_sess *s, struct ifc_view *v,
                    struct ims_ifc_request *req)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t const *sip = ims_sip_tx_request(tx);
	su_home_t *home = msg_home(msg);
	size_t len = 0;

	v->text = msg_as_string(home, msg, NULL, 0, &len);
	memset(req, 0, sizeof *req);
	req->method = sip->sip_request->rq_method_name;
	req->request_uri = url_as_string(home, sip->sip_request->rq_url);
	req->session_case = s->scase;
	req->header_fn = view_header;
	req->header_arg = v;
	req->reg_type = -1;
	req->registered = s->scase != IMS_SESSION_TERMINATING_UNREGISTERED &&
	                  s->scase != IMS_SESSION_ORIGINATING_UNREGISTERED;
	if (sip->sip_payload && sip->sip_content_type && sip->sip_content_type->c_type &&
	    strcasecmp(sip->sip_content_type->c_type, "application/sdp") == 0)
		req->sdp = su_strndup(home, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
	return v->text && req->request_uri ? 0 : -1;
}

/* Index of the next matching iFC from s->next_ifc, or -1. */
static const struct ims_ifc *next_match(struct ims_sip_tx *tx, struct scscf_sess *s)
{
	const struct ims_ifc *order[IMS_USERDATA_MAX_IFCS];
	struct ifc_view view = {.next = 0};
	struct ims_ifc_request req;

	if (!s->sp || s->next_ifc >= (int)s->sp->nifcs)
		return NULL;
	int n = ims_ifc_order(s->sp, order, IMS_USERDATA_MAX_IFCS);
	if (n <= s->next_ifc || describe(tx, s, &view, &req) < 0)
		return NULL;
	while (s->next_ifc < n) {
		const struct ims_ifc *ifc = order[s->next_ifc++];
		int rc = ims_ifc_applies(ifc, &req);
		if (rc < 0)
			IMS_WARN("%s (Call-ID %s): iFC priority %d of %s unusable (%d): skipped",
			         req.method, scscf_call_id(tx), ifc->priority, s->served, rc);
		if (rc == 1)
			return ifc;
	}
	return NULL;
}

/* Route the request to ifc's application server and back to us. */
static int to_as(struct scscf *sc, struct ims_sip_tx *tx, struct scscf_sess *s,
                 const struct ims_ifc *ifc)
{
	struct scscf_txd *d = scscf_txd(sc, tx);
	const char *as = ifc->as.server_name;
	char routes[1024];

	if (!d)
		return 500;
	scscf_sess_keep(sc->sessions, s);
	int n = snprintf(routes, sizeof routes, "<%s%s>, <sip:%s:%d;lr;odi=%08x;s=%d>", as,
	                 strstr(as, ";lr") ? "" : ";lr", sc->cfg.sip.name, sc->cfg.sip.port,
	                 (unsigned)s->odi, s->next_ifc);
	if (n < 0 || (size_t)n >= sizeof routes)
		return 500;
	int pushed = scscf_push_routes(tx, routes);
	if (pushed < 0)
		return 500;
	d->odi = s->odi;
	d->as_step = s->next_ifc;
	d->at_as = true;
	d->as_heard = false;
	d->dh = ifc->as.default_handling;
	d->pushed_routes = pushed;
	ims_sip_tx_on_response(tx, scscf_session_response);
	IMS_INFO("%s (Call-ID %s): iFC priority %d of %s -> %s",
	         ims_sip_tx_request(tx)->sip_request->rq_method_name, scscf_call_id(tx),
	         ifc->priority, s->served, as);
	if (ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0)
		return 503;
	scscf_txd_as_timer(d);
	return 0;
}

int scscf_ifc_continue(struct scscf *sc, struct ims_sip_tx *tx, struct scscf_sess *s)
{
	const struct ims_ifc *ifc = next_match(tx, s);
	if (ifc)
		return to_as(sc, tx, s, ifc);

	int rc;
	if (s->scase == IMS_SESSION_ORIGINATING || s->scase == IMS_SESSION_ORIGINATING_UNREGISTERED)
		rc = scscf_orig_route_out(sc, tx);
	else if (s->scase == IMS_SESSION_TERMINATING_UNREGISTERED)
		rc = 480; /* no service took the request for the unregistered user */
	else
		rc = scscf_term_fork(sc, tx, s->served);
	scscf_sess_done(s);
	return rc;
}
