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
 * Every socket is non-blocking; connect and handshake each have the
 * source's timeout as a deadline (a server that trickles bytes cannot
 * stretch it), waited for with poll().
 *
 * SIGPIPE: OpenSSL writes with write(2) through the fd we give it, so a
 * peer that closed the connection makes the write raise SIGPIPE.  The
 * library installs no signal handlers; the program must ignore SIGPIPE
 * (the CLI does, and so does tests/unit/test_tls.c).
 *
 * A source may be used from several threads at once: the SSL_CTX is only
 * read after sf_tls_live_new(), and each fetch has its own SSL objects.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* One TCP connection and its TLS session. */
struct sess {
	int fd;
	SSL *ssl;
	int cert_requested; /* set by client_cert_cb */
	sf_tls_state state; /* SF_TLS_OK, or why not */
	char msg[SF_LIVE_MSG_MAX]; /* the failure, when state != SF_TLS_OK */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until @fd has one of @events or @deadline (CLOCK_MONOTONIC, ms)
 * passes.  Returns 1 if ready, 0 on timeout, -1 with errno on error.
 */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : (r > 0);
	}
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
	struct sess *s = SSL_get_app_data(ssl);

	if (s)
		s->cert_requested = 1;
	return 0;
}

/*
 * Opens a non-blocking TCP connection to @addr (numeric IPv4 or IPv6; no
 * name lookup) within the source's timeout.  Returns SF_OK with s->fd set,
 * or SF_OK with s->state = SF_TLS_CONNECT_FAILED and s->msg; SF_EINVAL if
 * @addr is not an address; SF_ENET if no socket could be created.
 */
static sf_status tcp_connect(const sf_tls_live *l, const char *addr, uint16_t port,
			     const char *peer, struct sess *s, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	socklen_t sl;
	sf_status st = SF_OK;
	int r, soerr = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(addr, service, &hints, &res) != 0 || !res) {
		snprintf(err, errlen, "invalid address '%s'", addr);
		st = SF_EINVAL;
		goto out;
	}
	s->fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
		st = SF_ENET;
		goto out;
	}
	r = connect(s->fd, res->ai_addr, res->ai_addrlen);
	if (r != 0 && errno != EINPROGRESS) {
		soerr = errno;
	} else if (r != 0) {
		r = wait_fd(s->fd, POLLOUT, now_ms() + l->timeout_ms);
		if (r == 0) {
			s->state = SF_TLS_CONNECT_FAILED;
			snprintf(s->msg, sizeof(s->msg), "connect to %s: timed out after %d ms",
				 peer, l->timeout_ms);
			goto out;
		}
		sl = sizeof(soerr);
		if (r < 0)
			soerr = errno;
		else if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
	}
	if (soerr != 0) {
		s->state = SF_TLS_CONNECT_FAILED;
		snprintf(s->msg, sizeof(s->msg), "connect to %s: %s", peer, strerror(soerr));
	}
out:
	if (res)
		freeaddrinfo(res);
	return st;
}

/*
 * Describes a failed handshake from the OpenSSL error queue (and empties
 * it): the first error's text, and whether the server sent an alert
 * (OpenSSL reports a received alert as reason SSL_AD_REASON_OFFSET + the
 * alert number, RFC 8446 §6).
 */
static void describe_failure(struct sess *s, const char *peer, int ssl_err, int sys_errno)
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
	s->state = SF_TLS_HANDSHAKE_FAILED;
	snprintf(s->msg, sizeof(s->msg), "TLS handshake with %s failed: %s%s%s", peer, text,
		 alert, s->cert_requested ? "; the server had requested a client certificate"
		 " and none was sent" : "");
}

/*
 * Connects and handshakes with @addr:@port, sending @sni as server name
 * (RFC 6066 §3) unless NULL.  On return s->state says how far it got; the
 * caller reads the session and then calls sess_close() in every case.
 * Returns SF_OK unless the arguments are bad or memory runs out.
 */
