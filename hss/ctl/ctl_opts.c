/* ctl_opts — see ctl_opts.h. */
#include "ctl_opts.h"

#include "hss_cfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef IMS_CFG_DIR
#define IMS_CFG_DIR "/etc/ims"
#endif

enum opt_id {
	O_HELP,
	O_CONFIG,
	O_DB_HOST,
	O_DB_PORT,
	O_DB_USER,
	O_DB_PASSWORD,
	O_DB_NAME,
	O_SOCKET,
	O_DOMAIN,
	O_PASSWORD,
	O_AKA_K,
	O_AKA_K_ASCII,
	O_OP,
	O_OPC,
	O_AMF,
	O_SCHEME,
	O_PROFILE,
	O_SQN,
	O_TEL,
	O_IMPU,
	O_BARRED,
	O_BAR,
	O_UNBAR,
	O_ADD_IMPU,
	O_ADD_TEL,
	O_REMOVE_IMPU,
	O_FORCE,
	O_START,
	O_WIDTH,
	O_REASON,
	O_REASON_CODE,
	O_REGISTERED,
	O_LAST,
	O_SCSCF_DB,
};

struct opt {
	const char *name;
	enum opt_id id;
	bool arg;
	unsigned mask;
};

#define CRED (C_ADD | C_SET | C_BULK_ADD)
static const struct opt opts[] = {
    {"help", O_HELP, false, C_ALL},
    {"config", O_CONFIG, true, C_ALL},
    {"db-host", O_DB_HOST, true, C_ALL},
    {"db-port", O_DB_PORT, true, C_ALL},
    {"db-user", O_DB_USER, true, C_ALL},
    {"db-password", O_DB_PASSWORD, true, C_ALL},
    {"db-name", O_DB_NAME, true, C_ALL},
    {"socket", O_SOCKET, true, C_ALL},
    {"domain", O_DOMAIN, true, C_ALL},
    {"password", O_PASSWORD, true, CRED},
    {"aka-k", O_AKA_K, true, CRED},
    {"aka-k-ascii", O_AKA_K_ASCII, true, CRED},
    {"op", O_OP, true, CRED},
    {"opc", O_OPC, true, CRED},
    {"amf", O_AMF, true, CRED},
    {"scheme", O_SCHEME, true, CRED},
    {"profile", O_PROFILE, true, CRED},
    {"sqn", O_SQN, true, C_SET},
    {"tel", O_TEL, true, C_ADD},
    {"impu", O_IMPU, true, C_ADD},
    {"barred", O_BARRED, false, C_ADD | C_BULK_ADD},
    {"bar", O_BAR, true, C_SET},
    {"unbar", O_UNBAR, true, C_SET},
    {"add-impu", O_ADD_IMPU, true, C_SET},
    {"add-tel", O_ADD_TEL, true, C_SET},
    {"remove-impu", O_REMOVE_IMPU, true, C_SET},
    {"force", O_FORCE, false, C_DELETE | C_BULK_DEL},
    {"start", O_START, true, C_BULK_ADD | C_BULK_DEL},
    {"width", O_WIDTH, true, C_BULK_ADD | C_BULK_DEL},
    {"reason", O_REASON, true, C_DEREG},
    {"reason-code", O_REASON_CODE, true, C_DEREG},
    {"registered", O_REGISTERED, false, C_LIST},
    {"last", O_LAST, true, C_CALLS},
    {"scscf-db", O_SCSCF_DB, true, C_CALLS},
};
#undef CRED

/* Connection flags, applied over the configuration in ctl_opts_finish(). */
static struct {
	const char *config, *host, *user, *password, *name, *socket;
	int port;
} flags;

static const struct opt *find_opt(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0)
			return &opts[i];
	return NULL;
}

static int usage(struct ctl_args *a, const char *msg)
{
	ctl_err(a, "%s (imsctl %s%s--help)", msg, a->cmd ? a->cmd : "", a->cmd ? " " : "");
	return CTL_USAGE;
}

static int number(struct ctl_args *a, const char *opt, const char *v, long long lo, long long hi,
                  long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || !*v || *end || n < lo || n > hi) {
		ctl_err(a, "--%s needs a whole number from %lld to %lld, got '%s'", opt, lo, hi, v);
		return CTL_USAGE;
	}
	*out = n;
	return CTL_OK;
}

