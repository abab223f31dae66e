/* ims_daemon — see ims_daemon.h. */
#include "ims_daemon.h"

#include "ims_log.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void usage(FILE *out, const char *name)
{
	fprintf(out,
		"usage: ims-%s [-c FILE] [-f] [-l LEVEL]\n"
		"  -c FILE   configuration file (default %s/%s.cfg)\n"
		"  -f        run in the foreground, log to stderr\n"
		"  -l LEVEL  log level: error, warn, info, debug\n",
		name, IMS_CFG_DIR, name);
}

int ims_daemon_parse_args(int argc, char **argv, const char *name,
			  struct ims_daemon_opts *opts)
{
	int c;

	snprintf(opts->cfg_path, sizeof opts->cfg_path, "%s/%s.cfg", IMS_CFG_DIR, name);
	opts->foreground = false;
	opts->log_level = -1;
	optind = 1;
	while ((c = getopt(argc, argv, "c:fl:h")) != -1) {
		switch (c) {
		case 'c':
			if (strlen(optarg) >= sizeof opts->cfg_path) {
				fprintf(stderr, "ims-%s: -c: path too long\n", name);
				return -1;
			}
			snprintf(opts->cfg_path, sizeof opts->cfg_path, "%s", optarg);
			break;
		case 'f':
			opts->foreground = true;
			break;
		case 'l':
			opts->log_level = ims_log_level_parse(optarg);
			if (opts->log_level < 0) {
				fprintf(stderr, "ims-%s: -l: '%s' is not error, warn, info or debug\n",
					name, optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout, name);
			return 1;
		default:
			usage(stderr, name);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ims-%s: unexpected argument '%s'\n", name, argv[optind]);
		usage(stderr, name);
		return -1;
	}
	return 0;
}

static sigset_t stop_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return set;
}

void ims_daemon_block_signals(void)
{
	sigset_t set = stop_signals();
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int ims_daemon_detach(const struct ims_daemon_opts *opts)
{
	if (opts->foreground)
		return 0;
	if (daemon(1, 0) < 0) {
		IMS_ERR("cannot daemonise: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int on_signal(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	su_root_t *root = (su_root_t *)arg;
	struct signalfd_siginfo si;
	if (read(w->fd, &si, sizeof si) == (ssize_t)sizeof si)
		IMS_INFO("signal %u: stopping", si.ssi_signo);
	su_root_break(root);
	return 0;
}

int ims_daemon_root_signals(su_root_t *root)
{
	sigset_t set = stop_signals();
	su_wait_t wait;
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);

	if (fd < 0 || su_wait_create(&wait, fd, SU_WAIT_IN) < 0 ||
	    su_root_register(root, &wait, on_signal, (su_wakeup_arg_t *)root, 0) < 0) {
		IMS_ERR("cannot watch signals: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int ims_daemon_wait_signal(void)
{
	sigset_t set = stop_signals();
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	IMS_INFO("signal %d: stopping", sig);
	return sig;
}
