/*
 * SIP message parser (RFC 3261 §7, §20, §25), lenient for logs and strict
 * for the RFC 4475 torture messages, and the key="value" list parser shared
 * with ms-diagnostics (msdiag.c).
 *
 * Every scan below moves forward through the caller's bytes and is bounded by
 * the length it is given: no function reads past it, none goes back over
 * bytes it has already passed except to trim (so a message costs O(len)),
 * and nothing recurses.  Embedded NUL bytes are ordinary bytes.
 */
#include "sip/sip.h"

#include <string.h>

/* ---- character classes (RFC 3261 §25.1) ---- */

enum {
	C_TOK = 1 << 0, /* token: alphanum and - . ! % * _ + ` ' ~ */
	C_LWS = 1 << 1, /* SP, HT and the CR/LF of a folded line */
	C_WSP = 1 << 2, /* SP, HT */
	C_DIG = 1 << 3,
	C_ALP = 1 << 4,
	C_HEX = 1 << 5,
	C_URI = 1 << 6, /* reserved / unreserved (RFC 2396 §2), "[" "]"; '%' is checked apart */
};

#define C_AN (C_TOK | C_URI)
static const unsigned char cclass[256] = {
	['\t'] = C_LWS | C_WSP, ['\n'] = C_LWS, ['\r'] = C_LWS, [' '] = C_LWS | C_WSP,
	['!'] = C_TOK | C_URI, ['%'] = C_TOK, ['\''] = C_TOK | C_URI, ['*'] = C_TOK | C_URI,
	['+'] = C_TOK | C_URI, ['-'] = C_TOK | C_URI, ['.'] = C_TOK | C_URI,
	['_'] = C_TOK | C_URI, ['`'] = C_TOK, ['~'] = C_TOK | C_URI,
	['('] = C_URI, [')'] = C_URI, [';'] = C_URI, ['/'] = C_URI, ['?'] = C_URI,
	[':'] = C_URI, ['@'] = C_URI, ['&'] = C_URI, ['='] = C_URI, ['$'] = C_URI,
	[','] = C_URI, ['['] = C_URI, [']'] = C_URI,
	['0' ... '9'] = C_AN | C_DIG | C_HEX,
	['A' ... 'F'] = C_AN | C_ALP | C_HEX, ['G' ... 'Z'] = C_AN | C_ALP,
	['a' ... 'f'] = C_AN | C_ALP | C_HEX, ['g' ... 'z'] = C_AN | C_ALP,
};
#undef C_AN

static int is_wsp(unsigned char c)
{
	return cclass[c] & C_WSP;
}

static int is_lws(unsigned char c)
{
	return cclass[c] & C_LWS;
}

static int is_digit(unsigned char c)
{
	return cclass[c] & C_DIG;
}

static int is_alpha(unsigned char c)
{
	return cclass[c] & C_ALP;
}

static int is_alnum(unsigned char c)
{
	return cclass[c] & (C_ALP | C_DIG);
}

static int is_hex(unsigned char c)
{
	return cclass[c] & C_HEX;
}

static int is_token(unsigned char c)
{
	return cclass[c] & C_TOK;
}

static unsigned char lower(unsigned char c)
{
	return (unsigned char)(c + (((unsigned)(c - 'A') < 26u) << 5)); /* 'A'..'Z' + 32 */
}

static int eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Does s[i..n) start with the @k bytes of @lit (ASCII case-insensitive)? */
static int prefix_ci_n(const char *s, size_t n, size_t i, const char *lit, size_t k)
{
	return i <= n && n - i >= k && eq_ci(s + i, k, lit, k);
}

#define prefix_ci(s, n, i, lit) prefix_ci_n(s, n, i, lit, sizeof(lit) - 1)

static size_t skip_lws(const char *s, size_t n, size_t i)
{
	while (i < n && is_lws((unsigned char)s[i]))
		i++;
	return i;
}

static size_t skip_wsp(const char *s, size_t n, size_t i)
{
	while (i < n && is_wsp((unsigned char)s[i]))
		i++;
	return i;
}

static size_t skip_token(const char *s, size_t n, size_t i)
{
	while (i < n && is_token((unsigned char)s[i]))
		i++;
	return i;
}

/* ---- header names and their compact forms ---- */

