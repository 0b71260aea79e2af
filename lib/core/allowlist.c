/*
 * The allow list of an Edge (FED-003), as a user gives it: either plain
 * lines "domain [proxyfqdn]" with '#' comments, or the CSV that
 * `Get-CsAllowedDomain | Export-Csv` writes (RFC 4180 quoting; a header
 * naming the columns, of which Domain and ProxyFqdn are read; the "#TYPE"
 * line of Windows PowerShell is a comment).  The file is untrusted input:
 * lines are bounded, every field is checked as a DNS name, and every error
 * names the file and line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unistd.h>

#include "core/allowlist.h"
#include "sipfed/sipfed.h"
#include "util/util.h"

#define SF_ALLOW_LINE_MAX 4096  /* longer lines are refused */
#define SF_ALLOW_FIELDS_MAX 64  /* CSV columns */
#define SF_ALLOW_ENTRIES_MAX 100000
#define SF_ALLOW_LINES_MAX 1000000      /* comments and blank lines included */
#define SF_ALLOW_SIZE_MAX (64u << 20) /* bytes of the whole list */

typedef struct reader {
	const char *file;
	size_t line;
	char *err;
	size_t errlen;
	struct dupset *dups; /* the domains listed so far */
} reader;

static sf_status fail(reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static sf_status fail(reader *rd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(rd->err, rd->errlen, "%s line %zu: %s", rd->file, rd->line, msg);
	return SF_EPARSE;
}

const char *sf_allow_list_error(const sf_allow_list *l)
{
	if (!l)
		return "out of memory";
	return l->error ? l->error : "";
}

void sf_allow_list_free(sf_allow_list *l)
{
	if (!l)
		return;
	free(l->error);
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].domain);
		free(l->v[i].proxy_fqdn);
	}
	free(l->v);
	free(l->file);
	free(l);
}

/*
 * Splits one CSV record (RFC 4180: fields separated by ',', a field may be
 * enclosed in '"' with "" for a quote; no line breaks inside fields here)
 * in place.  Returns the number of fields, or -1 if a quote is unbalanced,
 * -2 if there are more than @max fields.
 */
static int csv_split(char *s, char **fields, int max)
{
	int n = 0;
	char *p = s;

	for (;;) {
		char *out, *start;

		if (n == max)
			return -2;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			start = out = ++p;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0')
				return -1;
			*out = '\0';
		} else {
			start = p;
			while (*p && *p != ',') {
				if (*p == '"')
					return -1;
				p++;
			}
			out = p;
			while (out > start && (out[-1] == ' ' || out[-1] == '\t'))
				out--;
			if (*p == ',') {
				*out = '\0';
				fields[n++] = start;
				p++;
				continue;
			}
			*out = '\0';
			fields[n++] = start;
			return n;
		}
		fields[n++] = start;
		if (*p == '\0')
			return n;
		p++; /* the ',' after a quoted field */
	}
}

/*
 * Copies at most 60 bytes of untrusted @in into @out for a message, every
 * byte outside printable ASCII shown as \xNN (a terminal gets no control
 * sequence from a file).
 */
static const char *shown(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; in[i] && i < 60 && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, outlen - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}

/* Open addressing over the entries' domains: duplicates found in O(1), not O(N). */
struct dupset {
	size_t *slot; /* entry index + 1; 0 = free */
	size_t cap;   /* a power of two */
};
typedef struct dupset dupset;

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The entry listing @d, or (size_t)-1. */
static size_t dup_find(const dupset *ds, const sf_allow_list *l, const char *d)
{
	if (!ds->cap)
		return (size_t)-1;
	for (size_t i = name_hash(d) & (ds->cap - 1);; i = (i + 1) & (ds->cap - 1)) {
		if (!ds->slot[i])
			return (size_t)-1;
		if (strcmp(l->v[ds->slot[i] - 1].domain, d) == 0)
			return ds->slot[i] - 1;
	}
}

/* Records entry @idx of @l; 0, or -1 if out of memory. */
static int dup_add(dupset *ds, const sf_allow_list *l, size_t idx)
{
	if ((idx + 1) * 2 > ds->cap) {
		size_t nc = ds->cap ? ds->cap * 2 : 64;
		size_t *ns = calloc(nc, sizeof(*ns));

		if (!ns)
			return -1;
		for (size_t k = 0; k <= idx; k++) {
			size_t i = name_hash(l->v[k].domain) & (nc - 1);

			while (ns[i])
				i = (i + 1) & (nc - 1);
			ns[i] = k + 1;
		}
		free(ds->slot);
		ds->slot = ns;
		ds->cap = nc;
		return 0; /* idx was placed above */
	}
	{
		size_t i = name_hash(l->v[idx].domain) & (ds->cap - 1);

		while (ds->slot[i])
			i = (i + 1) & (ds->cap - 1);
		ds->slot[i] = idx + 1;
	}
	return 0;
}

