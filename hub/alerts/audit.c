/* The hash-chained, append-only audit log (see audit.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "hub/alerts/alert-kv.h"
#include "hub/alerts/audit.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define AUDIT_PREFIX   "audit/"
#define AUDIT_HEAD_KEY "audit-head"
#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

#define AUDIT_KEY_MIN 32 /* bytes of key text */

struct audit {
	struct alert_kv *kv;
	uint64_t head_seq;
	char head_hash[65];

	unsigned char *key; /* HMAC key, or NULL */
	size_t key_len;
	char *anchor_path;   /* or NULL */
	uint64_t anchor_seq; /* head found in the anchor file (0: none) */
	char anchor_hash[65];
	int anchor_frozen; /* chain found broken: keep the evidence */
	int anchor_fd;     /* open once written, -1 before */
	uint64_t anchor_every;
	audit_anchor_fn anchor;
	void *anchor_arg;
	audit_record_fn record;
	void *record_arg;
};

static void
audit_hex(const unsigned char *md, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
audit_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort(); /* libcrypto without SHA-256: broken invariant */
	audit_hex(md, out);
}

/* The log's MAC: HMAC-SHA256 under the key, SHA-256 without one. */
static void
audit_mac_hex(const struct audit *a, const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (a->key == NULL) {
		audit_sha256_hex(data, len, out);
		return;
	}
	if (HMAC(EVP_sha256(), a->key, (int)a->key_len, data, len, md,
	        &mdlen) == NULL ||
	    mdlen != 32)
		abort(); /* libcrypto without HMAC-SHA256 */
	audit_hex(md, out);
}

/* ---- Key and anchor files ---------------------------------------------- */

