/*
 * The planner: a deployment described in JSON (docs/plan.md) becomes the DNS
 * records to publish, per zone, and the certificates to order, each with its
 * subject and SAN list.  Pure: nothing but the plan file is read.
 *
 * The rules it applies are those of SPEC §4 seen from the publishing side:
 *   - DNS-005: the federation SRV target of <d> is the Edge FQDN only if that
 *     is <one label>.<d>; otherwise the Edge gets a name <label>.<d> (an A
 *     record, not a CNAME: RFC 2782 forbids an alias as SRV target, DNS-008),
 *     which must then be on the Edge certificate (CERT-001) -- or the Edge is
 *     used as a hosting provider, which partners must have configured.
 *   - CLI-001: _sip._tls.<d> points at a host in <d> carried by the Edge
 *     certificate.
 *   - CLI-002/003: lyncdiscover.<d> over HTTPS needs the name on the reverse
 *     proxy certificate and no CNAME into another domain; over HTTP on port
 *     80 neither (seed 003, "lyncdiscover over HTTP").
 *   - CLI-004: one meet URL per SIP domain, one dial-in URL overall.
 *   - UM-001: the UM certificate's subject is the server FQDN (seed 004).
 * Option costs are computed by planning again with the option switched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libpsl.h>

#include "dns/dns.h"
#include "plan/plan_int.h"
#include "rules/rules.h"
#include "util/util.h"

#define PLAN_MAX_FILE (64u << 20) /* bytes of a plan file */
#define PLAN_ERRLEN (4096 + 512)    /* a failure message: a path, a JSON path, a value */
#define PLAN_MAX_DOMAINS 100000
#define PLAN_MAX_LIST 1000        /* edges, pools, servers, addresses, UM servers */
#define PLAN_DEFAULT_TTL 3600
#define PLAN_DEFAULT_MEET "https://meet.{domain}/"

/* ---- gaps and notes (their rows are in lib/rules/table.c) -------------------- */

static int gap_push(sf_plan_gaps *g, sf_rule rule, const char *id, sf_severity sev,
		    const char *subject, const char *planned, const char *found,
		    const char *message, const char *fix)
{
	sf_plan_gap *x;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		sf_plan_gap *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -1;
		g->v = v;
		g->cap = cap;
	}
	x = &g->v[g->n];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->id = id;
	x->severity = sev;
	if ((subject && !(x->subject = strdup(subject))) ||
	    (planned && !(x->planned = strdup(planned))) ||
	    (found && !(x->found = strdup(found))) || !(x->message = strdup(message)) ||
	    (fix && !(x->fix = strdup(fix)))) {
		free(x->subject);
		free(x->planned);
		free(x->found);
		free(x->message);
		free(x->fix);
		return -1;
	}
	g->n++;
	return 0;
}

int sf_plan_gap_rule(sf_plan_gaps *g, sf_profile profile, sf_rule rule, const sf_rule_args *a)
{
	const sf_rule_info *ri = sf_rule_get(rule);
	char *msg, *fix = NULL;
	int rc = -1;

	if (!ri || ri->sev[profile] == SF_SEV_NONE)
		return 0;
	msg = sf_rule_expand(ri->message, a);
	if (msg && (!ri->fix || (fix = sf_rule_expand(ri->fix, a))))
		rc = gap_push(g, rule, ri->id, ri->sev[profile], a->s, a->p, a->f, msg, fix);
	free(msg);
	free(fix);
	return rc;
}

int sf_plan_gap_finding(sf_plan_gaps *g, const sf_finding *f)
{
	return gap_push(g, f->rule, f->id, f->severity, f->subject, NULL, NULL, f->message,
			f->fix);
}

void sf_plan_gaps_release(sf_plan_gaps *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].subject);
		free(g->v[i].planned);
		free(g->v[i].found);
		free(g->v[i].message);
		free(g->v[i].fix);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

sf_severity sf_plan_gaps_max(const sf_plan_gaps *g)
{
	sf_severity m = SF_SEV_NONE;

	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].severity > m)
			m = g->v[i].severity;
	return m;
}

/* ---- names of enums ------------------------------------------------------- */

const char *sf_plan_purpose_name(sf_plan_purpose p)
{
	static const char *const n[SF_PLAN_P_COUNT] = {
		[SF_PLAN_P_FEDERATION] = "federation",
		[SF_PLAN_P_CLIENT] = "client",
		[SF_PLAN_P_EDGE_HOST] = "edge-host",
		[SF_PLAN_P_EDGE] = "edge",
		[SF_PLAN_P_LYNCDISCOVER] = "lyncdiscover",
		[SF_PLAN_P_LYNCDISCOVER_INT] = "lyncdiscoverinternal",
		[SF_PLAN_P_MEET] = "meet",
		[SF_PLAN_P_DIALIN] = "dialin",
		[SF_PLAN_P_WEB] = "web",
	};

	return (unsigned)p < SF_PLAN_P_COUNT ? n[p] : "?";
}

const char *sf_plan_rrtype_name(uint16_t type)
{
	switch (type) {
	case SF_T_SRV: return "SRV";
	case SF_T_A: return "A";
	case SF_T_AAAA: return "AAAA";
	case SF_T_CNAME: return "CNAME";
	}
	return "?";
}

const char *sf_plan_federation_name(sf_plan_federation f)
{
	switch (f) {
	case SF_PLAN_FED_DIRECT: return "direct";
	case SF_PLAN_FED_HOSTING: return "hosting-provider";
	case SF_PLAN_FED_NONE: return "none";
	}
	return "?";
}

const char *sf_plan_cert_kind_name(sf_plan_cert_kind k)
{
	static const char *const n[SF_PLAN_CERT_COUNT] = {
		[SF_PLAN_CERT_EDGE] = "edge",
		[SF_PLAN_CERT_REVERSE_PROXY] = "reverse-proxy",
		[SF_PLAN_CERT_FRONT_END] = "front-end",
		[SF_PLAN_CERT_UM] = "um",
	};

	return (unsigned)k < SF_PLAN_CERT_COUNT ? n[k] : "?";
}

/* ---- a string -> index map (open addressing, FNV-1a) ----------------------- */

struct nmap {
	const char **key; /* borrowed */
	size_t *val;
	size_t cap, n;
};

