/* The operations a run shares between its jobs (first version: none). */
#include "run/run_int.h"

sf_status sf_run_ops_init(sf_run *run)
{
	(void)run;
	return SF_OK;
}

void sf_run_ops_release(sf_run *run)
{
	(void)run;
}
