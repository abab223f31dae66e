/*
 * ims_userdata — the Cx User-Data (3GPP TS 29.228 annex E/D, CxDataType.xsd):
 * the IMSSubscription XML the HSS sends in the SAA (and PPR) and the S-CSCF
 * reads.  A plain C model, a writer and a bounded parser, both over libxml2.
 *
 * Ownership: every struct ims_subscription comes from ims_subscription_new()
 * or ims_userdata_parse() and is freed, with everything it holds, by
 * ims_subscription_free().  All strings and arrays inside are malloc'd and
 * owned by the subscription; set strings with ims_userdata_set_str() (or
 * the add helpers) rather than by assigning borrowed pointers.  A pointer
 * returned by an ims_*_add_*() helper stays valid until the next add to the
 * same parent (arrays grow with realloc).
 *
 * The model is plain data: a subscription may be read from several threads
 * at once as long as nobody modifies it.
 */
#ifndef IMS_USERDATA_H
#define IMS_USERDATA_H

#include <stdbool.h>
#include <stddef.h>

/* Parser limits.  A document beyond any of them is refused with -E2BIG. */
#define IMS_USERDATA_MAX_SIZE (1024 * 1024) /* bytes of XML */
#define IMS_USERDATA_MAX_PROFILES 64	   /* ServiceProfile per subscription */
#define IMS_USERDATA_MAX_IDENTITIES 256	   /* PublicIdentity per profile */
#define IMS_USERDATA_MAX_IFCS 128	   /* InitialFilterCriteria per profile */
#define IMS_USERDATA_MAX_SPTS 64	   /* SPT per TriggerPoint */
#define IMS_USERDATA_MAX_GROUPS 16	   /* Group per SPT */
#define IMS_USERDATA_MAX_STRING 4096	   /* bytes of any one text value */

/* tIdentityType (TS 29.228 §6.6 / CxDataType.xsd).  Whether a public user
 * identity is a SIP or tel URI is its scheme (see ims_identity_is_tel()). */
enum ims_identity_type {
	IMS_IDENTITY_PUBLIC_USER = 0,	  /* PUBLIC_USER_IDENTITY (sip: or tel:) */
	IMS_IDENTITY_DISTINCT_PSI = 1,	  /* DISTINCT_PSI */
	IMS_IDENTITY_WILDCARDED_PSI = 2,  /* WILDCARDED_PSI, pattern in wildcard */
	IMS_IDENTITY_WILDCARDED_IMPU = 3, /* WILDCARDED_IMPU, pattern in wildcard */
};

struct ims_public_identity {
	char *identity;	    /* <Identity>: sip:, sips: or tel: URI; required */
	bool barred;	    /* <BarringIndication> */
	enum ims_identity_type type; /* <Extension><IdentityType> */
	char *wildcard;	    /* <WildcardedPSI> or <WildcardedIMPU>, or NULL */
	char *display_name; /* <Extension><Extension><DisplayName>, or NULL */
};

/* tDirectionOfRequest, the SessionCase of an SPT. */
enum ims_session_case {
	IMS_SESSION_ORIGINATING = 0,
	IMS_SESSION_TERMINATING_REGISTERED = 1,
	IMS_SESSION_TERMINATING_UNREGISTERED = 2,
	IMS_SESSION_ORIGINATING_UNREGISTERED = 3,
	IMS_SESSION_ORIGINATING_CDIV = 4,
};

enum ims_spt_type {
	IMS_SPT_REQUEST_URI,	     /* value: regular expression */
	IMS_SPT_METHOD,		     /* value: method name */
	IMS_SPT_SIP_HEADER,	     /* header: name; value: regex or NULL */
	IMS_SPT_SESSION_CASE,	     /* session_case */
	IMS_SPT_SESSION_DESCRIPTION, /* header: SDP line type ("m"); value: regex or NULL */
};

/* Bits of ims_spt.reg_types (tRegistrationType in the SPT's Extension). */
#define IMS_REG_TYPE_INITIAL (1u << 0)	/* INITIAL_REGISTRATION 0 */
#define IMS_REG_TYPE_RE (1u << 1)	/* RE_REGISTRATION 1 */
#define IMS_REG_TYPE_DE (1u << 2)	/* DE_REGISTRATION 2 */

/* One Service Point Trigger. */
struct ims_spt {
	bool negated;			  /* <ConditionNegated> */
	unsigned groups[IMS_USERDATA_MAX_GROUPS]; /* <Group> values, at least one */
	size_t ngroups;
	enum ims_spt_type type;
	char *header;			  /* SIPHeader/Header or SessionDescription/Line */
	char *value;			  /* RequestURI, Method or the Content */
	enum ims_session_case session_case;
	unsigned reg_types;		  /* REGISTER only; 0 = any */
};

