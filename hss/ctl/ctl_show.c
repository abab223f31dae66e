/* ctl_show — list, show, online: read-only views of the HSS database. */
#include "ctl.h"
#include "ctl_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* --- list ----------------------------------------------------------- */

static int list_row(void *ctx, int ncols, char **cols)
{
	printf("%-32s %-10s %-11s %s\n", cols[0], ctl_scheme_short(cols[1]),
	       cols[3] && strcmp(cols[3], "1") == 0 ? "registered" : "-", or_dash(cols[2]));
	return 0;
}

int ctl_cmd_list(struct ctl_args *a)
{
	static const char q[] =
	    "SELECT i.identity, i.default_auth_scheme, "
	    "GROUP_CONCAT(u.identity ORDER BY u.id SEPARATOR ','), "
	    "COALESCE(MAX(u.reg_state = 'registered'), 0) "
	    "FROM impi i LEFT JOIN impi_impu ii ON ii.impi_id = i.id "
	    "LEFT JOIN impu u ON u.id = ii.impu_id "
	    "WHERE i.identity LIKE CONCAT('%', ?, '%') GROUP BY i.id "
	    "HAVING ? = 0 OR MAX(u.reg_state = 'registered') = 1 ORDER BY i.identity";
	struct ctl_db_param p[] = {CTL_S(a->npos ? a->pos[0] : ""), CTL_U(a->registered_only)};
	struct ctl_db *db = ctl_db_connect(a);
	uint64_t n = 0;
	int rc;

	if (!db)
		return CTL_FAIL;
	printf("%-32s %-10s %-11s %s\n", "PRIVATE IDENTITY", "SCHEME", "STATE",
	       "PUBLIC IDENTITIES");
	rc = ctl_db_exec(db, q, p, 2, list_row, NULL, &n);
	if (rc < 0)
		rc = ctl_db_failed(a, db);
	else
		printf("(%llu subscriber%s)\n", (unsigned long long)n, n == 1 ? "" : "s");
	ctl_db_close(db);
	return rc < 0 ? CTL_FAIL : rc;
}

/* --- show ----------------------------------------------------------- */

static int impi_row(void *ctx, int ncols, char **c)
{
	int *found = ctx;

	*found = 1;
	printf("subscription       %s (id %s)\n", c[0], c[1]);
	printf("private identity   %s\n", c[2]);
	printf("schemes allowed    %s\n", or_dash(c[3]));
	printf("default scheme     %s (%s)\n", ctl_scheme_short(c[4]), or_dash(c[4]));
	printf("password           %s\n", or_dash(c[5]));
	if (c[6])
		printf("ha1                %s\n", c[6]);
	printf("aka k              %s\n", or_dash(c[7]));
	printf("aka op             %s\n", or_dash(c[8]));
	printf("aka opc            %s\n", or_dash(c[9]));
	printf("aka amf            %s\n", or_dash(c[10]));
	printf("aka sqn            %s\n", or_dash(c[11]));
	printf("public identities:\n");
	return 0;
}

static int impu_row(void *ctx, int ncols, char **c)
{
	printf("  %-34s set %-6s profile %-10s %-7s %s%s%s\n", c[0], c[1], c[2],
	       strcmp(c[3], "0") ? "barred" : "", c[4], c[5] ? " at " : "", c[5] ? c[5] : "");
	return 0;
}

struct outbuf {
	char *out;
	size_t len;
};

static int copy_row(void *ctx, int n, char **cols)
{
	struct outbuf *r = ctx;

	snprintf(r->out, r->len, "%s", cols[0]);
	return 1;
}

