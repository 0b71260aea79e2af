/*
 * Lync / Skype for Business Edge and Front End text logs (OCSLogger / CLS
 * output, SPEC LOG-002).  Each trace line starts "TL_<LEVEL>(TF_<COMPONENT>)
 * [machine\process]PID.TID::MM/DD/YYYY-HH:MM:SS.mmm.SEQ (Component,Func:File(line))";
 * records sit between "$$begin_record" and "$$end_record":
 *
 *   TL_WARN(TF_DIAG) [fe01\edge]0584.0A44::11/23/2026-09:20:30.230.0000773E
 *   (SIPStack,SIPAdminLog::WriteDiagnosticEvent:SIPAdminLog.cpp(830)) [156659184] $$begin_record
 *   Severity: warning Text: The domain of the message resolved by DNS SRV but none of the
 *   FQDNs is in the same domain Result-Code: 0xc3e93d6f
 *   SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH SIP-Start-Line: INVITE
 *   sip:bob@contoso.example SIP/2.0 SIP-Call-ID: 5b9e... SIP-CSeq: 2066245576 INVITE
 *   Peer: expe.fabrikam.example:25002 Data: domain="video.fabrikam.example";
 *   fqdn1="expe.fabrikam.example:5061" $$end_record
 *
 * The fields may be one a line or run together, and a paste may break them
 * anywhere (after a '-' the break joins: "SIP-\nCSeq:", "expected-\nfqdn").
 * A diagnostic record (TF_DIAG, or any WARN/ERROR record that is no SIP
 * message) gives SF_LOG_EDGE_RECORD: result_code ("0xC3E93D6F"; hresult too
 * for a Windows code such as 0x80090322), result_name, reason = Text,
 * start_line, call_id, cseq, sip_status (response start line), to_domain
 * (Request-URI host), attrs Severity, Peer and every Data: pair (keys
 * unfolded), from_domain = attr domain, time from the TL_ line, line = the
 * TL_ line.
 *
 * Protocol records (TL_INFO(TF_PROTOCOL)) hold a SIP message after
 * "Start-Line:" up to "Message-Body:"; they are only parsed when they hold
 * "ms-diagnostics" and give its events (as plain SIP text), with the TL_
 * time and attrs Peer and Direction.
 */
#include "logs/reader.h"

#include <string.h>

#define EDGE_TL_BACK 1024 /* how far before $$begin_record its TL_ line may start */
#define EDGE_REC_MAX (64u << 10)

static int is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* "TL_INFO(" / "TL INFO(" (a damaged paste) at @p; the length up to '(' or 0. */
static size_t tl_prefix(const char *p, size_t n)
{
	size_t i = 3;

	if (n < 6 || p[0] != 'T' || p[1] != 'L' || (p[2] != '_' && p[2] != ' '))
		return 0;
	while (i < n && is_upper((unsigned char)p[i]))
		i++;
	if (i - 3 < 3 || i >= n || p[i] != '(')
		return 0;
	return i;
}

int sf_edge_is_tl(const char *p, size_t n)
{
	return tl_prefix(p, n) != 0;
}

/* What the TL_ line before a record says. */
typedef struct tl_info {
	int found;
	size_t line;   /* window position of the TL_ line */
	int info;      /* level INFO / VERBOSE / NOISE */
	int diag;      /* component TF_DIAG */
	int protocol;  /* component TF_PROTOCOL */
	char time[40]; /* "11/23/2026-09:20:30.230", or "" */
} tl_info;

/* MM/DD/YYYY-HH:MM:SS.mmm at @p: its length, 0 if not. */
static size_t tl_time_len(const char *p, size_t n)
{
	static const char pat[] = "dd/dd/dddd-dd:dd:dd";
	size_t i;

	if (n < sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !is_digit((unsigned char)p[i]) : p[i] != pat[i])
			return 0;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && is_digit((unsigned char)p[i]))
			i++;
	}
	return i;
}

