/*
 * Zone source: answers DNS queries from RFC 1035 master files, parsed with
 * libzscanner and held in memory, the way a recursive resolver in front of
 * authoritative servers for these zones would answer (CNAME chains followed
 * across all loaded zones, wildcards synthesised per RFC 4592).
 *
 * Data: one hash table of nodes keyed by the lowercase wire name.  A node is
 * an owner with its records, or an empty non-terminal (an ancestor of an
 * owner, RFC 4592 section 2.2.2), or both; a node may be a zone apex.  The
 * apexes are the owners of SOA records and every origin under which a
 * record was read (how a file's origin is chosen: sf_dns_zone_new in dns.h).
 *
 * Input is bounded: each file is read whole into memory by us (regular files
 * only, opened non-blocking, size caps), cleaned of what libzscanner refuses
 * (CRLF, Windows aging stamps), and scanned record by record so that
 * $INCLUDE comes back to us (the scanner would otherwise open any path).
 *
 * Tests: tests/unit/test_dns_zone.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libknot/consts.h>
#include <libknot/descriptor.h>
#include <libknot/dname.h>
#include <libzscanner/scanner.h>

#include "dns/dns.h"
#include "dns/dns_wire.h"
#include "util/util.h"

/* At most this many CNAMEs are followed for one query. */
#define ZONE_MAX_CNAME 8

/* Bounds of the input (sf_dns_zone_new in dns.h). */
#define ZONE_MAX_FILE ((size_t)64 << 20)
#define ZONE_MAX_TOTAL ((size_t)256 << 20)
#define ZONE_MAX_INCLUDE_DEPTH 4
/* Nodes with more records than this are deduplicated by sorting. */
#define ZONE_DEDUP_LINEAR 8

struct zone_node {
	uint8_t *name; /* lowercase wire name, owned; NULL = free slot */
	size_t name_len;
	sf_dns_rr *rr; /* records in file order */
	size_t n_rr, cap_rr;
	bool apex;     /* a zone starts here */
};

struct zone_src {
	sf_dns_source base;
	struct zone_node *tab; /* open addressing, linear probing */
	size_t cap;            /* power of two */
	size_t count;
	char **notes;          /* sf_dns_zone_notes() */
	size_t n_notes;
	size_t total;          /* bytes read, every file and include */
};

/* One --zone file being read, with what its $INCLUDEs need. */
struct load_job {
	struct zone_src *z;
	char *root_dir;                                 /* realpath of the file's directory */
	char *stack[ZONE_MAX_INCLUDE_DEPTH + 1];        /* realpaths of the files being read */
	size_t depth;                                   /* entries of stack in use */
	char *err;
	size_t errlen;
};

