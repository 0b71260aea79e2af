/* NET-001, TLS-001..004: what a TLS client saw at an SRV target and port. */
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/util.h"

#define ADD(rule, x, y)                                                                    \
	do {                                                                               \
		if (sf_findings_add(out, env->profile, (rule), NULL, s->target, (x), (y))) \
			goto nomem;                                                        \
	} while (0)

sf_status sf_rules_tls(const sf_rule_env *env, const sf_srv_facts *s, sf_findings *out)
{
	const sf_tls_facts *t = &s->tls;
	char port[32], buf[1024];

	snprintf(port, sizeof(port), "port %u", s->port);
	switch (t->state) {
	case SF_TLS_NO_CHAIN:
		ADD(SF_R_NET001_NO_LAB_CHAIN, t->error ? t->error : "no chain in the lab", NULL);
		return SF_OK;
	case SF_TLS_CONNECT_FAILED:
		ADD(SF_R_NET001_CONNECT, t->error ? t->error : "connection failed", port);
		return SF_OK;
	case SF_TLS_HANDSHAKE_FAILED:
		snprintf(port, sizeof(port), "%u", s->port);
		ADD(SF_R_TLS001_HANDSHAKE, t->error ? t->error : "handshake failed", port);
		return SF_OK;
	case SF_TLS_OK:
		break;
	}
	/* Not observed offline (version NULL): nothing to say. */
	if (t->version && strcmp(t->version, "TLSv1.2") != 0 && strcmp(t->version, "TLSv1.3") != 0)
		ADD(SF_R_TLS001_VERSION, t->version, NULL);
	/* Direct Routing: only the suites of data/dr/cipher-suites.txt (not observed offline). */
	if (t->cipher && env->n_dr_ciphers > 0 && !sf_rules_dr_cipher_ok(env, t->cipher)) {
		char what[160];
		size_t len = 0;

		buf[0] = '\0';
		for (size_t i = 0; i < env->n_dr_ciphers && len < sizeof(buf); i++) {
			int n = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
					 env->dr_ciphers[i]);

			if (n < 0)
				break;
			len += (size_t)n;
		}
		snprintf(what, sizeof(what), "%.100s%s%.20s", t->cipher, t->version ? " with " : "",
			 t->version ? t->version : "");
		ADD(SF_R_TLS001_CIPHER, what, buf);
	}

	if (t->nosni_observed && t->chain && sk_X509_num(t->chain) > 0) {
		X509 *leaf = sk_X509_value(t->chain, 0);

		if (!t->chain_nosni || sk_X509_num(t->chain_nosni) == 0) {
			ADD(SF_R_TLS003_SNI,
			    "no certificate to clients that send no SNI (the handshake fails)", NULL);
		} else if (X509_cmp(leaf, sk_X509_value(t->chain_nosni, 0)) != 0) {
			char *subj = sf_x509_name_text(
				X509_get_subject_name(sk_X509_value(t->chain_nosni, 0)));

			snprintf(buf, sizeof(buf),
				 "another certificate ('%s') to clients that send no SNI",
				 subj ? subj : "?");
			free(subj);
			ADD(SF_R_TLS003_SNI, buf, NULL);
		}
	}
	if (t->client_cert_observed && t->client_cert_requested) {
		size_t len;

		if (t->n_client_ca == 0) {
			snprintf(buf, sizeof(buf), " without naming acceptable CAs");
		} else {
			len = (size_t)snprintf(buf, sizeof(buf), " and names %zu acceptable CA%s: ",
					       t->n_client_ca, t->n_client_ca == 1 ? "" : "s");
			for (size_t i = 0; i < t->n_client_ca && len < sizeof(buf); i++) {
				int n = snprintf(buf + len, sizeof(buf) - len, "%s'%s'",
						 i ? "; " : "", t->client_ca[i]);

				if (n < 0)
					break;
				len += (size_t)n;
			}
		}
		ADD(SF_R_TLS004_CLIENT_CERT, buf, NULL);
	}
	return SF_OK;
nomem:
	return SF_ENOMEM;
}
