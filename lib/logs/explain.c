/*
 * sf_logs_explain(): one event -> the knowledge-base entry that explains it
 * (lib/logs/kb.c), the rule rows of SPEC §4 that detect the cause, the FQDN
 * or domain to fix, the exact fix and the `sipfed check` command to confirm.
 *
 * The entry is picked by number, never by reason text (LOG-001): the
 * ms-diagnostics code; else the Edge Result-Code; else the HRESULT; else the
 * event ID / CDR diagnostic ID.  An HRESULT (1010: "0x80090322
 * (SEC_E_WRONG_PRINCIPAL)") or a WinsockFailureCode (1046 / 1047) known to
 * the base refines the entry of the code.  A 1009 / 0xC3E93D6F is narrowed to
 * the DNS-005 row that fits the SRV target and the domain (sub-domain,
 * another domain, the bare domain).  Every value taken from the log is
 * untrusted: names go through sf_name_norm() before they reach a command.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logs/kb.h"
#include "sipfed/logs.h"
#include "util/util.h"

#define NAME_MAX_LEN 256 /* sf_name_norm() output: up to 253 characters */

/* The values the templates take (each NULL if the event does not say). */
struct fill {
	char domain[NAME_MAX_LEN];
	char fqdn[NAME_MAX_LEN];
	char target[NAME_MAX_LEN];
	char peer[NAME_MAX_LEN];
	char cert[NAME_MAX_LEN];
	char source[NAME_MAX_LEN];
	char host[NAME_MAX_LEN];
	char code[64];
	int domain_attr; /* domain came from the record's own attribute, not From / To */
	char *reason;  /* owned: the reason text, white space collapsed */
	char *status;  /* owned: "504 Server time-out" */
	char *server;  /* owned: the Server header */
};

/* What the subject of an explanation is, from the rule that explains it. */
enum subject_kind { SUBJ_DOMAIN, SUBJ_FQDN, SUBJ_TARGET, SUBJ_PEER, SUBJ_NONE };

/* The chosen explanation of one event. */
struct pick {
	const sf_kb_entry *entry;  /* base entry, NULL if unknown */
	const sf_kb_entry *refine; /* HRESULT / Winsock entry that refines it, or NULL */
	const char *unknown;       /* cause template when nothing is known */
	sf_rule rules[SF_KB_MAX_RULES];
	size_t n_rules;
};

/* Attribute @key of @ev with surrounding white space ignored on the key; NULL if absent. */
static const char *attr(const sf_log_event *ev, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < ev->n_attrs; i++) {
		const char *k = ev->attrs[i].key;
		size_t n;

		if (k == NULL || ev->attrs[i].value == NULL)
			continue;
		while (*k == ' ' || *k == '\t' || *k == '\r' || *k == '\n')
			k++;
		n = strlen(k);
		while (n > 0 && (k[n - 1] == ' ' || k[n - 1] == '\t' || k[n - 1] == '\r' ||
				 k[n - 1] == '\n'))
			n--;
		if (n == klen && strncasecmp(k, key, n) == 0)
			return ev->attrs[i].value;
	}
	return NULL;
}

/*
 * Cleans a host name taken from a log into @out (NAME_MAX_LEN bytes): drops
 * quotes and every line break with the blanks around it (records broken
 * across lines, as pasted from PDFs: fqdn1="\n vcse.sub.cms.steven.lab:5061"),
 * the ":port" suffix and the trailing dot, then normalises it (lowercase, DNS
 * characters only).  Words separated by blanks on one line are no name.
 * Returns 0, or -1 (out[0] = '\0') if no valid name is left.
 */
