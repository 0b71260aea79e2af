/*
 * The Expressway / VCS "Search history" page (Status > Search history),
 * pasted from the web UI, in its two forms:
 *
 * the list, one search a row, columns separated by tabs or runs of spaces
 * (a header row is optional and ignored; the columns are told by what they
 * hold: a start time first, the search type (SIP (INVITE), or the method),
 * "Not found", the source then the destination alias, and a Reason column
 * after them if the page shows one):
 *
 *   Start time            Search type    Source                   Destination              Status
 *   2026-11-23 10:00:00   SIP (INVITE)   sip:ann@kestrel.example  sip:bo@partner.example   Not found
 *
 * and the details of one search ("View"), indented "Key: value" lines:
 *
 *   Search (12)
 *     State: Completed
 *     Found: False
 *     Reason: Request Timeout
 *     Type: SIP (INVITE)
 *     Source (1)
 *       Aliases (1)
 *         Alias (1)
 *           Type: Url
 *           Value: sip:ann@kestrel.example
 *     Destination (1)
 *       Alias (1)
 *         Value: sip:bo@partner.example
 *     StartTime: 2026-11-23 10:00:00
 *
 * A search that found nothing gives one event, as the "Search Completed"
 * event line of the diagnostic log does (expressway.c): a Reason that says
 * time-out gives SF_LOG_SIP_RESPONSE with sip_status 504 (the bare 504 of
 * the Microsoft side, LOG-003); any other, or a row without a reason, gives
 * SF_LOG_EVENT with that reason ("Not Found", "Forbidden").  Both carry the
 * time, from / to domain = the hosts of the source and destination aliases,
 * and attrs Event ("Search history"), Search-type, Src-alias, Dst-alias,
 * Status / Reason.  Found searches give nothing.
 */
#include "logs/reader.h"

#include <string.h>