static int add_list(struct ctl_args *a, struct ctl_list *l, const char *opt, const char *v)
{
	char err[512];

	if (l->n >= CTL_LIST_MAX) {
		ctl_err(a, "--%s given more than %d times", opt, CTL_LIST_MAX);
		return CTL_USAGE;
	}
	if (strcmp(opt, "tel") == 0 || strcmp(opt, "add-tel") == 0) {
		if (ctl_valid_tel(v, l->v[l->n], CTL_ID_MAX, err, sizeof err) < 0)
			goto bad;
	} else {
		if (ctl_valid_impu(v, err, sizeof err) < 0)
			goto bad;
		snprintf(l->v[l->n], CTL_ID_MAX, "%s", v);
	}
	l->n++;
	return CTL_OK;
bad:
	ctl_err(a, "--%s: %s", opt, err);
	return CTL_USAGE;
}

static int reason_code(struct ctl_args *a, const char *v)
{
	static const char *const names[] = {"permanent_termination", "new_server_assigned",
	                                    "server_change", "remove_scscf"};
	long long n;

	for (int i = 0; i < 4; i++)
		if (strcasecmp(v, names[i]) == 0)
			return a->reason_code = i, CTL_OK;
	if (number(a, "reason-code", v, 0, 3, &n) != CTL_OK)
		return CTL_USAGE;
	a->reason_code = (int)n;
	return CTL_OK;
}

static int hex_opt(struct ctl_args *a, const char *opt, const char *v, size_t n, char *out)
{
	char err[256];

	if (ctl_valid_hex(opt, v, n, out, err, sizeof err) < 0) {
		ctl_err(a, "%s", err);
		return CTL_USAGE;
	}
	return CTL_OK;
}

/* Options that only set connection flags or global values. */
static int apply_global(struct ctl_args *a, enum opt_id id, const char *v)
{
	long long n;
	char err[256];

	switch (id) {
	case O_HELP:
		a->help = true;
		return CTL_OK;
	case O_CONFIG:
		flags.config = v;
		return CTL_OK;
	case O_DB_HOST:
		flags.host = v;
		return CTL_OK;
	case O_DB_USER:
		flags.user = v;
		return CTL_OK;
	case O_DB_PASSWORD:
		flags.password = v;
		return CTL_OK;
	case O_DB_NAME:
		flags.name = v;
		return CTL_OK;
	case O_SOCKET:
		flags.socket = v;
		return CTL_OK;
	case O_DB_PORT:
		if (number(a, "db-port", v, 1, 65535, &n) != CTL_OK)
			return CTL_USAGE;
		flags.port = (int)n;
		return CTL_OK;
	case O_DOMAIN:
		if (ctl_valid_domain(v, err, sizeof err) < 0) {
			ctl_err(a, "--domain: %s", err);
			return CTL_USAGE;
		}
		snprintf(a->domain, sizeof a->domain, "%s", v);
		return CTL_OK;
	default:
		return -1; /* not a global option */
	}
}

static int apply_cred(struct ctl_args *a, enum opt_id id, const char *v)
{
	char err[256];

	switch (id) {
	case O_PASSWORD:
		if (ctl_valid_password(v, err, sizeof err) < 0)
			return ctl_err(a, "--password: %s", err), CTL_USAGE;
		a->password = v;
		return CTL_OK;
	case O_AKA_K:
		return hex_opt(a, "--aka-k", v, 32, a->k);
	case O_AKA_K_ASCII:
		if (ctl_valid_ascii_key(v, a->k, err, sizeof err) < 0)
			return ctl_err(a, "%s", err), CTL_USAGE;
		return CTL_OK;
	case O_OP:
		return hex_opt(a, "--op", v, 32, a->op);
	case O_OPC:
		return hex_opt(a, "--opc", v, 32, a->opc);
	case O_AMF:
		return hex_opt(a, "--amf", v, 4, a->amf);
	case O_SCHEME:
		if (!(a->scheme = ctl_scheme_parse(v)))
			return ctl_err(a, "--scheme must be md5, aka or digest-md5, got '%s'", v),
			       CTL_USAGE;
		return CTL_OK;
	case O_PROFILE:
		if (!v[0] || strlen(v) >= CTL_ID_MAX)
			return ctl_err(a, "--profile needs a service profile name"), CTL_USAGE;
		a->profile = v;
		return CTL_OK;
	default:
		return -1;
	}
}

