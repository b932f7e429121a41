/* The Alerts screen's rows (screen-alerts-int.h): cells, sorting,
 * filtering, grouping of many alerts of one rule in one place, tags. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/screen-alerts-int.h"
#include "tui/screen-util.h"
#include "tui/term.h"

const struct table_col alerts_cols[AC_NCOLS] = {
    [AC_SEV] = {.title = "Sev", .width = 4},
    [AC_AGE] = {.title = "Age", .width = 4, .align = TEXT_RIGHT},
    [AC_ID] = {.title = "Id", .width = 8},
    [AC_PLACE] = {.title = "Place", .width = 10, .flex = 2},
    [AC_MESSAGE] = {.title = "Message", .width = 12, .flex = 3},
    [AC_DEPT] = {.title = "Dept", .width = 8, .min_cols = 100},
    [AC_STATE] = {.title = "State", .width = 10},
    [AC_ACK] = {.title = "Ack by", .width = 8},
};

static int
al_is_tagged(struct screen_alerts *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->ntags; i++) {
		if (strcmp(a->tags[i], id) == 0)
			return 1;
	}
	return 0;
}

int
alerts_tagged_cb(void *arg, size_t row)
{
	struct screen_alerts *a = arg;

	return al_is_tagged(a, a->al.v[a->rows[row]].id);
}

int
alerts_in_set(char **set, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		if (strcmp(set[i], s) == 0)
			return 1;
	}
	return 0;
}

void
alerts_set_clear(char ***set, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*set)[i]);
	free(*set);
	*set = NULL;
	*n = 0;
}

void
alerts_tags_clear(struct screen_alerts *a)
{
	size_t i;

	for (i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
	a->tags = NULL;
	a->ntags = 0;
}

static const char *
al_short_state(const char *st)
{
	if (strcmp(st, "acknowledged") == 0)
		return "acked";
	return st;
}

static int al_match(const char *f, const struct model_alert *x);

void
alerts_row_members(struct screen_alerts *a, size_t row,
    void (*fn)(const struct model_alert *x, void *arg), void *arg)
{
	const struct model_alert *x = &a->al.v[a->rows[row]];
	size_t i;

	if (a->rowcnt == NULL || a->rowcnt[row] <= 1 || x->group == NULL) {
		fn(x, arg);
		return;
	}
	fn(x, arg);
	for (i = 0; i < a->al.n; i++) {
		const struct model_alert *y = &a->al.v[i];

		if (y != x && y->group != NULL &&
		    strcmp(y->group, x->group) == 0 &&
		    al_match(a->base.filter, y))
			fn(y, arg);
	}
}

/* What a group row's members add up to. */
struct al_tally {
	unsigned n, acked, same_state, same_ack;
	const char *state, *ack_by;
	int silenced, inhibited, bad;
	unsigned step; /* the furthest escalation step */
};

static void
al_tally_one(const struct model_alert *x, void *arg)
{
	struct al_tally *t = arg;

	if (t->n++ == 0) {
		t->state = x->state;
		t->ack_by = x->ack_by;
		t->same_state = t->same_ack = 1;
	}
	t->same_state &= strcmp(t->state, x->state) == 0;
	t->same_ack &= (t->ack_by == NULL) == (x->ack_by == NULL) &&
	               (x->ack_by == NULL || strcmp(t->ack_by, x->ack_by) == 0);
	t->acked += strcmp(x->state, "acknowledged") == 0;
	t->silenced |= x->silenced;
	t->inhibited |= x->inhibited_by != NULL;
	t->bad |= x->escalated || x->overdue;
	if (x->escalation_step > t->step)
		t->step = x->escalation_step;
}

/* The state of a row: its alert's, or for a group the members' own
 * ("acked" only when all are; "2/3 acked" when some are). */
static void
al_state_cell(struct screen_alerts *a, size_t row, struct buf *b, attr_t *at)
{
	struct al_tally t = {0};

	alerts_row_members(a, row, al_tally_one, &t);
	if (t.same_state)
		buf_puts(b, al_short_state(t.state));
	else if (t.acked > 0)
		buf_printf(b, "%u/%u acked", t.acked, t.n);
	else
		buf_printf(b, "%u mixed", t.n);
	if (t.silenced)
		buf_puts(b, " (s)");
	if (t.inhibited)
		buf_puts(b, " (i)");
	if (t.bad) {
		buf_puts(b, "!");
		if (t.step > 0) /* "firing!2": escalated to step 2 */
			buf_printf(b, "%u", t.step);
		*at = term_attr(TERM_BAD);
	}
}

static void
al_ack_cell(struct screen_alerts *a, size_t row, struct buf *b)
{
	struct al_tally t = {0};

	alerts_row_members(a, row, al_tally_one, &t);
	if (t.same_ack && t.ack_by != NULL)
		buf_puts(b, t.ack_by);
	else if (!t.same_ack)
		buf_puts(b, "several");
}

