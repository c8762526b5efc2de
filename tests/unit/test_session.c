/*
 * test_session.c - the session layer: moving forward and backward lands on
 * exactly the states a plain forward run produces; breakpoints stop where
 * they should; the log history and the peek agree with what was applied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include <errno.h>

#include "encode.h"
#include "mmu_view.h"
#include "bp_index.h"
#include "session.h"
#include "position_digest.h"

#define TEST_SPACING 64 /* ops between snapshots in most tests */

/* ---- helpers ------------------------------------------------------------- */

static const char small_trace[] = "PT_WRITE 0x2000->0x6000\n"
                                  "ACCESS 0x2000\n"
                                  "PT_WRITE 0x1000->0x5000\n"
                                  "W 0x1000\n"
                                  "R 0x1000\n"
                                  "CR3 1\n"
                                  "PT_WRITE 0x2000->0x9000\n"
                                  "R 0x2000\n"
                                  "CR3 0\n"
                                  "PT_CLEAR 0x1000\n"
                                  "INVLPG 0x1000\n"
                                  "R 0x1000\n"
                                  "TLB_FLUSH\n"
                                  "R 0x2000\n";

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
        rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (rng_state >> 33) % n;
}

/* A deterministic trace of n lines mixing every kind of op over a few
 * address ranges and three address spaces. Caller frees. */
static char *make_trace(unsigned n, uint64_t seed)
{
        size_t cap = (size_t)n * 48 + 64, len = 0;
        char *t = malloc(cap);
        rng_state = seed;
        for (unsigned i = 0; i < n; i++) {
                uint64_t page = rnd(64) + (rnd(4) << 9);
                uint64_t gva = page << 12;
                uint64_t r = rnd(100);
                if (r < 25)
                        len += (size_t)sprintf(
                            t + len, "PT_WRITE 0x%llx->0x%llx%s\n", (unsigned long long)gva,
                            (unsigned long long)((rnd(4096) + 16) << 12), rnd(5) == 0 ? " r" : "");
                else if (r < 70)
                        len += (size_t)sprintf(t + len, "%c 0x%llx\n", "RWX"[rnd(3) == 0 ? 1 : 0],
                                               (unsigned long long)(gva + rnd(4096)));
                else if (r < 78)
                        len += (size_t)sprintf(t + len, "INVLPG 0x%llx\n", (unsigned long long)gva);
                else if (r < 84)
                        len += (size_t)sprintf(t + len, "CR3 %u\n", (unsigned)rnd(3));
                else if (r < 90)
                        len +=
                            (size_t)sprintf(t + len, "PT_CLEAR 0x%llx\n", (unsigned long long)gva);
                else if (r < 95)
                        len += (size_t)sprintf(t + len, "PT_PROTECT 0x%llx r\n",
                                               (unsigned long long)gva);
                else if (r < 97)
                        len += (size_t)sprintf(t + len, "TLB_FLUSH\n");
                else
                        len += (size_t)sprintf(t + len, "# a comment\n");
        }
        t[len] = '\0';
        return t;
}

static void assert_same(const struct view *a, const struct view *b)
{
        assert_int_equal(a->ops, b->ops);
        assert_int_equal(a->seq, b->seq);
        assert_int_equal(a->shown, b->shown);
        assert_int_equal(a->nevs, b->nevs);
        assert_int_equal(a->line, b->line);
        assert_int_equal(a->stats, b->stats);
        assert_int_equal(a->events, b->events);
        assert_int_equal(a->machine, b->machine);
        assert_int_equal(a->at, b->at);
        assert_int_equal(a->cmp, b->cmp);
}

static void open_text(struct session *s, enum mmu_mode mode, const char *text, int cmp)
{
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        assert_int_equal(session_open(s, &cfg, TRACE_FORMAT_AUTO, NULL, text, "t.txt", cmp), 0);
        /* Many snapshots on short traces, so that going back restores and
         * thins them. */
        session_set_spacing(s, TEST_SPACING);
}

/* The seq of the first event after event `after` that bp stops on (the
 * first it matches on a trace line), found with a plain sim (no session).
 * 0 when there is none. */
struct first_match {
        const struct breakpoint *bp;
        uint64_t after, found;
        uint64_t line_seen; /* the line of the last match */
        bool seen;
};

static void find_sink(void *ctx, const struct event *ev)
{
        struct first_match *fm = ctx;
        if (!bp_matches(fm->bp, ev))
                return;
        /* The machine's set-up events (line 0) belong to the first op. */
        uint64_t line = ev->line ? ev->line : 1;
        bool first_on_line = !fm->seen || fm->line_seen != line;
        fm->seen = true;
        fm->line_seen = line;
        if (!fm->found && ev->seq > fm->after && first_on_line)
                fm->found = ev->seq;
}

static uint64_t first_match(enum mmu_mode mode, const char *text, const struct breakpoint *bp,
                            uint64_t after)
{
        struct sim_config cfg;
        struct trace_limits lim;
        struct trace_reader r;
        struct sim m;
        struct first_match fm = {bp, after, 0, 0, false};
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        trace_limits_of_config(&cfg, &lim);
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &lim);
        sim_init(&m, &cfg);
        sim_add_sink(&m, find_sink, &fm);
        struct op op;
        struct trace_error err;
        enum trace_status st;
        while ((st = trace_next(&r, &op, &err)) != TRACE_EOF)
                if (st == TRACE_OK)
                        sim_apply(&m, &op);
        sim_free(&m);
        trace_close(&r);
        return fm.found;
}

/* ---- reverse stepping ---------------------------------------------------- */

/* Steps forward one line at a time recording every view, then walks back
 * one line at a time: each back must land on the recorded view. */
static void check_back_by_lines(enum mmu_mode mode, int cmp, unsigned lines, size_t budget)
{
        char *text = make_trace(lines, 42 + mode);
        struct session s;
        open_text(&s, mode, text, cmp);
        if (budget)
                session_set_budget(&s, budget);
        struct view *seen = calloc(lines + 1, sizeof *seen);
        uint64_t n = 0;
        seen[0] = view_of(&s);
        while (session_step(&s, 1, false) == STOP_DONE)
                seen[++n] = view_of(&s);
        assert_true(n > lines * 9 / 10);
        assert_true(s.nsnaps > 2);
        assert_true(!budget || s.snap_bytes <= budget);
        for (uint64_t k = n; k-- > 0;) {
                enum stop_reason r = session_back(&s, 1, false);
                assert_int_equal(r, k ? STOP_DONE : STOP_START);
                struct view v = view_of(&s);
                assert_same(&v, &seen[k]);
        }
        free(seen);
        session_close(&s);
        free(text);
}

static void test_back_lines_shadow(void **state)
{
        (void)state;
        check_back_by_lines(MODE_SHADOW, MODE_EPT, 1500, 0);
}

static void test_back_lines_oos(void **state)
{
        (void)state;
        check_back_by_lines(MODE_SHADOW_OOS, -1, 1500, 0);
}

static void test_back_lines_ept_small_budget(void **state)
{
        (void)state;
        /* A budget of a few snapshots forces thinning. */
        check_back_by_lines(MODE_EPT, MODE_SHADOW, 2000, 2 << 20);
}

/* By default snapshots are spaced by their cost: at least 256 ops apart,
 * further for bigger machines, and going back is still exact. */
