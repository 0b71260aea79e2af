/*
 * Federation logic: FED-001 (the inbound callback) and FED-003 (stale
 * allow-list entries).  Pure: a checked domain's result and a certificate
 * in, findings out.
 *
 * The callback, as the Cisco TAC note (seed 001) shows it from the Edge
 * log: for a request from a federated peer, the Edge takes the domain of
 * From / P-Asserted-Identity, looks up _sipfederationtls._tcp.<domain>,
 * requires a target directly in that domain (else 0xC3E93D6F
 * SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH, fqdn1=<target>),
 * and requires the certificate the peer presented on the connection to
 * carry that target (else 0xC3E93D67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH,
 * expected-fqdn=<target>, certName=<peer>).  Before any of that, the Edge
 * checks the peer's certificate in the mutual-TLS handshake: an expired or
 * untrusted one (a CERT-004 / CERT-005 error on the peer's chain) is refused
 * whatever domain the requests carry.  @unittest: test_rules (frows)
 *
 * FED-003, direct federation ("allowed partner server", an allow-list entry
 * with a ProxyFqdn): the Edge routes the domain's requests to the ProxyFqdn
 * and accepts the partner by it, without the SRV lookup ("Direct Federation:
 * configure the partner's SIP domain name and the FQDN to the partner's Edge
 * Server", Lync Server 2013 planning; the other types "use DNS SRV to find
 * the partner Edge Server").
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/util.h"

/* SPEC FED-001: the DNS outcomes DNS-001..009 that break the callback when they are errors. */
static const sf_rule callback_dns[] = {
	SF_R_DNS001_NO_SRV,         SF_R_DNS002_MISSPELT,      SF_R_DNS003_NOT_SRV,
	SF_R_DNS004_ROOT_TARGET,    SF_R_DNS004_ZONE_APPENDED, SF_R_DNS005_SUBDOMAIN,
	SF_R_DNS005_OTHER_DOMAIN,   SF_R_DNS005_BARE_DOMAIN,   SF_R_DNS006_NONE_PASS,
	SF_R_DNS006_DISAGREE,       SF_R_DNS007_PORT,          SF_R_DNS008_CNAME_TARGET,
	SF_R_DNS009_NO_ADDRESS,     SF_R_DNS009_PRIVATE,
};

static int is_callback_dns(sf_rule r)
{
	for (size_t i = 0; i < SF_ARRAY_LEN(callback_dns); i++)
		if (callback_dns[i] == r)
			return 1;
	return 0;
}

/* "it carries: subject CN x; SAN dNSNames a, b" of @cert appended to @b (every name). */
static int cert_names(X509 *cert, sf_sb *b)
{
	sf_strv san = { 0 };
	char *cn = sf_x509_cn(cert);

	if (sf_x509_san(cert, &san, NULL) < 0) {
		free(cn);
		sf_strv_release(&san);
		return -1;
	}
	sf_sb_add(b, "it carries: subject CN ");
	sf_sb_add(b, cn ? cn : "none");
	sf_sb_add(b, "; SAN dNSNames ");
	for (size_t i = 0; i < san.n; i++) {
		if (i)
			sf_sb_add(b, ", ");
		sf_sb_add(b, san.v[i]);
	}
	if (san.n == 0)
		sf_sb_add(b, "none");
	free(cn);
	sf_strv_release(&san);
	return b->oom ? -1 : 0;
}

/* Is srv[i].target the target of an earlier record (another port, priority)? */
static int seen_before(const sf_srv_result *srv, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(srv[j].target, srv[i].target) == 0)
			return 1;
	return 0;
}

/* Does @cert carry @name (exactly or through a one-label wildcard)?  *out_wild: 1 if only so. */
static int carries(X509 *cert, const char *name, int *out_wild)
{
	int how = 0;
	char *m = NULL;

	*out_wild = 0;
	if (sf_x509_match(cert, name, &how, &m) < 0)
		return 0;
	free(m);
	*out_wild = how == 2;
	return how != 0;
}

