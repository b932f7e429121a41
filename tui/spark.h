/*
 * Sparklines and charts rendered to text: braille (2 values per cell,
 * 4 dot rows), Unicode blocks (8 levels) or ASCII (" _.-=^" levels), as
 * the terminal allows.  Values are scaled between the series' own minimum
 * and maximum (a flat series sits in the middle); NaN means no data and is
 * drawn as a blank.  No ncurses in here.
 */
#ifndef CB_TUI_SPARK_H
#define CB_TUI_SPARK_H

#include <stddef.h>

struct buf;

enum spark_style {
	SPARK_ASCII,
	SPARK_BLOCK,
	SPARK_BRAILLE,
};

/* "ascii", "block", "braille"; spark_style_parse returns -1 if unknown. */
const char *spark_style_name(enum spark_style s);
int spark_style_parse(const char *name, enum spark_style *s);

/*
 * Resample v[0..n) into out[0..m) by averaging the values that fall in
 * each of the m buckets (NaN when a bucket holds no value); when n < m the
 * series is right-aligned (the newest value at the right edge) and the
 * left is NaN.
 */
void spark_resample(const double *v, size_t n, double *out, size_t m);

/*
 * Resample by time: points (t[i], v[i]) into m buckets covering
 * [start, end) (averaged; NaN where a bucket has no point).  Query
 * results leave empty buckets out, so their index is not their time.
 */
void spark_resample_time(const long long *t, const double *v, size_t n,
    long long start, long long end, double *out, size_t m);

/*
 * Level of value x scaled into 0..levels-1 between lo and hi (a flat
 * range gives the middle level); -1 for NaN.
 */
int spark_level(double x, double lo, double hi, int levels);

/* Append a sparkline exactly width columns wide. */
void spark_render(struct buf *b, const double *v, size_t n, int width,
    enum spark_style style);

/*
 * A chart height rows by width columns: row 0 is the top.  Appends the
 * text of one row (exactly width columns).  lo and hi give the scale
 * (the caller shows them as the axis).
 */
void spark_chart_row(struct buf *b, const double *v, size_t n, int width,
    int height, int row, double lo, double hi, enum spark_style style);

/* Minimum and maximum of the non-NaN values; 0 if there is none. */
int spark_range(const double *v, size_t n, double *lo, double *hi);

#endif
