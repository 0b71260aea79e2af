/*
 * CERT-001..012: a presented certificate chain against the Microsoft rules.
 *
 * The side that checks the certificate depends on the role (and the dr
 * profile): a partner's Access Edge (federation), Microsoft's Direct Routing
 * SIP proxy (an SBC), the Skype for Business / Lync servers (an Exchange UM
 * server), the clients (the web services).  It decides which wildcard rules
 * apply (CERT-002, CERT-003, UM-001) and the words of a few fixes; the
 * writers ask sf_rules_microsoft() for what that side reports.
 */
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
		if (sf_findings_add_as(out, env->profile, role, (rule), NULL, subj, (x), (y))) \
			goto out;                                                          \
	} while (0)

/* Who checks the certificate (see the file comment). */
enum checker { BY_EDGE = 0, BY_DR, BY_UM, BY_WEB };

static enum checker checker_of(sf_profile profile, sf_role role)
{
	switch (role) {
	case SF_ROLE_SBC:
		return BY_DR;
	case SF_ROLE_UM:
		return BY_UM;
	case SF_ROLE_WEB:
		return BY_WEB;
	case SF_ROLE_EDGE:
		break;
	}
	return profile == SF_PROFILE_DR ? BY_DR : BY_EDGE;
}

/*
 * The words of the fixes that depend on who checks: {y} of CERT-003 (the
 * server whose FQDN the subject CN must be), of TLS-002 (what a chain issued
 * directly by a private root needs) and of CERT-005 untrusted ("use a
 * certificate from " ca_pre 'root' ca_post).  Direct Routing trusts only the
 * roots of the Microsoft Trusted Root Program (data/dr/trusted-roots.txt):
 * nothing is imported on Microsoft's side.  crl_from is the {y} of CERT-008:
 * the servers that check revocation and the network they are on.
 */
static const struct checker_words {
	const char *server, *private_root, *ca_pre, *ca_post, *crl_from;
} words[] = {
	[BY_EDGE] = { "Access Edge", "the partner must import that root instead",
		      "a CA the partner trusts (a public CA), or have the partner import the root ",
		      " into the Edge's trusted root store",
		      "the partners' Access Edges, on the Internet" },
	[BY_DR] = { "SBC", "Direct Routing does not accept it: use a certificate from a public CA "
		    "whose root Microsoft trusts for Direct Routing",
		    "a public CA whose root Microsoft trusts for Direct Routing (the Microsoft "
		    "Trusted Root Program; the chain ends at ", ", and Microsoft imports no root)",
		    "Microsoft's Direct Routing SIP proxies, on the Internet" },
	[BY_UM] = { "Exchange UM server",
		    "the Skype for Business / Lync servers must trust that root instead",
		    "a CA the Skype for Business / Lync servers trust (often the internal "
		    "enterprise CA), or import the root ", " into their trusted root store",
		    "the Skype for Business / Lync Front End and Mediation servers, on the internal "
		    "network (it need not be published on the Internet)" },
	[BY_WEB] = { "reverse proxy (web services)", "the clients must trust that root instead",
		     "a public CA, or make every client trust the root ", "",
		     "the clients, on the Internet and the internal network" },
};

/*
 * What the Microsoft side reports, for those who check something else than
 * an Edge (see sf_rules_microsoft()).  Direct Routing: Microsoft Learn,
 * "SBC connectivity issues" (SIP OPTIONS and TLS certificate issues: the SIP
 * proxy closes the TLS connection, receives no OPTIONS, and the SBC is
 * marked inactive in the Teams admin center).  Exchange UM: the Front End's
 * outgoing TLS to the UM server fails (event 14428, "TLS outgoing connection
 * failures", as lib/logs/kb.c).
 */
#define DR_REPORTED                                                                       \
	"Direct Routing: no TLS connection between Microsoft's SIP proxy and the SBC, so no "  \
	"SIP OPTIONS are exchanged and the Teams admin center shows the SBC as inactive; "    \
	"calls through the SBC fail"
#define UM_REPORTED                                                                       \
	"the Skype for Business / Lync servers refuse the TLS connection with the Exchange "  \
	"UM server: calls to voice mail and auto attendants fail; the Front End logs event "  \
	"14428 (TLS outgoing connection failures)"

/*
 * The Microsoft side of a finding of @ri, as the side that checks sees it
 * (@profile and @role of the result; a check result passes SF_ROLE_EDGE).
 * The codes of the rule table (ms-diagnostics, Edge Result-Code, HRESULT)
 * are what a Skype for Business / Lync Edge reports when it refuses a
 * federation peer.  Where Direct Routing (profile dr, role sbc) or the
 * servers of an Exchange UM server (role um) check, a row with such codes
 * says instead what that side shows, without the Edge's codes; the rows of
 * their own checks (DR-*, UM-*) and rows without codes, whose texts are
 * written for every side, are returned as they are.  The web role keeps the
 * table's report.  Returns @ri, or @tmp filled in (borrowed strings).
 * @unittest: test_out (test_microsoft_view)
 */
