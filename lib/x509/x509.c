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

/* Appends @add to the malloc'd text *@s (NULL: empty); -1 on out-of-memory (*@s freed). */
static int text_add(char **s, const char *add)
{
	size_t n = *s ? strlen(*s) : 0, k = strlen(add);
	char *p = realloc(*s, n + k + 1);

	if (!p) {
		free(*s);
		*s = NULL;
		return -1;
	}
	memcpy(p + n, add, k + 1);
	*s = p;
	return 0;
}

static void eku_limit_release(sf_eku_limit *l)
{
	free(l->subject);
	free(l->ekus);
	memset(l, 0, sizeof(*l));
}

void sf_verify_release(sf_verify *v)
{
	free(v->reason);
	free(v->top_subject);
	X509_free(v->top);
	sk_X509_pop_free(v->path, X509_free);
	free(v->fail_subject);
	eku_limit_release(&v->no_server);
	eku_limit_release(&v->no_client);
	memset(v, 0, sizeof(*v));
}

/* A new stack holding references to the certificates of @sk; NULL on out-of-memory. */
static STACK_OF(X509) *refs_dup(STACK_OF(X509) *sk)
{
	STACK_OF(X509) *d = sk_X509_new_null();

	if (!d)
		return NULL;
	for (int i = 0; sk && i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);

		if (!X509_up_ref(x))
			goto fail;
		if (!sk_X509_push(d, x)) {
			X509_free(x);
			goto fail;
		}
	}
	return d;
fail:
	sk_X509_pop_free(d, X509_free);
	return NULL;
}

/* The EKUs of @x as short names, ", " between them; owned, NULL on out-of-memory. */
static char *eku_text(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	char *t = NULL;
	int n = eku ? sk_ASN1_OBJECT_num(eku) : 0, bad = 0;

	for (int i = 0; i < n && !bad; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);
		char oid[80] = "?";

		if (nid != NID_undef && OBJ_nid2sn(nid))
			snprintf(oid, sizeof(oid), "%s", OBJ_nid2sn(nid));
		else
			(void)OBJ_obj2txt(oid, sizeof(oid), o, 1);
		bad = (i && text_add(&t, ", ") < 0) || text_add(&t, oid) < 0;
	}
	if (n == 0 && !bad)
		bad = text_add(&t, "none") < 0;
	EXTENDED_KEY_USAGE_free(eku);
	ERR_clear_error();
	return bad ? NULL : t;
}

/*
 * Does the EKU extension of the CA @x exclude the usage @bit?  No extension
 * means any usage; anyExtendedKeyUsage in it is taken as any usage too.
 */
static int eku_excludes(X509 *x, uint32_t bit)
{
	uint32_t xku;

	if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE))
		return 0;
	xku = X509_get_extended_key_usage(x);
	return !(xku & XKU_ANYEKU) && !(xku & bit);
}

static int eku_limit_fill(sf_eku_limit *l, STACK_OF(X509) *path, uint32_t bit)
{
	for (int i = 1; i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);

		if (!eku_excludes(x, bit))
			continue;
		l->depth = i;
		l->subject = sf_x509_name_text(X509_get_subject_name(x));
		l->ekus = eku_text(x);
		return l->subject && l->ekus ? 0 : -1;
	}
	return 0;
}

/* One candidate path verified: the facts and how good a failure it is. */
enum path_score {
	SC_INCOMPLETE = 0, /* the issuer of the top certificate was not found */
	SC_UNTRUSTED,      /* complete up to a root that is not trusted */
	SC_REFUSED,        /* OpenSSL refused it although it reaches a trusted root */
	SC_CA_INVALID,     /* trusted root; a CA's dates or usage refuse it */
	SC_OK,
};

/*
 * Verifies exactly @path (leaf first, the rest its untrusted intermediates)
 * at @at in @store.  Fills @out (zeroed first) and *@score; -1 on an
 * internal error.
 */
