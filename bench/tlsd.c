/*
 * tlsd: the TLS endpoints of a generated benchmark lab (bench/genlab.py).
 *
 *   tlsd [-t SECONDS] [-q] ENDPOINTS.json
 *
 * Listens on every address:port of ENDPOINTS.json (one libevent loop, one
 * thread), presents the certificate chain chosen by the SNI the client sends
 * (the endpoint's default chain when it sends none or an unknown name),
 * completes the handshake, sends close_notify and closes.  Nothing is read or
 * written after the handshake.
 *
 * Bounded: exits on SIGTERM / SIGINT and after -t SECONDS (default 900); a
 * connection that has not finished its handshake within 10 s is closed.
 * Prints "tlsd: ready ..." on stdout (flushed) once every listener is bound,
 * and counters on stderr when it exits.  Exit status 0, or 2 when the file
 * cannot be read or an address cannot be bound.
 *
 * ENDPOINTS.json (paths relative to the file's directory):
 *   {"version":1,
 *    "keys":["keys/leaf-0.key", ...],
 *    "certs":[{"chain":"certs/edge.d000000.p00.example.pem","key":0}, ...],
 *    "endpoints":[{"address":"127.0.0.11","port":5061,"default":12,
 *                  "sni":{"edge.d000000.p00.example":0, ...}}, ...],
 *    "refused":[{"address":"127.0.0.9","port":5061}]}
 * "refused" lists addresses where nothing must listen; tlsd ignores it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define HANDSHAKE_TIMEOUT_S 10

struct cert {
	X509 *leaf;
	STACK_OF(X509) *chain; /* the certificates after the leaf, shared pointers */
	EVP_PKEY *key;
};

struct endpoint {
	char addr[64];
	int port;
	int def; /* index into certs, -1 = none */
	struct evconnlistener *lis;
};

/* SNI table: open addressing over (endpoint, lowercase name) -> cert. */
struct sni_slot {
	char *name; /* NULL = empty */
	int ep;
	int cert;
};

static struct cert *certs;
static size_t ncerts;
static EVP_PKEY **keys;
static size_t nkeys;
static struct endpoint *eps;
static size_t neps;
static struct sni_slot *sni;
static size_t sni_cap;
static X509 **extras; /* distinct intermediates, shared between chains */
static size_t nextras, extras_cap;
static SSL_CTX *ctx;
static struct event_base *base;
static unsigned long n_ok, n_fail, n_open, n_max_open, n_nosni;
static int quiet;

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tlsd: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("%s", "out of memory");
	return p;
}

static uint64_t name_hash(int ep, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)ep;

	for (; *name; name++) {
		h ^= (unsigned char)tolower((unsigned char)*name);
		h *= 1099511628211ULL;
	}
	return h;
}

static void sni_put(int ep, const char *name, int cert)
{
	size_t i = (size_t)(name_hash(ep, name) & (sni_cap - 1));
	char *n = strdup(name);

	if (!n)
		die("%s", "out of memory");
	for (char *p = n; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	while (sni[i].name) {
		if (sni[i].ep == ep && strcmp(sni[i].name, n) == 0) {
			sni[i].cert = cert;
			free(n);
			return;
		}
		i = (i + 1) & (sni_cap - 1);
	}
	sni[i].name = n;
	sni[i].ep = ep;
	sni[i].cert = cert;
}

static int sni_get(int ep, const char *name)
{
	size_t i = (size_t)(name_hash(ep, name) & (sni_cap - 1));

	while (sni[i].name) {
		if (sni[i].ep == ep && strcasecmp(sni[i].name, name) == 0)
			return sni[i].cert;
		i = (i + 1) & (sni_cap - 1);
	}
	return -1;
}

/* The same intermediate is in every chain file: keep one X509 of each. */
static X509 *shared_extra(X509 *x)
{
	for (size_t i = 0; i < nextras; i++) {
		if (X509_cmp(extras[i], x) == 0) {
			X509_free(x);
			return extras[i];
		}
	}
	if (nextras == extras_cap) {
		extras_cap = extras_cap ? extras_cap * 2 : 8;
		extras = realloc(extras, extras_cap * sizeof(*extras));
		if (!extras)
			die("%s", "out of memory");
	}
	extras[nextras++] = x;
	return x;
}

static void path_join(char *out, size_t outlen, const char *dir, const char *rel)
{
	int n;

	if (rel[0] == '/')
		n = snprintf(out, outlen, "%s", rel);
	else
		n = snprintf(out, outlen, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= outlen)
		die("path too long: %s", rel);
}

static void load_chain(struct cert *c, const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		die("cannot open %s", path);
	c->leaf = PEM_read_X509(f, NULL, NULL, NULL);
	if (!c->leaf)
		die("no certificate in %s", path);
	c->chain = sk_X509_new_null();
	if (!c->chain)
		die("%s", "out of memory");
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(c->chain, shared_extra(x));
	ERR_clear_error(); /* the end of the file reads as an error */
	fclose(f);
}

static EVP_PKEY *load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f)
		die("cannot open %s", path);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k)
		die("no private key in %s", path);
	return k;
}

