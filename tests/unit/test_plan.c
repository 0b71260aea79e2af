/*
 * Unit tests of the planner (lib/plan) and its writers: the seed lab's
 * deployment gives the records and SAN lists the seeds describe (seed 001:
 * one Expressway-E for steven.lab and two CMS domains; seed 003: many SIP
 * domains; seed 004: UM subject = server FQDN); plans for 3 and 300 domains
 * (SAN counts; the 300 are generated here); every bad plan names its field;
 * plan --check on zone files written at test time finds each kind of gap.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "sipfed/plan.h"
#include "sipfed/sipfed.h"
#include "testcert.h"

#define T_SRV 33
#define T_A 1
#define T_AAAA 28
#define T_CNAME 5

/* ---- helpers ---------------------------------------------------------------------- */

static sf_plan *parse_ok(const char *json)
{
	sf_plan *p = NULL;
	sf_status st = sf_plan_parse(json, strlen(json), "t.json", &p);

	if (st != SF_OK)
		fail_msg("plan did not parse: %s", sf_plan_error(p));
	assert_non_null(p);
	assert_string_equal(sf_plan_error(p), "");
	return p;
}

static const sf_plan_zone *zone_of(const sf_plan *p, const char *zone)
{
	for (size_t i = 0; i < p->n_zones; i++)
		if (strcmp(p->zones[i].zone, zone) == 0)
			return &p->zones[i];
	return NULL;
}

/* The record of @owner and @type in the external view (first one), or NULL. */
static const sf_plan_record *rec(const sf_plan *p, const char *owner, uint16_t type,
				 sf_plan_view view)
{
	for (size_t i = 0; i < p->n_zones; i++)
		for (size_t k = 0; k < p->zones[i].n_records; k++) {
			const sf_plan_record *r = &p->zones[i].records[k];

			if (r->type == type && r->view == view && strcmp(r->owner, owner) == 0)
				return r;
		}
	return NULL;
}

static size_t count_records(const sf_plan *p, const char *owner)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_zones; i++)
		for (size_t k = 0; k < p->zones[i].n_records; k++)
			n += strcmp(p->zones[i].records[k].owner, owner) == 0;
	return n;
}

static const sf_plan_cert *cert(const sf_plan *p, sf_plan_cert_kind kind, const char *subject)
{
	for (size_t i = 0; i < p->n_certs; i++)
		if (p->certs[i].kind == kind && strcmp(p->certs[i].subject, subject) == 0)
			return &p->certs[i];
	return NULL;
}

static const sf_plan_domain *dom(const sf_plan *p, const char *d)
{
	for (size_t i = 0; i < p->n_domains; i++)
		if (strcmp(p->domains[i].domain, d) == 0)
			return &p->domains[i];
	return NULL;
}

static const sf_plan_option *option(const sf_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_options; i++)
		if (strcmp(p->options[i].name, name) == 0)
			return &p->options[i];
	return NULL;
}

static size_t count_notes(const sf_plan *p, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < p->notes.n; i++)
		n += strcmp(p->notes.v[i].id, id) == 0;
	return n;
}

/* Every note of @p names its subject in its message (no empty placeholder). */
static void assert_notes_name_subjects(const sf_plan *p)
{
	for (size_t i = 0; i < p->notes.n; i++) {
		const sf_plan_gap *g = &p->notes.v[i];

		if (!g->subject || !strstr(g->message, g->subject))
			fail_msg("%s: the message does not name %s: %s", g->id,
				 g->subject ? g->subject : "(no subject)", g->message);
		if (strstr(g->message, "  ") || strstr(g->message, " of  ") ||
		    (g->fix && strstr(g->fix, " of with ")))
			fail_msg("%s: an empty placeholder: %s / %s", g->id, g->message,
				 g->fix ? g->fix : "");
	}
}

