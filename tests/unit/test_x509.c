/*
 * Unit tests of lib/x509 (trust stores, chain verification, the fields the
 * rules read) and of sf_time_parse (lib/util).  Certificates are built in
 * memory at test time (tests/unit/testcert.h); PEM files for the trust
 * stores go to a temporary directory removed at the end.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "x509/x509.h"
#include "testcert.h"

#define NOW ((time_t)1780272000) /* 2026-06-01T00:00:00Z */
#define DAY 86400

static EVP_PKEY *k_ca, *k_leaf;
static X509 *c_root, *c_other_root, *c_inter, *c_inter_expired;
static char g_tmp[64];

static const char *const tmp_files[] = {
	"root.pem", "other.pem", "both.pem", "dup.pem", "text.txt", "empty.pem", "badbody.pem",
	"future.pem",
};

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", g_tmp, name);
}

static int group_setup(void **state)
{
	tc_spec root = { .cn = "x509 test root", .ca = 1, .nb_days = -365, .na_days = 3650,
			 .serial = 1 };
	tc_spec other = { .cn = "x509 other root", .ca = 1, .nb_days = -365, .na_days = 3650,
			  .serial = 2 };
	tc_spec inter = { .cn = "x509 test intermediate", .ca = 1, .nb_days = -300,
			  .na_days = 3000, .serial = 3 };
	tc_spec inter_exp = { .cn = "x509 expired intermediate", .ca = 1, .nb_days = -700,
			      .na_days = -1, .serial = 4 };
	static const char bad_body[] = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n"
				       "-----END CERTIFICATE-----\n";
	char p[128];

	(void)state;
	k_ca = tc_key_new(TC_KEY_RSA2048);
	k_leaf = tc_key_new(TC_KEY_EC256);
	if (!k_ca || !k_leaf)
		return -1;
	c_root = tc_cert_new(&root, k_ca, NULL, NULL, NOW);
	c_other_root = tc_cert_new(&other, k_ca, NULL, NULL, NOW);
	if (!c_root || !c_other_root)
		return -1;
	c_inter = tc_cert_new(&inter, k_ca, c_root, k_ca, NOW);
	c_inter_expired = tc_cert_new(&inter_exp, k_ca, c_root, k_ca, NOW);
	if (!c_inter || !c_inter_expired)
		return -1;

	snprintf(g_tmp, sizeof(g_tmp), "/tmp/sipfed-test-x509-XXXXXX");
	if (!mkdtemp(g_tmp))
		return -1;
	tmp_path(p, sizeof(p), "root.pem");
	if (tc_write_pem(p, &c_root, 1))
		return -1;
	tmp_path(p, sizeof(p), "other.pem");
	if (tc_write_pem(p, &c_other_root, 1))
		return -1;
	tmp_path(p, sizeof(p), "both.pem");
	if (tc_write_pem(p, (X509 *[]){ c_root, c_other_root }, 2))
		return -1;
	tmp_path(p, sizeof(p), "dup.pem");
	if (tc_write_pem(p, (X509 *[]){ c_root, c_root }, 2))
		return -1;
	tmp_path(p, sizeof(p), "text.txt");
	if (tc_write_file(p, "not a certificate\n", 18))
		return -1;
	tmp_path(p, sizeof(p), "empty.pem");
	if (tc_write_file(p, "", 0))
		return -1;
	tmp_path(p, sizeof(p), "badbody.pem");
	if (tc_write_file(p, bad_body, sizeof(bad_body) - 1))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	char p[128];

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(tmp_files); i++) {
		tmp_path(p, sizeof(p), tmp_files[i]);
		unlink(p);
	}
	rmdir(g_tmp);
	X509_free(c_root);
	X509_free(c_other_root);
	X509_free(c_inter);
	X509_free(c_inter_expired);
	EVP_PKEY_free(k_ca);
	EVP_PKEY_free(k_leaf);
	return 0;
}

/* A leaf for @name issued by @issuer, valid nb..na days around NOW. */
static X509 *leaf_new(const char *name, X509 *issuer, long nb, long na)
{
	char san[256];
	tc_spec s = { .cn = name, .san = san, .eku = "serverAuth,clientAuth", .nb_days = nb,
		      .na_days = na, .serial = 77 };

	snprintf(san, sizeof(san), "DNS:%s", name);
	return tc_cert_new(&s, k_leaf, issuer, k_ca, NOW);
}

