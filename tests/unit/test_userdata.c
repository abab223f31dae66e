/*
 * Unit tests for ims_userdata: model -> XML -> model round trip, a
 * hand-written TS 29.228 IMSSubscription, and refusal of malformed or
 * hostile documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "ims_userdata.h"

/* ---- helpers ---------------------------------------------------------- */

static void assert_str_eq_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_subscription(const struct ims_subscription *a,
				     const struct ims_subscription *b)
{
	size_t i, j, k;

	assert_string_equal(a->private_id, b->private_id);
	assert_int_equal(a->nprofiles, b->nprofiles);
	for (i = 0; i < a->nprofiles; i++) {
		const struct ims_service_profile *pa = &a->profiles[i], *pb = &b->profiles[i];

		assert_int_equal(pa->nidentities, pb->nidentities);
		for (j = 0; j < pa->nidentities; j++) {
			const struct ims_public_identity *x = &pa->identities[j];
			const struct ims_public_identity *y = &pb->identities[j];

			assert_string_equal(x->identity, y->identity);
			assert_int_equal(x->barred, y->barred);
			assert_int_equal(x->type, y->type);
			assert_str_eq_or_null(x->wildcard, y->wildcard);
			assert_str_eq_or_null(x->display_name, y->display_name);
		}
		assert_int_equal(pa->nifcs, pb->nifcs);
		for (j = 0; j < pa->nifcs; j++) {
			const struct ims_ifc *x = &pa->ifcs[j], *y = &pb->ifcs[j];

			assert_int_equal(x->priority, y->priority);
			assert_int_equal(x->profile_part, y->profile_part);
			assert_string_equal(x->as.server_name, y->as.server_name);
			assert_int_equal(x->as.default_handling, y->as.default_handling);
			assert_str_eq_or_null(x->as.service_info, y->as.service_info);
			assert_int_equal(x->as.include_register_request,
					 y->as.include_register_request);
			assert_int_equal(x->as.include_register_response,
					 y->as.include_register_response);
			assert_int_equal(x->tp.cnf, y->tp.cnf);
			assert_int_equal(x->tp.nspts, y->tp.nspts);
			for (k = 0; k < x->tp.nspts; k++) {
				const struct ims_spt *s = &x->tp.spts[k], *t = &y->tp.spts[k];

				assert_int_equal(s->negated, t->negated);
				assert_int_equal(s->ngroups, t->ngroups);
				assert_memory_equal(s->groups, t->groups,
						    s->ngroups * sizeof(s->groups[0]));
				assert_int_equal(s->type, t->type);
				assert_str_eq_or_null(s->header, t->header);
				assert_str_eq_or_null(s->value, t->value);
				if (s->type == IMS_SPT_SESSION_CASE)
					assert_int_equal(s->session_case, t->session_case);
				assert_int_equal(s->reg_types, t->reg_types);
			}
		}
	}
}

/* A subscription using every part of the model. */
static struct ims_subscription *build_full(void)
{
	struct ims_subscription *sub = ims_subscription_new("alice@open-ims.test");
	struct ims_service_profile *sp;
	struct ims_public_identity *pi;
	struct ims_ifc *ifc;
	struct ims_spt *spt;

	assert_non_null(sub);
	sp = ims_subscription_add_profile(sub);
	assert_non_null(sp);
	assert_non_null(ims_profile_add_identity(sp, "sip:alice@open-ims.test"));
	pi = ims_profile_add_identity(sp, "tel:+4930123456");
	assert_non_null(pi);
	assert_int_equal(ims_userdata_set_str(&pi->display_name, "Alice <Smith> & Co"), 0);
	pi = ims_profile_add_identity(sp, "sip:alice-barred@open-ims.test");
	assert_non_null(pi);
	pi->barred = true;

