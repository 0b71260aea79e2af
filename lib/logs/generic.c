/*
 * The generic evidence scanner: the reader of last resort, for any text no
 * other reader claims (a syslog of an SBC or a proxy, PowerShell output, a
 * forum post, one sentence pasted from a dialog).  It never claims a log
 * (no detect()); the driver picks it when detection finds no format.
 *
 * It looks anywhere in a line for the evidence the knowledge base knows:
 *   ms-diagnostics[-public]: N       SF_LOG_MSDIAG (the SIP text handler)
 *   ErrorCode=N,Source=H,Reason=T    SF_LOG_MSDIAG (Test-Cs* "Diagnosis :")
 *   SIP/2.0 NNN Reason               SF_LOG_SIP_RESPONSE for NNN >= 400,
 *                                    unless the message carries ms-diagnostics
 *                                    (that header is the evidence); syslog
 *                                    "#015#012" escapes end the line
 *   NNN Reason-Phrase                SF_LOG_SIP_RESPONSE for a known phrase
 *                                    ("504 Server time-out", "Error : 480,
 *                                    Temporarily Unavailable")
 *   0xC3E9xxxx[(NAME)] / NAME        SF_LOG_EVENT with result_code (and name)
 *   0x8009xxxx / 0x800Bxxxx          SF_LOG_EVENT with hresult
 *   Q.850;cause=N                    SF_LOG_EVENT, attr Q.850-cause
 *   TLS alerts, OpenSSL reasons,     SF_LOG_EVENT, one per line, attrs
 *   verify errors, Schannel texts    TLS-alert, X509-verify-error,
 *                                    OpenSSL-reason, SChannel-error-state,
 *                                    OpenSSL-error (the packed code of
 *                                    "error:0A00010B:", as written);
 *                                    its reason is the OpenSSL reason as
 *                                    written after the program of a syslog
 *                                    prefix ("opensips: wrong version
 *                                    number"), else the line without that
 *                                    prefix
 * The knowledge base explains each by its number (explain.c).
 *
 * A number after "HTTP/1.1 ", "HTTP " or "HTTP Error " is an HTTP status
 * (Exchange, UCWA, autodiscover traffic), never a SIP response.
 *
 * PowerShell Test-Cs* results (Format-List output, wrapped at the console
 * width) are read as records:
 *   field         a line "Name   : value" (a name of letters, digits, blanks,
 *                 '-' at column 0, blanks, ':', a blank or the end)
 *   continuation  an indented, non-blank line after a field: the rest of its
 *                 value.  PowerShell pads lines with blanks to the width and
 *                 cuts values there, inside words: a line that ends in a
 *                 non-blank in a padded record (or, padding trimmed, is 80
 *                 columns or more) is joined to the next without a blank
 *                 ("Reason=Failed to co" + "nnect"), any other with one
 *   record        from a "Target Fqdn" / "TargetFqdn" / "Target Uri" /
 *                 "Result" field up to a blank line, a line that is neither
 *                 field nor continuation (a "PS C:\>" prompt), or the next
 *                 record (another "Target ..." field, or a second "Result");
 *                 at most TC_LINES lines
 *   run           the record, its command line ("PS ...> Test-Cs...", the
 *                 attributes cmdlet, and for Test-CsFederatedPartner domain
 *                 = -Domain and Peer = -ProxyFqdn) and its transcript: lines
 *                 before the record starting with VERBOSE:, WARNING:, DEBUG:,
 *                 "Received ", "Sending " or "Response" (-Verbose), with no
 *                 prompt nor field between them and the record (TC_AHEAD
 *                 lines at most)
 * A run is one failure, one event: "Diagnosis : ErrorCode=N,Source=H,
 * Reason=T,WinsockErrorCode=W" (joined) gives SF_LOG_MSDIAG with the SIP
 * status of "Error : 504, Server time-out", attr source, reason T, attr
 * WinsockFailureCode (the name explain.c refines 1046 / 1047 by) and any
 * other Key=value as an attribute; without a Diagnosis code, the Error gives
 * SF_LOG_SIP_RESPONSE.  Transcript responses ("Received response: 504
 * Server time-out") give nothing of their own.  Exception: with a Diagnosis
 * 1034-1036 ("previous hop ... gave no diagnostic information") the Error
 * is the peer's own response and is an SF_LOG_SIP_RESPONSE as well.  The
 * record is then marked read (hits in it are not handled again).
 */
#include "logs/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_BACK 4096   /* how far back a line start is looked for */
#define GEN_LINE 16384  /* longest line examined */
#define GEN_MSG 8192    /* how far a status line's message is searched for ms-diagnostics */

/* 1 if the line of @pos is in a Test-Cs* result, which is then read (below). */
static int gen_testcs(sf_logrd *rd, size_t pos, size_t bol, size_t eol);

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z');
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

/* Decimal number at @p[*i] (at most 9 digits); -1 if none.  Advances *i. */
static long dec_at(const char *p, size_t n, size_t *i)
{
	long v = 0;
	size_t d = 0;

	while (*i < n && is_digit((unsigned char)p[*i]) && d < 9) {
		v = v * 10 + (p[*i] - '0');
		(*i)++;
		d++;
	}
	if (d == 0 || (*i < n && is_digit((unsigned char)p[*i])))
		return -1;
	return v;
}

/* The end of a physical line, also at a syslog "#015" / "#012" escape. */
static size_t line_end(const char *b, size_t pos, size_t hi)
{
	size_t i;

	for (i = pos; i < hi; i++) {
		if (b[i] == '\n' || b[i] == '\r')
			return i;
		if (b[i] == '#' && i + 3 < hi && b[i + 1] == '0' && b[i + 2] == '1' &&
		    (b[i + 3] == '5' || b[i + 3] == '2'))
			return i;
	}
	return hi;
}

/* ------------------------------------------------------------------ */
/* SIP status lines                                                     */
/* ------------------------------------------------------------------ */

