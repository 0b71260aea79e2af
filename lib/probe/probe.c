/*
 * sipfed probe (include/sipfed/probe.h): resolve like an Edge, connect with
 * mutual TLS, send OPTIONS, decode the answers.
 *
 * One event loop of the call's own drives every connection: a non-blocking
 * TCP connect with its deadline (so that "refused" and "timed out" are told
 * apart from TLS failures), then a libevent OpenSSL bufferevent for the
 * handshake and the SIP exchange.  Each phase (connect, handshake, each
 * answer) has the context's timeout as its own deadline.  One request is
 * outstanding per connection; answers are matched by Call-ID, provisional
 * responses skipped, requests from the peer ignored.  A response is read up
 * to SF_PROBE_MAX_MSG bytes (headers and body).
 *
 * The peer's certificate is not verified in the handshake (SSL_VERIFY_NONE):
 * it is judged afterwards by the CERT rules, so that a bad certificate is a
 * finding with its reason, as in `check`.
 *
 * The program must ignore SIGPIPE (see lib/tls/tls_live.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "core/core.h"
#include "dns/lookup.h"
#include "sip/sip.h"
#include "sipfed/probe.h"
#include "tls/tls.h"
#include "util/util.h"

#define SF_PROBE_MAX_MSG 65536
#define SF_PROBE_MAX_COUNT 10000000u
#define SF_PROBE_MAX_CONNECTIONS 10000u
#define SF_PROBE_MAX_FROM 64

enum conn_phase {
	PH_CONNECT = 0, PH_HANDSHAKE, PH_IDLE, PH_WAIT, PH_DEAD,
};

/* How a connection ended before its work was done. */
enum conn_fail {
	CF_NONE = 0, CF_TCP, CF_TLS, CF_CLOSED,
};

struct probe;

struct conn {
	struct probe *p;
	int fd;
	struct bufferevent *bev;
	struct event *ev;    /* connect readiness, then the phase deadline */
	SSL *ssl;
	enum conn_phase phase;
	enum conn_fail fail;
	int cert_requested;
	int alert;
	int64_t sent_us;
	uint64_t req;        /* the request outstanding (its number) */
	char call_id[320];
	char local[80];      /* our address for Via */
	char peer[80];
	char err[512];
};

struct probe {
	sf_ctx *ctx;
	sf_probe_result *r;
	SSL_CTX *sslctx;
	struct event_base *base;
	char host[256];      /* SNI and expected name ("" for an address literal) */
	char **from;
	size_t n_from;
	char contact_host[256];
	int single;
	uint64_t total, next, done_req;
	struct conn *conns;
	unsigned n_conns, live;
	double *lat;
	size_t n_lat;
	int64_t t0, t_end;
	int nomem;
	int dns_definite;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void rand_hex(char *out, size_t nbytes)
{
	unsigned char b[32];
	static const char hx[] = "0123456789abcdef";

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (RAND_bytes(b, (int)nbytes) != 1) {
		/* never fails in practice; a counter keeps the tokens distinct */
		static unsigned long k;
		unsigned long v = ++k ^ (unsigned long)now_us();

		memcpy(b, &v, nbytes < sizeof(v) ? nbytes : sizeof(v));
	}
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

static void fmt_addr(char *buf, size_t len, const char *addr, uint16_t port)
{
	if (strchr(addr, ':'))
		snprintf(buf, len, "[%s]:%u", addr, (unsigned)port);
	else
		snprintf(buf, len, "%s:%u", addr, (unsigned)port);
}

/* ---- alerts ------------------------------------------------------------------- */

static const struct {
	int n;
	const char *name, *meaning;
} alerts[] = {
	{ 0, "close_notify", "the peer closed the connection" },
	{ 10, "unexpected_message", "the peer received a message it did not expect" },
	{ 20, "bad_record_mac", "a record failed its integrity check" },
	{ 22, "record_overflow", "a record was too long" },
	{ 40, "handshake_failure", "no acceptable set of security parameters; with TLS 1.2 also "
	  "what a peer sends when it requires a client certificate and refuses or misses ours" },
	{ 41, "no_certificate", "no certificate (SSL 3.0)" },
	{ 42, "bad_certificate", "the peer refused our certificate (corrupt, or it failed the "
	  "peer's checks)" },
	{ 43, "unsupported_certificate", "the peer refused the type or usage of our certificate, "
	  "e.g. no clientAuth in its extended key usage" },
	{ 44, "certificate_revoked", "the peer found our certificate revoked" },
	{ 45, "certificate_expired", "the peer found our certificate (or its chain) expired or "
	  "not yet valid" },
	{ 46, "certificate_unknown", "the peer could not accept our certificate for another "
	  "reason (often: no clientAuth EKU, or a chain it cannot build)" },
	{ 47, "illegal_parameter", "a handshake field was out of range" },
	{ 48, "unknown_ca", "unknown CA: the peer does not trust the CA that issued our "
	  "certificate (its root is not in the peer's trusted root store, or our chain "
	  "lacks the intermediate)" },
	{ 49, "access_denied", "the peer refused us by its access policy" },
	{ 50, "decode_error", "a message could not be decoded" },
	{ 51, "decrypt_error", "a signature or key exchange check failed" },
	{ 70, "protocol_version", "no TLS version in common" },
	{ 71, "insufficient_security", "the peer requires stronger cipher suites" },
	{ 80, "internal_error", "the peer had an internal error" },
	{ 86, "inappropriate_fallback", "an inappropriate version fallback" },
	{ 90, "user_canceled", "the handshake was canceled" },
	{ 109, "missing_extension", "a required TLS extension was missing" },
	{ 110, "unsupported_extension", "an extension the peer did not offer" },
	{ 112, "unrecognized_name", "the peer does not know the server name (SNI) we sent" },
	{ 113, "bad_certificate_status_response", "an invalid OCSP response" },
	{ 115, "unknown_psk_identity", "unknown PSK identity" },
	{ 116, "certificate_required", "the peer requires a client certificate and got none" },
	{ 120, "no_application_protocol", "no application protocol (ALPN) in common" },
};

const char *sf_probe_alert_meaning(int alert)
{
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].n == alert)
			return alerts[i].meaning;
	return NULL;
}

static const char *alert_name(int alert)
{
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].n == alert)
			return alerts[i].name;
	return NULL;
}

const char *sf_probe_stop_name(sf_probe_stop s)
{
	switch (s) {
	case SF_PROBE_ANSWERED: return "answered";
	case SF_PROBE_STOP_DNS: return "dns";
	case SF_PROBE_STOP_CONNECT: return "connect";
	case SF_PROBE_STOP_TLS: return "tls";
	case SF_PROBE_STOP_NO_ANSWER: return "no-answer";
	case SF_PROBE_STOP_CLOSED: return "closed";
	}
	return "?";
}

