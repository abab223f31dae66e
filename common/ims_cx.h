/*
 * ims_cx — the Cx/Dx application (3GPP TS 29.228 / TS 29.229) over
 * freeDiameter: dictionary, constants and typed AVP helpers.
 *
 * ims_cx_dict_init() makes sure the dictionary holds the Cx application
 * (Auth-Application-Id 16777216, vendor 10415), its six command pairs and
 * every AVP Cx uses, creating only what is missing: Debian's
 * dict_dcca_3gpp.fdx and dict_sip.fdx may or may not be loaded, and each
 * object is looked up by code (and vendor) first.  The dict_object pointers
 * are then kept in the exported struct ims_cx, e.g. ims_cx.cmd_uar,
 * ims_cx.avp_public_identity, ims_cx.avp_session_id.
 *
 * Command names: dict_sip.fdx already uses "User-Authorization-Request" etc.
 * for the RFC 4740 commands 283-288, and freeDiameter's command names are
 * global, so commands created here are named "Cx-User-Authorization-Request"
 * and so on.  Use the pointers, never the names.
 *
 * Rules: the grouped AVPs (Server-Capabilities, SIP-Auth-Data-Item,
 * Deregistration-Reason, Supported-Features, Associated-Identities,
 * SIP-Digest-Authenticate) get TS 29.229's ABNF as dictionary rules, which
 * freeDiameter checks on every received message (a request that breaks
 * them is answered with DIAMETER_MISSING_AVP & co. before any handler runs;
 * a success answer that breaks them is dropped, and ims_diam_send() then
 * reports a NULL answer).  The commands themselves get no rules, so that
 * handlers see and log what is missing.
 *
 * Threads: ims_cx_dict_init() runs once at start (ims_diam_start() calls
 * it).  All other functions only touch the message they are given and may
 * run on any thread, freeDiameter's included.
 *
 * Errors: functions return 0 or a negative errno value (-EINVAL bad
 * argument or malformed AVP, -ENOENT AVP absent, -ENOSPC caller buffer too
 * small, -ENOMEM); freeDiameter failures are logged.
 */
#ifndef IMS_CX_H
#define IMS_CX_H

#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdcore.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Identifiers ---------------------------------------------------- */

#define IMS_CX_VENDOR_3GPP 10415u
#define IMS_CX_APP_ID 16777216u

/* Command codes (request and answer share the code). */
enum ims_cx_cmd {
	IMS_CX_CMD_UAR = 300, /* User-Authorization  I-CSCF -> HSS */
	IMS_CX_CMD_SAR = 301, /* Server-Assignment   S-CSCF -> HSS */
	IMS_CX_CMD_LIR = 302, /* Location-Info       I-CSCF -> HSS */
	IMS_CX_CMD_MAR = 303, /* Multimedia-Auth     S-CSCF -> HSS */
	IMS_CX_CMD_RTR = 304, /* Registration-Termination HSS -> S-CSCF */
	IMS_CX_CMD_PPR = 305, /* Push-Profile        HSS -> S-CSCF */
};

/* AVP codes: vendor 0 (base protocol, RFC 4740 digest) ... */
enum ims_cx_avp_code_base {
	IMS_AVP_USER_NAME = 1,
	IMS_AVP_DIGEST_REALM = 104,
	IMS_AVP_DIGEST_NONCE = 105,
	IMS_AVP_DIGEST_QOP = 110,
	IMS_AVP_DIGEST_ALGORITHM = 111,
	IMS_AVP_DIGEST_HA1 = 121,
	IMS_AVP_AUTH_APPLICATION_ID = 258,
	IMS_AVP_VENDOR_SPECIFIC_APPLICATION_ID = 260,
	IMS_AVP_SESSION_ID = 263,
	IMS_AVP_ORIGIN_HOST = 264,
	IMS_AVP_VENDOR_ID = 266,
	IMS_AVP_RESULT_CODE = 268,
	IMS_AVP_AUTH_SESSION_STATE = 277,
	IMS_AVP_FAILED_AVP = 279,
	IMS_AVP_DESTINATION_REALM = 283,
	IMS_AVP_DESTINATION_HOST = 293,
	IMS_AVP_ORIGIN_REALM = 296,
	IMS_AVP_EXPERIMENTAL_RESULT = 297,
	IMS_AVP_EXPERIMENTAL_RESULT_CODE = 298,
};