static size_t nmap_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static void nmap_release(struct nmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* The slot of @key: where it is, or the empty slot where it would go. */
static size_t nmap_slot(const struct nmap *m, const char *key)
{
	size_t i = nmap_hash(key) & (m->cap - 1);

	while (m->key[i] && strcmp(m->key[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int nmap_grow(struct nmap *m)
{
	struct nmap b = { 0 };

	b.cap = m->cap ? m->cap * 2 : 64;
	b.key = calloc(b.cap, sizeof(*b.key));
	b.val = calloc(b.cap, sizeof(*b.val));
	if (!b.key || !b.val) {
		nmap_release(&b);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->key[i]) {
			size_t s = nmap_slot(&b, m->key[i]);

			b.key[s] = m->key[i];
			b.val[s] = m->val[i];
			b.n++;
		}
	}
	nmap_release(m);
	*m = b;
	return 0;
}

/* Looks @key up: 1 and *out_val if present, else 0. */
static int nmap_get(const struct nmap *m, const char *key, size_t *out_val)
{
	size_t s;

	if (m->cap == 0)
		return 0;
	s = nmap_slot(m, key);
	if (!m->key[s])
		return 0;
	if (out_val)
		*out_val = m->val[s];
	return 1;
}

/*
 * Inserts @key (borrowed: it must outlive the map) with @val unless present.
 * Returns 1 if inserted, 0 if present (*out_val = its value if non-NULL), -1 OOM.
 */
static int nmap_put(struct nmap *m, const char *key, size_t val, size_t *out_val)
{
	size_t s;

	if ((m->n + 1) * 2 > m->cap && nmap_grow(m) < 0)
		return -1;
	s = nmap_slot(m, key);
	if (m->key[s]) {
		if (out_val)
			*out_val = m->val[s];
		return 0;
	}
	m->key[s] = key;
	m->val[s] = val;
	m->n++;
	return 1;
}

/* ---- the plan as read ------------------------------------------------------ */

struct in_edge {
	char *fqdn, *label, *webconf, *av;
	sf_strv addrs, webconf_addrs, av_addrs;
	sf_plan_federation fed;
	uint16_t fport, cport;
	int public_ca;
};

struct in_pool {
	char *fqdn, *internal_web, *external_web;
	sf_strv servers, addrs;
	int public_ca;
};

struct in_dom {
	char *name;
	size_t edge, pool;
	char *meet; /* explicit URL, or NULL: from the pattern */
};

struct in_um {
	char *fqdn;
	int public_ca;
};

struct plan_in {
	char *name;
	sf_profile profile;
	uint32_t ttl;
	struct in_dom *dom;
	size_t n_dom;
	struct in_edge *edge;
	size_t n_edge;
	char *rp;
	sf_strv rp_addrs;
	int rp_public;
	struct in_pool *pool;
	size_t n_pool;
	char *meet_pattern; /* NULL: the default, if there is a reverse proxy */
	char *dialin;
	struct in_um *um;
	size_t n_um;
	int lyncdiscover, lyncdiscover_http, client_autoconfig;
};

static void in_release(struct plan_in *in)
{
	free(in->name);
	for (size_t i = 0; i < in->n_dom; i++) {
		free(in->dom[i].name);
		free(in->dom[i].meet);
	}
	free(in->dom);
	for (size_t i = 0; i < in->n_edge; i++) {
		struct in_edge *e = &in->edge[i];

		free(e->fqdn);
		free(e->label);
		free(e->webconf);
		free(e->av);
		sf_strv_release(&e->addrs);
		sf_strv_release(&e->webconf_addrs);
		sf_strv_release(&e->av_addrs);
	}
	free(in->edge);
	free(in->rp);
	sf_strv_release(&in->rp_addrs);
	for (size_t i = 0; i < in->n_pool; i++) {
		struct in_pool *p = &in->pool[i];

		free(p->fqdn);
		free(p->internal_web);
		free(p->external_web);
		sf_strv_release(&p->servers);
		sf_strv_release(&p->addrs);
	}
	free(in->pool);
	free(in->meet_pattern);
	free(in->dialin);
	for (size_t i = 0; i < in->n_um; i++)
		free(in->um[i].fqdn);
	free(in->um);
	memset(in, 0, sizeof(*in));
}

/* ---- validation -------------------------------------------------------------- */

/*
 * A host name (RFC 1123 §2.1 letters, digits, hyphens; labels of 1..63, not
 * starting or ending with a hyphen; at least two labels; 253 octets at most;
 * a top-level label that is not all digits).  Lowercased into @out (256).
 * Returns 0, or -1 if not a host name.
 */
static int host_norm(const char *s, char *out)
{
	size_t len = 0, lab = 0, labels = 1;
	int tld_alpha = 0;

	if (sf_name_norm(s, out, 256) < 0 || strcmp(out, ".") == 0)
		return -1;
	for (const char *p = out; *p; p++, len++) {
		if (*p == '.') {
			if (lab == 0 || p[-1] == '-')
				return -1;
			labels++;
			lab = 0;
			tld_alpha = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return -1;
		if (*p == '-' && lab == 0)
			return -1;
		if (++lab > 63)
			return -1;
		if (*p < '0' || *p > '9')
			tld_alpha = 1;
	}
	if (lab == 0 || out[len - 1] == '-' || labels < 2 || !tld_alpha)
		return -1;
	return 0;
}

/* One DNS label (LDH, 1..63). */
static int label_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* Canonical text of an IPv4 or IPv6 address into @out (64); -1 if not one. */
static int addr_norm(const char *s, char *out)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return inet_ntop(AF_INET, a, out, 64) ? 0 : -1;
	if (inet_pton(AF_INET6, s, a) == 1)
		return inet_ntop(AF_INET6, a, out, 64) ? 0 : -1;
	return -1;
}

/*
 * An https URL: "https://HOST[:PORT][/PATH]" with no space or control
 * character.  The host, lowercased, into @host (256).  Returns 0 or -1 with
 * a reason in @why.
 */
static int url_host(const char *url, char *host, const char **why)
{
	const char *h, *e;
	char buf[256];
	size_t n;

	*why = "not an https URL";
	if (strncasecmp(url, "https://", 8) != 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			*why = "a URL holds no space or control character";
			return -1;
		}
	}
	h = url + 8;
	e = h + strcspn(h, "/:?#");
	n = (size_t)(e - h);
	*why = "the URL has no valid host name";
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, h, n);
	buf[n] = '\0';
	if (host_norm(buf, host) < 0)
		return -1;
	if (*e == ':') {
		char *end;
		long port;

		errno = 0;
		port = strtol(e + 1, &end, 10);
		if (errno || end == e + 1 || port < 1 || port > 65535 ||
		    (*end && *end != '/' && *end != '?' && *end != '#')) {
			*why = "the URL has a bad port";
			return -1;
		}
	}
	return 0;
}

/* @pattern with every "{domain}" replaced by @domain; malloc'd, NULL on OOM. */
static char *expand_domain(const char *pattern, const char *domain)
{
	static const char ph[] = "{domain}";
	size_t n = 0, dl = strlen(domain), pl = sizeof(ph) - 1;
	const char *p;
	char *out, *o;

	for (p = pattern; (p = strstr(p, ph)); p += pl)
		n++;
	if (n > (SIZE_MAX - strlen(pattern) - 1) / (dl + 1))
		return NULL;
	out = malloc(strlen(pattern) + n * dl + 1);
	if (!out)
		return NULL;
	o = out;
	for (p = pattern; *p;) {
		if (strncmp(p, ph, pl) == 0) {
			memcpy(o, domain, dl);
			o += dl;
			p += pl;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Is @name <one label>.<domain>? (DNS-005) */
static int one_below(const char *name, const char *domain)
{
	return sf_name_is_under(name, domain) && sf_name_labels(name) == sf_name_labels(domain) + 1;
}

/* ---- reading the JSON ---------------------------------------------------------- */

struct perr {
	const char *file;
	char *buf;
	size_t len;
};

/* "FILE: PATH: message" into the error buffer; returns SF_EPARSE. */
static sf_status pfail(struct perr *pe, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static sf_status pfail(struct perr *pe, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		snprintf(pe->buf, pe->len, "%s: %s: %s", pe->file, path, msg);
	else
		snprintf(pe->buf, pe->len, "%s: %s", pe->file, msg);
	return SF_EPARSE;
}

/* A value quoted in a message: at most 80 bytes, printable ASCII, else "...". */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; s[i] && o + 4 < len && i < 80; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
	}
	if (strlen(s) > 80 && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static void path_key(char *out, size_t len, const char *base, const char *key)
{
	if (snprintf(out, len, "%s%s%s", base, *base ? "." : "", key) < 0)
		out[0] = '\0';
}

static void path_idx(char *out, size_t len, const char *base, size_t i)
{
	if (snprintf(out, len, "%s[%zu]", base, i) < 0)
		out[0] = '\0';
}

/* Refuses keys of @obj other than @allowed (NULL-terminated) and "comment". */
static sf_status only_keys(struct perr *pe, const char *path, json_t *obj,
			   const char *const *allowed)
{
	const char *key;
	json_t *v;
	char q[128];

	json_object_foreach(obj, key, v) {
		int ok = strcmp(key, "comment") == 0;

		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok)
			return pfail(pe, path, "unknown field '%s'", quote(key, q, sizeof(q)));
	}
	return SF_OK;
}

/* A host name field (string) into a malloc'd normalised copy; absent: *out NULL. */
static sf_status get_host(struct perr *pe, const char *path, json_t *v, int required,
			  char **out)
{
	char n[256], q[128];

	*out = NULL;
	if (!v) {
		if (required)
			return pfail(pe, path, "missing");
		return SF_OK;
	}
	if (!json_is_string(v))
		return pfail(pe, path, "expected a string (a host name)");
	if (strchr(json_string_value(v), '*'))
		return pfail(pe, path, "a wildcard is not a host name ('%s')",
			    quote(json_string_value(v), q, sizeof(q)));
	if (host_norm(json_string_value(v), n) < 0)
		return pfail(pe, path, "not a valid host name ('%s')",
			    quote(json_string_value(v), q, sizeof(q)));
	*out = strdup(n);
	return *out ? SF_OK : SF_ENOMEM;
}

static sf_status get_bool(struct perr *pe, const char *path, json_t *v, int *out)
{
	if (!v)
		return SF_OK;
	if (!json_is_boolean(v))
		return pfail(pe, path, "expected true or false");
	*out = json_is_true(v);
	return SF_OK;
}

static sf_status get_port(struct perr *pe, const char *path, json_t *v, uint16_t *out)
{
	if (!v)
		return SF_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65535)
		return pfail(pe, path, "expected a port number 1..65535");
	*out = (uint16_t)json_integer_value(v);
	return SF_OK;
}

/* "ca": "public" or "private". */
static sf_status get_ca(struct perr *pe, const char *path, json_t *v, int *out_public)
{
	if (!v)
		return SF_OK;
	if (json_is_string(v) && strcmp(json_string_value(v), "public") == 0)
		*out_public = 1;
	else if (json_is_string(v) && strcmp(json_string_value(v), "private") == 0)
		*out_public = 0;
	else
		return pfail(pe, path, "expected \"public\" or \"private\"");
	return SF_OK;
}

/* An array of IPv4/IPv6 addresses, canonical text. */
static sf_status get_addrs(struct perr *pe, const char *path, json_t *v, sf_strv *out)
{
	char p[160], a[64], q[128];
	size_t i;
	json_t *x;

	if (!v)
		return SF_OK;
	if (!json_is_array(v))
		return pfail(pe, path, "expected an array of addresses");
	if (json_array_size(v) > PLAN_MAX_LIST)
		return pfail(pe, path, "more than %u addresses", PLAN_MAX_LIST);
	json_array_foreach(v, i, x) {
		path_idx(p, sizeof(p), path, i);
		if (!json_is_string(x))
			return pfail(pe, p, "expected a string (an IPv4 or IPv6 address)");
		if (addr_norm(json_string_value(x), a) < 0)
			return pfail(pe, p, "not an IPv4 or IPv6 address ('%s')",
				    quote(json_string_value(x), q, sizeof(q)));
		if (!sf_strv_contains(out, a) && sf_strv_push(out, a))
			return SF_ENOMEM;
	}
	return SF_OK;
}

/* An https URL field; absent: *out NULL.  @pattern: "{domain}" allowed. */
static sf_status get_url(struct perr *pe, const char *path, json_t *v, int pattern, char **out)
{
	char host[256], q[128];
	const char *why;
	char *probe = NULL;
	sf_status st = SF_OK;

	*out = NULL;
	if (!v)
		return SF_OK;
	if (!json_is_string(v))
		return pfail(pe, path, "expected a string (an https URL)");
	if (!pattern && strstr(json_string_value(v), "{domain}"))
		return pfail(pe, path, "{domain} is allowed only in the top-level meet pattern");
	/* A pattern is checked with a stand-in domain; each domain again when planned. */
	probe = expand_domain(json_string_value(v), "example.com");
	if (!probe)
		return SF_ENOMEM;
	if (url_host(probe, host, &why) < 0)
		st = pfail(pe, path, "%s ('%s')", why, quote(json_string_value(v), q, sizeof(q)));
	else if (!(*out = strdup(json_string_value(v))))
		st = SF_ENOMEM;
	free(probe);
	return st;
}

static sf_status read_edge(struct perr *pe, const char *path, json_t *o, struct in_edge *e)
{
	static const char *const keys[] = {
		"fqdn", "addresses", "host_label", "federation", "federation_port",
		"client_port", "webconf_fqdn", "webconf_addresses", "av_fqdn", "av_addresses",
		"ca", NULL,
	};
	char p[160], q[128];
	json_t *v;
	sf_status st;

	e->fed = SF_PLAN_FED_DIRECT;
	e->fport = 5061;
	e->cport = 443;
	e->public_ca = 1;
	if (!json_is_object(o))
		return pfail(pe, path, "expected an object (an Access Edge)");
	if ((st = only_keys(pe, path, o, keys)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "fqdn"), 1, &e->fqdn)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "addresses");
	if ((st = get_addrs(pe, p, json_object_get(o, "addresses"), &e->addrs)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "host_label");
	v = json_object_get(o, "host_label");
	if (v) {
		char l[64];

		if (!json_is_string(v) || !label_ok(json_string_value(v)))
			return pfail(pe, p, "not a single DNS label ('%s')",
				    json_is_string(v) ? quote(json_string_value(v), q, sizeof(q))
						      : "?");
		sf_name_norm(json_string_value(v), l, sizeof(l));
		e->label = strdup(l);
	} else {
		e->label = strndup(e->fqdn, strcspn(e->fqdn, "."));
	}
	if (!e->label)
		return SF_ENOMEM;
	path_key(p, sizeof(p), path, "federation");
	v = json_object_get(o, "federation");
	if (v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";

		if (strcmp(s, "direct") == 0)
			e->fed = SF_PLAN_FED_DIRECT;
		else if (strcmp(s, "hosting-provider") == 0)
			e->fed = SF_PLAN_FED_HOSTING;
		else if (strcmp(s, "none") == 0)
			e->fed = SF_PLAN_FED_NONE;
		else
			return pfail(pe, p,
				     "expected \"direct\", \"hosting-provider\" or \"none\"");
	}
	path_key(p, sizeof(p), path, "federation_port");
	if ((st = get_port(pe, p, json_object_get(o, "federation_port"), &e->fport)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "client_port");
	if ((st = get_port(pe, p, json_object_get(o, "client_port"), &e->cport)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "webconf_fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "webconf_fqdn"), 0, &e->webconf)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "webconf_addresses");
	if ((st = get_addrs(pe, p, json_object_get(o, "webconf_addresses"), &e->webconf_addrs)))
		return st;
	path_key(p, sizeof(p), path, "av_fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "av_fqdn"), 0, &e->av)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "av_addresses");
	if ((st = get_addrs(pe, p, json_object_get(o, "av_addresses"), &e->av_addrs)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "ca");
	return get_ca(pe, p, json_object_get(o, "ca"), &e->public_ca);
}

static sf_status read_pool(struct perr *pe, const char *path, json_t *o, struct in_pool *pl)
{
	static const char *const keys[] = {
		"fqdn", "servers", "internal_web_fqdn", "external_web_fqdn", "addresses", "ca",
		NULL,
	};
	char p[160], s[176];
	json_t *v, *x;
	size_t i;
	sf_status st;

	pl->public_ca = 0;
	if (!json_is_object(o))
		return pfail(pe, path, "expected an object (a Front End pool)");
	if ((st = only_keys(pe, path, o, keys)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "fqdn"), 1, &pl->fqdn)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "servers");
	v = json_object_get(o, "servers");
	if (v && (!json_is_array(v) || json_array_size(v) > PLAN_MAX_LIST))
		return pfail(pe, p, "expected an array of host names (at most %u)", PLAN_MAX_LIST);
	json_array_foreach(v, i, x) {
		char *h;

		path_idx(s, sizeof(s), p, i);
		if ((st = get_host(pe, s, x, 1, &h)) != SF_OK)
			return st;
		if (!sf_strv_contains(&pl->servers, h) && sf_strv_push(&pl->servers, h)) {
			free(h);
			return SF_ENOMEM;
		}
		free(h);
	}
	path_key(p, sizeof(p), path, "internal_web_fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "internal_web_fqdn"), 0, &pl->internal_web)))
		return st;
	path_key(p, sizeof(p), path, "external_web_fqdn");
	if ((st = get_host(pe, p, json_object_get(o, "external_web_fqdn"), 0, &pl->external_web)))
		return st;
	path_key(p, sizeof(p), path, "addresses");
	if ((st = get_addrs(pe, p, json_object_get(o, "addresses"), &pl->addrs)) != SF_OK)
		return st;
	path_key(p, sizeof(p), path, "ca");
	return get_ca(pe, p, json_object_get(o, "ca"), &pl->public_ca);
}

/* "edge" (one object or an array of them). */
static sf_status read_edges(struct perr *pe, json_t *v, struct plan_in *in)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	char p[64];
	sf_status st;

	if (!v)
		return pfail(pe, "edge", "missing (the Access Edge: at least its external fqdn)");
	if (json_is_array(v) && n == 0)
		return pfail(pe, "edge", "empty: at least one Access Edge");
	if (n > PLAN_MAX_LIST)
		return pfail(pe, "edge", "more than %u edges", PLAN_MAX_LIST);
	in->edge = calloc(n, sizeof(*in->edge));
	if (!in->edge)
		return SF_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_is_array(v) ? json_array_get(v, i) : v;

		if (json_is_array(v))
			path_idx(p, sizeof(p), "edge", i);
		else
			snprintf(p, sizeof(p), "edge");
		in->n_edge++;
		if ((st = read_edge(pe, p, o, &in->edge[i])) != SF_OK)
			return st;
		for (size_t k = 0; k < i; k++)
			if (strcmp(in->edge[k].fqdn, in->edge[i].fqdn) == 0)
				return pfail(pe, p, "the same fqdn as edge[%zu] (%s)", k,
					    in->edge[i].fqdn);
	}
	return SF_OK;
}

static sf_status read_pools(struct perr *pe, json_t *v, struct plan_in *in)
{
	char p[64];
	sf_status st;

	if (!v)
		return SF_OK;
	if (!json_is_array(v))
		return pfail(pe, "pools", "expected an array of Front End pools");
	if (json_array_size(v) > PLAN_MAX_LIST)
		return pfail(pe, "pools", "more than %u pools", PLAN_MAX_LIST);
	in->pool = calloc(json_array_size(v) + 1, sizeof(*in->pool));
	if (!in->pool)
		return SF_ENOMEM;
	for (size_t i = 0; i < json_array_size(v); i++) {
		path_idx(p, sizeof(p), "pools", i);
		in->n_pool++;
		if ((st = read_pool(pe, p, json_array_get(v, i), &in->pool[i])) != SF_OK)
			return st;
		for (size_t k = 0; k < i; k++)
			if (strcmp(in->pool[k].fqdn, in->pool[i].fqdn) == 0)
				return pfail(pe, p, "the same fqdn as pools[%zu] (%s)", k,
					    in->pool[i].fqdn);
	}
	return SF_OK;
}

static sf_status read_rp(struct perr *pe, json_t *v, struct plan_in *in)
{
	static const char *const keys[] = { "fqdn", "addresses", "ca", NULL };
	sf_status st;

	in->rp_public = 1;
	if (!v)
		return SF_OK;
	if (!json_is_object(v))
		return pfail(pe, "reverse_proxy", "expected an object");
	if ((st = only_keys(pe, "reverse_proxy", v, keys)) != SF_OK)
		return st;
	if ((st = get_host(pe, "reverse_proxy.fqdn", json_object_get(v, "fqdn"), 1, &in->rp)))
		return st;
	if ((st = get_addrs(pe, "reverse_proxy.addresses", json_object_get(v, "addresses"),
			    &in->rp_addrs)) != SF_OK)
		return st;
	return get_ca(pe, "reverse_proxy.ca", json_object_get(v, "ca"), &in->rp_public);
}

static sf_status read_um(struct perr *pe, json_t *v, struct plan_in *in)
{
	static const char *const keys[] = { "fqdn", "ca", NULL };
	char p[64], q[128];
	sf_status st;

	if (!v)
		return SF_OK;
	if (!json_is_array(v) || json_array_size(v) > PLAN_MAX_LIST)
		return pfail(pe, "um_servers", "expected an array of server FQDNs (at most %u)",
			    PLAN_MAX_LIST);
	in->um = calloc(json_array_size(v) + 1, sizeof(*in->um));
	if (!in->um)
		return SF_ENOMEM;
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i), *f = x;
		struct in_um *u = &in->um[in->n_um++];

		path_idx(p, sizeof(p), "um_servers", i);
		if (json_is_object(x)) {
			if ((st = only_keys(pe, p, x, keys)) != SF_OK)
				return st;
			char cp[80];

			f = json_object_get(x, "fqdn");
			path_key(cp, sizeof(cp), p, "ca");
			if ((st = get_ca(pe, cp, json_object_get(x, "ca"), &u->public_ca)))
				return st;
			snprintf(p + strlen(p), sizeof(p) - strlen(p), ".fqdn");
		}
		/* UM-001 (seed 004): the subject must be the server FQDN, never a wildcard. */
		if (json_is_string(f) && strchr(json_string_value(f), '*'))
			return pfail(pe, p, "a wildcard is not allowed: the subject of an Exchange "
				    "UM certificate must be the server FQDN (UM-001) ('%s')",
				    quote(json_string_value(f), q, sizeof(q)));
		if ((st = get_host(pe, p, f, 1, &u->fqdn)) != SF_OK)
			return st;
		for (size_t k = 0; k + 1 < in->n_um; k++)
			if (strcmp(in->um[k].fqdn, u->fqdn) == 0)
				return pfail(pe, p, "the same server as um_servers[%zu] (%s)", k,
					    u->fqdn);
	}
	return SF_OK;
}

static sf_status read_options(struct perr *pe, json_t *v, struct plan_in *in)
{
	static const char *const keys[] = {
		"lyncdiscover", "lyncdiscover_over_http", "client_autoconfig", NULL,
	};
	sf_status st;

	in->lyncdiscover = 1;
	in->lyncdiscover_http = 0;
	in->client_autoconfig = 1;
	if (!v)
		return SF_OK;
	if (!json_is_object(v))
		return pfail(pe, "options", "expected an object");
	if ((st = only_keys(pe, "options", v, keys)) != SF_OK)
		return st;
	if ((st = get_bool(pe, "options.lyncdiscover", json_object_get(v, "lyncdiscover"),
			   &in->lyncdiscover)) != SF_OK)
		return st;
	if ((st = get_bool(pe, "options.lyncdiscover_over_http",
			   json_object_get(v, "lyncdiscover_over_http"), &in->lyncdiscover_http)))
		return st;
	return get_bool(pe, "options.client_autoconfig", json_object_get(v, "client_autoconfig"),
			&in->client_autoconfig);
}

/* Index of the edge (or pool) whose fqdn is the string @v. */
static sf_status find_ref(struct perr *pe, const char *path, json_t *v, const char *what,
			  const char *const *names, size_t n, size_t *out)
{
	char h[256], q[128];

	if (!json_is_string(v) || host_norm(json_string_value(v), h) < 0)
		return pfail(pe, path, "expected the fqdn of one of the %ss", what);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], h) == 0) {
			*out = i;
			return SF_OK;
		}
	}
	return pfail(pe, path, "no %s with fqdn '%s' in the plan", what, quote(h, q, sizeof(q)));
}

static sf_status read_domains(struct perr *pe, json_t *v, struct plan_in *in)
{
	static const char *const keys[] = { "name", "edge", "pool", "meet", NULL };
	struct nmap seen = { 0 };
	const char **enames = NULL, **pnames = NULL;
	char p[64], q[128], n[256];
	sf_status st = SF_OK;

	if (!v)
		return pfail(pe, "domains", "missing (the SIP domains of the deployment)");
	if (!json_is_array(v))
		return pfail(pe, "domains", "expected an array of SIP domains");
	if (json_array_size(v) == 0)
		return pfail(pe, "domains", "empty: at least one SIP domain");
	if (json_array_size(v) > PLAN_MAX_DOMAINS)
		return pfail(pe, "domains", "more than %u SIP domains", PLAN_MAX_DOMAINS);
	in->dom = calloc(json_array_size(v), sizeof(*in->dom));
	enames = calloc(in->n_edge + 1, sizeof(*enames));
	pnames = calloc(in->n_pool + 1, sizeof(*pnames));
	if (!in->dom || !enames || !pnames) {
		st = SF_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < in->n_edge; i++)
		enames[i] = in->edge[i].fqdn;
	for (size_t i = 0; i < in->n_pool; i++)
		pnames[i] = in->pool[i].fqdn;
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *x = json_array_get(v, i), *name = x;
		struct in_dom *d = &in->dom[in->n_dom++];
		char sub[96];
		size_t prev;
		int r;

		path_idx(p, sizeof(p), "domains", i);
		if (json_is_object(x)) {
			if ((st = only_keys(pe, p, x, keys)) != SF_OK)
				goto out;
			name = json_object_get(x, "name");
			if (!name) {
				st = pfail(pe, p, "an object needs \"name\" (the SIP domain)");
				goto out;
			}
		}
		if (!json_is_string(name)) {
			st = pfail(pe, p,
				   "expected a domain name (string) or an object with \"name\"");
			goto out;
		}
		if (strchr(json_string_value(name), '*') ||
		    host_norm(json_string_value(name), n) < 0) {
			st = pfail(pe, p, "not a valid domain name ('%s')",
				  quote(json_string_value(name), q, sizeof(q)));
			goto out;
		}
		/* The longest name planned in it: _sipfederationtls._tcp.<d> (253 at most). */
		if (strlen(n) > 253 - strlen("_sipfederationtls._tcp.")) {
			st = pfail(pe, p, "too long: _sipfederationtls._tcp.%.40s... would be "
				   "longer than 253 characters", n);
			goto out;
		}
		if (!(d->name = strdup(n))) {
			st = SF_ENOMEM;
			goto out;
		}
		r = nmap_put(&seen, d->name, i, &prev);
		if (r < 0) {
			st = SF_ENOMEM;
			goto out;
		}
		if (r == 0) {
			st = pfail(pe, p, "duplicate of domains[%zu] (%s)", prev, d->name);
			goto out;
		}
		if (json_is_object(x) && json_object_get(x, "edge")) {
			snprintf(sub, sizeof(sub), "%s.edge", p);
			st = find_ref(pe, sub, json_object_get(x, "edge"), "edge", enames,
				      in->n_edge, &d->edge);
			if (st != SF_OK)
				goto out;
		}
		if (json_is_object(x) && json_object_get(x, "pool")) {
			snprintf(sub, sizeof(sub), "%s.pool", p);
			st = find_ref(pe, sub, json_object_get(x, "pool"), "pool", pnames,
				      in->n_pool, &d->pool);
			if (st != SF_OK)
				goto out;
		}
		if (json_is_object(x)) {
			snprintf(sub, sizeof(sub), "%s.meet", p);
			if ((st = get_url(pe, sub, json_object_get(x, "meet"), 0, &d->meet)))
				goto out;
		}
		/* The Edge's name in the domain must fit in a DNS name. */
		if (strlen(in->edge[d->edge].label) + 1 + strlen(d->name) > 253) {
			st = pfail(pe, p, "%s.%s would be longer than 253 characters",
				  in->edge[d->edge].label, d->name);
			goto out;
		}
	}
out:
	nmap_release(&seen);
	free(enames);
	free(pnames);
	return st;
}

