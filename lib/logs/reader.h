/*
 * Private interface of the log readers (lib/logs): the input layer that
 * turns a file, stdin or a gzip stream into a sliding window of bytes, the
 * fast multi-literal scanner that finds candidate places in it, and the
 * per-format handlers that turn those places into sf_log_event.
 *
 * How a file is read (input.c):
 *   window  = [behind bytes already scanned | new block | maxrec bytes of look-ahead]
 * Each round the reader of the format scans the window for its literals
 * (sf_mscan, "ms-diagnostics", "SIPMSG", "$$begin_record", ...) up to
 * len - maxrec (all of it at the end of the input) and hands every hit to a
 * handler.  A handler parses the record around its hit using at most
 * `behind` bytes before it and `maxrec` bytes after it, so records are
 * always complete in the window (or cut at maxrec) and memory does not
 * depend on the size of the input or of its lines.  Newlines are counted
 * only for the bytes that precede an event or leave the window.
 *
 * Positions: size_t positions index rd->buf (the current window);
 * uint64_t positions are offsets in the whole (decompressed) stream, which
 * survive a window shift (rd->base is the stream offset of rd->buf[0]).
 *
 * Formats and what they emit are described at the top of each reader:
 * expressway.c, edge.c, uccapi.c, siptext.c (plain SIP text, and pasted
 * documents that mix formats), event.c (Windows event text, CDR).
 */
#ifndef SF_LOGS_READER_H
#define SF_LOGS_READER_H

#include <stddef.h>
#include <stdint.h>

#include "sip/sip.h"
#include "sipfed/logs.h"

/* ---- input ---- */

#define SF_LOGS_BLOCK (8u << 20)    /* bytes read per round */
#define SF_LOGS_MAXREC (1u << 20)   /* longest record / message examined after its start */
#define SF_LOGS_BEHIND (128u << 10) /* context kept before the scan position */
#define SF_LOGS_SNIFF (64u << 10)   /* bytes looked at for binary data and the format */

/* Room for a failure message: a path and a sentence. */
#define SF_LOGS_ERRLEN (4096 + 256)

/*
 * Limits of compressed input and bundles (input.c).  Decompressed bytes of
 * one input (a gzip file, or all members of a bundle together) stop at
 * SF_LOGS_MAX_OUT; past SF_LOGS_RATIO_AFTER bytes, more than
 * SF_LOGS_MAX_RATIO bytes out per byte in is a decompression bomb (logs
 * compress 5-50:1; runs of one byte reach ~1000:1 with deflate).  Either stops the input
 * with an error.  A bundle or directory is read up to SF_LOGS_MAX_MEMBERS
 * regular files and SF_LOGS_MAX_DEPTH levels of directories.
 */
#define SF_LOGS_MAX_OUT (32ull << 30)
#define SF_LOGS_MAX_RATIO 200u
#define SF_LOGS_RATIO_AFTER (64ull << 20)
#define SF_LOGS_MAX_MEMBERS 10000u
#define SF_LOGS_MAX_DEPTH 32u

/* Window geometry; tests and fuzzers use tiny ones to exercise the shifts. */
typedef struct sf_logs_opts {
	size_t block;  /* >= 1 */
	size_t maxrec; /* >= 64 */
	size_t behind; /* >= 64 */
	uint64_t max_out;   /* 0: SF_LOGS_MAX_OUT */
	unsigned max_ratio; /* 0: SF_LOGS_MAX_RATIO */
} sf_logs_opts;

/*
 * sf_logs_read() with a window geometry (@opts NULL: the defaults).  Same
 * contract and messages.  @unittest: test_logs (small windows)
 */
sf_status sf_logs_read_opts(const char *path, sf_log_type type, sf_log_emit_fn emit, void *arg,
			    const sf_logs_opts *opts, sf_log_type *out_type, char *err,
			    size_t errlen);

