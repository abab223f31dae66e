/*
 * hss_userdata — the User-Data of SAA and PPR: the TS 29.228 IMSSubscription
 * of a private identity and one implicit registration set, built from the
 * database into common/ims_userdata's model and written with libxml2.
 * One ServiceProfile per distinct service profile of the set's identities.
 */
#include "hss_cx.h"

#include "ims_log.h"
#include "ims_userdata.h"

#include <stdlib.h>
#include <string.h>

#define MAX_IFCS 32
#define MAX_SPTS 32

static const enum ims_spt_type spt_types[] = {
	[HSS_SPT_REQUEST_URI] = IMS_SPT_REQUEST_URI,
	[HSS_SPT_METHOD] = IMS_SPT_METHOD,
	[HSS_SPT_HEADER] = IMS_SPT_SIP_HEADER,
	[HSS_SPT_SESSION_CASE] = IMS_SPT_SESSION_CASE,
	[HSS_SPT_SESSION_DESCRIPTION] = IMS_SPT_SESSION_DESCRIPTION,
};

static int add_spt(struct ims_ifc *ifc, const struct hss_spt *s)
{
	struct ims_spt *spt;
	bool hdr = s->type == HSS_SPT_HEADER || s->type == HSS_SPT_SESSION_DESCRIPTION;
	const char *value = s->value;

	if (s->type < HSS_SPT_REQUEST_URI || s->type > HSS_SPT_SESSION_DESCRIPTION)
		return -1;
	if (s->type == HSS_SPT_SESSION_CASE || (hdr && !value[0]))
		value = NULL;
	spt = ims_ifc_add_spt(ifc, s->group, s->negated, spt_types[s->type],
			      hdr ? s->header : NULL, value);
	if (!spt)
		return -1;
	if (s->type == HSS_SPT_SESSION_CASE)
		spt->session_case = (enum ims_session_case)atoi(s->value);
	return 0;
}

static int add_ifc(struct ims_service_profile *sp, const struct hss_ifc *f)
{
	struct ims_ifc *ifc;

	ifc = ims_profile_add_ifc(sp, f->priority, f->server_name,
				  f->default_handling ? IMS_DEFAULT_SESSION_TERMINATED
						      : IMS_DEFAULT_SESSION_CONTINUED);
	if (!ifc)
		return -1;
	ifc->tp.cnf = f->cnf;
	ifc->profile_part = f->profile_part < 0 ? IMS_PROFILE_PART_ANY
						: (enum ims_profile_part)f->profile_part;
	ifc->as.include_register_request = f->include_register_request;
	ifc->as.include_register_response = f->include_register_response;
	if (f->service_info[0] && ims_userdata_set_str(&ifc->as.service_info, f->service_info))
		return -1;
	return 0;
}

/* Where the SPT rows of a profile go: ifcs[i] (by database id) became
 * sp->ifcs[i]. */
struct spt_sink {
	struct ims_service_profile *sp;
	const struct hss_ifc *ifcs;
	int nifc, nspt[MAX_IFCS];
};

static int spt_to_ifc(void *ctx, uint64_t ifc_id, const struct hss_spt *s)
{
	struct spt_sink *k = ctx;

	for (int i = 0; i < k->nifc; i++) {
		if (k->ifcs[i].id != ifc_id)
			continue;
		if (k->nspt[i]++ >= MAX_SPTS) /* as many as an iFC may have here */
			return 0;
		return add_spt(&k->sp->ifcs[i], s) < 0 ? HSS_DB_ERROR : 0;
	}
	return 0; /* an iFC added to the profile between the two statements */
}

/* One ServiceProfile for service profile sp_id with the set's identities
 * that use it. */
static int add_profile(struct ims_subscription *sub, uint64_t sp_id,
		       const struct hss_impu *set, int n)
{
	struct ims_service_profile *sp = ims_subscription_add_profile(sub);
	/* malloc, not calloc: the reader fills whole entries, and only the
	 * first n are used; zeroing this array and the set's was 13 % of the
	 * HSS's instructions per first registration (bench/callgrind) */
	struct hss_ifc *ifcs = malloc(MAX_IFCS * sizeof *ifcs);
	struct spt_sink k = {.sp = sp, .ifcs = ifcs};
	int nifc = 0, rc = -1;

	if (!sp || !ifcs)
		goto out;
	for (int i = 0; i < n; i++) {
		struct ims_public_identity *pi;
		if (set[i].service_profile_id != sp_id)
			continue;
		pi = ims_profile_add_identity(sp, set[i].identity);
		if (!pi)
			goto out;
		pi->barred = set[i].barring;
		pi->type = (enum ims_identity_type)set[i].type;
		/* <WildcardedPSI>: the stored form (TS 23.003 13.5, "sip:conf!.*!@...") */
		if (set[i].type == HSS_WILDCARD_PSI &&
		    ims_userdata_set_str(&pi->wildcard, set[i].identity))
			goto out;
	}
	rc = hss_db_profile_ifcs(sp_id, ifcs, MAX_IFCS, &nifc);
	for (int i = 0; rc == HSS_DB_OK && i < nifc; i++)
		rc = add_ifc(sp, &ifcs[i]);
	k.nifc = nifc;
	if (rc == HSS_DB_OK && nifc > 0) /* no iFC, no SPT: spare the round trip */
		rc = hss_db_profile_spts(sp_id, spt_to_ifc, &k);
out:
	free(ifcs);
	return rc;
}

static int build(struct ims_subscription *sub, const struct hss_impu *set, int n)
{
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen = seen || set[j].service_profile_id == set[i].service_profile_id;
		if (seen)
			continue;
		int rc = add_profile(sub, set[i].service_profile_id, set, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int hss_userdata_build(const char *impi, uint64_t implicit_set, char **xml, size_t *len)
{
	struct hss_impu *set = malloc(HSS_SET_MAX * sizeof *set); /* see add_profile */
	struct ims_subscription *sub = ims_subscription_new(impi);
	int n = 0, rc = -1;

	*xml = NULL;
	if (!set || !sub)
		goto out;
	rc = hss_db_implicit_set(implicit_set, set, HSS_SET_MAX, &n);
	if (rc != HSS_DB_OK)
		goto out;
	rc = n ? build(sub, set, n) : -1;
	if (rc == 0 && ims_userdata_to_xml(sub, xml, len) < 0) {
		IMS_ERR("User-Data for %s: the profile could not be written as XML", impi);
		rc = -1;
	}
out:
	ims_subscription_free(sub);
	free(set);
	return rc;
}
