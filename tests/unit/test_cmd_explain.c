/*
 * test_cmd_explain.c - the explain line: the chain of what happened on a
 * trace line and the clause on why, under each scheme.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "explain.h"
#include "scheme.h"
#include "session.h"

static const char trace_text[] = "PT_WRITE 0x2000->0x6000\n"
                                 "ACCESS 0x2000\n"
                                 "PT_WRITE 0x1000->0x5000\n"
                                 "W 0x1000\n"
                                 "PT_WRITE 0x1000->0x7000\n"
                                 "INVLPG 0x1000\n"
                                 "CR3 1\n";

/* The explanation of the first event of kind (and, for exits, reason) on
 * trace line line or later when the trace runs under mode. */
static void explain_from(enum mmu_mode mode, enum event_kind kind, int reason, uint64_t line,
                         char *buf, size_t n)
{
        struct sim_config cfg;
        struct session s;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, trace_text, "t",
                                      (int)session_default_cmp(mode)),
                         0);
        for (;;) {
                assert_int_equal(session_stepi(&s, 1, false), STOP_DONE);
                const struct event *ev = session_event(&s);
                if (ev->kind == kind && (reason < 0 || ev->reason == reason) && ev->line >= line)
                        break;
        }
        session_explain(&s, buf, n);
        session_close(&s);
}

static void explain_first(enum mmu_mode mode, enum event_kind kind, int reason, char *buf, size_t n)
{
        explain_from(mode, kind, reason, 0, buf, n);
}

static void test_trapped_store(void **state)
{
        char buf[1024];
        (void)state;
        explain_first(MODE_SHADOW, EV_SHADOW_UPDATE, -1, buf, sizeof buf);
        assert_string_equal(buf,
                            "guest wrote a PTE in a write-protected table page -> VM exit #3 -> "
                            "the VMM emulated the store (0x1000 -> gpa 0x5000) -> shadow entry "
                            "updated: 0x1000 -> hpa 0x8A000; on this line ept took no VM exit");
}

static void test_hidden_fault(void **state)
{
        char buf[1024];
        (void)state;
        explain_first(MODE_SHADOW, EV_VM_EXIT, EXIT_PAGE_FAULT, buf, sizeof buf);
        assert_string_equal(buf,
                            "TLB miss and no shadow entry allows this read of 0x2000: hidden page "
                            "fault -> VM exit #2; on this line ept took 1 VM exit (1 "
                            "ept_violation) and 1 walk of 5 memory references");
        /* Like events in a row are told once. */
        explain_first(MODE_SHADOW, EV_SHADOW_FILL, -1, buf, sizeof buf);
        assert_non_null(strstr(buf,
                               "the VMM shadowed 3 guest tables: they are write-protected now -> "
                               "the VMM filled the shadow entry: 0x2000 -> hpa 0xA9000"));
}

static void test_ept(void **state)
{
        char buf[1024];
        (void)state;
        explain_first(MODE_EPT, EV_VM_EXIT, EXIT_EPT_VIOLATION, buf, sizeof buf);
        assert_non_null(strstr(buf, "has no EPT entry: EPT violation -> VM exit #1"));
        assert_non_null(strstr(buf, "once per guest frame"));
        explain_first(MODE_EPT, EV_ACCESS, -1, buf, sizeof buf);
        /* The walk after the data frame's violation: the page-walk caches
         * (on by default) hold what the aborted walk read, the guest links
         * included. */
        assert_non_null(strstr(buf, "TLB miss: a walk of 5 memory references"));
        assert_non_null(strstr(buf, "a 2D walk of 5 references = 1 guest entry + 4 in 2 nested "
                                    "walks (the page-walk caches spared the rest); with nothing "
                                    "cached (4+1)(4+1)-1 = 24 for a 4K page, against 4 natively"));
        /* A guest store into a fresh table takes its violation there. */
        explain_first(MODE_EPT, EV_PT_WRITE, -1, buf, sizeof buf);
        /* A long chain keeps its start, the line's first exit, and its
         * end, and says how many links it leaves out between. */
        assert_string_equal(buf, "guest frame 0xFFFFF000 has no EPT entry: EPT violation -> VM "
                                 "exit #1 -> (9 more steps) -> the VMM mapped gpa 0xFFFFC000 -> "
                                 "hpa 0xFFF73000 in the EPT; the guest's store into its table "
                                 "goes on -> guest wrote a PTE: 0x2000 -> gpa 0x6000; the host "
                                 "backs a guest frame on its first touch, here the guest's store "
                                 "into a fresh table: later stores into it do not exit; on this "
                                 "line shadow took 1 VM exit (1 pt_write)");
        /* A store into a table the host has backed: no exit at all. */
        explain_from(MODE_EPT, EV_PT_WRITE, -1, 3, buf, sizeof buf);
        assert_string_equal(buf, "guest wrote a PTE: 0x1000 -> gpa 0x5000; the guest owns its "
                                 "tables: its stores into them do not exit; on this line shadow "
                                 "took 1 VM exit (1 pt_write)");
}

