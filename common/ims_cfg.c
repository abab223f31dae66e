/* ims_cfg — see ims_cfg.h. */
#include "ims_cfg.h"

#include "ims_log.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct load_ctx {
	const struct ims_cfg_key *keys;
	void *cfg;
	char reason[256]; /* first error, without location */
	bool failed;
	int fail_line; /* line of that error */
	/* The input, read line by line by reader() so that on_entry knows the
	 * line it is called for (libinih does not tell its handler). */
	FILE *file;
	const char *text;
	int line;
};

/* libinih's reader: one line per call, so libinih's line numbers and ours
 * agree.  A line longer than libinih's buffer (num) is an error of that
 * line; libinih itself would cut the value and read the rest as a new line. */
static char *reader(char *buf, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	int n = 0, c;

	if (ctx->failed)
		return NULL;
	for (;;) {
		if (ctx->file)
			c = getc(ctx->file);
		else
			c = *ctx->text ? (unsigned char)*ctx->text++ : EOF;
		if (c == EOF)
			break;
		if (n < num - 1)
			buf[n] = (char)c;
		n++;
		if (c == '\n')
			break;
	}
	if (n == 0)
		return NULL;
	ctx->line++;
	if (n > num - 1) {
		snprintf(ctx->reason, sizeof ctx->reason, "line longer than %d characters", num - 2);
		ctx->failed = true;
		ctx->fail_line = ctx->line;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

/* Expand ${NAME} and ${NAME:-default} from the environment into out.
 * Returns 0, or -1 with reason set (unterminated, too long). */
static int expand_env(const char *value, char *out, size_t outlen, char *reason, size_t rlen)
{
	size_t used = 0;
	for (const char *p = value; *p;) {
		const char *piece = p;
		size_t n = 1;
		char def[256], name[128];
		if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p, '}');
			if (!end) {
				snprintf(reason, rlen, "'${' without '}'");
				return -1;
			}
			const char *colon = strstr(p, ":-");
			size_t nlen = (colon && colon < end ? colon : end) - (p + 2);
			if (nlen == 0 || nlen >= sizeof name) {
				snprintf(reason, rlen, "bad variable name in '%s'", value);
				return -1;
			}
			memcpy(name, p + 2, nlen);
			name[nlen] = '\0';
			def[0] = '\0';
			if (colon && colon < end)
				snprintf(def, sizeof def, "%.*s", (int)(end - colon - 2), colon + 2);
			const char *env = getenv(name);
			piece = env && *env ? env : def;
			n = strlen(piece);
			p = end + 1;
		} else {
			p++;
		}
		if (used + n >= outlen) {
			snprintf(reason, rlen, "value longer than %zu characters", outlen - 1);
			return -1;
		}
		memcpy(out + used, piece, n);
		used += n;
	}
	out[used] = '\0';
	return 0;
}

/* Store value into the field of key; on failure write the reason. */
static int store(const struct ims_cfg_key *k, void *cfg, const char *value, char *reason,
		 size_t rlen)
{
	char *field = (char *)cfg + k->offset;

	switch (k->type) {
	case IMS_CFG_STR:
		return expand_env(value, field, k->size, reason, rlen);
	case IMS_CFG_INT: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0' || v < k->min || v > k->max) {
			snprintf(reason, rlen, "'%s' is not a whole number from %d to %d", value,
				 k->min, k->max);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	case IMS_CFG_BOOL: {
		bool b;
		if (parse_bool(value, &b) < 0) {
			snprintf(reason, rlen, "'%s' is not yes or no", value);
			return -1;
		}
		*(bool *)field = b;
		return 0;
	}
	case IMS_CFG_LOGLEVEL: {
		int level = ims_log_level_parse(value);
		if (level < 0) {
			snprintf(reason, rlen, "'%s' is not one of error, warn, info, debug", value);
			return -1;
		}
		*(int *)field = level;
		return 0;
	}
	}
	snprintf(reason, rlen, "unknown key type");
	return -1;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	char reason[200];

	if (ctx->failed)
		return 1; /* keep only the first error; its line is what ini_parse returns */
	for (const struct ims_cfg_key *k = ctx->keys; k->name; k++) {
		if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
			continue;
		if (store(k, ctx->cfg, value, reason, sizeof reason) == 0)
			return 1;
		snprintf(ctx->reason, sizeof ctx->reason, "[%s] %s: %s", section, name, reason);
		ctx->failed = true;
		ctx->fail_line = ctx->line;
		return 0;
	}
	snprintf(ctx->reason, sizeof ctx->reason, "[%s] %s: unknown key", section, name);
	ctx->failed = true;
	ctx->fail_line = ctx->line;
	return 0;
}

int ims_cfg_defaults(const struct ims_cfg_key *keys, void *cfg, char *err, size_t errlen)
{
	char reason[200];
	for (const struct ims_cfg_key *k = keys; k->name; k++) {
		if (store(k, cfg, k->def ? k->def : "", reason, sizeof reason) < 0) {
			snprintf(err, errlen, "default of [%s] %s: %s", k->section, k->name, reason);
			return -1;
		}
	}
	return 0;
}

static int finish(int rc, const char *name, struct load_ctx *ctx, char *err, size_t errlen)
{
	if (rc == 0 && !ctx->failed)
		return 0;
	if (rc == -1)
		snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
	else if (rc == -2)
		snprintf(err, errlen, "%s: out of memory", name);
	else if (ctx->failed && (rc <= 0 || rc >= ctx->fail_line))
		snprintf(err, errlen, "%s:%d: %s", name, ctx->fail_line, ctx->reason);
	else /* libinih's own error came first */
		snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)",
			 name, rc);
	return -1;
}

int ims_cfg_load(const char *path, const struct ims_cfg_key *keys, void *cfg, char *err,
		 size_t errlen)
{
	struct load_ctx ctx = {.keys = keys, .cfg = cfg};
	ctx.file = fopen(path, "r");
	if (!ctx.file)
		return finish(-1, path, &ctx, err, errlen);
	int rc = ini_parse_stream(reader, &ctx, on_entry, &ctx);
	fclose(ctx.file);
	return finish(rc, path, &ctx, err, errlen);
}

int ims_cfg_load_string(const char *text, const char *name, const struct ims_cfg_key *keys,
			void *cfg, char *err, size_t errlen)
{
	struct load_ctx ctx = {.keys = keys, .cfg = cfg, .text = text ? text : ""};
	return finish(ini_parse_stream(reader, &ctx, on_entry, &ctx), name, &ctx, err, errlen);
}

int ims_cfg_path(const char *cfg_path, const char *value, char *out, size_t outlen)
{
	int n;
	const char *slash = cfg_path ? strrchr(cfg_path, '/') : NULL;

	if (value[0] == '/' || !cfg_path)
		n = snprintf(out, outlen, "%s", value);
	else if (!slash)
		n = snprintf(out, outlen, "%s", value);
	else
		n = snprintf(out, outlen, "%.*s/%s", (int)(slash - cfg_path), cfg_path, value);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int ims_path_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (!slash)
		n = snprintf(dir, len, ".");
	else if (slash == path)
		n = snprintf(dir, len, "/");
	else
		n = snprintf(dir, len, "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			dir[0] = '\0';
		return -1;
	}
	return 0;
}
