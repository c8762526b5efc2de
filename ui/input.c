/*
 * input.c - the trace named on the command line, or the built-in sample.
 */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "run.h"
#include "sample.h"

int input_open(const struct options *opt, struct trace_reader *reader, const char **name)
{
        static char escaped[ESCAPE_BUF]; /* the name, for every message of the run */
        struct trace_limits limits;
        trace_limits_of_config(&opt->cfg, &limits);
        if (!opt->trace) {
                trace_open_string(reader, sample_trace, opt->format, &limits);
                *name = "sample_trace.txt";
                return 0;
        }
        *name = strcmp(opt->trace, "-") == 0 ? "<stdin>"
                                             : escape_text(opt->trace, escaped, sizeof escaped);
        switch (trace_open(reader, opt->trace, opt->format, &limits)) {
        case TRACE_OK:
                return 0;
        case TRACE_NO_INPUT:
                fprintf(stderr, "shadow-sim: %s: %s\n", *name, trace_fault(reader));
                return EXIT_NOINPUT;
        case TRACE_BAD_DATA:
                fprintf(stderr, "%s: error: %s\n", *name, trace_fault(reader));
                return EXIT_DATAERR;
        default:
                fprintf(stderr, "%s: error: %s\n", *name, trace_fault(reader));
                return EXIT_IOERR;
        }
}

FILE *input_keys(const struct options *opt)
{
        if (!opt->trace || strcmp(opt->trace, "-") != 0)
                return stdin;
        FILE *tty = fopen("/dev/tty", "r");
        if (!tty)
                fprintf(stderr,
                        "shadow-sim: the trace is read from standard input, so commands are read "
                        "from the terminal: cannot open /dev/tty: %s\n",
                        strerror(errno));
        return tty;
}

struct run_options input_run_options(const struct options *opt, const char *name)
{
        return (struct run_options){.name = name,
                                    .keep_going = opt->keep_going,
                                    .errors = stderr,
                                    .out = stdout,
                                    .max_mem = opt->max_mem,
                                    .threads = opt->threads};
}

void input_record(struct run_record *rec, const struct options *opt, const char *name,
                  const struct trace_reader *r, const struct sim *sim, uint64_t native_cycles)
{
        memset(rec, 0, sizeof *rec);
        record_trace(rec, name, r);
        rec->keep_going = opt->keep_going;
        rec->cfg = sim->cfg;
        rec->stats = sim->stats;
        rec->cpu_stats = sim->cpu_stats;
        rec->native_cycles = native_cycles;
}

void input_put_line(void *file, const char *line)
{
        fputs(line, file);
        fputc('\n', file);
}
