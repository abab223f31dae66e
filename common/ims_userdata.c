/*
 * ims_userdata — the IMSSubscription model, writer (xmlTextWriter) and
 * bounded parser (libxml2 tree API) of TS 29.228's CxDataType.xsd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "ims_userdata.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

/* ---- model ------------------------------------------------------------ */

int ims_userdata_set_str(char **field, const char *value)
{
	char *copy = NULL;

	if (field == NULL)
		return -EINVAL;
	if (value != NULL) {
		copy = strdup(value);
		if (copy == NULL)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

struct ims_subscription *ims_subscription_new(const char *private_id)
{
	struct ims_subscription *sub = calloc(1, sizeof(*sub));

	if (sub == NULL)
		return NULL;
	if (private_id != NULL && ims_userdata_set_str(&sub->private_id, private_id) < 0) {
		free(sub);
		return NULL;
	}
	return sub;
}

static void spt_free(struct ims_spt *spt)
{
	free(spt->header);
	free(spt->value);
}

static void ifc_free(struct ims_ifc *ifc)
{
	size_t i;

	for (i = 0; i < ifc->tp.nspts; i++)
		spt_free(&ifc->tp.spts[i]);
	free(ifc->tp.spts);
	free(ifc->as.server_name);
	free(ifc->as.service_info);
}

static void profile_free(struct ims_service_profile *sp)
{
	size_t i;

	for (i = 0; i < sp->nidentities; i++) {
		free(sp->identities[i].identity);
		free(sp->identities[i].wildcard);
		free(sp->identities[i].display_name);
	}
	free(sp->identities);
	for (i = 0; i < sp->nifcs; i++)
		ifc_free(&sp->ifcs[i]);
	free(sp->ifcs);
}

void ims_subscription_free(struct ims_subscription *sub)
{
	size_t i;

	if (sub == NULL)
		return;
	for (i = 0; i < sub->nprofiles; i++)
		profile_free(&sub->profiles[i]);
	free(sub->profiles);
	free(sub->private_id);
	free(sub);
}

/* Grow *array (of n elements of size sz) by one zeroed element; returns it. */
static void *grow(void **array, size_t *n, size_t sz, size_t max)
{
	unsigned char *p;

	if (*n >= max)
		return NULL;
	p = realloc(*array, (*n + 1) * sz);
	if (p == NULL)
		return NULL;
	*array = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

struct ims_service_profile *ims_subscription_add_profile(struct ims_subscription *sub)
{
	if (sub == NULL)
		return NULL;
	return grow((void **)&sub->profiles, &sub->nprofiles, sizeof(*sub->profiles),
		    IMS_USERDATA_MAX_PROFILES);
}

struct ims_public_identity *ims_profile_add_identity(struct ims_service_profile *sp,
						     const char *identity)
{
	struct ims_public_identity *pi;
	char *copy;

	if (sp == NULL || identity == NULL)
		return NULL;
	copy = strdup(identity);
	if (copy == NULL)
		return NULL;
	pi = grow((void **)&sp->identities, &sp->nidentities, sizeof(*sp->identities),
		  IMS_USERDATA_MAX_IDENTITIES);
	if (pi == NULL) {
		free(copy);
		return NULL;
	}
	pi->identity = copy;
	pi->type = IMS_IDENTITY_PUBLIC_USER;
	return pi;
}

struct ims_ifc *ims_profile_add_ifc(struct ims_service_profile *sp, int priority,
				    const char *server_name, enum ims_default_handling dh)
{
	struct ims_ifc *ifc;
	char *copy;

	if (sp == NULL || server_name == NULL)
		return NULL;
	copy = strdup(server_name);
	if (copy == NULL)
		return NULL;
	ifc = grow((void **)&sp->ifcs, &sp->nifcs, sizeof(*sp->ifcs), IMS_USERDATA_MAX_IFCS);
	if (ifc == NULL) {
		free(copy);
		return NULL;
	}
	ifc->priority = priority;
	ifc->as.server_name = copy;
	ifc->as.default_handling = dh;
	ifc->profile_part = IMS_PROFILE_PART_ANY;
	return ifc;
}

struct ims_spt *ims_ifc_add_spt(struct ims_ifc *ifc, unsigned group, bool negated,
				enum ims_spt_type type, const char *header, const char *value)
{
	struct ims_spt *spt;
	char *h = NULL, *v = NULL;

	if (ifc == NULL)
		return NULL;
	switch (type) {
	case IMS_SPT_REQUEST_URI:
	case IMS_SPT_METHOD:
		if (value == NULL)
			return NULL;
		break;
	case IMS_SPT_SIP_HEADER:
	case IMS_SPT_SESSION_DESCRIPTION:
		if (header == NULL)
			return NULL;
		break;
	case IMS_SPT_SESSION_CASE:
		break;
	default:
		return NULL;
	}
	if (header != NULL && (h = strdup(header)) == NULL)
		goto fail;
	if (value != NULL && (v = strdup(value)) == NULL)
		goto fail;
	spt = grow((void **)&ifc->tp.spts, &ifc->tp.nspts, sizeof(*ifc->tp.spts),
		   IMS_USERDATA_MAX_SPTS);
	if (spt == NULL)
		goto fail;
	spt->negated = negated;
	spt->groups[0] = group;
	spt->ngroups = 1;
	spt->type = type;
	spt->header = h;
	spt->value = v;
	return spt;
fail:
	free(h);
	free(v);
	return NULL;
}

int ims_identity_is_tel(const char *identity)
{
	return identity != NULL && strncasecmp(identity, "tel:", 4) == 0;
}

/* ---- writer ----------------------------------------------------------- */

/* Text the XML 1.0 document can carry: UTF-8, no control characters other
 * than tab, newline and carriage return. */
static int valid_text(const char *s)
{
	const unsigned char *p;

	if (s == NULL || strlen(s) > IMS_USERDATA_MAX_STRING)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return xmlCheckUTF8((const unsigned char *)s) != 0;
}

static int w_start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, BAD_CAST name) < 0 ? -ENOMEM : 0;
}

static int w_end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w) < 0 ? -ENOMEM : 0;
}

