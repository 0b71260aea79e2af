/* CERT-001..012: a presented certificate chain against the Microsoft rules. */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"
#include "util/util.h"

#define ADD(rule, x, y)                                                                    \
	do {                                                                               \
		if (sf_findings_add(out, env->profile, (rule), NULL, subj, (x), (y)))      \
			goto out;                                                          \
	} while (0)

void sf_cert_detail_release(sf_cert_detail *d)
{
	free(d->matched_as);
	free(d->chain_error);
	memset(d, 0, sizeof(*d));
}

/* A name a public CA may not certify: single label, non-public TLD, private IP. */
static int internal_name(const sf_rule_env *env, const char *name)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, name, a) == 1)
		return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || a[0] == 127 ||
		       (a[0] == 169 && a[1] == 254);
	if (inet_pton(AF_INET6, name, a) == 1)
		return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
	if (!strchr(name, '.'))
		return 1;
	return !sf_rules_public_tld(env, name);
}

/* "CN=x" of a certificate for messages; falls back to the whole subject. */
static char *short_name(X509 *x)
{
	char *cn = sf_x509_cn(x);

	return cn ? cn : sf_x509_name_text(X509_get_subject_name(x));
}

sf_status sf_rules_cert(const sf_rule_env *env, STACK_OF(X509) *chain, const char *expected,
			sf_role role, int mutual, int presented, sf_findings *out,
			sf_cert_detail *out_detail)
{
	X509 *leaf = sk_X509_value(chain, 0);
	sf_cert_detail det = { .name_match = -1 };
	sf_strv san = { 0 }, ips = { 0 };
	sf_verify v = { 0 }, pub = { 0 };
	int pub_done = 0;
	char *cn = NULL, *subj_owned = NULL;
	const char *subj;
	char buf[1024];
	sf_status st = SF_ENOMEM;
	time_t now = env->now ? env->now : time(NULL), nb, na;
	EVP_PKEY *pk;

	if (!leaf)
		return SF_EINVAL;
	cn = sf_x509_cn(leaf);
	if (sf_x509_san(leaf, &san, &ips) < 0)
		goto out;
	subj_owned = sf_strdup(expected ? expected : cn ? cn : "certificate");
	if (!subj_owned)
		goto out;
	subj = subj_owned;

	/* CERT-001 / CERT-002: OpenSSL's X509_check_host; CN only without SAN dNSName. */
	if (expected) {
		int how;
		char *m = NULL;

		if (sf_x509_match(leaf, expected, &how, &m) < 0) {
			how = 0;
			m = NULL;
		}
		det.name_match = how != 0;
		det.matched_as = m;
		if (how == 0) {
			size_t len = 0;
			int n;

			n = snprintf(buf, sizeof(buf), " (subject CN %s; SAN dNSNames: ",
				     cn ? cn : "none");
			len = n > 0 ? (size_t)n : 0;
			for (size_t i = 0; i < san.n && len < sizeof(buf); i++) {
				n = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
					     san.v[i]);
				if (n < 0)
					break;
				len += (size_t)n;
			}
			if (len < sizeof(buf))
				snprintf(buf + len, sizeof(buf) - len, "%s)%s",
					 san.n ? "" : "none",
					 san.n && cn && strcasecmp(cn, expected) == 0
						 ? "; the CN matches but is ignored because the "
						   "certificate has SAN dNSNames"
						 : "");
			ADD(SF_R_CERT001_NAME, buf, "");
		} else if (how == 2) {
			ADD(SF_R_CERT002_WILDCARD_ONLY, m, NULL);
		}
	}
	/* UM-001 (seed 004): Exchange UM is identified by the subject CN, not the SAN list. */
	if (role == SF_ROLE_UM && expected) {
		int wild = cn && strchr(cn, '*');

		for (size_t i = 0; i < san.n && !wild; i++)
			wild = strchr(san.v[i], '*') != NULL;
		if (wild)
			ADD(SF_R_UM001_WILDCARD, cn && strchr(cn, '*') ? cn : "a wildcard SAN", NULL);
		else if (!cn || strcasecmp(cn, expected) != 0)
			ADD(SF_R_UM001_SUBJECT, cn ? cn : "missing", NULL);
	}
	/* CERT-003 */
	if (cn && strchr(cn, '*'))
		ADD(SF_R_CERT003_CN_WILDCARD, cn, NULL);

	/* CERT-004: the leaf's dates. */
	if (sf_x509_time(X509_get0_notBefore(leaf), &nb) == 0 &&
	    sf_x509_time(X509_get0_notAfter(leaf), &na) == 0) {
		if (na < now) {
			sf_time_format(na, buf, sizeof(buf));
			ADD(SF_R_CERT004_EXPIRED, buf, NULL);
		} else if (nb > now) {
			sf_time_format(nb, buf, sizeof(buf));
			ADD(SF_R_CERT004_NOT_YET_VALID, buf, NULL);
		} else if (na - now < 30 * 86400) {
			sf_time_format(na, buf, sizeof(buf));
			ADD(SF_R_CERT004_EXPIRING, buf, NULL);
		}
	}

	/* CERT-005 / TLS-002: OpenSSL builds and verifies the chain. */
	if (sf_x509_verify(env->trust, chain, now, 0, &v) < 0) {
		st = SF_EINTERNAL;
		goto out;
	}
	det.chain_trusted = v.ok;
	if (!v.ok) {
		det.chain_error = sf_strdup(v.reason);
		if (presented && v.incomplete)
			ADD(SF_R_TLS002_INCOMPLETE, v.top_subject, NULL);
		else
			ADD(SF_R_CERT005_UNTRUSTED, v.reason, v.top_subject);
	} else if (env->profile == SF_PROFILE_DR && env->n_dr_roots > 0) {
		/* Direct Routing: a root Microsoft trusts (data/dr/trusted-roots.txt). */
		int listed = sf_rules_dr_root_listed(env, v.top);

		if (listed < 0) {
			st = SF_EINTERNAL;
			goto out;
		}
		if (!listed) {
			snprintf(buf, sizeof(buf), "one of the roots Microsoft trusts for Direct "
				 "Routing (the Microsoft Trusted Root Program; listed in %s)",
				 env->dr_roots_file ? env->dr_roots_file : "the data files");
			ADD(SF_R_CERT005_NOT_PUBLIC, v.top_subject, buf);
		}
	} else if (env->profile != SF_PROFILE_SFB) {
		if (sf_x509_verify(env->trust, chain, now, 1, &pub) < 0) {
			st = SF_EINTERNAL;
			goto out;
		}
		pub_done = 1;
		if (!pub.ok)
			ADD(SF_R_CERT005_NOT_PUBLIC, v.top_subject,
			    "a public root (Microsoft 365 and Teams require a public CA)");
	}

	/* CERT-006 / CERT-007: no EKU at all means any usage. */
	if (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) {
		uint32_t xku = X509_get_extended_key_usage(leaf);

		if (!(xku & XKU_SSL_SERVER))
			ADD(SF_R_CERT006_EKU, NULL, NULL);
		if (mutual && (role == SF_ROLE_EDGE || role == SF_ROLE_SBC) &&
		    !(xku & XKU_SSL_CLIENT))
			ADD(SF_R_CERT007_NO_CLIENTAUTH, NULL, NULL);
	}
	/* CERT-008 */
	if (X509_get_ext_by_NID(leaf, NID_crl_distribution_points, -1) < 0)
		ADD(SF_R_CERT008_NO_CRLDP, NULL, NULL);

	/* CERT-009: signatures of the leaf and intermediates (a root's own does not count). */
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		int nid = X509_get_signature_nid(x), md = NID_undef, pk_nid;
		char *nm;

		if (i > 0 && X509_self_signed(x, 0) == 1)
			continue;
		if (nid != NID_rsassaPss && !OBJ_find_sigid_algs(nid, &md, &pk_nid))
			continue;
		if (nid != NID_rsassaPss && md != NID_sha1)
			continue;
		nm = short_name(x);
		if (sf_findings_add(out, env->profile,
				    nid == NID_rsassaPss ? SF_R_CERT009_PSS : SF_R_CERT009_SHA1, NULL,
				    subj, nm ? nm : "?", NULL)) {
			free(nm);
			goto out;
		}
		free(nm);
	}
	/* CERT-010 */
	pk = X509_get0_pubkey(leaf);
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) < 2048) {
		snprintf(buf, sizeof(buf), "%d", EVP_PKEY_get_bits(pk));
		ADD(SF_R_CERT010_RSA_SMALL, buf, NULL);
	}
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
		ADD(SF_R_CERT010_ECDSA_DR, NULL, NULL);

	/* CERT-011: only a publicly issued certificate is concerned. */
	{
		const char *bad = NULL;

		for (size_t i = 0; i < san.n && !bad; i++)
			if (internal_name(env, san.v[i][0] == '*' && san.v[i][1] == '.'
						       ? san.v[i] + 2 : san.v[i]))
				bad = san.v[i];
		for (size_t i = 0; i < ips.n && !bad; i++)
			if (internal_name(env, ips.v[i]))
				bad = ips.v[i];
		if (bad && v.ok) {
			if (!pub_done) {
				if (sf_x509_verify(env->trust, chain, now, 1, &pub) < 0) {
					st = SF_EINTERNAL;
					goto out;
				}
				pub_done = 1;
			}
			if (pub.ok)
				ADD(SF_R_CERT011_INTERNAL, bad, NULL);
		}
	}
	/* CERT-012 */
	if (san.n > 0 && cn && !sf_strv_contains(&san, cn)) {
		int found = 0;

		for (size_t i = 0; i < san.n; i++)
			found |= strcasecmp(san.v[i], cn) == 0;
		if (!found)
			ADD(SF_R_CERT012_CN_NOT_IN_SAN, cn, NULL);
	}
	if (expected && san.n > 1 && san.v[0][0] == '*') {
		for (size_t i = 1; i < san.n; i++) {
			if (strcasecmp(san.v[i], expected) == 0) {
				ADD(SF_R_CERT012_WILDCARD_FIRST, san.v[0], NULL);
				break;
			}
		}
	}
	st = SF_OK;
out:
	if (out_detail && st == SF_OK) {
		*out_detail = det;
	} else {
		sf_cert_detail_release(&det);
	}
	sf_verify_release(&v);
	sf_verify_release(&pub);
	sf_strv_release(&san);
	sf_strv_release(&ips);
	free(cn);
	free(subj_owned);
	return st;
}
