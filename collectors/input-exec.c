/*
 * exec input: run a program each interval in its own process group, read
 * its output (nagios, influx or json format), kill the whole group at the
 * timeout.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/lineproto.h"
#include "lib/log.h"
#include "lib/nagios.h"
#include "lib/xmalloc.h"

#define EXEC_MAX_OUTPUT (1 << 20)

enum exec_format { EXEC_NAGIOS, EXEC_INFLUX, EXEC_JSON };

struct exec_conf {
	struct input_conf base;
	char **command;
	char *format;
	char *precision;
	char *measurement;
	char *dir;
};

struct exec_state {
	struct input *in;
	char **argv; /* owned */
	char *dir;
	char *measurement;
	enum exec_format format;
	int64_t prec_div; /* influx: divide timestamps by this */
	int64_t prec_mul;
	int last_state;         /* nagios; -1 before the first run */
	int64_t state_since_ms; /* nagios: when last_state began */

	/* The current run. */
	pid_t pid;
	int status;
	int reaped;
	int timed_out;
	int too_big;
	int out_fd, err_fd;
	struct event *out_ev, *err_ev, *timeout_ev;
	struct buf out, err;
	int64_t start_ms;
	struct exec_state *next; /* running list */
};

static const struct conf_field exec_fields[] = {
    {.key = "command",
        .type = CONF_STRARRAY,
        .required = 1,
        .offset = offsetof(struct exec_conf, command)},
    {.key = "format",
        .type = CONF_STRING,
        .offset = offsetof(struct exec_conf, format)},
    {.key = "precision",
        .type = CONF_STRING,
        .offset = offsetof(struct exec_conf, precision)},
    {.key = "measurement",
        .type = CONF_STRING,
        .offset = offsetof(struct exec_conf, measurement)},
    {.key = "dir",
        .type = CONF_STRING,
        .offset = offsetof(struct exec_conf, dir)},
    {.key = NULL},
};

/* Runs in progress, for SIGCHLD; one SIGCHLD event for all exec inputs. */
static struct exec_state *exec_running;
static struct event *exec_sigchld;
static int exec_ninputs;
static struct lp_parser *exec_lp;

static void exec_finish(struct exec_state *es);

static void
exec_maybe_finish(struct exec_state *es)
{
	if (es->reaped && es->out_fd == -1 && es->err_fd == -1)
		exec_finish(es);
}

static void
exec_close_fd(struct exec_state *es, int *fd, struct event **ev)
{
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static void
exec_kill(struct exec_state *es)
{
	/* The whole group: the program and everything it started. */
	if (es->pid > 0 && kill(-es->pid, SIGKILL) != 0 && errno == ESRCH)
		kill(es->pid, SIGKILL);
}

static void
exec_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct exec_state *es = arg;
	int is_out = fd == es->out_fd;
	struct buf *b = is_out ? &es->out : &es->err;
	char tmp[8192];
	ssize_t n;

	n = read(fd, tmp, sizeof tmp);
	if (n > 0) {
		if (b->len + (size_t)n > EXEC_MAX_OUTPUT) {
			if (is_out && !es->too_big) {
				es->too_big = 1;
				exec_kill(es);
			}
			return;
		}
		buf_append(b, tmp, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (is_out)
		exec_close_fd(es, &es->out_fd, &es->out_ev);
	else
		exec_close_fd(es, &es->err_fd, &es->err_ev);
	exec_maybe_finish(es);
}

static void
exec_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct exec_state *es = arg;

	es->timed_out = 1;
	exec_kill(es);
	/* A process that left the group may hold the pipes: stop reading. */
	exec_close_fd(es, &es->out_fd, &es->out_ev);
	exec_close_fd(es, &es->err_fd, &es->err_ev);
	exec_maybe_finish(es);
}

static void
exec_sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct exec_state *es;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (es = exec_running; es != NULL; es = es->next) {
			if (es->pid == pid) {
				es->status = status;
				es->reaped = 1;
				/* Anything it left behind in its group goes
				 * too. */
				kill(-pid, SIGKILL);
				exec_maybe_finish(es);
				break;
			}
		}
	}
}