static void test_spacing_by_cost(void **state)
{
        (void)state;
        unsigned lines = 6000;
        char *text = make_trace(lines, 5);
        struct session s;
        open_text(&s, MODE_SHADOW, text, MODE_EPT);
        session_set_spacing(&s, 0);
        struct view *seen = calloc(lines + 1, sizeof *seen);
        uint64_t n = 0;
        seen[0] = view_of(&s);
        while (session_step(&s, 1, false) == STOP_DONE)
                seen[++n] = view_of(&s);
        assert_true(s.nsnaps >= 2);
        assert_true(s.nsnaps <= n / 256 + 1);
        assert_true(s.snap_every >= 256 && s.snap_every <= (1 << 15));
        /* Bigger than the minimum here: the machines are some 100 KiB. */
        assert_true(s.snap_every > 256);
        for (uint64_t k = n; k-- > n - 600;) {
                assert_int_equal(session_back(&s, 1, false), STOP_DONE);
                struct view v = view_of(&s);
                assert_same(&v, &seen[k]);
        }
        assert_int_equal(session_goto(&s, seen[n / 3].seq), STOP_DONE);
        free(seen);
        session_close(&s);
        free(text);
}

/* A lackey trace: a modify line is two ops, and no snapshot may stand
 * between them; going back must still land on what going forward saw. */
static void test_back_lackey(void **state)
{
        (void)state;
        size_t cap = 64 * 1024, len = 0;
        char *text = malloc(cap);
        rng_state = 3;
        len += (size_t)sprintf(text + len, "==1== Lackey\n");
        for (int i = 0; i < 1200; i++)
                len +=
                    (size_t)sprintf(text + len, "%s %llx,8\n",
                                    rnd(3) == 0 ? "I "
                                    : rnd(2)    ? " M"
                                                : " L",
                                    (unsigned long long)(0x400000 + rnd(300) * 4096 + rnd(4000)));
        struct session s;
        open_text(&s, MODE_SHADOW, text, MODE_EPT);
        struct view *seen = calloc(4096, sizeof *seen);
        uint64_t n = 0;
        seen[0] = view_of(&s);
        while (session_step(&s, 1, false) == STOP_DONE && n + 1 < 4096)
                seen[++n] = view_of(&s);
        assert_true(n > 1300); /* modify lines count twice */
        assert_true(s.nsnaps > 3);
        for (uint64_t k = n; k-- > 0;) {
                session_back(&s, 1, false);
                struct view v = view_of(&s);
                assert_same(&v, &seen[k]);
        }
        free(seen);
        session_close(&s);
        free(text);
}

/* Event by event: stepi forward, backi back, every event. */
static void test_backi_every_event(void **state)
{
        (void)state;
        char *text = make_trace(700, 7);
        struct session s;
        open_text(&s, MODE_SHADOW_EAGER, text, MODE_NATIVE);
        size_t cap = 1 << 16;
        struct view *seen = calloc(cap, sizeof *seen);
        uint64_t n = 0;
        seen[0] = view_of(&s);
        while (session_stepi(&s, 1, false) == STOP_DONE) {
                assert_true(n + 1 < cap);
                seen[++n] = view_of(&s);
                assert_int_equal(seen[n].seq, n);
        }
        assert_true(n > 1000);
        for (uint64_t e = n; e-- > 0;) {
                session_backi(&s, 1, false);
                struct view v = view_of(&s);
                assert_same(&v, &seen[e]);
        }
        /* Random jumps, both ways. */
        rng_state = 99;
        for (int i = 0; i < 300; i++) {
                uint64_t e = rnd(n + 1);
                assert_int_equal(session_goto(&s, e), e ? STOP_DONE : STOP_START);
                struct view v = view_of(&s);
                assert_same(&v, &seen[e]);
        }
        assert_int_equal(session_goto(&s, n + 5), STOP_END);
        assert_int_equal(session_seq(&s), n);
        free(seen);
        session_close(&s);
        free(text);
}

/* A mid-op position steps back to the end of the previous op; step from
 * mid-op completes the op. */
static void test_mid_op(void **state)
{
        (void)state;
        struct session s;
        open_text(&s, MODE_SHADOW, small_trace, -1);
        assert_int_equal(session_step(&s, 1, false), STOP_DONE);
        struct view after1 = view_of(&s);
        assert_true(s.nevs >= 3);
        assert_int_equal(session_stepi(&s, 2, false), STOP_DONE);
        assert_int_equal(session_ops(&s), 2);
        assert_int_equal(s.shown, 2);
        assert_true(s.shown < s.nevs);
        /* Counters are exact mid-op: only the shown events count. */
        struct stats st;
        session_stats(&s, &st);
        assert_true(st.exits < s.sim.stats.exits || st.shadow_fills < s.sim.stats.shadow_fills ||
                    st.accesses < s.sim.stats.accesses);
        assert_int_equal(session_step(&s, 1, false), STOP_DONE);
        assert_int_equal(s.shown, s.nevs);
        assert_int_equal(session_ops(&s), 2);
        session_stepi(&s, 1, false);
        assert_int_equal(session_back(&s, 1, false), STOP_DONE);
        assert_int_equal(session_ops(&s), 2);
        session_stepi(&s, 1, false);
        assert_int_equal(session_back(&s, 2, false), STOP_DONE);
        struct view v = view_of(&s);
        assert_same(&v, &after1);
        assert_int_equal(session_back(&s, 10, false), STOP_START);
        assert_int_equal(session_seq(&s), 0);
        assert_null(session_event(&s));
        session_stats(&s, &st);
        assert_int_equal(st.exits, 0);
        session_close(&s);
}

/* ---- breakpoints --------------------------------------------------------- */