	/* CNF: (INVITE or MESSAGE) and originating, not to a conference. */
	ifc = ims_profile_add_ifc(sp, 10, "sip:as.open-ims.test:5065",
				  IMS_DEFAULT_SESSION_CONTINUED);
	assert_non_null(ifc);
	ifc->tp.cnf = true;
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE"));
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "MESSAGE"));
	spt = ims_ifc_add_spt(ifc, 1, false, IMS_SPT_SESSION_CASE, NULL, NULL);
	assert_non_null(spt);
	spt->session_case = IMS_SESSION_ORIGINATING;
	assert_non_null(ims_ifc_add_spt(ifc, 2, true, IMS_SPT_REQUEST_URI, NULL,
					"^sip:conf-[0-9]+@open-ims\\.test$"));
	assert_int_equal(ims_userdata_set_str(&ifc->as.service_info, "mode=<test>&x"), 0);

	/* DNF with headers, SDP and an SPT in two groups. */
	ifc = ims_profile_add_ifc(sp, 5, "sip:voicemail.open-ims.test",
				  IMS_DEFAULT_SESSION_TERMINATED);
	assert_non_null(ifc);
	ifc->tp.cnf = false;
	ifc->profile_part = IMS_PROFILE_PART_UNREGISTERED;
	spt = ims_ifc_add_spt(ifc, 0, false, IMS_SPT_SIP_HEADER, "Accept-Contact",
			      "\\+g\\.3gpp\\.icsi-ref");
	assert_non_null(spt);
	spt->groups[1] = 7;
	spt->ngroups = 2;
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_SIP_HEADER, "P-Served-User", NULL));
	assert_non_null(ims_ifc_add_spt(ifc, 7, false, IMS_SPT_SESSION_DESCRIPTION, "m",
					"^audio"));
	assert_non_null(ims_ifc_add_spt(ifc, 7, true, IMS_SPT_SESSION_DESCRIPTION, "c", NULL));

	/* No trigger point; REGISTER to a third-party-registration AS. */
	ifc = ims_profile_add_ifc(sp, 20, "sip:presence.open-ims.test",
				  IMS_DEFAULT_SESSION_CONTINUED);
	assert_non_null(ifc);
	ifc->as.include_register_request = true;
	ifc->as.include_register_response = true;
	ifc->profile_part = IMS_PROFILE_PART_REGISTERED;
	ifc = ims_profile_add_ifc(sp, 30, "sip:reg.open-ims.test", IMS_DEFAULT_SESSION_CONTINUED);
	assert_non_null(ifc);
	spt = ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "REGISTER");
	assert_non_null(spt);
	spt->reg_types = IMS_REG_TYPE_INITIAL | IMS_REG_TYPE_DE;

	/* A second profile with PSIs. */
	sp = ims_subscription_add_profile(sub);
	assert_non_null(sp);
	pi = ims_profile_add_identity(sp, "sip:conf@open-ims.test");
	assert_non_null(pi);
	pi->type = IMS_IDENTITY_DISTINCT_PSI;
	pi = ims_profile_add_identity(sp, "sip:conf-!.*!@open-ims.test");
	assert_non_null(pi);
	pi->type = IMS_IDENTITY_WILDCARDED_PSI;
	assert_int_equal(ims_userdata_set_str(&pi->wildcard, "sip:conf-!.*!@open-ims.test"), 0);
	pi = ims_profile_add_identity(sp, "sip:user-!.*!@open-ims.test");
	assert_non_null(pi);
	pi->type = IMS_IDENTITY_WILDCARDED_IMPU;
	assert_int_equal(ims_userdata_set_str(&pi->wildcard, "sip:user-!.*!@open-ims.test"), 0);
	assert_int_equal(ims_userdata_set_str(&pi->display_name, "Wild"), 0);
	return sub;
}

/* ---- round trip ------------------------------------------------------- */

