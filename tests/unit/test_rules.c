/*
 * Unit tests of the rule engine (lib/rules): one row per rule outcome.
 *
 * Domain rows build sf_domain_facts by hand (SRV records, addresses, TLS
 * facts) and run sf_rules_evaluate(); certificate rows build a chain in
 * memory and run sf_rules_cert().  Each row lists the exact set of
 * findings (rule, ID, severity, subject, and a piece of the message) it
 * expects for one profile: a missing finding and an unexpected one both
 * fail.  test_coverage checks that every sf_rule value is expected by at
 * least one row.
 *
 * Certificates: a root and two intermediates (SHA-256, SHA-1) on one RSA
 * 2048 CA key, leaves on a second RSA 2048 key (plus an RSA 1024 and an EC
 * P-256 key), made once per run; validity relative to NOW (env.now).  The
 * "private" trust store holds the test root only (--no-system-trust
 * --trust root.pem).  The "public" store is the same, but its system-roots
 * store (what sf_x509_verify(public_only) reads: the file of $SSL_CERT_FILE)
 * was loaded while SSL_CERT_FILE named the test root: the only way to have a
 * test chain count as publicly issued, which CERT-011 needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libpsl.h>
#include <openssl/err.h>

#include "rules/rules.h"
#include "testcert.h"

#define NOW ((time_t)1780272000) /* 2026-06-01T00:00:00Z */
#define S "sip.example.com"
#define PUB4 "93.184.216.34"
#define PUB6 "2606:2800:220:1:248:1893:25c8:1946"
#define CRLDP "URI:http://crl.example.com/sipfed-test.crl"
#define ROOT_CN "sipfed test root"

#define E SF_SEV_ERROR
#define W SF_SEV_WARN
#define I SF_SEV_INFO

/* DNS-001 and DNS-003 name the record that is missing or wrong. */
#define FED_OWNER(d) "_sipfederationtls._tcp." d

/* "" in a certificate row field: the field is absent (no CN, no SAN, no EKU). */
#define NONE ""

static EVP_PKEY *k_ca, *k_leaf, *k_small, *k_ec;
static X509 *c_root, *c_inter, *c_inter_sha1, *c_other_root, *c_root_sha1, *c_inter_r1;
static sf_trust *trust_priv, *trust_pub, *trust_empty;
static sf_trust *cur_trust; /* the store of the row being run (env_init) */
static char long_san[4096]; /* 60 SAN dNSNames, none of them sip.example.com */
static char g_tmp[64];

/* The built-in hosting providers of lib/core/ctx.c (SPEC §4 DNS-005). */
static const char *const hosting_builtin[] = {
	"sipfed.online.lync.com",
	"sipfed.online.gov.skypeforbusiness.us",
	"sipfed.online.dod.skypeforbusiness.us",
	"sipfed.online.partner.lync.cn",
};

/* One expected finding; @msg must occur in its message (NULL: not checked). */
struct want {
	sf_rule rule;
	const char *id;
	sf_severity sev;
	const char *subject;
	const char *msg;
};

#define MAX_WANT 6

enum trust_kind {
	TR_PRIVATE = 0, /* the test roots, no system roots */
	TR_PUBLIC,      /* the same, and they count as public (system) roots */
	TR_EMPTY,       /* no root at all */
};

/* ---- fixtures ------------------------------------------------------------ */

static X509 *make_leaf(const tc_spec *s, EVP_PKEY *key, X509 *issuer)
{
	return tc_cert_new(s, key, issuer, k_ca, NOW);
}

/* The compliant leaf for @name: SAN and CN @name, server+client EKU, CRLDP. */
static X509 *good_leaf(const char *name)
{
	char san[300];
	tc_spec s = { .cn = name, .san = san, .eku = "serverAuth,clientAuth", .crldp = CRLDP,
		      .nb_days = -30, .na_days = 365, .serial = 100 };

	snprintf(san, sizeof(san), "DNS:%s", name);
	return make_leaf(&s, k_leaf, c_inter);
}

static int group_setup(void **state)
{
	tc_spec root = { .cn = ROOT_CN, .ca = 1, .nb_days = -365, .na_days = 3650, .serial = 1 };
	tc_spec other = { .cn = "sipfed untrusted root", .ca = 1, .nb_days = -365,
			  .na_days = 3650, .serial = 2 };
	tc_spec inter = { .cn = "sipfed test intermediate", .ca = 1, .nb_days = -300,
			  .na_days = 3000, .serial = 3 };
	tc_spec inter1 = { .cn = "sipfed test sha1 intermediate", .ca = 1, .nb_days = -300,
			   .na_days = 3000, .sig = TC_SIG_SHA1, .serial = 4 };
	tc_spec root1 = { .cn = "sipfed test sha1 root", .ca = 1, .nb_days = -365,
			  .na_days = 3650, .sig = TC_SIG_SHA1, .serial = 5 };
	tc_spec inter2 = { .cn = "sipfed test intermediate 2", .ca = 1, .nb_days = -300,
			   .na_days = 3000, .serial = 6 };
	char pem[128], err[256];
	const char *files[1] = { pem };
	size_t len = 0;
	sf_verify v;
	STACK_OF(X509) *chain;
	X509 *leaf;

	(void)state;
	k_ca = tc_key_new(TC_KEY_RSA2048);
	k_leaf = tc_key_new(TC_KEY_RSA2048);
	k_small = tc_key_new(TC_KEY_RSA1024);
	k_ec = tc_key_new(TC_KEY_EC256);
	if (!k_ca || !k_leaf || !k_small || !k_ec)
		return -1;
	c_root = tc_cert_new(&root, k_ca, NULL, NULL, NOW);
	c_other_root = tc_cert_new(&other, k_ca, NULL, NULL, NOW);
	if (!c_root || !c_other_root)
		return -1;
	c_inter = tc_cert_new(&inter, k_ca, c_root, k_ca, NOW);
	c_inter_sha1 = tc_cert_new(&inter1, k_ca, c_root, k_ca, NOW);
	c_root_sha1 = tc_cert_new(&root1, k_ca, NULL, NULL, NOW);
	if (!c_inter || !c_inter_sha1 || !c_root_sha1)
		return -1;
	c_inter_r1 = tc_cert_new(&inter2, k_ca, c_root_sha1, k_ca, NOW);
	if (!c_inter_r1)
		return -1;
	for (int i = 0; i < 60; i++) {
		int n = snprintf(long_san + len, sizeof(long_san) - len,
				 "%sDNS:host-%02d.long-name-for-a-san-list.example.org",
				 i ? "," : "", i);

		if (n < 0 || (size_t)n >= sizeof(long_san) - len)
			return -1;
		len += (size_t)n;
	}

	snprintf(g_tmp, sizeof(g_tmp), "/tmp/sipfed-test-rules-XXXXXX");
	if (!mkdtemp(g_tmp))
		return -1;
	snprintf(pem, sizeof(pem), "%s/root.pem", g_tmp);
	if (tc_write_pem(pem, (X509 *[]){ c_root, c_root_sha1 }, 2))
		return -1;
	/*
	 * Make the test root "public" for trust_pub: its system store is
	 * loaded when it is made, from the bundle file, which
	 * reads $SSL_CERT_FILE.
	 */
	setenv("SSL_CERT_FILE", pem, 1);
	if (sf_trust_new(files, 1, 1, &trust_pub, err, sizeof(err)) != SF_OK) {
		fprintf(stderr, "sf_trust_new: %s\n", err);
		return -1;
	}
	unsetenv("SSL_CERT_FILE");
	if (sf_trust_new(files, 1, 1, &trust_priv, err, sizeof(err)) != SF_OK ||
	    sf_trust_new(NULL, 0, 1, &trust_empty, err, sizeof(err)) != SF_OK) {
		fprintf(stderr, "sf_trust_new: %s\n", err);
		return -1;
	}
	leaf = good_leaf(S);
	chain = tc_chain_new((X509 *[]){ leaf, c_inter }, 2);
	if (!leaf || !chain)
		return -1;
	if (sf_x509_verify(trust_pub, chain, NOW, 1, &v) < 0 || !v.ok) {
		fprintf(stderr, "cannot make the test root public: %s\n",
			v.reason ? v.reason : "?");
		return -1;
	}
	sf_verify_release(&v);
	/* ... while the private store still refuses it as public. */
	if (sf_x509_verify(trust_priv, chain, NOW, 1, &v) < 0 || v.ok)
		return -1;
	sf_verify_release(&v);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	return 0;
}

static int group_teardown(void **state)
{
	char pem[128];

	(void)state;
	snprintf(pem, sizeof(pem), "%s/root.pem", g_tmp);
	unlink(pem);
	rmdir(g_tmp);
	sf_trust_free(trust_priv);
	sf_trust_free(trust_pub);
	sf_trust_free(trust_empty);
	X509_free(c_root);
	X509_free(c_root_sha1);
	X509_free(c_inter_r1);
	X509_free(c_other_root);
	X509_free(c_inter);
	X509_free(c_inter_sha1);
	EVP_PKEY_free(k_ca);
	EVP_PKEY_free(k_leaf);
	EVP_PKEY_free(k_small);
	EVP_PKEY_free(k_ec);
	return 0;
}

static void env_init(sf_rule_env *env, sf_profile p, enum trust_kind tr,
		     const char *const *hosting, size_t n_hosting)
{
	memset(env, 0, sizeof(*env));
	env->profile = p;
	env->hosting = hosting;
	env->n_hosting = n_hosting;
	env->now = NOW;
	cur_trust = tr == TR_PUBLIC ? trust_pub : tr == TR_EMPTY ? trust_empty : trust_priv;
	env->psl = psl_builtin();
}

/* The collector's part: what verification says of a chain, with the row's trust store. */
static void collect_tls(sf_tls_facts *t)
{
	if (t->state == SF_TLS_OK && t->chain)
		assert_int_equal(sf_chain_facts_collect(cur_trust, t->chain, NOW, &t->cf), 0);
}

static void collect_domain(sf_domain_facts *f)
{
	for (size_t i = 0; i < f->n_srv; i++)
		collect_tls(&f->srv[i].tls);
	if (!f->client)
		return;
	for (size_t i = 0; i < f->client->n_sip; i++)
		collect_tls(&f->client->sip[i].tls);
	collect_tls(&f->client->discover.tls);
	collect_tls(&f->client->internal.tls);
	collect_tls(&f->client->meet.tls);
	collect_tls(&f->client->dialin.tls);
	collect_tls(&f->client->dialin_other.tls);
}

/* sf_rules_cert() on @chain after the collector's verification of it. */
static sf_status rules_cert(const sf_rule_env *env, STACK_OF(X509) *chain, const char *expected,
			    sf_role role, int mutual, int presented, sf_findings *out,
			    sf_cert_detail *det)
{
	sf_chain_facts cf = { 0 };
	sf_status st;

	if (sk_X509_num(chain) > 0)
		assert_int_equal(sf_chain_facts_collect(cur_trust, chain, NOW, &cf), 0);
	st = sf_rules_cert(env, chain, &cf, expected, role, mutual, presented, out, det);
	sf_chain_facts_release(&cf);
	return st;
}

/* ---- comparing findings --------------------------------------------------- */

static const char *sev_name(sf_severity s)
{
	return sf_severity_name(s);
}

/*
 * Compares @got with the expected set @want (terminated by id == NULL),
 * as a multiset: every expected finding must match a distinct finding, and
 * every finding must be expected.  Also checks what holds for any finding:
 * the ID is the table's, the message is set and has no placeholder left.
 * Prints every difference; returns 1 if there is one, else 0.
 */
static int check_findings(const char *row, const sf_findings *got, const struct want *want)
{
	int used[64] = { 0 };
	int bad = 0;

	assert_true(got->n < SF_ARRAY_LEN(used));
	for (size_t i = 0; i < got->n; i++) {
		const sf_finding *f = &got->v[i];
		const sf_rule_info *ri = sf_rule_get(f->rule);

		assert_non_null(ri);
		assert_string_equal(f->id, ri->id);
		assert_non_null(f->subject);
		assert_non_null(f->message);
		assert_true(f->message[0] != '\0');
		if (strstr(f->message, "{d}") || strstr(f->message, "{s}") ||
		    strstr(f->message, "{x}") || strstr(f->message, "{y}") ||
		    (f->fix && (strstr(f->fix, "{d}") || strstr(f->fix, "{s}") ||
				strstr(f->fix, "{x}") || strstr(f->fix, "{y}")))) {
			print_error("[%s] placeholder left in %s: %s / %s\n", row, f->id,
				    f->message, f->fix ? f->fix : "");
			bad = 1;
		}
	}
	for (const struct want *w = want; w->id; w++) {
		size_t k;

		for (k = 0; k < got->n; k++) {
			const sf_finding *f = &got->v[k];

			if (!used[k] && f->rule == w->rule && strcmp(f->id, w->id) == 0 &&
			    f->severity == w->sev && strcmp(f->subject, w->subject) == 0 &&
			    (!w->msg || strstr(f->message, w->msg)))
				break;
		}
		if (k == got->n) {
			print_error("[%s] missing: %s %s subject '%s'%s%s\n", row, w->id,
				    sev_name(w->sev), w->subject, w->msg ? " message ~ " : "",
				    w->msg ? w->msg : "");
			bad = 1;
		} else {
			used[k] = 1;
		}
	}
	for (size_t k = 0; k < got->n; k++) {
		if (used[k])
			continue;
		print_error("[%s] unexpected: %s (rule %d) %s subject '%s': %s\n", row,
			    got->v[k].id, (int)got->v[k].rule, sev_name(got->v[k].severity),
			    got->v[k].subject, got->v[k].message);
		bad = 1;
	}
	if (bad) {
		for (size_t k = 0; k < got->n; k++)
			print_error("[%s]   got: %s %s '%s': %s\n", row, got->v[k].id,
				    sev_name(got->v[k].severity), got->v[k].subject,
				    got->v[k].message);
	}
	return bad;
}

/* ---- domain rows: DNS, NET, TLS (and CERT through sf_rules_evaluate) ------ */

enum tls_kind {
	TK_NONE = 0,     /* not checked */
	TK_NO_CHAIN,     /* offline, no DIR/<fqdn>.pem */
	TK_CONNECT,      /* TCP connect failed */
	TK_HANDSHAKE,    /* TLS handshake failed */
	TK_OK,           /* TLSv1.2, compliant chain for the target */
	TK_OK_V13,
	TK_OK_OFFLINE,   /* version not observed */
	TK_OK_V11,
	TK_OK_V10,
	TK_WRONG_NAME,   /* the leaf is for other.example.com */
	TK_SNI_OTHER,    /* without SNI: another certificate */
	TK_SNI_NONE,     /* without SNI: the handshake fails */
	TK_SNI_SAME,     /* without SNI: the same certificate */
	TK_CLIENT_CA,    /* client certificate requested, two CA names */
	TK_CLIENT_NO_CA, /* requested, no CA names */
	TK_CLIENT_NOT_REQ,
	TK_CLIENT_MANY,  /* requested, 50 long CA names (message truncated) */
};

struct srow {
	const char *target;
	uint16_t port;          /* 0: 5061 */
	const char *addrs[4];   /* NULL-terminated */
	const char *cname;
	sf_dns_rcode addr_rcode;
	enum tls_kind tls;
};

struct drow {
	const char *name;
	sf_profile profile;
	const char *domain;
	struct srow srv[3];     /* until target == NULL */
	sf_dns_rcode srv_rcode;
	const char *owner_alias, *owner_txt;
	const char *misspelt_owner, *misspelt_rdata;
	const char *wildcard;
	size_t not_probed;      /* SRV records beyond those probed */
	const char *hosting;    /* added to the built-in hosting providers */
	enum trust_kind trust;
	struct want want[MAX_WANT];
	const struct clspec *client; /* --client facts (CLI-*), NULL: none */
};

#define SRV1(t, ...) { { t, 0, { __VA_ARGS__ }, NULL, 0, TK_NONE } }
#define TLS1(kind) { { S, 0, { PUB4 }, NULL, 0, kind } }

/* ---- client discovery rows (CLI-001..004): sf_client_facts by hand ------- */

enum cl_tls {
	CT_NONE = 0, /* not checked (offline without --certs) */
	CT_OK,       /* a compliant chain for the host (or for cert_for) */
	CT_CONNECT,  /* nothing answers TLS on 443 */
	CT_NO_CHAIN, /* offline: no DIR/<fqdn>.pem */
	CT_EXPIRED,  /* a chain for the name whose leaf expired 10 days before NOW */
};

enum cl_http {
	HA_NOT = 0, /* not asked */
	HA_DOC,     /* 200 and an autodiscover document (UCWA _links) */
	HA_404,     /* answered 404 */
	HA_FAIL,    /* no answer: connection refused */
};

/* lyncdiscover.<d>, lyncdiscoverinternal.<d>, meet.<d> or dialin.<d>. */
struct clhost {
	int resolves;         /* one address (PUB4); 0: NXDOMAIN */
	const char *alias;    /* a CNAME to this, where the address is */
	enum cl_tls tls;
	const char *cert_for; /* the leaf names this instead of the host */
	enum cl_http https, http;
};

