/*
 * Live source: asks a DNS server with c-ares, driven by a libevent loop:
 * c-ares tells through its socket-state callback which sockets to watch,
 * the loop calls ares_process_fd when one is ready, and a timer set from
 * ares_timeout lets c-ares time out and retry (two tries within the
 * source's timeout).  A run attaches the source to its loop and submits
 * queries as its jobs need them; the blocking resolve() is the same code
 * on a loop of its own.  Answers are parsed with libknot's packet
 * parser and decoded by the decoder the zone source uses (dns_wire.h).
 *
 * Tests: tests/unit/test_dns_zone.c (against a real knotd on loopback).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>
#include <event2/event.h>
#include <libknot/consts.h>
#include <libknot/dname.h>
#include <libknot/errcode.h>
#include <libknot/packet/pkt.h>

#include "dns/dns.h"
#include "dns/dns_wire.h"

#define LIVE_DEFAULT_TIMEOUT_MS 5000

struct live_job;
struct live_sock;

struct live_src {
	sf_dns_source base;
	ares_channel ch;
	int timeout_ms;
	struct event_base *loop;    /* the loop it is attached to, or NULL */
	struct event *timer;        /* c-ares's next timeout */
	struct live_sock *socks;
	struct live_job *jobs;      /* in flight */
	bool detaching;
};

static bool lib_inited;

/* Maps a c-ares status without a usable answer to our rcode. */
static sf_dns_rcode map_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:
	case ARES_ENODATA:
		return SF_DNS_NOERROR;
	case ARES_ENOTFOUND:
		return SF_DNS_NXDOMAIN;
	case ARES_ESERVFAIL:
		return SF_DNS_SERVFAIL;
	case ARES_EREFUSED:
		return SF_DNS_REFUSED;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED: /* cut by our own deadline */
		return SF_DNS_TIMEOUT;
	case ARES_ECONNREFUSED:
		return SF_DNS_UNREACHABLE;
	default:
		return SF_DNS_ERROR;
	}
}

/*
 * Decodes the answer section of a response into @q (class IN records, in
 * order).  The rcode comes from the header (RFC 1035 4.1.1, extended by
 * EDNS, RFC 6891).  Returns SF_OK (q->rcode set; SF_DNS_ERROR for a
 * malformed message) or SF_ENOMEM.
 */
static sf_status parse_answer(const unsigned char *abuf, int alen, sf_dns_query *q)
{
	knot_pkt_t *pkt = NULL;
	uint8_t *wire = NULL;
	const knot_pktsection_t *an;
	size_t cap = 0;
	sf_status st = SF_OK;

	q->rcode = SF_DNS_ERROR;
	if (alen <= 0 || alen > KNOT_WIRE_MAX_PKTSIZE)
		return SF_OK;
	/* libknot may rewrite the wire while parsing; keep c-ares's buffer intact. */
	wire = malloc((size_t)alen);
	if (!wire)
		return SF_ENOMEM;
	memcpy(wire, abuf, (size_t)alen);
	pkt = knot_pkt_new(wire, (uint16_t)alen, NULL);
	if (!pkt) {
		st = SF_ENOMEM;
		goto out;
	}
	if (knot_pkt_parse(pkt, 0) != KNOT_EOK)
		goto out; /* malformed: SF_DNS_ERROR */

	switch (knot_pkt_ext_rcode(pkt)) {
	case KNOT_RCODE_NOERROR:
		q->rcode = SF_DNS_NOERROR;
		break;
	case KNOT_RCODE_NXDOMAIN:
		q->rcode = SF_DNS_NXDOMAIN;
		break;
	case KNOT_RCODE_SERVFAIL:
		q->rcode = SF_DNS_SERVFAIL;
		goto out;
	case KNOT_RCODE_REFUSED:
		q->rcode = SF_DNS_REFUSED;
		goto out;
	default:
		goto out;
	}

	/* NOERROR and NXDOMAIN both may carry a CNAME chain (RFC 6604). */
	an = knot_pkt_section(pkt, KNOT_ANSWER);
	for (uint16_t i = 0; i < an->count; i++) {
		const knot_rrset_t *rs = knot_pkt_rr(an, i);

		if (rs->rclass != KNOT_CLASS_IN)
			continue;
		for (uint16_t j = 0; j < rs->rrs.count; j++) {
			const knot_rdata_t *rd = knot_rdataset_at(&rs->rrs, j);
			sf_dns_rr rr;
			sf_status dst;

			dst = sf_dns_rr_decode(rs->owner, knot_dname_size(rs->owner), rs->type,
					       rd->data, rd->len, &rr);
			if (dst == SF_EPARSE) {
				sf_dns_query_release(q);
				q->rcode = SF_DNS_ERROR;
				goto out;
			}
			if (dst != SF_OK) {
				st = dst;
				goto out;
			}
			if (q->n_rr == cap) {
				size_t ncap = cap ? cap * 2 : 4;
				sf_dns_rr *v = realloc(q->rr, ncap * sizeof(*v));

				if (!v) {
					sf_dns_rr_release(&rr);
					st = SF_ENOMEM;
					goto out;
				}
				q->rr = v;
				cap = ncap;
			}
			q->rr[q->n_rr++] = rr;
		}
	}
out:
	if (st != SF_OK) {
		sf_dns_query_release(q);
		q->rcode = SF_DNS_ERROR;
	}
	knot_pkt_free(pkt);
	free(wire);
	return st;
}

