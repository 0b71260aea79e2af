/*
 * What both HTTP sources share: the lifecycle of an answer, and the reading
 * of the autodiscover document a Lync web service answers (MS-OCDISCWS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http.h"
#include "util/util.h"

/* Longest link name and href taken from a document; longer ones are skipped. */
#define LINK_NAME_MAX 64
#define LINK_HREF_MAX 2048

void sf_http_answer_release(sf_http_answer *a)
{
	if (!a)
		return;
	free(a->error);
	free(a->content_type);
	free(a->body);
	free(a->doc_error);
	for (size_t i = 0; i < a->n_links; i++) {
		free(a->links[i].name);
		free(a->links[i].href);
	}
	free(a->links);
	memset(a, 0, sizeof(*a));
}

/* Appends one link (copies); 0, 1 if skipped (too long, list full), -1 on OOM. */
static int add_link(sf_http_answer *a, const char *name, const char *href)
{
	size_t nl = strlen(name), hl = strlen(href);
	sf_link *l;

	if (nl == 0 || nl > LINK_NAME_MAX || hl == 0 || hl > LINK_HREF_MAX ||
	    a->n_links >= SF_HTTP_LINKS_MAX)
		return 1;
	if (!a->links) {
		a->links = calloc(SF_HTTP_LINKS_MAX, sizeof(*a->links));
		if (!a->links)
			return -1;
	}
	l = &a->links[a->n_links];
	l->name = sf_strdup(name);
	l->href = sf_strdup(href);
	if (!l->name || !l->href) {
		free(l->name);
		free(l->href);
		l->name = l->href = NULL;
		return -1;
	}
	a->n_links++;
	return 0;
}

/* UCWA shape: {"_links":{"<rel>":{"href":"..."},...}}, in document order. */
static int links_ucwa(sf_http_answer *a, json_t *links)
{
	const char *key;
	json_t *val;

	json_object_foreach(links, key, val) {
		json_t *href = json_object_get(val, "href");

		if (!json_is_object(val) || !json_is_string(href))
			continue;
		if (add_link(a, key, json_string_value(href)) < 0)
			return -1;
	}
	return 0;
}

/* MS-OCDISCWS shape: {"Root":{"Links":[{"token":"User","href":"..."},...]}}. */
static int links_root(sf_http_answer *a, json_t *arr)
{
	size_t i;
	json_t *val;

	json_array_foreach(arr, i, val) {
		json_t *token = json_object_get(val, "token");
		json_t *href = json_object_get(val, "href");

		if (!json_is_string(token) || !json_is_string(href))
			continue;
		if (add_link(a, json_string_value(token), json_string_value(href)) < 0)
			return -1;
	}
	return 0;
}

static sf_status doc_fail(sf_http_answer *a, const char *msg)
{
	a->doc_ok = 0;
	a->doc_error = sf_strdup(msg);
	return a->doc_error ? SF_OK : SF_ENOMEM;
}

/* Contract in http.h. */
sf_status sf_http_parse_autodiscover(sf_http_answer *a)
{
	json_t *root = NULL, *links, *r;
	json_error_t jerr;
	char msg[256];
	sf_status st = SF_OK;

	a->doc_ok = 0;
	if (a->state != SF_HTTP_ANSWERED)
		return SF_OK;
	if (a->status != 200) {
		snprintf(msg, sizeof(msg), "answered with status %ld, not 200", a->status);
		return doc_fail(a, msg);
	}
	if (a->truncated)
		return doc_fail(a, "the answer is longer than 64 KiB: not an autodiscover document");
	if (!a->body || a->body_len == 0)
		return doc_fail(a, "answered 200 with an empty body");
	root = json_loadb(a->body, a->body_len, 0, &jerr);
	if (!root) {
		snprintf(msg, sizeof(msg), "answered 200, but the body is not JSON (%.120s, "
			 "line %d)", jerr.text, jerr.line);
		return doc_fail(a, msg);
	}
	if (!json_is_object(root)) {
		st = doc_fail(a, "answered 200, but the JSON body is not an object");
		goto out;
	}
	links = json_object_get(root, "_links");
	r = json_object_get(root, "Root");
	if (json_is_object(links) && links_ucwa(a, links) < 0) {
		st = SF_ENOMEM;
		goto out;
	}
	if (a->n_links == 0 && json_is_object(r) && json_is_array(json_object_get(r, "Links")) &&
	    links_root(a, json_object_get(r, "Links")) < 0) {
		st = SF_ENOMEM;
		goto out;
	}
	if (a->n_links == 0) {
		st = doc_fail(a, "answered 200, but the JSON document has no links (neither "
			      "\"_links\" nor \"Root\".\"Links\"): not an autodiscover answer");
		goto out;
	}
	a->doc_ok = 1;
out:
	json_decref(root);
	return st;
}
