/* ims-scscf: the S-CSCF (registrar and authenticator; see scscf.h). */
#include "scscf.h"

#include "ims_daemon.h"
#include "ims_log.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct ims_daemon_opts opts;
	struct scscf_cfg cfg;
	static struct scscf sc;
	char err[512];
	int rc = ims_daemon_parse_args(argc, argv, "scscf", &opts);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	ims_daemon_block_signals();
	if (scscf_cfg_load(opts.cfg_path, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "ims-scscf: %s\n", err);
		return 1;
	}
	ims_log_init("scscf", opts.log_level >= 0 ? opts.log_level : cfg.log_level,
	             !opts.foreground);
	if (ims_daemon_detach(&opts) < 0)
		return 1;
	su_init();
	ims_log_route_sofia();
	su_root_t *root = su_root_create(NULL);
	if (!root || ims_daemon_root_signals(root) < 0 || scscf_init(&sc, &cfg, root) < 0) {
		IMS_ERR("scscf: start-up failed");
		if (root)
			su_root_destroy(root);
		su_deinit();
		return 1;
	}
	su_root_run(root);
	IMS_INFO("scscf: stopping");
	scscf_fini(&sc);
	su_root_destroy(root);
	su_deinit();
	return 0;
}
