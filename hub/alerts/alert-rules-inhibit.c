/* The "inhibits" member of an alert rule: reading and checking it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-inhibit.h"
#include "lib/buf.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

struct inhibit_raw {
	char **rules;
	char *scope;
};

static const struct conf_field inhibit_fields[] = {
    {"rules", CONF_STRARRAY, 0, offsetof(struct inhibit_raw, rules), 0, 0},
    {"scope", CONF_STRING, 0, offsetof(struct inhibit_raw, scope), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

int
alert_rules_inhibits_read(
    struct conf_file *cf, json_t *arr, struct alert_rule *out, char **cause)
{
	size_t i, n = json_array_size(arr);

	if (n == 0) {
		*cause = conf_error(cf, arr, NULL, 0,
		    "list at least one {\"rules\": [...], \"scope\": ...}");
		return -1;
	}
	out->inhibits = xcalloc(n, sizeof *out->inhibits);
	for (i = 0; i < n; i++) {
		json_t *obj = json_array_get(arr, i);
		struct inhibit_raw raw;

		if (!json_is_object(obj)) {
			*cause =
			    conf_error(cf, arr, NULL, i, "expected an object");
			return -1;
		}
		memset(&raw, 0, sizeof raw);
		if (conf_object_read(cf, obj, inhibit_fields, &raw, cause) != 0)
			goto fail;
		if (raw.rules != NULL && raw.rules[0] == NULL) {
			*cause = conf_error(cf, obj, "rules", 0,
			    "list at least one rule, or leave \"rules\" out "
			    "for the lower severities of the same metric");
			goto fail;
		}
		if (raw.scope != NULL && strcmp(raw.scope, "same") != 0 &&
		    strcmp(raw.scope, "below") != 0) {
			*cause = conf_error(cf, obj, "scope", 0,
			    "expected \"same\" or \"below\"");
			goto fail;
		}
		out->inhibits[i].rules = raw.rules;
		out->inhibits[i].below =
		    raw.scope != NULL && strcmp(raw.scope, "below") == 0;
		out->ninhibits++;
		free(raw.scope);
		continue;
	fail:
		conf_strarray_free(raw.rules);
		free(raw.scope);
		return -1;
	}
	return 0;
}

/*
 * Mutual inhibition: rule A inhibits B and B inhibits A, directly or
 * through others (or a rule itself).  When both fire, each would hold the
 * other quiet and nobody would hear of either, so such rules are refused
 * at load.  An edge A -> B is a name in A's "rules", or, for an entry
 * without "rules", B of lower severity on the same metric.  Only rules
 * that inhibit can be on a cycle; a depth-first walk over them finds one.
 */
struct inhibit_edge {
	size_t to;    /* index among the inhibiting rules */
	size_t entry; /* the "inhibits" entry that makes it */
	size_t name;  /* index in its "rules", or SIZE_MAX: implicit */
};

struct inhibit_node {
	size_t rule; /* index in rs->rules */
	char *metric;
	struct inhibit_edge *edges;
	size_t nedges;
	size_t next; /* walk: next edge to follow */
	int color;   /* 0 unseen, 1 on the walk's path, 2 done */
	size_t from; /* the node before it on the path */
};

static void
inhibit_edge_add(struct inhibit_node *n, size_t to, size_t entry, size_t name)
{
	n->edges = xreallocarray(n->edges, n->nedges + 1, sizeof *n->edges);
	n->edges[n->nedges].to = to;
	n->edges[n->nedges].entry = entry;
	n->edges[n->nedges].name = name;
	n->nedges++;
}

/* The edges of node i among the k inhibiting nodes. */
static void
inhibit_edges_build(const struct alert_rules *rs, struct inhibit_node *nodes,
    size_t k, size_t i)
{
	const struct alert_rule *r = &rs->rules[nodes[i].rule], *t;
	size_t j, m, x;

	for (j = 0; j < r->ninhibits; j++) {
		char **names = r->inhibits[j].rules;

		for (x = 0; x < k; x++) {
			t = &rs->rules[nodes[x].rule];
			if (names == NULL) {
				if (t->severity < r->severity &&
				    nodes[i].metric != NULL &&
				    nodes[x].metric != NULL &&
				    strcmp(nodes[i].metric, nodes[x].metric) ==
				        0)
					inhibit_edge_add(
					    &nodes[i], x, j, SIZE_MAX);
				continue;
			}
			for (m = 0; names[m] != NULL; m++) {
				if (strcmp(names[m], t->name) == 0) {
					inhibit_edge_add(&nodes[i], x, j, m);
					break;
				}
			}
		}
	}
}

