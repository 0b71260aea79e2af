/*
 * SIP messages in log text: the collector that rebuilds a clean message
 * from whatever the log or the paste did to it, the events a message gives
 * (ms-diagnostics, bare failure responses), and the reader of plain SIP
 * text and pasted documents ("sip").
 *
 * Plain text / pasted traces: messages anywhere in a text, one header a line
 * or flattened onto one line as text copied from a PDF:
 *
 *   SIP/2.0 504 Server time-out Authentication-Info: TLS-DSK qop="auth", ...
 *   targetname="fe.contoso.example", version=4 From: "Ann
 *   Lee"
 *   ms-diagnostics: 1009;
 *        reason="No match for domain in DNS SRV results";
 *        domain="
 *        video.fabrikam.example";source="sip.contoso.example" Server: RTC/6.0 Content-Length: 0
 *
 * Found from "SIP/2.0" (a status line, or the end of a request line) and
 * "ms-diagnostics": an ms-diagnostics header belongs to the last start line
 * before it when the message from there reaches it, else it is read on its
 * own with the headers after it.  Emits, per message (RFC 3261 §7):
 *   SF_LOG_MSDIAG per ms-diagnostics / ms-diagnostics-public header with a
 *     code (MS-SIPRE 2.2.3; code, reason, attrs = its parameters, hresult
 *     from HRESULT=, and the message's Call-ID, CSeq, From/To domains,
 *     Server, start line, status);
 *   SF_LOG_SIP_RESPONSE for a 408/480/503/504 response whose Server is
 *     "RTC/..." (Microsoft) and that has none (SPEC LOG-003).
 * The "sip" reader also reads the records of the other formats a pasted
 * document may hold: Expressway SIPMSG blocks and search lines, Edge
 * $$begin_record records, UccApiLog frame lines, "Event ID" / "Diagnostic
 * ID" text.
 */
#include "logs/reader.h"

#include <stdlib.h>
#include <string.h>

/* ---- character classes ---- */

static int is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