static int w_text(xmlTextWriterPtr w, const char *name, const char *text)
{
	if (!valid_text(text))
		return -EINVAL;
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text) < 0 ? -ENOMEM : 0;
}

static int w_int(xmlTextWriterPtr w, const char *name, long value)
{
	return xmlTextWriterWriteFormatElement(w, BAD_CAST name, "%ld", value) < 0 ? -ENOMEM : 0;
}

static int w_empty(xmlTextWriterPtr w, const char *name)
{
	int rc = w_start(w, name);

	return rc < 0 ? rc : w_end(w);
}

static int write_identity(xmlTextWriterPtr w, const struct ims_public_identity *pi)
{
	bool wpsi = pi->type == IMS_IDENTITY_WILDCARDED_PSI && pi->wildcard != NULL;
	bool wimpu = pi->type == IMS_IDENTITY_WILDCARDED_IMPU && pi->wildcard != NULL;
	int rc;

	if (pi->identity == NULL || pi->identity[0] == '\0')
		return -EINVAL;
	if ((unsigned)pi->type > IMS_IDENTITY_WILDCARDED_IMPU)
		return -EINVAL;
	if ((rc = w_start(w, "PublicIdentity")) < 0)
		return rc;
	if (pi->barred && (rc = w_int(w, "BarringIndication", 1)) < 0)
		return rc;
	if ((rc = w_text(w, "Identity", pi->identity)) < 0)
		return rc;
	if (pi->type != IMS_IDENTITY_PUBLIC_USER || pi->display_name != NULL || wimpu) {
		if ((rc = w_start(w, "Extension")) < 0 || (rc = w_int(w, "IdentityType", pi->type)) < 0)
			return rc;
		if (wpsi && (rc = w_text(w, "WildcardedPSI", pi->wildcard)) < 0)
			return rc;
		if (pi->display_name != NULL || wimpu) {
			if ((rc = w_start(w, "Extension")) < 0)
				return rc;
			if (pi->display_name != NULL &&
			    (rc = w_text(w, "DisplayName", pi->display_name)) < 0)
				return rc;
			if (wimpu && ((rc = w_start(w, "Extension")) < 0 ||
				      (rc = w_text(w, "WildcardedIMPU", pi->wildcard)) < 0 ||
				      (rc = w_end(w)) < 0))
				return rc;
			if ((rc = w_end(w)) < 0)
				return rc;
		}
		if ((rc = w_end(w)) < 0)
			return rc;
	}
	return w_end(w);
}

