/* pcscf — context, start-up, request dispatch. */
#include "pcscf.h"

#include <stdio.h>
#include <time.h>

#include "ims_log.h"

#define SWEEP_INTERVAL_MS 5000

int pcscf_request(void *ctx, struct ims_sip_tx *tx)
{
	struct pcscf *pc = ctx;
	sip_t *sip = ims_sip_tx_request(tx);
	sip_method_t method = sip->sip_request->rq_method;

	if (pcscf_ratelimit_refused(pc->ratelimit, tx))
		return 0; /* answered 503 or dropped (pcscf_ratelimit.h) */
	if (method == sip_method_register)
		return pcscf_register(pc, tx);
	if (method == sip_method_options && !sip->sip_route &&
	    ims_sip_is_me(pc->sip, sip->sip_request->rq_url))
		return 200;
	return pcscf_route(pc, tx);
}

void pcscf_charging_vector(struct pcscf *pc, struct ims_sip_tx *tx)
{
	sip_t *sip = ims_sip_tx_request(tx);
	if (ims_sip_unknown_value(sip, "P-Charging-Vector"))
		return;
	/* icid: unique per request in this P-CSCF's life and across restarts */
	ims_sip_unknown_add(ims_sip_tx_msg(tx), sip, "P-Charging-Vector",
			    "icid-value=\"%s-%lx-%x\";icid-generated-at=%s;orig-ioi=%s",
			    pc->cfg.sip.name, (unsigned long)time(NULL), ++pc->icid_counter,
			    pc->cfg.sip.listen, pc->cfg.sip.domain);
}

static void sweep(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct pcscf *pc = (struct pcscf *)arg;
	unsigned n = pcscf_reg_expire(pc->regs, time(NULL));
	if (n)
		IMS_INFO("%u registration(s) expired, %u left", n, pcscf_regtab_count(pc->regs));
}

int pcscf_init(struct pcscf *pc, su_root_t *root)
{
	pc->root = root;
	pc->regs = pcscf_regtab_new((unsigned)pc->cfg.max_registrations);
	if (!pc->regs)
		return -1;
	/* the UEs registered before a restart, before the loop serves; a file
	 * that cannot be used leaves the table in memory only (logged) */
	if (pc->cfg.state_file[0])
		pc->store = pcscf_store_open(pc->cfg.state_file, pc->regs, time(NULL));
	else
		IMS_INFO("[pcscf] state_file empty: registrations in memory only");
	if (ims_trust_init(&pc->trust, pc->cfg.sip.listen, pc->cfg.trusted_addresses) < 0) {
		IMS_ERR("[pcscf] trusted_addresses: at most %d addresses", IMS_TRUST_MAX);
		return -1;
	}
	if (pc->cfg.rate_limit > 0) {
		/* the core (own address, trusted_addresses) is never limited */
		char exempt[2048];
		snprintf(exempt, sizeof exempt, "%s %s %s", pc->cfg.sip.listen,
			 pc->cfg.trusted_addresses, pc->cfg.rate_limit_exempt);
		pc->ratelimit = pcscf_ratelimit_new(pc->cfg.rate_limit, 65536, exempt);
		if (!pc->ratelimit)
			return -1;
		IMS_INFO("rate limit: %d new requests/s per source address", pc->cfg.rate_limit);
	}
	pc->sip = ims_sip_create(root, &pc->cfg.sip, pc->cfg.path, pcscf_request, pc);
	if (!pc->sip)
		return -1;
	pc->sweep = su_timer_create(su_root_task(root), SWEEP_INTERVAL_MS);
	if (!pc->sweep || su_timer_set_for_ever(pc->sweep, sweep, (su_timer_arg_t *)pc) < 0)
		return -1;
	return 0;
}

void pcscf_fini(struct pcscf *pc)
{
	su_timer_destroy(pc->sweep);
	pc->sweep = NULL;
	ims_sip_destroy(pc->sip);
	pc->sip = NULL;
	pcscf_store_close(pc->store); /* what is queued is written first */
	pc->store = NULL;
	pcscf_regtab_free(pc->regs);
	pc->regs = NULL;
	pcscf_ratelimit_free(pc->ratelimit);
	pc->ratelimit = NULL;
}
