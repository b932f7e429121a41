/* The hash-chained, append-only audit log (see audit.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hub/alert-kv.h"
#include "hub/audit.h"
#include "lib/xmalloc.h"

#define AUDIT_PREFIX   "audit/"
#define AUDIT_HEAD_KEY "audit-head"
#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct audit {
	struct alert_kv *kv;
	uint64_t head_seq;
	char head_hash[65];
};

void
audit_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort(); /* libcrypto without SHA-256: broken invariant */
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static void
audit_key(uint64_t seq, char *out, size_t len)
{
	snprintf(out, len, AUDIT_PREFIX "%020" PRIu64, seq);
}

/* The entry's hash: SHA-256 over prev_hash, '\n' and the canonical JSON of
 * the entry without its "hash" member. */
static void
audit_entry_hash(json_t *entry, char out[65])
{
	json_t *copy = json_copy(entry);
	char *text, *msg;

	json_object_del(copy, "hash");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		abort();
	msg = xasprintf("%s\n%s",
	    json_string_value(json_object_get(entry, "prev_hash")) != NULL
	        ? json_string_value(json_object_get(entry, "prev_hash"))
	        : "",
	    text);
	audit_sha256_hex(msg, strlen(msg), out);
	free(msg);
	free(text);
	json_decref(copy);
}

struct audit_last {
	uint64_t seq;
	char hash[65];
	int found;
};

static int
audit_last_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct audit_last *l = arg;
	json_t *e = json_loadb(val, len, 0, NULL);
	const char *h;

	if (e == NULL)
		return 1;
	h = json_string_value(json_object_get(e, "hash"));
	if (h != NULL && strlen(h) == 64 &&
	    json_integer_value(json_object_get(e, "seq")) > 0) {
		l->seq =
		    (uint64_t)json_integer_value(json_object_get(e, "seq"));
		memcpy(l->hash, h, 65);
		l->found = 1;
	}
	json_decref(e);
	return 0;
}

struct audit *
audit_open(struct alert_kv *kv, char **cause)
{
	struct audit *a = xcalloc(1, sizeof *a);
	struct audit_last last = {0};
	char *val = NULL, start[64];
	size_t len;
	json_t *head;
	int r;

	a->kv = kv;
	memcpy(a->head_hash, AUDIT_ZERO_HASH, 65);
	r = alert_kv_get(kv, AUDIT_HEAD_KEY, &val, &len, cause);
	if (r < 0) {
		free(a);
		return NULL;
	}
	if (r == 1) {
		head = json_loadb(val, len, 0, NULL);
		free(val);
		if (head == NULL ||
		    json_string_value(json_object_get(head, "hash")) == NULL ||
		    strlen(json_string_value(json_object_get(head, "hash"))) !=
		        64) {
			json_decref(head);
			*cause = xstrdup("audit: head record is corrupt");
			free(a);
			return NULL;
		}
		a->head_seq =
		    (uint64_t)json_integer_value(json_object_get(head, "seq"));
		memcpy(a->head_hash,
		    json_string_value(json_object_get(head, "hash")), 65);
		json_decref(head);
	}
	/* An entry written after the head (a crash between the two puts)
	 * becomes the head. */
	audit_key(a->head_seq + 1, start, sizeof start);
	if (alert_kv_scan(
	        kv, AUDIT_PREFIX, start, audit_last_cb, &last, cause) != 0) {
		free(a);
		return NULL;
	}
	if (last.found && last.seq > a->head_seq) {
		a->head_seq = last.seq;
		memcpy(a->head_hash, last.hash, 65);
	}
	return a;
}

void
audit_free(struct audit *a)
{
	free(a);
}

uint64_t
audit_head_seq(const struct audit *a)
{
	return a->head_seq;
}

const char *
audit_head_hash(const struct audit *a)
{
	return a->head_hash;
}

static void
audit_set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

