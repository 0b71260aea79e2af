/*
 * TLS sources behind one interface.  The live source (tls_live.c) connects
 * to an address and port and handshakes with OpenSSL; the directory source
 * (tls_dir.c) reads DIR/<fqdn>.pem.  Both fill the same facts struct; the
 * rules (lib/rules) see only the facts.
 */
#ifndef SF_TLS_H
#define SF_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "sipfed/sipfed.h"
#include "x509/x509.h"

typedef enum sf_tls_state {
	SF_TLS_NO_CHAIN = 0,   /* offline: no DIR/<fqdn>.pem for this host */
	SF_TLS_CONNECT_FAILED, /* TCP connect failed or timed out (error says which) */
	SF_TLS_HANDSHAKE_FAILED,
	SF_TLS_OK,
} sf_tls_state;

typedef struct sf_tls_facts {
	sf_tls_state state;
	char *error;           /* why, when state < SF_TLS_OK; owned */
	char *version;         /* "TLSv1.2", "TLSv1.3"; NULL if not observed (offline) */
	/* The negotiated suite by its IANA name (OpenSSL's if it has none), e.g.
	 * "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"; NULL if not observed (offline). */
	char *cipher;
	STACK_OF(X509) *chain; /* presented chain, leaf first; owned */

	/* TLS-003: the chain presented when no SNI is sent. */
	int nosni_observed;
	STACK_OF(X509) *chain_nosni; /* owned; NULL if the handshake failed */

	/* TLS-004 */
	int client_cert_observed;
	int client_cert_requested;
	char **client_ca;      /* one-line DNs of the CA names sent; owned */
	size_t n_client_ca;

	/* The verification of @chain, filled by the collector (not by a source). */
	sf_chain_facts cf;
} sf_tls_facts;

void sf_tls_facts_release(sf_tls_facts *f);

typedef struct sf_tls_source sf_tls_source;
struct event_base;
typedef struct sf_tls_hs sf_tls_hs;

/*
 * The end of one handshake started with sf_tls_start(): @f holds what it
 * observed (state, error, version, cipher, chain, client certificate
 * request; never the no-SNI chain, which is another handshake); the callee
 * owns it.  @st is SF_OK, or SF_ENOMEM when the facts could not be stored.
 */
typedef void (*sf_tls_done_fn)(void *arg, sf_tls_facts *f, sf_status st);

struct sf_tls_ops {
	/*
	 * Fetches the facts of @host (the SRV target, used as SNI and for the
	 * lab file name) at @addr (text IPv4/IPv6, NULL offline) and @port.
	 * Network and handshake failures go into out->state and return SF_OK;
	 * a lab file that exists but is not a PEM chain returns SF_EPARSE and
	 * writes "cannot parse 'DIR/x.pem': ..." into err.
	 */
	sf_status (*fetch)(sf_tls_source *src, const char *host, const char *addr,
			   uint16_t port, sf_tls_facts *out, char *err, size_t errlen);
	/*
	 * The event-loop side (NULL for the directory source, whose fetch
	 * answers at once): one TCP connect and TLS handshake with @addr:@port
	 * on @base, sending @sni as server name unless NULL; the result goes
	 * to @done from the loop, never from inside start.  *out_hs may be
	 * given to cancel() before then (done is then not called).
	 * Returns SF_EINVAL for a bad address, SF_ENOMEM.
	 */
	sf_status (*start)(sf_tls_source *src, struct event_base *base, const char *sni,
			   const char *addr, uint16_t port, sf_tls_done_fn done, void *arg,
			   sf_tls_hs **out_hs);
	void (*cancel)(sf_tls_hs *hs);
	void (*free)(sf_tls_source *src);
};

struct sf_tls_source {
	const struct sf_tls_ops *ops;
};

sf_status sf_tls_live_new(int timeout_ms, sf_tls_source **out_src);
/*
 * Caps the TLS version the live source offers (TLS1_2_VERSION for Direct
 * Routing, whose SIP proxies speak TLS 1.2: the suite then observed is the
 * one the server picks for them).  Call before any fetch.  Returns SF_OK, or
 * SF_ETLS if OpenSSL refuses the version.
 */
sf_status sf_tls_live_set_max_version(sf_tls_source *src, int version);
/* Fails with SF_EIO if @dir is not a readable directory. */
sf_status sf_tls_dir_new(const char *dir, sf_tls_source **out_src, char *err, size_t errlen);

/*
 * Reads every certificate of a PEM file, in order.  Returns SF_EIO if the
 * file cannot be read, SF_EPARSE if it holds no certificate or a damaged
 * one; err then names the file.  Shared by tls_dir.c and `sipfed cert`.
 */
sf_status sf_pem_read_chain(const char *file, STACK_OF(X509) **out_chain, char *err, size_t errlen);

static inline sf_status sf_tls_fetch(sf_tls_source *s, const char *host, const char *addr,
				     uint16_t port, sf_tls_facts *out, char *err, size_t errlen)
{
	return s->ops->fetch(s, host, addr, port, out, err, errlen);
}

/*
 * The chain the peer of @ssl sent, leaf first, each certificate once and
 * up-referenced (a client's view: OpenSSL's peer chain already starts with
 * the leaf, which is added only if missing).  NULL if out of memory; an
 * empty stack if nothing was sent.  Shared by the live source and probe.
 */
struct ssl_st;
STACK_OF(X509) *sf_tls_peer_chain(struct ssl_st *ssl);

/*
 * Copies @src into @dst (chains and verification up-referenced, strings
 * duplicated).  Returns SF_OK or SF_ENOMEM (@dst then empty).
 */
sf_status sf_tls_facts_copy(sf_tls_facts *dst, const sf_tls_facts *src);

/*
 * The facts of a fetch from two handshakes: @sni (with the server name)
 * and @nosni (without one; NULL if none was made).  What the no-SNI
 * handshake saw counts only when the SNI one succeeded.  Copies; returns
 * SF_OK or SF_ENOMEM.
 */
sf_status sf_tls_facts_merge(sf_tls_facts *out, const sf_tls_facts *sni,
			     const sf_tls_facts *nosni);

/* Does the source need the event loop (start/cancel)? */
static inline int sf_tls_is_async(const sf_tls_source *s)
{
	return s->ops->start != NULL;
}

static inline void sf_tls_source_free(sf_tls_source *s)
{
	if (s)
		s->ops->free(s);
}

#endif
