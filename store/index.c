/* The in-memory series index: key hash, postings, selector matching. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/index.h"

uint32_t
index_hash(const char *key, size_t len)
{
	const uint64_t m = UINT64_C(0x9e3779b97f4a7c15);
	uint64_t h = UINT64_C(0x243f6a8885a308d3) ^ (len * m), w;

	while (len >= 8) {
		memcpy(&w, key, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
		key += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, key, len);
	h = (h ^ w) * m;
	h ^= h >> 32;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 31;
	return (uint32_t)h;
}

/* ---- strmap ---- */

static void
strmap_grow(struct strmap *m)
{
	uint32_t i, size = (m->tmask + 1) * 2;

	if (size < 16)
		size = 16;
	free(m->tab);
	m->tab = xcalloc(size, sizeof *m->tab);
	m->tmask = size - 1;
	for (i = 0; i < m->n; i++) {
		uint32_t j = m->ents[i].hash & m->tmask;

		while (m->tab[j] != 0)
			j = (j + 1) & m->tmask;
		m->tab[j] = i + 1;
	}
}

static void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t len = strlen(key);
	uint32_t h = index_hash(key, len), j;

	if (m->tab == NULL)
		return NULL;
	for (j = h & m->tmask; m->tab[j] != 0; j = (j + 1) & m->tmask) {
		const struct strmap_ent *e = &m->ents[m->tab[j] - 1];

		if (e->hash == h && strcmp(e->key, key) == 0)
			return e->val;
	}
	return NULL;
}

/* Entry for key, created with val NULL if new; *added set when new. */
static struct strmap_ent *
strmap_put(struct strmap *m, const char *key, size_t *mem)
{
	size_t len = strlen(key);
	uint32_t h = index_hash(key, len), j;

	if (m->tab == NULL || (m->n + 1) * 2 > m->tmask + 1) {
		if (mem != NULL)
			*mem += (m->tmask + 1) * sizeof *m->tab;
		strmap_grow(m);
	}
	for (j = h & m->tmask; m->tab[j] != 0; j = (j + 1) & m->tmask) {
		struct strmap_ent *e = &m->ents[m->tab[j] - 1];

		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	}
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 4 : m->cap * 2;
		m->ents = xreallocarray(m->ents, m->cap, sizeof *m->ents);
		if (mem != NULL)
			*mem += m->cap / 2 * sizeof *m->ents;
	}
	m->ents[m->n].key = xstrdup(key);
	m->ents[m->n].hash = h;
	m->ents[m->n].val = NULL;
	m->tab[j] = ++m->n;
	if (mem != NULL)
		*mem += len + 1 + 16;
	return &m->ents[m->n - 1];
}

static void
strmap_free(struct strmap *m, void (*freeval)(void *))
{
	uint32_t i;

	for (i = 0; i < m->n; i++) {
		if (freeval != NULL)
			freeval(m->ents[i].val);
		free(m->ents[i].key);
	}
	free(m->ents);
	free(m->tab);
	memset(m, 0, sizeof *m);
}

static void
posting_free(void *p)
{
	struct posting *pg = p;

	free(pg->ids);
	free(pg);
}

static void
tagname_free(void *p)
{
	struct tagname *tn = p;

	strmap_free(&tn->values, posting_free);
	free(tn);
}

/* ---- index ---- */

void
index_init(struct index *ix)
{
	memset(ix, 0, sizeof *ix);
}

void
index_free(struct index *ix)
{
	uint32_t id;

	for (id = 1; id <= ix->n; id++) {
		struct series *s = &ix->series[id];

		free(s->key);
		if (s->sealed != NULL) {
			chunk_enc_free(s->sealed);
			free(s->sealed);
		}
		if (s->open != NULL) {
			chunk_enc_free(s->open);
			free(s->open);
		}
		if (s->agg != NULL) {
			headagg_free(s->agg);
			free(s->agg);
		}
	}
	free(ix->series);
	free(ix->tab);
	strmap_free(&ix->tags, tagname_free);
	memset(ix, 0, sizeof *ix);
}

