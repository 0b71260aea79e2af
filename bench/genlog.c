/*
 * genlog: writes a synthetic Cisco Expressway-E diagnostic log for the
 * `sipfed logs` benchmark (bench/run-logs), plus a sidecar FILE.count that
 * says how many federation failures it contains.
 *
 *   genlog [-s SEED] [-f LINES] sparse|dense SIZE FILE
 *
 * sparse: ordinary one-line diagnostic records of several modules
 *         (network.sip, network.tcp, network.tls, network.dns, ...), an
 *         OPTIONS keep-alive SIPMSG pair now and then, and a federation
 *         failure about every 100,000 lines.
 * dense:  nothing but SIPMSG blocks: whole calls (INVITE, 100, 180, 200,
 *         ACK, BYE, 200) between the Expressway-E and Skype for Business
 *         partners, and a failed call about every 20,000 lines.
 *
 * A failure is one SIPMSG block "|SIP/2.0 504 Server time-out" received from
 * "Server: RTC/6.0": either bare (SPEC LOG-003: the DNS or certificate rule
 * is on the Microsoft side) or with an ms-diagnostics 1009 or 1010 header
 * (LOG-001).  Nothing else in the files is a failure: only 1xx and 2xx
 * responses, no search-history "Server time-out" lines.
 *
 * SIZE is in bytes with an optional k, M or G suffix (powers of 1000); the
 * file ends after the record or call that crosses SIZE.  Output depends only
 * on SEED, SIZE and LINES.  All names and addresses are invented
 * (example/test domains, RFC 5737 and RFC 1918 addresses).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_CAP (1u << 20)

/* Expressway-E: external (toward federation partners) and internal addresses. */
#define EXPE_EXT "198.51.100.20"
#define EXPE_INT "10.44.12.7"
#define EXPC_IP "10.44.12.6"
#define EXPE_FQDN "vcse.kestrelpoint.example"
#define UC_DOMAIN "kestrelpoint.example"
#define MEET_DOMAIN "meet.kestrelpoint.example"
#define EXPE_UA "TANDBERG/4352 (X14.3.1)"
#define MS_SERVER "RTC/6.0"
#define MS_CLIENT_UA "UCCAPI/16.0.5215.1000 OC/16.0.5215.1000 (Skype for Business)"

/* 2026-11-23T09:00:00Z, i.e. 10:00:00 at the +01:00 offset the log is written in. */
#define START_EPOCH 1795424400LL

static const char *const first_names[] = {
	"amira", "bastian", "celine", "dario", "elif", "farid", "greta", "hiro",
	"ines", "jonas", "kaia", "lorenzo", "maren", "nikos", "oona", "pavel",
	"quinn", "rosalind", "sven", "talia", "ugo", "vera", "wim", "xenia",
	"yusuf", "zora",
};

static const char *const last_names[] = {
	"achterberg", "brannigan", "castellvi", "dunmore", "eskelinen", "falkner",
	"grimaldi", "holloway", "ibarreta", "juvonen", "kastelic", "lindqvist",
	"montague", "novacek", "oyelaran", "pettersen", "quarles", "ravensworth",
	"szabados", "thornbury", "umberfield", "vasquez-lind", "wetherell", "zeller",
};

/* Federation partners running Skype for Business / Lync (Microsoft side). */
static const char *const partners[] = {
	"orchardlane.example", "bluefjord.example", "harrowgate.test",
	"tamarind-labs.example", "quarrystone.example", "emberwick.test",
	"saltmarsh-group.example", "northcairn.example",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct gen {
	int fd;
	char *buf;
	size_t len;
	int err;            /* errno of the first failed write, 0 if none */
	uint64_t bytes;     /* written or buffered */
	uint64_t lines;
	uint64_t rng;
	int64_t now_ms;     /* milliseconds since START_EPOCH */
	int64_t stamp_sec;  /* second the cached stamps are for, -1 if none */
	char local[24];     /* "2026-11-23T10:00:00" */
	char utc[24];       /* "2026-11-23 09:00:00" */
	uint64_t next_fail; /* line number after which the next failure goes */
	uint64_t fail_every;
	/* counts for the sidecar */
	uint64_t rg_lines;  /* lines with "SIPMSG", "ms-diagnostics" or "$$begin_record" */
	uint64_t bare_504, msdiag_1009, msdiag_1010;
	uint64_t calls, sipmsgs;
} gen;

/* One call between a user of ours and a user of a partner. */
typedef struct call {
	int outbound;          /* we send the INVITE */
	unsigned first, last;  /* our user */
	unsigned rfirst, rlast; /* the partner's user */
	unsigned partner;
	unsigned edge_octet;   /* partner Edge 203.0.113.x */
	unsigned ep_octet;     /* our endpoint 10.44.80.x */
	unsigned local_port, ep_port, expc_port, media_port;
	uint32_t cseq;
	char call_id[37];
	char from_tag[17];
	char to_tag[33];
	char branch1[66];
	char branch2[39];
	char branch3[33];
	char pcid1[37];
	char pcid2[37];
	char epid[11];
} call;

/* splitmix64: small, fast, good enough for synthetic text. */
static uint64_t rnd64(gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (multiply-shift; the bias is far below what matters here). */
static unsigned rnd(gen *g, unsigned n)
{
	return (unsigned)(((rnd64(g) >> 32) * (uint64_t)n) >> 32);
}

static void flush_buf(gen *g)
{
	size_t off = 0;

	while (off < g->len && g->err == 0) {
		ssize_t w = write(g->fd, g->buf + off, g->len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			g->err = errno;
			break;
		}
		off += (size_t)w;
	}
	g->len = 0;
}

static void put(gen *g, const char *s, size_t n)
{
	if (g->len + n > BUF_CAP)
		flush_buf(g);
	if (n > BUF_CAP) {
		/* never happens with our pieces (all far below 1 MiB) */
		g->err = E2BIG;
		return;
	}
	memcpy(g->buf + g->len, s, n);
	g->len += n;
	g->bytes += n;
}

static void puts_g(gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void putc_g(gen *g, char c)
{
	put(g, &c, 1);
}

static void nl(gen *g)
{
	putc_g(g, '\n');
	g->lines++;
}

static void put_u(gen *g, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && i > 0);
	put(g, tmp + i, sizeof(tmp) - i);
}

static void fill_hex(gen *g, char *dst, size_t n, int upper)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	const char *digits = upper ? up : lo;
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			r = rnd64(g);
		dst[i] = digits[r & 15];
		r >>= 4;
	}
	dst[n] = '\0';
}

