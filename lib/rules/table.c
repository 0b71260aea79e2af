/*
 * The rule table: every check outcome with its stable ID, severity per
 * profile (sfb, o365, dr), what the Microsoft side reports and the fix.
 * Check IDs appear here and nowhere else.  Sources: SPEC §4; the codes
 * from MS-OCER (ms-diagnostics) and the Edge log records in the seeds.
 * Placeholders in message and fix: {d} SIP domain, {s} subject, {x} {y}
 * details, {p} {f} planned and found (sipfed plan); the `reported` texts
 * are plain (the writers print them as they are).
 */
#include <string.h>
#include <strings.h>

#include "sipfed/sipfed.h"
#include "util/util.h"

#define E SF_SEV_ERROR
#define W SF_SEV_WARN
#define I SF_SEV_INFO
#define N SF_SEV_NONE

#define R1008 "504 Server time-out; ms-diagnostics 1008 \"Unable to resolve DNS SRV record\"; " \
	"inbound calls from the domain fail the callback check"
#define R1009 "504 Server time-out; ms-diagnostics 1009 \"No match for domain in DNS SRV results\""
#define R1010 "504 Server time-out; ms-diagnostics 1010 \"Certificate trust with another " \
	"server could not be established\""
#define EDGE_NO_SRV_MATCH "0xC3E93D6F", "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH"
#define EDGE_CERT_MISMATCH "0xC3E93D67", "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH"

