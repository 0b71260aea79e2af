/*
 * libFuzzer target: the Expressway "Search history" page reader (lib/logs/xwsearch.c:
 * the list and the details) on arbitrary bytes, through two window
 * geometries; the checks are in logs_fuzz.h.
 */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_logs(data, size, SF_LOGT_XWSEARCH);
}
