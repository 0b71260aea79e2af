/* The context: sources, trust store and rule environment, built once. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "core/core.h"
#include "util/util.h"

/* SPEC §4 DNS-005: hosting providers every Edge knows. */
static const char *const builtin_hosting[] = {
	"sipfed.online.lync.com",
	"sipfed.online.gov.skypeforbusiness.us",
	"sipfed.online.dod.skypeforbusiness.us",
	"sipfed.online.partner.lync.cn",
};

sf_status sf_ctx_fail(sf_ctx *ctx, sf_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return st;
}

sf_status sf_collect_chain(const sf_ctx *ctx, sf_tls_facts *t)
{
	sf_chain_facts_release(&t->cf);
	if (t->state != SF_TLS_OK || !t->chain)
		return SF_OK;
	return sf_chain_facts_collect(ctx->trust, t->chain, ctx->at, &t->cf) < 0 ? SF_ENOMEM
										  : SF_OK;
}

const char *const *sf_ctx_notes(const sf_ctx *ctx, size_t *out_n)
{
	*out_n = 0;
	return ctx && ctx->dns ? sf_dns_zone_notes(ctx->dns, out_n) : NULL;
}

int sf_ctx_client(const sf_ctx *ctx)
{
	return ctx->client;
}

const char *sf_ctx_error(const sf_ctx *ctx)
{
	return ctx ? ctx->err : "out of memory";
}

