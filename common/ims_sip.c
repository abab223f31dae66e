/* ims_sip — see ims_sip.h. */
#include "ims_sip.h"

#include "ims_log.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#define TX_BUCKETS 4096u
#define MAX_ALIASES 8
/* How long a transaction that answered its INVITE waits for late 2xx and
 * for the CANCELled branches to end (64*T1). */
#define TX_LINGER_MS 32000

struct ims_sip_branch {
	struct ims_sip_branch *next;
	struct ims_sip_tx *tx;
	nta_outgoing_t *orq;
	int status;
};

struct ims_sip_tx {
	struct ims_sip *s;
	struct ims_sip_tx *hnext; /* hash chain */
	uint32_t id;
	nta_incoming_t *irq;
	msg_t *msg; /* the request, ours */
	sip_t *sip;
	sip_method_t method;
	tport_t *tport; /* reference */
	char src_ip[64];
	int src_port;
	struct ims_sip_branch *branches;
	bool forwarded;
	bool cancelled;   /* CANCEL came before the final: no new branch (§16.10) */
	int final_status; /* final status sent upstream, 0 when none yet */
	msg_t *best;      /* best final response held back (§16.7) */
	int best_status;
	ims_sip_response_fn on_response;
	ims_sip_final_fn on_final; /* until it was called */
	void *data;
	void (*data_free)(void *);
	su_timer_t *linger;
};

struct ims_sip {
	su_root_t *root;
	nta_agent_t *agent;
	nta_leg_t *leg;
	struct ims_sip_cfg cfg;
	char self_uri[192];
	char aliases[MAX_ALIASES][128];
	int n_aliases;
	ims_sip_request_fn on_request;
	void *ctx;
	uint32_t next_id;
	unsigned count;
	struct ims_sip_tx *buckets[TX_BUCKETS];
};

static void tx_destroy(struct ims_sip_tx *tx);

/* ---- transaction table ---- */

static void tx_link(struct ims_sip *s, struct ims_sip_tx *tx)
{
	do
		tx->id = ++s->next_id;
	while (tx->id == 0 || ims_sip_tx_find(s, tx->id));
	struct ims_sip_tx **b = &s->buckets[tx->id % TX_BUCKETS];
	tx->hnext = *b;
	*b = tx;
	s->count++;
}

static void tx_unlink(struct ims_sip_tx *tx)
{
	struct ims_sip_tx **p = &tx->s->buckets[tx->id % TX_BUCKETS];
	for (; *p; p = &(*p)->hnext) {
		if (*p == tx) {
			*p = tx->hnext;
			tx->s->count--;
			return;
		}
	}
}

struct ims_sip_tx *ims_sip_tx_find(struct ims_sip *s, uint32_t id)
{
	for (struct ims_sip_tx *tx = s->buckets[id % TX_BUCKETS]; tx; tx = tx->hnext)
		if (tx->id == id)
			return tx;
	return NULL;
}

unsigned ims_sip_tx_count(struct ims_sip *s) { return s->count; }

/* ---- accessors ---- */

uint32_t ims_sip_tx_id(const struct ims_sip_tx *tx) { return tx->id; }
struct ims_sip *ims_sip_tx_sip_agent(const struct ims_sip_tx *tx) { return tx->s; }
msg_t *ims_sip_tx_msg(struct ims_sip_tx *tx) { return tx->msg; }
sip_t *ims_sip_tx_request(struct ims_sip_tx *tx) { return tx->sip; }
tport_t *ims_sip_tx_tport(struct ims_sip_tx *tx) { return tx->tport; }
const char *ims_sip_tx_source_ip(struct ims_sip_tx *tx) { return tx->src_ip; }
int ims_sip_tx_source_port(struct ims_sip_tx *tx) { return tx->src_port; }
nta_agent_t *ims_sip_agent(struct ims_sip *s) { return s->agent; }
su_root_t *ims_sip_root(struct ims_sip *s) { return s->root; }
const struct ims_sip_cfg *ims_sip_config(struct ims_sip *s) { return &s->cfg; }
const char *ims_sip_self_uri(struct ims_sip *s) { return s->self_uri; }
void ims_sip_tx_on_response(struct ims_sip_tx *tx, ims_sip_response_fn fn) { tx->on_response = fn; }
void ims_sip_tx_on_final(struct ims_sip_tx *tx, ims_sip_final_fn fn) { tx->on_final = fn; }
void *ims_sip_tx_data(struct ims_sip_tx *tx) { return tx->data; }

