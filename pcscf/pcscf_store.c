/* pcscf_store — see pcscf_store.h. */
#include "pcscf_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ims_cfg.h"
#include "ims_log.h"

#define HEADER PCSCF_STORE_HEADER
#define HEAD PCSCF_STORE_RECORD_HEAD
#define VERSION 1
#define T_SAVE 1
#define T_REMOVE 2
#define F_TCP 1
#define IP_MAX 45    /* struct pcscf_reg's src_ip[46] */
#define STR_MAX 4096 /* contact, impus, service_route (the loop keeps < 1024) */
#define RECORD_MAX (HEAD + IP_MAX + 3 * STR_MAX)
#define QUEUE_MIN ((size_t)64 * 1024)
#define QUEUE_MAX ((size_t)64 * 1024 * 1024) /* bytes waiting for the writer */
#define SNAP_BUF ((size_t)256 * 1024)
#define SYNC_MS 1000
#define LINGER_MS 10 /* after a write, the writer polls this long before it sleeps */

static const uint8_t MAGIC[8] = {'P', 'C', 'S', 'C', 'F', 'R', 'E', 'G'};

/* ---- CRC-32 (IEEE 802.3, as zlib's) and little-endian fields ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	pthread_once(&crc_once, crc_init);
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- records ---- */

/* Bytes the record of r takes (lengths of its strings into len), 0 when a
 * string is too long to be stored. */
static size_t record_size(int type, const struct pcscf_reg *r, size_t len[4])
{
	bool save = type == T_SAVE;
	len[0] = save ? strlen(r->src_ip) : 0;
	len[1] = strlen(r->contact);
	len[2] = save ? strlen(r->impus) : 0;
	len[3] = save ? strlen(r->service_route) : 0;
	if (len[0] > IP_MAX || len[1] > STR_MAX || len[2] > STR_MAX || len[3] > STR_MAX)
		return 0;
	return HEAD + len[0] + len[1] + len[2] + len[3];
}

/* The record of r at p (size bytes from record_size()); its CRC is set by
 * record_seal(), on the writer thread. */
static void record_encode(uint8_t *p, size_t size, int type, const struct pcscf_reg *r,
			  const size_t len[4])
{
	bool save = type == T_SAVE;
	put32(p, (uint32_t)size);
	put32(p + 4, 0);
	p[8] = (uint8_t)type;
	p[9] = save && r->tcp ? F_TCP : 0;
	put16(p + 10, save ? r->src_port : 0);
	put64(p + 12, save ? (uint64_t)(int64_t)r->expires : 0);
	p[20] = (uint8_t)len[0];
	p[21] = 0;
	put16(p + 22, (uint16_t)len[1]);
	put16(p + 24, (uint16_t)len[2]);
	put16(p + 26, (uint16_t)len[3]);
	p += HEAD;
	if (save)
		memcpy(p, r->src_ip, len[0]);
	memcpy(p + len[0], r->contact, len[1]);
	if (save) {
		memcpy(p + len[0] + len[1], r->impus, len[2]);
		memcpy(p + len[0] + len[1] + len[2], r->service_route, len[3]);
	}
}

static void record_seal(uint8_t *p)
{
	put32(p + 4, crc(p + 8, get32(p) - 8));
}

enum verdict { REC_OK, REC_SHORT, REC_BAD_HEAD, REC_BAD_CRC };

static const char *verdict_str(enum verdict v)
{
	switch (v) {
	case REC_SHORT:
		return "incomplete record";
	case REC_BAD_HEAD:
		return "corrupt record (length or type)";
	case REC_BAD_CRC:
		return "corrupt record (checksum)";
	default:
		return "record";
	}
}

/* Is there a valid record at p (avail bytes to the end of the file)? */
static enum verdict record_check(const uint8_t *p, size_t avail, size_t *size)
{
	if (avail < HEAD)
		return REC_SHORT;
	uint32_t n = get32(p);
	if (n < HEAD || n > RECORD_MAX || (p[8] != T_SAVE && p[8] != T_REMOVE) ||
	    (p[9] & ~F_TCP) || p[20] > IP_MAX || p[21] != 0 ||
	    n != (size_t)HEAD + p[20] + get16(p + 22) + get16(p + 24) + get16(p + 26))
		return REC_BAD_HEAD;
	if (n > avail)
		return REC_SHORT;
	if (get32(p + 4) != crc(p + 8, n - 8))
		return REC_BAD_CRC;
	*size = n;
	return REC_OK;
}

