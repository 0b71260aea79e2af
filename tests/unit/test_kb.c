/*
 * The knowledge base of `sipfed logs` (lib/logs/kb.c) and the explainer
 * (lib/logs/explain.c): the table itself (sorted, unique, every rule a real
 * row, the whole SipStack range 1000-1099), then hand-built events of each
 * case the seeds show, pinned to their check IDs, subject, fix and `next`.
 * Check IDs are compared through sf_rule_get(), never as literals; the
 * fixes and subjects are the exact strings an engineer acts on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "logs/kb.h"
#include "sipfed/logs.h"

/* ---- helpers ------------------------------------------------------------- */

#define KV(k, v) { (char *)(k), (char *)(v) }

/* Frees what sf_logs_explain() filled (the reader's part is static here). */
static void explained_release(sf_log_event *ev)
{
	free(ev->rules);
	free(ev->cause);
	free(ev->subject);
	free(ev->fix);
	free(ev->next);
	ev->rules = NULL;
	ev->cause = ev->subject = ev->fix = ev->next = NULL;
	ev->n_rules = 0;
}

static sf_log_event base_event(sf_log_kind kind, int code)
{
	sf_log_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.file = (char *)"test.log";
	ev.line = 1;
	ev.kind = kind;
	ev.code = code;
	return ev;
}

/* Whether the explanation of @ev names rule @r. */
static int has_rule(const sf_log_event *ev, sf_rule r)
{
	for (size_t i = 0; i < ev->n_rules; i++) {
		if (ev->rules[i] == r)
			return 1;
	}
	return 0;
}

/* Whether every rule of @ev has the check ID of @r (e.g. all rows are DNS-005). */
static int only_id_of(const sf_log_event *ev, sf_rule r)
{
	const char *want = sf_rule_get(r)->id;

	if (ev->n_rules == 0)
		return 0;
	for (size_t i = 0; i < ev->n_rules; i++) {
		if (strcmp(sf_rule_get(ev->rules[i])->id, want) != 0)
			return 0;
	}
	return 1;
}

/* ---- the table ------------------------------------------------------------ */

static void test_table_sorted_unique(void **state)
{
	size_t n = sf_kb_count();

	(void)state;
	assert_true(n > 100);
	assert_null(sf_kb_at(n));
	for (size_t i = 1; i < n; i++) {
		const sf_kb_entry *a = sf_kb_at(i - 1), *b = sf_kb_at(i);

		assert_true(a->space < b->space || (a->space == b->space && a->number < b->number));
	}
	/* sf_kb_find finds every entry (binary search over that order) */
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(sf_kb_find(sf_kb_at(i)->space, sf_kb_at(i)->number), sf_kb_at(i));
	assert_null(sf_kb_find(SF_KB_MSDIAG, 999));
	assert_null(sf_kb_find(SF_KB_MSDIAG, 4005));
	assert_null(sf_kb_find(SF_KB_RESULT, 0xC3E93D6Eu));
}

static void check_rules_valid(const sf_kb_entry *e)
{
	assert_true(e->n_rules <= SF_KB_MAX_RULES);
	for (size_t k = 0; k < e->n_rules; k++) {
		const sf_rule_info *ri = sf_rule_get(e->rules[k]);

		assert_non_null(ri);
		assert_int_equal(ri->rule, e->rules[k]);
		assert_non_null(ri->id);
	}
	/* an entry that names rules says why and what to change */
	if (e->n_rules > 0) {
		assert_non_null(e->cause);
		assert_non_null(e->fix);
	}
}

static void test_table_rules_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sf_kb_count(); i++)
		check_rules_valid(sf_kb_at(i));
	check_rules_valid(sf_kb_bare_response());
}

static void test_table_sipstack_range(void **state)
{
	static const uint32_t special[] = { 1008, 1009, 1010, 1014, 1027, 1034, 1036, 1046, 1047 };

	(void)state;
	for (uint32_t c = 1000; c <= 1099; c++)
		assert_non_null(sf_kb_find(SF_KB_MSDIAG, c));
	/* the codes of SPEC LOG-005 and the brief are explained, not just listed */
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		const sf_kb_entry *e = sf_kb_find(SF_KB_MSDIAG, special[i]);

		assert_non_null(e->name);
		assert_non_null(e->cause);
		assert_non_null(e->fix);
	}
	/* the rule table and the knowledge base agree on what each rule reports */
	assert_true(sf_kb_find(SF_KB_MSDIAG, 1009)->rules[0] == SF_R_DNS005_SUBDOMAIN);
	assert_int_equal(sf_rule_get(SF_R_DNS005_SUBDOMAIN)->ms_diagnostics, 1009);
	assert_int_equal(sf_rule_get(SF_R_CERT001_NAME)->ms_diagnostics, 1010);
	assert_int_equal(sf_rule_get(SF_R_DNS001_NO_SRV)->ms_diagnostics, 1008);
}

