/*
 * The operations a run shares between its jobs: DNS queries and TLS
 * handshakes through the context's sources, each done once per run and
 * handed to every job that asks for it (one query per name and type, one
 * handshake per host:port:SNI; the handshake without SNI once per
 * address:port, whichever name it was asked for).
 *
 * Each cache is a hash table of entries; an entry is pending (its waiters
 * are called when the answer comes) or done (answers at once).  Done
 * entries are kept in least-recently-used order and the oldest are dropped
 * beyond a bound, so that memory stays flat in the number of domains; what
 * many jobs share (a hosting provider, a hoster's Edge) stays.
 *
 * Waiters get the answer borrowed, for the time of the call: they copy what
 * they keep.  A waiter may be called from inside sf_run_dns()/sf_run_tls()
 * (a done entry, or a source that answers at once: zone files, --certs).
 */
#include <stdlib.h>
#include <string.h>

#include "run/ops.h"
#include "util/util.h"

#define DNS_CACHE_MAX 2048
#define TLS_CACHE_MAX 256
/*
 * Queries in flight at most: a burst of thousands of datagrams overflows a
 * resolver's receive buffer (seen with knotd at 512); the rest wait their
 * turn here.
 */
#define DNS_INFLIGHT_MAX 200

typedef struct waiter {
	void (*fn)(void *arg, const void *answer, sf_status st);
	void *arg;
} waiter;

typedef struct entry {
	char *key;
	uint64_t hash;
	struct entry *hnext;          /* hash chain */
	struct entry *lprev, *lnext;  /* LRU of done entries */
	struct cache *c;
	int done;
	sf_status st;
	waiter *w;
	size_t nw, capw;
	/* DNS */
	sf_dns_query q;
	struct entry *qnext;          /* waiting for a slot to be sent */
	/* TLS */
	sf_tls_facts f;
	sf_tls_hs *hs;
} entry;

typedef struct cache {
	struct sf_run_ops *o;
	entry **tab;
	size_t cap, count, n_done, max_done;
	entry *lru_head, *lru_tail;
	int tls;
} cache;

