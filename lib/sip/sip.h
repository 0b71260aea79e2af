/*
 * SIP message and ms-diagnostics parsing (RFC 3261 §7, §25; MS-SIPRE for
 * ms-diagnostics).  Zero-copy: results point into the caller's buffer.
 * Everything parsed is untrusted; every function is bounded by its length
 * argument and never reads past it.
 */
#ifndef SF_SIP_H
#define SF_SIP_H

#include <stddef.h>
#include <stdint.h>

/* A byte range of the caller's buffer; not NUL-terminated. */
typedef struct sf_span {
	const char *p;
	size_t n;
} sf_span;

#define SF_SPAN_NULL ((sf_span){ NULL, 0 })

typedef struct sf_sip_header {
	sf_span name;  /* as written ("i", "Call-ID") */
	sf_span value; /* trimmed; may still contain folded line breaks (CRLF/LF + WSP) */
} sf_sip_header;

/* Anomalies found while parsing (bit flags); a message with any is "invalid". */
enum {
	SF_SIP_BAD_START = 1 << 0,    /* start line is not a SIP request/status line */
	SF_SIP_BAD_HEADER = 1 << 1,   /* a header line without a valid name and ':' */
	SF_SIP_NO_END = 1 << 2,       /* no empty line ends the headers */
	SF_SIP_BAD_CLEN = 1 << 3,     /* Content-Length not a number or beyond the data */
	SF_SIP_MISSING = 1 << 4,      /* a mandatory header (To, From, Call-ID, CSeq, Via) missing */
	SF_SIP_BAD_CSEQ = 1 << 5,     /* CSeq not "number method", or method differs */
	SF_SIP_BAD_VERSION = 1 << 6,  /* not SIP/2.0 */
	SF_SIP_BAD_VALUE = 1 << 7,    /* other syntax error in a known header (Via, Max-Forwards...) */
	SF_SIP_TOO_MANY = 1 << 8,     /* more headers than the caller's array holds */
};

typedef struct sf_sip_msg {
	int is_request;
	sf_span method, uri;  /* request line */
	int status;           /* response: 100..699 */
	sf_span reason;       /* response reason phrase */
	sf_span version;
	sf_sip_header *h;     /* caller's array */
	size_t n_h;
	size_t header_len;    /* bytes of start line + headers + the empty line */
	size_t body_len;      /* by Content-Length (0 if absent) */
	unsigned flags;       /* SF_SIP_* anomalies */
} sf_sip_msg;

/*
 * Parses the SIP message at @buf (@len bytes), lines ended by CRLF or LF
 * (RFC 3261 §7).  Headers go into @hdrs (up to @max_hdrs; more set
 * SF_SIP_TOO_MANY but are still checked).  Empty lines before the start line
 * are skipped (RFC 3261 §7.5).
 *
 * Lenient (@strict == 0, for logs): the start line may be indented and its
 * parts separated by any run of SP/HT ("METHOD uri SIP/2.0" or
 * "SIP/2.0 504 Server time-out"); header names are compared case-insensitively;
 * a line starting with SP/HT continues the previous header; a line that is
 * not "token [WSP] :" is appended to the previous header too (text pasted from
 * PDFs) and sets SF_SIP_BAD_HEADER; a line of only whitespace ends the headers;
 * a message without that empty line sets SF_SIP_NO_END and still returns 0.
 * Checked in both modes: SIP version, Content-Length, CSeq ("number method",
 * number < 2**31, method equal to the request's), the mandatory headers.
 *
 * Strict (@strict == 1, RFC 4475 torture tests): also the exact start line
 * (single SPs, Request-URI characters and escapes, no headers in a sip(s)
 * Request-URI, no trailing SP, 3-digit status), Via, Max-Forwards (0..255),
 * To/From/Contact/Route/Record-Route/Reply-To (quoted strings terminated,
 * display names of tokens, no LWS inside <>, no '?' in an addr-spec without
 * <>, no empty parameters), Date (RFC 1123, GMT), Call-ID (one word).
 *
 * header_len counts from @buf (leading empty lines included) to the end of
 * the empty line (all of @len with SF_SIP_NO_END); body_len is the
 * Content-Length, clamped to the bytes present (0 with SF_SIP_NO_END).
 *
 * Returns 0 if a start line was found (out->flags tells what is wrong), -1
 * if the bytes are not a SIP message at all (no start line: the first
 * non-empty line is neither "SIP/<digits>.<digits> ..." nor
 * "<token> ... SIP/...").  @unittest: test_sip (RFC 4475), fuzz/sip
 */
int sf_sip_parse(const char *buf, size_t len, sf_sip_header *hdrs, size_t max_hdrs, int strict,
		 sf_sip_msg *out);