static void
exec_unlist(struct exec_state *es)
{
	struct exec_state **pp;

	for (pp = &exec_running; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == es) {
			*pp = es->next;
			break;
		}
	}
	es->next = NULL;
}

static int
exec_init(struct input *in, void *conf, char **cause)
{
	struct exec_conf *ec = conf;
	struct exec_state *es;
	enum exec_format fmt = EXEC_NAGIOS;
	int64_t div = 1000000, mul = 1;

	if (ec->command[0] == NULL) {
		*cause = xstrdup("\"command\" is empty");
		return -1;
	}
	if (ec->format != NULL) {
		if (strcmp(ec->format, "nagios") == 0)
			fmt = EXEC_NAGIOS;
		else if (strcmp(ec->format, "influx") == 0)
			fmt = EXEC_INFLUX;
		else if (strcmp(ec->format, "json") == 0)
			fmt = EXEC_JSON;
		else {
			*cause = xasprintf("format \"%s\": expected nagios, "
			                   "influx or json",
			    ec->format);
			return -1;
		}
	}
	if (ec->precision != NULL) {
		if (strcmp(ec->precision, "ns") == 0)
			div = 1000000;
		else if (strcmp(ec->precision, "us") == 0)
			div = 1000;
		else if (strcmp(ec->precision, "ms") == 0)
			div = 1;
		else if (strcmp(ec->precision, "s") == 0) {
			div = 1;
			mul = 1000;
		} else {
			*cause = xasprintf("precision \"%s\": expected ns, us, "
			                   "ms or s",
			    ec->precision);
			return -1;
		}
	}
	es = xcalloc(1, sizeof *es);
	es->in = in;
	es->argv = ec->command;
	ec->command = NULL;
	es->dir = ec->dir;
	ec->dir = NULL;
	es->measurement =
	    ec->measurement != NULL ? ec->measurement : xstrdup(in->name);
	ec->measurement = NULL;
	es->format = fmt;
	es->prec_div = div;
	es->prec_mul = mul;
	es->last_state = -1;
	es->out_fd = es->err_fd = -1;
	buf_init(&es->out);
	buf_init(&es->err);
	in->priv = es;
	if (exec_ninputs++ == 0) {
		exec_sigchld =
		    evsignal_new(in->c->base, SIGCHLD, exec_sigchld_cb, NULL);
		evsignal_add(exec_sigchld, NULL);
		exec_lp = lp_parser_create();
	}
	es->timeout_ev = evtimer_new(in->c->base, exec_timeout_cb, es);
	return 0;
}

