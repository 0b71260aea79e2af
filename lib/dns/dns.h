/*
 * DNS sources behind one interface.  A source answers a batch of queries;
 * the live source (c-ares, dns_live.c) sends them all at once and waits, the
 * zone source (libzscanner, dns_zone.c) answers from master files in memory.
 * Both return the answer section as decoded records; the collector
 * (lib/core/collect.c) follows CNAMEs the answer did not resolve, so that an
 * authoritative server (which stops at its zone cut) and a recursive one give
 * the same facts.  Nothing outside lib/dns knows which source ran.
 */
#ifndef SF_DNS_H
#define SF_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "sipfed/sipfed.h"

/* RR types we ask for (RFC 1035, 2782, 3596). */
#define SF_T_A 1
#define SF_T_CNAME 5
#define SF_T_TXT 16
#define SF_T_AAAA 28
#define SF_T_SRV 33

typedef enum sf_dns_rcode {
	SF_DNS_NOERROR = 0,  /* name exists; n_rr may be 0 (NODATA) */
	SF_DNS_NXDOMAIN,
	SF_DNS_SERVFAIL,
	SF_DNS_REFUSED,
	SF_DNS_TIMEOUT,      /* no answer within the timeout */
	SF_DNS_UNREACHABLE,  /* the resolver could not be reached */
	SF_DNS_ERROR,        /* anything else (malformed answer, ...) */
	/*
	 * Zone source only: no loaded zone covers the name, so the files say
	 * nothing about it (not NXDOMAIN: that would claim the name does not
	 * exist).  An authoritative server asked for a name outside its zones
	 * answers REFUSED, the same kind of outcome.
	 */
	SF_DNS_NOZONE,
} sf_dns_rcode;

const char *sf_dns_rcode_name(sf_dns_rcode rc);

/*
 * One decoded record of an answer section.  Names are lowercase, without
 * the trailing dot; the root name is ".".
 *   SRV:      priority, weight, port; data = target
 *   CNAME:    data = canonical name
 *   A, AAAA:  data = address in text form (inet_ntop)
 *   TXT:      data = the character-strings concatenated
 */
typedef struct sf_dns_rr {
	uint16_t type;
	uint16_t priority, weight, port;
	char *owner;
	char *data;
} sf_dns_rr;

/* A query of a batch: name and type in, the rest out. */
typedef struct sf_dns_query {
	const char *name; /* in: no trailing dot needed; borrowed */
	uint16_t type;    /* in */
	sf_dns_rcode rcode;
	sf_dns_rr *rr;    /* answer section, in order; owned */
	size_t n_rr;
} sf_dns_query;

/* Frees what a resolved query owns and resets its out fields. */
void sf_dns_query_release(sf_dns_query *q);

typedef struct sf_dns_source sf_dns_source;
struct event_base;

/*
 * The answer to a query submitted with sf_dns_submit(): @q is the query
 * (its name, type and the answer), owned by the caller of submit; @st is
 * SF_OK or SF_ENOMEM (the answer could not be stored).
 */
typedef void (*sf_dns_done_fn)(void *arg, sf_dns_query *q, sf_status st);

struct sf_dns_ops {
	/*
	 * Answers every query of @q (n of them) before returning.  Per-query
	 * failures (timeout, SERVFAIL) go into q[i].rcode and still return
	 * SF_OK; only a failure of the source itself (out of memory) returns
	 * an error.  Never blocks longer than the source's timeout per round.
	 */
	sf_status (*resolve)(sf_dns_source *src, sf_dns_query *q, size_t n);
	/*
	 * The event-loop side, NULL for a source that answers at once (the
	 * zone source: sf_dns_submit() answers through resolve()).  attach
	 * binds the source to @base (one base at a time; a run attaches it
	 * for its lifetime); submit sends one query whose answer comes to
	 * @done from the loop; detach cancels what is in flight (their @done
	 * is not called) and unbinds.
	 */
	sf_status (*attach)(sf_dns_source *src, struct event_base *base);
	sf_status (*submit)(sf_dns_source *src, sf_dns_query *q, sf_dns_done_fn done, void *arg);
	void (*detach)(sf_dns_source *src);
	void (*free)(sf_dns_source *src);
};

