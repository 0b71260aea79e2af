/*
 * What both DNS sources share: rcode names, query release, and the decoder
 * of one RR from wire form to an sf_dns_rr (dns_wire.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libknot/consts.h>
#include <libknot/descriptor.h>
#include <libknot/dname.h>
#include <libknot/errcode.h>
#include <libknot/rrset-dump.h>
#include <libknot/rrset.h>
#include <libknot/rrtype/rdname.h>

#include "dns/dns.h"
#include "dns/dns_wire.h"

const char *sf_dns_rcode_name(sf_dns_rcode rc)
{
	switch (rc) {
	case SF_DNS_NOERROR:
		return "NOERROR";
	case SF_DNS_NXDOMAIN:
		return "NXDOMAIN";
	case SF_DNS_SERVFAIL:
		return "SERVFAIL";
	case SF_DNS_REFUSED:
		return "REFUSED";
	case SF_DNS_TIMEOUT:
		return "TIMEOUT";
	case SF_DNS_UNREACHABLE:
		return "UNREACHABLE";
	case SF_DNS_ERROR:
		return "ERROR";
	case SF_DNS_NOZONE:
		/* Reads as the end of "DNS lookup of NAME failed: ...". */
		return "no --zone file covers this name";
	}
	return "ERROR";
}

void sf_dns_rr_release(sf_dns_rr *rr)
{
	if (!rr)
		return;
	free(rr->owner);
	free(rr->data);
	memset(rr, 0, sizeof(*rr));
}

void sf_dns_query_release(sf_dns_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n_rr; i++)
		sf_dns_rr_release(&q->rr[i]);
	free(q->rr);
	q->rr = NULL;
	q->n_rr = 0;
	q->rcode = SF_DNS_NOERROR;
}

char *sf_dns_name_text(const uint8_t *name)
{
	knot_dname_storage_t low;
	knot_dname_txt_storage_t txt;
	size_t len;

	knot_dname_copy_lower(low, name);
	if (!knot_dname_to_str(txt, low, sizeof(txt)))
		return NULL;
	len = strlen(txt);
	/* The root stays "."; every other name loses its trailing dot. */
	if (len > 1 && txt[len - 1] == '.')
		txt[len - 1] = '\0';
	return strdup(txt);
}

/*
 * Text of the uncompressed name at @p (within @len bytes); with @exact the
 * name must fill the @len bytes.  SF_EPARSE if malformed.
 */
static sf_status name_at(const uint8_t *p, size_t len, int exact, char **out_txt)
{
	int sz = knot_dname_wire_check(p, p + len, NULL);

	if (sz <= 0 || (exact && (size_t)sz != len))
		return SF_EPARSE;
	*out_txt = sf_dns_name_text(p);
	return *out_txt ? SF_OK : SF_ENOMEM;
}

/* RFC 1035 3.3.14: TXT RDATA is one or more <character-string>s. */
static sf_status txt_concat(const uint8_t *rdata, size_t rdlen, char **out_txt)
{
	size_t need = 1, pos = 0, o = 0;
	char *s;

	/* First pass: validate lengths and size the output. */
	while (pos < rdlen) {
		size_t l = rdata[pos++];

		if (l > rdlen - pos)
			return SF_EPARSE;
		for (size_t i = 0; i < l; i++)
			need += rdata[pos + i] == 0 ? 4 : 1;
		pos += l;
	}
	s = malloc(need);
	if (!s)
		return SF_ENOMEM;
	pos = 0;
	while (pos < rdlen) {
		size_t l = rdata[pos++];

		for (size_t i = 0; i < l; i++) {
			uint8_t c = rdata[pos + i];

			if (c == 0) {
				memcpy(s + o, "\\000", 4);
				o += 4;
			} else {
				s[o++] = (char)c;
			}
		}
		pos += l;
	}
	s[o] = '\0';
	*out_txt = s;
	return SF_OK;
}

