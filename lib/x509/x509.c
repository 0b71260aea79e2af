#include "x509/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>

struct sf_trust {
	X509_STORE *store;  /* --trust roots (+ system roots unless --no-system-trust) */
	X509_STORE *system; /* system roots only */
};

static int load_pem_roots(X509_STORE *st, const char *file, char *err, size_t errlen)
{
	BIO *bio;
	X509 *x;
	int n = 0, rc = -1;
	struct stat sb;

	if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(EISDIR));
		return -1;
	}
	bio = BIO_new_file(file, "r");
	if (!bio) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno ? errno : ENOENT));
		ERR_clear_error();
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!X509_STORE_add_cert(st, x)) {
			unsigned long e = ERR_peek_last_error();

			/* A duplicate root is harmless. */
			if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
				X509_free(x);
				snprintf(err, errlen, "cannot use '%s' as trust root", file);
				goto out;
			}
		}
		X509_free(x);
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "cannot parse '%s': no PEM certificate", file);
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	return rc;
}

/*
 * The system's roots: the bundle file and the hashed directory OpenSSL was
 * built with, or $SSL_CERT_FILE / $SSL_CERT_DIR.  Not
 * X509_STORE_set_default_paths(): in OpenSSL 3 it also adds an OSSL_STORE
 * lookup that lists the whole directory on every issuer lookup (one
 * getdents walk of /etc/ssl/certs per verification, a fifth of a bulk run's
 * time).
 */
static void load_system_roots(X509_STORE *st)
{
	const char *f = getenv(X509_get_default_cert_file_env());
	const char *d = getenv(X509_get_default_cert_dir_env());
	X509_LOOKUP *lu;

	lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
	if (lu)
		X509_LOOKUP_load_file(lu, f && *f ? f : X509_get_default_cert_file(),
				      X509_FILETYPE_PEM);
	lu = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir());
	if (lu)
		X509_LOOKUP_add_dir(lu, d && *d ? d : X509_get_default_cert_dir(),
				    X509_FILETYPE_PEM);
	ERR_clear_error();
}

sf_status sf_trust_new(const char *const *files, size_t n, int no_system, sf_trust **out_trust,
		       char *err, size_t errlen)
{
	sf_trust *t = calloc(1, sizeof(*t));
	sf_status st = SF_ENOMEM;

	*out_trust = NULL;
	if (!t || !(t->store = X509_STORE_new()))
		goto out;
	for (size_t i = 0; i < n; i++) {
		errno = 0;
		if (load_pem_roots(t->store, files[i], err, errlen) < 0) {
			st = strncmp(err, "cannot read", 11) == 0 ? SF_EIO : SF_EPARSE;
			goto out;
		}
	}
	if (!no_system)
		load_system_roots(t->store);
	/* The public roots (CERT-005 in o365/dr, CERT-011): set up now, not during a run. */
	t->system = X509_STORE_new();
	if (!t->system)
		goto out;
	load_system_roots(t->system);
	ERR_clear_error();
	*out_trust = t;
	t = NULL;
	st = SF_OK;
out:
	sf_trust_free(t);
	return st;
}

void sf_trust_free(sf_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	X509_STORE_free(t->system);
	free(t);
}

void sf_verify_release(sf_verify *v)
{
	free(v->reason);
	free(v->top_subject);
	X509_free(v->top);
	memset(v, 0, sizeof(*v));
}