const char *ims_sip_tx_protocol(struct ims_sip_tx *tx)
{
	const char *proto = tx->tport ? tport_name(tx->tport)->tpn_proto : NULL;
	return proto && su_casematch(proto, "tcp") ? "tcp" : "udp";
}

void ims_sip_tx_set_data(struct ims_sip_tx *tx, void *data, void (*free_fn)(void *))
{
	if (tx->data && tx->data_free)
		tx->data_free(tx->data);
	tx->data = data;
	tx->data_free = free_fn;
}

/* ---- identity of this node ---- */

int ims_sip_add_alias(struct ims_sip *s, const char *host)
{
	if (s->n_aliases >= MAX_ALIASES || strlen(host) >= sizeof s->aliases[0])
		return -1;
	snprintf(s->aliases[s->n_aliases++], sizeof s->aliases[0], "%s", host);
	return 0;
}

bool ims_sip_is_me(struct ims_sip *s, const url_t *url)
{
	if (!url || !url->url_host)
		return false;
	int port = url->url_port && *url->url_port ? atoi(url->url_port) : 5060;
	if (port != s->cfg.port)
		return false;
	if (su_casematch(url->url_host, s->cfg.name) || su_casematch(url->url_host, s->cfg.listen))
		return true;
	for (int i = 0; i < s->n_aliases; i++)
		if (su_casematch(url->url_host, s->aliases[i]))
			return true;
	return false;
}

/* ---- responses ---- */

/* The transaction's final response upstream is status (0: none, it ends
 * without one): remember it and tell the daemon, once. */
static void tx_final(struct ims_sip_tx *tx, int status)
{
	ims_sip_final_fn fn = tx->on_final;

	if (status)
		tx->final_status = status;
	tx->on_final = NULL;
	if (fn)
		fn(tx->s->ctx, tx, status);
}

/* RFC 3261 §16.7 step 6: 6xx beats everything, then the lowest class;
 * within a class the first one stays. */
static bool better_final(int candidate, int best)
{
	if (best == 0)
		return true;
	if (best >= 600)
		return false;
	if (candidate >= 600)
		return true;
	return candidate / 100 < best / 100;
}

static bool all_branches_final(struct ims_sip_tx *tx)
{
	for (struct ims_sip_branch *b = tx->branches; b; b = b->next)
		if (b->status < 200)
			return false;
	return true;
}

static void cancel_pending(struct ims_sip_tx *tx)
{
	for (struct ims_sip_branch *b = tx->branches; b; b = b->next) {
		if (b->orq && b->status < 200 && tx->method == sip_method_invite)
			nta_outgoing_tcancel(b->orq, NULL, NULL, TAG_END());
	}
}

static void linger_expired(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	tx_destroy((struct ims_sip_tx *)arg);
}

/* Destroy tx in TX_LINGER_MS unless something ends it before.  Returns 0,
 * or -1 when no timer could be set. */
static int tx_linger(struct ims_sip_tx *tx)
{
	if (tx->linger)
		return 0;
	tx->linger = su_timer_create(su_root_task(tx->s->root), TX_LINGER_MS);
	if (!tx->linger)
		return -1;
	return su_timer_set(tx->linger, linger_expired, (su_timer_arg_t *)tx) < 0 ? -1 : 0;
}

