/*
 * hss_cfg — the HSS's configuration (cfg/hss.cfg): a const struct filled
 * once at start from the ims_cfg table in hss_cfg.c.
 */
#ifndef HSS_CFG_H
#define HSS_CFG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct hss_cfg {
	/* [hss] */
	int log_level;
	char home_network[256];  /* always an allowed Visited-Network-Identifier */
	char digest_realm[256];  /* realm of HA1 = MD5(impi:realm:password) */
	int max_auth_items;      /* cap on SIP-Number-Auth-Items */
	int sqn_block;           /* AKA SQNs reserved per database write (hss_sqn.h) */

	/* [diameter] */
	char diameter_config[PATH_MAX]; /* freeDiameter file; resolved to absolute */
	int request_timeout;            /* s, for RTR and PPR */
	bool diameter_nodelay;          /* Nagle off on the Cx connections */

	/* [db] */
	char db_host[256];
	int db_port;
	char db_user[128];
	char db_password[128];
	char db_name[128];
	int db_pool_size;
	int db_connect_timeout; /* s */
	int db_read_timeout;    /* s, also the write timeout */
	int db_retry_interval;  /* ms: after a failed connect, fail fast this long */
	int db_cache_ms;        /* ms an identity pair read is reused (hss_cache.h); 0 off */

	/* [control] */
	char control_socket[PATH_MAX]; /* unix socket; "" disables; resolved */
};

/* Load path over the defaults and resolve relative paths against the
 * folder of path.  Returns 0, or -1 with err set. */
int hss_cfg_load(const char *path, struct hss_cfg *cfg, char *err, size_t errlen);

/* Defaults only (tests); relative paths resolve against IMS_CFG_DIR. */
int hss_cfg_defaults(struct hss_cfg *cfg, char *err, size_t errlen);

#endif
