/* The Edge emulator (private): the decision of a request and the Edge trace. */
#ifndef SF_EDGE_INT_H
#define SF_EDGE_INT_H

#include <stdio.h>

#include "sipfed/edge.h"
#include "sipfed/sipfed.h"

#include <openssl/x509.h>

/* What the Edge answers to a request, and what it writes to its trace. */
typedef struct sf_edge_decision {
	int status;              /* 200, 403, 480, 504, ... */
	const char *phrase;      /* "Server time-out" */
	int code;                /* ms-diagnostics ErrorId, 0 for none */
	char diag[1024];         /* the ms-diagnostics value, "" for none */
	const char *result_code; /* Edge Result-Code ("0xC3E93D6F"), NULL for none */
	const char *result_name;
	const char *text;        /* Text: of the diagnostic record */
	const char *severity;    /* "error", "warning" */
	char data[1024];         /* Data: of the diagnostic record */
	char check[16];          /* the check that decided ("DNS-005"), "" if none */
} sf_edge_decision;

/*
 * The decision of a callback check's result @r for a request that carries
 * r->domain, from the peer whose leaf is @leaf; @source: the Edge FQDN.
 * @is_options: 200 if accepted, else 480.  Pure.
 */
void sf_edge_decide(const sf_result *r, X509 *leaf, const char *source, int is_options,
		    sf_edge_decision *d);
/* The decision of the federation policy (403, ms-diagnostics 1027) for @domain. */
void sf_edge_decide_policy(const char *domain, const char *why, const char *source,
			   sf_edge_decision *d);

/* ---- the trace (lib/edge/trace.c) ---- */

/* Copies @s (@n bytes) into @out made safe for one line of a record; returns @out. */
char *sf_edge_clean(const char *s, size_t n, char *out, size_t outlen);
/*
 * Writes one record: "TL_<level>(TF_<component>) [...]... $$begin_record",
 * @body (lines, each ended by '\n'), "$$end_record".  @fp NULL: nothing.
 */
void sf_edge_trace(FILE *fp, const char *level, const char *component, const char *body);

#endif
