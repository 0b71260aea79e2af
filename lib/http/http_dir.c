/*
 * Offline HTTP source (`--certs DIR` with `check --client`): what a host
 * answers to the autodiscover request is a file of the lab directory, next
 * to the chains of the TLS directory source (contract in http.h).
 *
 * The host name comes from DNS and is untrusted: it becomes part of a file
 * name only when it cannot leave DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/util.h"

/* RFC 1035 §3.1: a name in text form without the trailing dot. */
#define DIR_HOST_MAX 253

typedef struct sf_http_dir {
	sf_http_source base;
	char *dir;
} sf_http_dir;

/*
 * Lowercases @host into @buf.  Returns 0, or -1 if the name could escape the
 * directory or name a hidden file: empty, too long, holding '/', or starting
 * with '.'.
 */
static int lab_name(const char *host, char *buf, size_t buflen)
{
	size_t len = strlen(host);

	if (len == 0 || len > DIR_HOST_MAX || len >= buflen || host[0] == '.')
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = host[i];

		if (c == '/')
			return -1;
		buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	buf[len] = '\0';
	return 0;
}

static sf_status set_failed(sf_http_answer *a, const char *msg)
{
	a->state = SF_HTTP_FAILED;
	a->error = sf_strdup(msg);
	return a->error ? SF_OK : SF_ENOMEM;
}

/*
 * Reads at most SF_HTTP_BODY_MAX bytes of @path into @a as an answer.
 * Returns SF_OK with a->state set (ANSWERED, or FAILED if the file does not
 * exist), SF_EIO with err set if it exists but cannot be read.
 */
static sf_status read_answer(const char *path, sf_http_answer *a, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	sf_status st = SF_ENOMEM;

	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			return SF_OK; /* the caller tries the next name */
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return SF_EIO;
	}
	buf = malloc(SF_HTTP_BODY_MAX + 1);
	if (!buf)
		goto out;
	n = fread(buf, 1, SF_HTTP_BODY_MAX + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		st = SF_EIO;
		goto out;
	}
	if (n > SF_HTTP_BODY_MAX) {
		a->truncated = 1;
		n = SF_HTTP_BODY_MAX;
	}
	buf[n] = '\0';
	a->content_type = sf_strdup("application/json");
	if (!a->content_type)
		goto out;
	a->state = SF_HTTP_ANSWERED;
	a->status = 200;
	a->body = buf;
	a->body_len = n;
	buf = NULL;
	st = SF_OK;
out:
	free(buf);
	fclose(fp);
	return st;
}

/* One request: the scheme's own file first, then the one for both schemes. */
static sf_status dir_get_one(const sf_http_dir *d, sf_http_request *r, char *err, size_t errlen)
{
	char name[DIR_HOST_MAX + 1], msg[768];
	const char *scheme = r->tls ? "https" : "http";
	char *path = NULL;
	sf_status st = SF_OK;

	sf_http_answer_release(r->out);
	if (!r->host || lab_name(r->host, name, sizeof(name)) != 0) {
		snprintf(msg, sizeof(msg), "no answer in the lab: '%.300s' is not usable as a "
			 "file name", r->host ? r->host : "");
		return set_failed(r->out, msg);
	}
	if (!r->path || strcmp(r->path, SF_HTTP_AUTODISCOVER_PATH) != 0) {
		snprintf(msg, sizeof(msg), "the lab answers only %s", SF_HTTP_AUTODISCOVER_PATH);
		return set_failed(r->out, msg);
	}
	for (int pass = 0; pass < 2 && r->out->state == SF_HTTP_NOT_ASKED; pass++) {
		free(path);
		path = pass == 0 ? sf_aprintf("%s/%s.%s.autodiscover.json", d->dir, name, scheme)
				 : sf_aprintf("%s/%s.autodiscover.json", d->dir, name);
		if (!path)
			return SF_ENOMEM;
		st = read_answer(path, r->out, err, errlen);
		if (st != SF_OK)
			goto out;
	}
	if (r->out->state == SF_HTTP_NOT_ASKED) {
		snprintf(msg, sizeof(msg), "no answer in the lab (no %s.%s.autodiscover.json or "
			 "%s.autodiscover.json)", name, scheme, name);
		st = set_failed(r->out, msg);
	}
out:
	free(path);
	return st;
}

/* Contract in http.h (struct sf_http_ops); addresses and ports play no part. */
static sf_status dir_get(sf_http_source *src, sf_http_request *req, size_t n, char *err,
			 size_t errlen)
{
	const sf_http_dir *d = (const sf_http_dir *)src;

	for (size_t i = 0; i < n; i++) {
		sf_status st = dir_get_one(d, &req[i], err, errlen);

		if (st != SF_OK) {
			if (st == SF_ENOMEM)
				snprintf(err, errlen, "out of memory");
			return st;
		}
	}
	return SF_OK;
}

static void dir_free(sf_http_source *src)
{
	sf_http_dir *d = (sf_http_dir *)src;

	if (!d)
		return;
	free(d->dir);
	free(d);
}

static const struct sf_http_ops dir_ops = {
	.get = dir_get,
	.free = dir_free,
};

/* Contract in http.h. */
sf_status sf_http_dir_new(const char *dir, sf_http_source **out_src, char *err, size_t errlen)
{
	sf_http_dir *d = NULL;
	size_t len;
	DIR *dp;

	*out_src = NULL;
	dp = opendir(dir);
	if (!dp) {
		snprintf(err, errlen, "cannot read directory '%s': %s", dir, strerror(errno));
		return SF_EIO;
	}
	closedir(dp);
	d = calloc(1, sizeof(*d));
	if (!d || !(d->dir = sf_strdup(dir))) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return SF_ENOMEM;
	}
	/* "DIR/" and "DIR" name the same directory. */
	len = strlen(d->dir);
	while (len > 1 && d->dir[len - 1] == '/')
		d->dir[--len] = '\0';
	d->base.ops = &dir_ops;
	*out_src = &d->base;
	return SF_OK;
}