struct ims_trigger_point {
	bool cnf;		/* <ConditionTypeCNF>: 1 CNF, 0 DNF */
	struct ims_spt *spts;	/* nspts == 0: no TriggerPoint, always matches */
	size_t nspts;
};

enum ims_default_handling {
	IMS_DEFAULT_SESSION_CONTINUED = 0,
	IMS_DEFAULT_SESSION_TERMINATED = 1,
};

/* ProfilePartIndicator: which registration state the iFC applies to. */
enum ims_profile_part {
	IMS_PROFILE_PART_ANY = -1, /* absent */
	IMS_PROFILE_PART_REGISTERED = 0,
	IMS_PROFILE_PART_UNREGISTERED = 1,
};

struct ims_app_server {
	char *server_name; /* <ServerName>: SIP URI of the AS; required */
	enum ims_default_handling default_handling;
	char *service_info; /* <ServiceInfo>, or NULL */
	bool include_register_request;	/* <Extension><IncludeRegisterRequest/> */
	bool include_register_response; /* <Extension><IncludeRegisterResponse/> */
};

/* One InitialFilterCriteria. */
struct ims_ifc {
	int priority; /* lower value = evaluated first */
	struct ims_trigger_point tp;
	struct ims_app_server as;
	enum ims_profile_part profile_part;
};

struct ims_service_profile {
	struct ims_public_identity *identities; /* at least one */
	size_t nidentities;
	struct ims_ifc *ifcs;
	size_t nifcs;
};

struct ims_subscription {
	char *private_id; /* <PrivateID>, required */
	struct ims_service_profile *profiles; /* at least one */
	size_t nprofiles;
};

/* A new, empty subscription for private_id (copied).  Returns NULL when out
 * of memory.  The caller owns it: ims_subscription_free(). */
struct ims_subscription *ims_subscription_new(const char *private_id);

/* Free sub and everything it holds.  NULL is allowed. */
void ims_subscription_free(struct ims_subscription *sub);

/* Replace the owned string *field by a copy of value (NULL clears it).
 * Returns 0 or -ENOMEM (then *field is unchanged). */
int ims_userdata_set_str(char **field, const char *value);

/* Append an empty service profile to sub.  Returns it (owned by sub), or
 * NULL when out of memory or at IMS_USERDATA_MAX_PROFILES. */
struct ims_service_profile *ims_subscription_add_profile(struct ims_subscription *sub);

/* Append a public identity (a copy of identity, not barred, type
 * PUBLIC_USER) to sp.  Returns it (owned by sp's subscription) or NULL. */
struct ims_public_identity *ims_profile_add_identity(struct ims_service_profile *sp,
						     const char *identity);

/* Append an iFC with priority and an application server (a copy of
 * server_name, default handling dh), no trigger point (always matches),
 * profile part ANY.  Returns it or NULL. */
struct ims_ifc *ims_profile_add_ifc(struct ims_service_profile *sp, int priority,
				    const char *server_name, enum ims_default_handling dh);

/* Append an SPT of type type in group to ifc's trigger point, with copies of
 * header (SIP_HEADER, SESSION_DESCRIPTION; else NULL) and value (NULL for
 * SESSION_CASE).  Returns it or NULL (also on a missing required string). */
struct ims_spt *ims_ifc_add_spt(struct ims_ifc *ifc, unsigned group, bool negated,
				enum ims_spt_type type, const char *header, const char *value);

/* Serialise sub as an IMSSubscription document (UTF-8, with XML
 * declaration).  On success *xml is a NUL-terminated malloc'd string the
 * caller frees with free(), and *len (if not NULL) its length.  Returns 0,
 * -EINVAL when sub lacks a required part (PrivateID, a ServiceProfile, an
 * Identity, a ServerName, an SPT's value or header) or holds invalid UTF-8,
 * or -ENOMEM. */
int ims_userdata_to_xml(const struct ims_subscription *sub, char **xml, size_t *len);

/* Parse an IMSSubscription document of len bytes.  On success *out is a new
 * subscription the caller frees with ims_subscription_free().  Returns 0,
 * -EINVAL for malformed XML or a document that is not a valid
 * IMSSubscription (missing required elements, bad numbers, a DTD), -E2BIG
 * beyond the IMS_USERDATA_MAX_* limits, or -ENOMEM.  Never loads external
 * entities or DTDs and never touches the network.  Unknown elements (newer
 * Extensions) are ignored.  Thread-safe once libxml2 is initialised
 * (xmlInitParser(), which this function also calls). */
int ims_userdata_parse(const char *xml, size_t len, struct ims_subscription **out);

/* 1 when identity is a tel: URI (case-insensitive scheme), else 0. */
int ims_identity_is_tel(const char *identity);

#endif
