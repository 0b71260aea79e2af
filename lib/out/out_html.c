/*
 * HTML report (`sipfed check --format html`): one self-contained page — inline
 * CSS, inline SVG charts, a small inline script, nothing fetched.
 *
 * Streaming: sf_out_html_begin() writes the head and the table's header,
 * sf_out_html_result() writes one domain's rows as soon as its result is
 * there, sf_out_html_end() writes the summary (the charts need every result)
 * and the script.  The summary comes last in the file and first on the page
 * (CSS order).  The writer keeps only what the summary needs, bounded: the
 * verdict counts, per check ID the domains it failed or warned on (IDs come
 * from the rule table: at most SF_R_COUNT), the certificate-expiry buckets
 * and the HTML_CERTS_KEPT soonest-expiring certificates.
 *
 * Every string that comes from a result is written through html_text(), once:
 * & < > " ' become entities, ill-formed UTF-8 and control characters become
 * U+FFFD, bidirectional overrides are dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sipfed/sipfed.h"

#define HTML_CERTS_KEPT 12
#define HTML_TOP_CHECKS 8

typedef struct html_check {
	const char *id;     /* static: the rule table's */
	uint64_t err, warn; /* domains with an error / with a warning only */
	uint64_t serial;    /* the last result that counted it */
} html_check;

typedef struct html_cert {
	char host[256];
	char domain[256];
	char not_after[40];
	long days;
} html_cert;

/* Expiry buckets: expired, <= 30 days, <= 90, <= 365, later. */
enum { EXP_EXPIRED, EXP_30, EXP_90, EXP_365, EXP_LATER, EXP_N };

struct sf_html_writer {
	FILE *fp;
	time_t at;
	uint64_t domains, verdicts[4], findings[4], serial;
	html_check checks[SF_R_COUNT];
	size_t n_checks;
	uint64_t expiry[EXP_N], n_cert_obs;
	html_cert certs[HTML_CERTS_KEPT];
	size_t n_certs;
	char *dns_source, *tls_source;
	int err;
};

/* --- escaping ------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at @s (1..4), 0 if ill-formed. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	/* bidirectional embeddings, overrides and isolates: dropped */
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
		return n | 0x100;
	return n;
}

/* Writes @s as HTML text or attribute value (the same escaping serves both). */
static void html_text(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n;

		switch (*p) {
		case '&': fputs("&amp;", fp); p++; continue;
		case '<': fputs("&lt;", fp); p++; continue;
		case '>': fputs("&gt;", fp); p++; continue;
		case '"': fputs("&quot;", fp); p++; continue;
		case '\'': fputs("&#39;", fp); p++; continue;
		case '\n': case '\t': fputc(*p, fp); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7F) {
			fputs("\xEF\xBF\xBD", fp);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			fputs("\xEF\xBF\xBD", fp);
			p++;
		} else if (n & 0x100) {
			p += n & 0xFF;
		} else {
			fwrite(p, 1, n, fp);
			p += n;
		}
	}
}

