/* Logging to stderr: "2026-11-27T13:05:09.123Z citybraind[42] warn store: ...".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static const char *log_prog = "citybrain";
static enum log_level log_level = LOG_LVL_INFO;
static const char *log_names[] = {"error", "warn", "info", "debug"};

void
log_init(const char *prog)
{
	const char *slash;

	if (prog != NULL) {
		slash = strrchr(prog, '/');
		log_prog = slash != NULL ? slash + 1 : prog;
	}
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_quieter(void)
{
	if (log_level > LOG_LVL_ERROR)
		log_level--;
}

void
log_louder(void)
{
	if (log_level < LOG_LVL_DEBUG)
		log_level++;
}

void
log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32], line[2048];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "%s.%03ldZ %s[%ld] %s %s: ", when,
	    ts.tv_nsec / 1000000, log_prog, (long)getpid(), log_names[level],
	    subsys != NULL ? subsys : "main");
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per message so concurrent processes do not interleave. */
	n = (int)strlen(line);
	if ((size_t)n < sizeof line - 1)
		line[n++] = '\n';
	else
		line[sizeof line - 2] = '\n', n = (int)sizeof line - 1;
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
}
