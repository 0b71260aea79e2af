/*
 * The Edge emulator's listener and connections (include/sipfed/edge.h).
 *
 * One libevent loop (the caller's): an evconnlistener accepts, each
 * connection is an OpenSSL bufferevent in accepting state.  The client
 * certificate is required (SSL_VERIFY_PEER | FAIL_IF_NO_PEER_CERT) and
 * judged in the verification step (SSL_CTX_set_cert_verify_callback): the
 * presented chain becomes the connection's sf_peer (sf_peer_from_chain,
 * verified against the context's trust store at its time), and the
 * handshake is refused where an Edge refuses it: an untrusted root (alert
 * 48 unknown_ca), an expired or not yet valid certificate (45), a leaf whose
 * EKU excludes clientAuth (43 unsupported_certificate).
 *
 * Requests are framed by Content-Length (headers at most max_header bytes,
 * messages at most max_message), answered in order (at most REQ_MAX wait
 * on a connection; reading pauses beyond), each judged by an SF_JOB_CALLBACK
 * job of a run in service mode on the same loop.  A connection whose checks
 * are still in flight when it closes lives on, without its socket, until
 * they are handed back (the job borrows its peer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/core.h"
#include "edge/edge_int.h"
#include "sip/sip.h"
#include "sipfed/run.h"
#include "util/util.h"

#define REQ_MAX 16        /* requests waiting for their answer on one connection */
#define HDRS_MAX 96       /* headers parsed per message */
#define ECHO_MAX 8192     /* bytes of Via/From/To/Call-ID/CSeq echoed in a response */
#define OUT_MAX (256u << 10) /* answers not yet taken by the peer: reading pauses beyond */

typedef struct edge_conn edge_conn;

typedef struct edge_req {
	edge_conn *c;
	struct edge_req *next;
	int waiting;          /* a callback job is in flight */
	int ready;            /* the answer is built */
	int close_after;      /* close the connection once it is sent */
	int is_options;
	char *echo;           /* the headers the answer copies (CRLF-ended lines) */
	char *resp;           /* the answer */
	size_t resp_n;
	char start[512], call_id[256], cseq[64], domain[256];
} edge_req;

struct edge_conn {
	sf_edge *e;
	edge_conn *prev, *next;
	struct bufferevent *bev;
	struct event *timer;
	char addr[80];
	sf_peer *peer;
	char refusal[200];    /* why the handshake was refused */
	const char *hresult;  /* and its Windows code, for the trace */
	int handshake_done;
	int closing;          /* close once every answer is sent */
	int dead;             /* socket gone; waits for its jobs */
	int reap;             /* dead and no job in flight: freed on the next turn of the loop */
	size_t n_jobs;
	edge_req *q_head, *q_tail;
	size_t n_q;
	struct timeval since; /* accept, or the first byte of the message being read */
	int partial;
	struct timeval last;  /* last activity */
};

struct sf_edge {
	sf_ctx *ctx;
	struct event_base *base;
	sf_edge_options opt;
	char *cert_file, *key_file;
	char fqdn[256];
	char address[128];
	char **blocked;
	size_t n_blocked;
	SSL_CTX *ssl;
	struct evconnlistener *lis;
	sf_run *run;
	edge_conn *conns;
	size_t open;
	int shutting;
	struct event *grace;
	struct event *reaper;
	uint64_t tagseq;
	sf_edge_stats st;
	char err[512];
};

static int conn_idx = -1;

