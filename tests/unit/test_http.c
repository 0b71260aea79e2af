/*
 * Unit tests of lib/http: the autodiscover parser (table of bodies), the
 * directory source (files in a temporary lab directory) and the live source
 * against a tiny HTTP server on 127.0.0.1 run by a thread of this test
 * (CURLOPT_RESOLVE to the given address, proxies of the environment
 * ignored, status / content type / body captured, bodies cut at 64 KiB,
 * refused and silent servers within the timeout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "util/util.h"

/* ---- the parser ----------------------------------------------------------- */

struct prow {
	const char *name;
	long status;
	const char *body; /* NULL: no body */
	int truncated;
	int ok;
	size_t n_links;
	const char *first_name, *first_href; /* NULL: not checked */
	const char *err;                     /* substring of doc_error when !ok */
};

#define UCWA                                                                                \
	"{\"_links\":{\"self\":{\"href\":\"https://webdir.example.com/Autodiscover/"         \
	"AutodiscoverService.svc/root?originalDomain=example.com\"},\"user\":{\"href\":"     \
	"\"https://webpool.example.com/Autodiscover/AutodiscoverService.svc/root/oauth/user\"}," \
	"\"xframe\":{\"href\":\"https://webpool.example.com/Autodiscover/XFrame/XFrame.html\"}}}"
#define ROOTDOC                                                                             \
	"{\"AccessLocation\":\"External\",\"Root\":{\"Links\":[{\"token\":\"Domain\",\"href\":" \
	"\"https://web.example.com/Autodiscover/AutodiscoverService.svc/root/domain\"},"     \
	"{\"token\":\"User\",\"href\":\"https://web.example.com/Autodiscover/"               \
	"AutodiscoverService.svc/root/user\"}]}}"

static const struct prow prows[] = {
	{ "UCWA _links", 200, UCWA, 0, 1, 3, "self",
	  "https://webdir.example.com/Autodiscover/AutodiscoverService.svc/root?originalDomain="
	  "example.com", NULL },
	{ "MS-OCDISCWS Root.Links", 200, ROOTDOC, 0, 1, 2, "Domain", NULL, NULL },
	{ "404", 404, "<html>not found</html>", 0, 0, 0, NULL, NULL, "status 404" },
	{ "200, HTML", 200, "<html>IIS</html>", 0, 0, 0, NULL, NULL, "not JSON" },
	{ "200, empty", 200, "", 0, 0, 0, NULL, NULL, "empty body" },
	{ "200, no body", 200, NULL, 0, 0, 0, NULL, NULL, "empty body" },
	{ "200, array", 200, "[1,2]", 0, 0, 0, NULL, NULL, "not an object" },
	{ "200, object without links", 200, "{\"a\":1}", 0, 0, 0, NULL, NULL, "no links" },
	{ "200, _links of wrong types", 200,
	  "{\"_links\":{\"self\":\"x\",\"user\":{\"href\":3},\"x\":[],\"ok\":{\"href\":\"h\"}}}", 0,
	  1, 1, "ok", "h", NULL },
	{ "200, empty names and hrefs skipped", 200,
	  "{\"_links\":{\"\":{\"href\":\"h\"},\"a\":{\"href\":\"\"}}}", 0, 0, 0, NULL, NULL,
	  "no links" },
	{ "200, Root without Links array", 200, "{\"Root\":{\"Links\":{}}}", 0, 0, 0, NULL, NULL,
	  "no links" },
	{ "200, truncated", 200, UCWA, 1, 0, 0, NULL, NULL, "longer than 64 KiB" },
	{ "200, trailing garbage", 200, UCWA "x", 0, 0, 0, NULL, NULL, "not JSON" },
	{ "200, deeply nested", 200,
	  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	  0, 0, 0, NULL, NULL, "not JSON" },
};