/* Called after anything happened: ends the transaction when nothing more
 * can come, or keeps it a while for late INVITE responses. */
static void tx_check_done(struct ims_sip_tx *tx)
{
	if (tx->final_status == 0) {
		if (!tx->forwarded || !all_branches_final(tx))
			return;
		if (tx->best) {
			msg_t *best = tx->best;
			tx->best = NULL;
			tx_final(tx, tx->best_status);
			nta_incoming_mreply(tx->irq, best);
		} else {
			/* only internal failures (timeout, unreachable); after a
			 * CANCEL those are of the branches we cancelled */
			int status = tx->cancelled ? 487 : tx->best_status ? tx->best_status : 500;
			tx_final(tx, status);
			nta_incoming_treply(tx->irq, status, sip_status_phrase(status), TAG_END());
		}
	}
	if (all_branches_final(tx)) {
		tx_destroy(tx);
		return;
	}
	if (tx_linger(tx) < 0)
		tx_destroy(tx);
}

int ims_sip_tx_relay(struct ims_sip_tx *tx, msg_t *msg)
{
	sip_t *sip = sip_object(msg);
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 500;

	if (status < 200) {
		if (tx->final_status)
			msg_destroy(msg);
		else
			nta_incoming_mreply(tx->irq, msg);
		return 0;
	}
	if (status < 300) {
		/* every 2xx of an INVITE goes up; other methods: the first final */
		if (tx->final_status && !(tx->method == sip_method_invite && tx->final_status < 300)) {
			msg_destroy(msg);
			return 0;
		}
		if (!tx->final_status)
			tx_final(tx, status);
		nta_incoming_mreply(tx->irq, msg);
		cancel_pending(tx);
		return 0;
	}
	if (tx->final_status) {
		msg_destroy(msg);
		return 0;
	}
	if (better_final(status, tx->best_status)) {
		if (tx->best)
			msg_destroy(tx->best);
		tx->best = msg;
		tx->best_status = status;
	} else {
		msg_destroy(msg);
	}
	if (status >= 600)
		cancel_pending(tx);
	return 0;
}

/* A header that may appear once came more than once (two Max-Forwards, two
 * Expires ...).  sofia-sip's parser keeps the extra one in the error list,
 * nta passes such a message on (the header is outside its masks of fatal
 * errors), and serialising it for sending then fails an assertion inside
 * sofia-sip (msg_parser.c serialize_one): the daemon aborts.  Found by
 * tests/fuzz (fuzz_sip_pcscf); such a message is refused instead. */
bool ims_sip_has_duplicate_single(sip_t const *sip)
{
	for (msg_header_t const *h = (msg_header_t const *)sip->sip_error; h; h = h->sh_next)
		if (h->sh_class && h->sh_class->hc_kind == msg_kind_single)
			return true;
	return false;
}

/* Why a branch's response cannot be relayed, or NULL when it can. */
static const char *response_unfit(const sip_t *sip)
{
	if (ims_sip_has_duplicate_single(sip))
		return "with a duplicated single header";
	/* RFC 3261 §16.7 step 3: when no Via remains after ours, the response
	 * was meant for this element (a broken UA answering with the Via of
	 * another request) and is not forwarded */
	if (!sip->sip_via || !sip->sip_via->v_next)
		return "with no Via after ours";
	return NULL;
}

