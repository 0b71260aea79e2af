#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/util.h"

/*
 * Expands a table template: {d} {s} {x} {y} {p} {f} become the arguments
 * (NULL = "").  Any other brace is copied.  Returns a malloc'd string or NULL.
 *
 * This is where text from outside (DNS data, certificate fields, HTTP bodies,
 * log fields) enters a message, so the values, and only they, are escaped
 * here, once (sf_sb_add_esc, util.h): a line break, a terminal control or a
 * bidi override in a value becomes a visible escape, and only the template's
 * own newlines can break a line.  The escape is a fixed point, so a value that
 * is itself an expanded message (FED-003 quoting a finding) is not changed
 * again.  A message longer than SF_SB_MAX ends with the visible cut marker.
 */
char *sf_rule_expand(const char *tpl, const sf_rule_args *a)
{
	sf_sb b;
	const char *p = tpl;

	sf_sb_init(&b, 0);
	while (*p) {
		const char *rep = NULL;
		size_t lit;

		if (p[0] == '{' && p[1] && p[2] == '}' && strchr("dsxypf", p[1])) {
			switch (p[1]) {
			case 'd': rep = a->d; break;
			case 's': rep = a->s; break;
			case 'x': rep = a->x; break;
			case 'y': rep = a->y; break;
			case 'p': rep = a->p; break;
			case 'f': rep = a->f; break;
			}
			if (rep)
				sf_sb_add_esc(&b, rep, strlen(rep));
			p += 3;
			continue;
		}
		/* the template's own text up to the next brace that may open a placeholder */
		lit = strcspn(p + 1, "{") + 1;
		sf_sb_addn(&b, p, lit);
		p += lit;
	}
	return sf_sb_take(&b);
}

int sf_findings_add(sf_findings *out, sf_profile profile, sf_rule rule, const char *domain,
		    const char *subject, const char *x, const char *y)
{
	return sf_findings_add_as(out, profile, SF_ROLE_EDGE, rule, domain, subject, x, y);
}

int sf_findings_add_as(sf_findings *out, sf_profile profile, sf_role role, sf_rule rule,
		       const char *domain, const char *subject, const char *x, const char *y)
{
	const sf_rule_info *ri = sf_rule_get(rule);
	const sf_rule_info *mv;
	sf_rule_info tmp;
	sf_rule_args a = { .d = domain, .s = subject, .x = x, .y = y };
	sf_finding *f;

	if (!ri || ri->sev[profile] == SF_SEV_NONE)
		return 0;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		sf_finding *v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return -1;
		out->v = v;
		out->cap = cap;
	}
	f = &out->v[out->n];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->id = ri->id;
	/* The Microsoft view, from the moment the finding is made (the writers only write). */
	mv = sf_rules_microsoft(ri, profile, role, &tmp);
	f->microsoft.ms_diagnostics = mv->ms_diagnostics > 0 ? mv->ms_diagnostics : 0;
	f->microsoft.result_code = mv->result_code;
	f->microsoft.name = mv->name;
	f->microsoft.hresult = mv->hresult;
	f->microsoft.hresult_name = mv->hresult_name;
	f->microsoft.reported = mv->reported;
	f->severity = ri->sev[profile];
	f->subject = sf_strdup(subject ? subject : domain);
	f->message = sf_rule_expand(ri->message, &a);
	f->fix = ri->fix ? sf_rule_expand(ri->fix, &a) : NULL;
	if (!f->subject || !f->message || (ri->fix && !f->fix)) {
		free(f->subject);
		free(f->message);
		free(f->fix);
		return -1;
	}
	out->n++;
	return 0;
}

static int cmp_sev(const void *a, const void *b)
{
	const sf_finding *fa = a, *fb = b;

	if (fa->severity != fb->severity)
		return fa->severity > fb->severity ? -1 : 1;
	return 0;
}

void sf_findings_sort(sf_findings *f)
{
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 1; i < f->n; i++) {
		sf_finding t = f->v[i];
		size_t j = i;

		while (j > 0 && cmp_sev(&f->v[j - 1], &t) > 0) {
			f->v[j] = f->v[j - 1];
			j--;
		}
		f->v[j] = t;
	}
}

sf_severity sf_findings_max(const sf_findings *f)
{
	sf_severity m = SF_SEV_NONE;

	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].severity > m)
			m = f->v[i].severity;
	return m;
}

/* Contract in sipfed.h. */
sf_verdict sf_findings_verdict(const sf_findings *f)
{
	switch (sf_findings_max(f)) {
	case SF_SEV_ERROR:
		return SF_VERDICT_FAIL;
	case SF_SEV_WARN:
		return SF_VERDICT_WARN;
	case SF_SEV_INFO:
	case SF_SEV_NONE:
		break;
	}
	return SF_VERDICT_PASS;
}

void sf_findings_release(sf_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].subject);
		free(f->v[i].message);
		free(f->v[i].fix);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
