/*
 * JSON output (SPEC §3: the field names and their order are a contract).
 * Documents are built as jansson values and dumped compact; jansson keeps
 * the insertion order of object keys, which is the order of the contract.
 * Strings that came from the outside may be ill-formed UTF-8 (a certificate
 * subject, a DNS name quoted in a message); jansson refuses those, so they
 * are repaired (U+FFFD per bad byte) instead of losing the whole document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sipfed/sipfed.h"
#include "util/util.h"

/* A copy of @p s with each ill-formed byte replaced by U+FFFD, as a JSON string; NULL on OOM. */
static json_t *js_str_repaired(const char *s)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	json_t *v = NULL;
	char *buf = NULL;

	if (n > (SIZE_MAX - 1) / 3)
		goto out;
	buf = malloc(n * 3 + 1);
	if (buf == NULL)
		goto out;
	while (i < n) {
		size_t len = sf_utf8_seq(u + i, n - i, NULL);

		if (len == 0) {
			memcpy(buf + o, repl, 3);
			o += 3;
			i++;
		} else {
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
		}
	}
	v = json_stringn(buf, o);
out:
	free(buf);
	return v;
}

/* @p s as a JSON string, null if @p s is NULL.  Returns NULL only on out-of-memory. */
static json_t *js_str(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	if (v == NULL)
		v = js_str_repaired(s);
	return v;
}

/*
 * Sets @p key of @p obj to @p v, taking the reference (also on failure, as
 * jansson does; a NULL @p v, i.e. an allocation that failed, is a failure).
 */
static int js_set(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v);
}

/*
 * F.microsoft: what the Microsoft side reports for this rule, from the rule
 * table.  "reported" is plain text, written as it stands (no placeholders).
 */
static json_t *js_microsoft(const sf_rule_info *ri)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (js_set(o, "ms_diagnostics", ri != NULL && ri->ms_diagnostics > 0 ?
		   json_integer(ri->ms_diagnostics) : json_null()) != 0 ||
	    js_set(o, "result_code", js_str(ri != NULL ? ri->result_code : NULL)) != 0 ||
	    js_set(o, "name", js_str(ri != NULL ? ri->name : NULL)) != 0 ||
	    js_set(o, "hresult", js_str(ri != NULL ? ri->hresult : NULL)) != 0 ||
	    js_set(o, "hresult_name", js_str(ri != NULL ? ri->hresult_name : NULL)) != 0 ||
	    js_set(o, "reported", js_str(ri != NULL ? ri->reported : NULL)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One finding F. */
static json_t *js_finding(const sf_finding *f)
{
	const sf_rule_info *ri = NULL;
	const char *id = f->id;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if ((unsigned)f->rule < (unsigned)SF_R_COUNT)
		ri = sf_rule_get(f->rule);
	if (id == NULL && ri != NULL)
		id = ri->id;
	if (js_set(o, "id", js_str(id)) != 0 ||
	    js_set(o, "severity", js_str(sf_severity_name(f->severity))) != 0 ||
	    js_set(o, "subject", js_str(f->subject)) != 0 ||
	    js_set(o, "message", js_str(f->message)) != 0 ||
	    js_set(o, "fix", js_str(f->fix)) != 0 ||
	    js_set(o, "microsoft", js_microsoft(ri)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The "findings" array, in the order given. */
static json_t *js_findings(const sf_findings *fs)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < fs->n; i++) {
		if (json_array_append_new(a, js_finding(&fs->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* An array of strings (NULL entries become null). */
static json_t *js_strv(char *const *v, size_t n)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, js_str(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *js_srv(const sf_srv_result *s)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (js_set(o, "priority", json_integer(s->priority)) != 0 ||
	    js_set(o, "weight", json_integer(s->weight)) != 0 ||
	    js_set(o, "port", json_integer(s->port)) != 0 ||
	    js_set(o, "target", js_str(s->target)) != 0 ||
	    js_set(o, "addresses", js_strv(s->addresses, s->n_addresses)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *sf_out_json_result(const sf_result *r)
{
	json_t *root = NULL, *srv = NULL, *tmp;
	char *text = NULL;

	if (r == NULL)
		goto out;
	root = json_object();
	if (root == NULL)
		goto out;
	if (js_set(root, "domain", js_str(r->domain)) != 0 ||
	    js_set(root, "profile", js_str(sf_profile_name(r->profile))) != 0 ||
	    js_set(root, "verdict", js_str(sf_verdict_name(r->verdict))) != 0)
		goto out;
	/* "reason" only on verdict error, and then always a string */
	if (r->verdict == SF_VERDICT_ERROR &&
	    js_set(root, "reason", js_str(r->reason != NULL ? r->reason : "")) != 0)
		goto out;
	srv = json_array();
	if (srv == NULL)
		goto out;
	for (size_t i = 0; i < r->n_srv; i++) {
		if (json_array_append_new(srv, js_srv(&r->srv[i])) != 0)
			goto out;
	}
	tmp = srv;
	srv = NULL;
	if (js_set(root, "srv", tmp) != 0 ||
	    js_set(root, "findings", js_findings(&r->findings)) != 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(srv);
	json_decref(root);
	return text;
}

/* Verdict of a certificate lint: the highest finding severity decides. */
static sf_verdict cert_verdict(const sf_findings *f)
{
	switch (sf_findings_max(f)) {
	case SF_SEV_ERROR:
		return SF_VERDICT_FAIL;
	case SF_SEV_WARN:
		return SF_VERDICT_WARN;
	default:
		return SF_VERDICT_PASS;
	}
}

static json_t *js_certificate(const sf_cert_result *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (js_set(o, "subject", js_str(r->subject)) != 0 ||
	    js_set(o, "issuer", js_str(r->issuer)) != 0 ||
	    js_set(o, "not_before", js_str(r->not_before)) != 0 ||
	    js_set(o, "not_after", js_str(r->not_after)) != 0 ||
	    js_set(o, "san_dns", js_strv(r->san_dns, r->n_san_dns)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *sf_out_json_cert(const sf_cert_result *r)
{
	json_t *root = NULL;
	char *text = NULL;

	if (r == NULL)
		goto out;
	root = json_object();
	if (root == NULL)
		goto out;
	if (js_set(root, "file", js_str(r->file)) != 0 ||
	    js_set(root, "name", js_str(r->name)) != 0 ||
	    js_set(root, "profile", js_str(sf_profile_name(r->profile))) != 0 ||
	    js_set(root, "role", js_str(sf_role_name(r->role))) != 0 ||
	    js_set(root, "verdict", js_str(sf_verdict_name(cert_verdict(&r->findings)))) != 0 ||
	    js_set(root, "name_match", r->name_match < 0 ? json_null() :
		   json_boolean(r->name_match)) != 0 ||
	    js_set(root, "matched_as", js_str(r->matched_as)) != 0 ||
	    js_set(root, "chain_trusted", json_boolean(r->chain_trusted)) != 0 ||
	    js_set(root, "chain_error", js_str(r->chain_error)) != 0 ||
	    js_set(root, "certificate", js_certificate(r)) != 0 ||
	    js_set(root, "findings", js_findings(&r->findings)) != 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(root);
	return text;
}
