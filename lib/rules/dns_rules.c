/* DNS-001..011 and FED-002: the federation SRV record and its targets. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/util.h"

#define ADD(rule, subj, x, y)                                                              \
	do {                                                                               \
		if (sf_findings_add(out, env->profile, (rule), f->domain, (subj), (x), (y))) \
			return SF_ENOMEM;                                                  \
	} while (0)

static int is_hosting(const sf_rule_env *env, const char *target)
{
	for (size_t i = 0; i < env->n_hosting; i++)
		if (strcmp(env->hosting[i], target) == 0)
			return 1;
	return 0;
}

/* MS: the SRV target must be <one label>.<domain> or a configured hosting provider. */
int sf_rules_target_ok(const sf_rule_env *env, const char *domain, const char *target)
{
	if (is_hosting(env, target))
		return 1;
	return sf_name_is_under(target, domain) &&
	       sf_name_labels(target) == sf_name_labels(domain) + 1;
}

int sf_rules_public_tld(const sf_rule_env *env, const char *name)
{
	const char *tld = strrchr(name, '.');

	tld = tld ? tld + 1 : name;
	if (!env->psl || !*tld)
		return 0;
	return psl_is_public_suffix2(env->psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/*
 * Classifies an address that is not publicly routable; NULL if public.
 * RFC 1918, 5735/6890 special-purpose registries, RFC 4193, RFC 3849.
 */
const char *sf_rules_address_class(const char *text)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, text, a) == 1) {
		if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168))
			return "private, RFC 1918";
		if (a[0] == 127)
			return "loopback";
		if (a[0] == 169 && a[1] == 254)
			return "link-local";
		if (a[0] == 100 && (a[1] & 0xc0) == 64)
			return "shared address space, RFC 6598";
		if ((a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		    (a[0] == 203 && a[1] == 0 && a[2] == 113))
			return "documentation, RFC 5737";
		if (a[0] == 0 || a[0] >= 224 || (a[0] == 198 && (a[1] & 0xfe) == 18) ||
		    (a[0] == 192 && a[1] == 0 && a[2] == 0))
			return "reserved";
		return NULL;
	}
	if (inet_pton(AF_INET6, text, a) == 1) {
		static const unsigned char loop[16] = { [15] = 1 }, any[16] = { 0 };

		if (memcmp(a, loop, 16) == 0)
			return "loopback";
		if (memcmp(a, any, 16) == 0)
			return "reserved";
		if ((a[0] & 0xfe) == 0xfc)
			return "unique local, RFC 4193";
		if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
			return "link-local";
		if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
			return "documentation, RFC 3849";
		if (a[0] == 0xff)
			return "multicast";
		return NULL;
	}
	return "not an address";
}

/*
 * DNS-004: "sipfed.online.lync.com.msxfaq.de" — a target written without
 * its trailing dot gets the zone origin appended.  The rules see names only
 * (not the zone origin, which may be the SIP domain or a parent of it), so
 * the heuristic works on the names, trying the SIP domain and each parent
 * of at least two labels as the origin S (longest first):
 *   - the target ends in S twice ("sip.msxfaq.de.msxfaq.de", and in zone
 *     contoso.com for video.contoso.com "expe.video.contoso.com.contoso.com",
 *     which is the SIP domain followed by the origin): what precedes the
 *     last S is meant;
 *   - what precedes ".S" is a hosting provider;
 *   - S is the SIP domain and what precedes it is a name of three or more
 *     labels under a public top-level domain.  Two labels
 *     ("sip.de.example.com") are taken for a sub-domain: too many real
 *     sub-domains look like that.
 * Returns the name meant (malloc'd), or NULL.
 */
static char *zone_appended(const sf_rule_env *env, const char *domain, const char *target)
{
	size_t tl = strlen(target);

	/* Twice: S.S at the end, S the domain or a parent of >= 2 labels. */
	for (const char *sfx = domain; sfx && sf_name_labels(sfx) >= 2;) {
		size_t sl = strlen(sfx);
		const char *dot;

		if (tl > 2 * sl && target[tl - sl - 1] == '.' &&
		    strcmp(target + tl - sl, sfx) == 0 &&
		    strncmp(target + tl - 2 * sl - 1, sfx, sl) == 0 &&
		    (tl == 2 * sl + 1 || target[tl - 2 * sl - 2] == '.'))
			return strndup(target, tl - sl - 1);
		dot = strchr(sfx, '.');
		sfx = dot ? dot + 1 : NULL;
	}
	/* A hosting provider with the domain or a parent appended. */
	for (const char *sfx = domain; sfx && sf_name_labels(sfx) >= 2;) {
		const char *dot;

		if (sf_name_is_under(target, sfx)) {
			char *head = strndup(target, tl - strlen(sfx) - 1);

			if (!head)
				return NULL;
			if (is_hosting(env, head) ||
			    (sfx == domain && sf_name_labels(head) >= 3 &&
			     sf_rules_public_tld(env, head)))
				return head;
			free(head);
		}
		dot = strchr(sfx, '.');
		sfx = dot ? dot + 1 : NULL;
	}
	return NULL;
}

