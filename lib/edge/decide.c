/*
 * What the emulated Access Edge answers, from the result of the inbound
 * callback check (FED-001) of a request's domain, and the Edge trace it
 * writes (the `$$begin_record` format lib/logs/edge.c reads).
 *
 * The rule that decided gives the answer through its Microsoft view
 * (sf_finding.microsoft): FED-001 for a DNS failure stands for the DNS
 * finding behind it (DNS-001..004 1008, DNS-005/006 1009 with the Edge
 * Result-Code 0xC3E93D6F, DNS-009 1014); FED-001 for the certificate is
 * 1010 with 0xC3E93D67 and SEC_E_WRONG_PRINCIPAL.  Reason texts as the
 * Edge writes them (the knowledge base keys them by number: lib/logs/kb.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "edge/edge_int.h"
#include "util/util.h"
#include "x509/x509.h"

static const char *reason_of(int code)
{
	switch (code) {
	case 1008: return "Unable to resolve DNS SRV record";
	case 1009: return "No match for domain in DNS SRV results";
	case 1010: return "Certificate trust with another server could not be established";
	case 1014: return "Unable to resolve DNS A record";
	case 1027: return "Cannot route this type of SIP request to or from federated partners";
	}
	return "Error";
}

static int is_callback_dns(const char *id)
{
	return id && strncmp(id, "DNS-", 4) == 0;
}

/* The name a certificate carries first: its first SAN dNSName, else its CN. */
static void cert_name(X509 *leaf, char *out, size_t outlen)
{
	sf_strv dns = { 0 }, ip = { 0 };
	char *cn;

	out[0] = '\0';
	if (!leaf)
		return;
	if (sf_x509_san(leaf, &dns, &ip) == 0 && dns.n > 0) {
		sf_edge_clean(dns.v[0], strlen(dns.v[0]), out, outlen);
	} else if ((cn = sf_x509_cn(leaf)) != NULL) {
		sf_edge_clean(cn, strlen(cn), out, outlen);
		free(cn);
	}
	sf_strv_release(&dns);
	sf_strv_release(&ip);
}

/* fqdn1="t:p";fqdn2=... of the result's SRV records into @b (at most 4). */
static void fqdns(const sf_result *r, char *b, size_t cap, size_t *len)
{
	char one[400], clean[300];

	for (size_t i = 0; i < r->n_srv && i < 4; i++) {
		sf_edge_clean(r->srv[i].target, strlen(r->srv[i].target), clean, sizeof(clean));
		snprintf(one, sizeof(one), ";fqdn%zu=\"%s:%u\"", i + 1, clean,
			 (unsigned)r->srv[i].port);
		sf_buf_add(b, cap, len, one);
	}
}

static void set_reject(sf_edge_decision *d, int code)
{
	d->status = 504;
	d->phrase = "Server time-out";
	d->code = code;
	d->severity = "error";
}