/* RFC 3261 §7.3.3 and §20, and the compact forms later RFCs registered; by letter. */
#define LONG(lit) { lit, sizeof(lit) - 1 }
static const struct {
	const char *name;
	size_t n;
} compact_forms[26] = {
	['a' - 'a'] = LONG("Accept-Contact"),      /* RFC 3841 */
	['b' - 'a'] = LONG("Referred-By"),         /* RFC 3892 */
	['c' - 'a'] = LONG("Content-Type"),        /* RFC 3261 */
	['d' - 'a'] = LONG("Request-Disposition"), /* RFC 3841 */
	['e' - 'a'] = LONG("Content-Encoding"),    /* RFC 3261 */
	['f' - 'a'] = LONG("From"),                /* RFC 3261 */
	['i' - 'a'] = LONG("Call-ID"),             /* RFC 3261 */
	['j' - 'a'] = LONG("Reject-Contact"),      /* RFC 3841 */
	['k' - 'a'] = LONG("Supported"),           /* RFC 3261 */
	['l' - 'a'] = LONG("Content-Length"),      /* RFC 3261 */
	['m' - 'a'] = LONG("Contact"),             /* RFC 3261 */
	['n' - 'a'] = LONG("Identity-Info"),       /* RFC 4474 */
	['o' - 'a'] = LONG("Event"),               /* RFC 6665 */
	['r' - 'a'] = LONG("Refer-To"),            /* RFC 3515 */
	['s' - 'a'] = LONG("Subject"),             /* RFC 3261 */
	['t' - 'a'] = LONG("To"),                  /* RFC 3261 */
	['u' - 'a'] = LONG("Allow-Events"),        /* RFC 6665 */
	['v' - 'a'] = LONG("Via"),                 /* RFC 3261 */
	['x' - 'a'] = LONG("Session-Expires"),     /* RFC 4028 */
	['y' - 'a'] = LONG("Identity"),            /* RFC 4474 */
};
#undef LONG

/* The long form of a header name: a compact form maps to its name, others stay. */
static void name_canon(const char **p, size_t *n)
{
	unsigned char c;

	if (*n != 1)
		return;
	c = lower((unsigned char)**p);
	if (c >= 'a' && c <= 'z' && compact_forms[c - 'a'].name) {
		*p = compact_forms[c - 'a'].name;
		*n = compact_forms[c - 'a'].n;
	}
}

enum hid {
	H_OTHER,
	H_VIA,
	H_TO,
	H_FROM,
	H_CALLID,
	H_CSEQ,
	H_CLEN,
	H_MAXFWD,
	H_CONTACT,
	H_ROUTE,
	H_RROUTE,
	H_REPLYTO,
	H_DATE,
};

#define KNOWN(id, lit) { id, lit, sizeof(lit) - 1 }
static const struct {
	enum hid id;
	const char *name;
	size_t n;
} known_headers[] = {
	KNOWN(H_VIA, "Via"),
	KNOWN(H_TO, "To"),
	KNOWN(H_FROM, "From"),
	KNOWN(H_CALLID, "Call-ID"),
	KNOWN(H_CSEQ, "CSeq"),
	KNOWN(H_CLEN, "Content-Length"),
	KNOWN(H_MAXFWD, "Max-Forwards"),
	KNOWN(H_CONTACT, "Contact"),
	KNOWN(H_ROUTE, "Route"),
	KNOWN(H_RROUTE, "Record-Route"),
	KNOWN(H_REPLYTO, "Reply-To"),
	KNOWN(H_DATE, "Date"),
};
#undef KNOWN

static enum hid header_id(const char *p, size_t n)
{
	size_t i;

	name_canon(&p, &n);
	for (i = 0; i < sizeof(known_headers) / sizeof(known_headers[0]); i++)
		if (n == known_headers[i].n && eq_ci(p, n, known_headers[i].name, n))
			return known_headers[i].id;
	return H_OTHER;
}

sf_span sf_sip_header_get(const sf_sip_msg *m, const char *name)
{
	const char *q;
	size_t qn, i;

	if (!m || !name || !m->h)
		return SF_SPAN_NULL;
	q = name;
	qn = strlen(name);
	name_canon(&q, &qn);
	for (i = 0; i < m->n_h; i++) {
		const char *hp = m->h[i].name.p;
		size_t hn = m->h[i].name.n;

		name_canon(&hp, &hn);
		if (eq_ci(hp, hn, q, qn))
			return m->h[i].value;
	}
	return SF_SPAN_NULL;
}

/* ---- grammar pieces for the strict checks ---- */

/*
 * Unsigned decimal of s[*i..): at least one digit, all digits consumed; the
 * value saturates at @cap + 1 so that overlarge numbers compare as too large.
 * Returns the number of digits (0: none).
 */
static size_t parse_uint(const char *s, size_t n, size_t *i, uint64_t cap, uint64_t *out)
{
	uint64_t v = 0;
	size_t k = *i;

	while (k < n && is_digit((unsigned char)s[k])) {
		if (v <= cap)
			v = v * 10 + (uint64_t)(s[k] - '0');
		k++;
	}
	if (v > cap)
		v = cap + 1;
	*out = v;
	k -= *i;
	*i += k;
	return k;
}

/*
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1)
 * at s[*i] == '"'.  Raw controls other than HT and folds are refused.
 */
