/*
 * The Map screen (一图全面感知): every grid one cell, grouped in its
 * subdistrict's block, the blocks placed as the hub's map layout says
 * (GET /api/v1/map: rows of subdistrict codes, north at the top).  When
 * the terminal is too small for that (or the hub has no layout), each
 * subdistrict becomes a band of rows instead.  Cells are coloured by
 * severity or by a metric, and always carry a character too, so the map
 * reads in monochrome.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"

struct map_pos {
	int y, x;
};

struct screen_map {
	struct screen base;
	struct model_grids grids;
	struct model_map layout;
	struct model_tree names; /* the district's subdistricts, for names */
	int have_layout;
	int inflight, layout_inflight;
	int64_t layout_next;
	char *metric;  /* NULL: severity */
	size_t *order; /* grid indexes in drawing order */
	size_t norder;
	struct map_pos *pos; /* screen position of order[i], y<0 hidden */
	size_t cur;          /* index into order */
	int band_top;        /* first band row shown */
	double lo, hi;       /* metric range */
};

static struct screen_map *
mp(struct screen *s)
{
	return (struct screen_map *)s;
}

static int
map_cmp(const void *pa, const void *pb, void *arg)
{
	const struct model_grids *g = arg;
	const struct model_grid *a = &g->v[*(const size_t *)pa];
	const struct model_grid *b = &g->v[*(const size_t *)pb];

	return strcmp(a->code, b->code);
}

static void
map_rebuild(struct screen_map *m)
{
	const char *keep = NULL;
	size_t i;
	char *kept = NULL;
	double v;
	int any = 0;

	if (m->norder > 0 && m->cur < m->norder)
		keep = m->grids.v[m->order[m->cur]].code;
	if (keep != NULL)
		kept = xstrdup(keep);
	free(m->order);
	free(m->pos);
	m->order = m->grids.n ? xcalloc(m->grids.n, sizeof *m->order) : NULL;
	m->pos = m->grids.n ? xcalloc(m->grids.n, sizeof *m->pos) : NULL;
	m->norder = m->grids.n;
	for (i = 0; i < m->grids.n; i++)
		m->order[i] = i;
	if (m->norder > 1)
		qsort_r(
		    m->order, m->norder, sizeof *m->order, map_cmp, &m->grids);
	m->cur = 0;
	for (i = 0; kept != NULL && i < m->norder; i++) {
		if (strcmp(m->grids.v[m->order[i]].code, kept) == 0)
			m->cur = i;
	}
	free(kept);
	m->lo = m->hi = 0;
	for (i = 0; m->metric != NULL && i < m->grids.n; i++) {
		v = model_grid_metric(&m->grids.v[i], m->metric);
		if (isnan(v))
			continue;
		if (!any || v < m->lo)
			m->lo = v;
		if (!any || v > m->hi)
			m->hi = v;
		any = 1;
	}
}

static void
map_grids_done(struct screen *s, struct api_result *res)
{
	struct screen_map *m = mp(s);
	struct model_grids n;
	char *cause = NULL;

	m->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "map: %s", res->error);
		return;
	}
	if (model_grids_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		free(cause);
		return;
	}
	res->body = NULL;
	model_grids_free(&m->grids);
	m->grids = n;
	map_rebuild(m);
}

static void
map_layout_done(struct screen *s, struct api_result *res)
{
	struct screen_map *m = mp(s);
	struct model_map n;
	char *cause = NULL;

	m->layout_inflight = 0;
	if (res->error != NULL) {
		/* No layout served: bands instead. */
		m->have_layout = 0;
		return;
	}
	if (model_map_decode(res->body, &n, &cause) == 0) {
		model_map_free(&m->layout);
		m->layout = n;
		m->have_layout = n.rows > 0 && n.cols > 0;
	} else
		free(cause);
	res->body = NULL;
}

