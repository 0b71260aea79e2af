/*
 * The jobs of a run: collectors as state machines on the run's loop, then
 * one judgement.  A job asks for everything it needs through the run's
 * shared operations (lib/run/ops.c) phase by phase: the SRV record and the
 * wildcard probe; what stands at the owner instead and the misspellings
 * when there is none (DNS-002/003); the addresses of every target; one TLS
 * look at each target and port (with SNI and without, at once); for
 * --client the client names, their addresses and certificates and the
 * autodiscover answers; for an allow-list entry the ProxyFqdn's addresses;
 * for an SBC its addresses and certificate.  When the facts are complete
 * the job is finished; its judgement (the pure rules, lib/rules) runs when
 * the run hands the result over (sf_run_job_serial), in input order when
 * the run is ordered, which is where CLI-004 compares a domain's dial-in
 * host with those of the domains before it.
 *
 * Live and offline checks run this very code: only the sources differ.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_wire.h"
#include "dns/lookup.h"
#include "run/ops.h"
#include "util/util.h"

#define SBC_PORT 5061
/*
 * SRV records probed per domain (addresses, TLS), in priority order; the
 * rest are counted, not judged (a domain with hundreds of targets that
 * accept TCP and stay silent must not hold a check for an hour).
 */
#define SRV_PROBE_MAX 16
#define CLIENT_WEB_PORT 443
#define CLIENT_HTTP_PORT 80
#define DIALIN_MEMORY_MAX 1024 /* addresses remembered per run (CLI-004) */

/* Misspellings of the service name seen in the field (DNS-002). */
static const char *const misspellings[] = {
	"_sipfederationstls._tcp", "_sipfederationtls.tcp", "_sipfederationtls_tcp",
	"_sipfederationtls",       "_sipfederationtls._tls", "_sipfederationtls._udp",
	"_sipfederation._tcp",     "_sipfederationtcp._tcp", "sipfederationtls._tcp",
	"_sip_tls",                "_sipfederatontls._tcp",  "_sipfedrationtls._tcp",
};

/* A fixed label no one publishes: a positive answer means a wildcard (DNS-011). */
#define WILDCARD_PROBE "sipfed-wildcard-probe-4c1d9e"

static const char *const client_prefix[4] = { "lyncdiscover", "lyncdiscoverinternal", "meet",
					      "dialin" };

struct sf_job_state;

typedef sf_lookup lookup;

/* Who waits for a lookup's answers. */
typedef struct lwait {
	struct sf_job_state *js;
	lookup *l;
} lwait;

/* One TLS look at host:port: the handshake with SNI and the one without. */
typedef struct tlsget {
	struct sf_job_state *js;
	sf_tls_facts *out;
	sf_tls_facts sni, nosni;
	int want_nosni;
} tlsget;

enum phase {
	P_SRV, P_PROBES, P_TARGETS, P_TLS, P_CLIENT_DNS, P_CLIENT_TARGETS, P_CLIENT_TLS, P_CLIENT_HTTP,
	P_ALLOW, P_SBC_DNS, P_SBC_TLS, P_DONE,
};

struct sf_job_state {
	sf_run_job *j;
	sf_run *run;
	enum phase phase;
	size_t pending;
	sf_status st;        /* a failure of the job itself (memory, a damaged lab file) */
	char err[512];
	char reason[512];    /* the check could not run (verdict error) */
	sf_domain_facts f;
	lookup *l;           /* the lookups of the phase */
	lwait *lw;           /* and their waiters */
	size_t nl;
	tlsget *t;           /* the TLS looks of the phase */
	size_t nt;
	struct event *ev;    /* finishing from the loop */
	struct event *deadline; /* the per-domain deadline */
	int zombie;          /* abandoned at the deadline: waits for its operations, then goes */
	struct sf_job_state *zprev, *znext; /* run->zombies */
	sf_http_request req[4]; /* --client: the autodiscover requests */
	/* allow list (FED-003): the ProxyFqdn entries of this domain and their addresses */
	sf_strv proxy;       /* the ProxyFqdn not among the SRV targets */
	sf_allow_proxy_facts *proxy_facts; /* and their addresses */
	int owner_alias;     /* the SRV owner is a CNAME (DNS-003) */
	/* SBC */
	char fqdn[256];
	uint16_t port;
	sf_dns_rcode sbc_rcode;
	sf_srv_facts sbc;
};

static void step(struct sf_job_state *js);

/* ---- the phase counter: a guard while a phase starts its operations ------ */

static void zombie_free(struct sf_job_state *js);

static void op_done(struct sf_job_state *js)
{
	if (--js->pending > 0)
		return;
	if (js->zombie)
		zombie_free(js);
	else
		step(js);
}

static void fail(struct sf_job_state *js, sf_status st, const char *msg)
{
	if (js->st == SF_OK) {
		js->st = st;
		snprintf(js->err, sizeof(js->err), "%s", msg ? msg : sf_strerror(st));
	}
}

/* ---- lookups ----------------------------------------------------------- */

static void lookups_release(struct sf_job_state *js)
{
	for (size_t i = 0; i < js->nl; i++)
		sf_lookup_release(&js->l[i]);
	free(js->l);
	free(js->lw);
	js->l = NULL;
	js->lw = NULL;
	js->nl = 0;
}

/* Makes room for @n lookups of the phase (the previous ones released). */
static lookup *lookups_new(struct sf_job_state *js, size_t n)
{
	lookups_release(js);
	js->l = calloc(n ? n : 1, sizeof(*js->l));
	js->lw = calloc(n ? n : 1, sizeof(*js->lw));
	if (!js->l || !js->lw) {
		fail(js, SF_ENOMEM, NULL);
		return NULL;
	}
	js->nl = n;
	for (size_t i = 0; i < n; i++)
		js->lw[i] = (lwait){ .js = js, .l = &js->l[i] };
	return js->l;
}

