/*
 * Human output of `sipfed plan` and `sipfed plan --check`: the domains, one
 * zone-file snippet per zone (paste-able: absolute names, comments after
 * ';'), the certificates with their SAN lists, the options with what they
 * cost, the notes.  Strings that may come from outside (DNS answers,
 * certificate names in gaps) are escaped: no byte reaches the terminal as a
 * control sequence.  Colour (ANSI SGR) only when the caller asks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns.h"
#include "out/textw.h"
#include "sipfed/plan.h"

/*
 * The shared text writer (textw.h) and the column it has reached, which the
 * zone-file snippets and the tables below align on.
 */
struct pw {
	struct sf_tw tw;
	size_t col;
};

/* Trusted text (ours, never data). */
static void pw_raw(struct pw *w, const char *s, size_t n)
{
	sf_tw_write(&w->tw, s, n);
	for (size_t i = 0; i < n; i++)
		w->col = s[i] == '\n' ? 0 : w->col + 1;
}

static void pw_puts(struct pw *w, const char *s)
{
	pw_raw(w, s, strlen(s));
}

static void pw_sgr(struct pw *w, const char *code)
{
	sf_tw_sgr(&w->tw, code);
}

static void pw_spaces(struct pw *w, size_t n)
{
	sf_tw_spaces(&w->tw, n);
	w->col += n;
}

/* Untrusted text ("?" if NULL), escaped by sf_tw_esc. */
static void pw_str(struct pw *w, const char *s)
{
	w->col += sf_tw_str(&w->tw, s ? s : "?");
}

