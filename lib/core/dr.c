/*
 * Teams Direct Routing (the dr profile): the data files Microsoft's changes
 * are tracked in (data/dr/cipher-suites.txt, data/dr/trusted-roots.txt), and
 * the check of an SBC by its FQDN: DR-001, then the TLS and certificate
 * rules on what FQDN:PORT presents, through the same sources as a domain.
 *
 * Where the data directory is: the caller's (--data-dir), else
 * $SIPFED_DATADIR, else the directories compiled in by meson: SF_DATADIR
 * (<prefix>/<datadir>/sipfed, where `ninja install` puts data/) and then
 * SF_SRC_DATADIR (the source tree's data/, for a build that is run without
 * being installed).
 */
#include <errno.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"
#include "util/util.h"

#ifndef SF_DATADIR
#define SF_DATADIR "/usr/local/share/sipfed"
#endif

#define DR_CIPHERS "dr/cipher-suites.txt"
#define DR_ROOTS "dr/trusted-roots.txt"
#define DR_LINE_MAX 1024
#define DR_WHY_MAX (DR_LINE_MAX + 256) /* the message about a bad line, quoting it */
#define DR_ENTRIES_MAX 10000
#define SBC_PORT 5061 /* Direct Routing SIP/TLS (Microsoft Learn, "Plan Direct Routing") */

void sf_dr_data_release(sf_ctx *ctx)
{
	sf_strv_release(&ctx->dr_ciphers);
	sf_strv_release(&ctx->dr_roots);
	free(ctx->dr_ciphers_file);
	free(ctx->dr_roots_file);
	ctx->dr_ciphers_file = ctx->dr_roots_file = NULL;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ASCII lowercase in place (names compare case-insensitively; other bytes as they are). */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/*
 * A SHA-256 fingerprint after "sha256:" (or bare): 64 hex digits, either
 * run together or as 32 pairs separated by single colons (as `openssl x509
 * -fingerprint` writes it), into "sha256:abcd...".  Returns 0, or -1 if
 * @s is not one.
 */
static int fingerprint(const char *s, char *out, size_t outlen)
{
	size_t n = 0, colons = 0;
	int bad = 0;

	if (strncasecmp(s, "sha256:", 7) == 0)
		s += 7;
	if (outlen < 7 + 64 + 1)
		return -1;
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == ':') {
			/* only between two pairs: "ab:cd", never "a:bc", "ab::cd" or at an end */
			colons++;
			if (n == 0 || n % 2 || !is_hex(s[i + 1]) || s[i + 1] == ':')
				bad = 1;
			continue;
		}
		if (!is_hex(s[i])) {
			bad = 1;
			continue;
		}
		if (n < 64)
			out[7 + n] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
		n++;
	}
	if (bad || n != 64 || (colons != 0 && colons != 31))
		return -1;
	out[7 + n] = '\0';
	return 0;
}

/*
 * Reads one data file: every line, '#' comments and blank lines skipped,
 * leading and trailing blanks trimmed, handed to @entry (with @arg) which
 * pushes what it accepts onto @out and returns NULL, or returns why the line
 * is bad (naming the bad entry); the error is "FILE line N: why".
 */
static sf_status read_list(sf_ctx *ctx, const char *path, sf_strv *out,
			   const char *(*entry)(char *line, sf_strv *out, void *arg), void *arg)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	sf_status st = SF_OK;

	if (!fp)
		return sf_ctx_fail(ctx, SF_EIO, "cannot read '%s': %s", path, strerror(errno));
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *s = line, *e;
		const char *why;

		lineno++;
		if ((size_t)len > DR_LINE_MAX || memchr(line, '\0', (size_t)len)) {
			st = sf_ctx_fail(ctx, SF_EPARSE, "%s line %zu: line too long or NUL byte",
					 path, lineno);
			goto out;
		}
		s[strcspn(s, "#\r\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s)
			continue;
		if (out->n >= DR_ENTRIES_MAX) {
			st = sf_ctx_fail(ctx, SF_EPARSE, "%s line %zu: more than %d entries", path,
					 lineno, DR_ENTRIES_MAX);
			goto out;
		}
		why = entry(s, out, arg);
		if (why) {
			st = sf_ctx_fail(ctx, strcmp(why, "out of memory") ? SF_EPARSE : SF_ENOMEM,
					 "%s line %zu: %s", path, lineno, why);
			goto out;
		}
	}
	if (ferror(fp)) {
		st = sf_ctx_fail(ctx, SF_EIO, "cannot read '%s': %s", path, strerror(EIO));
		goto out;
	}
	if (out->n == 0)
		st = sf_ctx_fail(ctx, SF_EPARSE, "%s: no entry", path);
out:
	free(line);
	fclose(fp);
	return st;
}

