/* test_trust — common/ims_trust: the core's addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ims_trust.h"

static void test_own_listen_address_is_trusted(void **state)
{
	struct ims_trust t;
	assert_int_equal(ims_trust_init(&t, "127.0.0.1", ""), 0);
	assert_true(ims_trust_has(&t, "127.0.0.1"));
	assert_false(ims_trust_has(&t, "127.0.0.2"));
	assert_false(ims_trust_has(&t, ""));
	assert_false(ims_trust_has(&t, NULL));
}

static void test_list_of_addresses(void **state)
{
	struct ims_trust t;
	assert_int_equal(ims_trust_init(&t, "192.0.2.1", " 192.0.2.2,192.0.2.3  2001:db8::5 "), 0);
	assert_true(ims_trust_has(&t, "192.0.2.1"));
	assert_true(ims_trust_has(&t, "192.0.2.2"));
	assert_true(ims_trust_has(&t, "192.0.2.3"));
	assert_true(ims_trust_has(&t, "2001:db8::5"));
	assert_false(ims_trust_has(&t, "192.0.2.4"));
	assert_false(ims_trust_has(&t, "192.0.2.22")); /* no prefix match */
}

static void test_wildcard_without_list_trusts_everyone(void **state)
{
	struct ims_trust t;
	assert_int_equal(ims_trust_init(&t, "0.0.0.0", ""), 0);
	assert_true(ims_trust_has(&t, "203.0.113.7"));
	/* with a list, the list decides */
	assert_int_equal(ims_trust_init(&t, "0.0.0.0", "192.0.2.9"), 0);
	assert_true(ims_trust_has(&t, "192.0.2.9"));
	assert_false(ims_trust_has(&t, "203.0.113.7"));
}

static void test_too_many_addresses(void **state)
{
	struct ims_trust t;
	char list[IMS_TRUST_MAX * 16 + 16] = "";
	for (int i = 0; i < IMS_TRUST_MAX; i++) {
		char one[16];
		snprintf(one, sizeof one, "10.0.0.%d ", i);
		strcat(list, one);
	}
	/* listen + IMS_TRUST_MAX: one too many */
	assert_int_equal(ims_trust_init(&t, "127.0.0.1", list), -1);
	assert_int_equal(ims_trust_init(&t, "0.0.0.0", list), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_listen_address_is_trusted),
		cmocka_unit_test(test_list_of_addresses),
		cmocka_unit_test(test_wildcard_without_list_trusts_everyone),
		cmocka_unit_test(test_too_many_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
