/* ims_cx — see ims_cx.h. */
#include "ims_cx.h"

#include "ims_log.h"

#include <errno.h>
#include <string.h>

struct ims_cx_dict ims_cx;

/* AVP flag shorthands */
#define VM (AVP_FLAG_VENDOR | AVP_FLAG_MANDATORY)
#define V AVP_FLAG_VENDOR
#define M AVP_FLAG_MANDATORY

/* freeDiameter returns positive errno values; we return negative ones. */
static int fd_err(int ret, const char *what)
{
	if (ret == 0)
		return 0;
	IMS_ERR("diameter: %s: %s", what, strerror(ret));
	return -ret;
}

/* ---- Dictionary ------------------------------------------------------ */

/* One AVP Cx needs.  type: NULL (plain base type), "UTF8String", or the
 * name of an enumerated type created with enums[]. */
struct avp_def {
	struct dict_object **slot;
	avp_code_t code;
	vendor_id_t vendor;
	const char *name;
	uint8_t mask, val;
	enum dict_avp_basetype base;
	const char *type;
	const struct dict_enumval_data *enums; /* NULL-name terminated */
};

#define ENUM(n, v)                                                                                 \
	{                                                                                          \
		(char *)(n),                                                                       \
		{                                                                                  \
			.i32 = (v)                                                                 \
		}                                                                                  \
	}
#define ENUM_END                                                                                   \
	{                                                                                          \
		NULL,                                                                              \
		{                                                                                  \
			.i32 = 0                                                                   \
		}                                                                                  \
	}

static const struct dict_enumval_data enum_uat[] = {
    ENUM("REGISTRATION", IMS_CX_UAT_REGISTRATION),
    ENUM("DE_REGISTRATION", IMS_CX_UAT_DE_REGISTRATION),
    ENUM("REGISTRATION_AND_CAPABILITIES", IMS_CX_UAT_REGISTRATION_AND_CAPABILITIES),
    ENUM_END,
};

static const struct dict_enumval_data enum_sat[] = {
    ENUM("NO_ASSIGNMENT", IMS_CX_SAT_NO_ASSIGNMENT),
    ENUM("REGISTRATION", IMS_CX_SAT_REGISTRATION),
    ENUM("RE_REGISTRATION", IMS_CX_SAT_RE_REGISTRATION),
    ENUM("UNREGISTERED_USER", IMS_CX_SAT_UNREGISTERED_USER),
    ENUM("TIMEOUT_DEREGISTRATION", IMS_CX_SAT_TIMEOUT_DEREGISTRATION),
    ENUM("USER_DEREGISTRATION", IMS_CX_SAT_USER_DEREGISTRATION),
    ENUM("TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME",
         IMS_CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME),
    ENUM("USER_DEREGISTRATION_STORE_SERVER_NAME", IMS_CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME),
    ENUM("ADMINISTRATIVE_DEREGISTRATION", IMS_CX_SAT_ADMINISTRATIVE_DEREGISTRATION),
    ENUM("AUTHENTICATION_FAILURE", IMS_CX_SAT_AUTHENTICATION_FAILURE),
    ENUM("AUTHENTICATION_TIMEOUT", IMS_CX_SAT_AUTHENTICATION_TIMEOUT),
    ENUM("DEREGISTRATION_TOO_MUCH_DATA", IMS_CX_SAT_DEREGISTRATION_TOO_MUCH_DATA),
    ENUM_END,
};

static const struct dict_enumval_data enum_udaa[] = {
    ENUM("USER_DATA_NOT_AVAILABLE", IMS_CX_USER_DATA_NOT_AVAILABLE),
    ENUM("USER_DATA_ALREADY_AVAILABLE", IMS_CX_USER_DATA_ALREADY_AVAILABLE),
    ENUM_END,
};

static const struct dict_enumval_data enum_reason[] = {
    ENUM("PERMANENT_TERMINATION", IMS_CX_REASON_PERMANENT_TERMINATION),
    ENUM("NEW_SERVER_ASSIGNED", IMS_CX_REASON_NEW_SERVER_ASSIGNED),
    ENUM("SERVER_CHANGE", IMS_CX_REASON_SERVER_CHANGE),
    ENUM("REMOVE_S-CSCF", IMS_CX_REASON_REMOVE_SCSCF),
    ENUM_END,
};

static const struct dict_enumval_data enum_orig[] = {
    ENUM("ORIGINATING", IMS_CX_ORIGINATING),
    ENUM_END,
};

