/*
 * Unit tests for ims_ifc: CNF and DNF trigger points, negation, session
 * case, headers (array and callback), Request-URI and SDP regular
 * expressions, REGISTER types, ProfilePartIndicator and priority order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "ims_ifc.h"
#include "ims_userdata.h"

struct fixture {
	struct ims_subscription *sub;
	struct ims_service_profile *sp;
};

static int setup(void **state)
{
	static struct fixture f;

	f.sub = ims_subscription_new("alice@open-ims.test");
	if (f.sub == NULL)
		return -1;
	f.sp = ims_subscription_add_profile(f.sub);
	if (f.sp == NULL || ims_profile_add_identity(f.sp, "sip:alice@open-ims.test") == NULL)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ims_subscription_free(f->sub);
	return 0;
}

static struct ims_ifc *new_ifc(void **state, int priority, bool cnf)
{
	struct fixture *f = *state;
	struct ims_ifc *ifc =
		ims_profile_add_ifc(f->sp, priority, "sip:as.open-ims.test",
				    IMS_DEFAULT_SESSION_CONTINUED);

	assert_non_null(ifc);
	ifc->tp.cnf = cnf;
	return ifc;
}

static struct ims_spt *add_case(struct ims_ifc *ifc, unsigned group, bool neg,
				enum ims_session_case sc)
{
	struct ims_spt *spt = ims_ifc_add_spt(ifc, group, neg, IMS_SPT_SESSION_CASE, NULL, NULL);

	assert_non_null(spt);
	spt->session_case = sc;
	return spt;
}

static struct ims_ifc_request req_of(const char *method, enum ims_session_case sc)
{
	struct ims_ifc_request r = {0};

	r.method = method;
	r.request_uri = "sip:bob@open-ims.test";
	r.session_case = sc;
	r.reg_type = -1;
	r.registered = true;
	return r;
}

/* (INVITE or MESSAGE) and ORIGINATING. */
static void test_cnf_is_and_of_ored_groups(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r;

	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE"));
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "MESSAGE"));
	add_case(ifc, 1, false, IMS_SESSION_ORIGINATING);

	r = req_of("INVITE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("MESSAGE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("invite", IMS_SESSION_ORIGINATING); /* methods compare caselessly */
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("INVITE", IMS_SESSION_TERMINATING_REGISTERED);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r = req_of("OPTIONS", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

/* (INVITE and ORIGINATING) or (MESSAGE and TERMINATING_REGISTERED). */
static void test_dnf_is_or_of_anded_groups(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, false);
	struct ims_ifc_request r;

	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE"));
	add_case(ifc, 0, false, IMS_SESSION_ORIGINATING);
	assert_non_null(ims_ifc_add_spt(ifc, 1, false, IMS_SPT_METHOD, NULL, "MESSAGE"));
	add_case(ifc, 1, false, IMS_SESSION_TERMINATING_REGISTERED);

	r = req_of("INVITE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("MESSAGE", IMS_SESSION_TERMINATING_REGISTERED);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("INVITE", IMS_SESSION_TERMINATING_REGISTERED);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r = req_of("MESSAGE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

/* The same SPTs read as CNF or DNF give different answers. */
static void test_condition_type_changes_the_result(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_TERMINATING_REGISTERED);

	/* group 0: INVITE, TERMINATING_UNREGISTERED; group 1: TERMINATING_REGISTERED */
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE"));
	add_case(ifc, 0, false, IMS_SESSION_TERMINATING_UNREGISTERED);
	add_case(ifc, 1, false, IMS_SESSION_TERMINATING_REGISTERED);

	/* CNF: (true or false) and true */
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	/* DNF: (true and false) or true */
	ifc->tp.cnf = false;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	/* Now make group 1 false: CNF false, DNF false. */
	r.session_case = IMS_SESSION_ORIGINATING;
	ifc->tp.cnf = true;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	ifc->tp.cnf = false;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	/* Group 0 alone true under DNF. */
	r.session_case = IMS_SESSION_TERMINATING_UNREGISTERED;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	/* ... but CNF still needs group 1. */
	ifc->tp.cnf = true;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_negated_spt_inverts(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r;

	/* Everything but REGISTER, originating. */
	assert_non_null(ims_ifc_add_spt(ifc, 0, true, IMS_SPT_METHOD, NULL, "REGISTER"));
	add_case(ifc, 1, false, IMS_SESSION_ORIGINATING);

	r = req_of("INVITE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("REGISTER", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_session_case_selects_direction(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, false);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);
	enum ims_session_case sc;

	add_case(ifc, 0, false, IMS_SESSION_ORIGINATING_UNREGISTERED);
	for (sc = IMS_SESSION_ORIGINATING; sc <= IMS_SESSION_ORIGINATING_CDIV; sc++) {
		r.session_case = sc;
		assert_int_equal(ims_ifc_matches(&ifc->tp, &r),
				 sc == IMS_SESSION_ORIGINATING_UNREGISTERED);
	}
}

static void test_request_uri_is_a_regular_expression(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);

	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_REQUEST_URI, NULL,
					"^sip:conf-[0-9]+@open-ims\\.test"));
	r.request_uri = "sip:conf-42@open-ims.test;transport=udp";
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r.request_uri = "SIP:CONF-7@OPEN-IMS.TEST"; /* case-insensitive */
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r.request_uri = "sip:conf-x@open-ims.test";
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r.request_uri = "sip:bob@open-ims.test";
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r.request_uri = NULL;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_sip_header_presence_and_content(void **state)
{
	struct fixture *f = *state;
	struct ims_ifc *present, *content;
	const struct ims_ifc_header hdrs[] = {
		{"Accept-Contact", "*;+g.oma.sip-im"},
		{"accept-contact", "*;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\""},
		{"Subject", "hello"},
	};
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);

	/* Adding an iFC may move the others (realloc): take pointers after. */
	new_ifc(state, 0, true);
	new_ifc(state, 1, true);
	present = &f->sp->ifcs[0];
	content = &f->sp->ifcs[1];
	assert_non_null(ims_ifc_add_spt(present, 0, false, IMS_SPT_SIP_HEADER, "Subject", NULL));
	/* Matches the second Accept-Contact instance only. */
	assert_non_null(ims_ifc_add_spt(content, 0, false, IMS_SPT_SIP_HEADER, "Accept-Contact",
					"3gpp-service\\.ims\\.icsi\\.mmtel"));

	assert_int_equal(ims_ifc_matches(&present->tp, &r), 0);
	assert_int_equal(ims_ifc_matches(&content->tp, &r), 0);
	r.headers = hdrs;
	r.nheaders = 3;
	assert_int_equal(ims_ifc_matches(&present->tp, &r), 1);
	assert_int_equal(ims_ifc_matches(&content->tp, &r), 1);
	r.nheaders = 1; /* only the first Accept-Contact */
	assert_int_equal(ims_ifc_matches(&present->tp, &r), 0);
	assert_int_equal(ims_ifc_matches(&content->tp, &r), 0);
}

struct cb_headers {
	unsigned calls;
};

static const char *header_cb(void *arg, const char *name, size_t index)
{
	struct cb_headers *h = arg;

	h->calls++;
	if (strcmp(name, "P-Served-User") == 0 && index == 0)
		return "<sip:alice@open-ims.test>;sescase=orig;regstate=reg";
	return NULL;
}

static void test_sip_header_read_through_callback(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct cb_headers h = {0};
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);

	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_SIP_HEADER, "P-Served-User",
					"sescase=orig"));
	r.header_fn = header_cb;
	r.header_arg = &h;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	assert_true(h.calls > 0);
	/* Negated: no longer matches. */
	ifc->tp.spts[0].negated = true;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_session_description_lines(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);
	static const char sdp_audio[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
					"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
					"m=audio 4000 RTP/AVP 0\r\n";
	static const char sdp_video[] = "v=0\nm=video 5000 RTP/AVP 96\n";

	/* An audio stream, and a c= line present. */
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_SESSION_DESCRIPTION, "m",
					"^audio "));
	assert_non_null(ims_ifc_add_spt(ifc, 1, false, IMS_SPT_SESSION_DESCRIPTION, "c", NULL));
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0); /* no SDP */
	r.sdp = sdp_audio;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r.sdp = sdp_video;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_spt_in_several_groups(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_spt *spt;
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);

	/* CNF: (INVITE or ORIGINATING) and (INVITE or TERMINATING_REGISTERED) */
	spt = ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE");
	assert_non_null(spt);
	spt->groups[1] = 1;
	spt->ngroups = 2;
	add_case(ifc, 0, false, IMS_SESSION_ORIGINATING);
	add_case(ifc, 1, false, IMS_SESSION_TERMINATING_REGISTERED);

	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r = req_of("MESSAGE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r = req_of("MESSAGE", IMS_SESSION_TERMINATING_REGISTERED);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_register_types_restrict_register(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_spt *spt = ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "REGISTER");
	struct ims_ifc_request r = req_of("REGISTER", IMS_SESSION_ORIGINATING);

	assert_non_null(spt);
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1); /* no restriction */
	spt->reg_types = IMS_REG_TYPE_INITIAL | IMS_REG_TYPE_DE;
	r.reg_type = 0;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r.reg_type = 1;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
	r.reg_type = 2;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	r.reg_type = -1;
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 0);
}

