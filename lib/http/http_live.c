/*
 * Live HTTP source (contract in http.h): the requests of a batch run at once
 * on one libcurl multi handle.  Each goes to the address the DNS source gave
 * (CURLOPT_RESOLVE pins host:port to it), so that --resolver, an offline
 * zone turned live in the tests and the system resolver all lead to the
 * same server; libcurl never resolves a name itself.
 *
 * What is deliberately off, and why:
 *  - certificate verification: the rules verify the chain the TLS source
 *    saw with sipfed's own trust store (--trust, --no-system-trust); a curl
 *    that refused the handshake would hide whether the host answers at all;
 *  - proxies from the environment: a proxy resolves names itself, so the
 *    request would not reach the address under test; a proxy is used only
 *    when the caller names one;
 *  - redirects: a client's first request gets the first answer.
 * Every transfer has a total timeout; the batch has an overall deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "http/http.h"
#include "util/util.h"

#define LIVE_DEFAULT_TIMEOUT_MS 5000

typedef struct sf_http_live {
	sf_http_source base;
	int timeout_ms;
	char *proxy; /* NULL: none */
} sf_http_live;

/* One transfer of a batch. */
struct xfer {
	CURL *h;
	struct curl_slist *resolve, *headers;
	sf_http_request *req;
	char *url;
	char *buf;     /* SF_HTTP_BODY_MAX + 1 bytes */
	size_t len;
	int truncated;
	int done;
	CURLcode result;
	char errbuf[CURL_ERROR_SIZE];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CURLOPT_WRITEFUNCTION: keeps the first SF_HTTP_BODY_MAX bytes, then stops the transfer. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb, room = SF_HTTP_BODY_MAX - x->len;

	if (n > room) {
		memcpy(x->buf + x->len, p, room);
		x->len += room;
		x->truncated = 1;
		return 0; /* CURLE_WRITE_ERROR: enough is known */
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	return n;
}

/* A host name we put into a URL: DNS characters only (no userinfo, port or path tricks). */
static int url_host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static sf_status fail_req(sf_http_answer *a, const char *msg)
{
	a->state = SF_HTTP_FAILED;
	a->error = sf_strdup(msg);
	return a->error ? SF_OK : SF_ENOMEM;
}

/*
 * Sets up the easy handle of @x.  Returns SF_OK (x->h set, or the request
 * already failed for a reason of its own, x->h NULL), or SF_ENOMEM.
 */
static sf_status xfer_setup(const sf_http_live *l, struct xfer *x)
{
	const sf_http_request *r = x->req;
	uint16_t port = r->port ? r->port : (r->tls ? 443 : 80);
	int dflt = port == (r->tls ? 443 : 80);
	char *entry = NULL;
	struct curl_slist *sl;
	CURL *h;
	int ok = 1;

	if (!url_host_ok(r->host))
		return fail_req(r->out, "not a host name");
	if (!r->addr || !*r->addr)
		return fail_req(r->out, "no address to connect to");
	if (!r->path || r->path[0] != '/')
		return fail_req(r->out, "not an absolute path");
	x->buf = malloc(SF_HTTP_BODY_MAX + 1);
	x->url = dflt ? sf_aprintf("%s://%s%s", r->tls ? "https" : "http", r->host, r->path)
		      : sf_aprintf("%s://%s:%u%s", r->tls ? "https" : "http", r->host,
				   (unsigned)port, r->path);
	/* HOST:PORT:ADDRESS, an IPv6 address in brackets (libcurl >= 7.57). */
	entry = strchr(r->addr, ':') ? sf_aprintf("%s:%u:[%s]", r->host, (unsigned)port, r->addr)
				     : sf_aprintf("%s:%u:%s", r->host, (unsigned)port, r->addr);
	if (!x->buf || !x->url || !entry)
		goto nomem;
	sl = curl_slist_append(NULL, entry);
	if (!sl)
		goto nomem;
	x->resolve = sl;
	sl = curl_slist_append(NULL, "Accept: application/json");
	if (!sl)
		goto nomem;
	x->headers = sl;
	h = curl_easy_init();
	if (!h)
		goto nomem;
	x->h = h;
	ok &= curl_easy_setopt(h, CURLOPT_URL, x->url) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_RESOLVE, x->resolve) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	/* "" disables proxies, the environment's included. */
	ok &= curl_easy_setopt(h, CURLOPT_PROXY, l->proxy ? l->proxy : "") == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)l->timeout_ms) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)l->timeout_ms) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_USERAGENT, "sipfed/" SIPFED_VERSION) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_WRITEDATA, x) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(h, CURLOPT_PRIVATE, x) == CURLE_OK;
	free(entry);
	if (!ok) {
		curl_easy_cleanup(x->h);
		x->h = NULL;
		return fail_req(r->out, "libcurl refused an option (built without HTTPS?)");
	}
	return SF_OK;
nomem:
	free(entry);
	return SF_ENOMEM;
}

