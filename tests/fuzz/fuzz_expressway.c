/*
 * libFuzzer target: the Cisco Expressway / VCS diagnostic log reader
 * (lib/logs/expressway.c: SIPMSG blocks, search history lines, and the
 * message collector of siptext.c) on arbitrary bytes, through two window
 * geometries; the checks are in logs_fuzz.h.
 */
#include "logs_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_logs(data, size, SF_LOGT_EXPRESSWAY);
}
