/* Compact JSON text with shortest round-trip reals (see jsonout.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonout.h"

/* Exact powers of ten (every one below 2^53). */
static const double jsonout_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* The decimal digits of m at out (NUL-ended); their count. */
static size_t
jsonout_u64(uint64_t m, char *out)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

/*
 * Fast path: v (positive, 1e-4 to 1e15) as m / 10^k with the fewest
 * fraction digits k <= 9.  m and 10^k are exact doubles, so m / 10^k is
 * correctly rounded like strtod() of the same decimal: if it gives v
 * back, the decimal reads back as v.  0 when no such k.
 */
static size_t
jsonout_double_fixed(double v, char *out)
{
	char digits[24];
	double x;
	uint64_t m;
	size_t k, n, len;

	for (k = 0; k < sizeof jsonout_pow10 / sizeof *jsonout_pow10; k++) {
		x = v * jsonout_pow10[k];
		if (x >= 9007199254740992.0) /* 2^53: no longer exact */
			return 0;
		m = (uint64_t)(x + 0.5);
		if ((double)m / jsonout_pow10[k] != v)
			continue;
		n = jsonout_u64(m, digits);
		if (k == 0) {
			memcpy(out, digits, n);
			memcpy(out + n, ".0", 3);
			return n + 2;
		}
		if (n > k) { /* 498 -> 49.8 */
			memcpy(out, digits, n - k);
			out[n - k] = '.';
			memcpy(out + n - k + 1, digits + n - k, k + 1);
			return n + 1;
		}
		/* 5 -> 0.005 */
		len = 2 + (k - n);
		memcpy(out, "0.", 2);
		memset(out + 2, '0', k - n);
		memcpy(out + len, digits, n + 1);
		return len + n;
	}
	return 0;
}

/* Jansson's real shape: a "." or "e" present, no "+" and no leading zeros
 * in the exponent (1e+05 -> 1e5). */
static size_t
jsonout_double_tidy(char *s)
{
	char *e = strchr(s, 'e'), *start, *end;

	if (e == NULL) {
		if (strchr(s, '.') == NULL)
			strcat(s, ".0");
		return strlen(s);
	}
	start = e + 1;
	if (*start == '+')
		memmove(start, start + 1, strlen(start + 1) + 1);
	if (*start == '-')
		start++;
	for (end = start; *end == '0' && end[1] != '\0'; end++)
		;
	if (end != start)
		memmove(start, end, strlen(end) + 1);
	return strlen(s);
}

size_t
jsonout_double(double v, char *out)
{
	size_t n;
	int prec;

	if (v == 0) {
		strcpy(out, signbit(v) ? "-0.0" : "0.0");
		return strlen(out);
	}
	if (fabs(v) < 1e15 && fabs(v) >= 1e-4) {
		if (v < 0) {
			out[0] = '-';
			if ((n = jsonout_double_fixed(-v, out + 1)) > 0)
				return n + 1;
		} else if ((n = jsonout_double_fixed(v, out)) > 0)
			return n;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(out, JSONOUT_DOUBLE_MAX, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return jsonout_double_tidy(out);
	}
	snprintf(out, JSONOUT_DOUBLE_MAX, "%.17g", v);
	return jsonout_double_tidy(out);
}

/* The two-character escapes; other bytes below 0x20 are \u00XX. */
static const char jsonout_escapes[256] = {
    ['"'] = '"',
    ['\\'] = '\\',
    ['\b'] = 'b',
    ['\f'] = 'f',
    ['\n'] = 'n',
    ['\r'] = 'r',
    ['\t'] = 't',
};

/* Append s (len bytes of UTF-8) as a JSON string, escaped as jansson's
 * default flags do. */
void
jsonout_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s, *end = s + len;
	char esc[6] = {'\\', 'u', '0', '0'};
	unsigned char c;

	buf_reserve(b, len + 2);
	buf_putc(b, '"');
	for (; s < end; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		if (jsonout_escapes[c] != '\0') {
			esc[1] = jsonout_escapes[c];
			buf_append(b, esc, 2);
			esc[1] = 'u';
			continue;
		}
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		buf_append(b, esc, 6);
	}
	buf_append(b, run, (size_t)(end - run));
	buf_putc(b, '"');
}

size_t
jsonout_int(int64_t v, char *out)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + jsonout_u64(-(uint64_t)v, out + 1);
	}
	return jsonout_u64((uint64_t)v, out);
}

size_t
jsonout_real_or_null(double v, char *out)
{
	if (isfinite(v))
		return jsonout_double(v, out);
	memcpy(out, "null", 5);
	return 4;
}

int
jsonout_append(struct buf *b, const json_t *j)
{
	char num[JSONOUT_DOUBLE_MAX];
	const char *key;
	json_int_t iv;
	json_t *v;
	size_t i, n;
	int first = 1;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		buf_putc(b, '{');
		json_object_foreach((json_t *)j, key, v)
		{
			if (!first)
				buf_putc(b, ',');
			first = 0;
			jsonout_string(b, key, strlen(key));
			buf_putc(b, ':');
			if (jsonout_append(b, v) != 0)
				return -1;
		}
		buf_putc(b, '}');
		return 0;
	case JSON_ARRAY:
		buf_putc(b, '[');
		n = json_array_size(j);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_putc(b, ',');
			if (jsonout_append(b, json_array_get(j, i)) != 0)
				return -1;
		}
		buf_putc(b, ']');
		return 0;
	case JSON_STRING:
		jsonout_string(b, json_string_value(j), json_string_length(j));
		return 0;
	case JSON_INTEGER:
		iv = json_integer_value(j);
		buf_append(b, num, jsonout_int((int64_t)iv, num));
		return 0;
	case JSON_REAL:
		if (!isfinite(json_real_value(j)))
			return -1;
		buf_append(b, num, jsonout_double(json_real_value(j), num));
		return 0;
	case JSON_TRUE:
		buf_append(b, "true", 4);
		return 0;
	case JSON_FALSE:
		buf_append(b, "false", 5);
		return 0;
	case JSON_NULL:
		buf_append(b, "null", 4);
		return 0;
	}
	return -1;
}
