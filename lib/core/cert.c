/* `sipfed cert`: the certificate rules on one PEM chain, as in a check. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"

static char *time_text(const ASN1_TIME *t)
{
	char buf[64];
	time_t tt;

	if (sf_x509_time(t, &tt) < 0)
		return sf_strdup("?");
	sf_time_format(tt, buf, sizeof(buf));
	return sf_strdup(buf);
}

sf_status sf_cert_lint(sf_ctx *ctx, const char *file, const char *chain_file, const char *name,
		       sf_role role, sf_cert_result **out_result)
{
	STACK_OF(X509) *chain = NULL, *extra = NULL;
	sf_cert_result *r = NULL;
	sf_cert_detail det = { 0 };
	sf_chain_facts cf = { 0 };
	sf_strv san = { 0 };
	char norm[256];
	X509 *leaf;
	sf_status st;

	*out_result = NULL;
	if (name && (sf_name_norm(name, norm, sizeof(norm)) < 0 || strcmp(norm, ".") == 0))
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid name '%s'", name);
	st = sf_pem_read_chain(file, &chain, ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		goto out;
	if (chain_file) {
		st = sf_pem_read_chain(chain_file, &extra, ctx->err, sizeof(ctx->err));
		if (st != SF_OK)
			goto out;
		while (sk_X509_num(extra) > 0) {
			X509 *x = sk_X509_shift(extra);

			if (!sk_X509_push(chain, x)) {
				X509_free(x);
				st = SF_ENOMEM;
				goto out;
			}
		}
	}
	st = SF_ENOMEM;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out;
	r->profile = ctx->profile;
	r->role = role;
	r->name_match = -1;
	leaf = sk_X509_value(chain, 0);
	if (!(r->file = sf_strdup(file)) || (name && !(r->name = sf_strdup(norm))))
		goto out;
	r->subject = sf_x509_name_text(X509_get_subject_name(leaf));
	r->issuer = sf_x509_name_text(X509_get_issuer_name(leaf));
	r->not_before = time_text(X509_get0_notBefore(leaf));
	r->not_after = time_text(X509_get0_notAfter(leaf));
	if (!r->subject || !r->issuer || !r->not_before || !r->not_after)
		goto out;
	if (sf_x509_san(leaf, &san, NULL) < 0)
		goto out;
	r->san_dns = san.v;
	r->n_san_dns = san.n;
	san.v = NULL;
	san.n = san.cap = 0;

	if (sf_chain_facts_collect(ctx->trust, chain, ctx->at, &cf) < 0)
		goto out;
	st = sf_rules_cert(&ctx->env, chain, &cf, name ? norm : NULL, role,
			   role == SF_ROLE_EDGE || role == SF_ROLE_SBC, 0, &r->findings, &det);
	if (st != SF_OK)
		goto out;
	sf_findings_sort(&r->findings);
	r->name_match = det.name_match;
	r->matched_as = det.matched_as;
	r->chain_trusted = det.chain_trusted;
	r->chain_error = det.chain_error;
	det.matched_as = det.chain_error = NULL;
	*out_result = r;
	r = NULL;
	st = SF_OK;
out:
	if (st == SF_ENOMEM)
		sf_ctx_fail(ctx, st, "out of memory");
	sf_cert_detail_release(&det);
	sf_chain_facts_release(&cf);
	sf_strv_release(&san);
	sf_cert_result_free(r);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(extra, X509_free);
	return st;
}

void sf_cert_result_free(sf_cert_result *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->name);
	free(r->matched_as);
	free(r->chain_error);
	free(r->subject);
	free(r->issuer);
	free(r->not_before);
	free(r->not_after);
	for (size_t i = 0; i < r->n_san_dns; i++)
		free(r->san_dns[i]);
	free(r->san_dns);
	sf_findings_release(&r->findings);
	free(r);
}
