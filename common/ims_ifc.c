/*
 * ims_ifc — trigger point evaluation and iFC ordering.
 */
#include "ims_ifc.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when regular expression re matches text, 0 when not, -EINVAL when re
 * does not compile. */
static int regex_match(const char *re, const char *text)
{
	regex_t preg;
	int rc;

	if (regcomp(&preg, re, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return -EINVAL;
	rc = regexec(&preg, text, 0, NULL, 0) == 0 ? 1 : 0;
	regfree(&preg);
	return rc;
}

static const char *header_at(const struct ims_ifc_request *req, const char *name, size_t index)
{
	size_t i, seen = 0;

	if (req->header_fn != NULL)
		return req->header_fn(req->header_arg, name, index);
	for (i = 0; i < req->nheaders; i++) {
		if (req->headers[i].name == NULL || strcasecmp(req->headers[i].name, name) != 0)
			continue;
		if (seen++ == index)
			return req->headers[i].value != NULL ? req->headers[i].value : "";
	}
	return NULL;
}

/* SIPHeader: present (no Content), or any instance matching Content. */
static int match_header(const struct ims_spt *spt, const struct ims_ifc_request *req)
{
	const char *v;
	size_t i;
	int rc;

	for (i = 0; (v = header_at(req, spt->header, i)) != NULL; i++) {
		if (spt->value == NULL)
			return 1;
		rc = regex_match(spt->value, v);
		if (rc != 0)
			return rc;
	}
	return spt->value == NULL ? 0 : regex_match(spt->value, "") < 0 ? -EINVAL : 0;
}

/* SessionDescription: an SDP line "<Line>=<value>" present (no Content) or
 * whose value matches Content. */
static int match_sdp(const struct ims_spt *spt, const struct ims_ifc_request *req)
{
	size_t tlen = strlen(spt->header);
	const char *p = req->sdp;
	int rc = 0;

	if (spt->value != NULL && regex_match(spt->value, "") < 0)
		return -EINVAL; /* report a bad expression even without SDP */
	if (p == NULL)
		return 0;
	while (*p != '\0' && rc == 0) {
		size_t len = strcspn(p, "\r\n");

		if (len > tlen && strncasecmp(p, spt->header, tlen) == 0 && p[tlen] == '=') {
			if (spt->value == NULL) {
				rc = 1;
			} else {
				char *val = strndup(p + tlen + 1, len - tlen - 1);

				if (val == NULL)
					return -ENOMEM;
				rc = regex_match(spt->value, val);
				free(val);
			}
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return rc;
}

/* One SPT, before negation: 1, 0 or a negative error. */
static int spt_eval(const struct ims_spt *spt, const struct ims_ifc_request *req)
{
	switch (spt->type) {
	case IMS_SPT_REQUEST_URI:
		if (spt->value == NULL)
			return -EINVAL;
		if (req->request_uri == NULL)
			return regex_match(spt->value, "") < 0 ? -EINVAL : 0;
		return regex_match(spt->value, req->request_uri);
	case IMS_SPT_METHOD:
		if (spt->value == NULL)
			return -EINVAL;
		if (req->method == NULL || strcasecmp(req->method, spt->value) != 0)
			return 0;
		if (spt->reg_types != 0 && strcasecmp(req->method, "REGISTER") == 0)
			return req->reg_type >= 0 && req->reg_type <= 2 &&
			       (spt->reg_types & (1u << req->reg_type)) != 0;
		return 1;
	case IMS_SPT_SIP_HEADER:
		return spt->header == NULL ? -EINVAL : match_header(spt, req);
	case IMS_SPT_SESSION_CASE:
		return req->session_case == spt->session_case;
	case IMS_SPT_SESSION_DESCRIPTION:
		return spt->header == NULL ? -EINVAL : match_sdp(spt, req);
	}
	return -EINVAL;
}

static int spt_in_group(const struct ims_spt *spt, unsigned group)
{
	size_t i;

	for (i = 0; i < spt->ngroups && i < IMS_USERDATA_MAX_GROUPS; i++)
		if (spt->groups[i] == group)
			return 1;
	return 0;
}

/* Whether group was already seen among spts[0..upto) (so it is evaluated
 * once). */
static int group_seen(const struct ims_trigger_point *tp, size_t upto, size_t k, unsigned group)
{
	size_t i, j;

	for (i = 0; i <= upto; i++) {
		size_t lim = i == upto ? k : tp->spts[i].ngroups;

		for (j = 0; j < lim && j < IMS_USERDATA_MAX_GROUPS; j++)
			if (tp->spts[i].groups[j] == group)
				return 1;
	}
	return 0;
}

int ims_ifc_matches(const struct ims_trigger_point *tp, const struct ims_ifc_request *req)
{
	int res[IMS_USERDATA_MAX_SPTS];
	size_t i, k, j;

	if (tp == NULL || req == NULL)
		return -EINVAL;
	if (tp->nspts == 0)
		return 1;
	if (tp->nspts > IMS_USERDATA_MAX_SPTS || tp->spts == NULL)
		return -EINVAL;

	for (i = 0; i < tp->nspts; i++) {
		int r = spt_eval(&tp->spts[i], req);

		if (r < 0)
			return r;
		if (tp->spts[i].ngroups == 0 || tp->spts[i].ngroups > IMS_USERDATA_MAX_GROUPS)
			return -EINVAL;
		res[i] = tp->spts[i].negated ? !r : r;
	}

	/* Visit each distinct group once, at its first occurrence. */
	for (i = 0; i < tp->nspts; i++) {
		for (k = 0; k < tp->spts[i].ngroups; k++) {
			unsigned g = tp->spts[i].groups[k];
			int acc = tp->cnf ? 0 : 1; /* CNF: OR inside; DNF: AND inside */

			if (group_seen(tp, i, k, g))
				continue;
			for (j = i; j < tp->nspts; j++) {
				if (!spt_in_group(&tp->spts[j], g))
					continue;
				if (tp->cnf)
					acc = acc || res[j];
				else
					acc = acc && res[j];
			}
			if (tp->cnf && !acc)
				return 0; /* one false clause makes the AND false */
			if (!tp->cnf && acc)
				return 1; /* one true term makes the OR true */
		}
	}
	return tp->cnf ? 1 : 0;
}

int ims_ifc_applies(const struct ims_ifc *ifc, const struct ims_ifc_request *req)
{
	if (ifc == NULL || req == NULL)
		return -EINVAL;
	if (ifc->profile_part == IMS_PROFILE_PART_REGISTERED && !req->registered)
		return 0;
	if (ifc->profile_part == IMS_PROFILE_PART_UNREGISTERED && req->registered)
		return 0;
	return ims_ifc_matches(&ifc->tp, req);
}

int ims_ifc_order(const struct ims_service_profile *sp, const struct ims_ifc **out, size_t max)
{
	size_t i, j;

	if (sp == NULL || (out == NULL && sp->nifcs > 0))
		return -EINVAL;
	if (sp->nifcs > max)
		return -E2BIG;
	/* Insertion sort: stable, and n is small (IMS_USERDATA_MAX_IFCS). */
	for (i = 0; i < sp->nifcs; i++) {
		const struct ims_ifc *cur = &sp->ifcs[i];

		for (j = i; j > 0 && out[j - 1]->priority > cur->priority; j--)
			out[j] = out[j - 1];
		out[j] = cur;
	}
	return (int)sp->nifcs;
}

void ims_ifc_sort(struct ims_ifc *ifcs, size_t n)
{
	size_t i, j;

	if (ifcs == NULL)
		return;
	for (i = 1; i < n; i++) {
		struct ims_ifc cur = ifcs[i];

		for (j = i; j > 0 && ifcs[j - 1].priority > cur.priority; j--)
			ifcs[j] = ifcs[j - 1];
		ifcs[j] = cur;
	}
}
