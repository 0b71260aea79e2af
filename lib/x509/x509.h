/*
 * Certificate helpers on top of OpenSSL: trust stores, chain verification,
 * name matching (X509_check_host), and the fields the rules read.  Signature,
 * constraint and trust checks are OpenSSL's; what is ours is what the Edge's
 * Windows does differently (docs/rules.md): path building over every
 * candidate issuer, one inclusive date rule for every certificate, EKU
 * nesting, names with an embedded NUL kept whole; and the flags the
 * Microsoft rules need (no partial wildcards; CN only without SAN dNSNames).
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

/* Why the path that verification kept is refused (beyond OpenSSL's own verdict). */
typedef enum sf_vfail {
	SF_VFAIL_NONE = 0,
	SF_VFAIL_CHAIN,         /* OpenSSL refused the path (untrusted root, incomplete, ...) */
	SF_VFAIL_EXPIRED,       /* a CA certificate of the path: at > notAfter */
	SF_VFAIL_NOT_YET_VALID, /* a CA certificate of the path: at < notBefore */
	SF_VFAIL_USAGE,         /* a CA's EKU extension excludes serverAuth (EKU nesting) */
} sf_vfail;

/*
 * EKU nesting (Windows restricts a leaf to the EKUs of its CAs): the first
 * CA certificate of the path (from the leaf up, the root included) whose EKU
 * extension leaves a usage out.  subject NULL: no CA restricts it.
 */
typedef struct sf_eku_limit {
	int depth;     /* its position in the path (1 = the leaf's issuer) */
	char *subject; /* its one-line subject, owned */
	char *ekus;    /* the EKUs it lists, short names ("clientAuth, emailProtection"), owned */
} sf_eku_limit;

/* Most CA certificates above the leaf, and candidate paths verified, per verification. */
#define SF_PATH_MAX_DEPTH 8
#define SF_PATH_MAX_TRIES 64

typedef struct sf_verify {
	int ok;            /* a path verified: OpenSSL's checks, every CA's dates, EKU nesting */
	int error;         /* X509_V_ERR_* of the first failure */
	char *reason;      /* its text, owned */
	char *top_subject; /* one-line subject of the last certificate of the built chain */
	int top_self_signed;
	int incomplete;    /* the issuer of the top certificate was not found */
	X509 *top;         /* the last certificate of the built chain (owned reference) */
	/*
	 * The path kept (leaf first, up to the root or as far as it was built;
	 * owned, references): the one that verified, else the best failure.
	 */
	STACK_OF(X509) *path;
	int tries;         /* candidate paths verified (at most SF_PATH_MAX_TRIES) */
	/* Which certificate of the path failed and why (fail != SF_VFAIL_NONE when !ok). */
	sf_vfail fail;
	int fail_depth;      /* 0 = leaf; -1 when not known */
	char *fail_subject;  /* its one-line subject, owned */
	time_t fail_time;    /* EXPIRED: its notAfter; NOT_YET_VALID: its notBefore */
	sf_eku_limit no_server, no_client; /* on the path kept */
} sf_verify;

void sf_verify_release(sf_verify *v);

/*
 * Verifies @chain (leaf first; the rest are untrusted candidates, the
 * --chain extras included) at time @at (0 = now) against the trust store
 * of @t, or, with @public_only, against the system default roots alone (is
 * the root public?).  Both stores are set up by sf_trust_new(): nothing is
 * loaded here, so a trust store is read-only once made.
 *
 * Paths are built as Windows CryptoAPI builds them, not as OpenSSL does
 * (the first issuer candidate in file order): every candidate issuer (a
 * certificate of @chain or of the store whose subject is the issuer name
 * and that X509_check_issued() accepts) is tried, depth first, at most
 * SF_PATH_MAX_DEPTH CAs deep and SF_PATH_MAX_TRIES paths in all; each
 * complete path is verified by X509_verify_cert() with exactly its
 * intermediates as untrusted certificates.  The first path that verifies
 * is kept, else the best failure: a path to a trusted root refused for a
 * CA's dates or usage, before one refused by OpenSSL at a trusted root,
 * before one to an untrusted root, before an incomplete one.
 *
 * Dates: one inclusive rule for every certificate, notBefore <= at <=
 * notAfter (OpenSSL's own check, X509_cmp_time, counts the second of
 * notAfter as expired; it is switched off).  The leaf's dates are not an
 * error here (CERT-004 reports them); a CA's are (SF_VFAIL_EXPIRED,
 * SF_VFAIL_NOT_YET_VALID, with fail_depth and fail_subject).  A CA whose
 * EKU extension excludes serverAuth fails the path (SF_VFAIL_USAGE);
 * clientAuth is only recorded (no_client).  Returns -1 on an internal
 * error, else 0 with *out filled.  @unittest: test_x509
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

/*
 * SAN dNSNames in order (lowercase as written), and SAN IP addresses as text.
 * A NUL byte inside a dNSName is written as the four characters \x00 (the
 * name is kept whole, and never equals a host name).
 */
int sf_x509_san(X509 *cert, sf_strv *out_dns, sf_strv *out_ip);
/*
 * The last subject CN, or NULL.  Owned.  A NUL byte inside it is written as
 * the four characters \x00: the CN is never cut at the NUL, so it is never
 * equal to the name before the NUL.  *out_nul (may be NULL) is set to 1 if
 * it holds a NUL byte.
 */
char *sf_x509_cn_ex(X509 *cert, int *out_nul);
char *sf_x509_cn(X509 *cert);
/* Bits: SF_X509_NUL_CN (the subject CN), SF_X509_NUL_SAN (a SAN dNSName) hold a NUL byte. */
#define SF_X509_NUL_CN 1
#define SF_X509_NUL_SAN 2
int sf_x509_name_nul(X509 *cert);
/* "CN=a <- CN=b <- CN=c": the one-line subjects of @path, leaf first.  Owned; NULL if empty. */
char *sf_x509_path_text(STACK_OF(X509) *path);
/* One-line RFC 2253 form of a name.  Owned. */
char *sf_x509_name_text(const X509_NAME *name);
/* RFC 3339 text of an ASN1_TIME, and as time_t; -1 on a bad time. */
int sf_x509_time(const ASN1_TIME *t, time_t *out_t);

#endif
