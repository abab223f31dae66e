/*
 * fuzz_cx_answer — the CSCFs' Cx answer readers with a received answer
 * from the fuzz bytes: the I-CSCF's UAA/LIA reader (result, Server-Name,
 * Server-Capabilities), the S-CSCF's MAA reader (SIP-Auth-Data-Item: AKA
 * RAND||AUTN, XRES, CK/IK; SIP-Digest-Authenticate HA1) and SAA reader
 * (User-Data XML, implicit set).  Every reader reads every answer: each
 * must cope with whatever a peer sends.
 */
#include "fuzz_diam.h"
#include "icscf.h"
#include "scscf_cx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_diam_init();
	struct msg *msg = fuzz_diam_parse(data, size);
	if (!msg)
		return 0;
	struct msg_hdr *h = NULL;
	if (fd_msg_hdr(msg, &h) == 0 && !(h->msg_flags & CMD_FLAG_REQUEST)) {
		struct icscf_cx_result r;
		memset(&r, 0, sizeof r);
		icscf_cx_read_answer(msg, &r);

		struct scscf_mar *m = calloc(1, sizeof *m);
		if (m) {
			scscf_cx_mar_read(m, msg);
			free(m);
		}
		struct scscf_sar *s = calloc(1, sizeof *s);
		if (s) {
			snprintf(s->impu, sizeof s->impu, "sip:alice@open-ims.test");
			scscf_cx_sar_read(s, msg);
			free(s->user_data);
			free(s);
		}
	}
	fd_msg_free(msg);
	return 0;
}
