/*
 * test_cmd.c - the command table: lookup by name, alias and prefix,
 * argument checks, what every command does and prints, completion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"

static const char trace_text[] = "PT_WRITE 0x2000->0x6000\n"
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
                                 "R 0x1000\n";

/* Output collected from the commands. */
struct capture {
        char text[65536];
        size_t len;
        uint64_t selected;
        bool has_selection;
        char help_topic[32];
        int help_calls;
};

static void out(void *face, const char *line)
{
        struct capture *c = face;
        int n = snprintf(c->text + c->len, sizeof c->text - c->len, "%s\n", line);
        if (n > 0 && c->len + (size_t)n < sizeof c->text)
                c->len += (size_t)n;
}

static bool selection(void *face, struct breakpoint *bp)
{
        struct capture *c = face;
        memset(bp, 0, sizeof *bp);
        bp->kind = BP_GVA;
        bp->lo = c->selected & ~0xFFFULL;
        bp->hi = bp->lo + 0x1000;
        return c->has_selection;
}

struct fixture {
        struct session s;
        struct cmd_ctx ctx;
        struct capture cap;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof *f);
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        if (session_open(&f->s, &cfg, TRACE_FORMAT_AUTO, NULL, trace_text, "t.txt", MODE_EPT) < 0)
                return -1;
        cmd_ctx_init(&f->ctx, &f->s);
        f->ctx.out = out;
        f->ctx.face = &f->cap;
        f->ctx.selection = selection;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        cmd_ctx_free(&f->ctx);
        session_close(&f->s);
        free(f);
        return 0;
}

/* Runs line, expecting result; returns the output and clears it. */
static const char *run(struct fixture *f, const char *line, enum cmd_result want)
{
        static char last[65536];
        f->cap.len = 0;
        f->cap.text[0] = '\0';
        enum cmd_result r = cmd_run(&f->ctx, line);
        if (r != want)
                fail_msg("'%s' gave %d, expected %d (err: %s)", line, r, want, f->ctx.err);
        memcpy(last, f->cap.text, sizeof last);
        return last;
}

static void test_lookup(void **state)
{
        struct fixture *f = *state;
        const char *aliases[][2] = {{"s", "step"},       {"n", "next"},
                                    {"c", "continue"},   {"b", "break"},
                                    {"rs", "back"},      {"rc", "reverse-continue"},
                                    {"si", "stepi"},     {"reverse-step", "back"},
                                    {"q", "quit"},       {"cont", "continue"},
                                    {"tr", "translate"}, {"wh", "where"}};
        for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
                const struct cmd_entry *e = cmd_find(&f->ctx, aliases[i][0]);
                assert_non_null(e);
                assert_string_equal(e->name, aliases[i][1]);
        }
        assert_null(cmd_find(&f->ctx, "re"));
        assert_non_null(strstr(f->ctx.err, "ambiguous command 're'"));
        assert_non_null(strstr(f->ctx.err, "restart"));
        assert_non_null(strstr(f->ctx.err, "reverse-continue"));
        assert_null(cmd_find(&f->ctx, "frob"));
        assert_string_equal(f->ctx.err, "unknown command 'frob' (help lists them)");
        /* Every entry has a name, usage, help and function. */
        for (size_t i = 0; cmd_table[i]; i++) {
                assert_non_null(cmd_table[i]->usage);
                assert_true(strlen(cmd_table[i]->help) > 10);
                assert_non_null(cmd_table[i]->exec);
                assert_ptr_equal(cmd_find(&f->ctx, cmd_table[i]->name), cmd_table[i]);
        }
}

static void test_arguments(void **state)
{
        struct fixture *f = *state;
        run(f, "", CMD_OK);
        run(f, "   # a comment", CMD_OK);
        run(f, "step 1 2", CMD_ERROR);
        assert_string_equal(f->ctx.err, "usage: step [N]");
        run(f, "step 0", CMD_ERROR);
        assert_string_equal(f->ctx.err, "expected a count (a positive number), found '0'");
        run(f, "step x", CMD_ERROR);
        run(f, "goto", CMD_ERROR);
        run(f, "goto twelve", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "found 'twelve'"));
        run(f, "break", CMD_ERROR);
        run(f, "break exit frob", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "found 'frob'"));
        run(f, "search \"unterminated", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "closing"));
        run(f, "delete 99", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "no breakpoint number 99"));
        run(f, "info frob", CMD_ERROR);
        run(f, "mode frob", CMD_ERROR);
        run(f, "set speed 0", CMD_ERROR);
        run(f, "translate zz", CMD_ERROR);
        run(f, "translate 0x0000900000000000", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "not a canonical address"));
        run(f, "run 99999999999", CMD_ERROR);
        assert_string_equal(f->ctx.err,
                            "expected a speed of 1..100000 events a second, found '99999999999'");
        assert_false(f->ctx.run_requested);
        run(f, "run 0", CMD_ERROR);
        run(f, "break 0x1000/0xFFF", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "1 byte short of a page's end"));
        run(f, "break 0x0000900000000000", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "not a canonical address with 4-level paging"));
        run(f, "toggle 0x0000900000000000", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "not a canonical address"));
        run(f, "break gpa 0x100000000", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "beyond guest memory"));
        assert_int_equal(f->s.nbps, 0);
        assert_int_equal(session_ops(&f->s), 0); /* none of that moved */
}