/* A random (version 4 shaped) UUID into dst[37]. */
static void fill_uuid(gen *g, char *dst)
{
	fill_hex(g, dst, 36, 0);
	dst[8] = dst[13] = dst[18] = dst[23] = '-';
	dst[14] = '4';
}

static void put_hex(gen *g, size_t n)
{
	char tmp[65];

	if (n > 64)
		n = 64;
	fill_hex(g, tmp, n, 0);
	put(g, tmp, n);
}

static void put_uuid(gen *g)
{
	char tmp[37];

	fill_uuid(g, tmp);
	put(g, tmp, 36);
}

static void put_2d(char *p, int v)
{
	p[0] = (char)('0' + (v / 10) % 10);
	p[1] = (char)('0' + v % 10);
}

/* Formats "YYYY-MM-DD?HH:MM:SS" (19 chars) from a broken-down time. */
static void fmt_stamp(char *p, const struct tm *tm, char sep)
{
	int y = tm->tm_year + 1900;

	put_2d(p, y / 100);
	put_2d(p + 2, y % 100);
	p[4] = '-';
	put_2d(p + 5, tm->tm_mon + 1);
	p[7] = '-';
	put_2d(p + 8, tm->tm_mday);
	p[10] = sep;
	put_2d(p + 11, tm->tm_hour);
	p[13] = ':';
	put_2d(p + 14, tm->tm_min);
	p[16] = ':';
	put_2d(p + 17, tm->tm_sec);
	p[19] = '\0';
}

/* Moves the clock on by 0..max_ms and refreshes the cached stamps. */
static void tick(gen *g, unsigned max_ms)
{
	int64_t sec;

	g->now_ms += rnd(g, max_ms + 1);
	sec = g->now_ms / 1000;
	if (sec != g->stamp_sec) {
		time_t t_utc = (time_t)(START_EPOCH + sec), t_loc = t_utc + 3600;
		struct tm tm;

		gmtime_r(&t_utc, &tm);
		fmt_stamp(g->utc, &tm, ' ');
		gmtime_r(&t_loc, &tm);
		fmt_stamp(g->local, &tm, 'T');
		g->stamp_sec = sec;
	}
}

static void put_ms(gen *g)
{
	char ms[3];
	int v = (int)(g->now_ms % 1000);

	ms[0] = (char)('0' + v / 100);
	ms[1] = (char)('0' + (v / 10) % 10);
	ms[2] = (char)('0' + v % 10);
	put(g, ms, 3);
}

/* The syslog prefix of every record, up to and including "Level=...":  */
static void prefix(gen *g, const char *module, const char *level)
{
	put(g, g->local, 19);
	putc_g(g, '.');
	put_ms(g);
	puts_g(g, "+01:00 vcse tvcs: UTCTime=\"");
	put(g, g->utc, 19);
	putc_g(g, ',');
	put_ms(g);
	puts_g(g, "\" Module=\"");
	puts_g(g, module);
	puts_g(g, "\" Level=\"");
	puts_g(g, level);
	puts_g(g, "\":  ");
}

static void put_edge_ip(gen *g, unsigned octet)
{
	puts_g(g, "203.0.113.");
	put_u(g, octet);
}

static void put_ep_ip(gen *g, unsigned octet)
{
	puts_g(g, "10.44.80.");
	put_u(g, octet);
}

static unsigned rnd_port(gen *g)
{
	return 1024 + rnd(g, 64000);
}

static void put_user(gen *g, unsigned first, unsigned last)
{
	puts_g(g, first_names[first % N_ELEMS(first_names)]);
	putc_g(g, '.');
	puts_g(g, last_names[last % N_ELEMS(last_names)]);
}

static void put_display(gen *g, unsigned first, unsigned last)
{
	const char *f = first_names[first % N_ELEMS(first_names)];
	const char *l = last_names[last % N_ELEMS(last_names)];

	putc_g(g, '"');
	putc_g(g, (char)(f[0] - 'a' + 'A'));
	puts_g(g, f + 1);
	putc_g(g, ' ');
	putc_g(g, (char)(l[0] - 'a' + 'A'));
	puts_g(g, l + 1);
	putc_g(g, '"');
}

/* ---------------------------------------------------------------------- */
/* sparse: one-line records                                               */

