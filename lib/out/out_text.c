/*
 * Human output: one dense, aligned block per checked domain or certificate,
 * in the manner of dig and curl -v.  Every string that came from the outside
 * (DNS names, certificate fields, messages quoting them) is written through
 * one escaping routine, so that no byte of a DNS answer or a certificate can
 * reach the terminal as a control sequence.  Colour (plain ANSI SGR) only
 * when asked for; the caller decides (NO_COLOR, isatty).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sipfed/sipfed.h"
#include "util/util.h"

#define TW_WIDTH 100    /* wrap before this column */
#define TW_SEV_COL 2    /* column of the severity word */
#define TW_TEXT_COL 11  /* column of finding text: 2 + "warning" + 2 */
#define TW_LABEL_W 9    /* "subject  ", "SRV" lines use their own */

#define SGR_RESET "\x1b[0m"
#define SGR_BOLD "\x1b[1m"
#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_YELLOW "\x1b[33m"
#define SGR_CYAN "\x1b[36m"

/* A text writer: remembers the first write error so callers can go on blindly. */
struct tw {
	FILE *fp;
	int color;
	int err;
};

/* The cursor of a wrapped paragraph. */
struct tw_wrap {
	size_t col;    /* current column (0-based) */
	size_t indent; /* column where continuation lines start */
	size_t width;  /* lines hold at most this many columns */
	int fresh;     /* nothing written on this line yet after the indent */
};

static void tw_write(struct tw *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	if (fwrite(s, 1, n, w->fp) != n)
		w->err = 1;
}

static void tw_puts(struct tw *w, const char *s)
{
	tw_write(w, s, strlen(s));
}

static void tw_printf(struct tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tw_printf(struct tw *w, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(w->fp, fmt, ap) < 0)
		w->err = 1;
	va_end(ap);
}

static void tw_spaces(struct tw *w, size_t n)
{
	static const char sp[] = "                                ";

	while (n > 0 && !w->err) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		tw_write(w, sp, k);
		n -= k;
	}
}

/* Starts an SGR attribute when colour is on (the code is ours, never data). */
static void tw_sgr(struct tw *w, const char *code)
{
	if (w->color)
		tw_puts(w, code);
}

/*
 * Writes @p n bytes of untrusted @p s (if @p w is non-NULL) with every C0/C1
 * control, DEL and ill-formed UTF-8 byte shown as "\xNN", and returns the
 * number of columns the text takes (one per code point; wide characters are
 * not measured).  Measuring and writing share this one routine.
 */
static size_t tw_esc(struct tw *w, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, cols = 0;

	while (i < n) {
		uint32_t cp = 0;
		size_t len = sf_utf8_seq(u + i, n - i, &cp);

		if (len > 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
			i += len;
			cols++;
			continue;
		}
		if (len == 0)
			len = 1;
		/* flush the clean run before i, then escape the bad bytes */
		if (w != NULL)
			tw_write(w, s + run, i - run);
		for (size_t k = 0; k < len; k++) {
			if (w != NULL)
				tw_printf(w, "\\x%02x", u[i + k]);
			cols += 4;
		}
		i += len;
		run = i;
	}
	if (w != NULL)
		tw_write(w, s + run, n - run);
	return cols;
}

static size_t tw_str(struct tw *w, const char *s)
{
	return tw_esc(w, s, strlen(s));
}

static size_t tw_width(const char *s)
{
	return tw_esc(NULL, s, strlen(s));
}

static void tw_wrap_begin(struct tw_wrap *c, size_t col, size_t indent)
{
	c->col = col;
	c->indent = indent;
	c->width = TW_WIDTH;
	c->fresh = 1;
}

static void tw_wrap_newline(struct tw *w, struct tw_wrap *c)
{
	tw_puts(w, "\n");
	tw_spaces(w, c->indent);
	c->col = c->indent;
	c->fresh = 1;
}

/*
 * Adds one word (@p n bytes of untrusted text, then the trusted @p suffix,
 * e.g. "," of a list) to the paragraph, breaking the line first if it would
 * pass the paragraph's width.  A word longer than a line is written unbroken.
 */
