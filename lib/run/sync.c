/*
 * The one-domain calls of sipfed.h (sf_check_domain, sf_check_callback,
 * sf_check_sbc): a run with one job.  There is no other way to check: the
 * blocking calls and the bulk runs are the same code.
 */
#include <stdlib.h>
#include <string.h>

#include "run/run_int.h"
#include "util/util.h"

struct one {
	sf_result *r;
};

static int take(void *arg, const sf_job_done *job, sf_result *r)
{
	struct one *o = arg;

	(void)job;
	sf_result_free(o->r);
	o->r = r;
	return 0;
}

static sf_status check_one(sf_ctx *ctx, sf_job_kind kind, const char *name, const sf_peer *peer,
			   sf_result **out_result)
{
	sf_run_options opt = { .concurrency = 1 };
	struct one o = { NULL };
	sf_job job = { .kind = kind, .name = name };
	sf_run *run = NULL;
	sf_status st;

	*out_result = NULL;
	if (!ctx->dns)
		return sf_ctx_fail(ctx, SF_EINVAL, "no DNS source in this context");
	st = sf_run_new(ctx, &opt, take, &o, &run);
	if (st != SF_OK)
		return st;
	sf_run_set_peer(run, peer);
	st = sf_run_add(run, &job);
	if (st == SF_OK)
		st = sf_run_go(run);
	if (st != SF_OK)
		sf_ctx_fail(ctx, st, "%s", sf_run_error(run));
	else if (!o.r)
		st = sf_ctx_fail(ctx, SF_EINTERNAL, "the check of %s gave no result", name);
	sf_run_free(run);
	if (st != SF_OK) {
		sf_result_free(o.r);
		return st;
	}
	*out_result = o.r;
	return SF_OK;
}

sf_status sf_check_domain(sf_ctx *ctx, const char *domain, sf_result **out_result)
{
	char name[256];

	*out_result = NULL;
	if (sf_name_norm(domain, name, sizeof(name)) < 0 || strcmp(name, ".") == 0 ||
	    strchr(name, '*'))
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid domain name '%s'", domain);
	return check_one(ctx, SF_JOB_DOMAIN, name, NULL, out_result);
}

sf_status sf_check_callback(sf_ctx *ctx, const char *domain, const sf_peer *peer,
			    sf_result **out_result)
{
	char name[256];

	*out_result = NULL;
	if (!peer || !sf_peer_chain(peer) || sk_X509_num(sf_peer_chain(peer)) < 1)
		return sf_ctx_fail(ctx, SF_EINVAL, "no peer certificate for the callback check");
	if (sf_name_norm(domain, name, sizeof(name)) < 0 || strcmp(name, ".") == 0 ||
	    strchr(name, '*'))
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid domain name '%s'", domain);
	return check_one(ctx, SF_JOB_CALLBACK, name, peer, out_result);
}

sf_status sf_check_sbc(sf_ctx *ctx, const char *sbc, sf_result **out_result)
{
	char fqdn[256];
	uint16_t port;

	*out_result = NULL;
	if (sf_core_host_port(sbc, 5061, fqdn, sizeof(fqdn), &port) < 0)
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid SBC '%s': expected FQDN or FQDN:PORT",
				   sbc);
	return check_one(ctx, SF_JOB_SBC, sbc, NULL, out_result);
}
