/* ims-icscf: the I-CSCF daemon. */
#include <stdio.h>
#include <sofia-sip/su_wait.h>

#include "icscf.h"
#include "ims_daemon.h"
#include "ims_log.h"

int main(int argc, char **argv)
{
	struct ims_daemon_opts opts;
	static struct icscf ic;
	char err[512], fdconf[600];
	int rc = ims_daemon_parse_args(argc, argv, "icscf", &opts);

	if (rc)
		return rc < 0 ? 2 : 0;
	ims_daemon_block_signals();
	if (icscf_cfg_load(&ic.cfg, opts.cfg_path, err, sizeof err) < 0) {
		fprintf(stderr, "ims-icscf: %s\n", err);
		return 1;
	}
	ims_log_init("icscf", opts.log_level >= 0 ? opts.log_level : ic.cfg.log_level,
		     !opts.foreground);
	if (ims_daemon_detach(&opts) < 0)
		return 1;
	su_init();
	ims_log_route_sofia();
	su_root_t *root = su_root_create(NULL);
	if (ims_cfg_path(opts.cfg_path, ic.cfg.diameter_conf, fdconf, sizeof fdconf) < 0 || !root || ims_daemon_root_signals(root) < 0 || icscf_init(&ic, root, fdconf) < 0) {
		IMS_ERR("start-up failed");
		rc = 1;
	} else {
		IMS_INFO("I-CSCF ready");
		su_root_run(root);
	}
	icscf_fini(&ic);
	if (root)
		su_root_destroy(root);
	su_deinit();
	return rc;
}
