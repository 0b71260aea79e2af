/*
 * Live HTTP source (contract in http.h): libcurl's multi-socket interface on
 * a libevent loop (a run's, or one of its own for the blocking get): libcurl
 * says which sockets to watch and when its next timeout is, the loop calls
 * curl_multi_socket_action.  Each goes to the address the DNS source gave
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
#include <event2/event.h>

#include "http/http.h"
#include "util/util.h"

#define LIVE_DEFAULT_TIMEOUT_MS 5000

struct xfer;

typedef struct sf_http_live {
	sf_http_source base;
	int timeout_ms;
	char *proxy;              /* NULL: none */
	struct event_base *loop;  /* attached to, or NULL */
	CURLM *multi;             /* while attached */
	struct event *timer;      /* libcurl's next timeout */
	struct xfer *xfers;       /* in flight */
} sf_http_live;

/* One transfer. */
struct xfer {
	sf_http_live *l;
	struct xfer *prev, *next;
	sf_http_done_fn done_fn;
	void *done_arg;
	int failed_early;         /* answered in xfer_setup (no transfer) */
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

static void xfer_release(struct xfer *x)
{
	if (x->h) {
		if (x->l && x->l->multi)
			curl_multi_remove_handle(x->l->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->resolve);
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x->buf);
	free(x);
}

/* A socket libcurl asked us to watch (curl_multi_assign'ed to it). */
struct csock {
	struct event *ev;
};

static void check_done(sf_http_live *l);

static void on_csock(evutil_socket_t fd, short what, void *arg)
{
	sf_http_live *l = arg;
	int running = 0;
	int flags = ((what & EV_READ) ? CURL_CSELECT_IN : 0) |
		    ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	curl_multi_socket_action(l->multi, (curl_socket_t)fd, flags, &running);
	check_done(l);
}

static void on_ctimer(evutil_socket_t fd, short what, void *arg)
{
	sf_http_live *l = arg;
	int running = 0;

	(void)fd;
	(void)what;
	curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(l);
}

/* CURLMOPT_SOCKETFUNCTION: watch @s for @what, or stop watching it. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	sf_http_live *l = userp;
	struct csock *k = socketp;
	short ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (k) {
			event_free(k->ev);
			free(k);
			curl_multi_assign(l->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return -1;
		curl_multi_assign(l->multi, s, k);
	} else {
		event_free(k->ev);
	}
	k->ev = event_new(l->loop, (evutil_socket_t)s, (short)(ev | EV_PERSIST), on_csock, l);
	if (!k->ev || event_add(k->ev, NULL) != 0)
		return -1;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: libcurl's next timeout (-1: none). */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	sf_http_live *l = userp;
	struct timeval tv;

