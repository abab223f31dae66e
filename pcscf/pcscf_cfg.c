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
	IMS_CFG_END,
};
#undef T

int pcscf_cfg_load(struct pcscf_cfg *cfg, const char *path, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(pcscf_keys, cfg, err, errlen) < 0)
		return -1;
	if (!path)
		return 0;
	snprintf(cfg->path, sizeof cfg->path, "%s", path);
	return ims_cfg_load(path, pcscf_keys, cfg, err, errlen);
}