sf_status sf_ctx_new(const sf_options *opt, sf_ctx **out_ctx)
{
	sf_ctx *ctx = calloc(1, sizeof(*ctx));
	sf_status st;
	char name[256];

	*out_ctx = ctx;
	if (!ctx)
		return SF_ENOMEM;
	if ((unsigned)opt->profile >= SF_PROFILE_COUNT)
		return sf_ctx_fail(ctx, SF_EINVAL, "unknown profile");
	ctx->profile = opt->profile;
	ctx->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 5000;
	ctx->no_probe_misspellings = opt->no_probe_misspellings;
	ctx->at = opt->at;

	for (size_t i = 0; i < SF_ARRAY_LEN(builtin_hosting); i++)
		if (sf_strv_push(&ctx->hosting, builtin_hosting[i]))
			return SF_ENOMEM;
	for (size_t i = 0; i < opt->n_hosting_providers; i++) {
		if (sf_name_norm(opt->hosting_providers[i], name, sizeof(name)) < 0)
			return sf_ctx_fail(ctx, SF_EINVAL, "invalid hosting provider '%s'",
					   opt->hosting_providers[i]);
		if (!sf_strv_contains(&ctx->hosting, name) && sf_strv_push(&ctx->hosting, name))
			return SF_ENOMEM;
	}

	if (opt->no_network)
		st = SF_OK;
	else if (opt->n_zone_files > 0)
		st = sf_dns_zone_new(opt->zone_files, opt->n_zone_files, &ctx->dns, ctx->err,
				     sizeof(ctx->err));
	else
		st = sf_dns_live_new(opt->resolver, ctx->timeout_ms, &ctx->dns, ctx->err,
				     sizeof(ctx->err));
	if (st != SF_OK)
		return st;

	if (opt->no_network)
		st = SF_OK;
	else if (opt->certs_dir)
		st = sf_tls_dir_new(opt->certs_dir, &ctx->tls, ctx->err, sizeof(ctx->err));
	else if (opt->n_zone_files == 0)
		st = sf_tls_live_new(ctx->timeout_ms, &ctx->tls);
	ctx->tls_offline = opt->certs_dir != NULL;
	/* Direct Routing's SIP proxies speak TLS 1.2: observe the suite an SBC picks for it. */
	if (st == SF_OK && ctx->tls && !opt->certs_dir && ctx->profile == SF_PROFILE_DR)
		st = sf_tls_live_set_max_version(ctx->tls, TLS1_2_VERSION);
	if (st != SF_OK) {
		if (!ctx->err[0])
			sf_ctx_fail(ctx, st, "cannot set up TLS: %s", sf_strerror(st));
		return st;
	}

	st = sf_trust_new(opt->trust_files, opt->n_trust_files, opt->no_system_trust, &ctx->trust,
			  ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		return st;

	if (ctx->profile == SF_PROFILE_DR) {
		st = sf_dr_data_load(ctx, opt->data_dir);
		if (st != SF_OK)
			return st;
	}

	/*
	 * --client: the autodiscover requests go where the TLS checks go: the lab
	 * directory (--certs), or the network (live DNS).  Offline DNS without
	 * --certs checks DNS only.  The proxy variables of the environment are
	 * ignored; SIPFED_HTTP_PROXY names a proxy for these requests only.
	 */
	ctx->client = opt->client;
	if (opt->client && !opt->no_network && opt->certs_dir)
		st = sf_http_dir_new(opt->certs_dir, &ctx->http, ctx->err, sizeof(ctx->err));
	else if (opt->client && !opt->no_network && opt->n_zone_files == 0)
		st = sf_http_live_new(ctx->timeout_ms, getenv("SIPFED_HTTP_PROXY"), &ctx->http,
				      ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		return st;

	/* What the results will name as their sources. */
	if (opt->no_network) {
		ctx->dns_desc = NULL;
	} else if (opt->n_zone_files > 0) {
		sf_sb d = { 0 };
		size_t n_notes = 0;
		const char *const *notes = sf_dns_zone_notes(ctx->dns, &n_notes);

		sf_sb_addf(&d, "zone file%s ", opt->n_zone_files > 1 ? "s" : "");
		for (size_t i = 0; i < opt->n_zone_files; i++) {
			if (i)
				sf_sb_add(&d, ", ");
			sf_sb_add_esc(&d, opt->zone_files[i], strlen(opt->zone_files[i]));
		}
		/* an origin that was guessed is part of what the answers rest on */
		for (size_t i = 0; i < n_notes; i++) {
			sf_sb_add(&d, i ? "; " : " (");
			sf_sb_add_esc(&d, notes[i], strlen(notes[i]));
		}
		if (n_notes)
			sf_sb_add(&d, ")");
		ctx->dns_desc = sf_sb_take(&d);
		if (!ctx->dns_desc)
			return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	} else {
		char *servers = sf_dns_live_servers(ctx->dns);

		ctx->dns_desc = opt->resolver ? sf_aprintf("resolver %s", servers ? servers : opt->resolver)
					      : sf_aprintf("system resolver %s", servers ? servers : "");
		free(servers);
		if (!ctx->dns_desc)
			return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	}
	if (ctx->tls) {
		ctx->tls_desc = opt->certs_dir ? sf_aprintf("lab directory %s", opt->certs_dir)
					       : sf_strdup("live TLS");
		if (!ctx->tls_desc)
			return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	}

	/* The distribution's list (package publicsuffix) if present, else libpsl's own. */
	ctx->psl = psl_latest(NULL);
	ctx->env.profile = ctx->profile;
	ctx->env.hosting = (const char *const *)ctx->hosting.v;
	ctx->env.n_hosting = ctx->hosting.n;
	ctx->env.now = ctx->at;
	ctx->env.expiry_days = opt->expiry_days > 0 ? opt->expiry_days : 30;
	ctx->env.psl = ctx->psl ? ctx->psl : psl_builtin();
	ctx->env.dr_ciphers = (const char *const *)ctx->dr_ciphers.v;
	ctx->env.n_dr_ciphers = ctx->dr_ciphers.n;
	ctx->env.dr_roots = (const char *const *)ctx->dr_roots.v;
	ctx->env.n_dr_roots = ctx->dr_roots.n;
	ctx->env.dr_roots_file = ctx->dr_roots_file;
	return SF_OK;
}

void sf_ctx_free(sf_ctx *ctx)
{
	if (!ctx)
		return;
	sf_dns_source_free(ctx->dns);
	sf_tls_source_free(ctx->tls);
	sf_trust_free(ctx->trust);
	psl_free(ctx->psl);
	sf_strv_release(&ctx->hosting);
	sf_http_source_free(ctx->http);
	sf_strv_release(&ctx->dialin_addr);
	sf_strv_release(&ctx->dialin_host);
	sf_dr_data_release(ctx);
	free(ctx->dns_desc);
	free(ctx->tls_desc);
	free(ctx);
}
