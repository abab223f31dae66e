/*
 * ims_aka — AKA vectors and resynchronisation (3GPP TS 33.102) and the
 * RFC 3310 (Digest AKAv1-MD5) nonce, on top of ims_milenage.
 *
 * Network side: ims_aka_vector(), ims_aka_resync().
 * UE side (used by tests and by the S-CSCF's checks): ims_aka_ue_*().
 */
#ifndef IMS_AKA_H
#define IMS_AKA_H

#include <stddef.h>
#include <stdint.h>

struct ims_aka_keys {
	uint8_t k[16];
	uint8_t opc[16];
	uint8_t amf[2];
};

struct ims_aka_vector {
	uint8_t rand[16];
	uint8_t autn[16]; /* (SQN xor AK) || AMF || MAC-A */
	uint8_t xres[8];
	uint8_t ck[16];
	uint8_t ik[16];
};

/* 48-bit SQN <-> 6 big-endian bytes. */
uint64_t ims_sqn_get(const uint8_t sqn[6]);
void ims_sqn_put(uint64_t value, uint8_t sqn[6]);

/* Build a vector for sqn from rand (16 bytes the caller drew with
 * RAND_bytes()).  Returns 0, or -1 on a cipher failure. */
int ims_aka_vector(const struct ims_aka_keys *keys, const uint8_t sqn[6],
		   const uint8_t rand[16], struct ims_aka_vector *out);

/* Network side of resynchronisation: from RAND and AUTS = (SQN_MS xor AK*)
 * || MAC-S recover SQN_MS and check MAC-S = f1*(K, RAND, SQN_MS, AMF=0000).
 * Returns 0 with sqn_ms set, or -1 when MAC-S does not match (sqn_ms is then
 * left untouched). */
int ims_aka_resync(const struct ims_aka_keys *keys, const uint8_t rand[16],
		   const uint8_t auts[14], uint8_t sqn_ms[6]);

/* UE side: check AUTN (MAC-A) and compute RES, CK, IK and the network's SQN.
 * XMAC is computed with the AMF carried in AUTN (TS 33.102 §6.3.3); keys->amf
 * is not used.  Any of sqn, res, ck, ik may be NULL; none is written unless
 * the MAC matches.  Returns 0, or -1 when MAC-A does not match. */
int ims_aka_ue_check(const struct ims_aka_keys *keys, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t sqn[6], uint8_t res[8], uint8_t ck[16],
		     uint8_t ik[16]);

/* UE side: AUTS for a resynchronisation to sqn_ms: (SQN_MS xor AK*) ||
 * f1*(K, RAND, SQN_MS, AMF=0000); keys->amf is not used.  Returns 0 or -1. */
int ims_aka_ue_auts(const struct ims_aka_keys *keys, const uint8_t rand[16],
		    const uint8_t sqn_ms[6], uint8_t auts[14]);

/* RFC 3310 nonce = base64(RAND || AUTN [|| server data]); out gets at least
 * 45 bytes.  Returns 0 or -1. */
int ims_aka_nonce_encode(const uint8_t rand[16], const uint8_t autn[16], char *out,
			 size_t outmax);
/* Returns 0, or -1 when the nonce is not base64 of at least 32 bytes (or is
 * longer than 256 characters).  Bytes after RAND || AUTN are ignored. */
int ims_aka_nonce_decode(const char *nonce, uint8_t rand[16], uint8_t autn[16]);

#endif