#define XS_BACK 8192   /* how far back the "Search (N)" line of a details block is looked for */
#define XS_BLOCK 16384 /* longest details block */
#define XS_LINES 200   /* lines of a details block */
#define XS_FIELDS 12   /* columns of a row */

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* "2026-11-23 10:00:00" or "2026/11/23 10:00:00" at @p (a row's start time). */
static int is_stamp(const char *p, size_t n)
{
	return n >= 10 && is_digit((unsigned char)p[0]) && is_digit((unsigned char)p[3]) &&
	       (p[4] == '-' || p[4] == '/') && is_digit((unsigned char)p[5]) &&
	       (p[7] == '-' || p[7] == '/') && is_digit((unsigned char)p[9]);
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A SIP method as the search type ("INVITE", "OPTIONS"). */
static int all_upper(sf_span v)
{
	size_t i;

	for (i = 0; i < v.n; i++)
		if (v.p[i] < 'A' || v.p[i] > 'Z')
			return 0;
	return v.n >= 3;
}

/* Is @v an alias: a URI or user@host? */
static int is_alias(sf_span v)
{
	return memchr(v.p, '@', v.n) != NULL || sf_lr_prefix_ci(v.p, v.n, "sip:") ||
	       sf_lr_prefix_ci(v.p, v.n, "sips:") || sf_lr_prefix_ci(v.p, v.n, "h323:");
}

/* Trims blanks and '\r' from both ends of @v. */
static sf_span trim(sf_span v)
{
	while (v.n && (v.p[0] == ' ' || v.p[0] == '\t'))
		v.p++, v.n--;
	while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t' || v.p[v.n - 1] == '\r'))
		v.n--;
	return v;
}

/*
 * One failed search: the event (see the top of the file) at line @pos,
 * @reason (may be empty) deciding its kind.
 */
static void emit_search(sf_logrd *rd, size_t pos, sf_span time, sf_span type, sf_span src,
			sf_span dst, sf_span status, sf_span reason)
{
	int timeout = reason.n && sf_xw_says_timeout(reason);
	sf_log_event *ev = sf_lr_event(rd, timeout ? SF_LOG_SIP_RESPONSE : SF_LOG_EVENT, pos);

	if (!ev)
		return;
	if (timeout)
		ev->sip_status = 504;
	if (time.n)
		sf_lr_set(rd, &ev->time, time.p, time.n);
	sf_lr_attr(rd, ev, "Event", 5, "Search history", 14);
	if (type.n)
		sf_lr_attr(rd, ev, "Search-type", 11, type.p, type.n);
	if (src.n) {
		sf_lr_attr(rd, ev, "Src-alias", 9, src.p, src.n);
		sf_xw_alias_domain(rd, &ev->from_domain, src);
	}
	if (dst.n) {
		sf_lr_attr(rd, ev, "Dst-alias", 9, dst.p, dst.n);
		sf_xw_alias_domain(rd, &ev->to_domain, dst);
	}
	if (status.n)
		sf_lr_attr(rd, ev, "Status", 6, status.p, status.n);
	if (reason.n) {
		sf_lr_attr(rd, ev, "Reason", 6, reason.p, reason.n);
		sf_lr_set(rd, &ev->reason, reason.p, reason.n);
	} else if (status.n) {
		sf_lr_set(rd, &ev->reason, status.p, status.n);
	}
	sf_lr_emit(rd, ev);
}

/* ---- the list ---------------------------------------------------------------- */

/* The columns of the row [@bol, @eol): split at tabs and at runs of two or more spaces. */
static size_t split_row(const char *b, size_t bol, size_t eol, sf_span *f, size_t max)
{
	size_t n = 0, i = bol, s;

	while (i < eol && n < max) {
		while (i < eol && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r'))
			i++;
		if (i >= eol)
			break;
		s = i;
		while (i < eol && b[i] != '\t' && b[i] != '\r' &&
		       !(b[i] == ' ' && i + 1 < eol && (b[i + 1] == ' ' || b[i + 1] == '\t')))
			i++;
		f[n++] = trim((sf_span){ b + s, i - s });
	}
	return n;
}

/* "Not found" at @pos: a row of the list whose Status column says so. */
static void xs_hit_row(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t lo = sf_lr_lo(rd, pos, 4096), hi = sf_lr_hi(rd, pos, 4096);
	size_t bol = sf_lr_bol(rd, pos, lo), eol = sf_lr_eol(rd, pos, hi), n, k;
	sf_span f[XS_FIELDS], none = { NULL, 0 }, time = none, type = none, src = none,
			      dst = none, status = none, reason = none;

	n = split_row(b, bol, eol, f, XS_FIELDS);
	for (k = 0; k < n; k++) {
		if (f[k].p == b + pos && f[k].n == 9)
			status = f[k];
		else if (k == 0 && is_stamp(f[k].p, f[k].n))
			time = f[k];
		else if (is_alias(f[k]) && !src.n)
			src = f[k];
		else if (is_alias(f[k]) && !dst.n)
			dst = f[k];
		else if (!type.n && !src.n && (sf_lr_prefix_ci(f[k].p, f[k].n, "SIP") ||
					      sf_lr_prefix_ci(f[k].p, f[k].n, "H323") ||
					      sf_lr_prefix_ci(f[k].p, f[k].n, "H.323") ||
					      all_upper(f[k])))
			type = f[k];
		else if (dst.n && !reason.n && is_alpha((unsigned char)f[k].p[0]) &&
			 !(f[k].n == 4 && sf_lr_prefix_ci(f[k].p, 4, "View")))
			reason = f[k]; /* the Reason column after the aliases */
	}
	/* a whole column, in a row that names at least the destination */
	if (!status.n || !dst.n)
		return;
	sf_lr_consume(rd, eol);
	emit_search(rd, bol, time, type, src, dst, status, reason);
}

/* ---- the details --------------------------------------------------------------- */

static size_t indent_of(const char *b, size_t bol, size_t eol)
{
	size_t i = bol;

	while (i < eol && (b[i] == ' ' || b[i] == '\t'))
		i++;
	return i - bol;
}

/* Is the line [@s, @e) (indentation skipped) "Search (N)"? */
static int is_search_head(const char *b, size_t s, size_t e)
{
	return e - s >= 8 && memcmp(b + s, "Search (", 8) == 0;
}

/* "Found: False" at @pos: the details block around it. */
static void xs_hit_details(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t lo = sf_lr_lo(rd, pos, XS_BACK), hi = sf_lr_hi(rd, pos, XS_BLOCK);
	size_t head = sf_lr_bol(rd, pos, lo), cur, k, ind, head_ind;
	int have_head = 0;
	sf_span none = { NULL, 0 }, time = none, type = none, src = none, dst = none,
		reason = none;
	enum { SEC_TOP, SEC_SRC, SEC_DST, SEC_OTHER } sec = SEC_TOP;
	size_t sec_ind = 0;

	/* the "Search (N)" line above, else the line itself starts the block */
	for (cur = head, k = 0; cur > lo && k < XS_LINES; k++) {
		size_t pb = sf_lr_bol(rd, cur - 1, lo), s = pb;

		while (s < cur - 1 && (b[s] == ' ' || b[s] == '\t'))
			s++;
		if (is_search_head(b, s, cur - 1)) {
			head = pb;
			have_head = 1;
			break;
		}
		cur = pb;
	}
	head_ind = indent_of(b, head, sf_lr_eol(rd, head, hi));
	for (cur = head, k = 0; cur < hi && k < XS_LINES; k++) {
		size_t eol = sf_lr_eol(rd, cur, hi), s = cur + indent_of(b, cur, eol);
		sf_span line = trim((sf_span){ b + s, eol - s }), key, val;
		const char *colon;

		ind = s - cur;
		/* a blank line, the next search, or text after the block (without the
		 * "Search (N)" line, the block is the Found line and its siblings) */
		if (k > 0 && (line.n == 0 || (have_head ? ind <= head_ind : ind < head_ind)))
			break;
		colon = memchr(line.p, ':', line.n);
		if (!colon) {
			/* a section: "Source (1)", "Destination (1)", "SubSearch (1)" */
			if (k > 0 && (sec == SEC_TOP || ind <= sec_ind)) {
				sec = sf_lr_prefix_ci(line.p, line.n, "Source")	 ? SEC_SRC
				      : sf_lr_prefix_ci(line.p, line.n, "Destination") ? SEC_DST
										       : SEC_OTHER;
				sec_ind = ind;
			}
		} else {
			key = trim((sf_span){ line.p, (size_t)(colon - line.p) });
			val = trim((sf_span){ colon + 1, line.n - (size_t)(colon + 1 - line.p) });
			if (sec != SEC_TOP && ind <= sec_ind)
				sec = SEC_TOP;
			if (sec == SEC_TOP && key.n == 6 && sf_lr_prefix_ci(key.p, 6, "Reason") &&
			    !reason.n)
				reason = val;
			else if (sec == SEC_TOP && key.n == 4 && sf_lr_prefix_ci(key.p, 4, "Type") &&
				 !type.n)
				type = val;
			else if (sec == SEC_TOP && (sf_lr_prefix_ci(key.p, key.n, "StartTime") ||
						    sf_lr_prefix_ci(key.p, key.n, "Start time")) &&
				 !time.n)
				time = val;
			else if (key.n == 5 && sf_lr_prefix_ci(key.p, 5, "Value") && is_alias(val)) {
				if (sec == SEC_SRC && !src.n)
					src = val;
				else if (sec == SEC_DST && !dst.n)
					dst = val;
			}
		}
		cur = eol + 1;
		if (eol >= hi)
			break;
	}
	sf_lr_consume(rd, cur < hi ? cur : hi);
	emit_search(rd, pos, time, type, src, dst, (sf_span){ "Found: False", 12 }, reason);
}

/* ---- detection ------------------------------------------------------------------- */

static int xs_detect(const char *buf, size_t n)
{
	/* the list's header row, or a details block */
	if (memmem(buf, n, "Search type", 11) && memmem(buf, n, "Destination", 11))
		return SF_DETECT_STRONG;
	if (memmem(buf, n, "Search (", 8) && memmem(buf, n, "Found: ", 7))
		return SF_DETECT_STRONG;
	return SF_DETECT_NO;
}

static const sf_lit xs_lits[] = {
	{ "Found: False", SF_MSCAN_CI, xs_hit_details },
	{ "Not found", SF_MSCAN_CI, xs_hit_row },
};

const sf_reader sf_reader_xwsearch = {
	.type = SF_LOGT_XWSEARCH,
	.detect = xs_detect,
	.lits = xs_lits,
	.n_lits = sizeof(xs_lits) / sizeof(xs_lits[0]),
};
