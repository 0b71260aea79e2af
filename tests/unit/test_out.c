/*
 * Output writers (lib/out/): the JSON of SPEC §3 field by field and in
 * order, parsed back with jansson; the text format's lines, wrapping,
 * escaping, colour and write errors.  Results are built by hand; what the
 * Microsoft side reports comes from the real rule table (sf_rule_get).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "rules/rules.h"
#include "sipfed/sipfed.h"

/* ---- fixtures ---------------------------------------------------------- */

static char *addrs1[] = { "10.48.36.47", "2001:db8::47" };

static sf_srv_result srv1[] = {
	{ .priority = 0, .weight = 0, .port = 5061, .target = "vcse.steven.lab",
	  .addresses = addrs1, .n_addresses = 2 },
};

static sf_finding fail_findings[] = {
	{ .rule = SF_R_DNS005_SUBDOMAIN, .id = "DNS-005", .severity = SF_SEV_ERROR,
	  .subject = "vcse.steven.lab",
	  .message = "the SRV target vcse.steven.lab is in a sub-domain of acano.steven.lab",
	  .fix = "publish _sipfederationtls._tcp.acano.steven.lab SRV 0 0 5061 "
		 "vcse.acano.steven.lab." },
	{ .rule = SF_R_DNS010_NOT_PUBLIC, .id = "DNS-010", .severity = SF_SEV_WARN,
	  .subject = "acano.steven.lab",
	  .message = "acano.steven.lab is not under a public suffix",
	  .fix = "use a domain registered under a public suffix" },
	{ .rule = SF_R_FED002_HOSTING, .id = "FED-002", .severity = SF_SEV_INFO,
	  .subject = "sipfed.online.lync.com",
	  .message = "the SRV target is a Microsoft hosting FQDN",
	  .fix = "INFO-FIX-NOT-SHOWN" },
};

/* What the rules set on a finding when they make it: the Microsoft view of its checker. */
static void set_view(sf_finding *v, size_t n, sf_profile profile, sf_role role)
{
	for (size_t i = 0; i < n; i++) {
		sf_rule_info tmp;
		const sf_rule_info *m = sf_rules_microsoft(sf_rule_get(v[i].rule), profile, role,
							   &tmp);

		v[i].microsoft = (sf_ms_view){ .ms_diagnostics = m->ms_diagnostics,
					       .result_code = m->result_code, .name = m->name,
					       .hresult = m->hresult,
					       .hresult_name = m->hresult_name,
					       .reported = m->reported };
	}
}

static void fail_result(sf_result *r)
{
	memset(r, 0, sizeof(*r));
	r->domain = "acano.steven.lab";
	r->profile = SF_PROFILE_SFB;
	r->verdict = SF_VERDICT_FAIL;
	r->srv = srv1;
	r->n_srv = 1;
	r->findings.v = fail_findings;
	r->findings.n = r->findings.cap = 3;
	set_view(fail_findings, 3, SF_PROFILE_SFB, SF_ROLE_EDGE);
}

static char *sans1[] = { "vcse.steven.lab", "*.steven.lab" };

static sf_finding cert_findings[] = {
	{ .rule = SF_R_CERT001_NAME, .id = "CERT-001", .severity = SF_SEV_ERROR,
	  .subject = "vcse.acano.steven.lab",
	  .message = "the certificate does not carry vcse.acano.steven.lab",
	  .fix = "add the SAN dNSName vcse.acano.steven.lab" },
	{ .rule = SF_R_CERT008_NO_CRLDP, .id = "CERT-008", .severity = SF_SEV_WARN,
	  .subject = "CN=vcse.steven.lab", .message = "no CRL distribution point",
	  .fix = NULL },
};

static void cert_result(sf_cert_result *c)
{
	memset(c, 0, sizeof(*c));
	c->file = "vcse.pem";
	c->name = "vcse.acano.steven.lab";
	c->name_match = 0;
	c->chain_trusted = 0;
	c->chain_error = "unable to get local issuer certificate";
	c->subject = "CN=vcse.steven.lab, O=Lab";
	c->issuer = "CN=Lab Issuing CA";
	c->not_before = "2025-01-01T00:00:00Z";
	c->not_after = "2027-01-01T00:00:00Z";
	c->san_dns = sans1;
	c->n_san_dns = 2;
	c->profile = SF_PROFILE_O365;
	c->role = SF_ROLE_SBC;
	c->findings.v = cert_findings;
	c->findings.n = c->findings.cap = 2;
	set_view(cert_findings, 2, c->profile, c->role);
}

/* ---- helpers ----------------------------------------------------------- */

/* Parses @p text (freeing it) and checks it is one compact line. */
static json_t *parse(char *text)
{
	json_error_t err;
	json_t *j;

	assert_non_null(text);
	assert_null(strchr(text, '\n'));
	assert_null(strstr(text, "\": ")); /* JSON_COMPACT */
	j = json_loads(text, 0, &err);
	if (j == NULL)
		fail_msg("bad JSON at %d: %s: %s", err.position, err.text, text);
	free(text);
	assert_true(json_is_object(j));
	return j;
}