static void lookup_set(lookup *l, uint16_t type, const char *a, const char *b)
{
	sf_lookup_init(l, type, a, b);
}

static void lookup_send(lwait *w);

static void on_lookup(void *arg, const sf_dns_query *q, sf_status st)
{
	lwait *w = arg;
	struct sf_job_state *js = w->js;
	int r;

	if (st != SF_OK) {
		fail(js, st, NULL);
		op_done(js);
		return;
	}
	r = sf_lookup_absorb(w->l, q);
	if (r < 0)
		fail(js, SF_ENOMEM, NULL);
	if (r == 1 && !js->zombie) {
		lookup_send(w);
		return;
	}
	op_done(js);
}

static void lookup_send(lwait *w)
{
	if (sf_run_dns(w->js->run, w->l->cur, w->l->type, on_lookup, w) != SF_OK) {
		fail(w->js, SF_ENOMEM, NULL);
		op_done(w->js);
	}
}

/* Sends every lookup of the phase (the guard is held by the caller). */
static void lookups_go(struct sf_job_state *js)
{
	for (size_t i = 0; i < js->nl; i++) {
		js->pending++;
		lookup_send(&js->lw[i]);
	}
}

static int operational(sf_dns_rcode rc)
{
	return rc != SF_DNS_NOERROR && rc != SF_DNS_NXDOMAIN;
}

/* ---- TLS looks ----------------------------------------------------------- */

static void tlsgets_release(struct sf_job_state *js)
{
	for (size_t i = 0; i < js->nt; i++) {
		sf_tls_facts_release(&js->t[i].sni);
		sf_tls_facts_release(&js->t[i].nosni);
	}
	free(js->t);
	js->t = NULL;
	js->nt = 0;
}

static void on_tls_part(tlsget *g, sf_tls_facts *mine, const sf_tls_facts *f, sf_status st)
{
	struct sf_job_state *js = g->js;

	if (st == SF_OK)
		st = sf_tls_facts_copy(mine, f);
	if (st != SF_OK)
		fail(js, st, NULL);
	op_done(js);
}

static void on_tls_sni(void *arg, const sf_tls_facts *f, sf_status st)
{
	tlsget *g = arg;

	on_tls_part(g, &g->sni, f, st);
}

static void on_tls_nosni(void *arg, const sf_tls_facts *f, sf_status st)
{
	tlsget *g = arg;

	on_tls_part(g, &g->nosni, f, st);
}

/*
 * Adds a TLS look at @host (@addr, @port) into @out to the phase: with a
 * live source, both handshakes at once (each shared across the run).
 */
static void tls_go(struct sf_job_state *js, tlsget *g, sf_tls_facts *out, const char *host,
		   const char *addr, uint16_t port)
{
	sf_run *run = js->run;
	char err[512] = "";
	sf_status st;

	g->js = js;
	g->out = out;
	g->want_nosni = sf_tls_is_async(run->ctx->tls);
	js->pending++;
	st = sf_run_tls(run, host, addr, port, on_tls_sni, g, err, sizeof(err));
	if (st != SF_OK) {
		fail(js, st, err[0] ? err : NULL);
		op_done(js);
	}
	if (!g->want_nosni)
		return;
	js->pending++;
	st = sf_run_tls(run, NULL, addr, port, on_tls_nosni, g, err, sizeof(err));
	if (st != SF_OK) {
		fail(js, st, NULL);
		op_done(js);
	}
}

/* The phase's looks into their facts (the no-SNI one counts when the SNI one succeeded). */
static void tls_collect(struct sf_job_state *js)
{
	for (size_t i = 0; i < js->nt && js->st == SF_OK; i++) {
		tlsget *g = &js->t[i];
		sf_status st = sf_tls_facts_merge(g->out, &g->sni, g->want_nosni ? &g->nosni : NULL);

		if (st != SF_OK)
			fail(js, st, NULL);
	}
	tlsgets_release(js);
}

/* ---- phases ------------------------------------------------------------- */

static int srv_cmp(const void *a, const void *b)
{
	const sf_srv_facts *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->target, y->target);
}

/* Moves the SRV records of @l into a sorted facts array. */
static int take_srv(lookup *l, sf_srv_facts **out, size_t *n_out)
{
	if (l->n_rr == 0)
		return 0;
	*out = calloc(l->n_rr, sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < l->n_rr; i++) {
		sf_srv_facts *s = &(*out)[(*n_out)++];

		s->priority = l->rr[i].priority;
		s->weight = l->rr[i].weight;
		s->port = l->rr[i].port;
		s->target = l->rr[i].data;
		l->rr[i].data = NULL;
		if (!s->target && !(s->target = sf_strdup(".")))
			return -1;
	}
	qsort(*out, *n_out, sizeof(**out), srv_cmp);
	return 0;
}

/* Sets up the A/AAAA lookups of the targets of @srv. */
static void targets_go(struct sf_job_state *js, sf_srv_facts *srv, size_t n)
{
	lookup *l = lookups_new(js, 2 * n);

	if (!l)
		return;
	for (size_t i = 0; i < n; i++) {
		lookup_set(&l[2 * i], SF_T_A, srv[i].target, NULL);
		lookup_set(&l[2 * i + 1], SF_T_AAAA, srv[i].target, NULL);
	}
	lookups_go(js);
}

static void targets_take(struct sf_job_state *js, sf_srv_facts *srv, size_t n)
{
	for (size_t i = 0; i < n && js->st == SF_OK; i++) {
		sf_srv_facts *s = &srv[i];
		lookup *a = &js->l[2 * i], *aaaa = &js->l[2 * i + 1];

		if (strcmp(s->target, ".") == 0) {
			s->addr_rcode = SF_DNS_NXDOMAIN;
			continue;
		}
		s->addr_rcode = a->final != SF_DNS_NOERROR ? a->final : aaaa->final;
		if ((a->alias && !(s->target_cname = sf_strdup(a->alias))) ||
		    sf_lookup_take_addrs(a, aaaa, &s->addrs, &s->n_addrs) < 0)
			fail(js, SF_ENOMEM, NULL);
	}
}

