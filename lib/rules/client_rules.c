/*
 * CLI-001..004: what Lync / Skype for Business clients of a SIP domain look
 * up (seed 003, the msxfaq note on many SIP domains; SPEC §4):
 *
 *  CLI-001  _sip._tls.<d> SRV: port 443, a target in <d> (or the Microsoft
 *           365 directory sipdir.online.lync.com), whose certificate carries
 *           the target: the client accepts only a server of its own domain.
 *  CLI-002  lyncdiscover.<d> resolves; GET /autodiscover/autodiscoverservice
 *           .svc/root answers with the autodiscover document; over HTTPS the
 *           certificate must carry lyncdiscover.<d>.
 *  CLI-003  lyncdiscover.<d> is a CNAME into another domain ("mobile device
 *           clients do not support multiple SSL certificates from different
 *           domains", quoted in the seed): the first request must use HTTP
 *           on port 80.  The same alternative without a CNAME (a hoster that
 *           spares the lyncdiscover name on its certificate) is reported
 *           here too: it works, it is supported, it is not recommended.
 *  CLI-004  meet.<d> (one Meet URL per SIP domain) resolves and its
 *           certificate covers it; dial-in is one URL for the deployment:
 *           of two dial-in names on one web server, the one that works is
 *           kept, else the earlier domain's (not the order of the domains).
 *
 * Clients fetch lyncdiscover over HTTPS and HTTP in parallel and use what
 * answers, so an HTTPS failure is an error only when HTTP on port 80 does not
 * answer either.  lyncdiscoverinternal.<d> is checked like lyncdiscover.<d>
 * when it resolves (from inside); that it does not resolve is normal.
 * Microsoft 365 targets (webdir.online.lync.com, ...) are Microsoft's own
 * published setup: no CLI-003, no certificate name for the CNAME.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"
#include "util/util.h"

#define ADD(rule, subj, x, y)                                                              \
	do {                                                                               \
		if (sf_findings_add(out, env->profile, (rule), domain, (subj), (x), (y)))  \
			return SF_ENOMEM;                                                  \
	} while (0)

/* The same, in a function that holds growable buffers: on failure, to its cleanup. */
#define ADDS(rule, subj, x, y)                                                             \
	do {                                                                               \
		if (sf_findings_add(out, env->profile, (rule), domain, (subj), (x), (y))) { \
			st = SF_ENOMEM;                                                    \
			goto out;                                                          \
		}                                                                          \
	} while (0)

/* Microsoft 365 directory targets of _sip._tls (CLI-001). */
static const char *const ms_sipdir[] = {
	"sipdir.online.lync.com",
	"sipdir.online.gov.skypeforbusiness.us",
	"sipdir.online.dod.skypeforbusiness.us",
	"sipdir.online.partner.lync.cn",
};

/* Microsoft 365 web service domains (lyncdiscover CNAME webdir.online.lync.com). */
static const char *const ms_web[] = {
	"online.lync.com",
	"online.gov.skypeforbusiness.us",
	"online.dod.skypeforbusiness.us",
	"online.partner.lync.cn",
};

