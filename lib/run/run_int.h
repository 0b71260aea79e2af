/*
 * Inside a run (private to lib/run): the run object, its jobs, and the
 * hooks between the scheduler (run.c), the jobs (job.c) and the shared
 * operations (ops.c).
 */
#ifndef SF_RUN_INT_H
#define SF_RUN_INT_H

#include <event2/event.h>

#include "core/core.h"
#include "sipfed/run.h"

typedef struct sf_run_job sf_run_job;

struct sf_run_job {
	sf_run *run;
	sf_job_kind kind;
	char *name;
	void *user;
	const sf_peer *peer;          /* SF_JOB_CALLBACK: its own peer, or NULL (the run's) */
	uint64_t seq;
	sf_run_job *next;             /* queue */
	sf_run_job *onext;            /* ordered hand-over */
	sf_run_job *aprev, *anext;    /* jobs in flight */
	int finished;
	sf_result *result;            /* set when finished */
	struct sf_job_state *state;   /* job.c */
};

typedef struct sf_run_counters {
	uint64_t dns_queries, dns_shared, handshakes, tls_shared;
} sf_run_counters;

struct sf_run {
	sf_ctx *ctx;
	struct event_base *base;
	int external;                 /* base is the caller's (service mode) */
	sf_run_result_fn on_result;
	void *arg;
	sf_run_feed_fn feed;
	void *feed_arg;
	int feed_done;
	size_t concurrency;
	int ordered;
	volatile sig_atomic_t *stop_flag;
	sf_run_progress_fn progress;
	void *progress_arg;
	unsigned progress_ms;
	double t0, last_progress;
	struct event *tick;
	const sf_peer *peer;
	const sf_allow_list *allow;

	sf_run_job *q_head, *q_tail;  /* waiting to start */
	sf_run_job *o_head, *o_tail;  /* ordered: started, not handed over */
	sf_run_job *active;           /* started, not finished */
	uint64_t seq, done, in_flight;
	int filling, stopped;
	sf_status status;
	char err[1024];
	sf_run_counters stats;

	struct sf_run_ops *ops;       /* ops.c: caches and transports */
	struct sf_run_serial *serial; /* job.c: what spans domains (CLI-004) */
	struct sf_job_state *zombies; /* job.c: jobs abandoned at the deadline, still waiting */
	unsigned deadline_ms;         /* per job; 0: none */
};

/* job.c: starts @j (asynchronously); it calls sf_run_job_finished() once done. */
void sf_run_job_start(sf_run_job *j);
/* run.c: frees a job that is in no list any more (its state must be gone). */
void sf_run_job_free(sf_run_job *j);
/* run.c: @j's result is complete. */
void sf_run_job_finished(sf_run_job *j);
/*
 * job.c: the rules that span domains, applied to results in the order they
 * are handed over (CLI-004's shared dial-in host).  SF_OK or SF_ENOMEM.
 */
sf_status sf_run_job_serial(sf_run *run, sf_run_job *j);
void sf_run_serial_release(sf_run *run);
/* job.c: frees what the job collected (NULL state: nothing). */
void sf_run_job_state_free(sf_run_job *j);
/* job.c: drops the jobs still in flight (a stopped run), without results. */
void sf_run_jobs_drop(sf_run *run);

/* ops.c */
sf_status sf_run_ops_init(sf_run *run);
void sf_run_ops_release(sf_run *run);

#endif