/*
 * What cipher-suites.txt is checked against: the cipher suites this
 * OpenSSL knows.  OPENSSL_cipher_name() maps an IANA (RFC) name to the
 * OpenSSL name and returns "(NONE)" for an unknown one (SSL_CIPHER_get_name(3);
 * checked with OpenSSL 3.0.19: case matters, RC4 suites are compiled out);
 * an OpenSSL name is looked up among the suites SSL_CIPHER_find() returns
 * for the 2-byte TLS values, from the same tables.  The catalogue is built
 * on the first OpenSSL name of a file (about 170 suites).
 */
typedef struct dr_suites {
	const SSL_CIPHER **v; /* the pointers are libssl's (static) */
	size_t n, cap;
	int built;
	char why[DR_WHY_MAX]; /* the message about a bad line */
} dr_suites;

static int dr_suites_build(dr_suites *k)
{
	SSL_CTX *c = SSL_CTX_new(TLS_method());
	SSL *ssl = c ? SSL_new(c) : NULL;
	int rc = -1;

	if (!ssl)
		goto out;
	for (unsigned id = 0; id <= 0xffff; id++) {
		unsigned char b[2] = { (unsigned char)(id >> 8), (unsigned char)(id & 0xff) };
		const SSL_CIPHER *ci = SSL_CIPHER_find(ssl, b);

		if (!ci)
			continue;
		if (k->n == k->cap) {
			size_t cap = k->cap ? 2 * k->cap : 256;
			const SSL_CIPHER **v = realloc(k->v, cap * sizeof(*v));

			if (!v)
				goto out;
			k->v = v;
			k->cap = cap;
		}
		k->v[k->n++] = ci;
	}
	k->built = 1;
	rc = 0;
out:
	SSL_free(ssl);
	SSL_CTX_free(c);
	return rc;
}

/*
 * The OpenSSL name of the suite @name (uppercase) stands for: @name itself
 * if OpenSSL knows it by that name, the mapping of an IANA name, or NULL.
 * -1 on out-of-memory.
 */
static int suite_name(dr_suites *k, const char *name, const char **out)
{
	const char *o = OPENSSL_cipher_name(name);

	*out = NULL;
	if (o && strcmp(o, "(NONE)") != 0) {
		*out = o;
		return 0;
	}
	if (!k->built && dr_suites_build(k) < 0)
		return -1;
	for (size_t i = 0; i < k->n; i++) {
		const char *n = SSL_CIPHER_get_name(k->v[i]);

		if (n && strcmp(n, name) == 0) {
			*out = n;
			break;
		}
	}
	return 0;
}

/*
 * cipher-suites.txt: one suite a line, by its IANA name, its OpenSSL name or
 * both (in any order; ASCII case does not matter).  Each name must be one
 * OpenSSL knows as a TLS cipher suite (not a signalling value such as
 * TLS_FALLBACK_SCSV); two names must be the same suite.  What is pushed is
 * the names as written (sf_rules_dr_cipher_ok compares either).
 */
static const char *cipher_entry(char *s, sf_strv *out, void *arg)
{
	dr_suites *k = arg;
	char *tok[3], up[2][DR_LINE_MAX + 1];
	const char *suite[2];
	size_t n = 0;

	while (*s) {
		char *t = s;
		size_t len = strcspn(s, " \t");

		for (size_t i = 0; i < len; i++)
			if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
			      (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '-'))
				return "expected cipher suite names (letters, digits, '_', '-')";
		s += len;
		if (*s)
			*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (n < SF_ARRAY_LEN(tok))
			tok[n] = t;
		n++;
	}
	if (n > 2) {
		snprintf(k->why, sizeof(k->why), "%zu names on one line ('%s', '%s', '%s'%s): "
			 "write one cipher suite a line, by its IANA name and/or its OpenSSL name",
			 n, tok[0], tok[1], tok[2], n > 3 ? ", ..." : "");
		return k->why;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(tok[i]);

		for (size_t j = 0; j <= len; j++)
			up[i][j] = (char)(tok[i][j] >= 'a' && tok[i][j] <= 'z' ? tok[i][j] - 'a' + 'A'
									: tok[i][j]);
		if (len > 5 && strcmp(up[i] + len - 5, "_SCSV") == 0) {
			snprintf(k->why, sizeof(k->why), "'%s' is a signalling value, not a cipher "
				 "suite", tok[i]);
			return k->why;
		}
		if (suite_name(k, up[i], &suite[i]) < 0)
			return "out of memory";
		if (!suite[i]) {
			snprintf(k->why, sizeof(k->why), "unknown cipher suite '%s': neither an "
				 "IANA nor an OpenSSL name of a TLS cipher suite", tok[i]);
			return k->why;
		}
	}
	if (n == 2 && strcmp(suite[0], suite[1]) != 0) {
		snprintf(k->why, sizeof(k->why), "'%s' and '%s' are two cipher suites (OpenSSL "
			 "names %s and %s): write one suite a line", tok[0], tok[1], suite[0],
			 suite[1]);
		return k->why;
	}
	for (size_t i = 0; i < n; i++)
		if (sf_strv_push(out, tok[i]))
			return "out of memory";
	return NULL;
}

