/*
 * libsipfed probe: the federation handshake as a partner's Edge sees it
 * (`sipfed probe`, SPEC §6).
 *
 * sf_probe_run() resolves the SIP domain as an Edge does
 * (_sipfederationtls._tcp SRV through the context's DNS source, targets in
 * priority order, A/AAAA), or takes the target it is given; connects with
 * mutual TLS presenting a certificate chain; sends one SIP OPTIONS per From
 * domain over that one connection; and decodes each answer: status, the
 * ms-diagnostics / ms-diagnostics-public header through the knowledge base
 * (check IDs, cause, fix), Server / User-Agent.  When it gets no answer it
 * says where it stopped: DNS, TCP, a TLS alert from the peer, the peer's
 * certificate, or no SIP answer within the timeout.  The peer's certificate
 * is judged with the CERT rules of `check` (expected name: the SRV target).
 *
 * Load mode (count > 0): C persistent connections send `count` OPTIONS in
 * all, one outstanding per connection; the result gives the rate and the
 * latency percentiles.
 *
 * Everything runs on an event loop of the call's own (libevent); every
 * network step has the context's timeout.  Errors follow docs/api.md: a
 * status, the message in sf_ctx_error(ctx).  A partner that refuses or
 * answers with an error is not an error: SF_OK and a result that says so.
 */
#ifndef SIPFED_PROBE_H
#define SIPFED_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipfed/logs.h"
#include "sipfed/sipfed.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the caller gives; zero-initialise, then fill in.  Strings are read during the call. */
typedef struct sf_probe_options {
	const char *domain;    /**< the partner's SIP domain (Request-URI, To) */
	const char *target;    /**< "HOST[:PORT]" (default port 5061): skip DNS; NULL: resolve */
	const char *cert_file; /**< PEM chain we present, leaf first */
	const char *key_file;  /**< its private key (PEM); NULL: in cert_file */
	const char *const *from; /**< From domains, one OPTIONS each; none: the certificate's */
	size_t n_from;
	unsigned count;        /**< load mode: OPTIONS in all (0: one per From domain) */
	unsigned connections;  /**< load mode: persistent connections (0 = 1) */
} sf_probe_options;

/** Where a probe stopped before every OPTIONS was answered. */
typedef enum sf_probe_stop {
	SF_PROBE_ANSWERED = 0, /**< every OPTIONS got a final response (whatever its status) */
	SF_PROBE_STOP_DNS,     /**< no SRV record, no address, or the resolver failed */
	SF_PROBE_STOP_CONNECT, /**< TCP refused or timed out at every address */
	SF_PROBE_STOP_TLS,     /**< TLS handshake failed (alert received, timeout, closed) */
	SF_PROBE_STOP_NO_ANSWER, /**< no SIP final response within the timeout (a partner sees 504) */
	SF_PROBE_STOP_CLOSED,  /**< the peer closed the connection (or sent garbage) instead of answering */
} sf_probe_stop;

/** "answered", "dns", "connect", "tls", "no-answer", "closed". */
const char *sf_probe_stop_name(sf_probe_stop s);

/** The meaning of a TLS alert number (RFC 8446 §6, RFC 5246 §7.2), static; NULL if unknown. */
const char *sf_probe_alert_meaning(int alert);

/** One connection attempt that failed before a probe settled on a target. */
typedef struct sf_probe_attempt {
	char *target;  /**< SRV target or --target host */
	uint16_t port;
	char *address; /**< NULL when the name had no address */
	char *error;   /**< why it was left */
} sf_probe_attempt;

/** The answer to one OPTIONS (one From domain). */
typedef struct sf_probe_reply {
	char *from;          /**< the From domain */
	char *call_id;
	int status;          /**< final status; 0: none (see error) */
	char *reason;        /**< reason phrase */
	char *server;        /**< Server: (else User-Agent:) of the response, or NULL */
	const char *server_kind; /**< "skype-edge", "expressway", "kamailio", "other"; NULL if none; static */
	double latency_ms;   /**< request sent to final response */
	char *ms_header;     /**< "ms-diagnostics" or "ms-diagnostics-public", NULL if none */
	int ms_code;         /**< its code, -1 if none */
	char *ms_reason;     /**< its reason="..." */
	sf_kv *ms_attrs;     /**< its parameters, reason included, in order */
	size_t n_ms_attrs;
	char **checks;       /**< check IDs (SPEC §4) that explain a failure, from the knowledge base */
	size_t n_checks;
	char *cause;         /**< one line, from the knowledge base; NULL for a 2xx */
	char *fix;           /**< NULL if none */
	char *error;         /**< why there is no response (timeout, connection closed), or NULL */
} sf_probe_reply;

