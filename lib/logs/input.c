/*
 * The input layer of `sipfed logs`: reads a file, stdin or a gzip stream in
 * big blocks into a sliding window, finds candidate places with a SIMD
 * multi-literal scanner, and hands them to the handlers of the format's
 * reader (see reader.h for the window and the position conventions).
 *
 * gzip input (magic 1f 8b, RFC 1952 §2.3.1) is inflated with zlib while
 * streaming; UTF-16 with a byte-order mark is decoded to UTF-8 and a UTF-8
 * BOM skipped.  Diagnostic bundles (.tar, .tar.gz, .tgz, .zip: libarchive)
 * and directories are walked, each member read by the same streaming
 * readers and named "BUNDLE:PATH/IN/BUNDLE" in its events.  Decompression
 * is bounded (SF_LOGS_MAX_OUT bytes per input, a ratio above
 * SF_LOGS_MAX_RATIO:1 is a bomb), and so are bundles and directories
 * (SF_LOGS_MAX_MEMBERS members, SF_LOGS_MAX_DEPTH levels).
 */
#include "logs/reader.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
#define SF_X86_SIMD 1
#include <immintrin.h>
#endif

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

/* Sets bit @k in the nibble tables @lo, @hi for byte @c, both cases if @ci. */
static void nib_set(uint8_t *lo, uint8_t *hi, unsigned k, unsigned char c, int ci)
{
	lo[c & 15] |= (uint8_t)(1u << k);
	hi[c >> 4] |= (uint8_t)(1u << k);
	if (ci && is_alpha(c)) {
		unsigned char u = (unsigned char)(c ^ 0x20);

		lo[u & 15] |= (uint8_t)(1u << k);
		hi[u >> 4] |= (uint8_t)(1u << k);
	}
}

/*
 * The buckets and nibble tables from the anchors.  A literal joins the
 * bucket of an earlier one whose anchor has the same first byte and the same
 * high nibble of the second (folded alike): the union then admits only pairs
 * that differ in that low nibble.  Otherwise it takes a bucket of its own;
 * with more than SF_MSCAN_BUCKETS needed the nibble kernel is not used.
 * With one literal per bucket, candidates are exact pair matches.  Returns
 * the number of buckets, 0 if they do not fit.
 */