static void test_bp_parse(void **state)
{
        (void)state;
        struct breakpoint bp;
        char err[256];
        assert_int_equal(bp_parse("0x1234", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_GVA);
        assert_int_equal(bp.lo, 0x1000);
        assert_int_equal(bp.hi, 0x2000);
        assert_int_equal(bp_parse("0x400000/2M", &bp, err, sizeof err), 0);
        assert_int_equal(bp.lo, 0x400000);
        assert_int_equal(bp.hi, 0x600000);
        assert_int_equal(bp_parse("gpa 0xFFFFC000", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_GPA);
        assert_int_equal(bp.lo, 0xFFFFC000);
        assert_int_equal(bp_parse("exit", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_EXIT);
        assert_int_equal(bp.value, -1);
        assert_int_equal(bp_parse("exit cr3", &bp, err, sizeof err), 0);
        assert_int_equal(bp.value, EXIT_CR3);
        assert_int_equal(bp_parse("shadow_update", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_KIND);
        assert_int_equal(bp.value, EV_SHADOW_UPDATE);
        assert_int_equal(bp_parse("event 12", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_EVENT);
        assert_int_equal(bp.lo, 12);
        assert_int_equal(bp_parse("#7", &bp, err, sizeof err), 0);
        assert_int_equal(bp.lo, 7);
        assert_int_equal(bp_parse("line 5", &bp, err, sizeof err), 0);
        assert_int_equal(bp.kind, BP_LINE);
        char d[64];
        assert_int_equal(bp_parse("0x1000", &bp, err, sizeof err), 0);
        bp_describe(&bp, d, sizeof d);
        assert_string_equal(d, "gva 0x1000-0x1FFF");

        assert_int_equal(bp_parse("", &bp, err, sizeof err), -1);
        assert_non_null(strstr(err, "expected a breakpoint"));
        assert_int_equal(bp_parse("exit bogus", &bp, err, sizeof err), -1);
        assert_non_null(strstr(err, "found 'bogus'"));
        assert_int_equal(bp_parse("0x1000/zz", &bp, err, sizeof err), -1);
        assert_non_null(strstr(err, "size"));
        assert_int_equal(bp_parse("0xZZ", &bp, err, sizeof err), -1);
        assert_int_equal(bp_parse("frobnicate", &bp, err, sizeof err), -1);
        assert_non_null(strstr(err, "found 'frobnicate'"));
        assert_int_equal(bp_parse("event", &bp, err, sizeof err), -1);
        assert_int_equal(bp_parse("0x1000 extra", &bp, err, sizeof err), -1);
        assert_non_null(strstr(err, "extra"));
}

/* Ranges that cannot mean what was typed are refused, and so are
 * addresses this machine cannot have; a range may reach the top. */
static void test_bp_edges(void **state)
{
        (void)state;
        struct breakpoint bp;
        char err[256];
        static const char *const refused[][2] = {
            {"0xFFFFFFFFFFFFF000/8K", "runs past the top of the address space"},
            {"0x1000/0xFFFFFFFFFFFFFFFF", "runs past the top of the address space"},
            {"0x1000/0xFFF", "would end at 0x1FFE, 1 byte short of a page's end (0x1000/0x1000 "
                             "ends at 0x1FFF)"},
            {"0x1000/6K", "found 0x1800: the range would end at 0x27FF, in the middle of a page"},
            {"0x1001/4K", "0x1001/4K does not start on a 4K page: 0x1000/4K covers the page "
                          "holding 0x1001"},
            {"0x200800/2M", "does not start on a 4K page"},
            {"gpa 0x5001/4K", "does not start on a 4K page"},
        };
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
                if (bp_parse(refused[i][0], &bp, err, sizeof err) == 0)
                        fail_msg("'%s' was taken", refused[i][0]);
                if (!strstr(err, refused[i][1]))
                        fail_msg("'%s': %s", refused[i][0], err);
        }
        /* The last page: its range ends at the top (hi 0), and matches. */
        assert_int_equal(bp_parse("0xFFFFFFFFFFFFF000/4K", &bp, err, sizeof err), 0);
        assert_int_equal(bp.hi, 0);
        char d[64];
        bp_describe(&bp, d, sizeof d);
        assert_string_equal(d, "gva 0xFFFFFFFFFFFFF000-0xFFFFFFFFFFFFFFFF");
        struct event ev = {.kind = EV_PT_WRITE, .gva = 0xFFFFFFFFFFFFF000, .level = 1};
        assert_true(bp_matches(&bp, &ev));
        ev.gva = 0xFFFFFFFFFFE00000;
        assert_false(bp_matches(&bp, &ev));

        /* What this machine cannot have: with 4 levels and 4 GiB. */
        struct session s;
        open_text(&s, MODE_SHADOW, small_trace, -1);
        static const char *const absent[][2] = {
            {"0x0000900000000000", "0x900000000000 is not a canonical address with 4-level "
                                   "paging (the lower half ends at 0x7FFFFFFFFFFF, the upper "
                                   "starts at 0xFFFF800000000000)"},
            {"0x7FFFFFFFF000/8K", "0x7FFFFFFFF000-0x800000000FFF runs into the non-canonical "
                                  "hole"},
            {"gpa 0x100000000", "gpa 0x100000000 is beyond guest memory, which ends at gpa "
                                "0xFFFFFFFF"},
            {"gpa 0xFFFFF000/8K", "gpa 0xFFFFF000-0x100000FFF runs past the end of guest memory"},
        };
        for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
                assert_int_equal(bp_parse(absent[i][0], &bp, err, sizeof err), 0);
                assert_int_equal(session_break_check(&s, &bp, err, sizeof err), -1);
                if (!strstr(err, absent[i][1]))
                        fail_msg("'%s': %s", absent[i][0], err);
        }
        static const char *const present[] = {"0x7FFFFFFFF000",     "0xFFFF800000000000/1G",
                                              "0xFFFFFFFFFFFFF000", "gpa 0xFFFFF000",
                                              "exit cr3",           "line 99999"};
        for (size_t i = 0; i < sizeof present / sizeof present[0]; i++) {
                assert_int_equal(bp_parse(present[i], &bp, err, sizeof err), 0);
                if (session_break_check(&s, &bp, err, sizeof err) != 0)
                        fail_msg("'%s': %s", present[i], err);
        }
        session_close(&s);
        /* With 5 levels the upper half starts higher. */
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.levels = 5;
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, small_trace, "t", -1), 0);
        assert_int_equal(bp_parse("0x0000900000000000", &bp, err, sizeof err), 0);
        assert_int_equal(session_break_check(&s, &bp, err, sizeof err), 0);
        session_close(&s);
}

/* Each kind of breakpoint: continue stops on the first matching event a
 * plain run finds, then on the next; hit counts follow. */
static void test_bp_kinds_continue(void **state)
{
        (void)state;
        const char *specs[] = {"0x1000",    "0x0/8K",        "gpa 0xFFFFC000", "exit",
                               "exit cr3",  "SHADOW_UPDATE", "event 17",       "line 7",
                               "TLB_FLUSH", "gpa 0x5000"};
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
                struct session s;
                struct breakpoint bp;
                char err[256];
                open_text(&s, MODE_SHADOW, small_trace, MODE_EPT);
                assert_int_equal(bp_parse(specs[i], &bp, err, sizeof err), 0);
                int id = session_break_add(&s, &bp);
                uint64_t want = first_match(MODE_SHADOW, small_trace, &bp, 0);
                assert_true(want > 0);
                assert_int_equal(session_continue(&s), STOP_BREAK);
                assert_int_equal(session_seq(&s), want);
                assert_non_null(session_break_hit(&s));
                assert_int_equal(session_break_hit(&s)->id, id);
                assert_int_equal(session_break_find(&s, id)->hits, 1);
                /* The next one, on another line. */
                uint64_t next = first_match(MODE_SHADOW, small_trace, &bp, want);
                enum stop_reason r = session_continue(&s);
                if (next) {
                        assert_int_equal(r, STOP_BREAK);
                        assert_int_equal(session_seq(&s), next);
                        assert_int_equal(session_break_find(&s, id)->hits, 2);
                        /* and back to the first */
                        assert_int_equal(session_reverse_continue(&s), STOP_BREAK);
                        assert_int_equal(session_seq(&s), want);
                        assert_int_equal(session_break_find(&s, id)->hits, 3);
                } else {
                        assert_int_equal(r, STOP_END);
                }
                assert_int_equal(session_reverse_continue(&s),
                                 bp.kind == BP_LINE || !next ? STOP_BREAK : STOP_START);
                session_close(&s);
        }
}

/* What break gpa matches, kind by kind, as help break and the README say:
 * the guest table an event is about and the frame it maps or touches. */