/* RFC 3261 §25.1 token characters. */
static int is_tokc(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

/*
 * Header names a flattened line is split at ("... 6DA00 ms-diagnostics: 1009;").
 * Only these: splitting at any "Word:" would cut prose and values.
 */
static const char *const known_hdrs[] = { "Accept",
					  "Allow",
					  "Allow-Events",
					  "Authentication-Info",
					  "Authorization",
					  "Call-ID",
					  "Contact",
					  "Content-Disposition",
					  "Content-Encoding",
					  "Content-Length",
					  "Content-Type",
					  "CSeq",
					  "Date",
					  "Event",
					  "Expires",
					  "From",
					  "History-Info",
					  "Max-Forwards",
					  "Min-SE",
					  "ms-asserted-verification-level",
					  "ms-client-diagnostics",
					  "ms-conversation-id",
					  "ms-diagnostics",
					  "ms-diagnostics-public",
					  "ms-edge-proxy-message-trust",
					  "ms-endpoint-location-data",
					  "ms-keep-alive",
					  "ms-split-domain-info",
					  "ms-telemetry-id",
					  "ms-trunking-peer",
					  "P-Asserted-Identity",
					  "P-Preferred-Identity",
					  "Priority",
					  "Proxy-Authenticate",
					  "Proxy-Authorization",
					  "Proxy-Require",
					  "Reason",
					  "Record-Route",
					  "Refer-To",
					  "Referred-By",
					  "Require",
					  "Retry-After",
					  "Route",
					  "Server",
					  "Session-Expires",
					  "Subject",
					  "Subscription-State",
					  "Supported",
					  "To",
					  "Unsupported",
					  "User-Agent",
					  "Via",
					  "Warning",
					  "WWW-Authenticate" };

/*
 * Length of the name when @p starts with "Name[WSP]:" followed by WSP or
 * the end of the content (a header line, RFC 3261 §7.3.1); 0 if not.  The
 * name starts with a letter (so "10.0.0.1:5061" and "sip:x" are no header).
 */
static size_t hdr_name_len(const char *p, size_t n)
{
	size_t i = 0, j;

	if (n == 0 || !is_alpha((unsigned char)p[0]))
		return 0;
	while (i < n && i < 80 && is_tokc((unsigned char)p[i]))
		i++;
	j = i;
	while (j < n && is_wsp((unsigned char)p[j]))
		j++;
	if (j >= n || p[j] != ':')
		return 0;
	if (j + 1 < n && !is_wsp((unsigned char)p[j + 1]) && p[j + 1] != '\r')
		return 0;
	return i;
}

/* Name length when @p starts with a known header line; 0 if not. */
static size_t known_label(const char *p, size_t n)
{
	size_t k, ln = hdr_name_len(p, n);

	if (ln == 0)
		return 0;
	for (k = 0; k < sizeof(known_hdrs) / sizeof(known_hdrs[0]); k++)
		if (strlen(known_hdrs[k]) == ln && sf_lr_prefix_ci(p, n, known_hdrs[k]))
			return ln;
	return 0;
}

int sf_sip_status_at(const char *p, size_t n)
{
	int st;

	/* "SIP/2.0 504", and "SIP/2.0_504" as some pastes have it */
	if (n < 11 || memcmp(p, "SIP/2.0", 7) != 0 || (p[7] != ' ' && p[7] != '_'))
		return 0;
	if (!is_digit((unsigned char)p[8]) || !is_digit((unsigned char)p[9]) ||
	    !is_digit((unsigned char)p[10]))
		return 0;
	if (n > 11 && !is_wsp((unsigned char)p[11]) && p[11] != '\r' && p[11] != '\n')
		return 0;
	st = (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
	return st >= 100 && st <= 699 ? st : 0;
}

int sf_sip_bare_status(int status)
{
	/* RFC 3261 §21.4.9 408, §21.4.18 480, §21.5.4 503, §21.5.5 504 */
	return status == 408 || status == 480 || status == 503 || status == 504;
}

/* "METHOD sip:uri SIP/2.0" filling the whole content (RFC 3261 §7.1). */
static int is_request_line(const char *p, size_t n)
{
	size_t i = 0, u;

	if (n < 14 || memcmp(p + n - 7, "SIP/2.0", 7) != 0 || !is_wsp((unsigned char)p[n - 8]))
		return 0;
	while (i < n && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	if (i < 3 || i >= n || !is_wsp((unsigned char)p[i]))
		return 0;
	while (i < n && is_wsp((unsigned char)p[i]))
		i++;
	u = i;
	return sf_lr_prefix_ci(p + u, n - u, "sip:") || sf_lr_prefix_ci(p + u, n - u, "sips:") ||
	       sf_lr_prefix_ci(p + u, n - u, "tel:");
}

static int is_start_line(const char *p, size_t n)
{
	return sf_sip_status_at(p, n) != 0 || is_request_line(p, n);
}

/* A markdown code fence ("```", "```text"): no content. */
static int is_fence(const char *p, size_t n)
{
	return n >= 3 && memcmp(p, "```", 3) == 0;
}

/* ------------------------------------------------------------------ */
/* The collector                                                        */
/* ------------------------------------------------------------------ */

typedef struct col {
	sf_logrd *rd;
	sf_msg *m;
	int quote;     /* inside a quoted string of the current logical line */
	int start_cur; /* the current logical line is the start line */
	int full;      /* the text or line limit was reached */
} col;

static int m_reserve(col *c, size_t add)
{
	sf_msg *m = c->m;
	size_t cap;
	char *t;

	if (m->len + add + 8 <= m->cap)
		return 0;
	if (m->len + add + 8 > SF_MSG_TEXT_MAX) {
		c->full = 1;
		return -1;
	}
	cap = m->cap ? m->cap : 4096;
	while (cap < m->len + add + 8)
		cap *= 2;
	if (cap > SF_MSG_TEXT_MAX)
		cap = SF_MSG_TEXT_MAX;
	t = realloc(m->text, cap);
	if (!t) {
		c->rd->st = SF_ENOMEM;
		c->full = 1;
		return -1;
	}
	m->text = t;
	m->cap = cap;
	return 0;
}

/* Appends @p[0..@n) to the text; what does not fit SF_MSG_TEXT_MAX is cut off. */
static void m_put(col *c, const char *p, size_t n)
{
	size_t room;

	if (c->full)
		return;
	room = SF_MSG_TEXT_MAX - 16 - c->m->len; /* len stays below the limit */
	if (n > room) {
		n = room;
		c->full = 1;
	}
	if (n == 0 || m_reserve(c, n) != 0)
		return;
	memcpy(c->m->text + c->m->len, p, n);
	c->m->len += n;
}

/* Starts a logical line whose first byte is at window position @raw. */
static void m_newline(col *c, size_t raw)
{
	sf_msg *m = c->m;

	if (c->full)
		return;
	if (m->n_ln >= SF_MSG_LINES_MAX) {
		c->full = 1;
		return;
	}
	if (m->n_ln == m->cap_ln) {
		size_t cap = m->cap_ln ? m->cap_ln * 2 : 64;
		sf_msgline *l = realloc(m->ln, cap * sizeof(*l));

		if (!l) {
			c->rd->st = SF_ENOMEM;
			c->full = 1;
			return;
		}
		m->ln = l;
		m->cap_ln = cap;
	}
	if (m->n_ln > 0)
		m_put(c, "\r\n", 2);
	if (c->full)
		return;
	m->ln[m->n_ln].off = m->len;
	m->ln[m->n_ln].len = 0;
	m->ln[m->n_ln].raw = raw;
	m->n_ln++;
}

/* Last byte of the text that is no blank, or 0. */
static char m_last(const col *c)
{
	size_t i = c->m->len;

	while (i > 0 && (c->m->text[i - 1] == ' ' || c->m->text[i - 1] == '\t'))
		i--;
	return i ? c->m->text[i - 1] : 0;
}

/*
 * Appends the content @p[0..@n) (at window position @raw) to the current
 * logical line, splitting it where a known header starts outside quotes.
 */
static void put_seg(col *c, const char *p, size_t n, size_t raw)
{
	size_t i = 0, s = 0;

	while (i < n) {
		unsigned char ch = (unsigned char)p[i];

		if (c->quote) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				c->quote = 0;
			i++;
			continue;
		}
		if (ch == '"') {
			c->quote = 1;
			i++;
			continue;
		}
		if (is_wsp(ch) && i + 1 < n && is_alpha((unsigned char)p[i + 1])) {
			size_t kl = known_label(p + i + 1, n - i - 1);

			if (kl) {
				size_t e = i;

				while (e > s && is_wsp((unsigned char)p[e - 1]))
					e--;
				m_put(c, p + s, e - s);
				m_newline(c, raw + i + 1);
				c->start_cur = 0;
				s = i + 1;
				i = s + kl;
				continue;
			}
		}
		i++;
	}
	m_put(c, p + s, n - s);
}

/* Is there a known header after a blank inside @p (outside quotes)? */
static int has_inner_label(const char *p, size_t n, int quote)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '"')
			quote = !quote;
		else if (!quote && is_wsp((unsigned char)p[i]) &&
			 is_alpha((unsigned char)p[i + 1]) && known_label(p + i + 1, n - i - 1))
			return 1;
	}
	return 0;
}

