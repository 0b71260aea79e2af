/* sipfed: parse -> run -> clean.  Each command lives in its own cli_*.c. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_plan.h"
#include "cli_probe.h"
#include "cli_edge.h"

static void usage(FILE *fp)
{
	fputs("usage: sipfed COMMAND [OPTIONS] ...\n"
	      "\n"
	      "Checks the DNS and certificate rules Microsoft Skype for Business / Lync (and Teams,\n"
	      "when federating with them) apply to SIP federation peers.\n"
	      "\n"
	      "commands:\n"
	      "  check [OPTIONS] DOMAIN...   federation readiness of SIP domains\n"
	      "  cert  [OPTIONS] FILE        lint one certificate chain (PEM) for a role\n"
	      "  logs  [OPTIONS] FILE...     explain the federation failures found in logs\n"
	      "  plan  [OPTIONS] FILE        DNS records and SAN lists for a set of domains (--check)\n"
	      "  edge  [OPTIONS]             emulate a Skype for Business Access Edge (SIP over TLS)\n"
	      "  probe [OPTIONS] DOMAIN      SIP OPTIONS over mutual TLS, decode the answer\n"
	      "  help COMMAND                options of a command\n"
	      "\n"
	      "  sipfed --version | --help\n"
	      "\n"
	      "exit status: 0 no error finding, 1 at least one error finding, 2 usage or\n"
	      "operational failure.  See sipfed(1).\n",
	      fp);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sipfed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char cli_data_dir_usage[] =
	"  --data-dir DIR         data files of the dr profile (dr/cipher-suites.txt,\n"
	"                         dr/trusted-roots.txt); default $SIPFED_DATADIR, else the\n"
	"                         installed or source copy\n";

const char *cli_opt_name(const struct option *longopts, int val)
{
	for (; longopts->name; longopts++)
		if (longopts->val == val && !longopts->flag)
			return longopts->name;
	return NULL;
}

void cli_bad_option(char **argv, int opt, int optopt_val, const char *cmd)
{
	const char *arg = argv[optind - 1];
	int is_long = arg && arg[0] == '-' && arg[1] == '-';
	int len = arg ? (int)strcspn(arg, "=") : 1;

	/* A short option: optopt is its letter (arg may be a cluster such as -xf). */
	if (optopt_val > 0 && optopt_val < 256 && !is_long) {
		if (opt == ':')
			cli_error("option '-%c' needs a value (see 'sipfed help %s')", optopt_val,
				  cmd);
		else
			cli_error("unknown option '-%c' (see 'sipfed help %s')", optopt_val, cmd);
	} else if (!is_long) {
		cli_error("unknown option '%s' (see 'sipfed help %s')", arg ? arg : "?", cmd);
	} else if (opt == ':') {
		cli_error("option '%.*s' needs a value (see 'sipfed help %s')", len, arg, cmd);
	} else if (optopt_val != 0) {
		/* "--opt=x" for an option that takes no value: optopt is its value. */
		cli_error("option '%.*s' takes no value (see 'sipfed help %s')", len, arg, cmd);
	} else {
		/* Unknown, or a prefix of several names: getopt_long does not say which. */
		cli_error("unknown option '%.*s' (see 'sipfed help %s')", len, arg, cmd);
	}
}

static int parse_ms(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 3600000)
		return -1;
	*out = (int)v;
	return 0;
}

static int push(const char ***arr, size_t *n, const char *v)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -1;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

