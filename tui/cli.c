/* Non-interactive forms of the console: plain text or the hub's JSON. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/valuelist.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/cli.h"
#include "tui/model.h"
#include "tui/text.h"

const char *const cli_states[] = {"pending", "firing", "acknowledged", "acked",
    "resolved", "closed", "all", NULL};
const char *const cli_severities[] = {"high", "medium", "low", "info", NULL};
const char *const cli_screens[] = {"overview", "territory", "grid", "alerts",
    "map", "systems", "quality", "audit", "reports", NULL};

int
cli_check_values(const char *what, const char *list, const char *const *valid)
{
	struct buf b = BUF_INIT;
	const char *bad;
	size_t n;

	if ((bad = valuelist_unknown(list, valid, &n)) == NULL)
		return 0;
	valuelist_join(&b, valid);
	fprintf(stderr, "citybrain: %s: unknown value \"%.*s\" (one of %s)\n",
	    what, (int)n, bad, buf_str(&b));
	buf_free(&b);
	return -1;
}

/* The hub's HTTP status of the last failed cli_get (0: no answer). */
static long cli_status;

/* GET path; on failure print the error and return NULL. */
static json_t *
cli_get(struct api *api, const char *path)
{
	struct api_result res;
	json_t *body;

	cli_status = 0;
	if (api_request(api, "GET", path, NULL, &res) != 0) {
		fprintf(stderr, "citybrain: %s: %s\n", path, res.error);
		cli_status = res.status;
		api_result_free(&res);
		return NULL;
	}
	body = res.body;
	res.body = NULL;
	api_result_free(&res);
	if (body == NULL)
		fprintf(stderr, "citybrain: %s: empty answer\n", path);
	return body;
}

static void
cli_json(json_t *j, FILE *out)
{
	json_dumpf(j, out, JSON_INDENT(2));
	fputc('\n', out);
}

/* Print one row: cells fitted to widths (0: the rest, unpadded). */
static void
cli_row(FILE *out, const char *const *cells, const int *widths,
    const enum text_align *al, int n)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, "  ");
		if (widths[i] == 0)
			text_clean(&b, cells[i] ? cells[i] : "");
		else
			text_fit(
			    &b, cells[i] ? cells[i] : "", widths[i], al[i]);
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	fprintf(out, "%s\n", buf_str(&b));
	buf_free(&b);
}

int
cli_overview(struct api *api, int json, FILE *out)
{
	struct model_overview ov;
	char *cause = NULL, t1[32], t2[32], when[32], age[16];
	json_t *root;
	time_t now;
	size_t i;
	int k;

	root = cli_get(api, "/api/v1/overview");
	if (root == NULL)
		return 1;
	if (json) {
		cli_json(root, out);
		json_decref(root);
		return 0;
	}
	if (model_overview_decode(root, &ov, &cause) != 0) {
		fprintf(stderr, "citybrain: %s\n", cause);
		free(cause);
		return 1;
	}
	now = ov.time_ms ? (time_t)(ov.time_ms / 1000) : time(NULL);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(out, "%s (%s)  %s  alerts %u: %u high, %u medium, %u low\n",
	    model_label(ov.scope_name ? ov.scope_name : ov.district_name,
	        ov.district_name_en, ov.scope_code),
	    ov.scope_code      ? ov.scope_code
	    : ov.district_code ? ov.district_code
	                       : "?",
	    when, ov.alerts_total, ov.alerts.high, ov.alerts.medium,
	    ov.alerts.low);
	text_number(ov.points_per_s, t1, sizeof t1);
	text_number(ov.rejected_per_s, t2, sizeof t2);
	fprintf(out,
	    "ingest %s points/s, rejected %s/s; silent series %lld, "
	    "stale systems %lld\n\n",
	    t1, t2, ov.series_silent, ov.systems_stale);
	{
		static const int w[] = {24, 7, 4, 4, 5, 7};
		static const enum text_align a[] = {TEXT_LEFT, TEXT_RIGHT,
		    TEXT_RIGHT, TEXT_RIGHT, TEXT_RIGHT, TEXT_RIGHT};
		const char *h[] = {
		    "PLATFORM", "SYSTEMS", "UP", "DOWN", "STALE", "UNKNOWN"};
		char c[5][16];

		cli_row(out, h, w, a, 6);
		for (i = 0; i < ov.nplatforms; i++) {
			const struct model_platform *p = &ov.platforms[i];
			const char *cells[6];

			snprintf(c[0], 16, "%d", p->total);
			snprintf(c[1], 16, "%d", p->up);
			snprintf(c[2], 16, "%d", p->down);
			snprintf(c[3], 16, "%d", p->stale);
			snprintf(c[4], 16, "%d", p->unknown);
			cells[0] = model_label(p->name, p->name_en, p->id);
			for (k = 0; k < 5; k++)
				cells[k + 1] = c[k];
			cli_row(out, cells, w, a, 6);
		}
	}
	fputc('\n', out);
	{
		int w[10] = {14, 6, 4, 4, 4, 6, 4};
		enum text_align a[10] = {TEXT_LEFT, TEXT_LEFT, TEXT_RIGHT,
		    TEXT_RIGHT, TEXT_RIGHT, TEXT_RIGHT, TEXT_RIGHT};
		const char *h[10] = {
		    "SUBDISTRICT", "SEV", "HIGH", "MED", "LOW", "GRIDS", "AGE"};
		const char *mk[3] = {NULL, NULL, NULL};
		char c[8][32];
		int nm = 0;

		if (ov.nsubs > 0) {
			for (k = 0; k < ov.subs[0].nmetrics && nm < 3; k++) {
				mk[nm] = ov.subs[0].metrics[k].key;
				h[7 + nm] = mk[nm];
				w[7 + nm] = (int)strlen(mk[nm]) > 8
				                ? (int)strlen(mk[nm])
				                : 8;
				a[7 + nm] = TEXT_RIGHT;
				nm++;
			}
		}
		cli_row(out, h, w, a, 7 + nm);
		for (i = 0; i < ov.nsubs; i++) {
			const struct model_node *n = &ov.subs[i];
			const char *cells[10];

			snprintf(c[0], 32, "%u", n->alerts.high);
			snprintf(c[1], 32, "%u", n->alerts.medium);
			snprintf(c[2], 32, "%u", n->alerts.low);
			snprintf(c[3], 32, "%d", n->grids);
			text_age(n->age_s, age, sizeof age);
			cells[0] = model_label(n->name, n->name_en, n->code);
			cells[1] = model_sev_short(n->sev);
			cells[2] = c[0];
			cells[3] = c[1];
			cells[4] = c[2];
			cells[5] = c[3];
			cells[6] = age;
			for (k = 0; k < nm; k++) {
				text_number(
				    model_node_metric(n, mk[k]), c[4 + k], 32);
				cells[7 + k] = c[4 + k];
			}
			cli_row(out, cells, w, a, 7 + nm);
		}
	}
	model_overview_free(&ov);
	return 0;
}