static void copy_bounded(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *verdict_label(unsigned v)
{
	static const char *const names[] = { "pass", "warn", "fail", "error" };

	return v < 4 ? names[v] : "error";
}

static const char *verdict_color(unsigned v)
{
	static const char *const colors[] = { "#2e7d32", "#e09b00", "#c62828", "#6a4c93" };

	return v < 4 ? colors[v] : colors[3];
}

/* --- the page ------------------------------------------------------------------- */

static const char html_css[] =
	":root{--pass:#2e7d32;--warn:#e09b00;--fail:#c62828;--error:#6a4c93;--ink:#1f2933;"
	"--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--card:#fff;--accent:#1f4e79}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
	"'DejaVu Sans',sans-serif;color:var(--ink);background:var(--bg)}"
	"header.top{background:var(--accent);color:#fff;padding:18px 32px}"
	"header.top h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.2px}"
	"header.top p{margin:4px 0 0;opacity:.85;font-size:13px}"
	"main.page{display:flex;flex-direction:column;gap:20px;padding:20px 32px 40px;"
	"max-width:1500px;margin:0 auto}"
	"#summary{order:1}#domains{order:2}"
	".kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:14px;margin-bottom:16px}"
	".kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"padding:12px 16px;border-top:4px solid var(--accent)}"
	".kpi .n{font-size:28px;font-weight:650}.kpi .l{color:var(--muted);font-size:12px;"
	"text-transform:uppercase;letter-spacing:.6px}"
	".kpi.pass{border-top-color:var(--pass)}.kpi.warn{border-top-color:var(--warn)}"
	".kpi.fail{border-top-color:var(--fail)}.kpi.error{border-top-color:var(--error)}"
	".charts{display:grid;grid-template-columns:1fr 1.4fr;gap:14px}"
	".card{background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"padding:14px 18px}"
	".card h2{margin:0 0 8px;font-size:15px;font-weight:600}"
	".card.wide{grid-column:1/-1}"
	".card p.note{margin:6px 0 0;color:var(--muted);font-size:12px}"
	"svg{display:block;width:100%;height:auto}"
	"svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:var(--ink)}"
	"svg .axis{stroke:#cbd2d9;stroke-width:1}svg .grid{stroke:#eef0f3;stroke-width:1}"
	"svg .muted{fill:var(--muted)}"
	".controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:0 0 10px}"
	".controls input[type=search]{flex:1;min-width:240px;padding:7px 10px;"
	"border:1px solid #cbd2d9;border-radius:6px;font:inherit}"
	".controls button{padding:6px 12px;border:1px solid #cbd2d9;background:#fff;"
	"border-radius:16px;font:inherit;cursor:pointer;color:var(--ink)}"
	".controls button[aria-pressed=true]{background:var(--accent);color:#fff;"
	"border-color:var(--accent)}"
	".controls .count{color:var(--muted);margin-left:auto}"
	"table.domains{width:100%;border-collapse:collapse;background:var(--card);"
	"border:1px solid var(--line)}"
	"table.domains th{text-align:left;font-weight:600;font-size:12px;text-transform:uppercase;"
	"letter-spacing:.5px;color:var(--muted);background:#fafbfc;padding:8px 10px;"
	"border-bottom:1px solid var(--line);white-space:nowrap}"
	"table.domains th[data-sort]{cursor:pointer;user-select:none}"
	"table.domains th[aria-sort=ascending]::after{content:' \\25B2'}"
	"table.domains th[aria-sort=descending]::after{content:' \\25BC'}"
	"table.domains td{padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}"
	"tr.row{cursor:pointer}tr.row:hover{background:#f0f4f8}"
	"td.dom{font-weight:600;white-space:nowrap}td.num{text-align:right;"
	"font-variant-numeric:tabular-nums}"
	".tw{display:inline-block;width:1em;color:var(--muted)}"
	".js tr.detail{display:none}.js tbody.open tr.detail{display:table-row}"
	".js tbody.open .tw{transform:rotate(90deg)}"
	"tbody.hidden{display:none}"
	"tr.detail td{background:#fbfcfd;padding:6px 18px 14px 38px}"
	".badge{display:inline-block;padding:1px 9px;border-radius:10px;color:#fff;font-size:12px;"
	"font-weight:600;text-transform:uppercase;letter-spacing:.4px}"
	".badge.pass{background:var(--pass)}.badge.warn{background:var(--warn)}"
	".badge.fail{background:var(--fail)}.badge.error{background:var(--error)}"
	".chip{display:inline-block;margin:0 4px 3px 0;padding:0 6px;border-radius:4px;"
	"font:12px ui-monospace,'DejaVu Sans Mono',monospace;border:1px solid}"
	".chip.error{color:var(--fail);border-color:#f3b7b7;background:#fdf1f1}"
	".chip.warning{color:#8a5a00;border-color:#f2d48a;background:#fff8e6}"
	".chip.info{color:var(--muted);border-color:var(--line);background:#f7f8fa}"
	".finding{border-left:4px solid var(--line);padding:6px 12px;margin:8px 0;background:#fff}"
	".finding.error{border-left-color:var(--fail)}.finding.warning{border-left-color:var(--warn)}"
	".finding.info{border-left-color:#9aa5b1}"
	".finding .h{font-weight:600}.finding .h code{font-weight:400;color:var(--muted)}"
	".finding dl{display:grid;grid-template-columns:110px 1fr;gap:2px 10px;margin:6px 0 0}"
	".finding dt{color:var(--muted)}.finding dd{margin:0}"
	".ms code{background:#eef2f7;padding:0 4px;border-radius:3px}"
	".days.expired,.days.soon{color:var(--fail);font-weight:600}"
	".days.near{color:#8a5a00;font-weight:600}"
	"footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}"
	"@media print{.controls{display:none}.js tr.detail{display:table-row}}";

