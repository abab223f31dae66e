/* cxclient — see cxclient.h. */
#include "cxclient.h"

#include "ims_diam.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cx_pending {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	struct cx_answer *ans;
};

struct msg *cx_request(struct dict_object *cmd)
{
	struct msg *m = NULL;
	if (ims_cx_request_new(cmd, "open-ims.test", "hss.open-ims.test", &m) < 0)
		return NULL;
	return m;
}

static void copy_bytes(struct avp *a, uint8_t *out, size_t max, size_t *len)
{
	const uint8_t *d = NULL;
	size_t n = 0;
	if (ims_cx_avp_bytes(a, &d, &n) == 0) {
		if (n > max)
			n = max;
		memcpy(out, d, n);
		*len = n;
	}
}

static void read_item(struct avp *g, struct cx_item *it)
{
	struct avp *a = NULL, *sda = NULL;
	size_t n = 0;

	ims_cx_get_u32(g, ims_cx.avp_sip_item_number, &it->number);
	ims_cx_get_str(g, ims_cx.avp_sip_authentication_scheme, it->scheme, sizeof it->scheme);
	if (ims_cx_find(g, ims_cx.avp_sip_authenticate, &a) == 0)
		copy_bytes(a, it->authenticate, sizeof it->authenticate, &it->authenticate_len);
	if (ims_cx_find(g, ims_cx.avp_sip_authorization, &a) == 0)
		copy_bytes(a, it->authorization, sizeof it->authorization, &it->authorization_len);
	if (ims_cx_find(g, ims_cx.avp_confidentiality_key, &a) == 0) {
		copy_bytes(a, it->ck, 16, &n);
		if (ims_cx_find(g, ims_cx.avp_integrity_key, &a) == 0)
			copy_bytes(a, it->ik, 16, &n);
		it->has_keys = true;
	}
	if (ims_cx_find(g, ims_cx.avp_sip_digest_authenticate, &sda) == 0) {
		ims_cx_get_str(sda, ims_cx.avp_digest_realm, it->realm, sizeof it->realm);
		ims_cx_get_str(sda, ims_cx.avp_digest_algorithm, it->algorithm,
			       sizeof it->algorithm);
		ims_cx_get_str(sda, ims_cx.avp_digest_qop, it->qop, sizeof it->qop);
		ims_cx_get_str(sda, ims_cx.avp_digest_ha1, it->ha1, sizeof it->ha1);
	}
}

static void read_caps(struct avp *g, struct cx_answer *a)
{
	struct avp *c = NULL;

	a->has_caps = true;
	for (int rc = ims_cx_find(g, ims_cx.avp_mandatory_capability, &c); rc == 0 &&
	     a->nmandatory < 8; rc = ims_cx_find_next(c, ims_cx.avp_mandatory_capability, &c))
		ims_cx_avp_u32(c, &a->mandatory[a->nmandatory++]);
	for (int rc = ims_cx_find(g, ims_cx.avp_optional_capability, &c); rc == 0 &&
	     a->noptional < 8; rc = ims_cx_find_next(c, ims_cx.avp_optional_capability, &c))
		ims_cx_avp_u32(c, &a->optional[a->noptional++]);
	for (int rc = ims_cx_find(g, ims_cx.avp_server_name, &c); rc == 0 && a->ncap_names < 4;
	     rc = ims_cx_find_next(c, ims_cx.avp_server_name, &c))
		ims_cx_avp_str(c, a->cap_names[a->ncap_names++], sizeof a->cap_names[0]);
}

static void read_failed(struct msg *m, struct cx_answer *a)
{
	struct avp *f = NULL, *child = NULL;
	struct avp_hdr *h = NULL;

	if (fd_msg_browse(m, MSG_BRW_FIRST_CHILD, &f, NULL) != 0)
		return;
	for (; f; fd_msg_browse(f, MSG_BRW_NEXT, &f, NULL)) {
		if (fd_msg_avp_hdr(f, &h) != 0 || h->avp_code != 279 || h->avp_vendor != 0)
			continue;
		if (fd_msg_browse(f, MSG_BRW_FIRST_CHILD, &child, NULL) == 0 && child &&
		    fd_msg_avp_hdr(child, &h) == 0)
			a->failed_avp_code = h->avp_code;
		return;
	}
}