/* FNV-1a over the wire bytes of a lowercase name. */
static uint64_t name_hash(const uint8_t *name, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= name[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Slot of @name (lowercase wire): its node, or the free slot it would use. */
static struct zone_node *slot_of(struct zone_node *tab, size_t cap, const uint8_t *name)
{
	size_t len = knot_dname_size(name);
	size_t i = (size_t)name_hash(name, len) & (cap - 1);

	/* Bounded: the table is never more than half full. */
	for (size_t probe = 0; probe < cap; probe++) {
		struct zone_node *n = &tab[(i + probe) & (cap - 1)];

		if (!n->name || (n->name_len == len && memcmp(n->name, name, len) == 0))
			return n;
	}
	return NULL;
}

static struct zone_node *node_find(const struct zone_src *z, const uint8_t *name)
{
	struct zone_node *n;

	if (z->cap == 0)
		return NULL;
	n = slot_of(z->tab, z->cap, name);
	return n && n->name ? n : NULL;
}

/* Makes room for @extra more nodes, keeping the load factor <= 1/2. */
static sf_status table_reserve(struct zone_src *z, size_t extra)
{
	size_t cap = z->cap ? z->cap : 64;
	struct zone_node *tab;

	while ((z->count + extra) * 2 > cap) {
		if (cap > SIZE_MAX / 2 / sizeof(*tab))
			return SF_ENOMEM;
		cap *= 2;
	}
	if (cap == z->cap)
		return SF_OK;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return SF_ENOMEM;
	for (size_t i = 0; i < z->cap; i++) {
		if (z->tab[i].name)
			*slot_of(tab, cap, z->tab[i].name) = z->tab[i];
	}
	free(z->tab);
	z->tab = tab;
	z->cap = cap;
	return SF_OK;
}

/*
 * Returns the node of @name (lowercase wire), creating it and every missing
 * ancestor (the empty non-terminals).  The pointer is valid until the next
 * call that adds nodes.
 */
static sf_status node_add(struct zone_src *z, const uint8_t *name, struct zone_node **out)
{
	size_t labels = knot_dname_labels(name, NULL);
	sf_status st = table_reserve(z, labels + 1);

	if (st != SF_OK)
		return st;
	/* From the name up; once a node exists its ancestors exist too. */
	for (const uint8_t *p = name;; p += 1 + p[0]) {
		struct zone_node *n = slot_of(z->tab, z->cap, p);

		if (n->name)
			break;
		n->name_len = knot_dname_size(p);
		n->name = malloc(n->name_len);
		if (!n->name)
			return SF_ENOMEM;
		memcpy(n->name, p, n->name_len);
		z->count++;
		if (p[0] == 0)
			break;
	}
	*out = node_find(z, name);
	return SF_OK;
}

/* Order of records for deduplication: type, SRV fields, data. */
static int rr_cmp(const sf_dns_rr *a, const sf_dns_rr *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return strcmp(a->data, b->data);
}

/* Adds @rr (ownership taken, also on failure) to @n; duplicates go at the end of the load. */
static sf_status node_push(struct zone_node *n, sf_dns_rr *rr)
{
	if (n->n_rr == n->cap_rr) {
		size_t cap = n->cap_rr ? n->cap_rr * 2 : 2;
		sf_dns_rr *v = cap > SIZE_MAX / sizeof(*v) ? NULL : realloc(n->rr, cap * sizeof(*v));

		if (!v) {
			sf_dns_rr_release(rr);
			return SF_ENOMEM;
		}
		n->rr = v;
		n->cap_rr = cap;
	}
	n->rr[n->n_rr++] = *rr;
	memset(rr, 0, sizeof(*rr));
	return SF_OK;
}

/* qsort of pointers into one node's records: equal records by address, i.e. file order. */
static int ptr_cmp(const void *pa, const void *pb)
{
	const sf_dns_rr *a = *(const sf_dns_rr *const *)pa, *b = *(const sf_dns_rr *const *)pb;
	int c = rr_cmp(a, b);

	if (c)
		return c;
	return a < b ? -1 : a > b;
}

/*
 * RFC 2181 5: an RRset holds no duplicate records.  Drops every record equal
 * to an earlier one of @n, keeping file order: O(n log n) (a sort of
 * pointers), a linear scan only for a handful of records.  Done once, after
 * the last file: a check at each insertion made N records at one owner
 * O(N^2).
 */
static sf_status node_dedup(struct zone_node *n)
{
	const sf_dns_rr **v;
	bool *drop;
	size_t o = 0;

	if (n->n_rr < 2)
		return SF_OK;
	if (n->n_rr <= ZONE_DEDUP_LINEAR) {
		for (size_t i = 0; i < n->n_rr; i++) {
			bool dup = false;

			for (size_t k = 0; k < o && !dup; k++)
				dup = rr_cmp(&n->rr[k], &n->rr[i]) == 0;
			if (dup)
				sf_dns_rr_release(&n->rr[i]);
			else
				n->rr[o++] = n->rr[i];
		}
		n->n_rr = o;
		return SF_OK;
	}
	v = malloc(n->n_rr * sizeof(*v));
	drop = calloc(n->n_rr, sizeof(*drop));
	if (!v || !drop) {
		free(v);
		free(drop);
		return SF_ENOMEM;
	}
	for (size_t i = 0; i < n->n_rr; i++)
		v[i] = &n->rr[i];
	qsort(v, n->n_rr, sizeof(*v), ptr_cmp);
	/* Equal records are adjacent, the first in file order first. */
	for (size_t i = 1; i < n->n_rr; i++)
		if (rr_cmp(v[i - 1], v[i]) == 0)
			drop[v[i] - n->rr] = true;
	for (size_t i = 0; i < n->n_rr; i++) {
		if (drop[i])
			sf_dns_rr_release(&n->rr[i]);
		else
			n->rr[o++] = n->rr[i];
	}
	n->n_rr = o;
	free(v);
	free(drop);
	return SF_OK;
}

static sf_status zone_dedup(struct zone_src *z)
{
	for (size_t i = 0; i < z->cap; i++) {
		if (z->tab[i].name && node_dedup(&z->tab[i]) != SF_OK)
			return SF_ENOMEM;
	}
	return SF_OK;
}

static int note_add(struct zone_src *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int note_add(struct zone_src *z, const char *fmt, ...)
{
	char buf[1024];
	char **v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	v = realloc(z->notes, (z->n_notes + 1) * sizeof(*v));
	if (!v)
		return -1;
	z->notes = v;
	v[z->n_notes] = strdup(buf);
	if (!v[z->n_notes])
		return -1;
	z->n_notes++;
	return 0;
}

/* Decodes and stores the record the scanner holds. */
static sf_status store_record(struct zone_src *z, const zs_scanner_t *s)
{
	knot_dname_storage_t owner, origin;
	struct zone_node *n;
	sf_dns_rr rr;
	sf_status st;

	if (s->r_class != KNOT_CLASS_IN)
		return SF_OK;
	if (s->r_owner_length > sizeof(owner) ||
	    knot_dname_wire_check(s->r_owner, s->r_owner + s->r_owner_length, NULL) <= 0)
		return SF_EPARSE;
	knot_dname_copy_lower(owner, s->r_owner);

	st = sf_dns_rr_decode(owner, s->r_owner_length, s->r_type, s->r_data,
			      s->r_data_length, &rr);
	if (st != SF_OK)
		return st;

	/* The origin in effect is a zone if the record is under it. */
	if (s->zone_origin_length <= sizeof(origin) &&
	    knot_dname_wire_check(s->zone_origin, s->zone_origin + s->zone_origin_length,
				  NULL) > 0) {
		knot_dname_copy_lower(origin, s->zone_origin);
		if (knot_dname_in_bailiwick(owner, origin) >= 0) {
			st = node_add(z, origin, &n);
			if (st != SF_OK) {
				sf_dns_rr_release(&rr);
				return st;
			}
			n->apex = true;
		}
	}
	st = node_add(z, owner, &n);
	if (st != SF_OK) {
		sf_dns_rr_release(&rr);
		return st;
	}
	if (s->r_type == KNOT_RRTYPE_SOA)
		n->apex = true;
	return node_push(n, &rr);
}

/* ---- reading the files, bounded ------------------------------------------- */

/* What kind of file @m is, for "not a regular file" messages. */
static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Reads the regular file @path (named @shown in messages) whole, at most
 * ZONE_MAX_FILE bytes and what is left of the source's total.  Opened
 * non-blocking (a FIFO does not block the open) and checked with fstat
 * before any read.  Returns the text (owned, NUL-terminated) in *out.
 */
static sf_status read_bounded(struct load_job *j, const char *path, const char *shown,
			      int extra_flags, char **out, size_t *out_len)
{
	size_t left = ZONE_MAX_TOTAL - j->z->total;
	size_t limit = left < ZONE_MAX_FILE ? left : ZONE_MAX_FILE;
	size_t len = 0;
	struct stat sb;
	char *buf = NULL;
	int fd;

	*out = NULL;
	*out_len = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | extra_flags);
	if (fd < 0) {
		snprintf(j->err, j->errlen, "cannot read '%s': %s", shown, strerror(errno));
		return SF_EIO;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(j->err, j->errlen, "cannot read '%s': %s", shown, strerror(errno));
		close(fd);
		return SF_EIO;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(j->err, j->errlen, "cannot read '%s': %s, not a regular zone file",
			 shown, file_kind(sb.st_mode));
		close(fd);
		return SF_EIO;
	}
	if (sb.st_size < 0 || (uint64_t)sb.st_size > limit)
		goto too_big;
	/* The file may grow while it is read: never more than the limit. */
	switch (sf_read_fd_bounded(fd, limit, &buf, &len)) {
	case 0:
		break;
	case -2:
		goto too_big;
	default:
		if (errno == ENOMEM) {
			snprintf(j->err, j->errlen, "out of memory");
			close(fd);
			return SF_ENOMEM;
		}
		snprintf(j->err, j->errlen, "cannot read '%s': %s", shown, strerror(errno));
		close(fd);
		return SF_EIO;
	}
	close(fd);
	j->z->total += len;
	*out = buf;
	*out_len = len;
	return SF_OK;
too_big:
	close(fd);
	if (limit < ZONE_MAX_FILE)
		snprintf(j->err, j->errlen,
			 "cannot read '%s': the zone files exceed %zu MiB together", shown,
			 ZONE_MAX_TOTAL >> 20);
	else
		snprintf(j->err, j->errlen, "cannot read '%s': larger than %zu MiB", shown,
			 ZONE_MAX_FILE >> 20);
	return SF_EIO;
}

/*
 * What the scanner cannot read, removed in place in one pass (the text only
 * shrinks): the CR of every CRLF (files saved on Windows), and outside
 * quoted strings and comments the aging stamps of Windows DNS exports,
 * "[AGE:<digits>]", each replaced by one space.
 */
static size_t windows_clean(char *t, size_t len)
{
	bool quote = false, comment = false;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = t[i];

		if (c == '\r' && i + 1 < len && t[i + 1] == '\n')
			continue;
		if (comment) {
			comment = c != '\n';
		} else if (quote) {
			if (c == '\\' && i + 1 < len) {
				t[o++] = c;
				c = t[++i];
			} else if (c == '"') {
				quote = false;
			}
		} else if (c == '"') {
			quote = true;
		} else if (c == ';') {
			comment = true;
		} else if (c == '[' && len - i > 6 && strncasecmp(t + i, "[AGE:", 5) == 0) {
			size_t k = i + 5;

			while (k < len && t[k] >= '0' && t[k] <= '9')
				k++;
			if (k > i + 5 && k < len && t[k] == ']') {
				t[o++] = ' ';
				i = k;
				continue;
			}
		}
		t[o++] = c;
	}
	t[o] = '\0';
	return o;
}

/* Is @s a domain name we take as an origin ("a.b", "a.b.", "."): letters, digits, '-', '_'. */
static bool origin_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 1 && s[0] == '.')
		return true;
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

