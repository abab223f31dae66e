/* icscf_cfg — the I-CSCF's configuration (cfg/icscf.cfg). */
#ifndef ICSCF_CFG_H
#define ICSCF_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "ims_sip.h"

#define ICSCF_MAX_SCSCF 8

struct icscf_cfg {
	int log_level;
	struct ims_sip_cfg sip;
	char diameter_conf[256]; /* freeDiameter node file, relative to cfg dir */
	char hss_realm[128];     /* Destination-Realm of UAR/LIR */
	int cx_timeout_ms;       /* a Cx request gets no longer than this */
	/* S-CSCFs to choose from when the HSS returns capabilities:
	 * "URI [mandatory-caps] [optional-caps]" entries separated by ';',
	 * caps as comma lists of numbers. */
	char scscf_list[1024];
	char trusted_addresses[1024]; /* the core beyond [sip] listen (ims_trust.h) */
	char path[512]; /* the configuration file itself (not a key) */
};

struct icscf_scscf {
	char uri[128];
	unsigned mandatory[16], optional[16];
	int n_mandatory, n_optional;
};

/* Load defaults, then path (NULL: defaults only).  0 or -1 with err set. */
int icscf_cfg_load(struct icscf_cfg *cfg, const char *path, char *err, size_t errlen);

/* Parse cfg->scscf_list into out[]; returns the count or -1 with err set. */
int icscf_cfg_scscfs(const struct icscf_cfg *cfg, struct icscf_scscf *out, int max, char *err,
		     size_t errlen);

#endif
