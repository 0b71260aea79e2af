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

static void ctx_init(sf_msgctx *ctx)
{
	ctx->time = NULL;
	ctx->time_n = 0;
	ctx->n_attrs = 0;
	ctx->drop = 0;
	ctx->used = 0;
}

void sf_xw_block(sf_logrd *rd, size_t pos, size_t msgpos)
{
	sf_msgctx ctx;

	if (rd->cont != SF_LR_NONE && rd->cont == sf_lr_abs(rd, pos)) {
		rd->cont = SF_LR_NONE;
		rd->cont_msg = SF_LR_NONE;
	}
	ctx_init(&ctx);
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
}

/* Does a search line's Reason (or Detail) report the time-out? */
static int says_timeout(sf_span v)
{
	return sf_lr_find_ci(v.p, v.n, "time-out") || sf_lr_find_ci(v.p, v.n, "timeout") ||
	       memmem(v.p, v.n, "504", 3);
}

/* Host of an alias: "sip:ann@x.example", "ann@x.example" or "x.example". */
static void alias_domain(sf_logrd *rd, char **dst, sf_span v)
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

void sf_xw_hit_search(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf, *t;
	size_t lo = sf_lr_lo(rd, pos, XW_HEADER_BACK), ls, le, hi, n, k, cs, w = pos;
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
	    reason.p + reason.n < b + pos + 48 && !says_timeout(reason))
		return;

	ls = syslog_start(rd, pos);
	if (ls == SIZE_MAX)
		ls = sf_lr_bol(rd, pos, lo);
	hi = sf_lr_hi(rd, pos, 16384);
	le = sf_lr_eol(rd, pos, hi);
	/* Reason decides (it follows the event name); Detail only without one */
	if (sf_lr_kv(b + pos, le - pos, "Reason", &reason)) {
		if (!says_timeout(reason))
			return;
	} else if (!sf_lr_kv(b + ls, le - ls, "Detail", &v) || !says_timeout(v)) {
		return;
	}
	/* a line broken by a paste goes on until the next syslog line (blank lines skipped) */
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
	n = sf_span_unfold((sf_span){ b + ls, le - ls }, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	t = rd->tmp;
	ctx_init(&ctx);
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
			alias_domain(rd, &ev->from_domain, (sf_span){ a->v, a->vn });
		else if (a->kn == 9 && memcmp(a->k, "Dst-alias", 9) == 0)
			alias_domain(rd, &ev->to_domain, (sf_span){ a->v, a->vn });
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
};

const sf_reader sf_reader_expressway = {
	.type = SF_LOGT_EXPRESSWAY,
	.detect = xw_detect,
	.lits = xw_lits,
	.n_lits = sizeof(xw_lits) / sizeof(xw_lits[0]),
	.stop = xw_stop,
	.pipe = 1,
};