uint32_t
index_lookup(const struct index *ix, const char *key, size_t len, uint32_t hash)
{
	uint32_t j;

	if (ix->tab == NULL)
		return 0;
	for (j = hash & ix->tmask; ix->tab[j] != 0; j = (j + 1) & ix->tmask) {
		const struct series *s = &ix->series[ix->tab[j]];

		if (s->hash == hash && memcmp(s->key, key, len) == 0 &&
		    s->key[len] == '\0')
			return ix->tab[j];
	}
	return 0;
}

static void
index_tab_insert(struct index *ix, uint32_t id)
{
	uint32_t j;

	for (j = ix->series[id].hash & ix->tmask; ix->tab[j] != 0;
	     j = (j + 1) & ix->tmask)
		;
	ix->tab[j] = id;
}

static void
index_tab_grow(struct index *ix)
{
	uint32_t size = (ix->tmask + 1) * 2, id;

	if (size < 1024)
		size = 1024;
	ix->mem -= ix->tab == NULL ? 0 : (ix->tmask + 1) * sizeof *ix->tab;
	free(ix->tab);
	ix->tab = xcalloc(size, sizeof *ix->tab);
	ix->tmask = size - 1;
	ix->mem += size * sizeof *ix->tab;
	for (id = 1; id <= ix->n; id++) {
		if (ix->series[id].key != NULL)
			index_tab_insert(ix, id);
	}
}

static void
index_posting_add(
    struct index *ix, const char *name, const char *value, uint32_t id)
{
	struct strmap_ent *e;
	struct tagname *tn;
	struct posting *pg;

	e = strmap_put(&ix->tags, name, &ix->mem);
	if ((tn = e->val) == NULL) {
		tn = e->val = xcalloc(1, sizeof *tn);
		tn->name = e->key;
		ix->mem += sizeof *tn;
	}
	e = strmap_put(&tn->values, value, &ix->mem);
	if ((pg = e->val) == NULL) {
		pg = e->val = xcalloc(1, sizeof *pg);
		pg->value = e->key;
		ix->mem += sizeof *pg;
	}
	if (pg->n == pg->cap) {
		uint32_t cap = pg->cap < 4 ? 4 : pg->cap * 2;

		pg->ids = xreallocarray(pg->ids, cap, sizeof *pg->ids);
		ix->mem += (cap - pg->cap) * sizeof *pg->ids;
		pg->cap = cap;
	}
	pg->ids[pg->n++] = id;
}

uint32_t
index_add(
    struct index *ix, uint32_t id, const char *key, size_t len, char **cause)
{
	struct serieskey sk;
	struct series *s;
	size_t i;

	if (serieskey_parse(key, len, &sk, cause) != 0)
		return 0;
	if (id == 0)
		id = ix->n + 1;
	if (id >= ix->cap) {
		uint32_t cap = ix->cap < 64 ? 64 : ix->cap;

		while (cap <= id)
			cap *= 2;
		ix->series = xreallocarray(ix->series, cap, sizeof *ix->series);
		memset(ix->series + ix->cap, 0,
		    (cap - ix->cap) * sizeof *ix->series);
		ix->mem += (cap - ix->cap) * sizeof *ix->series;
		ix->cap = cap;
	}
	if (id > ix->n)
		ix->n = id;
	s = &ix->series[id];
	s->key = xstrndup(key, len);
	s->hash = index_hash(key, len);
	s->first_t = s->last_t = s->closed_max_t = -1;
	s->last_write_ms = -1;
	s->w_last_t = s->w_last_write_ms = -1;
	ix->mem += len + 1;
	if (ix->tab == NULL || (size_t)ix->n * 2 > (size_t)ix->tmask + 1)
		index_tab_grow(ix);
	else
		index_tab_insert(ix, id);
	index_posting_add(ix, "__name__", sk.metric, id);
	for (i = 0; i < sk.ntags; i++)
		index_posting_add(ix, sk.tags[i].name, sk.tags[i].value, id);
	serieskey_free(&sk);
	return id;
}