sf_status sf_rules_dns(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out)
{
	size_t n_ok = 0, n_eval = 0;
	char buf[512];

	if (f->n_srv == 0) {
		char owner[300];

		snprintf(owner, sizeof(owner), "_sipfederationtls._tcp.%s", f->domain);
		if (f->owner_alias || f->owner_txt) {
			/* a long TXT is cut visibly ("..."), inside its quotes */
			sf_sb v, x;
			int r;

			sf_sb_init(&v, 300);
			sf_sb_init(&x, 0);
			if (f->owner_alias) {
				sf_sb_add(&x, "a CNAME to ");
				sf_sb_add(&x, f->owner_alias);
			} else {
				sf_sb_add(&v, f->owner_txt);
				sf_sb_addf(&x, "a TXT record \"%s\"", sf_sb_str(&v));
			}
			r = v.oom || x.oom ||
			    sf_findings_add(out, env->profile, SF_R_DNS003_NOT_SRV, f->domain, owner,
					    sf_sb_str(&x), NULL);
			sf_sb_release(&v);
			sf_sb_release(&x);
			if (r)
				return SF_ENOMEM;
		} else {
			ADD(SF_R_DNS001_NO_SRV, owner,
			    f->srv_rcode == SF_DNS_NXDOMAIN ? " (the name does not exist)"
							    : " (the name has no SRV record)",
			    NULL);
		}
		for (size_t i = 0; i < f->misspelt_owner.n; i++)
			ADD(SF_R_DNS002_MISSPELT, f->misspelt_owner.v[i], f->misspelt_rdata.v[i],
			    f->misspelt_rdata.v[i]);
	}

	/* Which records pass DNS-005 decides between DNS-005 and DNS-006. */
	for (size_t i = 0; i < f->n_srv; i++) {
		const char *t = f->srv[i].target;
		char *app;

		if (strcmp(t, ".") == 0)
			continue;
		app = zone_appended(env, f->domain, t);
		if (app) {
			free(app);
			continue;
		}
		n_eval++;
		n_ok += sf_rules_target_ok(env, f->domain, t);
	}

	for (size_t i = 0; i < f->n_srv; i++) {
		const sf_srv_facts *s = &f->srv[i];
		const char *t = s->target;
		char *app;

		if (strcmp(t, ".") == 0) {
			ADD(SF_R_DNS004_ROOT_TARGET, ".", NULL, NULL);
			continue;
		}
		app = zone_appended(env, f->domain, t);
		if (app) {
			snprintf(buf, sizeof(buf), "%u %u %u", s->priority, s->weight, s->port);
			if (sf_findings_add(out, env->profile, SF_R_DNS004_ZONE_APPENDED, f->domain,
					    t, app, buf)) {
				free(app);
				return SF_ENOMEM;
			}
			free(app);
			continue;
		}
		if (is_hosting(env, t)) {
			ADD(SF_R_FED002_HOSTING, t, NULL, NULL);
		} else if (!sf_rules_target_ok(env, f->domain, t)) {
			const char *first = t;
			const char *dot = strchr(t, '.');
			char suggest[300], why[300] = "";

			snprintf(suggest, sizeof(suggest), "%.*s.%s",
				 (int)(dot ? (size_t)(dot - first) : strlen(first)), first,
				 f->domain);
			if (n_ok > 0) {
				ADD(SF_R_DNS006_DISAGREE, t, NULL, NULL);
			} else if (strcmp(t, f->domain) == 0) {
				snprintf(suggest, sizeof(suggest), "sip.%s", f->domain);
				ADD(SF_R_DNS005_BARE_DOMAIN, t, suggest, NULL);
			} else if (sf_name_is_under(t, f->domain)) {
				ADD(SF_R_DNS005_SUBDOMAIN, t, suggest, NULL);
			} else {
				if (dot && sf_name_is_under(f->domain, dot + 1))
					snprintf(why, sizeof(why), " (it is in the parent domain %s)",
						 dot + 1);
				else if (dot)
					snprintf(why, sizeof(why), " (it is in %s)", dot + 1);
				ADD(SF_R_DNS005_OTHER_DOMAIN, t, suggest, why);
			}
		}
		if (s->port != 5061) {
			char port[8], pw[16];

			snprintf(port, sizeof(port), "%u", s->port);
			snprintf(pw, sizeof(pw), "%u %u", s->priority, s->weight);
			ADD(SF_R_DNS007_PORT, t, port, pw);
		}
		if (s->target_cname)
			ADD(SF_R_DNS008_CNAME_TARGET, t, s->target_cname, NULL);
		if (s->n_addrs == 0) {
			ADD(SF_R_DNS009_NO_ADDRESS, t,
			    s->addr_rcode == SF_DNS_NXDOMAIN ? "the name does not exist"
							     : sf_dns_rcode_name(s->addr_rcode),
			    NULL);
		} else {
			sf_sb l; /* every private address, however many */
			int r = 0;

			sf_sb_init(&l, 0);
			for (size_t k = 0; k < s->n_addrs; k++) {
				const char *cls = sf_rules_address_class(s->addrs[k]);

				if (cls)
					sf_sb_addf(&l, "%s%s (%s)", l.n ? ", " : "", s->addrs[k],
						   cls);
			}
			if (l.oom || (l.n && sf_findings_add(out, env->profile, SF_R_DNS009_PRIVATE,
							     f->domain, t, sf_sb_str(&l), NULL)))
				r = -1;
			sf_sb_release(&l);
			if (r)
				return SF_ENOMEM;
		}
	}
	if (f->n_srv > 1 && n_eval > 0 && n_ok == 0) {
		char n[24];

		snprintf(n, sizeof(n), "%zu", f->n_srv);
		ADD(SF_R_DNS006_NONE_PASS, NULL, n, NULL);
	}
	if (!sf_rules_public_tld(env, f->domain)) {
		const char *tld = strrchr(f->domain, '.');

		snprintf(buf, sizeof(buf), ".%s is not a public top-level domain",
			 tld ? tld + 1 : f->domain);
		ADD(SF_R_DNS010_NOT_PUBLIC, NULL, buf, NULL);
	}
	if (f->wildcard_name)
		ADD(SF_R_DNS011_WILDCARD, f->wildcard_name, NULL, NULL);
	if (f->srv_not_probed > 0) {
		char x[24], y[24];

		snprintf(x, sizeof(x), "%zu", f->srv_not_probed);
		snprintf(y, sizeof(y), "%zu", f->n_srv);
		ADD(SF_R_DNS006_NOT_PROBED, NULL, x, y);
	}
	return SF_OK;
}