static void copy_str(char *out, const uint8_t **p, size_t n)
{
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
}

/* Replay the (valid) record at p into t. */
static void record_apply(const uint8_t *p, struct pcscf_regtab *t, time_t now,
			 struct pcscf_store_result *res)
{
	char ip[IP_MAX + 1], contact[STR_MAX + 1], impus[STR_MAX + 1], route[STR_MAX + 1];
	const uint8_t *s = p + HEAD;

	copy_str(ip, &s, p[20]);
	copy_str(contact, &s, get16(p + 22));
	copy_str(impus, &s, get16(p + 24));
	copy_str(route, &s, get16(p + 26));
	if (p[8] == T_REMOVE) {
		pcscf_reg_remove(t, contact);
		return;
	}
	uint16_t port = get16(p + 10);
	bool tcp = p[9] & F_TCP;
	time_t expires = (time_t)(int64_t)get64(p + 12);
	struct pcscf_reg *r = pcscf_reg_save(t, contact, ip, port, tcp, impus, route, expires);
	if (!r && pcscf_regtab_count(t) >= pcscf_regtab_max(t)) {
		/* the loop swept these without a record: make room as it did */
		res->expired += pcscf_reg_expire(t, now);
		r = pcscf_reg_save(t, contact, ip, port, tcp, impus, route, expires);
	}
	if (!r)
		res->refused++;
}

/* ---- loading ---- */

static void header_encode(uint8_t *p, uint64_t records)
{
	memset(p, 0, HEADER);
	memcpy(p, MAGIC, sizeof MAGIC);
	put32(p + 8, VERSION);
	put32(p + 12, HEADER);
	put64(p + 16, records);
	put32(p + 28, crc(p, 28));
}

/* Where the records start: HEADER, or size when there is nothing to read. */
static size_t header_check(const char *path, const uint8_t *p, size_t size)
{
	if (size == 0)
		return 0;
	if (size < HEADER) {
		IMS_WARN("%s:0: header cut short (%zu bytes); nothing read", path, size);
		return size;
	}
	bool magic = memcmp(p, MAGIC, sizeof MAGIC) == 0, sum = get32(p + 28) == crc(p, 28);
	if (magic && sum && get32(p + 8) == VERSION && get32(p + 12) == HEADER)
		return HEADER;
	if (magic && sum) {
		IMS_WARN("%s:0: format version %u, this P-CSCF reads %u: nothing read (the file "
			 "is rewritten)",
			 path, get32(p + 8), VERSION);
		return size;
	}
	IMS_WARN("%s:0: corrupt header; reading the records after it", path);
	return HEADER;
}

static void replay(const char *path, const uint8_t *p, size_t size, size_t off,
		   struct pcscf_regtab *t, time_t now, struct pcscf_store_result *res)
{
	while (off < size) {
		size_t n = 0;
		enum verdict v = record_check(p + off, size - off, &n);
		if (v == REC_OK) {
			record_apply(p + off, t, now, res);
			res->records++;
			off += n;
			continue;
		}
		/* on at the next valid record, if any */
		size_t next = off + 1;
		while (next < size && record_check(p + next, size - next, &n) != REC_OK)
			next++;
		if (next >= size && v == REC_SHORT) {
			res->torn = 1;
			IMS_WARN("%s:%zu: incomplete last record (%zu bytes) ignored: a write cut "
				 "short",
				 path, off, size - off);
			return;
		}
		res->bad++;
		if (next >= size) {
			IMS_WARN("%s:%zu: %s; the last %zu bytes ignored", path, off,
				 verdict_str(v), size - off);
			return;
		}
		IMS_WARN("%s:%zu: %s; %zu bytes skipped, reading on at offset %zu", path, off,
			 verdict_str(v), next - off, next);
		off = next;
	}
}

int pcscf_store_load(const char *path, struct pcscf_regtab *t, time_t now,
		     struct pcscf_store_result *out)
{
	struct pcscf_store_result res = {0};
	struct stat st;
	const uint8_t *p = NULL;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		IMS_WARN("state file %s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			IMS_WARN("state file %s: cannot stat: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		size_t size = (size_t)st.st_size;
		if (size > 0) {
			p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED) {
				IMS_WARN("state file %s: cannot map: %s", path, strerror(errno));
				close(fd);
				return -1;
			}
		}
		close(fd);
		replay(path, p, size, header_check(path, p, size), t, now, &res);
		if (p)
			munmap((void *)p, size);
	}
	res.expired += pcscf_reg_expire(t, now);
	res.live = pcscf_regtab_count(t);
	if (out)
		*out = res;
	return 0;
}

