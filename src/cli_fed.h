/*
 * The federation options of `sipfed check`: the inbound callback check
 * (--callback, --peer-cert, --peer-host), the allow list (--allow-list),
 * Direct Routing SBCs (--sbc).  (--data-dir, which cert and plan take too,
 * is a common option of cli.h.)  cli_check.c calls these hooks; the checks
 * themselves are the library's.
 */
#ifndef SIPFED_CLI_FED_H
#define SIPFED_CLI_FED_H

#include <stddef.h>

#include "cli.h"

/* getopt_long values, clear of the shared enum of cli.h and of --client (1900). */
enum {
	OPT_CALLBACK = 1100, OPT_PEER_CERT, OPT_PEER_HOST, OPT_ALLOW_LIST, OPT_SBC,
};

#define CLI_FED_LONGOPTS                                                   \
	{ "callback", no_argument, NULL, OPT_CALLBACK },                   \
	{ "peer-cert", required_argument, NULL, OPT_PEER_CERT },           \
	{ "peer-host", required_argument, NULL, OPT_PEER_HOST },           \
	{ "allow-list", required_argument, NULL, OPT_ALLOW_LIST },         \
	{ "sbc", required_argument, NULL, OPT_SBC }

typedef struct cli_fed {
	int callback;
	const char *peer_cert, *peer_host, *allow_file; /* point into argv */
	const char **sbcs;
	size_t n_sbcs;
	sf_allow_list *allow;
	sf_peer *peer;
} cli_fed;

/* Handles one option: 1 consumed, 0 not ours, -1 after printing an error. */
int cli_fed_opt(cli_fed *f, int opt, const char *arg);

/*
 * Once every option is parsed: checks how the options combine (a
 * combination where one would be ignored is an error) and reads the allow
 * list.  @have_domains: DOMAIN arguments or -f were given.  Which job each
 * item becomes is the run's business (cli_check.c builds the jobs: domains
 * as SF_JOB_DOMAIN, or SF_JOB_CALLBACK with a peer; the allow list's other
 * domains as SF_JOB_ALLOW; SBCs as SF_JOB_SBC).  Prints the error and
 * returns -1 on failure.
 */
int cli_fed_validate(cli_fed *f, const cli_common *c, int have_domains);

/* Once the context exists: reads or fetches the peer's certificate.  -1 after printing. */
int cli_fed_setup(cli_fed *f, sf_ctx *ctx);

void cli_fed_release(cli_fed *f);

/* The usage lines of these options. */
extern const char cli_fed_usage[];

#endif
