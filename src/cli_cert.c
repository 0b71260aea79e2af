/* sipfed cert: lint one certificate chain for a role. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "cli.h"

/* getopt_long values of cert only (clear of cli.h's enum and of check's). */
enum { OPT_PASSWORD_FILE = 2100, OPT_CERT_EXPIRY_DAYS };

#define CERT_FILE_MAX (1024 * 1024)

/* The whole of @path (at most CERT_FILE_MAX bytes) into *out; 0, or -1 (errno, EFBIG). */
static int read_small(const char *path, unsigned char **out, size_t *out_len)
{
	size_t cap = 8192, len = 0;
	unsigned char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 || !buf) {
		int e = errno ? errno : ENOMEM;

		if (fd >= 0)
			close(fd);
		free(buf);
		errno = e;
		return -1;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			unsigned char *nb;

			if (cap > CERT_FILE_MAX) {
				close(fd);
				free(buf);
				errno = EFBIG;
				return -1;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				close(fd);
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*out = buf;
	*out_len = len;
	return 0;
}

/* The password of --password-file: its first line, without the line end. */
static char *read_password(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char *pw;

	if (read_small(path, &buf, &len) < 0) {
		cli_error("cannot read '%s' (--password-file): %s", path, strerror(errno));
		return NULL;
	}
	pw = malloc(len + 1);
	if (!pw) {
		free(buf);
		cli_error("out of memory");
		return NULL;
	}
	memcpy(pw, buf, len);
	pw[len] = '\0';
	pw[strcspn(pw, "\r\n")] = '\0';
	free(buf);
	return pw;
}

/*
 * The certificate file as admins have it: PEM (passed to the library as it
 * is), DER (a Windows ".cer" export: one certificate) or PKCS#12 (".pfx":
 * the certificate, its CA certificates; the private key is not used).  A DER
 * or PKCS#12 file is converted to a PEM chain in a temporary file, whose
 * path *out_tmp receives (the caller unlinks it).  *out_kind says what was
 * read.  Returns 0, 1 when the file is none of DER / PKCS#12 (the library's
 * PEM reader then says what is wrong), or -1 after an error message.
 */
static int cert_input(const char *file, const char *password_file, char **out_tmp,
		      const char **out_kind, int *out_n)
{
	unsigned char *buf = NULL;
	const unsigned char *p;
	size_t len = 0;
	STACK_OF(X509) *chain = NULL;
	X509 *x = NULL;
	PKCS12 *p12 = NULL;
	EVP_PKEY *key = NULL;
	STACK_OF(X509) *ca = NULL;
	char *pw = NULL, tmpl[4096];
	const char *tmpdir = getenv("TMPDIR");
	FILE *fp = NULL;
	int rc = 1, fd = -1;

	*out_tmp = NULL;
	*out_kind = "PEM";
	*out_n = 0;
	if (read_small(file, &buf, &len) < 0)
		return 1; /* the library reports the file */
	if (len == 0 || memmem(buf, len, "-----BEGIN", 10)) {
		free(buf);
		return 1;
	}
	ERR_set_mark();
	chain = sk_X509_new_null();
	if (!chain)
		goto nomem;
	p = buf;
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p == buf + len) {
		if (!sk_X509_push(chain, x))
			goto nomem;
		x = NULL;
		*out_kind = "DER";
	} else {
		X509_free(x);
		x = NULL;
		p = buf;
		p12 = d2i_PKCS12(NULL, &p, (long)len);
		if (!p12) {
			rc = 1;
			goto out;
		}
		*out_kind = "PKCS#12";
		if (password_file && !(pw = read_password(password_file))) {
			rc = -1;
			goto out;
		}
		if (!PKCS12_parse(p12, pw ? pw : "", &key, &x, &ca) &&
		    (pw || !PKCS12_parse(p12, NULL, &key, &x, &ca))) {
			cli_error("cannot read '%s': a PKCS#12 file %s (give its password with "
				  "--password-file FILE, or export the certificate as PEM: openssl "
				  "pkcs12 -in FILE -nokeys -out cert.pem)", file,
				  pw ? "whose password is not the one of --password-file"
				     : "protected by a password");
			rc = -1;
			goto out;
		}
		if (!x) {
			cli_error("cannot read '%s': the PKCS#12 file holds no certificate with a "
				  "private key (no leaf)", file);
			rc = -1;
			goto out;
		}
		if (!sk_X509_push(chain, x))
			goto nomem;
		x = NULL;
		while (ca && sk_X509_num(ca) > 0) {
			X509 *c = sk_X509_shift(ca);

			if (!sk_X509_push(chain, c)) {
				X509_free(c);
				goto nomem;
			}
		}
	}
	snprintf(tmpl, sizeof(tmpl), "%s/sipfed-cert-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(tmpl);
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		cli_error("cannot convert '%s' to PEM: cannot create a temporary file in %s: %s",
			  file, tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		rc = -1;
		goto out;
	}
	{
		int bad = 0;

		for (int i = 0; i < sk_X509_num(chain); i++)
			if (!PEM_write_X509(fp, sk_X509_value(chain, i)))
				bad = 1;
		if (bad)
			errno = EIO;
		if (fclose(fp) != 0)
			bad = 1;
		if (!bad)
			goto written;
	}
	{
		cli_error("cannot convert '%s' to PEM: %s", file, strerror(errno ? errno : EIO));
		unlink(tmpl);
		rc = -1;
		goto out;
	}
written:
	*out_n = sk_X509_num(chain);
	*out_tmp = strdup(tmpl);
	if (!*out_tmp) {
		unlink(tmpl);
		goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	cli_error("out of memory");
	rc = -1;
out:
	ERR_pop_to_mark();
	if (pw) {
		OPENSSL_cleanse(pw, strlen(pw));
		free(pw);
	}
	EVP_PKEY_free(key);
	X509_free(x);
	sk_X509_pop_free(ca, X509_free);
	sk_X509_pop_free(chain, X509_free);
	PKCS12_free(p12);
	free(buf);
	return rc;
}

void cli_usage_cert(FILE *fp)
{
	fputs("usage: sipfed cert [OPTIONS] FILE\n"
	      "\n"
	      "Lints the certificate chain in FILE (leaf first) with the certificate rules\n"
	      "CERT-001..012.  FILE is PEM (a chain), DER (one certificate, the Windows .cer\n"
	      "export) or PKCS#12 (.pfx/.p12: the certificate and its CA certificates; the\n"
	      "private key is not used); a note on stderr says which was read.\n"
	      "\n"
	      "  --name FQDN            the name a peer expects (the SRV target): CERT-001/002\n"
	      "                         (with --role um: the Exchange UM server's FQDN, UM-001)\n"
	      "  --chain FILE           untrusted intermediates, PEM\n"
	      "  --role R               edge (default), um (needs --name), web or sbc (any case)\n"
	      "  --password-file FILE   the password of a PKCS#12 FILE (its first line)\n"
	      "  --expiry-days N        CERT-004 warns within N days of expiry (default 30)\n"
	      "  --trust FILE           extra trusted roots, PEM (repeatable)\n"
	      "  --no-system-trust      trust only --trust roots\n"
	      "  --at TIME              evaluate validity at this RFC 3339 time\n"
	      "  --profile P            sfb (default), o365 or dr (any case)\n"
	      "  --format F             text (default), json or jsonl; --json = --format json\n"
	      "  --color, --no-color    force colour on or off in text\n",
	      fp);
	fputs(cli_data_dir_usage, fp);
	fputs("\n"
	      "exit status: 0 no error finding, 1 an error finding, 2 usage or operational failure\n",
	      fp);
}

int cli_cert(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "name", required_argument, NULL, OPT_NAME },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "chain", required_argument, NULL, OPT_CHAIN },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "expiry-days", required_argument, NULL, OPT_CERT_EXPIRY_DAYS },
		CLI_DATA_DIR_LONGOPT,
		{ NULL, 0, NULL, 0 },
	};
	cli_common c = { .color = -1, .format = CLI_TEXT };
	sf_ctx *ctx = NULL;
	sf_cert_result *r = NULL;
	const char *name = NULL, *chain = NULL, *password_file = NULL, *kind = "PEM";
	char *tmp = NULL;
	int n_read = 0;
	sf_role role = SF_ROLE_EDGE;
	int opt, status = CLI_EXIT_FAILURE;
	sf_status st;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			cli_usage_cert(stdout);
			status = cli_finish(0);
			goto out;
		}
		if (opt == '?' || opt == ':') {
			cli_bad_option(argv, opt, optopt, "cert");
			goto out;
		}
		switch (opt) {
		case OPT_NAME:
			name = optarg;
			continue;
		case OPT_CHAIN:
			chain = optarg;
			continue;
		case OPT_PASSWORD_FILE:
			password_file = optarg;
			continue;
		case OPT_CERT_EXPIRY_DAYS: {
			char *end;
			long d;

			errno = 0;
			d = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || d < 1 || d > 3650) {
				cli_error("invalid --expiry-days '%s': expected a number of days "
					  "(1..3650)", optarg);
				goto out;
			}
			c.opt.expiry_days = (int)d;
			continue;
		}
		case OPT_ROLE:
			if (sf_role_parse(optarg, &role) < 0) {
				cli_error("invalid --role '%s': expected edge, um, web or sbc", optarg);
				goto out;
			}
			continue;
		case OPT_ZONE:
		case OPT_CERTS:
		case OPT_RESOLVER:
		case OPT_HOSTING:
		case OPT_TIMEOUT:
			/* Named as the option, not argv[optind - 1] (its value when separate). */
			cli_error("option '--%s' does not apply to 'cert': a certificate file is "
				  "linted offline",
				  cli_opt_name(longopts, opt));
			goto out;
		}
		if (cli_common_opt(&c, opt, optarg) < 0)
			goto out;
	}
	if (optind != argc - 1) {
		cli_error(optind == argc ? "no certificate file given (see 'sipfed help cert')"
					 : "one certificate file at a time (see 'sipfed help cert')");
		goto out;
	}
	if (role == SF_ROLE_UM && !name) {
		cli_error("--role um needs --name FQDN (the Exchange UM server's FQDN: UM-001 "
			  "compares the subject CN with it)");
		goto out;
	}
	c.opt.no_network = 1;
	st = sf_ctx_new(&c.opt, &ctx);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (cert_input(argv[optind], password_file, &tmp, &kind, &n_read) < 0)
		goto out;
	if (tmp)
		fprintf(stderr, "sipfed: note: '%s': read as %s (%d certificate%s%s)\n",
			argv[optind], kind, n_read, n_read == 1 ? "" : "s",
			strcmp(kind, "PKCS#12") == 0 ? "; the private key is not used" : "");
	st = sf_cert_lint(ctx, tmp ? tmp : argv[optind], chain, name, role, &r);
	if (st != SF_OK) {
		cli_error("%s", sf_ctx_error(ctx));
		goto out;
	}
	if (tmp) {
		/* the result names the file given, not the converted copy */
		char *f = strdup(argv[optind]);

		if (!f) {
			cli_error("out of memory");
			goto out;
		}
		free(r->file);
		r->file = f;
	}
	if (c.format == CLI_TEXT) {
		sf_out_text_cert(stdout, r, cli_use_color(&c));
	} else {
		char *js = sf_out_json_cert(r);

		if (!js) {
			cli_error("out of memory");
			goto out;
		}
		printf("%s\n", js);
		free(js);
	}
	status = cli_finish(sf_findings_max(&r->findings) == SF_SEV_ERROR ? CLI_EXIT_FINDINGS
									   : CLI_EXIT_OK);
out:
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	sf_cert_result_free(r);
	sf_ctx_free(ctx);
	cli_common_release(&c);
	return status;
}
