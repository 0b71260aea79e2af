/*
 * The rule engine: pure functions from facts to findings.  Nothing here does
 * I/O or knows whether the facts came from the network or from a lab; the
 * collector (lib/core/collect.c) fills the facts through the DNS and TLS
 * sources.  Chain verification uses the X509_STORE in the environment.
 */
#ifndef SF_RULES_H
#define SF_RULES_H

#include <libpsl.h>
#include <openssl/x509.h>

#include "dns/dns.h"
#include "sipfed/sipfed.h"
#include "tls/tls.h"
#include "x509/x509.h"

/* What the rules need besides the facts. */
typedef struct sf_rule_env {
	sf_profile profile;
	const char *const *hosting; /* hosting-provider FQDNs, normalised */
	size_t n_hosting;
	time_t now;
	sf_trust *trust;            /* chain verification (lib/x509) */
	const psl_ctx_t *psl;       /* public suffixes (DNS-010, CERT-011) */
} sf_rule_env;

/* Facts about one SRV record of _sipfederationtls._tcp.<domain>. */
typedef struct sf_srv_facts {
	uint16_t priority, weight, port;
	char *target;           /* normalised; "." for the root */
	char *target_cname;     /* the canonical name if target is an alias (DNS-008) */
	sf_dns_rcode addr_rcode; /* outcome of the address lookups */
	char **addrs;           /* A then AAAA */
	size_t n_addrs;
	int tls_checked;        /* a TLS source was asked about target:port */
	sf_tls_facts tls;
} sf_srv_facts;

typedef struct sf_domain_facts {
	char *domain;            /* normalised */
	sf_dns_rcode srv_rcode;
	char *owner_alias;       /* the owner is a CNAME to this (DNS-003) */
	char *owner_txt;         /* the owner holds this TXT and no SRV (DNS-003) */
	sf_srv_facts *srv;
	size_t n_srv;
	/* DNS-002: misspelt owners found: "owner" and the record "p w port target." */
	sf_strv misspelt_owner, misspelt_rdata;
	char *wildcard_name;     /* DNS-011: a random name that resolved */
} sf_domain_facts;

void sf_domain_facts_release(sf_domain_facts *f);

/* Appends a finding built from the table row of @rule (severity for the
 * profile; a rule with no severity in this profile is dropped).  Returns 0
 * or -1 on out-of-memory. */
int sf_findings_add(sf_findings *out, sf_profile profile, sf_rule rule, const char *domain,
		    const char *subject, const char *x, const char *y);
/* Sorts by severity (error first), stable. */
void sf_findings_sort(sf_findings *f);

/* Is @target acceptable for @domain (one label below it, or a hosting provider)? */
int sf_rules_target_ok(const sf_rule_env *env, const char *domain, const char *target);

/*
 * Every rule on the facts of a domain: DNS, then NET/TLS and CERT for each
 * distinct SRV target and port.  Findings are appended, sorted by severity.
 */
sf_status sf_rules_evaluate(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out);

/* Is the top-level label of @name a public suffix (not .local, .lab, ...)? */
int sf_rules_public_tld(const sf_rule_env *env, const char *name);

/* DNS-001..011, FED-002 on the DNS facts of a domain. */
sf_status sf_rules_dns(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out);

/* NET-001, TLS-001..004 on what the TLS source saw for one SRV record. */
sf_status sf_rules_tls(const sf_rule_env *env, const sf_srv_facts *s, sf_findings *out);

/*
 * CERT-001..012 on a presented chain (leaf first).  @expected is the name a
 * peer expects (SRV target) or NULL; @mutual: the certificate is also used as
 * a client certificate (Edge / SBC).  @presented: chain came from a TLS
 * handshake (incomplete chains are TLS-002 then, CERT-005 otherwise).
 * out_detail (may be NULL) receives the match and verification details.
 */
typedef struct sf_cert_detail {
	int name_match;      /* 1/0, -1 if no expected name */
	char *matched_as;    /* the certificate name that matched */
	int chain_trusted;
	char *chain_error;
} sf_cert_detail;

void sf_cert_detail_release(sf_cert_detail *d);

sf_status sf_rules_cert(const sf_rule_env *env, STACK_OF(X509) *chain, const char *expected,
			sf_role role, int mutual, int presented, sf_findings *out,
			sf_cert_detail *out_detail);

#endif