static int write_spt_body(xmlTextWriterPtr w, const struct ims_spt *spt)
{
	const char *outer = spt->type == IMS_SPT_SIP_HEADER ? "SIPHeader" : "SessionDescription";
	const char *inner = spt->type == IMS_SPT_SIP_HEADER ? "Header" : "Line";
	int rc;

	switch (spt->type) {
	case IMS_SPT_REQUEST_URI:
		return w_text(w, "RequestURI", spt->value);
	case IMS_SPT_METHOD:
		return w_text(w, "Method", spt->value);
	case IMS_SPT_SESSION_CASE:
		if ((unsigned)spt->session_case > IMS_SESSION_ORIGINATING_CDIV)
			return -EINVAL;
		return w_int(w, "SessionCase", spt->session_case);
	case IMS_SPT_SIP_HEADER:
	case IMS_SPT_SESSION_DESCRIPTION:
		if ((rc = w_start(w, outer)) < 0 || (rc = w_text(w, inner, spt->header)) < 0)
			return rc;
		if (spt->value != NULL && (rc = w_text(w, "Content", spt->value)) < 0)
			return rc;
		return w_end(w);
	}
	return -EINVAL;
}

static int write_spt(xmlTextWriterPtr w, const struct ims_spt *spt)
{
	size_t i;
	int rc;

	if (spt->ngroups == 0 || spt->ngroups > IMS_USERDATA_MAX_GROUPS)
		return -EINVAL;
	if ((rc = w_start(w, "SPT")) < 0 || (rc = w_int(w, "ConditionNegated", spt->negated)) < 0)
		return rc;
	for (i = 0; i < spt->ngroups; i++)
		if ((rc = w_int(w, "Group", (long)spt->groups[i])) < 0)
			return rc;
	if ((rc = write_spt_body(w, spt)) < 0)
		return rc;
	if (spt->reg_types != 0) {
		if ((rc = w_start(w, "Extension")) < 0)
			return rc;
		for (i = 0; i < 3; i++)
			if ((spt->reg_types & (1u << i)) &&
			    (rc = w_int(w, "RegistrationType", (long)i)) < 0)
				return rc;
		if ((rc = w_end(w)) < 0)
			return rc;
	}
	return w_end(w);
}

static int write_as(xmlTextWriterPtr w, const struct ims_app_server *as)
{
	int rc;

	if (as->server_name == NULL || as->server_name[0] == '\0' ||
	    (unsigned)as->default_handling > IMS_DEFAULT_SESSION_TERMINATED)
		return -EINVAL;
	if ((rc = w_start(w, "ApplicationServer")) < 0 ||
	    (rc = w_text(w, "ServerName", as->server_name)) < 0 ||
	    (rc = w_int(w, "DefaultHandling", as->default_handling)) < 0)
		return rc;
	if (as->service_info != NULL && (rc = w_text(w, "ServiceInfo", as->service_info)) < 0)
		return rc;
	if (as->include_register_request || as->include_register_response) {
		if ((rc = w_start(w, "Extension")) < 0)
			return rc;
		if (as->include_register_request && (rc = w_empty(w, "IncludeRegisterRequest")) < 0)
			return rc;
		if (as->include_register_response &&
		    (rc = w_empty(w, "IncludeRegisterResponse")) < 0)
			return rc;
		if ((rc = w_end(w)) < 0)
			return rc;
	}
	return w_end(w);
}

