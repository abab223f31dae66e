/* hss_ctl — see hss_ctl.h and hss/README.md. */
#include "hss_ctl.h"

#include "hss_cache.h"
#include "hss_rtr.h"
#include "hss_sqn.h"
#include "ims_log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LINE_MAX_LEN 1024

static struct {
	int fd, stop_pipe[2];
	pthread_t thread;
	bool running;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} ctl = {.fd = -1, .stop_pipe = {-1, -1}};

static const char *const reasons[] = {"permanent_termination", "new_server_assigned",
				      "server_change", "remove_scscf"};

static int parse_reason(const char *s)
{
	char *end;
	long v;

	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, reasons[i]) == 0)
			return i;
	v = strtol(s, &end, 10);
	return (*s && !*end && v >= 0 && v <= 3) ? (int)v : -1;
}

static void reply(char *out, size_t len, int rc, const char *why)
{
	if (rc < 0)
		snprintf(out, len, "ERR %s", why);
	else
		snprintf(out, len, "OK %d %s", rc, why);
}

static void cmd_rtr(char *args, char *out, size_t len)
{
	char why[512] = "";
	char *save = NULL, *id = strtok_r(args, " \t", &save);
	char *rs = strtok_r(NULL, " \t", &save);
	char *info = save && *save ? save : NULL;
	int reason = rs ? parse_reason(rs) : 0;

	if (!id || reason < 0) {
		snprintf(out, len, "ERR usage: rtr IDENTITY [%s|%s|%s|%s|0-3 [REASON-INFO]]",
			 reasons[0], reasons[1], reasons[2], reasons[3]);
		return;
	}
	reply(out, len, hss_rtr_send(id, reason, info, why, sizeof why), why);
}

static void cmd_ppr(char *args, char *out, size_t len)
{
	char why[512] = "";
	char *save = NULL, *id = strtok_r(args, " \t", &save);

	if (!id || strtok_r(NULL, " \t", &save)) {
		snprintf(out, len, "ERR usage: ppr IDENTITY");
		return;
	}
	reply(out, len, hss_ppr_send(id, why, sizeof why), why);
}

/* "OK 0 <what>: " and the HSS's counters (the pair cache, the SQN blocks). */
static void counters(char *out, size_t len, const char *what)
{
	struct hss_cache_stats c;
	struct hss_sqn_stats s;

	hss_cache_stats(&c);
	hss_sqn_stats(&s);
	snprintf(out, len,
		 "OK 0 %scache_hits=%llu cache_misses=%llu sqn_from_block=%llu sqn_blocks=%llu", what,
		 (unsigned long long)c.hits, (unsigned long long)c.misses,
		 (unsigned long long)s.from_block, (unsigned long long)s.reserved);
}

void hss_ctl_execute(const char *line, char *out, size_t len)
{
	char buf[LINE_MAX_LEN];
	char *save = NULL, *cmd;

	snprintf(buf, sizeof buf, "%s", line);
	cmd = strtok_r(buf, " \t", &save);
	if (!cmd)
		snprintf(out, len, "ERR empty command; try help");
	else if (strcasecmp(cmd, "ping") == 0)
		snprintf(out, len, "OK 0 pong");
	else if (strcasecmp(cmd, "rtr") == 0)
		cmd_rtr(save ? save : (char *)"", out, len);
	else if (strcasecmp(cmd, "ppr") == 0)
		cmd_ppr(save ? save : (char *)"", out, len);
	else if (strcasecmp(cmd, "stats") == 0) {
		counters(out, len, "");
	} else if (strcasecmp(cmd, "flush") == 0) {
		hss_cache_flush();
		hss_sqn_flush();
		counters(out, len, "cache flushed, SQN blocks dropped; so far ");
	} else if (strcasecmp(cmd, "help") == 0)
		snprintf(out, len, "OK 0 commands: ping | rtr IDENTITY [REASON [INFO]] | ppr IDENTITY | "
			 "flush | stats");
	else
		snprintf(out, len, "ERR unknown command '%s'; try help", cmd);
}

/* Read one line (at most 2 s), run it, answer, close. */
static void serve(int c)
{
	char line[LINE_MAX_LEN], out[1024];
	size_t n = 0;
	struct timeval tv = {.tv_sec = 2};
	ssize_t r;

	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (n < sizeof line - 1 && (r = read(c, line + n, sizeof line - 1 - n)) > 0) {
		n += (size_t)r;
		if (memchr(line, '\n', n))
			break;
	}
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	IMS_INFO("control: %s", line);
	hss_ctl_execute(line, out, sizeof out);
	IMS_INFO("control: -> %s", out);
	strncat(out, "\n", sizeof out - strlen(out) - 1);
	if (write(c, out, strlen(out)) < 0)
		IMS_WARN("control: cannot write the reply: %s", strerror(errno));
	close(c);
}

static void *loop(void *arg)
{
	struct pollfd p[2] = {{.fd = ctl.fd, .events = POLLIN},
			      {.fd = ctl.stop_pipe[0], .events = POLLIN}};

	while (poll(p, 2, -1) >= 0 || errno == EINTR) {
		if (p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int c = accept(ctl.fd, NULL, NULL);
			if (c >= 0)
				serve(c);
		}
	}
	return NULL;
}

/* Is another process serving path? */
static bool alive(const struct sockaddr_un *sa)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = s >= 0 && connect(s, (const struct sockaddr *)sa, sizeof *sa) == 0;

	if (s >= 0)
		close(s);
	return ok;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[sizeof sa.sun_path];
	char *slash;

	if (strlen(path) >= sizeof sa.sun_path) {
		IMS_ERR("control: socket path longer than %zu bytes: %s", sizeof sa.sun_path - 1,
			path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0770) < 0 && errno != EEXIST)
			IMS_WARN("control: cannot create %s: %s", dir, strerror(errno));
	}
	if (alive(&sa)) {
		IMS_ERR("control: another process already serves %s", path);
		return -1;
	}
	unlink(path);
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl.fd < 0 || bind(ctl.fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    chmod(path, 0660) < 0 || listen(ctl.fd, 8) < 0) {
		IMS_ERR("control: cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(ctl.path, sizeof ctl.path, "%s", path);
	return 0;
}

int hss_ctl_start(const char *path)
{
	if (!path[0]) {
		IMS_INFO("control: disabled");
		return 0;
	}
	if (listen_on(path) < 0 || pipe(ctl.stop_pipe) < 0 ||
	    pthread_create(&ctl.thread, NULL, loop, NULL) != 0) {
		hss_ctl_stop();
		return -1;
	}
	ctl.running = true;
	IMS_INFO("control: listening on %s", path);
	return 0;
}

void hss_ctl_stop(void)
{
	if (ctl.running) {
		if (write(ctl.stop_pipe[1], "x", 1) < 0)
			IMS_WARN("control: cannot stop the thread: %s", strerror(errno));
		pthread_join(ctl.thread, NULL);
		ctl.running = false;
	}
	for (int i = 0; i < 2; i++)
		if (ctl.stop_pipe[i] >= 0)
			close(ctl.stop_pipe[i]);
	ctl.stop_pipe[0] = ctl.stop_pipe[1] = -1;
	if (ctl.fd >= 0) {
		close(ctl.fd);
		unlink(ctl.path);
	}
	ctl.fd = -1;
}