static void tw_wrap_word(struct tw *w, struct tw_wrap *c, const char *s, size_t n,
			 const char *suffix)
{
	size_t need = tw_esc(NULL, s, n) + strlen(suffix);

	if (!c->fresh) {
		if (c->col + 1 + need > c->width)
			tw_wrap_newline(w, c);
		else {
			tw_puts(w, " ");
			c->col++;
		}
	}
	tw_esc(w, s, n);
	tw_puts(w, suffix);
	c->col += need;
	c->fresh = 0;
}

/* Adds untrusted running text to the paragraph; a newline in it starts a new line. */
static void tw_wrap_text(struct tw *w, struct tw_wrap *c, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		size_t n;

		if (*p == '\n') {
			tw_wrap_newline(w, c);
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		n = strcspn(p, " \t\r\n");
		tw_wrap_word(w, c, p, n, "");
		p += n;
	}
}

/* Writes "LABEL" + wrapped text at column @p col, continuation under the text; ends the line. */
static void tw_para(struct tw *w, size_t col, const char *label, const char *text)
{
	struct tw_wrap c;
	size_t lw = strlen(label);

	tw_spaces(w, col);
	tw_puts(w, label);
	tw_wrap_begin(&c, col + lw, col + lw);
	tw_wrap_text(w, &c, text);
	tw_puts(w, "\n");
}

static const char *verdict_word(sf_verdict v, const char **out_sgr)
{
	switch (v) {
	case SF_VERDICT_PASS:
		*out_sgr = SGR_GREEN;
		return "PASS";
	case SF_VERDICT_WARN:
		*out_sgr = SGR_YELLOW;
		return "WARN";
	case SF_VERDICT_FAIL:
		*out_sgr = SGR_RED;
		return "FAIL";
	case SF_VERDICT_ERROR:
		break;
	}
	*out_sgr = SGR_RED;
	return "ERROR";
}

