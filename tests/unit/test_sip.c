/*
 * SIP message parser, ms-diagnostics and key="value" lists, unfolding
 * (lib/sip/).
 *
 * The RFC 4475 torture messages are read at test time from
 * $SIPFED_CORPORA/rfc4475/ (never copied here) and every file of its
 * MANIFEST.tsv is pinned below with its category and the exact flags the
 * strict parser sets: `valid` must parse with flags == 0, `invalid` must be
 * flagged or rejected, `semantic-*` must parse (return 0).  A manifest row
 * missing from the table, a table row missing from the manifest, or a row
 * that behaves otherwise fails the test.  Rows we cannot honour would be
 * listed in `cannot_honour` with the reason: there are none.  Every file is
 * also parsed cut at each length and with LF line ends (no crash, spans in
 * bounds).
 *
 * Then table rows of our own: lenient parsing of log messages, one strict
 * check per row, compact header forms, URI hosts, the ms-diagnostics forms
 * of the seed documents (flattened, broken inside quoted values and keys),
 * Edge Data: lists and sf_span_unfold.
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

#include "sip/sip.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_H 64

/* ---- helpers ------------------------------------------------------------ */

/* A heap copy of exactly @n bytes, so that ASan sees any read past the end. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	if (n)
		memcpy(p, s, n);
	return p;
}

static int span_in(sf_span s, const char *buf, size_t len)
{
	if (s.p == NULL)
		return s.n == 0;
	return s.p >= buf && s.n <= len && (size_t)(s.p - buf) <= len - s.n;
}

/* What every parse must guarantee, whatever the input. */
static void check_invariants(const char *buf, size_t len, int rc, const sf_sip_msg *m,
			     size_t max)
{
	size_t i;

	if (rc < 0) {
		assert_int_equal(m->n_h, 0);
		assert_int_equal(m->flags, 0);
		return;
	}
	assert_int_equal(rc, 0);
	assert_true(m->n_h <= max);
	assert_true(m->header_len <= len);
	assert_true(m->body_len <= len - m->header_len);
	assert_true(span_in(m->method, buf, len));
	assert_true(span_in(m->uri, buf, len));
	assert_true(span_in(m->reason, buf, len));
	assert_true(span_in(m->version, buf, len));
	if (m->is_request)
		assert_true(m->method.n > 0);
	else if (m->status != 0)
		assert_true(m->status >= 100 && m->status <= 699);
	for (i = 0; i < m->n_h; i++) {
		assert_true(span_in(m->h[i].name, buf, len));
		assert_true(span_in(m->h[i].value, buf, len));
		assert_true(m->h[i].name.n > 0);
	}
}

static int parse_str(const char *text, int strict, sf_sip_header *h, size_t max, sf_sip_msg *m,
		     char **out_buf)
{
	size_t n = strlen(text);
	char *buf = dup_exact(text, n);
	int rc = sf_sip_parse(buf, n, h, max, strict, m);

	check_invariants(buf, n, rc, m, max);
	*out_buf = buf;
	return rc;
}

