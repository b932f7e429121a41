/*
 * The alerts module inside citybraind: the engine on the hub's store,
 * clock and event loop, the territory and catalogue look-ups it needs,
 * and SIGHUP reloads of the rules.
 */
#include "config.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv-store.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/audit.h"
#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "hub/worker/worker.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

struct hub_alerts {
	struct alert_engine *engine;
	struct alert_kv *kv;
	char *rules_path; /* NULL: no rules file */
};

static int64_t
alerts_clock(void *arg)
{
	return hub_now(arg);
}

/* ---- Environment -------------------------------------------------------- */

static void
alerts_env_enrich(void *arg, json_t *labels)
{
	struct hub *h = arg;
	const struct hub_node *n = NULL;
	const char *code;

	if (h->territory == NULL)
		return;
	if ((code = json_string_value(json_object_get(labels, "grid"))) != NULL)
		n = hub_territory_node(h->territory, code);
	else if ((code = json_string_value(
	              json_object_get(labels, "community"))) != NULL)
		n = hub_territory_node(h->territory, code);
	if (n == NULL)
		return;
	if (n->community >= 0 && n->level == HUB_LEVEL_GRID)
		json_object_set_new(labels, "community",
		    json_string(h->territory->nodes[n->community].code));
	if (n->subdistrict >= 0)
		json_object_set_new(labels, "subdistrict",
		    json_string(h->territory->nodes[n->subdistrict].code));
}

/* A node's name, or (en) its name_en, else its code. */
static const char *
alerts_node_name(const struct hub_node *n, int en)
{
	if (!en)
		return n->name;
	return n->name_en != NULL && *n->name_en != '\0' ? n->name_en : n->code;
}

static char *
alerts_place(struct hub *h, const char *code, int en)
{
	const struct hub_node *n, *t;
	struct buf b = BUF_INIT;

	if (h->territory == NULL || code == NULL ||
	    (n = hub_territory_node(h->territory, code)) == NULL)
		return NULL;
	if (n->subdistrict >= 0 && n->level > HUB_LEVEL_SUBDISTRICT) {
		t = &h->territory->nodes[n->subdistrict];
		buf_printf(&b, "%s / ", alerts_node_name(t, en));
	}
	if (n->community >= 0 && n->level > HUB_LEVEL_COMMUNITY) {
		t = &h->territory->nodes[n->community];
		buf_printf(&b, "%s / ", alerts_node_name(t, en));
	}
	buf_puts(&b, alerts_node_name(n, en));
	return buf_detach(&b);
}

static char *
alerts_env_place(void *arg, const char *code)
{
	return alerts_place(arg, code, 0);
}

static char *
alerts_env_place_en(void *arg, const char *code)
{
	return alerts_place(arg, code, 1);
}

static int
alerts_env_dept_check(void *arg, const char *dept)
{
	struct hub *h = arg;

	if (h->systems == NULL || h->systems->ndepts == 0)
		return 0;
	return hub_systems_dept(h->systems, dept) >= 0 ? 0 : -1;
}

static int
alerts_env_within(void *arg, const char *code, const char *scope)
{
	struct hub *h = arg;

	if (h->territory == NULL)
		return strncmp(code, scope, strlen(scope)) == 0;
	return hub_territory_code_within(h->territory, code, scope);
}

/* Grid workers (hub/worker/worker.h). */
static int
alerts_env_worker_may(void *arg, const char *worker, const char *code)
{
	return hub_workers_may(arg, worker, code);
}

static int
alerts_env_code_check(void *arg, const char *label, const char *code)
{
	struct hub *h = arg;
	const struct hub_node *n;

	if (h->territory == NULL)
		return 0;
	n = hub_territory_node(h->territory, code);
	if (n == NULL)
		return -1;
	return strcmp(hub_level_name(n->level), label) == 0 ? 0 : -1;
}

static const char *
alerts_env_root(void *arg)
{
	struct hub *h = arg;

	if (h->territory == NULL || h->territory->nnodes == 0)
		return NULL;
	return h->territory->nodes[0].code;
}

