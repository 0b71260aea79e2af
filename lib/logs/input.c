/*
 * The input layer of `sipfed logs`: reads a file, stdin or a gzip stream in
 * big blocks into a sliding window, finds candidate places with a SIMD
 * multi-literal scanner, and hands them to the handlers of the format's
 * reader (see reader.h for the window and the position conventions).
 *
 * gzip input (magic 1f 8b, RFC 1952 §2.3.1) is decompressed by a `gzip -dc`
 * child: we feed it the bytes through a socket pair (so that a child that
 * dies early gives EPIPE, not SIGPIPE) and read its output through a pipe,
 * both under poll() so that neither side can block the other.
 */
#include "logs/reader.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
#define SF_X86_SIMD 1
#include <immintrin.h>
#endif

extern char **environ;

/* ------------------------------------------------------------------ */
/* Multi-literal scanner                                                */
/* ------------------------------------------------------------------ */

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/*
 * How common a byte is in log text, 0 (never) .. 100 (space): a rough
 * ranking, not a measurement.  Lower-case letters, digits and the
 * punctuation of key="value" logs are common; '$', '|', '_' and control
 * bytes are rare.
 */
static unsigned byte_rank(unsigned char c)
{
	static const char common[] = "etaoinsrhldcu";
	static const char punct_common[] = ".-:=\";/,";

	if (c == ' ')
		return 100;
	if (c >= '0' && c <= '9')
		return 80;
	if (c >= 'a' && c <= 'z')
		return strchr(common, c) ? 75 : 45;
	if (c >= 'A' && c <= 'F')
		return 50; /* hex in Call-IDs and tags */
	if (c >= 'A' && c <= 'Z')
		return 30;
	if (c != '\0' && strchr(punct_common, c))
		return 65;
	if (c == '\n' || c == '\r' || c == '\t')
		return 50;
	if (c == '_' || c == '<' || c == '>' || c == '@' || c == '(' || c == ')')
		return 20;
	return 8;
}

/* Rank of a filter byte of a literal: both cases when it is folded. */
static unsigned lit_rank(unsigned char c, int ci)
{
	unsigned r;

	if (!ci || !is_alpha(c))
		return byte_rank(c);
	r = byte_rank(lower(c)) + byte_rank((unsigned char)(lower(c) - 32));
	return r > 100 ? 100 : r;
}

int sf_mscan_init(sf_mscan *m, const char *const *lits, const unsigned *flags, size_t n)
{
	size_t k, a, b;

	if (!m || !lits || n > SF_MSCAN_MAX)
		return -1;
	memset(m, 0, sizeof(*m));
	for (k = 0; k < n; k++) {
		sf_mscan_lit *l = &m->lit[k];
		size_t len = lits[k] ? strlen(lits[k]) : 0;
		unsigned best = ~0u;

		if (len == 0 || len > SF_MSCAN_MAXLEN)
			return -1;
		l->len = (uint8_t)len;
		l->ci = (uint8_t)(flags && (flags[k] & SF_MSCAN_CI));
		for (a = 0; a < len; a++)
			l->s[a] = l->ci ? (char)lower((unsigned char)lits[k][a]) : lits[k][a];
		/* the two rarest bytes; on a tie the pair further apart */
		l->o1 = 0;
		l->o2 = (uint8_t)(len - 1);
		for (a = 0; a < len; a++) {
			for (b = a + 1; b < len; b++) {
				unsigned r = lit_rank((unsigned char)l->s[a], l->ci) * 4 +
					     lit_rank((unsigned char)l->s[b], l->ci) * 4 -
					     (unsigned)(b - a > 3 ? 3 : b - a);

				if (r < best) {
					best = r;
					l->o1 = (uint8_t)a;
					l->o2 = (uint8_t)b;
				}
			}
		}
		if (len == 1)
			l->o2 = 0;
		l->b1 = (uint8_t)l->s[l->o1];
		l->b2 = (uint8_t)l->s[l->o2];
		l->f1 = (l->ci && is_alpha(l->b1)) ? 0x20 : 0;
		l->f2 = (l->ci && is_alpha(l->b2)) ? 0x20 : 0;
		if (len > m->maxlen)
			m->maxlen = len;
		if (l->o2 > m->maxoff)
			m->maxoff = l->o2;
		if (l->o1 > m->maxoff)
			m->maxoff = l->o1;
	}
	m->n = n;
	return 0;
}

