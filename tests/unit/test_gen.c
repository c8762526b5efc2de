/*
 * test_gen.c - the workload generator: its PRNG, determinism, the guest
 * kernel model (copy-on-write, exit, munmap), agreement with the engine
 * (every line parses, the guest #PFs the model counts are the ones the
 * engine sees, no stale TLB entry is ever used) and the character of each
 * scenario, measured by running the engine, never as fixed numbers.
 */
#include "harness.h"

#include <stdarg.h>

#include "gen.h"
#include "gen_rng.h"

/* Generates scenario `name` with seed and parameter overrides given as
 * (name, value) pairs ending with NULL. Returns the text (free it) and
 * fills *sum. */
static char *gen_text(const char *name, uint64_t seed, struct gen_summary *sum, ...)
{
        const struct gen_scenario *sc = gen_find(name);
        assert_non_null(sc);
        uint64_t values[GEN_MAX_PARAMS];
        gen_defaults(sc, values);
        va_list ap;
        va_start(ap, sum);
        const char *param;
        while ((param = va_arg(ap, const char *)) != NULL) {
                int i = gen_param_find(sc, param);
                assert_true(i >= 0);
                values[i] = va_arg(ap, uint64_t);
        }
        va_end(ap);
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        struct gen_summary local;
        assert_int_equal(gen_write(sc, values, seed, out, sum ? sum : &local), 0);
        fclose(out);
        return text;
}

/* Replays text under mode; returns the final counters. */
static struct stats replay(const char *text, enum mmu_mode mode, bool pcid)
{
        struct sim_config cfg = config_for(mode);
        cfg.pcid = pcid;
        struct sim s;
        sim_init(&s, &cfg);
        feed(&s, text);
        struct stats st = s.stats;
        sim_free(&s);
        return st;
}

/* Small sizes, so that every scenario runs fast under the sanitizers. */
static char *small(const char *name, uint64_t seed, struct gen_summary *sum)
{
        if (strcmp(name, "forkwait") == 0)
                return gen_text(name, seed, sum, "iterations", UINT64_C(12), NULL);
        if (strcmp(name, "tlb-stress") == 0)
                return gen_text(name, seed, sum, "pages", UINT64_C(512), "accesses", UINT64_C(4000),
                                NULL);
        if (strcmp(name, "mmap-churn") == 0)
                return gen_text(name, seed, sum, "iterations", UINT64_C(20), NULL);
        if (strcmp(name, "context-switch") == 0)
                return gen_text(name, seed, sum, "slices", UINT64_C(60), NULL);
        if (strcmp(name, "boot") == 0)
                return gen_text(name, seed, sum, "mem", UINT64_C(64), "vmalloc-pages", UINT64_C(64),
                                NULL);
        if (strcmp(name, "migration") == 0)
                return gen_text(name, seed, sum, "pages", UINT64_C(512), "rounds", UINT64_C(3),
                                "writes", UINT64_C(500), NULL);
        return gen_text(name, seed, sum, NULL);
}

static void test_rng(void **state)
{
        (void)state;
        struct gen_rng r;
        /* xoshiro256** from splitmix64(1), checked against the published
         * definitions: a trace's bytes depend on these numbers. */
        gen_rng_seed(&r, 1);
        assert_true(gen_rng_next(&r) == UINT64_C(0xB3F2AF6D0FC710C5));
        assert_true(gen_rng_next(&r) == UINT64_C(0x853B559647364CEA));
        assert_true(gen_rng_next(&r) == UINT64_C(0x92F89756082A4514));
        gen_rng_seed(&r, 0);
        assert_true(gen_rng_next(&r) == UINT64_C(0x99EC5F36CB75F2B4));
        /* below(n): in range, every value about equally often. */
        unsigned hist[10] = {0};
        gen_rng_seed(&r, 42);
        for (int i = 0; i < 100000; i++) {
                uint64_t x = gen_rng_below(&r, 10);
                assert_true(x < 10);
                hist[x]++;
        }
        for (int i = 0; i < 10; i++)
                assert_true(hist[i] > 9500 && hist[i] < 10500);
        assert_int_equal(gen_rng_below(&r, 1), 0);
}

