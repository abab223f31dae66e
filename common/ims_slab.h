/*
 * ims_slab — a small-object allocator for long-lived entries (registrations)
 * that keeps them on pages of their own.
 *
 * Why: a registration lives for an hour; the transactions that created it
 * live for 32 seconds.  From malloc both share pages, so when the
 * transactions are freed the pages stay resident for the few registrations
 * on each (measured: ~4 KiB of RSS per registered subscriber in the P-CSCF
 * for ~340 bytes of data, docs/performance.md).  Here entries come from
 * 64 KiB blocks mapped for them alone, in 32-byte size classes with a free
 * list per class; sizes above IMS_SLAB_MAX go to malloc.
 *
 * Not thread-safe: one slab per owner thread (the SIP loop).
 */
#ifndef IMS_SLAB_H
#define IMS_SLAB_H

#include <stddef.h>

#define IMS_SLAB_MAX 2048

struct ims_slab;

struct ims_slab *ims_slab_new(void);
/* Frees every block, and with them every entry still allocated. */
void ims_slab_destroy(struct ims_slab *s);

/* size bytes (NULL when out of memory); free with the same size. */
void *ims_slab_alloc(struct ims_slab *s, size_t size);
void ims_slab_free(struct ims_slab *s, void *p, size_t size);

/* Bytes mapped for blocks (statistics, tests). */
size_t ims_slab_mapped(const struct ims_slab *s);

#endif
