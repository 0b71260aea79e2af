/*
 * The `sipfed logs` run: the events of every file (readers stream the bytes;
 * only events are kept, never lines, so memory follows the number of
 * failures, not the size of the logs), explained from the knowledge base,
 * correlated by Call-ID across files (a bare 504 on the Expressway takes the
 * explanation of the Edge record or ms-diagnostics of the same call, LOG-003),
 * then by time window and domains for legs whose Call-IDs differ, and grouped
 * by cause for the summary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/kb.h"
#include "logs/reader.h"
#include "sipfed/logs.h"
#include "util/util.h"

struct sf_logs_report {
	sf_log_event **ev;
	size_t n_ev, cap_ev;
	size_t n_files;
	sf_logs_cause *causes;
	size_t n_causes;
	size_t *ev_cause; /* cause index of each event (after finish) */
	sf_strv domains;
	int oom;          /* an event could not be stored while reading */
	char err[SF_LOGS_ERRLEN]; /* the message of the last failure */
};

sf_status sf_logs_report_new(sf_logs_report **out)
{
	sf_logs_report *r = calloc(1, sizeof(*r));

	*out = r;
	return r != NULL ? SF_OK : SF_ENOMEM;
}

static void causes_release(sf_logs_report *r)
{
	for (size_t i = 0; i < r->n_causes; i++) {
		free(r->causes[i].key);
		free(r->causes[i].first_time);
		free(r->causes[i].last_time);
	}
	free(r->causes);
	free(r->ev_cause);
	r->causes = NULL;
	r->ev_cause = NULL;
	r->n_causes = 0;
	sf_strv_release(&r->domains);
}

void sf_logs_report_free(sf_logs_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_ev; i++)
		sf_log_event_free(r->ev[i]);
	free(r->ev);
	causes_release(r);
	free(r);
}

sf_status sf_logs_report_push(sf_logs_report *r, sf_log_event *ev)
{
	if (r->n_ev == r->cap_ev) {
		size_t cap = r->cap_ev ? r->cap_ev * 2 : 64;
		sf_log_event **v;

		if (cap > SIZE_MAX / sizeof(*v) || (v = realloc(r->ev, cap * sizeof(*v))) == NULL) {
			sf_log_event_free(ev);
			return SF_ENOMEM;
		}
		r->ev = v;
		r->cap_ev = cap;
	}
	r->ev[r->n_ev++] = ev;
	return SF_OK;
}

/* Reader callback: keep the event; stop reading when memory runs out. */
static int report_emit(void *arg, sf_log_event *ev)
{
	sf_logs_report *r = arg;

	if (sf_logs_report_push(r, ev) != SF_OK) {
		r->oom = 1;
		return 1;
	}
	return 0;
}

sf_status sf_logs_report_add(sf_logs_report *r, const char *path, sf_log_type type)
{
	sf_log_type used = SF_LOGT_AUTO;
	sf_status st;

	if (r == NULL)
		return SF_EINVAL;
	r->err[0] = '\0';
	if (path == NULL) {
		snprintf(r->err, sizeof(r->err), "no file name given");
		return SF_EINVAL;
	}
	r->oom = 0;
	st = sf_logs_read_opts(path, type, report_emit, r, NULL, &used, r->err, sizeof(r->err));
	if (r->oom) {
		snprintf(r->err, sizeof(r->err), "out of memory reading '%s'", path);
		return SF_ENOMEM;
	}
	if (st == SF_OK)
		r->n_files++;
	return st;
}

const char *sf_logs_report_error(const sf_logs_report *r)
{
	return r ? r->err : "out of memory";
}

/* ---- time stamps ----------------------------------------------------------- */

/* Copies @n digits of @s into @out; 0, or -1 if one is not a digit. */
static int take_digits(const char *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		out[i] = s[i];
	}
	return 0;
}