static void test_registry(void **state)
{
        (void)state;
        static const char *const names[] = {"forkwait",       "tlb-stress", "mmap-churn",
                                            "context-switch", "boot",       "migration"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                assert_non_null(gen_find(names[i]));
        assert_null(gen_find("fork"));
        assert_null(gen_scenario_at(gen_scenario_count()));
        const struct gen_scenario *sc = gen_find("tlb-stress");
        assert_int_equal(gen_param_count(sc), 2);
        assert_int_equal(gen_param_find(sc, "accesses"), 1);
        assert_int_equal(gen_param_find(sc, "iterations"), -1);
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                sc = gen_scenario_at(i);
                for (unsigned j = 0; j < gen_param_count(sc); j++)
                        assert_true(sc->params[j].min <= sc->params[j].def &&
                                    sc->params[j].def <= sc->params[j].max);
        }
}

/* Same seed, same bytes; another seed, another trace; the header says how
 * to make it again. */
static void test_determinism(void **state)
{
        (void)state;
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                const char *name = gen_scenario_at(i)->name;
                char *a = small(name, 7, NULL), *b = small(name, 7, NULL),
                     *c = small(name, 8, NULL);
                assert_string_equal(a, b);
                if (strcmp(a, c) == 0)
                        fail_msg("%s: seeds 7 and 8 gave the same trace", name);
                char head[64];
                snprintf(head, sizeof head, "# shadow-sim gen %s --seed 7 --", name);
                assert_memory_equal(a, head, strlen(head));
                free(a), free(b), free(c);
        }
}

/* Every scenario replays cleanly in every scheme, with and without PCID:
 * each line parses, the engine applies every op, sees exactly the guest
 * page faults the kernel model counted, and never uses a TLB entry the
 * model forgot to invalidate. */
static void test_engine_agrees(void **state)
{
        (void)state;
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                const char *name = gen_scenario_at(i)->name;
                struct gen_summary sum;
                char *text = small(name, 3, &sum);
                assert_true(sum.ops > 0 && sum.lines > sum.ops);
                for (int m = 0; m < MODE_COUNT; m++) {
                        for (int pcid = 0; pcid < 2; pcid++) {
                                struct sim_config cfg = config_for((enum mmu_mode)m);
                                cfg.pcid = pcid;
                                /* As many as a scenario's threads may use
                                 * (shootdown): the others never run. */
                                cfg.vcpus = SIM_MAX_VCPUS;
                                struct sim s;
                                sim_init(&s, &cfg);
                                feed(&s, text);
                                if (s.stats.guest_pf != sum.faults || s.stats.stale_tlb != 0 ||
                                    s.ops != sum.ops)
                                        fail_msg("%s under %s%s: guest_pf %llu (model %llu), "
                                                 "stale %llu, ops %llu (model %llu)",
                                                 name, mode_name((enum mmu_mode)m),
                                                 pcid ? " --pcid" : "",
                                                 (unsigned long long)s.stats.guest_pf,
                                                 (unsigned long long)sum.faults,
                                                 (unsigned long long)s.stats.stale_tlb,
                                                 (unsigned long long)s.ops,
                                                 (unsigned long long)sum.ops);
                                sim_free(&s);
                        }
                }
                free(text);
        }
}

/* The model itself: fork shares frames copy-on-write, a write in the
 * child copies, the parent then takes its frame back in place; exit
 * releases; a long munmap flushes instead of INVLPG each page. */