struct sf_dns_source {
	const struct sf_dns_ops *ops;
};

/*
 * Live source.  @resolver is "IP", "IP:PORT", "[IPv6]:PORT" or NULL for the
 * system resolver (/etc/resolv.conf).  On failure writes a message into
 * err (errlen bytes) and returns SF_EINVAL (bad resolver text) or SF_ENET.
 */
sf_status sf_dns_live_new(const char *resolver, int timeout_ms,
			  sf_dns_source **out_src, char *err, size_t errlen);

/*
 * The servers a live source asks, "192.0.2.53:53, [2001:db8::53]:53"
 * (malloc'd), or NULL (not a live source, out of memory).
 */
char *sf_dns_live_servers(const sf_dns_source *src);

/*
 * Zone source: parses every file with libzscanner.  Each entry of @files is
 * a path, or "PATH@ORIGIN" to give the origin of a file without $ORIGIN:
 * only the part after the last '@' counts, and only if it is a valid domain
 * name and the whole entry is not an existing file (a file name may contain
 * '@').  The origin of the records before any $ORIGIN of a file is, in this
 * order:
 *   1. the file's own $ORIGIN, when one comes before the first record;
 *   2. the owner of the file's SOA record, when the first record is the SOA
 *      written with an absolute owner ("contoso.com. IN SOA ...");
 *   3. the ORIGIN given with "PATH@ORIGIN";
 *   4. the zone named by a Windows DNS export's header comment
 *      ("; Database file contoso.com.dns for contoso.com zone.");
 *   5. the file name: "<zone>.zone", "<zone>.dns", "<zone>.db", "db.<zone>",
 *      else the whole base name.
 * Cases 4 and 5 are guesses: each leaves a note (sf_dns_zone_notes), as does
 * an ORIGIN given with '@' that the file's own $ORIGIN or SOA overrides.
 *
 * Windows DNS export syntax loads: CRLF line ends and aging stamps
 * ("host [AGE:3675432] 1200 A 10.0.0.5") are removed before the scanner
 * reads a line.  $INCLUDE is followed only to regular files inside the
 * directory of the --zone file (after resolving symbolic links), at most 4
 * levels deep, never to a file being read (itself or an includer).  Every
 * file is opened non-blocking and must be a regular file of at most 64 MiB;
 * all files together (with includes) at most 256 MiB.
 *
 * A name that no loaded zone covers is SF_DNS_NOZONE; a name inside a zone
 * that has no node is NXDOMAIN; wildcards (RFC 4592) are synthesised; CNAME
 * chains are followed across the loaded zones (at most 8 links).
 * On failure err names the file and line: "cannot parse 'x.zone' line 3:
 * ..." and the status is SF_EIO (cannot read, not a regular file, too big,
 * $INCLUDE refused) or SF_EPARSE.
 */
sf_status sf_dns_zone_new(const char *const *files, size_t n,
			  sf_dns_source **out_src, char *err, size_t errlen);

/*
 * The notes of a zone source about origins it inferred, one sentence each,
 * "FILE: origin X (from the file name)"; *out_n receives their count.  The
 * strings belong to the source.  NULL and 0 for another kind of source.
 */
const char *const *sf_dns_zone_notes(const sf_dns_source *src, size_t *out_n);

static inline sf_status sf_dns_resolve(sf_dns_source *s, sf_dns_query *q, size_t n)
{
	return s->ops->resolve(s, q, n);
}

/* Does the source need the event loop (sf_dns_submit is then asynchronous)? */
static inline int sf_dns_is_async(const sf_dns_source *s)
{
	return s->ops->submit != NULL;
}

static inline void sf_dns_source_free(sf_dns_source *s)
{
	if (s)
		s->ops->free(s);
}

#endif
