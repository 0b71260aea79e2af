/*
 * libFuzzer target: the generic evidence scanner (lib/logs/generic.c), the
 * reader of text no other reader claims, on arbitrary bytes, through two
 * window geometries; the checks are in logs_fuzz.h.
 */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_logs(data, size, SF_LOGT_GENERIC);
}