/* FED-001 when a DNS rule failed: what failed, and what to fix in DNS and in the certificate. */
static sf_status callback_dns_failed(const sf_rule_env *env, const sf_result *r, X509 *peer,
				     const sf_finding *first, size_t n_fail, sf_findings *out)
{
	char sugg[300] = "";
	sf_sb x, y, names;
	const char *t = NULL;
	const char *fix = first->fix ? first->fix : "fix the DNS record";
	int wild, bad;

	sf_sb_init(&x, 0);
	sf_sb_init(&y, 0);
	sf_sb_init(&names, 0);
	sf_sb_addf(&x, "%s (%s)%s", first->message, first->id,
		   n_fail > 1 ? ", and more DNS errors listed above" : "");
	/*
	 * The name the peer's certificate must carry once DNS is fixed: for a
	 * target outside the domain, its first label in the domain (as DNS-005
	 * suggests); else a target that is already right (DNS-009: it only lacks
	 * an address).  A zone-appended target (DNS-004) has its own fix.
	 */
	for (size_t i = 0; i < r->n_srv && !t && first->rule != SF_R_DNS004_ZONE_APPENDED; i++)
		if (strcmp(r->srv[i].target, ".") != 0 &&
		    !sf_rules_target_ok(env, r->domain, r->srv[i].target))
			t = r->srv[i].target;
	if (t) {
		const char *dot = strchr(t, '.');

		snprintf(sugg, sizeof(sugg), "%.*s.%s",
			 (int)(dot ? (size_t)(dot - t) : strlen(t)), t, r->domain);
	}
	for (size_t i = 0; i < r->n_srv && !sugg[0] && first->rule != SF_R_DNS004_ZONE_APPENDED;
	     i++)
		if (strcmp(r->srv[i].target, ".") != 0 &&
		    sf_rules_target_ok(env, r->domain, r->srv[i].target))
			snprintf(sugg, sizeof(sugg), "%s", r->srv[i].target);
	cert_names(peer, &names);
	if (sugg[0] && carries(peer, sugg, &wild))
		sf_sb_addf(&y, "%s; the certificate the peer presents already carries %s", fix,
			   sugg);
	else if (sugg[0])
		sf_sb_addf(&y, "%s; then add %s as a SAN dNSName to the certificate the peer "
			   "presents too (%s)", fix, sugg, sf_sb_str(&names));
	else
		sf_sb_addf(&y, "%s; the certificate the peer presents must then carry the target "
			   "you publish (%s)", fix, sf_sb_str(&names));
	bad = x.oom || y.oom || names.oom ||
	      sf_findings_add(out, env->profile, SF_R_FED001_DNS, r->domain, r->domain,
			      sf_sb_str(&x), sf_sb_str(&y));
	sf_sb_release(&x);
	sf_sb_release(&y);
	sf_sb_release(&names);
	return bad ? SF_ENOMEM : SF_OK;
}

/*
 * The first error among @peer (the CERT findings on the peer's own chain)
 * that makes the Edge refuse the peer in the TLS handshake: its certificate
 * expired, is not valid yet, or leads to no root the Edge trusts (in o365,
 * no public root), or one of its CAs is out of date or excludes the purpose.  NULL if none.  An incomplete chain (TLS-002) is not
 * among them: Windows may still build the chain (AIA).
 */
static const sf_finding *peer_refused(const sf_findings *peer)
{
	for (size_t i = 0; peer && i < peer->n; i++) {
		const sf_finding *f = &peer->v[i];

		if (f->severity != SF_SEV_ERROR)
			continue;
		/* a CA of the path out of date or not allowed for the purpose: no path */
		if (f->rule == SF_R_CERT004_EXPIRED || f->rule == SF_R_CERT004_NOT_YET_VALID ||
		    f->rule == SF_R_CERT004_CA_EXPIRED || f->rule == SF_R_CERT004_CA_NOT_YET_VALID ||
		    f->rule == SF_R_CERT006_CA_EKU || f->rule == SF_R_CERT005_UNTRUSTED ||
		    f->rule == SF_R_CERT005_NOT_PUBLIC)
			return f;
	}
	return NULL;
}

/* FED-001 when the callback alone would accept the domain but the Edge refuses the peer. */
static sf_status callback_peer_refused(const sf_rule_env *env, const sf_result *r,
				       X509 *peer_leaf, const sf_finding *why,
				       const char *accepted, sf_findings *out)
{
	char x[600], y[700], when[40];
	time_t t = 0;
	int expired = why->rule == SF_R_CERT004_EXPIRED;
	int dates = expired || why->rule == SF_R_CERT004_NOT_YET_VALID;

	if (dates) {
		if (sf_x509_time(expired ? X509_get0_notAfter(peer_leaf)
					 : X509_get0_notBefore(peer_leaf), &t) < 0)
			t = 0;
		sf_time_format(t, when, sizeof(when));
		snprintf(x, sizeof(x), "%s %s (see %s of %s)",
			 expired ? "expired on" : "is not valid before", when, why->id,
			 why->subject);
	} else {
		snprintf(x, sizeof(x), "%s of %s", why->id, why->subject);
	}
	snprintf(y, sizeof(y), " (which alone would accept %s: its SRV target %s is in the "
		 "certificate)", r->domain, accepted);
	if (sf_findings_add(out, env->profile,
			    dates ? SF_R_FED001_PEER_EXPIRED : SF_R_FED001_PEER_UNTRUSTED,
			    r->domain, r->domain, x, y))
		return SF_ENOMEM;
	return SF_OK;
}

