/* Line-protocol ingest with enrichment, scope and a tag-set cache. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/remote/remote.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/buf.h"
#include "lib/lineproto.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define INGEST_CACHE_MAX 1000000 /* tag sets before the cache starts over */

enum ingest_special {
	INGEST_PLAIN,
	INGEST_SYSTEM_UP,
	INGEST_SYSTEM_LATENCY,
};

struct ingest_field {
	char *key;
	size_t klen;
	uint32_t id;
	int headline; /* index into config headline, or -1 */
	enum ingest_special special;
	char *error; /* invalid name: the reason; no id */
};

/* One distinct measurement + tag set, as written on the wire. */
struct ingest_entry {
	char *key;
	size_t klen;
	uint64_t hash;
	int node;      /* grid or community node, or -1 */
	int sys;       /* catalogue index, or -1 */
	int has_sys;   /* line carries a system tag */
	int has_place; /* line carries a territory tag */
	int reject;    /* enum hub_reject + 1, or 0 */
	char *reason;
	struct ingest_field *fields;
	size_t nfields;
};

struct hub_ingest {
	struct lp_parser *lp;
	struct ingest_entry **table;
	size_t cap, n;
	struct buf scratch;
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t *lines;
	size_t npoints, cpoints;
};

struct hub_ingest *
hub_ingest_new(void)
{
	struct hub_ingest *in = xcalloc(1, sizeof *in);

	in->lp = lp_parser_create();
	in->cap = 1024;
	in->table = xcalloc(in->cap, sizeof *in->table);
	return in;
}

static void
ingest_entry_free(struct ingest_entry *e)
{
	size_t i;

	for (i = 0; i < e->nfields; i++) {
		free(e->fields[i].key);
		free(e->fields[i].error);
	}
	free(e->fields);
	free(e->key);
	free(e->reason);
	free(e);
}

void
hub_ingest_reset(struct hub_ingest *in)
{
	size_t i;

	for (i = 0; i < in->cap; i++) {
		if (in->table[i] != NULL)
			ingest_entry_free(in->table[i]);
		in->table[i] = NULL;
	}
	in->n = 0;
}

void
hub_ingest_free(struct hub_ingest *in)
{
	if (in == NULL)
		return;
	hub_ingest_reset(in);
	free(in->table);
	lp_parser_free(in->lp);
	buf_free(&in->scratch);
	free(in->ids);
	free(in->ts);
	free(in->vs);
	free(in->lines);
	free(in);
}

int
hub_ingest_precision(const char *s, int64_t *mul, int64_t *div)
{
	*mul = 1;
	*div = 1;
	if (s == NULL || *s == '\0' || strcmp(s, "ns") == 0 ||
	    strcmp(s, "n") == 0)
		*div = 1000000;
	else if (strcmp(s, "us") == 0 || strcmp(s, "u") == 0 ||
	         strcmp(s, "µs") == 0)
		*div = 1000;
	else if (strcmp(s, "ms") == 0)
		;
	else if (strcmp(s, "s") == 0)
		*mul = 1000;
	else if (strcmp(s, "m") == 0)
		*mul = 60000;
	else if (strcmp(s, "h") == 0)
		*mul = 3600000;
	else
		return -1;
	return 0;
}

