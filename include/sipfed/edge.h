/*
 * libsipfed Edge emulator: a SIP-over-TLS listener that behaves as a Skype
 * for Business Access Edge for inbound federation (SPEC §6, `sipfed edge`).
 *
 * It requires a client certificate and refuses the TLS handshake where an
 * Edge does (no certificate: the handshake fails; a chain that leads to no
 * root of the context's trust store: alert 48 unknown_ca; an expired or
 * not yet valid leaf: alert 45 certificate_expired).  The decision is taken
 * in the handshake's certificate verification step, from the verification
 * of the presented chain against the context (its --trust roots, the
 * system's unless no_system_trust, at the context's time).
 *
 * For every request read on a connection it takes the domain of
 * P-Asserted-Identity, else of From, applies the federation policy (blocked
 * domains and, when an allow list is given, closed federation: 403 with
 * ms-diagnostics 1027) and runs the inbound callback check of that domain
 * for the connection's certificate (an SF_JOB_CALLBACK job of a run in
 * service mode on the caller's loop: FED-001).  It answers 200 OK to an
 * accepted OPTIONS, 480 to another accepted request (no user behind the
 * emulated Edge; ACK is never answered), and otherwise what an Edge sends:
 * 504 Server time-out with the ms-diagnostics code of the rule that decided
 * (1008, 1009, 1010, 1014).  Every decision is written to the log as an
 * Edge trace (`$$begin_record` records: a diagnostic record with the
 * Result-Code when the Edge has one, and the response as a protocol
 * record), which `sipfed logs` reads.
 *
 * Bounded: connections (max_connections), header bytes (max_header),
 * message bytes (max_message), requests waiting per connection, the time
 * to complete a message once it started (header_timeout_ms: slowloris) and
 * idle connections (idle_timeout_ms).  Bad SIP is answered 400 when it can
 * be (and the connection closed when framing is lost).
 *
 * Errors follow the library's convention: functions return an sf_status,
 * the message is sf_edge_error(edge); sf_edge_new() gives the object back
 * even when it fails (holding only the message), except for SF_ENOMEM.
 */
#ifndef SIPFED_EDGE_H
#define SIPFED_EDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipfed/sipfed.h"

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

/** Options of an Edge; zero-initialise, then fill in.  Strings are copied. */
typedef struct sf_edge_options {
	const char *listen;    /**< "ADDR:PORT" ("[v6]:PORT"); port 0 = any free port */
	const char *cert_file; /**< the Edge's certificate chain (PEM, leaf first) */
	const char *key_file;  /**< its private key (PEM); NULL = in cert_file */
	/**
	 * The Edge's FQDN, the source="..." of ms-diagnostics and the name in
	 * Server:; NULL = the first SAN dNSName (else CN) of the certificate.
	 */
	const char *fqdn;
	/** Where the Edge trace goes (borrowed, flushed after each record); NULL = none. */
	FILE *log;
	/** Blocked domains (Set-CsAccessEdgeConfiguration ... BlockedDomain): 403. */
	const char *const *blocked;
	size_t n_blocked;
	/**
	 * Allowed domains (borrowed; it must outlive the Edge).  NULL: open
	 * federation (partner discovery), every domain is checked.  Otherwise a
	 * domain without an entry gets 403; the entries' ProxyFqdn take part
	 * in the check as in `check --allow-list` (FED-003).
	 */
	const sf_allow_list *allow;
	size_t max_connections;     /**< 0 = 1024; more are accepted and closed at once */
	size_t max_header;          /**< bytes of start line and headers; 0 = 16384 */
	size_t max_message;         /**< bytes of a whole message; 0 = 65536 */
	unsigned idle_timeout_ms;   /**< 0 = 60000: a connection with nothing to do is closed */
	unsigned header_timeout_ms; /**< 0 = 5000: handshake, or a message once begun, must complete */
	size_t concurrency;         /**< callback checks in flight at most; 0 = 256 */
	unsigned cache_ms;          /**< a decision reused on its connection for this long; 0 = 30000 */
} sf_edge_options;

/** Figures of an Edge. */
typedef struct sf_edge_stats {
	uint64_t accepted;      /**< TCP connections accepted */
	uint64_t refused;       /**< refused at once: too many connections */
	uint64_t handshakes_failed; /**< TLS handshakes refused or failed */
	uint64_t requests;      /**< requests read */
	uint64_t responses;     /**< responses sent */
	uint64_t ok, rejected;  /**< 200 / other final answers to requests */
	uint64_t bad;           /**< messages answered 400 or dropped as unreadable */
	uint64_t timeouts;      /**< connections closed for idleness or slowness */
	uint64_t open;          /**< connections open now */
} sf_edge_stats;

typedef struct sf_edge sf_edge;

/**
 * Creates an Edge on @ctx (borrowed; a context with a DNS source) and the
 * caller's loop @base, listening at once.  Its callback checks run on a run
 * in service mode on @base; drive the loop (event_base_dispatch) to serve.
 * Returns SF_OK; SF_EINVAL (bad option, no DNS source), SF_EIO / SF_ETLS
 * (certificate or key unreadable or not matching), SF_ENET (cannot listen),
 * SF_ENOMEM; sf_edge_error() says why.
 */
sf_status sf_edge_new(sf_ctx *ctx, struct event_base *base, const sf_edge_options *opt,
		      sf_edge **out_edge);
/** The message of the last failure, "" if none ("out of memory" for NULL). */
const char *sf_edge_error(const sf_edge *edge);
/** The address the Edge listens on, "127.0.0.1:5061" (the port chosen for port 0). */
const char *sf_edge_address(const sf_edge *edge);
/**
 * Stops accepting; connections are closed once their answers are sent (at
 * the latest after @grace_ms); when the last is gone the loop is asked to
 * exit (event_base_loopexit).  Safe from a libevent signal callback.
 */
void sf_edge_shutdown(sf_edge *edge, unsigned grace_ms);
/** 1 once shut down and every connection is closed. */
int sf_edge_drained(const sf_edge *edge);
void sf_edge_get_stats(const sf_edge *edge, sf_edge_stats *out);
/** Closes every connection and the listener; drops checks in flight. */
void sf_edge_free(sf_edge *edge);

#ifdef __cplusplus
}
#endif
#endif