/*
 * One TLS look at each distinct target and port that has an address; the
 * array of looks gets room for @extra more (they point into it: it never
 * moves once a look started).
 */
static void srv_tls_go(struct sf_job_state *js, sf_srv_facts *srv, size_t n, size_t extra)
{
	if (!js->run->ctx->tls || n + extra == 0)
		return;
	js->t = calloc(n + extra, sizeof(*js->t));
	if (!js->t) {
		fail(js, SF_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sf_srv_facts *s = &srv[i];
		int dup = 0;

		if (s->n_addrs == 0)
			continue;
		for (size_t k = 0; k < i; k++)
			dup |= srv[k].port == s->port && strcmp(srv[k].target, s->target) == 0;
		if (dup)
			continue;
		s->tls_checked = 1;
		tls_go(js, &js->t[js->nt++], &s->tls, s->target, s->addrs[0], s->port);
	}
}

static void phase_srv(struct sf_job_state *js)
{
	lookup *l = lookups_new(js, 2);

	if (!l)
		return;
	lookup_set(&l[0], SF_T_SRV, "_sipfederationtls._tcp", js->f.domain);
	lookup_set(&l[1], SF_T_A, WILDCARD_PROBE, js->f.domain);
	lookups_go(js);
}

/* After P_SRV: the SRV records, or the probes when there is none. */
static enum phase after_srv(struct sf_job_state *js)
{
	sf_domain_facts *f = &js->f;
	lookup *base = js->l;
	lookup *p;
	size_t np;

	f->srv_rcode = base[0].rcode;
	if (operational(base[0].rcode)) {
		snprintf(js->reason, sizeof(js->reason), "DNS lookup of %s failed: %s",
			 base[0].name, sf_dns_rcode_name(base[0].rcode));
		return P_DONE;
	}
	if (base[1].n_rr > 0 && !(f->wildcard_name = sf_strdup(base[1].name))) {
		fail(js, SF_ENOMEM, NULL);
		return P_DONE;
	}
	if (base[0].n_rr > 0) {
		if (take_srv(&base[0], &f->srv, &f->n_srv) < 0)
			fail(js, SF_ENOMEM, NULL);
		while (f->n_srv > SRV_PROBE_MAX) {
			sf_srv_facts_release(&f->srv[--f->n_srv]);
			f->srv_not_probed++;
		}
		targets_go(js, f->srv, f->n_srv);
		return P_TARGETS;
	}
	/* No SRV: what stands at the owner instead (DNS-003), misspellings (DNS-002). */
	{
		char owner[256];

		js->owner_alias = base[0].alias != NULL;
		snprintf(owner, sizeof(owner), "%s", base[0].name);
		np = 2 + (js->run->ctx->no_probe_misspellings ? 0 : SF_ARRAY_LEN(misspellings));
		p = lookups_new(js, np);
		if (!p)
			return P_DONE;
		lookup_set(&p[0], SF_T_CNAME, owner, NULL);
		lookup_set(&p[1], SF_T_TXT, owner, NULL);
		for (size_t i = 2; i < np; i++)
			lookup_set(&p[i], SF_T_SRV, misspellings[i - 2], f->domain);
	}
	lookups_go(js);
	return P_PROBES;
}

static enum phase after_probes(struct sf_job_state *js)
{
	sf_domain_facts *f = &js->f;
	lookup *p = js->l;

	if (p[0].n_rr > 0 && !(f->owner_alias = sf_strdup(p[0].rr[0].data)))
		fail(js, SF_ENOMEM, NULL);
	/* a TXT record counts when the owner is not an alias (the TXT is then the target's) */
	if (!js->owner_alias && p[1].n_rr > 0 && !(f->owner_txt = sf_strdup(p[1].rr[0].data)))
		fail(js, SF_ENOMEM, NULL);
	for (size_t i = 2; i < js->nl && js->st == SF_OK; i++) {
		for (size_t k = 0; k < p[i].n_rr; k++) {
			const sf_dns_rr *r = &p[i].rr[k];
			char *rd = sf_aprintf("%u %u %u %s%s", r->priority, r->weight, r->port,
					      r->data, strcmp(r->data, ".") ? "." : "");

			if (!rd || sf_strv_push(&f->misspelt_owner, p[i].name) ||
			    sf_strv_push(&f->misspelt_rdata, rd))
				fail(js, SF_ENOMEM, NULL);
			free(rd);
		}
	}
	return P_TARGETS;
}

/* --client: the lookups of _sip._tls and the client names. */
static void client_dns_go(struct sf_job_state *js)
{
	lookup *l = lookups_new(js, 1 + 2 * 4);

	if (!l)
		return;
	js->f.client = calloc(1, sizeof(*js->f.client));
	if (!js->f.client) {
		fail(js, SF_ENOMEM, NULL);
		return;
	}
	lookup_set(&l[0], SF_T_SRV, "_sip._tls", js->f.domain);
	for (size_t i = 0; i < 4; i++) {
		lookup_set(&l[1 + 2 * i], SF_T_A, client_prefix[i], js->f.domain);
		lookup_set(&l[2 + 2 * i], SF_T_AAAA, client_prefix[i], js->f.domain);
	}
	lookups_go(js);
}

static sf_client_host *client_host(sf_client_facts *c, size_t i)
{
	sf_client_host *h[4] = { &c->discover, &c->internal, &c->meet, &c->dialin };

	return h[i];
}

static void after_client_dns(struct sf_job_state *js)
{
	sf_client_facts *c = js->f.client;
	lookup *l = js->l;

	for (size_t i = 0; i < js->nl; i++) {
		if (operational(l[i].rcode) || operational(l[i].final)) {
			snprintf(js->reason, sizeof(js->reason), "DNS lookup of %s failed: %s",
				 l[i].name, sf_dns_rcode_name(operational(l[i].rcode) ? l[i].rcode
											: l[i].final));
			return;
		}
	}
	c->sip_rcode = l[0].rcode;
	if (take_srv(&l[0], &c->sip, &c->n_sip) < 0) {
		fail(js, SF_ENOMEM, NULL);
		return;
	}
	while (c->n_sip > SRV_PROBE_MAX)
		sf_srv_facts_release(&c->sip[--c->n_sip]);
	for (size_t i = 0; i < 4; i++) {
		sf_client_host *h = client_host(c, i);
		lookup *a = &l[1 + 2 * i], *aaaa = &l[2 + 2 * i];
		size_t n = a->n_rr + aaaa->n_rr;
		const char *owner = a->n_rr ? a->rr[0].owner : n ? aaaa->rr[0].owner : NULL;

		if (!(h->name = sf_strdup(a->name)) ||
		    (a->alias && !(h->alias = sf_strdup(a->alias))) ||
		    (owner && strcmp(owner, a->name) != 0 && !(h->canonical = sf_strdup(owner))) ||
		    sf_lookup_take_addrs(a, aaaa, &h->addrs, &h->n_addrs) < 0) {
			fail(js, SF_ENOMEM, NULL);
			return;
		}
		h->rcode = n ? SF_DNS_NOERROR : a->rcode;
	}
}

static void client_tls_go(struct sf_job_state *js)
{
	sf_client_facts *c = js->f.client;

	srv_tls_go(js, c->sip, c->n_sip, 4);
	if (!js->run->ctx->tls || !js->t)
		return;
	for (size_t i = 0; i < 4; i++) {
		sf_client_host *h = client_host(c, i);

		if (h->n_addrs == 0)
			continue;
		h->tls_checked = 1;
		memset(&js->t[js->nt], 0, sizeof(js->t[js->nt]));
		tls_go(js, &js->t[js->nt++], &h->tls, h->name, h->addrs[0], CLIENT_WEB_PORT);
	}
}

static void on_http(void *arg, sf_http_request *req, sf_status st)
{
	struct sf_job_state *js = arg;

	if (st == SF_OK)
		st = sf_http_parse_autodiscover(req->out);
	if (st != SF_OK)
		fail(js, st, NULL);
	op_done(js);
}

/*
 * The autodiscover requests of the lyncdiscover names: HTTP on port 80, and
 * HTTPS where TLS answered on 443 (where the TLS look saw no handshake, a
 * client gets no HTTPS answer either).
 */
static void client_http_go(struct sf_job_state *js)
{
	sf_ctx *ctx = js->run->ctx;
	sf_client_facts *c = js->f.client;
	size_t k = 0;

	if (!ctx->http)
		return;
	for (size_t i = 0; i < 2; i++) {
		sf_client_host *h = client_host(c, i);

		if (!h->name || h->n_addrs == 0)
			continue;
		js->req[k++] = (sf_http_request){ .tls = 0, .host = h->name,
						  .addr = h->addrs[0], .port = CLIENT_HTTP_PORT,
						  .path = SF_HTTP_AUTODISCOVER_PATH,
						  .out = &h->http };
		if (h->tls_checked && h->tls.state == SF_TLS_OK)
			js->req[k++] = (sf_http_request){ .tls = 1, .host = h->name,
							  .addr = h->addrs[0],
							  .port = CLIENT_WEB_PORT,
							  .path = SF_HTTP_AUTODISCOVER_PATH,
							  .out = &h->https };
	}
	for (size_t i = 0; i < k; i++) {
		sf_status st;

		js->pending++;
		st = sf_run_http(js->run, &js->req[i], on_http, js, js->err, sizeof(js->err));
		if (st != SF_OK) {
			fail(js, st, js->err[0] ? js->err : NULL);
			op_done(js);
		}
	}
}

/* Allow list: the ProxyFqdn of this domain's entries that are not SRV targets. */
static void allow_go(struct sf_job_state *js)
{
	lookup *l;

	if (!js->run->allow || !js->run->ctx->dns)
		return;
	if (sf_core_allow_proxies(js->run->allow, js->f.domain, js->f.srv, js->f.n_srv,
				  &js->proxy) < 0)
		fail(js, SF_ENOMEM, NULL);
	if (js->proxy.n == 0 || js->st != SF_OK)
		return;
	l = lookups_new(js, 2 * js->proxy.n);
	if (!l)
		return;
	for (size_t i = 0; i < js->proxy.n; i++) {
		lookup_set(&l[2 * i], SF_T_A, js->proxy.v[i], NULL);
		lookup_set(&l[2 * i + 1], SF_T_AAAA, js->proxy.v[i], NULL);
	}
	lookups_go(js);
}

static void after_allow(struct sf_job_state *js)
{
	size_t n = js->proxy.n;

	if (n == 0)
		return;
	js->proxy_facts = calloc(n, sizeof(*js->proxy_facts));
	if (!js->proxy_facts) {
		fail(js, SF_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sf_allow_proxy_facts *p = &js->proxy_facts[i];
		lookup *a = &js->l[2 * i], *aaaa = &js->l[2 * i + 1];

		p->fqdn = js->proxy.v[i];
		p->rcode = a->final != SF_DNS_NOERROR ? a->final : aaaa->final;
		if (a->n_rr + aaaa->n_rr > 0)
			p->rcode = SF_DNS_NOERROR;
		for (size_t k = 0; k < a->n_rr; k++)
			if (sf_strv_push(&p->addrs, a->rr[k].data))
				fail(js, SF_ENOMEM, NULL);
		for (size_t k = 0; k < aaaa->n_rr; k++)
			if (sf_strv_push(&p->addrs, aaaa->rr[k].data))
				fail(js, SF_ENOMEM, NULL);
	}
}

static void sbc_dns_go(struct sf_job_state *js)
{
	lookup *l = lookups_new(js, 2);

	if (!l)
		return;
	lookup_set(&l[0], SF_T_A, js->fqdn, NULL);
	lookup_set(&l[1], SF_T_AAAA, js->fqdn, NULL);
	lookups_go(js);
}

static void after_sbc_dns(struct sf_job_state *js)
{
	lookup *a = &js->l[0], *aaaa = &js->l[1];
	sf_srv_facts *s = &js->sbc;

	js->sbc_rcode = a->final != SF_DNS_NOERROR ? a->final : aaaa->final;
	if (a->n_rr + aaaa->n_rr > 0)
		js->sbc_rcode = SF_DNS_NOERROR;
	if (js->sbc_rcode != SF_DNS_NOERROR && js->sbc_rcode != SF_DNS_NXDOMAIN) {
		snprintf(js->reason, sizeof(js->reason), "DNS lookup of %s failed: %s", js->fqdn,
			 sf_dns_rcode_name(js->sbc_rcode));
		return;
	}
	s->port = js->port;
	if (!(s->target = sf_strdup(js->fqdn)) || sf_lookup_take_addrs(a, aaaa, &s->addrs, &s->n_addrs) < 0)
		fail(js, SF_ENOMEM, NULL);
}

/* ---- the driver ----------------------------------------------------------- */

static void on_finish(evutil_socket_t fd, short what, void *arg)
{
	struct sf_job_state *js = arg;

	(void)fd;
	(void)what;
	sf_run_job_finished(js->j);
}

/* The facts are complete (or the job failed): finish from the loop, not from deep inside a callback. */
static void finish(struct sf_job_state *js)
{
	lookups_release(js);
	tlsgets_release(js);
	js->phase = P_DONE;
	if (js->deadline)
		evtimer_del(js->deadline);
	/*
	 * A zero timeout, not event_active(): the loop checks its timers (the
	 * run's progress and stop flag) between two rounds of these, while
	 * active events made during a round would run in that same round and
	 * starve them when the sources answer at once (zone files, --certs).
	 */
	static const struct timeval now = { 0, 0 };

	js->ev = evtimer_new(js->run->base, on_finish, js);
	if (!js->ev || evtimer_add(js->ev, &now) != 0) {
		/* no event: finish here (the recursion is bounded by this rare case) */
		sf_run_job_finished(js->j);
		return;
	}
}

/* Moves to the next phase whose operations are pending; finishes after the last. */
static void step(struct sf_job_state *js)
{
	sf_ctx *ctx = js->run->ctx;

	for (;;) {
		enum phase next = P_DONE;

		if (js->st != SF_OK || js->reason[0]) {
			finish(js);
			return;
		}
		/* the guard: operations that answer at once cannot end the phase while it starts */
		js->pending = 1;
		switch (js->phase) {
		case P_SRV:
			next = after_srv(js);
			break;
		case P_PROBES:
			next = after_probes(js);
			if (js->st == SF_OK)
				targets_go(js, js->f.srv, js->f.n_srv);
			break;
		case P_TARGETS:
			targets_take(js, js->f.srv, js->f.n_srv);
			lookups_release(js);
			srv_tls_go(js, js->f.srv, js->f.n_srv, 0);
			next = P_TLS;
			break;
		case P_TLS:
			tls_collect(js);
			if (ctx->client && js->j->kind != SF_JOB_SBC) {
				client_dns_go(js);
				next = P_CLIENT_DNS;
			} else {
				allow_go(js);
				next = P_ALLOW;
			}
			break;
		case P_CLIENT_DNS:
			after_client_dns(js);
			if (js->st == SF_OK && !js->reason[0])
				targets_go(js, js->f.client->sip, js->f.client->n_sip);
			next = P_CLIENT_TARGETS;
			break;
		case P_CLIENT_TARGETS:
			targets_take(js, js->f.client->sip, js->f.client->n_sip);
			lookups_release(js);
			client_tls_go(js);
			next = P_CLIENT_TLS;
			break;
		case P_CLIENT_TLS:
			tls_collect(js);
			if (js->st == SF_OK)
				client_http_go(js);
			next = P_CLIENT_HTTP;
			break;
		case P_CLIENT_HTTP:
			allow_go(js);
			next = P_ALLOW;
			break;
		case P_ALLOW:
			after_allow(js);
			next = P_DONE;
			break;
		case P_SBC_DNS:
			after_sbc_dns(js);
			if (js->st == SF_OK && !js->reason[0] && ctx->tls && js->sbc.n_addrs > 0) {
				js->t = calloc(1, sizeof(*js->t));
				if (!js->t) {
					fail(js, SF_ENOMEM, NULL);
				} else {
					js->sbc.tls_checked = 1;
					js->nt = 1;
					tls_go(js, &js->t[0], &js->sbc.tls, js->fqdn,
					       js->sbc.addrs[0], js->port);
				}
			}
			next = P_SBC_TLS;
			break;
		case P_SBC_TLS:
			tls_collect(js);
			next = P_DONE;
			break;
		case P_DONE:
			break;
		}
		if (next == P_DONE) {
			finish(js);
			return;
		}
		js->phase = next;
		/* the guard dropped: the last operation to answer moves on (op_done) */
		if (--js->pending > 0)
			return;
		/* nothing started, or everything answered at once: go on */
	}
}

static void state_free(struct sf_job_state *js)
{
	if (!js)
		return;
	lookups_release(js);
	tlsgets_release(js);
	if (js->ev)
		event_free(js->ev);
	if (js->deadline)
		event_free(js->deadline);
	sf_domain_facts_release(&js->f);
	for (size_t i = 0; js->proxy_facts && i < js->proxy.n; i++)
		sf_strv_release(&js->proxy_facts[i].addrs);
	free(js->proxy_facts);
	sf_strv_release(&js->proxy);
	sf_srv_facts_release(&js->sbc);
	free(js);
}

static void zombie_free(struct sf_job_state *js)
{
	sf_run *run = js->run;

	if (js->zprev)
		js->zprev->znext = js->znext;
	else
		run->zombies = js->znext;
	if (js->znext)
		js->znext->zprev = js->zprev;
	state_free(js);
}

static sf_result *result_new(const char *domain, sf_profile profile);

/*
 * The per-domain deadline passed: the job gives its result now (verdict
 * error) and its state lives on, detached, until its last operation
 * answers (each has its own timeout), then goes (zombie_free).
 */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct sf_job_state *js = arg;
	sf_run *run = js->run;
	sf_run_job *j = js->j;
	sf_result *r;

	(void)fd;
	(void)what;
	if (js->phase == P_DONE || !j)
		return;
	r = result_new(js->f.domain ? js->f.domain : j->name, run->ctx->profile);
	if (!r || !(r->reason = sf_aprintf("no result within the deadline of %g s (some DNS or "
					   "TLS answers were still pending): the check was "
					   "abandoned", run->deadline_ms / 1000.0)) ||
	    (run->ctx->dns_desc && !(r->dns_source = sf_strdup(run->ctx->dns_desc))) ||
	    (run->ctx->tls_desc && !(r->tls_source = sf_strdup(run->ctx->tls_desc)))) {
		sf_result_free(r);
		sf_run_fail(run, SF_ENOMEM, "out of memory");
		sf_run_stop(run);
		return;
	}
	r->verdict = SF_VERDICT_ERROR;
	j->result = r;
	j->state = NULL;
	js->j = NULL;
	js->zombie = 1;
	js->zprev = NULL;
	js->znext = run->zombies;
	if (run->zombies)
		run->zombies->zprev = js;
	run->zombies = js;
	sf_run_job_finished(j);
}

void sf_run_job_state_free(sf_run_job *j)
{
	state_free(j->state);
	j->state = NULL;
}

void sf_run_job_start(sf_run_job *j)
{
	sf_run *run = j->run;
	struct sf_job_state *js = calloc(1, sizeof(*js));
	char name[256];

	if (!js) {
		sf_run_fail(run, SF_ENOMEM, "out of memory");
		sf_run_stop(run);
		return;
	}
	j->state = js;
	js->j = j;
	js->run = run;
	/* the guard of the first phase */
	js->pending = 1;
	if (run->deadline_ms) {
		struct timeval tv = { (time_t)(run->deadline_ms / 1000),
				      (suseconds_t)(run->deadline_ms % 1000) * 1000 };

		js->deadline = evtimer_new(run->base, on_deadline, js);
		if (js->deadline)
			evtimer_add(js->deadline, &tv);
	}
	if (j->kind == SF_JOB_SBC) {
		js->phase = P_SBC_DNS;
		if (sf_core_host_port(j->name, SBC_PORT, js->fqdn, sizeof(js->fqdn), &js->port) < 0)
			snprintf(js->reason, sizeof(js->reason), "invalid SBC '%s': expected FQDN "
				 "or FQDN:PORT", j->name);
		else
			sbc_dns_go(js);
	} else {
		js->phase = P_SRV;
		if (sf_name_norm(j->name, name, sizeof(name)) < 0 || strcmp(name, ".") == 0 ||
		    strchr(name, '*'))
			snprintf(js->reason, sizeof(js->reason), "invalid domain name '%s'",
				 j->name);
		else if (!(js->f.domain = sf_strdup(name)))
			fail(js, SF_ENOMEM, NULL);
		else if (j->kind == SF_JOB_CALLBACK && !j->peer && !run->peer)
			snprintf(js->reason, sizeof(js->reason),
				 "no peer certificate for the callback check");
		else
			phase_srv(js);
	}
	op_done(js);
}

void sf_run_jobs_drop(sf_run *run)
{
	sf_run_job *j, *n;

	for (j = run->active; j; j = n) {
		n = j->anext;
		sf_run_job_free(j);
	}
	run->active = NULL;
	while (run->zombies)
		zombie_free(run->zombies);
}

/* ---- the judgement ---------------------------------------------------------- */

/*
 * What CLI-004 remembers across the domains of a run, in the order they
 * are judged: per address, the dial-in host kept so far, as its domain's
 * check saw it (the context stays read-only; this belongs to the run).
 */
typedef struct dialin_seen {
	char *addr;
	sf_client_host host; /* name, addresses, certificate on port 443 */
} dialin_seen;

struct sf_run_serial {
	dialin_seen *v;
	size_t n, cap;
};

/* A copy of what CLI-004 reads of a dial-in host: its name, one address, its certificate. */
static int host_copy(sf_client_host *d, const sf_client_host *s, const char *addr)
{
	memset(d, 0, sizeof(*d));
	d->rcode = SF_DNS_NOERROR;
	d->tls_checked = s->tls_checked;
	if (!(d->name = sf_strdup(s->name)) || !(d->addrs = calloc(1, sizeof(*d->addrs))) ||
	    !(d->addrs[0] = sf_strdup(addr)))
		goto nomem;
	d->n_addrs = 1;
	if (s->tls_checked && sf_tls_facts_copy(&d->tls, &s->tls) != SF_OK)
		goto nomem;
	return 0;
nomem:
	sf_client_host_release(d);
	return -1;
}

void sf_run_serial_release(sf_run *run)
{
	struct sf_run_serial *m = run->serial;

	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].addr);
		sf_client_host_release(&m->v[i].host);
	}
	free(m->v);
	free(m);
	run->serial = NULL;
}

