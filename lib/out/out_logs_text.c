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
#include <string.h>

#include "logs/kb.h"
#include "out/textw.h"
#include "sipfed/logs.h"
#include "util/util.h"

#define MAX_SEEN 6 /* distinct "seen as" labels shown per cause */

/*
 * Writes the distinct check IDs of @ev into @buf ("DNS-005, CERT-001");
 * returns the worst severity of its rules in any profile.
 */
static sf_severity checks_of(const sf_log_event *ev, char *buf, size_t cap)
{
	sf_severity worst = SF_SEV_NONE;
	size_t len = 0;

	buf[0] = '\0';
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
		len += (size_t)snprintf(buf + len, cap > len ? cap - len : 0, "%s%s",
					len > 0 ? ", " : "", ri->id);
		if (len >= cap)
			len = cap - 1;
	}
	return worst;
}

/* What the log showed for @ev, as a short label ("ms-diagnostics 1009"). */
static void seen_label(const sf_log_event *ev, char *buf, size_t cap)
{
	switch (ev->kind) {
	case SF_LOG_MSDIAG:
		snprintf(buf, cap, "ms-diagnostics %d", ev->code);
		return;
	case SF_LOG_EDGE_RECORD:
		snprintf(buf, cap, "Edge %s%s%s", ev->result_code ? ev->result_code : "record",
			 ev->result_name ? " " : "", ev->result_name ? ev->result_name : "");
		return;
	case SF_LOG_SIP_RESPONSE:
		snprintf(buf, cap, "%d without ms-diagnostics", ev->sip_status);
		return;
	case SF_LOG_EVENT:
		if (ev->result_code != NULL)
			snprintf(buf, cap, "event %d %s", ev->code, ev->result_code);
		else
			snprintf(buf, cap, "event %d", ev->code);
		return;
	}
	snprintf(buf, cap, "?");
}

/* "  seen as  A; B" over the events of cause @ci. */
static void tw_seen(struct sf_tw *w, const sf_logs_report *r, size_t ci)
{
	char seen[MAX_SEEN][160], label[160], line[MAX_SEEN * 162 + 8];
	size_t n_seen = 0, len = 0;
	int more = 0;

	for (size_t i = 0; i < sf_logs_report_n_events(r); i++) {
		int dup = 0;

		if (sf_logs_report_event_cause(r, i) != ci)
			continue;
		seen_label(sf_logs_report_event(r, i), label, sizeof(label));
		for (size_t k = 0; k < n_seen; k++)
			dup |= strcmp(seen[k], label) == 0;
		if (dup)
			continue;
		if (n_seen == MAX_SEEN) {
			more = 1;
			break;
		}
		memcpy(seen[n_seen++], label, sizeof(label));
	}
	line[0] = '\0';
	for (size_t k = 0; k < n_seen; k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", k ? "; " : "",
					seen[k]);
	if (more)
		snprintf(line + len, sizeof(line) - len, "; ...");
	sf_tw_field(w, "seen as", line);
}

/* One event on one line: "file:line  time  label  -> linked". */
static void tw_event_line(struct sf_tw *w, const sf_log_event *ev)
{
	char label[160];

	sf_tw_str(w, ev->file != NULL ? ev->file : "?");
	sf_tw_printf(w, ":%llu", (unsigned long long)ev->line);
	if (ev->time != NULL) {
		sf_tw_puts(w, "  ");
		sf_tw_str(w, ev->time);
	}
	seen_label(ev, label, sizeof(label));
	sf_tw_puts(w, "  ");
	sf_tw_str(w, label);
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
	char ids[256];
	sf_severity worst = checks_of(ev, ids, sizeof(ids));
	int listed = 0;

	/* header: CHECKS  SUBJECT  (N events, first .. last) */
	sf_tw_sgr(w, SF_SGR_BOLD);
	if (ids[0] != '\0') {
		sf_tw_sgr(w, worst >= SF_SEV_ERROR ? SF_SGR_RED : SF_SGR_YELLOW);
		sf_tw_puts(w, ids);
	} else {
		sf_tw_sgr(w, SF_SGR_YELLOW);
		sf_tw_puts(w, "(no check)");
	}
	sf_tw_sgr(w, SF_SGR_RESET);
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
