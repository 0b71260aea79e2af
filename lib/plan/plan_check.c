/*
 * plan --check: a deployment against its plan.  Each SIP domain runs the
 * normal check (sf_check_domain: the same DNS and TLS sources, the same
 * rules), then the plan's external records of its zone are looked up through
 * the same DNS source, and each planned certificate is fetched through the
 * same TLS source from the host that presents it.  What differs is a gap
 * (the PLAN rows of lib/rules/table.c); the normal findings stay as they are.
 *
 * Internal records (split DNS) are not looked up: a check from outside
 * cannot see them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "plan/plan_int.h"
#include "util/util.h"

#define MAX_LISTED 12 /* names quoted in a "found" text */

/* "0 0 5061 vcse.acano.steven.lab." */
static char *srv_text(uint16_t prio, uint16_t weight, uint16_t port, const char *target)
{
	return sf_aprintf("%u %u %u %s%s", prio, weight, port, target,
			  strcmp(target, ".") ? "." : "");
}

/* The planned data of @r in zone-file form; malloc'd. */
static char *rec_text(const sf_plan_record *r)
{
	if (r->type == SF_T_SRV)
		return srv_text(r->priority, r->weight, r->port, r->target);
	if (r->type == SF_T_CNAME)
		return sf_aprintf("CNAME %s.", r->target);
	return sf_aprintf("%s %s", sf_plan_rrtype_name(r->type),
			  r->address ? r->address : "<any address>");
}

/* Comma-separated texts of @v (at most MAX_LISTED, then "and N more"); malloc'd. */
static char *join(char *const *v, size_t n)
{
	size_t len = 1, shown = n < MAX_LISTED ? n : MAX_LISTED;
	char *out, *o;

	for (size_t i = 0; i < shown; i++)
		len += strlen(v[i]) + 2;
	len += 32;
	out = malloc(len);
	if (!out)
		return NULL;
	o = out;
	*o = '\0';
	for (size_t i = 0; i < shown; i++)
		o += snprintf(o, len - (size_t)(o - out), "%s%s", i ? ", " : "", v[i]);
	if (n > shown)
		snprintf(o, len - (size_t)(o - out), " and %zu more", n - shown);
	return out;
}

/* ---- the federation SRV record, from the normal result ----------------------- */

static sf_status gaps_federation(const sf_plan_domain *d, const sf_result *r, sf_profile prof,
				sf_plan_gaps *g)
{
	char owner[300];
	char *planned = NULL, *found = NULL, **all = NULL;
	int hit = 0;
	sf_rule_args a = { .d = d->domain, .s = owner };
	sf_status st = SF_ENOMEM;

	snprintf(owner, sizeof(owner), "_sipfederationtls._tcp.%s", d->domain);
	all = calloc(r->n_srv + 1, sizeof(*all));
	if (!all)
		goto out;
	for (size_t i = 0; i < r->n_srv; i++) {
		const sf_srv_result *s = &r->srv[i];

		if (!(all[i] = srv_text(s->priority, s->weight, s->port, s->target)))
			goto out;
		hit |= d->federation_target && s->port == d->federation_port &&
		       strcmp(s->target, d->federation_target) == 0;
	}
	if (r->n_srv && !(a.f = found = join(all, r->n_srv)))
		goto out;
	if (!d->federation_target) {
		if (r->n_srv && sf_plan_gap_rule(g, prof, SF_R_PLAN007_UNPLANNED_FED, &a) < 0)
			goto out;
		st = SF_OK;
		goto out;
	}
	if (!(a.p = planned = srv_text(0, 0, d->federation_port, d->federation_target)))
		goto out;
	if (!hit) {
		if (sf_plan_gap_rule(g, prof, r->n_srv ? SF_R_PLAN001_FED_SRV_OTHER
						       : SF_R_PLAN001_FED_SRV_MISSING, &a) < 0)
			goto out;
		st = SF_OK;
		goto out;
	}
	for (size_t i = 0; i < r->n_srv; i++) {
		const sf_srv_result *s = &r->srv[i];

		if (s->port == d->federation_port && strcmp(s->target, d->federation_target) == 0)
			continue;
		a.f = all[i];
		if (sf_plan_gap_rule(g, prof, SF_R_PLAN007_EXTRA_SRV, &a) < 0)
			goto out;
	}
	st = SF_OK;
out:
	for (size_t i = 0; all && i < r->n_srv; i++)
		free(all[i]);
	free(all);
	free(planned);
	free(found);
	return st;
}

/* ---- planned records against DNS --------------------------------------------- */

