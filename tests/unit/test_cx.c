/*
 * test_cx — the Cx dictionary and AVP helpers (common/ims_cx.h) against a
 * real in-process freeDiameter core (no peers).
 *
 * Every message is built with the helpers, encoded (fd_msg_bufferize),
 * decoded (fd_msg_parse_buffer + fd_msg_parse_dict + fd_msg_parse_rules)
 * and checked AVP by AVP: code, vendor, flags, value.
 *
 * freeDiameter has one core per process, so the suite runs twice in two
 * processes: once on the bare base dictionary (ims_cx creates everything)
 * and once with Debian's dict_nasreq, dict_dcca, dict_dcca_3gpp and dict_sip
 * extensions loaded first (ims_cx must find and reuse their objects) — skipped when
 * those .fdx files are not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ims_cx.h"
#include "ims_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FDX_DIR "/usr/lib/freeDiameter"
#define IDENTITY "test.open-ims.test"
#define REALM "open-ims.test"

static bool with_debian_dicts;

/* ---- Expected wire form ---------------------------------------------------- */

enum vtype { T_STR, T_U32, T_I32, T_GROUP };

struct want {
	uint32_t code, vendor;
	uint8_t flags;
	enum vtype type;
	const char *s; /* T_STR (may hold binary: see len) */
	size_t len;    /* T_STR: 0 = strlen(s) */
	int64_t n;     /* T_U32 / T_I32 */
	int depth;     /* 1 = top level, 2 = inside the previous group */
};

#define VM (AVP_FLAG_VENDOR | AVP_FLAG_MANDATORY)
#define W_STR(c, v, f, str)                                                                        \
	{                                                                                          \
		c, v, f, T_STR, str, 0, 0, 1                                                       \
	}
#define W_BIN(c, v, f, str, l)                                                                     \
	{                                                                                          \
		c, v, f, T_STR, str, l, 0, 1                                                       \
	}
#define W_U32(c, v, f, x)                                                                          \
	{                                                                                          \
		c, v, f, T_U32, NULL, 0, x, 1                                                      \
	}
#define W_I32(c, v, f, x)                                                                          \
	{                                                                                          \
		c, v, f, T_I32, NULL, 0, x, 1                                                      \
	}
#define W_GRP(c, v, f)                                                                             \
	{                                                                                          \
		c, v, f, T_GROUP, NULL, 0, 0, 1                                                    \
	}

/* Walk msg depth-first and compare with want[0..n). */
static void check_avps(struct msg *msg, const struct want *want, size_t n)
{
	struct avp *avp = NULL;
	int depth = 0;
	size_t i = 0;

	assert_int_equal(fd_msg_browse(msg, MSG_BRW_FIRST_CHILD, &avp, &depth), 0);
	for (; avp; i++) {
		struct avp_hdr *h;
		assert_true(i < n);
		assert_int_equal(fd_msg_avp_hdr(avp, &h), 0);
		assert_int_equal(h->avp_code, want[i].code);
		assert_int_equal(h->avp_flags & AVP_FLAG_VENDOR ? h->avp_vendor : 0,
		                 want[i].vendor);
		assert_int_equal(h->avp_flags, want[i].flags);
		assert_int_equal(depth, want[i].depth);
		switch (want[i].type) {
		case T_STR: {
			size_t len = want[i].len ? want[i].len : strlen(want[i].s);
			assert_non_null(h->avp_value);
			assert_int_equal(h->avp_value->os.len, len);
			assert_memory_equal(h->avp_value->os.data, want[i].s, len);
			break;
		}
		case T_U32:
			assert_non_null(h->avp_value);
			assert_int_equal(h->avp_value->u32, (uint32_t)want[i].n);
			break;
		case T_I32:
			assert_non_null(h->avp_value);
			assert_int_equal(h->avp_value->i32, (int32_t)want[i].n);
			break;
		case T_GROUP:
			assert_null(h->avp_value);
			break;
		}
		assert_int_equal(fd_msg_browse(avp, MSG_BRW_WALK, &avp, &depth), 0);
	}
	assert_int_equal(i, n);
}

/* Encode, decode, resolve against the dictionary and check the rules. */
static struct msg *roundtrip(struct msg *msg)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct msg *parsed = NULL;
	struct fd_pei pei;

	assert_int_equal(fd_msg_bufferize(msg, &buf, &len), 0);
	assert_int_equal(fd_msg_parse_buffer(&buf, len, &parsed), 0); /* takes buf */
	memset(&pei, 0, sizeof pei);
	assert_int_equal(fd_msg_parse_dict(parsed, ims_cx.dict, &pei), 0);
	assert_int_equal(fd_msg_parse_rules(parsed, ims_cx.dict, &pei), 0);
	return parsed;
}