static sf_trust *trust_of(const char *file)
{
	char p[128], err[256] = "";
	const char *files[1] = { p };
	sf_trust *t = NULL;

	tmp_path(p, sizeof(p), file);
	assert_int_equal(sf_trust_new(files, 1, 1, &t, err, sizeof(err)), SF_OK);
	assert_non_null(t);
	return t;
}

/* ---- sf_trust_new -------------------------------------------------------- */

/*
 * sf_trust_new on the good root.pem followed by @name must fail with
 * @want, leave *out_trust NULL, and name the second file in the message.
 */
static void expect_trust_error(const char *name, sf_status want)
{
	char good[128], bad[128], err[256] = "";
	const char *files[2] = { good, bad };
	sf_trust *prev = trust_of("root.pem");
	sf_trust *t = prev;

	tmp_path(good, sizeof(good), "root.pem");
	tmp_path(bad, sizeof(bad), name);
	assert_int_equal(sf_trust_new(files, 2, 1, &t, err, sizeof(err)), want);
	assert_null(t);
	if (!strstr(err, bad))
		fail_msg("error '%s' does not name '%s'", err, bad);
	if (want == SF_EIO && !strstr(err, "cannot read"))
		fail_msg("error '%s' does not say 'cannot read'", err);
	if (want == SF_EPARSE && !strstr(err, "cannot parse"))
		fail_msg("error '%s' does not say 'cannot parse'", err);
	sf_trust_free(prev);
}

static void test_trust_new(void **state)
{
	char err[256] = "";
	sf_trust *t = NULL;

	(void)state;
	expect_trust_error("missing.pem", SF_EIO);
	expect_trust_error("text.txt", SF_EPARSE);
	expect_trust_error("empty.pem", SF_EPARSE);
	expect_trust_error("badbody.pem", SF_EPARSE);

	/* No files at all is fine (system roots only, or an empty store). */
	assert_int_equal(sf_trust_new(NULL, 0, 1, &t, err, sizeof(err)), SF_OK);
	assert_non_null(t);
	sf_trust_free(t);
	/* Several roots in one file; the same root twice is harmless. */
	sf_trust_free(trust_of("both.pem"));
	sf_trust_free(trust_of("dup.pem"));
	sf_trust_free(NULL);
}

/* A directory is not a PEM file: an error that names it. */
static void test_trust_new_directory(void **state)
{
	char err[256] = "";
	const char *files[1] = { g_tmp };
	sf_trust *t = NULL;
	sf_status st;

	(void)state;
	st = sf_trust_new(files, 1, 1, &t, err, sizeof(err));
	assert_true(st == SF_EIO || st == SF_EPARSE);
	assert_null(t);
	assert_non_null(strstr(err, g_tmp));
}

/* ---- sf_x509_verify ------------------------------------------------------ */

struct vrow {
	const char *name;
	const char *trust;       /* PEM file of the store */
	int issuer;              /* 0 inter, 1 expired inter, 2 other root, 3 root */
	int send_issuer;         /* the issuer follows the leaf in the chain */
	int send_root;           /* the test root follows too */
	long nb, na;             /* leaf validity in days around NOW */
	time_t at;               /* 0: NOW */
	int public_only;
	int ok, error, incomplete, top_self_signed;
	const char *top;         /* substring of top_subject */
};

static const struct vrow vrows[] = {
	{ "complete chain", "root.pem", 0, 1, 0, -30, 365, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "complete chain with the root", "root.pem", 0, 1, 1, -30, 365, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "leaf issued by the root", "root.pem", 3, 0, 0, -30, 365, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "two roots in the store", "both.pem", 0, 1, 0, -30, 365, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "untrusted root sent", "root.pem", 2, 1, 0, -30, 365, 0, 0,
	  0, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 0, 1, "CN=x509 other root" },
	{ "root not trusted, not sent", "other.pem", 0, 1, 0, -30, 365, 0, 0,
	  0, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0, "CN=x509 test intermediate" },
	{ "incomplete: intermediate missing", "root.pem", 0, 0, 0, -30, 365, 0, 0,
	  0, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0, "CN=sip.example.com" },
	{ "expired leaf is CERT-004's business", "root.pem", 0, 1, 0, -400, -1, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "leaf not yet valid is CERT-004's business", "root.pem", 0, 1, 0, 1, 365, 0, 0,
	  1, X509_V_OK, 0, 1, "CN=x509 test root" },
	{ "expired intermediate", "root.pem", 1, 1, 0, -30, 365, 0, 0,
	  0, X509_V_ERR_CERT_HAS_EXPIRED, 0, 1, NULL },
	{ "verified at a time before the CAs", "root.pem", 0, 1, 0, -30, 365,
	  NOW - 400 * DAY, 0, 0, X509_V_ERR_CERT_NOT_YET_VALID, 0, 1, NULL },
	{ "verified at a time after the CAs", "root.pem", 0, 1, 0, -30, 365,
	  NOW + 4000 * DAY, 0, 0, X509_V_ERR_CERT_HAS_EXPIRED, 0, 1, NULL },
	{ "public only: a test root is not public", "root.pem", 0, 1, 0, -30, 365, 0, 1,
	  0, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0, "CN=x509 test intermediate" },
};

