/* ctl_sub — add, delete: one subscriber at a time. */
#include "ctl.h"
#include "ctl_db.h"
#include "ctl_store.h"

#include <stdio.h>
#include <string.h>

/* Is identity taken already?  0 free, 1 taken (printed), -1 error. */
static int taken(const struct ctl_args *a, struct ctl_db *db, const char *sql, const char *id,
                 const char *what)
{
	struct ctl_db_param p[] = {CTL_S(id)};
	uint64_t n = 0;

	if (ctl_db_exec(db, sql, p, 1, NULL, NULL, &n) < 0)
		return -1;
	if (n > 0)
		ctl_err(a, "%s %s already exists", what, id);
	return n > 0;
}

/* The new subscriber of the command line: NAME@DOMAIN with its sip: URI
 * first, then --impu/--tel.  Returns CTL_OK or CTL_USAGE. */
static int build_new(struct ctl_args *a, struct ctl_new *s, char *sip, size_t siplen)
{
	char err[512], user[CTL_ID_MAX];

	memset(s, 0, sizeof *s);
	if (ctl_impi_of(a, a->pos[0], s->impi, sizeof s->impi, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	snprintf(user, sizeof user, "%.*s", (int)strcspn(s->impi, "@"), s->impi);
	ctl_store_imsu_name(user, strchr(s->impi, '@') + 1, s->imsu, sizeof s->imsu);
	snprintf(sip, siplen, "sip:%s", s->impi);
	s->impus[s->nimpus++] = sip;
	for (int i = 0; i < a->impus.n; i++) {
		for (int j = 0; j < s->nimpus; j++)
			if (strcmp(s->impus[j], a->impus.v[i]) == 0) {
				ctl_err(a, "%s is given twice", a->impus.v[i]);
				return CTL_USAGE;
			}
		s->impus[s->nimpus++] = a->impus.v[i];
	}
	return CTL_OK;
}

static int check_free(const struct ctl_args *a, struct ctl_db *db, const struct ctl_new *s)
{
	static const char q_impi[] = "SELECT 1 FROM impi WHERE identity = ?";
	static const char q_impu[] = "SELECT 1 FROM impu WHERE identity = ?";
	static const char q_imsu[] = "SELECT 1 FROM imsu WHERE name = ?";
	int rc = taken(a, db, q_impi, s->impi, "subscriber");

	for (int i = 0; rc == 0 && i < s->nimpus; i++)
		rc = taken(a, db, q_impu, s->impus[i], "public identity");
	if (rc == 0)
		rc = taken(a, db, q_imsu, s->imsu, "subscription");
	return rc;
}

static void print_added(const struct ctl_new *s, const struct ctl_cred *cr)
{
	printf("added %s (%s, default scheme %s):", s->impi, cr->schemes,
	       ctl_scheme_short(cr->default_scheme));
	for (int i = 0; i < s->nimpus; i++)
		printf(" %s", s->impus[i]);
	printf("%s\n", cr->barred ? " (barred)" : "");
}

int ctl_cmd_add(struct ctl_args *a)
{
	struct ctl_new s;
	struct ctl_cred cr;
	struct ctl_ids ids;
	struct ctl_db *db;
	char sip[CTL_ID_MAX + 4];
	int rc;

	if ((rc = build_new(a, &s, sip, sizeof sip)) != CTL_OK ||
	    (rc = ctl_store_cred(a, &cr)) != CTL_OK)
		return rc;
	if (!(db = ctl_db_connect(a)))
		return CTL_FAIL;
	rc = ctl_store_begin(db, a->profile ? a->profile : CTL_DEFAULT_PROFILE, a->domain, &cr,
	                     &ids);
	if (rc == 1) {
		ctl_err(a, "no service profile '%s' in the database",
		        a->profile ? a->profile : CTL_DEFAULT_PROFILE);
		rc = CTL_FAIL;
		goto out;
	}
	if (rc == 0)
		rc = check_free(a, db, &s);
	if (rc == 1) {
		ctl_db_rollback(db);
		rc = CTL_FAIL;
		goto out;
	}
	if (rc < 0 || ctl_store_insert(db, &cr, &s, 1, &ids) < 0 || ctl_db_commit(db) < 0) {
		rc = ctl_db_failed(a, db);
		goto out;
	}
	print_added(&s, &cr);
	rc = CTL_OK;
out:
	ctl_db_close(db);
	return rc;
}

int ctl_cmd_delete(struct ctl_args *a)
{
	char impi[CTL_ID_MAX], err[512];
	struct ctl_db *db;
	int rc;

	if (ctl_impi_of(a, a->pos[0], impi, sizeof impi, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	if (!(db = ctl_db_connect(a)))
		return CTL_FAIL;
	rc = ctl_db_lock(db) < 0 ? -1 : ctl_store_delete(db, impi, a->force, err, sizeof err);
	if (rc < 0 || (rc == 0 && ctl_db_commit(db) < 0)) {
		rc = ctl_db_failed(a, db);
	} else if (rc == 1) {
		ctl_err(a, "no subscriber %s", impi);
		rc = CTL_FAIL;
	} else if (rc == 2) {
		ctl_err(a, "%s; de-register first (imsctl deregister %s) or use --force", err,
		        a->pos[0]);
		rc = CTL_FAIL;
	} else {
		printf("deleted %s\n", impi);
	}
	ctl_db_close(db);
	return rc;
}
