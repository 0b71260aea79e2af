/*
 * Header-only helpers for the unit tests: keys and X.509 certificates built
 * in memory with the OpenSSL API at test time (no key material in the
 * repository, no dates that rot).  Every function returns NULL / -1 on
 * failure and leaves the assertion to the caller, so the header does not
 * depend on the test framework.  Used by test_rules.c, test_names.c and
 * test_x509.c.
 */
#ifndef SF_TESTCERT_H
#define SF_TESTCERT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

typedef enum tc_keytype {
	TC_KEY_RSA2048 = 0,
	TC_KEY_RSA1024,
	TC_KEY_EC256,
} tc_keytype;

typedef enum tc_sig {
	TC_SIG_SHA256 = 0,
	TC_SIG_SHA1,
	TC_SIG_PSS, /* RSASSA-PSS with SHA-256, salt length = digest length */
} tc_sig;

/* A fresh key of @type (owned by the caller, EVP_PKEY_free()). */
static inline EVP_PKEY *tc_key_new(tc_keytype type)
{
	switch (type) {
	case TC_KEY_RSA2048:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case TC_KEY_RSA1024:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	case TC_KEY_EC256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	}
	return NULL;
}

/* What a certificate should look like.  Zero fields mean "absent". */
typedef struct tc_spec {
	const char *cn;    /* subject CN; NULL: the subject is only O=sipfed test */
	const char *san;   /* X509v3 config text, "DNS:a.example,IP:192.0.2.1"; NULL: none */
	const char *eku;   /* "serverAuth,clientAuth"; NULL: no EKU extension */
	const char *crldp; /* "URI:http://crl.example/ca.crl"; NULL: none */
	int ca;            /* basicConstraints CA:TRUE, keyUsage keyCertSign */
	long nb_days;      /* notBefore = base + nb_days */
	long na_days;      /* notAfter  = base + na_days */
	tc_sig sig;
	long serial;
} tc_spec;

/* Adds one extension given in config text; @issuer may equal @x. */
static inline int tc_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* Signs @x with @key using the signature scheme @sig. */
static inline int tc_sign(X509 *x, EVP_PKEY *key, tc_sig sig)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	if (sig == TC_SIG_SHA256)
		return X509_sign(x, key, EVP_sha256()) > 0 ? 0 : -1;
	if (sig == TC_SIG_SHA1)
		return X509_sign(x, key, EVP_sha1()) > 0 ? 0 : -1;
	md = EVP_MD_CTX_new();
	if (!md)
		return -1;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
	    X509_sign_ctx(x, md) > 0)
		rc = 0;
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * Builds a certificate for @key as described by @s, issued by @issuer and
 * signed with @ikey; self-signed if @issuer is NULL (then @ikey is ignored
 * and @key signs).  Validity is relative to @base.  Owned by the caller.
 */