static void test_bp_gpa_matches(void **state)
{
        (void)state;
        struct breakpoint table, frame, big, zero;
        char err[256];
        assert_int_equal(bp_parse("gpa 0xFFFFC000", &table, err, sizeof err), 0);
        assert_int_equal(bp_parse("gpa 0x5000", &frame, err, sizeof err), 0);
        assert_int_equal(bp_parse("gpa 0x40100000", &big, err, sizeof err), 0);
        assert_int_equal(bp_parse("0x0", &zero, err, sizeof err), 0);
        struct {
                struct event ev;
                bool table, frame, big;
        } cases[] = {
            /* a guest store: the table written, the frame mapped */
            {{.kind = EV_PT_WRITE,
              .gva = 0x1000,
              .gpa = 0x5000,
              .table_gpa = 0xFFFFC000,
              .level = 1},
             true,
             true,
             false},
            {{.kind = EV_PT_CLEAR,
              .gva = 0x1000,
              .gpa = 0x5000,
              .table_gpa = 0xFFFFC000,
              .level = 1},
             true,
             true,
             false},
            {{.kind = EV_PT_PROTECT,
              .gva = 0x1000,
              .gpa = 0x5000,
              .table_gpa = 0xFFFFC000,
              .level = 1},
             true,
             true,
             false},
            /* a 2M leaf maps every frame under it */
            {{.kind = EV_PT_WRITE,
              .gva = 0x40000000,
              .gpa = 0x40000000,
              .table_gpa = 0xFFFF3000,
              .level = 2},
             false,
             false,
             true},
            /* a link: the table written, the table linked */
            {{.kind = EV_PT_LINK, .gpa = 0xFFFFC000, .table_gpa = 0xFFFFD000, .level = 2},
             true,
             false,
             false},
            {{.kind = EV_VM_EXIT, .reason = EXIT_PT_WRITE, .gva = 0x1000, .gpa = 0xFFFFC000},
             true,
             false,
             false},
            {{.kind = EV_VM_EXIT, .reason = EXIT_EPT_VIOLATION, .gva = 0x1000, .gpa = 0x5000},
             false,
             true,
             false},
            {{.kind = EV_VM_EXIT, .reason = EXIT_PML_FULL, .gpa = 0x5000}, false, true, false},
            {{.kind = EV_VM_EXIT, .reason = EXIT_PAGE_FAULT, .gva = 0x1000}, false, false, false},
            /* the VMM on a guest table */
            {{.kind = EV_CR3, .table_gpa = 0xFFFFC000}, true, false, false},
            {{.kind = EV_SHADOW_PAGE, .gpa = 0xFFFFC000, .table_gpa = 0xFFFFC000, .level = 1},
             true,
             false,
             false},
            {{.kind = EV_SHADOW_FILL, .gva = 0x1000, .table_gpa = 0xFFFFC000, .level = 1},
             true,
             false,
             false},
            {{.kind = EV_UNSYNC, .gva = 0x1000, .table_gpa = 0xFFFFC000, .level = 1},
             true,
             false,
             false},
            {{.kind = EV_AGILE, .table_gpa = 0xFFFFC000, .level = 1}, true, false, false},
            /* a direct shadow page backs the guest's 2M frame */
            {{.kind = EV_SHADOW_PAGE,
              .gva = 0x40000000,
              .gpa = 0x40000000,
              .level = 1,
              .detail = DETAIL_DIRECT},
             false,
             false,
             true},
            /* frames touched */
            {{.kind = EV_ACCESS, .gva = 0x1000, .gpa = 0x5123}, false, true, false},
            {{.kind = EV_EPT_MAP, .gva = 0x1000, .gpa = 0x5000, .level = 1}, false, true, false},
            {{.kind = EV_EPT_MAP, .gva = 0x40000000, .gpa = 0x40000000, .level = 2},
             false,
             false,
             true},
            {{.kind = EV_DIRTY, .gpa = 0x3000, .count = 3}, false, true, false},
            {{.kind = EV_DIRTY, .gpa = 0x3000, .count = 2}, false, false, false},
            {{.kind = EV_TLB_EVICT, .gva = 0x1000, .gpa = 0x5000}, false, true, false},
            /* about no guest-physical memory */
            {{.kind = EV_INVLPG, .gva = 0x1000}, false, false, false},
            {{.kind = EV_GUEST_PF, .gva = 0x1000}, false, false, false},
            {{.kind = EV_TLB_FLUSH}, false, false, false},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const struct event *ev = &cases[i].ev;
                if (bp_matches(&table, ev) != cases[i].table ||
                    bp_matches(&frame, ev) != cases[i].frame ||
                    bp_matches(&big, ev) != cases[i].big)
                        fail_msg("case %zu (%s): table %d frame %d big %d", i,
                                 event_kind_name(ev->kind), bp_matches(&table, ev),
                                 bp_matches(&frame, ev), bp_matches(&big, ev));
        }
        /* Events about no guest-virtual address do not stop break 0x0. */
        const struct event none[] = {
            {.kind = EV_DIRTY, .gpa = 0x3000, .count = 1},
            {.kind = EV_DIRTY_LOG, .detail = DETAIL_LOG_START},
            {.kind = EV_AGILE, .table_gpa = 0xFFFFC000, .level = 1},
            {.kind = EV_VM_EXIT, .reason = EXIT_PML_FULL, .gpa = 0x5000},
            {.kind = EV_VM_EXIT, .reason = EXIT_CR3, .gpa = 0xFFFFF000},
            {.kind = EV_TLB_FLUSH},
        };
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
                assert_false(bp_matches(&zero, &none[i]));
        struct event drop = {.kind = EV_TLB_DROP, .gva = 0x200000, .hpa = 0x200000};
        struct breakpoint page;
        assert_int_equal(bp_parse("0x200000", &page, err, sizeof err), 0);
        assert_false(bp_matches(&page, &drop)); /* it drops 2M, more than the page */
        assert_int_equal(bp_parse("0x200000/2M", &page, err, sizeof err), 0);
        assert_true(bp_matches(&page, &drop));
}

/* break gpa on a guest table page, continued through a trace: the link
 * that creates the table, the VMM shadowing it, each store into it (its
 * exit, the first event of the line) and the fill from it of an access
 * that misses; nothing more (the other tables, the frames elsewhere). */
static void test_bp_gpa_trace(void **state)
{
        (void)state;
        struct session s;
        struct breakpoint bp;
        char err[256];
        static const enum event_kind want[] = {EV_PT_LINK, EV_SHADOW_PAGE, EV_VM_EXIT,
                                               EV_SHADOW_FILL, EV_VM_EXIT};
        static const uint64_t lines[] = {1, 2, 3, 4, 10};
        open_text(&s, MODE_SHADOW, small_trace, -1);
        assert_int_equal(bp_parse("gpa 0xFFFFC000", &bp, err, sizeof err), 0);
        session_break_add(&s, &bp);
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
                assert_int_equal(session_continue(&s), STOP_BREAK);
                assert_int_equal(session_event(&s)->kind, want[i]);
                assert_int_equal(session_event(&s)->line, lines[i]);
                if (want[i] == EV_VM_EXIT)
                        assert_int_equal(session_event(&s)->reason, EXIT_PT_WRITE);
        }
        assert_int_equal(session_continue(&s), STOP_END);
        session_close(&s);
}

/* The index never misses: for random breakpoints of every kind and random
 * events, every breakpoint that matches an event is among the candidates
 * the index gives for it, each once, in order. */
static void test_bp_index_complete(void **state)
{
        (void)state;
        enum { NBPS = 1500, NEVENTS = 20000 };
        static struct breakpoint bps[NBPS];
        static const uint64_t sizes[] = {0x1000,     0x3000,     0x200000,     0x600000,
                                         0x40000000, 0x10000000, 0x8000000000, 0};
        rng_state = 11;
        for (size_t i = 0; i < NBPS; i++) {
                struct breakpoint *b = &bps[i];
                memset(b, 0, sizeof *b);
                b->enabled = true;
                b->value = -1;
                b->kind = (enum bp_kind)rnd(6);
                uint64_t size = sizes[rnd(sizeof sizes / sizeof sizes[0])];
                b->lo = (rnd(1u << 20) << 12) & (size ? ~(size - 1) : 0);
                if (rnd(4) == 0)
                        b->lo |= 0xFFFF800000000000ULL;
                b->hi = b->lo + size; /* 0: to the top */
                if (b->kind == BP_EXIT)
                        b->value = (int)rnd(EXIT_REASON_COUNT + 1) - 1;
                if (b->kind == BP_KIND)
                        b->value = (int)rnd(EV_KIND_COUNT);
                if (b->kind == BP_EVENT || b->kind == BP_LINE)
                        b->lo = 1 + rnd(5000);
        }
        struct bp_index *x = bp_index_build(bps, NBPS);
        for (size_t e = 0; e < NEVENTS; e++) {
                struct event ev = {
                    .kind = (enum event_kind)rnd(EV_KIND_COUNT),
                    .seq = 1 + rnd(5000),
                    .line = 1 + rnd(5000),
                    .gva = rnd(1u << 20) << 12 | rnd(4096),
                    .gpa = rnd(1u << 20) << 12 | rnd(4096),
                    .table_gpa = rnd(1u << 20) << 12,
                    .hpa = rnd(2) ? 0x200000 : 0,
                    .level = (uint8_t)(1 + rnd(4)),
                    .reason = (uint8_t)rnd(EXIT_REASON_COUNT),
                    .count = (uint32_t)rnd(600),
                    .detail = (uint8_t)(rnd(3) == 0 ? DETAIL_ZAP_ENTRY : DETAIL_NONE),
                    .new_entry = rnd(2),
                };
                if (rnd(4) == 0)
                        ev.gva |= 0xFFFF800000000000ULL;
                size_t n;
                const uint32_t *cand = bp_index_lookup(x, &ev, &n);
                for (size_t i = 1; i < n; i++)
                        assert_true(cand[i - 1] < cand[i]);
                for (size_t i = 0, c = 0; i < NBPS; i++) {
                        if (!bp_matches(&bps[i], &ev))
                                continue;
                        while (c < n && cand[c] < i)
                                c++;
                        if (c == n || cand[c] != i)
                                fail_msg("event %zu (%s): breakpoint %zu matches, not a "
                                         "candidate",
                                         e, event_kind_name(ev.kind), i);
                }
        }
        bp_index_free(x);
}