static void check_header(struct msg *msg, uint32_t code, uint8_t flags)
{
	struct msg_hdr *h;
	assert_int_equal(fd_msg_hdr(msg, &h), 0);
	assert_int_equal(h->msg_code, code);
	assert_int_equal(h->msg_appl, IMS_CX_APP_ID);
	assert_int_equal(h->msg_flags, flags);
}

static const char *sid_of(struct msg *msg, char *buf, size_t len)
{
	ims_cx_session_id(msg, buf, len);
	assert_true(strncmp(buf, IDENTITY ";", strlen(IDENTITY) + 1) == 0);
	return buf;
}

/* ---- Dictionary ------------------------------------------------------------ */

static void check_avp_def(struct dict_object *o, uint32_t code, uint32_t vendor, uint8_t val,
                          enum dict_avp_basetype base)
{
	struct dict_avp_data d;
	assert_non_null(o);
	assert_int_equal(fd_dict_getval(o, &d), 0);
	assert_int_equal(d.avp_code, code);
	assert_int_equal(d.avp_vendor, vendor);
	assert_int_equal(d.avp_flag_val & d.avp_flag_mask, val);
	assert_int_equal(d.avp_basetype, base);
}

static void test_dict_has_cx_application_commands_and_avps(void **state)
{
	struct dict_application_data app;
	assert_int_equal(fd_dict_getval(ims_cx.app, &app), 0);
	assert_int_equal(app.application_id, IMS_CX_APP_ID);

	struct dict_object *cmds[][2] = {
	    {ims_cx.cmd_uar, ims_cx.cmd_uaa}, {ims_cx.cmd_sar, ims_cx.cmd_saa},
	    {ims_cx.cmd_lir, ims_cx.cmd_lia}, {ims_cx.cmd_mar, ims_cx.cmd_maa},
	    {ims_cx.cmd_rtr, ims_cx.cmd_rta}, {ims_cx.cmd_ppr, ims_cx.cmd_ppa},
	};
	for (int i = 0; i < 6; i++) {
		struct dict_cmd_data r, a;
		assert_int_equal(fd_dict_getval(cmds[i][0], &r), 0);
		assert_int_equal(fd_dict_getval(cmds[i][1], &a), 0);
		assert_int_equal(r.cmd_code, 300 + i);
		assert_int_equal(a.cmd_code, 300 + i);
		/* TS 29.229: every Cx command has REQ (requests) and PXY. */
		assert_int_equal(r.cmd_flag_val & r.cmd_flag_mask,
		                 CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE);
		assert_int_equal(a.cmd_flag_val & a.cmd_flag_mask, CMD_FLAG_PROXIABLE);
	}

	const uint8_t os = AVP_TYPE_OCTETSTRING, u = AVP_TYPE_UNSIGNED32, i = AVP_TYPE_INTEGER32,
	              g = AVP_TYPE_GROUPED, V = AVP_FLAG_VENDOR;
	const uint32_t G = IMS_CX_VENDOR_3GPP;
	check_avp_def(ims_cx.avp_visited_network_identifier, 600, G, VM, os);
	check_avp_def(ims_cx.avp_public_identity, 601, G, VM, os);
	check_avp_def(ims_cx.avp_server_name, 602, G, VM, os);
	check_avp_def(ims_cx.avp_server_capabilities, 603, G, VM, g);
	check_avp_def(ims_cx.avp_mandatory_capability, 604, G, VM, u);
	check_avp_def(ims_cx.avp_optional_capability, 605, G, VM, u);
	check_avp_def(ims_cx.avp_user_data, 606, G, VM, os);
	check_avp_def(ims_cx.avp_sip_number_auth_items, 607, G, VM, u);
	check_avp_def(ims_cx.avp_sip_authentication_scheme, 608, G, VM, os);
	check_avp_def(ims_cx.avp_sip_authenticate, 609, G, VM, os);
	check_avp_def(ims_cx.avp_sip_authorization, 610, G, VM, os);
	check_avp_def(ims_cx.avp_sip_authentication_context, 611, G, VM, os);
	check_avp_def(ims_cx.avp_sip_auth_data_item, 612, G, VM, g);
	check_avp_def(ims_cx.avp_sip_item_number, 613, G, VM, u);
	check_avp_def(ims_cx.avp_server_assignment_type, 614, G, VM, i);
	check_avp_def(ims_cx.avp_deregistration_reason, 615, G, VM, g);
	check_avp_def(ims_cx.avp_reason_code, 616, G, VM, i);
	check_avp_def(ims_cx.avp_reason_info, 617, G, VM, os);
	check_avp_def(ims_cx.avp_charging_information, 618, G, VM, g);
	check_avp_def(ims_cx.avp_user_authorization_type, 623, G, VM, i);
	check_avp_def(ims_cx.avp_user_data_already_available, 624, G, VM, i);
	check_avp_def(ims_cx.avp_confidentiality_key, 625, G, VM, os);
	check_avp_def(ims_cx.avp_integrity_key, 626, G, VM, os);
	check_avp_def(ims_cx.avp_supported_features, 628, G, V, g);
	check_avp_def(ims_cx.avp_feature_list_id, 629, G, V, u);
	check_avp_def(ims_cx.avp_feature_list, 630, G, V, u);
	check_avp_def(ims_cx.avp_associated_identities, 632, G, V, g);
	check_avp_def(ims_cx.avp_originating_request, 633, G, VM, i);
	check_avp_def(ims_cx.avp_sip_digest_authenticate, 635, G, V, g);
	check_avp_def(ims_cx.avp_path, 640, G, V, os);
	check_avp_def(ims_cx.avp_contact, 641, G, V, os);
	check_avp_def(ims_cx.avp_digest_realm, 104, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_digest_nonce, 105, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_digest_qop, 110, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_digest_algorithm, 111, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_digest_ha1, 121, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_session_id, 263, 0, AVP_FLAG_MANDATORY, os);
	check_avp_def(ims_cx.avp_experimental_result, 297, 0, AVP_FLAG_MANDATORY, g);

	/* Idempotent. */
	struct dict_object *uar = ims_cx.cmd_uar;
	assert_int_equal(ims_cx_dict_init(), 0);
	assert_ptr_equal(ims_cx.cmd_uar, uar);
}