static void test_table_other_spaces(void **state)
{
	static const struct {
		sf_kb_space space;
		uint32_t number;
		sf_rule rule;
	} rows[] = {
		{ SF_KB_RESULT, 0xC3E93D6Fu, SF_R_DNS005_OTHER_DOMAIN },
		{ SF_KB_RESULT, 0xC3E93D67u, SF_R_CERT001_NAME },
		{ SF_KB_RESULT, 0xC3E93C2Fu, SF_R_UM001_SUBJECT },
		{ SF_KB_HRESULT, 0x80090322u, SF_R_CERT001_NAME },
		{ SF_KB_HRESULT, 0x800B0109u, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_HRESULT, 0x80090325u, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_HRESULT, 0x800B0101u, SF_R_CERT004_EXPIRED },
		{ SF_KB_HRESULT, 0x800B010Au, SF_R_TLS002_INCOMPLETE },
		{ SF_KB_WINSOCK, 10054, SF_R_TLS001_HANDSHAKE },
		{ SF_KB_WINSOCK, 10060, SF_R_NET001_CONNECT },
		{ SF_KB_WINSOCK, 10061, SF_R_NET001_CONNECT },
		{ SF_KB_CDR, 21, SF_R_UM001_SUBJECT },
		{ SF_KB_EVENT, 32263, SF_R_UM001_SUBJECT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const sf_kb_entry *e = sf_kb_find(rows[i].space, rows[i].number);
		int found = 0;

		assert_non_null(e);
		for (size_t k = 0; k < e->n_rules; k++)
			found |= e->rules[k] == rows[i].rule;
		assert_true(found);
	}
	assert_string_equal(sf_kb_find(SF_KB_RESULT, 0xC3E93C5Eu)->name, "SIPPROXY_E_ROUTING");
	assert_string_equal(sf_kb_find(SF_KB_HRESULT, 0x80090322u)->name, "SEC_E_WRONG_PRINCIPAL");
}

/* Whether entry @e lists rule @r. */
static int entry_has_rule(const sf_kb_entry *e, sf_rule r)
{
	for (size_t k = 0; k < e->n_rules; k++) {
		if (e->rules[k] == r)
			return 1;
	}
	return 0;
}

/* Issue 11: the codes of the other formats, each under its own number with its rules. */
static void test_table_issue11_codes(void **state)
{
	static const struct {
		sf_kb_space space;
		uint32_t number;
		sf_rule rule;
	} rows[] = {
		/* Direct Routing: the SIP proxy cannot deliver to the SBC */
		{ SF_KB_MSDIAG, 549002, SF_R_NET001_CONNECT },
		{ SF_KB_MSDIAG, 569002, SF_R_NET001_CONNECT },
		{ SF_KB_MSDIAG, 569002, SF_R_CERT001_NAME },
		{ SF_KB_MSDIAG, 569002, SF_R_DR001_NOT_PUBLIC },
		{ SF_KB_MSDIAG, 569003, SF_R_CERT005_NOT_PUBLIC },
		{ SF_KB_MSDIAG, 569008, SF_R_CERT004_EXPIRED },
		{ SF_KB_MSDIAG, 569009, SF_R_CERT005_NOT_PUBLIC },
		{ SF_KB_MSDIAG, 569009, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_MSDIAG, 569015, SF_R_DR001_NOT_PUBLIC },
		{ SF_KB_MSDIAG, 569016, SF_R_DR001_NOT_PUBLIC },
		/* Schannel alert table HRESULTs, winerror.h CERT_E_* */
		{ SF_KB_HRESULT, 0x80090302u, SF_R_TLS001_VERSION },
		{ SF_KB_HRESULT, 0x800B0106u, SF_R_CERT006_EKU },
		{ SF_KB_HRESULT, 0x800B0107u, SF_R_TLS002_INCOMPLETE },
		{ SF_KB_HRESULT, 0x800B010Du, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_HRESULT, 0x800B010Eu, SF_R_CERT008_NO_CRLDP },
		/* Schannel events */
		{ SF_KB_EVENT, 36874, SF_R_TLS001_CIPHER },
		{ SF_KB_EVENT, 36875, SF_R_TLS004_CLIENT_CERT },
		{ SF_KB_EVENT, 36877, SF_R_FED001_PEER_UNTRUSTED },
		{ SF_KB_EVENT, 36881, SF_R_CERT004_EXPIRED },
		{ SF_KB_EVENT, 36882, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_EVENT, 36884, SF_R_CERT001_NAME },
		{ SF_KB_EVENT, 36887, SF_R_TLS001_HANDSHAKE },
		{ SF_KB_EVENT, 36888, SF_R_TLS001_HANDSHAKE },
		/* TLS alerts that name a rule */
		{ SF_KB_TLS_ALERT, 71, SF_R_TLS001_CIPHER },
		{ SF_KB_TLS_ALERT, 86, SF_R_TLS001_VERSION },
		/* OpenSSL verify errors */
		{ SF_KB_X509_VERIFY, 3, SF_R_CERT008_NO_CRLDP },
		{ SF_KB_X509_VERIFY, 27, SF_R_CERT005_UNTRUSTED },
		{ SF_KB_X509_VERIFY, 66, SF_R_CERT010_RSA_SMALL },
		{ SF_KB_X509_VERIFY, 68, SF_R_CERT009_SHA1 },
	};
	/* known, named, and no check claimed: the SBC's or a Microsoft module's own decision */
	static const struct {
		sf_kb_space space;
		uint32_t number;
		const char *name_part;
	} plain[] = {
		{ SF_KB_MSDIAG, 500001, "failover timer" },
		{ SF_KB_MSDIAG, 510559, "No viable path" },
		{ SF_KB_MSDIAG, 531000, "SDP" },
		{ SF_KB_MSDIAG, 540400, "Bad Request" },
		{ SF_KB_MSDIAG, 560402, "402" },
		{ SF_KB_MSDIAG, 560403, "403" },
		{ SF_KB_MSDIAG, 560408, "408" },
		{ SF_KB_MSDIAG, 560503, "503" },
		{ SF_KB_MSDIAG, 569018, "Invalid request" },
		{ SF_KB_HRESULT, 0x00090317u, "SEC_I_CONTEXT_EXPIRED" },
		{ SF_KB_HRESULT, 0x8009030Fu, "SEC_E_MESSAGE_ALTERED" },
		{ SF_KB_HRESULT, 0x80090330u, "SEC_E_DECRYPT_FAILURE" },
		{ SF_KB_HRESULT, 0x80090333u, "SEC_E_UNFINISHED_CONTEXT_DELETED" },
		{ SF_KB_HRESULT, 0x80096004u, "TRUST_E_CERT_SIGNATURE" },
		{ SF_KB_HRESULT, 0x800B010Bu, "TRUST_E_FAIL" },
		{ SF_KB_EVENT, 36883, "revoked" },
		{ SF_KB_X509_VERIFY, 12, "CRL has expired" },
		{ SF_KB_X509_VERIFY, 79, "invalid CA certificate" },
	};
	/* RFC 8446 §6: every AlertDescription, by the RFC's own name */
	static const struct {
		uint32_t n;
		const char *name;
	} alerts[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" }, { 20, "bad_record_mac" },
		{ 22, "record_overflow" }, { 40, "handshake_failure" }, { 42, "bad_certificate" },
		{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
		{ 45, "certificate_expired" }, { 46, "certificate_unknown" },
		{ 47, "illegal_parameter" }, { 48, "unknown_ca" }, { 49, "access_denied" },
		{ 50, "decode_error" }, { 51, "decrypt_error" }, { 70, "protocol_version" },
		{ 71, "insufficient_security" }, { 80, "internal_error" },
		{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
		{ 109, "missing_extension" }, { 110, "unsupported_extension" },
		{ 112, "unrecognized_name" }, { 113, "bad_certificate_status_response" },
		{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
		{ 120, "no_application_protocol" },
		/* RFC 5246 only, as Schannel still logs them */
		{ 21, "decryption_failed_RESERVED" }, { 30, "decompression_failure" },
		{ 41, "no_certificate_RESERVED" }, { 60, "export_restriction_RESERVED" },
		{ 100, "no_renegotiation" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const sf_kb_entry *e = sf_kb_find(rows[i].space, rows[i].number);

		assert_non_null(e);
		assert_int_equal(e->number, rows[i].number);
		assert_non_null(e->name);
		assert_true(entry_has_rule(e, rows[i].rule));
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const sf_kb_entry *e = sf_kb_find(plain[i].space, plain[i].number);

		assert_non_null(e);
		assert_int_equal(e->n_rules, 0);
		assert_non_null(e->cause);
		assert_non_null(strstr(e->name, plain[i].name_part));
	}
	for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
		const sf_kb_entry *e = sf_kb_find(SF_KB_TLS_ALERT, alerts[i].n);

		assert_non_null(e);
		assert_string_equal(e->name, alerts[i].name);
		assert_non_null(e->cause);
	}
	/* the Direct Routing TLS codes name exactly the certificate rule their HRESULT names */
	assert_int_equal(sf_kb_find(SF_KB_MSDIAG, 569008)->n_rules, 1);
	assert_true(entry_has_rule(sf_kb_find(SF_KB_HRESULT, 0x80090325u),
				   sf_kb_find(SF_KB_MSDIAG, 569009)->rules[0]));
	/* the 560ZZZ codes are the SBC's answers: its SIP status is the last three digits */
	assert_non_null(strstr(sf_kb_find(SF_KB_MSDIAG, 560503)->name, "503"));
	/* numbers whose meaning differs by product or version stay out of the table */
	assert_null(sf_kb_find(SF_KB_MSDIAG, 10199)); /* Teams code inside Mediation 10000-10999 */
	assert_null(sf_kb_find(SF_KB_MSDIAG, 1106));  /* Teams code inside SipStack 1000-1999 */
	assert_null(sf_kb_find(SF_KB_X509_VERIFY, 24)); /* INVALID_CA before 3.0, not since */
	assert_null(sf_kb_find(SF_KB_TLS_ALERT, 1));
	assert_null(sf_kb_find(SF_KB_EVENT, 14501)); /* no source read describes it */
}

/* The ranges: a number the table does not list is placed in its component, never guessed. */
static void test_msdiag_range(void **state)
{
	static const struct {
		uint32_t code;
		uint32_t first; /* first number of the range expected, UINT32_MAX: none */
	} rows[] = {
		{ 0, 0 }, { 999, 0 }, { 1000, 1000 }, { 1500, 1000 }, { 1999, 1000 },
		{ 4005, 4000 }, { 10199, 10000 }, { 10999, 10000 }, { 12004, 12000 },
		{ 17999, 17000 }, { 18000, UINT32_MAX }, { 19999, UINT32_MAX }, { 20000, 20000 },
		{ 21000, UINT32_MAX }, { 90000, 90000 }, { 90999, 90000 }, { 91000, UINT32_MAX },
		{ 499999, UINT32_MAX }, { 500000, 500000 }, { 539999, 500000 }, { 540000, 540000 },
		{ 540999, 540000 }, { 541000, 500000 }, { 560000, 560000 }, { 560486, 560000 },
		{ 560999, 560000 }, { 561000, 500000 }, { 569002, 500000 }, { 599999, 500000 },
		{ 600000, UINT32_MAX }, { UINT32_MAX, UINT32_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const sf_kb_entry *e = sf_kb_msdiag_range(rows[i].code);

		if (rows[i].first == UINT32_MAX) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal(e->space, SF_KB_MSDIAG);
		assert_int_equal(e->number, rows[i].first);
		/* a range says where the number belongs, it never claims a check */
		assert_int_equal(e->n_rules, 0);
		assert_non_null(e->name);
		assert_non_null(strstr(e->cause, "{code}"));
		check_rules_valid(e);
	}
	assert_non_null(strstr(sf_kb_msdiag_range(10500)->name, "Mediation Server"));
	assert_non_null(strstr(sf_kb_msdiag_range(560486)->name, "SBC"));
	assert_non_null(strstr(sf_kb_msdiag_range(540486)->name, "SBC"));
	assert_null(strstr(sf_kb_msdiag_range(531999)->name, "SBC"));
	/* the ms-diagnostics ranges keep the "does not know" wording of an unknown ErrorId */
	assert_non_null(strstr(sf_kb_msdiag_range(4005)->cause, "does not know"));
	assert_non_null(strstr(sf_kb_msdiag_range(4005)->cause, "known by that range only"));
}

/* ---- explain: the seed cases ---------------------------------------------- */

/* seeds/001: client response, cms.steven.lab -> vcse.sub.cms.steven.lab, broken lines */
static void test_explain_1009_client(void **state)
{
	sf_kv attrs[] = {
		KV("reason", "No match for domain in DNS SRV results"),
		KV("domain", "\n     cms.steven.lab"),
		KV("fqdn1", "\n     vcse.sub.cms.steven.lab:5061"),
		KV("source", "sip.skype.lab"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1009);

	(void)state;
	ev.source = SF_LOGT_UCCAPI;
	ev.sip_status = 504;
	ev.to_domain = (char *)"cms.steven.lab";
	ev.attrs = attrs;
	ev.n_attrs = 4;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 1);
	assert_true(has_rule(&ev, SF_R_DNS005_SUBDOMAIN));
	assert_string_equal(ev.subject, "vcse.sub.cms.steven.lab");
	assert_string_equal(ev.next, "sipfed check cms.steven.lab");
	assert_non_null(strstr(ev.fix, "point _sipfederationtls._tcp.cms.steven.lab at a host "
				       "directly in cms.steven.lab (e.g. vcse.cms.steven.lab)"));
	assert_non_null(strstr(ev.cause, "sip.skype.lab"));
	assert_non_null(strstr(ev.cause, "vcse.sub.cms.steven.lab"));
	explained_release(&ev);
}

/* seeds/001: 1010, tls-target vcse.cms.steven.lab, PeerServer vcse.steven.lab */
static void test_explain_1010_wrong_principal(void **state)
{
	sf_kv attrs[] = {
		KV("reason", "Certificate trust with another server could not be established"),
		KV("ErrorType", "The peer certificate does not contain a matching FQDN"),
		KV("tls-target", "\n     vcse.cms.steven.lab"),
		KV("PeerServer", "\n\n\n\n     vcse.steven.lab"),
		KV("HRESULT", "0x80090322(SEC_E_WRONG_PRINCIPAL)"),
		KV("source", "sip.skype.lab"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1010);

	(void)state;
	ev.source = SF_LOGT_UCCAPI;
	ev.to_domain = (char *)"cms.steven.lab";
	ev.attrs = attrs;
	ev.n_attrs = 6;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 1);
	assert_true(has_rule(&ev, SF_R_CERT001_NAME));
	assert_string_equal(ev.subject, "vcse.cms.steven.lab");
	assert_string_equal(ev.fix, "add vcse.cms.steven.lab to the certificate of the host that "
				    "answers for it (it presents vcse.steven.lab)");
	/* no domain attribute: the parent domain of the FQDN to fix */
	assert_string_equal(ev.next, "sipfed check cms.steven.lab");
	explained_release(&ev);
}

/* 1010 with CERT_E_UNTRUSTEDROOT: the chain, not the name */
static void test_explain_1010_untrusted(void **state)
{
	sf_kv attrs[] = {
		KV("tls-target", "vcse.cms.steven.lab"),
		KV("HRESULT", "0x800B0109(CERT_E_UNTRUSTEDROOT)"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1010);

	(void)state;
	ev.attrs = attrs;
	ev.n_attrs = 2;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(only_id_of(&ev, SF_R_CERT005_UNTRUSTED));
	assert_false(has_rule(&ev, SF_R_CERT001_NAME));
	assert_string_equal(ev.subject, "vcse.cms.steven.lab");
	/* a missing peer name leaves the optional "(it presents ...)" out */
	assert_null(strstr(ev.cause, "presents"));
	explained_release(&ev);
}

/* 1010 without HRESULT: every certificate rule that can answer 1010 */
static void test_explain_1010_bare(void **state)
{
	sf_kv attrs[] = { KV("tls-target", "vcse.cms.steven.lab") };
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1010);

	(void)state;
	ev.attrs = attrs;
	ev.n_attrs = 1;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_CERT001_NAME));
	assert_true(has_rule(&ev, SF_R_CERT005_UNTRUSTED));
	assert_true(has_rule(&ev, SF_R_TLS002_INCOMPLETE));
	explained_release(&ev);
}

/* seeds/001: Edge record 0xC3E93D6F, inbound from acano.steven.lab */
static void test_explain_edge_no_srv_match(void **state)
{
	sf_kv attrs[] = {
		KV("domain", "acano.steven.lab"),
		KV("fqdn1", "vcse.steven.lab:5061"),
	};
	sf_log_event ev = base_event(SF_LOG_EDGE_RECORD, -1);

	(void)state;
	ev.source = SF_LOGT_EDGE;
	ev.result_code = (char *)"0xC3E93D6F";
	ev.result_name = (char *)"SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH";
	ev.from_domain = (char *)"acano.steven.lab";
	ev.to_domain = (char *)"skype.lab";
	ev.attrs = attrs;
	ev.n_attrs = 2;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 1);
	assert_true(has_rule(&ev, SF_R_DNS005_OTHER_DOMAIN));
	assert_string_equal(ev.subject, "vcse.steven.lab");
	assert_string_equal(ev.next, "sipfed check acano.steven.lab");
	assert_non_null(strstr(ev.fix, "point _sipfederationtls._tcp.acano.steven.lab at a "
				       "host directly in acano.steven.lab (e.g. "
				       "vcse.acano.steven.lab)"));
	explained_release(&ev);
}

/* The seed's variant with blanks inside the quotes: domain =" acano.steven.lab " */
static void test_explain_edge_spaced_values(void **state)
{
	sf_kv attrs[] = {
		KV("domain ", " acano.steven.lab "),
		KV(" fqdn1 ", " vcse.steven.lab :5061"),
	};
	sf_log_event ev = base_event(SF_LOG_EDGE_RECORD, -1);

	(void)state;
	ev.result_code = (char *)"0xc3e93d6f";
	ev.attrs = attrs;
	ev.n_attrs = 2;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_DNS005_OTHER_DOMAIN));
	assert_string_equal(ev.subject, "vcse.steven.lab");
	assert_string_equal(ev.next, "sipfed check acano.steven.lab");
	explained_release(&ev);
}