static int branch_response(nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
	struct ims_sip_branch *b = (struct ims_sip_branch *)magic;
	struct ims_sip_tx *tx = b->tx;
	struct ims_sip *s = tx->s;
	uint32_t id = tx->id;
	int status = sip && sip->sip_status ? sip->sip_status->st_status : nta_outgoing_status(orq);

	if (status < 100)
		status = 408;
	if (status == 100)
		return 0;
	if (status >= 200)
		b->status = status;

	msg_t *msg = nta_outgoing_getresponse(orq);
	const char *unfit = msg ? response_unfit(sip_object(msg)) : NULL;
	if (unfit) {
		IMS_WARN("sip: %d response %s: dropped%s (Call-ID %s)", status, unfit,
			 status >= 200 ? ", 502 instead" : "",
			 tx->sip->sip_call_id ? tx->sip->sip_call_id->i_id : "-");
		msg_destroy(msg);
		msg = NULL;
		if (status >= 200)
			status = b->status = 502;
	}
	if (msg) {
		sip_t *rs = sip_object(msg);
		sip_via_remove(msg, rs);
		if (!tx->on_response || tx->on_response(s->ctx, tx, msg, rs) == 0)
			ims_sip_tx_relay(tx, msg);
		/* the hook may have answered and so ended the transaction */
		if (!(tx = ims_sip_tx_find(s, id)))
			return 0;
	} else if (status >= 200 && !tx->final_status && better_final(status, tx->best_status)) {
		tx->best_status = status; /* internal failure: no message to relay */
	}
	if (status >= 200)
		tx_check_done(tx);
	return 0;
}

/* RFC 3261 §16.7 step 2: a response that matches no client transaction is
 * forwarded statelessly.  Above all the retransmissions of a 2xx to an
 * INVITE: nta ends the client transaction at the first 2xx, and the UAS
 * retransmits its 2xx until the ACK comes, so when the first 2xx (or the
 * ACK) is lost only a retransmission can complete the call.  Without this
 * the agent (no message callback) dropped them: with 10 % packet loss on
 * lo (tests/integration/faults/test-netem.sh) a call whose first 200 was
 * lost never reached the caller.  Only 2xx to INVITE, only when the top Via
 * is ours (our port, our address or name) and another Via follows. */
static int stray_message(nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
	struct ims_sip *s = (struct ims_sip *)magic;
	sip_via_t const *v = sip ? sip->sip_via : NULL;
	char port[16];

	snprintf(port, sizeof port, "%d", s->cfg.port);
	if (sip && sip->sip_status && sip->sip_status->st_status >= 200 &&
	    sip->sip_status->st_status < 300 && sip->sip_cseq &&
	    sip->sip_cseq->cs_method == sip_method_invite && v && v->v_next && v->v_host &&
	    (su_casematch(v->v_host, s->cfg.listen) || su_casematch(v->v_host, s->cfg.name)) &&
	    su_strmatch(v->v_port ? v->v_port : "5060", port) &&
	    !ims_sip_has_duplicate_single(sip)) {
		/* nta_msg_tsend() removes the top Via (ours) itself, sends to
		 * the next one, and destroys msg whatever happens: keep what
		 * the warning needs first */
		char call_id[128];
		snprintf(call_id, sizeof call_id, "%s",
			 sip->sip_call_id ? sip->sip_call_id->i_id : "-");
		if (nta_msg_tsend(agent, msg, NULL, TAG_END()) < 0)
			IMS_WARN("sip: retransmitted 2xx (Call-ID %s) not forwarded", call_id);
		return 0;
	}
	msg_destroy(msg);
	return 0;
}

/* ---- answering ---- */