static void read_answer(struct msg *m, struct cx_answer *a)
{
	struct ims_cx_result res;
	struct avp *x = NULL;

	a->answered = true;
	if (ims_cx_result_get(m, &res) == 0) {
		a->code = res.code;
		a->experimental = res.experimental;
	}
	ims_cx_get_str(m, ims_cx.avp_user_name, a->user_name, sizeof a->user_name);
	ims_cx_get_str(m, ims_cx.avp_server_name, a->server_name, sizeof a->server_name);
	ims_cx_get_u32(m, ims_cx.avp_sip_number_auth_items, &a->n_auth_items);
	if (ims_cx_find(m, ims_cx.avp_user_data, &x) == 0)
		copy_bytes(x, (uint8_t *)a->user_data, sizeof a->user_data - 1,
			   &a->user_data_len);
	for (int rc = ims_cx_find(m, ims_cx.avp_sip_auth_data_item, &x);
	     rc == 0 && a->nitems < CX_MAX_ITEMS;
	     rc = ims_cx_find_next(x, ims_cx.avp_sip_auth_data_item, &x))
		read_item(x, &a->items[a->nitems++]);
	if (ims_cx_find(m, ims_cx.avp_server_capabilities, &x) == 0)
		read_caps(x, a);
	read_failed(m, a);
}

static void on_answer(void *data, struct msg *answer)
{
	struct cx_pending *p = data;

	if (answer)
		read_answer(answer, p->ans);
	pthread_mutex_lock(&p->lock);
	p->done = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

struct cx_pending *cx_send(struct msg *req, struct cx_answer *ans)
{
	struct cx_pending *p = calloc(1, sizeof *p);

	memset(ans, 0, sizeof *ans);
	if (!p || !req) {
		if (req)
			fd_msg_free(req);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->ans = ans;
	if (ims_diam_send(req, 4000, on_answer, p) < 0)
		p->done = true;
	return p;
}

void cx_wait(struct cx_pending *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	while (!p->done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

int cx_call(struct msg *req, struct cx_answer *ans)
{
	cx_wait(cx_send(req, ans));
	return 0;
}

struct msg *cx_uar(const char *impi, const char *impu, const char *vn, int type)
{
	struct msg *m = cx_request(ims_cx.cmd_uar);
	if (!m)
		return NULL;
	if (impi)
		ims_cx_add_str(m, ims_cx.avp_user_name, impi);
	if (impu)
		ims_cx_add_str(m, ims_cx.avp_public_identity, impu);
	if (vn)
		ims_cx_add_str(m, ims_cx.avp_visited_network_identifier, vn);
	if (type >= 0)
		ims_cx_add_i32(m, ims_cx.avp_user_authorization_type, type);
	return m;
}

struct msg *cx_mar(const char *impi, const char *impu, const char *scheme, int n,
		   const uint8_t *authorization, size_t alen, const char *server)
{
	struct msg *m = cx_request(ims_cx.cmd_mar);
	struct avp *item = NULL;

	if (!m)
		return NULL;
	if (impi)
		ims_cx_add_str(m, ims_cx.avp_user_name, impi);
	if (impu)
		ims_cx_add_str(m, ims_cx.avp_public_identity, impu);
	if (n >= 0)
		ims_cx_add_u32(m, ims_cx.avp_sip_number_auth_items, (uint32_t)n);
	if (scheme || authorization) {
		ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &item);
		if (scheme)
			ims_cx_add_str(item, ims_cx.avp_sip_authentication_scheme, scheme);
		if (authorization)
			ims_cx_add_bytes(item, ims_cx.avp_sip_authorization, authorization, alen);
	}
	if (server)
		ims_cx_add_str(m, ims_cx.avp_server_name, server);
	return m;
}

struct msg *cx_sar(const char *impi, const char *impu, int type, const char *server,
		   int udaa)
{
	struct msg *m = cx_request(ims_cx.cmd_sar);
	if (!m)
		return NULL;
	if (impi)
		ims_cx_add_str(m, ims_cx.avp_user_name, impi);
	if (impu)
		ims_cx_add_str(m, ims_cx.avp_public_identity, impu);
	if (server)
		ims_cx_add_str(m, ims_cx.avp_server_name, server);
	if (type >= 0)
		ims_cx_add_i32(m, ims_cx.avp_server_assignment_type, type);
	if (udaa >= 0)
		ims_cx_add_i32(m, ims_cx.avp_user_data_already_available, udaa);
	return m;
}

struct msg *cx_lir(const char *impu)
{
	struct msg *m = cx_request(ims_cx.cmd_lir);
	if (m && impu)
		ims_cx_add_str(m, ims_cx.avp_public_identity, impu);
	return m;
}