static const char html_js[] =
	"(function(){'use strict';"
	"var d=document;d.body.classList.add('js');"
	"var tbl=d.getElementById('domain-table'),rank={fail:0,error:1,warn:2,pass:3};"
	"var q=d.getElementById('filter'),vb=d.querySelectorAll('[data-filter-verdict]');"
	"var cnt=d.getElementById('shown'),want='all';"
	"function groups(){return Array.prototype.slice.call(tbl.tBodies);}"
	"function apply(){var t=(q.value||'').trim().toLowerCase(),n=0;"
	"groups().forEach(function(g){var ok=(want==='all'||g.dataset.verdict===want)&&"
	"(!t||g.dataset.search.indexOf(t)>=0);g.classList.toggle('hidden',!ok);if(ok)n++;});"
	"cnt.textContent=n+' of '+groups().length+' domains';}"
	"function key(g,k){var v=g.dataset[k];if(k==='domain')return v;"
	"if(k==='verdict')return rank[v];return v===''?1e9:Number(v);}"
	"function sortBy(th){var k=th.dataset.sort,dir=th.getAttribute('aria-sort')==='ascending'?"
	"-1:1;tbl.querySelectorAll('th[data-sort]').forEach(function(h){h.removeAttribute("
	"'aria-sort');});th.setAttribute('aria-sort',dir>0?'ascending':'descending');"
	"var gs=groups();gs.sort(function(a,b){var x=key(a,k),y=key(b,k);if(x<y)return -dir;"
	"if(x>y)return dir;return Number(a.dataset.index)-Number(b.dataset.index);});"
	"gs.forEach(function(g){tbl.appendChild(g);});}"
	"tbl.querySelectorAll('th[data-sort]').forEach(function(th){th.tabIndex=0;"
	"th.addEventListener('click',function(){sortBy(th);});"
	"th.addEventListener('keydown',function(e){if(e.key==='Enter')sortBy(th);});});"
	"groups().forEach(function(g){g.querySelector('tr.row').addEventListener('click',"
	"function(){g.classList.toggle('open');});});"
	"q.addEventListener('input',apply);"
	"vb.forEach(function(b){b.addEventListener('click',function(){want=b.dataset.filterVerdict;"
	"vb.forEach(function(o){o.setAttribute('aria-pressed',o===b?'true':'false');});apply();});});"
	"var ex=d.getElementById('expand-all');ex.addEventListener('click',function(){"
	"var open=ex.getAttribute('aria-pressed')!=='true';ex.setAttribute('aria-pressed',"
	"open?'true':'false');ex.textContent=open?'Collapse all':'Expand all';"
	"groups().forEach(function(g){g.classList.toggle('open',open);});});"
	"apply();d.body.setAttribute('data-ready','1');})();";

static void fmt_time(char *out, size_t cap, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		copy_bounded(out, cap, "?");
}

sf_html_writer *sf_out_html_begin(FILE *fp, const char *title, time_t at)
{
	sf_html_writer *w;
	char when[64];

	if (fp == NULL)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->fp = fp;
	w->at = at ? at : time(NULL);
	if (title == NULL)
		title = "SIP federation report";
	fmt_time(when, sizeof(when), w->at);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"sipfed " SIPFED_VERSION "\">\n<title>", fp);
	html_text(fp, title);
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<header class=\"top\"><h1>", html_css);
	html_text(fp, title);
	fprintf(fp, "</h1><p>sipfed %s &middot; federation rules of Skype for Business / Lync "
		"Edge servers &middot; evaluated at <time id=\"evaluated\" datetime=\"%lld\">%s"
		"</time></p></header>\n<main class=\"page\">\n",
		SIPFED_VERSION, (long long)w->at, when);
	fputs("<section id=\"domains\" class=\"card wide\">\n<h2>Domains</h2>\n"
	      "<div class=\"controls\" role=\"toolbar\">"
	      "<input type=\"search\" id=\"filter\" placeholder=\"Filter by domain, check ID, host"
	      " or text\" aria-label=\"Filter\">"
	      "<button type=\"button\" data-filter-verdict=\"all\" aria-pressed=\"true\">All</button>"
	      "<button type=\"button\" data-filter-verdict=\"fail\" aria-pressed=\"false\">Fail"
	      "</button>"
	      "<button type=\"button\" data-filter-verdict=\"warn\" aria-pressed=\"false\">Warn"
	      "</button>"
	      "<button type=\"button\" data-filter-verdict=\"pass\" aria-pressed=\"false\">Pass"
	      "</button>"
	      "<button type=\"button\" data-filter-verdict=\"error\" aria-pressed=\"false\">Error"
	      "</button>"
	      "<button type=\"button\" id=\"expand-all\" aria-pressed=\"false\">Expand all</button>"
	      "<span class=\"count\" id=\"shown\"></span></div>\n"
	      "<table class=\"domains\" id=\"domain-table\">\n<thead><tr>"
	      "<th data-sort=\"domain\">Domain</th><th data-sort=\"verdict\">Verdict</th>"
	      "<th data-sort=\"errors\" class=\"num\">Errors</th>"
	      "<th data-sort=\"warnings\" class=\"num\">Warnings</th>"
	      "<th>Checks</th><th>SRV target</th>"
	      "<th data-sort=\"days\" class=\"num\">Cert. expiry</th></tr></thead>\n", fp);
	if (ferror(fp))
		w->err = 1;
	return w;
}

