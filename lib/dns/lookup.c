/* Lookups with their CNAME chains (contract in lookup.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_wire.h"
#include "dns/lookup.h"
#include "util/util.h"

void sf_lookup_init(sf_lookup *l, uint16_t type, const char *a, const char *b)
{
	sf_lookup_release(l);
	memset(l, 0, sizeof(*l));
	if (b)
		snprintf(l->name, sizeof(l->name), "%s.%s", a, b);
	else
		snprintf(l->name, sizeof(l->name), "%s", a);
	snprintf(l->cur, sizeof(l->cur), "%s", l->name);
	l->type = type;
}

void sf_lookup_release(sf_lookup *l)
{
	free(l->alias);
	for (size_t k = 0; k < l->n_rr; k++)
		sf_dns_rr_release(&l->rr[k]);
	free(l->rr);
	l->alias = NULL;
	l->rr = NULL;
	l->n_rr = 0;
}

int sf_lookup_absorb(sf_lookup *l, const sf_dns_query *q)
{
	size_t n_type = 0;
	char end[256];

	if (l->round++ == 0) {
		l->rcode = q->rcode;
		for (size_t i = 0; i < q->n_rr; i++) {
			if (q->rr[i].type == SF_T_CNAME && strcmp(q->rr[i].owner, l->name) == 0 &&
			    !l->alias && !(l->alias = sf_strdup(q->rr[i].data)))
				return -1;
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
			if (sf_dns_rr_copy(&q->rr[i], NULL, &l->rr[l->n_rr]) != SF_OK)
				return -1;
			l->n_rr++;
		}
		return 0;
	}
	if (l->type == SF_T_CNAME || q->rcode != SF_DNS_NOERROR || l->round > SF_LOOKUP_MAX_CHAIN)
		return 0;
	/* Follow the chain inside the answer, then ask for its end. */
	snprintf(end, sizeof(end), "%s", l->cur);
	for (int hop = 0; hop < SF_LOOKUP_MAX_CHAIN; hop++) {
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
	if (strcmp(end, l->cur) == 0)
		return 0;
	snprintf(l->cur, sizeof(l->cur), "%s", end);
	return 1;
}

int sf_lookup_take_addrs(sf_lookup *a, sf_lookup *aaaa, char ***out_addrs, size_t *n_addrs)
{
	size_t n = a->n_rr + aaaa->n_rr;

	if (n == 0)
		return 0;
	*out_addrs = calloc(n, sizeof(**out_addrs));
	if (!*out_addrs)
		return -1;
	for (size_t k = 0; k < a->n_rr; k++) {
		(*out_addrs)[(*n_addrs)++] = a->rr[k].data;
		a->rr[k].data = NULL;
	}
	for (size_t k = 0; k < aaaa->n_rr; k++) {
		(*out_addrs)[(*n_addrs)++] = aaaa->rr[k].data;
		aaaa->rr[k].data = NULL;
	}
	return 0;
}