/* seeds/001: Edge record 0xC3E93D67, expected-fqdn / certName */
static void test_explain_edge_cert_mismatch(void **state)
{
	sf_kv attrs[] = {
		KV("expected-fqdn", "vcse.acano.steven.lab"),
		KV("certName", "vcse.steven.lab"),
		KV("info", "The peer certificate does not contain a matching FQDN"),
	};
	sf_log_event ev = base_event(SF_LOG_EDGE_RECORD, -1);

	(void)state;
	ev.result_code = (char *)"0xC3E93D67";
	ev.to_domain = (char *)"skype.lab"; /* the Request-URI's: not the domain to check */
	ev.attrs = attrs;
	ev.n_attrs = 3;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 1);
	assert_true(has_rule(&ev, SF_R_CERT001_NAME));
	assert_string_equal(ev.subject, "vcse.acano.steven.lab");
	assert_string_equal(ev.fix, "add vcse.acano.steven.lab to the certificate of the host "
				    "that answers for it (it presents vcse.steven.lab)");
	assert_string_equal(ev.next, "sipfed check acano.steven.lab");
	explained_release(&ev);
}

/* seeds/004: event 32263 with 0xC3E93C2F -> UM-001 */
static void test_explain_event_32263(void **state)
{
	sf_log_event ev = base_event(SF_LOG_EVENT, 32263);

	(void)state;
	ev.source = SF_LOGT_EVENT;
	ev.result_code = (char *)"0xC3E93C2F";
	ev.reason = (char *)"Possible issues with the other front end or with this front end.";
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_UM001_SUBJECT));
	assert_true(has_rule(&ev, SF_R_UM001_WILDCARD));
	assert_true(only_id_of(&ev, SF_R_UM001_SUBJECT));
	assert_null(ev.subject);
	assert_non_null(strstr(ev.fix, "subject CN"));
	assert_non_null(strstr(ev.next, "sipfed cert --role um"));
	explained_release(&ev);
	/* without the Result-Code the event ID alone leads to the same entry */
	ev.result_code = NULL;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_UM001_SUBJECT));
	explained_release(&ev);
}