/* One query in flight. */
struct live_job {
	struct live_src *ls;
	sf_dns_query *q;
	sf_dns_done_fn done;
	void *arg;
	struct live_job *prev, *next;
};

/* A socket c-ares asked us to watch. */
struct live_sock {
	ares_socket_t fd;
	struct event *ev;
	struct live_sock *next;
};

static void reschedule(struct live_src *ls);

/* c-ares callback: runs once per query (also when cancelled or destroyed). */
static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct live_job *job = arg;
	struct live_src *ls = job->ls;
	sf_status st = SF_OK;

	(void)timeouts;
	if (job->prev)
		job->prev->next = job->next;
	else
		ls->jobs = job->next;
	if (job->next)
		job->next->prev = job->prev;
	if (ls->detaching) {
		free(job);
		return;
	}
	/*
	 * c-ares hands over the message for NXDOMAIN (ARES_ENOTFOUND) and
	 * NODATA too; without one (timeout, refused, ...) only the status
	 * tells what happened.
	 */
	if (abuf && alen > 0 && status != ARES_ECANCELLED && status != ARES_EDESTRUCTION)
		st = parse_answer(abuf, alen, job->q);
	else
		job->q->rcode = map_status(status);
	job->done(job->arg, job->q, st);
	free(job);
}

static void on_sock(evutil_socket_t fd, short what, void *arg)
{
	struct live_src *ls = arg;

	ares_process_fd(ls->ch, (what & EV_READ) ? (ares_socket_t)fd : ARES_SOCKET_BAD,
			(what & EV_WRITE) ? (ares_socket_t)fd : ARES_SOCKET_BAD);
	reschedule(ls);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct live_src *ls = arg;

	(void)fd;
	(void)what;
	/* Let c-ares handle its timeouts and retries. */
	ares_process_fd(ls->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	reschedule(ls);
}

/* Arms the timer for c-ares's next timeout, if any query is in flight. */
static void reschedule(struct live_src *ls)
{
	struct timeval tv, *tvp;

	if (!ls->timer)
		return;
	if (!ls->jobs) {
		evtimer_del(ls->timer);
		return;
	}
	tvp = ares_timeout(ls->ch, NULL, &tv);
	if (tvp)
		evtimer_add(ls->timer, tvp);
}

/* ARES_OPT_SOCK_STATE_CB: c-ares opened, changed or closed a socket. */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct live_src *ls = data;
	struct live_sock **pp, *k;

	for (pp = &ls->socks; *pp && (*pp)->fd != fd; pp = &(*pp)->next)
		;
	k = *pp;
	if (!readable && !writable) {
		if (k) {
			*pp = k->next;
			event_free(k->ev);
			free(k);
		}
		return;
	}
	if (!ls->loop)
		return;
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return; /* the query times out */
		k->fd = fd;
		k->next = ls->socks;
		ls->socks = k;
	} else {
		event_free(k->ev);
	}
	k->ev = event_new(ls->loop, (evutil_socket_t)fd,
			  (short)(EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0)),
			  on_sock, ls);
	if (k->ev)
		event_add(k->ev, NULL);
}

static sf_status live_attach(sf_dns_source *src, struct event_base *base)
{
	struct live_src *ls = (struct live_src *)src;

	if (ls->loop)
		return ls->loop == base ? SF_OK : SF_EINVAL;
	ls->timer = evtimer_new(base, on_timer, ls);
	if (!ls->timer)
		return SF_ENOMEM;
	ls->loop = base;
	return SF_OK;
}