static void rec_sip_info(gen *g)
{
	unsigned p = rnd(g, N_ELEMS(partners)), octet = 1 + rnd(g, 250);
	unsigned kind = rnd(g, 10);

	prefix(g, "network.sip", "INFO");
	if (kind < 5) {
		puts_g(g, "Action=\"Received\" Local-ip=\"" EXPE_EXT "\" Local-port=\"5061\" "
		       "Src-ip=\"");
		put_edge_ip(g, octet);
		puts_g(g, "\" Src-port=\"");
		put_u(g, rnd_port(g));
		if (kind < 4) {
			puts_g(g, "\" Detail=\"Receive Request Method=OPTIONS, Request-URI=sip:"
			       EXPE_EXT ":5061;transport=tls, Call-ID=");
			put_hex(g, 32);
		} else {
			puts_g(g, "\" Detail=\"Receive Request Method=INVITE, Request-URI=sip:");
			put_user(g, rnd(g, 64), rnd(g, 64));
			puts_g(g, "@" UC_DOMAIN ", Call-ID=");
			put_uuid(g);
		}
	} else {
		static const char *const codes[] = { "200", "100", "180", "200", "200" };

		puts_g(g, "Action=\"Sent\" Local-ip=\"" EXPE_EXT "\" Local-port=\"5061\" Dst-ip=\"");
		put_edge_ip(g, octet);
		puts_g(g, "\" Dst-port=\"");
		put_u(g, rnd_port(g));
		puts_g(g, "\" Detail=\"Sending Response Code=");
		puts_g(g, codes[kind - 5]);
		if (kind == 5) {
			puts_g(g, ", Method=OPTIONS, To=sip:" EXPE_EXT ":5061;transport=tls, Call-ID=");
			put_hex(g, 32);
		} else {
			puts_g(g, ", Method=INVITE, To=sip:");
			put_user(g, rnd(g, 64), rnd(g, 64));
			putc_g(g, '@');
			puts_g(g, partners[p]);
			puts_g(g, ", Call-ID=");
			put_uuid(g);
		}
	}
	putc_g(g, '"');
	nl(g);
}

static void rec_tcp(gen *g)
{
	static const char *const detail[] = {
		"TCP Connecting\"",
		"TCP Connection Established\"",
		"TCP Connection Closed\" Reason=\"Got EOF on socket\"",
		"TCP Connection Closed\" Reason=\"Idle timeout\"",
	};

	prefix(g, "network.tcp", "DEBUG");
	puts_g(g, "Src-ip=\"");
	put_edge_ip(g, 1 + rnd(g, 250));
	puts_g(g, "\" Src-port=\"");
	put_u(g, rnd_port(g));
	puts_g(g, "\" Dst-ip=\"" EXPE_EXT "\" Dst-port=\"5061\" Detail=\"");
	puts_g(g, detail[rnd(g, N_ELEMS(detail))]);
	nl(g);
}

static void rec_tls(gen *g)
{
	prefix(g, "network.tls", "DEBUG");
	puts_g(g, "Src-ip=\"" EXPE_EXT "\" Src-port=\"");
	put_u(g, rnd_port(g));
	puts_g(g, "\" Dst-ip=\"");
	put_edge_ip(g, 1 + rnd(g, 250));
	puts_g(g, "\" Dst-port=\"5061\" Detail=\"Handshake completed\" Protocol=\"TLSv1.2\" "
	       "Cipher=\"ECDHE-RSA-AES256-GCM-SHA384\" Peer-CN=\"sip.");
	puts_g(g, partners[rnd(g, N_ELEMS(partners))]);
	puts_g(g, "\" Session-reused=\"");
	puts_g(g, rnd(g, 3) == 0 ? "yes" : "no");
	putc_g(g, '"');
	nl(g);
}

static void rec_dns(gen *g)
{
	const char *p = partners[rnd(g, N_ELEMS(partners))];

	prefix(g, "network.dns", "DEBUG");
	puts_g(g, "Worker=\"");
	put_u(g, rnd(g, 8));
	if (rnd(g, 2) == 0) {
		puts_g(g, "\" Detail=\"Sending DNS query\" Name=\"_sipfederationtls._tcp.");
		puts_g(g, p);
		puts_g(g, "\" Type=\"SRV\" Resolver=\"10.44.0.53\"");
	} else {
		puts_g(g, "\" Detail=\"DNS reply\" Name=\"sip.");
		puts_g(g, p);
		puts_g(g, "\" Type=\"A\" Answer=\"");
		put_edge_ip(g, 1 + rnd(g, 250));
		puts_g(g, "\" TTL=\"");
		put_u(g, 300 + rnd(g, 3300));
		putc_g(g, '"');
	}
	nl(g);
}

static void rec_search(gen *g)
{
	prefix(g, "network.search", "INFO");
	puts_g(g, "Event=\"Search Completed\" Reason=\"OK\" Service=\"SIP\" Src-alias-type=\"SIP\" "
	       "Src-alias=\"sip:");
	put_user(g, rnd(g, 64), rnd(g, 64));
	puts_g(g, "@" UC_DOMAIN "\" Dst-alias-type=\"SIP\" Dst-alias=\"sip:");
	put_user(g, rnd(g, 64), rnd(g, 64));
	putc_g(g, '@');
	puts_g(g, partners[rnd(g, N_ELEMS(partners))]);
	puts_g(g, "\" Call-serial-number=\"");
	put_uuid(g);
	puts_g(g, "\" Tag=\"");
	put_uuid(g);
	puts_g(g, "\" Detail=\"found:true, searchtype:INVITE, Info:Policy Response\"");
	nl(g);
}

static void rec_call(gen *g)
{
	prefix(g, "network.callcontrol", "INFO");
	puts_g(g, rnd(g, 2) ? "Event=\"Call Connected\"" : "Event=\"Call Disconnected\"");
	puts_g(g, " Service=\"SIP\" Src-ip=\"" EXPC_IP "\" Src-port=\"");
	put_u(g, rnd_port(g));
	puts_g(g, "\" Dst-ip=\"");
	put_edge_ip(g, 1 + rnd(g, 250));
	puts_g(g, "\" Dst-port=\"5061\" Call-serial-number=\"");
	put_uuid(g);
	puts_g(g, "\" Tag=\"");
	put_uuid(g);
	puts_g(g, "\" Duration=\"");
	put_u(g, rnd(g, 3600));
	putc_g(g, '"');
	nl(g);
}