static void test_moving(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "step", CMD_OK);
        assert_int_equal(session_ops(&f->s), 1);
        assert_true(f->ctx.last_flags & CMD_MOVES);
        assert_string_equal(o, "");
        run(f, "n 2", CMD_OK);
        assert_int_equal(session_ops(&f->s), 3);
        uint64_t seq = session_seq(&f->s);
        run(f, "stepi 2", CMD_OK);
        assert_int_equal(session_seq(&f->s), seq + 2);
        run(f, "backi", CMD_OK);
        assert_int_equal(session_seq(&f->s), seq + 1);
        run(f, "rs", CMD_OK);
        assert_int_equal(session_ops(&f->s), 3);
        run(f, "reverse-next 2", CMD_OK);
        assert_int_equal(session_ops(&f->s), 1);
        run(f, "goto 10", CMD_OK);
        assert_int_equal(session_seq(&f->s), 10);
        run(f, "goto #3", CMD_OK);
        assert_int_equal(session_seq(&f->s), 3);
        run(f, "goto line 8", CMD_OK);
        assert_int_equal(f->s.op.line, 8);
        o = run(f, "goto end", CMD_OK);
        assert_non_null(strstr(o, "End of trace: 12 lines applied"));
        o = run(f, "c", CMD_OK);
        assert_non_null(strstr(o, "End of trace"));
        o = run(f, "rc", CMD_OK);
        assert_string_equal(o, "Start of trace\n");
        run(f, "goto end", CMD_OK);
        o = run(f, "restart", CMD_OK);
        assert_string_equal(o, "Start of trace\n");
        assert_int_equal(session_seq(&f->s), 0);
        o = run(f, "where", CMD_OK);
        assert_non_null(strstr(o, "At the start of t.txt"));
        run(f, "search shadow_update", CMD_OK);
        assert_int_equal(session_event(&f->s)->kind, EV_SHADOW_UPDATE);
        o = run(f, "where", CMD_OK);
        assert_non_null(strstr(o, "line 3: PT_WRITE 0x1000->0x5000"));
        assert_non_null(strstr(o, "=> #"));
        assert_non_null(strstr(o, "shadow entry updated: 0x1000 -> hpa 0x8A000"));
        assert_non_null(strstr(o, "on this line ept took no VM exit"));
        o = run(f, "search \"no such thing\"", CMD_OK);
        assert_non_null(strstr(o, "'no such thing' not found"));
        assert_int_equal(session_event(&f->s)->kind, EV_SHADOW_UPDATE);
        run(f, "search -b SHADOW_ROOT", CMD_OK);
        assert_int_equal(session_event(&f->s)->kind, EV_SHADOW_ROOT);
        run(f, "search -f", CMD_OK); /* the same text again, forward */
        assert_int_equal(session_event(&f->s)->kind, EV_SHADOW_ROOT);
        assert_true(f->s.op.line >= 6);
        run(f, "run 50", CMD_OK);
        assert_true(f->ctx.run_requested);
        assert_int_equal(f->ctx.speed, 50);
}

static void test_breakpoints(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "break 0x1000", CMD_OK);
        assert_string_equal(o, "Breakpoint 1: gva 0x1000-0x1FFF\n");
        o = run(f, "b exit cr3", CMD_OK);
        assert_string_equal(o, "Breakpoint 2: exit cr3\n");
        o = run(f, "c", CMD_OK);
        assert_non_null(strstr(o, "Breakpoint 1 (gva 0x1000-0x1FFF), event #"));
        assert_non_null(strstr(o, "hit 1 time\n"));
        assert_int_equal(f->s.op.line, 3);
        o = run(f, "c", CMD_OK);
        assert_int_equal(f->s.op.line, 4);
        run(f, "disable 1", CMD_OK);
        o = run(f, "c", CMD_OK);
        assert_non_null(strstr(o, "Breakpoint 2 (exit cr3)"));
        assert_int_equal(f->s.op.line, 6);
        o = run(f, "info breakpoints", CMD_OK);
        assert_string_equal(o, "Num  Enb  Hits  What\n"
                               "1    n    2     gva 0x1000-0x1FFF\n"
                               "2    y    1     exit cr3\n");
        run(f, "enable all", CMD_OK);
        o = run(f, "rc", CMD_OK);
        assert_non_null(strstr(o, "Breakpoint 1"));
        assert_int_equal(f->s.op.line, 5); /* R 0x1000, a TLB hit */
        /* toggle: the selected page, or an address */
        run(f, "toggle", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "no page selected"));
        f->cap.selected = 0x2345;
        f->cap.has_selection = true;
        o = run(f, "toggle", CMD_OK);
        assert_string_equal(o, "Breakpoint 3: gva 0x2000-0x2FFF\n");
        o = run(f, "toggle 0x2000", CMD_OK);
        assert_string_equal(o, "Deleted breakpoint 3: gva 0x2000-0x2FFF\n");
        o = run(f, "toggle 0x400000/2M", CMD_OK);
        assert_string_equal(o, "Breakpoint 4: gva 0x400000-0x5FFFFF\n");
        o = run(f, "toggle 0x400000/2M", CMD_OK);
        assert_string_equal(o, "Deleted breakpoint 4: gva 0x400000-0x5FFFFF\n");
        run(f, "toggle exit", CMD_ERROR);
        o = run(f, "delete 1 2", CMD_OK);
        assert_string_equal(o, "Deleted breakpoint 1: gva 0x1000-0x1FFF\n"
                               "Deleted breakpoint 2: exit cr3\n");
        o = run(f, "info b", CMD_OK);
        assert_string_equal(o, "No breakpoints (break ADDR sets one).\n");
}