/* Another entry written on the same line: " cn:", " o:", " sha256:" after a blank. */
static int second_entry(const char *v)
{
	static const char *const keys[] = { "cn:", "o:", "sha256:" };

	for (const char *p = v; *p; p++) {
		if (*p != ' ' && *p != '\t')
			continue;
		for (size_t i = 0; i < SF_ARRAY_LEN(keys); i++)
			if (strncasecmp(p + 1, keys[i], strlen(keys[i])) == 0)
				return 1;
	}
	return 0;
}

/*
 * trusted-roots.txt, one entry a line: "sha256:<fingerprint>" (64 hex
 * digits, or 32 colon-separated pairs; the bare fingerprint is accepted
 * too), "cn:<subject CN>", "o:<organisation>"; the prefix in any case.
 */
static const char *root_entry(char *s, sf_strv *out, void *arg)
{
	char *why = arg; /* DR_WHY_MAX bytes */
	char buf[DR_LINE_MAX + 8];

	if (strncasecmp(s, "cn:", 3) == 0 || strncasecmp(s, "o:", 2) == 0) {
		size_t k = s[0] == 'c' || s[0] == 'C' ? 3 : 2;
		char *v = s + k;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v) {
			snprintf(why, DR_WHY_MAX, "empty name after '%.*s'", (int)k, s);
			return why;
		}
		for (const char *p = v; *p; p++) {
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				snprintf(why, DR_WHY_MAX, "control character in '%s'", s);
				return why;
			}
		}
		if (second_entry(v)) {
			snprintf(why, DR_WHY_MAX, "two entries on one line ('%s'): write one "
				 "entry a line", s);
			return why;
		}
		snprintf(buf, sizeof(buf), "%s%s", k == 3 ? "cn:" : "o:", v);
		lower(buf);
	} else if (fingerprint(s, buf, sizeof(buf)) < 0) {
		const char *hex = strncasecmp(s, "sha256:", 7) == 0 ? s + 7 : s;

		/* Both start "expected sha256:" (pinned by tests/integration/fed.py, dr-data-bad). */
		if (hex != s || strspn(hex, "0123456789abcdefABCDEF:") == strlen(hex))
			snprintf(why, DR_WHY_MAX, "expected sha256:<64 hex digits, or 32 pairs "
				 "separated by ':'>, not '%s'", s);
		else
			snprintf(why, DR_WHY_MAX, "expected sha256:<64 hex digits>, cn:<root CA "
				 "common name> or o:<root CA organisation>, not '%s'", s);
		return why;
	}
	return sf_strv_push(out, buf) ? "out of memory" : NULL;
}

static int has_dr_data(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/" DR_CIPHERS, dir);
	return access(path, R_OK) == 0;
}

sf_status sf_dr_data_load(sf_ctx *ctx, const char *data_dir)
{
	static const char *const builtin[] = {
		SF_DATADIR,
#ifdef SF_SRC_DATADIR
		SF_SRC_DATADIR,
#endif
	};
	const char *env = getenv("SIPFED_DATADIR");
	const char *dir = data_dir && *data_dir ? data_dir : env && *env ? env : NULL;
	dr_suites suites = { 0 };
	char why[DR_WHY_MAX];
	sf_status st;

	sf_dr_data_release(ctx);
	if (!dir) {
		for (size_t i = 0; i < SF_ARRAY_LEN(builtin) && !dir; i++)
			if (has_dr_data(builtin[i]))
				dir = builtin[i];
		if (!dir) {
			size_t last = SF_ARRAY_LEN(builtin) - 1;

			return sf_ctx_fail(ctx, SF_EIO, "cannot find the Direct Routing data "
					   "files (" DR_CIPHERS ") in %s%s%s: give the data "
					   "directory with --data-dir DIR or SIPFED_DATADIR",
					   builtin[0], last ? " or " : "", last ? builtin[last] : "");
		}
	}
	ctx->dr_ciphers_file = sf_aprintf("%s/" DR_CIPHERS, dir);
	ctx->dr_roots_file = sf_aprintf("%s/" DR_ROOTS, dir);
	if (!ctx->dr_ciphers_file || !ctx->dr_roots_file)
		return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	st = read_list(ctx, ctx->dr_ciphers_file, &ctx->dr_ciphers, cipher_entry, &suites);
	if (st == SF_OK)
		st = read_list(ctx, ctx->dr_roots_file, &ctx->dr_roots, root_entry, why);
	free(suites.v);
	if (st != SF_OK) {
		sf_strv_release(&ctx->dr_ciphers);
		sf_strv_release(&ctx->dr_roots);
	}
	return st;
}
