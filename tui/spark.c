/* Sparklines and charts as text: braille, blocks or ASCII. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/spark.h"

static const char *const spark_names[] = {
    [SPARK_ASCII] = "ascii",
    [SPARK_BLOCK] = "block",
    [SPARK_BRAILLE] = "braille",
};

/* Eight block levels, lowest first (UTF-8). */
static const char *const spark_blocks[8] = {
    "\xe2\x96\x81",
    "\xe2\x96\x82",
    "\xe2\x96\x83",
    "\xe2\x96\x84",
    "\xe2\x96\x85",
    "\xe2\x96\x86",
    "\xe2\x96\x87",
    "\xe2\x96\x88",
};

static const char spark_ascii[] = "_.-~=^";

const char *
spark_style_name(enum spark_style s)
{
	return spark_names[s];
}

int
spark_style_parse(const char *name, enum spark_style *s)
{
	size_t i;

	for (i = 0; i < sizeof spark_names / sizeof spark_names[0]; i++) {
		if (strcmp(name, spark_names[i]) == 0) {
			*s = (enum spark_style)i;
			return 0;
		}
	}
	return -1;
}

void
spark_resample(const double *v, size_t n, double *out, size_t m)
{
	size_t i, j, a, z, cnt, off;
	double sum;

	if (m == 0)
		return;
	if (n <= m) {
		off = m - n;
		for (i = 0; i < off; i++)
			out[i] = NAN;
		for (i = 0; i < n; i++)
			out[off + i] = v[i];
		return;
	}
	for (i = 0; i < m; i++) {
		a = i * n / m;
		z = (i + 1) * n / m;
		sum = 0;
		cnt = 0;
		for (j = a; j < z; j++) {
			if (!isnan(v[j])) {
				sum += v[j];
				cnt++;
			}
		}
		out[i] = cnt ? sum / (double)cnt : NAN;
	}
}

void
spark_resample_time(const long long *t, const double *v, size_t n,
    long long start, long long end, double *out, size_t m)
{
	size_t i, k, *cnt;

	if (m == 0)
		return;
	if (end <= start) {
		spark_resample(v, n, out, m);
		return;
	}
	cnt = xcalloc(m, sizeof *cnt);
	for (k = 0; k < m; k++)
		out[k] = 0;
	for (i = 0; i < n; i++) {
		if (isnan(v[i]) || t[i] < start || t[i] >= end)
			continue;
		k = (size_t)((double)(t[i] - start) / (double)(end - start) *
		             (double)m);
		if (k >= m)
			k = m - 1;
		out[k] += v[i];
		cnt[k]++;
	}
	for (k = 0; k < m; k++)
		out[k] = cnt[k] ? out[k] / (double)cnt[k] : NAN;
	free(cnt);
	/* Buckets finer than the data leave short holes between points:
	 * hold the previous value across holes shorter than the mean
	 * spacing (longer ones are real silences and stay blank). */
	{
		size_t fill = n ? m / n : 0, run = 0, j;

		for (k = 0; k < m; k++) {
			if (isnan(out[k])) {
				run++;
				continue;
			}
			if (run > 0 && run <= fill && k > run) {
				for (j = k - run; j < k; j++)
					out[j] = out[k - run - 1];
			}
			run = 0;
		}
	}
}

int
spark_range(const double *v, size_t n, double *lo, double *hi)
{
	size_t i;
	int any = 0;

	*lo = *hi = 0;
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (!any || v[i] < *lo)
			*lo = v[i];
		if (!any || v[i] > *hi)
			*hi = v[i];
		any = 1;
	}
	return any;
}

int
spark_level(double x, double lo, double hi, int levels)
{
	double f;
	int l;

	if (isnan(x))
		return -1;
	if (!(hi > lo))
		return (levels - 1) / 2;
	f = (x - lo) / (hi - lo);
	l = (int)lround(f * (levels - 1));
	if (l < 0)
		l = 0;
	if (l > levels - 1)
		l = levels - 1;
	return l;
}

/* The braille cell with the given dot-column heights (0..4 each, -1 for
 * none), filled from the bottom. */
static void
spark_braille(struct buf *b, int left, int right)
{
	/* Dot bits bottom-up: left column 7,3,2,1; right column 8,6,5,4. */
	static const unsigned lbits[4] = {0x40, 0x04, 0x02, 0x01};
	static const unsigned rbits[4] = {0x80, 0x20, 0x10, 0x08};
	unsigned cp = 0x2800;
	char u[3];
	int i;

	for (i = 0; i < left && i < 4; i++)
		cp |= lbits[i];
	for (i = 0; i < right && i < 4; i++)
		cp |= rbits[i];
	if (left < 0 && right < 0) {
		buf_putc(b, ' ');
		return;
	}
	u[0] = (char)(0xe0 | (cp >> 12));
	u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[2] = (char)(0x80 | (cp & 0x3f));
	buf_append(b, u, 3);
}

void
spark_render(
    struct buf *b, const double *v, size_t n, int width, enum spark_style style)
{
	double lo, hi, *r;
	size_t m;
	int i, l, l2;

	if (width <= 0)
		return;
	m = (size_t)width * (style == SPARK_BRAILLE ? 2 : 1);
	r = xreallocarray(NULL, m, sizeof *r);
	spark_resample(v, n, r, m);
	spark_range(r, m, &lo, &hi);
	for (i = 0; i < width; i++) {
		switch (style) {
		case SPARK_BRAILLE:
			/* Levels 1..4 dots, so that the minimum still shows. */
			l = spark_level(r[2 * i], lo, hi, 4);
			l2 = spark_level(r[2 * i + 1], lo, hi, 4);
			spark_braille(
			    b, l < 0 ? -1 : l + 1, l2 < 0 ? -1 : l2 + 1);
			break;
		case SPARK_BLOCK:
			l = spark_level(r[i], lo, hi, 8);
			if (l < 0)
				buf_putc(b, ' ');
			else
				buf_puts(b, spark_blocks[l]);
			break;
		case SPARK_ASCII:
			l = spark_level(r[i], lo, hi, (int)strlen(spark_ascii));
			buf_putc(b, l < 0 ? ' ' : spark_ascii[l]);
			break;
		}
	}
	free(r);
}

void
spark_chart_row(struct buf *b, const double *v, size_t n, int width, int height,
    int row, double lo, double hi, enum spark_style style)
{
	double *r;
	int i, sub, l, base, fill;

	if (width <= 0 || height <= 0)
		return;
	r = xreallocarray(NULL, (size_t)width, sizeof *r);
	spark_resample(v, n, r, (size_t)width);
	sub = style == SPARK_ASCII ? 1 : 8;
	/* Rows counted from the bottom: this row covers levels
	 * [base, base + sub). */
	base = (height - 1 - row) * sub;
	for (i = 0; i < width; i++) {
		l = spark_level(r[i], lo, hi, height * sub);
		if (l < 0) {
			buf_putc(b, ' ');
			continue;
		}
		fill = l + 1 - base; /* at least one level for the minimum */
		if (fill <= 0)
			buf_putc(b, ' ');
		else if (style == SPARK_ASCII)
			buf_putc(b, '#');
		else if (fill >= sub)
			buf_puts(b, spark_blocks[7]);
		else
			buf_puts(b, spark_blocks[fill - 1]);
	}
	free(r);
}