sf_status sf_rules_callback(const sf_rule_env *env, const sf_result *r, X509 *peer_leaf,
			    const sf_findings *peer, sf_findings *out)
{
	const sf_finding *first = NULL, *refused;
	size_t n_fail = 0;
	char why[800];
	sf_sb targets, y;
	const char *match = NULL;
	int wild = 0, n_ok = 0, bad;

	if (!r || !peer_leaf)
		return SF_EINVAL;
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];

		if (f->severity == SF_SEV_ERROR && is_callback_dns(f->rule)) {
			n_fail++;
			if (!first)
				first = f;
		}
	}
	if (first)
		return callback_dns_failed(env, r, peer_leaf, first, n_fail, out);

	/* DNS passes: the peer must present a certificate for one of the compliant targets. */
	sf_sb_init(&targets, 0);
	for (size_t i = 0; i < r->n_srv && !match; i++) {
		const char *t = r->srv[i].target;

		if (strcmp(t, ".") == 0 || !sf_rules_target_ok(env, r->domain, t))
			continue;
		if (carries(peer_leaf, t, &wild)) {
			match = t;
			break;
		}
		if (seen_before(r->srv, i))
			continue;
		if (n_ok++)
			sf_sb_add(&targets, " or ");
		sf_sb_add(&targets, t);
	}
	if (match || n_ok == 0)
		sf_sb_release(&targets);
	if (match) {
		char *m = NULL;
		int how = 0;

		why[0] = '\0';
		if (wild && sf_x509_match(peer_leaf, match, &how, &m) == 0 && m)
			snprintf(why, sizeof(why), " (only through the wildcard %s)", m);
		free(m);
		/* The Edge checks the peer's certificate in the handshake, before any request. */
		refused = peer_refused(peer);
		if (refused)
			return callback_peer_refused(env, r, peer_leaf, refused, match, out);
		if (sf_findings_add(out, env->profile, SF_R_FED001_OK, r->domain, r->domain, match,
				    why))
			return SF_ENOMEM;
		return SF_OK;
	}
	if (n_ok == 0) {
		/* No record at all would have been DNS-001: here every target is the root. */
		snprintf(why, sizeof(why), "no SRV target of %s is a host directly in %s",
			 r->domain, r->domain);
		if (sf_findings_add(out, env->profile, SF_R_FED001_DNS, r->domain, r->domain, why,
				    "publish `_sipfederationtls._tcp.<domain>. IN SRV 0 0 5061 "
				    "<host>.<domain>.` for the host that sends the requests"))
			return SF_ENOMEM;
		return SF_OK;
	}
	sf_sb_init(&y, 0);
	sf_sb_add(&y, " (");
	cert_names(peer_leaf, &y);
	sf_sb_addf(&y, "), or point _sipfederationtls._tcp.%s at a host name the certificate "
		   "carries, directly in %s", r->domain, r->domain);
	bad = targets.oom || y.oom ||
	      sf_findings_add(out, env->profile, SF_R_FED001_CERT, r->domain, r->domain,
			      sf_sb_str(&targets), sf_sb_str(&y));
	sf_sb_release(&targets);
	sf_sb_release(&y);
	return bad ? SF_ENOMEM : SF_OK;
}

sf_status sf_rules_allow(const sf_rule_env *env, const char *domain, const char *proxy_fqdn,
			 const sf_srv_result *srv, size_t n_srv, sf_findings *out)
{
	sf_sb targets;
	int bad;

	if (!proxy_fqdn || n_srv == 0)
		return SF_OK;
	for (size_t i = 0; i < n_srv; i++)
		if (strcmp(srv[i].target, proxy_fqdn) == 0)
			return SF_OK;
	sf_sb_init(&targets, 0);
	for (size_t i = 0; i < n_srv; i++) {
		if (seen_before(srv, i))
			continue;
		if (targets.n)
			sf_sb_add(&targets, ", ");
		sf_sb_add(&targets, srv[i].target);
	}
	bad = targets.oom || sf_findings_add(out, env->profile, SF_R_FED003_STALE, domain, domain,
					     proxy_fqdn, sf_sb_str(&targets));
	sf_sb_release(&targets);
	return bad ? SF_ENOMEM : SF_OK;
}