static void
exec_run(struct input *in)
{
	struct exec_state *es = in->priv;
	int out[2], err[2];
	struct timeval tv;
	pid_t pid;

	buf_reset(&es->out);
	buf_reset(&es->err);
	es->reaped = es->timed_out = es->too_big = 0;
	es->status = 0;
	if (pipe2(out, O_CLOEXEC) != 0) {
		input_error(in, "pipe: %s", strerror(errno));
		input_done(in, 0);
		return;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		input_error(in, "pipe: %s", strerror(errno));
		input_done(in, 0);
		return;
	}
	es->start_ms = clock_wall_ms();
	pid = fork();
	if (pid == -1) {
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		input_error(in, "fork: %s", strerror(errno));
		input_done(in, 0);
		return;
	}
	if (pid == 0) {
		sigset_t set;
		int devnull;

		setpgid(0, 0);
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1) {
			dup2(devnull, STDIN_FILENO);
			close(devnull);
		}
		if (es->dir != NULL && chdir(es->dir) != 0) {
			dprintf(STDERR_FILENO, "%s: %s\n", es->dir,
			    strerror(errno));
			_exit(3);
		}
		execvp(es->argv[0], es->argv);
		dprintf(STDOUT_FILENO, "UNKNOWN - cannot run %s: %s\n",
		    es->argv[0], strerror(errno));
		_exit(3);
	}
	setpgid(pid, pid); /* both sides, so kill(-pid) works at once */
	close(out[1]);
	close(err[1]);
	es->pid = pid;
	es->out_fd = out[0];
	es->err_fd = err[0];
	evutil_make_socket_nonblocking(es->out_fd);
	evutil_make_socket_nonblocking(es->err_fd);
	es->out_ev = event_new(
	    in->c->base, es->out_fd, EV_READ | EV_PERSIST, exec_read_cb, es);
	es->err_ev = event_new(
	    in->c->base, es->err_fd, EV_READ | EV_PERSIST, exec_read_cb, es);
	event_add(es->out_ev, NULL);
	event_add(es->err_ev, NULL);
	tv.tv_sec = in->timeout_ms / 1000;
	tv.tv_usec = (in->timeout_ms % 1000) * 1000;
	evtimer_add(es->timeout_ev, &tv);
	es->next = exec_running;
	exec_running = es;
	/* A child that exited before we listed it is reaped by the next
	 * SIGCHLD round; run one now in case that signal was already
	 * handled. */
	exec_sigchld_cb(SIGCHLD, 0, NULL);
}

/* Per Nagios state (0..3): the event's severity and nagios_state's value.
 * UNKNOWN ranks between OK and WARNING (docs/alerts.md), so a rule
 * "nagios_state >= 1" means WARNING or worse and ">= 2" CRITICAL only; the
 * plugin's own exit code is nagios_state_code. */
static const struct {
	const char *severity;
	double rank;
} exec_states[] = {
    [NAGIOS_OK] = {.severity = "info", .rank = 0},
    [NAGIOS_WARNING] = {.severity = "medium", .rank = 1},
    [NAGIOS_CRITICAL] = {.severity = "high", .rank = 2},
    [NAGIOS_UNKNOWN] = {.severity = "low", .rank = 0.5},
};

/* The long output's first lines for an event's detail (NULL if none). */
#define EXEC_DETAIL_LINES 5
#define EXEC_DETAIL_BYTES 1000

static json_t *
exec_detail(const char *long_text)
{
	const char *p = long_text, *end, *nl;
	size_t n, len;

	while (*p == '\n' || *p == '\r')
		p++;
	end = p;
	for (n = 0; n < EXEC_DETAIL_LINES && *end != '\0'; n++) {
		nl = strchr(end, '\n');
		end = nl != NULL ? nl + 1 : end + strlen(end);
	}
	len = (size_t)(end - p);
	while (len > 0 && strchr("\r\n \t", p[len - 1]) != NULL)
		len--;
	if (len > EXEC_DETAIL_BYTES) {
		len = EXEC_DETAIL_BYTES;
		/* do not cut a UTF-8 sequence */
		while (len > 0 && ((unsigned char)p[len] & 0xc0) == 0x80)
			len--;
	}
	return len > 0 ? json_stringn(p, len) : NULL;
}

/* The perfdata item's own state against its thresholds, '@' included. */
static int
exec_perf_state(const struct nagios_perf *p)
{
	if (nagios_range_alerts(&p->crit, p->value))
		return NAGIOS_CRITICAL;
	if (nagios_range_alerts(&p->warn, p->value))
		return NAGIOS_WARNING;
	return NAGIOS_OK;
}