uint64_t
audit_append(struct audit *a, const struct audit_rec *rec, char **cause)
{
	const struct audit_actor *ac = rec->actor;
	json_t *e = json_object(), *head;
	char hash[65], key[64], *text, *htext;
	struct alert_kv_op ops[2];
	uint64_t seq = a->head_seq + 1;
	int r;

	json_object_set_new(e, "seq", json_integer((json_int_t)seq));
	json_object_set_new(e, "at_ms", json_integer(rec->at_ms));
	json_object_set_new(e, "who",
	    json_string(ac != NULL && ac->who != NULL ? ac->who : "system"));
	json_object_set_new(e, "via",
	    json_string(ac != NULL && ac->via != NULL ? ac->via : "system"));
	if (ac != NULL && ac->uid >= 0 && ac->via != NULL &&
	    strcmp(ac->via, "uid") == 0)
		json_object_set_new(e, "uid", json_integer(ac->uid));
	if (ac != NULL)
		audit_set_str(e, "token", ac->token);
	json_object_set_new(e, "from",
	    json_string(ac != NULL && ac->from != NULL ? ac->from : ""));
	json_object_set_new(e, "action", json_string(rec->action));
	audit_set_str(e, "target", rec->target);
	audit_set_str(e, "code", rec->code);
	if (rec->before != NULL)
		json_object_set(e, "before", rec->before);
	if (rec->after != NULL)
		json_object_set(e, "after", rec->after);
	audit_set_str(e, "comment", rec->comment);
	json_object_set_new(e, "prev_hash", json_string(a->head_hash));
	audit_entry_hash(e, hash);
	json_object_set_new(e, "hash", json_string(hash));

	text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(e);
	if (text == NULL) {
		*cause = xstrdup("audit: cannot encode entry");
		return 0;
	}
	audit_key(seq, key, sizeof key);
	head = json_pack("{s:I,s:s}", "seq", (json_int_t)seq, "hash", hash);
	htext = json_dumps(head, JSON_COMPACT);
	json_decref(head);
	/* The entry and the head in one atomic write. */
	ops[0].key = key;
	ops[0].val = text;
	ops[0].len = strlen(text);
	ops[1].key = AUDIT_HEAD_KEY;
	ops[1].val = htext;
	ops[1].len = strlen(htext);
	r = alert_kv_write(a->kv, ops, 2, cause);
	free(text);
	free(htext);
	if (r != 0)
		return 0;
	a->head_seq = seq;
	memcpy(a->head_hash, hash, 65);
	return seq;
}

/* ---- Reading ----------------------------------------------------------- */

struct audit_reader {
	audit_filter_fn filter;
	void *arg;
	json_t *out;
	size_t limit;
	uint64_t stop;  /* read seq < stop only (0: no bound) */
	uint64_t last;  /* last seq seen */
	size_t scanned; /* entries looked at */
};

static int
audit_read_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct audit_reader *r = arg;
	json_t *e = json_loadb(val, len, 0, NULL);
	uint64_t seq;

	if (e == NULL)
		return 0; /* a corrupt entry is verify's business */
	seq = (uint64_t)json_integer_value(json_object_get(e, "seq"));
	if (r->stop != 0 && seq >= r->stop) {
		json_decref(e);
		return 1;
	}
	r->last = seq;
	r->scanned++;
	if (r->filter == NULL || r->filter(r->arg, e))
		json_array_append(r->out, e);
	json_decref(e);
	return json_array_size(r->out) >= r->limit;
}