static int in_list(const char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

static int ms365_web(const char *name)
{
	for (size_t i = 0; name && i < SF_ARRAY_LEN(ms_web); i++)
		if (sf_name_is_under(name, ms_web[i]))
			return 1;
	return 0;
}

/* @name is @domain or below it. */
static int in_domain(const char *name, const char *domain)
{
	return strcmp(name, domain) == 0 || sf_name_is_under(name, domain);
}

/* The parent domain of @name ("a.b.c" -> "b.c"), or @name itself if it has one label. */
static const char *parent(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot && dot[1] ? dot + 1 : name;
}

enum cert_outcome {
	CERT_OK = 0,
	CERT_NO_TLS,  /* no chain: not reached, no handshake, nothing in the lab */
	CERT_BAD,     /* a chain, but not a valid one for the name */
};

/*
 * Does the chain @t presented at @port serve @name to a client: a chain at
 * all, the name on the leaf (SAN dNSName; CN only without SAN; a wildcard
 * counts, as in a browser), the leaf's dates, a chain to a trusted root?
 * Writes the first reason against it into @why (emptied first).  Returns
 * CERT_* or -1 on an internal error or out-of-memory.
 */
static int cert_outcome(const sf_rule_env *env, const sf_tls_facts *t, const char *name,
			unsigned port, sf_sb *why)
{
	X509 *leaf;
	sf_strv san = { 0 }, ips = { 0 };
	const sf_verify *v = &t->cf.v;
	time_t now = env->now ? env->now : time(NULL), nb, na;
	char *matched = NULL, *cn = NULL, when[40];
	int how = 0, rc = -1;

	sf_sb_release(why);
	if (t->state != SF_TLS_OK || !t->chain || sk_X509_num(t->chain) == 0) {
		if (sf_sb_addf(why, "no certificate on port %u (%s)", port,
			       t->error ? t->error : "no TLS answer") < 0)
			return -1;
		return CERT_NO_TLS;
	}
	leaf = sk_X509_value(t->chain, 0);
	if (sf_x509_match(leaf, name, &how, &matched) < 0)
		how = 0;
	free(matched);
	if (how == 0) {
		cn = sf_x509_cn(leaf);
		if (sf_x509_san(leaf, &san, &ips) < 0)
			goto out;
		if (sf_sb_addf(why, "the certificate does not carry %s (subject CN %s; SAN "
			       "dNSNames: ", name, cn ? cn : "none") < 0)
			goto out;
		for (size_t i = 0; i < san.n; i++)
			if (sf_sb_addf(why, "%s%s", i ? ", " : "", san.v[i]) < 0)
				goto out;
		if (sf_sb_addf(why, "%s)", san.n ? "" : "none") < 0)
			goto out;
		rc = CERT_BAD;
		goto out;
	}
	if (sf_x509_time(X509_get0_notBefore(leaf), &nb) == 0 &&
	    sf_x509_time(X509_get0_notAfter(leaf), &na) == 0 && (na < now || nb > now)) {
		sf_time_format(na < now ? na : nb, when, sizeof(when));
		if (sf_sb_addf(why, "the certificate %s %s", na < now ? "expired on" :
			       "is not valid before", when) < 0)
			goto out;
		rc = CERT_BAD;
		goto out;
	}
	if (!t->cf.collected || !v->ok) {
		if (sf_sb_addf(why, "the chain does not verify: %s%s%s",
			       t->cf.collected && v->reason ? v->reason : "not verified",
			       t->cf.collected && v->top_subject ? " at " : "",
			       t->cf.collected && v->top_subject ? v->top_subject : "") < 0)
			goto out;
		rc = CERT_BAD;
		goto out;
	}
	rc = CERT_OK;
out:
	sf_strv_release(&san);
	sf_strv_release(&ips);
	free(cn);
	return rc;
}

/* CLI-001: the _sip._tls SRV records, their targets and certificates. */
static sf_status rules_sip(const sf_rule_env *env, const char *domain, const sf_client_facts *c,
			   sf_findings *out)
{
	char owner[300], buf[1024], sug[300], pw[24], port[8];
	sf_sb why = { 0 };
	sf_status st = SF_OK;

	snprintf(owner, sizeof(owner), "_sip._tls.%s", domain);
	snprintf(sug, sizeof(sug), "sip.%s", domain);
	if (c->n_sip == 0)
		ADD(SF_R_CLI001_NO_SRV, owner,
		    c->sip_rcode == SF_DNS_NXDOMAIN ? " (the name does not exist)"
						    : " (the name has no SRV record)",
		    NULL);
	for (size_t i = 0; i < c->n_sip; i++) {
		const sf_srv_facts *s = &c->sip[i];
		const char *t = s->target;
		int dup = 0, oc;

		for (size_t j = 0; j < i; j++)
			dup |= c->sip[j].port == s->port && strcmp(c->sip[j].target, t) == 0;
		if (dup)
			continue;
		if (strcmp(t, ".") == 0) {
			/* RFC 2782: "." means the service is decidedly not available. */
			ADD(SF_R_CLI001_TARGET, t, " (\".\" declares the service not available)",
			    sug);
			continue;
		}
		if (!in_domain(t, domain) && !in_list(ms_sipdir, SF_ARRAY_LEN(ms_sipdir), t)) {
			snprintf(buf, sizeof(buf), " (it is in %s)", parent(t));
			ADD(SF_R_CLI001_TARGET, t, buf, sug);
		}
		if (s->port != 443) {
			snprintf(port, sizeof(port), "%u", s->port);
			snprintf(pw, sizeof(pw), "%u %u", s->priority, s->weight);
			ADD(SF_R_CLI001_PORT, t, port, pw);
		}
		if (s->n_addrs == 0) {
			snprintf(buf, sizeof(buf), "the name has no address (%s)",
				 s->addr_rcode == SF_DNS_NXDOMAIN ? "it does not exist"
								  : sf_dns_rcode_name(s->addr_rcode));
			ADD(SF_R_CLI001_CERT, t, buf, NULL);
			continue;
		}
		if (!s->tls_checked)
			continue;
		oc = cert_outcome(env, &s->tls, t, s->port, &why);
		if (oc < 0) {
			st = SF_ENOMEM;
			goto out;
		}
		if (oc != CERT_OK)
			ADDS(SF_R_CLI001_CERT, t, sf_sb_str(&why), NULL);
	}
out:
	sf_sb_release(&why);
	return st;
}

/* What became of one autodiscover request, for messages. */
static const char *answer_text(const sf_http_answer *a)
{
	switch (a->state) {
	case SF_HTTP_NOT_ASKED:
		return "not asked";
	case SF_HTTP_FAILED:
		return a->error ? a->error : "no answer";
	case SF_HTTP_ANSWERED:
		break;
	}
	return a->doc_ok ? "answers" : a->doc_error ? a->doc_error : "no autodiscover document";
}

/* CLI-002, CLI-003 on lyncdiscover.<d> (@external) or lyncdiscoverinternal.<d>. */
static sf_status rules_discover(const sf_rule_env *env, const char *domain,
				const sf_client_host *h, int external, sf_findings *out)
{
	const char *away = NULL;
	sf_sb cert = { 0 }, why = { 0 }, y = { 0 };
	int ms, oc = CERT_OK, https_ok, http_ok;
	sf_status st = SF_OK;

	if (!h->name)
		return SF_OK;
	if (h->n_addrs == 0) {
		if (!external)
			return SF_OK; /* normally published on the internal DNS only */
		if (h->alias)
			sf_sb_addf(&why, " (a CNAME to %s, which has no address)", h->alias);
		else
			sf_sb_add(&why, h->rcode == SF_DNS_NXDOMAIN ? " (the name does not exist)"
								     : " (no A or AAAA record)");
		ADDS(SF_R_CLI002_NO_DNS, h->name, sf_sb_str(&why), NULL);
		goto out;
	}
	ms = ms365_web(h->alias) || ms365_web(h->canonical);
	if (!ms && h->alias && !in_domain(h->alias, domain))
		away = h->alias;
	else if (!ms && h->canonical && !in_domain(h->canonical, domain))
		away = h->canonical;

	if (!h->tls_checked) {
		/* DNS facts only (offline without --certs). */
		if (away) {
			sf_sb_addf(&why, "is a CNAME into another domain (to %s), which mobile "
				   "clients do not follow over HTTPS", away);
			ADDS(SF_R_CLI003_CNAME, h->name, sf_sb_str(&why), "");
		}
		goto out;
	}
	oc = cert_outcome(env, &h->tls, h->name, 443, &cert);
	if (oc < 0) {
		st = SF_ENOMEM;
		goto out;
	}
	/* A Microsoft 365 web directory is trusted for the domain without its name. */
	https_ok = (oc == CERT_OK || (ms && oc == CERT_BAD)) && h->https.doc_ok;
	http_ok = h->http.doc_ok;

	if (http_ok)
		sf_sb_addf(&y, "; it answers there (supported, not recommended: the answer "
			   "travels unprotected%s)", away ? ", and the client asks the user to "
			   "confirm the web services of the other domain" : "");
	else
		sf_sb_addf(&y, ", which does not answer: %s", answer_text(&h->http));
	if (away) {
		sf_sb_addf(&why, "is a CNAME into another domain (to %s), which mobile "
			   "clients do not follow over HTTPS", away);
		ADDS(SF_R_CLI003_CNAME, h->name, sf_sb_str(&why), sf_sb_str(&y));
	} else if (!https_ok && http_ok) {
		sf_sb_addf(&why, "has no working HTTPS autodiscover (%s)",
			   oc != CERT_OK ? sf_sb_str(&cert) : answer_text(&h->https));
		ADDS(SF_R_CLI003_CNAME, h->name, sf_sb_str(&why), sf_sb_str(&y));
	}
	if (https_ok || http_ok)
		goto out;
	if (oc == CERT_BAD && !ms)
		ADDS(SF_R_CLI002_CERT, h->name, sf_sb_str(&cert), NULL);
	if (oc == CERT_NO_TLS || !h->https.doc_ok) {
		sf_sb_release(&why);
		sf_sb_addf(&why, "HTTPS: %s; HTTP on port 80: %s",
			   oc == CERT_NO_TLS ? sf_sb_str(&cert) : answer_text(&h->https),
			   answer_text(&h->http));
		ADDS(SF_R_CLI002_HTTP, h->name, sf_sb_str(&why), NULL);
	}
out:
	/* a buffer that ran out of memory shows as empty text: the status says so */
	if (st == SF_OK && (why.oom || y.oom || cert.oom))
		st = SF_ENOMEM;
	sf_sb_release(&cert);
	sf_sb_release(&why);
	sf_sb_release(&y);
	return st;
}

/*
 * Does dial-in host @h work for a browser: an address, and (when a TLS
 * source was asked) a valid certificate for it on port 443?  1 yes, 0 no
 * (the reason in @why), 2 not known (no certificate checked), -1 on an
 * internal error or out-of-memory.
 */
static int dialin_works(const sf_rule_env *env, const sf_client_host *h, sf_sb *why)
{
	int oc;

	sf_sb_release(why);
	if (h->n_addrs == 0)
		return sf_sb_add(why, "it does not resolve") < 0 ? -1 : 0;
	if (!h->tls_checked)
		return 2;
	oc = cert_outcome(env, &h->tls, h->name, 443, why);
	if (oc < 0)
		return -1;
	return oc == CERT_OK;
}

int sf_rules_dialin_keep_own(const sf_rule_env *env, const sf_client_facts *c)
{
	sf_sb why = { 0 };
	int own, other;

	if (!c || !c->dialin_shared || !c->dialin.name || !c->dialin_other.name)
		return 0;
	own = dialin_works(env, &c->dialin, &why);
	other = dialin_works(env, &c->dialin_other, &why);
	sf_sb_release(&why);
	if (own < 0 || other < 0)
		return -1;
	return own == 1 && other == 0;
}

/*
 * CLI-004, one dial-in URL per deployment: @domain's dial-in host shares
 * the web server of c->dialin_shared (an earlier domain's).  The finding
 * names the host to remove and the one to keep: the one that works, else
 * the earlier one; the message says why.  @unittest: test_rules (client
 * rows "dial-in URL ...")
 */
static sf_status rules_dialin_shared(const sf_rule_env *env, const char *domain,
				     const sf_client_facts *c, sf_findings *out)
{
	const sf_client_host *d = &c->dialin, *o = &c->dialin_other;
	const char *other = c->dialin_shared;
	sf_sb bo = { 0 }, bx = { 0 }, y = { 0 };
	int own = dialin_works(env, d, &bo);
	int prev = o->name ? dialin_works(env, o, &bx) : 2;
	sf_status st = SF_OK;

	if (own < 0 || prev < 0) {
		st = SF_ENOMEM;
		goto out;
	}
	if (own == 1 && prev == 0) {
		/* This domain's works, the earlier one does not: keep this one. */
		sf_sb_addf(&y, "%s is the one to keep: it works (it resolves and its certificate "
			   "covers it), %s does not (%s)", d->name, other, sf_sb_str(&bx));
		ADDS(SF_R_CLI004_DIALIN, other, d->name, sf_sb_str(&y));
		goto out;
	}
	if (own == 0 && prev == 1)
		sf_sb_addf(&y, "%s is the one to keep: it works (it resolves and its certificate "
			   "covers it), %s does not (%s)", other, d->name, sf_sb_str(&bo));
	else if (own == 1 && prev == 1)
		sf_sb_addf(&y, "both work: the one of the domain checked first (%s) is kept",
			   other);
	else if (own == 0 && prev == 0)
		sf_sb_addf(&y, "neither works yet (%s: %s; %s: %s): the one of the domain checked "
			   "first (%s) is kept, so fix its certificate", d->name, sf_sb_str(&bo),
			   other, sf_sb_str(&bx), other);
	else
		sf_sb_addf(&y, "without their certificates (--certs, or a live check) it is not "
			   "known which one works: the one of the domain checked first (%s) is "
			   "kept", other);
	ADDS(SF_R_CLI004_DIALIN, d->name, other, sf_sb_str(&y));
out:
	if (st == SF_OK && y.oom)
		st = SF_ENOMEM;
	sf_sb_release(&bo);
	sf_sb_release(&bx);
	sf_sb_release(&y);
	return st;
}

/* CLI-004: meet.<d> and dialin.<d>. */
static sf_status rules_simple_urls(const sf_rule_env *env, const char *domain,
				   const sf_client_facts *c, sf_findings *out)
{
	const sf_client_host *m = &c->meet, *d = &c->dialin;
	sf_sb why = { 0 };
	sf_status st = SF_OK;
	int oc;

	if (m->name && m->n_addrs == 0)
		ADDS(SF_R_CLI004_MEET_DNS, m->name,
		     m->alias ? " (its CNAME target has no address)"
		     : m->rcode == SF_DNS_NXDOMAIN ? " (the name does not exist)"
						   : " (no A or AAAA record)",
		     NULL);
	if (m->name && m->n_addrs > 0 && m->tls_checked) {
		oc = cert_outcome(env, &m->tls, m->name, 443, &why);
		if (oc < 0) {
			st = SF_ENOMEM;
			goto out;
		}
		if (oc != CERT_OK)
			ADDS(SF_R_CLI004_MEET_CERT, m->name, sf_sb_str(&why), NULL);
	}
	if (!d->name || d->n_addrs == 0)
		goto out;
	if (c->dialin_shared) {
		st = rules_dialin_shared(env, domain, c, out);
		goto out;
	}
	if (d->tls_checked) {
		oc = cert_outcome(env, &d->tls, d->name, 443, &why);
		if (oc < 0) {
			st = SF_ENOMEM;
			goto out;
		}
		if (oc != CERT_OK)
			ADDS(SF_R_CLI004_MEET_CERT, d->name, sf_sb_str(&why),
			     "; or, as a deployment has one dial-in URL for all its SIP domains, "
			     "remove it if another of them has a working one");
	}
out:
	sf_sb_release(&why);
	return st;
}

sf_status sf_rules_client(const sf_rule_env *env, const sf_domain_facts *f, sf_findings *out)
{
	const sf_client_facts *c = f->client;
	sf_status st;

	if (!c)
		return SF_OK;
	st = rules_sip(env, f->domain, c, out);
	if (st == SF_OK)
		st = rules_discover(env, f->domain, &c->discover, 1, out);
	if (st == SF_OK)
		st = rules_discover(env, f->domain, &c->internal, 0, out);
	if (st == SF_OK)
		st = rules_simple_urls(env, f->domain, c, out);
	return st;
}

const sf_http_answer *sf_client_links_answer(const sf_client_facts *c)
{
	const sf_http_answer *order[4];

	if (!c)
		return NULL;
	order[0] = &c->discover.https;
	order[1] = &c->discover.http;
	order[2] = &c->internal.https;
	order[3] = &c->internal.http;
	for (size_t i = 0; i < SF_ARRAY_LEN(order); i++)
		if (order[i]->doc_ok && order[i]->n_links > 0)
			return order[i];
	return NULL;
}

void sf_client_host_release(sf_client_host *h)
{
	free(h->name);
	free(h->alias);
	free(h->canonical);
	for (size_t i = 0; i < h->n_addrs; i++)
		free(h->addrs[i]);
	free(h->addrs);
	sf_tls_facts_release(&h->tls);
	sf_http_answer_release(&h->https);
	sf_http_answer_release(&h->http);
	memset(h, 0, sizeof(*h));
}

void sf_client_facts_free(sf_client_facts *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_sip; i++)
		sf_srv_facts_release(&c->sip[i]);
	free(c->sip);
	sf_client_host_release(&c->discover);
	sf_client_host_release(&c->internal);
	sf_client_host_release(&c->meet);
	sf_client_host_release(&c->dialin);
	sf_client_host_release(&c->dialin_other);
	free(c->dialin_shared);
	free(c);
}