/*
 * CLI-004 before the rules: does this domain's dial-in host share an address
 * with the one of a domain judged before?  Then c->dialin_shared names that
 * host and c->dialin_other is it as its own check saw it.
 */
static sf_status dialin_before(sf_run *run, sf_client_facts *c)
{
	struct sf_run_serial *m = run->serial;
	const sf_client_host *h = &c->dialin;

	if (!h->name || !m)
		return SF_OK;
	for (size_t i = 0; i < h->n_addrs; i++)
		for (size_t k = 0; k < m->n; k++)
			if (strcmp(m->v[k].addr, h->addrs[i]) == 0 &&
			    strcmp(m->v[k].host.name, h->name) != 0) {
				if (!(c->dialin_shared = sf_strdup(m->v[k].host.name)) ||
				    host_copy(&c->dialin_other, &m->v[k].host, h->addrs[i]) < 0)
					return SF_ENOMEM;
				return SF_OK;
			}
	return SF_OK;
}

/* CLI-004 after the rules: remember this domain's dial-in host (or that it replaces the earlier one). */
static sf_status dialin_after(sf_run *run, const sf_client_facts *c)
{
	struct sf_run_serial *m = run->serial;
	const sf_client_host *h = &c->dialin;

	if (!h->name)
		return SF_OK;
	if (!m && !(m = run->serial = calloc(1, sizeof(*m))))
		return SF_ENOMEM;
	if (c->dialin_shared) {
		int own = sf_rules_dialin_keep_own(&run->ctx->env, c);

		if (own < 0)
			return SF_EINTERNAL;
		if (own == 0)
			return SF_OK;
		for (size_t k = 0; k < m->n; k++) {
			int here = 0;

			if (strcmp(m->v[k].host.name, c->dialin_shared) != 0)
				continue;
			for (size_t i = 0; i < h->n_addrs; i++)
				here |= strcmp(m->v[k].addr, h->addrs[i]) == 0;
			if (!here)
				continue;
			sf_client_host_release(&m->v[k].host);
			if (host_copy(&m->v[k].host, h, m->v[k].addr) < 0)
				return SF_ENOMEM;
		}
		return SF_OK;
	}
	for (size_t i = 0; i < h->n_addrs && m->n < DIALIN_MEMORY_MAX; i++) {
		int seen = 0;

		for (size_t k = 0; k < m->n; k++)
			seen |= strcmp(m->v[k].addr, h->addrs[i]) == 0;
		if (seen)
			continue;
		if (m->n == m->cap) {
			size_t nc = m->cap ? m->cap * 2 : 16;
			dialin_seen *v = realloc(m->v, nc * sizeof(*v));

			if (!v)
				return SF_ENOMEM;
			m->v = v;
			m->cap = nc;
		}
		if (!(m->v[m->n].addr = sf_strdup(h->addrs[i])))
			return SF_ENOMEM;
		if (host_copy(&m->v[m->n].host, h, h->addrs[i]) < 0) {
			free(m->v[m->n].addr);
			return SF_ENOMEM;
		}
		m->n++;
	}
	return SF_OK;
}