/* With many breakpoints, continue stops where each one alone would first
 * stop after the last stop, and reports exactly those. */
static void test_bp_many_continue(void **state)
{
        (void)state;
        static const char *const specs[] = {"0x1000",     "gpa 0x5000", "exit cr3", "line 8",
                                            "SHADOW_ZAP", "event 40",   "0x0/2M"};
        enum { FILLER = 3000 };
        struct session s;
        struct breakpoint bp;
        char err[256], spec[64];
        open_text(&s, MODE_SHADOW, small_trace, MODE_EPT);
        for (size_t i = 0; i < FILLER; i++) {
                /* Pages and ranges no line touches, numbers past the end. */
                snprintf(spec, sizeof spec,
                         i % 3 == 0   ? "0x%zX000"
                         : i % 3 == 1 ? "gpa 0x%zX000"
                                      : "event %zu000",
                         0x10000 + i);
                assert_int_equal(bp_parse(spec, &bp, err, sizeof err), 0);
                session_break_add(&s, &bp);
        }
        struct breakpoint set[sizeof specs / sizeof specs[0]];
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
                assert_int_equal(bp_parse(specs[i], &set[i], err, sizeof err), 0);
                session_break_add(&s, &set[i]);
        }
        uint64_t at = 0;
        for (;;) {
                uint64_t want = 0;
                for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
                        uint64_t f = first_match(MODE_SHADOW, small_trace, &set[i], at);
                        if (f && (!want || f < want))
                                want = f;
                }
                enum stop_reason r = session_continue(&s);
                if (!want) {
                        assert_int_equal(r, STOP_END);
                        break;
                }
                assert_int_equal(r, STOP_BREAK);
                assert_int_equal(session_seq(&s), want);
                const struct breakpoint *hits[8];
                size_t n = session_break_hits(&s, hits, 8), k = 0;
                for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
                        if (first_match(MODE_SHADOW, small_trace, &set[i], at) == want) {
                                assert_true(k < n);
                                assert_int_equal(hits[k++]->id, FILLER + 1 + (int)i);
                        }
                assert_int_equal(k, n);
                at = want;
        }
        session_close(&s);
}

static void test_bp_enable_delete(void **state)
{
        (void)state;
        struct session s;
        struct breakpoint bp;
        char err[256];
        open_text(&s, MODE_SHADOW, small_trace, -1);
        assert_int_equal(bp_parse("exit cr3", &bp, err, sizeof err), 0);
        int a = session_break_add(&s, &bp);
        assert_int_equal(bp_parse("0x2000", &bp, err, sizeof err), 0);
        int b = session_break_add(&s, &bp);
        assert_int_not_equal(a, b);
        uint64_t first2000 = first_match(MODE_SHADOW, small_trace, &bp, 0);
        assert_int_equal(session_continue(&s), STOP_BREAK);
        assert_int_equal(session_seq(&s), first2000);
        assert_int_equal(session_break_hit(&s)->id, b);
        session_break_find(&s, b)->enabled = false;
        assert_int_equal(session_continue(&s), STOP_BREAK);
        assert_int_equal(session_break_hit(&s)->id, a);
        assert_int_equal(session_event(&s)->reason, EXIT_CR3);
        assert_true(session_break_delete(&s, a));
        assert_false(session_break_delete(&s, a));
        assert_null(session_break_find(&s, a));
        assert_int_equal(session_continue(&s), STOP_END);
        assert_true(s.at_end);
        /* Re-enabled: reverse-continue finds the access to 0x2000 before
         * the current event (which is the last one, on line 14). */
        assert_int_equal(session_event(&s)->line, 14);
        session_break_find(&s, b)->enabled = true;
        assert_int_equal(session_reverse_continue(&s), STOP_BREAK);
        assert_int_equal(session_event(&s)->gva & ~0xFFFULL, 0x2000);
        assert_int_equal(session_event(&s)->line, 8);
        /* step stops on a breakpoint inside a line; next (no bps) does not. */
        session_restart(&s);
        assert_int_equal(session_step(&s, 3, true), STOP_BREAK);
        assert_int_equal(session_seq(&s), first2000);
        session_restart(&s);
        assert_int_equal(session_step(&s, 3, false), STOP_DONE);
        assert_int_equal(session_ops(&s), 3);
        /* back stops on the latest breakpoint on the way: line 2, on its
         * first event about 0x2000 (the hidden page fault). */
        assert_int_equal(session_back(&s, 3, true), STOP_BREAK);
        assert_int_equal(session_event(&s)->kind, EV_VM_EXIT);
        assert_int_equal(session_event(&s)->gva, 0x2000);
        assert_int_equal(session_event(&s)->line, 2);
        assert_int_equal(session_back(&s, 3, false), STOP_START);
        session_close(&s);
}

/* ---- the rest ------------------------------------------------------------ */

struct collected {
        uint64_t opno[64];
        uint64_t line[64];
        size_t nevs[64];
        uint64_t first_seq[64];
        size_t n;
};

static void collect(void *ctx, uint64_t opno, const struct op *op, const struct event *evs,
                    size_t n, const char *note)
{
        (void)note;
        struct collected *c = ctx;
        if (c->n < 64) {
                c->opno[c->n] = opno;
                c->line[c->n] = op->line;
                c->nevs[c->n] = n;
                c->first_seq[c->n] = n ? evs[0].seq : 0;
                c->n++;
        }
}

static void test_history_and_peek(void **state)
{
        (void)state;
        char *text = make_trace(3000, 5);
        struct session s;
        open_text(&s, MODE_SHADOW, text, -1);
        /* Forward: remember each op's line and first event. */
        struct collected want = {0};
        for (int i = 0; i < 2500; i++) {
                session_step(&s, 1, false);
                if (session_ops(&s) > 2000 && want.n < 40) {
                        want.opno[want.n] = session_ops(&s);
                        want.line[want.n] = s.op.line;
                        want.nevs[want.n] = s.nevs;
                        want.first_seq[want.n] = s.nevs ? s.evs[0].seq : 0;
                        want.n++;
                }
        }
        /* Recent ops from memory, old ones by replay: both agree. */
        for (int pass = 0; pass < 2; pass++) {
                struct collected got = {0};
                session_history(&s, want.opno[0], want.opno[want.n - 1], collect, &got);
                assert_int_equal(got.n, want.n);
                for (size_t i = 0; i < want.n; i++) {
                        assert_int_equal(got.opno[i], want.opno[i]);
                        assert_int_equal(got.line[i], want.line[i]);
                        assert_int_equal(got.nevs[i], want.nevs[i]);
                        assert_int_equal(got.first_seq[i], want.first_seq[i]);
                }
                /* Far back: the history no longer holds them. */
                session_goto(&s, 1);
                session_goto(&s, want.first_seq[want.n - 1] + 1000000);
        }
        /* Peek returns the ops that step then applies. */
        session_goto_line(&s, 100);
        struct op next[5];
        assert_int_equal(session_peek(&s, next, 5, NULL, 0), 5);
        for (int i = 0; i < 5; i++) {
                session_step(&s, 1, false);
                assert_int_equal(s.op.line, next[i].line);
                assert_int_equal(s.op.kind, next[i].kind);
                assert_int_equal(s.op.gva, next[i].gva);
        }
        session_close(&s);
        free(text);
}

