/*
 * Writers of `sipfed probe` (include/sipfed/probe.h).
 *
 * JSON, one object P per probe (`--json`: {"version":1,"results":[P]};
 * jsonl: P on one line):
 *   domain, dns_source, target, port, address, certificate (the name we
 *   presented), attempts [{target, port, address, error}],
 *   tls {version, cipher, alert {number, name, meaning} | null,
 *        client_cert_requested, error},
 *   server_certificate {subject, issuer, san [], name_match, chain_trusted,
 *        findings [F as in check]} | null,
 *   replies [{from, status | null, reason, server, server_kind, latency_ms,
 *        ms_diagnostics {header, code, reason, attrs {k: v}} | null,
 *        checks [IDs], cause, fix, error}],
 *   load {connections, connected, sent, answered, ok, failed, elapsed_s,
 *        requests_per_s, p50_ms, p99_ms, max_ms, first_error} (load mode only),
 *   stopped_at ("answered", "dns", "connect", "tls", "no-answer", "closed"),
 *   stop_reason, verdict (pass, warn, fail, error).
 * Text from the peer (reason phrases, Server, attributes) is untrusted: JSON
 * repairs it to valid UTF-8, text escapes control characters.
 */
#include <stdlib.h>
#include <string.h>

#include "out/jsonw.h"
#include "out/textw.h"
#include "sipfed/probe.h"

static json_t *js_num(double v)
{
	/* three decimals, without libm */
	return json_real((double)(long long)(v * 1000.0 + (v < 0 ? -0.5 : 0.5)) / 1000.0);
}

