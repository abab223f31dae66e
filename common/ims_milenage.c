/*
 * ims_milenage — 3GPP TS 35.206 §4.1, written from the specification.
 *
 *   TEMP = E_K(RAND xor OPc)
 *   OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc,
 *          IN1 = SQN || AMF || SQN || AMF
 *   OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc      for i = 2..5
 *
 * with r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 bits and c1..c5 the
 * 128-bit constants 0, 1, 2, 4, 8.  f1 = OUT1[0..63], f1* = OUT1[64..127],
 * f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3, f4 = OUT4,
 * f5* = OUT5[0..47].  E_K is AES-128 (one block, ECB, no padding).
 */
#include "ims_milenage.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define BLOCK 16

/* One AES-128 key schedule for all the blocks of one call. */
struct aes_k {
	EVP_CIPHER_CTX *ctx;
};

static int aes_k_init(struct aes_k *a, const uint8_t k[16])
{
	a->ctx = EVP_CIPHER_CTX_new();
	if (a->ctx == NULL)
		return -1;
	if (EVP_EncryptInit_ex(a->ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(a->ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(a->ctx);
		a->ctx = NULL;
		return -1;
	}
	return 0;
}

static int aes_k_block(struct aes_k *a, const uint8_t in[BLOCK], uint8_t out[BLOCK])
{
	int outl = 0;

	if (EVP_EncryptUpdate(a->ctx, out, &outl, in, BLOCK) != 1 || outl != BLOCK)
		return -1;
	return 0;
}

static void aes_k_fini(struct aes_k *a)
{
	EVP_CIPHER_CTX_free(a->ctx); /* also cleanses the key schedule */
	a->ctx = NULL;
}

/* out = x rotated towards the most significant bit by r bits (r % 8 == 0). */
static void rot(const uint8_t x[BLOCK], unsigned r, uint8_t out[BLOCK])
{
	unsigned shift = r / 8, i;

	for (i = 0; i < BLOCK; i++)
		out[i] = x[(i + shift) % BLOCK];
}

static void xor_block(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] ^= src[i];
}

/* TEMP = E_K(RAND xor OPc). */
static int milenage_temp(struct aes_k *a, const uint8_t opc[16], const uint8_t rand[16],
			 uint8_t temp[BLOCK])
{
	uint8_t in[BLOCK];
	int rc;

	memcpy(in, rand, BLOCK);
	xor_block(in, opc, BLOCK);
	rc = aes_k_block(a, in, temp);
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

/* OUTi for i = 2..5: E_K(rot(TEMP xor OPc, r) xor c) xor OPc, c = 0..0cc. */
static int milenage_out(struct aes_k *a, const uint8_t opc[16], const uint8_t temp[BLOCK],
			unsigned r, uint8_t c, uint8_t out[BLOCK])
{
	uint8_t x[BLOCK], in[BLOCK];
	int rc;

	memcpy(x, temp, BLOCK);
	xor_block(x, opc, BLOCK);
	rot(x, r, in);
	in[BLOCK - 1] ^= c;
	rc = aes_k_block(a, in, out);
	if (rc == 0)
		xor_block(out, opc, BLOCK);
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(in, sizeof(in));
	return rc;
}

int ims_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	struct aes_k a;
	int rc;

	if (aes_k_init(&a, k) < 0)
		return -1;
	rc = aes_k_block(&a, op, opc);
	if (rc == 0)
		xor_block(opc, op, BLOCK);
	aes_k_fini(&a);
	return rc;
}

int ims_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8],
		    uint8_t mac_s[8])
{
	struct aes_k a;
	uint8_t temp[BLOCK], in1[BLOCK], x[BLOCK], out1[BLOCK];
	int rc = -1;

	if (aes_k_init(&a, k) < 0)
		return -1;
	if (milenage_temp(&a, opc, rand, temp) < 0)
		goto out;

	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, sqn, 6);
	memcpy(in1 + 14, amf, 2);
	xor_block(in1, opc, BLOCK);
	rot(in1, 64, x); /* r1 = 64; c1 = 0 */
	xor_block(x, temp, BLOCK);
	if (aes_k_block(&a, x, out1) < 0)
		goto out;
	xor_block(out1, opc, BLOCK);

	if (mac_a != NULL)
		memcpy(mac_a, out1, 8);
	if (mac_s != NULL)
		memcpy(mac_s, out1 + 8, 8);
	rc = 0;
out:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(in1, sizeof(in1));
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(out1, sizeof(out1));
	aes_k_fini(&a);
	return rc;
}

int ims_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		       uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		       uint8_t ak_star[6])
{
	struct aes_k a;
	uint8_t temp[BLOCK], out[BLOCK];
	int rc = -1;

	if (aes_k_init(&a, k) < 0)
		return -1;
	if (milenage_temp(&a, opc, rand, temp) < 0)
		goto done;

	if (res != NULL || ak != NULL) { /* OUT2: r2 = 0, c2 = 1 */
		if (milenage_out(&a, opc, temp, 0, 0x01, out) < 0)
			goto done;
		if (ak != NULL)
			memcpy(ak, out, 6);
		if (res != NULL)
			memcpy(res, out + 8, 8);
	}
	if (ck != NULL) { /* OUT3: r3 = 32, c3 = 2 */
		if (milenage_out(&a, opc, temp, 32, 0x02, out) < 0)
			goto done;
		memcpy(ck, out, 16);
	}
	if (ik != NULL) { /* OUT4: r4 = 64, c4 = 4 */
		if (milenage_out(&a, opc, temp, 64, 0x04, out) < 0)
			goto done;
		memcpy(ik, out, 16);
	}
	if (ak_star != NULL) { /* OUT5: r5 = 96, c5 = 8 */
		if (milenage_out(&a, opc, temp, 96, 0x08, out) < 0)
			goto done;
		memcpy(ak_star, out, 6);
	}
	rc = 0;
done:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(out, sizeof(out));
	aes_k_fini(&a);
	return rc;
}
