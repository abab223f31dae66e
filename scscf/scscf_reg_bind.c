/*
 * scscf_reg_bind — the second half of the REGISTER pipeline (see
 * scscf_register.c): once the UE is authenticated, turn Contact/Expires
 * into a plan, tell the HSS (SAR), store the bindings and the profile,
 * and answer 200 with every binding, Service-Route, P-Associated-URI,
 * Path and Date (TS 24.229 §5.4.1.2.2, RFC 3261 §10.3).
 */
#include "scscf_reg.h"

#include "ims_cx.h"
#include "ims_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_string.h>

/* ---- answering ---- */

int scscf_reg_fail(struct reg_ctx *rc, int status, const char *why)
{
	snprintf(rc->why, sizeof rc->why, "%s", why);
	for (char *p = rc->why; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '\'';
	return status;
}

void scscf_reg_finish(struct ims_sip_tx *tx, struct reg_ctx *rc, int status)
{
	char warn[512] = "", min[16];

	if (status < 200)
		return;
	if (rc->why[0])
		snprintf(warn, sizeof warn, "399 %s \"%s\"", rc->sc->cfg.sip.name, rc->why);
	snprintf(min, sizeof min, "%d", rc->sc->cfg.min_expires);
	if (status >= 500)
		IMS_WARN("register (Call-ID %s): %d for %s: %s", rc->call_id, status, rc->impu,
		         rc->why[0] ? rc->why : "-");
	else
		IMS_INFO("register (Call-ID %s): %d for %s: %s", rc->call_id, status, rc->impu,
		         rc->why[0] ? rc->why : "-");
	ims_sip_tx_reply(tx, status, NULL, TAG_IF(warn[0], SIPTAG_WARNING_STR(warn)),
	                 TAG_IF(status == 423, SIPTAG_MIN_EXPIRES_STR(min)), TAG_END());
}

/* "<uri>;expires=N;params, ..." of every binding, allocated from home. */
static char *contact_list(su_home_t *home, const struct scscf_reg *reg, int64_t now)
{
	char *s = NULL;
	for (const struct scscf_contact *c = reg->contacts; c; c = c->next) {
		long left = c->expires > now ? (long)(c->expires - now) : 0;
		s = s ? su_sprintf(home, "%s, <%s>;expires=%ld%s", s, c->uri, left, c->params)
		      : su_sprintf(home, "<%s>;expires=%ld%s", c->uri, left, c->params);
	}
	return s;
}

static char *associated_uris(su_home_t *home, const struct scscf_reg *reg)
{
	char *s = su_strdup(home, "P-Associated-URI: ");
	for (int i = 0; s && i < reg->n_assoc; i++)
		s = su_sprintf(home, "%s%s<%s>", s, i ? ", " : "", reg->assoc[i]);
	return s;
}

/* 200 OK: reg is NULL (or without contacts) after a de-registration. */
static int reply_ok(struct reg_ctx *rc, struct ims_sip_tx *tx, const struct scscf_reg *reg)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	sip_t const *sip = ims_sip_tx_request(tx);
	bool bound = reg && reg->n_contacts > 0;
	char *contacts = bound ? contact_list(home, reg, scscf_now()) : NULL;
	char *pau = bound ? associated_uris(home, reg) : NULL;
	char *sr = su_sprintf(home, "<%s>", rc->sc->cfg.service_route);
	sip_date_t *date = sip_date_create(home, sip_now());

	IMS_INFO("register (Call-ID %s): 200 for %s, %d binding(s)", rc->call_id, rc->impu,
	         reg ? reg->n_contacts : 0);
	ims_sip_tx_reply(
	    tx, SIP_200_OK, TAG_IF(contacts, SIPTAG_CONTACT_STR(contacts)),
	    TAG_IF(bound, SIPTAG_SERVICE_ROUTE_STR(sr)), TAG_IF(pau, SIPTAG_HEADER_STR(pau)),
	    TAG_IF(sip->sip_path, SIPTAG_PATH(sip->sip_path)), SIPTAG_DATE(date), TAG_END());
	su_home_deinit(home);
	return 0; /* answered: rc is gone */
}