const sf_rule_info *sf_rules_microsoft(const sf_rule_info *ri, sf_profile profile,
				       sf_role role, sf_rule_info *tmp)
{
	enum checker who = checker_of(profile, role);
	const char *own = who == BY_DR ? "DR-" : "UM-";

	if (!ri || (who != BY_DR && who != BY_UM))
		return ri;
	if (ri->ms_diagnostics <= 0 && !ri->result_code && !ri->hresult)
		return ri;
	if (ri->id && strncmp(ri->id, own, strlen(own)) == 0)
		return ri;
	*tmp = *ri;
	tmp->ms_diagnostics = 0;
	tmp->result_code = tmp->name = NULL;
	tmp->hresult = tmp->hresult_name = NULL;
	tmp->reported = who == BY_DR ? DR_REPORTED : UM_REPORTED;
	return tmp;
}

/* Is @cn a wildcard of one whole left-most label ("*.example.com")? */
static int one_label_wildcard(const char *cn)
{
	const char *rest = cn + 2;

	return cn[0] == '*' && cn[1] == '.' && !strchr(rest, '*') && strchr(rest, '.') &&
	       rest[0] != '.';
}

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

sf_status sf_rules_cert(const sf_rule_env *env, STACK_OF(X509) *chain,
			const sf_chain_facts *cf, const char *expected, sf_role role, int mutual,
			int presented, sf_findings *out, sf_cert_detail *out_detail)
{
	X509 *leaf = sk_X509_value(chain, 0);
	sf_cert_detail det = { .name_match = -1 };
	sf_strv san = { 0 }, ips = { 0 };
	static const sf_verify none = { .reason = "the chain was not verified" };
	const sf_verify *v = cf && cf->collected ? &cf->v : &none;
	const sf_verify *pub = cf && cf->collected ? &cf->pub : &none;
	char *cn = NULL, *subj_owned = NULL;
	const char *subj;
	char buf[1024];
	sf_status st = SF_ENOMEM;
	time_t now = env->now ? env->now : time(NULL), nb, na;
	enum checker who = checker_of(env->profile, role);
	int um_wild = 0, cn_nul = 0, name_nul;
	EVP_PKEY *pk;

	if (!leaf)
		return SF_EINVAL;
	/*
	 * A name with an embedded NUL byte comes back whole, the NUL written as
	 * \x00: it never compares equal to the name before the NUL (the Windows
	 * side compares the whole name, and no host name holds a NUL).
	 */
	cn = sf_x509_cn_ex(leaf, &cn_nul);
	name_nul = sf_x509_name_nul(leaf);
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
			/* the whole SAN list, however long (a growable buffer, never cut silently) */
			sf_sb names = { 0 };
			int bad;

			sf_sb_addf(&names, " (subject CN %s; SAN dNSNames: ", cn ? cn : "none");
			for (size_t i = 0; i < san.n; i++)
				sf_sb_addf(&names, "%s%s", i ? ", " : "", san.v[i]);
			sf_sb_addf(&names, "%s)%s%s", san.n ? "" : "none",
				   san.n && cn && strcasecmp(cn, expected) == 0
					   ? "; the CN matches but is ignored because the "
					     "certificate has SAN dNSNames"
					   : "",
				   name_nul ? "; a name holds a NUL byte (shown as \\x00): it "
					      "matches no host name" : "");
			bad = names.oom || sf_findings_add_as(out, env->profile, role,
							      SF_R_CERT001_NAME, NULL, subj,
							      sf_sb_str(&names), "");
			sf_sb_release(&names);
			if (bad)
				goto out;
		} else if (how == 2 && (who == BY_EDGE || who == BY_WEB)) {
			/*
			 * The Edge's rule.  Direct Routing accepts a wildcard of one
			 * label (what X509_check_host matches); for Exchange UM any
			 * wildcard is UM-001.
			 */
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
		else if (!cn || strcasecmp(cn, expected) != 0) {
			if (cn_nul)
				snprintf(buf, sizeof(buf), "%s (it holds a NUL byte, shown as \\x00: "
					 "the whole name is compared, not the part before the NUL)",
					 cn);
			ADD(SF_R_UM001_SUBJECT, cn_nul ? buf : cn ? cn : "missing", NULL);
		}
		um_wild = wild;
	}
	/*
	 * CERT-003, unless another rule says it: UM-001 for Exchange UM; Direct
	 * Routing accepts a wildcard of one whole label (SPEC §4 CERT-002).
	 */
	if (cn && strchr(cn, '*') && !um_wild) {
		if (who != BY_DR) {
			ADD(SF_R_CERT003_CN_WILDCARD, cn, words[who].server);
		} else if (!one_label_wildcard(cn)) {
			snprintf(buf, sizeof(buf), "%s; Direct Routing accepts only a wildcard of "
				 "one whole left-most label", cn);
			ADD(SF_R_CERT003_CN_WILDCARD, buf, words[who].server);
		}
	}

	/* CERT-004: the leaf's dates. */
	if (sf_x509_time(X509_get0_notBefore(leaf), &nb) == 0 &&
	    sf_x509_time(X509_get0_notAfter(leaf), &na) == 0) {
		if (na < now) {
			sf_time_format(na, buf, sizeof(buf));
			ADD(SF_R_CERT004_EXPIRED, buf, words[who].server);
		} else if (nb > now) {
			sf_time_format(nb, buf, sizeof(buf));
			ADD(SF_R_CERT004_NOT_YET_VALID, buf, NULL);
		} else if ((long long)(na - now) <
			   (long long)(env->expiry_days > 0 ? env->expiry_days : 30) * 86400) {
			char days[32];

			snprintf(days, sizeof(days), "%d",
				 env->expiry_days > 0 ? env->expiry_days : 30);
			sf_time_format(na, buf, sizeof(buf));
			ADD(SF_R_CERT004_EXPIRING, buf, days);
		}
	}

	/*
	 * CERT-004 (a CA), CERT-006 (a CA), CERT-005 / TLS-002: what the
	 * collector's verification said of the path it kept (the first of the
	 * candidate paths that verified, else the best failure: lib/x509).  A
	 * path to a trusted root refused for a CA's dates or usage is that CA's
	 * fault, as Windows reports it (CERT_E_EXPIRED, CERT_E_WRONG_USAGE), not
	 * an untrusted root.
	 */
	det.chain_trusted = v->ok;
	if (!v->ok) {
		det.chain_error = sf_strdup(v->reason);
		if (v->fail == SF_VFAIL_EXPIRED || v->fail == SF_VFAIL_NOT_YET_VALID) {
			char when[64];

			sf_time_format(v->fail_time, when, sizeof(when));
			ADD(v->fail == SF_VFAIL_EXPIRED ? SF_R_CERT004_CA_EXPIRED
							: SF_R_CERT004_CA_NOT_YET_VALID,
			    v->fail_subject ? v->fail_subject : "?", when);
		} else if (v->fail == SF_VFAIL_USAGE) {
			ADD(SF_R_CERT006_CA_EKU, v->no_server.subject ? v->no_server.subject : "?",
			    v->no_server.ekus ? v->no_server.ekus : "?");
		} else if (presented && v->incomplete) {
			ADD(SF_R_TLS002_INCOMPLETE, v->top_subject, words[who].private_root);
		} else {
			char *path = sf_x509_path_text(v->path);
			char reason[1200];

			snprintf(buf, sizeof(buf), "%s'%s'%s", words[who].ca_pre,
				 v->top_subject ? v->top_subject : "?", words[who].ca_post);
			snprintf(reason, sizeof(reason), "%s%s%s%s", v->reason ? v->reason : "?",
				 path ? " (path built: " : "", path ? path : "", path ? ")" : "");
			free(path);
			ADD(SF_R_CERT005_UNTRUSTED, reason, buf);
		}
	} else if (env->profile == SF_PROFILE_DR && env->n_dr_roots > 0) {
		/* Direct Routing: a root Microsoft trusts (data/dr/trusted-roots.txt). */
		int listed = sf_rules_dr_root_listed(env, v->top);

		if (listed < 0) {
			st = SF_EINTERNAL;
			goto out;
		}
		if (!listed) {
			snprintf(buf, sizeof(buf), "one of the roots Microsoft trusts for Direct "
				 "Routing (the Microsoft Trusted Root Program; listed in %s)",
				 env->dr_roots_file ? env->dr_roots_file : "the data files");
			ADD(SF_R_CERT005_NOT_PUBLIC, v->top_subject, buf);
		}
	} else if (env->profile != SF_PROFILE_SFB) {
		if (!pub->ok)
			ADD(SF_R_CERT005_NOT_PUBLIC, v->top_subject,
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
	/*
	 * EKU nesting for the client use (mutual TLS): the certificate is
	 * presented as a client certificate on the connections the Edge (or
	 * SBC) opens, and the peer's Windows restricts it to its CAs' EKUs as
	 * it does for the server use.  That is the peer's check of a client,
	 * which some peers skip: a warning, like CERT-007 for the leaf.
	 */
	if (mutual && (role == SF_ROLE_EDGE || role == SF_ROLE_SBC) && v->no_client.subject)
		ADD(SF_R_CERT007_CA_NO_CLIENTAUTH, v->no_client.subject,
		    v->no_client.ekus ? v->no_client.ekus : "?");
	/* CERT-008 */
	if (X509_get_ext_by_NID(leaf, NID_crl_distribution_points, -1) < 0)
		ADD(SF_R_CERT008_NO_CRLDP, NULL, words[who].crl_from);

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
		if (sf_findings_add_as(out, env->profile, role,
				       nid == NID_rsassaPss ? SF_R_CERT009_PSS : SF_R_CERT009_SHA1,
				       NULL, subj, nm ? nm : "?", NULL)) {
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
		if (bad && v->ok && pub->ok)
			ADD(SF_R_CERT011_INTERNAL, bad, NULL);
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
	sf_strv_release(&san);
	sf_strv_release(&ips);
	free(cn);
	free(subj_owned);
	return st;
}