/* The SAN list of @c equals @want (NULL-terminated), in order. */
static void assert_san(const sf_plan_cert *c, const char *const *want)
{
	size_t n = 0;

	assert_non_null(c);
	while (want[n])
		n++;
	if (c->n_san != n) {
		for (size_t i = 0; i < c->n_san; i++)
			print_message("  san[%zu] = %s\n", i, c->san[i]);
		fail_msg("%s: %zu SAN entries, want %zu", c->subject, c->n_san, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c->san[i], want[i]);
}

/* ---- the seed lab (seed 001, examples/plan/seed-lab.json) -------------------------------- */

static const char seed_lab[] =
	"{\"version\":1,\"name\":\"seed lab\",\"domains\":["
	"{\"name\":\"skype.lab\",\"edge\":\"sip.skype.lab\"},"
	"\"steven.lab\",\"acano.steven.lab\",\"cms.steven.lab\"],"
	"\"edge\":[{\"fqdn\":\"vcse.steven.lab\",\"addresses\":[\"10.48.36.47\"],"
	"\"ca\":\"private\"},"
	"{\"fqdn\":\"sip.skype.lab\",\"addresses\":[\"10.48.36.6\"],\"ca\":\"private\"}],"
	"\"options\":{\"client_autoconfig\":false}}";

static void test_seed_lab_records(void **state)
{
	sf_plan *p = parse_ok(seed_lab);
	const sf_plan_record *r;
	const sf_plan_domain *d;

	(void)state;
	assert_int_equal(p->n_domains, 4);
	/* steven.lab: the Expressway-E's FQDN is one label below: the target as it is. */
	d = dom(p, "steven.lab");
	assert_string_equal(d->federation_target, "vcse.steven.lab");
	assert_int_equal(d->own_host, 0);
	assert_null(d->client_target);
	/* The CMS domains (seed 001): vcse.<cms domain> with an A record, not the parent's name. */
	d = dom(p, "acano.steven.lab");
	assert_string_equal(d->federation_target, "vcse.acano.steven.lab");
	assert_int_equal(d->own_host, 1);
	r = rec(p, "_sipfederationtls._tcp.acano.steven.lab", T_SRV, SF_PLAN_VIEW_EXTERNAL);
	assert_non_null(r);
	assert_int_equal(r->port, 5061);
	assert_int_equal(r->priority, 0);
	assert_string_equal(r->target, "vcse.acano.steven.lab");
	r = rec(p, "vcse.acano.steven.lab", T_A, SF_PLAN_VIEW_EXTERNAL);
	assert_non_null(r);
	assert_string_equal(r->address, "10.48.36.47");
	assert_int_equal(r->purpose, SF_PLAN_P_EDGE_HOST);
	/* RFC 2782: never a CNAME for an SRV target. */
	assert_null(rec(p, "vcse.acano.steven.lab", T_CNAME, SF_PLAN_VIEW_EXTERNAL));
	r = rec(p, "_sipfederationtls._tcp.cms.steven.lab", T_SRV, SF_PLAN_VIEW_EXTERNAL);
	assert_string_equal(r->target, "vcse.cms.steven.lab");
	/* The records go into their own SIP domain's zone. */
	assert_non_null(zone_of(p, "cms.steven.lab"));
	assert_int_equal(zone_of(p, "cms.steven.lab")->n_records, 2);
	assert_int_equal(zone_of(p, "steven.lab")->n_records, 2); /* SRV + vcse A */
	/* skype.lab behind its own Edge. */
	assert_string_equal(dom(p, "skype.lab")->federation_target, "sip.skype.lab");
	assert_string_equal(dom(p, "skype.lab")->edge, "sip.skype.lab");
	/* client autoconfig off: no _sip._tls. */
	assert_null(rec(p, "_sip._tls.steven.lab", T_SRV, SF_PLAN_VIEW_EXTERNAL));
	assert_int_equal(p->n_records, 8);
	sf_plan_free(p);
}

static void test_seed_lab_certs(void **state)
{
	static const char *const vcse[] = { "vcse.steven.lab", "vcse.acano.steven.lab",
					    "vcse.cms.steven.lab", NULL };
	static const char *const skype[] = { "sip.skype.lab", NULL };
	sf_plan *p = parse_ok(seed_lab);
	const sf_plan_cert *c;

	(void)state;
	assert_int_equal(p->n_certs, 2);
	/* The certificate of the lab's stage cisco-fixed: every SRV target a SAN. */
	c = cert(p, SF_PLAN_CERT_EDGE, "vcse.steven.lab");
	assert_san(c, vcse);
	assert_int_equal(c->n_per_domain, 2);
	assert_int_equal(c->public_ca, 0);
	assert_string_equal(c->host, "vcse.steven.lab");
	assert_int_equal(c->port, 5061);
	assert_san(cert(p, SF_PLAN_CERT_EDGE, "sip.skype.lab"), skype);
	assert_int_equal(p->san_total, 4);
	/* .lab is no public suffix: DNS-010 per domain; no CERT-011 on a private CA. */
	assert_int_equal(count_notes(p, "DNS-010"), 4);
	assert_int_equal(count_notes(p, "CERT-011"), 0);
	/* With a hosting provider the Edge would need only its own names. */
	assert_int_equal(option(p, "federation_hosting_provider")->san_now[SF_PLAN_CERT_EDGE], 4);
	assert_int_equal(option(p, "federation_hosting_provider")->san_toggled[SF_PLAN_CERT_EDGE],
			 2);
	sf_plan_free(p);
}

/* The lab's own data: stages/cisco-fixed/hosts lists the same SAN list (if the tree is here). */
static void test_seed_lab_matches_stage(void **state)
{
	const char *src = getenv("SIPFED_SRCDIR");
	char path[1024], line[512];
	sf_plan *p = NULL;
	FILE *fp;
	int seen = 0;

	(void)state;
	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/examples/plan/seed-lab.json", src);
	assert_int_equal(sf_plan_load(path, &p), SF_OK);
	snprintf(path, sizeof(path), "%s/examples/seed-lab/stages/cisco-fixed/hosts", src);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *host = line, *sans, *end;
		const sf_plan_cert *c;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* "FQDN<blanks>SAN1,SAN2,..." */
		sans = host + strcspn(host, " \t");
		*sans++ = '\0';
		sans += strspn(sans, " \t");
		end = sans + strcspn(sans, " \t\r\n");
		*end = '\0';
		if (!*host || !*sans)
			continue;
		/* The box's certificate: the planned one whose SAN list has this host. */
		c = cert(p, SF_PLAN_CERT_EDGE,
			 strcmp(host, "sip.skype.lab") == 0 ? "sip.skype.lab" : "vcse.steven.lab");
		assert_non_null(c);
		{
			char joined[512] = "";

			for (size_t i = 0; i < c->n_san; i++) {
				strncat(joined, i ? "," : "", sizeof(joined) - strlen(joined) - 1);
				strncat(joined, c->san[i], sizeof(joined) - strlen(joined) - 1);
			}
			assert_string_equal(joined, sans);
		}
		seen++;
	}
	fclose(fp);
	assert_int_equal(seen, 4);
	sf_plan_free(p);
}

/* ---- seed 004: the UM certificate ------------------------------------------------------- */

static void test_um(void **state)
{
	static const char *const um[] = { "exch01.contoso.local", NULL };
	sf_plan *p = parse_ok("{\"domains\":[\"contoso.com\"],"
			      "\"edge\":{\"fqdn\":\"sip.contoso.com\"},"
			      "\"um_servers\":[\"EXCH01.contoso.local\"]}");
	const sf_plan_cert *c = cert(p, SF_PLAN_CERT_UM, "exch01.contoso.local");

	(void)state;
	/* Subject = the server FQDN, and the SAN too (seed 004: "SN and SAN"). */
	assert_san(c, um);
	assert_int_equal(c->public_ca, 0);
	assert_int_equal(c->n_per_domain, 0);
	assert_non_null(strstr(c->note, "UM-001"));
	assert_int_equal(count_notes(p, "CERT-011"), 0);
	sf_plan_free(p);

	/* A public CA cannot issue .local (seed 004): CERT-011, an error. */
	p = parse_ok("{\"domains\":[\"contoso.com\"],\"edge\":{\"fqdn\":\"sip.contoso.com\"},"
		     "\"um_servers\":[{\"fqdn\":\"exch01.contoso.local\",\"ca\":\"public\"}]}");
	assert_int_equal(count_notes(p, "CERT-011"), 1);
	for (size_t i = 0; i < p->notes.n; i++)
		if (strcmp(p->notes.v[i].id, "CERT-011") == 0) {
			assert_int_equal(p->notes.v[i].severity, SF_SEV_ERROR);
			assert_string_equal(p->notes.v[i].subject, "exch01.contoso.local");
		}
	assert_notes_name_subjects(p);
	sf_plan_free(p);

	/* o365: a private CA for the Edge is CERT-005; the note says what is needed. */
	p = parse_ok("{\"domains\":[\"contoso.com\"],\"profile\":\"o365\",\"edge\":"
		     "{\"fqdn\":\"sip.contoso.com\",\"ca\":\"private\"}}");
	assert_int_equal(count_notes(p, "CERT-005"), 1);
	for (size_t i = 0; i < p->notes.n; i++)
		if (strcmp(p->notes.v[i].id, "CERT-005") == 0)
			assert_non_null(strstr(p->notes.v[i].message, "which is not a public root"));
	assert_notes_name_subjects(p);
	sf_plan_free(p);
}

/* ---- three domains (examples/plan/three-domains.json) ------------------------------------ */