/* A _sip._tls.<d> record; tls as for federation records (TK_OK: chain for the target). */
struct clsip {
	const char *target; /* NULL ends the list */
	uint16_t port;
	int no_addr;         /* the target does not resolve */
	enum tls_kind tls;
};

struct clspec {
	struct clsip sip[2];
	struct clhost discover, internal, meet, dialin;
	const char *dialin_shared;   /* "dialin.<other>": an earlier domain's, same address */
	struct clhost dialin_other;  /* that host as the collector fetched it again */
	int keep_own;                /* sf_rules_dialin_keep_own() must say this */
};

#define LD "lyncdiscover.example.com"
#define LDI "lyncdiscoverinternal.example.com"
#define MEET "meet.example.com"
#define DIALIN "dialin.example.com"
#define SIP_TLS_OWNER "_sip._tls.example.com"
/* What a compliant deployment publishes. */
#define CL_SIP_OK { { S, 443, 0, TK_OK } }
#define CL_WEB_OK { 1, NULL, CT_OK, NULL, HA_DOC, HA_DOC }
#define CL_MEET_OK { 1, NULL, CT_OK, NULL, HA_NOT, HA_NOT }
#define CL_ABSENT { 0 }
/* The federation part of every client row: compliant, TLS not checked. */
#define CL_FED SRV1(S, PUB4)
#define CLIENT(...) .client = &(const struct clspec){ __VA_ARGS__, .dialin_shared = NULL }

