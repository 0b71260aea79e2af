/*
 * Unit tests of lib/tls: the PEM chain reader, the directory source and the
 * live source.  Keys and certificates (a root, an intermediate, two leaves)
 * are made at test time with the OpenSSL API; the TLS servers are threads
 * of this process on 127.0.0.1, port chosen by the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"

#define LEAF_NAME "vcse.example.test"
#define OTHER_NAME "default.example.test"
#define ROOT_DN "CN=sipfed test root,O=sipfed test"

static char g_tmp[256];
static char g_lab[300];
static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_other;
static X509 *c_root, *c_inter, *c_leaf, *c_other;

/* ---- helpers ---------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A certificate for @cn, signed by @issuer/@ikey (self-signed if NULL). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca,
		       long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	char san[128];

	assert_non_null(x);
	assert_non_null(n);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
			 (const unsigned char *)"sipfed test", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
			 (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n), 1);
	X509_NAME_free(n);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	if (ca) {
		add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		snprintf(san, sizeof(san), "DNS:%s", cn);
		add_ext(x, issuer, NID_subject_alt_name, san);
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
	}
	assert_true(X509_sign(x, issuer ? ikey : key, EVP_sha256()) > 0);
	return x;
}

/* The PEM text of @x, malloc'd. */
static char *pem_of(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *res;
	long n;

	assert_non_null(b);
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	n = BIO_get_mem_data(b, &data);
	assert_true(n > 0);
	res = malloc((size_t)n + 1);
	assert_non_null(res);
	memcpy(res, data, (size_t)n);
	res[n] = '\0';
	BIO_free(b);
	return res;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Writes the PEM of each certificate (NULL-terminated list) to @path. */
static void write_chain(const char *path, ...)
{
	FILE *fp = fopen(path, "wb");
	va_list ap;
	X509 *x;

	assert_non_null(fp);
	va_start(ap, path);
	while ((x = va_arg(ap, X509 *)) != NULL)
		assert_int_equal(PEM_write_X509(fp, x), 1);
	va_end(ap);
	assert_int_equal(fclose(fp), 0);
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", g_tmp, name);

	assert_true(n > 0 && (size_t)n < len);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int count_of(STACK_OF(X509) *sk)
{
	return sk ? sk_X509_num(sk) : -1;
}

static void assert_cert(STACK_OF(X509) *sk, int i, X509 *want)
{
	assert_non_null(sk);
	assert_true(i < sk_X509_num(sk));
	assert_int_equal(X509_cmp(sk_X509_value(sk, i), want), 0);
}

/* ---- fixtures ---------------------------------------------------------- */

static int group_setup(void **state)
{
	static const char bad_pem[] =
		"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
	const char *t = getenv("TMPDIR");
	char path[512];

	snprintf(g_tmp, sizeof(g_tmp), "%s/sipfed-tls-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(g_tmp))
		return -1;
	k_root = EVP_EC_gen("P-256");
	k_inter = EVP_EC_gen("P-256");
	k_leaf = EVP_EC_gen("P-256");
	k_other = EVP_EC_gen("P-256");
	if (!k_root || !k_inter || !k_leaf || !k_other)
		return -1;
	c_root = make_cert("sipfed test root", k_root, NULL, NULL, 1, 1);
	c_inter = make_cert("sipfed test intermediate", k_inter, c_root, k_root, 1, 2);
	c_leaf = make_cert(LEAF_NAME, k_leaf, c_inter, k_inter, 0, 3);
	c_other = make_cert(OTHER_NAME, k_other, c_inter, k_inter, 0, 4);

	tmp_path(path, sizeof(path), "chain.pem");
	write_chain(path, c_leaf, c_inter, c_root, (X509 *)NULL);
	/* Outside the lab: a traversal from the lab would find it. */
	tmp_path(path, sizeof(path), "outside.pem");
	write_chain(path, c_leaf, (X509 *)NULL);

	tmp_path(g_lab, sizeof(g_lab), "lab");
	if (mkdir(g_lab, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.pem", g_lab, LEAF_NAME);
	write_chain(path, c_leaf, c_inter, (X509 *)NULL);
	snprintf(path, sizeof(path), "%s/.hidden.pem", g_lab);
	write_chain(path, c_leaf, (X509 *)NULL);
	snprintf(path, sizeof(path), "%s/bad.example.test.pem", g_lab);
	write_file(path, bad_pem, sizeof(bad_pem) - 1);
	return 0;
}

static int group_teardown(void **state)
{
	if (g_tmp[0])
		nftw(g_tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	X509_free(c_root);
	X509_free(c_inter);
	X509_free(c_leaf);
	X509_free(c_other);
	EVP_PKEY_free(k_root);
	EVP_PKEY_free(k_inter);
	EVP_PKEY_free(k_leaf);
	EVP_PKEY_free(k_other);
	return 0;
}

/* ---- sf_pem_read_chain -------------------------------------------------- */

/* Reads @name (in g_tmp); returns the status, chain in *out (may be NULL). */
static sf_status read_tmp(const char *name, STACK_OF(X509) **out, char *err, size_t errlen)
{
	char path[512];

	tmp_path(path, sizeof(path), name);
	*out = (STACK_OF(X509) *)(uintptr_t)1; /* must be reset on failure */
	return sf_pem_read_chain(path, out, err, errlen);
}

static void expect_parse_error(const char *name, const char *data, size_t len, const char *why)
{
	STACK_OF(X509) *chain;
	char err[512], path[512], want[700];

	tmp_path(path, sizeof(path), name);
	write_file(path, data, len);
	assert_int_equal(read_tmp(name, &chain, err, sizeof(err)), SF_EPARSE);
	assert_null(chain);
	snprintf(want, sizeof(want), "cannot parse '%s': %s", path, why);
	assert_string_equal(err, want);
}

static void test_pem_good_chain(void **state)
{
	STACK_OF(X509) *chain;
	char err[512];

	assert_int_equal(read_tmp("chain.pem", &chain, err, sizeof(err)), SF_OK);
	assert_int_equal(count_of(chain), 3);
	assert_cert(chain, 0, c_leaf);
	assert_cert(chain, 1, c_inter);
	assert_cert(chain, 2, c_root);
	sk_X509_pop_free(chain, X509_free);
}

static void test_pem_empty(void **state)
{
	expect_parse_error("empty.pem", "", 0, "no PEM certificate");
}

static void test_pem_garbage(void **state)
{
	static const char junk[] = "\x00\x01 this is not PEM\n\xff\xfe\n-----BEGIN\n";

	expect_parse_error("garbage.pem", junk, sizeof(junk) - 1, "no PEM certificate");
}

static void test_pem_only_key(void **state)
{
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

	expect_parse_error("key.pem", key, sizeof(key) - 1, "no PEM certificate");
}

/* The second certificate cut in the middle: no END line. */
static void test_pem_truncated(void **state)
{
	char *a = pem_of(c_leaf), *b = pem_of(c_inter);
	size_t la = strlen(a), lb = strlen(b);
	char *buf = malloc(la + lb);

	assert_non_null(buf);
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb / 2);
	expect_parse_error("truncated.pem", buf, la + lb / 2, "damaged certificate 2");
	free(a);
	free(b);
	free(buf);
}

/* Intact PEM framing, bytes of the DER changed: the first one is damaged. */
static void test_pem_bad_der(void **state)
{
	char *a = pem_of(c_leaf);
	char *body = strchr(a, '\n');

	assert_non_null(body);
	/* "MII..." -> "AAA...": a valid base64 that is no certificate. */
	memset(body + 1, 'A', 8);
	expect_parse_error("bad-der.pem", a, strlen(a), "damaged certificate 1");
	free(a);
}

static void test_pem_missing(void **state)
{
	STACK_OF(X509) *chain;
	char err[512], want[700], path[512];

	tmp_path(path, sizeof(path), "missing.pem");
	assert_int_equal(read_tmp("missing.pem", &chain, err, sizeof(err)), SF_EIO);
	assert_null(chain);
	snprintf(want, sizeof(want), "cannot read '%s': No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_pem_directory(void **state)
{
	STACK_OF(X509) *chain;
	char err[512], want[700];

	assert_int_equal(sf_pem_read_chain(g_lab, &chain, err, sizeof(err)), SF_EIO);
	assert_null(chain);
	snprintf(want, sizeof(want), "cannot read '%s': Is a directory", g_lab);
	assert_string_equal(err, want);
}

/* A certificate then filler text: exactly 1 MiB is read, one byte more is not. */
static void test_pem_size_limit(void **state)
{
	const size_t limit = 1024 * 1024;
	STACK_OF(X509) *chain;
	char *a = pem_of(c_leaf);
	size_t la = strlen(a), i;
	char *buf = malloc(limit + 1);
	char err[512];

	assert_non_null(buf);
	memcpy(buf, a, la);
	for (i = la; i < limit + 1; i++)
		buf[i] = (i % 64 == 63) ? '\n' : 'x';
	expect_parse_error("big.pem", buf, limit + 1, "too large (over 1048576 bytes)");

	{
		char path[512];

		tmp_path(path, sizeof(path), "limit.pem");
		write_file(path, buf, limit);
	}
	assert_int_equal(read_tmp("limit.pem", &chain, err, sizeof(err)), SF_OK);
	assert_int_equal(count_of(chain), 1);
	assert_cert(chain, 0, c_leaf);
	sk_X509_pop_free(chain, X509_free);
	free(a);
	free(buf);
}

/* Other PEM blocks (a key kept with the chain) are skipped. */
static void test_pem_skips_other_blocks(void **state)
{
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	STACK_OF(X509) *chain;
	char *a = pem_of(c_leaf), *b = pem_of(c_inter);
	char path[512], err[512];
	FILE *fp;

	tmp_path(path, sizeof(path), "with-key.pem");
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(key, fp);
	fputs(a, fp);
	fputs("some comment between\n", fp);
	fputs(b, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(read_tmp("with-key.pem", &chain, err, sizeof(err)), SF_OK);
	assert_int_equal(count_of(chain), 2);
	assert_cert(chain, 0, c_leaf);
	assert_cert(chain, 1, c_inter);
	sk_X509_pop_free(chain, X509_free);
	free(a);
	free(b);
}

struct fifo_writer {
	char path[512];
	const char *data;
	size_t len;
};

/* Writes the data into the FIFO and closes it; a short write is fine. */
static void *fifo_write(void *arg)
{
	struct fifo_writer *w = arg;
	size_t off = 0;
	int fd = open(w->path, O_WRONLY | O_CLOEXEC);

	while (fd >= 0 && off < w->len) {
		ssize_t n = write(fd, w->data + off, w->len - off);

		if (n <= 0)
			break; /* EPIPE once the reader stopped (SIGPIPE ignored) */
		off += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Reads @data through a FIFO (no size known in advance, as `<(...)`). */
static sf_status read_fifo(const char *data, size_t len, STACK_OF(X509) **out, char *err,
			   size_t errlen)
{
	struct fifo_writer w = { .data = data, .len = len };
	pthread_t th;
	sf_status st;

	tmp_path(w.path, sizeof(w.path), "fifo.pem");
	unlink(w.path);
	assert_int_equal(mkfifo(w.path, 0600), 0);
	assert_int_equal(pthread_create(&th, NULL, fifo_write, &w), 0);
	st = sf_pem_read_chain(w.path, out, err, errlen);
	pthread_join(th, NULL);
	unlink(w.path);
	return st;
}

/* Through a pipe the reader grows its buffer, still up to 1 MiB only. */
static void test_pem_fifo(void **state)
{
	const size_t limit = 1024 * 1024;
	STACK_OF(X509) *chain;
	char *a = pem_of(c_leaf), *b = pem_of(c_inter), *c = pem_of(c_root);
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), i;
	char *buf = malloc(limit + 100);
	char err[512];

	assert_non_null(buf);
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	memcpy(buf + la + lb, c, lc);
	/* Pad the chain over several 4 KiB growth steps. */
	for (i = la + lb + lc; i < 20000; i++)
		buf[i] = (i % 64 == 63) ? '\n' : 'x';
	assert_int_equal(read_fifo(buf, 20000, &chain, err, sizeof(err)), SF_OK);
	assert_int_equal(count_of(chain), 3);
	assert_cert(chain, 0, c_leaf);
	assert_cert(chain, 1, c_inter);
	assert_cert(chain, 2, c_root);
	sk_X509_pop_free(chain, X509_free);

	for (; i < limit + 100; i++)
		buf[i] = (i % 64 == 63) ? '\n' : 'x';
	assert_int_equal(read_fifo(buf, limit + 1, &chain, err, sizeof(err)), SF_EPARSE);
	assert_null(chain);
	assert_non_null(strstr(err, "': too large (over 1048576 bytes)"));
	assert_int_equal(read_fifo(buf, limit, &chain, err, sizeof(err)), SF_OK);
	assert_int_equal(count_of(chain), 3);
	sk_X509_pop_free(chain, X509_free);
	free(a);
	free(b);
	free(c);
	free(buf);
}

/* ---- directory source --------------------------------------------------- */

static void test_dir_new_errors(void **state)
{
	sf_tls_source *src = (sf_tls_source *)(uintptr_t)1;
	char err[512], want[700], path[512];

	tmp_path(path, sizeof(path), "no-such-dir");
	assert_int_equal(sf_tls_dir_new(path, &src, err, sizeof(err)), SF_EIO);
	assert_null(src);
	snprintf(want, sizeof(want), "cannot read directory '%s': No such file or directory",
		 path);
	assert_string_equal(err, want);

	tmp_path(path, sizeof(path), "chain.pem");
	assert_int_equal(sf_tls_dir_new(path, &src, err, sizeof(err)), SF_EIO);
	assert_null(src);
	snprintf(want, sizeof(want), "cannot read directory '%s': Not a directory", path);
	assert_string_equal(err, want);
}

static void test_dir_hit(void **state)
{
	sf_tls_source *src;
	sf_tls_facts f;
	char err[512], dir[400];

	/* Also with a trailing slash and a host name in capitals. */
	snprintf(dir, sizeof(dir), "%s/", g_lab);
	assert_int_equal(sf_tls_dir_new(dir, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_tls_fetch(src, "VCSE.Example.Test", NULL, 5061, &f, err, sizeof(err)),
			 SF_OK);
	assert_int_equal(f.state, SF_TLS_OK);
	assert_null(f.error);
	assert_null(f.version);
	assert_int_equal(count_of(f.chain), 2);
	assert_cert(f.chain, 0, c_leaf);
	assert_cert(f.chain, 1, c_inter);
	assert_int_equal(f.nosni_observed, 0);
	assert_null(f.chain_nosni);
	assert_int_equal(f.client_cert_observed, 0);
	assert_int_equal(f.n_client_ca, 0);
	sf_tls_facts_release(&f);
	assert_null(f.chain);
	sf_tls_source_free(src);
}

static void test_dir_miss(void **state)
{
	sf_tls_source *src;
	sf_tls_facts f;
	char err[512], want[700];

	assert_int_equal(sf_tls_dir_new(g_lab, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_tls_fetch(src, "Nope.example.test", NULL, 5061, &f, err, sizeof(err)),
			 SF_OK);
	assert_int_equal(f.state, SF_TLS_NO_CHAIN);
	snprintf(want, sizeof(want),
		 "no chain for nope.example.test in the lab (expected %s/nope.example.test.pem)",
		 g_lab);
	assert_non_null(f.error);
	assert_string_equal(f.error, want);
	assert_null(f.chain);
	sf_tls_facts_release(&f);
	sf_tls_source_free(src);
}

static void test_dir_malformed(void **state)
{
	sf_tls_source *src;
	sf_tls_facts f;
	char err[512], want[700];

	assert_int_equal(sf_tls_dir_new(g_lab, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_tls_fetch(src, "bad.example.test", NULL, 5061, &f, err, sizeof(err)),
			 SF_EPARSE);
	snprintf(want, sizeof(want),
		 "cannot parse '%s/bad.example.test.pem': damaged certificate 1", g_lab);
	assert_string_equal(err, want);
	assert_null(f.chain);
	assert_null(f.error);
	sf_tls_source_free(src);
}

/* Names from DNS that would leave the lab or pick a hidden file. */
static void test_dir_unsafe_hosts(void **state)
{
	static const char *const bad[] = {
		"../outside", "..", ".", ".hidden", "", "a/b", "/etc/passwd", "lab/../../outside",
	};
	char longname[300];
	sf_tls_source *src;
	sf_tls_facts f;
	char err[512];
	size_t i;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(sf_tls_dir_new(g_lab, &src, err, sizeof(err)), SF_OK);
	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		const char *h = i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : longname;

		assert_int_equal(sf_tls_fetch(src, h, NULL, 5061, &f, err, sizeof(err)), SF_OK);
		assert_int_equal(f.state, SF_TLS_NO_CHAIN);
		assert_null(f.chain);
		assert_non_null(f.error);
		assert_non_null(strstr(f.error, "not usable as a file name"));
		sf_tls_facts_release(&f);
	}
	sf_tls_source_free(src);
}

/* ---- live source: servers in threads of this process --------------------- */

enum srv_mode { SRV_TLS, SRV_SILENT, SRV_NOT_TLS };

struct server {
	enum srv_mode mode;
	SSL_CTX *ctx;     /* the default certificate */
	SSL_CTX *ctx_sni; /* used when the client sends LEAF_NAME as SNI */
	int lfd;
	uint16_t port;
	atomic_int stop;
	pthread_t th;
	int held[8];
	int n_held;
};

/* Switches to ctx_sni when the client names LEAF_NAME (RFC 6066 §3). */
static int servername_cb(SSL *ssl, int *al, void *arg)
{
	struct server *s = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	if (name && s->ctx_sni && strcmp(name, LEAF_NAME) == 0)
		SSL_set_SSL_CTX(ssl, s->ctx_sni);
	return SSL_TLSEXT_ERR_OK;
}

enum { VERIFY_NONE, VERIFY_REQUEST, VERIFY_REQUIRE };

/* A server context presenting @leaf + intermediate, versions up to @max_v. */
static SSL_CTX *server_ctx(X509 *leaf, EVP_PKEY *key, int max_v, int verify)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());

	assert_non_null(c);
	SSL_CTX_set_security_level(c, 0);
	assert_int_equal(SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0"), 1);
	assert_int_equal(SSL_CTX_set_min_proto_version(c, TLS1_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(c, max_v), 1);
	assert_int_equal(SSL_CTX_use_certificate(c, leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(c, key), 1);
	assert_int_equal(SSL_CTX_add1_chain_cert(c, c_inter), 1);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(c, 0);
	if (verify != VERIFY_NONE) {
		STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();

		assert_non_null(names);
		assert_true(sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(c_root))));
		SSL_CTX_set_client_CA_list(c, names);
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER |
				   (verify == VERIFY_REQUIRE ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
				   NULL);
	}
	return c;
}

/* Closes our side for writing and reads until the client closes (bounded). */
static void linger_close(int fd)
{
	char buf[512];
	int i;

	shutdown(fd, SHUT_WR);
	for (i = 0; i < 100; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 20) <= 0)
			continue;
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
	}
	close(fd);
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		struct timeval tv = { .tv_sec = 2 };
		int fd;

		if (poll(&p, 1, 20) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (s->mode == SRV_SILENT) {
			if (s->n_held < 8)
				s->held[s->n_held++] = fd;
			else
				close(fd);
			continue;
		}
		if (s->mode == SRV_NOT_TLS) {
			static const char resp[] = "SIP/2.0 400 Bad Request\r\n\r\n";

			if (write(fd, resp, sizeof(resp) - 1) < 0) {
				/* the client went away: nothing to do */
			}
			linger_close(fd);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		{
			SSL *ssl = SSL_new(s->ctx);

			if (ssl && SSL_set_fd(ssl, fd))
				SSL_accept(ssl);
			SSL_free(ssl);
			ERR_clear_error();
		}
		linger_close(fd);
	}
	return NULL;
}

static void server_start(struct server *s, enum srv_mode mode, int backlog)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int one = 1;

	s->mode = mode;
	s->n_held = 0;
	atomic_store(&s->stop, 0);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s->lfd, backlog), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
	s->port = ntohs(sin.sin_port);
	if (s->ctx && s->ctx_sni) {
		SSL_CTX_set_tlsext_servername_callback(s->ctx, servername_cb);
		SSL_CTX_set_tlsext_servername_arg(s->ctx, s);
	}
	assert_int_equal(pthread_create(&s->th, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
	int i;

	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->n_held; i++)
		close(s->held[i]);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	SSL_CTX_free(s->ctx_sni);
}

/* Fetches LEAF_NAME at 127.0.0.1:@port with a fresh live source. */
static sf_status live_fetch(int timeout_ms, uint16_t port, sf_tls_facts *f, char *err,
			    size_t errlen, int64_t *elapsed)
{
	sf_tls_source *src;
	int64_t t0;
	sf_status st;

	assert_int_equal(sf_tls_live_new(timeout_ms, &src), SF_OK);
	t0 = now_ms();
	st = sf_tls_fetch(src, LEAF_NAME, "127.0.0.1", port, f, err, errlen);
	if (elapsed)
		*elapsed = now_ms() - t0;
	sf_tls_source_free(src);
	return st;
}

/* SNI picks the leaf; without SNI the server shows its default certificate. */
static void test_live_sni_and_nosni(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];

	s.ctx = server_ctx(c_other, k_other, TLS1_3_VERSION, VERIFY_NONE);
	s.ctx_sni = server_ctx(c_leaf, k_leaf, TLS1_3_VERSION, VERIFY_NONE);
	server_start(&s, SRV_TLS, 16);
	assert_int_equal(live_fetch(3000, s.port, &f, err, sizeof(err), NULL), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_OK);
	assert_null(f.error);
	assert_non_null(f.version);
	assert_string_equal(f.version, "TLSv1.3");
	/* Leaf first, then the intermediate, each once; the root was not sent. */
	assert_int_equal(count_of(f.chain), 2);
	assert_cert(f.chain, 0, c_leaf);
	assert_cert(f.chain, 1, c_inter);
	assert_int_equal(f.nosni_observed, 1);
	assert_int_equal(count_of(f.chain_nosni), 2);
	assert_cert(f.chain_nosni, 0, c_other);
	assert_cert(f.chain_nosni, 1, c_inter);
	assert_int_not_equal(X509_cmp(sk_X509_value(f.chain, 0), sk_X509_value(f.chain_nosni, 0)),
			     0);
	assert_int_equal(f.client_cert_observed, 1);
	assert_int_equal(f.client_cert_requested, 0);
	assert_int_equal(f.n_client_ca, 0);
	assert_null(f.client_ca);
	sf_tls_facts_release(&f);
}

/* The same certificate with and without SNI (TLS 1.2 this time). */
static void test_live_same_cert_tls12(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];

	s.ctx = server_ctx(c_leaf, k_leaf, TLS1_2_VERSION, VERIFY_NONE);
	server_start(&s, SRV_TLS, 16);
	assert_int_equal(live_fetch(3000, s.port, &f, err, sizeof(err), NULL), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_OK);
	assert_string_equal(f.version, "TLSv1.2");
	assert_int_equal(count_of(f.chain), 2);
	assert_cert(f.chain, 0, c_leaf);
	assert_int_equal(count_of(f.chain_nosni), 2);
	assert_cert(f.chain_nosni, 0, c_leaf);
	assert_cert(f.chain_nosni, 1, c_inter);
	sf_tls_facts_release(&f);
}

/* TLS-004: the server asks for a client certificate and names the root. */
static void test_live_client_cert_requested(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];

	s.ctx = server_ctx(c_leaf, k_leaf, TLS1_3_VERSION, VERIFY_REQUEST);
	server_start(&s, SRV_TLS, 16);
	assert_int_equal(live_fetch(3000, s.port, &f, err, sizeof(err), NULL), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_OK);
	assert_int_equal(f.client_cert_observed, 1);
	assert_int_equal(f.client_cert_requested, 1);
	assert_int_equal(f.n_client_ca, 1);
	assert_string_equal(f.client_ca[0], ROOT_DN);
	assert_int_equal(count_of(f.chain), 2);
	sf_tls_facts_release(&f);
}

/*
 * A TLS 1.2 server that requires a client certificate fails the handshake
 * with an alert; the request and the CA names are still reported.
 */
static void test_live_client_cert_required(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];

	s.ctx = server_ctx(c_leaf, k_leaf, TLS1_2_VERSION, VERIFY_REQUIRE);
	server_start(&s, SRV_TLS, 16);
	assert_int_equal(live_fetch(3000, s.port, &f, err, sizeof(err), NULL), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_HANDSHAKE_FAILED);
	assert_non_null(f.error);
	assert_non_null(strstr(f.error, "TLS handshake with 127.0.0.1:"));
	assert_non_null(strstr(f.error, "the server sent the alert 'handshake failure', 40"));
	assert_non_null(strstr(f.error, "requested a client certificate"));
	assert_null(f.chain);
	assert_null(f.version);
	assert_int_equal(f.nosni_observed, 0);
	assert_int_equal(f.client_cert_observed, 1);
	assert_int_equal(f.client_cert_requested, 1);
	assert_int_equal(f.n_client_ca, 1);
	assert_string_equal(f.client_ca[0], ROOT_DN);
	sf_tls_facts_release(&f);
}

/* TLS-001: an old server is observed, not refused. */
static void test_live_tls11(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];

	s.ctx = server_ctx(c_leaf, k_leaf, TLS1_1_VERSION, VERIFY_NONE);
	server_start(&s, SRV_TLS, 16);
	assert_int_equal(live_fetch(3000, s.port, &f, err, sizeof(err), NULL), SF_OK);
	server_stop(&s);

	if (f.state != SF_TLS_OK)
		print_error("TLS 1.1 handshake: %s\n", f.error ? f.error : "?");
	assert_int_equal(f.state, SF_TLS_OK);
	assert_string_equal(f.version, "TLSv1.1");
	assert_int_equal(count_of(f.chain), 2);
	sf_tls_facts_release(&f);
}

/* A port on which nothing listens: refused at once. */
static void test_live_refused(void **state)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	sf_tls_facts f;
	char err[512], want[128];
	int64_t ms;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* A port the kernel just gave us and we released. */
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);

	assert_int_equal(live_fetch(2000, ntohs(sin.sin_port), &f, err, sizeof(err), &ms), SF_OK);
	assert_int_equal(f.state, SF_TLS_CONNECT_FAILED);
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: Connection refused",
		 (unsigned)ntohs(sin.sin_port));
	assert_string_equal(f.error, want);
	assert_true(ms < 2000);
	assert_null(f.chain);
	assert_int_equal(f.nosni_observed, 0);
	sf_tls_facts_release(&f);
}