static void test_empty_trigger_point_always_matches(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r = req_of("BYE", IMS_SESSION_TERMINATING_UNREGISTERED);

	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), 1);
	assert_int_equal(ims_ifc_applies(ifc, &r), 1);
}

static void test_bad_regular_expression_is_an_error(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, false);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_ORIGINATING);

	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_REQUEST_URI, NULL, "sip:([a-z"));
	assert_int_equal(ims_ifc_matches(&ifc->tp, &r), -EINVAL);
	assert_int_equal(ims_ifc_matches(NULL, &r), -EINVAL);
	assert_int_equal(ims_ifc_matches(&ifc->tp, NULL), -EINVAL);
}

static void test_profile_part_indicator_follows_registration(void **state)
{
	struct ims_ifc *ifc = new_ifc(state, 0, true);
	struct ims_ifc_request r = req_of("INVITE", IMS_SESSION_TERMINATING_UNREGISTERED);

	ifc->profile_part = IMS_PROFILE_PART_UNREGISTERED;
	r.registered = true;
	assert_int_equal(ims_ifc_applies(ifc, &r), 0);
	r.registered = false;
	assert_int_equal(ims_ifc_applies(ifc, &r), 1);
	ifc->profile_part = IMS_PROFILE_PART_REGISTERED;
	assert_int_equal(ims_ifc_applies(ifc, &r), 0);
	ifc->profile_part = IMS_PROFILE_PART_ANY;
	assert_int_equal(ims_ifc_applies(ifc, &r), 1);
}