static int parse_quoted(const char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;

	while (k < n) {
		unsigned char c = (unsigned char)s[k];

		if (c == '\\') {
			/* quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) */
			if (k + 1 >= n || s[k + 1] == '\r' || s[k + 1] == '\n' ||
			    (unsigned char)s[k + 1] > 0x7f)
				return -1;
			k += 2;
			continue;
		}
		if (c == '"') {
			*i = k + 1;
			return 0;
		}
		if ((c < 0x20 && !is_lws(c)) || c == 0x7f)
			return -1;
		k++;
	}
	return -1; /* unterminated: RFC 4475 §3.1.2.6 */
}

/* host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1) */
static int parse_host(const char *s, size_t n, size_t *i)
{
	size_t k = *i, b;

	if (k < n && s[k] == '[') {
		b = ++k;
		while (k < n && (is_hex((unsigned char)s[k]) || s[k] == ':' || s[k] == '.'))
			k++;
		if (k == b || k >= n || s[k] != ']')
			return -1;
		*i = k + 1;
		return 0;
	}
	if (k >= n || !is_alnum((unsigned char)s[k]))
		return -1;
	while (k < n && (is_alnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '.'))
		k++;
	*i = k;
	return 0;
}

/* gen-value = token / host / quoted-string */
static int parse_gen_value(const char *s, size_t n, size_t *i)
{
	size_t k = *i;

	if (k < n && s[k] == '"')
		return parse_quoted(s, n, i);
	if (k < n && s[k] == '[')
		return parse_host(s, n, i);
	k = skip_token(s, n, k);
	if (k == *i)
		return -1;
	*i = k;
	return 0;
}

