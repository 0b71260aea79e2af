/*
 * libFuzzer target: the certificate linter sf_cert_lint (lib/core/cert.c,
 * lib/rules/cert_rules.c) on arbitrary bytes written to a temporary file
 * (PEM or DER, as `sipfed cert` reads them), with a context that sets up no
 * network and no system trust.  Aborts when the contract does not hold: a
 * result or an error; every finding's message and fix hold no raw control,
 * line break or bidi character (values escaped once, util.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipfed/sipfed.h"
#include "util/util.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static sf_ctx *g_ctx;
static char g_path[64];

static void cleanup(void)
{
	unlink(g_path);
	sf_ctx_free(g_ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sf_options opt = { 0 };
	int fd;

	(void)argc;
	(void)argv;
	opt.no_network = 1;
	opt.no_system_trust = 1;
	opt.at = 1795435200; /* 2026-11-23T12:00:00Z: results do not depend on the day */
	if (sf_ctx_new(&opt, &g_ctx) != SF_OK)
		abort();
	snprintf(g_path, sizeof(g_path), "/tmp/sf-fuzz-cert-XXXXXX");
	fd = mkstemp(g_path);
	if (fd < 0)
		abort();
	close(fd);
	atexit(cleanup);
	return 0;
}

static void check_text(const char *s)
{
	if (s)
		CHECK(!sf_text_needs_escape(s, strlen(s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_cert_result *r = NULL;
	FILE *fp = fopen(g_path, "wb");
	sf_status st;

	CHECK(fp != NULL);
	CHECK(fwrite(data, 1, size, fp) == size);
	CHECK(fclose(fp) == 0);
	st = sf_cert_lint(g_ctx, g_path, NULL, size % 2 ? "sip.example.com" : NULL,
			  size % 3 ? SF_ROLE_EDGE : SF_ROLE_SBC, &r);
	if (st == SF_OK) {
		char *json;
		FILE *out = fopen("/dev/null", "w");

		CHECK(r != NULL);
		for (size_t i = 0; i < r->findings.n; i++) {
			CHECK(r->findings.v[i].message != NULL);
			check_text(r->findings.v[i].message);
			check_text(r->findings.v[i].fix);
		}
		CHECK(out != NULL);
		CHECK(sf_out_text_cert(out, r, 1) == 0);
		fclose(out);
		json = sf_out_json_cert(r);
		CHECK(json != NULL);
		free(json);
	}
	sf_cert_result_free(r);
	return 0;
}