static void test_goto_line_and_mode(void **state)
{
        (void)state;
        struct session s;
        open_text(&s, MODE_SHADOW, small_trace, MODE_EPT);
        assert_int_equal(session_goto_line(&s, 8), STOP_DONE);
        assert_int_equal(s.op.line, 8);
        assert_int_equal(session_ops(&s), 8);
        assert_int_equal(session_goto_line(&s, 3), STOP_DONE);
        assert_int_equal(s.op.line, 3);
        uint64_t shadow_exits = s.sim.stats.exits;
        uint64_t ept_exits = s.cmp.stats.exits;
        assert_int_not_equal(shadow_exits, ept_exits);
        /* Same position under EPT, compared against shadow. */
        assert_int_equal(session_set_mode(&s, MODE_EPT), STOP_DONE);
        assert_int_equal(session_set_cmp(&s, MODE_SHADOW), STOP_DONE);
        assert_int_equal(session_ops(&s), 3);
        assert_int_equal(s.sim.stats.exits, ept_exits);
        assert_int_equal(s.cmp.stats.exits, shadow_exits);
        assert_int_equal(session_set_cmp(&s, -1), STOP_DONE);
        assert_false(s.has_cmp);
        assert_int_equal(session_goto_line(&s, 1000), STOP_END);
        assert_true(s.at_end);
        assert_int_equal(session_percent(&s), 100);
        session_close(&s);
}

/* Exchanging the scheme and the compared one swaps the machines without a
 * replay: the state, and every later move back, must be what a session
 * opened that way sees. */
static void test_mode_swap(void **state)
{
        (void)state;
        char *text = make_trace(3000, 9);
        struct session a, b;
        open_text(&a, MODE_SHADOW, text, MODE_EPT);
        open_text(&b, MODE_EPT, text, MODE_SHADOW);
        session_step(&a, 2000, false);
        session_stepi(&a, 1, false); /* mid-op: the swap ends the op */
        session_step(&b, 2001, false);
        assert_int_equal(session_set_schemes(&a, MODE_EPT, MODE_SHADOW), STOP_DONE);
        assert_int_equal(a.sim.cfg.mode, MODE_EPT);
        assert_int_equal(a.cmp_mode, MODE_SHADOW);
        struct view va = view_of(&a), vb = view_of(&b);
        assert_same(&va, &vb);
        for (int i = 0; i < 40; i++) {
                session_back(&a, 41, false);
                session_back(&b, 41, false);
                va = view_of(&a);
                vb = view_of(&b);
                assert_same(&va, &vb);
        }
        session_step(&a, 1500, false);
        session_step(&b, 1500, false);
        va = view_of(&a);
        vb = view_of(&b);
        assert_same(&va, &vb);
        session_close(&a);
        session_close(&b);
        free(text);
}

/* Opens b on text under mode and cmp and steps it to where a stands;
 * both must then agree, and keep agreeing going back and forward. */
static void check_same_as_fresh(struct session *a, const char *text, enum mmu_mode mode, int cmp)
{
        struct session b;
        open_text(&b, mode, text, cmp);
        session_step(&b, session_ops(a), false);
        struct view va = view_of(a), vb = view_of(&b);
        assert_same(&va, &vb);
        for (int i = 0; i < 30; i++) {
                session_back(a, 53, false);
                session_back(&b, 53, false);
                va = view_of(a);
                vb = view_of(&b);
                assert_same(&va, &vb);
        }
        /* By events too: snapshots are found by the event numbers of the
         * scheme now in use. */
        for (int i = 0; i < 10; i++) {
                session_backi(a, 97, false);
                session_backi(&b, 97, false);
                va = view_of(a);
                vb = view_of(&b);
                assert_same(&va, &vb);
        }
        session_step(a, 2000, false);
        session_step(&b, 2000, false);
        va = view_of(a);
        vb = view_of(&b);
        assert_same(&va, &vb);
        session_close(&b);
}

/* Changing one of the two schemes replays that machine alone and keeps
 * the other's snapshots; dropping the compare machine replays nothing. */
static void test_change_one_scheme(void **state)
{
        (void)state;
        char *text = make_trace(5000, 12);
        struct session a;
        open_text(&a, MODE_SHADOW, text, MODE_EPT);
        session_step(&a, 3000, false);
        session_back(&a, 700, false); /* snapshots after the position too */
        assert_int_equal(session_set_cmp(&a, MODE_NATIVE), STOP_DONE);
        assert_int_equal(session_ops(&a), 2300);
        assert_int_equal(a.cmp.cfg.mode, MODE_NATIVE);
        check_same_as_fresh(&a, text, MODE_SHADOW, MODE_NATIVE);
        assert_int_equal(session_set_mode(&a, MODE_SHADOW_OOS), STOP_DONE);
        assert_int_equal(a.sim.cfg.mode, MODE_SHADOW_OOS);
        check_same_as_fresh(&a, text, MODE_SHADOW_OOS, MODE_NATIVE);
        uint64_t ops = session_ops(&a);
        assert_int_equal(session_set_cmp(&a, -1), STOP_DONE);
        assert_false(a.has_cmp);
        assert_int_equal(session_ops(&a), ops);
        check_same_as_fresh(&a, text, MODE_SHADOW_OOS, -1);
        assert_int_equal(session_set_mode(&a, MODE_EPT), STOP_DONE);
        check_same_as_fresh(&a, text, MODE_EPT, -1);
        session_close(&a);
        free(text);
}

/* Exchanging the schemes makes the compare machine the main one: the
 * snapshots are then numbered by its events (here more than the old main
 * one's), so that going back by events restores one before the target. */
static void test_swap_then_back_by_events(void **state)
{
        (void)state;
        static const char text[] = "PT_WRITE 0x2000->0xD000 rx\n"
                                   "W 0x2000E0\n"
                                   "X 0xFFFF800000000090\n"
                                   "INVLPG 0xFFFF800000000000\n"
                                   "PT_WRITE 0x1000->0x1E000 x\n"
                                   "R 0x7FFFFFFFF0F0\n"
                                   "INVLPG 0x201000\n"
                                   "PT_CLEAR 0x3000\n";
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = MODE_EPT;
        cfg.levels = 5;
        cfg.pcid = true;
        cfg.host_large = true;
        struct session a, b;
        assert_int_equal(
            session_open(&a, &cfg, TRACE_FORMAT_AUTO, NULL, text, "t.txt", MODE_SHADOW), 0);
        session_set_spacing(&a, 5);
        session_step(&a, 8, false);
        assert_int_equal(session_set_schemes(&a, MODE_SHADOW, MODE_EPT), STOP_DONE);
        session_backi(&a, 6, false);
        cfg.mode = MODE_SHADOW;
        assert_int_equal(session_open(&b, &cfg, TRACE_FORMAT_AUTO, NULL, text, "t.txt", MODE_EPT),
                         0);
        session_stepi(&b, session_seq(&a), false);
        struct view va = view_of(&a), vb = view_of(&b);
        assert_same(&va, &vb);
        session_close(&a);
        session_close(&b);
}

static bool poll_count(void *ctx)
{
        unsigned *left = ctx;
        return *left == 0 || --*left == 0;
}

/* Another scheme replays from the start, and the poll can stop it: an
 * interrupted change changes nothing (the schemes, and the event the
 * session stood on, mid-line too, stay), whichever machines it replays. */