static int span_is(sf_span s, const char *lit)
{
	return s.p && s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static void assert_span(sf_span s, const char *lit)
{
	if (!span_is(s, lit))
		fail_msg("span '%.*s' != '%s'", (int)s.n, s.p ? s.p : "", lit);
}

/* The span unfolded equals @lit. */
static void assert_unfolded(sf_span s, const char *lit)
{
	char buf[512];
	size_t n = sf_span_unfold(s, buf, sizeof(buf));

	assert_true(n < sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, lit);
}

static char *read_file(const char *path, size_t *out_len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (!fp)
		fail_msg("cannot read '%s': %s", path, strerror(errno));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	sz = ftell(fp);
	assert_true(sz >= 0 && sz < (1L << 20));
	rewind(fp);
	buf = malloc(sz ? (size_t)sz : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	*out_len = (size_t)sz;
	return buf;
}

/* ---- RFC 4475 --------------------------------------------------------- */

#define BSTART SF_SIP_BAD_START
#define BHDR SF_SIP_BAD_HEADER
#define NOEND SF_SIP_NO_END
#define BCLEN SF_SIP_BAD_CLEN
#define MISS SF_SIP_MISSING
#define BCSEQ SF_SIP_BAD_CSEQ
#define BVERS SF_SIP_BAD_VERSION
#define BVAL SF_SIP_BAD_VALUE

enum want { VALID, INVALID, SEMANTIC };

/* One row per file of MANIFEST.tsv: its expected column, and our flags (strict). */
static const struct {
	const char *file, *expected;
	enum want want;
	unsigned flags;
	const char *why; /* what sets the flags */
} rfc4475[] = {
	{ "wsinv.dat", "valid", VALID, 0, "" },
	{ "intmeth.dat", "valid", VALID, 0, "" },
	{ "esc01.dat", "valid", VALID, 0, "" },
	{ "escnull.dat", "valid", VALID, 0, "" },
	{ "esc02.dat", "valid", VALID, 0, "" },
	{ "lwsdisp.dat", "valid", VALID, 0, "" },
	{ "longreq.dat", "valid", VALID, 0, "" },
	{ "dblreq.dat", "valid(first message only)", VALID, 0, "" },
	{ "semiuri.dat", "valid", VALID, 0, "" },
	{ "transports.dat", "valid", VALID, 0, "" },
	{ "mpart01.dat", "valid", VALID, 0, "" },
	{ "unreason.dat", "valid", VALID, 0, "" },
	{ "noreason.dat", "valid", VALID, 0, "" },
	{ "badinv01.dat", "invalid", INVALID, BVAL, "Via ';;,;,,', Contact ';;;;'" },
	{ "clerr.dat", "invalid", INVALID, BCLEN, "Content-Length 9999 > body" },
	{ "ncl.dat", "invalid", INVALID, BCLEN, "Content-Length -999" },
	{ "scalar02.dat", "invalid", INVALID, BCSEQ | BVAL, "CSeq >= 2**31, Max-Forwards 300" },
	{ "scalarlg.dat", "invalid", INVALID, BCSEQ, "CSeq >= 2**31" },
	{ "quotbal.dat", "invalid", INVALID, BVAL, "To: unterminated quoted string" },
	{ "ltgtruri.dat", "invalid", INVALID, BSTART, "Request-URI in <>" },
	{ "lwsruri.dat", "invalid", INVALID, BSTART, "SP inside the Request-URI" },
	{ "lwsstart.dat", "invalid", INVALID, BSTART, "two SPs between elements" },
	{ "trws.dat", "invalid(RFC allows robust accept)", INVALID, BSTART, "SPs after SIP/2.0" },
	{ "escruri.dat", "invalid", INVALID, BSTART, "headers (?) in a sip Request-URI" },
	{ "baddate.dat", "invalid", INVALID, BVAL, "Date in EST" },
	{ "regbadct.dat", "invalid", INVALID, BVAL, "addr-spec with '?' outside <>" },
	{ "badaspec.dat", "invalid", INVALID, BVAL, "SP inside <>" },
	{ "baddn.dat", "invalid", INVALID, BVAL | NOEND, "',' in display name; no CRLF end" },
	{ "badvers.dat", "invalid", INVALID, BVERS, "SIP/7.0" },
	{ "mismatch01.dat", "invalid", INVALID, BCSEQ, "CSeq INVITE on OPTIONS" },
	{ "mismatch02.dat", "invalid", INVALID, BCSEQ, "CSeq INVITE on NEWMETHOD" },
	{ "bigcode.dat", "invalid", INVALID, BSTART, "status 4294967301" },
	{ "badbranch.dat", "semantic-transaction", SEMANTIC, 0, "" },
	{ "insuf.dat", "semantic-app", SEMANTIC, MISS, "no To, From, Call-ID" },
	{ "unkscm.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "novelsc.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "unksm2.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "bext01.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "invut.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "regaut01.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "multi01.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "mcl01.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "bcast.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "zeromf.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "cparam01.dat", "semantic-app(valid)", SEMANTIC, 0, "" },
	{ "cparam02.dat", "semantic-app(valid)", SEMANTIC, 0, "" },
	{ "regescrt.dat", "semantic-app(valid)", SEMANTIC, 0, "" },
	{ "sdp01.dat", "semantic-app", SEMANTIC, 0, "" },
	{ "inv2543.dat", "valid(backward-compat)", VALID, 0, "" },
};

/* Rows whose expectation we cannot honour, with the reason.  None. */
static const struct {
	const char *file, *reason;
} cannot_honour[] = {
	{ NULL, NULL },
};

static int listed_cannot_honour(const char *file)
{
	size_t i;

	for (i = 0; i < N_ELEMS(cannot_honour); i++)
		if (cannot_honour[i].file && strcmp(cannot_honour[i].file, file) == 0)
			return 1;
	return 0;
}

static int corpus_dir(char *out, size_t outlen)
{
	const char *dir = getenv("SIPFED_CORPORA");

	if (!dir || !*dir) {
		print_message("SIPFED_CORPORA is not set: skipping the RFC 4475 corpus\n");
		return -1;
	}
	snprintf(out, outlen, "%s/rfc4475", dir);
	return 0;
}

/* Does the row behave as its category requires? */
static int row_ok(enum want want, int rc, unsigned flags)
{
	switch (want) {
	case VALID:
		return rc == 0 && flags == 0;
	case INVALID:
		return rc < 0 || flags != 0;
	case SEMANTIC:
		return rc == 0;
	}
	return 0;
}

/* Extra facts about some valid messages. */
static void check_details(const char *file, const char *buf, size_t len, const sf_sip_msg *m)
{
	char host[256];

	if (strcmp(file, "wsinv.dat") == 0) {
		assert_span(m->method, "INVITE");
		assert_span(sf_sip_header_get(m, "call-id"), "wsinv.ndaksdj@192.0.2.1");
		assert_span(sf_sip_header_get(m, "s"), "");
		assert_int_equal(m->body_len, 150);
		assert_int_equal(m->header_len + m->body_len, len);
		assert_int_equal(sf_sip_uri_host(sf_sip_header_get(m, "From"), host, sizeof(host)),
				 0);
		assert_string_equal(host, "example.com");
		/* "TO :" then the value on a folded line */
		assert_int_equal(sf_sip_uri_host(sf_sip_header_get(m, "t"), host, sizeof(host)), 0);
		assert_string_equal(host, "chair-dnrc.example.com");
	} else if (strcmp(file, "dblreq.dat") == 0) {
		/* only the first message: the second starts after its empty line */
		assert_span(m->method, "REGISTER");
		assert_int_equal(m->body_len, 0);
		assert_true(m->header_len + 9 < len);
		assert_memory_equal(buf + m->header_len, "\r\nINVITE ", 9);
	} else if (strcmp(file, "mpart01.dat") == 0) {
		assert_int_equal(m->body_len, 553);
		assert_int_equal(m->header_len + 553, len);
	} else if (strcmp(file, "longreq.dat") == 0) {
		assert_int_equal(m->n_h, 43);
		assert_span(m->h[6].name, "v");
		assert_int_equal(sf_sip_uri_host(sf_sip_header_get(m, "f"), host, sizeof(host)), 0);
		assert_string_equal(host, "example.net");
	} else if (strcmp(file, "noreason.dat") == 0) {
		assert_false(m->is_request);
		assert_int_equal(m->status, 100);
		assert_span(m->reason, "");
	} else if (strcmp(file, "esc02.dat") == 0) {
		assert_span(m->method, "RE%47IST%45R");
		assert_span(sf_sip_header_get(m, "Content-Length"), "0"); /* "l: 0" */
	}
}

/* Parse every prefix of @buf in both modes: no crash, invariants hold. */
static void parse_prefixes(const char *buf, size_t len)
{
	sf_sip_header h[MAX_H];
	sf_sip_msg m;
	size_t cut;
	int strict, rc;

	for (cut = 0; cut <= len; cut++) {
		char *p = dup_exact(buf, cut);

		for (strict = 0; strict <= 1; strict++) {
			rc = sf_sip_parse(p, cut, h, MAX_H, strict, &m);
			check_invariants(p, cut, rc, &m, MAX_H);
		}
		free(p);
	}
}

/* The message with every CRLF turned into LF. */
static char *to_lf(const char *buf, size_t len, size_t *out_len)
{
	char *p = malloc(len ? len : 1);
	size_t i, o = 0;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			continue;
		p[o++] = buf[i];
	}
	*out_len = o;
	return p;
}

static void test_rfc4475_manifest(void **state)
{
	char dir[1024], path[1200], line[512];
	int seen[N_ELEMS(rfc4475)] = { 0 };
	int rows = 0, bad = 0;
	size_t i;
	FILE *fp;

	(void)state;
	if (corpus_dir(dir, sizeof(dir)) < 0)
		skip();
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	fp = fopen(path, "r");
	if (!fp) {
		print_message("cannot read '%s': %s: skipping the RFC 4475 corpus\n", path,
			      strerror(errno));
		skip();
	}
	while (fgets(line, sizeof(line), fp)) {
		char *f[4], *nl, *p = line;
		int k;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (line[0] == '#' || strncmp(line, "file\t", 5) == 0 || line[0] == '\0')
			continue;
		for (k = 0; k < 4; k++) {
			f[k] = p;
			p = strchr(p, '\t');
			if (k < 3) {
				assert_non_null(p);
				*p++ = '\0';
			}
		}
		for (i = 0; i < N_ELEMS(rfc4475); i++)
			if (strcmp(rfc4475[i].file, f[0]) == 0)
				break;
		if (i == N_ELEMS(rfc4475))
			fail_msg("manifest row %s is not pinned in test_sip.c", f[0]);
		assert_string_equal(rfc4475[i].expected, f[3]);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		rows++;
	}
	fclose(fp);
	assert_int_equal(rows, N_ELEMS(rfc4475));

	for (i = 0; i < N_ELEMS(rfc4475); i++) {
		sf_sip_header h[MAX_H];
		sf_sip_msg m;
		size_t len, lflen;
		char *buf, *lf;
		int rc, ok;

		snprintf(path, sizeof(path), "%s/%s", dir, rfc4475[i].file);
		buf = read_file(path, &len);
		rc = sf_sip_parse(buf, len, h, MAX_H, 1, &m);
		check_invariants(buf, len, rc, &m, MAX_H);
		ok = row_ok(rfc4475[i].want, rc, m.flags) && rc == 0 && m.flags == rfc4475[i].flags;
		print_message("%-16s %-34s rc=%d flags=0x%03x %s%s\n", rfc4475[i].file,
			      rfc4475[i].expected, rc, m.flags, ok ? "ok" : "WRONG ",
			      ok ? "" : rfc4475[i].why);
		if (ok == listed_cannot_honour(rfc4475[i].file)) {
			bad++;
		} else if (ok) {
			check_details(rfc4475[i].file, buf, len, &m);
			/* the lenient parser accepts every valid message too */
			if (rfc4475[i].want == VALID) {
				rc = sf_sip_parse(buf, len, h, MAX_H, 0, &m);
				assert_int_equal(rc, 0);
				assert_int_equal(m.flags, 0);
			}
		}
		/* LF line ends: only Content-Length may now exceed the body */
		lf = to_lf(buf, len, &lflen);
		rc = sf_sip_parse(lf, lflen, h, MAX_H, 1, &m);
		check_invariants(lf, lflen, rc, &m, MAX_H);
		if (rfc4475[i].want == VALID) {
			assert_int_equal(rc, 0);
			assert_int_equal(m.flags & ~(unsigned)SF_SIP_BAD_CLEN, 0);
		}
		free(lf);
		parse_prefixes(buf, len);
		free(buf);
	}
	assert_int_equal(bad, 0);
}

/* ---- lenient parsing of log messages ------------------------------------ */

static void test_lenient_log_response(void **state)
{
	/* LF line ends, odd case, a folded Call-ID, no empty line at the end */
	static const char text[] =
		"SIP/2.0 504 Server time-out\n"
		"via: SIP/2.0/TLS 10.55.186.71:62937;ms-received-port=62937;ms-received-cid=6DA00\n"
		"FROM: <sip:stejanss@skype.lab>;tag=5a1d7b2b7d;epid=a7b40dd2d1\n"
		"To: <sip:alice@cms.steven.lab>;tag=EC9D9D9C2C3E\n"
		"CALL-ID: f1b3ad5d-183b-4632-b210-\n"
		"   c2f9bec71960\n"
		"CSeq: 1 INVITE\n"
		"ms-diagnostics: 1009;reason=\"No match for domain in DNS SRV results\";"
		"domain=\"cms.steven.lab\";\n"
		"  fqdn1=\"vcse.sub.cms.steven.lab:5061\";source=\"sip.skype.lab\"\n"
		"Server: RTC/6.0\n"
		"Content-Length: 0";
	sf_sip_header h[MAX_H];
	sf_sip_msg m;
	sf_msdiag d;
	char *buf, host[64];

	(void)state;
	assert_int_equal(parse_str(text, 0, h, MAX_H, &m, &buf), 0);
	assert_int_equal(m.flags, SF_SIP_NO_END);
	assert_false(m.is_request);
	assert_int_equal(m.status, 504);
	assert_span(m.reason, "Server time-out");
	assert_span(m.version, "SIP/2.0");
	assert_int_equal(m.n_h, 8);
	assert_int_equal(m.header_len, strlen(text));
	assert_int_equal(m.body_len, 0);
	assert_unfolded(sf_sip_header_get(&m, "Call-ID"), "f1b3ad5d-183b-4632-b210-c2f9bec71960");
	assert_unfolded(sf_sip_header_get(&m, "i"), "f1b3ad5d-183b-4632-b210-c2f9bec71960");
	assert_span(sf_sip_header_get(&m, "SERVER"), "RTC/6.0");
	assert_int_equal(sf_sip_uri_host(sf_sip_header_get(&m, "f"), host, sizeof(host)), 0);
	assert_string_equal(host, "skype.lab");
	assert_int_equal(sf_msdiag_parse(sf_sip_header_get(&m, "ms-diagnostics"), &d), 0);
	assert_int_equal(d.code, 1009);
	assert_int_equal(d.n_params, 4);
	assert_unfolded(sf_sip_param_get(d.params, d.n_params, "fqdn1"),
			"vcse.sub.cms.steven.lab:5061");
	assert_int_equal(d.used, sf_sip_header_get(&m, "ms-diagnostics").n);
	free(buf);
}

static void test_lenient_start_lines(void **state)
{
	static const struct {
		const char *text;
		int rc;
		unsigned lenient, strict;
		const char *method, *uri;
		int status;
	} rows[] = {
		/* indented, runs of SP/HT, trailing blanks: fine for logs, not for RFC 3261 */
		{ "   INVITE \t sip:bob@skype.lab  SIP/2.0  \r\nVia: SIP/2.0/TLS h;branch=z\r\n"
		  "To: <sip:b@x>\r\nFrom: <sip:a@y>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n",
		  0, 0, BSTART, "INVITE", "sip:bob@skype.lab", 0 },
		/* leading empty lines are skipped (RFC 3261 §7.5) */
		{ "\r\n\r\nOPTIONS sip:skype.lab SIP/2.0\r\nVia: SIP/2.0/TLS h;branch=z\r\n"
		  "To: <sip:b@x>\r\nFrom: <sip:a@y>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		  0, 0, 0, "OPTIONS", "sip:skype.lab", 0 },
		/* a response without reason phrase and without the SP before it */
		{ "SIP/2.0 200\nVia: SIP/2.0/TLS h;branch=z\nTo: <sip:b@x>\nFrom: <sip:a@y>;tag=1\n"
		  "Call-ID: c\nCSeq: 1 OPTIONS\n\n",
		  0, 0, BSTART, NULL, NULL, 200 },
		/* status codes that are not 3 digits in 100..699 */
		{ "SIP/2.0 5040 Server time-out\n\n", 0, BSTART | MISS, BSTART | MISS, NULL, NULL,
		  0 },
		{ "SIP/2.0 099 x\n\n", 0, BSTART | MISS, BSTART | MISS, NULL, NULL, 0 },
		{ "SIP/2.0 Server time-out\n\n", 0, BSTART | MISS, BSTART | MISS, NULL, NULL, 0 },
		{ "sip/2.0 180 Ringing\n\n", 0, MISS, MISS, NULL, NULL, 180 },
		{ "SIP/3.0 180 Ringing\n\n", 0, BVERS | MISS, BVERS | MISS, NULL, NULL, 180 },
		{ "INVITE SIP/2.0\n\n", 0, BSTART | MISS, BSTART | MISS, "INVITE", "", 0 },
		{ "INVITE sip:a@b SIP/2\n\n", 0, BVERS | MISS, BVERS | BSTART | MISS, "INVITE",
		  "sip:a@b", 0 },
		/* not SIP at all */
		{ "", -1, 0, 0, NULL, NULL, 0 },
		{ "\r\n \r\n\t\n", -1, 0, 0, NULL, NULL, 0 },
		{ "hello world\n", -1, 0, 0, NULL, NULL, 0 },
		{ "SIP-Start-Line: INVITE sip:stejanss@skype.lab SIP/2.0\n", -1, 0, 0, NULL, NULL,
		  0 },
		{ "SIP/2.0/TLS 10.55.186.71:62937;branch=z9hG4bK\n", -1, 0, 0, NULL, NULL, 0 },
		{ "INVITE\n", -1, 0, 0, NULL, NULL, 0 },
		{ "INVITE sip:a@b HTTP/1.1\r\n\r\n", -1, 0, 0, NULL, NULL, 0 },
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", -1, 0, 0, NULL, NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		sf_sip_header h[MAX_H];
		sf_sip_msg m;
		char *buf;
		int strict;

		for (strict = 0; strict <= 1; strict++) {
			int rc = parse_str(rows[i].text, strict, h, MAX_H, &m, &buf);

			unsigned want = strict ? rows[i].strict : rows[i].lenient;

			if (rc != rows[i].rc || m.flags != want)
				fail_msg("row %zu strict=%d: rc=%d flags=0x%x", i, strict, rc,
					 m.flags);
			if (rc == 0) {
				assert_int_equal(m.is_request, rows[i].method != NULL);
				if (rows[i].method) {
					assert_span(m.method, rows[i].method);
					assert_span(m.uri, rows[i].uri);
				}
				assert_int_equal(m.status, rows[i].status);
			}
			free(buf);
		}
	}
}

/* A line of a log message broken by a PDF: kept with the header before it. */
static void test_lenient_broken_lines(void **state)
{
	static const char text[] =
		"SIP/2.0 504 Server time-out\r\n"
		"ms-diagnostics: 1010;reason=\"Certificate trust with another server could not be "
		"established\";ErrorType=\"The peer\r\n"
		"certificate does not contain a matching FQDN\";\r\n"
		"     tls-target=\"vcse.cms.steven.lab\";PeerServer=\"vcse.steven.lab\";"
		"HRESULT=\"0x80090322(SEC_E_WRONG_PRINCIPAL)\";source=\"sip.skype.lab\"\r\n"
		"Via: SIP/2.0/TLS h;branch=z\r\nTo: <sip:b@x>\r\nFrom: <sip:a@y>;tag=1\r\n"
		"Call-ID: c\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	sf_sip_header h[MAX_H];
	sf_sip_msg m;
	sf_msdiag d;
	char *buf;

	(void)state;
	assert_int_equal(parse_str(text, 0, h, MAX_H, &m, &buf), 0);
	assert_int_equal(m.flags, SF_SIP_BAD_HEADER);
	assert_int_equal(m.n_h, 7);
	assert_int_equal(sf_msdiag_parse(sf_sip_header_get(&m, "MS-Diagnostics"), &d), 0);
	assert_int_equal(d.code, 1010);
	assert_int_equal(d.n_params, 6);
	assert_unfolded(sf_sip_param_get(d.params, d.n_params, "errortype"),
			"The peer certificate does not contain a matching FQDN");
	assert_span(sf_sip_param_get(d.params, d.n_params, "HRESULT"),
		    "0x80090322(SEC_E_WRONG_PRINCIPAL)");
	assert_span(sf_sip_param_get(d.params, d.n_params, "tls-target"), "vcse.cms.steven.lab");
	assert_int_equal(m.header_len, strlen(text));
	free(buf);
}

static void test_too_many_and_clen(void **state)
{
	static const char text[] =
		"INVITE sip:bob@skype.lab SIP/2.0\r\nVia: SIP/2.0/TLS h;branch=z\r\n"
		"To: <sip:b@x>\r\nFrom: <sip:a@y>;tag=1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 12\r\n\r\nhello";
	sf_sip_header h[3];
	sf_sip_msg m;
	char *buf;

	(void)state;
	/* the headers beyond the array are still checked (no MISSING) */
	assert_int_equal(parse_str(text, 0, h, 3, &m, &buf), 0);
	assert_int_equal(m.flags, SF_SIP_TOO_MANY | SF_SIP_BAD_CLEN);
	assert_int_equal(m.n_h, 3);
	assert_span(sf_sip_header_get(&m, "From"), "<sip:a@y>;tag=1");
	assert_null(sf_sip_header_get(&m, "Call-ID").p);
	/* Content-Length beyond the data: clamped to what is there */
	assert_int_equal(m.body_len, 5);
	assert_int_equal(m.header_len + m.body_len, strlen(text));
	free(buf);

	/* no header array at all */
	assert_int_equal(parse_str(text, 0, NULL, 0, &m, &buf), 0);
	assert_int_equal(m.n_h, 0);
	assert_int_equal(m.flags, SF_SIP_TOO_MANY | SF_SIP_BAD_CLEN);
	free(buf);
	assert_int_equal(sf_sip_parse(NULL, 0, h, 3, 0, &m), -1);
	assert_int_equal(sf_sip_parse(text, strlen(text), h, 3, 0, NULL), -1);
}

/* ---- strict checks, one per row ---------------------------------------- */

static const char strict_base[] =
	"INVITE sip:bob@skype.lab SIP/2.0\r\n"
	"Via: SIP/2.0/TLS vcse.acano.steven.lab:5061;branch=z9hG4bK776asdhds\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@skype.lab>\r\n"
	"From: \"Alice\" <sip:alice@acano.steven.lab>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@vcse.acano.steven.lab\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@vcse.acano.steven.lab;transport=tls>\r\n"
	"Record-Route: <sip:vcse.acano.steven.lab;lr>\r\n"
	"Date: Thu, 02 Mar 2017 06:30:40 GMT\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"hello";

static const struct {
	const char *from, *to;
	unsigned strict, lenient;
} strict_rows[] = {
	{ "", "", 0, 0 }, /* the base message itself */
	/* start line */
	{ "SIP/2.0\r\nVia", "SIP/2.1\r\nVia", BVERS, BVERS },
	{ "sip:bob@skype.lab SIP", "sip:bob@skype.lab?Subject=x SIP", BSTART, 0 },
	{ "sip:bob@skype.lab SIP", "sip:b%4ob@skype.lab SIP", BSTART, 0 },
	{ "sip:bob@skype.lab SIP", "sip:b{ob}@skype.lab SIP", BSTART, 0 },
	{ "sip:bob@skype.lab SIP", "sip:bob;x=?@skype.lab SIP", 0, 0 }, /* '?' in the user part */
	{ "sip:bob@skype.lab SIP", "<sip:bob@skype.lab> SIP", BSTART, 0 },
	{ "sip:bob@skype.lab SIP", "1sip:bob@skype.lab SIP", BSTART, 0 },
	{ "INVITE sip", "INVITE\tsip", BSTART, 0 },
	{ "SIP/2.0\r\nVia", "SIP/2.0 \r\nVia", BSTART, 0 },
	{ "INVITE sip", " INVITE sip", BSTART, 0 },
	{ "INVITE sip", "INV(TE sip", 0, 0 }, /* not a start line at all: rows below */
	/* Via */
	{ "SIP/2.0/TLS vcse", "SIP / 2.0 /\r\n TLS\r\n vcse", 0, 0 },
	{ "SIP/2.0/TLS vcse", "SIP/2.0 vcse", BVAL, 0 },
	{ "SIP/2.0/TLS vcse", "SIP/2.0/TLSvcse", BVAL, 0 },
	{ ":5061;branch", ":70000;branch", BVAL, 0 },
	{ ";branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds;;", BVAL, 0 },
	{ ";branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds,", BVAL, 0 },
	{ ";branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds;received=[2001:db8::9]", 0, 0 },
	{ ";branch=z9hG4bK776asdhds", ";branch=z9hG4bK776asdhds, SIP/2.0/UDP 192.0.2.1", 0, 0 },
	/* Max-Forwards */
	{ "Max-Forwards: 70", "Max-Forwards: 256", BVAL, 0 },
	{ "Max-Forwards: 70", "Max-Forwards: 7a", BVAL, 0 },
	{ "Max-Forwards: 70", "Max-Forwards:\r\n 0255", 0, 0 },
	/* To / From / Contact / Record-Route */
	{ "To: Bob <", "To: Bob, Jr <", BVAL, 0 },
	{ "To: Bob <", "To: \"Bob <", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: < sip:bob@skype.lab>", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: <sip:bob@skype.lab >", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: sip:bob@skype.lab?x=y", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: sip:bob@skype.lab ; tag = 7", 0, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: <sip:bob@skype.lab>, <sip:c@d>", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: <sip:bob@skype.lab;tag=1", BVAL, 0 },
	{ "To: Bob <sip:bob@skype.lab>", "To: \"B\\\"o\\\\b\"<sip:bob@skype.lab>", 0, 0 },
	{ "tag=1928301774", "tag=1928301774;;", BVAL, 0 },
	{ "tag=1928301774", "tag=", BVAL, 0 },
	{ "tag=1928301774", "tag=\"1928301774", BVAL, 0 },
	{ "tag=1928301774", "tag=\"19283\\\"01774\"", 0, 0 },
	{ ";branch=z9hG4bK776asdhds", ";branch=\"z9hG4bK776asdhds", BVAL, 0 },
	{ "Contact: <sip:alice@vcse.acano.steven.lab;transport=tls>", "Contact: *", 0, 0 },
	{ "Contact: <sip:alice@vcse.acano.steven.lab;transport=tls>",
	  "Contact: <sip:a@b>;q=0.5, \"C\" <sip:c@d>;expires=60", 0, 0 },
	{ "Contact: <sip:alice@vcse.acano.steven.lab;transport=tls>", "Contact: <sip:a@b>,", BVAL,
	  0 },
	{ "Record-Route: <sip:vcse.acano.steven.lab;lr>", "Record-Route: sip:vcse.acano.steven.lab",
	  BVAL, 0 },
	/* Date, Call-ID */
	{ "06:30:40 GMT", "06:30:40 EST", BVAL, 0 },
	{ "Thu, 02 Mar", "Thu, 02 Mrz", BVAL, 0 },
	{ "Thu, 02 Mar", "Thu,  2 Mar", BVAL, 0 },
	{ "Call-ID: a84b", "Call-ID: a8 4b", BVAL, 0 },
	/* CSeq (both modes) */
	{ "CSeq: 314159 INVITE", "CSeq: 314159 ACK", BCSEQ, BCSEQ },
	{ "CSeq: 314159 INVITE", "CSeq: 314159 invite", BCSEQ, BCSEQ },
	{ "CSeq: 314159 INVITE", "CSeq: 2147483648 INVITE", BCSEQ, BCSEQ },
	{ "CSeq: 314159 INVITE", "CSeq: 2147483647\r\n INVITE", 0, 0 },
	{ "CSeq: 314159 INVITE", "CSeq: 314159INVITE", BCSEQ, BCSEQ },
	{ "CSeq: 314159 INVITE", "CSeq: INVITE", BCSEQ, BCSEQ },
	{ "CSeq: 314159 INVITE", "CSeq: 1 INVITE x", BCSEQ, BCSEQ },
	/* Content-Length (both modes) */
	{ "Content-Length: 5", "Content-Length: 6", BCLEN, BCLEN },
	{ "Content-Length: 5", "Content-Length: -5", BCLEN, BCLEN },
	{ "Content-Length: 5", "Content-Length: 99999999999999999999999", BCLEN, BCLEN },
	{ "Content-Length: 5", "l: 4", 0, 0 },
	{ "Content-Length: 5", "Content-Length: 5 \r\nContent-Length: 9", 0, 0 },
	/* header lines */
	{ "To: Bob <sip:bob@skype.lab>\r\n", "", MISS, MISS },
	{ "Via: ", "Via : ", 0, 0 },
	{ "Via: ", "v: ", 0, 0 },
	{ "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nno colon here\r\n", BHDR | BVAL, BHDR },
	{ "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n: empty name\r\n", BHDR | BVAL, BHDR },
	{ "SIP/2.0\r\nVia", "SIP/2.0\r\n folded start\r\nVia", BHDR, BHDR },
	{ "\r\n\r\nhello", "\r\n  \r\nhello", BHDR, 0 },
	{ "\r\n\r\nhello", "\r\n", NOEND, NOEND },
};

/* @base with the first @from replaced by @to, in an exact-size heap buffer. */
static char *replace(const char *base, const char *from, const char *to, size_t *out_len)
{
	const char *at = *from ? strstr(base, from) : base;
	size_t bl = strlen(base), fl = strlen(from), tl = strlen(to), pre;
	char *p;

	assert_non_null(at);
	pre = (size_t)(at - base);
	*out_len = bl - fl + tl;
	p = malloc(*out_len ? *out_len : 1);
	assert_non_null(p);
	memcpy(p, base, pre);
	memcpy(p + pre, to, tl);
	memcpy(p + pre + tl, at + fl, bl - pre - fl);
	return p;
}

static void test_strict_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(strict_rows); i++) {
		sf_sip_header h[MAX_H];
		sf_sip_msg m;
		size_t len;
		char *buf = replace(strict_base, strict_rows[i].from, strict_rows[i].to, &len);
		int rc, strict;

		for (strict = 0; strict <= 1; strict++) {
			unsigned want = strict ? strict_rows[i].strict : strict_rows[i].lenient;

			rc = sf_sip_parse(buf, len, h, MAX_H, strict, &m);
			check_invariants(buf, len, rc, &m, MAX_H);
			if (strcmp(strict_rows[i].to, "INV(TE sip") == 0) {
				assert_int_equal(rc, -1);
				continue;
			}
			if (rc != 0 || m.flags != want)
				fail_msg("row %zu (%s) strict=%d: rc=%d flags=0x%x, want 0x%x", i,
					 strict_rows[i].to, strict, rc, m.flags, want);
		}
		free(buf);
	}
}