/*
 * Reads the log held in memory at @buf (@len bytes) exactly as sf_logs_read
 * reads a file named @name (used in events and messages), except that gzip
 * data is not decompressed (it is binary).  For tests and fuzzers.
 * @unittest: test_logs, fuzz/expressway, fuzz/edge, fuzz/uccapi, fuzz/siptext, fuzz/event
 */
sf_status sf_logs_read_mem(const void *buf, size_t len, sf_log_type type, sf_log_emit_fn emit,
			   void *arg, const char *name, const sf_logs_opts *opts,
			   sf_log_type *out_type, char *err, size_t errlen);

/* ---- detection (detect.c) ---- */

/* 1 if @buf looks like binary data (a NUL byte, or many control bytes). */
int sf_logs_is_binary(const char *buf, size_t len);

/*
 * The format of a log from its first bytes (at most SF_LOGS_SNIFF are
 * read), SF_LOGT_AUTO if none is recognised.  Markers of two different log
 * formats (a pasted document) give SF_LOGT_SIP, whose reader finds every
 * kind of record.  @unittest: test_logs
 */
sf_log_type sf_logs_detect(const char *buf, size_t len);

/* ---- multi-literal scanner and newline counter (input.c) ---- */

#define SF_MSCAN_MAX 32    /* literals per scanner */
#define SF_MSCAN_MAXLEN 31 /* bytes per literal */
#define SF_MSCAN_CI 1u     /* flag: ASCII case-insensitive literal */

typedef struct sf_mscan_lit {
	char s[SF_MSCAN_MAXLEN + 1]; /* lower-cased when case-insensitive */
	uint8_t len, ci;
	uint8_t o1, o2; /* offsets of the two filter bytes */
	uint8_t b1, b2; /* the filter bytes (lower case when folded) */
	uint8_t f1, f2; /* 0x20 when that filter byte is a folded letter */
} sf_mscan_lit;

#define SF_MSCAN_SETS 3                      /* table sets of the nibble kernel */
#define SF_MSCAN_BUCKETS (8 * SF_MSCAN_SETS) /* its buckets: 8 bits a set */

typedef struct sf_mscan {
	sf_mscan_lit lit[SF_MSCAN_MAX];
	size_t n;
	size_t maxlen; /* longest literal */
	size_t maxoff; /* largest filter offset */
	/*
	 * The nibble kernel: literal k's anchor is the pair of adjacent bytes at
	 * anc[k], anc[k]+1, and it is in bucket bkt[k] (members[b]: a bit per
	 * literal).  Buckets 8s..8s+7 are the bits of table set nib[s]: [0..1]
	 * the tables of the first anchor byte's low and high nibble, [2..3] of
	 * the second: bit b set where a literal of bucket 8s+b has that nibble
	 * (either case if folded); nsets sets are in use.  A position where
	 * all four agree on bit b may start a literal k of the bucket at
	 * position - anc[k].  Literals whose anchors differ only in the low
	 * nibble of their second byte ("=4", "=5") share a bucket at no cost;
	 * nib_ok is 0 when the literals need more than SF_MSCAN_BUCKETS.
	 */
	uint8_t anc[SF_MSCAN_MAX];
	uint8_t bkt[SF_MSCAN_MAX];
	uint32_t members[SF_MSCAN_BUCKETS];
	uint8_t nib[SF_MSCAN_SETS][4][16];
	size_t nsets;
	int nib_ok;
	size_t maxanc; /* largest anchor offset */
} sf_mscan;

/*
 * Prepares a scanner for @n (<= SF_MSCAN_MAX) literals of 1..SF_MSCAN_MAXLEN
 * bytes, flags[i] SF_MSCAN_CI or 0.  With AVX2 and literals that fit in
 * SF_MSCAN_BUCKETS buckets, the nibble kernel looks up each literal's rarest
 * adjacent pair of bytes for 32 positions at once (its cost grows with the
 * table sets, not the literals); else two rare bytes of each literal are
 * compared at once for 16 or 32 positions (SSE2 / AVX2).  Either way the
 * whole literal is checked only where the filter matches.  Returns 0, -1 on
 * a bad argument.
 */
