/*
 * libFuzzer target: sf_plan_parse (lib/plan/) on arbitrary bytes, then both
 * writers on what it accepts.  Aborts when an invariant of plan.h does not
 * hold: a failure leaves no plan and a one-line message naming the input; a
 * plan has domains, each certificate's subject is its first SAN, SAN lists
 * have no duplicates and add up to san_total, every record sits in a zone at
 * or above its owner (or the owner's parent), and the JSON document parses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sipfed/plan.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is @name @zone, under it, or (for a zone that is no SIP domain) its parent's child? */
static int in_zone(const char *name, const sf_plan_zone *z)
{
	size_t n = strlen(name), l = strlen(z->zone);

	if (n == l)
		return strcmp(name, z->zone) == 0;
	return n > l && name[n - l - 1] == '.' && strcmp(name + n - l, z->zone) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_plan *p = NULL;
	size_t total = 0;
	char *js;
	FILE *fp;
	sf_status st = sf_plan_parse((const char *)data, size, "fuzz.json", &p);

	if (st != SF_OK) {
		/* a failed plan: the message and nothing else (NULL only out of memory) */
		const char *err = sf_plan_error(p);

		CHECK(p == NULL || (p->n_domains == 0 && p->n_zones == 0 && p->n_certs == 0));
		CHECK(p == NULL || strncmp(err, "fuzz.json: ", 11) == 0);
		CHECK(strchr(err, '\n') == NULL);
		sf_plan_free(p);
		return 0;
	}
	CHECK(p != NULL && p->n_domains > 0 && p->n_zones >= p->n_domains);
	for (size_t i = 0; i < p->n_certs; i++) {
		const sf_plan_cert *c = &p->certs[i];

		CHECK(c->n_san > 0 && strcmp(c->san[0], c->subject) == 0);
		CHECK(c->n_per_domain <= c->n_san);
		for (size_t a = 0; a < c->n_san && c->n_san < 64; a++)
			for (size_t b = a + 1; b < c->n_san; b++)
				CHECK(strcmp(c->san[a], c->san[b]) != 0);
		total += c->n_san;
	}
	CHECK(total == p->san_total);
	for (size_t i = 0; i < p->n_zones; i++)
		for (size_t k = 0; k < p->zones[i].n_records; k++)
			CHECK(in_zone(p->zones[i].records[k].owner, &p->zones[i]));
	js = sf_out_json_plan(p);
	CHECK(js != NULL);
	{
		json_t *doc = json_loads(js, 0, NULL);

		CHECK(doc != NULL);
		json_decref(doc);
	}
	free(js);
	fp = fopen("/dev/null", "w");
	if (fp) {
		CHECK(sf_out_text_plan(fp, p, 1) == 0);
		fclose(fp);
	}
	sf_plan_free(p);
	return 0;
}