/* ---- compact forms ------------------------------------------------------ */

static void test_compact_forms(void **state)
{
	static const char text[] =
		"NOTIFY sip:bob@skype.lab SIP/2.0\r\n"
		"v: SIP/2.0/TLS h;branch=z9hG4bK1\r\n"
		"i: callid-1\r\n"
		"f: <sip:a@acano.steven.lab>;tag=1\r\n"
		"t: <sip:bob@skype.lab>\r\n"
		"CSeq: 3 NOTIFY\r\n"
		"m: <sip:a@vcse.acano.steven.lab>\r\n"
		"c: text/plain\r\n"
		"e: gzip\r\n"
		"k: 100rel\r\n"
		"s: lunch\r\n"
		"o: presence\r\n"
		"u: dialog\r\n"
		"r: <sip:carol@skype.lab>\r\n"
		"b: <sip:bob@skype.lab>\r\n"
		"x: 1800\r\n"
		"L: 0\r\n\r\n";
	static const struct {
		const char *q1, *q2, *value;
	} rows[] = {
		{ "Call-ID", "i", "callid-1" },
		{ "From", "F", "<sip:a@acano.steven.lab>;tag=1" },
		{ "to", "t", "<sip:bob@skype.lab>" },
		{ "VIA", "v", "SIP/2.0/TLS h;branch=z9hG4bK1" },
		{ "Content-Length", "l", "0" },
		{ "Contact", "m", "<sip:a@vcse.acano.steven.lab>" },
		{ "Content-Type", "c", "text/plain" },
		{ "Content-Encoding", "e", "gzip" },
		{ "Supported", "k", "100rel" },
		{ "Subject", "s", "lunch" },
		{ "Event", "o", "presence" },
		{ "Allow-Events", "u", "dialog" },
		{ "Refer-To", "r", "<sip:carol@skype.lab>" },
		{ "Referred-By", "b", "<sip:bob@skype.lab>" },
		{ "Session-Expires", "x", "1800" },
		{ "cseq", "CSEQ", "3 NOTIFY" },
	};
	sf_sip_header h[MAX_H];
	sf_sip_msg m;
	char *buf;
	size_t i;

	(void)state;
	assert_int_equal(parse_str(text, 1, h, MAX_H, &m, &buf), 0);
	assert_int_equal(m.flags, 0);
	for (i = 0; i < N_ELEMS(rows); i++) {
		assert_span(sf_sip_header_get(&m, rows[i].q1), rows[i].value);
		assert_span(sf_sip_header_get(&m, rows[i].q2), rows[i].value);
	}
	assert_null(sf_sip_header_get(&m, "Max-Forwards").p);
	assert_null(sf_sip_header_get(&m, "a").p);
	assert_null(sf_sip_header_get(&m, "").p);
	assert_null(sf_sip_header_get(&m, NULL).p);
	assert_null(sf_sip_header_get(NULL, "To").p);
	free(buf);
}