/*
 * A sortable key "YYYYMMDDhhmmssfff" of a time stamp as logs write it:
 * ISO 8601 ("2017-03-02T08:10:46.240+01:00", "2017-03-02 07:10:46,240")
 * or US order ("03/02/2017-07:10:46.230" Edge, "03/02/2017|08:10:46.240"
 * client).  Time zones are not applied: stamps compare as written.
 * Returns 0, or -1 if @s is neither.
 */
static int time_key(const char *s, char key[18])
{
	const char *t;
	size_t n;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '"')
		s++;
	n = strlen(s);
	if (n >= 19 && s[4] == '-' && s[7] == '-') {
		if (take_digits(s, 4, key) || take_digits(s + 5, 2, key + 4) ||
		    take_digits(s + 8, 2, key + 6))
			return -1;
		t = s + 11;
	} else if (n >= 19 && s[2] == '/' && s[5] == '/') {
		if (take_digits(s + 6, 4, key) || take_digits(s, 2, key + 4) ||
		    take_digits(s + 3, 2, key + 6))
			return -1;
		t = s + 11;
	} else {
		return -1;
	}
	if (t[2] != ':' || t[5] != ':' || take_digits(t, 2, key + 8) ||
	    take_digits(t + 3, 2, key + 10) || take_digits(t + 6, 2, key + 12))
		return -1;
	memset(key + 14, '0', 3);
	if ((t[8] == '.' || t[8] == ',')) {
		for (size_t i = 0; i < 3 && t[9 + i] >= '0' && t[9 + i] <= '9'; i++)
			key[14 + i] = t[9 + i];
	}
	key[17] = '\0';
	return 0;
}

/* ---- correlation ------------------------------------------------------------ */

static int is_record(const sf_log_event *ev)
{
	if (ev->kind != SF_LOG_MSDIAG && ev->kind != SF_LOG_EDGE_RECORD)
		return 0;
	return ev->call_id != NULL && ev->call_id[0] != '\0';
}

/* Orders indexes of records by Call-ID, read order within one (qsort_r, @arg the report). */
static int by_call_id(const void *a, const void *b, void *arg)
{
	const sf_logs_report *r = arg;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(r->ev[ia]->call_id, r->ev[ib]->call_id);

	if (c != 0)
		return c;
	return ia < ib ? -1 : ia > ib;
}

/* Copies the explanation of @from into @to; -1 on out-of-memory. */
static int copy_explanation(sf_log_event *to, const sf_log_event *from)
{
	char *cause = sf_strdup(from->cause), *subject = sf_strdup(from->subject);
	char *fix = sf_strdup(from->fix), *next = sf_strdup(from->next);
	char *linked = sf_aprintf("%s:%llu", from->file != NULL ? from->file : "?",
				  (unsigned long long)from->line);
	sf_rule *rules = NULL;

	if (from->n_rules > 0 && (rules = calloc(from->n_rules, sizeof(*rules))) != NULL)
		memcpy(rules, from->rules, from->n_rules * sizeof(*rules));
	if ((from->cause && !cause) || (from->subject && !subject) || (from->fix && !fix) ||
	    (from->next && !next) || !linked || (from->n_rules > 0 && !rules)) {
		free(cause);
		free(subject);
		free(fix);
		free(next);
		free(linked);
		free(rules);
		return -1;
	}
	free(to->cause);
	free(to->subject);
	free(to->fix);
	free(to->next);
	free(to->linked);
	free(to->rules);
	to->cause = cause;
	to->subject = subject;
	to->fix = fix;
	to->next = next;
	to->linked = linked;
	to->rules = rules;
	to->n_rules = from->n_rules;
	return 0;
}

/* Do @a and @b share a check ID? */
static int share_check(const sf_log_event *a, const sf_log_event *b)
{
	for (size_t i = 0; i < a->n_rules; i++) {
		const sf_rule_info *ra = sf_rule_get(a->rules[i]);

		for (size_t j = 0; ra != NULL && j < b->n_rules; j++) {
			const sf_rule_info *rb = sf_rule_get(b->rules[j]);

			if (rb != NULL && strcmp(ra->id, rb->id) == 0)
				return 1;
		}
	}
	return 0;
}