/* Every breakpoint that stops on an event is reported; one set twice is
 * set once. */
static void test_breakpoints_together(void **state)
{
        struct fixture *f = *state;
        run(f, "break 0x1000", CMD_OK);
        run(f, "break exit pt_write", CMD_OK);
        run(f, "break line 3", CMD_OK);
        const char *o = run(f, "break 0x1000/4K", CMD_OK);
        assert_string_equal(o, "Breakpoint 1 already stops there: gva 0x1000-0x1FFF\n");
        run(f, "disable 2", CMD_OK);
        o = run(f, "b exit pt_write", CMD_OK);
        assert_string_equal(o, "Breakpoint 2 already stops there: exit pt_write (disabled: "
                               "enable turns it on)\n");
        run(f, "enable 2", CMD_OK);
        assert_int_equal(f->s.nbps, 3);
        o = run(f, "continue", CMD_OK); /* the first pt_write exit, line 1 */
        assert_string_equal(o, "Breakpoint 2 (exit pt_write), event #3, hit 1 time\n");
        o = run(f, "continue", CMD_OK); /* line 3: all three stop on its first event */
        char want[512];
        uint64_t seq = session_seq(&f->s);
        snprintf(want, sizeof want,
                 "Breakpoint 1 (gva 0x1000-0x1FFF), event #%llu, hit 1 time\n"
                 "Breakpoint 2 (exit pt_write), event #%llu, hit 2 times\n"
                 "Breakpoint 3 (line 3), event #%llu, hit 1 time\n",
                 (unsigned long long)seq, (unsigned long long)seq, (unsigned long long)seq);
        assert_string_equal(o, want);
        assert_int_equal(f->s.op.line, 3);
        const struct breakpoint *hits[2];
        assert_int_equal(session_break_hits(&f->s, hits, 2), 3);
        assert_int_equal(hits[0]->id, 1);
        assert_int_equal(hits[1]->id, 2);
}

/* A bare search repeats the last one the way it went; -f and -b say
 * which way. */
static void test_search_again(void **state)
{
        struct fixture *f = *state;
        run(f, "search", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "no search yet to repeat"));
        run(f, "goto end", CMD_OK);
        run(f, "search -b SHADOW_PAGE", CMD_OK);
        uint64_t last = session_seq(&f->s);
        run(f, "search", CMD_OK);
        uint64_t before = session_seq(&f->s);
        assert_true(before < last);
        assert_int_equal(session_event(&f->s)->kind, EV_SHADOW_PAGE);
        run(f, "search -f", CMD_OK);
        assert_int_equal(session_seq(&f->s), last);
        run(f, "search", CMD_OK); /* forward now, past the last one */
        assert_int_equal(session_seq(&f->s), last);
        run(f, "search -b", CMD_OK);
        assert_int_equal(session_seq(&f->s), before);
        run(f, "search TLB_FLUSH", CMD_OK); /* a new text goes forward */
        assert_true(session_seq(&f->s) > before);
        assert_int_equal(session_event(&f->s)->kind, EV_TLB_FLUSH);
}

