/* Time helpers: wall clock and monotonic clock. */
#ifndef CB_CLOCK_H
#define CB_CLOCK_H

#include <stdint.h>

int64_t clock_wall_ms(void); /* milliseconds since the epoch */
int64_t clock_mono_ms(void);
int64_t clock_mono_ns(void);
/* Parse a duration such as "90s", "5m", "2h", "7d", "250ms" or a bare
 * number of seconds; 0 on success, -1 if malformed. */
int clock_parse_duration(const char *s, int64_t *ms);
/* Format ms as ISO 8601 UTC ("2026-11-27T13:05:09Z") into out. */
void clock_format_iso(int64_t ms, char *out, size_t len);

#endif