static void test_build_to_xml_parse_round_trip(void **state)
{
	struct ims_subscription *sub = build_full(), *back = NULL;
	char *xml = NULL, *xml2 = NULL;
	size_t len = 0, len2 = 0;

	assert_int_equal(ims_userdata_to_xml(sub, &xml, &len), 0);
	assert_non_null(xml);
	assert_int_equal(strlen(xml), len);
	assert_non_null(strstr(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
	assert_non_null(strstr(xml, "<PrivateID>alice@open-ims.test</PrivateID>"));
	assert_non_null(strstr(xml, "Alice &lt;Smith&gt; &amp; Co"));

	assert_int_equal(ims_userdata_parse(xml, len, &back), 0);
	assert_non_null(back);
	assert_same_subscription(sub, back);

	/* Writing the parsed model again gives the same document. */
	assert_int_equal(ims_userdata_to_xml(back, &xml2, &len2), 0);
	assert_int_equal(len, len2);
	assert_string_equal(xml, xml2);

	free(xml);
	free(xml2);
	ims_subscription_free(sub);
	ims_subscription_free(back);
}

static void test_to_xml_rejects_incomplete_model(void **state)
{
	struct ims_subscription *sub = ims_subscription_new("bob@open-ims.test");
	struct ims_service_profile *sp;
	struct ims_public_identity *pi;
	char *xml = (char *)1;

	assert_non_null(sub);
	/* No ServiceProfile. */
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), -EINVAL);
	assert_null(xml);
	/* A ServiceProfile without PublicIdentity. */
	sp = ims_subscription_add_profile(sub);
	assert_non_null(sp);
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), -EINVAL);
	/* Invalid UTF-8, then a control character. */
	pi = ims_profile_add_identity(sp, "sip:bob\xff@open-ims.test");
	assert_non_null(pi);
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), -EINVAL);
	assert_int_equal(ims_userdata_set_str(&pi->identity, "sip:bob\x01@open-ims.test"), 0);
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), -EINVAL);
	assert_int_equal(ims_userdata_set_str(&pi->identity, "sip:bob@open-ims.test"), 0);
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), 0);
	free(xml);
	ims_subscription_free(sub);

	assert_int_equal(ims_userdata_to_xml(NULL, &xml, NULL), -EINVAL);
}

static void test_add_helpers_refuse_missing_strings(void **state)
{
	struct ims_subscription *sub = ims_subscription_new("bob@open-ims.test");
	struct ims_service_profile *sp = ims_subscription_add_profile(sub);
	struct ims_ifc *ifc;

	assert_non_null(sp);
	assert_null(ims_profile_add_identity(sp, NULL));
	assert_null(ims_profile_add_ifc(sp, 0, NULL, IMS_DEFAULT_SESSION_CONTINUED));
	ifc = ims_profile_add_ifc(sp, 0, "sip:as@open-ims.test", IMS_DEFAULT_SESSION_CONTINUED);
	assert_non_null(ifc);
	assert_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, NULL));
	assert_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_REQUEST_URI, NULL, NULL));
	assert_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_SIP_HEADER, NULL, "x"));
	assert_int_equal(ifc->tp.nspts, 0);
	ims_subscription_free(sub);
	ims_subscription_free(NULL);
}

/* ---- a hand-written TS 29.228 document -------------------------------- */

static const char example_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<IMSSubscription xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
	"                 xsi:noNamespaceSchemaLocation=\"CxDataType.xsd\">\n"
	"  <PrivateID>carol@open-ims.test</PrivateID>\n"
	"  <ServiceProfile>\n"
	"    <PublicIdentity>\n"
	"      <BarringIndication>0</BarringIndication>\n"
	"      <Identity> sip:carol@open-ims.test </Identity>\n"
	"      <Extension>\n"
	"        <IdentityType>0</IdentityType>\n"
	"        <Extension><DisplayName>Carol</DisplayName></Extension>\n"
	"      </Extension>\n"
	"    </PublicIdentity>\n"
	"    <PublicIdentity>\n"
	"      <BarringIndication>1</BarringIndication>\n"
	"      <Identity>tel:+4930555</Identity>\n"
	"    </PublicIdentity>\n"
	"    <CoreNetworkServicesAuthorization>\n"
	"      <SubscribedMediaProfileId>0</SubscribedMediaProfileId>\n"
	"    </CoreNetworkServicesAuthorization>\n"
	"    <InitialFilterCriteria>\n"
	"      <Priority>0</Priority>\n"
	"      <TriggerPoint>\n"
	"        <ConditionTypeCNF>0</ConditionTypeCNF>\n"
	"        <SPT>\n"
	"          <ConditionNegated>0</ConditionNegated>\n"
	"          <Group>0</Group>\n"
	"          <Method>INVITE</Method>\n"
	"          <Extension></Extension>\n"
	"        </SPT>\n"
	"        <SPT>\n"
	"          <ConditionNegated>0</ConditionNegated>\n"
	"          <Group>0</Group>\n"
	"          <SessionCase>1</SessionCase>\n"
	"        </SPT>\n"
	"        <SPT>\n"
	"          <ConditionNegated>1</ConditionNegated>\n"
	"          <Group>1</Group>\n"
	"          <SIPHeader><Header>Subject</Header><Content><![CDATA[urgent & now]]></Content></SIPHeader>\n"
	"        </SPT>\n"
	"        <SPT>\n"
	"          <Group>1</Group>\n"
	"          <Method>REGISTER</Method>\n"
	"          <Extension><RegistrationType>1</RegistrationType><RegistrationType>2</RegistrationType></Extension>\n"
	"        </SPT>\n"
	"      </TriggerPoint>\n"
	"      <ApplicationServer>\n"
	"        <ServerName>sip:as.open-ims.test:5065</ServerName>\n"
	"        <DefaultHandling>1</DefaultHandling>\n"
	"        <ServiceInfo>voicemail</ServiceInfo>\n"
	"      </ApplicationServer>\n"
	"      <ProfilePartIndicator>0</ProfilePartIndicator>\n"
	"    </InitialFilterCriteria>\n"
	"    <InitialFilterCriteria>\n"
	"      <Priority>1</Priority>\n"
	"      <ApplicationServer><ServerName>sip:log.open-ims.test</ServerName></ApplicationServer>\n"
	"    </InitialFilterCriteria>\n"
	"    <Extension><SharedIFCSetID>3</SharedIFCSetID></Extension>\n"
	"  </ServiceProfile>\n"
	"</IMSSubscription>\n";

