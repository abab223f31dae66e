/*
 * rawdiam — Diameter by hand over a TCP socket, for the HSS integration
 * tests that must send what freeDiameter would never build (an AVP with
 * the wrong flags) and see what the daemon answers on the wire:
 *
 *   struct raw_msg m;
 *   raw_begin(&m, RAW_REQUEST, 257, 0, hbh);      // CER
 *   raw_avp_str(&m, 264, RAW_M, 0, "raw.open-ims.test");
 *   ...
 *   raw_send(fd, &m);
 *   raw_recv(fd, &m, 5000);                        // the next message, or -1
 *   raw_result(&m)                                 // its (Experimental-)Result-Code
 *
 * No freeDiameter and no dictionary: AVPs are code, flags, vendor, bytes.
 * Only first-level AVPs (and Experimental-Result's inside) are read.
 */
#ifndef RAWDIAM_H
#define RAWDIAM_H

#include <stddef.h>
#include <stdint.h>

#define RAW_REQUEST 0x80 /* command flags */
#define RAW_PROXIABLE 0x40
#define RAW_V 0x80 /* AVP flags */
#define RAW_M 0x40

struct raw_msg {
	uint8_t buf[8192];
	size_t len;
	int overflow; /* an AVP did not fit: raw_send() refuses */
};

/* A message header: flags (RAW_REQUEST...), command code, application, ids. */
void raw_begin(struct raw_msg *m, uint8_t flags, uint32_t code, uint32_t app, uint32_t hbh);
/* Append an AVP (vendor id written when flags has RAW_V, or when vendor is
 * not 0); returns its offset, for raw_group_end(). */
size_t raw_avp(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, const void *data,
               size_t len);
void raw_avp_str(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, const char *s);
void raw_avp_u32(struct raw_msg *m, uint32_t code, uint8_t flags, uint32_t vendor, uint32_t v);
/* A grouped AVP: raw_avp(m, code, flags, vendor, NULL, 0), its children,
 * then raw_group_end(m, offset) to fix its length. */
void raw_group_end(struct raw_msg *m, size_t offset);

/* Connect to 127.0.0.1:port; the socket or -1. */
int raw_connect(int port);
/* Send the whole message (its length written first); 0 or -1. */
int raw_send(int fd, struct raw_msg *m);
/* Receive one whole message within timeout_ms; 0 or -1 (timeout, closed). */
int raw_recv(int fd, struct raw_msg *m, int timeout_ms);

uint8_t raw_flags(const struct raw_msg *m);
uint32_t raw_code(const struct raw_msg *m);
uint32_t raw_hbh(const struct raw_msg *m);
/* Result-Code, else Experimental-Result-Code inside Experimental-Result;
 * 0 when neither. */
uint32_t raw_result(const struct raw_msg *m);
/* The code of the AVP inside Failed-AVP; 0 when none. */
uint32_t raw_failed_avp_code(const struct raw_msg *m);
/* Listen on 127.0.0.1:port and accept one connection within timeout_ms:
 * the connected socket or -1. */
int raw_accept(int port, int timeout_ms);

#endif
