/*
 * sipfed — the DNS and certificate rules Microsoft Lync / Skype for Business
 * apply to SIP federation peers.
 *
 * Public API of libsipfed.  The pipeline is: collect facts (DNS, TLS) through a
 * source -> evaluate the pure rules -> write the result.  The library never
 * prints and never exits; every function returns an sf_status and a detailed
 * message is kept in the context (sf_ctx_error()).
 */
#ifndef SIPFED_SIPFED_H
#define SIPFED_SIPFED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPFED_VERSION "0.1.0"

/** Status codes; the numbers are stable. */
typedef enum sf_status {
	SF_OK = 0,
	SF_ENOMEM = 1,    /**< out of memory */
	SF_EINVAL = 2,    /**< invalid argument (bad option value, bad name) */
	SF_EIO = 3,       /**< a file could not be read */
	SF_EPARSE = 4,    /**< a file could not be parsed (zone, PEM, JSON) */
	SF_ETIMEOUT = 5,  /**< a network operation timed out */
	SF_ENET = 6,      /**< network failure (resolver unreachable, refused) */
	SF_ETLS = 7,      /**< TLS library failure */
	SF_EINTERNAL = 8, /**< a bug */
} sf_status;

/** Returns a static, lowercase description of @p st. */
const char *sf_strerror(sf_status st);

/** Rule profiles (SPEC §3 --profile). */
typedef enum sf_profile {
	SF_PROFILE_SFB = 0,  /**< on-premises Skype for Business / Lync Edge */
	SF_PROFILE_O365 = 1, /**< Microsoft 365 / Teams federation */
	SF_PROFILE_DR = 2,   /**< Teams Direct Routing SBC */
	SF_PROFILE_COUNT
} sf_profile;

/** Parses "sfb", "o365" or "dr".  Returns 0, or -1 if unknown. */
int sf_profile_parse(const char *s, sf_profile *out_profile);
const char *sf_profile_name(sf_profile p);

/** Certificate roles for `sipfed cert --role`. */
typedef enum sf_role {
	SF_ROLE_EDGE = 0, /**< Access Edge external interface (default) */
	SF_ROLE_UM,       /**< Exchange Unified Messaging */
	SF_ROLE_WEB,      /**< reverse proxy / web services */
	SF_ROLE_SBC,      /**< Direct Routing SBC */
} sf_role;

int sf_role_parse(const char *s, sf_role *out_role);
const char *sf_role_name(sf_role r);

typedef enum sf_severity {
	SF_SEV_NONE = 0, /**< rule not applicable in this profile */
	SF_SEV_INFO = 1,
	SF_SEV_WARN = 2,
	SF_SEV_ERROR = 3,
} sf_severity;

const char *sf_severity_name(sf_severity s);

/**
 * Rule outcomes.  Several outcomes may share one stable check ID (DNS-009
 * "no address" is an error, "private address" a warning); each has its own
 * row in the rule table (lib/rules/table.c).
 */
