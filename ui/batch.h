/*
 * batch.h - the batch face: run a whole trace, print the log and the stats.
 */
#ifndef SHADOW_SIM_BATCH_H
#define SHADOW_SIM_BATCH_H

#include "options.h"

/* Runs the trace named by opt (or the built-in sample). Returns the exit
 * status of the process. */
int batch_run(const struct options *opt);

#endif