/* "6 alerts listed, 5 counted (1 view-only: outside your scope)": the
 * same count as the overview's (docs/api.md "What is counted"). */
static void
cli_alerts_summary(FILE *out, const struct model_alerts *al, unsigned nview,
    unsigned nsilenced)
{
	const char *sep = " (";

	if (!al->has_counted) {
		fprintf(out, "%zu alert%s\n", al->n, al->n == 1 ? "" : "s");
		return;
	}
	fprintf(out, "%zu alert%s listed, %u counted", al->n,
	    al->n == 1 ? "" : "s", model_counts_total(&al->counted));
	if (nview) {
		fprintf(out, "%s%u view-only: outside your scope", sep, nview);
		sep = "; ";
	}
	if (nsilenced) {
		fprintf(out, "%s%u silenced", sep, nsilenced);
		sep = "; ";
	}
	fputs(*sep == ';' ? ")\n" : "\n", out);
}

int
cli_alerts(struct api *api, int json, const char *state, const char *severity,
    const char *code, FILE *out)
{
	int w[] = {8, 4, 12, 5, 28, 10, 0};
	static const enum text_align a[] = {TEXT_LEFT, TEXT_LEFT, TEXT_LEFT,
	    TEXT_RIGHT, TEXT_LEFT, TEXT_LEFT, TEXT_LEFT};
	const char *h[] = {
	    "ID", "SEV", "STATE", "AGE", "PLACE", "ACK BY", "MESSAGE"};
	struct model_alerts al;
	struct buf path = BUF_INIT;
	char *cause = NULL, *e, age[16], *msg = NULL;
	json_t *root;
	size_t i;
	unsigned nview = 0, nsilenced = 0;

	buf_puts(&path, "/api/v1/alerts?limit=10000");
	if (state != NULL) {
		e = api_escape(state);
		buf_printf(&path, "&state=%s", e);
		free(e);
	}
	if (severity != NULL) {
		e = api_escape(severity);
		buf_printf(&path, "&severity=%s", e);
		free(e);
	}
	if (code != NULL) {
		e = api_escape(code);
		buf_printf(&path, "&code=%s", e);
		free(e);
	}
	root = cli_get(api, buf_str(&path));
	buf_free(&path);
	if (root == NULL)
		return cli_status == 400 ? 2 : 1; /* 400: a typo in a filter */
	if (json) {
		cli_json(root, out);
		json_decref(root);
		return 0;
	}
	if (model_alerts_decode(root, &al, &cause) != 0) {
		fprintf(stderr, "citybrain: %s\n", cause);
		free(cause);
		return 1;
	}
	/* Whole ids, to type into `citybrain ack` (a city hub's are
	 * "440304-A000123"). */
	for (i = 0; i < al.n; i++) {
		if (al.v[i].id != NULL && (int)strlen(al.v[i].id) > w[0] &&
		    strlen(al.v[i].id) <= 24)
			w[0] = (int)strlen(al.v[i].id);
	}
	cli_row(out, h, w, a, 7);
	for (i = 0; i < al.n; i++) {
		const struct model_alert *x = &al.v[i];
		const char *cells[7];

		text_age(x->started_ms
		             ? (long long)(time(NULL) - x->started_ms / 1000)
		             : -1,
		    age, sizeof age);
		cells[0] = x->id;
		cells[1] = model_sev_short(x->sev);
		cells[2] = x->state;
		cells[3] = age;
		cells[4] = model_alert_place(x);
		cells[5] = x->ack_by ? x->ack_by : "-";
		cells[6] = model_alert_message(x);
		if (x->view_only) {
			free(msg);
			msg = xasprintf("[view-only] %s", cells[6]);
			cells[6] = msg;
			nview++;
		} else if (x->inhibited_by != NULL) {
			free(msg);
			msg = xasprintf(
			    "[inhibited by %s] %s", x->inhibited_by, cells[6]);
			cells[6] = msg;
		} else if (x->escalation_step > 0) {
			free(msg);
			msg = xasprintf("[escalated %u: %s] %s",
			    x->escalation_step,
			    x->escalated_to != NULL ? x->escalated_to : "?",
			    cells[6]);
			cells[6] = msg;
		}
		if (x->silenced)
			nsilenced++;
		cli_row(out, cells, w, a, 7);
	}
	free(msg);
	cli_alerts_summary(out, &al, nview, nsilenced);
	model_alerts_free(&al);
	return 0;
}

