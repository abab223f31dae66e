/* scscf_ul — see scscf_ul.h. */
#include "scscf_ul.h"

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
	struct ul_index *buckets[UL_BUCKETS];
};

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
	if (ul)
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
	struct ul_index *e = malloc(sizeof *e);
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
				free(e);
			} else {
				p = &(*p)->next;
			}
		}
	}
}

/* ---- registrations ---- */

static void notify_reg(struct scscf_ul *ul, struct scscf_reg *reg)
{
	if (ul->has_hooks && ul->hooks.reg_saved)
		ul->hooks.reg_saved(ul->hooks.arg, reg);
}

struct scscf_reg *scscf_ul_add(struct scscf_ul *ul, const char *impu, const char *impi)
{
	if (strlen(impu) >= SCSCF_ID_MAX || strlen(impi) >= SCSCF_ID_MAX || index_get(ul, impu))
		return NULL;
	struct scscf_reg *reg = calloc(1, sizeof *reg);
	if (!reg)
		return NULL;
	memcpy(reg->impu, impu, strlen(impu) + 1);
	memcpy(reg->impi, impi, strlen(impi) + 1);
	memcpy(reg->assoc[0], impu, strlen(impu) + 1);
	reg->n_assoc = 1;
	if (index_add(ul, reg, reg->assoc[0]) < 0) {
		free(reg);
		return NULL;
	}
	reg->next = ul->regs;
	if (ul->regs)
		ul->regs->prev = reg;
	ul->regs = reg;
	ul->count++;
	notify_reg(ul, reg);
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
	char *slot = reg->assoc[reg->n_assoc];
	memcpy(slot, id, strlen(id) + 1);
	if (index_add(ul, reg, slot) < 0)
		return -ENOMEM;
	reg->n_assoc++;
	return 0;
}

int scscf_ul_set_profile(struct scscf_ul *ul, struct scscf_reg *reg, const char *const *ids, int n,
                         const char *user_data)
{
	int rc = 0;

	if (user_data) {
		char *copy = strdup(user_data);
		if (!copy)
			return -ENOMEM;
		free(reg->user_data);
		reg->user_data = copy;
	}
	index_drop(ul, reg);
	reg->n_assoc = 1; /* assoc[0] is always impu */
	memcpy(reg->assoc[0], reg->impu, strlen(reg->impu) + 1);
	if (index_add(ul, reg, reg->assoc[0]) < 0)
		rc = -ENOMEM;
	for (int i = 0; i < n; i++) {
		int r = add_assoc(ul, reg, ids[i]);
		if (r < 0 && rc == 0)
			rc = r;
	}
	notify_reg(ul, reg);
	return rc;
}

static void contacts_free(struct scscf_reg *reg)
{
	while (reg->contacts) {
		struct scscf_contact *c = reg->contacts;
		reg->contacts = c->next;
		free(c);
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
	contacts_free(reg);
	free(reg->user_data);
	free(reg);
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
	free(ul);
}

/* ---- contacts ---- */

struct scscf_contact *scscf_ul_contact_match(struct scscf_reg *reg, const struct scscf_contact *c)
{
	for (struct scscf_contact *x = reg->contacts; x; x = x->next) {
		if (c->instance[0]) {
			if (strcmp(x->instance, c->instance) == 0 && x->reg_id == c->reg_id)
				return x;
		} else if (!x->instance[0] && strcmp(x->uri, c->uri) == 0) {
			return x;
		}
	}
	return NULL;
}

struct scscf_contact *scscf_ul_contact_save(struct scscf_ul *ul, struct scscf_reg *reg,
                                            const struct scscf_contact *c, int *err)
{
	struct scscf_contact *x = scscf_ul_contact_match(reg, c);

	if (!x) {
		if (reg->n_contacts >= ul->max_contacts) {
			*err = -ENOSPC;
			return NULL;
		}
		x = malloc(sizeof *x);
		if (!x) {
			*err = -ENOMEM;
			return NULL;
		}
		*x = *c;
		x->next = reg->contacts;
		reg->contacts = x;
		reg->n_contacts++;
	} else {
		struct scscf_contact *next = x->next;
		if (strcmp(x->uri, c->uri) != 0 && ul->has_hooks && ul->hooks.contact_removed)
			ul->hooks.contact_removed(ul->hooks.arg, reg, x); /* instance moved */
		*x = *c;
		x->next = next;
	}
	if (ul->has_hooks && ul->hooks.contact_saved)
		ul->hooks.contact_saved(ul->hooks.arg, reg, x);
	*err = 0;
	return x;
}

void scscf_ul_contact_remove(struct scscf_ul *ul, struct scscf_reg *reg, struct scscf_contact *c)
{
	for (struct scscf_contact **p = &reg->contacts; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			reg->n_contacts--;
			if (ul->has_hooks && ul->hooks.contact_removed)
				ul->hooks.contact_removed(ul->hooks.arg, reg, c);
			free(c);
			return;
		}
	}
}

int scscf_ul_expire(struct scscf_ul *ul, int64_t now,
                    void (*gone)(void *arg, const struct scscf_reg *reg), void *arg)
{
	int removed = 0;
	struct scscf_reg *reg = ul->regs;

	while (reg) {
		struct scscf_reg *next = reg->next;
		struct scscf_contact *c = reg->contacts;
		int before = reg->n_contacts;
		while (c) {
			struct scscf_contact *cn = c->next;
			if (c->expires <= now) {
				scscf_ul_contact_remove(ul, reg, c);
				removed++;
			}
			c = cn;
		}
		if (before > 0 && reg->n_contacts == 0) {
			if (gone)
				gone(arg, reg);
			scscf_ul_remove(ul, reg);
		}
		reg = next;
	}
	return removed;
}
