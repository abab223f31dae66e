/*
 * hss_cache — the identity pairs (private identity, public identity) the
 * HSS read last, kept for a short time.
 *
 * One registration sends four Cx requests about the same pair within
 * milliseconds (UAR, MAR, UAR, SAR); each needs the pair's row from
 * MariaDB (hss_db_pair_get).  With the cache the first reads it and the
 * others find it here: two or three database round trips fewer per
 * registration, and a MAR for Digest MD5 that touches no database at all.
 *
 * What the cache never serves stale:
 *  - the HSS's own writes: hss_db_set_state() reports each implicit set it
 *    wrote (hss_cache_set_written); an entry of that set read before the
 *    write is not served again.  SQNs are not cached (hss_db_sqn_*).
 *  - changes made with scripts/imsctl: it asks the running HSS to flush
 *    (control command "flush") after every change.
 * A change made with plain SQL is seen once the entry is older than
 * [db] cache_ms (default 2000 ms), or at once after "imsctl flush".
 *
 * Thread-safe; a fixed table allocated by hss_cache_init, two slots per
 * hash value (a new pair takes the older of the two).
 */
#ifndef HSS_CACHE_H
#define HSS_CACHE_H

#include "hss_db.h"

#include <stdbool.h>
#include <stdint.h>

/* ttl_ms 0 turns the cache off.  Returns 0 or -1 (no memory: logged). */
int hss_cache_init(unsigned ttl_ms);
void hss_cache_fini(void);

/* True and the pair copied out when a fresh entry for exactly these two
 * identities is cached. */
bool hss_cache_get(const char *impi_id, const char *impu_id, struct hss_impi *impi,
		   struct hss_impu *impu);

/* Take a stamp before reading a pair from the database; give it to
 * hss_cache_put with what was read (an entry whose read may have crossed a
 * write is then not kept). */
uint64_t hss_cache_stamp(void);
void hss_cache_put(const char *impi_id, const char *impu_id, const struct hss_impi *impi,
		   const struct hss_impu *impu, uint64_t stamp);

/* After the database rows of implicit set `set` were (maybe) written. */
void hss_cache_set_written(uint64_t set);

/* Forget everything (the subscriber data was changed from outside). */
void hss_cache_flush(void);

/* The set (of two slots) a pair maps to; for tests. */
uint32_t hss_cache_set_of(const char *impi_id, const char *impu_id);

struct hss_cache_stats {
	uint64_t hits, misses;
};
void hss_cache_stats(struct hss_cache_stats *out);

#endif
