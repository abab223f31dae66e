/*
 * Unit tests for scscf_ul, the S-CSCF's in-memory registrations: lookup by
 * any identity of the implicit set, contacts matched by URI or by
 * +sip.instance/reg-id, the per-identity limit, expiry (with the callback
 * that sends SAR TIMEOUT_DEREGISTRATION) and the hooks the MySQL
 * write-through relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scscf_ul.h"

#include <errno.h>

static struct scscf_binding contact(const char *uri, const char *instance, unsigned reg_id,
                                    int64_t expires)
{
	struct scscf_binding c;
	memset(&c, 0, sizeof c);
	snprintf(c.uri, sizeof c.uri, "%s", uri);
	snprintf(c.instance, sizeof c.instance, "%s", instance ? instance : "");
	c.reg_id = reg_id;
	c.expires = expires;
	snprintf(c.path, sizeof c.path, "<sip:term@pcscf.open-ims.test:4060;lr>");
	return c;
}

static void test_find_by_any_identity_of_the_set(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *r = scscf_ul_add(ul, "sip:alice@open-ims.test", "alice@open-ims.test");
	assert_non_null(r);
	assert_ptr_equal(scscf_ul_find(ul, "sip:alice@open-ims.test"), r);
	assert_null(scscf_ul_find(ul, "tel:+15550001"));
	const char *ids[] = {"sip:alice@open-ims.test", "tel:+15550001"};
	assert_int_equal(scscf_ul_set_profile(ul, r, ids, 2, "<IMSSubscription/>"), 0);
	assert_ptr_equal(scscf_ul_find(ul, "tel:+15550001"), r);
	assert_string_equal(r->user_data, "<IMSSubscription/>");
	assert_int_equal(r->n_assoc, 2);
	/* a new set replaces the old one */
	const char *ids2[] = {"tel:+15550009"};
	scscf_ul_set_profile(ul, r, ids2, 1, NULL);
	assert_null(scscf_ul_find(ul, "tel:+15550001"));
	assert_ptr_equal(scscf_ul_find(ul, "tel:+15550009"), r);
	assert_ptr_equal(scscf_ul_find(ul, "sip:alice@open-ims.test"), r);
	assert_string_equal(r->user_data, "<IMSSubscription/>");
	assert_null(scscf_ul_add(ul, "sip:alice@open-ims.test", "x")); /* held already */
	assert_int_equal(scscf_ul_count(ul), 1);
	scscf_ul_destroy(ul);
}

static void test_identity_of_another_set_is_refused(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *a = scscf_ul_add(ul, "sip:alice@open-ims.test", "alice@open-ims.test");
	struct scscf_reg *b = scscf_ul_add(ul, "sip:bob@open-ims.test", "bob@open-ims.test");
	const char *ids[] = {"tel:+15550002", "sip:alice@open-ims.test"};
	assert_int_equal(scscf_ul_set_profile(ul, b, ids, 2, NULL), -EEXIST);
	assert_ptr_equal(scscf_ul_find(ul, "sip:alice@open-ims.test"), a);
	assert_ptr_equal(scscf_ul_find(ul, "tel:+15550002"), b);
	scscf_ul_remove(ul, a);
	assert_null(scscf_ul_find(ul, "sip:alice@open-ims.test"));
	assert_int_equal(scscf_ul_count(ul), 1);
	scscf_ul_destroy(ul);
}

static void test_contacts_by_uri_and_by_instance(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *r = scscf_ul_add(ul, "sip:bob@open-ims.test", "bob@open-ims.test");
	int err;
	struct scscf_binding c1 = contact("sip:bob@10.0.0.1:5060", NULL, 0, 100);
	struct scscf_binding c2 = contact("sip:bob@10.0.0.2:5060", "\"<urn:uuid:2>\"", 1, 100);
	assert_non_null(scscf_ul_contact_save(ul, r, &c1, &err));
	assert_non_null(scscf_ul_contact_save(ul, r, &c2, &err));
	assert_int_equal(r->n_contacts, 2);

	/* the same URI refreshes the first */
	c1.expires = 200;
	struct scscf_contact *x = scscf_ul_contact_save(ul, r, &c1, &err);
	assert_int_equal(r->n_contacts, 2);
	assert_int_equal(x->expires, 200);

	/* the same instance from a new address replaces the second */
	struct scscf_binding c3 = contact("sip:bob@10.0.0.3:5060", "\"<urn:uuid:2>\"", 1, 300);
	x = scscf_ul_contact_save(ul, r, &c3, &err);
	assert_int_equal(r->n_contacts, 2);
	assert_string_equal(x->uri, "sip:bob@10.0.0.3:5060");
	/* another reg-id of that instance is another flow */
	struct scscf_binding c4 = contact("sip:bob@10.0.0.3:5060", "\"<urn:uuid:2>\"", 2, 300);
	assert_non_null(scscf_ul_contact_save(ul, r, &c4, &err));
	assert_int_equal(r->n_contacts, 3);

	assert_non_null(scscf_ul_contact_match(r, &c1));
	scscf_ul_contact_remove(ul, r, scscf_ul_contact_match(r, &c1));
	assert_null(scscf_ul_contact_match(r, &c1));
	assert_int_equal(r->n_contacts, 2);
	scscf_ul_destroy(ul);
}