void sf_edge_decide(const sf_result *r, X509 *leaf, const char *source, int is_options,
		    sf_edge_decision *d)
{
	const sf_finding *fed = NULL, *dns = NULL;
	char dom[300], cname[300], target[300];
	size_t n = 0, m = 0;

	memset(d, 0, sizeof(*d));
	sf_edge_clean(r->domain ? r->domain : "", r->domain ? strlen(r->domain) : 0, dom,
		      sizeof(dom));
	if (r->verdict == SF_VERDICT_ERROR) {
		/* the DNS source did not answer: the Edge cannot resolve the SRV record */
		set_reject(d, 1008);
		snprintf(d->check, sizeof(d->check), "DNS-001");
		snprintf(d->diag, sizeof(d->diag), "1008;reason=\"%s\";domain=\"%s\";source=\"%s\"",
			 reason_of(1008), dom, source);
		return;
	}
	for (size_t i = 0; i < r->findings.n; i++) {
		const sf_finding *f = &r->findings.v[i];

		if (f->severity != SF_SEV_ERROR)
			continue;
		if (!fed && f->id && strcmp(f->id, "FED-001") == 0)
			fed = f;
		if (!dns && is_callback_dns(f->id) && f->microsoft.ms_diagnostics > 0)
			dns = f;
	}
	if (!fed) {
		d->status = is_options ? 200 : 480;
		d->phrase = is_options ? "OK" : "Temporarily Unavailable";
		snprintf(d->check, sizeof(d->check), "FED-001");
		return;
	}
	cert_name(leaf, cname, sizeof(cname));
	if (fed->rule == SF_R_FED001_DNS) {
		const sf_finding *why = dns ? dns : fed;

		set_reject(d, why->microsoft.ms_diagnostics ? why->microsoft.ms_diagnostics : 1009);
		snprintf(d->check, sizeof(d->check), "%s", why->id);
		d->result_code = why->microsoft.result_code;
		d->result_name = why->microsoft.name;
		n = (size_t)snprintf(d->diag, sizeof(d->diag), "%d;reason=\"%s\";domain=\"%s\"",
				     d->code, reason_of(d->code), dom);
		fqdns(r, d->diag, sizeof(d->diag), &n);
		m = (size_t)snprintf(d->data, sizeof(d->data), "domain=\"%s\"", dom);
		fqdns(r, d->data, sizeof(d->data), &m);
		if (d->code == 1009)
			d->text = "The domain of the message resolved by DNS SRV but none of the "
				  "FQDNs is in the same domain";
		else if (d->code == 1014)
			d->text = "Unable to resolve the DNS A record of the SRV target of the "
				  "domain of the message";
		else
			d->text = "Unable to resolve the DNS SRV record of the domain of the message";
	} else {
		/* the certificate: FED-001 CERT (name), or the peer's chain refused */
		int name = fed->rule == SF_R_FED001_CERT;

		set_reject(d, 1010);
		snprintf(d->check, sizeof(d->check), "%s", name ? "CERT-001" : "CERT-005");
		d->result_code = fed->microsoft.result_code;
		d->result_name = fed->microsoft.name;
		target[0] = '\0';
		for (size_t i = 0; i < r->n_srv && !target[0]; i++)
			if (strcmp(r->srv[i].target, ".") != 0)
				sf_edge_clean(r->srv[i].target, strlen(r->srv[i].target), target,
					      sizeof(target));
		n = (size_t)snprintf(d->diag, sizeof(d->diag),
				     "1010;reason=\"%s\";tls-target=\"%s\";domain=\"%s\"",
				     reason_of(1010), target, dom);
		if (fed->microsoft.hresult) {
			char h[160];

			snprintf(h, sizeof(h), ";HRESULT=\"%s(%s)\"", fed->microsoft.hresult,
				 fed->microsoft.hresult_name ? fed->microsoft.hresult_name : "");
			sf_buf_add(d->diag, sizeof(d->diag), &n, h);
		}
		if (cname[0]) {
			char p[400];

			snprintf(p, sizeof(p), ";PeerServer=\"%s\"", cname);
			sf_buf_add(d->diag, sizeof(d->diag), &n, p);
		}
		snprintf(d->data, sizeof(d->data),
			 "expected-fqdn=\"%s\";certName=\"%s\";domain=\"%s\";info=\"The peer "
			 "certificate does not contain a matching FQDN\"",
			 target, cname, dom);
		d->text = "Message cannot be routed because the peer's certificate does not "
			  "contain a matching FQDN";
	}
	{
		char src[300];

		snprintf(src, sizeof(src), ";source=\"%s\"", source);
		sf_buf_add(d->diag, sizeof(d->diag), &n, src);
	}
}

void sf_edge_decide_policy(const char *domain, const char *why, const char *source,
			   sf_edge_decision *d)
{
	char dom[300];

	memset(d, 0, sizeof(*d));
	sf_edge_clean(domain, strlen(domain), dom, sizeof(dom));
	d->status = 403;
	d->phrase = "Forbidden";
	d->code = 1027;
	d->severity = "warning";
	snprintf(d->diag, sizeof(d->diag), "1027;reason=\"%s\";domain=\"%s\";info=\"%s\";source=\"%s\"",
		 reason_of(1027), dom, why, source);
}

/* ---- the trace ---- */

char *sf_edge_clean(const char *s, size_t n, char *out, size_t outlen)
{
	size_t j = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < n && j + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		/* one line; no quote that ends a value early; no "$$" that ends a record */
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == '"')
			c = '\'';
		else if (c == '$')
			c = '_';
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return out;
}

void sf_edge_trace(FILE *fp, const char *level, const char *component, const char *body)
{
	static unsigned long seq;
	struct timeval tv;
	struct tm tm;

	if (!fp)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	seq++;
	fprintf(fp,
		"TL_%s(TF_%s) [sipfed\\edge]%04X.0001::%02d/%02d/%04d-%02d:%02d:%02d.%03ld.%08lX "
		"(SIPStack,SIPAdminLog::%s:SIPAdminLog.cpp(830))[%lu] $$begin_record\n%s$$end_record\n",
		level, component, (unsigned)getpid() & 0xffffu, tm.tm_mon + 1, tm.tm_mday,
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000), seq,
		strcmp(component, "DIAG") == 0 ? "WriteDiagnosticEvent" : "TraceProtocolRecord",
		seq, body);
	fflush(fp);
}