static int write_ifc(xmlTextWriterPtr w, const struct ims_ifc *ifc)
{
	size_t i;
	int rc;

	if ((rc = w_start(w, "InitialFilterCriteria")) < 0 ||
	    (rc = w_int(w, "Priority", ifc->priority)) < 0)
		return rc;
	if (ifc->tp.nspts > 0) {
		if ((rc = w_start(w, "TriggerPoint")) < 0 ||
		    (rc = w_int(w, "ConditionTypeCNF", ifc->tp.cnf)) < 0)
			return rc;
		for (i = 0; i < ifc->tp.nspts; i++)
			if ((rc = write_spt(w, &ifc->tp.spts[i])) < 0)
				return rc;
		if ((rc = w_end(w)) < 0)
			return rc;
	}
	if ((rc = write_as(w, &ifc->as)) < 0)
		return rc;
	if (ifc->profile_part != IMS_PROFILE_PART_ANY) {
		if (ifc->profile_part != IMS_PROFILE_PART_REGISTERED &&
		    ifc->profile_part != IMS_PROFILE_PART_UNREGISTERED)
			return -EINVAL;
		if ((rc = w_int(w, "ProfilePartIndicator", ifc->profile_part)) < 0)
			return rc;
	}
	return w_end(w);
}

static int write_subscription(xmlTextWriterPtr w, const struct ims_subscription *sub)
{
	size_t i, j;
	int rc;

	if (sub->private_id == NULL || sub->nprofiles == 0)
		return -EINVAL;
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0)
		return -ENOMEM;
	if ((rc = w_start(w, "IMSSubscription")) < 0 ||
	    (rc = w_text(w, "PrivateID", sub->private_id)) < 0)
		return rc;
	for (i = 0; i < sub->nprofiles; i++) {
		const struct ims_service_profile *sp = &sub->profiles[i];

		if (sp->nidentities == 0)
			return -EINVAL;
		if ((rc = w_start(w, "ServiceProfile")) < 0)
			return rc;
		for (j = 0; j < sp->nidentities; j++)
			if ((rc = write_identity(w, &sp->identities[j])) < 0)
				return rc;
		for (j = 0; j < sp->nifcs; j++)
			if ((rc = write_ifc(w, &sp->ifcs[j])) < 0)
				return rc;
		if ((rc = w_end(w)) < 0)
			return rc;
	}
	if ((rc = w_end(w)) < 0)
		return rc;
	return xmlTextWriterEndDocument(w) < 0 ? -ENOMEM : 0;
}