static json_t *js_alert(const sf_probe_result *r)
{
	json_t *o;
	const char *m;

	if (r->alert < 0)
		return json_null();
	o = json_object();
	m = sf_probe_alert_meaning(r->alert);
	if (!o || sf_js_set(o, "number", json_integer(r->alert)) ||
	    sf_js_set(o, "name", r->alert_name ? sf_js_str(r->alert_name) : json_null()) ||
	    sf_js_set(o, "meaning", m ? sf_js_str(m) : json_null())) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *js_server_cert(const sf_probe_result *r)
{
	json_t *o;

	if (!r->server_subject)
		return json_null();
	o = json_object();
	if (!o || sf_js_set(o, "subject", sf_js_str(r->server_subject)) ||
	    sf_js_set(o, "issuer", sf_js_str(r->server_issuer)) ||
	    sf_js_set(o, "san", sf_js_strv(r->server_san, r->n_server_san)) ||
	    sf_js_set(o, "name_match", js_tri(r->server_name_match)) ||
	    sf_js_set(o, "chain_trusted", js_tri(r->server_trusted)) ||
	    sf_js_set(o, "findings", sf_js_findings(&r->server_findings, r->profile,
						    SF_ROLE_EDGE))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_msdiag(const sf_probe_reply *rep)
{
	json_t *o, *a;

	if (!rep->ms_header)
		return json_null();
	o = json_object();
	a = json_object();
	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < rep->n_ms_attrs; i++) {
		char *k = sf_js_repair(rep->ms_attrs[i].key);

		if (!k || sf_js_set(a, k, sf_js_str(rep->ms_attrs[i].value))) {
			free(k);
			json_decref(a);
			json_decref(o);
			return NULL;
		}
		free(k);
	}
	if (sf_js_set(o, "header", sf_js_str(rep->ms_header)) ||
	    sf_js_set(o, "code", json_integer(rep->ms_code)) ||
	    sf_js_set(o, "reason", sf_js_str(rep->ms_reason)) || sf_js_set(o, "attrs", a)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_reply(const sf_probe_reply *rep)
{
	json_t *o = json_object();

	if (!o || sf_js_set(o, "from", sf_js_str(rep->from)) ||
	    sf_js_set(o, "status", rep->status ? json_integer(rep->status) : json_null()) ||
	    sf_js_set(o, "reason", sf_js_str(rep->reason)) ||
	    sf_js_set(o, "server", sf_js_str(rep->server)) ||
	    sf_js_set(o, "server_kind", sf_js_str(rep->server_kind)) ||
	    sf_js_set(o, "latency_ms", rep->status ? js_num(rep->latency_ms) : json_null()) ||
	    sf_js_set(o, "ms_diagnostics", js_msdiag(rep)) ||
	    sf_js_set(o, "checks", sf_js_strv(rep->checks, rep->n_checks)) ||
	    sf_js_set(o, "cause", sf_js_str(rep->cause)) ||
	    sf_js_set(o, "fix", sf_js_str(rep->fix)) ||
	    sf_js_set(o, "error", sf_js_str(rep->error))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *js_load(const sf_probe_load *l)
{
	json_t *o = json_object();

	if (!o || sf_js_set(o, "connections", json_integer(l->connections)) ||
	    sf_js_set(o, "connected", json_integer(l->connected)) ||
	    sf_js_set(o, "sent", json_integer((json_int_t)l->sent)) ||
	    sf_js_set(o, "answered", json_integer((json_int_t)l->answered)) ||
	    sf_js_set(o, "ok", json_integer((json_int_t)l->ok)) ||
	    sf_js_set(o, "failed", json_integer((json_int_t)l->failed)) ||
	    sf_js_set(o, "elapsed_s", js_num(l->elapsed_s)) ||
	    sf_js_set(o, "requests_per_s", js_num(l->rate)) ||
	    sf_js_set(o, "p50_ms", js_num(l->p50_ms)) ||
	    sf_js_set(o, "p99_ms", js_num(l->p99_ms)) ||
	    sf_js_set(o, "max_ms", js_num(l->max_ms)) ||
	    sf_js_set(o, "first_error", sf_js_str(l->first_error))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *sf_out_json_probe(const sf_probe_result *r)
{
	json_t *root = json_object(), *att = json_array(), *reps = json_array(), *tls;

	if (!root || !att || !reps)
		goto fail;
	for (size_t i = 0; i < r->n_attempts; i++) {
		const sf_probe_attempt *a = &r->attempts[i];
		json_t *o = json_object();

		if (!o || sf_js_set(o, "target", sf_js_str(a->target)) ||
		    sf_js_set(o, "port", json_integer(a->port)) ||
		    sf_js_set(o, "address", sf_js_str(a->address)) ||
		    sf_js_set(o, "error", sf_js_str(a->error)) || json_array_append_new(att, o)) {
			json_decref(o);
			goto fail;
		}
	}
	for (size_t i = 0; i < r->n_replies; i++) {
		json_t *o = js_reply(&r->replies[i]);

		if (!o || json_array_append_new(reps, o))
			goto fail;
	}
	tls = json_object();
	if (!tls || sf_js_set(tls, "version", sf_js_str(r->tls_version)) ||
	    sf_js_set(tls, "cipher", sf_js_str(r->tls_cipher)) ||
	    sf_js_set(tls, "alert", js_alert(r)) ||
	    sf_js_set(tls, "client_cert_requested", json_boolean(r->client_cert_requested)) ||
	    sf_js_set(tls, "error", sf_js_str(r->tls_error))) {
		json_decref(tls);
		goto fail;
	}
	if (sf_js_set(root, "domain", sf_js_str(r->domain)) ||
	    sf_js_set(root, "profile", sf_js_str(sf_profile_name(r->profile))) ||
	    sf_js_set(root, "dns_source", sf_js_str(r->dns_source)) ||
	    sf_js_set(root, "target", sf_js_str(r->target)) ||
	    sf_js_set(root, "port", r->target ? json_integer(r->port) : json_null()) ||
	    sf_js_set(root, "address", sf_js_str(r->address)) ||
	    sf_js_set(root, "certificate", sf_js_str(r->cert_name)) ||
	    sf_js_set(root, "attempts", att) || (att = NULL) ||
	    sf_js_set(root, "tls", tls) ||
	    sf_js_set(root, "server_certificate", js_server_cert(r)) ||
	    sf_js_set(root, "replies", reps) || (reps = NULL) ||
	    (r->load_mode && sf_js_set(root, "load", js_load(&r->load))) ||
	    sf_js_set(root, "stopped_at", sf_js_str(sf_probe_stop_name(r->stopped_at))) ||
	    sf_js_set(root, "stop_reason", sf_js_str(r->stop_reason)) ||
	    sf_js_set(root, "verdict", sf_js_str(sf_verdict_name(sf_probe_verdict(r)))))
		goto fail;
	{
		/* sf_js_dump() takes root */
		return sf_js_dump(root);
	}
fail:
	json_decref(root);
	json_decref(att);
	json_decref(reps);
	return NULL;
}

/* ---- text ----------------------------------------------------------------------- */

static void tw_findings(struct sf_tw *w, const sf_findings *fs)
{
	for (size_t i = 0; i < fs->n && !w->err; i++) {
		const sf_finding *f = &fs->v[i];
		const char *sev = sf_severity_name(f->severity);

		sf_tw_spaces(w, 4);
		sf_tw_sgr(w, sf_tw_sev_sgr(f->severity));
		sf_tw_printf(w, "%-8s", sev ? sev : "?");
		sf_tw_sgr(w, SF_SGR_RESET);
		sf_tw_str(w, f->id);
		if (f->subject) {
			sf_tw_puts(w, "  ");
			sf_tw_str(w, f->subject);
		}
		sf_tw_puts(w, "\n");
		if (f->message)
			sf_tw_para(w, 12, "", f->message);
		if (f->fix && f->severity >= SF_SEV_WARN)
			sf_tw_para(w, 12, "fix: ", f->fix);
	}
}

static void tw_reply(struct sf_tw *w, const sf_probe_reply *rep)
{
	sf_tw_puts(w, "  from ");
	sf_tw_str(w, rep->from);
	sf_tw_puts(w, ": ");
	if (rep->status) {
		int ok = rep->status >= 200 && rep->status < 300;

		sf_tw_sgr(w, ok ? SF_SGR_GREEN : SF_SGR_RED);
		sf_tw_printf(w, "%d ", rep->status);
		sf_tw_str(w, rep->reason ? rep->reason : "");
		sf_tw_sgr(w, SF_SGR_RESET);
		sf_tw_printf(w, "  (%.1f ms)\n", rep->latency_ms);
	} else {
		sf_tw_sgr(w, SF_SGR_RED);
		sf_tw_puts(w, "no response");
		sf_tw_sgr(w, SF_SGR_RESET);
		sf_tw_puts(w, "\n");
	}
	if (rep->server) {
		sf_tw_puts(w, "    server    ");
		sf_tw_str(w, rep->server);
		sf_tw_printf(w, " (%s)\n", rep->server_kind ? rep->server_kind : "?");
	}
	if (rep->ms_header) {
		sf_tw_printf(w, "    %s: %d", rep->ms_header, rep->ms_code);
		if (rep->ms_reason) {
			sf_tw_puts(w, " \"");
			sf_tw_str(w, rep->ms_reason);
			sf_tw_puts(w, "\"");
		}
		sf_tw_puts(w, "\n");
		for (size_t i = 0; i < rep->n_ms_attrs; i++) {
			if (strcasecmp(rep->ms_attrs[i].key, "reason") == 0)
				continue;
			sf_tw_puts(w, "      ");
			sf_tw_str(w, rep->ms_attrs[i].key);
			sf_tw_puts(w, "=");
			sf_tw_str(w, rep->ms_attrs[i].value);
			sf_tw_puts(w, "\n");
		}
	}
	if (rep->n_checks) {
		sf_tw_puts(w, "    checks    ");
		for (size_t i = 0; i < rep->n_checks; i++) {
			if (i)
				sf_tw_puts(w, ", ");
			sf_tw_str(w, rep->checks[i]);
		}
		sf_tw_puts(w, "\n");
	}
	if (rep->cause)
		sf_tw_para(w, 4, "cause     ", rep->cause);
	if (rep->fix)
		sf_tw_para(w, 4, "fix       ", rep->fix);
	if (rep->error)
		sf_tw_para_raw(w, 4, "why       ", rep->error);
}

int sf_out_text_probe(FILE *fp, const sf_probe_result *r, int color)
{
	struct sf_tw tw = { .fp = fp, .color = color }, *w = &tw;
	const char *sgr = NULL;
	sf_verdict v = sf_probe_verdict(r);
	const char *word = sf_tw_verdict_word(v, &sgr);

	sf_tw_puts(w, "probe ");
	sf_tw_str(w, r->domain);
	sf_tw_puts(w, "  ");
	sf_tw_sgr(w, sgr);
	sf_tw_puts(w, word);
	sf_tw_sgr(w, SF_SGR_RESET);
	sf_tw_puts(w, "\n");
	if (r->dns_source) {
		sf_tw_puts(w, "  dns       ");
		sf_tw_str(w, r->dns_source);
		sf_tw_puts(w, "\n");
	}
	for (size_t i = 0; i < r->n_attempts; i++) {
		const sf_probe_attempt *a = &r->attempts[i];

		sf_tw_puts(w, "  tried     ");
		sf_tw_str(w, a->target);
		sf_tw_printf(w, ":%u", (unsigned)a->port);
		if (a->address) {
			sf_tw_puts(w, " at ");
			sf_tw_str(w, a->address);
		}
		sf_tw_puts(w, ": ");
		sf_tw_str(w, a->error);
		sf_tw_puts(w, "\n");
	}
	if (r->target && r->address) {
		sf_tw_puts(w, "  target    ");
		sf_tw_str(w, r->target);
		sf_tw_printf(w, ":%u at ", (unsigned)r->port);
		sf_tw_str(w, r->address);
		sf_tw_puts(w, "\n");
	}
	if (r->cert_name) {
		sf_tw_puts(w, "  we are    ");
		sf_tw_str(w, r->cert_name);
		sf_tw_puts(w, "\n");
	}
	if (r->tls_done) {
		sf_tw_puts(w, "  tls       ");
		sf_tw_str(w, r->tls_version ? r->tls_version : "?");
		sf_tw_puts(w, " ");
		sf_tw_str(w, r->tls_cipher ? r->tls_cipher : "");
		sf_tw_puts(w, r->client_cert_requested ? ", our certificate was requested\n"
						       : ", no client certificate requested\n");
	}
	if (r->alert >= 0) {
		const char *m = sf_probe_alert_meaning(r->alert);

		sf_tw_printf(w, "  alert     %d %s", r->alert, r->alert_name ? r->alert_name : "");
		if (m) {
			sf_tw_puts(w, ": ");
			sf_tw_puts(w, m);
		}
		sf_tw_puts(w, "\n");
	}
	if (r->server_subject) {
		sf_tw_puts(w, "  peer cert ");
		sf_tw_str(w, r->server_subject);
		sf_tw_puts(w, "\n");
		if (r->n_server_san) {
			sf_tw_puts(w, "            SAN ");
			for (size_t i = 0; i < r->n_server_san; i++) {
				if (i)
					sf_tw_puts(w, ", ");
				sf_tw_str(w, r->server_san[i]);
			}
			sf_tw_puts(w, "\n");
		}
		sf_tw_printf(w, "            name %s, chain %s\n",
			     r->server_name_match < 0 ? "not checked (no host name)"
			     : r->server_name_match ? "matches" : "DOES NOT match",
			     r->server_trusted ? "trusted" : "NOT trusted");
		tw_findings(w, &r->server_findings);
	}
	for (size_t i = 0; i < r->n_replies; i++)
		tw_reply(w, &r->replies[i]);
	if (r->load_mode) {
		const sf_probe_load *l = &r->load;

		sf_tw_printf(w, "  load      %u/%u connections, %llu sent, %llu answered (%llu 2xx), "
			     "%llu failed in %.3f s\n",
			     l->connected, l->connections, (unsigned long long)l->sent,
			     (unsigned long long)l->answered, (unsigned long long)l->ok,
			     (unsigned long long)l->failed, l->elapsed_s);
		sf_tw_printf(w, "  rate      %.1f requests/s, latency p50 %.2f ms, p99 %.2f ms, "
			     "max %.2f ms\n", l->rate, l->p50_ms, l->p99_ms, l->max_ms);
		if (l->first_error)
			sf_tw_para_raw(w, 2, "error     ", l->first_error);
	}
	if (r->stopped_at != SF_PROBE_ANSWERED) {
		sf_tw_printf(w, "  stopped   at %s", sf_probe_stop_name(r->stopped_at));
		sf_tw_puts(w, "\n");
		if (r->stop_reason)
			sf_tw_para_raw(w, 12, "", r->stop_reason);
	}
	return sf_tw_end(w);
}