/* The enumerated types carry TS 29.229's names (for freeDiameter's dumps). */
static void test_dict_enumerations_are_named(void **state)
{
	struct dict_object *type = NULL, *ev = NULL;
	assert_int_equal(fd_dict_search(ims_cx.dict, DICT_TYPE, TYPE_OF_AVP,
	                                ims_cx.avp_server_assignment_type, &type, ENOENT),
	                 0);
	struct dict_enumval_request req = {.type_obj = type};
	req.search.enum_value.i32 = IMS_CX_SAT_USER_DEREGISTRATION;
	assert_int_equal(
	    fd_dict_search(ims_cx.dict, DICT_ENUMVAL, ENUMVAL_BY_STRUCT, &req, &ev, ENOENT), 0);
	struct dict_enumval_data d;
	assert_int_equal(fd_dict_getval(ev, &d), 0);
	assert_string_equal(d.enum_name, "USER_DEREGISTRATION");
}

/* ---- UAR ---------------------------------------------------------------------- */

static void test_uar_carries_every_avp_with_code_vendor_flags_value(void **state)
{
	struct msg *uar = NULL;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_uar, REALM, NULL, &uar), 0);
	assert_int_equal(ims_cx_add_str(uar, ims_cx.avp_user_name, "alice@open-ims.test"), 0);
	assert_int_equal(ims_cx_add_str(uar, ims_cx.avp_public_identity, "sip:alice@open-ims.test"),
	                 0);
	assert_int_equal(ims_cx_add_str(uar, ims_cx.avp_visited_network_identifier, REALM), 0);
	assert_int_equal(ims_cx_add_i32(uar, ims_cx.avp_user_authorization_type,
	                                IMS_CX_UAT_REGISTRATION_AND_CAPABILITIES),
	                 0);

	struct msg *got = roundtrip(uar);
	char sid[256];
	sid_of(got, sid, sizeof sid);
	check_header(got, IMS_CX_CMD_UAR, CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE);

	const uint8_t M = AVP_FLAG_MANDATORY;
	const uint32_t G = IMS_CX_VENDOR_3GPP;
	const struct want want[] = {
	    W_STR(263, 0, M, sid),
	    W_GRP(260, 0, M),
	    {266, 0, M, T_U32, NULL, 0, G, 2},
	    {258, 0, M, T_U32, NULL, 0, IMS_CX_APP_ID, 2},
	    W_I32(277, 0, M, 1),
	    W_STR(264, 0, M, IDENTITY),
	    W_STR(296, 0, M, REALM),
	    W_STR(283, 0, M, REALM),
	    W_STR(1, 0, M, "alice@open-ims.test"),
	    W_STR(601, G, VM, "sip:alice@open-ims.test"),
	    W_STR(600, G, VM, REALM),
	    W_I32(623, G, VM, 2),
	};
	check_avps(got, want, sizeof want / sizeof want[0]);

	/* And through the readers. */
	char buf[64];
	int32_t uat;
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_public_identity, buf, sizeof buf), 0);
	assert_string_equal(buf, "sip:alice@open-ims.test");
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_user_name, buf, sizeof buf), 0);
	assert_string_equal(buf, "alice@open-ims.test");
	assert_int_equal(ims_cx_get_i32(got, ims_cx.avp_user_authorization_type, &uat), 0);
	assert_int_equal(uat, IMS_CX_UAT_REGISTRATION_AND_CAPABILITIES);

	fd_msg_free(got);
	fd_msg_free(uar);
}

