/* sipfed plan: DNS records and SAN lists for a set of SIP domains; plan --check. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_plan.h"
#include "sipfed/plan.h"

/* getopt_long value of --check (beyond the common ones of cli.h). */
#define OPT_PLAN_CHECK 3001

void cli_usage_plan(FILE *fp)
{
	fputs("usage: sipfed plan [OPTIONS] FILE\n"
	      "       sipfed plan --check [OPTIONS] FILE\n"
	      "\n"
	      "Reads a deployment plan (JSON: SIP domains, Access Edge(s), reverse proxy, pools,\n"
	      "meet and dial-in URLs, UM servers; see docs/plan.md) and prints the DNS records to\n"
	      "publish, one zone-file snippet per zone, and each certificate to order with its\n"
	      "subject and SAN list, with the options that cut SAN entries for many domains and\n"
	      "their trade-offs.\n"
	      "\n"
	      "With --check, checks every SIP domain of the plan as `sipfed check` does and\n"
	      "reports every gap between plan and reality: SRV records elsewhere, planned names\n"
	      "that do not resolve, planned names missing from the certificate a host presents.\n"
	      "\n"
	      "  --check                verify the deployment against the plan\n"
	      "  --profile P            with --check: sfb, o365 or dr (default: the plan's\n"
	      "                         \"profile\")\n"
	      "  --format F             text (default) or json; --json = --format json\n"
	      "  --color, --no-color    force colour on or off\n"
	      "\n"
	      "with --check, as for check:\n"
	      "  --zone FILE            offline DNS from this master file (repeatable)\n"
	      "  --certs DIR            offline TLS: DIR/<fqdn>.pem is the chain (leaf first)\n"
	      "  --resolver IP[:PORT]   live DNS through this server\n"
	      "  --timeout MS           per network operation (default 5000)\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --hosting-provider FQDN  add to the hosting-provider list (the plan's own\n"
	      "                         hosting-provider Edges are added for you)\n",
	      fp);
	fputs(cli_data_dir_usage, fp);
	fputs("\n"
	      "exit status: plan: 0, or 2 for a bad plan file (the message names the field);\n"
	      "--check: 0 no error, 1 an error finding or gap, 2 usage or operational failure\n",
	      fp);
}

