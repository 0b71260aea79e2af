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
	"the federated peer {peer} of {domain} answered with an error but without "
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
	"{source} could not open a TCP connection to the federated peer {peer}",
	RULES(SF_R_NET001_CONNECT, SF_R_DNS009_PRIVATE, SF_R_DNS007_PORT),
	"make {peer} reachable from the Internet on TCP 5061 (firewall, NAT) and publish its "
	"public address" },
/* TLS failure; WinsockFailureCode / HRESULT refine; SPEC §4 TLS-001, CERT-005, CERT-007 */
{ SF_KB_MSDIAG, 1047, "Failed to complete TLS negotiation with a federated peer server",
	"{source} connected to the federated peer {peer} but the TLS negotiation failed: the "
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
{ SF_KB_HRESULT, 0x8009030Eu, "SEC_E_NO_CREDENTIALS",
	"{source} has no usable certificate of its own for the TLS connection", { 0 }, 0,
	"assign a certificate with its private key to the Edge external interface" },
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
{ SF_KB_HRESULT, 0x80090331u, "SEC_E_ALGORITHM_MISMATCH",
	CAUSE_TLS, RULES(SF_R_TLS001_VERSION, SF_R_TLS001_HANDSHAKE), FIX_TLS },
{ SF_KB_HRESULT, 0x80090349u, "SEC_E_CERT_WRONG_USAGE",
	CAUSE_USAGE, RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH), FIX_USAGE },
{ SF_KB_HRESULT, 0x80092010u, "CRYPT_E_REVOKED", CAUSE_REVOKED, { 0 }, 0, FIX_REVOKED },
{ SF_KB_HRESULT, 0x80092012u, "CRYPT_E_NO_REVOCATION_CHECK",
	CAUSE_REVOCATION, RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
{ SF_KB_HRESULT, 0x80092013u, "CRYPT_E_REVOCATION_OFFLINE",
	CAUSE_REVOCATION, RULES(SF_R_CERT008_NO_CRLDP), FIX_REVOCATION },
{ SF_KB_HRESULT, 0x800B0101u, "CERT_E_EXPIRED",
	CAUSE_EXPIRED, RULES(SF_R_CERT004_EXPIRED, SF_R_CERT004_NOT_YET_VALID,
			     SF_R_CERT004_CA_EXPIRED, SF_R_CERT004_CA_NOT_YET_VALID), FIX_EXPIRED },
{ SF_KB_HRESULT, 0x800B0109u, "CERT_E_UNTRUSTEDROOT",
	CAUSE_UNTRUSTED, RULES(SF_R_CERT005_UNTRUSTED, SF_R_CERT005_NOT_PUBLIC),
	FIX_UNTRUSTED },
{ SF_KB_HRESULT, 0x800B010Au, "CERT_E_CHAINING",
	"the chain presented for {target} cannot be built to a trusted root: an intermediate "
	"CA certificate is missing",
	RULES(SF_R_TLS002_INCOMPLETE),
	"configure {target} to send its intermediate CA certificate(s) after the leaf" },
{ SF_KB_HRESULT, 0x800B010Cu, "CERT_E_REVOKED", CAUSE_REVOKED, { 0 }, 0, FIX_REVOKED },
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
 * refused the other's certificate or parameters.
 */
{ SF_KB_TLS_ALERT, 40, "handshake_failure",
	"a TLS peer sent alert 40 (handshake_failure): no protocol version, cipher suite or "
	"signature algorithm both sides accept, or a client certificate was required",
	RULES(SF_R_TLS001_HANDSHAKE, SF_R_TLS001_CIPHER, SF_R_TLS004_CLIENT_CERT),
	"offer TLS 1.2 with the cipher suites the Microsoft side supports, and present a "
	"certificate with Client Authentication for mutual TLS" },
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
{ SF_KB_TLS_ALERT, 48, "unknown_ca",
	"a TLS peer sent alert 48 (unknown_ca): the chain presented does not end at a CA it "
	"trusts, or an intermediate is missing",
	RULES(SF_R_CERT005_UNTRUSTED, SF_R_TLS002_INCOMPLETE),
	"send the full chain (leaf and intermediates) and use a CA the peer trusts (a public CA "
	"for Microsoft 365)" },
{ SF_KB_TLS_ALERT, 70, "protocol_version",
	"a TLS peer sent alert 70 (protocol_version): no TLS version both sides accept",
	RULES(SF_R_TLS001_VERSION), "enable TLS 1.2 on both sides" },
{ SF_KB_TLS_ALERT, 80, "internal_error",
	"a TLS peer sent alert 80 (internal_error): a failure inside the peer, unrelated to "
	"the protocol", { 0 }, 0, NULL },
{ SF_KB_TLS_ALERT, 112, "unrecognized_name",
	"a TLS peer sent alert 112 (unrecognized_name): it has no certificate for the server "
	"name asked for (SNI)", RULES(SF_R_TLS003_SNI),
	"configure the certificate for the name the peer connects to" },
{ SF_KB_TLS_ALERT, 116, "certificate_required",
	"a TLS peer sent alert 116 (certificate_required): no client certificate was sent for "
	"mutual TLS", RULES(SF_R_TLS004_CLIENT_CERT, SF_R_CERT007_NO_CLIENTAUTH),
	"present a client certificate with Client Authentication" },

/* ---- OpenSSL certificate verify errors ---------------------------------------------- */
/* X509_V_ERR_* values of OpenSSL's x509_vfy.h, texts of X509_verify_cert_error_string(3). */
{ SF_KB_X509_VERIFY, 2, "unable to get issuer certificate",
	"the verifier could not find the issuer of a certificate in the chain: an intermediate "
	"is missing", RULES(SF_R_TLS002_INCOMPLETE), "send the intermediate certificates" },
{ SF_KB_X509_VERIFY, 9, "certificate is not yet valid",
	"a certificate of the chain is not valid yet", RULES(SF_R_CERT004_NOT_YET_VALID),
	"check the clocks and the certificate's validity dates" },
{ SF_KB_X509_VERIFY, 10, "certificate has expired",
	"a certificate of the chain has expired", RULES(SF_R_CERT004_EXPIRED),
	"renew the expired certificate" },
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
{ SF_KB_X509_VERIFY, 23, "certificate revoked",
	"a certificate of the chain was revoked", { 0 }, 0, "replace the revoked certificate" },
{ SF_KB_X509_VERIFY, 26, "unsupported certificate purpose",
	"the certificate's extended key usage does not allow this use",
	RULES(SF_R_CERT006_EKU, SF_R_CERT007_NO_CLIENTAUTH),
	"issue the certificate with Server and Client Authentication usage" },
{ SF_KB_X509_VERIFY, 62, "hostname mismatch",
	"the certificate does not carry the name that was connected to", RULES(SF_R_CERT001_NAME),
	"put the FQDN the peer connects to in the certificate's SAN" },
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