static size_t nib_build(sf_mscan *m)
{
	size_t k, j, nb = 0;

	memset(m->nib, 0, sizeof(m->nib));
	memset(m->members, 0, sizeof(m->members));
	m->maxanc = 0;
	m->nib_ok = 1;
	for (k = 0; k < m->n; k++) {
		const sf_mscan_lit *l = &m->lit[k];
		unsigned char c0 = (unsigned char)l->s[m->anc[k]];
		unsigned char c1 = l->len > 1 ? (unsigned char)l->s[m->anc[k] + 1] : 0;
		unsigned b = (unsigned)nb, i;
		uint8_t(*t)[16];

		for (j = 0; j < k; j++) {
			const sf_mscan_lit *o = &m->lit[j];

			if (o->ci == l->ci && o->len > 1 && l->len > 1 &&
			    (unsigned char)o->s[m->anc[j]] == c0 &&
			    ((unsigned char)o->s[m->anc[j] + 1] >> 4) == (c1 >> 4) &&
			    (!l->ci || (is_alpha(c1) == is_alpha((unsigned char)o->s[m->anc[j] + 1])))) {
				b = m->bkt[j];
				break;
			}
		}
		if (b == nb) {
			if (nb == SF_MSCAN_BUCKETS) {
				m->nib_ok = 0;
				return 0;
			}
			nb++;
		}
		m->bkt[k] = (uint8_t)b;
		m->members[b] |= 1u << k;
		t = m->nib[b / 8];
		nib_set(t[0], t[1], b % 8, c0, l->ci);
		if (l->len > 1) {
			nib_set(t[2], t[3], b % 8, c1, l->ci);
		} else {
			for (i = 0; i < 16; i++) { /* one byte: any byte follows */
				t[2][i] |= (uint8_t)(1u << (b % 8));
				t[3][i] |= (uint8_t)(1u << (b % 8));
			}
		}
		if (m->anc[k] > m->maxanc)
			m->maxanc = m->anc[k];
	}
	m->nsets = (nb + 7) / 8;
	return nb;
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
		/* the anchor of the nibble kernel: the rarest two adjacent bytes */
		best = ~0u;
		for (a = 0; a + 1 < len; a++) {
			unsigned r = lit_rank((unsigned char)l->s[a], l->ci) +
				     lit_rank((unsigned char)l->s[a + 1], l->ci);

			if (r < best) {
				best = r;
				m->anc[k] = (uint8_t)a;
			}
		}
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
	nib_build(m);
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

static int nib_kernel(void);

/* Occurrences of the adjacent bytes @x @y in the pair counts @pc, both cases if @ci. */
static size_t pair_freq(const uint32_t *pc, unsigned char x, unsigned char y, int ci)
{
	size_t c = pc[x << 8 | y];

	if (ci && is_alpha(x))
		c += pc[(x ^ 0x20) << 8 | y];
	if (ci && is_alpha(y))
		c += pc[x << 8 | (y ^ 0x20)];
	if (ci && is_alpha(x) && is_alpha(y))
		c += pc[(x ^ 0x20) << 8 | (y ^ 0x20)];
	return c;
}

/*
 * The anchors re-chosen on @sample: the adjacent pair of each literal seen
 * least.  If that needs more buckets than before (literals that shared one
 * chose unlike pairs), the anchors before stay.
 */
static void tune_anchors(sf_mscan *m, const char *sample, size_t n)
{
	uint32_t *pc = calloc(65536, sizeof(*pc));
	uint8_t old[SF_MSCAN_MAX];
	size_t i, k, a, nb_old = m->nib_ok ? nib_build(m) : SF_MSCAN_BUCKETS + 1, nb;

	if (!pc)
		return; /* the anchors of sf_mscan_init stay */
	memcpy(old, m->anc, sizeof(old));
	for (i = 0; i + 1 < n; i++)
		pc[(unsigned char)sample[i] << 8 | (unsigned char)sample[i + 1]]++;
	for (k = 0; k < m->n; k++) {
		const sf_mscan_lit *l = &m->lit[k];
		size_t best = SIZE_MAX;

		for (a = 0; a + 1 < l->len; a++) {
			size_t c = pair_freq(pc, (unsigned char)l->s[a], (unsigned char)l->s[a + 1],
					     l->ci);

			if (c < best) {
				best = c;
				m->anc[k] = (uint8_t)a;
			}
		}
	}
	free(pc);
	nb = nib_build(m);
	if (nb_old <= SF_MSCAN_BUCKETS && (nb == 0 || nb > nb_old)) {
		memcpy(m->anc, old, sizeof(old));
		nib_build(m);
	}
}

void sf_mscan_tune(sf_mscan *m, const char *sample, size_t n)
{
	size_t hist[256] = { 0 }, i, k, a, b;

	if (!m || !sample || n < 4096)
		return;
	tune_anchors(m, sample, n);
	if (m->nib_ok && nib_kernel())
		return; /* the pair kernel's filter bytes are not used */
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

/*
 * The nibble kernel (AVX2, literals in up to SF_MSCAN_BUCKETS buckets): for
 * 32 positions at once, the bucket bits of the byte there and of the next
 * byte are looked up by nibble (vpshufb, four tables a set of 8 buckets) and
 * ANDed, so the cost grows with the table sets (one for up to 8 buckets),
 * not with the literals.  Bit b left at position p means the anchor pair of
 * a literal k of bucket b may be at p: k may start at p - anc[k] and is
 * verified there.  Anchors differ, so a start is only known to be the first
 * once every position up to it plus the largest anchor was looked at.
 * Stops where the load of the next byte would pass @end, and reports in
 * *stop the first start not yet judged.  @nsets is a constant in each
 * instance (find_nib): the tables stay in registers.
 */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) size_t
find_nib_n(const sf_mscan *m, const char *buf, size_t from, size_t end, unsigned *id,
	   size_t *stop, const size_t nsets)
{
	const __m256i lo15 = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
	__m256i tab[SF_MSCAN_SETS][4];
	size_t j = from, best = SIZE_MAX, s, t;
	unsigned bestk = 0;
	uint8_t bits[SF_MSCAN_SETS][32];

	for (s = 0; s < nsets; s++)
		for (t = 0; t < 4; t++)
			tab[s][t] = _mm256_broadcastsi128_si256(
				_mm_loadu_si128((const void *)m->nib[s][t]));
	while (end - j >= 33) {
		const char *q = buf + j;
		__m256i x0 = _mm256_loadu_si256((const void *)q);
		__m256i x1 = _mm256_loadu_si256((const void *)(q + 1));
		__m256i l0 = _mm256_and_si256(x0, lo15);
		__m256i h0 = _mm256_and_si256(_mm256_srli_epi16(x0, 4), lo15);
		__m256i l1 = _mm256_and_si256(x1, lo15);
		__m256i h1 = _mm256_and_si256(_mm256_srli_epi16(x1, 4), lo15);
		__m256i r[SF_MSCAN_SETS];
		unsigned mask = 0;

		for (s = 0; s < nsets; s++) {
			r[s] = _mm256_and_si256(
				_mm256_and_si256(_mm256_shuffle_epi8(tab[s][0], l0),
						 _mm256_shuffle_epi8(tab[s][1], h0)),
				_mm256_and_si256(_mm256_shuffle_epi8(tab[s][2], l1),
						 _mm256_shuffle_epi8(tab[s][3], h1)));
			mask |= ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r[s], zero));
		}
		if (__builtin_expect(mask != 0, 0)) {
			for (s = 0; s < nsets; s++)
				_mm256_storeu_si256((void *)bits[s], r[s]);
			do {
				unsigned bit = (unsigned)__builtin_ctz(mask), bk = 0;
				size_t p = j + bit;

				mask &= mask - 1;
				for (s = 0; s < nsets; s++) {
					unsigned bb = bits[s][bit];

					while (bb) { /* the literals of the buckets seen there */
						bk |= m->members[8 * s + (unsigned)__builtin_ctz(bb)];
						bb &= bb - 1;
					}
				}
				while (bk) {
					unsigned k = (unsigned)__builtin_ctz(bk);
					const sf_mscan_lit *l = &m->lit[k];
					size_t st;

					bk &= bk - 1;
					if (p < from + m->anc[k])
						continue; /* would start before @from */
					st = p - m->anc[k];
					if (st > best || (st == best && k >= bestk))
						continue;
					if (st + l->len <= end && lit_at(l, buf + st)) {
						best = st;
						bestk = k;
					}
				}
			} while (mask);
		}
		j += 32;
		if (best != SIZE_MAX && best + m->maxanc < j) {
			*id = bestk;
			return best;
		}
	}
	*stop = j - from > m->maxanc ? j - m->maxanc : from;
	return SIZE_MAX;
}

