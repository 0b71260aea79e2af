/*
 * Human output: one dense, aligned block per checked domain or certificate,
 * in the manner of dig and curl -v.  Every string that came from the outside
 * (DNS names, certificate fields, messages quoting them) is written through
 * the escaping writer of textw.c, so that no byte of a DNS answer or a
 * certificate can reach the terminal as a control sequence.  Colour (plain
 * ANSI SGR) only when asked for; the caller decides (NO_COLOR, isatty).
 */
#include <stdio.h>
#include <string.h>

#include "out/textw.h"
#include "rules/rules.h"
#include "sipfed/sipfed.h"
#include "util/util.h"

/* Block header: "NAME  VERDICT[SCOPE]  (EXTRA)"; @scope says what the verdict is about. */
static void tw_header(struct sf_tw *w, const char *name, sf_verdict v, const char *scope,
		      const char *extra)
{
	const char *sgr;
	const char *word = sf_tw_verdict_word(v, &sgr);

	sf_tw_sgr(w, SF_SGR_BOLD);
	sf_tw_str(w, name != NULL ? name : "?");
	sf_tw_sgr(w, SF_SGR_RESET);
	sf_tw_puts(w, "  ");
	sf_tw_sgr(w, sgr);
	sf_tw_puts(w, word);
	sf_tw_sgr(w, SF_SGR_RESET);
	sf_tw_puts(w, scope);
	sf_tw_printf(w, "  (%s)\n", extra);
}

/*
 * What the Microsoft side shows for @p ri, composed from its non-NULL fields:
 * "REPORTED; ms-diagnostics N; Edge CODE NAME; HRESULT=H(HNAME)".  A code
 * that the reported text already quotes (with its name) is not repeated.
 * Returns the length, 0 if there is nothing to say.
 */
static size_t ms_line(const sf_rule_info *ri, char *buf, size_t cap)
{
	char num[32];
	size_t len = 0;
	const char *rep = ri->reported != NULL ? ri->reported : "";
	const char *hname = ri->hresult_name;

	buf[0] = '\0';
	if (rep[0] != '\0')
		sf_buf_add(buf, cap, &len, rep);
	if (ri->ms_diagnostics > 0) {
		snprintf(num, sizeof(num), "%d", ri->ms_diagnostics);
		if (strstr(rep, num) == NULL) {
			if (len > 0)
				sf_buf_add(buf, cap, &len, "; ");
			sf_buf_add(buf, cap, &len, "ms-diagnostics ");
			sf_buf_add(buf, cap, &len, num);
		}
	}
	if (ri->result_code != NULL && !(strcasestr(rep, ri->result_code) != NULL &&
					 (ri->name == NULL || strstr(rep, ri->name) != NULL))) {
		if (len > 0)
			sf_buf_add(buf, cap, &len, "; ");
		sf_buf_add(buf, cap, &len, "Edge ");
		sf_buf_add(buf, cap, &len, ri->result_code);
		if (ri->name != NULL) {
			sf_buf_add(buf, cap, &len, " ");
			sf_buf_add(buf, cap, &len, ri->name);
		}
	}
	/* without a Result-Code, "name" is the HRESULT's (older table rows) */
	if (hname == NULL && ri->result_code == NULL)
		hname = ri->name;
	if (ri->hresult != NULL && !(strcasestr(rep, ri->hresult) != NULL &&
				     (hname == NULL || strstr(rep, hname) != NULL))) {
		if (len > 0)
			sf_buf_add(buf, cap, &len, "; ");
		/* as in ms-diagnostics: HRESULT=0x80090322(SEC_E_WRONG_PRINCIPAL) */
		sf_buf_add(buf, cap, &len, "HRESULT=");
		sf_buf_add(buf, cap, &len, ri->hresult);
		if (hname != NULL) {
			sf_buf_add(buf, cap, &len, "(");
			sf_buf_add(buf, cap, &len, hname);
			sf_buf_add(buf, cap, &len, ")");
		}
	}
	return len;
}

static const char *finding_id(const sf_finding *f, const sf_rule_info *ri)
{
	if (f->id != NULL)
		return f->id;
	if (ri != NULL && ri->id != NULL)
		return ri->id;
	return "?";
}

static const sf_rule_info *finding_rule(const sf_finding *f)
{
	if ((unsigned)f->rule >= (unsigned)SF_R_COUNT)
		return NULL;
	return sf_rule_get(f->rule);
}

/*
 * The findings, in the order given (the engine sorts them):
 *   SEVERITY ID  SUBJECT
 *            message
 *            Microsoft side: ...  (the finding's own view: f->microsoft)
 *            fix: ...           (errors and warnings)
 * @profile and @role are the result's (SF_ROLE_EDGE for a check).
 */