/* A copy of @s (@len bytes) without a trailing dot, lowercase; NULL on out-of-memory. */
static char *origin_dup(const char *s, size_t len)
{
	char *o;

	if (len > 1 && s[len - 1] == '.')
		len--;
	o = malloc(len + 1);
	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++)
		o[i] = (char)tolower((unsigned char)s[i]);
	o[len] = '\0';
	return o;
}

/*
 * Splits a --zone entry: "PATH@ORIGIN" when the whole entry is no existing
 * file and what follows its last '@' is a domain name, else PATH alone.
 */
static sf_status split_spec(const char *spec, char **out_path, char **out_origin)
{
	const char *at = strrchr(spec, '@');
	struct stat sb;

	*out_path = NULL;
	*out_origin = NULL;
	if (at && at > spec && stat(spec, &sb) != 0 && origin_ok(at + 1, strlen(at + 1))) {
		*out_path = strndup(spec, (size_t)(at - spec));
		*out_origin = origin_dup(at + 1, strlen(at + 1));
		if (!*out_path || !*out_origin) {
			free(*out_path);
			free(*out_origin);
			*out_path = *out_origin = NULL;
			return SF_ENOMEM;
		}
		return SF_OK;
	}
	*out_path = strdup(spec);
	return *out_path ? SF_OK : SF_ENOMEM;
}