static void test_parses_ts29228_example(void **state)
{
	struct ims_subscription *sub = NULL;
	const struct ims_service_profile *sp;
	const struct ims_ifc *ifc;

	assert_int_equal(ims_userdata_parse(example_xml, strlen(example_xml), &sub), 0);
	assert_non_null(sub);
	assert_string_equal(sub->private_id, "carol@open-ims.test");
	assert_int_equal(sub->nprofiles, 1);
	sp = &sub->profiles[0];

	assert_int_equal(sp->nidentities, 2);
	assert_string_equal(sp->identities[0].identity, "sip:carol@open-ims.test");
	assert_false(sp->identities[0].barred);
	assert_int_equal(sp->identities[0].type, IMS_IDENTITY_PUBLIC_USER);
	assert_string_equal(sp->identities[0].display_name, "Carol");
	assert_string_equal(sp->identities[1].identity, "tel:+4930555");
	assert_true(sp->identities[1].barred);
	assert_null(sp->identities[1].display_name);
	assert_true(ims_identity_is_tel(sp->identities[1].identity));
	assert_false(ims_identity_is_tel(sp->identities[0].identity));

	assert_int_equal(sp->nifcs, 2);
	ifc = &sp->ifcs[0];
	assert_int_equal(ifc->priority, 0);
	assert_false(ifc->tp.cnf);
	assert_int_equal(ifc->tp.nspts, 4);
	assert_int_equal(ifc->tp.spts[0].type, IMS_SPT_METHOD);
	assert_string_equal(ifc->tp.spts[0].value, "INVITE");
	assert_int_equal(ifc->tp.spts[0].reg_types, 0);
	assert_int_equal(ifc->tp.spts[1].type, IMS_SPT_SESSION_CASE);
	assert_int_equal(ifc->tp.spts[1].session_case, IMS_SESSION_TERMINATING_REGISTERED);
	assert_true(ifc->tp.spts[2].negated);
	assert_int_equal(ifc->tp.spts[2].type, IMS_SPT_SIP_HEADER);
	assert_string_equal(ifc->tp.spts[2].header, "Subject");
	assert_string_equal(ifc->tp.spts[2].value, "urgent & now");
	assert_int_equal(ifc->tp.spts[2].groups[0], 1);
	assert_false(ifc->tp.spts[3].negated); /* ConditionNegated absent */
	assert_int_equal(ifc->tp.spts[3].reg_types, IMS_REG_TYPE_RE | IMS_REG_TYPE_DE);
	assert_string_equal(ifc->as.server_name, "sip:as.open-ims.test:5065");
	assert_int_equal(ifc->as.default_handling, IMS_DEFAULT_SESSION_TERMINATED);
	assert_string_equal(ifc->as.service_info, "voicemail");
	assert_int_equal(ifc->profile_part, IMS_PROFILE_PART_REGISTERED);

	ifc = &sp->ifcs[1];
	assert_int_equal(ifc->priority, 1);
	assert_int_equal(ifc->tp.nspts, 0);
	assert_int_equal(ifc->as.default_handling, IMS_DEFAULT_SESSION_CONTINUED);
	assert_null(ifc->as.service_info);
	assert_int_equal(ifc->profile_part, IMS_PROFILE_PART_ANY);
	ims_subscription_free(sub);
}

