/*
 * Unit tests of the DNS sources (lib/dns): the zone source on master files
 * written at test time, and the live source against a real knotd on
 * 127.0.0.1 serving the same files (skipped if knotd is not installed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns/dns.h"

#define MAX_WANT 10

/* Zone with no $ORIGIN: the origin comes from the file name. */
static const char steven_zone[] =
	"$TTL 300\n"
	"@ 3600 IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
	"@ NS ns1\n"
	"ns1 A 10.0.0.53\n"
	"_sipfederationtls._tcp SRV 0 0 5061 vcse\n"
	"_sipfederationtls._tcp SRV 10 5 5062 Vcse2.Steven.Lab.\n"
	"_sip._tls SRV 0 0 443 sipfed.online.lync.com.\n"
	"; the classic mistake: no trailing dot, so the origin is appended\n"
	"_sipfederationtls._tcp.appended SRV 0 0 5061 sipfed.online.lync.com\n"
	"vcse A 10.48.36.47\n"
	"vcse AAAA 2001:db8::47\n"
	"VCSE2 A 10.48.36.48\n"
	"alias CNAME vcse\n"
	"cross CNAME host.other.test.\n"
	"loop1 CNAME loop2\n"
	"loop2 CNAME loop1\n"
	"dangling CNAME nothere\n"
	"out CNAME host.example.net.\n"
	"*.wild A 192.0.2.1\n"
	"*.wild TXT \"wild\"\n"
	"txt TXT \"v=spf1\" \" -all\"\n"
	"a.b.ent A 192.0.2.7\n"
	"c1 CNAME c2\nc2 CNAME c3\nc3 CNAME c4\nc4 CNAME c5\nc5 CNAME c6\n"
	"c6 CNAME c7\nc7 CNAME c8\nc8 CNAME c9\nc9 CNAME c10\nc10 A 192.0.2.10\n";

/* $ORIGIN wins over the file name ("other"). */
static const char other_zone[] =
	"$ORIGIN other.test.\n"
	"$TTL 300\n"
	"@ SOA ns1.steven.lab. hostmaster.steven.lab. 1 3600 600 86400 300\n"
	"@ NS ns1.steven.lab.\n"
	"host CNAME final\n"
	"final A 198.51.100.9\n"
	"back CNAME vcse.steven.lab.\n";

struct fx {
	char dir[128];
	char steven[192], other[192];
	sf_dns_source *zone;
	pid_t knotd;
	int knot_port;
	int knot_tried, knot_ok;
};

