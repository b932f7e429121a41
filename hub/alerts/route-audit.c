/* Routes: GET /api/v1/audit (paged, scope-masked, tampered entries
 * flagged) and /api/v1/audit/verify. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/audit.h"
#include "hub/alerts/route-alerts.h"

#define AUDIT_LIMIT_MAX 1000

struct route_audit_filter {
	struct hub_req *req;
	const char *who, *action;
};

static int
route_audit_keep(void *arg, json_t *entry)
{
	struct route_audit_filter *f = arg;
	const char *code, *s;

	code = json_string_value(json_object_get(entry, "code"));
	if (code != NULL && !hub_req_in_scope(f->req, code))
		return 0;
	if (f->who != NULL &&
	    ((s = json_string_value(json_object_get(entry, "who"))) == NULL ||
	        strcmp(s, f->who) != 0))
		return 0;
	if (f->action != NULL &&
	    ((s = json_string_value(json_object_get(entry, "action"))) ==
	            NULL ||
	        strncmp(s, f->action, strlen(f->action)) != 0))
		return 0;
	return 1;
}

static int
route_audit_number(
    struct hub_req *req, const char *name, unsigned long long *out)
{
	const char *s = hub_req_query(req, name);
	char *end;

	if (s == NULL)
		return 0;
	*out = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0') {
		hub_reply_error(req, 400, "%s: expected a number", name);
		return -1;
	}
	return 1;
}

/* Flag the entries of arr that are not what the chain vouches for: an
 * entry whose hash its content does not give, one whose prev_hash is not
 * the hash of the entry before it (when both are listed), and the first
 * bad entry of the last verification. */
static void
route_audit_flag(struct alert_engine *e, json_t *arr)
{
	struct audit *a = alert_engine_audit(e);
	json_t *entry, *prev = NULL;
	uint64_t bad = 0, seq;
	const char *ph, *h;
	size_t i;
	int tampered;

	if (alert_engine_audit_status(e, NULL, &bad) == 1)
		bad = 0;
	json_array_foreach(arr, i, entry)
	{
		seq =
		    (uint64_t)json_integer_value(json_object_get(entry, "seq"));
		tampered = !audit_entry_intact(a, entry) || seq == bad;
		if (prev != NULL &&
		    (uint64_t)json_integer_value(json_object_get(prev, "seq")) +
		            1 ==
		        seq) {
			ph = json_string_value(
			    json_object_get(entry, "prev_hash"));
			h = json_string_value(json_object_get(prev, "hash"));
			if (ph == NULL || h == NULL || strcmp(ph, h) != 0)
				tampered = 1;
		}
		if (tampered)
			json_object_set_new(entry, "tampered", json_true());
		prev = entry;
	}
}

/* "intact" or "broken at N: reason" (new reference). */
static json_t *
route_audit_chain(struct alert_engine *e)
{
	const char *reason = NULL;
	uint64_t bad = 0;

	if (alert_engine_audit_status(e, &reason, &bad) == 1)
		return json_string("intact");
	return json_sprintf("broken at %llu: %s", (unsigned long long)bad,
	    reason != NULL ? reason : "?");
}

static void
route_audit_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct route_audit_filter f;
	unsigned long long since = 0, limit = 100;
	uint64_t next = 0;
	json_t *arr;
	char *cause = NULL;

	if (e == NULL)
		return;
	if (route_audit_number(req, "since", &since) < 0 ||
	    route_audit_number(req, "limit", &limit) < 0)
		return;
	if (limit == 0 || limit > AUDIT_LIMIT_MAX)
		limit = limit == 0 ? 100 : AUDIT_LIMIT_MAX;
	f.req = req;
	f.who = hub_req_query(req, "who");
	f.action = hub_req_query(req, "action");
	arr = json_array();
	if (audit_read(alert_engine_audit(e), since, (size_t)limit,
	        route_audit_keep, &f, arr, &next, &cause) != 0) {
		json_decref(arr);
		hub_reply_error(req, 500, "audit: %s", cause);
		free(cause);
		return;
	}
	route_audit_flag(e, arr);
	hub_reply_json(req, 200,
	    json_pack("{s:o,s:o,s:I,s:o}", "entries", arr, "next",
	        next != 0 ? json_integer((json_int_t)next) : json_null(),
	        "head", (json_int_t)audit_head_seq(alert_engine_audit(e)),
	        "chain", route_audit_chain(e)));
}

static void
route_audit_verify(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct audit_verify_result res;
	char *cause = NULL;
	json_t *o;

	if (e == NULL)
		return;
	if (alert_engine_audit_verify(e, &res, &cause) != 0) {
		hub_reply_error(req, 500, "audit: %s", cause);
		free(cause);
		return;
	}
	o = json_pack("{s:b,s:I,s:I,s:s,s:o}", "ok", res.ok, "entries",
	    (json_int_t)res.entries, "records", (json_int_t)res.records, "head",
	    res.head, "chain", route_audit_chain(e));
	if (!res.ok) {
		json_object_set_new(
		    o, "first_bad", json_integer((json_int_t)res.first_bad));
		json_object_set_new(o, "reason", json_string(res.reason));
	}
	hub_reply_json(req, 200, o);
}

const struct hub_route hub_routes_audit[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/audit",
        .handler = route_audit_list,
        .min_role = HUB_ROLE_OPERATOR},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/audit/verify",
        .handler = route_audit_verify,
        .min_role = HUB_ROLE_OPERATOR},
    {.path = NULL},
};
