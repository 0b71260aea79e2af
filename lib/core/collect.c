/*
 * Blocking lookups outside a run: the addresses of a name with its CNAME
 * chain followed (the peer of --peer-host, sipfed plan --check), and the
 * release of a result.  The checks themselves are jobs of a run
 * (lib/run/job.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

#define MAX_CHAIN 8

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