#define G3(field, code, name, mask, val, base, type, enums)                                        \
	{                                                                                          \
		&ims_cx.field, code, IMS_CX_VENDOR_3GPP, name, mask, val, base, type, enums        \
	}
#define OS AVP_TYPE_OCTETSTRING
#define U32 AVP_TYPE_UNSIGNED32
#define I32 AVP_TYPE_INTEGER32
#define GRP AVP_TYPE_GROUPED

/* TS 29.229 table 6.3.1 (flags as its MUST / MUST NOT columns say: the
 * Rel-7+ AVPs 628-641 have M "must not" or "may"). */
static const struct avp_def avp_defs[] = {
    /* RFC 4740 (dict_sip.fdx may already have them; same definition). */
    {&ims_cx.avp_digest_realm, IMS_AVP_DIGEST_REALM, 0, "Digest-Realm", VM, M, OS, "UTF8String",
     NULL},
    {&ims_cx.avp_digest_nonce, IMS_AVP_DIGEST_NONCE, 0, "Digest-Nonce", VM, M, OS, "UTF8String",
     NULL},
    {&ims_cx.avp_digest_qop, IMS_AVP_DIGEST_QOP, 0, "Digest-QoP", VM, M, OS, "UTF8String", NULL},
    {&ims_cx.avp_digest_algorithm, IMS_AVP_DIGEST_ALGORITHM, 0, "Digest-Algorithm", VM, M, OS,
     "UTF8String", NULL},
    {&ims_cx.avp_digest_ha1, IMS_AVP_DIGEST_HA1, 0, "Digest-HA1", VM, M, OS, "UTF8String", NULL},
    /* 3GPP */
    G3(avp_visited_network_identifier, 600, "Visited-Network-Identifier", VM, VM, OS, NULL, NULL),
    G3(avp_public_identity, 601, "Public-Identity", VM, VM, OS, "UTF8String", NULL),
    G3(avp_server_name, 602, "Server-Name", VM, VM, OS, "UTF8String", NULL),
    G3(avp_server_capabilities, 603, "Server-Capabilities", VM, VM, GRP, NULL, NULL),
    G3(avp_mandatory_capability, 604, "Mandatory-Capability", VM, VM, U32, NULL, NULL),
    G3(avp_optional_capability, 605, "Optional-Capability", VM, VM, U32, NULL, NULL),
    G3(avp_user_data, 606, "User-Data", VM, VM, OS, NULL, NULL),
    G3(avp_sip_number_auth_items, 607, "SIP-Number-Auth-Items", VM, VM, U32, NULL, NULL),
    G3(avp_sip_authentication_scheme, 608, "SIP-Authentication-Scheme", VM, VM, OS, "UTF8String",
       NULL),
    G3(avp_sip_authenticate, 609, "SIP-Authenticate", VM, VM, OS, NULL, NULL),
    G3(avp_sip_authorization, 610, "SIP-Authorization", VM, VM, OS, NULL, NULL),
    G3(avp_sip_authentication_context, 611, "SIP-Authentication-Context", VM, VM, OS, NULL, NULL),
    G3(avp_sip_auth_data_item, 612, "SIP-Auth-Data-Item", VM, VM, GRP, NULL, NULL),
    G3(avp_sip_item_number, 613, "SIP-Item-Number", VM, VM, U32, NULL, NULL),
    G3(avp_server_assignment_type, 614, "Server-Assignment-Type", VM, VM, I32,
       "3GPP/Enumerated(Server-Assignment-Type)", enum_sat),
    G3(avp_deregistration_reason, 615, "Deregistration-Reason", VM, VM, GRP, NULL, NULL),
    G3(avp_reason_code, 616, "Reason-Code", VM, VM, I32, "3GPP/Enumerated(Reason-Code)",
       enum_reason),
    G3(avp_reason_info, 617, "Reason-Info", VM, VM, OS, "UTF8String", NULL),
    G3(avp_charging_information, 618, "Charging-Information", VM, VM, GRP, NULL, NULL),
    G3(avp_user_authorization_type, 623, "User-Authorization-Type", VM, VM, I32,
       "3GPP/Enumerated(User-Authorization-Type)", enum_uat),
    G3(avp_user_data_already_available, 624, "User-Data-Already-Available", VM, VM, I32,
       "3GPP/Enumerated(User-Data-Already-Available)", enum_udaa),
    G3(avp_confidentiality_key, 625, "Confidentiality-Key", VM, VM, OS, NULL, NULL),
    G3(avp_integrity_key, 626, "Integrity-Key", VM, VM, OS, NULL, NULL),
    G3(avp_supported_features, 628, "Supported-Features", V, V, GRP, NULL, NULL),
    G3(avp_feature_list_id, 629, "Feature-List-ID", VM, V, U32, NULL, NULL),
    G3(avp_feature_list, 630, "Feature-List", VM, V, U32, NULL, NULL),
    G3(avp_associated_identities, 632, "Associated-Identities", VM, V, GRP, NULL, NULL),
    G3(avp_originating_request, 633, "Originating-Request", VM, VM, I32,
       "3GPP/Enumerated(Originating-Request)", enum_orig),
    G3(avp_sip_digest_authenticate, 635, "SIP-Digest-Authenticate", VM, V, GRP, NULL, NULL),
    G3(avp_path, 640, "Path", VM, V, OS, NULL, NULL),
    G3(avp_contact, 641, "Contact", VM, V, OS, NULL, NULL),
};