/* *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ]; no empty ones. */
static int parse_params(const char *s, size_t n, size_t *i)
{
	size_t k = *i, t, j;

	for (;;) {
		k = skip_lws(s, n, k);
		if (k >= n || s[k] != ';')
			break;
		k = skip_lws(s, n, k + 1);
		t = k;
		k = skip_token(s, n, k);
		if (k == t)
			return -1; /* ";;" RFC 4475 §3.1.2.1 */
		j = skip_lws(s, n, k);
		if (j < n && s[j] == '=') {
			k = skip_lws(s, n, j + 1);
			if (parse_gen_value(s, n, &k) < 0)
				return -1;
		}
	}
	*i = k;
	return 0;
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static int parse_scheme(const char *s, size_t n, size_t *i)
{
	size_t k = *i;

	if (k >= n || !is_alpha((unsigned char)s[k]))
		return -1;
	while (k < n && (is_alnum((unsigned char)s[k]) || s[k] == '+' || s[k] == '-' ||
			 s[k] == '.'))
		k++;
	if (k >= n || s[k] != ':')
		return -1;
	*i = k + 1;
	return 0;
}

/*
 * Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params )   (RFC 3261 §20.42)
 */
static int check_via(const char *s, size_t n)
{
	size_t i = 0, t, j, k;
	uint64_t port;

	for (;;) {
		i = skip_lws(s, n, i);
		/* sent-protocol = protocol-name SLASH protocol-version SLASH transport */
		for (k = 0; k < 3; k++) {
			if (k) {
				i = skip_lws(s, n, i);
				if (i >= n || s[i] != '/')
					return -1;
				i = skip_lws(s, n, i + 1);
			}
			t = i;
			i = skip_token(s, n, i);
			if (i == t)
				return -1;
		}
		t = i;
		i = skip_lws(s, n, i);
		if (i == t || parse_host(s, n, &i) < 0)
			return -1;
		j = skip_lws(s, n, i);
		if (j < n && s[j] == ':') {
			i = skip_lws(s, n, j + 1);
			if (parse_uint(s, n, &i, 65535, &port) == 0 || port > 65535)
				return -1;
		}
		if (parse_params(s, n, &i) < 0)
			return -1;
		if (i >= n)
			return 0;
		if (s[i] != ',')
			return -1;
		i++;
	}
}

/*
 * To/From/Reply-To (one value) and Contact/Route/Record-Route (a list):
 * ( name-addr / addr-spec ) *( SEMI generic-param ),
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT,
 * display-name = *(token LWS) / quoted-string   (RFC 3261 §20.10, §25.1).
 * @angle: only name-addr (Route, Record-Route).
 */
static int check_addr(const char *s, size_t n, int list, int angle)
{
	size_t i = 0, t;

	for (;;) {
		int in_angle = 0;

		i = skip_lws(s, n, i);
		if (i >= n)
			return -1;
		if (s[i] == '"') {
			if (parse_quoted(s, n, &i) < 0)
				return -1;
			i = skip_lws(s, n, i);
			if (i >= n || s[i] != '<')
				return -1;
			in_angle = 1;
		} else if (s[i] == '<') {
			in_angle = 1;
		} else {
			t = skip_token(s, n, i);
			if (t == i)
				return -1; /* "Bell, Alexander": RFC 4475 §3.1.2.15 */
			if (t < n && s[t] == ':') {
				/* addr-spec without <>: no ',', '?' in it (RFC 3261 §20) */
				if (angle || parse_scheme(s, n, &i) < 0)
					return -1;
				while (i < n && !is_lws((unsigned char)s[i]) && s[i] != ';' &&
				       s[i] != ',') {
					unsigned char c = (unsigned char)s[i];

					if (c == '?' || c == '<' || c == '>' || c == '"' ||
					    c < 0x20 || c == 0x7f)
						return -1; /* RFC 4475 §3.1.2.13 */
					i++;
				}
			} else {
				i = t;
				for (;;) {
					i = skip_lws(s, n, i);
					if (i < n && s[i] == '<')
						break;
					t = i;
					i = skip_token(s, n, i);
					if (i == t)
						return -1;
				}
				in_angle = 1;
			}
		}
		if (in_angle) {
			/* LAQUOT addr-spec RAQUOT: no LWS inside (RFC 4475 §3.1.2.14) */
			i++;
			if (parse_scheme(s, n, &i) < 0)
				return -1;
			while (i < n && s[i] != '>') {
				unsigned char c = (unsigned char)s[i];

				if (c <= 0x20 || c == 0x7f || c == '<' || c == '"')
					return -1;
				i++;
			}
			if (i >= n)
				return -1;
			i++;
		}
		if (parse_params(s, n, &i) < 0)
			return -1;
		if (i >= n)
			return 0;
		if (!list || s[i] != ',')
			return -1;
		i++;
	}
}

/* rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17, RFC 2616 §3.3.1) */
static int check_date(const char *s, size_t n)
{
	static const char wkdays[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char shape[] = "www, dd mmm yyyy hh:mm:ss GMT";
	size_t i, k;
	int ok;

	if (n != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (shape[i] == 'd' || shape[i] == 'y' || shape[i] == 'h' || shape[i] == 's' ||
		    (shape[i] == 'm' && i > 12)) {
			if (!is_digit((unsigned char)s[i]))
				return -1;
		} else if (shape[i] != 'w' && shape[i] != 'm' && s[i] != shape[i]) {
			return -1; /* "EST" instead of "GMT": RFC 4475 §3.1.2.12 */
		}
	}
	for (ok = 0, k = 0; k < 7; k++)
		ok |= memcmp(s, wkdays + 3 * k, 3) == 0;
	if (!ok)
		return -1;
	for (ok = 0, k = 0; k < 12; k++)
		ok |= memcmp(s + 8, months + 3 * k, 3) == 0;
	return ok ? 0 : -1;
}

/*
 * Request-URI = SIP-URI / SIPS-URI / absoluteURI: the scheme, then only uric
 * characters (reserved / unreserved / escaped, plus "[" "]" of an IPv6
 * reference) and every '%' followed by two hex digits (RFC 3261 §25.1,
 * RFC 2396 §2).  A sip/sips URI must not carry headers ("?") in a
 * Request-URI (RFC 3261 §19.1.1 table; RFC 4475 §3.1.2.11); user parts may
 * hold '?' and ';', so look only after the '@'.
 */
static int check_request_uri(const char *s, size_t n)
{
	size_t i = 0, hp, k;

	if (parse_scheme(s, n, &i) < 0 || i >= n)
		return -1;
	for (k = i; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == '%') {
			if (k + 2 >= n || !is_hex((unsigned char)s[k + 1]) ||
			    !is_hex((unsigned char)s[k + 2]))
				return -1;
			k += 2;
		} else if (!(cclass[c] & C_URI)) {
			return -1;
		}
	}
	if (!prefix_ci(s, n, 0, "sip:") && !prefix_ci(s, n, 0, "sips:"))
		return 0;
	hp = i;
	for (k = i; k < n; k++) {
		if (s[k] == '@') {
			hp = k + 1;
			break;
		}
	}
	for (k = hp; k < n; k++)
		if (s[k] == '?')
			return -1;
	return 0;
}

/* "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1); the literal is case-insensitive. */
static int is_version(const char *s, size_t n)
{
	size_t i = 4, b;

	if (!prefix_ci(s, n, 0, "SIP/"))
		return 0;
	b = i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == b || i >= n || s[i] != '.')
		return 0;
	b = ++i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	return i > b && i == n;
}

static int is_v20(const char *s, size_t n)
{
	return n == 7 && prefix_ci(s, n, 0, "SIP/2.0");
}

/* ---- the message parser ---- */

struct line {
	size_t b, e;  /* content, without CR/LF */
	size_t next;  /* start of the next line (or the end) */
};

static void line_at(const char *buf, size_t len, size_t pos, struct line *l)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	l->b = pos;
	if (nl) {
		l->e = (size_t)(nl - buf);
		l->next = l->e + 1;
	} else {
		l->e = len;
		l->next = len;
	}
	if (l->e > l->b && buf[l->e - 1] == '\r')
		l->e--;
}