static struct fx F;

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void path_in(char *out, size_t len, const char *name)
{
	int r = snprintf(out, len, "%s/%s", F.dir, name);

	assert_true(r > 0 && (size_t)r < len);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	char err[512];
	const char *files[2];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(F.dir, sizeof(F.dir), "%s/sf-dns-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(F.dir))
		return -1;
	path_in(F.steven, sizeof(F.steven), "steven.lab.zone");
	path_in(F.other, sizeof(F.other), "other.zone");
	write_file(F.steven, steven_zone);
	write_file(F.other, other_zone);
	files[0] = F.steven;
	files[1] = F.other;
	if (sf_dns_zone_new(files, 2, &F.zone, err, sizeof(err)) != SF_OK) {
		fprintf(stderr, "zone source: %s\n", err);
		return -1;
	}
	return 0;
}

static void knotd_stop(void)
{
	if (F.knotd <= 0)
		return;
	kill(F.knotd, SIGTERM);
	/* Bounded wait: 3 s, then SIGKILL. */
	for (int i = 0; i < 60; i++) {
		if (waitpid(F.knotd, NULL, WNOHANG) == F.knotd) {
			F.knotd = 0;
			return;
		}
		usleep(50 * 1000);
	}
	kill(F.knotd, SIGKILL);
	waitpid(F.knotd, NULL, 0);
	F.knotd = 0;
}

static int group_teardown(void **state)
{
	(void)state;
	knotd_stop();
	sf_dns_source_free(F.zone);
	F.zone = NULL;
	if (F.dir[0])
		nftw(F.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* One record as text: "owner TYPE data", SRV as "owner SRV prio weight port target". */
static void rr_text(const sf_dns_rr *rr, char *out, size_t len)
{
	switch (rr->type) {
	case SF_T_SRV:
		snprintf(out, len, "%s SRV %u %u %u %s", rr->owner, rr->priority, rr->weight,
			 rr->port, rr->data);
		break;
	case SF_T_A:
		snprintf(out, len, "%s A %s", rr->owner, rr->data);
		break;
	case SF_T_AAAA:
		snprintf(out, len, "%s AAAA %s", rr->owner, rr->data);
		break;
	case SF_T_CNAME:
		snprintf(out, len, "%s CNAME %s", rr->owner, rr->data);
		break;
	case SF_T_TXT:
		snprintf(out, len, "%s TXT %s", rr->owner, rr->data);
		break;
	default:
		snprintf(out, len, "%s TYPE%u %s", rr->owner, rr->type, rr->data);
		break;
	}
}

/* A whole answer as one text, records in the given order, one per line. */
static char *answer_text(const sf_dns_query *q, int sorted)
{
	char lines[64][600];
	size_t n = q->n_rr < 64 ? q->n_rr : 64;
	char *out = calloc(1, n * 601 + 64);

	assert_non_null(out);
	snprintf(out, 64, "%s\n", sf_dns_rcode_name(q->rcode));
	for (size_t i = 0; i < n; i++)
		rr_text(&q->rr[i], lines[i], sizeof(lines[i]));
	if (sorted)
		qsort(lines, n, sizeof(lines[0]), (int (*)(const void *, const void *))strcmp);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	return out;
}

struct row {
	const char *name;
	uint16_t type;
	sf_dns_rcode rcode;
	const char *want[MAX_WANT]; /* the answer in order, NULL-terminated */
};

static const struct row zone_rows[] = {
	/* SRV, targets lowercased, as published */
	{ "_sipfederationtls._tcp.steven.lab", SF_T_SRV, SF_DNS_NOERROR,
	  { "_sipfederationtls._tcp.steven.lab SRV 0 0 5061 vcse.steven.lab",
	    "_sipfederationtls._tcp.steven.lab SRV 10 5 5062 vcse2.steven.lab" } },
	{ "_sip._tls.steven.lab", SF_T_SRV, SF_DNS_NOERROR,
	  { "_sip._tls.steven.lab SRV 0 0 443 sipfed.online.lync.com" } },
	{ "_sipfederationtls._tcp.appended.steven.lab", SF_T_SRV, SF_DNS_NOERROR,
	  { "_sipfederationtls._tcp.appended.steven.lab SRV 0 0 5061 "
	    "sipfed.online.lync.com.steven.lab" } },
	/* addresses; case-insensitive, trailing dot accepted */
	{ "vcse.steven.lab", SF_T_A, SF_DNS_NOERROR, { "vcse.steven.lab A 10.48.36.47" } },
	{ "VCSE.Steven.LAB.", SF_T_A, SF_DNS_NOERROR, { "vcse.steven.lab A 10.48.36.47" } },
	{ "vcse.steven.lab", SF_T_AAAA, SF_DNS_NOERROR, { "vcse.steven.lab AAAA 2001:db8::47" } },
	{ "vcse2.steven.lab", SF_T_A, SF_DNS_NOERROR, { "vcse2.steven.lab A 10.48.36.48" } },
	{ "vcse.steven.lab", SF_T_TXT, SF_DNS_NOERROR, { NULL } },
	{ "txt.steven.lab", SF_T_TXT, SF_DNS_NOERROR, { "txt.steven.lab TXT v=spf1 -all" } },
	/* CNAME at the owner, followed */
	{ "alias.steven.lab", SF_T_A, SF_DNS_NOERROR,
	  { "alias.steven.lab CNAME vcse.steven.lab", "vcse.steven.lab A 10.48.36.47" } },
	{ "alias.steven.lab", SF_T_CNAME, SF_DNS_NOERROR,
	  { "alias.steven.lab CNAME vcse.steven.lab" } },
	{ "alias.steven.lab", SF_T_TXT, SF_DNS_NOERROR,
	  { "alias.steven.lab CNAME vcse.steven.lab" } },
	/* chain across two zone files, and back */
	{ "cross.steven.lab", SF_T_A, SF_DNS_NOERROR,
	  { "cross.steven.lab CNAME host.other.test", "host.other.test CNAME final.other.test",
	    "final.other.test A 198.51.100.9" } },
	{ "back.other.test", SF_T_AAAA, SF_DNS_NOERROR,
	  { "back.other.test CNAME vcse.steven.lab", "vcse.steven.lab AAAA 2001:db8::47" } },
	/* loop: each link once, no hang */
	{ "loop1.steven.lab", SF_T_A, SF_DNS_NOERROR,
	  { "loop1.steven.lab CNAME loop2.steven.lab",
	    "loop2.steven.lab CNAME loop1.steven.lab" } },
	/* RFC 6604: the rcode is that of the end of the chain */
	{ "dangling.steven.lab", SF_T_A, SF_DNS_NXDOMAIN,
	  { "dangling.steven.lab CNAME nothere.steven.lab" } },
	/* at most 8 links */
	{ "c1.steven.lab", SF_T_A, SF_DNS_NOERROR,
	  { "c1.steven.lab CNAME c2.steven.lab", "c2.steven.lab CNAME c3.steven.lab",
	    "c3.steven.lab CNAME c4.steven.lab", "c4.steven.lab CNAME c5.steven.lab",
	    "c5.steven.lab CNAME c6.steven.lab", "c6.steven.lab CNAME c7.steven.lab",
	    "c7.steven.lab CNAME c8.steven.lab", "c8.steven.lab CNAME c9.steven.lab" } },
	{ "c3.steven.lab", SF_T_A, SF_DNS_NOERROR,
	  { "c3.steven.lab CNAME c4.steven.lab", "c4.steven.lab CNAME c5.steven.lab",
	    "c5.steven.lab CNAME c6.steven.lab", "c6.steven.lab CNAME c7.steven.lab",
	    "c7.steven.lab CNAME c8.steven.lab", "c8.steven.lab CNAME c9.steven.lab",
	    "c9.steven.lab CNAME c10.steven.lab", "c10.steven.lab A 192.0.2.10" } },
	/* RFC 4592 wildcards: owner is the query name */
	{ "foo.wild.steven.lab", SF_T_A, SF_DNS_NOERROR, { "foo.wild.steven.lab A 192.0.2.1" } },
	{ "x.Y.wild.steven.lab", SF_T_TXT, SF_DNS_NOERROR, { "x.y.wild.steven.lab TXT wild" } },
	{ "foo.wild.steven.lab", SF_T_AAAA, SF_DNS_NOERROR, { NULL } },
	{ "wild.steven.lab", SF_T_A, SF_DNS_NOERROR, { NULL } },
	{ "*.wild.steven.lab", SF_T_A, SF_DNS_NOERROR, { "*.wild.steven.lab A 192.0.2.1" } },
	/* empty non-terminals exist (RFC 4592 2.2.2) but have no data */
	{ "b.ent.steven.lab", SF_T_A, SF_DNS_NOERROR, { NULL } },
	{ "ent.steven.lab", SF_T_A, SF_DNS_NOERROR, { NULL } },
	{ "a.b.ent.steven.lab", SF_T_A, SF_DNS_NOERROR, { "a.b.ent.steven.lab A 192.0.2.7" } },
	/* NXDOMAIN: inside a zone, under an ENT */
	{ "nope.steven.lab", SF_T_A, SF_DNS_NXDOMAIN, { NULL } },
	{ "_sipfederationtls._tcp.nope.steven.lab", SF_T_SRV, SF_DNS_NXDOMAIN, { NULL } },
	{ "c.b.ent.steven.lab", SF_T_A, SF_DNS_NXDOMAIN, { NULL } },
	/* no loaded zone covers the name (an ancestor of a zone neither): NOZONE */
	{ "example.net", SF_T_A, SF_DNS_NOZONE, { NULL } },
	{ "lab", SF_T_A, SF_DNS_NOZONE, { NULL } },
	{ "test", SF_T_SRV, SF_DNS_NOZONE, { NULL } },
	{ "_sipfederationtls._tcp.example.net", SF_T_SRV, SF_DNS_NOZONE, { NULL } },
	/* a CNAME that leaves the zones ends in NOZONE */
	{ "out.steven.lab", SF_T_A, SF_DNS_NOZONE, { "out.steven.lab CNAME host.example.net" } },
	/* the apex of a zone */
	{ "other.test", SF_T_A, SF_DNS_NOERROR, { NULL } },
	/* not a domain name */
	{ "a..b", SF_T_A, SF_DNS_ERROR, { NULL } },
	{ "", SF_T_A, SF_DNS_ERROR, { NULL } },
};

static char *want_text(const struct row *r)
{
	char *out = calloc(1, MAX_WANT * 256 + 64);

	assert_non_null(out);
	snprintf(out, 64, "%s\n", sf_dns_rcode_name(r->rcode));
	for (int i = 0; i < MAX_WANT && r->want[i]; i++) {
		strcat(out, r->want[i]);
		strcat(out, "\n");
	}
	return out;
}

/* The whole table as one batch, and each row alone: same answers. */
static void test_zone_table(void **state)
{
	size_t n = sizeof(zone_rows) / sizeof(zone_rows[0]);
	sf_dns_query *q = calloc(n, sizeof(*q));

	(void)state;
	assert_non_null(q);
	for (size_t i = 0; i < n; i++) {
		q[i].name = zone_rows[i].name;
		q[i].type = zone_rows[i].type;
	}
	assert_int_equal(sf_dns_resolve(F.zone, q, n), SF_OK);
	for (size_t i = 0; i < n; i++) {
		char *got = answer_text(&q[i], 0), *want = want_text(&zone_rows[i]);
		sf_dns_query one = { .name = zone_rows[i].name, .type = zone_rows[i].type };

		if (strcmp(got, want) != 0)
			fprintf(stderr, "row %zu %s/%u:\n got:\n%s want:\n%s", i, zone_rows[i].name,
				zone_rows[i].type, got, want);
		assert_string_equal(got, want);
		assert_int_equal(sf_dns_resolve(F.zone, &one, 1), SF_OK);
		free(got);
		got = answer_text(&one, 0);
		assert_string_equal(got, want);
		sf_dns_query_release(&one);
		assert_null(one.rr);
		assert_int_equal(one.n_rr, 0);
		free(got);
		free(want);
		sf_dns_query_release(&q[i]);
	}
	free(q);
}

/* A duplicate record is stored once (RFC 2181 5); the source survives reuse. */
static void test_zone_duplicates_and_multi_origin(void **state)
{
	char p[192], err[512];
	const char *files[1];
	sf_dns_source *z = NULL;
	sf_dns_query q[3] = {
		{ .name = "dup.multi.example", .type = SF_T_A },
		{ .name = "x.second.example", .type = SF_T_A },
		{ .name = "nx.second.example", .type = SF_T_A },
	};

	(void)state;
	path_in(p, sizeof(p), "multi.example.zone");
	write_file(p, "dup A 192.0.2.1\n"
		      "dup A 192.0.2.1\n"
		      "dup.multi.example. A 192.0.2.1\n"
		      "$ORIGIN second.example.\n"
		      "x A 192.0.2.2\n");
	files[0] = p;
	assert_int_equal(sf_dns_zone_new(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_dns_resolve(z, q, 3), SF_OK);
	assert_int_equal(q[0].rcode, SF_DNS_NOERROR);
	assert_int_equal(q[0].n_rr, 1);
	assert_string_equal(q[0].rr[0].data, "192.0.2.1");
	assert_int_equal(q[1].rcode, SF_DNS_NOERROR);
	assert_int_equal(q[1].n_rr, 1);
	/* second.example is a zone because records were read under that origin */
	assert_int_equal(q[2].rcode, SF_DNS_NXDOMAIN);
	for (int i = 0; i < 3; i++)
		sf_dns_query_release(&q[i]);
	sf_dns_source_free(z);
	sf_dns_source_free(NULL);
}

/* A zone file saved on Windows (CRLF line ends) loads like its LF twin. */
static void test_zone_crlf(void **state)
{
	char p[192], err[512];
	const char *files[1];
	sf_dns_source *z = NULL;
	sf_dns_query q[2] = {
		{ .name = "_sipfederationtls._tcp.crlf.example", .type = SF_T_SRV },
		{ .name = "txt.crlf.example", .type = SF_T_TXT },
	};

	(void)state;
	path_in(p, sizeof(p), "crlf.example.zone");
	write_file(p, "$ORIGIN crlf.example.\r\n"
		      "@ 3600 IN SOA ns hostmaster 1 3600 600 86400 300\r\n"
		      "_sipfederationtls._tcp SRV 0 0 5061 sip.crlf.example.\r\n"
		      "txt TXT \"a b\"\r\n");
	files[0] = p;
	assert_int_equal(sf_dns_zone_new(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_dns_resolve(z, q, 2), SF_OK);
	assert_int_equal(q[0].rcode, SF_DNS_NOERROR);
	assert_int_equal(q[0].n_rr, 1);
	assert_string_equal(q[0].rr[0].data, "sip.crlf.example");
	assert_int_equal(q[0].rr[0].port, 5061);
	assert_int_equal(q[1].n_rr, 1);
	assert_string_equal(q[1].rr[0].data, "a b");
	for (int i = 0; i < 2; i++)
		sf_dns_query_release(&q[i]);
	sf_dns_source_free(z);
}

struct bad_row {
	const char *file;
	const char *text;
	sf_status st;
	const char *msg_part; /* also: the message names the file */
};

static void test_zone_errors(void **state)
{
	static const struct bad_row rows[] = {
		{ "bad-ip.zone", "$ORIGIN bad.example.\n@ SOA ns h 1 2 3 4 5\nx A 999.1.1.1\n",
		  SF_EPARSE, "line 3: " },
		{ "bad-type.zone", "a A 192.0.2.1\nb NOSUCHTYPE 1\n", SF_EPARSE, "line 2: " },
		{ "bad-srv.zone", "\n\n\n_sip._tls SRV 0 0 port host\n", SF_EPARSE, "line 4: " },
		{ "missing.zone", NULL, SF_EIO, "No such file or directory" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char p[192], err[512], prefix[256];
		const char *files[2] = { F.other, p };
		sf_dns_source *z = (sf_dns_source *)&z;

		path_in(p, sizeof(p), rows[i].file);
		if (rows[i].text)
			write_file(p, rows[i].text);
		assert_int_equal(sf_dns_zone_new(files, 2, &z, err, sizeof(err)), rows[i].st);
		assert_null(z);
		snprintf(prefix, sizeof(prefix), "cannot %s '%s'",
			 rows[i].st == SF_EIO ? "read" : "parse", p);
		if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, rows[i].msg_part))
			fprintf(stderr, "row %zu: message '%s'\n", i, err);
		assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
		assert_non_null(strstr(err, rows[i].msg_part));
	}
}

/* 20,000 owners: every one answered, and misses are NXDOMAIN. */
static void test_zone_large(void **state)
{
	enum { N = 20000 };
	char p[192], err[512];
	const char *files[1];
	sf_dns_source *z = NULL;
	sf_dns_query *q = calloc(N + 1, sizeof(*q));
	char (*names)[64] = calloc(N + 1, sizeof(*names));
	FILE *fp;

	(void)state;
	assert_non_null(q);
	assert_non_null(names);
	path_in(p, sizeof(p), "big.example.zone");
	fp = fopen(p, "w");
	assert_non_null(fp);
	for (int i = 0; i < N; i++)
		fprintf(fp, "_sipfederationtls._tcp.d%d SRV 0 0 5061 sip.d%d\n"
			"sip.d%d A 10.%d.%d.%d\n",
			i, i, i, (i >> 16) & 255, (i >> 8) & 255, i & 255);
	assert_int_equal(fclose(fp), 0);
	files[0] = p;
	assert_int_equal(sf_dns_zone_new(files, 1, &z, err, sizeof(err)), SF_OK);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "sip.d%d.big.example", i);
		q[i].name = names[i];
		q[i].type = SF_T_A;
	}
	q[N].name = "sip.d20000.big.example";
	q[N].type = SF_T_A;
	assert_int_equal(sf_dns_resolve(z, q, N + 1), SF_OK);
	for (int i = 0; i < N; i++) {
		char want[32];

		snprintf(want, sizeof(want), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255,
			 i & 255);
		assert_int_equal(q[i].rcode, SF_DNS_NOERROR);
		assert_int_equal(q[i].n_rr, 1);
		assert_string_equal(q[i].rr[0].data, want);
		sf_dns_query_release(&q[i]);
	}
	assert_int_equal(q[N].rcode, SF_DNS_NXDOMAIN);
	sf_dns_source_free(z);
	free(q);
	free(names);
}

/* ---- origins, Windows exports, bounds, $INCLUDE (issue 9) ---- */

/* Loads @n entries; returns the status, the source in *out (NULL on failure). */
static sf_status load(const char *const *files, size_t n, sf_dns_source **out, char *err,
		      size_t errlen)
{
	*out = NULL;
	return sf_dns_zone_new(files, n, out, err, errlen);
}

/* The answer to one query: its rcode and first record's data ("" if none). */
static sf_dns_rcode ask(sf_dns_source *z, const char *name, uint16_t type, char *data,
			size_t len)
{
	sf_dns_query q = { .name = name, .type = type };
	sf_dns_rcode rc;

	assert_int_equal(sf_dns_resolve(z, &q, 1), SF_OK);
	rc = q.rcode;
	snprintf(data, len, "%s", q.n_rr ? q.rr[q.n_rr - 1].data : "");
	sf_dns_query_release(&q);
	return rc;
}

/* Does a note of @z contain @part? */
static int has_note(sf_dns_source *z, const char *part)
{
	size_t n;
	const char *const *v = sf_dns_zone_notes(z, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(v[i], part))
			return 1;
	return 0;
}

/* A zone without $ORIGIN, its SOA at '@', records relative to the origin. */
static const char plain_zone[] =
	"$TTL 300\n"
	"@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
	"@ NS ns1\n"
	"_sipfederationtls._tcp SRV 0 0 5061 sip\n"
	"sip A 192.0.2.61\n";

/*
 * The origin from the file name conventions of BIND and Windows: x.dns,
 * db.x, x.db, x.zone; each inferred origin gives a note naming the file.
 */
static void test_zone_origin_from_name(void **state)
{
	static const char *const names[] = { "contoso.com.dns", "db.fabrikam.com",
					     "adatum.com.db", "litware.com.zone", "db.x" };
	static const char *const zones[] = { "contoso.com", "fabrikam.com", "adatum.com",
					     "litware.com", "x" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[192], err[512], data[256], owner[128], note[256];
		const char *files[1] = { p };
		sf_dns_source *z;

		path_in(p, sizeof(p), names[i]);
		write_file(p, plain_zone);
		assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
		snprintf(owner, sizeof(owner), "_sipfederationtls._tcp.%s", zones[i]);
		if (ask(z, owner, SF_T_SRV, data, sizeof(data)) != SF_DNS_NOERROR)
			fprintf(stderr, "%s: %s not found\n", names[i], owner);
		assert_int_equal(ask(z, owner, SF_T_SRV, data, sizeof(data)), SF_DNS_NOERROR);
		snprintf(owner, sizeof(owner), "sip.%s", zones[i]);
		assert_string_equal(data, owner);
		snprintf(note, sizeof(note), "%s: origin %s (from the file name)", p, zones[i]);
		assert_true(has_note(z, note));
		sf_dns_source_free(z);
	}
}

/*
 * $ORIGIN, an absolute SOA owner and FILE@ORIGIN are not guesses (no note);
 * FILE@ORIGIN beats the file name, and only the part after the last '@'
 * counts; an existing file whose name has an '@' is that file.
 */
static void test_zone_origin_explicit(void **state)
{
	char p[192], spec[256], err[512], data[256];
	const char *files[1] = { spec };
	sf_dns_source *z;
	size_t n;

	(void)state;
	/* FILE@ORIGIN: the file name says nothing useful */
	path_in(p, sizeof(p), "export.txt");
	write_file(p, plain_zone);
	snprintf(spec, sizeof(spec), "%s@Contoso.COM.", p);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "_sipfederationtls._tcp.contoso.com", SF_T_SRV, data,
			     sizeof(data)),
			 SF_DNS_NOERROR);
	assert_string_equal(data, "sip.contoso.com");
	sf_dns_zone_notes(z, &n);
	assert_int_equal(n, 0);
	sf_dns_source_free(z);

	/* the last '@' counts: "a@b.zone@contoso.net" is the file "a@b.zone" */
	path_in(p, sizeof(p), "a@b.zone");
	write_file(p, plain_zone);
	snprintf(spec, sizeof(spec), "%s@contoso.net", p);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "sip.contoso.net", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	sf_dns_source_free(z);

	/* an existing file named "...@b.zone" is that file (origin from its name) */
	snprintf(spec, sizeof(spec), "%s", p);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "sip.a@b", SF_T_A, data, sizeof(data)) == SF_DNS_NOERROR ||
				 has_note(z, "origin ."),
			 1);
	sf_dns_source_free(z);

	/* what follows '@' is no domain name: the whole entry is the path */
	path_in(p, sizeof(p), "missing.zone@not a name");
	snprintf(spec, sizeof(spec), "%s", p);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_EIO);
	assert_non_null(strstr(err, "missing.zone@not a name"));

	/* an absolute SOA owner first: the origin, even against the file name */
	path_in(p, sizeof(p), "wrong.example.zone");
	write_file(p, "fabrikam.com. 3600 IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
		      "sip A 192.0.2.62\n");
	snprintf(spec, sizeof(spec), "%s", p);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "sip.fabrikam.com", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	assert_int_equal(ask(z, "sip.wrong.example", SF_T_A, data, sizeof(data)), SF_DNS_NOZONE);
	sf_dns_zone_notes(z, &n);
	assert_int_equal(n, 0);
	sf_dns_source_free(z);
}

