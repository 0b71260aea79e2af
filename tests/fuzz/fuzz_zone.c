/*
 * libFuzzer target: the zone loader (lib/dns/dns_zone.c) on arbitrary bytes
 * written to a zone file, then a few queries against what loaded.  Aborts
 * when its contract does not hold: a source, or a failure with a one-line
 * message naming the file; every answer an rcode of the enum and records
 * with an owner.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/dns.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		uint16_t type;
	} ask[] = { { "_sipfederationtls._tcp.fuzz.lab", SF_T_SRV }, { "sip.fuzz.lab", SF_T_A },
		    { "sip.fuzz.lab", SF_T_AAAA }, { "x.y.fuzz.lab", SF_T_CNAME },
		    { "fuzz.lab", SF_T_TXT }, { "other.example", SF_T_A } };
	char dir[] = "/tmp/sipfed-fuzz-zone.XXXXXX", path[64], spec[96], err[1024] = "";
	const char *files[1];
	sf_dns_source *src = NULL;
	FILE *fp;
	sf_status st;

	if (!mkdtemp(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/fuzz.lab.zone", dir);
	fp = fopen(path, "wb");
	if (!fp)
		goto out;
	if (size && fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		goto out;
	}
	fclose(fp);
	/* the origin from the file name, or given: both paths of the loader */
	snprintf(spec, sizeof(spec), "%s%s", path, size % 2 ? "@fuzz.lab" : "");
	files[0] = spec;
	st = sf_dns_zone_new(files, 1, &src, err, sizeof(err));
	if (st != SF_OK) {
		CHECK(src == NULL);
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		goto out;
	}
	for (size_t i = 0; i < sizeof(ask) / sizeof(ask[0]); i++) {
		sf_dns_query q = { .name = ask[i].name, .type = ask[i].type };

		CHECK(sf_dns_resolve(src, &q, 1) == SF_OK);
		CHECK(q.rcode >= SF_DNS_NOERROR && q.rcode <= SF_DNS_NOZONE);
		for (size_t k = 0; k < q.n_rr; k++)
			CHECK(q.rr[k].owner != NULL);
		sf_dns_query_release(&q);
	}
out:
	sf_dns_source_free(src);
	unlink(path);
	rmdir(dir);
	return 0;
}