static int apply(struct ctl_args *a, const struct opt *o, const char *v)
{
	long long n;
	int rc;

	if ((rc = apply_global(a, o->id, v)) >= 0 || (rc = apply_cred(a, o->id, v)) >= 0)
		return rc;
	switch (o->id) {
	case O_SQN:
		if (number(a, "sqn", v, 0, 281474976710655LL, &n) != CTL_OK)
			return CTL_USAGE;
		a->sqn = n;
		return CTL_OK;
	case O_TEL:
	case O_IMPU:
	case O_ADD_IMPU:
	case O_ADD_TEL:
		return add_list(a, &a->impus, o->name, v);
	case O_BAR:
		return add_list(a, &a->bar, o->name, v);
	case O_UNBAR:
		return add_list(a, &a->unbar, o->name, v);
	case O_REMOVE_IMPU:
		return add_list(a, &a->remove, o->name, v);
	case O_BARRED:
		a->barred = true;
		return CTL_OK;
	case O_FORCE:
		a->force = true;
		return CTL_OK;
	case O_REGISTERED:
		a->registered_only = true;
		return CTL_OK;
	case O_START:
		if (number(a, "start", v, 0, 999999999999LL, &n) != CTL_OK)
			return CTL_USAGE;
		a->start = (unsigned long)n;
		return CTL_OK;
	case O_WIDTH:
		if (number(a, "width", v, 0, 12, &n) != CTL_OK)
			return CTL_USAGE;
		a->width = (int)n;
		return CTL_OK;
	case O_REASON:
		a->reason = v;
		return CTL_OK;
	case O_REASON_CODE:
		return reason_code(a, v);
	case O_LAST:
		if (number(a, "last", v, 1, 1000000, &n) != CTL_OK)
			return CTL_USAGE;
		a->last = (int)n;
		return CTL_OK;
	case O_SCSCF_DB:
		if (!*v || strlen(v) >= sizeof a->scscf_db)
			return ctl_err(a, "--scscf-db needs a database name"), CTL_USAGE;
		snprintf(a->scscf_db, sizeof a->scscf_db, "%s", v);
		return CTL_OK;
	default:
		return CTL_USAGE;
	}
}

/* Read the option at argv[*i] (and its value); *i moves past it. */
static int one_option(struct ctl_args *a, unsigned mask, int argc, char **argv, int *i)
{
	const char *s = argv[*i] + 2, *eq = strchr(s, '='), *v = NULL;
	const struct opt *o = find_opt(s, eq ? (size_t)(eq - s) : strlen(s));
	char msg[300];

	if (!o || !(o->mask & mask)) {
		snprintf(msg, sizeof msg, "%s option --%.*s",
		         o ? "this command takes no" : "unknown",
		         (int)(eq ? eq - s : (long)strlen(s)), s);
		return usage(a, msg);
	}
	if (o->arg) {
		if (eq)
			v = eq + 1;
		else if (*i + 1 < argc)
			v = argv[++*i];
		else {
			snprintf(msg, sizeof msg, "--%s needs a value", o->name);
			return usage(a, msg);
		}
	} else if (eq) {
		snprintf(msg, sizeof msg, "--%s takes no value", o->name);
		return usage(a, msg);
	}
	(*i)++;
	return apply(a, o, v);
}

static void init_args(struct ctl_args *a)
{
	if (a->domain[0])
		return;
	snprintf(a->domain, sizeof a->domain, "%s", CTL_DEFAULT_DOMAIN);
	a->sqn = -1;
	a->start = 1;
}

int ctl_opts_globals(struct ctl_args *a, int argc, char **argv, int *i)
{
	int rc;

	init_args(a);
	while (*i < argc && strncmp(argv[*i], "--", 2) == 0 && argv[*i][2]) {
		const char *s = argv[*i] + 2, *eq = strchr(s, '=');
		const struct opt *o = find_opt(s, eq ? (size_t)(eq - s) : strlen(s));
		if (o && o->mask != C_ALL) {
			ctl_err(a, "--%s belongs after the command (imsctl COMMAND --%s ...)",
			        o->name, o->name);
			return CTL_USAGE;
		}
		if ((rc = one_option(a, C_ALL, argc, argv, i)) != CTL_OK)
			return rc;
	}
	if (*i < argc && strcmp(argv[*i], "-h") == 0) {
		a->help = true;
		(*i)++;
	}
	return CTL_OK;
}