static const char three[] =
	"{\"version\":1,\"domains\":[\"contoso.com\",\"fabrikam.com\","
	"{\"name\":\"tailspintoys.com\",\"meet\":\"https://meet.tailspintoys.com/join\"}],"
	"\"edge\":{\"fqdn\":\"sip.contoso.com\",\"addresses\":[\"203.0.113.10\"],"
	"\"webconf_fqdn\":\"webconf.contoso.com\",\"webconf_addresses\":[\"203.0.113.11\"],"
	"\"av_fqdn\":\"av.contoso.com\",\"av_addresses\":[\"203.0.113.12\"]},"
	"\"reverse_proxy\":{\"fqdn\":\"webext.contoso.com\",\"addresses\":[\"203.0.113.20\"]},"
	"\"pools\":[{\"fqdn\":\"pool01.corp.contoso.com\",\"servers\":[\"fe01.corp.contoso.com\","
	"\"fe02.corp.contoso.com\"],\"external_web_fqdn\":\"webext.contoso.com\","
	"\"addresses\":[\"10.0.0.21\"]}],"
	"\"meet\":\"https://meet.{domain}/\",\"dialin\":\"https://dialin.contoso.com/\","
	"\"um_servers\":[\"um01.corp.contoso.com\",\"um02.corp.contoso.com\"]}";

static void test_three_domains(void **state)
{
	static const char *const edge[] = { "sip.contoso.com", "webconf.contoso.com",
					    "sip.fabrikam.com", "sip.tailspintoys.com", NULL };
	static const char *const rp[] = {
		"webext.contoso.com", "dialin.contoso.com", "lyncdiscover.contoso.com",
		"meet.contoso.com", "lyncdiscover.fabrikam.com", "meet.fabrikam.com",
		"lyncdiscover.tailspintoys.com", "meet.tailspintoys.com", NULL,
	};
	sf_plan *p = parse_ok(three);
	const sf_plan_record *r;
	const sf_plan_option *o;

	(void)state;
	/* contoso.com: the Edge FQDN itself; the others get sip.<d> (DNS-005). */
	assert_string_equal(dom(p, "contoso.com")->federation_target, "sip.contoso.com");
	assert_int_equal(dom(p, "contoso.com")->own_host, 0);
	assert_string_equal(dom(p, "fabrikam.com")->federation_target, "sip.fabrikam.com");
	assert_string_equal(dom(p, "fabrikam.com")->client_target, "sip.fabrikam.com");
	assert_int_equal(dom(p, "fabrikam.com")->own_host, 1);
	r = rec(p, "_sip._tls.fabrikam.com", T_SRV, SF_PLAN_VIEW_EXTERNAL);
	assert_non_null(r);
	assert_int_equal(r->port, 443);
	/* lyncdiscover over HTTPS: a CNAME inside the domain, an A record across (CLI-003). */
	r = rec(p, "lyncdiscover.contoso.com", T_CNAME, SF_PLAN_VIEW_EXTERNAL);
	assert_non_null(r);
	assert_string_equal(r->target, "webext.contoso.com");
	assert_null(rec(p, "lyncdiscover.fabrikam.com", T_CNAME, SF_PLAN_VIEW_EXTERNAL));
	r = rec(p, "lyncdiscover.fabrikam.com", T_A, SF_PLAN_VIEW_EXTERNAL);
	assert_non_null(r);
	assert_string_equal(r->address, "203.0.113.20");
	/* Internal autodiscover in the internal view only. */
	assert_non_null(rec(p, "lyncdiscoverinternal.fabrikam.com", T_A, SF_PLAN_VIEW_INTERNAL));
	assert_int_equal(count_records(p, "lyncdiscoverinternal.fabrikam.com"), 1);
	assert_string_equal(dom(p, "tailspintoys.com")->meet_url,
			    "https://meet.tailspintoys.com/join");
	assert_string_equal(p->dialin_url, "https://dialin.contoso.com/");
	/* The dial-in host once, though every pool and the reverse proxy carry it. */
	assert_int_equal(count_records(p, "dialin.contoso.com"), 2); /* external + internal */

	assert_san(cert(p, SF_PLAN_CERT_EDGE, "sip.contoso.com"), edge);
	assert_int_equal(cert(p, SF_PLAN_CERT_EDGE, "sip.contoso.com")->n_per_domain, 2);
	assert_san(cert(p, SF_PLAN_CERT_REVERSE_PROXY, "webext.contoso.com"), rp);
	assert_int_equal(cert(p, SF_PLAN_CERT_REVERSE_PROXY, "webext.contoso.com")->n_per_domain,
			 6);
	assert_int_equal(cert(p, SF_PLAN_CERT_FRONT_END, "pool01.corp.contoso.com")->n_san, 14);
	assert_int_equal(p->n_certs, 5);
	assert_int_equal(p->san_total, 4 + 8 + 14 + 1 + 1);
	/* lyncdiscover over HTTP would take the 3 lyncdiscover names off RP and FE. */
	o = option(p, "lyncdiscover_over_http");
	assert_true(o->applicable);
	assert_false(o->in_use);
	assert_int_equal(o->san_now[SF_PLAN_CERT_REVERSE_PROXY], 8);
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_REVERSE_PROXY], 5);
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_FRONT_END], 11);
	/* A shared meet host: meet.contoso.com/<domain> for all three. */
	o = option(p, "shared_meet_host");
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_REVERSE_PROXY], 6);
	/* Notes: .com is public; the Edge and RP names are public; nothing to say. */
	assert_int_equal(p->notes.n, 0);
	sf_plan_free(p);
}

/* ---- 300 domains, generated ----------------------------------------------------------- */

/* A hoster plan of @n domains d0001.example-hoster.com..., options as given. */
static char *hoster_plan(size_t n, const char *extra_edge, const char *options, const char *meet)
{
	size_t cap = 512 + n * 64;
	char *s = malloc(cap);
	size_t len = 0;

	assert_non_null(s);
	len += (size_t)snprintf(s + len, cap - len, "{\"domains\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s\"customer%04zu.com\"", i ? "," : "",
					i + 1);
	len += (size_t)snprintf(s + len, cap - len,
				"],\"edge\":{\"fqdn\":\"sip.hoster.net\",\"addresses\":"
				"[\"198.51.100.10\"]%s},\"reverse_proxy\":{\"fqdn\":"
				"\"web.hoster.net\",\"addresses\":[\"198.51.100.20\"]},"
				"\"dialin\":\"https://dialin.hoster.net/\",\"meet\":\"%s\","
				"\"options\":%s}",
				extra_edge, meet, options);
	assert_true(len < cap);
	return s;
}

