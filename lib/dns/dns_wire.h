/*
 * Private helpers shared by the DNS sources (dns_live.c, dns_zone.c): one
 * decoder from an RR in wire form to an sf_dns_rr, so that the live and the
 * zone source describe the same record in the same words.
 */
#ifndef SF_DNS_WIRE_H
#define SF_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"

/*
 * Decodes one RR: @owner is an uncompressed wire name of at most @owner_len
 * bytes, @rdata the @rdlen bytes of RDATA with any names already
 * decompressed (as libknot's packet parser and libzscanner give them).
 * Fills *out_rr (owned by the caller, sf_dns_rr_release()):
 *   A/AAAA   data = inet_ntop text; the RDATA must be 4/16 bytes
 *   CNAME    data = the name (lowercase, no trailing dot)
 *   SRV      priority, weight, port, data = target ("." for the root)
 *   TXT      data = the character-strings concatenated (a NUL byte is
 *            written as the four characters "\000")
 *   other    data = the RDATA in presentation form (libknot's dumper)
 * Returns SF_OK, SF_EPARSE if the bytes are malformed for the type, or
 * SF_ENOMEM.  On failure *out_rr is zeroed.
 */
sf_status sf_dns_rr_decode(const uint8_t *owner, size_t owner_len, uint16_t type,
			   const uint8_t *rdata, size_t rdlen, sf_dns_rr *out_rr);

/*
 * Text of a valid, uncompressed wire name: lowercase, escaped as in master
 * files, without the trailing dot; the root is ".".  Returns a malloc'd
 * string, or NULL if out of memory.
 */
char *sf_dns_name_text(const uint8_t *name);

/*
 * Deep copy of @src into *out_dst; if @owner is non-NULL it replaces the
 * owner (wildcard synthesis, RFC 4592 section 3.4).  Returns SF_OK or
 * SF_ENOMEM (then *out_dst is zeroed).
 */
sf_status sf_dns_rr_copy(const sf_dns_rr *src, const char *owner, sf_dns_rr *out_dst);

/* Frees what @rr owns and zeroes it; NULL is a no-op. */
void sf_dns_rr_release(sf_dns_rr *rr);

#endif