/* The error for edge e of node u, which closes a cycle back to e->to
 * (u's path leads back to it through the nodes' "from"). */
static char *
inhibit_cycle_error(struct conf_file *cf, json_t *rules,
    const struct alert_rules *rs, const struct inhibit_node *nodes, size_t u,
    const struct inhibit_edge *e)
{
	json_t *arr =
	    json_object_get(json_array_get(rules, nodes[u].rule), "inhibits");
	struct buf b = BUF_INIT;
	size_t x, *path = NULL, n = 0;
	char *msg;

	for (x = u;; x = nodes[x].from) {
		path = xreallocarray(path, n + 1, sizeof *path);
		path[n++] = x;
		if (x == e->to)
			break;
	}
	while (n-- > 0)
		buf_printf(&b, "\"%s\" inhibits ",
		    rs->rules[nodes[path[n]].rule].name);
	buf_printf(&b, "\"%s\"", rs->rules[nodes[e->to].rule].name);
	free(path);
	if (e->name != SIZE_MAX)
		msg = conf_error(cf,
		    json_object_get(json_array_get(arr, e->entry), "rules"),
		    NULL, e->name,
		    "mutual inhibition: %s; when both fire, each holds the "
		    "other quiet",
		    buf_str(&b));
	else
		msg = conf_error(cf, arr, NULL, e->entry,
		    "mutual inhibition: %s (lower severity, same metric); "
		    "when both fire, each holds the other quiet",
		    buf_str(&b));
	buf_free(&b);
	return msg;
}

static int
alert_rules_inhibits_cycles(
    struct conf_file *cf, json_t *rules, struct alert_rules *rs, char **cause)
{
	struct inhibit_node *nodes;
	struct selector *sel;
	char *err = NULL;
	size_t i, k = 0, u, root;
	int rc = 0;

	nodes = xcalloc(rs->ninhibiting + 1, sizeof *nodes);
	for (i = 0; i < rs->nrules; i++) {
		if (rs->rules[i].ninhibits == 0)
			continue;
		nodes[k].rule = i;
		sel = selector_parse_cause(rs->rules[i].selector, &err);
		if (sel != NULL && sel->metric != NULL)
			nodes[k].metric = xstrdup(sel->metric);
		selector_free(sel);
		free(err);
		err = NULL;
		k++;
	}
	for (i = 0; i < k; i++)
		inhibit_edges_build(rs, nodes, k, i);
	for (root = 0; root < k && rc == 0; root++) {
		if (nodes[root].color != 0)
			continue;
		nodes[root].color = 1;
		u = root;
		while (rc == 0) {
			struct inhibit_node *n = &nodes[u];
			const struct inhibit_edge *e;

			if (n->next == n->nedges) {
				n->color = 2;
				if (u == root)
					break;
				u = n->from;
				continue;
			}
			e = &n->edges[n->next++];
			if (nodes[e->to].color == 1) {
				*cause = inhibit_cycle_error(
				    cf, rules, rs, nodes, u, e);
				rc = -1;
			} else if (nodes[e->to].color == 0) {
				nodes[e->to].color = 1;
				nodes[e->to].from = u;
				u = e->to;
			}
		}
	}
	for (i = 0; i < k; i++) {
		free(nodes[i].metric);
		free(nodes[i].edges);
	}
	free(nodes);
	return rc;
}

int
alert_rules_inhibits_check(
    struct conf_file *cf, json_t *rules, struct alert_rules *rs, char **cause)
{
	size_t i, j, k;

	rs->ninhibiting = 0;
	for (i = 0; i < rs->nrules; i++) {
		const struct alert_rule *r = &rs->rules[i];
		json_t *arr =
		    json_object_get(json_array_get(rules, i), "inhibits");

		if (r->ninhibits > 0)
			rs->ninhibiting++;
		for (j = 0; j < r->ninhibits; j++) {
			char **names = r->inhibits[j].rules;

			for (k = 0; names != NULL && names[k] != NULL; k++) {
				if (alert_rules_find(rs, names[k]) != NULL)
					continue;
				*cause = conf_error(cf,
				    json_object_get(
				        json_array_get(arr, j), "rules"),
				    NULL, k, "unknown rule \"%s\"", names[k]);
				return -1;
			}
		}
	}
	/* Each named rule exists: now the cycles. */
	return alert_rules_inhibits_cycles(cf, rules, rs, cause);
}

void
alert_rules_inhibits_free(struct alert_rule *r)
{
	size_t i;

	for (i = 0; i < r->ninhibits; i++)
		conf_strarray_free(r->inhibits[i].rules);
	free(r->inhibits);
	r->inhibits = NULL;
	r->ninhibits = 0;
}
