/*
 * Unit tests for webhook deliveries: a real evhttp receiver on 127.0.0.1
 * that fails at first, the engine's curl-multi deliveries on the same
 * event loop with retries and backoff, every attempt recorded; a receiver
 * that never answers well; and deliveries queued before a restart that go
 * out after it.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "alert-test-util.h"
#include "hub/alerts/alert-notify.h"

struct receiver {
	struct event_base *base;
	struct evhttp *http;
	int port;
	int fail_first; /* answer 500 to this many requests */
	int requests;
	int anchors;    /* audit-anchor posts (not counted in requests) */
	json_t *bodies; /* array of received bodies */
	char last_type[64];
};

static void
receiver_cb(struct evhttp_request *req, void *arg)
{
	struct receiver *rc = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *data = malloc(len + 1);
	const char *ct;
	json_t *body;

	evbuffer_copyout(in, data, len);
	data[len] = '\0';
	body = json_loads(data, 0, NULL);
	free(data);
	if (body != NULL &&
	    strcmp(json_string_value(json_object_get(body, "kind")) != NULL
	               ? json_string_value(json_object_get(body, "kind"))
	               : "",
	        "audit-anchor") == 0) {
		/* The audit head anchored at the supervisors. */
		ck_assert_int_eq(
		    strlen(json_string_value(json_object_get(body, "hash"))),
		    64);
		rc->anchors++;
		json_decref(body);
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	json_array_append_new(
	    rc->bodies, body != NULL ? body : json_string("not json"));
	ct = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Type");
	snprintf(
	    rc->last_type, sizeof rc->last_type, "%s", ct != NULL ? ct : "");
	rc->requests++;
	if (rc->requests <= rc->fail_first)
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
	else
		evhttp_send_reply(req, 200, "OK", NULL);
}

static void
receiver_start(struct receiver *rc, struct event_base *base, int fail_first)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;

	memset(rc, 0, sizeof *rc);
	rc->base = base;
	rc->fail_first = fail_first;
	rc->bodies = json_array();
	rc->http = evhttp_new(base);
	evhttp_set_gencb(rc->http, receiver_cb, rc);
	bs = evhttp_bind_socket_with_handle(rc->http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs),
	                     (struct sockaddr *)&sin, &slen),
	    0);
	rc->port = ntohs(sin.sin_port);
}

static void
receiver_stop(struct receiver *rc)
{
	evhttp_free(rc->http);
	json_decref(rc->bodies);
}

static struct alert_engine *
notify_engine(struct alert_kv *kv, struct event_base *base, int port)
{
	struct alert_engine *e;
	char *text;

	text = xasprintf(
	    "{\"settings\": {\"webhook_retries\": 3,"
	    "  \"webhook_backoff\": \"100ms\", \"webhook_timeout\": \"2s\","
	    "  \"supervisors_webhook\": \"http://127.0.0.1:%d/sup\"},"
	    " \"departments\": {\"fire\": {\"webhook\":"
	    "   \"http://127.0.0.1:%d/fire\"},"
	    "  \"police\": {\"webhook\": \"http://127.0.0.1:%d/police\"}}}",
	    port, port, port);
	/* The wall clock: retries wait for real. */
	e = test_engine_with(kv, text, base, NULL, NULL);
	free(text);
	return e;
}

static const char *
raise(struct alert_engine *e, const char *key, const char *dept)
{
	static char id[16];
	struct alert_reply r;
	json_t *body = json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "key", key,
	    "severity", "high", "dept", dept, "labels", "grid",
	    "440304001003007", "system", "fire-iot");

	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	ck_assert_int_eq(r.status, 202);
	snprintf(id, sizeof id, "%s", jstr(r.body, "id"));
	json_decref(r.body);
	return id;
}