/* seeds/004: CDR diagnostic ID 21 */
static void test_explain_cdr_21(void **state)
{
	sf_log_event ev = base_event(SF_LOG_EVENT, 21);

	(void)state;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(only_id_of(&ev, SF_R_UM001_SUBJECT));
	explained_release(&ev);
}

/* Direct Routing: 569009 (SEC_E_UNTRUSTED_ROOT) is the SBC certificate's root, 560403 the SBC */
static void test_explain_direct_routing(void **state)
{
	sf_kv attrs[] = {
		KV("reason", "Unable to deliver INVITE: outgoing TLS negotiation failed; "
			     "HRESULT=0x80090325 SEC_E_UNTRUSTED_ROOT"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 569009);

	(void)state;
	ev.sip_status = 504;
	ev.attrs = attrs;
	ev.n_attrs = 1;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(only_id_of(&ev, SF_R_CERT005_UNTRUSTED));
	assert_true(has_rule(&ev, SF_R_CERT005_NOT_PUBLIC));
	assert_non_null(strstr(ev.fix, "public root CAs Direct Routing trusts"));
	explained_release(&ev);

	/* the SBC's own 403: no check of this tool answers for it */
	ev = base_event(SF_LOG_MSDIAG, 560403);
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 0);
	assert_non_null(strstr(ev.cause, "SBC rejected the outbound call"));
	assert_non_null(strstr(ev.fix, "SBC's logs"));
	explained_release(&ev);

	/* the SBC FQDN without an address record */
	ev = base_event(SF_LOG_MSDIAG, 569016);
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(only_id_of(&ev, SF_R_DR001_NOT_PUBLIC));
	explained_release(&ev);
}

