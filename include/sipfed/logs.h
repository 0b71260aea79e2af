/*
 * sipfed logs: explain the federation failures found in Expressway, Edge /
 * Front End and client logs.  Pipeline: readers (one per log format, lib/logs)
 * turn bytes into events -> the knowledge base (lib/logs/kb.c) explains each
 * event with the check IDs of the rule table -> correlation by Call-ID across
 * files -> writers.  Everything read is untrusted.
 */
#ifndef SIPFED_LOGS_H
#define SIPFED_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipfed/sipfed.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_log_type {
	SF_LOGT_AUTO = 0,   /* detect from the first bytes */
	SF_LOGT_EXPRESSWAY, /* Cisco Expressway / VCS diagnostic log ("expressway") */
	SF_LOGT_EDGE,       /* Lync / SfB Edge and Front End OCSLogger/CLS text ("edge") */
	SF_LOGT_UCCAPI,     /* Skype / Lync client UccApiLog ("uccapi") */
	SF_LOGT_SIP,        /* plain SIP message text, pasted traces ("sip") */
	SF_LOGT_EVENT,      /* Windows event text, CDR reports ("event") */
	SF_LOGT_GENERIC,    /* any text: the evidence the knowledge base knows ("generic") */
	SF_LOGT_XWSEARCH,   /* Expressway "Search history" page pasted from the web UI ("search") */
	SF_LOGT_COUNT
} sf_log_type;

int sf_log_type_parse(const char *s, sf_log_type *out_type);
const char *sf_log_type_name(sf_log_type t);

/* SPEC §3 event kinds; JSON strings "ms-diagnostics", "edge-record", "sip-response", "event". */
typedef enum sf_log_kind {
	SF_LOG_MSDIAG = 0,  /* an ms-diagnostics / ms-diagnostics-public header (LOG-001) */
	SF_LOG_EDGE_RECORD, /* a $$begin_record ... $$end_record record (LOG-002) */
	SF_LOG_SIP_RESPONSE, /* a failure response without ms-diagnostics, e.g. a bare 504 */
	SF_LOG_EVENT,       /* Windows event 32263, CDR diagnostic ID 21, ... */
} sf_log_kind;

const char *sf_log_kind_name(sf_log_kind k);

typedef struct sf_kv {
	char *key;
	char *value;
} sf_kv;

/*
 * One event.  Every string is owned by the event (sf_log_event_free()), NUL
 * terminated and valid UTF-8 is NOT guaranteed (writers escape/repair).
 * The reader fills the first block; sf_logs_explain() the second.
 */
typedef struct sf_log_event {
	/* --- filled by the reader --- */
	char *file;          /* as given on the command line ("-" for stdin) */
	uint64_t line;       /* 1-based line of the start of the event */
	sf_log_kind kind;
	sf_log_type source;  /* which reader found it */
	int code;            /* ms-diagnostics code, CDR diagnostic ID, event ID; -1 if none */
	int sip_status;      /* status of the SIP response it belongs to, 0 if none/request */
	char *result_code;   /* "0xC3E93D6F" (upper-case hex digits, "0x" prefix), or NULL */
	char *result_name;   /* "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH", or NULL */
	char *hresult;       /* "0x80090322", or NULL */
	char *time;          /* timestamp as written in the log, or NULL */
	char *call_id;       /* SIP Call-ID, or NULL */
	char *cseq;          /* "2066245576 INVITE", or NULL */
	char *from_domain;   /* host part of From (or P-Asserted-Identity), lowercase, or NULL */
	char *to_domain;     /* host part of To, or NULL */
	char *server;        /* Server: or User-Agent: of the response ("RTC/6.0"), or NULL */
	char *reason;        /* ms-diagnostics reason, Edge "Text:", event text; or NULL */
	char *start_line;    /* SIP start line ("SIP/2.0 504 Server time-out", "INVITE sip:..") */
	sf_kv *attrs;        /* key=value pairs of the header / record Data:, in order */
	size_t n_attrs;

	/* --- filled by sf_logs_explain() --- */
	sf_rule *rules;      /* rule-table rows that explain it (IDs via sf_rule_get) */
	size_t n_rules;
	char *cause;         /* one line: what the Microsoft side decided and why */
	char *subject;       /* the FQDN or domain to fix */
	char *fix;           /* exact change */
	char *next;          /* "sipfed check acano.steven.lab", or NULL */
	char *linked;        /* "file:line" of the event that explains this one (correlation) */
} sf_log_event;

void sf_log_event_free(sf_log_event *ev);
/* Value of attribute @key (case-insensitive), or NULL. */
const char *sf_log_event_attr(const sf_log_event *ev, const char *key);

/*
 * Called by a reader for each event found; takes ownership of @ev.
 * Return 0 to go on, non-zero to stop reading (the reader then returns SF_OK).
 */
typedef int (*sf_log_emit_fn)(void *arg, sf_log_event *ev);

/*
 * A log reader: reads logs one after the other (one thread at a time) and
 * keeps the message of its last failure, sf_log_reader_error().  Returns
 * SF_OK or SF_ENOMEM (then *out_reader is NULL).
 */
typedef struct sf_log_reader sf_log_reader;

sf_status sf_log_reader_new(sf_log_reader **out_reader);
void sf_log_reader_free(sf_log_reader *rd);
/*
 * The one-line message of the reader's last failure, naming the file; ""
 * after a success; "out of memory" for a NULL reader.  Valid until the next
 * call on @rd.
 */
const char *sf_log_reader_error(const sf_log_reader *rd);

