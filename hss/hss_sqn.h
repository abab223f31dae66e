/*
 * hss_sqn — AKA sequence numbers (TS 33.102 6.3.2, Annex C) handed out from
 * blocks reserved in MariaDB.
 *
 * Every AKA vector needs a fresh SQN, and two vectors of one private
 * identity must never share one.  Reserving SQNs one MAR at a time costs a
 * database write (an atomic UPDATE) per authentication.  Instead the HSS
 * reserves a block of [hss] sqn_block numbers with that one UPDATE and
 * hands them out from memory, in increasing order, until the block is used
 * up; then the next MAR reserves the next block.  An AuC generating
 * vectors in batches does the same.
 *
 * Why this is safe:
 *  - blocks come from the database's atomic UPDATE, so two blocks never
 *    overlap, also across HSS restarts or several HSSes on one database;
 *  - numbers of a block that are never handed out (the HSS stops, the
 *    block is pushed out of memory, a flush) are skipped, and a USIM
 *    accepts any SQN above the last it saw (Annex C's limit on how far
 *    ahead, if used, is 2^28, far above one block);
 *  - impi.sqn in the database is the end of the last block reserved, so
 *    it is at least every SQN handed out, and a restarted HSS goes on
 *    above it;
 *  - a resynchronisation (AUTS) drops the identity's block and reserves a
 *    new one from SQN_MS; "imsctl set --sqn" flushes every block.  An SQN
 *    lowered with plain SQL while the HSS runs is used once the identity's
 *    block is used up (until then the UE gets numbers above the new value,
 *    which it accepts).
 * sqn_block = 1 reserves per MAR, one statement each, as without blocks.
 *
 * Thread-safe; a fixed table indexed by the private identity's row id.
 */
#ifndef HSS_SQN_H
#define HSS_SQN_H

#include <stdint.h>

#define HSS_SQN_MASK 0xffffffffffffULL /* SQNs are 48 bits */

/* block: SQNs reserved per database write (1 = one write per MAR).
 * Returns 0 or -1 (no memory: logged). */
int hss_sqn_init(unsigned block);
void hss_sqn_fini(void);

/* n fresh consecutive SQNs for private identity impi_id: *first, first + 1,
 * ... (mod 2^48).  Returns an HSS_DB_* code. */
int hss_sqn_take(uint64_t impi_id, unsigned n, uint64_t *first);

/* After a resynchronisation to sqn_ms: n SQNs from sqn_ms + 1 (the old
 * block is dropped).  Returns an HSS_DB_* code. */
int hss_sqn_resync(uint64_t impi_id, uint64_t sqn_ms, unsigned n, uint64_t *first);

/* Drop every block (the subscriber data was changed from outside). */
void hss_sqn_flush(void);

struct hss_sqn_stats {
	uint64_t from_block; /* MARs served from a block in memory */
	uint64_t reserved;   /* blocks reserved (database writes) */
};
void hss_sqn_stats(struct hss_sqn_stats *out);

#endif
