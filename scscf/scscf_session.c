/*
 * scscf_session — dispatch of every request but REGISTER, the session
 * table, the response hook.  See scscf_session.h.
 */
#include "scscf_session.h"

#include "scscf_calllog.h"

#include "ims_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_string.h>

#define SESS_BUCKETS 1024u
#define SESS_LIFETIME 128 /* s: longer than any INVITE transaction */
#define MAX_OWN_VIAS 8    /* spirals (orig, term, each AS) pass us a few times */

struct scscf_sessions {
	struct scscf_sess *b[SESS_BUCKETS];
	uint32_t next_odi;
};

/* ---- the session table ---- */

struct scscf_sessions *scscf_sessions_new(void)
{
	struct scscf_sessions *t = calloc(1, sizeof *t);
	if (t)
		t->next_odi = (uint32_t)scscf_now() * 2654435761u;
	return t;
}

void scscf_sess_free(struct scscf_sess *s)
{
	if (!s)
		return;
	ims_subscription_free(s->sub);
	free(s);
}

void scscf_sess_done(struct scscf_sess *s)
{
	if (s && !s->odi)
		scscf_sess_free(s);
}

void scscf_sessions_expire(struct scscf_sessions *t, int64_t now)
{
	for (unsigned i = 0; i < SESS_BUCKETS; i++) {
		struct scscf_sess **p = &t->b[i];
		while (*p) {
			struct scscf_sess *s = *p;
			if (s->expires > now) {
				p = &s->next;
				continue;
			}
			*p = s->next;
			scscf_sess_free(s);
		}
	}
}

void scscf_sessions_destroy(struct scscf_sessions *t)
{
	if (!t)
		return;
	scscf_sessions_expire(t, INT64_MAX);
	free(t);
}

struct scscf_sess *scscf_sess_find(struct scscf_sessions *t, uint32_t odi)
{
	struct scscf_sess *s = t->b[odi % SESS_BUCKETS];
	while (s && s->odi != odi)
		s = s->next;
	return s;
}

void scscf_sess_keep(struct scscf_sessions *t, struct scscf_sess *s)
{
	s->expires = scscf_mono() + SESS_LIFETIME;
	if (s->odi)
		return;
	do
		s->odi = ++t->next_odi;
	while (s->odi == 0 || scscf_sess_find(t, s->odi));
	s->next = t->b[s->odi % SESS_BUCKETS];
	t->b[s->odi % SESS_BUCKETS] = s;
}

/* The service profile of sub that holds identity (else the first). */
static const struct ims_service_profile *profile_of(const struct ims_subscription *sub,
                                                    const char *identity)
{
	for (size_t p = 0; p < sub->nprofiles; p++)
		for (size_t i = 0; i < sub->profiles[p].nidentities; i++)
			if (sub->profiles[p].identities[i].identity &&
			    strcasecmp(sub->profiles[p].identities[i].identity, identity) == 0)
				return &sub->profiles[p];
	return sub->nprofiles ? &sub->profiles[0] : NULL;
}

struct scscf_sess *scscf_sess_new(enum ims_session_case scase, const char *served,
                                  const char *user_data)
{
	struct scscf_sess *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->scase = scase;
	snprintf(s->served, sizeof s->served, "%s", served);
	/* parse the profile only when it has filter criteria */
	if (user_data && strstr(user_data, "InitialFilterCriteria")) {
		if (ims_userdata_parse(user_data, strlen(user_data), &s->sub) < 0) {
			IMS_WARN("profile of %s does not parse: no iFC applied", served);
			s->sub = NULL;
		} else {
			s->sp = profile_of(s->sub, served);
		}
	}
	return s;
}

/* ---- helpers ---- */