static void
map_names_done(struct screen *s, struct api_result *res)
{
	struct screen_map *m = mp(s);
	struct model_tree n;
	char *cause = NULL;

	if (res->error != NULL)
		return;
	if (model_tree_decode(res->body, &n, &cause) == 0) {
		model_tree_free(&m->names);
		m->names = n;
	} else
		free(cause);
	res->body = NULL;
}

static void
map_refresh(struct screen *s)
{
	struct screen_map *m = mp(s);
	int64_t now = clock_mono_ms();

	if (!m->layout_inflight && now >= m->layout_next) {
		m->layout_inflight = 1;
		m->layout_next = now + 300000;
		app_fetch(s->app, s, "/api/v1/map", map_layout_done);
		app_fetch(s->app, s, "/api/v1/tree", map_names_done);
	}
	if (!m->inflight) {
		m->inflight = 1;
		app_fetch(s->app, s, "/api/v1/grids", map_grids_done);
	}
}

/* Heat level 0..4 of a grid, -1 for no data. */
static int
map_level(struct screen_map *m, const struct model_grid *g)
{
	double v;

	if (m->metric == NULL) {
		switch (g->sev) {
		case SEV_HIGH:
			return 4;
		case SEV_MEDIUM:
			return 3;
		case SEV_LOW:
			return 2;
		case SEV_INFO:
			return 1;
		case SEV_OK:
			return 0;
		}
	}
	v = model_grid_metric(g, m->metric);
	if (isnan(v))
		return -1;
	return spark_level(v, m->lo, m->hi, 5);
}

/* The character of a cell: severity letters, or metric levels. */
static const char *
map_char(struct screen_map *m, int level)
{
	static const char *const sev_c[] = {".", "i", "L", "M", "H"};
	static const char *const lvl_a[] = {"1", "2", "3", "4", "5"};

	if (level < 0)
		return "?";
	if (m->metric == NULL)
		return sev_c[level];
	return lvl_a[level];
}

static void
map_cell(struct screen_map *m, WINDOW *w, size_t i, int y, int x)
{
	const struct model_grid *g = &m->grids.v[m->order[i]];
	int level = map_level(m, g);
	attr_t a = term_heat_attr(level);

	if (i == m->cur)
		a = A_REVERSE | A_BOLD;
	term_put(
	    w, y, x, 1, i == m->cur ? "@" : map_char(m, level), TEXT_LEFT, a);
}

/* Grids [a, z) of order belonging to subdistrict code. */
static void
map_span(struct screen_map *m, const char *code, size_t *a, size_t *z)
{
	size_t i;

	*a = *z = 0;
	for (i = 0; i < m->norder; i++) {
		const char *sd = m->grids.v[m->order[i]].subdistrict;

		if (sd == NULL)
			sd = "";
		if (strcmp(sd, code) == 0) {
			if (*z == 0)
				*a = i;
			*z = i + 1;
		}
	}
}

static const char *
map_sub_name(struct screen_map *m, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < m->names.nchildren; i++) {
		const struct model_node *n = &m->names.children[i];

		if (n->code != NULL && strcmp(n->code, code) == 0)
			return model_label(n->name, n->name_en, n->code);
	}
	return code != NULL ? code : "?";
}

/*
 * Flow grids [a, z) of order into rows iw cells wide, one community after
 * another with a blank cell between them (a community that does not fit
 * in what is left of a row starts the next one, unless it is wider than a
 * row).  Fills pos (relative y, x) when not NULL; returns the rows used.
 */