int ctl_opts_parse(struct ctl_args *a, unsigned mask, int argc, char **argv, int from)
{
	int i = from, rc;
	bool only_pos = false;

	init_args(a);
	while (i < argc) {
		const char *s = argv[i];
		if (!only_pos && strcmp(s, "--") == 0) {
			only_pos = true;
			i++;
		} else if (!only_pos && strcmp(s, "-h") == 0) {
			a->help = true;
			i++;
		} else if (!only_pos && s[0] == '-' && s[1] == '-') {
			if ((rc = one_option(a, mask, argc, argv, &i)) != CTL_OK)
				return rc;
		} else if (!only_pos && s[0] == '-' && s[1]) {
			return usage(a, "options are written --name (see --help)");
		} else {
			if (a->npos >= 3)
				return usage(a, "too many arguments");
			a->pos[a->npos++] = s;
			i++;
		}
	}
	return CTL_OK;
}

/* cfg/hss.cfg: --config, else $IMS_CFG/hss.cfg, else the tree's cfg/. */
static int load_config(struct ctl_args *a, struct hss_cfg *cfg)
{
	char path[PATH_MAX], err[512];
	const char *dir = getenv("IMS_CFG");

	if (flags.config)
		snprintf(path, sizeof path, "%s", flags.config);
	else
		snprintf(path, sizeof path, "%s/hss.cfg", dir && *dir ? dir : IMS_CFG_DIR);
	if (!flags.config && access(path, R_OK) != 0) {
		a->conn.config[0] = '\0';
		if (hss_cfg_defaults(cfg, err, sizeof err) == 0)
			return CTL_OK;
	} else if (hss_cfg_load(path, cfg, err, sizeof err) == 0) {
		snprintf(a->conn.config, sizeof a->conn.config, "%s", path);
		return CTL_OK;
	}
	ctl_err(a, "configuration: %s", err);
	return CTL_USAGE;
}

static void env_str(char *dst, size_t size, const char *var)
{
	const char *v = getenv(var);

	if (v && *v)
		snprintf(dst, size, "%s", v);
}

static void flag_str(char *dst, size_t size, const char *v)
{
	if (v)
		snprintf(dst, size, "%s", v);
}

int ctl_opts_finish(struct ctl_args *a)
{
	static struct hss_cfg cfg;
	struct ctl_conn *c = &a->conn;
	const char *port = getenv("IMS_DB_PORT");
	long long n;

	if (load_config(a, &cfg) != CTL_OK)
		return CTL_USAGE;
	snprintf(c->host, sizeof c->host, "%s", cfg.db_host);
	snprintf(c->user, sizeof c->user, "%s", cfg.db_user);
	snprintf(c->password, sizeof c->password, "%s", cfg.db_password);
	snprintf(c->name, sizeof c->name, "%s", cfg.db_name);
	snprintf(c->socket, sizeof c->socket, "%s", cfg.control_socket);
	c->port = cfg.db_port;
	c->connect_timeout = cfg.db_connect_timeout < 3 ? 3 : cfg.db_connect_timeout;
	env_str(c->host, sizeof c->host, "IMS_DB_HOST");
	env_str(c->user, sizeof c->user, "IMS_DB_USER");
	env_str(c->password, sizeof c->password, "IMS_DB_PASSWORD");
	env_str(c->name, sizeof c->name, "IMS_DB_NAME");
	env_str(c->socket, sizeof c->socket, "IMS_HSS_CTL");
	if (port && *port) {
		if (number(a, "db-port (IMS_DB_PORT)", port, 1, 65535, &n) != CTL_OK)
			return CTL_USAGE;
		c->port = (int)n;
	}
	flag_str(c->host, sizeof c->host, flags.host);
	flag_str(c->user, sizeof c->user, flags.user);
	flag_str(c->password, sizeof c->password, flags.password);
	flag_str(c->name, sizeof c->name, flags.name);
	flag_str(c->socket, sizeof c->socket, flags.socket);
	if (flags.port)
		c->port = flags.port;
	return CTL_OK;
}
