/*
 * ctl_opts — ims-ctl's command-line options: one table saying which
 * command takes which option, values checked as they are read (hex
 * lengths, names, numbers), and the connection settings merged from
 * cfg/hss.cfg (read through the HSS's own configuration table), the
 * IMS_DB_* environment and the --db-* flags.
 */
#ifndef CTL_OPTS_H
#define CTL_OPTS_H

#include "ctl.h"

/* Command bits: which commands an option belongs to. */
#define C_ADD 0x001u
#define C_DELETE 0x002u
#define C_SET 0x004u
#define C_LIST 0x008u
#define C_SHOW 0x010u
#define C_ONLINE 0x020u
#define C_DEREG 0x040u
#define C_PUSH 0x080u
#define C_BULK_ADD 0x100u
#define C_BULK_DEL 0x200u
#define C_CALLS 0x400u
#define C_FLUSH 0x800u
#define C_STATS 0x1000u
#define C_ALL 0x1fffu

/* Global options from argv[*i] on, up to the first non-option (the
 * command); *i is left there.  Returns CTL_OK or CTL_USAGE. */
int ctl_opts_globals(struct ctl_args *a, int argc, char **argv, int *i);

/* The command's options and positional arguments from argv[from]. */
int ctl_opts_parse(struct ctl_args *a, unsigned mask, int argc, char **argv, int from);

/* Load the configuration and apply the environment and the flags into
 * a->conn.  Returns CTL_OK, or CTL_USAGE for a bad configuration file. */
int ctl_opts_finish(struct ctl_args *a);

#endif