/* Does the message starting at @pos carry ms-diagnostics before the next status line? */
static int has_msdiag(const sf_logrd *rd, size_t pos)
{
	size_t hi = sf_lr_hi(rd, pos, GEN_MSG), i;
	const char *b = rd->buf;

	for (i = pos + 7; i + 14 <= hi; i++) {
		if (b[i] == '\n' && i + 1 < hi &&
		    (b[i + 1] == '\n' || (b[i + 1] == '\r' && i + 2 < hi && b[i + 2] == '\n')))
			return 0; /* the blank line after the headers */
		if (b[i] == 'S' && memcmp(b + i, "SIP/2.0 ", 8) == 0)
			return 0;
		if ((b[i] | 0x20) == 'm' && sf_lr_prefix_ci(b + i, hi - i, "ms-diagnostics"))
			return 1;
	}
	return 0;
}

static void gen_hit_status(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t hi = sf_lr_hi(rd, pos, 512), e, r;
	int st;
	sf_log_event *ev;

	if (pos > 0 && is_alnum((unsigned char)b[pos - 1]))
		return;
	st = sf_sip_status_at(b + pos, hi - pos);
	if (st < 400 || has_msdiag(rd, pos))
		return;
	e = line_end(b, pos, hi);
	ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, pos);
	if (!ev)
		return;
	ev->sip_status = st;
	sf_lr_set(rd, &ev->start_line, b + pos, e - pos);
	r = pos + 8;
	while (r < e && (is_digit((unsigned char)b[r]) || b[r] == ' ' || b[r] == '_'))
		r++;
	if (r < e)
		sf_lr_set(rd, &ev->reason, b + r, e - r);
	sf_lr_emit(rd, ev);
}

/* ------------------------------------------------------------------ */
/* Result codes and HRESULTs                                            */
/* ------------------------------------------------------------------ */

void sf_generic_hit_code(sf_logrd *rd, size_t pos)
{
	size_t bol = sf_lr_bol(rd, pos, pos > GEN_BACK ? pos - GEN_BACK : 0);
	size_t eol = sf_lr_eol(rd, pos, sf_lr_hi(rd, pos, GEN_LINE));

	/* a code in a Test-Cs* Diagnosis ("...,HRESULT=0x80090322"): the result's */
	if (gen_testcs(rd, pos, bol, eol))
		return;
	sf_generic_code(rd, pos, SF_SPAN_NULL);
}

void sf_generic_code(sf_logrd *rd, size_t pos, sf_span time)
{
	const char *b = rd->buf;
	size_t hi = sf_lr_hi(rd, pos, 256), i, e;
	unsigned hi16 = 0;
	sf_log_event *ev;

	if (pos > 0 && is_alnum((unsigned char)b[pos - 1]))
		return;
	if (hi - pos < 10)
		return;
	for (i = pos + 2; i < pos + 10; i++)
		if (!is_hex((unsigned char)b[i]))
			return;
	if (pos + 10 < hi && is_alnum((unsigned char)b[pos + 10]))
		return;
	for (i = pos + 2; i < pos + 6; i++)
		hi16 = hi16 * 16 +
		       (unsigned)(is_digit((unsigned char)b[i]) ? b[i] - '0'
								 : lower((unsigned char)b[i]) - 'a' + 10);
	if (hi16 != 0xC3E9 && hi16 != 0xC3E8 && hi16 != 0x8009 && hi16 != 0x800B)
		return;
	/* the code, then "(NAME)" or " NAME" */
	e = pos + 10;
	if (e < hi && (b[e] == '(' || b[e] == ' ')) {
		size_t k = e + 1;

		while (k < hi && (is_alnum((unsigned char)b[k]) || b[k] == '_'))
			k++;
		e = k;
	}
	ev = sf_lr_event(rd, SF_LOG_EVENT, pos);
	if (!ev)
		return;
	if (time.n)
		sf_lr_set(rd, &ev->time, time.p, time.n);
	sf_lr_result(rd, ev, b + pos, e - pos);
	if (ev->hresult && ev->result_code && strcmp(ev->hresult, ev->result_code) == 0 &&
	    hi16 != 0xC3E8) {
		/* a Windows HRESULT alone: no Result-Code */
		free(ev->result_code);
		ev->result_code = NULL;
	}
	e = line_end(b, pos, sf_lr_hi(rd, pos, GEN_LINE));
	sf_lr_set(rd, &ev->reason, b + sf_lr_bol(rd, pos, pos > GEN_BACK ? pos - GEN_BACK : 0),
		  e - sf_lr_bol(rd, pos, pos > GEN_BACK ? pos - GEN_BACK : 0));
	sf_lr_emit(rd, ev);
}

/* ------------------------------------------------------------------ */
/* Phrases: TLS, OpenSSL, Schannel, Q.850, reason phrases, ErrorCode=   */
/* ------------------------------------------------------------------ */

/*
 * TLS alert descriptions by name as OpenSSL prints them ("tlsv1 alert
 * unknown ca", "sslv3 alert handshake failure"): RFC 8446 §6 AlertDescription.
 */
static const struct {
	const char *name;
	int code;
} alert_names[] = {
	{ "unexpected message", 10 },     { "bad record mac", 20 },
	{ "record overflow", 22 },        { "handshake failure", 40 },
	{ "bad certificate", 42 },        { "unsupported certificate", 43 },
	{ "certificate revoked", 44 },    { "certificate expired", 45 },
	{ "certificate unknown", 46 },    { "illegal parameter", 47 },
	{ "unknown ca", 48 },             { "access denied", 49 },
	{ "decode error", 50 },           { "decrypt error", 51 },
	{ "protocol version", 70 },       { "insufficient security", 71 },
	{ "internal error", 80 },         { "inappropriate fallback", 86 },
	{ "user canceled", 90 },          { "missing extension", 109 },
	{ "unsupported extension", 110 }, { "unrecognized name", 112 },
	{ "bad certificate status response", 113 }, { "unknown psk identity", 115 },
	{ "certificate required", 116 },  { "no application protocol", 120 },
};

/*
 * OpenSSL reason strings and X509 verify error texts; number: the
 * X509_V_ERR_* value the text belongs to (OpenSSL x509_vfy.h / the
 * openssl-verify(1) list), 0 for a reason that is no verify error.
 * Longest first where one contains another.
 */
