/*
 * Skype / Lync client UccApiLog traces (SPEC LOG-004): SIP messages between
 * timestamped lines.
 *
 *   11/23/2026|10:20:30.123 1C18:1D34 INFO  :: Data Received - 203.0.113.10:443 (To Local
 *   Address: 192.168.1.5:49794) 1264 bytes:
 *   11/23/2026|10:20:30.123 1C18:1D34 INFO  :: SIP/2.0 504 Server time-out
 *   ...or the message on the lines after the frame line...
 *   ms-diagnostics: 1009;reason="No match for domain in DNS SRV results";...
 *   11/23/2026|10:20:30.124 1C18:1D34 INFO  :: End of Data Received - 203.0.113.10:443 ...
 *
 * (and "Sending Packet - ..." / "End of Sending Packet - ..." for what the
 * client sends).  The reader is the plain SIP text reader (siptext.c) with
 * one more thing ending a message, a timestamp line, and the frame line
 * before a message giving the time and attrs Direction (received / sent),
 * Peer and Local.  Events: ms-diagnostics headers, and a bare
 * 408/480/503/504 from Server: RTC/... (as siptext.c).
 */
#include "logs/reader.h"

#include <string.h>

#define UCC_FRAME_BACK 2048
#define UCC_FRAME_LINES 4

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int sf_ucc_is_stamp(const char *p, size_t n)
{
	static const char pat[] = "dd/dd/dddd|dd:dd:dd";
	size_t i;

	if (n < sizeof(pat) - 1)
		return 0;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !is_digit((unsigned char)p[i]) : p[i] != pat[i])
			return 0;
	return 1;
}

/* Copies [p, p+n) into the context store and adds it as attribute @k. */
static void add(sf_msgctx *ctx, const char *k, const char *p, size_t n)
{
	sf_msgctx_add(ctx, k, (sf_span){ p, n }, 0);
}

/* Time ("11/23/2026|10:20:30.123") of the stamp line at @p into @ctx. */
static void set_time(sf_msgctx *ctx, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] != ' ' && p[i] != '\t'; i++)
		;
	if (ctx->used + i + 1 <= SF_MSGCTX_STORE) {
		memcpy(ctx->store + ctx->used, p, i);
		ctx->time = ctx->store + ctx->used;
		ctx->time_n = i;
		ctx->used += i + 1;
	}
}

/*
 * Direction, Peer and Local of a frame line
 * "... :: Data Received - ADDR (To Local Address: ADDR) N bytes:"; 0 if it is none.
 */
static int frame_attrs(sf_msgctx *ctx, const char *t, size_t n)
{
	const char *q = memmem(t, n, "::", 2), *e = t + n;
	size_t i;

	if (!q)
		return 0;
	q += 2;
	while (q < e && *q == ' ')
		q++;
	if (sf_lr_prefix_ci(q, (size_t)(e - q), "Data Received")) {
		add(ctx, "Direction", "received", 8);
		q += 13;
	} else if (sf_lr_prefix_ci(q, (size_t)(e - q), "Sending Packet")) {
		add(ctx, "Direction", "sent", 4);
		q += 14;
	} else {
		return 0;
	}
	while (q < e && (*q == ' ' || *q == '-'))
		q++;
	for (i = 0; q + i < e && q[i] != ' ' && q[i] != '(' && q[i] != '\t'; i++)
		;
	if (i)
		add(ctx, "Peer", q, i);
	q = sf_lr_find_ci(q, (size_t)(e - q), "Local Address:");
	if (q) {
		q += 14;
		while (q < e && *q == ' ')
			q++;
		for (i = 0; q + i < e && q[i] != ')' && q[i] != ' '; i++)
			;
		if (i)
			add(ctx, "Local", q, i);
	}
	return 1;
}

void sf_ucc_frame(sf_logrd *rd, size_t start, sf_msgctx *ctx)
{
	const char *b = rd->buf;
	size_t lo = sf_lr_lo(rd, start, UCC_FRAME_BACK), cur, k, n;

	/*
	 * The start line may sit on a stamp line ("... INFO  :: SIP/2.0 504 ...")
	 * or on its own; the frame line is among the few lines before it.
	 */
	cur = sf_lr_bol(rd, start, lo);
	for (k = 0; k <= UCC_FRAME_LINES; k++) {
		size_t cs = cur, le = sf_lr_eol(rd, cur, rd->len);

		while (cs < le && (b[cs] == ' ' || b[cs] == '\t'))
			cs++;
		if (sf_ucc_is_stamp(b + cs, le - cs)) {
			if (!ctx->time)
				set_time(ctx, b + cs, le - cs);
			if (k > 0 || cs + 24 < start) {
				/* a frame line broken by a paste runs on to the message */
				size_t fe = k > 0 ? start : le;

				n = sf_span_unfold((sf_span){ b + cs, fe - cs }, rd->tmp,
						   SF_LR_TMP);
				if (n >= SF_LR_TMP)
					n = SF_LR_TMP - 1;
				if (frame_attrs(ctx, rd->tmp, n))
					return;
			}
		}
		if (cur <= lo)
			break;
		cur = sf_lr_bol(rd, cur - 1, lo);
	}
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */
/* ------------------------------------------------------------------ */

static int ucc_stamp_line(const char *p, size_t n)
{
	return sf_ucc_is_stamp(p, n);
}

static int ucc_detect(const char *b, size_t n)
{
	return sf_detect_any_line(b, n, ucc_stamp_line, 1) ? SF_DETECT_STRONG : SF_DETECT_NO;
}

static const sf_lit ucc_lits[] = {
	{ "diagnostics", SF_MSCAN_CI, sf_siptext_hit_msdiag },
	{ "SIP/2.0", 0, sf_siptext_hit_sip20 },
};

const sf_reader sf_reader_uccapi = {
	.type = SF_LOGT_UCCAPI,
	.detect = ucc_detect,
	.lits = ucc_lits,
	.n_lits = sizeof(ucc_lits) / sizeof(ucc_lits[0]),
	.stop = ucc_stamp_line, /* a timestamp line ends a message */
	.frame = sf_ucc_frame,
};