/* ---- matching ---- */

struct idset {
	uint32_t *ids;
	size_t n;
	int all; /* not yet restricted */
};

static void
bm_set(uint64_t *bm, uint32_t id)
{
	bm[id >> 6] |= UINT64_C(1) << (id & 63);
}

static int
bm_get(const uint64_t *bm, uint32_t id)
{
	return (bm[id >> 6] >> (id & 63)) & 1;
}

/* Keep (keep=1) or drop (keep=0) the ids marked in bm. */
static void
idset_filter(
    const struct index *ix, struct idset *set, const uint64_t *bm, int keep)
{
	size_t i, j = 0;
	uint32_t id;

	if (set->all) {
		set->ids = xreallocarray(NULL, ix->n + 1, sizeof *set->ids);
		for (id = 1; id <= ix->n; id++) {
			if (ix->series[id].key != NULL &&
			    bm_get(bm, id) == keep)
				set->ids[j++] = id;
		}
		set->all = 0;
		set->n = j;
		return;
	}
	for (i = 0; i < set->n; i++) {
		if (bm_get(bm, set->ids[i]) == keep)
			set->ids[j++] = set->ids[i];
	}
	set->n = j;
}

/* Intersect with one posting list by merging. */
static void
idset_intersect(struct idset *set, const struct posting *pg)
{
	size_t i = 0, j = 0, k = 0;

	if (set->all) {
		set->ids = xreallocarray(NULL, pg->n + 1, sizeof *set->ids);
		memcpy(set->ids, pg->ids, pg->n * sizeof *pg->ids);
		set->n = pg->n;
		set->all = 0;
		return;
	}
	while (i < set->n && j < pg->n) {
		if (set->ids[i] < pg->ids[j])
			i++;
		else if (set->ids[i] > pg->ids[j])
			j++;
		else {
			set->ids[k++] = set->ids[i];
			i++;
			j++;
		}
	}
	set->n = k;
}

static void
idset_clear(struct idset *set)
{
	free(set->ids);
	set->ids = NULL;
	set->n = 0;
	set->all = 0;
}

static void
match_one(const struct index *ix, struct idset *set, const char *name,
    const struct selector_matcher *m, const char *eq, uint64_t *bm,
    size_t words)
{
	const struct tagname *tn = strmap_get(&ix->tags, name);
	int empty_ok, any = 0;
	uint32_t i, k;

	if (eq != NULL) {
		const struct posting *pg;

		pg = tn == NULL ? NULL : strmap_get(&tn->values, eq);
		if (pg == NULL)
			idset_clear(set);
		else
			idset_intersect(set, pg);
		return;
	}
	empty_ok = selector_matcher_match(m, "");
	memset(bm, 0, words * sizeof *bm);
	for (i = 0; tn != NULL && i < tn->values.n; i++) {
		const struct posting *pg = tn->values.ents[i].val;

		/* Keep the values that match, or drop those that do not. */
		if (selector_matcher_match(m, pg->value) == !empty_ok) {
			for (k = 0; k < pg->n; k++)
				bm_set(bm, pg->ids[k]);
			any = 1;
		}
	}
	if (empty_ok) {
		if (any)
			idset_filter(ix, set, bm, 0);
	} else if (!any)
		idset_clear(set);
	else
		idset_filter(ix, set, bm, 1);
}

