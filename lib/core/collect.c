/*
 * The collector: asks the DNS and TLS sources of the context for the facts of
 * a SIP domain, then hands them to the rules.  Live and offline checks run
 * this very code; only the sources differ.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

#define SRV_PREFIX "_sipfederationtls._tcp."
#define MAX_CHAIN 8

/* Misspellings of the service name seen in the field (DNS-002). */
static const char *const misspellings[] = {
	"_sipfederationstls._tcp", "_sipfederationtls.tcp", "_sipfederationtls_tcp",
	"_sipfederationtls",       "_sipfederationtls._tls", "_sipfederationtls._udp",
	"_sipfederation._tcp",     "_sipfederationtcp._tcp", "sipfederationtls._tcp",
	"_sip_tls",                "_sipfederatontls._tcp",  "_sipfedrationtls._tcp",
};

/* A fixed label no one publishes: a positive answer means a wildcard (DNS-011). */
#define WILDCARD_PROBE "sipfed-wildcard-probe-4c1d9e"

/* One name and type, with the CNAME chain followed to the end. */
typedef struct lookup {
	char name[256];     /* asked */
	uint16_t type;
	sf_dns_rcode rcode; /* of the first query (does the name exist?) */
	sf_dns_rcode final; /* of the last query of the chain */
	char *alias;        /* the name itself is a CNAME to this */
	sf_dns_rr *rr;      /* records of the asked type at the end of the chain */
	size_t n_rr;
} lookup;

static void lookup_release(lookup *l)
{
	free(l->alias);
	for (size_t i = 0; i < l->n_rr; i++) {
		free(l->rr[i].owner);
		free(l->rr[i].data);
	}
	free(l->rr);
	l->alias = NULL;
	l->rr = NULL;
	l->n_rr = 0;
}

/*
 * Takes the records of the asked type out of an answer, and the end of the
 * CNAME chain that starts at @cur if the answer stops there.  Returns 1 if
 * the chain must be followed with another query (*cur updated), 0 if done,
 * -1 on out-of-memory.
 */
static int absorb(lookup *l, sf_dns_query *q, char *cur, size_t curlen, int first)
{
	size_t n_type = 0;
	char end[256];

	if (first) {
		l->rcode = q->rcode;
		for (size_t i = 0; i < q->n_rr; i++) {
			if (q->rr[i].type == SF_T_CNAME && strcmp(q->rr[i].owner, l->name) == 0 &&
			    !l->alias) {
				l->alias = sf_strdup(q->rr[i].data);
				if (!l->alias)
					return -1;
			}
		}
	}
	l->final = q->rcode;
	for (size_t i = 0; i < q->n_rr; i++)
		n_type += q->rr[i].type == l->type;
	if (n_type > 0) {
		sf_dns_rr *v = realloc(l->rr, (l->n_rr + n_type) * sizeof(*v));

		if (!v)
			return -1;
		l->rr = v;
		for (size_t i = 0; i < q->n_rr; i++) {
			if (q->rr[i].type != l->type)
				continue;
			/* steal */
			l->rr[l->n_rr++] = q->rr[i];
			q->rr[i].owner = NULL;
			q->rr[i].data = NULL;
		}
		return 0;
	}
	if (l->type == SF_T_CNAME || q->rcode != SF_DNS_NOERROR)
		return 0;
	/* Follow the chain inside the answer, then ask for its end. */
	snprintf(end, sizeof(end), "%s", cur);
	for (int hop = 0; hop < MAX_CHAIN; hop++) {
		int moved = 0;

		for (size_t i = 0; i < q->n_rr; i++) {
			if (q->rr[i].type == SF_T_CNAME && strcmp(q->rr[i].owner, end) == 0) {
				snprintf(end, sizeof(end), "%s", q->rr[i].data);
				moved = 1;
				break;
			}
		}
		if (!moved)
			break;
	}
	if (strcmp(end, cur) == 0)
		return 0;
	snprintf(cur, curlen, "%s", end);
	return 1;
}