/* ---- snapshot ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct snap {
	int fd;
	uint8_t *buf;
	size_t len;
	uint64_t records;
};

static int snap_one(void *arg, const struct pcscf_reg *r)
{
	struct snap *w = arg;
	size_t len[4], n = record_size(T_SAVE, r, len);

	if (!n)
		return 0; /* cannot happen: the loop stores shorter strings */
	if (w->len + n > SNAP_BUF) {
		if (write_all(w->fd, w->buf, w->len) < 0)
			return -1;
		w->len = 0;
	}
	record_encode(w->buf + w->len, n, T_SAVE, r, len);
	record_seal(w->buf + w->len);
	w->len += n;
	w->records++;
	return 0;
}

static void sync_dir(const char *path)
{
	char dir[PATH_MAX];

	if (ims_path_dir(path, dir, sizeof dir) < 0)
		return; /* cannot happen: path is shorter than PATH_MAX - 4 here */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int pcscf_store_snapshot(const char *path, struct pcscf_regtab *t, uint64_t *records)
{
	char tmp[PATH_MAX];
	uint8_t head[HEADER] = {0};
	struct snap w = {.fd = -1};
	const char *what = "write";
	int err;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		IMS_WARN("state file %s: path too long", path);
		return -1;
	}
	w.buf = malloc(SNAP_BUF);
	if (!w.buf)
		goto fail;
	w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w.fd < 0) {
		what = "create";
		goto fail;
	}
	if (write_all(w.fd, head, HEADER) < 0 || pcscf_reg_foreach(t, snap_one, &w) != 0 ||
	    write_all(w.fd, w.buf, w.len) < 0)
		goto fail;
	header_encode(head, w.records);
	if (pwrite(w.fd, head, HEADER, 0) != HEADER)
		goto fail;
	what = "fsync";
	if (fsync(w.fd) < 0)
		goto fail;
	what = "close";
	err = close(w.fd);
	w.fd = -1;
	if (err < 0)
		goto fail;
	what = "rename";
	if (rename(tmp, path) < 0)
		goto fail;
	sync_dir(path);
	free(w.buf);
	*records = w.records;
	return 0;
fail:
	err = errno;
	IMS_WARN("state file %s: cannot %s %s: %s", path, what, tmp, strerror(err));
	if (w.fd >= 0)
		close(w.fd);
	unlink(tmp);
	free(w.buf);
	return -1;
}

/* ---- the store: queue (loop) and writer thread ---- */

struct qbuf {
	uint8_t *p;
	size_t len, cap;
	unsigned records;
};