/* A code the base does not know: said so, no rules, no command */
static void test_explain_unknown(void **state)
{
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 4005);

	(void)state;
	ev.reason = (char *)"Destination URI either not enabled for SIP or does not exist";
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 0);
	assert_null(ev.rules);
	assert_null(ev.next);
	assert_null(ev.fix);
	assert_non_null(strstr(ev.cause, "4005"));
	assert_non_null(strstr(ev.cause, "does not know"));
	assert_non_null(strstr(ev.cause, "Destination URI"));
	explained_release(&ev);

	/* a SipStack ErrorId known by number only: no rule is claimed */
	ev = base_event(SF_LOG_MSDIAG, 1050);
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 0);
	assert_non_null(strstr(ev.cause, "1050"));
	explained_release(&ev);

	/* an unknown Edge Result-Code */
	ev = base_event(SF_LOG_EDGE_RECORD, -1);
	ev.result_code = (char *)"0xC3E90001";
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(ev.n_rules, 0);
	assert_non_null(strstr(ev.cause, "0xC3E90001"));
	explained_release(&ev);
}

/* seeds/001: the Expressway's bare 504 from Server: RTC/6.0 (not correlated) */
static void test_explain_bare_504(void **state)
{
	sf_log_event ev = base_event(SF_LOG_SIP_RESPONSE, -1);

	(void)state;
	ev.source = SF_LOGT_EXPRESSWAY;
	ev.sip_status = 504;
	ev.start_line = (char *)"SIP/2.0 504 Server time-out";
	ev.server = (char *)"RTC/6.0";
	ev.call_id = (char *)"f1b3ad5d-183b-4632-b210-c2f9bec71960";
	ev.from_domain = (char *)"acano.steven.lab";
	ev.to_domain = (char *)"skype.lab";
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_DNS001_NO_SRV));
	assert_true(has_rule(&ev, SF_R_DNS005_SUBDOMAIN));
	assert_true(has_rule(&ev, SF_R_CERT001_NAME));
	assert_non_null(strstr(ev.cause, "DNS or certificate rule on the Microsoft side"));
	assert_non_null(strstr(ev.cause, "504 Server time-out from RTC/6.0"));
	assert_string_equal(ev.subject, "acano.steven.lab");
	assert_string_equal(ev.next, "sipfed check acano.steven.lab");
	explained_release(&ev);
}