/* Does the current logical line hold a Content-Length header? */
static int cur_is_clen(const col *c)
{
	const sf_msgline *l;

	if (c->m->n_ln == 0)
		return 0;
	l = &c->m->ln[c->m->n_ln - 1];
	return sf_lr_prefix_ci(c->m->text + l->off, c->m->len - l->off, "Content-Length") ||
	       sf_lr_prefix_ci(c->m->text + l->off, c->m->len - l->off, "l:");
}

/*
 * After blank lines, does line @p go on with the headers?  Yes for a header
 * line, inside a quoted string, after a value that cannot end there
 * ("egress-", "1009;", "Server:"), for a flattened line holding a known
 * header, and in double-spaced text for a single word (a broken value).
 * Otherwise the blank line was the end of the headers.
 */
static int blank_continues(const col *c, const char *p, size_t n, int ds)
{
	char last = m_last(c);
	size_t i;

	if (hdr_name_len(p, n) || c->quote)
		return 1;
	if (last && strchr("-;,=:", last))
		return 1;
	if (has_inner_label(p, n, 0))
		return 1;
	if (!ds || cur_is_clen(c))
		return 0;
	for (i = 0; i < n; i++)
		if (is_wsp((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * 1: the line ends the message before it, 2: it ends it and belongs to it,
 * 0: no.  A start line always; else the stop lines of reader @fmt, or of
 * every reader of the table for a mixed one (pasted text).
 */
static int stop_line(const char *p, size_t n, const sf_reader *fmt)
{
	const sf_reader *r;
	size_t i;
	int k;

	if (is_start_line(p, n))
		return 1;
	if (!fmt->mixed)
		return fmt->stop ? fmt->stop(p, n) : 0;
	for (i = 0; (r = sf_reader_at(i)) != NULL; i++)
		if (r->stop && (k = r->stop(p, n)) != 0)
			return k;
	return 0;
}

/* Lines of @fmt's messages may start with '|' (of any reader's, for a mixed one). */
static int pipe_lines(const sf_reader *fmt)
{
	const sf_reader *r;
	size_t i;

	if (!fmt->mixed)
		return fmt->pipe;
	for (i = 0; (r = sf_reader_at(i)) != NULL; i++)
		if (r->pipe)
			return 1;
	return 0;
}

/* Adds one content line of the message (not the first). */
static void take_line(col *c, const char *p, size_t n, size_t raw)
{
	int hyph = m_last(c) == '-';
	size_t hl = hdr_name_len(p, n);

	if (!hyph && hl && (!c->quote || known_label(p, n))) {
		m_newline(c, raw);
		c->quote = 0;
		c->start_cur = 0;
		put_seg(c, p, n, raw);
		return;
	}
	/* a continuation: the start line is joined, a header folded (RFC 3261 §7.3.1) */
	if (c->start_cur) {
		if (!hyph)
			m_put(c, " ", 1);
	} else {
		m_put(c, "\r\n ", 3);
	}
	put_seg(c, p, n, raw);
}

int sf_msg_collect(sf_logrd *rd, size_t pos, size_t end, unsigned flags, const sf_reader *fmt)
{
	sf_msg *m = &rd->msg;
	const char *b = rd->buf;
	col c = { rd, m, 0, 0, 0 };
	size_t p = pos, nblank = 0, i;
	int first = 1, pipe_all = -1, ds = 0, pipe, escaped = 0;

	m->len = 0;
	m->n_ln = 0;
	m->has_start = 0;
	m->raw_end = pos;
	if (!fmt)
		fmt = &sf_reader_sip;
	pipe = pipe_lines(fmt);
	if (end > rd->len)
		end = rd->len;
	while (p < end && !c.full) {
		const char *nl = memchr(b + p, '\n', end - p), *esc;
		size_t le = nl ? (size_t)(nl - b) : end;
		size_t nx = nl ? le + 1 : end;
		size_t cs = p, ce = le;
		int sk;

		if (escaped && p > pos && b[p - 1] == '\n')
			break; /* a message written on one line with escapes ends with it */
		esc = memmem(b + p, le - p, "#012", 4);
		if (esc) {
			/* rsyslog's escaped line break ("#015#012"): the message goes on in the line */
			ce = le = (size_t)(esc - b);
			nx = le + 4;
			escaped = 1;
			if (ce >= p + 4 && memcmp(b + ce - 4, "#015", 4) == 0)
				ce -= 4;
		}

		while (cs < ce && is_wsp((unsigned char)b[cs]))
			cs++;
		while (ce > cs && (is_wsp((unsigned char)b[ce - 1]) || b[ce - 1] == '\r'))
			ce--;
		if (first) {
			if (cs == ce)
				return -1;
			m_newline(&c, cs);
			if (flags & SF_MC_START) {
				m->has_start = 1;
				c.start_cur = 1;
			}
			put_seg(&c, b + cs, ce - cs, cs);
			first = 0;
			m->raw_end = nx;
			p = nx;
			continue;
		}
		if (pipe && cs < ce && b[cs] == '|') {
			if (ce - cs == 1 && pipe_all != 1) {
				m->raw_end = nx; /* the '|' that closes an Expressway block */
				break;
			}
			if (pipe_all == -1)
				pipe_all = 1;
			cs++;
			while (cs < ce && is_wsp((unsigned char)b[cs]))
				cs++;
		}
		if (cs == ce || is_fence(b + cs, ce - cs)) {
			nblank++;
			p = nx;
			continue;
		}
		if (pipe_all == -1)
			pipe_all = 0;
		sk = stop_line(b + cs, ce - cs, fmt);
		if (sk) {
			if (sk == 2)
				m->raw_end = nx;
			break;
		}
		if (nblank) {
			if (!blank_continues(&c, b + cs, ce - cs, ds))
				break;
			ds = 1;
			nblank = 0;
		}
		take_line(&c, b + cs, ce - cs, cs);
		m->raw_end = nx;
		p = nx;
	}
	if (m->n_ln == 0)
		return -1;
	/* line lengths, then the empty line that ends the headers */
	for (i = 0; i < m->n_ln; i++) {
		size_t e = i + 1 < m->n_ln ? m->ln[i + 1].off - 2 : m->len;

		m->ln[i].len = e - m->ln[i].off;
	}
	c.full = 0;
	if (m_reserve(&c, 4) == 0) {
		memcpy(m->text + m->len, "\r\n\r\n", 4);
		m->len += 4;
	}
	/* "SIP/2.0_504" (a damaged paste) is read as "SIP/2.0 504" */
	if (m->has_start && m->ln[0].len > 8 && memcmp(m->text + m->ln[0].off, "SIP/2.0_", 8) == 0)
		m->text[m->ln[0].off + 7] = ' ';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Events of a message                                                  */
/* ------------------------------------------------------------------ */

/* Name and value of header line @i ("Name: value"); 0 if it has no ':'. */
static int line_hdr(const sf_msg *m, size_t i, sf_span *name, sf_span *value)
{
	const char *p = m->text + m->ln[i].off;
	size_t n = m->ln[i].len, k = 0, ne, vb;

	while (k < n && p[k] != ':')
		k++;
	if (k >= n)
		return 0;
	ne = k;
	while (ne > 0 && is_wsp((unsigned char)p[ne - 1]))
		ne--;
	vb = k + 1;
	while (vb < n && is_wsp((unsigned char)p[vb]))
		vb++;
	*name = (sf_span){ p, ne };
	*value = (sf_span){ p + vb, n - vb };
	return 1;
}

static int name_is(sf_span name, const char *lit)
{
	return name.n == strlen(lit) && sf_lr_prefix_ci(name.p, name.n, lit);
}

/* The first header @name (or its compact form) of the message. */
static sf_span msg_get(const sf_msg *m, const char *name, const char *compact)
{
	size_t i;
	sf_span n, v;

	for (i = m->has_start ? 1 : 0; i < m->n_ln; i++) {
		if (!line_hdr(m, i, &n, &v))
			continue;
		if (name_is(n, name) || (compact && name_is(n, compact)))
			return v;
	}
	return SF_SPAN_NULL;
}

/* Lower-case host of the SIP URI in header value @v into *dst. */
static void set_domain(sf_logrd *rd, char **dst, sf_span v)
{
	char host[256];
	size_t n;

	if (!v.p)
		return;
	n = sf_span_unfold(v, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	if (sf_sip_uri_host((sf_span){ rd->tmp, n }, host, sizeof(host)) == 0)
		sf_lr_set(rd, dst, host, strlen(host));
}

typedef struct msgfacts {
	int status, is_request;
	sf_span start, reason;
	sf_span call, cseq, from, to, pai, server;
} msgfacts;

static void fill_common(sf_logrd *rd, sf_log_event *ev, const msgfacts *f, const sf_msgctx *ctx)
{
	if (!ev)
		return;
	ev->sip_status = f->status;
	if (ctx && ctx->time)
		sf_lr_set(rd, &ev->time, ctx->time, ctx->time_n);
	sf_lr_set_unfold(rd, &ev->call_id, f->call);
	sf_lr_set_cseq(rd, &ev->cseq, f->cseq);
	set_domain(rd, &ev->from_domain, f->from);
	if (!ev->from_domain)
		set_domain(rd, &ev->from_domain, f->pai);
	set_domain(rd, &ev->to_domain, f->to);
	sf_lr_set_unfold(rd, &ev->server, f->server);
	if (f->start.p)
		sf_lr_set(rd, &ev->start_line, f->start.p, f->start.n);
}

void sf_msg_ids(sf_logrd *rd, sf_log_event *ev)
{
	const sf_msg *m = &rd->msg;

	if (!ev->call_id)
		sf_lr_set_unfold(rd, &ev->call_id, msg_get(m, "Call-ID", "i"));
	if (!ev->cseq)
		sf_lr_set_cseq(rd, &ev->cseq, msg_get(m, "CSeq", NULL));
	if (!ev->from_domain)
		set_domain(rd, &ev->from_domain, msg_get(m, "From", "f"));
	if (!ev->to_domain)
		set_domain(rd, &ev->to_domain, msg_get(m, "To", "t"));
	if (!ev->server)
		sf_lr_set_unfold(rd, &ev->server, msg_get(m, "Server", NULL));
}

static void add_ctx_attrs(sf_logrd *rd, sf_log_event *ev, const sf_msgctx *ctx)
{
	size_t i;

	for (i = 0; ctx && i < ctx->n_attrs; i++)
		sf_lr_attr(rd, ev, ctx->attrs[i].k, ctx->attrs[i].kn, ctx->attrs[i].v,
			   ctx->attrs[i].vn);
}

/*
 * Is a failure response without ms-diagnostics evidence?  A bare 408 / 480 /
 * 503 / 504 from Server: RTC/... (the Microsoft side) always; in pasted text
 * (ctx->pasted) a bare one from anyone, and any failure that names its cause
 * in a Reason or Warning header (not 401 / 407, the challenges of a normal
 * exchange, nor 487, a cancelled request).
 */
static int failure_evidence(const sf_msg *m, const msgfacts *f, const sf_msgctx *ctx)
{
	int rtc = f->server.p && sf_lr_prefix_ci(f->server.p, f->server.n, "RTC/");

	if (sf_sip_bare_status(f->status) && (rtc || (ctx && ctx->pasted)))
		return 1;
	if (!ctx || !ctx->pasted || f->status == 401 || f->status == 407 || f->status == 487)
		return 0;
	return msg_get(m, "Reason", NULL).p != NULL || msg_get(m, "Warning", NULL).p != NULL;
}

/*
 * The cause a response names besides ms-diagnostics, as attributes:
 * "Reason: Q.850;cause=34;text=..." (RFC 3326) gives Q.850-cause (and the
 * text as Q.850-text); "Warning: 399 agent \"text\"" (RFC 3261 §20.43) gives
 * Warning, Warning-code, Warning-agent, Warning-text.
 */
static void add_reason_warning(sf_logrd *rd, sf_log_event *ev, const sf_msg *m)
{
	sf_span r = msg_get(m, "Reason", NULL), w = msg_get(m, "Warning", NULL), t;
	const char *c;

	if (r.p && sf_lr_prefix_ci(r.p, r.n, "Q.850") &&
	    (c = sf_lr_find_ci(r.p, r.n, "cause=")) != NULL) {
		size_t i = (size_t)(c - r.p) + 6, s = i;

		while (i < r.n && is_digit((unsigned char)r.p[i]) && i - s < 3)
			i++;
		if (i > s)
			sf_lr_attr(rd, ev, "Q.850-cause", 11, r.p + s, i - s);
		if (sf_lr_kv(r.p, r.n, "text", &t) && t.n)
			sf_lr_attr(rd, ev, "Q.850-text", 10, t.p, t.n);
	}
	if (w.p && w.n >= 3 && is_digit((unsigned char)w.p[0]) && is_digit((unsigned char)w.p[1]) &&
	    is_digit((unsigned char)w.p[2])) {
		size_t a = 3, e;

		sf_lr_attr(rd, ev, "Warning", 7, w.p, w.n);
		sf_lr_attr(rd, ev, "Warning-code", 12, w.p, 3);
		while (a < w.n && is_wsp((unsigned char)w.p[a]))
			a++;
		for (e = a; e < w.n && !is_wsp((unsigned char)w.p[e]) && w.p[e] != '"'; e++)
			;
		if (e > a)
			sf_lr_attr(rd, ev, "Warning-agent", 13, w.p + a, e - a);
		while (e < w.n && w.p[e] != '"')
			e++;
		if (e < w.n) {
			size_t z = ++e;

			while (z < w.n && w.p[z] != '"')
				z++;
			if (z > e)
				sf_lr_attr(rd, ev, "Warning-text", 12, w.p + e, z - e);
		}
	}
}

void sf_msg_emit(sf_logrd *rd, const sf_msgctx *ctx)
{
	sf_msg *m = &rd->msg;
	msgfacts f;
	size_t i, n_diag = 0;

	if ((ctx && ctx->drop) || m->n_ln == 0 || rd->st != SF_OK)
		return;
	memset(&f, 0, sizeof(f));
	if (m->has_start) {
		sf_sip_header hv[4];
		sf_sip_msg sm;

		f.start = (sf_span){ m->text + m->ln[0].off, m->ln[0].len };
		memset(&sm, 0, sizeof(sm));
		if (sf_sip_parse(m->text, m->len, hv, 4, 0, &sm) == 0) {
			f.is_request = sm.is_request;
			f.status = sm.is_request ? 0 : sm.status;
			f.reason = sm.reason;
		}
	}
	f.call = msg_get(m, "Call-ID", "i");
	f.cseq = msg_get(m, "CSeq", NULL);
	f.from = msg_get(m, "From", "f");
	f.to = msg_get(m, "To", "t");
	f.pai = msg_get(m, "P-Asserted-Identity", NULL);
	f.server = msg_get(m, "Server", NULL);
	if (!f.server.p)
		f.server = msg_get(m, "User-Agent", NULL);

	for (i = m->has_start ? 1 : 0; i < m->n_ln && !rd->stop && rd->st == SF_OK; i++) {
		sf_span name, value;
		sf_msdiag d;
		sf_log_event *ev;
		size_t k;

		if (!line_hdr(m, i, &name, &value) ||
		    !(name_is(name, "ms-diagnostics") || name_is(name, "ms-diagnostics-public")))
			continue;
		if (sf_msdiag_parse(value, &d) != 0 || d.code < 0)
			continue;
		n_diag++;
		ev = sf_lr_event(rd, SF_LOG_MSDIAG, m->ln[i].raw);
		if (!ev)
			return;
		ev->code = d.code;
		fill_common(rd, ev, &f, ctx);
		if (d.reason.p)
			sf_lr_set_unfold(rd, &ev->reason, d.reason);
		for (k = 0; k < d.n_params; k++) {
			char key[16];
			size_t kn = sf_span_unfold(d.params[k].key, key, sizeof(key));

			sf_lr_attr_unfold(rd, ev, d.params[k].key, d.params[k].value);
			if (kn == 7 && sf_lr_prefix_ci(key, kn, "HRESULT") && !ev->hresult) {
				size_t vn = sf_span_unfold(d.params[k].value, rd->tmp, SF_LR_TMP);

				sf_lr_set_hex(rd, &ev->hresult, rd->tmp,
					      vn < SF_LR_TMP ? vn : SF_LR_TMP - 1);
			}
		}
		add_ctx_attrs(rd, ev, ctx);
		sf_lr_emit(rd, ev);
	}
	if (n_diag == 0 && !f.is_request && f.status >= 400 && !rd->stop && failure_evidence(m, &f, ctx)) {
		sf_log_event *ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, m->ln[0].raw);
		const char *wt;

		if (!ev)
			return;
		fill_common(rd, ev, &f, ctx);
		add_reason_warning(rd, ev, m);
		/* the reason: what the Warning says, else the reason phrase */
		wt = sf_log_event_attr(ev, "Warning-text");
		if (wt)
			sf_lr_set(rd, &ev->reason, wt, strlen(wt));
		else if (f.reason.p)
			sf_lr_set(rd, &ev->reason, f.reason.p, f.reason.n);
		add_ctx_attrs(rd, ev, ctx);
		sf_lr_emit(rd, ev);
	}
}

/* ------------------------------------------------------------------ */
/* Hits                                                                 */
/* ------------------------------------------------------------------ */


void sf_msgctx_init(sf_msgctx *ctx)
{
	ctx->time = NULL;
	ctx->time_n = 0;
	ctx->n_attrs = 0;
	ctx->drop = 0;
	ctx->pasted = 0;
	ctx->used = 0;
}

/* Reads the message whose start line is at @start (free text). */
static void read_message(sf_logrd *rd, size_t start)
{
	sf_msgctx ctx;

	if (sf_lr_abs(rd, start) == rd->last_start)
		rd->last_start = SF_LR_NONE;
	if (sf_msg_collect(rd, start, sf_lr_hi(rd, start, rd->maxrec), SF_MC_START, rd->reader) !=
	    0)
		return;
	sf_lr_consume(rd, rd->msg.raw_end);
	sf_msgctx_init(&ctx);
	ctx.pasted = rd->reader->mixed;
	if (rd->reader->frame)
		rd->reader->frame(rd, start, &ctx); /* a pasted client trace has its frame lines too */
	sf_msg_emit(rd, &ctx);
}

void sf_siptext_hit_sip20(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t n = rd->len - pos, i, lo, ue, ub, me, mb;
	int st;

	if (pos > 0 && is_alnum((unsigned char)b[pos - 1]) &&
	    !(pos >= 4 && memcmp(b + pos - 4, "#012", 4) == 0)) /* rsyslog's escaped LF */
		return;
	st = sf_sip_status_at(b + pos, n);
	if (st) {
		if (sf_lr_abs(rd, pos) == rd->cont_msg)
			return; /* the start line of a SIPMSG block seen already */
		/* pasted text: any failure response may be the evidence (sf_msg_emit) */
		if (sf_sip_bare_status(st) || (st >= 400 && rd->reader->mixed))
			read_message(rd, pos);
		else
			rd->last_start = sf_lr_abs(rd, pos);
		return;
	}
	/* the end of a request line?  "SIP/2.0" then the end of the line or a header */
	i = pos + 7;
	if (i < rd->len && b[i] == '/')
		return; /* a Via */
	while (i < rd->len && is_wsp((unsigned char)b[i]))
		i++;
	if (i < rd->len && b[i] != '\r' && b[i] != '\n' &&
	    !(i > pos + 7 && known_label(b + i, rd->len - i)))
		return;
	/* back over "METHOD SP Request-URI SP" (RFC 3261 §7.1) */
	lo = sf_lr_lo(rd, pos, 2048);
	i = pos;
	while (i > lo && is_wsp((unsigned char)b[i - 1]))
		i--;
	if (i == pos)
		return;
	ue = i;
	while (i > lo && !is_wsp((unsigned char)b[i - 1]) && b[i - 1] != '\n')
		i--;
	ub = i;
	if (ub == ue || !(sf_lr_prefix_ci(b + ub, ue - ub, "sip:") ||
			  sf_lr_prefix_ci(b + ub, ue - ub, "sips:") ||
			  sf_lr_prefix_ci(b + ub, ue - ub, "tel:")))
		return;
	while (i > lo && is_wsp((unsigned char)b[i - 1]))
		i--;
	me = i;
	while (i > lo && b[i - 1] >= 'A' && b[i - 1] <= 'Z')
		i--;
	mb = i;
	if (me - mb < 3 || me == ub || (mb > 0 && is_alnum((unsigned char)b[mb - 1])))
		return;
	if (sf_lr_abs(rd, mb) == rd->cont_msg)
		return;
	rd->last_start = sf_lr_abs(rd, mb);
}

void sf_siptext_hit_msdiag(sf_logrd *rd, size_t dpos)
{
	const char *b = rd->buf;
	size_t p = dpos + 11, c1 = 0, c2 = 0, pos = dpos, k = 0;
	int h1, h2;
	sf_msgctx ctx;

	/* "diagnostics" of "ms-diagnostics", maybe "ms-" then a line break */
	while (pos > 0 &&
	       (b[pos - 1] == ' ' || b[pos - 1] == '\t' || b[pos - 1] == '\r' ||
		b[pos - 1] == '\n') &&
	       k < 16) {
		pos--;
		k++;
	}
	if (k && !memchr(b + pos, '\n', k))
		return;
	if (pos < 3 || !sf_lr_prefix_ci(b + pos - 3, 3, "ms-"))
		return;
	pos -= 3;
	/* a header: "ms-diagnostics[-public] :" after a blank, '|', '"' or a line start */
	if (pos > 0 && !(is_wsp((unsigned char)b[pos - 1]) || b[pos - 1] == '\n' ||
			 b[pos - 1] == '|' || b[pos - 1] == '\r' || b[pos - 1] == '"') &&
	    !(pos >= 4 && memcmp(b + pos - 4, "#012", 4) == 0)) /* rsyslog's escaped LF */
		return;
	if (sf_lr_prefix_ci(b + p, rd->len - p, "-public"))
		p += 7;
	while (p < rd->len && is_wsp((unsigned char)b[p]))
		p++;
	if (p >= rd->len || b[p] != ':')
		return;
	/* the message it belongs to: the latest container or start line not read yet */
	h1 = sf_lr_rel(rd, rd->cont, &c1) && rd->cont >= rd->skip && c1 < pos;
	h2 = sf_lr_rel(rd, rd->last_start, &c2) && rd->last_start >= rd->skip && c2 < pos;
	if (h1 && (!h2 || c1 > c2)) {
		rd->cont_read(rd, c1);
	} else if (h2) {
		read_message(rd, c2);
	}
	if (rd->skip > sf_lr_abs(rd, pos) || rd->stop || rd->st != SF_OK)
		return;
	/* on its own: the header and the ones after it */
	if (sf_msg_collect(rd, pos, sf_lr_hi(rd, pos, rd->maxrec), 0, rd->reader) != 0)
		return;
	sf_lr_consume(rd, rd->msg.raw_end);
	sf_msgctx_init(&ctx);
	sf_msg_emit(rd, &ctx);
}

/* ------------------------------------------------------------------ */
/* The reader of plain SIP text and pasted documents                    */
/* ------------------------------------------------------------------ */

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
	if (e - i > 8 && memcmp(p + e - 7, "SIP/2.0", 7) == 0 && p[i] >= 'A' && p[i] <= 'Z' &&
	    memmem(p + i, e - i, " sip:", 5))
		return 1;
	return sf_lr_prefix_ci(p + i, e - i, "ms-diagnostics");
}

static int sip_detect(const char *b, size_t n)
{
	return sf_detect_any_line(b, n, is_sip_line, 0) ? SF_DETECT_WEAK : SF_DETECT_NO;
}

/*
 * Every kind of record: a pasted document mixes them; and the generic
 * scanner's evidence in the prose around them (generic.c: result codes,
 * Test-Cs* diagnoses, Q.850 causes, TLS failures, "480 Temporarily
 * Unavailable" in a sentence).  Messages read are consumed, so a phrase
 * inside one is not found twice.
 */
static const sf_lit sip_lits[] = {
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "SIP/2.0", 0, sf_siptext_hit_sip20 },
	{ "SIPMSG", 0, sf_xw_hit_sipmsg },
	{ "$$begin_record", 0, sf_edge_hit_begin },
	{ "ID", 0, sf_event_hit },
	{ "Completed\"", 0, sf_xw_hit_search },
	SF_GENERIC_EVIDENCE_LITS,
};

const sf_reader sf_reader_sip = {
	.type = SF_LOGT_SIP,
	.detect = sip_detect,
	.lits = sip_lits,
	.n_lits = sizeof(sip_lits) / sizeof(sip_lits[0]),
	.frame = sf_ucc_frame,
	.mixed = 1,
};