static void tl_find(sf_logrd *rd, size_t pos, tl_info *tl)
{
	const char *b = rd->buf;
	size_t lo = sf_lr_lo(rd, pos, EDGE_TL_BACK), i = pos, k, n, lp;
	const char *t, *c;

	memset(tl, 0, sizeof(*tl));
	for (;;) {
		if (i <= lo)
			return;
		i--;
		if (b[i] == 'T' && tl_prefix(b + i, pos - i) &&
		    (i == 0 || is_space((unsigned char)b[i - 1])))
			break;
	}
	tl->found = 1;
	tl->line = i;
	/* the line may be broken: read it unfolded */
	n = sf_span_unfold((sf_span){ b + i, pos - i }, rd->tmp, SF_LR_TMP);
	if (n >= SF_LR_TMP)
		n = SF_LR_TMP - 1;
	t = rd->tmp;
	lp = tl_prefix(t, n);
	if (!lp)
		return;
	tl->info = sf_lr_prefix_ci(t + 3, n - 3, "INFO") ||
		   sf_lr_prefix_ci(t + 3, n - 3, "VERBOSE") ||
		   sf_lr_prefix_ci(t + 3, n - 3, "NOISE");
	c = t + lp + 1;
	if ((size_t)(c - t) + 3 <= n && c[0] == 'T' && c[1] == 'F' &&
	    (c[2] == '_' || c[2] == ' ')) {
		tl->diag = sf_lr_prefix_ci(c + 3, n - (size_t)(c + 3 - t), "DIAG");
		tl->protocol = sf_lr_prefix_ci(c + 3, n - (size_t)(c + 3 - t), "PROTOCOL");
	}
	c = memmem(t, n, "::", 2);
	if (c) {
		c += 2;
		k = tl_time_len(c, n - (size_t)(c - t));
		if (k && k < sizeof(tl->time)) {
			memcpy(tl->time, c, k);
			tl->time[k] = '\0';
		}
	}
}

/* ---- diagnostic records ---- */

enum {
	L_SEVERITY,
	L_TEXT,
	L_RESULT,
	L_SSTART,
	L_SCALLID,
	L_SCSEQ,
	L_PEER,
	L_DATA,
	L_START,
	L_OTHER, /* known, not used: it only ends the field before it */
	L_COUNT
};

static const struct {
	const char *name;
	int id;
} labels[] = {
	{ "Severity", L_SEVERITY },   { "Text", L_TEXT },
	{ "Result-Code", L_RESULT },  { "SIP-Start-Line", L_SSTART },
	{ "SIP-Call-ID", L_SCALLID }, { "SIP-CSeq", L_SCSEQ },
	{ "Peer", L_PEER },           { "Data", L_DATA },
	{ "Start-Line", L_START },    { "LogType", L_OTHER },
	{ "Component", L_OTHER },     { "Message-Type", L_OTHER },
	{ "Direction", L_OTHER },     { "Trace-Correlation-Id", L_OTHER },
	{ "Instance-Id", L_OTHER },   { "Message-Body", L_OTHER },
	{ "Peer-IP", L_OTHER },       { "Transport", L_OTHER },
};

/*
 * Raw length of "Label:" at @p, where a line break (with its indentation)
 * may follow any '-' of the label; 0 if it is not there.
 */
static size_t label_at(const char *p, size_t n, const char *lit)
{
	size_t i = 0, j = 0;

	while (lit[j]) {
		unsigned char a, c = (unsigned char)lit[j];

		if (i >= n)
			return 0;
		a = (unsigned char)p[i];
		if ((a | 0x20) != (c | 0x20) || (a == '-') != (c == '-'))
			return 0;
		i++;
		if (lit[j++] == '-') {
			size_t k = i;
			int brk = 0;

			while (k < n && is_space((unsigned char)p[k])) {
				if (p[k] == '\n')
					brk = 1;
				k++;
			}
			if (brk)
				i = k;
		}
	}
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':' ? i + 1 : 0;
}

typedef struct field {
	size_t lb, vb, ve; /* label start, value [vb, ve) in the window */
} field;