/* The gap of a planned record that is missing (@absent) or other. */
static sf_rule gap_rule(const sf_plan_record *r, int absent)
{
	switch (r->purpose) {
	case SF_PLAN_P_CLIENT:
		return absent ? SF_R_PLAN002_CLIENT_SRV_MISSING : SF_R_PLAN002_CLIENT_SRV_OTHER;
	case SF_PLAN_P_EDGE_HOST:
	case SF_PLAN_P_EDGE:
		return absent ? SF_R_PLAN003_HOST_MISSING : SF_R_PLAN003_HOST_OTHER;
	default:
		return absent ? SF_R_PLAN005_WEB_MISSING : SF_R_PLAN005_WEB_OTHER;
	}
}

/* Texts of the records of @type in @q (SRV in zone form); malloc'd array. */
static char **answer_texts(const sf_dns_query *q, uint16_t type, size_t *out_n)
{
	char **v = calloc(q->n_rr + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < q->n_rr; i++) {
		const sf_dns_rr *rr = &q->rr[i];
		char *t;

		if (rr->type != type)
			continue;
		if (type == SF_T_SRV)
			t = srv_text(rr->priority, rr->weight, rr->port, rr->data ? rr->data : ".");
		else if (type == SF_T_CNAME)
			t = sf_aprintf("CNAME %s.", rr->data ? rr->data : "");
		else
			t = sf_aprintf("%s %s", sf_plan_rrtype_name(type),
				       rr->data ? rr->data : "");
		if (!t) {
			for (size_t k = 0; k < n; k++)
				free(v[k]);
			free(v);
			return NULL;
		}
		v[n++] = t;
	}
	*out_n = n;
	return v;
}

static void texts_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Compares one planned record with the answer @q to its owner (type SRV for
 * SRV, else A or AAAA; the answer carries the CNAME chain).  Adds a gap if
 * reality lacks it.
 */
static sf_status compare_record(const sf_plan_record *r, const sf_dns_query *q, sf_profile prof,
			       sf_plan_gaps *g)
{
	uint16_t want = r->type == SF_T_CNAME ? SF_T_A : r->type;
	const char *alias = NULL;
	char **have = NULL, *planned = NULL, *found = NULL, *fix = NULL;
	size_t n_have = 0, n_addr = 0;
	int ok = 0, absent;
	sf_rule_args a = { .s = r->owner, .x = sf_plan_purpose_name(r->purpose) };
	sf_status st = SF_ENOMEM;

	for (size_t i = 0; i < q->n_rr; i++) {
		const sf_dns_rr *rr = &q->rr[i];

		if (rr->type == SF_T_CNAME && rr->owner && strcmp(rr->owner, r->owner) == 0)
			alias = rr->data;
		if (rr->type == SF_T_A || rr->type == SF_T_AAAA)
			n_addr++;
		if (rr->type != want || !rr->data)
			continue;
		if (r->type == SF_T_SRV)
			ok |= rr->port == r->port && strcmp(rr->data, r->target) == 0;
		else if (r->type != SF_T_CNAME)
			ok |= !r->address || strcmp(rr->data, r->address) == 0;
	}
	if (r->type == SF_T_CNAME) {
		/* Published as the planned CNAME, or with addresses of its own: both serve. */
		ok = alias ? strcmp(alias, r->target) == 0 : n_addr > 0;
	}
	if (ok)
		return SF_OK;
	/* What DNS has: the alias if any, then the records of the type asked, or why none. */
	if (!(have = answer_texts(q, want, &n_have)))
		goto out;
	absent = n_have == 0; /* no address (or SRV record) at all */
	{
		char *list;

		if (n_have)
			list = join(have, n_have);
		else if (q->rcode != SF_DNS_NOERROR)
			list = sf_aprintf("%s", sf_dns_rcode_name(q->rcode));
		else
			list = sf_aprintf("no %s record", sf_plan_rrtype_name(want));

		if (!list)
			goto out;
		if (alias && r->type != SF_T_SRV)
			found = sf_aprintf("CNAME %s.; %s", alias, list);
		else
			found = list;
		if (found != list)
			free(list);
	}
	planned = rec_text(r);
	if (!found || !planned)
		goto out;
	/* The fix: the record to publish, in zone-file form. */
	if (r->type == SF_T_SRV)
		fix = sf_aprintf("`%s. IN SRV %s`", r->owner, planned);
	else if (r->address || r->type == SF_T_CNAME)
		fix = sf_aprintf("`%s. IN %s`", r->owner, planned);
	else
		fix = sf_aprintf("an A record for %s (the plan gives no address)", r->owner);
	if (!fix)
		goto out;
	a.p = planned;
	a.f = found;
	a.y = fix;
	st = sf_plan_gap_rule(g, prof, gap_rule(r, absent), &a) < 0 ? SF_ENOMEM : SF_OK;
out:
	texts_free(have, n_have);
	free(planned);
	free(found);
	free(fix);
	return st;
}