static int clean_name(const char *raw, char *out)
{
	char buf[NAME_MAX_LEN];
	size_t n = 0;
	char *colon;
	int gap = 0;

	out[0] = '\0';
	if (raw == NULL)
		return -1;
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			gap |= n > 0;
			continue;
		}
		if (*p == '\r' || *p == '\n') {
			gap = n > 0 ? 2 : 0; /* a line break: a wrap, wherever it falls */
			continue;
		}
		if (*p == '"' || *p == '\'' || *p == '<' || *p == '>')
			continue;
		/* words on one line ("LS Protocol Stack") are no name */
		if (gap == 1 && isalnum((unsigned char)buf[n - 1]) && isalnum((unsigned char)*p))
			return -1;
		gap = 0;
		if (n + 1 >= sizeof(buf))
			return -1;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	colon = strrchr(buf, ':');
	if (colon != NULL) {
		/* host:port; anything else with a colon (IPv6, junk) is not a name */
		if (colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1))
			return -1;
		*colon = '\0';
	}
	if (buf[0] == '\0' || strcmp(buf, ".") == 0)
		return -1;
	if (sf_name_norm(buf, out, NAME_MAX_LEN) < 0 || strchr(out, '*') != NULL) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* Copies the first name of @keys (NULL-terminated) that cleans into @out. */
static void name_from_attrs(const sf_log_event *ev, const char *const *keys, char *out)
{
	out[0] = '\0';
	for (size_t i = 0; keys[i] != NULL; i++) {
		if (clean_name(attr(ev, keys[i]), out) == 0)
			return;
	}
}

/* @s with runs of white space collapsed to one space and trimmed; NULL stays NULL. */
static char *collapse(const char *s)
{
	char *out;
	size_t o = 0;
	int space = 0;

	if (s == NULL)
		return NULL;
	out = malloc(strlen(s) + 1);
	if (out == NULL)
		return NULL;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

/* Parses the leading "0x..." hex number of @s ("0x80090322(SEC_E_...)"); 0 or -1. */
static int parse_hex(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '"')
		s++;
	if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])))
		return -1;
	errno = 0;
	v = strtoul(s + 2, &end, 16);
	if (errno != 0 || v > UINT32_MAX || end - (s + 2) > 8)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Parses the leading decimal number of @s ("10060(WSAETIMEDOUT)"); 0 or -1. */
static int parse_dec(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '"')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || v > UINT32_MAX || end - s > 10)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Whether the domain to look at is the sender's: Edge records and Expressway logs see inbound. */
static int prefer_from(const sf_log_event *ev)
{
	return ev->kind == SF_LOG_EDGE_RECORD || ev->source == SF_LOGT_EXPRESSWAY ||
	       ev->kind == SF_LOG_SIP_RESPONSE;
}

/* Fills @f from the record's attributes and headers.  Returns -1 on out-of-memory. */
static int fill_init(struct fill *f, const sf_log_event *ev)
{
	static const char *const k_domain[] = { "domain", NULL };
	static const char *const k_fqdn[] = { "fqdn1", "fqdn", NULL };
	static const char *const k_target[] = { "tls-target", "expected-fqdn", NULL };
	static const char *const k_peer[] = { "PeerServer", "certName", "Peer", NULL };
	static const char *const k_cert[] = { "certName", "PeerServer", NULL };
	static const char *const k_source[] = { "source", NULL };
	const char *first = prefer_from(ev) ? ev->from_domain : ev->to_domain;
	const char *second = prefer_from(ev) ? ev->to_domain : ev->from_domain;

	memset(f, 0, sizeof(*f));
	name_from_attrs(ev, k_domain, f->domain);
	f->domain_attr = f->domain[0] != '\0';
	if (f->domain[0] == '\0' && clean_name(first, f->domain) < 0)
		clean_name(second, f->domain);
	name_from_attrs(ev, k_fqdn, f->fqdn);
	name_from_attrs(ev, k_target, f->target);
	name_from_attrs(ev, k_peer, f->peer);
	name_from_attrs(ev, k_cert, f->cert);
	name_from_attrs(ev, k_source, f->source);
	/* a compliant SRV target: the first label of the one found, directly in the domain */
	if (f->domain[0] != '\0') {
		const char *base = f->fqdn[0] != '\0' ? f->fqdn : f->target;
		size_t l1 = strcspn(base, ".");

		size_t dl = strlen(f->domain);

		/* a DNS name is at most 253 characters */
		if (base[0] != '\0' && strcmp(base, f->domain) != 0 && base[l1] == '.' &&
		    l1 + 1 + dl <= 253) {
			memcpy(f->host, base, l1 + 1);
			memcpy(f->host + l1 + 1, f->domain, dl + 1);
		}
	}
	if (ev->reason != NULL && (f->reason = collapse(ev->reason)) == NULL)
		return -1;
	if (f->reason != NULL && f->reason[0] == '\0') {
		free(f->reason);
		f->reason = NULL;
	}
	if (ev->start_line != NULL && strncmp(ev->start_line, "SIP/2.0 ", 8) == 0) {
		if ((f->status = collapse(ev->start_line + 8)) == NULL)
			return -1;
	} else if (ev->sip_status > 0) {
		if ((f->status = sf_aprintf("%d", ev->sip_status)) == NULL)
			return -1;
	}
	if (ev->server != NULL && (f->server = collapse(ev->server)) == NULL)
		return -1;
	return 0;
}