static void live_detach(sf_dns_source *src)
{
	struct live_src *ls = (struct live_src *)src;

	if (!ls->loop)
		return;
	/* Whatever is still open runs its callback with ARES_ECANCELLED: dropped. */
	ls->detaching = true;
	ares_cancel(ls->ch);
	ls->detaching = false;
	while (ls->socks) {
		struct live_sock *k = ls->socks;

		ls->socks = k->next;
		event_free(k->ev);
		free(k);
	}
	event_free(ls->timer);
	ls->timer = NULL;
	ls->loop = NULL;
}

static sf_status live_submit(sf_dns_source *src, sf_dns_query *q, sf_dns_done_fn done, void *arg)
{
	struct live_src *ls = (struct live_src *)src;
	struct live_job *job;

	if (!ls->loop)
		return SF_EINVAL;
	q->rr = NULL;
	q->n_rr = 0;
	q->rcode = SF_DNS_ERROR;
	job = calloc(1, sizeof(*job));
	if (!job)
		return SF_ENOMEM;
	job->ls = ls;
	job->q = q;
	job->done = done;
	job->arg = arg;
	job->next = ls->jobs;
	if (ls->jobs)
		ls->jobs->prev = job;
	ls->jobs = job;
	/* RFC 1035 4.1.2: class IN; c-ares sets RD (no ARES_FLAG_NORECURSE). */
	ares_query(ls->ch, q->name, KNOT_CLASS_IN, q->type, on_answer, job);
	reschedule(ls);
	return SF_OK;
}

struct sync_batch {
	size_t pending;
	sf_status st;
};

static void sync_done(void *arg, sf_dns_query *q, sf_status st)
{
	struct sync_batch *b = arg;

	(void)q;
	b->pending--;
	if (st != SF_OK)
		b->st = st;
}

/*
 * The blocking form: every query at once on a loop of its own, until all
 * answered (c-ares times each try out itself: two tries within the
 * source's timeout).  Returns SF_OK or SF_ENOMEM.
 */
static sf_status live_resolve(sf_dns_source *src, sf_dns_query *q, size_t n)
{
	struct live_src *ls = (struct live_src *)src;
	struct sync_batch b = { .pending = 0, .st = SF_OK };
	struct event_base *base;
	sf_status st;

	if (n == 0)
		return SF_OK;
	if (ls->loop)
		return SF_EINVAL; /* bound to a run's loop */
	base = event_base_new();
	if (!base)
		return SF_ENOMEM;
	st = live_attach(src, base);
	for (size_t i = 0; i < n && st == SF_OK; i++) {
		q[i].rr = NULL;
		q[i].n_rr = 0;
		q[i].rcode = SF_DNS_ERROR;
		if (!q[i].name)
			continue;
		st = live_submit(src, &q[i], sync_done, &b);
		if (st == SF_OK)
			b.pending++;
	}
	while (st == SF_OK && b.pending > 0)
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			st = SF_EINTERNAL;
	live_detach(src);
	event_base_free(base);
	return st != SF_OK ? st : b.st;
}

static void live_free(sf_dns_source *src)
{
	struct live_src *ls = (struct live_src *)src;

	if (!ls)
		return;
	live_detach(src);
	if (ls->ch)
		ares_destroy(ls->ch);
	free(ls);
}

static const struct sf_dns_ops live_ops = {
	.resolve = live_resolve,
	.attach = live_attach,
	.submit = live_submit,
	.detach = live_detach,
	.free = live_free,
};

/* Parses a decimal port 1..65535 that fills @s. */
static int parse_port(const char *s, unsigned *out_port)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out_port = (unsigned)v;
	return 0;
}

/*
 * Turns "IP", "IP:PORT", "[IPv6]:PORT" (or a bare IPv6 address) into the
 * "ADDR:PORT" / "[ADDR]:PORT" form ares_set_servers_ports_csv() takes.
 * Returns 0, or -1 if the text is not one of these.
 */
static int resolver_csv(const char *text, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	unsigned char addr[sizeof(struct in6_addr)];
	const char *port_s = NULL, *colon;
	unsigned port = 53;
	size_t hlen;
	bool v6;
	int r;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return -1;
		hlen = (size_t)(close - text - 1);
		if (close[1] == ':')
			port_s = close + 2;
		else if (close[1] != '\0')
			return -1;
		text++;
		v6 = true;
	} else if (inet_pton(AF_INET6, text, addr) == 1) {
		hlen = strlen(text);
		v6 = true;
	} else {
		colon = strchr(text, ':');
		hlen = colon ? (size_t)(colon - text) : strlen(text);
		if (colon)
			port_s = colon + 1;
		v6 = false;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -1;
	if (port_s && parse_port(port_s, &port) != 0)
		return -1;
	r = snprintf(out, outlen, v6 ? "[%s]:%u" : "%s:%u", host, port);
	return r > 0 && (size_t)r < outlen ? 0 : -1;
}

