/* sipfed cert: lint one certificate chain for a role. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_usage_cert(FILE *fp)
{
	fputs("usage: sipfed cert [OPTIONS] FILE\n"
	      "\n"
	      "Lints the PEM chain in FILE (leaf first) with the certificate rules CERT-001..012.\n"
	      "\n"
	      "  --name FQDN            the name a peer expects (the SRV target): CERT-001/002\n"
	      "                         (with --role um: the Exchange UM server's FQDN, UM-001)\n"
	      "  --chain FILE           untrusted intermediates, PEM\n"
	      "  --role R               edge (default), um (needs --name), web or sbc\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --profile P            sfb (default), o365 or dr\n"
	      "  --format F             json (default), text or jsonl; --json = --format json\n"
	      "  --color, --no-color    force colour on or off in text\n",
	      fp);
	fputs(cli_data_dir_usage, fp);
	fputs("\n"
	      "exit status: 0 no error finding, 1 an error finding, 2 usage or operational failure\n",
	      fp);
}

int cli_cert(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "name", required_argument, NULL, OPT_NAME },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "chain", required_argument, NULL, OPT_CHAIN },
		CLI_DATA_DIR_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1, .format = CLI_JSON };
	sf_ctx *ctx = NULL;
	sf_cert_result *r = NULL;
	const char *name = NULL, *chain = NULL;
	sf_role role = SF_ROLE_EDGE;
	int opt, status = CLI_EXIT_FAILURE;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_cert(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "cert");
			goto out;
		}
		switch (opt) {
		case OPT_NAME:
			name = optarg;
			continue;
		case OPT_CHAIN:
			chain = optarg;
			continue;
		case OPT_ROLE:
			if (sf_role_parse(optarg, &role) < 0) {
				cli_error("invalid --role '%s': expected edge, um, web or sbc", optarg);
				goto out;
			}
			continue;
		case OPT_ZONE:
		case OPT_CERTS:
		case OPT_RESOLVER:
		case OPT_HOSTING:
		case OPT_TIMEOUT:
			/* Named as the option, not argv[optind - 1] (its value when separate). */
			cli_error("option '--%s' does not apply to 'cert': a certificate file is "
				  "linted offline",
				  cli_opt_name(longopts, opt));
			goto out;
		}
		if (cli_common_opt(&c, opt, optarg) < 0)
			goto out;
	}
	if (optind != argc - 1) {
		cli_error(optind == argc ? "no certificate file given (see 'sipfed help cert')"
					 : "one certificate file at a time (see 'sipfed help cert')");
		goto out;
	}
	if (role == SF_ROLE_UM && !name) {
		cli_error("--role um needs --name FQDN (the Exchange UM server's FQDN: UM-001 "
			  "compares the subject CN with it)");
		goto out;
	}
	c.opt.no_network = 1;
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	st = sf_cert_lint(ctx, argv[optind], chain, name, role, &r);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (c.format == CLI_TEXT) {
		sf_out_text_cert(stdout, r, cli_use_color(&c));
	} else {
		char *js = sf_out_json_cert(r);

		if (!js) {
			cli_error("out of memory");
			goto out;
		}
		printf("%s\n", js);
		free(js);
	}
	status = cli_finish(sf_findings_max(&r->findings) == SF_SEV_ERROR ? CLI_EXIT_FINDINGS
									   : CLI_EXIT_OK);
out:
	sf_cert_result_free(r);
	sf_ctx_free(ctx);
	cli_common_release(&c);
	return status;
}