/* ... and vendor 10415 (3GPP, TS 29.229 section 6.3). */
enum ims_cx_avp_code {
	IMS_CX_AVP_VISITED_NETWORK_IDENTIFIER = 600,  /* OctetString */
	IMS_CX_AVP_PUBLIC_IDENTITY = 601,             /* UTF8String */
	IMS_CX_AVP_SERVER_NAME = 602,                 /* UTF8String */
	IMS_CX_AVP_SERVER_CAPABILITIES = 603,         /* Grouped */
	IMS_CX_AVP_MANDATORY_CAPABILITY = 604,        /* Unsigned32 */
	IMS_CX_AVP_OPTIONAL_CAPABILITY = 605,         /* Unsigned32 */
	IMS_CX_AVP_USER_DATA = 606,                   /* OctetString (XML) */
	IMS_CX_AVP_SIP_NUMBER_AUTH_ITEMS = 607,       /* Unsigned32 */
	IMS_CX_AVP_SIP_AUTHENTICATION_SCHEME = 608,   /* UTF8String */
	IMS_CX_AVP_SIP_AUTHENTICATE = 609,            /* OctetString */
	IMS_CX_AVP_SIP_AUTHORIZATION = 610,           /* OctetString */
	IMS_CX_AVP_SIP_AUTHENTICATION_CONTEXT = 611,  /* OctetString */
	IMS_CX_AVP_SIP_AUTH_DATA_ITEM = 612,          /* Grouped */
	IMS_CX_AVP_SIP_ITEM_NUMBER = 613,             /* Unsigned32 */
	IMS_CX_AVP_SERVER_ASSIGNMENT_TYPE = 614,      /* Enumerated */
	IMS_CX_AVP_DEREGISTRATION_REASON = 615,       /* Grouped */
	IMS_CX_AVP_REASON_CODE = 616,                 /* Enumerated */
	IMS_CX_AVP_REASON_INFO = 617,                 /* UTF8String */
	IMS_CX_AVP_CHARGING_INFORMATION = 618,        /* Grouped */
	IMS_CX_AVP_USER_AUTHORIZATION_TYPE = 623,     /* Enumerated */
	IMS_CX_AVP_USER_DATA_ALREADY_AVAILABLE = 624, /* Enumerated */
	IMS_CX_AVP_CONFIDENTIALITY_KEY = 625,         /* OctetString */
	IMS_CX_AVP_INTEGRITY_KEY = 626,               /* OctetString */
	IMS_CX_AVP_SUPPORTED_FEATURES = 628,          /* Grouped, V only */
	IMS_CX_AVP_FEATURE_LIST_ID = 629,             /* Unsigned32, V only */
	IMS_CX_AVP_FEATURE_LIST = 630,                /* Unsigned32, V only */
	IMS_CX_AVP_ASSOCIATED_IDENTITIES = 632,       /* Grouped, V only */
	IMS_CX_AVP_ORIGINATING_REQUEST = 633,         /* Enumerated */
	IMS_CX_AVP_SIP_DIGEST_AUTHENTICATE = 635,     /* Grouped, V only */
	IMS_CX_AVP_PATH = 640,                        /* OctetString, V only */
	IMS_CX_AVP_CONTACT = 641,                     /* OctetString, V only */
};

/* ---- Enumerations (TS 29.229 section 6.3) ---------------------------- */

/* Auth-Session-State (RFC 6733): Cx always sends NO_STATE_MAINTAINED. */
enum ims_auth_session_state {
	IMS_AUTH_SESSION_STATE_MAINTAINED = 0,
	IMS_AUTH_SESSION_NO_STATE_MAINTAINED = 1,
};

/* User-Authorization-Type (623) */
enum ims_cx_user_authorization_type {
	IMS_CX_UAT_REGISTRATION = 0,
	IMS_CX_UAT_DE_REGISTRATION = 1,
	IMS_CX_UAT_REGISTRATION_AND_CAPABILITIES = 2,
};

/* Server-Assignment-Type (614) */
enum ims_cx_server_assignment_type {
	IMS_CX_SAT_NO_ASSIGNMENT = 0,
	IMS_CX_SAT_REGISTRATION = 1,
	IMS_CX_SAT_RE_REGISTRATION = 2,
	IMS_CX_SAT_UNREGISTERED_USER = 3,
	IMS_CX_SAT_TIMEOUT_DEREGISTRATION = 4,
	IMS_CX_SAT_USER_DEREGISTRATION = 5,
	IMS_CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME = 6,
	IMS_CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME = 7,
	IMS_CX_SAT_ADMINISTRATIVE_DEREGISTRATION = 8,
	IMS_CX_SAT_AUTHENTICATION_FAILURE = 9,
	IMS_CX_SAT_AUTHENTICATION_TIMEOUT = 10,
	IMS_CX_SAT_DEREGISTRATION_TOO_MUCH_DATA = 11,
};

