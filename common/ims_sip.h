/*
 * ims_sip — the SIP engine every CSCF runs on: a sofia-sip nta agent
 * listening on UDP and TCP, and a transaction-stateful proxy core in the
 * manner of RFC 3261 §16 (sofia-sip's tests/test_proxy.c shows the pattern).
 *
 * For each new request the daemon's request function is called with an
 * ims_sip_tx.  It inspects and edits the request, then either
 *   - answers it (return a status >= 200, or ims_sip_tx_reply()),
 *   - forwards it (ims_sip_tx_forward(), once per branch: forking), or
 *   - keeps it pending (return 0) while it asks Diameter; later, on the root
 *     thread, ims_sip_tx_find(id) finds it again (NULL when it has gone:
 *     CANCELled or timed out) and the daemon answers or forwards then.
 * nta does retransmissions, timers, RFC 3263 resolution and CANCEL matching;
 * this module relays responses (provisional at once, the best final one per
 * §16.7, every 2xx of an INVITE), CANCELs pending branches, forwards ACK for
 * 2xx statelessly, and destroys the transaction when it is done.  A CANCEL
 * before the INVITE's final response CANCELs the pending branches (or,
 * with none pending, answers 487 at once) and forbids new ones (§16.10).
 *
 * All functions run on the su_root thread only.
 */
#ifndef IMS_SIP_H
#define IMS_SIP_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_wait.h>

#include "ims_cfg.h"

/* The [sip] section every CSCF configuration has. */
struct ims_sip_cfg {
	char listen[64];   /* IP address to bind, e.g. 127.0.0.1 */
	int port;          /* UDP and TCP */
	char name[128];    /* own host name: pcscf.open-ims.test */
	char domain[128];  /* home domain: open-ims.test */
	char resolv[256];  /* resolv.conf for sofia's resolver ("" = system) */
	int udp_rcvbuf;    /* UDP receive buffer asked for, bytes (0 = the system's) */
};

#define IMS_SIP_CFG_KEYS(T, f, defname, defport)                                   \
	IMS_CFG_S(T, "sip", "listen", f.listen, "127.0.0.1"),                       \
	IMS_CFG_I(T, "sip", "port", f.port, defport, 1, 65535),                     \
	IMS_CFG_S(T, "sip", "name", f.name, defname),                               \
	IMS_CFG_S(T, "sip", "domain", f.domain, "open-ims.test"),                   \
	IMS_CFG_S(T, "sip", "resolv_conf", f.resolv, "resolv.conf"),                 \
	IMS_CFG_I(T, "sip", "udp_rcvbuf", f.udp_rcvbuf, "4194304", 0, 268435456)

struct ims_sip;
struct ims_sip_tx;
struct ims_sip_branch;

/* A new request.  Return 0 when the transaction was forwarded, answered or
 * is kept pending; a status (>= 300, or 200) to have it answered with that
 * status and the standard phrase. */
typedef int (*ims_sip_request_fn)(void *ctx, struct ims_sip_tx *tx);

/* A response from a branch, before it is relayed (the top Via, ours, is
 * already removed).  The function may edit msg/sip.  Return 0 to let the
 * engine relay it, 1 when the function took msg over (relayed, answered the
 * transaction itself, or dropped it: then it must msg_destroy() it). */
typedef int (*ims_sip_response_fn)(void *ctx, struct ims_sip_tx *tx, msg_t *msg, sip_t *sip);

/* Create the agent on root, bound to cfg->listen:cfg->port over UDP and
 * TCP, the resolver reading cfg->resolv (a relative path is taken against
 * the folder of the configuration file cfg_path; NULL: the working
 * directory).  Returns NULL with a logged reason on failure. */
struct ims_sip *ims_sip_create(su_root_t *root, const struct ims_sip_cfg *cfg,
			       const char *cfg_path, ims_sip_request_fn on_request, void *ctx);
void ims_sip_destroy(struct ims_sip *s);

nta_agent_t *ims_sip_agent(struct ims_sip *s);
su_root_t *ims_sip_root(struct ims_sip *s);
const struct ims_sip_cfg *ims_sip_config(struct ims_sip *s);

/* "<sip:NAME:PORT;lr>"-style own URI (host = cfg name), borrowed. */
const char *ims_sip_self_uri(struct ims_sip *s);

/* True when url names this node: host is our name or listen address (or an
 * alias added with ims_sip_add_alias()) and the port is ours (5060 when
 * absent). */
bool ims_sip_is_me(struct ims_sip *s, const url_t *url);
int ims_sip_add_alias(struct ims_sip *s, const char *host);

/* Number of transactions alive (status, tests, leak checks). */
unsigned ims_sip_tx_count(struct ims_sip *s);

/* ---- a transaction ---- */

uint32_t ims_sip_tx_id(const struct ims_sip_tx *tx);
/* The transaction with that id, or NULL when it is gone. */
struct ims_sip_tx *ims_sip_tx_find(struct ims_sip *s, uint32_t id);
struct ims_sip *ims_sip_tx_sip_agent(const struct ims_sip_tx *tx);