int scscf_asserted_identity(sip_t const *sip, char *buf, size_t len)
{
	const char *pai = ims_sip_unknown_value(sip, "P-Asserted-Identity");
	char tmp[512];
	url_t url[1];

	if (!pai)
		return -1;
	const char *s = strchr(pai, '<');
	s = s ? s + 1 : pai + strspn(pai, " ");
	size_t n = strcspn(s, s > pai && s[-1] == '<' ? ">" : " ,;");
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (url_d(url, tmp) < 0)
		return -1;
	return ims_sip_url_impu(url, buf, len);
}

int scscf_push_routes(struct ims_sip_tx *tx, const char *value)
{
	msg_t *msg = ims_sip_tx_msg(tx);
	sip_t *sip = ims_sip_tx_request(tx);
	su_home_t *home = msg_home(msg);
	sip_route_t *add = sip_route_make(home, value);
	if (!add)
		return -1;
	int n = 0;
	sip_route_t *last = add;
	for (n = 1; last->r_next; last = last->r_next)
		n++;
	/* the old set follows the new entries */
	sip_route_t *old = sip->sip_route ? sip_route_dup(home, sip->sip_route) : NULL;
	while (sip->sip_route)
		sip_route_remove(msg, sip);
	last->r_next = old;
	if (msg_header_insert(msg, (msg_pub_t *)sip, (msg_header_t *)add) < 0)
		return -1;
	return n;
}

void scscf_pop_routes(struct ims_sip_tx *tx, int n)
{
	sip_t *sip = ims_sip_tx_request(tx);
	while (n-- > 0 && sip->sip_route)
		sip_route_remove(ims_sip_tx_msg(tx), sip);
}

static void txd_free(void *p)
{
	struct scscf_txd *d = p;
	if (d->as_timer)
		su_timer_destroy(d->as_timer);
	free(d);
}

struct scscf_txd *scscf_txd(struct scscf *sc, struct ims_sip_tx *tx)
{
	struct scscf_txd *d = ims_sip_tx_data(tx);
	if (d)
		return d;
	d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->sc = sc;
	d->tx_id = ims_sip_tx_id(tx);
	ims_sip_tx_set_data(tx, d, txd_free);
	return d;
}

/* ---- responses ---- */

/* Whether the AS of d's step has done something: answered above 100, or
 * sent the request back to us (then later failures are not its own). */
static bool as_alive(const struct scscf_txd *d, const struct scscf_sess *s)
{
	return d->as_heard || (s && s->returned >= d->as_step);
}

/* Default handling (TS 24.229 §5.4.3.2) for the AS of d's step, which
 * failed with status (408, 5xx) or stayed silent (status 0).  Returns 1
 * when it took the transaction on (a response is then not relayed). */
static int default_handling(struct scscf *sc, struct ims_sip_tx *tx, struct scscf_txd *d,
                            int status)
{
	struct scscf_sess *s = scscf_sess_find(sc->sessions, d->odi);
	const char *method = ims_sip_tx_request(tx)->sip_request->rq_method_name;

	if (!d->at_as || as_alive(d, s))
		return 0;
	d->at_as = false;
	if (s && s->abandoned < d->as_step)
		s->abandoned = d->as_step; /* should it send the request back after all */
	if (d->dh == IMS_DEFAULT_SESSION_TERMINATED) {
		IMS_INFO("%s (Call-ID %s): application server %s (%d): session terminated", method,
		         scscf_call_id(tx), status ? "failed" : "silent", status);
		if (status)
			return 0; /* its failure goes to the caller */
		ims_sip_tx_reply(tx, 408, "Application Server Timeout", TAG_END());
		return 1;
	}
	IMS_INFO("%s (Call-ID %s): application server %s (%d): session continued", method,
	         scscf_call_id(tx), status ? "failed" : "silent", status);
	scscf_pop_routes(tx, d->pushed_routes);
	d->pushed_routes = 0;
	int rc = s ? scscf_ifc_continue(sc, tx, s) : 500;
	if (rc >= 200)
		ims_sip_tx_reply(tx, rc, NULL, TAG_END());
	return 1;
}

