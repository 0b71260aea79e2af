/* sipfed logs: explain the federation failures found in logs. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sipfed/logs.h"

void cli_usage_logs(FILE *fp)
{
	fputs("usage: sipfed logs [OPTIONS] FILE|DIR...    ('-' = stdin; gzip is read as is)\n"
	      "\n"
	      "Finds the federation failures in Cisco Expressway / VCS diagnostic logs, Lync\n"
	      "and Skype for Business Edge / Front End logs, client UccApiLog traces, SIP\n"
	      "message text and Windows event text, and explains each: what the Microsoft side\n"
	      "decided, the check IDs that detect it, the FQDN or domain to fix, how, and the\n"
	      "`sipfed check` command that confirms it.  A bare 504 is linked by Call-ID to the\n"
	      "Edge or client record of the same call in any of the files (legs with other\n"
	      "Call-IDs: within 30 s, same From / To domains).\n"
	      "\n"
	      "Bundles (.tar, .tar.gz, .tgz, .zip) and directories are walked; each log in\n"
	      "them is named BUNDLE:PATH (empty and binary members are skipped).  UTF-16\n"
	      "exports with a byte-order mark are decoded.  A member that decompresses past\n"
	      "200:1 (a decompression bomb) stops its bundle with an error (exit 2).\n"
	      "\n"
	      "  --type T               auto (default: detected per file), expressway, edge,\n"
	      "                         uccapi, event, search (Expressway Search history\n"
	      "                         page), sip or generic (any text)\n"
	      "  --events               list the events of each cause, one a line (text)\n"
	      "  --format F             text (default), json or jsonl; --json = --format json\n"
	      "  --color, --no-color    force colour on or off (default: on a terminal, unless\n"
	      "                         NO_COLOR is set)\n"
	      "  --verify               run `sipfed check` on every domain the fixes name, with:\n"
	      "  --zone FILE            offline DNS from this master file (repeatable)\n"
	      "  --certs DIR            offline TLS: DIR/<fqdn>.pem is the chain (leaf first)\n"
	      "  --resolver IP[:PORT]   live DNS through this server (default: system resolver)\n"
	      "  --timeout MS           per network operation (default 5000)\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --hosting-provider FQDN  add to the built-in hosting-provider list\n"
	      "  --profile P            sfb (default), o365 or dr\n"
	      "\n"
	      "exit status: 0 no federation failure found, 1 at least one event explained by\n"
	      "a check of severity error in the profile (or a --verify check failed), 2 usage\n"
	      "error, a file that cannot be read or is not a log (the other files are still\n"
	      "read), or a --verify check that could not run\n",
	      fp);
}

/* Whether @ev is a federation failure: a rule of severity error (profile @p) explains it. */
static int is_failure(const sf_log_event *ev, sf_profile p)
{
	for (size_t i = 0; i < ev->n_rules; i++) {
		const sf_rule_info *ri = sf_rule_get(ev->rules[i]);

		if (ri != NULL && ri->sev[p] == SF_SEV_ERROR)
			return 1;
	}
	return 0;
}

/* Prints the log part of a JSON / JSON-lines document; -1 on out-of-memory. */
static int print_json_events(const sf_logs_report *r, enum cli_format fmt)
{
	for (size_t i = 0; i < sf_logs_report_n_events(r); i++) {
		char *js = sf_out_json_log_event(sf_logs_report_event(r, i));

		if (js == NULL)
			return -1;
		if (fmt == CLI_JSON)
			printf("%s%s", i ? "," : "", js);
		else
			printf("%s\n", js);
		free(js);
	}
	return 0;
}

/*
 * --verify: `sipfed check` on each domain of the report, printed as the
 * check command prints it (text blocks, "verify":[R...] in JSON, one
 * {"verify":R} per line in JSON lines).  Returns the exit status it implies
 * (0, 1 a failing check, 2 a check that could not run), -1 on a fatal error
 * (printed).
 */
