/* scscf_auth — see scscf_auth.h. */
#include "scscf_auth.h"

#include "ims_codec.h"
#include "ims_digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>
#include <sofia-sip/auth_common.h>
#include <sofia-sip/auth_digest.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

/* ---- the Authorization header ---- */

static int copy(char *dst, size_t size, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int creds_fill(const sip_authorization_t *au, struct scscf_creds *out)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	auth_response_t ar[1] = {{sizeof ar}};
	char const *auts = NULL;
	int rc = -1;

	if (!au->au_params)
		goto out;
	if (auth_digest_response_get(home, ar, au->au_params) < 0)
		goto out;
	if (auth_get_params(home, au->au_params, "auts=", &auts, NULL) < 0)
		goto out;
	if (copy(out->username, sizeof out->username, ar->ar_username) < 0 ||
	    copy(out->realm, sizeof out->realm, ar->ar_realm) < 0 ||
	    copy(out->nonce, sizeof out->nonce, ar->ar_nonce) < 0 ||
	    copy(out->uri, sizeof out->uri, ar->ar_uri) < 0 ||
	    copy(out->response, sizeof out->response, ar->ar_response) < 0 ||
	    copy(out->algorithm, sizeof out->algorithm, ar->ar_algorithm) < 0 ||
	    copy(out->cnonce, sizeof out->cnonce, ar->ar_cnonce) < 0 ||
	    copy(out->qop, sizeof out->qop, ar->ar_qop) < 0 ||
	    copy(out->nc, sizeof out->nc, ar->ar_nc) < 0 ||
	    copy(out->auts, sizeof out->auts, auts) < 0)
		goto out;
	out->present = true;
	rc = 0;
out:
	su_home_deinit(home);
	return rc;
}