/* Base protocol AVPs: freeDiameter's dict_base_proto always has them. */
static const struct {
	struct dict_object **slot;
	avp_code_t code;
} base_avps[] = {
    {&ims_cx.avp_session_id, IMS_AVP_SESSION_ID},
    {&ims_cx.avp_origin_host, IMS_AVP_ORIGIN_HOST},
    {&ims_cx.avp_origin_realm, IMS_AVP_ORIGIN_REALM},
    {&ims_cx.avp_destination_host, IMS_AVP_DESTINATION_HOST},
    {&ims_cx.avp_destination_realm, IMS_AVP_DESTINATION_REALM},
    {&ims_cx.avp_user_name, IMS_AVP_USER_NAME},
    {&ims_cx.avp_result_code, IMS_AVP_RESULT_CODE},
    {&ims_cx.avp_experimental_result, IMS_AVP_EXPERIMENTAL_RESULT},
    {&ims_cx.avp_experimental_result_code, IMS_AVP_EXPERIMENTAL_RESULT_CODE},
    {&ims_cx.avp_vendor_id, IMS_AVP_VENDOR_ID},
    {&ims_cx.avp_auth_application_id, IMS_AVP_AUTH_APPLICATION_ID},
    {&ims_cx.avp_vendor_specific_application_id, IMS_AVP_VENDOR_SPECIFIC_APPLICATION_ID},
    {&ims_cx.avp_auth_session_state, IMS_AVP_AUTH_SESSION_STATE},
    {&ims_cx.avp_failed_avp, IMS_AVP_FAILED_AVP},
};

static const struct {
	struct dict_object **req, **ans;
	command_code_t code;
	const char *req_name, *ans_name;
} cmd_defs[] = {
    {&ims_cx.cmd_uar, &ims_cx.cmd_uaa, IMS_CX_CMD_UAR, "Cx-User-Authorization-Request",
     "Cx-User-Authorization-Answer"},
    {&ims_cx.cmd_sar, &ims_cx.cmd_saa, IMS_CX_CMD_SAR, "Cx-Server-Assignment-Request",
     "Cx-Server-Assignment-Answer"},
    {&ims_cx.cmd_lir, &ims_cx.cmd_lia, IMS_CX_CMD_LIR, "Cx-Location-Info-Request",
     "Cx-Location-Info-Answer"},
    {&ims_cx.cmd_mar, &ims_cx.cmd_maa, IMS_CX_CMD_MAR, "Cx-Multimedia-Auth-Request",
     "Cx-Multimedia-Auth-Answer"},
    {&ims_cx.cmd_rtr, &ims_cx.cmd_rta, IMS_CX_CMD_RTR, "Cx-Registration-Termination-Request",
     "Cx-Registration-Termination-Answer"},
    {&ims_cx.cmd_ppr, &ims_cx.cmd_ppa, IMS_CX_CMD_PPR, "Cx-Push-Profile-Request",
     "Cx-Push-Profile-Answer"},
};

/* Grouped AVP rules (TS 29.229 6.3.x ABNF).  max -1: unbounded. */
struct rule_def {
	struct dict_object **group;
	struct dict_object **avp;
	enum rule_position pos;
	int min, max;
};

