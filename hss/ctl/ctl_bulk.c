/* ctl_bulk — bulk-add and bulk-delete: PREFIX<N>@DOMAIN for N = start ..
 * start + count - 1, in one transaction (all or nothing). */
#include "ctl.h"
#include "ctl_db.h"
#include "ctl_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 2000u /* subscribers per batched round trip */
#define COUNT_MAX 10000000UL

struct range {
	const char *prefix;
	unsigned long start, count;
	int width;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* PREFIX and COUNT from the command line; the longest name must be valid. */
static int parse_range(const struct ctl_args *a, struct range *r)
{
	char *end, name[CTL_ID_MAX], err[512];

	r->prefix = a->pos[0];
	r->start = a->start;
	r->width = a->width;
	errno = 0;
	r->count = strtoul(a->pos[1], &end, 10);
	if (errno || !*a->pos[1] || *end || a->pos[1][0] == '-' || r->count == 0 ||
	    r->count > COUNT_MAX) {
		ctl_err(a, "COUNT must be a whole number from 1 to %lu, got '%s'", COUNT_MAX,
		        a->pos[1]);
		return CTL_USAGE;
	}
	snprintf(name, sizeof name, "%s%0*lu", r->prefix, r->width, r->start + r->count - 1);
	if (ctl_valid_name(name, err, sizeof err) < 0) {
		ctl_err(a, "PREFIX: %s", err);
		return CTL_USAGE;
	}
	return CTL_OK;
}

static void fill(const struct ctl_args *a, const struct range *r, unsigned long first, unsigned n,
                 struct ctl_new *subs, char (*sip)[CTL_ID_MAX + 4])
{
	char user[CTL_ID_MAX];

	/* Lengths were checked (name < 64, domain <= 180): nothing is cut. */
	for (unsigned i = 0; i < n; i++) {
		snprintf(user, sizeof user, "%s%0*lu", r->prefix, r->width, first + i);
		ctl_store_imsu_name(user, a->domain, subs[i].imsu, sizeof subs[i].imsu);
		snprintf(subs[i].impi, sizeof subs[i].impi, "%.63s@%.180s", user, a->domain);
		snprintf(sip[i], CTL_ID_MAX + 4, "sip:%s", subs[i].impi);
		subs[i].impus[0] = sip[i];
		subs[i].nimpus = 1;
	}
}

static int insert_all(const struct ctl_args *a, struct ctl_db *db, const struct range *r,
                      const struct ctl_cred *cr, struct ctl_ids *ids)
{
	struct ctl_new *subs = calloc(CHUNK, sizeof *subs);
	char(*sip)[CTL_ID_MAX + 4] = calloc(CHUNK, sizeof *sip);
	int rc = 0;

	if (!subs || !sip) {
		rc = -1;
		goto out;
	}
	for (unsigned long done = 0; done < r->count && rc == 0;) {
		unsigned n = r->count - done < CHUNK ? (unsigned)(r->count - done) : CHUNK;
		fill(a, r, r->start + done, n, subs, sip);
		rc = ctl_store_insert(db, cr, subs, n, ids);
		done += n;
	}
out:
	free(subs);
	free(sip);
	return rc;
}

int ctl_cmd_bulk_add(struct ctl_args *a)
{
	struct range r;
	struct ctl_cred cr;
	struct ctl_ids ids;
	struct ctl_db *db;
	double t0 = now();
	int rc;

	if ((rc = parse_range(a, &r)) != CTL_OK || (rc = ctl_store_cred(a, &cr)) != CTL_OK)
		return rc;
	if (!(db = ctl_db_connect(a)))
		return CTL_FAIL;
	rc = ctl_store_begin(db, a->profile ? a->profile : CTL_DEFAULT_PROFILE, a->domain, &cr,
	                     &ids);
	if (rc == 1) {
		ctl_err(a, "no service profile '%s' in the database",
		        a->profile ? a->profile : CTL_DEFAULT_PROFILE);
		rc = CTL_FAIL;
	} else if (rc < 0 || insert_all(a, db, &r, &cr, &ids) < 0 || ctl_db_commit(db) < 0) {
		if (ctl_db_errno(db) == 1062)
			ctl_err(a,
			        "an identity of %s%0*lu..%s%0*lu@%s already exists (%s); nothing "
			        "was added",
			        r.prefix, r.width, r.start, r.prefix, r.width,
			        r.start + r.count - 1, a->domain, ctl_db_error(db));
		else
			ctl_err(a, "%s; nothing was added", ctl_db_error(db));
		ctl_db_rollback(db);
		rc = CTL_FAIL;
	} else {
		printf(
		    "added %lu subscribers %s%0*lu..%s%0*lu@%s (%s, default scheme %s) in %.2f s\n",
		    r.count, r.prefix, r.width, r.start, r.prefix, r.width, r.start + r.count - 1,
		    a->domain, cr.schemes, ctl_scheme_short(cr.default_scheme), now() - t0);
	}
	ctl_db_close(db);
	return rc;
}

/* Put the range's private identities into the deletion table. */
static int collect(const struct ctl_args *a, struct ctl_db *db, const struct range *r)
{
	char(*names)[CTL_ID_MAX] = calloc(CHUNK, sizeof *names);
	const char **ptr = calloc(CHUNK, sizeof *ptr);
	int rc = 0;

	if (!names || !ptr) {
		rc = -1;
		goto out;
	}
	for (unsigned long done = 0; done < r->count && rc == 0;) {
		unsigned n = r->count - done < CHUNK ? (unsigned)(r->count - done) : CHUNK;
		for (unsigned i = 0; i < n; i++) {
			snprintf(names[i], CTL_ID_MAX, "%.63s%0*lu@%.180s", r->prefix, r->width,
			         r->start + done + i, a->domain);
			ptr[i] = names[i];
		}
		rc = ctl_store_delete_add(db, ptr, n);
		done += n;
	}
out:
	free(names);
	free(ptr);
	return rc;
}

int ctl_cmd_bulk_delete(struct ctl_args *a)
{
	struct range r;
	struct ctl_db *db;
	char err[512];
	uint64_t deleted = 0;
	double t0 = now();
	int rc;

	if ((rc = parse_range(a, &r)) != CTL_OK)
		return rc;
	if (!(db = ctl_db_connect(a)))
		return CTL_FAIL;
	if (ctl_db_lock(db) < 0 || ctl_store_delete_begin(db) < 0 || collect(a, db, &r) < 0)
		rc = -1;
	else
		rc = ctl_store_delete_run(db, a->force, &deleted, err, sizeof err);
	if (rc == 0 && ctl_db_commit(db) < 0)
		rc = -1;
	if (rc < 0) {
		rc = ctl_db_failed(a, db);
	} else if (rc == 2) {
		ctl_err(a, "%s; nothing was deleted (de-register first, or --force)", err);
		ctl_db_rollback(db);
		rc = CTL_FAIL;
	} else {
		printf("deleted %llu subscribers (%llu did not exist) in %.2f s\n",
		       (unsigned long long)deleted, (unsigned long long)(r.count - deleted),
		       now() - t0);
	}
	ctl_db_close(db);
	return rc;
}
