/* The command-line tool: thin layer over libsipfed (parse -> run -> clean). */
#ifndef SIPFED_CLI_H
#define SIPFED_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "sipfed/sipfed.h"

enum cli_format { CLI_TEXT, CLI_JSON, CLI_JSONL };

/* Exit statuses, SPEC §3. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FINDINGS 1
#define CLI_EXIT_FAILURE 2

/* Options common to the commands; arrays point into argv. */
typedef struct cli_common {
	sf_options opt;
	enum cli_format format;
	int color; /* -1 auto */
	const char **zones, **trusts, **hosting;
} cli_common;

/* Prints "sipfed: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Handles an option common to every command.  Returns 1 if consumed, 0 if
 * not a common option, -1 after printing an error (bad value).
 */
int cli_common_opt(cli_common *c, int opt, const char *arg);
/*
 * Checks how the common options combine once all are parsed (--certs needs
 * --zone; --resolver and --zone exclude each other).  Returns 0, or -1
 * after printing the error.
 */
int cli_common_validate(const cli_common *c);
void cli_common_release(cli_common *c);
/*
 * Prints the zone source's notes on stderr ("sipfed: note: FILE: origin X
 * (from the file name)": origins it inferred); nothing for another source.
 * Interim: these belong in the result's DNS source (issue 9, item 4).
 */
void cli_zone_notes(const sf_ctx *ctx);
/* Whether to colour stdout (format text, a terminal, NO_COLOR unset). */
int cli_use_color(const cli_common *c);
/* Flushes stdout and reports a write error; returns @status or 2. */
int cli_finish(int status);

int cli_check(int argc, char **argv);
int cli_cert(int argc, char **argv);
int cli_logs(int argc, char **argv);
void cli_usage_check(FILE *fp);
void cli_usage_cert(FILE *fp);
void cli_usage_logs(FILE *fp);

/* getopt_long values of the common options. */
enum {
	OPT_FORMAT = 1000, OPT_JSON, OPT_PROFILE, OPT_ZONE, OPT_CERTS, OPT_RESOLVER, OPT_TRUST,
	OPT_NO_SYSTEM_TRUST, OPT_AT, OPT_HOSTING, OPT_TIMEOUT, OPT_COLOR, OPT_NO_COLOR,
	OPT_HELP,
	/* command-specific */
	OPT_CONCURRENCY, OPT_NAME, OPT_ROLE, OPT_CHAIN, OPT_NO_PROBE,
	OPT_TYPE, OPT_EVENTS, OPT_VERIFY, /* logs */
	OPT_DATA_DIR, /* check, cert, plan: handled by cli_common_opt */
};

#define CLI_COMMON_LONGOPTS                                                      \
	{ "format", required_argument, NULL, OPT_FORMAT },                       \
	{ "json", no_argument, NULL, OPT_JSON },                                 \
	{ "profile", required_argument, NULL, OPT_PROFILE },                     \
	{ "zone", required_argument, NULL, OPT_ZONE },                           \
	{ "certs", required_argument, NULL, OPT_CERTS },                         \
	{ "resolver", required_argument, NULL, OPT_RESOLVER },                   \
	{ "trust", required_argument, NULL, OPT_TRUST },                         \
	{ "no-system-trust", no_argument, NULL, OPT_NO_SYSTEM_TRUST },           \
	{ "at", required_argument, NULL, OPT_AT },                               \
	{ "hosting-provider", required_argument, NULL, OPT_HOSTING },            \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },                     \
	{ "color", no_argument, NULL, OPT_COLOR },                               \
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },                         \
	{ "help", no_argument, NULL, OPT_HELP }

/* --data-dir DIR (check, cert, plan): the data files of the dr profile. */
#define CLI_DATA_DIR_LONGOPT { "data-dir", required_argument, NULL, OPT_DATA_DIR }
/* Its usage lines, the same in every command's help. */
extern const char cli_data_dir_usage[];

/*
 * Reports what getopt_long refused (@opt is '?' or ':'): an unknown option,
 * a value missing or given to an option that takes none.  Our words.
 */
void cli_bad_option(char **argv, int opt, int optopt_val, const char *cmd);
/* The name (without "--") of the long option whose value is @val in @longopts, or NULL. */
const char *cli_opt_name(const struct option *longopts, int val);

#endif