/* A fast hash of n bytes, 8 at a time (multiply-xorshift). */
static uint64_t
ingest_hash(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static void
ingest_grow(struct hub_ingest *in)
{
	struct ingest_entry **old = in->table;
	size_t ocap = in->cap, i, j;

	in->cap *= 2;
	in->table = xcalloc(in->cap, sizeof *in->table);
	for (i = 0; i < ocap; i++) {
		if (old[i] == NULL)
			continue;
		for (j = old[i]->hash & (in->cap - 1); in->table[j] != NULL;
		     j = (j + 1) & (in->cap - 1))
			;
		in->table[j] = old[i];
	}
	free(old);
}

static int
ingest_lpstr_eq(const struct lp_str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len == n && memcmp(s->p, lit, n) == 0;
}

/* Classify a new tag set: territory, system, rejection. */
static void
ingest_entry_classify(
    struct hub *h, struct ingest_entry *e, const struct lp_point *pt)
{
	const struct lp_str *grid = NULL, *comm = NULL, *sys = NULL;
	size_t i;

	e->node = e->sys = -1;
	for (i = 0; i < pt->ntags; i++) {
		if (ingest_lpstr_eq(&pt->tags[i].key, "grid"))
			grid = &pt->tags[i].value;
		else if (ingest_lpstr_eq(&pt->tags[i].key, "community"))
			comm = &pt->tags[i].value;
		else if (ingest_lpstr_eq(&pt->tags[i].key, "system"))
			sys = &pt->tags[i].value;
		else if (ingest_lpstr_eq(&pt->tags[i].key, "subdistrict"))
			e->has_place = 1;
	}
	if (grid != NULL) {
		e->has_place = 1;
		e->node = hub_territory_find(h->territory, grid->p, grid->len);
		if (e->node < 0 ||
		    h->territory->nodes[e->node].level != HUB_LEVEL_GRID) {
			e->node = -1;
			e->reject = HUB_REJECT_UNKNOWN_GRID + 1;
			e->reason = xasprintf(
			    "unknown grid \"%.*s\"", (int)grid->len, grid->p);
			return;
		}
	} else if (comm != NULL) {
		e->has_place = 1;
		e->node = hub_territory_find(h->territory, comm->p, comm->len);
		if (e->node < 0 ||
		    h->territory->nodes[e->node].level != HUB_LEVEL_COMMUNITY) {
			e->node = -1;
			e->reject = HUB_REJECT_UNKNOWN_COMMUNITY + 1;
			e->reason = xasprintf("unknown community \"%.*s\"",
			    (int)comm->len, comm->p);
			return;
		}
	}
	if (sys != NULL) {
		e->has_sys = 1;
		e->sys = hub_systems_find(h->systems, sys->p, sys->len);
		if (e->sys < 0)
			h->status->unknown_system_lines++;
	}
}

/* The cache entry of pt's measurement and tags (created on first use). */
static struct ingest_entry *
ingest_entry_get(struct hub *h, struct hub_ingest *in,
    const struct lp_point *pt, const char *body, size_t blen)
{
	struct buf *b = &in->scratch;
	struct ingest_entry *e;
	const char *key, *lo = body, *hi = body + blen, *end;
	uint64_t hash;
	size_t i, j, klen;
	int raw;

	/* Without escapes every slice points into the body and the line's
	 * own text is the key; otherwise build one from the unescaped parts
	 * (with NUL separators, so the two forms never collide). */
	raw = pt->measurement.p >= lo &&
	      pt->measurement.p + pt->measurement.len <= hi;
	for (i = 0; raw && i < pt->ntags; i++) {
		const struct lp_tag *t = &pt->tags[i];

		raw = t->key.p >= lo && t->key.p + t->key.len <= hi &&
		      t->value.p >= lo && t->value.p + t->value.len <= hi;
	}
	if (raw) {
		key = pt->measurement.p;
		end = pt->ntags > 0 ? pt->tags[pt->ntags - 1].value.p +
		                          pt->tags[pt->ntags - 1].value.len
		                    : key + pt->measurement.len;
		klen = (size_t)(end - key);
	} else {
		buf_reset(b);
		buf_append(b, pt->measurement.p, pt->measurement.len);
		for (i = 0; i < pt->ntags; i++) {
			buf_putc(b, '\0');
			buf_append(b, pt->tags[i].key.p, pt->tags[i].key.len);
			buf_putc(b, '\0');
			buf_append(
			    b, pt->tags[i].value.p, pt->tags[i].value.len);
		}
		key = b->data;
		klen = b->len;
	}
	hash = ingest_hash(key, klen);
	for (j = hash & (in->cap - 1); (e = in->table[j]) != NULL;
	     j = (j + 1) & (in->cap - 1)) {
		if (e->hash == hash && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
	}
	if (in->n >= INGEST_CACHE_MAX) {
		hub_ingest_reset(in);
		j = hash & (in->cap - 1);
	}
	e = xcalloc(1, sizeof *e);
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->klen = klen;
	e->hash = hash;
	ingest_entry_classify(h, e, pt);
	in->table[j] = e;
	if (++in->n * 2 > in->cap)
		ingest_grow(in);
	return e;
}

/* Append name with characters invalid in a tag name replaced by '_'. */
static void
ingest_tag_name(struct buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (i > 0 && c >= '0' && c <= '9'))
			buf_putc(b, (char)c);
		else
			buf_putc(b, '_');
	}
	if (n == 0)
		buf_putc(b, '_');
}

