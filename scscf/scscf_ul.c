/* scscf_ul — see scscf_ul.h. */
#include "scscf_ul.h"

#include "ims_slab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UL_BUCKETS 16384u

/* identity -> registration (one entry per identity of each implicit set) */
struct ul_index {
	struct ul_index *next;
	struct scscf_reg *reg;
	const char *key; /* points into reg->assoc[] */
};

struct scscf_ul {
	int max_contacts;
	size_t count;
	struct scscf_reg *regs;
	struct scscf_ul_hooks hooks;
	bool has_hooks;
	/* Every contact is filed under wheel[expires % SCSCF_UL_WHEEL], so
	 * scscf_ul_expire() (once a second on the SIP loop) visits the slots
	 * of the seconds since wheel_done and the contacts in them, not every
	 * registration: about N / SCSCF_UL_WHEEL contacts a second for N
	 * registered, each visited once per turn of the wheel until due. */
	struct scscf_contact *wheel[SCSCF_UL_WHEEL];
	int64_t wheel_done; /* the last second processed; 0: none yet */
	/* Everything a registration owns (entries, strings, contacts) comes
	 * from here, on pages of its own rather than malloc's, where it kept
	 * the pages of short-lived transactions resident (docs/performance.md). */
	struct ims_slab *slab;
	struct ul_index *buckets[UL_BUCKETS];
};

static char *ul_strdup(struct scscf_ul *ul, const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = ims_slab_alloc(ul->slab, n);
	return copy ? memcpy(copy, s, n) : NULL;
}

static void ul_strfree(struct scscf_ul *ul, char *s)
{
	if (s)
		ims_slab_free(ul->slab, s, strlen(s) + 1);
}

static unsigned hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % UL_BUCKETS;
}

struct scscf_ul *scscf_ul_new(int max_contacts)
{
	struct scscf_ul *ul = calloc(1, sizeof *ul);
	if (!ul)
		return NULL;
	ul->slab = ims_slab_new();
	if (!ul->slab) {
		free(ul);
		return NULL;
	}
	ul->max_contacts = max_contacts > 0 ? max_contacts : 1;
	return ul;
}

void scscf_ul_set_hooks(struct scscf_ul *ul, const struct scscf_ul_hooks *hooks)
{
	ul->has_hooks = hooks != NULL;
	if (hooks)
		ul->hooks = *hooks;
}

size_t scscf_ul_count(const struct scscf_ul *ul)
{
	return ul->count;
}
struct scscf_reg *scscf_ul_first(struct scscf_ul *ul)
{
	return ul->regs;
}

/* ---- index ---- */

static struct ul_index *index_get(struct scscf_ul *ul, const char *identity)
{
	for (struct ul_index *e = ul->buckets[hash(identity)]; e; e = e->next)
		if (strcmp(e->key, identity) == 0)
			return e;
	return NULL;
}

struct scscf_reg *scscf_ul_find(struct scscf_ul *ul, const char *identity)
{
	struct ul_index *e = identity ? index_get(ul, identity) : NULL;
	return e ? e->reg : NULL;
}

static int index_add(struct scscf_ul *ul, struct scscf_reg *reg, const char *key)
{
	struct ul_index *e = ims_slab_alloc(ul->slab, sizeof *e);
	if (!e)
		return -ENOMEM;
	unsigned h = hash(key);
	e->reg = reg;
	e->key = key;
	e->next = ul->buckets[h];
	ul->buckets[h] = e;
	return 0;
}

static void index_drop(struct scscf_ul *ul, struct scscf_reg *reg)
{
	for (int i = 0; i < reg->n_assoc; i++) {
		struct ul_index **p = &ul->buckets[hash(reg->assoc[i])];
		while (*p) {
			if ((*p)->reg == reg && (*p)->key == reg->assoc[i]) {
				struct ul_index *e = *p;
				*p = e->next;
				ims_slab_free(ul->slab, e, sizeof *e);
			} else {
				p = &(*p)->next;
			}
		}
	}
}

/* ---- registrations ---- */

/* FNV-1a, 64 bits, of what the registration row holds besides impu. */
static uint64_t fp_add(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211u;
	return (h ^ 0xff) * 1099511628211u; /* a separator no string has */
}

