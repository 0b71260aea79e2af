/*
 * libFuzzer target: the plain SIP text and pasted document reader
 * (lib/logs/siptext.c, and the records of the other formats it also reads)
 * on arbitrary bytes, through two window geometries; the checks are in
 * logs_fuzz.h.
 */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_logs(data, size, SF_LOGT_SIP);
}