/* 1046 / 1047 refined by the WinsockFailureCode */
static void test_explain_winsock(void **state)
{
	sf_kv attrs[] = {
		KV("WinsockFailureCode", "10054(WSAECONNRESET)"),
		KV("WinsockFailureDescription", "The peer forced closure of the connection"),
		KV("PeerServer", "sip.partner.example"),
		KV("domain", "partner.example"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1047);

	(void)state;
	ev.attrs = attrs;
	ev.n_attrs = 4;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_TLS001_HANDSHAKE));
	assert_true(has_rule(&ev, SF_R_CERT005_UNTRUSTED));
	assert_non_null(strstr(ev.cause, "sip.partner.example closed the connection"));
	assert_string_equal(ev.next, "sipfed check partner.example");
	explained_release(&ev);

	attrs[0].value = (char *)"10060(WSAETIMEDOUT)";
	ev.code = 1046;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_true(has_rule(&ev, SF_R_NET001_CONNECT));
	assert_string_equal(ev.subject, "sip.partner.example");
	explained_release(&ev);
}

/* Hostile values never reach the `next` command */
static void test_explain_hostile_names(void **state)
{
	sf_kv attrs[] = {
		KV("domain", "evil.example; rm -rf /"),
		KV("fqdn1", "\x1b[31mx.example"),
	};
	sf_log_event ev = base_event(SF_LOG_MSDIAG, 1009);

	(void)state;
	ev.attrs = attrs;
	ev.n_attrs = 2;
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_null(ev.next);
	assert_null(ev.subject);
	assert_null(strchr(ev.cause, '\x1b'));
	/* the explanation is still there, without names (every 1009 row) */
	assert_true(has_rule(&ev, SF_R_DNS005_SUBDOMAIN));
	assert_true(has_rule(&ev, SF_R_DNS006_NONE_PASS));
	explained_release(&ev);
	/* explaining twice replaces the previous explanation */
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	assert_int_equal(sf_logs_explain(&ev), SF_OK);
	explained_release(&ev);
	assert_int_equal(sf_logs_explain(NULL), SF_EINVAL);
}


/* ---- report: correlation, grouping, writers -------------------------------------- */

/* A heap event as a reader emits it (sf_log_event_free() frees it). */
static sf_log_event *mk(const char *file, uint64_t line, sf_log_kind kind, const char *time,
			const char *call_id, const char *from)
{
	sf_log_event *ev = calloc(1, sizeof(*ev));

	assert_non_null(ev);
	ev->file = strdup(file);
	ev->line = line;
	ev->kind = kind;
	ev->code = -1;
	ev->time = time ? strdup(time) : NULL;
	ev->call_id = call_id ? strdup(call_id) : NULL;
	ev->from_domain = from ? strdup(from) : NULL;
	ev->to_domain = strdup("skype.lab");
	return ev;
}

static void mk_attr(sf_log_event *ev, const char *k, const char *v)
{
	sf_kv *a = realloc(ev->attrs, (ev->n_attrs + 1) * sizeof(*a));

	assert_non_null(a);
	ev->attrs = a;
	a[ev->n_attrs].key = strdup(k);
	a[ev->n_attrs].value = strdup(v);
	ev->n_attrs++;
}

static sf_log_event *mk_504(const char *file, uint64_t line, const char *time,
			    const char *call_id, const char *from)
{
	sf_log_event *ev = mk(file, line, SF_LOG_SIP_RESPONSE, time, call_id, from);

	ev->source = SF_LOGT_EXPRESSWAY;
	ev->sip_status = 504;
	ev->start_line = strdup("SIP/2.0 504 Server time-out");
	ev->server = strdup("RTC/6.0");
	return ev;
}

static sf_log_event *mk_no_srv(const char *file, uint64_t line, const char *time,
			       const char *call_id)
{
	sf_log_event *ev = mk(file, line, SF_LOG_EDGE_RECORD, time, call_id, "acano.steven.lab");

	ev->source = SF_LOGT_EDGE;
	ev->result_code = strdup("0xC3E93D6F");
	ev->result_name = strdup("SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH");
	ev->reason = strdup("The domain of the message resolved by DNS SRV but none of the "
			    "FQDNs is in the same domain\x1b[2J");
	mk_attr(ev, "domain", "acano.steven.lab");
	mk_attr(ev, "fqdn1", "vcse.steven.lab:5061");
	return ev;
}