static void test_request_with_destination_host(void **state)
{
	struct msg *rtr = NULL;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_rtr, REALM, "scscf.open-ims.test", &rtr), 0);
	struct msg *got = roundtrip(rtr);
	char buf[64];
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_destination_host, buf, sizeof buf), 0);
	assert_string_equal(buf, "scscf.open-ims.test");
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_destination_realm, buf, sizeof buf), 0);
	assert_string_equal(buf, REALM);
	check_header(got, IMS_CX_CMD_RTR, CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE);
	fd_msg_free(got);
	fd_msg_free(rtr);
}

/* ---- MAA with SIP-Auth-Data-Item ---------------------------------------------- */

static const uint8_t RAND_AUTN[32] = {
    0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d, 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35,
    0x55, 0xf3, 0x28, 0xb2, 0x35, 0x77, 0xb9, 0xb9, 0x4a, 0x9f, 0xfa, 0xc3, 0x54, 0xdf, 0xaf, 0xb3};
static const uint8_t XRES[8] = {0xa5, 0x42, 0x11, 0xd5, 0xe3, 0xba, 0x50, 0xbf};
static const uint8_t CK[16] = {0xb4, 0x0b, 0xa9, 0xa3, 0xc5, 0x8b, 0x2a, 0x05,
                               0xbb, 0xf0, 0xd9, 0x87, 0xb2, 0x1b, 0xf8, 0xcb};
static const uint8_t IK[16] = {0xf7, 0x69, 0xbc, 0xd7, 0x51, 0x04, 0x46, 0x04,
                               0x12, 0x76, 0x72, 0x71, 0x1c, 0x6d, 0x34, 0x41};

