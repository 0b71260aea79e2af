/*
 * sipfed plan: from the description of a deployment (SIP domains, Access
 * Edges, reverse proxy, pools, meet and dial-in URLs, UM servers) to the DNS
 * records to publish and the certificates to order, and back: `plan --check`
 * compares a live or offline deployment with the plan (docs/plan.md).
 *
 * The planner is pure (no I/O but reading the plan file); the check goes
 * through the context's DNS and TLS sources like sf_check_domain().  Nothing
 * here prints or exits.
 */
#ifndef SIPFED_PLAN_H
#define SIPFED_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipfed/sipfed.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which DNS view a planned record belongs in. */
typedef enum sf_plan_view {
	SF_PLAN_VIEW_EXTERNAL = 0, /**< the public zone */
	SF_PLAN_VIEW_INTERNAL = 1, /**< the internal zone (split DNS) */
} sf_plan_view;

/** What a planned record is for. */
typedef enum sf_plan_purpose {
	SF_PLAN_P_FEDERATION = 0,   /**< _sipfederationtls._tcp.<d> SRV */
	SF_PLAN_P_CLIENT,           /**< _sip._tls.<d> SRV (client sign-in) */
	SF_PLAN_P_EDGE_HOST,        /**< the Access Edge's own name in <d> (an SRV target) */
	SF_PLAN_P_EDGE,             /**< Access Edge, web conferencing and A/V Edge FQDNs */
	SF_PLAN_P_LYNCDISCOVER,     /**< lyncdiscover.<d> */
	SF_PLAN_P_LYNCDISCOVER_INT, /**< lyncdiscoverinternal.<d> (internal view) */
	SF_PLAN_P_MEET,             /**< meet URL host */
	SF_PLAN_P_DIALIN,           /**< dial-in URL host */
	SF_PLAN_P_WEB,              /**< reverse proxy, external web services FQDN */
	SF_PLAN_P_COUNT
} sf_plan_purpose;

/** "federation", "client", "edge-host", "edge", "lyncdiscover", ... (JSON "purpose"). */
const char *sf_plan_purpose_name(sf_plan_purpose p);

/** One record to publish.  Names lowercase, without the trailing dot. */
typedef struct sf_plan_record {
	char *owner;
	uint16_t type;                   /**< 33 SRV, 1 A, 28 AAAA, 5 CNAME */
	uint16_t priority, weight, port; /**< SRV only */
	char *target;                    /**< SRV and CNAME target; NULL for A/AAAA */
	char *address;                   /**< A/AAAA; NULL: no address in the plan (placeholder) */
	sf_plan_view view;
	sf_plan_purpose purpose;
	const char *checks;              /**< static: check IDs it satisfies, "DNS-001 DNS-005" */
	const char *comment;             /**< static: why this record, in this form */
} sf_plan_record;

/** "SRV", "A", "AAAA", "CNAME". */
const char *sf_plan_rrtype_name(uint16_t type);

/**
 * The records of one zone: a SIP domain of the plan, or, for a name under
 * none of them (the hoster's own Edge), the name's parent domain.
 */
typedef struct sf_plan_zone {
	char *zone;
	int sip_domain; /**< 1 if @c zone is a SIP domain of the plan */
	sf_plan_record *records;
	size_t n_records, cap;
} sf_plan_zone;

typedef enum sf_plan_federation {
	SF_PLAN_FED_DIRECT = 0,  /**< SRV target <label>.<d> (the Edge's name in each domain) */
	SF_PLAN_FED_HOSTING = 1, /**< SRV target the Edge FQDN, a hosting provider at partners */
	SF_PLAN_FED_NONE = 2,    /**< no federation */
} sf_plan_federation;

/** "direct", "hosting-provider", "none". */
const char *sf_plan_federation_name(sf_plan_federation f);

/** What the plan gives one SIP domain. */
typedef struct sf_plan_domain {
	char *domain;
	char *edge;                 /**< external FQDN of the Access Edge that serves it */
	sf_plan_federation federation;
	char *federation_target;    /**< NULL with SF_PLAN_FED_NONE */
	uint16_t federation_port;
	char *client_target;        /**< _sip._tls target; NULL if client autoconfig is off */
	uint16_t client_port;
	int own_host;               /**< 1: a name <label>.<d> for the Edge had to be added */
	char *meet_url;             /**< NULL without a reverse proxy */
	int lyncdiscover;           /**< 0 none, 1 HTTPS, 2 HTTP on port 80 */
} sf_plan_domain;

