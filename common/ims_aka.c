/*
 * ims_aka — AKA vectors and resynchronisation (3GPP TS 33.102 §6.3) and the
 * RFC 3310 nonce, over ims_milenage.
 */
#include "ims_aka.h"

#include <string.h>

#include <openssl/crypto.h>

#include "ims_codec.h"
#include "ims_milenage.h"

/* A nonce longer than this is not one of ours (RFC 3310 server data
 * included); refusing it bounds the decode buffer. */
#define AKA_NONCE_MAX_BYTES 192

uint64_t ims_sqn_get(const uint8_t sqn[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | sqn[i];
	return v;
}

void ims_sqn_put(uint64_t value, uint8_t sqn[6])
{
	int i;

	for (i = 5; i >= 0; i--) {
		sqn[i] = (uint8_t)(value & 0xff);
		value >>= 8;
	}
}

int ims_aka_vector(const struct ims_aka_keys *keys, const uint8_t sqn[6],
		   const uint8_t rand[16], struct ims_aka_vector *out)
{
	uint8_t ak[6], mac_a[8];
	int i, rc = -1;

	if (keys == NULL || sqn == NULL || rand == NULL || out == NULL)
		return -1;
	if (ims_milenage_f1(keys->k, keys->opc, rand, sqn, keys->amf, mac_a, NULL) < 0)
		goto out;
	if (ims_milenage_f2345(keys->k, keys->opc, rand, out->xres, out->ck, out->ik, ak,
			       NULL) < 0)
		goto out;
	memcpy(out->rand, rand, 16);
	for (i = 0; i < 6; i++)
		out->autn[i] = sqn[i] ^ ak[i];
	memcpy(out->autn + 6, keys->amf, 2);
	memcpy(out->autn + 8, mac_a, 8);
	rc = 0;
out:
	if (rc < 0)
		OPENSSL_cleanse(out, sizeof(*out));
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(mac_a, sizeof(mac_a));
	return rc;
}

int ims_aka_resync(const struct ims_aka_keys *keys, const uint8_t rand[16],
		   const uint8_t auts[14], uint8_t sqn_ms[6])
{
	static const uint8_t amf_resync[2] = {0x00, 0x00};
	uint8_t ak_star[6], sqn[6], mac_s[8];
	int i, rc = -1;

	if (keys == NULL || rand == NULL || auts == NULL || sqn_ms == NULL)
		return -1;
	if (ims_milenage_f2345(keys->k, keys->opc, rand, NULL, NULL, NULL, NULL, ak_star) < 0)
		goto out;
	for (i = 0; i < 6; i++)
		sqn[i] = auts[i] ^ ak_star[i];
	if (ims_milenage_f1(keys->k, keys->opc, rand, sqn, amf_resync, NULL, mac_s) < 0)
		goto out;
	if (CRYPTO_memcmp(mac_s, auts + 6, 8) != 0)
		goto out;
	memcpy(sqn_ms, sqn, 6);
	rc = 0;
out:
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	OPENSSL_cleanse(sqn, sizeof(sqn));
	OPENSSL_cleanse(mac_s, sizeof(mac_s));
	return rc;
}

int ims_aka_ue_check(const struct ims_aka_keys *keys, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t sqn[6], uint8_t res[8], uint8_t ck[16],
		     uint8_t ik[16])
{
	uint8_t ak[6], sqn_he[6], xmac[8], xres[8], xck[16], xik[16];
	int i, rc = -1;

	if (keys == NULL || rand == NULL || autn == NULL)
		return -1;
	if (ims_milenage_f2345(keys->k, keys->opc, rand, xres, xck, xik, ak, NULL) < 0)
		goto out;
	for (i = 0; i < 6; i++)
		sqn_he[i] = autn[i] ^ ak[i];
	/* TS 33.102 §6.3.3: XMAC = f1(K, RAND, SQN, AMF) with the AMF of AUTN. */
	if (ims_milenage_f1(keys->k, keys->opc, rand, sqn_he, autn + 6, xmac, NULL) < 0)
		goto out;
	if (CRYPTO_memcmp(xmac, autn + 8, 8) != 0)
		goto out;
	if (sqn != NULL)
		memcpy(sqn, sqn_he, 6);
	if (res != NULL)
		memcpy(res, xres, 8);
	if (ck != NULL)
		memcpy(ck, xck, 16);
	if (ik != NULL)
		memcpy(ik, xik, 16);
	rc = 0;
out:
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(sqn_he, sizeof(sqn_he));
	OPENSSL_cleanse(xmac, sizeof(xmac));
	OPENSSL_cleanse(xres, sizeof(xres));
	OPENSSL_cleanse(xck, sizeof(xck));
	OPENSSL_cleanse(xik, sizeof(xik));
	return rc;
}

int ims_aka_ue_auts(const struct ims_aka_keys *keys, const uint8_t rand[16],
		    const uint8_t sqn_ms[6], uint8_t auts[14])
{
	static const uint8_t amf_resync[2] = {0x00, 0x00};
	uint8_t ak_star[6];
	int i, rc = -1;

	if (keys == NULL || rand == NULL || sqn_ms == NULL || auts == NULL)
		return -1;
	if (ims_milenage_f2345(keys->k, keys->opc, rand, NULL, NULL, NULL, NULL, ak_star) < 0)
		goto out;
	if (ims_milenage_f1(keys->k, keys->opc, rand, sqn_ms, amf_resync, NULL, auts + 6) < 0)
		goto out;
	for (i = 0; i < 6; i++)
		auts[i] = sqn_ms[i] ^ ak_star[i];
	rc = 0;
out:
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	return rc;
}

int ims_aka_nonce_encode(const uint8_t rand[16], const uint8_t autn[16], char *out,
			 size_t outmax)
{
	uint8_t buf[32];

	if (rand == NULL || autn == NULL || out == NULL)
		return -1;
	memcpy(buf, rand, 16);
	memcpy(buf + 16, autn, 16);
	return ims_base64_encode(buf, sizeof(buf), out, outmax) < 0 ? -1 : 0;
}

int ims_aka_nonce_decode(const char *nonce, uint8_t rand[16], uint8_t autn[16])
{
	uint8_t buf[AKA_NONCE_MAX_BYTES];
	size_t len;
	int n;

	if (nonce == NULL || rand == NULL || autn == NULL)
		return -1;
	len = strnlen(nonce, AKA_NONCE_MAX_BYTES / 3 * 4 + 1);
	if (len > AKA_NONCE_MAX_BYTES / 3 * 4)
		return -1;
	n = ims_base64_decode(nonce, len, buf, sizeof(buf));
	if (n < 32)
		return -1;
	memcpy(rand, buf, 16);
	memcpy(autn, buf + 16, 16);
	return 0;
}