__attribute__((target("avx2"))) static size_t find_nib(const sf_mscan *m, const char *buf,
							size_t from, size_t end, unsigned *id,
							size_t *stop)
{
	switch (m->nsets) {
	case 1:
		return find_nib_n(m, buf, from, end, id, stop, 1);
	case 2:
		return find_nib_n(m, buf, from, end, id, stop, 2);
	default:
		return find_nib_n(m, buf, from, end, id, stop, SF_MSCAN_SETS);
	}
}

static int have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#endif

/* Does sf_mscan_find use the nibble kernel (when the literals fit)? */
static int nib_kernel(void)
{
#ifdef SF_X86_SIMD
	return have_avx2();
#else
	return 0;
#endif
}

size_t sf_mscan_find_level(const sf_mscan *m, const char *buf, size_t from, size_t end,
			   unsigned *out_id, int level)
{
	unsigned id = 0;
	size_t r = SIZE_MAX;

	if (!m || !buf || from >= end || m->n == 0)
		return end;
#ifdef SF_X86_SIMD
	if (level >= 3 && m->nib_ok && have_avx2())
		r = find_nib(m, buf, from, end, &id, &from);
	else if (level >= 2 && have_avx2())
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
	return sf_mscan_find_level(m, buf, from, end, out_id, 3);
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
/* Sources: a file descriptor, memory or an archive member, optionally  */
/* through zlib (gzip) and a UTF-16 decoder                             */
/* ------------------------------------------------------------------ */

#define Z_IN (256u << 10)     /* compressed bytes read at a time */
#define U16_IN (64u << 10)    /* UTF-16 bytes decoded at a time */
#define U16_OUT (U16_IN * 3 / 2 + 8)

/* src_read() failures besides -1 (errno). */
enum {
	SRC_EGZIP = -2,  /* not valid gzip data */
	SRC_ECAP = -3,   /* decompressed data over the limit */
	SRC_EARCH = -4,  /* archive member unreadable (archive_error_string) */
};

typedef struct lsrc {
	int fd; /* input, -1 for memory or an archive member */
	int close_fd;
	const char *mem;
	size_t mem_len, mem_off;
	struct archive *ar; /* member of this archive, or NULL */
	/* gzip (zlib, windowBits 15 + 32: gzip or zlib header detected) */
	int z_on, z_init, z_end, z_eof;
	z_stream zs;
	unsigned char *zin;
	uint64_t z_in; /* compressed bytes consumed */
	/* decompression limits: bytes out of this source, and of the bundle */
	uint64_t out, max_out;
	unsigned max_ratio;
	uint64_t *total; /* the bundle's decompressed bytes, or NULL */
	/* UTF-16 (1 LE, 2 BE) with its BOM removed */
	int u16;
	char *u16pend; /* raw bytes read before the BOM was seen */
	size_t u16p_off, u16p_len;
	unsigned char *u16in;
	size_t u16_carry; /* bytes kept at the start of u16in */
	char *u16out;
	size_t u16o_off, u16o_len;
	int u16_eof;
	int capped;  /* a limit stopped it */
	int stopped; /* emit asked to stop */
} lsrc;

/* Bytes of the input as stored: file, memory or archive member. */
static ssize_t raw_read(lsrc *s, char *dst, size_t n)
{
	ssize_t r;

	if (s->ar) {
		la_ssize_t a = archive_read_data(s->ar, dst, n);

		return a < 0 ? SRC_EARCH : (ssize_t)a;
	}
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

/* Starts inflating; the bytes @first[0..@n) already read come first. 0 or -1 (ENOMEM). */
static int gz_start(lsrc *s, const char *first, size_t n)
{
	s->zin = malloc(Z_IN > n ? Z_IN : n);
	if (!s->zin)
		return -1;
	memcpy(s->zin, first, n);
	memset(&s->zs, 0, sizeof(s->zs));
	if (inflateInit2(&s->zs, 15 + 32) != Z_OK) {
		errno = ENOMEM;
		return -1;
	}
	s->z_init = s->z_on = 1;
	s->zs.next_in = s->zin;
	s->zs.avail_in = (uInt)n;
	s->z_in = n;
	return 0;
}

/*
 * Decompressed bytes into @dst: 0 at the end, SRC_EGZIP on bad or cut data.
 * Concatenated gzip members are read one after the other (as gzip -dc
 * does); bytes after the last member that start no other are ignored.
 */
/* Refills zlib's input from the file; 0 at its end (then z_eof), or the read error. */
static ssize_t gz_fill(lsrc *s)
{
	ssize_t r = raw_read(s, (char *)s->zin, Z_IN);

	if (r < 0)
		return r;
	if (r == 0)
		s->z_eof = 1;
	s->zs.next_in = s->zin;
	s->zs.avail_in = (uInt)r;
	s->z_in += (uint64_t)r;
	return r;
}

static ssize_t gz_read(lsrc *s, char *dst, size_t n)
{
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	s->zs.next_out = (Bytef *)dst;
	s->zs.avail_out = (uInt)n;
	while (!s->z_end && s->zs.avail_out == n) {
		int zr;

		if (s->zs.avail_in == 0 && !s->z_eof) {
			ssize_t r = gz_fill(s);

			if (r < 0)
				return r;
		}
		zr = inflate(&s->zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			if (s->zs.avail_in == 0 && !s->z_eof) {
				ssize_t r = gz_fill(s);

				if (r < 0)
					return r;
			}
			/* another gzip member (RFC 1952 §2.2), or the end */
			if (s->zs.avail_in > 0 && s->zs.next_in[0] == 0x1f &&
			    (s->zs.avail_in < 2 || s->zs.next_in[1] == 0x8b)) {
				if (inflateReset(&s->zs) != Z_OK)
					return SRC_EGZIP;
				continue;
			}
			s->z_end = 1;
			break;
		}
		if (zr == Z_BUF_ERROR && s->zs.avail_in == 0 && s->z_eof)
			return SRC_EGZIP; /* cut short */
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return SRC_EGZIP;
	}
	return (ssize_t)(n - s->zs.avail_out);
}

/* Bytes after decompression, the limits checked. */
static ssize_t dec_read(lsrc *s, char *dst, size_t n)
{
	ssize_t r;
	uint64_t in;

	if (!s->z_on && !s->total)
		return raw_read(s, dst, n);
	r = s->z_on ? gz_read(s, dst, n) : raw_read(s, dst, n);
	if (r <= 0)
		return r;
	s->out += (uint64_t)r;
	if (s->total)
		*s->total += (uint64_t)r;
	if (s->max_out && (s->out > s->max_out || (s->total && *s->total > s->max_out))) {
		s->capped = 1;
		return SRC_ECAP;
	}
	/* a compression ratio no log has: a decompression bomb */
	in = s->ar ? (uint64_t)archive_filter_bytes(s->ar, -1) : s->z_in;
	if (s->max_ratio && (s->total ? *s->total : s->out) > SF_LOGS_RATIO_AFTER &&
	    (s->total ? *s->total : s->out) / (in + 1) > s->max_ratio) {
		s->capped = 1;
		return SRC_ECAP;
	}
	return r;
}

/* Appends the UTF-8 form of code point @c to @p; the bytes written. */
static size_t put_utf8(char *p, uint32_t c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xc0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (char)(0xe0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		p[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (c >> 18));
	p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	p[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Decodes the next UTF-16 bytes into s->u16out: 1 if something was
 * decoded, 0 at the end, < 0 a dec_read error.  Lone surrogates become
 * U+FFFD; an odd last byte is dropped.
 */
static int u16_more(lsrc *s)
{
	size_t n = s->u16_carry, i = 0, o = 0;
	int le = s->u16 == 1;

	while (!s->u16_eof && n < 4) {
		ssize_t r;

		if (s->u16p_off < s->u16p_len) {
			size_t k = s->u16p_len - s->u16p_off;

			if (k > U16_IN - n)
				k = U16_IN - n;
			memcpy(s->u16in + n, s->u16pend + s->u16p_off, k);
			s->u16p_off += k;
			r = (ssize_t)k;
		} else {
			r = dec_read(s, (char *)s->u16in + n, U16_IN - n);
		}
		if (r < 0)
			return (int)r;
		if (r == 0)
			s->u16_eof = 1;
		n += (size_t)r;
		if (n >= U16_IN / 2)
			break;
	}
	while (i + 2 <= n) {
		const unsigned char *b = s->u16in + i;
		uint32_t c = le ? (uint32_t)(b[0] | b[1] << 8) : (uint32_t)(b[0] << 8 | b[1]);

		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t d;

			if (i + 4 > n) {
				if (!s->u16_eof)
					break; /* the low half comes with the next bytes */
				c = 0xfffd;
				i += 2;
			} else {
				d = le ? (uint32_t)(b[2] | b[3] << 8) : (uint32_t)(b[2] << 8 | b[3]);
				if (d >= 0xdc00 && d <= 0xdfff) {
					c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
					i += 4;
				} else {
					c = 0xfffd;
					i += 2;
				}
			}
		} else {
			if (c >= 0xdc00 && c <= 0xdfff)
				c = 0xfffd;
			i += 2;
		}
		o += put_utf8(s->u16out + o, c);
	}
	if (s->u16_eof)
		i = n; /* an odd byte at the end */
	memmove(s->u16in, s->u16in + i, n - i);
	s->u16_carry = n - i;
	s->u16o_off = 0;
	s->u16o_len = o;
	return o > 0 || !s->u16_eof || s->u16_carry ? 1 : 0;
}

/* Bytes into @dst; 0 at the end, -1 (errno) or SRC_E* on error. */
static ssize_t src_read(lsrc *s, char *dst, size_t n)
{
	if (!s->u16)
		return dec_read(s, dst, n);
	while (s->u16o_off == s->u16o_len) {
		int r = u16_more(s);

		if (r <= 0)
			return r;
	}
	if (n > s->u16o_len - s->u16o_off)
		n = s->u16o_len - s->u16o_off;
	memcpy(dst, s->u16out + s->u16o_off, n);
	s->u16o_off += n;
	return (ssize_t)n;
}

/* Switches to UTF-16 decoding; @rest[0..@n) are raw bytes already read after the BOM. */
static int u16_start(lsrc *s, int which, const char *rest, size_t n)
{
	s->u16pend = malloc(n ? n : 1);
	s->u16in = malloc(U16_IN);
	s->u16out = malloc(U16_OUT);
	if (!s->u16pend || !s->u16in || !s->u16out)
		return -1;
	memcpy(s->u16pend, rest, n);
	s->u16p_len = n;
	s->u16 = which;
	return 0;
}

static void src_release(lsrc *s)
{
	if (s->z_init)
		inflateEnd(&s->zs);
	s->z_init = s->z_on = 0;
	free(s->zin);
	free(s->u16pend);
	free(s->u16in);
	free(s->u16out);
	s->zin = NULL;
	s->u16pend = NULL;
	s->u16in = NULL;
	s->u16out = NULL;
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

/* The message of a src_read() failure (@rc -1: errno, SRC_E*); returns SF_EIO. */
static sf_status read_failed(const lsrc *s, int rc, const char *name, char *err, size_t errlen)
{
	if (rc == SRC_EGZIP)
		seterr(err, errlen, "cannot read '%s': not valid gzip data", name);
	else if (rc == SRC_ECAP)
		seterr(err, errlen,
		       "cannot read '%s': decompressed data over the limit (%llu bytes, or a "
		       "ratio above %u:1): a decompression bomb?",
		       name, (unsigned long long)s->max_out, s->max_ratio);
	else if (rc == SRC_EARCH)
		seterr(err, errlen, "cannot read '%s': %s", name,
		       archive_error_string(s->ar) ? archive_error_string(s->ar) : "bad archive");
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
	sf_logs_opts o = { SF_LOGS_BLOCK, SF_LOGS_MAXREC, SF_LOGS_BEHIND, 0, 0 };
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
	s->max_out = o.max_out ? o.max_out : SF_LOGS_MAX_OUT;
	s->max_ratio = o.max_ratio ? o.max_ratio : SF_LOGS_MAX_RATIO;
	cap = o.behind + o.block + o.maxrec;
	buf = malloc(cap);
	rd.tmp = malloc(SF_LR_TMP);
	if (!buf || !rd.tmp) {
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
		st = SF_ENOMEM;
		goto out;
	}
	/* the first bytes: gzip magic (RFC 1952 §2.3.1: ID1 0x1f, ID2 0x8b)? */
	while ((s->fd >= 0 || s->ar) && len < 2 && !eof) {
		ssize_t r = src_read(s, buf + len, cap - len);

		if (r < 0) {
			st = read_failed(s, (int)r, name, err, errlen);
			goto out;
		}
		if (r == 0)
			eof = 1;
		len += (size_t)r;
	}
	if ((s->fd >= 0 || s->ar) && len >= 2 && (unsigned char)buf[0] == 0x1f &&
	    (unsigned char)buf[1] == 0x8b) {
		if (gz_start(s, buf, len) != 0) {
			seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
			st = SF_ENOMEM;
			goto out;
		}
		len = 0;
		eof = 0;
	}
	rc = fill(s, buf, &len, cap, &eof);
	if (rc < 0) {
		st = read_failed(s, rc, name, err, errlen);
		goto out;
	}
	/* byte-order marks: UTF-8 skipped, UTF-16 (Windows exports) decoded */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(buf, buf + 3, len - 3);
		len -= 3;
	} else if (len >= 2 && ((unsigned char)buf[0] == 0xff || (unsigned char)buf[0] == 0xfe) &&
		   (unsigned char)buf[1] == ((unsigned char)buf[0] ^ 1)) {
		if (u16_start(s, (unsigned char)buf[0] == 0xff ? 1 : 2, buf + 2, len - 2) != 0) {
			seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
			st = SF_ENOMEM;
			goto out;
		}
		len = 0;
		eof = 0;
		rc = fill(s, buf, &len, cap, &eof);
		if (rc < 0) {
			st = read_failed(s, rc, name, err, errlen);
			goto out;
		}
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
		if (rd.st != SF_OK || rd.stop || eof) {
			s->stopped = rd.stop;
			break;
		}
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
			st = read_failed(s, rc, name, err, errlen);
			goto out;
		}
	}
	if (rd.st != SF_OK) {
		seterr(err, errlen, "cannot read '%s': %s", name, strerror(ENOMEM));
		st = rd.st;
		goto out;
	}
out:
	src_release(s);
	rd_release(&rd);
	free(buf);
	return st;
}

/* ------------------------------------------------------------------ */
/* Bundles (.tar, .tar.gz, .tgz, .zip) and directories                  */
/* ------------------------------------------------------------------ */

/* A walk over the files of a bundle or a directory. */
typedef struct walk {
	sf_log_type type;
	sf_log_emit_fn emit;
	void *arg;
	const sf_logs_opts *opts;
	sf_log_type *out_type;
	size_t files;   /* regular files met (members of bundles included) */
	size_t read;    /* logs read */
	int stop;       /* emit asked to stop, or a limit was reached */
	sf_status st;   /* the first failure (SF_OK: none) */
	char msg[SF_LOGS_ERRLEN];
} walk;

static void walk_fail(walk *w, sf_status st, const char *msg)
{
	if (w->st == SF_OK) {
		w->st = st;
		snprintf(w->msg, sizeof(w->msg), "%s", msg);
	}
	if (st == SF_ENOMEM)
		w->stop = 1;
}

/*
 * The outcome of one log of a walk: read, skipped (empty or binary: bundles
 * hold pcaps, images, ...; SF_EPARSE), or a failure kept for the end.
 */
static void walk_took(walk *w, const lsrc *s, sf_status st, sf_log_type t, const char *msg)
{
	if (st == SF_OK) {
		if (w->read++ == 0 && w->out_type)
			*w->out_type = t;
	} else if (st != SF_EPARSE) {
		walk_fail(w, st, msg);
	}
	if (s->stopped)
		w->stop = 1;
}

/* 1 if the file open at @fd is a tar (plain or gzip) or zip archive, from its first bytes. */
static int is_bundle(int fd)
{
	unsigned char b[4096], t[512];
	ssize_t n;

	do
		n = pread(fd, b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
	    ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6)))
		return 1; /* zip: local file header, or an empty archive's end record */
	if (n >= 262 && memcmp(b + 257, "ustar", 5) == 0)
		return 1; /* POSIX / GNU tar header magic */
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		z_stream z;
		size_t got;

		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, 15 + 16) != Z_OK)
			return 0;
		z.next_in = b;
		z.avail_in = (uInt)n;
		z.next_out = t;
		z.avail_out = sizeof(t);
		(void)inflate(&z, Z_SYNC_FLUSH);
		got = sizeof(t) - z.avail_out;
		inflateEnd(&z);
		return got >= 262 && memcmp(t + 257, "ustar", 5) == 0;
	}
	return 0;
}