/* What the text says about its origin before its first record. */
struct origin_hint {
	bool directive;  /* a $ORIGIN comes first */
	char *dir_name;  /* its name if absolute (lowercase, no trailing dot), else NULL */
	char *soa_owner; /* the first record is an SOA with this absolute owner */
	char *header;    /* "; Database file X for ZONE zone." (Windows DNS export) */
};

static void origin_hint_release(struct origin_hint *h)
{
	free(h->dir_name);
	free(h->soa_owner);
	free(h->header);
}

/* The next blank-separated token of [*p, end) outside comments; its length, 0 at the end. */
static size_t next_token(const char **p, const char *end, const char **tok)
{
	const char *q = *p;

	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	*tok = q;
	if (q == end || *q == ';')
		return 0;
	while (q < end && *q != ' ' && *q != '\t' && *q != ';')
		q++;
	*p = q;
	return (size_t)(q - *tok);
}

static bool token_is(const char *t, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(t, word, n) == 0;
}

/* Windows DNS export header: "Database file <file> for <zone> zone." */
static char *header_zone(const char *line, const char *end)
{
	const char *p = line, *t;
	size_t n;

	while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
		p++;
	n = next_token(&p, end, &t);
	if (!token_is(t, n, "Database"))
		return NULL;
	n = next_token(&p, end, &t);
	if (!token_is(t, n, "file"))
		return NULL;
	if (!next_token(&p, end, &t))
		return NULL;
	n = next_token(&p, end, &t);
	if (!token_is(t, n, "for"))
		return NULL;
	n = next_token(&p, end, &t);
	if (!n || !origin_ok(t, n))
		return NULL;
	{
		const char *z = t;
		size_t zn = n;

		n = next_token(&p, end, &t);
		if (!token_is(t, n, "zone.") && !token_is(t, n, "zone"))
			return NULL;
		return origin_dup(z, zn);
	}
}

/*
 * Reads the text up to its first record: a $ORIGIN directive, the SOA owner
 * of the first record, the Windows export header.  Linear, no allocation
 * but the names found.  Returns -1 on out-of-memory.
 */
