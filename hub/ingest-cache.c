/* The ingest tag-set cache: classification, enrichment, series ids. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest-int.h"
#include "hub/ingest-limits.h"
#include "hub/ingest.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

static void
ingest_entry_free(struct ingest_entry *e)
{
	size_t i;

	for (i = 0; i < e->nfields; i++) {
		free(e->fields[i].key);
		free(e->fields[i].skey);
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

/* The territory tags, most precise first, and how each is refused. */
static const struct {
	const char *tag;
	enum hub_level level;
	enum hub_reject unknown;
} ingest_places[] = {
    {"grid", HUB_LEVEL_GRID, HUB_REJECT_UNKNOWN_GRID},
    {"community", HUB_LEVEL_COMMUNITY, HUB_REJECT_UNKNOWN_COMMUNITY},
    {"subdistrict", HUB_LEVEL_SUBDISTRICT, HUB_REJECT_UNKNOWN_SUBDISTRICT},
};
#define INGEST_NPLACES (sizeof ingest_places / sizeof *ingest_places)

/*
 * Classify a new tag set: territory, system, rejection.  Every territory
 * tag must name a node of its level, and the coarser ones must contain
 * the most precise one (e->place), so that checking the write scope on
 * e->place holds it for every territory tag of the line.
 */
static void
ingest_entry_classify(struct hub *h, struct hub_ingest *in,
    struct ingest_entry *e, const struct lp_point *pt)
{
	const struct hub_territory *t = h->territory;
	const struct lp_str *tag[INGEST_NPLACES] = {NULL}, *sys = NULL;
	int node[INGEST_NPLACES];
	size_t i, k;

	e->node = e->sys = e->place = -1;
	for (i = 0; i < pt->ntags; i++) {
		for (k = 0; k < INGEST_NPLACES; k++) {
			if (ingest_lpstr_eq(
			        &pt->tags[i].key, ingest_places[k].tag))
				tag[k] = &pt->tags[i].value;
		}
		if (ingest_lpstr_eq(&pt->tags[i].key, "system"))
			sys = &pt->tags[i].value;
	}
	for (k = 0; k < INGEST_NPLACES; k++) {
		node[k] = -1;
		if (tag[k] == NULL)
			continue;
		e->has_place = 1;
		node[k] = hub_territory_find(t, tag[k]->p, tag[k]->len);
		if (node[k] < 0 ||
		    t->nodes[node[k]].level != ingest_places[k].level) {
			e->reject = (int)ingest_places[k].unknown + 1;
			e->reason = xasprintf("unknown %s \"%.*s\"",
			    ingest_places[k].tag, (int)tag[k]->len, tag[k]->p);
			return;
		}
		if (e->place < 0)
			e->place = node[k];
		else if (!hub_territory_within(t, e->place, node[k])) {
			e->reject = HUB_REJECT_PLACE + 1;
			e->reason = xasprintf("%s \"%s\" is not in %s \"%s\"",
			    hub_level_name(t->nodes[e->place].level),
			    t->nodes[e->place].code, ingest_places[k].tag,
			    t->nodes[node[k]].code);
			return;
		}
	}
	e->node = node[0] >= 0 ? node[0] : node[1];
	if (sys != NULL) {
		e->has_sys = 1;
		e->sys = hub_systems_find(h->systems, sys->p, sys->len);
		if (e->sys < 0)
			in->unknown_systems++;
	}
}

struct ingest_entry *
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
	e = xcalloc(1, sizeof *e);
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->klen = klen;
	e->hash = hash;
	ingest_entry_classify(h, in, e, pt);
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
struct ingest_field *
ingest_field_get(struct hub *h, struct ingest_entry *e,
    const struct lp_point *pt, const struct lp_field *lf, size_t hint)
{
	struct ingest_field *f;
	struct serieskey_tag tags[SERIESKEY_TAGS_MAX];
	struct buf metric = BUF_INIT, names = BUF_INIT;
	struct buf values = BUF_INIT, skey = BUF_INIT;
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
	if (serieskey_build(&skey, buf_str(&metric), tags, nt, &cause) != 0) {
		f->error = xasprintf(
		    "invalid series: %s", cause != NULL ? cause : "?");
		free(cause);
	} else {
		f->skey = buf_detach(&skey);
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
	buf_free(&skey);
	return f;
}

/*
 * Give f its series id: the existing series, or a new one while writer
 * source is inside its new-series quotas (*created counts the request's
 * new series).  NULL, or why not (borrowed).
 */
const char *
ingest_field_resolve(struct hub *h, struct ingest_field *f, const char *source,
    int64_t now, size_t *created)
{
	const char *why;
	char *cause = NULL;

	if (f->id != 0)
		return NULL;
	if (store_series_lookup(
	        h->store, f->skey, strlen(f->skey), &f->id, NULL) != 0) {
		why = hub_ingest_quota_take(
		    h->ingest->quota, h->config, source, now, *created);
		if (why != NULL)
			return why;
		if (store_series_intern(h->store, f->skey, strlen(f->skey),
		        &f->id, &cause) != 0) {
			f->id = 0;
			f->error = xasprintf(
			    "invalid series: %s", cause != NULL ? cause : "?");
			free(cause);
			return f->error;
		}
		(*created)++;
	}
	free(f->skey);
	f->skey = NULL;
	return NULL;
}