/* --- one result ------------------------------------------------------------------ */

static const char *sev_class(sf_severity s)
{
	switch (s) {
	case SF_SEV_ERROR: return "error";
	case SF_SEV_WARN: return "warning";
	default: return "info";
	}
}

static void count_checks(sf_html_writer *w, const sf_result *r)
{
	w->serial++;
	/* errors first, so that a domain with both counts as an error */
	for (int pass = 0; pass < 2; pass++) {
		sf_severity want = pass == 0 ? SF_SEV_ERROR : SF_SEV_WARN;

		for (size_t i = 0; i < r->findings.n; i++) {
			const sf_finding *f = &r->findings.v[i];
			const char *id = f->id;
			html_check *c = NULL;

			if (f->severity != want)
				continue;
			if (id == NULL && (unsigned)f->rule < (unsigned)SF_R_COUNT)
				id = sf_rule_get(f->rule)->id;
			if (id == NULL)
				continue;
			for (size_t k = 0; k < w->n_checks; k++)
				if (strcmp(w->checks[k].id, id) == 0) {
					c = &w->checks[k];
					break;
				}
			if (c == NULL) {
				if (w->n_checks >= SF_R_COUNT)
					continue;
				c = &w->checks[w->n_checks++];
				c->id = id;
			}
			if (c->serial == w->serial)
				continue;
			c->serial = w->serial;
			if (want == SF_SEV_ERROR)
				c->err++;
			else
				c->warn++;
		}
	}
}

/* Keeps the HTML_CERTS_KEPT soonest-expiring certificates (one entry per host and date). */
static void keep_cert(sf_html_writer *w, const sf_result *r, const sf_cert_info *ci)
{
	size_t worst = 0;

	w->n_cert_obs++;
	if (ci->days_left < 0)
		w->expiry[EXP_EXPIRED]++;
	else if (ci->days_left <= 30)
		w->expiry[EXP_30]++;
	else if (ci->days_left <= 90)
		w->expiry[EXP_90]++;
	else if (ci->days_left <= 365)
		w->expiry[EXP_365]++;
	else
		w->expiry[EXP_LATER]++;
	for (size_t i = 0; i < w->n_certs; i++)
		if (strcasecmp(w->certs[i].host, ci->host ? ci->host : "") == 0 &&
		    strcmp(w->certs[i].not_after, ci->not_after) == 0)
			return;
	if (w->n_certs < HTML_CERTS_KEPT) {
		worst = w->n_certs++;
	} else {
		for (size_t i = 1; i < w->n_certs; i++)
			if (w->certs[i].days > w->certs[worst].days)
				worst = i;
		if (w->certs[worst].days <= ci->days_left)
			return;
	}
	copy_bounded(w->certs[worst].host, sizeof(w->certs[worst].host), ci->host);
	copy_bounded(w->certs[worst].domain, sizeof(w->certs[worst].domain), r->domain);
	copy_bounded(w->certs[worst].not_after, sizeof(w->certs[worst].not_after), ci->not_after);
	w->certs[worst].days = ci->days_left;
}

static void write_ms(FILE *fp, const sf_ms_view *m)
{
	int any = 0;

	if (m->reported) {
		html_text(fp, m->reported);
		any = 1;
	}
	if (m->ms_diagnostics > 0) {
		fprintf(fp, "%s<code>ms-diagnostics %d</code>", any ? " &middot; " : "",
			m->ms_diagnostics);
		any = 1;
	}
	if (m->result_code) {
		fputs(any ? " &middot; <code>" : "<code>", fp);
		html_text(fp, m->result_code);
		if (m->name) {
			fputc(' ', fp);
			html_text(fp, m->name);
		}
		fputs("</code>", fp);
		any = 1;
	}
	if (m->hresult) {
		fputs(any ? " &middot; <code>HRESULT " : "<code>HRESULT ", fp);
		html_text(fp, m->hresult);
		if (m->hresult_name) {
			fputc(' ', fp);
			html_text(fp, m->hresult_name);
		}
		fputs("</code>", fp);
	}
}

