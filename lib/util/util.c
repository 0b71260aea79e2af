#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* ------------------------------------------------------------------ */
/* sf_sb: the growable string buffer                                   */
/* ------------------------------------------------------------------ */

void sf_sb_init(sf_sb *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static size_t sb_max(const sf_sb *b)
{
	size_t m = b->max ? b->max : SF_SB_MAX;

	return m < sizeof(SF_SB_CUT) ? sizeof(SF_SB_CUT) : m;
}

/* Room for @need more bytes of text (and the NUL).  0 or -1 (oom set). */
static int sb_reserve(sf_sb *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->n + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->n + need + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

/*
 * Appends @n bytes; past the cap, keeps what fits before the marker (whole
 * UTF-8 sequences only; nothing of @s when @atomic) and ends with the marker.
 */
static int sb_put(sf_sb *b, const char *s, size_t n, int atomic)
{
	size_t max = sb_max(b), room, keep = 0;

	if (b->oom)
		return -1;
	if (b->cut || (n == 0 && b->p != NULL))
		return 0;
	if (n <= max - b->n) {
		if (sb_reserve(b, n) < 0)
			return -1;
		memcpy(b->p + b->n, s, n);
		if (atomic) {
			b->atom_b = b->n;
			b->atom_e = b->n + n;
		}
		b->n += n;
		b->p[b->n] = '\0';
		return 0;
	}
	/* the cap is passed: the marker must fit, so the text may lose its tail */
	room = max - (sizeof(SF_SB_CUT) - 1);
	if (b->n > room) {
		/* drop whole UTF-8 sequences of what is there already */
		size_t k = room;

		while (k > 0 && ((unsigned char)b->p[k] & 0xc0) == 0x80)
			k--;
		if (k > b->atom_b && k < b->atom_e)
			k = b->atom_b;
		b->n = k;
	} else if (!atomic) {
		const unsigned char *u = (const unsigned char *)s;

		keep = room - b->n;
		if (keep > n)
			keep = n;
		while (keep > 0 && keep < n && (u[keep] & 0xc0) == 0x80)
			keep--;
	}
	if (sb_reserve(b, keep + sizeof(SF_SB_CUT) - 1) < 0)
		return -1;
	memcpy(b->p + b->n, s, keep);
	b->n += keep;
	memcpy(b->p + b->n, SF_SB_CUT, sizeof(SF_SB_CUT));
	b->n += sizeof(SF_SB_CUT) - 1;
	b->cut = 1;
	return 0;
}

int sf_sb_addn(sf_sb *b, const char *s, size_t n)
{
	return sb_put(b, s, n, 0);
}

int sf_sb_add(sf_sb *b, const char *s)
{
	return s ? sb_put(b, s, strlen(s), 0) : (b->oom ? -1 : 0);
}

int sf_sb_addf(sf_sb *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int ret;

	if (b->oom)
		return -1;
	va_start(ap, fmt);
	s = sf_vaprintf(fmt, ap);
	va_end(ap);
	if (!s) {
		b->oom = 1;
		return -1;
	}
	ret = sb_put(b, s, strlen(s), 0);
	free(s);
	return ret;
}

int sf_sb_add_esc(sf_sb *b, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	if (!s)
		return b->oom ? -1 : 0;
	while (i < n && !b->cut && !b->oom) {
		char esc[SF_TEXT_ESC_MAX];
		size_t el, len = sf_text_unit(s + i, n - i, esc, &el);

		if (el == 0) {
			i += len;
			continue;
		}
		if (i > run)
			sb_put(b, s + run, i - run, 0);
		sb_put(b, esc, el, 1); /* never cut inside an escape */
		i += len;
		run = i;
	}
	if (run < n && !b->cut)
		sb_put(b, s + run, n - run, 0);
	if (b->p == NULL)
		sb_put(b, "", 0, 0);
	return b->oom ? -1 : 0;
}

const char *sf_sb_str(const sf_sb *b)
{
	return b->p ? b->p : "";
}

char *sf_sb_take(sf_sb *b)
{
	char *p;

	if (b->oom) {
		sf_sb_release(b);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->n = b->cap = 0;
	b->cut = 0;
	b->atom_b = b->atom_e = 0;
	return p;
}

void sf_sb_release(sf_sb *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
	b->oom = b->cut = 0;
	b->atom_b = b->atom_e = 0;
}

/* ------------------------------------------------------------------ */
/* Untrusted text made visible                                          */
/* ------------------------------------------------------------------ */

int sf_text_cp_unsafe(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 1; /* C0, DEL, C1 */
	if (cp == 0x2028 || cp == 0x2029)
		return 1; /* line and paragraph separators */
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 1; /* bidi marks, embeddings, overrides and isolates */
	return 0;
}

size_t sf_text_unit(const char *s, size_t n, char esc[SF_TEXT_ESC_MAX], size_t *esc_len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp = 0;
	size_t len = sf_utf8_seq(u, n, &cp);

	*esc_len = 0;
	esc[0] = '\0';
	if (len > 0 && !sf_text_cp_unsafe(cp))
		return len;
	if (len == 0 || cp < 0xa0) {
		/* ill-formed byte, or a C0/DEL/C1 control: its bytes as \xNN */
		size_t k, o = 0;

		if (len == 0)
			len = 1;
		for (k = 0; k < len; k++) {
			esc[o++] = '\\';
			esc[o++] = 'x';
			esc[o++] = hex[u[k] >> 4];
			esc[o++] = hex[u[k] & 0xf];
		}
		esc[o] = '\0';
		*esc_len = o;
		return len;
	}
	esc[0] = '\\';
	esc[1] = 'u';
	esc[2] = hex[(cp >> 12) & 0xf];
	esc[3] = hex[(cp >> 8) & 0xf];
	esc[4] = hex[(cp >> 4) & 0xf];
	esc[5] = hex[cp & 0xf];
	esc[6] = '\0';
	*esc_len = 6;
	return len;
}

char *sf_text_escape(const char *s, size_t n)
{
	sf_sb b;

	if (!s)
		return NULL;
	/* no hard cap beyond memory: the callers bound their inputs */
	sf_sb_init(&b, SIZE_MAX / 2);
	if (sf_sb_add_esc(&b, s, n) < 0) {
		sf_sb_release(&b);
		return NULL;
	}
	return sf_sb_take(&b);
}

int sf_text_needs_escape(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char esc[SF_TEXT_ESC_MAX];
		size_t el;

		i += sf_text_unit(s + i, n - i, esc, &el);
		if (el)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Bounded input files                                                  */
/* ------------------------------------------------------------------ */

int sf_input_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file or a pipe", path);
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sf_read_fd_bounded(int fd, size_t limit, char **out, size_t *out_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			/* one byte beyond the limit tells a file that is too large */
			size_t nc = cap ? cap * 2 : 64 * 1024;
			char *p;

			if (nc > limit + 1)
				nc = limit + 1;
			if (len == nc) {
				rc = -2;
				goto out;
			}
			p = realloc(buf, nc + 1);
			if (!p) {
				errno = ENOMEM;
				goto out;
			}
			buf = p;
			cap = nc;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > limit) {
		rc = -2;
		goto out;
	}
	if (!buf && !(buf = malloc(1))) {
		errno = ENOMEM;
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

long sf_read_line(FILE *fp, char **buf, size_t *cap, size_t max)
{
	size_t n = 0;
	int c;

	for (;;) {
		if (n + 2 > *cap) {
			size_t nc = *cap ? *cap * 2 : 256;
			char *p;

			if (nc > max + 2)
				nc = max + 2;
			if (nc < n + 2)
				nc = n + 2;
			p = realloc(*buf, nc);
			if (!p) {
				errno = ENOMEM;
				return -1;
			}
			*buf = p;
			*cap = nc;
		}
		c = getc(fp);
		if (c == EOF) {
			if (ferror(fp))
				return -1;
			break;
		}
		if (n == max && c != '\n')
			return -2;
		(*buf)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	(*buf)[n] = '\0';
	return (long)n;
}