static int origin_scan(const char *text, size_t len, struct origin_hint *h)
{
	const char *end = text + len;

	memset(h, 0, sizeof(*h));
	for (const char *line = text; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line, *t;
		size_t n;

		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p < eol && *p == ';') {
			if (!h->header) {
				errno = 0;
				h->header = header_zone(p, eol);
				if (!h->header && errno == ENOMEM)
					return -1;
			}
			line = eol + 1;
			continue;
		}
		if (p == eol) {
			line = eol + 1;
			continue;
		}
		if (p != line)
			return 0; /* a record continuing an owner: nothing to learn */
		n = next_token(&p, eol, &t);
		if (token_is(t, n, "$TTL")) {
			line = eol + 1;
			continue;
		}
		if (token_is(t, n, "$ORIGIN")) {
			h->directive = true;
			n = next_token(&p, eol, &t);
			if (n > 1 && t[n - 1] == '.' && origin_ok(t, n) &&
			    !(h->dir_name = origin_dup(t, n)))
				return -1;
			return 0;
		}
		if (t[0] == '$')
			return 0;
		/* The first record: owner [TTL] [class] type. */
		{
			const char *owner = t;
			size_t on = n;

			for (int k = 0; k < 3; k++) {
				n = next_token(&p, eol, &t);
				if (n && (isdigit((unsigned char)t[0]) || token_is(t, n, "IN") ||
					  token_is(t, n, "CH") || token_is(t, n, "HS") ||
					  token_is(t, n, "CS")))
					continue;
				break;
			}
			if (token_is(t, n, "SOA") && on > 0 && owner[on - 1] == '.' &&
			    origin_ok(owner, on) && !(h->soa_owner = origin_dup(owner, on)))
				return -1;
		}
		return 0;
	}
	return 0;
}

/* The origin of @path by the file name conventions (owned), "." if none fits. */
static char *name_origin(const char *path)
{
	static const char *const suffixes[] = { ".zone", ".dns", ".db" };
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl && strcasecmp(base + len - sl, suffixes[i]) == 0) {
			len -= sl;
			goto done;
		}
	}
	if (len > 3 && strncasecmp(base, "db.", 3) == 0) {
		base += 3;
		len -= 3;
	}
done:
	if (!origin_ok(base, len))
		return strdup(".");
	return origin_dup(base, len);
}

/* ---- parsing -------------------------------------------------------------- */

static sf_status parse_text(struct load_job *j, const char *shown, const char *dir, char *text,
			    size_t len, const char *origin, uint32_t ttl);

/* The directory part of @path ("." if none); owned. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/*
 * $INCLUDE <file> [origin]: the scanner has made the path (relative names
 * under the including file's directory) and the origin text.  The file must
 * resolve inside the --zone file's directory, not be one being read, and
 * not be nested too deep.
 */
static sf_status do_include(struct load_job *j, const zs_scanner_t *s, const char *shown)
{
	const char *inc = s->include_filename;
	char *rp = NULL, *text = NULL, *dir = NULL;
	size_t rl, len;
	sf_status st;

	rp = realpath(inc, NULL);
	if (!rp) {
		snprintf(j->err, j->errlen, "cannot include '%s' ('%s' line %llu): %s", inc, shown,
			 (unsigned long long)s->line_counter, strerror(errno));
		return SF_EIO;
	}
	rl = strlen(j->root_dir);
	if (!(strncmp(rp, j->root_dir, rl) == 0 &&
	      (rp[rl] == '/' || (rl == 1 && j->root_dir[0] == '/')) && rp[rl] != '\0')) {
		snprintf(j->err, j->errlen,
			 "cannot include '%s' ('%s' line %llu): outside the directory of the zone "
			 "file (%s)",
			 inc, shown, (unsigned long long)s->line_counter, j->root_dir);
		free(rp);
		return SF_EIO;
	}
	for (size_t i = 0; i < j->depth; i++) {
		if (strcmp(j->stack[i], rp) == 0) {
			snprintf(j->err, j->errlen,
				 "cannot include '%s' ('%s' line %llu): it is %s", inc, shown,
				 (unsigned long long)s->line_counter,
				 i + 1 == j->depth ? "the file itself"
						   : "a file that includes this one (a loop)");
			free(rp);
			return SF_EIO;
		}
	}
	/* The stack holds the file and ZONE_MAX_INCLUDE_DEPTH levels of includes. */
	if (j->depth > ZONE_MAX_INCLUDE_DEPTH) {
		snprintf(j->err, j->errlen,
			 "cannot include '%s' ('%s' line %llu): more than %d nested $INCLUDE levels",
			 inc, shown, (unsigned long long)s->line_counter, ZONE_MAX_INCLUDE_DEPTH);
		free(rp);
		return SF_EIO;
	}
	/* The resolved path, its last component no symbolic link: what was checked is read. */
	st = read_bounded(j, rp, inc, O_NOFOLLOW, &text, &len);
	if (st != SF_OK) {
		free(rp);
		return st;
	}
	dir = dir_of(inc);
	if (!dir) {
		free(rp);
		free(text);
		snprintf(j->err, j->errlen, "out of memory");
		return SF_ENOMEM;
	}
	len = windows_clean(text, len);
	j->stack[j->depth++] = rp;
	st = parse_text(j, inc, dir, text, len, (const char *)s->buffer, s->default_ttl);
	j->depth--;
	j->stack[j->depth] = NULL;
	free(rp);
	free(dir);
	free(text);
	return st;
}