static void fill_release(struct fill *f)
{
	free(f->reason);
	free(f->status);
	free(f->server);
}

/* Value of placeholder @name (@n bytes); *out_fallback gets the phrase used when it is NULL. */
static const char *fill_get(const struct fill *f, const char *name, size_t n,
			    const char **out_fallback)
{
	static const struct {
		const char *name;
		size_t off;       /* offset of the char array in struct fill, or SIZE_MAX */
		const char *fallback;
	} tab[] = {
		{ "domain", offsetof(struct fill, domain), "the SIP domain" },
		{ "fqdn", offsetof(struct fill, fqdn), "an SRV target" },
		{ "target", offsetof(struct fill, target), "the expected FQDN" },
		{ "peer", offsetof(struct fill, peer), "the peer" },
		{ "cert", offsetof(struct fill, cert), "the certificate" },
		{ "source", offsetof(struct fill, source), "the Microsoft side" },
		{ "host", offsetof(struct fill, host), "<edge>.<domain>" },
		{ "code", offsetof(struct fill, code), "?" },
	};

	*out_fallback = NULL;
	for (size_t i = 0; i < SF_ARRAY_LEN(tab); i++) {
		if (strlen(tab[i].name) == n && memcmp(tab[i].name, name, n) == 0) {
			const char *v = (const char *)f + tab[i].off;

			*out_fallback = tab[i].fallback;
			return v[0] != '\0' ? v : NULL;
		}
	}
	if (n == 6 && memcmp(name, "reason", 6) == 0) {
		*out_fallback = "no reason given";
		return f->reason;
	}
	if (n == 6 && memcmp(name, "status", 6) == 0) {
		*out_fallback = "a failure response";
		return f->status;
	}
	if (n == 6 && memcmp(name, "server", 6) == 0) {
		*out_fallback = "the Microsoft side";
		return f->server;
	}
	return NULL;
}

