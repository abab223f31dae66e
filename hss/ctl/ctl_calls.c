/* ctl_calls — imsctl calls: the S-CSCF's call log (ims_scscf.calls,
 * written by scscf/scscf_calllog.c), newest first.  A call's state reads
 * from the columns: ringing (no answer, no end), active (answered, no end),
 * ended by BYE (answered, an end), failed (an end and a status >= 300), lost
 * (ENDED says "lost": the S-CSCF stopped following the call without seeing
 * its end, so there is no end time to show; sql/ims_scscf/003_*.sql).  No
 * column is added: tests and tools parse the seven fields. */
#include "ctl.h"
#include "ctl_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLS_DEFAULT 20

static int call_row(void *ctx, int ncols, char **c)
{
	(void)ctx;
	if (ncols < 8)
		return -1;
	/* a lost call's ended_at is when the S-CSCF gave up, not its end */
	const char *ended = c[7] && strcmp(c[7], "lost") == 0 ? "lost" : c[2] ? c[2] : "-";
	printf("%-23s %-23s %-23s %-6s %-26s %-26s %s\n", c[0] ? c[0] : "-", c[1] ? c[1] : "-",
	       ended, c[3] ? c[3] : "-", c[4] ? c[4] : "-", c[5] ? c[5] : "-", c[6] ? c[6] : "-");
	return 0;
}

int ctl_cmd_calls(struct ctl_args *a)
{
	static const char q[] =
	    "SELECT started_at, answered_at, ended_at, status, caller, callee, call_id, end_reason "
	    "FROM calls ORDER BY id DESC LIMIT ?";
	struct ctl_args sa = *a;
	const char *env = getenv("IMS_SCSCF_DB");
	uint64_t n = 0;

	snprintf(sa.conn.name, sizeof sa.conn.name, "%s",
	         a->scscf_db[0] ? a->scscf_db
	         : env && *env  ? env
	                        : "ims_scscf");
	struct ctl_db *db = ctl_db_connect(&sa);
	if (!db)
		return CTL_FAIL;
	struct ctl_db_param p[] = {CTL_U(a->last > 0 ? a->last : CALLS_DEFAULT)};
	printf("%-23s %-23s %-23s %-6s %-26s %-26s %s\n", "STARTED", "ANSWERED", "ENDED", "STATUS",
	       "CALLER", "CALLEE", "CALL-ID");
	int rc = ctl_db_exec(db, q, p, 1, call_row, NULL, &n);
	if (rc < 0)
		rc = ctl_db_failed(&sa, db);
	else
		printf("(%llu call%s)\n", (unsigned long long)n, n == 1 ? "" : "s");
	ctl_db_close(db);
	return rc;
}