/* ---- URI host ----------------------------------------------------------- */

static void test_uri_host(void **state)
{
	static const struct {
		const char *value, *host; /* host NULL: -1 */
	} rows[] = {
		{ "\"A\" <sip:a@acano.steven.lab>;tag=1", "acano.steven.lab" },
		{ "<sip:vcse.Acano.Steven.LAB:5061;transport=tls>", "vcse.acano.steven.lab" },
		{ "sip:bob@Skype.lab;tag=x", "skype.lab" },
		{ "  SIPS:bob@skype.lab", "skype.lab" },
		{ "<tel:+15551234>, <sip:u@x.example>", "x.example" },
		{ "Bob <sip:bob@[2001:db8::1]:5061>", "2001:db8::1" },
		{ "\"<sip:fake@evil.example>\" <sip:real@good.lab>", "good.lab" },
		{ "sip:user;par=u%40example.net@example.com", "example.com" },
		{ "<sip:alice@acano.steven.lab", "acano.steven.lab" },
		{ "<sip:a@b.lab?Route=x>", "b.lab" },
		{ "sip:skype.lab", "skype.lab" },
		{ "<http://www.example.com>", NULL },
		{ "<tel:+15551234>", NULL },
		{ "tel:+15551234", NULL },
		{ "", NULL },
		{ "<sip:@>", NULL },
		{ "<sip:a@>", NULL },
		{ "<sip:a@b/c>", NULL },
		{ "<sip:a@[2001:db8::1>", NULL },
		{ "\"unterminated <sip:a@b>", NULL },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		size_t n = strlen(rows[i].value);
		char *v = dup_exact(rows[i].value, n);
		int rc = sf_sip_uri_host((sf_span){ v, n }, out, sizeof(out));

		if (rows[i].host) {
			if (rc != 0)
				fail_msg("row %zu: %s: no host", i, rows[i].value);
			assert_string_equal(out, rows[i].host);
		} else if (rc != -1) {
			fail_msg("row %zu: %s: host %s", i, rows[i].value, out);
		}
		free(v);
	}
	/* the host must fit with its NUL */
	assert_int_equal(sf_sip_uri_host((sf_span){ "sip:a@abcd", 10 }, out, 5), 0);
	assert_string_equal(out, "abcd");
	assert_int_equal(sf_sip_uri_host((sf_span){ "sip:a@abcd", 10 }, out, 4), -1);
	assert_int_equal(sf_sip_uri_host((sf_span){ "sip:a@abcd", 10 }, NULL, 4), -1);
	assert_int_equal(sf_sip_uri_host(SF_SPAN_NULL, out, sizeof(out)), -1);
}