static void
exec_nagios(struct exec_state *es, int state, const char *text_override)
{
	struct input *in = es->in;
	struct collector *c = in->c;
	struct nagios_output no;
	struct lp_writer *w;
	const char *text;
	json_t *ev, *labels, *detail;
	size_t i, k;
	int64_t now = clock_wall_ms();

	nagios_output_parse(
	    es->out.data != NULL ? es->out.data : "", es->out.len, &no);
	text = text_override != NULL ? text_override : no.text;
	if (state != es->last_state || es->state_since_ms == 0)
		es->state_since_ms = now;
	w = collector_line_begin(c, in, "nagios_state");
	lp_writer_tag(w, "check", in->name);
	lp_writer_float(w, "value", exec_states[state].rank);
	lp_writer_int(w, "code", state);
	/* time in the current state; run_s is how long the check took */
	lp_writer_float(
	    w, "duration_s", (double)(now - es->state_since_ms) / 1000.0);
	lp_writer_float(w, "run_s", (double)(now - es->start_ms) / 1000.0);
	collector_line_end(c, now);
	for (i = 0; i < no.nperf && text_override == NULL; i++) {
		struct nagios_perf *p = &no.perf[i];

		if (p->unknown)
			continue;
		w = collector_line_begin(c, in, "nagios_perf");
		lp_writer_tag(w, "check", in->name);
		lp_writer_tag(w, "label", p->label);
		if (p->uom[0] != '\0')
			lp_writer_tag(w, "uom", p->uom);
		lp_writer_float(w, "value", p->value);
		if (p->warn.set || p->crit.set)
			lp_writer_int(w, "state", exec_perf_state(p));
		if (p->warn.set && isfinite(p->warn.end))
			lp_writer_float(w, "warn", p->warn.end);
		if (p->warn.set && isfinite(p->warn.start) &&
		    (p->warn.start != 0 || p->warn.inside))
			lp_writer_float(w, "warn_lo", p->warn.start);
		if (p->warn.inside)
			lp_writer_int(w, "warn_inside", 1);
		if (p->crit.set && isfinite(p->crit.end))
			lp_writer_float(w, "crit", p->crit.end);
		if (p->crit.set && isfinite(p->crit.start) &&
		    (p->crit.start != 0 || p->crit.inside))
			lp_writer_float(w, "crit_lo", p->crit.start);
		if (p->crit.inside)
			lp_writer_int(w, "crit_inside", 1);
		if (p->has_min)
			lp_writer_float(w, "min", p->min);
		if (p->has_max)
			lp_writer_float(w, "max", p->max);
		collector_line_end(c, now);
	}
	if (no.nbad > 0)
		log_debug("exec", "%s: %zu perfdata item(s) skipped: %s",
		    in->name, no.nbad, no.bad_reason);
	/* A change of state (and the first state seen) is an event. */
	if (state != es->last_state) {
		ev = json_object();
		labels = json_object();
		for (k = 0; k < in->ntags; k++)
			json_object_set_new(labels, in->tags[k].key,
			    json_string(in->tags[k].value));
		json_object_set_new(labels, "check", json_string(in->name));
		json_object_set_new(ev, "key",
		    json_sprintf("nagios/%s/%s", c->conf.name, in->name));
		json_object_set_new(ev, "state",
		    json_string(state == NAGIOS_OK ? "resolved" : "firing"));
		json_object_set_new(
		    ev, "severity", json_string(exec_states[state].severity));
		json_object_set_new(ev, "labels", labels);
		json_object_set_new(ev, "message",
		    text[0] != '\0' ? json_string(text)
		                    : json_string(nagios_state_name(state)));
		json_object_set_new(ev, "value", json_integer(state));
		if (text_override == NULL &&
		    (detail = exec_detail(no.long_text)) != NULL)
			json_object_set_new(ev, "detail", detail);
		if (es->last_state != -1 || state != NAGIOS_OK)
			collector_event(c, ev);
		else
			json_decref(ev);
		es->last_state = state;
	}
	nagios_output_free(&no);
}