static void rec_misc(gen *g)
{
	if (rnd(g, 2) == 0) {
		prefix(g, "developer.licensing", "INFO");
		puts_g(g, "Detail=\"Licence usage sample\" Rich-media-sessions=\"");
		put_u(g, rnd(g, 40));
		puts_g(g, "\" Room-system-sessions=\"");
		put_u(g, rnd(g, 8));
		puts_g(g, "\" Registrations=\"0\"");
	} else {
		prefix(g, "network.ntp", "INFO");
		puts_g(g, "Detail=\"Clock synchronised\" Server=\"10.44.0.123\" Offset-ms=\"0.");
		put_u(g, 100 + rnd(g, 900));
		putc_g(g, '"');
	}
	nl(g);
}

/* ---------------------------------------------------------------------- */
/* SIPMSG blocks                                                          */

static void new_call(gen *g, call *c, int outbound)
{
	memset(c, 0, sizeof(*c));
	c->outbound = outbound;
	c->first = rnd(g, 64);
	c->last = rnd(g, 64);
	c->rfirst = rnd(g, 64);
	c->rlast = rnd(g, 64);
	c->partner = rnd(g, N_ELEMS(partners));
	c->edge_octet = 1 + rnd(g, 250);
	c->ep_octet = 10 + rnd(g, 240);
	c->local_port = 25000 + rnd(g, 1000);
	c->ep_port = rnd_port(g);
	c->expc_port = rnd_port(g);
	c->media_port = 36000 + 2 * rnd(g, 2000);
	c->cseq = 100000 + (uint32_t)rnd(g, 2000000000);
	fill_uuid(g, c->call_id);
	fill_hex(g, c->from_tag, 16, 0);
	fill_hex(g, c->to_tag, 32, 1);
	fill_hex(g, c->branch1, 65, 0);
	c->branch1[32] = '.';
	fill_hex(g, c->branch2, 38, 0);
	fill_hex(g, c->branch3, 32, 0);
	fill_uuid(g, c->pcid1);
	fill_uuid(g, c->pcid2);
	fill_hex(g, c->epid, 10, 0);
	g->calls++;
}

/* The record line that introduces a SIPMSG block, then "SIPMSG:" and the start line. */
static void msg_begin(gen *g, const call *c, int sent, const char *start)
{
	tick(g, 40);
	prefix(g, "network.sip", "DEBUG");
	if (sent)
		puts_g(g, "Action=\"Sent\" Local-ip=\"" EXPE_EXT "\" Local-port=\"");
	else
		puts_g(g, "Action=\"Received\" Local-ip=\"" EXPE_EXT "\" Local-port=\"");
	put_u(g, c->local_port);
	puts_g(g, sent ? "\" Dst-ip=\"" : "\" Src-ip=\"");
	put_edge_ip(g, c->edge_octet);
	puts_g(g, sent ? "\" Dst-port=\"5061\" Msg-Hash=\"" : "\" Src-port=\"5061\" Msg-Hash=\"");
	put_u(g, rnd64(g) >> 1);
	putc_g(g, '"');
	nl(g);
	puts_g(g, "SIPMSG:");
	nl(g);
	g->rg_lines++;
	g->sipmsgs++;
	putc_g(g, '|');
	puts_g(g, start);
	nl(g);
}

static void msg_end_nobody(gen *g)
{
	puts_g(g, "Content-Length: 0");
	nl(g);
	nl(g);
	putc_g(g, '|');
	nl(g);
}

/* The Via stack of an outbound request: Expressway-E, Expressway-C, endpoint. */
static void put_vias(gen *g, const call *c, int response)
{
	puts_g(g, "Via: SIP/2.0/TLS " EXPE_EXT ":5061;egress-zone=DNSZone1;branch=z9hG4bK");
	puts_g(g, c->branch1);
	puts_g(g, ";proxy-call-id=");
	puts_g(g, c->pcid1);
	if (response) {
		puts_g(g, ";rport;received=" EXPE_EXT ";ms-received-port=");
		put_u(g, c->local_port);
		puts_g(g, ";ms-received-cid=");
		put_u(g, 100 + c->local_port % 900);
		puts_g(g, "00");
	} else {
		puts_g(g, ";rport");
	}
	nl(g);
	puts_g(g, "Via: SIP/2.0/TLS " EXPC_IP ":5061;egress-zone=TraversalZoneClient1;branch=z9hG4bK");
	puts_g(g, c->branch2);
	puts_g(g, ";proxy-call-id=");
	puts_g(g, c->pcid2);
	puts_g(g, ";received=" EXPC_IP ";rport=");
	put_u(g, c->expc_port);
	puts_g(g, ";ingress-zone=TraversalZoneServer1");
	nl(g);
	puts_g(g, "Via: SIP/2.0/TLS ");
	put_ep_ip(g, c->ep_octet);
	putc_g(g, ':');
	put_u(g, c->ep_port);
	puts_g(g, ";branch=z9hG4bK");
	puts_g(g, c->branch3);
	puts_g(g, ";received=");
	put_ep_ip(g, c->ep_octet);
	puts_g(g, ";ingress-zone=NeighborZoneMeet1");
	nl(g);
}