static void run_vrow(const struct vrow *r)
{
	X509 *issuer = r->issuer == 1 ? c_inter_expired
		       : r->issuer == 2 ? c_other_root : r->issuer == 3 ? c_root : c_inter;
	X509 *leaf = leaf_new("sip.example.com", issuer, r->nb, r->na);
	X509 *v[3];
	int n = 0;
	STACK_OF(X509) *chain;
	sf_trust *t = trust_of(r->trust);
	sf_verify out;

	assert_non_null(leaf);
	v[n++] = leaf;
	if (r->send_issuer)
		v[n++] = issuer;
	if (r->send_root)
		v[n++] = c_root;
	chain = tc_chain_new(v, n);
	assert_non_null(chain);
	assert_int_equal(sf_x509_verify(t, chain, r->at ? r->at : NOW, r->public_only, &out), 0);
	if (out.ok != r->ok || out.error != r->error || out.incomplete != r->incomplete ||
	    out.top_self_signed != r->top_self_signed || !out.top_subject ||
	    (r->top && !strstr(out.top_subject, r->top)))
		fail_msg("%s: ok %d error %d (%s) incomplete %d top_self_signed %d top '%s'; "
			 "want ok %d error %d incomplete %d top_self_signed %d top ~ '%s'",
			 r->name, out.ok, out.error, out.reason ? out.reason : "-", out.incomplete,
			 out.top_self_signed, out.top_subject ? out.top_subject : "-", r->ok,
			 r->error, r->incomplete, r->top_self_signed, r->top ? r->top : "-");
	if (out.ok)
		assert_null(out.reason);
	else
		assert_string_equal(out.reason, X509_verify_cert_error_string(out.error));
	sf_verify_release(&out);
	assert_null(out.reason);
	assert_null(out.top_subject);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	sf_trust_free(t);
}

static void test_verify(void **state)
{
	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(vrows); i++)
		run_vrow(&vrows[i]);
}

static void test_verify_empty_chain(void **state)
{
	sf_trust *t = trust_of("root.pem");
	STACK_OF(X509) *chain = sk_X509_new_null();
	sf_verify out;

	(void)state;
	assert_non_null(chain);
	assert_int_equal(sf_x509_verify(t, chain, NOW, 0, &out), -1);
	assert_int_equal(sf_x509_verify(t, NULL, NOW, 0, &out), -1);
	sk_X509_free(chain);
	sf_trust_free(t);
}

/* ---- path building as Windows does it ------------------------------------ */

/*
 * CA certificates made for one test: @issuer NULL makes a root.  All share
 * the CA key unless @key is given.
 */
static X509 *ca_new(const char *cn, X509 *issuer, EVP_PKEY *key, long nb, long na,
		    const char *eku, long serial)
{
	tc_spec s = { .cn = cn, .ca = 1, .nb_days = nb, .na_days = na, .eku = eku,
		      .serial = serial };

	return tc_cert_new(&s, key ? key : k_ca, issuer, k_ca, NOW);
}

/* A leaf for sip.example.com issued by (the name of) @issuer, signed with the CA key. */
static X509 *leaf_of(X509 *issuer)
{
	return leaf_new("sip.example.com", issuer, -30, 365);
}

/* Verifies leaf + @v (n of them) against @trust at @at; the caller releases *out. */
static void verify_chain(const char *trust, X509 *leaf, X509 *const *v, int n, time_t at,
			 sf_verify *out)
{
	X509 *all[8];
	STACK_OF(X509) *chain;
	sf_trust *t = trust_of(trust);

	assert_true(n < 8);
	all[0] = leaf;
	for (int i = 0; i < n; i++)
		all[i + 1] = v[i];
	chain = tc_chain_new(all, n + 1);
	assert_non_null(chain);
	assert_int_equal(sf_x509_verify(t, chain, at, 0, out), 0);
	sk_X509_pop_free(chain, X509_free);
	sf_trust_free(t);
}

