/*
 * run.c - one reader, many sims.
 */
#include "run.h"

#include <errno.h>
#include <string.h>

#include "sim_mem.h"

void run_print_error(FILE *out, const char *name, const struct trace_error *err)
{
        if (out)
                fprintf(out, "%s:%llu:%u: error: %s\n", name, (unsigned long long)err->line,
                        err->col, err->msg);
}

int run_check_output(FILE *out, FILE *errors)
{
        if (!ferror(out))
                return 0;
        /* Flushing again fails again, with the reason in errno. */
        errno = EIO;
        fflush(out);
        if (errors)
                fprintf(errors, "shadow-sim: write error: %s\n", strerror(errno));
        return EXIT_IOERR;
}

void run_report_no_frame(const struct run_options *opt, const struct op *op)
{
        struct trace_error err = {.line = op->line, .col = 1};
        if (op->kind == OP_ACCESS)
                snprintf(err.msg, sizeof err.msg,
                         "expected pages that fit in guest memory (--guest-mem), found no free "
                         "frame to page in 0x%llX",
                         (unsigned long long)op->gva);
        else
                snprintf(err.msg, sizeof err.msg,
                         "expected page tables that fit in guest memory (--guest-mem), "
                         "found no free frame for a new table");
        run_print_error(opt->errors, opt->name, &err);
}

/* Whether the sims together take more than opt->max_mem; if so, reports
 * it at op's line. */
static bool over_limit(struct sim *const *sims, unsigned nsims, const struct run_options *opt,
                       const struct op *op)
{
        if (!opt->max_mem)
                return false;
        size_t bytes = 0;
        for (unsigned i = 0; i < nsims; i++)
                bytes += sim_mem_bytes(sims[i]);
        return run_over_limit(opt, op, bytes);
}

bool run_over_limit(const struct run_options *opt, const struct op *op, size_t bytes)
{
        if (bytes <= opt->max_mem)
                return false;
        struct trace_error err = {.line = op->line, .col = 1};
        snprintf(err.msg, sizeof err.msg,
                 "expected a trace whose machines fit in --max-mem (%zu MiB), found them at "
                 "%zu MiB before this line",
                 opt->max_mem >> 20, bytes >> 20);
        run_print_error(opt->errors, opt->name, &err);
        return true;
}

int run_trace(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
              const struct run_options *opt, bool *reached_end)
{
        int status = 0;
        *reached_end = false;
        for (uint64_t n = 0;; n++) {
                struct op op;
                struct trace_error err;
                enum trace_status st = trace_next(r, &op, &err);
                if (st == TRACE_EOF) {
                        *reached_end = true;
                        return status;
                }
                if (st == TRACE_IO_ERROR || st == TRACE_BAD_DATA) {
                        if (opt->errors)
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
                if (run_is_check(&op, n)) {
                        if (opt->out && run_check_output(opt->out, opt->errors))
                                return EXIT_IOERR;
                        if (over_limit(sims, nsims, opt, &op))
                                return EXIT_DATAERR;
                }
                if (opt->before_op)
                        opt->before_op(opt->before_ctx, &op);
                /* Every sim models the same guest, so all run out of
                 * frames at the same op. */
                bool applied = true;
                for (unsigned i = 0; i < nsims; i++)
                        applied &= sim_apply(sims[i], &op);
                if (!applied) {
                        run_report_no_frame(opt, &op);
                        if (!opt->keep_going)
                                return EXIT_DATAERR;
                        status = EXIT_DATAERR;
                }
        }
}