static sf_status efail(sf_edge *e, sf_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static sf_status efail(sf_edge *e, sf_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	return st;
}

static void ssl_errors(char *buf, size_t len)
{
	unsigned long code = ERR_get_error();

	buf[0] = '\0';
	if (code)
		ERR_error_string_n(code, buf, len);
	ERR_clear_error();
}

/* ---- connections ---------------------------------------------------------- */

static void req_free(edge_req *q)
{
	free(q->echo);
	free(q->resp);
	free(q);
}

static void conn_free(edge_conn *c)
{
	edge_req *q = c->q_head;

	while (q) {
		edge_req *n = q->next;

		req_free(q);
		q = n;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		c->e->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	sf_peer_free(c->peer);
	free(c);
}

/* Frees the connections closed since the last turn of the loop. */
static void on_reap(evutil_socket_t fd, short what, void *arg)
{
	sf_edge *e = arg;

	for (edge_conn *c = e->conns, *n; c; c = n) {
		n = c->next;
		if (c->reap)
			conn_free(c);
	}
}

static void maybe_exit(sf_edge *e)
{
	if (e->shutting && e->open == 0)
		event_base_loopexit(e->base, NULL);
}

/* Closes the socket; the connection goes when no job of it is in flight. */
static void conn_close(edge_conn *c)
{
	edge_req **pp;

	if (c->dead)
		return;
	c->dead = 1;
	if (c->timer)
		event_free(c->timer);
	c->timer = NULL;
	if (c->bev)
		bufferevent_free(c->bev);
	c->bev = NULL;
	/* drop every request but those whose job is in flight */
	for (pp = &c->q_head; *pp;) {
		edge_req *q = *pp;

		if (q->waiting) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		req_free(q);
		c->n_q--;
	}
	c->q_tail = NULL;
	for (edge_req *q = c->q_head; q; q = q->next)
		c->q_tail = q;
	c->e->open--;
	c->e->st.open = c->e->open;
	/* freed from the loop, not here: a caller up the stack may still look at c->dead */
	if (c->n_jobs == 0) {
		c->reap = 1;
		if (c->e->reaper)
			event_active(c->e->reaper, EV_TIMEOUT, 0);
	}
	maybe_exit(c->e);
}

static long ms_since(const struct timeval *t)
{
	struct timeval now;

	evutil_gettimeofday(&now, NULL);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_usec - t->tv_usec) / 1000L;
}

/* Arms the connection's one timer for what it waits for now. */
static void timer_update(edge_conn *c)
{
	sf_edge *e = c->e;
	long left;
	struct timeval tv;

	if (c->dead || !c->timer)
		return;
	if (!c->handshake_done || c->partial) {
		left = (long)e->opt.header_timeout_ms - ms_since(&c->since);
	} else if (c->n_q > 0) {
		/* waiting for our own checks (bounded by the run's deadline) */
		evtimer_del(c->timer);
		return;
	} else {
		left = (long)e->opt.idle_timeout_ms - ms_since(&c->last);
	}
	if (left < 0)
		left = 0;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	edge_conn *c = arg;

	c->e->st.timeouts++;
	conn_close(c);
}

/* Sends the answers at the head of the queue that are ready, in order. */
static void flush(edge_conn *c)
{
	int close_now = 0;

	while (!c->dead && c->q_head && c->q_head->ready) {
		edge_req *q = c->q_head;

		if (q->resp_n)
			bufferevent_write(c->bev, q->resp, q->resp_n);
		close_now = q->close_after;
		c->q_head = q->next;
		if (!c->q_head)
			c->q_tail = NULL;
		c->n_q--;
		req_free(q);
		if (close_now) {
			c->closing = 1;
			break;
		}
	}
	if (c->dead)
		return;
	if (c->closing) {
		bufferevent_disable(c->bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 && c->n_q == 0)
			conn_close(c);
		return;
	}
	if (c->n_q < REQ_MAX && evbuffer_get_length(bufferevent_get_output(c->bev)) < OUT_MAX)
		bufferevent_enable(c->bev, EV_READ);
	else
		bufferevent_disable(c->bev, EV_READ);
	evutil_gettimeofday(&c->last, NULL);
	timer_update(c);
}

/* ---- answers -------------------------------------------------------------- */

static void add_line(sf_sb *b, const char *name, sf_span v)
{
	char tmp[2048];

	sf_edge_clean(v.p, v.n, tmp, sizeof(tmp));
	sf_sb_addf(b, "%s: %s\r\n", name, tmp);
}

/* The headers an answer copies from the request (RFC 3261 §8.2.6.2); To gets a tag later. */
static char *echo_headers(const sf_sip_msg *m)
{
	sf_sb b;

	sf_sb_init(&b, ECHO_MAX);
	for (size_t i = 0; i < m->n_h; i++) {
		const sf_sip_header *h = &m->h[i];

		if ((h->name.n == 3 && strncasecmp(h->name.p, "Via", 3) == 0) ||
		    (h->name.n == 1 && (h->name.p[0] | 0x20) == 'v'))
			add_line(&b, "Via", h->value);
	}
	if (sf_sip_header_get(m, "From").p)
		add_line(&b, "From", sf_sip_header_get(m, "From"));
	if (sf_sip_header_get(m, "Call-ID").p)
		add_line(&b, "Call-ID", sf_sip_header_get(m, "Call-ID"));
	if (sf_sip_header_get(m, "CSeq").p)
		add_line(&b, "CSeq", sf_sip_header_get(m, "CSeq"));
	return sf_sb_take(&b);
}

/* Builds the answer of @q and writes the Edge trace of the decision. */
static void answer(edge_req *q, const sf_edge_decision *d, const char *to)
{
	edge_conn *c = q->c;
	sf_edge *e = c->e;
	sf_sb b, t;
	char to_clean[1024], tag[40];

	sf_edge_clean(to ? to : "", to ? strlen(to) : 0, to_clean, sizeof(to_clean));
	snprintf(tag, sizeof(tag), "%08X%08llX", (unsigned)(uintptr_t)e & 0xffffffffu,
		 (unsigned long long)++e->tagseq);
	sf_sb_init(&b, 0);
	sf_sb_addf(&b, "SIP/2.0 %d %s\r\n", d->status, d->phrase);
	sf_sb_add(&b, q->echo ? q->echo : "");
	if (to_clean[0])
		sf_sb_addf(&b, "To: %s%s%s\r\n", to_clean, strstr(to_clean, ";tag=") ? "" : ";tag=",
			   strstr(to_clean, ";tag=") ? "" : tag);
	if (d->diag[0])
		sf_sb_addf(&b, "ms-diagnostics: %s\r\n", d->diag);
	if (d->status == 200 || d->status == 405)
		sf_sb_add(&b, "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, MESSAGE, INFO, SUBSCRIBE, "
			      "NOTIFY, BENOTIFY, PRACK, UPDATE\r\n");
	sf_sb_addf(&b, "Server: RTC/6.0 (sipfed %s emulated Access Edge %s)\r\n", SIPFED_VERSION,
		   e->fqdn);
	sf_sb_add(&b, "Content-Length: 0\r\n\r\n");
	q->resp_n = b.n;
	q->resp = sf_sb_take(&b);
	if (!q->resp) {
		q->resp_n = 0;
		q->close_after = 1;
	}
	q->ready = 1;
	e->st.responses++;
	if (d->status == 200)
		e->st.ok++;
	else if (d->status >= 300)
		e->st.rejected++;
	if (!e->opt.log)
		return;
	/* the diagnostic record, where the Edge has a Result-Code for the decision */
	sf_sb_init(&t, 0);
	if (d->result_code) {
		char rc[16];
		size_t k;

		for (k = 0; d->result_code[k] && k + 1 < sizeof(rc); k++)
			rc[k] = (char)(d->result_code[k] >= 'A' && d->result_code[k] <= 'F'
					       ? d->result_code[k] + 32
					       : d->result_code[k]);
		rc[k] = '\0';
		sf_sb_addf(&t,
			   "LogType: diagnostic\nSeverity: %s\nText: %s\nResult-Code: %s %s\n"
			   "SIP-Start-Line: %s\nSIP-Call-ID: %s\nSIP-CSeq: %s\nPeer: %s\nData: %s\n",
			   d->severity ? d->severity : "error", d->text ? d->text : "", rc,
			   d->result_name ? d->result_name : "", q->start, q->call_id, q->cseq,
			   c->addr, d->data);
		sf_edge_trace(e->opt.log, strcmp(d->severity ? d->severity : "error", "error") == 0
						  ? "ERROR"
						  : "WARN",
			      "DIAG", sf_sb_str(&t));
		sf_sb_release(&t);
	}
	/* the answer as a protocol record (its ms-diagnostics is what the peer sees) */
	sf_sb_init(&t, 0);
	sf_sb_addf(&t,
		   "Trace-Correlation-Id: %llu\nDirection: outgoing;source=\"local\";"
		   "destination=\"external edge\"\nPeer: %s\nMessage-Type: response\n"
		   "Start-Line: SIP/2.0 %d %s\n",
		   (unsigned long long)e->tagseq, c->addr, d->status, d->phrase);
	if (q->resp) {
		/* the headers of the answer, one a line, without its start line */
		const char *p = strstr(q->resp, "\r\n");

		for (p = p ? p + 2 : q->resp; *p && !(p[0] == '\r' && p[1] == '\n');) {
			const char *eol = strstr(p, "\r\n");

			if (!eol)
				break;
			sf_sb_addn(&t, p, (size_t)(eol - p));
			sf_sb_add(&t, "\n");
			p = eol + 2;
		}
	}
	sf_sb_add(&t, "Message-Body: -\n");
	sf_edge_trace(e->opt.log, d->status >= 300 ? "WARN" : "INFO", "PROTOCOL", sf_sb_str(&t));
	sf_sb_release(&t);
}

/* An answer of our own (400, 500...): no check was run. */
static void answer_plain(edge_req *q, int status, const char *phrase, const char *to)
{
	sf_edge_decision d;

	memset(&d, 0, sizeof(d));
	d.status = status;
	d.phrase = phrase;
	answer(q, &d, to);
}

static edge_req *req_new(edge_conn *c)
{
	edge_req *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->c = c;
	if (c->q_tail)
		c->q_tail->next = q;
	else
		c->q_head = q;
	c->q_tail = q;
	c->n_q++;
	return q;
}

static void span_copy(sf_span v, char *out, size_t outlen)
{
	sf_edge_clean(v.p ? v.p : "", v.p ? v.n : 0, out, outlen);
}

/* The To header of the request, for the answer (copied: the buffer is drained). */
static char *to_of(const sf_sip_msg *m)
{
	sf_span v = sf_sip_header_get(m, "To");
	char *s;

	if (!v.p)
		return NULL;
	s = malloc(v.n + 1);
	if (s) {
		memcpy(s, v.p, v.n);
		s[v.n] = '\0';
	}
	return s;
}

/* The answer to a message we will not judge (unreadable, incomplete): 400, then close if asked. */
static void bad_message(edge_conn *c, const char *buf, size_t n, const char *phrase, int close)
{
	sf_sip_header hdrs[HDRS_MAX];
	sf_sip_msg m;
	edge_req *q;
	char *to = NULL;

	c->e->st.bad++;
	q = req_new(c);
	if (!q) {
		conn_close(c);
		return;
	}
	q->close_after = close;
	if (sf_sip_parse(buf, n, hdrs, HDRS_MAX, 0, &m) == 0 && m.is_request &&
	    sf_sip_header_get(&m, "Via").p && sf_sip_header_get(&m, "Call-ID").p) {
		q->echo = echo_headers(&m);
		to = to_of(&m);
		span_copy((sf_span){ m.method.p, m.method.n }, q->start, sizeof(q->start));
		span_copy(sf_sip_header_get(&m, "Call-ID"), q->call_id, sizeof(q->call_id));
		span_copy(sf_sip_header_get(&m, "CSeq"), q->cseq, sizeof(q->cseq));
		answer_plain(q, 400, phrase, to);
	} else {
		/* not even the headers of an answer: nothing can be sent back */
		q->ready = 1;
		q->close_after = 1;
	}
	free(to);
}

/* The result of a request's callback check. */
static int on_result(void *arg, const sf_job_done *job, sf_result *r)
{
	edge_req *q = job->user;
	edge_conn *c = q->c;
	sf_edge *e = arg;

	c->n_jobs--;
	q->waiting = 0;
	if (c->dead) {
		edge_req **pp;

		for (pp = &c->q_head; *pp && *pp != q; pp = &(*pp)->next)
			;
		if (*pp)
			*pp = q->next;
		req_free(q);
		c->n_q--;
		if (c->n_jobs == 0)
			conn_free(c);
		sf_result_free(r);
		return 0;
	}
	{
		sf_edge_decision d;
		char *to = q->resp; /* the request's To, kept there until the answer */

		q->resp = NULL;
		sf_edge_decide(r, sk_X509_value(sf_peer_chain(c->peer), 0), e->fqdn, q->is_options,
			       &d);
		answer(q, &d, to);
		free(to);
	}
	sf_result_free(r);
	flush(c);
	return 0;
}

static int blocked(const sf_edge *e, const char *domain)
{
	for (size_t i = 0; i < e->n_blocked; i++)
		if (strcmp(e->blocked[i], domain) == 0)
			return 1;
	return 0;
}

static int allowed(const sf_edge *e, const char *domain)
{
	const sf_allow_list *l = e->opt.allow;

	if (!l)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].domain && strcmp(l->v[i].domain, domain) == 0)
			return 1;
	return 0;
}