void
alerts_cell(void *arg, size_t row, int col, struct buf *b, attr_t *at)
{
	struct screen_alerts *a = arg;
	const struct model_alert *x = &a->al.v[a->rows[row]];

	switch (col) {
	case AC_SEV:
		su_sev_cell(b, at, x->sev);
		break;
	case AC_AGE:
		su_age_cell(b, at,
		    x->started_ms ? (app_now_ms() - x->started_ms) / 1000 : -1,
		    0, 0);
		*at = A_NORMAL;
		break;
	case AC_ID:
		buf_puts(b, x->id);
		if (attention_is_new(a->base.app->att, x->id)) {
			buf_putc(b, '*'); /* new since you looked */
			*at |= A_BOLD;
		}
		break;
	case AC_PLACE:
		buf_puts(b, model_alert_place(x));
		break;
	case AC_MESSAGE:
		if (a->rowcnt != NULL && a->rowcnt[row] > 1)
			buf_printf(b, "[+%u like it] ", a->rowcnt[row] - 1);
		if (x->view_only)
			buf_puts(b, "[view-only] ");
		buf_puts(b, model_alert_message(x));
		break;
	case AC_DEPT:
		buf_puts(b, x->dept ? x->dept : "");
		break;
	case AC_STATE:
		al_state_cell(a, row, b, at);
		break;
	case AC_ACK:
		al_ack_cell(a, row, b);
		break;
	}
}

/* ---- Sorting and filtering --------------------------------------------- */

static int
al_strcmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int
al_cmp(const void *pa, const void *pb, void *arg)
{
	struct screen_alerts *s = arg;
	const struct model_alert *a = &s->al.v[*(const size_t *)pa];
	const struct model_alert *b = &s->al.v[*(const size_t *)pb];
	int c = 0;

	switch (s->tab.sort_col) {
	case AC_SEV:
		c = (int)b->sev - (int)a->sev;
		break;
	case AC_AGE:
		c = a->started_ms < b->started_ms   ? 1
		    : a->started_ms > b->started_ms ? -1
		                                    : 0;
		break;
	case AC_ID:
		c = al_strcmp(a->id, b->id);
		break;
	case AC_PLACE:
		c = al_strcmp(a->code, b->code);
		break;
	case AC_MESSAGE:
		c = al_strcmp(a->message, b->message);
		break;
	case AC_DEPT:
		c = al_strcmp(a->dept, b->dept);
		break;
	case AC_STATE:
		c = al_strcmp(a->state, b->state);
		break;
	case AC_ACK:
		c = al_strcmp(a->ack_by, b->ack_by);
		break;
	}
	if (c == 0 && s->tab.sort_col != AC_SEV)
		c = (int)b->sev - (int)a->sev;
	if (c == 0)
		c = a->started_ms < b->started_ms   ? 1
		    : a->started_ms > b->started_ms ? -1
		                                    : 0;
	if (c == 0)
		c = al_strcmp(a->id, b->id);
	return s->tab.sort_desc ? -c : c;
}

static int
al_match(const char *f, const struct model_alert *x)
{
	return su_match(f, x->id) || su_match(f, x->place) ||
	       su_match(f, x->message) || su_match(f, x->code) ||
	       su_match(f, x->place_en) || su_match(f, x->message_en) ||
	       su_match(f, x->dept) || su_match(f, x->state) ||
	       su_match(f, model_sev_name(x->sev)) || su_match(f, x->rule) ||
	       su_match(f, x->ack_by);
}

void
alerts_rebuild(struct screen_alerts *a)
{
	size_t i, j, k, n = 0;

	free(a->rows);
	free(a->rowcnt);
	a->rows = a->al.n ? xcalloc(a->al.n, sizeof *a->rows) : NULL;
	a->rowcnt = a->al.n ? xcalloc(a->al.n, sizeof *a->rowcnt) : NULL;
	a->nrows = 0;
	for (i = 0; i < a->al.n; i++) {
		if (al_match(a->base.filter, &a->al.v[i]))
			a->rows[a->nrows++] = i;
	}
	if (a->nrows > 1)
		qsort_r(a->rows, a->nrows, sizeof *a->rows, al_cmp, a);
	if (a->grouped) {
		/* Keep the first (by the sort) alert of each collapsed group
		 * and count its members; expanded groups stay whole. */
		for (i = 0; i < a->nrows; i++) {
			const char *g = a->al.v[a->rows[i]].group;
			unsigned cnt = 1;
			int seen = 0;

			if (g != NULL &&
			    !alerts_in_set(a->expanded, a->nexpanded, g)) {
				for (k = 0; k < n && !seen; k++) {
					const char *h =
					    a->al.v[a->rows[k]].group;

					seen = h != NULL && strcmp(h, g) == 0;
				}
				if (seen)
					continue;
				for (j = i + 1; j < a->nrows; j++) {
					const char *h =
					    a->al.v[a->rows[j]].group;

					cnt += h != NULL && strcmp(h, g) == 0;
				}
			}
			a->rows[n] = a->rows[i];
			a->rowcnt[n] = cnt;
			n++;
		}
		a->nrows = n;
	}
	table_set_rows(&a->tab, a->nrows);
}
