/*
 * compare.h - the comparison face: one trace under every scheme at once.
 */
#ifndef SHADOW_SIM_COMPARE_H
#define SHADOW_SIM_COMPARE_H

#include "options.h"

/* Runs the trace named by opt under native, shadow-eager, shadow,
 * shadow-oos and ept in one pass (one reader, the sims side by side) and
 * prints the table (or JSON / CSV). Returns the process exit status. */
int compare_run(const struct options *opt);

#endif
