/*
 * JSON output (SPEC §3: the field names and their order are a contract).
 * Documents are built as jansson values and dumped compact; jansson keeps
 * the insertion order of object keys, which is the order of the contract.
 * Strings that came from the outside may be ill-formed UTF-8 (a certificate
 * subject, a DNS name quoted in a message); jansson refuses those, so they
 * are repaired (U+FFFD per bad byte) instead of losing the whole document.
 */
#include <jansson.h>

#include "out/jsonw.h"
#include "rules/rules.h"
#include "sipfed/sipfed.h"

/*
 * F.microsoft: what the Microsoft side reports, as the finding carries it
 * (set by the rules when the finding was made, for the side that checks).
 * Always an object; a field that does not apply is null.  "reported" is
 * plain text, written as it stands (no placeholders).
 */
static json_t *js_microsoft(const sf_ms_view *mv)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (sf_js_set(o, "ms_diagnostics", mv->ms_diagnostics > 0 ?
		      json_integer(mv->ms_diagnostics) : json_null()) != 0 ||
	    sf_js_set(o, "result_code", sf_js_str(mv->result_code)) != 0 ||
	    sf_js_set(o, "name", sf_js_str(mv->name)) != 0 ||
	    sf_js_set(o, "hresult", sf_js_str(mv->hresult)) != 0 ||
	    sf_js_set(o, "hresult_name", sf_js_str(mv->hresult_name)) != 0 ||
	    sf_js_set(o, "reported", sf_js_str(mv->reported)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One finding F of a result of @profile (and @role: SF_ROLE_EDGE for a check). */
static json_t *js_finding(const sf_finding *f, sf_profile profile, sf_role role)
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
	if (sf_js_set(o, "id", sf_js_str(id)) != 0 ||
	    sf_js_set(o, "severity", sf_js_str(sf_severity_name(f->severity))) != 0 ||
	    sf_js_set(o, "subject", sf_js_str(f->subject)) != 0 ||
	    sf_js_set(o, "message", sf_js_str(f->message)) != 0 ||
	    sf_js_set(o, "fix", sf_js_str(f->fix)) != 0 ||
	    sf_js_set(o, "microsoft", js_microsoft(&f->microsoft)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The "findings" array, in the order given (out/jsonw.h). */
json_t *sf_js_findings(const sf_findings *fs, sf_profile profile, sf_role role)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < fs->n; i++) {
		if (json_array_append_new(a, js_finding(&fs->v[i], profile, role)) != 0) {
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
	if (sf_js_set(o, "priority", json_integer(s->priority)) != 0 ||
	    sf_js_set(o, "weight", json_integer(s->weight)) != 0 ||
	    sf_js_set(o, "port", json_integer(s->port)) != 0 ||
	    sf_js_set(o, "target", sf_js_str(s->target)) != 0 ||
	    sf_js_set(o, "addresses", sf_js_strv(s->addresses, s->n_addresses)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "links" of a --client result: [{"name":..,"href":..}], in the answer's order. */
static json_t *js_links(const sf_result *r)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_links; i++) {
		json_t *o = json_object();

		if (o == NULL || sf_js_set(o, "name", sf_js_str(r->links[i].name)) != 0 ||
		    sf_js_set(o, "href", sf_js_str(r->links[i].href)) != 0) {
			json_decref(o);
			json_decref(a);
			return NULL;
		}
		/* json_array_append_new takes the reference, also on failure. */
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* "checked": what the verdict is about, in a fixed order. */
static json_t *js_checked(unsigned c)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { SF_CHECKED_DNS, "dns" }, { SF_CHECKED_TLS, "tls" },
		      { SF_CHECKED_CLIENT, "client" }, { SF_CHECKED_CALLBACK, "callback" },
		      { SF_CHECKED_ALLOW, "allow_list" } };
	json_t *a = json_array();

	for (size_t i = 0; a && i < sizeof(names) / sizeof(names[0]); i++)
		if ((c & names[i].bit) && json_array_append_new(a, json_string(names[i].name)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* One "certificates" entry (sf_cert_info). */
static json_t *js_cert_info(const sf_cert_info *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (sf_js_set(o, "host", sf_js_str(c->host)) != 0 ||
	    sf_js_set(o, "port", json_integer(c->port)) != 0 ||
	    sf_js_set(o, "subject", sf_js_str(c->subject)) != 0 ||
	    sf_js_set(o, "issuer", sf_js_str(c->issuer)) != 0 ||
	    sf_js_set(o, "san_dns", sf_js_strv(c->san_dns, c->n_san_dns)) != 0 ||
	    sf_js_set(o, "not_before", sf_js_str(c->not_before)) != 0 ||
	    sf_js_set(o, "not_after", sf_js_str(c->not_after)) != 0 ||
	    sf_js_set(o, "days_left", c->not_after ? json_integer(c->days_left) : json_null()) != 0 ||
	    sf_js_set(o, "key_type", sf_js_str(c->key_type)) != 0 ||
	    sf_js_set(o, "key_bits", c->key_bits > 0 ? json_integer(c->key_bits) : json_null()) != 0 ||
	    sf_js_set(o, "signature", sf_js_str(c->signature)) != 0 ||
	    sf_js_set(o, "chain_sent", sf_js_strv(c->chain_sent, c->n_chain_sent)) != 0 ||
	    sf_js_set(o, "chain_built", sf_js_strv(c->chain_built, c->n_chain_built)) != 0 ||
	    sf_js_set(o, "tls_version", sf_js_str(c->tls_version)) != 0 ||
	    sf_js_set(o, "cipher", sf_js_str(c->cipher)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "checked", "sources" and "certificates": what the verdict rests on. */
static int js_meta(json_t *root, const sf_result *r)
{
	json_t *src = json_object(), *certs = json_array();

	if (src == NULL || certs == NULL ||
	    sf_js_set(src, "dns", sf_js_str(r->dns_source)) != 0 ||
	    sf_js_set(src, "tls", sf_js_str(r->tls_source)) != 0)
		goto fail;
	for (size_t i = 0; i < r->n_certs; i++)
		if (json_array_append_new(certs, js_cert_info(&r->certs[i])) != 0)
			goto fail;
	if (sf_js_set(root, "checked", js_checked(r->checked)) != 0) {
		json_decref(src);
		json_decref(certs);
		return -1;
	}
	if (sf_js_set(root, "sources", src) != 0) {
		json_decref(certs);
		return -1;
	}
	return sf_js_set(root, "certificates", certs);
fail:
	json_decref(src);
	json_decref(certs);
	return -1;
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
	if (sf_js_set(root, "domain", sf_js_str(r->domain)) != 0 ||
	    sf_js_set(root, "profile", sf_js_str(sf_profile_name(r->profile))) != 0 ||
	    sf_js_set(root, "verdict", sf_js_str(sf_verdict_name(r->verdict))) != 0)
		goto out;
	/* "reason" only on verdict error, and then always a string */
	if (r->verdict == SF_VERDICT_ERROR &&
	    sf_js_set(root, "reason", sf_js_str(r->reason != NULL ? r->reason : "")) != 0)
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
	if (sf_js_set(root, "srv", tmp) != 0 ||
	    sf_js_set(root, "findings", sf_js_findings(&r->findings, r->profile, SF_ROLE_EDGE)) != 0)
		goto out;
	/* Only when the client checks ran (links non-NULL, possibly empty). */
	if (r->links != NULL && sf_js_set(root, "links", js_links(r)) != 0)
		goto out;
	if (js_meta(root, r) != 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(srv);
	json_decref(root);
	return text;
}

static json_t *js_certificate(const sf_cert_result *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (sf_js_set(o, "subject", sf_js_str(r->subject)) != 0 ||
	    sf_js_set(o, "issuer", sf_js_str(r->issuer)) != 0 ||
	    sf_js_set(o, "not_before", sf_js_str(r->not_before)) != 0 ||
	    sf_js_set(o, "not_after", sf_js_str(r->not_after)) != 0 ||
	    sf_js_set(o, "san_dns", sf_js_strv(r->san_dns, r->n_san_dns)) != 0) {
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
	if (sf_js_set(root, "file", sf_js_str(r->file)) != 0 ||
	    sf_js_set(root, "name", sf_js_str(r->name)) != 0 ||
	    sf_js_set(root, "profile", sf_js_str(sf_profile_name(r->profile))) != 0 ||
	    sf_js_set(root, "role", sf_js_str(sf_role_name(r->role))) != 0 ||
	    sf_js_set(root, "verdict",
		      sf_js_str(sf_verdict_name(sf_findings_verdict(&r->findings)))) != 0 ||
	    sf_js_set(root, "name_match", r->name_match < 0 ? json_null() :
		      json_boolean(r->name_match)) != 0 ||
	    sf_js_set(root, "matched_as", sf_js_str(r->matched_as)) != 0 ||
	    sf_js_set(root, "chain_trusted", json_boolean(r->chain_trusted)) != 0 ||
	    sf_js_set(root, "chain_error", sf_js_str(r->chain_error)) != 0 ||
	    sf_js_set(root, "certificate", js_certificate(r)) != 0 ||
	    sf_js_set(root, "findings", sf_js_findings(&r->findings, r->profile, r->role)) != 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(root);
	return text;
}
