/*
 * libFuzzer target: sf_msdiag_parse, sf_sip_params_parse_end,
 * sf_sip_param_get and sf_span_unfold (lib/sip/) on arbitrary bytes.  Aborts
 * when an invariant of sip.h does not hold: spans inside the input and in
 * order, `used` within it, the reason being the first "reason" pair, the
 * same result when only the bytes up to `used` are given (the end is decided
 * by what precedes it), unfolded text without line breaks and sized as
 * reported.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int span_in(sf_span s, const char *buf, size_t len)
{
	if (!s.p)
		return s.n == 0;
	return s.p >= buf && s.n <= len && (size_t)(s.p - buf) <= len - s.n;
}

static void check_unfold(sf_span v)
{
	char small[5], big[512];
	size_t n = sf_span_unfold(v, NULL, 0), k;

	CHECK(n <= v.n);
	CHECK(sf_span_unfold(v, small, sizeof(small)) == n);
	CHECK(small[n < sizeof(small) ? n : sizeof(small) - 1] == '\0'); /* NULs may be inside */
	CHECK(sf_span_unfold(v, big, sizeof(big)) == n);
	for (k = 0; k < n && k < sizeof(big) - 1; k++)
		CHECK(big[k] != '\r' && big[k] != '\n');
}

static void check_params(const sf_sip_param *p, size_t n, const char *buf, size_t len)
{
	const char *prev = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK(span_in(p[i].key, buf, len) && span_in(p[i].value, buf, len));
		CHECK(p[i].key.n > 0 && p[i].key.p >= prev);
		CHECK(p[i].value.p >= p[i].key.p + p[i].key.n);
		prev = p[i].value.p + p[i].value.n;
		check_unfold(p[i].key);
		check_unfold(p[i].value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	sf_sip_param p[3];
	sf_msdiag d, d2;
	size_t n, end;
	char *cut;
	int rc;

	rc = sf_msdiag_parse((sf_span){ buf, size }, &d);
	if (rc < 0) {
		CHECK(rc == -1 && d.code == -1 && d.n_params == 0 && d.used == 0);
	} else {
		CHECK(rc == 0 && d.code >= 0 && d.used > 0 && d.used <= size);
		CHECK(d.n_params <= SF_MSDIAG_MAX_PARAMS);
		check_params(d.params, d.n_params, buf, size);
		CHECK(d.n_params == 0 || d.params[d.n_params - 1].value.p <= buf + d.used);
		{
			sf_span r = sf_sip_param_get(d.params, d.n_params, "reason");

			CHECK(r.p == d.reason.p && r.n == d.reason.n);
		}
		/* the list read from the bytes up to d.used alone is the same */
		cut = malloc(d.used);
		CHECK(cut != NULL);
		memcpy(cut, buf, d.used);
		CHECK(sf_msdiag_parse((sf_span){ cut, d.used }, &d2) == 0);
		CHECK(d2.code == d.code && d2.n_params == d.n_params && d2.used == d.used);
		free(cut);
	}

	n = sf_sip_params_parse_end((sf_span){ buf, size }, p, 3, &end);
	CHECK(n <= 3 && end <= size);
	CHECK(n == 0 || end > 0);
	check_params(p, n, buf, size);
	check_unfold((sf_span){ buf, size });
	return 0;
}
