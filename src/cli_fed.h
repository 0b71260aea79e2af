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
	size_t first_listed;  /* items from this index on come from the allow list only */
	size_t first_sbc;     /* items from this index on are SBCs */
	sf_allow_list *allow;
	sf_peer *peer;
} cli_fed;

/* Handles one option: 1 consumed, 0 not ours, -1 after printing an error. */
int cli_fed_opt(cli_fed *f, int opt, const char *arg);

/*
 * Once the domains of the command line and -f are in @items: checks how the
 * options combine (a combination where one would be ignored is an error),
 * reads the allow list and appends its domains that are
 * not there yet, then appends the SBCs (strings owned by @items).  Prints
 * the error and returns -1 on failure.
 */
int cli_fed_items(cli_fed *f, const cli_common *c, char ***items, size_t *n_items);

/* Once the context exists: reads or fetches the peer's certificate.  -1 after printing. */
int cli_fed_setup(cli_fed *f, sf_ctx *ctx);

/* Checks item @i: an SBC, or a domain (with the callback and allow list as asked). */
sf_status cli_fed_check(cli_fed *f, sf_ctx *ctx, size_t i, const char *item,
			sf_result **out_result);

void cli_fed_release(cli_fed *f);

/* The usage lines of these options. */
extern const char cli_fed_usage[];

#endif