struct sf_run_ops {
	sf_run *run;
	cache dns, tls;
	int dns_attached, http_attached;
	size_t dns_inflight;
	entry *dq_head, *dq_tail;     /* queries waiting for a slot */
	int closing;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static entry *cache_find(cache *c, const char *key, uint64_t h)
{
	if (!c->cap)
		return NULL;
	for (entry *e = c->tab[h & (c->cap - 1)]; e; e = e->hnext)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static int cache_grow(cache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 256;
	entry **nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -1;
	for (size_t i = 0; i < c->cap; i++) {
		entry *e = c->tab[i], *n;

		for (; e; e = n) {
			n = e->hnext;
			e->hnext = nt[e->hash & (ncap - 1)];
			nt[e->hash & (ncap - 1)] = e;
		}
	}
	free(c->tab);
	c->tab = nt;
	c->cap = ncap;
	return 0;
}

static void lru_unlink(cache *c, entry *e)
{
	if (e->lprev)
		e->lprev->lnext = e->lnext;
	else if (c->lru_head == e)
		c->lru_head = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	else if (c->lru_tail == e)
		c->lru_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void lru_push(cache *c, entry *e)
{
	e->lprev = c->lru_tail;
	e->lnext = NULL;
	if (c->lru_tail)
		c->lru_tail->lnext = e;
	else
		c->lru_head = e;
	c->lru_tail = e;
}

static void entry_free(entry *e)
{
	if (!e)
		return;
	if (e->hs)
		e->c->o->run->ctx->tls->ops->cancel(e->hs);
	sf_dns_query_release(&e->q);
	sf_tls_facts_release(&e->f);
	free(e->w);
	free(e->key);
	free(e);
}

/* Takes @e out of the table (not freed). */
static void cache_remove(cache *c, entry *e)
{
	entry **pp = &c->tab[e->hash & (c->cap - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	c->count--;
	if (e->done) {
		lru_unlink(c, e);
		c->n_done--;
	}
}

static entry *cache_add(cache *c, const char *key, uint64_t h)
{
	entry *e;

	if (c->count + 1 > c->cap && cache_grow(c) < 0)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->key = sf_strdup(key))) {
		free(e);
		return NULL;
	}
	e->hash = h;
	e->c = c;
	e->hnext = c->tab[h & (c->cap - 1)];
	c->tab[h & (c->cap - 1)] = e;
	c->count++;
	return e;
}

static int entry_wait(entry *e, void (*fn)(void *, const void *, sf_status), void *arg)
{
	if (e->nw == e->capw) {
		size_t nc = e->capw ? e->capw * 2 : 4;
		waiter *v = realloc(e->w, nc * sizeof(*v));

		if (!v)
			return -1;
		e->w = v;
		e->capw = nc;
	}
	e->w[e->nw++] = (waiter){ .fn = fn, .arg = arg };
	return 0;
}

/* The answer of @e came: it is done; its waiters are called (and forgotten). */
static void entry_complete(struct sf_run_ops *o, entry *e, sf_status st)
{
	cache *c = e->c;
	waiter *w = e->w;
	size_t nw = e->nw;
	const void *answer = c->tls ? (const void *)&e->f : (const void *)&e->q;

	e->done = 1;
	e->st = st;
	e->w = NULL;
	e->nw = e->capw = 0;
	c->n_done++;
	lru_push(c, e);
	if (!o->closing)
		for (size_t i = 0; i < nw; i++)
			w[i].fn(w[i].arg, answer, st);
	free(w);
	/* Beyond the bound, the least recently used answers go (never one in use: callers copy). */
	while (c->n_done > c->max_done && c->lru_head && c->lru_head != e) {
		entry *old = c->lru_head;

		cache_remove(c, old);
		entry_free(old);
	}
}

/* ---- DNS ---------------------------------------------------------------- */

static void dns_send(struct sf_run_ops *o, entry *e);

static void on_dns(void *arg, sf_dns_query *q, sf_status st)
{
	entry *e = arg;
	struct sf_run_ops *o = e->c->o;

	(void)q; /* it is e->q */
	o->dns_inflight--;
	entry_complete(o, e, st);
	/* a slot is free: the next waiting query goes */
	while (o->dq_head && o->dns_inflight < DNS_INFLIGHT_MAX && !o->closing) {
		entry *n = o->dq_head;

		o->dq_head = n->qnext;
		if (!o->dq_head)
			o->dq_tail = NULL;
		n->qnext = NULL;
		dns_send(o, n);
	}
}

static void dns_send(struct sf_run_ops *o, entry *e)
{
	sf_dns_source *src = o->run->ctx->dns;
	sf_status st;

	o->dns_inflight++;
	st = src->ops->submit(src, &e->q, on_dns, e);
	if (st != SF_OK) {
		o->dns_inflight--;
		e->q.rcode = SF_DNS_ERROR;
		entry_complete(o, e, st);
	}
}

sf_status sf_run_dns(sf_run *run, const char *name, uint16_t type, sf_run_dns_fn fn, void *arg)
{
	struct sf_run_ops *o = run->ops;
	sf_dns_source *src = run->ctx->dns;
	char key[300];
	uint64_t h;
	entry *e;
	sf_status st;

	snprintf(key, sizeof(key), "%u %s", (unsigned)type, name);
	h = fnv1a(key);
	e = cache_find(&o->dns, key, h);
	if (e) {
		run->stats.dns_shared++;
		if (e->done) {
			lru_unlink(&o->dns, e);
			lru_push(&o->dns, e);
			fn(arg, &e->q, e->st);
			return SF_OK;
		}
		return entry_wait(e, (void (*)(void *, const void *, sf_status))fn, arg) < 0
			       ? SF_ENOMEM
			       : SF_OK;
	}
	e = cache_add(&o->dns, key, h);
	if (!e || entry_wait(e, (void (*)(void *, const void *, sf_status))fn, arg) < 0)
		return SF_ENOMEM;
	run->stats.dns_queries++;
	/* the query's name lives in the entry's key, after "type " */
	e->q.name = strchr(e->key, ' ') + 1;
	e->q.type = type;
	if (sf_dns_is_async(src)) {
		if (o->dns_inflight < DNS_INFLIGHT_MAX) {
			dns_send(o, e);
		} else {
			if (o->dq_tail)
				o->dq_tail->qnext = e;
			else
				o->dq_head = e;
			o->dq_tail = e;
		}
		return SF_OK;
	}
	st = sf_dns_resolve(src, &e->q, 1);
	entry_complete(o, e, st);
	return SF_OK;
}

/* ---- TLS ---------------------------------------------------------------- */

static void on_tls(void *arg, sf_tls_facts *f, sf_status st)
{
	entry *e = arg;
	struct sf_run_ops *o = e->c->o;

	e->hs = NULL;
	e->f = *f; /* take it */
	memset(f, 0, sizeof(*f));
	/* The collector's last step: the chain verified once, for every job that shares it. */
	if (st == SF_OK && e->key[0] == 'S')
		st = sf_collect_chain(o->run->ctx, &e->f);
	entry_complete(o, e, st);
}

sf_status sf_run_tls(sf_run *run, const char *host, const char *addr, uint16_t port,
		     sf_run_tls_fn fn, void *arg, char *err, size_t errlen)
{
	struct sf_run_ops *o = run->ops;
	sf_tls_source *src = run->ctx->tls;
	int async = sf_tls_is_async(src);
	char key[600];
	uint64_t h;
	entry *e;
	sf_status st;

	/* S: with SNI, N: without, D: a lab file (no address, no SNI to tell apart). */
	if (!async)
		snprintf(key, sizeof(key), "S %s", host ? host : "");
	else if (host)
		snprintf(key, sizeof(key), "S %s %s %u", host, addr, (unsigned)port);
	else
		snprintf(key, sizeof(key), "N %s %u", addr, (unsigned)port);
	h = fnv1a(key);
	e = cache_find(&o->tls, key, h);
	if (e) {
		run->stats.tls_shared++;
		if (e->done) {
			lru_unlink(&o->tls, e);
			lru_push(&o->tls, e);
			fn(arg, &e->f, e->st);
			return SF_OK;
		}
		return entry_wait(e, (void (*)(void *, const void *, sf_status))fn, arg) < 0
			       ? SF_ENOMEM
			       : SF_OK;
	}
	if (!async) {
		sf_tls_facts f;

		/* A lab file: read at once; a damaged one is the job's failure, not cached. */
		st = sf_tls_fetch(src, host, addr, port, &f, err, errlen);
		if (st != SF_OK)
			return st;
		e = cache_add(&o->tls, key, h);
		if (!e || entry_wait(e, (void (*)(void *, const void *, sf_status))fn, arg) < 0) {
			sf_tls_facts_release(&f);
			return SF_ENOMEM;
		}
		run->stats.handshakes++;
		on_tls(e, &f, SF_OK);
		return SF_OK;
	}
	e = cache_add(&o->tls, key, h);
	if (!e || entry_wait(e, (void (*)(void *, const void *, sf_status))fn, arg) < 0)
		return SF_ENOMEM;
	run->stats.handshakes++;
	st = src->ops->start(src, run->base, host, addr, port, on_tls, e, &e->hs);
	if (st != SF_OK) {
		sf_tls_facts f = { .state = SF_TLS_CONNECT_FAILED };

		f.error = sf_aprintf("cannot connect to '%s' port %u: %s", addr, (unsigned)port,
				     sf_strerror(st));
		on_tls(e, &f, f.error ? SF_OK : SF_ENOMEM);
	}
	return SF_OK;
}

/* ---- HTTP ------------------------------------------------------------------ */

sf_status sf_run_http(sf_run *run, sf_http_request *req, sf_run_http_fn fn, void *arg,
		      char *err, size_t errlen)
{
	sf_http_source *src = run->ctx->http;
	sf_status st;

	if (sf_http_is_async(src))
		return src->ops->submit(src, req, fn, arg);
	st = sf_http_get(src, req, 1, err, errlen);
	if (st == SF_OK)
		fn(arg, req, SF_OK);
	return st;
}

/* ---- lifecycle ------------------------------------------------------------ */

sf_status sf_run_ops_init(sf_run *run)
{
	struct sf_run_ops *o = calloc(1, sizeof(*o));
	sf_status st;

	if (!o)
		return sf_ctx_fail(run->ctx, SF_ENOMEM, "out of memory");
	o->run = run;
	o->dns.o = o->tls.o = o;
	o->dns.max_done = DNS_CACHE_MAX;
	o->tls.max_done = TLS_CACHE_MAX;
	o->tls.tls = 1;
	run->ops = o;
	if (run->ctx->dns && sf_dns_is_async(run->ctx->dns)) {
		st = run->ctx->dns->ops->attach(run->ctx->dns, run->base);
		if (st != SF_OK)
			return sf_ctx_fail(run->ctx, st, "cannot attach the resolver to the run: %s",
					   sf_strerror(st));
		o->dns_attached = 1;
	}
	if (run->ctx->http && sf_http_is_async(run->ctx->http)) {
		st = run->ctx->http->ops->attach(run->ctx->http, run->base);
		if (st != SF_OK)
			return sf_ctx_fail(run->ctx, st, "cannot attach HTTP to the run: %s",
					   sf_strerror(st));
		o->http_attached = 1;
	}
	return SF_OK;
}

static void cache_release(cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		entry *e = c->tab[i], *n;

		for (; e; e = n) {
			n = e->hnext;
			entry_free(e);
		}
	}
	free(c->tab);
	memset(c, 0, sizeof(*c));
}

void sf_run_ops_release(sf_run *run)
{
	struct sf_run_ops *o = run->ops;

	if (!o)
		return;
	o->closing = 1;
	/* Queries in flight are cancelled: their entries go with the cache. */
	if (o->dns_attached)
		run->ctx->dns->ops->detach(run->ctx->dns);
	if (o->http_attached)
		run->ctx->http->ops->detach(run->ctx->http);
	cache_release(&o->dns);
	cache_release(&o->tls);
	free(o);
	run->ops = NULL;
}
