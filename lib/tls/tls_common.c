/*
 * What both TLS sources share: the lifecycle of the facts they fill.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "tls/tls.h"

/*
 * Frees everything @f owns (error, version, both chains, the client CA
 * names) and zeroes it, so that it can be filled again.  NULL is a no-op.
 */
void sf_tls_facts_release(sf_tls_facts *f)
{
	size_t i;

	if (!f)
		return;
	free(f->error);
	free(f->version);
	free(f->cipher);
	sk_X509_pop_free(f->chain, X509_free);
	sk_X509_pop_free(f->chain_nosni, X509_free);
	for (i = 0; f->client_ca && i < f->n_client_ca; i++)
		free(f->client_ca[i]);
	free(f->client_ca);
	sf_chain_facts_release(&f->cf);
	memset(f, 0, sizeof(*f));
}

static STACK_OF(X509) *chain_dup(STACK_OF(X509) *c)
{
	STACK_OF(X509) *d;

	if (!c)
		return NULL;
	d = sk_X509_dup(c);
	if (!d)
		return NULL;
	for (int i = 0; i < sk_X509_num(d); i++)
		X509_up_ref(sk_X509_value(d, i));
	return d;
}

/* Contract in tls.h. */
sf_status sf_tls_facts_copy(sf_tls_facts *dst, const sf_tls_facts *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->state = src->state;
	dst->nosni_observed = src->nosni_observed;
	dst->client_cert_observed = src->client_cert_observed;
	dst->client_cert_requested = src->client_cert_requested;
	if ((src->error && !(dst->error = strdup(src->error))) ||
	    (src->version && !(dst->version = strdup(src->version))) ||
	    (src->cipher && !(dst->cipher = strdup(src->cipher))) ||
	    (src->chain && !(dst->chain = chain_dup(src->chain))) ||
	    (src->chain_nosni && !(dst->chain_nosni = chain_dup(src->chain_nosni))))
		goto nomem;
	if (src->n_client_ca > 0) {
		dst->client_ca = calloc(src->n_client_ca, sizeof(*dst->client_ca));
		if (!dst->client_ca)
			goto nomem;
		for (size_t i = 0; i < src->n_client_ca; i++) {
			if (!(dst->client_ca[i] = strdup(src->client_ca[i])))
				goto nomem;
			dst->n_client_ca++;
		}
	}
	if (sf_chain_facts_copy(&dst->cf, &src->cf) < 0)
		goto nomem;
	return SF_OK;
nomem:
	sf_tls_facts_release(dst);
	return SF_ENOMEM;
}

/* Contract in tls.h. */
sf_status sf_tls_facts_merge(sf_tls_facts *out, const sf_tls_facts *sni,
			     const sf_tls_facts *nosni)
{
	sf_status st = sf_tls_facts_copy(out, sni);

	if (st != SF_OK || sni->state != SF_TLS_OK || !nosni)
		return st;
	/* TLS-003: the same server asked without a server name. */
	out->nosni_observed = 1;
	if (nosni->state == SF_TLS_OK && nosni->chain &&
	    !(out->chain_nosni = chain_dup(nosni->chain))) {
		sf_tls_facts_release(out);
		return SF_ENOMEM;
	}
	return SF_OK;
}

/* Contract in tls.h. */
/*
 * Copies the chain the server sent, leaf first, each certificate once and
 * up-referenced.  On the client side OpenSSL's peer chain already starts
 * with the leaf (SSL_get_peer_cert_chain(3)); the leaf is added only if it
 * is missing.  Returns NULL if out of memory; an empty stack if the server
 * sent nothing.
 */
STACK_OF(X509) *sf_tls_peer_chain(SSL *ssl)
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