int sf_mscan_init(sf_mscan *m, const char *const *lits, const unsigned *flags, size_t n);

/*
 * Re-chooses the filter bytes of each literal for the input at hand: the
 * pair of its bytes that matches least often in @sample (the first bytes of
 * the input; nothing is done below 4 KiB).  The same literals are found
 * either way; only the number of candidates to verify changes.
 */
void sf_mscan_tune(sf_mscan *m, const char *sample, size_t n);

/*
 * The first position in [@from, @end) where one of the literals starts and
 * fits entirely before @end; its index goes to *out_id.  Returns @end if
 * none.  Literals are tried in order at one position (the first wins).
 * @unittest: test_logs (against a naive search)
 */
size_t sf_mscan_find(const sf_mscan *m, const char *buf, size_t from, size_t end, unsigned *out_id);

/* Number of '\n' in @p[0..@n) (SIMD).  @unittest: test_logs */
uint64_t sf_count_nl(const char *p, size_t n);

/*
 * The same with a given kernel: 0 portable, 1 SSE2, 2 AVX2 byte pairs, 3 AVX2
 * nibble tables (when the literals fit in SF_MSCAN_BUCKETS buckets; else
 * level 2), or the best below that the CPU has.  For tests.
 */
size_t sf_mscan_find_level(const sf_mscan *m, const char *buf, size_t from, size_t end,
			   unsigned *out_id, int level);
uint64_t sf_count_nl_level(const char *p, size_t n, int level);

/* ---- reader state ---- */

#define SF_LR_NONE UINT64_MAX

typedef struct sf_logrd sf_logrd;
typedef struct sf_msgctx sf_msgctx;

/*
 * A hit handler: the literal it was registered with starts at window
 * position @pos.  Literals that a PDF line break may split ("ms-\ndiagnostics",
 * "Search\nCompleted", "Event\nID") are searched by their last word and
 * checked backwards by the handler.
 */
typedef void (*sf_hit_fn)(sf_logrd *rd, size_t pos);

/* A literal a reader scans for and the handler of its hits. */
typedef struct sf_lit {
	const char *s;
	unsigned flags; /* SF_MSCAN_CI or 0 */
	sf_hit_fn fn;
} sf_lit;

/* What a reader's detect() says about the first bytes of a log. */
enum {
	SF_DETECT_NO = 0,
	SF_DETECT_WEAK = 1,   /* text of this format may be there (SIP lines) */
	SF_DETECT_STRONG = 2, /* markers only this format writes */
};

/*
 * One log format: the one interface every reader implements, and the rows
 * of the reader table (detect.c).  Adding a format is one new file that
 * defines its sf_reader and one row in that table.
 *   detect  the first bytes (at most SF_LOGS_SNIFF) -> SF_DETECT_*; NULL
 *           for a reader that never claims a log (the generic scanner,
 *           used when no reader claims it)
 *   lits    scan: the literals of the multi-literal scanner, in priority
 *           order, each with its hit handler (at most SF_MSCAN_MAX)
 *   stop    emit: 1 if a log line (without indentation) ends a SIP message
 *           before it in this format, 2 if it ends it and belongs to it, 0
 *           if not; NULL: none
 *   frame   emit: what the format writes around a SIP message whose start
 *           line is at a window position (time, peer...), into a context;
 *           NULL: nothing
 *   pipe    messages of this format may have '|'-prefixed lines, and a lone
 *           '|' ends one
 *   mixed   reads pasted documents: its messages end at the stop lines of
 *           every reader (and markers of two formats select the first
 *           mixed reader with a detect())
 */