static void test_mode_interrupt(void **state)
{
        (void)state;
        char *text = make_trace(6000, 10);
        static const struct {
                enum mmu_mode mode;
                int cmp;
        } changes[] = {
            {MODE_SHADOW_OOS, MODE_NATIVE}, /* both machines */
            {MODE_SHADOW, MODE_NATIVE},     /* the compare machine */
            {MODE_NATIVE, MODE_EPT},        /* the main one */
        };
        for (size_t c = 0; c < sizeof changes / sizeof changes[0]; c++) {
                struct session a, b;
                open_text(&a, MODE_SHADOW, text, MODE_EPT);
                session_step(&a, 5000, false);
                do /* to an event inside a line */
                        session_backi(&a, 1, false);
                while (a.shown == a.nevs);
                uint64_t seq = session_seq(&a), ops = session_ops(&a);
                unsigned left = 2;
                a.poll = poll_count;
                a.poll_ctx = &left;
                assert_int_equal(session_set_schemes(&a, changes[c].mode, changes[c].cmp),
                                 STOP_INTERRUPT);
                a.poll = NULL;
                assert_int_equal(a.sim.cfg.mode, MODE_SHADOW);
                assert_true(a.has_cmp);
                assert_int_equal(a.cmp_mode, MODE_EPT);
                assert_int_equal(session_ops(&a), ops);
                assert_int_equal(session_seq(&a), seq);
                open_text(&b, MODE_SHADOW, text, MODE_EPT);
                session_goto(&b, seq);
                struct view va = view_of(&a), vb = view_of(&b);
                assert_same(&va, &vb);
                session_close(&b);
                /* The snapshots are intact: going back from the end of the
                 * line is exact too. */
                session_step(&a, 1, false);
                check_same_as_fresh(&a, text, MODE_SHADOW, MODE_EPT);
                /* Let through, the same change completes. */
                assert_int_equal(session_set_schemes(&a, changes[c].mode, changes[c].cmp),
                                 STOP_DONE);
                check_same_as_fresh(&a, text, changes[c].mode, changes[c].cmp);
                session_close(&a);
        }
        free(text);
}

static void test_search(void **state)
{
        (void)state;
        struct session s;
        open_text(&s, MODE_SHADOW, small_trace, -1);
        assert_int_equal(session_search(&s, "shadow_update", false), STOP_DONE);
        assert_int_equal(session_event(&s)->kind, EV_SHADOW_UPDATE);
        uint64_t first = session_seq(&s);
        assert_int_equal(session_search(&s, "cr3 #", false), STOP_DONE);
        assert_int_equal(session_event(&s)->kind, EV_VM_EXIT);
        uint64_t at = session_seq(&s);
        assert_int_equal(session_search(&s, "no such text", false), STOP_END);
        assert_int_equal(session_seq(&s), at);
        assert_non_null(strstr(s.msg, "not found"));
        assert_int_equal(session_search(&s, "SHADOW_UPDATE", true), STOP_DONE);
        assert_int_equal(session_seq(&s), first);
        session_close(&s);
}

/* Every event line of a plain run of text under mode, for the search
 * reference. Caller frees. */
struct all_lines {
        char (*line)[256];
        size_t n, cap;
};

static void line_sink(void *ctx, const struct event *ev)
{
        struct all_lines *a = ctx;
        if (a->n == a->cap) {
                a->cap = a->cap ? a->cap * 2 : 1024;
                a->line = realloc(a->line, a->cap * sizeof *a->line);
        }
        event_format(ev, a->line[a->n++], sizeof a->line[0]);
}

static void run_lines(enum mmu_mode mode, const char *text, struct all_lines *a)
{
        struct sim_config cfg;
        struct trace_limits lim;
        struct trace_reader r;
        struct sim m;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        trace_limits_of_config(&cfg, &lim);
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &lim);
        sim_init(&m, &cfg);
        sim_add_sink(&m, line_sink, a);
        struct op op;
        struct trace_error err;
        enum trace_status st;
        while ((st = trace_next(&r, &op, &err)) != TRACE_EOF)
                if (st == TRACE_OK)
                        sim_apply(&m, &op);
        sim_free(&m);
        trace_close(&r);
}

/* Whether line holds text, ignoring case (the reference: strncasecmp at
 * every place). */
static bool holds(const char *line, const char *text)
{
        for (size_t n = strlen(text); *line; line++)
                if (strncasecmp(line, text, n) == 0)
                        return true;
        return false;
}

/* A search lands, either way and from anywhere (mid-line too), on the
 * nearest event whose log line holds the text, as a plain run says; with
 * none, it stays. */
static void test_search_anywhere(void **state)
{
        (void)state;
        char *text = make_trace(1500, 5);
        struct all_lines all = {0};
        struct session s;
        run_lines(MODE_SHADOW, text, &all);
        open_text(&s, MODE_SHADOW, text, MODE_EPT);
        rng_state = 99;
        for (int k = 0; k < 60; k++) {
                uint64_t cur = rnd(all.n + 1), pick = rnd(all.n);
                /* A piece of some event's line, or a text none holds. */
                char want[32];
                size_t at = rnd(strlen(all.line[pick]) - 8);
                snprintf(want, sizeof want, "%.*s", 4 + (int)rnd(12), all.line[pick] + at);
                if (k % 10 == 9)
                        snprintf(want, sizeof want, "no such text");
                for (int back = 0; back < 2; back++) {
                        uint64_t ref = 0;
                        for (uint64_t e = back ? cur : cur + 1; back ? e > 1 : e <= all.n;
                             back ? e-- : e++) {
                                uint64_t q = back ? e - 1 : e;
                                if (holds(all.line[q - 1], want)) {
                                        ref = q;
                                        break;
                                }
                        }
                        session_goto(&s, cur);
                        enum stop_reason r = session_search(&s, want, back);
                        if (ref) {
                                assert_int_equal(r, STOP_DONE);
                        } else {
                                assert_int_equal(r, back ? STOP_START : STOP_END);
                                assert_non_null(strstr(s.msg, "not found"));
                        }
                        if (session_seq(&s) != (ref ? ref : cur))
                                fail_msg("search%s '%s' from %llu: at %llu, expected %llu",
                                         back ? " -b" : "", want, (unsigned long long)cur,
                                         (unsigned long long)session_seq(&s),
                                         (unsigned long long)(ref ? ref : cur));
                }
        }
        session_close(&s);
        free(all.line);
        free(text);
}

/* A search forward reports a malformed line on its way, as any forward
 * move does, then goes on past it; the poll stops a long one where it
 * started. */
static void test_search_bad_line_and_poll(void **state)
{
        (void)state;
        struct session s;
        open_text(&s, MODE_SHADOW, "R 0x1000\nFROB 12\nR 0x2000\n", -1);
        assert_int_equal(session_search(&s, "GUEST_PF 0x2000", false), STOP_ERROR);
        assert_non_null(strstr(s.msg, "t.txt:2:1: error: expected a keyword"));
        assert_int_equal(session_search(&s, "GUEST_PF 0x2000", false), STOP_DONE);
        assert_int_equal(s.op.line, 3);
        session_restart(&s);
        assert_int_equal(session_search(&s, "no such text", false), STOP_ERROR);
        assert_int_equal(session_search(&s, "no such text", false), STOP_END);
        session_close(&s);

        char *text = make_trace(6000, 10);
        unsigned left = 2;
        open_text(&s, MODE_SHADOW, text, MODE_EPT);
        session_step(&s, 10, false);
        uint64_t at = session_seq(&s);
        s.poll = poll_count;
        s.poll_ctx = &left;
        assert_int_equal(session_search(&s, "no such text", false), STOP_INTERRUPT);
        assert_int_equal(session_seq(&s), at);
        session_goto(&s, 60000);
        at = session_seq(&s);
        left = 2;
        assert_int_equal(session_search(&s, "no such text", true), STOP_INTERRUPT);
        assert_int_equal(session_seq(&s), at);
        session_close(&s);
        free(text);
}

