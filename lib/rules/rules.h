/*
 * The rule engine: pure functions from facts to findings.  Nothing here does
 * I/O or knows whether the facts came from the network or from a lab; the
 * collector (lib/core/collect.c) fills the facts through the DNS and TLS
 * sources.  The rules verify nothing and load nothing: what verification
 * says about a chain is a fact (sf_chain_facts), collected beforehand.
 */
#ifndef SF_RULES_H
#define SF_RULES_H

#include <libpsl.h>
#include <openssl/x509.h>

#include "dns/dns.h"
#include "http/http.h"
#include "sipfed/sipfed.h"
#include "tls/tls.h"
#include "x509/x509.h"

/* What the rules need besides the facts. */
typedef struct sf_rule_env {
	sf_profile profile;
	const char *const *hosting; /* hosting-provider FQDNs, normalised */
	size_t n_hosting;
	time_t now;
	const psl_ctx_t *psl;       /* public suffixes (DNS-010, CERT-011) */
	/*
	 * Direct Routing data (data/dr/, loaded in the dr profile; NULL / 0
	 * when not loaded): the cipher suites Microsoft accepts (IANA or
	 * OpenSSL names, TLS-001) and the roots it trusts ("sha256:<hex>",
	 * "cn:<text>", "o:<text>", lowercase; CERT-005), with the file it
	 * came from for messages.
	 */
	const char *const *dr_ciphers;
	size_t n_dr_ciphers;
	const char *const *dr_roots;
	size_t n_dr_roots;
	const char *dr_roots_file;
	int expiry_days;            /* CERT-004 warning window in days; 0 = 30 */
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
	size_t srv_not_probed;   /* SRV records beyond the ones probed (addresses, TLS): not judged */
	struct sf_client_facts *client; /* --client: CLI-001..004 facts, NULL if not collected */
} sf_domain_facts;

/* Frees what one SRV record's facts own. */
void sf_srv_facts_release(sf_srv_facts *s);
void sf_domain_facts_release(sf_domain_facts *f);

/* The values of a table template's placeholders (NULL = empty). */
typedef struct sf_rule_args {
	const char *d; /* SIP domain */
	const char *s; /* subject */
	const char *x, *y; /* details */
	const char *p, *f; /* planned, found (sipfed plan) */
} sf_rule_args;

/* Expands a message or fix template of the table; malloc'd, NULL on out-of-memory. */
char *sf_rule_expand(const char *tpl, const sf_rule_args *a);

/* Appends a finding built from the table row of @rule (severity for the
 * profile; a rule with no severity in this profile is dropped).  Returns 0
 * or -1 on out-of-memory. */
int sf_findings_add(sf_findings *out, sf_profile profile, sf_rule rule, const char *domain,
		    const char *subject, const char *x, const char *y);
/* The same, for a certificate of @role: the Microsoft view is that of its checker. */
int sf_findings_add_as(sf_findings *out, sf_profile profile, sf_role role, sf_rule rule,
		       const char *domain, const char *subject, const char *x, const char *y);
/* Sorts by severity (error first), stable. */
void sf_findings_sort(sf_findings *f);

/*
 * What the Microsoft side reports for the row @ri as the side that checks
 * sees it (an Edge; Direct Routing for profile dr / role sbc; the Skype for
 * Business servers for role um): @ri, or @tmp filled in with borrowed
 * strings.  The writers use it.  Contract at the definition (cert_rules.c).
 */
const sf_rule_info *sf_rules_microsoft(const sf_rule_info *ri, sf_profile profile,
				       sf_role role, sf_rule_info *tmp);

/* Is @target acceptable for @domain (one label below it, or a hosting provider)? */
int sf_rules_target_ok(const sf_rule_env *env, const char *domain, const char *target);

/*
 * Every rule on the facts of a domain: DNS, then NET/TLS and CERT for each
 * distinct SRV target and port.  Findings are appended, sorted by severity.
 */
sf_status sf_rules_evaluate(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out);