static sf_result *result_new(const char *domain, sf_profile profile)
{
	sf_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->profile = profile;
	if (!(r->domain = sf_strdup(domain))) {
		free(r);
		return NULL;
	}
	return r;
}

static int result_srv(sf_result *r, const sf_srv_facts *srv, size_t n)
{
	if (n == 0)
		return 0;
	r->srv = calloc(n, sizeof(*r->srv));
	if (!r->srv)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const sf_srv_facts *s = &srv[i];
		sf_srv_result *d = &r->srv[r->n_srv++];

		d->priority = s->priority;
		d->weight = s->weight;
		d->port = s->port;
		if (!(d->target = sf_strdup(s->target)))
			return -1;
		if (s->n_addrs && !(d->addresses = calloc(s->n_addrs, sizeof(char *))))
			return -1;
		for (size_t k = 0; k < s->n_addrs; k++) {
			if (!(d->addresses[k] = sf_strdup(s->addrs[k])))
				return -1;
			d->n_addresses++;
		}
	}
	return 0;
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

/* FED-001: the peer's certificate against the domain's SRV targets (sf_check_callback). */
static sf_status judge_callback(sf_run *run, const sf_run_job *j, sf_result *r)
{
	const sf_rule_env *env = &run->ctx->env;
	const sf_peer *peer = j->peer ? j->peer : run->peer;
	sf_findings fed = { 0 }, pc = { 0 };
	sf_status st;

	st = sf_rules_cert(env, sf_peer_chain(peer), sf_peer_chain_facts(peer), NULL,
			   SF_ROLE_EDGE, 1, sf_peer_presented(peer), &pc, NULL);
	if (st == SF_OK)
		st = sf_rules_callback(env, r, sk_X509_value(sf_peer_chain(peer), 0), &pc, &fed);
	if (st == SF_OK)
		st = sf_core_move_findings(&r->findings, &fed, 0);
	if (st == SF_OK)
		st = sf_core_move_findings(&r->findings, &pc, 1);
	sf_findings_release(&fed);
	sf_findings_release(&pc);
	return st;
}