static sf_status run(lsrc *s, const char *name, sf_log_type type, sf_log_emit_fn emit, void *arg,
		     const sf_logs_opts *opts, sf_log_type *out_type, char *err, size_t errlen);

/* Reads every regular file of the archive @path; events name "PATH:MEMBER". */
static void walk_archive(walk *w, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	uint64_t total = 0;
	char *msg = malloc(SF_LOGS_ERRLEN);
	int r;

	if (!a || !msg) {
		walk_fail(w, SF_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 64u << 10) != ARCHIVE_OK) {
		snprintf(msg, SF_LOGS_ERRLEN, "cannot read '%s': %s", path,
			 archive_error_string(a) ? archive_error_string(a) : "not an archive");
		walk_fail(w, SF_EIO, msg);
		goto out;
	}
	while (!w->stop) {
		const char *mp;
		char *name;
		size_t depth = 0;
		sf_log_type t = SF_LOGT_AUTO;
		sf_status st;
		lsrc s;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			snprintf(msg, SF_LOGS_ERRLEN, "cannot read '%s': %s", path,
				 archive_error_string(a) ? archive_error_string(a)
							 : "bad archive");
			walk_fail(w, SF_EIO, msg);
			break;
		}
		if (archive_entry_filetype(e) != AE_IFREG || !(mp = archive_entry_pathname(e)))
			continue;
		while (mp[0] == '.' && mp[1] == '/')
			mp += 2;
		for (const char *q = mp; *q; q++)
			depth += *q == '/';
		if (depth > SF_LOGS_MAX_DEPTH || !*mp)
			continue;
		if (++w->files > SF_LOGS_MAX_MEMBERS) {
			snprintf(msg, SF_LOGS_ERRLEN,
				 "cannot read all of '%s': more than %u files; the rest is not read",
				 path, SF_LOGS_MAX_MEMBERS);
			walk_fail(w, SF_EIO, msg);
			w->stop = 1;
			break;
		}
		name = sf_aprintf("%s:%s", path, mp);
		if (!name) {
			walk_fail(w, SF_ENOMEM, "out of memory");
			break;
		}
		memset(&s, 0, sizeof(s));
		s.fd = -1;
		s.ar = a;
		s.total = &total;
		st = run(&s, name, w->type, w->emit, w->arg, w->opts, &t, msg, SF_LOGS_ERRLEN);
		walk_took(w, &s, st, t, msg);
		free(name);
		if (s.capped || r == ARCHIVE_FATAL)
			break; /* the bundle's limit: the rest is not read */
	}
