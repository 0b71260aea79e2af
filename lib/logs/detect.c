/*
 * Log type names and format detection from the first SF_LOGS_SNIFF bytes.
 *
 * Markers (any one is enough):
 *   expressway  "tvcs:", "SIPMSG:" or Module="network.   (Expressway / VCS syslog lines)
 *   edge        "$$begin_record", or "TL_WARN(TF_DIAG)"-style trace prefixes
 *               ("TL" '_' or ' ' LEVEL '(' "TF" '_' or ' ' ...), as OCSLogger writes
 *   uccapi      a line "MM/DD/YYYY|HH:MM:SS.mmm ... :: ..." (UccApiLog)
 *   event       "Event ID" / "EventID" / "Diagnostic ID" followed by a number
 *   sip         a SIP status or request line, or an "ms-diagnostics:" header
 * Markers of two or more of the first four formats mean a pasted document
 * (a ticket, a PDF): it is read as "sip", whose reader finds every kind of
 * record.  Otherwise the one format found, else "sip" if SIP text is there.
 */
#include "logs/reader.h"

#include <string.h>
#include <strings.h>

static const char *const type_names[SF_LOGT_COUNT] = {
	[SF_LOGT_AUTO] = "auto", [SF_LOGT_EXPRESSWAY] = "expressway",
	[SF_LOGT_EDGE] = "edge", [SF_LOGT_UCCAPI] = "uccapi",
	[SF_LOGT_SIP] = "sip",   [SF_LOGT_EVENT] = "event",
};

/* Other names people use for the same logs. */
static const struct {
	const char *name;
	sf_log_type type;
} type_aliases[] = {
	{ "vcs", SF_LOGT_EXPRESSWAY }, { "ocslogger", SF_LOGT_EDGE }, { "cls", SF_LOGT_EDGE },
	{ "client", SF_LOGT_UCCAPI },  { "text", SF_LOGT_SIP },       { "cdr", SF_LOGT_EVENT },
};

int sf_log_type_parse(const char *s, sf_log_type *out_type)
{
	size_t i;

	if (!s || !out_type)
		return -1;
	for (i = 0; i < SF_LOGT_COUNT; i++) {
		if (strcasecmp(s, type_names[i]) == 0) {
			*out_type = (sf_log_type)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
		if (strcasecmp(s, type_aliases[i].name) == 0) {
			*out_type = type_aliases[i].type;
			return 0;
		}
	}
	return -1;
}

const char *sf_log_type_name(sf_log_type t)
{
	if ((int)t < 0 || t >= SF_LOGT_COUNT)
		return "unknown";
	return type_names[t];
}

int sf_logs_is_binary(const char *buf, size_t len)
{
	size_t i, ctl = 0;

	if (!buf)
		return 0;
	if (memchr(buf, '\0', len))
		return 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		/* tab, LF, VT, FF, CR and ESC (colour codes) occur in text logs */
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' &&
		     c != 0x1b) ||
		    c == 0x7f)
			ctl++;
	}
	return ctl * 10 > len;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/* "TL_WARN(TF_DIAG" or the damaged "TL WARN(TF DIAG": find "(TF" and look back. */
static int has_tl(const char *b, size_t n)
{
	const char *p = b, *e = b + n;

	while ((p = memmem(p, (size_t)(e - p), "(TF", 3)) != NULL) {
		const char *q = p;

		if (p + 3 < e && (p[3] == '_' || p[3] == ' ')) {
			while (q > b && is_upper((unsigned char)q[-1]) && p - q < 12)
				q--;
			if (q < p && q - b >= 3 && (q[-1] == '_' || q[-1] == ' ') && q[-2] == 'L' &&
			    q[-3] == 'T')
				return 1;
		}
		p += 3;
	}
	return 0;
}

/* A line start in [b, b+n) for which @fn says yes. */
static int any_line(const char *b, size_t n, int (*fn)(const char *, size_t), int need_colons)
{
	const char *p = b, *e = b + n;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;

		const char *c = p;

		while (c < le && (*c == ' ' || *c == '\t'))
			c++;
		if (fn(c, (size_t)(le - c)) &&
		    (!need_colons || memmem(c, (size_t)(le - c), "::", 2)))
			return 1;
		p = nl ? nl + 1 : e;
	}
	return 0;
}

/* A literal (any case) followed by optional separators and a digit. */
static int word_number(const char *b, size_t n, const char *lit)
{
	size_t ln = strlen(lit);
	const char *p = b;

	while (p < b + n) {
		const char *h = sf_lr_find_ci(p, (size_t)(b + n - p), lit);
		const char *q;

		if (!h)
			return 0;
		q = h + ln;
		while (q < b + n && (*q == ' ' || *q == '\t' || *q == ':' || *q == '='))
			q++;
		if (q < b + n && is_digit((unsigned char)*q))
			return 1;
		p = h + ln;
	}
	return 0;
}

/* A SIP start line at a line start, or an ms-diagnostics header. */
static int is_sip_line(const char *p, size_t n)
{
	size_t i = 0, e = n;

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '|'))
		i++;
	while (e > i && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r'))
		e--;
	if (sf_sip_status_at(p + i, e - i))
		return 1;
	if (e - i > 8 && memcmp(p + e - 7, "SIP/2.0", 7) == 0 && is_upper((unsigned char)p[i]) &&
	    memmem(p + i, e - i, " sip:", 5))
		return 1;
	return sf_lr_prefix_ci(p + i, e - i, "ms-diagnostics");
}

sf_log_type sf_logs_detect(const char *buf, size_t len)
{
	size_t n = len < SF_LOGS_SNIFF ? len : SF_LOGS_SNIFF;
	int xw, edge, ucc, ev, strong;

	if (!buf || n == 0)
		return SF_LOGT_AUTO;
	xw = memmem(buf, n, "tvcs:", 5) || memmem(buf, n, "SIPMSG:", 7) ||
	     memmem(buf, n, "Module=\"network.", 16);
	edge = memmem(buf, n, "$$begin_record", 14) || has_tl(buf, n);
	ucc = any_line(buf, n, sf_ucc_is_stamp, 1);
	ev = word_number(buf, n, "Event ID") || memmem(buf, n, "<EventID", 8) ||
	     word_number(buf, n, "Diagnostic ID");
	strong = xw + edge + ucc + ev;
	if (strong >= 2)
		return SF_LOGT_SIP;
	if (xw)
		return SF_LOGT_EXPRESSWAY;
	if (edge)
		return SF_LOGT_EDGE;
	if (ucc)
		return SF_LOGT_UCCAPI;
	if (ev)
		return SF_LOGT_EVENT;
	if (any_line(buf, n, is_sip_line, 0))
		return SF_LOGT_SIP;
	return SF_LOGT_AUTO;
}