/* One complete request (@n bytes at @buf, parsed into @m). */
static void request(edge_conn *c, const char *buf, size_t n, sf_sip_msg *m)
{
	sf_edge *e = c->e;
	const unsigned fatal = SF_SIP_BAD_START | SF_SIP_BAD_HEADER | SF_SIP_NO_END |
			       SF_SIP_BAD_CLEN | SF_SIP_MISSING | SF_SIP_BAD_CSEQ |
			       SF_SIP_BAD_VERSION | SF_SIP_TOO_MANY | SF_SIP_BAD_VALUE;
	sf_span who;
	char host[256], dom[256];
	edge_req *q;
	char *to;

	if (!m->is_request)
		return; /* a response to nothing we sent */
	e->st.requests++;
	if (m->flags & fatal) {
		bad_message(c, buf, n, "Bad Request", 0);
		return;
	}
	if (m->method.n == 3 && memcmp(m->method.p, "ACK", 3) == 0)
		return;
	q = req_new(c);
	if (!q) {
		conn_close(c);
		return;
	}
	q->echo = echo_headers(m);
	to = to_of(m);
	q->is_options = m->method.n == 7 && memcmp(m->method.p, "OPTIONS", 7) == 0;
	{
		char sl[600];

		snprintf(sl, sizeof(sl), "%.*s %.*s SIP/2.0", (int)(m->method.n > 32 ? 32 : m->method.n),
			 m->method.p, (int)(m->uri.n > 400 ? 400 : m->uri.n), m->uri.p);
		sf_edge_clean(sl, strlen(sl), q->start, sizeof(q->start));
	}
	span_copy(sf_sip_header_get(m, "Call-ID"), q->call_id, sizeof(q->call_id));
	span_copy(sf_sip_header_get(m, "CSeq"), q->cseq, sizeof(q->cseq));
	who = sf_sip_header_get(m, "P-Asserted-Identity");
	if (!who.p || sf_sip_uri_host(who, host, sizeof(host)) < 0)
		who = sf_sip_header_get(m, "From");
	if (!who.p || sf_sip_uri_host(who, host, sizeof(host)) < 0 ||
	    sf_name_norm(host, dom, sizeof(dom)) < 0 || strchr(dom, '*') ||
	    sf_name_labels(dom) < 2) {
		e->st.bad++;
		answer_plain(q, 400, "Bad Request (no SIP domain in From)", to);
		free(to);
		return;
	}
	snprintf(q->domain, sizeof(q->domain), "%s", dom);
	if (blocked(e, dom) || !allowed(e, dom)) {
		sf_edge_decision d;

		sf_edge_decide_policy(dom, blocked(e, dom) ? "the domain is blocked"
							   : "the domain is not on the allow list",
				      e->fqdn, &d);
		answer(q, &d, to);
		free(to);
		return;
	}
	{
		sf_job job = { .kind = SF_JOB_CALLBACK, .name = dom, .user = q, .peer = c->peer };

		q->resp = to; /* kept until the answer (see on_result) */
		q->waiting = 1;
		c->n_jobs++;
		if (sf_run_add(e->run, &job) != SF_OK) {
			q->waiting = 0;
			c->n_jobs--;
			q->resp = NULL;
			answer_plain(q, 500, "Server Internal Error", to);
			free(to);
		}
	}
}