static void test_300_domains(void **state)
{
	char *json;
	sf_plan *p;
	const sf_plan_option *o;

	(void)state;
	/* Everything per domain: the Edge and the reverse proxy carry 300 names each. */
	json = hoster_plan(300, "", "{}", "https://meet.{domain}/");
	p = parse_ok(json);
	free(json);
	assert_int_equal(p->n_domains, 300);
	assert_int_equal(cert(p, SF_PLAN_CERT_EDGE, "sip.hoster.net")->n_san, 1 + 300);
	assert_int_equal(cert(p, SF_PLAN_CERT_EDGE, "sip.hoster.net")->n_per_domain, 300);
	/* web + dialin + lyncdiscover.<d> + meet.<d> */
	assert_int_equal(cert(p, SF_PLAN_CERT_REVERSE_PROXY, "web.hoster.net")->n_san, 2 + 600);
	assert_int_equal(cert(p, SF_PLAN_CERT_REVERSE_PROXY, "web.hoster.net")->n_per_domain, 600);
	assert_int_equal(p->san_total, 301 + 602);
	/* Per domain, public zone: fed SRV, client SRV, sip A, lyncdiscover A, meet CNAME. */
	assert_int_equal(zone_of(p, "customer0150.com")->n_records, 5);
	assert_string_equal(rec(p, "_sipfederationtls._tcp.customer0300.com", T_SRV,
				SF_PLAN_VIEW_EXTERNAL)->target,
			    "sip.customer0300.com");
	/* The options, worked out: HTTP autodiscover -300, shared meet -299 on the RP. */
	o = option(p, "lyncdiscover_over_http");
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_REVERSE_PROXY], 302);
	o = option(p, "shared_meet_host");
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_REVERSE_PROXY], 303);
	/* Hosting provider alone: the client names stay. */
	o = option(p, "federation_hosting_provider");
	assert_int_equal(o->san_toggled[SF_PLAN_CERT_EDGE], 301);
	sf_plan_free(p);

	/* The hoster's choices: HTTP autodiscover, one meet host, hosting provider, no SRV. */
	json = hoster_plan(300, ",\"federation\":\"hosting-provider\"",
			   "{\"lyncdiscover_over_http\":true,\"client_autoconfig\":false}",
			   "https://meet.hoster.net/{domain}");
	p = parse_ok(json);
	free(json);
	assert_int_equal(cert(p, SF_PLAN_CERT_EDGE, "sip.hoster.net")->n_san, 1);
	assert_int_equal(cert(p, SF_PLAN_CERT_REVERSE_PROXY, "web.hoster.net")->n_san, 3);
	assert_int_equal(p->san_total, 4);
	assert_string_equal(dom(p, "customer0007.com")->federation_target, "sip.hoster.net");
	assert_int_equal(dom(p, "customer0007.com")->federation, SF_PLAN_FED_HOSTING);
	assert_int_equal(dom(p, "customer0007.com")->own_host, 0);
	assert_int_equal(dom(p, "customer0007.com")->lyncdiscover, 2);
	/* lyncdiscover over HTTP: a CNAME into the hoster's domain is fine. */
	assert_non_null(rec(p, "lyncdiscover.customer0007.com", T_CNAME, SF_PLAN_VIEW_EXTERNAL));
	assert_int_equal(p->n_hosting, 1);
	assert_string_equal(p->hosting[0], "sip.hoster.net");
	assert_int_equal(count_notes(p, "FED-002"), 1);
	assert_notes_name_subjects(p);
	/* Each option reports in use, and what undoing it would cost. */
	assert_true(option(p, "lyncdiscover_over_http")->in_use);
	assert_int_equal(option(p, "lyncdiscover_over_http")
				 ->san_toggled[SF_PLAN_CERT_REVERSE_PROXY], 303);
	assert_true(option(p, "shared_meet_host")->in_use);
	assert_true(option(p, "federation_hosting_provider")->in_use);
	assert_true(option(p, "client_autoconfig_off")->in_use);
	sf_plan_free(p);
}

/* ---- bad plans: each error names its field ----------------------------------------------- */

