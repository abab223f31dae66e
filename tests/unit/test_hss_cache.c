/* Unit tests of the HSS's identity pair cache (hss/hss_cache.c): what it
 * keeps, what it evicts, and what it must never serve.  No database: the
 * pairs are made up here, as hss_db_pair_get() would have read them. */
#include "hss_cache.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

struct pair {
	char impi[64], impu[80];
};

static void make(struct pair *p, unsigned n)
{
	snprintf(p->impi, sizeof p->impi, "user%u@open-ims.test", n);
	snprintf(p->impu, sizeof p->impu, "sip:user%u@open-ims.test", n);
}

static void put(const struct pair *p, uint64_t set)
{
	struct hss_impi impi = {.id = 1};
	struct hss_impu impu = {.id = 2, .implicit_set = set};

	snprintf(impi.identity, sizeof impi.identity, "%s", p->impi);
	snprintf(impu.identity, sizeof impu.identity, "%s", p->impu);
	hss_cache_put(p->impi, p->impu, &impi, &impu, hss_cache_stamp());
}

static bool hit(const struct pair *p)
{
	struct hss_impi impi;
	struct hss_impu impu;

	if (!hss_cache_get(p->impi, p->impu, &impi, &impu))
		return false;
	assert_string_equal(impi.identity, p->impi); /* never another pair's data */
	assert_string_equal(impu.identity, p->impu);
	return true;
}

/* n pairs that all map to the same set, the first one's. */
static void same_set(struct pair *out, int n)
{
	int found = 0;

	for (unsigned i = 0; found < n && i < 10000000; i++) {
		struct pair p;
		make(&p, i);
		if (found == 0 || hss_cache_set_of(p.impi, p.impu) ==
					  hss_cache_set_of(out[0].impi, out[0].impu))
			out[found++] = p;
	}
	assert_int_equal(found, n);
}

static int setup(void **state)
{
	(void)state;
	return hss_cache_init(60000);
}

static int teardown(void **state)
{
	(void)state;
	hss_cache_fini();
	return 0;
}

static void test_a_pair_is_served_until_another_is_asked(void **state)
{
	struct pair a, b;
	(void)state;

	make(&a, 1);
	make(&b, 2);
	assert_false(hit(&a));
	put(&a, 10);
	assert_true(hit(&a));
	assert_false(hit(&b));
	/* the same private identity with another public one is another pair */
	struct pair mixed = a;
	snprintf(mixed.impu, sizeof mixed.impu, "%s", b.impu);
	assert_false(hit(&mixed));
}

/* Two pairs that hash alike both stay: under load a registration's pair
 * must survive until its MAR and second UAR although other registrations
 * in flight land in the same set (with one slot per set it did not). */
static void test_two_pairs_of_one_set_both_stay(void **state)
{
	struct pair p[2];
	(void)state;

	same_set(p, 2);
	put(&p[0], 10);
	put(&p[1], 11);
	assert_true(hit(&p[0]));
	assert_true(hit(&p[1]));
}

static void test_a_third_pair_evicts_the_oldest(void **state)
{
	struct pair p[3];
	struct timespec ms15 = {0, 15 * 1000 * 1000}; /* > the coarse clock's tick */
	(void)state;

	same_set(p, 3);
	put(&p[0], 10);
	nanosleep(&ms15, NULL); /* distinct ages */
	put(&p[1], 11);
	nanosleep(&ms15, NULL);
	put(&p[1], 11); /* read again: takes its own slot, not the other one */
	assert_true(hit(&p[0]));
	put(&p[2], 12);
	assert_false(hit(&p[0]));
	assert_true(hit(&p[1]));
	assert_true(hit(&p[2]));
}

/* Written sets and flushes make every copy read before them stale. */
static void test_writes_and_flush_make_copies_stale(void **state)
{
	struct pair a, b;
	(void)state;

	make(&a, 1);
	make(&b, 2);
	put(&a, 10);
	put(&b, 11);
	hss_cache_set_written(10);
	assert_false(hit(&a));
	assert_true(hit(&b)); /* another set (another bucket of 1,024) */
	put(&a, 10);          /* read after the write: fresh again */
	assert_true(hit(&a));
	hss_cache_flush();
	assert_false(hit(&a));
	assert_false(hit(&b));

	/* a read that began before a write of its set is not kept */
	uint64_t before = hss_cache_stamp();
	hss_cache_set_written(10);
	struct hss_impi impi = {.id = 1};
	struct hss_impu impu = {.id = 2, .implicit_set = 10};
	hss_cache_put(a.impi, a.impu, &impi, &impu, before);
	assert_false(hss_cache_get(a.impi, a.impu, &impi, &impu));
}

static void test_entries_expire(void **state)
{
	struct pair a;
	struct timespec ms60 = {0, 60 * 1000 * 1000};
	(void)state;

	hss_cache_fini();
	assert_int_equal(hss_cache_init(30), 0);
	make(&a, 1);
	put(&a, 10);
	assert_true(hit(&a));
	nanosleep(&ms60, NULL);
	assert_false(hit(&a));
}

static void test_off_keeps_nothing(void **state)
{
	struct pair a;
	struct hss_cache_stats st;
	(void)state;

	hss_cache_fini();
	assert_int_equal(hss_cache_init(0), 0);
	make(&a, 1);
	put(&a, 10);
	assert_false(hit(&a));
	hss_cache_stats(&st);
	assert_int_equal(st.hits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_pair_is_served_until_another_is_asked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_pairs_of_one_set_both_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_third_pair_evicts_the_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_and_flush_make_copies_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_entries_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off_keeps_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
