/*
 * Human output of `sipfed logs`: one block per cause, most frequent first,
 *
 *   DNS-005  vcse.steven.lab  (2 events, 03/02/2017-07:10:46.230 .. 07:12:01)
 *     seen as  Edge 0xC3E93D6F SIPPROXY_E_...; 504 without ms-diagnostics
 *     cause    ...
 *     fix      ...
 *     next     sipfed check acano.steven.lab
 *     events   edge.log:12  03/02/2017-07:10:46.230  Edge 0xC3E93D6F    (with --events)
 *
 * Everything from the logs is untrusted and goes through the escaping
 * writer of textw.c; colour only when asked for.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/kb.h"
#include "out/textw.h"
#include "sipfed/logs.h"
#include "util/util.h"

#define MAX_SEEN 6 /* distinct "seen as" labels shown per cause */

/*
 * Appends the distinct check IDs of @ev to @sb ("DNS-005, CERT-001");
 * returns the worst severity of its rules in any profile.
 */
static sf_severity checks_of(const sf_log_event *ev, sf_sb *sb)
{
	sf_severity worst = SF_SEV_NONE;
	int any = 0;

	for (size_t i = 0; i < ev->n_rules; i++) {
		const sf_rule_info *ri = sf_rule_get(ev->rules[i]);
		int dup = 0;

		if (ri == NULL)
			continue;
		for (size_t k = 0; k < i; k++) {
			const sf_rule_info *rk = sf_rule_get(ev->rules[k]);

			dup |= rk != NULL && strcmp(rk->id, ri->id) == 0;
		}
		for (int p = 0; p < SF_PROFILE_COUNT; p++) {
			if (ri->sev[p] > worst)
				worst = ri->sev[p];
		}
		if (dup)
			continue;
		sf_sb_addf(sb, "%s%s", any ? ", " : "", ri->id);
		any = 1;
	}
	return worst;
}

/* Appends ", " then "@what @value" when @ev has the attribute @key. */
static void label_attr(sf_sb *sb, const sf_log_event *ev, const char *key, const char *what)
{
	const char *v = sf_log_event_attr(ev, key);

	if (v == NULL)
		return;
	sf_sb_addf(sb, "%s%s%s", sb->n ? ", " : "", what, v);
}

/*
 * What the log showed for @ev, as a short label ("ms-diagnostics 1009",
 * "TLS alert 48 unknown_ca, OpenSSL tlsv1 alert unknown ca"), appended to
 * @sb.  The values come from the log: the writer escapes them.
 */
static void seen_label(const sf_log_event *ev, sf_sb *sb)
{
	switch (ev->kind) {
	case SF_LOG_MSDIAG:
		sf_sb_addf(sb, "ms-diagnostics %d", ev->code);
		return;
	case SF_LOG_EDGE_RECORD:
		sf_sb_addf(sb, "Edge %s%s%s", ev->result_code ? ev->result_code : "record",
			   ev->result_name ? " " : "", ev->result_name ? ev->result_name : "");
		return;
	case SF_LOG_SIP_RESPONSE:
		sf_sb_addf(sb, "%d without ms-diagnostics", ev->sip_status);
		label_attr(sb, ev, "Warning-code", "Warning ");
		label_attr(sb, ev, "Q.850-cause", "Q.850 cause ");
		return;
	case SF_LOG_EVENT:
		break;
	default:
		sf_sb_add(sb, "?");
		return;
	}
	/* a Windows event or CDR diagnostic ID; else what the line carried */
	if (ev->code >= 0)
		sf_sb_addf(sb, "event %d", ev->code);
	label_attr(sb, ev, "Event", "Expressway ");
	if (!sf_log_event_attr(ev, "Event") && ev->source == SF_LOGT_EXPRESSWAY &&
	    sf_log_event_attr(ev, "Detail") && strlen(sf_log_event_attr(ev, "Detail")) <= 40 &&
	    ev->sip_status == 0)
		label_attr(sb, ev, "Detail", "Expressway "); /* "TCP Connection Failed" */
	if (ev->sip_status > 0)
		sf_sb_addf(sb, "%s%d", sb->n ? ", " : "", ev->sip_status);
	label_attr(sb, ev, "Warning-code", "Warning ");
	if (ev->result_code != NULL)
		sf_sb_addf(sb, "%s%s%s%s", sb->n ? ", " : "", ev->result_code,
			   ev->result_name ? " " : "", ev->result_name ? ev->result_name : "");
	if (ev->hresult != NULL &&
	    (ev->result_code == NULL || strcmp(ev->hresult, ev->result_code) != 0))
		sf_sb_addf(sb, "%sHRESULT %s", sb->n ? ", " : "", ev->hresult);
	label_attr(sb, ev, "TLS-alert", "TLS alert ");
	label_attr(sb, ev, "X509-verify-error", "X509 verify error ");
	label_attr(sb, ev, "OpenSSL-reason", "OpenSSL ");
	label_attr(sb, ev, "SChannel-error-state", "Schannel error state ");
	label_attr(sb, ev, "Q.850-cause", "Q.850 cause ");
	if (sb->n == 0)
		sf_sb_add(sb, "log line");
}