static const sf_rule_info table[SF_R_COUNT] = {
[SF_R_DNS001_NO_SRV] = { SF_R_DNS001_NO_SRV, "DNS-001", { E, E, E },
	1008, NULL, NULL, NULL, NULL, R1008,
	"no SRV record _sipfederationtls._tcp.{d}: a partner's Edge cannot find the Access Edge "
	"of {d}{x}",
	"publish `_sipfederationtls._tcp.{d}. IN SRV 0 0 5061 <edge>.{d}.` where <edge>.{d} is "
	"the external FQDN of your Access Edge or Expressway-E" },
[SF_R_DNS002_MISSPELT] = { SF_R_DNS002_MISSPELT, "DNS-002", { E, E, E },
	1008, NULL, NULL, NULL, NULL, R1008,
	"the federation SRV record is published under a misspelt name: {s} ({x}); the Edge only "
	"looks up _sipfederationtls._tcp.{d}",
	"publish it as `_sipfederationtls._tcp.{d}. IN SRV {y}` and remove {s}" },
[SF_R_DNS003_NOT_SRV] = { SF_R_DNS003_NOT_SRV, "DNS-003", { E, E, E },
	1008, NULL, NULL, NULL, NULL, R1008,
	"_sipfederationtls._tcp.{d} holds {x} instead of an SRV record",
	"replace it with `_sipfederationtls._tcp.{d}. IN SRV 0 0 5061 <edge>.{d}.`" },
[SF_R_DNS004_ROOT_TARGET] = { SF_R_DNS004_ROOT_TARGET, "DNS-004", { E, E, E },
	1008, NULL, NULL, NULL, NULL, R1008,
	"the SRV target of _sipfederationtls._tcp.{d} is \".\": the service is declared not "
	"available (RFC 2782)",
	"point the record at the Access Edge: `_sipfederationtls._tcp.{d}. IN SRV 0 0 5061 "
	"<edge>.{d}.`" },
[SF_R_DNS004_ZONE_APPENDED] = { SF_R_DNS004_ZONE_APPENDED, "DNS-004", { E, E, E },
	1014, NULL, NULL, NULL, NULL,
	"504 Server time-out; ms-diagnostics 1014 \"Unable to resolve DNS A record\" (or 1009)",
	"the SRV target {s} looks like {x} with the zone name appended: the trailing dot is "
	"missing in the zone file",
	"write the target with a trailing dot: `_sipfederationtls._tcp.{d}. IN SRV {y} {x}.`" },
[SF_R_DNS005_SUBDOMAIN] = { SF_R_DNS005_SUBDOMAIN, "DNS-005", { E, E, E },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL, R1009,
	"the SRV target {s} is in a sub-domain of {d}; the Edge accepts only a host directly in "
	"the SIP domain ({x}) or a configured hosting provider",
	"point _sipfederationtls._tcp.{d} at a host directly in {d} (e.g. {x}) with an A record "
	"for the same address, and put that name in the certificate's SAN" },
[SF_R_DNS005_OTHER_DOMAIN] = { SF_R_DNS005_OTHER_DOMAIN, "DNS-005", { E, E, E },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL, R1009,
	"the SRV target {s} is not in the SIP domain {d}{y}; the Edge accepts only a host directly "
	"in the SIP domain ({x}) or a configured hosting provider",
	"point _sipfederationtls._tcp.{d} at a host directly in {d} (e.g. {x}) with an A record "
	"for the same address, and put that name in the certificate's SAN" },
[SF_R_DNS005_BARE_DOMAIN] = { SF_R_DNS005_BARE_DOMAIN, "DNS-005", { E, E, E },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL, R1009,
	"the SRV target is the SIP domain {d} itself; the Edge requires a host directly in the "
	"domain (<host>.{d})",
	"point _sipfederationtls._tcp.{d} at a host such as {x} with an A record, and put that name "
	"in the certificate's SAN" },
[SF_R_DNS006_NONE_PASS] = { SF_R_DNS006_NONE_PASS, "DNS-006", { E, E, E },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL, R1009,
	"none of the {x} SRV records of _sipfederationtls._tcp.{d} points at a host directly in {d}",
	"make at least one (better: every) SRV target a host directly in {d}" },
[SF_R_DNS006_DISAGREE] = { SF_R_DNS006_DISAGREE, "DNS-006", { W, W, W },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL,
	"calls work only while the Edge picks a compliant record; otherwise 504, ms-diagnostics 1009",
	"SRV records of _sipfederationtls._tcp.{d} disagree: {s} is not directly in {d} while "
	"another target is",
	"remove the SRV record pointing at {s} or point it at a host directly in {d}" },
[SF_R_DNS007_PORT] = { SF_R_DNS007_PORT, "DNS-007", { W, W, W },
	0, NULL, NULL, NULL, NULL, "connection failures with partners that expect port 5061",
	"the SRV record for {s} uses port {x}, not 5061",
	"use port 5061 for federation (`... SRV {y} 5061 {s}.`) unless every partner is told "
	"otherwise" },
[SF_R_DNS008_CNAME_TARGET] = { SF_R_DNS008_CNAME_TARGET, "DNS-008", { W, W, W },
	0, NULL, NULL, NULL, NULL, "resolver-dependent failures",
	"the SRV target {s} is an alias (CNAME to {x}); RFC 2782 requires the target to have "
	"its own address records",
	"replace the CNAME {s} by A/AAAA records, or point the SRV record at the canonical name if "
	"it is directly in {d}" },
[SF_R_DNS009_NO_ADDRESS] = { SF_R_DNS009_NO_ADDRESS, "DNS-009", { E, E, E },
	1014, NULL, NULL, NULL, NULL,
	"504 Server time-out; ms-diagnostics 1014 \"Unable to resolve DNS A record\"",
	"the SRV target {s} has no A or AAAA record ({x})",
	"publish `{s}. IN A <public address of the Access Edge>`" },
[SF_R_DNS009_PRIVATE] = { SF_R_DNS009_PRIVATE, "DNS-009", { W, E, E },
	0, NULL, NULL, NULL, NULL, "partners on the Internet cannot connect (504)",
	"the SRV target {s} resolves to {x}, not a public address",
	"publish the public (NAT) address of the Access Edge external interface for {s} in the "
	"public zone" },
[SF_R_DNS010_NOT_PUBLIC] = { SF_R_DNS010_NOT_PUBLIC, "DNS-010", { W, W, W },
	0, NULL, NULL, NULL, NULL, "partners on the Internet cannot look up the domain",
	"{d} is not under a public suffix ({x}): it cannot be federated over the Internet",
	"federate with a domain registered under a public top-level domain" },
[SF_R_DNS011_WILDCARD] = { SF_R_DNS011_WILDCARD, "DNS-011", { I, I, I },
	0, NULL, NULL, NULL, NULL, NULL,
	"wildcard DNS: a random name ({s}) resolves; records found may be synthesised by a "
	"wildcard",
	NULL },
[SF_R_NET001_CONNECT] = { SF_R_NET001_CONNECT, "NET-001", { E, E, E },
	1046, NULL, NULL, NULL, NULL,
	"504 Server time-out; the Edge cannot connect to the peer (ms-diagnostics 1046 class)",
	"cannot connect to {s}: {x}",
	"open TCP {y} to {s} from the Internet and check that {s} listens there" },
[SF_R_NET001_NO_LAB_CHAIN] = { SF_R_NET001_NO_LAB_CHAIN, "NET-001", { E, E, E },
	1046, NULL, NULL, NULL, NULL,
	"504 Server time-out; the Edge cannot connect to the peer (ms-diagnostics 1046 class)",
	"{x}",
	"add the chain that {s} presents (leaf first) to the lab directory" },
[SF_R_TLS001_VERSION] = { SF_R_TLS001_VERSION, "TLS-001", { E, E, E },
	1047, NULL, NULL, NULL, NULL, "Office 365 / Teams and current Edges refuse TLS below 1.2",
	"{s} negotiated {x}; TLS 1.2 or 1.3 is required",
	"enable TLS 1.2 (and 1.3) on {s} and disable older versions" },
[SF_R_TLS001_HANDSHAKE] = { SF_R_TLS001_HANDSHAKE, "TLS-001", { E, E, E },
	1047, NULL, NULL, NULL, NULL, "504 Server time-out; the TLS connection fails",
	"TLS handshake with {s} failed: {x}",
	"make {s} accept TLS 1.2 or 1.3 with a server certificate on port {y}" },
[SF_R_TLS001_CIPHER] = { SF_R_TLS001_CIPHER, "TLS-001", { N, N, E },
	0, NULL, NULL, NULL, NULL, "Direct Routing refuses the TLS connection",
	"{s} negotiated the cipher suite {x}, which is not one Microsoft accepts for Direct Routing",
	"enable (and prefer) one of the TLS 1.2 cipher suites Microsoft lists for Direct Routing on "
	"{s}: {y}" },
[SF_R_TLS002_INCOMPLETE] = { SF_R_TLS002_INCOMPLETE, "TLS-002", { E, E, E },
	1010, NULL, NULL, "0x800B010A", "CERT_E_CHAINING", R1010,
	"{s} does not send a complete chain: the issuer of '{x}' is neither sent nor a trusted root",
	"configure {s} to send its intermediate CA certificate(s) after the leaf; if '{x}' is "
	"issued directly by a private root, {y}" },
[SF_R_TLS003_SNI] = { SF_R_TLS003_SNI, "TLS-003", { W, W, W },
	0, NULL, NULL, NULL, NULL, "peers that do not send SNI see another certificate",
	"{s} presents {x}",
	"present the same certificate on {s} whether or not the client sends SNI" },
[SF_R_TLS004_CLIENT_CERT] = { SF_R_TLS004_CLIENT_CERT, "TLS-004", { I, I, I },
	0, NULL, NULL, NULL, NULL,
	"peers whose certificate is not issued by a CA named here are refused in the TLS handshake",
	"{s} requests a client certificate{x}",
	NULL },
/*
 * Certificates.  Who checks one depends on the role (lib/rules/cert_rules.c):
 * a partner's Edge, Direct Routing (an SBC), the Skype for Business servers
 * (Exchange UM), the clients (web).  The texts are written for every side;
 * the {y} of the CERT-003, CERT-005 (untrusted) and TLS-002 fixes are that
 * side's words, and sf_rules_microsoft() replaces the Edge's codes below
 * for Direct Routing and Exchange UM.
 */
[SF_R_CERT001_NAME] = { SF_R_CERT001_NAME, "CERT-001", { E, E, E },
	1010, EDGE_CERT_MISMATCH, "0x80090322", "SEC_E_WRONG_PRINCIPAL",
	R1010 " (The peer certificate does not contain a matching FQDN)",
	"the certificate presented for {s} does not contain {s}{x}",
	"add {s} as a SAN dNSName to the certificate of the host that answers for {s}{y}" },
[SF_R_CERT002_WILDCARD_ONLY] = { SF_R_CERT002_WILDCARD_ONLY, "CERT-002", { W, W, N },
	1010, NULL, NULL, NULL, NULL,
	"wildcards are not supported on the Access Edge external interface; some peers answer 1010",
	"{s} matches the certificate only through the wildcard {x}",
	"add {s} itself as a SAN dNSName" },
[SF_R_CERT003_CN_WILDCARD] = { SF_R_CERT003_CN_WILDCARD, "CERT-003", { W, W, W },
	0, NULL, NULL, NULL, NULL,
	"peers take the subject CN as the server's name and do not accept a wildcard there",
	"the subject CN is a wildcard ({x})",
	"issue the certificate with the FQDN of the {y} as subject CN" },
[SF_R_CERT004_EXPIRED] = { SF_R_CERT004_EXPIRED, "CERT-004", { E, E, E },
	1010, NULL, NULL, "0x800B0101", "CERT_E_EXPIRED", R1010,
	"the certificate of {s} expired on {x}",
	"renew the certificate of {s} (the {y}) and install it with its chain" },
[SF_R_CERT004_NOT_YET_VALID] = { SF_R_CERT004_NOT_YET_VALID, "CERT-004", { E, E, E },
	1010, NULL, NULL, "0x800B0101", "CERT_E_EXPIRED", R1010,
	"the certificate of {s} is not valid before {x}",
	"check the clock of the issuing CA and of {s}, or wait until {x}" },
[SF_R_CERT004_EXPIRING] = { SF_R_CERT004_EXPIRING, "CERT-004", { W, W, W },
	0, NULL, NULL, NULL, NULL, "the certificate is refused once it expires (CERT-004 error)",
	"the certificate of {s} expires on {x}, within {y} days",
	"renew the certificate of {s} before {x}" },
[SF_R_CERT005_UNTRUSTED] = { SF_R_CERT005_UNTRUSTED, "CERT-005", { E, E, E },
	1010, NULL, NULL, "0x800B0109", "CERT_E_UNTRUSTEDROOT",
	R1010 " or 1047; CERT_E_UNTRUSTEDROOT",
	"the certificate chain of {s} does not lead to a trusted root: {x}",
	"use a certificate from {y}" },
[SF_R_CERT005_NOT_PUBLIC] = { SF_R_CERT005_NOT_PUBLIC, "CERT-005", { N, E, E },
	1010, NULL, NULL, "0x800B0109", "CERT_E_UNTRUSTEDROOT", R1010,
	"the certificate of {s} chains to '{x}', which is not {y}",
	"replace the certificate of {s} with one whose root is {y}" },
[SF_R_CERT006_EKU] = { SF_R_CERT006_EKU, "CERT-006", { E, E, E },
	0, NULL, NULL, "0x800B0110", "CERT_E_WRONG_USAGE", "the TLS connection is rejected",
	"the certificate of {s} has an extended key usage without serverAuth",
	"reissue the certificate with EKU serverAuth (1.3.6.1.5.5.7.3.1)" },
[SF_R_CERT007_NO_CLIENTAUTH] = { SF_R_CERT007_NO_CLIENTAUTH, "CERT-007", { W, W, W },
	0, NULL, NULL, NULL, NULL,
	"peers that check the client certificate refuse the connections it opens (mutual TLS)",
	"the certificate of {s} lacks EKU clientAuth but is also used as client certificate for "
	"the connections it opens (public CAs stopped including clientAuth from 2025)",
	"request a certificate with both serverAuth and clientAuth for {s}, or use a separate "
	"client certificate for outbound connections" },
[SF_R_CERT008_NO_CRLDP] = { SF_R_CERT008_NO_CRLDP, "CERT-008", { W, W, W },
	0, NULL, NULL, NULL, NULL, "revocation checks fail on strict peers",
	"the certificate of {s} has no CRL distribution point",
	"reissue it from a CA that publishes a CRL distribution point reachable from {y}" },
[SF_R_CERT009_PSS] = { SF_R_CERT009_PSS, "CERT-009", { E, E, E },
	0, NULL, NULL, NULL, NULL, "Lync 2013 fails sign-in and calls with RSASSA-PSS signatures",
	"'{x}' in the chain of {s} is signed with RSASSA-PSS",
	"reissue with a PKCS#1 v1.5 RSA (or ECDSA) signature" },
[SF_R_CERT009_SHA1] = { SF_R_CERT009_SHA1, "CERT-009", { W, W, W },
	0, NULL, NULL, NULL, NULL, "SHA-1 chains are refused by current peers",
	"'{x}' in the chain of {s} is signed with SHA-1",
	"reissue with SHA-256" },
[SF_R_CERT010_RSA_SMALL] = { SF_R_CERT010_RSA_SMALL, "CERT-010", { W, W, W },
	0, NULL, NULL, NULL, NULL, "handshake failures with current peers",
	"the certificate of {s} has an RSA key of {x} bits",
	"use an RSA key of at least 2048 bits" },
[SF_R_CERT010_ECDSA_DR] = { SF_R_CERT010_ECDSA_DR, "CERT-010", { N, N, E },
	0, NULL, NULL, NULL, NULL, "Direct Routing handshake failure",
	"the certificate of {s} has an ECDSA key; Direct Routing SBCs need RSA",
	"issue the SBC certificate with an RSA key (2048 bits or more)" },
[SF_R_CERT011_INTERNAL] = { SF_R_CERT011_INTERNAL, "CERT-011", { E, E, E },
	0, NULL, NULL, NULL, NULL, "public CAs may not issue or must revoke such certificates",
	"the publicly issued certificate of {s} carries the internal name {x}",
	"remove {x} from the public certificate; use an internal CA for internal names" },
[SF_R_CERT012_CN_NOT_IN_SAN] = { SF_R_CERT012_CN_NOT_IN_SAN, "CERT-012", { W, W, W },
	0, NULL, NULL, NULL, NULL, "some devices match only the SAN list",
	"the subject CN {x} of the certificate of {s} is not repeated in its SAN list",
	"list the CN {x} as the first SAN dNSName" },
[SF_R_CERT012_WILDCARD_FIRST] = { SF_R_CERT012_WILDCARD_FIRST, "CERT-012", { W, W, W },
	0, NULL, NULL, NULL, NULL, "some devices use only the first SAN",
	"the wildcard {x} is listed before {s} in the SAN list",
	"list {s} before the wildcard" },
[SF_R_FED002_HOSTING] = { SF_R_FED002_HOSTING, "FED-002", { I, I, I },
	0, NULL, NULL, NULL, NULL, NULL,
	"the SRV target {s} is a hosting provider FQDN: partners federate only if they have "
	"this hosting provider enabled (Microsoft 365 Edges have sipfed.online.lync.com)",
	NULL },
[SF_R_UM001_SUBJECT] = { SF_R_UM001_SUBJECT, "UM-001", { E, E, E },
	0, "0xC3E93C2F", "SIPPROXY_E_UNKNOWN_USER_OR_EPID", NULL, NULL,
	"calls to voice mail through the Edge connect without audio; Front End event 32263 with "
	"0xC3E93C2F SIPPROXY_E_UNKNOWN_USER_OR_EPID; CDR diagnostic ID 21",
	"the subject CN of the Exchange UM certificate is {x}, not the server FQDN {s}; Skype for "
	"Business uses the subject, not the SAN list",
	"issue the UM certificate with subject CN={s} (an internal CA may be needed: public CAs do "
	"not certify internal names) and assign it to the UM services" },
[SF_R_UM001_WILDCARD] = { SF_R_UM001_WILDCARD, "UM-001", { E, E, E },
	0, "0xC3E93C2F", "SIPPROXY_E_UNKNOWN_USER_OR_EPID", NULL, NULL,
	"calls to voice mail through the Edge connect without audio; Front End event 32263 with "
	"0xC3E93C2F SIPPROXY_E_UNKNOWN_USER_OR_EPID",
	"the Exchange UM certificate of {s} is a wildcard certificate ({x})",
	"issue a certificate whose subject CN is the server FQDN {s}, without wildcards" },
/*
 * Client discovery, many SIP domains (seed 003, `check --client`; the facts
 * and the logic are in lib/rules/client_rules.c).
 */
[SF_R_CLI001_NO_SRV] = { SF_R_CLI001_NO_SRV, "CLI-001", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"clients that look up DNS SRV (Lync 2010, phones) cannot sign in with automatic "
	"configuration",
	"no SRV record _sip._tls.{d}: clients with automatic configuration that find the Access "
	"Edge by DNS SRV cannot find it for users of {d}{x}",
	"publish `_sip._tls.{d}. IN SRV 0 0 443 sip.{d}.` (the Access Edge external FQDN), or the "
	"Microsoft 365 target sipdir.online.lync.com" },
[SF_R_CLI001_TARGET] = { SF_R_CLI001_TARGET, "CLI-001", { E, E, N },
	0, NULL, NULL, NULL, NULL,
	"the client does not trust a server outside the SIP domain: sign-in fails, or the user "
	"must confirm the server (TrustModelData)",
	"the target {s} of _sip._tls.{d} is not in {d}{x}: Lync and Skype for Business clients "
	"sign in only to a server in the SIP domain (or sipdir.online.lync.com for Microsoft 365)",
	"point _sip._tls.{d} at a host in {d} (e.g. {y}) with the Access Edge's address, and add "
	"that name to the Access Edge external certificate" },
[SF_R_CLI001_PORT] = { SF_R_CLI001_PORT, "CLI-001", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"clients connect to the port of the record; the Access Edge accepts clients on 443",
	"_sip._tls.{d} points at port {x} of {s}, not 443",
	"publish `_sip._tls.{d}. IN SRV {y} 443 {s}.`" },
/* Covers an unreachable target too, so no HRESULT of its own. */
[SF_R_CLI001_CERT] = { SF_R_CLI001_CERT, "CLI-001", { E, E, N },
	0, NULL, NULL, NULL, NULL,
	"sign-in fails: the client cannot connect, or rejects the certificate (a wrong name "
	"shows as 0x80090322 SEC_E_WRONG_PRINCIPAL)",
	"clients of {d} cannot sign in through {s}: {x}",
	"make {s} answer TLS on its SRV port with a certificate that carries {s} as a SAN "
	"dNSName and chains to a root the clients trust" },
[SF_R_CLI002_NO_DNS] = { SF_R_CLI002_NO_DNS, "CLI-002", { E, E, N },
	0, NULL, NULL, NULL, NULL,
	"Lync 2013, Skype for Business and mobile clients cannot discover their pool (mobile "
	"clients use lyncdiscover only)",
	"{s} does not resolve{x}: clients of {d} cannot find the autodiscover service",
	"publish {s} (an A record, or a CNAME within {d}) pointing at the reverse proxy that "
	"publishes the external web services" },
[SF_R_CLI002_HTTP] = { SF_R_CLI002_HTTP, "CLI-002", { E, E, N },
	0, NULL, NULL, NULL, NULL,
	"autodiscover fails: mobile clients cannot sign in, desktop clients fall back to DNS SRV",
	"{s} does not answer the autodiscover request: {x}",
	"publish https://{s}/autodiscover/autodiscoverservice.svc/root (the external web "
	"services, through the reverse proxy), or at least the same over HTTP on port 80" },
[SF_R_CLI002_CERT] = { SF_R_CLI002_CERT, "CLI-002", { E, E, N },
	0, NULL, NULL, "0x80090322", "SEC_E_WRONG_PRINCIPAL",
	"HTTPS autodiscover fails with a certificate error",
	"the HTTPS autodiscover of {s} fails: {x}; and HTTP on port 80 does not answer either",
	"add {s} to the reverse proxy certificate, or publish autodiscover over HTTP on port 80 "
	"(supported, not recommended: see CLI-003)" },
[SF_R_CLI003_CNAME] = { SF_R_CLI003_CNAME, "CLI-003", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"mobile clients do not follow a CNAME into another domain over HTTPS",
	"{s} {x}: the first autodiscover request must then use HTTP on port 80{y}",
	"either publish {s} as an A record on the reverse proxy and add it to its certificate, or "
	"answer the first autodiscover request over HTTP on port 80 (no certificate name needed "
	"for {s}; supported, not recommended)" },
[SF_R_CLI004_MEET_DNS] = { SF_R_CLI004_MEET_DNS, "CLI-004", { W, W, N },
	0, NULL, NULL, NULL, NULL, "meeting join links of the domain do not open",
	"the meeting URL host {s} does not resolve{x}: unless {d} has a Meet simple URL under "
	"another name, meeting links of {d} do not work",
	"publish {s} pointing at the reverse proxy (one Meet simple URL per SIP domain) and add "
	"it to the reverse proxy certificate" },
[SF_R_CLI004_MEET_CERT] = { SF_R_CLI004_MEET_CERT, "CLI-004", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"browsers and clients opening the simple URL get a certificate error",
	"https://{s}/ does not present a valid certificate for {s}: {x}",
	"add {s} to the reverse proxy certificate (and answer TLS for it on port 443){y}" },
[SF_R_CLI004_DIALIN] = { SF_R_CLI004_DIALIN, "CLI-004", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"the dial-in page is global to the deployment: invitations never show a per-domain "
	"dial-in URL",
	"{s} points at the same web server as {x}: a Lync / Skype for Business deployment has one "
	"dial-in URL for all its SIP domains (unlike Meet URLs), so {s} is never used; {y}",
	"remove {s} (and its name on the certificate) and keep {x} as the dial-in URL of the "
	"deployment" },
/* Federation logic (seed 001: the CMS domain behind the same Expressway-E). */
[SF_R_FED001_DNS] = { SF_R_FED001_DNS, "FED-001", { E, E, N },
	1009, EDGE_NO_SRV_MATCH, NULL, NULL,
	"the Edge refuses the request: 504 Server time-out to the peer; ms-diagnostics 1009 (1008 "
	"when there is no SRV record)",
	"requests that carry {s} in From / P-Asserted-Identity fail the Edge's callback check (the "
	"DNS SRV lookup of {s}): {x}",
	"{y}" },
[SF_R_FED001_CERT] = { SF_R_FED001_CERT, "FED-001", { E, E, N },
	1010, EDGE_CERT_MISMATCH, "0x80090322", "SEC_E_WRONG_PRINCIPAL",
	R1010 " (The peer certificate does not contain a matching FQDN)",
	"requests that carry {s} in From / P-Asserted-Identity are refused: the certificate the "
	"peer presents does not carry {x}, the SRV target of {s}",
	"add {x} as a SAN dNSName to the certificate the peer presents{y}" },
[SF_R_FED003_STALE] = { SF_R_FED003_STALE, "FED-003", { W, W, N },
	0, NULL, NULL, NULL, NULL, "federation with the domain fails once the old proxy is gone",
	"the allow list names {x} as proxy FQDN of {s}, but its SRV record points at {y}",
	"update the allowed-domain entry (`Set-CsAllowedDomain -Identity {s} -ProxyFqdn {y}`), or "
	"remove its ProxyFqdn so that the Edge follows the DNS SRV record" },
/*
 * An allowed domain with a ProxyFqdn is direct federation ("allowed partner
 * server"): the Edge sends the domain's requests to that FQDN and accepts
 * the partner by it, without the SRV lookup (and without DNS-005's rule on
 * where the host is).  {x} the ProxyFqdn, {y} what the SRV lookup found.
 */
[SF_R_FED003_NO_SRV] = { SF_R_FED003_NO_SRV, "FED-003", { W, W, N },
	0, NULL, NULL, NULL, NULL,
	"this Edge federates with the domain through its ProxyFqdn; partners that look the domain "
	"up by DNS get 504, ms-diagnostics 1008 \"Unable to resolve DNS SRV record\"",
	"{d} has no usable federation SRV record ({y}), but the allow list names {x} as its proxy "
	"FQDN: this Edge sends requests for {d} to {x} and accepts {d} from it (direct "
	"federation) without looking the SRV record up; partners that find {d} by DNS (partner "
	"discovery, or an allowed domain without proxy FQDN) cannot reach it",
	"nothing for this Edge; for partners that find {d} by DNS, publish "
	"`_sipfederationtls._tcp.{d}. IN SRV 0 0 5061 <edge>.{d}.` (the Access Edge of {d}, a host "
	"directly in {d})" },
[SF_R_FED003_NO_ADDRESS] = { SF_R_FED003_NO_ADDRESS, "FED-003", { E, E, N },
	1014, NULL, NULL, NULL, NULL,
	"504 Server time-out; ms-diagnostics 1014 \"Unable to resolve DNS A record\": requests "
	"for the domain do not leave the Edge",
	"the allow list names {s} as proxy FQDN of {d}, but {s} {x}: this Edge sends the requests "
	"for {d} to {s} (direct federation) and cannot connect",
	"{y}" },
[SF_R_DR001_ONMICROSOFT] = { SF_R_DR001_ONMICROSOFT, "DR-001", { N, N, E },
	0, NULL, NULL, NULL, NULL, "Direct Routing refuses the SBC",
	"the SBC FQDN {s} is in *.onmicrosoft.com; Direct Routing needs a name in a tenant domain",
	"register a domain of your own in the tenant and give the SBC a name in it" },
[SF_R_DR001_NOT_PUBLIC] = { SF_R_DR001_NOT_PUBLIC, "DR-001", { N, N, E },
	0, NULL, NULL, NULL, NULL, "Microsoft cannot reach the SBC",
	"the SBC FQDN {s} {x}",
	"publish `{s}. IN A <public address of the SBC>` in the public DNS: Microsoft's SIP "
	"proxies connect to the SBC by this name" },
[SF_R_FED001_OK] = { SF_R_FED001_OK, "FED-001", { I, I, N },
	0, NULL, NULL, NULL, NULL, NULL,
	"an Edge accepts requests that carry {s} in From / P-Asserted-Identity from this peer: "
	"the SRV target {x} of {s} is in the certificate the peer presents{y}",
	NULL },
/*
 * The peer's own certificate is refused (an error of CERT-004 / CERT-005 on
 * the chain it presents): the Edge ends the mutual-TLS handshake before it
 * reads a request, whatever domain the request carries.  {x} names the
 * CERT finding, {y} what the callback check alone would say.
 */
[SF_R_FED001_PEER_UNTRUSTED] = { SF_R_FED001_PEER_UNTRUSTED, "FED-001", { E, E, N },
	1010, NULL, NULL, "0x800B0109", "CERT_E_UNTRUSTEDROOT",
	R1010 " or 1047: the Edge refuses the peer's certificate in the TLS handshake, before any "
	"request",
	"requests that carry {s} in From / P-Asserted-Identity from this peer are refused: the "
	"certificate the peer presents does not lead to a root the Edge trusts (see {x}), so the "
	"Edge ends the TLS connection before the callback check{y}",
	"have the peer present a certificate from a CA the Edge trusts (a public CA), or import "
	"its root into the trusted root store of the Edge" },
[SF_R_FED001_PEER_EXPIRED] = { SF_R_FED001_PEER_EXPIRED, "FED-001", { E, E, N },
	1010, NULL, NULL, "0x800B0101", "CERT_E_EXPIRED",
	R1010 ": the Edge refuses the peer's certificate in the TLS handshake, before any request",
	"requests that carry {s} in From / P-Asserted-Identity from this peer are refused: the "
	"certificate the peer presents {x}, so the Edge ends the TLS connection before the "
	"callback check{y}",
	"renew the certificate the peer presents (with the same names) and install it with its "
	"chain" },

/*
 * A CA certificate of the path the Edge's Windows builds (lib/x509: every
 * candidate path tried, the first that verifies kept).  Windows checks the
 * dates of every certificate of the path, inclusive (CertVerifyTimeValidity),
 * and reports an out-of-date CA as CERT_E_EXPIRED, not as an untrusted root;
 * it restricts the leaf to the EKUs of its CAs (CERT_TRUST_IS_NOT_VALID_FOR_USAGE,
 * CERT_E_WRONG_USAGE).  {x} the CA's subject, {y} its date or its EKUs.
 */
[SF_R_CERT004_CA_EXPIRED] = { SF_R_CERT004_CA_EXPIRED, "CERT-004", { E, E, E },
	1010, NULL, NULL, "0x800B0101", "CERT_E_EXPIRED", R1010,
	"the CA certificate '{x}' in the chain of {s} expired on {y}",
	"install the renewed certificate of the CA '{x}' (send it after the leaf of {s}, or import "
	"it where the root is trusted), or reissue the certificate of {s} from a CA whose "
	"certificates are all valid" },
[SF_R_CERT004_CA_NOT_YET_VALID] = { SF_R_CERT004_CA_NOT_YET_VALID, "CERT-004", { E, E, E },
	1010, NULL, NULL, "0x800B0101", "CERT_E_EXPIRED", R1010,
	"the CA certificate '{x}' in the chain of {s} is not valid before {y}",
	"check the clocks of the CA '{x}' and of the checking side, or send the CA certificate of "
	"'{x}' that is valid now after the leaf of {s}" },
[SF_R_CERT006_CA_EKU] = { SF_R_CERT006_CA_EKU, "CERT-006", { E, E, E },
	0, NULL, NULL, "0x800B0110", "CERT_E_WRONG_USAGE", "the TLS connection is rejected",
	"the CA certificate '{x}' in the chain of {s} limits the certificates it issues to the "
	"extended key usages {y}, without serverAuth: Windows restricts the leaf to the usages of "
	"its CAs",
	"reissue the certificate of {s} from a CA whose certificates allow serverAuth "
	"(1.3.6.1.5.5.7.3.1) or carry no EKU extension" },
[SF_R_CERT007_CA_NO_CLIENTAUTH] = { SF_R_CERT007_CA_NO_CLIENTAUTH, "CERT-007", { W, W, W },
	0, NULL, NULL, NULL, NULL,
	"peers that check the client certificate refuse the connections it opens (mutual TLS)",
	"the CA certificate '{x}' in the chain of {s} limits the certificates it issues to the "
	"extended key usages {y}, without clientAuth, but the certificate of {s} is also used as "
	"client certificate for the connections it opens",
	"use a certificate for {s} from a CA whose certificates allow clientAuth "
	"(1.3.6.1.5.5.7.3.2) or carry no EKU extension, or a separate client certificate for "
	"outbound connections" },
/*
 * sipfed plan: gaps between the plan and reality (plan --check) and notes on
 * the plan itself.  Placeholders besides {s} (the owner or name): {p} what
 * the plan has, {f} what was found, {x} {y} details, {d} the SIP domain.
 * What the Microsoft side reports is said by the normal checks that run
 * beside them, so `reported` is empty here.
 */
[SF_R_DNS006_NOT_PROBED] = { SF_R_DNS006_NOT_PROBED, "DNS-006", { I, I, I },
	0, NULL, NULL, NULL, NULL, NULL,
	"_sipfederationtls._tcp.{d} has {x} more SRV records beyond the {y} probed (addresses, "
	"TLS) in priority order: they were not checked",
	NULL },
[SF_R_PLAN001_FED_SRV_MISSING] = { SF_R_PLAN001_FED_SRV_MISSING, "PLAN-001", { E, E, E },
	0, NULL, NULL, NULL, NULL, NULL,
	"there is no federation SRV record for {d}; the plan has {p}",
	"publish `{s}. IN SRV {p}`" },
[SF_R_PLAN001_FED_SRV_OTHER] = { SF_R_PLAN001_FED_SRV_OTHER, "PLAN-001", { E, E, E },
	0, NULL, NULL, NULL, NULL, NULL,
	"the federation SRV record of {d} points at {f}; the plan has {p}",
	"publish `{s}. IN SRV {p}` and remove the other record" },
[SF_R_PLAN002_CLIENT_SRV_MISSING] = { SF_R_PLAN002_CLIENT_SRV_MISSING, "PLAN-002",
	{ W, W, W }, 0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is planned but DNS has {f}",
	"publish {y}" },
[SF_R_PLAN002_CLIENT_SRV_OTHER] = { SF_R_PLAN002_CLIENT_SRV_OTHER, "PLAN-002", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is {f}; the plan has {p}",
	"publish {y}" },
[SF_R_PLAN003_HOST_MISSING] = { SF_R_PLAN003_HOST_MISSING, "PLAN-003", { E, E, E },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is planned but DNS has {f}",
	"publish {y}" },
[SF_R_PLAN003_HOST_OTHER] = { SF_R_PLAN003_HOST_OTHER, "PLAN-003", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is {f}; the plan has {p}",
	"publish {y}" },
[SF_R_PLAN004_CERT_NAME_MISSING] = { SF_R_PLAN004_CERT_NAME_MISSING, "PLAN-004", { E, E, E },
	0, NULL, NULL, NULL, NULL, NULL,
	"the {x} certificate presented by {y} lacks the planned name {s} (it has {f})",
	"re-issue the {x} certificate with {s} as a SAN dNSName" },
[SF_R_PLAN004_CERT_NAME_WILDCARD] = { SF_R_PLAN004_CERT_NAME_WILDCARD, "PLAN-004",
	{ W, W, W }, 0, NULL, NULL, NULL, NULL, NULL,
	"the {x} certificate presented by {y} carries {s} only through a wildcard, which the "
	"Edge's external interface does not support (as CERT-002)",
	"re-issue the {x} certificate with {s} as a SAN dNSName" },
[SF_R_PLAN005_WEB_MISSING] = { SF_R_PLAN005_WEB_MISSING, "PLAN-005", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is planned but DNS has {f}",
	"publish {y}" },
[SF_R_PLAN005_WEB_OTHER] = { SF_R_PLAN005_WEB_OTHER, "PLAN-005", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} ({x}) is {f}; the plan has {p}",
	"publish {y}" },
