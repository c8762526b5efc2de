/*
 * jobs.h - running numbered jobs in child processes, a few at a time, and
 * taking their output back in order.
 *
 * A sweep is many independent runs: each goes to a child process (fork, so
 * a run is exactly what the command line would do, with its own memory
 * and no shared state), at most so many at once to use the local cores.
 * Each child's standard output goes to a temporary file; the parent reads
 * it back when the child ends and hands the outputs over in the order of
 * the jobs, whatever the order in which they finished, as soon as every
 * earlier job has been handed over too.
 */
#ifndef SHADOW_SIM_JOBS_H
#define SHADOW_SIM_JOBS_H

#include <stdbool.h>
#include <stddef.h>

/* Runs job i in a child: returns its exit status. Its standard output is
 * captured; standard error is the parent's. */
typedef int (*job_run_fn)(void *ctx, unsigned i);

/* Takes job i's output (len bytes, not terminated) and its exit status
 * (128 + N when signal N ended it). Returns false to stop: no job starts
 * after that, and no output is handed over (the output can no longer be
 * written). */
typedef bool (*job_done_fn)(void *ctx, unsigned i, int status, const char *out, size_t len);

/* Runs jobs 0..n-1, at most parallel (>= 1) at once. Returns 0 once every
 * job was handed to done or done asked to stop, or -1 with errno set when
 * a child could not be started or its output kept (fork, a temporary
 * file); the jobs already running are waited for first. */
int jobs_run(unsigned n, unsigned parallel, job_run_fn run, job_done_fn done, void *ctx);

#endif