/* Resolves every lookup of @l, following CNAME chains the answers leave open. */
static sf_status lookup_batch(sf_ctx *ctx, lookup *l, size_t n)
{
	sf_dns_query *q = calloc(n ? n : 1, sizeof(*q));
	char (*cur)[256] = calloc(n ? n : 1, sizeof(*cur));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	size_t pending = 0;
	sf_status st = SF_ENOMEM;

	if (!q || !cur || !idx)
		goto out;
	for (size_t i = 0; i < n; i++) {
		snprintf(cur[i], sizeof(cur[i]), "%s", l[i].name);
		idx[pending++] = i;
	}
	for (int round = 0; round <= MAX_CHAIN && pending > 0; round++) {
		size_t next = 0;

		for (size_t k = 0; k < pending; k++) {
			memset(&q[k], 0, sizeof(q[k]));
			q[k].name = cur[idx[k]];
			q[k].type = l[idx[k]].type;
		}
		st = sf_dns_resolve(ctx->dns, q, pending);
		if (st != SF_OK) {
			for (size_t k = 0; k < pending; k++)
				sf_dns_query_release(&q[k]);
			goto out;
		}
		for (size_t k = 0; k < pending; k++) {
			size_t i = idx[k];
			int r = absorb(&l[i], &q[k], cur[i], sizeof(cur[i]), round == 0);

			sf_dns_query_release(&q[k]);
			if (r < 0) {
				for (size_t j = k + 1; j < pending; j++)
					sf_dns_query_release(&q[j]);
				st = SF_ENOMEM;
				goto out;
			}
			if (r == 1 && round < MAX_CHAIN)
				idx[next++] = i;
		}
		pending = next;
	}
	st = SF_OK;
out:
	free(q);
	free(cur);
	free(idx);
	return st;
}

static int operational(sf_dns_rcode rc)
{
	return rc != SF_DNS_NOERROR && rc != SF_DNS_NXDOMAIN;
}

static int srv_cmp(const void *a, const void *b)
{
	const sf_srv_facts *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->target, y->target);
}

/* Phase 1: the SRV record, the wildcard probe; misspellings and imitations if none. */
static sf_status collect_srv(sf_ctx *ctx, sf_domain_facts *f, char *reason, size_t rlen)
{
	lookup base[2];
	lookup *probe = NULL;
	size_t np = 0;
	sf_status st;

	memset(base, 0, sizeof(base));
	snprintf(base[0].name, sizeof(base[0].name), SRV_PREFIX "%s", f->domain);
	base[0].type = SF_T_SRV;
	snprintf(base[1].name, sizeof(base[1].name), WILDCARD_PROBE ".%s", f->domain);
	base[1].type = SF_T_A;
	st = lookup_batch(ctx, base, 2);
	if (st != SF_OK)
		goto out;
	f->srv_rcode = base[0].rcode;
	if (operational(base[0].rcode)) {
		snprintf(reason, rlen, "DNS lookup of %s failed: %s", base[0].name,
			 sf_dns_rcode_name(base[0].rcode));
		goto out;
	}
	if (base[1].n_rr > 0 && !(f->wildcard_name = sf_strdup(base[1].name))) {
		st = SF_ENOMEM;
		goto out;
	}
	if (base[0].n_rr > 0) {
		f->srv = calloc(base[0].n_rr, sizeof(*f->srv));
		if (!f->srv) {
			st = SF_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < base[0].n_rr; i++) {
			sf_srv_facts *s = &f->srv[f->n_srv++];

			s->priority = base[0].rr[i].priority;
			s->weight = base[0].rr[i].weight;
			s->port = base[0].rr[i].port;
			s->target = base[0].rr[i].data;
			base[0].rr[i].data = NULL;
			if (!s->target)
				s->target = sf_strdup(".");
		}
		qsort(f->srv, f->n_srv, sizeof(*f->srv), srv_cmp);
		goto out;
	}

	/* No SRV: what stands at the owner instead (DNS-003), misspellings (DNS-002). */
	np = 2 + (ctx->no_probe_misspellings ? 0 : SF_ARRAY_LEN(misspellings));
	probe = calloc(np, sizeof(*probe));
	if (!probe) {
		st = SF_ENOMEM;
		goto out;
	}
	snprintf(probe[0].name, sizeof(probe[0].name), "%s", base[0].name);
	probe[0].type = SF_T_CNAME;
	snprintf(probe[1].name, sizeof(probe[1].name), "%s", base[0].name);
	probe[1].type = SF_T_TXT;
	for (size_t i = 2; i < np; i++) {
		snprintf(probe[i].name, sizeof(probe[i].name), "%s.%s", misspellings[i - 2],
			 f->domain);
		probe[i].type = SF_T_SRV;
	}
	st = lookup_batch(ctx, probe, np);
	if (st != SF_OK)
		goto out;
	if (probe[0].n_rr > 0 && !(f->owner_alias = sf_strdup(probe[0].rr[0].data)))
		st = SF_ENOMEM;
	if (!base[0].alias && probe[1].n_rr > 0 && !(f->owner_txt = sf_strdup(probe[1].rr[0].data)))
		st = SF_ENOMEM;
	for (size_t i = 2; i < np && st == SF_OK; i++) {
		for (size_t k = 0; k < probe[i].n_rr; k++) {
			char rd[320];
			const sf_dns_rr *r = &probe[i].rr[k];

			snprintf(rd, sizeof(rd), "%u %u %u %s%s", r->priority, r->weight, r->port,
				 r->data, strcmp(r->data, ".") ? "." : "");
			if (sf_strv_push(&f->misspelt_owner, probe[i].name) ||
			    sf_strv_push(&f->misspelt_rdata, rd))
				st = SF_ENOMEM;
		}
	}
out:
	for (size_t i = 0; i < np; i++)
		lookup_release(&probe[i]);
	free(probe);
	lookup_release(&base[0]);
	lookup_release(&base[1]);
	return st;
}