static int
map_flow(struct screen_map *m, size_t a, size_t z, int iw, struct map_pos *pos)
{
	int y = 0, x = 0;
	size_t i = a, j;

	while (i < z) {
		const char *c = m->grids.v[m->order[i]].community;
		size_t len;

		for (j = i; j < z; j++) {
			const char *c2 = m->grids.v[m->order[j]].community;

			if ((c == NULL) != (c2 == NULL) ||
			    (c != NULL && strcmp(c, c2) != 0))
				break;
		}
		len = j - i;
		if (x > 0 && x + (int)len > iw && (int)len <= iw) {
			y++;
			x = 0;
		}
		for (; i < j; i++) {
			if (x >= iw) {
				y++;
				x = 0;
			}
			if (pos != NULL) {
				pos[i].y = y;
				pos[i].x = x;
			}
			x++;
		}
		if (x < iw)
			x++; /* the gap between communities */
	}
	return z > a ? y + 1 : 0;
}

/* Geographic layout: 1 if everything fitted. */
static int
map_draw_geo(struct screen_map *m, WINDOW *w, int rows, int cols)
{
	int bw, bh, r, c, y, x, cap, iw;
	size_t a, z, i;

	if (!m->have_layout)
		return 0;
	bw = cols / m->layout.cols;
	bh = rows / m->layout.rows;
	iw = bw - 1;
	if (iw < 4 || bh < 3)
		return 0;
	cap = bh - 1; /* rows under the block's name */
	for (r = 0; r < m->layout.rows; r++) {
		for (c = 0; c < m->layout.cols; c++) {
			const char *code =
			    m->layout.cells[r * m->layout.cols + c];

			if (code == NULL)
				continue;
			map_span(m, code, &a, &z);
			if (map_flow(m, a, z, iw, NULL) > cap)
				return 0;
		}
	}
	for (r = 0; r < m->layout.rows; r++) {
		for (c = 0; c < m->layout.cols; c++) {
			const char *code =
			    m->layout.cells[r * m->layout.cols + c];
			if (code == NULL)
				continue;
			map_span(m, code, &a, &z);
			y = r * bh;
			x = c * bw;
			term_put(w, y, x, iw, map_sub_name(m, code), TEXT_LEFT,
			    A_BOLD | A_UNDERLINE);
			map_flow(m, a, z, iw, m->pos);
			for (i = a; i < z; i++) {
				m->pos[i].y += y + 1;
				m->pos[i].x += x;
				map_cell(m, w, i, m->pos[i].y, m->pos[i].x);
			}
		}
	}
	return 1;
}

/* Bands: one block of rows per subdistrict, label on the left; when
 * they do not all fit, the bands scroll to keep the cursor in view. */
static void
map_draw_bands(struct screen_map *m, WINDOW *w, int rows, int cols)
{
	int lw = 11, iw = cols - lw - 1, y, total = 0, h;
	size_t i, start, *band_start, nb = 0, b;
	int *band_y;

	if (iw < 10 || m->norder == 0)
		return;
	band_start = xcalloc(m->norder + 1, sizeof *band_start);
	band_y = xcalloc(m->norder + 1, sizeof *band_y);
	/* Lay out every band at absolute rows first. */
	for (i = 0; i < m->norder;) {
		const char *sd = m->grids.v[m->order[i]].subdistrict;

		start = i;
		while (i < m->norder) {
			const char *s2 = m->grids.v[m->order[i]].subdistrict;

			if ((sd == NULL) != (s2 == NULL) ||
			    (sd != NULL && strcmp(sd, s2) != 0))
				break;
			i++;
		}
		band_start[nb] = start;
		band_y[nb] = total;
		h = map_flow(m, start, i, iw, m->pos);
		for (size_t k = start; k < i; k++)
			m->pos[k].y += total;
		total += h;
		nb++;
	}
	band_start[nb] = m->norder;
	/* Scroll so that the cursor shows. */
	if (m->pos[m->cur].y < m->band_top)
		m->band_top = m->pos[m->cur].y;
	if (m->pos[m->cur].y >= m->band_top + rows)
		m->band_top = m->pos[m->cur].y - rows + 1;
	if (m->band_top > total - rows)
		m->band_top = total - rows > 0 ? total - rows : 0;
	for (b = 0; b < nb; b++) {
		const char *sd =
		    m->grids.v[m->order[band_start[b]]].subdistrict;

		y = band_y[b] - m->band_top;
		if (y >= 0 && y < rows)
			term_put(w, y, 0, lw, map_sub_name(m, sd), TEXT_LEFT,
			    A_BOLD);
		for (i = band_start[b]; i < band_start[b + 1]; i++) {
			struct map_pos p = m->pos[i];

			if (p.y - m->band_top < 0 || p.y - m->band_top >= rows)
				continue;
			map_cell(m, w, i, p.y - m->band_top, lw + 1 + p.x);
		}
	}
	if (m->band_top > 0)
		term_put(w, 0, lw - 2, 1, "^", TEXT_LEFT, A_BOLD);
	if (total - m->band_top > rows)
		term_put(w, rows - 1, lw - 2, 1, "v", TEXT_LEFT, A_BOLD);
	free(band_start);
	free(band_y);
}

