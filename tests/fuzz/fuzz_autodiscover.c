/*
 * libFuzzer target: sf_http_parse_autodiscover (lib/http/) on an arbitrary
 * body answered with status 200, as the HTTP sources hand it over (at most
 * SF_HTTP_BODY_MAX bytes, no terminating NUL relied on: the copy is exactly
 * the input).  Aborts when an invariant of http.h does not hold: doc_ok iff
 * links and no doc_error; at most SF_HTTP_LINKS_MAX links, each with a
 * non-empty name and href; the release leaves nothing behind.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_http_answer a = { .state = SF_HTTP_ANSWERED, .status = 200 };
	size_t n = size > SF_HTTP_BODY_MAX ? SF_HTTP_BODY_MAX : size;

	a.body = malloc(n ? n : 1);
	if (!a.body)
		return 0;
	memcpy(a.body, data, n);
	a.body_len = n;
	a.truncated = size > SF_HTTP_BODY_MAX;
	if (sf_http_parse_autodiscover(&a) != SF_OK) {
		sf_http_answer_release(&a);
		return 0;
	}
	CHECK(a.doc_ok == (a.n_links > 0));
	CHECK(a.doc_ok == (a.doc_error == NULL));
	CHECK(a.n_links <= SF_HTTP_LINKS_MAX);
	for (size_t i = 0; i < a.n_links; i++)
		CHECK(a.links[i].name && a.links[i].name[0] && a.links[i].href &&
		      a.links[i].href[0]);
	sf_http_answer_release(&a);
	CHECK(a.body == NULL && a.links == NULL && a.n_links == 0 && a.doc_error == NULL);
	return 0;
}
