/*
 * batch.c - the batch face: one trace, one scheme, a deterministic log.
 *
 * Prints one [TRACE] (or [WARN]) line per engine event on stdout and ends
 * with the [STATS] line. A native sim runs beside the chosen scheme on the
 * same ops so the stats can state the overhead against native.
 */
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "run.h"
#include "sample.h"
#include "series.h"

static void log_sink(void *ctx, const struct event *ev)
{
        char line[256];
        size_t n = event_format(ev, line, sizeof line);
        line[n++] = '\n';
        fwrite(line, 1, n, ctx);
}

int batch_run(const struct options *opt)
{
        struct trace_limits limits;
        struct trace_reader reader;
        sim_config_limits(&opt->cfg, &limits);
        const char *name = opt->trace ? opt->trace : "sample_trace.txt";
        if (!opt->trace) {
                trace_open_string(&reader, sample_trace, opt->format, &limits);
        } else if (trace_open(&reader, opt->trace, opt->format, &limits) < 0) {
                fprintf(stderr, "shadow-sim: %s: cannot read: %s\n", opt->trace, strerror(errno));
                return EXIT_NOINPUT;
        }
        if (opt->trace && strcmp(opt->trace, "-") == 0)
                name = "<stdin>";

        static char outbuf[1 << 16];
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

        struct sim main_sim, native_sim;
        struct sim_config native_cfg = opt->cfg;
        native_cfg.mode = MODE_NATIVE;
        bool has_native = opt->cfg.mode != MODE_NATIVE;
        sim_init(&main_sim, &opt->cfg);
        if (has_native)
                sim_init(&native_sim, &native_cfg);
        struct series series;
        if (opt->series) {
                series_header(stdout);
                series_start(&series, &main_sim, stdout, opt->series, mode_name(opt->cfg.mode));
        } else if (!opt->quiet) {
                sim_add_sink(&main_sim, log_sink, stdout);
        }

        struct sim *sims[2] = {&main_sim, &native_sim};
        struct run_options ropt = {.name = name, .keep_going = opt->keep_going, .errors = stderr};
        int status = run_trace(&reader, sims, has_native ? 2 : 1, &ropt);
        trace_close(&reader);

        if (opt->series) {
                if (status == 0 || (status == EXIT_DATAERR && opt->keep_going))
                        series_finish(&series);
        } else if (status == 0 || (status == EXIT_DATAERR && opt->keep_going)) {
                uint64_t native_cycles = has_native ? native_sim.stats.cycles : 0;
                if (opt->stats_format == STATS_JSON)
                        stats_print_json(stdout, &main_sim.stats, has_native, native_cycles);
                else
                        stats_print_line(stdout, &main_sim.stats, has_native, native_cycles);
        }
        if (fflush(stdout) != 0 && status == 0) {
                fprintf(stderr, "shadow-sim: write error: %s\n", strerror(errno));
                status = EXIT_IOERR;
        }
        sim_free(&main_sim);
        if (has_native)
                sim_free(&native_sim);
        return status;
}
