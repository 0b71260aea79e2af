/*
 * Certificate helpers on top of OpenSSL: trust stores, chain verification,
 * name matching (X509_check_host), and the fields the rules read.  All the
 * X.509 logic is OpenSSL's; what is ours is which flags the Microsoft rules
 * need (no partial wildcards; CN only without SAN dNSNames).
 */
#ifndef SF_X509_H
#define SF_X509_H

#include <openssl/x509.h>
#include <time.h>

#include "sipfed/sipfed.h"
#include "util/util.h"

typedef struct sf_trust sf_trust;

/*
 * Builds the trust store: the roots of @files (PEM, each may hold several),
 * plus the system default roots unless @no_system.  Errors name the file.
 */
sf_status sf_trust_new(const char *const *files, size_t n, int no_system, sf_trust **out_trust,
		       char *err, size_t errlen);
void sf_trust_free(sf_trust *t);

typedef struct sf_verify {
	int ok;            /* chain verified */
	int error;         /* X509_V_ERR_* of the first failure */
	char *reason;      /* its text, owned */
	char *top_subject; /* one-line subject of the last certificate of the built chain */
	int top_self_signed;
	int incomplete;    /* the issuer of the top certificate was not found */
	X509 *top;         /* the last certificate of the built chain (owned reference) */
} sf_verify;

void sf_verify_release(sf_verify *v);

/*
 * Verifies @chain (leaf first; the rest are untrusted intermediates) at
 * time @at (0 = now) against the trust store of @t, or, with @public_only,
 * against the system default roots alone (is the root public?).  Both
 * stores are set up by sf_trust_new(): nothing is loaded here, so a trust
 * store is read-only once made.  Validity
 * dates of the leaf are not an error here (CERT-004 reports them); those of
 * the CAs are.  Returns -1 on an internal error, else 0 with *out filled.
 */
int sf_x509_verify(sf_trust *t, STACK_OF(X509) *chain, time_t at, int public_only,
		   sf_verify *out);

/*
 * What verification says about a chain: collected once (lib/core, lib/run),
 * read by the rules, which verify nothing themselves.
 */
typedef struct sf_chain_facts {
	int collected;     /* 0: no chain was verified (no certificate) */
	sf_verify v;       /* against the context's trust store (--trust, system roots) */
	sf_verify pub;     /* against the public (system) roots alone */
} sf_chain_facts;

/*
 * Verifies @chain (leaf first) at @at against both stores of @t.  Returns
 * 0, or -1 on an internal error (out of memory).  @unittest: test_x509
 */
int sf_chain_facts_collect(sf_trust *t, STACK_OF(X509) *chain, time_t at, sf_chain_facts *out);
void sf_chain_facts_release(sf_chain_facts *cf);
/* A copy of @src into @dst (references taken); -1 on out-of-memory. */
int sf_chain_facts_copy(sf_chain_facts *dst, const sf_chain_facts *src);

/*
 * Does @cert carry @name?  Exact match first (no wildcards), then through a
 * wildcard (whole left-most label only).  The subject CN counts only when
 * there is no SAN dNSName (OpenSSL's default, which is also Microsoft's
 * rule).  out_how: 0 no match, 1 exact, 2 wildcard.  *out_matched receives
 * the certificate name that matched (owned) or NULL.
 * Returns -1 on an internal error (bad name), else 0.   @unittest: test_x509, test_names
 */
int sf_x509_match(X509 *cert, const char *name, int *out_how, char **out_matched);

/* SAN dNSNames in order (lowercase as written), and SAN IP addresses as text. */
int sf_x509_san(X509 *cert, sf_strv *out_dns, sf_strv *out_ip);
/* The last subject CN, or NULL.  Owned. */
char *sf_x509_cn(X509 *cert);
/* One-line RFC 2253 form of a name.  Owned. */
char *sf_x509_name_text(const X509_NAME *name);
/* RFC 3339 text of an ASN1_TIME, and as time_t; -1 on a bad time. */
int sf_x509_time(const ASN1_TIME *t, time_t *out_t);

#endif
