/*
 * ims_log — one logging facility for every daemon.
 *
 * Lines go to stderr (foreground) or syslog, each tagged with the daemon
 * name and level.  sofia-sip's and freeDiameter's own log output is routed
 * here too (ims_log_route_sofia(), ims_log_route_freediameter()).
 * Error lines should carry the SIP Call-ID or the Diameter Session-Id.
 * Thread-safe: may be called from freeDiameter's threads.
 */
#ifndef IMS_LOG_H
#define IMS_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum ims_log_level {
	IMS_LOG_ERROR = 0,
	IMS_LOG_WARN = 1,
	IMS_LOG_INFO = 2,
	IMS_LOG_DEBUG = 3,
};

/* Set the tag (e.g. "pcscf"), the maximum level printed and the sink. */
void ims_log_init(const char *tag, enum ims_log_level level, bool use_syslog);
void ims_log_set_level(enum ims_log_level level);
enum ims_log_level ims_log_get_level(void);

/* "error", "warn", "info", "debug" -> level; returns -1 when unknown. */
int ims_log_level_parse(const char *name);

void ims_log(enum ims_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ims_vlog(enum ims_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Route sofia-sip's su_log output (all its modules) into ims_log. */
void ims_log_route_sofia(void);
/* Route freeDiameter's fd_log output into ims_log. */
void ims_log_route_freediameter(void);

#define IMS_ERR(...) ims_log(IMS_LOG_ERROR, __VA_ARGS__)
#define IMS_WARN(...) ims_log(IMS_LOG_WARN, __VA_ARGS__)
#define IMS_INFO(...) ims_log(IMS_LOG_INFO, __VA_ARGS__)
#define IMS_DEBUG(...)                                                   \
	do {                                                                 \
		if (ims_log_get_level() >= IMS_LOG_DEBUG)                        \
			ims_log(IMS_LOG_DEBUG, __VA_ARGS__);                         \
	} while (0)

#endif
