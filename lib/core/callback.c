/*
 * The inbound callback check (FED-001) and the allow-list comparison
 * (FED-003): the peer's certificate is collected here (a PEM file, or the
 * context's TLS source: a live handshake or the --certs lab), the domain
 * through the normal check (lib/core/collect.c), and the pure rules of
 * lib/rules/fed_rules.c decide.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

/* Federation listens on 5061 (SPEC DNS-007); so does the peer's SIP/TLS port. */
#define SF_PEER_PORT 5061

struct sf_peer {
	char *label;           /* "vcse.steven.lab:5061" or the file name */
	STACK_OF(X509) *chain; /* leaf first */
	sf_chain_facts cf;     /* its verification, collected when loaded */
	int presented;         /* from a handshake or the lab, not a file */
};

STACK_OF(X509) *sf_peer_chain(const sf_peer *p)
{
	return p->chain;
}

const sf_chain_facts *sf_peer_chain_facts(const sf_peer *p)
{
	return &p->cf;
}

int sf_peer_presented(const sf_peer *p)
{
	return p->presented;
}

void sf_peer_free(sf_peer *peer)
{
	if (!peer)
		return;
	free(peer->label);
	sf_chain_facts_release(&peer->cf);
	sk_X509_pop_free(peer->chain, X509_free);
	free(peer);
}

int sf_core_host_port(const char *s, uint16_t dflt, char *host, size_t hostlen,
		      uint16_t *out_port)
{
	const char *colon;
	char name[256];
	size_t n;

	if (!s)
		return -1;
	colon = strrchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	*out_port = dflt;
	if (colon) {
		char *end;
		long v;

		errno = 0;
		v = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || v < 1 || v > 65535)
			return -1;
		*out_port = (uint16_t)v;
	}
	if (sf_name_norm(name, host, hostlen) < 0 || strcmp(host, ".") == 0 || strchr(host, '*'))
		return -1;
	return 0;
}

void sf_core_settle(sf_result *r)
{
	sf_findings_sort(&r->findings);
	if (r->verdict == SF_VERDICT_ERROR)
		return;
	r->verdict = sf_findings_verdict(&r->findings);
}

/* Contract in core/core.h. */
sf_status sf_peer_from_chain(const sf_ctx *ctx, STACK_OF(X509) *chain, const char *label,
			     sf_peer **out_peer)
{
	sf_peer *p = calloc(1, sizeof(*p));

	*out_peer = NULL;
	if (!p || !(p->label = sf_strdup(label ? label : "peer")) || !chain ||
	    sk_X509_num(chain) < 1 || !(p->chain = sk_X509_dup(chain)))
		goto fail;
	for (int i = 0; i < sk_X509_num(p->chain); i++)
		X509_up_ref(sk_X509_value(p->chain, i));
	p->presented = 1;
	if (sf_chain_facts_collect(ctx->trust, p->chain, ctx->at, &p->cf) < 0)
		goto fail;
	*out_peer = p;
	return SF_OK;
fail:
	sf_peer_free(p);
	return chain && sk_X509_num(chain) >= 1 ? SF_ENOMEM : SF_EINVAL;
}

