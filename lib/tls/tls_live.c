/*
 * Live TLS source: TCP connect to an SRV target's address and port, then a
 * TLS client handshake with OpenSSL, to observe what the Edge would see:
 * the protocol version, the chain presented with SNI and without it
 * (TLS-003), and whether the server asks for a client certificate and
 * names CAs (TLS-004).
 *
 * Nothing is verified here (SSL_VERIFY_NONE): the rules verify the chain
 * later with their own trust store, and a handshake that refused a bad
 * chain would hide the very facts we report.  For the same reason the
 * context accepts everything down to TLS 1.0 at security level 0: an old
 * server must be observed and reported (TLS-001), not just "fail".  No
 * application data is ever sent.
 *
 * Every socket is non-blocking and driven by a libevent loop (a run's, or
 * one of its own for the blocking fetch); connect and handshake each have
 * the source's timeout as a deadline (a server that trickles bytes cannot
 * stretch it).  One handshake is one sf_tls_hs; a fetch is two of them,
 * with SNI and without.
 *
 * SIGPIPE: OpenSSL writes with write(2) through the fd we give it, so a
 * peer that closed the connection makes the write raise SIGPIPE.  The
 * library installs no signal handlers; the program must ignore SIGPIPE
 * (the CLI does, and so does tests/unit/test_tls.c).
 *
 * The SSL_CTX is only read after sf_tls_live_new(); each handshake has its
 * own SSL object.
 */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls.h"

#define SF_LIVE_DEFAULT_TIMEOUT_MS 5000
#define SF_LIVE_MSG_MAX 512

typedef struct sf_tls_live {
	sf_tls_source base;
	SSL_CTX *ctx;
	int timeout_ms;
} sf_tls_live;

/* One TCP connection and its TLS handshake, driven by a libevent loop. */
struct sf_tls_hs {
	const sf_tls_live *l;
	struct event_base *base;
	struct event *ev;   /* the socket (or the immediate failure) with the phase's deadline */
	int fd;
	SSL *ssl;
	int phase;          /* 0 connecting, 1 handshaking, 2 failed in start() */
	int64_t deadline;   /* of the phase (CLOCK_MONOTONIC ms) */
	int cert_requested; /* set by client_cert_cb */
	int nomem;
	char sni[256];      /* "" = none */
	char peer[80];
	char msg[SF_LIVE_MSG_MAX]; /* the failure */
	sf_tls_done_fn done;
	void *arg;
	sf_tls_facts f;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "192.0.2.1:5061" or "[2001:db8::1]:5061" into @buf. */
static void fmt_peer(char *buf, size_t len, const char *addr, uint16_t port)
{
	if (strchr(addr, ':'))
		snprintf(buf, len, "[%s]:%u", addr, (unsigned)port);
	else
		snprintf(buf, len, "%s:%u", addr, (unsigned)port);
}

/*
 * Called by OpenSSL only when the server sent a CertificateRequest
 * (RFC 8446 §4.3.2, RFC 5246 §7.4.4).  Records that and sends no
 * certificate (returns 0).
 */
static int client_cert_cb(SSL *ssl, X509 **out_x509, EVP_PKEY **out_pkey)
{
	sf_tls_hs *hs = SSL_get_app_data(ssl);

	if (hs)
		hs->cert_requested = 1;
	return 0;
}

/*
 * Describes a failed handshake from the OpenSSL error queue (and empties
 * it): the first error's text, and whether the server sent an alert
 * (OpenSSL reports a received alert as reason SSL_AD_REASON_OFFSET + the
 * alert number, RFC 8446 §6).
 */
static void describe_failure(sf_tls_hs *s, const char *peer, int ssl_err, int sys_errno)
{
	char text[256] = "";
	char alert[96] = "";
	unsigned long e;
	int i;

	/* The queue holds at most ERR_NUM_ERRORS (16) entries. */
	for (i = 0; i < 64 && (e = ERR_get_error()) != 0; i++) {
		int reason = ERR_GET_REASON(e);

		if (text[0] == '\0')
			ERR_error_string_n(e, text, sizeof(text));
		if (alert[0] == '\0' && ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
			int desc = reason - SSL_AD_REASON_OFFSET;

			snprintf(alert, sizeof(alert), " (the server sent the alert '%s', %d)",
				 SSL_alert_desc_string_long(desc), desc);
		}
	}
	if (text[0] == '\0') {
		if (ssl_err == SSL_ERROR_SYSCALL && sys_errno != 0)
			snprintf(text, sizeof(text), "%s", strerror(sys_errno));
		else if (ssl_err == SSL_ERROR_SYSCALL || ssl_err == SSL_ERROR_ZERO_RETURN)
			snprintf(text, sizeof(text), "connection closed by the server");
		else
			snprintf(text, sizeof(text), "SSL_get_error() = %d", ssl_err);
	}
	s->f.state = SF_TLS_HANDSHAKE_FAILED;
	snprintf(s->msg, sizeof(s->msg), "TLS handshake with %s failed: %s%s%s", peer, text,
		 alert, s->cert_requested ? "; the server had requested a client certificate"
		 " and none was sent" : "");
}

/* One DN as an RFC 2253 string (non-ASCII escaped), malloc'd; NULL if OOM. */
static char *dn_text(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *res = NULL;
	long n;

	if (!b)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0)
		goto out;
	n = BIO_get_mem_data(b, &data);
	if (n < 0 || (n > 0 && !data))
		goto out;
	res = malloc((size_t)n + 1);
	if (!res)
		goto out;
	if (n > 0)
		memcpy(res, data, (size_t)n);
	res[n] = '\0';
out:
	BIO_free(b);
	return res;
}