static const struct drow drows[] = {
	/* Compliant: a host directly in the domain, public addresses. */
	{ "compliant sfb", SF_PROFILE_SFB, "example.com", SRV1(S, PUB4, PUB6), .want = { { 0 } } },
	{ "compliant o365", SF_PROFILE_O365, "example.com", SRV1(S, PUB4), .want = { { 0 } } },
	{ "compliant dr", SF_PROFILE_DR, "example.com", SRV1(S, PUB4), .want = { { 0 } } },
	{ "one label below, co.uk", SF_PROFILE_SFB, "contoso.co.uk",
	  SRV1("sipfed.contoso.co.uk", PUB4), .want = { { 0 } } },
	{ "target in sub-domain", SF_PROFILE_SFB, "example.com", SRV1("sip.sub.example.com", PUB4),
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.sub.example.com",
		      "sub-domain of example.com" } } },
	{ "target in sub-domain o365", SF_PROFILE_O365, "example.com",
	  SRV1("sip.sub.example.com", PUB4),
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.sub.example.com", NULL } } },
	{ "target in other domain", SF_PROFILE_SFB, "example.com", SRV1("sip.example.net", PUB4),
	  .want = { { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", E, "sip.example.net",
		      "(it is in example.net)" } } },
	{ "target in parent domain", SF_PROFILE_SFB, "sub.example.com", SRV1(S, PUB4),
	  .want = { { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", E, S,
		      "parent domain example.com" } } },
	{ "target is the bare domain", SF_PROFILE_SFB, "example.com", SRV1("example.com", PUB4),
	  .want = { { SF_R_DNS005_BARE_DOMAIN, "DNS-005", E, "example.com", NULL } } },
	{ "hosting provider (built-in)", SF_PROFILE_SFB, "example.com",
	  SRV1("sipfed.online.lync.com", PUB4),
	  .want = { { SF_R_FED002_HOSTING, "FED-002", I, "sipfed.online.lync.com", NULL } } },
	{ "hosting provider o365", SF_PROFILE_O365, "example.com",
	  SRV1("sipfed.online.lync.com", PUB4),
	  .want = { { SF_R_FED002_HOSTING, "FED-002", I, "sipfed.online.lync.com", NULL } } },
	{ "hosting provider gov", SF_PROFILE_SFB, "example.com",
	  SRV1("sipfed.online.gov.skypeforbusiness.us", PUB4),
	  .want = { { SF_R_FED002_HOSTING, "FED-002", I, "sipfed.online.gov.skypeforbusiness.us",
		      NULL } } },
	{ "hosting provider added by the user", SF_PROFILE_SFB, "example.com",
	  SRV1("sip.hoster.example.net", PUB4), .hosting = "sip.hoster.example.net",
	  .want = { { SF_R_FED002_HOSTING, "FED-002", I, "sip.hoster.example.net", NULL } } },
	{ "same target without the user's hosting provider", SF_PROFILE_SFB, "example.com",
	  SRV1("sip.hoster.example.net", PUB4),
	  .want = { { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", E, "sip.hoster.example.net", NULL } } },
	/* msxfaq.de: "sipfed.online.lync.com" written without the trailing dot. */
	{ "zone-appended target", SF_PROFILE_SFB, "msxfaq.de",
	  SRV1("sipfed.online.lync.com.msxfaq.de", NULL),
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E, "sipfed.online.lync.com.msxfaq.de",
		      "looks like sipfed.online.lync.com with the zone name appended" } } },
	/* Two labels before the domain read as a sub-domain, even with a TLD-like label. */
	{ "sub-domain whose label is a TLD, not zone-appended", SF_PROFILE_SFB, "example.com",
	  SRV1("sip.de.example.com", PUB4),
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.de.example.com", NULL } } },
	{ "zone-appended other domain of three labels", SF_PROFILE_SFB, "msxfaq.de",
	  SRV1("sip.netatwork.de.msxfaq.de", NULL),
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E, "sip.netatwork.de.msxfaq.de",
		      "looks like sip.netatwork.de with the zone name appended" } } },
	{ "zone-appended own host", SF_PROFILE_SFB, "example.com",
	  SRV1("sip.example.com.example.com", PUB4),
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E, "sip.example.com.example.com",
		      "looks like sip.example.com with" } } },
	/*
	 * DNS-004 at any depth (issue 9): the zone's origin appended to a target
	 * written without its trailing dot, the SIP domain being the apex or a
	 * sub-domain of the zone.  No DNS-005 "other domain" and no DNS-009
	 * "publish an A record for ...contoso.com.contoso.com" for that target.
	 */
	{ "zone-appended at the apex, no address", SF_PROFILE_SFB, "contoso.com",
	  { { "sip.contoso.com.contoso.com", 0, { NULL }, NULL, SF_DNS_NXDOMAIN, TK_NONE } },
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E, "sip.contoso.com.contoso.com",
		      "looks like sip.contoso.com with the zone name appended" } } },
	{ "zone-appended in a sub-domain (origin = parent)", SF_PROFILE_SFB, "video.contoso.com",
	  { { "expe.video.contoso.com.contoso.com", 0, { NULL }, NULL, SF_DNS_NXDOMAIN,
	      TK_NONE } },
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E,
		      "expe.video.contoso.com.contoso.com",
		      "looks like expe.video.contoso.com with the zone name appended" } } },
	{ "zone-appended two levels down", SF_PROFILE_SFB, "eu.video.contoso.com",
	  { { "sip.eu.video.contoso.com.video.contoso.com", 0, { NULL }, NULL, SF_DNS_NXDOMAIN,
	      TK_NONE } },
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E,
		      "sip.eu.video.contoso.com.video.contoso.com",
		      "looks like sip.eu.video.contoso.com with" } } },
	{ "zone-appended hosting provider in a sub-domain", SF_PROFILE_SFB, "video.contoso.com",
	  SRV1("sipfed.online.lync.com.contoso.com", NULL),
	  .want = { { SF_R_DNS004_ZONE_APPENDED, "DNS-004", E,
		      "sipfed.online.lync.com.contoso.com",
		      "looks like sipfed.online.lync.com with" } } },
	/* A label that merely repeats is a real name: DNS-005, not DNS-004. */
	{ "repeated label, not zone-appended", SF_PROFILE_SFB, "eu.contoso.com",
	  SRV1("sip.eu.eu.contoso.com", PUB4),
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.eu.eu.contoso.com", NULL } } },
	{ "TLD label repeated, not zone-appended", SF_PROFILE_SFB, "contoso.com",
	  SRV1("sip.com.contoso.com", PUB4),
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.com.contoso.com", NULL } } },
	{ "root target", SF_PROFILE_SFB, "example.com", SRV1(".", NULL),
	  .want = { { SF_R_DNS004_ROOT_TARGET, "DNS-004", E, ".", NULL } } },
	{ "two records, one good, one bad", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, NULL, 0, 0 }, { "sip.example.net", 0, { PUB4 }, NULL, 0, 0 } },
	  .want = { { SF_R_DNS006_DISAGREE, "DNS-006", W, "sip.example.net", NULL } } },
	{ "two records, both bad", SF_PROFILE_SFB, "example.com",
	  { { "sip.sub.example.com", 0, { PUB4 }, NULL, 0, 0 },
	    { "sip.example.net", 0, { PUB4 }, NULL, 0, 0 } },
	  .want = { { SF_R_DNS005_SUBDOMAIN, "DNS-005", E, "sip.sub.example.com", NULL },
		    { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", E, "sip.example.net", NULL },
		    { SF_R_DNS006_NONE_PASS, "DNS-006", E, "example.com", "none of the 2" } } },
	{ "two records, good and hosting provider", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, NULL, 0, 0 }, { "sipfed.online.lync.com", 0, { PUB4 }, NULL, 0, 0 } },
	  .want = { { SF_R_FED002_HOSTING, "FED-002", I, "sipfed.online.lync.com", NULL } } },
	{ "port 5080", SF_PROFILE_SFB, "example.com", { { S, 5080, { PUB4 }, NULL, 0, 0 } },
	  .want = { { SF_R_DNS007_PORT, "DNS-007", W, S, "port 5080" } } },
	{ "target is a CNAME", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, "edge.example.net", 0, 0 } },
	  .want = { { SF_R_DNS008_CNAME_TARGET, "DNS-008", W, S, "CNAME to edge.example.net" } } },
	{ "target has no address (NXDOMAIN)", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { NULL }, NULL, SF_DNS_NXDOMAIN, 0 } },
	  .want = { { SF_R_DNS009_NO_ADDRESS, "DNS-009", E, S, "does not exist" } } },
	{ "target has no address (NODATA)", SF_PROFILE_O365, "example.com",
	  { { S, 0, { NULL }, NULL, SF_DNS_NOERROR, 0 } },
	  .want = { { SF_R_DNS009_NO_ADDRESS, "DNS-009", E, S, "no A or AAAA record" } } },
	{ "RFC 1918 address sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "10.1.2.3"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "10.1.2.3 (private, RFC 1918)" } } },
	{ "RFC 1918 address o365", SF_PROFILE_O365, "example.com", SRV1(S, "10.1.2.3"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "10.1.2.3" } } },
	{ "RFC 1918 address dr", SF_PROFILE_DR, "example.com", SRV1(S, "192.168.1.10"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "192.168.1.10" } } },
	{ "172.16/12 address sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "172.31.255.1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "172.31.255.1" } } },
	{ "172.32.0.1 is public", SF_PROFILE_O365, "example.com", SRV1(S, "172.32.0.1"),
	  .want = { { 0 } } },
	{ "loopback sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "127.0.0.1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "127.0.0.1 (loopback)" } } },
	{ "loopback o365", SF_PROFILE_O365, "example.com", SRV1(S, "127.0.0.1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "loopback" } } },
	{ "IPv6 loopback dr", SF_PROFILE_DR, "example.com", SRV1(S, "::1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "loopback" } } },
	{ "documentation address sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "192.0.2.10"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "documentation, RFC 5737" } } },
	{ "documentation address o365", SF_PROFILE_O365, "example.com", SRV1(S, "203.0.113.7"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "documentation" } } },
	{ "IPv6 documentation o365", SF_PROFILE_O365, "example.com", SRV1(S, "2001:db8::5"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", E, S, "documentation, RFC 3849" } } },
	{ "IPv6 unique local sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "fd00::5"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "unique local" } } },
	{ "shared address space sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "100.64.0.1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "RFC 6598" } } },
	{ "link-local sfb", SF_PROFILE_SFB, "example.com", SRV1(S, "169.254.10.1"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "link-local" } } },
	{ "public and private address", SF_PROFILE_SFB, "example.com",
	  SRV1(S, PUB4, "192.168.1.10"),
	  .want = { { SF_R_DNS009_PRIVATE, "DNS-009", W, S, "resolves to 192.168.1.10 (" } } },
	{ "public addresses only", SF_PROFILE_DR, "example.com", SRV1(S, PUB4, "8.8.8.8", PUB6),
	  .want = { { 0 } } },
	{ ".lab domain", SF_PROFILE_SFB, "acano.steven.lab",
	  SRV1("vcse.acano.steven.lab", PUB4),
	  .want = { { SF_R_DNS010_NOT_PUBLIC, "DNS-010", W, "acano.steven.lab",
		      ".lab is not a public top-level domain" } } },
	/* The seed lab: the CMS domain points at the Expressway of the parent domain. */
	{ "seed: acano.steven.lab -> vcse.steven.lab", SF_PROFILE_SFB, "acano.steven.lab",
	  SRV1("vcse.steven.lab", "10.48.36.47"),
	  .want = { { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", E, "vcse.steven.lab",
		      "parent domain steven.lab" },
		    { SF_R_DNS009_PRIVATE, "DNS-009", W, "vcse.steven.lab", "10.48.36.47" },
		    { SF_R_DNS010_NOT_PUBLIC, "DNS-010", W, "acano.steven.lab", NULL } } },
	{ ".local domain", SF_PROFILE_O365, "corp.local", SRV1("sip.corp.local", PUB4),
	  .want = { { SF_R_DNS010_NOT_PUBLIC, "DNS-010", W, "corp.local", ".local" } } },
	{ "wildcard DNS", SF_PROFILE_SFB, "example.com", SRV1(S, PUB4),
	  .wildcard = "sipfed-probe-7f3a.example.com",
	  .want = { { SF_R_DNS011_WILDCARD, "DNS-011", I, "sipfed-probe-7f3a.example.com",
		      NULL } } },
	{ "SRV records beyond those probed", SF_PROFILE_SFB, "example.com", SRV1(S, PUB4),
	  .not_probed = 884,
	  .want = { { SF_R_DNS006_NOT_PROBED, "DNS-006", I, "example.com",
		      "884 more SRV records beyond the 1 probed" } } },
	{ "no SRV (NXDOMAIN)", SF_PROFILE_SFB, "example.com", .srv_rcode = SF_DNS_NXDOMAIN,
	  .want = { { SF_R_DNS001_NO_SRV, "DNS-001", E, FED_OWNER("example.com"),
		      "does not exist" } } },
	{ "no SRV (NODATA)", SF_PROFILE_DR, "example.com", .srv_rcode = SF_DNS_NOERROR,
	  .want = { { SF_R_DNS001_NO_SRV, "DNS-001", E, FED_OWNER("example.com"),
		      "has no SRV record" } } },
	{ "no SRV in a .lab domain", SF_PROFILE_SFB, "skype.lab", .srv_rcode = SF_DNS_NXDOMAIN,
	  .want = { { SF_R_DNS001_NO_SRV, "DNS-001", E, FED_OWNER("skype.lab"), NULL },
		    { SF_R_DNS010_NOT_PUBLIC, "DNS-010", W, "skype.lab", NULL } } },
	{ "misspelt owner", SF_PROFILE_SFB, "example.com", .srv_rcode = SF_DNS_NXDOMAIN,
	  .misspelt_owner = "_sipfederationstls._tcp.example.com",
	  .misspelt_rdata = "0 0 5061 sip.example.com.",
	  .want = { { SF_R_DNS001_NO_SRV, "DNS-001", E, FED_OWNER("example.com"), NULL },
		    { SF_R_DNS002_MISSPELT, "DNS-002", E, "_sipfederationstls._tcp.example.com",
		      "0 0 5061 sip.example.com." } } },
	{ "owner is a CNAME", SF_PROFILE_SFB, "example.com", .owner_alias = S,
	  .want = { { SF_R_DNS003_NOT_SRV, "DNS-003", E, FED_OWNER("example.com"),
		      "a CNAME to sip.example.com" } } },
	{ "owner holds a TXT", SF_PROFILE_SFB, "example.com",
	  .owner_txt = "0 0 5061 sip.example.com",
	  .want = { { SF_R_DNS003_NOT_SRV, "DNS-003", E, FED_OWNER("example.com"),
		      "a TXT record" } } },

	/* NET-001, TLS-001..004 at the target, then CERT-* on the presented chain. */
	{ "no lab chain", SF_PROFILE_SFB, "example.com", TLS1(TK_NO_CHAIN),
	  .want = { { SF_R_NET001_NO_LAB_CHAIN, "NET-001", E, S, "no sip.example.com.pem" } } },
	{ "connect failed", SF_PROFILE_SFB, "example.com", TLS1(TK_CONNECT),
	  .want = { { SF_R_NET001_CONNECT, "NET-001", E, S, "connection refused" } } },
	{ "handshake failed", SF_PROFILE_O365, "example.com", TLS1(TK_HANDSHAKE),
	  .want = { { SF_R_TLS001_HANDSHAKE, "TLS-001", E, S, "handshake failure" } } },
	{ "TLS 1.2, compliant chain", SF_PROFILE_SFB, "example.com", TLS1(TK_OK),
	  .want = { { 0 } } },
	{ "TLS 1.3, compliant chain", SF_PROFILE_SFB, "example.com", TLS1(TK_OK_V13),
	  .want = { { 0 } } },
	{ "offline chain, version not observed", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_OK_OFFLINE), .want = { { 0 } } },
	{ "TLS 1.1", SF_PROFILE_SFB, "example.com", TLS1(TK_OK_V11),
	  .want = { { SF_R_TLS001_VERSION, "TLS-001", E, S, "negotiated TLSv1.1" } } },
	{ "TLS 1.0", SF_PROFILE_SFB, "example.com", TLS1(TK_OK_V10),
	  .want = { { SF_R_TLS001_VERSION, "TLS-001", E, S, "negotiated TLSv1;" } } },
	{ "another certificate without SNI", SF_PROFILE_SFB, "example.com", TLS1(TK_SNI_OTHER),
	  .want = { { SF_R_TLS003_SNI, "TLS-003", W, S, "another certificate" } } },
	{ "no certificate without SNI", SF_PROFILE_SFB, "example.com", TLS1(TK_SNI_NONE),
	  .want = { { SF_R_TLS003_SNI, "TLS-003", W, S, "no certificate" } } },
	{ "same certificate without SNI", SF_PROFILE_SFB, "example.com", TLS1(TK_SNI_SAME),
	  .want = { { 0 } } },
	{ "client certificate requested, CA names", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_CLIENT_CA),
	  .want = { { SF_R_TLS004_CLIENT_CERT, "TLS-004", I, S,
		      "names 2 acceptable CAs: 'CN=sipfed test root,O=sipfed test'; "
		      "'CN=Other Federation CA'" } } },
	{ "client certificate requested, no CA names", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_CLIENT_NO_CA),
	  .want = { { SF_R_TLS004_CLIENT_CERT, "TLS-004", I, S, "without naming" } } },
	{ "client certificate requested, 50 CA names", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_CLIENT_MANY),
	  .want = { { SF_R_TLS004_CLIENT_CERT, "TLS-004", I, S,
		      "names 50 acceptable CAs: 'CN=" } } },
	{ "client certificate not requested", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_CLIENT_NOT_REQ), .want = { { 0 } } },
	{ "presented certificate lacks the target", SF_PROFILE_SFB, "example.com",
	  TLS1(TK_WRONG_NAME),
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, "other.example.com" } } },
	{ "presented chain, private root, o365", SF_PROFILE_O365, "example.com", TLS1(TK_OK),
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, ROOT_CN } } },
	{ "presented chain, public root, o365", SF_PROFILE_O365, "example.com", TLS1(TK_OK),
	  .trust = TR_PUBLIC, .want = { { 0 } } },
	/* The same target and port twice: its TLS facts are evaluated once. */
	{ "duplicate SRV record", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, NULL, 0, TK_NO_CHAIN }, { S, 0, { PUB4 }, NULL, 0, TK_NO_CHAIN } },
	  .want = { { SF_R_NET001_NO_LAB_CHAIN, "NET-001", E, S, NULL } } },
	/* Two ports: one NET-001 each (the port is named in the fix only). */
	{ "duplicate SRV record, as the collector leaves it", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, NULL, 0, TK_CONNECT }, { S, 0, { PUB4 }, NULL, 0, TK_NONE } },
	  .want = { { SF_R_NET001_CONNECT, "NET-001", E, S, NULL } } },
	{ "same target, two ports", SF_PROFILE_SFB, "example.com",
	  { { S, 0, { PUB4 }, NULL, 0, TK_CONNECT }, { S, 5062, { PUB4 }, NULL, 0, TK_CONNECT } },
	  .want = { { SF_R_NET001_CONNECT, "NET-001", E, S, "connection refused" },
		    { SF_R_NET001_CONNECT, "NET-001", E, S, "connection refused" },
		    { SF_R_DNS007_PORT, "DNS-007", W, S, "port 5062" } } },
	/* ---- client discovery (--client), CLI-001..004 ---- */
	{ "client: compliant", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT), .want = { { 0 } } },
	{ "client: compliant, lyncdiscoverinternal resolves and answers", SF_PROFILE_SFB,
	  "example.com", CL_FED, CLIENT(CL_SIP_OK, CL_WEB_OK, CL_WEB_OK, CL_MEET_OK, CL_MEET_OK),
	  .want = { { 0 } } },
	{ "client: no _sip._tls record", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { 0 } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_NO_SRV, "CLI-001", W, SIP_TLS_OWNER, "does not exist" } } },
	{ "client: _sip._tls target in another domain", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { "sip.example.net", 443, 0, TK_OK } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
		 CL_ABSENT),
	  .want = { { SF_R_CLI001_TARGET, "CLI-001", E, "sip.example.net",
		      "not in example.com (it is in example.net)" } } },
	{ "client: _sip._tls target in another domain, o365", SF_PROFILE_O365, "example.com",
	  CL_FED, CLIENT({ { "sip.example.net", 443, 0, TK_OK } }, CL_WEB_OK, CL_ABSENT,
			 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_TARGET, "CLI-001", E, "sip.example.net", NULL } } },
	{ "client: _sip._tls target in a sub-domain", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { "sip.eu.example.com", 443, 0, TK_OK } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
		 CL_ABSENT), .want = { { 0 } } },
	{ "client: _sip._tls to Microsoft 365", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { "sipdir.online.lync.com", 443, 0, TK_OK } }, CL_WEB_OK, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT), .want = { { 0 } } },
	{ "client: _sip._tls root target", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { ".", 443, 1, TK_NONE } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_TARGET, "CLI-001", E, ".", "not available" } } },
	{ "client: _sip._tls port 5061", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { S, 5061, 0, TK_OK } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_PORT, "CLI-001", W, S, "port 5061" } } },
	{ "client: _sip._tls certificate lacks the target", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { S, 443, 0, TK_WRONG_NAME } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_CERT, "CLI-001", E, S,
		      "does not carry sip.example.com (subject CN other.example.com" } } },
	{ "client: _sip._tls target refuses", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { S, 443, 0, TK_CONNECT } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_CERT, "CLI-001", E, S,
		      "no certificate on port 443 (connection refused)" } } },
	{ "client: _sip._tls target has no address", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { S, 443, 1, TK_NONE } }, CL_WEB_OK, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI001_CERT, "CLI-001", E, S, "no address (it does not exist)" } } },
	{ "client: _sip._tls chain untrusted", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_ABSENT, CL_ABSENT, CL_ABSENT, CL_ABSENT), .trust = TR_EMPTY,
	  .want = { { SF_R_CLI001_CERT, "CLI-001", E, S, "chain does not verify" },
		    { SF_R_CLI002_NO_DNS, "CLI-002", E, LD, NULL },
		    { SF_R_CLI004_MEET_DNS, "CLI-004", W, MEET, NULL } } },
	{ "client: nothing published", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { 0 } }, CL_ABSENT, CL_ABSENT, CL_ABSENT, CL_ABSENT),
	  .want = { { SF_R_CLI001_NO_SRV, "CLI-001", W, SIP_TLS_OWNER, NULL },
		    { SF_R_CLI002_NO_DNS, "CLI-002", E, LD, "does not exist" },
		    { SF_R_CLI004_MEET_DNS, "CLI-004", W, MEET, "does not exist" } } },
	{ "client: dr profile has no client rules", SF_PROFILE_DR, "example.com", CL_FED,
	  CLIENT({ { 0 } }, CL_ABSENT, CL_ABSENT, CL_ABSENT, CL_ABSENT), .want = { { 0 } } },
	{ "client: lyncdiscover CNAME to a name without address", SF_PROFILE_SFB, "example.com",
	  CL_FED, CLIENT(CL_SIP_OK, { 0, "web.example.com", CT_NONE, NULL, HA_NOT, HA_NOT },
			 CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI002_NO_DNS, "CLI-002", E, LD,
		      "a CNAME to web.example.com, which has no address" } } },
	{ "client: lyncdiscover answers over HTTPS only", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_OK, NULL, HA_DOC, HA_FAIL }, CL_ABSENT, CL_MEET_OK,
		 CL_ABSENT), .want = { { 0 } } },
	{ "client: lyncdiscover answers 404 over HTTPS, nothing on 80", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_OK, NULL, HA_404, HA_FAIL }, CL_ABSENT, CL_MEET_OK,
		 CL_ABSENT),
	  .want = { { SF_R_CLI002_HTTP, "CLI-002", E, LD,
		      "HTTPS: answered with status 404, not 200; HTTP on port 80: "
		      "connection refused" } } },
	{ "client: lyncdiscover without TLS or HTTP", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_CONNECT, NULL, HA_NOT, HA_FAIL }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI002_HTTP, "CLI-002", E, LD,
		      "HTTPS: no certificate on port 443 (connection refused)" } } },
	{ "client: lyncdiscover not in the lab", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_NO_CHAIN, NULL, HA_NOT, HA_FAIL }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI002_HTTP, "CLI-002", E, LD, "no chain" } } },
	{ "client: lyncdiscover certificate lacks the name, no HTTP", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_OK, "web.example.com", HA_DOC, HA_FAIL }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI002_CERT, "CLI-002", E, LD,
		      "does not carry lyncdiscover.example.com (subject CN web.example.com" } } },
	{ "client: lyncdiscover certificate lacks the name, HTTPS 404, no HTTP",
	  SF_PROFILE_O365, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_OK, "web.example.com", HA_404, HA_FAIL }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT), .trust = TR_PUBLIC,
	  .want = { { SF_R_CLI002_CERT, "CLI-002", E, LD, NULL },
		    { SF_R_CLI002_HTTP, "CLI-002", E, LD, "status 404" } } },
	{ "client: lyncdiscover certificate expired, HTTP answers", SF_PROFILE_SFB, "example.com",
	  CL_FED, CLIENT(CL_SIP_OK, { 1, NULL, CT_EXPIRED, NULL, HA_DOC, HA_DOC }, CL_ABSENT,
			 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD,
		      "no working HTTPS autodiscover (the certificate expired on" } } },
	{ "client: lyncdiscover over HTTP only (the hoster's choice)", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, NULL, CT_OK, "web.example.com", HA_DOC, HA_DOC }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD, "; it answers there (supported" } } },
	{ "client: lyncdiscover CNAME into another domain, HTTP answers", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, "lyncdiscover.hoster.net", CT_OK, "lyncdiscover.hoster.net",
			      HA_DOC, HA_DOC }, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD,
		      "is a CNAME into another domain (to lyncdiscover.hoster.net)" } } },
	{ "client: lyncdiscover CNAME into another domain, nothing on 80", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, "lyncdiscover.hoster.net", CT_OK, "lyncdiscover.hoster.net",
			      HA_DOC, HA_FAIL }, CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD,
		      "which does not answer: connection refused" },
		    { SF_R_CLI002_CERT, "CLI-002", E, LD, "lyncdiscover.hoster.net" } } },
	{ "client: lyncdiscover CNAME into another domain, its certificate carries it",
	  SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, "lyncdiscover.hoster.net", CT_OK, NULL, HA_DOC, HA_FAIL },
		 CL_ABSENT, CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD, "CNAME into another domain" } } },
	{ "client: lyncdiscover CNAME into another domain, offline DNS only", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, "lyncdiscover.hoster.net", CT_NONE, NULL, HA_NOT, HA_NOT },
		 CL_ABSENT, { 1, NULL, CT_NONE, NULL, HA_NOT, HA_NOT }, CL_ABSENT),
	  .want = { { SF_R_CLI003_CNAME, "CLI-003", W, LD, "(to lyncdiscover.hoster.net)" } } },
	{ "client: lyncdiscover CNAME within the domain", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, { 1, "web.example.com", CT_OK, NULL, HA_DOC, HA_FAIL }, CL_ABSENT,
		 CL_MEET_OK, CL_ABSENT), .want = { { 0 } } },
	{ "client: lyncdiscover CNAME to Microsoft 365", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT({ { "sipdir.online.lync.com", 443, 0, TK_OK } },
		 { 1, "webdir.online.lync.com", CT_OK, "webdir.online.lync.com", HA_DOC, HA_FAIL },
		 CL_ABSENT, CL_MEET_OK, CL_ABSENT), .want = { { 0 } } },
	{ "client: lyncdiscoverinternal resolves, certificate lacks it", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, { 1, NULL, CT_OK, "web.example.com", HA_DOC, HA_FAIL },
		 CL_MEET_OK, CL_ABSENT),
	  .want = { { SF_R_CLI002_CERT, "CLI-002", E, LDI, "does not carry " LDI } } },
	{ "client: meet certificate lacks meet", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT, { 1, NULL, CT_OK, "web.example.com", HA_NOT, HA_NOT },
		 CL_ABSENT),
	  .want = { { SF_R_CLI004_MEET_CERT, "CLI-004", W, MEET, "does not carry " MEET } } },
	{ "client: meet certificate expired", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT, { 1, NULL, CT_EXPIRED, NULL, HA_NOT, HA_NOT },
		 CL_ABSENT),
	  .want = { { SF_R_CLI004_MEET_CERT, "CLI-004", W, MEET, "expired on" } } },
	{ "client: meet refuses TLS", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT, { 1, NULL, CT_CONNECT, NULL, HA_NOT, HA_NOT },
		 CL_ABSENT),
	  .want = { { SF_R_CLI004_MEET_CERT, "CLI-004", W, MEET, "no certificate on port 443" } } },
	{ "client: meet CNAME to a name without address", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT,
		 { 0, "web.example.com", CT_NONE, NULL, HA_NOT, HA_NOT }, CL_ABSENT),
	  .want = { { SF_R_CLI004_MEET_DNS, "CLI-004", W, MEET, "CNAME target has no address" } } },
	/*
	 * One dial-in URL per deployment: an earlier domain's dial-in host is on
	 * the same web server.  The one to keep is the one that works, whatever
	 * the order of the domains; else the earlier one.
	 */
	{ "client: dial-in URL of its own on another deployment's web server", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  .client = &(const struct clspec){ CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
					    { 1, NULL, CT_OK, "web.example.net", HA_NOT, HA_NOT },
					    "dialin.example.net", CL_MEET_OK, 0 },
	  .want = { { SF_R_CLI004_DIALIN, "CLI-004", W, DIALIN,
		      "same web server as dialin.example.net: a Lync / Skype for Business "
		      "deployment has one dial-in URL for all its SIP domains (unlike Meet URLs), "
		      "so " DIALIN " is never used; dialin.example.net is the one to keep: it works "
		      "(it resolves and its certificate covers it), " DIALIN " does not (the "
		      "certificate does not carry " DIALIN } } },
	{ "client: dial-in URL, the earlier domain's does not work, this one does",
	  SF_PROFILE_SFB, "example.com", CL_FED,
	  .client = &(const struct clspec){ CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
					    CL_MEET_OK, "dialin.example.net",
					    { 1, NULL, CT_OK, "web.example.com", HA_NOT, HA_NOT },
					    1 },
	  .want = { { SF_R_CLI004_DIALIN, "CLI-004", W, "dialin.example.net",
		      "dialin.example.net points at the same web server as " DIALIN ": "
		      "a Lync / Skype for Business deployment has one dial-in URL for all its SIP "
		      "domains (unlike Meet URLs), so dialin.example.net is never used; " DIALIN
		      " is the one to keep: it works (it resolves and its certificate covers it), "
		      "dialin.example.net does not (the certificate does not carry "
		      "dialin.example.net" } } },
	{ "client: dial-in URL, both work: the earlier one is kept", SF_PROFILE_SFB, "example.com",
	  CL_FED,
	  .client = &(const struct clspec){ CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
					    CL_MEET_OK, "dialin.example.net", CL_MEET_OK, 0 },
	  .want = { { SF_R_CLI004_DIALIN, "CLI-004", W, DIALIN,
		      "both work: the one of the domain checked first (dialin.example.net) is "
		      "kept" } } },
	{ "client: dial-in URL, neither works: the earlier one is kept", SF_PROFILE_SFB,
	  "example.com", CL_FED,
	  .client = &(const struct clspec){ CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
					    { 1, NULL, CT_EXPIRED, NULL, HA_NOT, HA_NOT },
					    "dialin.example.net",
					    { 1, NULL, CT_CONNECT, NULL, HA_NOT, HA_NOT }, 0 },
	  .want = { { SF_R_CLI004_DIALIN, "CLI-004", W, DIALIN,
		      "neither works yet (" DIALIN ": the certificate expired on" } } },
	{ "client: dial-in URL, certificates not checked: the earlier one is kept",
	  SF_PROFILE_SFB, "example.com", CL_FED,
	  .client = &(const struct clspec){ CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
					    { 1, NULL, CT_NONE, NULL, HA_NOT, HA_NOT },
					    "dialin.example.net",
					    { 1, NULL, CT_NONE, NULL, HA_NOT, HA_NOT }, 0 },
	  .want = { { SF_R_CLI004_DIALIN, "CLI-004", W, DIALIN,
		      "it is not known which one works: the one of the domain checked first "
		      "(dialin.example.net) is kept" } } },
	{ "client: dial-in URL, certificate lacks it", SF_PROFILE_SFB, "example.com", CL_FED,
	  CLIENT(CL_SIP_OK, CL_WEB_OK, CL_ABSENT, CL_MEET_OK,
		 { 1, NULL, CT_OK, "web.example.com", HA_NOT, HA_NOT }),
	  .want = { { SF_R_CLI004_MEET_CERT, "CLI-004", W, DIALIN, "does not carry " DIALIN } } },
};