/* Turns a finished (or abandoned) transfer into its answer. */
static sf_status xfer_finish(const sf_http_live *l, struct xfer *x)
{
	sf_http_answer *a = x->req->out;
	char msg[CURL_ERROR_SIZE + 64];
	char *ct = NULL;
	long code = 0;

	if (!x->done) {
		snprintf(msg, sizeof(msg), "no answer within %d ms", l->timeout_ms);
		return fail_req(a, msg);
	}
	if (x->result != CURLE_OK && !(x->result == CURLE_WRITE_ERROR && x->truncated)) {
		snprintf(msg, sizeof(msg), "%s",
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result));
		return fail_req(a, msg);
	}
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
	if (code <= 0)
		return fail_req(a, "no HTTP status in the answer");
	if (ct && !(a->content_type = sf_strdup(ct)))
		return SF_ENOMEM;
	a->state = SF_HTTP_ANSWERED;
	a->status = code;
	x->buf[x->len] = '\0';
	a->body = x->buf;
	a->body_len = x->len;
	a->truncated = x->truncated;
	x->buf = NULL;
	return SF_OK;
}

/* Contract in http.h (struct sf_http_ops). */
static sf_status live_get(sf_http_source *src, sf_http_request *req, size_t n, char *err,
			  size_t errlen)
{
	const sf_http_live *l = (const sf_http_live *)src;
	struct xfer *x = calloc(n ? n : 1, sizeof(*x));
	CURLM *m = curl_multi_init();
	sf_status st = SF_ENOMEM;
	long long deadline;
	int running = 0;

	if (!x || !m)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sf_http_answer_release(req[i].out);
		x[i].req = &req[i];
		st = xfer_setup(l, &x[i]);
		if (st != SF_OK)
			goto out;
		if (x[i].h && curl_multi_add_handle(m, x[i].h) != CURLM_OK) {
			st = SF_ENOMEM;
			goto out;
		}
	}
	/* Each transfer has its own timeout; this only guards against a stuck loop. */
	deadline = now_ms() + l->timeout_ms + 2000;
	for (;;) {
		CURLMcode mc = curl_multi_perform(m, &running);
		long long left = deadline - now_ms();

		if (mc != CURLM_OK) {
			snprintf(err, errlen, "libcurl: %s", curl_multi_strerror(mc));
			st = SF_EINTERNAL;
			goto out;
		}
		if (running == 0 || left <= 0)
			break;
		mc = curl_multi_poll(m, NULL, 0, (int)(left < 1000 ? left : 1000), NULL);
		if (mc != CURLM_OK) {
			snprintf(err, errlen, "libcurl: %s", curl_multi_strerror(mc));
			st = SF_EINTERNAL;
			goto out;
		}
	}
	for (;;) {
		int left;
		CURLMsg *msg = curl_multi_info_read(m, &left);
		struct xfer *xp = NULL;

		if (!msg)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&xp);
		if (xp) {
			xp->done = 1;
			xp->result = msg->data.result;
		}
	}
	st = SF_OK;
	for (size_t i = 0; i < n && st == SF_OK; i++)
		if (x[i].h)
			st = xfer_finish(l, &x[i]);
out:
	if (st == SF_ENOMEM)
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; x && i < n; i++) {
		if (x[i].h) {
			if (m)
				curl_multi_remove_handle(m, x[i].h);
			curl_easy_cleanup(x[i].h);
		}
		curl_slist_free_all(x[i].resolve);
		curl_slist_free_all(x[i].headers);
		free(x[i].url);
		free(x[i].buf);
	}
	if (m)
		curl_multi_cleanup(m);
	free(x);
	return st;
}

static void live_free(sf_http_source *src)
{
	sf_http_live *l = (sf_http_live *)src;

	if (!l)
		return;
	free(l->proxy);
	free(l);
	curl_global_cleanup();
}

static const struct sf_http_ops live_ops = {
	.get = live_get,
	.free = live_free,
};

/* Contract in http.h. */
sf_status sf_http_live_new(int timeout_ms, const char *proxy, sf_http_source **out_src,
			   char *err, size_t errlen)
{
	sf_http_live *l;

	*out_src = NULL;
	if (timeout_ms < 0) {
		snprintf(err, errlen, "invalid HTTP timeout %d", timeout_ms);
		return SF_EINVAL;
	}
	/* Reference-counted by libcurl; undone in live_free(). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return SF_EINTERNAL;
	}
	l = calloc(1, sizeof(*l));
	if (!l || (proxy && *proxy && !(l->proxy = sf_strdup(proxy)))) {
		free(l);
		curl_global_cleanup();
		snprintf(err, errlen, "out of memory");
		return SF_ENOMEM;
	}
	l->timeout_ms = timeout_ms ? timeout_ms : LIVE_DEFAULT_TIMEOUT_MS;
	l->base.ops = &live_ops;
	*out_src = &l->base;
	return SF_OK;
}
