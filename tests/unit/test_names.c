/*
 * Name matching (sf_x509_match, i.e. OpenSSL's X509_check_host with
 * X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, exact first, then wildcard) against
 * a public oracle: the DNS-ID matching table of mozilla::pkix, read at test
 * time from $SIPFED_CORPORA/hostnames/nss-mozpkix-dnsid-match.tsv (never
 * copied here).  Each row: the presented SAN dNSName (put byte-exact into a
 * certificate as its only SAN), the reference hostname, and match /
 * mismatch / malformed-presented.  We expect match -> how != 0 and
 * mismatch or malformed -> how == 0 (or an error).
 *
 * Where OpenSSL (and with it the Microsoft rule we emulate) decides
 * differently, the row is listed in `divergent` with the reason; a row that
 * diverges without being listed, or a listed row that does not diverge,
 * fails the test.  Then rows of our own for the Microsoft-specific parts
 * (CN only without SAN dNSName, wildcard-only reported as how == 2).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "x509/x509.h"
#include "testcert.h"

#define CORPUS "hostnames/nss-mozpkix-dnsid-match.tsv"
#define CORPUS_ROWS 134
#define NOW ((time_t)1780272000) /* 2026-06-01T00:00:00Z */

static EVP_PKEY *g_key;

/*
 * Rows where sf_x509_match (OpenSSL X509_check_host) and mozilla::pkix
 * disagree, as written in the corpus ("\0" = the two characters \ 0).
 * mozilla::pkix validates the syntax of the presented name and rejects it
 * ("malformed-presented"); OpenSSL compares presented names as opaque
 * case-insensitive strings and only restricts what a wildcard may match.
 */
static const struct {
	const char *presented, *reference, *reason;
} divergent[] = {
	/* The wildcard label of OpenSSL matches only [A-Za-z0-9-]: no underscore. */
	{ "*.example.com", "uses_underscore.example.com",
	  "OpenSSL: a wildcard never matches a label with '_'" },
	{ "*.example.com", "_.example.com",
	  "OpenSSL: a wildcard never matches a label with '_'" },
	/* OpenSSL accepts a wildcard only if the rest of the pattern is LDH. */
	{ "*.uses_underscore.example.com", "a.uses_underscore.example.com",
	  "OpenSSL: '_' after the wildcard label disables the wildcard" },
	{ "*._._", "x._._", "OpenSSL: '_' after the wildcard label disables the wildcard" },
	/* Exact comparison does not check LDH syntax of the presented name. */
	{ "-.example.com", "-.example.com",
	  "OpenSSL compares exactly; a label of only '-' is not rejected" },
	{ "-hyphenstart.example.com", "-hyphenstart.example.com",
	  "OpenSSL compares exactly; a leading hyphen is not rejected" },
	{ "hyphenend-.example.com", "hyphenend-.example.com",
	  "OpenSSL compares exactly; a trailing hyphen is not rejected" },
	/*
	 * Trailing dots: X509_check_host of OpenSSL 3.0 compares the reference
	 * name as given, dot included, and does not reject a presented name
	 * ending in a dot.  sipfed never passes such a reference: the SRV
	 * target and `cert --name` go through sf_name_norm() first (see
	 * test_normalised_reference below).
	 */
	{ "example", "example.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "example.com", "example.com.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "foo.com", "foo.com.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "f", "f.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "*.bar.foo.com", "www-3.bar.foo.com.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "*.co.uk", "foo.co.uk.", "OpenSSL 3.0 keeps the reference's trailing dot" },
	{ "example.", "example.", "OpenSSL: presented 'x.' equals 'x.' literally" },
	{ "example.com.", "example.com.", "OpenSSL: presented 'x.' equals 'x.' literally" },
	{ "foo.com.", "foo.com.", "OpenSSL: presented 'x.' equals 'x.' literally" },
	{ "f.", "f.", "OpenSSL: presented 'x.' equals 'x.' literally" },
};

static int group_setup(void **state)
{
	(void)state;
	g_key = tc_key_new(TC_KEY_EC256);
	return g_key ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(g_key);
	return 0;
}

/* Decodes "\0" (backslash, zero) into a NUL byte; returns the length. */
static size_t unescape(const char *in, unsigned char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; in[i] && n < outlen; i++) {
		if (in[i] == '\\' && in[i + 1] == '0') {
			out[n++] = '\0';
			i++;
		} else {
			out[n++] = (unsigned char)in[i];
		}
	}
	return n;
}