static STACK_OF(X509) *chain_for(const char *name)
{
	X509 *leaf = good_leaf(name);
	STACK_OF(X509) *sk = leaf ? tc_chain_new((X509 *[]){ leaf, c_inter }, 2) : NULL;

	X509_free(leaf);
	return sk;
}

static void fill_tls(sf_srv_facts *s, enum tls_kind k)
{
	sf_tls_facts *t = &s->tls;

	s->tls_checked = k != TK_NONE;
	switch (k) {
	case TK_NONE:
		return;
	case TK_NO_CHAIN:
		t->state = SF_TLS_NO_CHAIN;
		t->error = strdup("no sip.example.com.pem in the lab directory");
		assert_non_null(t->error);
		return;
	case TK_CONNECT:
		t->state = SF_TLS_CONNECT_FAILED;
		t->error = strdup("connection refused");
		assert_non_null(t->error);
		return;
	case TK_HANDSHAKE:
		t->state = SF_TLS_HANDSHAKE_FAILED;
		t->error = strdup("sslv3 alert handshake failure");
		assert_non_null(t->error);
		return;
	default:
		break;
	}
	t->state = SF_TLS_OK;
	t->version = k == TK_OK_OFFLINE ? NULL
		     : k == TK_OK_V13   ? strdup("TLSv1.3")
		     : k == TK_OK_V11   ? strdup("TLSv1.1")
		     : k == TK_OK_V10   ? strdup("TLSv1")
					: strdup("TLSv1.2");
	assert_true(k == TK_OK_OFFLINE || t->version);
	t->chain = chain_for(k == TK_WRONG_NAME ? "other.example.com" : s->target);
	assert_non_null(t->chain);
	switch (k) {
	case TK_SNI_OTHER:
		t->nosni_observed = 1;
		t->chain_nosni = chain_for("default.example.net");
		assert_non_null(t->chain_nosni);
		break;
	case TK_SNI_NONE:
		t->nosni_observed = 1;
		break;
	case TK_SNI_SAME:
		t->nosni_observed = 1;
		t->chain_nosni = tc_chain_new((X509 *[]){ sk_X509_value(t->chain, 0),
							  sk_X509_value(t->chain, 1) }, 2);
		assert_non_null(t->chain_nosni);
		break;
	case TK_CLIENT_CA:
		t->client_cert_observed = t->client_cert_requested = 1;
		t->client_ca = calloc(2, sizeof(char *));
		assert_non_null(t->client_ca);
		t->client_ca[0] = strdup("CN=sipfed test root,O=sipfed test");
		t->client_ca[1] = strdup("CN=Other Federation CA");
		t->n_client_ca = 2;
		assert_non_null(t->client_ca[0]);
		assert_non_null(t->client_ca[1]);
		break;
	case TK_CLIENT_NO_CA:
		t->client_cert_observed = t->client_cert_requested = 1;
		break;
	case TK_CLIENT_NOT_REQ:
		t->client_cert_observed = 1;
		break;
	case TK_CLIENT_MANY:
		t->client_cert_observed = t->client_cert_requested = 1;
		t->client_ca = calloc(50, sizeof(char *));
		assert_non_null(t->client_ca);
		for (size_t i = 0; i < 50; i++) {
			char dn[128];

			snprintf(dn, sizeof(dn), "CN=Federation Partner Issuing CA %02zu,"
				 "O=Partner Organisation %02zu,C=DE", i, i);
			t->client_ca[i] = strdup(dn);
			assert_non_null(t->client_ca[i]);
			t->n_client_ca++;
		}
		break;
	default:
		break;
	}
}

/* A chain for @name as a client-discovery host presents it (CT_OK or CT_EXPIRED). */
static STACK_OF(X509) *client_chain(const char *name, enum cl_tls k)
{
	char san[300];
	tc_spec s = { .cn = name, .san = san, .eku = "serverAuth,clientAuth", .crldp = CRLDP,
		      .nb_days = -400, .na_days = -10, .serial = 101 };
	X509 *leaf;
	STACK_OF(X509) *sk;

	snprintf(san, sizeof(san), "DNS:%s", name);
	leaf = k == CT_EXPIRED ? make_leaf(&s, k_leaf, c_inter) : good_leaf(name);
	sk = leaf ? tc_chain_new((X509 *[]){ leaf, c_inter }, 2) : NULL;
	X509_free(leaf);
	return sk;
}

/* An autodiscover answer of kind @k, read by the real parser (sf_http_parse_autodiscover). */
static void fill_answer(sf_http_answer *a, enum cl_http k)
{
	static const char doc[] =
		"{\"_links\":{\"self\":{\"href\":\"https://web.example.com/Autodiscover/"
		"AutodiscoverService.svc/root\"},\"user\":{\"href\":\"https://web.example.com/"
		"Autodiscover/AutodiscoverService.svc/root/oauth/user\"}}}";

	switch (k) {
	case HA_NOT:
		return;
	case HA_FAIL:
		a->state = SF_HTTP_FAILED;
		a->error = strdup("connection refused");
		assert_non_null(a->error);
		return;
	case HA_404:
	case HA_DOC:
		a->state = SF_HTTP_ANSWERED;
		a->status = k == HA_DOC ? 200 : 404;
		a->body = strdup(k == HA_DOC ? doc : "<html>not found</html>");
		assert_non_null(a->body);
		a->body_len = strlen(a->body);
		break;
	}
	assert_int_equal(sf_http_parse_autodiscover(a), SF_OK);
	assert_int_equal(a->doc_ok, k == HA_DOC);
}

static void fill_host(sf_client_host *h, const char *prefix, const char *domain,
		      const struct clhost *c)
{
	h->name = sf_aprintf("%s.%s", prefix, domain);
	assert_non_null(h->name);
	h->rcode = c->resolves ? SF_DNS_NOERROR : SF_DNS_NXDOMAIN;
	if (c->alias) {
		h->alias = strdup(c->alias);
		assert_non_null(h->alias);
		if (c->resolves) {
			h->canonical = strdup(c->alias);
			assert_non_null(h->canonical);
		}
	}
	if (c->resolves) {
		h->addrs = calloc(1, sizeof(char *));
		assert_non_null(h->addrs);
		h->addrs[0] = strdup(PUB4);
		assert_non_null(h->addrs[0]);
		h->n_addrs = 1;
	}
	h->tls_checked = c->tls != CT_NONE;
	switch (c->tls) {
	case CT_NONE:
		break;
	case CT_OK:
	case CT_EXPIRED:
		h->tls.state = SF_TLS_OK;
		h->tls.chain = client_chain(c->cert_for ? c->cert_for : h->name, c->tls);
		assert_non_null(h->tls.chain);
		break;
	case CT_CONNECT:
		h->tls.state = SF_TLS_CONNECT_FAILED;
		h->tls.error = strdup("connection refused");
		assert_non_null(h->tls.error);
		break;
	case CT_NO_CHAIN:
		h->tls.state = SF_TLS_NO_CHAIN;
		h->tls.error = strdup("no chain for this host in the lab");
		assert_non_null(h->tls.error);
		break;
	}
	fill_answer(&h->https, c->https);
	fill_answer(&h->http, c->http);
}

/* The client facts of a row, as the collector would leave them. */
static void build_client(const struct clspec *cs, const char *domain, sf_domain_facts *f)
{
	sf_client_facts *c = calloc(1, sizeof(*c));
	size_t n = 0;

	assert_non_null(c);
	f->client = c;
	while (n < SF_ARRAY_LEN(cs->sip) && cs->sip[n].target)
		n++;
	c->sip_rcode = n ? SF_DNS_NOERROR : SF_DNS_NXDOMAIN;
	if (n) {
		c->sip = calloc(n, sizeof(*c->sip));
		assert_non_null(c->sip);
	}
	for (size_t i = 0; i < n; i++) {
		sf_srv_facts *s = &c->sip[c->n_sip++];

		s->port = cs->sip[i].port;
		s->target = strdup(cs->sip[i].target);
		assert_non_null(s->target);
		if (cs->sip[i].no_addr) {
			s->addr_rcode = SF_DNS_NXDOMAIN;
		} else {
			s->addrs = calloc(1, sizeof(char *));
			assert_non_null(s->addrs);
			s->addrs[0] = strdup(PUB4);
			assert_non_null(s->addrs[0]);
			s->n_addrs = 1;
		}
		fill_tls(s, cs->sip[i].tls);
	}
	fill_host(&c->discover, "lyncdiscover", domain, &cs->discover);
	fill_host(&c->internal, "lyncdiscoverinternal", domain, &cs->internal);
	fill_host(&c->meet, "meet", domain, &cs->meet);
	fill_host(&c->dialin, "dialin", domain, &cs->dialin);
	if (cs->dialin_shared) {
		c->dialin_shared = strdup(cs->dialin_shared);
		assert_non_null(c->dialin_shared);
		assert_true(strncmp(cs->dialin_shared, "dialin.", 7) == 0);
		fill_host(&c->dialin_other, "dialin", cs->dialin_shared + 7, &cs->dialin_other);
	}
}

static void build_facts(const struct drow *r, sf_domain_facts *f)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	f->domain = strdup(r->domain);
	assert_non_null(f->domain);
	f->srv_rcode = r->srv_rcode;
	while (n < SF_ARRAY_LEN(r->srv) && r->srv[n].target)
		n++;
	if (n) {
		f->srv = calloc(n, sizeof(*f->srv));
		assert_non_null(f->srv);
	}
	f->n_srv = n;
	for (size_t i = 0; i < n; i++) {
		const struct srow *sr = &r->srv[i];
		sf_srv_facts *s = &f->srv[i];
		size_t na = 0;

		s->priority = (uint16_t)(10 * i);
		s->weight = 10;
		s->port = sr->port ? sr->port : 5061;
		s->target = strdup(sr->target);
		assert_non_null(s->target);
		if (sr->cname) {
			s->target_cname = strdup(sr->cname);
			assert_non_null(s->target_cname);
		}
		s->addr_rcode = sr->addr_rcode;
		while (na < SF_ARRAY_LEN(sr->addrs) && sr->addrs[na])
			na++;
		if (na) {
			s->addrs = calloc(na, sizeof(char *));
			assert_non_null(s->addrs);
		}
		for (size_t k = 0; k < na; k++) {
			s->addrs[k] = strdup(sr->addrs[k]);
			assert_non_null(s->addrs[k]);
		}
		s->n_addrs = na;
		fill_tls(s, sr->tls);
	}
	f->owner_alias = r->owner_alias ? strdup(r->owner_alias) : NULL;
	f->owner_txt = r->owner_txt ? strdup(r->owner_txt) : NULL;
	f->wildcard_name = r->wildcard ? strdup(r->wildcard) : NULL;
	f->srv_not_probed = r->not_probed;
	assert_true(!r->owner_alias || f->owner_alias);
	assert_true(!r->owner_txt || f->owner_txt);
	assert_true(!r->wildcard || f->wildcard_name);
	if (r->misspelt_owner) {
		assert_int_equal(sf_strv_push(&f->misspelt_owner, r->misspelt_owner), 0);
		assert_int_equal(sf_strv_push(&f->misspelt_rdata, r->misspelt_rdata), 0);
	}
	if (r->client)
		build_client(r->client, r->domain, f);
}

/* Runs one domain row; 1 if its findings differ from the expected ones. */
static int run_drow(const struct drow *r)
{
	const char *hosting[SF_ARRAY_LEN(hosting_builtin) + 1];
	size_t nh = 0;
	sf_domain_facts f;
	sf_findings out = { 0 };
	sf_rule_env env;
	int bad;

	for (size_t i = 0; i < SF_ARRAY_LEN(hosting_builtin); i++)
		hosting[nh++] = hosting_builtin[i];
	if (r->hosting)
		hosting[nh++] = r->hosting;
	env_init(&env, r->profile, r->trust, hosting, nh);
	build_facts(r, &f);
	collect_domain(&f);
	assert_int_equal(sf_rules_evaluate(&env, &f, &out), SF_OK);
	bad = check_findings(r->name, &out, r->want);
	if (r->client && r->client->dialin_shared &&
	    sf_rules_dialin_keep_own(&env, f.client) != r->client->keep_own) {
		print_error("[%s] sf_rules_dialin_keep_own is not %d\n", r->name,
			    r->client->keep_own);
		bad = 1;
	}
	/* sf_rules_evaluate sorts by severity, errors first. */
	for (size_t i = 1; i < out.n; i++)
		assert_true(out.v[i - 1].severity >= out.v[i].severity);
	sf_findings_release(&out);
	sf_domain_facts_release(&f);
	return bad;
}

static void test_domain_rows(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(drows); i++)
		failed += run_drow(&drows[i]);
	if (failed)
		fail_msg("%d of %zu domain rows differ", failed, SF_ARRAY_LEN(drows));
}

/* ---- certificate rows ----------------------------------------------------- */

enum issuer {
	ISS_INTER = 0,  /* intermediate under the test root */
	ISS_INTER_SHA1, /* intermediate signed with SHA-1 by the test root */
	ISS_OTHER_ROOT, /* a root in no trust store */
	ISS_INTER_R1,   /* intermediate under a root whose self-signature is SHA-1 */
};
enum chain_kind { CH_FULL = 0, CH_LEAF_ONLY, CH_WITH_ROOT };

struct crow {
	const char *name;
	sf_profile profile;
	/* The leaf: NULL takes the compliant default, NONE ("") leaves it out. */
	const char *cn, *san, *eku;
	int no_crldp;
	long nb_days, na_days; /* both 0: -30 .. +365 */
	tc_keytype key;
	tc_sig sig;
	enum issuer issuer;
	enum chain_kind chain;
	enum trust_kind trust;
	const char *expected;  /* NULL: sip.example.com; NONE: no expected name */
	sf_role role;
	int not_mutual, not_presented;
	struct want want[MAX_WANT];
};