static void test_parse_rows(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(prows); i++) {
		const struct prow *r = &prows[i];
		sf_http_answer a = { .state = SF_HTTP_ANSWERED, .status = r->status };

		if (r->body) {
			a.body = strdup(r->body);
			assert_non_null(a.body);
			a.body_len = strlen(r->body);
		}
		a.truncated = r->truncated;
		assert_int_equal(sf_http_parse_autodiscover(&a), SF_OK);
		if (a.doc_ok != r->ok || a.n_links != r->n_links ||
		    (r->first_name && (a.n_links == 0 || strcmp(a.links[0].name, r->first_name))) ||
		    (r->first_href && (a.n_links == 0 || strcmp(a.links[0].href, r->first_href))) ||
		    (!r->ok && (!a.doc_error || !strstr(a.doc_error, r->err))) ||
		    (r->ok && a.doc_error)) {
			print_error("[%s] ok %d links %zu first %s error %s\n", r->name, a.doc_ok,
				    a.n_links, a.n_links ? a.links[0].name : "-",
				    a.doc_error ? a.doc_error : "-");
			bad++;
		}
		sf_http_answer_release(&a);
		assert_null(a.body);
		assert_null(a.links);
	}
	if (bad)
		fail_msg("%d parser rows differ", bad);
}

/* Links in document order; at most SF_HTTP_LINKS_MAX; hrefs over 2048 bytes skipped. */
static void test_parse_bounds(void **state)
{
	sf_http_answer a = { .state = SF_HTTP_ANSWERED, .status = 200 };
	char *body = malloc(SF_HTTP_BODY_MAX);
	size_t len = 0;

	(void)state;
	assert_non_null(body);
	len += (size_t)snprintf(body + len, SF_HTTP_BODY_MAX - len, "{\"_links\":{\"long\":"
				"{\"href\":\"");
	for (int i = 0; i < 3000; i++)
		body[len++] = 'x';
	len += (size_t)snprintf(body + len, SF_HTTP_BODY_MAX - len, "\"}");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(body + len, SF_HTTP_BODY_MAX - len,
					",\"l%03d\":{\"href\":\"https://h/%d\"}", i, i);
	len += (size_t)snprintf(body + len, SF_HTTP_BODY_MAX - len, "}}");
	a.body = body;
	a.body_len = len;
	assert_int_equal(sf_http_parse_autodiscover(&a), SF_OK);
	assert_true(a.doc_ok);
	assert_int_equal(a.n_links, SF_HTTP_LINKS_MAX);
	assert_string_equal(a.links[0].name, "l000");
	assert_string_equal(a.links[31].href, "https://h/31");
	sf_http_answer_release(&a);

	/* Not answered: nothing to parse, no error of the document. */
	a.state = SF_HTTP_FAILED;
	assert_int_equal(sf_http_parse_autodiscover(&a), SF_OK);
	assert_false(a.doc_ok);
	assert_null(a.doc_error);
}

/* ---- the directory source ------------------------------------------------- */

static char g_dir[64];

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void get1(sf_http_source *src, int tls, const char *host, const char *path,
		 sf_http_answer *a)
{
	char err[256] = "";
	sf_http_request r = { .tls = tls, .host = host, .path = path, .out = a };

	assert_int_equal(sf_http_get(src, &r, 1, err, sizeof(err)), SF_OK);
}