int
audit_read(struct audit *a, uint64_t since, size_t limit,
    audit_filter_fn filter, void *arg, json_t *out, uint64_t *next,
    char **cause)
{
	struct audit_reader r = {filter, arg, NULL, limit, 0, 0, 0};
	char start[64];
	uint64_t stop, window = limit < 64 ? 64 : limit, from;
	json_t *acc, *page;
	size_t i;

	*next = 0;
	if (limit == 0)
		return 0;
	if (since > 0) {
		r.out = out;
		audit_key(since, start, sizeof start);
		if (alert_kv_scan(a->kv, AUDIT_PREFIX, start, audit_read_cb, &r,
		        cause) != 0)
			return -1;
		if (r.last != 0 && r.last < a->head_seq)
			*next = r.last + 1;
		return 0;
	}

	/* The tail: walk windows backwards until limit entries passed. */
	acc = json_array();
	stop = a->head_seq + 1;
	while (stop > 1 && json_array_size(acc) < limit) {
		from = stop > window ? stop - window : 1;
		page = json_array();
		r.out = page;
		r.limit = (size_t)-1;
		r.stop = stop;
		audit_key(from, start, sizeof start);
		if (alert_kv_scan(a->kv, AUDIT_PREFIX, start, audit_read_cb, &r,
		        cause) != 0) {
			json_decref(page);
			json_decref(acc);
			return -1;
		}
		/* prepend page to acc */
		json_array_extend(page, acc);
		json_decref(acc);
		acc = page;
		stop = from;
		if (window < (1u << 20))
			window *= 2;
	}
	i = json_array_size(acc) > limit ? json_array_size(acc) - limit : 0;
	for (; i < json_array_size(acc); i++)
		json_array_append(out, json_array_get(acc, i));
	json_decref(acc);
	return 0;
}

/* ---- Verification ------------------------------------------------------ */

struct audit_verifier {
	struct audit_verify_result *res;
	uint64_t expect; /* next seq expected */
	char prev[65];
	int done;
};

static void
audit_bad(
    struct audit_verifier *v, uint64_t seq, const char *fmt, const char *arg)
{
	v->res->ok = 0;
	v->res->first_bad = seq;
	snprintf(v->res->reason, sizeof v->res->reason, fmt, arg);
	v->done = 1;
}

static int
audit_verify_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct audit_verifier *v = arg;
	json_t *e;
	const char *h, *ph;
	char calc[65];
	uint64_t seq, keyseq;

	keyseq = strtoull(key + strlen(AUDIT_PREFIX), NULL, 10);
	if (keyseq != v->expect) {
		audit_bad(v, v->expect, "%s",
		    keyseq > v->expect ? "entry missing" : "out of order");
		return 1;
	}
	e = json_loadb(val, len, 0, NULL);
	if (e == NULL || !json_is_object(e)) {
		json_decref(e);
		audit_bad(v, v->expect, "%s", "not valid JSON");
		return 1;
	}
	seq = (uint64_t)json_integer_value(json_object_get(e, "seq"));
	h = json_string_value(json_object_get(e, "hash"));
	ph = json_string_value(json_object_get(e, "prev_hash"));
	if (seq != v->expect)
		audit_bad(v, v->expect, "%s", "sequence number altered");
	else if (h == NULL || ph == NULL)
		audit_bad(v, v->expect, "%s", "hash missing");
	else if (strcmp(ph, v->prev) != 0)
		audit_bad(v, v->expect, "%s",
		    "prev_hash does not match the previous entry");
	else {
		audit_entry_hash(e, calc);
		if (strcmp(calc, h) != 0)
			audit_bad(v, v->expect, "%s", "hash mismatch");
	}
	if (!v->done) {
		memcpy(v->prev, h, 65);
		v->res->entries++;
		v->expect++;
	}
	json_decref(e);
	return v->done;
}

int
audit_verify(struct audit *a, struct audit_verify_result *res, char **cause)
{
	struct audit_verifier v;

	memset(res, 0, sizeof *res);
	res->ok = 1;
	memset(&v, 0, sizeof v);
	v.res = res;
	v.expect = 1;
	memcpy(v.prev, AUDIT_ZERO_HASH, 65);
	if (alert_kv_scan(
	        a->kv, AUDIT_PREFIX, NULL, audit_verify_cb, &v, cause) != 0)
		return -1;
	if (res->ok && v.expect - 1 < a->head_seq) {
		res->ok = 0;
		res->first_bad = v.expect;
		snprintf(res->reason, sizeof res->reason,
		    "entries %" PRIu64 "..%" PRIu64 " missing (log truncated)",
		    v.expect, a->head_seq);
	} else if (res->ok && v.expect - 1 == a->head_seq &&
	           strcmp(v.prev, a->head_hash) != 0) {
		res->ok = 0;
		res->first_bad = a->head_seq;
		snprintf(res->reason, sizeof res->reason,
		    "last entry does not match the recorded head");
	}
	memcpy(res->head, v.prev, 65);
	return 0;
}