/* ---- ms-diagnostics ----------------------------------------------------- */

static void parse_diag(const char *text, sf_msdiag *d, char **out_buf, int want_rc)
{
	size_t n = strlen(text);
	char *buf = dup_exact(text, n);
	size_t i;

	assert_int_equal(sf_msdiag_parse((sf_span){ buf, n }, d), want_rc);
	assert_true(d->used <= n);
	assert_true(d->n_params <= SF_MSDIAG_MAX_PARAMS);
	for (i = 0; i < d->n_params; i++) {
		assert_true(span_in(d->params[i].key, buf, n));
		assert_true(span_in(d->params[i].value, buf, n));
	}
	*out_buf = buf;
}

/* The form of the seed document: a flattened message pasted from a PDF. */
static void test_msdiag_seed_1009(void **state)
{
	static const char text[] =
		" 1009;\n     reason=\"No match for domain in DNS SRV results\";\n     domain=\"\n"
		"     cms.steven.lab\";\n     fqdn1=\"\n     vcse.sub.cms.steven.lab:5061\";"
		"source=\"sip.skype.lab\" Server: RTC/6.0 Content-Length: 0";
	static const char *keys[] = { "reason", "domain", "fqdn1", "source" };
	static const char *values[] = { "No match for domain in DNS SRV results", "cms.steven.lab",
					"vcse.sub.cms.steven.lab:5061", "sip.skype.lab" };
	sf_msdiag d;
	char *buf;
	size_t i;

	(void)state;
	parse_diag(text, &d, &buf, 0);
	assert_int_equal(d.code, 1009);
	assert_int_equal(d.n_params, 4);
	for (i = 0; i < 4; i++) {
		assert_unfolded(d.params[i].key, keys[i]);
		assert_unfolded(d.params[i].value, values[i]);
	}
	assert_span(d.reason, "No match for domain in DNS SRV results");
	/* the list ends at " Server:" */
	assert_string_equal(text + d.used, " Server: RTC/6.0 Content-Length: 0");
	free(buf);
}