static void test_dir_source(void **state)
{
	sf_http_source *src = NULL;
	sf_http_answer a = { 0 };
	char err[256] = "", big_name[300];
	char *big = malloc(SF_HTTP_BODY_MAX + 10);

	(void)state;
	assert_non_null(big);
	snprintf(g_dir, sizeof(g_dir), "/tmp/sipfed-test-http-XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	write_file("both.example.com.autodiscover.json", UCWA, strlen(UCWA));
	write_file("tls.example.com.https.autodiscover.json", ROOTDOC, strlen(ROOTDOC));
	write_file("plain.example.com.http.autodiscover.json", UCWA, strlen(UCWA));
	write_file("over.example.com.https.autodiscover.json", "{}", 2);
	write_file("over.example.com.autodiscover.json", UCWA, strlen(UCWA));
	memset(big, ' ', SF_HTTP_BODY_MAX + 10);
	write_file("big.example.com.autodiscover.json", big, SF_HTTP_BODY_MAX + 10);
	snprintf(big_name, sizeof(big_name), "%s/dir.example.com.autodiscover.json", g_dir);
	assert_int_equal(mkdir(big_name, 0700), 0);

	assert_int_equal(sf_http_dir_new(g_dir, &src, err, sizeof(err)), SF_OK);

	get1(src, 1, "both.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.content_type, "application/json");
	assert_int_equal(a.body_len, strlen(UCWA));
	assert_memory_equal(a.body, UCWA, a.body_len);
	get1(src, 0, "BOTH.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);

	/* Scheme-specific files: the other scheme is not answered. */
	get1(src, 1, "tls.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	get1(src, 0, "tls.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	assert_non_null(strstr(a.error, "no tls.example.com.http.autodiscover.json"));
	get1(src, 1, "plain.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	assert_non_null(strstr(a.error, "no plain.example.com.https.autodiscover.json"));
	get1(src, 0, "plain.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	/* The scheme's own file wins over the one for both. */
	get1(src, 1, "over.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.body_len, 2);
	get1(src, 0, "over.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.body_len, strlen(UCWA));

	/* Bounded read. */
	get1(src, 1, "big.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	assert_true(a.truncated);
	assert_int_equal(a.body_len, SF_HTTP_BODY_MAX);
	assert_int_equal(a.body[SF_HTTP_BODY_MAX], '\0');

	/* Names that could leave the directory, other paths, missing hosts. */
	get1(src, 1, "../etc/passwd", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	assert_non_null(strstr(a.error, "not usable as a file name"));
	get1(src, 1, ".hidden", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	get1(src, 1, "both.example.com", "/other", &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	get1(src, 1, "none.example.com", SF_HTTP_AUTODISCOVER_PATH, &a);
	assert_int_equal(a.state, SF_HTTP_FAILED);
	assert_non_null(strstr(a.error, "none.example.com.autodiscover.json"));

	/* A file that exists but cannot be read is an error of the lab, with its name. */
	{
		sf_http_request r = { .tls = 1, .host = "dir.example.com",
				      .path = SF_HTTP_AUTODISCOVER_PATH, .out = &a };

		err[0] = '\0';
		assert_int_equal(sf_http_get(src, &r, 1, err, sizeof(err)), SF_EIO);
		assert_non_null(strstr(err, "dir.example.com.autodiscover.json"));
	}
	sf_http_answer_release(&a);
	sf_http_source_free(src);
	sf_http_source_free(NULL);

	assert_int_equal(sf_http_dir_new("/nonexistent/sipfed-lab", &src, err, sizeof(err)),
			 SF_EIO);
	assert_null(src);
	assert_non_null(strstr(err, "/nonexistent/sipfed-lab"));
	free(big);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* ---- the live source against a loopback server ---------------------------- */

enum srv_mode { SM_ANSWER, SM_BIG, SM_SILENT };

struct srv {
	int fd;
	uint16_t port;
	enum srv_mode mode;
	int n_conn;             /* connections to serve, then the thread ends */
	char host[128];         /* Host header of the last request */
	char request_line[256];
	pthread_t th;
};

/* Reads the request head (bounded), remembers its first line and Host header. */
static void read_head(int c, struct srv *s)
{
	char buf[4096];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		struct pollfd p = { .fd = c, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0)
			break;
		n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[len] = '\0';
	{
		char *eol = strstr(buf, "\r\n"), *h = strcasestr(buf, "\r\nHost: ");

		if (eol)
			snprintf(s->request_line, sizeof(s->request_line), "%.*s", (int)(eol - buf),
				 buf);
		if (h) {
			h += 8;
			snprintf(s->host, sizeof(s->host), "%.*s", (int)strcspn(h, "\r\n"), h);
		}
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	for (int i = 0; i < s->n_conn; i++) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			break;
		read_head(c, s);
		if (s->mode == SM_ANSWER) {
			char resp[1024];
			int n = snprintf(resp, sizeof(resp),
					 "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.microsoft"
					 ".rtc.autodiscover+json; charset=utf-8\r\nContent-Length: "
					 "%zu\r\nConnection: close\r\n\r\n%s", strlen(UCWA), UCWA);

			(void)!write(c, resp, (size_t)n);
		} else if (s->mode == SM_BIG) {
			static char chunk[8192];
			const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					   "Connection: close\r\n\r\n";

			memset(chunk, 'x', sizeof(chunk));
			(void)!write(c, head, strlen(head));
			/* 1 MiB, far over the limit; the client stops reading. */
			for (int k = 0; k < 128; k++)
				if (write(c, chunk, sizeof(chunk)) < 0)
					break;
		} else {
			/* Silent: hold the connection until the client gives up. */
			char b[64];
			struct pollfd p = { .fd = c, .events = POLLIN };

			if (poll(&p, 1, 5000) > 0)
				(void)!read(c, b, sizeof(b));
		}
		close(c);
	}
	return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode, int n_conn)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->n_conn = n_conn;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->fd);
}

/* A name no resolver knows: only CURLOPT_RESOLVE can take the request to the server. */
#define LD_HOST "lyncdiscover.sipfed-test.invalid"

static void test_live_answer(void **state)
{
	sf_http_source *src = NULL;
	sf_http_answer a = { 0 };
	char err[256] = "";
	struct srv s;
	sf_http_request r = { .tls = 0, .host = LD_HOST, .addr = "127.0.0.1",
			      .path = SF_HTTP_AUTODISCOVER_PATH, .out = &a };

	(void)state;
	/* A proxy in the environment must not be used (it would refuse: port 1). */
	setenv("http_proxy", "http://127.0.0.1:1", 1);
	setenv("all_proxy", "http://127.0.0.1:1", 1);
	srv_start(&s, SM_ANSWER, 1);
	r.port = s.port;
	assert_int_equal(sf_http_live_new(3000, NULL, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_http_get(src, &r, 1, err, sizeof(err)), SF_OK);
	srv_stop(&s);
	unsetenv("http_proxy");
	unsetenv("all_proxy");
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	assert_int_equal(a.status, 200);
	assert_non_null(a.content_type);
	assert_non_null(strstr(a.content_type, "autodiscover+json"));
	assert_int_equal(a.body_len, strlen(UCWA));
	assert_string_equal(a.body, UCWA);
	assert_false(a.truncated);
	assert_string_equal(s.request_line,
			    "GET " SF_HTTP_AUTODISCOVER_PATH " HTTP/1.1");
	{
		char want[64];

		snprintf(want, sizeof(want), LD_HOST ":%u", s.port);
		assert_string_equal(s.host, want);
	}
	assert_int_equal(sf_http_parse_autodiscover(&a), SF_OK);
	assert_true(a.doc_ok);
	assert_int_equal(a.n_links, 3);
	assert_string_equal(a.links[2].name, "xframe");
	sf_http_answer_release(&a);
	sf_http_source_free(src);
}

static void test_live_big_body(void **state)
{
	sf_http_source *src = NULL;
	sf_http_answer a = { 0 };
	char err[256] = "";
	struct srv s;
	sf_http_request r = { .host = LD_HOST, .addr = "127.0.0.1",
			      .path = SF_HTTP_AUTODISCOVER_PATH, .out = &a };

	(void)state;
	srv_start(&s, SM_BIG, 1);
	r.port = s.port;
	assert_int_equal(sf_http_live_new(3000, NULL, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_http_get(src, &r, 1, err, sizeof(err)), SF_OK);
	srv_stop(&s);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	assert_true(a.truncated);
	assert_int_equal(a.body_len, SF_HTTP_BODY_MAX);
	assert_int_equal(sf_http_parse_autodiscover(&a), SF_OK);
	assert_false(a.doc_ok);
	sf_http_answer_release(&a);
	sf_http_source_free(src);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Refused, silent, and bad requests in one batch; the batch ends within the timeout. */
static void test_live_failures(void **state)
{
	sf_http_source *src = NULL;
	sf_http_answer a[5] = { 0 };
	char err[256] = "";
	struct srv s;
	uint16_t closed;
	long long t0;
	sf_http_request r[5] = {
		{ .host = LD_HOST, .addr = "127.0.0.1", .path = SF_HTTP_AUTODISCOVER_PATH },
		{ .host = LD_HOST, .addr = "127.0.0.1", .path = SF_HTTP_AUTODISCOVER_PATH },
		{ .host = "bad host/x", .addr = "127.0.0.1", .path = SF_HTTP_AUTODISCOVER_PATH },
		{ .host = LD_HOST, .addr = NULL, .path = SF_HTTP_AUTODISCOVER_PATH },
		{ .tls = 1, .host = LD_HOST, .addr = "127.0.0.1", .path = SF_HTTP_AUTODISCOVER_PATH },
	};

	(void)state;
	/* A port that was free a moment ago: nothing listens there. */
	srv_start(&s, SM_SILENT, 2);
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sa);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
		closed = ntohs(sa.sin_port);
		close(fd);
	}
	r[0].port = closed;
	r[1].port = s.port;
	r[4].port = s.port; /* HTTPS to a server that never speaks */
	for (size_t i = 0; i < 5; i++)
		r[i].out = &a[i];
	assert_int_equal(sf_http_live_new(800, NULL, &src, err, sizeof(err)), SF_OK);
	t0 = mono_ms();
	assert_int_equal(sf_http_get(src, r, 5, err, sizeof(err)), SF_OK);
	assert_true(mono_ms() - t0 < 3000);
	srv_stop(&s);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(a[i].state, SF_HTTP_FAILED);
		assert_non_null(a[i].error);
		assert_true(a[i].error[0] != '\0');
	}
	assert_non_null(strstr(a[2].error, "not a host name"));
	assert_non_null(strstr(a[3].error, "no address"));
	for (size_t i = 0; i < 5; i++)
		sf_http_answer_release(&a[i]);
	sf_http_source_free(src);
}

/* An IPv6 address from the DNS source (bracketed in CURLOPT_RESOLVE). */
static void test_live_ipv6(void **state)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	socklen_t sl = sizeof(sa);
	sf_http_source *src = NULL;
	sf_http_answer a = { 0 };
	char err[256] = "";
	struct srv s;
	sf_http_request r = { .host = LD_HOST, .addr = "::1", .path = SF_HTTP_AUTODISCOVER_PATH,
			      .out = &a };

	(void)state;
	memset(&s, 0, sizeof(s));
	s.mode = SM_ANSWER;
	s.n_conn = 1;
	s.fd = socket(AF_INET6, SOCK_STREAM, 0);
	sa.sin6_addr = in6addr_loopback;
	if (s.fd < 0 || bind(s.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (s.fd >= 0)
			close(s.fd);
		skip(); /* no IPv6 loopback here */
	}
	assert_int_equal(listen(s.fd, 4), 0);
	assert_int_equal(getsockname(s.fd, (struct sockaddr *)&sa, &sl), 0);
	s.port = ntohs(sa.sin6_port);
	assert_int_equal(pthread_create(&s.th, NULL, srv_main, &s), 0);
	r.port = s.port;
	assert_int_equal(sf_http_live_new(3000, NULL, &src, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_http_get(src, &r, 1, err, sizeof(err)), SF_OK);
	srv_stop(&s);
	assert_int_equal(a.state, SF_HTTP_ANSWERED);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, UCWA);
	sf_http_answer_release(&a);
	sf_http_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_dir_source),
		cmocka_unit_test(test_live_answer),
		cmocka_unit_test(test_live_big_body),
		cmocka_unit_test(test_live_failures),
		cmocka_unit_test(test_live_ipv6),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