/* ---- the plan: Contact and Expires of the request ---- */

static void contact_params(struct scscf_binding *c, sip_contact_t const *m)
{
	size_t len = 0;
	c->params[0] = '\0';
	for (int i = 0; m->m_params && m->m_params[i]; i++) {
		const char *p = m->m_params[i];
		if (su_casenmatch(p, "expires=", 8))
			continue;
		if (su_casenmatch(p, "+sip.instance=", 14))
			snprintf(c->instance, sizeof c->instance, "%s", p + 14);
		else if (su_casenmatch(p, "reg-id=", 7))
			c->reg_id = (unsigned)strtoul(p + 7, NULL, 10);
		int n = snprintf(c->params + len, sizeof c->params - len, ";%s", p);
		if (n < 0 || (size_t)n >= sizeof c->params - len) {
			c->params[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
}

static void request_path(struct scscf_binding *c, sip_t const *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	size_t len = 0;
	c->path[0] = '\0';
	for (sip_path_t const *p = sip->sip_path; p; p = p->r_next) {
		char *s = sip_header_as_string(home, (sip_header_t const *)p);
		int n =
		    s ? snprintf(c->path + len, sizeof c->path - len, "%s%s", len ? ", " : "", s)
		      : -1;
		if (n < 0 || (size_t)n >= sizeof c->path - len)
			break;
		len += (size_t)n;
	}
	su_home_deinit(home);
}

/* One Contact of the request; 0 or a status. */
static int plan_one(struct reg_ctx *rc, struct ims_sip_tx *tx, sip_contact_t const *m,
                    struct scscf_binding *c)
{
	const struct scscf_cfg *cfg = &rc->sc->cfg;
	sip_t const *sip = ims_sip_tx_request(tx);
	su_home_t home[1] = {SU_HOME_INIT(home)};
	long e = sip->sip_expires ? (long)sip->sip_expires->ex_delta : cfg->default_expires;
	char *uri = url_as_string(home, m->m_url);

	if (!uri || strlen(uri) >= sizeof c->uri) {
		su_home_deinit(home);
		return scscf_reg_fail(rc, 400, "bad or too long Contact URI");
	}
	snprintf(c->uri, sizeof c->uri, "%s", uri);
	su_home_deinit(home);
	if (m->m_expires)
		e = strtol(m->m_expires, NULL, 10);
	if (e < 0)
		e = 0;
	if (e > 0 && e < cfg->min_expires)
		return scscf_reg_fail(rc, 423, "expiration too brief");
	if (e > cfg->max_expires)
		e = cfg->max_expires;
	c->expires = e;
	contact_params(c, m);
	request_path(c, sip);
	snprintf(c->received, sizeof c->received, "%s:%s:%d", ims_sip_tx_protocol(tx),
	         ims_sip_tx_source_ip(tx), ims_sip_tx_source_port(tx));
	snprintf(c->call_id, sizeof c->call_id, "%s", rc->call_id);
	c->cseq = sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
	return 0;
}

/* RFC 3261 §10.3 step 7: a binding refreshed with the same Call-ID needs a
 * higher CSeq. */
static int plan_order(struct reg_ctx *rc)
{
	struct scscf_reg *reg = scscf_ul_find(rc->sc->ul, rc->impu);
	for (int i = 0; reg && i < rc->n_contacts; i++) {
		struct scscf_contact *old = scscf_ul_contact_match(reg, &rc->contacts[i]);
		if (old && strcmp(old->call_id, rc->contacts[i].call_id) == 0 &&
		    old->cseq >= rc->contacts[i].cseq)
			return scscf_reg_fail(rc, 500, "REGISTER out of order (CSeq not higher)");
	}
	return 0;
}

/* RFC 3261 §10.3 step 6 (Kamailio's max_contacts): the bindings the
 * identity would have once the plan is applied, the ones it keeps plus the
 * new ones, must fit max_contacts.  Without this check an extra contact got
 * a 200 that did not list it (the store dropped it with a warning), and the
 * UE and the P-CSCF took it for registered. */
static int plan_room(struct reg_ctx *rc)
{
	struct scscf_reg *reg = scscf_ul_find(rc->sc->ul, rc->impu);
	int total = reg ? reg->n_contacts : 0;

	for (int i = 0; i < rc->n_contacts; i++) {
		bool bound = reg && scscf_ul_contact_match(reg, &rc->contacts[i]);
		if (!bound && rc->contacts[i].expires > 0)
			total++;
		else if (bound && rc->contacts[i].expires == 0)
			total--;
	}
	if (total > rc->sc->cfg.max_contacts)
		return scscf_reg_fail(rc, 403, "too many contacts");
	return 0;
}

static int plan_contacts(struct reg_ctx *rc, struct ims_sip_tx *tx)
{
	sip_t const *sip = ims_sip_tx_request(tx);
	int n = 0;

	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next) {
		if (m->m_url->url_type == url_any)
			rc->star = true;
		n++;
	}
	if (rc->star && (n > 1 || !sip->sip_expires || sip->sip_expires->ex_delta != 0))
		return scscf_reg_fail(rc, 400, "Contact: * needs Expires: 0 and no other Contact");
	if (rc->star || n == 0)
		return 0;
	if (n > rc->sc->cfg.max_contacts)
		return scscf_reg_fail(rc, 403, "too many contacts");
	rc->contacts = calloc((size_t)n, sizeof *rc->contacts);
	if (!rc->contacts)
		return scscf_reg_fail(rc, 500, "out of memory");
	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next) {
		int status = plan_one(rc, tx, m, &rc->contacts[rc->n_contacts]);
		if (status)
			return status;
		rc->n_contacts++;
	}
	int status = plan_order(rc);
	return status ? status : plan_room(rc);
}

/* Will reg keep a binding once the plan is applied? */
static bool plan_keeps(const struct reg_ctx *rc, struct scscf_reg *reg)
{
	for (int i = 0; i < rc->n_contacts; i++)
		if (rc->contacts[i].expires > 0)
			return true;
	if (rc->star || !reg)
		return false;
	for (struct scscf_contact *c = reg->contacts; c; c = c->next) {
		bool removed = false;
		for (int i = 0; i < rc->n_contacts && !removed; i++)
			removed = scscf_ul_contact_match(reg, &rc->contacts[i]) == c;
		if (!removed)
			return true;
	}
	return false;
}

/* ---- applying it ---- */

static void apply_contacts(struct reg_ctx *rc, struct scscf_reg *reg)
{
	struct scscf_ul *ul = rc->sc->ul;
	int64_t now = scscf_now();

	if (rc->star) {
		while (reg->contacts)
			scscf_ul_contact_remove(ul, reg, reg->contacts);
		return;
	}
	for (int i = 0; i < rc->n_contacts; i++) {
		struct scscf_binding c = rc->contacts[i];
		if (c.expires == 0) {
			struct scscf_contact *old = scscf_ul_contact_match(reg, &c);
			if (old)
				scscf_ul_contact_remove(ul, reg, old);
			continue;
		}
		int err;
		c.expires += now;
		if (!scscf_ul_contact_save(ul, reg, &c, &err))
			IMS_WARN("register (Call-ID %s): binding %s of %s not stored (%d)",
			         rc->call_id, c.uri, reg->impu, err);
	}
}

static int store(struct reg_ctx *rc, struct ims_sip_tx *tx, struct scscf_sar *s)
{
	struct scscf_ul *ul = rc->sc->ul;
	struct scscf_reg *reg = scscf_ul_find(ul, rc->impu);
	bool profile = s && (s->user_data || s->n_ids > 0);

	/* a new registration is written through once, with its profile; a
	 * re-registration whose SAA brought no User-Data (User-Data-Already-
	 * Available) keeps the profile it has */
	if (!reg)
		reg = profile ? scscf_ul_add_profile(ul, rc->impu, rc->impi, s->ids, s->n_ids,
		                                     s->user_data)
		              : scscf_ul_add(ul, rc->impu, rc->impi);
	else if (profile)
		scscf_ul_set_profile(ul, reg, s->ids, s->n_ids, s->user_data);
	if (!reg)
		return scscf_reg_fail(rc, 500, "cannot store the registration");
	apply_contacts(rc, reg);
	if (reg->n_contacts == 0) {
		scscf_ul_remove(ul, reg);
		reg = NULL;
	}
	return reply_ok(rc, tx, reg);
}

static int sar_send(struct reg_ctx *rc, int type);

static void on_sar(struct scscf_sar *s)
{
	struct reg_ctx *rc;
	struct ims_sip_tx *tx = scscf_reg_find(s->sc, s->tx_id, &rc);

	if (!tx)
		return;
	/* a de-registration goes through even when the HSS did not hear it:
	 * the UE asked to leave */
	if (s->status && s->type != IMS_CX_SAT_USER_DEREGISTRATION) {
		scscf_reg_finish(tx, rc, scscf_reg_fail(rc, s->status, s->reason));
		return;
	}
	if (!s->status && s->udaa && !s->user_data && s->type != IMS_CX_SAT_USER_DEREGISTRATION &&
	    !scscf_ul_find(rc->sc->ul, rc->impu)) {
		/* the registration, and the profile the SAR said we had, went
		 * (expiry, RTR) while the SAR was out: ask again for it */
		scscf_reg_finish(tx, rc, sar_send(rc, IMS_CX_SAT_REGISTRATION));
		return;
	}
	scscf_reg_finish(tx, rc, store(rc, tx, s->status ? NULL : s));
}

/* Send the SAR of type for rc; its answer comes to on_sar. */
static int sar_send(struct reg_ctx *rc, int type)
{
	struct scscf_sar *s = scscf_reg_sar_new(rc, type, on_sar);

	if (!s)
		return scscf_reg_fail(rc, 500, "out of memory");
	if (scscf_cx_sar_send(s) < 0) {
		free(s);
		return scscf_reg_fail(rc, 500, "cannot tell the HSS (Diameter down)");
	}
	return 0;
}

struct scscf_sar *scscf_reg_sar_new(struct reg_ctx *rc, int type, void (*done)(struct scscf_sar *s))
{
	struct scscf_sar *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	struct scscf_reg *reg = scscf_ul_find(rc->sc->ul, rc->impu);

	s->sc = rc->sc;
	s->tx_id = rc->tx_id;
	s->type = type;
	s->udaa = reg && reg->user_data;
	s->done = done;
	snprintf(s->call_id, sizeof s->call_id, "%s", rc->call_id);
	snprintf(s->impi, sizeof s->impi, "%s", rc->impi);
	snprintf(s->impu, sizeof s->impu, "%s", rc->impu);
	return s;
}

int scscf_reg_authorized(struct reg_ctx *rc, struct ims_sip_tx *tx)
{
	int status = plan_contacts(rc, tx);
	if (status)
		return status;
	struct scscf_reg *reg = scscf_ul_find(rc->sc->ul, rc->impu);
	if (!rc->star && rc->n_contacts == 0)
		return reply_ok(rc, tx, reg); /* a query: the current bindings */
	if (plan_keeps(rc, reg))
		rc->sar_type = reg ? IMS_CX_SAT_RE_REGISTRATION : IMS_CX_SAT_REGISTRATION;
	else if (reg)
		rc->sar_type = IMS_CX_SAT_USER_DEREGISTRATION;
	else
		return reply_ok(rc, tx, NULL); /* nothing bound, nothing to remove */

	return sar_send(rc, rc->sar_type);
}
