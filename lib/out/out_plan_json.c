/*
 * JSON of `sipfed plan` and `sipfed plan --check` (field names and order are
 * a contract, documented in docs/plan.md).  Built as jansson values, dumped
 * compact.  The check result of a domain is the `check` writer's R with
 * "gaps" and "compared" added, so that R stays the very object `sipfed
 * check` prints; findings of certificate rules are F objects of the same
 * writer.  Strings that are not valid UTF-8 become U+FFFD per bad byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dns/dns.h"
#include "out/jsonw.h"
#include "sipfed/plan.h"
#include "util/util.h"

/* "DNS-001 DNS-005" -> ["DNS-001","DNS-005"]. */
static json_t *js_words(const char *s)
{
	json_t *a = json_array();

	while (a && s && *s) {
		size_t n;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		if (n && json_array_append_new(a, json_stringn(s, n)) != 0) {
			json_decref(a);
			return NULL;
		}
		s += n;
	}
	return a;
}

/* G: a gap or a note. */
static json_t *js_gap(const sf_plan_gap *g)
{
	json_t *o = json_object();

	if (!o || sf_js_set(o, "id", sf_js_str(g->id)) ||
	    sf_js_set(o, "severity", sf_js_str(sf_severity_name(g->severity))) ||
	    sf_js_set(o, "subject", sf_js_str(g->subject)) ||
	    sf_js_set(o, "planned", sf_js_str(g->planned)) ||
	    sf_js_set(o, "found", sf_js_str(g->found)) ||
	    sf_js_set(o, "message", sf_js_str(g->message)) ||
	    sf_js_set(o, "fix", sf_js_str(g->fix))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_gaps(const sf_plan_gaps *g)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < g->n; i++) {
		if (json_array_append_new(a, js_gap(&g->v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The data column as in a zone file ("0 0 5061 sip.contoso.com."); NULL for a placeholder. */
static char *rec_data(const sf_plan_record *r)
{
	if (r->type == SF_T_SRV)
		return sf_aprintf("%u %u %u %s.", r->priority, r->weight, r->port, r->target);
	if (r->type == SF_T_CNAME)
		return sf_aprintf("%s.", r->target);
	return r->address ? sf_aprintf("%s", r->address) : NULL;
}

static json_t *js_record(const sf_plan_record *r, uint32_t ttl)
{
	json_t *o = json_object();
	char *data = rec_data(r);
	int srv = r->type == SF_T_SRV;
	int placeholder = (r->type == SF_T_A || r->type == SF_T_AAAA) && !r->address;

	if (!o || (!data && !placeholder))
		goto fail;
	if (sf_js_set(o, "view",
		      sf_js_str(r->view == SF_PLAN_VIEW_EXTERNAL ? "external" : "internal")) ||
	    sf_js_set(o, "owner", sf_js_str(r->owner)) || sf_js_set(o, "ttl", json_integer(ttl)) ||
	    sf_js_set(o, "type", sf_js_str(sf_plan_rrtype_name(r->type))) ||
	    sf_js_set(o, "data", sf_js_str(data)) ||
	    sf_js_set(o, "priority", srv ? json_integer(r->priority) : json_null()) ||
	    sf_js_set(o, "weight", srv ? json_integer(r->weight) : json_null()) ||
	    sf_js_set(o, "port", srv ? json_integer(r->port) : json_null()) ||
	    sf_js_set(o, "target", sf_js_str(r->target)) ||
	    sf_js_set(o, "address", sf_js_str(r->address)) ||
	    sf_js_set(o, "placeholder", json_boolean(placeholder)) ||
	    sf_js_set(o, "purpose", sf_js_str(sf_plan_purpose_name(r->purpose))) ||
	    sf_js_set(o, "checks", js_words(r->checks)) ||
	    sf_js_set(o, "comment", sf_js_str(r->comment)))
		goto fail;
	free(data);
	return o;
fail:
	free(data);
	json_decref(o);
	return NULL;
}

static json_t *js_zone(const sf_plan_zone *z, uint32_t ttl)
{
	json_t *o = json_object(), *a = json_array();

	if (!o || !a)
		goto fail;
	for (size_t i = 0; i < z->n_records; i++)
		if (json_array_append_new(a, js_record(&z->records[i], ttl)) != 0)
			goto fail;
	if (sf_js_set(o, "zone", sf_js_str(z->zone)) ||
	    sf_js_set(o, "sip_domain", json_boolean(z->sip_domain)))
		goto fail;
	if (sf_js_set(o, "records", a)) {
		a = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(a);
	json_decref(o);
	return NULL;
}

static json_t *js_domain(const sf_plan_domain *d)
{
	static const char *const ld[] = { "none", "https", "http" };
	int lyncdiscover = d->lyncdiscover >= 0 && d->lyncdiscover <= 2 ? d->lyncdiscover : 0;
	json_t *o = json_object();

	if (!o || sf_js_set(o, "domain", sf_js_str(d->domain)) ||
	    sf_js_set(o, "edge", sf_js_str(d->edge)) ||
	    sf_js_set(o, "federation", sf_js_str(sf_plan_federation_name(d->federation))) ||
	    sf_js_set(o, "federation_target", sf_js_str(d->federation_target)) ||
	    sf_js_set(o, "federation_port", d->federation_target ?
		      json_integer(d->federation_port) : json_null()) ||
	    sf_js_set(o, "client_target", sf_js_str(d->client_target)) ||
	    sf_js_set(o, "client_port", d->client_target ? json_integer(d->client_port) :
		      json_null()) ||
	    sf_js_set(o, "own_host", json_boolean(d->own_host)) ||
	    sf_js_set(o, "meet_url", sf_js_str(d->meet_url)) ||
	    sf_js_set(o, "lyncdiscover", sf_js_str(ld[lyncdiscover]))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_cert(const sf_plan_cert *c)
{
	json_t *o = json_object();

	if (!o || sf_js_set(o, "kind", sf_js_str(sf_plan_cert_kind_name(c->kind))) ||
	    sf_js_set(o, "subject", sf_js_str(c->subject)) ||
	    sf_js_set(o, "ca", sf_js_str(c->public_ca ? "public" : "private")) ||
	    sf_js_set(o, "host", sf_js_str(c->host)) ||
	    sf_js_set(o, "port", json_integer(c->port)) ||
	    sf_js_set(o, "san", sf_js_strv(c->san, c->n_san)) ||
	    sf_js_set(o, "san_count", json_integer((json_int_t)c->n_san)) ||
	    sf_js_set(o, "per_domain", json_integer((json_int_t)c->n_per_domain)) ||
	    sf_js_set(o, "note", sf_js_str(c->note))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* {"edge":N,"reverse-proxy":N,"front-end":N,"um":N} */
static json_t *js_kinds(const size_t *v)
{
	json_t *o = json_object();

	for (int k = 0; o && k < SF_PLAN_CERT_COUNT; k++) {
		if (sf_js_set(o, sf_plan_cert_kind_name((sf_plan_cert_kind)k),
			   json_integer((json_int_t)v[k]))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *js_option(const sf_plan_option *op)
{
	json_t *o = json_object();
	json_int_t now = 0, other = 0;

	for (int k = 0; k < SF_PLAN_CERT_COUNT; k++) {
		now += (json_int_t)op->san_now[k];
		other += (json_int_t)op->san_toggled[k];
	}
	if (!o || sf_js_set(o, "name", sf_js_str(op->name)) ||
	    sf_js_set(o, "applicable", json_boolean(op->applicable)) ||
	    sf_js_set(o, "in_use", json_boolean(op->in_use)) ||
	    sf_js_set(o, "san_now", js_kinds(op->san_now)) ||
	    sf_js_set(o, "san_toggled", js_kinds(op->san_toggled)) ||
	    /* names the option saves: positive = fewer names with it */
	    sf_js_set(o, "saves", json_integer(op->in_use ? other - now : now - other)) ||
	    sf_js_set(o, "summary", sf_js_str(op->summary)) ||
	    sf_js_set(o, "tradeoffs", sf_js_str(op->tradeoffs))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Appends @n items made by @make from @base (stride @size) to a new array. */
static json_t *js_array(const void *base, size_t n, size_t size, json_t *(*make)(const void *))
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, make((const char *)base + i * size)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *mk_domain(const void *p)
{
	return js_domain(p);
}

static json_t *mk_cert(const void *p)
{
	return js_cert(p);
}

static json_t *mk_option(const void *p)
{
	return js_option(p);
}

static json_t *js_plan_head(const sf_plan *p)
{
	json_t *o = json_object();

	if (!o || sf_js_set(o, "file", sf_js_str(p->file)) ||
	    sf_js_set(o, "name", sf_js_str(p->name)) ||
	    sf_js_set(o, "profile", sf_js_str(sf_profile_name(p->profile))) ||
	    sf_js_set(o, "ttl", json_integer(p->ttl))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *sf_out_json_plan(const sf_plan *p)
{
	json_t *root = NULL, *zones = NULL, *sum = NULL;

	if (!p || !(root = json_object()) || !(zones = json_array()))
		goto fail;
	for (size_t i = 0; i < p->n_zones; i++)
		if (json_array_append_new(zones, js_zone(&p->zones[i], p->ttl)) != 0)
			goto fail;
	if (sf_js_set(root, "version", json_integer(1)) ||
	    sf_js_set(root, "plan", js_plan_head(p)) ||
	    sf_js_set(root, "domains", js_array(p->domains, p->n_domains, sizeof(*p->domains),
					     mk_domain)))
		goto fail;
	if (sf_js_set(root, "zones", zones)) {
		zones = NULL;
		goto fail;
	}
	zones = NULL;
	if (sf_js_set(root, "certificates",
		   js_array(p->certs, p->n_certs, sizeof(*p->certs), mk_cert)) ||
	    sf_js_set(root, "dialin_url", sf_js_str(p->dialin_url)) ||
	    sf_js_set(root, "hosting_providers", sf_js_strv(p->hosting, p->n_hosting)) ||
	    sf_js_set(root, "options",
		   js_array(p->options, p->n_options, sizeof(*p->options), mk_option)) ||
	    sf_js_set(root, "notes", js_gaps(&p->notes)))
		goto fail;
	sum = json_object();
	if (!sum || sf_js_set(sum, "domains", json_integer((json_int_t)p->n_domains)) ||
	    sf_js_set(sum, "zones", json_integer((json_int_t)p->n_zones)) ||
	    sf_js_set(sum, "records", json_integer((json_int_t)p->n_records)) ||
	    sf_js_set(sum, "certificates", json_integer((json_int_t)p->n_certs)) ||
	    sf_js_set(sum, "san_total", json_integer((json_int_t)p->san_total)))
		goto fail;
	if (sf_js_set(root, "summary", sum)) {
		sum = NULL;
		goto fail;
	}
	return sf_js_dump(root);
fail:
	json_decref(sum);
	json_decref(zones);
	json_decref(root);
	return NULL;
}

/* ---- plan --check ---------------------------------------------------------------- */

char *sf_out_json_plan_domain_check(const sf_plan_domain_check *dc)
{
	json_t *r;
	char *text;

	if (!dc || !dc->result || !(text = sf_out_json_result(dc->result)))
		return NULL;
	r = json_loads(text, 0, NULL);
	free(text);
	if (!r || sf_js_set(r, "gaps", js_gaps(&dc->gaps)) ||
	    sf_js_set(r, "compared", json_integer((json_int_t)dc->n_compared))) {
		json_decref(r);
		return NULL;
	}
	return sf_js_dump(r);
}

char *sf_out_json_plan_zone_check(const char *zone, const sf_plan_gaps *g, size_t n_compared)
{
	json_t *o = json_object();

	if (!o || !zone || !g || sf_js_set(o, "zone", sf_js_str(zone)) ||
	    sf_js_set(o, "compared", json_integer((json_int_t)n_compared)) ||
	    sf_js_set(o, "gaps", js_gaps(g))) {
		json_decref(o);
		return NULL;
	}
	return sf_js_dump(o);
}

char *sf_out_json_plan_cert_check(const sf_plan_cert_check *cc)
{
	const sf_plan_cert *c;
	json_t *o, *missing;

	if (!cc || !cc->cert || !(o = json_object()))
		return NULL;
	c = cc->cert;
	missing = json_array();
	for (size_t i = 0; missing && i < cc->gaps.n; i++) {
		const sf_plan_gap *g = &cc->gaps.v[i];

		if (g->severity == SF_SEV_ERROR && g->planned &&
		    json_array_append_new(missing, sf_js_str(g->planned)) != 0) {
			json_decref(missing);
			missing = NULL;
		}
	}
	if (sf_js_set(o, "kind", sf_js_str(sf_plan_cert_kind_name(c->kind))) ||
	    sf_js_set(o, "subject", sf_js_str(c->subject)) ||
	    sf_js_set(o, "host", sf_js_str(c->host)) ||
	    sf_js_set(o, "port", json_integer(c->port)) ||
	    sf_js_set(o, "verified", json_boolean(cc->verified)) ||
	    sf_js_set(o, "reason", sf_js_str(cc->reason)) ||
	    sf_js_set(o, "planned_san", sf_js_strv(c->san, c->n_san)) ||
	    sf_js_set(o, "presented_cn", sf_js_str(cc->presented_cn)) ||
	    sf_js_set(o, "presented_san", sf_js_strv(cc->presented_san, cc->n_presented_san)) ||
	    sf_js_set(o, "missing", missing) || sf_js_set(o, "gaps", js_gaps(&cc->gaps)) ||
	    sf_js_set(o, "findings", sf_js_findings(&cc->findings, cc->profile, cc->role))) {
		json_decref(o);
		return NULL;
	}
	return sf_js_dump(o);
}

char *sf_out_json_plan_check_head(const sf_plan *p)
{
	return p ? sf_js_dump(js_plan_head(p)) : NULL;
}

char *sf_out_json_plan_summary(const sf_plan_check_summary *s)
{
	json_t *o = json_object();

	if (!o || !s || sf_js_set(o, "domains", json_integer((json_int_t)s->domains)) ||
	    sf_js_set(o, "errors", json_integer((json_int_t)s->errors)) ||
	    sf_js_set(o, "warnings", json_integer((json_int_t)s->warnings)) ||
	    sf_js_set(o, "gaps", json_integer((json_int_t)s->gaps)) ||
	    sf_js_set(o, "not_verified", json_integer((json_int_t)s->not_verified)) ||
	    sf_js_set(o, "verdict", sf_js_str(sf_verdict_name(sf_plan_summary_verdict(s))))) {
		json_decref(o);
		return NULL;
	}
	return sf_js_dump(o);
}