/* A growable string. */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *p;

		while (cap < b->n + n + 1) {
			if (cap > SIZE_MAX / 2) {
				b->oom = 1;
				return;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/*
 * Expands @len bytes of template @tpl into @b.  In an optional group
 * (@optional) a placeholder without value makes the function return 1
 * (nothing usable); outside, its fallback phrase is written, or "<name>"
 * where it ends a name being written ("_sipfederationtls._tcp.{domain}").
 * Returns 0.
 */
static int expand_span(struct sbuf *b, const char *tpl, size_t len, const struct fill *f,
		       int optional)
{
	size_t i = 0;

	while (i < len) {
		const char *close;
		const char *v, *fb;
		size_t n;

		if (tpl[i] != '{' || (close = memchr(tpl + i, '}', len - i)) == NULL) {
			sb_addn(b, tpl + i, 1);
			i++;
			continue;
		}
		n = (size_t)(close - (tpl + i + 1));
		v = fill_get(f, tpl + i + 1, n, &fb);
		if (v == NULL && fb == NULL) {
			/* not a placeholder: literal text */
			sb_addn(b, tpl + i, n + 2);
		} else if (v != NULL) {
			/* a log field enters the message here: escaped once (util.h) */
			char *e = sf_text_escape(v, strlen(v));

			if (e == NULL)
				b->oom = 1;
			else
				sb_addn(b, e, strlen(e));
			free(e);
		} else if (optional) {
			return 1;
		} else if (i > 0 && tpl[i - 1] == '.') {
			/* a name being written ("_sipfederationtls._tcp.{domain}"): "<domain>" */
			sb_addn(b, "<", 1);
			sb_addn(b, tpl + i + 1, n);
			sb_addn(b, ">", 1);
		} else {
			sb_addn(b, fb, strlen(fb));
		}
		i += n + 2;
	}
	return 0;
}

/* Expands template @tpl with @f; [groups] are dropped if a value inside is missing. */
static char *expand(const char *tpl, const struct fill *f)
{
	struct sbuf b = { 0 };
	const char *p = tpl;

	if (tpl == NULL)
		return NULL;
	sb_addn(&b, "", 0);
	while (*p != '\0') {
		const char *open = strchr(p, '['), *close;

		if (open == NULL || (close = strchr(open, ']')) == NULL) {
			expand_span(&b, p, strlen(p), f, 0);
			break;
		}
		expand_span(&b, p, (size_t)(open - p), f, 0);
		{
			struct sbuf g = { 0 };

			sb_addn(&g, "", 0);
			if (expand_span(&g, open + 1, (size_t)(close - open - 1), f, 1) == 0)
				sb_addn(&b, g.p, g.n);
			if (g.oom)
				b.oom = 1;
			free(g.p);
		}
		p = close + 1;
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Which name an explanation by rule @r is about. */
static enum subject_kind rule_subject(sf_rule r)
{
	switch (r) {
	case SF_R_DNS004_ZONE_APPENDED:
	case SF_R_DNS005_SUBDOMAIN:
	case SF_R_DNS005_OTHER_DOMAIN:
	case SF_R_DNS005_BARE_DOMAIN:
	case SF_R_DNS006_NONE_PASS:
	case SF_R_DNS006_DISAGREE:
	case SF_R_DNS007_PORT:
	case SF_R_DNS008_CNAME_TARGET:
	case SF_R_DNS009_NO_ADDRESS:
	case SF_R_DNS009_PRIVATE:
		return SUBJ_FQDN;
	case SF_R_NET001_CONNECT:
	case SF_R_NET001_NO_LAB_CHAIN:
		return SUBJ_PEER;
	case SF_R_UM001_SUBJECT:
	case SF_R_UM001_WILDCARD:
		return SUBJ_NONE;
	case SF_R_DNS001_NO_SRV:
	case SF_R_DNS002_MISSPELT:
	case SF_R_DNS003_NOT_SRV:
	case SF_R_DNS004_ROOT_TARGET:
	case SF_R_DNS010_NOT_PUBLIC:
	case SF_R_DNS011_WILDCARD:
	case SF_R_FED002_HOSTING:
		return SUBJ_DOMAIN;
	default:
		break;
	}
	return SUBJ_TARGET; /* TLS-*, CERT-* */
}

/* The first non-empty of up to four names, or NULL. */
static const char *first_of(const char *a, const char *b, const char *c, const char *d)
{
	const char *v[] = { a, b, c, d };

	for (size_t i = 0; i < SF_ARRAY_LEN(v); i++) {
		if (v[i] != NULL && v[i][0] != '\0')
			return v[i];
	}
	return NULL;
}

static const char *subject_of(const struct pick *pk, const struct fill *f)
{
	enum subject_kind k = pk->n_rules > 0 ? rule_subject(pk->rules[0]) : SUBJ_DOMAIN;

	switch (k) {
	case SUBJ_FQDN:
		return first_of(f->fqdn, f->domain, NULL, NULL);
	case SUBJ_TARGET:
		return first_of(f->target, f->peer, f->fqdn, f->domain);
	case SUBJ_PEER:
		return first_of(f->peer, f->fqdn, f->target, f->domain);
	case SUBJ_NONE:
		return NULL;
	case SUBJ_DOMAIN:
		break;
	}
	return first_of(f->domain, f->peer, NULL, NULL);
}

/* The parent domain of @name ("vcse.cms.steven.lab" -> "cms.steven.lab"), or NULL. */
static const char *parent_of(const char *name)
{
	const char *dot = strchr(name, '.');

	if (dot == NULL || strchr(dot + 1, '.') == NULL)
		return NULL;
	return dot + 1;
}

/* The SIP domain `sipfed check` should run on, or NULL (static storage of @f). */
static const char *check_domain_of(const struct pick *pk, const struct fill *f)
{
	enum subject_kind k;

	if (pk->n_rules == 0)
		return NULL;
	k = rule_subject(pk->rules[0]);
	if (k == SUBJ_NONE)
		return NULL;
	if (f->domain_attr)
		return f->domain;
	/* certificate cases: the domain whose SRV target the certificate must carry */
	if (k == SUBJ_TARGET || k == SUBJ_PEER) {
		const char *t = first_of(f->target, f->peer, f->fqdn, NULL);

		if (t != NULL && parent_of(t) != NULL)
			return parent_of(t);
	}
	return f->domain[0] != '\0' ? f->domain : NULL;
}

/* Narrows DNS-005 rows of @pk to the one the SRV target @fqdn and @domain show. */
static void narrow_dns005(struct pick *pk, const struct fill *f)
{
	sf_rule r;
	size_t dl, fl;
	int has = 0;

	for (size_t i = 0; i < pk->n_rules; i++) {
		sf_rule x = pk->rules[i];

		if (x == SF_R_DNS005_SUBDOMAIN || x == SF_R_DNS005_OTHER_DOMAIN ||
		    x == SF_R_DNS005_BARE_DOMAIN)
			has = 1;
	}
	if (!has || f->fqdn[0] == '\0' || f->domain[0] == '\0')
		return;
	dl = sf_name_labels(f->domain);
	fl = sf_name_labels(f->fqdn);
	if (strcmp(f->fqdn, f->domain) == 0)
		r = SF_R_DNS005_BARE_DOMAIN;
	else if (!sf_name_is_under(f->fqdn, f->domain))
		r = SF_R_DNS005_OTHER_DOMAIN;
	else if (fl > dl + 1)
		r = SF_R_DNS005_SUBDOMAIN;
	else
		return; /* directly in the domain: the log disagrees with DNS-005, keep them all */
	pk->rules[0] = r;
	pk->n_rules = 1;
}

static void pick_set_rules(struct pick *pk, const sf_kb_entry *e)
{
	pk->n_rules = e->n_rules <= SF_KB_MAX_RULES ? e->n_rules : SF_KB_MAX_RULES;
	memcpy(pk->rules, e->rules, pk->n_rules * sizeof(pk->rules[0]));
}

/* The HRESULT of @ev (field or HRESULT attribute) in the base, or NULL. */
static const sf_kb_entry *hresult_entry(const sf_log_event *ev)
{
	uint32_t v;

	if (parse_hex(ev->hresult, &v) < 0 && parse_hex(attr(ev, "HRESULT"), &v) < 0)
		return NULL;
	return sf_kb_find(SF_KB_HRESULT, v);
}

/*
 * The OpenSSL SSL-library reason of @ev: the reason number of its packed
 * error code (attr OpenSSL-error, "0A00010B" of OpenSSL 3 or "1408F10B" of
 * 1.1: library 20 = SSL, reason in the low 12 bits), else its reason text
 * (attr OpenSSL-reason) as an entry's name.  NULL if the base knows neither.
 */
static const sf_kb_entry *ssl_reason_entry(const sf_log_event *ev)
{
	const char *a = attr(ev, "OpenSSL-error");
	uint32_t v;
	size_t i;

	if (a != NULL && parse_hex(a, &v) == 0 && ((v >> 23) == 20 || (v >> 24) == 20))
		return sf_kb_find(SF_KB_SSL_REASON, v & 0xFFFu);
	if ((a = attr(ev, "OpenSSL-reason")) == NULL)
		return NULL;
	for (i = 0; i < sf_kb_count(); i++) {
		const sf_kb_entry *e = sf_kb_at(i);

		if (e->space == SF_KB_SSL_REASON && e->name != NULL && strcasecmp(e->name, a) == 0)
			return e;
	}
	return NULL;
}

/*
 * The evidence attributes of the generic scanner (lib/logs/generic.c), in
 * the order they are trusted: an OpenSSL verify error, a TLS alert, a Q.850
 * cause, and with @phrases an OpenSSL reason without a number.  Returns 1
 * with pk->entry (or pk->unknown: a number the base does not know, said so,
 * never guessed) and f->code set; 0 if @ev has none.
 */
static int evidence_entry(const sf_log_event *ev, struct fill *f, struct pick *pk, int phrases)
{
	static const struct {
		const char *attr;
		sf_kb_space space;
		const char *label;
	} ev_attrs[] = {
		{ "X509-verify-error", SF_KB_X509_VERIFY, "OpenSSL verify error" },
		{ "TLS-alert", SF_KB_TLS_ALERT, "TLS alert" },
		{ "Q.850-cause", SF_KB_Q850, "Q.850 cause" },
	};
	size_t i;
	uint32_t v;
	const char *a;

	for (i = 0; i < sizeof(ev_attrs) / sizeof(ev_attrs[0]); i++) {
		if ((a = attr(ev, ev_attrs[i].attr)) == NULL || parse_dec(a, &v) < 0)
			continue;
		pk->entry = sf_kb_find(ev_attrs[i].space, v);
		if (pk->entry && ev_attrs[i].space == SF_KB_Q850)
			snprintf(f->code, sizeof(f->code), "%u", (unsigned)v);
		else
			snprintf(f->code, sizeof(f->code), "%s %u", ev_attrs[i].label, (unsigned)v);
		if (pk->entry == NULL)
			pk->unknown = "{code}: known by number only, not in the knowledge base[: "
				      "{reason}]";
		return 1;
	}
	if (phrases && (pk->entry = ssl_reason_entry(ev)) != NULL) {
		snprintf(f->code, sizeof(f->code), "OpenSSL %.48s", pk->entry->name);
		return 1;
	}
	if (phrases && (a = attr(ev, "OpenSSL-reason")) != NULL) {
		snprintf(f->code, sizeof(f->code), "%.60s", a);
		pk->unknown = "a TLS failure reported as \"{code}\" without a number the "
			      "knowledge base knows[: {reason}]";
		return 1;
	}
	return 0;
}

/*
 * Chooses the explanation of @ev and fills f->code with the number that
 * chose it.  Order: ms-diagnostics code, Result-Code, HRESULT, event / CDR.
 */
static void pick_entry(const sf_log_event *ev, struct fill *f, struct pick *pk)
{
	uint32_t v;
	const char *ws;
	static const char unknown_msdiag[] = "{source} answered ms-diagnostics {code}, which the "
					     "knowledge base does not know[: {reason}]";
	static const char unknown_result[] = "the Edge logged Result-Code {code}, which the "
					     "knowledge base does not know[: {reason}]";
	static const char unknown_status[] = "{status}[ from {server}] without ms-diagnostics: "
					     "no federation DNS or certificate rule is known to "
					     "answer this way[ (it says: {reason})]";
	static const char unknown_any[] = "a failure without a code the knowledge base "
					  "knows[: {reason}]";

	memset(pk, 0, sizeof(*pk));
	if (ev->kind == SF_LOG_MSDIAG && ev->code >= 0) {
		snprintf(f->code, sizeof(f->code), "%d", ev->code);
		pk->entry = sf_kb_find(SF_KB_MSDIAG, (uint32_t)ev->code);
		if (pk->entry == NULL) /* a range the table knows, not the number itself */
			pk->entry = sf_kb_msdiag_range((uint32_t)ev->code);
		if (pk->entry == NULL)
			pk->unknown = unknown_msdiag;
	} else if (ev->kind != SF_LOG_EVENT && parse_hex(ev->result_code, &v) == 0) {
		snprintf(f->code, sizeof(f->code), "0x%08X", (unsigned)v);
		pk->entry = sf_kb_find(SF_KB_RESULT, v);
		/* a Windows code as Result-Code: an HRESULT, or a Win32 error (Winsock) */
		if (pk->entry == NULL)
			pk->entry = sf_kb_find(SF_KB_HRESULT, v);
		if (pk->entry == NULL && (v & 0xFFFF0000u) == 0x80070000u)
			pk->entry = sf_kb_find(SF_KB_WINSOCK, v & 0xFFFFu);
		if (pk->entry == NULL)
			pk->unknown = unknown_result;
	} else if (ev->kind == SF_LOG_EDGE_RECORD && ev->code >= 0) {
		/* a record quoting an ms-diagnostics code but no Result-Code */
		snprintf(f->code, sizeof(f->code), "%d", ev->code);
		pk->entry = sf_kb_find(SF_KB_MSDIAG, (uint32_t)ev->code);
		if (pk->entry == NULL) /* a range the table knows, not the number itself */
			pk->entry = sf_kb_msdiag_range((uint32_t)ev->code);
		if (pk->entry == NULL)
			pk->unknown = unknown_msdiag;
	} else if (ev->kind == SF_LOG_SIP_RESPONSE && evidence_entry(ev, f, pk, 0)) {
		/* a response whose Reason header names a Q.850 cause */
	} else if (ev->kind == SF_LOG_SIP_RESPONSE) {
		snprintf(f->code, sizeof(f->code), "%d", ev->sip_status);
		if (ev->sip_status == 504) {
			pk->entry = sf_kb_bare_response();
		} else {
			pk->unknown = unknown_status;
		}
	} else if (ev->kind == SF_LOG_EVENT && evidence_entry(ev, f, pk, 0)) {
		/* a number of the generic scanner's evidence (a Schannel event's alert
		 * code, an OpenSSL verify error): chosen (or known by number only) */
	} else if (ev->kind == SF_LOG_EVENT && ev->source == SF_LOGT_EXPRESSWAY &&
		   ev->sip_status == 504) {
		/* an Expressway event (Call Rejected, Sending Response Code) of a 504:
		 * its search to the Microsoft peer timed out, as a bare 504 (LOG-003) */
		snprintf(f->code, sizeof(f->code), "%d", ev->sip_status);
		pk->entry = sf_kb_bare_response();
	} else if (ev->kind == SF_LOG_EVENT) {
		if (parse_hex(ev->result_code, &v) == 0 &&
		    (pk->entry = sf_kb_find(SF_KB_RESULT, v)) != NULL) {
			snprintf(f->code, sizeof(f->code), "0x%08X", (unsigned)v);
		} else if (ev->code >= 0) {
			snprintf(f->code, sizeof(f->code), "%d", ev->code);
			pk->entry = sf_kb_find(SF_KB_EVENT, (uint32_t)ev->code);
			if (pk->entry == NULL)
				pk->entry = sf_kb_find(SF_KB_CDR, (uint32_t)ev->code);
		}
		/* a code the base knows comes before an OpenSSL reason phrase in its text */
		if (pk->entry == NULL && !evidence_entry(ev, f, pk, 1) &&
		    (ev->code >= 0 || ev->result_code != NULL))
			pk->unknown = "event {code} is not in the knowledge base[: {reason}]";
	}
	if (pk->entry == NULL && pk->unknown == NULL) {
		/* no code at all: an HRESULT alone may still say what happened */
		pk->entry = hresult_entry(ev);
		if (pk->entry == NULL) {
			pk->unknown = unknown_any;
			return;
		}
		snprintf(f->code, sizeof(f->code), "%s", pk->entry->name);
	}
	if (pk->entry == NULL)
		return;
	pick_set_rules(pk, pk->entry);
	if (ev->kind == SF_LOG_SIP_RESPONSE || ev->kind == SF_LOG_EVENT)
		return;
	/* HRESULT="0x80090322(SEC_E_WRONG_PRINCIPAL)" of a 1010, or a WinsockFailureCode */
	pk->refine = hresult_entry(ev);
	if (pk->refine == NULL && pk->entry->space == SF_KB_MSDIAG &&
	    ((ws = attr(ev, "WinsockFailureCode")) != NULL || (ws = attr(ev, "winsock-code")) != NULL) &&
	    parse_dec(ws, &v) == 0)
		pk->refine = sf_kb_find(SF_KB_WINSOCK, v);
	if (pk->refine == pk->entry)
		pk->refine = NULL;
	if (pk->refine != NULL && pk->refine->n_rules > 0)
		pick_set_rules(pk, pk->refine);
	narrow_dns005(pk, f);
}

/* Replaces *@slot by @v (taking it). */
static void set_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

sf_status sf_logs_explain(sf_log_event *ev)
{
	struct fill f;
	struct pick pk;
	const sf_kb_entry *ce;
	const char *subject, *cdom;
	char *cause = NULL, *fix = NULL, *subj = NULL, *next = NULL;
	sf_rule *rules = NULL;
	sf_status st = SF_ENOMEM;

	if (ev == NULL)
		return SF_EINVAL;
	if (fill_init(&f, ev) < 0)
		goto out;
	pick_entry(ev, &f, &pk);
	/* cause and fix: the refinement's when it says more, else the base entry's */
	ce = pk.refine != NULL && pk.refine->cause != NULL ? pk.refine : pk.entry;
	if (ce != NULL && ce->cause != NULL) {
		cause = expand(ce->cause, &f);
	} else if (ce != NULL) {
		/* an ErrorId known by number only: say what was logged */
		cause = expand(ce->name != NULL ?
			       "{source} answered ms-diagnostics {code}[: {reason}]" :
			       "{source} answered ms-diagnostics {code}[: {reason}] (a SipStack "
			       "error of MS-OCER without a federation DNS or certificate rule)",
			       &f);
		if (cause != NULL && ce->name != NULL && f.reason == NULL) {
			char *c2 = sf_aprintf("%s: %s", cause, ce->name);

			free(cause);
			cause = c2;
		}
	} else {
		cause = expand(pk.unknown, &f);
	}
	if (cause == NULL)
		goto out;
	if (ce != NULL && ce->fix != NULL && (fix = expand(ce->fix, &f)) == NULL)
		goto out;
	subject = subject_of(&pk, &f);
	if (subject != NULL && (subj = sf_strdup(subject)) == NULL)
		goto out;
	cdom = check_domain_of(&pk, &f);
	if (cdom != NULL) {
		if ((next = sf_aprintf("sipfed check %s", cdom)) == NULL)
			goto out;
	} else if (pk.n_rules > 0 && rule_subject(pk.rules[0]) == SUBJ_NONE) {
		/* UM-001: the certificate is linted by `sipfed cert`, not found by DNS */
		next = sf_strdup("sipfed cert --role um --name <UM server FQDN> "
				 "<UM certificate.pem>");
		if (next == NULL)
			goto out;
	}
	if (pk.n_rules > 0) {
		rules = calloc(pk.n_rules, sizeof(*rules));
		if (rules == NULL)
			goto out;
		memcpy(rules, pk.rules, pk.n_rules * sizeof(*rules));
	}
	free(ev->rules);
	ev->rules = rules;
	ev->n_rules = pk.n_rules;
	rules = NULL;
	set_str(&ev->cause, cause);
	set_str(&ev->fix, fix);
	set_str(&ev->subject, subj);
	set_str(&ev->next, next);
	cause = fix = subj = next = NULL;
	st = SF_OK;
out:
	free(cause);
	free(fix);
	free(subj);
	free(next);
	free(rules);
	fill_release(&f);
	return st;
}

char *sf_logs_check_domain(const sf_log_event *ev)
{
	static const char prefix[] = "sipfed check ";

	if (ev == NULL || ev->next == NULL || strncmp(ev->next, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	return sf_strdup(ev->next + sizeof(prefix) - 1);
}
