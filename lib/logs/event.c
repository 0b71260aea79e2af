/*
 * Log events (building, freeing, attributes) and the reader of Windows
 * event text and Call Detail Record reports.
 *
 * Windows event text, as Event Viewer copies it ("Copy details as text"):
 *
 *   Log Name:      Lync Server
 *   Source:        LS User Services
 *   Date:          23/11/2026 10:20:30
 *   Event ID:      32263
 *   Level:         Error
 *   Computer:      fe01.contoso.example
 *   Description:
 *   Error code: 0xC3E93C2F(SIPPROXY_E_UNKNOWN_USER_OR_EPID), Error identifier: NotifySingle.Notify
 *   Cause: Possible issues with the other front end or with this front end.
 *
 * or pasted inline ("Event ID 32263 LS User Services error ... Error code:
 * 0xC3E93C2F(...)"), or as event XML (<EventID ...>32263</EventID>).  Emits
 * SF_LOG_EVENT with code = the event ID, attrs event_id (then source, level,
 * computer, error_identifier, cause when present), result_code and
 * result_name from "Error code:", time from "Date:", reason = the
 * description (up to "Resolution:"), line = the line of "Event ID".
 *
 * CDR / Monitoring reports: "Diagnostic ID 21 – “Call failed to establish
 * due to a media connectivity failure where one endpoint is of unknown
 * type”" gives SF_LOG_EVENT with code 21, attrs diagnostic_id, reason = the
 * text after the number without dashes and quotes.
 *
 * A record runs from the "Log Name:" block before the ID (Event Viewer) to
 * the next "Log Name:" / "Event Xml:" / "</Event>", or for inline text to
 * the first blank line; at most SF_EV_LINES lines.
 */
#include "logs/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SF_EV_LINES 64
#define SF_EV_REASON 512

/* ------------------------------------------------------------------ */
/* Public: events                                                       */
/* ------------------------------------------------------------------ */

