/*
 * Unit tests for the call log's writes (scscf/scscf_calllog.c) that make
 * every row end: the writer closes as lost what a previous run left open
 * before anything else, and a call forgotten after max_age without BYE is
 * written lost rather than dropped.  The database is one that refuses
 * connections (127.0.0.1:1), so the writes stay queued and
 * scscf_calllog_pending() counts them.  (The calls in memory alone are
 * tested in test_scscf_session.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <mysql.h>

#include "scscf.h"
#include "scscf_calllog.h"

#define ALICE "sip:alice@open-ims.test"
#define BOB "sip:bob@open-ims.test"

/* A call log whose writer cannot connect: every change stays queued (the
 * first one is being retried, and counts until the stop gives up, 2 s). */
static struct scscf_calllog *unreachable_log(void)
{
	struct scscf_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.db_enabled = true;
	snprintf(cfg.server_name, sizeof cfg.server_name, "sip:scscf.open-ims.test:6060");
	snprintf(cfg.db_host, sizeof cfg.db_host, "127.0.0.1");
	cfg.db_port = 1; /* nothing listens: refused at once */
	snprintf(cfg.db_user, sizeof cfg.db_user, "ims");
	snprintf(cfg.db_name, sizeof cfg.db_name, "ims_scscf");
	cfg.db_connect_timeout = 1;
	cfg.db_queue_max = 100;
	cfg.calllog_days = 0; /* no deletion of old calls queued by expire */
	struct scscf_calllog *cl = scscf_calllog_start(&cfg);
	assert_non_null(cl);
	return cl;
}

static void test_calllog_start_closes_rows_a_previous_run_left_open(void **state)
{
	(void)state;
	struct scscf_calllog *cl = unreachable_log();
	/* queued at start, before any call: the rows of this S-CSCF still open */
	assert_int_equal(scscf_calllog_pending(cl), 1);
	assert_true(scscf_calllog_invite(cl, "c1", ALICE, BOB));
	assert_int_equal(scscf_calllog_pending(cl), 2);
	scscf_calllog_stop(cl);
}

static void test_calllog_answered_call_without_bye_is_written_lost(void **state)
{
	(void)state;
	struct scscf_calllog *cl = unreachable_log();
	scscf_calllog_invite(cl, "no-bye", ALICE, BOB);
	scscf_calllog_final(cl, "no-bye", 200);
	scscf_calllog_invite(cl, "ringing", ALICE, BOB);
	size_t before = scscf_calllog_pending(cl); /* open, start, answer, start */
	assert_int_equal(before, 4);
	scscf_calllog_expire(cl, scscf_now() + 10, 3600);
	assert_int_equal(scscf_calllog_active(cl), 2);
	assert_int_equal(scscf_calllog_pending(cl), before);
	/* after max_age: both forgotten, each with a write (lost), not dropped */
	scscf_calllog_expire(cl, scscf_now() + 3601, 3600);
	assert_int_equal(scscf_calllog_active(cl), 0);
	assert_int_equal(scscf_calllog_pending(cl), before + 2);
	scscf_calllog_stop(cl);
}

static void test_calllog_ended_calls_are_not_written_lost(void **state)
{
	(void)state;
	struct scscf_calllog *cl = unreachable_log();
	scscf_calllog_invite(cl, "bye", ALICE, BOB);
	scscf_calllog_final(cl, "bye", 200);
	scscf_calllog_bye(cl, "bye");
	scscf_calllog_invite(cl, "busy", ALICE, BOB);
	scscf_calllog_final(cl, "busy", 486);
	size_t before = scscf_calllog_pending(cl); /* open, 3 + 2 */
	assert_int_equal(before, 6);
	scscf_calllog_expire(cl, scscf_now() + 3601, 3600);
	assert_int_equal(scscf_calllog_pending(cl), before);
	scscf_calllog_stop(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calllog_start_closes_rows_a_previous_run_left_open),
	    cmocka_unit_test(test_calllog_answered_call_without_bye_is_written_lost),
	    cmocka_unit_test(test_calllog_ended_calls_are_not_written_lost),
	};
	if (mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mysql_library_end();
	return rc;
}