/* Normalises a domain or proxy FQDN of the list into @out; 0, or -1 if not a DNS name. */
static int list_name(const char *in, char *out, size_t outlen)
{
	if (sf_name_norm(in, out, outlen) < 0 || strcmp(out, ".") == 0 || strchr(out, '*'))
		return -1;
	return 0;
}

static sf_status add_entry(reader *rd, sf_allow_list *l, size_t *cap, const char *domain,
			   const char *proxy)
{
	char d[256], p[256], esc[256];
	sf_allow_entry *e;

	if (list_name(domain, d, sizeof(d)) < 0)
		return fail(rd, "invalid domain name '%s'", shown(domain, esc, sizeof(esc)));
	if (proxy && *proxy && list_name(proxy, p, sizeof(p)) < 0)
		return fail(rd, "invalid proxy FQDN '%s'", shown(proxy, esc, sizeof(esc)));
	{
		size_t i = dup_find(rd->dups, l, d);

		if (i != (size_t)-1)
			return fail(rd, "domain %s is listed twice (first on line %zu)", d,
				    l->v[i].line);
	}
	if (l->n == SF_ALLOW_ENTRIES_MAX)
		return fail(rd, "more than %d entries", SF_ALLOW_ENTRIES_MAX);
	if (l->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		sf_allow_entry *v = realloc(l->v, nc * sizeof(*v));

		if (!v)
			return SF_ENOMEM;
		l->v = v;
		*cap = nc;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->line = rd->line;
	if (!(e->domain = sf_strdup(d)) || (proxy && *proxy && !(e->proxy_fqdn = sf_strdup(p)))) {
		free(e->domain);
		free(e->proxy_fqdn);
		return SF_ENOMEM;
	}
	if (dup_add(rd->dups, l, l->n) < 0) {
		free(e->domain);
		free(e->proxy_fqdn);
		return SF_ENOMEM;
	}
	l->n++;
	return SF_OK;
}

/* A plain line "domain [proxyfqdn]" (comment already cut). */
static sf_status plain_line(reader *rd, sf_allow_list *l, size_t *cap, char *s)
{
	char *tok[3];
	int n = 0;

	while (*s && n < 3) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (n == 3 || *s)
		return fail(rd, "more than two fields; expected 'domain [proxyfqdn]'");
	if (n == 0)
		return SF_OK;
	return add_entry(rd, l, cap, tok[0], n == 2 ? tok[1] : NULL);
}

/* Is this the header of a Get-CsAllowedDomain CSV export?  Sets the column indexes. */
static int csv_header(char *line, int *col_domain, int *col_proxy, reader *rd, sf_status *st)
{
	char *f[SF_ALLOW_FIELDS_MAX];
	int n;

	*st = SF_OK;
	/* A one-column export ("Domain" alone) is a header too. */
	if (!strchr(line, ',') && !strchr(line, '"') && strcasecmp(line, "Domain") != 0)
		return 0;
	n = csv_split(line, f, SF_ALLOW_FIELDS_MAX);
	if (n == -1) {
		*st = fail(rd, "unbalanced '\"' in the CSV header");
		return 1;
	}
	if (n < 0) {
		*st = fail(rd, "more than %d CSV columns", SF_ALLOW_FIELDS_MAX);
		return 1;
	}
	*col_domain = *col_proxy = -1;
	for (int i = 0; i < n; i++) {
		if (strcasecmp(f[i], "Domain") == 0 && *col_domain < 0)
			*col_domain = i;
		else if (strcasecmp(f[i], "ProxyFqdn") == 0 && *col_proxy < 0)
			*col_proxy = i;
	}
	if (*col_domain < 0)
		*st = fail(rd, "a CSV allow list needs a header with a Domain column (as "
			   "Get-CsAllowedDomain | Export-Csv writes), or use 'domain "
			   "[proxyfqdn]' lines");
	return 1;
}

/* One line of the list (@s: NUL-terminated, writable, without its line break). */
static sf_status one_line(reader *rd, sf_allow_list *l, size_t *cap, char *s, int *csv,
			  int *col_domain, int *col_proxy)
{
	sf_status st = SF_OK;

	/* A UTF-8 byte order mark (PowerShell's -Encoding UTF8) before the first line. */
	if (rd->line == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		s += 3;
	s[strcspn(s, "\r\n")] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '#' || *s == '\0')
		return SF_OK;
	if (*csv < 0) {
		*csv = csv_header(s, col_domain, col_proxy, rd, &st);
		if (st != SF_OK || *csv)
			return st;
	}
	if (*csv) {
		char *f[SF_ALLOW_FIELDS_MAX];
		int n = csv_split(s, f, SF_ALLOW_FIELDS_MAX);

		if (n == -1)
			return fail(rd, "malformed quoted CSV field (unbalanced '\"')");
		if (n <= *col_domain || n <= *col_proxy || n < 0)
			return fail(rd, "%d CSV fields; the header names a column %d",
				    n < 0 ? SF_ALLOW_FIELDS_MAX : n,
				    (*col_domain > *col_proxy ? *col_domain : *col_proxy) + 1);
		return add_entry(rd, l, cap, f[*col_domain], *col_proxy >= 0 ? f[*col_proxy] : NULL);
	}
	s[strcspn(s, "#")] = '\0';
	return plain_line(rd, l, cap, s);
}

/*
 * Parses @len bytes of @buf (the whole list; @name names it in messages)
 * into a new list.  Every bound is checked here: total size, line length,
 * line count, entries.  A failure's message goes into @err.
 */
static sf_status parse(const char *name, const char *buf, size_t len, sf_allow_list **out_list,
		       char *err, size_t errlen)
{
	dupset dups = { 0 };
	reader rd = { .file = name, .err = err, .errlen = errlen, .dups = &dups };
	sf_allow_list *l = calloc(1, sizeof(*l));
	char line[SF_ALLOW_LINE_MAX + 2];
	size_t cap = 0, pos = 0;
	int csv = -1, col_domain = -1, col_proxy = -1; /* csv: -1 undecided, 0 plain, 1 CSV */
	sf_status st = SF_ENOMEM;

	*out_list = NULL;
	if (!l || !(l->file = sf_strdup(name)))
		goto out;
	if (len > SF_ALLOW_SIZE_MAX) {
		snprintf(err, errlen, "%s: larger than %u MiB: not an allow list", name,
			 SF_ALLOW_SIZE_MAX >> 20);
		st = SF_EPARSE;
		goto out;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;

		rd.line++;
		if (rd.line > SF_ALLOW_LINES_MAX) {
			st = fail(&rd, "more than %d lines: not an allow list", SF_ALLOW_LINES_MAX);
			goto out;
		}
		if (n > SF_ALLOW_LINE_MAX) {
			st = fail(&rd, "line longer than %d bytes", SF_ALLOW_LINE_MAX);
			goto out;
		}
		if (memchr(buf + pos, '\0', n)) {
			st = fail(&rd, "NUL byte");
			goto out;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n;
		st = one_line(&rd, l, &cap, line, &csv, &col_domain, &col_proxy);
		if (st != SF_OK)
			goto out;
	}
	*out_list = l;
	l = NULL;
	st = SF_OK;
out:
	if (st == SF_ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(dups.slot);
	sf_allow_list_free(l);
	return st;
}

/*
 * Reads @file (a regular file or a pipe, sf_input_open(); at most
 * SF_ALLOW_SIZE_MAX bytes) and parses it; a failure's message goes into
 * @err.  The public sf_allow_list_load() keeps it in the list it returns.
 */
static sf_status load(const char *file, sf_allow_list **out_list, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	sf_status st;
	int fd;

	*out_list = NULL;
	fd = sf_input_open(file, err, errlen);
	if (fd < 0)
		return SF_EIO;
	switch (sf_read_fd_bounded(fd, SF_ALLOW_SIZE_MAX, &buf, &len)) {
	case 0:
		break;
	case -2:
		snprintf(err, errlen, "%s: larger than %u MiB: not an allow list", file,
			 SF_ALLOW_SIZE_MAX >> 20);
		st = SF_EPARSE;
		goto out;
	default:
		st = errno == ENOMEM ? SF_ENOMEM : SF_EIO;
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
		goto out;
	}
	st = parse(file, buf ? buf : "", len, out_list, err, errlen);
out:
	free(buf);
	close(fd);
	return st;
}

sf_status sf_allow_list_parse(const char *name, const char *buf, size_t len,
			      sf_allow_list **out_list)
{
	char err[1024] = "";
	sf_status st;
	sf_allow_list *l;

	*out_list = NULL;
	st = parse(name ? name : "", buf ? buf : "", buf ? len : 0, out_list, err, sizeof(err));
	if (st == SF_OK)
		return SF_OK;
	l = calloc(1, sizeof(*l));
	if (l && !(l->error = sf_strdup(err[0] ? err : sf_strerror(st)))) {
		free(l);
		l = NULL;
	}
	*out_list = l;
	return st;
}

sf_status sf_allow_list_load(const char *file, sf_allow_list **out_list)
{
	char err[1024] = "";
	sf_status st;
	sf_allow_list *l;

	*out_list = NULL;
	st = load(file ? file : "", out_list, err, sizeof(err));
	if (st == SF_OK)
		return SF_OK;
	/* the failed list: empty, with its message (docs/api.md, "Errors") */
	l = calloc(1, sizeof(*l));
	if (l && !(l->error = sf_strdup(err[0] ? err : sf_strerror(st)))) {
		free(l);
		l = NULL;
	}
	*out_list = l;
	return st;
}