static void tw_findings(struct sf_tw *w, const sf_findings *fs, sf_profile profile,
			sf_role role)
{
	size_t idw = 0;

	for (size_t i = 0; i < fs->n; i++) {
		size_t n = sf_tw_width(finding_id(&fs->v[i], finding_rule(&fs->v[i])));

		if (n > idw)
			idw = n;
	}
	for (size_t i = 0; i < fs->n && !w->err; i++) {
		const sf_finding *f = &fs->v[i];
		const sf_rule_info *ri = finding_rule(f);
		const char *sev = sf_severity_name(f->severity);
		const sf_ms_view *m = &f->microsoft;
		sf_rule_info view = { .ms_diagnostics = m->ms_diagnostics,
				      .result_code = m->result_code, .name = m->name,
				      .hresult = m->hresult, .hresult_name = m->hresult_name,
				      .reported = m->reported };
		const sf_rule_info *msv = &view;
		char ms[1024];

		if (sev == NULL)
			sev = "?";
		sf_tw_spaces(w, SF_TW_SEV_COL);
		sf_tw_sgr(w, sf_tw_sev_sgr(f->severity));
		sf_tw_puts(w, sev);
		sf_tw_sgr(w, SF_SGR_RESET);
		if (strlen(sev) + SF_TW_SEV_COL < SF_TW_TEXT_COL)
			sf_tw_spaces(w, SF_TW_TEXT_COL - SF_TW_SEV_COL - strlen(sev));
		else
			sf_tw_puts(w, " ");
		if (f->subject != NULL && f->subject[0] != '\0') {
			sf_tw_spaces(w, idw + 2 - sf_tw_str(w, finding_id(f, ri)));
			sf_tw_str(w, f->subject);
		} else {
			sf_tw_str(w, finding_id(f, ri));
		}
		sf_tw_puts(w, "\n");
		if (f->message != NULL && f->message[0] != '\0')
			sf_tw_para(w, SF_TW_TEXT_COL, "", f->message);
		if (msv != NULL && ms_line(msv, ms, sizeof(ms)) > 0)
			sf_tw_para(w, SF_TW_TEXT_COL, "Microsoft side: ", ms);
		if (f->fix != NULL && (f->severity == SF_SEV_ERROR || f->severity == SF_SEV_WARN))
			sf_tw_para(w, SF_TW_TEXT_COL, "fix: ", f->fix);
	}
}