/* ---- connections ------------------------------------------------------------------ */

static void conn_close(struct conn *c)
{
	if (c->ev)
		event_free(c->ev);
	c->ev = NULL;
	if (c->bev) {
		bufferevent_free(c->bev); /* frees the SSL and closes the socket */
		c->bev = NULL;
		c->ssl = NULL;
		c->fd = -1;
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void probe_conn_finished(struct probe *p)
{
	if (p->live > 0)
		p->live--;
	if (p->live == 0) {
		p->t_end = now_us();
		event_base_loopbreak(p->base);
	}
}

static void conn_request_failed(struct conn *c, const char *why);

/* Ends @c with @kind; @c->err says why. */
static void conn_fail(struct conn *c, enum conn_fail kind)
{
	struct probe *p = c->p;

	if (c->phase == PH_DEAD)
		return;
	if (c->phase == PH_WAIT)
		conn_request_failed(c, c->err);
	c->fail = kind;
	c->phase = PH_DEAD;
	conn_close(c);
	if (!p->single && p->r->load.first_error == NULL)
		p->r->load.first_error = sf_strdup(c->err);
	/* single mode: the requests never sent fail with the connection */
	if (p->single && kind != CF_TCP)
		while (p->next < p->total)
			conn_request_failed(c, c->err);
	probe_conn_finished(p);
}

static void set_deadline(struct conn *c, event_callback_fn cb)
{
	struct timeval tv;
	int ms = c->p->ctx->timeout_ms;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (c->ev)
		event_free(c->ev);
	c->ev = evtimer_new(c->p->base, cb, c);
	if (!c->ev || evtimer_add(c->ev, &tv) != 0) {
		c->p->nomem = 1;
		snprintf(c->err, sizeof(c->err), "out of memory");
		conn_fail(c, CF_CLOSED);
	}
}

/* Reads what OpenSSL and the socket say about a failure into c->err. */
static void describe_tls_failure(struct conn *c, const char *when)
{
	char text[256] = "";
	unsigned long e;
	int sys = EVUTIL_SOCKET_ERROR();

	for (int i = 0; i < 64 && (e = bufferevent_get_openssl_error(c->bev)) != 0; i++) {
		int reason = ERR_GET_REASON(e);

		if (text[0] == '\0')
			ERR_error_string_n(e, text, sizeof(text));
		if (c->alert < 0 && ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
			c->alert = reason - SSL_AD_REASON_OFFSET;
	}
	ERR_clear_error();
	if (c->alert >= 0) {
		const char *n = alert_name(c->alert);
		const char *m = sf_probe_alert_meaning(c->alert);

		snprintf(c->err, sizeof(c->err), "%s: the peer %s sent the TLS alert %d%s%s%s%s",
			 when, c->peer, c->alert, n ? " " : "", n ? n : "", m ? ": " : "",
			 m ? m : "");
	} else if (text[0]) {
		snprintf(c->err, sizeof(c->err), "%s with %s failed: %s", when, c->peer, text);
	} else if (sys != 0 && sys != EAGAIN) {
		snprintf(c->err, sizeof(c->err), "%s with %s failed: %s", when, c->peer,
			 strerror(sys));
	} else {
		snprintf(c->err, sizeof(c->err), "%s: %s closed the connection", when, c->peer);
	}
}

static void on_phase_timeout(evutil_socket_t fd, short what, void *arg);
static void conn_send_next(struct conn *c);

/* The CERT rules on what the peer presented (single mode, first connection). */
static void judge_server_cert(struct probe *p, struct conn *c)
{
	sf_probe_result *r = p->r;
	STACK_OF(X509) *chain = sf_tls_peer_chain(c->ssl);
	sf_chain_facts cf = { 0 };
	sf_cert_detail det = { 0 };
	sf_strv san = { 0 };
	X509 *leaf;

	if (!chain) {
		p->nomem = 1;
		return;
	}
	if (sk_X509_num(chain) <= 0) {
		sk_X509_free(chain);
		return;
	}
	leaf = sk_X509_value(chain, 0);
	r->server_subject = sf_x509_name_text(X509_get_subject_name(leaf));
	r->server_issuer = sf_x509_name_text(X509_get_issuer_name(leaf));
	if (sf_x509_san(leaf, &san, NULL) == 0) {
		r->server_san = san.v;
		r->n_server_san = san.n;
	}
	if (sf_chain_facts_collect(p->ctx->trust, chain, p->ctx->at, &cf) < 0 ||
	    sf_rules_cert(&p->ctx->env, chain, &cf, p->host[0] ? p->host : NULL, SF_ROLE_EDGE,
			  1, 1, &r->server_findings, &det) != SF_OK) {
		p->nomem = 1;
	} else {
		sf_findings_sort(&r->server_findings);
		r->server_name_match = det.name_match;
		r->server_trusted = det.chain_trusted;
	}
	sf_cert_detail_release(&det);
	sf_chain_facts_release(&cf);
	sk_X509_pop_free(chain, X509_free);
}

static void on_settled(evutil_socket_t fd, short what, void *arg)
{
	conn_send_next(arg);
}

static void on_tls_established(struct conn *c)
{
	struct probe *p = c->p;
	sf_probe_result *r = p->r;

	c->phase = PH_IDLE;
	if (c->ev)
		event_del(c->ev);
	if (!p->single) {
		r->load.connected++;
	} else if (!r->tls_done) {
		const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
		const char *cn = ci ? SSL_CIPHER_standard_name(ci) : NULL;

		if (ci && !cn)
			cn = SSL_CIPHER_get_name(ci);
		r->tls_done = 1;
		r->tls_version = sf_strdup(SSL_get_version(c->ssl));
		r->tls_cipher = cn ? sf_strdup(cn) : NULL;
		r->client_cert_requested = c->cert_requested;
		judge_server_cert(p, c);
	}
	/*
	 * TLS 1.3: the server judges our certificate after our side has
	 * finished the handshake; its alert comes a moment later, and a
	 * request written meanwhile may meet a reset that discards the
	 * alert.  Give the verdict a moment (at most 250 ms) to arrive.
	 */
	if (c->cert_requested && SSL_version(c->ssl) >= TLS1_3_VERSION) {
		struct timeval tv = { 0, 250000 };

		if (p->ctx->timeout_ms < 250)
			tv.tv_usec = p->ctx->timeout_ms * 1000;
		if (c->ev)
			event_free(c->ev);
		c->ev = evtimer_new(p->base, on_settled, c);
		if (c->ev && evtimer_add(c->ev, &tv) == 0)
			return;
	}
	conn_send_next(c);
}

/* ---- SIP ------------------------------------------------------------------------ */

static const char *classify_server(const char *s)
{
	if (!s)
		return NULL;
	if (strncasecmp(s, "RTC/", 4) == 0)
		return "skype-edge";
	if (strncasecmp(s, "TANDBERG/", 9) == 0 || strcasestr(s, "Expressway"))
		return "expressway";
	if (strcasestr(s, "kamailio"))
		return "kamailio";
	return "other";
}

static char *span_unfold_dup(sf_span s)
{
	size_t n = sf_span_unfold(s, NULL, 0);
	char *o = malloc(n + 1);

	if (o)
		sf_span_unfold(s, o, n + 1);
	return o;
}

/* Check IDs, cause and fix of a failure response, from the knowledge base (sipfed logs). */
static int explain_reply(struct probe *p, sf_probe_reply *rep, const char *start_line)
{
	sf_log_event *ev = calloc(1, sizeof(*ev));
	int rc = -1;

	if (!ev)
		return -1;
	ev->kind = rep->ms_code >= 0 ? SF_LOG_MSDIAG : SF_LOG_SIP_RESPONSE;
	ev->code = rep->ms_code;
	ev->sip_status = rep->status;
	ev->file = sf_strdup("probe");
	ev->line = 1;
	ev->from_domain = sf_strdup(rep->from);
	ev->to_domain = sf_strdup(p->r->domain);
	ev->start_line = sf_strdup(start_line);
	ev->call_id = sf_strdup(rep->call_id);
	if (rep->server)
		ev->server = sf_strdup(rep->server);
	if (rep->ms_reason)
		ev->reason = sf_strdup(rep->ms_reason);
	if (rep->n_ms_attrs) {
		ev->attrs = calloc(rep->n_ms_attrs, sizeof(*ev->attrs));
		if (!ev->attrs)
			goto out;
		for (size_t i = 0; i < rep->n_ms_attrs; i++) {
			ev->attrs[i].key = sf_strdup(rep->ms_attrs[i].key);
			ev->attrs[i].value = sf_strdup(rep->ms_attrs[i].value);
			ev->n_attrs++;
		}
	}
	if (sf_logs_explain(ev) != SF_OK)
		goto out;
	for (size_t i = 0; i < ev->n_rules; i++) {
		const char *id = sf_rule_get(ev->rules[i])->id;
		size_t k;

		for (k = 0; k < rep->n_checks; k++)
			if (strcmp(rep->checks[k], id) == 0)
				break;
		if (k < rep->n_checks)
			continue;
		char **v = realloc(rep->checks, (rep->n_checks + 1) * sizeof(*v));

		if (!v)
			goto out;
		rep->checks = v;
		if (!(v[rep->n_checks] = sf_strdup(id)))
			goto out;
		rep->n_checks++;
	}
	rep->cause = ev->cause;
	rep->fix = ev->fix;
	ev->cause = ev->fix = NULL;
	rc = 0;
out:
	sf_log_event_free(ev);
	return rc;
}

/* Fills @rep from the final response @m (bytes @buf). */
static int fill_reply(struct probe *p, sf_probe_reply *rep, const sf_sip_msg *m)
{
	static const char *const ms_names[] = { "ms-diagnostics", "ms-diagnostics-public" };
	sf_span srv = sf_sip_header_get(m, "Server");
	char start[128];

	rep->status = m->status;
	rep->reason = span_unfold_dup(m->reason);
	if (!srv.p)
		srv = sf_sip_header_get(m, "User-Agent");
	if (srv.p && !(rep->server = span_unfold_dup(srv)))
		return -1;
	rep->server_kind = classify_server(rep->server);
	rep->ms_code = -1;
	for (size_t k = 0; k < 2 && !rep->ms_header; k++) {
		sf_span v = sf_sip_header_get(m, ms_names[k]);
		sf_msdiag d;

		if (!v.p || sf_msdiag_parse(v, &d) < 0)
			continue;
		rep->ms_header = sf_strdup(ms_names[k]);
		rep->ms_code = d.code;
		if (d.reason.p)
			rep->ms_reason = span_unfold_dup(d.reason);
		if (d.n_params) {
			rep->ms_attrs = calloc(d.n_params, sizeof(*rep->ms_attrs));
			if (!rep->ms_attrs)
				return -1;
			for (size_t i = 0; i < d.n_params; i++) {
				rep->ms_attrs[i].key = span_unfold_dup(d.params[i].key);
				rep->ms_attrs[i].value = span_unfold_dup(d.params[i].value);
				rep->n_ms_attrs++;
				if (!rep->ms_attrs[i].key || !rep->ms_attrs[i].value)
					return -1;
			}
		}
	}
	snprintf(start, sizeof(start), "SIP/2.0 %d %.*s", m->status,
		 (int)(m->reason.n > 100 ? 100 : m->reason.n), m->reason.p ? m->reason.p : "");
	if (m->status >= 300 && explain_reply(p, rep, start) < 0)
		return -1;
	return 0;
}

static void record_latency(struct probe *p, double ms)
{
	if (p->lat && p->n_lat < p->total)
		p->lat[p->n_lat++] = ms;
}

/* The outstanding request of @c failed (@why). */
static void conn_request_failed(struct conn *c, const char *why)
{
	struct probe *p = c->p;

	if (p->single) {
		uint64_t i = c->phase == PH_WAIT ? c->req : p->next++;
		sf_probe_reply *rep = &p->r->replies[i];

		if (!rep->error && !(rep->error = sf_strdup(why)))
			p->nomem = 1;
	} else if (c->phase == PH_WAIT) {
		p->r->load.failed++;
	}
	if (c->phase == PH_WAIT)
		p->done_req++;
	if (c->phase == PH_WAIT)
		c->phase = PH_IDLE;
}

static void on_answer_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	snprintf(c->err, sizeof(c->err), "no SIP answer from %s within %d ms", c->peer,
		 c->p->ctx->timeout_ms);
	conn_request_failed(c, c->err);
	if (!c->p->single && c->p->r->load.first_error == NULL)
		c->p->r->load.first_error = sf_strdup(c->err);
	conn_send_next(c);
}

/* One final response for @c's request. */
static void conn_answered(struct conn *c, const sf_sip_msg *m)
{
	struct probe *p = c->p;
	double ms = (double)(now_us() - c->sent_us) / 1000.0;

	if (c->ev)
		event_del(c->ev);
	if (p->single) {
		sf_probe_reply *rep = &p->r->replies[c->req];

		rep->latency_ms = ms;
		if (fill_reply(p, rep, m) < 0)
			p->nomem = 1;
	} else {
		p->r->load.answered++;
		if (m->status >= 200 && m->status < 300)
			p->r->load.ok++;
		record_latency(p, ms);
	}
	p->done_req++;
	c->phase = PH_IDLE;
	conn_send_next(c);
}

/* Parses the messages in @c's input; returns -1 after failing @c. */
static int conn_read_messages(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	for (;;) {
		size_t len = evbuffer_get_length(in), hlen, clen = 0, total;
		struct evbuffer_ptr e;
		unsigned char *data;
		sf_sip_header hdrs[64];
		sf_sip_msg m;
		sf_span cl, cid;

		/* CRLF keep-alives (RFC 5626 §4.4.1) and stray line ends */
		while (len > 0) {
			unsigned char ch;

			evbuffer_copyout(in, &ch, 1);
			if (ch != '\r' && ch != '\n')
				break;
			evbuffer_drain(in, 1);
			len--;
		}
		if (len == 0)
			return 0;
		e = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		hlen = e.pos >= 0 ? (size_t)e.pos + 4 : 0;
		if (e.pos < 0) {
			e = evbuffer_search(in, "\n\n", 2, NULL);
			hlen = e.pos >= 0 ? (size_t)e.pos + 2 : 0;
		}
		if (hlen == 0) {
			if (len > SF_PROBE_MAX_MSG)
				goto too_big;
			return 0;
		}
		if (hlen > SF_PROBE_MAX_MSG)
			goto too_big;
		data = evbuffer_pullup(in, (ev_ssize_t)hlen);
		if (!data || sf_sip_parse((const char *)data, hlen, hdrs, 64, 0, &m) < 0) {
			snprintf(c->err, sizeof(c->err), "%s sent something that is not SIP",
				 c->peer);
			conn_fail(c, CF_CLOSED);
			return -1;
		}
		cl = sf_sip_header_get(&m, "Content-Length");
		if (cl.p) {
			size_t i = 0;

			while (i < cl.n && (cl.p[i] == ' ' || cl.p[i] == '\t'))
				i++;
			for (; i < cl.n && cl.p[i] >= '0' && cl.p[i] <= '9'; i++) {
				clen = clen * 10 + (size_t)(cl.p[i] - '0');
				if (clen > SF_PROBE_MAX_MSG)
					goto too_big;
			}
		}
		total = hlen + clen;
		if (total > SF_PROBE_MAX_MSG)
			goto too_big;
		if (len < total)
			return 0;
		data = evbuffer_pullup(in, (ev_ssize_t)total);
		if (!data || sf_sip_parse((const char *)data, hlen, hdrs, 64, 0, &m) < 0) {
			snprintf(c->err, sizeof(c->err), "out of memory");
			conn_fail(c, CF_CLOSED);
			return -1;
		}
		cid = sf_sip_header_get(&m, "Call-ID");
		if (!m.is_request && m.status >= 200 && c->phase == PH_WAIT && cid.p &&
		    cid.n == strlen(c->call_id) && memcmp(cid.p, c->call_id, cid.n) == 0)
			conn_answered(c, &m);
		/* parse before draining: m points into the buffer */
		if (c->phase == PH_DEAD)
			return -1;
		evbuffer_drain(in, total);
	}
too_big:
	snprintf(c->err, sizeof(c->err), "%s sent a message larger than %d bytes", c->peer,
		 SF_PROBE_MAX_MSG);
	conn_fail(c, CF_CLOSED);
	return -1;
}

static void on_read(struct bufferevent *bev, void *arg)
{
	conn_read_messages(arg);
}

static void on_bev_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		on_tls_established(c);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		int handshake = c->phase == PH_HANDSHAKE;

		/* what arrived before the close is still read */
		if (!handshake && conn_read_messages(c) < 0)
			return;
		describe_tls_failure(c, handshake ? "TLS handshake" : "TLS connection");
		conn_fail(c, handshake || c->alert >= 0 ? CF_TLS : CF_CLOSED);
	}
}

