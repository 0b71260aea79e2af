/* sipfed check: federation readiness of SIP domains. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_fed.h"

/* getopt_long value of --client (check only; kept clear of the shared enum of cli.h). */
enum { OPT_CLIENT = 1900 };

void cli_usage_check(FILE *fp)
{
	fputs("usage: sipfed check [OPTIONS] DOMAIN...\n"
	      "       sipfed check [OPTIONS] -f FILE        (one domain a line, '-' = stdin)\n"
	      "       sipfed check --peer-cert FILE | --peer-host HOST[:PORT] DOMAIN...\n"
	      "       sipfed check --profile dr --sbc FQDN[:PORT]...\n"
	      "\n"
	      "Evaluates the DNS, network, TLS and certificate rules a Skype for Business Edge\n"
	      "applies to the federation SRV record _sipfederationtls._tcp.DOMAIN and its targets.\n"
	      "\n"
	      "  --zone FILE            offline DNS from this master file (repeatable); a name in\n"
	      "                         no zone is NXDOMAIN; TLS is then read from --certs only\n"
	      "  --certs DIR            offline TLS: DIR/<fqdn>.pem is the chain (leaf first)\n"
	      "  --resolver IP[:PORT]   live DNS through this server (default: system resolver;\n"
	      "                         not with --zone)\n"
	      "  --timeout MS           per network operation (default 5000)\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --hosting-provider FQDN  add to the built-in hosting-provider list\n"
	      "  --profile P            sfb (default), o365 or dr\n"
	      "  --format F             text (default), json or jsonl; --json = --format json\n"
	      "  --color, --no-color    force colour on or off (default: on a terminal, unless\n"
	      "                         NO_COLOR is set)\n"
	      "  --no-probe             do not probe misspelt SRV names when none exists (DNS-002)\n"
	      "  --client               also check client discovery (CLI-001..004): _sip._tls,\n"
	      "                         lyncdiscover over HTTPS and HTTP, meet and dialin; offline,\n"
	      "                         DIR/<fqdn>.autodiscover.json is what a host answers\n"
	      "  -f, --file FILE        read domains from FILE, one a line ('-' = stdin)\n",
	      fp);
	fputs(cli_fed_usage, fp);
	fputs(cli_data_dir_usage, fp);
	fputs("\n"
	      "exit status: 0 no error finding, 1 an error finding, 2 usage or operational failure\n",
	      fp);
}

/* Reads domains from @file into @out (strings owned).  Prints errors. */
static int read_domains(const char *file, char ***out, size_t *n_out)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = -1;

	if (!fp) {
		cli_error("cannot read '%s': %s", file, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *s = line, *e, **v;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, " \t\r\n#");
		if (*s == '#' || e == s)
			continue;
		*e = '\0';
		if (strlen(s) > 253) {
			cli_error("'%s' line %zu: name too long", file, lineno);
			goto out;
		}
		v = realloc(*out, (*n_out + 1) * sizeof(*v));
		if (!v || !(v[*n_out] = strdup(s))) {
			if (v)
				*out = v;
			cli_error("out of memory");
			goto out;
		}
		*out = v;
		(*n_out)++;
	}
	if (ferror(fp)) {
		cli_error("cannot read '%s': %s", file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

int cli_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_FED_LONGOPTS,
		CLI_DATA_DIR_LONGOPT,
		{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
		{ "client", no_argument, NULL, OPT_CLIENT },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1 };
	cli_fed fed = { 0 };
	sf_ctx *ctx = NULL;
	char **domains = NULL;
	size_t n_domains = 0, n_file = 0;
	const char *list_file = NULL;
	int opt, status = CLI_EXIT_FAILURE, worst = CLI_EXIT_OK, color;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		int r;

		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_check(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == 'f') {
			list_file = optarg;
			continue;
		}
		if (opt == OPT_NO_PROBE) {
			c.opt.no_probe_misspellings = 1;
			continue;
		}
		if (opt == OPT_CLIENT) {
			c.opt.client = 1;
			continue;
		}
		r = cli_fed_opt(&fed, opt, optarg);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "check");
			goto out;
		}
		r = cli_common_opt(&c, opt, optarg);
		if (r < 0)
			goto out;
	}
	if (list_file && read_domains(list_file, &domains, &n_file) < 0)
		goto out;
	n_domains = n_file;
	for (int i = optind; i < argc; i++) {
		char **v = realloc(domains, (n_domains + 1) * sizeof(*v));

		if (!v || !(v[n_domains] = strdup(argv[i]))) {
			if (v)
				domains = v;
			cli_error("out of memory");
			goto out;
		}
		domains = v;
		n_domains++;
	}
	if (cli_fed_items(&fed, &c, &domains, &n_domains) < 0)
		goto out;
	if (n_domains == 0) {
		cli_error("no domain to check (see 'sipfed help check')");
		goto out;
	}
	if (cli_common_validate(&c) < 0)
		goto out;
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (cli_fed_setup(&fed, ctx) < 0)
		goto out;
	color = cli_use_color(&c);
	if (c.format == CLI_JSON)
		fputs("{\"version\":1,\"results\":[", stdout);
	for (size_t i = 0; i < n_domains; i++) {
		sf_result *r = NULL;
		char *js;

		st = cli_fed_check(&fed, ctx, i, domains[i], &r);
		if (st != SF_OK) {
			if (c.format == CLI_JSON)
				fputs("]}\n", stdout);
			cli_error("%s", sf_ctx_error(ctx));
			fflush(stdout);
			goto out;
		}
		if (c.format == CLI_TEXT) {
			sf_out_text_result(stdout, r, color);
		} else {
			js = sf_out_json_result(r);
			if (!js) {
				sf_result_free(r);
				cli_error("out of memory");
				goto out;
			}
			if (c.format == CLI_JSON)
				printf("%s%s", i ? "," : "", js);
			else
				printf("%s\n", js);
			free(js);
		}
		/* Streaming: a result is out before the next domain starts. */
		fflush(stdout);
		if (r->verdict == SF_VERDICT_ERROR)
			worst = CLI_EXIT_FAILURE;
		else if (r->verdict == SF_VERDICT_FAIL && worst == CLI_EXIT_OK)
			worst = CLI_EXIT_FINDINGS;
		sf_result_free(r);
	}
	if (c.format == CLI_JSON)
		fputs("]}\n", stdout);
	status = cli_finish(worst);
out:
	sf_ctx_free(ctx);
	for (size_t i = 0; i < n_domains; i++)
		free(domains[i]);
	free(domains);
	cli_fed_release(&fed);
	cli_common_release(&c);
	return status;
}