static const struct rule_def rule_defs[] = {
    /* 6.3.4 Server-Capabilities */
    {&ims_cx.avp_server_capabilities, &ims_cx.avp_mandatory_capability, RULE_OPTIONAL, -1, -1},
    {&ims_cx.avp_server_capabilities, &ims_cx.avp_optional_capability, RULE_OPTIONAL, -1, -1},
    {&ims_cx.avp_server_capabilities, &ims_cx.avp_server_name, RULE_OPTIONAL, -1, -1},
    /* 6.3.13 SIP-Auth-Data-Item */
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_item_number, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_authentication_scheme, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_authenticate, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_authorization, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_authentication_context, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_confidentiality_key, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_integrity_key, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_auth_data_item, &ims_cx.avp_sip_digest_authenticate, RULE_OPTIONAL, -1, 1},
    /* 6.3.16 Deregistration-Reason */
    {&ims_cx.avp_deregistration_reason, &ims_cx.avp_reason_code, RULE_REQUIRED, -1, 1},
    {&ims_cx.avp_deregistration_reason, &ims_cx.avp_reason_info, RULE_OPTIONAL, -1, 1},
    /* 6.3.29 Supported-Features */
    {&ims_cx.avp_supported_features, &ims_cx.avp_vendor_id, RULE_REQUIRED, -1, 1},
    {&ims_cx.avp_supported_features, &ims_cx.avp_feature_list_id, RULE_REQUIRED, -1, 1},
    {&ims_cx.avp_supported_features, &ims_cx.avp_feature_list, RULE_REQUIRED, -1, 1},
    /* 6.3.33 Associated-Identities */
    {&ims_cx.avp_associated_identities, &ims_cx.avp_user_name, RULE_OPTIONAL, -1, -1},
    /* 6.3.36 SIP-Digest-Authenticate */
    {&ims_cx.avp_sip_digest_authenticate, &ims_cx.avp_digest_realm, RULE_REQUIRED, -1, 1},
    {&ims_cx.avp_sip_digest_authenticate, &ims_cx.avp_digest_algorithm, RULE_OPTIONAL, -1, 1},
    {&ims_cx.avp_sip_digest_authenticate, &ims_cx.avp_digest_qop, RULE_REQUIRED, -1, 1},
    {&ims_cx.avp_sip_digest_authenticate, &ims_cx.avp_digest_ha1, RULE_REQUIRED, -1, 1},
};

static int find_avp(struct dictionary *dict, vendor_id_t vendor, avp_code_t code,
                    struct dict_object **out)
{
	*out = NULL;
	if (vendor == 0)
		return fd_dict_search(dict, DICT_AVP, AVP_BY_CODE, &code, out, ENOENT);
	struct dict_avp_request req = {.avp_vendor = vendor, .avp_code = code};
	return fd_dict_search(dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &req, out, ENOENT);
}

/* Name the values of an enumerated type (for freeDiameter's message dumps).
 * A value another dictionary named differently is left as it is. */
static int add_enums(struct dictionary *dict, const struct avp_def *d, struct dict_object *type)
{
	for (const struct dict_enumval_data *e = d->enums; e->enum_name; e++) {
		struct dict_enumval_data ev = *e;
		int ret = fd_dict_new(dict, DICT_ENUMVAL, &ev, type, NULL);
		if (ret == EEXIST)
			IMS_DEBUG("diameter: %s value %d already named", d->name,
			          e->enum_value.i32);
		else if (ret)
			return fd_err(ret, e->enum_name);
	}
	return 0;
}

/* Find or create the type of d (UTF8String or an enumerated type). */
static int avp_type(struct dictionary *dict, const struct avp_def *d, struct dict_object **type)
{
	*type = NULL;
	if (!d->type)
		return 0;
	if (fd_dict_search(dict, DICT_TYPE, TYPE_BY_NAME, d->type, type, ENOENT) == 0)
		return 0;
	if (!d->enums) {
		IMS_ERR("diameter: dictionary has no type %s (needed by %s)", d->type, d->name);
		return -ENOENT;
	}
	struct dict_type_data tdata = {.type_base = d->base, .type_name = (char *)d->type};
	int ret = fd_dict_new(dict, DICT_TYPE, &tdata, NULL, type);
	if (ret)
		return fd_err(ret, d->type);
	return add_enums(dict, d, *type);
}

