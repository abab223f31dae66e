/*
 * fuzz_sip_pcscf — the P-CSCF's request and response header logic after
 * sofia-sip's parser: REGISTER's edits (routes dropped, Path, Supported,
 * P-Visited-Network-ID), the asserted identity from P-Preferred-Identity
 * for a registered UE, the registration table keyed by contact URIs, and
 * the removal of ck=/ik= from a challenge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_sip.h"
#include "pcscf.h"

static struct pcscf_cfg cfg;
static struct pcscf_regtab *regs;

static void setup(void)
{
	char err[256];
	if (regs)
		return;
	if (pcscf_cfg_load(&cfg, NULL, err, sizeof err) < 0)
		abort();
	regs = pcscf_regtab_new(64);
	if (!regs)
		abort();
}

/* Every contact of the message into the table and out again. */
static void contacts(msg_t *msg, sip_t *sip, const char *impus, time_t now)
{
	su_home_t *home = msg_home(msg);
	for (sip_contact_t *m = sip->sip_contact; m; m = m->m_next) {
		char *c = url_as_string(home, m->m_url);
		if (!c)
			continue;
		char key[300];
		pcscf_contact_key(c, key, sizeof key);
		struct pcscf_reg *r =
			pcscf_reg_save(regs, c, "192.0.2.1", 5060, false, impus, "<sip:orig@x;lr>", now + 60);
		if (r) {
			pcscf_reg_by_contact(regs, c, now);
			pcscf_reg_has_impu(r, c);
		}
		pcscf_reg_remove(regs, c);
		su_free(home, c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sip_t *sip;
	setup();
	msg_t *msg = fuzz_sip_parse(data, size, &sip);
	if (!msg)
		return 0;
	time_t now = 1000000;

	if (sip->sip_status) {
		pcscf_hide_keys(msg, sip);
		const char *pau = ims_sip_unknown_value(sip, "P-Associated-URI");
		contacts(msg, sip, pau ? pau : "<sip:alice@open-ims.test>", now);
	} else if (sip->sip_request->rq_method == sip_method_register) {
		if (pcscf_register_edit(&cfg, msg, sip) == 0)
			contacts(msg, sip, "<sip:alice@open-ims.test>, <tel:+15551234>", now);
	} else {
		/* an originating request of a registered UE */
		struct pcscf_reg *ue = pcscf_reg_save(
			regs, "sip:alice@192.0.2.1:5060", "192.0.2.1", 5060, false,
			"<sip:alice@open-ims.test>, <tel:+15551234>, <sip:alice2@open-ims.test>",
			"<sip:orig@scscf.open-ims.test:6060;lr>", now + 60);
		if (ue)
			pcscf_assert_identity(msg, sip, ue);
		pcscf_reg_remove(regs, "sip:alice@192.0.2.1:5060");
	}
	fuzz_sip_encode(msg);
	msg_destroy(msg);
	return 0;
}
