/* Helpers the screens share: filter matching, severity and count cells,
 * sparkline series looked up in a query result, paths with codes. */
#ifndef CB_TUI_SCREEN_UTIL_H
#define CB_TUI_SCREEN_UTIL_H

#include <curses.h>
#include <stddef.h>

#include "tui/model.h"

struct buf;
struct app;

/* Does s contain filter (ASCII case-insensitive)?  NULL filter: yes. */
int su_match(const char *filter, const char *s);

/* A severity cell: its name ("HIGH") and colour. */
void su_sev_cell(struct buf *b, attr_t *a, enum sev s);
/* "3" or "-" for zero, coloured by sev when non-zero. */
void su_count_cell(struct buf *b, attr_t *a, unsigned n, enum sev s);
/* An age cell, dimmed/warned when old (warn_s, bad_s thresholds). */
void su_age_cell(struct buf *b, attr_t *a, long long age_s, long long warn_s,
    long long bad_s);
/* A number cell ("-" for NaN) with an optional unit. */
void su_num_cell(struct buf *b, double v, const char *unit);
/* Local time "HH:MM:SS" (or "MM-DD HH:MM" when not today). */
void su_time(long long ms, char *out, size_t len);

/* The series of q whose label key equals value; NULL if none. */
const struct model_series *su_series_find(
    const struct model_query *q, const char *key, const char *value);

/*
 * A query path for sparklines: metric aggregated per child of the node
 * at level/code, e.g. metric env_aqi under subdistrict X by community:
 * "/api/v1/query?q=env_aqi%7Bsubdistrict%3D%22X%22%7D&by=community&...".
 * Caller frees.
 */
char *su_spark_path(const char *metric, const char *agg, const char *level,
    const char *code, const char *by, const char *range, const char *step);

/* The child level of a territory level ("district" -> "subdistrict"). */
const char *su_child_level(const char *level);

/* A column title for a metric key: "water_level_m" -> "water". */
void su_short_title(char *out, size_t len, const char *key);

/* The series resampled by time into m buckets (caller frees). */
double *su_series_buckets(const struct model_series *s, size_t m);

/* A sparkline cell for the series (width columns). */
void su_spark_cell(
    struct buf *b, struct app *app, const struct model_series *s, int width);

#endif