static const struct bad {
	const char *json;
	const char *want; /* text the message must contain after "t.json: " */
} bad[] = {
	{ "{\"domains\":[\"a.com\",\"b.com\",\"foo..bar\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "domains[2]: not a valid domain name" },
	{ "{\"domains\":[\"a.com\",\"A.COM.\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "domains[1]: duplicate of domains[0]" },
	{ "{\"domains\":[\"*.a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "domains[0]: not a valid domain name" },
	{ "{\"domains\":[\"under_score.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "domains[0]: not a valid domain name" },
	{ "{\"domains\":[42],\"edge\":{\"fqdn\":\"sip.a.com\"}}", "domains[0]: expected" },
	{ "{\"domains\":[{\"nom\":\"a.com\"}],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "domains[0]: unknown field 'nom'" },
	{ "{\"domains\":[],\"edge\":{\"fqdn\":\"sip.a.com\"}}", "domains: empty" },
	{ "{\"edge\":{\"fqdn\":\"sip.a.com\"}}", "domains: missing" },
	{ "{\"domains\":[\"a.com\"]}", "edge: missing" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{}}", "edge.fqdn: missing" },
	{ "{\"domains\":[\"a.com\"],\"edge\":[{\"fqdn\":\"sip.a.com\"},{\"fqdn\":\"x\"}]}",
	  "edge[1].fqdn: not a valid host name" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\",\"addresses\":[\"1.2.3\"]}}",
	  "edge.addresses[0]: not an IPv4 or IPv6 address" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\",\"host_label\":\"a.b\"}}",
	  "edge.host_label: not a single DNS label" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\",\"federation\":\"open\"}}",
	  "edge.federation: expected" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\",\"federation_port\":70000}}",
	  "edge.federation_port: expected a port number" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\",\"ca\":\"cheap\"}}",
	  "edge.ca: expected" },
	{ "{\"domains\":[{\"name\":\"a.com\",\"edge\":\"sip.b.com\"}],\"edge\":{\"fqdn\":"
	  "\"sip.a.com\"}}",
	  "domains[0].edge: no edge with fqdn 'sip.b.com'" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"reverse_proxy\":{}}",
	  "reverse_proxy.fqdn: missing" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"pools\":[{\"fqdn\":"
	  "\"p.a.com\",\"servers\":[\"fe..a.com\"]}]}",
	  "pools[0].servers[0]: not a valid host name" },
	{ "{\"domains\":[\"a.com\",\"b.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"reverse_proxy\":"
	  "{\"fqdn\":\"web.a.com\"},\"meet\":\"https://meet.a.com/\"}",
	  "meet: needs {domain}" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"meet\":"
	  "\"https://meet.{domain}/\"}",
	  "meet: needs \"reverse_proxy\"" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"reverse_proxy\":{\"fqdn\":"
	  "\"web.a.com\"},\"meet\":\"http://meet.{domain}/\"}",
	  "meet: not an https URL" },
	{ "{\"domains\":[{\"name\":\"a.com\",\"meet\":\"https://m.a.com/\"},{\"name\":\"b.com\","
	  "\"meet\":\"https://m.a.com/\"}],\"edge\":{\"fqdn\":\"sip.a.com\"},\"reverse_proxy\":"
	  "{\"fqdn\":\"web.a.com\"}}",
	  "domains[1].meet: b.com has the same meet URL as a.com" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"reverse_proxy\":{\"fqdn\":"
	  "\"web.a.com\"},\"dialin\":[\"https://d.a.com/\"]}",
	  "dialin: one dial-in URL for the whole deployment" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},"
	  "\"um_servers\":[\"*.a.com\"]}",
	  "um_servers[0]: a wildcard is not allowed" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"um_servers\":[{\"fqdn\":"
	  "\"um.a.com\",\"ca\":1}]}",
	  "um_servers[0].ca: expected" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"profile\":\"teams\"}",
	  "profile: expected" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"version\":2}",
	  "version: expected 1" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"ttl\":1}",
	  "ttl: expected" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"options\":{"
	  "\"lyncdiscover_over_http\":1}}",
	  "options.lyncdiscover_over_http: expected true or false" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"options\":{\"fast\":true}}",
	  "options: unknown field 'fast'" },
	{ "{\"domains\":[\"a.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"},\"colour\":1}",
	  "unknown field 'colour'" },
	{ "{\"domains\":[\"a.com\"],\"domains\":[\"b.com\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}",
	  "line 1" },
	{ "{\"domains\":[\"a.com\"", "line 1" },
	{ "[]", "expected a JSON object" },
};

static void test_bad_plans(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];
		sf_plan *p = NULL;
		sf_status st = sf_plan_parse(bad[i].json, strlen(bad[i].json), "t.json", &p);
		const char *err = sf_plan_error(p);

		snprintf(want, sizeof(want), "t.json: %s", bad[i].want);
		/* The failed plan holds the message and nothing else. */
		if (st != SF_EPARSE || p == NULL || strncmp(err, want, strlen(want)) != 0)
			fail_msg("row %zu: status %d, error '%s', want '%s...'", i, st, err, want);
		assert_int_equal(p->n_domains, 0);
		assert_int_equal(p->n_zones, 0);
		/* One line. */
		assert_null(strchr(err, '\n'));
		sf_plan_free(p);
	}
}

/* A domain so long that _sipfederationtls._tcp.<d> would pass 253 characters. */
static void test_long_names(void **state)
{
	char json[1024], d[300];
	sf_plan *p = NULL;

	(void)state;
	snprintf(d, sizeof(d), "%.60s.%.60s.%.60s.%.50s.com",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
		 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	snprintf(json, sizeof(json), "{\"domains\":[\"%s\"],\"edge\":{\"fqdn\":\"sip.a.com\"}}", d);
	assert_int_equal(sf_plan_parse(json, strlen(json), "t.json", &p), SF_EPARSE);
	assert_non_null(strstr(sf_plan_error(p), "domains[0]: too long"));
	sf_plan_free(p);
}

static void test_load(void **state)
{
	const char *src = getenv("SIPFED_SRCDIR");
	static const char *const ex[] = { "three-domains.json", "hoster.json", "seed-lab.json" };
	char path[1024];
	sf_plan *p = NULL;

	(void)state;
	assert_int_equal(sf_plan_load("/nonexistent/plan.json", &p), SF_EIO);
	assert_non_null(p);
	assert_non_null(strstr(sf_plan_error(p), "cannot read '/nonexistent/plan.json'"));
	assert_int_equal(p->n_domains, 0);
	sf_plan_free(p);
	p = NULL;
	assert_int_equal(sf_plan_load(NULL, &p), SF_EINVAL);
	assert_string_equal(sf_plan_error(p), "no plan file given");
	sf_plan_free(p);
	p = NULL;
	assert_string_equal(sf_plan_error(NULL), "out of memory");
	if (!src)
		skip();
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		snprintf(path, sizeof(path), "%s/examples/plan/%s", src, ex[i]);
		if (sf_plan_load(path, &p) != SF_OK)
			fail_msg("%s: %s", ex[i], sf_plan_error(p));
		assert_string_equal(p->file, path);
		sf_plan_free(p);
		p = NULL;
	}
	sf_plan_free(NULL);
}

/* ---- writers ------------------------------------------------------------------------------ */

static char *capture(int (*fn)(FILE *, const sf_plan *, int), const sf_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(fn(fp, p, 0), 0);
	fclose(fp);
	return buf;
}

/* Every line of the DNS section is a comment, a record or blank: it pastes into a zone file. */
static void test_text_zone_snippets(void **state)
{
	sf_plan *p = parse_ok(three);
	char *text = capture(sf_out_text_plan, p), *line, *next;
	int in_dns = 0, records = 0;

	(void)state;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "DNS records", 11) == 0) {
			in_dns = 1;
			continue;
		}
		if (strncmp(line, "Certificates", 12) == 0)
			break;
		if (!in_dns || line[0] == ';' || line[0] == '\0')
			continue;
		/* "owner.  TTL  IN  TYPE  data" */
		if (!strstr(line, ". ") || !strstr(line, " IN "))
			fail_msg("not a zone-file line: '%s'", line);
		records++;
	}
	assert_int_equal(records, (int)p->n_records);
	assert_null(strchr(text, '\x1b'));
	free(text);
	text = capture(sf_out_text_plan, p);
	assert_non_null(strstr(text, "_sipfederationtls._tcp.fabrikam.com."));
	assert_non_null(strstr(text, "SAN (8)"));
	assert_non_null(strstr(text, "lyncdiscover_over_http"));
	free(text);
	sf_plan_free(p);
}

static void test_json(void **state)
{
	sf_plan *p = parse_ok(seed_lab);
	char *text = sf_out_json_plan(p);
	json_error_t jerr;
	json_t *doc, *z, *r, *c;
	const char *key;
	size_t i = 0;
	static const char *const top[] = { "version", "plan", "domains", "zones", "certificates",
					   "dialin_url", "hosting_providers", "options", "notes",
					   "summary" };
	json_t *v;

	(void)state;
	assert_non_null(text);
	doc = json_loads(text, JSON_PRESERVE_ORDER, &jerr);
	assert_non_null(doc);
	json_object_foreach(doc, key, v) {
		assert_true(i < sizeof(top) / sizeof(top[0]));
		assert_string_equal(key, top[i++]);
	}
	assert_int_equal(i, sizeof(top) / sizeof(top[0]));
	z = json_array_get(json_object_get(doc, "zones"), 2);
	assert_string_equal(json_string_value(json_object_get(z, "zone")), "acano.steven.lab");
	r = json_array_get(json_object_get(z, "records"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "type")), "SRV");
	assert_string_equal(json_string_value(json_object_get(r, "data")),
			    "0 0 5061 vcse.acano.steven.lab.");
	assert_int_equal(json_integer_value(json_object_get(r, "port")), 5061);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "checks"), 1)),
			    "DNS-005");
	c = json_array_get(json_object_get(doc, "certificates"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "san_count")), 3);
	assert_string_equal(json_string_value(json_object_get(c, "kind")), "edge");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"),
							     "san_total")), 4);
	json_decref(doc);
	free(text);
	sf_plan_free(p);
}