static void test_msdiag_seed_1010(void **state)
{
	/* double-spaced, as another rendering of the seed shows it; trailing SPs */
	static const char text[] =
		"1010;\n\n     reason=\"Certificate trust with another server could not be "
		"established\";ErrorType=\"The peer  \n\ncertificate does not contain a matching "
		"FQDN\";\n\n     tls-target=\"\n\n     vcse.cms.steven.lab\";\n\n"
		"     PeerServer=\"\n"
		"\n\n     vcse.steven.lab\";HRESULT=\"0x80090322(SEC_E_WRONG_PRINCIPAL)\";"
		"source=\"sip.skype.lab\" Server:\n\n RTC/6.0 Content-Length: 0";
	sf_msdiag d;
	char *buf;

	(void)state;
	parse_diag(text, &d, &buf, 0);
	assert_int_equal(d.code, 1010);
	assert_int_equal(d.n_params, 6);
	assert_unfolded(d.reason, "Certificate trust with another server could not be established");
	assert_unfolded(sf_sip_param_get(d.params, d.n_params, "ErrorType"),
			"The peer certificate does not contain a matching FQDN");
	assert_unfolded(sf_sip_param_get(d.params, d.n_params, "tls-target"),
			"vcse.cms.steven.lab");
	assert_unfolded(sf_sip_param_get(d.params, d.n_params, "peerserver"), "vcse.steven.lab");
	assert_span(sf_sip_param_get(d.params, d.n_params, "HRESULT"),
		    "0x80090322(SEC_E_WRONG_PRINCIPAL)");
	assert_span(sf_sip_param_get(d.params, d.n_params, "source"), "sip.skype.lab");
	assert_null(sf_sip_param_get(d.params, d.n_params, "domain").p);
	assert_string_equal(text + d.used, " Server:\n\n RTC/6.0 Content-Length: 0");
	free(buf);
}

