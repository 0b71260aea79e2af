/*
 * libFuzzer target: the allow-list reader (lib/core/allowlist.c) on
 * arbitrary bytes, through its in-memory entry point sf_allow_list_parse.
 * Aborts when its contract does not hold: a list or a failed list with a
 * one-line message naming the input; entries are normalised DNS names,
 * unique, with the line they came from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/allowlist.h"
#include "util/util.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s)
{
	char n[256];

	CHECK(s != NULL);
	CHECK(sf_name_norm(s, n, sizeof(n)) == 0 && strcmp(n, s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_allow_list *l = NULL;
	sf_status st = sf_allow_list_parse("fuzz.txt", (const char *)data, size, &l);

	CHECK(l != NULL);
	if (st != SF_OK) {
		const char *e = sf_allow_list_error(l);

		CHECK(l->n == 0);
		CHECK(e[0] != '\0' && strchr(e, '\n') == NULL);
		CHECK(strncmp(e, "fuzz.txt", 8) == 0 || strcmp(e, "out of memory") == 0);
	} else {
		for (size_t i = 0; i < l->n; i++) {
			check_name(l->v[i].domain);
			if (l->v[i].proxy_fqdn)
				check_name(l->v[i].proxy_fqdn);
			CHECK(l->v[i].line >= 1);
			for (size_t k = i + 1; k < l->n && k < i + 64; k++)
				CHECK(strcmp(l->v[i].domain, l->v[k].domain) != 0);
		}
	}
	sf_allow_list_free(l);
	return 0;
}