/* The single Via of an inbound request from the partner's Edge. */
static void put_edge_via(gen *g, const call *c)
{
	puts_g(g, "Via: SIP/2.0/TLS ");
	put_edge_ip(g, c->edge_octet);
	puts_g(g, ":5061;branch=z9hG4bK");
	puts_g(g, c->branch3);
	puts_g(g, ";ms-internal-info=\"");
	puts_g(g, c->branch2);
	puts_g(g, "\";received=");
	put_edge_ip(g, c->edge_octet);
	puts_g(g, ";ms-received-port=5061;ms-received-cid=");
	put_u(g, 1000 + c->ep_port % 9000);
	puts_g(g, "00");
	nl(g);
}

static void put_local_uri(gen *g, const call *c)
{
	puts_g(g, "<sip:");
	put_user(g, c->first, c->last);
	puts_g(g, "@" MEET_DOMAIN ">");
}

static void put_remote_uri(gen *g, const call *c)
{
	puts_g(g, "<sip:");
	put_user(g, c->rfirst, c->rlast);
	putc_g(g, '@');
	puts_g(g, partners[c->partner]);
	putc_g(g, '>');
}

/* Call-ID, CSeq, From, To of a message of this call (To tag when to_tag). */
static void put_dialog(gen *g, const call *c, uint32_t cseq, const char *method, int to_tag)
{
	puts_g(g, "Call-ID: ");
	puts_g(g, c->call_id);
	nl(g);
	puts_g(g, "CSeq: ");
	put_u(g, cseq);
	putc_g(g, ' ');
	puts_g(g, method);
	nl(g);
	puts_g(g, "From: ");
	if (c->outbound) {
		put_display(g, c->first, c->last);
		putc_g(g, ' ');
		put_local_uri(g, c);
	} else {
		put_display(g, c->rfirst, c->rlast);
		putc_g(g, ' ');
		put_remote_uri(g, c);
	}
	puts_g(g, ";tag=");
	puts_g(g, c->from_tag);
	nl(g);
	puts_g(g, "To: ");
	if (c->outbound)
		put_remote_uri(g, c);
	else
		put_local_uri(g, c);
	if (to_tag) {
		puts_g(g, ";tag=");
		puts_g(g, c->to_tag);
	}
	nl(g);
}

static void put_request_line(char *dst, size_t cap, const call *c, const char *method)
{
	const char *host = c->outbound ? partners[c->partner] : MEET_DOMAIN;
	unsigned f = c->outbound ? c->rfirst : c->first, l = c->outbound ? c->rlast : c->last;

	snprintf(dst, cap, "%s sip:%s.%s@%s SIP/2.0", method,
		 first_names[f % N_ELEMS(first_names)], last_names[l % N_ELEMS(last_names)], host);
}

/* SDP offer (ours) or answer (the Microsoft side, with ICE candidates) into buf. */
static size_t make_sdp(gen *g, const call *c, int ms_side, char *buf, size_t cap)
{
	int n;

	if (!ms_side) {
		n = snprintf(buf, cap,
			     "v=0\no=tandberg 1 1 IN IP4 10.44.80.%u\ns=-\nc=IN IP4 " EXPE_EXT "\n"
			     "b=AS:2000\nt=0 0\n"
			     "m=audio %u RTP/AVP 114 107 104 9 8 0 101\nb=TIAS:128000\n"
			     "a=rtpmap:114 opus/48000/2\na=fmtp:114 maxplaybackrate=48000;"
			     "maxaveragebitrate=64000;stereo=1\na=rtpmap:107 MP4A-LATM/90000\n"
			     "a=rtpmap:104 G7221/16000\na=rtpmap:9 G722/8000\na=rtpmap:8 PCMA/8000\n"
			     "a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\n"
			     "a=fmtp:101 0-15\na=sendrecv\na=rtcp:%u IN IP4 " EXPE_EXT "\n"
			     "m=video %u RTP/AVP 97 126\nb=TIAS:1872000\na=rtpmap:97 H264/90000\n"
			     "a=fmtp:97 profile-level-id=42e016;max-mbps=245000;max-fs=8160;"
			     "packetization-mode=1\na=rtpmap:126 H264/90000\n"
			     "a=fmtp:126 profile-level-id=42e016;max-mbps=245000;max-fs=8160\n"
			     "a=content:main\na=label:11\na=sendrecv\na=rtcp:%u IN IP4 " EXPE_EXT "\n",
			     c->ep_octet, c->media_port, c->media_port + 1, c->media_port + 2,
			     c->media_port + 3);
	} else {
		unsigned p = 50000 + rnd(g, 9000);
		unsigned o1 = 2 + rnd(g, 250), o2 = 2 + rnd(g, 250), o3 = 2 + rnd(g, 250);
		unsigned v6 = 1 + rnd(g, 65000);
		char ufrag[5], pwd[25], key[41];

		fill_hex(g, ufrag, 4, 1);
		fill_hex(g, pwd, 24, 0);
		fill_hex(g, key, 40, 0);
		n = snprintf(buf, cap,
			     "v=0\no=- 0 0 IN IP4 203.0.113.%u\ns=session\nc=IN IP4 203.0.113.%u\n"
			     "b=CT:99980\nt=0 0\nm=audio %u RTP/SAVP 114 9 8 0 101\n"
			     "a=ice-ufrag:%s\na=ice-pwd:%s\n"
			     "a=candidate:1 1 UDP 2130706431 10.77.4.%u %u typ host \n"
			     "a=candidate:2 1 tcp-act 1684796927 10.77.4.%u %u typ srflx raddr "
			     "10.77.4.%u rport %u \n"
			     "a=candidate:3 1 UDP 16648703 203.0.113.%u %u typ relay raddr "
			     "203.0.113.%u rport %u \n"
			     "a=x-candidate-ipv6:4 1 UDP 2130705919 2001:db8:4a::%x %u typ host \n"
			     "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:%s|2^31\n"
			     "a=maxptime:200\na=rtpmap:114 x-msrta/16000\na=rtpmap:9 G722/8000\n"
			     "a=rtpmap:8 PCMA/8000\na=rtpmap:0 PCMU/8000\n"
			     "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\n"
			     "a=rtcp-fb:* x-message app send:dsh recv:dsh\na=encryption:required\n",
			     c->edge_octet, c->edge_octet, p, ufrag, pwd, o1, p + 2, o2, p + 4, o3,
			     p + 4, c->edge_octet, p + 6, c->edge_octet, p + 6, v6, p + 8, key);
	}
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

static void put_body(gen *g, const char *type, const char *body, size_t len)
{
	const char *p = body, *end = body + len;

	puts_g(g, "Content-Type: ");
	puts_g(g, type);
	nl(g);
	puts_g(g, "Content-Length: ");
	put_u(g, len);
	nl(g);
	nl(g);
	/* line by line, so that the line count stays right */
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));

		if (e == NULL)
			e = end;
		put(g, p, (size_t)(e - p));
		nl(g);
		p = e + 1;
	}
	putc_g(g, '|');
	nl(g);
}

