/*
 * run.h - feeding a trace to one or more sims in lockstep.
 *
 * The batch command, the comparison and the benchmark all read a trace
 * once and apply each op to every sim in turn (one reader, sims side by
 * side). Malformed lines are reported as "file:line:col: error: ..." and
 * either stop the run or, with keep_going, are skipped. Two limits stop a
 * run wherever it is: the memory the sims may take (max_mem) and a stream
 * of output that can no longer be written.
 */
#ifndef SHADOW_SIM_RUN_H
#define SHADOW_SIM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
        const char *name; /* file name used in error messages (escaped) */
        bool keep_going;  /* report bad lines and go on */
        FILE *errors;     /* where errors go (stderr); NULL: nowhere, for a
                             second pass over lines already reported */
        FILE *out;        /* the stream the sims' sinks write, or NULL: a
                             write error on it stops the run */
        size_t max_mem;   /* bytes the sims may take together (0: no limit) */
        unsigned threads; /* run_trace_parallel: threads it may use, the caller's
                             among them (0: one a core) */
        /* Called with each op before the sims apply it, or NULL: a caller
         * that reads the machines between two ops (the quiz) does it there. */
        void (*before_op)(void *ctx, const struct op *op);
        void *before_ctx;
};

/* Reads r to its end, applying every op to each of the nsims sims. Sets
 * *reached_end when every line was read (so the counters describe the
 * whole trace). Returns 0; EXIT_DATAERR when a line was malformed or
 * needed a page table or a demand-paged frame that guest memory has no
 * frame left for (at the first one, unless keep_going), or when the sims
 * would grow past max_mem before an op (always at that op: the limit
 * stands for the rest of the trace too); EXIT_IOERR when reading r or
 * writing opt->out failed; EXIT_DATAERR at once, too, when compressed
 * data are corrupt or cut short. Each is reported on opt->errors. */
int run_trace(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
              const struct run_options *opt, bool *reached_end);

/* The same, the machines on threads of their own, each its own sim, while
 * the calling thread reads the trace into batches of ops ahead of them
 * (run_parallel.c): the same result, messages and exit status, byte for
 * byte, in about the time of the slowest machine when there are cores
 * enough (opt->threads of them, or one a core), even for one machine:
 * the reading goes on beside it. The sims must have no sinks but their
 * statistics (nothing is written as they run). Runs run_trace when
 * threads cannot be had. */
int run_trace_parallel(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
                       const struct run_options *opt, bool *reached_end);

/* Ops between two checks of the memory limit and of the output while the
 * ops are accesses (every other op is checked): an access adds a few
 * pages at most, so the limit is overshot by little, and the checks cost
 * nothing measurable. */
#define RUN_CHECK_EVERY 64

/* Whether the limits are checked before op, the n-th item read (bad
 * lines count). */
static inline bool run_is_check(const struct op *op, uint64_t n)
{
        return op->kind != OP_ACCESS || n % RUN_CHECK_EVERY == 0;
}

/* Whether bytes of machines are over opt->max_mem (not 0); if so, reports
 * it at op's line on opt->errors. */
bool run_over_limit(const struct run_options *opt, const struct op *op, size_t bytes);

/* Reports at op's line that guest memory has no frame left for it. */
void run_report_no_frame(const struct run_options *opt, const struct op *op);

/* Prints "name:line:col: error: msg" and a newline. */
void run_print_error(FILE *out, const char *name, const struct trace_error *err);

/* Checks out for a write error, as the run goes or at its end: returns 0,
 * or EXIT_IOERR after "shadow-sim: write error: REASON" on errors (when
 * not NULL). */
int run_check_output(FILE *out, FILE *errors);

#endif
