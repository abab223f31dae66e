/*
 * handoff — what one thread hand-off costs on this machine: two threads
 * pass a token back and forth through a pair of eventfds (the way
 * common/ims_bridge wakes a SIP loop, and close to what freeDiameter's
 * queues cost: a futex or fd wake-up and a context switch each way).
 * Prints the wall and CPU time per hand-off.  bench/run runs it first.
 *
 *   cc -O2 -pthread bench/handoff.c -o handoff && ./handoff [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int to_peer, to_main;
static long rounds = 200000;

static void pass(int fd)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof one) != sizeof one)
		abort();
}

static void take(int fd)
{
	uint64_t v;
	if (read(fd, &v, sizeof v) != sizeof v)
		abort();
}

static void *peer(void *arg)
{
	for (long i = 0; i < rounds; i++) {
		take(to_peer);
		pass(to_main);
	}
	return arg;
}

static double us_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

int main(int argc, char **argv)
{
	struct timespec w0, w1, c0, c1;
	pthread_t t;

	if (argc > 1)
		rounds = strtol(argv[1], NULL, 10);
	if (rounds <= 0 || rounds > 100000000L) {
		fprintf(stderr, "usage: handoff [ROUNDS (1..1e8)]\n");
		return 2;
	}
	to_peer = eventfd(0, EFD_CLOEXEC);
	to_main = eventfd(0, EFD_CLOEXEC);
	if (to_peer < 0 || to_main < 0 || pthread_create(&t, NULL, peer, NULL) != 0) {
		perror("handoff");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (long i = 0; i < rounds; i++) {
		pass(to_peer);
		take(to_main);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	pthread_join(t, NULL);
	printf("handoff_us_wall %.2f\nhandoff_us_cpu %.2f\n", us_between(&w0, &w1) / (2.0 * rounds),
	       us_between(&c0, &c1) / (2.0 * rounds));
	return 0;
}
