/*
 * The JSON helpers shared by the JSON writers (out_json.c for check and
 * cert, out_logs_json.c for logs, out_plan_json.c for plan).  Documents are
 * jansson values, dumped compact; jansson keeps the insertion order of
 * object keys, which is the order of each contract.  Strings from the
 * outside (a certificate subject, a log line, a plan file) may be
 * ill-formed UTF-8, which jansson refuses: they are repaired, one U+FFFD
 * per ill-formed byte (RFC 3629), rather than losing the whole document.
 */
#ifndef SF_OUT_JSONW_H
#define SF_OUT_JSONW_H

#include <stddef.h>

#include <jansson.h>

#include "sipfed/sipfed.h"

/*
 * A malloc'd copy of the C string @s with each byte that does not start a
 * well-formed UTF-8 sequence replaced by U+FFFD; NULL on out-of-memory.
 */
char *sf_js_repair(const char *s);

/* @s as a JSON string (repaired if need be), null if @s is NULL; NULL only on out-of-memory. */
json_t *sf_js_str(const char *s);

/*
 * Sets @key of @obj to @v and takes the reference, also on failure (as
 * json_object_set_new does); a NULL @v, an allocation that failed, is a
 * failure.  Returns 0 or -1.
 */
int sf_js_set(json_t *obj, const char *key, json_t *v);

/* An array of the @n strings of @v (NULL entries become null); NULL on out-of-memory. */
json_t *sf_js_strv(char *const *v, size_t n);

/*
 * The compact text of @v (malloc'd, for the caller to free) and drops the
 * reference to @v; NULL if @v is NULL or on out-of-memory.
 */
char *sf_js_dump(json_t *v);

/*
 * The "findings" array of F objects (SPEC §3) for findings of @profile and
 * @role, the Microsoft side as that side sees it; NULL on out-of-memory.
 * Defined in out_json.c.
 */
json_t *sf_js_findings(const sf_findings *fs, sf_profile profile, sf_role role);

#endif
