/* ctl_hss — commands the running HSS carries out, sent over its control
 * socket (cfg/hss.cfg [control] socket; protocol in hss/hss_ctl.c): one
 * line "rtr IDENTITY REASON [INFO]", "ppr IDENTITY", "flush" or "stats",
 * one line back, "OK <result-code> <text>" or "ERR <text>". */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_TIMEOUT 30 /* s: the HSS waits up to its request_timeout (<= 60) */
#define DIAMETER_SUCCESS 2001

static const char *const reason_names[] = {"permanent_termination", "new_server_assigned",
                                           "server_change", "remove_scscf"};

/* Why connecting to path failed, in words a lab user can act on. */
static void explain(const struct ctl_args *a, const char *path, int err)
{
	if (err == ENOENT || err == ECONNREFUSED)
		ctl_err(a,
		        "the HSS is not running: %s %s (start it with 'scripts/lab up', or give "
		        "its control socket with --socket)",
		        err == ENOENT ? "there is no control socket" : "nothing listens on", path);
	else if (err == EACCES)
		ctl_err(a, "no permission to use the HSS's control socket %s", path);
	else
		ctl_err(a, "cannot reach the HSS's control socket %s: %s", path, strerror(err));
}

/* A connected socket to path (timeouts of secs set), or -errno. */
static int open_socket(const char *path, int secs)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = secs};
	int s, err;

	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err = errno;
		close(s);
		return -err;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return s;
}

static int connect_hss(const struct ctl_args *a)
{
	const char *path = a->conn.socket;
	int s;

	if (!path[0]) {
		ctl_err(a,
		        "the HSS's control channel is disabled ([control] socket is empty in %s)",
		        a->conn.config[0] ? a->conn.config : "the configuration");
		return -1;
	}
	s = open_socket(path, REPLY_TIMEOUT);
	if (s == -ENAMETOOLONG)
		ctl_err(a, "control socket path too long: %s", path);
	else if (s < 0)
		explain(a, path, -s);
	return s < 0 ? -1 : s;
}

/* Send line over s and read the reply's first line into out; closes s.
 * Returns 0, -1 when the write failed (errno says why) or -2 when no answer
 * came. */
static int exchange(int s, const char *line, char *out, size_t len)
{
	size_t n = 0, l = strlen(line);
	ssize_t r;
	int rc = 0, saved;

	if (write(s, line, l) != (ssize_t)l) {
		rc = -1;
	} else {
		while (n < len - 1 && (r = read(s, out + n, len - 1 - n)) > 0)
			n += (size_t)r;
		if (n == 0)
			rc = -2;
	}
	saved = errno;
	close(s);
	errno = saved;
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return rc;
}

/* Send line, read the reply into out.  Returns 0 or -1 (printed). */
static int ask(const struct ctl_args *a, const char *line, char *out, size_t len)
{
	int s = connect_hss(a), rc;

	if (s < 0)
		return -1;
	rc = exchange(s, line, out, len);
	if (rc == -1)
		ctl_err(a, "cannot write to the HSS's control socket: %s", strerror(errno));
	else if (rc == -2)
		ctl_err(a, "the HSS gave no answer within %d s", REPLY_TIMEOUT);
	return rc < 0 ? -1 : 0;
}

/* Interpret "OK <code> text" / "ERR text".  Returns CTL_OK or CTL_FAIL. */
static int verdict(const struct ctl_args *a, const char *id, const char *reply)
{
	char *end;
	long code;

	if (strncmp(reply, "OK ", 3) == 0) {
		code = strtol(reply + 3, &end, 10);
		if (code == DIAMETER_SUCCESS) {
			printf("%s: %s\n", id, *end ? end + 1 : "done");
			return CTL_OK;
		}
		ctl_err(a, "%s: the S-CSCF did not accept it: %s", id, reply + 3);
		return CTL_FAIL;
	}
	ctl_err(a, "%s: the HSS says: %s", id, strncmp(reply, "ERR ", 4) == 0 ? reply + 4 : reply);
	return CTL_FAIL;
}

