/*
 * scscf_cfg — the S-CSCF's configuration (cfg/scscf.cfg): a const struct
 * filled once at start from the ims_cfg table in scscf_cfg.c.  Every key
 * has its lab default (IMS-FACTS.md); relative paths are resolved against
 * the folder of the configuration file.
 */
#ifndef SCSCF_CFG_H
#define SCSCF_CFG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "ims_sip.h"

struct scscf_cfg {
	/* [core] */
	int log_level;

	/* [scscf] */
	char server_name[256];   /* Server-Name in MAR/SAR, sip:scscf.open-ims.test:6060 */
	char realm[128];         /* Digest realm of the challenges */
	char service_route[256]; /* Service-Route of the 200 to REGISTER */
	char icscf_uri[256];     /* next hop of originating requests to home targets ("" = DNS) */
	char trusted_addresses[1024]; /* core nodes besides [sip] listen (common/ims_trust.h) */
	int as_timeout_ms; /* an AS silent this long gets its default handling (0: off) */
	int calllog_days;  /* calls older than this leave the call log (0: kept for ever) */

	/* [sip] */
	struct ims_sip_cfg sip;

	/* [registrar] (seconds) */
	int default_expires;
	int min_expires;
	int max_expires;
	int max_contacts; /* per registered identity */

	/* [auth] */
	int nonce_lifetime;   /* s: a challenge (and its vector) expires after */
	bool send_ck_ik;      /* AKA: ck="" ik="" in the 401 for the P-CSCF */
	bool aka_no_zero_res; /* AKA: another vector when XRES holds 0x00 (SIPp) */
	int max_nonces;       /* pending challenges kept at most */

	/* [diameter] */
	char diameter_config[PATH_MAX]; /* freeDiameter file; resolved to absolute */
	char hss_realm[128];            /* Destination-Realm of MAR/SAR */
	char hss_host[128];             /* Destination-Host ("" = route by realm) */
	int timeout_ms;                 /* MAR/SAR answer timeout */

	/* [db] */
	bool db_enabled;
	char db_host[256];
	int db_port;
	char db_user[128];
	char db_password[128];
	char db_name[128];
	int db_connect_timeout; /* s */
	int db_queue_max;       /* pending writes kept while the database is down */

	char path[PATH_MAX]; /* the file loaded (ims_sip resolves [sip] paths against it) */
	char dir[PATH_MAX];  /* its folder; relative paths resolve here */
};

/* Load path over the defaults.  Returns 0, or -1 with err set. */
int scscf_cfg_load(const char *path, struct scscf_cfg *cfg, char *err, size_t errlen);

/* Defaults only (tests); relative paths resolve against IMS_CFG_DIR. */
int scscf_cfg_defaults(struct scscf_cfg *cfg, char *err, size_t errlen);

#endif
