/* sipfed plan (src/cli_plan.c). */
#ifndef SIPFED_CLI_PLAN_H
#define SIPFED_CLI_PLAN_H

#include <stdio.h>

int cli_plan(int argc, char **argv);
void cli_usage_plan(FILE *fp);

#endif