/* Equality of short byte strings without a libc call. */
static inline int
ingest_bytes_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return 0;
	}
	return 1;
}

/* Resolve field f of entry e (tags from pt) to a series id. */
static struct ingest_field *
ingest_field_get(struct hub *h, struct ingest_entry *e,
    const struct lp_point *pt, const struct lp_field *lf, size_t hint)
{
	struct ingest_field *f;
	struct serieskey_tag tags[SERIESKEY_TAGS_MAX];
	struct buf metric = BUF_INIT, names = BUF_INIT;
	struct buf values = BUF_INIT;
	size_t i, nt = 0, *noff, *voff;
	char *cause = NULL, *tmp;
	const struct hub_territory *t = h->territory;
	const struct hub_node *node;

	/* Fields mostly come in the same order: try the hint first. */
	if (hint < e->nfields) {
		f = &e->fields[hint];
		if (f->klen == lf->key.len &&
		    ingest_bytes_eq(f->key, lf->key.p, f->klen))
			return f;
	}
	for (i = 0; i < e->nfields; i++) {
		f = &e->fields[i];
		if (f->klen == lf->key.len &&
		    memcmp(f->key, lf->key.p, f->klen) == 0)
			return f;
	}
	e->fields = xreallocarray(e->fields, e->nfields + 1, sizeof *e->fields);
	f = &e->fields[e->nfields++];
	memset(f, 0, sizeof *f);
	f->key = xstrndup(lf->key.p, lf->key.len);
	f->klen = lf->key.len;
	f->headline = -1;
	if (pt->ntags > SERIESKEY_TAGS_MAX - 4) {
		f->error =
		    xasprintf("more than %d tags", SERIESKEY_TAGS_MAX - 4);
		return f;
	}

	/* metric: measurement_field, or measurement for field "value" */
	tmp = xstrndup(pt->measurement.p, pt->measurement.len);
	if (strcmp(f->key, "value") == 0)
		serieskey_name_sanitize(&metric, tmp);
	else {
		char *full = xasprintf("%s_%s", tmp, f->key);

		serieskey_name_sanitize(&metric, full);
		free(full);
	}
	free(tmp);

	/* Tag names and values go into two buffers; offsets first, then
	 * pointers, since the buffers move while growing. */
	noff = xcalloc(pt->ntags + 4, sizeof *noff);
	voff = xcalloc(pt->ntags + 4, sizeof *voff);
	for (i = 0; i < pt->ntags && nt < SERIESKEY_TAGS_MAX - 4; i++) {
		const struct lp_tag *lt = &pt->tags[i];

		if (e->node >= 0 &&
		    (ingest_lpstr_eq(&lt->key, "community") ||
		        ingest_lpstr_eq(&lt->key, "subdistrict")))
			continue;
		if (e->sys >= 0 && (ingest_lpstr_eq(&lt->key, "platform") ||
		                       ingest_lpstr_eq(&lt->key, "dept")))
			continue;
		noff[nt] = names.len;
		ingest_tag_name(&names, lt->key.p, lt->key.len);
		buf_putc(&names, '\0');
		voff[nt] = values.len;
		buf_append(&values, lt->value.p, lt->value.len);
		buf_putc(&values, '\0');
		nt++;
	}
	if (e->node >= 0) {
		node = &t->nodes[e->node];
		if (node->level == HUB_LEVEL_GRID) {
			noff[nt] = names.len;
			buf_puts(&names, "community");
			buf_putc(&names, '\0');
			voff[nt] = values.len;
			buf_puts(&values, t->nodes[node->community].code);
			buf_putc(&values, '\0');
			nt++;
		}
		noff[nt] = names.len;
		buf_puts(&names, "subdistrict");
		buf_putc(&names, '\0');
		voff[nt] = values.len;
		buf_puts(&values, t->nodes[node->subdistrict].code);
		buf_putc(&values, '\0');
		nt++;
	}
	if (e->sys >= 0) {
		const struct hub_system *sys = &h->systems->systems[e->sys];

		noff[nt] = names.len;
		buf_puts(&names, "platform");
		buf_putc(&names, '\0');
		voff[nt] = values.len;
		buf_puts(&values, hub_platforms[sys->platform].id);
		buf_putc(&values, '\0');
		nt++;
		noff[nt] = names.len;
		buf_puts(&names, "dept");
		buf_putc(&names, '\0');
		voff[nt] = values.len;
		buf_puts(&values, h->systems->depts[sys->dept].id);
		buf_putc(&values, '\0');
		nt++;
	}
	for (i = 0; i < nt; i++) {
		tags[i].name = buf_str(&names) + noff[i];
		tags[i].value = buf_str(&values) + voff[i];
	}
	if (store_series_intern_tags(
	        h->store, buf_str(&metric), tags, nt, &f->id, &cause) != 0) {
		f->error = xasprintf(
		    "invalid series: %s", cause != NULL ? cause : "?");
		free(cause);
	} else {
		for (i = 0; i < h->config->nheadline; i++) {
			if (strcmp(buf_str(&metric),
			        h->config->headline[i].metric) == 0)
				f->headline = (int)i;
		}
		if (strcmp(buf_str(&metric), "system_up") == 0)
			f->special = INGEST_SYSTEM_UP;
		else if (strcmp(buf_str(&metric), "system_latency_ms") == 0)
			f->special = INGEST_SYSTEM_LATENCY;
	}
	free(noff);
	free(voff);
	buf_free(&metric);
	buf_free(&names);
	buf_free(&values);
	return f;
}

