/* The context shared by check and cert (private). */
#ifndef SF_CORE_H
#define SF_CORE_H

#include <libpsl.h>

#include "dns/dns.h"
#include "rules/rules.h"
#include "sipfed/sipfed.h"
#include "tls/tls.h"
#include "x509/x509.h"

struct sf_ctx {
	sf_profile profile;
	int timeout_ms;
	int no_probe_misspellings;
	time_t at;
	sf_dns_source *dns;
	sf_tls_source *tls; /* NULL: TLS not checked (offline DNS without --certs) */
	sf_trust *trust;
	psl_ctx_t *psl;
	sf_strv hosting;
	sf_rule_env env;
	char err[1024];
};

/* Records a message for sf_ctx_error(); returns @st. */
sf_status sf_ctx_fail(sf_ctx *ctx, sf_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
