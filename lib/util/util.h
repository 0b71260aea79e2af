/* Small helpers shared by every module of libsipfed. */
#ifndef SF_UTIL_H
#define SF_UTIL_H

#include <stdarg.h>
#include <stddef.h>
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

/* A growable array of owned strings. */
typedef struct sf_strv {
	char **v;
	size_t n, cap;
} sf_strv;

int sf_strv_push(sf_strv *sv, const char *s); /* copies s; 0 or -1 */
int sf_strv_contains(const sf_strv *sv, const char *s);
void sf_strv_release(sf_strv *sv);

#endif