void sf_log_event_free(sf_log_event *ev)
{
	size_t i;

	if (!ev)
		return;
	free(ev->file);
	free(ev->result_code);
	free(ev->result_name);
	free(ev->hresult);
	free(ev->time);
	free(ev->call_id);
	free(ev->cseq);
	free(ev->from_domain);
	free(ev->to_domain);
	free(ev->server);
	free(ev->reason);
	free(ev->start_line);
	for (i = 0; i < ev->n_attrs; i++) {
		free(ev->attrs[i].key);
		free(ev->attrs[i].value);
	}
	free(ev->attrs);
	free(ev->rules);
	free(ev->cause);
	free(ev->subject);
	free(ev->fix);
	free(ev->next);
	free(ev->linked);
	free(ev);
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

const char *sf_log_event_attr(const sf_log_event *ev, const char *key)
{
	size_t i;

	if (!ev || !key)
		return NULL;
	for (i = 0; i < ev->n_attrs; i++)
		if (ev->attrs[i].key && eq_ci(ev->attrs[i].key, key))
			return ev->attrs[i].value;
	return NULL;
}

const char *sf_log_kind_name(sf_log_kind k)
{
	switch (k) {
	case SF_LOG_MSDIAG:
		return "ms-diagnostics";
	case SF_LOG_EDGE_RECORD:
		return "edge-record";
	case SF_LOG_SIP_RESPONSE:
		return "sip-response";
	case SF_LOG_EVENT:
		return "event";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Building events (reader.h)                                           */
/* ------------------------------------------------------------------ */

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void trim(const char **p, size_t *n)
{
	while (*n && is_blank((unsigned char)**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n && is_blank((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

/* A NUL-terminated copy with NUL bytes replaced; NULL on ENOMEM. */
static char *copy(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = p[i] ? p[i] : '?';
	s[n] = '\0';
	return s;
}

sf_log_event *sf_lr_event(sf_logrd *rd, sf_log_kind kind, size_t pos)
{
	sf_log_event *ev;

	if (rd->st != SF_OK)
		return NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->file = copy(rd->name, strlen(rd->name)))) {
		free(ev);
		rd->st = SF_ENOMEM;
		return NULL;
	}
	ev->line = sf_lr_line(rd, pos);
	ev->kind = kind;
	ev->source = rd->type;
	ev->code = -1;
	return ev;
}

void sf_lr_set(sf_logrd *rd, char **dst, const char *p, size_t n)
{
	char *s;

	if (!p)
		return;
	trim(&p, &n);
	if (n == 0)
		return;
	s = copy(p, n);
	if (!s) {
		rd->st = SF_ENOMEM;
		return;
	}
	free(*dst);
	*dst = s;
}

/* Unfolds @s into rd->tmp; returns the length kept (truncated to the buffer). */
static size_t unfold_tmp(sf_logrd *rd, sf_span s)
{
	size_t n = sf_span_unfold(s, rd->tmp, SF_LR_TMP);

	return n < SF_LR_TMP ? n : SF_LR_TMP - 1;
}

void sf_lr_set_unfold(sf_logrd *rd, char **dst, sf_span s)
{
	size_t n;

	if (!s.p)
		return;
	n = unfold_tmp(rd, s);
	sf_lr_set(rd, dst, rd->tmp, n);
}

void sf_lr_set_cseq(sf_logrd *rd, char **dst, sf_span s)
{
	size_t n, i = 0;
	char *t = rd->tmp;

	if (!s.p)
		return;
	n = unfold_tmp(rd, s);
	while (i < n && is_blank((unsigned char)t[i]))
		i++;
	while (i < n && is_digit((unsigned char)t[i]))
		i++;
	/* RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; a break at that LWS was dropped */
	if (i > 0 && i < n && is_digit((unsigned char)t[i - 1]) && is_alnum((unsigned char)t[i]) &&
	    n + 1 < SF_LR_TMP) {
		memmove(t + i + 1, t + i, n - i);
		t[i] = ' ';
		n++;
	}
	sf_lr_set(rd, dst, t, n);
}

void sf_lr_attr(sf_logrd *rd, sf_log_event *ev, const char *k, size_t kn, const char *v, size_t vn)
{
	sf_kv *a;
	char *ks, *vs;

	if (!ev || !k || rd->st != SF_OK)
		return;
	trim(&k, &kn);
	if (kn == 0)
		return;
	if (!v)
		vn = 0;
	else
		trim(&v, &vn);
	/* the array holds a power of two (at least 4) entries: grow when full */
	if (ev->n_attrs == 0 || (ev->n_attrs >= 4 && (ev->n_attrs & (ev->n_attrs - 1)) == 0)) {
		a = realloc(ev->attrs, (ev->n_attrs ? ev->n_attrs * 2 : 4) * sizeof(*a));
		if (!a) {
			rd->st = SF_ENOMEM;
			return;
		}
		ev->attrs = a;
	}
	ks = copy(k, kn);
	vs = copy(vn ? v : "", vn);
	if (!ks || !vs) {
		free(ks);
		free(vs);
		rd->st = SF_ENOMEM;
		return;
	}
	ev->attrs[ev->n_attrs].key = ks;
	ev->attrs[ev->n_attrs].value = vs;
	ev->n_attrs++;
}

void sf_lr_attr_unfold(sf_logrd *rd, sf_log_event *ev, sf_span k, sf_span v)
{
	char key[256];
	size_t kn = sf_span_unfold(k, key, sizeof(key)), vn;

	if (kn >= sizeof(key))
		kn = sizeof(key) - 1;
	vn = v.p ? unfold_tmp(rd, v) : 0;
	sf_lr_attr(rd, ev, key, kn, rd->tmp, vn);
}

int sf_lr_set_hex(sf_logrd *rd, char **dst, const char *p, size_t n)
{
	uint64_t v = 0;
	size_t i = 0, d;
	int neg = 0, hex = 0;
	char out[16];

	if (!p || rd->st != SF_OK)
		return -1;
	trim(&p, &n);
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = 1;
		i = 2;
	} else if (n >= 1 && p[0] == '-') {
		neg = 1;
		i = 1;
	}
	d = i;
	if (!hex && !neg) {
		/* bare digits: hex if 8 of them or any a-f (C3E93D6F), else decimal */
		size_t k = i;

		while (k < n && is_alnum((unsigned char)p[k]))
			k++;
		hex = (k - i == 8);
		for (size_t j = i; j < k; j++)
			if (!is_digit((unsigned char)p[j]))
				hex = 1;
	}
	for (; i < n && is_alnum((unsigned char)p[i]); i++) {
		unsigned char c = lower((unsigned char)p[i]);
		unsigned dv;

		if (is_digit(c))
			dv = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			dv = (unsigned)(c - 'a' + 10);
		else
			return -1;
		v = v * (hex ? 16 : 10) + dv;
		if (v > (neg ? 0x80000000ull : 0xffffffffull) || i - d >= 10)
			return -1;
	}
	if (i == d)
		return -1;
	if (neg)
		v = (uint64_t)(0x100000000ull - v) & 0xffffffffull;
	snprintf(out, sizeof(out), "0x%08X", (unsigned)v);
	sf_lr_set(rd, dst, out, strlen(out));
	/* out of memory: *dst may still be NULL, which no caller may read as a code */
	return rd->st == SF_OK && *dst != NULL ? 0 : -1;
}

void sf_lr_emit(sf_logrd *rd, sf_log_event *ev)
{
	if (!ev)
		return;
	if (rd->st != SF_OK || rd->stop) {
		sf_log_event_free(ev);
		return;
	}
	if (rd->emit(rd->arg, ev) != 0)
		rd->stop = 1;
}

void sf_msgctx_add(sf_msgctx *ctx, const char *k, sf_span v, int unfold)
{
	size_t room, n;
	char *dst;

	if (!ctx || !k || !v.p || ctx->n_attrs >= SF_MSGCTX_ATTRS)
		return;
	room = SF_MSGCTX_STORE - ctx->used;
	if (room < 2)
		return;
	dst = ctx->store + ctx->used;
	if (unfold) {
		n = sf_span_unfold(v, dst, room);
		if (n >= room)
			n = room - 1;
	} else {
		n = v.n < room - 1 ? v.n : room - 1;
		memcpy(dst, v.p, n);
	}
	ctx->used += n + 1;
	ctx->attrs[ctx->n_attrs++] = (sf_kvs){ k, strlen(k), dst, n };
}

void sf_lr_result(sf_logrd *rd, sf_log_event *ev, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t b, e;

		while (i < n && !is_alnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			i++;
		b = i;
		while (i < n &&
		       (is_alnum((unsigned char)p[i]) || p[i] == '_' || (p[i] == '-' && i == b)))
			i++;
		e = i;
		if (e == b)
			break;
		if (rd->st != SF_OK)
			return;
		if (!ev->result_code && sf_lr_set_hex(rd, &ev->result_code, p + b, e - b) == 0) {
			if (ev->result_code != NULL && strncmp(ev->result_code, "0xC3E9", 6) != 0)
				sf_lr_set(rd, &ev->hresult, ev->result_code,
					  strlen(ev->result_code));
			continue;
		}
		if (!ev->result_name && e - b >= 4 && memchr(p + b, '_', e - b)) {
			size_t k;
			int upper = 1;

			for (k = b; k < e; k++)
				if (p[k] >= 'a' && p[k] <= 'z')
					upper = 0;
			if (upper)
				sf_lr_set(rd, &ev->result_name, p + b, e - b);
		}
		if (ev->result_code && ev->result_name)
			break;
	}
}

/* ------------------------------------------------------------------ */
/* Event text reader                                                    */
/* ------------------------------------------------------------------ */

/* A line of the window: [b, e) without the newline; content [cb, ce) trimmed. */
typedef struct line {
	size_t b, e, next;
	size_t cb, ce;
} line;

static void line_at(const sf_logrd *rd, size_t b, size_t hi, line *l)
{
	l->b = b;
	l->e = sf_lr_eol(rd, b, hi);
	l->next = l->e < hi ? l->e + 1 : hi;
	l->cb = b;
	l->ce = l->e;
	while (l->cb < l->ce && is_blank((unsigned char)rd->buf[l->cb]))
		l->cb++;
	while (l->ce > l->cb && is_blank((unsigned char)rd->buf[l->ce - 1]))
		l->ce--;
}

/* Skips dashes, colons, blanks and opening quotes (ASCII and U+2013/2014/201C/00AB). */
static size_t skip_separators(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c == ' ' || c == '\t' || c == ':' || c == '-' || c == '"' || c == '=' ||
		    c == '\r' || c == '\n' || c == ',')
			i++;
		else if (c == 0xe2 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 &&
			 ((unsigned char)p[i + 2] == 0x93 || (unsigned char)p[i + 2] == 0x94 ||
			  (unsigned char)p[i + 2] == 0x9c))
			i += 3;
		else if (c == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] == 0xab)
			i += 2;
		else
			break;
	}
	return i;
}

/* Drops closing quotes (", U+201D, U+00BB) and blanks at the end of [p, p+*n). */
static void drop_closing(const char *p, size_t *n)
{
	for (;;) {
		size_t k = *n;

		while (k && is_blank((unsigned char)p[k - 1]))
			k--;
		if (k && p[k - 1] == '"')
			k--;
		else if (k >= 3 && (unsigned char)p[k - 3] == 0xe2 &&
			 (unsigned char)p[k - 2] == 0x80 && (unsigned char)p[k - 1] == 0x9d)
			k -= 3;
		else if (k >= 2 && (unsigned char)p[k - 2] == 0xc2 &&
			 (unsigned char)p[k - 1] == 0xbb)
			k -= 2;
		if (k == *n)
			return;
		*n = k;
	}
}

/* Labels of event text; the Event Viewer ones (EV_VIEWER first) start a record's lines. */
enum {
	EL_LOGNAME,
	EL_SOURCE,
	EL_DATE,
	EL_EVENTID,
	EL_TASK,
	EL_LEVEL,
	EL_KEYWORDS,
	EL_USER,
	EL_COMPUTER,
	EL_OPCODE,
	EL_DESCRIPTION,
	EV_VIEWER,
	EL_ERRCODE = EV_VIEWER,
	EL_ERRID,
	EL_CAUSE,
	EL_RESOLUTION,
	EL_XML,
	EL_COUNT
};

static const char *const ev_labels[EL_COUNT] = {
	[EL_LOGNAME] = "Log Name:",
	[EL_SOURCE] = "Source:",
	[EL_DATE] = "Date:",
	[EL_EVENTID] = "Event ID:",
	[EL_TASK] = "Task Category:",
	[EL_LEVEL] = "Level:",
	[EL_KEYWORDS] = "Keywords:",
	[EL_USER] = "User:",
	[EL_COMPUTER] = "Computer:",
	[EL_OPCODE] = "OpCode:",
	[EL_DESCRIPTION] = "Description:",
	[EL_ERRCODE] = "Error code:",
	[EL_ERRID] = "Error identifier:",
	[EL_CAUSE] = "Cause:",
	[EL_RESOLUTION] = "Resolution:",
	[EL_XML] = "Event Xml:",
};

/* The label starting @p, or -1; @from..@to limits the labels tried. */
static int label_at(const char *p, size_t n, int from, int to)
{
	int k;

	for (k = from; k < to; k++)
		if (sf_lr_prefix_ci(p, n, ev_labels[k]))
			return k;
	return -1;
}

/* Does a line starting a paragraph after a blank line still belong to the record? */
static int goes_on(const sf_logrd *rd, const line *l, char last, int viewer)
{
	const char *p = rd->buf + l->cb;
	size_t n = l->ce - l->cb;
	unsigned char c = (unsigned char)p[0];

	if (sf_lr_prefix_ci(p, n, "Log Name:") || sf_lr_prefix_ci(p, n, "Event Xml:") ||
	    sf_lr_prefix_ci(p, n, "</Event>") || sf_lr_prefix_ci(p, n, "Event ID") ||
	    sf_lr_prefix_ci(p, n, "Diagnostic ID"))
		return 0;
	if (viewer || label_at(p, n, 0, EL_COUNT) >= 0)
		return 1;
	/* double-spaced text: a sentence that did not end, or one going on in lower case */
	if ((c >= 'a' && c <= 'z') || is_digit(c))
		return 1;
	return last && !strchr(".\"!?", last) && (unsigned char)last != 0x9d;
}

/* Positions of the labels in the unfolded record text @t; pos[k] == SIZE_MAX if absent. */
static void find_labels(const char *t, size_t n, size_t *pos, size_t *vpos)
{
	size_t i;
	int k;

	for (k = 0; k < EL_COUNT; k++)
		pos[k] = vpos[k] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		if (i > 0 && t[i - 1] != ' ' && t[i - 1] != '\t' && t[i - 1] != '>' &&
		    t[i - 1] != ',')
			continue;
		k = label_at(t + i, n - i, 0, EL_COUNT);
		if (k < 0 || pos[k] != SIZE_MAX)
			continue;
		pos[k] = i;
		vpos[k] = i + strlen(ev_labels[k]);
		i = vpos[k] - 1;
	}
}

/* End of the value at @v: the next label after it (or @n). */
static size_t value_end(const size_t *pos, size_t v, size_t n)
{
	size_t e = n;
	int k;

	for (k = 0; k < EL_COUNT; k++)
		if (pos[k] != SIZE_MAX && pos[k] >= v && pos[k] < e)
			e = pos[k];
	return e;
}

static sf_span label_value(const char *t, const size_t *pos, const size_t *vpos, size_t n, int k)
{
	if (vpos[k] == SIZE_MAX)
		return SF_SPAN_NULL;
	return (sf_span){ t + vpos[k], value_end(pos, vpos[k], n) - vpos[k] };
}

/*
 * "ID" at @pos: the start of "Event ID" / "EventID" / "Diagnostic ID" (a
 * line break may sit between the words), or SIZE_MAX; *diag for Diagnostic.
 */
static size_t id_word(const sf_logrd *rd, size_t pos, int *diag)
{
	const char *b = rd->buf;
	size_t i = pos, k = 0;

	*diag = 0;
	if (i > 0 && !is_blank((unsigned char)b[i - 1])) {
		/* EventID */
		if (i >= 5 && sf_lr_prefix_ci(b + i - 5, 5, "Event"))
			return (i == 5 || !is_alnum((unsigned char)b[i - 6])) ? i - 5 : SIZE_MAX;
		return SIZE_MAX;
	}
	while (i > 0 && is_blank((unsigned char)b[i - 1]) && k < 8) {
		i--;
		k++;
	}
	if (k == 0 || k >= 8)
		return SIZE_MAX;
	if (i >= 5 && sf_lr_prefix_ci(b + i - 5, 5, "Event") &&
	    (i == 5 || !is_alnum((unsigned char)b[i - 6])))
		return i - 5;
	if (i >= 10 && sf_lr_prefix_ci(b + i - 10, 10, "Diagnostic") &&
	    (i == 10 || !is_alnum((unsigned char)b[i - 11]))) {
		*diag = 1;
		return i - 10;
	}
	return SIZE_MAX;
}

/* The level words of Event Viewer, in the order they are looked for. */
static const char *const ev_levels[] = { "Critical", "Error", "Warning", "Information", "Verbose" };

/* Is @v an Event Viewer level that is no failure ("Information", "Verbose")? */
static int level_is_info(sf_span v)
{
	while (v.n && is_blank((unsigned char)v.p[0]))
		v.p++, v.n--;
	return sf_lr_prefix_ci(v.p, v.n, "Information") || sf_lr_prefix_ci(v.p, v.n, "Verbose");
}

/* A date and time at @p: "23/11/2026 11:05:12", "11/23/2026 ...", "2026-11-23 ..."; its length. */
static size_t date_len(const char *p, size_t n)
{
	static const char *const pats[] = { "dd/dd/dddd dd:dd:dd", "dddd-dd-dd dd:dd:dd",
					    "dd.dd.dddd dd:dd:dd", "d/dd/dddd dd:dd:dd",
					    "dd/d/dddd dd:dd:dd", "d/d/dddd dd:dd:dd" };
	size_t k, i;

	for (k = 0; k < sizeof(pats) / sizeof(pats[0]); k++) {
		size_t pl = strlen(pats[k]);

		if (n < pl)
			continue;
		for (i = 0; i < pl; i++)
			if (pats[k][i] == 'd' ? !is_digit((unsigned char)p[i]) : p[i] != pats[k][i])
				break;
		if (i < pl)
			continue;
		/* " AM" / " PM" of a 12-hour clock */
		if (pl + 3 <= n && p[pl] == ' ' &&
		    (sf_lr_prefix_ci(p + pl + 1, 2, "AM") || sf_lr_prefix_ci(p + pl + 1, 2, "PM")))
			pl += 3;
		return pl;
	}
	return 0;
}

/*
 * A row copied from Event Viewer's list ("Event ID 14501 LS Protocol Stack
 * Warning 23/11/2026 11:05:12 description"), @t[@i..@n) after the number:
 * *src and *level, *time and the start of the description (*rest).  0 if
 * no level word (as the list writes it) and a date follow within the first words.
 */
static int list_row(const char *t, size_t i, size_t n, sf_span *src, sf_span *level,
		    sf_span *time, size_t *rest)
{
	size_t s, k, best = SIZE_MAX, bk = 0, d;

	while (i < n && is_blank((unsigned char)t[i]))
		i++;
	s = i;
	for (k = 0; k < sizeof(ev_levels) / sizeof(ev_levels[0]); k++) {
		const char *h = memmem(t + s, n - s < 64 ? n - s : 64, ev_levels[k],
				       strlen(ev_levels[k]));
		size_t at = h ? (size_t)(h - t) : SIZE_MAX, e;

		if (!h || (at > s && !is_blank((unsigned char)t[at - 1])))
			continue;
		e = at + strlen(ev_levels[k]);
		if (e < n && !is_blank((unsigned char)t[e]))
			continue;
		if (at < best) {
			best = at;
			bk = k;
		}
	}
	if (best == SIZE_MAX)
		return 0;
	*src = (sf_span){ t + s, best - s };
	while (src->n && is_blank((unsigned char)src->p[src->n - 1]))
		src->n--;
	*level = (sf_span){ t + best, strlen(ev_levels[bk]) };
	i = best + level->n;
	while (i < n && is_blank((unsigned char)t[i]))
		i++;
	d = date_len(t + i, n - i);
	if (d == 0)
		return 0; /* the list always shows the date: prose that says "Error" is no row */
	*time = (sf_span){ t + i, d };
	*rest = i + d;
	return 1;
}

/*
 * The host an event names: "... while trying to connect to the host
 * \"sip.example.com\"" (event 14428) or "Peer: sip.example.com"; empty if none.
 */
static sf_span named_host(const char *t, size_t n)
{
	const char *h = sf_lr_find_ci(t, n, "to the host \"");
	size_t i, s;

	if (h) {
		s = i = (size_t)(h - t) + 13;
		while (i < n && t[i] != '"' && !is_blank((unsigned char)t[i]))
			i++;
		if (i > s && i < n && t[i] == '"')
			return (sf_span){ t + s, i - s };
	}
	h = sf_lr_find_ci(t, n, "Peer: ");
	if (h && (h == t || !is_alnum((unsigned char)h[-1]))) {
		s = i = (size_t)(h - t) + 6;
		while (i < n && (is_alnum((unsigned char)t[i]) || t[i] == '.' || t[i] == '-'))
			i++;
		if (i > s && memchr(t + s, '.', i - s))
			return (sf_span){ t + s, i - s };
	}
	return SF_SPAN_NULL;
}

/* The text of element @tag ("<Computer>x</Computer>") in [@b, @e), or an empty span. */
static sf_span xml_text(const char *b, size_t e, size_t from, const char *tag)
{
	size_t tn = strlen(tag), i;
	const char *h;

	for (i = from; i < e && (h = memmem(b + i, e - i, tag, tn)) != NULL;
	     i = (size_t)(h - b) + tn) {
		size_t s = (size_t)(h - b) + tn, q;

		if (h == b || h[-1] != '<' || s >= e || (b[s] != '>' && b[s] != ' '))
			continue;
		while (s < e && b[s] != '>')
			s++;
		if (s >= e || b[s - 1] == '/')
			return SF_SPAN_NULL; /* <Tag ... /> */
		for (q = ++s; q < e && b[q] != '<'; q++)
			;
		return (sf_span){ b + s, q - s };
	}
	return SF_SPAN_NULL;
}

/* The value of attribute @name ("SystemTime") of element @tag in [@b, @e). */
static sf_span xml_attr(const char *b, size_t e, const char *tag, const char *name)
{
	const char *h = memmem(b, e, tag, strlen(tag)), *t;
	sf_span v;

	if (!h)
		return SF_SPAN_NULL;
	t = memchr(h, '>', e - (size_t)(h - b));
	if (!t || !sf_lr_kv(h, (size_t)(t - h), name, &v))
		return SF_SPAN_NULL;
	return v;
}

/*
 * The event XML view ("<Event xmlns=...>" .. "</Event>", at [@xb, @xe) of
 * the window): Provider Name as source, TimeCreated SystemTime as time,
 * Computer, Level, and every <Data Name="K">V</Data> as attribute K (a
 * Schannel AlertDesc as TLS-alert, ErrorState as SChannel-error-state); the
 * first unnamed <Data> is the reason.  Returns 1 if a TLS alert was given.
 */
static int xml_record(sf_logrd *rd, sf_log_event *ev, size_t xb, size_t xe)
{
	const char *b = rd->buf + xb, *h;
	size_t e = xe - xb, i;
	sf_span v;
	int alert = 0;

	if ((v = xml_attr(b, e, "<Provider", "Name")).p)
		sf_lr_attr(rd, ev, "source", 6, v.p, v.n);
	if ((v = xml_attr(b, e, "<TimeCreated", "SystemTime")).p)
		sf_lr_set(rd, &ev->time, v.p, v.n);
	if ((v = xml_text(b, e, 0, "Level")).p)
		sf_lr_attr(rd, ev, "level", 5, v.p, v.n);
	if ((v = xml_text(b, e, 0, "Computer")).p)
		sf_lr_attr(rd, ev, "computer", 8, v.p, v.n);
	for (i = 0; i < e && (h = memmem(b + i, e - i, "<Data", 5)) != NULL;) {
		size_t s = (size_t)(h - b), q;
		sf_span name = SF_SPAN_NULL, val;

		i = s + 5;
		if (i < e && b[i] != '>' && b[i] != ' ')
			continue;
		for (q = i; q < e && b[q] != '>'; q++)
			;
		if (q >= e || b[q - 1] == '/')
			continue;
		sf_lr_kv(b + i, q - i, "Name", &name);
		val = xml_text(b, e, s + 1, "Data");
		if (!val.p)
			continue;
		if (name.n == 9 && memcmp(name.p, "AlertDesc", 9) == 0) {
			sf_lr_attr(rd, ev, "TLS-alert", 9, val.p, val.n);
			alert = 1;
		} else if (name.n == 10 && memcmp(name.p, "ErrorState", 10) == 0) {
			sf_lr_attr(rd, ev, "SChannel-error-state", 20, val.p, val.n);
		} else if (name.n) {
			sf_lr_attr(rd, ev, name.p, name.n, val.p, val.n);
		} else if (!ev->reason && val.n) {
			sf_lr_set_unfold(rd, &ev->reason, val);
			if (ev->reason && strlen(ev->reason) > SF_EV_REASON)
				ev->reason[SF_EV_REASON] = '\0';
		}
		i = (size_t)(val.p - b) + val.n;
	}
	return alert;
}

void sf_event_hit(sf_logrd *rd, size_t pos)
{
	const char *b = rd->buf, *t;
	size_t start, p, hi, lo, ls, rec_b, rec_e, k, tn, code_e, textb;
	size_t lpos[EL_COUNT], vpos[EL_COUNT];
	sf_span v;
	sf_log_event *ev;
	long code = 0;
	int viewer = 0, diag, nd = 0, nblank, resolution = 0, info = 0;
	sf_span lsrc, llevel, ltime;
	size_t lrest;
	size_t xml_e = SIZE_MAX;
	char last = 0;
	line l;

	start = id_word(rd, pos, &diag);
	p = pos + 2;
	if (start == SIZE_MAX || (p < rd->len && is_alnum((unsigned char)b[p])))
		return;
	/* the number: "Event ID: 32263", "Event ID 32263", <EventID Qualifiers="0">32263 */
	hi = sf_lr_hi(rd, p, 128);
	if (start > 0 && b[start - 1] == '<') {
		while (p < hi && b[p] != '>' && b[p] != '\n')
			p++;
	}
	while (p < hi &&
	       (is_blank((unsigned char)b[p]) || b[p] == ':' || b[p] == '=' || b[p] == '#' ||
		b[p] == '>') &&
	       p - pos < 48)
		p++;
	while (p < hi && is_digit((unsigned char)b[p]) && nd < 9) {
		code = code * 10 + (b[p] - '0');
		p++;
		nd++;
	}
	if (nd == 0 || (p < hi && is_alnum((unsigned char)b[p])))
		return;
	code_e = p;

	/* the record: Event Viewer fields before the ID, then its paragraph(s) */
	lo = sf_lr_lo(rd, start, 4096);
	ls = sf_lr_bol(rd, start, lo);
	rec_b = ls;
	for (k = 0, p = ls; k < 24 && p > lo; k++) {
		size_t pb = sf_lr_bol(rd, p - 1, lo);

		line_at(rd, pb, p, &l);
		p = pb;
		if (l.cb == l.ce)
			continue; /* double-spaced text */
		if (label_at(b + l.cb, l.ce - l.cb, 0, EV_VIEWER) < 0)
			break;
		rec_b = pb;
		viewer = 1;
	}
	hi = sf_lr_hi(rd, ls, 16384);
	rec_e = code_e;
	nblank = 0;
	for (k = 0, p = ls; k < SF_EV_LINES && p < hi; k++, p = l.next) {
		line_at(rd, p, hi, &l);
		if (l.cb == l.ce) {
			nblank++;
			if (l.next <= p)
				break;
			continue;
		}
		if (k > 0 && sf_lr_prefix_ci(b + l.cb, l.ce - l.cb, "Event Xml:")) {
			/* the XML view of the same event: read past it, do not read it again */
			const char *x = memmem(b + l.cb, hi - l.cb, "</Event>", 8);

			/* unterminated: what was searched is not searched again */
			xml_e = x ? (size_t)(x - b) + 8 : hi;
			break;
		}
		if (k > 0 && (nblank ? !goes_on(rd, &l, last, viewer && !resolution)
				     : (sf_lr_prefix_ci(b + l.cb, l.ce - l.cb, "Log Name:") ||
					sf_lr_prefix_ci(b + l.cb, l.ce - l.cb, "Event ID") ||
					sf_lr_prefix_ci(b + l.cb, l.ce - l.cb, "Diagnostic ID"))))
			break;
		nblank = 0;
		{
			/* another event ID ends this record (and bounds the work per ID) */
			size_t q = k == 0 ? code_e : l.cb, w = SIZE_MAX;
			const char *h;
			int dg;

			while (q < l.ce && (h = memmem(b + q, l.ce - q, "ID", 2)) != NULL) {
				size_t at = (size_t)(h - b), ws = id_word(rd, at, &dg);

				if (ws != SIZE_MAX && ws >= code_e) {
					w = ws;
					break;
				}
				q = at + 2;
			}
			if (w != SIZE_MAX) {
				if (w > rec_e)
					rec_e = w;
				break;
			}
		}
		if (label_at(b + l.cb, l.ce - l.cb, EL_DESCRIPTION, EL_DESCRIPTION + 1) >= 0)
			viewer = 1;
		/* the resolution is the last paragraph of an event's description */
		if (label_at(b + l.cb, l.ce - l.cb, EL_RESOLUTION, EL_RESOLUTION + 1) >= 0)
			resolution = 1;
		last = b[l.ce - 1];
		if (l.e > rec_e)
			rec_e = l.e;
		if (l.next <= p)
			break;
	}

	ev = sf_lr_event(rd, SF_LOG_EVENT, ls);
	if (!ev)
		return;
	ev->code = (int)code;
	{
		char num[16];
		int nn = snprintf(num, sizeof(num), "%ld", code);

		sf_lr_attr(rd, ev, diag ? "diagnostic_id" : "event_id", diag ? 13 : 8, num,
			   (size_t)nn);
	}
	if (start > 0 && b[start - 1] == '<') {
		/* the XML view: its elements, not the text after the number */
		size_t xlo = sf_lr_lo(rd, start, 4096), xb = start - 1, xe;
		const char *x;

		for (p = start - 1; p > xlo; p--) {
			if (b[p - 1] == '<' && p + 5 <= start && memcmp(b + p, "Event", 5) == 0 &&
			    (b[p + 5] == ' ' || b[p + 5] == '>')) {
				xb = p - 1;
				break;
			}
		}
		hi = sf_lr_hi(rd, start, 16384);
		x = memmem(b + start, hi - start, "</Event>", 8);
		xe = x ? (size_t)(x - b) + 8 : hi;
		if (!xml_record(rd, ev, xb, xe))
			sf_generic_tls(rd, ev, xb, xe);
		sf_lr_consume(rd, xe);
		sf_lr_emit(rd, ev);
		return;
	}
	/* the record unfolded onto one line (pasted text breaks anywhere), its labels */
	tn = sf_span_unfold((sf_span){ b + rec_b, rec_e - rec_b }, rd->tmp, SF_LR_TMP);
	if (tn >= SF_LR_TMP)
		tn = SF_LR_TMP - 1;
	t = rd->tmp;
	find_labels(t, tn, lpos, vpos);
	/* where the ID's number ends in the unfolded text: after the ID label or literal */
	{
		/* the record text from the ID word on, unfolded the same way */
		size_t pre = sf_span_unfold((sf_span){ b + rec_b, start - rec_b }, NULL, 0);

		textb = pre < tn ? pre : tn;
		while (textb < tn && !is_digit((unsigned char)t[textb]))
			textb++;
		while (textb < tn && is_digit((unsigned char)t[textb]))
			textb++;
	}
	if (lpos[EL_SOURCE] == SIZE_MAX && lpos[EL_LEVEL] == SIZE_MAX &&
	    list_row(t, textb, tn, &lsrc, &llevel, &ltime, &lrest)) {
		/* a row of the list view: source, level and date before the description */
		if (lsrc.n)
			sf_lr_attr(rd, ev, "source", 6, lsrc.p, lsrc.n);
		sf_lr_attr(rd, ev, "level", 5, llevel.p, llevel.n);
		if (ltime.n)
			sf_lr_set(rd, &ev->time, ltime.p, ltime.n);
		textb = lrest;
		info = level_is_info(llevel);
	}
	v = label_value(t, lpos, vpos, tn, EL_SOURCE);
	if (v.p)
		sf_lr_attr(rd, ev, "source", 6, v.p, v.n);
	v = label_value(t, lpos, vpos, tn, EL_LEVEL);
	if (v.p) {
		sf_lr_attr(rd, ev, "level", 5, v.p, v.n);
		info = level_is_info(v);
	}
	if ((v = named_host(t, tn)).n)
		sf_lr_attr(rd, ev, "Peer", 4, v.p, v.n);
	v = label_value(t, lpos, vpos, tn, EL_COMPUTER);
	if (v.p)
		sf_lr_attr(rd, ev, "computer", 8, v.p, v.n);
	v = label_value(t, lpos, vpos, tn, EL_ERRID);
	if (v.p) {
		size_t e = 0;

		while (e < v.n && v.p[e] != ',')
			e++;
		sf_lr_attr(rd, ev, "error_identifier", 16, v.p, e);
	}
	v = label_value(t, lpos, vpos, tn, EL_CAUSE);
	if (v.p)
		sf_lr_attr(rd, ev, "cause", 5, v.p, v.n);
	v = label_value(t, lpos, vpos, tn, EL_ERRCODE);
	if (v.p) {
		sf_lr_result(rd, ev, v.p, v.n);
	} else {
		/* "The error code of the last failure is 0x80090322(SEC_E_WRONG_PRINCIPAL)" */
		const char *ec = sf_lr_find_ci(t, tn, "error code");
		const char *hx = ec ? sf_lr_find_ci(ec, (size_t)(t + tn - ec), "0x") : NULL;

		if (hx && hx - ec < 48)
			sf_lr_result(rd, ev, hx,
				     (size_t)(t + tn - hx) < 96 ? (size_t)(t + tn - hx) : 96);
		/* else a SIP stack code anywhere in the text ("Last failure: 0xC3E93D67(...)") */
		if (!ev->result_code && !ev->hresult &&
		    ((hx = sf_lr_find_ci(t, tn, "0xC3E9")) != NULL ||
		     (hx = sf_lr_find_ci(t, tn, "0xC3E8")) != NULL))
			sf_lr_result(rd, ev, hx,
				     (size_t)(t + tn - hx) < 96 ? (size_t)(t + tn - hx) : 96);
	}
	v = label_value(t, lpos, vpos, tn, EL_DATE);
	if (v.p)
		sf_lr_set(rd, &ev->time, v.p, v.n);
	/* reason: the description, else the text after the number */
	v = label_value(t, lpos, vpos, tn, EL_DESCRIPTION);
	if (v.p && skip_separators(v.p, v.n) == v.n) {
		/* the description starts with "Error code:": all of it up to the resolution */
		size_t e = lpos[EL_RESOLUTION] != SIZE_MAX &&
					   lpos[EL_RESOLUTION] > vpos[EL_DESCRIPTION]
				   ? lpos[EL_RESOLUTION]
				   : tn;

		v.n = e - vpos[EL_DESCRIPTION];
	} else if (!v.p && textb < tn) {
		v = (sf_span){ t + textb, value_end(lpos, textb, tn) - textb };
		/* a word or two before "Error code:" says nothing: take the rest then */
		if (v.n - skip_separators(v.p, v.n) < 12) {
			size_t e = lpos[EL_RESOLUTION] != SIZE_MAX && lpos[EL_RESOLUTION] > textb
					   ? lpos[EL_RESOLUTION]
					   : tn;

			v = (sf_span){ t + textb, e - textb };
		}
	}
	if (v.p) {
		size_t s = skip_separators(v.p, v.n);

		v.p += s;
		v.n -= s;
		drop_closing(v.p, &v.n);
		if (v.n > SF_EV_REASON)
			v.n = SF_EV_REASON;
		sf_lr_set(rd, &ev->reason, v.p, v.n);
	}
	/* a Schannel alert code and error state, an OpenSSL reason in the text */
	sf_generic_tls(rd, ev, rec_b, rec_e);
	/* the whole record: a code in its description is not another event */
	sf_lr_consume(rd, xml_e != SIZE_MAX && xml_e > rec_e ? xml_e : rec_e);
	if (info && !ev->result_code && !ev->hresult) {
		/* an Information / Verbose event without an error code is no failure */
		sf_log_event_free(ev);
		return;
	}
	sf_lr_emit(rd, ev);
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */
/* ------------------------------------------------------------------ */

static int event_detect(const char *b, size_t n)
{
	return (sf_detect_word_number(b, n, "Event ID") || memmem(b, n, "<EventID", 8) ||
		sf_detect_word_number(b, n, "Diagnostic ID")) ?
		       SF_DETECT_STRONG :
		       SF_DETECT_NO;
}

static const sf_lit event_lits[] = {
	{ "ID", 0, sf_event_hit },
};

const sf_reader sf_reader_event = {
	.type = SF_LOGT_EVENT,
	.detect = event_detect,
	.lits = event_lits,
	.n_lits = sizeof(event_lits) / sizeof(event_lits[0]),
};