static const struct crow crows[] = {
	{ "compliant sfb", SF_PROFILE_SFB, .want = { { 0 } } },
	{ "compliant, private root, o365", SF_PROFILE_O365,
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, "'CN=" ROOT_CN } } },
	{ "compliant, private root, dr", SF_PROFILE_DR,
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, NULL } } },
	{ "compliant, public root, o365", SF_PROFILE_O365, .trust = TR_PUBLIC, .want = { { 0 } } },
	{ "compliant, public root, dr", SF_PROFILE_DR, .trust = TR_PUBLIC, .want = { { 0 } } },
	{ "root sent too", SF_PROFILE_SFB, .chain = CH_WITH_ROOT, .want = { { 0 } } },
	{ "name missing", SF_PROFILE_SFB, .cn = "other.example.com", .san = "DNS:other.example.com",
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, "SAN dNSNames: other.example.com" } } },
	{ "name missing o365", SF_PROFILE_O365, .trust = TR_PUBLIC, .cn = "other.example.com",
	  .san = "DNS:other.example.com",
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, NULL } } },
	{ "CN matches but SAN present", SF_PROFILE_SFB, .san = "DNS:other.example.com",
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, "the CN matches but is ignored" },
		    { SF_R_CERT012_CN_NOT_IN_SAN, "CERT-012", W, S, "CN " S } } },
	{ "name missing, 60 SAN dNSNames (message truncated)", SF_PROFILE_SFB, .cn = NONE,
	  .san = long_san,
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, "host-00.long-name" } } },
	{ "CN only, no SAN", SF_PROFILE_SFB, .san = NONE, .want = { { 0 } } },
	{ "CN only, SAN with an IP address only", SF_PROFILE_SFB, .san = "IP:" PUB4,
	  .want = { { 0 } } },
	{ "CN only, other name", SF_PROFILE_SFB, .cn = "other.example.com", .san = NONE,
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, "SAN dNSNames: none" } } },
	{ "wildcard only sfb", SF_PROFILE_SFB, .cn = NONE, .san = "DNS:*.example.com",
	  .want = { { SF_R_CERT002_WILDCARD_ONLY, "CERT-002", W, S, "*.example.com" } } },
	{ "wildcard only o365", SF_PROFILE_O365, .trust = TR_PUBLIC, .cn = NONE,
	  .san = "DNS:*.example.com",
	  .want = { { SF_R_CERT002_WILDCARD_ONLY, "CERT-002", W, S, NULL } } },
	{ "wildcard only dr", SF_PROFILE_DR, .trust = TR_PUBLIC, .cn = NONE,
	  .san = "DNS:*.example.com", .want = { { 0 } } },
	{ "wildcard does not cover two labels", SF_PROFILE_DR, .trust = TR_PUBLIC, .cn = NONE,
	  .san = "DNS:*.example.com", .expected = "edge.sip.example.com",
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, "edge.sip.example.com", NULL } } },
	{ "partial-label wildcard does not match", SF_PROFILE_SFB, .cn = NONE,
	  .san = "DNS:s*.example.com",
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, S, NULL } } },
	{ "wildcard CN", SF_PROFILE_SFB, .cn = "*.example.com",
	  .san = "DNS:sip.example.com,DNS:*.example.com",
	  .want = { { SF_R_CERT003_CN_WILDCARD, "CERT-003", W, S, "*.example.com" } } },
	{ "expired", SF_PROFILE_SFB, .nb_days = -400, .na_days = -1,
	  .want = { { SF_R_CERT004_EXPIRED, "CERT-004", E, S, "2026-05-31T00:00:00Z" } } },
	{ "not yet valid", SF_PROFILE_SFB, .nb_days = 1, .na_days = 365,
	  .want = { { SF_R_CERT004_NOT_YET_VALID, "CERT-004", E, S, "2026-06-02T00:00:00Z" } } },
	{ "expires in 10 days", SF_PROFILE_SFB, .nb_days = -300, .na_days = 10,
	  .want = { { SF_R_CERT004_EXPIRING, "CERT-004", W, S, "2026-06-11T00:00:00Z" } } },
	{ "expires in 31 days", SF_PROFILE_SFB, .nb_days = -300, .na_days = 31,
	  .want = { { 0 } } },
	{ "untrusted root sent", SF_PROFILE_SFB, .issuer = ISS_OTHER_ROOT,
	  .want = { { SF_R_CERT005_UNTRUSTED, "CERT-005", E, S, "self-signed certificate" } } },
	{ "untrusted root, file", SF_PROFILE_O365, .issuer = ISS_OTHER_ROOT, .not_presented = 1,
	  .want = { { SF_R_CERT005_UNTRUSTED, "CERT-005", E, S, NULL } } },
	{ "incomplete chain presented", SF_PROFILE_SFB, .chain = CH_LEAF_ONLY,
	  .want = { { SF_R_TLS002_INCOMPLETE, "TLS-002", E, S,
		      "'CN=sip.example.com,O=sipfed test'" } } },
	/*
	 * Intermediate sent, root neither sent nor trusted: OpenSSL (like the
	 * Windows chain engine, CERT_E_CHAINING) cannot tell a missing CA from
	 * an unknown root, and the engine reports TLS-002.  Sent with the root,
	 * the chain is complete and the root untrusted: CERT-005.
	 */
	{ "root neither sent nor trusted", SF_PROFILE_SFB, .trust = TR_EMPTY,
	  .want = { { SF_R_TLS002_INCOMPLETE, "TLS-002", E, S, "'CN=sipfed test intermediate" } } },
	{ "root sent, not trusted", SF_PROFILE_SFB, .trust = TR_EMPTY, .chain = CH_WITH_ROOT,
	  .want = { { SF_R_CERT005_UNTRUSTED, "CERT-005", E, S, NULL } } },
	{ "incomplete chain in a file", SF_PROFILE_SFB, .chain = CH_LEAF_ONLY, .not_presented = 1,
	  .want = { { SF_R_CERT005_UNTRUSTED, "CERT-005", E, S, "unable to get local issuer" } } },
	{ "EKU without serverAuth", SF_PROFILE_SFB, .eku = "clientAuth",
	  .want = { { SF_R_CERT006_EKU, "CERT-006", E, S, NULL } } },
	{ "EKU serverAuth only, mutual", SF_PROFILE_SFB, .eku = "serverAuth",
	  .want = { { SF_R_CERT007_NO_CLIENTAUTH, "CERT-007", W, S, NULL } } },
	{ "EKU serverAuth only, not mutual", SF_PROFILE_SFB, .eku = "serverAuth", .not_mutual = 1,
	  .want = { { 0 } } },
	{ "EKU serverAuth only, role web", SF_PROFILE_SFB, .eku = "serverAuth",
	  .role = SF_ROLE_WEB, .want = { { 0 } } },
	{ "EKU serverAuth only, SBC in dr", SF_PROFILE_DR, .trust = TR_PUBLIC, .eku = "serverAuth",
	  .role = SF_ROLE_SBC,
	  .want = { { SF_R_CERT007_NO_CLIENTAUTH, "CERT-007", W, S, NULL } } },
	{ "no EKU extension", SF_PROFILE_SFB, .eku = NONE, .want = { { 0 } } },
	{ "no CRL distribution point", SF_PROFILE_SFB, .no_crldp = 1,
	  .want = { { SF_R_CERT008_NO_CRLDP, "CERT-008", W, S, NULL } } },
	{ "RSASSA-PSS leaf", SF_PROFILE_SFB, .sig = TC_SIG_PSS,
	  .want = { { SF_R_CERT009_PSS, "CERT-009", E, S, "'sip.example.com'" } } },
	{ "SHA-1 intermediate", SF_PROFILE_SFB, .issuer = ISS_INTER_SHA1,
	  .want = { { SF_R_CERT009_SHA1, "CERT-009", W, S, "'sipfed test sha1 intermediate'" } } },
	{ "SHA-1 self-signature of a sent root does not count", SF_PROFILE_SFB,
	  .issuer = ISS_INTER_R1, .chain = CH_WITH_ROOT, .want = { { 0 } } },
	{ "SHA-1 leaf", SF_PROFILE_SFB, .sig = TC_SIG_SHA1,
	  .want = { { SF_R_CERT009_SHA1, "CERT-009", W, S, "'sip.example.com'" } } },
	{ "RSA 1024", SF_PROFILE_SFB, .key = TC_KEY_RSA1024,
	  .want = { { SF_R_CERT010_RSA_SMALL, "CERT-010", W, S, "1024 bits" } } },
	{ "ECDSA in dr", SF_PROFILE_DR, .trust = TR_PUBLIC, .key = TC_KEY_EC256,
	  .want = { { SF_R_CERT010_ECDSA_DR, "CERT-010", E, S, NULL } } },
	{ "ECDSA in sfb", SF_PROFILE_SFB, .key = TC_KEY_EC256, .want = { { 0 } } },
	{ "ECDSA in o365", SF_PROFILE_O365, .trust = TR_PUBLIC, .key = TC_KEY_EC256,
	  .want = { { 0 } } },
	/*
	 * CERT-011 concerns publicly issued certificates only.  A chain to a
	 * private root (the normal case in a lab, --trust) never reaches it:
	 * these two rows pin that.  The TR_PUBLIC rows reach it only because
	 * the test root was loaded as a system root (see the file comment).
	 */
	{ "internal name, private root, sfb", SF_PROFILE_SFB,
	  .san = "DNS:sip.example.com,DNS:edge.corp.local", .want = { { 0 } } },
	{ "internal name, private root, o365", SF_PROFILE_O365,
	  .san = "DNS:sip.example.com,DNS:edge.corp.local",
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, NULL } } },
	{ "internal .local name, public root", SF_PROFILE_SFB, .trust = TR_PUBLIC,
	  .san = "DNS:sip.example.com,DNS:edge.corp.local",
	  .want = { { SF_R_CERT011_INTERNAL, "CERT-011", E, S, "edge.corp.local" } } },
	{ "internal single-label name, public root", SF_PROFILE_O365, .trust = TR_PUBLIC,
	  .san = "DNS:sip.example.com,DNS:edge",
	  .want = { { SF_R_CERT011_INTERNAL, "CERT-011", E, S, "internal name edge" } } },
	{ "private IP address, public root", SF_PROFILE_SFB, .trust = TR_PUBLIC,
	  .san = "DNS:sip.example.com,IP:10.0.0.1",
	  .want = { { SF_R_CERT011_INTERNAL, "CERT-011", E, S, "10.0.0.1" } } },
	{ "public names only, public root", SF_PROFILE_SFB, .trust = TR_PUBLIC,
	  .san = "DNS:sip.example.com,DNS:meet.example.com,IP:" PUB4, .want = { { 0 } } },
	{ "CN not in SAN", SF_PROFILE_SFB, .cn = "edge.example.com",
	  .want = { { SF_R_CERT012_CN_NOT_IN_SAN, "CERT-012", W, S, "CN edge.example.com" } } },
	{ "CN in SAN, other case", SF_PROFILE_SFB, .cn = "SIP.Example.com", .want = { { 0 } } },
	{ "wildcard SAN listed first", SF_PROFILE_SFB, .cn = NONE,
	  .san = "DNS:*.example.com,DNS:sip.example.com",
	  .want = { { SF_R_CERT012_WILDCARD_FIRST, "CERT-012", W, S, "*.example.com" } } },
	{ "FQDN listed before the wildcard", SF_PROFILE_SFB, .cn = NONE,
	  .san = "DNS:sip.example.com,DNS:*.example.com", .want = { { 0 } } },
	/* UM-001 (seed 004): the UM certificate's subject CN must be the server FQDN. */
	{ "UM: subject is the server FQDN", SF_PROFILE_SFB, .role = SF_ROLE_UM, .not_mutual = 1,
	  .want = { { 0 } } },
	{ "UM: FQDN only in the SAN list", SF_PROFILE_SFB, .role = SF_ROLE_UM, .not_mutual = 1,
	  .cn = "mail.example.com", .san = "DNS:mail.example.com,DNS:sip.example.com",
	  .want = { { SF_R_UM001_SUBJECT, "UM-001", E, S, "subject CN of the Exchange UM certificate"
		      " is mail.example.com" } } },
	{ "UM: wildcard certificate", SF_PROFILE_SFB, .role = SF_ROLE_UM, .not_mutual = 1,
	  .cn = "sip.example.com", .san = "DNS:sip.example.com,DNS:*.example.com",
	  .want = { { SF_R_UM001_WILDCARD, "UM-001", E, S, "wildcard" } } },
	{ "edge role: CN elsewhere is not UM-001", SF_PROFILE_SFB,
	  .cn = "mail.example.com", .san = "DNS:mail.example.com,DNS:sip.example.com",
	  .want = { { 0 } } },
	/* Without an expected name the subject of findings is the CN. */
	{ "no expected name", SF_PROFILE_SFB, .cn = "edge.example.com",
	  .san = "DNS:edge.example.com", .no_crldp = 1, .expected = NONE,
	  .want = { { SF_R_CERT008_NO_CRLDP, "CERT-008", W, "edge.example.com", NULL } } },
	/*
	 * Who checks decides the wildcard rules: Direct Routing (dr, or an SBC in
	 * any profile) accepts a wildcard of one whole label, in the SAN and in
	 * the CN (no CERT-002, no CERT-003); for Exchange UM any wildcard is
	 * UM-001 and nothing else.
	 */
	{ "wildcard CN and SAN, dr: one label is accepted", SF_PROFILE_DR, .trust = TR_PUBLIC,
	  .cn = "*.example.com", .san = "DNS:*.example.com", .want = { { 0 } } },
	{ "wildcard CN and SAN, SBC in sfb: one label is accepted", SF_PROFILE_SFB,
	  .role = SF_ROLE_SBC, .cn = "*.example.com", .san = "DNS:*.example.com",
	  .want = { { 0 } } },
	{ "wildcard CN of two labels, dr", SF_PROFILE_DR, .trust = TR_PUBLIC,
	  .cn = "*.*.example.com",
	  .want = { { SF_R_CERT003_CN_WILDCARD, "CERT-003", W, S,
		      "*.*.example.com; Direct Routing accepts only a wildcard of one whole" },
		    { SF_R_CERT012_CN_NOT_IN_SAN, "CERT-012", W, S, NULL } } },
	{ "partial-label wildcard CN, SBC", SF_PROFILE_DR, .trust = TR_PUBLIC, .role = SF_ROLE_SBC,
	  .cn = "sbc*.example.com", .san = "DNS:sip.example.com,DNS:sbc*.example.com",
	  .want = { { SF_R_CERT003_CN_WILDCARD, "CERT-003", W, S, "sbc*.example.com;" } } },
	{ "UM: wildcard CN and SAN is UM-001 only", SF_PROFILE_SFB, .role = SF_ROLE_UM,
	  .not_mutual = 1, .cn = "*.example.com", .san = "DNS:*.example.com",
	  .want = { { SF_R_UM001_WILDCARD, "UM-001", E, S, "(*.example.com)" } } },
	{ "UM: wildcard CN without a name to check", SF_PROFILE_SFB, .role = SF_ROLE_UM,
	  .not_mutual = 1, .cn = "*.example.com", .san = "DNS:*.example.com", .expected = NONE,
	  .want = { { SF_R_CERT003_CN_WILDCARD, "CERT-003", W, "*.example.com", NULL } } },
	{ "web: a wildcard match is still CERT-002", SF_PROFILE_SFB, .role = SF_ROLE_WEB,
	  .not_mutual = 1, .cn = NONE, .san = "DNS:*.example.com",
	  .want = { { SF_R_CERT002_WILDCARD_ONLY, "CERT-002", W, S, NULL } } },
	{ "several outcomes at once", SF_PROFILE_DR, .trust = TR_PUBLIC, .cn = "*.example.com",
	  .san = "DNS:*.example.com", .eku = "serverAuth", .no_crldp = 1, .key = TC_KEY_EC256,
	  .nb_days = -300, .na_days = 5,
	  .want = { { SF_R_CERT004_EXPIRING, "CERT-004", W, S, NULL },
		    { SF_R_CERT007_NO_CLIENTAUTH, "CERT-007", W, S, NULL },
		    { SF_R_CERT008_NO_CRLDP, "CERT-008", W, S, NULL },
		    { SF_R_CERT010_ECDSA_DR, "CERT-010", E, S, NULL } } },
};

static const char *field(const char *v, const char *dflt)
{
	if (!v)
		return dflt;
	return *v ? v : NULL;
}

/* Runs one certificate row; 1 if its findings differ from the expected ones. */
static int run_crow(const struct crow *r)
{
	tc_spec s = { 0 };
	EVP_PKEY *key = r->key == TC_KEY_RSA1024 ? k_small : r->key == TC_KEY_EC256 ? k_ec : k_leaf;
	X509 *issuer = r->issuer == ISS_INTER_SHA1 ? c_inter_sha1
		       : r->issuer == ISS_OTHER_ROOT ? c_other_root
		       : r->issuer == ISS_INTER_R1   ? c_inter_r1 : c_inter;
	const char *expected = field(r->expected, S);
	sf_findings out = { 0 };
	sf_cert_detail det;
	sf_rule_env env;
	STACK_OF(X509) *chain;
	X509 *leaf;
	int n = 0, has_name_finding = 0, has_trust_finding = 0, bad;
	X509 *v[3];

	s.cn = field(r->cn, S);
	s.san = field(r->san, "DNS:" S);
	s.eku = field(r->eku, "serverAuth,clientAuth");
	s.crldp = r->no_crldp ? NULL : CRLDP;
	s.nb_days = r->nb_days || r->na_days ? r->nb_days : -30;
	s.na_days = r->nb_days || r->na_days ? r->na_days : 365;
	s.sig = r->sig;
	s.serial = 1000;
	leaf = make_leaf(&s, key, issuer);
	if (!leaf)
		fail_msg("row '%s': cannot build the leaf", r->name);
	v[n++] = leaf;
	if (r->chain != CH_LEAF_ONLY)
		v[n++] = issuer;
	if (r->chain == CH_WITH_ROOT)
		v[n++] = r->issuer == ISS_INTER_R1 ? c_root_sha1 : c_root;
	chain = tc_chain_new(v, n);
	assert_non_null(chain);

	env_init(&env, r->profile, r->trust, hosting_builtin,
		 SF_ARRAY_LEN(hosting_builtin));
	assert_int_equal(rules_cert(&env, chain, expected, r->role, !r->not_mutual,
				       !r->not_presented, &out, &det),
			 SF_OK);
	bad = check_findings(r->name, &out, r->want);

	/* The details agree with the findings (checked when those are right). */
	for (size_t i = 0; i < out.n && !bad; i++) {
		has_name_finding |= out.v[i].rule == SF_R_CERT001_NAME;
		has_trust_finding |= out.v[i].rule == SF_R_CERT005_UNTRUSTED ||
				     out.v[i].rule == SF_R_TLS002_INCOMPLETE;
	}
	if (bad) {
		/* nothing more to compare */
	} else if (expected) {
		assert_int_equal(det.name_match, !has_name_finding);
		if (det.name_match)
			assert_non_null(det.matched_as);
	} else {
		assert_int_equal(det.name_match, -1);
	}
	if (!bad) {
		assert_int_equal(det.chain_trusted, !has_trust_finding);
		if (!det.chain_trusted)
			assert_non_null(det.chain_error);
	}

	sf_cert_detail_release(&det);
	sf_findings_release(&out);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	return bad;
}

static void test_cert_rows(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(crows); i++)
		failed += run_crow(&crows[i]);
	if (failed)
		fail_msg("%d of %zu certificate rows differ", failed, SF_ARRAY_LEN(crows));
}

/* An empty chain is refused, not crashed on. */
static void test_cert_empty_chain(void **state)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	sf_findings out = { 0 };
	sf_rule_env env;

	(void)state;
	assert_non_null(chain);
	env_init(&env, SF_PROFILE_SFB, TR_PRIVATE, NULL, 0);
	assert_int_equal(rules_cert(&env, chain, S, SF_ROLE_EDGE, 1, 1, &out, NULL), SF_EINVAL);
	assert_int_equal(out.n, 0);
	sk_X509_free(chain);
}