static void msg_invite(gen *g, const call *c)
{
	char start[160], sdp[4096];
	size_t n;

	put_request_line(start, sizeof(start), c, "INVITE");
	msg_begin(g, c, c->outbound, start);
	if (c->outbound) {
		put_vias(g, c, 0);
	} else {
		put_edge_via(g, c);
	}
	put_dialog(g, c, c->cseq, "INVITE", 0);
	puts_g(g, "Max-Forwards: ");
	put_u(g, c->outbound ? 15 : 69);
	nl(g);
	puts_g(g, "Record-Route: <sip:proxy-call-id=");
	puts_g(g, c->pcid1);
	puts_g(g, "@" EXPE_EXT ":5061;transport=tls;lr>");
	nl(g);
	if (c->outbound) {
		puts_g(g, "Contact: <sip:" MEET_DOMAIN "@" EXPE_EXT ":5061;transport=tls>"
		       ";+sip.instance=\"<urn:uuid:");
		puts_g(g, c->pcid2);
		puts_g(g, ">\"");
		nl(g);
		puts_g(g, "Allow: INVITE,ACK,CANCEL,OPTIONS,INFO,BYE,UPDATE,REFER,SUBSCRIBE,NOTIFY,"
		       "MESSAGE");
		nl(g);
		puts_g(g, "Supported: timer,replaces,X-cisco-callinfo,ms-sender,ms-early-media");
		nl(g);
		puts_g(g, "User-Agent: " EXPE_UA);
		nl(g);
		puts_g(g, "Session-Expires: 1800;refresher=uac");
		nl(g);
		puts_g(g, "Min-SE: 90");
		nl(g);
		puts_g(g, "X-TAATag: ");
		puts_g(g, c->pcid2);
		nl(g);
		n = make_sdp(g, c, 0, sdp, sizeof(sdp));
	} else {
		puts_g(g, "Contact: <sip:");
		put_user(g, c->rfirst, c->rlast);
		putc_g(g, '@');
		puts_g(g, partners[c->partner]);
		puts_g(g, ";opaque=user:epid:");
		puts_g(g, c->epid);
		puts_g(g, ";gruu>");
		nl(g);
		puts_g(g, "Supported: ms-dialog-route-set-update,timer,histinfo,ms-safe-transfer,"
		       "ms-sender,ms-early-media,100rel");
		nl(g);
		puts_g(g, "ms-keep-alive: UAC;hop-hop=yes");
		nl(g);
		puts_g(g, "ms-subnet: 10.77.4.0");
		nl(g);
		puts_g(g, "User-Agent: " MS_CLIENT_UA);
		nl(g);
		puts_g(g, "P-Asserted-Identity: ");
		put_remote_uri(g, c);
		nl(g);
		n = make_sdp(g, c, 1, sdp, sizeof(sdp));
	}
	put_body(g, "application/sdp", sdp, n);
}

/* A response to the INVITE (or to the BYE when method is "BYE"), with or without SDP. */
static void msg_response(gen *g, const call *c, const char *status, const char *method,
			 uint32_t cseq, int to_tag, int sdp)
{
	char body[4096];
	int from_ms = c->outbound; /* the Microsoft side answers our INVITE */

	msg_begin(g, c, !c->outbound, status);
	if (c->outbound)
		put_vias(g, c, 1);
	else
		put_edge_via(g, c);
	put_dialog(g, c, cseq, method, to_tag);
	if (to_tag && strcmp(method, "INVITE") == 0) {
		puts_g(g, "Record-Route: <sip:proxy-call-id=");
		puts_g(g, c->pcid1);
		puts_g(g, "@" EXPE_EXT ":5061;transport=tls;lr>");
		nl(g);
		puts_g(g, "Contact: <sip:");
		if (from_ms) {
			put_user(g, c->rfirst, c->rlast);
			putc_g(g, '@');
			puts_g(g, partners[c->partner]);
			puts_g(g, ";opaque=user:epid:");
			puts_g(g, c->epid);
			puts_g(g, ";gruu>");
		} else {
			puts_g(g, MEET_DOMAIN "@" EXPE_EXT ":5061;transport=tls>");
		}
		nl(g);
	}
	puts_g(g, from_ms ? "Server: " MS_SERVER : "Server: " EXPE_UA);
	nl(g);
	if (sdp) {
		puts_g(g, "Session-Expires: 1800;refresher=uac");
		nl(g);
		puts_g(g, "Supported: timer");
		nl(g);
		put_body(g, "application/sdp", body, make_sdp(g, c, from_ms, body, sizeof(body)));
	} else {
		msg_end_nobody(g);
	}
}

