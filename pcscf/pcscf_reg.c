/* pcscf_reg — see pcscf_reg.h. */
#include "pcscf_reg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/url.h>

#include "ims_slab.h"

struct pcscf_regtab {
	struct ims_slab *slab; /* the entries, on pages of their own */
	unsigned max, count, nbuckets;
	struct pcscf_reg **by_addr, **by_contact;
	struct pcscf_reg_hooks hooks;
};

static uint32_t hash_str(const char *s, uint32_t h)
{
	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static uint32_t hash_addr(const char *ip, uint16_t port, bool tcp)
{
	uint32_t h = hash_str(ip, 2166136261u);
	h = (h ^ port) * 16777619u;
	return (h ^ (tcp ? 1u : 0u)) * 16777619u;
}

struct pcscf_regtab *pcscf_regtab_new(unsigned max_entries)
{
	struct pcscf_regtab *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->max = max_entries;
	t->nbuckets = 1024;
	while (t->nbuckets < max_entries / 2 && t->nbuckets < (1u << 22))
		t->nbuckets <<= 1;
	t->slab = ims_slab_new();
	t->by_addr = calloc(t->nbuckets, sizeof *t->by_addr);
	t->by_contact = calloc(t->nbuckets, sizeof *t->by_contact);
	if (!t->slab || !t->by_addr || !t->by_contact) {
		pcscf_regtab_free(t);
		return NULL;
	}
	return t;
}

void pcscf_regtab_free(struct pcscf_regtab *t)
{
	if (!t)
		return;
	ims_slab_destroy(t->slab); /* every entry with it */
	free(t->by_addr);
	free(t->by_contact);
	free(t);
}

unsigned pcscf_regtab_count(const struct pcscf_regtab *t) { return t->count; }
unsigned pcscf_regtab_max(const struct pcscf_regtab *t) { return t->max; }

void pcscf_regtab_set_hooks(struct pcscf_regtab *t, const struct pcscf_reg_hooks *hooks)
{
	if (hooks)
		t->hooks = *hooks;
	else
		memset(&t->hooks, 0, sizeof t->hooks);
}

int pcscf_reg_foreach(struct pcscf_regtab *t, int (*fn)(void *arg, const struct pcscf_reg *r),
		      void *arg)
{
	for (unsigned i = 0; i < t->nbuckets; i++)
		for (struct pcscf_reg *r = t->by_contact[i]; r; r = r->next_contact) {
			int rc = fn(arg, r);
			if (rc)
				return rc;
		}
	return 0;
}

int pcscf_contact_key(const char *contact, char *buf, size_t len)
{
	char tmp[512];
	url_t url[1];
	const char *s = contact;
	size_t n = strlen(s);

	if (*s == '<')
		s++, n = strcspn(s, ">");
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (url_d(url, tmp) < 0 || !url->url_host || !*url->url_host)
		return -1;
	int w = snprintf(buf, len, "%s@%s:%s", url->url_user ? url->url_user : "", url->url_host,
			 url->url_port ? url->url_port : "5060");
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

static struct pcscf_reg **find_contact(struct pcscf_regtab *t, const char *key)
{
	struct pcscf_reg **p = &t->by_contact[hash_str(key, 2166136261u) & (t->nbuckets - 1)];
	for (; *p; p = &(*p)->next_contact)
		if (strcmp((*p)->contact_key, key) == 0)
			return p;
	return p;
}

static void unlink_addr(struct pcscf_regtab *t, struct pcscf_reg *r)
{
	struct pcscf_reg **p =
		&t->by_addr[hash_addr(r->src_ip, r->src_port, r->tcp) & (t->nbuckets - 1)];
	for (; *p; p = &(*p)->next_addr) {
		if (*p == r) {
			*p = r->next_addr;
			return;
		}
	}
}

static void drop(struct pcscf_regtab *t, struct pcscf_reg **slot)
{
	struct pcscf_reg *r = *slot;
	*slot = r->next_contact;
	unlink_addr(t, r);
	t->count--;
	ims_slab_free(t->slab, r, r->size);
}

/* The first identity of a P-Associated-URI list, without the brackets. */
static void first_identity(const char *impus, char *out, size_t len)
{
	const char *s = impus + strspn(impus, " \t");
	if (*s == '<') {
		s++;
		size_t n = strcspn(s, ">");
		snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), s);
	} else {
		size_t n = strcspn(s, ",; \t");
		snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), s);
	}
}