static int
alerts_env_token_may(
    void *arg, const void *token, const char *system, const char *code)
{
	struct hub *h = arg;
	const struct hub_token *tok = token;
	int idx, node;
	size_t i;

	if (tok == NULL || tok->kind != HUB_TOKEN_COLLECTOR)
		return 1;
	if (system != NULL && !tok->all_systems) {
		idx = h->systems != NULL
		          ? hub_systems_find(h->systems, system, strlen(system))
		          : -1;
		for (i = 0; i < tok->nsystems; i++) {
			if (tok->systems[i] == idx)
				break;
		}
		if (idx < 0 || i == tok->nsystems)
			return 0;
	}
	if (tok->all_grids)
		return 1;
	/* A token for part of the district never acts district-wide. */
	if (code == NULL)
		return 0; /* district-wide */
	if (h->territory == NULL)
		return 0;
	node = hub_territory_find(h->territory, code, strlen(code));
	if (node < 0)
		return 0;
	for (i = 0; i < tok->ncover; i++) {
		if (hub_territory_within(h->territory, node, tok->cover[i]))
			return 1;
	}
	return 0;
}

/* ---- Hooks for the hub -------------------------------------------------- */

static void
alerts_count(struct hub *h, const char *code, const char *system,
    struct hub_alert_counts *out)
{
	struct hub_alerts *ha = h->alerts;

	alert_engine_counts(ha->engine, code, system, out);
}

static struct alert_rules *
alerts_rules_load(struct hub *h, const char *path, char **cause)
{
	if (path == NULL)
		return alert_rules_empty();
	return alert_rules_load(path, alerts_env_dept_check, h, cause);
}

static void
alerts_reloaded(struct hub *h)
{
	struct hub_alerts *ha = h->alerts;
	struct alert_rules *r;
	char *cause = NULL;

	r = alerts_rules_load(h, ha->rules_path, &cause);
	if (r == NULL) {
		log_error(
		    "alerts", "reload: %s (keeping the old rules)", cause);
		free(cause);
		return;
	}
	alert_engine_set_rules(ha->engine, r);
	log_info("alerts", "reloaded %zu rules from %s", r->nrules,
	    ha->rules_path != NULL ? ha->rules_path : "(none)");
}