static void test_out_of_sync(void **state)
{
        char buf[1024];
        (void)state;
        explain_first(MODE_SHADOW_OOS, EV_UNSYNC, -1, buf, sizeof buf);
        assert_non_null(
            strstr(buf, "guest wrote a PTE in a write-protected table page -> VM exit"));
        assert_non_null(strstr(buf, "go out of sync: its next stores do not exit"));
        assert_non_null(strstr(buf, "the guest's next stores to it do not exit until it is "
                                    "resynced"));
        explain_first(MODE_SHADOW_OOS, EV_RESYNC, -1, buf, sizeof buf);
        /* INVLPG syncs just its entry (kvm_mmu_invlpg); the frame changed,
         * so the entry is zapped and the page stays out of sync. The chain
         * starts where the line does: never cut at the front. */
        assert_string_equal(buf, "guest ran INVLPG 0x1000 -> VM exit #5 -> guest invalidated "
                                 "0x1000 in the TLB (1 entry dropped) -> "
                                 "shadow entry of 0x1000 dropped (refilled on next use) -> INVLPG: "
                                 "the VMM synced the one entry of 0x1000; table 0xFFFFC000 stays "
                                 "out of sync; the price of out-of-sync: the stores were free, the "
                                 "check comes now");
        explain_first(MODE_SHADOW, EV_VM_EXIT, EXIT_CR3, buf, sizeof buf);
        assert_non_null(strstr(buf, "guest loaded CR3 -> VM exit #"));
        assert_non_null(strstr(buf, "on this line ept took no VM exit"));
}

static void test_native(void **state)
{
        char buf[1024];
        (void)state;
        explain_first(MODE_NATIVE, EV_ACCESS, -1, buf, sizeof buf);
        assert_string_equal(buf,
                            "TLB miss: a walk of 4 memory references, TLB filled: 0x2000 -> hpa "
                            "0xA9000");
}

/* Every kind of event has a phrase. */
static void test_every_kind(void **state)
{
        (void)state;
        for (int k = 0; k < EV_KIND_COUNT; k++) {
                for (int r = 0; r < (k == EV_VM_EXIT ? EXIT_REASON_COUNT : 1); r++) {
                        struct event ev = {.kind = (enum event_kind)k,
                                           .reason = (uint8_t)r,
                                           .level = 1,
                                           .exit_number = 1};
                        char buf[256];
                        assert_true(explain_phrase(&ev, buf, sizeof buf) > 10);
                }
        }
        /* A small buffer is cut, still terminated. */
        struct event ev = {.kind = EV_SHADOW_UPDATE};
        char tiny[8];
        assert_int_equal(explain_phrase(&ev, tiny, sizeof tiny), 7);
        assert_int_equal(strlen(tiny), 7);
}

/* Exits and walks per trace line of a plain run under mode, counted from
 * its events: the independent account of what the compared machine did. */
struct per_line {
        unsigned exits[256], walks[256];
        unsigned long long refs[256];
};

static void count_line(void *ctx, const struct event *ev)
{
        struct per_line *p = ctx;
        if (ev->line >= 256)
                return;
        if (ev->kind == EV_VM_EXIT)
                p->exits[ev->line]++;
        if (ev->kind == EV_ACCESS && !ev->tlb_hit) {
                p->walks[ev->line]++;
                p->refs[ev->line] += ev->refs;
        }
}

static void run_plain(enum mmu_mode mode, const char *path, struct per_line *p)
{
        struct sim_config cfg;
        struct sim m;
        struct trace_reader r;
        struct trace_limits lim;
        struct op op;
        struct trace_error err;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        memset(p, 0, sizeof *p);
        sim_init(&m, &cfg);
        sim_add_sink(&m, count_line, p);
        trace_limits_of_config(&cfg, &lim);
        assert_int_equal(trace_open(&r, path, TRACE_FORMAT_AUTO, &lim), TRACE_OK);
        while (trace_next(&r, &op, &err) == TRACE_OK)
                sim_apply(&m, &op);
        trace_close(&r);
        sim_free(&m);
}

/* Every comparative clause of the sample's explanations states what a
 * separate run of the compared scheme did on that very line. */
static void test_compared_is_computed(void **state)
{
        (void)state;
        const char *path = "traces/sample_trace.txt";
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg;
                struct session s;
                struct per_line want;
                unsigned clauses = 0;
                sim_config_defaults(&cfg);
                cfg.mode = (enum mmu_mode)mode;
                enum mmu_mode other = session_default_cmp(cfg.mode);
                run_plain(other, path, &want);
                assert_int_equal(
                    session_open(&s, &cfg, TRACE_FORMAT_AUTO, path, NULL, NULL, (int)other), 0);
                while (session_stepi(&s, 1, false) == STOP_DONE) {
                        char buf[2048], head[64];
                        session_explain(&s, buf, sizeof buf);
                        snprintf(head, sizeof head, "; on this line %s took ", mode_name(other));
                        const char *at = strstr(buf, head);
                        if (!at)
                                continue;
                        uint64_t line = session_event(&s)->line;
                        unsigned exits = 0, walks = 0;
                        unsigned long long refs = 0;
                        at += strlen(head);
                        if (strncmp(at, "no VM exit", 10) != 0)
                                assert_int_equal(sscanf(at, "%u VM exit", &exits), 1);
                        const char *w = strstr(at, " and ");
                        if (w) {
                                assert_int_equal(sscanf(w, " and %u walk", &walks), 1);
                                const char *of = strstr(w, " of ");
                                assert_non_null(of);
                                assert_int_equal(sscanf(of, " of %llu memory", &refs), 1);
                        }
                        assert_int_equal(exits, want.exits[line]);
                        assert_int_equal(walks, want.walks[line]);
                        assert_int_equal(refs, want.refs[line]);
                        clauses++;
                }
                assert_true(clauses > 0 || !scheme_has_shadow(cfg.mode));
                session_close(&s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_trapped_store),
            cmocka_unit_test(test_hidden_fault),
            cmocka_unit_test(test_ept),
            cmocka_unit_test(test_out_of_sync),
            cmocka_unit_test(test_native),
            cmocka_unit_test(test_every_kind),
            cmocka_unit_test(test_compared_is_computed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