/* FED-003 on this domain's allow-list entries, with the ProxyFqdn addresses collected. */
static sf_status judge_allow(struct sf_job_state *js, sf_result *r)
{
	return sf_core_judge_allow(&js->run->ctx->env, js->run->allow, r, js->proxy_facts,
				   js->proxy_facts ? js->proxy.n : 0);
}

/* The SBC's result: DR-001, then TLS and CERT on what FQDN:PORT presents. */
static sf_status judge_sbc(struct sf_job_state *js, sf_result *r)
{
	const sf_rule_env *env = &js->run->ctx->env;
	sf_srv_facts *s = &js->sbc;
	sf_status st;

	if (result_srv(r, s, 1) < 0)
		return SF_ENOMEM;
	st = sf_rules_sbc(env, js->fqdn, js->sbc_rcode, s->addrs, s->n_addrs, &r->findings);
	if (st != SF_OK || !s->tls_checked)
		return st;
	st = sf_rules_tls(env, s, &r->findings);
	if (st == SF_OK && s->tls.state == SF_TLS_OK && s->tls.chain &&
	    sk_X509_num(s->tls.chain) > 0)
		st = sf_rules_cert(env, s->tls.chain, &s->tls.cf, js->fqdn, SF_ROLE_SBC, 1, 1,
				   &r->findings, NULL);
	return st;
}