static void test_max_contacts(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(2);
	struct scscf_reg *r = scscf_ul_add(ul, "sip:bob@open-ims.test", "bob@open-ims.test");
	int err;
	struct scscf_binding a = contact("sip:a@h", NULL, 0, 1), b = contact("sip:b@h", NULL, 0, 1),
	                     c = contact("sip:c@h", NULL, 0, 1);
	scscf_ul_contact_save(ul, r, &a, &err);
	scscf_ul_contact_save(ul, r, &b, &err);
	assert_null(scscf_ul_contact_save(ul, r, &c, &err));
	assert_int_equal(err, -ENOSPC);
	/* refreshing one that exists still works */
	assert_non_null(scscf_ul_contact_save(ul, r, &a, &err));
	scscf_ul_destroy(ul);
}

static int gone_calls;
static char gone_impu[256];

static void gone(void *arg, const struct scscf_reg *reg)
{
	gone_calls++;
	snprintf(gone_impu, sizeof gone_impu, "%s", reg->impu);
	assert_ptr_equal(arg, &gone_calls);
	assert_int_equal(reg->n_contacts, 0);
}

static void test_expiry_removes_contacts_then_the_registration(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *a = scscf_ul_add(ul, "sip:alice@open-ims.test", "alice@open-ims.test");
	struct scscf_reg *b = scscf_ul_add(ul, "sip:bob@open-ims.test", "bob@open-ims.test");
	int err;
	struct scscf_binding a1 = contact("sip:a1@h", NULL, 0, 100),
	                     a2 = contact("sip:a2@h", NULL, 0, 200),
	                     b1 = contact("sip:b1@h", NULL, 0, 150);
	scscf_ul_contact_save(ul, a, &a1, &err);
	scscf_ul_contact_save(ul, a, &a2, &err);
	scscf_ul_contact_save(ul, b, &b1, &err);

	gone_calls = 0;
	assert_int_equal(scscf_ul_expire(ul, 99, gone, &gone_calls), 0);
	assert_int_equal(scscf_ul_expire(ul, 100, gone, &gone_calls), 1);
	assert_int_equal(gone_calls, 0);
	assert_int_equal(a->n_contacts, 1);
	assert_int_equal(scscf_ul_expire(ul, 160, gone, &gone_calls), 1);
	assert_int_equal(gone_calls, 1);
	assert_string_equal(gone_impu, "sip:bob@open-ims.test");
	assert_null(scscf_ul_find(ul, "sip:bob@open-ims.test"));
	assert_int_equal(scscf_ul_expire(ul, 1000, gone, &gone_calls), 1);
	assert_int_equal(gone_calls, 2);
	assert_int_equal(scscf_ul_count(ul), 0);
	assert_null(scscf_ul_first(ul));
	scscf_ul_destroy(ul);
}

static void test_expiry_sees_new_and_moved_contacts(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *a = scscf_ul_add(ul, "sip:alice@open-ims.test", "alice@open-ims.test");
	int err;
	struct scscf_binding a1 = contact("sip:a1@h", NULL, 0, 500),
	                     a2 = contact("sip:a2@h", NULL, 0, 120);
	scscf_ul_contact_save(ul, a, &a1, &err);
	assert_int_equal(scscf_ul_expire(ul, 100, NULL, NULL), 0); /* learns 500 */
	/* a contact saved later that expires sooner is not missed */
	scscf_ul_contact_save(ul, a, &a2, &err);
	assert_int_equal(scscf_ul_expire(ul, 119, NULL, NULL), 0);
	assert_int_equal(scscf_ul_expire(ul, 121, NULL, NULL), 1);
	assert_int_equal(a->n_contacts, 1);
	/* a refresh that moves the expiry later: the walk finds it at its time */
	a1.expires = 900;
	scscf_ul_contact_save(ul, a, &a1, &err);
	assert_int_equal(scscf_ul_expire(ul, 600, NULL, NULL), 0);
	assert_int_equal(a->n_contacts, 1);
	assert_int_equal(scscf_ul_expire(ul, 900, NULL, NULL), 1);
	scscf_ul_destroy(ul);
}