/* exp.log: 504 of call X (linked) and of call Y (alone); edge.log: two 0xC3E93D6F */
static sf_logs_report *seed_report(void)
{
	sf_logs_report *r = NULL;

	assert_int_equal(sf_logs_report_new(&r), SF_OK);
	assert_int_equal(sf_logs_report_push(r, mk_504("exp.log", 10,
		"2017-03-02T08:10:46.240+01:00", "call-x", "acano.steven.lab")), SF_OK);
	assert_int_equal(sf_logs_report_push(r, mk_no_srv("edge.log", 3,
		"03/02/2017-07:10:46.230.0000773E", "call-x")), SF_OK);
	assert_int_equal(sf_logs_report_push(r, mk_504("exp.log", 40,
		"2017-03-02T08:20:00.000+01:00", "call-y", "cms.steven.lab")), SF_OK);
	assert_int_equal(sf_logs_report_push(r, mk_no_srv("edge.log", 90,
		"03/02/2017-07:12:01.000.00000001", "call-z")), SF_OK);
	assert_int_equal(sf_logs_report_finish(r), SF_OK);
	return r;
}

static void test_report_correlate_group(void **state)
{
	sf_logs_report *r = seed_report();
	const sf_log_event *x = sf_logs_report_event(r, 0), *y = sf_logs_report_event(r, 2);
	const sf_logs_cause *c0, *c1;

	(void)state;
	assert_int_equal(sf_logs_report_n_events(r), 4);
	/* the bare 504 of call X takes the Edge record's explanation */
	assert_string_equal(x->linked, "edge.log:3");
	assert_int_equal(x->n_rules, 1);
	assert_true(x->rules[0] == SF_R_DNS005_OTHER_DOMAIN);
	assert_string_equal(x->subject, "vcse.steven.lab");
	assert_string_equal(x->next, "sipfed check acano.steven.lab");
	/* call Y has no record anywhere: the usual suspects */
	assert_null(y->linked);
	assert_true(has_rule(y, SF_R_DNS001_NO_SRV));
	assert_true(has_rule(y, SF_R_CERT001_NAME));
	assert_string_equal(y->next, "sipfed check cms.steven.lab");
	/* two causes, the most frequent first, times compared as written */
	assert_int_equal(sf_logs_report_n_causes(r), 2);
	c0 = sf_logs_report_cause(r, 0);
	c1 = sf_logs_report_cause(r, 1);
	assert_int_equal(c0->count, 3);
	assert_int_equal(c0->first_event, 0);
	assert_string_equal(c0->first_time, "03/02/2017-07:10:46.230.0000773E");
	assert_string_equal(c0->last_time, "2017-03-02T08:10:46.240+01:00");
	assert_int_equal(c1->count, 1);
	assert_int_equal(c1->first_event, 2);
	assert_int_equal(sf_logs_report_event_cause(r, 1), 0);
	assert_int_equal(sf_logs_report_event_cause(r, 2), 1);
	assert_int_equal(sf_logs_report_event_cause(r, 3), 0);
	/* --verify domains, first seen first, each once */
	assert_int_equal(sf_logs_report_n_domains(r), 2);
	assert_string_equal(sf_logs_report_domain(r, 0), "acano.steven.lab");
	assert_string_equal(sf_logs_report_domain(r, 1), "cms.steven.lab");
	assert_null(sf_logs_report_domain(r, 2));
	/* finishing again gives the same report */
	assert_int_equal(sf_logs_report_finish(r), SF_OK);
	assert_int_equal(sf_logs_report_n_causes(r), 2);
	assert_string_equal(sf_logs_report_event(r, 0)->linked, "edge.log:3");
	sf_logs_report_free(r);
	sf_logs_report_free(NULL);
}

static void test_report_json(void **state)
{
	static const char *const order[] = { "file", "line", "kind", "code", "result_code",
		"hresult", "attrs", "checks", "subject", "fix", "time", "call_id", "from_domain",
		"to_domain", "linked", "next", "cause" };
	sf_logs_report *r = seed_report();
	char *text = sf_out_json_logs(r);
	json_error_t jerr;
	json_t *root, *ev, *sum, *c0;
	void *it;

	(void)state;
	assert_non_null(text);
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	assert_int_equal(json_array_size(json_object_get(root, "events")), 4);
	ev = json_array_get(json_object_get(root, "events"), 0);
	it = json_object_iter(ev);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), order[i]);
		it = json_object_iter_next(ev, it);
	}
	assert_string_equal(json_string_value(json_object_get(ev, "kind")), "sip-response");
	assert_true(json_is_null(json_object_get(ev, "code")));
	assert_true(json_is_null(json_object_get(ev, "result_code")));
	assert_int_equal(json_array_size(json_object_get(ev, "checks")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "checks"), 0)),
			    sf_rule_get(SF_R_DNS005_OTHER_DOMAIN)->id);
	assert_string_equal(json_string_value(json_object_get(ev, "linked")), "edge.log:3");
	ev = json_array_get(json_object_get(root, "events"), 1);
	assert_string_equal(json_string_value(json_object_get(ev, "kind")), "edge-record");
	assert_string_equal(json_string_value(json_object_get(ev, "result_code")), "0xC3E93D6F");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "attrs"),
							       "fqdn1")), "vcse.steven.lab:5061");
	sum = json_object_get(root, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "events")), 4);
	assert_int_equal(json_array_size(json_object_get(sum, "causes")), 2);
	c0 = json_array_get(json_object_get(sum, "causes"), 0);
	assert_int_equal(json_integer_value(json_object_get(c0, "count")), 3);
	assert_string_equal(json_string_value(json_object_get(c0, "subject")), "vcse.steven.lab");
	assert_string_equal(json_string_value(json_object_get(c0, "next")),
			    "sipfed check acano.steven.lab");
	assert_string_equal(json_string_value(json_object_get(c0, "first")),
			    "03/02/2017-07:10:46.230.0000773E");
	json_decref(root);
	free(text);
	sf_logs_report_free(r);
}