static void test_info_and_translate(void **state)
{
        struct fixture *f = *state;
        run(f, "step 4", CMD_OK);
        struct stats before = f->s.sim.stats;
        uint64_t tick = f->s.sim.tlb.tick, seq = f->s.sim.seq;
        const char *o = run(f, "translate 0x1000", CMD_OK);
        assert_non_null(strstr(o, "0x1000 in address space 0"));
        assert_non_null(strstr(o,
                               "guest   L4 0xFFFFF000[0] -> L3 0xFFFFE000[0] -> L2 0xFFFFD000[0] "
                               "-> L1 0xFFFFC000[1]: gpa 0x5000, rw AD"));
        assert_non_null(strstr(o, "host    gpa 0x5000 -> hpa 0x8A000"));
        assert_non_null(strstr(o, "tlb     hit"));
        assert_non_null(strstr(o, "shadow  root [0] -> [0] -> [0] -> [1]: hpa 0x8A000 rw"));
        /* The walk a miss would make now, with the page-walk caches warm. */
        assert_non_null(strstr(o, "shadow  root [0] -> [0] -> [0] -> [1]: hpa 0x8A000 rw; a TLB "
                                  "miss now walks 1 reference: 1 of the 4 levels read"));
        assert_non_null(strstr(o, "ept     a TLB miss now walks 3 references = 1 guest entry + 2 "
                                  "in 2 nested walks"));
        /* Looking changed nothing. */
        assert_memory_equal(&before, &f->s.sim.stats, sizeof before);
        assert_int_equal(tick, f->s.sim.tlb.tick);
        assert_int_equal(seq, f->s.sim.seq);
        o = run(f, "translate 0x7000", CMD_OK);
        assert_non_null(strstr(o, "empty, not mapped"));
        assert_non_null(strstr(o, "no entry at L1"));
        o = run(f, "info walk", CMD_OK);
        assert_non_null(strstr(o, "0x1000 in address space 0"));
        o = run(f, "info tlb", CMD_OK);
        assert_non_null(strstr(o, "TLB: 16 sets x 4 ways, no PCID; 1 valid"));
        assert_non_null(strstr(o, "0x1000"));
        o = run(f, "info stats", CMD_OK);
        assert_non_null(strstr(o, "counter                    shadow          ept"));
        assert_non_null(strstr(o, "exit_pt_write"));
        o = run(f, "info guest", CMD_OK);
        assert_non_null(strstr(o, "Guest PT  asid 0"));
        assert_non_null(strstr(o, "L4 root 0xFFFFF000 [wp]"));
        assert_non_null(strstr(o, "[  1] 0x1000->0x5000 rw AD"));
        o = run(f, "info shadow", CMD_OK);
        assert_non_null(strstr(o, "[  1] 0x1000->hpa 0x8A000 rw"));
        run(f, "info ept", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "there is no EPT"));
        /* Same line under EPT, compared with shadow. */
        o = run(f, "mode ept", CMD_OK);
        assert_string_equal(o, "Mode ept at line 4, compared with shadow\n");
        assert_int_equal(f->s.sim.cfg.mode, MODE_EPT);
        assert_int_equal(f->s.cmp_mode, MODE_SHADOW);
        o = run(f, "info ept", CMD_OK);
        assert_non_null(strstr(o, "L4 nested root"));
        assert_non_null(strstr(o, "gpa 0x5000->hpa 0x8A000"));
        run(f, "info shadow", CMD_ERROR);
        o = run(f, "compare off", CMD_OK);
        assert_false(f->s.has_cmp);
        o = run(f, "info stats", CMD_OK);
        assert_non_null(strstr(o, "counter                       ept"));
        run(f, "compare native", CMD_OK);
        assert_int_equal(f->s.cmp_mode, MODE_NATIVE);
        o = run(f, "set", CMD_OK);
        assert_string_equal(o, "speed 10 (events a second while running)\n"
                               "theme dark (the stepper's colours, for a dark or a light "
                               "background)\n"
                               "deltas off (counters show what the current line added, not the "
                               "totals)\n"
                               "narration off (the explanation starts with the trace's comments "
                               "on the line)\n"
                               "tlb-cpu auto (whose TLB the pane and info tlb show: the current "
                               "event's vCPU (auto) or vCPU N)\n");
        run(f, "set speed 99", CMD_OK);
        assert_int_equal(f->ctx.speed, 99);
        run(f, "set theme light", CMD_OK);
        assert_int_equal(f->ctx.theme, CMD_THEME_LIGHT);
        run(f, "set theme blue", CMD_ERROR);
        assert_string_equal(f->ctx.err,
                            "expected 'set theme dark' or 'set theme light', found 'blue'");
        assert_int_equal(f->ctx.theme, CMD_THEME_LIGHT);
        run(f, "set colour red", CMD_ERROR);
        assert_string_equal(f->ctx.err,
                            "expected a setting (speed, theme, deltas, narration, tlb-cpu), "
                            "found 'colour'");
        o = run(f, "set deltas on", CMD_OK);
        assert_true(f->ctx.deltas);
        assert_string_equal(o, "Counters: what the current line added (set deltas off: the "
                               "totals)\n");
        run(f, "set deltas toggle", CMD_OK);
        assert_false(f->ctx.deltas);
        run(f, "set deltas maybe", CMD_ERROR);
        assert_false(f->ctx.deltas);
        run(f, "quit", CMD_QUIT);
        run(f, "exit", CMD_QUIT);
}

static void show_help(void *face, const char *topic)
{
        struct capture *c = face;
        c->help_calls++;
        snprintf(c->help_topic, sizeof c->help_topic, "%s", topic ? topic : "(all)");
}

static void test_help(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "help", CMD_OK);
        for (size_t i = 0; cmd_table[i]; i++)
                assert_non_null(strstr(o, cmd_table[i]->name));
        assert_non_null(strstr(o, "(alias s)"));
        o = run(f, "help rc", CMD_OK);
        assert_non_null(strstr(o, "reverse-continue"));
        assert_non_null(strstr(o, "go back to the previous breakpoint"));
        run(f, "help frob", CMD_ERROR);
        /* A face with its own help screen gets the topic. */
        f->ctx.show_help = show_help;
        o = run(f, "help break", CMD_OK);
        assert_string_equal(o, "");
        assert_int_equal(f->cap.help_calls, 1);
        assert_string_equal(f->cap.help_topic, "break");
}