static int is_blank(const char *buf, const struct line *l)
{
	return skip_wsp(buf, l->e, l->b) == l->e;
}

struct pstate {
	const char *buf;
	size_t len;
	int strict;
	sf_sip_msg *m;
	sf_sip_header *hdrs;
	size_t max_hdrs;
	unsigned seen;       /* bits of enum hid of the mandatory headers seen */
	int have_clen, have_cseq;
	uint64_t clen;       /* saturated at len + 1 */
	int clen_bad;
};

/*
 * Start line, lenient extraction into @m; -1 if the line is no SIP start
 * line at all.  Flags only what both modes flag.
 */
static int start_lenient(const char *s, size_t b, size_t e, sf_sip_msg *m)
{
	size_t i = skip_wsp(s, e, b), t, we, wb;
	uint64_t code;

	if (prefix_ci(s, e, i, "SIP/")) {
		/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
		t = i;
		while (t < e && !is_wsp((unsigned char)s[t]))
			t++;
		if (!is_version(s + i, t - i))
			return -1; /* e.g. a Via value "SIP/2.0/TLS host" */
		m->version = (sf_span){ s + i, t - i };
		if (!is_v20(s + i, t - i))
			m->flags |= SF_SIP_BAD_VERSION;
		i = skip_wsp(s, e, t);
		t = i;
		if (parse_uint(s, e, &t, 999, &code) != 3 ||
		    (t < e && !is_wsp((unsigned char)s[t])) || code < 100 || code > 699) {
			m->flags |= SF_SIP_BAD_START;
			return 0;
		}
		m->status = (int)code;
		i = skip_wsp(s, e, t);
		we = e;
		while (we > i && is_wsp((unsigned char)s[we - 1]))
			we--;
		m->reason = (sf_span){ s + i, we - i };
		return 0;
	}
	/* Request-Line = Method SP Request-URI SP SIP-Version */
	t = skip_token(s, e, i);
	if (t == i || t >= e || !is_wsp((unsigned char)s[t]))
		return -1;
	we = e;
	while (we > t && is_wsp((unsigned char)s[we - 1]))
		we--;
	wb = we;
	while (wb > t && !is_wsp((unsigned char)s[wb - 1]))
		wb--;
	if (wb == t || !prefix_ci(s, we, wb, "SIP/"))
		return -1;
	m->is_request = 1;
	m->method = (sf_span){ s + i, t - i };
	m->version = (sf_span){ s + wb, we - wb };
	if (!is_v20(s + wb, we - wb))
		m->flags |= SF_SIP_BAD_VERSION;
	i = skip_wsp(s, wb, t);
	t = wb;
	while (t > i && is_wsp((unsigned char)s[t - 1]))
		t--;
	m->uri = (sf_span){ s + i, t - i };
	if (t == i)
		m->flags |= SF_SIP_BAD_START;
	return 0;
}

/* Start line, the exact grammar of RFC 3261 §7.1/§7.2 (strict mode only). */
static void start_strict(const char *s, size_t b, size_t e, sf_sip_msg *m)
{
	size_t i = b, t;
	uint64_t code;

	if (!m->is_request) {
		if (e - b < 8 || !is_v20(s + b, 7) || s[b + 7] != ' ') {
			if (!(m->flags & SF_SIP_BAD_VERSION))
				m->flags |= SF_SIP_BAD_START;
			return;
		}
		i = b + 8;
		/* Status-Code = 3DIGIT; RFC 4475 §3.1.2.19 */
		if (parse_uint(s, e, &i, 999, &code) != 3 || i >= e || s[i] != ' ') {
			m->flags |= SF_SIP_BAD_START;
			return;
		}
		/* Reason-Phrase: no controls but HT */
		for (i++; i < e; i++) {
			unsigned char c = (unsigned char)s[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				m->flags |= SF_SIP_BAD_START;
				return;
			}
		}
		return;
	}
	t = skip_token(s, e, i);
	if (t == i || t >= e || s[t] != ' ')
		goto bad;
	i = t + 1;
	t = i;
	while (t < e && s[t] != ' ')
		t++;
	if (t >= e || check_request_uri(s + i, t - i) < 0)
		goto bad; /* RFC 4475 §3.1.2.7, §3.1.2.8, §3.1.2.11 */
	i = t + 1;
	if (is_version(s + i, e - i))
		return; /* BAD_VERSION already set by the lenient pass if not 2.0 */
bad:
	m->flags |= SF_SIP_BAD_START; /* RFC 4475 §3.1.2.9, §3.1.2.10 */
}