static void
map_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_map *m = mp(s);
	const struct model_grid *g;
	struct buf b = BUF_INIT;
	char v[32], age[16];
	size_t i;
	WINDOW *sub;

	if (!s->fetched || m->norder == 0) {
		term_put(w, 1, 2, cols - 4,
		    s->fetched ? "no grids in your scope"
		               : "Loading the map ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	for (i = 0; i < m->norder; i++)
		m->pos[i].y = -1;
	/* Legend. */
	if (m->metric == NULL)
		buf_puts(&b, "colour: severity  H high  M medium  L low  "
		             "i info  . ok  @ cursor");
	else {
		char lo[32], hi[32];

		text_number(m->lo, lo, sizeof lo);
		text_number(m->hi, hi, sizeof hi);
		buf_printf(&b,
		    "colour: %s  1 (%s) .. 5 (%s)  ? no data  @ "
		    "cursor",
		    m->metric, lo, hi);
	}
	term_put(w, 0, 0, cols, buf_str(&b), TEXT_LEFT, term_attr(TERM_DIM));
	sub = derwin(w, rows - 3, cols, 1, 0);
	if (sub != NULL) {
		if (!map_draw_geo(m, sub, rows - 3, cols))
			map_draw_bands(m, sub, rows - 3, cols);
		delwin(sub);
	}
	/* The grid under the cursor. */
	g = &m->grids.v[m->order[m->cur]];
	buf_reset(&b);
	text_age(g->age_s, age, sizeof age);
	buf_printf(&b, "%s %s  %s  %s",
	    model_label(g->name, g->name_en, g->code), g->code,
	    g->community ? g->community : "", model_sev_short(g->sev));
	if (m->metric != NULL) {
		text_number(model_grid_metric(g, m->metric), v, sizeof v);
		buf_printf(&b, "  %s %s", m->metric, v);
	}
	buf_printf(&b, "  alerts %u/%u/%u  data %s", g->alerts.high,
	    g->alerts.medium, g->alerts.low, age);
	term_title(w, rows - 2, 0, cols, "grid under the cursor (Enter opens)");
	term_put(w, rows - 1, 0, cols, buf_str(&b), TEXT_LEFT,
	    term_sev_attr(g->sev));
	buf_free(&b);
}

/* Move to the visible cell nearest (dy, dx) away. */
static void
map_move(struct screen_map *m, int dy, int dx)
{
	struct map_pos c;
	size_t i, best = m->cur;
	long bd = -1, d;

	if (m->norder == 0)
		return;
	if (dy == 0) {
		if (dx < 0 && m->cur > 0)
			m->cur--;
		else if (dx > 0 && m->cur + 1 < m->norder)
			m->cur++;
		return;
	}
	c = m->pos[m->cur];
	for (i = 0; i < m->norder; i++) {
		if (m->pos[i].y < 0 || i == m->cur)
			continue;
		if ((dy < 0 && m->pos[i].y >= c.y) ||
		    (dy > 0 && m->pos[i].y <= c.y))
			continue;
		d = labs((long)(m->pos[i].y - c.y)) * 1000 +
		    labs((long)(m->pos[i].x - c.x));
		if (bd < 0 || d < bd) {
			bd = d;
			best = i;
		}
	}
	m->cur = best;
}

static int
map_nav(struct screen *s, int key)
{
	struct screen_map *m = mp(s);

	switch (key) {
	case KEY_LEFT:
	case 'h':
		map_move(m, 0, -1);
		return 1;
	case KEY_RIGHT:
	case 'l':
		map_move(m, 0, 1);
		return 1;
	case KEY_UP:
	case 'k':
		map_move(m, -1, 0);
		return 1;
	case KEY_DOWN:
	case 'j':
		map_move(m, 1, 0);
		return 1;
	case KEY_HOME:
		m->cur = 0;
		return 1;
	case KEY_END:
		m->cur = m->norder ? m->norder - 1 : 0;
		return 1;
	case KEY_ENTER:
		if (m->norder > 0)
			app_open_grid(
			    s->app, m->grids.v[m->order[m->cur]].code);
		return 1;
	}
	return 0;
}

void
screen_map_set_metric(struct screen *s, const char *metric)
{
	struct screen_map *m = mp(s);

	free(m->metric);
	m->metric =
	    metric != NULL && *metric != '\0' && strcmp(metric, "severity") != 0
	        ? xstrdup(metric)
	        : NULL;
	map_rebuild(m);
}

/* Cycle severity -> each metric the grids carry -> severity. */
static void
map_metric_next(struct app *app, struct screen *s)
{
	struct screen_map *m = mp(s);
	const char *key, *next = NULL;
	json_t *ms, *v;
	int take = m->metric == NULL;

	if (m->grids.n == 0)
		return;
	ms = m->grids.v[0].metrics;
	json_object_foreach(ms, key, v)
	{
		if (take) {
			next = key;
			break;
		}
		if (m->metric != NULL && strcmp(key, m->metric) == 0)
			take = 1;
	}
	screen_map_set_metric(s, next);
	app_message(app, 0, "map colour: %s", next ? next : "severity");
}

/* Jump to the next grid with an alert. */
static void
map_next_alert(struct app *app, struct screen *s)
{
	struct screen_map *m = mp(s);
	size_t i, k;

	for (k = 1; k <= m->norder; k++) {
		i = (m->cur + k) % m->norder;
		if (m->grids.v[m->order[i]].sev >= SEV_LOW) {
			m->cur = i;
			return;
		}
	}
	app_message(app, 0, "no grid with an alert");
}

static const struct binding map_bindings[] = {
    {.key = KEY_ENTER, .keys = "Enter", .help = "open the grid"},
    {.key = KEY_UP,
        .keys = "arrows hjkl",
        .help = "move the cursor from grid to grid"},
    {.key = 'm',
        .key2 = KEY_F(6),
        .keys = "m F6",
        .help = "colour by severity or the next metric",
        .fkey = 6,
        .bar = "Metric",
        .fn = map_metric_next},
    {.key = 'n',
        .key2 = KEY_F(7),
        .keys = "n F7",
        .help = "jump to the next grid with an alert",
        .fkey = 7,
        .bar = "NxAlrt",
        .fn = map_next_alert},
    {.key = 0},
};

static void
map_destroy(struct screen *s)
{
	struct screen_map *m = mp(s);

	model_grids_free(&m->grids);
	model_map_free(&m->layout);
	model_tree_free(&m->names);
	free(m->metric);
	free(m->order);
	free(m->pos);
}

const struct screen_class screen_map_class = {
    .name = "map",
    .title = "Map",
    .tab = "Map",
    .key = '5',
    .size = sizeof(struct screen_map),
    .bindings = map_bindings,
    .destroy = map_destroy,
    .fetch = map_refresh,
    .draw = map_draw,
    .nav = map_nav,
};
