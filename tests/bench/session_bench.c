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
 * With --breakpoints it times instead (CPU time, the best of 3), from the
 * start to the end of the trace, a continue with 0, 1, 1,000 and 5,000 breakpoints that never stop
 * (pages, ranges, guest-physical pages, event and line numbers past the
 * end), against goto end; and a search that finds nothing, forward from
 * the start and back from the end.
 *
 * Usage: session_bench [--breakpoints] TRACE [MODE]   (MODE: shadow by default)
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
#define ROUNDS      3  /* runs of each move with --breakpoints (the best counts) */

/* CPU time of the process, in seconds: what --breakpoints compares, as
 * other people's jobs on a shared machine move the wall clock more. */
static double cpu_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* Breakpoint i of a set that never stops on a tlb-stress trace (pages
 * 0x600000 on, frames 0x100000 on, tables at the top of memory), spread
 * below and above what the trace touches so that no bound keeps them out
 * of the lookups: 6 in 10 pages, 1 a 2M range, 2 guest-physical pages, 1
 * an event or a line number past the end. */
static void never_stops(unsigned i, uint64_t events, uint64_t lines, struct breakpoint *bp)
{
        char spec[64], err[128];
        unsigned k = i / 10;
        unsigned long long low = 0x1000ULL * (1 + (i / 2) % 1500);
        switch (i % 10) {
        case 6:
                snprintf(spec, sizeof spec, "0x%llX/2M", 0x40000000ULL + k * 0x400000ULL);
                break;
        case 7:
        case 8:
                snprintf(spec, sizeof spec, "gpa 0x%llX",
                         i % 2 ? 0x1000ULL * (1 + (i / 2) % 250) : 0x20000000ULL + i * 0x5000ULL);
                break;
        case 9:
                snprintf(spec, sizeof spec, "%s %llu", k % 2 ? "line" : "event",
                         (unsigned long long)((k % 2 ? lines : events) + 1 + k));
                break;
        default:
                snprintf(spec, sizeof spec, "0x%llX", i % 2 ? low : 0x10000000ULL + i * 0x3000ULL);
                break;
        }
        if (bp_parse(spec, bp, err, sizeof err) < 0)
                fail(spec, err);
}

/* Sets the n breakpoints of never_stops (none but those). */
static void set_breakpoints(struct session *s, unsigned n, uint64_t events, uint64_t lines)
{
        struct breakpoint bp;
        while (s->nbps)
                session_break_delete(s, s->bps[0].id);
        for (unsigned i = 0; i < n; i++) {
                never_stops(i, events, lines, &bp);
                session_break_add(s, &bp);
        }
}

/* What is timed from the start of the trace to its end. */
enum move { GOTO_END, CONTINUE, SEARCH, SEARCH_BACK };

/* The best of ROUNDS runs of the move (the machine is shared: the best is
 * the one least disturbed). */
static double best_of(struct session *s, enum move move)
{
        double best = 0;
        for (int r = 0; r < ROUNDS; r++) {
                if (move == SEARCH_BACK)
                        session_step(s, UINT64_MAX, false);
                else
                        session_restart(s);
                double t0 = cpu_now();
                enum stop_reason got = move == GOTO_END ? session_step(s, UINT64_MAX, false)
                                       : move == CONTINUE
                                           ? session_continue(s)
                                           : session_search(s, "no such text", move == SEARCH_BACK);
                double t = cpu_now() - t0;
                if (got != (move == SEARCH_BACK ? STOP_START : STOP_END))
                        fail("a move", "it stopped before the end");
                if (r == 0 || t < best)
                        best = t;
        }
        return best;
}

static void breakpoints_bench(const struct sim_config *cfg, const char *path, int cmp)
{
        char label[128];
        struct session s;
        if (session_open(&s, cfg, TRACE_FORMAT_AUTO, path, NULL, path, cmp) < 0)
                fail(path, s.msg);
        session_step(&s, UINT64_MAX, false); /* snapshots taken once */
        uint64_t lines = s.op.line, events = session_seq(&s);
        printf("%llu events; CPU time of each move, best of %d runs\n", (unsigned long long)events,
               ROUNDS);
        double end = best_of(&s, GOTO_END);
        row("goto end (from the start)", end);
        static const unsigned counts[] = {0, 1, 1000, 5000};
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
                set_breakpoints(&s, counts[i], events, lines);
                double t = best_of(&s, CONTINUE);
                snprintf(label, sizeof label, "continue, %u breakpoint%s", counts[i],
                         counts[i] == 1 ? "" : "s");
                printf("%-40s %10.1f ms  (%.2fx goto end)\n", label, t * 1e3, t / end);
                fflush(stdout);
        }
        set_breakpoints(&s, 0, events, lines);
        double t = best_of(&s, SEARCH);
        printf("%-40s %10.1f ms  (%.2fx goto end)\n", "search, no match, forward", t * 1e3,
               t / end);
        t = best_of(&s, SEARCH_BACK);
        printf("%-40s %10.1f ms  (%.2fx goto end)\n", "search, no match, back from the end",
               t * 1e3, t / end);
        /* A search that finds the log line of the last event (or an earlier
         * one just like it), from the start. */
        char text[256];
        session_step(&s, UINT64_MAX, false);
        event_format(session_event(&s), text, sizeof text);
        t = 0;
        for (int r = 0; r < ROUNDS; r++) {
                session_restart(&s);
                double t0 = cpu_now();
                if (session_search(&s, text, false) != STOP_DONE)
                        fail("search", "the last line was not found");
                if (r == 0 || cpu_now() - t0 < t)
                        t = cpu_now() - t0;
        }
        snprintf(label, sizeof label, "search, found at %u%% of the trace",
                 (unsigned)(session_seq(&s) * 100 / events));
        printf("%-40s %10.1f ms  (%.2fx goto end)\n", label, t * 1e3, t / end);
        session_close(&s);
}

int main(int argc, char **argv)
{
        bool bps = argc > 1 && strcmp(argv[1], "--breakpoints") == 0;
        if (bps) {
                argv++;
                argc--;
        }
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: session_bench [--breakpoints] TRACE [MODE]\n");
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
        if (bps) {
                printf("trace %s, mode %s, compared with %s\n", argv[1], mode_name(cfg.mode),
                       mode_name((enum mmu_mode)cmp));
                breakpoints_bench(&cfg, argv[1], cmp);
                return 0;
        }

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