static int
exec_influx(struct exec_state *es)
{
	struct input *in = es->in;
	struct collector *c = in->c;
	const struct lp_point *pt;
	const char *cause;
	struct lp_body b;
	struct lp_writer *w;
	size_t lineno, i, k;
	int r, bad = 0;
	int64_t now = clock_wall_ms(), t;

	lp_body_init(&b, es->out.data, es->out.len);
	while (
	    (r = lp_body_next(exec_lp, &b, &pt, &lineno, &cause)) != LP_END) {
		if (r == LP_ERROR) {
			if (bad++ == 0)
				input_error(
				    in, "output line %zu: %s", lineno, cause);
			continue;
		}
		w = collector_line_begin(c, in, "");
		/* Rewrite the measurement written by line_begin. */
		c->batch.len = w->start;
		lp_escape(&c->batch, LP_ELEM_MEASUREMENT, pt->measurement.p,
		    pt->measurement.len);
		w->invalid = 0;
		for (k = 0; k < in->ntags; k++)
			lp_writer_tag(w, in->tags[k].key, in->tags[k].value);
		for (i = 0; i < pt->ntags; i++) {
			for (k = 0; k < in->ntags; k++)
				if (strlen(in->tags[k].key) ==
				        pt->tags[i].key.len &&
				    memcmp(in->tags[k].key, pt->tags[i].key.p,
				        pt->tags[i].key.len) == 0)
					break;
			if (k == in->ntags) /* configured tags win */
				lp_writer_tagn(w, pt->tags[i].key.p,
				    pt->tags[i].key.len, pt->tags[i].value.p,
				    pt->tags[i].value.len);
		}
		for (i = 0; i < pt->nfields; i++) {
			const struct lp_field *f = &pt->fields[i];
			char key[256];
			double v;

			if (lp_field_number(f, &v) != 0 ||
			    f->key.len >= sizeof key)
				continue; /* strings are not stored */
			memcpy(key, f->key.p, f->key.len);
			key[f->key.len] = '\0';
			if (f->type == LP_INT)
				lp_writer_int(w, key, f->v.i);
			else if (f->type == LP_UINT)
				lp_writer_uint(w, key, f->v.u);
			else
				lp_writer_float(w, key, v);
		}
		t = pt->has_time ? pt->time / es->prec_div * es->prec_mul : now;
		collector_line_end(c, t);
	}
	return bad == 0;
}

/* json: {"name": number, ...} or {"metrics": [{"name", "value", "tags",
 * "time_ms"}], "events": [ {...} ]}. */
static int
exec_json(struct exec_state *es)
{
	struct input *in = es->in;
	struct collector *c = in->c;
	json_error_t jerr;
	json_t *root, *m, *v, *events, *metrics;
	struct lp_writer *w;
	const char *k, *tk;
	size_t i;
	int64_t now = clock_wall_ms();
	int ok = 1;

	root = json_loadb(
	    es->out.data != NULL ? es->out.data : "", es->out.len, 0, &jerr);
	if (!json_is_object(root)) {
		input_error(in, "output is not a JSON object: %s",
		    root == NULL ? jerr.text : "wrong type");
		json_decref(root);
		return 0;
	}
	metrics = json_object_get(root, "metrics");
	events = json_object_get(root, "events");
	if (metrics == NULL && events == NULL) {
		json_object_foreach(root, k, v)
		{
			if (!json_is_number(v))
				continue;
			w = collector_line_begin(c, in, k);
			lp_writer_float(w, "value", json_number_value(v));
			collector_line_end(c, now);
		}
	}
	json_array_foreach(metrics, i, m)
	{
		const char *name =
		    json_string_value(json_object_get(m, "name"));
		json_t *tags = json_object_get(m, "tags");
		json_t *t = json_object_get(m, "time_ms");

		v = json_object_get(m, "value");
		if (name == NULL || !json_is_number(v)) {
			if (ok)
				input_error(in,
				    "metrics[%zu]: needs \"name\" "
				    "and a numeric \"value\"",
				    i);
			ok = 0;
			continue;
		}
		w = collector_line_begin(c, in, name);
		json_object_foreach(tags, tk, v)
		{
			if (json_is_string(v))
				lp_writer_tag(w, tk, json_string_value(v));
		}
		lp_writer_float(
		    w, "value", json_number_value(json_object_get(m, "value")));
		collector_line_end(
		    c, json_is_integer(t) ? json_integer_value(t) : now);
	}
	json_array_foreach(events, i, m)
	{
		if (json_is_object(m))
			collector_event(c, json_incref(m));
	}
	json_decref(root);
	return ok;
}

