/*
 * cx_seeds — writes the seed corpora of fuzz_cx_request and fuzz_cx_answer:
 * the Cx requests the CSCFs send (UAR, MAR for MD5 / AKA / resync, SAR,
 * LIR) and the answers the HSS gives (UAA with Server-Name or
 * capabilities, MAA with an AKA or a digest item, SAA with User-Data, LIA,
 * errors), built with the ims_cx helpers as the daemons build them and
 * encoded by freeDiameter.
 *
 *   cx_seeds REQUEST-DIR ANSWER-DIR
 */
#include <stdio.h>

#include "fuzz_diam.h"

static const char *out_req, *out_ans;

static void save(struct msg *m, const char *dir, const char *name)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char path[512];
	if (fd_msg_bufferize(m, &buf, &len))
		abort();
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len)
		abort();
	fclose(f);
	free(buf);
}

static struct msg *req(struct dict_object *cmd)
{
	struct msg *m = NULL;
	if (ims_cx_request_new(cmd, "open-ims.test", NULL, &m) < 0)
		abort();
	return m;
}

/* The answer to m with a result; m is consumed (the answer owns it). */
static struct msg *ans(struct msg *m, bool experimental, uint32_t code)
{
	if (ims_cx_answer_new(&m) < 0)
		abort();
	if (experimental)
		ims_cx_answer_set_experimental(m, code);
	else
		ims_cx_answer_set_result(m, code);
	return m;
}

