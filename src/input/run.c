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

/* Applies op to each sim in turn; reports a frame that was not found.
 * Returns false when that stops the run (status set). */
static bool apply(struct sim *const *sims, unsigned nsims, const struct run_options *opt,
                  const struct op *op, int *status)
{
        /* Every sim models the same guest, so all run out of frames at
         * the same op. */
        bool applied = true;
        for (unsigned i = 0; i < nsims; i++)
                applied &= sim_apply(sims[i], op);
        if (applied)
                return true;
        run_report_no_frame(opt, op);
        *status = EXIT_DATAERR;
        return opt->keep_going;
}

/* The checks before op, the n-th item read (run_is_check). Returns false
 * when they stop the run (status set). */
static bool check(struct sim *const *sims, unsigned nsims, const struct run_options *opt,
                  const struct op *op, uint64_t n, int *status)
{
        if (!run_is_check(op, n))
                return true;
        if (opt->out && run_check_output(opt->out, opt->errors)) {
                *status = EXIT_IOERR;
                return false;
        }
        if (over_limit(sims, nsims, opt, op)) {
                *status = EXIT_DATAERR;
                return false;
        }
        return true;
}

/* Reads the next op the general way and applies it. Returns false when
 * the run ends (status set; *reached_end at the end of the trace). */
static bool next_op(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
                    const struct run_options *opt, uint64_t n, int *status, bool *reached_end)
{
        struct op op;
        struct trace_error err;
        enum trace_status st = trace_next(r, &op, &err);
        if (st == TRACE_EOF) {
                *reached_end = true;
                return false;
        }
        if (st == TRACE_IO_ERROR || st == TRACE_BAD_DATA) {
                if (opt->errors)
                        fprintf(opt->errors, "%s: error: %s\n", opt->name, err.msg);
                *status = st == TRACE_IO_ERROR ? EXIT_IOERR : EXIT_DATAERR;
                return false;
        }
        if (st == TRACE_BAD_LINE) {
                run_print_error(opt->errors, opt->name, &err);
                *status = EXIT_DATAERR;
                return opt->keep_going;
        }
        if (!check(sims, nsims, opt, &op, n, status))
                return false;
        if (opt->before_op)
                opt->before_op(opt->before_ctx, &op);
        return apply(sims, nsims, opt, &op, status);
}

/* Whether the ops of a block (got accesses) may go to each sim in turn, a
 * whole block to one before the next, with the outcome of applying them an
 * op at a time to every sim: the sims share nothing, so only what is seen
 * across them could tell, the order of their sinks' output (at most one
 * has sinks) and which op is the first that finds no frame in any of
 * them, where the run may stop (none can, by the frames left). */
static bool by_sim(struct sim *const *sims, unsigned nsims, size_t got)
{
        unsigned with_sinks = 0;
        for (unsigned i = 0; i < nsims; i++) {
                with_sinks += sims[i]->nsinks > 0;
                if (!sim_can_page_in(sims[i], 2 * (uint64_t)got)) /* two pages an access */
                        return false;
        }
        return with_sinks <= 1;
}

/* Applies a block of got accesses to every sim, each sim's whole block
 * before the next sim's (by_sim), and reports the ops that found no frame
 * as apply does. Returns false when that stops the run (status set). */
static bool apply_by_sim(struct sim *const *sims, unsigned nsims, const struct run_options *opt,
                         const struct op *ops, size_t got, int *status)
{
        _Static_assert(RUN_CHECK_EVERY <= 64, "a block's ops fit a 64-bit mask");
        uint64_t no_frame = 0; /* in any sim, by op */
        for (unsigned m = 0; m < nsims; m++) {
                for (size_t i = 0; i < got; i++) {
                        i += sim_apply_ops(sims[m], ops + i, got - i);
                        if (i < got)
                                no_frame |= UINT64_C(1) << i;
                }
        }
        for (size_t i = 0; no_frame; i++, no_frame >>= 1) {
                if (!(no_frame & 1))
                        continue;
                run_report_no_frame(opt, &ops[i]);
                *status = EXIT_DATAERR;
                if (!opt->keep_going)
                        return false;
        }
        return true;
}

int run_trace(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
              const struct run_options *opt, bool *reached_end)
{
        int status = 0;
        *reached_end = false;
        /* Runs of accesses come from the reader's fast path a block at a
         * time, a block ending where the limits are checked next (so only
         * its first op may be checked) and applied a sim at a time when
         * that changes nothing; any other item, and every item when a
         * caller looks at each op before it is applied, the general way. */
        struct op ops[RUN_CHECK_EVERY];
        for (uint64_t n = 0;;) {
                size_t got = opt->before_op
                                 ? 0
                                 : trace_next_ops(r, ops, RUN_CHECK_EVERY - n % RUN_CHECK_EVERY);
                if (got == 0) {
                        if (!next_op(r, sims, nsims, opt, n++, &status, reached_end))
                                return status;
                        continue;
                }
                if (!check(sims, nsims, opt, &ops[0], n, &status))
                        return status;
                if (by_sim(sims, nsims, got)) {
                        if (!apply_by_sim(sims, nsims, opt, ops, got, &status))
                                return status;
                        n += got;
                        continue;
                }
                for (size_t i = 0; i < got; i++, n++)
                        if (!apply(sims, nsims, opt, &ops[i], &status))
                                return status;
        }
}