/*
 * Fills out->client_ca from the CA names of the server's CertificateRequest
 * (RFC 5246 §7.4.4 certificate_authorities, RFC 8446 §4.2.4).  Returns 0,
 * or -1 if out of memory.
 */
static int copy_client_ca(SSL *ssl, sf_tls_facts *out)
{
	const STACK_OF(X509_NAME) *names = SSL_get0_peer_CA_list(ssl);
	int i, n = sk_X509_NAME_num(names);

	if (n <= 0)
		return 0;
	out->client_ca = calloc((size_t)n, sizeof(*out->client_ca));
	if (!out->client_ca)
		return -1;
	for (i = 0; i < n; i++) {
		char *dn = dn_text(sk_X509_NAME_value(names, i));

		if (!dn)
			return -1;
		out->client_ca[out->n_client_ca++] = dn;
	}
	return 0;
}

/* Finishes @hs: closes it, hands its facts to the caller, frees it. */
static void hs_finish(sf_tls_hs *hs)
{
	sf_status st = SF_OK;

	if (hs->f.state != SF_TLS_OK && !hs->f.error && !(hs->f.error = strdup(hs->msg)))
		st = SF_ENOMEM;
	SSL_free(hs->ssl);
	hs->ssl = NULL;
	if (hs->fd >= 0)
		close(hs->fd);
	hs->fd = -1;
	if (hs->ev)
		event_free(hs->ev);
	hs->ev = NULL;
	hs->done(hs->arg, &hs->f, st);
	sf_tls_facts_release(&hs->f);
	free(hs);
}

/* What a successful handshake shows: version, suite, chain. */
static void hs_collect(sf_tls_hs *hs)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(hs->ssl);
	const char *cn = c ? SSL_CIPHER_standard_name(c) : NULL;
	const char *v = SSL_get_version(hs->ssl);

	if (c && !cn)
		cn = SSL_CIPHER_get_name(c);
	hs->f.client_cert_observed = 1;
	if (!(hs->f.version = strdup(v ? v : "unknown")) || (cn && !(hs->f.cipher = strdup(cn))) ||
	    !(hs->f.chain = sf_tls_peer_chain(hs->ssl)))
		hs->nomem = 1;
}