/* Positions in @s[0..@n) where literal @l's bytes @a and @b (offsets) both match. */
static size_t pair_count(const sf_mscan_lit *l, size_t a, size_t b, const char *s, size_t n)
{
	unsigned char ba = (unsigned char)l->s[a], bb = (unsigned char)l->s[b];
	unsigned char fa = (l->ci && is_alpha(ba)) ? 0x20 : 0,
		      fb = (l->ci && is_alpha(bb)) ? 0x20 : 0;
	size_t i, c = 0;

	if (n < l->len)
		return 0;
	for (i = 0; i + l->len <= n; i++)
		c += (((unsigned char)s[i + a] | fa) == ba) &
		     (((unsigned char)s[i + b] | fb) == bb);
	return c;
}

void sf_mscan_tune(sf_mscan *m, const char *sample, size_t n)
{
	size_t hist[256] = { 0 }, i, k, a, b;

	if (!m || !sample || n < 4096)
		return;
	for (i = 0; i < n; i++)
		hist[(unsigned char)sample[i]]++;
	for (k = 0; k < m->n; k++) {
		sf_mscan_lit *l = &m->lit[k];
		size_t cand[6], nc = 0, best = SIZE_MAX;

		if (l->len < 2)
			continue;
		/* the rarest few bytes of the literal here, then the rarest pair of them */
		for (i = 0; i < l->len; i++) {
			unsigned char c = (unsigned char)l->s[i];
			size_t f = hist[c] + ((l->ci && is_alpha(c)) ? hist[c & 0xdf] : 0), j;

			for (j = nc; j > 0; j--) {
				unsigned char d = (unsigned char)l->s[cand[j - 1]];
				size_t g = hist[d] + ((l->ci && is_alpha(d)) ? hist[d & 0xdf] : 0);

				if (g <= f)
					break;
				if (j < 6)
					cand[j] = cand[j - 1];
			}
			if (j < 6) {
				cand[j] = i;
				if (nc < 6)
					nc++;
			}
		}
		for (a = 0; a < nc; a++) {
			for (b = a + 1; b < nc; b++) {
				size_t x = cand[a] < cand[b] ? cand[a] : cand[b];
				size_t y = cand[a] < cand[b] ? cand[b] : cand[a];
				size_t c = pair_count(l, x, y, sample, n);

				if (c < best) {
					best = c;
					l->o1 = (uint8_t)x;
					l->o2 = (uint8_t)y;
				}
			}
		}
		l->b1 = (uint8_t)l->s[l->o1];
		l->b2 = (uint8_t)l->s[l->o2];
		l->f1 = (l->ci && is_alpha(l->b1)) ? 0x20 : 0;
		l->f2 = (l->ci && is_alpha(l->b2)) ? 0x20 : 0;
	}
	m->maxoff = 0;
	for (k = 0; k < m->n; k++) {
		if (m->lit[k].o1 > m->maxoff)
			m->maxoff = m->lit[k].o1;
		if (m->lit[k].o2 > m->maxoff)
			m->maxoff = m->lit[k].o2;
	}
}

/* Does literal @l start at @p (with at least l->len bytes readable)? */
static int lit_at(const sf_mscan_lit *l, const char *p)
{
	size_t i;

	if (!l->ci)
		return memcmp(p, l->s, l->len) == 0;
	for (i = 0; i < l->len; i++)
		if (lower((unsigned char)p[i]) != (unsigned char)l->s[i])
			return 0;
	return 1;
}

/* The literal starting at @pos (fitting before @end), checked in order; 1 and *id, or 0. */
static int verify_at(const sf_mscan *m, const char *buf, size_t pos, size_t end, unsigned *id)
{
	size_t k;

	for (k = 0; k < m->n; k++) {
		const sf_mscan_lit *l = &m->lit[k];

		if (pos + l->len <= end && lit_at(l, buf + pos)) {
			*id = (unsigned)k;
			return 1;
		}
	}
	return 0;
}

static size_t find_scalar(const sf_mscan *m, const char *buf, size_t i, size_t end, unsigned *id)
{
	for (; i < end; i++) {
		size_t k;

		for (k = 0; k < m->n; k++) {
			const sf_mscan_lit *l = &m->lit[k];

			if (i + l->len <= end &&
			    (((unsigned char)buf[i + l->o1] | l->f1) == l->b1) &&
			    lit_at(l, buf + i)) {
				*id = (unsigned)k;
				return i;
			}
		}
	}
	return end;
}

#ifdef SF_X86_SIMD
/*
 * The SIMD kernels: for W positions at once, and for each literal, compare
 * the byte at offset o1 and the byte at offset o2 with its filter bytes
 * (OR 0x20 folds letters); a position where both match for some literal is
 * verified in full.  They stop where a W-byte load at the largest offset
 * would pass @end and report there in *stop.
 */