/* May id write a line of entry e?  NULL if yes, else the reason. */
static const char *
ingest_may_write(struct hub *h, const struct hub_identity *id,
    const struct ingest_entry *e, int scope_node)
{
	const struct hub_token *tok = id->token;
	size_t i;

	if (id->role != HUB_ROLE_COLLECTOR) {
		if (e->node >= 0 && scope_node > 0 &&
		    !hub_territory_within(h->territory, e->node, scope_node))
			return "outside the writer's scope";
		return NULL;
	}
	if (tok == NULL)
		return NULL;
	if (e->has_sys && !tok->all_systems) {
		for (i = 0; i < tok->nsystems; i++) {
			if (tok->systems[i] == e->sys)
				break;
		}
		if (e->sys < 0 || i == tok->nsystems)
			return "token may not write for this system";
	}
	if (e->node >= 0 && !tok->all_grids) {
		for (i = 0; i < tok->ncover; i++) {
			if (hub_territory_within(
			        h->territory, e->node, tok->cover[i]))
				break;
		}
		if (i == tok->ncover)
			return "token may not write for this place";
	}
	return NULL;
}

static void
ingest_error(struct hub_ingest_result *res, struct hub *h, size_t line,
    const char *fmt, const char *detail)
{
	json_t *reason;
	char *s;

	if (json_array_size(res->errors) >= (size_t)h->config->max_errors)
		return;
	s = xasprintf(fmt, detail);
	reason = json_string(s);
	if (reason == NULL)
		reason = json_string("(reason not UTF-8)");
	json_array_append_new(res->errors,
	    json_pack("{s:I,s:o}", "line", (json_int_t)line, "reason", reason));
	free(s);
}

