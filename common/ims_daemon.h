/*
 * ims_daemon — what every daemon's main.c shares: command line, signals,
 * daemonising.
 *
 *   ims-<name> [-c FILE] [-f] [-l LEVEL] [-h]
 *     -c FILE   configuration (default: IMS_CFG_DIR/<name>.cfg)
 *     -f        stay in the foreground and log to stderr (else: daemonise,
 *               log to syslog)
 *     -l LEVEL  override the configured log level (error|warn|info|debug)
 *
 * Signals: call ims_daemon_block_signals() first thing in main(), before any
 * thread exists, so that SIGTERM/SIGINT are delivered only where the daemon
 * waits for them: the su_root loop (ims_daemon_root_signals(), a signalfd)
 * or ims_daemon_wait_signal() (the HSS, which has no SIP loop).
 */
#ifndef IMS_DAEMON_H
#define IMS_DAEMON_H

#include <stdbool.h>
#include <sofia-sip/su_wait.h>

#ifndef IMS_CFG_DIR
#define IMS_CFG_DIR "/etc/ims"
#endif

struct ims_daemon_opts {
	char cfg_path[512];
	bool foreground;
	int log_level; /* -1: use the configuration's */
};

/* Returns 0 to run, 1 when the program should exit 0 (-h), -1 on a usage
 * error (already printed). */
int ims_daemon_parse_args(int argc, char **argv, const char *name,
			  struct ims_daemon_opts *opts);

void ims_daemon_block_signals(void);

/* Fork into the background unless foreground.  Returns 0 in the child. */
int ims_daemon_detach(const struct ims_daemon_opts *opts);

/* Make SIGTERM/SIGINT break root's loop (su_root_run returns).
 * Returns 0 or -1. */
int ims_daemon_root_signals(su_root_t *root);

/* Block until SIGTERM or SIGINT; returns the signal number. */
int ims_daemon_wait_signal(void);

#endif