static void load_endpoints(const char *file)
{
	json_error_t jerr;
	json_t *root = json_load_file(file, 0, &jerr);
	json_t *jk, *jc, *je, *v;
	char dirbuf[PATH_MAX], path[PATH_MAX];
	const char *dir;
	size_t i, nnames = 0;

	if (!root) {
		fprintf(stderr, "tlsd: %s:%d: %s\n", file, jerr.line, jerr.text);
		exit(2);
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", file);
	dir = dirname(dirbuf);
	jk = json_object_get(root, "keys");
	jc = json_object_get(root, "certs");
	je = json_object_get(root, "endpoints");
	if (!json_is_array(jk) || !json_is_array(jc) || !json_is_array(je))
		die("%s: needs the arrays \"keys\", \"certs\" and \"endpoints\"", file);

	nkeys = json_array_size(jk);
	keys = xcalloc(nkeys, sizeof(*keys));
	json_array_foreach(jk, i, v) {
		if (!json_is_string(v))
			die("%s: \"keys\" holds a non-string", file);
		path_join(path, sizeof(path), dir, json_string_value(v));
		keys[i] = load_key(path);
	}

	ncerts = json_array_size(jc);
	certs = xcalloc(ncerts, sizeof(*certs));
	json_array_foreach(jc, i, v) {
		json_t *ch = json_object_get(v, "chain"), *ki = json_object_get(v, "key");
		json_int_t k;

		if (!json_is_string(ch) || !json_is_integer(ki))
			die("%s: a cert needs \"chain\" and \"key\"", file);
		k = json_integer_value(ki);
		if (k < 0 || (size_t)k >= nkeys)
			die("%s: a cert names a key out of range", file);
		path_join(path, sizeof(path), dir, json_string_value(ch));
		load_chain(&certs[i], path);
		certs[i].key = keys[k];
		if (X509_check_private_key(certs[i].leaf, certs[i].key) != 1)
			die("the key does not match the certificate of %s", path);
	}

	neps = json_array_size(je);
	eps = xcalloc(neps, sizeof(*eps));
	json_array_foreach(je, i, v) {
		json_t *s = json_object_get(v, "sni");

		if (json_is_object(s))
			nnames += json_object_size(s);
	}
	for (sni_cap = 64; sni_cap < 2 * nnames + 2; sni_cap *= 2)
		;
	sni = xcalloc(sni_cap, sizeof(*sni));
	json_array_foreach(je, i, v) {
		json_t *a = json_object_get(v, "address"), *p = json_object_get(v, "port");
		json_t *d = json_object_get(v, "default"), *s = json_object_get(v, "sni"), *c;
		const char *name;

		if (!json_is_string(a) || !json_is_integer(p))
			die("%s: an endpoint needs \"address\" and \"port\"", file);
		snprintf(eps[i].addr, sizeof(eps[i].addr), "%s", json_string_value(a));
		eps[i].port = (int)json_integer_value(p);
		if (eps[i].port <= 0 || eps[i].port > 65535)
			die("%s: port out of range", file);
		eps[i].def = -1;
		if (json_is_integer(d)) {
			json_int_t di = json_integer_value(d);

			if (di < 0 || (size_t)di >= ncerts)
				die("%s: a default cert is out of range", file);
			eps[i].def = (int)di;
		}
		if (json_is_object(s)) {
			json_object_foreach(s, name, c) {
				json_int_t ci = json_integer_value(c);

				if (!json_is_integer(c) || ci < 0 || (size_t)ci >= ncerts)
					die("%s: an SNI entry names a cert out of range", file);
				sni_put((int)i, name, (int)ci);
			}
		}
	}
	json_decref(root);
}

/* Chooses the chain for this handshake (called once the ClientHello is read). */
static int cert_cb(SSL *ssl, void *arg)
{
	struct endpoint *ep = SSL_get_app_data(ssl);
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	int ci = -1;
	struct cert *c;

	(void)arg;
	if (!ep)
		return 0;
	if (name && *name)
		ci = sni_get((int)(ep - eps), name);
	else
		n_nosni++;
	if (ci < 0)
		ci = ep->def;
	if (ci < 0)
		return 0; /* no certificate: the handshake fails */
	c = &certs[ci];
	if (SSL_use_cert_and_key(ssl, c->leaf, c->key, c->chain, 1) != 1)
		return 0;
	return 1;
}

static void conn_done(struct bufferevent *bev, int ok)
{
	if (ok)
		n_ok++;
	else
		n_fail++;
	n_open--;
	bufferevent_free(bev);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & BEV_EVENT_CONNECTED) {
		SSL *ssl = bufferevent_openssl_get_ssl(bev);

		/* close_notify; the socket buffer is empty, so this does not block. */
		if (ssl)
			SSL_shutdown(ssl);
		conn_done(bev, 1);
		return;
	}
	/* EOF, error or timeout before the handshake completed. */
	while (bufferevent_get_openssl_error(bev))
		;
	conn_done(bev, 0);
}