/*
 * A listener whose accept queue is full drops new SYNs (Linux), so the
 * connect does not complete: it must time out.
 */
static void test_live_connect_timeout(void **state)
{
	struct server s = { 0 };
	struct sockaddr_in sin;
	struct pollfd p;
	sf_tls_facts f;
	char err[512], want[128];
	int fill[4], i, probe;
	int64_t ms;

	/* A listener that never accepts (no thread). */
	s.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s.lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s.lfd, 0), 0);
	{
		socklen_t sl = sizeof(sin);

		assert_int_equal(getsockname(s.lfd, (struct sockaddr *)&sin, &sl), 0);
	}
	for (i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(fill[i] >= 0);
		connect(fill[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(50000);
	/* Precondition: a further connect hangs here. */
	probe = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(probe >= 0);
	connect(probe, (struct sockaddr *)&sin, sizeof(sin));
	p.fd = probe;
	p.events = POLLOUT;
	p.revents = 0;
	i = poll(&p, 1, 200);
	close(probe);
	if (i != 0) {
		for (i = 0; i < 4; i++)
			close(fill[i]);
		close(s.lfd);
		print_message("kernel completes connects to a full queue here; skipped\n");
		skip();
	}

	assert_int_equal(live_fetch(300, ntohs(sin.sin_port), &f, err, sizeof(err), &ms), SF_OK);
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(s.lfd);
	assert_int_equal(f.state, SF_TLS_CONNECT_FAILED);
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: timed out after 300 ms",
		 (unsigned)ntohs(sin.sin_port));
	assert_string_equal(f.error, want);
	assert_in_range(ms, 280, 2000);
	sf_tls_facts_release(&f);
}

/* A TCP server that never answers the ClientHello: no hang. */
static void test_live_handshake_timeout(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512], want[128];
	int64_t ms;

	server_start(&s, SRV_SILENT, 16);
	assert_int_equal(live_fetch(500, s.port, &f, err, sizeof(err), &ms), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_HANDSHAKE_FAILED);
	snprintf(want, sizeof(want), "TLS handshake with 127.0.0.1:%u: timed out after 500 ms",
		 (unsigned)s.port);
	assert_string_equal(f.error, want);
	assert_in_range(ms, 480, 2500);
	assert_null(f.chain);
	assert_int_equal(f.nosni_observed, 0);
	assert_int_equal(f.client_cert_observed, 0);
	sf_tls_facts_release(&f);
}