/* Is @a a better explanation of a call than @b: explained, then an Edge record, then read first. */
static int better_record(const sf_log_event *a, size_t ia, const sf_log_event *b, size_t ib)
{
	if ((a->n_rules > 0) != (b->n_rules > 0))
		return a->n_rules > 0;
	if ((a->kind == SF_LOG_EDGE_RECORD) != (b->kind == SF_LOG_EDGE_RECORD))
		return a->kind == SF_LOG_EDGE_RECORD;
	return ia < ib;
}

/*
 * The records of one call (an Edge record and the ms-diagnostics of the
 * answer, in one log or several) are one cause: each record of the Call-ID
 * group idx[lo..hi) that no rule explains, or that names a check the best
 * one names too, takes the best one's explanation and is linked to it.
 * Records explained by other checks keep theirs: two findings, not one.
 */
static sf_status merge_call(sf_logs_report *r, const size_t *idx, size_t lo, size_t hi)
{
	size_t best = idx[lo];

	for (size_t k = lo + 1; k < hi; k++) {
		if (better_record(r->ev[idx[k]], idx[k], r->ev[best], best))
			best = idx[k];
	}
	if (r->ev[best]->n_rules == 0)
		return SF_OK;
	for (size_t k = lo; k < hi; k++) {
		sf_log_event *ev = r->ev[idx[k]];

		if (idx[k] == best || ev->linked != NULL ||
		    (ev->n_rules > 0 && !share_check(ev, r->ev[best])))
			continue;
		if (copy_explanation(ev, r->ev[best]) < 0)
			return SF_ENOMEM;
	}
	return SF_OK;
}

/*
 * Links the records of one Call-ID into one story (merge_call), then every
 * failure response without ms-diagnostics to the Edge record or
 * ms-diagnostics event of its Call-ID (any file), preferring one that a rule
 * explains, then the first read.  O(n log n) in the number of events.
 */
static sf_status correlate(sf_logs_report *r)
{
	size_t *idx = NULL, n = 0;
	sf_status st = SF_OK;

	for (size_t i = 0; i < r->n_ev; i++)
		n += is_record(r->ev[i]);
	if (n == 0)
		return SF_OK;
	idx = calloc(n, sizeof(*idx));
	if (idx == NULL)
		return SF_ENOMEM;
	n = 0;
	for (size_t i = 0; i < r->n_ev; i++) {
		if (is_record(r->ev[i]))
			idx[n++] = i;
	}
	qsort_r(idx, n, sizeof(*idx), by_call_id, r);
	for (size_t lo = 0, hi; lo < n && st == SF_OK; lo = hi) {
		for (hi = lo + 1; hi < n && strcmp(r->ev[idx[hi]]->call_id,
						   r->ev[idx[lo]]->call_id) == 0; hi++)
			;
		if (hi - lo > 1)
			st = merge_call(r, idx, lo, hi);
	}
	for (size_t i = 0; i < r->n_ev && st == SF_OK; i++) {
		sf_log_event *ev = r->ev[i];
		size_t lo = 0, hi = n, best = SIZE_MAX;

		if (ev->kind != SF_LOG_SIP_RESPONSE || ev->call_id == NULL ||
		    ev->call_id[0] == '\0')
			continue;
		/* lower bound of the Call-ID */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(r->ev[idx[mid]]->call_id, ev->call_id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < n; k++) {
			const sf_log_event *rec = r->ev[idx[k]];

			if (strcmp(rec->call_id, ev->call_id) != 0)
				break;
			if (best == SIZE_MAX)
				best = idx[k];
			if (rec->n_rules > 0) {
				best = idx[k];
				break;
			}
		}
		if (best != SIZE_MAX && copy_explanation(ev, r->ev[best]) < 0)
			st = SF_ENOMEM;
	}
	free(idx);
	return st;
}

/* ---- correlation across legs: time window + domains ---------------------- */