/*
 * A Windows DNS Manager export: header comment naming the zone, CRLF line
 * ends, aging stamps before the TTL, '@' owners and blank-owner lines.
 */
static void test_zone_windows_export(void **state)
{
	static const char text[] =
		";\r\n"
		";  Database file contoso.com.dns for contoso.com zone.\r\n"
		";      Zone version:  42\r\n"
		";\r\n"
		"\r\n"
		"@                       IN  SOA dc1.contoso.com.  hostmaster.contoso.com. (\r\n"
		"                        \t42           ; serial number\r\n"
		"                        \t900          ; refresh\r\n"
		"                        \t600          ; retry\r\n"
		"                        \t86400        ; expire\r\n"
		"                        \t3600       ) ; default TTL\r\n"
		"\r\n"
		";\r\n"
		";  Zone NS records\r\n"
		";\r\n"
		"\r\n"
		"@                       NS\tdc1.contoso.com.\r\n"
		"\r\n"
		";\r\n"
		";  Zone records\r\n"
		";\r\n"
		"\r\n"
		"@                       [AGE:3675432] 600 A\t203.0.113.1\r\n"
		"_sipfederationtls._tcp  SRV\t0 0 5061 sip.contoso.com.\r\n"
		"dc1                     A\t203.0.113.53\r\n"
		"sip                     [AGE:3675432] 1200\tA\t203.0.113.61\r\n"
		"                        [AGE:3675433] 1200\tAAAA\t2001:db8::61\r\n"
		"txt                     TXT\t\"[AGE:1] stays in a string\"\r\n";
	char p[192], err[512], data[256];
	const char *files[1] = { p };
	sf_dns_source *z;

	(void)state;
	/* The file name is no help: the header names the zone. */
	path_in(p, sizeof(p), "export-2026.txt");
	write_file(p, text);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "_sipfederationtls._tcp.contoso.com", SF_T_SRV, data,
			     sizeof(data)),
			 SF_DNS_NOERROR);
	assert_string_equal(data, "sip.contoso.com");
	assert_int_equal(ask(z, "sip.contoso.com", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	assert_string_equal(data, "203.0.113.61");
	assert_int_equal(ask(z, "sip.contoso.com", SF_T_AAAA, data, sizeof(data)),
			 SF_DNS_NOERROR);
	assert_string_equal(data, "2001:db8::61");
	assert_int_equal(ask(z, "contoso.com", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	assert_string_equal(data, "203.0.113.1");
	assert_int_equal(ask(z, "txt.contoso.com", SF_T_TXT, data, sizeof(data)), SF_DNS_NOERROR);
	assert_string_equal(data, "[AGE:1] stays in a string");
	assert_true(has_note(z, "origin contoso.com (from the Windows DNS export header)"));
	sf_dns_source_free(z);

	/* Named as Windows names it, without the header: the name gives the origin. */
	path_in(p, sizeof(p), "contoso.com.dns");
	write_file(p, strstr(text, "\r\n@ ") + 2);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "sip.contoso.com", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	assert_string_equal(data, "203.0.113.61");
	sf_dns_source_free(z);
}

/* /dev/zero, a FIFO, a directory: a clear error at once, nothing read. */
static void test_zone_not_regular(void **state)
{
	char fifo[192], err[512];
	const char *files[1];
	sf_dns_source *z;
	static const struct {
		const char *path;
		const char *msg;
	} rows[] = {
		{ "/dev/zero", "a character device, not a regular zone file" },
		{ NULL, "a FIFO, not a regular zone file" },
		{ "", "a directory, not a regular zone file" },
	};

	(void)state;
	path_in(fifo, sizeof(fifo), "zone.fifo");
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char prefix[256];

		files[0] = rows[i].path ? (rows[i].path[0] ? rows[i].path : F.dir) : fifo;
		assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_EIO);
		assert_null(z);
		snprintf(prefix, sizeof(prefix), "cannot read '%s': ", files[0]);
		if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, rows[i].msg))
			fprintf(stderr, "%s: '%s'\n", files[0], err);
		assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
		assert_non_null(strstr(err, rows[i].msg));
	}
	unlink(fifo);
}

