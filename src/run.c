/*
 * run.c - one reader, many sims.
 */
#include "run.h"

#include <string.h>

void run_print_error(FILE *out, const char *name, const struct trace_error *err)
{
        fprintf(out, "%s:%llu:%u: error: %s\n", name, (unsigned long long)err->line, err->col,
                err->msg);
}

bool run_complete(int status, const struct run_options *opt, const struct trace_reader *r)
{
        return status == 0 || (status == EXIT_DATAERR && opt->keep_going && r->fault == TRACE_OK);
}

int run_trace(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
              const struct run_options *opt)
{
        int status = 0;
        for (;;) {
                struct op op;
                struct trace_error err;
                enum trace_status st = trace_next(r, &op, &err);
                if (st == TRACE_EOF)
                        return status;
                if (st == TRACE_IO_ERROR || st == TRACE_BAD_DATA) {
                        fprintf(opt->errors, "%s: error: %s\n", opt->name, err.msg);
                        return st == TRACE_IO_ERROR ? EXIT_IOERR : EXIT_DATAERR;
                }
                if (st == TRACE_BAD_LINE) {
                        run_print_error(opt->errors, opt->name, &err);
                        if (!opt->keep_going)
                                return EXIT_DATAERR;
                        status = EXIT_DATAERR;
                        continue;
                }
                /* Every sim models the same guest, so all run out of
                 * frames for page tables at the same op. */
                bool applied = true;
                for (unsigned i = 0; i < nsims; i++)
                        applied &= sim_apply(sims[i], &op);
                if (!applied) {
                        err.line = op.line;
                        err.col = 1;
                        snprintf(err.msg, sizeof err.msg,
                                 "expected page tables that fit in guest memory (--guest-mem), "
                                 "found no free frame for a new table");
                        run_print_error(opt->errors, opt->name, &err);
                        if (!opt->keep_going)
                                return EXIT_DATAERR;
                        status = EXIT_DATAERR;
                }
        }
}