/*
 * Checks what needs several fields: web names need a reverse proxy; every
 * domain gets its own meet URL (CLI-004), whose host is a host name.
 */
static sf_status cross_check(struct perr *pe, struct plan_in *in)
{
	struct nmap seen = { 0 };
	char **urls = NULL;
	char p[96], host[256], q[128];
	const char *why;
	sf_status st = SF_OK;

	if (!in->rp) {
		if (in->meet_pattern)
			return pfail(pe, "meet", "needs \"reverse_proxy\": the meet URLs are "
				    "published through it");
		if (in->dialin)
			return pfail(pe, "dialin", "needs \"reverse_proxy\": the dial-in URL is "
				    "published through it");
		for (size_t i = 0; i < in->n_dom; i++) {
			if (in->dom[i].meet) {
				snprintf(p, sizeof(p), "domains[%zu].meet", i);
				return pfail(pe, p, "needs \"reverse_proxy\": the meet URLs are "
					    "published through it");
			}
		}
		return SF_OK;
	}
	if (in->meet_pattern && in->n_dom > 1 && !strstr(in->meet_pattern, "{domain}"))
		return pfail(pe, "meet", "needs {domain}: each SIP domain needs its own meet URL "
			    "(or give it per domain in domains[].meet)");
	urls = calloc(in->n_dom, sizeof(*urls));
	if (!urls)
		return SF_ENOMEM;
	for (size_t i = 0; i < in->n_dom; i++) {
		size_t prev;
		int r;

		snprintf(p, sizeof(p), in->dom[i].meet ? "domains[%zu].meet" : "meet", i);
		urls[i] = in->dom[i].meet ? strdup(in->dom[i].meet)
					  : expand_domain(in->meet_pattern ? in->meet_pattern
									   : PLAN_DEFAULT_MEET,
							  in->dom[i].name);
		if (!urls[i]) {
			st = SF_ENOMEM;
			goto out;
		}
		if (url_host(urls[i], host, &why) < 0) {
			st = pfail(pe, p, "%s for %s ('%s')", why, in->dom[i].name,
				  quote(urls[i], q, sizeof(q)));
			goto out;
		}
		r = nmap_put(&seen, urls[i], i, &prev);
		if (r < 0) {
			st = SF_ENOMEM;
			goto out;
		}
		if (r == 0) {
			st = pfail(pe, p, "%s has the same meet URL as %s (%s): each SIP domain "
				  "needs its own", in->dom[i].name, in->dom[prev].name,
				  quote(urls[i], q, sizeof(q)));
			goto out;
		}
	}
out:
	nmap_release(&seen);
	for (size_t i = 0; urls && i < in->n_dom; i++)
		free(urls[i]);
	free(urls);
	return st;
}

