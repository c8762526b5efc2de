/*
 * input.h - opening the trace a command line names, for every batch face.
 */
#ifndef SHADOW_SIM_INPUT_H
#define SHADOW_SIM_INPUT_H

#include <stdio.h>

#include "options.h"
#include "record.h"
#include "run.h"
#include "trace.h"

/* Opens opt->trace ("-" for standard input) or, without one, the built-in
 * sample, with the limits of opt->cfg. Sets *name to what error messages
 * call it (escaped, quote.h). Returns 0, or after saying why on stderr
 * EXIT_NOINPUT (it cannot be opened), EXIT_DATAERR (compressed in a format
 * not read) or EXIT_IOERR. */
int input_open(const struct options *opt, struct trace_reader *reader, const char **name);

/* Where a stepper reads what the user types: standard input, or the
 * terminal (/dev/tty) when the trace is read from standard input. Returns
 * NULL after saying why on stderr when there is no terminal to read. The
 * caller closes a stream that is not stdin. */
FILE *input_keys(const struct options *opt);

/* The options of a batch run of opt's trace, called name in messages:
 * errors on stderr, output checked on stdout, opt's memory limit. */
struct run_options input_run_options(const struct options *opt, const char *name);

/* The record of a run of opt's trace (called name) under sim, read by r to
 * its end; native_cycles are native's on the same trace. */
void input_record(struct run_record *rec, const struct options *opt, const char *name,
                  const struct trace_reader *r, const struct sim *sim, uint64_t native_cycles);

/* Writes line and a newline to the FILE file (an exit_report_write line
 * callback). */
void input_put_line(void *file, const char *line);

#endif