/* The object's keys are exactly @p keys (NULL-terminated), in that order. */
static void assert_keys(const json_t *o, const char *const *keys)
{
	void *it = json_object_iter((json_t *)o);
	size_t i = 0;

	assert_true(json_is_object(o));
	for (; keys[i] != NULL; i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), keys[i]);
		it = json_object_iter_next((json_t *)o, it);
	}
	assert_null(it);
	assert_int_equal(json_object_size(o), i);
}

static void assert_jstr(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	assert_non_null(v);
	if (want == NULL) {
		assert_true(json_is_null(v));
	} else {
		assert_true(json_is_string(v));
		assert_string_equal(json_string_value(v), want);
	}
}

static void assert_jint(const json_t *o, const char *key, long long want)
{
	const json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), want);
}

static const char *const finding_keys[] = {
	"id", "severity", "subject", "message", "fix", "microsoft", NULL
};
static const char *const ms_keys[] = {
	"ms_diagnostics", "result_code", "name", "hresult", "hresult_name", "reported", NULL
};

/* F.microsoft equals the table row @ri field by field; counts the nulls seen. */
static void assert_ms_row(const json_t *ms, const sf_rule_info *ri, int *nulls)
{
	assert_non_null(ri);
	assert_keys(ms, ms_keys);
	if (ri->ms_diagnostics > 0) {
		assert_jint(ms, "ms_diagnostics", ri->ms_diagnostics);
	} else {
		assert_true(json_is_null(json_object_get(ms, "ms_diagnostics")));
		(*nulls)++;
	}
	assert_jstr(ms, "result_code", ri->result_code);
	assert_jstr(ms, "name", ri->name);
	assert_jstr(ms, "hresult", ri->hresult);
	assert_jstr(ms, "hresult_name", ri->hresult_name);
	/* plain table text, as it stands */
	assert_jstr(ms, "reported", ri->reported);
	*nulls += (ri->result_code == NULL) + (ri->name == NULL) + (ri->hresult == NULL) +
		  (ri->hresult_name == NULL) + (ri->reported == NULL);
}

/* F against the finding it came from and its table row (an Edge checks); counts the nulls. */
static void assert_finding(const json_t *jf, const sf_finding *f, const char *sev, int *nulls)
{
	assert_keys(jf, finding_keys);
	assert_jstr(jf, "id", f->id);
	assert_jstr(jf, "severity", sev);
	assert_jstr(jf, "subject", f->subject);
	assert_jstr(jf, "message", f->message);
	assert_jstr(jf, "fix", f->fix);
	assert_ms_row(json_object_get(jf, "microsoft"), sf_rule_get(f->rule), nulls);
}

/* Does @s contain one of the Edge's words or codes? */
static const char *edge_word(const char *s)
{
	static const char *const words[] = { "Edge", "SIPPROXY", "0xC3E93D", "1010", "504 " };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (s != NULL && strstr(s, words[i]) != NULL)
			return words[i];
	return NULL;
}

/*
 * F.microsoft as Direct Routing (@who "Direct Routing") or the servers of
 * Exchange UM (@who "Exchange UM") report it: no Edge code, null codes, and
 * a "reported" text of that side, plain, without the Edge's words.
 */
static void assert_ms_other_side(const json_t *ms, const char *who)
{
	const json_t *rep = json_object_get(ms, "reported");

	assert_keys(ms, ms_keys);
	assert_true(json_is_null(json_object_get(ms, "ms_diagnostics")));
	assert_jstr(ms, "result_code", NULL);
	assert_jstr(ms, "name", NULL);
	assert_jstr(ms, "hresult", NULL);
	assert_jstr(ms, "hresult_name", NULL);
	assert_true(json_is_string(rep));
	if (strstr(json_string_value(rep), who) == NULL)
		fail_msg("reported lacks '%s': %s", who, json_string_value(rep));
	if (edge_word(json_string_value(rep)) != NULL)
		fail_msg("reported speaks of the Edge ('%s'): %s", edge_word(json_string_value(rep)),
			 json_string_value(rep));
	assert_null(strchr(json_string_value(rep), '{'));
}