/*
 * Parses @text (named @shown, its relative $INCLUDEs under @dir) with the
 * scanner record by record, so that $INCLUDE comes back to us.
 */
static sf_status parse_text(struct load_job *j, const char *shown, const char *dir, char *text,
			    size_t len, const char *origin, uint32_t ttl)
{
	zs_scanner_t *s = calloc(1, sizeof(*s)); /* about 200 KiB: not on the stack */
	sf_status st = SF_OK;

	if (!s) {
		snprintf(j->err, j->errlen, "out of memory");
		return SF_ENOMEM;
	}
	/* zs_init() resets the scanner first: zs_deinit() is safe whatever it returned. */
	if (zs_init(s, origin, KNOT_CLASS_IN, ttl) != 0) {
		zs_deinit(s);
		if (zs_init(s, ".", KNOT_CLASS_IN, ttl) != 0) {
			st = SF_EINTERNAL;
			snprintf(j->err, j->errlen, "cannot initialise the zone scanner");
			goto out;
		}
	}
	if (zs_set_input_string(s, text, len) != 0) {
		st = SF_EINTERNAL;
		snprintf(j->err, j->errlen, "cannot initialise the zone scanner");
		goto out;
	}
	/* Relative $INCLUDE names are under the including file's directory. */
	free(s->path);
	s->path = strdup(dir);
	if (!s->path) {
		st = SF_ENOMEM;
		snprintf(j->err, j->errlen, "out of memory");
		goto out;
	}
	for (;;) {
		int r = zs_parse_record(s);

		if (s->state == ZS_STATE_DATA) {
			st = store_record(j->z, s);
			if (st == SF_EPARSE)
				snprintf(j->err, j->errlen,
					 "cannot parse '%s' line %llu: malformed record", shown,
					 (unsigned long long)s->line_counter);
			else if (st != SF_OK)
				snprintf(j->err, j->errlen, "out of memory");
		} else if (s->state == ZS_STATE_INCLUDE) {
			st = do_include(j, s, shown);
		} else if (s->state == ZS_STATE_ERROR || r != 0) {
			st = SF_EPARSE;
			snprintf(j->err, j->errlen, "cannot parse '%s' line %llu: %s", shown,
				 (unsigned long long)s->line_counter, zs_strerror(s->error.code));
		} else if (s->state == ZS_STATE_EOF || s->state == ZS_STATE_STOP) {
			break;
		}
		if (st != SF_OK)
			break;
	}
out:
	zs_deinit(s);
	free(s);
	return st;
}

/*
 * Loads one --zone entry: reads the file (bounded), cleans it, chooses the
 * origin (sf_dns_zone_new in dns.h) and parses it.
 */
static sf_status load_file(struct zone_src *z, const char *spec, char *err, size_t errlen)
{
	struct load_job j = { .z = z, .err = err, .errlen = errlen };
	struct origin_hint h = { 0 };
	char *path = NULL, *given = NULL, *text = NULL, *dir = NULL, *rp = NULL, *guess = NULL;
	const char *origin;
	size_t len = 0;
	sf_status st;

	st = split_spec(spec, &path, &given);
	if (st != SF_OK)
		goto nomem;
	st = read_bounded(&j, path, path, 0, &text, &len);
	if (st != SF_OK)
		goto out;
	len = windows_clean(text, len);
	dir = dir_of(path);
	if (!dir || origin_scan(text, len, &h) < 0)
		goto nomem;
	rp = realpath(path, NULL);
	if (!rp) {
		if (errno == ENOMEM)
			goto nomem;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		st = SF_EIO;
		goto out;
	}
	j.root_dir = dir_of(rp);
	if (!j.root_dir)
		goto nomem;
	j.stack[0] = rp;
	j.depth = 1;

	if (h.directive) {
		/* Matters only for a relative $ORIGIN: no guess worth a note. */
		guess = given ? NULL : name_origin(path);
		if (!given && !guess)
			goto nomem;
		origin = given ? given : guess;
		if (given && h.dir_name && strcmp(given, h.dir_name) != 0 &&
		    note_add(z, "%s: origin %s from its $ORIGIN, not %s given after '@'", path,
			     h.dir_name, given) < 0)
			goto nomem;
	} else if (h.soa_owner) {
		origin = h.soa_owner;
		if (given && strcmp(given, h.soa_owner) != 0 &&
		    note_add(z, "%s: origin %s from its SOA record, not %s given after '@'", path,
			     h.soa_owner, given) < 0)
			goto nomem;
	} else if (given) {
		origin = given;
	} else if (h.header) {
		origin = h.header;
		if (note_add(z, "%s: origin %s (from the Windows DNS export header)", path,
			     h.header) < 0)
			goto nomem;
	} else {
		guess = name_origin(path);
		if (!guess)
			goto nomem;
		origin = guess;
		if ((strcmp(guess, ".") == 0
			     ? note_add(z, "%s: origin . (the file name is no domain name; give the "
					   "zone as FILE@ORIGIN)", path)
			     : note_add(z, "%s: origin %s (from the file name)", path, guess)) < 0)
			goto nomem;
	}
	st = parse_text(&j, path, dir, text, len, origin, 3600);
	goto out;
nomem:
	st = SF_ENOMEM;
	snprintf(err, errlen, "out of memory");
out:
	origin_hint_release(&h);
	free(j.root_dir);
	free(path);
	free(given);
	free(text);
	free(dir);
	free(rp);
	free(guess);
	return st;
}