	(void)m;
	if (timeout_ms < 0) {
		evtimer_del(l->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(l->timer, &tv) == 0 ? 0 : -1;
}

/* Hands over every finished transfer. */
static void check_done(sf_http_live *l)
{
	CURLMsg *msg;
	int left;
	struct xfer *x, *n;

	/* requests that failed before any transfer (xfer_setup answered them) */
	for (x = l->xfers; x; x = n) {
		n = x->next;
		if (!x->failed_early)
			continue;
		if (x->prev)
			x->prev->next = x->next;
		else
			l->xfers = x->next;
		if (x->next)
			x->next->prev = x->prev;
		x->done_fn(x->done_arg, x->req, SF_OK);
		xfer_release(x);
		n = l->xfers; /* the callback may have changed the list */
	}

	while ((msg = curl_multi_info_read(l->multi, &left)) != NULL) {
		sf_status st;

		x = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (!x)
			continue;
		x->done = 1;
		x->result = msg->data.result;
		st = xfer_finish(l, x);
		/* out of the list, then the callback (which may submit more) */
		if (x->prev)
			x->prev->next = x->next;
		else
			l->xfers = x->next;
		if (x->next)
			x->next->prev = x->prev;
		curl_multi_remove_handle(l->multi, x->h);
		x->done_fn(x->done_arg, x->req, st);
		xfer_release(x);
	}
}

static sf_status live_attach(sf_http_source *src, struct event_base *base)
{
	sf_http_live *l = (sf_http_live *)src;

	if (l->loop)
		return l->loop == base ? SF_OK : SF_EINVAL;
	l->multi = curl_multi_init();
	l->timer = evtimer_new(base, on_ctimer, l);
	if (!l->multi || !l->timer) {
		if (l->multi)
			curl_multi_cleanup(l->multi);
		if (l->timer)
			event_free(l->timer);
		l->multi = NULL;
		l->timer = NULL;
		return SF_ENOMEM;
	}
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
	l->loop = base;
	return SF_OK;
}

static void live_detach(sf_http_source *src)
{
	sf_http_live *l = (sf_http_live *)src;

	if (!l->loop)
		return;
	while (l->xfers) {
		struct xfer *x = l->xfers;

		l->xfers = x->next;
		xfer_release(x); /* removes its handle: libcurl closes its sockets */
	}
	curl_multi_cleanup(l->multi);
	event_free(l->timer);
	l->multi = NULL;
	l->timer = NULL;
	l->loop = NULL;
}

static sf_status live_submit(sf_http_source *src, sf_http_request *req, sf_http_done_fn done,
			     void *arg)
{
	sf_http_live *l = (sf_http_live *)src;
	struct xfer *x;
	sf_status st;

	if (!l->loop)
		return SF_EINVAL;
	sf_http_answer_release(req->out);
	x = calloc(1, sizeof(*x));
	if (!x)
		return SF_ENOMEM;
	x->l = l;
	x->req = req;
	x->done_fn = done;
	x->done_arg = arg;
	st = xfer_setup(l, x);
	if (st != SF_OK) {
		xfer_release(x);
		return st;
	}
	if (!x->h) {
		/* failed for a reason of its own (not a host name, no address): answered already */
		x->next = l->xfers;
		if (l->xfers)
			l->xfers->prev = x;
		l->xfers = x;
		x->failed_early = 1;
		event_active(l->timer, EV_TIMEOUT, 0);
		return SF_OK;
	}
	if (curl_multi_add_handle(l->multi, x->h) != CURLM_OK) {
		xfer_release(x);
		return SF_ENOMEM;
	}
	x->next = l->xfers;
	if (l->xfers)
		l->xfers->prev = x;
	l->xfers = x;
	return SF_OK;
}

struct sync_batch {
	size_t pending;
	sf_status st;
};

static void sync_done(void *arg, sf_http_request *req, sf_status st)
{
	struct sync_batch *b = arg;

	(void)req;
	b->pending--;
	if (st != SF_OK)
		b->st = st;
}

/* Contract in http.h (struct sf_http_ops): the same transfers on a loop of their own. */
static sf_status live_get(sf_http_source *src, sf_http_request *req, size_t n, char *err,
			  size_t errlen)
{
	sf_http_live *l = (sf_http_live *)src;
	struct sync_batch b = { 0, SF_OK };
	struct event_base *base;
	sf_status st;

	if (n == 0)
		return SF_OK;
	if (l->loop) {
		snprintf(err, errlen, "the HTTP source is in use by a run");
		return SF_EINVAL;
	}
	base = event_base_new();
	if (!base) {
		snprintf(err, errlen, "out of memory");
		return SF_ENOMEM;
	}
	st = live_attach(src, base);
	for (size_t i = 0; i < n && st == SF_OK; i++) {
		st = live_submit(src, &req[i], sync_done, &b);
		if (st == SF_OK)
			b.pending++;
	}
	while (st == SF_OK && b.pending > 0)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			st = SF_EINTERNAL;
	live_detach(src);
	event_base_free(base);
	if (st == SF_OK)
		st = b.st;
	if (st != SF_OK)
		snprintf(err, errlen, "%s", st == SF_ENOMEM ? "out of memory" : sf_strerror(st));
	return st;
}

static void live_free(sf_http_source *src)
{
	sf_http_live *l = (sf_http_live *)src;

	if (!l)
		return;
	live_detach(src);
	free(l->proxy);
	free(l);
	curl_global_cleanup();
}

static const struct sf_http_ops live_ops = {
	.get = live_get,
	.attach = live_attach,
	.submit = live_submit,
	.detach = live_detach,
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