/* "  seen as  A; B" over the events of cause @ci (at most MAX_SEEN distinct labels). */
static void tw_seen(struct sf_tw *w, const sf_logs_report *r, size_t ci)
{
	char *seen[MAX_SEEN];
	size_t n_seen = 0, k;
	int more = 0, oom = 0;
	sf_sb line;

	for (size_t i = 0; i < sf_logs_report_n_events(r) && !more && !oom; i++) {
		sf_sb label;
		char *l;
		int dup = 0;

		if (sf_logs_report_event_cause(r, i) != ci)
			continue;
		sf_sb_init(&label, 0);
		seen_label(sf_logs_report_event(r, i), &label);
		l = sf_sb_take(&label);
		if (l == NULL) {
			oom = 1;
			break;
		}
		for (k = 0; k < n_seen; k++)
			dup |= strcmp(seen[k], l) == 0;
		if (dup || n_seen == MAX_SEEN) {
			more = !dup;
			free(l);
			continue;
		}
		seen[n_seen++] = l;
	}
	sf_sb_init(&line, 0);
	for (k = 0; k < n_seen; k++)
		sf_sb_addf(&line, "%s%s", k ? "; " : "", seen[k]);
	if (more)
		sf_sb_add(&line, "; ...");
	if (oom || line.oom)
		w->err = 1;
	else
		sf_tw_field(w, "seen as", sf_sb_str(&line));
	sf_sb_release(&line);
	for (k = 0; k < n_seen; k++)
		free(seen[k]);
}

/* One event on one line: "file:line  time  label  -> linked". */
static void tw_event_line(struct sf_tw *w, const sf_log_event *ev)
{
	sf_sb label;

	sf_tw_str(w, ev->file != NULL ? ev->file : "?");
	sf_tw_printf(w, ":%llu", (unsigned long long)ev->line);
	if (ev->time != NULL) {
		sf_tw_puts(w, "  ");
		sf_tw_str(w, ev->time);
	}
	sf_sb_init(&label, 0);
	seen_label(ev, &label);
	sf_tw_puts(w, "  ");
	sf_tw_str(w, label.oom ? "?" : sf_sb_str(&label));
	sf_sb_release(&label);
	if (ev->call_id != NULL) {
		sf_tw_puts(w, "  Call-ID ");
		sf_tw_str(w, ev->call_id);
	}
	if (ev->linked != NULL) {
		sf_tw_puts(w, "  -> ");
		sf_tw_str(w, ev->linked);
	}
	sf_tw_puts(w, "\n");
}

static void tw_cause(struct sf_tw *w, const sf_logs_report *r, size_t ci, unsigned flags)
{
	const sf_logs_cause *c = sf_logs_report_cause(r, ci);
	const sf_log_event *ev = sf_logs_report_event(r, c->first_event);
	sf_sb ids;
	sf_severity worst;
	int listed = 0;

	sf_sb_init(&ids, 0);
	worst = checks_of(ev, &ids);

	/* header: CHECKS  SUBJECT  (N events, first .. last) */
	sf_tw_sgr(w, SF_SGR_BOLD);
	if (ids.n > 0) {
		sf_tw_sgr(w, worst >= SF_SEV_ERROR ? SF_SGR_RED : SF_SGR_YELLOW);
		sf_tw_puts(w, sf_sb_str(&ids));
	} else {
		sf_tw_sgr(w, SF_SGR_YELLOW);
		sf_tw_puts(w, "(no check)");
	}
	sf_tw_sgr(w, SF_SGR_RESET);
	sf_sb_release(&ids);
	if (ev->subject != NULL) {
		sf_tw_puts(w, "  ");
		sf_tw_sgr(w, SF_SGR_BOLD);
		sf_tw_str(w, ev->subject);
		sf_tw_sgr(w, SF_SGR_RESET);
	}
	sf_tw_printf(w, "  (%zu event%s", c->count, c->count == 1 ? "" : "s");
	if (c->first_time != NULL) {
		sf_tw_puts(w, ", ");
		sf_tw_str(w, c->first_time);
		if (c->last_time != NULL && strcmp(c->last_time, c->first_time) != 0) {
			sf_tw_puts(w, " .. ");
			sf_tw_str(w, c->last_time);
		}
	}
	sf_tw_puts(w, ")\n");
	tw_seen(w, r, ci);
	sf_tw_field(w, "cause", ev->cause);
	if (ev->fix != NULL)
		sf_tw_field(w, "fix", ev->fix);
	if (ev->next != NULL)
		sf_tw_field(w, "next", ev->next);
	if (!(flags & SF_OUT_LOGS_EVENTS))
		return;
	for (size_t i = 0; i < sf_logs_report_n_events(r) && !w->err; i++) {
		if (sf_logs_report_event_cause(r, i) != ci)
			continue;
		if (!listed)
			sf_tw_label(w, "events");
		else
			sf_tw_spaces(w, SF_TW_TEXT_COL);
		listed = 1;
		tw_event_line(w, sf_logs_report_event(r, i));
	}
}

int sf_out_text_logs_ex(FILE *fp, const sf_logs_report *r, int color, unsigned flags)
{
	struct sf_tw w = { fp, color != 0, 0 };
	size_t nf, ne, nc;

	if (fp == NULL || r == NULL)
		return -1;
	nf = sf_logs_report_n_files(r);
	ne = sf_logs_report_n_events(r);
	nc = sf_logs_report_n_causes(r);
	if (ne == 0) {
		sf_tw_printf(&w, "sipfed logs: no federation failure found in %zu file%s\n", nf,
			     nf == 1 ? "" : "s");
		return sf_tw_end(&w);
	}
	sf_tw_printf(&w, "sipfed logs: %zu event%s in %zu file%s, %zu cause%s\n\n", ne,
		     ne == 1 ? "" : "s", nf, nf == 1 ? "" : "s", nc, nc == 1 ? "" : "s");
	for (size_t i = 0; i < nc && !w.err; i++) {
		if (i > 0)
			sf_tw_puts(&w, "\n");
		tw_cause(&w, r, i, flags);
	}
	return sf_tw_end(&w);
}

int sf_out_text_logs(FILE *fp, const sf_logs_report *r, int color)
{
	return sf_out_text_logs_ex(fp, r, color, 0);
}