static void
exec_finish(struct exec_state *es)
{
	struct input *in = es->in;
	int state, ok = 1;
	char msg[128];

	evtimer_del(es->timeout_ev);
	exec_unlist(es);
	es->pid = 0;
	if (es->err.len > 0)
		log_debug(
		    "exec", "%s: stderr: %.300s", in->name, buf_str(&es->err));
	if (es->timed_out) {
		input_error(in, "timed out after %lld ms; process group killed",
		    (long long)in->timeout_ms);
		ok = 0;
	} else if (es->too_big) {
		input_error(in, "output over %d bytes; process group killed",
		    EXEC_MAX_OUTPUT);
		ok = 0;
	}
	if (es->format == EXEC_NAGIOS) {
		if (es->timed_out || es->too_big) {
			state = NAGIOS_CRITICAL;
			snprintf(msg, sizeof msg, "%s after %lld ms",
			    es->timed_out ? "timed out" : "output too large",
			    (long long)in->timeout_ms);
			exec_nagios(es, state, msg);
		} else {
			state = WIFEXITED(es->status) ? WEXITSTATUS(es->status)
			                              : NAGIOS_UNKNOWN;
			if (state > NAGIOS_UNKNOWN)
				state = NAGIOS_UNKNOWN;
			exec_nagios(es, state, NULL);
		}
	} else if (ok) {
		if (!WIFEXITED(es->status) || WEXITSTATUS(es->status) != 0) {
			input_error(in, "exited with %s %d: %.200s",
			    WIFEXITED(es->status) ? "status" : "signal",
			    WIFEXITED(es->status) ? WEXITSTATUS(es->status)
			                          : WTERMSIG(es->status),
			    buf_str(&es->err));
			ok = 0;
		}
		if (es->format == EXEC_INFLUX)
			ok &= exec_influx(es);
		else
			ok &= exec_json(es);
	}
	input_done(in, ok);
}

static void
exec_free(struct input *in)
{
	struct exec_state *es = in->priv;
	int status;

	if (es == NULL)
		return;
	if (es->pid > 0) {
		exec_kill(es);
		waitpid(es->pid, &status, 0);
		exec_unlist(es);
	}
	exec_close_fd(es, &es->out_fd, &es->out_ev);
	exec_close_fd(es, &es->err_fd, &es->err_ev);
	event_free(es->timeout_ev);
	conf_strarray_free(es->argv);
	free(es->dir);
	free(es->measurement);
	buf_free(&es->out);
	buf_free(&es->err);
	free(es);
	in->priv = NULL;
	if (--exec_ninputs == 0) {
		event_free(exec_sigchld);
		exec_sigchld = NULL;
		lp_parser_free(exec_lp);
		exec_lp = NULL;
	}
}

/* A reload keeps the last Nagios state: no duplicate event for a state
 * that did not change, and a recovery still sends its "resolved". */
static void
exec_inherit(struct input *in, const struct input *old)
{
	struct exec_state *es = in->priv;
	const struct exec_state *os = old->priv;

	if (es->format == EXEC_NAGIOS && os->format == EXEC_NAGIOS) {
		es->last_state = os->last_state;
		es->state_since_ms = os->state_since_ms;
	}
}

const struct input_ops input_exec_ops = {
    .type = "exec",
    .conf_size = sizeof(struct exec_conf),
    .fields = exec_fields,
    .init = exec_init,
    .run = exec_run,
    .free = exec_free,
    .inherit = exec_inherit,
};