/* Phase 2: addresses of every target (A, AAAA), and whether it is an alias. */
static sf_status collect_targets(sf_ctx *ctx, sf_domain_facts *f)
{
	lookup *l = calloc(f->n_srv * 2 + 1, sizeof(*l));
	sf_status st = SF_ENOMEM;

	if (!l)
		return SF_ENOMEM;
	for (size_t i = 0; i < f->n_srv; i++) {
		snprintf(l[2 * i].name, sizeof(l[0].name), "%s", f->srv[i].target);
		l[2 * i].type = SF_T_A;
		snprintf(l[2 * i + 1].name, sizeof(l[0].name), "%s", f->srv[i].target);
		l[2 * i + 1].type = SF_T_AAAA;
	}
	st = lookup_batch(ctx, l, f->n_srv * 2);
	if (st != SF_OK)
		goto out;
	for (size_t i = 0; i < f->n_srv; i++) {
		sf_srv_facts *s = &f->srv[i];
		lookup *a = &l[2 * i], *aaaa = &l[2 * i + 1];
		size_t n = a->n_rr + aaaa->n_rr;

		if (strcmp(s->target, ".") == 0) {
			s->addr_rcode = SF_DNS_NXDOMAIN;
			continue;
		}
		s->addr_rcode = a->final != SF_DNS_NOERROR ? a->final : aaaa->final;
		if (a->alias && !(s->target_cname = sf_strdup(a->alias))) {
			st = SF_ENOMEM;
			goto out;
		}
		if (n == 0)
			continue;
		s->addrs = calloc(n, sizeof(*s->addrs));
		if (!s->addrs) {
			st = SF_ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < a->n_rr; k++) {
			s->addrs[s->n_addrs++] = a->rr[k].data;
			a->rr[k].data = NULL;
		}
		for (size_t k = 0; k < aaaa->n_rr; k++) {
			s->addrs[s->n_addrs++] = aaaa->rr[k].data;
			aaaa->rr[k].data = NULL;
		}
	}
out:
	for (size_t i = 0; i < f->n_srv * 2; i++)
		lookup_release(&l[i]);
	free(l);
	return st;
}

/* Phase 3: one TLS look at each distinct target and port that has an address. */
static sf_status collect_tls(sf_ctx *ctx, sf_domain_facts *f)
{
	if (!ctx->tls)
		return SF_OK;
	for (size_t i = 0; i < f->n_srv; i++) {
		sf_srv_facts *s = &f->srv[i];
		int dup = 0;
		sf_status st;

		if (s->n_addrs == 0)
			continue;
		for (size_t j = 0; j < i; j++)
			dup |= f->srv[j].port == s->port && strcmp(f->srv[j].target, s->target) == 0;
		if (dup)
			continue;
		s->tls_checked = 1;
		st = sf_tls_fetch(ctx->tls, s->target, s->addrs[0], s->port, &s->tls, ctx->err,
				  sizeof(ctx->err));
		if (st == SF_OK)
			st = sf_collect_chain(ctx, &s->tls);
		if (st != SF_OK)
			return st;
	}
	return SF_OK;
}

