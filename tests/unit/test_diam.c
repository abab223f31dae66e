/*
 * test_diam — common/ims_diam.h with two real freeDiameter nodes over TCP
 * on loopback: a forked "HSS" process with Cx handlers and this process as
 * its client.  CER/CEA must bring the peer to STATE_OPEN; every request
 * gets exactly one callback: the answer, a locally generated error answer,
 * or NULL on timeout or stop.
 *
 * Ports: two free-looking ports derived from the pid (not the lab's
 * 3868-3870), so that the test runs beside a running lab.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ims_diam.h"
#include "ims_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SERVER_ID "hss.open-ims.test"
#define CLIENT_ID "icscf.open-ims.test"
#define REALM "open-ims.test"

static int port_server, port_client;
static pid_t server_pid;
static int server_pipe = -1; /* closing it tells the server to stop */

/* ---- The server process ------------------------------------------------- */

static int srv_uar(struct msg **msg, void *opaque)
{
	char pub[128];
	int ret = ims_cx_get_str(*msg, ims_cx.avp_public_identity, pub, sizeof pub);
	if (ret)
		return ret;
	ret = ims_cx_answer_new(msg);
	if (!ret)
		ret = ims_cx_answer_set_experimental(*msg, IMS_CX_FIRST_REGISTRATION);
	if (!ret)
		ret = ims_cx_add_str(*msg, ims_cx.avp_server_name, pub); /* echo, for the test */
	return ret;
}

static int srv_sar_fails(struct msg **msg, void *opaque)
{
	return -EIO; /* e.g. the database is gone */
}

static int srv_mar_slow(struct msg **msg, void *opaque)
{
	struct timespec ts = {1, 500 * 1000000L};
	nanosleep(&ts, NULL);
	int ret = ims_cx_answer_new(msg);
	return ret ? ret : ims_cx_answer_set_result(*msg, IMS_DIAMETER_SUCCESS);
}

