/* sipfed probe: SIP OPTIONS over mutual TLS (src/cli_probe.c). */
#ifndef SIPFED_CLI_PROBE_H
#define SIPFED_CLI_PROBE_H

#include <stdio.h>

int cli_probe(int argc, char **argv);
void cli_usage_probe(FILE *fp);

#endif