static int verify(cli_common *c, const sf_logs_report *r, int color)
{
	sf_ctx *ctx = NULL;
	int worst = CLI_EXIT_OK;
	sf_status st;

	st = sf_ctx_new(&c->opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", ctx != NULL ? sf_ctx_error(ctx) : sf_strerror(st));
		sf_ctx_free(ctx);
		return -1;
	}
	if (c->format == CLI_TEXT && sf_logs_report_n_domains(r) > 0)
		fputs("verify: sipfed check on the domains above\n\n", stdout);
	for (size_t i = 0; i < sf_logs_report_n_domains(r); i++) {
		sf_result *res = NULL;
		char *js;

		st = sf_check_domain(ctx, sf_logs_report_domain(r, i), &res);
		if (st != SF_OK) {
			cli_error("%s", sf_ctx_error(ctx));
			worst = -1;
			break;
		}
		if (c->format == CLI_TEXT) {
			sf_out_text_result(stdout, res, color);
		} else if ((js = sf_out_json_result(res)) != NULL) {
			if (c->format == CLI_JSON)
				printf("%s%s", i ? "," : "", js);
			else
				printf("{\"verify\":%s}\n", js);
			free(js);
		} else {
			sf_result_free(res);
			cli_error("out of memory");
			worst = -1;
			break;
		}
		fflush(stdout);
		if (res->verdict == SF_VERDICT_ERROR)
			worst = CLI_EXIT_FAILURE;
		else if (res->verdict == SF_VERDICT_FAIL && worst == CLI_EXIT_OK)
			worst = CLI_EXIT_FINDINGS;
		sf_result_free(res);
	}
	sf_ctx_free(ctx);
	return worst;
}

int cli_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "events", no_argument, NULL, OPT_EVENTS },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1 };
	sf_logs_report *r = NULL;
	sf_log_type type = SF_LOGT_AUTO;
	int opt, status = CLI_EXIT_FAILURE, bad = 0, failures = 0, events = 0, do_verify = 0;
	int color, vstatus = CLI_EXIT_OK;
	char *js;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_logs(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "logs");
			goto out;
		}
		switch (opt) {
		case OPT_TYPE:
			if (sf_log_type_parse(optarg, &type) < 0) {
				cli_error("invalid --type '%s': expected auto, expressway, edge, "
					  "uccapi, event, search, sip or generic", optarg);
				goto out;
			}
			continue;
		case OPT_EVENTS:
			events = 1;
			continue;
		case OPT_VERIFY:
			do_verify = 1;
			continue;
		default:
			break;
		}
		if (cli_common_opt(&c, opt, optarg) < 0)
			goto out;
	}
	if (optind >= argc) {
		cli_error("no log file given (see 'sipfed help logs'; '-' reads stdin)");
		goto out;
	}
	if (cli_common_validate(&c) < 0)
		goto out;
	if (sf_logs_report_new(&r) != SF_OK) {
		cli_error("out of memory");
		goto out;
	}
	/* every file is read; a bad one is reported and the others still count */
	for (int i = optind; i < argc; i++) {
		st = sf_logs_report_add(r, argv[i], type);
		if (st == SF_ENOMEM) {
			cli_error("%s", sf_logs_report_error(r));
			goto out;
		}
		if (st != SF_OK) {
			cli_error("%s", sf_logs_report_error(r)[0] != '\0' ? sf_logs_report_error(r)
									   : sf_strerror(st));
			bad = 1;
		}
	}
	if (sf_logs_report_finish(r) != SF_OK) {
		cli_error("%s", sf_logs_report_error(r));
		goto out;
	}
	for (size_t i = 0; i < sf_logs_report_n_events(r); i++)
		failures |= is_failure(sf_logs_report_event(r, i), c.opt.profile);

	color = cli_use_color(&c);
	if (c.format == CLI_TEXT) {
		sf_out_text_logs_ex(stdout, r, color, events ? SF_OUT_LOGS_EVENTS : 0);
	} else {
		if (c.format == CLI_JSON)
			fputs("{\"version\":1,\"events\":[", stdout);
		if (print_json_events(r, c.format) < 0) {
			cli_error("out of memory");
			goto out;
		}
		if (c.format == CLI_JSON) {
			if ((js = sf_out_json_logs_summary(r)) == NULL) {
				cli_error("out of memory");
				goto out;
			}
			printf("],\"summary\":%s", js);
			free(js);
		}
	}
	fflush(stdout);
	if (do_verify) {
		if (c.format == CLI_JSON)
			fputs(",\"verify\":[", stdout);
		vstatus = verify(&c, r, color);
		if (c.format == CLI_JSON)
			fputs("]", stdout);
	}
	if (c.format == CLI_JSON) {
		fputs("}\n", stdout);
	} else if (c.format == CLI_JSONL) {
		if ((js = sf_out_json_logs_summary(r)) == NULL) {
			cli_error("out of memory");
			goto out;
		}
		printf("{\"summary\":%s}\n", js);
		free(js);
	}
	if (bad || vstatus < 0 || vstatus == CLI_EXIT_FAILURE)
		status = CLI_EXIT_FAILURE;
	else if (failures || vstatus == CLI_EXIT_FINDINGS)
		status = CLI_EXIT_FINDINGS;
	else
		status = CLI_EXIT_OK;
	status = cli_finish(status);
out:
	sf_logs_report_free(r);
	cli_common_release(&c);
	return status;
}
