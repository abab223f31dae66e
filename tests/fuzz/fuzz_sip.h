/*
 * fuzz_sip — what the SIP fuzz targets share: a message from the fuzz
 * bytes through sofia-sip's parser, kept only when nta would have passed
 * it on to a daemon (the checks of nta's agent_recv_request/response:
 * no fatal parse error, sip_sanity_check()) and ims_sip would (no
 * duplicated single header: refused with 400 since the fuzzer found that
 * sofia-sip aborts when such a message is forwarded).
 */
#ifndef FUZZ_SIP_H
#define FUZZ_SIP_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_util.h>

#include "ims_log.h"
#include "ims_sip.h"

/* The parsed message, or NULL (then nothing to do).  The caller destroys it. */
static inline msg_t *fuzz_sip_parse(const uint8_t *data, size_t size, sip_t **out)
{
	static int quiet;
	if (!quiet) {
		ims_log_init("fuzz", IMS_LOG_ERROR, false);
		quiet = 1;
	}
	msg_t *msg = msg_make(sip_default_mclass(), 0, data, size);
	if (!msg)
		return NULL;
	sip_t *sip = sip_object(msg);
	/* nta's default masks: errors (e.g. a duplicated single header) in
	 * these groups pass, any other is answered 400 / dropped by nta */
	unsigned tolerated = sip_mask_proxy | sip_mask_registrar | sip_mask_pref |
			     sip_mask_privacy;
	unsigned bad = sip && sip->sip_request ? ~(tolerated | sip_mask_response)
					       : ~(tolerated | sip_mask_request);
	if (!sip || (sip->sip_flags & MSG_FLG_ERROR) || (msg_extract_errors(msg) & bad) ||
	    sip_sanity_check(sip) < 0 || ims_sip_has_duplicate_single(sip)) {
		msg_destroy(msg);
		return NULL;
	}
	*out = sip;
	return msg;
}

/* Encode what the daemon left in msg, as forwarding would (a copy, then
 * serialise): proves the edited headers still encode. */
static inline void fuzz_sip_encode(msg_t *msg)
{
	msg_t *copy = msg_copy(msg);
	if (!copy)
		return;
	if (msg_serialize(copy, (msg_pub_t *)sip_object(copy)) == 0)
		msg_prepare(copy);
	msg_destroy(copy);
}

#endif