/* Checks of one header once its value is complete (value trimmed). */
static void header_done(struct pstate *st, size_t nb, size_t ne, size_t vb, size_t ve)
{
	const char *s = st->buf;
	sf_sip_msg *m = st->m;
	enum hid id;
	size_t i;
	uint64_t v;

	while (vb < ve && is_lws((unsigned char)s[vb]))
		vb++;
	while (ve > vb && is_lws((unsigned char)s[ve - 1]))
		ve--;
	if (m->n_h < st->max_hdrs) {
		st->hdrs[m->n_h].name = (sf_span){ s + nb, ne - nb };
		st->hdrs[m->n_h].value = (sf_span){ s + vb, ve - vb };
		m->n_h++;
	} else {
		m->flags |= SF_SIP_TOO_MANY;
	}
	id = header_id(s + nb, ne - nb);
	if (id == H_VIA || id == H_TO || id == H_FROM || id == H_CALLID || id == H_CSEQ)
		st->seen |= 1u << id;
	s += vb;
	ve -= vb;
	switch (id) {
	case H_CLEN:
		/* Content-Length = 1*DIGIT (RFC 3261 §20.14); the first one counts */
		if (st->have_clen)
			break;
		st->have_clen = 1;
		i = 0;
		if (parse_uint(s, ve, &i, st->len, &st->clen) == 0 || i != ve)
			st->clen_bad = 1; /* RFC 4475 §3.1.2.3 */
		break;
	case H_CSEQ:
		/* CSeq = 1*DIGIT LWS Method, number < 2**31 (RFC 3261 §8.1.1.5, §20.16) */
		if (st->have_cseq)
			break;
		st->have_cseq = 1;
		i = 0;
		if (parse_uint(s, ve, &i, 0x7fffffff, &v) == 0 || v > 0x7fffffff) {
			m->flags |= SF_SIP_BAD_CSEQ; /* RFC 4475 §3.1.2.4, §3.1.2.5 */
			break;
		}
		vb = i;
		i = skip_lws(s, ve, i);
		if (i == vb || skip_token(s, ve, i) != ve || i == ve) {
			m->flags |= SF_SIP_BAD_CSEQ;
			break;
		}
		/* methods are case-sensitive (RFC 3261 §7.1); RFC 4475 §3.1.2.17 */
		if (m->is_request &&
		    (ve - i != m->method.n || memcmp(s + i, m->method.p, ve - i) != 0))
			m->flags |= SF_SIP_BAD_CSEQ;
		break;
	default:
		break;
	}
	if (!st->strict)
		return;
	switch (id) {
	case H_VIA:
		if (check_via(s, ve) < 0)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_MAXFWD:
		/* Max-Forwards = 1*DIGIT, 0..255 (RFC 3261 §20.22) */
		i = 0;
		if (parse_uint(s, ve, &i, 255, &v) == 0 || i != ve || v > 255)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_TO:
	case H_FROM:
	case H_REPLYTO:
		if (check_addr(s, ve, 0, 0) < 0)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_CONTACT:
		if (!(ve == 1 && s[0] == '*') && check_addr(s, ve, 1, 0) < 0)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_ROUTE:
	case H_RROUTE:
		if (check_addr(s, ve, 1, 1) < 0)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_DATE:
		if (check_date(s, ve) < 0)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	case H_CALLID:
		/* callid = word [ "@" word ]: one word, no LWS */
		for (i = 0; i < ve; i++)
			if (is_lws((unsigned char)s[i]) || (unsigned char)s[i] < 0x20)
				break;
		if (ve == 0 || i != ve)
			m->flags |= SF_SIP_BAD_VALUE;
		break;
	default:
		break;
	}
}