/** Load mode figures (count > 0). */
typedef struct sf_probe_load {
	unsigned connections;  /**< asked for */
	unsigned connected;    /**< that completed the TLS handshake */
	uint64_t sent, answered, ok; /**< OPTIONS sent; final responses; of them 2xx */
	uint64_t failed;       /**< sent but no answer (timeout, connection lost) */
	double elapsed_s;      /**< from the first connect to the last answer */
	double rate;           /**< answered per second */
	double p50_ms, p99_ms, max_ms; /**< latency of the answered */
	char *first_error;     /**< the first failure seen, or NULL */
} sf_probe_load;

/** The result of sf_probe_run(); every string owned. */
typedef struct sf_probe_result {
	char *domain;
	char *dns_source;      /**< NULL with a target given */
	char *target;          /**< the host connected to (the last tried when none connected) */
	uint16_t port;
	char *address;
	sf_probe_attempt *attempts; /**< failed attempts before (or instead of) the connection */
	size_t n_attempts;
	char *cert_name;       /**< the name of the certificate we presented (leaf's first SAN / CN) */
	/* TLS */
	int tls_done;          /**< the handshake completed on our side */
	char *tls_version, *tls_cipher;
	int alert;             /**< TLS alert received from the peer, -1 if none */
	const char *alert_name; /**< its short name ("unknown CA"), static; NULL if none */
	int client_cert_requested; /**< the peer asked for our certificate */
	char *tls_error;       /**< why TLS failed, NULL if it did not */
	/* The peer's certificate (if the handshake got that far) */
	char *server_subject, *server_issuer;
	char **server_san;
	size_t n_server_san;
	int server_name_match; /**< carries the target: 1/0, -1 if not observed */
	int server_trusted;    /**< chains to a trusted root: 1/0, -1 if not observed */
	sf_findings server_findings; /**< CERT/TLS rules on the presented chain */
	/* SIP */
	sf_probe_reply *replies; /**< one per From domain, in order (single mode) */
	size_t n_replies;
	sf_probe_stop stopped_at;
	char *stop_reason;     /**< one line, NULL when answered */
	/**
	 * With stopped_at SF_PROBE_STOP_DNS: 1 when the records say so (no SRV
	 * record, no address: a finding), 0 when the resolver failed.
	 */
	int dns_fail_definite;
	int load_mode;
	sf_probe_load load;
	sf_profile profile;
} sf_probe_result;

/**
 * Runs a probe.  Returns SF_EINVAL (no domain, bad target, bad From domain),
 * SF_EIO / SF_EPARSE / SF_ETLS (certificate or key unreadable or not a
 * pair), SF_ENOMEM, with sf_ctx_error(ctx) saying why; else SF_OK and
 * *out_result (the caller frees it with sf_probe_result_free()), also when
 * the partner could not be reached: stopped_at says where.
 */
sf_status sf_probe_run(sf_ctx *ctx, const sf_probe_options *opt, sf_probe_result **out_result);
void sf_probe_result_free(sf_probe_result *r);

/**
 * The verdict of a probe: PASS when every OPTIONS got a 2xx and the peer's
 * certificate shows no error; FAIL when a response, a TLS alert, a missing
 * answer, the DNS records (no SRV record / no address) or the peer's
 * certificate show an error; ERROR when the probe could not reach the
 * partner (TCP refused or timed out at every address, resolver failure).
 * Load mode: PASS when every request was answered 2xx.
 */
sf_verdict sf_probe_verdict(const sf_probe_result *r);

/** Writers.  Text: returns 0, or -1 on a write error.  JSON: malloc'd, one line, no newline. */
int sf_out_text_probe(FILE *fp, const sf_probe_result *r, int color);
char *sf_out_json_probe(const sf_probe_result *r);

#ifdef __cplusplus
}
#endif
#endif