int scscf_auth_parse(const sip_authorization_t *au, const char *realm, struct scscf_creds *out)
{
	const sip_authorization_t *pick = NULL;
	int digest = 0;

	memset(out, 0, sizeof *out);
	for (; au; au = au->au_next) {
		if (!au->au_scheme || !su_casematch(au->au_scheme, "Digest"))
			continue;
		digest++;
		if (!pick)
			pick = au;
		char const *r = NULL;
		su_home_t home[1] = {SU_HOME_INIT(home)};
		if (au->au_params && auth_get_params(home, au->au_params, "realm=", &r, NULL) > 0 &&
		    r && strcmp(r, realm) == 0) {
			su_home_deinit(home);
			pick = au;
			digest = 1;
			break;
		}
		su_home_deinit(home);
	}
	if (!pick)
		return 0;
	if (creds_fill(pick, out) < 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	/* several Digest headers, none for our realm: not ours */
	if (digest > 1 && strcmp(out->realm, realm) != 0)
		memset(out, 0, sizeof *out);
	return 0;
}

bool scscf_creds_empty(const struct scscf_creds *c)
{
	return !c->present || c->nonce[0] == '\0' || c->response[0] == '\0';
}

enum scscf_scheme scscf_scheme_from_algorithm(const char *algorithm)
{
	if (!algorithm || !*algorithm)
		return SCSCF_SCHEME_NONE;
	if (strcasecmp(algorithm, "MD5") == 0)
		return SCSCF_SCHEME_MD5;
	if (strcasecmp(algorithm, "AKAv1-MD5") == 0)
		return SCSCF_SCHEME_AKA;
	return SCSCF_SCHEME_NONE;
}

/* ---- verification ---- */

static int parse_nc(const char *nc, uint32_t *out)
{
	char *end;
	if (strlen(nc) != 8)
		return -1;
	unsigned long v = strtoul(nc, &end, 16);
	if (*end || v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum scscf_verdict scscf_auth_verify(struct scscf_vector *v, const struct scscf_creds *c,
                                     const char *method)
{
	char ha1[IMS_DIGEST_HEX_LEN], expect[IMS_DIGEST_HEX_LEN];
	uint32_t nc = 0;
	bool qop = c->qop[0] != '\0';

	if (strcmp(c->username, v->impi) != 0)
		return SCSCF_AUTH_BAD_USER;
	if (!c->uri[0] || !c->response[0])
		return SCSCF_AUTH_MALFORMED;
	if (qop && (strcasecmp(c->qop, "auth") != 0 || !c->cnonce[0] || parse_nc(c->nc, &nc) < 0))
		return SCSCF_AUTH_MALFORMED;
	if (qop ? nc <= v->nc : v->used)
		return SCSCF_AUTH_REPLAY;

	if (v->scheme == SCSCF_SCHEME_AKA)
		ims_digest_ha1(c->username, c->realm, v->xres, v->xres_len, ha1);
	else
		memcpy(ha1, v->ha1, sizeof ha1);
	ims_digest_response(ha1, c->nonce, c->nc, c->cnonce, qop ? c->qop : NULL, method, c->uri,
	                    expect);
	if (!ims_digest_equal(expect, c->response))
		return SCSCF_AUTH_WRONG;
	if (qop)
		v->nc = nc;
	v->used = true;
	return SCSCF_AUTH_OK;
}

int scscf_auth_auts(const struct scscf_creds *c, uint8_t auts[14])
{
	uint8_t buf[32];
	int n = ims_base64_decode(c->auts, strlen(c->auts), buf, sizeof buf);
	if (n != 14)
		return -1;
	memcpy(auts, buf, 14);
	return 0;
}

int scscf_auth_random_nonce(char *out, size_t outmax)
{
	uint8_t raw[24];
	if (RAND_bytes(raw, sizeof raw) != 1)
		return -1;
	return ims_base64_encode(raw, sizeof raw, out, outmax) < 0 ? -1 : 0;
}

/* ---- the store: a hash by nonce and a list in expiry order ---- */

#define NONCE_BUCKETS 65536u

struct nonce_entry {
	struct scscf_vector v; /* first: a vector pointer is an entry pointer */
	struct nonce_entry *hnext;
	struct nonce_entry *prev, *next; /* oldest first */
};

struct scscf_nonces {
	int lifetime;
	int max;
	size_t count;
	struct nonce_entry *oldest, *newest;
	struct nonce_entry *buckets[NONCE_BUCKETS];
};

static unsigned nonce_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % NONCE_BUCKETS;
}

struct scscf_nonces *scscf_nonces_new(int lifetime, int max)
{
	struct scscf_nonces *s = calloc(1, sizeof *s);
	if (s) {
		s->lifetime = lifetime;
		s->max = max > 0 ? max : 1;
	}
	return s;
}

void scscf_nonces_remove(struct scscf_nonces *s, struct scscf_vector *v)
{
	struct nonce_entry *e = (struct nonce_entry *)v;
	for (struct nonce_entry **p = &s->buckets[nonce_hash(v->nonce)]; *p; p = &(*p)->hnext) {
		if (*p == e) {
			*p = e->hnext;
			break;
		}
	}
	if (e->prev)
		e->prev->next = e->next;
	else
		s->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		s->newest = e->prev;
	s->count--;
	free(e);
}

void scscf_nonces_destroy(struct scscf_nonces *s)
{
	if (!s)
		return;
	while (s->oldest)
		scscf_nonces_remove(s, &s->oldest->v);
	free(s);
}

static struct nonce_entry *lookup(struct scscf_nonces *s, const char *nonce)
{
	for (struct nonce_entry *e = s->buckets[nonce_hash(nonce)]; e; e = e->hnext)
		if (strcmp(e->v.nonce, nonce) == 0)
			return e;
	return NULL;
}

struct scscf_vector *scscf_nonces_add(struct scscf_nonces *s, const struct scscf_vector *v,
                                      int64_t now)
{
	if (lookup(s, v->nonce))
		return NULL;
	while (s->count >= (size_t)s->max && s->oldest)
		scscf_nonces_remove(s, &s->oldest->v);
	struct nonce_entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->v = *v;
	e->v.expires = now + s->lifetime;
	unsigned h = nonce_hash(e->v.nonce);
	e->hnext = s->buckets[h];
	s->buckets[h] = e;
	e->prev = s->newest;
	if (s->newest)
		s->newest->next = e;
	else
		s->oldest = e;
	s->newest = e;
	s->count++;
	return &e->v;
}

struct scscf_vector *scscf_nonces_find(struct scscf_nonces *s, const char *nonce, int64_t now)
{
	scscf_nonces_expire(s, now);
	struct nonce_entry *e = nonce ? lookup(s, nonce) : NULL;
	return e ? &e->v : NULL;
}

int scscf_nonces_expire(struct scscf_nonces *s, int64_t now)
{
	int n = 0;
	while (s->oldest && s->oldest->v.expires <= now) {
		scscf_nonces_remove(s, &s->oldest->v);
		n++;
	}
	return n;
}

size_t scscf_nonces_count(const struct scscf_nonces *s)
{
	return s->count;
}