int sf_sip_parse(const char *buf, size_t len, sf_sip_header *hdrs, size_t max_hdrs, int strict,
		 sf_sip_msg *out)
{
	struct pstate st;
	struct line l;
	size_t pos = 0, nb = 0, ne = 0, vb = 0, ve = 0;
	int cur = 0, ended = 0;
	const unsigned need = (1u << H_VIA) | (1u << H_TO) | (1u << H_FROM) | (1u << H_CALLID) |
			      (1u << H_CSEQ);

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	out->h = hdrs;
	if (!buf)
		return -1;
	if (!hdrs)
		max_hdrs = 0;
	memset(&st, 0, sizeof(st));
	st.buf = buf;
	st.len = len;
	st.strict = strict;
	st.m = out;
	st.hdrs = hdrs;
	st.max_hdrs = max_hdrs;

	/* RFC 3261 §7.5: ignore empty lines before the start line */
	for (;;) {
		if (pos >= len)
			return -1;
		line_at(buf, len, pos, &l);
		if (!is_blank(buf, &l))
			break;
		pos = l.next;
	}
	if (start_lenient(buf, l.b, l.e, out) < 0) {
		memset(out, 0, sizeof(*out));
		out->h = hdrs;
		return -1;
	}
	if (strict)
		start_strict(buf, l.b, l.e, out);
	pos = l.next;

	while (pos < len) {
		size_t t, k;

		line_at(buf, len, pos, &l);
		pos = l.next;
		if (is_blank(buf, &l)) {
			/* CRLF ends the headers (RFC 3261 §7); whitespace on it is tolerated */
			if (strict && l.e > l.b)
				out->flags |= SF_SIP_BAD_HEADER;
			ended = 1;
			break;
		}
		if (is_wsp((unsigned char)buf[l.b])) {
			/* a folded line continues the header before it (RFC 3261 §7.3.1) */
			if (cur)
				ve = l.e;
			else
				out->flags |= SF_SIP_BAD_HEADER;
			continue;
		}
		/* message-header = field-name *(SP / HTAB) ":" value */
		t = skip_token(buf, l.e, l.b);
		k = skip_wsp(buf, l.e, t);
		if (t > l.b && k < l.e && buf[k] == ':') {
			if (cur)
				header_done(&st, nb, ne, vb, ve);
			cur = 1;
			nb = l.b;
			ne = t;
			vb = k + 1;
			ve = l.e;
			continue;
		}
		/* not a header line: kept with the previous header (a line broken in a PDF) */
		out->flags |= SF_SIP_BAD_HEADER;
		if (cur)
			ve = l.e;
	}
	if (cur)
		header_done(&st, nb, ne, vb, ve);
	if ((st.seen & need) != need)
		out->flags |= SF_SIP_MISSING;

	if (!ended) {
		out->flags |= SF_SIP_NO_END;
		out->header_len = len;
		out->body_len = 0;
		if (st.clen_bad)
			out->flags |= SF_SIP_BAD_CLEN;
		return 0;
	}
	out->header_len = pos;
	if (st.have_clen) {
		size_t avail = len - pos;

		if (st.clen_bad) {
			out->flags |= SF_SIP_BAD_CLEN;
		} else if (st.clen > avail) {
			out->flags |= SF_SIP_BAD_CLEN; /* RFC 4475 §3.1.2.2 */
			out->body_len = avail;
		} else {
			out->body_len = (size_t)st.clen;
		}
	}
	return 0;
}

/* ---- URI host ---- */

/* The host of the sip/sips URI at s[0..n) (a URI, maybe with header params after it). */
static int uri_host(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, k, end, hb, he;

	if (prefix_ci(s, n, 0, "sip:"))
		i = 4;
	else if (prefix_ci(s, n, 0, "sips:"))
		i = 5;
	else
		return -1;
	/* the URI ends at '>', LWS, ',' or '"'; userinfo ends at the first '@' */
	end = i;
	while (end < n && s[end] != '>' && !is_lws((unsigned char)s[end]) && s[end] != ',' &&
	       s[end] != '"')
		end++;
	hb = i;
	for (k = i; k < end; k++) {
		if (s[k] == '@') {
			hb = k + 1;
			break;
		}
	}
	if (hb < end && s[hb] == '[') {
		hb++;
		he = hb;
		while (he < end && s[he] != ']')
			he++;
		if (he >= end)
			return -1;
	} else {
		he = hb;
		while (he < end && s[he] != ':' && s[he] != ';' && s[he] != '?')
			he++;
	}
	if (he == hb || he - hb + 1 > outlen)
		return -1;
	for (k = hb; k < he; k++) {
		unsigned char c = (unsigned char)s[k];

		if (!is_alnum(c) && c != '-' && c != '.' && c != '_' && c != ':')
			return -1;
		if (c == ':' && s[hb - 1] != '[')
			return -1;
		out[k - hb] = (char)lower(c);
	}
	out[he - hb] = '\0';
	return 0;
}

int sf_sip_uri_host(sf_span value, char *out, size_t outlen)
{
	const char *s = value.p;
	size_t n = value.n, i = 0;
	int angle = 0;

	if (!s || !out || outlen == 0)
		return -1;
	/* every <URI> in turn, quoted display names skipped */
	while (i < n) {
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (s[i] == '<') {
			size_t b = ++i;

			angle = 1;
			while (i < n && s[i] != '>')
				i++;
			if (uri_host(s + b, i - b, out, outlen) == 0)
				return 0;
			continue;
		}
		i++;
	}
	if (angle)
		return -1;
	/* addr-spec without <> */
	i = skip_lws(s, n, 0);
	return uri_host(s + i, n - i, out, outlen);
}

/* ---- key="value" lists (Edge Data:, ms-diagnostics) ---- */

/*
 * A key at s[i]: token characters, possibly broken by a line break with
 * indentation, then optional whitespace and '='.  Returns 1 and the key
 * span [*kb, *ke) and the position after '=' in *after, or 0.
 */