int ims_sip_tx_reply(struct ims_sip_tx *tx, int status, const char *phrase, tag_type_t tag,
		     tag_value_t value, ...)
{
	ta_list ta;
	int rc = 0;

	if (tx->cancelled && status >= 300) {
		/* the caller's CANCEL, not our failure, ended it (§16.10) */
		status = 487;
		phrase = NULL;
	}
	if (!phrase)
		phrase = sip_status_phrase(status);
	/* one final response: a forward after the CANCEL may have sent 487 */
	if (status < 200 || !tx->final_status) {
		ta_start(ta, tag, value);
		rc = nta_incoming_treply(tx->irq, status, phrase, ta_tags(ta));
		ta_end(ta);
	}
	if (status >= 200) {
		if (!tx->final_status)
			tx_final(tx, status);
		cancel_pending(tx);
		if (all_branches_final(tx))
			tx_destroy(tx);
		else
			tx_check_done(tx);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- forwarding ---- */

static void decrement_max_forwards(struct ims_sip_tx *tx)
{
	if (tx->sip->sip_max_forwards) {
		if (tx->sip->sip_max_forwards->mf_count > 0)
			tx->sip->sip_max_forwards->mf_count--;
		msg_fragment_clear(tx->sip->sip_max_forwards->mf_common);
	} else {
		sip_add_make(tx->msg, tx->sip, sip_max_forwards_class, "69");
	}
}

/* RFC 3261 §16.10: once the caller CANCELled, no new branch.  The INVITE
 * gets its 487 now unless it has a final response; tx stays until the
 * caller answers the failure (ims_sip_tx_reply() then sends nothing more
 * and ends it), the branches being cancelled end, or the linger timer runs
 * out: a caller may go on using tx after the -1, so it is not destroyed
 * here. */
static int forward_cancelled(struct ims_sip_tx *tx)
{
	IMS_INFO("sip: %s (Call-ID %s) was CANCELled: not forwarded%s",
		 tx->sip->sip_request->rq_method_name,
		 tx->sip->sip_call_id ? tx->sip->sip_call_id->i_id : "-",
		 tx->final_status ? "" : ", 487");
	if (!tx->final_status) {
		tx_final(tx, 487);
		nta_incoming_treply(tx->irq, SIP_487_REQUEST_CANCELLED, TAG_END());
	}
	if (tx_linger(tx) < 0)
		IMS_WARN("sip: no linger timer for a CANCELled transaction (Call-ID %s)",
			 tx->sip->sip_call_id ? tx->sip->sip_call_id->i_id : "-");
	return -1;
}

int ims_sip_tx_forward(struct ims_sip_tx *tx, const url_t *ruri, const url_t *next_hop,
		       tport_t *tport)
{
	bool ack = tx->method == sip_method_ack;

	if (tx->cancelled)
		return forward_cancelled(tx);
	if (!tx->forwarded) {
		decrement_max_forwards(tx);
		tx->forwarded = true;
	}

	msg_t *msg = msg_copy(tx->msg);
	if (!msg)
		return -1;
	sip_t *sip = sip_object(msg);
	if (ruri) {
		sip_request_t *rq = sip_request_create(msg_home(msg), tx->method,
						       tx->sip->sip_request->rq_method_name,
						       (url_string_t const *)ruri, NULL);
		if (!rq || msg_header_insert(msg, (msg_pub_t *)sip, (msg_header_t *)rq) < 0) {
			msg_destroy(msg);
			return -1;
		}
	}

	struct ims_sip_branch *b = NULL;
	if (!ack) {
		b = calloc(1, sizeof *b);
		if (!b) {
			msg_destroy(msg);
			return -1;
		}
		b->tx = tx;
	}

	nta_outgoing_t *orq = nta_outgoing_mcreate(
		tx->s->agent, ack ? NULL : branch_response, (nta_outgoing_magic_t *)b,
		(url_string_t const *)next_hop, msg, NTATAG_TPORT(tport),
		NTATAG_STATELESS(ack), TAG_END());
	if (!orq) {
		msg_destroy(msg);
		free(b);
		return -1;
	}
	if (ack)
		return 0;
	b->orq = orq;
	b->next = tx->branches;
	tx->branches = b;
	return 0;
}

static int record_route(struct ims_sip_tx *tx, const char *host, bool tcp)
{
	char rr[300];
	bool v6 = strchr(host, ':') != NULL;
	snprintf(rr, sizeof rr, "<sip:%s%s%s:%d;%slr>", v6 ? "[" : "", host, v6 ? "]" : "",
		 tx->s->cfg.port, tcp ? "transport=tcp;" : "");
	return sip_add_make(tx->msg, tx->sip, sip_record_route_class, rr) < 0 ? -1 : 0;
}

int ims_sip_tx_record_route(struct ims_sip_tx *tx)
{
	return record_route(tx, tx->s->cfg.name, strcmp(ims_sip_tx_protocol(tx), "tcp") == 0);
}

int ims_sip_tx_record_route_addr(struct ims_sip_tx *tx, bool tcp)
{
	const char *addr = tx->s->cfg.listen;
	bool any = !addr[0] || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0;
	return record_route(tx, any ? tx->s->cfg.name : addr, tcp);
}

int ims_sip_tx_pop_own_routes(struct ims_sip_tx *tx)
{
	int n = 0;
	while (tx->sip->sip_route && ims_sip_is_me(tx->s, tx->sip->sip_route->r_url)) {
		sip_route_remove(tx->msg, tx->sip);
		n++;
	}
	return n;
}

/* ---- the transaction's life ---- */

static void tx_destroy(struct ims_sip_tx *tx)
{
	if (!tx->final_status)
		tx_final(tx, 0);
	tx_unlink(tx);
	while (tx->branches) {
		struct ims_sip_branch *b = tx->branches;
		tx->branches = b->next;
		if (b->orq)
			nta_outgoing_destroy(b->orq);
		free(b);
	}
	if (tx->best)
		msg_destroy(tx->best);
	if (tx->linger)
		su_timer_destroy(tx->linger);
	if (tx->data && tx->data_free)
		tx->data_free(tx->data);
	if (tx->tport)
		tport_unref(tx->tport);
	if (tx->irq) {
		nta_incoming_bind(tx->irq, NULL, NULL);
		nta_incoming_destroy(tx->irq);
	}
	msg_destroy(tx->msg);
	free(tx);
}

/* CANCEL for our INVITE, or the server transaction ending (sip == NULL). */
static int tx_ack_cancel(nta_incoming_magic_t *magic, nta_incoming_t *irq, sip_t const *sip)
{
	struct ims_sip_tx *tx = (struct ims_sip_tx *)magic;

	if (!sip) {
		/* the server transaction timed out or was terminated under us */
		tx->irq = NULL;
		tx_destroy(tx);
		return 0;
	}
	if (sip->sip_request->rq_method != sip_method_cancel)
		return 0;
	if (tx->final_status)
		return 200;
	/* RFC 3261 §16.10: no new branch from now on (ims_sip_tx_forward) */
	tx->cancelled = true;
	if (all_branches_final(tx)) {
		/* no branch yet (waiting for Diameter, not forwarded) or none
		 * pending (between an AS's failure and the next hop): answer here */
		ims_sip_tx_reply(tx, SIP_487_REQUEST_CANCELLED, TAG_END());
		return 200;
	}
	cancel_pending(tx);
	return 200;
}

static void tx_source(struct ims_sip_tx *tx)
{
	su_addrinfo_t *ai = msg_addrinfo(tx->msg);
	if (!ai || !ai->ai_addr)
		return;
	su_sockaddr_t *su = (su_sockaddr_t *)ai->ai_addr;
	su_inet_ntop(su->su_family, SU_ADDR(su), tx->src_ip, sizeof tx->src_ip);
	tx->src_port = ntohs(su->su_port);
}

static int leg_request(nta_leg_magic_t *magic, nta_leg_t *leg, nta_incoming_t *irq,
		       sip_t const *csip)
{
	struct ims_sip *s = (struct ims_sip *)magic;
	sip_method_t method = csip->sip_request->rq_method;

	if (method == sip_method_cancel)
		return 481; /* a CANCEL that matched no transaction of ours */
	if (ims_sip_has_duplicate_single(csip)) {
		IMS_INFO("sip: %s with a duplicated single header: 400",
			 csip->sip_request->rq_method_name);
		if (method != sip_method_ack)
			return 400;
		nta_incoming_destroy(irq);
		return 0;
	}

	struct ims_sip_tx *tx = calloc(1, sizeof *tx);
	if (!tx)
		return 500;
	tx->s = s;
	tx->irq = irq;
	tx->msg = nta_incoming_getrequest(irq);
	tx->sip = sip_object(tx->msg);
	tx->method = method;
	tx->tport = nta_incoming_transport(s->agent, irq, tx->msg);
	tx_source(tx);
	tx_link(s, tx);
	if (method != sip_method_ack)
		nta_incoming_bind(irq, tx_ack_cancel, (nta_incoming_magic_t *)tx);

	uint32_t id = tx->id;
	int status;
	if (tx->sip->sip_max_forwards && tx->sip->sip_max_forwards->mf_count == 0 &&
	    method != sip_method_ack)
		status = 483;
	else
		status = s->on_request(s->ctx, tx);

	/* tx may be gone now (answered); look it up by id */
	tx = ims_sip_tx_find(s, id);
	if (!tx)
		return 0;
	if (method == sip_method_ack) {
		tx->irq = NULL; /* nta owns the ACK "transaction" */
		tx_destroy(tx);
		nta_incoming_destroy(irq);
		return 0;
	}
	if (status >= 200)
		ims_sip_tx_reply(tx, status, NULL, TAG_END());
	return 0;
}

/* ---- agent ---- */

/* The UDP receive buffer the kernel gave our socket.  Each datagram queued
 * is charged a few KB (its buffer and bookkeeping), so the system default
 * (net.core.rmem_default, ~208 KB) holds about a hundred: at a few thousand
 * datagrams a second, a loop descheduled for 20 ms on a busy machine loses
 * messages (bench/run counted them at 400 calls/s).  sofia-sip asks with
 * SO_RCVBUFFORCE, then SO_RCVBUF, which the kernel caps at
 * net.core.rmem_max without CAP_NET_ADMIN; say so when that happened.
 * sofia-sip does not expose the socket: it is found by its port. */
static void report_udp_rcvbuf(const struct ims_sip_cfg *cfg)
{
	for (int fd = 0; fd < 1024; fd++) {
		int type = 0, size = 0;
		socklen_t len = sizeof type;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
			continue;
		in_port_t port = ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		               : ss.ss_family == AF_INET  ? ((struct sockaddr_in *)&ss)->sin_port
		                                          : 0;
		if (ntohs(port) != cfg->port)
			continue;
		len = sizeof size;
		if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) < 0)
			continue;
		/* the kernel reports twice what was set (its bookkeeping share) */
		if (cfg->udp_rcvbuf > 0 && size < 2 * cfg->udp_rcvbuf)
			IMS_WARN("sip: UDP receive buffer %d bytes, not the %d asked for ([sip] "
				 "udp_rcvbuf): capped by net.core.rmem_max; raise it (sysctl) or "
				 "give the daemon CAP_NET_ADMIN",
				 size / 2, cfg->udp_rcvbuf);
		else
			IMS_INFO("sip: UDP receive buffer %d bytes", size / 2);
		return;
	}
}

