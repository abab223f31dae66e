/* ims-pcscf: the P-CSCF daemon. */
#include <stdio.h>
#include <sofia-sip/su_wait.h>

#include "ims_daemon.h"
#include "ims_log.h"
#include "pcscf.h"

int main(int argc, char **argv)
{
	struct ims_daemon_opts opts;
	static struct pcscf pc;
	char err[512];
	int rc = ims_daemon_parse_args(argc, argv, "pcscf", &opts);

	if (rc)
		return rc < 0 ? 2 : 0;
	ims_daemon_block_signals();
	if (pcscf_cfg_load(&pc.cfg, opts.cfg_path, err, sizeof err) < 0) {
		fprintf(stderr, "ims-pcscf: %s\n", err);
		return 1;
	}
	ims_log_init("pcscf", opts.log_level >= 0 ? opts.log_level : pc.cfg.log_level,
		     !opts.foreground);
	if (ims_daemon_detach(&opts) < 0)
		return 1;
	su_init();
	ims_log_route_sofia();
	su_root_t *root = su_root_create(NULL);
	if (!root || ims_daemon_root_signals(root) < 0 || pcscf_init(&pc, root) < 0) {
		IMS_ERR("start-up failed");
		rc = 1;
	} else {
		IMS_INFO("P-CSCF ready");
		su_root_run(root);
	}
	pcscf_fini(&pc);
	if (root)
		su_root_destroy(root);
	su_deinit();
	return rc;
}
