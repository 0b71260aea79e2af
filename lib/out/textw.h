/*
 * The text writer shared by the human-output writers (out_text.c for check
 * and cert, out_logs_text.c for logs, out_plan_text.c for plan): escaping
 * of untrusted bytes, colour, aligned labels and word wrapping.  Every
 * string that came from the outside goes through sf_tw_esc(), so that no
 * byte of a DNS answer, a certificate or a log line reaches the terminal as
 * a control sequence.
 */
#ifndef SF_OUT_TEXTW_H
#define SF_OUT_TEXTW_H

#include <stddef.h>
#include <stdio.h>

#include "sipfed/sipfed.h"

#define SF_TW_WIDTH 100   /* wrap before this column */
#define SF_TW_SEV_COL 2   /* column of the severity word */
#define SF_TW_TEXT_COL 11 /* column of finding text: 2 + "warning" + 2 */
#define SF_TW_LABEL_W 9   /* "subject  ", "SRV" lines use their own */

#define SF_SGR_RESET "\x1b[0m"
#define SF_SGR_BOLD "\x1b[1m"
#define SF_SGR_RED "\x1b[31m"
#define SF_SGR_GREEN "\x1b[32m"
#define SF_SGR_YELLOW "\x1b[33m"
#define SF_SGR_CYAN "\x1b[36m"
#define SF_SGR_DIM "\x1b[2m"

/* A text writer: remembers the first write error so callers can go on blindly. */
struct sf_tw {
	FILE *fp;
	int color;
	int err;
};

/* The cursor of a wrapped paragraph. */
struct sf_tw_wrap {
	size_t col;    /* current column (0-based) */
	size_t indent; /* column where continuation lines start */
	size_t width;  /* lines hold at most this many columns */
	int fresh;     /* nothing written on this line yet after the indent */
};

/* Trusted text (ours, never data). */
void sf_tw_write(struct sf_tw *w, const char *s, size_t n);
void sf_tw_puts(struct sf_tw *w, const char *s);
void sf_tw_printf(struct sf_tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sf_tw_spaces(struct sf_tw *w, size_t n);
/* Starts an SGR attribute when colour is on. */
void sf_tw_sgr(struct sf_tw *w, const char *code);

/*
 * Writes @n bytes of untrusted @s (if @w is non-NULL) escaped as by
 * sf_text_escape() (util.h: C0/C1 controls, DEL and ill-formed UTF-8 as
 * "\xNN", line separators and bidi controls as "\uNNNN"), and returns the
 * number of columns the text takes (one per code point, one per escape byte).
 * Text already escaped (a finding's message) passes unchanged.
 */
size_t sf_tw_esc(struct sf_tw *w, const char *s, size_t n);
size_t sf_tw_str(struct sf_tw *w, const char *s);   /* sf_tw_esc of a C string */
size_t sf_tw_width(const char *s);                  /* its columns, nothing written */

void sf_tw_wrap_begin(struct sf_tw_wrap *c, size_t col, size_t indent);
void sf_tw_wrap_newline(struct sf_tw *w, struct sf_tw_wrap *c);
/* Adds one word (@n untrusted bytes, then the trusted @suffix), breaking the line if needed. */
void sf_tw_wrap_word(struct sf_tw *w, struct sf_tw_wrap *c, const char *s, size_t n,
		     const char *suffix);
/* Adds untrusted running text; a line break in it is shown escaped, never breaks a line. */
void sf_tw_wrap_text(struct sf_tw *w, struct sf_tw_wrap *c, const char *text);
/*
 * Adds a finding's text (its values escaped by sf_rule_expand()): a newline
 * in it (the template's own) starts a new line.
 */
void sf_tw_wrap_lines(struct sf_tw *w, struct sf_tw_wrap *c, const char *text);
/*
 * "LABEL" + wrapped finding text (sf_tw_wrap_lines) at column @col,
 * continuation under the text; ends the line.
 */
void sf_tw_para(struct sf_tw *w, size_t col, const char *label, const char *text);
/* The same for untrusted raw text (sf_tw_wrap_text: line breaks shown escaped). */
void sf_tw_para_raw(struct sf_tw *w, size_t col, const char *label, const char *text);
/* "  LABEL    " up to the text column. */
void sf_tw_label(struct sf_tw *w, const char *label);
/* A labelled line of untrusted text ("?" if NULL), wrapped under the text column. */
void sf_tw_field(struct sf_tw *w, const char *label, const char *value);
/* Finishes a block: blank line, flush; 0, or -1 if any write failed. */
int sf_tw_end(struct sf_tw *w);

/* The colour of a severity word (red, yellow, cyan; "" for none). */
const char *sf_tw_sev_sgr(sf_severity s);
/* "PASS", "WARN", "FAIL" or "ERROR" for @v, and its colour in *@out_sgr. */
const char *sf_tw_verdict_word(sf_verdict v, const char **out_sgr);

#endif
