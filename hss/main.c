/* ims-hss: arguments, configuration, hss_init(), wait for SIGTERM/SIGINT,
 * hss_fini(). */
#include "hss.h"

#include "ims_daemon.h"
#include "ims_log.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	static struct hss_cfg cfg;
	struct ims_daemon_opts opts;
	char err[512];
	int rc;

	ims_daemon_block_signals();
	rc = ims_daemon_parse_args(argc, argv, "hss", &opts);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (hss_cfg_load(opts.cfg_path, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "ims-hss: %s\n", err);
		return 2;
	}
	ims_log_init("hss", opts.log_level >= 0 ? opts.log_level : cfg.log_level,
		     !opts.foreground);
	if (ims_daemon_detach(&opts) < 0)
		return 1;
	rc = hss_init(&cfg);
	if (rc == 0)
		ims_daemon_wait_signal();
	hss_fini();
	return rc == 0 ? 0 : 1;
}