typedef struct sf_reader {
	sf_log_type type;
	int (*detect)(const char *buf, size_t n);
	const sf_lit *lits;
	size_t n_lits;
	int (*stop)(const char *p, size_t n);
	void (*frame)(sf_logrd *rd, size_t start, sf_msgctx *ctx);
	unsigned pipe : 1;
	unsigned mixed : 1;
} sf_reader;

/* The reader of each file (expressway.c, edge.c, uccapi.c, event.c, xwsearch.c, siptext.c, generic.c). */
extern const sf_reader sf_reader_expressway, sf_reader_edge, sf_reader_uccapi,
	sf_reader_event, sf_reader_xwsearch, sf_reader_sip, sf_reader_generic;

/* The reader table (detect.c): entry @i (NULL past the end); the reader of @t (or NULL). */
const sf_reader *sf_reader_at(size_t i);
const sf_reader *sf_reader_get(sf_log_type t);

/* Detection helpers for the readers' detect() (detect.c). */
/* A line of @b (indentation skipped) @fn says yes to, holding "::" if @need_colons. */
int sf_detect_any_line(const char *b, size_t n, int (*fn)(const char *, size_t), int need_colons);
/* @lit (any case) followed by optional ' ', '\t', ':', '=' and a digit. */
int sf_detect_word_number(const char *b, size_t n, const char *lit);

/* A message collected from log text, rebuilt as clean SIP text (siptext.c). */
typedef struct sf_msgline {
	size_t off, len; /* in text */
	size_t raw;      /* window position of its first byte in the log */
} sf_msgline;

#define SF_MSG_TEXT_MAX (256u << 10)
#define SF_MSG_LINES_MAX 1024

typedef struct sf_msg {
	char *text; /* start line CRLF header CRLF ... CRLF CRLF; folds kept as CRLF SP */
	size_t len, cap;
	sf_msgline *ln; /* logical lines: [0] the start line when has_start */
	size_t n_ln, cap_ln;
	int has_start;
	size_t raw_end; /* window position after the last log byte taken */
} sf_msg;

struct sf_logrd {
	/* set by the driver */
	const char *name; /* file name for events */
	sf_log_type type; /* the reader (events' source) */
	sf_log_emit_fn emit;
	void *arg;
	const char *buf; /* window */
	size_t len;
	uint64_t base; /* stream offset of buf[0] */
	int final;     /* nothing follows buf[len - 1] */
	size_t maxrec, behind;
	/* line numbers: nl_lines newlines precede buf[nl_pos] */
	size_t nl_pos;
	uint64_t nl_lines;
	/* outcome */
	int stop;     /* emit asked to stop */
	sf_status st; /* SF_ENOMEM once an allocation failed */
	/* scanning */
	const sf_reader *reader;
	sf_mscan scan;
	sf_hit_fn hit_fn[SF_MSCAN_MAX]; /* literal index -> handler */
	uint64_t skip;                /* hits before this lie in a record already read */
	uint64_t prev_hit;            /* end of the previous hit: bound of backward searches */
	uint64_t cont; /* a container (SIPMSG block, Edge record) not read yet, or NONE */
	void (*cont_read)(sf_logrd *rd, size_t pos); /* reads the container at @pos */
	uint64_t cont_msg;   /* start line of the SIPMSG container's message, or NONE */
	uint64_t last_start; /* the last SIP start line seen and not read yet, or NONE */
	uint64_t gen_line;   /* generic scanner: end of the last line scanned for phrases */
	/* scratch */
	sf_msg msg;
	char *tmp; /* SF_LR_TMP bytes for unfolded values */
};

#define SF_LR_TMP (64u << 10)

/* Stream offset <-> window position. */
static inline uint64_t sf_lr_abs(const sf_logrd *rd, size_t pos)
{
	return rd->base + pos;
}

/* 1 and the window position in *out if stream offset @a is in the window. */
static inline int sf_lr_rel(const sf_logrd *rd, uint64_t a, size_t *out)
{
	if (a == SF_LR_NONE || a < rd->base || a - rd->base > rd->len)
		return 0;
	*out = (size_t)(a - rd->base);
	return 1;
}