int ims_userdata_to_xml(const struct ims_subscription *sub, char **xml, size_t *len)
{
	xmlBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	const xmlChar *content;
	size_t n;
	int rc;

	if (sub == NULL || xml == NULL)
		return -EINVAL;
	*xml = NULL;
	xmlInitParser();
	buf = xmlBufferCreate();
	if (buf == NULL)
		return -ENOMEM;
	w = xmlNewTextWriterMemory(buf, 0);
	if (w == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = write_subscription(w, sub);
	xmlFreeTextWriter(w); /* flushes into buf */
	w = NULL;
	if (rc < 0)
		goto out;
	content = xmlBufferContent(buf);
	n = (size_t)xmlBufferLength(buf);
	*xml = malloc(n + 1);
	if (*xml == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(*xml, content, n);
	(*xml)[n] = '\0';
	if (len != NULL)
		*len = n;
out:
	if (w != NULL)
		xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	return rc;
}

/* ---- parser ----------------------------------------------------------- */

static int is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

/* Trimmed copy of the text of n into *out (malloc'd). */
static int node_text(const xmlNode *n, char **out)
{
	xmlChar *c = xmlNodeGetContent(n);
	const char *s, *e;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (c == NULL)
		return -ENOMEM;
	s = (const char *)c;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	len = (size_t)(e - s);
	if (len > IMS_USERDATA_MAX_STRING) {
		rc = -E2BIG;
		goto out;
	}
	*out = malloc(len + 1);
	if (*out == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(*out, s, len);
	(*out)[len] = '\0';
out:
	xmlFree(c);
	return rc;
}

/* A required, non-empty, single-valued text element into *field. */
static int node_str(const xmlNode *n, char **field)
{
	char *s;
	int rc;

	if (*field != NULL)
		return -EINVAL; /* duplicate */
	if ((rc = node_text(n, &s)) < 0)
		return rc;
	if (s[0] == '\0') {
		free(s);
		return -EINVAL;
	}
	*field = s;
	return 0;
}

static int node_long(const xmlNode *n, long min, long max, long *out)
{
	char *s, *end;
	long v;
	int rc;

	if ((rc = node_text(n, &s)) < 0)
		return rc;
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		rc = -EINVAL;
	else
		*out = v;
	free(s);
	return rc;
}

/* tBool: 0 or 1 (xs:boolean's true/false accepted too). */
static int node_bool(const xmlNode *n, bool *out)
{
	char *s;
	int rc;

	if ((rc = node_text(n, &s)) < 0)
		return rc;
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		*out = false;
	else
		rc = -EINVAL;
	free(s);
	return rc;
}

#define FOR_EACH_ELEM(c, parent)                                                           \
	for (c = (parent)->children; c != NULL; c = c->next)                                \
		if (c->type == XML_ELEMENT_NODE)

/* PublicIdentity/Extension/Extension (tPublicIdentityExtension2). */
static int parse_identity_ext2(const xmlNode *n, struct ims_public_identity *pi)
{
	const xmlNode *c, *d;
	int rc = 0;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "DisplayName")) {
			if (pi->display_name != NULL)
				return -EINVAL;
			rc = node_text(c, &pi->display_name);
		} else if (is_elem(c, "Extension")) {
			FOR_EACH_ELEM(d, c)
			{
				if (is_elem(d, "WildcardedIMPU"))
					rc = node_str(d, &pi->wildcard);
				if (rc < 0)
					return rc;
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int parse_identity(const xmlNode *n, struct ims_service_profile *sp)
{
	struct ims_public_identity pi = {0}, *slot;
	const xmlNode *c, *d;
	long type;
	int rc = 0;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "BarringIndication")) {
			rc = node_bool(c, &pi.barred);
		} else if (is_elem(c, "Identity")) {
			rc = node_str(c, &pi.identity);
		} else if (is_elem(c, "Extension")) {
			FOR_EACH_ELEM(d, c)
			{
				if (is_elem(d, "IdentityType")) {
					rc = node_long(d, 0, IMS_IDENTITY_WILDCARDED_IMPU, &type);
					if (rc == 0)
						pi.type = (enum ims_identity_type)type;
				} else if (is_elem(d, "WildcardedPSI")) {
					rc = node_str(d, &pi.wildcard);
				} else if (is_elem(d, "Extension")) {
					rc = parse_identity_ext2(d, &pi);
				}
				if (rc < 0)
					goto fail;
			}
		}
		if (rc < 0)
			goto fail;
	}
	if (pi.identity == NULL) {
		rc = -EINVAL;
		goto fail;
	}
	slot = grow((void **)&sp->identities, &sp->nidentities, sizeof(*sp->identities),
		    IMS_USERDATA_MAX_IDENTITIES);
	if (slot == NULL) {
		rc = sp->nidentities >= IMS_USERDATA_MAX_IDENTITIES ? -E2BIG : -ENOMEM;
		goto fail;
	}
	*slot = pi;
	return 0;
fail:
	free(pi.identity);
	free(pi.wildcard);
	free(pi.display_name);
	return rc;
}

/* SIPHeader {Header, Content?} or SessionDescription {Line, Content?}. */
static int parse_spt_pair(const xmlNode *n, const char *first, struct ims_spt *spt)
{
	const xmlNode *c;
	int rc = 0;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, first))
			rc = node_str(c, &spt->header);
		else if (is_elem(c, "Content"))
			rc = node_str(c, &spt->value);
		if (rc < 0)
			return rc;
	}
	return spt->header != NULL ? 0 : -EINVAL;
}

static int parse_spt_ext(const xmlNode *n, struct ims_spt *spt)
{
	const xmlNode *c;
	long v;
	int rc;

	FOR_EACH_ELEM(c, n)
	{
		if (!is_elem(c, "RegistrationType"))
			continue;
		if ((rc = node_long(c, 0, 2, &v)) < 0)
			return rc;
		spt->reg_types |= 1u << v;
	}
	return 0;
}