/* Does a certificate whose only SAN is @presented (escaped) match @reference? */
static int matches(const char *presented, const char *reference, int *out_how)
{
	unsigned char raw[512];
	size_t len = unescape(presented, raw, sizeof(raw));
	X509 *x = tc_cert_dnsname_new(raw, len, NULL, g_key, NOW);
	char *m = NULL;
	int how = 0, rc;

	assert_non_null(x);
	rc = sf_x509_match(x, reference, &how, &m);
	if (rc < 0)
		how = 0;
	if (how)
		assert_non_null(m);
	else
		assert_null(m);
	free(m);
	X509_free(x);
	*out_how = how;
	return rc;
}

static int listed(const char *presented, const char *reference)
{
	for (size_t i = 0; i < SF_ARRAY_LEN(divergent); i++)
		if (strcmp(divergent[i].presented, presented) == 0 &&
		    strcmp(divergent[i].reference, reference) == 0)
			return (int)i;
	return -1;
}

static void test_mozpkix_corpus(void **state)
{
	const char *dir = getenv("SIPFED_CORPORA");
	char path[1024], line[1024];
	int seen[SF_ARRAY_LEN(divergent)] = { 0 };
	int rows = 0, bad = 0, lineno = 0;
	FILE *fp;

	(void)state;
	if (!dir || !*dir) {
		print_message("SIPFED_CORPORA is not set: skipping the mozilla::pkix corpus\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CORPUS);
	fp = fopen(path, "r");
	if (!fp) {
		print_message("cannot read '%s': %s: skipping the mozilla::pkix corpus\n", path,
			      strerror(errno));
		skip();
	}
	while (fgets(line, sizeof(line), fp)) {
		char *presented = line, *reference, *expect, *end;
		int how, ours, theirs = 0, k;

		lineno++;
		end = strchr(line, '\n');
		assert_non_null(end); /* no line is longer than the buffer */
		*end = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		reference = strchr(presented, '\t');
		assert_non_null(reference);
		*reference++ = '\0';
		expect = strchr(reference, '\t');
		assert_non_null(expect);
		*expect++ = '\0';
		if (strcmp(expect, "match") == 0)
			theirs = 1;
		else if (strcmp(expect, "mismatch") == 0 || strncmp(expect, "malformed", 9) == 0)
			theirs = 0;
		else
			fail_msg("line %d: unknown expectation '%s'", lineno, expect);
		rows++;
		matches(presented, reference, &how);
		ours = how != 0;
		k = listed(presented, reference);
		if (k >= 0)
			seen[k]++;
		if (ours != theirs && k < 0) {
			print_error("line %d: '%s' vs '%s': mozilla::pkix %s, sf_x509_match how=%d "
				    "(divergence not listed)\n",
				    lineno, presented, reference, expect, how);
			bad++;
		} else if (ours == theirs && k >= 0) {
			print_error("line %d: '%s' vs '%s' is listed as divergent but agrees "
				    "(%s)\n", lineno, presented, reference, expect);
			bad++;
		}
	}
	fclose(fp);
	for (size_t i = 0; i < SF_ARRAY_LEN(divergent); i++) {
		if (seen[i] == 0) {
			print_error("listed divergence '%s' vs '%s' is not in the corpus\n",
				    divergent[i].presented, divergent[i].reference);
			bad++;
		}
	}
	assert_int_equal(rows, CORPUS_ROWS);
	assert_int_equal(bad, 0);
}

/* ---- the Microsoft-specific parts ----------------------------------------- */

struct name_row {
	const char *cn;       /* subject CN, NULL: none */
	const char *san;      /* X509v3 config text, NULL: no SAN extension */
	const char *name;     /* reference name */
	int how;              /* 0 none, 1 exact, 2 wildcard */
	const char *matched;  /* the certificate name reported, when how != 0 */
};

static const struct name_row own_rows[] = {
	/* The CN counts only when there is no SAN dNSName (SPEC §4 CERT-001). */
	{ "a.example", "DNS:b.example", "a.example", 0, NULL },
	{ "a.example", "DNS:b.example", "b.example", 1, "b.example" },
	{ "a.example", NULL, "a.example", 1, "a.example" },
	{ "a.example", "IP:192.0.2.1", "a.example", 1, "a.example" },
	{ "a.example", "email:x@a.example", "a.example", 1, "a.example" },
	{ NULL, NULL, "a.example", 0, NULL },
	/* Wildcards: one whole left-most label, reported as how == 2. */
	{ NULL, "DNS:*.example.com", "a.example.com", 2, "*.example.com" },
	{ NULL, "DNS:*.example.com", "example.com", 0, NULL },
	{ NULL, "DNS:*.example.com", "a.b.example.com", 0, NULL },
	{ NULL, "DNS:*.example.com", "A.Example.COM", 2, "*.example.com" },
	{ NULL, "DNS:a*.example.com", "ab.example.com", 0, NULL },
	{ NULL, "DNS:*b.example.com", "ab.example.com", 0, NULL },
	{ "*.example.com", NULL, "a.example.com", 2, "*.example.com" },
	/* An exact name is preferred to a wildcard listed before it. */
	{ NULL, "DNS:*.example.com,DNS:sip.example.com", "sip.example.com", 1, "sip.example.com" },
	{ NULL, "DNS:*.example.com,DNS:sip.example.com", "meet.example.com", 2, "*.example.com" },
	/* Case-insensitive. */
	{ NULL, "DNS:SIP.Example.COM", "sip.example.com", 1, "SIP.Example.COM" },
	/* A presented name with a trailing dot does not match the normalised name. */
	{ NULL, "DNS:sip.example.com.", "sip.example.com", 0, NULL },
	/* The SIP domain itself need not be in the SAN, and does not match the host. */
	{ NULL, "DNS:vcse.steven.lab", "steven.lab", 0, NULL },
	{ NULL, "DNS:vcse.steven.lab,DNS:steven.lab", "vcse.steven.lab", 1, "vcse.steven.lab" },
};

static void test_microsoft_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(own_rows); i++) {
		const struct name_row *r = &own_rows[i];
		tc_spec s = { .cn = r->cn, .san = r->san, .nb_days = -1, .na_days = 30 };
		X509 *x = tc_cert_new(&s, g_key, NULL, NULL, NOW);
		char *m = NULL;
		int how = -1;

		assert_non_null(x);
		assert_int_equal(sf_x509_match(x, r->name, &how, &m), 0);
		if (how != r->how || (r->matched && (!m || strcmp(m, r->matched) != 0)) ||
		    (!r->matched && m))
			fail_msg("CN %s SAN %s name %s: how %d (want %d), matched %s (want %s)",
				 r->cn ? r->cn : "-", r->san ? r->san : "-", r->name, how, r->how,
				 m ? m : "-", r->matched ? r->matched : "-");
		free(m);
		X509_free(x);
	}
}