/* 1-based line number of window position @pos (counts newlines lazily). */
uint64_t sf_lr_line(sf_logrd *rd, size_t pos);

/*
 * Lowest window position a backward search from @pos may look at: at most
 * @span (and rd->behind) bytes back, never before the previous hit or the
 * end of the last record read.
 */
size_t sf_lr_lo(const sf_logrd *rd, size_t pos, size_t span);
/* Highest window position (exclusive) a forward search from @pos may reach: @span, maxrec, len. */
size_t sf_lr_hi(const sf_logrd *rd, size_t pos, size_t span);
/* Start of the line holding @pos, not before @lo. */
size_t sf_lr_bol(const sf_logrd *rd, size_t pos, size_t lo);
/* Position of the '\n' ending the line at @pos, or @hi. */
size_t sf_lr_eol(const sf_logrd *rd, size_t pos, size_t hi);
/* Marks [.., @end) as read: hits before it are not handled again. */
void sf_lr_consume(sf_logrd *rd, size_t end);

/* ---- small text helpers (input.c) ---- */

/* 1 if @p (@n bytes) starts with the ASCII literal @lit, case-insensitively. */
int sf_lr_prefix_ci(const char *p, size_t n, const char *lit);
/* First case-insensitive occurrence of @lit in @p[0..@n), or NULL. */
const char *sf_lr_find_ci(const char *p, size_t n, const char *lit);
/*
 * The value of key="value" (or key=value) in @p[0..@n): the key must start
 * the text or follow a non-token byte; case-insensitive.  Returns 1 and the
 * span, or 0.
 */
int sf_lr_kv(const char *p, size_t n, const char *key, sf_span *out);

/* ---- events (event.c) ---- */

/* A new event of @kind for the line of window position @pos; NULL (rd->st set) on ENOMEM. */
sf_log_event *sf_lr_event(sf_logrd *rd, sf_log_kind kind, size_t pos);
/* *dst = copy of @p[0..@n), blanks trimmed, NUL bytes replaced; NULL if empty. */
void sf_lr_set(sf_logrd *rd, char **dst, const char *p, size_t n);
/* As sf_lr_set, after sf_span_unfold (line breaks pasted into a value removed). */
void sf_lr_set_unfold(sf_logrd *rd, char **dst, sf_span s);
/* As sf_lr_set_unfold for a CSeq value: "1567605805\nINVITE" keeps its space. */
void sf_lr_set_cseq(sf_logrd *rd, char **dst, sf_span s);
/* Appends an attribute (copies, trimmed; the unfold variant unfolds both). */
void sf_lr_attr(sf_logrd *rd, sf_log_event *ev, const char *k, size_t kn, const char *v, size_t vn);
void sf_lr_attr_unfold(sf_logrd *rd, sf_log_event *ev, sf_span k, sf_span v);
/*
 * Normalises a result code / HRESULT token ("0xc3e93d6f", "C3E93D6F",
 * "-1008059025") into *dst as "0xC3E93D6F".  Returns 0, or -1 if @p is no
 * 32-bit number (*dst untouched).
 */
int sf_lr_set_hex(sf_logrd *rd, char **dst, const char *p, size_t n);
/*
 * Result code text: "0xc3e93d6f SIPPROXY_E_..." (Edge), "0xC3E93C2F(SIPPROXY_E_...)"
 * (events), in either order.  Sets result_code, result_name, and hresult as
 * well when the code is no Lync/SfB SIP stack code (facility 0xC3E9): a
 * Windows HRESULT such as 0x80090322.
 */
void sf_lr_result(sf_logrd *rd, sf_log_event *ev, const char *p, size_t n);
/* Hands @ev to the caller's emit (frees it instead after an error). */
void sf_lr_emit(sf_logrd *rd, sf_log_event *ev);

