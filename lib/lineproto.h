/*
 * Influx line protocol: a fast parser and a writer.
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * The parser keeps all its memory in a reusable struct lp_parser: after
 * the first few lines it allocates nothing.  Parsed strings (struct lp_str)
 * are NOT NUL-terminated; they point either into the caller's input (when
 * the element had no escapes) or into the parser's scratch area (unescaped
 * copies).  Both stay valid until the next call on the same parser or
 * until the input is freed, whichever comes first.
 *
 * Grammar accepted (InfluxDB 1.x/2.x compatible, Telegraf's escapes):
 * - measurement: escapes "\," "\ " "\\"; must not be empty;
 * - tag keys, tag values, field keys: escapes "\," "\=" "\ " "\\"; none
 *   may be empty; an unescaped '=' inside a tag value is accepted;
 * - a backslash before any other byte is a literal backslash;
 * - field values: float ("1", "-1.5", "1e-3", ".5", "1."), integer ("1i",
 *   "-1i", int64 range), unsigned ("1u", uint64 range), boolean (t T true
 *   True TRUE f F false False FALSE), string ("..." with escapes \" and \\;
 *   other backslashes literal; raw newlines allowed inside the quotes);
 * - optional integer timestamp (any precision; the caller converts);
 * - blank lines and lines whose first non-blank byte is '#' are skipped;
 *   leading and trailing spaces/tabs are ignored; CRLF line ends;
 * - names and values must be valid UTF-8 without NUL bytes.
 *
 * Error reasons name the column (1-based, in characters of the physical
 * line): "column 17: invalid field value".
 *
 * Thread safety: a parser is used by one thread at a time; distinct
 * parsers may be used concurrently.
 */
#ifndef CB_LINEPROTO_H
#define CB_LINEPROTO_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* A string slice, not NUL-terminated. */
struct lp_str {
	const char *p;
	size_t len;
};

enum lp_type {
	LP_FLOAT,
	LP_INT,
	LP_UINT,
	LP_BOOL,
	LP_STRING,
};

struct lp_tag {
	struct lp_str key;
	struct lp_str value;
};

struct lp_field {
	struct lp_str key;
	enum lp_type type;
	union {
		double f;
		int64_t i;
		uint64_t u;
		int b;           /* 0 or 1 */
		struct lp_str s; /* unescaped, without the quotes */
	} v;
};

/* One parsed line.  Tags are in input order (not sorted, duplicates
 * kept); fields likewise. */
struct lp_point {
	struct lp_str measurement;
	const struct lp_tag *tags;
	size_t ntags;
	const struct lp_field *fields;
	size_t nfields;
	int has_time;
	int64_t time; /* as written, in the body's precision */
};

/* Results of lp_parse_line and lp_body_next. */
#define LP_POINT 1
#define LP_SKIP  0 /* blank or comment line (lp_parse_line only) */
#define LP_END   0 /* end of body (lp_body_next only) */
#define LP_ERROR -1

struct lp_parser;

/* A new parser; the caller frees it with lp_parser_free(). */
struct lp_parser *lp_parser_create(void);
void lp_parser_free(struct lp_parser *lp);

/*
 * Parse the logical line starting at s; it ends at the first '\n' outside
 * a quoted string, or at end.  *next is set to the start of the following
 * line (after the '\n'; after the first '\n' of the line on error, so a
 * caller can always resume).  Returns LP_POINT with *pt set (owned by lp),
 * LP_SKIP for a blank or comment line, or LP_ERROR with *cause set (owned
 * by lp, "column N: reason").  next, pt and cause may be NULL.
 */
int lp_parse_line(struct lp_parser *lp, const char *s, const char *end,
    const char **next, const struct lp_point **pt, const char **cause);

/* Iterator over a whole request body. */
struct lp_body {
	const char *p;
	const char *end;
	size_t lineno; /* 1-based number of the line at p */
};

void lp_body_init(struct lp_body *b, const void *data, size_t len);

/*
 * Parse the next non-blank, non-comment line of b.  Returns LP_POINT with
 * *pt and *lineno set, LP_ERROR with *cause and *lineno set (call again to
 * continue with the next line), or LP_END when the body is exhausted.
 */
int lp_body_next(struct lp_parser *lp, struct lp_body *b,
    const struct lp_point **pt, size_t *lineno, const char **cause);

/* A numeric view of a field: floats, integers and unsigned integers as a
 * double, booleans as 0 or 1.  0, or -1 for a string field. */
int lp_field_number(const struct lp_field *f, double *out);

/* ---- Writer ---------------------------------------------------------- */

enum lp_elem {
	LP_ELEM_MEASUREMENT, /* escapes , space \ */
	LP_ELEM_KEY,         /* tag key, tag value, field key: , = space \ */
	LP_ELEM_STRING,      /* string field contents: " \ */
};

/* Append s (len bytes) to b, escaped for elem.  Newlines and carriage
 * returns in names cannot be represented and are written as escaped
 * spaces. */
void lp_escape(struct buf *b, enum lp_elem elem, const char *s, size_t len);

/*
 * Incremental line writer:
 *   struct lp_writer w;
 *   lp_writer_begin(&w, b, "cpu");
 *   lp_writer_tag(&w, "host", "a b");
 *   lp_writer_float(&w, "usage", 0.5);
 *   lp_writer_end(&w, 1700000000000, 1);
 * Tags must come before fields.  lp_writer_end() appends '\n' and returns
 * 0, or -1 if the line had no field (nothing is left in b then).
 * Non-finite floats (NaN, +-Inf) cannot be written: lp_writer_float()
 * skips them and returns -1.
 */
struct lp_writer {
	struct buf *b;
	size_t start; /* b->len at begin */
	size_t nfields;
	int invalid; /* empty measurement or one starting with '#' */
};

void lp_writer_begin(
    struct lp_writer *w, struct buf *b, const char *measurement);
void lp_writer_tag(struct lp_writer *w, const char *key, const char *value);
void lp_writer_tagn(struct lp_writer *w, const char *key, size_t klen,
    const char *value, size_t vlen);
int lp_writer_float(struct lp_writer *w, const char *key, double v);
void lp_writer_int(struct lp_writer *w, const char *key, int64_t v);
void lp_writer_uint(struct lp_writer *w, const char *key, uint64_t v);
void lp_writer_bool(struct lp_writer *w, const char *key, int v);
void lp_writer_string(struct lp_writer *w, const char *key, const char *v);
int lp_writer_end(struct lp_writer *w, int64_t time, int has_time);

/* Append a whole parsed point as one line ('\n'-terminated).  Returns 0,
 * or -1 (nothing appended) if it has no writable field. */
int lp_point_write(struct buf *b, const struct lp_point *pt);

/* Format a double so that it parses back to the same value, shortest
 * form ("0.1", "1e+300", "3"); out needs 32 bytes.  Returns the length. */
size_t lp_format_double(double v, char *out);

#endif