static sf_status read_plan(struct perr *pe, json_t *root, struct plan_in *in)
{
	static const char *const keys[] = {
		"version", "name", "profile", "ttl", "domains", "edge", "reverse_proxy", "pools",
		"meet", "dialin", "um_servers", "options", NULL,
	};
	json_t *v;
	sf_status st;

	in->profile = SF_PROFILE_SFB;
	in->ttl = PLAN_DEFAULT_TTL;
	if (!json_is_object(root))
		return pfail(pe, NULL, "expected a JSON object (a plan, see docs/plan.md)");
	if ((st = only_keys(pe, "", root, keys)) != SF_OK)
		return st;
	v = json_object_get(root, "version");
	if (v && !(json_is_integer(v) && json_integer_value(v) == 1))
		return pfail(pe, "version", "expected 1 (this sipfed reads plan version 1)");
	v = json_object_get(root, "name");
	if (v) {
		if (!json_is_string(v) || json_string_length(v) > 200)
			return pfail(pe, "name", "expected a string of at most 200 bytes");
		if (!(in->name = strdup(json_string_value(v))))
			return SF_ENOMEM;
	}
	v = json_object_get(root, "profile");
	if (v && (!json_is_string(v) || sf_profile_parse(json_string_value(v), &in->profile) < 0))
		return pfail(pe, "profile", "expected \"sfb\", \"o365\" or \"dr\"");
	v = json_object_get(root, "ttl");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 60 ||
		    json_integer_value(v) > 604800)
			return pfail(pe, "ttl", "expected seconds, 60..604800");
		in->ttl = (uint32_t)json_integer_value(v);
	}
	if ((st = read_edges(pe, json_object_get(root, "edge"), in)) != SF_OK)
		return st;
	if ((st = read_rp(pe, json_object_get(root, "reverse_proxy"), in)) != SF_OK)
		return st;
	if ((st = read_pools(pe, json_object_get(root, "pools"), in)) != SF_OK)
		return st;
	if ((st = read_domains(pe, json_object_get(root, "domains"), in)) != SF_OK)
		return st;
	if ((st = get_url(pe, "meet", json_object_get(root, "meet"), 1, &in->meet_pattern)))
		return st;
	v = json_object_get(root, "dialin");
	if (json_is_array(v) || json_is_object(v))
		return pfail(pe, "dialin", "one dial-in URL for the whole deployment: Lync and "
			    "Skype for Business have no per-domain dial-in URL");
	if ((st = get_url(pe, "dialin", v, 0, &in->dialin)) != SF_OK)
		return st;
	if ((st = read_um(pe, json_object_get(root, "um_servers"), in)) != SF_OK)
		return st;
	if ((st = read_options(pe, json_object_get(root, "options"), in)) != SF_OK)
		return st;
	return cross_check(pe, in);
}

/* ---- working the plan out ----------------------------------------------------- */

/* What-if switches; -1 = as planned. */
struct ovr {
	int lyncdiscover_http;
	int fed_hosting;   /* 1 every federating Edge as hosting provider, 0 every one direct */
	int shared_meet;   /* 1 one meet host for all, 0 meet.<d> per domain */
	int client_autoconfig;
};

static const struct ovr as_planned = { -1, -1, -1, -1 };

/* A SAN list being built, without duplicates. */
struct sanb {
	sf_strv v;
	struct nmap set;
	size_t per_domain;
};

struct build {
	const struct plan_in *in;
	struct ovr ov;
	int full;            /* notes and options too (not for a what-if) */
	sf_plan *p;
	struct nmap zone_of; /* zone name -> index (keys owned by the zones) */
	struct nmap rec_key; /* record identity -> 1 (keys in keys) */
	sf_strv keys;
	struct nmap owner_kind; /* owner -> 1 CNAME, 2 other, 3 both (keys in keys2) */
	sf_strv keys2;
	struct nmap noaddr;  /* owners written as placeholders (keys in keys3) */
	sf_strv keys3;
	size_t zcap;
	struct sanb *edge_san, rp_san, *fe_san;
	char *shared_meet;   /* the what-if shared meet URL pattern */
};