static const struct {
	const char *text;
	int verify;
} reasons[] = {
	{ "unable to get local issuer certificate", 20 },
	{ "unable to get issuer certificate", 2 },
	{ "self signed certificate in certificate chain", 19 },
	{ "self-signed certificate in certificate chain", 19 },
	{ "self signed certificate", 18 },
	{ "self-signed certificate", 18 },
	{ "unable to verify the first certificate", 21 },
	{ "certificate has expired", 10 },
	{ "certificate is not yet valid", 9 },
	{ "certificate has been revoked", 23 },
	{ "unsupported certificate purpose", 26 },
	{ "hostname mismatch", 62 },
	{ "certificate verify failed", 0 },
	{ "wrong version number", 0 },
	{ "no shared cipher", 0 },
	{ "unsupported protocol", 0 },
	{ "unknown protocol", 0 },
	{ "no protocols available", 0 },
	{ "none of the cipher suites", 0 }, /* Schannel 36874 */
	{ "peer did not return a certificate", 0 },
	/* a TLS connection that failed without saying why (last: any reason above wins) */
	{ "tls_connect failed", 0 },       /* FreeSWITCH sofia: OPTIONS to a TLS gateway */
	{ "TLS handshake failed", 0 },
	{ "TLS setup failed", 0 },
};

/* SIP reason phrases (RFC 3261 §21 and what servers write) for "NNN Phrase" text. */
static const char *const phrases[] = {
	"server time-out", "server timeout", "request timeout", "request time-out",
	"temporarily unavailable", "service unavailable", "forbidden", "not found",
	"not acceptable here", "decline", "server internal error", "bad gateway",
	"busy here", "unauthorized", "not acceptable",
};

/* Position of @lit (any case) in [@i, @e) of @b, or @e. */
static size_t find(const char *b, size_t i, size_t e, const char *lit)
{
	const char *h = sf_lr_find_ci(b + i, e - i, lit);

	return h ? (size_t)(h - b) : e;
}

static void add_num(sf_logrd *rd, sf_log_event *ev, const char *k, long v)
{
	char t[24];

	snprintf(t, sizeof(t), "%ld", v);
	sf_lr_attr(rd, ev, k, strlen(k), t, strlen(t));
}

/* A TLS alert number after "alert" at @i: "number 48", "code is 40", "received: 48", "48". */
static long alert_number(const char *b, size_t i, size_t e)
{
	static const char *const lead[] = { "number", "code is", "code", "received:", "received",
					    "description", "desc" };
	size_t k;

	for (k = 0; k < 8 && i < e; k++) {
		size_t j;

		while (i < e && (b[i] == ' ' || b[i] == ':' || b[i] == '=' || b[i] == '#'))
			i++;
		if (i < e && is_digit((unsigned char)b[i]))
			return dec_at(b, e, &i);
		for (j = 0; j < sizeof(lead) / sizeof(lead[0]); j++) {
			if (sf_lr_prefix_ci(b + i, e - i, lead[j])) {
				i += strlen(lead[j]);
				break;
			}
		}
		if (j == sizeof(lead) / sizeof(lead[0])) {
			/* "fatal alert was received: 48" */
			if (sf_lr_prefix_ci(b + i, e - i, "was "))
				i += 4;
			else
				return -1;
		}
	}
	return -1;
}

/*
 * A syslog prefix at @bol: "Mmm dd hh:mm:ss host tag[pid]: " (RFC 3164) or
 * "2026-11-23T10:20:01.123+01:00 host tag[pid]: " (RFC 5424 style).  Returns
 * 1 with the tag (program, without "[pid]") in [*ps, *pe) and the message
 * start in *msg; 0 if the line has none.
 */
static int syslog_prog(const char *b, size_t bol, size_t eol, size_t *ps, size_t *pe, size_t *msg)
{
	size_t i = bol, t;

	if (eol - bol >= 16 && lower((unsigned char)b[i]) >= 'a' && lower((unsigned char)b[i]) <= 'z' &&
	    b[i + 3] == ' ') {
		/* "Nov 23 10:20:01" / "Nov  3 10:20:01" */
		i += 4;
		if (b[i] == ' ')
			i++;
		while (i < eol && is_digit((unsigned char)b[i]))
			i++;
		if (i + 9 > eol || b[i] != ' ' || !is_digit((unsigned char)b[i + 1]) ||
		    b[i + 3] != ':' || b[i + 6] != ':')
			return 0;
		i += 9;
		while (i < eol && (is_digit((unsigned char)b[i]) || b[i] == '.'))
			i++;
	} else if (eol - bol >= 20 && is_digit((unsigned char)b[i]) && b[i + 4] == '-' &&
		   b[i + 7] == '-') {
		while (i < eol && b[i] != ' ')
			i++;
	} else {
		return 0;
	}
	/* host */
	if (i >= eol || b[i] != ' ')
		return 0;
	i++;
	t = i;
	while (i < eol && b[i] != ' ' && b[i] != ':')
		i++;
	if (i == t || i >= eol || b[i] != ' ')
		return 0;
	i++;
	/* tag[pid]: */
	t = i;
	while (i < eol && (is_alnum((unsigned char)b[i]) || b[i] == '_' || b[i] == '-' ||
			   b[i] == '.' || b[i] == '/'))
		i++;
	if (i == t || i - t > 48)
		return 0;
	*ps = t;
	*pe = i;
	if (i < eol && b[i] == '[') {
		while (i < eol && b[i] != ']' && b[i] != ' ')
			i++;
		if (i >= eol || b[i] != ']')
			return 0;
		i++;
	}
	if (i >= eol || b[i] != ':')
		return 0;
	i++;
	while (i < eol && b[i] == ' ')
		i++;
	*msg = i;
	return 1;
}

/*
 * The reason of a TLS event of its own line: the OpenSSL reason phrase as
 * written (@reason: the table's text, or NULL), after the program of a syslog
 * prefix ("opensips: wrong version number"); without a phrase, the message
 * after the syslog prefix (the whole line when it has none).
 */