static int parse_spt(const xmlNode *n, struct ims_trigger_point *tp)
{
	struct ims_spt spt = {0}, *slot;
	const xmlNode *c;
	int kinds = 0, rc = 0;
	long v;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "ConditionNegated")) {
			rc = node_bool(c, &spt.negated);
		} else if (is_elem(c, "Group")) {
			if (spt.ngroups >= IMS_USERDATA_MAX_GROUPS) {
				rc = -E2BIG;
			} else if ((rc = node_long(c, 0, INT_MAX, &v)) == 0) {
				spt.groups[spt.ngroups++] = (unsigned)v;
			}
		} else if (is_elem(c, "RequestURI")) {
			kinds++;
			spt.type = IMS_SPT_REQUEST_URI;
			rc = node_str(c, &spt.value);
		} else if (is_elem(c, "Method")) {
			kinds++;
			spt.type = IMS_SPT_METHOD;
			rc = node_str(c, &spt.value);
		} else if (is_elem(c, "SIPHeader")) {
			kinds++;
			spt.type = IMS_SPT_SIP_HEADER;
			rc = parse_spt_pair(c, "Header", &spt);
		} else if (is_elem(c, "SessionCase")) {
			kinds++;
			spt.type = IMS_SPT_SESSION_CASE;
			rc = node_long(c, 0, IMS_SESSION_ORIGINATING_CDIV, &v);
			if (rc == 0)
				spt.session_case = (enum ims_session_case)v;
		} else if (is_elem(c, "SessionDescription")) {
			kinds++;
			spt.type = IMS_SPT_SESSION_DESCRIPTION;
			rc = parse_spt_pair(c, "Line", &spt);
		} else if (is_elem(c, "Extension")) {
			rc = parse_spt_ext(c, &spt);
		}
		if (rc < 0)
			goto fail;
		if (kinds > 1) { /* a choice: exactly one */
			rc = -EINVAL;
			goto fail;
		}
	}
	if (kinds != 1 || spt.ngroups == 0) {
		rc = -EINVAL;
		goto fail;
	}
	slot = grow((void **)&tp->spts, &tp->nspts, sizeof(*tp->spts), IMS_USERDATA_MAX_SPTS);
	if (slot == NULL) {
		rc = tp->nspts >= IMS_USERDATA_MAX_SPTS ? -E2BIG : -ENOMEM;
		goto fail;
	}
	*slot = spt;
	return 0;
fail:
	spt_free(&spt);
	return rc;
}

static int parse_trigger_point(const xmlNode *n, struct ims_trigger_point *tp)
{
	const xmlNode *c;
	bool have_cnf = false;
	int rc = 0;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "ConditionTypeCNF")) {
			rc = have_cnf ? -EINVAL : node_bool(c, &tp->cnf);
			have_cnf = true;
		} else if (is_elem(c, "SPT")) {
			rc = parse_spt(c, tp);
		}
		if (rc < 0)
			return rc;
	}
	return have_cnf && tp->nspts > 0 ? 0 : -EINVAL;
}

static int parse_as(const xmlNode *n, struct ims_app_server *as)
{
	const xmlNode *c, *d;
	long v;
	int rc = 0;

	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "ServerName")) {
			rc = node_str(c, &as->server_name);
		} else if (is_elem(c, "DefaultHandling")) {
			rc = node_long(c, 0, 1, &v);
			if (rc == 0)
				as->default_handling = (enum ims_default_handling)v;
		} else if (is_elem(c, "ServiceInfo")) {
			rc = as->service_info != NULL ? -EINVAL : node_text(c, &as->service_info);
		} else if (is_elem(c, "Extension")) {
			FOR_EACH_ELEM(d, c)
			{
				if (is_elem(d, "IncludeRegisterRequest"))
					as->include_register_request = true;
				else if (is_elem(d, "IncludeRegisterResponse"))
					as->include_register_response = true;
			}
		}
		if (rc < 0)
			return rc;
	}
	return as->server_name != NULL ? 0 : -EINVAL;
}