/* Reads every complete message of the input. */
static void on_read(struct bufferevent *bev, void *arg)
{
	edge_conn *c = arg;
	sf_edge *e = c->e;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!c->dead && !c->closing) {
		size_t len = evbuffer_get_length(in), lead = 0, look, hl, clen = 0;
		const char *buf, *end;
		sf_sip_header hdrs[HDRS_MAX];
		sf_sip_msg m;
		sf_span v;

		if (len == 0) {
			c->partial = 0;
			break;
		}
		if (c->n_q >= REQ_MAX ||
		    evbuffer_get_length(bufferevent_get_output(bev)) >= OUT_MAX) {
			bufferevent_disable(bev, EV_READ);
			break;
		}
		look = len < e->opt.max_header + 4 ? len : e->opt.max_header + 4;
		buf = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
		if (!buf)
			break;
		/* CRLF keep-alives between messages (RFC 5626 §4.4.1: a double CRLF gets a CRLF) */
		while (lead < look && (buf[lead] == '\r' || buf[lead] == '\n'))
			lead++;
		if (lead) {
			if (lead >= 4 && memcmp(buf, "\r\n\r\n", 4) == 0 && c->n_q == 0)
				bufferevent_write(bev, "\r\n", 2);
			evbuffer_drain(in, lead);
			continue;
		}
		if (!c->partial) {
			c->partial = 1;
			evutil_gettimeofday(&c->since, NULL);
		}
		end = memmem(buf, look, "\r\n\r\n", 4);
		hl = end ? (size_t)(end - buf) + 4 : 0;
		{
			const char *lf = memmem(buf, look, "\n\n", 2);

			if (lf && (!end || lf < end))
				hl = (size_t)(lf - buf) + 2;
		}
		if (!hl) {
			if (len > e->opt.max_header) {
				bad_message(c, buf, look, "Message Too Large", 1);
				break;
			}
			break; /* wait for the rest of the headers */
		}
		if (sf_sip_parse(buf, hl, hdrs, HDRS_MAX, 0, &m) < 0) {
			bad_message(c, buf, hl, "Bad Request", 1);
			break;
		}
		v = sf_sip_header_get(&m, "Content-Length");
		if (v.p) {
			char num[24];
			char *ep;
			unsigned long long x;

			span_copy(v, num, sizeof(num));
			errno = 0;
			x = strtoull(num, &ep, 10);
			while (*ep == ' ')
				ep++;
			if (errno || ep == num || *ep || num[0] == '-' ||
			    x > e->opt.max_message) {
				bad_message(c, buf, hl, x > e->opt.max_message ? "Message Too Large"
									       : "Bad Request",
					    1);
				break;
			}
			clen = (size_t)x;
		}
		if (hl + clen > e->opt.max_message) {
			bad_message(c, buf, hl, "Message Too Large", 1);
			break;
		}
		if (len < hl + clen)
			break; /* wait for the body */
		buf = (const char *)evbuffer_pullup(in, (ev_ssize_t)(hl + clen));
		if (!buf)
			break;
		/* strict: the RFC 4475 syntax errors (start line, Via, name-addr,
		 * Date, Max-Forwards) are answered 400 like the framing errors */
		if (sf_sip_parse(buf, hl + clen, hdrs, HDRS_MAX, 1, &m) < 0)
			bad_message(c, buf, hl + clen, "Bad Request", 0);
		else
			request(c, buf, hl + clen, &m);
		if (c->dead)
			return;
		evbuffer_drain(in, hl + clen);
		c->partial = 0;
	}
	if (c->dead)
		return;
	if (evbuffer_get_length(in) == 0)
		c->partial = 0;
	flush(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	edge_conn *c = arg;

	if (c->closing && c->n_q == 0 && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_close(c);
	else if (!c->closing && !c->dead)
		flush(c); /* the peer took its answers: reading may go on */
}

static void trace_refusal(edge_conn *c, const char *why)
{
	sf_sb t;

	if (!c->e->opt.log)
		return;
	sf_sb_init(&t, 0);
	sf_sb_addf(&t, "LogType: connection\nSeverity: error\nText: TLS negotiation failed: %s\n",
		   why);
	if (c->hresult)
		sf_sb_addf(&t, "Result-Code: %s\n", c->hresult);
	sf_sb_addf(&t, "Peer: %s\nTransport: TLS\n", c->addr);
	sf_edge_trace(c->e->opt.log, "ERROR", "CONNECTION", sf_sb_str(&t));
	sf_sb_release(&t);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	edge_conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		c->handshake_done = 1;
		evutil_gettimeofday(&c->last, NULL);
		if (!c->peer) {
			/* cannot happen with FAIL_IF_NO_PEER_CERT; refuse rather than judge nothing */
			conn_close(c);
			return;
		}
		timer_update(c);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (!c->handshake_done) {
			char why[256];

			c->e->st.handshakes_failed++;
			ssl_errors(why, sizeof(why));
			trace_refusal(c, c->refusal[0] ? c->refusal
							: why[0] ? why : "the peer closed the connection");
		}
		conn_close(c);
	}
}