static void accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *arg)
{
	struct endpoint *ep = arg;
	SSL *ssl = SSL_new(ctx);
	struct bufferevent *bev;
	struct timeval tv = { HANDSHAKE_TIMEOUT_S, 0 };

	(void)lis;
	(void)sa;
	(void)salen;
	if (!ssl) {
		evutil_closesocket(fd);
		n_fail++;
		ERR_clear_error();
		return;
	}
	SSL_set_app_data(ssl, ep);
	bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		n_fail++;
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	bufferevent_setcb(bev, NULL, NULL, event_cb, NULL);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
	if (++n_open > n_max_open)
		n_max_open = n_open;
}

static void accept_error_cb(struct evconnlistener *lis, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();

	(void)lis;
	(void)arg;
	/* EMFILE and the like: report, keep serving. */
	if (!quiet)
		fprintf(stderr, "tlsd: accept: %s\n", evutil_socket_error_to_string(err));
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: tlsd [-t SECONDS] [-q] ENDPOINTS.json\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long lifetime = 900;
	int opt;
	struct event *ev_term, *ev_int, *ev_life;
	struct timeval life;

	while ((opt = getopt(argc, argv, "t:q")) != -1) {
		switch (opt) {
		case 't': {
			char *end;

			lifetime = strtol(optarg, &end, 10);
			if (*end || lifetime <= 0 || lifetime > 86400)
				usage();
			break;
		}
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		die("%s", "SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);

	load_endpoints(argv[optind]);

	base = event_base_new();
	if (!base)
		die("%s", "event_base_new failed");
	for (size_t i = 0; i < neps; i++) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)eps[i].port);
		if (inet_pton(AF_INET, eps[i].addr, &sin.sin_addr) != 1)
			die("not an IPv4 address: %s", eps[i].addr);
		eps[i].lis = evconnlistener_new_bind(base, accept_cb, &eps[i],
						     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
						     4096, (struct sockaddr *)&sin, sizeof(sin));
		if (!eps[i].lis) {
			char buf[96];

			snprintf(buf, sizeof(buf), "%s:%d (%s)", eps[i].addr, eps[i].port,
				 strerror(errno));
			die("cannot listen on %s", buf);
		}
		evconnlistener_set_error_cb(eps[i].lis, accept_error_cb);
	}
	ev_term = evsignal_new(base, SIGTERM, stop_cb, NULL);
	ev_int = evsignal_new(base, SIGINT, stop_cb, NULL);
	ev_life = evtimer_new(base, stop_cb, NULL);
	if (!ev_term || !ev_int || !ev_life)
		die("%s", "cannot create events");
	life.tv_sec = lifetime;
	life.tv_usec = 0;
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_life, &life);

	printf("tlsd: ready: %zu listeners, %zu certificates, %zu keys, lifetime %ld s\n", neps,
	       ncerts, nkeys, lifetime);
	fflush(stdout);

	event_base_dispatch(base);

	fprintf(stderr, "tlsd: %lu handshakes completed, %lu failed or cut short, %lu without SNI, "
		"at most %lu connections open\n", n_ok, n_fail, n_nosni, n_max_open);
	for (size_t i = 0; i < neps; i++)
		evconnlistener_free(eps[i].lis);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_life);
	event_base_free(base);
	SSL_CTX_free(ctx);
	for (size_t i = 0; i < ncerts; i++) {
		X509_free(certs[i].leaf);
		sk_X509_free(certs[i].chain);
	}
	for (size_t i = 0; i < nextras; i++)
		X509_free(extras[i]);
	for (size_t i = 0; i < nkeys; i++)
		EVP_PKEY_free(keys[i]);
	for (size_t i = 0; i < sni_cap; i++)
		free(sni[i].name);
	free(extras);
	free(certs);
	free(keys);
	free(eps);
	free(sni);
	return 0;
}