void
index_match(const struct index *ix, const struct selector *sel, uint32_t **ids,
    size_t *n)
{
	struct idset set = {NULL, 0, 1};
	size_t words = (ix->n + 64) / 64, i;
	uint64_t *bm;
	uint32_t id;
	int pass;

	bm = xcalloc(words, sizeof *bm);
	if (sel != NULL && sel->metric != NULL)
		match_one(ix, &set, "__name__", NULL, sel->metric, bm, words);
	/* Equality matchers narrow fastest; do them first. */
	for (pass = 0; sel != NULL && pass < 2; pass++) {
		for (i = 0; i < sel->n && (set.all || set.n > 0); i++) {
			const struct selector_matcher *m = &sel->m[i];
			int eq = m->op == SELECTOR_EQ && m->value[0] != '\0';

			if (eq != (pass == 0))
				continue;
			match_one(ix, &set, m->name, m, eq ? m->value : NULL,
			    bm, words);
		}
	}
	free(bm);
	if (set.all) {
		set.ids = xreallocarray(NULL, ix->n + 1, sizeof *set.ids);
		for (id = 1; id <= ix->n; id++) {
			if (ix->series[id].key != NULL)
				set.ids[set.n++] = id;
		}
	}
	*ids = set.ids;
	*n = set.n;
}

static int
key_cmp(const void *a, const void *b, void *arg)
{
	const struct index *ix = arg;

	return strcmp(ix->series[*(const uint32_t *)a].key,
	    ix->series[*(const uint32_t *)b].key);
}

void
index_sort_by_key(const struct index *ix, uint32_t *ids, size_t n)
{
	if (n > 1)
		qsort_r(ids, n, sizeof *ids, key_cmp, (void *)ix);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
index_tag_values(const struct index *ix, const char *tag, const uint32_t *ids,
    size_t n, size_t *count)
{
	const struct tagname *tn = strmap_get(&ix->tags, tag);
	uint64_t *bm = NULL;
	char **v;
	size_t nv = 0, i;
	uint32_t k;

	v = xcalloc((tn == NULL ? 0 : tn->values.n) + 1, sizeof *v);
	if (ids != NULL) {
		bm = xcalloc((ix->n + 64) / 64, sizeof *bm);
		for (i = 0; i < n; i++)
			bm_set(bm, ids[i]);
	}
	for (i = 0; tn != NULL && i < tn->values.n; i++) {
		const struct posting *pg = tn->values.ents[i].val;

		for (k = 0; k < pg->n; k++) {
			if (bm == NULL || bm_get(bm, pg->ids[k]))
				break;
		}
		if (k < pg->n)
			v[nv++] = xstrdup(pg->value);
	}
	free(bm);
	qsort(v, nv, sizeof *v, str_cmp);
	if (count != NULL)
		*count = nv;
	return v;
}

char **
index_tag_names(const struct index *ix, size_t *count)
{
	char **v = xcalloc(ix->tags.n + 1, sizeof *v);
	size_t nv = 0;
	uint32_t i;

	for (i = 0; i < ix->tags.n; i++) {
		if (strcmp(ix->tags.ents[i].key, "__name__") != 0)
			v[nv++] = xstrdup(ix->tags.ents[i].key);
	}
	qsort(v, nv, sizeof *v, str_cmp);
	if (count != NULL)
		*count = nv;
	return v;
}

int
index_key_tag(const char *key, const char *name, struct buf *out)
{
	const char *p = strchr(key, '{');
	size_t nlen = strlen(name);

	if (p == NULL)
		return -1;
	p++;
	while (*p != '\0' && *p != '}') {
		const char *n = p;
		int hit;

		while (*p != '=' && *p != '\0')
			p++;
		hit = (size_t)(p - n) == nlen && memcmp(n, name, nlen) == 0;
		if (*p == '\0' || p[1] != '"')
			return -1;
		p += 2;
		while (*p != '"' && *p != '\0') {
			if (*p == '\\' && p[1] != '\0') {
				p++;
				if (hit)
					buf_putc(out, *p == 'n' ? '\n' : *p);
			} else if (hit)
				buf_putc(out, *p);
			p++;
		}
		if (hit)
			return 0;
		if (*p == '"')
			p++;
		if (*p == ',')
			p++;
	}
	return -1;
}