/* User-Data-Already-Available (624) */
enum ims_cx_user_data_already_available {
	IMS_CX_USER_DATA_NOT_AVAILABLE = 0,
	IMS_CX_USER_DATA_ALREADY_AVAILABLE = 1,
};

/* Reason-Code (616), inside Deregistration-Reason of an RTR */
enum ims_cx_reason_code {
	IMS_CX_REASON_PERMANENT_TERMINATION = 0,
	IMS_CX_REASON_NEW_SERVER_ASSIGNED = 1,
	IMS_CX_REASON_SERVER_CHANGE = 2,
	IMS_CX_REASON_REMOVE_SCSCF = 3,
};

/* Originating-Request (633), in a LIR for an originating request */
enum ims_cx_originating_request {
	IMS_CX_ORIGINATING = 0,
};

/* ---- Result codes ------------------------------------------------------ */

/* Base protocol Result-Code values (RFC 6733) the daemons use. */
enum ims_diameter_result {
	IMS_DIAMETER_SUCCESS = 2001,
	IMS_DIAMETER_COMMAND_UNSUPPORTED = 3001,
	IMS_DIAMETER_UNABLE_TO_DELIVER = 3002,
	IMS_DIAMETER_TOO_BUSY = 3004,
	IMS_DIAMETER_AUTHENTICATION_REJECTED = 4001,
	IMS_DIAMETER_AVP_UNSUPPORTED = 5001,
	IMS_DIAMETER_INVALID_AVP_VALUE = 5004,
	IMS_DIAMETER_MISSING_AVP = 5005,
	IMS_DIAMETER_AUTHORIZATION_REJECTED = 5003,
	IMS_DIAMETER_UNABLE_TO_COMPLY = 5012,
};

/* Experimental-Result-Code values, vendor 10415 (TS 29.229 6.2).  Note
 * that 2001 and 5001 also exist as base Result-Codes with another meaning:
 * always look at struct ims_cx_result.experimental. */
enum ims_cx_experimental_result {
	IMS_CX_FIRST_REGISTRATION = 2001,
	IMS_CX_SUBSEQUENT_REGISTRATION = 2002,
	IMS_CX_UNREGISTERED_SERVICE = 2003,
	IMS_CX_SUCCESS_SERVER_NAME_NOT_STORED = 2004,
	IMS_CX_ERROR_USER_UNKNOWN = 5001,
	IMS_CX_ERROR_IDENTITIES_DONT_MATCH = 5002,
	IMS_CX_ERROR_IDENTITY_NOT_REGISTERED = 5003,
	IMS_CX_ERROR_ROAMING_NOT_ALLOWED = 5004,
	IMS_CX_ERROR_IDENTITY_ALREADY_REGISTERED = 5005,
	IMS_CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED = 5006,
	IMS_CX_ERROR_IN_ASSIGNMENT_TYPE = 5007,
	IMS_CX_ERROR_TOO_MUCH_DATA = 5008,
	IMS_CX_ERROR_NOT_SUPPORTED_USER_DATA = 5009,
	IMS_CX_ERROR_FEATURE_UNSUPPORTED = 5011,
};

/* SIP-Authentication-Scheme strings (608). */
#define IMS_CX_SCHEME_AKAV1_MD5 "Digest-AKAv1-MD5"
#define IMS_CX_SCHEME_SIP_DIGEST "SIP Digest" /* TS 29.229, with SIP-Digest-Authenticate */
#define IMS_CX_SCHEME_DIGEST_MD5 "Digest-MD5" /* legacy, FHoSS/OpenIMSCore */
#define IMS_CX_SCHEME_UNKNOWN "Unknown"       /* MAR: "HSS, pick the default" */

/* ---- Dictionary ----------------------------------------------------------- */

/* Every dict_object Cx code needs; filled by ims_cx_dict_init().  Borrowed
 * pointers into freeDiameter's dictionary, valid until fd_core_shutdown. */
struct ims_cx_dict {
	struct dictionary *dict;
	struct dict_object *vendor_3gpp;
	struct dict_object *app;

