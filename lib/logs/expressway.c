/*
 * Cisco Expressway / VCS diagnostic logs (SPEC LOG-003).
 *
 * A SIP message is logged as a syslog line of module network.sip, "SIPMSG:"
 * and the message, its start line prefixed with '|' and a lone '|' after it
 * (some exports prefix every line with '|'; pastes indent them and break
 * long Via values):
 *
 *   2026-11-23T10:20:30.240+01:00 expe tvcs: UTCTime="2026-11-23 09:20:30,240"
 *     Module="network.sip" Level="DEBUG":  Action="Received" Local-ip="198.51.100.20"
 *     Local-port="25002" Src-ip="203.0.113.6" Src-port="5061" Msg-Hash="1370..."
 *   SIPMSG:
 *   |SIP/2.0 504 Server time-out
 *   Via: SIP/2.0/TLS 198.51.100.20:5061;egress-zone=DNSZone1;branch=...
 *   Call-ID: 5b9e...
 *   CSeq: 2066245576 INVITE
 *   From: "Ann Lee" <sip:ann@video.fabrikam.example>;tag=9fea
 *   To: <sip:bob@contoso.example>;tag=C65A
 *   Server: RTC/6.0
 *   Content-Length: 0
 *
 *   |
 *
 * Per block: the events of sf_msg_emit (ms-diagnostics headers; a bare
 * 408/480/503/504 from Server: RTC/...), with time = the syslog line's
 * timestamp and attrs + Module, Action, Local-ip, Local-port, Src-ip,
 * Src-port, Dst-ip, Dst-port.  Blocks with Action="Sent" give nothing: they
 * are the same response relayed on to the caller, already counted when it
 * was received.  Only blocks whose start line is such a failure, or that
 * hold "ms-diagnostics", are parsed at all (the scanner finds both).
 *
 * Search history lines (this format is our reading of the Expressway
 * "Search Completed" event; Status > Search history shows the same
 * fields):
 *
 *   2026-11-23T10:20:30.250+01:00 expe tvcs: UTCTime="..." Module="network.search"
 *     Level="INFO": Event="Search Completed" Reason="Server Time-out" Service="SIP"
 *     Src-alias-type="SIP" Src-alias="sip:ann@video.fabrikam.example" Dst-alias-type="SIP"
 *     Dst-alias="sip:bob@contoso.example" Call-serial-number="..." Tag="..."
 *     Detail="found:false, searchtype:INVITE, Info:504 Server time-out (Microsoft peer)"
 *
 * A search line whose Reason (or, without Reason, whose Detail) says
 * "time-out", "timeout" or "504" gives SF_LOG_SIP_RESPONSE with sip_status
 * 504, reason = Reason, from/to domain = the hosts of Src-alias/Dst-alias,
 * attrs Reason, Service, Src-alias, Dst-alias, Call-serial-number, Tag, Detail.
 * A search line with any other Reason but "OK" ("Not Found", "Forbidden")
 * gives an event line (below).
 *
 * Event lines (issue 11; X14 event-log syntax):
 *
 *   2026-11-23T10:00:00.123+01:00 vcse tvcs: UTCTime="2026-11-23 09:00:00,123"
 *     Module="network.tls" Level="ERROR" Event="TLS Negotiation Error" ... Detail="..."
 *   ... Module="network.callcontrol" ... Event="Call Rejected" ... Response-code="504"
 *   ... Module="network.tcp" ... Detail="TCP Connection Failed"
 *   ... Module="network.sip" ... Detail="Sending Response Code=504, Method=INVITE, ..."
 *
 * each give one SF_LOG_EVENT: time, the key="value" fields as attrs
 * (Module, Event, Reason, Service, Protocol, Src-/Dst-ip and port,
 * Src-/Dst-alias, Response-code, Call-serial-number, Detail), reason =
 * Reason else Detail, sip_status = Response-code or the code sent (4xx-6xx
 * only; "Receive Response Code=" lines repeat the SIPMSG block after them
 * and give nothing), from/to domain = the alias hosts, and the generic
 * scanner's TLS evidence of the line (TLS-alert, X509-verify-error,
 * OpenSSL-reason: explained as TLS / CERT checks).  A 504 is explained as
 * LOG-003's bare 504 from the Microsoft side.
 *
 * A SIPMSG block of a 4xx-6xx response without ms-diagnostics whose
 * "Warning: 399 <agent> \"text\"" header stands in for it gives one
 * SF_LOG_EVENT on the Warning line: sip_status of the block, attrs of its
 * syslog line + Warning, Warning-code, Warning-agent, Warning-text (the
 * reason).
 *
 * The scanner looks for the event lines by "Negotiation Error",
 * "Connection Failed", "Response-code=" and "Response Code=4" (5, 6): the
 * first digit in the literal keeps the many successful responses out of the
 * candidates.
 */