/* The leaf's own dates are CERT-004's business, not the chain's. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	int e = X509_STORE_CTX_get_error(ctx);

	if (!ok && X509_STORE_CTX_get_error_depth(ctx) == 0 &&
	    (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID))
		return 1;
	return ok;
}

int sf_x509_verify(sf_trust *t, STACK_OF(X509) *chain, time_t at, int public_only,
		   sf_verify *out)
{
	X509_STORE *store = t->store;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	STACK_OF(X509) *built;
	X509 *top;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!chain || sk_X509_num(chain) < 1)
		return -1;
	if (public_only)
		store = t->system;
	untrusted = sk_X509_new_null();
	if (!untrusted)
		goto out;
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(chain, i)))
			goto out;
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), untrusted))
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, at ? at : time(NULL));
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	out->ok = X509_verify_cert(ctx) == 1;
	out->error = out->ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (!out->ok)
		out->reason = sf_strdup(X509_verify_cert_error_string(out->error));
	built = X509_STORE_CTX_get0_chain(ctx);
	top = built && sk_X509_num(built) > 0 ? sk_X509_value(built, sk_X509_num(built) - 1)
					       : sk_X509_value(chain, 0);
	out->top_subject = sf_x509_name_text(X509_get_subject_name(top));
	out->top_self_signed = X509_self_signed(top, 0) == 1;
	if (top && X509_up_ref(top))
		out->top = top;
	out->incomplete = !out->ok && !out->top_self_signed &&
			  (out->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
			   out->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
	rc = 0;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return rc;
}

int sf_x509_match(X509 *cert, const char *name, int *out_how, char **out_matched)
{
	char *peer = NULL;
	int r;
	const unsigned int base = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

	*out_how = 0;
	*out_matched = NULL;
	r = X509_check_host(cert, name, 0, base | X509_CHECK_FLAG_NO_WILDCARDS, &peer);
	if (r == 1) {
		*out_how = 1;
	} else if (r == 0) {
		r = X509_check_host(cert, name, 0, base, &peer);
		if (r == 1)
			*out_how = 2;
	}
	ERR_clear_error();
	if (r < 0) {
		OPENSSL_free(peer);
		return -1;
	}
	if (peer) {
		*out_matched = sf_strdup(peer);
		OPENSSL_free(peer);
	}
	return 0;
}

int sf_x509_san(X509 *cert, sf_strv *out_dns, sf_strv *out_ip)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int rc = 0;

	if (!gens)
		return 0;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && rc == 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		int type;
		const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);

		if (type == GEN_DNS && out_dns) {
			int len = ASN1_STRING_length(s);
			char *v = malloc((size_t)len + 1);

			if (!v) {
				rc = -1;
				break;
			}
			memcpy(v, ASN1_STRING_get0_data(s), (size_t)len);
			v[len] = '\0';
			/* an embedded NUL makes the name unusable; keep it visible */
			for (int k = 0; k < len; k++)
				if (v[k] == '\0')
					v[k] = '?';
			rc = sf_strv_push(out_dns, v);
			free(v);
		} else if (type == GEN_IPADD && out_ip) {
			char buf[64];
			const unsigned char *d = ASN1_STRING_get0_data(s);
			int len = ASN1_STRING_length(s);

			if (len == 4) {
				snprintf(buf, sizeof(buf), "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
				rc = sf_strv_push(out_ip, buf);
			} else if (len == 16) {
				if (inet_ntop(AF_INET6, d, buf, sizeof(buf)))
					rc = sf_strv_push(out_ip, buf);
			}
		}
	}
	GENERAL_NAMES_free(gens);
	return rc;
}

char *sf_x509_cn(X509 *cert)
{
	const X509_NAME *nm = X509_get_subject_name(cert);
	int idx = -1, last = -1;
	unsigned char *utf8 = NULL;
	char *res;
	int len;

	while ((idx = X509_NAME_get_index_by_NID(nm, NID_commonName, idx)) >= 0)
		last = idx;
	if (last < 0)
		return NULL;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last)));
	if (len < 0)
		return NULL;
	res = malloc((size_t)len + 1);
	if (res) {
		memcpy(res, utf8, (size_t)len);
		res[len] = '\0';
	}
	OPENSSL_free(utf8);
	return res;
}

char *sf_x509_name_text(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *res = NULL, *data;
	long len;

	if (!bio)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_get_mem_data(bio, &data);
		res = malloc((size_t)len + 1);
		if (res) {
			memcpy(res, data, (size_t)len);
			res[len] = '\0';
		}
	}
	BIO_free(bio);
	return res;
}

int sf_x509_time(const ASN1_TIME *t, time_t *out_t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out_t = timegm(&tm);
	return 0;
}

int sf_chain_facts_collect(sf_trust *t, STACK_OF(X509) *chain, time_t at, sf_chain_facts *out)
{
	memset(out, 0, sizeof(*out));
	if (!chain || sk_X509_num(chain) < 1)
		return 0;
	if (sf_x509_verify(t, chain, at, 0, &out->v) < 0 ||
	    sf_x509_verify(t, chain, at, 1, &out->pub) < 0) {
		sf_chain_facts_release(out);
		return -1;
	}
	out->collected = 1;
	return 0;
}

void sf_chain_facts_release(sf_chain_facts *cf)
{
	if (!cf)
		return;
	sf_verify_release(&cf->v);
	sf_verify_release(&cf->pub);
	cf->collected = 0;
}

static int verify_copy(sf_verify *d, const sf_verify *s)
{
	*d = *s;
	d->reason = sf_strdup(s->reason);
	d->top_subject = sf_strdup(s->top_subject);
	d->top = NULL;
	if ((s->reason && !d->reason) || (s->top_subject && !d->top_subject))
		return -1;
	if (s->top && X509_up_ref(s->top))
		d->top = s->top;
	return 0;
}

int sf_chain_facts_copy(sf_chain_facts *dst, const sf_chain_facts *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->collected)
		return 0;
	if (verify_copy(&dst->v, &src->v) < 0 || verify_copy(&dst->pub, &src->pub) < 0) {
		sf_chain_facts_release(dst);
		return -1;
	}
	dst->collected = 1;
	return 0;
}