/* A MAR as the HSS would receive it. */
static struct msg *received_mar(void)
{
	struct msg *mar = NULL;
	struct avp *item;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_mar, REALM, "hss.open-ims.test", &mar), 0);
	assert_int_equal(ims_cx_add_str(mar, ims_cx.avp_user_name, "carol@open-ims.test"), 0);
	assert_int_equal(ims_cx_add_str(mar, ims_cx.avp_public_identity, "sip:carol@open-ims.test"),
	                 0);
	assert_int_equal(ims_cx_add_u32(mar, ims_cx.avp_sip_number_auth_items, 1), 0);
	assert_int_equal(ims_cx_add_group(mar, ims_cx.avp_sip_auth_data_item, &item), 0);
	assert_int_equal(
	    ims_cx_add_str(item, ims_cx.avp_sip_authentication_scheme, IMS_CX_SCHEME_UNKNOWN), 0);
	assert_int_equal(
	    ims_cx_add_str(mar, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060"), 0);
	struct msg *got = roundtrip(mar);
	fd_msg_free(mar);
	return got;
}

static void test_maa_with_grouped_auth_data_items(void **state)
{
	struct msg *msg = received_mar();
	char sid[256];
	sid_of(msg, sid, sizeof sid);

	struct avp *item;
	assert_int_equal(ims_cx_answer_new(&msg), 0);
	assert_int_equal(ims_cx_answer_set_result(msg, IMS_DIAMETER_SUCCESS), 0);
	assert_int_equal(ims_cx_add_str(msg, ims_cx.avp_user_name, "carol@open-ims.test"), 0);
	assert_int_equal(ims_cx_add_str(msg, ims_cx.avp_public_identity, "sip:carol@open-ims.test"),
	                 0);
	assert_int_equal(ims_cx_add_u32(msg, ims_cx.avp_sip_number_auth_items, 2), 0);
	/* An AKA vector ... */
	assert_int_equal(ims_cx_add_group(msg, ims_cx.avp_sip_auth_data_item, &item), 0);
	assert_int_equal(ims_cx_add_u32(item, ims_cx.avp_sip_item_number, 1), 0);
	assert_int_equal(
	    ims_cx_add_str(item, ims_cx.avp_sip_authentication_scheme, IMS_CX_SCHEME_AKAV1_MD5), 0);
	assert_int_equal(ims_cx_add_bytes(item, ims_cx.avp_sip_authenticate, RAND_AUTN, 32), 0);
	assert_int_equal(ims_cx_add_bytes(item, ims_cx.avp_sip_authorization, XRES, 8), 0);
	assert_int_equal(ims_cx_add_bytes(item, ims_cx.avp_confidentiality_key, CK, 16), 0);
	assert_int_equal(ims_cx_add_bytes(item, ims_cx.avp_integrity_key, IK, 16), 0);
	/* ... and a TS 29.229 SIP Digest one. */
	struct avp *dig;
	assert_int_equal(ims_cx_add_group(msg, ims_cx.avp_sip_auth_data_item, &item), 0);
	assert_int_equal(ims_cx_add_u32(item, ims_cx.avp_sip_item_number, 2), 0);
	assert_int_equal(
	    ims_cx_add_str(item, ims_cx.avp_sip_authentication_scheme, IMS_CX_SCHEME_SIP_DIGEST),
	    0);
	assert_int_equal(ims_cx_add_group(item, ims_cx.avp_sip_digest_authenticate, &dig), 0);
	assert_int_equal(ims_cx_add_str(dig, ims_cx.avp_digest_realm, REALM), 0);
	assert_int_equal(ims_cx_add_str(dig, ims_cx.avp_digest_algorithm, "MD5"), 0);
	assert_int_equal(ims_cx_add_str(dig, ims_cx.avp_digest_qop, "auth"), 0);
	assert_int_equal(
	    ims_cx_add_str(dig, ims_cx.avp_digest_ha1, "0123456789abcdef0123456789abcdef"), 0);

	struct msg *got = roundtrip(msg);
	check_header(got, IMS_CX_CMD_MAR, CMD_FLAG_PROXIABLE);

	const uint8_t M = AVP_FLAG_MANDATORY, V = AVP_FLAG_VENDOR;
	const uint32_t G = IMS_CX_VENDOR_3GPP;
	const struct want want[] = {
	    W_STR(263, 0, M, sid),
	    W_GRP(260, 0, M),
	    {266, 0, M, T_U32, NULL, 0, G, 2},
	    {258, 0, M, T_U32, NULL, 0, IMS_CX_APP_ID, 2},
	    W_I32(277, 0, M, 1),
	    W_STR(264, 0, M, IDENTITY),
	    W_STR(296, 0, M, REALM),
	    W_U32(268, 0, M, 2001),
	    W_STR(1, 0, M, "carol@open-ims.test"),
	    W_STR(601, G, VM, "sip:carol@open-ims.test"),
	    W_U32(607, G, VM, 2),
	    W_GRP(612, G, VM),
	    {613, G, VM, T_U32, NULL, 0, 1, 2},
	    {608, G, VM, T_STR, "Digest-AKAv1-MD5", 0, 0, 2},
	    {609, G, VM, T_STR, (const char *)RAND_AUTN, 32, 0, 2},
	    {610, G, VM, T_STR, (const char *)XRES, 8, 0, 2},
	    {625, G, VM, T_STR, (const char *)CK, 16, 0, 2},
	    {626, G, VM, T_STR, (const char *)IK, 16, 0, 2},
	    W_GRP(612, G, VM),
	    {613, G, VM, T_U32, NULL, 0, 2, 2},
	    {608, G, VM, T_STR, "SIP Digest", 0, 0, 2},
	    {635, G, V, T_GROUP, NULL, 0, 0, 2},
	    {104, 0, M, T_STR, REALM, 0, 0, 3},
	    {111, 0, M, T_STR, "MD5", 0, 0, 3},
	    {110, 0, M, T_STR, "auth", 0, 0, 3},
	    {121, 0, M, T_STR, "0123456789abcdef0123456789abcdef", 0, 0, 3},
	};
	check_avps(got, want, sizeof want / sizeof want[0]);

	/* Read it back as the S-CSCF would: iterate the items. */
	struct avp *it = NULL;
	uint32_t n = 0, num;
	const uint8_t *data;
	size_t len;
	char scheme[32], ha1[33];
	assert_int_equal(ims_cx_get_u32(got, ims_cx.avp_sip_number_auth_items, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ims_cx_find(got, ims_cx.avp_sip_auth_data_item, &it), 0);
	assert_int_equal(ims_cx_get_u32(it, ims_cx.avp_sip_item_number, &num), 0);
	assert_int_equal(num, 1);
	assert_int_equal(
	    ims_cx_get_str(it, ims_cx.avp_sip_authentication_scheme, scheme, sizeof scheme), 0);
	assert_string_equal(scheme, IMS_CX_SCHEME_AKAV1_MD5);
	assert_int_equal(ims_cx_get_bytes(it, ims_cx.avp_sip_authenticate, &data, &len), 0);
	assert_int_equal(len, 32);
	assert_memory_equal(data, RAND_AUTN, 32);
	assert_int_equal(ims_cx_get_bytes(it, ims_cx.avp_sip_authorization, &data, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(data, XRES, 8);
	assert_int_equal(ims_cx_get_bytes(it, ims_cx.avp_confidentiality_key, &data, &len), 0);
	assert_memory_equal(data, CK, 16);
	assert_int_equal(ims_cx_get_bytes(it, ims_cx.avp_integrity_key, &data, &len), 0);
	assert_memory_equal(data, IK, 16);
	assert_int_equal(ims_cx_find_next(it, ims_cx.avp_sip_auth_data_item, &it), 0);
	assert_int_equal(ims_cx_get_u32(it, ims_cx.avp_sip_item_number, &num), 0);
	assert_int_equal(num, 2);
	assert_int_equal(ims_cx_find(it, ims_cx.avp_sip_digest_authenticate, &dig), 0);
	assert_int_equal(ims_cx_get_str(dig, ims_cx.avp_digest_ha1, ha1, sizeof ha1), 0);
	assert_string_equal(ha1, "0123456789abcdef0123456789abcdef");
	assert_int_equal(ims_cx_find_next(it, ims_cx.avp_sip_auth_data_item, &it), -ENOENT);
	assert_null(it);

	struct ims_cx_result res;
	assert_int_equal(ims_cx_result_get(got, &res), 0);
	assert_int_equal(res.code, IMS_DIAMETER_SUCCESS);
	assert_false(res.experimental);
	assert_true(ims_cx_result_is_success(&res));

	fd_msg_free(got);
	fd_msg_free(msg); /* the answer, with the request it owns */
}

/* ---- SAA with Experimental-Result ------------------------------------------ */

static void test_saa_with_experimental_result(void **state)
{
	struct msg *sar = NULL;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_sar, REALM, NULL, &sar), 0);
	assert_int_equal(
	    ims_cx_add_str(sar, ims_cx.avp_public_identity, "sip:nobody@open-ims.test"), 0);
	assert_int_equal(
	    ims_cx_add_str(sar, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060"), 0);
	assert_int_equal(
	    ims_cx_add_i32(sar, ims_cx.avp_server_assignment_type, IMS_CX_SAT_REGISTRATION), 0);
	assert_int_equal(ims_cx_add_i32(sar, ims_cx.avp_user_data_already_available,
	                                IMS_CX_USER_DATA_NOT_AVAILABLE),
	                 0);
	struct msg *msg = roundtrip(sar);
	fd_msg_free(sar);
	char sid[256];
	sid_of(msg, sid, sizeof sid);
	int32_t sat;
	assert_int_equal(ims_cx_get_i32(msg, ims_cx.avp_server_assignment_type, &sat), 0);
	assert_int_equal(sat, IMS_CX_SAT_REGISTRATION);

	assert_int_equal(ims_cx_answer_new(&msg), 0);
	assert_int_equal(ims_cx_answer_set_experimental(msg, IMS_CX_ERROR_USER_UNKNOWN), 0);
	struct msg *got = roundtrip(msg);
	check_header(got, IMS_CX_CMD_SAR, CMD_FLAG_PROXIABLE);

	const uint8_t M = AVP_FLAG_MANDATORY;
	const uint32_t G = IMS_CX_VENDOR_3GPP;
	const struct want want[] = {
	    W_STR(263, 0, M, sid),
	    W_GRP(260, 0, M),
	    {266, 0, M, T_U32, NULL, 0, G, 2},
	    {258, 0, M, T_U32, NULL, 0, IMS_CX_APP_ID, 2},
	    W_I32(277, 0, M, 1),
	    W_STR(264, 0, M, IDENTITY),
	    W_STR(296, 0, M, REALM),
	    W_GRP(297, 0, M),
	    {266, 0, M, T_U32, NULL, 0, G, 2},
	    {298, 0, M, T_U32, NULL, 0, 5001, 2},
	};
	check_avps(got, want, sizeof want / sizeof want[0]);

	struct ims_cx_result res;
	assert_int_equal(ims_cx_result_get(got, &res), 0);
	assert_int_equal(res.code, IMS_CX_ERROR_USER_UNKNOWN);
	assert_true(res.experimental);
	assert_int_equal(res.vendor, IMS_CX_VENDOR_3GPP);
	assert_false(ims_cx_result_is_success(&res));

	fd_msg_free(got);
	fd_msg_free(msg);
}

/* UAA: success is an Experimental-Result too (FIRST_REGISTRATION 2001),
 * with Server-Capabilities. */
static void test_uaa_first_registration_with_capabilities(void **state)
{
	struct msg *msg = NULL, *uar = NULL;
	struct avp *caps;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_uar, REALM, NULL, &uar), 0);
	msg = roundtrip(uar);
	fd_msg_free(uar);
	assert_int_equal(ims_cx_answer_new(&msg), 0);
	assert_int_equal(ims_cx_answer_set_experimental(msg, IMS_CX_FIRST_REGISTRATION), 0);
	assert_int_equal(ims_cx_add_group(msg, ims_cx.avp_server_capabilities, &caps), 0);
	assert_int_equal(ims_cx_add_u32(caps, ims_cx.avp_mandatory_capability, 1), 0);
	assert_int_equal(ims_cx_add_u32(caps, ims_cx.avp_optional_capability, 2), 0);
	assert_int_equal(
	    ims_cx_add_str(caps, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060"), 0);
	struct msg *got = roundtrip(msg);

	struct ims_cx_result res;
	assert_int_equal(ims_cx_result_get(got, &res), 0);
	assert_int_equal(res.code, IMS_CX_FIRST_REGISTRATION);
	assert_true(res.experimental);
	assert_true(ims_cx_result_is_success(&res));
	char name[64];
	assert_int_equal(ims_cx_find(got, ims_cx.avp_server_capabilities, &caps), 0);
	assert_int_equal(ims_cx_get_str(caps, ims_cx.avp_server_name, name, sizeof name), 0);
	assert_string_equal(name, "sip:scscf.open-ims.test:6060");
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_server_name, name, sizeof name), -ENOENT);
	fd_msg_free(got);
	fd_msg_free(msg);
}

/* A protocol error (3xxx) sets the E bit; the result reads back. */
static void test_error_answer_sets_e_bit(void **state)
{
	struct msg *lir = NULL, *msg;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_lir, REALM, NULL, &lir), 0);
	msg = roundtrip(lir);
	fd_msg_free(lir);
	assert_int_equal(ims_cx_answer_new(&msg), 0);
	assert_int_equal(ims_cx_answer_set_result(msg, IMS_DIAMETER_UNABLE_TO_DELIVER), 0);
	struct msg *got = roundtrip(msg);
	check_header(got, IMS_CX_CMD_LIR, CMD_FLAG_PROXIABLE | CMD_FLAG_ERROR);
	struct ims_cx_result res;
	assert_int_equal(ims_cx_result_get(got, &res), 0);
	assert_int_equal(res.code, IMS_DIAMETER_UNABLE_TO_DELIVER);
	assert_false(res.experimental);
	assert_int_equal(res.vendor, 0);
	fd_msg_free(got);
	fd_msg_free(msg);
}