/* ---- messages (siptext.c) ---- */

/* sf_msg_collect flags. */
enum {
	SF_MC_START = 1u << 0, /* a start line is at the position (else a header) */
};

/*
 * Collects the SIP message at window position @pos (a start line with
 * SF_MC_START, else a header line) up to at most @end into rd->msg, in the
 * format of reader @fmt (its stop lines and '|' prefixes end the message;
 * NULL or a mixed reader: those of every reader in the table):
 * indentation and '|' prefixes removed, lines broken by PDF extraction joined
 * (a line that is no "Name:" header continues the previous one; after a
 * line ending in '-' always), headers flattened onto one line split at
 * known header names ("... Server: RTC/6.0 Content-Length: 0"), blank lines
 * between headers of double-spaced text skipped, markdown fences ignored.
 * Sets rd->msg.raw_end.  Returns 0, or -1 if nothing was collected.
 */
int sf_msg_collect(sf_logrd *rd, size_t pos, size_t end, unsigned flags, const sf_reader *fmt);

/*
 * The Call-ID, CSeq, From / To domains and Server of the message last
 * collected (rd->msg), into those fields of @ev that are still empty.
 */
void sf_msg_ids(sf_logrd *rd, sf_log_event *ev);

/* A key/value pair borrowed from the window or scratch (context attributes). */
typedef struct sf_kvs {
	const char *k;
	size_t kn;
	const char *v;
	size_t vn;
} sf_kvs;

#define SF_MSGCTX_ATTRS 12
#define SF_MSGCTX_STORE 4096

/* What a reader knows about the message besides its text. */
struct sf_msgctx {
	const char *time; /* as written, or NULL */
	size_t time_n;
	sf_kvs attrs[SF_MSGCTX_ATTRS]; /* appended to every event's attrs */
	size_t n_attrs;
	int drop;                    /* emit nothing (a message the log's owner sent on) */
	int pasted; /* free text (a ticket, a syslog line): any failure response is evidence */
	char store[SF_MSGCTX_STORE]; /* room for unfolded text the pointers above may use */
	size_t used;
};

/* An empty context (siptext.c). */
void sf_msgctx_init(sf_msgctx *ctx);

/*
 * Appends key @k and value @v (unfolded into ctx->store when @unfold) to
 * @ctx; silently ignored when full.
 */
void sf_msgctx_add(sf_msgctx *ctx, const char *k, sf_span v, int unfold);

/*
 * Emits the events of the collected message: one SF_LOG_MSDIAG per
 * ms-diagnostics / ms-diagnostics-public header with a code (LOG-001), and
 * one SF_LOG_SIP_RESPONSE for a 408/480/503/504 response from a
 * "Server: RTC/..." without any (LOG-003).
 */
void sf_msg_emit(sf_logrd *rd, const sf_msgctx *ctx);

/* Status of a status line at @p ("SIP/2.0 504", "SIP/2.0_504"), 0 if none. */
int sf_sip_status_at(const char *p, size_t n);
/* 1 for the failures a bare response is reported for (408, 480, 503, 504). */
int sf_sip_bare_status(int status);

/* ---- hit handlers ---- */

void sf_siptext_hit_sip20(sf_logrd *rd, size_t pos);  /* siptext.c */
void sf_siptext_hit_msdiag(sf_logrd *rd, size_t pos); /* siptext.c */
void sf_xw_hit_sipmsg(sf_logrd *rd, size_t pos);      /* expressway.c */
void sf_xw_hit_search(sf_logrd *rd, size_t pos);      /* expressway.c */
/* Reads the SIPMSG block whose "SIPMSG" is at @pos (message at @msgpos). */
void sf_xw_block(sf_logrd *rd, size_t pos, size_t msgpos);
void sf_edge_hit_begin(sf_logrd *rd, size_t pos); /* edge.c */
/* Reads the record whose "$$begin_record" is at @pos as a SIP message record. */
void sf_edge_proto(sf_logrd *rd, size_t pos);
void sf_event_hit(sf_logrd *rd, size_t pos); /* event.c */
/* A result code or HRESULT "0xC3E9....[(NAME)]" at @pos, anywhere in a line (generic.c). */
void sf_generic_hit_code(sf_logrd *rd, size_t pos);
/*
 * The literals of the generic scanner's evidence besides ms-diagnostics and
 * status lines (generic.c), for the sf_lit table of a reader that scans
 * free text: the generic reader's own, and the pasted-document reader's.
 */
