/* The libcurl options a remote target's settings make: headers, auth,
 * TLS, timeout (forwarding and remote read alike). */
#include "config.h"

#include <stdlib.h>

#include <curl/curl.h>

#include "hub/remote/remote.h"
#include "lib/curlev.h"
#include "lib/xmalloc.h"

struct curl_slist *
remote_target_headers(const struct remote_target_conf *c, struct curl_slist *l)
{
	char *hdr;
	size_t j;

	l = curl_slist_append(l, "User-Agent: citybraind/" PACKAGE_VERSION);
	if (c->bearer_token != NULL) {
		hdr = xasprintf("Authorization: Bearer %s", c->bearer_token);
		l = curl_slist_append(l, hdr);
		free(hdr);
	}
	for (j = 0; c->headers != NULL && c->headers[j] != NULL; j++)
		l = curl_slist_append(l, c->headers[j]);
	return l;
}

void
remote_target_curl_opts(const struct remote_target_conf *c, void *easy)
{
	const struct remote_tls_conf *tls = &c->tls;

	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (c->basic_user != NULL) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, c->basic_user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, c->basic_password);
	}
	if (tls->ca_file != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, tls->ca_file);
	if (tls->cert_file != NULL) {
		curl_easy_setopt(easy, CURLOPT_SSLCERT, tls->cert_file);
		curl_easy_setopt(easy, CURLOPT_SSLKEY, tls->key_file);
	}
	if (tls->insecure_skip_verify) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}