int sf_rules_srv_lookup_rule(sf_rule rule)
{
	return rule == SF_R_DNS001_NO_SRV || rule == SF_R_DNS002_MISSPELT ||
	       rule == SF_R_DNS003_NOT_SRV;
}

/*
 * Direct federation ("allowed partner server", Set-CsAllowedDomain
 * -ProxyFqdn): the Edge sends the domain's requests to the ProxyFqdn and
 * accepts the partner by it; the SRV record and the rule that its target be
 * directly in the domain are not used.  @unittest: test_rules (frows "allow
 * list: ...")
 */
sf_status sf_rules_allow_proxy(const sf_rule_env *env, const sf_allow_facts *a,
			       sf_findings *out, int *out_srv_moot)
{
	char x[120], owner[300], y[1500]; /* y: three names of at most 253 bytes */
	const char *target = NULL;
	int is_target = 0;

	if (out_srv_moot)
		*out_srv_moot = 0;
	if (!a || !a->domain || !a->proxy_fqdn)
		return SF_OK;
	/* No usable SRV record: what the SRV lookup found, in the warning's words. */
	if (a->n_srv == 0) {
		sf_sb yl;
		int bad;

		sf_sb_init(&yl, 0);
		for (size_t i = 0; a->found && i < a->found->n; i++) {
			const sf_finding *f = &a->found->v[i];

			if (!sf_rules_srv_lookup_rule(f->rule))
				continue;
			sf_sb_addf(&yl, "%s%s: %s", yl.n ? "; " : "", f->id, f->message);
		}
		snprintf(owner, sizeof(owner), "_sipfederationtls._tcp.%s", a->domain);
		bad = yl.oom || sf_findings_add(out, env->profile, SF_R_FED003_NO_SRV, a->domain,
					       owner, a->proxy_fqdn,
					       yl.n ? sf_sb_str(&yl) : "the lookup found none");
		sf_sb_release(&yl);
		if (bad)
			return SF_ENOMEM;
		if (out_srv_moot &&
		    sf_rule_get(SF_R_FED003_NO_SRV)->sev[env->profile] != SF_SEV_NONE)
			*out_srv_moot = 1;
	}
	/* The ProxyFqdn's address: DNS-009 already speaks of an SRV target's. */
	for (size_t i = 0; i < a->n_srv; i++)
		is_target |= strcmp(a->srv[i].target, a->proxy_fqdn) == 0;
	if (is_target || !a->proxy_looked_up || a->n_proxy_addrs > 0)
		return SF_OK;
	if (a->proxy_rcode == SF_DNS_NXDOMAIN)
		snprintf(x, sizeof(x), "does not exist (NXDOMAIN)");
	else if (a->proxy_rcode == SF_DNS_NOERROR)
		snprintf(x, sizeof(x), "has no A or AAAA record");
	else
		snprintf(x, sizeof(x), "could not be resolved (%s)",
			 sf_dns_rcode_name(a->proxy_rcode));
	/* The fix: the domain's current SRV target (the entry is stale, FED-003 above), or DNS. */
	for (size_t i = 0; i < a->n_srv && !target; i++)
		if (strcmp(a->srv[i].target, ".") != 0)
			target = a->srv[i].target;
	if (target)
		snprintf(y, sizeof(y), "point the entry at the current SRV target of %s "
			 "(`Set-CsAllowedDomain -Identity %s -ProxyFqdn %s`), or remove its "
			 "ProxyFqdn so that the Edge follows the DNS SRV record", a->domain,
			 a->domain, target);
	else
		snprintf(y, sizeof(y), "publish `%s. IN A <public address of the Access Edge of "
			 "%s>`, or correct the entry (`Set-CsAllowedDomain -Identity %s -ProxyFqdn "
			 "<fqdn>`)", a->proxy_fqdn, a->domain, a->domain);
	if (sf_findings_add(out, env->profile, SF_R_FED003_NO_ADDRESS, a->domain, a->proxy_fqdn,
			    x, y))
		return SF_ENOMEM;
	return SF_OK;
}
