/*
 * libFuzzer target: the SIP message parser (lib/sip/sip.c) in both modes,
 * then the header helpers on what it found.  Aborts when an invariant of
 * sip.h does not hold: every span inside the input, header_len + body_len
 * within it, the strict flags a superset of the lenient ones with the same
 * message boundaries, unfolded text without line breaks and sized as
 * reported, URI hosts lowercased host characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip.h"

#define CHECK(c) ((c) ? (void)0 : abort())
#define FUZZ_MAX_H 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int span_in(sf_span s, const char *buf, size_t len)
{
	if (!s.p)
		return s.n == 0;
	return s.p >= buf && s.n <= len && (size_t)(s.p - buf) <= len - s.n;
}

static void check_msg(const char *buf, size_t len, int rc, const sf_sip_msg *m, size_t max)
{
	size_t i;

	if (rc < 0) {
		CHECK(rc == -1 && m->n_h == 0 && m->flags == 0 && m->header_len == 0);
		return;
	}
	CHECK(rc == 0);
	CHECK(m->n_h <= max);
	CHECK(m->header_len <= len && m->body_len <= len - m->header_len);
	CHECK(span_in(m->method, buf, len) && span_in(m->uri, buf, len));
	CHECK(span_in(m->reason, buf, len) && span_in(m->version, buf, len));
	CHECK(m->status == 0 || (m->status >= 100 && m->status <= 699));
	CHECK(!m->is_request || (m->method.n > 0 && m->status == 0));
	CHECK(!(m->flags & SF_SIP_NO_END) || (m->header_len == len && m->body_len == 0));
	for (i = 0; i < m->n_h; i++) {
		CHECK(m->h[i].name.n > 0);
		CHECK(span_in(m->h[i].name, buf, len) && span_in(m->h[i].value, buf, len));
	}
}

/* sf_span_unfold: same length whatever the buffer, no CR/LF, never longer. */
static void check_unfold(sf_span v)
{
	char small[8], big[256];
	size_t n = sf_span_unfold(v, NULL, 0), k;

	CHECK(n <= v.n);
	CHECK(sf_span_unfold(v, small, sizeof(small)) == n);
	CHECK(small[n < sizeof(small) ? n : sizeof(small) - 1] == '\0'); /* NULs may be inside */
	CHECK(sf_span_unfold(v, big, sizeof(big)) == n);
	for (k = 0; k < n && k < sizeof(big) - 1; k++)
		CHECK(big[k] != '\r' && big[k] != '\n');
}

static void check_value(sf_span v)
{
	sf_sip_param p[4];
	char host[64];
	size_t i, n, end;

	check_unfold(v);
	if (sf_sip_uri_host(v, host, sizeof(host)) == 0) {
		CHECK(host[0] != '\0');
		for (i = 0; host[i]; i++)
			CHECK((host[i] >= 'a' && host[i] <= 'z') ||
			      (host[i] >= '0' && host[i] <= '9') || host[i] == '-' ||
			      host[i] == '.' || host[i] == '_' || host[i] == ':');
	}
	n = sf_sip_params_parse_end(v, p, 4, &end);
	CHECK(n <= 4 && end <= v.n);
	for (i = 0; i < n; i++) {
		CHECK(span_in(p[i].key, v.p, v.n) && span_in(p[i].value, v.p, v.n));
		CHECK(p[i].key.n > 0);
		check_unfold(p[i].key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "Call-ID", "f", "t", "v", "l", "m", "CSeq", "Server",
				       "ms-diagnostics", "P-Asserted-Identity", "Contact" };
	const char *buf = (const char *)data;
	sf_sip_header hl[FUZZ_MAX_H], hs[FUZZ_MAX_H], h2[2];
	sf_sip_msg ml, ms, m2;
	sf_msdiag d;
	int rl, rs, r2;
	size_t i;

	rl = sf_sip_parse(buf, size, hl, FUZZ_MAX_H, 0, &ml);
	check_msg(buf, size, rl, &ml, FUZZ_MAX_H);
	rs = sf_sip_parse(buf, size, hs, FUZZ_MAX_H, 1, &ms);
	check_msg(buf, size, rs, &ms, FUZZ_MAX_H);
	/* strict mode checks more, on the same message */
	CHECK(rl == rs);
	if (rl < 0)
		return 0;
	CHECK((ml.flags & ~ms.flags) == 0);
	CHECK(ml.header_len == ms.header_len && ml.body_len == ms.body_len && ml.n_h == ms.n_h);
	/* a small header array changes only what is stored */
	r2 = sf_sip_parse(buf, size, h2, 2, 0, &m2);
	check_msg(buf, size, r2, &m2, 2);
	CHECK(r2 == 0 && m2.header_len == ml.header_len && m2.body_len == ml.body_len);
	CHECK((m2.flags & ~(unsigned)SF_SIP_TOO_MANY) == (ml.flags & ~(unsigned)SF_SIP_TOO_MANY));

	for (i = 0; i < ml.n_h; i++)
		check_value(ml.h[i].value);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sf_span v = sf_sip_header_get(&ml, names[i]);

		CHECK(span_in(v, buf, size));
		if (v.p)
			check_value(v);
	}
	if (sf_msdiag_parse(sf_sip_header_get(&ml, "ms-diagnostics"), &d) == 0)
		CHECK(d.used <= sf_sip_header_get(&ml, "ms-diagnostics").n);
	return 0;
}
