/*
 * Shared body of the log reader fuzz targets (fuzz_expressway.c, fuzz_edge.c,
 * fuzz_uccapi.c, fuzz_siptext.c, fuzz_event.c): reads the input as one log
 * type through sf_logs_read_mem(), once with a 64 KiB window and once
 * with a window of a few bytes (every shift and look-ahead boundary), and
 * aborts when an event breaks the contract of sipfed/logs.h: file and
 * source as given, 1 <= line <= number of lines, a known kind, code >= -1,
 * status 0 or 100..699, result codes and HRESULTs "0x" and 8 upper-case hex
 * digits, every string and attribute key and value NUL-terminated; also
 * when the reader reports anything but SF_OK or SF_EPARSE.
 */
#ifndef SF_LOGS_FUZZ_H
#define SF_LOGS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/reader.h"

#define CHECK(c) ((c) ? (void)0 : abort())

typedef struct fuzz_state {
	sf_log_type type;
	uint64_t lines; /* lines of the input (newlines + 1) */
	size_t events;
} fuzz_state;

static void check_hex(const char *s)
{
	size_t i;

	if (!s)
		return;
	CHECK(strlen(s) == 10 && s[0] == '0' && s[1] == 'x');
	for (i = 2; i < 10; i++)
		CHECK((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'));
}

static void check_str(const char *s)
{
	if (s)
		CHECK(strlen(s) < (64u << 20));
}

static int fuzz_emit(void *arg, sf_log_event *ev)
{
	fuzz_state *fs = arg;
	size_t i;

	CHECK(ev && ev->file && strcmp(ev->file, "fuzz") == 0);
	CHECK(ev->source == fs->type);
	CHECK(ev->line >= 1 && ev->line <= fs->lines);
	CHECK(ev->kind >= SF_LOG_MSDIAG && ev->kind <= SF_LOG_EVENT);
	CHECK(ev->code >= -1);
	CHECK(ev->sip_status == 0 || (ev->sip_status >= 100 && ev->sip_status <= 699));
	check_hex(ev->result_code);
	check_hex(ev->hresult);
	check_str(ev->result_name);
	check_str(ev->time);
	check_str(ev->call_id);
	check_str(ev->cseq);
	check_str(ev->from_domain);
	check_str(ev->to_domain);
	check_str(ev->server);
	check_str(ev->reason);
	check_str(ev->start_line);
	CHECK(ev->n_attrs == 0 || ev->attrs);
	for (i = 0; i < ev->n_attrs; i++) {
		CHECK(ev->attrs[i].key && ev->attrs[i].key[0] && ev->attrs[i].value);
		check_str(ev->attrs[i].value);
		CHECK(sf_log_event_attr(ev, ev->attrs[i].key) != NULL);
	}
	CHECK(ev->kind != SF_LOG_MSDIAG || ev->code >= 0);
	CHECK(!ev->rules && !ev->cause && !ev->fix && !ev->linked);
	fs->events++;
	sf_log_event_free(ev);
	return 0;
}

static int fuzz_logs(const uint8_t *data, size_t size, sf_log_type type)
{
	static const sf_logs_opts tiny = { 13, 300, 97, 0, 0 };
	static const sf_logs_opts mid = { 1u << 16, 1u << 16, 1u << 14, 0, 0 };
	fuzz_state fs = { type, 1, 0 };
	char err[256];
	sf_status st;
	size_t i;

	for (i = 0; i < size; i++)
		fs.lines += data[i] == '\n';
	st = sf_logs_read_mem(data, size, type, fuzz_emit, &fs, "fuzz", &mid, NULL, err,
			      sizeof(err));
	CHECK(st == SF_OK || st == SF_EPARSE);
	CHECK(err[0] == '\0' || st != SF_OK);
	st = sf_logs_read_mem(data, size, type, fuzz_emit, &fs, "fuzz", &tiny, NULL, err,
			      sizeof(err));
	CHECK(st == SF_OK || st == SF_EPARSE);
	return 0;
}

#endif