#define SF_KERNEL(NAME, W, VEC, LOAD, SET1, CMPEQ, AND, OR, MASK, ZERO, ATTR)                      \
	ATTR static inline __attribute__((always_inline))                                          \
	size_t NAME##_n(const sf_mscan *m, const char *buf, size_t i, size_t end, unsigned *id,    \
			size_t *stop, const size_t n)                                              \
	{                                                                                          \
		VEC b1[SF_MSCAN_MAX], b2[SF_MSCAN_MAX], f1[SF_MSCAN_MAX], f2[SF_MSCAN_MAX];        \
		size_t o1[SF_MSCAN_MAX], o2[SF_MSCAN_MAX];                                         \
		size_t k, need = m->maxoff + (W);                                                  \
                                                                                                   \
		for (k = 0; k < n; k++) {                                                          \
			b1[k] = SET1((char)m->lit[k].b1);                                          \
			b2[k] = SET1((char)m->lit[k].b2);                                          \
			f1[k] = SET1((char)m->lit[k].f1);                                          \
			f2[k] = SET1((char)m->lit[k].f2);                                          \
			o1[k] = m->lit[k].o1;                                                      \
			o2[k] = m->lit[k].o2;                                                      \
		}                                                                                  \
		while (end - i >= need) {                                                          \
			const char *q = buf + i;                                                   \
			VEC acc = ZERO();                                                          \
			unsigned mask;                                                             \
                                                                                                   \
			for (k = 0; k < n; k++) {                                                  \
				VEC x = CMPEQ(OR(LOAD((const void *)(q + o1[k])), f1[k]), b1[k]);  \
				VEC y = CMPEQ(OR(LOAD((const void *)(q + o2[k])), f2[k]), b2[k]);  \
				acc = OR(acc, AND(x, y));                                          \
			}                                                                          \
			mask = (unsigned)MASK(acc);                                                \
			if (__builtin_expect(mask != 0, 0)) {                                      \
				do {                                                               \
					size_t p = i + (size_t)__builtin_ctz(mask);                \
                                                                                                   \
					mask &= mask - 1;                                          \
					if (verify_at(m, buf, p, end, id))                         \
						return p;                                          \
				} while (mask);                                                    \
			}                                                                          \
			i += (W);                                                                  \
		}                                                                                  \
		*stop = i;                                                                         \
		return SIZE_MAX;                                                                   \
	}                                                                                          \
	/* the literal count as a constant: the vectors stay in registers */                       \
	ATTR static size_t NAME(const sf_mscan *m, const char *buf, size_t i, size_t end,          \
				unsigned *id, size_t *stop)                                        \
	{                                                                                          \
		switch (m->n) {                                                                    \
		case 1:                                                                            \
			return NAME##_n(m, buf, i, end, id, stop, 1);                              \
		case 2:                                                                            \
			return NAME##_n(m, buf, i, end, id, stop, 2);                              \
		case 3:                                                                            \
			return NAME##_n(m, buf, i, end, id, stop, 3);                              \
		case 4:                                                                            \
			return NAME##_n(m, buf, i, end, id, stop, 4);                              \
		case 5:                                                                            \
			return NAME##_n(m, buf, i, end, id, stop, 5);                              \
		default:                                                                           \
			return NAME##_n(m, buf, i, end, id, stop, m->n);                           \
		}                                                                                  \
	}

SF_KERNEL(find_sse2, 16, __m128i, _mm_loadu_si128, _mm_set1_epi8, _mm_cmpeq_epi8, _mm_and_si128,
	  _mm_or_si128, _mm_movemask_epi8, _mm_setzero_si128, )
SF_KERNEL(find_avx2, 32, __m256i, _mm256_loadu_si256, _mm256_set1_epi8, _mm256_cmpeq_epi8,
	  _mm256_and_si256, _mm256_or_si256, _mm256_movemask_epi8, _mm256_setzero_si256,
	  __attribute__((target("avx2"))))

static int have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#endif

size_t sf_mscan_find_level(const sf_mscan *m, const char *buf, size_t from, size_t end,
			   unsigned *out_id, int level)
{
	unsigned id = 0;
	size_t r = SIZE_MAX;

	if (!m || !buf || from >= end || m->n == 0)
		return end;
#ifdef SF_X86_SIMD
	if (level >= 2 && have_avx2())
		r = find_avx2(m, buf, from, end, &id, &from);
	else if (level >= 1)
		r = find_sse2(m, buf, from, end, &id, &from);
	if (r != SIZE_MAX)
		goto out;
#else
	(void)level;
#endif
	r = find_scalar(m, buf, from, end, &id);
#ifdef SF_X86_SIMD
out:
#endif
	if (out_id)
		*out_id = id;
	return r;
}

size_t sf_mscan_find(const sf_mscan *m, const char *buf, size_t from, size_t end, unsigned *out_id)
{
	return sf_mscan_find_level(m, buf, from, end, out_id, 2);
}

/* ---- newline counting ---- */