/* ACK or BYE, sent by the caller (ack) or by either side (bye). */
static void msg_in_dialog(gen *g, const call *c, const char *method, uint32_t cseq)
{
	char start[160];

	put_request_line(start, sizeof(start), c, method);
	msg_begin(g, c, c->outbound, start);
	puts_g(g, "Via: SIP/2.0/TLS ");
	if (c->outbound)
		puts_g(g, EXPE_EXT ":5061");
	else
		put_edge_ip(g, c->edge_octet);
	puts_g(g, ";branch=z9hG4bK");
	put_hex(g, 32);
	puts_g(g, ";rport");
	nl(g);
	put_dialog(g, c, cseq, method, 1);
	puts_g(g, "Max-Forwards: 70");
	nl(g);
	puts_g(g, "Route: <sip:proxy-call-id=");
	puts_g(g, c->pcid1);
	puts_g(g, "@" EXPE_EXT ":5061;transport=tls;lr>");
	nl(g);
	puts_g(g, c->outbound ? "User-Agent: " EXPE_UA : "User-Agent: " MS_CLIENT_UA);
	nl(g);
	msg_end_nobody(g);
}

/* One whole successful call: INVITE, 100, 180, 200, ACK, BYE, 200. */
static void sip_call(gen *g)
{
	call c;

	new_call(g, &c, rnd(g, 3) != 0);
	msg_invite(g, &c);
	msg_response(g, &c, "SIP/2.0 100 Trying", "INVITE", c.cseq, 0, 0);
	msg_response(g, &c, "SIP/2.0 180 Ringing", "INVITE", c.cseq, 1, 0);
	msg_response(g, &c, "SIP/2.0 200 OK", "INVITE", c.cseq, 1, 1);
	msg_in_dialog(g, &c, "ACK", c.cseq);
	g->now_ms += 1000 * (int64_t)rnd(g, 120); /* the call lasts a while */
	msg_in_dialog(g, &c, "BYE", c.cseq + 1);
	msg_response(g, &c, "SIP/2.0 200 OK", "BYE", c.cseq + 1, 1, 0);
}

/* OPTIONS keep-alive from a partner's Edge and our 200 OK. */
static void sip_options(gen *g)
{
	call c;
	char start[96];

	new_call(g, &c, 0);
	g->calls--;
	snprintf(start, sizeof(start), "OPTIONS sip:%s:5061;transport=tls SIP/2.0", EXPE_EXT);
	msg_begin(g, &c, 0, start);
	put_edge_via(g, &c);
	put_dialog(g, &c, 1, "OPTIONS", 0);
	puts_g(g, "Max-Forwards: 70");
	nl(g);
	puts_g(g, "User-Agent: " MS_SERVER ".9319.0");
	nl(g);
	msg_end_nobody(g);
	msg_response(g, &c, "SIP/2.0 200 OK", "OPTIONS", 1, 1, 0);
}

/* A failed outbound call: INVITE, 100, 504 from the Microsoft side, ACK. */
static void sip_failure(gen *g)
{
	call c;
	unsigned kind = rnd(g, 10);
	const char *partner;

	new_call(g, &c, 1);
	partner = partners[c.partner];
	msg_invite(g, &c);
	msg_response(g, &c, "SIP/2.0 100 Trying", "INVITE", c.cseq, 0, 0);
	msg_begin(g, &c, 0, "SIP/2.0 504 Server time-out");
	put_vias(g, &c, 1);
	put_dialog(g, &c, c.cseq, "INVITE", 1);
	if (kind < 4) {
		/* MS-OCER 1009: the SRV target is not in the From domain */
		puts_g(g, "ms-diagnostics: 1009;reason=\"No match for domain in DNS SRV results\""
		       ";domain=\"" MEET_DOMAIN "\";fqdn1=\"" EXPE_FQDN ":5061\";source=\"sip.");
		puts_g(g, partner);
		putc_g(g, '"');
		nl(g);
		g->rg_lines++;
		g->msdiag_1009++;
	} else if (kind < 6) {
		/* MS-OCER 1010: the certificate does not carry the SRV target */
		puts_g(g, "ms-diagnostics: 1010;reason=\"Certificate trust with another server could "
		       "not be established\";ErrorType=\"The peer certificate does not contain a "
		       "matching FQDN\";tls-target=\"vcse." MEET_DOMAIN "\";PeerServer=\"" EXPE_FQDN
		       "\";HRESULT=\"0x80090322(SEC_E_WRONG_PRINCIPAL)\";source=\"sip.");
		puts_g(g, partner);
		putc_g(g, '"');
		nl(g);
		g->rg_lines++;
		g->msdiag_1010++;
	} else {
		g->bare_504++;
	}
	puts_g(g, "Server: " MS_SERVER);
	nl(g);
	msg_end_nobody(g);
	msg_in_dialog(g, &c, "ACK", c.cseq);
}

static void schedule_failure(gen *g)
{
	/* uniform in [every/2, 3*every/2): mean @fail_every lines apart */
	g->next_fail = g->lines + g->fail_every / 2 + rnd(g, (unsigned)g->fail_every);
}

static void gen_sparse(gen *g, uint64_t size)
{
	while (g->bytes < size && g->err == 0) {
		unsigned r;

		if (g->lines >= g->next_fail) {
			sip_failure(g);
			schedule_failure(g);
			continue;
		}
		tick(g, 25);
		r = rnd(g, 1000);
		if (r < 400)
			rec_sip_info(g);
		else if (r < 560)
			rec_tcp(g);
		else if (r < 650)
			rec_tls(g);
		else if (r < 780)
			rec_dns(g);
		else if (r < 880)
			rec_search(g);
		else if (r < 960)
			rec_call(g);
		else if (r < 998)
			rec_misc(g);
		else
			sip_options(g);
	}
}