typedef enum sf_plan_cert_kind {
	SF_PLAN_CERT_EDGE = 0,          /**< Access Edge external interface */
	SF_PLAN_CERT_REVERSE_PROXY = 1, /**< reverse proxy (external web services) */
	SF_PLAN_CERT_FRONT_END = 2,     /**< Front End pool (default and web certificates) */
	SF_PLAN_CERT_UM = 3,            /**< Exchange Unified Messaging server */
	SF_PLAN_CERT_COUNT
} sf_plan_cert_kind;

/** "edge", "reverse-proxy", "front-end", "um". */
const char *sf_plan_cert_kind_name(sf_plan_cert_kind k);

/** A certificate to order. */
typedef struct sf_plan_cert {
	sf_plan_cert_kind kind;
	char *subject;       /**< the subject CN */
	char **san;          /**< SAN dNSNames, the subject first, no duplicates */
	size_t n_san;
	size_t n_per_domain; /**< how many of them are there once per SIP domain */
	int public_ca;       /**< 1: to be issued by a public CA */
	char *host;          /**< the host presenting it (plan --check connects there) */
	uint16_t port;
	const char *note;    /**< static */
} sf_plan_cert;

/**
 * A choice that changes the number of certificate names, with its price.
 * san_now[k] / san_toggled[k]: SAN entries of all certificates of kind k as
 * planned, and with the option switched the other way.
 */
typedef struct sf_plan_option {
	const char *name;      /**< stable: "lyncdiscover_over_http", "shared_meet_host", ... */
	int applicable;        /**< 0: the plan has nothing it would change */
	int in_use;
	size_t san_now[SF_PLAN_CERT_COUNT];
	size_t san_toggled[SF_PLAN_CERT_COUNT];
	const char *summary;   /**< static */
	const char *tradeoffs; /**< static */
} sf_plan_option;

/**
 * A note on the plan or a gap between plan and reality: a row of the rule
 * table (sf_rule_get()), a check of SPEC §4 or a PLAN-nnn row.  Strings
 * owned except @c id (the table's).  @c planned and @c found may be NULL.
 */
typedef struct sf_plan_gap {
	sf_rule rule;
	const char *id;
	sf_severity severity;
	char *subject;
	char *planned;
	char *found;
	char *message;
	char *fix;
} sf_plan_gap;

typedef struct sf_plan_gaps {
	sf_plan_gap *v;
	size_t n, cap;
} sf_plan_gaps;

void sf_plan_gaps_release(sf_plan_gaps *g);
sf_severity sf_plan_gaps_max(const sf_plan_gaps *g);

/** A plan, parsed and worked out.  Everything owned by the plan. */
typedef struct sf_plan {
	char *file;             /**< as given to sf_plan_load() / sf_plan_parse() */
	char *name;             /**< "name" of the plan, or NULL */
	sf_profile profile;
	uint32_t ttl;
	sf_plan_domain *domains;
	size_t n_domains;
	sf_plan_zone *zones;    /**< SIP domains first, in plan order, then other zones */
	size_t n_zones;
	sf_plan_cert *certs;
	size_t n_certs;
	char *dialin_url;       /**< the one dial-in URL, or NULL */
	char **hosting;         /**< Edge FQDNs used as hosting provider (partners must add them) */
	size_t n_hosting;
	sf_plan_option *options;
	size_t n_options;
	sf_plan_gaps notes;     /**< what to know about the plan itself */
	size_t n_records;
	size_t san_total;
	/**
	 * NULL for a plan that was worked out; the message when sf_plan_load()
	 * or sf_plan_parse() failed (then every list above is empty).  Read it
	 * with sf_plan_error().
	 */
	char *error;
} sf_plan;

/**
 * Reads and works out the plan in @p file (JSON, schema in docs/plan.md).
 * Returns SF_OK, SF_EINVAL (no file name), SF_EIO (unreadable), SF_EPARSE
 * (not JSON, or a field is wrong) or SF_ENOMEM.  *out_plan is owned by the
 * caller (sf_plan_free()), and is set on failure too (except SF_ENOMEM,
 * when it may be NULL): a plan with nothing in it but the message,
 * sf_plan_error(), e.g. "FILE: domains[2]: not a valid domain name ('a..b')".
 */
sf_status sf_plan_load(const char *file, sf_plan **out_plan);

/** The same from memory; @p label stands for the file name in messages. */
sf_status sf_plan_parse(const char *text, size_t len, const char *label, sf_plan **out_plan);

/**
 * The message of a failed sf_plan_load() / sf_plan_parse(); "" for a plan
 * that was worked out; "out of memory" for NULL.
 */
const char *sf_plan_error(const sf_plan *p);

void sf_plan_free(sf_plan *p);