int cli_common_opt(cli_common *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_FORMAT:
		if (strcmp(arg, "text") == 0)
			c->format = CLI_TEXT;
		else if (strcmp(arg, "json") == 0)
			c->format = CLI_JSON;
		else if (strcmp(arg, "jsonl") == 0)
			c->format = CLI_JSONL;
		else {
			cli_error("invalid --format '%s': expected text, json or jsonl", arg);
			return -1;
		}
		return 1;
	case OPT_JSON:
		c->format = CLI_JSON;
		return 1;
	case OPT_PROFILE:
		if (sf_profile_parse(arg, &c->opt.profile) < 0) {
			cli_error("invalid --profile '%s': expected sfb, o365 or dr", arg);
			return -1;
		}
		return 1;
	case OPT_ZONE:
		if (push(&c->zones, &c->opt.n_zone_files, arg))
			goto nomem;
		c->opt.zone_files = c->zones;
		return 1;
	case OPT_CERTS:
		c->opt.certs_dir = arg;
		return 1;
	case OPT_RESOLVER:
		c->opt.resolver = arg;
		return 1;
	case OPT_TRUST:
		if (push(&c->trusts, &c->opt.n_trust_files, arg))
			goto nomem;
		c->opt.trust_files = c->trusts;
		return 1;
	case OPT_NO_SYSTEM_TRUST:
		c->opt.no_system_trust = 1;
		return 1;
	case OPT_AT:
		if (sf_time_parse(arg, &c->opt.at) < 0) {
			cli_error("invalid --at '%s': expected an RFC 3339 time such as "
				  "2026-11-23T12:00:00Z",
				  arg);
			return -1;
		}
		return 1;
	case OPT_HOSTING:
		if (push(&c->hosting, &c->opt.n_hosting_providers, arg))
			goto nomem;
		c->opt.hosting_providers = c->hosting;
		return 1;
	case OPT_TIMEOUT:
		if (parse_ms(arg, &c->opt.timeout_ms) < 0) {
			cli_error("invalid --timeout '%s': expected milliseconds (1..3600000)", arg);
			return -1;
		}
		return 1;
	case OPT_COLOR:
		c->color = 1;
		return 1;
	case OPT_NO_COLOR:
		c->color = 0;
		return 1;
	case OPT_DATA_DIR:
		c->opt.data_dir = arg;
		return 1;
	}
	return 0;
nomem:
	cli_error("out of memory");
	return -1;
}

void cli_zone_notes(const sf_ctx *ctx)
{
	size_t n = 0;
	const char *const *v = sf_ctx_notes(ctx, &n);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "sipfed: note: %s\n", v[i]);
}

int cli_common_validate(const cli_common *c)
{
	if (c->opt.certs_dir && c->opt.n_zone_files == 0) {
		cli_error("--certs needs --zone: the offline lab answers DNS from zone files");
		return -1;
	}
	if (c->opt.resolver && c->opt.n_zone_files > 0) {
		cli_error("--resolver and --zone exclude each other: with --zone, DNS answers come "
			  "from the zone files");
		return -1;
	}
	return 0;
}

void cli_common_release(cli_common *c)
{
	free(c->zones);
	free(c->trusts);
	free(c->hosting);
}

int cli_use_color(const cli_common *c)
{
	const char *nc = getenv("NO_COLOR");

	if (c->format != CLI_TEXT)
		return 0;
	if (c->color >= 0)
		return c->color;
	if (nc && *nc)
		return 0;
	return isatty(STDOUT_FILENO);
}

int cli_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write output: %s", strerror(errno ? errno : EIO));
		return CLI_EXIT_FAILURE;
	}
	return status;
}

int main(int argc, char **argv)
{
	const char *cmd;

	/* A closed pipe is a write error reported by cli_finish, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_FAILURE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("sipfed %s\n", SIPFED_VERSION);
		return cli_finish(0);
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return cli_finish(0);
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
		} else if (strcmp(argv[2], "check") == 0) {
			cli_usage_check(stdout);
		} else if (strcmp(argv[2], "cert") == 0) {
			cli_usage_cert(stdout);
		} else if (strcmp(argv[2], "logs") == 0) {
			cli_usage_logs(stdout);
		} else if (strcmp(argv[2], "plan") == 0) {
			cli_usage_plan(stdout);
		} else if (strcmp(argv[2], "probe") == 0) {
			cli_usage_probe(stdout);
		} else if (strcmp(argv[2], "edge") == 0) {
			cli_usage_edge(stdout);
		} else {
			cli_error("unknown command '%s'", argv[2]);
			return CLI_EXIT_FAILURE;
		}
		return cli_finish(0);
	}
	if (strcmp(cmd, "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (strcmp(cmd, "cert") == 0)
		return cli_cert(argc - 1, argv + 1);
	if (strcmp(cmd, "logs") == 0)
		return cli_logs(argc - 1, argv + 1);
	if (strcmp(cmd, "plan") == 0)
		return cli_plan(argc - 1, argv + 1);
	if (strcmp(cmd, "edge") == 0)
		return cli_edge(argc - 1, argv + 1);
	if (strcmp(cmd, "probe") == 0)
		return cli_probe(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see 'sipfed --help')", cmd);
	return CLI_EXIT_FAILURE;
}