/*
 * What the callers do: the reference (SRV target, `cert --name`) is
 * normalised by sf_name_norm() — lowercase, trailing dot removed — and
 * then matches.  @unittest for the trailing-dot rows of `divergent`.
 */
static void test_normalised_reference(void **state)
{
	static const char *const given[] = { "sip.example.com.", "SIP.Example.Com.",
					     "sip.example.com" };
	X509 *x = tc_cert_dnsname_new((const unsigned char *)"sip.example.com", 15, NULL, g_key,
				      NOW);
	char norm[256], *m = NULL;
	int how;

	(void)state;
	assert_non_null(x);
	for (size_t i = 0; i < SF_ARRAY_LEN(given); i++) {
		assert_int_equal(sf_name_norm(given[i], norm, sizeof(norm)), 0);
		assert_string_equal(norm, "sip.example.com");
		assert_int_equal(sf_x509_match(x, norm, &how, &m), 0);
		assert_int_equal(how, 1);
		assert_string_equal(m, "sip.example.com");
		free(m);
		m = NULL;
	}
	X509_free(x);
}

/* An empty reference name matches nothing. */
static void test_empty_reference(void **state)
{
	X509 *x = tc_cert_dnsname_new((const unsigned char *)"a.example", 9, NULL, g_key, NOW);
	char *m = (char *)"unchanged";
	int how = -1;

	(void)state;
	assert_non_null(x);
	assert_int_equal(sf_x509_match(x, "", &how, &m), 0);
	assert_int_equal(how, 0);
	assert_null(m);
	X509_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mozpkix_corpus),
		cmocka_unit_test(test_microsoft_rows),
		cmocka_unit_test(test_normalised_reference),
		cmocka_unit_test(test_empty_reference),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