static void test_expiry_wheel_turns_and_clock_jumps(void **state)
{
	struct scscf_ul *ul = scscf_ul_new(10);
	struct scscf_reg *a = scscf_ul_add(ul, "sip:alice@open-ims.test", "alice@open-ims.test");
	int err;
	/* the same slot, two turns apart */
	struct scscf_binding a1 = contact("sip:a1@h", NULL, 0, 1000),
	                     a2 = contact("sip:a2@h", NULL, 0, 1000 + 2 * SCSCF_UL_WHEEL);
	scscf_ul_contact_save(ul, a, &a1, &err);
	scscf_ul_contact_save(ul, a, &a2, &err);
	for (int64_t t = 990; t <= 1000 + SCSCF_UL_WHEEL; t++)
		scscf_ul_expire(ul, t, NULL, NULL);
	assert_int_equal(a->n_contacts, 1); /* a1 went at 1000, a2 stays */
	assert_string_equal(a->contacts->uri, "sip:a2@h");
	/* the clock goes back, then jumps more than a turn ahead */
	assert_int_equal(scscf_ul_expire(ul, 500, NULL, NULL), 0);
	assert_int_equal(a->n_contacts, 1);
	assert_int_equal(scscf_ul_expire(ul, 1000 + 5 * SCSCF_UL_WHEEL, NULL, NULL), 1);
	assert_int_equal(scscf_ul_count(ul), 0);
	scscf_ul_destroy(ul);
}

/* Many registrations with scattered expiries, refreshed and removed at
 * random: every second, the wheel removes exactly the contacts a full
 * walk would. */
static void test_expiry_wheel_matches_a_full_walk(void **state)
{
	enum { N = 3000, T0 = 1000000 };
	struct scscf_ul *ul = scscf_ul_new(4);
	static int64_t exp_at[N][2];
	char impu[64], uri[64];
	unsigned seed = 12345;
	int err, live = 0;

	for (int i = 0; i < N; i++) {
		snprintf(impu, sizeof impu, "sip:u%d@open-ims.test", i);
		struct scscf_reg *r = scscf_ul_add(ul, impu, impu + 4);
		assert_non_null(r);
		for (int k = 0; k < 2; k++) {
			seed = seed * 1103515245u + 12345u;
			exp_at[i][k] = T0 + 1 + (seed >> 8) % (3 * SCSCF_UL_WHEEL);
			snprintf(uri, sizeof uri, "sip:u%d-%d@h", i, k);
			struct scscf_binding b = contact(uri, NULL, 0, exp_at[i][k]);
			assert_non_null(scscf_ul_contact_save(ul, r, &b, &err));
			live++;
		}
	}
	scscf_ul_expire(ul, T0, NULL, NULL);
	for (int64_t t = T0 + 1; live > 0; t += 1 + (t % 7 == 0) * 3) { /* some calls skip seconds */
		int want = 0;
		for (int i = 0; i < N; i++)
			for (int k = 0; k < 2; k++)
				if (exp_at[i][k] && exp_at[i][k] <= t) {
					exp_at[i][k] = 0;
					want++;
				}
		/* now and then a refresh moves a live contact later */
		if (t % 97 == 0 && t < T0 + 2 * SCSCF_UL_WHEEL) {
			for (int i = 0; i < N; i += 50) {
				if (!exp_at[i][0])
					continue;
				snprintf(impu, sizeof impu, "sip:u%d@open-ims.test", i);
				snprintf(uri, sizeof uri, "sip:u%d-0@h", i);
				exp_at[i][0] += 1000;
				struct scscf_binding b = contact(uri, NULL, 0, exp_at[i][0]);
				assert_non_null(scscf_ul_contact_save(ul, scscf_ul_find(ul, impu), &b, &err));
			}
		}
		int got = scscf_ul_expire(ul, t, NULL, NULL);
		assert_int_equal(got, want);
		live -= got;
	}
	assert_int_equal(scscf_ul_count(ul), 0);
	scscf_ul_destroy(ul);
}

/* ---- hooks ---- */

struct counts {
	int reg_saved, reg_removed, contact_saved, contact_removed;
};

