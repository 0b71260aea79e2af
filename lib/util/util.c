#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sf_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *sf_vaprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *buf;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return NULL;
	vsnprintf(buf, (size_t)n + 1, fmt, ap);
	return buf;
}

char *sf_aprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sf_vaprintf(fmt, ap);
	va_end(ap);
	return s;
}

int sf_name_norm(const char *name, char *out, size_t outlen)
{
	size_t len, i;

	if (!name || !*name || outlen < 2)
		return -1;
	if (strcmp(name, ".") == 0) {
		out[0] = '.';
		out[1] = '\0';
		return 0;
	}
	len = strlen(name);
	if (name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len + 1 > outlen)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!(isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*'))
			return -1;
		if (c == '.' && (i == 0 || name[i - 1] == '.'))
			return -1; /* empty label */
		out[i] = (char)tolower(c);
	}
	out[len] = '\0';
	return 0;
}

int sf_name_is_under(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n <= s)
		return 0;
	return name[n - s - 1] == '.' && strcmp(name + n - s, suffix) == 0;
}

size_t sf_name_labels(const char *name)
{
	size_t n = 1;

	if (strcmp(name, ".") == 0 || !*name)
		return 0;
	for (; *name; name++)
		if (*name == '.')
			n++;
	return n;
}

void sf_time_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* Reads exactly @n digits at *p into *out; advances *p.  -1 if not digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int sf_time_parse(const char *s, time_t *out_t)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	time_t t;

	if (!s || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' ||
		    digits(&s, 2, &sec))
			return -1;
		if (*s == '.') { /* fractional seconds: ignored */
			s++;
			if (!isdigit((unsigned char)*s))
				return -1;
			while (isdigit((unsigned char)*s))
				s++;
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om))
				return -1;
		} else {
			return -1; /* RFC 3339 requires an offset */
		}
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    oh > 23 || om > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	/* timegm() normalises 2026-02-30 into March: refuse days the month lacks. */
	{
		struct tm back;

		if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
			return -1;
	}
	*out_t = t - sign * (oh * 3600 + om * 60);
	return 0;
}

void sf_buf_add(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

int sf_strv_push(sf_strv *sv, const char *s)
{
	char *c;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	c = strdup(s);
	if (!c)
		return -1;
	sv->v[sv->n++] = c;
	return 0;
}

int sf_strv_contains(const sf_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void sf_strv_release(sf_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

const char *sf_strerror(sf_status st)
{
	switch (st) {
	case SF_OK: return "success";
	case SF_ENOMEM: return "out of memory";
	case SF_EINVAL: return "invalid argument";
	case SF_EIO: return "cannot read file";
	case SF_EPARSE: return "cannot parse file";
	case SF_ETIMEOUT: return "timed out";
	case SF_ENET: return "network failure";
	case SF_ETLS: return "TLS failure";
	case SF_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

size_t sf_utf8_seq(const unsigned char *s, size_t n, uint32_t *out_cp)
{
	uint32_t cp;
	size_t len, i;

	if (s == NULL || n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1;
		cp = s[0];
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) { /* 0xc0, 0xc1: always overlong */
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) { /* 0xf5..0xff: above U+10FFFF */
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (out_cp != NULL)
		*out_cp = cp;
	return len;
}