static uint64_t reg_fingerprint(const struct scscf_reg *reg)
{
	uint64_t h = fp_add(14695981039346656037u, reg->impi);

	for (int i = 0; i < reg->n_assoc; i++)
		h = fp_add(h, reg->assoc[i]);
	h = fp_add(h, reg->user_data ? "+" : "-");
	return fp_add(h, reg->user_data);
}

/* Tell reg_saved, unless it heard of this very content last time (a new
 * registration is always told). */
static void notify_reg(struct scscf_ul *ul, struct scscf_reg *reg, bool is_new)
{
	uint64_t fp = reg_fingerprint(reg);

	if (fp == reg->saved_fp && !is_new)
		return;
	reg->saved_fp = fp;
	if (ul->has_hooks && ul->hooks.reg_saved)
		ul->hooks.reg_saved(ul->hooks.arg, reg);
}

static struct scscf_reg *reg_new(struct scscf_ul *ul, const char *impu, const char *impi)
{
	if (strlen(impu) >= SCSCF_ID_MAX || strlen(impi) >= SCSCF_ID_MAX || index_get(ul, impu))
		return NULL;
	struct scscf_reg *reg = ims_slab_alloc(ul->slab, sizeof *reg);
	if (!reg)
		return NULL;
	memset(reg, 0, sizeof *reg);
	reg->impu = ul_strdup(ul, impu);
	reg->impi = ul_strdup(ul, impi);
	reg->assoc[0] = ul_strdup(ul, impu);
	if (!reg->impu || !reg->impi || !reg->assoc[0] || index_add(ul, reg, reg->assoc[0]) < 0) {
		ul_strfree(ul, reg->impu);
		ul_strfree(ul, reg->impi);
		ul_strfree(ul, reg->assoc[0]);
		ims_slab_free(ul->slab, reg, sizeof *reg);
		return NULL;
	}
	reg->n_assoc = 1;
	reg->next = ul->regs;
	if (ul->regs)
		ul->regs->prev = reg;
	ul->regs = reg;
	ul->count++;
	return reg;
}

struct scscf_reg *scscf_ul_add(struct scscf_ul *ul, const char *impu, const char *impi)
{
	struct scscf_reg *reg = reg_new(ul, impu, impi);

	if (reg)
		notify_reg(ul, reg, true);
	return reg;
}

static int add_assoc(struct scscf_ul *ul, struct scscf_reg *reg, const char *id)
{
	for (int i = 0; i < reg->n_assoc; i++)
		if (strcmp(reg->assoc[i], id) == 0)
			return 0;
	if (reg->n_assoc >= SCSCF_ASSOC_MAX || strlen(id) >= SCSCF_ID_MAX)
		return -ENOSPC;
	if (index_get(ul, id))
		return -EEXIST;
	char *copy = ul_strdup(ul, id);
	if (!copy || index_add(ul, reg, copy) < 0) {
		ul_strfree(ul, copy);
		return -ENOMEM;
	}
	reg->assoc[reg->n_assoc++] = copy;
	return 0;
}

/* Drop every identity of the set but impu (assoc[0]). */
static void assoc_reset(struct scscf_ul *ul, struct scscf_reg *reg)
{
	index_drop(ul, reg);
	for (int i = 1; i < reg->n_assoc; i++)
		ul_strfree(ul, reg->assoc[i]);
	reg->n_assoc = 1;
}