/* Does the path of @v hold @x at @depth? */
static int path_has(const sf_verify *v, int depth, X509 *x)
{
	return v->path && depth < sk_X509_num(v->path) &&
	       X509_cmp(sk_X509_value(v->path, depth), x) == 0;
}

static void test_verify_paths(void **state)
{
	EVP_PKEY *k_other = tc_key_new(TC_KEY_RSA2048);
	/* the old root R1 that nobody trusts, and I under it and under the trusted root */
	X509 *r1 = ca_new("x509 old root", NULL, NULL, -3000, 3000, NULL, 20);
	X509 *i_old = ca_new("x509 cross intermediate", r1, NULL, -300, 3000, NULL, 21);
	X509 *i_new = ca_new("x509 cross intermediate", c_root, NULL, -300, 3000, NULL, 22);
	/* two candidates of one name: the first with another key, the second the issuer */
	X509 *twin_bad = ca_new("x509 twin intermediate", c_root, k_other, -300, 3000, NULL, 23);
	X509 *twin_ok = ca_new("x509 twin intermediate", c_root, NULL, -300, 3000, NULL, 24);
	X509 *leaf, *leaf2;
	sf_verify v;
	char *text;

	(void)state;
	assert_non_null(k_other);
	assert_non_null(r1);
	assert_non_null(i_old);
	assert_non_null(i_new);
	assert_non_null(twin_bad);
	assert_non_null(twin_ok);
	leaf = leaf_of(i_new);
	leaf2 = leaf_of(twin_ok);
	assert_non_null(leaf);
	assert_non_null(leaf2);

	/* Cross-signed: the intermediate under the old root first, in both orders. */
	verify_chain("root.pem", leaf, (X509 *[]){ i_old, i_new }, 2, NOW, &v);
	if (!v.ok)
		fail_msg("cross-signed, old first: %s", v.reason ? v.reason : "?");
	assert_int_equal(sk_X509_num(v.path), 3);
	assert_true(path_has(&v, 1, i_new));
	assert_true(path_has(&v, 2, c_root));
	assert_true(v.tries >= 1 && v.tries <= SF_PATH_MAX_TRIES);
	text = sf_x509_path_text(v.path);
	assert_non_null(text);
	assert_string_equal(text, "CN=sip.example.com,O=sipfed test <- CN=x509 cross "
				  "intermediate,O=sipfed test <- CN=x509 test root,O=sipfed test");
	free(text);
	sf_verify_release(&v);
	assert_null(v.path);
	verify_chain("root.pem", leaf, (X509 *[]){ i_new, i_old }, 2, NOW, &v);
	assert_true(v.ok);
	assert_true(path_has(&v, 1, i_new));
	sf_verify_release(&v);
	/* ... and with the old root sent too. */
	verify_chain("root.pem", leaf, (X509 *[]){ i_old, r1, i_new }, 3, NOW, &v);
	assert_true(v.ok);
	assert_true(path_has(&v, 1, i_new));
	sf_verify_release(&v);
	/* Only the old path: untrusted, and the path says where it stopped. */
	verify_chain("root.pem", leaf, (X509 *[]){ i_old, r1 }, 2, NOW, &v);
	assert_false(v.ok);
	assert_int_equal(v.fail, SF_VFAIL_CHAIN);
	assert_int_equal(v.error, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	assert_true(path_has(&v, 2, r1));
	sf_verify_release(&v);

	/* Two candidate issuers of one name, in both orders. */
	verify_chain("root.pem", leaf2, (X509 *[]){ twin_bad, twin_ok }, 2, NOW, &v);
	if (!v.ok)
		fail_msg("two candidates, wrong key first: %s", v.reason ? v.reason : "?");
	assert_true(path_has(&v, 1, twin_ok));
	sf_verify_release(&v);
	verify_chain("root.pem", leaf2, (X509 *[]){ twin_ok, twin_bad }, 2, NOW, &v);
	assert_true(v.ok);
	assert_true(path_has(&v, 1, twin_ok));
	sf_verify_release(&v);
	/* Only the wrong one: its failure is kept (it reaches the trusted root). */
	verify_chain("root.pem", leaf2, (X509 *[]){ twin_bad }, 1, NOW, &v);
	assert_false(v.ok);
	assert_int_equal(v.error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
	sf_verify_release(&v);

	X509_free(leaf);
	X509_free(leaf2);
	X509_free(r1);
	X509_free(i_old);
	X509_free(i_new);
	X509_free(twin_bad);
	X509_free(twin_ok);
	EVP_PKEY_free(k_other);
}

/*
 * Every certificate's dates with one inclusive rule: notBefore <= t <=
 * notAfter.  OpenSSL's own check (X509_cmp_time) counts the second of
 * notAfter as expired; ours does not, for a CA as for the leaf.
 */
static void test_verify_dates(void **state)
{
	X509 *edge = ca_new("x509 edge intermediate", c_root, NULL, -300, 0, NULL, 30);
	X509 *future_root = ca_new("x509 future root", NULL, NULL, 1, 3650, NULL, 31);
	X509 *future_inter = NULL;
	X509 *leaf, *leaf_f, *leaf_x;
	sf_verify v;
	time_t na;
	char p[128];

	(void)state;
	assert_non_null(edge);
	assert_non_null(future_root);
	future_inter = ca_new("x509 future intermediate", future_root, NULL, -300, 3000, NULL, 32);
	assert_non_null(future_inter);
	assert_int_equal(sf_x509_time(X509_get0_notAfter(edge), &na), 0);
	assert_int_equal(na, NOW);
	/* OpenSSL's comparison: notAfter <= t counts as "earlier", i.e. expired. */
	assert_int_equal(X509_cmp_time(X509_get0_notAfter(edge), &(time_t){ NOW }), -1);

	leaf = leaf_of(edge);
	assert_non_null(leaf);
	verify_chain("root.pem", leaf, &edge, 1, NOW, &v);
	if (!v.ok)
		fail_msg("CA at the second of its notAfter: %s", v.reason ? v.reason : "?");
	sf_verify_release(&v);
	verify_chain("root.pem", leaf, &edge, 1, NOW + 1, &v);
	assert_false(v.ok);
	assert_int_equal(v.fail, SF_VFAIL_EXPIRED);
	assert_int_equal(v.error, X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(v.fail_depth, 1);
	assert_non_null(v.fail_subject);
	assert_non_null(strstr(v.fail_subject, "CN=x509 edge intermediate"));
	assert_int_equal(v.fail_time, NOW);
	sf_verify_release(&v);

	/* The leaf at the second of its notAfter is not a chain error either. */
	leaf_x = leaf_new("sip.example.com", c_inter, -30, 0);
	assert_non_null(leaf_x);
	verify_chain("root.pem", leaf_x, &c_inter, 1, NOW, &v);
	assert_true(v.ok);
	sf_verify_release(&v);

	/* The expired intermediate: which one, and why. */
	X509_free(leaf);
	leaf = leaf_of(c_inter_expired);
	assert_non_null(leaf);
	verify_chain("root.pem", leaf, &c_inter_expired, 1, NOW, &v);
	assert_false(v.ok);
	assert_int_equal(v.fail, SF_VFAIL_EXPIRED);
	assert_int_equal(v.fail_depth, 1);
	assert_non_null(strstr(v.fail_subject, "CN=x509 expired intermediate"));
	assert_int_equal(v.fail_time, NOW - DAY);
	assert_false(v.incomplete);
	sf_verify_release(&v);

	/* A trusted root that is not valid yet. */
	tmp_path(p, sizeof(p), "future.pem");
	assert_int_equal(tc_write_pem(p, &future_root, 1), 0);
	leaf_f = leaf_of(future_inter);
	assert_non_null(leaf_f);
	verify_chain("future.pem", leaf_f, &future_inter, 1, NOW, &v);
	assert_false(v.ok);
	assert_int_equal(v.fail, SF_VFAIL_NOT_YET_VALID);
	assert_int_equal(v.error, X509_V_ERR_CERT_NOT_YET_VALID);
	assert_int_equal(v.fail_depth, 2);
	assert_non_null(strstr(v.fail_subject, "CN=x509 future root"));
	assert_int_equal(v.fail_time, NOW + DAY);
	sf_verify_release(&v);
	unlink(p);

	X509_free(leaf);
	X509_free(leaf_f);
	X509_free(leaf_x);
	X509_free(edge);
	X509_free(future_root);
	X509_free(future_inter);
}

/* Windows restricts the leaf to its CAs' EKUs. */
static void test_verify_eku_nesting(void **state)
{
	X509 *client_ca = ca_new("x509 client intermediate", c_root, NULL, -300, 3000,
				 "clientAuth", 40);
	X509 *server_ca = ca_new("x509 server intermediate", c_root, NULL, -300, 3000,
				 "serverAuth", 41);
	X509 *any_ca = ca_new("x509 any intermediate", c_root, NULL, -300, 3000,
			      "anyExtendedKeyUsage", 42);
	X509 *leaf;
	sf_verify v;

	(void)state;
	assert_non_null(client_ca);
	assert_non_null(server_ca);
	assert_non_null(any_ca);

	leaf = leaf_of(client_ca);
	assert_non_null(leaf);
	verify_chain("root.pem", leaf, &client_ca, 1, NOW, &v);
	assert_false(v.ok);
	assert_int_equal(v.fail, SF_VFAIL_USAGE);
	assert_int_equal(v.fail_depth, 1);
	assert_non_null(v.no_server.subject);
	assert_non_null(strstr(v.no_server.subject, "CN=x509 client intermediate"));
	assert_string_equal(v.no_server.ekus, "clientAuth");
	assert_int_equal(v.no_server.depth, 1);
	assert_null(v.no_client.subject);
	sf_verify_release(&v);
	X509_free(leaf);

	/* serverAuth only: the server use verifies, the client use is limited (a fact). */
	leaf = leaf_of(server_ca);
	assert_non_null(leaf);
	verify_chain("root.pem", leaf, &server_ca, 1, NOW, &v);
	assert_true(v.ok);
	assert_null(v.no_server.subject);
	assert_non_null(v.no_client.subject);
	assert_string_equal(v.no_client.ekus, "serverAuth");
	sf_verify_release(&v);
	X509_free(leaf);

	/* anyExtendedKeyUsage limits nothing; neither does a CA without the extension. */
	leaf = leaf_of(any_ca);
	assert_non_null(leaf);
	verify_chain("root.pem", leaf, &any_ca, 1, NOW, &v);
	assert_true(v.ok);
	assert_null(v.no_server.subject);
	assert_null(v.no_client.subject);
	sf_verify_release(&v);
	X509_free(leaf);

	X509_free(client_ca);
	X509_free(server_ca);
	X509_free(any_ca);
}

/* sf_chain_facts_copy() takes references to the path, and copies the failure facts. */
static void test_facts_copy_path(void **state)
{
	X509 *leaf = leaf_of(c_inter_expired);
	STACK_OF(X509) *chain = tc_chain_new((X509 *[]){ leaf, c_inter_expired }, 2);
	sf_trust *t = trust_of("root.pem");
	sf_chain_facts a, b;

	(void)state;
	assert_non_null(chain);
	assert_int_equal(sf_chain_facts_collect(t, chain, NOW, &a), 0);
	assert_int_equal(sf_chain_facts_copy(&b, &a), 0);
	sf_chain_facts_release(&a);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	assert_true(b.collected);
	assert_non_null(b.v.path);
	assert_int_equal(sk_X509_num(b.v.path), 3);
	assert_int_equal(X509_cmp(sk_X509_value(b.v.path, 1), c_inter_expired), 0);
	assert_int_equal(b.v.fail, SF_VFAIL_EXPIRED);
	assert_non_null(strstr(b.v.fail_subject, "expired intermediate"));
	assert_non_null(b.pub.path);
	sf_chain_facts_release(&b);
	sf_trust_free(t);
}

/* ---- fields -------------------------------------------------------------- */

static void test_san(void **state)
{
	tc_spec s = { .cn = "c.example",
		      .san = "DNS:b.example,IP:192.0.2.1,DNS:a.example,IP:2001:db8::1,"
			     "email:x@a.example,DNS:*.example,URI:sip:x@a.example",
		      .nb_days = -1, .na_days = 30 };
	X509 *x = tc_cert_new(&s, k_leaf, NULL, NULL, NOW);
	sf_strv dns = { 0 }, ip = { 0 };
	unsigned char a6[16], want6[16];

	(void)state;
	assert_non_null(x);
	assert_int_equal(sf_x509_san(x, &dns, &ip), 0);
	assert_int_equal(dns.n, 3);
	assert_string_equal(dns.v[0], "b.example");
	assert_string_equal(dns.v[1], "a.example");
	assert_string_equal(dns.v[2], "*.example");
	assert_int_equal(ip.n, 2);
	assert_string_equal(ip.v[0], "192.0.2.1");
	/* Any valid text form of the IPv6 address. */
	assert_int_equal(inet_pton(AF_INET6, ip.v[1], a6), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", want6), 1);
	assert_memory_equal(a6, want6, 16);
	sf_strv_release(&dns);
	sf_strv_release(&ip);

	/* Only the dNSNames asked for. */
	assert_int_equal(sf_x509_san(x, &dns, NULL), 0);
	assert_int_equal(dns.n, 3);
	sf_strv_release(&dns);
	X509_free(x);
}

static void test_san_none_and_nul(void **state)
{
	tc_spec s = { .cn = "c.example", .nb_days = -1, .na_days = 30 };
	X509 *x = tc_cert_new(&s, k_leaf, NULL, NULL, NOW);
	sf_strv dns = { 0 }, ip = { 0 };

	(void)state;
	assert_non_null(x);
	assert_int_equal(sf_x509_san(x, &dns, &ip), 0);
	assert_int_equal(dns.n, 0);
	assert_int_equal(ip.n, 0);
	X509_free(x);

	/* An embedded NUL stays visible (as \x00) instead of cutting the name short. */
	x = tc_cert_dnsname_new((const unsigned char *)"www.foo.com\0.evil.example", 25, NULL,
				k_leaf, NOW);
	assert_non_null(x);
	assert_int_equal(sf_x509_san(x, &dns, &ip), 0);
	assert_int_equal(dns.n, 1);
	assert_string_equal(dns.v[0], "www.foo.com\\x00.evil.example");
	assert_int_equal(sf_x509_name_nul(x), SF_X509_NUL_SAN);
	sf_strv_release(&dns);
	sf_strv_release(&ip);
	X509_free(x);
}

static X509 *cert_with_name(X509_NAME *n)
{
	X509 *x = X509_new();

	assert_non_null(x);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	return x;
}

static void test_cn(void **state)
{
	X509_NAME *n = X509_NAME_new();
	X509 *x;
	char *cn;

	(void)state;
	assert_non_null(n);
	/* No CN at all. */
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
						    (const unsigned char *)"Org", -1, -1, 0), 1);
	x = cert_with_name(n);
	assert_null(sf_x509_cn(x));
	X509_free(x);
	/* Two CNs: the last one (the most specific) counts. */
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						    (const unsigned char *)"first.example", -1, -1,
						    0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						    (const unsigned char *)"last.example", -1, -1,
						    0), 1);
	x = cert_with_name(n);
	cn = sf_x509_cn(x);
	assert_non_null(cn);
	assert_string_equal(cn, "last.example");
	free(cn);
	X509_free(x);
	X509_NAME_free(n);

	/* Non-ASCII: returned as UTF-8. */
	n = X509_NAME_new();
	assert_non_null(n);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						    (const unsigned char *)"Z\xc3\xbcrich", -1, -1,
						    0), 1);
	x = cert_with_name(n);
	cn = sf_x509_cn(x);
	assert_non_null(cn);
	assert_string_equal(cn, "Z\xc3\xbcrich");
	free(cn);
	X509_free(x);
	X509_NAME_free(n);
}

