/*
 * libsipfed runs: many checks at once on one event loop.
 *
 * A run takes jobs (the check of a SIP domain, the inbound callback check of
 * a domain for a peer, an allow-list entry, a Direct Routing SBC) and hands
 * each complete result to a callback as soon as it is done.  One event loop
 * (libevent) drives every network operation of every job in flight: DNS
 * queries (c-ares), TCP connects and TLS handshakes (OpenSSL) and HTTP
 * (libcurl).  Identical work is done once per run: one query per name and
 * type, one handshake per host:port:SNI, shared by every job that needs it
 * (a bounded cache; see docs/api.md).
 *
 * The context (sf_ctx) is read-only while a run uses it; several runs may
 * share one context one after the other, not at the same time.  A run and
 * its callbacks belong to the thread that calls sf_run_go().
 *
 * Every function returns an sf_status; the message of a failure is
 * sf_run_error() (or sf_ctx_error() for sf_run_new()).
 */
#ifndef SIPFED_RUN_H
#define SIPFED_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sipfed/sipfed.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_job_kind {
	SF_JOB_DOMAIN = 0, /**< federation check of a SIP domain (as sf_check_domain()) */
	SF_JOB_CALLBACK,   /**< the domain check, then FED-001 for the run's peer */
	SF_JOB_ALLOW,      /**< an allow-list entry: the domain check and FED-003 */
	SF_JOB_SBC,        /**< a Direct Routing SBC, "FQDN[:PORT]" (profile dr) */
} sf_job_kind;

/** A job as the caller gives it; the run copies @name. */
typedef struct sf_job {
	sf_job_kind kind;
	const char *name; /**< the domain, or the SBC "FQDN[:PORT]" */
	void *user;       /**< handed back with the result, not used by the run */
	/**
	 * SF_JOB_CALLBACK: the peer whose certificate is judged (borrowed: it
	 * must live until the job's result is handed over); NULL: the run's
	 * (sf_run_set_peer()).
	 */
	const sf_peer *peer;
} sf_job;

/** What a result callback is told about the job it belongs to. */
typedef struct sf_job_done {
	sf_job_kind kind;
	const char *name; /**< as given; valid during the callback */
	void *user;
	uint64_t seq;     /**< 0, 1, 2...: the order in which jobs entered the run */
} sf_job_done;

/**
 * Receives the result of one job; the callee owns @r (sf_result_free()).
 * A job that could not run at all (an invalid domain name, a DNS source
 * that does not answer) still gives a result, with verdict
 * SF_VERDICT_ERROR and its reason.  Returning non-zero stops the run
 * (as sf_run_stop()).
 */
typedef int (*sf_run_result_fn)(void *arg, const sf_job_done *job, sf_result *r);

/**
 * Asked for the next job when the run has room for one and its queue is
 * empty.  Fills *out (strings need to live only until the call returns)
 * and returns 1; returns 0 when there is no more job, -1 to stop the run
 * with an error (sf_run_error() then says what the callee set with
 * sf_run_fail()).
 */
typedef int (*sf_run_feed_fn)(void *arg, sf_job *out);

/** Figures for a progress display. */
typedef struct sf_run_stats {
	uint64_t started;   /**< jobs taken into the run */
	uint64_t done;      /**< results handed to the callback */
	uint64_t in_flight; /**< started, result not yet handed over */
	uint64_t dns_queries, dns_shared;   /**< queries sent; answers shared instead */
	uint64_t handshakes, tls_shared;    /**< handshakes made; results shared instead */
	double elapsed;     /**< seconds since sf_run_go() started */
} sf_run_stats;

typedef void (*sf_run_progress_fn)(void *arg, const sf_run_stats *s);

struct event_base;

typedef struct sf_run_options {
	/** Jobs in flight at most (started, result not yet handed over); 0 = 64. */
	size_t concurrency;
	/**
	 * Hand results over in the order the jobs entered the run (a result
	 * waits for those before it; waiting results count as in flight).
	 * Forced on by the context's --client option: CLI-004 compares a
	 * domain's dial-in host with those of the domains before it.
	 */
	int ordered;
	/**
	 * Per-job deadline in ms: a job still waiting for answers then gives a
	 * result with verdict error and is abandoned.  0 = 8 times the
	 * context's timeout (at least 30 s).
	 */
	unsigned deadline_ms;
	/** If non-NULL, polled a few times a second: non-zero stops the run (a signal handler's flag). */
	volatile sig_atomic_t *stop_flag;
	/**
	 * Service mode: the run lives on this libevent loop (borrowed) instead
	 * of one of its own.  Jobs start as they are added and their results
	 * come while the caller drives the loop (an Edge emulator that checks
	 * each request's domain); sf_run_go() is not used, progress and
	 * stop_flag neither.  NULL: the run has its own loop (sf_run_go()).
	 */
	struct event_base *base;
	/** Called about every @progress_ms (0 = 250) while the run goes, and once at the end. */
	sf_run_progress_fn progress;
	void *progress_arg;
	unsigned progress_ms;
} sf_run_options;

typedef struct sf_run sf_run;

/**
 * Creates a run on @ctx (which must outlive it).  @on_result and @arg
 * receive the results.  Returns SF_OK, SF_EINVAL (no DNS source in the
 * context: it was made with no_network), SF_ENOMEM or SF_EINTERNAL (the
 * event loop could not be set up), with sf_ctx_error(ctx) saying why.
 */
sf_status sf_run_new(sf_ctx *ctx, const sf_run_options *opt, sf_run_result_fn on_result,
		     void *arg, sf_run **out_run);
/** Frees the run; jobs still queued or in flight are dropped without a result. */
void sf_run_free(sf_run *run);

/**
 * The peer of SF_JOB_CALLBACK jobs (borrowed: it must outlive the run).
 * Without one, callback jobs give an error result.
 */
void sf_run_set_peer(sf_run *run, const sf_peer *peer);
/**
 * The Edge's allow list (borrowed): FED-003 is checked on every domain,
 * callback and allow-list job whose domain has an entry with a ProxyFqdn.
 */
void sf_run_set_allow_list(sf_run *run, const sf_allow_list *list);
/** Where further jobs come from once the queue of sf_run_add() is empty. */
void sf_run_set_feed(sf_run *run, sf_run_feed_fn feed, void *arg);

/** Queues a job (copied).  Returns SF_OK or SF_ENOMEM. */
sf_status sf_run_add(sf_run *run, const sf_job *job);

/**
 * Runs until every job (queued and fed) has given its result, or the run is
 * stopped: then no job is started any more, and the jobs in flight are
 * dropped without a result (none is ever handed over half-done).  Returns
 * SF_OK (also when stopped; see sf_run_stopped()), or the status of a
 * failure of the run itself (out of memory, the feeder's -1), with
 * sf_run_error() saying why.
 */
sf_status sf_run_go(sf_run *run);
/** Stops the run from a callback (see sf_run_go()). */
void sf_run_stop(sf_run *run);
/** 1 if the run was stopped before every job was done. */
int sf_run_stopped(const sf_run *run);
/** Records the message of a failure (for a feeder's -1); returns @st. */
sf_status sf_run_fail(sf_run *run, sf_status st, const char *msg);
/** The message of the last failure of the run, "" if none. */
const char *sf_run_error(const sf_run *run);
void sf_run_get_stats(const sf_run *run, sf_run_stats *out);

#ifdef __cplusplus
}
#endif
#endif
