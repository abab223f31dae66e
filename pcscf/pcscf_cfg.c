/* pcscf_cfg — see pcscf_cfg.h. */
#include "pcscf_cfg.h"

#include <stdio.h>
#include <string.h>

#define T struct pcscf_cfg
static const struct ims_cfg_key pcscf_keys[] = {
	IMS_CFG_L(T, "core", "log_level", log_level, "info"),
	IMS_SIP_CFG_KEYS(T, sip, "pcscf.open-ims.test", "4060"),
	IMS_CFG_S(T, "pcscf", "visited_network_id", visited_network, "open-ims.test"),
	IMS_CFG_S(T, "pcscf", "icscf_uri", icscf_uri, ""),
	IMS_CFG_I(T, "pcscf", "max_registrations", max_registrations, "200000", 16, 10000000),
	IMS_CFG_I(T, "pcscf", "rate_limit", rate_limit, "0", 0, 1000000),
	IMS_CFG_S(T, "pcscf", "rate_limit_exempt", rate_limit_exempt, ""),
	IMS_CFG_S(T, "pcscf", "trusted_addresses", trusted_addresses, ""),
	IMS_CFG_S(T, "pcscf", "state_file", state_file, "${IMS_STATE:-../.lab}/run/pcscf.reg"),
	IMS_CFG_END,
};
#undef T

/* A relative state_file is taken against the configuration file's folder
 * (IMS_CFG_DIR's without one), as the lab runs the daemons in cfg/. */
static int resolve_state_file(struct pcscf_cfg *cfg, const char *path, char *err, size_t errlen)
{
	char out[sizeof cfg->state_file];

	if (!cfg->state_file[0])
		return 0;
	if (ims_cfg_path(path ? path : IMS_CFG_DIR "/pcscf.cfg", cfg->state_file, out,
			 sizeof out) < 0) {
		snprintf(err, errlen, "%s: [pcscf] state_file: path too long",
			 path ? path : "defaults");
		return -1;
	}
	memcpy(cfg->state_file, out, sizeof out);
	return 0;
}

int pcscf_cfg_load(struct pcscf_cfg *cfg, const char *path, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(pcscf_keys, cfg, err, errlen) < 0)
		return -1;
	if (path) {
		snprintf(cfg->path, sizeof cfg->path, "%s", path);
		if (ims_cfg_load(path, pcscf_keys, cfg, err, errlen) < 0)
			return -1;
	}
	return resolve_state_file(cfg, path, err, errlen);
}
