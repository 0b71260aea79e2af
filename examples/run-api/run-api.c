/*
 * run-api: checks a batch of SIP domains through the run API of libsipfed
 * (include/sipfed/run.h), offline, and prints one line per domain:
 *
 *   DOMAIN VERDICT N      (N: the number of findings; "error" lines add the reason)
 *
 * Usage:
 *   run-api -z ZONE [-z ZONE...] -c CERTS_DIR -t ROOT_PEM [-a TIME] [-n N] DOMAIN...
 *
 *   -z ZONE      a master file (the DNS source: no network is used)
 *   -c DIR       DIR/<fqdn>.pem is the chain <fqdn> presents (the TLS source)
 *   -t PEM       a trusted root (the system roots are not used)
 *   -a TIME      the evaluation time, RFC 3339 (default: now)
 *   -n N         jobs in flight at most (default: the library's)
 *
 * Exit status as `sipfed check`: 0 no error finding, 1 an error finding,
 * 2 a domain could not be checked or the library failed.
 *
 * Build against an installed libsipfed (see Makefile):
 *   cc -o run-api run-api.c $(pkg-config --cflags --libs sipfed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sipfed/run.h>
#include <sipfed/sipfed.h>

#define MAX_ZONES 64

/* What the result callback accumulates. */
struct tally {
	size_t results;
	int failed;  /* a result with verdict fail */
	int errored; /* a result with verdict error */
};

/* The result callback: one line per job; the callback owns @r. */
static int on_result(void *arg, const sf_job_done *job, sf_result *r)
{
	struct tally *t = arg;

	printf("%s %s %zu", r->domain ? r->domain : job->name, sf_verdict_name(r->verdict),
	       r->findings.n);
	if (r->verdict == SF_VERDICT_ERROR && r->reason)
		printf(" (%s)", r->reason);
	putchar('\n');
	fflush(stdout);
	t->results++;
	if (r->verdict == SF_VERDICT_FAIL)
		t->failed = 1;
	else if (r->verdict == SF_VERDICT_ERROR)
		t->errored = 1;
	sf_result_free(r);
	return 0; /* non-zero would stop the run */
}

static void usage(void)
{
	fprintf(stderr, "usage: run-api -z ZONE [-z ZONE...] -c CERTS_DIR -t ROOT_PEM "
			"[-a TIME] [-n N] DOMAIN...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *zones[MAX_ZONES];
	const char *trust[1] = { NULL };
	sf_options opt;
	sf_run_options ropt;
	sf_ctx *ctx = NULL;
	sf_run *run = NULL;
	struct tally t = { 0, 0, 0 };
	sf_status st;
	int c, status = 2;

	memset(&opt, 0, sizeof(opt)); /* zero-initialise, then fill in */
	memset(&ropt, 0, sizeof(ropt));
	opt.profile = SF_PROFILE_SFB;
	opt.zone_files = zones;
	opt.trust_files = trust;
	opt.no_system_trust = 1;
	while ((c = getopt(argc, argv, "z:c:t:a:n:")) != -1) {
		switch (c) {
		case 'z':
			if (opt.n_zone_files == MAX_ZONES)
				usage();
			zones[opt.n_zone_files++] = optarg;
			break;
		case 'c':
			opt.certs_dir = optarg;
			break;
		case 't':
			trust[0] = optarg;
			opt.n_trust_files = 1;
			break;
		case 'a':
			if (sf_time_parse(optarg, &opt.at) != 0) {
				fprintf(stderr, "run-api: -a: not an RFC 3339 time: %s\n", optarg);
				return 2;
			}
			break;
		case 'n':
			ropt.concurrency = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (opt.n_zone_files == 0 || !opt.certs_dir || opt.n_trust_files == 0 || optind >= argc)
		usage();

	/* 1. The context: sources, trust, time.  Read-only from here on. */
	st = sf_ctx_new(&opt, &ctx);
	if (st != SF_OK) {
		/* ctx is set even on failure (NULL only when out of memory) */
		fprintf(stderr, "run-api: %s (%s)\n", sf_ctx_error(ctx), sf_strerror(st));
		goto out;
	}

	/* 2. The run: the jobs, each result handed to on_result() when it is done. */
	st = sf_run_new(ctx, &ropt, on_result, &t, &run);
	if (st != SF_OK) {
		fprintf(stderr, "run-api: %s (%s)\n", sf_ctx_error(ctx), sf_strerror(st));
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		sf_job job = { SF_JOB_DOMAIN, argv[i], NULL }; /* the run copies the name */

		st = sf_run_add(run, &job);
		if (st != SF_OK) {
			fprintf(stderr, "run-api: %s (%s)\n", sf_run_error(run), sf_strerror(st));
			goto out;
		}
	}

	/* 3. Go: returns when every job has given its result. */
	st = sf_run_go(run);
	if (st != SF_OK) {
		fprintf(stderr, "run-api: %s (%s)\n", sf_run_error(run), sf_strerror(st));
		goto out;
	}
	if (t.results != (size_t)(argc - optind)) {
		fprintf(stderr, "run-api: %zu results for %d domains\n", t.results, argc - optind);
		goto out;
	}
	status = t.errored ? 2 : t.failed ? 1 : 0;
out:
	sf_run_free(run); /* before the context it runs on */
	sf_ctx_free(ctx);
	return status;
}