#include "logs/reader.h"

#include <string.h>

#define XW_HEADER_BACK 4096 /* how far before SIPMSG its syslog line may start */
#define XW_HEADER_LINES 12

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* "2026-11-23T10:20:30" (or with a space for T) at @p. */
static int is_iso_stamp(const char *p, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd:dd";
	size_t i;

	if (n < sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd') {
			if (!is_digit((unsigned char)p[i]))
				return 0;
		} else if (pat[i] == 'T') {
			if (p[i] != 'T' && p[i] != ' ')
				return 0;
		} else if (p[i] != pat[i]) {
			return 0;
		}
	}
	return 1;
}

/* A syslog header line of the Expressway (not the SIPMSG marker). */
static int is_syslog_line(const char *p, size_t n)
{
	return is_iso_stamp(p, n) || memmem(p, n < 120 ? n : 120, "tvcs:", 5) != NULL;
}

int sf_xw_is_header(const char *p, size_t n)
{
	return is_syslog_line(p, n) || (n >= 6 && memcmp(p, "SIPMSG", 6) == 0);
}

/* Keys of the syslog line kept as attributes, in this order. */
static const char *const xw_keys[] = {
	"Module", "Action", "Local-ip", "Local-port", "Src-ip", "Src-port", "Dst-ip", "Dst-port",
};

/* Time ("2026-11-23T10:20:30.240+01:00", else UTCTime) of the unfolded header text @t. */
static void header_time(sf_msgctx *ctx, const char *t, size_t n)
{
	sf_span v;
	size_t i = 0;

	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	if (is_iso_stamp(t + i, n - i)) {
		size_t e = i;

		while (e < n && t[e] != ' ' && t[e] != '\t')
			e++;
		v = (sf_span){ t + i, e - i };
	} else if (!sf_lr_kv(t, n, "UTCTime", &v)) {
		return;
	}
	if (ctx->used + v.n + 1 <= SF_MSGCTX_STORE) {
		memcpy(ctx->store + ctx->used, v.p, v.n);
		ctx->time = ctx->store + ctx->used;
		ctx->time_n = v.n;
		ctx->used += v.n + 1;
	}
}

/*
 * Start of the syslog line holding (or, broken by a paste, leading to)
 * window position @pos, looking at most XW_HEADER_LINES lines back; SIZE_MAX
 * if there is none.
 */
static size_t syslog_start(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t lo = sf_lr_lo(rd, pos, XW_HEADER_BACK), cur, k;

	cur = sf_lr_bol(rd, pos, lo);
	for (k = 0; k < XW_HEADER_LINES; k++) {
		size_t cs = cur, e = sf_lr_eol(rd, cur, pos);

		while (cs < e && (b[cs] == ' ' || b[cs] == '\t'))
			cs++;
		if (is_syslog_line(b + cs, e - cs))
			return cs;
		if (cur <= lo)
			break;
		cur = sf_lr_bol(rd, cur - 1, lo);
	}
	return SIZE_MAX;
}

/*
 * The syslog line before the SIPMSG at @pos (possibly broken over several
 * lines): time and attributes into @ctx, drop for Action="Sent".
 */