sf_status sf_rules_evaluate(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out)
{
	sf_status st = sf_rules_dns(env, f, out);

	for (size_t i = 0; i < f->n_srv && st == SF_OK; i++) {
		const sf_srv_facts *s = &f->srv[i];
		int dup = 0;

		if (!s->tls_checked)
			continue;
		for (size_t j = 0; j < i; j++)
			if (f->srv[j].port == s->port && strcmp(f->srv[j].target, s->target) == 0)
				dup = 1;
		if (dup)
			continue;
		st = sf_rules_tls(env, s, out);
		if (st == SF_OK && s->tls.state == SF_TLS_OK && s->tls.chain &&
		    sk_X509_num(s->tls.chain) > 0)
			st = sf_rules_cert(env, s->tls.chain, &s->tls.cf, s->target, SF_ROLE_EDGE,
					   1, 1, out, NULL);
	}
	/* --client: CLI-001..004 (lib/rules/client_rules.c). */
	if (st == SF_OK && f->client)
		st = sf_rules_client(env, f, out);
	if (st == SF_OK)
		sf_findings_sort(out);
	return st;
}

void sf_srv_facts_release(sf_srv_facts *s)
{
	free(s->target);
	free(s->target_cname);
	for (size_t k = 0; k < s->n_addrs; k++)
		free(s->addrs[k]);
	free(s->addrs);
	sf_tls_facts_release(&s->tls);
}

void sf_domain_facts_release(sf_domain_facts *f)
{
	free(f->domain);
	free(f->owner_alias);
	free(f->owner_txt);
	for (size_t i = 0; i < f->n_srv; i++)
		sf_srv_facts_release(&f->srv[i]);
	free(f->srv);
	sf_strv_release(&f->misspelt_owner);
	sf_strv_release(&f->misspelt_rdata);
	free(f->wildcard_name);
	sf_client_facts_free(f->client);
	memset(f, 0, sizeof(*f));
}