static void test_kernel_model(void **state)
{
        (void)state;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        struct gen_os os;
        gen_os_init(&os, out);
        gen_os_map(&os, 0x600000, 2, GEN_PROT_R | GEN_PROT_W, true);
        gen_os_map(&os, 0x400000, 1, GEN_PROT_R | GEN_PROT_X, true);
        uint64_t frame = gen_os_page(&os, 0, 0x600000)->gfn;
        uint32_t child = gen_os_fork(&os);
        assert_int_equal(child, 1);
        assert_int_equal(os.current, child);
        assert_true(gen_os_page(&os, 0, 0x600000)->cow);
        assert_true(gen_os_page(&os, child, 0x600000)->cow);
        assert_false(gen_os_page(&os, child, 0x400000)->cow); /* read-only: shared */
        assert_true(gen_os_touch(&os, 0x600010, ACCESS_WRITE));
        assert_false(gen_os_touch(&os, 0x600020, ACCESS_WRITE));
        assert_false(gen_os_touch(&os, 0x601000, ACCESS_READ));
        assert_int_not_equal(gen_os_page(&os, child, 0x600000)->gfn, frame);
        assert_int_equal(os.sum.cow_copies, 1);
        gen_os_exit(&os, 0);
        assert_int_equal(os.current, 0);
        /* The parent is the only sharer left: no copy. */
        assert_true(gen_os_touch(&os, 0x600000, ACCESS_WRITE));
        assert_int_equal(gen_os_page(&os, 0, 0x600000)->gfn, frame);
        assert_int_equal(os.sum.cow_copies, 1);
        assert_int_equal(os.sum.cow_faults, 2);
        /* The next process reuses the exited one's address space. */
        uint32_t next = gen_os_spawn(&os);
        assert_int_equal(os.procs[next].asid, os.procs[child].asid);
        gen_os_free(&os);
        fclose(out);
        assert_non_null(strstr(text, "PT_PROTECT 0x600000 ru\nPT_PROTECT 0x601000 ru\nTLB_FLUSH\n"
                                     "CR3 1\n"));
        assert_non_null(strstr(text, "PT_WRITE 0x600000->0x103000 rwu\nINVLPG 0x600000\n"
                                     "ACCESS 0x600010 W\n"));
        assert_non_null(strstr(text, "PT_CLEAR 0x600000\nPT_CLEAR 0x601000\nPT_CLEAR 0x400000\n"
                                     "TLB_FLUSH\nCR3 0\nACCESS 0x600000 W\n# #PF copy-on-write, "
                                     "no other sharer: writable again\n"
                                     "PT_PROTECT 0x600000 rwu\nACCESS 0x600000 W\n"));
        free(text);

        /* munmap: a short span INVLPGs what was cleared, a long one flushes. */
        text = NULL;
        out = open_memstream(&text, &len);
        gen_os_init(&os, out);
        gen_os_map(&os, 0x10000000, 40, GEN_PROT_R | GEN_PROT_W, false);
        gen_os_touch(&os, 0x10001000, ACCESS_READ);
        gen_os_touch(&os, 0x10003000, ACCESS_READ);
        gen_os_unmap(&os, 0x10000000, 40);
        assert_null(gen_os_page(&os, 0, 0x10001000));
        gen_os_map(&os, 0x10000000, 40, GEN_PROT_R | GEN_PROT_W, true);
        gen_os_unmap(&os, 0x10000000, 40);
        gen_os_free(&os);
        fclose(out);
        assert_non_null(strstr(text, "PT_CLEAR 0x10001000\nPT_CLEAR 0x10003000\nINVLPG 0x10001000\n"
                                     "INVLPG 0x10002000\nINVLPG 0x10003000\nPT_WRITE"));
        assert_non_null(strstr(text, "PT_CLEAR 0x10027000\nTLB_FLUSH\n"));
        free(text);
}

/* With PCID a CR3 load keeps the parent's TLB entries: fork's flush is
 * what makes the parent's next write to a page it shares fault. */
static void test_fork_flushes_parent(void **state)
{
        (void)state;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        struct gen_os os;
        gen_os_init(&os, out);
        gen_os_map(&os, 0x600000, 1, GEN_PROT_R | GEN_PROT_W, true);
        gen_os_touch(&os, 0x600000, ACCESS_WRITE);
        gen_os_fork(&os);
        gen_os_switch(&os, 0);
        assert_true(gen_os_touch(&os, 0x600008, ACCESS_WRITE));
        struct gen_summary sum = os.sum;
        gen_os_free(&os);
        fclose(out);
        for (int m = 0; m < MODE_COUNT; m++) {
                struct stats st = replay(text, (enum mmu_mode)m, true);
                assert_int_equal(st.guest_pf, sum.faults);
                assert_int_equal(st.stale_tlb, 0);
        }
        free(text);
}

/* A failed write is reported. */
static void test_write_error(void **state)
{
        (void)state;
        FILE *full = fopen("/dev/full", "w");
        if (!full)
                skip();
        const struct gen_scenario *sc = gen_find("mmap-churn");
        uint64_t values[GEN_MAX_PARAMS];
        gen_defaults(sc, values);
        assert_int_equal(gen_write(sc, values, 1, full, NULL), -1);
        fclose(full);
}