static uint64_t count_nl_scalar(const char *p, size_t n)
{
	uint64_t c = 0;
	const char *e = p + n;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		c++;
		p++;
	}
	return c;
}

#ifdef SF_X86_SIMD
/*
 * cmpeq gives 0xFF (-1) per newline byte; subtracting it counts in eight
 * byte lanes, summed with psadbw before a lane can pass 255.
 */
static uint64_t count_nl_sse2(const char *p, size_t n)
{
	const __m128i nl = _mm_set1_epi8('\n'), z = _mm_setzero_si128();
	uint64_t c = 0;
	size_t i = 0;

	while (n - i >= 64) {
		__m128i acc = z, s;
		size_t lim = n - i >= 64 * 63 ? i + 64 * 63
					      : n; /* 4 per lane a round: 63 rounds fit a byte */

		for (; lim - i >= 64; i += 64) {
			acc = _mm_sub_epi8(
				acc, _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i)), nl));
			acc = _mm_sub_epi8(
				acc,
				_mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i + 16)), nl));
			acc = _mm_sub_epi8(
				acc,
				_mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i + 32)), nl));
			acc = _mm_sub_epi8(
				acc,
				_mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + i + 48)), nl));
		}
		s = _mm_sad_epu8(acc, z);
		c += (uint64_t)_mm_cvtsi128_si64(s) +
		     (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s));
	}
	return c + count_nl_scalar(p + i, n - i);
}

__attribute__((target("avx2"))) static uint64_t count_nl_avx2(const char *p, size_t n)
{
	const __m256i nl = _mm256_set1_epi8('\n'), z = _mm256_setzero_si256();
	uint64_t c = 0;
	size_t i = 0;

	while (n - i >= 128) {
		__m256i acc = z, s;
		size_t lim = n - i >= 128 * 63 ? i + 128 * 63 : n;

		for (; lim - i >= 128; i += 128) {
			acc = _mm256_sub_epi8(
				acc,
				_mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(p + i)), nl));
			acc = _mm256_sub_epi8(
				acc, _mm256_cmpeq_epi8(
					     _mm256_loadu_si256((const void *)(p + i + 32)), nl));
			acc = _mm256_sub_epi8(
				acc, _mm256_cmpeq_epi8(
					     _mm256_loadu_si256((const void *)(p + i + 64)), nl));
			acc = _mm256_sub_epi8(
				acc, _mm256_cmpeq_epi8(
					     _mm256_loadu_si256((const void *)(p + i + 96)), nl));
		}
		s = _mm256_sad_epu8(acc, z);
		c += (uint64_t)_mm256_extract_epi64(s, 0) + (uint64_t)_mm256_extract_epi64(s, 1) +
		     (uint64_t)_mm256_extract_epi64(s, 2) + (uint64_t)_mm256_extract_epi64(s, 3);
	}
	return c + count_nl_sse2(p + i, n - i);
}
#endif

uint64_t sf_count_nl_level(const char *p, size_t n, int level)
{
	if (!p || n == 0)
		return 0;
#ifdef SF_X86_SIMD
	if (level >= 2 && have_avx2())
		return count_nl_avx2(p, n);
	if (level >= 1)
		return count_nl_sse2(p, n);
#else
	(void)level;
#endif
	return count_nl_scalar(p, n);
}

