/*
 * Log type names, the reader table, and format detection from the first
 * SF_LOGS_SNIFF bytes (each reader's detect(); markers, any one is enough):
 *   expressway  "tvcs:", "SIPMSG:" or Module="network.   (Expressway / VCS syslog lines)
 *   edge        "$$begin_record", or "TL_WARN(TF_DIAG)"-style trace prefixes
 *               ("TL" '_' or ' ' LEVEL '(' "TF" '_' or ' ' ...), as OCSLogger writes
 *   uccapi      a line "MM/DD/YYYY|HH:MM:SS.mmm ... :: ..." (UccApiLog)
 *   event       "Event ID" / "EventID" / "Diagnostic ID" followed by a number
 *   search      the Expressway "Search history" page: its "Search type" /
 *               "Destination" header row, or a "Search (N)" block with "Found: "
 *   sip         a SIP status or request line, or an "ms-diagnostics:" header
 * Markers of two or more of the first four formats mean a pasted document
 * (a ticket, a PDF): it is read as "sip", whose reader finds every kind of
 * record.  Otherwise the one format found, else "sip" if SIP text is there,
 * else none (the generic evidence scanner, "generic", reads it).
 */
#include "logs/reader.h"

#include <string.h>
#include <strings.h>

static const char *const type_names[SF_LOGT_COUNT] = {
	[SF_LOGT_AUTO] = "auto", [SF_LOGT_EXPRESSWAY] = "expressway",
	[SF_LOGT_EDGE] = "edge", [SF_LOGT_UCCAPI] = "uccapi",
	[SF_LOGT_SIP] = "sip",   [SF_LOGT_EVENT] = "event",
	[SF_LOGT_GENERIC] = "generic", [SF_LOGT_XWSEARCH] = "search",
};

/* Other names people use for the same logs. */
static const struct {
	const char *name;
	sf_log_type type;
} type_aliases[] = {
	{ "vcs", SF_LOGT_EXPRESSWAY }, { "ocslogger", SF_LOGT_EDGE }, { "cls", SF_LOGT_EDGE },
	{ "client", SF_LOGT_UCCAPI },  { "text", SF_LOGT_SIP },       { "cdr", SF_LOGT_EVENT },
	{ "any", SF_LOGT_GENERIC },   { "search-history", SF_LOGT_XWSEARCH },
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

/*
 * The reader table: detection tries the rows in this order, the scanner
 * and the message collector take a row's literals, handlers and line
 * classifiers.  A new format is one file with its sf_reader and one row.
 */
static const sf_reader *const readers[] = {
	&sf_reader_expressway, &sf_reader_edge,	    &sf_reader_uccapi, &sf_reader_event,
	&sf_reader_xwsearch,   &sf_reader_sip,	    &sf_reader_generic,
};

const sf_reader *sf_reader_at(size_t i)
{
	return i < sizeof(readers) / sizeof(readers[0]) ? readers[i] : NULL;
}

const sf_reader *sf_reader_get(sf_log_type t)
{
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i]->type == t)
			return readers[i];
	return NULL;
}

int sf_detect_any_line(const char *b, size_t n, int (*fn)(const char *, size_t), int need_colons)
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

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int sf_detect_word_number(const char *b, size_t n, const char *lit)
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

sf_log_type sf_logs_detect(const char *buf, size_t len)
{
	size_t n = len < SF_LOGS_SNIFF ? len : SF_LOGS_SNIFF, i, strong = 0;
	const sf_reader *first = NULL, *weak = NULL, *mixed = NULL;

	if (!buf || n == 0)
		return SF_LOGT_AUTO;
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		const sf_reader *r = readers[i];
		int d;

		if (!r->detect)
			continue;
		if (r->mixed && !mixed)
			mixed = r;
		d = r->detect(buf, n);
		if (d == SF_DETECT_STRONG) {
			strong++;
			if (!first)
				first = r;
		} else if (d == SF_DETECT_WEAK && !weak) {
			weak = r;
		}
	}
	if (strong >= 2 && mixed)
		return mixed->type;
	if (first)
		return first->type;
	if (weak)
		return weak->type;
	return SF_LOGT_AUTO;
}