/* Renders with a writer into a malloc'd string. */
static char *render(const sf_result *r, const sf_cert_result *c, int color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	if (r != NULL)
		assert_int_equal(sf_out_text_result(fp, r, color), 0);
	else
		assert_int_equal(sf_out_text_cert(fp, c, color), 0);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* A copy of @p s with every run of white space (newlines too) made one space. */
static char *squash(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t o = 0;
	int sp = 0;

	assert_non_null(out);
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			sp = 1;
			continue;
		}
		if (sp && o > 0)
			out[o++] = ' ';
		sp = 0;
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

/* Does the text from @p from up to @p to (or the end) contain @p needle, white space squashed? */
static int has_between(const char *from, const char *to, const char *needle)
{
	size_t n = to != NULL ? (size_t)(to - from) : strlen(from);
	char *seg = strndup(from, n);
	char *sq, *nq;
	int found;

	assert_non_null(seg);
	sq = squash(seg);
	nq = squash(needle);
	found = strstr(sq, nq) != NULL;
	free(seg);
	free(sq);
	free(nq);
	return found;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every line of @p text holds at most 100 columns (ASCII text here). */
static void assert_line_widths(const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		if (n > 100)
			fail_msg("line of %zu columns: %.*s", n, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json_result_fail(void **state)
{
	static const char *const keys[] = { "domain", "profile", "verdict", "srv", "findings",
					    "checked", "sources", "certificates", NULL };
	static const char *const srv_keys[] = { "priority", "weight", "port", "target",
						"addresses", NULL };
	static const char *const sev[] = { "error", "warning", "info" };
	sf_result r;
	json_t *j, *s, *a, *fs;
	int nulls = 0;

	(void)state;
	fail_result(&r);
	j = parse(sf_out_json_result(&r));
	assert_keys(j, keys);
	assert_jstr(j, "domain", "acano.steven.lab");
	assert_jstr(j, "profile", "sfb");
	assert_jstr(j, "verdict", "fail");

	assert_int_equal(json_array_size(json_object_get(j, "srv")), 1);
	s = json_array_get(json_object_get(j, "srv"), 0);
	assert_keys(s, srv_keys);
	assert_jint(s, "priority", 0);
	assert_jint(s, "weight", 0);
	assert_jint(s, "port", 5061);
	assert_jstr(s, "target", "vcse.steven.lab");
	a = json_object_get(s, "addresses");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "10.48.36.47");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "2001:db8::47");

	fs = json_object_get(j, "findings");
	assert_int_equal(json_array_size(fs), 3);
	for (size_t i = 0; i < 3; i++)
		assert_finding(json_array_get(fs, i), &fail_findings[i], sev[i], &nulls);
	/* the table leaves some Microsoft fields empty: they must appear as null */
	assert_true(nulls > 0);
	json_decref(j);
}

/* What a verdict rests on: "checked", "sources", "certificates" (issue 9, honest verdicts). */
static void test_json_result_meta(void **state)
{
	static char *san[] = { "sip.contoso.com" };
	static char *sent[] = { "CN=sip.contoso.com", "CN=Issuing CA" };
	sf_cert_info ci = { .host = "sip.contoso.com", .port = 5061, .subject = "CN=sip.contoso.com",
			    .issuer = "CN=Issuing CA", .san_dns = san, .n_san_dns = 1,
			    .not_before = "2026-01-01T00:00:00Z", .not_after = "2027-01-01T00:00:00Z",
			    .days_left = 25, .key_type = "RSA", .key_bits = 2048,
			    .signature = "sha256WithRSAEncryption", .chain_sent = sent,
			    .n_chain_sent = 2, .tls_version = "TLSv1.3" };
	sf_result r;
	json_t *j, *c, *a;
	char *t;

	(void)state;
	fail_result(&r);
	r.checked = SF_CHECKED_DNS | SF_CHECKED_TLS;
	r.dns_source = "resolver 192.0.2.53:53";
	r.tls_source = "live TLS";
	r.certs = &ci;
	r.n_certs = 1;
	j = parse(sf_out_json_result(&r));
	a = json_object_get(j, "checked");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "dns");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "tls");
	assert_jstr(json_object_get(j, "sources"), "dns", "resolver 192.0.2.53:53");
	assert_jstr(json_object_get(j, "sources"), "tls", "live TLS");
	c = json_array_get(json_object_get(j, "certificates"), 0);
	assert_jstr(c, "host", "sip.contoso.com");
	assert_jint(c, "port", 5061);
	assert_jint(c, "days_left", 25);
	assert_jint(c, "key_bits", 2048);
	assert_jstr(c, "tls_version", "TLSv1.3");
	assert_jstr(c, "cipher", NULL);
	assert_int_equal(json_array_size(json_object_get(c, "chain_sent")), 2);
	json_decref(j);

	/* without a TLS source the verdict says so, in text */
	r.checked = SF_CHECKED_DNS;
	r.verdict = SF_VERDICT_PASS;
	t = render(&r, NULL, 0);
	assert_non_null(strstr(t, "PASS (DNS only)"));
	free(t);
	r.checked = SF_CHECKED_DNS | SF_CHECKED_TLS;
	t = render(&r, NULL, 0);
	assert_null(strstr(t, "DNS only"));
	free(t);
}

