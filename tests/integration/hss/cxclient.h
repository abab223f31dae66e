/*
 * cxclient — a small Cx client for the HSS integration tests, on
 * freeDiameter through common/ims_diam: build UAR/MAR/SAR/LIR, send them to
 * hss.open-ims.test, wait, and copy what the answer says into a plain
 * struct the tests can check after freeDiameter has freed the answer.
 */
#ifndef CXCLIENT_H
#define CXCLIENT_H

#include "ims_cx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CX_MAX_ITEMS 8

struct cx_item {
	uint32_t number;
	char scheme[64];
	uint8_t authenticate[64];
	size_t authenticate_len;
	uint8_t authorization[64];
	size_t authorization_len;
	uint8_t ck[16], ik[16];
	bool has_keys;
	char realm[64], algorithm[16], qop[16], ha1[40]; /* SIP-Digest-Authenticate */
};

struct cx_answer {
	bool answered;
	uint32_t code;
	bool experimental;
	char user_name[256], server_name[256];
	char user_data[16384];
	size_t user_data_len;
	uint32_t n_auth_items; /* SIP-Number-Auth-Items */
	struct cx_item items[CX_MAX_ITEMS];
	int nitems;
	bool has_caps;
	uint32_t mandatory[8], optional[8];
	int nmandatory, noptional;
	char cap_names[4][256];
	int ncap_names;
	uint32_t failed_avp_code; /* the code inside Failed-AVP, 0 if none */
};

/* An in-flight request (for parallel sends). */
struct cx_pending;

/* The request for cmd to hss.open-ims.test; caller adds AVPs. */
struct msg *cx_request(struct dict_object *cmd);

/* Send req and fill ans (ans->answered false when none came).  Returns 0. */
int cx_call(struct msg *req, struct cx_answer *ans);

/* Send without waiting; cx_wait() fills ans. */
struct cx_pending *cx_send(struct msg *req, struct cx_answer *ans);
void cx_wait(struct cx_pending *p);

/* Builders; NULL/negative arguments leave the AVP out. */
struct msg *cx_uar(const char *impi, const char *impu, const char *vn, int type);
struct msg *cx_mar(const char *impi, const char *impu, const char *scheme, int n,
		   const uint8_t *authorization, size_t alen, const char *server);
struct msg *cx_sar(const char *impi, const char *impu, int type, const char *server,
		   int udaa);
struct msg *cx_lir(const char *impu);

#endif