static void sanb_release(struct sanb *s)
{
	nmap_release(&s->set);
	sf_strv_release(&s->v);
}

/* Adds @name to the SAN list unless there; @per_domain counts it as one per SIP domain. */
static int san_add(struct sanb *s, const char *name, int per_domain)
{
	size_t before = s->v.n;
	int r;

	if (sf_strv_push(&s->v, name))
		return -1;
	r = nmap_put(&s->set, s->v.v[before], before, NULL);
	if (r < 0)
		return -1;
	if (r == 0) { /* already there: take the copy back */
		free(s->v.v[--s->v.n]);
		return 0;
	}
	s->per_domain += per_domain != 0;
	return 0;
}

/* The zone a name belongs in: the longest SIP domain above it, else its parent. */
static sf_status zone_for(struct build *b, const char *owner, size_t *out)
{
	const char *p = owner;
	sf_plan_zone *z;
	char *name;
	int r;

	for (; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		if (nmap_get(&b->zone_of, p, out))
			return SF_OK;
	}
	p = strchr(owner, '.');
	name = strdup(p ? p + 1 : owner);
	if (!name)
		return SF_ENOMEM;
	if (b->p->n_zones == b->zcap) {
		size_t cap = b->zcap * 2 + 8;
		sf_plan_zone *v = realloc(b->p->zones, cap * sizeof(*v));

		if (!v) {
			free(name);
			return SF_ENOMEM;
		}
		b->p->zones = v;
		b->zcap = cap;
	}
	z = &b->p->zones[b->p->n_zones];
	memset(z, 0, sizeof(*z));
	z->zone = name;
	r = nmap_put(&b->zone_of, z->zone, b->p->n_zones, out);
	if (r < 0) {
		free(name);
		return SF_ENOMEM;
	}
	*out = b->p->n_zones++;
	return SF_OK;
}

/* Records @owner as carrying a CNAME (1) or other data (2). */
static sf_status owner_mark(struct build *b, const char *owner, size_t kind)
{
	size_t cur;
	int r;

	if (nmap_get(&b->owner_kind, owner, &cur)) {
		size_t s = nmap_slot(&b->owner_kind, owner);

		b->owner_kind.val[s] = cur | kind;
		return SF_OK;
	}
	if (sf_strv_push(&b->keys2, owner))
		return SF_ENOMEM;
	r = nmap_put(&b->owner_kind, b->keys2.v[b->keys2.n - 1], kind, NULL);
	return r < 0 ? SF_ENOMEM : SF_OK;
}

/*
 * Adds a record unless the same one is there (same view, owner, type and
 * data).  @target for SRV/CNAME, @address for A/AAAA (NULL: placeholder).
 */
static sf_status rec_add(struct build *b, sf_plan_view view, sf_plan_purpose purpose,
			 const char *owner, uint16_t type, uint16_t port, const char *target,
			 const char *address, const char *checks, const char *comment)
{
	sf_plan_zone *z;
	sf_plan_record *r;
	char *key;
	size_t zi;
	int ins;
	sf_status st;

	key = sf_aprintf("%d %s %u %u %s", (int)view, owner, type, port,
			 target ? target : address ? address : "?");
	if (!key)
		return SF_ENOMEM;
	if (sf_strv_push(&b->keys, key)) {
		free(key);
		return SF_ENOMEM;
	}
	free(key);
	ins = nmap_put(&b->rec_key, b->keys.v[b->keys.n - 1], 1, NULL);
	if (ins < 0)
		return SF_ENOMEM;
	if (ins == 0)
		return SF_OK;
	if (view == SF_PLAN_VIEW_EXTERNAL &&
	    (st = owner_mark(b, owner, type == SF_T_CNAME ? 1 : 2)) != SF_OK)
		return st;
	if ((st = zone_for(b, owner, &zi)) != SF_OK)
		return st;
	z = &b->p->zones[zi];
	if (z->n_records == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		sf_plan_record *v = realloc(z->records, cap * sizeof(*v));

		if (!v)
			return SF_ENOMEM;
		z->records = v;
		z->cap = cap;
	}
	r = &z->records[z->n_records];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->port = port;
	r->view = view;
	r->purpose = purpose;
	r->checks = checks;
	r->comment = comment;
	r->owner = strdup(owner);
	r->target = target ? strdup(target) : NULL;
	r->address = address ? strdup(address) : NULL;
	if (!r->owner || (target && !r->target) || (address && !r->address)) {
		free(r->owner);
		free(r->target);
		free(r->address);
		return SF_ENOMEM;
	}
	z->n_records++;
	b->p->n_records++;
	return SF_OK;
}

/* A/AAAA records of @owner for @addrs; none: one placeholder A, noted once. */
static sf_status addr_add(struct build *b, sf_plan_view view, sf_plan_purpose purpose,
			  const char *owner, const sf_strv *addrs, const char *checks,
			  const char *comment)
{
	sf_status st;

	for (size_t i = 0; i < addrs->n; i++) {
		st = rec_add(b, view, purpose, owner, strchr(addrs->v[i], ':') ? SF_T_AAAA : SF_T_A,
			     0, NULL, addrs->v[i], checks, comment);
		if (st != SF_OK)
			return st;
	}
	if (addrs->n > 0)
		return SF_OK;
	if (b->full && !nmap_get(&b->noaddr, owner, NULL)) {
		if (sf_strv_push(&b->keys3, owner) ||
		    nmap_put(&b->noaddr, b->keys3.v[b->keys3.n - 1], 1, NULL) < 0)
			return SF_ENOMEM;
	}
	return rec_add(b, view, purpose, owner, SF_T_A, 0, NULL, NULL, checks, comment);
}

static const char C_FED_ONE_BELOW[] =
	"federation (DNS-001, DNS-005): the target is one label below the SIP domain";
static const char C_FED_OWN[] =
	"federation (DNS-001, DNS-005): the Edge FQDN is not one label below this domain, so the "
	"target is the Edge's own name in it";
static const char C_FED_HOSTING[] =
	"federation through a hosting provider (FED-002): partners must have this FQDN "
	"configured as a hosting provider";
static const char C_CLIENT[] =
	"client sign-in (CLI-001): the target is in the SIP domain and on the Edge certificate";
static const char C_EDGE_HOST[] =
	"the Edge's name in this domain: A/AAAA, not a CNAME (RFC 2782: an SRV target is no "
	"alias; DNS-008)";
static const char C_EDGE[] = "Access Edge external interface (DNS-009: public addresses)";
static const char C_WEBCONF[] = "web conferencing Edge";
static const char C_AV[] = "A/V Edge (not on any certificate)";
static const char C_LD_HTTP[] =
	"autodiscover over HTTP on port 80 (CLI-002): no certificate name needed, and a CNAME "
	"into another domain works over HTTP (CLI-003)";
static const char C_LD_CNAME[] =
	"autodiscover over HTTPS (CLI-002): CNAME within the SIP domain; the reverse proxy "
	"certificate carries lyncdiscover.<domain>";
static const char C_LD_A[] =
	"autodiscover over HTTPS (CLI-002): an A record, because a CNAME into another domain "
	"fails over HTTPS for mobile clients (CLI-003)";
static const char C_LDI[] =
	"internal autodiscover (CLI-002), internal DNS only: the Front End certificate "
	"carries lyncdiscoverinternal.<domain>";
static const char C_MEET[] = "meet URL (CLI-004): one per SIP domain, on the reverse proxy";
static const char C_MEET_SHARED[] =
	"meet URLs of several SIP domains on one shared host (CLI-004: each domain keeps its own "
	"URL, as a path)";
static const char C_MEET_INT[] = "meet URL inside: the Front End pool";
static const char C_DIALIN[] = "dial-in URL (CLI-004): one for the whole deployment";
static const char C_DIALIN_INT[] = "dial-in URL inside: the Front End pool";
static const char C_RP[] = "reverse proxy: external web services";
static const char C_EXTWEB[] = "external web services of a pool, published on the reverse proxy";

static const char N_EDGE[] =
	"subject and first SAN: the Access Edge FQDN; then each SRV target in the SIP domains "
	"(CERT-001: the SAN, not the CN, is matched; no wildcard on the Edge, CERT-002)";
static const char N_RP[] =
	"external web services, meet and dial-in URLs, lyncdiscover.<domain> (unless "
	"autodiscover goes over HTTP)";
static const char N_FE[] =
	"pool, servers, web services, simple URLs, lyncdiscoverinternal.<domain> and "
	"lyncdiscover.<domain>; an internal CA will do (internal names, CERT-011)";
static const char N_UM[] =
	"UM-001: the subject CN must be the server FQDN (a SAN alone is not used); no wildcard; "
	"a public CA cannot issue internal names (seed 004)";

/* The host of the meet URL of domain @i (into @host, 256) and the URL (malloc'd). */
static sf_status meet_of(struct build *b, size_t i, char **out_url, char *host)
{
	const struct plan_in *in = b->in;
	const char *why;
	char *url;

	if (b->ov.shared_meet == 1)
		url = expand_domain(b->shared_meet, in->dom[i].name);
	else if (b->ov.shared_meet == 0)
		url = expand_domain(PLAN_DEFAULT_MEET, in->dom[i].name);
	else if (in->dom[i].meet)
		url = strdup(in->dom[i].meet);
	else
		url = expand_domain(in->meet_pattern ? in->meet_pattern : PLAN_DEFAULT_MEET,
				    in->dom[i].name);
	if (!url)
		return SF_ENOMEM;
	if (url_host(url, host, &why) < 0) { /* checked by cross_check; a what-if may not be */
		free(url);
		return SF_EINVAL;
	}
	*out_url = url;
	return SF_OK;
}

/* The internal web FQDN of pool @k. */
static const char *pool_web(const struct plan_in *in, size_t k)
{
	return in->pool[k].internal_web ? in->pool[k].internal_web : in->pool[k].fqdn;
}

static sf_plan_federation fed_of(const struct build *b, const struct in_edge *e)
{
	if (e->fed == SF_PLAN_FED_NONE || b->ov.fed_hosting < 0)
		return e->fed;
	return b->ov.fed_hosting ? SF_PLAN_FED_HOSTING : SF_PLAN_FED_DIRECT;
}

