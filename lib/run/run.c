/*
 * The run (include/sipfed/run.h): a queue of jobs, a window of jobs in
 * flight on one libevent loop, and the hand-over of results, in completion
 * order or in the order the jobs came in.
 *
 * The jobs themselves (lib/run/job.c) are state machines driven by the
 * operations of lib/run/ops.c (DNS queries, TLS handshakes, HTTP requests,
 * each shared through the run's caches); this file only schedules them.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "run/run_int.h"
#include "util/util.h"

#define RUN_DEFAULT_CONCURRENCY 64
#define RUN_DEFAULT_PROGRESS_MS 250
#define RUN_STOP_POLL_MS 100
#define RUN_MIN_DEADLINE_MS 30000

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sf_status sf_run_fail(sf_run *run, sf_status st, const char *msg)
{
	if (run && !run->err[0])
		snprintf(run->err, sizeof(run->err), "%s", msg ? msg : sf_strerror(st));
	if (run && run->status == SF_OK)
		run->status = st;
	return st;
}

const char *sf_run_error(const sf_run *run)
{
	return run ? run->err : "out of memory";
}

int sf_run_stopped(const sf_run *run)
{
	return run->stopped;
}

void sf_run_stop(sf_run *run)
{
	run->stopped = 1;
	if (!run->external)
		event_base_loopbreak(run->base);
}

void sf_run_set_peer(sf_run *run, const sf_peer *peer)
{
	run->peer = peer;
}

void sf_run_set_allow_list(sf_run *run, const sf_allow_list *list)
{
	run->allow = list;
}

void sf_run_set_feed(sf_run *run, sf_run_feed_fn feed, void *arg)
{
	run->feed = feed;
	run->feed_arg = arg;
}

void sf_run_get_stats(const sf_run *run, sf_run_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->started = run->seq;
	out->done = run->done;
	out->in_flight = run->in_flight;
	out->dns_queries = run->stats.dns_queries;
	out->dns_shared = run->stats.dns_shared;
	out->handshakes = run->stats.handshakes;
	out->tls_shared = run->stats.tls_shared;
	out->elapsed = run->t0 > 0 ? mono_now() - run->t0 : 0;
}

void sf_run_job_free(sf_run_job *j)
{
	if (!j)
		return;
	sf_run_job_state_free(j);
	sf_result_free(j->result);
	free(j->name);
	free(j);
}

static sf_status queue_push(sf_run *run, const sf_job *job)
{
	sf_run_job *j = calloc(1, sizeof(*j));

	if (!j || !(j->name = sf_strdup(job->name ? job->name : ""))) {
		free(j);
		return sf_run_fail(run, SF_ENOMEM, "out of memory");
	}
	j->kind = job->kind;
	j->user = job->user;
	j->peer = job->peer;
	j->run = run;
	if (run->q_tail)
		run->q_tail->next = j;
	else
		run->q_head = j;
	run->q_tail = j;
	return SF_OK;
}

static void fill(sf_run *run);

sf_status sf_run_add(sf_run *run, const sf_job *job)
{
	sf_status st = queue_push(run, job);

	/* service mode: the caller's loop is running, the job starts now if there is room */
	if (st == SF_OK && run->external)
		fill(run);
	return st;
}

/* The next job to start: the queue first, then the feeder.  NULL if none now. */
static sf_run_job *next_job(sf_run *run)
{
	sf_run_job *j;

	if (!run->q_head && run->feed && !run->feed_done) {
		sf_job job = { 0 };
		int r = run->feed(run->feed_arg, &job);

		if (r < 0) {
			sf_run_fail(run, SF_EINVAL, "the job feeder failed");
			sf_run_stop(run);
			return NULL;
		}
		if (r == 0)
			run->feed_done = 1;
		else if (queue_push(run, &job) != SF_OK)
			return NULL;
	}
	j = run->q_head;
	if (!j)
		return NULL;
	run->q_head = j->next;
	if (!run->q_head)
		run->q_tail = NULL;
	j->next = NULL;
	return j;
}

/* Hands @j's result over (and frees @j).  Returns 0, or -1 if the callee stopped the run. */
static int deliver(sf_run *run, sf_run_job *j)
{
	sf_job_done d = { .kind = j->kind, .name = j->name, .user = j->user, .seq = j->seq };
	sf_result *r = j->result;
	int stop;

	j->result = NULL;
	run->in_flight--;
	run->done++;
	stop = run->on_result(run->arg, &d, r);
	sf_run_job_free(j);
	if (stop) {
		sf_run_stop(run);
		return -1;
	}
	return 0;
}

/* Ordered mode: hands over the finished results at the head of the order. */
static void deliver_ordered(sf_run *run)
{
	while (run->o_head && run->o_head->finished && !run->stopped) {
		sf_run_job *j = run->o_head;

		run->o_head = j->onext;
		if (!run->o_head)
			run->o_tail = NULL;
		if (sf_run_job_serial(run, j) != SF_OK) {
			sf_run_job_free(j);
			sf_run_stop(run);
			return;
		}
		if (deliver(run, j) < 0)
			return;
	}
}

static void fill(sf_run *run);

/* Called by a job when its result is complete (j->result set). */
void sf_run_job_finished(sf_run_job *j)
{
	sf_run *run = j->run;

	j->finished = 1;
	/* out of the list of jobs in flight */
	if (j->aprev)
		j->aprev->anext = j->anext;
	else
		run->active = j->anext;
	if (j->anext)
		j->anext->aprev = j->aprev;
	j->aprev = j->anext = NULL;
	if (run->ordered) {
		deliver_ordered(run);
	} else {
		if (sf_run_job_serial(run, j) != SF_OK) {
			/* out of memory: the run stops, the job goes without a result */
			run->in_flight--;
			sf_run_job_free(j);
			sf_run_stop(run);
			return;
		}
		deliver(run, j);
	}
	if (!run->stopped)
		fill(run);
	if (!run->external && run->in_flight == 0 && !run->q_head &&
	    (run->feed_done || !run->feed))
		event_base_loopbreak(run->base);
}