struct ims_sip *ims_sip_create(su_root_t *root, const struct ims_sip_cfg *cfg,
			       const char *cfg_path, ims_sip_request_fn on_request, void *ctx)
{
	char bind[128], resolv[PATH_MAX] = "";
	struct ims_sip *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->root = root;
	s->cfg = *cfg;
	s->on_request = on_request;
	s->ctx = ctx;
	snprintf(s->self_uri, sizeof s->self_uri, "sip:%s:%d", cfg->name, cfg->port);

	if (cfg->resolv[0] && ims_cfg_path(cfg_path, cfg->resolv, resolv, sizeof resolv) < 0) {
		IMS_ERR("sip: resolv_conf path too long");
		free(s);
		return NULL;
	}

	snprintf(bind, sizeof bind, "sip:%s:%d", cfg->listen, cfg->port);
	/* TPTAG_STUN_SERVER(0): no STUN server of tport's own on the SIP
	 * port (on by default): a datagram that looks like a STUN request
	 * gets tport's one-line error instead, and sofia-sip 1.12.11's mini
	 * server (stun_mini.c, send_stun_error) leaked 12 bytes per such
	 * request (hostile.malformed under LeakSanitizer). */
	s->agent = nta_agent_create(root, URL_STRING_MAKE(bind), stray_message,
				    (nta_agent_magic_t *)s, NTATAG_UA(0),
				    NTATAG_CANCEL_487(0), NTATAG_SERVER_RPORT(1),
				    NTATAG_CLIENT_RPORT(1), NTATAG_USE_NAPTR(1),
				    NTATAG_USE_SRV(1), NTATAG_PASS_408(0), TPTAG_STUN_SERVER(0),
				    TAG_IF(cfg->udp_rcvbuf > 0, TPTAG_UDP_RMEM((unsigned)cfg->udp_rcvbuf)),
				    TAG_IF(resolv[0], SRESTAG_RESOLV_CONF(resolv)), TAG_END());
	if (!s->agent) {
		IMS_ERR("sip: cannot listen on %s (UDP and TCP): address in use or not local?",
			bind);
		free(s);
		return NULL;
	}
	s->leg = nta_leg_tcreate(s->agent, leg_request, (nta_leg_magic_t *)s, NTATAG_NO_DIALOG(1),
				 TAG_END());
	if (!s->leg) {
		IMS_ERR("sip: cannot create the default leg");
		nta_agent_destroy(s->agent);
		free(s);
		return NULL;
	}
	IMS_INFO("sip: listening on %s (udp, tcp) as %s, resolver %s", bind, s->self_uri,
		 resolv[0] ? resolv : "/etc/resolv.conf");
	report_udp_rcvbuf(cfg);
	return s;
}