/* ---- paths as Windows builds them: alternatives, CA dates, EKU nesting, NUL -- */

/*
 * Chains built for these rows only (made by test_cert_paths): the Edge's
 * Windows tries every candidate issuer, checks every certificate's dates
 * (inclusive) and restricts the leaf to its CAs' EKUs (lib/x509).  An
 * out-of-date CA is CERT-004 naming it (CERT_E_EXPIRED), never CERT-005.
 */
static X509 *p_other_root_ref; /* = c_other_root, set by test_cert_paths */
static X509 *p_cross_old, *p_cross_new, *p_twin_bad, *p_twin_ok, *p_inter_exp, *p_root_future,
	*p_inter_future, *p_inter_edge, *p_inter_client, *p_inter_server;
static sf_trust *trust_future;

#define UM "um.example.com"

struct prow {
	const char *name;
	X509 **issuer;        /* the leaf's issuer (its name; the CA key signs) */
	X509 **sent[4];       /* after the leaf, until NULL */
	long na_days;         /* the leaf's notAfter; 0: +365 */
	int leaf_edge;        /* the leaf's notAfter is NOW itself */
	sf_trust **trust;     /* NULL: the private store */
	sf_role role;
	int not_mutual;
	int nul_cn;           /* 1: CN "um.example.com\0.evil.com", SAN um.example.com; 2: no SAN */
	const char *expected; /* NULL: sip.example.com */
	struct want want[MAX_WANT];
};

static const struct prow prows[] = {
	{ "cross-signed: intermediate under an untrusted old root sent first", &p_cross_new,
	  { &p_cross_old, &p_cross_new }, .want = { { 0 } } },
	{ "cross-signed: the trusted one first", &p_cross_new, { &p_cross_new, &p_cross_old },
	  .want = { { 0 } } },
	{ "cross-signed, the old root sent too", &p_cross_new,
	  { &p_cross_old, &p_other_root_ref, &p_cross_new }, .want = { { 0 } } },
	{ "cross-signed, only the old path: CERT-005 names the path", &p_cross_new,
	  { &p_cross_old, &p_other_root_ref },
	  .want = { { SF_R_CERT005_UNTRUSTED, "CERT-005", E, S,
		      "(path built: CN=sip.example.com,O=sipfed test <- CN=sipfed cross "
		      "intermediate,O=sipfed test <- CN=sipfed untrusted root" } } },
	{ "two candidate issuers, the wrong key first", &p_twin_ok, { &p_twin_bad, &p_twin_ok },
	  .want = { { 0 } } },
	{ "two candidate issuers, the right one first", &p_twin_ok, { &p_twin_ok, &p_twin_bad },
	  .want = { { 0 } } },
	{ "expired intermediate: CERT-004 naming it, not CERT-005", &p_inter_exp, { &p_inter_exp },
	  .want = { { SF_R_CERT004_CA_EXPIRED, "CERT-004", E, S,
		      "the CA certificate 'CN=sipfed expired intermediate,O=sipfed test' in the "
		      "chain of sip.example.com expired on 2026-05-31T00:00:00Z" } } },
	{ "root not yet valid: CERT-004 naming it", &p_inter_future, { &p_inter_future },
	  .trust = &trust_future,
	  .want = { { SF_R_CERT004_CA_NOT_YET_VALID, "CERT-004", E, S,
		      "'CN=sipfed future root,O=sipfed test' in the chain of sip.example.com is "
		      "not valid before 2026-06-02T00:00:00Z" } } },
	{ "CA and leaf at the second of their notAfter: still valid", &p_inter_edge,
	  { &p_inter_edge }, .leaf_edge = 1,
	  .want = { { SF_R_CERT004_EXPIRING, "CERT-004", W, S, "2026-06-01T00:00:00Z" } } },
	{ "intermediate with EKU clientAuth only: CERT-006 naming it", &p_inter_client,
	  { &p_inter_client },
	  .want = { { SF_R_CERT006_CA_EKU, "CERT-006", E, S,
		      "'CN=sipfed clientauth intermediate,O=sipfed test' in the chain of "
		      "sip.example.com limits the certificates it issues to the extended key "
		      "usages clientAuth, without serverAuth" } } },
	{ "intermediate with EKU serverAuth only, mutual TLS", &p_inter_server, { &p_inter_server },
	  .want = { { SF_R_CERT007_CA_NO_CLIENTAUTH, "CERT-007", W, S,
		      "'CN=sipfed serverauth intermediate,O=sipfed test'" } } },
	{ "intermediate with EKU serverAuth only, not mutual", &p_inter_server, { &p_inter_server },
	  .not_mutual = 1, .want = { { 0 } } },
	{ "UM: a CN with an embedded NUL is not the FQDN", &p_cross_new, { &p_cross_new },
	  .role = SF_ROLE_UM, .not_mutual = 1, .nul_cn = 1, .expected = UM,
	  .want = { { SF_R_UM001_SUBJECT, "UM-001", E, UM,
		      "is um.example.com\\x00.evil.com (it holds a NUL byte" },
		    { SF_R_CERT012_CN_NOT_IN_SAN, "CERT-012", W, UM, NULL } } },
	{ "UM: NUL CN without SAN: CERT-001 and UM-001", &p_cross_new, { &p_cross_new },
	  .role = SF_ROLE_UM, .not_mutual = 1, .nul_cn = 2, .expected = UM,
	  .want = { { SF_R_CERT001_NAME, "CERT-001", E, UM,
		      "subject CN um.example.com\\x00.evil.com; SAN dNSNames: none); a name holds "
		      "a NUL byte" },
		    { SF_R_UM001_SUBJECT, "UM-001", E, UM, "NUL byte" } } },
};

static int run_prow(const struct prow *r)
{
	static const unsigned char nul_cn[] = "um.example.com\0.evil.com";
	char san[300];
	tc_spec s = { .cn = S, .san = san, .eku = "serverAuth,clientAuth", .crldp = CRLDP,
		      .nb_days = -30, .na_days = r->na_days ? r->na_days : 365, .serial = 300 };
	const char *expected = r->expected ? r->expected : S;
	sf_findings out = { 0 };
	sf_rule_env env;
	STACK_OF(X509) *chain;
	X509 *leaf, *v[6];
	int n = 0, bad;

	snprintf(san, sizeof(san), "DNS:%s", expected);
	if (r->leaf_edge)
		s.na_days = 0;
	if (r->nul_cn) {
		if (r->nul_cn == 2)
			s.san = NULL;
		leaf = tc_cert_cn_bytes_new(&s, nul_cn, sizeof(nul_cn) - 1, k_leaf, *r->issuer,
					    k_ca, NOW);
	} else {
		leaf = make_leaf(&s, k_leaf, *r->issuer);
	}
	if (!leaf)
		fail_msg("row '%s': cannot build the leaf", r->name);
	v[n++] = leaf;
	for (int i = 0; i < 4 && r->sent[i]; i++)
		v[n++] = *r->sent[i];
	chain = tc_chain_new(v, n);
	assert_non_null(chain);
	env_init(&env, SF_PROFILE_SFB, TR_PRIVATE, hosting_builtin, SF_ARRAY_LEN(hosting_builtin));
	if (r->trust)
		cur_trust = *r->trust;
	assert_int_equal(rules_cert(&env, chain, expected, r->role, !r->not_mutual, 1, &out, NULL),
			 SF_OK);
	bad = check_findings(r->name, &out, r->want);
	sf_findings_release(&out);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	return bad;
}

static void test_cert_paths(void **state)
{
	EVP_PKEY *k_other = tc_key_new(TC_KEY_RSA2048);
	struct {
		X509 **x;
		const char *cn;
		X509 **issuer; /* NULL: self-signed */
		int other_key;
		long nb, na;
		const char *eku;
	} cas[] = {
		{ &p_cross_old, "sipfed cross intermediate", &p_other_root_ref, 0, -300, 3000, NULL },
		{ &p_cross_new, "sipfed cross intermediate", &c_root, 0, -300, 3000, NULL },
		{ &p_twin_bad, "sipfed twin intermediate", &c_root, 1, -300, 3000, NULL },
		{ &p_twin_ok, "sipfed twin intermediate", &c_root, 0, -300, 3000, NULL },
		{ &p_inter_exp, "sipfed expired intermediate", &c_root, 0, -700, -1, NULL },
		{ &p_root_future, "sipfed future root", NULL, 0, 1, 3650, NULL },
		{ &p_inter_future, "sipfed future intermediate", &p_root_future, 0, -300, 3000, NULL },
		{ &p_inter_edge, "sipfed edge intermediate", &c_root, 0, -300, 0, NULL },
		{ &p_inter_client, "sipfed clientauth intermediate", &c_root, 0, -300, 3000,
		  "clientAuth" },
		{ &p_inter_server, "sipfed serverauth intermediate", &c_root, 0, -300, 3000,
		  "serverAuth" },
	};
	char pem[128], err[256];
	const char *files[1] = { pem };
	int failed = 0;

	(void)state;
	assert_non_null(k_other);
	p_other_root_ref = c_other_root;
	for (size_t i = 0; i < SF_ARRAY_LEN(cas); i++) {
		tc_spec sp = { .cn = cas[i].cn, .ca = 1, .nb_days = cas[i].nb, .na_days = cas[i].na,
			       .eku = cas[i].eku, .serial = 200 + (long)i };

		*cas[i].x = tc_cert_new(&sp, cas[i].other_key ? k_other : k_ca,
					cas[i].issuer ? *cas[i].issuer : NULL, k_ca, NOW);
		assert_non_null(*cas[i].x);
	}
	snprintf(pem, sizeof(pem), "%s/future.pem", g_tmp);
	assert_int_equal(tc_write_pem(pem, &p_root_future, 1), 0);
	assert_int_equal(sf_trust_new(files, 1, 1, &trust_future, err, sizeof(err)), SF_OK);
	unlink(pem);

	for (size_t i = 0; i < SF_ARRAY_LEN(prows); i++)
		failed += run_prow(&prows[i]);

	sf_trust_free(trust_future);
	trust_future = NULL;
	for (size_t i = 0; i < SF_ARRAY_LEN(cas); i++) {
		X509_free(*cas[i].x);
		*cas[i].x = NULL;
	}
	EVP_PKEY_free(k_other);
	if (failed)
		fail_msg("%d of %zu path rows differ", failed, SF_ARRAY_LEN(prows));
}

/* ---- federation and Direct Routing rows ----------------------------------- */

/*
 * FED-001 (sf_rules_callback on the result of the DNS rules for the row's
 * SRV records and the peer's leaf), FED-003 (sf_rules_allow), DR-001
 * (sf_rules_sbc), TLS-001 cipher (sf_rules_tls with the Direct Routing list)
 * and CERT-005 against the Direct Routing root list (sf_rules_cert).  Each
 * row lists the findings of that one rule function.
 */
enum fr_kind { FR_CALLBACK = 0, FR_ALLOW, FR_SBC, FR_TLS, FR_CERT };

enum fr_roots {
	RL_NONE = 0,  /* the list is not loaded */
	RL_FP,        /* the test root's SHA-256 fingerprint (computed at run time) */
	RL_CN,        /* cn:sipfed test root */
	RL_O,         /* o:sipfed test */
	RL_OTHER,     /* only other roots */
};

/* CALLBACK: the peer's own certificate (sf_rules_cert on its chain decides). */
enum fr_peer {
	PC_OK = 0,     /* valid 30 days ago to in a year, issued by the test intermediate */
	PC_EXPIRED,    /* expired 10 days before NOW: CERT-004 error */
	PC_NOT_YET,    /* valid from 10 days after NOW: CERT-004 error */
	PC_EXPIRING,   /* expires 10 days after NOW: CERT-004 warning only */
	PC_UNTRUSTED,  /* issued by a root the store does not hold: CERT-005 */
};

struct frow {
	const char *name;
	enum fr_kind kind;
	sf_profile profile;
	const char *domain;     /* CALLBACK, ALLOW: the SIP domain; SBC: the FQDN */
	const char *targets[3]; /* CALLBACK, ALLOW: SRV targets ("-x": x without address) */
	const char *peer_san;   /* CALLBACK: the peer leaf's SAN (CN = first name) */
	enum fr_peer peer;      /* CALLBACK */
	const char *proxy;      /* ALLOW: the allow list's ProxyFqdn */
	int lookup;             /* ALLOW: the ProxyFqdn was looked up (rcode, addrs) */
	int srv_moot;           /* ALLOW: DNS-001..003 do not apply (sf_rules_allow_proxy) */
	sf_dns_rcode rcode;     /* SBC, ALLOW: outcome of the address lookup */
	const char *addrs[3];   /* SBC, ALLOW */
	const char *version, *cipher; /* TLS: what was negotiated */
	int openssl_names;      /* TLS: the list gives OpenSSL names only */
	enum fr_roots roots;    /* CERT */
	enum trust_kind trust;  /* CERT */
	struct want want[MAX_WANT];
	const char *fix;        /* must occur in the fix of the first finding */
};

#define FR_DOM "acano.example.com"
#define FR_OK_T "vcse.acano.example.com"
#define FR_SBC_FQDN "sbc1.example.com"

