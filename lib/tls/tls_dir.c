/*
 * Offline TLS source (`--certs DIR`, SPEC §5): the chain a host presents is
 * the PEM file DIR/<host>.pem, leaf first.  Nothing is observed beyond the
 * chain: no version, no second chain without SNI, no client certificate
 * request; the rules see that through the *_observed flags.
 *
 * The host name comes from DNS (an SRV target) and is untrusted: it is only
 * used as a file name when it cannot leave DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tls/tls.h"

/* RFC 1035 §3.1: a name in text form without the trailing dot. */
#define SF_DIR_HOST_MAX 253

typedef struct sf_tls_dir {
	sf_tls_source base;
	char *dir;
} sf_tls_dir;

/* Sets out to state with a malloc'd copy of msg.  Returns SF_OK or SF_ENOMEM. */
static sf_status set_state(sf_tls_facts *out, sf_tls_state state, const char *msg)
{
	out->state = state;
	out->error = strdup(msg);
	return out->error ? SF_OK : SF_ENOMEM;
}

/*
 * Lowercases @host into @buf (ASCII only; the locale plays no part).
 * Returns 0, or -1 if the name could escape the directory or name a hidden
 * file: empty, too long, containing '/', or starting with '.' (which also
 * covers "." and "..").
 */
static int lab_name(const char *host, char *buf, size_t buflen)
{
	size_t i, len = strlen(host);

	if (len == 0 || len > SF_DIR_HOST_MAX || len >= buflen || host[0] == '.')
		return -1;
	for (i = 0; i < len; i++) {
		char c = host[i];

		if (c == '/')
			return -1;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf[i] = c;
	}
	buf[len] = '\0';
	return 0;
}

/* Contract in tls.h (struct sf_tls_ops); @addr and @port are not used. */
static sf_status dir_fetch(sf_tls_source *src, const char *host, const char *addr,
			   uint16_t port, sf_tls_facts *out, char *err, size_t errlen)
{
	const sf_tls_dir *d = (const sf_tls_dir *)src;
	char name[SF_DIR_HOST_MAX + 1];
	char *path = NULL, *msg = NULL;
	const char *sep;
	struct stat sb;
	size_t len;
	sf_status st = SF_ENOMEM;
	int n;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	if (!host) {
		snprintf(err, errlen, "no host name given");
		st = SF_EINVAL;
		goto out;
	}
	if (lab_name(host, name, sizeof(name)) != 0) {
		/* Bad data from DNS is a fact about the peer, not our failure. */
		len = strlen(host) + 100;
		msg = malloc(len);
		if (!msg)
			goto out;
		snprintf(msg, len, "no chain for '%s' in the lab: not usable as a file name",
			 host);
		st = set_state(out, SF_TLS_NO_CHAIN, msg);
		goto out;
	}

	/* "DIR/x.pem", or "DIR" + "x.pem" when DIR already ends with '/'. */
	len = strlen(d->dir);
	sep = (len > 0 && d->dir[len - 1] == '/') ? "" : "/";
	len += strlen(name) + sizeof("/.pem");
	path = malloc(len);
	if (!path)
		goto out;
	n = snprintf(path, len, "%s%s%s.pem", d->dir, sep, name);
	if (n < 0 || (size_t)n >= len) {
		st = SF_EINTERNAL;
		snprintf(err, errlen, "cannot build the lab file name for '%s'", name);
		goto out;
	}

	if (stat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
		len = strlen(name) + strlen(path) + 64;
		msg = malloc(len);
		if (!msg)
			goto out;
		snprintf(msg, len, "no chain for %s in the lab (expected %s)", name, path);
		st = set_state(out, SF_TLS_NO_CHAIN, msg);
		goto out;
	}
	/* Any other failure (permission, a directory) is reported by the reader. */
	st = sf_pem_read_chain(path, &out->chain, err, errlen);
	if (st != SF_OK)
		goto out;
	out->state = SF_TLS_OK;
out:
	if (st != SF_OK) {
		sf_tls_facts_release(out);
		if (st == SF_ENOMEM && errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "out of memory");
	}
	free(path);
	free(msg);
	return st;
}

static void dir_free(sf_tls_source *src)
{
	sf_tls_dir *d = (sf_tls_dir *)src;

	if (!d)
		return;
	free(d->dir);
	free(d);
}

static const struct sf_tls_ops dir_ops = {
	.fetch = dir_fetch,
	.free = dir_free,
};

/*
 * Contract in tls.h.  Checks once that @dir can be listed (opendir), so that
 * a mistyped --certs fails at start-up and not as "no chain" for every host.
 */
sf_status sf_tls_dir_new(const char *dir, sf_tls_source **out_src, char *err, size_t errlen)
{
	sf_tls_dir *d = NULL;
	sf_status st = SF_ENOMEM;
	DIR *dp;

	*out_src = NULL;
	dp = opendir(dir);
	if (!dp) {
		snprintf(err, errlen, "cannot read directory '%s': %s", dir, strerror(errno));
		st = SF_EIO;
		goto out;
	}
	closedir(dp);
	d = calloc(1, sizeof(*d));
	if (!d || !(d->dir = strdup(dir))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	d->base.ops = &dir_ops;
	*out_src = &d->base;
	d = NULL;
	st = SF_OK;
out:
	dir_free(d ? &d->base : NULL);
	return st;
}
