/*
 * pcscf_store — the registration table (pcscf_reg.h) in a local state file,
 * so that a P-CSCF restarted (SIGTERM or kill -9) still knows the UEs
 * registered before, as OpenIMSCore's P-CSCF did with its persistency
 * files.  No database: a P-CSCF sits at the edge and needs none.
 *
 * The file ([pcscf] state_file) is a snapshot followed by a journal:
 *
 *   header   32 bytes: "PCSCFREG", u32 version (1), u32 header size (32),
 *            u64 records of the snapshot, u32 0, u32 CRC-32 of bytes 0..27
 *   records  the snapshot (one save per entry), then the changes since
 *            (save, remove), appended in the order they were made
 *
 * A record, little-endian:
 *
 *   0  u32 length of the whole record     12  i64 expires (Unix time)
 *   4  u32 CRC-32 of bytes 8..length-1    20  u8  length of src_ip, u8 0
 *   8  u8  type: 1 save, 2 remove         22  u16 length of contact
 *   9  u8  flags: 1 = TCP                 24  u16 length of impus
 *   10 u16 src_port                       26  u16 length of service_route
 *   28 src_ip, contact, impus, service_route (no terminating NULs)
 *
 * i.e. every field of struct pcscf_reg that pcscf_reg_save() takes; the
 * others (contact_key, asserted) are derived again when the record is
 * replayed.  A remove carries the contact only.
 *
 * Loading replays every record in order into the table and then drops what
 * has expired.  A record whose length or checksum is wrong is skipped with
 * a warning naming file:offset, and reading goes on at the next valid
 * record; an incomplete last record (a write cut short) is ignored.  A
 * corrupt or unreadable file never stops the P-CSCF.
 *
 * Writing: the SIP loop only copies each change into a queue (one record,
 * one memcpy per string, under a mutex held for that long); a writer thread
 * appends the queue with write() (no fsync per record: fdatasync at most
 * once a second and when stopping).  After a write the writer looks at the
 * queue again by itself for LINGER_MS (10 ms), so that under load the loop
 * makes no system call to wake it; an idle writer is signalled.  When the journal holds more than
 * 2 x the live entries + PCSCF_STORE_SLACK records, the writer compacts:
 * it reads the file into a table of its own, writes a fresh snapshot to
 * FILE.tmp, fsyncs it and renames it over FILE, and appends to that.  At
 * open the same is done with the loop's table before it serves.
 *
 * What is lost: kill -9 loses nothing that the writer had written (the
 * page cache survives the process), only what was still queued: at most
 * the changes of the last 10 ms; a machine crash loses at most the last
 * second of changes.
 */
#ifndef PCSCF_STORE_H
#define PCSCF_STORE_H

#include <stdint.h>
#include <time.h>

#include "pcscf_reg.h"

#define PCSCF_STORE_HEADER 32
#define PCSCF_STORE_RECORD_HEAD 28
#define PCSCF_STORE_SLACK 10000 /* journal records allowed beyond 2 x live */

struct pcscf_store;

/* Load path into t (pcscf_store_load()), write a fresh snapshot of t and
 * start the writer thread; from then on every save and remove in t is
 * appended (t's hooks).  Call before the loop serves, on its thread.
 * Returns the store, or NULL when the file cannot be written, or exists
 * but cannot be read (logged: t then stays in memory only, with what was
 * read).  A missing file is an empty table. */
struct pcscf_store *pcscf_store_open(const char *path, struct pcscf_regtab *t, time_t now);

/* Write what is queued, fdatasync, stop the writer, unhook the table.
 * NULL is a no-op. */
void pcscf_store_close(struct pcscf_store *s);

/* Wait until everything queued is written (tests).  0, or -1 on timeout. */
int pcscf_store_flush(struct pcscf_store *s, int timeout_ms);

/* Compact when the journal exceeds 2 x live + slack records (tests). */
void pcscf_store_set_slack(struct pcscf_store *s, unsigned slack);

struct pcscf_store_stats {
	uint64_t records;      /* in the file: snapshot and journal */
	uint64_t snapshot;     /* of which the snapshot */
	unsigned compactions;  /* by the writer since open */
	uint64_t lost;         /* changes not written (queue full, write error) */
};
void pcscf_store_get_stats(struct pcscf_store *s, struct pcscf_store_stats *st);

/* What pcscf_store_load() found. */
struct pcscf_store_result {
	unsigned records; /* valid records replayed */
	unsigned bad;     /* corrupt stretches skipped (each logged) */
	unsigned torn;    /* 1: the last record was incomplete (ignored) */
	unsigned refused; /* saves the table refused (full, bad contact) */
	unsigned expired; /* entries dropped as expired at now */
	unsigned live;    /* entries in t afterwards */
};

/* Replay the file path into t (whose hooks should be unset) and drop what
 * has expired at now.  0, also when path does not exist; -1 when it
 * exists but cannot be read (logged).  res may be NULL. */
int pcscf_store_load(const char *path, struct pcscf_regtab *t, time_t now,
		     struct pcscf_store_result *res);

/* Write t as a snapshot to path atomically (path.tmp, fsync, rename, fsync
 * of the folder).  0 with *records set, or -1 (logged; path untouched). */
int pcscf_store_snapshot(const char *path, struct pcscf_regtab *t, uint64_t *records);

#endif