static void test_order_by_priority_is_stable(void **state)
{
	struct fixture *f = *state;
	const struct ims_ifc *order[8];
	int n;

	new_ifc(state, 30, true)->as.default_handling = 0;
	ims_userdata_set_str(&new_ifc(state, 10, true)->as.service_info, "first-10");
	new_ifc(state, 20, true);
	ims_userdata_set_str(&new_ifc(state, 10, true)->as.service_info, "second-10");
	new_ifc(state, -5, true);

	n = ims_ifc_order(f->sp, order, 8);
	assert_int_equal(n, 5);
	assert_int_equal(order[0]->priority, -5);
	assert_int_equal(order[1]->priority, 10);
	assert_string_equal(order[1]->as.service_info, "first-10");
	assert_int_equal(order[2]->priority, 10);
	assert_string_equal(order[2]->as.service_info, "second-10");
	assert_int_equal(order[3]->priority, 20);
	assert_int_equal(order[4]->priority, 30);
	/* The profile itself is untouched. */
	assert_int_equal(f->sp->ifcs[0].priority, 30);
	assert_int_equal(ims_ifc_order(f->sp, order, 4), -E2BIG);

	ims_ifc_sort(f->sp->ifcs, f->sp->nifcs);
	assert_int_equal(f->sp->ifcs[0].priority, -5);
	assert_string_equal(f->sp->ifcs[1].as.service_info, "first-10");
	assert_string_equal(f->sp->ifcs[2].as.service_info, "second-10");
	assert_int_equal(f->sp->ifcs[4].priority, 30);
}

/* A trigger point from XML evaluates as built ones do. */
static void test_parsed_trigger_point_evaluates(void **state)
{
	static const char xml[] =
		"<IMSSubscription><PrivateID>bob@open-ims.test</PrivateID><ServiceProfile>"
		"<PublicIdentity><Identity>sip:bob@open-ims.test</Identity></PublicIdentity>"
		"<InitialFilterCriteria><Priority>2</Priority><TriggerPoint>"
		"<ConditionTypeCNF>0</ConditionTypeCNF>"
		"<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group>"
		"<Method>MESSAGE</Method></SPT>"
		"<SPT><ConditionNegated>1</ConditionNegated><Group>0</Group>"
		"<SIPHeader><Header>Content-Type</Header><Content>^application/im-iscomposing"
		"</Content></SIPHeader></SPT>"
		"<SPT><Group>0</Group><SessionCase>1</SessionCase></SPT>"
		"</TriggerPoint><ApplicationServer><ServerName>sip:im-as.open-ims.test"
		"</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>"
		"</InitialFilterCriteria></ServiceProfile></IMSSubscription>";
	struct ims_subscription *sub = NULL;
	const struct ims_ifc_header text[] = {{"Content-Type", "text/plain"}};
	const struct ims_ifc_header composing[] = {
		{"Content-Type", "application/im-iscomposing+xml"}};
	struct ims_ifc_request r = req_of("MESSAGE", IMS_SESSION_TERMINATING_REGISTERED);
	const struct ims_ifc *ifc;

	assert_int_equal(ims_userdata_parse(xml, sizeof(xml) - 1, &sub), 0);
	ifc = &sub->profiles[0].ifcs[0];
	r.headers = text;
	r.nheaders = 1;
	assert_int_equal(ims_ifc_applies(ifc, &r), 1);
	r.headers = composing;
	assert_int_equal(ims_ifc_applies(ifc, &r), 0);
	r = req_of("MESSAGE", IMS_SESSION_ORIGINATING);
	assert_int_equal(ims_ifc_applies(ifc, &r), 0);
	ims_subscription_free(sub);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cnf_is_and_of_ored_groups),
		T(test_dnf_is_or_of_anded_groups),
		T(test_condition_type_changes_the_result),
		T(test_negated_spt_inverts),
		T(test_session_case_selects_direction),
		T(test_request_uri_is_a_regular_expression),
		T(test_sip_header_presence_and_content),
		T(test_sip_header_read_through_callback),
		T(test_session_description_lines),
		T(test_spt_in_several_groups),
		T(test_register_types_restrict_register),
		T(test_empty_trigger_point_always_matches),
		T(test_bad_regular_expression_is_an_error),
		T(test_profile_part_indicator_follows_registration),
		T(test_order_by_priority_is_stable),
		T(test_parsed_trigger_point_evaluates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