static void write_conf(char *path, size_t len, const char *id, int port, const char *peer,
                       int peer_port)
{
	snprintf(path, len, "/tmp/test_diam_%.5s_%d.conf", id, (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fprintf(
	    f,
	    "Identity = \"%s\";\nRealm = \"%s\";\nPort = %d;\nSecPort = 0;\nNo_SCTP;\n"
	    "No_IPv6;\nNoRelay;\nTcTimer = 1;\n"
	    "ConnectPeer = \"%s\" { ConnectTo = \"127.0.0.1\"; Port = %d; No_TLS; No_SCTP; };\n",
	    id, REALM, port, peer, peer_port);
	fclose(f);
}

static void server_main(int rfd)
{
	char conf[128];
	char c;

	alarm(120); /* never outlive a broken test */
	ims_log_init("test_diam-hss", IMS_LOG_WARN, false);
	write_conf(conf, sizeof conf, SERVER_ID, port_server, CLIENT_ID, port_client);
	int ret = ims_diam_start(conf);
	unlink(conf);
	if (ret || ims_diam_register(ims_cx.cmd_uar, srv_uar, NULL) ||
	    ims_diam_register(ims_cx.cmd_sar, srv_sar_fails, NULL) ||
	    ims_diam_register(ims_cx.cmd_mar, srv_mar_slow, NULL))
		_exit(3);
	while (read(rfd, &c, 1) > 0)
		;
	ims_diam_stop();
	_exit(0);
}

/* ---- Client side: waiting for callbacks ------------------------------------ */

struct call {
	sem_t done;
	int calls;
	bool answered;
	struct ims_cx_result res;
	char server_name[128];
	bool on_main_thread;
};

static pthread_t main_thread;

static void on_answer(void *data, struct msg *ans)
{
	struct call *c = data;
	c->calls++;
	c->on_main_thread = pthread_equal(pthread_self(), main_thread);
	c->answered = ans != NULL;
	if (ans) {
		ims_cx_result_get(ans, &c->res);
		ims_cx_get_str(ans, ims_cx.avp_server_name, c->server_name, sizeof c->server_name);
	}
	sem_post(&c->done);
}

static void call_init(struct call *c)
{
	memset(c, 0, sizeof *c);
	sem_init(&c->done, 0, 0);
}

/* Wait up to ms for the callback. */
static bool call_wait(struct call *c, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(&c->done, &ts) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct msg *request(struct dict_object *cmd, const char *realm, const char *pub)
{
	struct msg *m = NULL;
	assert_int_equal(ims_cx_request_new(cmd, realm, NULL, &m), 0);
	assert_int_equal(ims_cx_add_str(m, ims_cx.avp_user_name, "alice@open-ims.test"), 0);
	assert_int_equal(ims_cx_add_str(m, ims_cx.avp_public_identity, pub), 0);
	return m;
}

/* ---- Tests ------------------------------------------------------------------- */

static void test_peers_reach_state_open(void **state)
{
	double end = now_s() + 15;
	while (!ims_diam_peer_open(SERVER_ID) && now_s() < end)
		usleep(50 * 1000);
	assert_true(ims_diam_peer_open(SERVER_ID));
	assert_false(ims_diam_peer_open("nobody.open-ims.test"));
	assert_false(ims_diam_peer_open(NULL));
}

static void test_request_gets_its_answer_on_a_freediameter_thread(void **state)
{
	struct call c;
	call_init(&c);
	struct msg *m = request(ims_cx.cmd_uar, REALM, "sip:alice@open-ims.test");
	assert_int_equal(ims_cx_add_str(m, ims_cx.avp_visited_network_identifier, REALM), 0);
	assert_int_equal(ims_diam_send(m, 3000, on_answer, &c), 0);
	assert_true(call_wait(&c, 5000));
	assert_true(c.answered);
	assert_false(c.on_main_thread);
	assert_true(c.res.experimental);
	assert_int_equal(c.res.code, IMS_CX_FIRST_REGISTRATION);
	assert_string_equal(c.server_name, "sip:alice@open-ims.test");
	sem_destroy(&c.done);
}

static void test_failing_handler_answers_unable_to_comply(void **state)
{
	struct call c;
	call_init(&c);
	assert_int_equal(ims_diam_send(request(ims_cx.cmd_sar, REALM, "sip:a@open-ims.test"), 3000,
	                               on_answer, &c),
	                 0);
	assert_true(call_wait(&c, 5000));
	assert_true(c.answered);
	assert_false(c.res.experimental);
	assert_int_equal(c.res.code, IMS_DIAMETER_UNABLE_TO_COMPLY);
	sem_destroy(&c.done);
}

static void test_command_without_handler_answers_command_unsupported(void **state)
{
	struct call c;
	call_init(&c);
	assert_int_equal(ims_diam_send(request(ims_cx.cmd_lir, REALM, "sip:a@open-ims.test"), 3000,
	                               on_answer, &c),
	                 0);
	assert_true(call_wait(&c, 5000));
	assert_true(c.answered);
	assert_int_equal(c.res.code, IMS_DIAMETER_COMMAND_UNSUPPORTED);
	sem_destroy(&c.done);
}

static void test_no_answer_in_time_calls_back_once_with_null(void **state)
{
	struct call c;
	call_init(&c);
	double t0 = now_s();
	assert_int_equal(ims_diam_send(request(ims_cx.cmd_mar, REALM, "sip:a@open-ims.test"), 500,
	                               on_answer, &c),
	                 0);
	assert_true(call_wait(&c, 5000));
	double dt = now_s() - t0;
	assert_false(c.answered);
	assert_true(dt >= 0.4 && dt < 3.0);
	/* The late answer (after 1.5 s) must not call back a second time. */
	sleep(2);
	assert_int_equal(c.calls, 1);
	sem_destroy(&c.done);
}

static void test_unroutable_request_gets_unable_to_deliver(void **state)
{
	struct call c;
	call_init(&c);
	assert_int_equal(
	    ims_diam_send(request(ims_cx.cmd_uar, "nowhere.invalid", "sip:a@open-ims.test"), 3000,
	                  on_answer, &c),
	    0);
	assert_true(call_wait(&c, 5000));
	assert_true(c.answered);
	assert_int_equal(c.res.code, IMS_DIAMETER_UNABLE_TO_DELIVER);
	sem_destroy(&c.done);
}

static void test_send_refuses_bad_arguments_and_takes_the_message(void **state)
{
	struct call c;
	call_init(&c);
	assert_int_equal(ims_diam_send(NULL, 1000, on_answer, &c), -EINVAL);
	/* ASan's leak check proves the message is freed. */
	assert_int_equal(
	    ims_diam_send(request(ims_cx.cmd_uar, REALM, "sip:a@open-ims.test"), 1000, NULL, &c),
	    -EINVAL);
	assert_int_equal(
	    ims_diam_send(request(ims_cx.cmd_uar, REALM, "sip:a@open-ims.test"), 0, on_answer, &c),
	    -EINVAL);
	assert_int_equal(c.calls, 0);
	sem_destroy(&c.done);
}

static int noop_handler(struct msg **msg, void *opaque)
{
	return -ENOSYS;
}

static void test_one_handler_per_command(void **state)
{
	assert_int_equal(ims_diam_register(ims_cx.cmd_rtr, noop_handler, NULL), 0);
	assert_int_equal(ims_diam_register(ims_cx.cmd_rtr, noop_handler, NULL), -EEXIST);
	assert_int_equal(ims_diam_register(NULL, noop_handler, NULL), -EINVAL);
	assert_int_equal(ims_diam_register(ims_cx.cmd_ppr, NULL, NULL), -EINVAL);
}

/* A peer that stops reading (SIGSTOP) fills the TCP buffers, then its send
 * queue in freeDiameter (5 messages), then freeDiameter's outgoing queue
 * (30), which blocks whoever posts to it.  ims_diam_send() is called from a
 * SIP loop and must not wait there: the requests it cannot post wait in
 * ims_diam's backlog, and each still gets exactly one callback. */
#define FLOOD 30000
static atomic_int flood_calls, flood_successes;

static void on_flood(void *data, struct msg *ans)
{
	struct ims_cx_result res;

	(void)data;
	atomic_fetch_add(&flood_calls, 1);
	if (ans && ims_cx_result_get(ans, &res) == 0 && ims_cx_result_is_success(&res))
		atomic_fetch_add(&flood_successes, 1);
}

static void *resume_server(void *arg)
{
	(void)arg;
	sleep(3); /* a send blocked in freeDiameter's queue would end only now */
	kill(server_pid, SIGCONT);
	return NULL;
}

static void test_send_never_blocks_on_a_full_freediameter_queue(void **state)
{
	pthread_t t;
	double worst = 0;
	int highest = 0, limit = 0;

	atomic_store(&flood_calls, 0);
	assert_int_equal(kill(server_pid, SIGSTOP), 0);
	assert_int_equal(pthread_create(&t, NULL, resume_server, NULL), 0);
	for (int i = 0; i < FLOOD; i++) {
		double t0 = now_s();
		assert_int_equal(ims_diam_send(request(ims_cx.cmd_uar, REALM, "sip:flood@open-ims.test"),
		                               20000, on_flood, NULL),
		                 0);
		double dt = now_s() - t0;
		if (dt > worst)
			worst = dt;
	}
	assert_int_equal(fd_stat_getstats(STAT_G_OUTGOING, NULL, NULL, &limit, &highest, NULL, NULL,
	                                  NULL, NULL),
	                 0);
	pthread_join(t, NULL);
	print_message("%d sends while the server was stopped: the longest took %.1f ms; "
	              "freeDiameter's outgoing queue held at most %d of %d\n",
	              FLOOD, worst * 1000, highest, limit);
	assert_true(limit > 0 && highest >= limit - 4); /* the queue did fill up */
	assert_true(worst < 0.5);
	double end = now_s() + 40;
	while (atomic_load(&flood_calls) < FLOOD && now_s() < end)
		usleep(10 * 1000);
	usleep(500 * 1000); /* no second callback for any of them */
	assert_int_equal(atomic_load(&flood_calls), FLOOD);
}

/* The same flood with a short timeout and the peer stopped throughout:
 * every request is called back by its deadline (timeout + 2 s of grace)
 * with NULL or a locally made error answer — freeDiameter's timer for
 * those it sent, its routing error once it gives the connection up, or
 * ims_diam's timeout thread for what is left in a queue (which no sender
 * woke: it sleeps until the earliest deadline, or 1 s when idle) — and
 * none gets a second callback when the peer answers late.  Then requests
 * are answered again within 20 s (freeDiameter may have given the
 * connection up and reconnects; TcTimer = 1 s), and the peer has worked
 * off the flood before the next test stops it. */
static void test_requests_behind_a_stopped_peer_are_called_back_by_their_deadline(void **state)
{
	atomic_store(&flood_calls, 0);
	atomic_store(&flood_successes, 0);
	sleep(2); /* the timeout thread idle, nothing pending */
	assert_int_equal(kill(server_pid, SIGSTOP), 0);
	for (int i = 0; i < FLOOD; i++)
		assert_int_equal(ims_diam_send(request(ims_cx.cmd_uar, REALM, "sip:stuck@open-ims.test"),
		                               500, on_flood, NULL),
		                 0);
	double sent = now_s();
	while (atomic_load(&flood_calls) < FLOOD && now_s() < sent + 5)
		usleep(10 * 1000);
	double took = now_s() - sent;
	int calls = atomic_load(&flood_calls);
	kill(server_pid, SIGCONT);
	print_message("%d of %d requests called back %.2f s after the last send, the peer "
	              "stopped\n", calls, FLOOD, took);
	assert_int_equal(calls, FLOOD);
	assert_true(took < 0.5 + 2.0 + 1.5); /* timeout, grace, slack for a slow (ASan) run */
	assert_int_equal(atomic_load(&flood_successes), 0);
	sleep(2); /* the peer answers them now, too late */
	assert_int_equal(atomic_load(&flood_calls), FLOOD);
	bool served = false;
	double end = now_s() + 20;
	while (!served && now_s() < end) {
		struct call c;
		call_init(&c);
		assert_int_equal(ims_diam_send(request(ims_cx.cmd_uar, REALM, "sip:after@open-ims.test"),
		                               5000, on_answer, &c),
		                 0);
		assert_true(call_wait(&c, 10000));
		served = c.answered && ims_cx_result_is_success(&c.res);
		sem_destroy(&c.done);
		if (!served)
			usleep(500 * 1000);
	}
	assert_true(served);
	assert_int_equal(atomic_load(&flood_calls), FLOOD);
}

/* Last: stopping the node calls back what is still pending, before
 * ims_diam_stop() returns (an error answer from freeDiameter as the peer
 * goes away, or NULL). */
static void test_stop_calls_back_pending_requests(void **state)
{
	struct call c;
	call_init(&c);
	assert_int_equal(ims_diam_send(request(ims_cx.cmd_mar, REALM, "sip:a@open-ims.test"), 10000,
	                               on_answer, &c),
	                 0);
	usleep(200 * 1000); /* the server is now in its slow handler */
	ims_diam_stop();
	assert_int_equal(c.calls, 1);
	if (c.answered)
		assert_false(ims_cx_result_is_success(&c.res));
	sem_destroy(&c.done);
}

/* ---- Setup -------------------------------------------------------------------- */

static int setup(void **state)
{
	int fds[2];
	char conf[128];

	if (pipe(fds) < 0)
		return -1;
	fflush(NULL);
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		close(fds[1]);
		server_main(fds[0]);
	}
	close(fds[0]);
	server_pipe = fds[1];

	main_thread = pthread_self();
	ims_log_init("test_diam-icscf", IMS_LOG_WARN, false);
	write_conf(conf, sizeof conf, CLIENT_ID, port_client, SERVER_ID, port_server);
	int ret = ims_diam_start(conf);
	unlink(conf);
	return ret ? -1 : 0;
}

static int teardown(void **state)
{
	int status = -1;
	ims_diam_stop(); /* harmless when the last test already stopped */
	if (server_pipe >= 0)
		close(server_pipe);
	if (server_pid > 0 && waitpid(server_pid, &status, 0) == server_pid)
		print_message("server exited with status %d\n",
		              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	port_server = 20000 + (int)(getpid() % 20000) * 2; /* 20000..59998 */
	port_client = port_server + 1;

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peers_reach_state_open),
	    cmocka_unit_test(test_request_gets_its_answer_on_a_freediameter_thread),
	    cmocka_unit_test(test_failing_handler_answers_unable_to_comply),
	    cmocka_unit_test(test_command_without_handler_answers_command_unsupported),
	    cmocka_unit_test(test_no_answer_in_time_calls_back_once_with_null),
	    cmocka_unit_test(test_unroutable_request_gets_unable_to_deliver),
	    cmocka_unit_test(test_send_refuses_bad_arguments_and_takes_the_message),
	    cmocka_unit_test(test_one_handler_per_command),
	    cmocka_unit_test(test_send_never_blocks_on_a_full_freediameter_queue),
	    cmocka_unit_test(test_requests_behind_a_stopped_peer_are_called_back_by_their_deadline),
	    cmocka_unit_test(test_stop_calls_back_pending_requests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
