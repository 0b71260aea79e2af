/* sipfed edge (src/cli_edge.c). */
#ifndef SIPFED_CLI_EDGE_H
#define SIPFED_CLI_EDGE_H

#include <stdio.h>

int cli_edge(int argc, char **argv);
void cli_usage_edge(FILE *fp);

#endif