/* The identity the HSS should act on: a public identity as given, else the
 * private identity NAME@DOMAIN. */
static int target(const struct ctl_args *a, char *id, size_t len)
{
	char err[512];

	if (strchr(a->pos[0], ':')) {
		if (ctl_valid_impu(a->pos[0], err, sizeof err) < 0)
			return ctl_err(a, "%s", err), CTL_USAGE;
		snprintf(id, len, "%s", a->pos[0]);
		return CTL_OK;
	}
	if (ctl_impi_of(a, a->pos[0], id, len, err, sizeof err) < 0)
		return ctl_err(a, "%s", err), CTL_USAGE;
	return CTL_OK;
}

int ctl_cmd_deregister(struct ctl_args *a)
{
	char id[CTL_ID_MAX], line[1024], reply[1024], err[256];
	int rc;

	if ((rc = target(a, id, sizeof id)) != CTL_OK)
		return rc;
	if (a->reason && ctl_valid_text("--reason", a->reason, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	snprintf(line, sizeof line, "rtr %s %s%s%s\n", id, reason_names[a->reason_code],
	         a->reason && *a->reason ? " " : "", a->reason ? a->reason : "");
	if (ask(a, line, reply, sizeof reply) < 0)
		return CTL_FAIL;
	return verdict(a, id, reply);
}

int ctl_cmd_push(struct ctl_args *a)
{
	char id[CTL_ID_MAX], line[512], reply[1024];
	int rc;

	if ((rc = target(a, id, sizeof id)) != CTL_OK)
		return rc;
	snprintf(line, sizeof line, "ppr %s\n", id);
	if (ask(a, line, reply, sizeof reply) < 0)
		return CTL_FAIL;
	return verdict(a, id, reply);
}

int ctl_cmd_flush(struct ctl_args *a)
{
	char reply[1024];

	if (ask(a, "flush\n", reply, sizeof reply) < 0)
		return CTL_FAIL;
	if (strncmp(reply, "OK 0 ", 5) != 0) {
		ctl_err(a, "the HSS says: %s", strncmp(reply, "ERR ", 4) == 0 ? reply + 4 : reply);
		return CTL_FAIL;
	}
	printf("%s\n", reply + 5);
	return CTL_OK;
}

int ctl_cmd_stats(struct ctl_args *a)
{
	char reply[1024], *save = NULL;

	if (ask(a, "stats\n", reply, sizeof reply) < 0)
		return CTL_FAIL;
	if (strncmp(reply, "OK 0 ", 5) != 0) {
		ctl_err(a, "the HSS says: %s", strncmp(reply, "ERR ", 4) == 0 ? reply + 4 : reply);
		return CTL_FAIL;
	}
	/* "name=value name=value ..." -> one "name value" line each */
	for (char *kv = strtok_r(reply + 5, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			printf("%-16.*s %s\n", (int)(eq - kv), kv, eq + 1);
	}
	return CTL_OK;
}

void ctl_hss_changed(const struct ctl_args *a)
{
	char reply[256];
	int s;

	if (!a->conn.socket[0])
		return; /* no control channel: the HSS sees it after [db] cache_ms */
	s = open_socket(a->conn.socket, 5); /* a flush is quick; do not hold a change 30 s */
	if (s == -ENOENT || s == -ECONNREFUSED)
		return; /* no HSS running: nothing cached */
	if (s >= 0 && exchange(s, "flush\n", reply, sizeof reply) == 0 &&
	    strncmp(reply, "OK ", 3) == 0)
		return;
	fprintf(stderr,
	        "imsctl: warning: could not tell the running HSS (%s) to drop its cached copy; "
	        "it may use the old data for up to [db] cache_ms (default 2 s)\n",
	        a->conn.socket);
}
