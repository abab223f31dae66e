/*
 * scscf_auth — SIP Digest authentication at the S-CSCF: the Authorization
 * header as the UE sent it, the store of challenges (vectors from the MAA,
 * keyed by the nonce we sent), and the check of the UE's response.
 *
 *   MD5 (TS 29.229 "SIP Digest"): the HSS gives HA1, we draw the nonce;
 *   response = RFC 2617 with qop=auth.
 *   AKA (RFC 3310, "Digest-AKAv1-MD5"): nonce = base64(RAND || AUTN); the
 *   password is XRES (binary).  A UE whose SQN is out of range answers with
 *   auts= and a response over an empty password: the caller sends a
 *   resynchronisation MAR (SIP-Authorization = RAND || AUTS).
 *
 * A nonce is accepted once per nonce count (nc must grow; without qop only
 * once) and for nonce_lifetime seconds after the challenge.
 *
 * Pure: no sofia objects but the parsed Authorization header, no clock
 * (now is passed in).  Root thread only.
 */
#ifndef SCSCF_AUTH_H
#define SCSCF_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/sip.h>

#include "scscf_ul.h"

enum scscf_scheme {
	SCSCF_SCHEME_NONE = 0, /* not known (MAR with "Unknown") */
	SCSCF_SCHEME_MD5,      /* "SIP Digest" (or legacy "Digest-MD5") */
	SCSCF_SCHEME_AKA,      /* "Digest-AKAv1-MD5" */
};

/* Authorization: Digest ..., unquoted, "" when absent. */
struct scscf_creds {
	bool present; /* a Digest header for our realm (or without realm) */
	char username[SCSCF_ID_MAX];
	char realm[128];
	char nonce[256];
	char uri[SCSCF_URI_MAX];
	char response[64];
	char algorithm[32];
	char cnonce[128];
	char qop[32];
	char nc[16];
	char auts[64]; /* base64 AUTS (AKA resynchronisation) */
};

/* Pick the Digest credentials for realm among the Authorization headers
 * (first one whose realm= matches, else the first Digest one without a
 * realm match requirement when only one exists) and copy them into out.
 * Returns 0 (out->present says whether one was found), or -1 when the
 * header is malformed (unparsable parameters or a value too long). */
int scscf_auth_parse(const sip_authorization_t *au, const char *realm, struct scscf_creds *out);

/* True when the credentials are the "empty" ones IMS clients send before
 * any challenge: no nonce or no response. */
bool scscf_creds_empty(const struct scscf_creds *c);

/* The scheme a UE asked for with algorithm= (MD5 -> MD5, AKAv1-MD5 ->
 * AKA, absent or other -> NONE). */
enum scscf_scheme scscf_scheme_from_algorithm(const char *algorithm);

/* One challenge sent to a UE. */
struct scscf_vector {
	char nonce[64]; /* as sent in WWW-Authenticate */
	char impi[SCSCF_ID_MAX];
	char impu[SCSCF_ID_MAX];
	enum scscf_scheme scheme;
	char ha1[33];     /* MD5 */
	uint8_t rand[16]; /* AKA */
	uint8_t xres[16];
	size_t xres_len;
	uint8_t ck[16], ik[16];
	bool has_keys;
	int64_t expires; /* absolute, Unix seconds */
	uint32_t nc;     /* highest nonce count accepted so far */
	bool used;       /* accepted at least once */
};

enum scscf_verdict {
	SCSCF_AUTH_OK = 0,
	SCSCF_AUTH_WRONG,     /* response does not match: 403 */
	SCSCF_AUTH_BAD_USER,  /* username is not the challenged private identity: 403 */
	SCSCF_AUTH_REPLAY,    /* nc not above the last accepted one: challenge again */
	SCSCF_AUTH_MALFORMED, /* missing parameters, qop not auth: 400 */
};

/* Check c (answer to v) for a request with method.  On SCSCF_AUTH_OK the
 * nonce count is recorded. */
enum scscf_verdict scscf_auth_verify(struct scscf_vector *v, const struct scscf_creds *c,
                                     const char *method);

/* Decode the base64 AUTS of c into auts[14].  Returns 0 or -1. */
int scscf_auth_auts(const struct scscf_creds *c, uint8_t auts[14]);

/* Draw a fresh random nonce (base64 of 24 bytes) into out (>= 33 bytes).
 * Returns 0 or -1. */
int scscf_auth_random_nonce(char *out, size_t outmax);

/* ---- the store of pending challenges ---- */

struct scscf_nonces;

/* lifetime seconds; at most max entries (the oldest goes first). */
struct scscf_nonces *scscf_nonces_new(int lifetime, int max);
void scscf_nonces_destroy(struct scscf_nonces *s);

/* Store a copy of v, expiring at now + lifetime (v->expires is set).
 * Returns the stored vector (borrowed, valid until removed or expired), or
 * NULL when out of memory or the nonce is already held. */
struct scscf_vector *scscf_nonces_add(struct scscf_nonces *s, const struct scscf_vector *v,
                                      int64_t now);

/* The live vector for nonce, or NULL (unknown or expired; expired entries
 * are dropped on the way). */
struct scscf_vector *scscf_nonces_find(struct scscf_nonces *s, const char *nonce, int64_t now);

void scscf_nonces_remove(struct scscf_nonces *s, struct scscf_vector *v);

/* Drop every vector expired at now; returns how many. */
int scscf_nonces_expire(struct scscf_nonces *s, int64_t now);

size_t scscf_nonces_count(const struct scscf_nonces *s);

#endif
