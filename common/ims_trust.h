/*
 * ims_trust — "came from a node of our core": trust by source address.
 *
 * A CSCF believes what another core node put in a request (P-Asserted-
 * Identity, a Route to sip:orig@ the S-CSCF, a terminating request for a
 * UE) only when the request comes from a trusted address: its own [sip]
 * listen address (the lab, and any deployment with every CSCF on one host)
 * and the addresses of the daemon's trusted_addresses key (the other
 * CSCFs' addresses when they run elsewhere).  UEs are never on the list.
 * A daemon listening on a wildcard address (0.0.0.0, ::) with an empty
 * list cannot tell and trusts every source (logged at start).
 *
 * Plain data; any thread may read it once initialised.
 */
#ifndef IMS_TRUST_H
#define IMS_TRUST_H

#include <stdbool.h>

#define IMS_TRUST_MAX 16

struct ims_trust {
	char addr[IMS_TRUST_MAX][64];
	int n;
	bool everyone; /* no way to tell (wildcard listen, empty list) */
};

/* listen: the daemon's own address; list: more addresses separated by
 * spaces or commas ("" / NULL: none).  Returns 0, or -1 when the list has
 * more than IMS_TRUST_MAX addresses or one is too long. */
int ims_trust_init(struct ims_trust *t, const char *listen, const char *list);

/* True when ip (as ims_sip_tx_source_ip() gives it) is trusted. */
bool ims_trust_has(const struct ims_trust *t, const char *ip);

#endif