static void test_bad_line_and_inputs(void **state)
{
        (void)state;
        struct session s;
        open_text(&s, MODE_SHADOW, "R 0x1000\nFROB 12\nR 0x2000\n", -1);
        assert_int_equal(session_step(&s, 1, false), STOP_DONE);
        assert_int_equal(session_step(&s, 1, false), STOP_ERROR);
        assert_non_null(strstr(s.msg, "t.txt:2:1: error: expected a keyword (PT_WRITE, "));
        assert_non_null(strstr(s.msg, "found 'FROB'"));
        assert_int_equal(session_step(&s, 1, false), STOP_DONE);
        assert_int_equal(s.op.line, 3);
        /* Replays skip the bad line silently. */
        assert_int_equal(session_back(&s, 1, false), STOP_DONE);
        assert_int_equal(s.op.line, 1);
        session_close(&s);

        struct sim_config cfg;
        sim_config_defaults(&cfg);
        errno = 0;
        assert_int_equal(
            session_open(&s, &cfg, TRACE_FORMAT_AUTO, "/nonexistent/x", NULL, NULL, -1), -1);
        assert_int_equal(errno, ENOENT);
        assert_string_equal(s.msg, "/nonexistent/x: cannot read: No such file or directory");
        const char *bz = write_temp((const unsigned char *)"BZh91AY&SY", 10);
        char path[64];
        snprintf(path, sizeof path, "%s", bz);
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, path, NULL, NULL, -1), -1);
        assert_int_equal(errno, EILSEQ);
        assert_non_null(strstr(s.msg, ": error: a bzip2-compressed file"));
        unlink(path);
}

/* Ops numbered first..last, as session_history gives them. */
struct op_lines {
        uint64_t first, n, line[64];
};

static void op_line(void *ctx, uint64_t opno, const struct op *op, const struct event *evs,
                    size_t nevs, const char *note)
{
        (void)note;
        struct op_lines *l = ctx;
        (void)evs;
        (void)nevs;
        assert_int_equal(opno, l->first + l->n);
        l->line[l->n++] = op->line;
}

/* A trace from a file or a pipe, plain or compressed: positions are
 * offsets into its text, and going back, the log history (replayed by a
 * reader of its own) and the look ahead agree with the same trace in
 * memory. */
static void test_file_and_pipe_traces(void **state)
{
        (void)state;
        char *text = make_trace(4000, 11);
        for (int enc = 0; enc < ENC_COUNT; enc++) {
                struct encoded_input in;
                encoded_open(&in, (enum encoding)enc, text, enc == ENC_GZIP ? 2 : 1);
                struct sim_config cfg;
                sim_config_defaults(&cfg);
                struct session s, m;
                assert_int_equal(
                    session_open(&s, &cfg, TRACE_FORMAT_AUTO, in.path, NULL, NULL, MODE_EPT), 0);
                session_set_spacing(&s, TEST_SPACING);
                open_text(&m, MODE_SHADOW, text, MODE_EPT);
                session_step(&s, 3000, false);
                session_step(&m, 3000, false);
                unsigned pct = session_percent(&s);
                if (in.is_file && (pct <= 50 || pct >= 100))
                        fail_msg("%s: %u%% at 3000 of 4000 lines", encoding_name(enc), pct);
                for (int i = 0; i < 50; i++) {
                        session_back(&s, 37, false);
                        session_back(&m, 37, false);
                        struct view a = view_of(&s), b = view_of(&m);
                        assert_same(&a, &b);
                }
                struct op_lines got = {.first = 10}, want = {.first = 10};
                session_history(&s, 10, 40, op_line, &got);
                session_history(&m, 10, 40, op_line, &want);
                assert_int_equal(got.n, 31);
                assert_memory_equal(got.line, want.line, sizeof got.line);
                struct op a[4], b[4];
                assert_int_equal(session_peek(&s, a, 4, NULL, 0), 4);
                assert_int_equal(session_peek(&m, b, 4, NULL, 0), 4);
                for (int i = 0; i < 4; i++)
                        assert_int_equal(a[i].line, b[i].line);
                assert_int_equal(session_step(&s, 10000, false), STOP_END);
                assert_int_equal(session_percent(&s), 100);
                session_close(&s);
                session_close(&m);
                encoded_close(&in);
        }
        free(text);
}

/* A trace of 100,000 new address spaces, each with a mapping: each takes
 * a few hundred bytes (its tables are small: ptable.h), so together they
 * pass 16 MiB. */
static const char *many_spaces(void)
{
        static char text[4 << 20];
        size_t n = 0;
        for (int i = 1; i <= 100000 && n + 80 < sizeof text; i++)
                n += (size_t)snprintf(text + n, sizeof text - n, "CR3 %d\nPT_WRITE 0x%x->0x5000\n",
                                      i, i * 4096);
        return text;
}

/* Past --max-mem, every move forward is refused with the reason, not
 * only the first. */
static void test_memory_limit_said_again(void **state)
{
        (void)state;
        struct sim_config cfg;
        struct session s;
        sim_config_defaults(&cfg);
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, many_spaces(), "t", -1),
                         0);
        session_set_memory_limit(&s, (size_t)16 << 20);
        assert_int_equal(session_continue(&s), STOP_ERROR);
        assert_non_null(strstr(s.msg, "fit in --max-mem"));
        for (int k = 0; k < 2; k++) {
                assert_int_equal(session_step(&s, 1, false), STOP_ERROR);
                assert_non_null(strstr(s.msg, "fit in --max-mem"));
        }
        session_close(&s);
}

/* At --max-mem the snapshots go before the machines are refused, so the
 * session can still go back a line from there (a snapshot as large as
 * the machine would not fit beside it) and, going forward again, is
 * refused at the same line. */
static void test_memory_limit_back(void **state)
{
        (void)state;
        struct sim_config cfg;
        struct session s;
        sim_config_defaults(&cfg);
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, many_spaces(), "t", -1),
                         0);
        session_set_memory_limit(&s, (size_t)16 << 20);
        session_set_spacing(&s, 4096); /* snapshots all along, up to the limit */
        assert_int_equal(session_continue(&s), STOP_ERROR);
        char first[sizeof s.msg];
        snprintf(first, sizeof first, "%s", s.msg);
        uint64_t ops = s.sim.ops;
        assert_true(ops > 100);
        assert_int_equal(session_back(&s, 1, false), STOP_DONE);
        assert_int_equal(s.sim.ops, ops - 1);
        assert_int_equal(session_step(&s, 1, false), STOP_DONE);
        assert_int_equal(s.sim.ops, ops);
        assert_int_equal(session_continue(&s), STOP_ERROR);
        assert_int_equal(s.sim.ops, ops);
        assert_string_equal(s.msg, first);
        session_close(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_back_lines_shadow),
            cmocka_unit_test(test_back_lines_oos),
            cmocka_unit_test(test_back_lines_ept_small_budget),
            cmocka_unit_test(test_spacing_by_cost),
            cmocka_unit_test(test_back_lackey),
            cmocka_unit_test(test_backi_every_event),
            cmocka_unit_test(test_mid_op),
            cmocka_unit_test(test_bp_parse),
            cmocka_unit_test(test_bp_kinds_continue),
            cmocka_unit_test(test_bp_edges),
            cmocka_unit_test(test_bp_gpa_matches),
            cmocka_unit_test(test_bp_gpa_trace),
            cmocka_unit_test(test_bp_index_complete),
            cmocka_unit_test(test_bp_many_continue),
            cmocka_unit_test(test_bp_enable_delete),
            cmocka_unit_test(test_history_and_peek),
            cmocka_unit_test(test_goto_line_and_mode),
            cmocka_unit_test(test_mode_swap),
            cmocka_unit_test(test_swap_then_back_by_events),
            cmocka_unit_test(test_mode_interrupt),
            cmocka_unit_test(test_change_one_scheme),
            cmocka_unit_test(test_search),
            cmocka_unit_test(test_search_anywhere),
            cmocka_unit_test(test_search_bad_line_and_poll),
            cmocka_unit_test(test_bad_line_and_inputs),
            cmocka_unit_test(test_file_and_pipe_traces),
            cmocka_unit_test(test_memory_limit_said_again),
            cmocka_unit_test(test_memory_limit_back),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
