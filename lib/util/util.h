/* Small helpers shared by every module of libsipfed. */
#ifndef SF_UTIL_H
#define SF_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "sipfed/sipfed.h"

#define SF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* strdup that accepts NULL (returns NULL). */
char *sf_strdup(const char *s);
/* malloc'd printf; NULL on out-of-memory. */
char *sf_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *sf_vaprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Normalises a DNS name into @out (outlen bytes): lowercase, without the
 * trailing dot ("." stays "."), ASCII only.  Returns 0, or -1 if the name is
 * empty, too long (> 253) or holds bytes outside [A-Za-z0-9._*-].
 */
int sf_name_norm(const char *name, char *out, size_t outlen);

/* Does @name end with the labels of @suffix (both normalised)?  "a.b.c" vs "b.c": yes. */
int sf_name_is_under(const char *name, const char *suffix);

/* Number of labels of a normalised name ("." has 0). */
size_t sf_name_labels(const char *name);

/*
 * Length of the well-formed UTF-8 sequence at the start of @s (at most @n
 * bytes are read): 1 to 4, or 0 if @n is 0 or the bytes are ill-formed
 * (RFC 3629 §3-4: no overlong forms, no surrogates, nothing above U+10FFFF,
 * no truncated sequence).  When the result is non-zero and @out_cp is not
 * NULL, the code point goes to *out_cp; otherwise *out_cp is left alone.
 */
size_t sf_utf8_seq(const unsigned char *s, size_t n, uint32_t *out_cp);

/* RFC 3339 text of @t in UTC into @buf ("2026-11-23T10:00:00Z"). */
void sf_time_format(time_t t, char *buf, size_t len);

/*
 * Appends the C string @s to @buf (capacity @cap bytes, current length
 * *@len, kept NUL-terminated), truncating at the capacity (possibly inside
 * a UTF-8 sequence: callers escape or repair when they write the text).
 * Does nothing when the buffer is already full; *@len is updated.
 */
void sf_buf_add(char *buf, size_t cap, size_t *len, const char *s);

/*
 * A growable string buffer.  Text is appended whole until the hard cap
 * (@max bytes of text, SF_SB_MAX if 0 at sf_sb_init) would be passed; then
 * what fits is kept (cut at a UTF-8 boundary, never inside an escape) and
 * the visible marker "..." ends the text, and later appends are ignored.
 * Nothing is ever cut silently.  An allocation failure sets @oom; every
 * function then does nothing, and sf_sb_take() returns NULL.
 * A zeroed sf_sb is a valid empty buffer with the default cap.
 */
#define SF_SB_MAX (64u * 1024u)
#define SF_SB_CUT "..."

typedef struct sf_sb {
	char *p;      /* NUL-terminated text, or NULL while nothing was appended */
	size_t n;     /* its length */
	size_t cap;   /* bytes allocated */
	size_t max;   /* hard cap on n (0: SF_SB_MAX) */
	int oom;      /* an allocation failed: the text is incomplete */
	int cut;      /* the hard cap was reached: the text ends with SF_SB_CUT */
	size_t atom_b, atom_e; /* the last escape appended: a cut never falls inside */
} sf_sb;

void sf_sb_init(sf_sb *b, size_t max);
/* Appends @n bytes of @s (trusted text).  0, or -1 if out of memory. */
int sf_sb_addn(sf_sb *b, const char *s, size_t n);
int sf_sb_add(sf_sb *b, const char *s); /* a C string; NULL appends nothing */
int sf_sb_addf(sf_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends @n bytes of untrusted @s escaped by the rules of sf_text_escape(). */
int sf_sb_add_esc(sf_sb *b, const char *s, size_t n);
/* The text so far ("" when empty; valid until the next append). */
const char *sf_sb_str(const sf_sb *b);
/* Hands the malloc'd text over (an empty buffer gives ""), NULL if out of memory; resets @b. */
char *sf_sb_take(sf_sb *b);
void sf_sb_release(sf_sb *b);

/*
 * Untrusted text made visible, once, where it enters a message.  Every code
 * point that could change what a reader sees beyond its own glyph becomes an
 * escape of printable ASCII:
 *   - ill-formed UTF-8, byte by byte:            \xNN
 *   - C0 controls (line breaks, NUL, ESC), DEL
 *     and C1 controls, byte by byte:             \x0a  \x1b  \x7f  \xc2\x85
 *   - U+2028/U+2029 (line and paragraph separators) and the bidi controls
 *     U+061C, U+200E/F, U+202A..E, U+2066..9:   \u2028  \u202e
 * Everything else, the backslash included, is copied, so the escaped text is
 * a fixed point: escaping it again changes nothing (no double escaping).
 */
/*
 * One unit of @s (at most @n > 0 bytes): returns its length in bytes (>= 1);
 * if it must be escaped, its escape goes to @esc (NUL-terminated, at most
 * SF_TEXT_ESC_MAX bytes with the NUL) and *@esc_len is set, else *@esc_len = 0.
 */
#define SF_TEXT_ESC_MAX 32
size_t sf_text_unit(const char *s, size_t n, char esc[SF_TEXT_ESC_MAX], size_t *esc_len);
/* Is code point @cp one that sf_text_escape() shows as an escape? */
int sf_text_cp_unsafe(uint32_t cp);
/* @n bytes of @s escaped into a malloc'd string; NULL if out of memory (or @s NULL). */
char *sf_text_escape(const char *s, size_t n);
/* Does @s (@n bytes) hold anything that sf_text_escape() would change? */
int sf_text_needs_escape(const char *s, size_t n);

/*
 * Bounded input files (-f, --allow-list): opens @path read-only with
 * O_NONBLOCK (a FIFO without a writer cannot block the open), then fstat():
 * a regular file is read as it is, a FIFO or pipe as a stream (O_NONBLOCK
 * cleared: it ends when its writer closes it, at once if it has none);
 * anything else (a device such as /dev/zero, a directory, a socket) is
 * refused.  Returns the descriptor, or -1 with the message in @err
 * ("cannot read 'PATH': ..." or "'PATH' is not a regular file or a pipe").
 */
int sf_input_open(const char *path, char *err, size_t errlen);

/*
 * Reads one line (up to and including '\n', or to the end of input) from
 * @fp into *@buf (grown as getline() does, never beyond @max + 2 bytes).
 * Returns its length (> 0), 0 at the end of input, -1 on a read error
 * (errno set) or out of memory (errno ENOMEM), -2 if the line holds more
 * than @max bytes (what was read is dropped; the caller stops).
 */
long sf_read_line(FILE *fp, char **buf, size_t *cap, size_t max);

/*
 * Reads @fd to its end into a new NUL-terminated buffer (*out, *out_len),
 * never more than @limit bytes (a file that grows while it is read
 * included).  Returns 0; -1 with errno set on a read or allocation failure
 * (errno ENOMEM); -2 when there is more than @limit.  *out is NULL unless 0
 * is returned.  The fd is not closed.
 */
int sf_read_fd_bounded(int fd, size_t limit, char **out, size_t *out_len);

/* A growable array of owned strings. */
typedef struct sf_strv {
	char **v;
	size_t n, cap;
} sf_strv;

int sf_strv_push(sf_strv *sv, const char *s); /* copies s; 0 or -1 */
int sf_strv_contains(const sf_strv *sv, const char *s);
void sf_strv_release(sf_strv *sv);

#endif
