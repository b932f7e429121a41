/* citybraind --check-config warnings on the systems catalogue and the
 * rules: selectors naming undeclared metrics, metric names declared
 * differently by two systems (see quality.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "hub/systems.h"
#include "lib/conf.h"
#include "lib/selector.h"

/* Does some system declare a metric the matcher m (on __name__) or the
 * plain name accepts? */
static int
lint_declared(const struct hub_systems *ss, const char *name,
    const struct selector_matcher *m)
{
	size_t i, k;

	if (name != NULL && quality_builtin_metric(name))
		return 1;
	for (i = 0; i < ss->nsystems; i++) {
		for (k = 0; k < ss->systems[i].nmetrics; k++) {
			const char *d = ss->systems[i].specs[k].name;

			if (name != NULL ? strcmp(d, name) == 0
			                 : selector_matcher_match(m, d))
				return 1;
		}
	}
	return 0;
}

static void
lint_warn(FILE *out, struct conf_file *cf, json_t *parent, const char *key,
    size_t index, const char *what, const char *msg)
{
	int line = 1, col = 1;

	conf_pos(cf, parent, key, index, &line, &col);
	fprintf(out, "%s:%d:%d: warning: %s: %s\n", conf_file_name(cf), line,
	    col, what, msg);
}

/* Department names in rules.json: ignored, the name is systems.json's
 * (the one department table); one that differs would mislead a reader. */
static size_t
lint_dept_names(struct hub *h, struct conf_file *cf, FILE *out)
{
	json_t *depts = json_object_get(conf_file_root(cf), "departments"), *v;
	const struct hub_systems *ss = h->systems;
	const char *key, *name;
	char what[96], msg[512];
	size_t n = 0;
	int i;

	json_object_foreach(depts, key, v)
	{
		name = json_string_value(json_object_get(v, "name"));
		if (name == NULL || (i = hub_systems_dept(ss, key)) < 0 ||
		    (ss->depts[i].name != NULL &&
		        strcmp(ss->depts[i].name, name) == 0))
			continue;
		snprintf(what, sizeof what, "\"departments.%s.name\"", key);
		snprintf(msg, sizeof msg,
		    "\"%s\" is ignored: department \"%s\" is \"%s\" in %s, "
		    "the one department table (leave the name out)",
		    name, key,
		    ss->depts[i].name != NULL ? ss->depts[i].name : key,
		    ss->path);
		lint_warn(out, cf, v, "name", 0, what, msg);
		n++;
	}
	return n;
}

/* Rules whose selector names a metric no system declares. */
static size_t
lint_rules(struct hub *h, const char *path, FILE *out)
{
	struct conf_file *cf;
	struct selector *sel;
	json_t *rules, *r;
	const char *text, *name;
	char what[96], msg[512];
	size_t i, k, n = 0;
	int ok;

	if ((cf = conf_file_load(path, NULL)) == NULL)
		return 0;
	n = lint_dept_names(h, cf, out);
	rules = json_object_get(conf_file_root(cf), "rules");
	json_array_foreach(rules, i, r)
	{
		text = json_string_value(json_object_get(r, "selector"));
		if (text == NULL ||
		    (sel = selector_parse_cause(text, NULL)) == NULL)
			continue;
		ok = 1;
		name = sel->metric;
		if (name != NULL)
			ok = lint_declared(h->systems, name, NULL);
		for (k = 0; k < sel->n; k++) {
			const struct selector_matcher *m = &sel->m[k];

			if (strcmp(m->name, "__name__") != 0)
				continue;
			if (m->op == SELECTOR_EQ) {
				name = m->value;
				ok =
				    ok && lint_declared(h->systems, name, NULL);
			} else if (m->op == SELECTOR_RE) {
				name = m->value;
				ok = ok && lint_declared(h->systems, NULL, m);
			}
		}
		if (!ok) {
			snprintf(
			    what, sizeof what, "\"rules[%zu].selector\"", i);
			snprintf(msg, sizeof msg,
			    "rule \"%s\" watches metric \"%s\" that no system "
			    "declares in %s (it can never fire)",
			    json_string_value(json_object_get(r, "name")) !=
			            NULL
			        ? json_string_value(json_object_get(r, "name"))
			        : "?",
			    name, h->systems->path);
			lint_warn(out, cf, r, "selector", 0, what, msg);
			n++;
		}
		selector_free(sel);
	}
	conf_file_free(cf);
	return n;
}

static int
lint_str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Metric names two systems declare with another unit or of another
 * department: one name, two meanings. */
static size_t
lint_collisions(struct hub *h, FILE *out)
{
	const struct hub_systems *ss = h->systems;
	struct conf_file *cf;
	json_t *sysarr;
	char what[128], msg[512];
	size_t i, j, k, n = 0;

	if ((cf = conf_file_load(ss->path, NULL)) == NULL)
		return 0;
	sysarr = json_object_get(conf_file_root(cf), "systems");
	for (j = 0; j < ss->nsystems; j++) {
		const struct hub_system *b = &ss->systems[j];

		for (k = 0; k < b->nmetrics; k++) {
			const struct hub_metric *mb = &b->specs[k];

			for (i = 0; i < j; i++) {
				const struct hub_system *a = &ss->systems[i];
				const struct hub_metric *ma =
				    hub_system_metric(a, mb->name);
				const char *why = NULL;

				if (ma == NULL)
					continue;
				if (lint_str_differ(ma->unit, mb->unit))
					why = "another unit";
				else if (a->dept != b->dept)
					why = "another department";
				if (why == NULL)
					continue;
				snprintf(what, sizeof what,
				    "\"systems[%zu].metrics[%zu]\"", j, k);
				snprintf(msg, sizeof msg,
				    "metric \"%s\" of system \"%s\" collides "
				    "with system \"%s\"'s (%s): rules and "
				    "queries on it mix the two",
				    mb->name, b->id, a->id, why);
				lint_warn(out, cf,
				    json_object_get(
				        json_array_get(sysarr, j), "metrics"),
				    NULL, k, what, msg);
				n++;
				break;
			}
		}
	}
	conf_file_free(cf);
	return n;
}

size_t
quality_lint(struct hub *h, const char *rules_path, FILE *out)
{
	size_t n = lint_collisions(h, out);

	if (rules_path != NULL)
		n += lint_rules(h, rules_path, out);
	return n;
}