/*
 * The verification step of the handshake: the presented chain becomes the
 * connection's peer; the handshake is refused where an Edge refuses it.
 */
static int verify_chain(X509_STORE_CTX *xs, void *arg)
{
	sf_edge *e = arg;
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	edge_conn *c = ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);
	STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(xs);
	STACK_OF(X509) *chain = sk_X509_new_null();
	const sf_chain_facts *cf;
	sf_peer *peer = NULL;
	time_t at = e->ctx->at ? e->ctx->at : time(NULL);
	int ok = 0;

	if (!c || !leaf || !chain)
		goto out;
	sk_X509_push(chain, leaf);
	for (int i = 0; untrusted && i < sk_X509_num(untrusted); i++)
		if (X509_cmp(sk_X509_value(untrusted, i), leaf) != 0)
			sk_X509_push(chain, sk_X509_value(untrusted, i));
	if (sf_peer_from_chain(e->ctx, chain, c->addr, &peer) != SF_OK)
		goto out;
	cf = sf_peer_chain_facts(peer);
	if (X509_cmp_time(X509_get0_notAfter(leaf), &at) < 0 ||
	    (cf->v.fail == SF_VFAIL_EXPIRED)) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_HAS_EXPIRED);
		snprintf(c->refusal, sizeof(c->refusal), "the peer's certificate has expired");
		c->hresult = "0x800b0101 CERT_E_EXPIRED";
		goto out;
	}
	if (X509_cmp_time(X509_get0_notBefore(leaf), &at) > 0 ||
	    cf->v.fail == SF_VFAIL_NOT_YET_VALID) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_NOT_YET_VALID);
		snprintf(c->refusal, sizeof(c->refusal), "the peer's certificate is not yet valid");
		c->hresult = "0x800b0101 CERT_E_EXPIRED";
		goto out;
	}
	if (!cf->collected || !cf->v.ok) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
		snprintf(c->refusal, sizeof(c->refusal),
			 "the peer's certificate chain does not lead to a trusted root");
		c->hresult = "0x800b0109 CERT_E_UNTRUSTEDROOT";
		goto out;
	}
	if ((X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) &&
	    !(X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT)) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_INVALID_PURPOSE);
		snprintf(c->refusal, sizeof(c->refusal),
			 "the peer's certificate is not valid for client authentication (EKU)");
		c->hresult = "0x800b0110 CERT_E_WRONG_USAGE";
		goto out;
	}
	sf_peer_free(c->peer);
	c->peer = peer;
	peer = NULL;
	X509_STORE_CTX_set_error(xs, X509_V_OK);
	ok = 1;