static void test_msdiag_rows(void **state)
{
	static const struct {
		const char *text;
		int rc, code;
		size_t n_params;
		const char *rest;   /* the bytes after d.used */
		const char *key, *value; /* one pair to look up (raw value) */
	} rows[] = {
		{ "1009", 0, 1009, 0, "", NULL, NULL },
		{ "1009\r\n", 0, 1009, 0, "\r\n", NULL, NULL },
		{ "  1046;reason=\"x\";code=5;x=", 0, 1046, 3, "", "code", "5" },
		{ "1047;HRESULT=0x80090322(SEC_E_WRONG_PRINCIPAL) Server: x", 0, 1047, 1,
		  " Server: x", "hresult", "0x80090322(SEC_E_WRONG_PRINCIPAL)" },
		{ "1034;reason=\"Previous hop federated peer did not report diagnostic "
		  "information\";"
		  "Domain=\"skype.lab\";PeerServer=\"sip.skype.lab\";source=\"sip.steven.lab\"",
		  0, 1034, 4, "", "domain", "skype.lab" },
		{ "1009;reason=\"a\";", 0, 1009, 1, ";", "reason", "a" },
		{ "1009;reason=\"a\" $$end_record", 0, 1009, 1, " $$end_record", "reason", "a" },
		{ "1009;reason=\"a\"\nCSeq: 1 INVITE", 0, 1009, 1, "\nCSeq: 1 INVITE", NULL, NULL },
		{ "1009;reason=\"a\"\n  domain=\"b\"\nServer: x", 0, 1009, 2, "\nServer: x",
		  "domain", "b" },
		{ "1009;reason=\"a\" domain=\"b\"", 0, 1009, 2, "", "domain", "b" },
		{ "1009 ; reason = \"a\" ; domain = b", 0, 1009, 2, "", "domain", "b" },
		{ "1009;reason=\"abc", 0, 1009, 1, "", "reason", "abc" },
		{ "1009;reason=\"a \\\"q\\\" b\";domain=\"x\"", 0, 1009, 2, "", "reason",
		  "a \\\"q\\\" b" },
		{ "1009;reason=\"a\";; domain=\"x\"", 0, 1009, 1, ";; domain=\"x\"", NULL, NULL },
		{ "1009;expected-\n fqdn=\"vcse.acano.steven.lab\"", 0, 1009, 1, "",
		  "expected-fqdn", "vcse.acano.steven.lab" },
		{ "1009;Peer\n   Server=\"vcse.steven.lab\"", 0, 1009, 1, "", "PeerServer",
		  "vcse.steven.lab" },
		{ "1009;reason\n\"x\"", 0, 1009, 0, ";reason\n\"x\"", NULL, NULL },
		{ "1009,1010;reason=\"x\"", 0, 1009, 0, ",1010;reason=\"x\"", NULL, NULL },
		{ "", -1, -1, 0, "", NULL, NULL },
		{ " \n ", -1, -1, 0, " \n ", NULL, NULL },
		{ "ms-diagnostics: 1009", -1, -1, 0, "ms-diagnostics: 1009", NULL, NULL },
		{ "1234567890;reason=\"x\"", -1, -1, 0, "1234567890;reason=\"x\"", NULL, NULL },
		{ "1009x;reason=\"x\"", -1, -1, 0, "1009x;reason=\"x\"", NULL, NULL },
		{ "reason=\"x\"", -1, -1, 0, "reason=\"x\"", NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		sf_msdiag d;
		char *buf;
		size_t n = strlen(rows[i].text);

		parse_diag(rows[i].text, &d, &buf, rows[i].rc);
		if (d.code != rows[i].code || d.n_params != rows[i].n_params ||
		    strlen(rows[i].rest) != n - d.used ||
		    memcmp(buf + d.used, rows[i].rest, n - d.used) != 0)
			fail_msg("row %zu (%s): code %d, %zu params, rest '%.*s'", i, rows[i].text,
				 d.code, d.n_params, (int)(n - d.used), buf + d.used);
		if (rows[i].key)
			assert_span(sf_sip_param_get(d.params, d.n_params, rows[i].key),
				    rows[i].value);
		free(buf);
	}
	assert_int_equal(sf_msdiag_parse(SF_SPAN_NULL, NULL), -1);
}

/* More parameters than the array holds: the rest are skipped, the end is still found. */
static void test_msdiag_many(void **state)
{
	char text[2048];
	size_t o, i, n;
	sf_msdiag d;
	char *buf;

	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "1009");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, ";k%zu=\"v%zu\"", i, i);
	n = o;
	o += (size_t)snprintf(text + o, sizeof(text) - o, " Server: RTC/6.0");
	assert_true(o < sizeof(text));
	parse_diag(text, &d, &buf, 0);
	assert_int_equal(d.n_params, SF_MSDIAG_MAX_PARAMS);
	assert_int_equal(d.used, n);
	assert_span(d.params[31].value, "v31");
	free(buf);
}