/* Runs the text writer into a string. */
static char *text_of(const sf_logs_report *r, int color, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(sf_out_text_logs_ex(fp, r, color, flags), 0);
	fclose(fp);
	return buf;
}

static void test_report_text(void **state)
{
	sf_logs_report *r = seed_report();
	char *t = text_of(r, 0, 0), *te = text_of(r, 0, SF_OUT_LOGS_EVENTS), *tc = text_of(r, 1, 0);
	const char *b0, *b1;

	(void)state;
	assert_non_null(strstr(t, "sipfed logs: 4 events in 0 files, 2 causes\n"));
	b0 = strstr(t, "vcse.steven.lab  (3 events, 03/02/2017-07:10:46.230.0000773E .. "
		       "2017-03-02T08:10:46.240+01:00)\n");
	b1 = strstr(t, "cms.steven.lab  (1 event, 2017-03-02T08:20:00.000+01:00)\n");
	assert_non_null(b0);
	assert_non_null(b1);
	assert_true(b0 < b1);
	assert_non_null(strstr(t, "  next     sipfed check acano.steven.lab\n"));
	/* what the logs showed, wrapped under the text column */
	assert_non_null(strstr(t, "  seen as  504 without ms-diagnostics; Edge 0xC3E93D6F\n"
				  "           "
				  "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH\n"));
	assert_null(strstr(t, "exp.log:10"));
	assert_null(strchr(t, '\x1b'));
	/* --events: one line each, the link shown */
	assert_non_null(strstr(te, "  events   exp.log:10  2017-03-02T08:10:46.240+01:00  504 "
				   "without ms-diagnostics  Call-ID call-x  -> edge.log:3\n"));
	assert_non_null(strstr(te, "           edge.log:90  "));
	/* colour: the check IDs in red */
	assert_non_null(strstr(tc, "\x1b[31m"));
	free(t);
	free(te);
	free(tc);
	sf_logs_report_free(r);

	assert_int_equal(sf_logs_report_new(&r), SF_OK);
	assert_int_equal(sf_logs_report_finish(r), SF_OK);
	t = text_of(r, 0, 0);
	assert_string_equal(t, "sipfed logs: no federation failure found in 0 files\n\n");
	free(t);
	t = sf_out_json_logs(r);
	assert_string_equal(t, "{\"version\":1,\"events\":[],\"summary\":{\"files\":0,"
			       "\"events\":0,\"causes\":[],\"domains\":[]}}");
	free(t);
	sf_logs_report_free(r);
}

/* Bytes that are not UTF-8 or are control characters reach neither JSON nor the terminal raw */
static void test_report_hostile_bytes(void **state)
{
	sf_logs_report *r = NULL;
	sf_log_event *ev = mk("bad\x1b.log", 1, SF_LOG_MSDIAG, "\xff\xfe", "c\x01", NULL);
	char *t, *js;
	json_t *root;
	json_error_t jerr;

	(void)state;
	ev->code = 4005;
	ev->reason = strdup("bad \xc3\x28 \x1b[31mred");
	mk_attr(ev, "k\xff", "v\x80");
	assert_int_equal(sf_logs_report_new(&r), SF_OK);
	assert_int_equal(sf_logs_report_push(r, ev), SF_OK);
	assert_int_equal(sf_logs_report_finish(r), SF_OK);
	t = text_of(r, 1, SF_OUT_LOGS_EVENTS);
	assert_null(strstr(t, "\x1b[31mred"));
	assert_non_null(strstr(t, "\\x1b[31mred"));
	assert_non_null(strstr(t, "bad\\x1b.log:1"));
	js = sf_out_json_logs(r);
	assert_non_null(js);
	root = json_loads(js, 0, &jerr);
	assert_non_null(root);
	json_decref(root);
	free(js);
	free(t);
	sf_logs_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_unique),
		cmocka_unit_test(test_table_rules_valid),
		cmocka_unit_test(test_table_sipstack_range),
		cmocka_unit_test(test_table_other_spaces),
		cmocka_unit_test(test_table_issue11_codes),
		cmocka_unit_test(test_msdiag_range),
		cmocka_unit_test(test_explain_1009_client),
		cmocka_unit_test(test_explain_1010_wrong_principal),
		cmocka_unit_test(test_explain_1010_untrusted),
		cmocka_unit_test(test_explain_1010_bare),
		cmocka_unit_test(test_explain_edge_no_srv_match),
		cmocka_unit_test(test_explain_edge_spaced_values),
		cmocka_unit_test(test_explain_edge_cert_mismatch),
		cmocka_unit_test(test_explain_event_32263),
		cmocka_unit_test(test_explain_cdr_21),
		cmocka_unit_test(test_explain_direct_routing),
		cmocka_unit_test(test_explain_unknown),
		cmocka_unit_test(test_explain_bare_504),
		cmocka_unit_test(test_explain_winsock),
		cmocka_unit_test(test_explain_hostile_names),
		cmocka_unit_test(test_report_correlate_group),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_hostile_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
