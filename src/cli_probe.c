/* sipfed probe: resolve like an Edge, mutual TLS, OPTIONS, decode the answer. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_probe.h"
#include "sipfed/probe.h"

/* getopt_long values of probe's own options (past cli.h's). */
enum { OPT_P_CERT = 3000, OPT_P_KEY, OPT_P_FROM, OPT_P_TARGET, OPT_P_COUNT, OPT_P_CONNS };

void cli_usage_probe(FILE *fp)
{
	fputs("usage: sipfed probe [OPTIONS] DOMAIN --cert FILE --key FILE\n"
	      "\n"
	      "Does what a partner's Edge does when it federates with DOMAIN: resolves\n"
	      "_sipfederationtls._tcp.DOMAIN (targets in priority order, A/AAAA), connects with\n"
	      "mutual TLS presenting --cert, sends SIP OPTIONS and decodes the answer: status,\n"
	      "ms-diagnostics through the knowledge base (check IDs, fix), Server.  Without an\n"
	      "answer it says where it stopped: DNS, TCP, a TLS alert (number and meaning), the\n"
	      "peer's certificate (CERT rules, expected name = the SRV target), no SIP answer.\n"
	      "\n"
	      "  --cert FILE            our certificate chain, PEM, leaf first (required)\n"
	      "  --key FILE             its private key, PEM (default: in --cert)\n"
	      "  --from DOMAIN          From domain of an OPTIONS (repeatable: one OPTIONS per\n"
	      "                         domain over one connection); default: the certificate's\n"
	      "                         domain (its first SAN, else CN, minus the first label)\n"
	      "  --target HOST[:PORT]   connect there (default port 5061) instead of resolving\n"
	      "  --count N              load mode: N OPTIONS in all; prints requests/s, p50/p99\n"
	      "  --connections C        load mode: C persistent connections (default 1)\n"
	      "  --zone FILE            offline DNS from master files (repeatable)\n"
	      "  --resolver IP[:PORT]   live DNS through this server\n"
	      "  --trust FILE           extra trusted roots for the peer's certificate (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              judge the peer's certificate at this RFC 3339 time\n"
	      "  --profile P            sfb (default), o365 or dr\n"
	      "  --timeout MS           per step: connect, handshake, each answer (default 5000)\n"
	      "  --format F             text (default), json or jsonl; --json = --format json\n"
	      "  --color, --no-color    force colour on or off in text\n"
	      "\n"
	      "exit status: 0 every OPTIONS answered 2xx and the peer's certificate has no error;\n"
	      "1 a finding: an error response, a TLS alert from the peer, no answer, no SRV\n"
	      "record, an error in the peer's certificate; 2 usage or operational failure: bad\n"
	      "option or file, the resolver failed, no TCP connection to any target.\n",
	      fp);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cli_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "cert", required_argument, NULL, OPT_P_CERT },
		{ "key", required_argument, NULL, OPT_P_KEY },
		{ "from", required_argument, NULL, OPT_P_FROM },
		{ "target", required_argument, NULL, OPT_P_TARGET },
		{ "count", required_argument, NULL, OPT_P_COUNT },
		{ "connections", required_argument, NULL, OPT_P_CONNS },
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1, .format = CLI_TEXT };
	sf_probe_options po = { 0 };
	const char **from = NULL;
	size_t n_from = 0;
	sf_ctx *ctx = NULL;
	sf_probe_result *r = NULL;
	int opt, status = CLI_EXIT_FAILURE;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_probe(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "probe");
			goto out;
		}
		switch (opt) {
		case OPT_P_CERT:
			po.cert_file = optarg;
			continue;
		case OPT_P_KEY:
			po.key_file = optarg;
			continue;
		case OPT_P_FROM: {
			const char **v = realloc(from, (n_from + 1) * sizeof(*v));

			if (!v) {
				cli_error("out of memory");
				goto out;
			}
			from = v;
			from[n_from++] = optarg;
			continue;
		}
		case OPT_P_TARGET:
			po.target = optarg;
			continue;
		case OPT_P_COUNT:
			if (parse_uint(optarg, 10000000u, &po.count) < 0) {
				cli_error("invalid --count '%s': expected 1..10000000", optarg);
				goto out;
			}
			continue;
		case OPT_P_CONNS:
			if (parse_uint(optarg, 10000u, &po.connections) < 0) {
				cli_error("invalid --connections '%s': expected 1..10000", optarg);
				goto out;
			}
			continue;
		case OPT_CERTS:
		case OPT_HOSTING:
			cli_error("option '--%s' does not apply to 'probe'",
				  cli_opt_name(longopts, opt));
			goto out;
		}
		if (cli_common_opt(&c, opt, optarg) < 0)
			goto out;
	}
	if (optind != argc - 1) {
		cli_error(optind == argc ? "no domain given (see 'sipfed help probe')"
					 : "one domain at a time (see 'sipfed help probe')");
		goto out;
	}
	if (!po.cert_file) {
		cli_error("--cert FILE is required: the certificate chain we present (see "
			  "'sipfed help probe')");
		goto out;
	}
	if (po.connections && !po.count) {
		cli_error("--connections needs --count N (load mode)");
		goto out;
	}
	if (cli_common_validate(&c) < 0)
		goto out;
	po.domain = argv[optind];
	po.from = from;
	po.n_from = n_from;
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	cli_zone_notes(ctx);
	st = sf_probe_run(ctx, &po, &r);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (c.format == CLI_TEXT) {
		sf_out_text_probe(stdout, r, cli_use_color(&c));
	} else {
		char *js = sf_out_json_probe(r);

		if (!js) {
			cli_error("out of memory");
			goto out;
		}
		if (c.format == CLI_JSON)
			printf("{\"version\":1,\"results\":[%s]}\n", js);
		else
			printf("%s\n", js);
		free(js);
	}
	switch (sf_probe_verdict(r)) {
	case SF_VERDICT_PASS:
	case SF_VERDICT_WARN:
		status = CLI_EXIT_OK;
		break;
	case SF_VERDICT_FAIL:
		status = CLI_EXIT_FINDINGS;
		break;
	default:
		status = CLI_EXIT_FAILURE;
		break;
	}
	if (r->stopped_at != SF_PROBE_ANSWERED && r->stop_reason && c.format != CLI_TEXT)
		cli_error("stopped at %s: %s", sf_probe_stop_name(r->stopped_at), r->stop_reason);
	status = cli_finish(status);
out:
	sf_probe_result_free(r);
	sf_ctx_free(ctx);
	free(from);
	cli_common_release(&c);
	return status;
}
