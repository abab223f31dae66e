/*
 * handoff — what one thread hand-off costs on this machine: two threads
 * pass a token back and forth through a pair of eventfds (the way
 * common/ims_bridge wakes a SIP loop, and close to what freeDiameter's
 * queues cost: a futex or fd wake-up and a context switch each way).
 * Prints the wall and CPU time per hand-off twice: with the threads where
 * the scheduler puts them (usually on different CPUs), and with both pinned
 * to one CPU.  On a VM the first is mostly the cost of waking an idle
 * (halted) virtual CPU: with guest halt polling off, as on the machine of
 * docs/performance.md, it was 20-30 us against 2-3 us on one CPU.  Under
 * load the CPUs are rarely idle and the daemons pay something nearer the
 * second figure (docs/performance.md, "The hand-off figure").  bench/run
 * runs it first.
 *
 *   cc -O2 -pthread bench/handoff.c -o handoff && ./handoff [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
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

/* One measure: ROUNDS round trips; one_cpu pins both threads to the CPU
 * the main thread is on. */
static int measure(bool one_cpu, double *wall_us, double *cpu_us)
{
	struct timespec w0, w1, c0, c1;
	pthread_t t;
	pthread_attr_t attr;
	cpu_set_t set;

	pthread_attr_init(&attr);
	if (one_cpu) {
		int cpu = sched_getcpu();
		CPU_ZERO(&set);
		CPU_SET(cpu < 0 ? 0 : cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0 ||
		    pthread_attr_setaffinity_np(&attr, sizeof set, &set) != 0)
			return -1;
	}
	if (pthread_create(&t, &attr, peer, NULL) != 0)
		return -1;
	pthread_attr_destroy(&attr);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (long i = 0; i < rounds; i++) {
		pass(to_peer);
		take(to_main);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	pthread_join(t, NULL);
	*wall_us = us_between(&w0, &w1) / (2.0 * rounds);
	*cpu_us = us_between(&c0, &c1) / (2.0 * rounds);
	return 0;
}

/* The guest's halt polling (cpuidle-haltpoll), when the kernel has it. */
static void print_halt_poll(void)
{
	FILE *f = fopen("/sys/module/haltpoll/parameters/guest_halt_poll_ns", "r");
	long ns;
	if (!f)
		return;
	if (fscanf(f, "%ld", &ns) == 1)
		printf("guest_halt_poll_ns %ld\n", ns);
	fclose(f);
}

int main(int argc, char **argv)
{
	double wall, cpu;

	if (argc > 1)
		rounds = strtol(argv[1], NULL, 10);
	if (rounds <= 0 || rounds > 100000000L) {
		fprintf(stderr, "usage: handoff [ROUNDS (1..1e8)]\n");
		return 2;
	}
	to_peer = eventfd(0, EFD_CLOEXEC);
	to_main = eventfd(0, EFD_CLOEXEC);
	if (to_peer < 0 || to_main < 0 || measure(false, &wall, &cpu) < 0) {
		perror("handoff");
		return 1;
	}
	printf("handoff_us_wall %.2f\nhandoff_us_cpu %.2f\n", wall, cpu);
	if (measure(true, &wall, &cpu) < 0) {
		perror("handoff (one CPU)");
		return 1;
	}
	printf("handoff_one_cpu_us_wall %.2f\nhandoff_one_cpu_us_cpu %.2f\n", wall, cpu);
	print_halt_poll();
	return 0;
}
