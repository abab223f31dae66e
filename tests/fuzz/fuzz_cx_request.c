/*
 * fuzz_cx_request — the HSS's Cx request handlers (UAR, MAR, SAR, LIR)
 * with a received request from the fuzz bytes: the reading step of each
 * (identities, Visited-Network-Identifier, authorization type, the
 * SIP-Auth-Data-Item and its SIP-Authorization for AKA resynchronisation,
 * Server-Assignment-Type ...), then the answer is built and encoded.  No
 * database runs: the first lookup fails and the handler answers
 * DIAMETER_UNABLE_TO_COMPLY, as it does when MySQL is down.
 */
#include "fuzz_diam.h"
#include "hss_cfg.h"
#include "hss_cx.h"

static struct hss_cfg cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		char err[256];
		fuzz_diam_init();
		if (hss_cfg_defaults(&cfg, err, sizeof err) < 0)
			abort();
		hss_cx_cfg = &cfg;
		ready = 1;
	}
	struct msg *msg = fuzz_diam_parse(data, size);
	if (!msg)
		return 0;
	struct msg_hdr *h = NULL;
	int (*handler)(struct msg **, void *) = NULL;
	if (fd_msg_hdr(msg, &h) == 0 && (h->msg_flags & CMD_FLAG_REQUEST) &&
	    h->msg_appl == IMS_CX_APP_ID) {
		switch (h->msg_code) {
		case IMS_CX_CMD_UAR: handler = hss_cx_uar; break;
		case IMS_CX_CMD_MAR: handler = hss_cx_mar; break;
		case IMS_CX_CMD_SAR: handler = hss_cx_sar; break;
		case IMS_CX_CMD_LIR: handler = hss_cx_lir; break;
		}
	}
	if (handler && handler(&msg, NULL) == 0 && msg) {
		uint8_t *buf = NULL;
		size_t len;
		if (fd_msg_bufferize(msg, &buf, &len) == 0)
			free(buf);
	}
	if (msg)
		fd_msg_free(msg);
	return 0;
}