/* A CN with an embedded NUL: whole, the NUL shown as \x00, and flagged. */
static void test_cn_nul(void **state)
{
	static const unsigned char cn[] = "um.example.com\0.evil.com";
	tc_spec s = { .san = "DNS:um.example.com", .nb_days = -1, .na_days = 30 };
	X509 *x = tc_cert_cn_bytes_new(&s, cn, sizeof(cn) - 1, k_leaf, NULL, NULL, NOW);
	char *got;
	int nul = 0;

	(void)state;
	assert_non_null(x);
	got = sf_x509_cn_ex(x, &nul);
	assert_non_null(got);
	assert_string_equal(got, "um.example.com\\x00.evil.com");
	assert_int_equal(nul, 1);
	free(got);
	got = sf_x509_cn(x);
	assert_non_null(got);
	assert_true(strcmp(got, "um.example.com") != 0);
	free(got);
	assert_int_equal(sf_x509_name_nul(x), SF_X509_NUL_CN);
	X509_free(x);
}

static void test_name_text_and_time(void **state)
{
	X509 *x = leaf_new("sip.example.com", c_inter, -30, 10);
	char *t;
	time_t nb, na;

	(void)state;
	assert_non_null(x);
	t = sf_x509_name_text(X509_get_subject_name(x));
	assert_non_null(t);
	assert_string_equal(t, "CN=sip.example.com,O=sipfed test");
	free(t);
	assert_int_equal(sf_x509_time(X509_get0_notBefore(x), &nb), 0);
	assert_int_equal(sf_x509_time(X509_get0_notAfter(x), &na), 0);
	assert_int_equal(nb, NOW - 30 * DAY);
	assert_int_equal(na, NOW + 10 * DAY);
	assert_int_equal(sf_x509_time(NULL, &na), -1);
	X509_free(x);
}