/* $INCLUDE: inside the directory only, no loop, bounded depth; the origin passes. */
static void test_zone_include(void **state)
{
	char dir[192], sub[256], outside[192], p[512], q[512], link[512], err[1024], data[256];
	const char *files[1] = { p };
	sf_dns_source *z;

	(void)state;
	path_in(dir, sizeof(dir), "inc");
	mkdir(dir, 0700);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0700);
	path_in(outside, sizeof(outside), "outside.inc");
	write_file(outside, "evil A 192.0.2.66\n");

	/* Allowed: a file in a sub-directory, with its own origin, then back. */
	snprintf(q, sizeof(q), "%s/hosts.inc", sub);
	write_file(q, "sip A 192.0.2.61\n");
	snprintf(p, sizeof(p), "%s/good.example.zone", dir);
	write_file(p, "$ORIGIN good.example.\n"
		      "@ SOA ns1 hostmaster 1 3600 600 86400 300\n"
		      "$INCLUDE sub/hosts.inc edge.good.example.\n"
		      "after A 192.0.2.62\n");
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "sip.edge.good.example", SF_T_A, data, sizeof(data)),
			 SF_DNS_NOERROR);
	assert_int_equal(ask(z, "after.good.example", SF_T_A, data, sizeof(data)),
			 SF_DNS_NOERROR);
	sf_dns_source_free(z);

	static const struct {
		const char *directive; /* "@": the outside file */
		const char *msg;
	} rows[] = {
		{ "$INCLUDE ../outside.inc\n", "outside the directory of the zone file" },
		{ "$INCLUDE @\n", "outside the directory of the zone file" },
		{ "$INCLUDE escape.inc\n", "outside the directory of the zone file" },
		{ "$INCLUDE bad.example.zone\n", "it is the file itself" },
		{ "$INCLUDE loop.inc\n", "a loop" },
		{ "$INCLUDE d1.inc\n", "more than 4 nested $INCLUDE levels" },
		{ "$INCLUDE /dev/zero\n", "outside the directory" },
		{ "$INCLUDE nothere.inc\n", "No such file or directory" },
	};

	/* A symbolic link inside the directory that points out of it. */
	snprintf(link, sizeof(link), "%s/escape.inc", dir);
	unlink(link);
	assert_int_equal(symlink(outside, link), 0);
	/* loop.inc includes the zone file back. */
	snprintf(q, sizeof(q), "%s/loop.inc", dir);
	write_file(q, "$INCLUDE bad.example.zone\n");
	/* d1 -> d2 -> ... -> d6: too deep. */
	for (int i = 1; i <= 6; i++) {
		char t[64];

		snprintf(q, sizeof(q), "%s/d%d.inc", dir, i);
		snprintf(t, sizeof(t), "$INCLUDE d%d.inc\nx%d A 192.0.2.%d\n", i + 1, i, i);
		write_file(q, i < 6 ? t : "last A 192.0.2.9\n");
	}
	snprintf(p, sizeof(p), "%s/bad.example.zone", dir);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[512];

		if (strcmp(rows[i].directive, "$INCLUDE @\n") == 0)
			snprintf(text, sizeof(text), "$INCLUDE %s\n", outside);
		else
			snprintf(text, sizeof(text), "%s", rows[i].directive);
		write_file(p, text);
		assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_EIO);
		assert_null(z);
		if (!strstr(err, rows[i].msg) || !strstr(err, "cannot include '"))
			fprintf(stderr, "row %zu: '%s'\n", i, err);
		assert_non_null(strstr(err, "cannot include '"));
		assert_non_null(strstr(err, rows[i].msg));
	}
	/* Four levels are fine. */
	snprintf(q, sizeof(q), "%s/d5.inc", dir);
	write_file(q, "last A 192.0.2.9\n");
	write_file(p, "$ORIGIN bad.example.\n$INCLUDE d2.inc\n");
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(ask(z, "last.bad.example", SF_T_A, data, sizeof(data)), SF_DNS_NOERROR);
	sf_dns_source_free(z);
}