static void hs_wait(sf_tls_hs *hs, short what);

/* Drives the handshake one step; finishes @hs when it is over. */
static void hs_step(sf_tls_hs *hs)
{
	int r, e, sys_errno;

	/* SSL_get_error() needs an empty queue before the I/O call. */
	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(hs->ssl);
	sys_errno = errno;
	if (r == 1) {
		hs->f.state = SF_TLS_OK;
		hs_collect(hs);
	} else {
		e = SSL_get_error(hs->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			hs_wait(hs, EV_READ);
			return;
		}
		if (e == SSL_ERROR_WANT_WRITE) {
			hs_wait(hs, EV_WRITE);
			return;
		}
		describe_failure(hs, hs->peer, e, sys_errno);
	}
	ERR_clear_error();
	/* A server that asked for a client certificate (also before failing: TLS-004). */
	if (hs->cert_requested) {
		hs->f.client_cert_observed = 1;
		hs->f.client_cert_requested = 1;
		if (copy_client_ca(hs->ssl, &hs->f) != 0)
			hs->nomem = 1;
	}
	if (hs->nomem) {
		sf_tls_facts_release(&hs->f);
		hs->f.state = SF_TLS_HANDSHAKE_FAILED;
		snprintf(hs->msg, sizeof(hs->msg), "out of memory");
	}
	hs_finish(hs);
}

static void hs_connected(sf_tls_hs *hs)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(hs->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	if (soerr != 0) {
		hs->f.state = SF_TLS_CONNECT_FAILED;
		snprintf(hs->msg, sizeof(hs->msg), "connect to %s: %s", hs->peer, strerror(soerr));
		hs_finish(hs);
		return;
	}
	hs->ssl = SSL_new(hs->l->ctx);
	if (!hs->ssl || !SSL_set_fd(hs->ssl, hs->fd) || !SSL_set_app_data(hs->ssl, hs) ||
	    (hs->sni[0] && !SSL_set_tlsext_host_name(hs->ssl, hs->sni))) {
		ERR_clear_error();
		hs->f.state = SF_TLS_HANDSHAKE_FAILED;
		snprintf(hs->msg, sizeof(hs->msg), "cannot set up TLS with %s", hs->peer);
		hs_finish(hs);
		return;
	}
	SSL_set_connect_state(hs->ssl);
	hs->phase = 1;
	hs->deadline = now_ms() + hs->l->timeout_ms;
	hs_step(hs);
}

static void on_hs_event(evutil_socket_t fd, short what, void *arg)
{
	sf_tls_hs *hs = arg;

	(void)fd;
	if (hs->phase == 2) {
		hs_finish(hs); /* failed at once in start() */
		return;
	}
	if ((what & EV_TIMEOUT) && !(what & (EV_READ | EV_WRITE))) {
		if (hs->phase == 0) {
			hs->f.state = SF_TLS_CONNECT_FAILED;
			snprintf(hs->msg, sizeof(hs->msg), "connect to %s: timed out after %d ms",
				 hs->peer, hs->l->timeout_ms);
		} else {
			hs->f.state = SF_TLS_HANDSHAKE_FAILED;
			snprintf(hs->msg, sizeof(hs->msg), "TLS handshake with %s: timed out after"
				 " %d ms", hs->peer, hs->l->timeout_ms);
		}
		hs_finish(hs);
		return;
	}
	if (hs->phase == 0)
		hs_connected(hs);
	else
		hs_step(hs);
}

/* Waits for @what on the socket until the phase's deadline. */
static void hs_wait(sf_tls_hs *hs, short what)
{
	int64_t left = hs->deadline - now_ms();
	struct timeval tv;

	if (left < 0)
		left = 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	if (hs->ev)
		event_free(hs->ev);
	hs->ev = event_new(hs->base, hs->fd, what, on_hs_event, hs);
	if (!hs->ev || event_add(hs->ev, &tv) != 0) {
		hs->f.state = hs->phase == 0 ? SF_TLS_CONNECT_FAILED : SF_TLS_HANDSHAKE_FAILED;
		snprintf(hs->msg, sizeof(hs->msg), "out of memory");
		if (hs->ev)
			event_free(hs->ev);
		hs->ev = NULL;
		hs_finish(hs);
	}
}

