/*
 * fuzz_sip_scscf — the S-CSCF's header logic after sofia-sip's parser:
 * the Digest Authorization (scscf_auth_parse), the scheme, the AKA nonce
 * (RFC 3310: base64 RAND||AUTN) and auts=, the check of the response
 * against a stored challenge for MD5 and AKA (twice: the second is a
 * replay), and the served user from P-Asserted-Identity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sip.h"
#include "ims_aka.h"
#include "scscf_auth.h"
#include "scscf_session.h"

static struct scscf_nonces *nonces;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sip_t *sip;
	if (!nonces && !(nonces = scscf_nonces_new(60, 16)))
		abort();
	msg_t *msg = fuzz_sip_parse(data, size, &sip);
	if (!msg)
		return 0;
	if (!sip->sip_request) {
		msg_destroy(msg);
		return 0;
	}
	char impu[SCSCF_ID_MAX];
	scscf_asserted_identity(sip, impu, sizeof impu);

	struct scscf_creds c;
	if (scscf_auth_parse(sip->sip_authorization, "open-ims.test", &c) == 0 && c.present &&
	    !scscf_creds_empty(&c)) {
		enum scscf_scheme scheme = scscf_scheme_from_algorithm(c.algorithm);
		uint8_t rand[16], autn[16], auts[14];
		ims_aka_nonce_decode(c.nonce, rand, autn);
		scscf_auth_auts(&c, auts);

		struct scscf_vector v;
		memset(&v, 0, sizeof v);
		/* a nonce longer than ours can match no challenge */
		if (strlen(c.nonce) >= sizeof v.nonce || strlen(c.username) >= sizeof v.impi)
			goto out;
		memcpy(v.nonce, c.nonce, strlen(c.nonce) + 1);
		memcpy(v.impi, c.username, strlen(c.username) + 1);
		v.scheme = scheme == SCSCF_SCHEME_AKA ? SCSCF_SCHEME_AKA : SCSCF_SCHEME_MD5;
		memcpy(v.ha1, "0123456789abcdef0123456789abcdef", 33);
		memset(v.xres, 0x5a, sizeof v.xres);
		v.xres_len = 8;
		struct scscf_vector *sv = scscf_nonces_add(nonces, &v, 1000);
		if (sv && scscf_nonces_find(nonces, c.nonce, 1001) == sv) {
			const char *method = sip->sip_request->rq_method_name;
			scscf_auth_verify(sv, &c, method);
			scscf_auth_verify(sv, &c, method);
			scscf_nonces_remove(nonces, sv);
		}
	}
out:
	scscf_nonces_expire(nonces, 2000);
	msg_destroy(msg);
	return 0;
}