/*
 * Reads one log: @path is a file or "-" for stdin; gzip input is detected by
 * its magic bytes and decompressed while streaming; UTF-16 with a BOM is
 * decoded to UTF-8.  A directory or a bundle (.tar, .tar.gz, .tgz, .zip, by
 * content; not from stdin) is walked: each regular file is read the same
 * way, its events' file being "BUNDLE:PATH" or "DIR/PATH"; empty and binary
 * members are skipped (SF_EPARSE if nothing was a log); the first failure is
 * returned after the others are read, and a decompression bomb stops the
 * bundle (SF_EIO).  @type SF_LOGT_AUTO
 * detects the format from the first bytes (*out_type gets the one used);
 * text that no reader claims is read by the generic evidence scanner
 * (SF_LOGT_GENERIC).  Memory does not depend on the size of the input.
 * Returns SF_EINVAL, SF_EIO (cannot read), SF_EPARSE ("not a log": empty,
 * or binary data) or SF_ENOMEM, with sf_log_reader_error(@rd) saying why.
 */
sf_status sf_logs_read(sf_log_reader *rd, const char *path, sf_log_type type,
		       sf_log_emit_fn emit, void *arg, sf_log_type *out_type);

/*
 * Explains @ev from the knowledge base: fills rules, cause, subject, fix,
 * next (freeing what was there).  Unknown codes get a cause that says so and
 * no rules.  Returns SF_ENOMEM or SF_OK.
 */
sf_status sf_logs_explain(sf_log_event *ev);

/* A knowledge-base entry (lib/logs/kb.c); all strings static. */
typedef enum sf_kb_space {
	SF_KB_MSDIAG = 0, /* ms-diagnostics code */
	SF_KB_RESULT,     /* Edge / Front End Result-Code (HRESULT-like, 0xC3E9xxxx) */
	SF_KB_HRESULT,    /* Windows HRESULT (0x8009xxxx, 0x800Bxxxx) */
	SF_KB_WINSOCK,    /* Winsock error 100xx */
	SF_KB_CDR,        /* Call Detail Record diagnostic ID */
	SF_KB_EVENT,      /* Windows event ID */
	SF_KB_Q850,       /* ITU-T Q.850 cause value (SIP Reason: Q.850;cause=N) */
	SF_KB_TLS_ALERT,  /* TLS AlertDescription (RFC 8446 §6) */
	SF_KB_X509_VERIFY, /* OpenSSL X509_V_ERR_* certificate verify error */
	SF_KB_SSL_REASON,  /* OpenSSL SSL library reason (SSL_R_*, "wrong version number") */
} sf_kb_space;

#define SF_KB_MAX_RULES 6

typedef struct sf_kb_entry {
	sf_kb_space space;
	uint32_t number;
	const char *name;    /* symbolic name or reason text */
	const char *cause;   /* template: {domain} {fqdn} {target} {peer} {cert} {source} */
	sf_rule rules[SF_KB_MAX_RULES];
	size_t n_rules;
	const char *fix;     /* template, same placeholders; NULL if nothing to fix */
} sf_kb_entry;

/* Looks up a number; NULL if unknown. */
const sf_kb_entry *sf_kb_find(sf_kb_space space, uint32_t number);

/*
 * The whole `sipfed logs` run: events of every file, correlated by Call-ID
 * and explained, grouped by cause for the summary.
 */
typedef struct sf_logs_report sf_logs_report;

typedef struct sf_logs_cause {
	char *key;            /* grouping key: the cause text + subject */
	size_t count;
	size_t first_event;   /* index into the events */
	char *first_time, *last_time; /* as written in the logs, NULL if none */
} sf_logs_cause;

/* Returns SF_OK or SF_ENOMEM (then *out is NULL). */
sf_status sf_logs_report_new(sf_logs_report **out);
void sf_logs_report_free(sf_logs_report *r);
/*
 * Reads one file into the report (see sf_logs_read()); a failure leaves the
 * events of the other files in place, and sf_logs_report_error() names the
 * file.
 */
sf_status sf_logs_report_add(sf_logs_report *r, const char *path, sf_log_type type);
/* Correlates and explains every event, then groups causes (most frequent first). */
sf_status sf_logs_report_finish(sf_logs_report *r);
/*
 * The message of the report's last failure (sf_logs_report_add(),
 * sf_logs_report_finish()); "" if none; "out of memory" for a NULL report.
 */
const char *sf_logs_report_error(const sf_logs_report *r);

size_t sf_logs_report_n_events(const sf_logs_report *r);
const sf_log_event *sf_logs_report_event(const sf_logs_report *r, size_t i);
size_t sf_logs_report_n_causes(const sf_logs_report *r);
const sf_logs_cause *sf_logs_report_cause(const sf_logs_report *r, size_t i);
/* Distinct SIP domains the fixes name (for --verify), in first-seen order. */
size_t sf_logs_report_n_domains(const sf_logs_report *r);
const char *sf_logs_report_domain(const sf_logs_report *r, size_t i);

/* Writers.  JSON: {"version":1,"events":[E...],"summary":{...}} (SPEC §3). */
char *sf_out_json_logs(const sf_logs_report *r);
int sf_out_text_logs(FILE *fp, const sf_logs_report *r, int color);

/*
 * Pieces of the JSON document, for streaming and JSON lines: one event E,
 * and the summary object {"files":n,"events":n,"causes":[...]}.  Compact,
 * no newline, malloc'd; NULL on out-of-memory.
 */
char *sf_out_json_log_event(const sf_log_event *ev);
char *sf_out_json_logs_summary(const sf_logs_report *r);

/* Text with options: SF_OUT_LOGS_EVENTS lists the events of each cause, one a line. */
#define SF_OUT_LOGS_EVENTS 0x1u
int sf_out_text_logs_ex(FILE *fp, const sf_logs_report *r, int color, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif
