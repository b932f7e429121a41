/*
 * libcurl's multi interface driven by a libevent loop: curl tells us which
 * sockets to watch and when to time out; libevent tells curl when they are
 * ready.  No thread per transfer.
 */
#ifndef CB_CURLEV_H
#define CB_CURLEV_H

#include <curl/curl.h>

struct event_base;
struct curlev;

/* Called once when a transfer ends; the callee owns easy afterwards (it
 * is already removed from the multi handle) and must clean it up. */
typedef void (*curlev_done_cb)(CURL *easy, CURLcode rc, void *arg);

/*
 * curl_global_init() for a program that only speaks HTTP and HTTPS: it
 * keeps libcurl from initialising what it would never use (libssh2's
 * OpenSSL algorithms and engines, for SCP and SFTP).  Call once at start,
 * before any thread exists; 0 or -1.
 */
int curlev_global_init(void);
/* The matching curl_global_cleanup(). */
void curlev_global_cleanup(void);
/* The protocols a curlev program allows (CURLOPT_PROTOCOLS_STR): "http,https".
 */
#define CURLEV_PROTOCOLS "http,https"

struct curlev *curlev_create(struct event_base *base);
/* Abort transfers still running (their callbacks are not called). */
void curlev_free(struct curlev *ce);
/* Start easy; 0, or -1 if curl refused it. */
int curlev_add(struct curlev *ce, CURL *easy, curlev_done_cb done, void *arg);
/* Transfers running now. */
int curlev_running(const struct curlev *ce);

#endif