static int init_avp(struct dictionary *dict, const struct avp_def *d)
{
	struct dict_object *type;
	int ret;

	if (find_avp(dict, d->vendor, d->code, d->slot) == 0) {
		/* Already defined (dict_dcca_3gpp / dict_sip): check it is usable. */
		struct dict_avp_data have;
		if (fd_dict_getval(*d->slot, &have) == 0 && have.avp_basetype != d->base) {
			IMS_ERR("diameter: AVP %u/%u %s is defined with another base type",
			        d->vendor, d->code, d->name);
			return -EINVAL;
		}
		if (d->enums &&
		    fd_dict_search(dict, DICT_TYPE, TYPE_OF_AVP, *d->slot, &type, ENOENT) == 0)
			return add_enums(dict, d, type);
		return 0;
	}
	ret = avp_type(dict, d, &type);
	if (ret)
		return ret;
	struct dict_avp_data data = {
	    .avp_code = d->code,
	    .avp_vendor = d->vendor,
	    .avp_name = (char *)d->name,
	    .avp_flag_mask = d->mask,
	    .avp_flag_val = d->val,
	    .avp_basetype = d->base,
	};
	ret = fd_dict_new(dict, DICT_AVP, &data, type, d->slot);
	return fd_err(ret, d->name);
}

static int init_cmd(struct dictionary *dict, int i)
{
	command_code_t code = cmd_defs[i].code;
	int ret;

	if (fd_dict_search(dict, DICT_COMMAND, CMD_BY_CODE_R, &code, cmd_defs[i].req, ENOENT)) {
		struct dict_cmd_data data = {
		    .cmd_code = code,
		    .cmd_name = (char *)cmd_defs[i].req_name,
		    .cmd_flag_mask = CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE | CMD_FLAG_ERROR,
		    .cmd_flag_val = CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE,
		};
		ret = fd_dict_new(dict, DICT_COMMAND, &data, ims_cx.app, cmd_defs[i].req);
		if (ret)
			return fd_err(ret, cmd_defs[i].req_name);
	}
	if (fd_dict_search(dict, DICT_COMMAND, CMD_ANSWER, *cmd_defs[i].req, cmd_defs[i].ans,
	                   ENOENT)) {
		struct dict_cmd_data data = {
		    .cmd_code = code,
		    .cmd_name = (char *)cmd_defs[i].ans_name,
		    .cmd_flag_mask = CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE,
		    .cmd_flag_val = CMD_FLAG_PROXIABLE,
		};
		ret = fd_dict_new(dict, DICT_COMMAND, &data, ims_cx.app, cmd_defs[i].ans);
		if (ret)
			return fd_err(ret, cmd_defs[i].ans_name);
	}
	return 0;
}

static int init_vendor_app(struct dictionary *dict)
{
	vendor_id_t vid = IMS_CX_VENDOR_3GPP;
	application_id_t aid = IMS_CX_APP_ID;
	int ret;

	if (fd_dict_search(dict, DICT_VENDOR, VENDOR_BY_ID, &vid, &ims_cx.vendor_3gpp, ENOENT)) {
		struct dict_vendor_data v = {vid, "3GPP"};
		ret = fd_dict_new(dict, DICT_VENDOR, &v, NULL, &ims_cx.vendor_3gpp);
		if (ret)
			return fd_err(ret, "vendor 3GPP");
	}
	if (fd_dict_search(dict, DICT_APPLICATION, APPLICATION_BY_ID, &aid, &ims_cx.app, ENOENT)) {
		struct dict_application_data a = {aid, "3GPP Cx"};
		ret = fd_dict_new(dict, DICT_APPLICATION, &a, ims_cx.vendor_3gpp, &ims_cx.app);
		if (ret)
			return fd_err(ret, "application Cx");
	}
	return 0;
}

/* A rule that conflicts with one another dictionary already set is only
 * worth a warning: the other definition then applies. */
static void init_rule(const struct rule_def *r)
{
	struct dict_rule_data data = {
	    .rule_avp = *r->avp,
	    .rule_position = r->pos,
	    .rule_min = r->min,
	    .rule_max = r->max,
	};
	int ret = fd_dict_new(ims_cx.dict, DICT_RULE, &data, *r->group, NULL);
	if (ret) {
		struct dict_avp_data g, a;
		fd_dict_getval(*r->group, &g);
		fd_dict_getval(*r->avp, &a);
		IMS_WARN("diameter: rule for %s in %s not added: %s", a.avp_name, g.avp_name,
		         strerror(ret));
	}
}