static sf_status make_result(const sf_domain_facts *f, sf_profile profile, sf_result **out)
{
	sf_result *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r || !(r->domain = sf_strdup(f->domain)))
		return SF_ENOMEM;
	r->profile = profile;
	if (f->n_srv == 0)
		return SF_OK;
	r->srv = calloc(f->n_srv, sizeof(*r->srv));
	if (!r->srv)
		return SF_ENOMEM;
	for (size_t i = 0; i < f->n_srv; i++) {
		const sf_srv_facts *s = &f->srv[i];
		sf_srv_result *d = &r->srv[r->n_srv++];

		d->priority = s->priority;
		d->weight = s->weight;
		d->port = s->port;
		if (!(d->target = sf_strdup(s->target)))
			return SF_ENOMEM;
		if (s->n_addrs && !(d->addresses = calloc(s->n_addrs, sizeof(char *))))
			return SF_ENOMEM;
		for (size_t k = 0; k < s->n_addrs; k++) {
			if (!(d->addresses[k] = sf_strdup(s->addrs[k])))
				return SF_ENOMEM;
			d->n_addresses++;
		}
	}
	return SF_OK;
}

/*
 * ---- Client discovery (check --client, CLI-001..004) ----------------------
 * After the federation facts: _sip._tls.<d> and the names clients look up
 * (lyncdiscover, lyncdiscoverinternal, meet, dialin), their certificates on
 * port 443 through the TLS source, and the autodiscover request through the
 * HTTP source.  The same sources as above, so the lab and the network give
 * the rules the same facts.
 */

#define CLIENT_WEB_PORT 443
#define CLIENT_HTTP_PORT 80
#define DIALIN_MEMORY_MAX 1024 /* addresses remembered per run (CLI-004) */

/* Moves the answer of an A + AAAA lookup pair of @name into @h. */
static sf_status client_host_fill(sf_client_host *h, const char *name, lookup *a, lookup *aaaa)
{
	size_t n = a->n_rr + aaaa->n_rr;
	const char *owner = a->n_rr ? a->rr[0].owner : n ? aaaa->rr[0].owner : NULL;

	if (!(h->name = sf_strdup(name)))
		return SF_ENOMEM;
	h->rcode = n ? SF_DNS_NOERROR : a->rcode;
	if (a->alias && !(h->alias = sf_strdup(a->alias)))
		return SF_ENOMEM;
	if (owner && strcmp(owner, name) != 0 && !(h->canonical = sf_strdup(owner)))
		return SF_ENOMEM;
	if (n == 0)
		return SF_OK;
	h->addrs = calloc(n, sizeof(*h->addrs));
	if (!h->addrs)
		return SF_ENOMEM;
	for (size_t k = 0; k < a->n_rr; k++) {
		h->addrs[h->n_addrs++] = a->rr[k].data;
		a->rr[k].data = NULL;
	}
	for (size_t k = 0; k < aaaa->n_rr; k++) {
		h->addrs[h->n_addrs++] = aaaa->rr[k].data;
		aaaa->rr[k].data = NULL;
	}
	return SF_OK;
}

/* The autodiscover request over HTTP (port 80) and, if TLS answered on 443, HTTPS. */
static sf_status client_http(sf_ctx *ctx, sf_client_host *const *hs, size_t n)
{
	sf_http_request req[8];
	size_t k = 0;
	sf_status st;

	if (!ctx->http)
		return SF_OK;
	for (size_t i = 0; i < n && k + 2 <= SF_ARRAY_LEN(req); i++) {
		sf_client_host *h = hs[i];

		if (!h->name || h->n_addrs == 0)
			continue;
		req[k++] = (sf_http_request){ .tls = 0, .host = h->name, .addr = h->addrs[0],
					      .port = CLIENT_HTTP_PORT,
					      .path = SF_HTTP_AUTODISCOVER_PATH, .out = &h->http };
		/* Where the TLS source saw no handshake, a client gets no HTTPS answer either. */
		if (h->tls_checked && h->tls.state == SF_TLS_OK)
			req[k++] = (sf_http_request){ .tls = 1, .host = h->name,
						      .addr = h->addrs[0], .port = CLIENT_WEB_PORT,
						      .path = SF_HTTP_AUTODISCOVER_PATH,
						      .out = &h->https };
	}
	if (k == 0)
		return SF_OK;
	st = sf_http_get(ctx->http, req, k, ctx->err, sizeof(ctx->err));
	for (size_t i = 0; i < k && st == SF_OK; i++)
		st = sf_http_parse_autodiscover(req[i].out);
	return st;
}

