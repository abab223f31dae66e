/* Unit tests: the P-CSCF's registration table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>

#include "pcscf_reg.h"

static const char *IMPUS = "<sip:alice@open-ims.test>, <tel:+15550001>";
static const char *ROUTE = "<sip:orig@scscf.open-ims.test:6060;lr>";

static void test_save_then_find_by_address_and_contact(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	assert_non_null(pcscf_reg_save(t, "sip:alice@192.168.1.10:5060", "10.0.0.1", 40000, false,
				       IMPUS, ROUTE, 1000));
	struct pcscf_reg *r = pcscf_reg_by_addr(t, "10.0.0.1", 40000, false, 10);
	assert_non_null(r);
	assert_string_equal(r->asserted, "sip:alice@open-ims.test");
	assert_string_equal(r->service_route, ROUTE);
	/* same contact written differently: angle brackets, parameters */
	assert_ptr_equal(pcscf_reg_by_contact(t, "<sip:alice@192.168.1.10;transport=udp>", 10), r);
	/* another transport or port is another UE */
	assert_null(pcscf_reg_by_addr(t, "10.0.0.1", 40000, true, 10));
	assert_null(pcscf_reg_by_addr(t, "10.0.0.1", 40001, false, 10));
	pcscf_regtab_free(t);
}

static void test_expired_entries_are_invisible_and_swept(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	pcscf_reg_save(t, "sip:a@h:1", "10.0.0.1", 1, false, IMPUS, "", 100);
	pcscf_reg_save(t, "sip:b@h:2", "10.0.0.2", 2, false, IMPUS, "", 300);
	assert_null(pcscf_reg_by_addr(t, "10.0.0.1", 1, false, 100));
	assert_non_null(pcscf_reg_by_addr(t, "10.0.0.2", 2, false, 100));
	assert_int_equal(pcscf_reg_expire(t, 200), 1);
	assert_int_equal(pcscf_regtab_count(t), 1);
	pcscf_regtab_free(t);
}

static void test_reregistration_replaces_and_remove_forgets(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	pcscf_reg_save(t, "sip:a@h:1", "10.0.0.1", 1, false, IMPUS, "", 100);
	pcscf_reg_save(t, "sip:a@h:1", "10.0.0.9", 9, true, IMPUS, "", 500);
	assert_int_equal(pcscf_regtab_count(t), 1);
	assert_null(pcscf_reg_by_addr(t, "10.0.0.1", 1, false, 0));
	assert_non_null(pcscf_reg_by_addr(t, "10.0.0.9", 9, true, 0));
	assert_true(pcscf_reg_remove(t, "sip:a@h:1"));
	assert_false(pcscf_reg_remove(t, "sip:a@h:1"));
	assert_null(pcscf_reg_by_addr(t, "10.0.0.9", 9, true, 0));
	pcscf_regtab_free(t);
}

static void test_table_refuses_beyond_its_size(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	char contact[64], ip[32];
	for (int i = 0; i < 16; i++) {
		snprintf(contact, sizeof contact, "sip:u%d@h", i);
		snprintf(ip, sizeof ip, "10.0.1.%d", i);
		assert_non_null(pcscf_reg_save(t, contact, ip, 5060, false, IMPUS, "", 100));
	}
	assert_null(pcscf_reg_save(t, "sip:one-too-many@h", "10.0.2.1", 5060, false, IMPUS, "", 100));
	pcscf_regtab_free(t);
}

static void test_has_impu_matches_whole_identities_only(void **state)
{
	struct pcscf_regtab *t = pcscf_regtab_new(16);
	struct pcscf_reg *r = pcscf_reg_save(t, "sip:a@h", "10.0.0.1", 1, false, IMPUS, "", 100);
	assert_true(pcscf_reg_has_impu(r, "sip:alice@open-ims.test"));
	assert_true(pcscf_reg_has_impu(r, "tel:+15550001"));
	assert_false(pcscf_reg_has_impu(r, "sip:ali@open-ims.test"));
	assert_false(pcscf_reg_has_impu(r, "tel:+1555000"));
	assert_false(pcscf_reg_has_impu(r, "sip:bob@open-ims.test"));
	pcscf_regtab_free(t);
}

static void test_contact_key_rejects_garbage(void **state)
{
	char key[64];
	assert_int_equal(pcscf_contact_key("sip:bob@example.com:5070;ob", key, sizeof key), 0);
	assert_string_equal(key, "bob@example.com:5070");
	assert_int_equal(pcscf_contact_key("<sip:", key, sizeof key), -1);
	assert_int_equal(pcscf_contact_key("", key, sizeof key), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_then_find_by_address_and_contact),
		cmocka_unit_test(test_expired_entries_are_invisible_and_swept),
		cmocka_unit_test(test_reregistration_replaces_and_remove_forgets),
		cmocka_unit_test(test_table_refuses_beyond_its_size),
		cmocka_unit_test(test_has_impu_matches_whole_identities_only),
		cmocka_unit_test(test_contact_key_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