static sf_status sess_open(const sf_tls_live *l, const char *addr, uint16_t port,
			   const char *sni, struct sess *s, char *err, size_t errlen)
{
	char peer[320];
	int64_t deadline;
	sf_status st;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->state = SF_TLS_OK;
	fmt_peer(peer, sizeof(peer), addr, port);
	st = tcp_connect(l, addr, port, peer, s, err, errlen);
	if (st != SF_OK || s->state != SF_TLS_OK)
		goto out;

	s->ssl = SSL_new(l->ctx);
	if (!s->ssl || !SSL_set_fd(s->ssl, s->fd) || !SSL_set_app_data(s->ssl, s)) {
		snprintf(err, errlen, "out of memory");
		st = SF_ENOMEM;
		goto out;
	}
	if (sni && !SSL_set_tlsext_host_name(s->ssl, sni)) {
		snprintf(err, errlen, "cannot send '%s' as TLS server name", sni);
		st = SF_EINVAL;
		goto out;
	}
	SSL_set_connect_state(s->ssl);

	/* SSL_get_error() needs an empty queue before the I/O call. */
	ERR_clear_error();
	deadline = now_ms() + l->timeout_ms;
	for (;;) {
		int r, e, w, sys_errno;
		short ev;

		errno = 0;
		r = SSL_do_handshake(s->ssl);
		sys_errno = errno;
		if (r == 1)
			break;
		e = SSL_get_error(s->ssl, r);
		if (e == SSL_ERROR_WANT_READ) {
			ev = POLLIN;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			ev = POLLOUT;
		} else {
			describe_failure(s, peer, e, sys_errno);
			break;
		}
		w = wait_fd(s->fd, ev, deadline);
		if (w == 0) {
			s->state = SF_TLS_HANDSHAKE_FAILED;
			snprintf(s->msg, sizeof(s->msg), "TLS handshake with %s: timed out after"
				 " %d ms", peer, l->timeout_ms);
			break;
		}
		if (w < 0) {
			s->state = SF_TLS_HANDSHAKE_FAILED;
			snprintf(s->msg, sizeof(s->msg), "TLS handshake with %s failed: %s",
				 peer, strerror(errno));
			break;
		}
	}
out:
	ERR_clear_error();
	return st;
}

/* Frees the session and closes its socket (no close_notify is sent). */
static void sess_close(struct sess *s)
{
	SSL_free(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * Copies the chain the server sent, leaf first, each certificate once and
 * up-referenced.  On the client side OpenSSL's peer chain already starts
 * with the leaf (SSL_get_peer_cert_chain(3)); the leaf is added only if it
 * is missing.  Returns NULL if out of memory; an empty stack if the server
 * sent nothing.
 */
static STACK_OF(X509) *copy_chain(SSL *ssl)
{
	STACK_OF(X509) *peer = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = sk_X509_new_null();
	int i;

	if (!chain)
		return NULL;
	if (leaf && (sk_X509_num(peer) <= 0 || X509_cmp(sk_X509_value(peer, 0), leaf) != 0)) {
		if (!X509_up_ref(leaf))
			goto fail;
		if (!sk_X509_push(chain, leaf)) {
			X509_free(leaf);
			goto fail;
		}
	}
	for (i = 0; i < sk_X509_num(peer); i++) {
		X509 *x = sk_X509_value(peer, i);

		if (!X509_up_ref(x))
			goto fail;
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			goto fail;
		}
	}
	return chain;
fail:
	sk_X509_pop_free(chain, X509_free);
	return NULL;
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

/*
 * Contract in tls.h (struct sf_tls_ops).  Both @host and @addr are needed.
 * *out is overwritten (release it before reuse) and is all zero unless
 * SF_OK is returned.  On SF_TLS_OK: version, chain (never NULL), the client
 * certificate facts, and the result of a second handshake without SNI.  On
 * SF_TLS_HANDSHAKE_FAILED the client certificate facts are filled in too
 * when the server asked for one before failing (a TLS 1.2 server that
 * requires a client certificate fails the handshake that way).  Empties
 * the calling thread's OpenSSL error queue (SSL_get_error(3) needs that).
 */
static sf_status live_fetch(sf_tls_source *src, const char *host, const char *addr,
			    uint16_t port, sf_tls_facts *out, char *err, size_t errlen)
{
	const sf_tls_live *l = (const sf_tls_live *)src;
	struct sess s = { .fd = -1 }, s2 = { .fd = -1 };
	const char *v;
	sf_status st = SF_ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!host || !addr) {
		snprintf(err, errlen, "live TLS needs a host name and an address");
		st = SF_EINVAL;
		goto out;
	}
	st = sess_open(l, addr, port, host, &s, err, errlen);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	out->state = s.state;
	if (s.state != SF_TLS_OK && !(out->error = strdup(s.msg)))
		goto out;
	if (s.cert_requested) {
		out->client_cert_observed = 1;
		out->client_cert_requested = 1;
		if (copy_client_ca(s.ssl, out) != 0)
			goto out;
	}
	if (s.state != SF_TLS_OK) {
		st = SF_OK;
		goto out;
	}
	out->client_cert_observed = 1;
	v = SSL_get_version(s.ssl);
	if (!(out->version = strdup(v ? v : "unknown")))
		goto out;
	{
		const SSL_CIPHER *c = SSL_get_current_cipher(s.ssl);
		const char *cn = c ? SSL_CIPHER_standard_name(c) : NULL;

		if (c && !cn)
			cn = SSL_CIPHER_get_name(c);
		if (cn && !(out->cipher = strdup(cn)))
			goto out;
	}
	if (!(out->chain = copy_chain(s.ssl)))
		goto out;
	sess_close(&s);

	/* TLS-003: the same server asked without a server name. */
	st = sess_open(l, addr, port, NULL, &s2, err, errlen);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	out->nosni_observed = 1;
	if (s2.state == SF_TLS_OK && !(out->chain_nosni = copy_chain(s2.ssl)))
		goto out;
	st = SF_OK;
out:
	if (st == SF_ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (st != SF_OK)
		sf_tls_facts_release(out);
	sess_close(&s);
	sess_close(&s2);
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