int sf_out_html_result(sf_html_writer *w, const sf_result *r)
{
	FILE *fp;
	uint64_t nsev[4] = { 0 };
	long min_days = 0;
	int have_days = 0;
	unsigned v;

	if (w == NULL || r == NULL)
		return -1;
	fp = w->fp;
	v = (unsigned)r->verdict < 4 ? (unsigned)r->verdict : SF_VERDICT_ERROR;
	w->domains++;
	w->verdicts[v]++;
	if (w->dns_source == NULL && r->dns_source)
		w->dns_source = dup_or_null(r->dns_source);
	if (w->tls_source == NULL && r->tls_source)
		w->tls_source = dup_or_null(r->tls_source);
	for (size_t i = 0; i < r->findings.n; i++)
		if ((unsigned)r->findings.v[i].severity < 4)
			nsev[r->findings.v[i].severity]++;
	for (int s = 0; s < 4; s++)
		w->findings[s] += nsev[s];
	count_checks(w, r);
	for (size_t i = 0; i < r->n_certs; i++) {
		const sf_cert_info *ci = &r->certs[i];

		if (ci->not_after == NULL)
			continue;
		keep_cert(w, r, ci);
		if (!have_days || ci->days_left < min_days)
			min_days = ci->days_left;
		have_days = 1;
	}

	/* the group: data for the script, the row, the details */
	fprintf(fp, "<tbody class=\"dom\" data-index=\"%llu\" data-verdict=\"%s\" data-domain=\"",
		(unsigned long long)w->domains, verdict_label(v));
	html_text(fp, r->domain);
	fprintf(fp, "\" data-errors=\"%llu\" data-warnings=\"%llu\" data-days=\"",
		(unsigned long long)nsev[SF_SEV_ERROR], (unsigned long long)nsev[SF_SEV_WARN]);
	if (have_days)
		fprintf(fp, "%ld", min_days);
	fputs("\" data-search=\"", fp);
	{
		/* lowercase text the filter matches: domain, IDs, subjects, SRV targets */
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			fprintf(m, "%s %s", r->domain ? r->domain : "", verdict_label(v));
			for (size_t i = 0; i < r->findings.n; i++)
				fprintf(m, " %s %s", r->findings.v[i].id ? r->findings.v[i].id : "",
					r->findings.v[i].subject ? r->findings.v[i].subject : "");
			for (size_t i = 0; i < r->n_srv; i++)
				fprintf(m, " %s", r->srv[i].target ? r->srv[i].target : "");
			if (fclose(m) == 0 && buf) {
				for (char *p = buf; *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				html_text(fp, buf);
			}
			free(buf);
		}
	}
	fputs("\">\n<tr class=\"row\" data-domain=\"", fp);
	html_text(fp, r->domain);
	fprintf(fp, "\" data-verdict=\"%s\"><td class=\"dom\"><span class=\"tw\">&#9656;</span>",
		verdict_label(v));
	html_text(fp, r->domain);
	fprintf(fp, "</td><td><span class=\"badge %s\">%s</span></td>"
		"<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td>",
		verdict_label(v), verdict_label(v), (unsigned long long)nsev[SF_SEV_ERROR],
		(unsigned long long)nsev[SF_SEV_WARN]);
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];
		int dup = 0;

		/* one chip per ID and severity */
		for (size_t k = 0; k < i && !dup; k++)
			dup = r->findings.v[k].severity == f->severity && f->id &&
			      r->findings.v[k].id && strcmp(r->findings.v[k].id, f->id) == 0;
		if (dup)
			continue;
		fprintf(fp, "<span class=\"chip %s\">", sev_class(f->severity));
		html_text(fp, f->id);
		fputs("</span>", fp);
	}
	fputs("</td><td>", fp);
	for (size_t i = 0; i < r->n_srv && i < 3; i++) {
		if (i)
			fputs("<br>", fp);
		html_text(fp, r->srv[i].target);
		fprintf(fp, ":%u", (unsigned)r->srv[i].port);
	}
	if (r->n_srv > 3)
		fprintf(fp, "<br>+%zu more", r->n_srv - 3);
	fputs("</td><td class=\"num\">", fp);
	if (have_days)
		fprintf(fp, "<span class=\"days %s\">%ld d</span>",
			min_days < 0 ? "expired" : min_days <= 30 ? "soon" :
			min_days <= 90 ? "near" : "ok", min_days);
	else
		fputs("&ndash;", fp);
	fputs("</td></tr>\n<tr class=\"detail\"><td colspan=\"7\">", fp);
	if (r->verdict == SF_VERDICT_ERROR) {
		fputs("<div class=\"finding error\"><div class=\"h\">The check could not run</div>", fp);
		html_text(fp, r->reason ? r->reason : "no reason given");
		fputs("</div>", fp);
	}
	if (r->findings.n == 0 && r->verdict != SF_VERDICT_ERROR)
		fputs("<p>No findings: every rule checked passed.</p>", fp);
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];
		const sf_ms_view *m = &f->microsoft;

		fprintf(fp, "<div class=\"finding %s\" data-id=\"", sev_class(f->severity));
		html_text(fp, f->id);
		fputs("\"><div class=\"h\">", fp);
		html_text(fp, f->id);
		fprintf(fp, " &middot; %s &middot; <code>", sev_class(f->severity));
		html_text(fp, f->subject);
		fputs("</code></div><div class=\"msg\">", fp);
		html_text(fp, f->message);
		fputs("</div><dl>", fp);
		if (m->reported || m->ms_diagnostics > 0 || m->result_code || m->hresult) {
			fputs("<dt>Microsoft side</dt><dd class=\"ms\">", fp);
			write_ms(fp, m);
			fputs("</dd>", fp);
		}
		if (f->fix) {
			fputs("<dt>Fix</dt><dd class=\"fix\">", fp);
			html_text(fp, f->fix);
			fputs("</dd>", fp);
		}
		fputs("</dl></div>", fp);
	}
	for (size_t i = 0; i < r->n_certs; i++) {
		const sf_cert_info *ci = &r->certs[i];

		if (i == 0)
			fputs("<div class=\"finding info\"><div class=\"h\">Certificates</div><dl>", fp);
		fputs("<dt>", fp);
		html_text(fp, ci->host);
		fprintf(fp, ":%u</dt><dd>", (unsigned)ci->port);
		html_text(fp, ci->subject);
		if (ci->not_after) {
			fputs(" &middot; valid until ", fp);
			html_text(fp, ci->not_after);
			fprintf(fp, " (%ld days)", ci->days_left);
		}
		fputs("</dd>", fp);
		if (i + 1 == r->n_certs)
			fputs("</dl></div>", fp);
	}
	fputs("</td></tr>\n</tbody>\n", fp);
	if (ferror(fp))
		w->err = 1;
	return w->err ? -1 : 0;
}