/* The request: ours to edit until forwarded.  Borrowed. */
msg_t *ims_sip_tx_msg(struct ims_sip_tx *tx);
sip_t *ims_sip_tx_request(struct ims_sip_tx *tx);
/* The transport the request came in on (borrowed; NULL if unknown) and its
 * source address as "IP" and port. */
tport_t *ims_sip_tx_tport(struct ims_sip_tx *tx);
const char *ims_sip_tx_source_ip(struct ims_sip_tx *tx);
int ims_sip_tx_source_port(struct ims_sip_tx *tx);
/* "udp" or "tcp" */
const char *ims_sip_tx_protocol(struct ims_sip_tx *tx);

/* Daemon data attached to the transaction, freed with free_fn (may be
 * NULL) when the transaction is destroyed. */
void ims_sip_tx_set_data(struct ims_sip_tx *tx, void *data, void (*free_fn)(void *));
void *ims_sip_tx_data(struct ims_sip_tx *tx);

/* Called for every response of every branch of this transaction. */
void ims_sip_tx_on_response(struct ims_sip_tx *tx, ims_sip_response_fn fn);

/* The final response the transaction sent upstream: status >= 200, or 0
 * when it ends without one (its server transaction went away, the agent is
 * destroyed).  Called once, whoever made the response: relayed from a
 * branch, the best one after every branch failed, the engine's own (a
 * CANCEL before any branch, all branches failed without a response) or
 * the daemon's ims_sip_tx_reply() / returned status.  For an INVITE only
 * the first final counts (later 2xx are relayed without a call).  The
 * function must not answer, forward or destroy tx. */
typedef void (*ims_sip_final_fn)(void *ctx, struct ims_sip_tx *tx, int status);
void ims_sip_tx_on_final(struct ims_sip_tx *tx, ims_sip_final_fn fn);

/* Answer the request.  A final status ends the transaction (tx must not be
 * used afterwards).  Tags: SIPTAG_* headers to add.  After a CANCEL a
 * status >= 300 is sent as 487; when the transaction has its final
 * response already (the 487 of ims_sip_tx_forward() after a CANCEL) a
 * final status is not sent again and only ends it.  Returns 0 or -1. */
int ims_sip_tx_reply(struct ims_sip_tx *tx, int status, const char *phrase, tag_type_t tag,
		     tag_value_t value, ...);

/* Relay a response msg (consumed) upstream, with the engine's rules. */
int ims_sip_tx_relay(struct ims_sip_tx *tx, msg_t *msg);

/* Forward a copy of the request as a new branch: ruri replaces the
 * Request-URI (NULL: keep), next_hop overrides the destination (NULL:
 * the top Route if loose, else the Request-URI, resolved by RFC 3263),
 * tport sends over that connection (NULL: any).  The first forward
 * decrements Max-Forwards.  Returns 0, or -1 (the caller answers then).
 * After a CANCEL (RFC 3261 §16.10) no branch is created: the request is
 * answered 487 if it has no final response yet, tx stays valid for the
 * caller, and -1 is returned. */
int ims_sip_tx_forward(struct ims_sip_tx *tx, const url_t *ruri, const url_t *next_hop,
		       tport_t *tport);

/* Record-Route this node: adds <sip:NAME:PORT;lr> (with transport=tcp when
 * the request came over TCP) to the request. */
int ims_sip_tx_record_route(struct ims_sip_tx *tx);
/* The same with the listen address instead of the name (the name when
 * listening on every address), and transport=tcp when tcp is true: for the
 * P-CSCF, whose Record-Route the UEs follow for ACK, BYE and re-INVITE.
 * A UE need not resolve the home network's names (a softphone is given the
 * P-CSCF's address only), and its dialogs stay on the transport it
 * registered with, even when this request came over TCP for its size. */
int ims_sip_tx_record_route_addr(struct ims_sip_tx *tx, bool tcp);

/* Remove every top Route entry that names this node (loose routing, RFC
 * 3261 §16.4).  Returns how many were removed. */
int ims_sip_tx_pop_own_routes(struct ims_sip_tx *tx);

/* ---- header helpers ---- */

/* True when a header that may appear once came more than once.  Such a
 * message cannot be sent on (sofia-sip aborts serialising it): the engine
 * answers such a request 400 before the daemon sees it, and drops such a
 * response (502 when it was final). */
bool ims_sip_has_duplicate_single(sip_t const *sip);

/* Copy a URI's "user@host" (no scheme, no params) into buf.  Returns 0, or
 * -1 when it does not fit. */
int ims_sip_url_aor(const url_t *url, char *buf, size_t len);
/* Copy "sip:user@host" (scheme kept, params dropped) / "tel:+123". */
int ims_sip_url_impu(const url_t *url, char *buf, size_t len);

/* Headers sofia-sip's parser does not know (P-Asserted-Identity,
 * P-Charging-Vector, P-Visited-Network-ID, P-Associated-URI ...) are kept
 * as "unknown" headers by name.  The value of the first one named name, or
 * NULL; borrowed from the message. */
const char *ims_sip_unknown_value(const sip_t *sip, const char *name);
/* Remove every unknown header named name; returns how many. */
int ims_sip_unknown_remove(msg_t *msg, sip_t *sip, const char *name);
/* Add "name: value" (formatted). Returns 0 or -1. */
int ims_sip_unknown_add(msg_t *msg, sip_t *sip, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
