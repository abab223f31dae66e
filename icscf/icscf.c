/* icscf — context, start-up, request dispatch, S-CSCF choice, error map. */
#include "icscf.h"

#include <string.h>

#include <sofia-sip/sip_util.h>

#include "ims_cx.h"
#include "ims_diam.h"
#include "ims_log.h"

int icscf_request(void *ctx, struct ims_sip_tx *tx)
{
	struct icscf *ic = ctx;
	sip_t *sip = ims_sip_tx_request(tx);
	sip_method_t method = sip->sip_request->rq_method;

	if (method == sip_method_register)
		return icscf_register(ic, tx);
	if (!ims_trust_has(&ic->trust, ims_sip_tx_source_ip(tx))) {
		/* not from our core (a UE going around its P-CSCF, another
		 * network): a Route to an S-CSCF's originating side or an
		 * asserted identity from there is not believed */
		msg_t *msg = ims_sip_tx_msg(tx);
		while (sip->sip_route)
			sip_route_remove(msg, sip);
		if (ims_sip_unknown_remove(msg, sip, "P-Asserted-Identity"))
			IMS_INFO("%s %s: P-Asserted-Identity from %s (not ours) removed",
				 sip->sip_request->rq_method_name,
				 sip->sip_call_id ? sip->sip_call_id->i_id : "-",
				 ims_sip_tx_source_ip(tx));
	}
	if (method == sip_method_options && ims_sip_is_me(ic->sip, sip->sip_request->rq_url))
		return 200;
	/* in-dialog requests never come here (the I-CSCF does not
	 * Record-Route), so anything else is a terminating initial request */
	return icscf_terminating(ic, tx);
}

int icscf_init(struct icscf *ic, su_root_t *root, const char *diameter_conf_path)
{
	char err[256];

	ic->root = root;
	ic->n_scscfs = icscf_cfg_scscfs(&ic->cfg, ic->scscfs, ICSCF_MAX_SCSCF, err, sizeof err);
	if (ic->n_scscfs < 0) {
		IMS_ERR("%s", err);
		return -1;
	}
	if (ims_trust_init(&ic->trust, ic->cfg.sip.listen, ic->cfg.trusted_addresses) < 0) {
		IMS_ERR("[icscf] trusted_addresses: at most %d addresses", IMS_TRUST_MAX);
		return -1;
	}
	ic->bridge = ims_bridge_create(root);
	if (!ic->bridge)
		return -1;
	if (ims_diam_start(diameter_conf_path) < 0) {
		IMS_ERR("diameter: cannot start the node from %s", diameter_conf_path);
		return -1;
	}
	ic->diameter_started = 1;
	ic->sip = ims_sip_create(root, &ic->cfg.sip, ic->cfg.path, icscf_request, ic);
	return ic->sip ? 0 : -1;
}

void icscf_fini(struct icscf *ic)
{
	/* SIP first (no new Diameter requests), then Diameter (no more
	 * answers posted), then the bridge (runs what was still queued). */
	ims_sip_destroy(ic->sip);
	ic->sip = NULL;
	if (ic->diameter_started)
		ims_diam_stop();
	ic->diameter_started = 0;
	ims_bridge_destroy(ic->bridge);
	ic->bridge = NULL;
}

static bool has_cap(const unsigned *caps, int n, unsigned cap)
{
	for (int i = 0; i < n; i++)
		if (caps[i] == cap)
			return true;
	return false;
}

const char *icscf_select_scscf(const struct icscf *ic, const struct icscf_cx_result *r)
{
	if (r->server_name[0])
		return r->server_name;
	const char *best = NULL;
	int best_score = -1;
	for (int i = 0; i < ic->n_scscfs; i++) {
		const struct icscf_scscf *s = &ic->scscfs[i];
		bool ok = true;
		int score = 0;
		for (int m = 0; m < r->n_mandatory && ok; m++)
			ok = has_cap(s->mandatory, s->n_mandatory, r->mandatory[m]) ||
			     has_cap(s->optional, s->n_optional, r->mandatory[m]);
		if (!ok)
			continue;
		for (int o = 0; o < r->n_optional; o++)
			score += has_cap(s->mandatory, s->n_mandatory, r->optional[o]) ||
				 has_cap(s->optional, s->n_optional, r->optional[o]);
		if (score > best_score)
			best = s->uri, best_score = score;
	}
	return best;
}

int icscf_cx_to_sip(const struct icscf_cx_result *r, const char **reason)
{
	if (r->result == 0) {
		*reason = "HSS did not answer";
		return 504;
	}
	if (r->experimental) {
		switch (r->result) {
		case IMS_CX_ERROR_USER_UNKNOWN:
			*reason = "HSS: user unknown";
			return 403;
		case IMS_CX_ERROR_IDENTITIES_DONT_MATCH:
			*reason = "HSS: public and private identities do not match";
			return 403;
		case IMS_CX_ERROR_ROAMING_NOT_ALLOWED:
			*reason = "HSS: roaming not allowed";
			return 403;
		case IMS_CX_ERROR_IDENTITY_NOT_REGISTERED:
			*reason = "HSS: identity not registered";
			return 480;
		default:
			*reason = "HSS: unexpected experimental result";
			return 500;
		}
	}
	switch (r->result) {
	case IMS_DIAMETER_AUTHORIZATION_REJECTED:
		*reason = "HSS: authorization rejected (barred identity?)";
		return 403;
	case IMS_DIAMETER_TOO_BUSY:
	case IMS_DIAMETER_UNABLE_TO_COMPLY:
		*reason = "HSS: unable to comply";
		return 480;
	case IMS_DIAMETER_UNABLE_TO_DELIVER:
		*reason = "HSS unreachable";
		return 503;
	default:
		*reason = "HSS: error";
		return 500;
	}
}
