/*
 * ims_ifc — pure evaluation of initial filter criteria (3GPP TS 29.228
 * annex B/C, TS 24.229 §5.4.3) against a request, and their ordering.
 *
 * Nothing here touches sofia-sip: the S-CSCF describes the request in a
 * struct ims_ifc_request whose strings it borrows for the call.  All
 * functions are reentrant and do not modify the profile.
 *
 * Regular expressions (RequestURI, SIPHeader Content, SessionDescription
 * Content) are POSIX extended, case-insensitive and unanchored (regexec()
 * finds them anywhere; write ^...$ to anchor), as OpenIMSCore and Kamailio's
 * ims_isc treat them.  They are compiled at each evaluation (no cache):
 * cheap for the handful of SPTs a profile has.
 */
#ifndef IMS_IFC_H
#define IMS_IFC_H

#include <stdbool.h>
#include <stddef.h>

#include "ims_userdata.h"

/* One header field of the request; repeated names are separate entries. */
struct ims_ifc_header {
	const char *name;  /* as in the message; compared case-insensitively */
	const char *value; /* the field value */
};

/* Returns the index-th (0-based) value of header name, or NULL when there
 * are no more.  The string must stay valid until the evaluation returns. */
typedef const char *(*ims_ifc_header_fn)(void *arg, const char *name, size_t index);

struct ims_ifc_request {
	const char *method;	 /* "INVITE" ...; compared case-insensitively */
	const char *request_uri; /* the Request-URI as text */
	enum ims_session_case session_case;
	/* Header fields: header_fn when set, else the headers array. */
	ims_ifc_header_fn header_fn;
	void *header_arg;
	const struct ims_ifc_header *headers;
	size_t nheaders;
	const char *sdp; /* the SDP body, or NULL */
	int reg_type;	 /* REGISTER: 0 initial, 1 re-, 2 de-registration; -1 unknown */
	bool registered; /* served user registered (ProfilePartIndicator) */
};

/* Evaluate trigger point tp against req.  ConditionTypeCNF 1: an AND over
 * the groups, each an OR of the SPTs carrying that Group; 0 (DNF): an OR
 * over the groups, each an AND.  An SPT with ConditionNegated counts
 * inverted.  A trigger point without SPTs matches.  Returns 1 on a match, 0
 * on none, -EINVAL for an unusable SPT (bad regular expression, missing
 * value) or NULL arguments, -ENOMEM. */
int ims_ifc_matches(const struct ims_trigger_point *tp, const struct ims_ifc_request *req);

/* ims_ifc_matches() for ifc's trigger point, after checking its
 * ProfilePartIndicator against req->registered.  Same return values. */
int ims_ifc_applies(const struct ims_ifc *ifc, const struct ims_ifc_request *req);

/* Fill out[0..n) with pointers to sp's iFCs in evaluation order (ascending
 * Priority; equal priorities keep document order).  The pointers are
 * borrowed from sp.  Returns the number of iFCs, or -E2BIG when max is
 * smaller than sp->nifcs, -EINVAL on NULL arguments. */
int ims_ifc_order(const struct ims_service_profile *sp, const struct ims_ifc **out, size_t max);

/* Sort ifcs[0..n) in place by ascending Priority (stable). */
void ims_ifc_sort(struct ims_ifc *ifcs, size_t n);

#endif