/* ---- Edge Data: lists --------------------------------------------------- */

static void test_params_edge_data(void **state)
{
	static const char t1[] = "domain=\"acano.steven.lab\";fqdn1=\"vcse.steven.lab:5061\" "
				 "$$end_record";
	static const char t2[] = " expected-\nfqdn=\"vcse.acano.steven.lab\";"
				 "certName=\"vcse.steven.lab\";info=\"The peer certificate does "
				 "not\ncontain a matching FQDN\" $$end_record";
	sf_sip_param p[8];
	size_t end;
	char *buf;

	(void)state;
	buf = dup_exact(t1, strlen(t1));
	assert_int_equal(sf_sip_params_parse_end((sf_span){ buf, strlen(t1) }, p, 8, &end), 2);
	assert_span(p[0].key, "domain");
	assert_span(p[0].value, "acano.steven.lab");
	assert_span(p[1].key, "fqdn1");
	assert_span(p[1].value, "vcse.steven.lab:5061");
	assert_string_equal(t1 + end, " $$end_record");
	/* @max limits what is stored, not what is read */
	assert_int_equal(sf_sip_params_parse_end((sf_span){ buf, strlen(t1) }, p, 1, &end), 1);
	assert_string_equal(t1 + end, " $$end_record");
	assert_int_equal(sf_sip_params_parse((sf_span){ buf, strlen(t1) }, NULL, 8), 0);
	free(buf);

	buf = dup_exact(t2, strlen(t2));
	assert_int_equal(sf_sip_params_parse((sf_span){ buf, strlen(t2) }, p, 8), 3);
	assert_span(p[0].key, "expected-\nfqdn"); /* raw: callers unfold keys */
	assert_unfolded(p[0].key, "expected-fqdn");
	assert_span(sf_sip_param_get(p, 3, "Expected-FQDN"), "vcse.acano.steven.lab");
	assert_span(sf_sip_param_get(p, 3, "certname"), "vcse.steven.lab");
	assert_unfolded(sf_sip_param_get(p, 3, "info"),
			"The peer certificate does not contain a matching FQDN");
	assert_null(sf_sip_param_get(p, 3, "expected").p);
	assert_null(sf_sip_param_get(p, 3, NULL).p);
	assert_null(sf_sip_param_get(NULL, 3, "info").p);
	free(buf);

	assert_int_equal(sf_sip_params_parse_end(SF_SPAN_NULL, p, 8, &end), 0);
	assert_int_equal(end, 0);
}

/* ---- sf_span_unfold ----------------------------------------------------- */

static void test_unfold(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "cms.steven.lab", "cms.steven.lab" },
		{ "\n     cms.steven.lab", "cms.steven.lab" },
		{ "\r\n\r\n     vcse.sub.cms.steven.lab:5061\r\n  ",
		  "vcse.sub.cms.steven.lab:5061" },
		{ "vcse.sub.\n  cms.steven.lab", "vcse.sub.cms.steven.lab" },
		{ "expected-\nfqdn", "expected-fqdn" },
		{ "expected-\r\n     fqdn", "expected-fqdn" },
		{ "f1b3ad5d-183b-4632-b210-\r\n c2f9bec71960",
		  "f1b3ad5d-183b-4632-b210-c2f9bec71960" },
		{ "The peer\n\ncertificate does not", "The peer certificate does not" },
		{ "The peer  \ncertificate", "The peer certificate" },
		{ "a self-\n  signed certificate", "a self-signed certificate" },
		{ "application/sdp, text/plain,\r\n        multipart/mixed",
		  "application/sdp, text/plain, multipart/mixed" },
		{ "application/sdp,\r\n multipart/mixed,\r\n message/sip",
		  "application/sdp,multipart/mixed,message/sip" },
		{ "a  b\tc", "a  b\tc" },
		{ " a ", " a " },
		{ "\n", "" },
		{ "", "" },
	};
	char small[4];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEMS(rows); i++) {
		size_t n = strlen(rows[i].in);
		char *in = dup_exact(rows[i].in, n);

		assert_unfolded((sf_span){ in, n }, rows[i].out);
		free(in);
	}
	/* truncation as snprintf */
	assert_int_equal(sf_span_unfold((sf_span){ "abc\n def", 8 }, small, sizeof(small)), 6);
	assert_string_equal(small, "abc");
	assert_int_equal(sf_span_unfold((sf_span){ "abc\n def", 8 }, NULL, 0), 6);
	assert_int_equal(sf_span_unfold((sf_span){ "ab", 2 }, small, 1), 2);
	assert_string_equal(small, "");
	assert_int_equal(sf_span_unfold(SF_SPAN_NULL, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4475_manifest),
		cmocka_unit_test(test_lenient_log_response),
		cmocka_unit_test(test_lenient_start_lines),
		cmocka_unit_test(test_lenient_broken_lines),
		cmocka_unit_test(test_too_many_and_clen),
		cmocka_unit_test(test_strict_rows),
		cmocka_unit_test(test_compact_forms),
		cmocka_unit_test(test_uri_host),
		cmocka_unit_test(test_msdiag_seed_1009),
		cmocka_unit_test(test_msdiag_seed_1010),
		cmocka_unit_test(test_msdiag_rows),
		cmocka_unit_test(test_msdiag_many),
		cmocka_unit_test(test_params_edge_data),
		cmocka_unit_test(test_unfold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