/* Starts jobs while the window has room. */
static void fill(sf_run *run)
{
	if (run->filling)
		return;
	run->filling = 1;
	while (!run->stopped && run->in_flight < run->concurrency) {
		sf_run_job *j = next_job(run);

		if (!j)
			break;
		j->seq = run->seq++;
		run->in_flight++;
		j->anext = run->active;
		if (run->active)
			run->active->aprev = j;
		run->active = j;
		if (run->ordered) {
			if (run->o_tail)
				run->o_tail->onext = j;
			else
				run->o_head = j;
			run->o_tail = j;
		}
		sf_run_job_start(j);
	}
	run->filling = 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	sf_run *run = arg;
	double now = mono_now();

	(void)fd;
	(void)what;
	if (run->stop_flag && *run->stop_flag) {
		sf_run_stop(run);
		return;
	}
	if (run->progress && now - run->last_progress >= run->progress_ms / 1000.0) {
		sf_run_stats s;

		run->last_progress = now;
		sf_run_get_stats(run, &s);
		run->progress(run->progress_arg, &s);
	}
}

/* Starts the first jobs from inside the loop. */
static void on_begin(evutil_socket_t fd, short what, void *arg)
{
	sf_run *run = arg;

	(void)fd;
	(void)what;
	fill(run);
	if (run->in_flight == 0 && !run->q_head && (run->feed_done || !run->feed))
		event_base_loopbreak(run->base);
}

sf_status sf_run_go(sf_run *run)
{
	if (run->external)
		return sf_run_fail(run, SF_EINVAL, "a run on the caller's loop is not driven by "
				   "sf_run_go()");
	struct timeval tick = { 0, RUN_STOP_POLL_MS * 1000 };
	struct event *begin = NULL;
	sf_status st = SF_OK;

	run->t0 = mono_now();
	run->last_progress = run->t0;
	run->tick = event_new(run->base, -1, EV_PERSIST, on_tick, run);
	begin = evtimer_new(run->base, on_begin, run);
	if (!run->tick || !begin) {
		st = sf_run_fail(run, SF_ENOMEM, "out of memory");
		goto out;
	}
	if (run->stop_flag || run->progress)
		event_add(run->tick, &tick);
	event_active(begin, EV_TIMEOUT, 0);
	while (!run->stopped) {
		if (event_base_dispatch(run->base) < 0) {
			st = sf_run_fail(run, SF_EINTERNAL, "the event loop failed");
			break;
		}
		if (run->in_flight == 0 && !run->q_head && (run->feed_done || !run->feed))
			break;
		if (run->stop_flag && *run->stop_flag)
			sf_run_stop(run);
		/* loopbreak without an end (a stop that raced): go on */
	}
	if (run->progress) {
		sf_run_stats s;

		sf_run_get_stats(run, &s);
		run->progress(run->progress_arg, &s);
	}
	if (st == SF_OK)
		st = run->status;
out:
	if (begin)
		event_free(begin);
	if (run->tick) {
		event_free(run->tick);
		run->tick = NULL;
	}
	return st;
}

sf_status sf_run_new(sf_ctx *ctx, const sf_run_options *opt, sf_run_result_fn on_result,
		     void *arg, sf_run **out_run)
{
	sf_run_options dflt = { 0 };
	sf_run *run;
	sf_status st;

	*out_run = NULL;
	if (!opt)
		opt = &dflt;
	if (!on_result)
		return sf_ctx_fail(ctx, SF_EINVAL, "a run needs a result callback");
	run = calloc(1, sizeof(*run));
	if (!run)
		return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	run->ctx = ctx;
	run->on_result = on_result;
	run->arg = arg;
	run->concurrency = opt->concurrency ? opt->concurrency : RUN_DEFAULT_CONCURRENCY;
	run->ordered = opt->ordered || sf_ctx_client(ctx);
	run->stop_flag = opt->stop_flag;
	run->deadline_ms = opt->deadline_ms ? opt->deadline_ms
			 : ctx->timeout_ms * 8u > RUN_MIN_DEADLINE_MS ? (unsigned)ctx->timeout_ms * 8u
								    : RUN_MIN_DEADLINE_MS;
	run->progress = opt->progress;
	run->progress_arg = opt->progress_arg;
	run->progress_ms = opt->progress_ms ? opt->progress_ms : RUN_DEFAULT_PROGRESS_MS;
	run->external = opt->base != NULL;
	run->base = opt->base ? opt->base : event_base_new();
	if (!run->base) {
		free(run);
		return sf_ctx_fail(ctx, SF_EINTERNAL, "cannot set up the event loop");
	}
	st = sf_run_ops_init(run);
	if (st != SF_OK) {
		sf_run_free(run);
		return st;
	}
	*out_run = run;
	return SF_OK;
}

void sf_run_free(sf_run *run)
{
	sf_run_job *j, *n;

	if (!run)
		return;
	for (j = run->q_head; j; j = n) {
		n = j->next;
		sf_run_job_free(j);
	}
	/* finished and waiting for their turn (ordered), then those in flight */
	for (j = run->o_head; j; j = n) {
		n = j->onext;
		if (j->finished)
			sf_run_job_free(j);
	}
	sf_run_jobs_drop(run);
	sf_run_ops_release(run);
	sf_run_serial_release(run);
	if (run->base && !run->external)
		event_base_free(run->base);
	free(run);
}