/* ---- sf_time_parse (RFC 3339) ---------------------------------------------- */

static void test_time_parse_good(void **state)
{
	static const struct {
		const char *s;
		time_t t;
	} rows[] = {
		{ "2026-06-01T00:00:00Z", NOW },
		{ "2026-06-01t00:00:00z", NOW },
		{ "2026-06-01 00:00:00Z", NOW }, /* RFC 3339 §5.6 NOTE: space allowed */
		{ "2026-06-01T02:00:00+02:00", NOW },
		{ "2026-05-31T19:30:00-04:30", NOW },
		{ "2026-06-01T00:00:00+00:00", NOW },
		{ "2026-06-01T00:00:00-00:00", NOW },
		{ "2026-06-01T00:00:00.5Z", NOW },
		{ "2026-06-01T00:00:00.123456789+00:00", NOW },
		{ "2026-06-01T05:45:00.001+05:45", NOW },
		{ "2026-06-01", NOW }, /* full-date alone: midnight UTC */
		{ "2026-06-01T10:00:00Z", NOW + 10 * 3600 },
		{ "2026-11-23T10:00:00Z", 1795428000 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2000-03-01T00:00:00Z", 951868800 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		{ "2026-12-31T23:59:59Z", 1798761599 },
	};

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(rows); i++) {
		time_t t = (time_t)-42;

		if (sf_time_parse(rows[i].s, &t) != 0 || t != rows[i].t)
			fail_msg("'%s': got %lld, want %lld", rows[i].s, (long long)t,
				 (long long)rows[i].t);
	}
}