static int verify_path(X509_STORE *store, STACK_OF(X509) *path, time_t at, sf_verify *out,
		       enum path_score *score)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL, *built;
	X509 *top;
	int rc = -1, trusted_top;

	memset(out, 0, sizeof(*out));
	out->fail_depth = -1;
	untrusted = sk_X509_new_null();
	if (!untrusted)
		goto out;
	for (int i = 1; i < sk_X509_num(path); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(path, i)))
			goto out;
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, sk_X509_value(path, 0), untrusted))
		goto out;
	/*
	 * The dates are ours (one inclusive rule for every certificate, below):
	 * no X509_STORE_CTX_set_time(), whose flag would take precedence.
	 */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	out->ok = X509_verify_cert(ctx) == 1;
	out->error = out->ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	built = X509_STORE_CTX_get0_chain(ctx);
	if (!built || sk_X509_num(built) < 1)
		built = path;
	if (!(out->path = refs_dup(built)))
		goto out;
	top = sk_X509_value(out->path, sk_X509_num(out->path) - 1);
	out->top_subject = sf_x509_name_text(X509_get_subject_name(top));
	out->top_self_signed = X509_self_signed(top, 0) == 1;
	if (!out->top_subject || !X509_up_ref(top))
		goto out;
	out->top = top;
	trusted_top = out->ok || X509_STORE_CTX_get_num_untrusted(ctx) < sk_X509_num(out->path);

	/* Every CA's dates, inclusive: notBefore <= at <= notAfter (lowest failing CA). */
	for (int i = 1; out->ok && i < sk_X509_num(out->path); i++) {
		X509 *x = sk_X509_value(out->path, i);
		time_t nb = 0, na = 0;
		int bad_nb, bad_na;

		bad_nb = sf_x509_time(X509_get0_notBefore(x), &nb) < 0 || at < nb;
		bad_na = sf_x509_time(X509_get0_notAfter(x), &na) < 0 || at > na;
		if (!bad_nb && !bad_na)
			continue;
		out->ok = 0;
		out->fail = bad_na ? SF_VFAIL_EXPIRED : SF_VFAIL_NOT_YET_VALID;
		out->error = bad_na ? X509_V_ERR_CERT_HAS_EXPIRED : X509_V_ERR_CERT_NOT_YET_VALID;
		out->fail_time = bad_na ? na : nb;
		out->fail_depth = i;
	}
	/* EKU nesting: the usages of the CAs limit the leaf's. */
	if (eku_limit_fill(&out->no_server, out->path, XKU_SSL_SERVER) < 0 ||
	    eku_limit_fill(&out->no_client, out->path, XKU_SSL_CLIENT) < 0)
		goto out;
	if (out->ok && out->no_server.subject) {
		out->ok = 0;
		out->fail = SF_VFAIL_USAGE;
		out->error = X509_V_ERR_INVALID_PURPOSE;
		out->fail_depth = out->no_server.depth;
	}
	if (!out->ok && out->fail == SF_VFAIL_NONE) {
		out->fail = SF_VFAIL_CHAIN;
		out->fail_depth = X509_STORE_CTX_get_error_depth(ctx);
	}
	if (!out->ok) {
		X509 *bad = out->fail_depth >= 0 && out->fail_depth < sk_X509_num(out->path)
				    ? sk_X509_value(out->path, out->fail_depth) : NULL;

		if (!(out->reason = sf_strdup(X509_verify_cert_error_string(out->error))))
			goto out;
		if (bad && !(out->fail_subject = sf_x509_name_text(X509_get_subject_name(bad))))
			goto out;
	}
	out->incomplete = !out->ok && !out->top_self_signed &&
			  (out->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
			   out->error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
	if (out->ok)
		*score = SC_OK;
	else if (trusted_top && out->fail != SF_VFAIL_CHAIN)
		*score = SC_CA_INVALID;
	else if (trusted_top)
		*score = SC_REFUSED;
	else if (out->incomplete)
		*score = SC_INCOMPLETE;
	else
		*score = SC_UNTRUSTED;
	rc = 0;
out:
	if (rc < 0)
		sf_verify_release(out);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return rc;
}

/* The depth-first search over candidate issuers (see sf_x509_verify()). */
struct search {
	X509_STORE *store;
	X509_STORE_CTX *lookup; /* on @store, for its certificates by subject */
	STACK_OF(X509) *pool;   /* the presented certificates after the leaf, in order */
	STACK_OF(X509) *path;   /* the path being built (borrowed pointers) */
	time_t at;
	int tries, failed, done;
	sf_verify best;
	enum path_score best_score;
	int have_best;
};

static void search_try(struct search *s)
{
	sf_verify v;
	enum path_score sc;

	s->tries++;
	if (verify_path(s->store, s->path, s->at, &v, &sc) < 0) {
		s->failed = 1;
		return;
	}
	if (!s->have_best || sc > s->best_score) {
		sf_verify_release(&s->best);
		s->best = v;
		s->best_score = sc;
		s->have_best = 1;
	} else {
		sf_verify_release(&v);
	}
	if (sc == SC_OK)
		s->done = 1;
}

