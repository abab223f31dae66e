/* ims_log — see ims_log.h. */
#include "ims_log.h"

#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdproto.h>
#include <sofia-sip/su_log.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static const char *log_tag = "ims";
static volatile int log_level = IMS_LOG_INFO;
static bool log_syslog;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void ims_log_init(const char *tag, enum ims_log_level level, bool use_syslog)
{
	log_tag = tag;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(tag, LOG_PID, LOG_DAEMON);
}

void ims_log_set_level(enum ims_log_level level) { log_level = level; }

enum ims_log_level ims_log_get_level(void) { return (enum ims_log_level)log_level; }

int ims_log_level_parse(const char *name)
{
	for (int i = 0; i <= IMS_LOG_DEBUG; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void ims_vlog(enum ims_log_level level, const char *fmt, va_list ap)
{
	static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

	if ((int)level > log_level)
		return;
	if (log_syslog) {
		vsyslog(syslog_prio[level], fmt, ap);
		return;
	}

	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %s %-5s ", tm.tm_hour,
			 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_tag, level_names[level]);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	size_t len = strlen(line);
	while (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';

	/* freeDiameter cancels its threads (a connection's receiver when the
	 * peer goes away) and logs through us from them; fprintf is a
	 * cancellation point, and a thread cancelled in it held log_lock
	 * forever: every later log line, the SIP loop's too, waited on it (an
	 * I-CSCF hung after an HSS restart under ASan).  No cancellation while
	 * the lock is held. */
	int cancel_state;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&log_lock);
	pthread_setcancelstate(cancel_state, NULL);
}

void ims_log(enum ims_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ims_vlog(level, fmt, ap);
	va_end(ap);
}

/* sofia-sip writes a line in several pieces; gather them per thread. */
static _Thread_local char sofia_buf[1024];
static _Thread_local size_t sofia_len;

static void sofia_logger(void *stream, char const *fmt, va_list ap)
{
	(void)stream;
	int n = vsnprintf(sofia_buf + sofia_len, sizeof sofia_buf - sofia_len, fmt, ap);
	if (n < 0)
		return;
	sofia_len += (size_t)n;
	if (sofia_len >= sizeof sofia_buf - 1 || (sofia_len > 0 && sofia_buf[sofia_len - 1] == '\n')) {
		if (sofia_len >= sizeof sofia_buf)
			sofia_len = sizeof sofia_buf - 1;
		sofia_buf[sofia_len] = '\0';
		ims_log(IMS_LOG_DEBUG, "sofia: %s", sofia_buf);
		sofia_len = 0;
	}
}

void ims_log_route_sofia(void)
{
	su_log_redirect(NULL, sofia_logger, NULL);
	/* sofia's own verbosity follows ours: 3 = errors/warnings, 5+ = traces. */
	su_log_set_level(NULL, log_level >= IMS_LOG_DEBUG ? 5 : 1);
}

static void fd_logger(int fd_level, const char *format, va_list args)
{
	enum ims_log_level level;
	if (fd_level >= FD_LOG_ERROR)
		level = IMS_LOG_ERROR;
	else if (fd_level >= FD_LOG_NOTICE)
		level = IMS_LOG_INFO;
	else
		level = IMS_LOG_DEBUG;
	if ((int)level > log_level)
		return;

	char line[1536];
	vsnprintf(line, sizeof line, format, args);
	/* freeDiameter announces every normal stop at its FATAL level */
	if (level == IMS_LOG_ERROR && strstr(line, "shutdown sequence"))
		level = IMS_LOG_INFO;
	ims_log(level, "diameter: %s", line);
}

void ims_log_route_freediameter(void)
{
	fd_log_handler_register(fd_logger);
	fd_g_debug_lvl = log_level >= IMS_LOG_DEBUG ? FD_LOG_DEBUG : FD_LOG_NOTICE;
}
