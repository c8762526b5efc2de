/*
 * input.c - the trace named on the command line, or the built-in sample.
 */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "quote.h"
#include "run.h"
#include "sample.h"

int input_open(const struct options *opt, struct trace_reader *reader, const char **name)
{
        static char escaped[ESCAPE_BUF]; /* the name, for every message of the run */
        struct trace_limits limits;
        sim_config_limits(&opt->cfg, &limits);
        if (!opt->trace) {
                trace_open_string(reader, sample_trace, opt->format, &limits);
                *name = "sample_trace.txt";
                return 0;
        }
        if (trace_open(reader, opt->trace, opt->format, &limits) < 0) {
                fprintf(stderr, "shadow-sim: %s: cannot read: %s\n", quote(opt->trace),
                        strerror(errno));
                return EXIT_NOINPUT;
        }
        *name = strcmp(opt->trace, "-") == 0 ? "<stdin>"
                                             : escape_text(opt->trace, escaped, sizeof escaped);
        return 0;
}

struct run_options input_run_options(const struct options *opt, const char *name)
{
        return (struct run_options){.name = name,
                                    .keep_going = opt->keep_going,
                                    .errors = stderr,
                                    .out = stdout,
                                    .max_mem = opt->max_mem};
}

int input_finish_output(int status)
{
        if (fflush(stdout) != 0 && status == 0) {
                fprintf(stderr, "shadow-sim: write error: %s\n", strerror(errno));
                return EXIT_IOERR;
        }
        return status;
}