sf_status sf_dns_live_new(const char *resolver, int timeout_ms,
			  sf_dns_source **out_src, char *err, size_t errlen)
{
	struct ares_options opt;
	struct live_src *ls = NULL;
	char csv[INET6_ADDRSTRLEN + 16];
	sf_status st = SF_ENOMEM;
	int r;

	*out_src = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (resolver && resolver_csv(resolver, csv, sizeof(csv)) != 0) {
		snprintf(err, errlen, "invalid resolver '%s': expected IP[:PORT]", resolver);
		return SF_EINVAL;
	}
	if (!lib_inited) {
		r = ares_library_init(ARES_LIB_INIT_ALL);
		if (r != ARES_SUCCESS) {
			snprintf(err, errlen, "cannot initialise c-ares: %s", ares_strerror(r));
			return SF_ENET;
		}
		lib_inited = true;
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ls->base.ops = &live_ops;
	ls->timeout_ms = timeout_ms > 0 ? timeout_ms : LIVE_DEFAULT_TIMEOUT_MS;

	/*
	 * Three tries; c-ares doubles the wait of each round, so with one
	 * server a seventh of the budget for the first try makes all fit
	 * (1 + 2 + 4): a datagram lost in a burst is asked again early.
	 */
	memset(&opt, 0, sizeof(opt));
	/*
	 * NOCHECKRESP: hand SERVFAIL / REFUSED answers to us instead of
	 * retrying; c-ares 1.18 would otherwise report a REFUSED (an
	 * authoritative server asked for a name outside its zones) as
	 * ARES_ECONNREFUSED.
	 */
	opt.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
	opt.timeout = ls->timeout_ms / 7 > 0 ? ls->timeout_ms / 7 : 1;
	opt.tries = 3;
	/* The sockets are watched by the loop the source is attached to. */
	opt.sock_state_cb = on_sock_state;
	opt.sock_state_cb_data = ls;
	r = ares_init_options(&ls->ch, &opt,
			      ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
				      ARES_OPT_SOCK_STATE_CB);
	if (r != ARES_SUCCESS) {
		ls->ch = NULL;
		st = r == ARES_ENOMEM ? SF_ENOMEM : SF_ENET;
		snprintf(err, errlen, "cannot initialise the resolver: %s", ares_strerror(r));
		goto out;
	}
	if (resolver) {
		r = ares_set_servers_ports_csv(ls->ch, csv);
		if (r != ARES_SUCCESS) {
			st = r == ARES_ENOMEM ? SF_ENOMEM : SF_EINVAL;
			snprintf(err, errlen, "cannot use resolver '%s': %s", resolver,
				 ares_strerror(r));
			goto out;
		}
	}
	*out_src = &ls->base;
	ls = NULL;
	st = SF_OK;
out:
	live_free(ls ? &ls->base : NULL);
	return st;
}

/* Contract in dns.h. */
char *sf_dns_live_servers(const sf_dns_source *src)
{
	const struct live_src *ls = (const struct live_src *)src;
	struct ares_addr_port_node *list = NULL;
	char *out = NULL;
	size_t len = 0;

	if (!src || src->ops != &live_ops || ares_get_servers_ports(ls->ch, &list) != ARES_SUCCESS)
		return NULL;
	for (struct ares_addr_port_node *n = list; n; n = n->next) {
		char a[INET6_ADDRSTRLEN], one[INET6_ADDRSTRLEN + 16];
		int port = n->udp_port ? n->udp_port : 53;
		char *v;
		size_t k;

		if (!inet_ntop(n->family, n->family == AF_INET ? (const void *)&n->addr.addr4
							      : (const void *)&n->addr.addr6,
			       a, sizeof(a)))
			continue;
		snprintf(one, sizeof(one), n->family == AF_INET ? "%s:%d" : "[%s]:%d", a, port);
		k = strlen(one);
		v = realloc(out, len + k + 3);
		if (!v) {
			free(out);
			out = NULL;
			break;
		}
		out = v;
		if (len) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, one, k + 1);
		len += k;
	}
	ares_free_data(list);
	return out;
}