static const char *sev_sgr(sf_severity s)
{
	switch (s) {
	case SF_SEV_ERROR:
		return SGR_RED;
	case SF_SEV_WARN:
		return SGR_YELLOW;
	case SF_SEV_INFO:
		return SGR_CYAN;
	case SF_SEV_NONE:
		break;
	}
	return "";
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

/* Block header: "NAME  VERDICT  (EXTRA)". */
static void tw_header(struct tw *w, const char *name, sf_verdict v, const char *extra)
{
	const char *sgr;
	const char *word = verdict_word(v, &sgr);

	tw_sgr(w, SGR_BOLD);
	tw_str(w, name != NULL ? name : "?");
	tw_sgr(w, SGR_RESET);
	tw_puts(w, "  ");
	tw_sgr(w, sgr);
	tw_puts(w, word);
	tw_sgr(w, SGR_RESET);
	tw_printf(w, "  (%s)\n", extra);
}

/*
 * Appends @p s to @p buf (capacity @p cap, length *len, kept NUL-terminated),
 * truncating at the capacity.  The result is escaped when it is written.
 */
static void sb_add(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
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
		sb_add(buf, cap, &len, rep);
	if (ri->ms_diagnostics > 0) {
		snprintf(num, sizeof(num), "%d", ri->ms_diagnostics);
		if (strstr(rep, num) == NULL) {
			if (len > 0)
				sb_add(buf, cap, &len, "; ");
			sb_add(buf, cap, &len, "ms-diagnostics ");
			sb_add(buf, cap, &len, num);
		}
	}
	if (ri->result_code != NULL && !(strcasestr(rep, ri->result_code) != NULL &&
					 (ri->name == NULL || strstr(rep, ri->name) != NULL))) {
		if (len > 0)
			sb_add(buf, cap, &len, "; ");
		sb_add(buf, cap, &len, "Edge ");
		sb_add(buf, cap, &len, ri->result_code);
		if (ri->name != NULL) {
			sb_add(buf, cap, &len, " ");
			sb_add(buf, cap, &len, ri->name);
		}
	}
	/* without a Result-Code, "name" is the HRESULT's (older table rows) */
	if (hname == NULL && ri->result_code == NULL)
		hname = ri->name;
	if (ri->hresult != NULL && !(strcasestr(rep, ri->hresult) != NULL &&
				     (hname == NULL || strstr(rep, hname) != NULL))) {
		if (len > 0)
			sb_add(buf, cap, &len, "; ");
		/* as in ms-diagnostics: HRESULT=0x80090322(SEC_E_WRONG_PRINCIPAL) */
		sb_add(buf, cap, &len, "HRESULT=");
		sb_add(buf, cap, &len, ri->hresult);
		if (hname != NULL) {
			sb_add(buf, cap, &len, "(");
			sb_add(buf, cap, &len, hname);
			sb_add(buf, cap, &len, ")");
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
 *            Microsoft side: ...
 *            fix: ...           (errors and warnings)
 */
static void tw_findings(struct tw *w, const sf_findings *fs)
{
	size_t idw = 0;

	for (size_t i = 0; i < fs->n; i++) {
		size_t n = tw_width(finding_id(&fs->v[i], finding_rule(&fs->v[i])));

		if (n > idw)
			idw = n;
	}
	for (size_t i = 0; i < fs->n && !w->err; i++) {
		const sf_finding *f = &fs->v[i];
		const sf_rule_info *ri = finding_rule(f);
		const char *sev = sf_severity_name(f->severity);
		char ms[1024];

		if (sev == NULL)
			sev = "?";
		tw_spaces(w, TW_SEV_COL);
		tw_sgr(w, sev_sgr(f->severity));
		tw_puts(w, sev);
		tw_sgr(w, SGR_RESET);
		if (strlen(sev) + TW_SEV_COL < TW_TEXT_COL)
			tw_spaces(w, TW_TEXT_COL - TW_SEV_COL - strlen(sev));
		else
			tw_puts(w, " ");
		if (f->subject != NULL && f->subject[0] != '\0') {
			tw_spaces(w, idw + 2 - tw_str(w, finding_id(f, ri)));
			tw_str(w, f->subject);
		} else {
			tw_str(w, finding_id(f, ri));
		}
		tw_puts(w, "\n");
		if (f->message != NULL && f->message[0] != '\0')
			tw_para(w, TW_TEXT_COL, "", f->message);
		if (ri != NULL && ms_line(ri, ms, sizeof(ms)) > 0)
			tw_para(w, TW_TEXT_COL, "Microsoft side: ", ms);
		if (f->fix != NULL && (f->severity == SF_SEV_ERROR || f->severity == SF_SEV_WARN))
			tw_para(w, TW_TEXT_COL, "fix: ", f->fix);
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
static void tw_srv(struct tw *w, const sf_result *r)
{
	size_t wp = 1, ww = 1, wo = 1, wt = 1;

	if (r->n_srv == 0) {
		tw_puts(w, "  SRV  (none)\n");
		return;
	}
	for (size_t i = 0; i < r->n_srv; i++) {
		const sf_srv_result *s = &r->srv[i];
		size_t n = s->target != NULL ? tw_width(s->target) : 1;

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
		struct tw_wrap c;
		size_t col;

		tw_printf(w, "  SRV  %*u %*u %*u ", (int)wp, (unsigned)s->priority, (int)ww,
			  (unsigned)s->weight, (int)wo, (unsigned)s->port);
		col = 2 + 5 + wp + 1 + ww + 1 + wo + 1;
		tw_spaces(w, wt - tw_str(w, s->target != NULL ? s->target : "?"));
		tw_puts(w, "  -> ");
		col += wt + 5;
		tw_wrap_begin(&c, col, col);
		if (s->n_addresses == 0)
			tw_wrap_word(w, &c, "(no address)", strlen("(no address)"), "");
		for (size_t k = 0; k < s->n_addresses; k++) {
			const char *a = s->addresses[k] != NULL ? s->addresses[k] : "?";

			tw_wrap_word(w, &c, a, strlen(a), k + 1 < s->n_addresses ? "," : "");
		}
		tw_puts(w, "\n");
	}
}

/* Finishes a block: blank line, flush, and the verdict on write errors. */
static int tw_end(struct tw *w)
{
	tw_puts(w, "\n");
	if (fflush(w->fp) != 0 || ferror(w->fp))
		w->err = 1;
	return w->err ? -1 : 0;
}

int sf_out_text_result(FILE *fp, const sf_result *r, int color)
{
	struct tw w = { fp, color != 0, 0 };
	char extra[64];
	const char *pn;

	if (fp == NULL || r == NULL)
		return -1;
	pn = sf_profile_name(r->profile);
	snprintf(extra, sizeof(extra), "profile %s", pn != NULL ? pn : "?");
	tw_header(&w, r->domain, r->verdict, extra);
	if (r->verdict == SF_VERDICT_ERROR)
		tw_para(&w, 2, "reason: ", r->reason != NULL ? r->reason : "unknown");
	/* a check that could not run says nothing about SRV records */
	if (r->verdict != SF_VERDICT_ERROR || r->n_srv > 0)
		tw_srv(&w, r);
	tw_findings(&w, &r->findings);
	return tw_end(&w);
}

/* "  LABEL    " at the finding text column. */
static void tw_label(struct tw *w, const char *label)
{
	tw_spaces(w, 2);
	tw_puts(w, label);
	tw_spaces(w, TW_LABEL_W - strlen(label));
}

/* A labelled line of untrusted text, wrapped under the text column. */
static void tw_field(struct tw *w, const char *label, const char *value)
{
	struct tw_wrap c;

	tw_label(w, label);
	tw_wrap_begin(&c, TW_TEXT_COL, TW_TEXT_COL);
	tw_wrap_text(w, &c, value != NULL ? value : "?");
	tw_puts(w, "\n");
}

int sf_out_text_cert(FILE *fp, const sf_cert_result *r, int color)
{
	struct tw w = { fp, color != 0, 0 };
	struct tw_wrap c;
	char extra[64];
	const char *pn;

	if (fp == NULL || r == NULL)
		return -1;
	pn = sf_profile_name(r->profile);
	snprintf(extra, sizeof(extra), "profile %s, role %s", pn != NULL ? pn : "?",
		 sf_role_name(r->role));
	tw_header(&w, r->file, cert_verdict(&r->findings), extra);
	tw_field(&w, "subject", r->subject);
	tw_field(&w, "issuer", r->issuer);

	tw_label(&w, "valid");
	tw_str(&w, r->not_before != NULL ? r->not_before : "?");
	tw_puts(&w, " to ");
	tw_str(&w, r->not_after != NULL ? r->not_after : "?");
	tw_puts(&w, "\n");

	tw_label(&w, "SAN");
	tw_wrap_begin(&c, TW_TEXT_COL, TW_TEXT_COL);
	if (r->n_san_dns == 0)
		tw_wrap_word(&w, &c, "(none)", strlen("(none)"), "");
	for (size_t i = 0; i < r->n_san_dns; i++) {
		const char *s = r->san_dns[i] != NULL ? r->san_dns[i] : "?";

		tw_wrap_word(&w, &c, s, strlen(s), i + 1 < r->n_san_dns ? "," : "");
	}
	tw_puts(&w, "\n");

	if (r->name_match >= 0) {
		tw_label(&w, "name");
		tw_str(&w, r->name != NULL ? r->name : "?");
		tw_puts(&w, ": ");
		if (r->name_match > 0) {
			tw_sgr(&w, SGR_GREEN);
			tw_puts(&w, "matches");
			tw_sgr(&w, SGR_RESET);
			if (r->matched_as != NULL) {
				tw_puts(&w, " (as ");
				tw_str(&w, r->matched_as);
				tw_puts(&w, ")");
			}
		} else {
			tw_sgr(&w, SGR_RED);
			tw_puts(&w, "does not match");
			tw_sgr(&w, SGR_RESET);
		}
		tw_puts(&w, "\n");
	}

	tw_label(&w, "chain");
	if (r->chain_trusted) {
		tw_sgr(&w, SGR_GREEN);
		tw_puts(&w, "trusted");
		tw_sgr(&w, SGR_RESET);
		tw_puts(&w, "\n");
	} else {
		tw_sgr(&w, SGR_RED);
		tw_puts(&w, "not trusted");
		tw_sgr(&w, SGR_RESET);
		if (r->chain_error != NULL) {
			tw_puts(&w, " (");
			tw_wrap_begin(&c, TW_TEXT_COL + strlen("not trusted ("), TW_TEXT_COL);
			c.width = TW_WIDTH - 1; /* room for the ")" */
			tw_wrap_text(&w, &c, r->chain_error);
			tw_puts(&w, ")");
		}
		tw_puts(&w, "\n");
	}
	tw_findings(&w, &r->findings);
	return tw_end(&w);
}