static void check_bad_times(const char *const *rows, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		time_t t = 0;

		if (sf_time_parse(rows[i], &t) == 0) {
			print_error("'%s' accepted as %lld\n", rows[i] ? rows[i] : "(null)",
				    (long long)t);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_time_parse_bad(void **state)
{
	static const char *const rows[] = {
		NULL,
		"",
		"2026",
		"2026-06",
		"26-06-01",
		"2026-6-1",
		"2026/06/01",
		"+2026-06-01T00:00:00Z",
		" 2026-06-01T00:00:00Z",
		"2026-06-01T00:00:00Z ",
		"2026-06-01T00:00:00ZZ",
		"2026-06-01X00:00:00Z",
		"2026-06-01T",
		"2026-06-01T00:00:00",       /* RFC 3339 requires an offset */
		"2026-06-01T00:00Z",
		"2026-06-01T0a:00:00Z",
		"2026-06-01T00:00:00.Z",
		"2026-06-01T00:00:00+0200",
		"2026-06-01T00:00:00+02",
		"2026-06-01T00:00:00+24:00",
		"2026-06-01T00:00:00+02:60",
		"2026-13-01T00:00:00Z",
		"2026-00-10T00:00:00Z",
		"2026-06-00T00:00:00Z",
		"2026-06-32T00:00:00Z",
		"2026-06-01T24:00:00Z",
		"2026-06-01T23:60:00Z",
		"2026-06-01T00:00:61Z",
	};

	(void)state;
	check_bad_times(rows, SF_ARRAY_LEN(rows));
}

/* RFC 3339 §5.7: the day of the month is bounded by the month and year. */
static void test_time_parse_calendar(void **state)
{
	static const char *const rows[] = {
		"2026-02-30T00:00:00Z",
		"2025-02-29T00:00:00Z", /* not a leap year */
		"2100-02-29T00:00:00Z", /* not a leap year either */
		"2026-04-31T00:00:00Z",
		"2026-06-31",
	};

	(void)state;
	check_bad_times(rows, SF_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_new),
		cmocka_unit_test(test_trust_new_directory),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_verify_empty_chain),
		cmocka_unit_test(test_verify_paths),
		cmocka_unit_test(test_verify_dates),
		cmocka_unit_test(test_verify_eku_nesting),
		cmocka_unit_test(test_facts_copy_path),
		cmocka_unit_test(test_cn_nul),
		cmocka_unit_test(test_san),
		cmocka_unit_test(test_san_none_and_nul),
		cmocka_unit_test(test_cn),
		cmocka_unit_test(test_name_text_and_time),
		cmocka_unit_test(test_time_parse_good),
		cmocka_unit_test(test_time_parse_bad),
		cmocka_unit_test(test_time_parse_calendar),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
