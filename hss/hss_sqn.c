/* hss_sqn — see hss_sqn.h.
 *
 * One slot per private identity row id (modulo SLOTS; ids are the
 * database's auto-increment keys, so up to SLOTS identities never share a
 * slot).  A slot holds what is left of the identity's block: the next SQN
 * and how many follow.  The database call is made without a lock; two MARs
 * of one identity that both find no block reserve two (disjoint) blocks,
 * and the slot keeps the one that is further ahead, so that what is handed
 * out later is never below what was handed out before. */
#include "hss_sqn.h"

#include "hss_db.h"
#include "ims_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 17) /* 24 bytes each: 3 MiB, touched as used */
#define STRIPES 64

struct slot {
	uint64_t impi_id; /* 0: empty (row ids start at 1) */
	uint64_t next;    /* the next SQN to hand out */
	uint32_t left;    /* SQNs left from next on */
	uint32_t gen;     /* valid while equal to the table's generation */
};

static struct {
	struct slot *slots;
	pthread_mutex_t locks[STRIPES];
	unsigned block;
	_Atomic uint32_t gen;
	_Atomic uint64_t from_block, reserved;
} t;

static struct slot *slot_of(uint64_t impi_id, pthread_mutex_t **lock)
{
	uint32_t i = (uint32_t)(impi_id & (SLOTS - 1));
	*lock = &t.locks[i % STRIPES];
	return &t.slots[i];
}

/* a is ahead of b in 48-bit serial number arithmetic */
static bool ahead(uint64_t a, uint64_t b)
{
	uint64_t d = (a - b) & HSS_SQN_MASK;
	return d != 0 && d < (HSS_SQN_MASK >> 1);
}

int hss_sqn_init(unsigned block)
{
	memset(&t, 0, sizeof t);
	t.block = block ? block : 1;
	atomic_store(&t.gen, 1);
	if (t.block == 1) {
		IMS_INFO("sqn: reserved one MAR at a time ([hss] sqn_block = 1)");
		return 0;
	}
	t.slots = calloc(SLOTS, sizeof *t.slots);
	if (!t.slots) {
		IMS_ERR("sqn: out of memory for %u slots", SLOTS);
		return -1;
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&t.locks[i], NULL);
	IMS_INFO("sqn: reserved in blocks of %u", t.block);
	return 0;
}

void hss_sqn_fini(void)
{
	if (!t.slots)
		return;
	IMS_INFO("sqn: %llu MARs served from a block, %llu blocks reserved",
		 (unsigned long long)atomic_load(&t.from_block),
		 (unsigned long long)atomic_load(&t.reserved));
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&t.locks[i]);
	free(t.slots);
	t.slots = NULL;
}

/* n SQNs from the identity's block, if it has that many left. */
static bool take_cached(uint64_t impi_id, unsigned n, uint64_t *first)
{
	pthread_mutex_t *lock;
	struct slot *s = slot_of(impi_id, &lock);
	bool ok = false;

	pthread_mutex_lock(lock);
	if (s->impi_id == impi_id && s->gen == atomic_load(&t.gen) && s->left >= n) {
		*first = s->next;
		s->next = (s->next + n) & HSS_SQN_MASK;
		s->left -= n;
		ok = true;
	}
	pthread_mutex_unlock(lock);
	return ok;
}

/* Keep the rest of a block: left SQNs from next on, reserved while the
 * table's generation was gen.  Unless forced, a block of the same identity
 * that is further ahead stays. */
static void keep(uint64_t impi_id, uint64_t next, uint32_t left, uint32_t gen, bool force)
{
	pthread_mutex_t *lock;
	struct slot *s = slot_of(impi_id, &lock);

	pthread_mutex_lock(lock);
	if (gen == atomic_load(&t.gen) &&
	    (force || s->impi_id != impi_id || s->gen != gen || ahead(next, s->next))) {
		s->impi_id = impi_id;
		s->next = next;
		s->left = left;
		s->gen = gen;
	}
	pthread_mutex_unlock(lock);
}

/* n SQNs from a block of size (>= n) whose last number is last. */
static void hand_out(uint64_t impi_id, unsigned n, unsigned size, uint64_t last, uint32_t gen,
		     bool force, uint64_t *first)
{
	*first = (last - (size - 1)) & HSS_SQN_MASK;
	atomic_fetch_add_explicit(&t.reserved, 1, memory_order_relaxed);
	if (t.slots && (size > n || force)) /* a resync drops the old block even if none is left */
		keep(impi_id, (*first + n) & HSS_SQN_MASK, size - n, gen, force);
}

int hss_sqn_take(uint64_t impi_id, unsigned n, uint64_t *first)
{
	unsigned size = n > t.block ? n : t.block;
	uint32_t gen = atomic_load(&t.gen);
	uint64_t last = 0;
	int rc;

	if (t.slots && take_cached(impi_id, n, first)) {
		atomic_fetch_add_explicit(&t.from_block, 1, memory_order_relaxed);
		return HSS_DB_OK;
	}
	rc = hss_db_sqn_reserve(impi_id, size, &last);
	if (rc == HSS_DB_OK)
		hand_out(impi_id, n, size, last, gen, false, first);
	return rc;
}

int hss_sqn_resync(uint64_t impi_id, uint64_t sqn_ms, unsigned n, uint64_t *first)
{
	unsigned size = n > t.block ? n : t.block;
	uint32_t gen = atomic_load(&t.gen);
	uint64_t last = 0;
	int rc = hss_db_sqn_resync(impi_id, sqn_ms, size, &last);

	if (rc == HSS_DB_OK)
		hand_out(impi_id, n, size, last, gen, true, first);
	return rc;
}

void hss_sqn_flush(void)
{
	atomic_fetch_add(&t.gen, 1);
}

void hss_sqn_stats(struct hss_sqn_stats *out)
{
	out->from_block = atomic_load(&t.from_block);
	out->reserved = atomic_load(&t.reserved);
}