int ims_cx_dict_init(void)
{
	struct dictionary *dict = fd_g_config ? fd_g_config->cnf_dict : NULL;
	int ret;

	if (!dict) {
		IMS_ERR("diameter: ims_cx_dict_init before fd_core_initialize");
		return -EINVAL;
	}
	if (ims_cx.dict == dict)
		return 0;

	struct ims_cx_dict saved = ims_cx;
	memset(&ims_cx, 0, sizeof ims_cx);
	ims_cx.dict = dict;

	for (size_t i = 0; i < sizeof base_avps / sizeof base_avps[0]; i++) {
		ret = find_avp(dict, 0, base_avps[i].code, base_avps[i].slot);
		if (ret) {
			IMS_ERR("diameter: base AVP %u missing from the dictionary",
			        base_avps[i].code);
			ret = -ENOENT;
			goto fail;
		}
	}
	ret = init_vendor_app(dict);
	if (ret)
		goto fail;
	for (size_t i = 0; i < sizeof avp_defs / sizeof avp_defs[0]; i++) {
		ret = init_avp(dict, &avp_defs[i]);
		if (ret)
			goto fail;
	}
	for (size_t i = 0; i < sizeof rule_defs / sizeof rule_defs[0]; i++)
		init_rule(&rule_defs[i]);
	for (int i = 0; i < (int)(sizeof cmd_defs / sizeof cmd_defs[0]); i++) {
		ret = init_cmd(dict, i);
		if (ret)
			goto fail;
	}
	IMS_DEBUG("diameter: Cx dictionary ready");
	return 0;
fail:
	ims_cx = saved;
	return ret;
}

/* ---- Adding AVPs ------------------------------------------------------- */

static int add_value(msg_or_avp *parent, struct dict_object *model, union avp_value *val,
                     struct avp **out)
{
	struct avp *avp = NULL;
	int ret;

	if (!parent || !model)
		return -EINVAL;
	ret = fd_msg_avp_new(model, 0, &avp);
	if (ret)
		return fd_err(ret, "fd_msg_avp_new");
	if (val) {
		ret = fd_msg_avp_setvalue(avp, val);
		if (ret)
			goto fail;
	}
	ret = fd_msg_avp_add(parent, MSG_BRW_LAST_CHILD, avp);
	if (ret)
		goto fail;
	if (out)
		*out = avp;
	return 0;
fail:
	fd_msg_free(avp);
	return fd_err(ret, "AVP value");
}

int ims_cx_add_bytes(msg_or_avp *parent, struct dict_object *avp, const uint8_t *data, size_t len)
{
	union avp_value val;
	if (!data && len)
		return -EINVAL;
	/* fd_msg_avp_setvalue copies the octets. */
	val.os.data = (uint8_t *)(data ? data : (const uint8_t *)"");
	val.os.len = len;
	return add_value(parent, avp, &val, NULL);
}

int ims_cx_add_str(msg_or_avp *parent, struct dict_object *avp, const char *value)
{
	if (!value)
		return -EINVAL;
	return ims_cx_add_bytes(parent, avp, (const uint8_t *)value, strlen(value));
}

int ims_cx_add_u32(msg_or_avp *parent, struct dict_object *avp, uint32_t value)
{
	union avp_value val = {.u32 = value};
	return add_value(parent, avp, &val, NULL);
}

int ims_cx_add_i32(msg_or_avp *parent, struct dict_object *avp, int32_t value)
{
	union avp_value val = {.i32 = value};
	return add_value(parent, avp, &val, NULL);
}

int ims_cx_add_group(msg_or_avp *parent, struct dict_object *avp, struct avp **group)
{
	if (group)
		*group = NULL;
	return add_value(parent, avp, NULL, group);
}

/* ---- Finding and reading --------------------------------------------- */

static int model_key(struct dict_object *model, avp_code_t *code, vendor_id_t *vendor)
{
	struct dict_avp_data d;
	if (!model || fd_dict_getval(model, &d))
		return -EINVAL;
	*code = d.avp_code;
	*vendor = d.avp_vendor;
	return 0;
}

/* From avp (included), the first sibling matching code/vendor. */
static int scan(struct avp *avp, avp_code_t code, vendor_id_t vendor, struct avp **found)
{
	while (avp) {
		struct avp_hdr *h;
		if (fd_msg_avp_hdr(avp, &h) == 0 && h->avp_code == code &&
		    ((h->avp_flags & AVP_FLAG_VENDOR) ? h->avp_vendor : 0) == vendor) {
			*found = avp;
			return 0;
		}
		if (fd_msg_browse(avp, MSG_BRW_NEXT, &avp, NULL))
			break;
	}
	return -ENOENT;
}