static int on_path(STACK_OF(X509) *path, X509 *x)
{
	for (int i = 0; i < sk_X509_num(path); i++)
		if (X509_cmp(sk_X509_value(path, i), x) == 0)
			return 1;
	return 0;
}

/* Adds @x to @cands if it issued @c, is not on the path and not there yet (a reference). */
static int add_candidate(struct search *s, STACK_OF(X509) *cands, X509 *c, X509 *x)
{
	if (X509_check_issued(x, c) != X509_V_OK || on_path(s->path, x) || on_path(cands, x))
		return 0;
	if (!X509_up_ref(x))
		return -1;
	if (!sk_X509_push(cands, x)) {
		X509_free(x);
		return -1;
	}
	return 0;
}

/*
 * The candidate issuers of @c: the store's certificates with the issuer's
 * name first (the trusted ones end a path soonest), then the presented
 * ones in file order.
 */
static STACK_OF(X509) *candidates(struct search *s, X509 *c)
{
	STACK_OF(X509) *cands = sk_X509_new_null(), *fromstore;
	const X509_NAME *in = X509_get_issuer_name(c);
	int rc = 0;

	if (!cands)
		return NULL;
	fromstore = X509_STORE_CTX_get1_certs(s->lookup, (X509_NAME *)in);
	for (int i = 0; fromstore && i < sk_X509_num(fromstore) && rc == 0; i++)
		rc = add_candidate(s, cands, c, sk_X509_value(fromstore, i));
	sk_X509_pop_free(fromstore, X509_free);
	for (int i = 0; i < sk_X509_num(s->pool) && rc == 0; i++) {
		X509 *x = sk_X509_value(s->pool, i);

		if (X509_NAME_cmp(X509_get_subject_name(x), in) == 0)
			rc = add_candidate(s, cands, c, x);
	}
	ERR_clear_error();
	if (rc < 0) {
		sk_X509_pop_free(cands, X509_free);
		return NULL;
	}
	return cands;
}

static void search_from(struct search *s)
{
	int n = sk_X509_num(s->path);
	X509 *c = sk_X509_value(s->path, n - 1);
	STACK_OF(X509) *cands;

	if (s->done || s->failed || s->tries >= SF_PATH_MAX_TRIES)
		return;
	/* a root, or as deep as we go: this path is complete */
	if ((n > 1 || sk_X509_num(s->pool) == 0) && X509_self_signed(c, 0) == 1) {
		search_try(s);
		return;
	}
	if (n - 1 >= SF_PATH_MAX_DEPTH) {
		search_try(s);
		return;
	}
	cands = candidates(s, c);
	if (!cands) {
		s->failed = 1;
		return;
	}
	if (sk_X509_num(cands) == 0)
		search_try(s); /* no issuer anywhere: verification says how it fails */
	for (int i = 0; i < sk_X509_num(cands) && !s->done && !s->failed &&
			s->tries < SF_PATH_MAX_TRIES; i++) {
		if (!sk_X509_push(s->path, sk_X509_value(cands, i))) {
			s->failed = 1;
			break;
		}
		search_from(s);
		(void)sk_X509_pop(s->path);
	}
	sk_X509_pop_free(cands, X509_free);
}

int sf_x509_verify(sf_trust *t, STACK_OF(X509) *chain, time_t at, int public_only,
		   sf_verify *out)
{
	struct search s;
	X509 *leaf;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!chain || sk_X509_num(chain) < 1)
		return -1;
	memset(&s, 0, sizeof(s));
	s.store = public_only ? t->system : t->store;
	s.at = at ? at : time(NULL);
	leaf = sk_X509_value(chain, 0);
	s.pool = sk_X509_new_null();
	s.path = sk_X509_new_null();
	s.lookup = X509_STORE_CTX_new();
	if (!s.pool || !s.path || !s.lookup || !X509_STORE_CTX_init(s.lookup, s.store, NULL, NULL))
		goto out;
	for (int i = 1; i < sk_X509_num(chain); i++)
		if (!sk_X509_push(s.pool, sk_X509_value(chain, i)))
			goto out;
	if (!sk_X509_push(s.path, leaf))
		goto out;
	/* a self-signed leaf sent alone is a path of its own */
	if (X509_self_signed(leaf, 0) == 1 && sk_X509_num(s.pool) == 0)
		search_try(&s);
	else
		search_from(&s);
	if (s.failed || !s.have_best)
		goto out;
	*out = s.best;
	out->tries = s.tries;
	memset(&s.best, 0, sizeof(s.best));
	rc = 0;