/*
 * Legs of one call through an Expressway and an Edge can carry different
 * Call-IDs (a B2BUA rewrites it).  A bare failure response that no record of
 * its Call-ID explains is then linked to the Edge record or ms-diagnostics
 * event within SF_LOGS_LINK_WINDOW_MS of it whose From / To domains are the
 * same pair (either order); among several, one a rule explains, then the
 * closest in time.  An offset written in a stamp ("+01:00", "Z") is applied;
 * stamps without one are compared as written.
 */
#define SF_LOGS_LINK_WINDOW_MS 30000
#define SF_LOGS_LINK_SCAN 1000 /* candidates looked at per response */

/* Days from 1970-01-01 to the civil date @y-@m-@d (proleptic Gregorian). */
static int64_t days_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Milliseconds of a time stamp (see time_key), its offset applied; 0 or -1. */
static int time_ms(const char *s, int64_t *out)
{
	char k[18];
	const char *t;
	int64_t ms;
	unsigned v[7];
	size_t pos[7] = { 0, 4, 6, 8, 10, 12, 14 }, len[7] = { 4, 2, 2, 2, 2, 2, 3 };

	if (time_key(s, k) != 0)
		return -1;
	for (size_t i = 0; i < 7; i++) {
		v[i] = 0;
		for (size_t j = 0; j < len[i]; j++)
			v[i] = v[i] * 10 + (unsigned)(k[pos[i] + j] - '0');
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
		return -1;
	ms = days_civil(v[0], v[1], v[2]) * 86400000 +
	     ((int64_t)v[3] * 3600 + v[4] * 60 + v[5]) * 1000 + v[6];
	/* an offset after the seconds and fraction: "+01:00", "-0500", "Z" */
	while (*s == ' ' || *s == '"')
		s++;
	t = s + 19;
	while (*t == '.' || *t == ',' || (*t >= '0' && *t <= '9'))
		t++;
	if ((*t == '+' || *t == '-') && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9') {
		const char *m = t[3] == ':' ? t + 4 : t + 3;
		int64_t off = ((t[1] - '0') * 10 + (t[2] - '0')) * 60;

		if (m[0] >= '0' && m[0] <= '9' && m[1] >= '0' && m[1] <= '9')
			off += (m[0] - '0') * 10 + (m[1] - '0');
		ms -= (*t == '+' ? off : -off) * 60000;
	}
	*out = ms;
	return 0;
}

static int same_domains(const sf_log_event *a, const sf_log_event *b)
{
	if (!a->from_domain || !a->to_domain || !b->from_domain || !b->to_domain)
		return 0;
	return (strcmp(a->from_domain, b->from_domain) == 0 &&
		strcmp(a->to_domain, b->to_domain) == 0) ||
	       (strcmp(a->from_domain, b->to_domain) == 0 &&
		strcmp(a->to_domain, b->from_domain) == 0);
}

struct timed {
	int64_t ms;
	size_t i;
};

static int by_ms(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static sf_status correlate_window(sf_logs_report *r)
{
	struct timed *rec = NULL;
	size_t n = 0;
	sf_status st = SF_OK;
	int64_t ms;

	for (size_t i = 0; i < r->n_ev; i++) {
		const sf_log_event *ev = r->ev[i];

		n += (ev->kind == SF_LOG_MSDIAG || ev->kind == SF_LOG_EDGE_RECORD) &&
		     ev->from_domain && ev->to_domain;
	}
	if (n == 0)
		return SF_OK;
	if ((rec = calloc(n, sizeof(*rec))) == NULL)
		return SF_ENOMEM;
	n = 0;
	for (size_t i = 0; i < r->n_ev; i++) {
		const sf_log_event *ev = r->ev[i];

		if ((ev->kind == SF_LOG_MSDIAG || ev->kind == SF_LOG_EDGE_RECORD) &&
		    ev->from_domain && ev->to_domain && time_ms(ev->time, &ms) == 0)
			rec[n++] = (struct timed){ ms, i };
	}
	qsort(rec, n, sizeof(*rec), by_ms);
	for (size_t i = 0; i < r->n_ev && st == SF_OK; i++) {
		sf_log_event *ev = r->ev[i];
		size_t lo = 0, hi = n, best = SIZE_MAX;
		int64_t best_d = 0;
		int best_rules = 0;

		if (ev->kind != SF_LOG_SIP_RESPONSE || ev->linked != NULL ||
		    time_ms(ev->time, &ms) != 0)
			continue;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (rec[mid].ms < ms - SF_LOGS_LINK_WINDOW_MS)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < n && k - lo < SF_LOGS_LINK_SCAN &&
				    rec[k].ms <= ms + SF_LOGS_LINK_WINDOW_MS; k++) {
			const sf_log_event *c = r->ev[rec[k].i];
			int64_t d = rec[k].ms > ms ? rec[k].ms - ms : ms - rec[k].ms;
			int rules = c->n_rules > 0;

			if (!same_domains(ev, c))
				continue;
			if (best == SIZE_MAX || rules > best_rules ||
			    (rules == best_rules && d < best_d)) {
				best = rec[k].i;
				best_d = d;
				best_rules = rules;
			}
		}
		if (best != SIZE_MAX && copy_explanation(ev, r->ev[best]) < 0)
			st = SF_ENOMEM;
	}
	free(rec);
	return st;
}

/* ---- grouping --------------------------------------------------------------- */

/* The grouping key of an explained event: cause, unit separator, subject. */
static char *cause_key(const sf_log_event *ev)
{
	return sf_aprintf("%s\x1f%s", ev->cause != NULL ? ev->cause : "",
			  ev->subject != NULL ? ev->subject : "");
}

struct keyed {
	char *key;
	size_t i;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int by_count(const void *a, const void *b)
{
	const sf_logs_cause *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first_event < y->first_event ? -1 : x->first_event > y->first_event;
}

/* Sets the first / last time of @c from the events @k[0..n) of one group. */
static int group_times(const sf_logs_report *r, sf_logs_cause *c, const struct keyed *k, size_t n)
{
	const char *first = NULL, *last = NULL;
	char fk[18] = "", lk[18] = "", key[18];
	int have = 0;

	/* stamps that parse compare by value; otherwise read order decides */
	for (size_t j = 0; j < n; j++) {
		const char *t = r->ev[k[j].i]->time;

		if (t == NULL || time_key(t, key) < 0)
			continue;
		if (!have || strcmp(key, fk) < 0) {
			memcpy(fk, key, sizeof(fk));
			first = t;
		}
		if (!have || strcmp(key, lk) >= 0) {
			memcpy(lk, key, sizeof(lk));
			last = t;
		}
		have = 1;
	}
	for (size_t j = 0; j < n && !have; j++) {
		const char *t = r->ev[k[j].i]->time;

		if (t != NULL) {
			if (first == NULL)
				first = t;
			last = t;
		}
	}
	if ((first != NULL && (c->first_time = sf_strdup(first)) == NULL) ||
	    (last != NULL && (c->last_time = sf_strdup(last)) == NULL))
		return -1;
	return 0;
}

static sf_status group(sf_logs_report *r)
{
	struct keyed *k = NULL;
	size_t *order = NULL;
	sf_status st = SF_ENOMEM;

	if (r->n_ev == 0)
		return SF_OK;
	k = calloc(r->n_ev, sizeof(*k));
	r->ev_cause = calloc(r->n_ev, sizeof(*r->ev_cause));
	r->causes = calloc(r->n_ev, sizeof(*r->causes));
	if (k == NULL || r->ev_cause == NULL || r->causes == NULL)
		goto out;
	for (size_t i = 0; i < r->n_ev; i++) {
		k[i].i = i;
		if ((k[i].key = cause_key(r->ev[i])) == NULL)
			goto out;
	}
	qsort(k, r->n_ev, sizeof(*k), by_key);
	for (size_t s = 0; s < r->n_ev;) {
		size_t e = s + 1;
		sf_logs_cause *c = &r->causes[r->n_causes++];

		while (e < r->n_ev && strcmp(k[e].key, k[s].key) == 0)
			e++;
		if ((c->key = sf_strdup(k[s].key)) == NULL)
			goto out;
		c->count = e - s;
		c->first_event = k[s].i; /* sorted by read order within the key */
		if (group_times(r, c, k + s, e - s) < 0)
			goto out;
		s = e;
	}
	/* most frequent first; then map each event to its cause's final index */
	qsort(r->causes, r->n_causes, sizeof(*r->causes), by_count);
	order = calloc(r->n_ev, sizeof(*order));
	if (order == NULL)
		goto out;
	for (size_t c = 0; c < r->n_causes; c++)
		order[r->causes[c].first_event] = c;
	for (size_t j = 0, first = 0; j < r->n_ev; j++) {
		/* k is sorted by key then read order: a group starts at its first event */
		if (j == 0 || k[j].key == NULL || k[j - 1].key == NULL ||
		    strcmp(k[j].key, k[j - 1].key) != 0)
			first = k[j].i;
		r->ev_cause[k[j].i] = order[first];
	}
	st = SF_OK;
out:
	if (k != NULL) {
		for (size_t i = 0; i < r->n_ev; i++)
			free(k[i].key);
	}
	free(k);
	free(order);
	return st;
}

/* Records the message of a failure of sf_logs_report_finish(); returns @st. */
static sf_status finish_failed(sf_logs_report *r, sf_status st)
{
	snprintf(r->err, sizeof(r->err), "%s while explaining the events", sf_strerror(st));
	return st;
}

sf_status sf_logs_report_finish(sf_logs_report *r)
{
	sf_status st;

	if (r == NULL)
		return SF_EINVAL;
	r->err[0] = '\0';
	causes_release(r);
	for (size_t i = 0; i < r->n_ev; i++) {
		free(r->ev[i]->linked);
		r->ev[i]->linked = NULL;
		if ((st = sf_logs_explain(r->ev[i])) != SF_OK)
			return finish_failed(r, st);
	}
	if ((st = correlate(r)) != SF_OK || (st = correlate_window(r)) != SF_OK ||
	    (st = group(r)) != SF_OK)
		return finish_failed(r, st);
	for (size_t i = 0; i < r->n_ev; i++) {
		char *d = sf_logs_check_domain(r->ev[i]);
		int rc = 0;

		if (d != NULL && !sf_strv_contains(&r->domains, d))
			rc = sf_strv_push(&r->domains, d);
		free(d);
		if (rc < 0)
			return finish_failed(r, SF_ENOMEM);
	}
	return SF_OK;
}

size_t sf_logs_report_n_files(const sf_logs_report *r)
{
	return r != NULL ? r->n_files : 0;
}

size_t sf_logs_report_n_events(const sf_logs_report *r)
{
	return r != NULL ? r->n_ev : 0;
}

const sf_log_event *sf_logs_report_event(const sf_logs_report *r, size_t i)
{
	return r != NULL && i < r->n_ev ? r->ev[i] : NULL;
}

size_t sf_logs_report_event_cause(const sf_logs_report *r, size_t i)
{
	return r != NULL && r->ev_cause != NULL && i < r->n_ev ? r->ev_cause[i] : SIZE_MAX;
}

size_t sf_logs_report_n_causes(const sf_logs_report *r)
{
	return r != NULL ? r->n_causes : 0;
}

const sf_logs_cause *sf_logs_report_cause(const sf_logs_report *r, size_t i)
{
	return r != NULL && i < r->n_causes ? &r->causes[i] : NULL;
}

size_t sf_logs_report_n_domains(const sf_logs_report *r)
{
	return r != NULL ? r->domains.n : 0;
}

const char *sf_logs_report_domain(const sf_logs_report *r, size_t i)
{
	return r != NULL && i < r->domains.n ? r->domains.v[i] : NULL;
}
