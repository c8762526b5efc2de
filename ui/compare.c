/*
 * compare.c - the comparison face: every scheme on one trace, one table.
 *
 * One reader feeds five sims in lockstep, so a trace from a pipe is read
 * once. The table has a row per counter and a column per scheme, then the
 * overhead of each scheme's cycles over native's: the numbers that say why
 * shadow paging was expensive, what EPT fixed, and what it costs.
 */
#include "compare.h"

#include <stdio.h>

#include "run.h"
#include "input.h"

static void print_table(FILE *out, struct sim *sims, unsigned n)
{
        fprintf(out, "%-20s", "counter");
        for (unsigned m = 0; m < n; m++)
                fprintf(out, " %13s", mode_name(sims[m].cfg.mode));
        fputc('\n', out);
        for (unsigned i = 0; i < STATS_COUNT; i++) {
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

static void print_json(FILE *out, struct sim *sims, unsigned n)
{
        fputs("{", out);
        for (unsigned m = 0; m < n; m++) {
                fprintf(out, "%s\"%s\": ", m ? ", " : "", mode_name(sims[m].cfg.mode));
                stats_print_json_object(out, &sims[m].stats, 1, sims[0].stats.cycles);
        }
        fputs("}\n", out);
}

static void print_csv(FILE *out, struct sim *sims, unsigned n)
{
        fputs("counter", out);
        for (unsigned m = 0; m < n; m++)
                fprintf(out, ",%s", mode_name(sims[m].cfg.mode));
        fputc('\n', out);
        for (unsigned i = 0; i < STATS_COUNT; i++) {
                fputs(stats_name(i), out);
                for (unsigned m = 0; m < n; m++)
                        fprintf(out, ",%llu", (unsigned long long)stats_value(&sims[m].stats, i));
                fputc('\n', out);
        }
        fputs("overhead_pct", out);
        for (unsigned m = 0; m < n; m++)
                fprintf(out, ",%.1f", stats_overhead(&sims[m].stats, sims[0].stats.cycles));
        fputc('\n', out);
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
        status = run_trace(&reader, ptrs, NSCHEMES, &ropt, &end);
        trace_close(&reader);
        if (end) {
                if (opt->stats_format == STATS_JSON)
                        print_json(stdout, sims, NSCHEMES);
                else if (opt->stats_format == STATS_CSV)
                        print_csv(stdout, sims, NSCHEMES);
                else
                        print_table(stdout, sims, NSCHEMES);
        }
        status = input_finish_output(status);
        for (unsigned m = 0; m < NSCHEMES; m++)
                sim_free(&sims[m]);
        return status;
}