[SF_R_PLAN006_CERT_UNCHECKED] = { SF_R_PLAN006_CERT_UNCHECKED, "PLAN-006", { I, I, I },
	0, NULL, NULL, NULL, NULL, NULL,
	"the {x} certificate planned for {s} was not compared: {y}",
	NULL },
[SF_R_PLAN007_EXTRA_SRV] = { SF_R_PLAN007_EXTRA_SRV, "PLAN-007", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} has a record the plan does not have: {f}",
	"remove `{s}. IN SRV {f}`" },
[SF_R_PLAN007_UNPLANNED_FED] = { SF_R_PLAN007_UNPLANNED_FED, "PLAN-007", { W, W, W },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} is published ({f}) but the plan has no federation for {d}",
	"remove {s}, or plan federation for {d}" },
[SF_R_PLAN010_NO_ADDRESS] = { SF_R_PLAN010_NO_ADDRESS, "PLAN-010", { I, I, I },
	0, NULL, NULL, NULL, NULL, NULL,
	"the plan gives no address for {s}: its A record is written as a placeholder",
	"add the public addresses (\"addresses\") of the host behind {s} to the plan" },
[SF_R_PLAN011_CNAME_CONFLICT] = { SF_R_PLAN011_CNAME_CONFLICT, "PLAN-011", { E, E, E },
	0, NULL, NULL, NULL, NULL, NULL,
	"{s} would need a CNAME and other records: a CNAME cannot stand beside other data "
	"(RFC 1034 section 3.6.2)",
	"give {s} its own name in the plan (a different meet or dial-in host)" },
};