/* Fails unless every line of text is at most width characters. */
static void assert_fits(const char *text, unsigned width)
{
        for (const char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
                if ((unsigned)(nl - line) > width)
                        fail_msg("width %u: '%.*s'", width, (int)(nl - line), line);
}

/* Every line of the help fits the width; at widths with room for two
 * columns, each synopsis stands alone or two blanks before its text. */
static void test_help_layout(void **state)
{
        struct fixture *f = *state;
        static const unsigned widths[] = {20, 33, 40, 60, 80, 120, 200};
        static char table[65536];
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
                f->ctx.width = widths[w];
                snprintf(table, sizeof table, "%s", run(f, "help", CMD_OK));
                assert_fits(table, widths[w]);
                for (size_t i = 0; cmd_table[i]; i++) {
                        char topic[64], left[256];
                        snprintf(topic, sizeof topic, "help %s", cmd_table[i]->name);
                        assert_fits(run(f, topic, CMD_OK), widths[w]);
                        if (widths[w] < 80)
                                continue;
                        snprintf(left, sizeof left, "\n  %s%s%s", cmd_table[i]->name,
                                 *cmd_table[i]->usage ? " " : "", cmd_table[i]->usage);
                        const char *at = strstr(table, left);
                        if (!at)
                                fail_msg("width %u: no '%s'", widths[w], left + 1);
                        at += strlen(left);
                        assert_true(at[0] == '\n' || (at[0] == ' ' && at[1] == ' '));
                }
        }
}

/* help COMMAND: every form with an example of it. */
static void test_help_forms(void **state)
{
        struct fixture *f = *state;
        f->ctx.width = 1000; /* no text wraps */
        for (size_t i = 0; cmd_table[i]; i++) {
                const struct cmd_entry *e = cmd_table[i];
                char topic[64];
                assert_non_null(e->forms);
                snprintf(topic, sizeof topic, "help %s", e->name);
                const char *o = run(f, topic, CMD_OK);
                for (const struct cmd_form *form = e->forms; form->synopsis; form++) {
                        char example[256];
                        assert_non_null(form->help);
                        assert_non_null(form->example);
                        assert_non_null(strstr(o, form->synopsis));
                        assert_non_null(strstr(o, form->help));
                        snprintf(example, sizeof example, "e.g. %s\n", form->example);
                        if (strcmp(form->example, form->synopsis) != 0 && !strstr(o, example))
                                fail_msg("help %s: no '%s'", e->name, example);
                }
        }
        /* help break names every event kind and exit reason it takes. */
        const char *o = run(f, "help break", CMD_OK);
        for (int k = 0; k < EV_KIND_COUNT; k++)
                assert_non_null(strstr(o, event_kind_name((enum event_kind)k)));
        for (int r = 0; r < EXIT_REASON_COUNT; r++)
                assert_non_null(strstr(o, exit_reason_name((enum exit_reason)r)));
        o = run(f, "help mode", CMD_OK);
        assert_non_null(strstr(o, "shadow-oos"));
        assert_non_null(strstr(o, "KVM today"));
}

/* goto as help and the man page write it, and the numbers that name
 * nothing. */
static void test_goto_forms(void **state)
{
        struct fixture *f = *state;
        run(f, "goto event 5", CMD_OK);
        assert_int_equal(session_seq(&f->s), 5);
        run(f, "goto #3", CMD_OK);
        assert_int_equal(session_seq(&f->s), 3);
        run(f, "goto 7", CMD_OK);
        assert_int_equal(session_seq(&f->s), 7);
        run(f, "goto line 0", CMD_ERROR);
        assert_string_equal(f->ctx.err, "lines are numbered from 1: there is no line 0 (goto "
                                        "start goes before the first)");
        run(f, "goto event 0", CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "there is no event 0"));
        run(f, "goto event", CMD_ERROR);
        run(f, "goto line", CMD_ERROR);
        assert_string_equal(f->ctx.err, "expected a line number after 'line', found 'nothing'");
        run(f, "goto start 3", CMD_ERROR);
        assert_int_equal(session_seq(&f->s), 7); /* none of that moved */
        const char *o = run(f, "goto line 99", CMD_OK);
        assert_non_null(strstr(o, "The trace ends before line 99 (its last line is 12)"));
}

/* Counts are written in the singular when there is one. */
static void test_grammar(void **state)
{
        (void)state;
        struct session s;
        struct cmd_ctx ctx;
        struct capture cap = {0};
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.tlb_sets = cfg.tlb_ways = 1;
        cfg.mode = MODE_NATIVE;
        assert_int_equal(
            session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, "TLB_FLUSH\n", "one.txt", -1), 0);
        cmd_ctx_init(&ctx, &s);
        ctx.out = out;
        ctx.face = &cap;
        assert_int_equal(cmd_run(&ctx, "continue"), CMD_OK);
        assert_int_equal(cmd_run(&ctx, "info tlb"), CMD_OK);
        assert_non_null(strstr(cap.text, "End of trace: 1 line applied, 1 event\n"));
        assert_non_null(strstr(cap.text, "TLB: 1 set x 1 way, no PCID; 0 valid\n"));
        session_close(&s);
}

/* info walk has something to say at every event: at a guest page-table
 * store, the entry and the walk to it. */