/* Sends the next OPTIONS on @c, or ends @c when there is nothing left. */
static void conn_send_next(struct conn *c)
{
	struct probe *p = c->p;
	sf_sb b;
	char branch[33], tag[17], cid[33];
	const char *from;
	uint64_t i;

	if (c->phase != PH_IDLE)
		return;
	if (p->next >= p->total) {
		c->phase = PH_DEAD;
		conn_close(c);
		probe_conn_finished(p);
		return;
	}
	i = p->next++;
	from = p->from[i % p->n_from];
	rand_hex(branch, 12);
	rand_hex(tag, 6);
	rand_hex(cid, 12);
	snprintf(c->call_id, sizeof(c->call_id), "%s@%s", cid,
		 p->contact_host[0] ? p->contact_host : "sipfed");
	sf_sb_init(&b, 4096);
	sf_sb_addf(&b,
		   "OPTIONS sip:%s SIP/2.0\r\n"
		   "Via: SIP/2.0/TLS %s;branch=z9hG4bK%s;rport\r\n"
		   "Max-Forwards: 70\r\n"
		   "From: <sip:probe@%s>;tag=%s\r\n"
		   "To: <sip:%s>\r\n"
		   "Call-ID: %s\r\n"
		   "CSeq: 1 OPTIONS\r\n"
		   "Contact: <sip:probe@%s;transport=tls>\r\n"
		   "Accept: application/sdp\r\n"
		   "User-Agent: sipfed/" SIPFED_VERSION " probe\r\n"
		   "Content-Length: 0\r\n\r\n",
		   p->r->domain, c->local, branch, from, tag, p->r->domain, c->call_id,
		   p->contact_host[0] ? p->contact_host : c->local);
	if (!sf_sb_str(&b) || bufferevent_write(c->bev, sf_sb_str(&b), strlen(sf_sb_str(&b)))) {
		sf_sb_release(&b);
		p->nomem = 1;
		snprintf(c->err, sizeof(c->err), "out of memory");
		conn_fail(c, CF_CLOSED);
		return;
	}
	sf_sb_release(&b);
	if (p->single) {
		sf_probe_reply *rep = &p->r->replies[i];

		rep->call_id = sf_strdup(c->call_id);
	}
	p->r->load.sent++;
	c->req = i;
	c->sent_us = now_us();
	c->phase = PH_WAIT;
	set_deadline(c, on_answer_timeout);
}

