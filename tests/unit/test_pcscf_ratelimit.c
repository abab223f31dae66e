/* test_pcscf_ratelimit — the P-CSCF's per-source token bucket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "pcscf_ratelimit.h"

static void test_burst_then_refused(void **state)
{
	struct pcscf_ratelimit *rl = pcscf_ratelimit_new(5, 64, NULL);
	assert_non_null(rl);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 1000), PCSCF_RL_PASS);
	for (int i = 0; i < 50; i++)
		assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 1000), PCSCF_RL_REFUSE);
	pcscf_ratelimit_free(rl);
}

static void test_refills_at_the_rate(void **state)
{
	struct pcscf_ratelimit *rl = pcscf_ratelimit_new(10, 64, NULL);
	for (int i = 0; i < 10; i++)
		pcscf_ratelimit_check(rl, "192.0.2.1", 0);
	assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 0), PCSCF_RL_REFUSE);
	/* 100 ms = one token at 10/s */
	assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 100), PCSCF_RL_PASS);
	assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 100), PCSCF_RL_REFUSE);
	/* a second later the burst is back, no more */
	int passed = 0;
	for (int i = 0; i < 30; i++)
		passed += pcscf_ratelimit_check(rl, "192.0.2.1", 1200) == PCSCF_RL_PASS;
	assert_int_equal(passed, 10);
	pcscf_ratelimit_free(rl);
}

static void test_sources_are_independent(void **state)
{
	struct pcscf_ratelimit *rl = pcscf_ratelimit_new(2, 64, NULL);
	for (int i = 0; i < 50; i++)
		pcscf_ratelimit_check(rl, "192.0.2.1", 0);
	assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.2", 0), PCSCF_RL_PASS);
	assert_int_equal(pcscf_ratelimit_check(rl, "2001:db8::1", 0), PCSCF_RL_PASS);
	assert_int_equal(pcscf_ratelimit_check(rl, "192.0.2.1", 0), PCSCF_RL_REFUSE);
	pcscf_ratelimit_free(rl);
}

static void test_exempt_addresses(void **state)
{
	struct pcscf_ratelimit *rl = pcscf_ratelimit_new(1, 64, " 10.0.0.1, 10.0.0.2 ");
	for (int i = 0; i < 100; i++) {
		assert_int_equal(pcscf_ratelimit_check(rl, "10.0.0.1", 0), PCSCF_RL_PASS);
		assert_int_equal(pcscf_ratelimit_check(rl, "10.0.0.2", 0), PCSCF_RL_PASS);
	}
	assert_int_equal(pcscf_ratelimit_check(rl, "10.0.0.3", 0), PCSCF_RL_PASS);
	assert_int_not_equal(pcscf_ratelimit_check(rl, "10.0.0.3", 0), PCSCF_RL_PASS);
	pcscf_ratelimit_free(rl);
}

/* More sources than slots: the table stays bounded, a new source always
 * gets a full bucket, the flooder is still limited while it is recent. */
static void test_bounded_table(void **state)
{
	struct pcscf_ratelimit *rl = pcscf_ratelimit_new(3, 16, NULL);
	char ip[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(ip, sizeof ip, "198.51.100.%d", i % 250);
		pcscf_ratelimit_check(rl, ip, i);
	}
	assert_int_equal(pcscf_ratelimit_check(rl, "203.0.113.9", 2000), PCSCF_RL_PASS);
	for (int i = 0; i < 3; i++)
		pcscf_ratelimit_check(rl, "203.0.113.9", 2000);
	assert_int_not_equal(pcscf_ratelimit_check(rl, "203.0.113.9", 2000), PCSCF_RL_PASS);
	pcscf_ratelimit_free(rl);
}

static void test_off_and_bad_arguments(void **state)
{
	assert_null(pcscf_ratelimit_new(0, 16, NULL));
	assert_null(pcscf_ratelimit_new(5, 0, NULL));
	assert_int_equal(pcscf_ratelimit_check(NULL, "192.0.2.1", 0), PCSCF_RL_PASS);
	assert_false(pcscf_ratelimit_refused(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_refills_at_the_rate),
		cmocka_unit_test(test_sources_are_independent),
		cmocka_unit_test(test_exempt_addresses),
		cmocka_unit_test(test_bounded_table),
		cmocka_unit_test(test_off_and_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