/* Run the loop until done(arg) or 10 s. */
static void
run_until(struct event_base *base, int (*done)(void *), void *arg)
{
	struct timeval tick = {0, 20000};
	int i;

	for (i = 0; i < 500 && !done(arg); i++) {
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	ck_assert_msg(done(arg), "timed out");
}

struct wait_delivery {
	struct alert_engine *e;
	const char *id;
	const char *state;
};

static json_t *
alert_notifications(struct alert_engine *e, const char *id)
{
	struct alert_reply r;
	json_t *n;

	alert_engine_get(e, id, &sup_zhang, &r);
	ck_assert_int_eq(r.status, 200);
	n = json_incref(json_object_get(r.body, "notifications"));
	json_decref(r.body);
	return n;
}

static int
delivery_in_state(void *arg)
{
	struct wait_delivery *w = arg;
	json_t *n = alert_notifications(w->e, w->id);
	int ok = json_array_size(n) > 0 &&
	         strcmp(jstr(json_array_get(n, 0), "state"), w->state) == 0;

	json_decref(n);
	return ok;
}

START_TEST(test_webhook_retries_until_delivered)
{
	struct event_base *base = event_base_new();
	struct alert_kv *kv = alert_kv_memory_create();
	struct receiver rc;
	struct alert_engine *e;
	struct wait_delivery w;
	struct alert_reply r;
	json_t *n, *d, *tries, *b, *h;
	char id[16];
	size_t i, notes = 0;

	receiver_start(&rc, base, 2);
	e = notify_engine(kv, base, rc.port);
	snprintf(id, sizeof id, "%s", raise(e, "fire/smoke-1", "fire"));
	w.e = e;
	w.id = id;
	w.state = "delivered";
	run_until(base, delivery_in_state, &w);

	ck_assert_int_eq(rc.requests, 3);
	ck_assert_int_ge(rc.anchors, 1); /* the "start" anchor */
	ck_assert_str_eq(rc.last_type, "application/json");
	b = json_array_get(rc.bodies, 2);
	ck_assert_str_eq(jstr(b, "kind"), "fire");
	ck_assert_str_eq(jstr(b, "dept"), "fire");
	ck_assert_str_eq(jstr(json_object_get(b, "alert"), "id"), id);
	ck_assert_str_eq(
	    jstr(json_object_get(b, "alert"), "message"), "fire/smoke-1");
	/* D000001 is the audit head's "start" anchor. */
	ck_assert_str_eq(jstr(b, "delivery"), "D000002");

	n = alert_notifications(e, id);
	d = json_array_get(n, 0);
	ck_assert_str_eq(jstr(d, "id"), "D000002");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "attempts")), 3);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(d, "last_status")), 200);
	tries = json_object_get(d, "tries");
	ck_assert_uint_eq(json_array_size(tries), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(tries, 0), "status")),
	    500);
	ck_assert_str_eq(jstr(json_array_get(tries, 0), "error"), "HTTP 500");
	/* Backoff: the second retry waited about twice the first. */
	{
		json_int_t t0 = json_integer_value(
		    json_object_get(json_array_get(tries, 0), "at_ms"));
		json_int_t t1 = json_integer_value(
		    json_object_get(json_array_get(tries, 1), "at_ms"));
		json_int_t t2 = json_integer_value(
		    json_object_get(json_array_get(tries, 2), "at_ms"));

		ck_assert_int_ge(t1 - t0, 90);
		ck_assert_int_ge(t2 - t1, 190);
	}
	json_decref(n);
	/* The alert's history records the outcome. */
	alert_engine_get(e, id, &sup_zhang, &r);
	json_array_foreach(json_object_get(r.body, "history"), i, h)
	{
		if (strcmp(jstr(h, "action"), "notify") == 0) {
			notes++;
			ck_assert_str_eq(
			    jstr(json_object_get(h, "after"), "state"),
			    "delivered");
		}
	}
	ck_assert_uint_eq(notes, 1);
	json_decref(r.body);

	/* Dispatch to a new department notifies only that one. */
	b = json_pack("{s:s,s:[s]}", "dept", "fire", "support", "police");
	alert_engine_action(e, id, "dispatch", b, &op_lina, &r);
	json_decref(b);
	ck_assert_int_eq(r.status, 200);
	json_decref(r.body);
	run_until(base, (int (*)(void *))delivery_in_state, &w);
	{
		int i2;

		for (i2 = 0; i2 < 50 && rc.requests < 4; i2++) {
			struct timeval tv = {0, 20000};

			event_base_loopexit(base, &tv);
			event_base_dispatch(base);
		}
	}
	ck_assert_int_eq(rc.requests, 4);
	b = json_array_get(rc.bodies, 3);
	ck_assert_str_eq(jstr(b, "kind"), "dispatch");
	ck_assert_str_eq(jstr(b, "dept"), "police");

	alert_engine_free(e);
	alert_kv_free(kv);
	receiver_stop(&rc);
	event_base_free(base);
}
END_TEST

START_TEST(test_webhook_gives_up)
{
	struct event_base *base = event_base_new();
	struct alert_kv *kv = alert_kv_memory_create();
	struct receiver rc;
	struct alert_engine *e;
	struct wait_delivery w;
	json_t *n;
	char id[16];

	receiver_start(&rc, base, 1000);
	e = notify_engine(kv, base, rc.port);
	snprintf(id, sizeof id, "%s", raise(e, "fire/smoke-2", "fire"));
	w.e = e;
	w.id = id;
	w.state = "failed";
	run_until(base, delivery_in_state, &w);
	ck_assert_int_eq(rc.requests, 4); /* 1 + 3 retries */
	n = alert_notifications(e, id);
	ck_assert_str_eq(jstr(json_array_get(n, 0), "error"), "HTTP 500");
	json_decref(n);
	alert_engine_free(e);
	alert_kv_free(kv);
	receiver_stop(&rc);
	event_base_free(base);
}
END_TEST

START_TEST(test_webhook_survives_restart)
{
	struct event_base *base = event_base_new();
	struct alert_kv *kv = alert_kv_memory_create();
	struct receiver rc;
	struct alert_engine *e;
	struct wait_delivery w;
	char id[16];

	receiver_start(&rc, base, 0);
	/* No loop: the delivery is recorded, pending. */
	e = notify_engine(kv, NULL, rc.port);
	snprintf(id, sizeof id, "%s", raise(e, "fire/smoke-3", "fire"));
	alert_engine_free(e);
	ck_assert_int_eq(rc.requests, 0);
	/* Restarted with a loop: it goes out. */
	e = notify_engine(kv, base, rc.port);
	w.e = e;
	w.id = id;
	w.state = "delivered";
	run_until(base, delivery_in_state, &w);
	ck_assert_int_eq(rc.requests, 1);
	alert_engine_free(e);
	alert_kv_free(kv);
	receiver_stop(&rc);
	event_base_free(base);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("alert-notify");
	TCase *tc = tcase_create("notify");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_webhook_retries_until_delivered);
	tcase_add_test(tc, test_webhook_gives_up);
	tcase_add_test(tc, test_webhook_survives_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
