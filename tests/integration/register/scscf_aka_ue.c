/*
 * scscf_aka_ue — the USIM side of AKA for the resynchronisation test
 * (SIPp never sends auts).  K, OP and AMF are the lab's ASCII strings
 * (IMS-FACTS.md), used as raw bytes as SIPp and PJSUA do.
 *
 *   scscf_aka_ue K OP AMF check NONCE     -> "SQN RES-hex" (exit 1: MAC fails)
 *   scscf_aka_ue K OP AMF auts NONCE SQN  -> base64 AUTS claiming SQN_MS = SQN
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims_aka.h"
#include "ims_codec.h"
#include "ims_milenage.h"

static int keys_from(const char *k, const char *op, const char *amf, struct ims_aka_keys *keys)
{
	uint8_t opb[16];
	if (strlen(k) != 16 || strlen(op) != 16 || strlen(amf) != 2)
		return -1;
	memcpy(keys->k, k, 16);
	memcpy(opb, op, 16);
	memcpy(keys->amf, amf, 2);
	return ims_milenage_opc(keys->k, opb, keys->opc);
}

int main(int argc, char **argv)
{
	struct ims_aka_keys keys;
	uint8_t rand[16], autn[16], sqn[6], res[8], auts[14];
	char hex[17], b64[32];

	if (argc < 6 || keys_from(argv[1], argv[2], argv[3], &keys) < 0 ||
	    ims_aka_nonce_decode(argv[5], rand, autn) < 0) {
		fprintf(stderr, "usage: scscf_aka_ue K OP AMF check|auts NONCE [SQN]\n");
		return 2;
	}
	if (strcmp(argv[4], "check") == 0) {
		if (ims_aka_ue_check(&keys, rand, autn, sqn, res, NULL, NULL) < 0)
			return 1;
		ims_hex_encode(res, sizeof res, hex);
		printf("%llu %s\n", (unsigned long long)ims_sqn_get(sqn), hex);
		return 0;
	}
	if (strcmp(argv[4], "auts") == 0 && argc == 7) {
		ims_sqn_put(strtoull(argv[6], NULL, 10), sqn);
		if (ims_aka_ue_auts(&keys, rand, sqn, auts) < 0 ||
		    ims_base64_encode(auts, sizeof auts, b64, sizeof b64) < 0)
			return 1;
		printf("%s\n", b64);
		return 0;
	}
	return 2;
}
