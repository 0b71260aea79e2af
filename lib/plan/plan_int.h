/* Private to lib/plan: the gap list helpers. */
#ifndef SF_PLAN_INT_H
#define SF_PLAN_INT_H

#include "rules/rules.h"
#include "sipfed/plan.h"

/*
 * Appends the gap @rule (a row of lib/rules/table.c, severity for @profile;
 * a rule without one there is dropped) with the texts of its templates.
 * Subject, planned and found are a->s, a->p and a->f (copied; NULL allowed).
 * Returns 0 or -1 on out-of-memory.
 */
int sf_plan_gap_rule(sf_plan_gaps *g, sf_profile profile, sf_rule rule, const sf_rule_args *a);

/* Appends a finding of the normal rules as a note (copies its texts). */
int sf_plan_gap_finding(sf_plan_gaps *g, const sf_finding *f);

#endif