/* A write error stops the writing within a few thousand lines, not at the
 * end of a trace of 10^8 accesses. */
static void test_write_error_stops_early(void **state)
{
        (void)state;
        FILE *full = fopen("/dev/full", "w");
        if (!full)
                skip();
        const struct gen_scenario *sc = gen_find("tlb-stress");
        uint64_t values[GEN_MAX_PARAMS];
        gen_defaults(sc, values);
        values[gen_param_find(sc, "accesses")] = GEN_MAX_ACCESSES;
        struct gen_summary sum;
        assert_int_equal(gen_write(sc, values, 1, full, &sum), -1);
        assert_true(sum.lines <= 2 * 4096);
        assert_true(sum.accesses < 10000);
        fclose(full);
}

/* Writes sc with values to memory; returns its summary. */
static struct gen_summary summary_of(const struct gen_scenario *sc, const uint64_t *values)
{
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        struct gen_summary sum;
        assert_int_equal(gen_write(sc, values, 7, out, &sum), 0);
        fclose(out);
        free(text);
        return sum;
}

/* What a scenario says it makes, which the size limit counts, is what it
 * makes: an ACCESS line for every access, one more for each that faults. */
static void test_accesses_counted(void **state)
{
        (void)state;
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                const struct gen_scenario *sc = gen_scenario_at(i);
                uint64_t values[GEN_MAX_PARAMS];
                gen_defaults(sc, values);
                struct gen_summary sum = summary_of(sc, values);
                assert_int_equal(sc->accesses(values), sum.accesses - sum.faults);
        }
        const struct gen_scenario *boot = gen_find("boot");
        uint64_t values[GEN_MAX_PARAMS];
        gen_defaults(boot, values);
        values[gen_param_find(boot, "mem")] = 3; /* a 2M page and part of one */
        struct gen_summary sum = summary_of(boot, values);
        assert_int_equal(boot->accesses(values), sum.accesses - sum.faults);
}

/* Parameters each in range that do not go together are refused. */
static void test_check(void **state)
{
        (void)state;
        const struct gen_scenario *sc = gen_find("forkwait");
        uint64_t values[GEN_MAX_PARAMS];
        char why[256];
        gen_defaults(sc, values);
        assert_null(gen_check(sc, values, why, sizeof why));
        values[gen_param_find(sc, "pages")] = 4;
        values[gen_param_find(sc, "child-writes")] = 4;
        assert_null(gen_check(sc, values, why, sizeof why));
        values[gen_param_find(sc, "child-writes")] = 5;
        assert_string_equal(gen_check(sc, values, why, sizeof why),
                            "--child-writes 5 is more than --pages 4: the child writes distinct "
                            "pages of its parent's");
}

/* forkwait: shadow paging pays exits for every PT write of fork, the
 * copy-on-write faults and the teardown; EPT pays next to nothing once the
 * frames are recycled. Measured as the cost of extra iterations. */
static void test_forkwait_character(void **state)
{
        (void)state;
        char *a = gen_text("forkwait", 1, NULL, "iterations", UINT64_C(10), NULL);
        char *b = gen_text("forkwait", 1, NULL, "iterations", UINT64_C(30), NULL);
        uint64_t ept = replay(b, MODE_EPT, false).exits - replay(a, MODE_EPT, false).exits;
        static const enum mmu_mode shadows[] = {MODE_SHADOW_EAGER, MODE_SHADOW, MODE_SHADOW_OOS};
        for (size_t i = 0; i < 3; i++) {
                struct stats sa = replay(a, shadows[i], false), sb = replay(b, shadows[i], false);
                uint64_t shadow = sb.exits - sa.exits;
                if (shadow < 20 * (ept + 1))
                        fail_msg("%s: %llu exits for 20 iterations, EPT %llu",
                                 mode_name(shadows[i]), (unsigned long long)shadow,
                                 (unsigned long long)ept);
                assert_true(sb.pt_traps > sa.pt_traps);
        }
        struct stats whole = replay(b, MODE_SHADOW, false);
        assert_true(whole.exits > 5 * replay(b, MODE_EPT, false).exits);
        free(a), free(b);
}

