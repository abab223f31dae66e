/* rawdiam — see rawdiam.h. */
#include "rawdiam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16), p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), put24(p + 1, v);
}

static uint32_t get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | get24(p + 1);
}

void raw_begin(struct raw_msg *m, uint8_t flags, uint32_t code, uint32_t app, uint32_t hbh)
{
	memset(m, 0, sizeof *m);
	m->buf[0] = 1; /* version */
	m->buf[4] = flags;
	put24(m->buf + 5, code);
	put32(m->buf + 8, app);
	put32(m->buf + 12, hbh);
	put32(m->buf + 16, hbh ^ 0x5a5a0000u); /* end-to-end */
	m->len = 20;
}

size_t raw_avp(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, const void *data,
               size_t len)
{
	size_t hdr = (flags & RAW_V) || vendor ? 12 : 8;
	size_t at = m->len, padded = (hdr + len + 3) & ~(size_t)3;

	if (at + padded > sizeof m->buf) {
		m->overflow = 1;
		return at;
	}
	if (vendor)
		flags |= RAW_V;
	put32(m->buf + at, code);
	m->buf[at + 4] = flags;
	put24(m->buf + at + 5, (uint32_t)(hdr + len));
	if (hdr == 12)
		put32(m->buf + at + 8, vendor); /* vendor 0 with RAW_V: written as 0 */
	if (len)
		memcpy(m->buf + at + hdr, data, len);
	memset(m->buf + at + hdr + len, 0, padded - hdr - len);
	m->len += padded;
	return at;
}

void raw_avp_str(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, const char *s)
{
	raw_avp(m, code, flags, vendor, s, strlen(s));
}

void raw_avp_u32(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	raw_avp(m, code, flags, vendor, b, sizeof b);
}

void raw_group_end(struct raw_msg *m, size_t offset)
{
	if (!m->overflow)
		put24(m->buf + offset + 5, (uint32_t)(m->len - offset));
}

int raw_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int raw_accept(int port, int timeout_ms)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0), c = -1;
	struct pollfd pf = {.fd = fd, .events = POLLIN};

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 1) == 0 &&
	    poll(&pf, 1, timeout_ms) == 1)
		c = accept(fd, NULL, NULL);
	close(fd);
	return c;
}

int raw_send(int fd, struct raw_msg *m)
{
	size_t off = 0;

	if (m->overflow || m->len < 20)
		return -1;
	put24(m->buf + 1, (uint32_t)m->len);
	while (off < m->len) {
		ssize_t n = send(fd, m->buf + off, m->len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly len bytes before the deadline; 0 or -1. */
static int read_full(int fd, uint8_t *p, size_t len, long long deadline)
{
	while (len) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -1;
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

int raw_recv(int fd, struct raw_msg *m, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	memset(m, 0, sizeof *m);
	if (read_full(fd, m->buf, 20, deadline))
		return -1;
	m->len = get24(m->buf + 1);
	if (m->len < 20 || m->len > sizeof m->buf)
		return -1;
	return read_full(fd, m->buf + 20, m->len - 20, deadline);
}

uint8_t raw_flags(const struct raw_msg *m)
{
	return m->buf[4];
}

uint32_t raw_code(const struct raw_msg *m)
{
	return get24(m->buf + 5);
}

uint32_t raw_hbh(const struct raw_msg *m)
{
	return get32(m->buf + 12);
}

/* The first AVP of this code (no vendor) between from and to: its data
 * offset and length, or -1. */
static long find_avp(const struct raw_msg *m, size_t from, size_t to, uint32_t code, size_t *len)
{
	while (from + 8 <= to) {
		uint8_t flags = m->buf[from + 4];
		size_t alen = get24(m->buf + from + 5), hdr = flags & RAW_V ? 12 : 8;
		if (alen < hdr || from + alen > to)
			return -1;
		if (get32(m->buf + from) == code && !(flags & RAW_V)) {
			*len = alen - hdr;
			return (long)(from + hdr);
		}
		from += (alen + 3) & ~(size_t)3;
	}
	return -1;
}

uint32_t raw_result(const struct raw_msg *m)
{
	size_t len;
	long at = find_avp(m, 20, m->len, 268, &len); /* Result-Code */

	if (at >= 0 && len == 4)
		return get32(m->buf + at);
	at = find_avp(m, 20, m->len, 297, &len); /* Experimental-Result */
	if (at < 0)
		return 0;
	at = find_avp(m, (size_t)at, (size_t)at + len, 298, &len); /* ...-Code */
	return at >= 0 && len == 4 ? get32(m->buf + at) : 0;
}

uint32_t raw_failed_avp_code(const struct raw_msg *m)
{
	size_t len;
	long at = find_avp(m, 20, m->len, 279, &len); /* Failed-AVP */

	return at >= 0 && len >= 8 ? get32(m->buf + at) : 0;
}