typedef enum sf_rule {
	SF_R_DNS001_NO_SRV,
	SF_R_DNS002_MISSPELT,
	SF_R_DNS003_NOT_SRV,
	SF_R_DNS004_ROOT_TARGET,
	SF_R_DNS004_ZONE_APPENDED,
	SF_R_DNS005_SUBDOMAIN,
	SF_R_DNS005_OTHER_DOMAIN,
	SF_R_DNS005_BARE_DOMAIN,
	SF_R_DNS006_NONE_PASS,
	SF_R_DNS006_DISAGREE,
	SF_R_DNS007_PORT,
	SF_R_DNS008_CNAME_TARGET,
	SF_R_DNS009_NO_ADDRESS,
	SF_R_DNS009_PRIVATE,
	SF_R_DNS010_NOT_PUBLIC,
	SF_R_DNS011_WILDCARD,
	SF_R_NET001_CONNECT,
	SF_R_NET001_NO_LAB_CHAIN,
	SF_R_TLS001_VERSION,
	SF_R_TLS001_HANDSHAKE,
	SF_R_TLS001_CIPHER,
	SF_R_TLS002_INCOMPLETE,
	SF_R_TLS003_SNI,
	SF_R_TLS004_CLIENT_CERT,
	SF_R_CERT001_NAME,
	SF_R_CERT002_WILDCARD_ONLY,
	SF_R_CERT003_CN_WILDCARD,
	SF_R_CERT004_EXPIRED,
	SF_R_CERT004_NOT_YET_VALID,
	SF_R_CERT004_EXPIRING,
	SF_R_CERT005_UNTRUSTED,
	SF_R_CERT005_NOT_PUBLIC,
	SF_R_CERT006_EKU,
	SF_R_CERT007_NO_CLIENTAUTH,
	SF_R_CERT008_NO_CRLDP,
	SF_R_CERT009_PSS,
	SF_R_CERT009_SHA1,
	SF_R_CERT010_RSA_SMALL,
	SF_R_CERT010_ECDSA_DR,
	SF_R_CERT011_INTERNAL,
	SF_R_CERT012_CN_NOT_IN_SAN,
	SF_R_CERT012_WILDCARD_FIRST,
	SF_R_FED002_HOSTING,
	SF_R_UM001_SUBJECT,
	SF_R_UM001_WILDCARD,
	SF_R_CLI001_NO_SRV,
	SF_R_CLI001_TARGET,
	SF_R_CLI001_PORT,
	SF_R_CLI001_CERT,
	SF_R_CLI002_NO_DNS,
	SF_R_CLI002_HTTP,
	SF_R_CLI002_CERT,
	SF_R_CLI003_CNAME,
	SF_R_CLI004_MEET_DNS,
	SF_R_CLI004_MEET_CERT,
	SF_R_CLI004_DIALIN,
	SF_R_FED001_DNS,
	SF_R_FED001_CERT,
	SF_R_FED003_STALE,
	SF_R_DR001_ONMICROSOFT,
	SF_R_DR001_NOT_PUBLIC,
	SF_R_FED001_OK,
	SF_R_FED001_PEER_UNTRUSTED,
	SF_R_FED001_PEER_EXPIRED,
	SF_R_FED003_NO_SRV,
	SF_R_FED003_NO_ADDRESS,
	/* A CA certificate of the path: dates, EKU nesting (lib/rules/cert_rules.c). */
	SF_R_CERT004_CA_EXPIRED,
	SF_R_CERT004_CA_NOT_YET_VALID,
	SF_R_CERT006_CA_EKU,
	SF_R_CERT007_CA_NO_CLIENTAUTH,
	SF_R_DNS006_NOT_PROBED,
	/*
	 * Gaps between a plan (sipfed plan --check) and reality, and notes on a
	 * plan: what no check of SPEC §4 names.  Keep them last and together.
	 */
	SF_R_PLAN001_FED_SRV_MISSING,
	SF_R_PLAN001_FED_SRV_OTHER,
	SF_R_PLAN002_CLIENT_SRV_MISSING,
	SF_R_PLAN002_CLIENT_SRV_OTHER,
	SF_R_PLAN003_HOST_MISSING,
	SF_R_PLAN003_HOST_OTHER,
	SF_R_PLAN004_CERT_NAME_MISSING,
	SF_R_PLAN004_CERT_NAME_WILDCARD,
	SF_R_PLAN005_WEB_MISSING,
	SF_R_PLAN005_WEB_OTHER,
	SF_R_PLAN006_CERT_UNCHECKED,
	SF_R_PLAN007_EXTRA_SRV,
	SF_R_PLAN007_UNPLANNED_FED,
	SF_R_PLAN010_NO_ADDRESS,
	SF_R_PLAN011_CNAME_CONFLICT,
	SF_R_COUNT
} sf_rule;