void ims_sip_destroy(struct ims_sip *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < TX_BUCKETS; i++)
		while (s->buckets[i])
			tx_destroy(s->buckets[i]);
	nta_leg_destroy(s->leg);
	nta_agent_destroy(s->agent);
	free(s);
}

/* ---- header helpers ---- */

static int copy_aor(const url_t *url, char *buf, size_t len, bool scheme)
{
	int n;
	if (!url || (!url->url_host && !url->url_user))
		return -1;
	if (url->url_type == url_tel)
		n = snprintf(buf, len, "%s%s", scheme ? "tel:" : "",
			     url->url_host ? url->url_host : url->url_user);
	else if (url->url_user)
		n = snprintf(buf, len, "%s%s@%s", scheme ? (url->url_type == url_sips ? "sips:" : "sip:") : "",
			     url->url_user, url->url_host ? url->url_host : "");
	else
		n = snprintf(buf, len, "%s%s", scheme ? "sip:" : "", url->url_host);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int ims_sip_url_aor(const url_t *url, char *buf, size_t len) { return copy_aor(url, buf, len, false); }
int ims_sip_url_impu(const url_t *url, char *buf, size_t len) { return copy_aor(url, buf, len, true); }

const char *ims_sip_unknown_value(const sip_t *sip, const char *name)
{
	for (sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next)
		if (u->un_name && su_casematch(u->un_name, name))
			return u->un_value;
	return NULL;
}

int ims_sip_unknown_remove(msg_t *msg, sip_t *sip, const char *name)
{
	int n = 0;
	sip_unknown_t *u = sip->sip_unknown;
	while (u) {
		sip_unknown_t *next = u->un_next;
		if (u->un_name && su_casematch(u->un_name, name)) {
			msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)u);
			n++;
		}
		u = next;
	}
	return n;
}

int ims_sip_unknown_add(msg_t *msg, sip_t *sip, const char *name, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof line, "%s: ", name);
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= sizeof line)
		return -1;
	/* not msg_header_add_str(): it appends after the header/body separator */
	return msg_header_add_make(msg, (msg_pub_t *)sip, sip_unknown_class, line) < 0 ? -1 : 0;
}