static void tls_reason(sf_logrd *rd, sf_log_event *ev, size_t bol, size_t eol, const char *reason)
{
	const char *b = rd->buf;
	size_t ps = 0, pe = 0, msg = bol, h, n = 0;
	char t[160];
	int prog = syslog_prog(b, bol, eol, &ps, &pe, &msg);

	if (reason && (h = find(b, bol, eol, reason)) < eol) {
		size_t rl = strlen(reason);

		if (prog)
			n = (size_t)snprintf(t, sizeof(t), "%.*s: %.*s", (int)(pe - ps), b + ps,
					     (int)rl, b + h);
		else
			n = (size_t)snprintf(t, sizeof(t), "%.*s", (int)rl, b + h);
		sf_lr_set(rd, &ev->reason, t, n < sizeof(t) ? n : sizeof(t) - 1);
		return;
	}
	if (prog && pe - ps + 2 + (eol - msg) < sizeof(t)) {
		n = (size_t)snprintf(t, sizeof(t), "%.*s: %.*s", (int)(pe - ps), b + ps,
				     (int)(eol - msg), b + msg);
		sf_lr_set(rd, &ev->reason, t, n);
		return;
	}
	sf_lr_set(rd, &ev->reason, b + msg, eol - msg);
}

/*
 * TLS evidence of one line: every attribute found, added to @into (returns 1),
 * or without @into emitted as one new event.  Returns 0 if none was found.
 */
int sf_generic_tls(sf_logrd *rd, sf_log_event *into, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	long alert = -1, verify = -1, state = -1;
	const char *reason = NULL, *aname = NULL;
	size_t i, k, h, ssl = SIZE_MAX;
	sf_log_event *ev;

	/* alerts */
	for (i = bol; (h = find(b, i, eol, "alert")) < eol; i = h + 5) {
		size_t a = h + 5;

		if (h > bol && is_alnum((unsigned char)b[h - 1]))
			continue;
		while (a < eol && b[a] == ' ')
			a++;
		for (k = 0; k < sizeof(alert_names) / sizeof(alert_names[0]); k++) {
			if (sf_lr_prefix_ci(b + a, eol - a, alert_names[k].name)) {
				alert = alert_names[k].code;
				aname = alert_names[k].name;
				break;
			}
		}
		if (alert < 0)
			alert = alert_number(b, h + 5, eol);
		if (alert > 255)
			alert = -1;
		if (alert >= 0)
			break;
	}
	/* Schannel 36888: "The TLS protocol defined fatal error code is 46." */
	if (alert < 0 && (h = find(b, bol, eol, "fatal error code is")) < eol) {
		i = h + 19;
		while (i < eol && b[i] == ' ')
			i++;
		alert = dec_at(b, eol, &i);
		if (alert > 255)
			alert = -1;
	}
	/*
	 * "The Windows SChannel error state is 1205." (for a line alone maybe on
	 * the next lines of a wrap; within a record given by @into, in it)
	 */
	if (alert >= 0) {
		size_t se = into ? eol : sf_lr_hi(rd, eol, 512);

		if ((h = find(b, bol, se, "error state is")) < se) {
			i = h + 14;
			while (i < se && (b[i] == ' ' || b[i] == '\r' || b[i] == '\n'))
				i++;
			state = dec_at(b, se, &i);
		}
	}
	/* OpenSSL "verify error:num=20" / "verify return code: 20" / "verify return:0" */
	if ((h = find(b, bol, eol, "verify error:num=")) < eol) {
		i = h + 17;
		verify = dec_at(b, eol, &i);
	} else if ((h = find(b, bol, eol, "verify return code:")) < eol) {
		i = h + 19;
		while (i < eol && b[i] == ' ')
			i++;
		verify = dec_at(b, eol, &i);
		if (verify == 0)
			verify = -1; /* ok */
	}
	for (k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
		if (find(b, bol, eol, reasons[k].text) < eol) {
			if (!reason || (reasons[k].verify > 0 && verify < 0)) {
				reason = reasons[k].text;
				if (reasons[k].verify > 0 && verify < 0)
					verify = reasons[k].verify;
			}
			if (verify >= 0)
				break;
		}
	}
	if (alert < 0 && verify < 0 && !reason)
		return 0;
	/* the packed OpenSSL error code before the reason: "error:0A00010B:SSL routines:" */
	for (i = bol; (h = find(b, i, eol, "error:")) + 15 <= eol; i = h + 6) {
		for (k = h + 6; k < h + 14 && is_hex((unsigned char)b[k]); k++)
			;
		if (k == h + 14 && b[k] == ':' && (h == bol || !is_alnum((unsigned char)b[h - 1]))) {
			ssl = h + 6;
			break;
		}
	}
	ev = into ? into : sf_lr_event(rd, SF_LOG_EVENT, bol);
	if (!ev)
		return 0;
	if (alert >= 0)
		add_num(rd, ev, "TLS-alert", alert);
	if (aname)
		sf_lr_attr(rd, ev, "TLS-alert-name", 14, aname, strlen(aname));
	if (verify >= 0)
		add_num(rd, ev, "X509-verify-error", verify);
	if (reason)
		sf_lr_attr(rd, ev, "OpenSSL-reason", 14, reason, strlen(reason));
	if (ssl != SIZE_MAX) {
		char hex[9];

		for (k = 0; k < 8; k++)
			hex[k] = (char)(lower((unsigned char)b[ssl + k]) >= 'a'
						? b[ssl + k] & ~0x20 : b[ssl + k]);
		hex[8] = '\0';
		sf_lr_attr(rd, ev, "OpenSSL-error", 13, hex, 8);
	}
	if (state >= 0)
		add_num(rd, ev, "SChannel-error-state", state);
	if (into)
		return 1;
	tls_reason(rd, ev, bol, eol, reason);
	sf_lr_emit(rd, ev);
	return 1;
}

/* "Reason: Q.850;cause=16;text=..." */
static void line_q850(sf_logrd *rd, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	size_t h = find(b, bol, eol, "Q.850"), i;
	long cause;
	sf_span t;
	sf_log_event *ev;

	if (h >= eol)
		return;
	i = find(b, h, eol, "cause=");
	if (i >= eol || i - h > 64)
		return;
	i += 6;
	cause = dec_at(b, eol, &i);
	if (cause < 0 || cause > 127)
		return;
	ev = sf_lr_event(rd, SF_LOG_EVENT, bol);
	if (!ev)
		return;
	add_num(rd, ev, "Q.850-cause", cause);
	if (sf_lr_kv(b + h, eol - h, "text", &t) && t.n)
		sf_lr_set(rd, &ev->reason, t.p, t.n);
	sf_lr_emit(rd, ev);
}