static int parse_key(const char *s, size_t n, size_t i, size_t *kb, size_t *ke, size_t *after)
{
	size_t j = i, k;
	int brk;

	if (i >= n || !is_token((unsigned char)s[i]))
		return 0;
	*kb = i;
	for (;;) {
		j = skip_token(s, n, j);
		*ke = j;
		brk = 0;
		for (k = j; k < n && is_lws((unsigned char)s[k]); k++)
			if (s[k] == '\r' || s[k] == '\n')
				brk = 1;
		if (k < n && s[k] == '=') {
			*after = k + 1;
			return 1;
		}
		if (!brk || k >= n || !is_token((unsigned char)s[k]))
			return 0;
		j = k; /* "expected-\n fqdn": the key goes on after the break */
	}
}

/*
 * The closing '"' of a quoted string whose text starts at s[i]: the first '"'
 * after an even run of backslashes (each '\\' escapes the byte after it);
 * @n if there is none.  Each byte is looked at a bounded number of times.
 */
static size_t quote_end(const char *s, size_t n, size_t i)
{
	const char *q;
	size_t k, b;

	while (i < n && (q = memchr(s + i, '"', n - i)) != NULL) {
		k = (size_t)(q - s);
		for (b = k; b > i && s[b - 1] == '\\'; b--)
			;
		if ((k - b) % 2 == 0)
			return k;
		i = k + 1;
	}
	return n;
}

size_t sf_sip_params_parse_end(sf_span s, sf_sip_param *out, size_t max, size_t *out_end)
{
	const char *p = s.p;
	size_t n = s.n, i, kb, ke, after, vb, ve, cnt = 0, end = 0;

	if (!out)
		max = 0;
	if (!p)
		goto out;
	i = skip_lws(p, n, 0);
	if (i < n && p[i] == ';')
		i = skip_lws(p, n, i + 1);
	while (parse_key(p, n, i, &kb, &ke, &after)) {
		i = skip_lws(p, n, after);
		if (i < n && p[i] == '"') {
			vb = ++i;
			i = quote_end(p, n, i);
			ve = i;
			i = i < n ? i + 1 : n;
		} else {
			vb = i;
			while (i < n && !is_lws((unsigned char)p[i]) && p[i] != ';' &&
			       p[i] != ',' && p[i] != '"')
				i++;
			ve = i;
		}
		if (cnt < max) {
			out[cnt].key = (sf_span){ p + kb, ke - kb };
			out[cnt].value = (sf_span){ p + vb, ve - vb };
			cnt++;
		}
		end = i;
		i = skip_lws(p, n, i);
		if (i < n && p[i] == ';')
			i = skip_lws(p, n, i + 1);
	}
out:
	if (out_end)
		*out_end = end;
	return cnt;
}

size_t sf_sip_params_parse(sf_span s, sf_sip_param *out, size_t max)
{
	return sf_sip_params_parse_end(s, out, max, NULL);
}

sf_span sf_sip_param_get(const sf_sip_param *p, size_t n, const char *key)
{
	char buf[128];
	size_t i, kn;

	if (!p || !key)
		return SF_SPAN_NULL;
	kn = strlen(key);
	if (kn >= sizeof(buf))
		return SF_SPAN_NULL;
	for (i = 0; i < n; i++) {
		if (sf_span_unfold(p[i].key, buf, sizeof(buf)) == kn && eq_ci(buf, kn, key, kn))
			return p[i].value;
	}
	return SF_SPAN_NULL;
}

/* ---- unfolding ---- */

size_t sf_span_unfold(sf_span s, char *out, size_t outlen)
{
	const char *p = s.p;
	size_t n = s.n, i, j, o = 0;
	int prose = 0, brk;

	if (!out)
		outlen = 0;
	if (!p)
		n = 0;
	/* prose: an inner whitespace run without a line break */
	for (i = 0; i < n && !prose; i = j) {
		for (j = i; j < n && !is_lws((unsigned char)p[j]); j++)
			;
		if (j >= n)
			break;
		i = j;
		brk = 0;
		for (; j < n && is_lws((unsigned char)p[j]); j++)
			if (p[j] == '\r' || p[j] == '\n')
				brk = 1;
		if (!brk && i > 0 && j < n)
			prose = 1;
	}
	for (i = 0; i < n; i = j) {
		if (!is_lws((unsigned char)p[i])) {
			if (o + 1 < outlen)
				out[o] = p[i];
			o++;
			j = i + 1;
			continue;
		}
		brk = 0;
		for (j = i; j < n && is_lws((unsigned char)p[j]); j++)
			if (p[j] == '\r' || p[j] == '\n')
				brk = 1;
		if (!brk) {
			for (; i < j; i++, o++)
				if (o + 1 < outlen)
					out[o] = p[i];
			continue;
		}
		/* a line break: dropped at the ends, after '-', and inside a name */
		if (i == 0 || j == n || p[i - 1] == '-' || !prose)
			continue;
		if (o + 1 < outlen)
			out[o] = ' ';
		o++;
	}
	if (outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
	return o;
}
