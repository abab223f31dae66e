/*
 * fuzz_sip_icscf — the I-CSCF's reading of a REGISTER or a terminating
 * request after sofia-sip's parser: the private identity (Authorization
 * username=, else the To AOR), the public identity, de-registration or
 * not, the Request-URI's identity for the LIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sip.h"
#include "icscf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sip_t *sip;
	msg_t *msg = fuzz_sip_parse(data, size, &sip);
	if (!msg)
		return 0;
	char impi[256], impu[256];
	if (sip->sip_request) {
		if (sip->sip_to)
			ims_sip_url_impu(sip->sip_to->a_url, impu, sizeof impu);
		icscf_private_identity(sip, impi, sizeof impi);
		icscf_is_deregistration(sip);
		ims_sip_url_impu(sip->sip_request->rq_url, impu, sizeof impu);
		ims_sip_url_aor(sip->sip_request->rq_url, impu, sizeof impu);
		ims_sip_unknown_value(sip, "P-Visited-Network-ID");
	}
	fuzz_sip_encode(msg);
	msg_destroy(msg);
	return 0;
}
