/* ims_slab — see ims_slab.h. */
#include "ims_slab.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define CLASS_BYTES 32
#define NCLASSES (IMS_SLAB_MAX / CLASS_BYTES)
#define BLOCK_BYTES (64 * 1024)

struct free_obj {
	struct free_obj *next;
};

struct block {
	struct block *next;
};

struct ims_slab {
	struct free_obj *free[NCLASSES];
	struct block *blocks;
	char *cursor, *end; /* unused tail of the newest block */
	size_t mapped;
};

static size_t class_of(size_t size)
{
	return (size + CLASS_BYTES - 1) / CLASS_BYTES - 1;
}

struct ims_slab *ims_slab_new(void)
{
	return calloc(1, sizeof(struct ims_slab));
}

void ims_slab_destroy(struct ims_slab *s)
{
	if (!s)
		return;
	while (s->blocks) {
		struct block *b = s->blocks;
		s->blocks = b->next;
		munmap(b, BLOCK_BYTES);
	}
	free(s);
}

static int new_block(struct ims_slab *s)
{
	struct block *b =
		mmap(NULL, BLOCK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -1;
	b->next = s->blocks;
	s->blocks = b;
	/* objects start after the header, aligned to the class size */
	s->cursor = (char *)b + CLASS_BYTES;
	s->end = (char *)b + BLOCK_BYTES;
	s->mapped += BLOCK_BYTES;
	return 0;
}

void *ims_slab_alloc(struct ims_slab *s, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > IMS_SLAB_MAX)
		return malloc(size);
	size_t c = class_of(size);
	if (s->free[c]) {
		struct free_obj *o = s->free[c];
		s->free[c] = o->next;
		return o;
	}
	size_t bytes = (c + 1) * CLASS_BYTES;
	if ((size_t)(s->end - s->cursor) < bytes) {
		/* the tail of the old block feeds the smaller classes' free lists */
		while (s->cursor && (size_t)(s->end - s->cursor) >= CLASS_BYTES) {
			size_t t = class_of((size_t)(s->end - s->cursor));
			if (t >= NCLASSES)
				t = NCLASSES - 1;
			struct free_obj *o = (struct free_obj *)s->cursor;
			o->next = s->free[t];
			s->free[t] = o;
			s->cursor += (t + 1) * CLASS_BYTES;
		}
		if (new_block(s) < 0)
			return NULL;
	}
	void *p = s->cursor;
	s->cursor += bytes;
	return p;
}

void ims_slab_free(struct ims_slab *s, void *p, size_t size)
{
	if (!p)
		return;
	if (size == 0)
		size = 1;
	if (size > IMS_SLAB_MAX) {
		free(p);
		return;
	}
	size_t c = class_of(size);
	struct free_obj *o = p;
	o->next = s->free[c];
	s->free[c] = o;
}

size_t ims_slab_mapped(const struct ims_slab *s)
{
	return s->mapped;
}