/* Any other type: the RDATA in presentation form, as libknot dumps it. */
static sf_status generic_text(const uint8_t *owner, uint16_t type, const uint8_t *rdata,
			      size_t rdlen, char **out_txt)
{
	knot_rrset_t rrset;
	knot_dname_storage_t own;
	size_t cap = 256;
	char *buf = NULL;
	sf_status st = SF_ENOMEM;

	knot_rrset_init_empty(&rrset);
	if (knot_dname_store(own, owner) == 0) {
		st = SF_EPARSE;
		goto out;
	}
	knot_rrset_init(&rrset, own, type, KNOT_CLASS_IN, 0);
	if (knot_rrset_add_rdata(&rrset, rdata, (uint16_t)rdlen, NULL) != 0)
		goto out;
	/* Grow the buffer until the dump fits; RDATA is at most 64 KiB. */
	for (int round = 0; round < 12; round++) {
		char *nb = realloc(buf, cap);
		int r;

		if (!nb)
			goto out;
		buf = nb;
		r = knot_rrset_txt_dump_data(&rrset, 0, buf, cap, &KNOT_DUMP_STYLE_DEFAULT);
		if (r >= 0) {
			*out_txt = buf;
			buf = NULL;
			st = SF_OK;
			goto out;
		}
		if (r != KNOT_ESPACE) {
			st = SF_EPARSE;
			goto out;
		}
		cap *= 2;
	}
	st = SF_EPARSE;
out:
	knot_rdataset_clear(&rrset.rrs, NULL);
	free(buf);
	return st;
}

sf_status sf_dns_rr_decode(const uint8_t *owner, size_t owner_len, uint16_t type,
			   const uint8_t *rdata, size_t rdlen, sf_dns_rr *out_rr)
{
	sf_dns_rr rr = { .type = type };
	char addr[INET6_ADDRSTRLEN];
	sf_status st;

	memset(out_rr, 0, sizeof(*out_rr));
	if (!owner || (rdlen > 0 && !rdata) || rdlen > KNOT_RDATA_MAXLEN)
		return SF_EPARSE;
	st = name_at(owner, owner_len, 0, &rr.owner);
	if (st != SF_OK)
		goto out;

	switch (type) {
	case SF_T_A:
	case SF_T_AAAA: {
		int af = type == SF_T_A ? AF_INET : AF_INET6;

		/* RFC 1035 3.4.1, RFC 3596 2.2: fixed-size addresses. */
		if (rdlen != (type == SF_T_A ? 4u : 16u)) {
			st = SF_EPARSE;
			goto out;
		}
		if (!inet_ntop(af, rdata, addr, sizeof(addr))) {
			st = SF_EPARSE;
			goto out;
		}
		rr.data = strdup(addr);
		st = rr.data ? SF_OK : SF_ENOMEM;
		break;
	}
	case SF_T_CNAME:
		st = name_at(rdata, rdlen, 1, &rr.data);
		break;
	case SF_T_SRV:
		/* RFC 2782: priority, weight, port (16 bits each), target. */
		if (rdlen < 7) {
			st = SF_EPARSE;
			goto out;
		}
		rr.priority = (uint16_t)(rdata[0] << 8 | rdata[1]);
		rr.weight = (uint16_t)(rdata[2] << 8 | rdata[3]);
		rr.port = (uint16_t)(rdata[4] << 8 | rdata[5]);
		st = name_at(rdata + 6, rdlen - 6, 1, &rr.data);
		break;
	case SF_T_TXT:
		st = txt_concat(rdata, rdlen, &rr.data);
		break;
	default:
		st = generic_text(owner, type, rdata, rdlen, &rr.data);
		break;
	}
out:
	if (st != SF_OK) {
		sf_dns_rr_release(&rr);
		return st;
	}
	*out_rr = rr;
	return SF_OK;
}

sf_status sf_dns_rr_copy(const sf_dns_rr *src, const char *owner, sf_dns_rr *out_dst)
{
	sf_dns_rr rr = *src;

	rr.owner = strdup(owner ? owner : src->owner);
	rr.data = src->data ? strdup(src->data) : NULL;
	if (!rr.owner || (src->data && !rr.data)) {
		sf_dns_rr_release(&rr);
		memset(out_dst, 0, sizeof(*out_dst));
		return SF_ENOMEM;
	}
	*out_dst = rr;
	return SF_OK;
}