/*
 * Looks up every external record of zone @zi (but the federation SRV record,
 * which the normal check already has) in one batch, and compares.
 */
static sf_status check_records(sf_ctx *ctx, const sf_plan *plan, size_t zi, sf_plan_gaps *g,
			       size_t *out_n)
{
	const sf_plan_zone *z = &plan->zones[zi];
	sf_dns_query *q = NULL;
	size_t *qi = NULL, nq = 0, n_cmp = 0;
	sf_status st = SF_ENOMEM;

	*out_n = 0;
	if (!ctx->dns)
		return sf_ctx_fail(ctx, SF_EINVAL, "no DNS source in this context");
	q = calloc(z->n_records + 1, sizeof(*q));
	qi = calloc(z->n_records + 1, sizeof(*qi));
	if (!q || !qi)
		goto out;
	/* One query per distinct owner and type asked. */
	for (size_t i = 0; i < z->n_records; i++) {
		const sf_plan_record *r = &z->records[i];
		uint16_t t = r->type == SF_T_CNAME ? SF_T_A : r->type;
		size_t k;

		if (r->view != SF_PLAN_VIEW_EXTERNAL || r->purpose == SF_PLAN_P_FEDERATION)
			continue;
		for (k = 0; k < nq; k++)
			if (q[k].type == t && strcmp(q[k].name, r->owner) == 0)
				break;
		if (k == nq) {
			q[nq].name = r->owner;
			q[nq].type = t;
			nq++;
		}
		qi[i] = k;
	}
	if (nq > 0 && (st = sf_dns_resolve(ctx->dns, q, nq)) != SF_OK)
		goto out;
	for (size_t i = 0; i < z->n_records; i++) {
		const sf_plan_record *r = &z->records[i];

		if (r->view != SF_PLAN_VIEW_EXTERNAL || r->purpose == SF_PLAN_P_FEDERATION)
			continue;
		n_cmp++;
		if ((st = compare_record(r, &q[qi[i]], plan->profile, g)) != SF_OK)
			goto out;
	}
	*out_n = n_cmp;
	st = SF_OK;
out:
	for (size_t k = 0; q && k < nq; k++)
		sf_dns_query_release(&q[k]);
	free(q);
	free(qi);
	if (st == SF_ENOMEM)
		sf_ctx_fail(ctx, st, "out of memory");
	return st;
}

sf_status sf_plan_check_zone(sf_ctx *ctx, const sf_plan *plan, size_t zi, sf_plan_gaps *out,
			     size_t *out_compared)
{
	*out_compared = 0;
	if (zi >= plan->n_zones)
		return sf_ctx_fail(ctx, SF_EINVAL, "no zone %zu in the plan", zi);
	return check_records(ctx, plan, zi, out, out_compared);
}

void sf_plan_domain_check_free(sf_plan_domain_check *dc)
{
	if (!dc)
		return;
	sf_result_free(dc->result);
	sf_plan_gaps_release(&dc->gaps);
	free(dc);
}

sf_status sf_plan_check_domain(sf_ctx *ctx, const sf_plan *plan, size_t i,
			       sf_plan_domain_check **out_check)
{
	sf_plan_domain_check *dc;
	const sf_plan_domain *d;
	size_t n = 0;
	sf_status st;

	*out_check = NULL;
	if (i >= plan->n_domains)
		return sf_ctx_fail(ctx, SF_EINVAL, "no domain %zu in the plan", i);
	d = &plan->domains[i];
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	st = sf_check_domain(ctx, d->domain, &dc->result);
	if (st != SF_OK)
		goto out;
	/* A domain that could not be checked says nothing about the plan. */
	if (dc->result->verdict == SF_VERDICT_ERROR)
		goto out;
	st = gaps_federation(d, dc->result, plan->profile, &dc->gaps);
	if (st != SF_OK) {
		sf_ctx_fail(ctx, st, "out of memory");
		goto out;
	}
	dc->n_compared = d->federation_target ? 1 : 0;
	/* The SIP domains' zones come first, in plan order (sf_plan.zones). */
	if (i < plan->n_zones && plan->zones[i].sip_domain &&
	    strcmp(plan->zones[i].zone, d->domain) == 0) {
		st = check_records(ctx, plan, i, &dc->gaps, &n);
		dc->n_compared += n;
	}
out:
	if (st != SF_OK) {
		sf_plan_domain_check_free(dc);
		return st;
	}
	*out_check = dc;
	return SF_OK;
}