static inline X509 *tc_cert_new(const tc_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
				time_t base)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	int ok = 0;

	if (!x || !n)
		goto out;
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial ? s->serial : 1) != 1)
		goto out;
	if (X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
				       (const unsigned char *)"sipfed test", -1, -1, 0) != 1)
		goto out;
	if (s->cn && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						(const unsigned char *)s->cn, -1, -1, 0) != 1)
		goto out;
	if (X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n) != 1)
		goto out;
	if (!X509_time_adj_ex(X509_getm_notBefore(x), (int)s->nb_days, 0, &base) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)s->na_days, 0, &base))
		goto out;
	if (X509_set_pubkey(x, key) != 1)
		goto out;
	if (!issuer) {
		issuer = x;
		ikey = key;
	}
	if (s->ca) {
		if (tc_add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE") ||
		    tc_add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign"))
			goto out;
	} else if (tc_add_ext(x, issuer, NID_basic_constraints, "CA:FALSE")) {
		goto out;
	}
	if (s->san && tc_add_ext(x, issuer, NID_subject_alt_name, s->san))
		goto out;
	if (s->eku && tc_add_ext(x, issuer, NID_ext_key_usage, s->eku))
		goto out;
	if (s->crldp && tc_add_ext(x, issuer, NID_crl_distribution_points, s->crldp))
		goto out;
	if (tc_sign(x, ikey, s->sig))
		goto out;
	ok = 1;
out:
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/*
 * A leaf whose SAN is exactly one dNSName holding the @len bytes at @name
 * (embedded NULs and any other byte kept as they are), with subject CN
 * @cn (NULL: none).  Self-signed with @key; only the names matter.
 */
static inline X509 *tc_cert_dnsname_new(const unsigned char *name, size_t len, const char *cn,
					EVP_PKEY *key, time_t base)
{
	tc_spec s = { .cn = cn, .nb_days = -1, .na_days = 30 };
	X509 *x = tc_cert_new(&s, key, NULL, NULL, base);
	GENERAL_NAMES *gens = NULL;
	GENERAL_NAME *g = NULL;
	ASN1_IA5STRING *ia5 = NULL;
	int ok = 0;

	if (!x || len > 0x7fffffff)
		goto out;
	gens = sk_GENERAL_NAME_new_null();
	g = GENERAL_NAME_new();
	ia5 = ASN1_IA5STRING_new();
	if (!gens || !g || !ia5 || ASN1_STRING_set(ia5, name, (int)len) != 1)
		goto out;
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	ia5 = NULL;
	if (!sk_GENERAL_NAME_push(gens, g))
		goto out;
	g = NULL;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	if (tc_sign(x, key, TC_SIG_SHA256))
		goto out;
	ok = 1;
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/*
 * As tc_cert_new(), but the subject CN is the @len bytes at @cn (embedded
 * NULs and any other byte kept as they are, UTF8String).  @s->cn is ignored.
 */
static inline X509 *tc_cert_cn_bytes_new(const tc_spec *s, const unsigned char *cn, size_t len,
					 EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, time_t base)
{
	tc_spec t = *s;
	X509 *x;
	X509_NAME *n = NULL;
	ASN1_UTF8STRING *u = NULL;
	int ok = 0;

	t.cn = NULL;
	x = tc_cert_new(&t, key, issuer, ikey, base);
	if (!x || len > 0x7fffffff)
		goto out;
	n = X509_NAME_dup(X509_get_subject_name(x));
	u = ASN1_UTF8STRING_new();
	if (!n || !u || ASN1_STRING_set(u, cn, (int)len) != 1)
		goto out;
	if (X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
				       ASN1_STRING_get0_data(u), (int)len, -1, 0) != 1)
		goto out;
	if (X509_set_subject_name(x, n) != 1 || (!issuer && X509_set_issuer_name(x, n) != 1))
		goto out;
	if (tc_sign(x, issuer ? ikey : key, s->sig))
		goto out;
	ok = 1;
out:
	ASN1_UTF8STRING_free(u);
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* A new stack holding references to the @n certificates of @v, in order. */
static inline STACK_OF(X509) *tc_chain_new(X509 *const *v, int n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	if (!sk)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (!X509_up_ref(v[i]) || !sk_X509_push(sk, v[i])) {
			sk_X509_pop_free(sk, X509_free);
			return NULL;
		}
	}
	return sk;
}

/* Writes the certificates @v (n of them) as PEM to @path; 0 or -1. */
static inline int tc_write_pem(const char *path, X509 *const *v, int n)
{
	FILE *fp = fopen(path, "w");
	int rc = 0;

	if (!fp)
		return -1;
	for (int i = 0; i < n; i++)
		if (PEM_write_X509(fp, v[i]) != 1)
			rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

/* Writes @len bytes of @data to @path; 0 or -1. */
static inline int tc_write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	int rc = 0;

	if (!fp)
		return -1;
	if (len && fwrite(data, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

#endif