/* ---- plan --check on zone files written here ----------------------------------------------- */

static char g_dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char check_plan[] =
	"{\"domains\":[\"example.com\",\"example.org\"],"
	"\"edge\":{\"fqdn\":\"sip.example.com\",\"addresses\":[\"192.0.2.10\"]},"
	"\"reverse_proxy\":{\"fqdn\":\"web.example.com\",\"addresses\":[\"192.0.2.20\"]}}";

/* example.com as planned; example.org with every kind of gap. */
static const char zone_com[] =
	"$ORIGIN example.com.\n$TTL 300\n"
	"@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n"
	"_sipfederationtls._tcp SRV 0 0 5061 sip\n"
	"_sip._tls SRV 0 0 443 sip\n"
	"sip A 192.0.2.10\n"
	"web A 192.0.2.20\n"
	"lyncdiscover CNAME web\n"
	"meet A 192.0.2.20\n"; /* an A record where a CNAME is planned: serves as well */

static const char zone_org[] =
	"$ORIGIN example.org.\n$TTL 300\n"
	"@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n"
	"_sipfederationtls._tcp SRV 0 0 5061 sip\n"
	"_sipfederationtls._tcp SRV 10 0 5061 sip.example.com.\n" /* extra: PLAN-007 */
	"_sip._tls SRV 0 0 5061 sip\n"                            /* port: PLAN-002 */
	"sip A 192.0.2.99\n"                                      /* address: PLAN-003 */
	"lyncdiscover CNAME lyncdiscover.example.net.\n";         /* PLAN-005; meet missing */

/*
 * example.net: a zone without records, so that its names do not exist
 * (NXDOMAIN); a name outside every loaded zone is an error of the zone
 * source (SF_DNS_NOZONE), not a missing record.
 */
static const char zone_net[] =
	"$ORIGIN example.net.\n$TTL 300\n"
	"@ SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300\n";

static int setup_zones(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/sipfed-test-plan-XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	write_file("example.com.zone", zone_com);
	write_file("example.org.zone", zone_org);
	write_file("example.net.zone", zone_net);
	return 0;
}

static int teardown_zones(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/example.com.zone", g_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/example.org.zone", g_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/example.net.zone", g_dir);
	unlink(path);
	rmdir(g_dir);
	return 0;
}

static const sf_plan_gap *gap(const sf_plan_gaps *g, const char *id, const char *subject)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].id, id) == 0 && strcmp(g->v[i].subject, subject) == 0)
			return &g->v[i];
	return NULL;
}

/* A context answering from the two zones of setup_zones (and @certs_dir, if any). */
static sf_ctx *zone_ctx(const char *certs_dir)
{
	static char z1[128], z2[128], z3[128];
	static const char *zones[3] = { z1, z2, z3 };
	sf_options opt = { 0 };
	sf_ctx *ctx = NULL;

	snprintf(z1, sizeof(z1), "%s/example.com.zone", g_dir);
	snprintf(z2, sizeof(z2), "%s/example.org.zone", g_dir);
	snprintf(z3, sizeof(z3), "%s/example.net.zone", g_dir);
	opt.zone_files = zones;
	opt.n_zone_files = 3;
	opt.no_probe_misspellings = 1;
	opt.certs_dir = certs_dir;
	assert_int_equal(sf_ctx_new(&opt, &ctx), SF_OK);
	return ctx;
}

/* The rule rows the tests below have seen produced (test_plan_rows_covered). */
static int g_seen[SF_R_COUNT];

static void seen(const sf_plan_gaps *g)
{
	for (size_t i = 0; i < g->n; i++) {
		assert_true((unsigned)g->v[i].rule < (unsigned)SF_R_COUNT);
		/* The row the gap came from gives its ID. */
		assert_string_equal(g->v[i].id, sf_rule_get(g->v[i].rule)->id);
		g_seen[g->v[i].rule] = 1;
	}
}

static void test_check_gaps(void **state)
{
	sf_ctx *ctx;
	sf_plan *p = parse_ok(check_plan);
	sf_plan_domain_check *dc = NULL;
	sf_plan_cert_check *cc = NULL;
	sf_plan_check_summary sum = { 0 };
	const sf_plan_gap *g;
	char *js;

	(void)state;
	ctx = zone_ctx(NULL);

	/* example.com: as planned. */
	assert_int_equal(sf_plan_check_domain(ctx, p, 0, &dc), SF_OK);
	if (dc->gaps.n)
		fail_msg("example.com: %zu gaps, first %s: %s", dc->gaps.n, dc->gaps.v[0].id,
			 dc->gaps.v[0].message);
	assert_int_equal(dc->n_compared, 6); /* fed, client, lyncdiscover, meet, sip A, web A */
	sf_plan_summary_add_domain(&sum, dc);
	sf_plan_domain_check_free(dc);

	/* example.org: one of each. */
	assert_int_equal(sf_plan_check_domain(ctx, p, 1, &dc), SF_OK);
	g = gap(&dc->gaps, "PLAN-007", "_sipfederationtls._tcp.example.org");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_WARN);
	assert_string_equal(g->found, "10 0 5061 sip.example.com.");
	assert_null(gap(&dc->gaps, "PLAN-001", "_sipfederationtls._tcp.example.org"));
	g = gap(&dc->gaps, "PLAN-002", "_sip._tls.example.org");
	assert_non_null(g);
	assert_string_equal(g->planned, "0 0 443 sip.example.org.");
	assert_string_equal(g->found, "0 0 5061 sip.example.org.");
	g = gap(&dc->gaps, "PLAN-003", "sip.example.org");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_WARN); /* there is an address, another one */
	assert_string_equal(g->found, "A 192.0.2.99");
	g = gap(&dc->gaps, "PLAN-005", "lyncdiscover.example.org");
	assert_non_null(g);
	/* Planned: an A record (CLI-003); found: a CNAME into another domain that dangles. */
	assert_string_equal(g->planned, "A 192.0.2.20");
	assert_string_equal(g->found, "CNAME lyncdiscover.example.net.; NXDOMAIN");
	g = gap(&dc->gaps, "PLAN-005", "meet.example.org");
	assert_non_null(g);
	assert_string_equal(g->found, "NXDOMAIN");
	assert_int_equal(dc->gaps.n, 5);
	seen(&dc->gaps);
	/* R of check, plus "gaps" and "compared". */
	js = sf_out_json_plan_domain_check(dc);
	assert_non_null(js);
	assert_non_null(strstr(js, "\"domain\":\"example.org\""));
	assert_non_null(strstr(js, "\"gaps\":[{\"id\":\"PLAN-007\""));
	free(js);
	sf_plan_summary_add_domain(&sum, dc);
	sf_plan_domain_check_free(dc);

	/* Offline without --certs: the certificates cannot be compared (PLAN-006, info). */
	assert_int_equal(sf_plan_check_cert(ctx, p, 0, &cc), SF_OK);
	assert_int_equal(cc->verified, 0);
	assert_non_null(gap(&cc->gaps, "PLAN-006", "sip.example.com"));
	seen(&cc->gaps);
	sf_plan_summary_add_cert(&sum, cc);
	sf_plan_cert_check_free(cc);

	assert_int_equal(sum.domains, 2);
	assert_int_equal(sum.gaps, 6);
	assert_int_equal(sum.not_verified, 1);
	/* Gaps of example.org are warnings; documentation addresses (DNS-009) warn; no error. */
	assert_int_equal(sf_plan_summary_verdict(&sum), SF_VERDICT_WARN);
	sf_ctx_free(ctx);
	sf_plan_free(p);
}

