/*
 * JSON output of `sipfed logs` (SPEC §3, a contract):
 *   {"version":1,"events":[E...],"summary":{"files":n,"events":n,"causes":[C...]}}
 * E: file, line, kind, code, result_code, hresult, attrs, checks, subject,
 * fix, time, call_id, from_domain, to_domain, linked, next, cause, then
 * type, status, reason, result_name.  C: cause, subject, checks, count,
 * first, last, fix, next.  Built with jansson (insertion order kept); bytes
 * from the logs may be ill-formed UTF-8 and are repaired (U+FFFD per bad
 * byte) rather than lost.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "logs/kb.h"
#include "out/jsonw.h"
#include "sipfed/logs.h"

/* The key=value pairs of the record; a repeated key keeps its first value. */
static json_t *js_attrs(const sf_log_event *ev)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < ev->n_attrs; i++) {
		const char *k = ev->attrs[i].key != NULL ? ev->attrs[i].key : "";
		char *key = sf_js_repair(k);

		if (key == NULL)
			goto fail;
		if (json_object_get(o, key) == NULL &&
		    sf_js_set(o, key, sf_js_str(ev->attrs[i].value)) != 0) {
			free(key);
			goto fail;
		}
		free(key);
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The distinct check IDs of the rules, in order. */
static json_t *js_checks(const sf_rule *rules, size_t n)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const sf_rule_info *ri = sf_rule_get(rules[i]);
		int dup = 0;

		if (ri == NULL)
			continue;
		for (size_t k = 0; k < json_array_size(a); k++)
			dup |= strcmp(json_string_value(json_array_get(a, k)), ri->id) == 0;
		if (!dup && json_array_append_new(a, json_string(ri->id)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *js_event(const sf_log_event *ev)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (sf_js_set(o, "file", sf_js_str(ev->file)) != 0 ||
	    sf_js_set(o, "line", json_integer((json_int_t)ev->line)) != 0 ||
	    sf_js_set(o, "kind", sf_js_str(sf_log_kind_name(ev->kind))) != 0 ||
	    sf_js_set(o, "code", ev->code >= 0 ? json_integer(ev->code) : json_null()) != 0 ||
	    sf_js_set(o, "result_code", sf_js_str(ev->result_code)) != 0 ||
	    sf_js_set(o, "hresult", sf_js_str(ev->hresult)) != 0 ||
	    sf_js_set(o, "attrs", js_attrs(ev)) != 0 ||
	    sf_js_set(o, "checks", js_checks(ev->rules, ev->n_rules)) != 0 ||
	    sf_js_set(o, "subject", sf_js_str(ev->subject)) != 0 ||
	    sf_js_set(o, "fix", sf_js_str(ev->fix)) != 0 ||
	    sf_js_set(o, "time", sf_js_str(ev->time)) != 0 ||
	    sf_js_set(o, "call_id", sf_js_str(ev->call_id)) != 0 ||
	    sf_js_set(o, "from_domain", sf_js_str(ev->from_domain)) != 0 ||
	    sf_js_set(o, "to_domain", sf_js_str(ev->to_domain)) != 0 ||
	    sf_js_set(o, "linked", sf_js_str(ev->linked)) != 0 ||
	    sf_js_set(o, "next", sf_js_str(ev->next)) != 0 ||
	    sf_js_set(o, "cause", sf_js_str(ev->cause)) != 0 ||
	    sf_js_set(o, "type", sf_js_str(sf_log_type_name(ev->source))) != 0 ||
	    sf_js_set(o, "status", ev->sip_status > 0 ? json_integer(ev->sip_status) :
		      json_null()) != 0 ||
	    sf_js_set(o, "reason", sf_js_str(ev->reason)) != 0 ||
	    sf_js_set(o, "result_name", sf_js_str(ev->result_name)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_cause(const sf_logs_report *r, const sf_logs_cause *c)
{
	const sf_log_event *ev = sf_logs_report_event(r, c->first_event);
	json_t *o = json_object();

	if (o == NULL || ev == NULL) {
		json_decref(o);
		return NULL;
	}
	if (sf_js_set(o, "cause", sf_js_str(ev->cause)) != 0 ||
	    sf_js_set(o, "subject", sf_js_str(ev->subject)) != 0 ||
	    sf_js_set(o, "checks", js_checks(ev->rules, ev->n_rules)) != 0 ||
	    sf_js_set(o, "count", json_integer((json_int_t)c->count)) != 0 ||
	    sf_js_set(o, "first", sf_js_str(c->first_time)) != 0 ||
	    sf_js_set(o, "last", sf_js_str(c->last_time)) != 0 ||
	    sf_js_set(o, "fix", sf_js_str(ev->fix)) != 0 ||
	    sf_js_set(o, "next", sf_js_str(ev->next)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_causes(const sf_logs_report *r)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < sf_logs_report_n_causes(r); i++) {
		if (json_array_append_new(a, js_cause(r, sf_logs_report_cause(r, i))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The SIP domains the fixes name (what --verify checks), first seen first. */
static json_t *js_domains(const sf_logs_report *r)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < sf_logs_report_n_domains(r); i++) {
		if (json_array_append_new(a, sf_js_str(sf_logs_report_domain(r, i))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *js_summary(const sf_logs_report *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (sf_js_set(o, "files", json_integer((json_int_t)sf_logs_report_n_files(r))) != 0 ||
	    sf_js_set(o, "events", json_integer((json_int_t)sf_logs_report_n_events(r))) != 0 ||
	    sf_js_set(o, "causes", js_causes(r)) != 0 ||
	    sf_js_set(o, "domains", js_domains(r)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *sf_out_json_log_event(const sf_log_event *ev)
{
	return ev != NULL ? sf_js_dump(js_event(ev)) : NULL;
}

char *sf_out_json_logs_summary(const sf_logs_report *r)
{
	return r != NULL ? sf_js_dump(js_summary(r)) : NULL;
}

char *sf_out_json_logs(const sf_logs_report *r)
{
	json_t *root = NULL, *events = NULL, *tmp;
	char *text = NULL;

	if (r == NULL)
		goto out;
	root = json_object();
	events = json_array();
	if (root == NULL || events == NULL)
		goto out;
	for (size_t i = 0; i < sf_logs_report_n_events(r); i++) {
		if (json_array_append_new(events, js_event(sf_logs_report_event(r, i))) != 0)
			goto out;
	}
	if (sf_js_set(root, "version", json_integer(1)) != 0)
		goto out;
	tmp = events;
	events = NULL;
	/* sf_js_set takes the reference also on failure */
	if (sf_js_set(root, "events", tmp) != 0 || sf_js_set(root, "summary", js_summary(r)) != 0)
		goto out;
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(events);
	json_decref(root);
	return text;
}
