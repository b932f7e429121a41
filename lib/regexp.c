/* Bounded, anchored PCRE2 regular expressions (see regexp.h). */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "lib/regexp.h"
#include "lib/xmalloc.h"

/* Matching limits: backtracking steps, nesting depth, heap in KiB.  A
 * match within them costs at most a few milliseconds. */
#define REGEXP_MATCH_LIMIT 100000
#define REGEXP_DEPTH_LIMIT 1000
#define REGEXP_HEAP_KIB    1024

/* Shown of a refused pattern in an error message. */
#define REGEXP_SHOW_MAX 48

struct regexp {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

static atomic_ullong regexp_hits;

static void __attribute__((noreturn)) regexp_oom(void)
{
	fprintf(stderr, "fatal: out of memory in PCRE2\n");
	abort();
}

/* The pattern as shown in a message: quoted, cut at REGEXP_SHOW_MAX. */
static char *
regexp_shown(const char *pattern)
{
	size_t n = strlen(pattern);

	if (n <= REGEXP_SHOW_MAX)
		return xasprintf("\"%s\"", pattern);
	/* Cut on a UTF-8 character boundary. */
	n = REGEXP_SHOW_MAX;
	while (n > 0 && ((unsigned char)pattern[n] & 0xc0) == 0x80)
		n--;
	return xasprintf(
	    "\"%.*s...\" (%zu bytes)", (int)n, pattern, strlen(pattern));
}

static char *
regexp_error(const char *pattern, const char *fmt, int err, size_t off)
{
	char *shown = regexp_shown(pattern), *out;
	PCRE2_UCHAR msg[120];

	if (err != 0) {
		if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
			strcpy((char *)msg, "invalid");
		out = xasprintf("regular expression %s: %s at offset %zu",
		    shown, (const char *)msg, off);
	} else
		out = xasprintf(fmt, shown);
	free(shown);
	return out;
}

/* Compile pattern with extra PCRE2 options (see regexp_compile). */
static struct regexp *
regexp_compile_opts(const char *pattern, uint32_t opts, char **cause)
{
	pcre2_compile_context *cctx;
	struct regexp *re;
	pcre2_code *code;
	PCRE2_SIZE off = 0;
	size_t size = 0;
	int err = 0;

	if (strlen(pattern) > REGEXP_PATTERN_MAX) {
		*cause = regexp_error(pattern,
		    "regular expression %s: longer than the limit of "
		    "1024 bytes",
		    0, 0);
		return NULL;
	}
	cctx = pcre2_compile_context_create(NULL);
	if (cctx == NULL)
		regexp_oom();
	pcre2_set_max_pattern_length(cctx, REGEXP_PATTERN_MAX);
	pcre2_set_parens_nest_limit(cctx, REGEXP_NEST_MAX);
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL | PCRE2_UTF |
	        PCRE2_MATCH_INVALID_UTF | opts,
	    &err, &off, cctx);
	pcre2_compile_context_free(cctx);
	if (code == NULL) {
		*cause = regexp_error(pattern, NULL, err, off);
		return NULL;
	}
	if (pcre2_pattern_info(code, PCRE2_INFO_SIZE, &size) != 0 ||
	    size > REGEXP_COMPILED_MAX) {
		pcre2_code_free(code);
		*cause = regexp_error(pattern,
		    "regular expression %s: compiles to more than the limit "
		    "of 64 KiB",
		    0, 0);
		return NULL;
	}
	re = xcalloc(1, sizeof *re);
	re->code = code;
	re->mctx = pcre2_match_context_create(NULL);
	if (re->mctx == NULL)
		regexp_oom();
	pcre2_set_match_limit(re->mctx, REGEXP_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, REGEXP_DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mctx, REGEXP_HEAP_KIB);
	return re;
}

struct regexp *
regexp_compile(const char *pattern, char **cause)
{
	return regexp_compile_opts(pattern, PCRE2_NO_AUTO_CAPTURE, cause);
}

struct regexp *
regexp_compile_groups(const char *pattern, char **cause)
{
	return regexp_compile_opts(pattern, 0, cause);
}

void
regexp_free(struct regexp *re)
{
	if (re == NULL)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int
regexp_match(const struct regexp *re, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int r;

	if (md == NULL)
		regexp_oom();
	r = pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (r >= 0)
		return 1;
	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	atomic_fetch_add(&regexp_hits, 1);
	return -1;
}

int
regexp_expand(
    const struct regexp *re, const char *s, const char *tmpl, char **out)
{
	uint32_t opts = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
	                PCRE2_SUBSTITUTE_UNKNOWN_UNSET |
	                PCRE2_SUBSTITUTE_UNSET_EMPTY;
	PCRE2_SIZE len = strlen(s) + strlen(tmpl) + 64;
	PCRE2_UCHAR *o;
	int r, tries;

	*out = NULL;
	for (tries = 0; tries < 2; tries++) {
		o = xmalloc(len + 1);
		r = pcre2_substitute(re->code, (PCRE2_SPTR)s, strlen(s), 0,
		    opts, NULL, re->mctx, (PCRE2_SPTR)tmpl,
		    PCRE2_ZERO_TERMINATED, o, &len);
		if (r == PCRE2_ERROR_NOMEMORY) {
			free(o); /* len is now the length needed */
			continue;
		}
		if (r == 1) {
			*out = (char *)o;
			return 1;
		}
		free(o);
		if (r == 0 || r == PCRE2_ERROR_NOMATCH)
			return 0;
		break;
	}
	if (r == PCRE2_ERROR_MATCHLIMIT || r == PCRE2_ERROR_DEPTHLIMIT ||
	    r == PCRE2_ERROR_HEAPLIMIT)
		atomic_fetch_add(&regexp_hits, 1);
	return -1;
}

unsigned long long
regexp_limit_hits(void)
{
	return atomic_load(&regexp_hits);
}