static void zone_free(sf_dns_source *src)
{
	struct zone_src *z = (struct zone_src *)src;

	if (!z)
		return;
	for (size_t i = 0; i < z->cap; i++) {
		struct zone_node *n = &z->tab[i];

		if (!n->name)
			continue;
		for (size_t j = 0; j < n->n_rr; j++)
			sf_dns_rr_release(&n->rr[j]);
		free(n->rr);
		free(n->name);
	}
	for (size_t i = 0; i < z->n_notes; i++)
		free(z->notes[i]);
	free(z->notes);
	free(z->tab);
	free(z);
}

/* Is @name at or under a zone apex? */
static bool in_zone(const struct zone_src *z, const uint8_t *name)
{
	for (const uint8_t *p = name;; p += 1 + p[0]) {
		const struct zone_node *n = node_find(z, p);

		if (n && n->apex)
			return true;
		if (p[0] == 0)
			return false;
	}
}

enum lookup_kind { LOOK_NX, LOOK_NODE, LOOK_WILD, LOOK_NOZONE };

/*
 * Finds the node that answers for @name: the name itself (an owner, or an
 * empty non-terminal inside a zone), else the wildcard source of synthesis
 * (RFC 4592 section 3.3.1: `*.<closest encloser>`), else nothing.  Records
 * at an owner outside every zone are still answered; any other name outside
 * every zone is LOOK_NOZONE: the files say nothing about it.
 */
static enum lookup_kind lookup(const struct zone_src *z, const uint8_t *name,
			       const struct zone_node **out)
{
	const struct zone_node *n = node_find(z, name);
	const uint8_t *ce;
	uint8_t wild[KNOT_DNAME_MAXLEN];
	size_t ce_len;

	if (n && n->n_rr > 0) {
		*out = n;
		return LOOK_NODE;
	}
	if (!in_zone(z, name))
		return LOOK_NOZONE;
	if (n) {
		*out = n; /* RFC 4592 2.2.2: an empty non-terminal exists */
		return LOOK_NODE;
	}
	if (name[0] == 0)
		return LOOK_NX;
	/* Closest encloser: the longest existing ancestor (the apex at worst). */
	for (ce = name + 1 + name[0]; !node_find(z, ce); ce += 1 + ce[0]) {
		if (ce[0] == 0)
			return LOOK_NX;
	}
	ce_len = knot_dname_size(ce);
	if (ce_len + 2 > sizeof(wild))
		return LOOK_NX;
	wild[0] = 1;
	wild[1] = '*';
	memcpy(wild + 2, ce, ce_len);
	n = node_find(z, wild);
	if (!n)
		return LOOK_NX;
	*out = n;
	return LOOK_WILD;
}

/* Appends a copy of @rr (owner replaced by @owner if non-NULL) to @q. */
static sf_status answer_push(sf_dns_query *q, size_t *cap, const sf_dns_rr *rr, const char *owner)
{
	if (q->n_rr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		sf_dns_rr *v = realloc(q->rr, ncap * sizeof(*v));

		if (!v)
			return SF_ENOMEM;
		q->rr = v;
		*cap = ncap;
	}
	if (sf_dns_rr_copy(rr, owner, &q->rr[q->n_rr]) != SF_OK)
		return SF_ENOMEM;
	q->n_rr++;
	return SF_OK;
}

