/*
 * Internals of `sipfed logs` shared by lib/logs/kb.c, explain.c, report.c,
 * the writers lib/out/out_logs_*.c and the unit tests (not public API).
 */
#ifndef SF_LOGS_KB_H
#define SF_LOGS_KB_H

#include <stddef.h>

#include "sipfed/logs.h"

/* The whole table, sorted by (space, number): entry @i (NULL past the end). @unittest: test_kb */
size_t sf_kb_count(void);
const sf_kb_entry *sf_kb_at(size_t i);

/*
 * What the range of an ms-diagnostics ErrorId or Direct Routing response code
 * says when sf_kb_find(SF_KB_MSDIAG, @code) does not know the number itself:
 * the OCS / Lync component that owns 0-999 ... 90000-90999, or for 5XYZZZ
 * whether the SBC (540ZZZ, 560ZZZ) or a Microsoft module answered.  A static
 * entry without rules (its number is the first of the range; its cause still
 * says the number itself is not known), or NULL outside every range.
 * @unittest: test_kb
 */
const sf_kb_entry *sf_kb_msdiag_range(uint32_t code);

/*
 * The explanation of a failure response that carries no code at all (a bare
 * "504 Server time-out" from Server: RTC/...): the usual suspects.  Static.
 */
const sf_kb_entry *sf_kb_bare_response(void);

/*
 * The SIP domain that the `next` command of an explained @ev checks
 * ("sipfed check DOMAIN"): attribute domain; else the parent domain of the
 * FQDN to fix (certificate cases); else the From / To domain.  Returns a
 * malloc'd string, or NULL if @ev names none (or out of memory).
 */
char *sf_logs_check_domain(const sf_log_event *ev);

/* Report internals for the writers and tests (lib/logs/report.c). */
/* Adds @ev (taking it, also on failure) as if a reader had emitted it. */
sf_status sf_logs_report_push(sf_logs_report *r, sf_log_event *ev);
/* Number of files read without error. */
size_t sf_logs_report_n_files(const sf_logs_report *r);
/* Index of the cause of event @i (after sf_logs_report_finish()), SIZE_MAX if none. */
size_t sf_logs_report_event_cause(const sf_logs_report *r, size_t i);

#endif
