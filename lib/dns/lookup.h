/*
 * A lookup: one name and type with the CNAME chain followed to its end, as
 * the collectors need it (an authoritative server stops at its zone cut, a
 * recursive one does not: both give the same facts).  What to ask next is
 * decided here from each answer; who asks (a run's loop, a blocking batch)
 * is the caller's business.
 */
#ifndef SF_DNS_LOOKUP_H
#define SF_DNS_LOOKUP_H

#include "dns/dns.h"

/* At most this many CNAME links are followed. */
#define SF_LOOKUP_MAX_CHAIN 8

typedef struct sf_lookup {
	char name[256];     /* asked */
	char cur[256];      /* to ask now: the end of the chain so far */
	int round;          /* answers absorbed so far */
	uint16_t type;
	sf_dns_rcode rcode; /* of the first query (does the name exist?) */
	sf_dns_rcode final; /* of the last query of the chain */
	char *alias;        /* the name itself is a CNAME to this */
	sf_dns_rr *rr;      /* records of the asked type at the end of the chain */
	size_t n_rr;
} sf_lookup;

/* Sets @l to ask @type of "@a.@b" (or "@a" when @b is NULL). */
void sf_lookup_init(sf_lookup *l, uint16_t type, const char *a, const char *b);

/*
 * Takes what @q (the answer to l->cur) says: the records of the asked type
 * (copied), and the end of the CNAME chain the answer leaves open.
 * Returns 1 if the chain must be followed with another query for l->cur
 * (updated), 0 if the lookup is done, -1 on out-of-memory.
 */
int sf_lookup_absorb(sf_lookup *l, const sf_dns_query *q);

/* Frees what @l holds (it can be absorbed into again after sf_lookup_init). */
void sf_lookup_release(sf_lookup *l);

/*
 * Moves the addresses of an A + AAAA lookup pair (A first) into a new array
 * (*out_addrs, *n_addrs added to); returns 0 or -1 on out-of-memory.
 */
int sf_lookup_take_addrs(sf_lookup *a, sf_lookup *aaaa, char ***out_addrs, size_t *n_addrs);

#endif
