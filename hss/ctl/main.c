/* ims-ctl: parse the command line, find the database and the HSS's control
 * socket (cfg/hss.cfg, then IMS_DB_* variables, then --db-* flags), run one
 * command.  Exit 0 ok, 1 failure, 2 usage. */
#include "ctl.h"
#include "ctl_opts.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(struct ctl_args *a);
	unsigned mask;
	int min_pos, max_pos;
};

/* Commands that change subscriber data: the running HSS must not answer
 * from its cache what they changed (ctl_hss_changed). */
#define WRITES (C_ADD | C_DELETE | C_SET | C_BULK_ADD | C_BULK_DEL)

static const struct command commands[] = {
    {"add", ctl_cmd_add, C_ADD, 1, 1},
    {"delete", ctl_cmd_delete, C_DELETE, 1, 1},
    {"set", ctl_cmd_set, C_SET, 1, 1},
    {"list", ctl_cmd_list, C_LIST, 0, 1},
    {"show", ctl_cmd_show, C_SHOW, 1, 1},
    {"online", ctl_cmd_online, C_ONLINE, 0, 0},
    {"deregister", ctl_cmd_deregister, C_DEREG, 1, 1},
    {"push", ctl_cmd_push, C_PUSH, 1, 1},
    {"calls", ctl_cmd_calls, C_CALLS, 0, 0},
    {"bulk-add", ctl_cmd_bulk_add, C_BULK_ADD, 2, 2},
    {"bulk-delete", ctl_cmd_bulk_delete, C_BULK_DEL, 2, 2},
    {"flush", ctl_cmd_flush, C_FLUSH, 0, 0},
    {"stats", ctl_cmd_stats, C_STATS, 0, 0},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static struct ctl_args a;
	const struct command *c;
	int i = 1, rc;

	/* Global options may come before the command. */
	rc = ctl_opts_globals(&a, argc, argv, &i);
	if (rc != CTL_OK)
		return rc;
	if (i >= argc || strcmp(argv[i], "help") == 0) {
		const char *topic = i + 1 < argc ? argv[i + 1] : NULL;
		if (topic && !ctl_help_known(topic)) {
			fprintf(stderr, "imsctl: no command '%s'; imsctl --help lists them\n",
			        topic);
			return CTL_USAGE;
		}
		ctl_help(topic);
		return i >= argc && !a.help ? CTL_USAGE : CTL_OK;
	}
	c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "imsctl: no command '%s'; imsctl --help lists them\n", argv[i]);
		return CTL_USAGE;
	}
	a.cmd = c->name;
	rc = ctl_opts_parse(&a, c->mask, argc, argv, i + 1);
	if (rc != CTL_OK)
		return rc;
	if (a.help) {
		ctl_help(c->name);
		return CTL_OK;
	}
	if (a.npos < c->min_pos || a.npos > c->max_pos) {
		ctl_err(&a,
		        a.npos < c->min_pos ? "missing argument (imsctl %s --help)"
		                            : "too many arguments (imsctl %s --help)",
		        c->name);
		return CTL_USAGE;
	}
	rc = ctl_opts_finish(&a);
	if (rc != CTL_OK)
		return rc;
	rc = c->fn(&a);
	if (c->mask & WRITES) /* even after a failure: a batch may have committed */
		ctl_hss_changed(&a);
	return rc;
}