static const struct frow frows[] = {
	/* FED-001: the Cisco seed; the Expressway-E vcse.example.com also sends FR_DOM. */
	{ "callback: SRV target in the parent domain", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM,
	  { "vcse.example.com" }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-005)" } } },
	{ "callback: DNS fails, the peer lacks the name DNS must give", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { "vcse.example.com" }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM,
		      "in the parent domain example.com" } },
	  .fix = "then add " FR_OK_T " as a SAN dNSName to the certificate the peer presents" },
	{ "callback: SRV target in a sub-domain, peer already has the right name", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { "vcse.sub.acano.example.com" },
	  "DNS:vcse.example.com,DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "sub-domain" } },
	  .fix = "the certificate the peer presents already carries " FR_OK_T },
	{ "callback: certificate lacks the SRV target", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM,
	  { FR_OK_T }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_CERT, "FED-001", E, FR_DOM,
		      "does not carry " FR_OK_T ", the SRV target of " FR_DOM } },
	  .fix = "add " FR_OK_T " as a SAN dNSName to the certificate the peer presents (it "
		 "carries: subject CN vcse.example.com; SAN dNSNames vcse.example.com)" },
	{ "callback: certificate lacks the SRV target, o365", FR_CALLBACK, SF_PROFILE_O365, FR_DOM,
	  { FR_OK_T }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_CERT, "FED-001", E, FR_DOM, NULL } } },
	{ "callback: accepted", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM, { FR_OK_T },
	  "DNS:vcse.example.com,DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_OK, "FED-001", I, FR_DOM, "SRV target " FR_OK_T " of" } } },
	{ "callback: accepted through a wildcard", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM,
	  { FR_OK_T }, "DNS:vcse.example.com,DNS:*.acano.example.com",
	  .want = { { SF_R_FED001_OK, "FED-001", I, FR_DOM,
		      "only through the wildcard *.acano.example.com" } } },
	{ "callback: no SRV record", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM, { NULL },
	  "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-001)" } },
	  .fix = "must then carry the target you publish (it carries: subject CN vcse.example.com" },
	{ "callback: SRV target without address", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM,
	  { "-" FR_OK_T }, "DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-009)" } },
	  .fix = "the certificate the peer presents already carries " FR_OK_T },
	{ "callback: zone-appended target", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM,
	  { "-sipfed.online.lync.com." FR_DOM }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-004)" } },
	  .fix = "must then carry the target you publish" },
	{ "callback: root target", FR_CALLBACK, SF_PROFILE_SFB, FR_DOM, { "." },
	  "DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-004)" } } },
	{ "callback: two records, the peer carries the compliant one", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { "vcse.example.com", FR_OK_T },
	  "DNS:vcse.example.com,DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_OK, "FED-001", I, FR_DOM, FR_OK_T } } },
	{ "callback: two compliant records, the peer carries neither", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T, "sip.acano.example.com" }, "DNS:vcse.example.com",
	  .want = { { SF_R_FED001_CERT, "FED-001", E, FR_DOM,
		      FR_OK_T " or sip.acano.example.com" } } },
	{ "callback: hosting provider", FR_CALLBACK, SF_PROFILE_O365, FR_DOM,
	  { "sipfed.online.lync.com" }, "DNS:sipfed.online.lync.com", .trust = TR_PUBLIC,
	  .want = { { SF_R_FED001_OK, "FED-001", I, FR_DOM, "sipfed.online.lync.com" } } },
	/*
	 * The peer's own certificate: the Edge checks it in the mutual-TLS
	 * handshake, before it reads a request, so a CERT-004 / CERT-005 error
	 * on it refuses every domain the callback alone would accept.
	 */
	{ "callback: carries the target, but the peer's certificate expired", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, "DNS:" FR_OK_T, .peer = PC_EXPIRED,
	  .want = { { SF_R_FED001_PEER_EXPIRED, "FED-001", E, FR_DOM,
		      "the certificate the peer presents expired on 2026-05-22T00:00:00Z (see "
		      "CERT-004 of " FR_OK_T "), so the Edge ends the TLS connection before the "
		      "callback check (which alone would accept " FR_DOM } },
	  .fix = "renew the certificate the peer presents" },
	{ "callback: carries the target, the peer's certificate is not valid yet", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, "DNS:" FR_OK_T, .peer = PC_NOT_YET,
	  .want = { { SF_R_FED001_PEER_EXPIRED, "FED-001", E, FR_DOM,
		      "is not valid before 2026-06-11T00:00:00Z (see CERT-004 of " FR_OK_T ")" } } },
	{ "callback: carries the target, the peer's certificate is untrusted", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, "DNS:" FR_OK_T, .peer = PC_UNTRUSTED,
	  .want = { { SF_R_FED001_PEER_UNTRUSTED, "FED-001", E, FR_DOM,
		      "does not lead to a root the Edge trusts (see CERT-005 of " FR_OK_T ")" } },
	  .fix = "import its root into the trusted root store of the Edge" },
	{ "callback: o365, the peer's root is not public", FR_CALLBACK, SF_PROFILE_O365, FR_DOM,
	  { FR_OK_T }, "DNS:" FR_OK_T,
	  .want = { { SF_R_FED001_PEER_UNTRUSTED, "FED-001", E, FR_DOM, "CERT-005 of " FR_OK_T } } },
	{ "callback: the peer's certificate expires soon: still accepted", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, "DNS:" FR_OK_T, .peer = PC_EXPIRING,
	  .want = { { SF_R_FED001_OK, "FED-001", I, FR_DOM, FR_OK_T } } },
	{ "callback: untrusted peer that lacks the target: the name mismatch is reported",
	  FR_CALLBACK, SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, "DNS:vcse.example.com",
	  .peer = PC_UNTRUSTED,
	  .want = { { SF_R_FED001_CERT, "FED-001", E, FR_DOM, "does not carry " FR_OK_T } } },
	{ "callback: expired peer, DNS fails: the DNS failure is reported", FR_CALLBACK,
	  SF_PROFILE_SFB, FR_DOM, { "vcse.example.com" }, "DNS:vcse.example.com",
	  .peer = PC_EXPIRED, .want = { { SF_R_FED001_DNS, "FED-001", E, FR_DOM, "(DNS-005)" } } },
	{ "callback: not in the dr profile", FR_CALLBACK, SF_PROFILE_DR, FR_DOM,
	  { "vcse.example.com" }, "DNS:vcse.example.com", .want = { { 0 } } },
	/* FED-003 */
	{ "allow list: ProxyFqdn is the SRV target", FR_ALLOW, SF_PROFILE_SFB, FR_DOM,
	  { FR_OK_T }, .proxy = FR_OK_T, .want = { { 0 } } },
	{ "allow list: stale ProxyFqdn", FR_ALLOW, SF_PROFILE_SFB, FR_DOM, { FR_OK_T },
	  .proxy = "sip.acano.example.com",
	  .want = { { SF_R_FED003_STALE, "FED-003", W, FR_DOM,
		      "names sip.acano.example.com as proxy FQDN of " FR_DOM
		      ", but its SRV record points at " FR_OK_T } },
	  .fix = "Set-CsAllowedDomain -Identity " FR_DOM " -ProxyFqdn " FR_OK_T },
	{ "allow list: stale ProxyFqdn, two targets", FR_ALLOW, SF_PROFILE_O365, FR_DOM,
	  { FR_OK_T, "sip2.acano.example.com", FR_OK_T }, .proxy = "old.example.net",
	  .want = { { SF_R_FED003_STALE, "FED-003", W, FR_DOM,
		      "points at " FR_OK_T ", sip2.acano.example.com" } } },
	{ "allow list: ProxyFqdn is the second target", FR_ALLOW, SF_PROFILE_SFB, FR_DOM,
	  { "sip.acano.example.com", FR_OK_T }, .proxy = FR_OK_T, .want = { { 0 } } },
	/* Direct federation: with a ProxyFqdn the Edge needs no SRV record (DNS-001 is moot). */
	{ "allow list: no SRV record, a ProxyFqdn", FR_ALLOW, SF_PROFILE_SFB, FR_DOM, { NULL },
	  .proxy = FR_OK_T, .srv_moot = 1,
	  .want = { { SF_R_FED003_NO_SRV, "FED-003", W, FED_OWNER(FR_DOM),
		      "(DNS-001: no SRV record " FED_OWNER(FR_DOM) ": a partner's Edge cannot find "
		      "the Access Edge of " FR_DOM " (the name does not exist)), but the allow list "
		      "names " FR_OK_T " as its proxy FQDN: this Edge sends requests for " FR_DOM
		      " to " FR_OK_T } },
	  .fix = "nothing for this Edge; for partners that find " FR_DOM " by DNS, publish" },
	{ "allow list: no SRV record, the ProxyFqdn resolves", FR_ALLOW, SF_PROFILE_O365, FR_DOM,
	  { NULL }, .proxy = "edge.partner.example.net", .lookup = 1, .addrs = { PUB4 },
	  .srv_moot = 1,
	  .want = { { SF_R_FED003_NO_SRV, "FED-003", W, FED_OWNER(FR_DOM),
		      "edge.partner.example.net" } } },
	{ "allow list: no SRV record, the ProxyFqdn has no address record", FR_ALLOW,
	  SF_PROFILE_SFB, FR_DOM, { NULL }, .proxy = FR_OK_T, .lookup = 1, .srv_moot = 1,
	  .want = { { SF_R_FED003_NO_SRV, "FED-003", W, FED_OWNER(FR_DOM), NULL },
		    { SF_R_FED003_NO_ADDRESS, "FED-003", E, FR_OK_T,
		      "names " FR_OK_T " as proxy FQDN of " FR_DOM ", but " FR_OK_T " has no A or "
		      "AAAA record: this Edge sends the requests" } } },
	{ "allow list: stale ProxyFqdn that does not exist", FR_ALLOW, SF_PROFILE_SFB, FR_DOM,
	  { FR_OK_T }, .proxy = "old.acano.example.com", .lookup = 1, .rcode = SF_DNS_NXDOMAIN,
	  .want = { { SF_R_FED003_STALE, "FED-003", W, FR_DOM, NULL },
		    { SF_R_FED003_NO_ADDRESS, "FED-003", E, "old.acano.example.com",
		      "old.acano.example.com does not exist (NXDOMAIN)" } } },
	{ "allow list: the ProxyFqdn lookup failed", FR_ALLOW, SF_PROFILE_SFB, FR_DOM,
	  { FR_OK_T }, .proxy = "old.acano.example.com", .lookup = 1, .rcode = SF_DNS_SERVFAIL,
	  .want = { { SF_R_FED003_STALE, "FED-003", W, FR_DOM, NULL },
		    { SF_R_FED003_NO_ADDRESS, "FED-003", E, "old.acano.example.com",
		      "could not be resolved (SERVFAIL)" } } },
	{ "allow list: the ProxyFqdn is the SRV target (DNS-009 has its address)", FR_ALLOW,
	  SF_PROFILE_SFB, FR_DOM, { FR_OK_T }, .proxy = FR_OK_T, .lookup = 1,
	  .rcode = SF_DNS_NXDOMAIN, .want = { { 0 } } },
	{ "allow list: no SRV record, a ProxyFqdn, dr profile", FR_ALLOW, SF_PROFILE_DR, FR_DOM,
	  { NULL }, .proxy = FR_OK_T, .lookup = 1, .want = { { 0 } } },
	{ "allow list: no ProxyFqdn", FR_ALLOW, SF_PROFILE_SFB, FR_DOM, { FR_OK_T },
	  .want = { { 0 } } },
	{ "allow list: not in the dr profile", FR_ALLOW, SF_PROFILE_DR, FR_DOM, { FR_OK_T },
	  .proxy = "sip.acano.example.com", .want = { { 0 } } },
	/* DR-001 */
	{ "sbc: public address", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN, .addrs = { PUB4, PUB6 },
	  .want = { { 0 } } },
	{ "sbc: under onmicrosoft.com", FR_SBC, SF_PROFILE_DR, "sbc.contoso.onmicrosoft.com",
	  .addrs = { PUB4 },
	  .want = { { SF_R_DR001_ONMICROSOFT, "DR-001", E, "sbc.contoso.onmicrosoft.com",
		      "*.onmicrosoft.com" } } },
	{ "sbc: private address", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN, .addrs = { "10.1.2.3" },
	  .want = { { SF_R_DR001_NOT_PUBLIC, "DR-001", E, FR_SBC_FQDN,
		      "resolves to 10.1.2.3 (private, RFC 1918), not a public address" } } },
	{ "sbc: public and loopback address", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN,
	  .addrs = { PUB4, "127.0.0.5" },
	  .want = { { SF_R_DR001_NOT_PUBLIC, "DR-001", E, FR_SBC_FQDN,
		      "resolves to 127.0.0.5 (loopback), not" } } },
	{ "sbc: name does not exist", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN,
	  .rcode = SF_DNS_NXDOMAIN,
	  .want = { { SF_R_DR001_NOT_PUBLIC, "DR-001", E, FR_SBC_FQDN,
		      "does not resolve: the name does not exist" } } },
	{ "sbc: no address record", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN,
	  .want = { { SF_R_DR001_NOT_PUBLIC, "DR-001", E, FR_SBC_FQDN, "no A or AAAA record" } } },
	{ "sbc: lookup failed", FR_SBC, SF_PROFILE_DR, FR_SBC_FQDN, .rcode = SF_DNS_SERVFAIL,
	  .want = { { SF_R_DR001_NOT_PUBLIC, "DR-001", E, FR_SBC_FQDN, "could not be resolved" } } },
	{ "sbc: onmicrosoft.com and private", FR_SBC, SF_PROFILE_DR, "sbc.onmicrosoft.com",
	  .addrs = { "192.168.1.1" },
	  .want = { { SF_R_DR001_ONMICROSOFT, "DR-001", E, "sbc.onmicrosoft.com", NULL },
		    { SF_R_DR001_NOT_PUBLIC, "DR-001", E, "sbc.onmicrosoft.com", "192.168.1.1" } } },
	{ "sbc: a name like onmicrosoft.com is not under it", FR_SBC, SF_PROFILE_DR,
	  "sbc.notonmicrosoft.com", .addrs = { PUB4 }, .want = { { 0 } } },
	{ "sbc: DR-001 only in the dr profile", FR_SBC, SF_PROFILE_SFB,
	  "sbc.contoso.onmicrosoft.com", .addrs = { "10.1.2.3" }, .want = { { 0 } } },
	/* TLS-001: the suite an SBC negotiated, against data/dr/cipher-suites.txt. */
	{ "tls: listed suite", FR_TLS, SF_PROFILE_DR, .version = "TLSv1.2",
	  .cipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", .want = { { 0 } } },
	{ "tls: listed suite, the list gives OpenSSL names", FR_TLS, SF_PROFILE_DR,
	  .version = "TLSv1.2", .cipher = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
	  .openssl_names = 1, .want = { { 0 } } },
	{ "tls: suite not in the list", FR_TLS, SF_PROFILE_DR, .version = "TLSv1.2",
	  .cipher = "TLS_RSA_WITH_AES_128_CBC_SHA",
	  .want = { { SF_R_TLS001_CIPHER, "TLS-001", E, S,
		      "negotiated the cipher suite TLS_RSA_WITH_AES_128_CBC_SHA with TLSv1.2" } },
	  .fix = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ "tls: suite not in the OpenSSL-named list", FR_TLS, SF_PROFILE_DR, .version = "TLSv1.2",
	  .cipher = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", .openssl_names = 1,
	  .want = { { SF_R_TLS001_CIPHER, "TLS-001", E, S, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" } } },
	{ "tls: TLS 1.1 and a suite not listed", FR_TLS, SF_PROFILE_DR, .version = "TLSv1.1",
	  .cipher = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	  .want = { { SF_R_TLS001_VERSION, "TLS-001", E, S, "TLSv1.1" },
		    { SF_R_TLS001_CIPHER, "TLS-001", E, S, "with TLSv1.1" } } },
	{ "tls: a TLS 1.3 suite is not in Microsoft's TLS 1.2 list", FR_TLS, SF_PROFILE_DR,
	  .version = "TLSv1.3", .cipher = "TLS_AES_256_GCM_SHA384",
	  .want = { { SF_R_TLS001_CIPHER, "TLS-001", E, S, "TLS_AES_256_GCM_SHA384" } } },
	{ "tls: suite not observed (offline)", FR_TLS, SF_PROFILE_DR, .want = { { 0 } } },
	{ "tls: the cipher rule is Direct Routing's only", FR_TLS, SF_PROFILE_SFB,
	  .version = "TLSv1.2", .cipher = "TLS_RSA_WITH_AES_128_CBC_SHA", .want = { { 0 } } },
	/* CERT-005 in dr: the chain must end at a root of data/dr/trusted-roots.txt. */
	{ "dr roots: fingerprint listed", FR_CERT, SF_PROFILE_DR, .roots = RL_FP,
	  .want = { { 0 } } },
	{ "dr roots: CN listed", FR_CERT, SF_PROFILE_DR, .roots = RL_CN, .want = { { 0 } } },
	{ "dr roots: organisation listed", FR_CERT, SF_PROFILE_DR, .roots = RL_O,
	  .want = { { 0 } } },
	{ "dr roots: not listed", FR_CERT, SF_PROFILE_DR, .roots = RL_OTHER,
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S,
		      "not one of the roots Microsoft trusts for Direct Routing" } } },
	{ "dr roots: not listed though a system root", FR_CERT, SF_PROFILE_DR, .roots = RL_OTHER,
	  .trust = TR_PUBLIC,
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, "trusted-roots.txt" } } },
	{ "dr roots: an incomplete chain is TLS-002, whatever the list", FR_CERT, SF_PROFILE_DR,
	  .roots = RL_FP, .trust = TR_EMPTY,
	  .want = { { SF_R_TLS002_INCOMPLETE, "TLS-002", E, S, NULL } },
	  .fix = "Direct Routing does not accept it: use a certificate from a public CA" },
	{ "dr roots: the list is for dr only (o365 wants a system root)", FR_CERT,
	  SF_PROFILE_O365, .roots = RL_OTHER, .trust = TR_PUBLIC, .want = { { 0 } } },
	{ "dr roots: o365 private root", FR_CERT, SF_PROFILE_O365, .roots = RL_FP,
	  .want = { { SF_R_CERT005_NOT_PUBLIC, "CERT-005", E, S, "not a public root" } } },
};

/* The Direct Routing lists of a row, as lib/core/dr.c leaves them (lowercase entries). */
static const char *const fr_ciphers_iana[] = {
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
};
static const char *const fr_ciphers_ossl[] = {
	"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256",
};

/* "sha256:<hex>" of the test root, as the data file would list it. */
static void root_fingerprint(char *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	assert_true(len >= 7 + 64 + 1);
	assert_int_equal(X509_digest(c_root, EVP_sha256(), md, &n), 1);
	assert_int_equal(n, 32);
	memcpy(buf, "sha256:", 7);
	for (unsigned int i = 0; i < n; i++)
		snprintf(buf + 7 + 2 * i, 3, "%02x", md[i]);
}

static void run_callback_row(const struct frow *r, const sf_rule_env *env, sf_findings *out)
{
	sf_domain_facts f = { 0 };
	sf_srv_result sr[3];
	sf_result res;
	char san[300], cn[200];
	tc_spec s = { .cn = cn, .san = san, .eku = "serverAuth,clientAuth", .crldp = CRLDP,
		      .nb_days = -30, .na_days = 365, .serial = 300 };
	sf_findings peer = { 0 };
	STACK_OF(X509) *chain;
	X509 *leaf, *issuer;
	size_t n = 0;

	memset(sr, 0, sizeof(sr));
	f.domain = strdup(r->domain);
	assert_non_null(f.domain);
	while (n < SF_ARRAY_LEN(r->targets) && r->targets[n])
		n++;
	f.srv_rcode = n ? SF_DNS_NOERROR : SF_DNS_NXDOMAIN;
	if (n) {
		f.srv = calloc(n, sizeof(*f.srv));
		assert_non_null(f.srv);
	}
	for (size_t i = 0; i < n; i++) {
		const char *t = r->targets[i][0] == '-' ? r->targets[i] + 1 : r->targets[i];
		sf_srv_facts *sf = &f.srv[f.n_srv++];

		sf->port = 5061;
		sf->target = strdup(t);
		assert_non_null(sf->target);
		sf->addr_rcode = SF_DNS_NXDOMAIN;
		if (r->targets[i][0] != '-' && strcmp(t, ".") != 0) {
			sf->addr_rcode = SF_DNS_NOERROR;
			sf->addrs = calloc(1, sizeof(char *));
			assert_non_null(sf->addrs);
			sf->addrs[0] = strdup(PUB4);
			assert_non_null(sf->addrs[0]);
			sf->n_addrs = 1;
		}
		sr[i].port = 5061;
		sr[i].target = sf->target;
	}
	/* The result of the normal check: its SRV records and DNS findings. */
	memset(&res, 0, sizeof(res));
	res.domain = f.domain;
	res.srv = sr;
	res.n_srv = n;
	collect_domain(&f);
	assert_int_equal(sf_rules_evaluate(env, &f, &res.findings), SF_OK);

	snprintf(san, sizeof(san), "%s", r->peer_san);
	snprintf(cn, sizeof(cn), "%.*s", (int)strcspn(r->peer_san + 4, ","), r->peer_san + 4);
	switch (r->peer) {
	case PC_OK:
	case PC_UNTRUSTED:
		break;
	case PC_EXPIRED:
		s.nb_days = -400;
		s.na_days = -10;
		break;
	case PC_NOT_YET:
		s.nb_days = 10;
		s.na_days = 400;
		break;
	case PC_EXPIRING:
		s.na_days = 10;
		break;
	}
	issuer = r->peer == PC_UNTRUSTED ? c_other_root : c_inter;
	leaf = make_leaf(&s, k_leaf, issuer);
	assert_non_null(leaf);
	chain = tc_chain_new((X509 *[]){ leaf, issuer }, 2);
	assert_non_null(chain);
	/* The peer's own chain, as the Edge sees it on the inbound connection. */
	assert_int_equal(rules_cert(env, chain, NULL, SF_ROLE_EDGE, 1, 0, &peer, NULL), SF_OK);
	assert_int_equal(sf_rules_callback(env, &res, leaf, &peer, out), SF_OK);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	sf_findings_release(&peer);
	sf_findings_release(&res.findings);
	sf_domain_facts_release(&f);
}