static void h_reg_saved(void *arg, const struct scscf_reg *r)
{
	((struct counts *)arg)->reg_saved++;
}
static void h_reg_removed(void *arg, const struct scscf_reg *r)
{
	((struct counts *)arg)->reg_removed++;
}
static void h_contact_saved(void *arg, const struct scscf_reg *r, const struct scscf_contact *c)
{
	((struct counts *)arg)->contact_saved++;
}
static void h_contact_removed(void *arg, const struct scscf_reg *r, const struct scscf_contact *c)
{
	((struct counts *)arg)->contact_removed++;
}

static void test_hooks_report_every_change(void **state)
{
	struct counts n = {0};
	struct scscf_ul_hooks hooks = {h_reg_saved, h_reg_removed, h_contact_saved,
	                               h_contact_removed, &n};
	struct scscf_ul *ul = scscf_ul_new(10);
	scscf_ul_set_hooks(ul, &hooks);
	struct scscf_reg *r = scscf_ul_add(ul, "sip:carol@open-ims.test", "carol@open-ims.test");
	const char *ids[] = {"tel:+15550003"};
	scscf_ul_set_profile(ul, r, ids, 1, "<x/>");
	assert_int_equal(n.reg_saved, 2);
	int err;
	struct scscf_binding c = contact("sip:c@h", NULL, 0, 10);
	scscf_ul_contact_save(ul, r, &c, &err);
	scscf_ul_contact_save(ul, r, &c, &err);
	assert_int_equal(n.contact_saved, 2);
	scscf_ul_expire(ul, 10, NULL, NULL);
	assert_int_equal(n.contact_removed, 1);
	assert_int_equal(n.reg_removed, 1);
	/* no hooks: nothing reported (loading from the database) */
	scscf_ul_set_hooks(ul, NULL);
	scscf_ul_add(ul, "sip:dave@open-ims.test", "dave@open-ims.test");
	assert_int_equal(n.reg_saved, 2);
	scscf_ul_destroy(ul);
}

/* The write-through hears of a registration's profile only when it
 * changed: a re-registration whose SAA brings the same User-Data again (or
 * none) writes no registration row. */
static void test_profile_set_again_unchanged_is_not_reported(void **state)
{
	struct counts n = {0};
	struct scscf_ul_hooks hooks = {h_reg_saved, h_reg_removed, h_contact_saved,
	                               h_contact_removed, &n};
	struct scscf_ul *ul = scscf_ul_new(10);
	scscf_ul_set_hooks(ul, &hooks);
	const char *ids[] = {"sip:erin@open-ims.test", "tel:+15550005"};
	struct scscf_reg *r = scscf_ul_add_profile(ul, "sip:erin@open-ims.test",
	                                           "erin@open-ims.test", ids, 2, "<a/>");
	assert_non_null(r);
	assert_int_equal(n.reg_saved, 1); /* new, with its profile: once */
	assert_int_equal(r->n_assoc, 2);
	assert_string_equal(r->user_data, "<a/>");
	assert_ptr_equal(scscf_ul_find(ul, "tel:+15550005"), r);
	scscf_ul_set_profile(ul, r, ids, 2, "<a/>");
	scscf_ul_set_profile(ul, r, ids, 2, NULL);
	assert_int_equal(n.reg_saved, 1);
	assert_ptr_equal(scscf_ul_find(ul, "tel:+15550005"), r);
	scscf_ul_set_profile(ul, r, ids, 2, "<b/>"); /* new user data */
	assert_int_equal(n.reg_saved, 2);
	scscf_ul_set_profile(ul, r, ids, 1, NULL); /* one identity fewer */
	assert_int_equal(n.reg_saved, 3);
	assert_null(scscf_ul_find(ul, "tel:+15550005"));
	assert_string_equal(r->user_data, "<b/>");
	/* taken already: NULL, nothing reported */
	assert_null(scscf_ul_add_profile(ul, "sip:erin@open-ims.test", "x", ids, 2, "<a/>"));
	assert_int_equal(n.reg_saved, 3);
	scscf_ul_destroy(ul);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_by_any_identity_of_the_set),
	    cmocka_unit_test(test_identity_of_another_set_is_refused),
	    cmocka_unit_test(test_contacts_by_uri_and_by_instance),
	    cmocka_unit_test(test_max_contacts),
	    cmocka_unit_test(test_expiry_removes_contacts_then_the_registration),
	    cmocka_unit_test(test_expiry_sees_new_and_moved_contacts),
	    cmocka_unit_test(test_expiry_wheel_turns_and_clock_jumps),
	    cmocka_unit_test(test_expiry_wheel_matches_a_full_walk),
	    cmocka_unit_test(test_hooks_report_every_change),
	    cmocka_unit_test(test_profile_set_again_unchanged_is_not_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
