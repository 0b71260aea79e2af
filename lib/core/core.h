/* The context shared by check and cert (private). */
#ifndef SF_CORE_H
#define SF_CORE_H

#include <libpsl.h>

#include "dns/dns.h"
#include "rules/rules.h"
#include "sipfed/sipfed.h"
#include "tls/tls.h"
#include "x509/x509.h"

struct sf_ctx {
	sf_profile profile;
	int timeout_ms;
	int no_probe_misspellings;
	time_t at;
	sf_dns_source *dns;
	sf_tls_source *tls; /* NULL: TLS not checked (offline DNS without --certs) */
	int tls_offline;    /* tls reads a lab directory (--certs): no address needed */
	sf_trust *trust;
	psl_ctx_t *psl;
	sf_strv hosting;
	/* --client (lib/core/collect.c): the HTTP source (NULL: not checked, as for tls) and
	 * the dial-in hosts seen so far in this run, by address (CLI-004), bounded. */
	int client;
	sf_http_source *http;
	sf_strv dialin_addr, dialin_host;
	/* Direct Routing data (lib/core/dr.c), loaded in the dr profile. */
	sf_strv dr_ciphers, dr_roots;
	char *dr_ciphers_file, *dr_roots_file;
	sf_rule_env env;
	/* What results name as their sources (sf_result.dns_source / tls_source). */
	char *dns_desc, *tls_desc;
	char err[1024];
};

/*
 * The facts of the certificate @t shows at @host:@port for a result
 * (sf_cert_info), at the context's time.  SF_OK or SF_ENOMEM.
 * lib/core/certinfo.c.
 */
sf_status sf_cert_info_fill(const sf_ctx *ctx, const char *host, uint16_t port,
			    const sf_tls_facts *t, sf_cert_info *out);
void sf_cert_info_release(sf_cert_info *c);

/*
 * The collector's last step on a fetched chain: its verification against
 * the context's trust stores at the context's time, into t->cf.  Returns
 * SF_OK (also when there is no chain), or SF_ENOMEM.
 */
sf_status sf_collect_chain(const sf_ctx *ctx, sf_tls_facts *t);

/*
 * A peer from the chain a TLS connection presented (leaf first; references
 * taken), its verification collected at once.  SF_EINVAL for an empty
 * chain, SF_ENOMEM.  For the Edge emulator's inbound connections.
 */
sf_status sf_peer_from_chain(const sf_ctx *ctx, STACK_OF(X509) *chain, const char *label,
			     sf_peer **out_peer);

/* The peer's chain (leaf first), its verification, and whether a handshake presented it. */
STACK_OF(X509) *sf_peer_chain(const sf_peer *p);
const sf_chain_facts *sf_peer_chain_facts(const sf_peer *p);
int sf_peer_presented(const sf_peer *p);

/* Whether the client-discovery checks run (--client). */
int sf_ctx_client(const sf_ctx *ctx);

/* Records a message for sf_ctx_error(); returns @st. */
sf_status sf_ctx_fail(sf_ctx *ctx, sf_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The addresses of @name (A then AAAA, text), CNAME chains followed as for
 * SRV targets.  *out_rcode: NOERROR (no address then means NODATA),
 * NXDOMAIN, or the operational failure (timeout, SERVFAIL); *out_alias
 * (may be NULL): the name is a CNAME to this (owned) or NULL.  Returns
 * SF_OK, or SF_ENOMEM.  lib/core/collect.c.
 */
sf_status sf_collect_addrs(sf_ctx *ctx, const char *name, sf_strv *out_addrs,
			   sf_dns_rcode *out_rcode, char **out_alias);

/*
 * Splits "HOST[:PORT]" into a normalised host name (no wildcard, not the
 * root) and a port (default @dflt).  Returns 0, or -1 if malformed.
 * lib/core/callback.c.
 */
int sf_core_host_port(const char *s, uint16_t dflt, char *host, size_t hostlen,
		      uint16_t *out_port);

/* Moves the findings of @from to the end of @to (skipping, with @dedupe, one already there). */
sf_status sf_core_move_findings(sf_findings *to, sf_findings *from, int dedupe);

/* A ProxyFqdn of the allow list and its addresses, as collected. */
typedef struct sf_allow_proxy_facts {
	const char *fqdn;
	sf_dns_rcode rcode;
	sf_strv addrs; /* A then AAAA */
} sf_allow_proxy_facts;

/*
 * The ProxyFqdn of @domain's allow-list entries that are not among its SRV
 * targets (their addresses are the collector's to look up), appended to
 * @out once each.  0, or -1 on out-of-memory.
 */
int sf_core_allow_proxies(const sf_allow_list *l, const char *domain, const sf_srv_facts *srv,
			  size_t n_srv, sf_strv *out);

/*
 * FED-003 on @r (the judged domain) for its entries of @l, with the
 * addresses collected for @p: the findings are added, DNS-001..003 dropped
 * when this Edge does not need the SRV record.  Pure.  SF_OK or SF_ENOMEM.
 */
sf_status sf_core_judge_allow(const sf_rule_env *env, const sf_allow_list *l, sf_result *r,
			      const sf_allow_proxy_facts *p, size_t n_p);

/* Sorts the findings of @r (errors first) and sets its verdict from them (unless error). */
void sf_core_settle(sf_result *r);

/*
 * Loads the Direct Routing data files of @data_dir (NULL: $SIPFED_DATADIR,
 * else the compiled-in directories) into the context: dr/cipher-suites.txt
 * and dr/trusted-roots.txt.  Errors name the file (and line).  lib/core/dr.c.
 */
sf_status sf_dr_data_load(sf_ctx *ctx, const char *data_dir);
void sf_dr_data_release(sf_ctx *ctx);

#endif