out:
	if (a)
		archive_read_free(a);
	free(msg);
}

static void walk_path(walk *w, const char *path, unsigned depth);

/* Reads the regular files of directory @dir (sorted by name), recursively; symlinks are not followed. */
static void walk_dir(walk *w, const char *dir, unsigned depth)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);
	size_t dl = strlen(dir);

	if (n < 0) {
		char m[SF_LOGS_ERRLEN];

		snprintf(m, sizeof(m), "cannot read '%s': %s", dir, strerror(errno));
		walk_fail(w, SF_EIO, m);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char *child;

		if (w->stop || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		child = sf_aprintf(dl && dir[dl - 1] == '/' ? "%s%s" : "%s/%s", dir, nm);
		if (!child) {
			walk_fail(w, SF_ENOMEM, "out of memory");
			continue;
		}
		walk_path(w, child, depth);
		free(child);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

/* A path met in a directory walk (@depth: levels below the top): file, bundle or directory. */
static void walk_path(walk *w, const char *path, unsigned depth)
{
	struct stat sb;
	char *msg;
	sf_log_type t = SF_LOGT_AUTO;
	sf_status st;
	lsrc s;

	if (lstat(path, &sb) != 0)
		return; /* gone since the directory was listed */
	if (S_ISDIR(sb.st_mode)) {
		if (depth < SF_LOGS_MAX_DEPTH)
			walk_dir(w, path, depth + 1);
		return;
	}
	if (!S_ISREG(sb.st_mode))
		return; /* symlinks (no loops), devices, sockets */
	msg = malloc(SF_LOGS_ERRLEN);
	if (!msg) {
		walk_fail(w, SF_ENOMEM, "out of memory");
		return;
	}
	memset(&s, 0, sizeof(s));
	s.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (s.fd < 0) {
		snprintf(msg, SF_LOGS_ERRLEN, "cannot read '%s': %s", path, strerror(errno));
		walk_fail(w, SF_EIO, msg);
	} else if (is_bundle(s.fd)) {
		close(s.fd);
		walk_archive(w, path);
	} else if (++w->files > SF_LOGS_MAX_MEMBERS) {
		close(s.fd);
		snprintf(msg, SF_LOGS_ERRLEN, "cannot read all files: more than %u; the rest is not read",
			 SF_LOGS_MAX_MEMBERS);
		walk_fail(w, SF_EIO, msg);
		w->stop = 1;
	} else {
		posix_fadvise(s.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		st = run(&s, path, w->type, w->emit, w->arg, w->opts, &t, msg, SF_LOGS_ERRLEN);
		close(s.fd);
		walk_took(w, &s, st, t, msg);
	}
	free(msg);
}

/* Runs a walk from @path (a directory or a bundle); the sf_logs_read() contract. */
static sf_status walk_run(const char *path, int is_dir, sf_log_type type, sf_log_emit_fn emit,
			  void *arg, const sf_logs_opts *opts, sf_log_type *out_type, char *err,
			  size_t errlen)
{
	walk *w = calloc(1, sizeof(*w));
	sf_status st;

	if (!w) {
		seterr(err, errlen, "cannot read '%s': %s", path, strerror(ENOMEM));
		return SF_ENOMEM;
	}
	w->type = type;
	w->emit = emit;
	w->arg = arg;
	w->opts = opts;
	w->out_type = out_type;
	if (is_dir)
		walk_dir(w, path, 0);
	else
		walk_archive(w, path);
	st = w->st;
	if (st != SF_OK)
		seterr(err, errlen, "%s", w->msg);
	else if (w->read == 0 && !w->stop) {
		seterr(err, errlen, "'%s' holds no log (%zu files, none is text)", path, w->files);
		st = SF_EPARSE;
	}
	free(w);
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
	if (strcmp(path, "-") == 0) {
		s.fd = STDIN_FILENO;
	} else {
		struct stat sb;

		memset(&sb, 0, sizeof(sb));
		s.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s.fd < 0) {
			seterr(err, errlen, "cannot read '%s': %s", path, strerror(errno));
			return SF_EIO;
		}
		s.close_fd = 1;
		if (fstat(s.fd, &sb) == 0 && (S_ISDIR(sb.st_mode) ||
					      (S_ISREG(sb.st_mode) && is_bundle(s.fd)))) {
			close(s.fd);
			return walk_run(path, S_ISDIR(sb.st_mode), type, emit, arg, opts, out_type,
					err, errlen);
		}
		if (S_ISREG(sb.st_mode))
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
	s.mem = buf;
	s.mem_len = len;
	return run(&s, name, type, emit, arg, opts, out_type, err, errlen);
}