/*
 * Why the text address @addr is not publicly routable ("private, RFC 1918",
 * "loopback", ...), or NULL if it is public.  DNS-009, DR-001.
 */
const char *sf_rules_address_class(const char *addr);

/* Is the top-level label of @name a public suffix (not .local, .lab, ...)? */
int sf_rules_public_tld(const sf_rule_env *env, const char *name);

/* DNS-001..011, FED-002 on the DNS facts of a domain. */
sf_status sf_rules_dns(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out);

/* NET-001, TLS-001..004 on what the TLS source saw for one SRV record. */
sf_status sf_rules_tls(const sf_rule_env *env, const sf_srv_facts *s, sf_findings *out);

/*
 * CERT-001..012 on a presented chain (leaf first) and what verification
 * said of it (@cf, collected; a chain without collected facts counts as
 * untrusted).  @expected is the name a
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

sf_status sf_rules_cert(const sf_rule_env *env, STACK_OF(X509) *chain,
			const sf_chain_facts *cf, const char *expected, sf_role role, int mutual,
			int presented, sf_findings *out, sf_cert_detail *out_detail);

/*
 * FED-001 (lib/rules/fed_rules.c), the inbound callback: @r is the result of
 * the normal check of a domain (its SRV records and findings); @peer_leaf the
 * certificate the peer presents; @peer (may be NULL) the findings of
 * sf_rules_cert() on the peer's whole chain.  Appends FED-001: an error when
 * a DNS rule of DNS-001..009 failed, or when the peer's certificate carries
 * none of the SRV targets that pass DNS-005; an error too when it carries
 * one but @peer holds an error that makes the Edge refuse the peer in the
 * TLS handshake (CERT-004 expired / not yet valid, CERT-005); info when the
 * Edge accepts the domain.
 */
sf_status sf_rules_callback(const sf_rule_env *env, const sf_result *r, X509 *peer_leaf,
			    const sf_findings *peer, sf_findings *out);

/*
 * FED-003: @proxy_fqdn (an allow-list ProxyFqdn) against the SRV targets of
 * @domain.  Appends a warning if no target equals it; nothing without SRV.
 */
sf_status sf_rules_allow(const sf_rule_env *env, const char *domain, const char *proxy_fqdn,
			 const sf_srv_result *srv, size_t n_srv, sf_findings *out);

/*
 * FED-003 on an allow-list entry with a ProxyFqdn (direct federation: the
 * Edge routes the domain's requests to that FQDN and accepts the partner by
 * it, without the SRV lookup): the checked domain's result (its SRV records
 * and its findings) and the addresses of the ProxyFqdn.
 */
typedef struct sf_allow_facts {
	const char *domain;
	const char *proxy_fqdn;
	const sf_srv_result *srv;  /* the result's SRV records */
	size_t n_srv;
	const sf_findings *found;  /* the result's findings (DNS-001..003: no usable SRV) */
	int proxy_looked_up;       /* 0: the ProxyFqdn's addresses were not asked for */
	sf_dns_rcode proxy_rcode;  /* of its A / AAAA lookups */
	char *const *proxy_addrs;  /* A then AAAA */
	size_t n_proxy_addrs;
} sf_allow_facts;

/*
 * Appends FED-003: a warning when the domain has no usable SRV record
 * (DNS-001 / DNS-003, with DNS-002) — this Edge does not need it, partners
 * that find the domain by DNS do — and an error when the ProxyFqdn (not
 * one of the SRV targets, whose addresses DNS-009 checks) has no address.
 * *out_srv_moot (may be NULL) is set to 1 when the SRV findings
 * DNS-001..003 do not apply to this Edge: the caller drops them (the
 * warning repeats what they said).  Nothing without a ProxyFqdn.
 */
sf_status sf_rules_allow_proxy(const sf_rule_env *env, const sf_allow_facts *a,
			       sf_findings *out, int *out_srv_moot);