/* tlb-stress: nearly every access misses the TLB; the 2D walk makes EPT's
 * page-walk references several times shadow paging's (6 times without
 * page-walk caches, still over twice with them), while the page tables
 * hardly change. */
static void test_tlb_stress_character(void **state)
{
        (void)state;
        struct gen_summary sum;
        char *text = gen_text("tlb-stress", 1, &sum, "pages", UINT64_C(1024), "accesses",
                              UINT64_C(8000), NULL);
        struct stats ept = replay(text, MODE_EPT, false);
        struct stats shadow = replay(text, MODE_SHADOW, false);
        struct stats native = replay(text, MODE_NATIVE, false);
        assert_true(native.tlb_misses * 10 > native.accesses * 9);
        assert_true(ept.walk_refs > 2 * shadow.walk_refs);
        struct sim_config cfg = config_for(MODE_EPT);
        cfg.pwc = false;
        struct sim cold;
        sim_init(&cold, &cfg);
        feed(&cold, text);
        assert_true(cold.stats.walk_refs > 5 * native.tlb_misses);
        sim_free(&cold);
        assert_true(shadow.walk_refs >= native.walk_refs);
        assert_true(sum.pt_ops * 5 < sum.accesses);
        assert_true(shadow.pt_traps * 100 < shadow.accesses);
        free(text);
}

/* mmap-churn: every round faults every page in and clears it again; under
 * shadow paging that is exits on faults, PT writes and INVLPGs, under EPT
 * almost nothing as frames are reused. */
static void test_mmap_churn_character(void **state)
{
        (void)state;
        struct gen_summary sum;
        char *text =
            gen_text("mmap-churn", 2, &sum, "iterations", UINT64_C(30), "pages", UINT64_C(8), NULL);
        assert_int_equal(sum.demand_faults, 30 * 8);
        struct stats ept = replay(text, MODE_EPT, false);
        struct stats shadow = replay(text, MODE_SHADOW, false);
        assert_true(shadow.exits > 10 * ept.exits);
        assert_true(shadow.exit_invlpg >= 30 * 8);
        assert_int_equal(ept.exits, ept.exit_ept_violation);
        free(text);
}

/* leaf-churn: static upper tables, heavy TLB misses and a churning leaf
 * table, the case agile paging targets (Gandhi et al., ISCA 2016). Agile
 * walks the churning table nested, so its stores do not exit; without
 * page-walk caches it is then the cheapest scheme, as the paper reports;
 * with them (the default) the 2D walks are short and EPT is cheaper still,
 * while agile stays cheaper than every shadow design. */
static void test_leaf_churn_character(void **state)
{
        (void)state;
        char *text = gen_text("leaf-churn", 1, NULL, "pages", UINT64_C(1024), "accesses",
                              UINT64_C(20000), NULL);
        struct stats st[MODE_COUNT], cold[MODE_COUNT];
        for (int m = 0; m < MODE_COUNT; m++) {
                st[m] = replay(text, (enum mmu_mode)m, false);
                struct sim_config cfg = config_for((enum mmu_mode)m);
                cfg.pwc = false;
                struct sim s;
                sim_init(&s, &cfg);
                feed(&s, text);
                cold[m] = s.stats;
                sim_free(&s);
        }
        assert_true(st[MODE_AGILE].exit_pt_write * 100 < st[MODE_SHADOW].exit_pt_write);
        for (int m = MODE_NATIVE + 1; m < MODE_COUNT; m++)
                if (m != MODE_AGILE && cold[MODE_AGILE].cycles >= cold[m].cycles)
                        fail_msg("without page-walk caches agile costs %llu cycles, %s %llu",
                                 (unsigned long long)cold[MODE_AGILE].cycles, mode_name(m),
                                 (unsigned long long)cold[m].cycles);
        assert_true(st[MODE_AGILE].cycles < st[MODE_SHADOW_OOS].cycles);
        assert_true(st[MODE_EPT].cycles < st[MODE_AGILE].cycles);
        free(text);
}

/* context-switch: each slice is a CR3 load, an exit under shadow paging
 * and none under EPT; more processes than the 4 cached shadow roots costs
 * no rebuilt shadow pages, since a root that leaves the cache keeps its
 * pages (KVM's prev_roots and the shadow page hash). */
