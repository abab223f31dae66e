/* hss_app — hss_init()/hss_fini(); see hss.h. */
#include "hss.h"

#include "hss_cache.h"
#include "hss_ctl.h"
#include "hss_cx.h"
#include "hss_db.h"
#include "hss_sqn.h"
#include "ims_diam.h"
#include "ims_log.h"

#include <openssl/rand.h>

int hss_init(const struct hss_cfg *cfg)
{
	IMS_INFO("starting: database %s@%s:%d/%s, Diameter %s", cfg->db_user, cfg->db_host,
		 cfg->db_port, cfg->db_name, cfg->diameter_config);
	if (RAND_status() != 1) {
		IMS_ERR("the OpenSSL random generator is not seeded");
		return -1;
	}
	if (hss_cache_init((unsigned)cfg->db_cache_ms) < 0 ||
	    hss_sqn_init((unsigned)cfg->sqn_block) < 0 || hss_db_init(cfg) < 0)
		return -1;
	ims_diam_set_nodelay(cfg->diameter_nodelay);
	if (ims_diam_start(cfg->diameter_config) < 0) {
		IMS_ERR("cannot start the Diameter node from %s", cfg->diameter_config);
		return -1;
	}
	if (hss_cx_register(cfg) < 0)
		return -1;
	if (hss_ctl_start(cfg->control_socket) < 0)
		return -1;
	IMS_INFO("ready");
	return 0;
}

void hss_fini(void)
{
	hss_ctl_stop();
	ims_diam_stop();
	hss_db_fini();
	hss_sqn_fini();
	hss_cache_fini();
	IMS_INFO("stopped");
}
