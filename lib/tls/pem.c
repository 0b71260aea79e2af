/*
 * Reading a PEM certificate chain from a file (RFC 7468 textual encoding).
 * Used by the directory TLS source and by `sipfed cert`.  The file is
 * untrusted: it is read whole into a bounded buffer and parsed from memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "tls/tls.h"

/* A chain of a few certificates is a few kilobytes; refuse anything larger. */
#define SF_PEM_MAX_SIZE (1024 * 1024)

/*
 * Reads at most SF_PEM_MAX_SIZE + 1 bytes of @fd into a malloc'd buffer, so
 * that the caller can tell an oversized file from one of the maximum size.
 * Works for pipes too (`sipfed cert <(...)`).  Returns 0, or -1 with errno.
 */
static int read_bounded(int fd, size_t hint, char **out_buf, size_t *out_len)
{
	size_t cap = hint + 1, len = 0;
	char *buf = NULL;
	int rc = -1;

	if (cap < 4096)
		cap = 4096;
	if (cap > (size_t)SF_PEM_MAX_SIZE + 1)
		cap = (size_t)SF_PEM_MAX_SIZE + 1;
	buf = malloc(cap);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap * 2;
			char *nbuf;

			if (cap == (size_t)SF_PEM_MAX_SIZE + 1)
				break; /* the caller sees len > SF_PEM_MAX_SIZE */
			if (ncap > (size_t)SF_PEM_MAX_SIZE + 1)
				ncap = (size_t)SF_PEM_MAX_SIZE + 1;
			nbuf = realloc(buf, ncap);
			if (!nbuf)
				goto out;
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out_buf = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	if (buf) {
		int saved = errno;

		free(buf);
		errno = saved;
	}
	return rc;
}

/*
 * Parses every CERTIFICATE block of @buf in order.  Blocks of other types
 * (a private key kept in the same file) are skipped by OpenSSL.  Returns
 * SF_OK, SF_EPARSE with err set, or SF_ENOMEM.
 */
static sf_status parse_chain(const char *file, const char *buf, size_t len,
			     STACK_OF(X509) **out_chain, char *err, size_t errlen)
{
	STACK_OF(X509) *chain = NULL;
	BIO *bio = NULL;
	sf_status st = SF_ENOMEM;
	int n = 0;

	/* Errors pushed below are ours; the mark lets us drop exactly those. */
	ERR_set_mark();
	chain = sk_X509_new_null();
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!chain || !bio)
		goto out;
	for (;;) {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		unsigned long e;

		if (x) {
			if (!sk_X509_push(chain, x)) {
				X509_free(x);
				goto out;
			}
			n++;
			continue;
		}
		/*
		 * PEM_R_NO_START_LINE: no further "-----BEGIN CERTIFICATE-----"
		 * up to the end of the data.  Anything else means a block was
		 * found but could not be decoded (bad base64, no END line, bad
		 * DER).
		 */
		e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
			if (n > 0)
				break;
			snprintf(err, errlen, "cannot parse '%s': no PEM certificate", file);
		} else if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE) {
			goto out;
		} else {
			snprintf(err, errlen, "cannot parse '%s': damaged certificate %d",
				 file, n + 1);
		}
		st = SF_EPARSE;
		goto out;
	}
	*out_chain = chain;
	chain = NULL;
	st = SF_OK;
out:
	if (st == SF_ENOMEM)
		snprintf(err, errlen, "cannot parse '%s': out of memory", file);
	ERR_pop_to_mark();
	BIO_free(bio);
	sk_X509_pop_free(chain, X509_free);
	return st;
}

/*
 * Contract in tls.h.  *out_chain is set only on SF_OK (leaf first, as in the
 * file); free it with sk_X509_pop_free(chain, X509_free).
 */
sf_status sf_pem_read_chain(const char *file, STACK_OF(X509) **out_chain, char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, hint = 0;
	sf_status st = SF_EIO;
	int fd = -1;

	*out_chain = NULL;
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': %s", file, strerror(EISDIR));
		goto out;
	}
	if (S_ISREG(sb.st_mode)) {
		if (sb.st_size > SF_PEM_MAX_SIZE) {
			snprintf(err, errlen, "cannot parse '%s': too large (over %d bytes)",
				 file, SF_PEM_MAX_SIZE);
			st = SF_EPARSE;
			goto out;
		}
		hint = (size_t)sb.st_size;
	}
	if (read_bounded(fd, hint, &buf, &len) != 0) {
		if (errno == ENOMEM) {
			snprintf(err, errlen, "cannot read '%s': out of memory", file);
			st = SF_ENOMEM;
		} else {
			snprintf(err, errlen, "cannot read '%s': %s", file, strerror(errno));
		}
		goto out;
	}
	/* The file may have grown since fstat(), or be a pipe. */
	if (len > SF_PEM_MAX_SIZE) {
		snprintf(err, errlen, "cannot parse '%s': too large (over %d bytes)",
			 file, SF_PEM_MAX_SIZE);
		st = SF_EPARSE;
		goto out;
	}
	st = parse_chain(file, buf, len, out_chain, err, errlen);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return st;
}