/* Adds the certificate facts of the TLS look @t at @host:@port to @r. */
static sf_status add_cert(const sf_ctx *ctx, sf_result *r, const char *host, uint16_t port,
			  const sf_tls_facts *t)
{
	sf_cert_info *v;

	if (t->state != SF_TLS_OK || !t->chain)
		return SF_OK;
	v = realloc(r->certs, (r->n_certs + 1) * sizeof(*v));
	if (!v)
		return SF_ENOMEM;
	r->certs = v;
	if (sf_cert_info_fill(ctx, host, port, t, &r->certs[r->n_certs]) != SF_OK)
		return SF_ENOMEM;
	r->n_certs++;
	return SF_OK;
}

/* What the result is about: what was checked, through which sources, the certificates seen. */
static sf_status result_meta(struct sf_job_state *js, sf_result *r)
{
	sf_run *run = js->run;
	const sf_ctx *ctx = run->ctx;
	const sf_client_facts *c = js->f.client;
	sf_status st = SF_OK;

	r->checked = SF_CHECKED_DNS;
	if (ctx->tls)
		r->checked |= SF_CHECKED_TLS;
	if (c)
		r->checked |= SF_CHECKED_CLIENT;
	if (js->j->kind == SF_JOB_CALLBACK)
		r->checked |= SF_CHECKED_CALLBACK;
	if (run->allow && js->j->kind != SF_JOB_SBC)
		r->checked |= SF_CHECKED_ALLOW;
	if ((ctx->dns_desc && !(r->dns_source = sf_strdup(ctx->dns_desc))) ||
	    (ctx->tls_desc && !(r->tls_source = sf_strdup(ctx->tls_desc))))
		return SF_ENOMEM;
	if (js->j->kind == SF_JOB_SBC && js->sbc.tls_checked)
		return add_cert(ctx, r, js->fqdn, js->port, &js->sbc.tls);
	for (size_t i = 0; i < js->f.n_srv && st == SF_OK; i++)
		if (js->f.srv[i].tls_checked)
			st = add_cert(ctx, r, js->f.srv[i].target, js->f.srv[i].port,
				      &js->f.srv[i].tls);
	for (size_t i = 0; c && i < c->n_sip && st == SF_OK; i++)
		if (c->sip[i].tls_checked)
			st = add_cert(ctx, r, c->sip[i].target, c->sip[i].port, &c->sip[i].tls);
	for (size_t i = 0; c && i < 4 && st == SF_OK; i++) {
		const sf_client_host *h = client_host((sf_client_facts *)c, i);

		if (h->tls_checked)
			st = add_cert(ctx, r, h->name, CLIENT_WEB_PORT, &h->tls);
	}
	return st;
}