static void as_silent(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct scscf_txd *d = (struct scscf_txd *)arg;
	struct ims_sip_tx *tx = ims_sip_tx_find(d->sc->sip, d->tx_id);
	if (tx)
		default_handling(d->sc, tx, d, 0);
}

void scscf_txd_as_timer(struct scscf_txd *d)
{
	int ms = d->sc->cfg.as_timeout_ms;
	if (ms <= 0)
		return;
	if (d->as_timer)
		su_timer_reset(d->as_timer);
	else
		d->as_timer = su_timer_create(su_root_task(d->sc->root), (su_duration_t)ms);
	if (!d->as_timer || su_timer_set(d->as_timer, as_silent, (su_timer_arg_t *)d) < 0)
		IMS_WARN("cannot start the application server timer: nta's timeout applies");
}

int scscf_session_response(void *ctx, struct ims_sip_tx *tx, msg_t *msg, sip_t *sip)
{
	struct scscf *sc = ctx;
	struct scscf_txd *d = ims_sip_tx_data(tx);
	int status = sip->sip_status ? sip->sip_status->st_status : 500;

	if (d && (status == 408 || status >= 500) && default_handling(sc, tx, d, status)) {
		msg_destroy(msg);
		return 1;
	}
	if (d && status > 100)
		d->as_heard = true;
	return 0;
}

/* The final response the INVITE that started a call sent to the caller,
 * whoever made it: relayed from the callee, or our own (an application
 * server's default handling, a routing failure, a CANCEL before any
 * branch, a transaction timeout).  Only that transaction's: in the spiral
 * the terminating pass and the passes back from application servers see
 * the same call, and the caller sees what the first one sends. */
static void call_final(void *ctx, struct ims_sip_tx *tx, int status)
{
	struct scscf *sc = ctx;

	if (!status) {
		IMS_INFO("INVITE (Call-ID %s): ended without a final response: call log 500",
		         scscf_call_id(tx));
		status = 500;
	}
	if (sc->calls)
		scscf_calllog_final(sc->calls, scscf_call_id(tx), status);
}

void scscf_session_log_invite(struct scscf *sc, struct ims_sip_tx *tx, const char *caller,
                              const char *callee)
{
	if (sc->calls && scscf_calllog_invite(sc->calls, scscf_call_id(tx), caller, callee))
		ims_sip_tx_on_final(tx, call_final);
}

/* ---- dispatch ---- */

/* Too many of our own Vias: a loop rather than a spiral (482). */
static bool looped(struct scscf *sc, sip_t const *sip)
{
	int own = 0;
	for (sip_via_t const *v = sip->sip_via; v; v = v->v_next) {
		int port = v->v_port ? atoi(v->v_port) : 5060;
		if (port == sc->cfg.sip.port && (su_casematch(v->v_host, sc->cfg.sip.name) ||
		                                 su_casematch(v->v_host, sc->cfg.sip.listen)))
			own++;
	}
	return own > MAX_OWN_VIAS;
}

/* The odi (and the step, *step) of our top Route, or 0. */
static uint32_t odi_of(struct scscf *sc, sip_t const *sip, int *step)
{
	sip_route_t const *r = sip->sip_route;
	char val[16];

	*step = 0;
	if (!r || !ims_sip_is_me(sc->sip, r->r_url) || !r->r_url->url_params)
		return 0;
	if (url_param(r->r_url->url_params, "s", val, sizeof val) > 0)
		*step = atoi(val);
	if (url_param(r->r_url->url_params, "odi", val, sizeof val) == 0)
		return 0;
	return (uint32_t)strtoul(val, NULL, 16);
}

static bool orig_route(struct scscf *sc, sip_t const *sip)
{
	sip_route_t const *r = sip->sip_route;
	return r && ims_sip_is_me(sc->sip, r->r_url) && r->r_url->url_user &&
	       strcmp(r->r_url->url_user, "orig") == 0;
}

