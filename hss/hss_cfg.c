/* hss_cfg — see hss_cfg.h. */
#include "hss_cfg.h"

#include "ims_cfg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef IMS_CFG_DIR
#define IMS_CFG_DIR "/etc/ims"
#endif

#define T struct hss_cfg
static const struct ims_cfg_key hss_keys[] = {
	IMS_CFG_L(T, "hss", "log_level", log_level, "info"),
	IMS_CFG_S(T, "hss", "home_network", home_network, "open-ims.test"),
	IMS_CFG_S(T, "hss", "digest_realm", digest_realm, "open-ims.test"),
	IMS_CFG_I(T, "hss", "max_auth_items", max_auth_items, "5", 1, 32),
	IMS_CFG_I(T, "hss", "sqn_block", sqn_block, "32", 1, 1024),
	IMS_CFG_S(T, "diameter", "config", diameter_config, "hss.fd.conf"),
	IMS_CFG_I(T, "diameter", "request_timeout", request_timeout, "5", 1, 60),
	IMS_CFG_B(T, "diameter", "nodelay", diameter_nodelay, "yes"),
	IMS_CFG_S(T, "db", "host", db_host, "127.0.0.1"),
	IMS_CFG_I(T, "db", "port", db_port, "3307", 1, 65535),
	IMS_CFG_S(T, "db", "user", db_user, "ims"),
	IMS_CFG_S(T, "db", "password", db_password, "ims"),
	IMS_CFG_S(T, "db", "name", db_name, "ims_hss"),
	IMS_CFG_I(T, "db", "pool_size", db_pool_size, "8", 1, 256),
	IMS_CFG_I(T, "db", "connect_timeout", db_connect_timeout, "1", 1, 60),
	IMS_CFG_I(T, "db", "read_timeout", db_read_timeout, "1", 1, 60),
	IMS_CFG_I(T, "db", "retry_interval", db_retry_interval, "200", 0, 60000),
	IMS_CFG_I(T, "db", "cache_ms", db_cache_ms, "2000", 0, 60000),
	IMS_CFG_S(T, "control", "socket", control_socket, "${IMS_STATE:-../.lab}/run/hss.ctl"),
	IMS_CFG_END,
};
#undef T

/* Make a relative path absolute against dir (the config file's folder). */
static int resolve(char *path, size_t size, const char *dir, const char *key, char *err,
		   size_t errlen)
{
	char buf[PATH_MAX];

	if (path[0] == '\0' || path[0] == '/')
		return 0;
	if (snprintf(buf, sizeof buf, "%s/%s", dir, path) >= (int)sizeof buf ||
	    strlen(buf) >= size) {
		snprintf(err, errlen, "%s: path too long after resolving against %s", key, dir);
		return -1;
	}
	memcpy(path, buf, strlen(buf) + 1);
	return 0;
}

static int resolve_all(struct hss_cfg *cfg, const char *dir, char *err, size_t errlen)
{
	if (resolve(cfg->diameter_config, sizeof cfg->diameter_config, dir,
		    "[diameter] config", err, errlen) < 0)
		return -1;
	return resolve(cfg->control_socket, sizeof cfg->control_socket, dir, "[control] socket",
		       err, errlen);
}

int hss_cfg_defaults(struct hss_cfg *cfg, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(hss_keys, cfg, err, errlen) < 0)
		return -1;
	return resolve_all(cfg, IMS_CFG_DIR, err, errlen);
}

int hss_cfg_load(const char *path, struct hss_cfg *cfg, char *err, size_t errlen)
{
	char dir[PATH_MAX], abs[PATH_MAX];

	memset(cfg, 0, sizeof *cfg);
	if (ims_cfg_defaults(hss_keys, cfg, err, errlen) < 0)
		return -1;
	if (ims_cfg_load(path, hss_keys, cfg, err, errlen) < 0)
		return -1;
	if (ims_path_dir(path, dir, sizeof dir) < 0) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (realpath(dir, abs) != NULL)
		snprintf(dir, sizeof dir, "%s", abs);
	return resolve_all(cfg, dir, err, errlen);
}
