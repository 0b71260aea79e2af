/*
 * The operations a run shares between its jobs (lib/run/ops.c): DNS queries
 * and TLS handshakes, each done once per run, answers handed to every job
 * that asks.  Private to lib/run.
 */
#ifndef SF_RUN_OPS_H
#define SF_RUN_OPS_H

#include "run/run_int.h"

/*
 * The answer to @name / @type (@q borrowed for the call; copy what is kept).
 * @st is SF_OK, or the failure of the source itself (out of memory).
 */
typedef void (*sf_run_dns_fn)(void *arg, const sf_dns_query *q, sf_status st);

/*
 * Asks the context's DNS source, or shares an answer already asked for.
 * @fn may be called before this returns.  Returns SF_OK or SF_ENOMEM (then
 * @fn is never called).
 */
sf_status sf_run_dns(sf_run *run, const char *name, uint16_t type, sf_run_dns_fn fn, void *arg);

/* One handshake's facts (@f borrowed for the call, its chain verified when sent with SNI). */
typedef void (*sf_run_tls_fn)(void *arg, const sf_tls_facts *f, sf_status st);

/*
 * A handshake with @addr:@port sending @host as SNI (NULL: no SNI), or the
 * lab file of @host, or the shared result of the same.  @fn may be called
 * before this returns.  Returns SF_OK, SF_ENOMEM, or the error of a lab
 * file that cannot be read (message in @err; @fn not called).
 */
sf_status sf_run_tls(sf_run *run, const char *host, const char *addr, uint16_t port,
		     sf_run_tls_fn fn, void *arg, char *err, size_t errlen);

/*
 * One HTTP request through the context's HTTP source (not shared: each
 * client name is a job's own).  @fn may be called before this returns.
 * Returns SF_OK, or the failure of the source (message in @err; @fn not
 * called).
 */
typedef void (*sf_run_http_fn)(void *arg, sf_http_request *req, sf_status st);
sf_status sf_run_http(sf_run *run, sf_http_request *req, sf_run_http_fn fn, void *arg,
		      char *err, size_t errlen);

#endif
