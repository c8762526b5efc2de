/*
 * compare.c - the comparison face: every scheme on one trace, one table.
 *
 * The trace is read once (a pipe too) and every scheme's machine applies
 * it, the machines spread over a thread a core (run_trace_parallel). The
 * table has a row per counter and a column per scheme, then the overhead
 * of each scheme's cycles over native's: the numbers that say why
 * shadow paging was expensive, what EPT fixed, and what it costs. As CSV
 * or JSON it is the records of the runs (record.h), with what reproduces
 * them; --exits adds each scheme's exits by reason.
 */
#include "compare.h"

#include <stdio.h>

#include "exit_report.h"
#include "input.h"
#include "output.h"
#include "record.h"
#include "run.h"

static void print_table(FILE *out, struct sim *sims, unsigned n)
{
        fprintf(out, "%-20s", "counter");
        for (unsigned m = 0; m < n; m++)
                fprintf(out, " %13s", mode_name(sims[m].cfg.mode));
        fputc('\n', out);
        for (unsigned i = 0; i < STATS_COUNT; i++) {
                if (!stats_shown(i, sims[0].cfg.vcpus))
                        continue;
                fprintf(out, "%-20s", stats_name(i));
                for (unsigned m = 0; m < n; m++)
                        fprintf(out, " %13llu", (unsigned long long)stats_value(&sims[m].stats, i));
                fputc('\n', out);
        }
        fprintf(out, "%-20s", "overhead_vs_native");
        for (unsigned m = 0; m < n; m++)
                fprintf(out, " %12.1f%%", stats_overhead(&sims[m].stats, sims[0].stats.cycles));
        fputc('\n', out);
}

/* --exits: a block per scheme, after the table. */
static void print_exits(FILE *out, const struct sim *sims, unsigned n)
{
        for (unsigned m = 0; m < n; m++) {
                struct exit_report rep;
                exit_report_make(&rep, &sims[m].stats, &sims[m].cfg.cost);
                fputc('\n', out);
                exit_report_write(&rep, mode_name(sims[m].cfg.mode), input_put_line, out);
        }
}

int compare_run(const struct options *opt)
{
        struct trace_reader reader;
        const char *name;
        int status = input_open(opt, &reader, &name);
        if (status != 0)
                return status;

        /* Every scheme in registry order: native first, the baseline of the
         * overhead row. */
        enum { NSCHEMES = MODE_COUNT };
        struct sim sims[NSCHEMES];
        struct sim *ptrs[NSCHEMES];
        for (unsigned m = 0; m < NSCHEMES; m++) {
                struct sim_config cfg = opt->cfg;
                cfg.mode = (enum mmu_mode)m;
                sim_init(&sims[m], &cfg);
                ptrs[m] = &sims[m];
        }
        struct run_options ropt = input_run_options(opt, name);
        bool end;
        status = run_trace_parallel(&reader, ptrs, NSCHEMES, &ropt, &end);
        if (end) {
                struct run_record recs[NSCHEMES];
                for (unsigned m = 0; m < NSCHEMES; m++)
                        input_record(&recs[m], opt, name, &reader, &sims[m], sims[0].stats.cycles);
                if (opt->stats_format == STATS_JSON)
                        record_json_compare(stdout, recs, NSCHEMES);
                else if (opt->stats_format == STATS_CSV)
                        record_csv_table(stdout, recs, NSCHEMES);
                else
                        print_table(stdout, sims, NSCHEMES);
                if (opt->exits)
                        print_exits(stdout, sims, NSCHEMES);
        }
        trace_close(&reader);
        status = output_finish("shadow-sim", status);
        for (unsigned m = 0; m < NSCHEMES; m++)
                sim_free(&sims[m]);
        return status;
}
