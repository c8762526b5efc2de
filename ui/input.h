/*
 * input.h - opening the trace a command line names, for every batch face.
 */
#ifndef SHADOW_SIM_INPUT_H
#define SHADOW_SIM_INPUT_H

#include "options.h"
#include "run.h"
#include "trace.h"

/* Opens opt->trace ("-" for standard input) or, without one, the built-in
 * sample, with the limits of opt->cfg. Sets *name to what error messages
 * call it (escaped, quote.h). Returns 0, or EXIT_NOINPUT after saying why
 * on stderr. */
int input_open(const struct options *opt, struct trace_reader *reader, const char **name);

/* The options of a batch run of opt's trace, called name in messages:
 * errors on stderr, output checked on stdout, opt's memory limit. */
struct run_options input_run_options(const struct options *opt, const char *name);

/* Flushes stdout. Returns status, or EXIT_IOERR (after a message) when a
 * write failed and status was 0. */
int input_finish_output(int status);

#endif