/* --- the summary -------------------------------------------------------------------- */

static void svg_verdicts(sf_html_writer *w)
{
	FILE *fp = w->fp;
	static const unsigned order[] = { SF_VERDICT_PASS, SF_VERDICT_WARN, SF_VERDICT_FAIL,
					  SF_VERDICT_ERROR };
	uint64_t max = 1;
	const int W = 420, H = 190, top = 24, bottom = 30, bw = 60;

	for (int i = 0; i < 4; i++)
		if (w->verdicts[i] > max)
			max = w->verdicts[i];
	fprintf(fp, "<svg id=\"chart-verdicts\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"domains per verdict\">", W, H);
	fprintf(fp, "<line class=\"axis\" x1=\"20\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
		H - bottom, W - 10, H - bottom);
	for (int i = 0; i < 4; i++) {
		unsigned v = order[i];
		double h = (double)(H - top - bottom) * (double)w->verdicts[v] / (double)max;
		double x = 40 + i * ((W - 60) / 4.0) + ((W - 60) / 4.0 - bw) / 2;

		if (w->verdicts[v] > 0 && h < 2)
			h = 2;
		fprintf(fp, "<rect class=\"bar verdict-bar\" data-verdict=\"%s\" data-count=\"%llu\" "
			"x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"3\" "
			"fill=\"%s\"><title>%s: %llu</title></rect>",
			verdict_label(v), (unsigned long long)w->verdicts[v], x,
			H - bottom - h, bw, h, verdict_color(v), verdict_label(v),
			(unsigned long long)w->verdicts[v]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			"font-weight=\"600\">%llu</text>",
			x + bw / 2.0, H - bottom - h - 6, (unsigned long long)w->verdicts[v]);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"muted\">%s"
			"</text>", x + bw / 2.0, H - 10, verdict_label(v));
	}
	fputs("</svg>", fp);
}