out:
	sf_verify_release(&s.best);
	X509_STORE_CTX_free(s.lookup);
	sk_X509_free(s.pool);
	sk_X509_free(s.path);
	ERR_clear_error();
	return rc;
}

char *sf_x509_path_text(STACK_OF(X509) *path)
{
	char *t = NULL;

	for (int i = 0; path && i < sk_X509_num(path); i++) {
		char *nm = sf_x509_name_text(X509_get_subject_name(sk_X509_value(path, i)));
		int bad = !nm || (i && text_add(&t, " <- ") < 0) || text_add(&t, nm) < 0;

		free(nm);
		if (bad) {
			free(t);
			return NULL;
		}
	}
	return t;
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

/*
 * @len bytes of @d as a C string, each NUL byte written as the four
 * characters \x00 (an embedded NUL makes a name unusable: keep it whole and
 * visible, never cut it short).  *out_nul (may be NULL) says whether there
 * was one.  Owned; NULL on out-of-memory.
 */
static char *nul_visible(const unsigned char *d, int len, int *out_nul)
{
	size_t nuls = 0, o = 0;
	char *v;

	if (len < 0)
		len = 0;
	for (int k = 0; k < len; k++)
		nuls += d[k] == '\0';
	if (out_nul)
		*out_nul = nuls > 0;
	v = malloc((size_t)len + 3 * nuls + 1);
	if (!v)
		return NULL;
	for (int k = 0; k < len; k++) {
		if (d[k] == '\0') {
			memcpy(v + o, "\\x00", 4);
			o += 4;
		} else {
			v[o++] = (char)d[k];
		}
	}
	v[o] = '\0';
	return v;
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
			char *v = nul_visible(ASN1_STRING_get0_data(s), ASN1_STRING_length(s), NULL);

			if (!v) {
				rc = -1;
				break;
			}
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

char *sf_x509_cn_ex(X509 *cert, int *out_nul)
{
	const X509_NAME *nm = X509_get_subject_name(cert);
	int idx = -1, last = -1;
	unsigned char *utf8 = NULL;
	char *res;
	int len;

	if (out_nul)
		*out_nul = 0;
	while ((idx = X509_NAME_get_index_by_NID(nm, NID_commonName, idx)) >= 0)
		last = idx;
	if (last < 0)
		return NULL;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last)));
	if (len < 0) {
		ERR_clear_error();
		return NULL;
	}
	res = nul_visible(utf8, len, out_nul);
	OPENSSL_free(utf8);
	return res;
}

char *sf_x509_cn(X509 *cert)
{
	return sf_x509_cn_ex(cert, NULL);
}

int sf_x509_name_nul(X509 *cert)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int bits = 0, nul = 0;
	char *cn = sf_x509_cn_ex(cert, &nul);

	free(cn);
	if (nul)
		bits |= SF_X509_NUL_CN;
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		int type;
		const ASN1_STRING *s = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, i), &type);

		if (type == GEN_DNS &&
		    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)ASN1_STRING_length(s)))
			bits |= SF_X509_NUL_SAN;
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return bits;
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

static int eku_limit_copy(sf_eku_limit *d, const sf_eku_limit *s)
{
	d->depth = s->depth;
	d->subject = sf_strdup(s->subject);
	d->ekus = sf_strdup(s->ekus);
	return (s->subject && !d->subject) || (s->ekus && !d->ekus) ? -1 : 0;
}

static int verify_copy(sf_verify *d, const sf_verify *s)
{
	*d = *s;
	d->reason = sf_strdup(s->reason);
	d->top_subject = sf_strdup(s->top_subject);
	d->fail_subject = sf_strdup(s->fail_subject);
	d->top = NULL;
	d->path = NULL;
	memset(&d->no_server, 0, sizeof(d->no_server));
	memset(&d->no_client, 0, sizeof(d->no_client));
	if ((s->reason && !d->reason) || (s->top_subject && !d->top_subject) ||
	    (s->fail_subject && !d->fail_subject))
		return -1;
	if (s->top && X509_up_ref(s->top))
		d->top = s->top;
	if (s->path && !(d->path = refs_dup(s->path)))
		return -1;
	if (eku_limit_copy(&d->no_server, &s->no_server) < 0 ||
	    eku_limit_copy(&d->no_client, &s->no_client) < 0)
		return -1;
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