const sf_rule_info *sf_rule_get(sf_rule r)
{
	if ((unsigned)r >= SF_R_COUNT)
		return NULL;
	return &table[r];
}

static const char *const profile_names[SF_PROFILE_COUNT] = { "sfb", "o365", "dr" };

int sf_profile_parse(const char *s, sf_profile *out_profile)
{
	for (int i = 0; i < SF_PROFILE_COUNT; i++) {
		if (s && strcasecmp(s, profile_names[i]) == 0) {
			*out_profile = (sf_profile)i;
			return 0;
		}
	}
	return -1;
}

const char *sf_profile_name(sf_profile p)
{
	return (unsigned)p < SF_PROFILE_COUNT ? profile_names[p] : "?";
}

static const char *const role_names[] = { "edge", "um", "web", "sbc" };

const char *sf_role_name(sf_role r)
{
	return (unsigned)r < SF_ARRAY_LEN(role_names) ? role_names[r] : "?";
}

int sf_role_parse(const char *s, sf_role *out_role)
{
	for (size_t i = 0; i < SF_ARRAY_LEN(role_names); i++) {
		if (s && strcasecmp(s, role_names[i]) == 0) {
			*out_role = (sf_role)i;
			return 0;
		}
	}
	return -1;
}

const char *sf_severity_name(sf_severity s)
{
	switch (s) {
	case SF_SEV_ERROR: return "error";
	case SF_SEV_WARN: return "warning";
	case SF_SEV_INFO: return "info";
	case SF_SEV_NONE: break;
	}
	return "none";
}

const char *sf_verdict_name(sf_verdict v)
{
	switch (v) {
	case SF_VERDICT_PASS: return "pass";
	case SF_VERDICT_WARN: return "warn";
	case SF_VERDICT_FAIL: return "fail";
	case SF_VERDICT_ERROR: return "error";
	}
	return "?";
}