/* ---- planned certificates against the presented ones ---------------------------- */

void sf_plan_cert_check_free(sf_plan_cert_check *cc)
{
	if (!cc)
		return;
	free(cc->reason);
	free(cc->presented_cn);
	for (size_t i = 0; i < cc->n_presented_san; i++)
		free(cc->presented_san[i]);
	free(cc->presented_san);
	sf_plan_gaps_release(&cc->gaps);
	sf_findings_release(&cc->findings);
	free(cc);
}

/* The first address of @host through the context's DNS; *out NULL if none. */
static sf_status first_address(sf_ctx *ctx, const char *host, char **out, sf_dns_rcode *out_rc)
{
	sf_dns_query q[2];
	sf_status st;

	*out = NULL;
	memset(q, 0, sizeof(q));
	q[0].name = host;
	q[0].type = SF_T_A;
	q[1].name = host;
	q[1].type = SF_T_AAAA;
	st = sf_dns_resolve(ctx->dns, q, 2);
	if (st != SF_OK)
		return st;
	*out_rc = q[0].rcode;
	for (size_t k = 0; k < 2 && !*out; k++) {
		for (size_t i = 0; i < q[k].n_rr && !*out; i++) {
			if (q[k].rr[i].type == q[k].type && q[k].rr[i].data &&
			    !(*out = strdup(q[k].rr[i].data)))
				st = SF_ENOMEM;
		}
	}
	sf_dns_query_release(&q[0]);
	sf_dns_query_release(&q[1]);
	return st;
}

static sf_status unverified(sf_plan_cert_check *cc, const sf_plan *plan, const sf_plan_cert *c,
			   const char *why)
{
	sf_rule_args a = { .s = c->host, .x = sf_plan_cert_kind_name(c->kind), .y = why };

	if (!(cc->reason = strdup(why)))
		return SF_ENOMEM;
	if (sf_plan_gap_rule(&cc->gaps, plan->profile, SF_R_PLAN006_CERT_UNCHECKED, &a) < 0)
		return SF_ENOMEM;
	return SF_OK;
}

/* Compares the presented leaf with the planned SAN list; one gap per name missing. */
static sf_status compare_names(sf_plan_cert_check *cc, const sf_plan *plan,
			      const sf_plan_cert *c, X509 *leaf)
{
	char *found = NULL, where[320];
	sf_rule_args a = { .x = sf_plan_cert_kind_name(c->kind), .y = where };
	sf_status st = SF_ENOMEM;

	snprintf(where, sizeof(where), "%s:%u", c->host, (unsigned)c->port);
	found = cc->n_presented_san ? join(cc->presented_san, cc->n_presented_san)
				    : sf_aprintf("no SAN dNSName (CN %s)",
						 cc->presented_cn ? cc->presented_cn : "none");
	if (!(a.f = found))
		goto out;
	for (size_t k = 0; k < c->n_san; k++) {
		char *matched = NULL;
		int how = 0;

		if (sf_x509_match(leaf, c->san[k], &how, &matched) < 0) {
			st = SF_EINTERNAL;
			goto out;
		}
		free(matched);
		/* As CERT-002: no wildcard on the Edge's external interface. */
		if (how == 1 || (how == 2 && c->kind != SF_PLAN_CERT_EDGE))
			continue;
		a.s = a.p = c->san[k];
		if (sf_plan_gap_rule(&cc->gaps, plan->profile,
				     how == 2 ? SF_R_PLAN004_CERT_NAME_WILDCARD
					      : SF_R_PLAN004_CERT_NAME_MISSING, &a) < 0)
			goto out;
	}
	st = SF_OK;
out:
	free(found);
	return st;
}

