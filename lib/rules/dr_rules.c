/*
 * Teams Direct Routing: DR-001 on the SBC FQDN, and the lookups of the
 * Direct Routing data (data/dr/) that TLS-001 and CERT-005 use in the dr
 * profile.  Pure: names, addresses and certificates in, findings out.
 *
 * Source: Microsoft Learn, "Plan Direct Routing" (SBC domain names: the
 * FQDN must be in a domain registered in the tenant, never
 * *.onmicrosoft.com; a public IP address and a public DNS entry for the
 * SBC FQDN).  @unittest: test_rules (frows)
 */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"
#include "util/util.h"

#define ONMICROSOFT "onmicrosoft.com"

sf_status sf_rules_sbc(const sf_rule_env *env, const char *fqdn, sf_dns_rcode rcode,
		       char *const *addrs, size_t n_addrs, sf_findings *out)
{
	char buf[1024];
	size_t len = 0;

	if (strcmp(fqdn, ONMICROSOFT) == 0 || sf_name_is_under(fqdn, ONMICROSOFT)) {
		if (sf_findings_add(out, env->profile, SF_R_DR001_ONMICROSOFT, fqdn, fqdn, NULL,
				    NULL))
			return SF_ENOMEM;
	}
	if (n_addrs == 0) {
		if (rcode == SF_DNS_NXDOMAIN)
			snprintf(buf, sizeof(buf), "does not resolve: the name does not exist");
		else if (rcode == SF_DNS_NOERROR)
			snprintf(buf, sizeof(buf), "does not resolve: it has no A or AAAA record");
		else
			snprintf(buf, sizeof(buf), "could not be resolved (%s)",
				 sf_dns_rcode_name(rcode));
		if (sf_findings_add(out, env->profile, SF_R_DR001_NOT_PUBLIC, fqdn, fqdn, buf,
				    NULL))
			return SF_ENOMEM;
		return SF_OK;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n_addrs; i++) {
		const char *cls = sf_rules_address_class(addrs[i]);
		int n;

		if (!cls)
			continue;
		n = snprintf(buf + len, sizeof(buf) - len, "%s%s (%s)", len ? ", " : "resolves to ",
			     addrs[i], cls);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			break;
		len += (size_t)n;
	}
	if (len) {
		snprintf(buf + len, sizeof(buf) - len, ", not a public address");
		if (sf_findings_add(out, env->profile, SF_R_DR001_NOT_PUBLIC, fqdn, fqdn, buf,
				    NULL))
			return SF_ENOMEM;
	}
	return SF_OK;
}

int sf_rules_dr_cipher_ok(const sf_rule_env *env, const char *cipher)
{
	/* The list may give either name of a suite; OpenSSL maps the IANA name to its own. */
	const char *ossl = OPENSSL_cipher_name(cipher);

	for (size_t i = 0; i < env->n_dr_ciphers; i++) {
		const char *c = env->dr_ciphers[i];

		if (strcasecmp(c, cipher) == 0 || (ossl && strcasecmp(c, ossl) == 0))
			return 1;
	}
	return 0;
}

/* Lowercase copy of the values of @nid in @name, "<prefix><value>", pushed onto @out. */
static int name_values(const X509_NAME *name, int nid, const char *prefix, sf_strv *out)
{
	int idx = -1;

	while ((idx = X509_NAME_get_index_by_NID(name, nid, idx)) >= 0) {
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
							    X509_NAME_get_entry(name, idx)));
		char *v;
		size_t pl = strlen(prefix);

		if (n < 0)
			continue;
		v = malloc(pl + (size_t)n + 1);
		if (!v) {
			OPENSSL_free(utf8);
			return -1;
		}
		memcpy(v, prefix, pl);
		for (int k = 0; k < n; k++) {
			unsigned char c = utf8[k];

			v[pl + (size_t)k] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		v[pl + (size_t)n] = '\0';
		OPENSSL_free(utf8);
		if (sf_strv_push(out, v)) {
			free(v);
			return -1;
		}
		free(v);
	}
	return 0;
}

int sf_rules_dr_root_listed(const sf_rule_env *env, X509 *root)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char fp[7 + 2 * EVP_MAX_MD_SIZE + 1];
	sf_strv keys = { 0 };
	int rc = -1;

	if (!root || !X509_digest(root, EVP_sha256(), md, &mdlen))
		goto out;
	memcpy(fp, "sha256:", 7);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(fp + 7 + 2 * i, 3, "%02x", md[i]);
	if (sf_strv_push(&keys, fp) ||
	    name_values(X509_get_subject_name(root), NID_commonName, "cn:", &keys) ||
	    name_values(X509_get_subject_name(root), NID_organizationName, "o:", &keys))
		goto out;
	rc = 0;
	for (size_t i = 0; i < env->n_dr_roots && !rc; i++)
		rc = sf_strv_contains(&keys, env->dr_roots[i]);
out:
	sf_strv_release(&keys);
	return rc;
}