/* The request came back from the application server of step: the chain
 * goes on after that step's iFC. */
static int continued(struct scscf *sc, struct ims_sip_tx *tx, uint32_t odi, int step)
{
	struct scscf_sess *s = scscf_sess_find(sc->sessions, odi);
	const char *method = ims_sip_tx_request(tx)->sip_request->rq_method_name;

	if (!s || step <= 0 || (s->sp && step > (int)s->sp->nifcs)) {
		IMS_INFO("%s (Call-ID %s): back from an application server: session %08x step %d "
		         "unknown",
		         method, scscf_call_id(tx), (unsigned)odi, step);
		return 408;
	}
	if (step <= s->abandoned) {
		IMS_INFO("%s (Call-ID %s): back from an application server we stopped waiting for",
		         method, scscf_call_id(tx));
		return 408;
	}
	if (s->returned < step)
		s->returned = step;
	s->next_ifc = step;
	ims_sip_tx_pop_own_routes(tx);
	if (ims_sip_tx_request(tx)->sip_request->rq_method == sip_method_invite) {
		if (!scscf_txd(sc, tx))
			return 500;
		ims_sip_tx_on_response(tx, scscf_session_response);
	}
	return scscf_ifc_continue(sc, tx, s);
}

/* An in-dialog request with no Route left whose target is one of our
 * public identities rather than a contact: forwarding it by its
 * Request-URI would send it to the I-CSCF and back here (a loop until
 * 482); it goes to the identity's bindings instead (no iFCs: not an
 * initial request). */
static int to_identity(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	char impu[SCSCF_ID_MAX];

	if (ims_sip_url_impu(sip->sip_request->rq_url, impu, sizeof impu) < 0)
		return 404;
	IMS_DEBUG("%s (Call-ID %s): in a dialog, addressed to %s: its bindings",
	          sip->sip_request->rq_method_name, scscf_call_id(tx), impu);
	return scscf_term_fork(sc, tx, impu);
}

/* Loose-routed on: in-dialog requests, and others routed through us. */
static int pass_on(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	if (sip->sip_request->rq_method == sip_method_bye && sc->calls)
		scscf_calllog_bye(sc->calls, scscf_call_id(tx));
	if (!sip->sip_route && scscf_home_target(sc, sip->sip_request->rq_url))
		return to_identity(sc, tx);
	IMS_DEBUG("%s (Call-ID %s): along the route set", sip->sip_request->rq_method_name,
	          scscf_call_id(tx));
	return ims_sip_tx_forward(tx, NULL, NULL, NULL) < 0 ? 500 : 0;
}

int scscf_session_request(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	bool ack = sip->sip_request->rq_method == sip_method_ack;

	if (!ims_trust_has(&sc->trust, ims_sip_tx_source_ip(tx))) {
		/* UEs reach us through their P-CSCF only */
		IMS_INFO("%s (Call-ID %s): 403, from %s, not a node of this core",
		         sip->sip_request->rq_method_name, scscf_call_id(tx),
		         ims_sip_tx_source_ip(tx));
		return ack ? 0 : 403;
	}
	if (looped(sc, sip)) {
		IMS_INFO("%s (Call-ID %s): loop detected", sip->sip_request->rq_method_name,
		         scscf_call_id(tx));
		return ack ? 0 : 482;
	}
	int step;
	uint32_t odi = odi_of(sc, sip, &step);
	if (odi && !ack)
		return continued(sc, tx, odi, step);
	bool in_dialog = sip->sip_to && sip->sip_to->a_tag;
	if (orig_route(sc, sip) && !in_dialog && !ack)
		return scscf_orig(sc, tx);
	ims_sip_tx_pop_own_routes(tx);
	if (in_dialog || ack || sip->sip_route)
		return pass_on(sc, tx);
	return scscf_term(sc, tx);
}