/* Runs one federation / Direct Routing row; 1 if its findings differ. */
static int run_frow(const struct frow *r)
{
	sf_rule_env env;
	sf_findings out = { 0 };
	char fp[80];
	const char *roots[1] = { fp };
	int bad;

	env_init(&env, r->profile, r->trust, hosting_builtin, SF_ARRAY_LEN(hosting_builtin));
	env.dr_ciphers = r->openssl_names ? fr_ciphers_ossl : fr_ciphers_iana;
	env.n_dr_ciphers = SF_ARRAY_LEN(fr_ciphers_iana);
	switch (r->roots) {
	case RL_NONE:
		break;
	case RL_FP:
		root_fingerprint(fp, sizeof(fp));
		break;
	case RL_CN:
		snprintf(fp, sizeof(fp), "cn:%s", ROOT_CN);
		break;
	case RL_O:
		snprintf(fp, sizeof(fp), "o:sipfed test");
		break;
	case RL_OTHER:
		snprintf(fp, sizeof(fp), "sha256:%064d", 0);
		break;
	}
	if (r->roots != RL_NONE) {
		env.dr_roots = roots;
		env.n_dr_roots = 1;
		env.dr_roots_file = "data/dr/trusted-roots.txt";
	}
	switch (r->kind) {
	case FR_CALLBACK:
		run_callback_row(r, &env, &out);
		break;
	case FR_ALLOW: {
		sf_srv_result sr[3];
		sf_findings found = { 0 };
		char *addrs[3];
		size_t n = 0, na = 0;
		int moot = -1;

		memset(sr, 0, sizeof(sr));
		while (n < SF_ARRAY_LEN(r->targets) && r->targets[n]) {
			sr[n].port = 5061;
			sr[n].target = (char *)r->targets[n];
			n++;
		}
		while (na < SF_ARRAY_LEN(r->addrs) && r->addrs[na]) {
			addrs[na] = (char *)r->addrs[na];
			na++;
		}
		/* What the normal check of a domain without SRV record found (DNS-001). */
		if (n == 0)
			assert_int_equal(sf_findings_add(&found, r->profile, SF_R_DNS001_NO_SRV,
							 r->domain, FED_OWNER(FR_DOM),
							 " (the name does not exist)", NULL), 0);
		assert_int_equal(sf_rules_allow(&env, r->domain, r->proxy, sr, n, &out), SF_OK);
		{
			sf_allow_facts a = { .domain = r->domain, .proxy_fqdn = r->proxy, .srv = sr,
					     .n_srv = n, .found = &found, .proxy_looked_up = r->lookup,
					     .proxy_rcode = r->rcode, .proxy_addrs = addrs,
					     .n_proxy_addrs = na };

			assert_int_equal(sf_rules_allow_proxy(&env, &a, &out, &moot), SF_OK);
		}
		if (moot != r->srv_moot) {
			print_error("[%s] srv_moot %d, expected %d\n", r->name, moot, r->srv_moot);
			sf_findings_release(&found);
			sf_findings_release(&out);
			return 1;
		}
		sf_findings_release(&found);
		break;
	}
	case FR_SBC: {
		char *addrs[3];
		size_t n = 0;

		while (n < SF_ARRAY_LEN(r->addrs) && r->addrs[n]) {
			addrs[n] = (char *)r->addrs[n];
			n++;
		}
		assert_int_equal(sf_rules_sbc(&env, r->domain, n ? SF_DNS_NOERROR : r->rcode, addrs,
					      n, &out),
				 SF_OK);
		break;
	}
	case FR_TLS: {
		sf_srv_facts s;

		memset(&s, 0, sizeof(s));
		s.target = strdup(S);
		s.port = 5061;
		assert_non_null(s.target);
		fill_tls(&s, TK_OK);
		free(s.tls.version);
		s.tls.version = r->version ? strdup(r->version) : NULL;
		s.tls.cipher = r->cipher ? strdup(r->cipher) : NULL;
		assert_true(!r->version || s.tls.version);
		assert_true(!r->cipher || s.tls.cipher);
		assert_int_equal(sf_rules_tls(&env, &s, &out), SF_OK);
		free(s.target);
		sf_tls_facts_release(&s.tls);
		break;
	}
	case FR_CERT: {
		STACK_OF(X509) *chain = chain_for(S);

		assert_non_null(chain);
		assert_int_equal(rules_cert(&env, chain, S, SF_ROLE_SBC, 1, 1, &out, NULL),
				 SF_OK);
		sk_X509_pop_free(chain, X509_free);
		break;
	}
	}
	bad = check_findings(r->name, &out, r->want);
	if (!bad && r->fix && (out.n == 0 || !out.v[0].fix || !strstr(out.v[0].fix, r->fix))) {
		print_error("[%s] fix lacks '%s': %s\n", r->name, r->fix,
			    out.n && out.v[0].fix ? out.v[0].fix : "(none)");
		bad = 1;
	}
	sf_findings_release(&out);
	return bad;
}

static void test_fed_rows(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(frows); i++)
		failed += run_frow(&frows[i]);
	if (failed)
		fail_msg("%d of %zu federation / Direct Routing rows differ", failed,
			 SF_ARRAY_LEN(frows));
}

/* ---- the table itself ----------------------------------------------------- */

/* Every sf_rule value is expected by at least one row above. */
static void test_coverage(void **state)
{
	int seen[SF_R_COUNT] = { 0 };
	int missing = 0;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(drows); i++)
		for (const struct want *w = drows[i].want; w->id; w++)
			seen[w->rule] = 1;
	for (size_t i = 0; i < SF_ARRAY_LEN(crows); i++)
		for (const struct want *w = crows[i].want; w->id; w++)
			seen[w->rule] = 1;
	for (size_t i = 0; i < SF_ARRAY_LEN(frows); i++)
		for (const struct want *w = frows[i].want; w->id; w++)
			seen[w->rule] = 1;
	for (size_t i = 0; i < SF_ARRAY_LEN(prows); i++)
		for (const struct want *w = prows[i].want; w->id; w++)
			seen[w->rule] = 1;
	/* The PLAN rows, last in the table, are sipfed plan's: test_plan.c covers them. */
	for (int r = 0; r < SF_R_PLAN001_FED_SRV_MISSING; r++) {
		if (!seen[r]) {
			print_error("rule %d (%s) is expected by no row\n", r,
				    sf_rule_get((sf_rule)r)->id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

static int is_check_id(const char *id)
{
	const char *dash = strchr(id, '-');
	size_t n;

	if (!dash || dash == id)
		return 0;
	for (const char *p = id; p < dash; p++)
		if (*p < 'A' || *p > 'Z')
			return 0;
	n = strlen(dash + 1);
	if (n != 3)
		return 0;
	for (size_t i = 1; i <= 3; i++)
		if (dash[i] < '0' || dash[i] > '9')
			return 0;
	return 1;
}

static void test_table_rows(void **state)
{
	(void)state;
	for (int r = 0; r < SF_R_COUNT; r++) {
		const sf_rule_info *ri = sf_rule_get((sf_rule)r);

		assert_non_null(ri);
		assert_int_equal(ri->rule, r);
		assert_non_null(ri->id);
		assert_true(is_check_id(ri->id));
		assert_non_null(ri->message);
		assert_true(ri->message[0] != '\0');
		assert_int_not_equal(ri->sev[SF_PROFILE_SFB] == SF_SEV_NONE &&
					     ri->sev[SF_PROFILE_O365] == SF_SEV_NONE &&
					     ri->sev[SF_PROFILE_DR] == SF_SEV_NONE,
				     1);
		/* The on-prem profile has a severity for all but the cloud-only rules. */
		if (r != SF_R_CERT005_NOT_PUBLIC && r != SF_R_CERT010_ECDSA_DR &&
		    r != SF_R_TLS001_CIPHER && r != SF_R_DR001_ONMICROSOFT &&
		    r != SF_R_DR001_NOT_PUBLIC)
			assert_int_not_equal(ri->sev[SF_PROFILE_SFB], SF_SEV_NONE);
		/* Errors and warnings say what to change. */
		for (int p = 0; p < SF_PROFILE_COUNT; p++)
			if (ri->sev[p] >= SF_SEV_WARN)
				assert_non_null(ri->fix);
		/* A result code always comes with its name, an HRESULT with its name. */
		assert_int_equal(ri->result_code == NULL, ri->name == NULL);
		assert_int_equal(ri->hresult == NULL, ri->hresult_name == NULL);
	}
	assert_null(sf_rule_get(SF_R_COUNT));
	assert_null(sf_rule_get((sf_rule)-1));
}

/* The codes the seeds show (SPEC §1, §4): what the Microsoft side reports. */
static void test_microsoft_fields(void **state)
{
	static const sf_rule dns005[] = { SF_R_DNS005_SUBDOMAIN, SF_R_DNS005_OTHER_DOMAIN,
					  SF_R_DNS005_BARE_DOMAIN };
	const sf_rule_info *ri;

	(void)state;
	for (size_t i = 0; i < SF_ARRAY_LEN(dns005); i++) {
		ri = sf_rule_get(dns005[i]);
		assert_string_equal(ri->id, "DNS-005");
		assert_int_equal(ri->ms_diagnostics, 1009);
		assert_string_equal(ri->result_code, "0xC3E93D6F");
		assert_string_equal(ri->name,
				    "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH");
		assert_true(ri->sev[SF_PROFILE_SFB] == SF_SEV_ERROR);
	}
	ri = sf_rule_get(SF_R_CERT001_NAME);
	assert_string_equal(ri->id, "CERT-001");
	assert_int_equal(ri->ms_diagnostics, 1010);
	assert_string_equal(ri->result_code, "0xC3E93D67");
	assert_string_equal(ri->name, "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH");
	assert_string_equal(ri->hresult, "0x80090322");
	assert_string_equal(ri->hresult_name, "SEC_E_WRONG_PRINCIPAL");

	ri = sf_rule_get(SF_R_CERT005_UNTRUSTED);
	assert_string_equal(ri->id, "CERT-005");
	assert_string_equal(ri->hresult, "0x800B0109");
	assert_string_equal(ri->hresult_name, "CERT_E_UNTRUSTEDROOT");
	ri = sf_rule_get(SF_R_CERT005_NOT_PUBLIC);
	assert_string_equal(ri->hresult, "0x800B0109");

	/* An out-of-date CA is CERT-004 with CERT_E_EXPIRED, as the Edge's Windows says. */
	ri = sf_rule_get(SF_R_CERT004_CA_EXPIRED);
	assert_string_equal(ri->id, "CERT-004");
	assert_int_equal(ri->ms_diagnostics, 1010);
	assert_string_equal(ri->hresult, "0x800B0101");
	assert_string_equal(ri->hresult_name, "CERT_E_EXPIRED");
	ri = sf_rule_get(SF_R_CERT004_CA_NOT_YET_VALID);
	assert_string_equal(ri->id, "CERT-004");
	assert_int_equal(ri->ms_diagnostics, 1010);
	assert_string_equal(ri->hresult, "0x800B0101");
	ri = sf_rule_get(SF_R_CERT006_CA_EKU);
	assert_string_equal(ri->id, "CERT-006");
	assert_string_equal(ri->hresult, "0x800B0110");
	assert_string_equal(ri->hresult_name, "CERT_E_WRONG_USAGE");
	assert_string_equal(sf_rule_get(SF_R_CERT007_CA_NO_CLIENTAUTH)->id, "CERT-007");

	ri = sf_rule_get(SF_R_DNS001_NO_SRV);
	assert_int_equal(ri->ms_diagnostics, 1008);
	ri = sf_rule_get(SF_R_DNS009_NO_ADDRESS);
	assert_int_equal(ri->ms_diagnostics, 1014);
}

/* SPEC §4 severities per profile that the rows rely on. */
static void test_profile_severities(void **state)
{
	(void)state;
	assert_int_equal(sf_rule_get(SF_R_DNS009_PRIVATE)->sev[SF_PROFILE_SFB], SF_SEV_WARN);
	assert_int_equal(sf_rule_get(SF_R_DNS009_PRIVATE)->sev[SF_PROFILE_O365], SF_SEV_ERROR);
	assert_int_equal(sf_rule_get(SF_R_DNS009_PRIVATE)->sev[SF_PROFILE_DR], SF_SEV_ERROR);
	assert_int_equal(sf_rule_get(SF_R_CERT002_WILDCARD_ONLY)->sev[SF_PROFILE_SFB], SF_SEV_WARN);
	assert_int_equal(sf_rule_get(SF_R_CERT002_WILDCARD_ONLY)->sev[SF_PROFILE_DR], SF_SEV_NONE);
	assert_int_equal(sf_rule_get(SF_R_CERT005_NOT_PUBLIC)->sev[SF_PROFILE_SFB], SF_SEV_NONE);
	assert_int_equal(sf_rule_get(SF_R_CERT010_ECDSA_DR)->sev[SF_PROFILE_DR], SF_SEV_ERROR);
	assert_int_equal(sf_rule_get(SF_R_CERT010_ECDSA_DR)->sev[SF_PROFILE_SFB], SF_SEV_NONE);
}

/* ---- helpers of the rule engine ------------------------------------------ */

static void test_target_ok(void **state)
{
	static const struct {
		const char *domain, *target;
		int ok;
	} rows[] = {
		{ "example.com", "sip.example.com", 1 },
		{ "example.com", "a.b.example.com", 0 },
		{ "example.com", "example.com", 0 },
		{ "example.com", "sip.example.net", 0 },
		{ "example.com", "sipexample.com", 0 },
		{ "example.com", "xexample.com", 0 },
		{ "sub.example.com", "sip.example.com", 0 },
		{ "example.com", "sipfed.online.lync.com", 1 },
		{ "example.com", "sipfed.online.partner.lync.cn", 1 },
		{ "example.com", "other.online.lync.com", 0 },
		{ "example.com", ".", 0 },
	};
	sf_rule_env env;

	(void)state;
	env_init(&env, SF_PROFILE_SFB, TR_PRIVATE, hosting_builtin,
		 SF_ARRAY_LEN(hosting_builtin));
	for (size_t i = 0; i < SF_ARRAY_LEN(rows); i++) {
		if (sf_rules_target_ok(&env, rows[i].domain, rows[i].target) != rows[i].ok)
			fail_msg("target_ok(%s, %s) != %d", rows[i].domain, rows[i].target,
				 rows[i].ok);
	}
}

static void test_public_tld(void **state)
{
	sf_rule_env env;

	(void)state;
	env_init(&env, SF_PROFILE_SFB, TR_PRIVATE, NULL, 0);
	assert_true(sf_rules_public_tld(&env, "example.com"));
	assert_true(sf_rules_public_tld(&env, "msxfaq.de"));
	assert_true(sf_rules_public_tld(&env, "example.co.uk"));
	assert_false(sf_rules_public_tld(&env, "steven.lab"));
	assert_false(sf_rules_public_tld(&env, "corp.local"));
	assert_false(sf_rules_public_tld(&env, "home.lan"));
	assert_false(sf_rules_public_tld(&env, "edge"));
	env.psl = NULL;
	assert_false(sf_rules_public_tld(&env, "example.com"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_microsoft_fields),
		cmocka_unit_test(test_profile_severities),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_target_ok),
		cmocka_unit_test(test_public_tld),
		cmocka_unit_test(test_domain_rows),
		cmocka_unit_test(test_cert_rows),
		cmocka_unit_test(test_cert_empty_chain),
		cmocka_unit_test(test_cert_paths),
		cmocka_unit_test(test_fed_rows),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