/* NAME, NAME@DOMAIN or a public identity -> the private identity. */
static int resolve(struct ctl_args *a, struct ctl_db *db, char *impi, size_t len)
{
	static const char q[] = "SELECT i.identity FROM impi i JOIN impi_impu ii ON ii.impi_id = "
	                        "i.id JOIN impu u ON u.id = ii.impu_id WHERE u.identity = ? "
	                        "ORDER BY i.id LIMIT 1";
	struct ctl_db_param p[] = {CTL_S(a->pos[0])};
	char err[512];

	if (!strchr(a->pos[0], ':')) {
		if (ctl_impi_of(a, a->pos[0], impi, len, err, sizeof err) == 0)
			return CTL_OK;
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	if (ctl_valid_impu(a->pos[0], err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	struct outbuf r = {impi, len};

	impi[0] = '\0';
	if (ctl_db_exec(db, q, p, 1, copy_row, &r, NULL) < 0)
		return -1;
	if (!impi[0]) {
		ctl_err(a, "no public identity %s", a->pos[0]);
		return CTL_FAIL;
	}
	return CTL_OK;
}

int ctl_cmd_show(struct ctl_args *a)
{
	static const char q_impi[] =
	    "SELECT m.name, m.id, i.identity, i.auth_schemes, i.default_auth_scheme, i.password, "
	    "i.ha1, i.k, i.op, i.opc, i.amf, i.sqn FROM impi i JOIN imsu m ON m.id = i.imsu_id "
	    "WHERE i.identity = ?";
	static const char q_impu[] =
	    "SELECT u.identity, u.implicit_set, sp.name, u.barring, u.reg_state, u.scscf_name "
	    "FROM impu u JOIN impi_impu ii ON ii.impu_id = u.id JOIN impi i ON i.id = ii.impi_id "
	    "JOIN service_profile sp ON sp.id = u.service_profile_id WHERE i.identity = ? "
	    "ORDER BY u.id";
	char impi[CTL_ID_MAX];
	struct ctl_db *db = ctl_db_connect(a);
	int found = 0, rc;

	if (!db)
		return CTL_FAIL;
	rc = resolve(a, db, impi, sizeof impi);
	if (rc == CTL_OK) {
		struct ctl_db_param p[] = {CTL_S(impi)};
		if (ctl_db_exec(db, q_impi, p, 1, impi_row, &found, NULL) < 0 ||
		    (found && ctl_db_exec(db, q_impu, p, 1, impu_row, NULL, NULL) < 0))
			rc = -1;
		else if (!found) {
			ctl_err(a, "no subscriber %s", impi);
			rc = CTL_FAIL;
		}
	}
	if (rc < 0)
		rc = ctl_db_failed(a, db);
	ctl_db_close(db);
	return rc;
}

/* --- online --------------------------------------------------------- */

static int online_row(void *ctx, int ncols, char **c)
{
	printf("%-34s %-28s %-12s %-30s %s\n", c[0], or_dash(c[1]), c[2], or_dash(c[3]),
	       or_dash(c[4]));
	return 0;
}

int ctl_cmd_online(struct ctl_args *a)
{
	static const char q[] =
	    "SELECT u.identity, i.identity, u.reg_state, u.scscf_name, u.updated_at "
	    "FROM impu u LEFT JOIN impi_impu ii ON ii.impu_id = u.id "
	    "LEFT JOIN impi i ON i.id = ii.impi_id WHERE u.reg_state <> 'not_registered' "
	    "ORDER BY u.scscf_name, u.implicit_set, u.id";
	struct ctl_db *db = ctl_db_connect(a);
	uint64_t n = 0;
	int rc;

	if (!db)
		return CTL_FAIL;
	printf("%-34s %-28s %-12s %-30s %s\n", "PUBLIC IDENTITY", "PRIVATE IDENTITY", "STATE",
	       "S-CSCF", "SINCE");
	rc = ctl_db_exec(db, q, NULL, 0, online_row, NULL, &n);
	if (rc < 0)
		rc = ctl_db_failed(a, db);
	else
		printf("(%llu public identit%s registered or unregistered-with-services)\n",
		       (unsigned long long)n, n == 1 ? "y" : "ies");
	ctl_db_close(db);
	return rc;
}