static const char user_data[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><IMSSubscription><PrivateID>alice@open-ims.test"
	"</PrivateID><ServiceProfile><PublicIdentity><Identity>sip:alice@open-ims.test</Identity>"
	"</PublicIdentity><PublicIdentity><Identity>tel:+15551234</Identity></PublicIdentity>"
	"<InitialFilterCriteria><Priority>0</Priority><TriggerPoint><ConditionTypeCNF>1"
	"</ConditionTypeCNF><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>"
	"INVITE</Method></SPT></TriggerPoint><ApplicationServer><ServerName>sip:as.open-ims.test"
	"</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>"
	"</InitialFilterCriteria></ServiceProfile></IMSSubscription>";

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cx_seeds REQUEST-DIR ANSWER-DIR\n");
		return 2;
	}
	out_req = argv[1];
	out_ans = argv[2];
	fuzz_diam_init();
	struct msg *m;
	struct avp *g, *g2;
	uint8_t bytes[64];
	for (int i = 0; i < 64; i++)
		bytes[i] = (uint8_t)(i * 37 + 1);

	/* UAR and its answers */
	m = req(ims_cx.cmd_uar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "alice@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:alice@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_visited_network_identifier, "open-ims.test");
	ims_cx_add_i32(m, ims_cx.avp_user_authorization_type, 0);
	save(m, out_req, "uar");
	m = ans(m, true, IMS_CX_FIRST_REGISTRATION);
	ims_cx_add_group(m, ims_cx.avp_server_capabilities, &g);
	ims_cx_add_u32(g, ims_cx.avp_mandatory_capability, 1);
	ims_cx_add_u32(g, ims_cx.avp_optional_capability, 2);
	ims_cx_add_str(g, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	save(m, out_ans, "uaa_first");
	fd_msg_free(m);
	m = req(ims_cx.cmd_uar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "bob@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:bob@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_visited_network_identifier, "visited.example");
	ims_cx_add_i32(m, ims_cx.avp_user_authorization_type, 1);
	save(m, out_req, "uar_dereg");
	m = ans(m, true, IMS_CX_SUBSEQUENT_REGISTRATION);
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	save(m, out_ans, "uaa_subsequent");
	fd_msg_free(m);

	/* MAR: MD5, AKA, resynchronisation */
	m = req(ims_cx.cmd_mar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "alice@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:alice@open-ims.test");
	ims_cx_add_u32(m, ims_cx.avp_sip_number_auth_items, 1);
	ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &g);
	ims_cx_add_str(g, ims_cx.avp_sip_authentication_scheme, "SIP Digest");
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	save(m, out_req, "mar_md5");
	m = ans(m, false, IMS_DIAMETER_SUCCESS);
	ims_cx_add_str(m, ims_cx.avp_user_name, "alice@open-ims.test");
	ims_cx_add_u32(m, ims_cx.avp_sip_number_auth_items, 1);
	ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &g);
	ims_cx_add_str(g, ims_cx.avp_sip_authentication_scheme, "SIP Digest");
	ims_cx_add_group(g, ims_cx.avp_sip_digest_authenticate, &g2);
	ims_cx_add_str(g2, ims_cx.avp_digest_realm, "open-ims.test");
	ims_cx_add_str(g2, ims_cx.avp_digest_qop, "auth");
	ims_cx_add_str(g2, ims_cx.avp_digest_ha1, "0123456789abcdef0123456789abcdef");
	save(m, out_ans, "maa_md5");
	fd_msg_free(m);

	m = req(ims_cx.cmd_mar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "carol@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:carol@open-ims.test");
	ims_cx_add_u32(m, ims_cx.avp_sip_number_auth_items, 1);
	ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &g);
	ims_cx_add_str(g, ims_cx.avp_sip_authentication_scheme, "Digest-AKAv1-MD5");
	ims_cx_add_bytes(g, ims_cx.avp_sip_authorization, bytes, 30);
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	save(m, out_req, "mar_aka_resync");
	m = ans(m, false, IMS_DIAMETER_SUCCESS);
	ims_cx_add_u32(m, ims_cx.avp_sip_number_auth_items, 1);
	ims_cx_add_group(m, ims_cx.avp_sip_auth_data_item, &g);
	ims_cx_add_u32(g, ims_cx.avp_sip_item_number, 1);
	ims_cx_add_str(g, ims_cx.avp_sip_authentication_scheme, "Digest-AKAv1-MD5");
	ims_cx_add_bytes(g, ims_cx.avp_sip_authenticate, bytes, 32);
	ims_cx_add_bytes(g, ims_cx.avp_sip_authorization, bytes + 32, 8);
	ims_cx_add_bytes(g, ims_cx.avp_confidentiality_key, bytes + 8, 16);
	ims_cx_add_bytes(g, ims_cx.avp_integrity_key, bytes + 24, 16);
	save(m, out_ans, "maa_aka");
	fd_msg_free(m);

	m = req(ims_cx.cmd_mar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "nobody@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:nobody@open-ims.test");
	save(m, out_req, "mar_incomplete");
	m = ans(m, true, IMS_CX_ERROR_USER_UNKNOWN);
	save(m, out_ans, "maa_unknown");
	fd_msg_free(m);

	/* SAR and SAA with User-Data */
	m = req(ims_cx.cmd_sar);
	ims_cx_add_str(m, ims_cx.avp_user_name, "alice@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:alice@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	ims_cx_add_i32(m, ims_cx.avp_server_assignment_type, IMS_CX_SAT_REGISTRATION);
	ims_cx_add_i32(m, ims_cx.avp_user_data_already_available, 0);
	save(m, out_req, "sar_registration");
	m = ans(m, false, IMS_DIAMETER_SUCCESS);
	ims_cx_add_bytes(m, ims_cx.avp_user_data, (const uint8_t *)user_data, sizeof user_data - 1);
	save(m, out_ans, "saa_user_data");
	fd_msg_free(m);
	m = req(ims_cx.cmd_sar);
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:bob@open-ims.test");
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	ims_cx_add_i32(m, ims_cx.avp_server_assignment_type, IMS_CX_SAT_UNREGISTERED_USER);
	ims_cx_add_i32(m, ims_cx.avp_user_data_already_available, 0);
	save(m, out_req, "sar_unregistered");
	m = ans(m, false, IMS_DIAMETER_UNABLE_TO_COMPLY);
	save(m, out_ans, "saa_error");
	fd_msg_free(m);

	/* LIR / LIA */
	m = req(ims_cx.cmd_lir);
	ims_cx_add_str(m, ims_cx.avp_public_identity, "sip:bob@open-ims.test");
	save(m, out_req, "lir");
	m = ans(m, false, IMS_DIAMETER_SUCCESS);
	ims_cx_add_str(m, ims_cx.avp_server_name, "sip:scscf.open-ims.test:6060");
	save(m, out_ans, "lia");
	fd_msg_free(m);
	return 0;
}