	/* Commands, request and answer. */
	struct dict_object *cmd_uar, *cmd_uaa;
	struct dict_object *cmd_sar, *cmd_saa;
	struct dict_object *cmd_lir, *cmd_lia;
	struct dict_object *cmd_mar, *cmd_maa;
	struct dict_object *cmd_rtr, *cmd_rta;
	struct dict_object *cmd_ppr, *cmd_ppa;

	/* Base protocol AVPs (vendor 0). */
	struct dict_object *avp_session_id;
	struct dict_object *avp_origin_host;
	struct dict_object *avp_origin_realm;
	struct dict_object *avp_destination_host;
	struct dict_object *avp_destination_realm;
	struct dict_object *avp_user_name;
	struct dict_object *avp_result_code;
	struct dict_object *avp_experimental_result;
	struct dict_object *avp_experimental_result_code;
	struct dict_object *avp_vendor_id;
	struct dict_object *avp_auth_application_id;
	struct dict_object *avp_vendor_specific_application_id;
	struct dict_object *avp_auth_session_state;
	struct dict_object *avp_failed_avp;

	/* RFC 4740 digest AVPs (vendor 0), inside SIP-Digest-Authenticate. */
	struct dict_object *avp_digest_realm;
	struct dict_object *avp_digest_nonce;
	struct dict_object *avp_digest_qop;
	struct dict_object *avp_digest_algorithm;
	struct dict_object *avp_digest_ha1;

	/* 3GPP AVPs (vendor 10415). */
	struct dict_object *avp_visited_network_identifier;
	struct dict_object *avp_public_identity;
	struct dict_object *avp_server_name;
	struct dict_object *avp_server_capabilities;
	struct dict_object *avp_mandatory_capability;
	struct dict_object *avp_optional_capability;
	struct dict_object *avp_user_data;
	struct dict_object *avp_sip_number_auth_items;
	struct dict_object *avp_sip_authentication_scheme;
	struct dict_object *avp_sip_authenticate;
	struct dict_object *avp_sip_authorization;
	struct dict_object *avp_sip_authentication_context;
	struct dict_object *avp_sip_auth_data_item;
	struct dict_object *avp_sip_item_number;
	struct dict_object *avp_server_assignment_type;
	struct dict_object *avp_deregistration_reason;
	struct dict_object *avp_reason_code;
	struct dict_object *avp_reason_info;
	struct dict_object *avp_charging_information;
	struct dict_object *avp_user_authorization_type;
	struct dict_object *avp_user_data_already_available;
	struct dict_object *avp_confidentiality_key;
	struct dict_object *avp_integrity_key;
	struct dict_object *avp_supported_features;
	struct dict_object *avp_feature_list_id;
	struct dict_object *avp_feature_list;
	struct dict_object *avp_associated_identities;
	struct dict_object *avp_originating_request;
	struct dict_object *avp_sip_digest_authenticate;
	struct dict_object *avp_path;
	struct dict_object *avp_contact;
};

extern struct ims_cx_dict ims_cx;

/* Find-or-create the Cx vendor, application, commands, AVPs, enumerated
 * types and grouped-AVP rules in fd_g_config->cnf_dict, and fill ims_cx.
 * Call after fd_core_initialize() (and after fd_core_parseconf() if the
 * configuration loads dictionary extensions), before fd_core_start(), from
 * one thread.  Idempotent: a second call returns 0 at once.  Returns 0 or
 * a negative errno; every failure is logged with the object concerned. */
int ims_cx_dict_init(void);

/* ---- Adding AVPs ----------------------------------------------------------
 * parent is a struct msg * or a grouped struct avp * (msg_or_avp *); the
 * new AVP is appended as its last child, with the flags the dictionary
 * fixes for it.  Values are copied. */

/* UTF8String / OctetString from a NUL-terminated string. */
int ims_cx_add_str(msg_or_avp *parent, struct dict_object *avp, const char *value);
/* OctetString (or UTF8String) from len bytes. */
int ims_cx_add_bytes(msg_or_avp *parent, struct dict_object *avp, const uint8_t *data, size_t len);
int ims_cx_add_u32(msg_or_avp *parent, struct dict_object *avp, uint32_t value);
/* Integer32 and Enumerated. */
int ims_cx_add_i32(msg_or_avp *parent, struct dict_object *avp, int32_t value);
/* Append an empty grouped AVP and return it in *group (borrowed: it belongs
 * to parent) so that its children can be added with the helpers above. */