static size_t digits(unsigned v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* "  SRV  PRIO WEIGHT PORT TARGET  -> ADDR, ADDR", columns aligned over the records. */
static void tw_srv(struct sf_tw *w, const sf_result *r)
{
	size_t wp = 1, ww = 1, wo = 1, wt = 1;

	if (r->n_srv == 0) {
		sf_tw_puts(w, "  SRV  (none)\n");
		return;
	}
	for (size_t i = 0; i < r->n_srv; i++) {
		const sf_srv_result *s = &r->srv[i];
		size_t n = s->target != NULL ? sf_tw_width(s->target) : 1;

		if (digits(s->priority) > wp)
			wp = digits(s->priority);
		if (digits(s->weight) > ww)
			ww = digits(s->weight);
		if (digits(s->port) > wo)
			wo = digits(s->port);
		if (n > wt)
			wt = n;
	}
	for (size_t i = 0; i < r->n_srv && !w->err; i++) {
		const sf_srv_result *s = &r->srv[i];
		struct sf_tw_wrap c;
		size_t col;

		sf_tw_printf(w, "  SRV  %*u %*u %*u ", (int)wp, (unsigned)s->priority, (int)ww,
			  (unsigned)s->weight, (int)wo, (unsigned)s->port);
		col = 2 + 5 + wp + 1 + ww + 1 + wo + 1;
		sf_tw_spaces(w, wt - sf_tw_str(w, s->target != NULL ? s->target : "?"));
		sf_tw_puts(w, "  -> ");
		col += wt + 5;
		sf_tw_wrap_begin(&c, col, col);
		if (s->n_addresses == 0)
			sf_tw_wrap_word(w, &c, "(no address)", strlen("(no address)"), "");
		for (size_t k = 0; k < s->n_addresses; k++) {
			const char *a = s->addresses[k] != NULL ? s->addresses[k] : "?";

			sf_tw_wrap_word(w, &c, a, strlen(a), k + 1 < s->n_addresses ? "," : "");
		}
		sf_tw_puts(w, "\n");
	}
}

/*
 * --client: "  link  NAME  HREF" per link of the autodiscover answer, names
 * aligned; written only when the client checks ran (r->links non-NULL).
 */
static void tw_links(struct sf_tw *w, const sf_result *r)
{
	size_t wn = 1;

	if (r->n_links == 0) {
		sf_tw_puts(w, "  link  (no autodiscover answer)\n");
		return;
	}
	for (size_t i = 0; i < r->n_links; i++) {
		size_t n = sf_tw_width(r->links[i].name != NULL ? r->links[i].name : "?");

		if (n > wn)
			wn = n;
	}
	for (size_t i = 0; i < r->n_links && !w->err; i++) {
		const char *name = r->links[i].name != NULL ? r->links[i].name : "?";

		sf_tw_puts(w, "  link  ");
		sf_tw_spaces(w, wn - sf_tw_str(w, name));
		sf_tw_puts(w, "  ");
		sf_tw_str(w, r->links[i].href != NULL ? r->links[i].href : "?");
		sf_tw_puts(w, "\n");
	}
}

int sf_out_text_result(FILE *fp, const sf_result *r, int color)
{
	struct sf_tw w = { fp, color != 0, 0 };
	char extra[64];
	const char *pn;

	if (fp == NULL || r == NULL)
		return -1;
	pn = sf_profile_name(r->profile);
	snprintf(extra, sizeof(extra), "profile %s", pn != NULL ? pn : "?");
	/* A verdict claims no more than was checked: without TLS it is about DNS alone. */
	tw_header(&w, r->domain, r->verdict,
		  r->verdict != SF_VERDICT_ERROR && (r->checked & SF_CHECKED_DNS) &&
				  !(r->checked & SF_CHECKED_TLS)
			  ? " (DNS only)"
			  : "",
		  extra);
	if (r->verdict == SF_VERDICT_ERROR)
		sf_tw_para_raw(&w, 2, "reason: ", r->reason != NULL ? r->reason : "unknown");
	/* a check that could not run says nothing about SRV records */
	if (r->verdict != SF_VERDICT_ERROR || r->n_srv > 0)
		tw_srv(&w, r);
	if (r->links != NULL)
		tw_links(&w, r);
	tw_findings(&w, &r->findings, r->profile, SF_ROLE_EDGE);
	return sf_tw_end(&w);
}

int sf_out_text_cert(FILE *fp, const sf_cert_result *r, int color)
{
	struct sf_tw w = { fp, color != 0, 0 };
	struct sf_tw_wrap c;
	char extra[64];
	const char *pn;

	if (fp == NULL || r == NULL)
		return -1;
	pn = sf_profile_name(r->profile);
	snprintf(extra, sizeof(extra), "profile %s, role %s", pn != NULL ? pn : "?",
		 sf_role_name(r->role));
	tw_header(&w, r->file, sf_findings_verdict(&r->findings), "", extra);
	sf_tw_field(&w, "subject", r->subject);
	sf_tw_field(&w, "issuer", r->issuer);

	sf_tw_label(&w, "valid");
	sf_tw_str(&w, r->not_before != NULL ? r->not_before : "?");
	sf_tw_puts(&w, " to ");
	sf_tw_str(&w, r->not_after != NULL ? r->not_after : "?");
	sf_tw_puts(&w, "\n");

	sf_tw_label(&w, "SAN");
	sf_tw_wrap_begin(&c, SF_TW_TEXT_COL, SF_TW_TEXT_COL);
	if (r->n_san_dns == 0)
		sf_tw_wrap_word(&w, &c, "(none)", strlen("(none)"), "");
	for (size_t i = 0; i < r->n_san_dns; i++) {
		const char *s = r->san_dns[i] != NULL ? r->san_dns[i] : "?";

		sf_tw_wrap_word(&w, &c, s, strlen(s), i + 1 < r->n_san_dns ? "," : "");
	}
	sf_tw_puts(&w, "\n");

	if (r->name_match >= 0) {
		sf_tw_label(&w, "name");
		sf_tw_str(&w, r->name != NULL ? r->name : "?");
		sf_tw_puts(&w, ": ");
		if (r->name_match > 0) {
			sf_tw_sgr(&w, SF_SGR_GREEN);
			sf_tw_puts(&w, "matches");
			sf_tw_sgr(&w, SF_SGR_RESET);
			if (r->matched_as != NULL) {
				sf_tw_puts(&w, " (as ");
				sf_tw_str(&w, r->matched_as);
				sf_tw_puts(&w, ")");
			}
		} else {
			sf_tw_sgr(&w, SF_SGR_RED);
			sf_tw_puts(&w, "does not match");
			sf_tw_sgr(&w, SF_SGR_RESET);
		}
		sf_tw_puts(&w, "\n");
	}

	sf_tw_label(&w, "chain");
	if (r->chain_trusted) {
		sf_tw_sgr(&w, SF_SGR_GREEN);
		sf_tw_puts(&w, "trusted");
		sf_tw_sgr(&w, SF_SGR_RESET);
		sf_tw_puts(&w, "\n");
	} else {
		sf_tw_sgr(&w, SF_SGR_RED);
		sf_tw_puts(&w, "not trusted");
		sf_tw_sgr(&w, SF_SGR_RESET);
		if (r->chain_error != NULL) {
			sf_tw_puts(&w, " (");
			sf_tw_wrap_begin(&c, SF_TW_TEXT_COL + strlen("not trusted ("),
					 SF_TW_TEXT_COL);
			c.width = SF_TW_WIDTH - 1; /* room for the ")" */
			sf_tw_wrap_text(&w, &c, r->chain_error);
			sf_tw_puts(&w, ")");
		}
		sf_tw_puts(&w, "\n");
	}
	tw_findings(&w, &r->findings, r->profile, r->role);
	return sf_tw_end(&w);
}