/** One row of the rule table.  All strings static. */
typedef struct sf_rule_info {
	sf_rule rule;
	const char *id;                 /**< stable check ID, "DNS-005" */
	sf_severity sev[SF_PROFILE_COUNT];
	int ms_diagnostics;             /**< 0 if none */
	const char *result_code;        /**< Edge Result-Code, "0xC3E93D6F", or NULL */
	const char *name;               /**< symbolic name of result_code/hresult, or NULL */
	const char *hresult;            /**< "0x80090322", or NULL */
	const char *hresult_name;       /**< "SEC_E_WRONG_PRINCIPAL", or NULL */
	const char *reported;           /**< what the Microsoft side shows */
	const char *message;            /**< template: {d} domain, {s} subject, {x} {y} details */
	const char *fix;                /**< template, same placeholders; NULL if none */
} sf_rule_info;

/** Returns the table row of @p r (never NULL for r < SF_R_COUNT). */
const sf_rule_info *sf_rule_get(sf_rule r);

/**
 * What the Microsoft side reports for a finding, as the side that checks
 * sees it (an Edge; Direct Routing for an SBC; the Skype for Business
 * servers for an Exchange UM server).  Static strings, NULL if none.
 */
typedef struct sf_ms_view {
	int ms_diagnostics;       /**< 0 if none */
	const char *result_code;  /**< Edge Result-Code, "0xC3E93D6F" */
	const char *name;         /**< its symbolic name */
	const char *hresult;      /**< "0x80090322" */
	const char *hresult_name; /**< "SEC_E_WRONG_PRINCIPAL" */
	const char *reported;     /**< what the Microsoft side shows */
} sf_ms_view;

/** A finding: data, not an error.  Strings owned by the finding. */
typedef struct sf_finding {
	sf_rule rule;
	const char *id;       /**< borrowed from the table */
	sf_severity severity; /**< after the profile was applied */
	char *subject;        /**< the FQDN, record or certificate concerned */
	char *message;
	char *fix;            /**< NULL if nothing to change (info) */
	sf_ms_view microsoft; /**< set when the finding is made */
} sf_finding;

typedef struct sf_findings {
	sf_finding *v;
	size_t n, cap;
} sf_findings;

void sf_findings_release(sf_findings *f);
/** Highest severity present, SF_SEV_NONE if empty. */
sf_severity sf_findings_max(const sf_findings *f);

/** One SRV record and what was observed about its target. */
typedef struct sf_srv_result {
	uint16_t priority, weight, port;
	char *target;     /**< as published, lowercase, no trailing dot; "." for root */
	char **addresses; /**< A then AAAA, text form */
	size_t n_addresses;
} sf_srv_result;

typedef enum sf_verdict {
	SF_VERDICT_PASS = 0,
	SF_VERDICT_WARN,
	SF_VERDICT_FAIL,
	SF_VERDICT_ERROR, /**< the check could not run; see reason */
} sf_verdict;

const char *sf_verdict_name(sf_verdict v);

/**
 * The verdict that the highest severity in @p f gives (see sf_findings_max()):
 * SF_VERDICT_FAIL for an error, SF_VERDICT_WARN for a warning, SF_VERDICT_PASS
 * otherwise (info only, or no finding).  Never SF_VERDICT_ERROR: whether a
 * check could run at all is not a matter of findings.
 */
sf_verdict sf_findings_verdict(const sf_findings *f);

/** A link of a lyncdiscover answer (client discovery, --client). */
typedef struct sf_link {
	char *name; /**< "self", "user", "xframe", ... */
	char *href;
} sf_link;

/** What a check looked at (sf_result.checked), so that a verdict claims no more. */
enum sf_checked {
	SF_CHECKED_DNS = 1,       /**< the DNS records */
	SF_CHECKED_TLS = 2,       /**< connections and certificates (a TLS source: live or --certs) */
	SF_CHECKED_CLIENT = 4,    /**< client discovery (--client) */
	SF_CHECKED_CALLBACK = 8,  /**< the inbound callback for a peer (FED-001) */
	SF_CHECKED_ALLOW = 16,    /**< the allow list (FED-003) */
};

/**
 * The facts of one certificate a check saw (a TLS look at host:port), for
 * dashboards and expiry graphs.  Strings owned; NULL when not observed.
 */