struct pcscf_store {
	char path[PATH_MAX];
	struct pcscf_regtab *t; /* the loop's, hooked */
	unsigned max;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* queue not empty, or stopping */
	pthread_cond_t drained; /* queue empty and the writer idle */
	struct qbuf in;         /* filled on the loop */
	unsigned live;          /* entries in the loop's table at the last change */
	unsigned slack;
	bool stopping, busy;
	bool sleeping; /* the writer waits for a signal (else it polls the queue) */
	struct pcscf_store_stats st;
	/* the writer thread's */
	int fd;
	off_t size;        /* of the file, all written */
	bool unsynced;     /* written since the last fdatasync */
	int64_t synced_ms; /* CLOCK_MONOTONIC */
	int64_t linger_ms; /* until then the writer polls (no signal needed) */
	uint64_t retry_at; /* after a failed compaction: records to reach first */
	bool failing;      /* the last append failed */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int qbuf_reserve(struct qbuf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : QUEUE_MIN;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > QUEUE_MAX)
		return -1;
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* On the loop: one record into the queue. */
static void enqueue(struct pcscf_store *s, int type, const struct pcscf_reg *r)
{
	size_t len[4], n = record_size(type, r, len);
	uint64_t lost = 0;

	pthread_mutex_lock(&s->lock);
	if (n && qbuf_reserve(&s->in, n) == 0) {
		/* a busy writer polls the queue: no system call here then */
		if (!s->in.len && s->sleeping)
			pthread_cond_signal(&s->wake);
		record_encode(s->in.p + s->in.len, n, type, r, len);
		s->in.len += n;
		s->in.records++;
		s->live = pcscf_regtab_count(s->t);
	} else {
		lost = ++s->st.lost;
	}
	pthread_mutex_unlock(&s->lock);
	if (lost && (lost & (lost - 1)) == 0) /* 1, 2, 4 ... */
		IMS_WARN("state file %s: %llu change(s) not written (writer behind, or a field "
			 "too long): a restart loses them",
			 s->path, (unsigned long long)lost);
}

static void hook_saved(void *arg, const struct pcscf_reg *r)
{
	enqueue(arg, T_SAVE, r);
}

static void hook_removed(void *arg, const struct pcscf_reg *r)
{
	enqueue(arg, T_REMOVE, r);
}

static void writer_append(struct pcscf_store *s, struct qbuf *b)
{
	for (size_t off = 0; off < b->len; off += get32(b->p + off))
		record_seal(b->p + off);
	if (write_all(s->fd, b->p, b->len) == 0) {
		s->size += (off_t)b->len;
		s->unsynced = true;
		if (s->failing)
			IMS_INFO("state file %s: written again", s->path);
		s->failing = false;
		pthread_mutex_lock(&s->lock);
		s->st.records += b->records;
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (!s->failing)
		IMS_WARN("state file %s: cannot append: %s: changes are lost on a restart until "
			 "it can",
			 s->path, strerror(errno));
	s->failing = true;
	if (ftruncate(s->fd, s->size) < 0) /* leave no part of a record behind */
		IMS_WARN("state file %s: cannot truncate: %s", s->path, strerror(errno));
	pthread_mutex_lock(&s->lock);
	s->st.lost += b->records;
	pthread_mutex_unlock(&s->lock);
}

static void writer_sync(struct pcscf_store *s)
{
	if (fdatasync(s->fd) < 0)
		IMS_WARN("state file %s: fdatasync: %s", s->path, strerror(errno));
	s->unsynced = false;
	s->synced_ms = now_ms();
}

/* Read the file into a table of our own, write it back as a snapshot. */
static void writer_compact(struct pcscf_store *s, unsigned slack)
{
	int64_t t0 = now_ms();
	uint64_t before = s->st.records, n = 0;
	struct pcscf_store_result res;
	struct pcscf_regtab *t = pcscf_regtab_new(s->max);
	int fd = -1;

	if (t && pcscf_store_load(s->path, t, time(NULL), &res) == 0 &&
	    pcscf_store_snapshot(s->path, t, &n) == 0)
		fd = open(s->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	pcscf_regtab_free(t);
	if (fd < 0) {
		IMS_WARN("state file %s: compaction failed; appending on", s->path);
		s->retry_at = before + slack + 1;
		return;
	}
	close(s->fd);
	s->fd = fd;
	s->size = lseek(fd, 0, SEEK_END);
	s->unsynced = false; /* the snapshot was fsynced */
	s->synced_ms = now_ms();
	s->retry_at = 0;
	pthread_mutex_lock(&s->lock);
	s->st.records = s->st.snapshot = n;
	s->st.compactions++;
	pthread_mutex_unlock(&s->lock);
	IMS_INFO("state file %s: compacted %llu records into %llu in %lld ms", s->path,
		 (unsigned long long)before, (unsigned long long)n, (long long)(now_ms() - t0));
}

static bool compact_due(const struct pcscf_store *s, unsigned live, unsigned slack)
{
	uint64_t journal = s->st.records - s->st.snapshot;
	return journal > 2ull * live + slack && s->st.records >= s->retry_at;
}

static struct timespec monotonic_at(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	return ts;
}

static void *writer_main(void *arg)
{
	struct pcscf_store *s = arg;
	struct qbuf w = {0}; /* the batch being written; swapped with s->in */

	pthread_mutex_lock(&s->lock);
	for (;;) {
		/* For LINGER_MS after a write the writer looks at the queue again
		 * by itself, so that under load the loop never needs to wake it;
		 * then it sleeps until signalled, or until the fdatasync is due. */
		while (!s->in.len && !s->stopping) {
			int64_t t = now_ms();
			struct timespec until;
			if (t < s->linger_ms) {
				s->sleeping = false;
				until = monotonic_at(s->linger_ms);
				pthread_cond_timedwait(&s->wake, &s->lock, &until);
				continue;
			}
			s->sleeping = true;
			if (!s->unsynced) {
				pthread_cond_wait(&s->wake, &s->lock);
				continue;
			}
			if (t >= s->synced_ms + SYNC_MS)
				break;
			until = monotonic_at(s->synced_ms + SYNC_MS);
			pthread_cond_timedwait(&s->wake, &s->lock, &until);
		}
		s->sleeping = false;
		struct qbuf b = s->in;
		s->in = w;
		w = b;
		bool stop = s->stopping;
		unsigned live = s->live, slack = s->slack;
		s->busy = true;
		pthread_mutex_unlock(&s->lock);

		if (w.len) {
			writer_append(s, &w);
			s->linger_ms = now_ms() + LINGER_MS;
		}
		w.len = 0;
		w.records = 0;
		if (s->unsynced && (stop || now_ms() - s->synced_ms >= SYNC_MS))
			writer_sync(s);
		if (!stop && compact_due(s, live, slack))
			writer_compact(s, slack);

		pthread_mutex_lock(&s->lock);
		s->busy = false;
		if (!s->in.len) {
			pthread_cond_broadcast(&s->drained);
			if (stop)
				break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	free(w.p);
	return NULL;
}

struct pcscf_store *pcscf_store_open(const char *path, struct pcscf_regtab *t, time_t now)
{
	struct pcscf_store_result res;
	uint64_t n = 0;
	pthread_condattr_t ca;

	pcscf_regtab_set_hooks(t, NULL);
	if (strlen(path) + sizeof ".tmp" > PATH_MAX) {
		IMS_WARN("state file %s: path too long: registrations in memory only", path);
		return NULL;
	}
	if (pcscf_store_load(path, t, now, &res) < 0) {
		IMS_WARN("state file %s: unreadable: registrations in memory only (the file is "
			 "left as it is)",
			 path);
		return NULL;
	}
	IMS_INFO("state file %s: %u registration(s) loaded (%u records read, %u expired, %u "
		 "refused, %u corrupt stretch(es), %s)",
		 path, res.live, res.records, res.expired, res.refused, res.bad,
		 res.torn ? "last record incomplete" : "complete");
	if (pcscf_store_snapshot(path, t, &n) < 0) {
		IMS_WARN("state file %s: cannot be written: registrations in memory only", path);
		return NULL;
	}
	struct pcscf_store *s = calloc(1, sizeof *s);
	if (!s) {
		IMS_WARN("state file %s: out of memory: registrations in memory only", path);
		return NULL;
	}
	snprintf(s->path, sizeof s->path, "%s", path);
	s->t = t;
	s->max = pcscf_regtab_max(t);
	s->slack = PCSCF_STORE_SLACK;
	s->st.records = s->st.snapshot = n;
	s->synced_ms = now_ms();
	s->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (s->fd < 0) {
		IMS_WARN("state file %s: cannot open for writing: %s: registrations in memory only",
			 path, strerror(errno));
		free(s);
		return NULL;
	}
	s->size = lseek(s->fd, 0, SEEK_END);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_cond_init(&s->drained, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, writer_main, s) != 0) {
		IMS_WARN("state file %s: cannot start the writer thread: registrations in "
			 "memory only",
			 path);
		close(s->fd);
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->wake);
		pthread_cond_destroy(&s->drained);
		free(s);
		return NULL;
	}
	struct pcscf_reg_hooks hooks = {hook_saved, hook_removed, s};
	pcscf_regtab_set_hooks(t, &hooks);
	return s;
}

void pcscf_store_close(struct pcscf_store *s)
{
	if (!s)
		return;
	pcscf_regtab_set_hooks(s->t, NULL);
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	close(s->fd);
	free(s->in.p);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->drained);
	free(s);
}

int pcscf_store_flush(struct pcscf_store *s, int timeout_ms)
{
	struct timespec until = monotonic_at(now_ms() + timeout_ms);

	pthread_mutex_lock(&s->lock);
	while ((s->in.len || s->busy) &&
	       pthread_cond_timedwait(&s->drained, &s->lock, &until) != ETIMEDOUT)
		;
	int rc = s->in.len || s->busy ? -1 : 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void pcscf_store_set_slack(struct pcscf_store *s, unsigned slack)
{
	pthread_mutex_lock(&s->lock);
	s->slack = slack;
	pthread_mutex_unlock(&s->lock);
}

void pcscf_store_get_stats(struct pcscf_store *s, struct pcscf_store_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}