static int parse_ifc(const xmlNode *n, struct ims_service_profile *sp)
{
	struct ims_ifc ifc = {0}, *slot;
	const xmlNode *c;
	bool have_prio = false, have_tp = false;
	long v;
	int rc = 0;

	ifc.profile_part = IMS_PROFILE_PART_ANY;
	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "Priority")) {
			rc = have_prio ? -EINVAL : node_long(c, INT_MIN, INT_MAX, &v);
			if (rc == 0)
				ifc.priority = (int)v;
			have_prio = true;
		} else if (is_elem(c, "TriggerPoint")) {
			rc = have_tp ? -EINVAL : parse_trigger_point(c, &ifc.tp);
			have_tp = true;
		} else if (is_elem(c, "ApplicationServer")) {
			rc = ifc.as.server_name != NULL ? -EINVAL : parse_as(c, &ifc.as);
		} else if (is_elem(c, "ProfilePartIndicator")) {
			rc = node_long(c, 0, 1, &v);
			if (rc == 0)
				ifc.profile_part = (enum ims_profile_part)v;
		}
		if (rc < 0)
			goto fail;
	}
	if (!have_prio || ifc.as.server_name == NULL) {
		rc = -EINVAL;
		goto fail;
	}
	slot = grow((void **)&sp->ifcs, &sp->nifcs, sizeof(*sp->ifcs), IMS_USERDATA_MAX_IFCS);
	if (slot == NULL) {
		rc = sp->nifcs >= IMS_USERDATA_MAX_IFCS ? -E2BIG : -ENOMEM;
		goto fail;
	}
	*slot = ifc;
	return 0;
fail:
	ifc_free(&ifc);
	return rc;
}

static int parse_profile(const xmlNode *n, struct ims_subscription *sub)
{
	struct ims_service_profile *sp;
	const xmlNode *c;
	int rc = 0;

	sp = ims_subscription_add_profile(sub);
	if (sp == NULL)
		return sub->nprofiles >= IMS_USERDATA_MAX_PROFILES ? -E2BIG : -ENOMEM;
	FOR_EACH_ELEM(c, n)
	{
		if (is_elem(c, "PublicIdentity"))
			rc = parse_identity(c, sp);
		else if (is_elem(c, "InitialFilterCriteria"))
			rc = parse_ifc(c, sp);
		if (rc < 0)
			return rc; /* sp is freed with sub */
	}
	return sp->nidentities > 0 ? 0 : -EINVAL;
}

static int parse_subscription(const xmlNode *root, struct ims_subscription *sub)
{
	const xmlNode *c;
	int rc = 0;

	if (!is_elem(root, "IMSSubscription"))
		return -EINVAL;
	FOR_EACH_ELEM(c, root)
	{
		if (is_elem(c, "PrivateID"))
			rc = node_str(c, &sub->private_id);
		else if (is_elem(c, "ServiceProfile"))
			rc = parse_profile(c, sub);
		if (rc < 0)
			return rc;
	}
	return sub->private_id != NULL && sub->nprofiles > 0 ? 0 : -EINVAL;
}

int ims_userdata_parse(const char *xml, size_t len, struct ims_subscription **out)
{
	struct ims_subscription *sub = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int rc;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (xml == NULL || len == 0)
		return -EINVAL;
	if (len > IMS_USERDATA_MAX_SIZE)
		return -E2BIG;
	/* No DTD, hence no entity declarations, ever: refuse before parsing. */
	if (memmem(xml, len, "<!DOCTYPE", 9) != NULL || memmem(xml, len, "<!ENTITY", 8) != NULL)
		return -EINVAL;

	xmlInitParser();
	/* XML_PARSE_NONET: no network; no XML_PARSE_NOENT / DTDLOAD / XINCLUDE /
	 * HUGE: entities are not substituted, nothing external is loaded and
	 * libxml2's own depth and size limits stay on. */
	doc = xmlReadMemory(xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -EINVAL;
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = -EINVAL;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		rc = -EINVAL;
		goto out;
	}
	sub = ims_subscription_new(NULL);
	if (sub == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = parse_subscription(root, sub);
	if (rc == 0) {
		*out = sub;
		sub = NULL;
	}
out:
	ims_subscription_free(sub);
	xmlFreeDoc(doc);
	return rc;
}