static void test_answer_without_result_is_enoent(void **state)
{
	struct msg *ppr = NULL, *msg;
	assert_int_equal(ims_cx_request_new(ims_cx.cmd_ppr, REALM, NULL, &ppr), 0);
	msg = roundtrip(ppr);
	fd_msg_free(ppr);
	assert_int_equal(ims_cx_answer_new(&msg), 0);
	struct ims_cx_result res;
	assert_int_equal(ims_cx_result_get(msg, &res), -ENOENT);
	fd_msg_free(msg);
}

/* ---- Readers: bounds and types --------------------------------------------- */

static void test_readers_bound_and_check_types(void **state)
{
	struct msg *m = NULL;
	char small[8], big[64];
	uint32_t u;
	int32_t i;
	const uint8_t nul[] = {'a', 0, 'b'};

	assert_int_equal(ims_cx_request_new(ims_cx.cmd_lir, REALM, NULL, &m), 0);
	assert_int_equal(ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:alice@open-ims.test"),
	                 0);
	assert_int_equal(ims_cx_add_bytes(m, ims_cx.avp_server_name, nul, sizeof nul), 0);
	assert_int_equal(ims_cx_add_i32(m, ims_cx.avp_originating_request, IMS_CX_ORIGINATING), 0);
	struct msg *got = roundtrip(m);

	/* too long for the buffer: -ENOSPC and an empty string, never truncated */
	strcpy(small, "junk");
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_public_identity, small, sizeof small),
	                 -ENOSPC);
	assert_string_equal(small, "");
	/* exactly fitting */
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_public_identity, big, 24), 0);
	assert_string_equal(big, "sip:alice@open-ims.test");
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_public_identity, big, 23), -ENOSPC);
	/* embedded NUL is refused as a string */
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_server_name, big, sizeof big), -EINVAL);
	/* absent */
	assert_int_equal(ims_cx_get_str(got, ims_cx.avp_user_name, big, sizeof big), -ENOENT);
	assert_int_equal(ims_cx_get_u32(got, ims_cx.avp_sip_number_auth_items, &u), -ENOENT);
	/* wrong type */
	assert_int_equal(ims_cx_get_u32(got, ims_cx.avp_originating_request, &u), -EINVAL);
	assert_int_equal(ims_cx_get_i32(got, ims_cx.avp_originating_request, &i), 0);
	assert_int_equal(i, IMS_CX_ORIGINATING);
	assert_int_equal(ims_cx_get_i32(got, ims_cx.avp_public_identity, &i), -EINVAL);
	/* bad arguments */
	assert_int_equal(ims_cx_add_str(m, NULL, "x"), -EINVAL);
	assert_int_equal(ims_cx_add_str(m, ims_cx.avp_user_name, NULL), -EINVAL);

	fd_msg_free(got);
	fd_msg_free(m);
}

