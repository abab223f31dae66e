/*
 * ctl_store — writing subscribers: the credentials a command's options
 * describe, inserting many subscribers with batched prepared statements
 * (add is a batch of one, bulk-add batches of thousands) and deleting one.
 * The caller owns the transaction (ctl_db_commit / ctl_db_rollback).
 */
#ifndef CTL_STORE_H
#define CTL_STORE_H

#include "ctl.h"
#include "ctl_db.h"

/* What every subscriber of one add/bulk-add gets. */
struct ctl_cred {
	const char *password;       /* NULL: none (AKA only) */
	const char *k, *op, *opc;   /* hex or NULL */
	const char *amf;            /* hex */
	char schemes[64];           /* the auth_schemes SET value */
	const char *default_scheme; /* CTL_SCHEME_* */
	bool barred;
	uint64_t profile_id;
};

/* One new subscriber. */
struct ctl_new {
	char imsu[CTL_ID_MAX];
	char impi[CTL_ID_MAX];
	const char *impus[CTL_LIST_MAX + 1];
	int nimpus;
};

/* The next free ids, taken under the imsctl lock. */
struct ctl_ids {
	uint64_t imsu, impi, impu, set;
	uint64_t vn; /* the visited network named like the domain, 0: none */
};

/* The auth_schemes value and the default scheme for what a subscriber
 * has; want (may be NULL) is the requested default.  Returns 0, or -1 with
 * err set when want needs what is missing. */
int ctl_store_schemes(bool has_password, bool has_k, const char *want, char *schemes, size_t size,
                      const char **def, char *err, size_t len);

/* Credentials from the options of add/bulk-add.  Returns CTL_OK or
 * CTL_USAGE (message printed). */
int ctl_store_cred(const struct ctl_args *a, struct ctl_cred *cr);

/* The subscription name of NAME in domain: NAME in the default domain (as
 * the seed names alice...), NAME@DOMAIN elsewhere. */
void ctl_store_imsu_name(const char *user, const char *domain, char *out, size_t len);

/* Lock, find the service profile and the next ids.  Returns 0, or -1
 * (database; ctl_db_error) or 1 (no such profile). */
int ctl_store_begin(struct ctl_db *db, const char *profile, const char *domain, struct ctl_cred *cr,
                    struct ctl_ids *ids);

/* Insert n subscribers in one round trip per table; ids advance. */
int ctl_store_insert(struct ctl_db *db, const struct ctl_cred *cr, const struct ctl_new *subs,
                     unsigned n, struct ctl_ids *ids);

/* Delete the subscriber of private identity impi: its public identities
 * (those no other private identity shares), the private identity, and the
 * subscription when nothing else is left in it.  A registered subscriber
 * is refused unless force.  Returns 0, 1 (no such private identity), 2
 * (registered; err names the S-CSCF) or -1. */
int ctl_store_delete(struct ctl_db *db, const char *impi, bool force, char *err, size_t len);

/* The same for many: begin, add the private identities (any number of
 * calls; unknown ones are ignored), run.  deleted gets how many existed.
 * Returns 0, 2 (one is registered and not force) or -1. */
int ctl_store_delete_begin(struct ctl_db *db);
int ctl_store_delete_add(struct ctl_db *db, const char *const *impis, unsigned n);
int ctl_store_delete_run(struct ctl_db *db, bool force, uint64_t *deleted, char *err, size_t len);

#endif
