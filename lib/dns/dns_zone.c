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
 * record was read (the file's $ORIGIN, else its name without ".zone").
 *
 * Tests: tests/unit/test_dns_zone.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/consts.h>
#include <libknot/descriptor.h>
#include <libknot/dname.h>
#include <libzscanner/scanner.h>

#include "dns/dns.h"
#include "dns/dns_wire.h"

/* At most this many CNAMEs are followed for one query. */
#define ZONE_MAX_CNAME 8

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
};

/* State of one file's scan, shared by the libzscanner callbacks. */
struct load_ctx {
	struct zone_src *z;
	const zs_scanner_t *top; /* the file's own scanner ($INCLUDE makes others) */
	const char *file;        /* the path as given */
	sf_status st;            /* first failure */
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

static bool rr_same(const sf_dns_rr *a, const sf_dns_rr *b)
{
	return a->type == b->type && a->priority == b->priority && a->weight == b->weight &&
	       a->port == b->port && strcmp(a->data, b->data) == 0;
}

/* Adds @rr (ownership taken, also on failure) to @n; an exact duplicate is dropped. */
static sf_status node_push(struct zone_node *n, sf_dns_rr *rr)
{
	/* RFC 2181 5: an RRset holds no duplicate records. */
	for (size_t i = 0; i < n->n_rr; i++) {
		if (rr_same(&n->rr[i], rr)) {
			sf_dns_rr_release(rr);
			return SF_OK;
		}
	}
	if (n->n_rr == n->cap_rr) {
		size_t cap = n->cap_rr ? n->cap_rr * 2 : 2;
		sf_dns_rr *v = realloc(n->rr, cap * sizeof(*v));

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

/* The file to name in a message: the path as given, or the $INCLUDEd file. */
static const char *scan_file(const struct load_ctx *c, const zs_scanner_t *s)
{
	if (s != c->top && s->file.name)
		return s->file.name;
	return c->file;
}

/* libzscanner record callback: decode and store one record. */
static void on_record(zs_scanner_t *s)
{
	struct load_ctx *c = s->process.data;
	knot_dname_storage_t owner, origin;
	struct zone_node *n;
	sf_dns_rr rr;
	sf_status st;

	if (c->st != SF_OK || s->r_class != KNOT_CLASS_IN)
		return;
	if (s->r_owner_length > sizeof(owner) ||
	    knot_dname_wire_check(s->r_owner, s->r_owner + s->r_owner_length, NULL) <= 0) {
		st = SF_EPARSE;
		goto fail;
	}
	knot_dname_copy_lower(owner, s->r_owner);

	st = sf_dns_rr_decode(owner, s->r_owner_length, s->r_type, s->r_data,
			      s->r_data_length, &rr);
	if (st != SF_OK)
		goto fail;

	/* The origin in effect is a zone if the record is under it. */
	if (s->zone_origin_length <= sizeof(origin) &&
	    knot_dname_wire_check(s->zone_origin, s->zone_origin + s->zone_origin_length,
				  NULL) > 0) {
		knot_dname_copy_lower(origin, s->zone_origin);
		if (knot_dname_in_bailiwick(owner, origin) >= 0) {
			st = node_add(c->z, origin, &n);
			if (st != SF_OK) {
				sf_dns_rr_release(&rr);
				goto fail;
			}
			n->apex = true;
		}
	}
	st = node_add(c->z, owner, &n);
	if (st != SF_OK) {
		sf_dns_rr_release(&rr);
		goto fail;
	}
	if (s->r_type == KNOT_RRTYPE_SOA)
		n->apex = true;
	st = node_push(n, &rr);
	if (st != SF_OK)
		goto fail;
	return;
fail:
	c->st = st;
	if (st == SF_EPARSE)
		snprintf(c->err, c->errlen, "cannot parse '%s' line %llu: malformed record",
			 scan_file(c, s), (unsigned long long)s->line_counter);
	else
		snprintf(c->err, c->errlen, "out of memory");
	s->state = ZS_STATE_STOP;
}

/* libzscanner error callback: keep the first error and stop. */
static void on_error(zs_scanner_t *s)
{
	struct load_ctx *c = s->process.data;

	if (c->st == SF_OK) {
		c->st = SF_EPARSE;
		snprintf(c->err, c->errlen, "cannot parse '%s' line %llu: %s", scan_file(c, s),
			 (unsigned long long)s->line_counter, zs_strerror(s->error.code));
	}
	s->state = ZS_STATE_STOP;
}

/* The default origin of @path: its base name without a trailing ".zone". */
static char *default_origin(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *o;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && memcmp(base + len - 5, ".zone", 5) == 0)
		len -= 5;
	o = malloc(len + 1);
	if (!o)
		return NULL;
	memcpy(o, base, len);
	o[len] = '\0';
	return o;
}

/*
 * Zone files exported on Windows end their lines with CRLF, which libzscanner
 * refuses.  Returns the file's text with the CR of every CRLF removed (owned,
 * length in *out_len), NULL with *out_len == 0 if the file has no CRLF (the
 * scanner then reads the file itself), or NULL with errno set on a read error.
 */
static char *read_without_crlf(const char *path, size_t *out_len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, len = 0, o = 0;

	*out_len = 0;
	if (!fp)
		return NULL;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(fp);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		int e = errno ? errno : EIO;

		free(buf);
		fclose(fp);
		errno = e;
		return NULL;
	}
	fclose(fp);
	p = len ? memmem(buf, len, "\r\n", 2) : NULL;
	if (!p) {
		free(buf);
		errno = 0;
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
			buf[o++] = buf[i];
	*out_len = o;
	return buf;
}

/* Parses @path into @z.  SF_EIO / SF_EPARSE / SF_ENOMEM with a message in err. */
static sf_status load_file(struct zone_src *z, const char *path, char *err, size_t errlen)
{
	struct load_ctx c = { .z = z, .file = path, .st = SF_OK, .err = err, .errlen = errlen };
	zs_scanner_t *s = NULL;
	char *origin = NULL, *text = NULL;
	size_t text_len = 0;
	bool inited = false;
	sf_status st = SF_ENOMEM;
	int e;

	s = calloc(1, sizeof(*s)); /* about 200 KiB: not on the stack */
	origin = default_origin(path);
	if (!s || !origin)
		goto out;
	/*
	 * A base name that is no valid name falls back to the root origin.
	 * zs_init() resets the scanner first, so zs_deinit() is safe after it,
	 * whatever it returned.
	 */
	inited = true;
	if (zs_init(s, origin, KNOT_CLASS_IN, 3600) != 0) {
		zs_deinit(s);
		if (zs_init(s, ".", KNOT_CLASS_IN, 3600) != 0) {
			st = SF_EINTERNAL;
			snprintf(err, errlen, "cannot initialise the zone scanner");
			goto out;
		}
	}
	errno = 0;
	text = read_without_crlf(path, &text_len);
	if (!text && errno == ENOMEM)
		goto out;
	if (text ? zs_set_input_string(s, text, text_len) != 0
		 : zs_set_input_file(s, path) != 0) {
		e = errno;
		if (s->error.code == ZS_FILE_INVALID && e == 0)
			e = EISDIR;
		st = SF_EIO;
		snprintf(err, errlen, "cannot read '%s': %s", path,
			 e ? strerror(e) : zs_strerror(s->error.code));
		goto out;
	}
	c.top = s;
	if (zs_set_processing(s, on_record, on_error, &c) != 0) {
		st = SF_EINTERNAL;
		snprintf(err, errlen, "cannot initialise the zone scanner");
		goto out;
	}
	if (zs_parse_all(s) != 0 && c.st == SF_OK) {
		c.st = SF_EPARSE;
		snprintf(err, errlen, "cannot parse '%s' line %llu: %s", path,
			 (unsigned long long)s->line_counter, zs_strerror(s->error.code));
	}
	st = c.st;
out:
	if (st == SF_ENOMEM && c.st == SF_OK)
		snprintf(err, errlen, "out of memory");
	if (inited)
		zs_deinit(s);
	free(s);
	free(origin);
	free(text);
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

enum lookup_kind { LOOK_NX, LOOK_NODE, LOOK_WILD };

/*
 * Finds the node that answers for @name: the name itself (an owner, or an
 * empty non-terminal inside a zone), else the wildcard source of synthesis
 * (RFC 4592 section 3.3.1: `*.<closest encloser>`), else nothing.  Records
 * at an owner outside every zone are still answered.
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
		return LOOK_NX;
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
 * the chain ends at a name that does not exist.  Returns SF_ENOMEM only.
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

		if (k == LOOK_NX) {
			q->rcode = SF_DNS_NXDOMAIN;
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
	*out_src = &z->base;
	z = NULL;
out:
	zone_free(z ? &z->base : NULL);
	return st;
}