static void test_json_result_error(void **state)
{
	static const char *const keys[] = { "domain", "profile", "verdict", "reason", "srv",
					    "findings", "checked", "sources", "certificates", NULL };
	sf_result r;
	json_t *j;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.domain = "cms.steven.lab";
	r.profile = SF_PROFILE_O365;
	r.verdict = SF_VERDICT_ERROR;
	r.reason = "resolver 127.0.0.1:5353 timed out";
	j = parse(sf_out_json_result(&r));
	assert_keys(j, keys);
	assert_jstr(j, "profile", "o365");
	assert_jstr(j, "verdict", "error");
	assert_jstr(j, "reason", "resolver 127.0.0.1:5353 timed out");
	assert_true(json_is_array(json_object_get(j, "srv")));
	assert_int_equal(json_array_size(json_object_get(j, "srv")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	json_decref(j);

	/* a reason left over on a non-error verdict is not written */
	r.verdict = SF_VERDICT_PASS;
	r.profile = SF_PROFILE_DR;
	j = parse(sf_out_json_result(&r));
	assert_null(json_object_get(j, "reason"));
	assert_jstr(j, "verdict", "pass");
	assert_jstr(j, "profile", "dr");
	json_decref(j);
}

static void test_json_cert(void **state)
{
	static const char *const keys[] = { "file", "name", "profile", "role", "verdict",
					    "name_match", "matched_as", "chain_trusted",
					    "chain_error", "certificate", "findings", NULL };
	static const char *const cert_keys[] = { "subject", "issuer", "not_before", "not_after",
						 "san_dns", NULL };
	sf_cert_result c;
	json_t *j, *ct, *san;
	int nulls = 0;

	(void)state;
	cert_result(&c);
	j = parse(sf_out_json_cert(&c));
	assert_keys(j, keys);
	assert_jstr(j, "file", "vcse.pem");
	assert_jstr(j, "name", "vcse.acano.steven.lab");
	assert_jstr(j, "profile", "o365");
	assert_jstr(j, "role", "sbc");
	assert_jstr(j, "verdict", "fail");
	assert_true(json_is_false(json_object_get(j, "name_match")));
	assert_jstr(j, "matched_as", NULL);
	assert_true(json_is_false(json_object_get(j, "chain_trusted")));
	assert_jstr(j, "chain_error", "unable to get local issuer certificate");
	ct = json_object_get(j, "certificate");
	assert_keys(ct, cert_keys);
	assert_jstr(ct, "subject", "CN=vcse.steven.lab, O=Lab");
	assert_jstr(ct, "issuer", "CN=Lab Issuing CA");
	assert_jstr(ct, "not_before", "2025-01-01T00:00:00Z");
	assert_jstr(ct, "not_after", "2027-01-01T00:00:00Z");
	san = json_object_get(ct, "san_dns");
	assert_int_equal(json_array_size(san), 2);
	assert_string_equal(json_string_value(json_array_get(san, 1)), "*.steven.lab");
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 2);
	/*
	 * An SBC: Direct Routing checks its certificate, not an Edge.  CERT-001
	 * carries no Edge code (1010, 0xC3E93D67); CERT-008, a row without
	 * codes, is the table's.
	 */
	assert_ms_other_side(json_object_get(json_array_get(json_object_get(j, "findings"), 0),
					     "microsoft"),
			     "Direct Routing");
	assert_jstr(json_array_get(json_object_get(j, "findings"), 0), "message",
		    cert_findings[0].message);
	assert_finding(json_array_get(json_object_get(j, "findings"), 1), &cert_findings[1],
		       "warning", &nulls);
	json_decref(j);

	/* The same certificate of an Edge: the Edge's codes. */
	c.role = SF_ROLE_EDGE;
	c.profile = SF_PROFILE_SFB;
	set_view(cert_findings, 2, c.profile, c.role); /* as the rules make them for an Edge */
	j = parse(sf_out_json_cert(&c));
	assert_finding(json_array_get(json_object_get(j, "findings"), 0), &cert_findings[0],
		       "error", &nulls);
	assert_jint(json_object_get(json_array_get(json_object_get(j, "findings"), 0),
				    "microsoft"),
		    "ms_diagnostics", 1010);
	json_decref(j);
	cert_result(&c);

	/* no name given -> null; warnings only -> warn; trusted chain, no error text */
	c.name = NULL;
	c.name_match = -1;
	c.chain_trusted = 1;
	c.chain_error = NULL;
	c.role = SF_ROLE_EDGE;
	c.profile = SF_PROFILE_SFB;
	c.findings.v = &cert_findings[1];
	c.findings.n = 1;
	j = parse(sf_out_json_cert(&c));
	assert_keys(j, keys);
	assert_jstr(j, "name", NULL);
	assert_true(json_is_null(json_object_get(j, "name_match")));
	assert_true(json_is_true(json_object_get(j, "chain_trusted")));
	assert_jstr(j, "chain_error", NULL);
	assert_jstr(j, "verdict", "warn");
	assert_jstr(j, "role", "edge");
	json_decref(j);

	/* a match, no findings -> pass */
	c.name = "vcse.steven.lab";
	c.name_match = 1;
	c.matched_as = "vcse.steven.lab";
	c.role = SF_ROLE_UM;
	c.findings.n = 0;
	j = parse(sf_out_json_cert(&c));
	assert_true(json_is_true(json_object_get(j, "name_match")));
	assert_jstr(j, "matched_as", "vcse.steven.lab");
	assert_jstr(j, "verdict", "pass");
	assert_jstr(j, "role", "um");
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	json_decref(j);
}

/* Ill-formed UTF-8 from a certificate or DNS name still gives a valid document. */
static void test_json_bad_utf8(void **state)
{
	char subj[] = "CN=caf\xc3\xa9 \xff\xfe x\xc0\xaf";
	sf_cert_result c;
	json_t *j;

	(void)state;
	cert_result(&c);
	c.subject = subj;
	j = parse(sf_out_json_cert(&c));
	assert_jstr(json_object_get(j, "certificate"), "subject",
		    "CN=caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd x\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
}

/*
 * The writers emit "reported" as it stands: no row of the table may hold a
 * placeholder ("{d}" and the like) in it.
 */
static void test_table_reported_plain(void **state)
{
	size_t with_text = 0;

	(void)state;
	for (int i = 0; i < (int)SF_R_COUNT; i++) {
		const sf_rule_info *ri = sf_rule_get((sf_rule)i);

		assert_non_null(ri);
		if (ri->reported == NULL)
			continue;
		with_text++;
		if (strchr(ri->reported, '{') != NULL)
			fail_msg("%s: \"reported\" holds a placeholder: %s",
				 ri->id != NULL ? ri->id : "?", ri->reported);
	}
	assert_true(with_text > 0);
}

/*
 * What the Microsoft side reports depends on who checks.  Every row of the
 * table, as the finding of a check in each profile and of a certificate in
 * each role: an Edge (sfb, o365; roles edge and web) reports the row as it
 * stands; where Direct Routing (profile dr, role sbc) or the servers of
 * Exchange UM (role um) check, a row with Edge codes carries none of them
 * and says what that side shows, while their own rows (DR-*, UM-*) and rows
 * without codes are the table's.  The text writer shows the same.
 */
static void test_microsoft_view(void **state)
{
	static const struct {
		int cert;
		sf_profile profile;
		sf_role role;
		const char *other; /* NULL: an Edge; else the words of that side */
		const char *own;   /* the ID prefix of that side's own rows */
	} sides[] = {
		{ 0, SF_PROFILE_SFB, SF_ROLE_EDGE, NULL, NULL },
		{ 0, SF_PROFILE_O365, SF_ROLE_EDGE, NULL, NULL },
		{ 0, SF_PROFILE_DR, SF_ROLE_EDGE, "Direct Routing", "DR-" },
		{ 1, SF_PROFILE_SFB, SF_ROLE_EDGE, NULL, NULL },
		{ 1, SF_PROFILE_SFB, SF_ROLE_WEB, NULL, NULL },
		{ 1, SF_PROFILE_SFB, SF_ROLE_SBC, "Direct Routing", "DR-" },
		{ 1, SF_PROFILE_O365, SF_ROLE_SBC, "Direct Routing", "DR-" },
		{ 1, SF_PROFILE_DR, SF_ROLE_EDGE, "Direct Routing", "DR-" },
		{ 1, SF_PROFILE_SFB, SF_ROLE_UM, "Exchange UM", "UM-" },
	};
	size_t replaced = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(sides) / sizeof(sides[0]); k++) {
		for (int i = 0; i < (int)SF_R_COUNT; i++) {
			const sf_rule_info *ri = sf_rule_get((sf_rule)i);
			sf_finding f = { .rule = (sf_rule)i, .id = ri->id,
					 .severity = SF_SEV_ERROR, .subject = "sbc1.example.com",
					 .message = "m", .fix = "f" };
			int codes = ri->ms_diagnostics > 0 || ri->result_code != NULL ||
				    ri->hresult != NULL;
			int other = sides[k].other != NULL && codes &&
				    strncmp(ri->id, sides[k].own, strlen(sides[k].own)) != 0;
			sf_result r;
			sf_cert_result c;
			json_t *j, *ms;
			char *t, *hdr, *text;
			int nulls = 0;

			fail_result(&r);
			cert_result(&c);
			r.profile = c.profile = sides[k].profile;
			c.role = sides[k].role;
			r.findings.v = c.findings.v = &f;
			r.findings.n = c.findings.n = 1;
			set_view(&f, 1, c.profile, c.role);
			/* not parse(): a "reported" text may hold '": ' (a quoted reason) */
			text = sides[k].cert ? sf_out_json_cert(&c) : sf_out_json_result(&r);
			assert_non_null(text);
			j = json_loads(text, 0, NULL);
			free(text);
			assert_non_null(j);
			ms = json_object_get(json_array_get(json_object_get(j, "findings"), 0),
					     "microsoft");
			if (other) {
				assert_ms_other_side(ms, sides[k].other);
				replaced++;
			} else {
				assert_ms_row(ms, ri, &nulls);
			}
			json_decref(j);

			t = sides[k].cert ? render(NULL, &c, 0) : render(&r, NULL, 0);
			hdr = strstr(t, "\n  error    ");
			assert_non_null(hdr);
			if (other) {
				assert_non_null(strstr(hdr, "Microsoft side: "));
				if (edge_word(hdr) != NULL)
					fail_msg("%s as %s: text speaks of the Edge ('%s'):\n%s",
						 ri->id, sides[k].other, edge_word(hdr), t);
			} else if (ri->result_code != NULL) {
				assert_true(has_between(hdr, NULL, ri->result_code));
			}
			free(t);
		}
	}
	/* the rows with Edge codes are there to be replaced (CERT-001, CERT-005, ...) */
	assert_true(replaced >= 6 * 5);
}

/* ---- text -------------------------------------------------------------- */

static void test_text_result(void **state)
{
	sf_result r;
	const sf_rule_info *ri = sf_rule_get(SF_R_DNS005_SUBDOMAIN);
	char *t, *err_hdr, *warn_hdr, *info_hdr, num[16];

	(void)state;
	fail_result(&r);
	t = render(&r, NULL, 0);
	assert_null(strstr(t, "\x1b["));
	assert_true(starts_with(t, "acano.steven.lab  FAIL  (profile sfb)\n"));
	assert_non_null(strstr(t, "\n  SRV  0 0 5061 vcse.steven.lab  -> 10.48.36.47, "
				  "2001:db8::47\n"));
	err_hdr = strstr(t, "\n  error    DNS-005  vcse.steven.lab\n");
	warn_hdr = strstr(t, "\n  warning  DNS-010  acano.steven.lab\n");
	info_hdr = strstr(t, "\n  info     FED-002  sipfed.online.lync.com\n");
	assert_non_null(err_hdr);
	assert_non_null(warn_hdr);
	assert_non_null(info_hdr);
	assert_true(err_hdr < warn_hdr && warn_hdr < info_hdr);

	/* under the error: message, the Microsoft side (from the table), the fix */
	assert_non_null(strstr(err_hdr, "\n           the SRV target vcse.steven.lab"));
	assert_true(has_between(err_hdr, warn_hdr, fail_findings[0].message));
	assert_non_null(strstr(err_hdr, "\n           Microsoft side: "));
	assert_true(strstr(err_hdr, "Microsoft side: ") < warn_hdr);
	assert_true(ri->ms_diagnostics > 0 || ri->reported != NULL || ri->result_code != NULL);
	if (ri->ms_diagnostics > 0) {
		snprintf(num, sizeof(num), "%d", ri->ms_diagnostics);
		assert_true(has_between(err_hdr, warn_hdr, num));
	}
	if (ri->reported != NULL)
		assert_true(has_between(err_hdr, warn_hdr, ri->reported));
	if (ri->result_code != NULL)
		assert_true(has_between(err_hdr, warn_hdr, ri->result_code));
	if (ri->name != NULL && (ri->result_code != NULL || ri->hresult != NULL))
		assert_true(has_between(err_hdr, warn_hdr, ri->name));
	assert_non_null(strstr(err_hdr, "\n           fix: publish _sipfederationtls._tcp."));
	assert_true(strstr(err_hdr, "fix: ") < warn_hdr);
	assert_true(has_between(err_hdr, warn_hdr, "fix: publish _sipfederationtls._tcp."
				"acano.steven.lab SRV 0 0 5061 vcse.acano.steven.lab."));

	/* the warning has its fix; the info does not show one */
	assert_true(has_between(warn_hdr, info_hdr,
				"fix: use a domain registered under a public suffix"));
	assert_null(strstr(t, "INFO-FIX-NOT-SHOWN"));

	/* the block ends with a blank line */
	assert_true(strlen(t) >= 2 && strcmp(t + strlen(t) - 2, "\n\n") == 0);
	assert_line_widths(t);
	free(t);
}

static void test_text_color(void **state)
{
	sf_result r;
	sf_cert_result c;
	char *t;

	(void)state;
	fail_result(&r);
	t = render(&r, NULL, 1);
	assert_non_null(strstr(t, "\x1b["));
	assert_non_null(strstr(t, "\x1b[1macano.steven.lab\x1b[0m"));
	assert_non_null(strstr(t, "\x1b[31mFAIL\x1b[0m"));
	assert_non_null(strstr(t, "\x1b[31merror\x1b[0m"));
	assert_non_null(strstr(t, "\x1b[33mwarning\x1b[0m"));
	assert_non_null(strstr(t, "\x1b[36minfo\x1b[0m"));
	free(t);

	r.verdict = SF_VERDICT_PASS;
	r.findings.n = 0;
	t = render(&r, NULL, 1);
	assert_non_null(strstr(t, "\x1b[32mPASS\x1b[0m"));
	free(t);

	cert_result(&c);
	t = render(NULL, &c, 1);
	assert_non_null(strstr(t, "\x1b["));
	free(t);
	t = render(NULL, &c, 0);
	assert_null(strstr(t, "\x1b["));
	free(t);
}

/* Long messages wrap at 100 columns on word boundaries, under the text column. */
static void test_text_wrap(void **state)
{
	char msg[2048] = "", *t, *hdr, *end, *seg, *sq;
	sf_finding f = fail_findings[0];
	sf_result r;
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 60; i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%sword%02d",
					i ? " " : "", i);
	f.message = msg;
	fail_result(&r);
	r.findings.v = &f;
	r.findings.n = 1;
	t = render(&r, NULL, 0);
	assert_line_widths(t);
	hdr = strstr(t, "\n  error    DNS-005  ");
	assert_non_null(hdr);
	hdr = strchr(hdr + 1, '\n');
	end = strstr(hdr, "\n           Microsoft side:");
	assert_non_null(end);
	/* several lines, each starting at the text column, the words intact and in order */
	seg = strndup(hdr, (size_t)(end - hdr));
	assert_non_null(seg);
	assert_true(strstr(seg + 1, "\n           word") != NULL);
	for (char *p = seg; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(strncmp(p, "\n           word", 16) == 0);
	sq = squash(seg);
	assert_string_equal(sq, msg);
	free(sq);
	free(seg);
	free(t);
}

/* Bytes from DNS or a certificate never reach the terminal as control sequences. */
static void test_text_escape(void **state)
{
	sf_finding f = fail_findings[0];
	sf_result r;
	char *t;

	(void)state;
	f.subject = "evil\x1b[2J.steven.lab";
	f.message = "target \x1b]0;pwned\x07 and \xc2\x9b""31m";
	fail_result(&r);
	r.findings.v = &f;
	r.findings.n = 1;
	t = render(&r, NULL, 0);
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\x07'));
	assert_null(strstr(t, "\xc2\x9b"));
	assert_non_null(strstr(t, "evil\\x1b[2J.steven.lab"));
	assert_non_null(strstr(t, "\\x1b]0;pwned\\x07"));
	assert_non_null(strstr(t, "\\xc2\\x9b31m"));
	free(t);
}

static void test_text_error_and_no_srv(void **state)
{
	sf_result r;
	char *t;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.domain = "cms.steven.lab";
	r.verdict = SF_VERDICT_ERROR;
	r.reason = "resolver 127.0.0.1:5353 timed out";
	t = render(&r, NULL, 0);
	assert_true(starts_with(t, "cms.steven.lab  ERROR  (profile sfb)\n"
				   "  reason: resolver 127.0.0.1:5353 timed out\n"));
	free(t);

	r.verdict = SF_VERDICT_FAIL;
	t = render(&r, NULL, 0);
	assert_null(strstr(t, "reason"));
	assert_non_null(strstr(t, "\n  SRV  (none)\n"));
	free(t);
}

static void test_text_cert(void **state)
{
	const sf_rule_info *ri = sf_rule_get(SF_R_CERT001_NAME);
	sf_cert_result c;
	char *t, *hdr;

	(void)state;
	cert_result(&c);
	t = render(NULL, &c, 0);
	assert_true(starts_with(t, "vcse.pem  FAIL  (profile o365, role sbc)\n"));
	assert_non_null(strstr(t, "\n  subject  CN=vcse.steven.lab, O=Lab\n"));
	assert_non_null(strstr(t, "\n  issuer   CN=Lab Issuing CA\n"));
	assert_non_null(strstr(t, "2025-01-01T00:00:00Z"));
	assert_non_null(strstr(t, "2027-01-01T00:00:00Z"));
	assert_non_null(strstr(t, "\n  SAN      vcse.steven.lab, *.steven.lab\n"));
	assert_non_null(strstr(t, "\n  name     vcse.acano.steven.lab: does not match\n"));
	assert_non_null(strstr(t, "\n  chain    not trusted (unable to get local issuer "
				  "certificate)\n"));
	hdr = strstr(t, "\n  error    CERT-001  vcse.acano.steven.lab\n");
	assert_non_null(hdr);
	assert_non_null(strstr(hdr, "\n           fix: add the SAN dNSName "
				    "vcse.acano.steven.lab\n"));
	/* an SBC: what Direct Routing shows, none of the Edge's codes */
	assert_non_null(strstr(hdr, "\n           Microsoft side: Direct Routing"));
	assert_null(edge_word(hdr));
	assert_false(has_between(hdr, NULL, ri->hresult));
	assert_non_null(strstr(t, "\n  warning  CERT-008  CN=vcse.steven.lab\n"));
	assert_line_widths(t);
	free(t);

	/* the same certificate of an Edge */
	c.role = SF_ROLE_EDGE;
	c.profile = SF_PROFILE_SFB;
	set_view(cert_findings, 2, c.profile, c.role);
	t = render(NULL, &c, 0);
	hdr = strstr(t, "\n  error    CERT-001  vcse.acano.steven.lab\n");
	assert_non_null(hdr);
	/* the Microsoft side of CERT-001 (from the table): codes with their names */
	assert_non_null(strstr(hdr, "\n           Microsoft side: "));
	if (ri->hresult != NULL)
		assert_true(has_between(hdr, NULL, ri->hresult));
	if (ri->hresult_name != NULL)
		assert_true(has_between(hdr, NULL, ri->hresult_name));
	if (ri->result_code != NULL && ri->name != NULL)
		assert_true(has_between(hdr, NULL, ri->name));
	assert_non_null(strstr(t, "\n  warning  CERT-008  CN=vcse.steven.lab\n"));
	assert_line_widths(t);
	free(t);

	c.name = "vcse.steven.lab";
	c.name_match = 1;
	c.matched_as = "*.steven.lab";
	c.chain_trusted = 1;
	c.chain_error = NULL;
	c.findings.n = 0;
	t = render(NULL, &c, 0);
	assert_true(starts_with(t, "vcse.pem  PASS  "));
	assert_non_null(strstr(t, "\n  name     vcse.steven.lab: matches (as *.steven.lab)\n"));
	assert_non_null(strstr(t, "\n  chain    trusted\n"));
	free(t);

	c.name_match = -1;
	c.name = NULL;
	t = render(NULL, &c, 0);
	assert_null(strstr(t, "\n  name "));
	free(t);
}

/*
 * sf_findings_verdict: the highest severity decides, rows of severities in
 * any order; the cert writers (text header, JSON "verdict") show the same.
 */
static void test_findings_verdict(void **state)
{
	static const struct {
		sf_severity sev[3];
		size_t n;
		sf_verdict want;
		const char *word, *json;
	} rows[] = {
		{ { 0 }, 0, SF_VERDICT_PASS, "PASS", "pass" },
		{ { SF_SEV_NONE }, 1, SF_VERDICT_PASS, "PASS", "pass" },
		{ { SF_SEV_INFO }, 1, SF_VERDICT_PASS, "PASS", "pass" },
		{ { SF_SEV_WARN }, 1, SF_VERDICT_WARN, "WARN", "warn" },
		{ { SF_SEV_INFO, SF_SEV_WARN, SF_SEV_INFO }, 3, SF_VERDICT_WARN, "WARN", "warn" },
		{ { SF_SEV_ERROR }, 1, SF_VERDICT_FAIL, "FAIL", "fail" },
		{ { SF_SEV_WARN, SF_SEV_INFO, SF_SEV_ERROR }, 3, SF_VERDICT_FAIL, "FAIL", "fail" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sf_finding v[3];
		sf_cert_result c;
		char hdr[64], *t;
		json_t *j;

		for (size_t k = 0; k < rows[i].n; k++) {
			v[k] = cert_findings[k % 2];
			v[k].severity = rows[i].sev[k];
		}
		cert_result(&c);
		c.findings.v = v;
		c.findings.n = c.findings.cap = rows[i].n;
		if (sf_findings_verdict(&c.findings) != rows[i].want)
			fail_msg("row %zu: verdict %d, want %d", i,
				 (int)sf_findings_verdict(&c.findings), (int)rows[i].want);
		t = render(NULL, &c, 0);
		snprintf(hdr, sizeof(hdr), "vcse.pem  %s  (", rows[i].word);
		if (!starts_with(t, hdr))
			fail_msg("row %zu: text header %.40s, want %s", i, t, hdr);
		free(t);
		j = parse(sf_out_json_cert(&c));
		assert_jstr(j, "verdict", rows[i].json);
		json_decref(j);
	}
}

/* A full device: every writer reports the failure, buffered or not. */
static void test_write_error(void **state)
{
	sf_result r;
	sf_cert_result c;
	FILE *fp;

	(void)state;
	fail_result(&r);
	cert_result(&c);
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		skip();
	assert_int_equal(setvbuf(fp, NULL, _IONBF, 0), 0);
	assert_int_equal(sf_out_text_result(fp, &r, 0), -1);
	clearerr(fp);
	assert_int_equal(sf_out_text_cert(fp, &c, 1), -1);
	fclose(fp);

	fp = fopen("/dev/full", "w"); /* buffered: the error shows at the flush */
	assert_non_null(fp);
	assert_int_equal(sf_out_text_result(fp, &r, 0), -1);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_result_fail),
		cmocka_unit_test(test_json_result_error),
		cmocka_unit_test(test_json_result_meta),
		cmocka_unit_test(test_json_cert),
		cmocka_unit_test(test_json_bad_utf8),
		cmocka_unit_test(test_table_reported_plain),
		cmocka_unit_test(test_microsoft_view),
		cmocka_unit_test(test_text_result),
		cmocka_unit_test(test_text_color),
		cmocka_unit_test(test_text_wrap),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_text_error_and_no_srv),
		cmocka_unit_test(test_text_cert),
		cmocka_unit_test(test_findings_verdict),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