/* Records and SAN entries of SIP domain @i. */
static sf_status plan_domain(struct build *b, size_t i)
{
	const struct plan_in *in = b->in;
	const struct in_dom *id = &in->dom[i];
	const struct in_edge *e = &in->edge[id->edge];
	sf_plan_domain *d = &b->p->domains[i];
	int client = b->ov.client_autoconfig >= 0 ? b->ov.client_autoconfig : in->client_autoconfig;
	int ld_http = b->ov.lyncdiscover_http >= 0 ? b->ov.lyncdiscover_http
						   : in->lyncdiscover_http;
	char own[256], name[300], host[256];
	sf_status st;

	snprintf(own, sizeof(own), "%s.%s", e->label, id->name);
	d->domain = strdup(id->name);
	d->edge = strdup(e->fqdn);
	if (!d->domain || !d->edge)
		return SF_ENOMEM;
	d->federation = fed_of(b, e);
	d->federation_port = e->fport;
	d->client_port = e->cport;
	if (d->federation == SF_PLAN_FED_DIRECT)
		d->federation_target = strdup(one_below(e->fqdn, id->name) ? e->fqdn : own);
	else if (d->federation == SF_PLAN_FED_HOSTING)
		d->federation_target = strdup(e->fqdn);
	if (d->federation != SF_PLAN_FED_NONE && !d->federation_target)
		return SF_ENOMEM;
	/* CLI-001: the client's server must be in the SIP domain. */
	if (client && !(d->client_target = strdup(sf_name_is_under(e->fqdn, id->name) ? e->fqdn
										     : own)))
		return SF_ENOMEM;
	/* The Edge FQDN may itself be <label>.<d>: then it is no extra name. */
	d->own_host = strcmp(e->fqdn, own) != 0 &&
		      ((d->federation_target && strcmp(d->federation_target, own) == 0) ||
		       (d->client_target && strcmp(d->client_target, own) == 0));

	if (d->federation_target) {
		snprintf(name, sizeof(name), "_sipfederationtls._tcp.%s", id->name);
		st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_FEDERATION, name, SF_T_SRV,
			     e->fport, d->federation_target, NULL, "DNS-001 DNS-005",
			     d->federation == SF_PLAN_FED_HOSTING ? C_FED_HOSTING
			     : d->own_host && strcmp(d->federation_target, own) == 0 ? C_FED_OWN
									       : C_FED_ONE_BELOW);
		if (st != SF_OK)
			return st;
	}
	if (d->client_target) {
		snprintf(name, sizeof(name), "_sip._tls.%s", id->name);
		st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_CLIENT, name, SF_T_SRV, e->cport,
			     d->client_target, NULL, "CLI-001", C_CLIENT);
		if (st != SF_OK)
			return st;
	}
	if (d->own_host) {
		st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_EDGE_HOST, own, &e->addrs,
			      "DNS-008 DNS-009", C_EDGE_HOST);
		if (st != SF_OK || san_add(&b->edge_san[id->edge], own, 1))
			return st != SF_OK ? st : SF_ENOMEM;
	}
	/* Internal autodiscover: the pool, whether or not there is a reverse proxy. */
	if (in->lyncdiscover && in->n_pool > 0) {
		const char *pw = pool_web(in, id->pool);

		snprintf(name, sizeof(name), "lyncdiscoverinternal.%s", id->name);
		if (sf_name_is_under(pw, id->name) || in->pool[id->pool].addrs.n == 0)
			st = rec_add(b, SF_PLAN_VIEW_INTERNAL, SF_PLAN_P_LYNCDISCOVER_INT,
				     name, SF_T_CNAME, 0, pw, NULL, "CLI-002", C_LDI);
		else
			st = addr_add(b, SF_PLAN_VIEW_INTERNAL, SF_PLAN_P_LYNCDISCOVER_INT,
				      name, &in->pool[id->pool].addrs, "CLI-002", C_LDI);
		if (st != SF_OK)
			return st;
		for (size_t k = 0; k < in->n_pool; k++)
			if (san_add(&b->fe_san[k], name, 1))
				return SF_ENOMEM;
	}
	if (!in->rp)
		return SF_OK;

	/* Web: lyncdiscover, meet. */
	if (in->lyncdiscover) {
		d->lyncdiscover = ld_http ? 2 : 1;
		snprintf(name, sizeof(name), "lyncdiscover.%s", id->name);
		if (ld_http || sf_name_is_under(in->rp, id->name)) {
			st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_LYNCDISCOVER, name,
				     SF_T_CNAME, 0, in->rp, NULL, "CLI-002 CLI-003",
				     ld_http ? C_LD_HTTP : C_LD_CNAME);
		} else {
			st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_LYNCDISCOVER, name,
				      &in->rp_addrs, "CLI-002 CLI-003", C_LD_A);
		}
		if (st != SF_OK)
			return st;
		if (!ld_http) {
			if (san_add(&b->rp_san, name, 1))
				return SF_ENOMEM;
			for (size_t k = 0; k < in->n_pool; k++)
				if (san_add(&b->fe_san[k], name, 1))
					return SF_ENOMEM;
		}
	}
	st = meet_of(b, i, &d->meet_url, host);
	if (st != SF_OK)
		return st;
	if (strcmp(host, in->rp) != 0) {
		st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_MEET, host, SF_T_CNAME, 0, in->rp,
			     NULL, "CLI-004",
			     sf_name_is_under(host, id->name) ? C_MEET : C_MEET_SHARED);
		if (st == SF_OK && in->n_pool > 0)
			st = rec_add(b, SF_PLAN_VIEW_INTERNAL, SF_PLAN_P_MEET, host, SF_T_CNAME, 0,
				     pool_web(in, id->pool), NULL, "CLI-004", C_MEET_INT);
		if (st != SF_OK)
			return st;
	}
	/* A meet host inside the domain is one name per domain; a shared one is not. */
	if (san_add(&b->rp_san, host, sf_name_is_under(host, id->name)))
		return SF_ENOMEM;
	for (size_t k = 0; k < in->n_pool; k++)
		if (san_add(&b->fe_san[k], host, sf_name_is_under(host, id->name)))
			return SF_ENOMEM;
	return SF_OK;
}

/* Records of the Edges, the reverse proxy and the dial-in URL (once each). */
static sf_status plan_infra(struct build *b)
{
	const struct plan_in *in = b->in;
	char host[256];
	const char *why;
	sf_status st;

	for (size_t i = 0; i < in->n_edge; i++) {
		const struct in_edge *e = &in->edge[i];

		st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_EDGE, e->fqdn, &e->addrs,
			      "DNS-009", C_EDGE);
		if (st == SF_OK && e->webconf)
			st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_EDGE, e->webconf,
				      e->webconf_addrs.n ? &e->webconf_addrs : &e->addrs, "",
				      C_WEBCONF);
		if (st == SF_OK && e->av)
			st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_EDGE, e->av,
				      e->av_addrs.n ? &e->av_addrs : &e->addrs, "", C_AV);
		if (st != SF_OK)
			return st;
	}
	if (!in->rp)
		return SF_OK;
	st = addr_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_WEB, in->rp, &in->rp_addrs, "", C_RP);
	for (size_t k = 0; k < in->n_pool && st == SF_OK; k++) {
		if (in->pool[k].external_web && strcmp(in->pool[k].external_web, in->rp) != 0)
			st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_WEB,
				     in->pool[k].external_web, SF_T_CNAME, 0, in->rp, NULL, "",
				     C_EXTWEB);
	}
	if (st != SF_OK || !in->dialin)
		return st;
	if (url_host(in->dialin, host, &why) < 0)
		return SF_EINVAL;
	if (strcmp(host, in->rp) != 0) {
		st = rec_add(b, SF_PLAN_VIEW_EXTERNAL, SF_PLAN_P_DIALIN, host, SF_T_CNAME, 0,
			     in->rp, NULL, "CLI-004", C_DIALIN);
		if (st == SF_OK && in->n_pool > 0)
			st = rec_add(b, SF_PLAN_VIEW_INTERNAL, SF_PLAN_P_DIALIN, host,
				     SF_T_CNAME, 0, pool_web(in, 0), NULL, "CLI-004",
				     C_DIALIN_INT);
	}
	return st;
}

/* Moves a finished SAN list into a new certificate of the plan. */
static sf_status cert_add(struct build *b, sf_plan_cert_kind kind, struct sanb *s,
			  int public_ca, const char *host, uint16_t port, const char *note)
{
	sf_plan_cert *c = &b->p->certs[b->p->n_certs];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->public_ca = public_ca;
	c->port = port;
	c->note = note;
	c->subject = strdup(s->v.v[0]);
	c->host = strdup(host);
	if (!c->subject || !c->host) {
		free(c->subject);
		free(c->host);
		return SF_ENOMEM;
	}
	c->san = s->v.v;
	c->n_san = s->v.n;
	c->n_per_domain = s->per_domain;
	s->v.v = NULL;
	s->v.n = s->v.cap = 0;
	b->p->n_certs++;
	b->p->san_total += c->n_san;
	return SF_OK;
}

/* Starts the SAN lists: the subjects and the names that do not depend on the domains. */
static sf_status sans_begin(struct build *b)
{
	const struct plan_in *in = b->in;
	char host[256];
	const char *why;

	b->edge_san = calloc(in->n_edge, sizeof(*b->edge_san));
	b->fe_san = calloc(in->n_pool + 1, sizeof(*b->fe_san));
	if (!b->edge_san || !b->fe_san)
		return SF_ENOMEM;
	for (size_t i = 0; i < in->n_edge; i++) {
		if (san_add(&b->edge_san[i], in->edge[i].fqdn, 0) ||
		    (in->edge[i].webconf && san_add(&b->edge_san[i], in->edge[i].webconf, 0)))
			return SF_ENOMEM;
	}
	if (in->rp) {
		if (san_add(&b->rp_san, in->rp, 0))
			return SF_ENOMEM;
		for (size_t k = 0; k < in->n_pool; k++)
			if (in->pool[k].external_web &&
			    san_add(&b->rp_san, in->pool[k].external_web, 0))
				return SF_ENOMEM;
		if (in->dialin && (url_host(in->dialin, host, &why) < 0 ||
				   san_add(&b->rp_san, host, 0)))
			return SF_ENOMEM;
	}
	for (size_t k = 0; k < in->n_pool; k++) {
		const struct in_pool *pl = &in->pool[k];
		struct sanb *s = &b->fe_san[k];

		if (san_add(s, pl->fqdn, 0))
			return SF_ENOMEM;
		for (size_t j = 0; j < pl->servers.n; j++)
			if (san_add(s, pl->servers.v[j], 0))
				return SF_ENOMEM;
		if ((pl->internal_web && san_add(s, pl->internal_web, 0)) ||
		    (pl->external_web && san_add(s, pl->external_web, 0)))
			return SF_ENOMEM;
		if (in->rp && in->dialin && (url_host(in->dialin, host, &why) < 0 ||
					     san_add(s, host, 0)))
			return SF_ENOMEM;
	}
	return SF_OK;
}

