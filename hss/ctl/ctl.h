/*
 * ims-ctl — the operator's provisioning tool for the HSS database
 * (scripts/imsctl runs it; docs/provisioning.md is its manual).
 *
 * main.c parses the command line into a struct ctl_args and calls one
 * ctl_cmd_*() function.  Every database access goes through ctl_db.h
 * (prepared statements only); every value from the command line is first
 * checked by ctl_valid.c.  Commands return CTL_OK, CTL_FAIL or CTL_USAGE,
 * which are the process's exit codes.
 */
#ifndef CTL_H
#define CTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_OK 0
#define CTL_FAIL 1
#define CTL_USAGE 2

#define CTL_ID_MAX 256  /* identities: 255 characters + NUL (the schema's VARCHAR) */
#define CTL_NAME_MAX 64 /* user part of a new private identity */
#define CTL_LIST_MAX 16 /* repeatable options (--impu, --bar ...) */
#define CTL_DEFAULT_DOMAIN "open-ims.test"
#define CTL_DEFAULT_PROFILE "default"
/* A new AKA subscriber gets the lab's operator values (IMS-FACTS.md) unless
 * --op/--opc/--amf say otherwise: OP "open-ims-test-op", AMF "IM". */
#define CTL_LAB_OP "6f70656e2d696d732d746573742d6f70"
#define CTL_LAB_AMF "494d"

/* SIP-Authentication-Scheme values, as the impi table stores them. */
#define CTL_SCHEME_AKA "Digest-AKAv1-MD5"
#define CTL_SCHEME_MD5 "SIP Digest"
#define CTL_SCHEME_LEGACY "Digest-MD5"

/* Where the database and the HSS's control channel are. */
struct ctl_conn {
	char host[256];
	int port;
	char user[128];
	char password[128];
	char name[128];
	int connect_timeout;   /* s */
	char socket[PATH_MAX]; /* the HSS's control socket */
	char config[PATH_MAX]; /* the file they came from, "" for defaults */
};

/* A list of strings given by a repeatable option. */
struct ctl_list {
	char v[CTL_LIST_MAX][CTL_ID_MAX];
	int n;
};

/* Everything the command line can say; each command reads its part. */
struct ctl_args {
	const char *cmd;
	const char *pos[3]; /* positional arguments after the command */
	int npos;
	char domain[CTL_ID_MAX];
	bool help;

	/* credentials (add, set, bulk-add); "" or NULL: not given */
	const char *password;
	char k[33], op[33], opc[33], amf[5];
	const char *scheme; /* one of CTL_SCHEME_* */
	const char *profile;
	long long sqn; /* -1: not given */

	struct ctl_list impus; /* add: --impu/--tel; set: --add-impu/--add-tel */
	struct ctl_list bar, unbar, remove;
	bool barred, force;

	/* bulk-add / bulk-delete */
	unsigned long start;
	int width; /* zero-pad the number to this many digits */

	/* deregister */
	const char *reason;
	int reason_code;

	/* list */
	bool registered_only;

	/* calls */
	int last;            /* 0: the default (20) */
	char scscf_db[128];  /* "" : IMS_SCSCF_DB or ims_scscf */

	struct ctl_conn conn;
};

/* ctl_valid.c — input checks.  Each returns 0, or -1 with err set to a
 * sentence naming the option and what is wrong. */
int ctl_valid_name(const char *name, char *err, size_t len);
int ctl_valid_domain(const char *domain, char *err, size_t len);
int ctl_valid_password(const char *pw, char *err, size_t len);
/* hex of exactly nhex digits (upper or lower case) -> lower case in out. */
int ctl_valid_hex(const char *opt, const char *in, size_t nhex, char *out, char *err, size_t len);
/* 16 printable ASCII characters -> 32 lower-case hex digits in out. */
int ctl_valid_ascii_key(const char *in, char *out, char *err, size_t len);
/* A public identity: sip:/sips: URI or tel: URI, no spaces or quotes. */
int ctl_valid_impu(const char *uri, char *err, size_t len);
/* +NUMBER (or NUMBER) -> "tel:+NUMBER" in out. */
int ctl_valid_tel(const char *num, char *out, size_t outlen, char *err, size_t len);
/* md5 | aka | digest-md5 (or the stored strings) -> CTL_SCHEME_*. */
const char *ctl_scheme_parse(const char *s);
/* CTL_SCHEME_* -> md5 | aka | digest-md5. */
const char *ctl_scheme_short(const char *stored);
/* A free text for Reason-Info: printable, one line. */
int ctl_valid_text(const char *opt, const char *s, char *err, size_t len);

/* The private identity a NAME argument means: NAME@DOMAIN, or NAME itself
 * when it has an '@' already.  Returns 0, or -1 with err set. */
int ctl_impi_of(const struct ctl_args *a, const char *name, char *out, size_t outlen, char *err,
                size_t len);

/* Messages: "imsctl: CMD: ..." on stderr. */
void ctl_err(const struct ctl_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Commands (ctl_sub.c, ctl_show.c, ctl_bulk.c, ctl_hss.c). */
int ctl_cmd_add(struct ctl_args *a);
int ctl_cmd_delete(struct ctl_args *a);
int ctl_cmd_set(struct ctl_args *a);
int ctl_cmd_list(struct ctl_args *a);
int ctl_cmd_show(struct ctl_args *a);
int ctl_cmd_online(struct ctl_args *a);
int ctl_cmd_bulk_add(struct ctl_args *a);
int ctl_cmd_bulk_delete(struct ctl_args *a);
int ctl_cmd_deregister(struct ctl_args *a);
int ctl_cmd_push(struct ctl_args *a);
int ctl_cmd_calls(struct ctl_args *a); /* ctl_calls.c */
int ctl_cmd_flush(struct ctl_args *a);
int ctl_cmd_stats(struct ctl_args *a);
/* After a change to subscriber data: ask a running HSS to flush its cache
 * (silent when no HSS runs; a warning when one runs and cannot be told). */
void ctl_hss_changed(const struct ctl_args *a);

/* ctl_help.c */
void ctl_help(const char *cmd); /* NULL: the overview */
bool ctl_help_known(const char *cmd);

#endif