/* ---- Rules on grouped AVPs -------------------------------------------------- */

/* SIP-Digest-Authenticate without Digest-HA1 breaks TS 29.229's ABNF: the
 * rules make freeDiameter refuse it (it would answer DIAMETER_MISSING_AVP). */
static void test_rules_refuse_incomplete_digest_authenticate(void **state)
{
	struct msg *m = NULL, *parsed = NULL;
	struct avp *item, *dig;
	uint8_t *buf;
	size_t len;
	struct fd_pei pei;

	assert_int_equal(ims_cx_request_new(ims_cx.cmd_mar, REALM, NULL, &m), 0);
	assert_int_equal(ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &item), 0);
	assert_int_equal(ims_cx_add_group(item, ims_cx.avp_sip_digest_authenticate, &dig), 0);
	assert_int_equal(ims_cx_add_str(dig, ims_cx.avp_digest_realm, REALM), 0);
	assert_int_equal(ims_cx_add_str(dig, ims_cx.avp_digest_qop, "auth"), 0);
	assert_int_equal(fd_msg_bufferize(m, &buf, &len), 0);
	assert_int_equal(fd_msg_parse_buffer(&buf, len, &parsed), 0);
	memset(&pei, 0, sizeof pei);
	assert_int_equal(fd_msg_parse_dict(parsed, ims_cx.dict, &pei), 0);
	memset(&pei, 0, sizeof pei);
	assert_int_equal(fd_msg_parse_rules(parsed, ims_cx.dict, &pei), EBADMSG);
	assert_string_equal(pei.pei_errcode, "DIAMETER_MISSING_AVP");
	if (pei.pei_avp_free)
		fd_msg_free(pei.pei_avp);
	fd_msg_free(parsed);
	fd_msg_free(m);
}

