/*
 * fuzz_userdata — the User-Data XML reader (ims_userdata_parse, the
 * S-CSCF's implicit-set reader) and what the S-CSCF then does with a
 * profile: order the initial filter criteria and evaluate each (regular
 * expressions from the XML) against a request; a profile that parsed is
 * written back and parsed again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ims_ifc.h"
#include "ims_log.h"
#include "ims_userdata.h"
#include "scscf_cx.h"

static void evaluate(const struct ims_subscription *sub)
{
	static const struct ims_ifc_header hdrs[] = {
		{"From", "<sip:alice@open-ims.test>;tag=1"},
		{"To", "<sip:bob@open-ims.test>"},
		{"Contact", "<sip:alice@192.0.2.1:5060>"},
	};
	struct ims_ifc_request req = {
		.method = "INVITE",
		.request_uri = "sip:bob@open-ims.test",
		.session_case = IMS_SESSION_ORIGINATING,
		.headers = hdrs,
		.nheaders = 3,
		.sdp = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n",
		.reg_type = -1,
		.registered = true,
	};
	const struct ims_ifc *order[IMS_USERDATA_MAX_IFCS];
	for (size_t p = 0; p < sub->nprofiles; p++) {
		int n = ims_ifc_order(&sub->profiles[p], order, IMS_USERDATA_MAX_IFCS);
		for (int i = 0; i < n; i++)
			ims_ifc_applies(order[i], &req);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		ims_log_init("fuzz", IMS_LOG_ERROR, false);
		quiet = 1;
	}
	char *xml = malloc(size + 1);
	if (!xml)
		return 0;
	memcpy(xml, data, size);
	xml[size] = '\0';

	struct ims_subscription *sub = NULL;
	if (ims_userdata_parse(xml, size, &sub) == 0 && sub) {
		evaluate(sub);
		char *out = NULL;
		size_t len = 0;
		if (ims_userdata_to_xml(sub, &out, &len) == 0) {
			struct ims_subscription *again = NULL;
			if (ims_userdata_parse(out, len, &again) == 0)
				ims_subscription_free(again);
			free(out);
		}
		ims_subscription_free(sub);
	}
	char (*ids)[SCSCF_ID_MAX] = malloc(SCSCF_ASSOC_MAX * sizeof *ids);
	if (ids) {
		scscf_cx_implicit_set(xml, "sip:alice@open-ims.test", ids, SCSCF_ASSOC_MAX);
		free(ids);
	}
	free(xml);
	return 0;
}
