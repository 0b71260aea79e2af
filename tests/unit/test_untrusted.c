/*
 * Untrusted text and bounded input (issue 9, items 5 and 6): the escaper and
 * the growable buffer of lib/util, findings whose values carry line breaks
 * or bidi controls (made from certificates built at test time), the text
 * writer, the allow-list reader's bounds, and the event reader under
 * allocation failures.
 */
#include <errno.h>
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

#include "core/allowlist.h"
#include "logs/reader.h"
#include "rules/rules.h"
#include "sipfed/sipfed.h"
#include "testcert.h"
#include "util/util.h"

/* ---- the escaper ---------------------------------------------------------------- */

static void expect_esc(const char *in, size_t n, const char *want)
{
	char *got = sf_text_escape(in, n);
	char *again;

	assert_non_null(got);
	assert_string_equal(got, want);
	/* a fixed point: escaping twice is escaping once */
	again = sf_text_escape(got, strlen(got));
	assert_non_null(again);
	assert_string_equal(again, got);
	assert_int_equal(sf_text_needs_escape(got, strlen(got)), 0);
	free(again);
	free(got);
}

#define ESC(lit, want) expect_esc(lit, sizeof(lit) - 1, want)

static void test_escape(void **state)
{
	(void)state;
	ESC("vcse.example.com", "vcse.example.com");
	ESC("a\nb", "a\\x0ab");
	ESC("a\r\nb", "a\\x0d\\x0ab");
	ESC("\t", "\\x09");
	ESC("\x1b[31mred", "\\x1b[31mred");
	ESC("del\x7f", "del\\x7f");
	ESC("nul\0x", "nul\\x00x");
	/* C1 controls (NEL, CSI) as their UTF-8 bytes */
	ESC("a\xc2\x85z", "a\\xc2\\x85z");
	ESC("\xc2\x9b", "\\xc2\\x9b");
	/* line and paragraph separators */
	ESC("a\xe2\x80\xa8z", "a\\u2028z");
	ESC("a\xe2\x80\xa9z", "a\\u2029z");
	/* bidi: overrides, embeddings, isolates, marks, Arabic letter mark */
	ESC("x\xe2\x80\xaegro.example", "x\\u202egro.example");
	ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202a\\u202b\\u202c\\u202d");
	ESC("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069");
	ESC("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
	/* ill-formed UTF-8, byte by byte; well-formed text kept */
	ESC("\xff", "\\xff");
	ESC("\xe2\x80", "\\xe2\\x80");
	ESC("\xc0\xaf", "\\xc0\\xaf");
	ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");
	ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82");
	/* the backslash is no escape of ours: kept, so that escaping stays a fixed point */
	ESC("a\\x0ab", "a\\x0ab");
	/* a ZWJ or other format characters that do not reorder are kept */
	ESC("a\xe2\x80\x8dz", "a\xe2\x80\x8dz");
}

/* ---- the growable buffer ---------------------------------------------------------- */

static void test_sb(void **state)
{
	sf_sb b;
	char *s;

	(void)state;
	/* grows past any fixed size */
	sf_sb_init(&b, 0);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(sf_sb_addf(&b, "%s%d", i ? ", " : "", i), 0);
	assert_false(b.cut);
	assert_int_equal(strlen(sf_sb_str(&b)), b.n);
	assert_non_null(strstr(sf_sb_str(&b), ", 1999"));
	sf_sb_release(&b);

	/* a hard cap: cut with the visible marker, never beyond the cap, later text ignored */
	sf_sb_init(&b, 10);
	sf_sb_add(&b, "0123456789");
	assert_false(b.cut);
	assert_string_equal(sf_sb_str(&b), "0123456789");
	sf_sb_add(&b, "A");
	assert_true(b.cut);
	assert_string_equal(sf_sb_str(&b), "0123456...");
	sf_sb_add(&b, "more");
	assert_string_equal(sf_sb_str(&b), "0123456...");
	sf_sb_release(&b);

	/* never inside a UTF-8 sequence */
	sf_sb_init(&b, 8);
	sf_sb_add(&b, "ab\xc3\xa9\xc3\xa9");
	assert_false(b.cut);
	sf_sb_release(&b);
	sf_sb_init(&b, 7);
	sf_sb_add(&b, "ab\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_true(b.cut);
	assert_string_equal(sf_sb_str(&b), "ab\xc3\xa9...");
	sf_sb_release(&b);

	/* never inside an escape, whether it is the one that passes the cap or one before */
	sf_sb_init(&b, 10);
	sf_sb_add(&b, "abcd");
	sf_sb_add_esc(&b, "\n\n", 2);
	assert_true(b.cut);
	assert_string_equal(sf_sb_str(&b), "abcd...");
	sf_sb_release(&b);
	sf_sb_init(&b, 12);
	sf_sb_add(&b, "abc");
	sf_sb_add_esc(&b, "\n", 1);
	sf_sb_add(&b, "xxxxxx");
	assert_true(b.cut);
	assert_string_equal(sf_sb_str(&b), "abc\\x0axx...");
	sf_sb_release(&b);

	/* take: the text, "" for an empty buffer */
	sf_sb_init(&b, 0);
	s = sf_sb_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	sf_sb_add(&b, "x");
	s = sf_sb_take(&b);
	assert_string_equal(s, "x");
	free(s);
	assert_null(b.p);
}

/* ---- findings: values escaped once, the template's text kept -------------------- */

static void test_expand(void **state)
{
	sf_rule_args a = { .d = "example.com", .x = "evil\n  error    CERT-001  forged",
			   .y = "x\xe2\x80\xaeyz" };
	char *m = sf_rule_expand("{d}: {x} ({y}) {z} {", &a);
	char *m2;

	(void)state;
	assert_non_null(m);
	assert_string_equal(m, "example.com: evil\\x0a  error    CERT-001  forged "
			       "(x\\u202eyz) {z} {");
	/* a message quoted in another (FED-003 does) is not escaped again */
	a.x = m;
	m2 = sf_rule_expand("{x}", &a);
	assert_string_equal(m2, m);
	free(m2);
	free(m);
}

/* ---- a certificate whose names carry line breaks and a bidi override ------------- */

static char g_dir[64];

static char *lint_text(const char *cn, const unsigned char *san, size_t san_len,
		       sf_findings *out_errors_n, size_t *n_errors, char **json)
{
	EVP_PKEY *key = tc_key_new(TC_KEY_EC256);
	X509 *x = tc_cert_dnsname_new(san, san_len, cn, key, time(NULL));
	char path[128], *text = NULL;
	size_t len = 0;
	sf_options opt = { 0 };
	sf_ctx *ctx = NULL;
	sf_cert_result *r = NULL;
	FILE *fp;

	(void)out_errors_n;
	assert_non_null(x);
	snprintf(path, sizeof(path), "%s/leaf.pem", g_dir);
	assert_int_equal(tc_write_pem(path, &x, 1), 0);
	opt.no_network = 1;
	opt.no_system_trust = 1;
	assert_int_equal(sf_ctx_new(&opt, &ctx), SF_OK);
	assert_int_equal(sf_cert_lint(ctx, path, NULL, "vcse.example.com", SF_ROLE_EDGE, &r),
			 SF_OK);
	*n_errors = 0;
	for (size_t i = 0; i < r->findings.n; i++) {
		const char *msg = r->findings.v[i].message;

		if (r->findings.v[i].severity == SF_SEV_ERROR)
			(*n_errors)++;
		/* no raw control, line break or bidi character in any message */
		assert_int_equal(sf_text_needs_escape(msg, strlen(msg)), 0);
		assert_null(strchr(msg, '\n'));
	}
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	assert_int_equal(sf_out_text_cert(fp, r, 0), 0);
	fclose(fp);
	*json = sf_out_json_cert(r);
	assert_non_null(*json);
	sf_cert_result_free(r);
	sf_ctx_free(ctx);
	X509_free(x);
	EVP_PKEY_free(key);
	unlink(path);
	return text;
}

/* Lines whose first word is a severity: one per finding, none forged. */
static size_t severity_lines(const char *text, const char *sev)
{
	size_t n = 0;
	const char *p = text;

	while (p && *p) {
		const char *q = p + strspn(p, " ");

		if (strncmp(q, sev, strlen(sev)) == 0 && q[strlen(sev)] == ' ')
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static void test_cert_forged_lines(void **state)
{
	static const char cn[] = "vcse.example.com\n  error    CERT-001  forged-cn.example.com";
	static const char san[] = "sip.example.com\n  error    CERT-009  forged-san.example.com";
	size_t n_err;
	char *json = NULL;
	char *text = lint_text(cn, (const unsigned char *)san, sizeof(san) - 1, NULL, &n_err,
			       &json);

	(void)state;
	assert_true(n_err >= 1);
	/* the forged finding text stays inside its message: one line per real finding */
	assert_int_equal(severity_lines(text, "error"), n_err);
	assert_non_null(strstr(text, "\\x0a"));
	/* the subject line of `sipfed cert` is escaped too */
	assert_non_null(strstr(text, "vcse.example.com\\x0a"));
	/* JSON keeps its own escaping on top: the message holds the visible escape */
	assert_non_null(strstr(json, "\\\\x0a"));
	free(json);
	free(text);
}

static void test_cert_bidi(void **state)
{
	static const char cn[] = "vcse.example.com\xe2\x80\xae" "moc.elpmaxe";
	static const char san[] = "x\xe2\x80\xaegro.example.com";
	size_t n_err;
	char *json = NULL;
	char *text = lint_text(cn, (const unsigned char *)san, sizeof(san) - 1, NULL, &n_err,
			       &json);

	(void)state;
	assert_null(strstr(text, "\xe2\x80\xae"));
	assert_non_null(strstr(text, "\\u202e"));
	/* the messages in JSON hold the visible escape (raw data fields stay data) */
	assert_non_null(strstr(json, "\\\\u202e"));
	free(json);
	free(text);
}

/* ---- the text writer: raw fields, one escape ---------------------------------------- */

static void test_text_result_raw_fields(void **state)
{
	sf_result r;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.domain = (char *)"example.com\n  error    DNS-001  forged";
	r.verdict = SF_VERDICT_ERROR;
	r.reason = (char *)"cannot read zone 'a\nerror    DNS-001  b'\xe2\x80\xae";
	fp = open_memstream(&text, &len);
	assert_int_equal(sf_out_text_result(fp, &r, 0), 0);
	fclose(fp);
	assert_int_equal(severity_lines(text, "error"), 0);
	assert_non_null(strstr(text, "example.com\\x0a"));
	assert_non_null(strstr(text, "'a\\x0aerror"));
	assert_non_null(strstr(text, "\\u202e"));
	free(text);
}

/* ---- the allow-list reader's bounds ------------------------------------------------ */

static void test_allow_bounds(void **state)
{
	sf_allow_list *l = NULL;
	char *big;
	char path[128];

	(void)state;
	assert_int_equal(sf_allow_list_parse("mem", "a.example\nb.example b-proxy.example\n", 36,
					     &l), SF_OK);
	assert_int_equal(l->n, 2);
	sf_allow_list_free(l);

	/* a line too long, a NUL byte: named by line */
	big = calloc(1, 10000);
	assert_non_null(big);
	memcpy(big, "a.example\n", 10);
	memset(big + 10, 'x', 9000);
	assert_int_equal(sf_allow_list_parse("mem", big, 9010, &l), SF_EPARSE);
	assert_non_null(strstr(sf_allow_list_error(l), "mem line 2: line longer than"));
	sf_allow_list_free(l);
	assert_int_equal(sf_allow_list_parse("mem", "a.example\nb\0c\n", 14, &l), SF_EPARSE);
	assert_non_null(strstr(sf_allow_list_error(l), "mem line 2: NUL byte"));
	sf_allow_list_free(l);
	/* /dev/zero: refused at once (neither a regular file nor a pipe) */
	assert_int_equal(sf_allow_list_load("/dev/zero", &l), SF_EIO);
	assert_non_null(strstr(sf_allow_list_error(l), "'/dev/zero' is not a regular file"));
	sf_allow_list_free(l);
	/* a FIFO without a writer: no blocking, an empty list */
	snprintf(path, sizeof(path), "%s/fifo", g_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(sf_allow_list_load(path, &l), SF_OK);
	assert_int_equal(l->n, 0);
	sf_allow_list_free(l);
	unlink(path);
	/* many entries: duplicates found without a quadratic scan */
	{
		sf_sb b;

		sf_sb_init(&b, SIZE_MAX / 2);
		for (int i = 0; i < 50000; i++)
			sf_sb_addf(&b, "d%d.example\n", i);
		sf_sb_add(&b, "d17.example\n");
		assert_int_equal(sf_allow_list_parse("mem", sf_sb_str(&b), b.n, &l), SF_EPARSE);
		assert_non_null(strstr(sf_allow_list_error(l),
				       "line 50001: domain d17.example is listed twice (first on "
				       "line 18)"));
		sf_allow_list_free(l);
		sf_sb_release(&b);
	}
	free(big);
}

/* ---- the event reader under allocation failures ---------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define SF_NO_MALLOC_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SF_NO_MALLOC_HOOK 1
#endif
#endif

#ifndef SF_NO_MALLOC_HOOK
/*
 * Allocation-failure injection (glibc): the Nth allocation from now fails.
 * The sanitizers' builds have their own allocator: the test is skipped there.
 */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static long g_fail_at = -1; /* -1: never */

static int fail_now(void)
{
	if (g_fail_at < 0)
		return 0;
	return g_fail_at-- == 0;
}

void *malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}
#endif

static int drop_event(void *arg, sf_log_event *ev)
{
	(*(size_t *)arg)++;
	sf_log_event_free(ev);
	return 0;
}

static void test_event_alloc_failures(void **state)
{
#ifdef SF_NO_MALLOC_HOOK
	(void)state;
	skip();
#else
	static const char text[] =
		"Log Name:      Lync Server\r\n"
		"Source:        LS Protocol Stack\r\n"
		"Date:          11/23/2026 10:00:00 AM\r\n"
		"Event ID:      14428\r\n"
		"Level:         Warning\r\n"
		"Computer:      edge.example.com\r\n"
		"Description:\r\n"
		"TLS outgoing connection failures.\r\n"
		"Over the past 2 minutes, Lync Server has experienced TLS outgoing connection "
		"failures 3 time(s). The error code of the last failure is "
		"0x80090322(SEC_E_WRONG_PRINCIPAL) while trying to connect to the host "
		"\"sip.example.net\".\r\n"
		"Cause: The remote server presented a certificate that does not match.\r\n"
		"Resolution:\r\n"
		"Check the certificate.\r\n"
		"Result-Code: 0xc3e93d6f SIPPROXY_E_CONNECTION_FAILED\r\n";
	size_t ok_events = 0;

	(void)state;
	assert_int_equal(sf_logs_read_mem(text, sizeof(text) - 1, SF_LOGT_EVENT, drop_event,
					  &ok_events, "event.txt", NULL, NULL, NULL, 0), SF_OK);
	assert_true(ok_events >= 1);
	/* every allocation in turn fails: an error or fewer events, never a crash */
	for (long k = 0; k < 400; k++) {
		size_t n = 0;
		sf_status st;

		g_fail_at = k;
		st = sf_logs_read_mem(text, sizeof(text) - 1, SF_LOGT_EVENT, drop_event, &n,
				      "event.txt", NULL, NULL, NULL, 0);
		g_fail_at = -1;
		assert_true(st == SF_OK || st == SF_ENOMEM);
	}
#endif
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/sf-untrusted-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(g_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_sb),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_cert_forged_lines),
		cmocka_unit_test(test_cert_bidi),
		cmocka_unit_test(test_text_result_raw_fields),
		cmocka_unit_test(test_allow_bounds),
		cmocka_unit_test(test_event_alloc_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
