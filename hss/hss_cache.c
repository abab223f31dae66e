/* hss_cache — see hss_cache.h.
 *
 * Staleness is decided with one global counter (the clock) instead of by
 * finding entries: a reader takes the clock's value before its SELECT
 * (the entry's stamp); a writer, after its UPDATE, advances the clock and
 * records the new value for its implicit set (in one of SET_BUCKETS,
 * shared by sets that hash alike) or for everything (flush).  An entry
 * is served only if its stamp is at least the value recorded for its set
 * and for the flush: its SELECT then began after the write committed.  An
 * entry read while a write was under way counts as older, which is safe. */
#include "hss_cache.h"

#include "ims_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETS 2048       /* power of two */
#define WAYS 2          /* slots per set: a pair may be in either; ~2.7 KB each */
#define STRIPES 64      /* locks, set i under lock i % STRIPES */
#define SET_BUCKETS 1024

struct slot {
	uint64_t stamp; /* 0: empty */
	uint64_t born_ms;
	char impi_key[HSS_ID_MAX], impu_key[HSS_ID_MAX]; /* as asked */
	struct hss_impi impi;
	struct hss_impu impu;
};

static struct {
	struct slot *slots;
	pthread_mutex_t locks[STRIPES];
	unsigned ttl_ms;
	_Atomic uint64_t clock, flushed, set_written[SET_BUCKETS];
	_Atomic uint64_t hits, misses;
} c;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* FNV-1a over both identities, the NUL between them included. */
uint32_t hss_cache_set_of(const char *impi_id, const char *impu_id)
{
	uint32_t h = 2166136261u;
	for (const char *p = impi_id;; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (!*p)
			break;
	}
	for (const char *p = impu_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h & (SETS - 1);
}

/* The slot of set `set` that holds exactly this pair, or NULL. */
static struct slot *find(uint32_t set, const char *impi_id, const char *impu_id)
{
	for (int w = 0; w < WAYS; w++) {
		struct slot *s = &c.slots[set * WAYS + w];
		if (s->stamp && strcmp(s->impi_key, impi_id) == 0 &&
		    strcmp(s->impu_key, impu_id) == 0)
			return s;
	}
	return NULL;
}

/* Where a new pair goes in set `set`: an empty slot, else the oldest.
 * Two ways instead of one direct-mapped slot: a pair read for a
 * registration's first UAR is no longer pushed out by the one other pair
 * that hashes alike before its MAR and second UAR come (under load
 * hundreds of registrations are in flight across the table). */
static struct slot *victim(uint32_t set)
{
	struct slot *v = &c.slots[set * WAYS];
	for (int w = 1; w < WAYS && v->stamp; w++) {
		struct slot *s = &c.slots[set * WAYS + w];
		if (!s->stamp || s->born_ms < v->born_ms)
			v = s;
	}
	return v;
}

static bool cacheable(const char *impi_id, const char *impu_id)
{
	return c.slots && impi_id && impu_id && strlen(impi_id) < HSS_ID_MAX &&
	       strlen(impu_id) < HSS_ID_MAX;
}

/* Raise *a to at least v. */
static void raise_to(_Atomic uint64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load(a);
	while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

int hss_cache_init(unsigned ttl_ms)
{
	memset(&c, 0, sizeof c);
	atomic_store(&c.clock, 1);
	c.ttl_ms = ttl_ms;
	if (ttl_ms == 0) {
		IMS_INFO("cache: off ([db] cache_ms = 0)");
		return 0;
	}
	c.slots = calloc((size_t)SETS * WAYS, sizeof *c.slots);
	if (!c.slots) {
		IMS_ERR("cache: out of memory for %d slots", SETS * WAYS);
		return -1;
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c.locks[i], NULL);
	IMS_INFO("cache: identity pairs kept %u ms, %d slots (%d-way)", ttl_ms, SETS * WAYS, WAYS);
	return 0;
}

void hss_cache_fini(void)
{
	if (!c.slots)
		return;
	IMS_INFO("cache: %llu hits, %llu misses",
		 (unsigned long long)atomic_load(&c.hits),
		 (unsigned long long)atomic_load(&c.misses));
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c.locks[i]);
	free(c.slots);
	c.slots = NULL;
}

bool hss_cache_get(const char *impi_id, const char *impu_id, struct hss_impi *impi,
		   struct hss_impu *impu)
{
	bool hit = false;

	if (!cacheable(impi_id, impu_id))
		return false;
	uint32_t i = hss_cache_set_of(impi_id, impu_id);
	pthread_mutex_lock(&c.locks[i % STRIPES]);
	struct slot *s = find(i, impi_id, impu_id);
	if (s && now_ms() - s->born_ms < c.ttl_ms && s->stamp >= atomic_load(&c.flushed) &&
	    s->stamp >= atomic_load(&c.set_written[s->impu.implicit_set % SET_BUCKETS])) {
		*impi = s->impi;
		*impu = s->impu;
		hit = true;
	}
	pthread_mutex_unlock(&c.locks[i % STRIPES]);
	atomic_fetch_add_explicit(hit ? &c.hits : &c.misses, 1, memory_order_relaxed);
	return hit;
}

uint64_t hss_cache_stamp(void)
{
	return atomic_load(&c.clock);
}

void hss_cache_put(const char *impi_id, const char *impu_id, const struct hss_impi *impi,
		   const struct hss_impu *impu, uint64_t stamp)
{
	if (!cacheable(impi_id, impu_id))
		return;
	uint32_t i = hss_cache_set_of(impi_id, impu_id);
	pthread_mutex_lock(&c.locks[i % STRIPES]);
	struct slot *s = find(i, impi_id, impu_id);
	if (!s)
		s = victim(i);
	s->stamp = stamp;
	s->born_ms = now_ms();
	strcpy(s->impi_key, impi_id); /* lengths checked by cacheable() */
	strcpy(s->impu_key, impu_id);
	s->impi = *impi;
	s->impu = *impu;
	pthread_mutex_unlock(&c.locks[i % STRIPES]);
}

void hss_cache_set_written(uint64_t set)
{
	raise_to(&c.set_written[set % SET_BUCKETS], atomic_fetch_add(&c.clock, 1) + 1);
}

void hss_cache_flush(void)
{
	raise_to(&c.flushed, atomic_fetch_add(&c.clock, 1) + 1);
}

void hss_cache_stats(struct hss_cache_stats *out)
{
	out->hits = atomic_load(&c.hits);
	out->misses = atomic_load(&c.misses);
}