struct pcscf_reg *pcscf_reg_save(struct pcscf_regtab *t, const char *contact,
				 const char *src_ip, uint16_t src_port, bool tcp,
				 const char *impus, const char *service_route, time_t expires)
{
	char key[300], asserted[256];

	if (pcscf_contact_key(contact, key, sizeof key) < 0 || strlen(src_ip) >= 46)
		return NULL;
	first_identity(impus, asserted, sizeof asserted);
	if (!service_route)
		service_route = "";

	struct pcscf_reg **slot = find_contact(t, key);
	if (*slot)
		drop(t, slot);
	if (t->count >= t->max)
		return NULL;

	size_t lk = strlen(key) + 1, lc = strlen(contact) + 1, li = strlen(impus) + 1,
	       la = strlen(asserted) + 1, ls = strlen(service_route) + 1;
	size_t size = sizeof(struct pcscf_reg) + lk + lc + li + la + ls;
	struct pcscf_reg *r = ims_slab_alloc(t->slab, size);
	if (!r)
		return NULL;
	memset(r, 0, sizeof *r);
	r->size = (uint32_t)size;
	char *p = r->blob;
	r->contact_key = memcpy(p, key, lk), p += lk;
	r->contact = memcpy(p, contact, lc), p += lc;
	r->impus = memcpy(p, impus, li), p += li;
	r->asserted = memcpy(p, asserted, la), p += la;
	r->service_route = memcpy(p, service_route, ls);
	snprintf(r->src_ip, sizeof r->src_ip, "%s", src_ip);
	r->src_port = src_port;
	r->tcp = tcp;
	r->expires = expires;

	slot = find_contact(t, key);
	*slot = r;
	struct pcscf_reg **a = &t->by_addr[hash_addr(src_ip, src_port, tcp) & (t->nbuckets - 1)];
	r->next_addr = *a;
	*a = r;
	t->count++;
	if (t->hooks.saved)
		t->hooks.saved(t->hooks.arg, r);
	return r;
}

bool pcscf_reg_remove(struct pcscf_regtab *t, const char *contact)
{
	char key[300];
	if (pcscf_contact_key(contact, key, sizeof key) < 0)
		return false;
	struct pcscf_reg **slot = find_contact(t, key);
	if (!*slot)
		return false;
	if (t->hooks.removed)
		t->hooks.removed(t->hooks.arg, *slot);
	drop(t, slot);
	return true;
}

struct pcscf_reg *pcscf_reg_by_addr(struct pcscf_regtab *t, const char *ip, uint16_t port,
				    bool tcp, time_t now)
{
	struct pcscf_reg *r = t->by_addr[hash_addr(ip, port, tcp) & (t->nbuckets - 1)];
	for (; r; r = r->next_addr)
		if (r->src_port == port && r->tcp == tcp && r->expires > now &&
		    strcmp(r->src_ip, ip) == 0)
			return r;
	return NULL;
}

struct pcscf_reg *pcscf_reg_by_contact(struct pcscf_regtab *t, const char *contact, time_t now)
{
	char key[300];
	if (pcscf_contact_key(contact, key, sizeof key) < 0)
		return NULL;
	struct pcscf_reg *r = *find_contact(t, key);
	return r && r->expires > now ? r : NULL;
}

unsigned pcscf_reg_expire(struct pcscf_regtab *t, time_t now)
{
	unsigned n = 0;
	for (unsigned i = 0; i < t->nbuckets; i++) {
		struct pcscf_reg **slot = &t->by_contact[i];
		while (*slot) {
			if ((*slot)->expires <= now) {
				drop(t, slot);
				n++;
			} else {
				slot = &(*slot)->next_contact;
			}
		}
	}
	return n;
}

bool pcscf_reg_has_impu(const struct pcscf_reg *reg, const char *impu)
{
	size_t n = strlen(impu);
	for (const char *s = reg->impus; (s = strcasestr(s, impu)) != NULL; s += n) {
		bool start = s == reg->impus || s[-1] == '<' || s[-1] == ' ' || s[-1] == ',';
		bool end = s[n] == '\0' || s[n] == '>' || s[n] == ',' || s[n] == ';' || s[n] == ' ';
		if (start && end)
			return true;
	}
	return false;
}