/* Contract in tls.h (struct sf_tls_ops). */
static sf_status live_start(sf_tls_source *src, struct event_base *base, const char *sni,
			    const char *addr, uint16_t port, sf_tls_done_fn done, void *arg,
			    sf_tls_hs **out_hs)
{
	const sf_tls_live *l = (const sf_tls_live *)src;
	struct addrinfo hints, *res = NULL;
	char service[8];
	sf_tls_hs *hs;
	int r, e;

	*out_hs = NULL;
	if (!addr || (sni && strlen(sni) >= sizeof(hs->sni)))
		return SF_EINVAL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(addr, service, &hints, &res) != 0 || !res)
		return SF_EINVAL;
	hs = calloc(1, sizeof(*hs));
	if (!hs) {
		freeaddrinfo(res);
		return SF_ENOMEM;
	}
	hs->l = l;
	hs->base = base;
	hs->done = done;
	hs->arg = arg;
	snprintf(hs->sni, sizeof(hs->sni), "%s", sni ? sni : "");
	fmt_peer(hs->peer, sizeof(hs->peer), addr, port);
	hs->deadline = now_ms() + l->timeout_ms;
	hs->fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r = hs->fd < 0 ? -1 : connect(hs->fd, res->ai_addr, res->ai_addrlen);
	e = errno;
	freeaddrinfo(res);
	if (hs->fd >= 0 && (r == 0 || e == EINPROGRESS)) {
		hs_wait(hs, EV_WRITE);
	} else {
		/* Refused at once, or no socket: reported from the loop as any failure. */
		hs->f.state = SF_TLS_CONNECT_FAILED;
		snprintf(hs->msg, sizeof(hs->msg), "connect to %s: %s", hs->peer, strerror(e));
		hs->phase = 2;
		hs->ev = evtimer_new(base, on_hs_event, hs);
		if (!hs->ev) {
			if (hs->fd >= 0)
				close(hs->fd);
			free(hs);
			return SF_ENOMEM;
		}
		event_active(hs->ev, EV_TIMEOUT, 0);
	}
	*out_hs = hs;
	return SF_OK;
}

static void live_cancel(sf_tls_hs *hs)
{
	if (!hs)
		return;
	SSL_free(hs->ssl);
	if (hs->fd >= 0)
		close(hs->fd);
	if (hs->ev)
		event_free(hs->ev);
	sf_tls_facts_release(&hs->f);
	free(hs);
}

struct sync_one {
	sf_tls_facts f;
	int done;
	sf_status st;
};

static void sync_done(void *arg, sf_tls_facts *f, sf_status st)
{
	struct sync_one *o = arg;

	o->f = *f; /* take it */
	memset(f, 0, sizeof(*f));
	o->st = st;
	o->done = 1;
}

/* One handshake on a loop of its own. */
static sf_status sync_handshake(sf_tls_source *src, const char *sni, const char *addr,
				uint16_t port, struct sync_one *o)
{
	struct event_base *base = event_base_new();
	sf_tls_hs *hs;
	sf_status st;

	memset(o, 0, sizeof(*o));
	if (!base)
		return SF_ENOMEM;
	st = live_start(src, base, sni, addr, port, sync_done, o, &hs);
	while (st == SF_OK && !o->done)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			st = SF_EINTERNAL;
	if (st == SF_OK)
		st = o->st;
	event_base_free(base);
	return st;
}

