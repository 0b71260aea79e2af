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

/* "sha256:AB:CD..." or 64 hex digits (colons allowed) into "sha256:abcd..."; -1 if not one. */
static int fingerprint(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (strncasecmp(s, "sha256:", 7) == 0)
		s += 7;
	if (outlen < 7 + 64 + 1)
		return -1;
	memcpy(out, "sha256:", 7);
	for (; *s; s++) {
		if (*s == ':')
			continue;
		if (!is_hex(*s) || n == 64)
			return -1;
		out[7 + n++] = (char)(*s >= 'A' && *s <= 'F' ? *s - 'A' + 'a' : *s);
	}
	if (n != 64)
		return -1;
	out[7 + n] = '\0';
	return 0;
}

/*
 * Reads one data file: every line, '#' comments and blank lines skipped,
 * leading and trailing blanks trimmed, handed to @entry which pushes what it
 * accepts onto @out and returns NULL, or returns why the line is bad.
 */
static sf_status read_list(sf_ctx *ctx, const char *path, sf_strv *out,
			   const char *(*entry)(char *line, sf_strv *out))
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
		why = entry(s, out);
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

/* cipher-suites.txt: one or more names of one suite a line (IANA and/or OpenSSL). */
static const char *cipher_entry(char *s, sf_strv *out)
{
	while (*s) {
		char *t = s;
		size_t n = strcspn(s, " \t");

		for (size_t i = 0; i < n; i++)
			if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
			      (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '-'))
				return "expected cipher suite names (letters, digits, '_', '-')";
		s += n;
		if (*s)
			*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (sf_strv_push(out, t))
			return "out of memory";
	}
	return NULL;
}

/* trusted-roots.txt: "sha256:<hex>" (or bare hex), "cn:<subject CN>", "o:<organisation>". */
static const char *root_entry(char *s, sf_strv *out)
{
	char buf[DR_LINE_MAX + 8];

	if (strncasecmp(s, "cn:", 3) == 0 || strncasecmp(s, "o:", 2) == 0) {
		size_t k = s[0] == 'c' || s[0] == 'C' ? 3 : 2;
		char *v = s + k;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			return "empty name";
		snprintf(buf, sizeof(buf), "%s%s", k == 3 ? "cn:" : "o:", v);
		lower(buf);
	} else if (fingerprint(s, buf, sizeof(buf)) < 0) {
		return "expected sha256:<64 hex digits>, cn:<root CA common name> or "
		       "o:<root CA organisation>";
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
	st = read_list(ctx, ctx->dr_ciphers_file, &ctx->dr_ciphers, cipher_entry);
	if (st == SF_OK)
		st = read_list(ctx, ctx->dr_roots_file, &ctx->dr_roots, root_entry);
	if (st != SF_OK)
		sf_strv_release(&ctx->dr_ciphers);
	return st;
}

sf_status sf_check_sbc(sf_ctx *ctx, const char *sbc, sf_result **out_result)
{
	sf_result *r = NULL;
	sf_srv_facts s;
	sf_strv addrs = { 0 };
	sf_dns_rcode rc = SF_DNS_NOERROR;
	char fqdn[256];
	uint16_t port;
	sf_status st = SF_ENOMEM;

	*out_result = NULL;
	memset(&s, 0, sizeof(s));
	if (sf_core_host_port(sbc, SBC_PORT, fqdn, sizeof(fqdn), &port) < 0)
		return sf_ctx_fail(ctx, SF_EINVAL, "invalid SBC '%s': expected FQDN or FQDN:PORT",
				   sbc);
	if (!ctx->dns)
		return sf_ctx_fail(ctx, SF_EINVAL, "no DNS source in this context");
	r = calloc(1, sizeof(*r));
	if (!r || !(r->domain = sf_strdup(fqdn)))
		goto out;
	r->profile = ctx->profile;
	st = sf_collect_addrs(ctx, fqdn, &addrs, &rc, NULL);
	if (st != SF_OK)
		goto out;
	st = SF_ENOMEM;
	if (rc != SF_DNS_NOERROR && rc != SF_DNS_NXDOMAIN) {
		r->verdict = SF_VERDICT_ERROR;
		if (!(r->reason = sf_aprintf("DNS lookup of %s failed: %s", fqdn,
					     sf_dns_rcode_name(rc))))
			goto out;
		st = SF_OK;
		goto done;
	}
	/* The pseudo-record: what the SBC is reached at (see sipfed.h). */
	if (!(r->srv = calloc(1, sizeof(*r->srv))))
		goto out;
	r->n_srv = 1;
	r->srv->port = port;
	if (!(r->srv->target = sf_strdup(fqdn)))
		goto out;
	if (addrs.n && !(r->srv->addresses = calloc(addrs.n, sizeof(char *))))
		goto out;
	for (size_t i = 0; i < addrs.n; i++) {
		if (!(r->srv->addresses[i] = sf_strdup(addrs.v[i])))
			goto out;
		r->srv->n_addresses++;
	}

	st = sf_rules_sbc(&ctx->env, fqdn, rc, addrs.v, addrs.n, &r->findings);
	if (st != SF_OK || !ctx->tls || addrs.n == 0)
		goto settle;
	/* What Microsoft's SIP proxy sees when it connects to FQDN:PORT. */
	s.target = fqdn;
	s.port = port;
	s.addrs = addrs.v;
	s.n_addrs = addrs.n;
	s.tls_checked = 1;
	st = sf_tls_fetch(ctx->tls, fqdn, addrs.v[0], port, &s.tls, ctx->err, sizeof(ctx->err));
	if (st != SF_OK)
		goto out;
	st = sf_rules_tls(&ctx->env, &s, &r->findings);
	if (st == SF_OK && s.tls.state == SF_TLS_OK && s.tls.chain && sk_X509_num(s.tls.chain) > 0)
		st = sf_rules_cert(&ctx->env, s.tls.chain, fqdn, SF_ROLE_SBC, 1, 1, &r->findings,
				   NULL);
settle:
	if (st != SF_OK)
		goto out;
	sf_core_settle(r);
done:
	*out_result = r;
	r = NULL;
out:
	if (st == SF_ENOMEM)
		sf_ctx_fail(ctx, st, "out of memory");
	else if (st != SF_OK && !ctx->err[0])
		sf_ctx_fail(ctx, st, "check of the SBC %s: %s", fqdn, sf_strerror(st));
	sf_tls_facts_release(&s.tls);
	sf_strv_release(&addrs);
	sf_result_free(r);
	return st;
}
