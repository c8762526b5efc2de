/*
 * batch.c - the batch face: one trace, one scheme, a deterministic log.
 *
 * Prints one [TRACE] (or [WARN]) line per engine event on stdout and ends
 * with the [STATS] line. A native sim runs beside the chosen scheme on the
 * same ops so the stats can state the overhead against native. With
 * --series it prints the counters as CSV instead (series.h).
 */
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "exit_report.h"
#include "run.h"
#include "input.h"
#include "output.h"
#include "series.h"

static void log_sink(void *ctx, const struct event *ev)
{
        char line[256];
        size_t n = event_format(ev, line, sizeof line);
        line[n++] = '\n';
        fwrite(line, 1, n, ctx);
}

/* --series of every scheme, the input read once per scheme: a block of
 * rows per scheme under one header, each pass written as it goes. Errors
 * are reported by the first pass only. Returns the exit status. */
static int series_passes(const struct options *opt, struct trace_reader *reader,
                         const struct run_options *ropt, const struct trace_pos *start)
{
        int status = 0;
        struct run_options pass = *ropt;
        for (unsigned m = 0; m < MODE_COUNT; m++) {
                if (m > 0 && trace_seek(reader, start) < 0) {
                        fprintf(stderr, "shadow-sim: %s: cannot read again: %s\n", ropt->name,
                                strerror(errno));
                        return EXIT_IOERR;
                }
                struct sim_config cfg = opt->cfg;
                cfg.mode = (enum mmu_mode)m;
                struct sim sim, *one = &sim;
                struct series series;
                sim_init(&sim, &cfg);
                series_start(&series, &sim, stdout, opt->series, mode_name(cfg.mode));
                bool end;
                int st = run_trace(reader, &one, 1, &pass, &end);
                if (end)
                        series_finish(&series);
                sim_free(&sim);
                if (!end)
                        return st; /* a bad line, a limit or an I/O error stopped it */
                if (m == 0)
                        status = st; /* bad lines skipped (--keep-going), reported once */
                pass.errors = NULL;
        }
        return status;
}

/* --series of every scheme from an input that can be read once (a pipe):
 * the sims run in lockstep and their rows come interleaved, in the order
 * they are produced. Returns the exit status. */
static int series_lockstep(const struct options *opt, struct trace_reader *reader,
                           const struct run_options *ropt)
{
        struct sim sims[MODE_COUNT], *ptrs[MODE_COUNT];
        struct series series[MODE_COUNT];
        for (unsigned m = 0; m < MODE_COUNT; m++) {
                struct sim_config cfg = opt->cfg;
                cfg.mode = (enum mmu_mode)m;
                sim_init(&sims[m], &cfg);
                ptrs[m] = &sims[m];
                series_start(&series[m], &sims[m], stdout, opt->series, mode_name(cfg.mode));
        }
        bool end;
        int status = run_trace(reader, ptrs, MODE_COUNT, ropt, &end);
        for (unsigned m = 0; m < MODE_COUNT; m++) {
                if (end)
                        series_finish(&series[m]);
                sim_free(&sims[m]);
        }
        return status;
}

/* --series: the CSV counters of the chosen scheme or, with --compare, of
 * every scheme (series.h). Returns the exit status. */
static int series_run(const struct options *opt, struct trace_reader *reader,
                      const struct run_options *ropt)
{
        series_header(stdout, opt->cfg.vcpus);
        if (!opt->compare) {
                struct sim sim, *one = &sim;
                struct series series;
                sim_init(&sim, &opt->cfg);
                series_start(&series, &sim, stdout, opt->series, mode_name(opt->cfg.mode));
                bool end;
                int status = run_trace(reader, &one, 1, ropt, &end);
                if (end)
                        series_finish(&series);
                sim_free(&sim);
                return status;
        }
        struct trace_pos start;
        if (trace_tell(reader, &start) && trace_seek(reader, &start) == 0)
                return series_passes(opt, reader, ropt, &start);
        return series_lockstep(opt, reader, ropt);
}

/* --exits: a blank line, then the report of sim's exits by reason. */
static void print_exits(const struct sim *sim)
{
        struct exit_report rep;
        exit_report_make(&rep, &sim->stats, &sim->cfg.cost);
        fputc('\n', stdout);
        exit_report_write(&rep, mode_name(sim->cfg.mode), input_put_line, stdout);
}

/* --comments: the narration of the op about to run (the comment lines
 * above its line, escaped by the reader), as the trace has it. */
static void print_note(void *ctx, const struct op *op)
{
        const struct trace_reader *r = ctx;
        (void)op;
        for (const char *n = trace_note(r); *n;) {
                size_t len = strcspn(n, "\n");
                printf("# %.*s\n", (int)len, n);
                n += len + (n[len] == '\n');
        }
}

int batch_run(const struct options *opt)
{
        struct trace_reader reader;
        const char *name;
        int status = input_open(opt, &reader, &name);
        if (status != 0)
                return status;

        static char outbuf[1 << 16];
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
        struct run_options ropt = input_run_options(opt, name);
        if (opt->series) {
                status = series_run(opt, &reader, &ropt);
                trace_close(&reader);
                return output_finish("shadow-sim", status);
        }

        struct sim main_sim, native_sim;
        struct sim_config native_cfg = opt->cfg;
        native_cfg.mode = MODE_NATIVE;
        bool has_native = opt->cfg.mode != MODE_NATIVE;
        sim_init(&main_sim, &opt->cfg);
        if (has_native)
                sim_init(&native_sim, &native_cfg);
        if (!opt->quiet)
                sim_add_sink(&main_sim, log_sink, stdout);
        if (opt->comments && !opt->quiet) {
                ropt.before_op = print_note;
                ropt.before_ctx = &reader;
        }

        struct sim *sims[2] = {&main_sim, &native_sim};
        bool end;
        /* Nothing is written as the machines run under --quiet: the
         * reader parses ahead of them on a thread of its own. */
        status = (opt->quiet ? run_trace_parallel : run_trace)(&reader, sims, has_native ? 2 : 1,
                                                               &ropt, &end);
        if (end) {
                /* Native's overhead over itself is 0. */
                uint64_t native_cycles =
                    has_native ? native_sim.stats.cycles : main_sim.stats.cycles;
                struct run_record rec;
                input_record(&rec, opt, name, &reader, &main_sim, native_cycles);
                if (opt->stats_format == STATS_JSON) {
                        record_json(stdout, &rec);
                } else if (opt->stats_format == STATS_CSV) {
                        record_csv_header(stdout);
                        record_csv_row(stdout, &rec);
                } else {
                        stats_print_line(stdout, &main_sim.stats, main_sim.cfg.vcpus, has_native,
                                         native_cycles);
                }
                if (opt->exits)
                        print_exits(&main_sim);
        }
        trace_close(&reader);
        status = output_finish("shadow-sim", status);
        sim_free(&main_sim);
        if (has_native)
                sim_free(&native_sim);
        return status;
}