sf_status sf_plan_check_cert(sf_ctx *ctx, const sf_plan *plan, size_t i,
			     sf_plan_cert_check **out_check)
{
	sf_plan_cert_check *cc;
	const sf_plan_cert *c;
	sf_tls_facts tf = { 0 };
	sf_strv san = { 0 };
	sf_dns_rcode rc = SF_DNS_NOERROR;
	char *addr = NULL;
	X509 *leaf;
	sf_status st = SF_ENOMEM;

	*out_check = NULL;
	if (i >= plan->n_certs)
		return sf_ctx_fail(ctx, SF_EINVAL, "no certificate %zu in the plan", i);
	c = &plan->certs[i];
	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return sf_ctx_fail(ctx, SF_ENOMEM, "out of memory");
	cc->cert = c;
	if (!ctx->dns || !ctx->tls) {
		st = unverified(cc, plan, c, "no TLS source (--zone without --certs)");
		goto out;
	}
	if ((st = first_address(ctx, c->host, &addr, &rc)) != SF_OK)
		goto out;
	if (!addr) {
		char why[128];

		snprintf(why, sizeof(why), "%s has no address in DNS (%s)", c->host,
			 rc == SF_DNS_NOERROR ? "no A or AAAA record" : sf_dns_rcode_name(rc));
		st = unverified(cc, plan, c, why);
		goto out;
	}
	st = sf_tls_fetch(ctx->tls, c->host, addr, c->port, &tf, ctx->err, sizeof(ctx->err));
	if (st == SF_OK)
		st = sf_collect_chain(ctx, &tf);
	if (st != SF_OK)
		goto out;
	if (tf.state != SF_TLS_OK || !tf.chain || sk_X509_num(tf.chain) < 1) {
		st = unverified(cc, plan, c, tf.error ? tf.error : "no certificate presented");
		goto out;
	}
	leaf = sk_X509_value(tf.chain, 0);
	cc->verified = 1;
	cc->presented_cn = sf_x509_cn(leaf);
	if (sf_x509_san(leaf, &san, NULL) < 0)
		goto out;
	cc->presented_san = san.v;
	cc->n_presented_san = san.n;
	san.v = NULL;
	san.n = san.cap = 0;
	if ((st = compare_names(cc, plan, c, leaf)) != SF_OK)
		goto out;
	/*
	 * The Edge's certificate is what the per-domain checks saw at the SRV
	 * targets; the others get the certificate rules here (UM-001 for UM).
	 */
	if (c->kind != SF_PLAN_CERT_EDGE) {
		cc->profile = ctx->env.profile;
		cc->role = c->kind == SF_PLAN_CERT_UM ? SF_ROLE_UM : SF_ROLE_WEB;
		st = sf_rules_cert(&ctx->env, tf.chain, &tf.cf, c->subject, cc->role, 0, 1, &cc->findings,
				   NULL);
		if (st != SF_OK)
			goto out;
		sf_findings_sort(&cc->findings);
	}
	st = SF_OK;
out:
	sf_tls_facts_release(&tf);
	sf_strv_release(&san);
	free(addr);
	if (st != SF_OK) {
		if (st == SF_ENOMEM)
			sf_ctx_fail(ctx, st, "out of memory");
		else if (st == SF_EINTERNAL)
			sf_ctx_fail(ctx, st, "cannot match names of the certificate of %s",
				    c->host);
		sf_plan_cert_check_free(cc);
		return st;
	}
	*out_check = cc;
	return SF_OK;
}

/* ---- totals ------------------------------------------------------------------------ */

static void count_sev(sf_plan_check_summary *s, sf_severity sev)
{
	if (sev == SF_SEV_ERROR)
		s->errors++;
	else if (sev == SF_SEV_WARN)
		s->warnings++;
}

void sf_plan_summary_add_gaps(sf_plan_check_summary *s, const sf_plan_gaps *g)
{
	for (size_t i = 0; i < g->n; i++) {
		s->gaps++;
		count_sev(s, g->v[i].severity);
	}
}

void sf_plan_summary_add_domain(sf_plan_check_summary *s, const sf_plan_domain_check *dc)
{
	s->domains++;
	if (dc->result->verdict == SF_VERDICT_ERROR)
		s->operational = 1;
	for (size_t i = 0; i < dc->result->findings.n; i++)
		count_sev(s, dc->result->findings.v[i].severity);
	sf_plan_summary_add_gaps(s, &dc->gaps);
}

void sf_plan_summary_add_cert(sf_plan_check_summary *s, const sf_plan_cert_check *cc)
{
	s->not_verified += !cc->verified;
	for (size_t i = 0; i < cc->findings.n; i++)
		count_sev(s, cc->findings.v[i].severity);
	sf_plan_summary_add_gaps(s, &cc->gaps);
}

sf_verdict sf_plan_summary_verdict(const sf_plan_check_summary *s)
{
	if (s->operational)
		return SF_VERDICT_ERROR;
	if (s->errors)
		return SF_VERDICT_FAIL;
	if (s->warnings)
		return SF_VERDICT_WARN;
	return SF_VERDICT_PASS;
}
