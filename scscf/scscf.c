/* scscf — see scscf.h. */
#include "scscf.h"

#include "scscf_calllog.h"
#include "scscf_cx.h"
#include "scscf_session.h"

#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#define TICK_MS 1000
#define CALL_MAX_AGE (24 * 3600) /* s: a call in progress without BYE is forgotten */

int64_t scscf_now(void)
{
	return (int64_t)time(NULL);
}

int64_t scscf_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

const char *scscf_call_id(struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	return sip && sip->sip_call_id && sip->sip_call_id->i_id ? sip->sip_call_id->i_id : "-";
}

/* ---- requests ---- */

#define ALLOW                                                                                      \
	"INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, UPDATE, INFO, "                       \
	"MESSAGE, REFER, SUBSCRIBE, NOTIFY, PUBLISH"

/* OPTIONS for us (no Route, Request-URI ours) is answered here; others are
 * routed like any request. */
static int on_options(struct scscf *sc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	if (sip->sip_route || !ims_sip_is_me(sc->sip, sip->sip_request->rq_url))
		return scscf_session_request(sc, tx);
	ims_sip_tx_reply(tx, SIP_200_OK, SIPTAG_ALLOW_STR(ALLOW), SIPTAG_SUPPORTED_STR("path"),
	                 SIPTAG_ACCEPT_STR("application/sdp"), TAG_END());
	return 0;
}

static int on_request(void *ctx, struct ims_sip_tx *tx)
{
	struct scscf *sc = ctx;
	sip_t const *sip = ims_sip_tx_request(tx);

	switch (sip->sip_request->rq_method) {
	case sip_method_register:
		/* only through an I-CSCF of ours: a UE registering here directly
		 * would skip its P-CSCF (no Path, no identity assertion there) */
		if (!ims_trust_has(&sc->trust, ims_sip_tx_source_ip(tx))) {
			IMS_INFO("REGISTER %s: refused: from %s, outside the core",
				 sip->sip_call_id ? sip->sip_call_id->i_id : "-",
				 ims_sip_tx_source_ip(tx));
			return 403;
		}
		return scscf_register(sc, tx);
	case sip_method_options:
		return on_options(sc, tx);
	default:
		return scscf_session_request(sc, tx);
	}
}

/* ---- expiry ---- */

void scscf_reg_gone(void *arg, const struct scscf_reg *reg)
{
	struct scscf *sc = arg;
	IMS_INFO("registration of %s expired", reg->impu);
	scscf_cx_sar_notify(sc, reg->impi, reg->impu, IMS_CX_SAT_TIMEOUT_DEREGISTRATION);
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct scscf *sc = (struct scscf *)arg;
	scscf_ul_expire(sc->ul, scscf_now(), scscf_reg_gone, sc);
	scscf_nonces_expire(sc->nonces, scscf_mono());
	scscf_sessions_expire(sc->sessions, scscf_mono());
	scscf_calllog_expire(sc->calls, scscf_now(), CALL_MAX_AGE);
}

/* ---- life ---- */

static int start_store(struct scscf *sc)
{
	sc->ul = scscf_ul_new(sc->cfg.max_contacts);
	sc->nonces = scscf_nonces_new(sc->cfg.nonce_lifetime, sc->cfg.max_nonces);
	sc->sessions = scscf_sessions_new();
	sc->calls = scscf_calllog_start(&sc->cfg);
	if (!sc->ul || !sc->nonces || !sc->sessions || !sc->calls)
		return -1;
	if (!sc->cfg.db_enabled) {
		IMS_WARN("db: disabled ([db] enabled = no): registrations are lost on restart");
		return 0;
	}
	if (scscf_ul_db_load(&sc->cfg, sc->ul) < 0)
		return -1;
	sc->db = scscf_ul_db_start(&sc->cfg);
	if (!sc->db)
		return -1;
	struct scscf_ul_hooks hooks;
	scscf_ul_db_hooks(sc->db, &hooks);
	scscf_ul_set_hooks(sc->ul, &hooks);
	return 0;
}

static int start_diameter(struct scscf *sc)
{
	if (ims_diam_start(sc->cfg.diameter_config) < 0) {
		IMS_ERR("diameter: cannot start the node from %s", sc->cfg.diameter_config);
		return -1;
	}
	sc->diameter = true;
	return scscf_cx_rtr_register(sc);
}

static int start_sip(struct scscf *sc)
{
	if (ims_trust_init(&sc->trust, sc->cfg.sip.listen, sc->cfg.trusted_addresses) < 0) {
		IMS_ERR("scscf: [scscf] trusted_addresses: too many or too long");
		return -1;
	}
	sc->sip = ims_sip_create(sc->root, &sc->cfg.sip, sc->cfg.path, on_request, sc);
	if (!sc->sip)
		return -1;
	/* requests may name us by the Server-Name host or the domain's S-CSCF */
	sc->tick = su_timer_create(su_root_task(sc->root), TICK_MS);
	if (!sc->tick || su_timer_set_for_ever(sc->tick, on_tick, (su_timer_arg_t *)sc) < 0) {
		IMS_ERR("scscf: cannot start the expiry timer");
		return -1;
	}
	return 0;
}

int scscf_init(struct scscf *sc, const struct scscf_cfg *cfg, su_root_t *root)
{
	memset(sc, 0, sizeof *sc);
	sc->cfg = *cfg;
	sc->root = root;
	if (mysql_library_init(0, NULL, NULL) != 0) {
		IMS_ERR("db: cannot initialise the MySQL client library");
		return -1;
	}
	sc->bridge = ims_bridge_create(root);
	if (!sc->bridge || start_store(sc) < 0 || start_diameter(sc) < 0 || start_sip(sc) < 0) {
		scscf_fini(sc);
		return -1;
	}
	/* bindings that expired while we were down go at the first tick (1 s),
	 * once the HSS peer is connected, so that their SARs reach it */
	IMS_INFO("scscf: %s serving %s, %zu registration(s)", cfg->server_name, cfg->realm,
	         scscf_ul_count(sc->ul));
	return 0;
}

void scscf_fini(struct scscf *sc)
{
	if (sc->tick)
		su_timer_destroy(sc->tick);
	sc->tick = NULL;
	if (sc->diameter)
		ims_diam_stop(); /* pending answers are posted to the bridge */
	sc->diameter = false;
	if (sc->bridge)
		ims_bridge_destroy(sc->bridge); /* runs them: the transactions still exist */
	sc->bridge = NULL;
	if (sc->sip)
		ims_sip_destroy(sc->sip);
	sc->sip = NULL;
	if (sc->db)
		scscf_ul_db_stop(sc->db); /* applies what is queued */
	sc->db = NULL;
	scscf_ul_destroy(sc->ul);
	sc->ul = NULL;
	scscf_nonces_destroy(sc->nonces);
	sc->nonces = NULL;
	scscf_sessions_destroy(sc->sessions);
	sc->sessions = NULL;
	scscf_calllog_stop(sc->calls); /* applies what is queued */
	sc->calls = NULL;
	mysql_library_end();
}
