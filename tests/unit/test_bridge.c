/*
 * test_bridge — common/ims_bridge.h with a real sofia-sip su_root and real
 * posting threads: every item runs, on the root's thread, in the order each
 * thread posted it; destroying the bridge runs what is still queued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ims_bridge.h"
#include "ims_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <time.h>

#define N_ITEMS 2000
#define N_THREADS 4

struct ctx {
	su_root_t *root;
	struct ims_bridge *bridge;
	pthread_t root_thread;
	int expected;        /* items to wait for */
	int ran;             /* items run so far (root thread only) */
	int off_thread;      /* items that ran on another thread */
	int next[N_THREADS]; /* next sequence number expected per poster */
	int out_of_order;
};

struct item {
	struct ctx *ctx;
	int poster;
	int seq;
};

static void run_item(void *arg)
{
	struct item *it = arg;
	struct ctx *c = it->ctx;

	if (!pthread_equal(pthread_self(), c->root_thread))
		c->off_thread++;
	if (it->seq != c->next[it->poster])
		c->out_of_order++;
	c->next[it->poster] = it->seq + 1;
	if (++c->ran == c->expected)
		su_root_break(c->root);
	free(it);
}

static int post_fn(struct ctx *c, ims_bridge_fn fn, int poster, int seq)
{
	struct item *it = malloc(sizeof *it);
	if (!it)
		return -1;
	*it = (struct item){.ctx = c, .poster = poster, .seq = seq};
	if (ims_bridge_post(c->bridge, fn, it) < 0) {
		free(it);
		return -1;
	}
	return 0;
}

static int post(struct ctx *c, int poster, int seq)
{
	return post_fn(c, run_item, poster, seq);
}

struct poster_arg {
	struct ctx *ctx;
	int poster;
	int failures;
};

static void *poster_main(void *arg)
{
	struct poster_arg *p = arg;
	for (int i = 0; i < N_ITEMS; i++) {
		if (post(p->ctx, p->poster, i) < 0)
			p->failures++;
		if (i % 97 == 0)
			sched_yield(); /* let the root drain mid-stream sometimes */
	}
	return NULL;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	c->root = su_root_create(NULL);
	if (!c->root)
		goto fail;
	c->root_thread = pthread_self();
	c->bridge = ims_bridge_create(c->root);
	if (!c->bridge)
		goto fail;
	*state = c;
	return 0;
fail:
	if (c->root)
		su_root_destroy(c->root);
	free(c);
	return -1;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	ims_bridge_destroy(c->bridge);
	su_root_destroy(c->root);
	free(c);
	return 0;
}

/* Run the root until every expected item ran, for at most 10 s. */
static void run_root(struct ctx *c)
{
	time_t end = time(NULL) + 10;
	while (c->ran < c->expected && time(NULL) < end)
		su_root_step(c->root, 100);
}

static void run_posters(struct ctx *c, int n)
{
	pthread_t th[N_THREADS];
	struct poster_arg args[N_THREADS];

	c->expected = n * N_ITEMS;
	for (int i = 0; i < n; i++) {
		args[i] = (struct poster_arg){.ctx = c, .poster = i};
		assert_int_equal(pthread_create(&th[i], NULL, poster_main, &args[i]), 0);
	}
	run_root(c);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
}

static void test_items_from_another_thread_run_on_root_in_order(void **state)
{
	struct ctx *c = *state;

	run_posters(c, 1);
	assert_int_equal(c->ran, N_ITEMS);
	assert_int_equal(c->off_thread, 0);
	assert_int_equal(c->out_of_order, 0);
	assert_int_equal(c->next[0], N_ITEMS);
}

static void test_items_from_several_threads_keep_each_threads_order(void **state)
{
	struct ctx *c = *state;

	run_posters(c, N_THREADS);
	assert_int_equal(c->ran, N_THREADS * N_ITEMS);
	assert_int_equal(c->off_thread, 0);
	assert_int_equal(c->out_of_order, 0);
	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(c->next[i], N_ITEMS);
}

/* Posting while the root sleeps in su_root_step must wake it up. */
static void *late_poster(void *arg)
{
	struct timespec ts = {0, 200 * 1000000L};
	nanosleep(&ts, NULL);
	post(arg, 0, 0);
	return NULL;
}

static void test_post_wakes_a_sleeping_root(void **state)
{
	struct ctx *c = *state;
	pthread_t th;

	c->expected = 1;
	assert_int_equal(pthread_create(&th, NULL, late_poster, c), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	su_root_step(c->root, 5000); /* returns when the item arrives, not after 5 s */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	assert_int_equal(c->ran, 1);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
}

/* An item may post again from inside the root (e.g. a continuation). */
static void repost(void *arg)
{
	struct item *it = arg;
	struct ctx *c = it->ctx;
	if (it->seq < 9)
		post_fn(c, repost, 0, it->seq + 1);
	run_item(it);
}

static void test_item_may_post_again_from_the_root(void **state)
{
	struct ctx *c = *state;
	c->expected = 10;
	assert_int_equal(post_fn(c, repost, 0, 0), 0);
	run_root(c);
	assert_int_equal(c->ran, 10);
	assert_int_equal(c->out_of_order, 0);
}

static void test_destroy_runs_pending_items(void **state)
{
	struct ctx *c = *state;
	pthread_t th;
	struct poster_arg arg = {.ctx = c, .poster = 0};

	/* Queue items from another thread; never run the root. */
	c->expected = N_ITEMS + 1; /* so that run_item never breaks the loop */
	assert_int_equal(pthread_create(&th, NULL, poster_main, &arg), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(arg.failures, 0);
	assert_int_equal(c->ran, 0);

	ims_bridge_destroy(c->bridge);
	c->bridge = NULL;
	assert_int_equal(c->ran, N_ITEMS); /* every arg was freed by its fn (ASan checks) */
	assert_int_equal(c->out_of_order, 0);
	assert_int_equal(c->off_thread, 0);
	c->bridge = ims_bridge_create(c->root); /* for teardown */
	assert_non_null(c->bridge);
}

static void test_destroy_null_is_harmless(void **state)
{
	ims_bridge_destroy(NULL);
}

int main(void)
{
	ims_log_init("test_bridge", IMS_LOG_WARN, false);
	su_init();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_items_from_another_thread_run_on_root_in_order,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_items_from_several_threads_keep_each_threads_order,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_wakes_a_sleeping_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_item_may_post_again_from_the_root, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_runs_pending_items, setup, teardown),
	    cmocka_unit_test(test_destroy_null_is_harmless),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	su_deinit();
	return failed;
}