/* ---- plan --check ------------------------------------------------------- */

/** One SIP domain of the plan against reality. */
typedef struct sf_plan_domain_check {
	sf_result *result;  /**< the normal check, as sf_check_domain() gives it */
	sf_plan_gaps gaps;  /**< the plan's records of this domain that reality lacks */
	size_t n_compared;  /**< planned records compared */
} sf_plan_domain_check;

void sf_plan_domain_check_free(sf_plan_domain_check *dc);

/**
 * Checks domain @p i of @p plan: sf_check_domain() and the planned external
 * records of its zone (federation and client SRV, the Edge's name, web
 * names).  Errors as sf_check_domain(); a domain that could not be checked
 * (verdict error) has no gaps.
 */
sf_status sf_plan_check_domain(sf_ctx *ctx, const sf_plan *plan, size_t i,
			       sf_plan_domain_check **out_check);

/**
 * Checks the planned external records of zone @p zi (for the zones that are
 * not SIP domains: the hoster's own names).  Gaps are appended to @p out;
 * *out_compared gets the number of records compared.
 */
sf_status sf_plan_check_zone(sf_ctx *ctx, const sf_plan *plan, size_t zi, sf_plan_gaps *out,
			     size_t *out_compared);

/** One planned certificate against the one its host presents. */
typedef struct sf_plan_cert_check {
	const sf_plan_cert *cert; /**< borrowed from the plan */
	int verified;             /**< 1: a chain was presented and compared */
	char *reason;             /**< why not verified */
	char *presented_cn;
	char **presented_san;
	size_t n_presented_san;
	sf_plan_gaps gaps;        /**< planned names missing; not verified */
	sf_findings findings;     /**< certificate rules (reverse proxy, front end, UM) */
	sf_profile profile;       /**< ... as run: with this profile */
	sf_role role;             /**< ... and this role (SF_ROLE_UM for UM, else web) */
} sf_plan_cert_check;

void sf_plan_cert_check_free(sf_plan_cert_check *cc);

/**
 * Fetches the chain presented by the host of certificate @p i of @p plan
 * (port as planned) and lists every planned name it lacks.  For the reverse
 * proxy, front end and UM certificates the certificate rules run too (UM-001
 * for UM).  A malformed chain file in --certs gives SF_EPARSE as in a check.
 */
sf_status sf_plan_check_cert(sf_ctx *ctx, const sf_plan *plan, size_t i,
			     sf_plan_cert_check **out_check);

/** Running totals of a plan check. */
typedef struct sf_plan_check_summary {
	size_t domains, errors, warnings, gaps, not_verified;
	int operational; /**< a domain could not be checked */
} sf_plan_check_summary;

void sf_plan_summary_add_domain(sf_plan_check_summary *s, const sf_plan_domain_check *dc);
void sf_plan_summary_add_gaps(sf_plan_check_summary *s, const sf_plan_gaps *g);
void sf_plan_summary_add_cert(sf_plan_check_summary *s, const sf_plan_cert_check *cc);
/** pass, warn, fail, or error when a domain could not be checked. */
sf_verdict sf_plan_summary_verdict(const sf_plan_check_summary *s);

/* ---- writers (lib/out/out_plan_*.c); return 0, or -1 on a write error ---- */

int sf_out_text_plan(FILE *fp, const sf_plan *p, int color);
/** The JSON document of `sipfed plan --format json` (one line, no newline); NULL on OOM. */
char *sf_out_json_plan(const sf_plan *p);

int sf_out_text_plan_domain_check(FILE *fp, const sf_plan_domain_check *dc, int color);
int sf_out_text_plan_zone_check(FILE *fp, const char *zone, const sf_plan_gaps *g,
				size_t n_compared, int color);
int sf_out_text_plan_cert_check(FILE *fp, const sf_plan_cert_check *cc, int color);
int sf_out_text_plan_summary(FILE *fp, const sf_plan_check_summary *s, int color);

/** R of `check` plus "gaps" and "compared". */
char *sf_out_json_plan_domain_check(const sf_plan_domain_check *dc);
/** {"zone":..., "compared":N, "gaps":[...]} */
char *sf_out_json_plan_zone_check(const char *zone, const sf_plan_gaps *g, size_t n_compared);
char *sf_out_json_plan_cert_check(const sf_plan_cert_check *cc);
/** The "plan" member of the plan --check document: {"file","name","profile","ttl"}. */
char *sf_out_json_plan_check_head(const sf_plan *p);
/** {"domains":N,...,"verdict":"..."} */
char *sf_out_json_plan_summary(const sf_plan_check_summary *s);

#ifdef __cplusplus
}
#endif
#endif