/* ---- malformed and hostile documents ---------------------------------- */

#define MINIMAL_HEAD                                                                        \
	"<IMSSubscription><PrivateID>x@open-ims.test</PrivateID><ServiceProfile>"              \
	"<PublicIdentity><Identity>sip:x@open-ims.test</Identity></PublicIdentity>"
#define MINIMAL_TAIL "</ServiceProfile></IMSSubscription>"
#define IFC(tp) \
	"<InitialFilterCriteria><Priority>1</Priority>" tp \
	"<ApplicationServer><ServerName>sip:as</ServerName></ApplicationServer>" \
	"</InitialFilterCriteria>"

static int parse_str(const char *xml)
{
	struct ims_subscription *sub = (struct ims_subscription *)1;
	int rc = ims_userdata_parse(xml, strlen(xml), &sub);

	if (rc < 0)
		assert_null(sub);
	ims_subscription_free(sub);
	return rc;
}

static void test_minimal_document_parses(void **state)
{
	assert_int_equal(parse_str(MINIMAL_HEAD MINIMAL_TAIL), 0);
	assert_int_equal(parse_str(MINIMAL_HEAD IFC("") MINIMAL_TAIL), 0);
}

static void test_malformed_xml_is_rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"not xml at all",
		"<IMSSubscription><PrivateID>x</PrivateID>",		 /* truncated */
		"<IMSSubscription><PrivateID>x</Private></IMSSubscription>", /* mismatched */
		MINIMAL_HEAD MINIMAL_TAIL "<extra/>",			 /* two roots */
		"<Subscription><PrivateID>x</PrivateID></Subscription>", /* wrong root */
		"<IMSSubscription><PrivateID>x</PrivateID></IMSSubscription>", /* no profile */
		"<IMSSubscription><ServiceProfile><PublicIdentity><Identity>sip:a</Identity>"
		"</PublicIdentity></ServiceProfile></IMSSubscription>", /* no PrivateID */
		"<IMSSubscription><PrivateID>x</PrivateID><ServiceProfile>"
		"</ServiceProfile></IMSSubscription>", /* no PublicIdentity */
		"<IMSSubscription><PrivateID>x</PrivateID><ServiceProfile><PublicIdentity>"
		"</PublicIdentity></ServiceProfile></IMSSubscription>", /* no Identity */
		"<IMSSubscription><PrivateID>x</PrivateID><PrivateID>y</PrivateID><ServiceProfile>"
		"<PublicIdentity><Identity>sip:a</Identity></PublicIdentity></ServiceProfile>"
		"</IMSSubscription>", /* two PrivateIDs */
		MINIMAL_HEAD "<PublicIdentity><BarringIndication>2</BarringIndication>"
		"<Identity>sip:b</Identity></PublicIdentity>" MINIMAL_TAIL,
		MINIMAL_HEAD "<PublicIdentity><Identity>sip:b</Identity><Extension>"
		"<IdentityType>7</IdentityType></Extension></PublicIdentity>" MINIMAL_TAIL,
		MINIMAL_HEAD "<InitialFilterCriteria><Priority>abc</Priority><ApplicationServer>"
		"<ServerName>sip:as</ServerName></ApplicationServer></InitialFilterCriteria>"
		MINIMAL_TAIL,
		MINIMAL_HEAD "<InitialFilterCriteria><Priority>99999999999999</Priority>"
		"<ApplicationServer><ServerName>sip:as</ServerName></ApplicationServer>"
		"</InitialFilterCriteria>" MINIMAL_TAIL,
		MINIMAL_HEAD "<InitialFilterCriteria><ApplicationServer><ServerName>sip:as"
		"</ServerName></ApplicationServer></InitialFilterCriteria>" MINIMAL_TAIL,
		MINIMAL_HEAD "<InitialFilterCriteria><Priority>1</Priority>"
		"</InitialFilterCriteria>" MINIMAL_TAIL, /* no ApplicationServer */
		MINIMAL_HEAD IFC("<TriggerPoint><SPT><Group>0</Group><Method>INVITE</Method>"
				 "</SPT></TriggerPoint>") MINIMAL_TAIL, /* no CNF */
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF>"
				 "</TriggerPoint>") MINIMAL_TAIL, /* no SPT */
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Method>INVITE</Method></SPT></TriggerPoint>") MINIMAL_TAIL,
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Group>0</Group></SPT></TriggerPoint>") MINIMAL_TAIL,
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Group>0</Group><Method>INVITE</Method><SessionCase>0"
				 "</SessionCase></SPT></TriggerPoint>") MINIMAL_TAIL,
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Group>0</Group><SessionCase>9</SessionCase></SPT>"
				 "</TriggerPoint>") MINIMAL_TAIL,
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Group>-1</Group><Method>INVITE</Method></SPT>"
				 "</TriggerPoint>") MINIMAL_TAIL,
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>"
				 "<Group>0</Group><SIPHeader><Content>x</Content></SIPHeader>"
				 "</SPT></TriggerPoint>") MINIMAL_TAIL, /* no Header */
		MINIMAL_HEAD IFC("<TriggerPoint><ConditionTypeCNF>maybe</ConditionTypeCNF><SPT>"
				 "<Group>0</Group><Method>INVITE</Method></SPT>"
				 "</TriggerPoint>") MINIMAL_TAIL,
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_str(bad[i]);

		if (rc != -EINVAL)
			fail_msg("document %zu: expected -EINVAL, got %d: %s", i, rc, bad[i]);
	}
	assert_int_equal(ims_userdata_parse(NULL, 10, &(struct ims_subscription *){NULL}),
			 -EINVAL);
	assert_int_equal(ims_userdata_parse("<a/>", 4, NULL), -EINVAL);
}