/*
 * 100,000 records at one owner (and duplicates of some of them) load, each
 * record once, in file order.  Not timed here (tests are never timed).
 * Measured on the development machine, `sipfed check` on such a zone: 16.3 s
 * with the duplicate check at each insertion (O(N^2)), 0.09 s with the
 * deduplication by sorting after the load.
 */
static void test_zone_one_owner(void **state)
{
	enum { N = 100000 };
	char p[192], err[512];
	const char *files[1] = { p };
	sf_dns_source *z;
	sf_dns_query q = { .name = "many.one.example", .type = SF_T_TXT };
	FILE *fp;

	(void)state;
	path_in(p, sizeof(p), "one.example.zone");
	fp = fopen(p, "w");
	assert_non_null(fp);
	for (int i = 0; i < N; i++)
		fprintf(fp, "many TXT \"r%d\"\n", i);
	for (int i = 0; i < N; i += 1000)
		fprintf(fp, "many TXT \"r%d\"\n", i); /* duplicates, dropped */
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(load(files, 1, &z, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_dns_resolve(z, &q, 1), SF_OK);
	assert_int_equal(q.rcode, SF_DNS_NOERROR);
	assert_int_equal(q.n_rr, N);
	assert_string_equal(q.rr[0].data, "r0");
	assert_string_equal(q.rr[N - 1].data, "r99999");
	assert_string_equal(q.rr[12345].data, "r12345");
	sf_dns_query_release(&q);
	sf_dns_source_free(z);
}

/* ---- live source ---- */

static void test_live_bad_resolver(void **state)
{
	static const char *bad[] = { "1.2.3", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:x",
				     "1.2.3.4:", "[::1", "[::1]x", "[::1]:", "[1.2.3.4]:53",
				     "ns.example", "", "1.2.3.4:53:53", "1.2.3.4: 53" };
	static const char *good[] = { "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256], want[256];
		sf_dns_source *s = (sf_dns_source *)&s;

		assert_int_equal(sf_dns_live_new(bad[i], 500, &s, err, sizeof(err)), SF_EINVAL);
		assert_null(s);
		snprintf(want, sizeof(want), "invalid resolver '%s': expected IP[:PORT]", bad[i]);
		assert_string_equal(err, want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char err[256];
		sf_dns_source *s = NULL;

		assert_int_equal(sf_dns_live_new(good[i], 500, &s, err, sizeof(err)), SF_OK);
		assert_non_null(s);
		sf_dns_source_free(s);
	}
	/* NULL: the system resolver (nothing is sent here) */
	{
		char err[256];
		sf_dns_source *s = NULL;

		assert_int_equal(sf_dns_live_new(NULL, 0, &s, err, sizeof(err)), SF_OK);
		assert_non_null(s);
		sf_dns_source_free(s);
	}
}

/* A loopback port nobody answers on: bound but silent, or closed. */
static int quiet_socket(int type, int *out_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*out_port = ntohs(a.sin_port);
	return fd;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_live_no_server(void **state)
{
	int port, fd;
	char res[64], err[256];

	(void)state;
	/* 1: a UDP socket that never answers: TIMEOUT, within ~500 ms. */
	fd = quiet_socket(SOCK_DGRAM, &port);
	for (int round = 0; round < 2; round++) {
		sf_dns_source *s = NULL;
		sf_dns_query q[3] = {
			{ .name = "vcse.steven.lab", .type = SF_T_A },
			{ .name = "_sipfederationtls._tcp.steven.lab", .type = SF_T_SRV },
			{ .name = "steven.lab", .type = SF_T_TXT },
		};
		int64_t t0, dt;

		snprintf(res, sizeof(res), "127.0.0.1:%d", port);
		assert_int_equal(sf_dns_live_new(res, 500, &s, err, sizeof(err)), SF_OK);
		t0 = mono_ms();
		assert_int_equal(sf_dns_resolve(s, q, 3), SF_OK);
		dt = mono_ms() - t0;
		for (int i = 0; i < 3; i++) {
			if (round == 0)
				assert_int_equal(q[i].rcode, SF_DNS_TIMEOUT);
			else
				assert_true(q[i].rcode == SF_DNS_TIMEOUT ||
					    q[i].rcode == SF_DNS_UNREACHABLE);
			assert_int_equal(q[i].n_rr, 0);
		}
		if (round == 0)
			assert_true(dt >= 300);
		assert_true(dt < 1500);
		sf_dns_source_free(s);
		/* 2: the same port closed: TIMEOUT or UNREACHABLE, never a hang. */
		close(fd);
	}
}

/*
 * A hostile server for the live parser: answers by the first label of the
 * query name with crafted messages (malformed RDATA, a missing RR, failure
 * rcodes), drops "drop.*".  Runs in a child for at most 5 s.
 */
static void fake_server(int fd)
{
	int64_t end = mono_ms() + 5000;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		uint8_t in[512], out[1024];
		ssize_t n;
		size_t qend = 12, o;
		int64_t left = end - mono_ms();
		char label[64] = "";

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			_exit(0);
		n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
		if (n < 17)
			continue;
		/* question: labels up to the root, then type and class */
		while (qend < (size_t)n && in[qend] != 0 && in[qend] < 64)
			qend += 1 + in[qend];
		if (qend + 5 > (size_t)n)
			continue;
		if (in[12] < sizeof(label)) {
			memcpy(label, in + 13, in[12]);
			label[in[12]] = '\0';
		}
		qend += 5;
		memcpy(out, in, qend);
		out[2] = 0x81; /* QR, RD */
		out[3] = 0x80; /* RA, NOERROR */
		memset(out + 6, 0, 6);
		o = qend;
		if (strcmp(label, "drop") == 0) {
			continue;
		} else if (strcmp(label, "fail") == 0) {
			out[3] |= 2;
		} else if (strcmp(label, "nx") == 0) {
			out[3] |= 3;
		} else if (strcmp(label, "refused") == 0) {
			out[3] |= 5;
		} else {
			/* one answer RR owned by the query name (pointer to offset 12) */
			static const uint8_t bad_a[] = { 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 10, 0, 0 };
			static const uint8_t txt_nul[] = { 0, 16, 0, 1, 0, 0, 0, 60, 0, 8,
							   3, 'a', 0, 'b', 3, 'c', 'd', 'e' };
			static const uint8_t srv_bad[] = { 0, 33, 0, 1, 0, 0, 0, 60, 0, 9,
							   0, 0, 0, 0, 0x13, 0xc5, 5, 'a', 'b' };
			const uint8_t *rr = bad_a;
			size_t rl = sizeof(bad_a);

			if (strcmp(label, "txt") == 0) {
				rr = txt_nul;
				rl = sizeof(txt_nul);
			} else if (strcmp(label, "srv") == 0) {
				rr = srv_bad;
				rl = sizeof(srv_bad);
			}
			out[7] = strcmp(label, "short") == 0 ? 2 : 1; /* "short": ANCOUNT lies */
			out[o++] = 0xc0;
			out[o++] = 12;
			memcpy(out + o, rr, rl);
			o += rl;
		}
		sendto(fd, out, o, 0, (struct sockaddr *)&from, fl);
	}
}

static void test_live_hostile_answers(void **state)
{
	static const struct {
		const char *name;
		uint16_t type;
		sf_dns_rcode rcode;
		const char *data; /* of the only record, or NULL for none */
	} rows[] = {
		{ "bad.test", SF_T_A, SF_DNS_ERROR, NULL },
		{ "short.test", SF_T_A, SF_DNS_ERROR, NULL },
		{ "srv.test", SF_T_SRV, SF_DNS_ERROR, NULL },
		{ "txt.test", SF_T_TXT, SF_DNS_NOERROR, "a\\000bcde" },
		{ "fail.test", SF_T_A, SF_DNS_SERVFAIL, NULL },
		{ "nx.test", SF_T_A, SF_DNS_NXDOMAIN, NULL },
		{ "refused.test", SF_T_A, SF_DNS_REFUSED, NULL },
		{ "drop.test", SF_T_A, SF_DNS_TIMEOUT, NULL },
	};
	enum { N = sizeof(rows) / sizeof(rows[0]) };
	sf_dns_query q[N];
	char res[64], err[256];
	sf_dns_source *live = NULL;
	int port, fd = quiet_socket(SOCK_DGRAM, &port);
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		fake_server(fd);
	close(fd);
	memset(q, 0, sizeof(q));
	for (size_t i = 0; i < N; i++) {
		q[i].name = rows[i].name;
		q[i].type = rows[i].type;
	}
	snprintf(res, sizeof(res), "127.0.0.1:%d", port);
	assert_int_equal(sf_dns_live_new(res, 600, &live, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_dns_resolve(live, q, N), SF_OK);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (size_t i = 0; i < N; i++) {
		if (q[i].rcode != rows[i].rcode)
			fprintf(stderr, "%s: got %s\n", rows[i].name,
				sf_dns_rcode_name(q[i].rcode));
		assert_int_equal(q[i].rcode, rows[i].rcode);
		if (rows[i].data) {
			assert_int_equal(q[i].n_rr, 1);
			assert_string_equal(q[i].rr[0].owner, rows[i].name);
			assert_string_equal(q[i].rr[0].data, rows[i].data);
		} else {
			assert_int_equal(q[i].n_rr, 0);
		}
		sf_dns_query_release(&q[i]);
	}
	sf_dns_source_free(live);
}

static int find_knotd(char *out, size_t len)
{
	const char *env = getenv("SIPFED_KNOTD");
	const char *path = getenv("PATH");
	char dirs[2048];

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, X_OK);
	}
	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/usr/local/sbin:/sbin", path ? path : "");
	for (char *d = dirs, *end; d; d = end ? end + 1 : NULL) {
		end = strchr(d, ':');
		if (end)
			*end = '\0';
		if (!*d)
			continue;
		snprintf(out, len, "%s/knotd", d);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* A port free for both UDP and TCP on 127.0.0.1 right now. */
static int free_port(void)
{
	for (int tries = 0; tries < 20; tries++) {
		int pu, fu = quiet_socket(SOCK_DGRAM, &pu);
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons((uint16_t)pu),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int ft = socket(AF_INET, SOCK_STREAM, 0);
		int ok = ft >= 0 && bind(ft, (struct sockaddr *)&a, sizeof(a)) == 0;

		close(fu);
		if (ft >= 0)
			close(ft);
		if (ok && pu > 1024)
			return pu;
	}
	return -1;
}

/* Starts knotd on the test zones once; 0 if it answers, -1 if unavailable. */
static int knotd_start(void)
{
	char knotd[2100], conf[192], logp[192], sub[192], text[2048], res[64], err[256];
	sf_dns_source *s = NULL;

	if (F.knot_tried)
		return F.knot_ok ? 0 : -1;
	F.knot_tried = 1;
	if (find_knotd(knotd, sizeof(knotd)) != 0)
		return -1;
	F.knot_port = free_port();
	assert_true(F.knot_port > 0);
	path_in(conf, sizeof(conf), "knot.conf");
	path_in(logp, sizeof(logp), "knotd.log");
	snprintf(text, sizeof(text),
		 "server:\n"
		 "    rundir: \"%s/run\"\n"
		 "    listen: 127.0.0.1@%d\n"
		 "database:\n"
		 "    storage: \"%s/db\"\n"
		 "template:\n"
		 "  - id: default\n"
		 "    storage: \"%s\"\n"
		 "    journal-content: none\n"
		 "    zonefile-sync: -1\n"
		 "    zonefile-load: whole\n"
		 "zone:\n"
		 "  - domain: steven.lab\n"
		 "    file: \"%s\"\n"
		 "  - domain: other.test\n"
		 "    file: \"%s\"\n"
		 "log:\n"
		 "  - target: stderr\n"
		 "    any: warning\n",
		 F.dir, F.knot_port, F.dir, F.dir, F.steven, F.other);
	write_file(conf, text);
	path_in(sub, sizeof(sub), "run");
	assert_int_equal(mkdir(sub, 0700), 0);
	path_in(sub, sizeof(sub), "db");
	assert_int_equal(mkdir(sub, 0700), 0);

	F.knotd = fork();
	assert_true(F.knotd >= 0);
	if (F.knotd == 0) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(knotd, "knotd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	/* Wait (at most 10 s) until both zones are served. */
	snprintf(res, sizeof(res), "127.0.0.1:%d", F.knot_port);
	assert_int_equal(sf_dns_live_new(res, 200, &s, err, sizeof(err)), SF_OK);
	for (int i = 0; i < 100 && !F.knot_ok; i++) {
		sf_dns_query q[2] = { { .name = "vcse.steven.lab", .type = SF_T_A },
				      { .name = "final.other.test", .type = SF_T_A } };

		assert_int_equal(sf_dns_resolve(s, q, 2), SF_OK);
		F.knot_ok = q[0].rcode == SF_DNS_NOERROR && q[0].n_rr == 1 &&
			    q[1].rcode == SF_DNS_NOERROR && q[1].n_rr == 1;
		sf_dns_query_release(&q[0]);
		sf_dns_query_release(&q[1]);
		if (!F.knot_ok) {
			if (waitpid(F.knotd, NULL, WNOHANG) == F.knotd) {
				F.knotd = 0;
				break;
			}
			usleep(100 * 1000);
		}
	}
	sf_dns_source_free(s);
	if (!F.knot_ok) {
		fprintf(stderr, "knotd did not come up; see %s\n", logp);
		knotd_stop();
		fail_msg("knotd is installed but did not serve the test zones");
	}
	return 0;
}

/* Queries whose answers an authoritative knotd and the zone source share. */
static const struct {
	const char *name;
	uint16_t type;
} same_rows[] = {
	{ "_sipfederationtls._tcp.steven.lab", SF_T_SRV },
	{ "_sip._tls.steven.lab", SF_T_SRV },
	{ "_sipfederationtls._tcp.appended.steven.lab", SF_T_SRV },
	{ "vcse.steven.lab", SF_T_A },
	{ "VCSE.steven.lab.", SF_T_AAAA },
	{ "alias.steven.lab", SF_T_A },
	{ "alias.steven.lab", SF_T_CNAME },
	{ "loop1.steven.lab", SF_T_A },
	{ "dangling.steven.lab", SF_T_A },
	{ "foo.wild.steven.lab", SF_T_A },
	{ "foo.wild.steven.lab", SF_T_TXT },
	{ "txt.steven.lab", SF_T_TXT },
	{ "ent.steven.lab", SF_T_A },
	{ "vcse.steven.lab", SF_T_TXT },
	{ "nope.steven.lab", SF_T_A },
	{ "_sipfederationtls._tcp.nope.steven.lab", SF_T_SRV },
	{ "final.other.test", SF_T_A },
	{ "back.other.test", SF_T_CNAME },
};

static void test_live_matches_zone(void **state)
{
	size_t n = sizeof(same_rows) / sizeof(same_rows[0]);
	sf_dns_query *lq = calloc(n + 1, sizeof(*lq)), *zq = calloc(n + 1, sizeof(*zq));
	char res[64], err[256];
	sf_dns_source *live = NULL;

	(void)state;
	if (knotd_start() != 0) {
		free(lq);
		free(zq);
		skip();
	}
	assert_non_null(lq);
	assert_non_null(zq);
	snprintf(res, sizeof(res), "127.0.0.1:%d", F.knot_port);
	assert_int_equal(sf_dns_live_new(res, 2000, &live, err, sizeof(err)), SF_OK);
	for (size_t i = 0; i < n; i++) {
		lq[i].name = zq[i].name = same_rows[i].name;
		lq[i].type = zq[i].type = same_rows[i].type;
	}
	/* One more: a CNAME into another zone, which knotd does not chase. */
	lq[n].name = zq[n].name = "cross.steven.lab";
	lq[n].type = zq[n].type = SF_T_A;
	assert_int_equal(sf_dns_resolve(live, lq, n + 1), SF_OK);
	assert_int_equal(sf_dns_resolve(F.zone, zq, n + 1), SF_OK);
	for (size_t i = 0; i < n; i++) {
		/* knotd sorts an RRset canonically; compare as sets */
		char *l = answer_text(&lq[i], 1), *z = answer_text(&zq[i], 1);

		if (strcmp(l, z) != 0)
			fprintf(stderr, "%s/%u:\n live:\n%s zone:\n%s", same_rows[i].name,
				same_rows[i].type, l, z);
		assert_string_equal(l, z);
		free(l);
		free(z);
	}
	/* The live answer is a prefix of the zone source's full chain. */
	assert_int_equal(lq[n].rcode, SF_DNS_NOERROR);
	assert_true(lq[n].n_rr >= 1 && lq[n].n_rr <= zq[n].n_rr);
	for (size_t j = 0; j < lq[n].n_rr; j++) {
		assert_int_equal(lq[n].rr[j].type, zq[n].rr[j].type);
		assert_string_equal(lq[n].rr[j].owner, zq[n].rr[j].owner);
		assert_string_equal(lq[n].rr[j].data, zq[n].rr[j].data);
	}
	for (size_t i = 0; i <= n; i++) {
		sf_dns_query_release(&lq[i]);
		sf_dns_query_release(&zq[i]);
	}
	sf_dns_source_free(live);
	free(lq);
	free(zq);
}

/* Names outside knotd's zones: REFUSED, reported as such. */
static void test_live_refused(void **state)
{
	char res[64], err[256];
	sf_dns_source *live = NULL;
	sf_dns_query q = { .name = "example.net", .type = SF_T_A };

	(void)state;
	if (knotd_start() != 0)
		skip();
	snprintf(res, sizeof(res), "127.0.0.1:%d", F.knot_port);
	assert_int_equal(sf_dns_live_new(res, 2000, &live, err, sizeof(err)), SF_OK);
	assert_int_equal(sf_dns_resolve(live, &q, 1), SF_OK);
	assert_int_equal(q.rcode, SF_DNS_REFUSED);
	assert_int_equal(q.n_rr, 0);
	sf_dns_source_free(live);
}

static void test_rcode_names(void **state)
{
	(void)state;
	assert_string_equal(sf_dns_rcode_name(SF_DNS_NOERROR), "NOERROR");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_SERVFAIL), "SERVFAIL");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_REFUSED), "REFUSED");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_TIMEOUT), "TIMEOUT");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_UNREACHABLE), "UNREACHABLE");
	assert_string_equal(sf_dns_rcode_name(SF_DNS_ERROR), "ERROR");
	/* the end of "DNS lookup of NAME failed: ..." */
	assert_string_equal(sf_dns_rcode_name(SF_DNS_NOZONE), "no --zone file covers this name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcode_names),
		cmocka_unit_test(test_zone_table),
		cmocka_unit_test(test_zone_duplicates_and_multi_origin),
		cmocka_unit_test(test_zone_crlf),
		cmocka_unit_test(test_zone_errors),
		cmocka_unit_test(test_zone_large),
		cmocka_unit_test(test_zone_origin_from_name),
		cmocka_unit_test(test_zone_origin_explicit),
		cmocka_unit_test(test_zone_windows_export),
		cmocka_unit_test(test_zone_not_regular),
		cmocka_unit_test(test_zone_include),
		cmocka_unit_test(test_zone_one_owner),
		cmocka_unit_test(test_live_bad_resolver),
		cmocka_unit_test(test_live_no_server),
		cmocka_unit_test(test_live_hostile_answers),
		cmocka_unit_test(test_live_matches_zone),
		cmocka_unit_test(test_live_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