int ims_cx_find(msg_or_avp *parent, struct dict_object *model, struct avp **found)
{
	avp_code_t code;
	vendor_id_t vendor;
	struct avp *first = NULL;

	*found = NULL;
	if (!parent || model_key(model, &code, &vendor))
		return -EINVAL;
	if (fd_msg_browse(parent, MSG_BRW_FIRST_CHILD, &first, NULL))
		return -EINVAL;
	return scan(first, code, vendor, found);
}

int ims_cx_find_next(struct avp *cur, struct dict_object *model, struct avp **found)
{
	avp_code_t code;
	vendor_id_t vendor;
	struct avp *next = NULL;

	*found = NULL;
	if (!cur || model_key(model, &code, &vendor))
		return -EINVAL;
	if (fd_msg_browse(cur, MSG_BRW_NEXT, &next, NULL))
		return -EINVAL;
	return scan(next, code, vendor, found);
}

/* The value of a non-grouped AVP of the given base type (NULL if absent). */
static union avp_value *avp_value(struct avp *avp, enum dict_avp_basetype base)
{
	struct avp_hdr *h;
	struct dict_object *model = NULL;
	struct dict_avp_data d;

	if (!avp || fd_msg_avp_hdr(avp, &h) || !h->avp_value)
		return NULL;
	if (fd_msg_model(avp, &model) || !model || fd_dict_getval(model, &d) ||
	    d.avp_basetype != base)
		return NULL;
	return h->avp_value;
}

int ims_cx_avp_bytes(struct avp *avp, const uint8_t **data, size_t *len)
{
	union avp_value *v = avp_value(avp, AVP_TYPE_OCTETSTRING);
	if (!v)
		return -EINVAL;
	*data = v->os.data;
	*len = v->os.len;
	return 0;
}

int ims_cx_avp_str(struct avp *avp, char *buf, size_t len)
{
	const uint8_t *data;
	size_t n;

	if (!buf || len == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (ims_cx_avp_bytes(avp, &data, &n))
		return -EINVAL;
	if (n >= len)
		return -ENOSPC;
	if (n && memchr(data, '\0', n))
		return -EINVAL;
	if (n)
		memcpy(buf, data, n);
	buf[n] = '\0';
	return 0;
}

int ims_cx_avp_u32(struct avp *avp, uint32_t *value)
{
	union avp_value *v = avp_value(avp, AVP_TYPE_UNSIGNED32);
	if (!v)
		return -EINVAL;
	*value = v->u32;
	return 0;
}

int ims_cx_avp_i32(struct avp *avp, int32_t *value)
{
	union avp_value *v = avp_value(avp, AVP_TYPE_INTEGER32);
	if (!v)
		return -EINVAL;
	*value = v->i32;
	return 0;
}

int ims_cx_get_str(msg_or_avp *parent, struct dict_object *model, char *buf, size_t len)
{
	struct avp *a;
	if (buf && len)
		buf[0] = '\0';
	int ret = ims_cx_find(parent, model, &a);
	return ret ? ret : ims_cx_avp_str(a, buf, len);
}

int ims_cx_get_bytes(msg_or_avp *parent, struct dict_object *model, const uint8_t **data,
                     size_t *len)
{
	struct avp *a;
	int ret = ims_cx_find(parent, model, &a);
	return ret ? ret : ims_cx_avp_bytes(a, data, len);
}

int ims_cx_get_u32(msg_or_avp *parent, struct dict_object *model, uint32_t *value)
{
	struct avp *a;
	int ret = ims_cx_find(parent, model, &a);
	return ret ? ret : ims_cx_avp_u32(a, value);
}

int ims_cx_get_i32(msg_or_avp *parent, struct dict_object *model, int32_t *value)
{
	struct avp *a;
	int ret = ims_cx_find(parent, model, &a);
	return ret ? ret : ims_cx_avp_i32(a, value);
}

void ims_cx_session_id(struct msg *msg, char *buf, size_t len)
{
	struct avp *a;
	const uint8_t *data;
	size_t n;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (!msg || ims_cx_find(msg, ims_cx.avp_session_id, &a) || ims_cx_avp_bytes(a, &data, &n))
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, data, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) /* keep log lines printable */
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = '?';
}