/* A server that answers with something that is not TLS. */
static void test_live_not_tls(void **state)
{
	struct server s = { 0 };
	sf_tls_facts f;
	char err[512];
	int64_t ms;

	server_start(&s, SRV_NOT_TLS, 16);
	assert_int_equal(live_fetch(2000, s.port, &f, err, sizeof(err), &ms), SF_OK);
	server_stop(&s);

	assert_int_equal(f.state, SF_TLS_HANDSHAKE_FAILED);
	assert_non_null(f.error);
	assert_non_null(strstr(f.error, " failed: error:"));
	assert_null(strstr(f.error, "timed out"));
	assert_null(strstr(f.error, "alert"));
	assert_true(ms < 2000);
	sf_tls_facts_release(&f);
}

static void test_live_bad_arguments(void **state)
{
	sf_tls_source *src = (sf_tls_source *)(uintptr_t)1;
	sf_tls_facts f;
	char err[512];

	assert_int_equal(sf_tls_live_new(-1, &src), SF_EINVAL);
	assert_null(src);
	assert_int_equal(sf_tls_live_new(0, &src), SF_OK);
	assert_int_equal(sf_tls_fetch(src, LEAF_NAME, "vcse.example.test", 5061, &f, err,
				      sizeof(err)), SF_EINVAL);
	assert_string_equal(err, "invalid address 'vcse.example.test'");
	assert_null(f.error);
	assert_int_equal(sf_tls_fetch(src, LEAF_NAME, NULL, 5061, &f, err, sizeof(err)),
			 SF_EINVAL);
	assert_int_equal(sf_tls_fetch(src, NULL, "127.0.0.1", 5061, &f, err, sizeof(err)),
			 SF_EINVAL);
	sf_tls_source_free(src);
	sf_tls_source_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_good_chain),
		cmocka_unit_test(test_pem_empty),
		cmocka_unit_test(test_pem_garbage),
		cmocka_unit_test(test_pem_only_key),
		cmocka_unit_test(test_pem_truncated),
		cmocka_unit_test(test_pem_bad_der),
		cmocka_unit_test(test_pem_missing),
		cmocka_unit_test(test_pem_directory),
		cmocka_unit_test(test_pem_size_limit),
		cmocka_unit_test(test_pem_skips_other_blocks),
		cmocka_unit_test(test_pem_fifo),
		cmocka_unit_test(test_dir_new_errors),
		cmocka_unit_test(test_dir_hit),
		cmocka_unit_test(test_dir_miss),
		cmocka_unit_test(test_dir_malformed),
		cmocka_unit_test(test_dir_unsafe_hosts),
		cmocka_unit_test(test_live_sni_and_nosni),
		cmocka_unit_test(test_live_same_cert_tls12),
		cmocka_unit_test(test_live_client_cert_requested),
		cmocka_unit_test(test_live_client_cert_required),
		cmocka_unit_test(test_live_tls11),
		cmocka_unit_test(test_live_refused),
		cmocka_unit_test(test_live_connect_timeout),
		cmocka_unit_test(test_live_handshake_timeout),
		cmocka_unit_test(test_live_not_tls),
		cmocka_unit_test(test_live_bad_arguments),
	};

	/* The library installs no handlers; a program using it ignores SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