static sf_status certs_finish(struct build *b)
{
	const struct plan_in *in = b->in;
	sf_status st = SF_OK;

	b->p->certs = calloc(in->n_edge + 1 + in->n_pool + in->n_um, sizeof(*b->p->certs));
	if (!b->p->certs)
		return SF_ENOMEM;
	for (size_t i = 0; i < in->n_edge && st == SF_OK; i++)
		st = cert_add(b, SF_PLAN_CERT_EDGE, &b->edge_san[i], in->edge[i].public_ca,
			      in->edge[i].fqdn, in->edge[i].fport, N_EDGE);
	if (st == SF_OK && in->rp)
		st = cert_add(b, SF_PLAN_CERT_REVERSE_PROXY, &b->rp_san, in->rp_public, in->rp, 443,
			      N_RP);
	for (size_t k = 0; k < in->n_pool && st == SF_OK; k++)
		st = cert_add(b, SF_PLAN_CERT_FRONT_END, &b->fe_san[k], in->pool[k].public_ca,
			      in->pool[k].fqdn, 443, N_FE);
	for (size_t k = 0; k < in->n_um && st == SF_OK; k++) {
		struct sanb s = { 0 };

		/* Seed 004: subject and SAN both the server FQDN. */
		if (san_add(&s, in->um[k].fqdn, 0)) {
			sanb_release(&s);
			return SF_ENOMEM;
		}
		st = cert_add(b, SF_PLAN_CERT_UM, &s, in->um[k].public_ca, in->um[k].fqdn, 5061,
			      N_UM);
		sanb_release(&s);
	}
	return st;
}

/* ---- notes on the plan -------------------------------------------------------- */

/* Appends the findings of @fs (from the rule table) as notes. */
static sf_status notes_take(sf_plan_gaps *notes, sf_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		if (sf_plan_gap_finding(notes, &fs->v[i]) < 0)
			return SF_ENOMEM;
	}
	return SF_OK;
}

static sf_status plan_notes(struct build *b)
{
	const struct plan_in *in = b->in;
	sf_plan *p = b->p;
	sf_rule_env env = { 0 };
	sf_findings fs = { 0 };
	sf_status st = SF_ENOMEM;

	env.profile = in->profile;
	env.psl = psl_builtin();
	for (size_t i = 0; i < p->n_domains; i++) {
		const char *d = p->domains[i].domain;
		const char *tld = strrchr(d, '.');
		char x[128];

		if (sf_rules_public_tld(&env, d))
			continue;
		snprintf(x, sizeof(x), ".%s is not a public top-level domain", tld ? tld + 1 : d);
		if (sf_findings_add(&fs, in->profile, SF_R_DNS010_NOT_PUBLIC, d, NULL, x, NULL))
			goto out;
	}
	for (size_t i = 0; i < in->n_edge; i++) {
		if (fed_of(b, &in->edge[i]) == SF_PLAN_FED_HOSTING &&
		    sf_findings_add(&fs, in->profile, SF_R_FED002_HOSTING, NULL, in->edge[i].fqdn,
				    NULL, NULL))
			goto out;
	}
	for (size_t i = 0; i < p->n_certs; i++) {
		const sf_plan_cert *c = &p->certs[i];
		char x[512];
		size_t n_int = 0, len = 0;

		x[0] = '\0';
		if (in->profile != SF_PROFILE_SFB && !c->public_ca &&
		    (c->kind == SF_PLAN_CERT_EDGE || c->kind == SF_PLAN_CERT_REVERSE_PROXY) &&
		    sf_findings_add(&fs, in->profile, SF_R_CERT005_NOT_PUBLIC, NULL, c->subject,
				    "a private CA (the plan says \"ca\": \"private\")",
				    in->profile == SF_PROFILE_DR
				    ? "a root Microsoft trusts for Direct Routing (a public CA)"
				    : "a public root (Microsoft 365 and Teams require a public CA)"))
			goto out;
		if (!c->public_ca)
			continue;
		/* CERT-011: a public CA issues no internal names. */
		for (size_t k = 0; k < c->n_san; k++) {
			if (sf_rules_public_tld(&env, c->san[k]))
				continue;
			if (n_int++ < 4) {
				int n = snprintf(x + len, sizeof(x) - len, "%s%s", len ? ", " : "",
						 c->san[k]);

				if (n > 0 && (size_t)n < sizeof(x) - len)
					len += (size_t)n;
			}
		}
		if (n_int > 4 && len + 32 < sizeof(x))
			snprintf(x + len, sizeof(x) - len, " and %zu more", n_int - 4);
		if (n_int && sf_findings_add(&fs, in->profile, SF_R_CERT011_INTERNAL, NULL,
					     c->subject, x, NULL))
			goto out;
	}
	if (notes_take(&p->notes, &fs) != SF_OK)
		goto out;
	/* Names written with a placeholder address. */
	for (size_t i = 0; i < b->keys3.n; i++) {
		sf_rule_args a = { .s = b->keys3.v[i] };

		if (sf_plan_gap_rule(&p->notes, p->profile, SF_R_PLAN010_NO_ADDRESS, &a) < 0)
			goto out;
	}
	/* RFC 1034 §3.6.2: a CNAME stands alone. */
	for (size_t i = 0; i < b->keys2.n; i++) {
		size_t kind = 0;
		sf_rule_args a = { .s = b->keys2.v[i] };

		nmap_get(&b->owner_kind, a.s, &kind);
		if (kind == 3 &&
		    sf_plan_gap_rule(&p->notes, p->profile, SF_R_PLAN011_CNAME_CONFLICT, &a) < 0)
			goto out;
	}
	st = SF_OK;
out:
	sf_findings_release(&fs);
	return st;
}

/* Frees what @p owns, not @p. */
static void plan_release(sf_plan *p)
{
	free(p->file);
	free(p->name);
	for (size_t i = 0; i < p->n_domains; i++) {
		sf_plan_domain *d = &p->domains[i];

		free(d->domain);
		free(d->edge);
		free(d->federation_target);
		free(d->client_target);
		free(d->meet_url);
	}
	free(p->domains);
	for (size_t i = 0; i < p->n_zones; i++) {
		sf_plan_zone *z = &p->zones[i];

		for (size_t k = 0; k < z->n_records; k++) {
			free(z->records[k].owner);
			free(z->records[k].target);
			free(z->records[k].address);
		}
		free(z->records);
		free(z->zone);
	}
	free(p->zones);
	for (size_t i = 0; i < p->n_certs; i++) {
		sf_plan_cert *c = &p->certs[i];

		for (size_t k = 0; k < c->n_san; k++)
			free(c->san[k]);
		free(c->san);
		free(c->subject);
		free(c->host);
	}
	free(p->certs);
	free(p->dialin_url);
	for (size_t i = 0; i < p->n_hosting; i++)
		free(p->hosting[i]);
	free(p->hosting);
	free(p->options);
	sf_plan_gaps_release(&p->notes);
	memset(p, 0, sizeof(*p));
}

/* ---- one planning run ---------------------------------------------------------- */

static void build_release(struct build *b)
{
	for (size_t i = 0; b->edge_san && i < b->in->n_edge; i++)
		sanb_release(&b->edge_san[i]);
	free(b->edge_san);
	sanb_release(&b->rp_san);
	for (size_t k = 0; b->fe_san && k < b->in->n_pool; k++)
		sanb_release(&b->fe_san[k]);
	free(b->fe_san);
	nmap_release(&b->zone_of);
	nmap_release(&b->rec_key);
	nmap_release(&b->owner_kind);
	nmap_release(&b->noaddr);
	sf_strv_release(&b->keys);
	sf_strv_release(&b->keys2);
	sf_strv_release(&b->keys3);
	free(b->shared_meet);
}

/*
 * Plans @in with the what-if switches @ov into @p (zeroed by the caller).
 * @full: also the notes (options are added by the caller).
 */
static sf_status plan_run(const struct plan_in *in, const struct ovr *ov, int full, sf_plan *p)
{
	struct build b = { 0 };
	sf_status st = SF_ENOMEM;

	b.in = in;
	b.ov = *ov;
	b.full = full;
	b.p = p;
	p->profile = in->profile;
	p->ttl = in->ttl;
	if (in->name && !(p->name = strdup(in->name)))
		goto out;
	if (in->dialin && in->rp && !(p->dialin_url = strdup(in->dialin)))
		goto out;
	if (ov->shared_meet == 1) {
		/* A shared host for the what-if: meet.<the reverse proxy's parent domain>. */
		const char *dot = strchr(in->rp, '.');

		b.shared_meet = sf_aprintf("https://meet.%s/{domain}", dot ? dot + 1 : in->rp);
		if (!b.shared_meet)
			goto out;
	}
	p->domains = calloc(in->n_dom, sizeof(*p->domains));
	b.zcap = in->n_dom + 8;
	p->zones = calloc(b.zcap, sizeof(*p->zones));
	if (!p->domains || !p->zones)
		goto out;
	/* The SIP domains' zones first, in plan order. */
	for (size_t i = 0; i < in->n_dom; i++) {
		sf_plan_zone *z = &p->zones[p->n_zones];

		if (!(z->zone = strdup(in->dom[i].name)))
			goto out;
		z->sip_domain = 1;
		if (nmap_put(&b.zone_of, z->zone, p->n_zones, NULL) < 0) {
			free(z->zone);
			z->zone = NULL;
			goto out;
		}
		p->n_zones++;
	}
	if ((st = sans_begin(&b)) != SF_OK)
		goto out;
	for (size_t i = 0; i < in->n_dom; i++) {
		p->n_domains++;
		if ((st = plan_domain(&b, i)) != SF_OK)
			goto out;
	}
	if ((st = plan_infra(&b)) != SF_OK)
		goto out;
	if ((st = certs_finish(&b)) != SF_OK)
		goto out;
	for (size_t i = 0; i < in->n_edge; i++) {
		char **v;

		if (fed_of(&b, &in->edge[i]) != SF_PLAN_FED_HOSTING)
			continue;
		v = realloc(p->hosting, (p->n_hosting + 1) * sizeof(*v));
		if (!v)
			goto out;
		p->hosting = v;
		if (!(v[p->n_hosting] = strdup(in->edge[i].fqdn)))
			goto out;
		p->n_hosting++;
	}
	if (full && (st = plan_notes(&b)) != SF_OK)
		goto out;
	st = SF_OK;
out:
	build_release(&b);
	return st;
}