/*
 * Answers one query.  Exact match first; then a CNAME at the name is
 * returned and followed (at most ZONE_MAX_CNAME links, stopping at a loop),
 * appending the records of the asked type at the end of the chain.  The
 * rcode is that of the last name looked up (RFC 6604 section 3): NXDOMAIN if
 * the chain ends at a name that does not exist, NOZONE if it leaves the zones.  Returns SF_ENOMEM only.
 */
static sf_status answer_one(const struct zone_src *z, sf_dns_query *q)
{
	uint8_t seen[ZONE_MAX_CNAME][KNOT_DNAME_MAXLEN];
	uint8_t cur[KNOT_DNAME_MAXLEN];
	size_t cap = 0, n_seen = 0;
	sf_status st = SF_OK;

	q->rr = NULL;
	q->n_rr = 0;
	q->rcode = SF_DNS_ERROR;
	if (!q->name || !q->name[0] || !knot_dname_from_str(cur, q->name, sizeof(cur)))
		return SF_OK; /* not a domain name */
	knot_dname_to_lower(cur);

	for (;;) {
		const struct zone_node *n = NULL;
		enum lookup_kind k = lookup(z, cur, &n);
		const sf_dns_rr *cname = NULL;
		char *synth = NULL;
		size_t found = 0;
		bool loop = false;

		if (k == LOOK_NX || k == LOOK_NOZONE) {
			q->rcode = k == LOOK_NX ? SF_DNS_NXDOMAIN : SF_DNS_NOZONE;
			break;
		}
		q->rcode = SF_DNS_NOERROR;
		/* RFC 4592 3.4: synthesised records are owned by the query name. */
		if (k == LOOK_WILD) {
			synth = sf_dns_name_text(cur);
			if (!synth) {
				st = SF_ENOMEM;
				goto out;
			}
		}
		for (size_t i = 0; i < n->n_rr && st == SF_OK; i++) {
			if (n->rr[i].type == q->type) {
				st = answer_push(q, &cap, &n->rr[i], synth);
				found++;
			} else if (n->rr[i].type == SF_T_CNAME && !cname) {
				cname = &n->rr[i];
			}
		}
		/* RFC 1034 3.6.2: follow the alias, loop-safe and bounded. */
		if (st == SF_OK && !found && cname && q->type != SF_T_CNAME &&
		    n_seen < ZONE_MAX_CNAME)
			st = answer_push(q, &cap, cname, synth);
		else
			cname = NULL;
		free(synth);
		if (st != SF_OK)
			goto out;
		if (!cname)
			break;
		memcpy(seen[n_seen++], cur, knot_dname_size(cur));
		if (!knot_dname_from_str(cur, cname->data, sizeof(cur)))
			break;
		knot_dname_to_lower(cur);
		for (size_t i = 0; i < n_seen && !loop; i++)
			loop = knot_dname_is_equal(seen[i], cur);
		if (loop)
			break;
	}
out:
	if (st != SF_OK)
		sf_dns_query_release(q);
	return st;
}

static sf_status zone_resolve(sf_dns_source *src, sf_dns_query *q, size_t n)
{
	const struct zone_src *z = (const struct zone_src *)src;

	for (size_t i = 0; i < n; i++) {
		sf_status st = answer_one(z, &q[i]);

		if (st != SF_OK)
			return st;
	}
	return SF_OK;
}

static const struct sf_dns_ops zone_ops = {
	.resolve = zone_resolve,
	.free = zone_free,
};

sf_status sf_dns_zone_new(const char *const *files, size_t n,
			  sf_dns_source **out_src, char *err, size_t errlen)
{
	struct zone_src *z;
	sf_status st = SF_OK;

	*out_src = NULL;
	if (err && errlen)
		err[0] = '\0';
	z = calloc(1, sizeof(*z));
	if (!z) {
		snprintf(err, errlen, "out of memory");
		return SF_ENOMEM;
	}
	z->base.ops = &zone_ops;
	for (size_t i = 0; i < n; i++) {
		st = load_file(z, files[i], err, errlen);
		if (st != SF_OK)
			goto out;
	}
	st = zone_dedup(z);
	if (st != SF_OK) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out_src = &z->base;
	z = NULL;
out:
	zone_free(z ? &z->base : NULL);
	return st;
}

const char *const *sf_dns_zone_notes(const sf_dns_source *src, size_t *out_n)
{
	const struct zone_src *z = (const struct zone_src *)src;

	*out_n = 0;
	if (!src || src->ops != &zone_ops)
		return NULL;
	*out_n = z->n_notes;
	return (const char *const *)z->notes;
}