uint64_t sf_count_nl(const char *p, size_t n)
{
	return sf_count_nl_level(p, n, 2);
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                         */
/* ------------------------------------------------------------------ */

int sf_lr_prefix_ci(const char *p, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; lit[i]; i++)
		if (i >= n || lower((unsigned char)p[i]) != lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

const char *sf_lr_find_ci(const char *p, size_t n, const char *lit)
{
	size_t ln = strlen(lit), i;
	unsigned char c0;

	if (ln == 0 || ln > n)
		return ln == 0 ? p : NULL;
	c0 = lower((unsigned char)lit[0]);
	for (i = 0; i + ln <= n; i++)
		if (lower((unsigned char)p[i]) == c0 &&
		    sf_lr_prefix_ci(p + i + 1, n - i - 1, lit + 1))
			return p + i;
	return NULL;
}

static int is_tok(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || (c != '\0' && strchr("-.!%*_+`'~", c));
}

int sf_lr_kv(const char *p, size_t n, const char *key, sf_span *out)
{
	size_t kl = strlen(key), i = 0;

	while (i < n) {
		const char *h = sf_lr_find_ci(p + i, n - i, key);
		size_t at, v;

		if (!h)
			return 0;
		at = (size_t)(h - p);
		i = at + 1;
		if (at > 0 && is_tok((unsigned char)p[at - 1]))
			continue;
		v = at + kl;
		while (v < n && (p[v] == ' ' || p[v] == '\t'))
			v++;
		if (v >= n || p[v] != '=')
			continue;
		v++;
		while (v < n && (p[v] == ' ' || p[v] == '\t'))
			v++;
		if (v < n && p[v] == '"') {
			size_t e = ++v;

			while (e < n && p[e] != '"')
				e++;
			*out = (sf_span){ p + v, e - v };
		} else {
			size_t e = v;

			while (e < n && p[e] != ' ' && p[e] != '\t' && p[e] != '\r' &&
			       p[e] != '\n' && p[e] != ';' && p[e] != ',')
				e++;
			*out = (sf_span){ p + v, e - v };
		}
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Window helpers for the handlers                                      */
/* ------------------------------------------------------------------ */

uint64_t sf_lr_line(sf_logrd *rd, size_t pos)
{
	if (pos > rd->len)
		pos = rd->len;
	if (pos >= rd->nl_pos) {
		rd->nl_lines += sf_count_nl(rd->buf + rd->nl_pos, pos - rd->nl_pos);
		rd->nl_pos = pos;
		return rd->nl_lines + 1;
	}
	return rd->nl_lines - sf_count_nl(rd->buf + pos, rd->nl_pos - pos) + 1;
}

size_t sf_lr_lo(const sf_logrd *rd, size_t pos, size_t span)
{
	size_t s = span < rd->behind ? span : rd->behind, lo, p;

	lo = pos > s ? pos - s : 0;
	if (sf_lr_rel(rd, rd->prev_hit, &p) && p > lo && p <= pos)
		lo = p;
	if (sf_lr_rel(rd, rd->skip, &p) && p > lo && p <= pos)
		lo = p;
	return lo;
}

size_t sf_lr_hi(const sf_logrd *rd, size_t pos, size_t span)
{
	size_t s = span < rd->maxrec ? span : rd->maxrec;

	if (pos >= rd->len)
		return rd->len;
	return rd->len - pos > s ? pos + s : rd->len;
}

size_t sf_lr_bol(const sf_logrd *rd, size_t pos, size_t lo)
{
	const char *nl;

	if (pos <= lo)
		return lo;
	nl = memrchr(rd->buf + lo, '\n', pos - lo);
	return nl ? (size_t)(nl - rd->buf) + 1 : lo;
}

size_t sf_lr_eol(const sf_logrd *rd, size_t pos, size_t hi)
{
	const char *nl;

	if (pos >= hi)
		return hi;
	nl = memchr(rd->buf + pos, '\n', hi - pos);
	return nl ? (size_t)(nl - rd->buf) : hi;
}

void sf_lr_consume(sf_logrd *rd, size_t end)
{
	uint64_t a = sf_lr_abs(rd, end);

	if (a > rd->skip)
		rd->skip = a;
}

/* ------------------------------------------------------------------ */
/* Sources: a file descriptor, memory, or a gzip child                  */
/* ------------------------------------------------------------------ */

#define GZ_PEND (256u << 10)

typedef struct lsrc {
	int fd; /* input, -1 for memory */
	int close_fd;
	const char *mem;
	size_t mem_len, mem_off;
	/* gzip child */
	pid_t pid;  /* 0: none */
	int gz_in;  /* our end of the child's stdin (socket), -1 once closed */
	int gz_out; /* our end of the child's stdout (pipe) */
	char *pend; /* compressed bytes not yet written to the child */
	size_t pend_off, pend_len;
	int in_eof;
	int reaped, wstatus;
} lsrc;

/* Moves @fd to a descriptor >= 3 (close-on-exec) so that dup2 onto 0/1 cannot clobber it. */
static int fd_high(int fd)
{
	int nfd;

	if (fd >= 3)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/* Starts `gzip -dc`; the bytes @first[0..@n) already read go to it first.  0 or -1 (errno). */
static int gz_start(lsrc *s, const char *first, size_t n)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)"gzip", (char *)"-dc", NULL };
	int sv[2] = { -1, -1 }, pp[2] = { -1, -1 }, rc, err = 0, ret = -1;

	s->pend = malloc(GZ_PEND > n ? GZ_PEND : n);
	if (!s->pend)
		return -1;
	memcpy(s->pend, first, n);
	s->pend_off = 0;
	s->pend_len = n;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if (pipe2(pp, O_CLOEXEC) != 0)
		goto out;
	sv[0] = fd_high(sv[0]);
	sv[1] = fd_high(sv[1]);
	pp[0] = fd_high(pp[0]);
	pp[1] = fd_high(pp[1]);
	if (sv[0] < 0 || sv[1] < 0 || pp[0] < 0 || pp[1] < 0)
		goto out;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	rc = posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, pp[1], 1);
	/* the library never prints: gzip's complaints go nowhere, its status tells */
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (rc == 0)
		rc = posix_spawnp(&s->pid, "gzip", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		s->pid = 0;
		err = rc;
		goto out;
	}
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0)
		goto out;
	s->gz_in = sv[0];
	s->gz_out = pp[0];
	sv[0] = pp[0] = -1;
	ret = 0;
out:
	if (!err)
		err = errno;
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (pp[0] >= 0)
		close(pp[0]);
	if (pp[1] >= 0)
		close(pp[1]);
	errno = err;
	return ret;
}

