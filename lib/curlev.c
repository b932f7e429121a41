/* libcurl multi interface on a libevent loop (curl's hiperfifo pattern). */
#include "config.h"

#include <dlfcn.h>
#include <event2/event.h>
#include <stdlib.h>

#include "lib/curlev.h"
#include "lib/xmalloc.h"

/* libssh2_init()'s flag to leave the crypto library alone. */
#define CURLEV_LIBSSH2_INIT_NO_CRYPTO 0x0001

/* libssh2, when libcurl links it, kept initialised without crypto. */
static void *curlev_ssh2;

/*
 * Debian's libcurl (every TLS flavour) links libssh2, and
 * curl_global_init() calls libssh2_init(0), which initialises every
 * OpenSSL algorithm and engine: about 1.5 MiB of libcrypto pages become
 * resident, for SCP and SFTP that curlev programs never use
 * (CURLEV_PROTOCOLS).  libssh2 counts its initialisations: initialised
 * first with LIBSSH2_INIT_NO_CRYPTO, curl's call only counts.  If libcurl
 * does not link libssh2, there is nothing to do.
 */
int
curlev_global_init(void)
{
	int (*init)(int);

	curlev_ssh2 = dlopen("libssh2.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (curlev_ssh2 != NULL) {
		*(void **)&init = dlsym(curlev_ssh2, "libssh2_init");
		if (init == NULL || init(CURLEV_LIBSSH2_INIT_NO_CRYPTO) != 0) {
			dlclose(curlev_ssh2);
			curlev_ssh2 = NULL;
		}
	}
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
curlev_global_cleanup(void)
{
	void (*fini)(void);

	curl_global_cleanup();
	if (curlev_ssh2 != NULL) {
		*(void **)&fini = dlsym(curlev_ssh2, "libssh2_exit");
		if (fini != NULL)
			fini();
		dlclose(curlev_ssh2);
		curlev_ssh2 = NULL;
	}
}

/* Per transfer, set as CURLOPT_PRIVATE; listed so curlev_free finds
 * them. */
struct curlev_xfer {
	CURL *easy;
	curlev_done_cb done;
	void *arg;
	struct curlev_xfer *prev, *next;
};

struct curlev {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	int running;
	struct curlev_xfer *xfers;
};

static void
curlev_unlink(struct curlev *ce, struct curlev_xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		ce->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
}

/* Per socket, set with curl_multi_assign. */
struct curlev_sock {
	struct event *ev;
};

static void
curlev_check_done(struct curlev *ce)
{
	struct curlev_xfer *x;
	CURLMsg *msg;
	CURL *easy;
	CURLcode rc;
	int left;

	while ((msg = curl_multi_info_read(ce->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(ce->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		if (x != NULL) {
			curlev_done_cb done = x->done;
			void *arg = x->arg;

			curlev_unlink(ce, x);
			free(x);
			done(easy, rc, arg);
		} else
			curl_easy_cleanup(easy);
	}
}

static void
curlev_on_event(evutil_socket_t fd, short what, void *arg)
{
	struct curlev *ce = arg;
	int action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(ce->multi, fd, action, &ce->running);
	curlev_check_done(ce);
	if (ce->running <= 0 && evtimer_pending(ce->timer, NULL))
		evtimer_del(ce->timer);
}

static void
curlev_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct curlev *ce = arg;

	curl_multi_socket_action(
	    ce->multi, CURL_SOCKET_TIMEOUT, 0, &ce->running);
	curlev_check_done(ce);
}

static int
curlev_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct curlev *ce = arg;
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(ce->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(ce->timer, &tv);
	return 0;
}

static int
curlev_socket_cb(CURL *easy, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct curlev *ce = arg;
	struct curlev_sock *cs = sockp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (cs != NULL) {
			event_free(cs->ev);
			free(cs);
			curl_multi_assign(ce->multi, s, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	       ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (cs == NULL) {
		cs = xcalloc(1, sizeof *cs);
		curl_multi_assign(ce->multi, s, cs);
	} else {
		event_del(cs->ev);
		event_free(cs->ev);
	}
	cs->ev = event_new(ce->base, s, kind, curlev_on_event, ce);
	event_add(cs->ev, NULL);
	return 0;
}

struct curlev *
curlev_create(struct event_base *base)
{
	struct curlev *ce = xcalloc(1, sizeof *ce);

	ce->base = base;
	ce->multi = curl_multi_init();
	ce->timer = evtimer_new(base, curlev_on_timer, ce);
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETFUNCTION, curlev_socket_cb);
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETDATA, ce);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERFUNCTION, curlev_timer_cb);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERDATA, ce);
	/* Keep few idle connections: collectors and the hub stay small. */
	curl_multi_setopt(ce->multi, CURLMOPT_MAXCONNECTS, 16L);
	return ce;
}

void
curlev_free(struct curlev *ce)
{
	struct curlev_xfer *x;

	if (ce == NULL)
		return;
	while ((x = ce->xfers) != NULL) {
		curlev_unlink(ce, x);
		curl_multi_remove_handle(ce->multi, x->easy);
		curl_easy_cleanup(x->easy);
		free(x);
	}
	curl_multi_cleanup(ce->multi);
	event_free(ce->timer);
	free(ce);
}

int
curlev_add(struct curlev *ce, CURL *easy, curlev_done_cb done, void *arg)
{
	struct curlev_xfer *x = xcalloc(1, sizeof *x);

	x->easy = easy;
	x->done = done;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(ce->multi, easy) != CURLM_OK) {
		free(x);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		return -1;
	}
	x->next = ce->xfers;
	if (x->next != NULL)
		x->next->prev = x;
	ce->xfers = x;
	return 0;
}

int
curlev_running(const struct curlev *ce)
{
	return ce->running;
}
