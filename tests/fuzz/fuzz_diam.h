/*
 * fuzz_diam — what the Diameter fuzz targets share: an in-process
 * freeDiameter core (no peers) with the Cx dictionary, and a message from
 * the fuzz bytes the way a peer's message is received (fd_msg_parse_buffer,
 * fd_msg_parse_dict, fd_msg_parse_rules; a message that fails them never
 * reaches a handler or an answer callback).
 */
#ifndef FUZZ_DIAM_H
#define FUZZ_DIAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ims_cx.h"
#include "ims_log.h"

static inline void fuzz_diam_init(void)
{
	static int done;
	char path[] = "/tmp/fuzz_diam.XXXXXX";
	if (done)
		return;
	done = 1;
	ims_log_init("fuzz", IMS_LOG_ERROR, false);
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f)
		abort();
	fprintf(f, "Identity = \"fuzz.open-ims.test\";\nRealm = \"open-ims.test\";\n"
		   "Port = 0;\nSecPort = 0;\nNo_SCTP;\n");
	fclose(f);
	if (fd_core_initialize())
		abort();
	ims_log_route_freediameter();
	fd_g_debug_lvl = FD_LOG_FATAL;
	int rc = fd_core_parseconf(path);
	unlink(path);
	if (rc || ims_cx_dict_init())
		abort();
}

/* freeDiameter 1.2.1 itself aborts on a message whose top-level AVP 263
 * (Session-Id) with vendor 0 carries the V flag: the dictionary does not
 * resolve it, it keeps no value, and fd_msg_sess_get() (routing_dispatch.c,
 * before any handler runs) fails ASSERT(avp_value).  Found by this fuzzer;
 * upstream's bug, reachable only from a connected (CER-authorised) peer,
 * and nothing of ours runs first: such a message is not given to our
 * handlers here (docs/robustness.md). */
static inline bool fd_core_would_abort(struct msg *msg)
{
	struct avp *avp = NULL;
	struct avp_hdr *h;
	if (fd_msg_browse(msg, MSG_BRW_FIRST_CHILD, &avp, NULL))
		return true;
	while (avp) {
		if (fd_msg_avp_hdr(avp, &h) == 0 && h->avp_code == 263 && h->avp_vendor == 0)
			return !h->avp_value;
		if (fd_msg_browse(avp, MSG_BRW_NEXT, &avp, NULL))
			return true;
	}
	return false;
}

/* The received message, or NULL.  The caller frees it (fd_msg_free). */
static inline struct msg *fuzz_diam_parse(const uint8_t *data, size_t size)
{
	struct fd_pei pei;
	struct msg *msg = NULL;
	if (size < 20 || size > 65536)
		return NULL;
	uint8_t *buf = malloc(size);
	if (!buf)
		return NULL;
	memcpy(buf, data, size);
	/* freeDiameter reads the length from the header: the transport gives
	 * it exactly that many bytes */
	uint32_t len = ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
	if (len != size) {
		free(buf);
		return NULL;
	}
	if (fd_msg_parse_buffer(&buf, size, &msg)) {
		free(buf);
		return NULL;
	}
	memset(&pei, 0, sizeof pei);
	if (fd_msg_parse_dict(msg, ims_cx.dict, &pei)) {
		fd_msg_free(msg);
		return NULL;
	}
	if (fd_core_would_abort(msg)) {
		fd_msg_free(msg);
		return NULL;
	}
	memset(&pei, 0, sizeof pei);
	if (fd_msg_parse_rules(msg, ims_cx.dict, &pei)) {
		if (pei.pei_avp_free)
			fd_msg_free(pei.pei_avp);
		fd_msg_free(msg);
		return NULL;
	}
	return msg;
}

#endif