sf_status sf_peer_load(sf_ctx *ctx, const char *file, sf_peer **out_peer)
{
	sf_peer *p = calloc(1, sizeof(*p));
	sf_status st = SF_ENOMEM;

	*out_peer = NULL;
	if (!p || !(p->label = sf_strdup(file)))
		goto out;
	st = sf_pem_read_chain(file, &p->chain, ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	if (sf_chain_facts_collect(ctx->trust, p->chain, ctx->at, &p->cf) < 0)
		goto out;
	st = SF_OK;
	*out_peer = p;
	p = NULL;
out:
	if (st == SF_ENOMEM)
		sf_ctx_fail(ctx, st, "out of memory");
	sf_peer_free(p);
	return st;
}

sf_status sf_peer_fetch(sf_ctx *ctx, const char *host_port, sf_peer **out_peer)
{
	sf_peer *p = NULL;
	sf_tls_facts facts = { 0 };
	sf_strv addrs = { 0 };
	sf_dns_rcode rc = SF_DNS_NOERROR;
	unsigned char bin[16];
	const char *addr = NULL;
	char host[256];
	uint16_t port;
	sf_status st;

	*out_peer = NULL;
	if (sf_core_host_port(host_port, SF_PEER_PORT, host, sizeof(host), &port) < 0)
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid peer '%s': expected HOST or HOST:PORT",
				   host_port);
	if (!ctx->tls)
		return sf_ctx_fail(ctx, SF_EINVAL, "cannot fetch the certificate of %s: offline "
				   "DNS without a lab directory (--certs DIR) has no TLS source",
				   host);
	/* A live handshake needs an address: HOST itself, or what DNS answers for it. */
	if (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1) {
		addr = host;
	} else if (ctx->dns) {
		st = sf_collect_addrs(ctx, host, &addrs, &rc, NULL);
		if (st != SF_OK)
			goto out;
		if (addrs.n > 0)
			addr = addrs.v[0];
	}
	if (!addr && !ctx->tls_offline) {
		st = sf_ctx_fail(ctx, SF_ENET, "cannot resolve the peer %s: %s", host,
				 rc == SF_DNS_NOERROR ? "no A or AAAA record"
						      : sf_dns_rcode_name(rc));
		goto out;
	}
	st = sf_tls_fetch(ctx->tls, host, addr, port, &facts, ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		goto out;
	if (facts.state != SF_TLS_OK || !facts.chain || sk_X509_num(facts.chain) < 1) {
		st = sf_ctx_fail(ctx, facts.state == SF_TLS_NO_CHAIN ? SF_EIO : SF_ENET,
				 "cannot get the certificate of the peer %s:%u: %s", host,
				 (unsigned)port, facts.error ? facts.error : "no certificate sent");
		goto out;
	}
	st = SF_ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->label = sf_aprintf("%s:%u", host, (unsigned)port)))
		goto out;
	p->chain = facts.chain;
	facts.chain = NULL;
	p->presented = 1;
	if (sf_chain_facts_collect(ctx->trust, p->chain, ctx->at, &p->cf) < 0)
		goto out;
	*out_peer = p;
	p = NULL;
	st = SF_OK;
out:
	if (st == SF_ENOMEM)
		sf_ctx_fail(ctx, st, "out of memory");
	sf_tls_facts_release(&facts);
	sf_strv_release(&addrs);
	sf_peer_free(p);
	return st;
}

/* Is a finding with @rule and @subject already in @f? */
static int has_finding(const sf_findings *f, sf_rule rule, const char *subject)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].rule == rule && strcmp(f->v[i].subject, subject) == 0)
			return 1;
	return 0;
}

/* Moves the findings of @from to the end of @to (@from is emptied). */
sf_status sf_core_move_findings(sf_findings *to, sf_findings *from, int dedupe)
{
	for (size_t i = 0; i < from->n; i++) {
		sf_finding *f = &from->v[i];

		if (dedupe && has_finding(to, f->rule, f->subject))
			continue;
		if (to->n == to->cap) {
			size_t cap = to->cap ? to->cap * 2 : 8;
			sf_finding *v = realloc(to->v, cap * sizeof(*v));

			if (!v)
				return SF_ENOMEM;
			to->v = v;
			to->cap = cap;
		}
		/* steal */
		to->v[to->n++] = *f;
		memset(f, 0, sizeof(*f));
	}
	sf_findings_release(from);
	return SF_OK;
}

/* Removes DNS-001..003 (what the SRV lookup found) from @f: see sf_rules_allow_proxy(). */
static void drop_srv_lookup(sf_findings *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (sf_rules_srv_lookup_rule(f->v[i].rule)) {
			free(f->v[i].subject);
			free(f->v[i].message);
			free(f->v[i].fix);
			continue;
		}
		f->v[k++] = f->v[i];
	}
	f->n = k;
}