/* The federation SRV record pointing elsewhere is an error gap (PLAN-001). */
static void test_check_federation_elsewhere(void **state)
{
	sf_ctx *ctx;
	sf_plan *p = parse_ok("{\"domains\":[\"example.org\"],\"edge\":{\"fqdn\":"
			      "\"edge.example.com\",\"host_label\":\"fed\"}}");
	sf_plan_domain_check *dc = NULL;
	const sf_plan_gap *g;

	(void)state;
	ctx = zone_ctx(NULL);
	assert_string_equal(p->domains[0].federation_target, "fed.example.org");
	assert_int_equal(sf_plan_check_domain(ctx, p, 0, &dc), SF_OK);
	g = gap(&dc->gaps, "PLAN-001", "_sipfederationtls._tcp.example.org");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_ERROR);
	assert_string_equal(g->planned, "0 0 5061 fed.example.org.");
	assert_non_null(strstr(g->fix, "_sipfederationtls._tcp.example.org. IN SRV 0 0 5061 "
					"fed.example.org."));
	/* The planned name of the Edge does not exist: an error. */
	g = gap(&dc->gaps, "PLAN-003", "fed.example.org");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_ERROR);
	seen(&dc->gaps);
	sf_plan_domain_check_free(dc);
	sf_ctx_free(ctx);
	sf_plan_free(p);
}

/* No record at all where the plan has them; a federation record the plan does not want. */
static void test_check_missing_and_unplanned(void **state)
{
	sf_ctx *ctx;
	sf_plan *p = parse_ok("{\"domains\":[\"example.net\"],\"edge\":{\"fqdn\":"
			      "\"sip.example.com\",\"addresses\":[\"192.0.2.10\"]}}");
	sf_plan *none = parse_ok("{\"domains\":[\"example.com\"],\"edge\":{\"fqdn\":"
				 "\"sip.example.com\",\"federation\":\"none\"}}");
	sf_plan *other = parse_ok("{\"domains\":[\"example.com\"],\"edge\":{\"fqdn\":"
				  "\"sip.example.com\",\"addresses\":[\"192.0.2.10\"]},"
				  "\"reverse_proxy\":{\"fqdn\":\"proxy.example.com\","
				  "\"addresses\":[\"192.0.2.20\"]}}");
	sf_plan_domain_check *dc = NULL;
	const sf_plan_gap *g;

	(void)state;
	ctx = zone_ctx(NULL);

	/* example.net is an empty zone: every planned record is missing. */
	assert_int_equal(sf_plan_check_domain(ctx, p, 0, &dc), SF_OK);
	g = gap(&dc->gaps, "PLAN-001", "_sipfederationtls._tcp.example.net");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN001_FED_SRV_MISSING);
	assert_int_equal(g->severity, SF_SEV_ERROR);
	assert_null(g->found);
	assert_string_equal(g->message, "there is no federation SRV record for example.net; the "
			    "plan has 0 0 5061 sip.example.net.");
	assert_string_equal(g->fix, "publish `_sipfederationtls._tcp.example.net. IN SRV 0 0 5061 "
			    "sip.example.net.`");
	g = gap(&dc->gaps, "PLAN-002", "_sip._tls.example.net");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN002_CLIENT_SRV_MISSING);
	assert_string_equal(g->fix, "publish `_sip._tls.example.net. IN SRV 0 0 443 "
			    "sip.example.net.`");
	g = gap(&dc->gaps, "PLAN-003", "sip.example.net");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN003_HOST_MISSING);
	assert_string_equal(g->found, "NXDOMAIN");
	assert_string_equal(g->fix, "publish `sip.example.net. IN A 192.0.2.10`");
	seen(&dc->gaps);
	sf_plan_domain_check_free(dc);

	/* Federation "none", but example.com publishes the record. */
	assert_int_equal(sf_plan_check_domain(ctx, none, 0, &dc), SF_OK);
	g = gap(&dc->gaps, "PLAN-007", "_sipfederationtls._tcp.example.com");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN007_UNPLANNED_FED);
	assert_int_equal(g->severity, SF_SEV_WARN);
	assert_string_equal(g->found, "0 0 5061 sip.example.com.");
	seen(&dc->gaps);
	sf_plan_domain_check_free(dc);

	/* lyncdiscover.example.com is an alias of web, the plan has it on another proxy. */
	assert_int_equal(sf_plan_check_domain(ctx, other, 0, &dc), SF_OK);
	g = gap(&dc->gaps, "PLAN-005", "lyncdiscover.example.com");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN005_WEB_OTHER);
	assert_string_equal(g->planned, "CNAME proxy.example.com.");
	assert_string_equal(g->found, "CNAME web.example.com.; A 192.0.2.20");
	assert_string_equal(g->fix, "publish `lyncdiscover.example.com. IN CNAME "
			    "proxy.example.com.`");
	seen(&dc->gaps);
	sf_plan_domain_check_free(dc);
	sf_ctx_free(ctx);
	sf_plan_free(p);
	sf_plan_free(none);
	sf_plan_free(other);
}

/* Notes on a plan: no address given (PLAN-010), a CNAME beside other data (PLAN-011). */
static void test_plan_notes(void **state)
{
	sf_plan *p = parse_ok("{\"domains\":[\"example.com\"],\"edge\":{\"fqdn\":"
			      "\"sip.example.com\"},\"reverse_proxy\":{\"fqdn\":"
			      "\"web.example.com\",\"addresses\":[\"192.0.2.20\"]},"
			      "\"meet\":\"https://sip.example.com/{domain}\"}");
	const sf_plan_gap *g;

	(void)state;
	g = gap(&p->notes, "PLAN-010", "sip.example.com");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_INFO);
	g = gap(&p->notes, "PLAN-011", "sip.example.com");
	assert_non_null(g);
	assert_int_equal(g->severity, SF_SEV_ERROR);
	assert_non_null(strstr(g->message, "RFC 1034"));
	/* With addresses and a meet host of its own, neither. */
	seen(&p->notes);
	sf_plan_free(p);
	p = parse_ok("{\"domains\":[\"example.com\"],\"edge\":{\"fqdn\":\"sip.example.com\","
		     "\"addresses\":[\"192.0.2.10\"]},\"reverse_proxy\":{\"fqdn\":"
		     "\"web.example.com\",\"addresses\":[\"192.0.2.20\"]}}");
	assert_null(gap(&p->notes, "PLAN-010", "sip.example.com"));
	assert_null(gap(&p->notes, "PLAN-011", "sip.example.com"));
	sf_plan_free(p);
}