out:
	if (!ok && X509_STORE_CTX_get_error(xs) == X509_V_OK)
		X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
	sf_peer_free(peer);
	sk_X509_free(chain);
	return ok;
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	sf_edge *e = arg;
	edge_conn *c;
	SSL *ssl;
	char host[64] = "?";

	e->st.accepted++;
	if (e->shutting || e->open >= e->opt.max_connections) {
		e->st.refused++;
		evutil_closesocket(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	ssl = c ? SSL_new(e->ssl) : NULL;
	if (!ssl) {
		free(c);
		evutil_closesocket(fd);
		return;
	}
	c->e = e;
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		evutil_inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(c->addr, sizeof(c->addr), "%s:%u", host, (unsigned)ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		evutil_inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(c->addr, sizeof(c->addr), "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
	}
	SSL_set_ex_data(ssl, conn_idx, c);
	c->bev = bufferevent_openssl_socket_new(e->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
						BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(e->base, on_timer, c);
	if (!c->bev || !c->timer) {
		if (c->bev)
			bufferevent_free(c->bev);
		else {
			SSL_free(ssl);
			evutil_closesocket(fd);
		}
		if (c->timer)
			event_free(c->timer);
		free(c);
		return;
	}
	c->next = e->conns;
	if (e->conns)
		e->conns->prev = c;
	e->conns = c;
	e->open++;
	e->st.open = e->open;
	evutil_gettimeofday(&c->since, NULL);
	c->last = c->since;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, e->opt.max_message + 4096);
	bufferevent_enable(c->bev, EV_READ);
	timer_update(c);
}

/* ---- the Edge ------------------------------------------------------------- */

static sf_status edge_tls(sf_edge *e)
{
	char why[256];
	X509 *leaf;

	e->ssl = SSL_CTX_new(TLS_server_method());
	if (!e->ssl)
		return efail(e, SF_ENOMEM, "cannot create the TLS context");
	SSL_CTX_set_min_proto_version(e->ssl, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(e->ssl, e->cert_file) != 1) {
		ssl_errors(why, sizeof(why));
		return efail(e, SF_EIO, "cannot read the certificate '%s': %s", e->cert_file, why);
	}
	if (SSL_CTX_use_PrivateKey_file(e->ssl, e->key_file ? e->key_file : e->cert_file,
					SSL_FILETYPE_PEM) != 1) {
		ssl_errors(why, sizeof(why));
		return efail(e, SF_EIO, "cannot read the private key '%s': %s",
			     e->key_file ? e->key_file : e->cert_file, why);
	}
	if (SSL_CTX_check_private_key(e->ssl) != 1) {
		ssl_errors(why, sizeof(why));
		return efail(e, SF_ETLS, "the key '%s' does not belong to the certificate '%s'",
			     e->key_file ? e->key_file : e->cert_file, e->cert_file);
	}
	SSL_CTX_set_verify(e->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(e->ssl, verify_chain, e);
	SSL_CTX_set_session_cache_mode(e->ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(e->ssl, 0);
	leaf = SSL_CTX_get0_certificate(e->ssl);
	if (!e->fqdn[0] && leaf) {
		sf_strv dns = { 0 }, ip = { 0 };
		char *cn = NULL;

		if (sf_x509_san(leaf, &dns, &ip) == 0 && dns.n > 0)
			sf_edge_clean(dns.v[0], strlen(dns.v[0]), e->fqdn, sizeof(e->fqdn));
		else if ((cn = sf_x509_cn(leaf)) != NULL)
			sf_edge_clean(cn, strlen(cn), e->fqdn, sizeof(e->fqdn));
		free(cn);
		sf_strv_release(&dns);
		sf_strv_release(&ip);
	}
	if (!e->fqdn[0])
		snprintf(e->fqdn, sizeof(e->fqdn), "edge.sipfed.invalid");
	return SF_OK;
}

/* "ADDR:PORT" / "[V6]:PORT", port 0..65535. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, int *len)
{
	const char *colon = strrchr(s, ':');
	char host[64], *end;
	unsigned long port;
	size_t hl;

	if (!colon || !colon[1])
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
		return -1;
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (hl - 2 >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl - 2);
		host[hl - 2] = '\0';
		if (evutil_inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (evutil_inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
}

static sf_status edge_listen(sf_edge *e)
{
	struct sockaddr_storage ss;
	int sl = sizeof(ss);
	socklen_t bl = sizeof(ss);
	char host[64];

	memset(&ss, 0, sizeof(ss));
	if (parse_listen(e->opt.listen, &ss, &sl) < 0)
		return efail(e, SF_EINVAL, "invalid listen address '%s': expected ADDR:PORT "
					   "(IPv4, or [IPv6]; port 0 for any)",
			     e->opt.listen);
	e->lis = evconnlistener_new_bind(e->base, on_accept, e,
					 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
						 LEV_OPT_CLOSE_ON_EXEC,
					 512, (struct sockaddr *)&ss, sl);
	if (!e->lis)
		return efail(e, SF_ENET, "cannot listen on %s: %s", e->opt.listen,
			     strerror(errno ? errno : EADDRINUSE));
	if (getsockname(evconnlistener_get_fd(e->lis), (struct sockaddr *)&ss, &bl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			evutil_inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			snprintf(e->address, sizeof(e->address), "%s:%u", host,
				 (unsigned)ntohs(s4->sin_port));
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			evutil_inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			snprintf(e->address, sizeof(e->address), "[%s]:%u", host,
				 (unsigned)ntohs(s6->sin6_port));
		}
	}
	return SF_OK;
}

sf_status sf_edge_new(sf_ctx *ctx, struct event_base *base, const sf_edge_options *opt,
		      sf_edge **out_edge)
{
	sf_edge *e = calloc(1, sizeof(*e));
	sf_run_options ro = { 0 };
	sf_status st;

	*out_edge = e;
	if (!e)
		return SF_ENOMEM;
	if (!ctx || !base || !opt || !opt->listen || !opt->cert_file)
		return efail(e, SF_EINVAL, "an Edge needs a context, a loop, a listen address and "
					   "a certificate");
	e->ctx = ctx;
	e->base = base;
	e->opt = *opt;
	if (!e->opt.max_connections)
		e->opt.max_connections = 1024;
	if (!e->opt.max_header)
		e->opt.max_header = 16384;
	if (!e->opt.max_message)
		e->opt.max_message = 65536;
	if (e->opt.max_message < e->opt.max_header)
		e->opt.max_message = e->opt.max_header;
	if (!e->opt.idle_timeout_ms)
		e->opt.idle_timeout_ms = 60000;
	if (!e->opt.header_timeout_ms)
		e->opt.header_timeout_ms = 5000;
	if (!e->opt.concurrency)
		e->opt.concurrency = 256;
	e->opt.listen = NULL; /* copied below, used only here */
	e->cert_file = sf_strdup(opt->cert_file);
	e->key_file = opt->key_file ? sf_strdup(opt->key_file) : NULL;
	if (!e->cert_file || (opt->key_file && !e->key_file))
		return efail(e, SF_ENOMEM, "out of memory");
	if (opt->fqdn && sf_name_norm(opt->fqdn, e->fqdn, sizeof(e->fqdn)) < 0)
		return efail(e, SF_EINVAL, "invalid Edge FQDN '%s'", opt->fqdn);
	if (opt->n_blocked) {
		e->blocked = calloc(opt->n_blocked, sizeof(*e->blocked));
		if (!e->blocked)
			return efail(e, SF_ENOMEM, "out of memory");
		for (size_t i = 0; i < opt->n_blocked; i++) {
			char d[256];

			if (sf_name_norm(opt->blocked[i], d, sizeof(d)) < 0)
				return efail(e, SF_EINVAL, "invalid blocked domain '%s'",
					     opt->blocked[i]);
			if (!(e->blocked[i] = sf_strdup(d)))
				return efail(e, SF_ENOMEM, "out of memory");
			e->n_blocked++;
		}
	}
	e->opt.blocked = NULL;
	if (conn_idx < 0)
		conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (conn_idx < 0)
		return efail(e, SF_ETLS, "cannot set up the TLS library");
	st = edge_tls(e);
	if (st != SF_OK)
		return st;
	e->reaper = event_new(base, -1, 0, on_reap, e);
	if (!e->reaper)
		return efail(e, SF_ENOMEM, "out of memory");
	ro.base = base;
	ro.concurrency = e->opt.concurrency;
	st = sf_run_new(ctx, &ro, on_result, e, &e->run);
	if (st != SF_OK)
		return efail(e, st, "%s", sf_ctx_error(ctx));
	if (opt->allow)
		sf_run_set_allow_list(e->run, opt->allow);
	e->opt.listen = opt->listen;
	st = edge_listen(e);
	e->opt.listen = NULL;
	return st;
}

const char *sf_edge_error(const sf_edge *e)
{
	return e ? e->err : "out of memory";
}

const char *sf_edge_address(const sf_edge *e)
{
	return e ? e->address : "";
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
	sf_edge *e = arg;
	edge_conn *c = e->conns;

	while (c) {
		edge_conn *n = c->next;

		if (!c->dead)
			conn_close(c);
		c = n;
	}
	maybe_exit(e);
}

void sf_edge_shutdown(sf_edge *e, unsigned grace_ms)
{
	edge_conn *c;
	struct timeval tv = { grace_ms / 1000, (grace_ms % 1000) * 1000 };

	if (!e || e->shutting)
		return;
	e->shutting = 1;
	if (e->lis)
		evconnlistener_free(e->lis);
	e->lis = NULL;
	for (c = e->conns; c;) {
		edge_conn *n = c->next;

		if (!c->dead) {
			if (c->n_q == 0 || !c->handshake_done)
				conn_close(c);
			else
				c->closing = 1;
		}
		c = n;
	}
	e->grace = evtimer_new(e->base, on_grace, e);
	if (e->grace)
		evtimer_add(e->grace, &tv);
	maybe_exit(e);
}

int sf_edge_drained(const sf_edge *e)
{
	return e && e->shutting && e->open == 0;
}

void sf_edge_get_stats(const sf_edge *e, sf_edge_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (e)
		*out = e->st;
}

void sf_edge_free(sf_edge *e)
{
	if (!e)
		return;
	if (e->lis)
		evconnlistener_free(e->lis);
	/* first the run: the jobs it drops are handed back to nobody, and borrow no peer after */
	sf_run_free(e->run);
	while (e->conns) {
		edge_conn *c = e->conns;

		if (c->timer)
			event_free(c->timer);
		if (c->bev)
			bufferevent_free(c->bev);
		conn_free(c);
	}
	if (e->grace)
		event_free(e->grace);
	if (e->reaper)
		event_free(e->reaper);
	if (e->ssl)
		SSL_CTX_free(e->ssl);
	for (size_t i = 0; i < e->n_blocked; i++)
		free(e->blocked[i]);
	free(e->blocked);
	free(e->cert_file);
	free(e->key_file);
	free(e);
}