/* Contract in core/core.h. */
sf_status sf_core_judge_allow(const sf_rule_env *env, const sf_allow_list *l, sf_result *r,
			      const sf_allow_proxy_facts *p, size_t n_p)
{
	sf_findings add = { 0 };
	sf_status st = SF_OK;
	int moot = 0;

	for (size_t i = 0; i < l->n && st == SF_OK; i++) {
		sf_allow_facts a = { .domain = r->domain, .srv = r->srv, .n_srv = r->n_srv,
				     .found = &r->findings };

		if (strcmp(l->v[i].domain, r->domain) != 0 || !l->v[i].proxy_fqdn)
			continue;
		a.proxy_fqdn = l->v[i].proxy_fqdn;
		st = sf_rules_allow(env, r->domain, a.proxy_fqdn, r->srv, r->n_srv, &add);
		/* The Edge connects to the ProxyFqdn: its addresses (an SRV target's are known). */
		for (size_t k = 0; k < n_p && st == SF_OK; k++) {
			if (strcmp(p[k].fqdn, a.proxy_fqdn) != 0)
				continue;
			a.proxy_looked_up = 1;
			a.proxy_rcode = p[k].rcode;
			a.proxy_addrs = p[k].addrs.v;
			a.n_proxy_addrs = p[k].addrs.n;
		}
		if (st == SF_OK)
			st = sf_rules_allow_proxy(env, &a, &add, &moot);
	}
	if (st == SF_OK && moot)
		drop_srv_lookup(&r->findings);
	if (st == SF_OK)
		st = sf_core_move_findings(&r->findings, &add, 0);
	sf_findings_release(&add);
	return st;
}

/* Contract in core/core.h. */
int sf_core_allow_proxies(const sf_allow_list *l, const char *domain, const sf_srv_facts *srv,
			  size_t n_srv, sf_strv *out)
{
	for (size_t i = 0; l && i < l->n; i++) {
		int is_target = 0;

		if (strcmp(l->v[i].domain, domain) != 0 || !l->v[i].proxy_fqdn)
			continue;
		for (size_t k = 0; k < n_srv; k++)
			is_target |= strcmp(srv[k].target, l->v[i].proxy_fqdn) == 0;
		if (!is_target && !sf_strv_contains(out, l->v[i].proxy_fqdn) &&
		    sf_strv_push(out, l->v[i].proxy_fqdn))
			return -1;
	}
	return 0;
}

sf_status sf_check_allow_list(sf_ctx *ctx, const sf_allow_list *l, sf_result *r)
{
	sf_allow_proxy_facts *p = NULL;
	sf_srv_facts *srv = NULL;
	sf_strv names = { 0 };
	sf_status st = SF_ENOMEM;

	if (!l || !r || r->verdict == SF_VERDICT_ERROR)
		return SF_OK;
	/* the SRV targets as facts (only their names are read) */
	srv = calloc(r->n_srv ? r->n_srv : 1, sizeof(*srv));
	if (!srv)
		goto out;
	for (size_t k = 0; k < r->n_srv; k++)
		srv[k].target = r->srv[k].target;
	if (sf_core_allow_proxies(l, r->domain, srv, r->n_srv, &names) < 0)
		goto out;
	p = calloc(names.n ? names.n : 1, sizeof(*p));
	if (!p)
		goto out;
	st = SF_OK;
	for (size_t k = 0; k < names.n && st == SF_OK && ctx->dns; k++) {
		p[k].fqdn = names.v[k];
		st = sf_collect_addrs(ctx, names.v[k], &p[k].addrs, &p[k].rcode, NULL);
	}
	if (st == SF_OK)
		st = sf_core_judge_allow(&ctx->env, l, r, p, ctx->dns ? names.n : 0);
out:
	for (size_t k = 0; p && k < names.n; k++)
		sf_strv_release(&p[k].addrs);
	free(p);
	free(srv);
	sf_strv_release(&names);
	if (st != SF_OK)
		return sf_ctx_fail(ctx, st, "out of memory");
	sf_core_settle(r);
	return SF_OK;
}