static void block_header(sf_logrd *rd, size_t pos, sf_msgctx *ctx)
{
	const char *b = rd->buf;
	size_t hs = syslog_start(rd, pos), n, k;
	sf_span v;

	if (hs == SIZE_MAX)
		return;
	n = sf_span_unfold((sf_span){ b + hs, pos - hs }, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	header_time(ctx, rd->tmp, n);
	for (k = 0; k < sizeof(xw_keys) / sizeof(xw_keys[0]); k++)
		if (sf_lr_kv(rd->tmp, n, xw_keys[k], &v))
			sf_msgctx_add(ctx, xw_keys[k], v, 0);
	if (sf_lr_kv(rd->tmp, n, "Action", &v) && v.n == 4 && sf_lr_prefix_ci(v.p, v.n, "Sent"))
		ctx->drop = 1;
}

void sf_xw_block(sf_logrd *rd, size_t pos, size_t msgpos)
{
	sf_msgctx ctx;

	if (rd->cont != SF_LR_NONE && rd->cont == sf_lr_abs(rd, pos)) {
		rd->cont = SF_LR_NONE;
		rd->cont_msg = SF_LR_NONE;
	}
	sf_msgctx_init(&ctx);
	block_header(rd, pos, &ctx);
	if (sf_msg_collect(rd, msgpos, sf_lr_hi(rd, msgpos, rd->maxrec), SF_MC_START,
			   &sf_reader_expressway) != 0) {
		sf_lr_consume(rd, msgpos);
		return;
	}
	sf_lr_consume(rd, rd->msg.raw_end);
	sf_msg_emit(rd, &ctx);
}

/* Reads the SIPMSG block kept for later at @pos (an ms-diagnostics header turned up). */
static void xw_cont(sf_logrd *rd, size_t pos)
{
	size_t mp;

	if (!sf_lr_rel(rd, rd->cont_msg, &mp))
		mp = pos + 6;
	sf_xw_block(rd, pos, mp);
}

static void xw_hit_warning(sf_logrd *rd, size_t pos, int have_msg);

/*
 * A failure response's SIPMSG block (start line at @p) without
 * ms-diagnostics: its "Warning: 399 <agent> \"text\"" header, if any, is
 * the evidence (the Expressway writes it in place of ms-diagnostics).
 */
static void block_warning(sf_logrd *rd, size_t p)
{
	const char *b = rd->buf;
	size_t hi = sf_lr_hi(rd, p, 16384), cur = sf_lr_eol(rd, p, hi), warn = SIZE_MAX, k;

	for (k = 0; k < SF_MSG_LINES_MAX && cur < hi; k++) {
		size_t cs = cur + 1, e = sf_lr_eol(rd, cs, hi);

		while (cs < e && (b[cs] == ' ' || b[cs] == '\t' || b[cs] == '|'))
			cs++;
		if (cs < e && sf_xw_is_header(b + cs, e - cs))
			break;
		if (e - cs >= 12 && sf_lr_prefix_ci(b + cs, e - cs, "ms-diagnostics"))
			return; /* that header is the evidence */
		if (warn == SIZE_MAX && e - cs >= 12 && sf_lr_prefix_ci(b + cs, e - cs, "Warning: 399"))
			warn = cs;
		if (cur + 1 < e && e - (cur + 1) == 1 && b[cur + 1] == '|')
			break; /* the lone '|' ending the block */
		cur = e;
	}
	if (warn != SIZE_MAX)
		xw_hit_warning(rd, warn,
			       sf_msg_collect(rd, p, hi, SF_MC_START, &sf_reader_expressway) == 0);
}

void sf_xw_hit_sipmsg(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t p = pos + 6, hi = sf_lr_hi(rd, pos, 512);

	/* "SIPMSG:" then blank space, then '|' and the start line */
	if (pos > 0 && b[pos - 1] != ' ' && b[pos - 1] != '\t' && b[pos - 1] != '\n' &&
	    b[pos - 1] != '"')
		return;
	if (p < hi && b[p] == ':')
		p++;
	while (p < hi && (b[p] == ' ' || b[p] == '\t' || b[p] == '\r' || b[p] == '\n'))
		p++;
	if (p < hi && b[p] == '|')
		p++;
	while (p < hi && (b[p] == ' ' || b[p] == '\t'))
		p++;
	if (sf_sip_bare_status(sf_sip_status_at(b + p, hi - p))) {
		sf_xw_block(rd, pos, p);
		return;
	}
	/* read later, if an ms-diagnostics header turns up in it */
	rd->cont = sf_lr_abs(rd, pos);
	rd->cont_read = xw_cont;
	rd->cont_msg = sf_lr_abs(rd, p);
	if (sf_sip_status_at(b + p, hi - p) >= 400)
		block_warning(rd, p);
}

/* Does a search line's Reason (or Detail) report the time-out? */
int sf_xw_says_timeout(sf_span v)
{
	return sf_lr_find_ci(v.p, v.n, "time-out") || sf_lr_find_ci(v.p, v.n, "timeout") ||
	       memmem(v.p, v.n, "504", 3);
}

/* Host of an alias: "sip:ann@x.example", "ann@x.example" or "x.example". */
void sf_xw_alias_domain(sf_logrd *rd, char **dst, sf_span v)
{
	char host[256];
	const char *at;
	size_t e;

	if (!v.p || v.n == 0)
		return;
	if (sf_sip_uri_host(v, host, sizeof(host)) == 0) {
		sf_lr_set(rd, dst, host, strlen(host));
		return;
	}
	at = memchr(v.p, '@', v.n);
	if (!at)
		return;
	v.n -= (size_t)(at + 1 - v.p);
	v.p = at + 1;
	for (e = 0; e < v.n && e < sizeof(host) - 1 && v.p[e] != ';' && v.p[e] != '>' &&
		    v.p[e] != ':' && v.p[e] != ' ';
	     e++)
		host[e] = (char)((v.p[e] >= 'A' && v.p[e] <= 'Z') ? v.p[e] + 32 : v.p[e]);
	if (e > 0)
		sf_lr_set(rd, dst, host, e);
}

static const char *const search_keys[] = {
	"Reason", "Service", "Src-alias", "Dst-alias", "Call-serial-number", "Tag", "Detail",
};

/*
 * End of the event line holding @pos: its end, or for a line broken by a
 * paste the end of the last piece before the next syslog line (blank lines
 * skipped), within @hi.
 */
static size_t event_end(sf_logrd *rd, size_t pos, size_t hi)
{
	const char *b = rd->buf;
	size_t le = sf_lr_eol(rd, pos, hi), cs, k;

	for (k = 0, cs = le; k < 16 && cs < hi; k++) {
		size_t nb = cs + 1, ne = sf_lr_eol(rd, nb, hi);

		cs = nb;
		while (cs < ne && (b[cs] == ' ' || b[cs] == '\t' || b[cs] == '\r'))
			cs++;
		if (cs < ne && sf_xw_is_header(b + cs, ne - cs))
			break;
		if (cs < ne)
			le = ne;
		cs = ne;
	}
	return le;
}

/* Keys of an event line kept as attributes, in this order. */
static const char *const event_keys[] = {
	"Module",    "Event",  "Reason",	"Service",	 "Protocol",
	"Src-ip",    "Src-port", "Dst-ip",	"Dst-port",	 "Src-alias",
	"Dst-alias", "Response-code", "Call-serial-number", "Detail",
};

/* The SIP status at @p: three digits (400..699), else 0. */
static int status_at(const char *p, size_t n)
{
	int v;

	if (n < 3 || !is_digit((unsigned char)p[0]) || !is_digit((unsigned char)p[1]) ||
	    !is_digit((unsigned char)p[2]) || (n > 3 && is_digit((unsigned char)p[3])))
		return 0;
	v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return v >= 400 && v <= 699 ? v : 0;
}

/*
 * An event line of the Expressway (Event="TLS Negotiation Error", "Call
 * Rejected", "Search Completed" with a failure Reason, Detail="TCP
 * Connection Failed", Detail="Sending Response Code=NNN, ...") holding
 * window position @pos: one SF_LOG_EVENT with the time, the key="value"
 * fields as attributes, reason = Reason (else Detail), sip_status =
 * Response-code or the sent code (or @status), the alias domains and the
 * generic scanner's TLS evidence of the line.  With @warn (a "Warning: 399
 * <agent> \"text\"" header of a SIPMSG block), the warning instead of the
 * line's fields, the line's own SIP message giving the status (and with
 * @have_msg, that message collected in rd->msg, its Call-ID, From / To).
 * A Detail's "Call-ID=..." is the event's Call-ID.
 */
static void xw_event_line(sf_logrd *rd, size_t pos, int status, const sf_span *warn,
			  int have_msg)
{
	const char *b = rd->buf, *t;
	size_t lo = sf_lr_lo(rd, pos, XW_HEADER_BACK), ls, le, hi, n, k;
	sf_span v, reason = { NULL, 0 }, detail = { NULL, 0 };
	sf_log_event *ev;
	sf_msgctx ctx;

	hi = sf_lr_hi(rd, pos, 16384);
	if (warn) {
		ls = sf_lr_bol(rd, pos, lo);
		le = sf_lr_eol(rd, pos, hi);
		sf_msgctx_init(&ctx);
		/* the syslog line of its SIPMSG block (still unread), else the lines before */
		if (!(status && rd->cont != SF_LR_NONE && sf_lr_rel(rd, rd->cont, &k) && k < pos))
			k = pos;
		block_header(rd, k, &ctx);
		sf_lr_consume(rd, le);
		ev = sf_lr_event(rd, SF_LOG_EVENT, pos);
		if (!ev)
			return;
		ev->sip_status = status;
		if (ctx.time)
			sf_lr_set(rd, &ev->time, ctx.time, ctx.time_n);
		for (k = 0; k < ctx.n_attrs; k++)
			sf_lr_attr(rd, ev, ctx.attrs[k].k, ctx.attrs[k].kn, ctx.attrs[k].v,
				   ctx.attrs[k].vn);
		sf_lr_attr(rd, ev, "Warning", 7, warn[0].p, warn[0].n);
		sf_lr_attr(rd, ev, "Warning-code", 12, warn[1].p, warn[1].n);
		if (warn[2].n)
			sf_lr_attr(rd, ev, "Warning-agent", 13, warn[2].p, warn[2].n);
		if (warn[3].n) {
			sf_lr_attr(rd, ev, "Warning-text", 12, warn[3].p, warn[3].n);
			sf_lr_set(rd, &ev->reason, warn[3].p, warn[3].n);
		}
		if (have_msg)
			sf_msg_ids(rd, ev);
		sf_generic_tls(rd, ev, ls, le);
		sf_lr_emit(rd, ev);
		return;
	}
	ls = syslog_start(rd, pos);
	if (ls == SIZE_MAX)
		ls = sf_lr_bol(rd, pos, lo);
	le = event_end(rd, pos, hi);
	n = sf_span_unfold((sf_span){ b + ls, le - ls }, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	t = rd->tmp;
	sf_msgctx_init(&ctx);
	header_time(&ctx, t, n);
	sf_lr_consume(rd, le);
	ev = sf_lr_event(rd, SF_LOG_EVENT, ls);
	if (!ev)
		return;
	if (ctx.time)
		sf_lr_set(rd, &ev->time, ctx.time, ctx.time_n);
	for (k = 0; k < sizeof(event_keys) / sizeof(event_keys[0]); k++) {
		if (!sf_lr_kv(t, n, event_keys[k], &v))
			continue;
		sf_lr_attr(rd, ev, event_keys[k], strlen(event_keys[k]), v.p, v.n);
		if (k == 2)
			reason = v;
		else if (k == 13)
			detail = v;
		else if (k == 9)
			sf_xw_alias_domain(rd, &ev->from_domain, v);
		else if (k == 10)
			sf_xw_alias_domain(rd, &ev->to_domain, v);
		else if (k == 11 && !status)
			status = status_at(v.p, v.n);
	}
	if (detail.n) {
		/* "Sending Response Code=488, Method=INVITE, To=..., Call-ID=..." */
		const char *c = sf_lr_find_ci(detail.p, detail.n, "Call-ID=");

		if (c) {
			size_t i = (size_t)(c - detail.p) + 8, s = i;

			while (i < detail.n && detail.p[i] != ',' && detail.p[i] != ' ')
				i++;
			if (i > s)
				sf_lr_set(rd, &ev->call_id, detail.p + s, i - s);
		}
	}
	if (!status && detail.n) {
		const char *c = sf_lr_find_ci(detail.p, detail.n, "Response Code=");

		if (c)
			status = status_at(c + 14, (size_t)(detail.p + detail.n - c - 14));
	}
	ev->sip_status = status;
	if (reason.n)
		sf_lr_set(rd, &ev->reason, reason.p, reason.n);
	else if (detail.n)
		sf_lr_set(rd, &ev->reason, detail.p, detail.n);
	sf_generic_tls(rd, ev, ls, le);
	sf_lr_emit(rd, ev);
}

/*
 * Event="TLS Negotiation Error" and Detail="TCP Connection Failed" (the
 * literals themselves; "Connection Established" and the like never match).
 */
static void xw_hit_failure(sf_logrd *rd, size_t pos)
{
	xw_event_line(rd, pos, 0, NULL, 0);
}

/* Response-code="504" of Event="Call Rejected" and other call events: failures only. */
static void xw_hit_rcode(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t p = pos + 14, hi = sf_lr_hi(rd, pos, 32);
	int st;

	if (p < hi && b[p] == '"')
		p++;
	st = status_at(b + p, hi > p ? hi - p : 0);
	if (st)
		xw_event_line(rd, pos, st, NULL, 0);
}

/*
 * Detail="Sending Response Code=4.." (5.., 6..): a failure the Expressway
 * sent.  The literals hold the first digit, so the many 100/180/200 lines
 * are never candidates.  "Receive Response Code=" repeats the SIPMSG block
 * that follows (read there).
 */
static void xw_hit_sent(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t hi = sf_lr_hi(rd, pos, 32);

	if (pos < 8 || memcmp(b + pos - 8, "Sending ", 8) != 0)
		return;
	xw_event_line(rd, pos, status_at(b + pos + 14, hi - (pos + 14)), NULL, 0);
}

/*
 * "Warning: 399 vcse.example.com \"Policy Response\"" (a header of a SIP
 * message; with @have_msg that message is in rd->msg and gives the Call-ID,
 * From / To of the event).
 */
static void xw_hit_warning(sf_logrd *rd, size_t pos, int have_msg)
{
	const char *b = rd->buf;
	size_t hi = sf_lr_hi(rd, pos, 1024), e = sf_lr_eol(rd, pos, hi), p = pos + 9, a, q;
	sf_span w[4];
	size_t mp;
	int st = 0;

	if (pos > 0 && b[pos - 1] != ' ' && b[pos - 1] != '\t' && b[pos - 1] != '\n' &&
	    b[pos - 1] != '|' && b[pos - 1] != '"')
		return;
	while (e > p && (b[e - 1] == '\r' || b[e - 1] == ' '))
		e--;
	w[0] = (sf_span){ b + p, e - p };
	w[1] = (sf_span){ b + p, 3 };
	a = p + 3;
	while (a < e && b[a] == ' ')
		a++;
	q = a;
	while (q < e && b[q] != ' ' && b[q] != '"')
		q++;
	w[2] = (sf_span){ b + a, q - a };
	while (q < e && b[q] != '"')
		q++;
	if (q < e) {
		size_t z = ++q;

		while (z < e && b[z] != '"')
			z++;
		w[3] = (sf_span){ b + q, z - q };
	} else {
		w[3] = (sf_span){ b + q, 0 };
	}
	/* the status of the SIPMSG block it belongs to, when that is still unread */
	if (rd->cont != SF_LR_NONE && rd->cont >= rd->skip && sf_lr_rel(rd, rd->cont_msg, &mp) &&
	    mp < pos && pos - mp < 16384)
		st = sf_sip_status_at(b + mp, pos - mp);
	xw_event_line(rd, pos, st, w, have_msg);
}

void sf_xw_hit_search(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf, *t;
	size_t lo = sf_lr_lo(rd, pos, XW_HEADER_BACK), ls, le, hi, n, k, w = pos;
	sf_span reason, v;
	sf_log_event *ev;
	sf_msgctx ctx;

	/* "Completed\"" of Event="Search Completed" (a break may replace the space) */
	for (k = 0; w > lo && k < 8 &&
		    (b[w - 1] == ' ' || b[w - 1] == '\t' || b[w - 1] == '\r' || b[w - 1] == '\n');
	     k++)
		w--;
	if (k == 0 || k >= 8 || w - lo < 6 || !sf_lr_prefix_ci(b + w - 6, 6, "Search"))
		return;
	/* most searches succeed: Reason="OK" follows at once, nothing else to look at */
	if (sf_lr_kv(b + pos, rd->len - pos < 48 ? rd->len - pos : 48, "Reason", &reason) &&
	    reason.p + reason.n < b + pos + 48 && !sf_xw_says_timeout(reason)) {
		if (!(reason.n == 2 && sf_lr_prefix_ci(reason.p, 2, "OK")))
			xw_event_line(rd, pos, 0, NULL, 0); /* "Not Found", "Forbidden"... */
		return;
	}

	ls = syslog_start(rd, pos);
	if (ls == SIZE_MAX)
		ls = sf_lr_bol(rd, pos, lo);
	hi = sf_lr_hi(rd, pos, 16384);
	le = sf_lr_eol(rd, pos, hi);
	/* Reason decides (it follows the event name); Detail only without one */
	if (sf_lr_kv(b + pos, le - pos, "Reason", &reason)) {
		if (!sf_xw_says_timeout(reason)) {
			if (!(reason.n == 2 && sf_lr_prefix_ci(reason.p, 2, "OK")))
				xw_event_line(rd, pos, 0, NULL, 0);
			return;
		}
	} else if (!sf_lr_kv(b + ls, le - ls, "Detail", &v) || !sf_xw_says_timeout(v)) {
		return;
	}
	/* a line broken by a paste goes on until the next syslog line (blank lines skipped) */
	le = event_end(rd, pos, hi);
	n = sf_span_unfold((sf_span){ b + ls, le - ls }, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	t = rd->tmp;
	sf_msgctx_init(&ctx);
	header_time(&ctx, t, n);
	for (k = 0; k < sizeof(search_keys) / sizeof(search_keys[0]); k++)
		if (sf_lr_kv(t, n, search_keys[k], &v))
			sf_msgctx_add(&ctx, search_keys[k], v, 0);
	sf_lr_consume(rd, le);
	ev = sf_lr_event(rd, SF_LOG_SIP_RESPONSE, ls);
	if (!ev)
		return;
	ev->sip_status = 504;
	if (ctx.time)
		sf_lr_set(rd, &ev->time, ctx.time, ctx.time_n);
	for (k = 0; k < ctx.n_attrs; k++) {
		const sf_kvs *a = &ctx.attrs[k];

		sf_lr_attr(rd, ev, a->k, a->kn, a->v, a->vn);
		if (a->kn == 6 && memcmp(a->k, "Reason", 6) == 0)
			sf_lr_set(rd, &ev->reason, a->v, a->vn);
		else if (a->kn == 9 && memcmp(a->k, "Src-alias", 9) == 0)
			sf_xw_alias_domain(rd, &ev->from_domain, (sf_span){ a->v, a->vn });
		else if (a->kn == 9 && memcmp(a->k, "Dst-alias", 9) == 0)
			sf_xw_alias_domain(rd, &ev->to_domain, (sf_span){ a->v, a->vn });
	}
	sf_lr_emit(rd, ev);
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */
/* ------------------------------------------------------------------ */

static int xw_detect(const char *b, size_t n)
{
	return (memmem(b, n, "tvcs:", 5) || memmem(b, n, "SIPMSG:", 7) ||
		memmem(b, n, "Module=\"network.", 16)) ?
		       SF_DETECT_STRONG :
		       SF_DETECT_NO;
}

/* A syslog header line or SIPMSG ends the message before it. */
static int xw_stop(const char *p, size_t n)
{
	return sf_xw_is_header(p, n);
}

static const sf_lit xw_lits[] = {
	{ "SIPMSG", 0, sf_xw_hit_sipmsg },
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "Completed\"", 0, sf_xw_hit_search },
	/* event lines (the nibble kernel's cost does not grow with literals) */
	{ "Negotiation Error", 0, xw_hit_failure },
	{ "Connection Failed", 0, xw_hit_failure },
	{ "Response-code=", SF_MSCAN_CI, xw_hit_rcode },
	/* one bucket: their anchors differ in one nibble */
	{ "Response Code=4", 0, xw_hit_sent },
	{ "Response Code=5", 0, xw_hit_sent },
	{ "Response Code=6", 0, xw_hit_sent },
};

const sf_reader sf_reader_expressway = {
	.type = SF_LOGT_EXPRESSWAY,
	.detect = xw_detect,
	.lits = xw_lits,
	.n_lits = sizeof(xw_lits) / sizeof(xw_lits[0]),
	.stop = xw_stop,
	.pipe = 1,
};