int
cli_ack(struct api *api, const char *id, const char *comment,
    const char *expires, FILE *out)
{
	struct api_result res;
	json_t *body = json_object();
	char *e = api_escape(id), *path;
	int rc = 0;

	path = xasprintf("/api/v1/alerts/%s/ack", e);
	free(e);
	json_object_set_new(body, "comment", json_string(comment));
	if (expires != NULL)
		json_object_set_new(body, "expires", json_string(expires));
	if (api_request(api, "POST", path, body, &res) != 0) {
		fprintf(stderr, "citybrain: ack %s: %s\n", id, res.error);
		rc = 1;
	} else {
		const char *by = json_string_value(
		    json_object_get(json_object_get(res.body, "ack"), "by"));

		fprintf(out, "acknowledged %s%s%s\n", id, by ? " by " : "",
		    by ? by : "");
	}
	api_result_free(&res);
	json_decref(body);
	free(path);
	return rc;
}

int
cli_audit_verify(struct api *api, int json, FILE *out)
{
	json_t *root = cli_get(api, "/api/v1/audit/verify");
	int ok;

	if (root == NULL)
		return 1;
	ok = json_is_true(json_object_get(root, "ok"));
	if (json)
		cli_json(root, out);
	else if (ok)
		fprintf(out, "audit chain intact: %lld entries, head %s\n",
		    (long long)json_integer_value(
		        json_object_get(root, "entries")),
		    json_string_value(json_object_get(root, "head")) ?: "-");
	else
		fprintf(out,
		    "audit chain BROKEN: first bad entry %lld (%s), "
		    "%lld entries\n",
		    (long long)json_integer_value(
		        json_object_get(root, "first_bad")),
		    json_string_value(json_object_get(root, "reason")) ?: "?",
		    (long long)json_integer_value(
		        json_object_get(root, "entries")));
	json_decref(root);
	return ok ? 0 : 1;
}

int
cli_whoami(struct api *api, int json, FILE *out)
{
	json_t *root = cli_get(api, "/api/v1/whoami");
	struct model_whoami w;
	char *cause = NULL;

	if (root == NULL)
		return 1;
	if (json) {
		cli_json(root, out);
		json_decref(root);
		return 0;
	}
	if (model_whoami_decode(root, &w, &cause) != 0) {
		fprintf(stderr, "citybrain: %s\n", cause);
		free(cause);
		return 1;
	}
	fprintf(out, "%s %s scope %s (%s) via %s\n", w.user ? w.user : "?",
	    w.role ? w.role : "?", w.scope ? w.scope : "?",
	    model_label(w.scope_name, NULL, w.scope), w.via ? w.via : "?");
	model_whoami_free(&w);
	return 0;
}