static void test_entities_and_dtds_are_refused(void **state)
{
	/* Billion laughs: must be refused, not expanded. */
	static const char laughs[] =
		"<?xml version=\"1.0\"?><!DOCTYPE IMSSubscription ["
		"<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
		"<IMSSubscription><PrivateID>&e;</PrivateID><ServiceProfile><PublicIdentity>"
		"<Identity>sip:a</Identity></PublicIdentity></ServiceProfile></IMSSubscription>";
	/* External entity (XXE): must never read the file. */
	static const char xxe[] =
		"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<IMSSubscription><PrivateID>&x;</PrivateID><ServiceProfile><PublicIdentity>"
		"<Identity>sip:a</Identity></PublicIdentity></ServiceProfile></IMSSubscription>";
	/* An undeclared entity reference is a well-formedness error. */
	static const char undeclared[] =
		"<IMSSubscription><PrivateID>&x;</PrivateID><ServiceProfile><PublicIdentity>"
		"<Identity>sip:a</Identity></PublicIdentity></ServiceProfile></IMSSubscription>";

	assert_int_equal(parse_str(laughs), -EINVAL);
	assert_int_equal(parse_str(xxe), -EINVAL);
	assert_int_equal(parse_str(undeclared), -EINVAL);
}

static void test_oversized_documents_are_refused(void **state)
{
	size_t big = IMS_USERDATA_MAX_SIZE + 1, i, n;
	char *xml = malloc(big + 1);
	struct ims_subscription *sub = NULL;

	assert_non_null(xml);
	memset(xml, ' ', big);
	xml[big] = '\0';
	assert_int_equal(ims_userdata_parse(xml, big, &sub), -E2BIG);
	assert_null(sub);

	/* Too many PublicIdentity elements in one profile. */
	n = 0;
	n += (size_t)sprintf(xml + n, MINIMAL_HEAD);
	for (i = 0; i < IMS_USERDATA_MAX_IDENTITIES; i++)
		n += (size_t)sprintf(xml + n,
				     "<PublicIdentity><Identity>sip:u%zu@x</Identity></PublicIdentity>",
				     i);
	n += (size_t)sprintf(xml + n, MINIMAL_TAIL);
	assert_int_equal(ims_userdata_parse(xml, n, &sub), -E2BIG);
	assert_null(sub);

	/* A single value longer than IMS_USERDATA_MAX_STRING. */
	n = (size_t)sprintf(xml, "<IMSSubscription><PrivateID>");
	memset(xml + n, 'a', IMS_USERDATA_MAX_STRING + 1);
	n += IMS_USERDATA_MAX_STRING + 1;
	n += (size_t)sprintf(xml + n, "</PrivateID><ServiceProfile><PublicIdentity><Identity>"
				      "sip:a</Identity></PublicIdentity>" MINIMAL_TAIL);
	assert_int_equal(ims_userdata_parse(xml, n, &sub), -E2BIG);
	assert_null(sub);

	/* Too many Group elements in one SPT. */
	n = (size_t)sprintf(xml, MINIMAL_HEAD "<InitialFilterCriteria><Priority>1</Priority>"
					      "<TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT>");
	for (i = 0; i <= IMS_USERDATA_MAX_GROUPS; i++)
		n += (size_t)sprintf(xml + n, "<Group>%zu</Group>", i);
	n += (size_t)sprintf(xml + n, "<Method>INVITE</Method></SPT></TriggerPoint>"
				      "<ApplicationServer><ServerName>sip:as</ServerName>"
				      "</ApplicationServer></InitialFilterCriteria>" MINIMAL_TAIL);
	assert_int_equal(ims_userdata_parse(xml, n, &sub), -E2BIG);
	assert_null(sub);
	free(xml);
}

