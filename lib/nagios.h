/*
 * Nagios plugin output (the monitoring-plugins convention):
 *
 *   DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
 *   / 15272 MB (77%);
 *   /boot 68 MB (69%); | /boot=68MB;88;93;0;98
 *   /home=69357MB;253404;253409;0;253414
 *
 * The first line is the status text, optionally followed by '|' and
 * performance data.  Further lines are long output until a line holding
 * '|'; everything after that '|' (and all later lines) is more perfdata.
 *
 * Perfdata items are separated by blanks:
 *   'quoted label'=value[UOM];[warn];[crit];[min];[max]
 * a quote inside a quoted label is written twice; value may be "U"
 * (unknown); warn and crit are ranges: "10" (alert outside 0..10),
 * "10:" (outside 10..inf), "~:10" (outside -inf..10), "10:20",
 * "@10:20" (alert inside 10..20).
 */
#ifndef CB_NAGIOS_H
#define CB_NAGIOS_H

#include <stddef.h>

enum nagios_state {
	NAGIOS_OK = 0,
	NAGIOS_WARNING = 1,
	NAGIOS_CRITICAL = 2,
	NAGIOS_UNKNOWN = 3,
};

struct nagios_range {
	int set;      /* 0: no threshold given */
	int inside;   /* '@': alert when start <= v <= end */
	double start; /* -INFINITY for '~' */
	double end;   /* INFINITY when omitted after ':' */
};

struct nagios_perf {
	char *label; /* owned, unquoted */
	double value;
	int unknown;  /* value was "U" (value is NaN) */
	char uom[16]; /* "", "s", "ms", "%", "B", "KB", "c", ... */
	struct nagios_range warn;
	struct nagios_range crit;
	int has_min, has_max;
	double min, max;
};

struct nagios_output {
	char *text;               /* first line before '|'; owned */
	char *long_text;          /* further text lines; owned, may be "" */
	struct nagios_perf *perf; /* owned */
	size_t nperf;
	size_t nbad;      /* perfdata items that did not parse */
	char *bad_reason; /* first such reason, or NULL; owned */
};

/*
 * Parse a plugin's stdout (len bytes, need not be NUL-terminated) into *no,
 * which the caller releases with nagios_output_free().  Never fails:
 * malformed perfdata items are skipped and counted in nbad with the first
 * reason in bad_reason ("item 2 ('load5'): invalid value").
 */
void nagios_output_parse(const char *out, size_t len, struct nagios_output *no);
void nagios_output_free(struct nagios_output *no);

/* Parse one range ("", "10", "10:", "~:10", "@10:20"); 0 or -1. */
int nagios_range_parse(const char *s, size_t len, struct nagios_range *r);
/* Whether v raises an alert against r (an unset range never does). */
int nagios_range_alerts(const struct nagios_range *r, double v);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN" (anything else is UNKNOWN). */
const char *nagios_state_name(int state);

#endif