/* Count the lines of body that are not blank or comments (a newline
 * inside a quoted string counts as a line: an overestimate). */
static size_t
ingest_count_lines(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	size_t n = 0;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < end && *p != '\n' && *p != '#')
			n++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

static void
ingest_reserve(struct hub_ingest *in, size_t more)
{
	if (in->npoints + more <= in->cpoints)
		return;
	in->cpoints = (in->npoints + more) * 2;
	in->ids = xreallocarray(in->ids, in->cpoints, sizeof *in->ids);
	in->ts = xreallocarray(in->ts, in->cpoints, sizeof *in->ts);
	in->vs = xreallocarray(in->vs, in->cpoints, sizeof *in->vs);
	in->lines = xreallocarray(in->lines, in->cpoints, sizeof *in->lines);
}

void
hub_ingest_body(struct hub *h, const struct hub_identity *id,
    const char *source, const char *body, size_t len, int64_t mul, int64_t div,
    struct hub_ingest_result *res)
{
	struct hub_ingest *in = h->ingest;
	struct hub_status *st = h->status;
	struct lp_body lb;
	const struct lp_point *pt;
	const char *cause, *why;
	struct ingest_entry *e;
	struct ingest_field *f = NULL;
	struct store_write_result wr;
	struct hub_collector *col;
	char *scause = NULL;
	size_t lineno, i, start, duplicates = 0, late = 0, late_rejected = 0;
	int64_t now = hub_now(h), t;
	double v;
	int rc, scope_node = -1, numeric;
	enum hub_reject rj;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	in->npoints = 0;
	if ((long long)ingest_count_lines(body, len) > h->config->max_lines) {
		res->status = 413;
		res->cause =
		    xasprintf("more than %lld lines (limits.max_lines)",
		        h->config->max_lines);
		return;
	}
	if (id->role != HUB_ROLE_COLLECTOR && id->scope != NULL)
		scope_node = hub_territory_find(
		    h->territory, id->scope, strlen(id->scope));
	lp_body_init(&lb, body, len);
	for (;;) {
		rc = lp_body_next(in->lp, &lb, &pt, &lineno, &cause);
		if (rc == LP_END)
			break;
		res->lines++;
		if ((long long)res->lines > h->config->max_lines) {
			res->status = 413;
			res->cause = xasprintf("more than %lld lines "
			                       "(limits.max_lines)",
			    h->config->max_lines);
			in->npoints = 0;
			return;
		}
		if (rc == LP_ERROR) {
			rj = HUB_REJECT_SYNTAX;
			ingest_error(res, h, lineno, "%s", cause);
			goto reject;
		}
		e = ingest_entry_get(h, in, pt, body, len);
		if (e->reject) {
			rj = (enum hub_reject)(e->reject - 1);
			ingest_error(res, h, lineno, "%s", e->reason);
			goto reject;
		}
		if ((why = ingest_may_write(h, id, e, scope_node)) != NULL) {
			rj = HUB_REJECT_SCOPE;
			ingest_error(res, h, lineno, "%s", why);
			goto reject;
		}
		if (pt->has_time) {
			if (pt->time < 0 ||
			    (mul > 1 && pt->time > INT64_MAX / mul)) {
				rj = HUB_REJECT_TIME;
				ingest_error(res, h, lineno, "%s",
				    "timestamp out of range");
				goto reject;
			}
			t = pt->time * mul / div;
		} else
			t = now;
		if (t < 0 || t >= STORE_TIME_MAX) {
			rj = HUB_REJECT_TIME;
			ingest_error(
			    res, h, lineno, "%s", "timestamp out of range");
			goto reject;
		}
		start = in->npoints;
		numeric = 0;
		ingest_reserve(in, pt->nfields);
		for (i = 0; i < pt->nfields; i++) {
			if (lp_field_number(&pt->fields[i], &v) != 0)
				continue; /* string fields are not stored */
			numeric++;
			f = ingest_field_get(h, e, pt, &pt->fields[i], i);
			if (f->error != NULL)
				break;
			in->ids[in->npoints] = f->id;
			in->ts[in->npoints] = t;
			in->vs[in->npoints] = v;
			in->lines[in->npoints] = lineno;
			in->npoints++;
			if (e->node >= 0 && f->headline >= 0)
				st->node_values[(size_t)e->node *
				                    st->nheadline +
				                (size_t)f->headline] = v;
			if (e->sys >= 0 && f->special == INGEST_SYSTEM_UP)
				st->sys_up[e->sys] = v;
			else if (e->sys >= 0 &&
			         f->special == INGEST_SYSTEM_LATENCY)
				st->sys_latency[e->sys] = v;
		}
		if (i < pt->nfields) {
			in->npoints = start;
			rj = HUB_REJECT_NAME;
			ingest_error(res, h, lineno, "%s", f->error);
			goto reject;
		}
		if (numeric == 0) {
			rj = HUB_REJECT_NO_NUMBER;
			ingest_error(res, h, lineno, "%s",
			    "no numeric field (string fields are not stored)");
			goto reject;
		}
		hub_status_touch_node(st, e->node, now);
		hub_status_touch_system(st, e->sys, now, t);
		res->accepted++;
		continue;
	reject:
		res->rejected++;
		hub_status_reject(st, rj, source, 1);
	}
	if (in->npoints > 0) {
		memset(&wr, 0, sizeof wr);
		if (store_write(h->store, in->ids, in->ts, in->vs, in->npoints,
		        &wr, &scause) != 0) {
			res->status = 503;
			res->cause = xasprintf("store: %s",
			    scause != NULL ? scause : "write failed");
			free(scause);
			res->accepted = 0;
			return;
		}
		/* Forwarding queues what was stored before the reply. */
		if (hub_remote_forward_points(h, in->ids, in->ts, in->vs,
		        in->npoints, &scause) != 0) {
			res->status = 503;
			res->cause = xasprintf("forwarding queue: %s",
			    scause != NULL ? scause : "write failed");
			free(scause);
			res->accepted = 0;
			return;
		}
		duplicates = wr.duplicates;
		late_rejected = wr.rejected[STORE_REJECT_LATE];
		late = wr.late + late_rejected;
		res->points = wr.accepted;
		if (wr.accepted < in->npoints) {
			size_t nrej = in->npoints - wr.accepted;

			if (wr.first_rejected < in->npoints)
				ingest_error(res, h,
				    in->lines[wr.first_rejected], "%s",
				    wr.first_reason == STORE_REJECT_LATE
				        ? "point older than the store's late "
				          "window"
				        : "point rejected by the store");
			/* Count rejected points as rejected lines, at most
			 * all the accepted ones. */
			if (nrej > res->accepted)
				nrej = res->accepted;
			res->accepted -= nrej;
			res->rejected += nrej;
			hub_status_reject(st, HUB_REJECT_LATE, source, nrej);
		}
	}
	col = hub_status_collector(st, source);
	col->requests++;
	col->last_ms = now;
	col->lines += res->lines;
	col->points += res->points;
	col->rejected += res->rejected;
	col->duplicates += duplicates;
	col->late += late;
	col->late_rejected += late_rejected;
	st->duplicates += duplicates;
	st->late += late;
	st->late_rejected += late_rejected;
	hub_status_rate_add(st, now, res->points, res->lines, res->rejected);
	h->stats.points_ingested += res->points;
	h->stats.lines_accepted += res->accepted;
	h->stats.lines_rejected += res->rejected;
}