static void test_deeply_nested_unknown_elements_do_not_crash(void **state)
{
	size_t depth = 5000, i, n = 0;
	char *xml = malloc(depth * 8 + 512);

	assert_non_null(xml);
	n += (size_t)sprintf(xml + n, MINIMAL_HEAD);
	for (i = 0; i < depth; i++)
		n += (size_t)sprintf(xml + n, "<x>");
	for (i = 0; i < depth; i++)
		n += (size_t)sprintf(xml + n, "</x>");
	n += (size_t)sprintf(xml + n, MINIMAL_TAIL);
	/* libxml2 refuses nesting beyond its limit; either way no crash. */
	{
		struct ims_subscription *sub = NULL;
		int rc = ims_userdata_parse(xml, n, &sub);

		assert_true(rc == 0 || rc == -EINVAL);
		ims_subscription_free(sub);
	}
	free(xml);
}

static void test_special_characters_survive_round_trip(void **state)
{
	struct ims_subscription *sub = ims_subscription_new("a&b<c>@open-ims.test");
	struct ims_subscription *back = NULL;
	struct ims_service_profile *sp = ims_subscription_add_profile(sub);
	struct ims_public_identity *pi;
	char *xml = NULL;
	size_t len;

	assert_non_null(sp);
	pi = ims_profile_add_identity(sp, "sip:\"quoted\"@open-ims.test;x='1'");
	assert_non_null(pi);
	assert_int_equal(ims_userdata_set_str(&pi->display_name, "J\xc3\xbcrgen ]]> &amp;"), 0);
	assert_int_equal(ims_userdata_to_xml(sub, &xml, &len), 0);
	assert_int_equal(ims_userdata_parse(xml, len, &back), 0);
	assert_same_subscription(sub, back);
	free(xml);
	ims_subscription_free(sub);
	ims_subscription_free(back);
}

/* Random byte flips, insertions and truncations of a valid document, under
 * the sanitizers: each parse either succeeds or fails cleanly. */
static void test_mutated_documents_never_crash(void **state)
{
	size_t len = strlen(example_xml), i, n, k;
	char *buf = malloc(len + 16);
	uint32_t seed = 12345;
	static const char junk[] = "<>&;/=\"'!?[]\0\xff\xc3";

	assert_non_null(buf);
	for (i = 0; i < 3000; i++) {
		struct ims_subscription *sub = NULL;
		int rc;

		memcpy(buf, example_xml, len);
		n = len;
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % n] = junk[(seed >> 20) % (sizeof(junk) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		if (i % 3 == 0)
			n = 1 + (seed >> 8) % n; /* truncate */
		rc = ims_userdata_parse(buf, n, &sub);
		assert_true(rc == 0 || rc == -EINVAL);
		assert_true((rc == 0) == (sub != NULL));
		ims_subscription_free(sub);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_to_xml_parse_round_trip),
		cmocka_unit_test(test_to_xml_rejects_incomplete_model),
		cmocka_unit_test(test_add_helpers_refuse_missing_strings),
		cmocka_unit_test(test_parses_ts29228_example),
		cmocka_unit_test(test_minimal_document_parses),
		cmocka_unit_test(test_malformed_xml_is_rejected),
		cmocka_unit_test(test_entities_and_dtds_are_refused),
		cmocka_unit_test(test_oversized_documents_are_refused),
		cmocka_unit_test(test_deeply_nested_unknown_elements_do_not_crash),
		cmocka_unit_test(test_special_characters_survive_round_trip),
		cmocka_unit_test(test_mutated_documents_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