static void pw_printf(struct pw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Trusted formatted text (numbers, our own words). */
static void pw_printf(struct pw *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		w->tw.err = 1;
	else
		pw_raw(w, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Pads with spaces to column @col (at least one space). */
static void pw_to(struct pw *w, size_t col)
{
	pw_spaces(w, w->col < col ? col - w->col : 1);
}

/*
 * Writes untrusted running text wrapped at SF_TW_WIDTH, words separated by one
 * space; a continuation line starts with @cont (trusted: "; " keeps a zone
 * file comment a comment), or with @indent spaces if @cont is NULL.  Ends
 * the line.
 */
static void pw_wrap(struct pw *w, size_t indent, const char *cont, const char *text)
{
	const char *p = text ? text : "";
	int fresh = 1;

	while (*p && !w->tw.err) {
		size_t n, wd;

		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		n = strcspn(p, " \t\r\n");
		wd = sf_tw_esc(NULL, p, n);
		if (!fresh && w->col + 1 + wd > SF_TW_WIDTH) {
			pw_puts(w, "\n");
			if (cont)
				pw_puts(w, cont);
			else
				pw_spaces(w, indent);
		} else if (!fresh) {
			pw_puts(w, " ");
		}
		w->col += sf_tw_esc(&w->tw, p, n);
		fresh = 0;
		p += n;
	}
	pw_puts(w, "\n");
}

static void pw_para(struct pw *w, size_t indent, const char *text)
{
	pw_wrap(w, indent, NULL, text);
}

/* "LABEL" at column 2, then the paragraph from SF_TW_TEXT_COL. */
static void pw_field(struct pw *w, const char *label, const char *text)
{
	pw_spaces(w, 2);
	pw_puts(w, label);
	pw_to(w, SF_TW_TEXT_COL);
	pw_para(w, SF_TW_TEXT_COL, text);
}

/* A list of names, comma-separated, wrapped under column @indent. */
static void pw_list(struct pw *w, size_t indent, char *const *v, size_t n)
{
	for (size_t i = 0; i < n && !w->tw.err; i++) {
		size_t wd = sf_tw_width(v[i]) + (i + 1 < n);

		if (i > 0 && w->col + 1 + wd > SF_TW_WIDTH) {
			pw_puts(w, "\n");
			pw_spaces(w, indent);
		} else if (i > 0) {
			pw_puts(w, " ");
		}
		pw_str(w, v[i]);
		if (i + 1 < n)
			pw_puts(w, ",");
	}
	pw_puts(w, "\n");
}

static void pw_heading(struct pw *w, const char *text)
{
	pw_sgr(w, SF_SGR_BOLD);
	pw_puts(w, text);
	pw_sgr(w, SF_SGR_RESET);
	pw_puts(w, "\n");
}

/*
 * One gap or finding:
 *   SEVERITY ID  SUBJECT
 *            message
 * (pw_sub adds "planned: ...", "found: ...", "fix: ..." under it).
 */
static void pw_item(struct pw *w, sf_severity severity, const char *id, const char *subject,
		    const char *message)
{
	const char *sev = sf_severity_name(severity);

	pw_spaces(w, 2);
	pw_sgr(w, sf_tw_sev_sgr(severity));
	pw_puts(w, sev ? sev : "?");
	pw_sgr(w, SF_SGR_RESET);
	pw_to(w, SF_TW_TEXT_COL);
	pw_str(w, id);
	pw_to(w, SF_TW_TEXT_COL + 10);
	pw_str(w, subject ? subject : "");
	pw_puts(w, "\n");
	pw_spaces(w, SF_TW_TEXT_COL);
	pw_para(w, SF_TW_TEXT_COL, message);
}

/* "LABEL" + untrusted @text at the text column, continuation under the text. */
static void pw_sub(struct pw *w, const char *label, const char *text)
{
	pw_spaces(w, SF_TW_TEXT_COL);
	pw_puts(w, label);
	pw_para(w, SF_TW_TEXT_COL + strlen(label), text);
}

static void pw_gaps(struct pw *w, const sf_plan_gaps *g)
{
	for (size_t i = 0; i < g->n && !w->tw.err; i++) {
		const sf_plan_gap *x = &g->v[i];

		pw_item(w, x->severity, x->id, x->subject, x->message);
		if (x->planned)
			pw_sub(w, "planned: ", x->planned);
		if (x->found)
			pw_sub(w, "found:   ", x->found);
		if (x->fix && x->severity >= SF_SEV_WARN)
			pw_sub(w, "fix: ", x->fix);
	}
}

/* The findings of certificate rules, in the same shape. */
static void pw_findings(struct pw *w, const sf_findings *fs)
{
	for (size_t i = 0; i < fs->n && !w->tw.err; i++) {
		const sf_finding *f = &fs->v[i];

		pw_item(w, f->severity, f->id, f->subject, f->message);
		if (f->fix && f->severity >= SF_SEV_WARN)
			pw_sub(w, "fix: ", f->fix);
	}
}

/* Flushes; 0, or -1 if any write failed. */
static int pw_end(struct pw *w)
{
	if (fflush(w->tw.fp) != 0 || ferror(w->tw.fp))
		w->tw.err = 1;
	return w->tw.err ? -1 : 0;
}

/* ---- sipfed plan ------------------------------------------------------------------ */

static const char *kind_title(sf_plan_cert_kind k)
{
	switch (k) {
	case SF_PLAN_CERT_EDGE: return "Access Edge external interface";
	case SF_PLAN_CERT_REVERSE_PROXY: return "reverse proxy (external web services)";
	case SF_PLAN_CERT_FRONT_END: return "Front End pool";
	case SF_PLAN_CERT_UM: return "Exchange UM server";
	case SF_PLAN_CERT_COUNT: break;
	}
	return "?";
}

static void plan_domains(struct pw *w, const sf_plan *p)
{
	size_t wd = 6, wf = 10, wc = 6;

	for (size_t i = 0; i < p->n_domains; i++) {
		const sf_plan_domain *d = &p->domains[i];
		size_t n;

		if (strlen(d->domain) > wd)
			wd = strlen(d->domain);
		n = d->federation_target ? strlen(d->federation_target) + 6 : 4;
		if (n > wf)
			wf = n;
		n = d->client_target ? strlen(d->client_target) + 6 : 3;
		if (n > wc)
			wc = n;
	}
	wd = wd > 40 ? 40 : wd;
	wf = wf > 48 ? 48 : wf;
	wc = wc > 48 ? 48 : wc;
	pw_heading(w, "SIP domains");
	pw_printf(w, "  %-*s  %-*s  %-*s  %s\n", (int)wd, "domain", (int)wf, "federation",
		  (int)wc, "client", "meet URL");
	for (size_t i = 0; i < p->n_domains && !w->tw.err; i++) {
		const sf_plan_domain *d = &p->domains[i];

		pw_spaces(w, 2);
		pw_str(w, d->domain);
		pw_to(w, 2 + wd + 2);
		if (d->federation_target) {
			pw_str(w, d->federation_target);
			pw_printf(w, ":%u", (unsigned)d->federation_port);
		} else {
			pw_puts(w, "none");
		}
		pw_to(w, 2 + wd + 2 + wf + 2);
		if (d->client_target) {
			pw_str(w, d->client_target);
			pw_printf(w, ":%u", (unsigned)d->client_port);
		} else {
			pw_puts(w, "off");
		}
		pw_to(w, 2 + wd + 2 + wf + 2 + wc + 2);
		pw_str(w, d->meet_url ? d->meet_url : "-");
		if (d->own_host || d->federation == SF_PLAN_FED_HOSTING)
			pw_printf(w, "  (%s)", d->federation == SF_PLAN_FED_HOSTING
					       ? "hosting provider"
					       : "own Edge name");
		pw_puts(w, "\n");
	}
	if (p->dialin_url) {
		pw_puts(w, "  dial-in URL ");
		pw_str(w, p->dialin_url);
		pw_puts(w, "  (one for the whole deployment, CLI-004)\n");
	}
	pw_puts(w, "\n");
}

/* The data column of a record, into @buf. */
static void rec_data(const sf_plan_record *r, char *buf, size_t len)
{
	if (r->type == SF_T_SRV)
		snprintf(buf, len, "%u %u %u %s.", r->priority, r->weight, r->port, r->target);
	else if (r->type == SF_T_CNAME)
		snprintf(buf, len, "%s.", r->target);
	else
		snprintf(buf, len, "%s", r->address ? r->address : "<address>");
}

static void plan_zone_view(struct pw *w, const sf_plan *p, const sf_plan_zone *z,
			   sf_plan_view view)
{
	size_t wo = 0, n = 0;
	const char *last = NULL;

	for (size_t i = 0; i < z->n_records; i++) {
		if (z->records[i].view != view)
			continue;
		n++;
		if (strlen(z->records[i].owner) + 1 > wo)
			wo = strlen(z->records[i].owner) + 1;
	}
	if (n == 0)
		return;
	wo = wo > 56 ? 56 : wo;
	pw_sgr(w, SF_SGR_BOLD);
	pw_puts(w, "; ");
	pw_str(w, z->zone);
	pw_puts(w, z->sip_domain ? " (SIP domain)" : "");
	pw_puts(w, view == SF_PLAN_VIEW_EXTERNAL ? ": public zone\n"
						 : ": internal zone (split DNS)\n");
	pw_sgr(w, SF_SGR_RESET);
	for (size_t i = 0; i < z->n_records && !w->tw.err; i++) {
		const sf_plan_record *r = &z->records[i];
		char data[320];
		size_t start;

		if (r->view != view)
			continue;
		if (r->comment && r->comment != last) {
			pw_sgr(w, SF_SGR_DIM);
			pw_puts(w, "; ");
			pw_wrap(w, 0, "; ", r->comment);
			pw_sgr(w, SF_SGR_RESET);
			last = r->comment;
		}
		rec_data(r, data, sizeof(data));
		/* A record without its address is written commented out. */
		if (r->type != SF_T_SRV && r->type != SF_T_CNAME && !r->address)
			pw_puts(w, "; (no address in the plan) ");
		start = w->col;
		pw_str(w, r->owner);
		pw_puts(w, ".");
		pw_to(w, start + wo + 2);
		pw_printf(w, "%-6u IN  %-5s  ", (unsigned)p->ttl, sf_plan_rrtype_name(r->type));
		pw_str(w, data);
		pw_puts(w, "\n");
	}
	pw_puts(w, "\n");
}

static void plan_zones(struct pw *w, const sf_plan *p)
{
	pw_heading(w, "DNS records (zone-file snippets)");
	pw_puts(w, "\n");
	for (size_t i = 0; i < p->n_zones && !w->tw.err; i++) {
		plan_zone_view(w, p, &p->zones[i], SF_PLAN_VIEW_EXTERNAL);
		plan_zone_view(w, p, &p->zones[i], SF_PLAN_VIEW_INTERNAL);
	}
}

static void plan_certs(struct pw *w, const sf_plan *p)
{
	char h[96];

	snprintf(h, sizeof(h), "Certificates (%zu, %zu SAN entries in all)", p->n_certs,
		 p->san_total);
	pw_heading(w, h);
	for (size_t i = 0; i < p->n_certs && !w->tw.err; i++) {
		const sf_plan_cert *c = &p->certs[i];
		char label[32];

		pw_puts(w, "\n");
		pw_sgr(w, SF_SGR_BOLD);
		pw_puts(w, kind_title(c->kind));
		pw_sgr(w, SF_SGR_RESET);
		pw_puts(w, "  ");
		pw_str(w, c->host);
		pw_printf(w, ":%u  (%s CA)\n", (unsigned)c->port,
			  c->public_ca ? "public" : "private");
		pw_spaces(w, 2);
		pw_puts(w, "subject");
		pw_to(w, SF_TW_TEXT_COL);
		pw_puts(w, "CN=");
		pw_str(w, c->subject);
		pw_puts(w, "\n");
		snprintf(label, sizeof(label), "SAN (%zu)", c->n_san);
		pw_spaces(w, 2);
		pw_puts(w, label);
		pw_to(w, SF_TW_TEXT_COL);
		pw_list(w, SF_TW_TEXT_COL, c->san, c->n_san);
		if (c->n_per_domain) {
			pw_spaces(w, SF_TW_TEXT_COL);
			pw_printf(w, "%zu of them one per SIP domain\n", c->n_per_domain);
		}
		if (c->note)
			pw_field(w, "note", c->note);
	}
	pw_puts(w, "\n");
}

/* "reverse-proxy 9 -> 6, front-end 12 -> 9" for the kinds that change. */
static void option_delta(struct pw *w, const sf_plan_option *o)
{
	int any = 0;

	for (int k = 0; k < SF_PLAN_CERT_COUNT; k++) {
		size_t from = o->in_use ? o->san_toggled[k] : o->san_now[k];
		size_t to = o->in_use ? o->san_now[k] : o->san_toggled[k];

		if (from == to)
			continue;
		pw_printf(w, "%s%s %zu -> %zu", any ? ", " : "",
			  sf_plan_cert_kind_name((sf_plan_cert_kind)k), from, to);
		any = 1;
	}
	if (!any)
		pw_puts(w, "no change in this plan");
	else
		pw_puts(w, " SAN entries");
}

static void plan_options(struct pw *w, const sf_plan *p)
{
	pw_heading(w, "Options for many SIP domains (SAN entries without -> with the option)");
	for (size_t i = 0; i < p->n_options && !w->tw.err; i++) {
		const sf_plan_option *o = &p->options[i];

		pw_puts(w, "\n  ");
		pw_sgr(w, SF_SGR_BOLD);
		pw_puts(w, o->name);
		pw_sgr(w, SF_SGR_RESET);
		pw_puts(w, !o->applicable ? "  (not applicable to this plan)\n"
			   : o->in_use  ? "  (in use)\n"
					: "  (not in use)\n");
		pw_spaces(w, 4);
		pw_para(w, 4, o->summary);
		if (o->applicable) {
			pw_spaces(w, 4);
			pw_puts(w, "certificates: ");
			option_delta(w, o);
			pw_puts(w, "\n");
		}
		pw_spaces(w, 4);
		pw_puts(w, "trade-offs: ");
		pw_para(w, 4, o->tradeoffs);
	}
	pw_puts(w, "\n");
}

int sf_out_text_plan(FILE *fp, const sf_plan *p, int color)
{
	struct pw w = { { fp, color != 0, 0 }, 0 };
	char head[128];

	if (!fp || !p)
		return -1;
	pw_sgr(&w, SF_SGR_BOLD);
	pw_puts(&w, "Plan ");
	pw_str(&w, p->file);
	if (p->name) {
		pw_puts(&w, ": ");
		pw_str(&w, p->name);
	}
	pw_sgr(&w, SF_SGR_RESET);
	snprintf(head, sizeof(head), "  (%zu SIP domain%s, profile %s)\n\n", p->n_domains,
		 p->n_domains == 1 ? "" : "s", sf_profile_name(p->profile));
	pw_puts(&w, head);
	plan_domains(&w, p);
	plan_zones(&w, p);
	plan_certs(&w, p);
	plan_options(&w, p);
	if (p->notes.n) {
		pw_heading(&w, "Notes");
		pw_gaps(&w, &p->notes);
		pw_puts(&w, "\n");
	}
	pw_printf(&w, "%zu SIP domain%s, %zu records in %zu zones, %zu certificates with %zu SAN "
		  "entries\n", p->n_domains, p->n_domains == 1 ? "" : "s", p->n_records,
		  p->n_zones, p->n_certs, p->san_total);
	return pw_end(&w);
}

/* ---- sipfed plan --check ------------------------------------------------------------ */

int sf_out_text_plan_domain_check(FILE *fp, const sf_plan_domain_check *dc, int color)
{
	struct pw w = { { fp, color != 0, 0 }, 0 };

	if (!fp || !dc || !dc->result)
		return -1;
	if (sf_out_text_result(fp, dc->result, color) < 0)
		return -1;
	if (dc->result->verdict == SF_VERDICT_ERROR)
		return pw_end(&w);
	pw_sgr(&w, SF_SGR_BOLD);
	pw_str(&w, dc->result->domain);
	pw_sgr(&w, SF_SGR_RESET);
	if (dc->gaps.n == 0) {
		pw_puts(&w, "  ");
		pw_sgr(&w, SF_SGR_GREEN);
		pw_puts(&w, "as planned");
		pw_sgr(&w, SF_SGR_RESET);
		pw_printf(&w, "  (%zu planned record%s compared)\n\n", dc->n_compared,
			  dc->n_compared == 1 ? "" : "s");
		return pw_end(&w);
	}
	pw_puts(&w, "  ");
	pw_sgr(&w, sf_tw_sev_sgr(sf_plan_gaps_max(&dc->gaps)));
	pw_printf(&w, "%zu gap%s", dc->gaps.n, dc->gaps.n == 1 ? "" : "s");
	pw_sgr(&w, SF_SGR_RESET);
	pw_printf(&w, " against the plan  (%zu planned record%s compared)\n", dc->n_compared,
		  dc->n_compared == 1 ? "" : "s");
	pw_gaps(&w, &dc->gaps);
	pw_puts(&w, "\n");
	return pw_end(&w);
}

int sf_out_text_plan_zone_check(FILE *fp, const char *zone, const sf_plan_gaps *g,
				size_t n_compared, int color)
{
	struct pw w = { { fp, color != 0, 0 }, 0 };

	if (!fp || !zone || !g)
		return -1;
	pw_sgr(&w, SF_SGR_BOLD);
	pw_str(&w, zone);
	pw_sgr(&w, SF_SGR_RESET);
	pw_puts(&w, "  (zone of the deployment's own names)  ");
	if (g->n == 0) {
		pw_sgr(&w, SF_SGR_GREEN);
		pw_puts(&w, "as planned");
		pw_sgr(&w, SF_SGR_RESET);
	} else {
		pw_sgr(&w, sf_tw_sev_sgr(sf_plan_gaps_max(g)));
		pw_printf(&w, "%zu gap%s", g->n, g->n == 1 ? "" : "s");
		pw_sgr(&w, SF_SGR_RESET);
	}
	pw_printf(&w, "  (%zu planned record%s compared)\n", n_compared,
		  n_compared == 1 ? "" : "s");
	pw_gaps(&w, g);
	pw_puts(&w, "\n");
	return pw_end(&w);
}

int sf_out_text_plan_cert_check(FILE *fp, const sf_plan_cert_check *cc, int color)
{
	struct pw w = { { fp, color != 0, 0 }, 0 };
	const sf_plan_cert *c;
	size_t missing = 0;

	if (!fp || !cc || !cc->cert)
		return -1;
	c = cc->cert;
	for (size_t i = 0; i < cc->gaps.n; i++)
		missing += cc->gaps.v[i].severity == SF_SEV_ERROR;
	pw_sgr(&w, SF_SGR_BOLD);
	pw_puts(&w, kind_title(c->kind));
	pw_sgr(&w, SF_SGR_RESET);
	pw_puts(&w, "  ");
	pw_str(&w, c->host);
	pw_printf(&w, ":%u  ", (unsigned)c->port);
	if (!cc->verified) {
		pw_sgr(&w, SF_SGR_CYAN);
		pw_puts(&w, "not compared");
		pw_sgr(&w, SF_SGR_RESET);
		pw_puts(&w, "\n");
		pw_field(&w, "reason", cc->reason ? cc->reason : "?");
		pw_puts(&w, "\n");
		return pw_end(&w);
	}
	if (missing == 0 && cc->gaps.n == 0) {
		pw_sgr(&w, SF_SGR_GREEN);
		pw_printf(&w, "all %zu planned names present", c->n_san);
	} else {
		pw_sgr(&w, sf_tw_sev_sgr(sf_plan_gaps_max(&cc->gaps)));
		pw_printf(&w, "%zu of %zu planned names missing", missing, c->n_san);
	}
	pw_sgr(&w, SF_SGR_RESET);
	pw_puts(&w, "\n");
	pw_spaces(&w, 2);
	pw_puts(&w, "presented");
	pw_to(&w, SF_TW_TEXT_COL + 2);
	pw_puts(&w, "CN=");
	pw_str(&w, cc->presented_cn ? cc->presented_cn : "(none)");
	pw_puts(&w, "; SAN ");
	if (cc->n_presented_san)
		pw_list(&w, SF_TW_TEXT_COL + 2, cc->presented_san, cc->n_presented_san);
	else
		pw_puts(&w, "(none)\n");
	pw_gaps(&w, &cc->gaps);
	pw_findings(&w, &cc->findings);
	pw_puts(&w, "\n");
	return pw_end(&w);
}

int sf_out_text_plan_summary(FILE *fp, const sf_plan_check_summary *s, int color)
{
	struct pw w = { { fp, color != 0, 0 }, 0 };
	const char *word, *sgr;

	if (!fp || !s)
		return -1;
	word = sf_tw_verdict_word(sf_plan_summary_verdict(s), &sgr);
	pw_puts(&w, "plan check: ");
	pw_sgr(&w, sgr);
	pw_puts(&w, word);
	pw_sgr(&w, SF_SGR_RESET);
	pw_printf(&w, "  %zu SIP domain%s, %zu error%s, %zu warning%s, %zu gap%s against the plan",
		  s->domains, s->domains == 1 ? "" : "s", s->errors, s->errors == 1 ? "" : "s",
		  s->warnings, s->warnings == 1 ? "" : "s", s->gaps, s->gaps == 1 ? "" : "s");
	if (s->not_verified)
		pw_printf(&w, ", %zu certificate%s not compared", s->not_verified,
			  s->not_verified == 1 ? "" : "s");
	pw_puts(&w, "\n");
	return pw_end(&w);
}
