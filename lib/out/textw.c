/*
 * The text writer shared by the human-output writers (textw.h):
 * escaping, colour, labels and wrapping, written once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "out/textw.h"
#include "util/util.h"

void sf_tw_write(struct sf_tw *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	if (fwrite(s, 1, n, w->fp) != n)
		w->err = 1;
}

void sf_tw_puts(struct sf_tw *w, const char *s)
{
	sf_tw_write(w, s, strlen(s));
}

void sf_tw_printf(struct sf_tw *w, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	if (vfprintf(w->fp, fmt, ap) < 0)
		w->err = 1;
	va_end(ap);
}

void sf_tw_spaces(struct sf_tw *w, size_t n)
{
	static const char sp[] = "                                ";

	while (n > 0 && !w->err) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		sf_tw_write(w, sp, k);
		n -= k;
	}
}

void sf_tw_sgr(struct sf_tw *w, const char *code)
{
	if (w->color)
		sf_tw_puts(w, code);
}

/*
 * Measuring and writing share this one routine, and it is the only place
 * where the text writers escape: the classification and the escapes are
 * those of sf_text_unit() (util.h), the one that sf_rule_expand() applies to
 * the values of a finding.  A finding's text is therefore already clean and
 * passes through unchanged (the escape is a fixed point), while raw fields
 * (domain, SRV target, addresses, certificate subject, reasons, log fields)
 * are escaped here.
 */
size_t sf_tw_esc(struct sf_tw *w, const char *s, size_t n)
{
	size_t i = 0, run = 0, cols = 0;

	while (i < n) {
		char esc[SF_TEXT_ESC_MAX];
		size_t el, len = sf_text_unit(s + i, n - i, esc, &el);

		if (el == 0) {
			i += len;
			cols++;
			continue;
		}
		/* flush the clean run before i, then the escape */
		if (w != NULL) {
			sf_tw_write(w, s + run, i - run);
			sf_tw_write(w, esc, el);
		}
		cols += el;
		i += len;
		run = i;
	}
	if (w != NULL)
		sf_tw_write(w, s + run, n - run);
	return cols;
}

size_t sf_tw_str(struct sf_tw *w, const char *s)
{
	return sf_tw_esc(w, s, strlen(s));
}

size_t sf_tw_width(const char *s)
{
	return sf_tw_esc(NULL, s, strlen(s));
}

void sf_tw_wrap_begin(struct sf_tw_wrap *c, size_t col, size_t indent)
{
	c->col = col;
	c->indent = indent;
	c->width = SF_TW_WIDTH;
	c->fresh = 1;
}

void sf_tw_wrap_newline(struct sf_tw *w, struct sf_tw_wrap *c)
{
	sf_tw_puts(w, "\n");
	sf_tw_spaces(w, c->indent);
	c->col = c->indent;
	c->fresh = 1;
}

/* A word longer than a line is written unbroken. */
void sf_tw_wrap_word(struct sf_tw *w, struct sf_tw_wrap *c, const char *s, size_t n,
		     const char *suffix)
{
	size_t need = sf_tw_esc(NULL, s, n) + strlen(suffix);

	if (!c->fresh) {
		if (c->col + 1 + need > c->width)
			sf_tw_wrap_newline(w, c);
		else {
			sf_tw_puts(w, " ");
			c->col++;
		}
	}
	sf_tw_esc(w, s, n);
	sf_tw_puts(w, suffix);
	c->col += need;
	c->fresh = 0;
}

/*
 * Words separated by spaces (and tabs); with @lines, a newline starts a new
 * line (a finding's text, whose values sf_rule_expand() escaped: its newlines
 * are the template's).  Without, a line break is part of its word and is
 * shown escaped, as every other control.
 */
static void wrap_text(struct sf_tw *w, struct sf_tw_wrap *c, const char *text, int lines)
{
	const char *p = text;
	const char *seps = lines ? " \t\n" : " \t";

	while (*p != '\0') {
		size_t n;

		if (lines && *p == '\n') {
			sf_tw_wrap_newline(w, c);
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		n = strcspn(p, seps);
		sf_tw_wrap_word(w, c, p, n, "");
		p += n;
	}
}

void sf_tw_wrap_text(struct sf_tw *w, struct sf_tw_wrap *c, const char *text)
{
	wrap_text(w, c, text, 0);
}

void sf_tw_wrap_lines(struct sf_tw *w, struct sf_tw_wrap *c, const char *text)
{
	wrap_text(w, c, text, 1);
}

void sf_tw_para(struct sf_tw *w, size_t col, const char *label, const char *text)
{
	struct sf_tw_wrap c;
	size_t lw = strlen(label);

	sf_tw_spaces(w, col);
	sf_tw_puts(w, label);
	sf_tw_wrap_begin(&c, col + lw, col + lw);
	sf_tw_wrap_lines(w, &c, text);
	sf_tw_puts(w, "\n");
}

void sf_tw_para_raw(struct sf_tw *w, size_t col, const char *label, const char *text)
{
	struct sf_tw_wrap c;
	size_t lw = strlen(label);

	sf_tw_spaces(w, col);
	sf_tw_puts(w, label);
	sf_tw_wrap_begin(&c, col + lw, col + lw);
	sf_tw_wrap_text(w, &c, text);
	sf_tw_puts(w, "\n");
}

void sf_tw_label(struct sf_tw *w, const char *label)
{
	size_t n = strlen(label);

	sf_tw_spaces(w, 2);
	sf_tw_puts(w, label);
	sf_tw_spaces(w, n < SF_TW_LABEL_W ? SF_TW_LABEL_W - n : 1);
}

void sf_tw_field(struct sf_tw *w, const char *label, const char *value)
{
	struct sf_tw_wrap c;

	sf_tw_label(w, label);
	sf_tw_wrap_begin(&c, SF_TW_TEXT_COL, SF_TW_TEXT_COL);
	sf_tw_wrap_text(w, &c, value != NULL ? value : "?");
	sf_tw_puts(w, "\n");
}

int sf_tw_end(struct sf_tw *w)
{
	sf_tw_puts(w, "\n");
	if (fflush(w->fp) != 0 || ferror(w->fp))
		w->err = 1;
	return w->err ? -1 : 0;
}

const char *sf_tw_sev_sgr(sf_severity s)
{
	switch (s) {
	case SF_SEV_ERROR:
		return SF_SGR_RED;
	case SF_SEV_WARN:
		return SF_SGR_YELLOW;
	case SF_SEV_INFO:
		return SF_SGR_CYAN;
	case SF_SEV_NONE:
		break;
	}
	return "";
}

const char *sf_tw_verdict_word(sf_verdict v, const char **out_sgr)
{
	switch (v) {
	case SF_VERDICT_PASS:
		*out_sgr = SF_SGR_GREEN;
		return "PASS";
	case SF_VERDICT_WARN:
		*out_sgr = SF_SGR_YELLOW;
		return "WARN";
	case SF_VERDICT_FAIL:
		*out_sgr = SF_SGR_RED;
		return "FAIL";
	case SF_VERDICT_ERROR:
		break;
	}
	*out_sgr = SF_SGR_RED;
	return "ERROR";
}