static void gen_dense(gen *g, uint64_t size)
{
	while (g->bytes < size && g->err == 0) {
		if (g->lines >= g->next_fail) {
			sip_failure(g);
			schedule_failure(g);
			continue;
		}
		if (rnd(g, 8) == 0)
			sip_options(g);
		else
			sip_call(g);
	}
}

/* Parses "123", "250M", "1G" (powers of 1000) into *out; -1 if malformed. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1000ULL;
	else if (*end == 'M')
		mul = 1000000ULL;
	else if (*end == 'G')
		mul = 1000000000ULL;
	else if (*end != '\0')
		return -1;
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*out = (uint64_t)v * mul;
	return 0;
}

static int write_sidecar(const gen *g, const char *path, const char *kind, uint64_t seed)
{
	char side[4096];
	FILE *fp = NULL;
	int ret = -1;

	if (snprintf(side, sizeof(side), "%s.count", path) >= (int)sizeof(side))
		goto out;
	fp = fopen(side, "w");
	if (fp == NULL)
		goto out;
	fprintf(fp, "# genlog: what %s contains (bench/run-logs checks sipfed against it)\n"
		"kind=%s\nseed=%" PRIu64 "\nbytes=%" PRIu64 "\nlines=%" PRIu64 "\n"
		"failures=%" PRIu64 "\nsip_response=%" PRIu64 "\nms_diagnostics=%" PRIu64 "\n"
		"msdiag_1009=%" PRIu64 "\nmsdiag_1010=%" PRIu64 "\nrg_lines=%" PRIu64 "\n"
		"sipmsg_blocks=%" PRIu64 "\ncalls=%" PRIu64 "\n",
		path, kind, seed, g->bytes, g->lines,
		g->bare_504 + g->msdiag_1009 + g->msdiag_1010, g->bare_504,
		g->msdiag_1009 + g->msdiag_1010, g->msdiag_1009, g->msdiag_1010, g->rg_lines,
		g->sipmsgs, g->calls);
	if (ferror(fp))
		goto out;
	ret = 0;
out:
	if (fp != NULL && fclose(fp) != 0)
		ret = -1;
	return ret;
}

static void usage(FILE *fp)
{
	fputs("usage: genlog [-s SEED] [-f LINES] sparse|dense SIZE FILE\n"
	      "  writes a synthetic Expressway-E diagnostic log of about SIZE bytes (suffix k, M\n"
	      "  or G = powers of 1000) to FILE, and what it contains to FILE.count;\n"
	      "  -f: mean number of lines between two failures (default 100000 sparse,\n"
	      "  20000 dense); -s: PRNG seed (default 1)\n", fp);
}

int main(int argc, char **argv)
{
	gen g;
	uint64_t size = 0, seed = 1, every = 0;
	int dense, opt, ret = 2;
	char *end;

	memset(&g, 0, sizeof(g));
	g.fd = -1;
	while ((opt = getopt(argc, argv, "s:f:h")) != -1) {
		switch (opt) {
		case 's':
		case 'f':
			errno = 0;
			end = NULL;
			if (optarg[0] == '-') {
				usage(stderr);
				goto out;
			}
			if (opt == 's')
				seed = strtoull(optarg, &end, 10);
			else
				every = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0') {
				fprintf(stderr, "genlog: bad number '%s'\n", optarg);
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (argc - optind != 3) {
		usage(stderr);
		goto out;
	}
	if (strcmp(argv[optind], "sparse") == 0) {
		dense = 0;
	} else if (strcmp(argv[optind], "dense") == 0) {
		dense = 1;
	} else {
		fprintf(stderr, "genlog: unknown kind '%s' (sparse or dense)\n", argv[optind]);
		goto out;
	}
	if (parse_size(argv[optind + 1], &size) != 0) {
		fprintf(stderr, "genlog: bad size '%s'\n", argv[optind + 1]);
		goto out;
	}
	if (every == 0)
		every = dense ? 20000 : 100000;
	if (every < 2 || every > 1000000000ULL) {
		fprintf(stderr, "genlog: -f must be between 2 and 1000000000\n");
		goto out;
	}
	g.buf = malloc(BUF_CAP);
	if (g.buf == NULL) {
		fprintf(stderr, "genlog: out of memory\n");
		goto out;
	}
	g.fd = open(argv[optind + 2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g.fd < 0) {
		fprintf(stderr, "genlog: cannot write '%s': %s\n", argv[optind + 2],
			strerror(errno));
		goto out;
	}
	g.rng = seed * 2 + (uint64_t)dense; /* different streams for the two kinds */
	g.stamp_sec = -1;
	g.fail_every = every;
	tick(&g, 0);
	schedule_failure(&g);
	if (dense)
		gen_dense(&g, size);
	else
		gen_sparse(&g, size);
	flush_buf(&g);
	if (g.err != 0) {
		fprintf(stderr, "genlog: cannot write '%s': %s\n", argv[optind + 2],
			strerror(g.err));
		goto out;
	}
	if (close(g.fd) != 0) {
		g.fd = -1;
		fprintf(stderr, "genlog: cannot write '%s': %s\n", argv[optind + 2],
			strerror(errno));
		goto out;
	}
	g.fd = -1;
	if (write_sidecar(&g, argv[optind + 2], dense ? "dense" : "sparse", seed) != 0) {
		fprintf(stderr, "genlog: cannot write '%s.count'\n", argv[optind + 2]);
		goto out;
	}
	ret = 0;
out:
	if (g.fd >= 0)
		close(g.fd);
	free(g.buf);
	return ret;
}
