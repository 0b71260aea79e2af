/*
 * The knowledge base of `sipfed logs`: one table, keyed by number, of what
 * the Microsoft side writes when it refuses a federation peer, with the rule
 * rows (lib/rules/table.c) that detect the cause and the fix.  Keyed by
 * number because the reason texts differ between releases (LOG-001).
 *
 * Templates (cause, fix) take the attributes of the record (explain.c):
 *   {domain}  SIP domain looked up (attribute domain; else From / To)
 *   {fqdn}    SRV target the Edge found (fqdn1, without the port)
 *   {target}  FQDN the certificate must carry (tls-target / expected-fqdn)
 *   {peer}    name the peer presented (PeerServer / certName / Peer)
 *   {cert}    certificate name (certName / PeerServer)
 *   {source}  Microsoft server that reported it (source)
 *   {host}    a compliant SRV target: first label of {fqdn} in {domain}
 *   {code}    the number as logged; {reason} the reason text as logged
 *   {status}  status of a bare failure response; {server} its Server header
 * Text in [brackets] is left out when a placeholder inside it has no value;
 * outside brackets a missing value reads as a neutral phrase ("the peer").
 * An entry without a name is an ErrorId known only by its number.
 *
 * Sources:
 *   ms-diagnostics: [MS-OCER] Client Error Reporting Protocol, §7.2 / §8.2
 *     "SipStack" (ErrorIds 1000-1999).  1000-1014 are taken from that table;
 *     1017 from the Microsoft support article on split-domain IM failures
 *     ("Cannot route From and To domains in this combination"); 1027, 1034,
 *     1047 from field traces quoting the header (1027 "Cannot route this type
 *     of SIP request to or from federated partners", 1034 "Previous hop
 *     federated peer did not report diagnostic information", 1047 "Failed to
 *     complete TLS negotiation with a federated peer server" with
 *     WinsockFailureCode); 1009 / 1010 as the seed note shows them
 *     (seeds/001, 002: client 504 responses).  The other ErrorIds of the
 *     range are listed without a name: their reason is printed as logged.
 *   Edge Result-Codes: seeds/001-003 (0xC3E93D6F, 0xC3E93D67 records);
 *     0xC3E93C5E SIPPROXY_E_ROUTING from the Microsoft support article
 *     "Test-CsFederatedPartner fails" (Edge SipStack trace); 0xC3E93C2F with
 *     event 32263 from seeds/004 and the support article "Event 32263 error
 *     0xC3E93C2F on Front-End servers"; 0xC3E8302D from the support article on
 *     RtcHost worker processes.
 *   HRESULTs and Winsock errors: the Windows SDK values (winerror.h).
 *   CDR diagnostic ID 21: seeds/004.  Event 14428: the OCS / Lync "LS
 *   Protocol Stack" event "TLS outgoing connection failures".
 *   Direct Routing (Teams) Microsoft response codes 5XYZZZ (CallEndSubReason,
 *     the code beside the SIP status): the Microsoft Teams troubleshooting
 *     articles "Microsoft and SIP response codes" and "SIP response code
 *     400 / 402 / 403 / 404 / 408 / 410 / 412 / 415 / 420 / 422 / 480 / 484 /
 *     486 / 488 / 500 / 503 / 504" (structure 5<X><Y><ZZZ>; 560ZZZ: the SBC
 *     generated final response ZZZ), and "SBC connectivity issues" (SIP
 *     options and TLS certificates).  540ZZZ (inbound, SBC side): the Azure
 *     Communication Services PSTN troubleshooting codes note.  The 5-digit
 *     Teams codes of those articles (10037, 10199, 10500, ... and 1106) are
 *     not in the table: their numbers fall in the [MS-OCER] Mediation Server
 *     (10000-10999) and SipStack ranges, where Lync logs give them another
 *     meaning this base cannot tell apart by number.
 *   ms-diagnostics ranges (sf_kb_msdiag_range()): the OCS 2007 "Ms-Diagnostics
 *     Header" page (0-999 common ... 17000-17999 Client Version Filter,
 *     90000-90999 PIC), [MS-OCER] §8.x (20000-20999 group chat server).  The
 *     ErrorIds inside those ranges beyond 1000-1099 are not listed: a number
 *     there is known by its range only.
 *   HRESULTs added with Schannel: the Windows SDK "Schannel Error Codes for
 *     TLS and SSL Alerts" table (alert -> SEC_E_* / CRYPT_E_*), the winerror.h
 *     MessageText of each CERT_E_* / TRUST_E_*; 0x00090317 SEC_I_CONTEXT_EXPIRED
 *     is also the "HRESULT=590615" of Direct Routing code 569002.
 *   Schannel events 36874-36888: the event titles of the Microsoft-Windows-
 *     Schannel provider (36887 / 36888 carry "The TLS protocol defined fatal
 *     alert code is N": that number is a TLS alert below).
 *   TLS alerts: RFC 8446 §6 (all AlertDescription values), §6.1 / §6.2 texts;
 *     21, 30, 41, 60, 100 from RFC 5246 §7.2 (reserved or removed in TLS 1.3,
 *     still logged by Schannel per the alert table above).
 *   OpenSSL verify errors: x509_vfy.h values (OpenSSL 3.0) and the texts of
 *     crypto/x509/x509_txt.c; 24 is not listed (INVALID_CA before 3.0,
 *     NO_ISSUER_PUBLIC_KEY since: the number alone does not say which).
 *
 * @unittest: test_kb (sorted, unique, every rule a real row, 1000-1099 all present)
 */
#include <stddef.h>
#include <stdint.h>

#include "logs/kb.h"
#include "sipfed/logs.h"
#include "util/util.h"

/* Rule list of an entry: the rows and their count. */
#define RULES(...) { __VA_ARGS__ }, sizeof((sf_rule[]){ __VA_ARGS__ }) / sizeof(sf_rule)

/* An ms-diagnostics ErrorId of the SipStack range known only by number. */
#define MSX(n) { .space = SF_KB_MSDIAG, .number = (n) }

/* The DNS-005 rows: which one applies is decided from fqdn1 and domain. */
#define R_DNS005 SF_R_DNS005_SUBDOMAIN, SF_R_DNS005_OTHER_DOMAIN, SF_R_DNS005_BARE_DOMAIN

#define CAUSE_NO_SRV_MATCH                                                          \
	"{source} looked up _sipfederationtls._tcp.{domain} and found {fqdn}, "         \
	"which is not a host directly in {domain}: the Edge refuses an SRV target in "   \
	"a sub-domain or in another domain even though it resolves"
#define FIX_NO_SRV_MATCH                                                            \
	"point _sipfederationtls._tcp.{domain} at a host directly in {domain}[ (e.g. "  \
	"{host})] with an A record for the same address, and put that name in the "      \
	"certificate's SAN"
#define CAUSE_WRONG_NAME                                                            \
	"the certificate presented for {target} does not contain {target}[ (it "        \
	"presents {peer})]"
#define FIX_WRONG_NAME                                                              \
	"add {target} to the certificate of the host that answers for it[ (it presents " \
	"{peer})]"
#define CAUSE_UNTRUSTED                                                             \
	"the certificate chain presented for {target} ends at a root that {source} "    \
	"does not trust"
#define FIX_UNTRUSTED                                                               \
	"use a certificate for {target} from a CA the Microsoft side trusts (a public " \
	"CA for Microsoft 365), or have the partner import your root CA into the "      \
	"Edge's trusted root store"
#define CAUSE_EXPIRED "the certificate presented for {target} is expired or not yet valid"
#define FIX_EXPIRED "renew the certificate of {target} and install it with its chain"
#define CAUSE_USAGE                                                                 \
	"the certificate presented for {target} is not valid for this use (extended "   \
	"key usage)"
#define FIX_USAGE                                                                   \
	"reissue the certificate of {target} with EKU serverAuth (and clientAuth if it " \
	"is also used for outbound mutual TLS)"
#define CAUSE_TLS                                                                   \
	"the TLS handshake with {target} failed (no common protocol version or cipher " \
	"suite, or a malformed handshake)"
#define FIX_TLS "enable TLS 1.2 (and 1.3) with current cipher suites on {target}"
#define CAUSE_REVOCATION                                                            \
	"the revocation status of the certificate presented for {target} could not "    \
	"be checked"
#define FIX_REVOCATION                                                              \
	"use a certificate whose CRL distribution point (or OCSP responder) is "         \
	"reachable from the Internet"
#define CAUSE_REVOKED "the certificate presented for {target} is revoked"
#define FIX_REVOKED "replace the certificate of {target}"
#define CAUSE_UM                                                                    \
	"the Front End could not match a SIP notification to a user or endpoint "       \
	"(event 32263, 0xC3E93C2F); on its own this is often harmless (stale client "   \
	"subscriptions), but when voice-mail calls through the Edge connect without "   \
	"audio (CDR diagnostic ID 21) the Exchange UM certificate's subject is not the " \
	"UM server's FQDN: Skype for Business uses the subject, not the SAN list"
#define FIX_UM                                                                      \
	"issue the Exchange UM certificate with subject CN = the UM server's FQDN (a "  \
	"SAN entry alone is not used; no wildcard), from an internal CA if the name is " \
	"internal, assign it to the UM services and restart them"