static int set_profile(struct scscf_ul *ul, struct scscf_reg *reg, const char *const *ids, int n,
                       const char *user_data)
{
	int rc = 0;

	if (user_data && !(reg->user_data && strcmp(reg->user_data, user_data) == 0)) {
		char *copy = ul_strdup(ul, user_data);
		if (!copy)
			return -ENOMEM;
		ul_strfree(ul, reg->user_data);
		reg->user_data = copy;
	}
	assoc_reset(ul, reg);
	if (index_add(ul, reg, reg->assoc[0]) < 0)
		rc = -ENOMEM;
	for (int i = 0; i < n; i++) {
		int r = add_assoc(ul, reg, ids[i]);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int scscf_ul_set_profile(struct scscf_ul *ul, struct scscf_reg *reg, const char *const *ids, int n,
                         const char *user_data)
{
	int rc = set_profile(ul, reg, ids, n, user_data);

	notify_reg(ul, reg, false);
	return rc;
}

struct scscf_reg *scscf_ul_add_profile(struct scscf_ul *ul, const char *impu, const char *impi,
                                       const char *const *ids, int n, const char *user_data)
{
	struct scscf_reg *reg = reg_new(ul, impu, impi);

	if (!reg)
		return NULL;
	set_profile(ul, reg, ids, n, user_data);
	notify_reg(ul, reg, true);
	return reg;
}

static size_t contact_size(const struct scscf_contact *c);

static void wheel_file(struct scscf_ul *ul, struct scscf_contact *c)
{
	struct scscf_contact **slot =
	    &ul->wheel[(uint64_t)(c->expires > 0 ? c->expires : 0) % SCSCF_UL_WHEEL];

	c->wnext = *slot;
	if (c->wnext)
		c->wnext->wprev = &c->wnext;
	c->wprev = slot;
	*slot = c;
}

static void wheel_unfile(struct scscf_contact *c)
{
	if (!c->wprev)
		return;
	*c->wprev = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	c->wnext = NULL;
	c->wprev = NULL;
}

static void contact_free(struct scscf_ul *ul, struct scscf_contact *c)
{
	wheel_unfile(c);
	ims_slab_free(ul->slab, c, contact_size(c));
}

static void contacts_free(struct scscf_ul *ul, struct scscf_reg *reg)
{
	while (reg->contacts) {
		struct scscf_contact *c = reg->contacts;
		reg->contacts = c->next;
		contact_free(ul, c);
	}
	reg->n_contacts = 0;
}

static void reg_free(struct scscf_ul *ul, struct scscf_reg *reg)
{
	index_drop(ul, reg);
	if (reg->prev)
		reg->prev->next = reg->next;
	else
		ul->regs = reg->next;
	if (reg->next)
		reg->next->prev = reg->prev;
	ul->count--;
	contacts_free(ul, reg);
	for (int i = 0; i < reg->n_assoc; i++)
		ul_strfree(ul, reg->assoc[i]);
	ul_strfree(ul, reg->impu);
	ul_strfree(ul, reg->impi);
	ul_strfree(ul, reg->user_data);
	ims_slab_free(ul->slab, reg, sizeof *reg);
}

void scscf_ul_remove(struct scscf_ul *ul, struct scscf_reg *reg)
{
	if (ul->has_hooks && ul->hooks.reg_removed)
		ul->hooks.reg_removed(ul->hooks.arg, reg);
	reg_free(ul, reg);
}

void scscf_ul_destroy(struct scscf_ul *ul)
{
	if (!ul)
		return;
	while (ul->regs)
		reg_free(ul, ul->regs);
	ims_slab_destroy(ul->slab);
	free(ul);
}

/* ---- contacts ---- */

struct scscf_contact *scscf_ul_contact_match(struct scscf_reg *reg, const struct scscf_binding *b)
{
	for (struct scscf_contact *x = reg->contacts; x; x = x->next) {
		if (b->instance[0]) {
			if (strcmp(x->instance, b->instance) == 0 && x->reg_id == b->reg_id)
				return x;
		} else if (!x->instance[0] && strcmp(x->uri, b->uri) == 0) {
			return x;
		}
	}
	return NULL;
}

/* Copy s to *p and make field point to it. */
static void put(char **p, const char **field, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(*p, s, n);
	*field = *p;
	*p += n;
}

size_t scscf_ul_contact_text(const struct scscf_contact *c)
{
	return strlen(c->uri) + strlen(c->params) + strlen(c->path) + strlen(c->received) +
	       strlen(c->call_id) + strlen(c->instance) + 6;
}

/* One allocation: the struct, then its six strings. */
static size_t contact_size(const struct scscf_contact *c)
{
	return sizeof(struct scscf_contact) + scscf_ul_contact_text(c);
}

void scscf_ul_contact_copy(const struct scscf_contact *c, struct scscf_contact *out, char *text)
{
	*out = (struct scscf_contact){.cseq = c->cseq, .reg_id = c->reg_id, .expires = c->expires};
	put(&text, &out->uri, c->uri);
	put(&text, &out->params, c->params);
	put(&text, &out->path, c->path);
	put(&text, &out->received, c->received);
	put(&text, &out->call_id, c->call_id);
	put(&text, &out->instance, c->instance);
}

static struct scscf_contact *contact_new(struct scscf_ul *ul, const struct scscf_binding *b)
{
	size_t len = sizeof(struct scscf_contact) + strlen(b->uri) + strlen(b->params) +
	             strlen(b->path) + strlen(b->received) + strlen(b->call_id) +
	             strlen(b->instance) + 6;
	struct scscf_contact *c = ims_slab_alloc(ul->slab, len);
	if (!c)
		return NULL;
	char *p = (char *)(c + 1);
	c->next = NULL;
	c->wnext = NULL;
	c->wprev = NULL;
	c->reg = NULL;
	put(&p, &c->uri, b->uri);
	put(&p, &c->params, b->params);
	put(&p, &c->path, b->path);
	put(&p, &c->received, b->received);
	put(&p, &c->call_id, b->call_id);
	put(&p, &c->instance, b->instance);
	c->cseq = b->cseq;
	c->reg_id = b->reg_id;
	c->expires = b->expires;
	return c;
}

struct scscf_contact *scscf_ul_contact_save(struct scscf_ul *ul, struct scscf_reg *reg,
                                            const struct scscf_binding *b, int *err)
{
	struct scscf_contact *old = scscf_ul_contact_match(reg, b);
	struct scscf_contact **slot = &reg->contacts;

	while (old && *slot != old)
		slot = &(*slot)->next;
	if (!old && reg->n_contacts >= ul->max_contacts) {
		*err = -ENOSPC;
		return NULL;
	}
	struct scscf_contact *c = contact_new(ul, b);
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->reg = reg;
	wheel_file(ul, c);
	if (old) {
		c->next = old->next;
		*slot = c;
		if (strcmp(old->uri, c->uri) != 0 && ul->has_hooks && ul->hooks.contact_removed)
			ul->hooks.contact_removed(ul->hooks.arg, reg, old); /* instance moved */
		contact_free(ul, old);
	} else {
		c->next = reg->contacts;
		reg->contacts = c;
		reg->n_contacts++;
	}
	if (ul->has_hooks && ul->hooks.contact_saved)
		ul->hooks.contact_saved(ul->hooks.arg, reg, c);
	*err = 0;
	return c;
}

void scscf_ul_contact_remove(struct scscf_ul *ul, struct scscf_reg *reg, struct scscf_contact *c)
{
	for (struct scscf_contact **p = &reg->contacts; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			reg->n_contacts--;
			if (ul->has_hooks && ul->hooks.contact_removed)
				ul->hooks.contact_removed(ul->hooks.arg, reg, c);
			contact_free(ul, c);
			return;
		}
	}
}

/* Take the due contacts of one slot out of the wheel, onto *due (linked
 * by wnext; still in their registrations). */
static void wheel_take_due(struct scscf_ul *ul, unsigned slot, int64_t now,
                           struct scscf_contact **due)
{
	struct scscf_contact *c = ul->wheel[slot];

	while (c) {
		struct scscf_contact *next = c->wnext;
		if (c->expires <= now) {
			wheel_unfile(c);
			c->wnext = *due;
			*due = c;
		}
		c = next;
	}
}

int scscf_ul_expire(struct scscf_ul *ul, int64_t now,
                    void (*gone)(void *arg, const struct scscf_reg *reg), void *arg)
{
	struct scscf_contact *due = NULL;
	int removed = 0;

	if (now <= ul->wheel_done) {
		if (now < ul->wheel_done)
			ul->wheel_done = now; /* the clock went back */
		return 0;
	}
	/* the seconds since the last call; every slot once when that is a
	 * whole turn or more (the first call, a clock jump) */
	int64_t from = ul->wheel_done && now - ul->wheel_done < SCSCF_UL_WHEEL
	                   ? ul->wheel_done + 1
	                   : now - SCSCF_UL_WHEEL + 1;
	for (int64_t t = from; t <= now; t++)
		wheel_take_due(ul, (unsigned)((uint64_t)(t > 0 ? t : 0) % SCSCF_UL_WHEEL), now, &due);
	ul->wheel_done = now;

	while (due) {
		struct scscf_contact *c = due;
		struct scscf_reg *reg = c->reg;
		due = c->wnext;
		c->wnext = NULL;
		scscf_ul_contact_remove(ul, reg, c);
		removed++;
		/* its last contact gone: the registration goes (its other due
		 * contacts, if any, came before this one on the list) */
		if (reg->n_contacts == 0) {
			if (gone)
				gone(arg, reg);
			scscf_ul_remove(ul, reg);
		}
	}
	return removed;
}