/* Judges the facts of @j into its result: the pure rules, nothing else. */
sf_status sf_run_job_serial(sf_run *run, sf_run_job *j)
{
	struct sf_job_state *js = j->state;
	sf_ctx *ctx = run->ctx;
	sf_result *r = NULL;
	sf_status st = SF_ENOMEM;

	if (!js)
		return j->result ? SF_OK : SF_EINTERNAL; /* abandoned at the deadline: result made */
	r = result_new(js->f.domain ? js->f.domain : j->kind == SF_JOB_SBC && js->fqdn[0]
								  ? js->fqdn
								  : j->name,
		       ctx->profile);
	if (!r)
		goto out;
	if (js->st != SF_OK || js->reason[0]) {
		/* The check could not run: a result that says why (verdict error). */
		if (js->st == SF_ENOMEM)
			goto out;
		r->verdict = SF_VERDICT_ERROR;
		if (j->kind != SF_JOB_SBC && js->f.n_srv && result_srv(r, js->f.srv, js->f.n_srv) < 0)
			goto out;
		if (!(r->reason = sf_strdup(js->reason[0] ? js->reason : js->err)))
			goto out;
		/* which sources failed to answer: nothing was checked through them */
		if ((ctx->dns_desc && !(r->dns_source = sf_strdup(ctx->dns_desc))) ||
		    (ctx->tls_desc && !(r->tls_source = sf_strdup(ctx->tls_desc))))
			goto out;
		st = SF_OK;
		goto out;
	}
	if (j->kind == SF_JOB_SBC) {
		st = judge_sbc(js, r);
	} else {
		if (result_srv(r, js->f.srv, js->f.n_srv) < 0)
			goto out;
		st = js->f.client ? dialin_before(run, js->f.client) : SF_OK;
		if (st == SF_OK)
			st = sf_rules_evaluate(&ctx->env, &js->f, &r->findings);
		if (st == SF_OK && js->f.client)
			st = client_links(js->f.client, r);
		if (st == SF_OK && js->f.client)
			st = dialin_after(run, js->f.client);
		if (st == SF_OK && j->kind == SF_JOB_CALLBACK)
			st = judge_callback(run, j, r);
		if (st == SF_OK && run->allow)
			st = judge_allow(js, r);
	}
	if (st == SF_OK)
		st = result_meta(js, r);
	if (st != SF_OK)
		goto out;
	sf_core_settle(r);
out:
	sf_run_job_state_free(j);
	if (st != SF_OK) {
		sf_result_free(r);
		sf_run_fail(run, st, st == SF_ENOMEM ? "out of memory" : sf_strerror(st));
		return st;
	}
	j->result = r;
	return SF_OK;
}