/* Where the rules file is: see hub_alerts_init(). */
static char *
alerts_rules_path(struct hub *h)
{
	const char *env = getenv("CITYBRAIN_RULES");
	const char *bases[2];
	char *copy, *path;
	size_t i;

	if (env != NULL)
		return *env != '\0' ? xstrdup(env) : NULL;
	bases[0] = h->config != NULL ? h->config->path : NULL;
	bases[1] = h->config != NULL ? h->config->territory : NULL;
	for (i = 0; i < 2; i++) {
		if (bases[i] == NULL)
			continue;
		copy = xstrdup(bases[i]);
		path = xasprintf("%s/rules.json", dirname(copy));
		free(copy);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* hub->audit_status */
static int
alerts_audit_status(struct hub *h, const char **reason, uint64_t *first_bad)
{
	struct hub_alerts *ha = h->alerts;

	return alert_engine_audit_status(ha->engine, reason, first_bad);
}

/* The audit key and anchor files: as hub.json says, else beside hub.json
 * (audit.key, audit-anchor.json), else beside the data directory.  Both
 * new strings. */
static void
alerts_audit_paths(const struct hub_config *c, char **key, char **anchor)
{
	char *copy, *dir;

	if (c->audit_key_file != NULL)
		*key = xstrdup(c->audit_key_file);
	else if (c->path != NULL) {
		copy = xstrdup(c->path);
		*key = xasprintf("%s/audit.key", dirname(copy));
		free(copy);
	} else
		*key = xasprintf("%s.audit.key", c->data);
	if (c->audit_anchor_file != NULL) {
		*anchor = xstrdup(c->audit_anchor_file);
		return;
	}
	copy = xstrdup(*key);
	dir = dirname(copy);
	*anchor = xasprintf("%s/audit-anchor.json", dir);
	free(copy);
}

int
hub_alerts_init(struct hub *h, char **cause)
{
	struct hub_alerts *ha = xcalloc(1, sizeof *ha);
	struct alert_engine_opts o;
	struct audit_opts ao;
	char *key_path = NULL, *anchor_path = NULL;
	unsigned char *key = NULL;
	size_t key_len = 0;

	ha->rules_path = alerts_rules_path(h);
	memset(&o, 0, sizeof o);
	o.rules = alerts_rules_load(h, ha->rules_path, cause);
	if (o.rules == NULL)
		goto fail;
	ha->kv = alert_kv_store_create(h->store);
	o.kv = ha->kv;
	o.store = h->store;
	o.base = h->base;
	o.clock = alerts_clock;
	o.clock_arg = h;
	o.env.arg = h;
	o.env.enrich = alerts_env_enrich;
	o.env.place = alerts_env_place;
	o.env.place_en = alerts_env_place_en;
	o.env.dept_check = alerts_env_dept_check;
	o.env.within = alerts_env_within;
	o.env.code_check = alerts_env_code_check;
	o.env.root = alerts_env_root;
	o.env.token_may = alerts_env_token_may;
	o.env.worker_may = alerts_env_worker_may;
	memset(&ao, 0, sizeof ao);
	if (h->config != NULL) {
		alerts_audit_paths(h->config, &key_path, &anchor_path);
		if (audit_key_load(key_path, &key, &key_len, cause) != 0) {
			alert_rules_free(o.rules); /* not yet the engine's */
			goto fail;
		}
		ao.key = key;
		ao.key_len = key_len;
		ao.anchor_path = anchor_path;
		ao.anchor_every = (uint64_t)h->config->audit_anchor_every;
		o.limits.max_text = (size_t)h->config->max_text_bytes;
		o.limits.max_labels = (size_t)h->config->max_event_labels;
		o.limits.max_label = (size_t)h->config->max_label_bytes;
		o.audit = &ao;
		log_info("audit", "key %s, anchor %s", key_path, anchor_path);
	}
	ha->engine = alert_engine_create(&o, cause);
	if (key != NULL)
		OPENSSL_cleanse(key, key_len);
	free(key);
	key = NULL;
	free(key_path);
	free(anchor_path);
	key_path = anchor_path = NULL;
	if (ha->engine == NULL)
		goto fail;
	if (h->base != NULL && alert_engine_start(ha->engine, cause) != 0)
		goto fail;
	h->alerts = ha;
	h->alerts_count = alerts_count;
	h->alerts_reloaded = alerts_reloaded;
	h->audit_status = alerts_audit_status;
	log_info("alerts", "rules from %s",
	    ha->rules_path != NULL ? ha->rules_path : "(none configured)");
	return 0;
fail:
	free(key);
	free(key_path);
	free(anchor_path);
	alert_engine_free(ha->engine);
	alert_kv_free(ha->kv);
	free(ha->rules_path);
	free(ha);
	return -1;
}

void
hub_alerts_free(struct hub *h)
{
	struct hub_alerts *ha = h->alerts;

	if (ha == NULL)
		return;
	alert_engine_free(ha->engine);
	alert_kv_free(ha->kv);
	free(ha->rules_path);
	free(ha);
	h->alerts = NULL;
	h->alerts_count = NULL;
	h->alerts_reloaded = NULL;
	h->audit_status = NULL;
}

int
hub_alerts_check(struct hub *h, char **path, char **cause)
{
	char *p = alerts_rules_path(h);
	struct alert_rules *r = alerts_rules_load(h, p, cause);

	alert_rules_free(r);
	if (path != NULL)
		*path = p;
	else
		free(p);
	return r != NULL ? 0 : -1;
}

struct alert_engine *
hub_alerts_engine(struct hub *h)
{
	struct hub_alerts *ha = h->alerts;

	return ha != NULL ? ha->engine : NULL;
}