/* Per-kind SAN totals of @p. */
static void san_totals(const sf_plan *p, size_t out[SF_PLAN_CERT_COUNT])
{
	memset(out, 0, SF_PLAN_CERT_COUNT * sizeof(*out));
	for (size_t i = 0; i < p->n_certs; i++)
		out[p->certs[i].kind] += p->certs[i].n_san;
}

static const char S_LD_HTTP[] =
	"lyncdiscover over HTTP: publish the first autodiscover request on port 80, so that "
	"lyncdiscover.<domain> is on no certificate (and may be a CNAME into the hoster's "
	"domain)";
static const char T_LD_HTTP[] =
	"supported but not recommended by Microsoft; the first request and its answer (the "
	"web services URL) travel in clear text and can be altered; if the web services are "
	"in another domain than the SIP domain, the client asks the user to confirm the "
	"redirection before it sends credentials; later requests use HTTPS to the URL in the "
	"answer, whose certificate must carry that name; lyncdiscover.<domain> should lead to "
	"an address that offers no HTTPS with a mismatching certificate";
static const char S_FED_HOST[] =
	"federation through a hosting provider: every SRV record points at the Edge FQDN, so "
	"the Edge needs no name per SIP domain for federation";
static const char T_FED_HOST[] =
	"only partners that have added the Edge FQDN as a hosting provider federate "
	"(Microsoft 365 knows only its own sipfed.online.lync.com); everyone else gets 504 and "
	"ms-diagnostics 1009 (DNS-005); open federation with unknown partners is lost; client "
	"sign-in (_sip._tls) still needs a name in each domain unless it is off";
static const char S_MEET[] =
	"one meet host for every SIP domain (e.g. https://meet.<hoster>/<domain>): each domain "
	"keeps its own meet URL, but all on one host name";
static const char T_MEET[] =
	"cosmetic, but visible: invitations show the hoster's host name, not the customer's "
	"SIP domain -- agree it with the customer; the dial-in URL is one for the deployment "
	"anyway";
static const char S_CLIENT[] =
	"no automatic client configuration by DNS SRV: no _sip._tls.<domain>, so the Edge needs "
	"no name per domain for clients";
static const char T_CLIENT[] =
	"Lync / Skype clients of those domains cannot find their server from the SIP address: "
	"users enter the server by hand (manual configuration) or rely on lyncdiscover; the "
	"names are still needed if federation is direct";

/* The options and what switching each would change. */
static sf_status plan_options(const struct plan_in *in, sf_plan *p)
{
	struct {
		const char *name, *summary, *tradeoffs;
		int applicable, in_use;
		struct ovr ov;
	} opt[4];
	size_t n_direct = 0, n_hosting = 0;
	int shared = 1;

	for (size_t i = 0; i < in->n_edge; i++) {
		n_direct += in->edge[i].fed == SF_PLAN_FED_DIRECT;
		n_hosting += in->edge[i].fed == SF_PLAN_FED_HOSTING;
	}
	for (size_t i = 1; i < p->n_domains && shared; i++) {
		char h0[256], h1[256];
		const char *why;

		shared = p->domains[0].meet_url && p->domains[i].meet_url &&
			 url_host(p->domains[0].meet_url, h0, &why) == 0 &&
			 url_host(p->domains[i].meet_url, h1, &why) == 0 && strcmp(h0, h1) == 0;
	}
	memset(opt, 0, sizeof(opt));
	opt[0].name = "lyncdiscover_over_http";
	opt[0].summary = S_LD_HTTP;
	opt[0].tradeoffs = T_LD_HTTP;
	opt[0].applicable = in->rp && in->lyncdiscover;
	opt[0].in_use = in->lyncdiscover_http;
	opt[0].ov = as_planned;
	opt[0].ov.lyncdiscover_http = !in->lyncdiscover_http;

	opt[1].name = "federation_hosting_provider";
	opt[1].summary = S_FED_HOST;
	opt[1].tradeoffs = T_FED_HOST;
	opt[1].applicable = n_direct + n_hosting > 0;
	opt[1].in_use = n_hosting > 0 && n_direct == 0;
	opt[1].ov = as_planned;
	opt[1].ov.fed_hosting = !opt[1].in_use;

	opt[2].name = "shared_meet_host";
	opt[2].summary = S_MEET;
	opt[2].tradeoffs = T_MEET;
	opt[2].applicable = in->rp && in->n_dom > 1;
	opt[2].in_use = in->rp && in->n_dom > 1 && shared;
	opt[2].ov = as_planned;
	opt[2].ov.shared_meet = !opt[2].in_use;

	opt[3].name = "client_autoconfig_off";
	opt[3].summary = S_CLIENT;
	opt[3].tradeoffs = T_CLIENT;
	opt[3].applicable = 1;
	opt[3].in_use = !in->client_autoconfig;
	opt[3].ov = as_planned;
	opt[3].ov.client_autoconfig = !in->client_autoconfig;

	p->options = calloc(SF_ARRAY_LEN(opt), sizeof(*p->options));
	if (!p->options)
		return SF_ENOMEM;
	for (size_t i = 0; i < SF_ARRAY_LEN(opt); i++) {
		sf_plan_option *o = &p->options[p->n_options++];
		sf_plan alt = { 0 };
		sf_status st;

		o->name = opt[i].name;
		o->summary = opt[i].summary;
		o->tradeoffs = opt[i].tradeoffs;
		o->applicable = opt[i].applicable;
		o->in_use = opt[i].in_use;
		san_totals(p, o->san_now);
		memcpy(o->san_toggled, o->san_now, sizeof(o->san_now));
		if (!o->applicable)
			continue;
		st = plan_run(in, &opt[i].ov, 0, &alt);
		if (st == SF_OK)
			san_totals(&alt, o->san_toggled);
		plan_release(&alt);
		if (st == SF_EINVAL) /* the what-if has no valid meet URL: leave it */
			o->applicable = 0;
		else if (st != SF_OK)
			return st;
	}
	return SF_OK;
}

/* ---- public entry points -------------------------------------------------------- */

/* sf_plan_parse() with the message of a failure in @err. */
static sf_status plan_parse(const char *text, size_t len, const char *label, sf_plan **out_plan,
			    char *err, size_t errlen)
{
	struct perr pe = { label ? label : "plan", err, errlen };
	struct plan_in in = { 0 };
	json_error_t jerr;
	json_t *root = NULL;
	sf_plan *p = NULL;
	sf_status st;

	*out_plan = NULL;
	if (errlen)
		err[0] = '\0';
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		st = pfail(&pe, NULL, "line %d column %d: not valid JSON: %s", jerr.line,
			  jerr.column, jerr.text);
		goto out;
	}
	st = read_plan(&pe, root, &in);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->file = strdup(pe.file)))
		goto out;
	st = plan_run(&in, &as_planned, 1, p);
	if (st == SF_OK)
		st = plan_options(&in, p);
	if (st == SF_EINVAL) /* cannot happen after cross_check */
		st = SF_EINTERNAL;
out:
	if (st == SF_ENOMEM && errlen)
		snprintf(err, errlen, "%s: out of memory", pe.file);
	if (st == SF_EINTERNAL && errlen)
		snprintf(err, errlen, "%s: internal error while planning", pe.file);
	json_decref(root);
	in_release(&in);
	if (st != SF_OK) {
		sf_plan_free(p);
		return st;
	}
	*out_plan = p;
	return SF_OK;
}

/* sf_plan_load() with the message of a failure in @err. */
static sf_status plan_load(const char *file, sf_plan **out_plan, char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	sf_status st = SF_EIO;
	int fd;

	*out_plan = NULL;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
		return SF_EIO;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': %s", file,
			 S_ISDIR(sb.st_mode) ? "Is a directory" : "not a regular file");
		goto out;
	}
	if ((uintmax_t)sb.st_size > PLAN_MAX_FILE) {
		snprintf(err, errlen, "%s: too large for a plan (more than %u MiB)", file,
			 PLAN_MAX_FILE >> 20);
		st = SF_EPARSE;
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		st = SF_ENOMEM;
		snprintf(err, errlen, "%s: out of memory", file);
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
			goto out;
		}
		if (n == 0)
			break; /* the file shrank: parse what is there */
		got += (size_t)n;
	}
	st = plan_parse(buf, got, file, out_plan, err, errlen);
out:
	free(buf);
	close(fd);
	return st;
}


/*
 * The public entry points: on failure *out_plan is an empty plan that holds
 * the message (docs/api.md, "Errors"); NULL only when even that cannot be
 * allocated.
 */
static sf_status plan_failed(sf_status st, const char *err, sf_plan **out_plan)
{
	sf_plan *p = calloc(1, sizeof(*p));

	*out_plan = p;
	if (p && !(p->error = strdup(err[0] ? err : sf_strerror(st)))) {
		free(p);
		*out_plan = NULL;
	}
	return st;
}

sf_status sf_plan_parse(const char *text, size_t len, const char *label, sf_plan **out_plan)
{
	char err[PLAN_ERRLEN] = "";
	sf_status st;

	if (!out_plan)
		return SF_EINVAL;
	if (!text && len)
		return plan_failed(SF_EINVAL, "no plan text given", out_plan);
	st = plan_parse(text ? text : "", len, label, out_plan, err, sizeof(err));
	return st == SF_OK ? st : plan_failed(st, err, out_plan);
}

sf_status sf_plan_load(const char *file, sf_plan **out_plan)
{
	char err[PLAN_ERRLEN] = "";
	sf_status st;

	if (!out_plan)
		return SF_EINVAL;
	if (!file)
		return plan_failed(SF_EINVAL, "no plan file given", out_plan);
	st = plan_load(file, out_plan, err, sizeof(err));
	return st == SF_OK ? st : plan_failed(st, err, out_plan);
}

const char *sf_plan_error(const sf_plan *p)
{
	if (!p)
		return "out of memory";
	return p->error ? p->error : "";
}

void sf_plan_free(sf_plan *p)
{
	if (!p)
		return;
	free(p->error); /* plan_release() zeroes the struct */
	plan_release(p);
	free(p);
}
