/*
 * run.h - feeding a trace to one or more sims in lockstep.
 *
 * The batch command, the comparison and the benchmark all read a trace
 * once and apply each op to every sim in turn (one reader, sims side by
 * side). Malformed lines are reported as "file:line:col: error: ..." and
 * either stop the run or, with keep_going, are skipped.
 */
#ifndef SHADOW_SIM_RUN_H
#define SHADOW_SIM_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "sim.h"
#include "trace.h"

/* Exit statuses of sysexits.h, which the contracts name. */
#define EXIT_USAGE    64 /* EX_USAGE */
#define EXIT_DATAERR  65 /* EX_DATAERR */
#define EXIT_NOINPUT  66 /* EX_NOINPUT */
#define EXIT_SOFTWARE 70 /* EX_SOFTWARE */
#define EXIT_IOERR    74 /* EX_IOERR */

struct run_options {
        const char *name; /* file name used in error messages */
        bool keep_going;  /* report bad lines and go on */
        FILE *errors;     /* where errors go (stderr) */
};

/* Reads r to its end, applying every op to each of the nsims sims. Returns
 * 0, EXIT_DATAERR when a line was malformed or needed a page table that
 * guest memory has no frame left for (at the first one, unless keep_going)
 * or compressed data were corrupt (always at once), or EXIT_IOERR when
 * reading failed. */
int run_trace(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
              const struct run_options *opt);

/* Whether a run that returned status read the whole trace, so that its
 * counters describe it: it succeeded, or skipped malformed lines under
 * keep_going (a read error or corrupt compressed data cut it short). */
bool run_complete(int status, const struct run_options *opt, const struct trace_reader *r);

/* Prints "name:line:col: error: msg" and a newline. */
void run_print_error(FILE *out, const char *name, const struct trace_error *err);

#endif
