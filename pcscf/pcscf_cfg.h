/* pcscf_cfg — the P-CSCF's configuration (cfg/pcscf.cfg). */
#ifndef PCSCF_CFG_H
#define PCSCF_CFG_H

#include <stddef.h>

#include "ims_sip.h"

struct pcscf_cfg {
	int log_level;
	struct ims_sip_cfg sip;
	char visited_network[128]; /* P-Visited-Network-ID value */
	char icscf_uri[256];       /* "" = find the I-CSCF by DNS (RFC 3263) */
	int max_registrations;     /* size of the registration table */
	int rate_limit;            /* new requests/s per source IP, 0 = off */
	char rate_limit_exempt[512]; /* addresses never limited (the core) */
	char trusted_addresses[1024]; /* the core beyond [sip] listen (ims_trust.h) */
	char state_file[512];      /* registrations across restarts (pcscf_store.h);
				    * "" = in memory only; resolved */
	char path[512];            /* the configuration file itself (not a key) */
};

/* Load defaults, then path (NULL: defaults only).  0 or -1 with err set. */
int pcscf_cfg_load(struct pcscf_cfg *cfg, const char *path, char *err, size_t errlen);

#endif
