/*
 * ims_cfg — table-driven configuration loading (INI files read with libinih).
 *
 * A daemon describes its configuration as a table of keys, each bound to a
 * field of its own config struct by offset.  ims_cfg_defaults() fills every
 * field with its lab default; ims_cfg_load() then reads a file over it.
 * An unknown section or key, or a bad value, fails with a message naming
 * the file, the line and the key: "cfg/pcscf.cfg:12: [sip] port: ...".
 *
 * String values may use ${NAME} or ${NAME:-default}: the environment
 * variable NAME (or default when it is unset or empty), so that one file
 * serves several labs (e.g. ${IMS_STATE:-../.lab}/run/hss.ctl).
 *
 * Strings are stored in fixed-size char arrays inside the struct, so a
 * loaded configuration owns no heap memory and can be passed around const.
 */
#ifndef IMS_CFG_H
#define IMS_CFG_H

#include <stddef.h>

enum ims_cfg_type {
	IMS_CFG_STR,      /* char[size] */
	IMS_CFG_INT,      /* int, within [min, max] */
	IMS_CFG_BOOL,     /* bool: yes/no, true/false, on/off, 1/0 */
	IMS_CFG_LOGLEVEL, /* int: error, warn, info, debug */
};

struct ims_cfg_key {
	const char *section;
	const char *name;
	enum ims_cfg_type type;
	size_t offset; /* offsetof(struct daemon_cfg, field) */
	size_t size;   /* IMS_CFG_STR: sizeof the char array */
	const char *def;
	int min, max; /* IMS_CFG_INT */
};

/* Table helpers: IMS_CFG_S(struct, "sec", "key", field, "default") ... */
#define IMS_CFG_S(T, sec, key, field, def)                                    \
	{sec, key, IMS_CFG_STR, offsetof(T, field), sizeof(((T *)0)->field), def, 0, 0}
#define IMS_CFG_I(T, sec, key, field, def, lo, hi)                            \
	{sec, key, IMS_CFG_INT, offsetof(T, field), sizeof(int), def, lo, hi}
#define IMS_CFG_B(T, sec, key, field, def)                                    \
	{sec, key, IMS_CFG_BOOL, offsetof(T, field), sizeof(bool), def, 0, 0}
#define IMS_CFG_L(T, sec, key, field, def)                                    \
	{sec, key, IMS_CFG_LOGLEVEL, offsetof(T, field), sizeof(int), def, 0, 0}
#define IMS_CFG_END {NULL, NULL, IMS_CFG_STR, 0, 0, NULL, 0, 0}

/* Fill cfg with every key's default.  Returns 0, or -1 with err set
 * (a default that does not parse is a programming error). */
int ims_cfg_defaults(const struct ims_cfg_key *keys, void *cfg, char *err, size_t errlen);

/* Read path over cfg (call ims_cfg_defaults() first).  Returns 0, or -1
 * with err = "PATH:LINE: [section] key: reason" (or "PATH: reason"). */
int ims_cfg_load(const char *path, const struct ims_cfg_key *keys, void *cfg, char *err,
		 size_t errlen);

/* Same, from a string (tests); name is used in messages. */
int ims_cfg_load_string(const char *text, const char *name, const struct ims_cfg_key *keys,
			void *cfg, char *err, size_t errlen);



/* Resolve value against the folder of the configuration file cfg_path
 * (absolute values are kept).  Returns 0, or -1 when it does not fit. */
int ims_cfg_path(const char *cfg_path, const char *value, char *out, size_t outlen);

/* The folder of path into dir: what comes before its last '/', "." when
 * it has none ("pcscf.reg"), "/" when that is its first character ("/x").
 * Text only: no file is looked at, and "a/b/" gives "a/b".  Returns 0, or
 * -1 (dir set to "") when the folder does not fit in len bytes. */
int ims_path_dir(const char *path, char *dir, size_t len);
#endif