/* Is @rule one of the "no usable SRV record" outcomes DNS-001..003? */
int sf_rules_srv_lookup_rule(sf_rule rule);

/*
 * DR-001 (lib/rules/dr_rules.c) on a Direct Routing SBC FQDN: not under
 * onmicrosoft.com; resolves (@rcode, @addrs) to public addresses only.
 */
sf_status sf_rules_sbc(const sf_rule_env *env, const char *fqdn, sf_dns_rcode rcode,
		       char *const *addrs, size_t n_addrs, sf_findings *out);

/* Is @cipher (IANA name, as in sf_tls_facts) in env->dr_ciphers? */
int sf_rules_dr_cipher_ok(const sf_rule_env *env, const char *cipher);

/*
 * Is @root in env->dr_roots (SHA-256 fingerprint, subject CN or O)?  Returns
 * 1 or 0, -1 on an internal error.
 */
int sf_rules_dr_root_listed(const sf_rule_env *env, X509 *root);

/*
 * Client discovery (`check --client`, CLI-001..004, lib/rules/client_rules.c).
 * A host name a client looks up: lyncdiscover.<d>, lyncdiscoverinternal.<d>,
 * meet.<d>, dialin.<d>.
 */
typedef struct sf_client_host {
	char *name;               /* NULL: not collected */
	sf_dns_rcode rcode;       /* of the address lookups (NXDOMAIN: no such name) */
	char *alias;              /* the name is a CNAME to this (the published link) */
	char *canonical;          /* end of the CNAME chain (owner of the addresses), or NULL */
	char **addrs;             /* A then AAAA */
	size_t n_addrs;
	int tls_checked;          /* the TLS source was asked about name at port 443 */
	sf_tls_facts tls;
	sf_http_answer https, http; /* the autodiscover request (lyncdiscover names only) */
} sf_client_host;

typedef struct sf_client_facts {
	sf_dns_rcode sip_rcode;   /* of the _sip._tls.<d> SRV lookup */
	sf_srv_facts *sip;        /* its records (TLS at each record's port) */
	size_t n_sip;
	sf_client_host discover;  /* lyncdiscover.<d> */
	sf_client_host internal;  /* lyncdiscoverinternal.<d> */
	sf_client_host meet;      /* meet.<d> */
	sf_client_host dialin;    /* dialin.<d> */
	char *dialin_shared;      /* dial-in host of an earlier domain on the same address */
	/*
	 * CLI-004: that earlier host as this check saw it (name = dialin_shared,
	 * the shared address, its certificate on port 443 when a TLS source
	 * exists), so that the one to keep is the one that works, whatever the
	 * order of the domains.  Empty (name NULL) without dialin_shared.
	 */
	sf_client_host dialin_other;
} sf_client_facts;

/* Frees the facts and what they own; NULL is a no-op. */
void sf_client_facts_free(sf_client_facts *c);
/* Frees what one client host's facts own and zeroes them. */
void sf_client_host_release(sf_client_host *h);

/* CLI-001..004 on f->client (nothing if NULL); findings appended, not sorted. */
sf_status sf_rules_client(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out);

/*
 * CLI-004, one dial-in URL per deployment: of c->dialin (this domain's) and
 * c->dialin_other (an earlier domain's on the same web server), which one
 * to keep?  The one that passes its checks (resolves, its certificate on
 * port 443 covers it and is valid); if both or neither do (or no
 * certificate was checked), the earlier one (the domain given first).
 * Returns 1 for this domain's, 0 for the earlier one, -1 on an internal
 * error; nothing to choose (no dialin_shared) is 0.
 */
int sf_rules_dialin_keep_own(const sf_rule_env *env, const sf_client_facts *c);

/*
 * The autodiscover answer whose links a result reports: the first valid one
 * of lyncdiscover over HTTPS, over HTTP, then lyncdiscoverinternal; NULL if
 * none.
 */
const sf_http_answer *sf_client_links_answer(const sf_client_facts *c);

#endif
