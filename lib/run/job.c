/* Jobs of a run (first version: each job runs the blocking checks; see run_int.h). */
#include <stdlib.h>
#include <string.h>

#include "run/run_int.h"
#include "util/util.h"

struct sf_job_state {
	struct event *ev;
};

static sf_result *error_result(const sf_run_job *j, const char *why)
{
	sf_result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->domain = sf_strdup(j->name);
	r->profile = j->run->ctx->profile;
	r->verdict = SF_VERDICT_ERROR;
	r->reason = sf_strdup(why);
	if (!r->domain || !r->reason) {
		sf_result_free(r);
		return NULL;
	}
	return r;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	sf_run_job *j = arg;

	(void)fd;
	(void)what;
	event_free(j->state->ev);
	free(j->state);
	j->state = NULL;
	sf_run_job_finished(j);
}

void sf_run_job_start(sf_run_job *j)
{
	sf_run *run = j->run;
	sf_ctx *ctx = run->ctx;
	sf_result *r = NULL;
	sf_status st;

	ctx->err[0] = '\0';
	switch (j->kind) {
	case SF_JOB_SBC:
		st = sf_check_sbc(ctx, j->name, &r);
		break;
	case SF_JOB_CALLBACK:
		if (!run->peer)
			st = sf_ctx_fail(ctx, SF_EINVAL, "no peer certificate for the callback check");
		else
			st = sf_check_callback(ctx, j->name, run->peer, &r);
		break;
	default:
		st = sf_check_domain(ctx, j->name, &r);
		break;
	}
	if (st == SF_OK && run->allow && j->kind != SF_JOB_SBC)
		st = sf_check_allow_list(ctx, run->allow, r);
	if (st != SF_OK) {
		sf_result_free(r);
		r = error_result(j, ctx->err[0] ? ctx->err : sf_strerror(st));
	}
	j->result = r;
	j->state = calloc(1, sizeof(*j->state));
	if (!r || !j->state || !(j->state->ev = evtimer_new(run->base, on_done, j))) {
		sf_run_fail(run, SF_ENOMEM, "out of memory");
		free(j->state);
		j->state = NULL;
		sf_run_stop(run);
		return;
	}
	event_active(j->state->ev, EV_TIMEOUT, 0);
}

sf_status sf_run_job_serial(sf_run *run, sf_run_job *j)
{
	(void)run;
	(void)j;
	return SF_OK;
}

void sf_run_serial_release(sf_run *run)
{
	(void)run;
}

void sf_run_jobs_drop(sf_run *run)
{
	sf_run_job *j, *n;

	for (j = run->active; j; j = n) {
		n = j->anext;
		if (j->state) {
			if (j->state->ev)
				event_free(j->state->ev);
			free(j->state);
		}
		sf_run_job_free(j);
	}
	run->active = NULL;
}