/*
 * Contract in tls.h (struct sf_tls_ops): the blocking form, the same
 * handshakes on a loop of their own: with @host as SNI, then, if that one
 * succeeded, without SNI (TLS-003).  On SF_TLS_HANDSHAKE_FAILED the client
 * certificate facts are filled in too when the server asked for one before
 * failing (a TLS 1.2 server that requires a client certificate fails the
 * handshake that way).  *out is all zero unless SF_OK.
 */
static sf_status live_fetch(sf_tls_source *src, const char *host, const char *addr,
			    uint16_t port, sf_tls_facts *out, char *err, size_t errlen)
{
	struct sync_one a, b;
	sf_status st;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	if (!host || !addr) {
		snprintf(err, errlen, "live TLS needs a host name and an address");
		return SF_EINVAL;
	}
	st = sync_handshake(src, host, addr, port, &a);
	if (st == SF_EINVAL)
		snprintf(err, errlen, "invalid address '%s'", addr);
	if (st == SF_OK && a.f.state == SF_TLS_OK)
		st = sync_handshake(src, NULL, addr, port, &b);
	if (st == SF_OK)
		st = sf_tls_facts_merge(out, &a.f, a.f.state == SF_TLS_OK ? &b.f : NULL);
	if (st == SF_ENOMEM)
		snprintf(err, errlen, "out of memory");
	sf_tls_facts_release(&a.f);
	sf_tls_facts_release(&b.f);
	return st;
}

static void live_free(sf_tls_source *src)
{
	sf_tls_live *l = (sf_tls_live *)src;

	if (!l)
		return;
	SSL_CTX_free(l->ctx);
	free(l);
}

static const struct sf_tls_ops live_ops = {
	.fetch = live_fetch,
	.start = live_start,
	.cancel = live_cancel,
	.free = live_free,
};

/* Contract in tls.h.  Only for a source made by sf_tls_live_new(). */
sf_status sf_tls_live_set_max_version(sf_tls_source *src, int version)
{
	sf_tls_live *l = (sf_tls_live *)src;
	sf_status st = SF_OK;

	if (!src || src->ops != &live_ops)
		return SF_EINVAL;
	if (!SSL_CTX_set_max_proto_version(l->ctx, version))
		st = SF_ETLS;
	ERR_clear_error();
	return st;
}

/*
 * Contract in tls.h.  @timeout_ms applies to the connect and to the
 * handshake separately; 0 means 5000.  Returns SF_EINVAL if negative,
 * SF_ETLS if OpenSSL refuses the settings, SF_ENOMEM.
 */
sf_status sf_tls_live_new(int timeout_ms, sf_tls_source **out_src)
{
	sf_tls_live *l = NULL;
	sf_status st = SF_ENOMEM;

	*out_src = NULL;
	if (timeout_ms < 0) {
		st = SF_EINVAL;
		goto out;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		goto out;
	l->base.ops = &live_ops;
	l->timeout_ms = timeout_ms ? timeout_ms : SF_LIVE_DEFAULT_TIMEOUT_MS;
	l->ctx = SSL_CTX_new(TLS_client_method());
	if (!l->ctx)
		goto out;
	st = SF_ETLS;
	/* Observe old servers instead of refusing them (TLS-001, CERT-010). */
	SSL_CTX_set_security_level(l->ctx, 0);
	if (!SSL_CTX_set_cipher_list(l->ctx, "DEFAULT:@SECLEVEL=0") ||
	    !SSL_CTX_set_min_proto_version(l->ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_max_proto_version(l->ctx, TLS1_3_VERSION))
		goto out;
	/*
	 * RFC 5746: talk to servers without secure renegotiation too; we never
	 * renegotiate nor send data, so the attack it prevents cannot apply.
	 */
	SSL_CTX_set_options(l->ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	/* Every fetch must observe a full handshake: no session resumption. */
	SSL_CTX_set_session_cache_mode(l->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(l->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_client_cert_cb(l->ctx, client_cert_cb);
	*out_src = &l->base;
	l = NULL;
	st = SF_OK;
out:
	ERR_clear_error();
	live_free(l ? &l->base : NULL);
	return st;
}