typedef struct sf_cert_info {
	char *host;            /**< the name asked for (SNI), e.g. the SRV target */
	uint16_t port;
	char *tls_version;     /**< "TLSv1.3"; NULL offline */
	char *cipher;          /**< IANA name; NULL offline */
	char *subject, *issuer;   /**< of the leaf, one line (RFC 2253) */
	char **san_dns;
	size_t n_san_dns;
	char *not_before, *not_after; /**< RFC 3339 */
	long days_left;        /**< whole days from the check's time to notAfter (negative: expired) */
	char *key_type;        /**< "RSA", "EC", ... */
	int key_bits;
	char *signature;       /**< signature algorithm of the leaf, e.g. "sha256WithRSAEncryption" */
	char **chain_sent;     /**< subjects as the server sent them, leaf first */
	size_t n_chain_sent;
	char **chain_built;    /**< subjects of the path verification built, leaf first (up to
				    where it stopped when untrusted) */
	size_t n_chain_built;
} sf_cert_info;

/** The result of checking one SIP domain (SPEC §3 `R`). */
typedef struct sf_result {
	char *domain;
	sf_profile profile;
	sf_verdict verdict;
	char *reason; /**< set when verdict is SF_VERDICT_ERROR */
	sf_srv_result *srv;
	size_t n_srv;
	sf_findings findings;
	sf_link *links;   /**< --client: links of the lyncdiscover answer */
	size_t n_links;
	unsigned checked;     /**< enum sf_checked bits: what the verdict is about */
	char *dns_source;     /**< "resolver 192.0.2.53:53", "zone files a.zone, b.zone", ... */
	char *tls_source;     /**< "live TLS", "lab directory DIR"; NULL: TLS not checked */
	sf_cert_info *certs;  /**< the certificates seen, in SRV order */
	size_t n_certs;
} sf_result;

void sf_result_free(sf_result *r);

/** Options of a context; zero-initialise, then fill in. */
typedef struct sf_options {
	sf_profile profile;
	const char *const *zone_files; /**< offline DNS if n_zone_files > 0 */
	size_t n_zone_files;
	const char *certs_dir;         /**< offline TLS if non-NULL */
	const char *resolver;          /**< "IP[:PORT]" or NULL for the system resolver */
	const char *const *trust_files;
	size_t n_trust_files;
	int no_system_trust;
	time_t at;                     /**< 0 = now */
	const char *const *hosting_providers; /**< added to the built-in list */
	size_t n_hosting_providers;
	int timeout_ms;                /**< per network operation; 0 = 5000 */
	int no_probe_misspellings;     /**< skip DNS-002 probing */
	int no_network;                /**< set up no DNS or TLS source (cert linting only) */
	int client;                    /**< also run the client-discovery checks CLI-* (--client) */
	/**
	 * Directory of the data files (dr/cipher-suites.txt, dr/trusted-roots.txt),
	 * read in the dr profile.  NULL: $SIPFED_DATADIR, else the directory
	 * compiled in (the installed one, or the source tree's data/ for an
	 * uninstalled build).
	 */
	const char *data_dir;
	/**
	 * CERT-004: a certificate that expires within this many days is a
	 * warning ("expires within N days").  0 = 30.
	 */
	int expiry_days;
} sf_options;

typedef struct sf_ctx sf_ctx;

/**
 * Creates a context: loads zone files, trust roots (the system's too, for
 * the public-root checks), the data files, and opens the resolver.  On
 * failure *out_ctx is still set (unless SF_ENOMEM) so that sf_ctx_error()
 * can say what failed; free it with sf_ctx_free().
 *
 * A context is read-only once made: a check never changes what it knows,
 * so a domain's result never depends on the domains checked before it (what
 * spans domains, CLI-004, belongs to a run).  Only the message of
 * sf_ctx_error() changes when a call on it fails.  Runs use it one after
 * the other (a run binds the live sources to its event loop while it lives).
 */
sf_status sf_ctx_new(const sf_options *opt, sf_ctx **out_ctx);
void sf_ctx_free(sf_ctx *ctx);
/**
 * Notes on how the context read its inputs, one sentence each (a zone
 * file's origin inferred from its name: "FILE: origin X (from the file
 * name)"); *out_n receives their count.  Owned by the context.
 */
