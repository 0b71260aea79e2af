/*
 * ms-diagnostics / ms-diagnostics-public header values (MS-SIPRE §2.2.3,
 * codes listed in MS-OCER): "1009;reason=\"...\";domain=\"x\";...".  The
 * parameter list itself is read by sf_sip_params_parse_end (sip.c), which
 * copes with the line breaks of text pasted from PDFs and decides where the
 * list ends.
 */
#include "sip/sip.h"

#include <string.h>

#define MSDIAG_MAX_DIGITS 9 /* codes are 4 digits; 9 keeps the int from overflowing */

int sf_msdiag_parse(sf_span value, sf_msdiag *out)
{
	const char *p = value.p;
	size_t n = value.n, i = 0, d, end = 0;
	int code = 0;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (!p)
		return -1;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	d = i;
	while (i < n && p[i] >= '0' && p[i] <= '9' && i - d < MSDIAG_MAX_DIGITS) {
		code = code * 10 + (p[i] - '0');
		i++;
	}
	if (i == d)
		return -1;
	/* "1009x" or a number longer than any code is no diagnostic code */
	if (i < n && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= 'a' && p[i] <= 'z')))
		return -1;
	out->code = code;
	out->used = i;
	out->n_params = sf_sip_params_parse_end((sf_span){ p + i, n - i }, out->params,
						 SF_MSDIAG_MAX_PARAMS, &end);
	if (end)
		out->used = i + end;
	out->reason = sf_sip_param_get(out->params, out->n_params, "reason");
	return 0;
}