static int check_cmp(const void *a, const void *b)
{
	const html_check *x = a, *y = b;
	uint64_t nx = x->err + x->warn, ny = y->err + y->warn;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (x->err != y->err)
		return x->err > y->err ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void svg_checks(sf_html_writer *w)
{
	FILE *fp = w->fp;
	size_t n = w->n_checks < HTML_TOP_CHECKS ? w->n_checks : HTML_TOP_CHECKS;
	const int W = 560, row = 26, left = 90, right = 60;
	int H = 30 + (int)(n ? n : 1) * row;
	uint64_t max = 1;

	qsort(w->checks, w->n_checks, sizeof(w->checks[0]), check_cmp);
	for (size_t i = 0; i < n; i++)
		if (w->checks[i].err + w->checks[i].warn > max)
			max = w->checks[i].err + w->checks[i].warn;
	fprintf(fp, "<svg id=\"chart-checks\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"most frequent failing checks\">", W, H);
	if (n == 0)
		fputs("<text x=\"10\" y=\"30\" class=\"muted\">No check failed or warned.</text>", fp);
	for (size_t i = 0; i < n; i++) {
		const html_check *c = &w->checks[i];
		double span = W - left - right;
		double we = span * (double)c->err / (double)max;
		double ww = span * (double)c->warn / (double)max;
		int y = 8 + (int)i * row;

		fprintf(fp, "<g class=\"check-bar\" data-id=\"");
		html_text(fp, c->id);
		fprintf(fp, "\" data-errors=\"%llu\" data-warnings=\"%llu\">",
			(unsigned long long)c->err, (unsigned long long)c->warn);
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
			"font-family=\"monospace\">", left - 8, y + 15);
		html_text(fp, c->id);
		fputs("</text>", fp);
		if (c->err)
			fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" rx=\"2\" "
				"fill=\"#c62828\"><title>error on %llu domains</title></rect>",
				left, y + 2, we, (unsigned long long)c->err);
		if (c->warn)
			fprintf(fp, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\" rx=\"2\" "
				"fill=\"#e09b00\"><title>warning on %llu domains</title></rect>",
				left + we, y + 2, ww, (unsigned long long)c->warn);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" class=\"muted\">%llu</text></g>",
			left + we + ww + 6, y + 15, (unsigned long long)(c->err + c->warn));
	}
	fputs("</svg>", fp);
}

static const char *tick_label(long d)
{
	switch (d) {
	case 0: return "today";
	case 30: return "30 days";
	case 90: return "90 days";
	case 180: return "6 months";
	case 365: return "1 year";
	case 730: return "2 years";
	default: return "3 years";
	}
}

static int cert_cmp(const void *a, const void *b)
{
	const html_cert *x = a, *y = b;

	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	return strcmp(x->host, y->host);
}

/*
 * The timeline: days from the evaluation time on a horizontal axis (-30 ..
 * at least 365), one lane per kept certificate, a bar from today to its
 * notAfter, coloured by how soon; ticks at 0, 30, 90, 180, 365 days.
 */
static void svg_timeline(sf_html_writer *w)
{
	FILE *fp = w->fp;
	const int W = 1200, left = 240, right = 170, lane = 24, top = 28;
	long lo = -30, hi = 365;
	int H;
	static const long ticks[] = { 0, 30, 90, 180, 365, 730, 1095 };

	qsort(w->certs, w->n_certs, sizeof(w->certs[0]), cert_cmp);
	for (size_t i = 0; i < w->n_certs; i++) {
		if (w->certs[i].days < lo)
			lo = w->certs[i].days;
		if (w->certs[i].days > hi)
			hi = w->certs[i].days;
	}
	if (lo < -365)
		lo = -365;
	if (hi > 1095)
		hi = 1095;
	H = top + (int)(w->n_certs ? w->n_certs : 1) * lane + 16;
#define XPOS(d) (left + (double)(((d) < lo ? lo : (d) > hi ? hi : (d)) - lo) * \
	(W - left - right) / (double)(hi - lo))
	fprintf(fp, "<svg id=\"chart-expiry\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"certificate expiry timeline\">", W, H);
	for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		double x;

		if (ticks[i] > hi)
			break;
		x = XPOS(ticks[i]);
		fprintf(fp, "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text x=\"%.1f\" y=\"16\" text-anchor=\"middle\" class=\"muted\">%s"
			"</text>", ticks[i] == 0 ? "axis" : "grid", x, top - 6, x, H - 8, x,
			tick_label(ticks[i]));
	}
	if (w->n_certs == 0)
		fprintf(fp, "<text x=\"%d\" y=\"%d\" class=\"muted\">No certificate was checked "
			"(DNS only, or no host answered).</text>", left, top + 16);
	for (size_t i = 0; i < w->n_certs; i++) {
		const html_cert *c = &w->certs[i];
		double x0 = XPOS(0), x1 = XPOS(c->days);
		const char *col = c->days < 0 ? "#c62828" : c->days <= 30 ? "#c62828" :
				  c->days <= 90 ? "#e09b00" : "#2e7d32";
		int y = top + (int)i * lane;

		fprintf(fp, "<g class=\"cert-mark\" data-host=\"");
		html_text(fp, c->host);
		fprintf(fp, "\" data-days=\"%ld\"><text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			c->days, left - 10, y + 15);
		html_text(fp, c->host);
		fprintf(fp, "</text><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" rx=\"3\" "
			"fill=\"%s\" opacity=\"%s\"><title>", x1 < x0 ? x1 : x0, y + 4,
			(x1 > x0 ? x1 - x0 : x0 - x1) + 1, col, c->days < 0 ? "0.55" : "0.85");
		html_text(fp, c->host);
		fputs(" (", fp);
		html_text(fp, c->domain);
		fputs("): notAfter ", fp);
		html_text(fp, c->not_after);
		fprintf(fp, "</title></rect><circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%d\" class=\"muted\">", x1, y + 11, col,
			(x1 > x0 ? x1 : x0) + 10, y + 15);
		if (c->days < 0)
			fprintf(fp, "expired %ld d ago", -c->days);
		else
			fprintf(fp, "%ld d &middot; ", c->days);
		if (c->days >= 0)
			fprintf(fp, "%.10s", c->not_after);
		fputs("</text></g>", fp);
	}
#undef XPOS
	fputs("</svg>", fp);
}