/* Prints the plan; returns the exit status. */
static int print_plan(const sf_plan *p, const cli_common *c)
{
	char *js;

	if (c->format == CLI_TEXT) {
		sf_out_text_plan(stdout, p, cli_use_color(c));
		return cli_finish(CLI_EXIT_OK);
	}
	js = sf_out_json_plan(p);
	if (!js) {
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	printf("%s\n", js);
	free(js);
	return cli_finish(CLI_EXIT_OK);
}

/* Writes a JSON text with a leading comma after the first item of a list. */
static int emit_json(char *js, size_t *n)
{
	if (!js) {
		cli_error("out of memory");
		return -1;
	}
	printf("%s%s", (*n)++ ? "," : "", js);
	free(js);
	return 0;
}

/* plan --check: returns the exit status.  @ctx is ready. */
static int check_plan(sf_ctx *ctx, const sf_plan *p, const cli_common *c)
{
	sf_plan_check_summary sum = { 0 };
	int json = c->format == CLI_JSON, color = cli_use_color(c);
	size_t n = 0;
	sf_verdict v;
	char *js;

	if (json) {
		js = sf_out_json_plan_check_head(p);
		if (!js) {
			cli_error("out of memory");
			return CLI_EXIT_FAILURE;
		}
		printf("{\"version\":1,\"plan\":%s,\"results\":[", js);
		free(js);
	}
	for (size_t i = 0; i < p->n_domains; i++) {
		sf_plan_domain_check *dc = NULL;

		if (sf_plan_check_domain(ctx, p, i, &dc) != SF_OK)
			goto fail;
		sf_plan_summary_add_domain(&sum, dc);
		if (json) {
			if (emit_json(sf_out_json_plan_domain_check(dc), &n) < 0) {
				sf_plan_domain_check_free(dc);
				return CLI_EXIT_FAILURE;
			}
		} else {
			sf_out_text_plan_domain_check(stdout, dc, color);
		}
		sf_plan_domain_check_free(dc);
		fflush(stdout);
	}
	if (json)
		fputs("],\"zones\":[", stdout);
	n = 0;
	for (size_t zi = 0; zi < p->n_zones; zi++) {
		sf_plan_gaps g = { 0 };
		size_t cmp = 0;
		int r = 0;

		if (p->zones[zi].sip_domain)
			continue;
		if (sf_plan_check_zone(ctx, p, zi, &g, &cmp) != SF_OK) {
			sf_plan_gaps_release(&g);
			goto fail;
		}
		sf_plan_summary_add_gaps(&sum, &g);
		if (cmp > 0 && json)
			r = emit_json(sf_out_json_plan_zone_check(p->zones[zi].zone, &g, cmp), &n);
		else if (cmp > 0)
			sf_out_text_plan_zone_check(stdout, p->zones[zi].zone, &g, cmp, color);
		sf_plan_gaps_release(&g);
		if (r < 0)
			return CLI_EXIT_FAILURE;
	}
	if (json)
		fputs("],\"certificates\":[", stdout);
	n = 0;
	for (size_t i = 0; i < p->n_certs; i++) {
		sf_plan_cert_check *cc = NULL;

		if (sf_plan_check_cert(ctx, p, i, &cc) != SF_OK)
			goto fail;
		sf_plan_summary_add_cert(&sum, cc);
		if (json) {
			if (emit_json(sf_out_json_plan_cert_check(cc), &n) < 0) {
				sf_plan_cert_check_free(cc);
				return CLI_EXIT_FAILURE;
			}
		} else {
			sf_out_text_plan_cert_check(stdout, cc, color);
		}
		sf_plan_cert_check_free(cc);
	}
	if (json) {
		js = sf_out_json_plan_summary(&sum);
		if (!js) {
			cli_error("out of memory");
			return CLI_EXIT_FAILURE;
		}
		printf("],\"summary\":%s}\n", js);
		free(js);
	} else {
		sf_out_text_plan_summary(stdout, &sum, color);
	}
	v = sf_plan_summary_verdict(&sum);
	return cli_finish(v == SF_VERDICT_ERROR ? CLI_EXIT_FAILURE
			  : v == SF_VERDICT_FAIL ? CLI_EXIT_FINDINGS
						 : CLI_EXIT_OK);
fail:
	if (json)
		fputs("]}\n", stdout);
	fflush(stdout);
	cli_error("%s", sf_ctx_error(ctx));
	return CLI_EXIT_FAILURE;
}

int cli_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "check", no_argument, NULL, OPT_PLAN_CHECK },
		CLI_DATA_DIR_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1 };
	const char **hosting = NULL;
	sf_plan *plan = NULL;
	sf_ctx *ctx = NULL;
	int opt, check = 0, profile_given = 0, live_opts = 0, status = CLI_EXIT_FAILURE;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_plan(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == OPT_PLAN_CHECK) {
			check = 1;
			continue;
		}
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "plan");
			goto out;
		}
		profile_given |= opt == OPT_PROFILE;
		live_opts |= opt == OPT_ZONE || opt == OPT_CERTS || opt == OPT_RESOLVER ||
			     opt == OPT_TRUST || opt == OPT_NO_SYSTEM_TRUST || opt == OPT_AT ||
			     opt == OPT_TIMEOUT || opt == OPT_HOSTING || opt == OPT_DATA_DIR;
		if (cli_common_opt(&c, opt, optarg) < 0)
			goto out;
	}
	if (optind + 1 != argc) {
		cli_error(optind == argc ? "no plan file (see 'sipfed help plan')"
					 : "one plan file at a time (see 'sipfed help plan')");
		goto out;
	}
	if (c.format == CLI_JSONL) {
		cli_error("plan writes one JSON document: use --format json");
		goto out;
	}
	if (profile_given && !check) {
		cli_error("--profile goes with --check; for the plan itself, set \"profile\" in "
			  "the plan file");
		goto out;
	}
	if (live_opts && !check) {
		cli_error("--zone, --certs, --resolver, --trust, --no-system-trust, --at, "
			  "--timeout, --hosting-provider and --data-dir go with --check");
		goto out;
	}
	if (cli_common_validate(&c) < 0)
		goto out;
	st = sf_plan_load(argv[optind], &plan);
	if (st != SF_OK) {
		cli_error("%s", sf_plan_error(plan));
		goto out;
	}
	if (!check) {
		status = print_plan(plan, &c);
		goto out;
	}
	if (!profile_given)
		c.opt.profile = plan->profile;
	/* The plan's hosting-provider Edges count as configured, as the plan assumes. */
	if (plan->n_hosting > 0) {
		size_t n = c.opt.n_hosting_providers;

		hosting = calloc(n + plan->n_hosting, sizeof(*hosting));
		if (!hosting) {
			cli_error("out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			hosting[i] = c.opt.hosting_providers[i];
		for (size_t i = 0; i < plan->n_hosting; i++)
			hosting[n + i] = plan->hosting[i];
		c.opt.hosting_providers = hosting;
		c.opt.n_hosting_providers = n + plan->n_hosting;
	}
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	status = check_plan(ctx, plan, &c);
out:
	sf_ctx_free(ctx);
	sf_plan_free(plan);
	free(hosting);
	cli_common_release(&c);
	return status;
}