/* What the command line of a Test-Cs* result says (window spans, empty if not given). */
typedef struct tc_ctx {
	sf_span cmdlet; /* "Test-CsFederatedPartner" */
	sf_span domain; /* -Domain */
	sf_span peer;   /* -ProxyFqdn */
} tc_ctx;

static void tc_attrs(sf_logrd *rd, sf_log_event *ev, const tc_ctx *c)
{
	if (!c || !ev)
		return;
	if (c->cmdlet.n)
		sf_lr_attr(rd, ev, "cmdlet", 6, c->cmdlet.p, c->cmdlet.n);
	if (c->domain.n)
		sf_lr_attr(rd, ev, "domain", 6, c->domain.p, c->domain.n);
	if (c->peer.n)
		sf_lr_attr(rd, ev, "Peer", 4, c->peer.p, c->peer.n);
}

/* A token byte of a Diagnosis key ("WinsockErrorCode"). */
static int is_key(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

/* Position of the next ",Key=" in @p[@i..@n), or @n: where a Diagnosis value ends. */
static size_t next_key(const char *p, size_t i, size_t n)
{
	for (; i < n; i++) {
		size_t k = i + 1;

		if (p[i] != ',')
			continue;
		while (k < n && is_key((unsigned char)p[k]))
			k++;
		if (k > i + 1 && k < n && p[k] == '=')
			return i;
	}
	return n;
}

/*
 * An SF_LOG_MSDIAG event for the line of window position @pos from the text
 * @p[0..@n) that starts with "ErrorCode=N" (a Test-Cs* Diagnosis, joined
 * when wrapped): "ErrorCode=1046,Source=H,Reason=T,WinsockErrorCode=10060(...)".
 * Each ",Key=value" ends the value before it; Source is attribute "source",
 * Reason the event's reason, WinsockErrorCode attribute "WinsockFailureCode"
 * (the name explain.c refines a 1046 / 1047 by), any other key an attribute
 * of its own name.  @status (0: none) is the SIP status of the same result.
 * Returns the code, -1 if @p holds none (nothing emitted).
 */
static long diag_event(sf_logrd *rd, size_t pos, const char *p, size_t n, int status,
		       const tc_ctx *ctx)
{
	size_t i = 10;
	long code;
	sf_log_event *ev;

	if (n < 11 || !sf_lr_prefix_ci(p, n, "ErrorCode="))
		return -1;
	code = dec_at(p, n, &i);
	if (code < 0)
		return -1;
	ev = sf_lr_event(rd, SF_LOG_MSDIAG, pos);
	if (!ev)
		return code;
	ev->code = (int)code;
	if (status >= 400 && status <= 699)
		ev->sip_status = status;
	while (i < n && p[i] == ',') {
		size_t k = i + 1, ke = k, v, ve;

		while (ke < n && is_key((unsigned char)p[ke]))
			ke++;
		if (ke == k || ke >= n || p[ke] != '=')
			break;
		v = ke + 1;
		ve = next_key(p, v, n);
		if (ke - k == 6 && sf_lr_prefix_ci(p + k, 6, "Source"))
			sf_lr_attr(rd, ev, "source", 6, p + v, ve - v);
		else if (ke - k == 6 && sf_lr_prefix_ci(p + k, 6, "Reason"))
			sf_lr_set(rd, &ev->reason, p + v, ve - v);
		else if (ke - k == 16 && sf_lr_prefix_ci(p + k, 16, "WinsockErrorCode"))
			sf_lr_attr(rd, ev, "WinsockFailureCode", 18, p + v, ve - v);
		else
			sf_lr_attr(rd, ev, p + k, ke - k, p + v, ve - v);
		i = ve;
	}
	tc_attrs(rd, ev, ctx);
	sf_lr_emit(rd, ev);
	return code;
}

/* "ErrorCode=1034,Source=sip.contoso.example,Reason=..." (a Diagnosis line alone). */
static void line_errorcode(sf_logrd *rd, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	size_t h = find(b, bol, eol, "ErrorCode=");

	if (h >= eol || (h > bol && is_alnum((unsigned char)b[h - 1])))
		return;
	diag_event(rd, bol, b + h, eol - h, 0, NULL);
}

/*
 * Does the number at @i follow "HTTP/1.1 " (an HTTP status line), "HTTP ",
 * or "HTTP Error " / "HTTP status " / "HTTP code "?  Web responses
 * (Exchange, UCWA, autodiscover) are no SIP failures.
 */
static int after_http(const char *b, size_t bol, size_t i)
{
	int tok;

	for (tok = 0; tok < 2; tok++) {
		size_t e = i, s;

		while (e > bol && (b[e - 1] == ' ' || b[e - 1] == ':' || b[e - 1] == '('))
			e--;
		s = e;
		while (s > bol && b[s - 1] != ' ' && b[s - 1] != '\t')
			s--;
		if (e - s >= 4 && sf_lr_prefix_ci(b + s, e - s, "HTTP") &&
		    (e - s == 4 || b[s + 4] == '/'))
			return 1;
		if (!((e - s == 5 && sf_lr_prefix_ci(b + s, 5, "error")) ||
		      (e - s == 6 && sf_lr_prefix_ci(b + s, 6, "status")) ||
		      (e - s == 4 && sf_lr_prefix_ci(b + s, 4, "code"))))
			return 0;
		i = s;
	}
	return 0;
}

/* "504 Server time-out", "Error : 480, Temporarily Unavailable" (not after SIP/2.0 nor HTTP/1.1). */
static void line_phrase(sf_logrd *rd, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	size_t i, q, n_seen = 0;
	long seen[8];

	for (i = bol; i + 3 < eol; i++) {
		size_t j = i, k;
		long st;

		if (!is_digit((unsigned char)b[i]) || (i > bol && is_alnum((unsigned char)b[i - 1])))
			continue;
		st = dec_at(b, eol, &j);
		if (st < 400 || st > 699 || j - i != 3)
			continue;
		if (i >= bol + 8 && memcmp(b + i - 8, "SIP/2.0", 7) == 0)
			continue; /* the status line handler has it */
		if (after_http(b, bol, i))
			continue; /* "HTTP/1.1 403 Forbidden": a web response */
		while (j < eol && (b[j] == ' ' || b[j] == ',' || b[j] == ':' || b[j] == '-'))
			j++;
		for (k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
			size_t pl = strlen(phrases[k]);
			sf_log_event *ev;

			if (!sf_lr_prefix_ci(b + j, eol - j, phrases[k]) ||
			    (j + pl < eol && is_alnum((unsigned char)b[j + pl])))
				continue;
			for (q = 0; q < n_seen && seen[q] != st; q++)
				;
			if (q < n_seen)
				break; /* that status again in the same line */
			if (n_seen < sizeof(seen) / sizeof(seen[0]))
				seen[n_seen++] = st;
			ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, bol);
			if (!ev)
				return;
			ev->sip_status = (int)st;
			sf_lr_set(rd, &ev->reason, b + j, pl);
			sf_lr_set(rd, &ev->start_line, b + i, j + pl - i);
			sf_lr_emit(rd, ev);
			i = j + pl - 1; /* and on: a sentence may quote two responses */
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* PowerShell Test-Cs* results                                          */
/* ------------------------------------------------------------------ */

#define TC_LINES 64   /* lines of a record, and looked at before one */
#define TC_AHEAD 24   /* lines looked at after a transcript line for its record */
#define TC_SPAN 16384 /* bytes looked at after a hit */
#define TC_WIDTH 80   /* console width: a trimmed line this long was cut by the wrap */
#define TC_ERR 512    /* room for an Error value */

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* End of the line [@bol, @eol) without its CR and trailing blanks. */
static size_t trim_end(const char *b, size_t bol, size_t eol)
{
	while (eol > bol && (b[eol - 1] == '\r' || is_blank((unsigned char)b[eol - 1])))
		eol--;
	return eol;
}

/* End of the line [@bol, @eol) without its CR (blanks kept). */
static size_t raw_end(const char *b, size_t bol, size_t eol)
{
	while (eol > bol && b[eol - 1] == '\r')
		eol--;
	return eol;
}

/* Start of the line after the one at @bol, or @hi. */
static size_t next_bol(const sf_logrd *rd, size_t bol, size_t hi)
{
	size_t eol = sf_lr_eol(rd, bol, hi);

	return eol < hi ? eol + 1 : hi;
}

/*
 * A Format-List line "Name   : value" (trimmed end @e): a name of letters,
 * digits, blanks and '-' at column 0, at least one blank, ':', then a blank
 * or the end.  *ne: end of the name (blanks dropped); *val: value start.
 */
static int tc_kv(const char *b, size_t bol, size_t e, size_t *ne, size_t *val)
{
	size_t i = bol, lim = e - bol > 48 ? bol + 48 : e;

	if (i >= e || lower((unsigned char)b[i]) < 'a' || lower((unsigned char)b[i]) > 'z')
		return 0;
	while (i < lim && (is_alnum((unsigned char)b[i]) || b[i] == ' ' || b[i] == '-' ||
			   b[i] == '_'))
		i++;
	if (i >= e || b[i] != ':' || b[i - 1] != ' ' || (i + 1 < e && b[i + 1] != ' '))
		return 0;
	*ne = i;
	while (*ne > bol && b[*ne - 1] == ' ')
		(*ne)--;
	*val = i + 1 < e ? i + 2 : e;
	return 1;
}

/* A continuation line: indented, not blank. */
static int tc_cont(const char *b, size_t bol, size_t e)
{
	return e > bol && is_blank((unsigned char)b[bol]);
}

static int name_is(const char *b, size_t bol, size_t ne, const char *lit)
{
	return ne - bol == strlen(lit) && sf_lr_prefix_ci(b + bol, ne - bol, lit);
}

/* Field names a Test-Cs* result starts with. */
static int tc_target(const char *b, size_t bol, size_t ne)
{
	return name_is(b, bol, ne, "Target Fqdn") || name_is(b, bol, ne, "TargetFqdn") ||
	       name_is(b, bol, ne, "Target Uri") || name_is(b, bol, ne, "TargetUri");
}

static int tc_start(const char *b, size_t bol, size_t e)
{
	size_t ne, val;

	return tc_kv(b, bol, e, &ne, &val) && (tc_target(b, bol, ne) || name_is(b, bol, ne, "Result"));
}

/* "PS C:\> Test-Cs..." : 1 and the cmdlet's span. */
static int tc_prompt(const char *b, size_t bol, size_t e, sf_span *cmd)
{
	size_t i = bol, k;

	while (i < e && is_blank((unsigned char)b[i]))
		i++;
	if (e - i < 4 || memcmp(b + i, "PS ", 3) != 0)
		return 0;
	for (k = i + 3; k < e && k < i + 260 && b[k] != '>'; k++)
		;
	if (k >= e || b[k] != '>')
		return 0;
	k++;
	while (k < e && is_blank((unsigned char)b[k]))
		k++;
	if (!sf_lr_prefix_ci(b + k, e - k, "Test-Cs"))
		return 0;
	cmd->p = b + k;
	for (cmd->n = 0; k + cmd->n < e && !is_blank((unsigned char)b[k + cmd->n]); cmd->n++)
		;
	return 1;
}

/* The value of parameter @name ("-Domain") on a command line, quotes dropped. */
static void tc_param(const char *b, size_t bol, size_t e, const char *name, sf_span *out)
{
	size_t nl = strlen(name), i = bol, v;

	while ((i = find(b, i, e, name)) < e) {
		if (i > bol && is_blank((unsigned char)b[i - 1]) && i + nl < e &&
		    is_blank((unsigned char)b[i + nl]))
			break;
		i += nl;
	}
	if (i >= e)
		return;
	v = i + nl;
	while (v < e && is_blank((unsigned char)b[v]))
		v++;
	if (v < e && (b[v] == '"' || b[v] == '\''))
		v++;
	out->p = b + v;
	for (out->n = 0; v + out->n < e && !is_blank((unsigned char)b[v + out->n]) &&
			 b[v + out->n] != '"' && b[v + out->n] != '\'';
	     out->n++)
		;
}

/* A Test-Cs* result record (window positions). */
typedef struct tc_rec {
	size_t b, end;    /* its first line; the start of the line after it */
	size_t err, diag; /* the Error / Diagnosis line, or SIZE_MAX */
	int padded;       /* some line has blanks before its end (console padding) */
} tc_rec;

/* Reads the record whose first line (a start field) is at @s, up to @hi. */
static void tc_parse(const sf_logrd *rd, size_t s, size_t hi, tc_rec *r)
{
	const char *b = rd->buf;
	size_t bol = s, n = 0, ne, val;
	int have_result = 0;

	r->b = s;
	r->err = r->diag = SIZE_MAX;
	r->padded = 0;
	while (bol < hi && n < TC_LINES) {
		size_t eol = sf_lr_eol(rd, bol, hi), e = trim_end(b, bol, eol);

		if (e == bol)
			break; /* a blank line ends it */
		if (tc_kv(b, bol, e, &ne, &val)) {
			int res = name_is(b, bol, ne, "Result");

			if (n > 0 && (tc_target(b, bol, ne) || (res && have_result)))
				break; /* the next result */
			have_result |= res;
			if (name_is(b, bol, ne, "Error"))
				r->err = bol;
			else if (name_is(b, bol, ne, "Diagnosis"))
				r->diag = bol;
		} else if (n == 0 || !tc_cont(b, bol, e)) {
			break; /* anything else (a prompt) ends it */
		}
		if (raw_end(b, bol, eol) > e)
			r->padded = 1;
		n++;
		bol = eol < hi ? eol + 1 : hi;
	}
	r->end = bol;
}

/*
 * The value of the field at line @line of @r joined with its continuation
 * lines into @out (at most @cap - 1 bytes).  A line cut by the console
 * width ends in a non-blank in a padded record (or is TC_WIDTH columns or
 * more once trimmed): the next continues it without a blank ("...Failed to
 * co" + "nnect"); otherwise, or when the next is indented past the value
 * column, one blank joins them.
 */
static size_t tc_value(const sf_logrd *rd, const tc_rec *r, size_t line, char *out, size_t cap)
{
	const char *b = rd->buf;
	size_t eol = sf_lr_eol(rd, line, r->end), e = trim_end(b, line, eol), ne, val, n = 0, col;
	size_t bol;
	int cut;

	if (!tc_kv(b, line, e, &ne, &val) || cap == 0)
		return 0;
	col = val - line;
	n = e - val < cap - 1 ? e - val : cap - 1;
	memcpy(out, b + val, n);
	cut = raw_end(b, line, eol) == e && (r->padded || e - line >= TC_WIDTH);
	for (bol = eol < r->end ? eol + 1 : r->end; bol < r->end;) {
		size_t i = bol, m;

		eol = sf_lr_eol(rd, bol, r->end);
		e = trim_end(b, bol, eol);
		if (!tc_cont(b, bol, e))
			break;
		while (i < e && is_blank((unsigned char)b[i]))
			i++;
		if ((!cut || i - bol > col) && n > 0 && n < cap - 1)
			out[n++] = ' ';
		m = e - i < cap - 1 - n ? e - i : cap - 1 - n;
		memcpy(out + n, b + i, m);
		n += m;
		cut = raw_end(b, bol, eol) == e && (r->padded || e - bol >= TC_WIDTH);
		bol = eol < r->end ? eol + 1 : r->end;
	}
	out[n] = '\0';
	return n;
}

/*
 * The events of record @r (none with @dry); returns 1 if it has evidence: an
 * Error "NNN, Phrase" (SIP status 400-699) or a Diagnosis "ErrorCode=N".
 * One result is one failure: the Diagnosis (SF_LOG_MSDIAG, with the Error's
 * status) stands for the Error, except for the codes 1034-1036 ("previous
 * hop ... gave no diagnostic information"), whose Error is the peer's own
 * response and evidence of its own (a SF_LOG_SIP_RESPONSE as well).
 */
static int tc_emit(sf_logrd *rd, const tc_rec *r, const tc_ctx *ctx, int dry)
{
	char eb[TC_ERR];
	size_t n = 0, i = 0, j = 0, h = 0, dn = 0;
	long st = 0, code = -1;
	sf_log_event *ev;

	if (r->err != SIZE_MAX) {
		n = tc_value(rd, r, r->err, eb, sizeof(eb));
		while (i < n && is_blank((unsigned char)eb[i]))
			i++;
		j = i;
		st = dec_at(eb, n, &j);
		if (st < 400 || st > 699 || j - i != 3)
			st = 0;
	}
	if (r->diag != SIZE_MAX) {
		const char *t;

		dn = tc_value(rd, r, r->diag, rd->tmp, SF_LR_TMP);
		t = sf_lr_find_ci(rd->tmp, dn, "ErrorCode=");
		if (t && (t == rd->tmp || !is_alnum((unsigned char)t[-1]))) {
			h = (size_t)(t - rd->tmp) + 10;
			code = dec_at(rd->tmp, dn, &h);
			h = (size_t)(t - rd->tmp);
		}
	}
	if (st == 0 && code < 0)
		return 0;
	if (dry)
		return 1;
	if (st && (code < 0 || (code >= 1034 && code <= 1036))) {
		ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, r->err);
		if (ev) {
			ev->sip_status = (int)st;
			while (j < n && (eb[j] == ' ' || eb[j] == ',' || eb[j] == ':' || eb[j] == '-'))
				j++;
			if (j < n)
				sf_lr_set(rd, &ev->reason, eb + j, n - j);
			sf_lr_set(rd, &ev->start_line, eb + i, n - i);
			tc_attrs(rd, ev, ctx);
			sf_lr_emit(rd, ev);
		}
	}
	if (code >= 0)
		diag_event(rd, r->diag, rd->tmp + h, dn - h, (int)st, ctx);
	return 1;
}

/* Does the line look like the transcript of a Test-Cs* run (-Verbose)? */
static int tc_transcript(const char *b, size_t bol, size_t e)
{
	static const char *const lead[] = { "VERBOSE:", "WARNING:", "DEBUG:", "Received ",
					    "Sending ", "Response" };
	size_t k;

	while (bol < e && is_blank((unsigned char)b[bol]))
		bol++;
	for (k = 0; k < sizeof(lead) / sizeof(lead[0]); k++)
		if (sf_lr_prefix_ci(b + bol, e - bol, lead[k]))
			return 1;
	return 0;
}

enum { TC_NONE = 0, TC_IN = 1, TC_BEFORE = 2 };

/*
 * The Test-Cs* result the line [@bol, @eol) of hit @pos belongs to, into
 * *@r (and its command line into *@ctx): TC_IN when the line is one of its
 * fields or their continuations, TC_BEFORE when it is a transcript line of
 * the same run before it (a -Verbose "Received response: 504 ..."; with
 * @before only), TC_NONE when there is none or it has no evidence.
 */
static int tc_find(sf_logrd *rd, size_t pos, size_t bol, size_t eol, int before, tc_rec *r,
		   tc_ctx *ctx)
{
	const char *b = rd->buf;
	size_t s = rd->behind < GEN_BACK ? rd->behind : GEN_BACK, lo, hi, e, ne, val, top, k, p;
	int kind = TC_NONE;

	lo = pos > s ? pos - s : 0;
	if (sf_lr_rel(rd, rd->skip, &p) && p > lo && p <= bol)
		lo = p;
	hi = sf_lr_hi(rd, pos, TC_SPAN);
	e = trim_end(b, bol, eol);
	memset(ctx, 0, sizeof(*ctx));
	if (tc_kv(b, bol, e, &ne, &val) || tc_cont(b, bol, e)) {
		/* up to the first line of the fields, then the results from there */
		for (top = bol, k = 0; k < TC_LINES && top > lo; k++) {
			size_t pb = sf_lr_bol(rd, top - 1, lo), pe = trim_end(b, pb, top - 1);

			if (pe == pb || (pb == lo && lo > 0 && b[lo - 1] != '\n') ||
			    (!tc_kv(b, pb, pe, &ne, &val) && !tc_cont(b, pb, pe)))
				break;
			top = pb;
		}
		for (s = top, k = 0; s <= bol && k < TC_LINES; k++) {
			size_t se = trim_end(b, s, sf_lr_eol(rd, s, hi));

			if (!tc_start(b, s, se)) {
				s = next_bol(rd, s, hi);
				continue;
			}
			tc_parse(rd, s, hi, r);
			if (bol < r->end) {
				kind = TC_IN;
				break;
			}
			if (r->end <= s)
				break;
			s = r->end;
		}
	} else if (before && tc_transcript(b, bol, e)) {
		for (s = next_bol(rd, bol, hi), k = 0; s < hi && k < TC_AHEAD; k++) {
			size_t se = trim_end(b, s, sf_lr_eol(rd, s, hi));
			sf_span cmd;

			if (tc_prompt(b, s, se, &cmd))
				break;
			if (tc_kv(b, s, se, &ne, &val)) {
				if (tc_start(b, s, se)) {
					tc_parse(rd, s, hi, r);
					kind = TC_BEFORE;
				}
				break;
			}
			s = next_bol(rd, s, hi);
		}
	}
	if (kind == TC_NONE || !tc_emit(rd, r, NULL, 1))
		return TC_NONE;
	/* the command line: before the record, after any earlier record */
	for (top = r->b, k = 0; k < TC_AHEAD + 8 && top > lo; k++) {
		size_t pb = sf_lr_bol(rd, top - 1, lo), pe = trim_end(b, pb, top - 1);

		if (pb == lo && lo > 0 && b[lo - 1] != '\n')
			break;
		if (tc_prompt(b, pb, pe, &ctx->cmdlet)) {
			if (sf_lr_prefix_ci(ctx->cmdlet.p, ctx->cmdlet.n, "Test-CsFederatedPartner")) {
				tc_param(b, pb, pe, "-Domain", &ctx->domain);
				tc_param(b, pb, pe, "-ProxyFqdn", &ctx->peer);
			}
			break;
		}
		if (tc_kv(b, pb, pe, &ne, &val))
			break;
		top = pb;
	}
	return kind;
}

/* Reads the record found by tc_find and marks it read. */
static void tc_read(sf_logrd *rd, const tc_rec *r, const tc_ctx *ctx)
{
	tc_emit(rd, r, ctx, 0);
	sf_lr_consume(rd, r->end);
	if (sf_lr_abs(rd, r->end) > rd->gen_line)
		rd->gen_line = sf_lr_abs(rd, r->end);
}

static int gen_testcs(sf_logrd *rd, size_t pos, size_t bol, size_t eol)
{
	tc_rec r;
	tc_ctx ctx;

	if (tc_find(rd, pos, bol, eol, 0, &r, &ctx) != TC_IN)
		return 0;
	tc_read(rd, &r, &ctx);
	return 1;
}

/* Any phrase literal: the line around it is scanned once for every kind of phrase. */
void sf_generic_hit_line(sf_logrd *rd, size_t pos)
{
	size_t lo = pos > GEN_BACK ? pos - GEN_BACK : 0, bol, eol;
	tc_rec r;
	tc_ctx ctx;
	int kind;

	if (sf_lr_abs(rd, pos) < rd->gen_line)
		return;
	bol = sf_lr_bol(rd, pos, lo);
	eol = sf_lr_eol(rd, pos, sf_lr_hi(rd, pos, GEN_LINE));
	rd->gen_line = sf_lr_abs(rd, eol);
	while (eol > bol && (rd->buf[eol - 1] == '\r' || rd->buf[eol - 1] == ' '))
		eol--;
	kind = tc_find(rd, pos, bol, eol, 1, &r, &ctx);
	if (kind == TC_IN) {
		tc_read(rd, &r, &ctx);
		return;
	}
	if (kind == TC_NONE)
		line_errorcode(rd, bol, eol);
	line_q850(rd, bol, eol);
	sf_generic_tls(rd, NULL, bol, eol);
	if (kind == TC_NONE)
		line_phrase(rd, bol, eol);
	else
		tc_read(rd, &r, &ctx); /* the result stands for its transcript's responses */
}

static const sf_lit gen_lits[] = {
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "SIP/2.0", 0, gen_hit_status },
	SF_GENERIC_EVIDENCE_LITS,
};

const sf_reader sf_reader_generic = {
	.type = SF_LOGT_GENERIC,
	.lits = gen_lits,
	.n_lits = sizeof(gen_lits) / sizeof(gen_lits[0]),
	.mixed = 1,
};