static void kpi(FILE *fp, const char *cls, uint64_t n, const char *label)
{
	fprintf(fp, "<div class=\"kpi %s\" id=\"kpi-%s\" data-count=\"%llu\"><div class=\"n\">%llu"
		"</div><div class=\"l\">%s</div></div>", cls, cls, (unsigned long long)n,
		(unsigned long long)n, label);
}

int sf_out_html_end(sf_html_writer *w)
{
	FILE *fp;
	int rc;

	if (w == NULL)
		return -1;
	fp = w->fp;
	fputs("</table>\n", fp);
	if (w->domains == 0)
		fputs("<p>No domain was checked.</p>\n", fp);
	fputs("</section>\n<section id=\"summary\">\n<div class=\"kpis\">", fp);
	kpi(fp, "total", w->domains, "domains checked");
	kpi(fp, "pass", w->verdicts[SF_VERDICT_PASS], "pass");
	kpi(fp, "warn", w->verdicts[SF_VERDICT_WARN], "warn");
	kpi(fp, "fail", w->verdicts[SF_VERDICT_FAIL], "fail");
	kpi(fp, "error", w->verdicts[SF_VERDICT_ERROR], "could not be checked");
	fputs("</div>\n<div class=\"charts\">\n<div class=\"card\"><h2>Verdicts</h2>", fp);
	svg_verdicts(w);
	fprintf(fp, "<p class=\"note\">%llu errors, %llu warnings, %llu notes in all.</p></div>\n",
		(unsigned long long)w->findings[SF_SEV_ERROR],
		(unsigned long long)w->findings[SF_SEV_WARN],
		(unsigned long long)w->findings[SF_SEV_INFO]);
	fputs("<div class=\"card\"><h2>Most frequent failing checks</h2>", fp);
	svg_checks(w);
	fputs("<p class=\"note\">Domains on which a check gave an error "
	      "(<span style=\"color:var(--fail)\">&#9632;</span>) or only a warning "
	      "(<span style=\"color:var(--warn)\">&#9632;</span>).</p></div>\n", fp);
	fputs("<div class=\"card wide\"><h2>Certificate expiry</h2>", fp);
	svg_timeline(w);
	fprintf(fp, "<p class=\"note\" id=\"expiry-buckets\">%llu certificate observations: "
		"%llu expired, %llu within 30 days, %llu within 90 days, %llu within a year, "
		"%llu later. The %zu soonest are drawn.</p></div>\n</div>\n",
		(unsigned long long)w->n_cert_obs, (unsigned long long)w->expiry[EXP_EXPIRED],
		(unsigned long long)w->expiry[EXP_30], (unsigned long long)w->expiry[EXP_90],
		(unsigned long long)w->expiry[EXP_365], (unsigned long long)w->expiry[EXP_LATER],
		w->n_certs);
	fputs("</section>\n</main>\n<footer>DNS: ", fp);
	html_text(fp, w->dns_source ? w->dns_source : "not recorded");
	fputs(" &middot; TLS: ", fp);
	html_text(fp, w->tls_source ? w->tls_source : "not checked");
	fprintf(fp, " &middot; generated by sipfed %s</footer>\n<script>%s</script>\n"
		"</body>\n</html>\n", SIPFED_VERSION, html_js);
	rc = (w->err || ferror(fp)) ? -1 : 0;
	free(w->dns_source);
	free(w->tls_source);
	free(w);
	return rc;
}