/*
 * CLI-004: a deployment has one dial-in URL.  Remembers, per address, the
 * dial-in host the run keeps so far (the first one seen, until a later one
 * that works replaces one that does not: client_dialin_keep); a later
 * domain whose dial-in host is on an address already seen shares that web
 * server (the same deployment).  That earlier host's certificate is then
 * fetched again, on the shared address, for the rules to choose which one
 * to keep (c->dialin_other).
 */
static sf_status client_dialin(sf_ctx *ctx, sf_client_facts *c)
{
	const sf_client_host *h = &c->dialin;
	sf_client_host *o = &c->dialin_other;
	const char *addr = NULL;

	if (!h->name)
		return SF_OK;
	for (size_t i = 0; i < h->n_addrs && !c->dialin_shared; i++)
		for (size_t k = 0; k < ctx->dialin_addr.n && !c->dialin_shared; k++)
			if (strcmp(ctx->dialin_addr.v[k], h->addrs[i]) == 0 &&
			    strcmp(ctx->dialin_host.v[k], h->name) != 0) {
				if (!(c->dialin_shared = sf_strdup(ctx->dialin_host.v[k])))
					return SF_ENOMEM;
				addr = h->addrs[i];
			}
	if (c->dialin_shared) {
		if (!(o->name = sf_strdup(c->dialin_shared)) ||
		    !(o->addrs = calloc(1, sizeof(*o->addrs))) || !(o->addrs[0] = sf_strdup(addr)))
			return SF_ENOMEM;
		o->n_addrs = 1;
		o->rcode = SF_DNS_NOERROR;
		if (!ctx->tls)
			return SF_OK;
		o->tls_checked = 1;
		if (sf_tls_fetch(ctx->tls, o->name, addr, CLIENT_WEB_PORT, &o->tls, ctx->err,
				 sizeof(ctx->err)) != SF_OK)
			return SF_EIO;
		return sf_collect_chain(ctx, &o->tls);
	}
	for (size_t i = 0; i < h->n_addrs && ctx->dialin_addr.n < DIALIN_MEMORY_MAX; i++) {
		if (sf_strv_contains(&ctx->dialin_addr, h->addrs[i]))
			continue;
		if (sf_strv_push(&ctx->dialin_addr, h->addrs[i]) ||
		    sf_strv_push(&ctx->dialin_host, h->name))
			return SF_ENOMEM;
	}
	return SF_OK;
}

/*
 * After the rules: when they keep this domain's dial-in host over the
 * earlier one it shares a web server with (the earlier one does not work,
 * this one does), later domains on that web server are compared with this
 * one.
 */
static sf_status client_dialin_keep(sf_ctx *ctx, const sf_client_facts *c)
{
	const sf_client_host *h = &c->dialin;
	int own = sf_rules_dialin_keep_own(&ctx->env, c);

	if (own < 0)
		return SF_EINTERNAL;
	if (own == 0)
		return SF_OK;
	for (size_t k = 0; k < ctx->dialin_host.n; k++) {
		char *name;
		int here = 0;

		if (strcmp(ctx->dialin_host.v[k], c->dialin_shared) != 0)
			continue;
		for (size_t i = 0; i < h->n_addrs; i++)
			here |= strcmp(ctx->dialin_addr.v[k], h->addrs[i]) == 0;
		if (!here)
			continue;
		if (!(name = sf_strdup(h->name)))
			return SF_ENOMEM;
		free(ctx->dialin_host.v[k]);
		ctx->dialin_host.v[k] = name;
	}
	return SF_OK;
}

