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
#include "run.h"
#include "input.h"
#include "series.h"

static void log_sink(void *ctx, const struct event *ev)
{
        char line[256];
        size_t n = event_format(ev, line, sizeof line);
        line[n++] = '\n';
        fwrite(line, 1, n, ctx);
}

/* --series: the CSV counters of the chosen scheme or, with --compare, of
 * every scheme, one block after the other under one header. The sims run
 * in lockstep over one reader, so each block but the first is held in a
 * temporary file until the end. Returns the exit status. */
static int series_run(const struct options *opt, struct trace_reader *reader,
                      const struct run_options *ropt)
{
        unsigned n = opt->compare ? MODE_COUNT : 1;
        struct sim sims[MODE_COUNT], *ptrs[MODE_COUNT];
        struct series series[MODE_COUNT];
        FILE *blocks[MODE_COUNT];
        int status = 0;
        series_header(stdout);
        for (unsigned m = 0; m < n; m++) {
                struct sim_config cfg = opt->cfg;
                cfg.mode = opt->compare ? (enum mmu_mode)m : opt->cfg.mode;
                sim_init(&sims[m], &cfg);
                ptrs[m] = &sims[m];
                blocks[m] = m == 0 ? stdout : tmpfile();
                if (!blocks[m]) {
                        fprintf(stderr, "shadow-sim: cannot create a temporary file: %s\n",
                                strerror(errno));
                        status = EXIT_IOERR;
                        n = m + 1; /* free what was made */
                        break;
                }
                series_start(&series[m], &sims[m], blocks[m], opt->series, mode_name(cfg.mode));
        }
        if (status == 0)
                status = run_trace(reader, ptrs, n, ropt);
        bool complete = status == 0 || (status == EXIT_DATAERR && opt->keep_going);
        for (unsigned m = 0; m < n; m++) {
                if (complete && blocks[m])
                        series_finish(&series[m]);
                if (m > 0 && blocks[m]) {
                        char buf[1 << 14];
                        size_t got;
                        rewind(blocks[m]);
                        while (complete && (got = fread(buf, 1, sizeof buf, blocks[m])) > 0)
                                fwrite(buf, 1, got, stdout);
                        if (ferror(blocks[m]) && status == 0)
                                status = EXIT_IOERR;
                        fclose(blocks[m]);
                }
                sim_free(&sims[m]);
        }
        return status;
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
        struct run_options ropt = {.name = name, .keep_going = opt->keep_going, .errors = stderr};
        if (opt->series) {
                status = series_run(opt, &reader, &ropt);
                trace_close(&reader);
                return input_finish_output(status);
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

        struct sim *sims[2] = {&main_sim, &native_sim};
        status = run_trace(&reader, sims, has_native ? 2 : 1, &ropt);
        trace_close(&reader);

        if (status == 0 || (status == EXIT_DATAERR && opt->keep_going)) {
                uint64_t native_cycles = has_native ? native_sim.stats.cycles : 0;
                if (opt->stats_format == STATS_JSON)
                        stats_print_json(stdout, &main_sim.stats, has_native, native_cycles);
                else if (opt->stats_format == STATS_CSV)
                        stats_print_csv(stdout, &main_sim.stats, has_native, native_cycles);
                else
                        stats_print_line(stdout, &main_sim.stats, has_native, native_cycles);
        }
        status = input_finish_output(status);
        sim_free(&main_sim);
        if (has_native)
                sim_free(&native_sim);
        return status;
}