static void test_info_walk(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "info walk", CMD_OK);
        assert_non_null(strstr(o, "No event yet"));
        run(f, "search PT_WRITE 0x1000", CMD_OK);
        o = run(f, "info walk", CMD_OK);
        assert_non_null(strstr(o, "the guest stored the L1 entry for 0x1000-0x1FFF, at gpa "
                                  "0xFFFFC008\n"));
        assert_non_null(strstr(o, "  walk    L4 0xFFFFF000[0] -> L3 0xFFFFE000[0] -> L2 "
                                  "0xFFFFD000[0] -> L1 0xFFFFC000[1]\n"));
        assert_non_null(strstr(o, "  entry   empty -> gpa 0x5000 rw\n"));
        assert_non_null(strstr(o, "  store   the table page is write-protected: the store exited"));
        run(f, "search PT_LINK", CMD_OK);
        run(f, "search -b PT_LINK L2", CMD_OK);
        o = run(f, "info walk", CMD_OK);
        assert_non_null(strstr(o, "the guest stored the L2 entry for 0x0-0x1FFFFF"));
        assert_non_null(strstr(o, "  entry   empty -> table 0xFFFFC000\n"));
        assert_non_null(strstr(o, "no exit"));
        run(f, "search CR3 asid=1", CMD_OK);
        o = run(f, "info walk", CMD_OK);
        assert_non_null(strstr(o, "walks nothing: [TRACE] CR3 asid=1"));
        assert_non_null(strstr(o, "address space 1, guest root 0x"));
}

static void collect(void *arg, const char *word)
{
        char *buf = arg;
        strcat(buf, word);
        strcat(buf, " ");
}