/* The first header named @name, long or compact form ("Call-ID" / "i"); SF_SPAN_NULL if none. */
sf_span sf_sip_header_get(const sf_sip_msg *m, const char *name);

/*
 * Host part of the SIP URI in a name-addr / addr-spec header value (From, To,
 * P-Asserted-Identity): "\"A\" <sip:a@acano.steven.lab>;tag=1" -> "acano.steven.lab",
 * lowercased into @out.  Returns 0, or -1 if there is no sip/sips URI host.
 */
int sf_sip_uri_host(sf_span value, char *out, size_t outlen);

/*
 * One key="value" pair of an ms-diagnostics header or Edge Data: list.  Both
 * spans point at the raw bytes of the input: the key may contain a line break
 * ("expected-\n fqdn"), the value (without its quotes, escapes not decoded) line
 * breaks and indentation; pass either through sf_span_unfold before use.
 */
typedef struct sf_sip_param {
	sf_span key;
	sf_span value; /* without the quotes; may contain line breaks/indentation from logs */
} sf_sip_param;

#define SF_MSDIAG_MAX_PARAMS 32

typedef struct sf_msdiag {
	int code;        /* -1 if the value does not start with a number */
	sf_span reason;  /* the reason="..." parameter, if any */
	sf_sip_param params[SF_MSDIAG_MAX_PARAMS]; /* every parameter, reason included, in order */
	size_t n_params;
	size_t used;     /* bytes of the value taken by the code and the parameter list */
} sf_msdiag;

/*
 * Parses an ms-diagnostics(-public) value: "1009;reason=\"...\";domain=\"x\";..."
 * (leading whitespace skipped; the code is 1 to 9 digits not followed by a
 * letter or digit).  Lenient about whitespace and line breaks anywhere
 * between tokens and inside quoted values (text pasted from PDFs); the
 * parameter list ends as sf_sip_params_parse says, and out->used tells
 * where.  Parameters beyond SF_MSDIAG_MAX_PARAMS are skipped.  Only the first
 * diagnostic of a value is read.  Returns 0, or -1 if no code (out->code is
 * then -1).  @unittest: test_sip, fuzz/msdiag
 */
int sf_msdiag_parse(sf_span value, sf_msdiag *out);

/*
 * Parses a list of key="value" / key=value pairs separated by ';' (the Edge
 * record "Data:" field, the parameters of ms-diagnostics); same leniency.
 * Whitespace and line breaks are skipped before a key, around '=' and ';'.
 * A key is a run of RFC 3261 token characters; it may be broken by a line
 * break and indentation (raw in the key span).  A value is a quoted string
 * (to the next '"' not escaped by '\'; line breaks inside are kept; an
 * unterminated one runs to the end of @s) or a run of bytes other than
 * whitespace, ';', ',' and '"'.  The list ends before the first thing after a
 * value that is neither ';' nor "key=" (after optional whitespace and line
 * breaks): so "...\" Server: RTC/6.0", "... $$end_record" or "...\"\nCSeq: 1"
 * end it, because "Server:" is not a key followed by '='.  A ';' not
 * followed by "key=" ends it too.  Returns the number of pairs stored (at
 * most @max); later pairs are parsed and skipped.  @unittest: test_sip
 */
size_t sf_sip_params_parse(sf_span s, sf_sip_param *out, size_t max);

/*
 * As sf_sip_params_parse; also sets *out_end (if not NULL) to the number of
 * bytes of @s up to the end of the last complete pair, closing quote
 * included (0 if there is none).
 */
size_t sf_sip_params_parse_end(sf_span s, sf_sip_param *out, size_t max, size_t *out_end);

/*
 * The value of the first pair among @p[0..@n) whose key, unfolded, equals
 * @key (ASCII case-insensitive), so "expected-\n fqdn" matches
 * "expected-fqdn"; SF_SPAN_NULL if none.  The value is raw (sf_span_unfold).
 */
sf_span sf_sip_param_get(const sf_sip_param *p, size_t n, const char *key);

/*
 * Copies @s into @out removing line breaks pasted into a value: each run of
 * whitespace that contains a CR or LF (the break, the spaces before it and
 * the indentation after it) is dropped at the start or end of the value and
 * after a '-' ("expected-\nfqdn" -> "expected-fqdn"); elsewhere it becomes
 * one SP if the value also has whitespace without a break (prose such as
 * "The peer\ncertificate"), and is dropped otherwise (a name:
 * "vcse.sub.\n  cms.steven.lab").  Other bytes are copied as they are.
 * Writes at most @outlen - 1 bytes and a NUL (if @outlen > 0; @out may be
 * NULL when @outlen is 0).  Returns the length of the whole result, as
 * snprintf: a result >= @outlen means it was truncated.  @unittest: test_sip
 */
size_t sf_span_unfold(sf_span s, char *out, size_t outlen);

#endif
