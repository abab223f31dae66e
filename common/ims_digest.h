/*
 * ims_digest — HTTP Digest MD5 as SIP uses it (RFC 2617, RFC 3261 §22.4,
 * RFC 3310 for AKAv1-MD5 where the password is RES as raw bytes).
 * All hashes are 32 lower-case hex characters plus NUL, written into the
 * caller's buffer.  Should MD5 itself fail (disabled by a crypto policy) the
 * output is the empty string, which ims_digest_equal() never accepts.
 */
#ifndef IMS_DIGEST_H
#define IMS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define IMS_DIGEST_HEX_LEN 33

/* HA1 = MD5(username ":" realm ":" password); password as bytes so that an
 * AKA RES (binary) can be the password. */
void ims_digest_ha1(const char *username, const char *realm, const uint8_t *password,
		    size_t password_len, char ha1[IMS_DIGEST_HEX_LEN]);

/* response = MD5(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2) when qop
 * is "auth", or MD5(HA1 ":" nonce ":" HA2) when qop is NULL or empty, where
 * HA2 = MD5(method ":" uri). */
void ims_digest_response(const char ha1[IMS_DIGEST_HEX_LEN], const char *nonce,
			 const char *nc, const char *cnonce, const char *qop,
			 const char *method, const char *uri,
			 char response[IMS_DIGEST_HEX_LEN]);

/* Constant-time comparison of two hex digests (case-insensitive).
 * Returns 1 when equal. */
int ims_digest_equal(const char *a, const char *b);

#endif