static void gz_reap(lsrc *s, int kill_it)
{
	if (s->gz_in >= 0)
		close(s->gz_in);
	s->gz_in = -1;
	if (s->gz_out >= 0)
		close(s->gz_out);
	s->gz_out = -1;
	if (s->pid > 0 && !s->reaped) {
		if (kill_it)
			kill(s->pid, SIGTERM);
		while (waitpid(s->pid, &s->wstatus, 0) < 0 && errno == EINTR)
			;
		s->reaped = 1;
	}
}

/*
 * Decompressed bytes into @dst: feeds the child while it can take input and
 * reads its output when there is some.  Returns the count, 0 at the end, -1
 * with errno on a read error, -2 if gzip failed (bad data).
 */
static ssize_t gz_read(lsrc *s, char *dst, size_t n)
{
	for (;;) {
		struct pollfd pf[2];
		nfds_t nf = 1;
		ssize_t r;

		if (!s->in_eof && s->pend_len == 0) {
			r = read(s->fd, s->pend, GZ_PEND);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			if (r == 0) {
				s->in_eof = 1;
			} else {
				s->pend_off = 0;
				s->pend_len = (size_t)r;
			}
		}
		if (s->in_eof && s->pend_len == 0 && s->gz_in >= 0) {
			close(s->gz_in); /* the child sees the end of its input */
			s->gz_in = -1;
		}
		pf[0] = (struct pollfd){ .fd = s->gz_out, .events = POLLIN };
		if (s->pend_len > 0 && s->gz_in >= 0) {
			pf[1] = (struct pollfd){ .fd = s->gz_in, .events = POLLOUT };
			nf = 2;
		}
		if (poll(pf, nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (nf == 2 && pf[1].revents) {
			r = send(s->gz_in, s->pend + s->pend_off, s->pend_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (r > 0) {
				s->pend_off += (size_t)r;
				s->pend_len -= (size_t)r;
			} else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				   errno != EINTR) {
				/* the child stopped reading: it failed or ended */
				s->in_eof = 1;
				s->pend_len = 0;
				close(s->gz_in);
				s->gz_in = -1;
			}
		}
		if (pf[0].revents) {
			r = read(s->gz_out, dst, n);
			if (r > 0)
				return r;
			if (r < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				return -1;
			}
			gz_reap(s, 0);
			/* gzip: 0 ok, 2 warning (trailing garbage); anything else failed */
			if (WIFEXITED(s->wstatus) &&
			    (WEXITSTATUS(s->wstatus) == 0 || WEXITSTATUS(s->wstatus) == 2))
				return 0;
			return -2;
		}
	}
}

/* Bytes into @dst; 0 at the end, -1 (errno) on error, -2 for bad gzip data. */
static ssize_t src_read(lsrc *s, char *dst, size_t n)
{
	ssize_t r;

	if (s->pid > 0)
		return gz_read(s, dst, n);
	if (s->fd < 0) {
		size_t k = s->mem_len - s->mem_off;

		if (k > n)
			k = n;
		if (k)
			memcpy(dst, s->mem + s->mem_off, k);
		s->mem_off += k;
		return (ssize_t)k;
	}
	do
		r = read(s->fd, dst, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* ------------------------------------------------------------------ */
/* Readers: literals per format and the hit loop                        */
/* ------------------------------------------------------------------ */

/*
 * The scanner of a reader: its literals (few literals keep the scan near
 * memory speed; everything else is found from these places) and their
 * handlers, from its row of the reader table.
 */
static int reader_init(sf_logrd *rd, const sf_reader *r)
{
	const char *s[SF_MSCAN_MAX];
	unsigned f[SF_MSCAN_MAX];
	size_t i;

	if (!r || r->n_lits > SF_MSCAN_MAX)
		return -1;
	for (i = 0; i < r->n_lits; i++) {
		s[i] = r->lits[i].s;
		f[i] = r->lits[i].flags;
		rd->hit_fn[i] = r->lits[i].fn;
	}
	rd->reader = r;
	return sf_mscan_init(&rd->scan, s, f, r->n_lits);
}

/* Handles every hit that starts in [@from, @limit) of the window. */
static void run_hits(sf_logrd *rd, size_t from, size_t limit)
{
	size_t pos = from, end, sk;
	unsigned id = 0;

	end = rd->len;
	if (!rd->final && rd->len - limit > rd->scan.maxlen)
		end = limit + rd->scan.maxlen - 1;
	while (!rd->stop && rd->st == SF_OK) {
		if (sf_lr_rel(rd, rd->skip, &sk) && sk > pos)
			pos = sk;
		if (pos >= limit)
			break;
		pos = sf_mscan_find(&rd->scan, rd->buf, pos, end, &id);
		if (pos >= limit)
			break;
		rd->hit_fn[id](rd, pos);
		rd->prev_hit = sf_lr_abs(rd, pos + rd->scan.lit[id].len);
		pos++;
	}
}

/* ------------------------------------------------------------------ */
/* The driver                                                           */
/* ------------------------------------------------------------------ */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The message of a src_read() failure (@rc -1: errno, -2: gzip); returns SF_EIO. */
static sf_status read_failed(int rc, const char *name, char *err, size_t errlen)
{
	if (rc == -2)
		seterr(err, errlen, "cannot read '%s': not valid gzip data", name);
	else
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(errno));
	return SF_EIO;
}

static void rd_release(sf_logrd *rd)
{
	free(rd->msg.text);
	free(rd->msg.ln);
	free(rd->tmp);
}

/*
 * Reads until @buf holds @cap bytes or the input ends.  Returns 0, or the
 * src_read error (-1 errno, -2 bad gzip).
 */
static int fill(lsrc *s, char *buf, size_t *len, size_t cap, int *eof)
{
	while (*len < cap && !*eof) {
		ssize_t r = src_read(s, buf + *len, cap - *len);

		if (r < 0)
			return (int)r;
		if (r == 0)
			*eof = 1;
		else
			*len += (size_t)r;
	}
	return 0;
}

/*
 * Reads source @s (named @name) to its end or until emit asks to stop: gzip
 * detection, the empty / binary / format checks on the first bytes, then the
 * rounds of the window (scan up to len - maxrec, keep `behind` bytes of
 * context and the look-ahead, refill).  The sf_logs_read() contract.
 */
static sf_status run(lsrc *s, const char *name, sf_log_type type, sf_log_emit_fn emit, void *arg,
		     const sf_logs_opts *opts, sf_log_type *out_type, char *err, size_t errlen)
{
	sf_logs_opts o = { SF_LOGS_BLOCK, SF_LOGS_MAXREC, SF_LOGS_BEHIND };
	sf_logrd rd;
	sf_status st = SF_OK;
	char *buf = NULL;
	size_t cap, len = 0, from = 0;
	int eof = 0, rc;

	memset(&rd, 0, sizeof(rd));
	if (opts) {
		o = *opts;
		if (o.block < 1)
			o.block = 1;
		if (o.maxrec < 64)
			o.maxrec = 64;
		if (o.behind < 64)
			o.behind = 64;
	}
	cap = o.behind + o.block + o.maxrec;
	buf = malloc(cap);
	rd.tmp = malloc(SF_LR_TMP);
	if (!buf || !rd.tmp) {
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
		st = SF_ENOMEM;
		goto out;
	}
	/* the first bytes: gzip magic (RFC 1952 §2.3.1: ID1 0x1f, ID2 0x8b)? */
	while (s->fd >= 0 && len < 2 && !eof) {
		ssize_t r = src_read(s, buf + len, cap - len);

		if (r < 0) {
			seterr(err, errlen, "cannot read '%s': %s", name, strerror(errno));
			st = SF_EIO;
			goto out;
		}
		if (r == 0)
			eof = 1;
		len += (size_t)r;
	}
	if (s->fd >= 0 && len >= 2 && (unsigned char)buf[0] == 0x1f &&
	    (unsigned char)buf[1] == 0x8b) {
		if (gz_start(s, buf, len) != 0) {
			seterr(err, errlen,
			       "cannot read '%s': cannot run gzip to decompress it: %s", name,
			       strerror(errno));
			st = SF_EIO;
			goto out;
		}
		len = 0;
		eof = 0;
	}
	rc = fill(s, buf, &len, cap, &eof);
	if (rc < 0) {
		st = read_failed(rc, name, err, errlen);
		goto out;
	}
	if (len == 0) {
		seterr(err, errlen, "'%s' is empty", name);
		st = SF_EPARSE;
		goto out;
	}
	if (sf_logs_is_binary(buf, len < SF_LOGS_SNIFF ? len : SF_LOGS_SNIFF)) {
		seterr(err, errlen, "cannot read '%s': not a log (binary data)", name);
		st = SF_EPARSE;
		goto out;
	}
	if (type == SF_LOGT_AUTO) {
		/* no reader claims it: the generic evidence scanner reads it */
		type = sf_logs_detect(buf, len);
		if (type == SF_LOGT_AUTO)
			type = SF_LOGT_GENERIC;
	}
	if (out_type)
		*out_type = type;
	rd.name = name;
	rd.type = type;
	rd.emit = emit;
	rd.arg = arg;
	rd.maxrec = o.maxrec;
	rd.behind = o.behind;
	rd.cont = rd.cont_msg = rd.last_start = SF_LR_NONE;
	if (reader_init(&rd, sf_reader_get(type)) != 0) {
		seterr(err, errlen, "'%s': unknown log type", name);
		st = SF_EINVAL;
		goto out;
	}
	sf_mscan_tune(&rd.scan, buf, len < SF_LOGS_SNIFF ? len : SF_LOGS_SNIFF);
	for (;;) {
		size_t limit, keep;

		rd.buf = buf;
		rd.len = len;
		rd.final = eof;
		limit = eof ? len : len - o.maxrec;
		run_hits(&rd, from, limit);
		if (rd.st != SF_OK || rd.stop || eof)
			break;
		/* keep `behind` bytes of context and the unscanned look-ahead */
		keep = limit > o.behind ? limit - o.behind : 0;
		if (rd.nl_pos < keep) {
			rd.nl_lines += sf_count_nl(buf + rd.nl_pos, keep - rd.nl_pos);
			rd.nl_pos = keep;
		}
		rd.nl_pos -= keep;
		memmove(buf, buf + keep, len - keep);
		len -= keep;
		rd.base += keep;
		from = limit - keep;
		rc = fill(s, buf, &len, cap, &eof);
		if (rc < 0) {
			st = read_failed(rc, name, err, errlen);
			goto out;
		}
	}
	if (rd.st != SF_OK) {
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
		st = rd.st;
		goto out;
	}
out:
	if (s->pid > 0)
		gz_reap(s, 1);
	free(s->pend);
	s->pend = NULL;
	rd_release(&rd);
	free(buf);
	return st;
}

sf_status sf_logs_read_opts(const char *path, sf_log_type type, sf_log_emit_fn emit, void *arg,
			    const sf_logs_opts *opts, sf_log_type *out_type, char *err,
			    size_t errlen)
{
	lsrc s;
	sf_status st;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !emit || type < SF_LOGT_AUTO || type >= SF_LOGT_COUNT) {
		seterr(err, errlen, "cannot read '%s': %s", path ? path : "(null)",
		       strerror(EINVAL));
		return SF_EINVAL;
	}
	memset(&s, 0, sizeof(s));
	s.gz_in = s.gz_out = -1;
	if (strcmp(path, "-") == 0) {
		s.fd = STDIN_FILENO;
	} else {
		struct stat sb;

		s.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s.fd < 0) {
			seterr(err, errlen, "cannot read '%s': %s", path, strerror(errno));
			return SF_EIO;
		}
		s.close_fd = 1;
		if (fstat(s.fd, &sb) == 0 && S_ISREG(sb.st_mode))
			posix_fadvise(s.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	st = run(&s, path, type, emit, arg, opts, out_type, err, errlen);
	if (s.close_fd)
		close(s.fd);
	return st;
}

struct sf_log_reader {
	char err[SF_LOGS_ERRLEN];
};

sf_status sf_log_reader_new(sf_log_reader **out_reader)
{
	*out_reader = calloc(1, sizeof(**out_reader));
	return *out_reader ? SF_OK : SF_ENOMEM;
}

void sf_log_reader_free(sf_log_reader *rd)
{
	free(rd);
}

const char *sf_log_reader_error(const sf_log_reader *rd)
{
	return rd ? rd->err : "out of memory";
}

sf_status sf_logs_read(sf_log_reader *rd, const char *path, sf_log_type type,
		       sf_log_emit_fn emit, void *arg, sf_log_type *out_type)
{
	if (!rd)
		return SF_EINVAL;
	return sf_logs_read_opts(path, type, emit, arg, NULL, out_type, rd->err, sizeof(rd->err));
}

sf_status sf_logs_read_mem(const void *buf, size_t len, sf_log_type type, sf_log_emit_fn emit,
			   void *arg, const char *name, const sf_logs_opts *opts,
			   sf_log_type *out_type, char *err, size_t errlen)
{
	lsrc s;

	if (err && errlen)
		err[0] = '\0';
	if (!name)
		name = "(memory)";
	if ((!buf && len) || !emit || type < SF_LOGT_AUTO || type >= SF_LOGT_COUNT) {
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(EINVAL));
		return SF_EINVAL;
	}
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.gz_in = s.gz_out = -1;
	s.mem = buf;
	s.mem_len = len;
	return run(&s, name, type, emit, arg, opts, out_type, err, errlen);
}