const char *const *sf_ctx_notes(const sf_ctx *ctx, size_t *out_n);
/** The message of the last failure, e.g. "cannot read 'x.zone': ...". */
const char *sf_ctx_error(const sf_ctx *ctx);

/**
 * Checks one SIP domain: collects DNS and TLS facts through the context's
 * sources and evaluates every rule.  Operational failures of the network
 * (timeout, resolver unreachable) give SF_OK and a result with verdict
 * SF_VERDICT_ERROR; bad input (a malformed PEM in --certs) gives an error
 * status.  *out_result is owned by the caller (sf_result_free()).
 */
sf_status sf_check_domain(sf_ctx *ctx, const char *domain, sf_result **out_result);

/** Result of `sipfed cert`. */
typedef struct sf_cert_result {
	char *file;
	char *name;        /**< --name, or NULL */
	int name_match;    /**< 1/0; -1 if no name given */
	char *matched_as;  /**< the certificate name that matched, or NULL */
	int chain_trusted; /**< 1/0 */
	char *chain_error; /**< verifier's reason when not trusted */
	char *subject;     /**< leaf subject, one line */
	char *issuer;
	char *not_before, *not_after; /**< RFC 3339 */
	char **san_dns;
	size_t n_san_dns;
	sf_profile profile;
	sf_role role;
	sf_findings findings;
} sf_cert_result;

/**
 * Lints the PEM chain in @p file (leaf first; further certificates are
 * treated as presented intermediates, as are those of @p chain_file).
 * Returns SF_EIO / SF_EPARSE with sf_ctx_error() naming the file.
 */
sf_status sf_cert_lint(sf_ctx *ctx, const char *file, const char *chain_file,
		       const char *name, sf_role role, sf_cert_result **out_result);
void sf_cert_result_free(sf_cert_result *r);

/** Output writers (lib/out/).  Return 0, or -1 on a write error. */
int sf_out_text_result(FILE *fp, const sf_result *r, int color);
int sf_out_text_cert(FILE *fp, const sf_cert_result *r, int color);
/** Returns a malloc'd JSON text of R (one line, no newline). */
char *sf_out_json_result(const sf_result *r);
char *sf_out_json_cert(const sf_cert_result *r);

/**
 * HTML report: one self-contained page (inline CSS, SVG and script, nothing
 * fetched), written as the results come: sf_out_html_begin() writes the head,
 * sf_out_html_result() one domain's table rows (with its findings, Microsoft
 * codes and fixes), sf_out_html_end() the summary (verdict chart, most frequent
 * failing checks, certificate-expiry timeline) and the script, and frees the
 * writer.  The writer keeps only the summary's counts and a bounded list of
 * the soonest-expiring certificates.  @p title NULL: a default; @p at: the
 * evaluation time shown and used for the timeline (0 = now).  Every string of a
 * result is HTML-escaped (ill-formed UTF-8 and control characters replaced).
 * begin returns NULL when out of memory; result and end return 0, or -1 on a
 * write error (end frees the writer in any case).
 */
typedef struct sf_html_writer sf_html_writer;
sf_html_writer *sf_out_html_begin(FILE *fp, const char *title, time_t at);
int sf_out_html_result(sf_html_writer *w, const sf_result *r);
int sf_out_html_end(sf_html_writer *w);

/*
 * Inbound callback (FED-001): a peer (an Expressway-E, a partner's Edge)
 * sends requests whose From / P-Asserted-Identity carry a domain; the Edge
 * looks up that domain's federation SRV record and requires the peer's
 * certificate to carry the SRV target.  An sf_peer is the certificate chain
 * the peer presents.
 */
typedef struct sf_peer sf_peer;

/**
 * Reads the peer's chain from a PEM file (leaf first).  Returns SF_EIO or
 * SF_EPARSE with sf_ctx_error() naming the file.
 */
sf_status sf_peer_load(sf_ctx *ctx, const char *file, sf_peer **out_peer);

/**
 * Fetches the chain that "HOST[:PORT]" (port 5061 by default) presents,
 * through the context's TLS source: a live handshake (HOST resolved through
 * the context's DNS source), or DIR/HOST.pem with --certs.  Returns
 * SF_EINVAL (bad HOST[:PORT], no TLS source), SF_ENET (no address, no
 * connection, no handshake) or SF_EIO / SF_EPARSE (lab file), with
 * sf_ctx_error() saying why.
 */