static int
audit_key_create(const char *path, char **cause)
{
	unsigned char raw[32];
	char hex[65], line[66];
	int fd;

	if (RAND_bytes(raw, sizeof raw) != 1) {
		*cause = xasprintf("audit key %s: no random bytes", path);
		return -1;
	}
	audit_hex(raw, hex);
	snprintf(line, sizeof line, "%s\n", hex);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf(
		    "audit key %s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, line, 65) != 65 || fsync(fd) != 0) {
		*cause = xasprintf(
		    "audit key %s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	log_info("audit",
	    "created the audit key %s (mode 0600); keep it "
	    "outside the data directory and back it up",
	    path);
	return 0;
}

int
audit_key_load(const char *path, unsigned char **key, size_t *len, char **cause)
{
	char buf[1025], *p, *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (audit_key_create(path, cause) != 0)
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		*cause = xasprintf(
		    "audit key %s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		*cause = xasprintf(
		    "audit key %s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	for (p = buf; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		continue;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	                      end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end - p < AUDIT_KEY_MIN || n == (ssize_t)sizeof buf - 1) {
		*cause = xasprintf("audit key %s: expected 32 to 1000 bytes "
		                   "of key text",
		    path);
		return -1;
	}
	*len = (size_t)(end - p);
	*key = xmalloc(*len);
	memcpy(*key, p, *len);
	return 0;
}

/* Read the anchor file: 0 (absent is fine), -1 with *cause. */
static int
audit_anchor_read(struct audit *a, char **cause)
{
	json_error_t jerr;
	json_t *j;
	const char *h;

	if (a->anchor_path == NULL)
		return 0;
	j = json_load_file(a->anchor_path, 0, &jerr);
	if (j == NULL) {
		if (access(a->anchor_path, F_OK) != 0 && errno == ENOENT)
			return 0;
		*cause =
		    xasprintf("audit anchor %s: %s", a->anchor_path, jerr.text);
		return -1;
	}
	h = json_string_value(json_object_get(j, "hash"));
	if (h == NULL || strlen(h) != 64 ||
	    json_integer_value(json_object_get(j, "seq")) <= 0) {
		json_decref(j);
		*cause = xasprintf("audit anchor %s: expected {\"seq\": N, "
		                   "\"hash\": \"64 hex digits\"}",
		    a->anchor_path);
		return -1;
	}
	a->anchor_seq = (uint64_t)json_integer_value(json_object_get(j, "seq"));
	memcpy(a->anchor_hash, h, 65);
	json_decref(j);
	return 0;
}

/* Write the head to the anchor file: one fixed-length line overwritten in
 * place with a single pwrite() on a descriptor kept open (a rename per
 * entry cost ten times the rest of an append). */
static int
audit_anchor_write(struct audit *a, char **cause)
{
	char line[160];
	int n;

	if (a->anchor_path == NULL || a->anchor_frozen || a->head_seq == 0)
		return 0;
	n = snprintf(line, sizeof line,
	    "{\"seq\": %20" PRIu64 ", \"hash\": \"%s\"}\n", a->head_seq,
	    a->head_hash);
	if (a->anchor_fd < 0) {
		a->anchor_fd =
		    open(a->anchor_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (a->anchor_fd >= 0 && ftruncate(a->anchor_fd, n) != 0) {
			close(a->anchor_fd);
			a->anchor_fd = -1;
		}
	}
	if (a->anchor_fd < 0 || pwrite(a->anchor_fd, line, (size_t)n, 0) != n) {
		*cause = xasprintf("audit anchor %s: cannot write: %s",
		    a->anchor_path, strerror(errno));
		return -1;
	}
	a->anchor_seq = a->head_seq;
	memcpy(a->anchor_hash, a->head_hash, 65);
	return 0;
}

void
audit_anchor(struct audit *a, const char *why)
{
	if (a->anchor != NULL)
		a->anchor(a->anchor_arg, a->head_seq, a->head_hash, why);
}

static void
audit_key(uint64_t seq, char *out, size_t len)
{
	snprintf(out, len, AUDIT_PREFIX "%020" PRIu64, seq);
}

/* The entry's hash: SHA-256 over prev_hash, '\n' and the canonical JSON of
 * the entry without its "hash" member. */
static void
audit_entry_hash(const struct audit *a, json_t *entry, char out[65])
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
	audit_mac_hex(a, msg, strlen(msg), out);
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

int
audit_entry_intact(const struct audit *a, json_t *entry)
{
	const char *h = json_string_value(json_object_get(entry, "hash"));
	char calc[65];

	if (h == NULL)
		return 0;
	audit_entry_hash(a, entry, calc);
	return strcmp(calc, h) == 0;
}

struct audit *
audit_open(struct alert_kv *kv, const struct audit_opts *o, char **cause)
{
	struct audit *a = xcalloc(1, sizeof *a);
	struct audit_last last = {0};
	char *val = NULL, start[64];
	size_t len;
	json_t *head;
	int r;

	a->kv = kv;
	a->anchor_fd = -1;
	memcpy(a->head_hash, AUDIT_ZERO_HASH, 65);
	if (o != NULL) {
		if (o->key != NULL) {
			a->key = xmalloc(o->key_len);
			memcpy(a->key, o->key, o->key_len);
			a->key_len = o->key_len;
		}
		if (o->anchor_path != NULL)
			a->anchor_path = xstrdup(o->anchor_path);
		a->anchor_every = o->anchor_every;
		a->anchor = o->anchor;
		a->anchor_arg = o->anchor_arg;
		a->record = o->record;
		a->record_arg = o->record_arg;
	}
	if (audit_anchor_read(a, cause) != 0) {
		audit_free(a);
		return NULL;
	}
	r = alert_kv_get(kv, AUDIT_HEAD_KEY, &val, &len, cause);
	if (r < 0) {
		audit_free(a);
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
			audit_free(a);
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
		audit_free(a);
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
	if (a == NULL)
		return;
	if (a->key != NULL)
		OPENSSL_cleanse(a->key, a->key_len);
	free(a->key);
	free(a->anchor_path);
	if (a->anchor_fd >= 0)
		close(a->anchor_fd);
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
	if (rec->record_key != NULL && rec->record_hash != NULL)
		json_object_set_new(e, "record",
		    json_pack("{s:s,s:s}", "key", rec->record_key, "sha256",
		        rec->record_hash));
	json_object_set_new(e, "prev_hash", json_string(a->head_hash));
	audit_entry_hash(a, e, hash);
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
	if (audit_anchor_write(a, &text) != 0) {
		log_error("audit", "%s", text);
		free(text);
	}
	if (a->anchor_every != 0 && seq % a->anchor_every == 0) {
		char why[48];

		snprintf(why, sizeof why, "every %" PRIu64 " entries",
		    a->anchor_every);
		audit_anchor(a, why);
	}
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
	struct audit *a;
	struct audit_verify_result *res;
	uint64_t expect; /* next seq expected */
	char prev[65];
	int done;
	json_t *records; /* record key -> [seq, sha256] of its latest entry */
};

static void __attribute__((format(printf, 3, 4)))
audit_bad(struct audit_verifier *v, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	v->res->ok = 0;
	v->res->first_bad = seq;
	va_start(ap, fmt);
	vsnprintf(v->res->reason, sizeof v->res->reason, fmt, ap);
	va_end(ap);
	v->done = 1;
}

/* Remember which entry vouches last for the record it names. */
static void
audit_verify_note_record(struct audit_verifier *v, json_t *e, uint64_t seq)
{
	json_t *r = json_object_get(e, "record");
	const char *key = json_string_value(json_object_get(r, "key"));
	const char *h = json_string_value(json_object_get(r, "sha256"));

	if (key != NULL && h != NULL)
		json_object_set_new(
		    v->records, key, json_pack("[I,s]", (json_int_t)seq, h));
}

static int
audit_verify_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct audit_verifier *v = arg;
	json_t *e;
	const char *h, *ph;
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
	else if (h == NULL || ph == NULL || strlen(h) != 64)
		audit_bad(v, v->expect, "%s", "hash missing");
	else if (strcmp(ph, v->prev) != 0)
		audit_bad(v, v->expect, "%s",
		    "prev_hash does not match the previous entry");
	else if (!audit_entry_intact(v->a, e))
		audit_bad(v, v->expect, "%s", "hash mismatch");
	else if (seq == v->a->anchor_seq && strcmp(h, v->a->anchor_hash) != 0)
		audit_bad(v, v->expect, "%s",
		    "entry differs from the head anchored outside the "
		    "database");
	if (!v->done) {
		memcpy(v->prev, h, 65);
		audit_verify_note_record(v, e, seq);
		v->res->entries++;
		v->expect++;
	}
	json_decref(e);
	return v->done;
}

/* Each record against the latest entry about it; the first (lowest
 * entry) mismatch is reported. */
static void
audit_verify_records(struct audit_verifier *v)
{
	struct audit *a = v->a;
	const char *key, *want;
	uint64_t seq, bad = 0;
	char cur[65], why[160] = "";
	json_t *p;
	int r;

	if (a->record == NULL)
		return;
	json_object_foreach(v->records, key, p)
	{
		seq = (uint64_t)json_integer_value(json_array_get(p, 0));
		want = json_string_value(json_array_get(p, 1));
		r = a->record(a->record_arg, key, cur);
		v->res->records++;
		if (r < 0)
			snprintf(cur, sizeof cur, "unreadable");
		if (r == 1 ? strcmp(cur, want) == 0
		           : r == 0 && strcmp(want, AUDIT_RECORD_ABSENT) == 0)
			continue;
		if (bad != 0 && seq >= bad)
			continue;
		bad = seq;
		snprintf(why, sizeof why,
		    r < 0    ? "record %s cannot be read"
		    : r == 0 ? "record %s was deleted after the entry that "
		               "vouches for it"
		             : "record %s differs from the state this entry "
		               "vouches for (changed outside the audited "
		               "actions)",
		    key);
	}
	if (bad != 0) {
		v->res->ok = 0;
		v->res->first_bad = bad;
		memcpy(v->res->reason, why, sizeof v->res->reason);
	}
}

int
audit_verify(struct audit *a, struct audit_verify_result *res, char **cause)
{
	struct audit_verifier v;
	uint64_t last;

	memset(res, 0, sizeof *res);
	res->ok = 1;
	memset(&v, 0, sizeof v);
	v.a = a;
	v.res = res;
	v.expect = 1;
	v.records = json_object();
	memcpy(v.prev, AUDIT_ZERO_HASH, 65);
	if (alert_kv_scan(
	        a->kv, AUDIT_PREFIX, NULL, audit_verify_cb, &v, cause) != 0) {
		json_decref(v.records);
		return -1;
	}
	last = v.expect - 1;
	if (res->ok && last < a->head_seq) {
		res->ok = 0;
		res->first_bad = v.expect;
		snprintf(res->reason, sizeof res->reason,
		    "entries %" PRIu64 "..%" PRIu64 " missing (log truncated)",
		    v.expect, a->head_seq);
	} else if (res->ok && last == a->head_seq &&
	           strcmp(v.prev, a->head_hash) != 0) {
		res->ok = 0;
		res->first_bad = a->head_seq;
		snprintf(res->reason, sizeof res->reason,
		    "last entry does not match the recorded head");
	} else if (res->ok && last < a->anchor_seq) {
		res->ok = 0;
		res->first_bad = v.expect;
		snprintf(res->reason, sizeof res->reason,
		    "log truncated: it ends at entry %" PRIu64
		    " but the anchor outside the database records entry "
		    "%" PRIu64,
		    last, a->anchor_seq);
	}
	if (res->ok)
		audit_verify_records(&v);
	json_decref(v.records);
	memcpy(res->head, v.prev, 65);
	if (!res->ok)
		a->anchor_frozen = 1;
	return 0;
}