#define SF_GENERIC_EVIDENCE_LITS                                                  \
	{ "0x", SF_MSCAN_CI, sf_generic_hit_code },                               \
	{ "ErrorCode=", SF_MSCAN_CI, sf_generic_hit_line },                       \
	{ "Q.850", SF_MSCAN_CI, sf_generic_hit_line },                            \
	{ "alert", SF_MSCAN_CI, sf_generic_hit_line },                            \
	{ "certificate", SF_MSCAN_CI, sf_generic_hit_line },                      \
	{ "verify", SF_MSCAN_CI, sf_generic_hit_line },                           \
	{ "version number", SF_MSCAN_CI, sf_generic_hit_line },                   \
	{ "cipher", SF_MSCAN_CI, sf_generic_hit_line },                           \
	{ "time-out", SF_MSCAN_CI, sf_generic_hit_line },                         \
	{ "Unavailable", SF_MSCAN_CI, sf_generic_hit_line },                      \
	{ "Forbidden", SF_MSCAN_CI, sf_generic_hit_line },                        \
	{ "Not Found", SF_MSCAN_CI, sf_generic_hit_line },                        \
	{ "protocol", SF_MSCAN_CI, sf_generic_hit_line },                         \
	{ "Timeout", SF_MSCAN_CI, sf_generic_hit_line },                          \
	{ "handshake", SF_MSCAN_CI, sf_generic_hit_line },                        \
	{ "tls_connect", SF_MSCAN_CI, sf_generic_hit_line }

/* The same with the time of the line (a trace prefix's), if @time is not empty. */
void sf_generic_code(sf_logrd *rd, size_t pos, sf_span time);
/*
 * The line holding @pos scanned once for every phrase the generic scanner
 * knows (TLS alerts, OpenSSL reasons, Q.850, ErrorCode=, "NNN Phrase") (generic.c).
 */
void sf_generic_hit_line(sf_logrd *rd, size_t pos);
/*
 * TLS evidence (alert, verify error, OpenSSL reason, SChannel state) of the
 * line [@bol, @eol): its attributes added to @into (returns 1), or without
 * @into emitted as a new SF_LOG_EVENT.  0 if the line has none (generic.c).
 */
int sf_generic_tls(sf_logrd *rd, sf_log_event *into, size_t bol, size_t eol);

/* Does an Expressway Reason / Detail say the search timed out ("time-out", "timeout", "504")? */
int sf_xw_says_timeout(sf_span v);
/* *dst = the host of an alias ("sip:ann@x.example", "ann@x.example"), lower case (expressway.c). */
void sf_xw_alias_domain(sf_logrd *rd, char **dst, sf_span v);

/* Line classifiers for the message collector (content without indentation). */
int sf_xw_is_header(const char *p, size_t n); /* Expressway syslog header / SIPMSG line */
int sf_edge_is_tl(const char *p, size_t n);   /* "TL_INFO(TF_PROTOCOL) ..." */
int sf_ucc_is_stamp(const char *p, size_t n); /* "11/23/2026|10:20:30.123 ..." */

/*
 * UccApiLog: the frame line ("... Data Received - ...") just before the
 * message starting at window position @start, into @ctx (time, Direction,
 * Peer, Local).  Nothing if there is none.
 */
void sf_ucc_frame(sf_logrd *rd, size_t start, sf_msgctx *ctx);

#endif