static void test_complete(void **state)
{
        struct fixture *f = *state;
        char words[4096];
        words[0] = '\0';
        cmd_complete(&f->ctx, "", collect, words);
        assert_non_null(strstr(words, "step "));
        assert_non_null(strstr(words, "reverse-continue "));
        words[0] = '\0';
        cmd_complete(&f->ctx, "break ", collect, words);
        assert_non_null(strstr(words, "exit "));
        assert_non_null(strstr(words, "gpa "));
        assert_non_null(strstr(words, "SHADOW_UPDATE "));
        words[0] = '\0';
        cmd_complete(&f->ctx, "b exit ", collect, words);
        assert_non_null(strstr(words, "pt_write page_fault cr3 invlpg ept_violation "));
        words[0] = '\0';
        cmd_complete(&f->ctx, "info ", collect, words);
        assert_non_null(strstr(words, "breakpoints tlb stats"));
        words[0] = '\0';
        cmd_complete(&f->ctx, "mode ", collect, words);
        assert_string_equal(words, "native shadow-eager shadow shadow-oos ept agile ");
        words[0] = '\0';
        run(f, "break 0x1000", CMD_OK);
        cmd_complete(&f->ctx, "delete ", collect, words);
        assert_string_equal(words, "all 1 ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "frob ", collect, words);
        assert_string_equal(words, "");
        /* Each command's own hook: info topics from the topic table, schemes
         * from the registry, command names after help; none past the last
         * argument a command takes. */
        words[0] = '\0';
        cmd_complete(&f->ctx, "info ", collect, words);
        assert_string_equal(words, "breakpoints tlb stats exits walk guest shadow ept ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "info tlb ", collect, words);
        assert_string_equal(words, "");
        words[0] = '\0';
        cmd_complete(&f->ctx, "compare ", collect, words);
        assert_string_equal(words, "native shadow-eager shadow shadow-oos ept agile off ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "set ", collect, words);
        assert_string_equal(words, "speed theme deltas narration tlb-cpu ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "set narration ", collect, words);
        assert_string_equal(words, "on off toggle ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "quiz ", collect, words);
        assert_string_equal(words, "on off toggle ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "set theme ", collect, words);
        assert_string_equal(words, "dark light ");
        words[0] = '\0';
        cmd_complete(&f->ctx, "help ", collect, words);
        assert_non_null(strstr(words, "reverse-continue "));
        assert_non_null(strstr(words, "translate "));
        words[0] = '\0';
        cmd_complete(&f->ctx, "step ", collect, words);
        assert_string_equal(words, "");
}

/* A face's own command with a completion hook is completed like a
 * built-in one. */
static enum cmd_result face_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        cmd_print(ctx, "pane %s", argv[1]);
        return CMD_OK;
}

static void face_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argv;
        if (argc == 1) {
                add(arg, "left");
                add(arg, "right");
        }
}

static const struct cmd_entry face_entry = {
    .name = "pane",
    .args = {1, 1},
    .usage = "left|right",
    .help = "a command of the face, for the test",
    .exec = face_exec,
    .complete = face_complete,
};

static void test_face_commands(void **state)
{
        struct fixture *f = *state;
        static const struct cmd_entry *const extra[] = {&face_entry, NULL};
        char words[256] = "";
        f->ctx.extra = extra;
        cmd_complete(&f->ctx, "pan ", collect, words);
        assert_string_equal(words, "left right ");
        assert_string_equal(run(f, "pane left", CMD_OK), "pane left\n");
        run(f, "pane", CMD_ERROR);
        assert_string_equal(f->ctx.err, "usage: pane left|right");
}

/* pause takes the rest of its line as it is (any number of words, a lone
 * quote), escaped; outside a script it only says what it is for. */
static void test_pause(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "pause now", CMD_OK);
        assert_non_null(strstr(o, "pause [TEXT] is for a --script file or -e"));
        assert_false(f->ctx.pause_requested);
        f->ctx.in_script = true;
        run(f,
            "pause   one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen \"seventeen  ",
            CMD_OK);
        assert_true(f->ctx.pause_requested);
        assert_string_equal(f->ctx.pause_text, "one two three four five six seven eight nine ten "
                                               "eleven twelve thirteen fourteen fifteen sixteen "
                                               "\"seventeen");
        run(f, "pause \x1b]0;title\a", CMD_OK);
        assert_string_equal(f->ctx.pause_text, "\\x1B]0;title\\x07");
        run(f, "pause", CMD_OK);
        assert_string_equal(f->ctx.pause_text, "");
        run(f, "\"pause\" x", CMD_OK); /* a quoted name is split as any line */
        assert_string_equal(f->ctx.pause_text, "x");
}

/* info alone lists the topic table; a topic is found by a unique prefix. */
static void test_info_topics(void **state)
{
        struct fixture *f = *state;
        const char *o = run(f, "info", CMD_OK);
        assert_non_null(strstr(o, "  info breakpoints  the breakpoints"));
        assert_non_null(strstr(o, "  info ept          the nested (EPT) tables"));
        assert_string_equal(o, run(f, "help info", CMD_OK));
        run(f, "info e", CMD_ERROR);
        assert_string_equal(f->ctx.err, "ambiguous topic 'e': exits, ept");
        run(f, "info frob", CMD_ERROR);
        assert_string_equal(f->ctx.err, "expected breakpoints, tlb, stats, exits, walk, guest, "
                                        "shadow or ept, found 'frob'");
        o = run(f, "info ex", CMD_OK);
        assert_non_null(strstr(o, "VM exits under shadow"));
        run(f, "info tlb stats", CMD_ERROR);
        assert_string_equal(f->ctx.err, "usage: info [TOPIC]");
}

/* Answers the waiting question with reply, expecting result; returns the
 * output. */
static const char *answer(struct fixture *f, const char *reply, bool story, enum cmd_result want)
{
        static char last[65536];
        f->cap.len = 0;
        f->cap.text[0] = '\0';
        assert_int_equal(cmd_quiz_answer(&f->ctx, reply, story), want);
        memcpy(last, f->cap.text, sizeof last);
        return last;
}

/* The stepper's quiz: with it on, step and next at the end of a line ask
 * about the line first and do not move; the reply makes the step and says
 * right or wrong with the score, and, with the story, why. An access that
 * walks is asked its exit and its references in turn. A count, stepi, the
 * moves back, a script and a dropped question ask nothing or move
 * nothing. */
static void test_quiz_mode(void **state)
{
        struct fixture *f = *state;
        assert_string_equal(run(f, "quiz", CMD_OK), "Quiz off: 0 of 0 right\n");
        assert_string_equal(run(f, "step", CMD_OK), "");
        assert_int_equal(session_ops(&f->s), 1); /* off: a step moves */
        run(f, "restart", CMD_OK);
        const char *o = run(f, "quiz on", CMD_OK);
        assert_non_null(strstr(o, "Quiz on: step and next ask about the line"));
        assert_string_equal(run(f, "step", CMD_OK), "");
        assert_true(f->ctx.quiz.pending);
        assert_int_equal(session_ops(&f->s), 0);
        assert_string_equal(f->ctx.quiz.q.context, "line 1: PT_WRITE 0x2000->0x6000 rw");
        assert_string_equal(f->ctx.quiz.q.text,
                            "Does this line cause a VM exit under shadow? (yes or no)");
        o = answer(f, "yes", true, CMD_OK);
        assert_string_equal(o, "right (quiz 1/1)\n");
        assert_int_equal(session_ops(&f->s), 1);
        assert_true(f->ctx.last_flags & CMD_MOVES);
        assert_false(f->ctx.quiz.pending);
        /* An access that walks: first its exit (a hidden page fault). */
        run(f, "step", CMD_OK);
        assert_int_equal(f->ctx.quiz.q.kind, QUIZ_EXITS);
        o = answer(f, "no", true, CMD_OK);
        assert_non_null(strstr(o, "wrong: the answer is yes (quiz 1/2)\n"
                                  "  under shadow, line 2 logged:\n"));
        assert_non_null(strstr(o, "VM_EXIT page_fault"));
        assert_non_null(strstr(o, "on this line ept took"));
        run(f, "next", CMD_OK);
        assert_false(f->ctx.quiz.use_bps);
        o = answer(f, "maybe", false, CMD_OK);
        assert_string_equal(o, "cannot read 'maybe': expected yes or no; counted wrong, the answer "
                               "is yes (quiz 1/3)\n");
        /* The next access that walks: its references. */
        run(f, "step", CMD_OK);
        assert_int_equal(f->ctx.quiz.q.kind, QUIZ_REFS);
        assert_non_null(strstr(f->ctx.quiz.q.text, "How many memory references"));
        char reply[32];
        snprintf(reply, sizeof reply, "%s", f->ctx.quiz.q.answer);
        assert_string_equal(answer(f, reply, true, CMD_OK), "right (quiz 2/4)\n");
        assert_int_equal(session_ops(&f->s), 4);
        /* A dropped question moves nothing and counts nothing. */
        run(f, "step", CMD_OK);
        cmd_quiz_drop(&f->ctx);
        assert_false(f->ctx.quiz.pending);
        assert_int_equal(session_ops(&f->s), 4);
        answer(f, "yes", true, CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "no question waits"));
        /* A question is about where the session stood: a move drops it. */
        run(f, "step", CMD_OK);
        run(f, "back", CMD_OK);
        answer(f, "yes", true, CMD_ERROR);
        assert_non_null(strstr(f->ctx.err, "the session has moved since the question"));
        assert_false(f->ctx.quiz.pending);
        assert_int_equal(session_ops(&f->s), 3);
        run(f, "step", CMD_OK);
        run(f, "step", CMD_OK); /* asked anew */
        assert_true(f->ctx.quiz.pending);
        assert_int_equal(session_ops(&f->s), 3);
        cmd_quiz_drop(&f->ctx);
        run(f, "next", CMD_OK);
        assert_int_equal(session_ops(&f->s), 3);
        cmd_quiz_drop(&f->ctx);
        run(f, "goto line 4", CMD_OK);
        /* These move without a question. */
        run(f, "step 2", CMD_OK);
        assert_int_equal(session_ops(&f->s), 6);
        run(f, "back", CMD_OK);
        run(f, "goto line 1", CMD_OK);
        run(f, "stepi", CMD_OK);
        assert_false(f->ctx.quiz.pending);
        f->ctx.in_script = true;
        run(f, "step", CMD_OK);
        f->ctx.in_script = false;
        assert_false(f->ctx.quiz.pending);
        assert_int_equal(session_ops(&f->s), 2); /* stepi went into line 2, step completed it */
        run(f, "stepi", CMD_OK);                 /* inside line 3 */
        assert_true(f->s.shown < f->s.nevs);
        run(f, "step", CMD_OK);
        assert_false(f->ctx.quiz.pending);
        assert_int_equal(f->s.shown, f->s.nevs);
        assert_string_equal(run(f, "quiz off", CMD_OK), "Quiz off: 2 of 4 right\n");
        run(f, "step", CMD_OK);
        assert_false(f->ctx.quiz.pending);
        run(f, "quiz maybe", CMD_ERROR);
        assert_string_equal(f->ctx.err,
                            "expected 'quiz on', 'quiz off' or 'quiz toggle', found 'maybe'");
        run(f, "quiz toggle", CMD_OK);
        assert_true(f->ctx.quiz.on);
        run(f, "step", CMD_OK);
        assert_true(f->ctx.quiz.pending); /* teardown frees it */
}

/* set narration on: where puts the trace's comments on the line at the
 * start of the explanation, not above the line; cmd_narration gives them
 * to the stepper's explain rows. */
static void test_narration(void **state)
{
        static const char text[] = "# The guest maps its first page.\n"
                                   "PT_WRITE 0x1000->0x5000\n"
                                   "R 0x1000\n";
        struct fixture f = {0};
        struct sim_config cfg;
        (void)state;
        sim_config_defaults(&cfg);
        assert_int_equal(session_open(&f.s, &cfg, TRACE_FORMAT_AUTO, NULL, text, "n.txt", -1), 0);
        cmd_ctx_init(&f.ctx, &f.s);
        f.ctx.out = out;
        f.ctx.face = &f.cap;
        run(&f, "step", CMD_OK);
        const char *o = run(&f, "where", CMD_OK);
        assert_true(strncmp(o, "# The guest maps its first page.\nline 2: PT_WRITE", 49) == 0);
        assert_string_equal(cmd_narration(&f.ctx), "");
        o = run(&f, "set narration on", CMD_OK);
        assert_string_equal(o, "Explanation: the trace's narration of the line first\n");
        assert_string_equal(cmd_narration(&f.ctx), "The guest maps its first page.");
        o = run(&f, "where", CMD_OK);
        assert_true(strncmp(o, "line 2: PT_WRITE", 16) == 0);
        assert_non_null(strstr(o, "\n   # The guest maps its first page.\n   the VMM shadowed"));
        run(&f, "step", CMD_OK); /* a line without narration */
        assert_string_equal(cmd_narration(&f.ctx), "");
        run(&f, "set narration toggle", CMD_OK);
        assert_false(f.ctx.narration);
        run(&f, "set narration maybe", CMD_ERROR);
        assert_string_equal(f.ctx.err,
                            "expected 'set narration on', 'off' or 'toggle', found 'maybe'");
        session_close(&f.s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
            cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
            cmocka_unit_test_setup_teardown(test_moving, setup, teardown),
            cmocka_unit_test_setup_teardown(test_breakpoints, setup, teardown),
            cmocka_unit_test_setup_teardown(test_breakpoints_together, setup, teardown),
            cmocka_unit_test_setup_teardown(test_search_again, setup, teardown),
            cmocka_unit_test_setup_teardown(test_info_and_translate, setup, teardown),
            cmocka_unit_test_setup_teardown(test_help, setup, teardown),
            cmocka_unit_test_setup_teardown(test_help_layout, setup, teardown),
            cmocka_unit_test_setup_teardown(test_help_forms, setup, teardown),
            cmocka_unit_test_setup_teardown(test_goto_forms, setup, teardown),
            cmocka_unit_test(test_grammar),
            cmocka_unit_test_setup_teardown(test_info_walk, setup, teardown),
            cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
            cmocka_unit_test_setup_teardown(test_face_commands, setup, teardown),
            cmocka_unit_test_setup_teardown(test_info_topics, setup, teardown),
            cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
            cmocka_unit_test_setup_teardown(test_quiz_mode, setup, teardown),
            cmocka_unit_test(test_narration),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
