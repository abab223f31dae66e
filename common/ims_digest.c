/*
 * ims_digest — RFC 2617 Digest MD5 (and RFC 3310 AKAv1-MD5, whose password
 * is RES as raw bytes) over OpenSSL's EVP MD5.
 */
#include "ims_digest.h"

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>

#include "ims_codec.h"

/* MD5 over the parts, joined by ':' ; hex into out.  On a failure of the
 * digest (MD5 disabled by policy) out is the empty string, which never
 * equals a real digest. */
struct part {
	const void *data;
	size_t len;
};

static void md5_hex(const struct part *parts, size_t nparts, char out[IMS_DIGEST_HEX_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	out[0] = '\0';
	if (ctx == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		goto done;
	for (i = 0; i < nparts; i++) {
		if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1)
			goto done;
		if (parts[i].len > 0 && EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) != 1)
			goto done;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 16)
		goto done;
	ims_hex_encode(md, 16, out);
done:
	EVP_MD_CTX_free(ctx);
}

static struct part str_part(const char *s)
{
	struct part p = {s != NULL ? s : "", s != NULL ? strlen(s) : 0};

	return p;
}

void ims_digest_ha1(const char *username, const char *realm, const uint8_t *password,
		    size_t password_len, char ha1[IMS_DIGEST_HEX_LEN])
{
	struct part parts[3] = {str_part(username), str_part(realm),
				{password != NULL ? (const void *)password : "",
				 password != NULL ? password_len : 0}};

	md5_hex(parts, 3, ha1);
}

void ims_digest_response(const char ha1[IMS_DIGEST_HEX_LEN], const char *nonce,
			 const char *nc, const char *cnonce, const char *qop,
			 const char *method, const char *uri,
			 char response[IMS_DIGEST_HEX_LEN])
{
	char ha2[IMS_DIGEST_HEX_LEN];
	struct part a2[2] = {str_part(method), str_part(uri)};

	md5_hex(a2, 2, ha2);
	if (qop != NULL && qop[0] != '\0') {
		struct part kd[6] = {str_part(ha1), str_part(nonce), str_part(nc),
				     str_part(cnonce), str_part(qop), str_part(ha2)};

		md5_hex(kd, 6, response);
	} else {
		struct part kd[3] = {str_part(ha1), str_part(nonce), str_part(ha2)};

		md5_hex(kd, 3, response);
	}
	if (ha1 == NULL || ha1[0] == '\0' || ha2[0] == '\0')
		response[0] = '\0'; /* never a valid response */
}

int ims_digest_equal(const char *a, const char *b)
{
	size_t la, lb, i;
	unsigned char diff = 0;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	for (i = 0; i < la; i++)
		diff |= (unsigned char)(tolower((unsigned char)a[i]) ^
					tolower((unsigned char)b[i]));
	return diff == 0;
}
