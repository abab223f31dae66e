/* scscf_cfg — see scscf_cfg.h. */
#include "scscf_cfg.h"

#include "ims_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IMS_CFG_DIR
#define IMS_CFG_DIR "/etc/ims"
#endif

/* clang-format off */
#define T struct scscf_cfg
static const struct ims_cfg_key scscf_keys[] = {
	IMS_CFG_L(T, "core", "log_level", log_level, "info"),
	IMS_CFG_S(T, "scscf", "server_name", server_name, "sip:scscf.open-ims.test:6060"),
	IMS_CFG_S(T, "scscf", "realm", realm, "open-ims.test"),
	IMS_CFG_S(T, "scscf", "service_route", service_route,
		  "sip:orig@scscf.open-ims.test:6060;lr"),
	IMS_CFG_S(T, "scscf", "icscf_uri", icscf_uri, ""),
	IMS_CFG_S(T, "scscf", "trusted_addresses", trusted_addresses, ""),
	IMS_CFG_I(T, "scscf", "as_timeout_ms", as_timeout_ms, "3000", 0, 60000),
	IMS_CFG_I(T, "scscf", "calllog_days", calllog_days, "30", 0, 36500),
	IMS_SIP_CFG_KEYS(T, sip, "scscf.open-ims.test", "6060"),
	IMS_CFG_I(T, "registrar", "default_expires", default_expires, "3600", 1, 0x7fffffff),
	IMS_CFG_I(T, "registrar", "min_expires", min_expires, "5", 1, 0x7fffffff),
	IMS_CFG_I(T, "registrar", "max_expires", max_expires, "600000", 1, 0x7fffffff),
	IMS_CFG_I(T, "registrar", "max_contacts", max_contacts, "10", 1, 1000),
	IMS_CFG_I(T, "auth", "nonce_lifetime", nonce_lifetime, "60", 1, 86400),
	IMS_CFG_B(T, "auth", "send_ck_ik", send_ck_ik, "yes"),
	IMS_CFG_B(T, "auth", "aka_no_zero_res", aka_no_zero_res, "yes"),
	IMS_CFG_I(T, "auth", "max_nonces", max_nonces, "100000", 16, 10000000),
	IMS_CFG_S(T, "diameter", "config", diameter_config, "scscf.fd.conf"),
	IMS_CFG_S(T, "diameter", "hss_realm", hss_realm, "open-ims.test"),
	IMS_CFG_S(T, "diameter", "hss_host", hss_host, ""),
	IMS_CFG_I(T, "diameter", "timeout_ms", timeout_ms, "1500", 100, 60000),
	IMS_CFG_B(T, "db", "enabled", db_enabled, "yes"),
	IMS_CFG_S(T, "db", "host", db_host, "127.0.0.1"),
	IMS_CFG_I(T, "db", "port", db_port, "3307", 1, 65535),
	IMS_CFG_S(T, "db", "user", db_user, "ims"),
	IMS_CFG_S(T, "db", "password", db_password, "ims"),
	IMS_CFG_S(T, "db", "name", db_name, "ims_scscf"),
	IMS_CFG_I(T, "db", "connect_timeout", db_connect_timeout, "2", 1, 60),
	IMS_CFG_I(T, "db", "queue_max", db_queue_max, "100000", 16, 10000000),
	IMS_CFG_END,
};
#undef T
/* clang-format on */

static int check(struct scscf_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->min_expires > cfg->max_expires) {
		snprintf(err, errlen, "[registrar] min_expires %d is above max_expires %d",
		         cfg->min_expires, cfg->max_expires);
		return -1;
	}
	if (cfg->default_expires < cfg->min_expires || cfg->default_expires > cfg->max_expires) {
		snprintf(err, errlen, "[registrar] default_expires %d is outside [%d, %d]",
		         cfg->default_expires, cfg->min_expires, cfg->max_expires);
		return -1;
	}
	return 0;
}

/* Make cfg->diameter_config absolute against cfg->dir. */
static int resolve(struct scscf_cfg *cfg, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	char *path = cfg->diameter_config;

	if (path[0] == '\0' || path[0] == '/')
		return check(cfg, err, errlen);
	if (snprintf(buf, sizeof buf, "%s/%s", cfg->dir, path) >= (int)sizeof buf ||
	    strlen(buf) >= sizeof cfg->diameter_config) {
		snprintf(err, errlen, "[diameter] config: path too long after resolving against %s",
		         cfg->dir);
		return -1;
	}
	memcpy(path, buf, strlen(buf) + 1);
	return check(cfg, err, errlen);
}

int scscf_cfg_defaults(struct scscf_cfg *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(scscf_keys, cfg, err, errlen) < 0)
		return -1;
	snprintf(cfg->dir, sizeof cfg->dir, "%s", IMS_CFG_DIR);
	snprintf(cfg->path, sizeof cfg->path, "%s/scscf.cfg", IMS_CFG_DIR);
	return resolve(cfg, err, errlen);
}

int scscf_cfg_load(const char *path, struct scscf_cfg *cfg, char *err, size_t errlen)
{
	char abs[PATH_MAX];
	const char *slash = strrchr(path, '/');

	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(scscf_keys, cfg, err, errlen) < 0)
		return -1;
	if (ims_cfg_load(path, scscf_keys, cfg, err, errlen) < 0)
		return -1;
	if (ims_path_dir(path, cfg->dir, sizeof cfg->dir) < 0) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (realpath(cfg->dir, abs) != NULL)
		snprintf(cfg->dir, sizeof cfg->dir, "%s", abs);
	if (snprintf(cfg->path, sizeof cfg->path, "%s/%s", cfg->dir, slash ? slash + 1 : path) >=
	    (int)sizeof cfg->path) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	return resolve(cfg, err, errlen);
}