/* ---- Requests and answers ----------------------------------------------- */

/* Vendor-Specific-Application-Id { Vendor-Id 10415, Auth-Application-Id Cx } */
static int add_vsai(struct msg *msg)
{
	struct avp *g = NULL;
	int ret = ims_cx_add_group(msg, ims_cx.avp_vendor_specific_application_id, &g);
	if (!ret)
		ret = ims_cx_add_u32(g, ims_cx.avp_vendor_id, IMS_CX_VENDOR_3GPP);
	if (!ret)
		ret = ims_cx_add_u32(g, ims_cx.avp_auth_application_id, IMS_CX_APP_ID);
	return ret;
}

int ims_cx_request_new(struct dict_object *cmd, const char *dest_realm, const char *dest_host,
                       struct msg **out)
{
	struct msg *msg = NULL;
	int ret;

	*out = NULL;
	if (!cmd || !dest_realm || !ims_cx.dict)
		return -EINVAL;
	ret = fd_msg_new(cmd, MSGFL_ALLOC_ETEID, &msg);
	if (ret)
		return fd_err(ret, "fd_msg_new");
	ret = fd_err(fd_msg_new_session(msg, NULL, 0), "fd_msg_new_session");
	if (!ret)
		ret = add_vsai(msg);
	if (!ret)
		ret = ims_cx_add_i32(msg, ims_cx.avp_auth_session_state,
		                     IMS_AUTH_SESSION_NO_STATE_MAINTAINED);
	if (!ret)
		ret = fd_err(fd_msg_add_origin(msg, 0), "fd_msg_add_origin");
	if (!ret && dest_host)
		ret = ims_cx_add_str(msg, ims_cx.avp_destination_host, dest_host);
	if (!ret)
		ret = ims_cx_add_str(msg, ims_cx.avp_destination_realm, dest_realm);
	if (ret)
		goto fail;
	*out = msg;
	return 0;
fail:
	fd_msg_free(msg);
	return ret;
}

int ims_cx_answer_new(struct msg **msg)
{
	int ret;

	if (!msg || !*msg || !ims_cx.dict)
		return -EINVAL;
	ret = fd_msg_new_answer_from_req(ims_cx.dict, msg, 0);
	if (ret)
		return fd_err(ret, "fd_msg_new_answer_from_req");
	ret = add_vsai(*msg);
	if (!ret)
		ret = ims_cx_add_i32(*msg, ims_cx.avp_auth_session_state,
		                     IMS_AUTH_SESSION_NO_STATE_MAINTAINED);
	if (!ret)
		ret = fd_err(fd_msg_add_origin(*msg, 0), "fd_msg_add_origin");
	return ret;
}

int ims_cx_answer_set_result(struct msg *ans, uint32_t result_code)
{
	if (!ans)
		return -EINVAL;
	if (result_code >= 3000 && result_code < 4000) {
		struct msg_hdr *h;
		if (fd_msg_hdr(ans, &h) == 0)
			h->msg_flags |= CMD_FLAG_ERROR;
	}
	return ims_cx_add_u32(ans, ims_cx.avp_result_code, result_code);
}

int ims_cx_answer_set_experimental(struct msg *ans, uint32_t experimental_code)
{
	struct avp *g = NULL;
	int ret;

	if (!ans)
		return -EINVAL;
	ret = ims_cx_add_group(ans, ims_cx.avp_experimental_result, &g);
	if (!ret)
		ret = ims_cx_add_u32(g, ims_cx.avp_vendor_id, IMS_CX_VENDOR_3GPP);
	if (!ret)
		ret = ims_cx_add_u32(g, ims_cx.avp_experimental_result_code, experimental_code);
	return ret;
}

int ims_cx_result_get(struct msg *ans, struct ims_cx_result *res)
{
	struct avp *g;

	memset(res, 0, sizeof *res);
	if (!ans)
		return -EINVAL;
	if (ims_cx_get_u32(ans, ims_cx.avp_result_code, &res->code) == 0)
		return 0;
	if (ims_cx_find(ans, ims_cx.avp_experimental_result, &g))
		return -ENOENT;
	if (ims_cx_get_u32(g, ims_cx.avp_experimental_result_code, &res->code))
		return -ENOENT;
	res->experimental = true;
	if (ims_cx_get_u32(g, ims_cx.avp_vendor_id, &res->vendor))
		res->vendor = 0;
	return 0;
}