/* ---- Setup ----------------------------------------------------------------------- */

static char conf_path[64];

static int setup(void **state)
{
	FILE *f;
	int fd;

	strcpy(conf_path, "/tmp/test_cx.XXXXXX");
	fd = mkstemp(conf_path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fprintf(f, "Identity = \"%s\";\nRealm = \"%s\";\nPort = 0;\nSecPort = 0;\nNo_SCTP;\n",
	        IDENTITY, REALM);
	if (with_debian_dicts)
		fprintf(f, "LoadExtension = \"" FDX_DIR "/dict_nasreq.fdx\";\n"
		           "LoadExtension = \"" FDX_DIR "/dict_dcca.fdx\";\n"
		           "LoadExtension = \"" FDX_DIR "/dict_dcca_3gpp.fdx\";\n"
		           "LoadExtension = \"" FDX_DIR "/dict_sip.fdx\";\n");
	fclose(f);

	ims_log_init("test_cx", IMS_LOG_WARN, false);
	if (fd_core_initialize())
		return -1;
	ims_log_route_freediameter();
	int ret = fd_core_parseconf(conf_path);
	unlink(conf_path);
	if (ret)
		return -1;
	if (with_debian_dicts) {
		/* Prove the extensions' objects are there before ims_cx looks. */
		struct dict_avp_request r = {.avp_vendor = IMS_CX_VENDOR_3GPP, .avp_code = 601};
		struct dict_object *o = NULL;
		if (fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o,
		                   ENOENT))
			return -1;
	}
	return ims_cx_dict_init() ? -1 : 0;
}

static int teardown(void **state)
{
	fd_core_shutdown();
	fd_core_wait_shutdown_complete();
	return 0;
}

static int run(const char *name)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dict_has_cx_application_commands_and_avps),
	    cmocka_unit_test(test_dict_enumerations_are_named),
	    cmocka_unit_test(test_uar_carries_every_avp_with_code_vendor_flags_value),
	    cmocka_unit_test(test_request_with_destination_host),
	    cmocka_unit_test(test_maa_with_grouped_auth_data_items),
	    cmocka_unit_test(test_saa_with_experimental_result),
	    cmocka_unit_test(test_uaa_first_registration_with_capabilities),
	    cmocka_unit_test(test_error_answer_sets_e_bit),
	    cmocka_unit_test(test_answer_without_result_is_enoent),
	    cmocka_unit_test(test_readers_bound_and_check_types),
	    cmocka_unit_test(test_rules_refuse_incomplete_digest_authenticate),
	};
	return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], setup,
	                               teardown);
}

int main(void)
{
	fflush(NULL);
	pid_t child = -1;
	if (access(FDX_DIR "/dict_dcca_3gpp.fdx", R_OK) == 0 &&
	    access(FDX_DIR "/dict_sip.fdx", R_OK) == 0)
		child = fork();
	if (child == 0) {
		with_debian_dicts = true;
		_exit(run("cx_with_debian_dictionaries") ? 1 : 0);
	}
	int failed = run("cx_bare_dictionary");
	if (child > 0) {
		int status = 0;
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	} else {
		print_message("Debian dictionary extensions not installed: that variant skipped\n");
	}
	return failed ? 1 : 0;
}