int ims_cx_add_group(msg_or_avp *parent, struct dict_object *avp, struct avp **group);

/* ---- Finding and reading AVPs ---------------------------------------------
 * Children are matched by the dictionary object's code and vendor, so they
 * work on received messages after fd_msg_parse_dict() (freeDiameter does
 * that before calling handlers and answer callbacks) as well as on
 * messages built locally.  Only direct children of parent are searched. */

/* First child of parent that is an instance of avp: 0 with *found set, or
 * -ENOENT (then *found = NULL). */
int ims_cx_find(msg_or_avp *parent, struct dict_object *avp, struct avp **found);
/* Next sibling after cur of the same kind as avp: 0 or -ENOENT. */
int ims_cx_find_next(struct avp *cur, struct dict_object *avp, struct avp **found);

/* Read one AVP.  str copies into buf (NUL-terminated, at most len-1 bytes;
 * -ENOSPC and buf = "" when longer; -EINVAL when it holds a NUL byte).
 * bytes borrows: *data points into the message and lives as long as it.
 * u32/i32 check the AVP's base type (-EINVAL otherwise). */
int ims_cx_avp_str(struct avp *avp, char *buf, size_t len);
int ims_cx_avp_bytes(struct avp *avp, const uint8_t **data, size_t *len);
int ims_cx_avp_u32(struct avp *avp, uint32_t *value);
int ims_cx_avp_i32(struct avp *avp, int32_t *value);

/* Find the first child avp of parent and read it: 0, -ENOENT or as above. */
int ims_cx_get_str(msg_or_avp *parent, struct dict_object *avp, char *buf, size_t len);
int ims_cx_get_bytes(msg_or_avp *parent, struct dict_object *avp, const uint8_t **data,
                     size_t *len);
int ims_cx_get_u32(msg_or_avp *parent, struct dict_object *avp, uint32_t *value);
int ims_cx_get_i32(msg_or_avp *parent, struct dict_object *avp, int32_t *value);

/* The Session-Id of msg copied into buf, "" when absent (for log lines). */
void ims_cx_session_id(struct msg *msg, char *buf, size_t len);

/* ---- Requests and answers ---------------------------------------------- */

/* Build a Cx request for command cmd (ims_cx.cmd_uar, ...) in *out:
 *   < Session-Id > (new, from this node's identity)
 *   { Vendor-Specific-Application-Id { Vendor-Id 10415, Auth-Application-Id 16777216 } }
 *   { Auth-Session-State = NO_STATE_MAINTAINED }
 *   { Origin-Host } { Origin-Realm } (from the freeDiameter configuration)
 *   [ Destination-Host ] when dest_host is not NULL
 *   { Destination-Realm }
 * The caller appends the command's own AVPs and owns *out (send it with
 * ims_diam_send() or fd_msg_free() it).  Needs fd_core_parseconf() done. */
int ims_cx_request_new(struct dict_object *cmd, const char *dest_realm, const char *dest_host,
                       struct msg **out);

/* Turn the received request *msg into its answer (freeDiameter's
 * fd_msg_new_answer_from_req: *msg now points to the answer, which owns the
 * request) with Session-Id, Vendor-Specific-Application-Id,
 * Auth-Session-State, Origin-Host and Origin-Realm.  Then add the result
 * with one of the two functions below and the command's AVPs. */
int ims_cx_answer_new(struct msg **msg);

/* Add Result-Code (base protocol code, e.g. IMS_DIAMETER_SUCCESS); 3xxx
 * codes also set the E bit as RFC 6733 requires. */
int ims_cx_answer_set_result(struct msg *ans, uint32_t result_code);
/* Add Experimental-Result { Vendor-Id 10415, Experimental-Result-Code }. */
int ims_cx_answer_set_experimental(struct msg *ans, uint32_t experimental_code);

/* The outcome of an answer: Result-Code, or else the Experimental-Result-Code. */
struct ims_cx_result {
	uint32_t code;
	bool experimental; /* code is an Experimental-Result-Code */
	uint32_t vendor;   /* Experimental-Result's Vendor-Id (0 for Result-Code) */
};

/* Read the result of answer ans: 0, or -ENOENT if it carries neither. */
int ims_cx_result_get(struct msg *ans, struct ims_cx_result *res);

/* 2xxx, base or experimental. */
static inline bool ims_cx_result_is_success(const struct ims_cx_result *res)
{
	return res->code >= 2000 && res->code < 3000;
}

#endif