static const sf_kb_entry kb[] = {
/* ---- ms-diagnostics, [MS-OCER] SipStack ErrorIds ---------------------------------- */
{ SF_KB_MSDIAG, 1000, "Final handshake failed",
	"{source} answered ms-diagnostics 1000: the final authentication handshake failed",
	{ 0 }, 0, "check the credentials and authentication settings of the endpoint" },
{ SF_KB_MSDIAG, 1001, "From URI not allowed to talk to public IM providers",
	"{source} refused the request: the sender is not enabled for public IM connectivity",
	{ 0 }, 0, "enable public IM connectivity in the sender's external access policy" },
{ SF_KB_MSDIAG, 1002, "From URI not allowed to talk to federated partners",
	"{source} refused the request: the sender is not enabled for federation",
	{ 0 }, 0, "enable federation in the sender's external access policy" },
{ SF_KB_MSDIAG, 1003, "User does not exist",
	"{source} answered that the user does not exist", { 0 }, 0,
	"check the SIP address of the user called" },
{ SF_KB_MSDIAG, 1004, "Route set no longer valid",
	"{source} answered that the route set of the dialog is no longer valid", { 0 }, 0,
	NULL },
{ SF_KB_MSDIAG, 1005, "Cannot route to the destination domain",
	"{source} cannot route to {domain}: federation with {domain} is not enabled, or the "
	"domain is neither allowed nor discoverable",
	{ 0 }, 0,
	"enable federation on the Microsoft side and allow {domain} (or open discovery), and "
	"make sure _sipfederationtls._tcp.{domain} exists" },
{ SF_KB_MSDIAG, 1006, "Error routing on the client connection",
	"{source} could not route the request on the client connection", { 0 }, 0, NULL },
{ SF_KB_MSDIAG, 1007, "Temporarily cannot route",
	"{source} temporarily cannot route the request", { 0 }, 0, NULL },
/* MS-OCER 1008; SPEC §4 DNS-001..004 */
{ SF_KB_MSDIAG, 1008, "Unable to resolve DNS SRV record",
	"{source} found no usable SRV record _sipfederationtls._tcp.{domain}, so it cannot "
	"route to {domain} nor accept its requests (callback check)",
	RULES(SF_R_DNS001_NO_SRV, SF_R_DNS002_MISSPELT, SF_R_DNS003_NOT_SRV,
		SF_R_DNS004_ROOT_TARGET),
	"publish `_sipfederationtls._tcp.{domain}. IN SRV 0 0 5061 <edge>.{domain}.` in the "
	"public zone of {domain}, <edge> being the external FQDN of the Access Edge or "
	"Expressway-E" },
/* MS-OCER 1009 "Conflicting SRV and host domains in DNS"; the seed's client response
 * says "No match for domain in DNS SRV results" (seeds/001) */
{ SF_KB_MSDIAG, 1009, "SRV target not in the SIP domain (conflicting SRV and host domains)",
	CAUSE_NO_SRV_MATCH, RULES(R_DNS005, SF_R_DNS006_NONE_PASS), FIX_NO_SRV_MATCH },
/* MS-OCER 1010; the HRESULT attribute says which certificate rule (explain.c) */
{ SF_KB_MSDIAG, 1010, "Certificate trust with the next hop could not be established",
	"{source} could not establish certificate trust with {target}[ (it presents {peer})]",
	RULES(SF_R_CERT001_NAME, SF_R_CERT005_UNTRUSTED, SF_R_CERT004_EXPIRED,
		SF_R_TLS002_INCOMPLETE, SF_R_CERT002_WILDCARD_ONLY),
	"make the certificate of {target} carry {target} as a SAN dNSName, chain to a root the "
	"Microsoft side trusts, be within its validity and be sent with its intermediates" },
{ SF_KB_MSDIAG, 1011, "ms-diagnostics not provided by the previous hop",
	"the previous hop answered with an error but no ms-diagnostics header", { 0 }, 0,
	NULL },
{ SF_KB_MSDIAG, 1012, "From URI not allowed to talk to users outside the enterprise",
	"{source} refused the request: the sender may not communicate outside the enterprise",
	{ 0 }, 0, "allow external communication in the sender's external access policy" },
{ SF_KB_MSDIAG, 1013, "Significant time skew during authentication",
	"{source} saw a significant clock difference during authentication", { 0 }, 0,
	"synchronise the clocks of the servers and clients (NTP)" },
/* MS-OCER 1014; SPEC §4 DNS-009, DNS-004 */
{ SF_KB_MSDIAG, 1014, "Unable to resolve DNS A record",
	"{source} found the SRV target {fqdn} of {domain} but no A or AAAA record for it",
	RULES(SF_R_DNS009_NO_ADDRESS, SF_R_DNS004_ZONE_APPENDED),
	"publish `{fqdn}. IN A <public address of the Access Edge>`, and write the SRV target "
	"with a trailing dot in the zone file" },
MSX(1015), MSX(1016),
/* support article: hybrid, a Microsoft 365 domain missing from the on-premises topology */
{ SF_KB_MSDIAG, 1017, "Cannot route From and To domains in this combination",
	"{source} cannot route between these From and To domains: in a hybrid (shared SIP "
	"address space) deployment a domain is configured on one side only",
	{ 0 }, 0,
	"configure every SIP domain of the tenant in the on-premises topology too, and point "
	"the federation SRV records of all of them at the on-premises Edge" },
MSX(1018), MSX(1019), MSX(1020), MSX(1021), MSX(1022), MSX(1023), MSX(1024), MSX(1025),
MSX(1026),
/* field traces: the request type may not be routed to or from federated partners */
{ SF_KB_MSDIAG, 1027, "Cannot route this type of request to or from federated partners",
	"{source} will not route this request to or from the federated domain {domain}: "
	"federation is disabled or {domain} is neither allowed nor discovered",
	RULES(SF_R_DNS001_NO_SRV, SF_R_FED002_HOSTING),
	"enable federation for the user and the Edge, allow {domain} (or partner discovery); "
	"with discovery the partner's _sipfederationtls._tcp.{domain} SRV record must exist, and "
	"a domain hosted by Microsoft 365 needs that hosting provider enabled" },
MSX(1028), MSX(1029), MSX(1030), MSX(1031), MSX(1032), MSX(1033),
/* field traces: Domain=, PeerServer= attributes name the partner */
{ SF_KB_MSDIAG, 1034, "Previous hop federated peer gave no diagnostic information",
	"the federated peer[ {peer}] of {domain} answered with an error but without "
	"ms-diagnostics: the failure is on the partner's side (a non-Microsoft peer such as an "
	"Expressway, or a partner Edge refusing this side's DNS or certificate)",
	{ 0 }, 0,
	"look at the partner's logs for the same Call-ID (Expressway search history, Edge "
	"log); check the partner's and your own federation records" },
{ SF_KB_MSDIAG, 1035, "Previous hop public IM provider gave no diagnostic information",
	"the public IM provider answered with an error but without ms-diagnostics", { 0 }, 0,
	NULL },
/* hybrid (split domain): the Microsoft 365 / on-premises counterpart answered */
{ SF_KB_MSDIAG, 1036, "Previous hop shared address space peer gave no diagnostic information",
	"the other half of the shared SIP address space (hybrid with Microsoft 365) answered "
	"{domain} with an error but without ms-diagnostics",
	RULES(SF_R_DNS001_NO_SRV, SF_R_FED002_HOSTING),
	"check the hybrid configuration: _sipfederationtls._tcp.{domain} must point at the "
	"on-premises Edge, and the domain and shared address space must be configured on both "
	"sides" },
MSX(1037), MSX(1038), MSX(1039), MSX(1040), MSX(1041), MSX(1042), MSX(1043), MSX(1044),
MSX(1045),
/* connect failure; WinsockFailureCode refines (explain.c); SPEC §4 NET-001 */
{ SF_KB_MSDIAG, 1046, "Failed to connect to a federated peer server",
	"{source} could not open a TCP connection to the federated peer[ {peer}]",
	RULES(SF_R_NET001_CONNECT, SF_R_DNS009_PRIVATE, SF_R_DNS007_PORT),
	"make {peer} reachable from the Internet on TCP 5061 (firewall, NAT) and publish its "
	"public address" },
/* TLS failure; WinsockFailureCode / HRESULT refine; SPEC §4 TLS-001, CERT-005, CERT-007 */
{ SF_KB_MSDIAG, 1047, "Failed to complete TLS negotiation with a federated peer server",
	"{source} connected to the federated peer[ {peer}] but the TLS negotiation failed: the "
	"peer refused the TLS version or the certificate presented to it (mutual TLS), or its "
	"own certificate was refused",
	RULES(SF_R_TLS001_HANDSHAKE, SF_R_TLS001_VERSION, SF_R_CERT005_UNTRUSTED,
		SF_R_CERT007_NO_CLIENTAUTH),
	"enable TLS 1.2 on {peer}; both sides must trust the CA of the other's certificate "
	"(import the root, or use a public CA), and a certificate used for outbound mutual TLS "
	"needs EKU clientAuth" },
MSX(1048), MSX(1049), MSX(1050), MSX(1051), MSX(1052), MSX(1053), MSX(1054), MSX(1055),
MSX(1056), MSX(1057), MSX(1058), MSX(1059), MSX(1060), MSX(1061), MSX(1062), MSX(1063),
MSX(1064), MSX(1065), MSX(1066), MSX(1067), MSX(1068), MSX(1069), MSX(1070), MSX(1071),
MSX(1072), MSX(1073), MSX(1074), MSX(1075), MSX(1076), MSX(1077), MSX(1078), MSX(1079),
MSX(1080), MSX(1081), MSX(1082), MSX(1083), MSX(1084), MSX(1085), MSX(1086), MSX(1087),
MSX(1088), MSX(1089), MSX(1090), MSX(1091), MSX(1092), MSX(1093), MSX(1094), MSX(1095),
MSX(1096), MSX(1097), MSX(1098), MSX(1099),

/* ---- Direct Routing (Teams) Microsoft response codes 5XYZZZ ----------------------- */
/*
 * Teams troubleshooting articles "Microsoft and SIP response codes" and "SIP response
 * code NNN" (the SIP status each goes with is in the comment).  560ZZZ: the SBC itself
 * generated the final response ZZZ; every other code: a Microsoft module.  569ZZZ /
 * 549ZZZ: the Direct Routing SIP proxy could not deliver a request to the SBC.
 */
#define DR_SRC "Direct Routing"
/* 408 "Gateway (SBC) failover timer expired" */
{ SF_KB_MSDIAG, 500001, "Gateway (SBC) failover timer expired",
	DR_SRC " sent the INVITE of an outbound call to the SBC, which did not answer within "
	"the failover time (FailoverTimeSeconds, 10 s by default)", { 0 }, 0,
	"find out why the SBC did not answer in time; with long PSTN set-up times raise the "
	"trunk's failover timer (e.g. to 20 s)" },
/* 412 "Get Flighting - wrong callee MRI" */
{ SF_KB_MSDIAG, 510412, "Get Flighting - wrong callee MRI",
	"the callee number of the inbound call is malformed", { 0 }, 0,
	"correct the callee number the SBC sends" },
/* 500 "Loop detected" */
{ SF_KB_MSDIAG, 510482, "Loop detected",
	DR_SRC " detected a loop (call forwarding without end)", { 0 }, 0,
	"remove the call forwarding loop" },
/* 403 "RuntimeApi trunk config not found for customer" / "No trunk config was found" */
{ SF_KB_MSDIAG, 510532, "No trunk configuration found for the SBC",
	DR_SRC " found no trunk (gateway) configuration of the tenant for the SBC the call came "
	"from", { 0 }, 0,
	"check the tenant's online PSTN gateway for the SBC, and that the SBC sends its calls "
	"from that FQDN, the same FQDN in the Contact header of the INVITE" },
/* 403 "Get Inbound Direct routing - blocked calling number for customer" */
{ SF_KB_MSDIAG, 510534, "Blocked calling number",
	"the calling number is blocked by the tenant's inbound call blocking", { 0 }, 0,
	"check the inbound call blocking settings" },
/* 500 "Get Outbound Direct routing - no trunk config found" / "...for emergency user" */
{ SF_KB_MSDIAG, 510544, "No outbound trunk configuration found",
	DR_SRC " found no trunk configuration (or no gateway of the emergency call routing "
	"policy) for the outbound call", { 0 }, 0,
	"check the tenant's trunk configuration and emergency call routing policies" },
/* 403 "Get Outbound routing - No viable path (Forbidden)" */
{ SF_KB_MSDIAG, 510559, "No viable path for the outbound call",
	"no voice route of the user matches the number dialled: the SBC never received an INVITE",
	{ 0 }, 0, "make the user's voice routes match the number pattern dialled" },
/* 403 "User is not Enterprise Voice enabled" */
{ SF_KB_MSDIAG, 510560, "User is not Enterprise Voice enabled",
	"the user has no Phone System licence or is not enabled for Enterprise Voice", { 0 }, 0,
	"assign a Phone System licence and enable Enterprise Voice for the user" },
/* 403 "User is not allowed to make outbound PSTN Calls" */
{ SF_KB_MSDIAG, 510562, "User is not allowed to make outbound PSTN calls",
	"the user is not enabled for Direct Routing outbound calls", { 0 }, 0,
	"enable the user for Direct Routing (licence, voice routing policy)" },
/* 403 "User is only allowed to make domestic calls. This is an international call" */
{ SF_KB_MSDIAG, 510563, "User is only allowed to make domestic calls",
	"the user may make domestic calls only and dialled an international number", { 0 }, 0,
	NULL },
/* 404 "Getting user info by number from RuntimeAPI failed" */
{ SF_KB_MSDIAG, 511404, "User not found by number",
	"the reverse number lookup found no user or resource account for the called number", { 0 },
	0, "send the called number in the E.164 format assigned to the user or resource account" },
/* 488 "Invalid SDP offer: no media acceptable" / "did not offer required SRTP support";
 * 410 "SdpParsingFailure" */
{ SF_KB_MSDIAG, 531000, "SDP offer not acceptable",
	"the SBC's SDP offer or answer was malformed, offered no acceptable media, or lacked SRTP",
	{ 0 }, 0, "offer supported codecs with SRTP on the SBC, in SDP that follows the RFCs" },
/* 410 "IceConnectivityChecksFailed" */
{ SF_KB_MSDIAG, 531004, "ICE connectivity checks failed",
	"the media path could not be established (network configuration)", { 0 }, 0,
	"open the media port ranges Direct Routing needs" },
/* 410 "MediaConnectivityFailure" */
{ SF_KB_MSDIAG, 531005, "Media connectivity failure",
	"the media path broke (network configuration)", { 0 }, 0, NULL },
/* 488 "There are no ICE candidates in the SDP. Non-ice endpoints cannot use bypass" */
{ SF_KB_MSDIAG, 531027, "No ICE candidates in the SDP",
	"media bypass needs ICE candidates the SBC did not offer", { 0 }, 0,
	"enable ICE Lite on the SBC" },
/* 488 "Cannot negotiate a new modality with blackhole media" */
{ SF_KB_MSDIAG, 531052, "Cannot negotiate a new modality with blackhole media",
	"the SBC sent SDP with connection address 0.0.0.0, which Direct Routing does not support",
	{ 0 }, 0, NULL },
/* 400 "Bad Request" (inbound: the SBC's message) */
{ SF_KB_MSDIAG, 540400, "Bad Request",
	"the SBC sent an invalid or unsupported SIP message to " DR_SRC, { 0 }, 0,
	"check the SBC configuration" },
/* 415 "Unsupported Media Type" */
{ SF_KB_MSDIAG, 540415, "Unsupported Media Type",
	"the SBC's offer is missing or carries an unsupported content type", { 0 }, 0,
	"check the SBC configuration" },
/* 420 "Bad Extension" */
{ SF_KB_MSDIAG, 540420, "Bad Extension",
	"the SBC requires a SIP extension Direct Routing does not support (e.g. Require: 100rel)",
	{ 0 }, 0, "stop requiring the unsupported extension on the SBC" },
/* 422 "Session Interval Too Small" */
{ SF_KB_MSDIAG, 540422, "Session Interval Too Small",
	"the SBC's session timer interval is too small", { 0 }, 0,
	"raise the SBC's session timer / minimum session timer" },
/* 504 "Unable to deliver INVITE: TlsTransport is not connected" / "Invalid Request/Response
 * line" */
{ SF_KB_MSDIAG, 549002, "Unable to deliver the request to the SBC",
	DR_SRC " could not deliver the request to the SBC: no TLS connection to it, or the SBC "
	"sent a malformed request / response line", RULES(SF_R_NET001_CONNECT),
	"check that the SBC works and is reachable on its IP address and port through the "
	"firewall, and that it sends SIP/2.0 request and response lines" },
/* 504 "Unable to deliver INVITE: Invalid Request/Response line" */
{ SF_KB_MSDIAG, 549018, "Invalid request / response line from the SBC",
	"the SBC sends an invalid or unsupported SIP message format", { 0 }, 0,
	"check the SBC configuration" },
/* 402 "Payment required" */
{ SF_KB_MSDIAG, 560402, "SBC answered 402 Payment required",
	"the SBC answered the outbound call with 402: a downstream PSTN carrier refused it", { 0 },
	0, NULL },
/* 403 "Forbidden; Call rejected" */
{ SF_KB_MSDIAG, 560403, "SBC answered 403 Forbidden",
	"the SBC rejected the outbound call (403)", { 0 }, 0,
	"look in the SBC's logs why it rejected the call" },
/* 408 "SBC indicated that the user did not respond (request timeout)" */
{ SF_KB_MSDIAG, 560408, "SBC answered 408 Request timeout",
	"the SBC got no answer downstream and answered the outbound call with 408", { 0 }, 0,
	NULL },
/* 420 "Bad Extension" (outbound: the SBC refuses e.g. Replaces) */
{ SF_KB_MSDIAG, 560420, "SBC answered 420 Bad Extension",
	"the SBC does not support a header the call needs, such as Replaces", { 0 }, 0,
	"configure the SBC to support the required headers" },
/* 484 "Invalid number format. SBC rejected the call" */
{ SF_KB_MSDIAG, 560484, "SBC answered 484 Invalid number format",
	"the SBC found the called number in the To header invalid (484)", { 0 }, 0,
	"check the number normalisation rules" },
/* 503 "Service unavailable. SBC undergoing maintenance or temporarily overloaded" */
{ SF_KB_MSDIAG, 560503, "SBC answered 503 Service unavailable",
	"the SBC answered 503: over its licensed or capacity session count, no channel free, or "
	"in maintenance", { 0 }, 0,
	"look in the SBC's logs why it answers 503 and check its session licences" },
/* 504 "Unable to deliver INVITE/ACK: ... did not properly respond ... / ... actively refused
 * it / outgoing TLS negotiation failed; HRESULT=0x80096004 / ...Wrong target principal name
 * configured. HRESULT=0x80090322 / TLS decryption failed; HRESULT=590615" */
{ SF_KB_MSDIAG, 569002, "Unable to deliver the request to the SBC (connection or TLS failure)",
	DR_SRC " could not deliver the request to the SBC: the TCP connection timed out or was "
	"refused, or the outgoing TLS negotiation failed (the HRESULT in the reason says why: "
	"0x80090322 the SBC's certificate does not carry its FQDN, 0x80096004 its signature "
	"cannot be verified, 590615 = 0x00090317 the TLS context expired)[ ({reason})]",
	RULES(SF_R_NET001_CONNECT, SF_R_DR001_NOT_PUBLIC, SF_R_TLS001_HANDSHAKE,
		SF_R_CERT001_NAME, SF_R_CERT005_NOT_PUBLIC),
	"make the SBC reachable on its IP address and port (firewall), with a certificate for "
	"its FQDN from a public root CA that Direct Routing trusts" },
/* 504 "Unable to deliver INVITE: outgoing TLS negotiation failed; HRESULT=0x80090326" */
{ SF_KB_MSDIAG, 569003, "Outgoing TLS negotiation with the SBC failed (SEC_E_ILLEGAL_MESSAGE)",
	"the TLS negotiation with the SBC failed: its certificate is not from a trusted CA or is "
	"expired, or the handshake is refused",
	RULES(SF_R_CERT005_NOT_PUBLIC, SF_R_CERT004_EXPIRED, SF_R_TLS001_HANDSHAKE,
		SF_R_TLS001_VERSION),
	"use an SBC certificate from a public CA Direct Routing trusts, within its validity, "
	"and TLS 1.2 or later" },
/* 504 "Outgoing TLS negotiation failed. Remote certificate expired; HRESULT=0x80090328" */
{ SF_KB_MSDIAG, 569008, "SBC certificate expired (SEC_E_CERT_EXPIRED)",
	"the certificate the SBC presents has expired", RULES(SF_R_CERT004_EXPIRED),
	"renew the SBC certificate, then restart the SBC (or close its old TLS connections) so "
	"that the new certificate is used" },
/* 504 "outgoing TLS negotiation failed; HRESULT=0x80090325 SEC_E_UNTRUSTED_ROOT" */
{ SF_KB_MSDIAG, 569009, "SBC certificate not from a trusted root (SEC_E_UNTRUSTED_ROOT)",
	"the certificate the SBC presents is not signed by a root CA Direct Routing trusts (or "
	"the SBC uses another TLS profile than the one with that certificate)",
	RULES(SF_R_CERT005_NOT_PUBLIC, SF_R_CERT005_UNTRUSTED),
	"request a certificate from one of the public root CAs Direct Routing trusts, and use the "
	"TLS profile with that certificate towards Direct Routing" },
/* 504 "Unable to deliver INVITE: No such host is known" */
{ SF_KB_MSDIAG, 569015, "SBC FQDN does not resolve (no such host)",
	"the FQDN of the SBC cannot be resolved through DNS", RULES(SF_R_DR001_NOT_PUBLIC),
	"publish an A (or AAAA) record for the SBC FQDN in the public DNS" },
/* 504 "...The requested name is valid, but no data of the requested type was found" */
{ SF_KB_MSDIAG, 569016, "SBC FQDN has no A / AAAA record",
	"the FQDN of the SBC exists in DNS but has no A or AAAA record (e.g. only the TXT record "
	"of the domain verification)", RULES(SF_R_DR001_NOT_PUBLIC),
	"publish an A (or AAAA) record for the SBC FQDN in the public DNS" },
/* 504 "Unable to deliver INVITE: Invalid Request/Response line" */
{ SF_KB_MSDIAG, 569018, "Invalid request / response line from the SBC",
	"the SBC sends an invalid or unsupported SIP message format", { 0 }, 0,
	"check the SBC configuration" },
#undef DR_SRC

/* ---- Edge / Front End Result-Codes -------------------------------------------------- */
/* support article: RtcHost worker process failed to start */
{ SF_KB_RESULT, 0xC3E8302Du, "SIPPROXY_E_WORKER_PROCESS_SLOW_INITIALIZING",
	"a Skype for Business worker process started too slowly (low resources or missing "
	"privileges)", { 0 }, 0, "restart the server; check its resources" },
/* seeds/004; support article on event 32263 */
{ SF_KB_RESULT, 0xC3E93C2Fu, "SIPPROXY_E_UNKNOWN_USER_OR_EPID",
	CAUSE_UM, RULES(SF_R_UM001_SUBJECT, SF_R_UM001_WILDCARD), FIX_UM },
/* support article "Test-CsFederatedPartner fails": Route headers from an untrusted source */
{ SF_KB_RESULT, 0xC3E93C5Eu, "SIPPROXY_E_ROUTING",
	"the Edge would not process the Route headers of a request from {peer}: the sender is "
	"not a trusted server, or the first Route does not match the connection the request "
	"came in on",
	{ 0 }, 0,
	"send federation requests without Route headers aimed at the Edge (e.g. run "
	"Test-CsFederatedPartner without -ProxyFqdn against an OCS 2007 R2 Edge), or make the "
	"sender a trusted server of the Edge" },
/* seeds/001-003: Data: expected-fqdn="vcse.acano.steven.lab";certName="vcse.steven.lab" */
{ SF_KB_RESULT, 0xC3E93D67u, "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH",
	"the Edge expected the certificate of the peer to carry {target} (the SRV target of "
	"the sender's domain)[ but it presents {peer}]",
	RULES(SF_R_CERT001_NAME), FIX_WRONG_NAME },
/* seeds/001-003: Data: domain="acano.steven.lab";fqdn1="vcse.steven.lab:5061" */
{ SF_KB_RESULT, 0xC3E93D6Fu, "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH",
	CAUSE_NO_SRV_MATCH, RULES(R_DNS005, SF_R_DNS006_NONE_PASS), FIX_NO_SRV_MATCH },

/* ---- Windows HRESULTs (winerror.h), as in HRESULT="0x80090322(SEC_E_WRONG_PRINCIPAL)" - */
/* "The context has expired and can no longer be used"; Direct Routing 569002 logs it as
 * HRESULT=590615 ("TLS decryption failed": the TLS context expired) */
{ SF_KB_HRESULT, 0x00090317u, "SEC_I_CONTEXT_EXPIRED",
	"the TLS context with {peer} has expired and can no longer be used (the other side "
	"closed the TLS session)", { 0 }, 0,
	"have the SBC or peer vendor look at why the TLS context expires" },
/* Schannel alert table: alert 70 protocol_version */
{ SF_KB_HRESULT, 0x80090302u, "SEC_E_UNSUPPORTED_FUNCTION",
	"Schannel got or raised TLS alert 70 (protocol_version): no TLS version both sides "
	"accept", RULES(SF_R_TLS001_VERSION), "enable TLS 1.2 on both sides" },
/* Schannel alert table: alert 80 internal_error */
{ SF_KB_HRESULT, 0x80090304u, "SEC_E_INTERNAL_ERROR",
	"Schannel got or raised TLS alert 80 (internal_error): a failure inside one side, "
	"unrelated to the peer", { 0 }, 0, NULL },
/* Schannel alert table: alert 49 access_denied */
{ SF_KB_HRESULT, 0x8009030Cu, "SEC_E_LOGON_DENIED",
	"Schannel got or raised TLS alert 49 (access_denied): a valid certificate was received but "
	"access control refused to go on", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x8009030Eu, "SEC_E_NO_CREDENTIALS",
	"{source} has no usable certificate of its own for the TLS connection", { 0 }, 0,
	"assign a certificate with its private key to the Edge external interface" },
/* Schannel alert table: alerts 20 bad_record_mac, 30 decompression_failure */
{ SF_KB_HRESULT, 0x8009030Fu, "SEC_E_MESSAGE_ALTERED",
	"Schannel got TLS alert 20 or 30: a record could not be deprotected (corrupted in the "
	"network, or a faulty implementation)", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x80090322u, "SEC_E_WRONG_PRINCIPAL",
	CAUSE_WRONG_NAME, RULES(SF_R_CERT001_NAME), FIX_WRONG_NAME },
{ SF_KB_HRESULT, 0x80090325u, "SEC_E_UNTRUSTED_ROOT",
	CAUSE_UNTRUSTED, RULES(SF_R_CERT005_UNTRUSTED, SF_R_CERT005_NOT_PUBLIC),
	FIX_UNTRUSTED },
{ SF_KB_HRESULT, 0x80090326u, "SEC_E_ILLEGAL_MESSAGE",
	CAUSE_TLS, RULES(SF_R_TLS001_HANDSHAKE, SF_R_TLS001_VERSION), FIX_TLS },
{ SF_KB_HRESULT, 0x80090327u, "SEC_E_CERT_UNKNOWN",
	"the certificate presented for {target} could not be processed",
	RULES(SF_R_CERT005_UNTRUSTED, SF_R_CERT006_EKU),
	"check the certificate of {target} with the check below" },
{ SF_KB_HRESULT, 0x80090328u, "SEC_E_CERT_EXPIRED",
	CAUSE_EXPIRED, RULES(SF_R_CERT004_EXPIRED, SF_R_CERT004_NOT_YET_VALID,
			     SF_R_CERT004_CA_EXPIRED, SF_R_CERT004_CA_NOT_YET_VALID), FIX_EXPIRED },
/* Schannel alert table: alerts 21 decryption_failed, 51 decrypt_error */
{ SF_KB_HRESULT, 0x80090330u, "SEC_E_DECRYPT_FAILURE",
	"Schannel got TLS alert 21 or 51: a cryptographic operation of the handshake failed "
	"(e.g. a signature did not verify)", { 0 }, 0, NULL },
/* Schannel alert table: alert 71 insufficient_security (SEC_E_ALGORITHM_MISMATCH) */
{ SF_KB_HRESULT, 0x80090331u, "SEC_E_ALGORITHM_MISMATCH",
	CAUSE_TLS, RULES(SF_R_TLS001_VERSION, SF_R_TLS001_HANDSHAKE), FIX_TLS },
/* Schannel alert table: alert 90 user_canceled */
{ SF_KB_HRESULT, 0x80090333u, "SEC_E_UNFINISHED_CONTEXT_DELETED",
	"Schannel got TLS alert 90 (user_canceled): the other side cancelled the handshake for a "
	"reason unrelated to the protocol", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x80090349u, "SEC_E_CERT_WRONG_USAGE",
	CAUSE_USAGE, RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH), FIX_USAGE },
{ SF_KB_HRESULT, 0x80092010u, "CRYPT_E_REVOKED", CAUSE_REVOKED, { 0 }, 0, FIX_REVOKED },
{ SF_KB_HRESULT, 0x80092012u, "CRYPT_E_NO_REVOCATION_CHECK",
	CAUSE_REVOCATION, RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
{ SF_KB_HRESULT, 0x80092013u, "CRYPT_E_REVOCATION_OFFLINE",
	CAUSE_REVOCATION, RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
/* "The signature of the certificate can not be verified"; a Direct Routing 569002 HRESULT */
{ SF_KB_HRESULT, 0x80096004u, "TRUST_E_CERT_SIGNATURE",
	"the signature of a certificate presented for {target} cannot be verified", { 0 }, 0,
	NULL },
{ SF_KB_HRESULT, 0x800B0101u, "CERT_E_EXPIRED",
	CAUSE_EXPIRED, RULES(SF_R_CERT004_EXPIRED, SF_R_CERT004_NOT_YET_VALID,
			     SF_R_CERT004_CA_EXPIRED, SF_R_CERT004_CA_NOT_YET_VALID), FIX_EXPIRED },
/* winerror.h MessageText of 0x800B0102 - 0x800B0108 */
{ SF_KB_HRESULT, 0x800B0102u, "CERT_E_VALIDITYPERIODNESTING",
	"the validity periods of the chain presented for {target} do not nest correctly", { 0 },
	0, NULL },
{ SF_KB_HRESULT, 0x800B0103u, "CERT_E_ROLE",
	"a certificate of the chain presented for {target} that may only be an end entity is "
	"used as a CA, or the reverse", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x800B0104u, "CERT_E_PATHLENCONST",
	"a path length constraint of the chain presented for {target} is violated", { 0 }, 0,
	NULL },
{ SF_KB_HRESULT, 0x800B0105u, "CERT_E_CRITICAL",
	"a certificate presented for {target} has an unknown extension marked critical", { 0 },
	0, NULL },
{ SF_KB_HRESULT, 0x800B0106u, "CERT_E_PURPOSE",
	"a certificate presented for {target} is used for a purpose it is not permitted for",
	RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH), FIX_USAGE },
{ SF_KB_HRESULT, 0x800B0107u, "CERT_E_ISSUERCHAINING",
	"in the chain presented for {target} a parent did not in fact issue its child: a wrong "
	"intermediate is sent", RULES(SF_R_TLS002_INCOMPLETE),
	"configure {target} to send the intermediate CA certificate(s) that issued its "
	"certificate" },
{ SF_KB_HRESULT, 0x800B0108u, "CERT_E_MALFORMED",
	"a certificate presented for {target} lacks or has an empty important field (subject or "
	"issuer name)", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x800B0109u, "CERT_E_UNTRUSTEDROOT",
	CAUSE_UNTRUSTED, RULES(SF_R_CERT005_UNTRUSTED, SF_R_CERT005_NOT_PUBLIC),
	FIX_UNTRUSTED },
{ SF_KB_HRESULT, 0x800B010Au, "CERT_E_CHAINING",
	"the chain presented for {target} cannot be built to a trusted root: an intermediate "
	"CA certificate is missing",
	RULES(SF_R_TLS002_INCOMPLETE),
	"configure {target} to send its intermediate CA certificate(s) after the leaf" },
/* "Generic Trust Failure" */
{ SF_KB_HRESULT, 0x800B010Bu, "TRUST_E_FAIL",
	"a generic trust failure with the certificate presented for {target}", { 0 }, 0, NULL },
{ SF_KB_HRESULT, 0x800B010Cu, "CERT_E_REVOKED", CAUSE_REVOKED, { 0 }, 0, FIX_REVOKED },
/* "The root certificate is a testing certificate and the policy settings disallow test
 * certificates" */
{ SF_KB_HRESULT, 0x800B010Du, "CERT_E_UNTRUSTEDTESTROOT",
	"the chain presented for {target} ends at a test root certificate, which the policy does "
	"not allow", RULES(SF_R_CERT005_UNTRUSTED), FIX_UNTRUSTED },
/* "The revocation process could not continue - the certificate(s) could not be checked" */
{ SF_KB_HRESULT, 0x800B010Eu, "CERT_E_REVOCATION_FAILURE",
	CAUSE_REVOCATION, RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
{ SF_KB_HRESULT, 0x800B010Fu, "CERT_E_CN_NO_MATCH",
	CAUSE_WRONG_NAME, RULES(SF_R_CERT001_NAME), FIX_WRONG_NAME },
{ SF_KB_HRESULT, 0x800B0110u, "CERT_E_WRONG_USAGE",
	CAUSE_USAGE, RULES(SF_R_CERT006_EKU, SF_R_CERT006_CA_EKU, SF_R_CERT007_NO_CLIENTAUTH),
	FIX_USAGE },

/* ---- Winsock errors (WinsockFailureCode of 1046 / 1047) ------------------------------ */
{ SF_KB_WINSOCK, 10051, "WSAENETUNREACH",
	"{source} has no route to the network of {peer}", RULES(SF_R_NET001_CONNECT),
	"publish a public, routable address for {peer}" },
{ SF_KB_WINSOCK, 10053, "WSAECONNABORTED",
	"the connection to {peer} was aborted during the exchange",
	RULES(SF_R_TLS001_HANDSHAKE),
	"check that {peer} accepts TLS 1.2 and the certificate presented to it" },
{ SF_KB_WINSOCK, 10054, "WSAECONNRESET",
	"{peer} closed the connection during the TLS negotiation: it usually does not trust "
	"the certificate it was shown (mutual TLS) or refuses the TLS version",
	RULES(SF_R_TLS001_HANDSHAKE, SF_R_CERT005_UNTRUSTED, SF_R_CERT007_NO_CLIENTAUTH),
	"have the partner import the root CA of the Edge certificate (or use a public CA with "
	"EKU clientAuth), and enable TLS 1.2 on both sides" },
{ SF_KB_WINSOCK, 10060, "WSAETIMEDOUT",
	"the TCP connection to {peer} timed out: nothing answers on its address and port",
	RULES(SF_R_NET001_CONNECT, SF_R_DNS009_PRIVATE),
	"open TCP 5061 to {peer} from the Internet (firewall, NAT) and make sure the SRV "
	"target resolves to its public address" },
{ SF_KB_WINSOCK, 10061, "WSAECONNREFUSED",
	"{peer} refused the TCP connection: nothing listens on that port",
	RULES(SF_R_NET001_CONNECT, SF_R_DNS007_PORT),
	"make the Access Edge or Expressway-E listen on the port of the SRV record (5061)" },
{ SF_KB_WINSOCK, 10065, "WSAEHOSTUNREACH",
	"{source} cannot reach the host {peer}", RULES(SF_R_NET001_CONNECT, SF_R_DNS009_PRIVATE),
	"publish a public, reachable address for {peer}" },
{ SF_KB_WINSOCK, 11001, "WSAHOST_NOT_FOUND",
	"the name {peer} does not resolve", RULES(SF_R_DNS009_NO_ADDRESS),
	"publish an A record for {peer}" },

/* ---- Call Detail Record diagnostic IDs ---------------------------------------------- */
/* seeds/004, symptom 3 */
{ SF_KB_CDR, 21, "Media connectivity failure, one endpoint of unknown type",
	CAUSE_UM, RULES(SF_R_UM001_SUBJECT, SF_R_UM001_WILDCARD), FIX_UM },

/* ---- Windows events ------------------------------------------------------------------ */
/* LS Protocol Stack: TLS outgoing connection failures (wrong principal, untrusted root) */
{ SF_KB_EVENT, 14428, "TLS outgoing connection failures",
	"the Edge could not open TLS connections to {peer}: its certificate does not carry "
	"the name the Edge connected to, or does not chain to a trusted root",
	RULES(SF_R_CERT001_NAME, SF_R_CERT005_UNTRUSTED),
	"put the FQDN the Edge connects to (the SRV target) in the SAN of {peer}'s certificate "
	"and make it chain to a root the Edge trusts" },
/* seeds/004, symptom 2: LS User Services, 0xC3E93C2F, NotifySingle.Notify */
{ SF_KB_EVENT, 32263, "LS User Services: SIPPROXY_E_UNKNOWN_USER_OR_EPID",
	CAUSE_UM, RULES(SF_R_UM001_SUBJECT, SF_R_UM001_WILDCARD), FIX_UM },
/*
 * Schannel (System log, provider Microsoft-Windows-Schannel), by the event titles of the
 * provider.  36887 / 36888 name the alert ("The TLS protocol defined fatal alert code is
 * N"): the TLS alert entry of N says more than these.
 */
{ SF_KB_EVENT, 36874, "Schannel: no cipher suite in common with the client",
	"a TLS connection request was received from {peer}, but none of the cipher suites it "
	"offers is supported by this server: the TLS connection request failed",
	RULES(SF_R_TLS001_CIPHER, SF_R_TLS001_VERSION),
	"enable TLS 1.2 (and 1.3) with current cipher suites on both sides" },
{ SF_KB_EVENT, 36875, "Schannel: TLS client authentication requested, no suitable client "
	"certificate",
	"the remote server requested TLS client authentication, but no suitable client "
	"certificate was found", RULES(SF_R_TLS004_CLIENT_CERT, SF_R_CERT007_NO_CLIENTAUTH),
	"give the server's certificate EKU clientAuth (or configure a client certificate) from a "
	"CA the remote server accepts" },
{ SF_KB_EVENT, 36876, "Schannel: the remote server's certificate has not validated",
	"the certificate received from the remote server {peer} has not validated correctly",
	RULES(SF_R_CERT005_UNTRUSTED, SF_R_TLS002_INCOMPLETE, SF_R_CERT004_EXPIRED),
	"check the chain the remote server sends (leaf and intermediates) and that its root is "
	"trusted here" },
{ SF_KB_EVENT, 36877, "Schannel: the remote client's certificate has not validated",
	"the certificate received from the remote client {peer} has not validated correctly",
	RULES(SF_R_FED001_PEER_UNTRUSTED, SF_R_CERT005_UNTRUSTED),
	"have the peer present a certificate from a CA trusted here, with its intermediates" },
{ SF_KB_EVENT, 36881, "Schannel: the remote server's certificate is expired or not yet valid",
	"the certificate received from the remote server {peer} has expired or is not yet valid",
	RULES(SF_R_CERT004_EXPIRED, SF_R_CERT004_NOT_YET_VALID), FIX_EXPIRED },
{ SF_KB_EVENT, 36882, "Schannel: the remote server's certificate is from an untrusted CA",
	"the certificate received from the remote server {peer} was issued by an untrusted "
	"certificate authority", RULES(SF_R_CERT005_UNTRUSTED, SF_R_CERT005_NOT_PUBLIC),
	FIX_UNTRUSTED },
{ SF_KB_EVENT, 36883, "Schannel: the remote server's certificate has been revoked",
	"the certificate received from the remote server {peer} has been revoked", { 0 }, 0,
	FIX_REVOKED },
{ SF_KB_EVENT, 36884, "Schannel: the remote server's certificate lacks the expected name",
	"the certificate received from the remote server does not contain the name expected "
	"(the FQDN connected to[, {target}])", RULES(SF_R_CERT001_NAME), FIX_WRONG_NAME },
{ SF_KB_EVENT, 36887, "Schannel: a fatal alert was received from the remote endpoint",
	"{peer} sent a fatal TLS alert and the connection failed[ ({reason})]: the alert code in "
	"the event names the cause", RULES(SF_R_TLS001_HANDSHAKE),
	"look up the alert code of the event (TLS alert N)" },
{ SF_KB_EVENT, 36888, "Schannel: a fatal alert was generated and sent to the remote endpoint",
	"this server refused the TLS connection with {peer} and sent it a fatal alert[ "
	"({reason})]: the alert code in the event names the cause",
	RULES(SF_R_TLS001_HANDSHAKE), "look up the alert code of the event (TLS alert N)" },

/* ---- Q.850 cause values -------------------------------------------------------------- */
/*
 * ITU-T Q.850 Table 1 cause values, as SIP carries them in "Reason: Q.850;cause=N"
 * (RFC 3326; mapping to SIP statuses RFC 3398 §8.2.6.1).  None names a federation DNS or
 * certificate rule: they are what the PSTN / gateway side decided.
 */
#define Q850(n, name, why)                                                                  \
	{ SF_KB_Q850, (n), name, "the gateway or SBC ended the call with Q.850 cause {code} (" \
				 name "): " why "[ ({reason})]", { 0 }, 0, NULL }
Q850(1, "Unallocated (unassigned) number", "the number called is not assigned"),
Q850(3, "No route to destination", "no route to the called number"),
Q850(16, "Normal call clearing", "a normal hang-up, not a failure"),
Q850(17, "User busy", "the called user is busy"),
Q850(18, "No user responding", "the called side did not answer the signalling in time"),
Q850(19, "No answer from user (user alerted)", "the called user did not answer"),
Q850(21, "Call rejected", "the called side rejected the call"),
Q850(27, "Destination out of order", "the interface to the destination does not work"),
Q850(28, "Invalid number format (address incomplete)", "the number is not complete"),
Q850(31, "Normal, unspecified", "a normal clearing without detail"),
Q850(34, "No circuit/channel available", "no trunk channel was free"),
Q850(38, "Network out of order", "the network is not working and will not be soon"),
Q850(41, "Temporary failure", "the network is not working for a short while"),
Q850(42, "Switching equipment congestion", "the switch is overloaded"),
Q850(47, "Resource unavailable, unspecified", "a resource of the network is missing"),
Q850(58, "Bearer capability not presently available", "the media type is not available"),
Q850(63, "Service or option not available, unspecified", "the service is not available"),
Q850(65, "Bearer capability not implemented", "the media type is not supported"),
Q850(88, "Incompatible destination", "the destination cannot take this kind of call"),
Q850(102, "Recovery on timer expiry", "a signalling timer expired"),
Q850(111, "Protocol error, unspecified", "the signalling was not understood"),
Q850(127, "Interworking, unspecified", "a failure in another network, without detail"),
#undef Q850

/* ---- TLS alerts ---------------------------------------------------------------------- */
/*
 * RFC 8446 §6 (AlertDescription values, §6.2 error alerts); OpenSSL prints them as
 * "SSL alert number N" / "tlsv1 alert <name>", Schannel (events 36887 / 36888) as
 * "fatal alert code is N".  What each means for a federation peer: the side that sends it
 * refused the other's certificate or parameters.  21, 30, 41, 60, 100: RFC 5246 only
 * (reserved / removed by RFC 8446), named as RFC 5246 §7.2 and the Schannel alert table
 * name them; nothing more is claimed for them.
 */
#define ALERT(n, name, why)                                                                 \
	{ SF_KB_TLS_ALERT, (n), name, "a TLS peer sent alert " #n " (" name "): " why, { 0 },  \
	  0, NULL }
ALERT(0, "close_notify", "the sender closes the connection in order, not an error"),
ALERT(10, "unexpected_message", "an inappropriate message (e.g. the wrong handshake message) "
	"was received; never seen between proper implementations"),
ALERT(20, "bad_record_mac", "a record could not be deprotected: the messages were corrupted "
	"in the network, or an implementation is faulty"),
ALERT(21, "decryption_failed_RESERVED", "RFC 5246 alert, not used by TLS 1.2 and later "
	"(Schannel: SEC_E_DECRYPT_FAILURE)"),
ALERT(22, "record_overflow", "a record longer than TLS allows was received; never seen "
	"between proper implementations except when corrupted in the network"),
ALERT(30, "decompression_failure", "RFC 5246 alert (TLS compression; Schannel: "
	"SEC_E_MESSAGE_ALTERED)"),
#undef ALERT
{ SF_KB_TLS_ALERT, 40, "handshake_failure",
	"a TLS peer sent alert 40 (handshake_failure): no protocol version, cipher suite or "
	"signature algorithm both sides accept, or a client certificate was required",
	RULES(SF_R_TLS001_HANDSHAKE, SF_R_TLS001_CIPHER, SF_R_TLS004_CLIENT_CERT),
	"offer TLS 1.2 with the cipher suites the Microsoft side supports, and present a "
	"certificate with Client Authentication for mutual TLS" },
{ SF_KB_TLS_ALERT, 41, "no_certificate_RESERVED",
	"a TLS peer sent alert 41 (no_certificate_RESERVED): reserved by RFC 5246, not sent by "
	"TLS 1.2 peers", { 0 }, 0, NULL },
{ SF_KB_TLS_ALERT, 42, "bad_certificate",
	"a TLS peer sent alert 42 (bad_certificate): it refused the certificate it was shown",
	RULES(SF_R_CERT001_NAME, SF_R_CERT005_UNTRUSTED, SF_R_CERT007_NO_CLIENTAUTH),
	"check the certificate's names, chain and Client Authentication usage" },
{ SF_KB_TLS_ALERT, 43, "unsupported_certificate",
	"a TLS peer sent alert 43 (unsupported_certificate): the certificate's type or usage is "
	"not accepted", RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH),
	"issue the certificate with Server and Client Authentication extended key usage" },
{ SF_KB_TLS_ALERT, 44, "certificate_revoked",
	"a TLS peer sent alert 44 (certificate_revoked): the certificate was revoked",
	{ 0 }, 0, "replace the revoked certificate" },
{ SF_KB_TLS_ALERT, 45, "certificate_expired",
	"a TLS peer sent alert 45 (certificate_expired): a certificate of the chain has expired "
	"or is not yet valid", RULES(SF_R_CERT004_EXPIRED, SF_R_CERT004_CA_EXPIRED),
	"renew the expired certificate" },
{ SF_KB_TLS_ALERT, 46, "certificate_unknown",
	"a TLS peer sent alert 46 (certificate_unknown): it could not accept the certificate "
	"for another reason (often a name or chain problem)",
	RULES(SF_R_CERT001_NAME, SF_R_CERT005_UNTRUSTED),
	"check that the certificate carries the name connected to and chains to a trusted "
	"root" },
{ SF_KB_TLS_ALERT, 47, "illegal_parameter",
	"a TLS peer sent alert 47 (illegal_parameter): a field of the handshake was incorrect or "
	"inconsistent with other fields", { 0 }, 0, NULL },
{ SF_KB_TLS_ALERT, 48, "unknown_ca",
	"a TLS peer sent alert 48 (unknown_ca): the chain presented does not end at a CA it "
	"trusts, or an intermediate is missing",
	RULES(SF_R_CERT005_UNTRUSTED, SF_R_TLS002_INCOMPLETE),
	"send the full chain (leaf and intermediates) and use a CA the peer trusts (a public CA "
	"for Microsoft 365)" },
#define ALERT(n, name, why)                                                                 \
	{ SF_KB_TLS_ALERT, (n), name, "a TLS peer sent alert " #n " (" name "): " why, { 0 },  \
	  0, NULL }
ALERT(49, "access_denied", "a valid certificate was received, but access control refused "
	"to go on (the peer does not accept this side, whatever its certificate)"),
ALERT(50, "decode_error", "a message could not be decoded (a field out of range or a wrong "
	"length); never seen between proper implementations except when corrupted"),
ALERT(51, "decrypt_error", "a cryptographic operation of the handshake failed, e.g. a "
	"signature or the Finished message did not verify"),
ALERT(60, "export_restriction_RESERVED", "RFC 5246 alert, not used by TLS 1.2 and later "
	"(Schannel: SEC_E_ILLEGAL_MESSAGE)"),
#undef ALERT
{ SF_KB_TLS_ALERT, 70, "protocol_version",
	"a TLS peer sent alert 70 (protocol_version): no TLS version both sides accept",
	RULES(SF_R_TLS001_VERSION), "enable TLS 1.2 on both sides" },
{ SF_KB_TLS_ALERT, 71, "insufficient_security",
	"a TLS peer sent alert 71 (insufficient_security): the server requires more secure "
	"parameters (version, cipher suite) than the client offers",
	RULES(SF_R_TLS001_VERSION, SF_R_TLS001_CIPHER),
	"offer TLS 1.2 or 1.3 with current cipher suites" },
{ SF_KB_TLS_ALERT, 80, "internal_error",
	"a TLS peer sent alert 80 (internal_error): a failure inside the peer, unrelated to "
	"the protocol", { 0 }, 0, NULL },
{ SF_KB_TLS_ALERT, 86, "inappropriate_fallback",
	"a TLS server sent alert 86 (inappropriate_fallback): it refused a connection retry with a "
	"lower TLS version (RFC 7507)", RULES(SF_R_TLS001_VERSION),
	"make both sides agree on TLS 1.2 or 1.3 at the first attempt" },
#define ALERT(n, name, why)                                                                 \
	{ SF_KB_TLS_ALERT, (n), name, "a TLS peer sent alert " #n " (" name "): " why, { 0 },  \
	  0, NULL }
ALERT(90, "user_canceled", "the sender cancelled the handshake for a reason unrelated to "
	"the protocol"),
ALERT(100, "no_renegotiation", "RFC 5246 alert about renegotiation (Schannel: "
	"SEC_E_ILLEGAL_MESSAGE)"),
ALERT(109, "missing_extension", "a handshake message lacked an extension that is mandatory "
	"for the TLS version or parameters offered"),
ALERT(110, "unsupported_extension", "a handshake message carried an extension that is not "
	"allowed there, or one the client did not offer"),
#undef ALERT
{ SF_KB_TLS_ALERT, 112, "unrecognized_name",
	"a TLS peer sent alert 112 (unrecognized_name): it has no certificate for the server "
	"name asked for (SNI)", RULES(SF_R_TLS003_SNI),
	"configure the certificate for the name the peer connects to" },
{ SF_KB_TLS_ALERT, 113, "bad_certificate_status_response",
	"a TLS client sent alert 113 (bad_certificate_status_response): the server stapled an "
	"invalid or unacceptable OCSP response", { 0 }, 0,
	"fix or turn off OCSP stapling on the server" },
{ SF_KB_TLS_ALERT, 115, "unknown_psk_identity",
	"a TLS server sent alert 115 (unknown_psk_identity): no acceptable pre-shared key identity "
	"was offered", { 0 }, 0, NULL },
{ SF_KB_TLS_ALERT, 116, "certificate_required",
	"a TLS peer sent alert 116 (certificate_required): no client certificate was sent for "
	"mutual TLS", RULES(SF_R_TLS004_CLIENT_CERT, SF_R_CERT007_NO_CLIENTAUTH),
	"present a client certificate with Client Authentication" },
{ SF_KB_TLS_ALERT, 120, "no_application_protocol",
	"a TLS server sent alert 120 (no_application_protocol): it supports none of the "
	"application protocols the client offered (ALPN)", { 0 }, 0, NULL },

/* ---- OpenSSL certificate verify errors ---------------------------------------------- */
/* X509_V_ERR_* values of OpenSSL's x509_vfy.h, texts of X509_verify_cert_error_string(3). */
{ SF_KB_X509_VERIFY, 2, "unable to get issuer certificate",
	"the verifier could not find the issuer of a certificate in the chain: an intermediate "
	"is missing", RULES(SF_R_TLS002_INCOMPLETE), "send the intermediate certificates" },
{ SF_KB_X509_VERIFY, 3, "unable to get certificate CRL",
	"the CRL of a certificate of the chain could not be found",
	RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
{ SF_KB_X509_VERIFY, 7, "certificate signature failure",
	"the signature of a certificate of the chain is invalid", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 9, "certificate is not yet valid",
	"a certificate of the chain is not valid yet", RULES(SF_R_CERT004_NOT_YET_VALID),
	"check the clocks and the certificate's validity dates" },
{ SF_KB_X509_VERIFY, 10, "certificate has expired",
	"a certificate of the chain has expired", RULES(SF_R_CERT004_EXPIRED),
	"renew the expired certificate" },
{ SF_KB_X509_VERIFY, 11, "CRL is not yet valid",
	"the CRL of a certificate of the chain is not valid yet", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 12, "CRL has expired",
	"the CRL of a certificate of the chain has expired (the CA did not publish a new one)",
	{ 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 18, "self-signed certificate",
	"the peer presented a self-signed certificate", RULES(SF_R_CERT005_UNTRUSTED),
	"use a certificate from a CA the other side trusts" },
{ SF_KB_X509_VERIFY, 19, "self-signed certificate in certificate chain",
	"the chain ends at a root the verifier does not trust", RULES(SF_R_CERT005_UNTRUSTED),
	"use a CA the other side trusts, or have it import the root" },
{ SF_KB_X509_VERIFY, 20, "unable to get local issuer certificate",
	"the chain does not lead to a root the verifier trusts: an intermediate is missing or "
	"the root is not in its store", RULES(SF_R_TLS002_INCOMPLETE, SF_R_CERT005_UNTRUSTED),
	"send the full chain, and use a CA the other side trusts" },
{ SF_KB_X509_VERIFY, 21, "unable to verify the first certificate",
	"only the leaf was sent and its issuer is unknown to the verifier",
	RULES(SF_R_TLS002_INCOMPLETE), "send the intermediate certificates with the leaf" },
{ SF_KB_X509_VERIFY, 22, "certificate chain too long",
	"the chain is longer than the verifier allows", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 23, "certificate revoked",
	"a certificate of the chain was revoked", { 0 }, 0, "replace the revoked certificate" },
{ SF_KB_X509_VERIFY, 25, "path length constraint exceeded",
	"a CA's path length constraint is exceeded by the chain", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 26, "unsupported certificate purpose",
	"the certificate's extended key usage does not allow this use",
	RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH),
	"issue the certificate with Server and Client Authentication usage" },
{ SF_KB_X509_VERIFY, 27, "certificate not trusted",
	"the root of the chain is not trusted for this purpose", RULES(SF_R_CERT005_UNTRUSTED),
	"use a CA the other side trusts, or have it import the root" },
{ SF_KB_X509_VERIFY, 28, "certificate rejected",
	"the root of the chain is marked to be rejected for this purpose", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 32, "key usage does not include certificate signing",
	"a CA certificate of the chain lacks the keyCertSign key usage", { 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 62, "hostname mismatch",
	"the certificate does not carry the name that was connected to", RULES(SF_R_CERT001_NAME),
	"put the FQDN the peer connects to in the certificate's SAN" },
{ SF_KB_X509_VERIFY, 66, "EE certificate key too weak",
	"the key of the leaf certificate is too weak for the verifier",
	RULES(SF_R_CERT010_RSA_SMALL), "use an RSA key of at least 2048 bits" },
{ SF_KB_X509_VERIFY, 67, "CA certificate key too weak",
	"the key of a CA certificate of the chain is too weak for the verifier",
	{ 0 }, 0, NULL },
{ SF_KB_X509_VERIFY, 68, "CA signature digest algorithm too weak",
	"a certificate of the chain is signed with a digest the verifier refuses (e.g. SHA-1)",
	RULES(SF_R_CERT009_SHA1), "reissue with SHA-256" },
/* OpenSSL 3.0 and later (before 3.0 this error was 24) */
{ SF_KB_X509_VERIFY, 79, "invalid CA certificate",
	"a certificate used as a CA in the chain is not a valid CA certificate", { 0 }, 0, NULL },

/* ---- OpenSSL SSL library reasons (SSL_R_* of openssl/sslerr.h, OpenSSL 3.0) ---------- */
/*
 * The reason number of "error:0A00010B:SSL routines::wrong version number" (the
 * low bits of the packed code, the same in OpenSSL 1.1 and 3.x); the name is the
 * reason text OpenSSL prints, by which a line without the code is looked up.
 */
{ SF_KB_SSL_REASON, 134, "certificate verify failed",
	"the TLS handshake stopped because the peer's certificate chain did not verify: the "
	"verify error logged with it (\"verify error:num=N\") says why[: {reason}]", { 0 }, 0,
	"send the full chain and use a CA the other side trusts" },
{ SF_KB_SSL_REASON, 155, "https proxy request",
	"an HTTP proxy request (CONNECT) arrived on the TLS port: no SIP peer speaks like this[ ({reason})]",
	{ 0 }, 0, NULL },
{ SF_KB_SSL_REASON, 156, "http request",
	"plain HTTP arrived on the TLS port: a web client or probe, not a SIP peer[ ({reason})]", { 0 }, 0,
	NULL },
{ SF_KB_SSL_REASON, 191, "no protocols available",
	"no TLS version is enabled that both sides allow (TLS 1.2 is the one Microsoft requires)[ ({reason})]",
	RULES(SF_R_TLS001_VERSION), "enable TLS 1.2 on both sides" },
{ SF_KB_SSL_REASON, 193, "no shared cipher",
	"the two sides have no cipher suite in common[ ({reason})]", RULES(SF_R_TLS001_CIPHER),
	"enable a TLS 1.2 cipher suite Microsoft accepts (ECDHE with AES-GCM) on the SIP TLS port" },
{ SF_KB_SSL_REASON, 258, "unsupported protocol",
	"the peer offered only a TLS version this side does not accept[ ({reason})]", RULES(SF_R_TLS001_VERSION),
	"enable TLS 1.2 on both sides" },
{ SF_KB_SSL_REASON, 267, "wrong version number",
	"what came back was no TLS record of an accepted version: the port speaks plain SIP over "
	"TCP (or HTTP), or only a TLS version this side refuses[ ({reason})]",
	RULES(SF_R_TLS001_HANDSHAKE, SF_R_TLS001_VERSION, SF_R_DNS007_PORT),
	"point the SRV record (or trunk) at the peer's TLS port, 5061, where TLS 1.2 answers" },
{ SF_KB_SSL_REASON, 294, "unexpected eof while reading",
	"the peer closed the connection in the middle of the TLS handshake without an alert (some "
	"servers do so when they refuse the certificate or the cipher offered)[: {reason}]", { 0 },
	0, NULL },
{ SF_KB_SSL_REASON, 398, "ca md too weak",
	"a CA certificate of the chain is signed with a digest this side refuses (MD5 or SHA-1)[ ({reason})]",
	RULES(SF_R_CERT009_SHA1), "use a chain signed with SHA-256 or better" },
};

/* A 504 without any code (LOG-003): the rules the Edge applies silently. */
static const sf_kb_entry bare_response = {
	SF_KB_MSDIAG, 0, "failure response without ms-diagnostics",
	"{status} from {server} without ms-diagnostics: a DNS or certificate rule on the "
	"Microsoft side refused the call (SRV record of {domain}, SRV target not directly in "
	"{domain}, or the certificate not carrying the SRV target)",
	RULES(SF_R_DNS001_NO_SRV, SF_R_DNS005_SUBDOMAIN, SF_R_DNS005_OTHER_DOMAIN,
		SF_R_DNS005_BARE_DOMAIN, SF_R_CERT001_NAME),
	"run the check below for {domain}; the Edge or client log of the same Call-ID names "
	"the rule",
};

/*
 * The ranges of numbers the table does not list one by one (sf_kb_msdiag_range()).
 * ms-diagnostics: the OCS 2007 "Ms-Diagnostics Header" range list, [MS-OCER] §8 (group
 * chat server).  Direct Routing: "Microsoft and SIP response codes" (560ZZZ: the SBC
 * generated the final response ZZZ; 5XYZZZ: module X of the PSTN hub), the Azure
 * Communication Services PSTN codes note (540ZZZ: inbound, the SBC side).  Sorted, disjoint
 * except that a Direct Routing 5X range sits inside 500000-599999: the narrowest is first.
 */
#define MSR(lo, hi, what)                                                                   \
	{ (lo), (hi), { SF_KB_MSDIAG, (lo), what,                                            \
		"{source} answered ms-diagnostics {code}, which the knowledge base does not know by " \
		"itself: the number is in the range " #lo "-" #hi " of the " what                 \
		" and is known by that range only[: {reason}]", { 0 }, 0, NULL } }
static const struct kb_range {
	uint32_t lo, hi;
	sf_kb_entry e;
} kb_ranges[] = {
	MSR(0, 999, "common error codes (SIP stack, User Services and others)"),
	MSR(1000, 1999, "SIP stack (SipStack)"),
	MSR(2000, 2999, "User Services module (presence)"),
	MSR(3000, 3999, "User Services module (conferencing: focus and focus factory)"),
	MSR(4000, 4999, "User Services module (other)"),
	MSR(5000, 5999, "API applications"),
	MSR(6000, 6999, "IM Conferencing Server"),
	MSR(7000, 7999, "A/V Conferencing Server"),
	MSR(8000, 8999, "Telephony Conferencing Server"),
	MSR(9000, 9999, "MRAS (media relay authentication)"),
	MSR(10000, 10999, "Mediation Server"),
	MSR(11000, 11999, "Metrics Server"),
	MSR(12000, 12999, "VoIP outbound call routing"),
	MSR(13000, 13999, "VoIP inbound call routing"),
	MSR(14000, 14999, "VoIP translation service (dial plans)"),
	MSR(15000, 15999, "Exchange Server Unified Messaging"),
	MSR(16000, 16999, "Intelligent IM Filter"),
	MSR(17000, 17999, "Client Version Filter"),
	MSR(20000, 20999, "group chat server"),
	MSR(90000, 90999, "PIC (public IM connectivity) specific error codes"),
	{ 540000, 540999, { SF_KB_MSDIAG, 540000,
		"Direct Routing: inbound call ended by a 540ZZZ response (SBC side)",
		"a Direct Routing call from the SBC ended with Microsoft response code {code}: a 540 "
		"code points at the SBC and the last three digits are the SIP status[ ({reason})]",
		{ 0 }, 0, "look in the SBC's logs for the same call" } },
	{ 560000, 560999, { SF_KB_MSDIAG, 560000,
		"Direct Routing: final response generated by the SBC (560ZZZ)",
		"the SBC itself generated the final response of the Direct Routing call: the last "
		"three digits of {code} are the SIP status it sent[ ({reason})]",
		{ 0 }, 0, "look in the SBC's logs why it answered so; the SBC vendor can help" } },
	{ 500000, 599999, { SF_KB_MSDIAG, 500000,
		"Direct Routing: response generated by a Microsoft module (5XYZZZ)",
		"a Microsoft module of the Direct Routing PSTN hub generated response code {code} "
		"(5, module X, source Y, code ZZZ); the knowledge base knows it by that structure "
		"only[: {reason}]", { 0 }, 0, NULL } },
};
#undef MSR

const sf_kb_entry *sf_kb_msdiag_range(uint32_t code)
{
	/* first match: the Direct Routing 540 / 560 ranges come before 500000-599999 */
	for (size_t i = 0; i < SF_ARRAY_LEN(kb_ranges); i++) {
		if (code >= kb_ranges[i].lo && code <= kb_ranges[i].hi)
			return &kb_ranges[i].e;
	}
	return NULL;
}

size_t sf_kb_count(void)
{
	return SF_ARRAY_LEN(kb);
}

const sf_kb_entry *sf_kb_at(size_t i)
{
	return i < SF_ARRAY_LEN(kb) ? &kb[i] : NULL;
}

const sf_kb_entry *sf_kb_bare_response(void)
{
	return &bare_response;
}

/* Orders (space, number) pairs. */
static int kb_cmp(sf_kb_space sa, uint32_t na, sf_kb_space sb, uint32_t nb)
{
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (na != nb)
		return na < nb ? -1 : 1;
	return 0;
}

const sf_kb_entry *sf_kb_find(sf_kb_space space, uint32_t number)
{
	size_t lo = 0, hi = SF_ARRAY_LEN(kb);

	/* binary search over the sorted table (test_kb pins the order) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = kb_cmp(kb[mid].space, kb[mid].number, space, number);

		if (c == 0)
			return &kb[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
