/*
 * HTTP sources behind one interface, for the client-discovery checks
 * (`check --client`, CLI-002/003): the Lync autodiscover request
 * GET /autodiscover/autodiscoverservice.svc/root to lyncdiscover.<domain>
 * over HTTPS (port 443) and HTTP (port 80).
 *
 * The live source (http_live.c) sends the requests with libcurl to the
 * address the DNS source gave (CURLOPT_RESOLVE), so that --resolver and a
 * test DNS server are honoured; the directory source (http_dir.c) answers
 * from files of the --certs lab directory.  Both fill the same answer
 * struct; the collector parses the body (sf_http_parse_autodiscover) and
 * the rules see only the facts.
 */
#ifndef SF_HTTP_H
#define SF_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "sipfed/sipfed.h"

/* The path every Lync client asks first (MS-OCDISCWS §3.1.5.1, the Root resource). */
#define SF_HTTP_AUTODISCOVER_PATH "/autodiscover/autodiscoverservice.svc/root"

/* At most this much of a body is kept (an autodiscover answer is a few hundred bytes). */
#define SF_HTTP_BODY_MAX (64 * 1024)

/* At most this many links are taken from one answer. */
#define SF_HTTP_LINKS_MAX 32

typedef enum sf_http_state {
	SF_HTTP_NOT_ASKED = 0, /* no request was made */
	SF_HTTP_FAILED,        /* no HTTP answer: connect, TLS or protocol failure (error says) */
	SF_HTTP_ANSWERED,      /* an HTTP response with a status code */
} sf_http_state;

/* One request's answer, and what the collector made of its body. */
typedef struct sf_http_answer {
	sf_http_state state;
	char *error;          /* why not answered (SF_HTTP_FAILED); owned */
	long status;          /* HTTP status code */
	char *content_type;   /* Content-Type as sent, or NULL; owned */
	char *body;           /* NUL-terminated copy of at most SF_HTTP_BODY_MAX bytes; owned */
	size_t body_len;
	int truncated;        /* the body was longer and was cut */

	/* Filled by sf_http_parse_autodiscover() from status and body. */
	int doc_ok;           /* 200 and a JSON autodiscover document with at least one link */
	char *doc_error;      /* why not, when answered; owned */
	sf_link *links;       /* owned */
	size_t n_links;
} sf_http_answer;

/* Frees what @a owns and zeroes it; NULL is a no-op. */
void sf_http_answer_release(sf_http_answer *a);

/* One request of a batch: everything borrowed, the answer written to *out. */
typedef struct sf_http_request {
	int tls;              /* 1: https, port 443 by default; 0: http, port 80 */
	const char *host;     /* URL host, Host header and SNI (a DNS name) */
	const char *addr;     /* connect to this address (text IPv4/IPv6); NULL offline */
	uint16_t port;        /* 0: the scheme's default */
	const char *path;     /* absolute path, e.g. SF_HTTP_AUTODISCOVER_PATH */
	sf_http_answer *out;
} sf_http_request;

typedef struct sf_http_source sf_http_source;
struct event_base;

/* The end of a request submitted with submit: req->out is filled; @st is SF_OK or SF_ENOMEM. */
typedef void (*sf_http_done_fn)(void *arg, sf_http_request *req, sf_status st);

struct sf_http_ops {
	/*
	 * Answers every request of @req (n of them) before returning, each
	 * within the source's timeout.  Per-request failures (refused,
	 * timeout, TLS) go into out->state and still return SF_OK; only a
	 * failure of the source itself (out of memory, a lab file that
	 * cannot be read) returns an error, with a message in err.
	 */
	sf_status (*get)(sf_http_source *src, sf_http_request *req, size_t n, char *err,
			 size_t errlen);
	/*
	 * The event-loop side (NULL for the directory source, whose get
	 * answers at once): attach binds the source to @base (one at a time);
	 * submit starts one request (everything in @req borrowed until @done
	 * is called, from the loop); detach cancels what is in flight (@done
	 * not called) and unbinds.
	 */
	sf_status (*attach)(sf_http_source *src, struct event_base *base);
	sf_status (*submit)(sf_http_source *src, sf_http_request *req, sf_http_done_fn done,
			    void *arg);
	void (*detach)(sf_http_source *src);
	void (*free)(sf_http_source *src);
};

struct sf_http_source {
	const struct sf_http_ops *ops;
};

/*
 * Live source (libcurl).  @timeout_ms bounds each request as a whole (connect,
 * TLS, answer).  @proxy: a proxy URL for every request, or NULL for none; the
 * proxy variables of the environment (http_proxy, https_proxy, all_proxy) are
 * never used.  Certificates are not verified by curl: the rules verify the
 * chain the TLS source saw, with sipfed's trust store.  Redirects are not
 * followed (the answer to the first request is what the client gets first).
 */
sf_status sf_http_live_new(int timeout_ms, const char *proxy, sf_http_source **out_src,
			   char *err, size_t errlen);

/*
 * Directory source (offline, --certs DIR): the body a host answers to the
 * autodiscover path is the file
 *   DIR/<host>.https.autodiscover.json  (HTTPS only) or
 *   DIR/<host>.http.autodiscover.json   (HTTP on port 80 only), else
 *   DIR/<host>.autodiscover.json        (both),
 * answered with status 200 and Content-Type application/json; no file: no
 * answer (as a host where nothing listens).  Other paths are never answered.
 * Fails with SF_EIO if @dir is not a readable directory.
 */
sf_status sf_http_dir_new(const char *dir, sf_http_source **out_src, char *err, size_t errlen);

/*
 * Parses the answer @a to the autodiscover request: status 200 and a JSON
 * document in either shape Lync servers send,
 *   {"_links":{"self":{"href":"..."},"user":{"href":"..."},"xframe":{...}}}
 *   {"AccessLocation":"External","Root":{"Links":[{"token":"User","href":"..."}]}}
 * (MS-OCDISCWS §2.2.4, §2.2.5.5).  Sets a->doc_ok and a->links (in document
 * order, at most SF_HTTP_LINKS_MAX), or a->doc_error saying what is wrong.
 * The body is untrusted: bounded, never required to be NUL-free.  Returns
 * SF_OK or SF_ENOMEM.   @unittest: test_http
 */
sf_status sf_http_parse_autodiscover(sf_http_answer *a);

static inline sf_status sf_http_get(sf_http_source *s, sf_http_request *req, size_t n, char *err,
				    size_t errlen)
{
	return s->ops->get(s, req, n, err, errlen);
}

static inline int sf_http_is_async(const sf_http_source *s)
{
	return s->ops->submit != NULL;
}

static inline void sf_http_source_free(sf_http_source *s)
{
	if (s)
		s->ops->free(s);
}

#endif
