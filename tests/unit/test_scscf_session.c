/*
 * Unit tests for the S-CSCF's session state that needs no SIP: the call
 * log's calls in progress (one per Call-ID, so the spiral's second pass is
 * not a second call; answered calls end with BYE, failed ones with their
 * final response; old ones expire) and the session table behind the
 * application-server round trip (odi, lookup, expiry, the served
 * identity's service profile and its iFCs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ims_userdata.h"
#include "scscf_calllog.h"
#include "scscf_session.h"

static struct scscf_calllog *memory_log(void)
{
	struct scscf_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.db_enabled = false; /* no writer thread: memory only */
	struct scscf_calllog *cl = scscf_calllog_start(&cfg);
	assert_non_null(cl);
	return cl;
}

static void test_calllog_spiral_is_one_call_ended_by_bye(void **state)
{
	struct scscf_calllog *cl = memory_log();
	scscf_calllog_invite(cl, "c1", "sip:alice@open-ims.test", "sip:bob@open-ims.test");
	/* terminating pass of the same INVITE */
	scscf_calllog_invite(cl, "c1", "sip:alice@open-ims.test", "sip:bob@open-ims.test");
	assert_int_equal(scscf_calllog_active(cl), 1);
	scscf_calllog_final(cl, "c1", 200);
	scscf_calllog_final(cl, "c1", 200); /* the other side's 2xx */
	assert_int_equal(scscf_calllog_active(cl), 1);
	scscf_calllog_bye(cl, "c1");
	assert_int_equal(scscf_calllog_active(cl), 0);
	scscf_calllog_bye(cl, "c1"); /* BYE retransmitted or unknown: nothing */
	assert_int_equal(scscf_calllog_pending(cl), 0);
	scscf_calllog_stop(cl);
}

static void test_calllog_failed_call_ends_with_its_status(void **state)
{
	struct scscf_calllog *cl = memory_log();
	scscf_calllog_invite(cl, "busy", "sip:alice@open-ims.test", "sip:bob@open-ims.test");
	scscf_calllog_invite(cl, "ringing", "sip:alice@open-ims.test", "sip:carol@open-ims.test");
	scscf_calllog_final(cl, "busy", 486);
	assert_int_equal(scscf_calllog_active(cl), 1);
	/* a new INVITE with that Call-ID later is a new call */
	scscf_calllog_invite(cl, "busy", "sip:alice@open-ims.test", "sip:bob@open-ims.test");
	assert_int_equal(scscf_calllog_active(cl), 2);
	scscf_calllog_stop(cl); /* frees the calls in progress */
}

static void test_calllog_forgets_calls_without_bye(void **state)
{
	struct scscf_calllog *cl = memory_log();
	scscf_calllog_invite(cl, "lost", "sip:alice@open-ims.test", "sip:bob@open-ims.test");
	scscf_calllog_final(cl, "lost", 200);
	scscf_calllog_expire(cl, scscf_now() + 10, 3600);
	assert_int_equal(scscf_calllog_active(cl), 1);
	scscf_calllog_expire(cl, scscf_now() + 3601, 3600);
	assert_int_equal(scscf_calllog_active(cl), 0);
	scscf_calllog_stop(cl);
}

/* bob's subscription: two service profiles, an iFC in the second (the one
 * of his tel URI) only. */
static char *two_profiles(void)
{
	struct ims_subscription *sub = ims_subscription_new("bob@open-ims.test");
	struct ims_service_profile *sp = ims_subscription_add_profile(sub);
	ims_profile_add_identity(sp, "sip:bob@open-ims.test");
	sp = ims_subscription_add_profile(sub);
	ims_profile_add_identity(sp, "tel:+15550002");
	struct ims_ifc *ifc =
	    ims_profile_add_ifc(sp, 5, "sip:as.open-ims.test:5070", IMS_DEFAULT_SESSION_CONTINUED);
	assert_non_null(ims_ifc_add_spt(ifc, 0, false, IMS_SPT_METHOD, NULL, "INVITE"));
	char *xml = NULL;
	assert_int_equal(ims_userdata_to_xml(sub, &xml, NULL), 0);
	ims_subscription_free(sub);
	return xml;
}

static void test_session_uses_the_served_identitys_profile(void **state)
{
	char *xml = two_profiles();
	struct scscf_sess *tel =
	    scscf_sess_new(IMS_SESSION_TERMINATING_REGISTERED, "tel:+15550002", xml);
	struct scscf_sess *sip =
	    scscf_sess_new(IMS_SESSION_ORIGINATING, "sip:bob@open-ims.test", xml);
	assert_non_null(tel);
	assert_non_null(tel->sp);
	assert_int_equal(tel->sp->nifcs, 1);
	assert_string_equal(tel->sp->ifcs[0].as.server_name, "sip:as.open-ims.test:5070");
	assert_non_null(sip->sp);
	assert_int_equal(sip->sp->nifcs, 0);
	scscf_sess_done(tel); /* never kept: freed */
	scscf_sess_done(sip);
	free(xml);
}

static void test_session_without_ifc_parses_nothing(void **state)
{
	struct scscf_sess *s = scscf_sess_new(IMS_SESSION_ORIGINATING, "sip:alice@open-ims.test",
	                                      "<IMSSubscription>not even parsed</IMSSubscription>");
	assert_non_null(s);
	assert_null(s->sub);
	assert_null(s->sp);
	scscf_sess_done(s);
	s = scscf_sess_new(IMS_SESSION_ORIGINATING, "sip:alice@open-ims.test", NULL);
	assert_non_null(s);
	scscf_sess_done(s);
}

static void test_session_table_odi_find_expire(void **state)
{
	struct scscf_sessions *t = scscf_sessions_new();
	char *xml = two_profiles();
	struct scscf_sess *a =
	    scscf_sess_new(IMS_SESSION_ORIGINATING, "sip:bob@open-ims.test", xml);
	struct scscf_sess *b =
	    scscf_sess_new(IMS_SESSION_TERMINATING_REGISTERED, "tel:+15550002", xml);
	scscf_sess_keep(t, a);
	scscf_sess_keep(t, b);
	assert_int_not_equal(a->odi, 0);
	assert_int_not_equal(a->odi, b->odi);
	uint32_t odi = a->odi;
	scscf_sess_keep(t, a); /* again (next AS): same odi, later expiry */
	assert_int_equal(a->odi, odi);
	assert_ptr_equal(scscf_sess_find(t, a->odi), a);
	assert_ptr_equal(scscf_sess_find(t, b->odi), b);
	assert_null(scscf_sess_find(t, a->odi + b->odi + 1));
	scscf_sess_done(a); /* kept: still there */
	assert_ptr_equal(scscf_sess_find(t, odi), a);
	scscf_sessions_expire(t, scscf_mono() + 10);
	assert_ptr_equal(scscf_sess_find(t, odi), a);
	scscf_sessions_expire(t, scscf_mono() + 1000);
	assert_null(scscf_sess_find(t, odi));
	scscf_sessions_destroy(t);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calllog_spiral_is_one_call_ended_by_bye),
	    cmocka_unit_test(test_calllog_failed_call_ends_with_its_status),
	    cmocka_unit_test(test_calllog_forgets_calls_without_bye),
	    cmocka_unit_test(test_session_uses_the_served_identitys_profile),
	    cmocka_unit_test(test_session_without_ifc_parses_nothing),
	    cmocka_unit_test(test_session_table_odi_find_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