/* Phase 4 (--client): the facts of CLI-001..004 into f->client. */
static sf_status collect_client(sf_ctx *ctx, sf_domain_facts *f, char *reason, size_t rlen)
{
	static const char *const prefix[4] = { "lyncdiscover", "lyncdiscoverinternal", "meet",
					       "dialin" };
	sf_client_facts *c = calloc(1, sizeof(*c));
	sf_client_host *hosts[4];
	sf_domain_facts view = { 0 };
	lookup l[1 + 2 * 4];
	sf_status st = SF_ENOMEM;

	memset(l, 0, sizeof(l));
	if (!c)
		return SF_ENOMEM;
	f->client = c;
	hosts[0] = &c->discover;
	hosts[1] = &c->internal;
	hosts[2] = &c->meet;
	hosts[3] = &c->dialin;
	snprintf(l[0].name, sizeof(l[0].name), "_sip._tls.%s", f->domain);
	l[0].type = SF_T_SRV;
	for (size_t i = 0; i < 4; i++) {
		snprintf(l[1 + 2 * i].name, sizeof(l[0].name), "%s.%s", prefix[i], f->domain);
		l[1 + 2 * i].type = SF_T_A;
		snprintf(l[2 + 2 * i].name, sizeof(l[0].name), "%s.%s", prefix[i], f->domain);
		l[2 + 2 * i].type = SF_T_AAAA;
	}
	st = lookup_batch(ctx, l, SF_ARRAY_LEN(l));
	if (st != SF_OK)
		goto out;
	for (size_t i = 0; i < SF_ARRAY_LEN(l); i++) {
		if (operational(l[i].rcode) || operational(l[i].final)) {
			snprintf(reason, rlen, "DNS lookup of %s failed: %s", l[i].name,
				 sf_dns_rcode_name(operational(l[i].rcode) ? l[i].rcode
									   : l[i].final));
			goto out;
		}
	}
	c->sip_rcode = l[0].rcode;
	if (l[0].n_rr > 0) {
		st = SF_ENOMEM;
		c->sip = calloc(l[0].n_rr, sizeof(*c->sip));
		if (!c->sip)
			goto out;
		for (size_t i = 0; i < l[0].n_rr; i++) {
			sf_srv_facts *s = &c->sip[c->n_sip++];

			s->priority = l[0].rr[i].priority;
			s->weight = l[0].rr[i].weight;
			s->port = l[0].rr[i].port;
			s->target = l[0].rr[i].data;
			l[0].rr[i].data = NULL;
			if (!s->target && !(s->target = sf_strdup(".")))
				goto out;
		}
		qsort(c->sip, c->n_sip, sizeof(*c->sip), srv_cmp);
	}
	for (size_t i = 0; i < 4; i++) {
		st = client_host_fill(hosts[i], l[1 + 2 * i].name, &l[1 + 2 * i], &l[2 + 2 * i]);
		if (st != SF_OK)
			goto out;
	}
	/* The _sip._tls records go through the federation phases 2 and 3 (a view, not a copy). */
	view.domain = f->domain;
	view.srv = c->sip;
	view.n_srv = c->n_sip;
	st = collect_targets(ctx, &view);
	if (st == SF_OK)
		st = collect_tls(ctx, &view);
	for (size_t i = 0; i < 4 && st == SF_OK; i++) {
		sf_client_host *h = hosts[i];

		if (!ctx->tls || h->n_addrs == 0)
			continue;
		h->tls_checked = 1;
		st = sf_tls_fetch(ctx->tls, h->name, h->addrs[0], CLIENT_WEB_PORT, &h->tls,
				  ctx->err, sizeof(ctx->err));
		if (st == SF_OK)
			st = sf_collect_chain(ctx, &h->tls);
	}
	/* Only the lyncdiscover names answer autodiscover. */
	if (st == SF_OK)
		st = client_http(ctx, hosts, 2);
	if (st == SF_OK)
		st = client_dialin(ctx, c);
out:
	for (size_t i = 0; i < SF_ARRAY_LEN(l); i++)
		lookup_release(&l[i]);
	return st;
}