/* Writes @x as DIR/<host>.pem. */
static void write_pem(const char *host, X509 *x)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.pem", g_dir, host);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
}

/*
 * The Edge certificate against its planned SAN list (--certs): a name only
 * through a wildcard is a warning, a name missing an error (PLAN-004).
 */
static void test_check_cert_names(void **state)
{
	char pem[256];
	sf_ctx *ctx;
	sf_plan *p = parse_ok(check_plan);
	sf_plan_cert_check *cc = NULL;
	const sf_plan_cert *c = NULL;
	size_t ci = 0;
	EVP_PKEY *key = tc_key_new(TC_KEY_EC256);
	tc_spec spec = { .cn = "sip.example.com", .san = "DNS:*.example.com",
			 .eku = "serverAuth,clientAuth", .nb_days = -1, .na_days = 30 };
	X509 *x;
	const sf_plan_gap *g;

	(void)state;
	assert_non_null(key);
	x = tc_cert_new(&spec, key, NULL, NULL, time(NULL));
	assert_non_null(x);
	write_pem("sip.example.com", x);
	X509_free(x);
	EVP_PKEY_free(key);
	ctx = zone_ctx(g_dir);
	for (ci = 0; ci < p->n_certs; ci++)
		if (p->certs[ci].kind == SF_PLAN_CERT_EDGE)
			break;
	assert_true(ci < p->n_certs);
	c = &p->certs[ci];
	assert_string_equal(c->host, "sip.example.com");
	assert_int_equal(sf_plan_check_cert(ctx, p, ci, &cc), SF_OK);
	assert_int_equal(cc->verified, 1);
	g = gap(&cc->gaps, "PLAN-004", "sip.example.com");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN004_CERT_NAME_WILDCARD);
	assert_int_equal(g->severity, SF_SEV_WARN);
	g = gap(&cc->gaps, "PLAN-004", "sip.example.org");
	assert_non_null(g);
	assert_int_equal(g->rule, SF_R_PLAN004_CERT_NAME_MISSING);
	assert_int_equal(g->severity, SF_SEV_ERROR);
	assert_string_equal(g->found, "*.example.com");
	assert_string_equal(g->fix, "re-issue the edge certificate with sip.example.org as a "
			    "SAN dNSName");
	assert_int_equal(cc->gaps.n, 2);
	seen(&cc->gaps);
	sf_plan_cert_check_free(cc);
	sf_ctx_free(ctx);
	sf_plan_free(p);
	snprintf(pem, sizeof(pem), "%s/sip.example.com.pem", g_dir);
	unlink(pem);
}

/*
 * A UM certificate's findings are written as the Skype for Business servers
 * see them: no Edge codes on CERT-005 (sf_rules_microsoft), in plan --check
 * JSON as in `sipfed cert --role um`.
 */
static void test_check_um_cert_view(void **state)
{
	char pem[256];
	sf_ctx *ctx;
	sf_plan *p = parse_ok("{\"domains\":[\"example.com\"],\"edge\":{\"fqdn\":"
			      "\"sip.example.com\",\"addresses\":[\"192.0.2.10\"]},"
			      "\"um_servers\":[\"web.example.com\"]}");
	sf_plan_cert_check *cc = NULL;
	size_t ci;
	EVP_PKEY *key = tc_key_new(TC_KEY_RSA2048);
	tc_spec spec = { .cn = "web.example.com", .san = "DNS:web.example.com",
			 .eku = "serverAuth,clientAuth", .crldp = "URI:http://crl.example/ca.crl",
			 .nb_days = -1, .na_days = 300 };
	X509 *x;
	char *js;

	(void)state;
	assert_non_null(key);
	x = tc_cert_new(&spec, key, NULL, NULL, time(NULL));
	assert_non_null(x);
	write_pem("web.example.com", x);
	X509_free(x);
	EVP_PKEY_free(key);
	ctx = zone_ctx(g_dir);
	for (ci = 0; ci < p->n_certs; ci++)
		if (p->certs[ci].kind == SF_PLAN_CERT_UM)
			break;
	assert_true(ci < p->n_certs);
	assert_int_equal(sf_plan_check_cert(ctx, p, ci, &cc), SF_OK);
	assert_int_equal(cc->verified, 1);
	assert_int_equal(cc->role, SF_ROLE_UM);
	js = sf_out_json_plan_cert_check(cc);
	assert_non_null(js);
	/* Self-signed, not in the trust store: CERT-005, without the Edge's 1010. */
	assert_non_null(strstr(js, "\"id\":\"CERT-005\""));
	if (strstr(js, "\"ms_diagnostics\":1010"))
		fail_msg("a UM certificate's finding carries the Edge's 1010: %s", js);
	free(js);
	sf_plan_cert_check_free(cc);
	sf_ctx_free(ctx);
	sf_plan_free(p);
	snprintf(pem, sizeof(pem), "%s/web.example.com.pem", g_dir);
	unlink(pem);
}

/* Every PLAN row of the rule table is produced by a test above (runs last). */
static void test_plan_rows_covered(void **state)
{
	int missing = 0;

	(void)state;
	for (int r = SF_R_PLAN001_FED_SRV_MISSING; r < SF_R_COUNT; r++) {
		if (!g_seen[r]) {
			print_error("rule %d (%s) is produced by no plan test\n", r,
				    sf_rule_get((sf_rule)r)->id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_lab_records),
		cmocka_unit_test(test_seed_lab_certs),
		cmocka_unit_test(test_seed_lab_matches_stage),
		cmocka_unit_test(test_um),
		cmocka_unit_test(test_three_domains),
		cmocka_unit_test(test_300_domains),
		cmocka_unit_test(test_bad_plans),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_text_zone_snippets),
		cmocka_unit_test(test_json),
		cmocka_unit_test_setup_teardown(test_check_gaps, setup_zones, teardown_zones),
		cmocka_unit_test_setup_teardown(test_check_federation_elsewhere, setup_zones,
						teardown_zones),
		cmocka_unit_test_setup_teardown(test_check_missing_and_unplanned, setup_zones,
						teardown_zones),
		cmocka_unit_test(test_plan_notes),
		cmocka_unit_test_setup_teardown(test_check_cert_names, setup_zones,
						teardown_zones),
		cmocka_unit_test_setup_teardown(test_check_um_cert_view, setup_zones, teardown_zones),
		cmocka_unit_test(test_plan_rows_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