static void test_context_switch_character(void **state)
{
        (void)state;
        char *a =
            gen_text("context-switch", 1, NULL, "procs", UINT64_C(6), "slices", UINT64_C(60), NULL);
        char *b = gen_text("context-switch", 1, NULL, "procs", UINT64_C(6), "slices", UINT64_C(120),
                           NULL);
        struct stats ea = replay(a, MODE_EPT, false), eb = replay(b, MODE_EPT, false);
        struct stats sa = replay(a, MODE_SHADOW, false), sb = replay(b, MODE_SHADOW, false);
        assert_int_equal(eb.exits, ea.exits);
        assert_true(sb.exit_cr3 - sa.exit_cr3 >= 60);
        assert_int_equal(sb.shadow_pages, sa.shadow_pages);
        assert_true(sb.hidden_pf - sa.hidden_pf < 60);
        /* With 3 processes every root stays cached: switching builds none. */
        char *c =
            gen_text("context-switch", 1, NULL, "procs", UINT64_C(3), "slices", UINT64_C(60), NULL);
        char *d = gen_text("context-switch", 1, NULL, "procs", UINT64_C(3), "slices", UINT64_C(120),
                           NULL);
        assert_int_equal(replay(d, MODE_SHADOW, false).shadow_pages,
                         replay(c, MODE_SHADOW, false).shadow_pages);
        free(a), free(b), free(c), free(d);
}

/* boot: the kernel writes its tables while it runs on them, so shadow
 * paging traps PT writes; EPT's exits are only first touches of frames. */
static void test_boot_character(void **state)
{
        (void)state;
        struct gen_summary sum;
        char *text =
            gen_text("boot", 1, &sum, "mem", UINT64_C(128), "vmalloc-pages", UINT64_C(128), NULL);
        struct stats ept = replay(text, MODE_EPT, false);
        struct stats shadow = replay(text, MODE_SHADOW, false);
        assert_true(shadow.pt_traps > 100);
        assert_true(shadow.exits > ept.exits);
        assert_int_equal(ept.exits, ept.exit_ept_violation);
        assert_int_equal(sum.faults, 0);
        free(text);
}

/* migration: every round, shadow paging exits on the first write to each
 * page; EPT logs the pages in the PML buffer and exits once per 512. Both
 * report the same written pages; EPT also the guest tables its walks read
 * (EPT A/D treats the walker's accesses as writes). */
static void test_migration_character(void **state)
{
        (void)state;
        char *text = gen_text("migration", 1, NULL, "pages", UINT64_C(2048), "rounds", UINT64_C(4),
                              "writes", UINT64_C(4000), NULL);
        struct stats ept = replay(text, MODE_EPT, false);
        struct stats shadow = replay(text, MODE_SHADOW, false);
        assert_int_equal(shadow.dirty_rounds, 4);
        assert_int_equal(ept.dirty_pages - ept.dirty_extra, shadow.dirty_pages);
        assert_true(ept.dirty_extra > 0);
        assert_true(shadow.dirty_pages > 1000);
        assert_int_equal(shadow.dirty_exits, shadow.dirty_pages);
        assert_true(ept.dirty_exits <= ept.dirty_pages / 512 + 4);
        assert_true(ept.dirty_exits * 100 < shadow.dirty_exits);
        assert_int_equal(ept.dirty_exits, ept.exit_pml_full);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rng),
            cmocka_unit_test(test_registry),
            cmocka_unit_test(test_determinism),
            cmocka_unit_test(test_engine_agrees),
            cmocka_unit_test(test_kernel_model),
            cmocka_unit_test(test_fork_flushes_parent),
            cmocka_unit_test(test_write_error),
            cmocka_unit_test(test_write_error_stops_early),
            cmocka_unit_test(test_accesses_counted),
            cmocka_unit_test(test_check),
            cmocka_unit_test(test_forkwait_character),
            cmocka_unit_test(test_tlb_stress_character),
            cmocka_unit_test(test_mmap_churn_character),
            cmocka_unit_test(test_context_switch_character),
            cmocka_unit_test(test_leaf_churn_character),
            cmocka_unit_test(test_boot_character),
            cmocka_unit_test(test_migration_character),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
