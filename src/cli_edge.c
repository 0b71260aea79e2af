/* sipfed edge: an emulated Access Edge for inbound federation (thin over sf_edge). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cli.h"
#include "cli_edge.h"
#include "sipfed/edge.h"

enum { OPT_LISTEN = 2100, OPT_ECERT, OPT_EKEY, OPT_FQDN, OPT_LOG, OPT_ALLOW, OPT_BLOCK,
       OPT_IDLE, OPT_HDR_TIMEOUT, OPT_MAXCONN, OPT_MAXHDR, OPT_MAXMSG, OPT_ECONC, OPT_GRACE };

void cli_usage_edge(FILE *fp)
{
	fputs("usage: sipfed edge --listen ADDR:PORT --cert FILE --key FILE [OPTIONS]\n"
	      "\n"
	      "Emulates a Skype for Business Access Edge for inbound federation: a SIP over TLS\n"
	      "listener that requires a client certificate (refusing the handshake when there is\n"
	      "none, or when it does not chain to a trusted root: alert 48), takes the domain of\n"
	      "P-Asserted-Identity / From of every request, runs the Edge's callback check of that\n"
	      "domain (SRV record, target directly in the domain or a hosting provider, the\n"
	      "connection's certificate carries the target) and answers 200 OK to a compliant\n"
	      "OPTIONS, or 504 Server time-out with the ms-diagnostics an Edge sends (1008, 1009,\n"
	      "1010, 1014); 403 with 1027 for a blocked or (with --allow-list) unlisted domain.\n"
	      "Other requests are judged the same way and answered 480 when accepted.\n"
	      "\n"
	      "options:\n"
	      "  --listen ADDR:PORT     where to listen (port 0: any; the address is printed)\n"
	      "  --cert FILE            the Edge's certificate chain (PEM, leaf first)\n"
	      "  --key FILE             its private key (PEM; default: in --cert)\n"
	      "  --fqdn FQDN            the Edge's name in ms-diagnostics source= (default: the\n"
	      "                         certificate's first SAN)\n"
	      "  --log FILE             write the Edge trace ($$begin_record records, read by\n"
	      "                         'sipfed logs') to FILE, appended; '-' = stderr; default none\n"
	      "  --allow-list FILE      closed federation: only these domains (format of check\n"
	      "                         --allow-list); others get 403\n"
	      "  --block DOMAIN         a blocked domain: 403 (repeatable)\n"
	      "  --idle-timeout S       close a connection idle for S seconds (default 60)\n"
	      "  --header-timeout S     the handshake, and a message once begun, must complete\n"
	      "                         within S seconds (slow clients; default 5)\n"
	      "  --max-connections N    connections at most (default 1024)\n"
	      "  --max-header BYTES     start line and headers at most (default 16384)\n"
	      "  --max-message BYTES    a whole message at most (default 65536)\n"
	      "  --concurrency N        callback checks in flight at most (default 256)\n"
	      "  --grace S              on SIGTERM/SIGINT, wait at most S seconds for answers\n"
	      "                         in flight (default 5)\n"
	      "  --zone FILE            offline DNS from zone files (repeatable)\n"
	      "  --resolver IP[:PORT]   live DNS through this server\n"
	      "  --trust FILE           extra trusted roots (PEM, repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              judge certificates at this time (RFC 3339)\n"
	      "  --hosting-provider FQDN  add a hosting provider (repeatable)\n"
	      "  --profile sfb|o365     rule profile (default sfb)\n"
	      "  --timeout MS           per DNS operation (default 5000)\n"
	      "\n"
	      "Prints \"listening ADDR:PORT\" on stdout once ready.  SIGTERM or SIGINT: stops\n"
	      "accepting, sends the answers in flight, exits 0.  Exit status 2 if it cannot\n"
	      "start.\n",
	      fp);
}

static int parse_secs(const char *s, const char *opt, unsigned *out_ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v <= 0 || v > 86400) {
		cli_error("invalid %s '%s': expected seconds (0 < S <= 86400)", opt, s);
		return -1;
	}
	*out_ms = (unsigned)(v * 1000.0 + 0.5);
	if (*out_ms == 0)
		*out_ms = 1;
	return 0;
}

static int parse_count(const char *s, const char *opt, size_t lo, size_t hi, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		cli_error("invalid %s '%s': expected a number from %zu to %zu", opt, s, lo, hi);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	void **a = arg;
	sf_edge *e = a[0];
	unsigned *grace = a[1];

	sf_edge_shutdown(e, *grace);
}

int cli_edge(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "cert", required_argument, NULL, OPT_ECERT },
		{ "key", required_argument, NULL, OPT_EKEY },
		{ "fqdn", required_argument, NULL, OPT_FQDN },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "allow-list", required_argument, NULL, OPT_ALLOW },
		{ "block", required_argument, NULL, OPT_BLOCK },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "header-timeout", required_argument, NULL, OPT_HDR_TIMEOUT },
		{ "max-connections", required_argument, NULL, OPT_MAXCONN },
		{ "max-header", required_argument, NULL, OPT_MAXHDR },
		{ "max-message", required_argument, NULL, OPT_MAXMSG },
		{ "concurrency", required_argument, NULL, OPT_ECONC },
		{ "grace", required_argument, NULL, OPT_GRACE },
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1 };
	sf_edge_options eo = { 0 };
	const char *log_file = NULL, *allow_file = NULL;
	const char **blocked = NULL;
	size_t n_blocked = 0;
	unsigned grace = 5000;
	sf_ctx *ctx = NULL;
	sf_allow_list *allow = NULL;
	struct event_base *base = NULL;
	struct event *sigterm = NULL, *sigint = NULL;
	sf_edge *edge = NULL;
	FILE *log = NULL;
	int status = CLI_EXIT_FAILURE, opt;
	void *sigarg[2];
	sf_status st;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int r;

		switch (opt) {
		case 'h':
		case OPT_HELP:
			cli_usage_edge(stdout);
			status = cli_finish(0);
			goto out;
		case OPT_LISTEN: eo.listen = optarg; continue;
		case OPT_ECERT: eo.cert_file = optarg; continue;
		case OPT_EKEY: eo.key_file = optarg; continue;
		case OPT_FQDN: eo.fqdn = optarg; continue;
		case OPT_LOG: log_file = optarg; continue;
		case OPT_ALLOW: allow_file = optarg; continue;
		case OPT_BLOCK: {
			const char **b = realloc(blocked, (n_blocked + 1) * sizeof(*b));

			if (!b) {
				cli_error("out of memory");
				goto out;
			}
			blocked = b;
			blocked[n_blocked++] = optarg;
			continue;
		}
		case OPT_IDLE:
			if (parse_secs(optarg, "--idle-timeout", &eo.idle_timeout_ms) < 0)
				goto out;
			continue;
		case OPT_HDR_TIMEOUT:
			if (parse_secs(optarg, "--header-timeout", &eo.header_timeout_ms) < 0)
				goto out;
			continue;
		case OPT_GRACE:
			if (parse_secs(optarg, "--grace", &grace) < 0)
				goto out;
			continue;
		case OPT_MAXCONN:
			if (parse_count(optarg, "--max-connections", 1, 1000000, &eo.max_connections))
				goto out;
			continue;
		case OPT_MAXHDR:
			if (parse_count(optarg, "--max-header", 256, 1048576, &eo.max_header))
				goto out;
			continue;
		case OPT_MAXMSG:
			if (parse_count(optarg, "--max-message", 256, 16777216, &eo.max_message))
				goto out;
			continue;
		case OPT_ECONC:
			if (parse_count(optarg, "--concurrency", 1, 100000, &eo.concurrency))
				goto out;
			continue;
		case '?':
		case ':':
			cli_bad_option(argv, opt, optopt, "edge");
			goto out;
		}
		r = cli_common_opt(&c, opt, optarg);
		if (r < 0)
			goto out;
		if (r == 0) {
			cli_error("option '%s' does not apply to edge (see 'sipfed help edge')",
				  argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see 'sipfed help edge')", argv[optind]);
		goto out;
	}
	if (!eo.listen || !eo.cert_file) {
		cli_error("edge needs --listen ADDR:PORT and --cert FILE (see 'sipfed help edge')");
		goto out;
	}
	if (c.opt.certs_dir) {
		cli_error("--certs does not apply to edge: the peer's certificate is the one it "
			  "presents");
		goto out;
	}
	if (cli_common_validate(&c) < 0)
		goto out;
	if (log_file) {
		log = strcmp(log_file, "-") == 0 ? stderr : fopen(log_file, "a");
		if (!log) {
			cli_error("cannot open the log '%s': %s", log_file, strerror(errno));
			goto out;
		}
	}
	if (allow_file) {
		st = sf_allow_list_load(allow_file, &allow);
		if (st != SF_OK) {
			cli_error("%s", sf_allow_list_error(allow));
			goto out;
		}
	}
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	cli_zone_notes(ctx);
	base = event_base_new();
	if (!base) {
		cli_error("cannot create the event loop");
		goto out;
	}
	eo.log = log;
	eo.blocked = blocked;
	eo.n_blocked = n_blocked;
	eo.allow = allow;
	st = sf_edge_new(ctx, base, &eo, &edge);
	if (st != SF_OK) {
		cli_error("%s", sf_edge_error(edge));
		goto out;
	}
	sigarg[0] = edge;
	sigarg[1] = &grace;
	sigterm = evsignal_new(base, SIGTERM, on_signal, sigarg);
	sigint = evsignal_new(base, SIGINT, on_signal, sigarg);
	if (!sigterm || !sigint || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0) {
		cli_error("cannot handle signals");
		goto out;
	}
	printf("listening %s\n", sf_edge_address(edge));
	fflush(stdout);
	if (event_base_dispatch(base) < 0) {
		cli_error("the event loop failed");
		goto out;
	}
	{
		sf_edge_stats s;

		sf_edge_get_stats(edge, &s);
		fprintf(stderr,
			"sipfed: edge stopped: %llu connections, %llu handshakes refused, %llu "
			"requests, %llu answered 200, %llu refused, %llu bad, %llu timed out\n",
			(unsigned long long)s.accepted, (unsigned long long)s.handshakes_failed,
			(unsigned long long)s.requests, (unsigned long long)s.ok,
			(unsigned long long)s.rejected, (unsigned long long)s.bad,
			(unsigned long long)s.timeouts);
	}
	status = cli_finish(CLI_EXIT_OK);
out:
	sf_edge_free(edge);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (base)
		event_base_free(base);
	sf_ctx_free(ctx);
	sf_allow_list_free(allow);
	if (log && log != stderr)
		fclose(log);
	free(blocked);
	cli_common_release(&c);
	return status;
}
