/*
 * The facts of a certificate that a result carries (sf_cert_info): what a
 * dashboard shows and an expiry graph needs, read from the chain a TLS look
 * saw and from its verification.  Strings from the certificate are kept as
 * they are (the writers escape them where they write them).
 */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

static char *time_text(const ASN1_TIME *t, time_t *out)
{
	char buf[64];

	if (sf_x509_time(t, out) < 0)
		return NULL;
	sf_time_format(*out, buf, sizeof(buf));
	return sf_strdup(buf);
}

/* The one-line subjects of @chain (leaf first) into a new array. */
static int subjects(STACK_OF(X509) *chain, char ***out, size_t *n)
{
	int k = chain ? sk_X509_num(chain) : 0;

	*out = NULL;
	*n = 0;
	if (k <= 0)
		return 0;
	*out = calloc((size_t)k, sizeof(**out));
	if (!*out)
		return -1;
	for (int i = 0; i < k; i++) {
		char *s = sf_x509_name_text(X509_get_subject_name(sk_X509_value(chain, i)));

		if (!s)
			return -1;
		(*out)[(*n)++] = s;
	}
	return 0;
}

void sf_cert_info_release(sf_cert_info *c)
{
	if (!c)
		return;
	free(c->host);
	free(c->tls_version);
	free(c->cipher);
	free(c->subject);
	free(c->issuer);
	for (size_t i = 0; i < c->n_san_dns; i++)
		free(c->san_dns[i]);
	free(c->san_dns);
	free(c->not_before);
	free(c->not_after);
	free(c->key_type);
	free(c->signature);
	for (size_t i = 0; i < c->n_chain_sent; i++)
		free(c->chain_sent[i]);
	free(c->chain_sent);
	for (size_t i = 0; i < c->n_chain_built; i++)
		free(c->chain_built[i]);
	free(c->chain_built);
	memset(c, 0, sizeof(*c));
}

sf_status sf_cert_info_fill(const sf_ctx *ctx, const char *host, uint16_t port,
			    const sf_tls_facts *t, sf_cert_info *out)
{
	X509 *leaf;
	EVP_PKEY *pk;
	sf_strv san = { 0 };
	time_t nb = 0, na = 0, now = ctx->at ? ctx->at : time(NULL);
	int sig;

	memset(out, 0, sizeof(*out));
	out->port = port;
	if (!(out->host = sf_strdup(host)) ||
	    (t->version && !(out->tls_version = sf_strdup(t->version))) ||
	    (t->cipher && !(out->cipher = sf_strdup(t->cipher))))
		goto nomem;
	if (!t->chain || sk_X509_num(t->chain) < 1)
		return SF_OK;
	leaf = sk_X509_value(t->chain, 0);
	out->subject = sf_x509_name_text(X509_get_subject_name(leaf));
	out->issuer = sf_x509_name_text(X509_get_issuer_name(leaf));
	out->not_before = time_text(X509_get0_notBefore(leaf), &nb);
	out->not_after = time_text(X509_get0_notAfter(leaf), &na);
	if (!out->subject || !out->issuer)
		goto nomem;
	if (out->not_after) {
		/* whole days, rounded towards minus infinity: -1 the day after expiry */
		time_t d = na - now;

		out->days_left = (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
	}
	if (sf_x509_san(leaf, &san, NULL) < 0)
		goto nomem;
	out->san_dns = san.v;
	out->n_san_dns = san.n;
	pk = X509_get0_pubkey(leaf);
	if (pk) {
		const char *tn = EVP_PKEY_get0_type_name(pk); /* "RSA", "EC", "ED25519" */

		out->key_bits = EVP_PKEY_get_bits(pk);
		if (!(out->key_type = sf_strdup(tn ? tn : "unknown")))
			goto nomem;
	}
	sig = X509_get_signature_nid(leaf);
	if (!(out->signature = sf_strdup(sig != NID_undef ? OBJ_nid2ln(sig) : "unknown")))
		goto nomem;
	if (subjects(t->chain, &out->chain_sent, &out->n_chain_sent) < 0)
		goto nomem;
	/* the path verification built (the one that verified, else the best failure) */
	if (t->cf.collected && t->cf.v.path &&
	    subjects(t->cf.v.path, &out->chain_built, &out->n_chain_built) < 0)
		goto nomem;
	return SF_OK;
nomem:
	sf_cert_info_release(out);
	return SF_ENOMEM;
}