/* --client: the links of the autodiscover answer; r->links is non-NULL even when empty. */
static sf_status client_links(const sf_client_facts *c, sf_result *r)
{
	const sf_http_answer *a = sf_client_links_answer(c);
	size_t n = a ? a->n_links : 0;

	r->links = calloc(n ? n : 1, sizeof(*r->links));
	if (!r->links)
		return SF_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		sf_link *d = &r->links[r->n_links];

		d->name = sf_strdup(a->links[i].name);
		d->href = sf_strdup(a->links[i].href);
		if (!d->name || !d->href) {
			free(d->name);
			free(d->href);
			d->name = d->href = NULL;
			return SF_ENOMEM;
		}
		r->n_links++;
	}
	return SF_OK;
}

sf_status sf_check_domain(sf_ctx *ctx, const char *domain, sf_result **out_result)
{
	sf_domain_facts f = { 0 };
	sf_result *r = NULL;
	char name[256], reason[512] = "";
	sf_status st;

	*out_result = NULL;
	if (!ctx->dns)
		return sf_ctx_fail(ctx, SF_EINVAL, "no DNS source in this context");
	if (sf_name_norm(domain, name, sizeof(name)) < 0 || strcmp(name, ".") == 0 ||
	    strchr(name, '*'))
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid domain name '%s'", domain);
	if (!(f.domain = sf_strdup(name)))
		return SF_ENOMEM;

	st = collect_srv(ctx, &f, reason, sizeof(reason));
	if (st == SF_OK && !reason[0])
		st = collect_targets(ctx, &f);
	if (st == SF_OK && !reason[0])
		st = collect_tls(ctx, &f);
	if (st == SF_OK && !reason[0] && ctx->client)
		st = collect_client(ctx, &f, reason, sizeof(reason));
	if (st != SF_OK)
		goto out;
	st = make_result(&f, ctx->profile, &r);
	if (st != SF_OK)
		goto out;
	if (reason[0]) {
		r->verdict = SF_VERDICT_ERROR;
		if (!(r->reason = sf_strdup(reason)))
			st = SF_ENOMEM;
		goto out;
	}
	st = sf_rules_evaluate(&ctx->env, &f, &r->findings);
	if (st == SF_OK && f.client)
		st = client_links(f.client, r);
	if (st == SF_OK && f.client && f.client->dialin_shared)
		st = client_dialin_keep(ctx, f.client);
	if (st != SF_OK)
		goto out;
	r->verdict = sf_findings_verdict(&r->findings);
out:
	sf_domain_facts_release(&f);
	if (st != SF_OK) {
		if (st == SF_ENOMEM && !ctx->err[0])
			sf_ctx_fail(ctx, st, "out of memory");
		sf_result_free(r);
		return st;
	}
	*out_result = r;
	return SF_OK;
}

/* Contract in core/core.h. */
sf_status sf_collect_addrs(sf_ctx *ctx, const char *name, sf_strv *out_addrs,
			   sf_dns_rcode *out_rcode, char **out_alias)
{
	lookup l[2];
	sf_status st;

	memset(l, 0, sizeof(l));
	if (out_alias)
		*out_alias = NULL;
	*out_rcode = SF_DNS_ERROR;
	snprintf(l[0].name, sizeof(l[0].name), "%s", name);
	l[0].type = SF_T_A;
	snprintf(l[1].name, sizeof(l[1].name), "%s", name);
	l[1].type = SF_T_AAAA;
	st = lookup_batch(ctx, l, 2);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	*out_rcode = l[0].final != SF_DNS_NOERROR ? l[0].final : l[1].final;
	if (l[0].n_rr + l[1].n_rr > 0)
		*out_rcode = SF_DNS_NOERROR;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < l[k].n_rr; i++)
			if (l[k].rr[i].data && sf_strv_push(out_addrs, l[k].rr[i].data))
				goto out;
	if (out_alias && l[0].alias && !(*out_alias = sf_strdup(l[0].alias)))
		goto out;
	st = SF_OK;
out:
	lookup_release(&l[0]);
	lookup_release(&l[1]);
	return st;
}

void sf_result_free(sf_result *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->reason);
	for (size_t i = 0; i < r->n_srv; i++) {
		free(r->srv[i].target);
		for (size_t k = 0; k < r->srv[i].n_addresses; k++)
			free(r->srv[i].addresses[k]);
		free(r->srv[i].addresses);
	}
	free(r->srv);
	sf_findings_release(&r->findings);
	for (size_t i = 0; i < r->n_links; i++) {
		free(r->links[i].name);
		free(r->links[i].href);
	}
	free(r->links);
	free(r);
}