sf_status sf_peer_fetch(sf_ctx *ctx, const char *host_port, sf_peer **out_peer);
void sf_peer_free(sf_peer *peer);

/**
 * The normal check of @p domain (sf_check_domain()), then FED-001: will an
 * Edge accept requests that carry @p domain in From / P-Asserted-Identity
 * from @p peer?  Call it for the domains the peer sends only.  Appends
 * FED-001 (error: DNS, certificate name, or the peer's own certificate
 * refused in the handshake; info: accepted) and the certificate findings
 * about the peer's own chain to the result.
 * A result with verdict SF_VERDICT_ERROR is returned as it is.
 */
sf_status sf_check_callback(sf_ctx *ctx, const char *domain, const sf_peer *peer,
			    sf_result **out_result);

/*
 * Allow list (FED-003): the allowed domains of an Edge, each with an
 * optional ProxyFqdn (direct federation).  File format, one entry a line:
 *   domain [proxyfqdn]        '#' starts a comment; blank lines ignored
 * or the CSV that `Get-CsAllowedDomain | Export-Csv` writes: a header line
 * naming the columns (Domain required, ProxyFqdn optional, others ignored),
 * double-quoted fields, "#TYPE ..." lines ignored.
 */
typedef struct sf_allow_entry {
	char *domain;     /**< normalised */
	char *proxy_fqdn; /**< normalised, NULL if none */
	size_t line;
} sf_allow_entry;

typedef struct sf_allow_list {
	char *file;
	sf_allow_entry *v;
	size_t n;
	char *error; /**< the message of a failed load (sf_allow_list_error()), or NULL */
} sf_allow_list;

/**
 * Reads an allow list.  On failure the list is still returned (empty, with
 * the message: sf_allow_list_error(), "cannot read 'FILE': ..." for SF_EIO,
 * "FILE line N: ..." for SF_EPARSE), except for SF_ENOMEM when not even
 * that could be allocated (*out_list NULL).  Free it with
 * sf_allow_list_free() in every case.
 */
sf_status sf_allow_list_load(const char *file, sf_allow_list **out_list);
/** The message of the failed load of @l; "" if none; "out of memory" for NULL. */
const char *sf_allow_list_error(const sf_allow_list *l);
void sf_allow_list_free(sf_allow_list *l);

/**
 * FED-003 on the entry of @p l for r->domain, if it has a ProxyFqdn (direct
 * federation: the Edge routes to it without the SRV lookup): a warning if
 * none of the result's SRV targets equals it; if there is no SRV record, a
 * warning that replaces DNS-001..003 (this Edge does not need the record);
 * an error if the ProxyFqdn, not being an SRV target, has no address (it is
 * looked up through the context's DNS source).  Updates the verdict.
 * Results with verdict error are left alone.  Returns SF_OK or SF_ENOMEM.
 */
sf_status sf_check_allow_list(sf_ctx *ctx, const sf_allow_list *l, sf_result *r);

/**
 * Checks a Teams Direct Routing SBC, "FQDN[:PORT]" (port 5061 by default):
 * DR-001 (not under onmicrosoft.com, public addresses), then NET/TLS/CERT
 * on what FQDN:PORT presents, with the SBC FQDN as the expected name.  The
 * result's domain is the SBC FQDN; its srv list holds one pseudo-record
 * (priority 0, weight 0, the port, the FQDN, its addresses): no SRV record
 * is looked up, Direct Routing connects to the FQDN itself.  Meant for the
 * dr profile.  Returns SF_EINVAL for a bad FQDN[:PORT].
 */
sf_status sf_check_sbc(sf_ctx *ctx, const char *sbc, sf_result **out_result);

/** Parses an RFC 3339 time ("2026-11-23T10:00:00Z", offsets allowed). */
int sf_time_parse(const char *s, time_t *out_t);

#ifdef __cplusplus
}
#endif
#endif