static void on_phase_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	snprintf(c->err, sizeof(c->err), "TLS handshake with %s: timed out after %d ms", c->peer,
		 c->p->ctx->timeout_ms);
	conn_fail(c, CF_TLS);
}

/* Records which handshake messages the peer sent (a CertificateRequest: it wants ours). */
static void on_ssl_msg(int write_p, int version, int content_type, const void *buf, size_t len,
		       SSL *ssl, void *arg)
{
	struct conn *c = SSL_get_app_data(ssl);

	if (c && !write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    ((const unsigned char *)buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
		c->cert_requested = 1;
}

static void start_tls(struct conn *c)
{
	struct probe *p = c->p;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "";

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0) {
		uint16_t port = 0;

		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
		fmt_addr(c->local, sizeof(c->local), a, port);
	}
	c->ssl = SSL_new(p->sslctx);
	if (!c->ssl || !SSL_set_app_data(c->ssl, c) ||
	    (p->host[0] && !SSL_set_tlsext_host_name(c->ssl, p->host)))
		goto nomem;
	SSL_set_msg_callback(c->ssl, on_ssl_msg);
	c->bev = bufferevent_openssl_socket_new(p->base, c->fd, c->ssl, BUFFEREVENT_SSL_CONNECTING,
						BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev)
		goto nomem;
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, on_read, NULL, on_bev_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->phase = PH_HANDSHAKE;
	set_deadline(c, on_phase_timeout);
	return;
nomem:
	ERR_clear_error();
	p->nomem = 1;
	snprintf(c->err, sizeof(c->err), "cannot set up TLS with %s", c->peer);
	conn_fail(c, CF_TLS);
}

static void on_connect(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (c->fail != CF_NONE) { /* refused at once in conn_start */
		conn_fail(c, CF_TCP);
		return;
	}
	if (!(what & EV_WRITE)) {
		snprintf(c->err, sizeof(c->err), "TCP connect to %s: timed out after %d ms",
			 c->peer, c->p->ctx->timeout_ms);
		conn_fail(c, CF_TCP);
		return;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	if (soerr != 0) {
		snprintf(c->err, sizeof(c->err), "TCP connect to %s: %s", c->peer,
			 strerror(soerr));
		conn_fail(c, CF_TCP);
		return;
	}
	event_free(c->ev);
	c->ev = NULL;
	start_tls(c);
}

/* Starts the TCP connect of @c to @addr:@port; the outcome comes from the loop. */
static sf_status conn_start(struct probe *p, struct conn *c, const char *addr, uint16_t port)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	struct timeval tv;
	int r, e = 0;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->fd = -1;
	c->alert = -1;
	fmt_addr(c->peer, sizeof(c->peer), addr, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(addr, service, &hints, &res) != 0 || !res)
		return SF_EINVAL;
	c->fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r = c->fd < 0 ? -1 : connect(c->fd, res->ai_addr, res->ai_addrlen);
	e = errno;
	freeaddrinfo(res);
	tv.tv_sec = p->ctx->timeout_ms / 1000;
	tv.tv_usec = (p->ctx->timeout_ms % 1000) * 1000;
	p->live++;
	if (c->fd >= 0 && (r == 0 || e == EINPROGRESS)) {
		c->ev = event_new(p->base, c->fd, EV_WRITE, on_connect, c);
		if (!c->ev || event_add(c->ev, &tv) != 0)
			return SF_ENOMEM;
	} else {
		snprintf(c->err, sizeof(c->err), "TCP connect to %s: %s", c->peer, strerror(e));
		c->fail = CF_TCP;
		c->ev = evtimer_new(p->base, on_connect, c);
		if (!c->ev)
			return SF_ENOMEM;
		event_active(c->ev, EV_TIMEOUT, 0);
	}
	return SF_OK;
}

/* ---- setup ---------------------------------------------------------------------- */

/* Loads our certificate chain and key; the leaf's name into r->cert_name. */
static sf_status load_identity(struct probe *p, const sf_probe_options *opt)
{
	sf_ctx *ctx = p->ctx;
	STACK_OF(X509) *chain = NULL;
	sf_strv san = { 0 };
	const char *key = opt->key_file ? opt->key_file : opt->cert_file;
	sf_status st;
	X509 *leaf;

	st = sf_pem_read_chain(opt->cert_file, &chain, ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		return st;
	leaf = sk_X509_value(chain, 0);
	if (sf_x509_san(leaf, &san, NULL) == 0 && san.n > 0)
		p->r->cert_name = sf_strdup(san.v[0]);
	else
		p->r->cert_name = sf_x509_cn(leaf);
	sf_strv_release(&san);
	st = SF_ETLS;
	if (SSL_CTX_use_certificate(p->sslctx, leaf) != 1) {
		sf_ctx_fail(ctx, st, "'%s': OpenSSL refuses the certificate", opt->cert_file);
		goto out;
	}
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (SSL_CTX_add1_chain_cert(p->sslctx, sk_X509_value(chain, i)) != 1) {
			sf_ctx_fail(ctx, st, "'%s': OpenSSL refuses certificate %d of the chain",
				    opt->cert_file, i + 1);
			goto out;
		}
	if (access(key, R_OK) != 0) {
		st = sf_ctx_fail(ctx, SF_EIO, "cannot read key '%s': %s", key, strerror(errno));
		goto out;
	}
	{
		FILE *kf = fopen(key, "r");
		EVP_PKEY *pk = kf ? PEM_read_PrivateKey(kf, NULL, NULL, NULL) : NULL;

		if (kf)
			fclose(kf);
		if (!pk) {
			st = sf_ctx_fail(ctx, SF_EPARSE, "cannot read key '%s': not a PEM private "
					 "key (or it is encrypted)", key);
			goto out;
		}
		if (X509_check_private_key(leaf, pk) != 1) {
			EVP_PKEY_free(pk);
			st = sf_ctx_fail(ctx, SF_ETLS, "key '%s' does not belong to the certificate "
					 "of '%s'", key, opt->cert_file);
			goto out;
		}
		if (SSL_CTX_use_PrivateKey(p->sslctx, pk) != 1) {
			EVP_PKEY_free(pk);
			st = sf_ctx_fail(ctx, SF_ETLS, "OpenSSL refuses the key '%s'", key);
			goto out;
		}
		EVP_PKEY_free(pk);
	}
	st = SF_OK;
out:
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	return st;
}

static sf_status make_sslctx(struct probe *p)
{
	p->sslctx = SSL_CTX_new(TLS_client_method());
	if (!p->sslctx)
		return sf_ctx_fail(p->ctx, SF_ETLS, "cannot set up TLS");
	/* observe an old peer rather than refuse it; the rules judge */
	SSL_CTX_set_security_level(p->sslctx, 0);
	if (!SSL_CTX_set_cipher_list(p->sslctx, "DEFAULT:@SECLEVEL=0") ||
	    !SSL_CTX_set_min_proto_version(p->sslctx, TLS1_VERSION)) {
		ERR_clear_error();
		return sf_ctx_fail(p->ctx, SF_ETLS, "cannot set up TLS");
	}
	if (p->ctx->profile == SF_PROFILE_DR)
		SSL_CTX_set_max_proto_version(p->sslctx, TLS1_2_VERSION);
	SSL_CTX_set_options(p->sslctx, SSL_OP_LEGACY_SERVER_CONNECT);
	SSL_CTX_set_session_cache_mode(p->sslctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(p->sslctx, SSL_VERIFY_NONE, NULL);
	return SF_OK;
}

static int is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* "HOST", "HOST:PORT", "[V6]:PORT", "V6".  Returns 0 or -1. */
static int parse_target(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *h = s, *ps = NULL;
	size_t hn;
	char *end;
	long v;

	*port = 5061;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			return -1;
		h = s + 1;
		hn = (size_t)(rb - h);
		if (rb[1] == ':')
			ps = rb + 2;
		else if (rb[1] != '\0')
			return -1;
	} else if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
		hn = strlen(s); /* a bare IPv6 address */
	} else {
		const char *colon = strchr(s, ':');

		hn = colon ? (size_t)(colon - s) : strlen(s);
		ps = colon ? colon + 1 : NULL;
	}
	if (hn == 0 || hn >= hostlen)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (ps) {
		errno = 0;
		v = strtol(ps, &end, 10);
		if (errno || end == ps || *end || v < 1 || v > 65535)
			return -1;
		*port = (uint16_t)v;
	}
	if (is_ip_literal(host))
		return 0;
	{
		char norm[256];

		if (sf_name_norm(host, norm, sizeof(norm)) < 0 || strcmp(norm, ".") == 0 ||
		    strchr(norm, '*'))
			return -1;
		snprintf(host, hostlen, "%s", norm);
	}
	return 0;
}

static int add_attempt(sf_probe_result *r, const char *target, uint16_t port, const char *addr,
		       const char *error)
{
	sf_probe_attempt *v = realloc(r->attempts, (r->n_attempts + 1) * sizeof(*v));

	if (!v)
		return -1;
	r->attempts = v;
	v += r->n_attempts++;
	memset(v, 0, sizeof(*v));
	v->target = sf_strdup(target);
	v->port = port;
	v->address = addr ? sf_strdup(addr) : NULL;
	v->error = sf_strdup(error);
	return 0;
}

static void run_loop(struct probe *p)
{
	while (p->live > 0)
		if (event_base_loop(p->base, EVLOOP_ONCE) < 0)
			break;
}

/*
 * Single mode at one address: returns 1 when the TCP connection failed (the
 * caller tries the next address), 0 otherwise.
 */
static int probe_address(struct probe *p, const char *host, uint16_t port, const char *addr)
{
	sf_probe_result *r = p->r;
	struct conn *c = &p->conns[0];
	enum conn_fail f;

	p->next = p->done_req = 0;
	p->live = 0;
	if (conn_start(p, c, addr, port) != SF_OK) {
		conn_close(c);
		p->nomem = 1;
		return 0;
	}
	run_loop(p);
	f = c->fail;
	if (f == CF_TCP) {
		if (add_attempt(r, host, port, addr, c->err) < 0)
			p->nomem = 1;
		return 1;
	}
	if (f == CF_TLS) {
		r->stopped_at = SF_PROBE_STOP_TLS;
		r->alert = c->alert;
		r->alert_name = c->alert >= 0 ? alert_name(c->alert) : NULL;
		r->tls_error = sf_strdup(c->err);
		r->stop_reason = sf_strdup(c->err);
		if (!r->tls_done)
			r->client_cert_requested = c->cert_requested;
	} else if (f == CF_CLOSED) {
		r->stopped_at = SF_PROBE_STOP_CLOSED;
		r->stop_reason = sf_strdup(c->err);
	}
	for (size_t i = 0; i < r->n_replies && r->stopped_at == SF_PROBE_ANSWERED; i++)
		if (r->replies[i].status == 0) {
			r->stopped_at = SF_PROBE_STOP_NO_ANSWER;
			r->stop_reason = sf_strdup(r->replies[i].error);
		}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Load mode at one address. */
static void probe_load(struct probe *p, uint16_t port, const char *addr)
{
	sf_probe_load *ld = &p->r->load;

	p->next = p->done_req = 0;
	p->live = 0;
	p->t0 = now_us();
	for (unsigned i = 0; i < p->n_conns; i++)
		if (conn_start(p, &p->conns[i], addr, port) != SF_OK) {
			conn_close(&p->conns[i]);
			p->conns[i].phase = PH_DEAD;
			p->nomem = 1;
			break;
		}
	p->t_end = 0;
	run_loop(p);
	if (!p->t_end)
		p->t_end = now_us();
	/* requests never sent because every connection failed */
	ld->elapsed_s = (double)(p->t_end - p->t0) / 1e6;
	ld->rate = ld->elapsed_s > 0 ? (double)ld->answered / ld->elapsed_s : 0;
	if (p->n_lat > 0) {
		qsort(p->lat, p->n_lat, sizeof(*p->lat), cmp_double);
		ld->p50_ms = p->lat[(p->n_lat - 1) / 2];
		ld->p99_ms = p->lat[(size_t)((double)(p->n_lat - 1) * 0.99)];
		ld->max_ms = p->lat[p->n_lat - 1];
	}
	if (ld->connected == 0) {
		p->r->stopped_at = p->conns[0].fail == CF_TCP ? SF_PROBE_STOP_CONNECT
							      : SF_PROBE_STOP_TLS;
		p->r->stop_reason = sf_strdup(ld->first_error ? ld->first_error : "no connection");
		p->r->alert = p->conns[0].alert;
		p->r->alert_name = p->r->alert >= 0 ? alert_name(p->r->alert) : NULL;
	} else if (ld->answered < p->total) {
		p->r->stopped_at = ld->failed > 0 ? SF_PROBE_STOP_NO_ANSWER : SF_PROBE_STOP_CLOSED;
		p->r->stop_reason = sf_strdup(ld->first_error ? ld->first_error
					      : "requests were left unanswered");
	}
}

/* The candidates: (host, port) in the order an Edge tries them. */
struct cand {
	char host[256];
	uint16_t port;
	uint16_t priority, weight;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->weight > y->weight ? -1 : x->weight < y->weight;
}

static sf_status resolve_srv(struct probe *p, struct cand **out, size_t *n_out)
{
	sf_probe_result *r = p->r;
	sf_lookup l;
	sf_status st = SF_OK;
	int more;

	*out = NULL;
	*n_out = 0;
	memset(&l, 0, sizeof(l));
	sf_lookup_init(&l, SF_T_SRV, "_sipfederationtls._tcp", r->domain);
	do {
		sf_dns_query q;

		memset(&q, 0, sizeof(q));
		q.name = l.cur;
		q.type = l.type;
		st = sf_dns_resolve(p->ctx->dns, &q, 1);
		more = st == SF_OK ? sf_lookup_absorb(&l, &q) : 0;
		sf_dns_query_release(&q);
		if (more < 0)
			st = SF_ENOMEM;
	} while (st == SF_OK && more == 1);
	if (st != SF_OK)
		goto out;
	if (l.n_rr == 0) {
		int definite = l.final == SF_DNS_NOERROR || l.final == SF_DNS_NXDOMAIN;

		r->stopped_at = SF_PROBE_STOP_DNS;
		r->stop_reason = sf_aprintf("no SRV record _sipfederationtls._tcp.%s (%s)%s",
					    r->domain, sf_dns_rcode_name(l.final),
					    definite ? ": an Edge answers 504 with ms-diagnostics "
					    "1008 (DNS-001; run sipfed check)" : "");
		p->dns_definite = definite;
		goto out;
	}
	*out = calloc(l.n_rr, sizeof(**out));
	if (!*out) {
		st = SF_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l.n_rr; i++) {
		struct cand *c = &(*out)[*n_out];

		if (!l.rr[i].data)
			continue;
		snprintf(c->host, sizeof(c->host), "%s", l.rr[i].data);
		c->port = l.rr[i].port;
		c->priority = l.rr[i].priority;
		c->weight = l.rr[i].weight;
		(*n_out)++;
	}
	qsort(*out, *n_out, sizeof(**out), cmp_cand);
out:
	sf_lookup_release(&l);
	return st;
}

static sf_status setup_from(struct probe *p, const sf_probe_options *opt)
{
	sf_ctx *ctx = p->ctx;
	size_t n = opt->n_from ? opt->n_from : 1;
	char norm[256];

	if (opt->n_from > SF_PROBE_MAX_FROM)
		return sf_ctx_fail(ctx, SF_EINVAL, "at most %d From domains", SF_PROBE_MAX_FROM);
	p->from = calloc(n, sizeof(*p->from));
	if (!p->from)
		return SF_ENOMEM;
	p->n_from = n;
	for (size_t i = 0; i < opt->n_from; i++) {
		if (sf_name_norm(opt->from[i], norm, sizeof(norm)) < 0 || strcmp(norm, ".") == 0 ||
		    strchr(norm, '*'))
			return sf_ctx_fail(ctx, SF_EINVAL, "invalid From domain '%s'", opt->from[i]);
		if (!(p->from[i] = sf_strdup(norm)))
			return SF_ENOMEM;
	}
	if (opt->n_from == 0) {
		const char *cn = p->r->cert_name;
		const char *dot = cn ? strchr(cn, '.') : NULL;

		if (!dot || !strchr(dot + 1, '.') || cn[0] == '*' ||
		    sf_name_norm(dot + 1, norm, sizeof(norm)) < 0)
			return sf_ctx_fail(ctx, SF_EINVAL, "cannot take a From domain from the "
					   "certificate's name '%s' (its first SAN, else CN, minus "
					   "the first label): give --from DOMAIN",
					   cn ? cn : "(none)");
		if (!(p->from[0] = sf_strdup(norm)))
			return SF_ENOMEM;
	}
	if (p->r->cert_name && sf_name_norm(p->r->cert_name, norm, sizeof(norm)) == 0 &&
	    !strchr(norm, '*'))
		snprintf(p->contact_host, sizeof(p->contact_host), "%s", norm);
	return SF_OK;
}

sf_status sf_probe_run(sf_ctx *ctx, const sf_probe_options *opt, sf_probe_result **out_result)
{
	struct probe p;
	sf_probe_result *r;
	struct cand *cands = NULL;
	size_t n_cands = 0;
	sf_status st;
	char norm[256];
	int reached_address = 0;

	*out_result = NULL;
	if (!ctx)
		return SF_EINVAL;
	if (!opt || !opt->domain || !opt->cert_file)
		return sf_ctx_fail(ctx, SF_EINVAL, "a probe needs a domain and a certificate");
	if (sf_name_norm(opt->domain, norm, sizeof(norm)) < 0 || strcmp(norm, ".") == 0 ||
	    strchr(norm, '*'))
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid domain '%s'", opt->domain);
	if (!ctx->dns && !opt->target)
		return sf_ctx_fail(ctx, SF_EINVAL, "the context has no DNS source");
	if (opt->count > SF_PROBE_MAX_COUNT || opt->connections > SF_PROBE_MAX_CONNECTIONS)
		return sf_ctx_fail(ctx, SF_EINVAL, "at most %u requests over %u connections",
				   SF_PROBE_MAX_COUNT, SF_PROBE_MAX_CONNECTIONS);
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	r = p.r = calloc(1, sizeof(*r));
	if (!r)
		return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	r->alert = -1;
	r->server_name_match = -1;
	r->server_trusted = -1;
	r->profile = ctx->profile;
	r->domain = sf_strdup(norm);
	st = make_sslctx(&p);
	if (st == SF_OK)
		st = load_identity(&p, opt);
	if (st == SF_OK)
		st = setup_from(&p, opt);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	p.single = opt->count == 0;
	r->load_mode = !p.single;
	p.total = p.single ? p.n_from : opt->count;
	p.n_conns = p.single ? 1 : (opt->connections ? opt->connections : 1);
	if (!p.single && p.n_conns > p.total)
		p.n_conns = (unsigned)p.total;
	r->load.connections = p.n_conns;
	p.conns = calloc(p.n_conns, sizeof(*p.conns));
	p.base = event_base_new();
	if (!r->domain || !p.conns || !p.base)
		goto out;
	if (p.single) {
		r->replies = calloc(p.n_from, sizeof(*r->replies));
		if (!r->replies)
			goto out;
		r->n_replies = p.n_from;
		for (size_t i = 0; i < p.n_from; i++) {
			r->replies[i].ms_code = -1;
			if (!(r->replies[i].from = sf_strdup(p.from[i])))
				goto out;
		}
	} else {
		p.lat = malloc((size_t)p.total * sizeof(*p.lat));
		if (!p.lat)
			goto out;
	}

	if (opt->target) {
		n_cands = 1;
		cands = calloc(1, sizeof(*cands));
		if (!cands)
			goto out;
		if (parse_target(opt->target, cands[0].host, sizeof(cands[0].host),
				 &cands[0].port) < 0) {
			st = sf_ctx_fail(ctx, SF_EINVAL, "invalid --target '%s': expected "
					 "HOST[:PORT]", opt->target);
			goto out;
		}
	} else {
		r->dns_source = sf_strdup(ctx->dns_desc);
		st = resolve_srv(&p, &cands, &n_cands);
		if (st != SF_OK)
			goto out;
		st = SF_ENOMEM;
	}

	for (size_t i = 0; i < n_cands && r->stopped_at == SF_PROBE_ANSWERED; i++) {
		struct cand *c = &cands[i];
		sf_strv addrs = { 0 };
		sf_dns_rcode rc = SF_DNS_NOERROR;
		int go_on = 1;

		free(r->target);
		r->target = sf_strdup(c->host);
		r->port = c->port;
		if (strcmp(c->host, ".") == 0) {
			if (add_attempt(r, c->host, c->port, NULL, "the SRV target is '.': no "
					"service") < 0)
				goto out;
			continue;
		}
		if (is_ip_literal(c->host)) {
			p.host[0] = '\0';
			if (sf_strv_push(&addrs, c->host))
				goto out;
		} else {
			snprintf(p.host, sizeof(p.host), "%s", c->host);
			if (sf_collect_addrs(ctx, c->host, &addrs, &rc, NULL) != SF_OK)
				goto out;
		}
		if (addrs.n == 0) {
			char *e = sf_aprintf("no A or AAAA record for %s (%s)", c->host,
					     sf_dns_rcode_name(rc));

			if (!e || add_attempt(r, c->host, c->port, NULL, e) < 0) {
				free(e);
				goto out;
			}
			free(e);
		}
		for (size_t k = 0; k < addrs.n && go_on; k++) {
			reached_address = 1;
			free(r->address);
			r->address = sf_strdup(addrs.v[k]);
			if (p.single) {
				go_on = probe_address(&p, c->host, c->port, addrs.v[k]);
			} else {
				probe_load(&p, c->port, addrs.v[k]);
				go_on = r->stopped_at == SF_PROBE_STOP_CONNECT;
				if (go_on) {
					if (add_attempt(r, c->host, c->port, addrs.v[k],
							r->stop_reason) < 0)
						p.nomem = 1;
					free(r->stop_reason);
					r->stop_reason = NULL;
					r->stopped_at = SF_PROBE_ANSWERED;
					memset(&r->load, 0, sizeof(r->load));
					r->load.connections = p.n_conns;
					p.n_lat = 0;
				}
			}
			if (p.nomem) {
				sf_strv_release(&addrs);
				goto out;
			}
			if (!go_on)
				break;
		}
		sf_strv_release(&addrs);
		if (!go_on)
			break;
	}
	if (r->stopped_at == SF_PROBE_ANSWERED && r->tls_done == 0 &&
	    (!r->load_mode || r->load.connected == 0)) {
		/* nothing connected: say where every candidate stopped */
		if (n_cands > 0) {
			r->stopped_at = reached_address ? SF_PROBE_STOP_CONNECT : SF_PROBE_STOP_DNS;
			p.dns_definite = !reached_address;
			if (r->n_attempts > 0)
				r->stop_reason = sf_strdup(r->attempts[r->n_attempts - 1].error);
			else
				r->stop_reason = sf_strdup("no target to connect to");
		}
	}
	if (r->stopped_at == SF_PROBE_STOP_DNS)
		r->dns_fail_definite = p.dns_definite;
	for (size_t i = 0; i < r->n_replies; i++)
		if (r->replies[i].status == 0 && !r->replies[i].error &&
		    !(r->replies[i].error = sf_strdup(r->stop_reason ? r->stop_reason
						      : "not sent")))
			goto out;
	st = SF_OK;
out:
	if (st == SF_ENOMEM || (st == SF_OK && p.nomem)) {
		st = sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	}
	if (st == SF_OK) {
		*out_result = r;
		r = NULL;
	}
	for (unsigned i = 0; p.conns && i < p.n_conns; i++)
		conn_close(&p.conns[i]);
	free(p.conns);
	if (p.base)
		event_base_free(p.base);
	SSL_CTX_free(p.sslctx);
	for (size_t i = 0; p.from && i < p.n_from; i++)
		free(p.from[i]);
	free(p.from);
	free(p.lat);
	free(cands);
	sf_probe_result_free(r);
	return st;
}

sf_verdict sf_probe_verdict(const sf_probe_result *r)
{
	int fail = 0;

	if (!r)
		return SF_VERDICT_ERROR;
	switch (r->stopped_at) {
	case SF_PROBE_STOP_CONNECT:
		return SF_VERDICT_ERROR;
	case SF_PROBE_STOP_DNS:
		if (!r->dns_fail_definite)
			return SF_VERDICT_ERROR;
		fail = 1;
		break;
	case SF_PROBE_ANSWERED:
		break;
	default:
		fail = 1;
	}
	if (sf_findings_max(&r->server_findings) == SF_SEV_ERROR)
		fail = 1;
	if (r->load_mode) {
		if (r->load.ok < r->load.sent || r->load.sent == 0)
			fail = 1;
	} else {
		for (size_t i = 0; i < r->n_replies; i++)
			if (r->replies[i].status < 200 || r->replies[i].status >= 300)
				fail = 1;
	}
	if (fail)
		return SF_VERDICT_FAIL;
	return sf_findings_max(&r->server_findings) == SF_SEV_WARN ? SF_VERDICT_WARN
								    : SF_VERDICT_PASS;
}

void sf_probe_result_free(sf_probe_result *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->dns_source);
	free(r->target);
	free(r->address);
	for (size_t i = 0; i < r->n_attempts; i++) {
		free(r->attempts[i].target);
		free(r->attempts[i].address);
		free(r->attempts[i].error);
	}
	free(r->attempts);
	free(r->cert_name);
	free(r->tls_version);
	free(r->tls_cipher);
	free(r->tls_error);
	free(r->server_subject);
	free(r->server_issuer);
	for (size_t i = 0; i < r->n_server_san; i++)
		free(r->server_san[i]);
	free(r->server_san);
	sf_findings_release(&r->server_findings);
	for (size_t i = 0; i < r->n_replies; i++) {
		sf_probe_reply *rep = &r->replies[i];

		free(rep->from);
		free(rep->call_id);
		free(rep->reason);
		free(rep->server);
		free(rep->ms_header);
		free(rep->ms_reason);
		for (size_t k = 0; k < rep->n_ms_attrs; k++) {
			free(rep->ms_attrs[k].key);
			free(rep->ms_attrs[k].value);
		}
		free(rep->ms_attrs);
		for (size_t k = 0; k < rep->n_checks; k++)
			free(rep->checks[k]);
		free(rep->checks);
		free(rep->cause);
		free(rep->fix);
		free(rep->error);
	}
	free(r->replies);
	free(r->stop_reason);
	free(r->load.first_error);
	free(r);
}
