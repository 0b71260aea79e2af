/*
 * Blocking lookups outside a run: the addresses of a name with its CNAME
 * chain followed (the peer of --peer-host, sipfed plan --check), and the
 * release of a result.  The checks themselves are jobs of a run
 * (lib/run/job.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "dns/lookup.h"
#include "util/util.h"

/* Resolves every lookup of @l (blocking), following the CNAME chains the answers leave open. */
static sf_status lookup_batch(sf_ctx *ctx, sf_lookup *l, size_t n)
{
	sf_dns_query *q = calloc(n ? n : 1, sizeof(*q));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	size_t pending = 0;
	sf_status st = SF_ENOMEM;

	if (!q || !idx)
		goto out;
	for (size_t i = 0; i < n; i++)
		idx[pending++] = i;
	/* sf_lookup_absorb() stops following after SF_LOOKUP_MAX_CHAIN links */
	while (pending > 0) {
		size_t next = 0;

		for (size_t k = 0; k < pending; k++) {
			memset(&q[k], 0, sizeof(q[k]));
			q[k].name = l[idx[k]].cur;
			q[k].type = l[idx[k]].type;
		}
		st = sf_dns_resolve(ctx->dns, q, pending);
		for (size_t k = 0; k < pending && st == SF_OK; k++) {
			int r = sf_lookup_absorb(&l[idx[k]], &q[k]);

			if (r < 0)
				st = SF_ENOMEM;
			else if (r == 1)
				idx[next++] = idx[k];
		}
		for (size_t k = 0; k < pending; k++)
			sf_dns_query_release(&q[k]);
		if (st != SF_OK)
			goto out;
		pending = next;
	}
	st = SF_OK;
out:
	free(q);
	free(idx);
	return st;
}

/* Contract in core/core.h. */
sf_status sf_collect_addrs(sf_ctx *ctx, const char *name, sf_strv *out_addrs,
			   sf_dns_rcode *out_rcode, char **out_alias)
{
	sf_lookup l[2];
	sf_status st;

	memset(l, 0, sizeof(l));
	if (out_alias)
		*out_alias = NULL;
	*out_rcode = SF_DNS_ERROR;
	sf_lookup_init(&l[0], SF_T_A, name, NULL);
	sf_lookup_init(&l[1], SF_T_AAAA, name, NULL);
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
	sf_lookup_release(&l[0]);
	sf_lookup_release(&l[1]);
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
	free(r->dns_source);
	free(r->tls_source);
	for (size_t i = 0; i < r->n_certs; i++)
		sf_cert_info_release(&r->certs[i]);
	free(r->certs);
	free(r);
}