/* Finds the fields of the record [rb, re); fields[id].vb == 0 when absent. */
static void scan_fields(const sf_logrd *rd, size_t rb, size_t re, field *f)
{
	const char *b = rd->buf;
	size_t i, k, cur = SIZE_MAX;
	int in_data = 0, quote = 0;

	memset(f, 0, sizeof(field) * L_COUNT);
	for (i = rb; i < re; i++) {
		unsigned char c = (unsigned char)b[i];

		if (in_data && c == '"')
			quote = !quote;
		if (quote || !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			continue;
		if (i > rb && !is_space((unsigned char)b[i - 1]))
			continue;
		for (k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
			size_t ln = label_at(b + i, re - i, labels[k].name);
			int id = labels[k].id;

			if (!ln)
				continue;
			if (cur != SIZE_MAX)
				f[cur].ve = i;
			cur = SIZE_MAX;
			if (id != L_OTHER && f[id].vb == 0) {
				f[id].lb = i;
				f[id].vb = i + ln;
				f[id].ve = re;
				cur = (size_t)id;
			}
			in_data = id == L_DATA;
			i += ln - 1;
			break;
		}
	}
}

static sf_span fspan(const sf_logrd *rd, const field *f)
{
	if (f->vb == 0)
		return SF_SPAN_NULL;
	return (sf_span){ rd->buf + f->vb, f->ve - f->vb };
}

/*
 * The end of the record whose body starts at @rb: the first "$$end_record"
 * (*end after it) or "$$begin_record" (the next record, *end at it) before
 * @hi; @hi if neither.  One pass: the work ends where the next record starts.
 */
static size_t record_end(const sf_logrd *rd, size_t rb, size_t hi, size_t *end)
{
	const char *b = rd->buf, *d;
	size_t p = rb;

	while (p < hi && (d = memmem(b + p, hi - p, "$$", 2)) != NULL) {
		size_t at = (size_t)(d - b);

		if (hi - at >= 12 && memcmp(d, "$$end_record", 12) == 0) {
			*end = at + 12;
			return at;
		}
		if (hi - at >= 14 && memcmp(d, "$$begin_record", 14) == 0) {
			*end = at;
			return at;
		}
		p = at + 1;
	}
	*end = hi;
	return hi;
}

static void record(sf_logrd *rd, size_t pos, const tl_info *tl)
{
	size_t rb = pos + 14, hi = sf_lr_hi(rd, rb, EDGE_REC_MAX), re, end;
	field f[L_COUNT];
	sf_log_event *ev;
	sf_span v;

	re = record_end(rd, rb, hi, &end);
	scan_fields(rd, rb, re, f);
	if (f[L_START].vb && !f[L_RESULT].vb) {
		/* a SIP message record without the TL_ line that says so */
		sf_edge_proto(rd, pos);
		return;
	}
	sf_lr_consume(rd, end);
	ev = sf_lr_event(rd, SF_LOG_EDGE_RECORD, tl->found ? tl->line : pos);
	if (!ev)
		return;
	if (tl->time[0])
		sf_lr_set(rd, &ev->time, tl->time, strlen(tl->time));
	sf_lr_set_unfold(rd, &ev->reason, fspan(rd, &f[L_TEXT]));
	v = fspan(rd, &f[L_RESULT]);
	if (v.p)
		sf_lr_result(rd, ev, v.p, v.n); /* tokens: a line break separates them too */
	sf_lr_set_unfold(rd, &ev->start_line, fspan(rd, &f[L_SSTART]));
	sf_lr_set_unfold(rd, &ev->call_id, fspan(rd, &f[L_SCALLID]));
	sf_lr_set_cseq(rd, &ev->cseq, fspan(rd, &f[L_SCSEQ]));
	if (ev->start_line) {
		const char *s = ev->start_line;
		size_t sn = strlen(s);
		int st = sf_sip_status_at(s, sn);

		if (st) {
			ev->sip_status = st;
		} else {
			/* the Request-URI's host is where the request was going */
			const char *u = memchr(s, ' ', sn);
			char host[256];

			if (u && sf_sip_uri_host((sf_span){ u + 1, sn - (size_t)(u + 1 - s) }, host,
						 sizeof(host)) == 0)
				sf_lr_set(rd, &ev->to_domain, host, strlen(host));
		}
	}
	v = fspan(rd, &f[L_SEVERITY]);
	if (v.p)
		sf_lr_attr_unfold(rd, ev, (sf_span){ "Severity", 8 }, v);
	v = fspan(rd, &f[L_PEER]);
	if (v.p)
		sf_lr_attr_unfold(rd, ev, (sf_span){ "Peer", 4 }, v);
	v = fspan(rd, &f[L_DATA]);
	if (v.p) {
		sf_sip_param pr[SF_MSDIAG_MAX_PARAMS];
		size_t n = sf_sip_params_parse(v, pr, SF_MSDIAG_MAX_PARAMS), k;

		for (k = 0; k < n; k++)
			sf_lr_attr_unfold(rd, ev, pr[k].key, pr[k].value);
	}
	{
		const char *d = sf_log_event_attr(ev, "domain");

		if (d && *d) {
			char low[256];
			size_t k, dn = strlen(d);

			if (dn < sizeof(low)) {
				for (k = 0; k < dn; k++)
					low[k] = (char)((d[k] >= 'A' && d[k] <= 'Z') ? d[k] + 32
										     : d[k]);
				sf_lr_set(rd, &ev->from_domain, low, dn);
			}
		}
	}
	sf_lr_emit(rd, ev);
}

/* ---- SIP message records ---- */

void sf_edge_proto(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf;
	size_t rb = pos + 14, hi = sf_lr_hi(rd, rb, rd->maxrec), re, p, msgpos = 0, end;
	tl_info tl;
	sf_msgctx ctx;

	if (rd->cont != SF_LR_NONE && rd->cont == sf_lr_abs(rd, pos))
		rd->cont = SF_LR_NONE;
	tl_find(rd, pos, &tl);
	re = record_end(rd, rb, hi, &end);
	sf_msgctx_init(&ctx);
	/* the fields before the message: Peer, Direction; then "Start-Line:" */
	for (p = rb; p < re;) {
		size_t le = sf_lr_eol(rd, p, re), cs = p;
		sf_span v;

		while (cs < le && (b[cs] == ' ' || b[cs] == '\t'))
			cs++;
		if (sf_lr_prefix_ci(b + cs, le - cs, "Start-Line:")) {
			msgpos = cs + 11;
			while (msgpos < le && (b[msgpos] == ' ' || b[msgpos] == '\t'))
				msgpos++;
			break;
		}
		if (sf_lr_prefix_ci(b + cs, le - cs, "Peer:")) {
			v = (sf_span){ b + cs + 5, le - cs - 5 };
			sf_msgctx_add(&ctx, "Peer", v, 1);
		} else if (sf_lr_prefix_ci(b + cs, le - cs, "Direction:")) {
			v = (sf_span){ b + cs + 10, le - cs - 10 };
			sf_msgctx_add(&ctx, "Direction", v, 1);
		}
		p = le + 1;
	}
	if (msgpos == 0 || msgpos >= re)
		return;
	if (tl.time[0] && ctx.used + sizeof(tl.time) <= SF_MSGCTX_STORE) {
		size_t tn = strlen(tl.time);

		memcpy(ctx.store + ctx.used, tl.time, tn);
		ctx.time = ctx.store + ctx.used;
		ctx.time_n = tn;
		ctx.used += tn + 1;
	}
	if (sf_msg_collect(rd, msgpos, re, SF_MC_START, &sf_reader_edge) != 0)
		return;
	sf_lr_consume(rd, end > rd->msg.raw_end ? end : rd->msg.raw_end);
	sf_msg_emit(rd, &ctx);
}

void sf_edge_hit_begin(sf_logrd *rd, size_t pos)
{
	tl_info tl;

	tl_find(rd, pos, &tl);
	if (tl.found && (tl.protocol || (tl.info && !tl.diag))) {
		/* a message or an informational record: read only if it holds ms-diagnostics */
		rd->cont = sf_lr_abs(rd, pos);
		rd->cont_read = sf_edge_proto;
		return;
	}
	record(rd, pos, &tl);
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */
/* ------------------------------------------------------------------ */

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

static int edge_detect(const char *b, size_t n)
{
	return (memmem(b, n, "$$begin_record", 14) || has_tl(b, n)) ? SF_DETECT_STRONG
								    : SF_DETECT_NO;
}

/* A TL_ line, $$begin_record end the message before them; $$end_record, Message-Body: it. */
static int edge_stop(const char *p, size_t n)
{
	if (sf_lr_prefix_ci(p, n, "$$end_record") || sf_lr_prefix_ci(p, n, "Message-Body:"))
		return 2;
	if (sf_lr_prefix_ci(p, n, "$$begin_record") || sf_edge_is_tl(p, n))
		return 1;
	return 0;
}

/*
 * "TL_ERROR(TF_COMPONENT) ... Result 0xC3E93C5E(SIPPROXY_E_ROUTING)" or
 * "TL_WARN(...) ... HRESULT=0x80090322(SEC_E_WRONG_PRINCIPAL)" outside a record.
 */
static void edge_hit_result(sf_logrd *rd, size_t pos)
{
	size_t b = sf_lr_bol(rd, pos, pos > 4096 ? pos - 4096 : 0);

	while (b < pos && (rd->buf[b] == ' ' || rd->buf[b] == '\t'))
		b++;
	if (sf_edge_is_tl(rd->buf + b, pos - b)) {
		tl_info tl;

		tl_find(rd, pos, &tl);
		sf_generic_code(rd, pos, (sf_span){ tl.time, strlen(tl.time) });
	}
}

static const sf_lit edge_lits[] = {
	{ "$$begin_record", 0, sf_edge_hit_begin },
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "0xC3E9", SF_MSCAN_CI, edge_hit_result },
	{ "0x8009", SF_MSCAN_CI, edge_hit_result }, /* SEC_E_* HRESULTs */
	{ "0x800B", SF_MSCAN_CI, edge_hit_result }, /* CERT_E_* HRESULTs */
};

const sf_reader sf_reader_edge = {
	.type = SF_LOGT_EDGE,
	.detect = edge_detect,
	.lits = edge_lits,
	.n_lits = sizeof(edge_lits) / sizeof(edge_lits[0]),
	.stop = edge_stop,
};
