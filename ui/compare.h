/*
 * compare.h - the comparison face: one trace under every scheme at once.
 */
#ifndef SHADOW_SIM_COMPARE_H
#define SHADOW_SIM_COMPARE_H

#include "options.h"

/* Runs the trace named by opt under every scheme in one pass (one reader,
 * the machines on every core) and prints the table (or JSON / CSV).
 * Returns the process exit status. */
int compare_run(const struct options *opt);

#endif
