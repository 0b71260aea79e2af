/* Private to lib/plan: the PLAN-nnn table and the gap list helpers. */
#ifndef SF_PLAN_INT_H
#define SF_PLAN_INT_H

#include "sipfed/plan.h"

/*
 * Gaps between a plan and reality, and notes on a plan, that no check of
 * SPEC §4 names.  The IDs live in this one table (lib/plan/plan.c).
 */
typedef enum sf_plan_gap_kind {
	SF_PG_FED_SRV = 0,   /* PLAN-001 federation SRV record missing or elsewhere */
	SF_PG_CLIENT_SRV,    /* PLAN-002 client SRV record missing or elsewhere */
	SF_PG_HOST_ADDR,     /* PLAN-003 a planned Edge name has no or other addresses */
	SF_PG_CERT_NAME,     /* PLAN-004 a planned name is not on the certificate presented */
	SF_PG_WEB_RECORD,    /* PLAN-005 a planned web / discovery name missing or elsewhere */
	SF_PG_CERT_UNCHECKED, /* PLAN-006 a planned certificate could not be looked at */
	SF_PG_EXTRA_SRV,     /* PLAN-007 an SRV record the plan does not have */
	SF_PG_NO_ADDRESS,    /* PLAN-010 the plan gives no address for a name */
	SF_PG_CNAME_CONFLICT, /* PLAN-011 a name would need a CNAME and other records */
	SF_PG_COUNT
} sf_plan_gap_kind;

/* The ID of @k ("PLAN-001"). */
const char *sf_plan_gap_id(sf_plan_gap_kind k);

/*
 * Appends a gap.  Copies subject, planned and found (each may be NULL);
 * takes @message and @fix (malloc'd, may be NULL: then out of memory is
 * reported for a NULL message).  Returns 0 or -1 on out-of-memory (the
 * taken strings are freed then).
 */
int sf_plan_gap_add(sf_plan_gaps *g, const char *id, sf_severity sev, const char *subject,
		    const char *planned, const char *found, char *message, char *fix);

#endif
