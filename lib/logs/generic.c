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
 *                                    OpenSSL-reason, SChannel-error-state
 * The knowledge base explains each by its number (explain.c).
 */
#include "logs/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_BACK 4096   /* how far back a line start is looked for */
#define GEN_LINE 16384  /* longest line examined */
#define GEN_MSG 8192    /* how far a status line's message is searched for ms-diagnostics */

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
 * TLS evidence of one line: every attribute found, added to @into (returns 1),
 * or without @into emitted as one new event.  Returns 0 if none was found.
 */
int sf_generic_tls(sf_logrd *rd, sf_log_event *into, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	long alert = -1, verify = -1, state = -1;
	const char *reason = NULL, *aname = NULL;
	size_t i, k, h;
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
	if (state >= 0)
		add_num(rd, ev, "SChannel-error-state", state);
	if (into)
		return 1;
	sf_lr_set(rd, &ev->reason, b + bol, eol - bol);
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

/* "ErrorCode=1034,Source=sip.contoso.example,Reason=..." (Test-Cs* Diagnosis). */
static void line_errorcode(sf_logrd *rd, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	size_t h = find(b, bol, eol, "ErrorCode="), i;
	long code;
	sf_span v;
	sf_log_event *ev;

	if (h >= eol || (h > bol && is_alnum((unsigned char)b[h - 1])))
		return;
	i = h + 10;
	code = dec_at(b, eol, &i);
	if (code < 0)
		return;
	ev = sf_lr_event(rd, SF_LOG_MSDIAG, bol);
	if (!ev)
		return;
	ev->code = (int)code;
	if (sf_lr_kv(b + i, eol - i, "Source", &v) && v.n)
		sf_lr_attr(rd, ev, "source", 6, v.p, v.n);
	h = find(b, i, eol, "Reason=");
	if (h < eol)
		sf_lr_set(rd, &ev->reason, b + h + 7, eol - h - 7);
	sf_lr_emit(rd, ev);
}

/* "504 Server time-out", "Error : 480, Temporarily Unavailable" (not after SIP/2.0). */
static void line_phrase(sf_logrd *rd, size_t bol, size_t eol)
{
	const char *b = rd->buf;
	size_t i;

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
		while (j < eol && (b[j] == ' ' || b[j] == ',' || b[j] == ':' || b[j] == '-'))
			j++;
		for (k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
			size_t pl = strlen(phrases[k]);
			sf_log_event *ev;

			if (!sf_lr_prefix_ci(b + j, eol - j, phrases[k]) ||
			    (j + pl < eol && is_alnum((unsigned char)b[j + pl])))
				continue;
			ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, bol);
			if (!ev)
				return;
			ev->sip_status = (int)st;
			sf_lr_set(rd, &ev->reason, b + j, pl);
			sf_lr_set(rd, &ev->start_line, b + i, j + pl - i);
			sf_lr_emit(rd, ev);
			return;
		}
	}
}

/* Any phrase literal: the line around it is scanned once for every kind of phrase. */
void sf_generic_hit_line(sf_logrd *rd, size_t pos)
{
	size_t lo = pos > GEN_BACK ? pos - GEN_BACK : 0, bol, eol;

	if (sf_lr_abs(rd, pos) < rd->gen_line)
		return;
	bol = sf_lr_bol(rd, pos, lo);
	eol = sf_lr_eol(rd, pos, sf_lr_hi(rd, pos, GEN_LINE));
	rd->gen_line = sf_lr_abs(rd, eol);
	while (eol > bol && (rd->buf[eol - 1] == '\r' || rd->buf[eol - 1] == ' '))
		eol--;
	line_errorcode(rd, bol, eol);
	line_q850(rd, bol, eol);
	sf_generic_tls(rd, NULL, bol, eol);
	line_phrase(rd, bol, eol);
}

static const sf_lit gen_lits[] = {
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "SIP/2.0", 0, gen_hit_status },
	{ "0x", SF_MSCAN_CI, sf_generic_hit_code },
	{ "ErrorCode=", SF_MSCAN_CI, sf_generic_hit_line },
	{ "Q.850", SF_MSCAN_CI, sf_generic_hit_line },
	{ "alert", SF_MSCAN_CI, sf_generic_hit_line },
	{ "certificate", SF_MSCAN_CI, sf_generic_hit_line },
	{ "verify", SF_MSCAN_CI, sf_generic_hit_line },
	{ "version number", SF_MSCAN_CI, sf_generic_hit_line },
	{ "cipher", SF_MSCAN_CI, sf_generic_hit_line },
	{ "time-out", SF_MSCAN_CI, sf_generic_hit_line },
	{ "Unavailable", SF_MSCAN_CI, sf_generic_hit_line },
	{ "Forbidden", SF_MSCAN_CI, sf_generic_hit_line },
	{ "Not Found", SF_MSCAN_CI, sf_generic_hit_line },
	{ "protocol", SF_MSCAN_CI, sf_generic_hit_line },
	{ "Timeout", SF_MSCAN_CI, sf_generic_hit_line },
};

const sf_reader sf_reader_generic = {
	.type = SF_LOGT_GENERIC,
	.lits = gen_lits,
	.n_lits = sizeof(gen_lits) / sizeof(gen_lits[0]),
	.mixed = 1,
};
