/*
 * session_bench.c - how fast the stepper moves on a long trace.
 *
 * Times, in one run on one trace, what a user of the stepper waits for:
 * the plain engine going through the trace (the floor a forward move can
 * reach), opening a session, going to the end, stepping back one line and
 * one event at several places (worst of a few, each followed by the log
 * pane's refill), jumping from the end to the middle, a forward continue
 * with a breakpoint that never stops, and switching schemes mid-trace
 * with the mode and compare commands. The session runs a compare
 * machine, as the stepper does by default.
 *
 * Usage: session_bench TRACE [MODE]   (MODE: shadow by default)
 * Not a test: scripts/bench-session.sh builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "session.h"
#include "trace.h"

#define BACK_REPEAT 5  /* back steps timed at each place */
#define LOG_ROWS    40 /* ops the log pane shows before the current one */

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void row(const char *what, double seconds)
{
        printf("%-40s %10.1f ms\n", what, seconds * 1e3);
        fflush(stdout);
}

static void fail(const char *what, const char *msg)
{
        fprintf(stderr, "session_bench: %s: %s\n", what, msg);
        exit(1);
}

/* The plain engine on the trace, with nsims machines in lockstep (the
 * session's main and compare schemes): what a forward move costs at best. */
static double engine_pass(const struct sim_config *cfg, const char *path, int cmp_mode,
                          uint64_t *events)
{
        struct trace_limits limits;
        struct trace_reader r;
        struct sim m, c;
        trace_limits_of_config(cfg, &limits);
        double t0 = now();
        if (trace_open(&r, path, TRACE_FORMAT_AUTO, &limits) != TRACE_OK)
                fail(path, trace_fault(&r));
        sim_init(&m, cfg);
        struct sim_config cc = *cfg;
        cc.mode = cmp_mode >= 0 ? (enum mmu_mode)cmp_mode : cfg->mode;
        if (cmp_mode >= 0)
                sim_init(&c, &cc);
        struct op op;
        struct trace_error err;
        enum trace_status st;
        while ((st = trace_next(&r, &op, &err)) != TRACE_EOF) {
                if (st != TRACE_OK)
                        continue;
                sim_apply(&m, &op);
                if (cmp_mode >= 0)
                        sim_apply(&c, &op);
        }
        double t = now() - t0;
        *events = m.seq;
        sim_free(&m);
        if (cmp_mode >= 0)
                sim_free(&c);
        trace_close(&r);
        return t;
}

static void quiet(void *face, const char *line)
{
        (void)face;
        (void)line;
}

static void log_row(void *ctx, uint64_t opno, const struct op *op, const struct event *evs,
                    size_t nevs, const char *note)
{
        (void)note;
        (void)opno;
        (void)op;
        (void)evs;
        *(size_t *)ctx += nevs;
}

/* What the stepper does after each move: refill the log pane. */
static void refill_log(struct session *s)
{
        size_t n = 0;
        uint64_t cur = session_ops(s);
        struct op next[8];
        if (cur > 1)
                session_history(s, cur > LOG_ROWS ? cur - LOG_ROWS : 1, cur - 1, log_row, &n);
        session_peek(s, next, 8, NULL, 0);
}

/* Worst time of BACK_REPEAT back moves (by line, or by event) from event
 * seq, each with the log refill. */
static double worst_back(struct session *s, uint64_t seq, bool by_event)
{
        double worst = 0;
        session_goto(s, seq);
        refill_log(s);
        for (int i = 0; i < BACK_REPEAT; i++) {
                double t0 = now();
                if (by_event)
                        session_backi(s, 1, true);
                else
                        session_back(s, 1, true);
                refill_log(s);
                double t = now() - t0;
                if (t > worst)
                        worst = t;
        }
        return worst;
}

int main(int argc, char **argv)
{
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: session_bench TRACE [MODE]\n");
                return 64;
        }
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        if (argc == 3) {
                int m = mode_parse(argv[2]);
                if (m < 0)
                        fail(argv[2], "unknown mode");
                cfg.mode = (enum mmu_mode)m;
        }
        int cmp = (int)session_default_cmp(cfg.mode);
        uint64_t events;
        char label[128];

        printf("trace %s, mode %s, compared with %s\n", argv[1], mode_name(cfg.mode),
               mode_name((enum mmu_mode)cmp));
        double t = engine_pass(&cfg, argv[1], -1, &events);
        printf("%llu events\n", (unsigned long long)events);
        snprintf(label, sizeof label, "engine, %s alone", mode_name(cfg.mode));
        row(label, t);
        snprintf(label, sizeof label, "engine, %s + %s", mode_name(cfg.mode),
                 mode_name((enum mmu_mode)cmp));
        row(label, engine_pass(&cfg, argv[1], cmp, &events));

        struct session s;
        double t0 = now();
        if (session_open(&s, &cfg, TRACE_FORMAT_AUTO, argv[1], NULL, argv[1], cmp) < 0)
                fail(argv[1], s.msg);
        refill_log(&s);
        row("session open", now() - t0);

        t0 = now();
        session_step(&s, UINT64_MAX, false); /* goto end */
        refill_log(&s);
        row("goto end (from the start)", now() - t0);
        uint64_t total = session_seq(&s);
        if (total != events)
                fail("goto end", "the session saw another number of events than the engine");

        t0 = now();
        session_goto(&s, total / 2);
        refill_log(&s);
        row("goto middle (from the end)", now() - t0);

        t0 = now();
        session_step(&s, UINT64_MAX, false);
        refill_log(&s);
        row("goto end (from the middle)", now() - t0);

        double worst_line = 0, worst_event = 0;
        static const unsigned places[] = {1, 10, 25, 50, 75, 99, 100};
        for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
                uint64_t seq = total / 100 * places[i];
                if (places[i] == 100)
                        seq = total;
                double l = worst_back(&s, seq, false);
                double e = worst_back(&s, seq, true);
                snprintf(label, sizeof label, "back 1 line / 1 event at %u%%", places[i]);
                printf("%-40s %10.1f / %.1f ms\n", label, l * 1e3, e * 1e3);
                if (l > worst_line)
                        worst_line = l;
                if (e > worst_event)
                        worst_event = e;
        }
        row("back 1 line, worst", worst_line);
        row("back 1 event, worst", worst_event);

        /* A breakpoint that never stops: the cost of checking each event. */
        struct breakpoint bp;
        char err[128];
        if (bp_parse("0x7fff00000000", &bp, err, sizeof err) < 0)
                fail("break", err);
        session_break_add(&s, &bp);
        session_restart(&s);
        t0 = now();
        session_continue(&s);
        row("continue to the end, 1 breakpoint", now() - t0);
        session_break_delete(&s, 1);

        /* Switching schemes as the commands do, in the middle. */
        struct cmd_ctx ctx;
        cmd_ctx_init(&ctx, &s);
        ctx.out = quiet;
        static const char *const commands[] = {"mode ept", "mode shadow", "compare native",
                                               "compare ept"};
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                session_goto(&s, total / 2);
                refill_log(&s);
                t0 = now();
                if (cmd_run(&ctx, commands[i]) != CMD_OK)
                        fail(commands[i], ctx.err);
                refill_log(&s);
                snprintf(label, sizeof label, "%s at the middle", commands[i]);
                row(label, now() - t0);
        }

        session_close(&s);
        return 0;
}
