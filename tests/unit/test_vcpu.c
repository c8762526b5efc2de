/*
 * test_vcpu.c - several vCPUs: each has its own TLB, page-walk caches,
 * loaded CR3 and (shadow paging) cache of roots, while the guest's tables
 * and the VMM's are shared; a machine whose trace never names another
 * vCPU runs exactly as a machine of one. The expected counts are worked
 * out by hand from the traces below, not from the engine.
 */
#include "harness.h"
#include "scheme.h"

#include "gen.h"
#include "op.h"
#include "ref_x86.h"

static struct sim s;
static struct recorder rec;
static bool running; /* s holds a machine to free */

static void run_cfg(const struct sim_config *cfg, const char *text)
{
        start(&s, cfg, &rec);
        running = true;
        feed(&s, text);
}

static void run(enum mmu_mode mode, unsigned vcpus, const char *text)
{
        struct sim_config cfg = config_for(mode);
        cfg.vcpus = vcpus;
        run_cfg(&cfg, text);
}

static int teardown(void **state)
{
        (void)state;
        if (running)
                finish(&s, &rec);
        running = false;
        return 0;
}

/* The ACCESS events of the run, in order. */
static size_t accesses(const struct event **out, size_t max)
{
        size_t n = 0;
        for (size_t i = 0; i < rec.n && n < max; i++)
                if (rec.ev[i].kind == EV_ACCESS)
                        out[n++] = &rec.ev[i];
        return n;
}

/* ---- a trace without CPU lines --------------------------------------- */

static const char *const shipped[] = {
    "traces/sample_trace.txt", "traces/boot.txt",       "traces/context-switch.txt",
    "traces/forkwait.txt",     "traces/mmap-churn.txt", "traces/tlb-stress.txt",
    "traces/migration.txt",
};

static char *slurp(const char *path)
{
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *text = malloc((size_t)len + 1);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
        text[len] = '\0';
        fclose(f);
        return text;
}

/* Every shipped trace under every scheme: with 3 vCPUs and no CPU line,
 * the same events (numbered alike, every field equal) as with one, each
 * on vCPU 0 and marked as from a machine of several; the same counters,
 * all of them vCPU 0's. */
static void test_no_cpu_lines_run_as_one_vcpu(void **state)
{
        (void)state;
        for (size_t t = 0; t < sizeof shipped / sizeof shipped[0]; t++) {
                char *text = slurp(shipped[t]);
                for (int m = 0; m < MODE_COUNT; m++) {
                        struct recorder one;
                        run((enum mmu_mode)m, 1, text);
                        one = rec;
                        struct stats st1 = s.stats;
                        sim_free(&s);
                        running = false;
                        run((enum mmu_mode)m, 3, text);
                        assert_int_equal(rec.n, one.n);
                        for (size_t i = 0; i < rec.n; i++) {
                                struct event a = one.ev[i], b = rec.ev[i];
                                assert_false(a.smp);
                                assert_true(b.smp);
                                assert_int_equal(b.cpu, 0);
                                b.smp = false;
                                assert_memory_equal(&a, &b, sizeof a);
                        }
                        assert_memory_equal(&st1, &s.stats, sizeof st1);
                        assert_memory_equal(&st1, &s.cpu_stats[0], sizeof st1);
                        assert_int_equal(s.cpu_stats[1].cycles, 0);
                        free(one.ev);
                        teardown(NULL);
                }
                free(text);
        }
}

/* ---- per-vCPU state --------------------------------------------------- */

/* Each vCPU fills its own TLB: vCPU 1's first read misses although vCPU 0
 * cached the page; back on vCPU 0 it hits. */
static void test_own_tlb(void **state)
{
        (void)state;
        run(MODE_NATIVE, 2,
            "PT_WRITE 0x1000->0x5000\n"
            "R 0x1000\n" /* cpu 0: miss */
            "R 0x1000\n" /* cpu 0: hit */
            "CPU 1\n"
            "R 0x1000\n" /* cpu 1: miss, its TLB is empty */
            "CPU 0\n"
            "R 0x1000\n" /* cpu 0: hit */
            "CPU 1\n"
            "R 0x1000\n"); /* cpu 1: hit */
        const struct event *a[8];
        assert_int_equal(accesses(a, 8), 5);
        const bool hit[5] = {false, true, false, true, true};
        const unsigned cpu[5] = {0, 0, 1, 0, 1};
        for (int i = 0; i < 5; i++) {
                assert_int_equal(a[i]->tlb_hit, hit[i]);
                assert_int_equal(a[i]->cpu, cpu[i]);
        }
        assert_int_equal(s.stats.tlb_misses, 2);
        assert_int_equal(s.cpu_stats[0].tlb_misses, 1);
        assert_int_equal(s.cpu_stats[1].tlb_misses, 1);
        assert_int_equal(s.cpu_stats[1].tlb_hits, 1);
}

/* Each vCPU has its own page-walk cache: vCPU 0's second page of a table
 * reads only the leaf, vCPU 1's first walk all 4 levels. */
static void test_own_walk_cache(void **state)
{
        (void)state;
        run(MODE_NATIVE, 2,
            "PT_WRITE 0x1000->0x5000\n"
            "PT_WRITE 0x2000->0x6000\n"
            "R 0x1000\n" /* cpu 0: 4 references */
            "R 0x2000\n" /* cpu 0: 1, the upper levels cached */
            "CPU 1\n"
            "R 0x2000\n"); /* cpu 1: 4 */
        const struct event *a[4];
        assert_int_equal(accesses(a, 4), 3);
        assert_int_equal(a[0]->refs, 4);
        assert_int_equal(a[1]->refs, 1);
        assert_int_equal(a[2]->refs, 4);
}

/* Under EPT the nested dimension's cache is per vCPU too: vCPU 1's first
 * walk of a page vCPU 0 walked costs the cold nested walks again. */
static void test_own_nested_walk_cache(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        cfg.vcpus = 2;
        cfg.prealloc = true; /* no violations: only the walks count */
        run_cfg(&cfg, "PT_WRITE 0x1000->0x5000\n"
                      "R 0x1000\n"
                      "CPU 1\n"
                      "R 0x1000\n");
        const struct event *a[2];
        assert_int_equal(accesses(a, 2), 2);
        /* The same cold walk on each vCPU, whatever it costs. */
        assert_int_equal(a[0]->refs, a[1]->refs);
        assert_int_equal(a[0]->nested_refs, a[1]->nested_refs);
        assert_true(a[1]->nested_refs > 0);
}

/* Each vCPU has its own CR3: a page mapped in address space 1 on vCPU 0
 * faults on vCPU 1, which still runs address space 0, until it loads 1. */
static void test_own_cr3(void **state)
{
        (void)state;
        run(MODE_NATIVE, 2,
            "CR3 1\n"
            "PT_WRITE 0x1000->0x5000\n"
            "R 0x1000\n" /* cpu 0, space 1: mapped */
            "CPU 1\n"
            "R 0x1000\n" /* cpu 1, space 0: a page fault */
            "CR3 1\n"
            "R 0x1000\n"); /* cpu 1, space 1: mapped */
        assert_int_equal(s.stats.accesses, 2);
        assert_int_equal(s.stats.guest_pf, 1);
        const struct event *pf = last_kind(&rec, EV_GUEST_PF);
        assert_int_equal(pf->cpu, 1);
        assert_int_equal(pf->asid, 0);
        assert_int_equal(sim_cpu_space(&s, 0), sim_cpu_space(&s, 1));
        assert_int_equal(sim_asid(&s), 1);
}

/* Under shadow paging each vCPU caches its own 4 roots: vCPU 1 loading 4
 * other address spaces does not push vCPU 0's previous root out. */
static void test_own_root_cache(void **state)
{
        (void)state;
        run(MODE_SHADOW, 2,
            "CR3 1\n"
            "CR3 0\n" /* cpu 0 caches the roots of 0 and 1 */
            "CPU 1\n" /* the shadow root of space 0 exists: kept */
            "CR3 2\nCR3 3\nCR3 4\nCR3 5\n"
            "CPU 0\n"
            "CR3 1\n"); /* still in cpu 0's cache */
        const struct event *root = last_kind(&rec, EV_SHADOW_ROOT);
        assert_int_equal(root->cpu, 0);
        assert_int_equal(root->asid, 1);
        assert_int_equal(root->detail, DETAIL_ROOT_CACHED);
        size_t online = find_kind(&rec, 0, EV_CPU);
        assert_true(online < rec.n);
        assert_int_equal(rec.ev[online].detail, DETAIL_ONLINE);
        assert_int_equal(rec.ev[online + 1].kind, EV_SHADOW_ROOT);
        assert_int_equal(rec.ev[online + 1].detail, DETAIL_ROOT_FOUND);
        assert_int_equal(rec.ev[online + 1].cpu, 1);
}

/* The counters of every vCPU add up to the machine's, and a machine no
 * sink reads (whose TLB hits are counted without their events) counts the
 * same on every vCPU. */
static void test_cpu_stats_add_up(void **state)
{
        (void)state;
        static const char *const text =
            "PT_WRITE 0x1000->0x5000\nW 0x1000\nR 0x1000\n"
            "CPU 2\nCR3 1\nPT_WRITE 0x1000->0x6000\nW 0x1000\nW 0x1000\nINVLPG 0x1000\n"
            "CPU 1\nR 0x1000\nR 0x1000\nTLB_FLUSH\nCPU 0\nPT_CLEAR 0x1000\nSHOOTDOWN all\n";
        for (int m = 0; m < MODE_COUNT; m++) {
                run((enum mmu_mode)m, 3, text);
                for (unsigned i = 0; i < STATS_COUNT; i++) {
                        uint64_t sum = 0;
                        for (unsigned c = 0; c < 3; c++)
                                sum += stats_value(&s.cpu_stats[c], i);
                        assert_int_equal(sum, stats_value(&s.stats, i));
                }
                assert_true(s.stats.tlb_hits > 0);
                struct sim quiet;
                sim_init(&quiet, &s.cfg);
                feed(&quiet, text);
                assert_memory_equal(&quiet.stats, &s.stats, sizeof s.stats);
                assert_memory_equal(quiet.cpu_stats, s.cpu_stats, 3 * sizeof *s.cpu_stats);
                sim_free(&quiet);
                teardown(NULL);
        }
}

/* The log names the vCPU only on a machine of several. */
static void test_log_names_cpu(void **state)
{
        (void)state;
        char line[256];
        run(MODE_NATIVE, 1, "CPU 0\nPT_WRITE 0x1000->0x5000\nR 0x1000\n");
        event_format(last_kind(&rec, EV_ACCESS), line, sizeof line);
        assert_string_equal(line, "[TRACE] ACCESS 0x1000 R gpa=0x5000 hpa=0x8A000 tlb=miss refs=4");
        event_format(&rec.ev[0], line, sizeof line);
        assert_string_equal(line, "[TRACE] CPU");
        teardown(NULL);
        run(MODE_NATIVE, 2, "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\n");
        event_format(last_kind(&rec, EV_ACCESS), line, sizeof line);
        assert_string_equal(line,
                            "[TRACE] ACCESS cpu=1 0x1000 R gpa=0x5000 hpa=0x8A000 tlb=miss refs=4");
        event_format(last_kind(&rec, EV_CPU), line, sizeof line);
        assert_string_equal(line, "[TRACE] CPU cpu=1 online");
}

/* A clone of a machine of several vCPUs goes on as the original does. */
static void test_clone_goes_on_alike(void **state)
{
        (void)state;
        const char *head = "PT_WRITE 0x1000->0x5000\nW 0x1000\nCPU 1\nR 0x1000\nCR3 1\n";
        const char *tail = "CPU 0\nR 0x1000\nCPU 1\nPT_WRITE 0x1000->0x6000\nR 0x1000\n"
                           "CPU 0\nR 0x1000\n";
        for (int m = 0; m < MODE_COUNT; m++) {
                run((enum mmu_mode)m, 2, head);
                struct sim copy;
                struct recorder crec = {0};
                sim_clone(&copy, &s);
                sim_add_sink(&copy, record_sink, &crec);
                size_t before = rec.n;
                feed(&s, tail);
                feed(&copy, tail);
                assert_int_equal(crec.n, rec.n - before);
                for (size_t i = 0; i < crec.n; i++)
                        assert_memory_equal(&crec.ev[i], &rec.ev[before + i], sizeof crec.ev[i]);
                assert_memory_equal(&copy.stats, &s.stats, sizeof s.stats);
                sim_free(&copy);
                free(crec.ev);
                teardown(NULL);
        }
}

/* ---- guest shootdowns --------------------------------------------------- */

/* The IPI events of the run with this detail. */
static size_t count_ipis(uint8_t detail)
{
        size_t n = 0;
        for (size_t i = 0; i < rec.n; i++)
                n += rec.ev[i].kind == EV_IPI && rec.ev[i].detail == detail;
        return n;
}

/* Who a shootdown reaches: the other vCPUs running the same address space
 * for a user address; every other running vCPU for a kernel address or
 * all; never one that has not run yet. vCPU 0 and 1 run space 0, vCPU 2
 * space 1, vCPU 3 never runs. */
static void test_shootdown_targets(void **state)
{
        (void)state;
        static const char *const setup = "PT_WRITE 0x1000->0x5000\n"
                                         "CPU 1\nR 0x1000\n"
                                         "CPU 2\nCR3 1\n"
                                         "CPU 0\n";
        static const struct {
                const char *line;
                unsigned targets;
        } cases[] = {
            {"SHOOTDOWN 0x1000\n", 1},             /* vCPU 1 */
            {"SHOOTDOWN 0xFFFF800000001000\n", 2}, /* vCPU 1 and 2 */
            {"SHOOTDOWN all\n", 2},
        };
        for (size_t k = 0; k < 3; k++) {
                run(MODE_NATIVE, 4, setup);
                size_t before = rec.n;
                feed(&s, cases[k].line);
                assert_int_equal(s.stats.shootdowns, 1);
                assert_int_equal(s.stats.ipis, cases[k].targets);
                assert_int_equal(count_ipis(DETAIL_IPI_SEND), cases[k].targets);
                assert_int_equal(count_ipis(DETAIL_IPI_DELIVER), cases[k].targets);
                assert_int_equal(count_ipis(DETAIL_IPI_ACK), cases[k].targets);
                for (size_t i = before; i < rec.n; i++) {
                        const struct event *ev = &rec.ev[i];
                        if (ev->kind == EV_IPI && ev->detail == DETAIL_IPI_DELIVER)
                                assert_true(ev->cpu == 1 || ev->cpu == 2);
                        if (ev->kind == EV_IPI && ev->detail != DETAIL_IPI_DELIVER)
                                assert_int_equal(ev->cpu, 0);
                        assert_true(ev->cpu != 3);
                }
                const struct event *end = &rec.ev[rec.n - 1];
                assert_int_equal(end->kind, EV_SHOOTDOWN);
                assert_int_equal(end->count, cases[k].targets);
                assert_int_equal(end->all, k == 2);
                assert_int_equal(s.cpu, 0);
                teardown(NULL);
        }
}

/* The order of a shootdown of one page to two vCPUs natively: both IPIs
 * sent, then each target takes its IPI, runs INVLPG and acknowledges,
 * then the end. */
static void test_shootdown_order(void **state)
{
        (void)state;
        run(MODE_NATIVE, 3, "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\nCPU 2\nR 0x1000\nCPU 0\n");
        size_t before = rec.n;
        feed(&s, "SHOOTDOWN 0x1000\n");
        static const struct {
                enum event_kind kind;
                uint8_t detail;
                unsigned cpu, other;
        } want[] = {
            {EV_IPI, DETAIL_IPI_SEND, 0, 1},
            {EV_IPI, DETAIL_IPI_SEND, 0, 2},
            {EV_IPI, DETAIL_IPI_DELIVER, 1, 0},
            {EV_INVLPG, 0, 1, 0},
            {EV_IPI, DETAIL_IPI_ACK, 0, 1},
            {EV_IPI, DETAIL_IPI_DELIVER, 2, 0},
            {EV_INVLPG, 0, 2, 0},
            {EV_IPI, DETAIL_IPI_ACK, 0, 2},
            {EV_SHOOTDOWN, 0, 0, 0},
        };
        assert_int_equal(rec.n - before, 9);
        for (size_t i = 0; i < 9; i++) {
                const struct event *ev = &rec.ev[before + i];
                assert_int_equal(ev->kind, want[i].kind);
                assert_int_equal(ev->cpu, want[i].cpu);
                if (ev->kind == EV_IPI) {
                        assert_int_equal(ev->detail, want[i].detail);
                        assert_int_equal(ev->index, want[i].other);
                }
                if (ev->kind == EV_INVLPG)
                        assert_int_equal(ev->count, 1); /* each dropped its entry */
                assert_int_equal(ev->gva, 0x1000);
        }
}

/* A shootdown empties the targets' entries: after vCPU 0 unmaps the page,
 * vCPU 1 faults; without the shootdown it would still read the old page
 * through its TLB. */
static void test_shootdown_invalidates(void **state)
{
        (void)state;
        static const char *const head = "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\n"
                                        "CPU 0\nPT_CLEAR 0x1000\nINVLPG 0x1000\n";
        for (int with = 0; with < 2; with++) {
                run(MODE_NATIVE, 2, head);
                if (with)
                        feed(&s, "SHOOTDOWN 0x1000\n");
                feed(&s, "CPU 1\nR 0x1000\n");
                assert_int_equal(s.cpu_stats[1].guest_pf, with ? 1 : 0);
                assert_int_equal(s.cpu_stats[1].tlb_hits, with ? 0 : 1);
                teardown(NULL);
        }
}

/* ---- what a shootdown costs -------------------------------------------- */

/* Exits of one shootdown of a user page to k targets, by hand: the send
 * exits unless IPIs are virtualized (k), the delivery exits without posted
 * interrupts (k), each target's INVLPG exits under shadow paging (k);
 * natively none. A run with vCPU 0 the sender and 1..k the targets, each
 * having cached the page. */
static void test_shootdown_exits(void **state)
{
        (void)state;
        static const struct {
                enum mmu_mode mode;
                enum ipi_virt virt;
                unsigned per_target;
        } cases[] = {
            {MODE_NATIVE, IPI_VIRT_OFF, 0}, {MODE_NATIVE, IPI_VIRT_ON, 0},
            {MODE_SHADOW, IPI_VIRT_OFF, 3}, {MODE_SHADOW, IPI_VIRT_POSTED, 2},
            {MODE_SHADOW, IPI_VIRT_ON, 1},  {MODE_SHADOW_OOS, IPI_VIRT_OFF, 3},
            {MODE_EPT, IPI_VIRT_OFF, 2},    {MODE_EPT, IPI_VIRT_POSTED, 1},
            {MODE_EPT, IPI_VIRT_ON, 0},
        };
        char text[512];
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
                for (unsigned k = 1; k <= 3; k++) {
                        int len = snprintf(text, sizeof text, "PT_WRITE 0x1000->0x5000\n");
                        for (unsigned t = 1; t <= k; t++)
                                len += snprintf(text + len, sizeof text - (size_t)len,
                                                "CPU %u\nR 0x1000\n", t);
                        snprintf(text + len, sizeof text - (size_t)len, "CPU 0\n");
                        struct sim_config cfg = config_for(cases[c].mode);
                        cfg.vcpus = 4;
                        cfg.ipi_virt = cases[c].virt;
                        run_cfg(&cfg, text);
                        uint64_t before = s.stats.exits;
                        feed(&s, "SHOOTDOWN 0x1000\n");
                        unsigned want = cases[c].per_target * k;
                        assert_int_equal(s.stats.exits - before, want);
                        assert_int_equal(s.stats.shootdown_exits, want);
                        assert_int_equal(last_kind(&rec, EV_SHOOTDOWN)->refs, want);
                        teardown(NULL);
                }
}

/* The cycles of a native shootdown to 2 targets, by hand: per target a
 * send, a delivery and an acknowledgement, and the target's INVLPG costs
 * nothing natively. */
static void test_shootdown_cycles(void **state)
{
        (void)state;
        run(MODE_NATIVE, 3, "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\nCPU 2\nR 0x1000\nCPU 0\n");
        uint64_t before = s.stats.cycles;
        feed(&s, "SHOOTDOWN 0x1000\n");
        const struct cost_model *c = &s.cfg.cost;
        assert_int_equal(s.stats.cycles - before, 2 * (c->ipi_send + c->ipi_deliver + c->ipi_ack));
        /* The sender pays the sends and the waits, each target its delivery. */
        assert_int_equal(s.cpu_stats[1].cycles, /* its one access, then the IPI */
                         c->access + 4 * c->walk_ref + c->ipi_deliver);
        teardown(NULL);
        /* Under EPT without IPI virtualization, 4 exits of reason ipi. */
        run(MODE_EPT, 3, "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\nCPU 2\nR 0x1000\nCPU 0\n");
        before = s.stats.cycles;
        feed(&s, "SHOOTDOWN 0x1000\n");
        c = &s.cfg.cost;
        assert_int_equal(s.stats.exit_ipi, 4);
        assert_int_equal(s.stats.cycles - before,
                         2 * (c->ipi_send + c->ipi_deliver + c->ipi_ack) + 4 * (c->exit + c->ipi));
}

/* ---- the VMM's remote flushes -------------------------------------------- */

/* vCPU 0, 1 and 2 run one address space; the trace below counts, by hand,
 * the other vCPUs the VMM kicks (2 each time) under KVM's shadow paging:
 * the hidden fault of R 0x1000 shadows 3 guest tables (L3, L2, L1), each a
 * frame newly write-protected (6); replacing the present leaf 0x1000 (2);
 * the store into the root and the new leaf 0x2000 change no present entry
 * (0). KVM today (shadow-oos): the 3 tables (6), the leaf table goes out of
 * sync at the first store (0), the INVLPG syncs the changed entry (2). */
static const char remote_trace[] = "CPU 1\nCPU 2\nCPU 0\n"
                                   "PT_WRITE 0x1000->0x5000\n"
                                   "R 0x1000\n"
                                   "PT_WRITE 0x1000->0x6000\n"
                                   "PT_WRITE 0x2000->0x7000\n"
                                   "INVLPG 0x1000\n";

static void test_remote_flushes(void **state)
{
        (void)state;
        static const struct {
                enum mmu_mode mode;
                unsigned kicks;
        } cases[] = {{MODE_NATIVE, 0}, {MODE_SHADOW, 8}, {MODE_SHADOW_OOS, 8}, {MODE_EPT, 0}};
        for (size_t c = 0; c < 4; c++) {
                for (unsigned vcpus = 3; vcpus <= 4; vcpus++) { /* vCPU 3 never runs */
                        run(cases[c].mode, vcpus, remote_trace);
                        assert_int_equal(s.stats.exit_remote_flush, cases[c].kicks);
                        assert_int_equal(s.cpu_stats[0].exit_remote_flush, 0);
                        assert_int_equal(s.cpu_stats[1].exit_remote_flush, cases[c].kicks / 2);
                        assert_int_equal(s.cpu_stats[2].exit_remote_flush, cases[c].kicks / 2);
                        /* Each kick is an exit, followed by the flush on the same vCPU. */
                        for (size_t i = 0; i + 1 < rec.n; i++)
                                if (rec.ev[i].kind == EV_VM_EXIT &&
                                    rec.ev[i].reason == EXIT_REMOTE_FLUSH) {
                                        assert_int_equal(rec.ev[i].index, 0);
                                        assert_int_equal(rec.ev[i + 1].kind, EV_TLB_FLUSH);
                                        assert_int_equal(rec.ev[i + 1].cpu, rec.ev[i].cpu);
                                }
                        teardown(NULL);
                }
        }
}

/* Under EPT the one change to the nested table that flushes is the start
 * of a dirty-logging round (D bits cleared): both other vCPUs are kicked. */
static void test_remote_flush_ept_dirty_log(void **state)
{
        (void)state;
        run(MODE_EPT, 3,
            "CPU 1\nCPU 2\nCPU 0\nPT_WRITE 0x1000->0x5000\nW 0x1000\nDIRTY_LOG start\n");
        assert_int_equal(s.stats.exit_remote_flush, 2);
}

/* A remote flush empties the other vCPU's TLB: vCPU 1 reads the page again
 * after vCPU 0 replaced its mapping (without a shootdown) and finds the
 * new frame under shadow paging, whose shared shadow entry changed, while
 * under EPT (and natively) its TLB still holds the old one. */
static void test_remote_flush_empties(void **state)
{
        (void)state;
        static const char *const text = "PT_WRITE 0x1000->0x5000\nCPU 1\nR 0x1000\n"
                                        "CPU 0\nPT_WRITE 0x1000->0x6000\nCPU 1\nR 0x1000\n";
        static const struct {
                enum mmu_mode mode;
                uint64_t gpa;
        } cases[] = {{MODE_SHADOW, 0x6000},
                     {MODE_SHADOW_OOS, 0x5000},
                     {MODE_EPT, 0x5000},
                     {MODE_NATIVE, 0x5000}};
        for (size_t c = 0; c < 4; c++) {
                run(cases[c].mode, 2, text);
                assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, cases[c].gpa);
                teardown(NULL);
        }
}

/* Each vCPU logs into its own 512-entry PML buffer: between two PML-full
 * exits of vCPU 0, 512 pages are logged on vCPU 0 (the guest tables' frames
 * the walker writes count too), however many vCPU 1 logs meanwhile. */
static void test_pml_buffer_per_vcpu(void **state)
{
        (void)state;
        size_t cap = 1500 * 64;
        char *text = malloc(cap);
        assert_non_null(text);
        size_t len = (size_t)snprintf(text, cap, "CPU 1\nCPU 0\n");
        for (unsigned i = 0; i < 1400; i++)
                len += (size_t)snprintf(text + len, cap - len, "PT_WRITE 0x%x->0x%x\n",
                                        0x100000 + i * 0x1000, 0x200000 + i * 0x1000);
        snprintf(text + len, cap - len, "DIRTY_LOG start\n");
        struct sim_config cfg = config_for(MODE_EPT);
        cfg.vcpus = 2;
        cfg.prealloc = true; /* no violations, whose exits would drain the buffer */
        run_cfg(&cfg, text);
        free(text);
        unsigned i = 0;
        char line[64];
        while (s.stats.exit_pml_full < 2 && i < 1400) {
                /* vCPU 1 writes 100 pages once vCPU 0 has filled its buffer. */
                bool other = s.stats.exit_pml_full == 1 && i < 760 && i % 2 == 0;
                snprintf(line, sizeof line, "CPU %d\nW 0x%x\n", other, 0x100000 + i++ * 0x1000);
                feed(&s, line);
        }
        assert_int_equal(s.stats.exit_pml_full, 2);
        size_t first = 0, logged0 = 0, logged1 = 0;
        while (rec.ev[first].kind != EV_VM_EXIT || rec.ev[first].reason != EXIT_PML_FULL)
                first++;
        for (size_t k = first + 1; k < rec.n; k++) {
                const struct event *ev = &rec.ev[k];
                if (ev->kind == EV_VM_EXIT && ev->reason == EXIT_PML_FULL) {
                        assert_int_equal(ev->cpu, 0);
                        break;
                }
                if (ev->kind == EV_DIRTY && ev->detail == DETAIL_DIRTY_PML)
                        *(ev->cpu ? &logged1 : &logged0) += 1;
        }
        assert_int_equal(logged0, 512);
        assert_true(logged1 >= 100);
}

/* ---- stale translations across vCPUs ------------------------------------ */

/* The STALE_TLB warnings of the run: how many, and the last. */
static size_t stale_warnings(const struct event **last)
{
        *last = last_kind(&rec, EV_STALE_TLB);
        return count_kind(&rec, EV_STALE_TLB);
}

/* vCPU 0 makes a page vCPU 1 cached read-only and invalidates only its own
 * TLB: vCPU 1's write through its old entry is warned, naming vCPU 0,
 * unless a shootdown reached it; under KVM's shadow paging before
 * out-of-sync pages the trapped store flushed every vCPU, so there is
 * nothing stale to use. */
static void test_stale_across_vcpus(void **state)
{
        (void)state;
        static const struct {
                enum mmu_mode mode;
                bool shootdown;
                size_t warnings;
        } cases[] = {
            {MODE_NATIVE, false, 1}, {MODE_NATIVE, true, 0},  {MODE_EPT, false, 1},
            {MODE_EPT, true, 0},     {MODE_SHADOW, false, 0},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                run(cases[c].mode, 2,
                    "PT_WRITE 0x2000->0x6000\nCPU 1\nW 0x2000\n"
                    "CPU 0\nPT_PROTECT 0x2000 r\nINVLPG 0x2000\n");
                if (cases[c].shootdown)
                        feed(&s, "SHOOTDOWN 0x2000\n");
                feed(&s, "CPU 1\nW 0x2000\n");
                const struct event *w;
                assert_int_equal(stale_warnings(&w), cases[c].warnings);
                if (w) {
                        assert_int_equal(w->cpu, 1);
                        assert_int_equal(w->detail, DETAIL_STALE_REMOTE);
                        assert_int_equal(w->index, 0);
                        char line[256];
                        event_format(w, line, sizeof line);
                        assert_string_equal(line, "[WARN] STALE_TLB cpu=1 0x2000 hpa=0xA9000 but "
                                                  "guest maps gpa=0x6000 (vCPU 0 changed it; no "
                                                  "shootdown reached this vCPU)");
                }
                teardown(NULL);
        }
}

/* Which vCPUs' entries a store makes stale: without PCID those of the
 * vCPUs running the address space stored into (vCPU 2, running another,
 * cached the same address of its own); with PCID those tagged with it too
 * (vCPU 2 ran it before and comes back to it: Linux would flush it then,
 * the trace does not); a kernel address every vCPU's. */
static void test_stale_which_vcpus(void **state)
{
        (void)state;
        static const char *const user =
            "PT_WRITE 0x2000->0x6000\n"
            "CPU 2\nR 0x2000\nCR3 1\nPT_WRITE 0x2000->0x7000\nR 0x2000\n"
            "CPU 0\nPT_CLEAR 0x2000\nINVLPG 0x2000\n"
            "CPU 2\nR 0x2000\nCR3 0\nR 0x2000\n";
        for (int pcid = 0; pcid < 2; pcid++) {
                struct sim_config cfg = config_for(MODE_NATIVE);
                cfg.vcpus = 3;
                cfg.pcid = pcid;
                run_cfg(&cfg, user);
                const struct event *w;
                /* Space 1's page on vCPU 2 is never stale; space 0's entry
                 * survives the switches only with PCID. */
                assert_int_equal(stale_warnings(&w), pcid ? 1 : 0);
                if (w)
                        assert_int_equal(w->asid, 0);
                teardown(NULL);
        }
        run(MODE_NATIVE, 3,
            "PT_WRITE 0xFFFF800000002000->0x6000\n"
            "CPU 1\nR 0xFFFF800000002000\nCPU 2\nCR3 1\nR 0xFFFF800000002000\n"
            "CPU 0\nPT_CLEAR 0xFFFF800000002000\n"
            "CPU 1\nR 0xFFFF800000002000\nCPU 2\nR 0xFFFF800000002000\n");
        assert_int_equal(s.stats.stale_tlb, 2);
        assert_int_equal(s.cpu_stats[1].stale_tlb, 1);
        assert_int_equal(s.cpu_stats[2].stale_tlb, 1);
}

/* ---- gen shootdown -------------------------------------------------------- */

/* The trace of gen shootdown on n vCPUs, small. */
static char *shootdown_trace(uint64_t n)
{
        const struct gen_scenario *sc = gen_find("shootdown");
        assert_non_null(sc);
        uint64_t v[GEN_MAX_PARAMS];
        gen_defaults(sc, v);
        v[gen_param_find(sc, "vcpus")] = n;
        v[gen_param_find(sc, "iterations")] = 24;
        v[gen_param_find(sc, "pages")] = 2;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        assert_int_equal(gen_write(sc, v, 1, out, NULL), 0);
        fclose(out);
        return text;
}

/* Its character: every shootdown reaches the n - 1 other threads' vCPUs,
 * so the exits per shootdown grow with n: 3 a target under shadow paging
 * (the IPI's send and delivery, the INVLPG), 2 under EPT (the IPI), none
 * under EPT with IPI virtualization, none natively. */
static void test_gen_shootdown_character(void **state)
{
        (void)state;
        static const struct {
                enum mmu_mode mode;
                enum ipi_virt virt;
                unsigned per_target;
        } cases[] = {{MODE_NATIVE, IPI_VIRT_OFF, 0},
                     {MODE_SHADOW, IPI_VIRT_OFF, 3},
                     {MODE_SHADOW_OOS, IPI_VIRT_OFF, 3},
                     {MODE_EPT, IPI_VIRT_OFF, 2},
                     {MODE_EPT, IPI_VIRT_ON, 0}};
        for (uint64_t n = 2; n <= 8; n *= 2) {
                char *text = shootdown_trace(n);
                for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
                        struct sim_config cfg = config_for(cases[c].mode);
                        cfg.vcpus = (unsigned)n;
                        cfg.ipi_virt = cases[c].virt;
                        run_cfg(&cfg, text);
                        assert_true(s.stats.shootdowns >= 24);
                        assert_int_equal(s.stats.ipis, s.stats.shootdowns * (n - 1));
                        assert_int_equal(s.stats.shootdown_exits,
                                         s.stats.shootdowns * (n - 1) * cases[c].per_target);
                        assert_int_equal(s.stats.stale_tlb, 0);
                        teardown(NULL);
                }
                free(text);
        }
}

/* ---- against the reference model ------------------------------------------ */

/* A reference of a machine of RV vCPUs: one copy of the reference model of
 * x86 translation (ref_x86.h) per vCPU, each its TLB's view, which the
 * harness keeps alike in everything but that: every page-table op goes to
 * every copy (in the writer's address space), invalidations only to the
 * vCPU that makes them, and a shootdown to the vCPUs it must reach by the
 * rule of the trace format, worked out here. The copies keep stale
 * translations across CR3 loads (PCID semantics), which allows more than a
 * machine without PCID may do, never less. */
#define RV 3

struct ref_smp {
        struct ref_machine cpu[RV];
        uint32_t asid[RV]; /* the address space each vCPU has loaded */
        bool online[RV];
        unsigned cur;
};

static void ref_smp_init(struct ref_smp *r, const struct sim_config *cfg)
{
        struct ref_config rc = {.levels = cfg->levels,
                                .guest_mem = cfg->guest_mem,
                                .pcid = true,
                                .kvm_not_present_fault_keeps_stale =
                                    scheme_of(cfg->mode)->out_of_sync};
        memset(r, 0, sizeof *r);
        for (unsigned c = 0; c < RV; c++)
                ref_init(&r->cpu[c], &rc);
        r->online[0] = true;
}

static void ref_smp_free(struct ref_smp *r)
{
        for (unsigned c = 0; c < RV; c++)
                ref_free(&r->cpu[c]);
}

/* Applies op (NULL: none) to copy c as if it ran in address space asid. */
static void apply_in(struct ref_smp *r, unsigned c, uint32_t asid, const struct op *op)
{
        struct op there = {.kind = OP_CR3, .asid = asid},
                  back = {.kind = OP_CR3, .asid = r->asid[c]};
        if (asid != r->asid[c])
                ref_apply(&r->cpu[c], &there);
        if (op)
                ref_apply(&r->cpu[c], op);
        if (asid != r->asid[c])
                ref_apply(&r->cpu[c], &back);
}

/* What a shootdown from the running vCPU reaches, by the format's rule:
 * every other running vCPU for a kernel address or all, else those with
 * the same address space loaded. */
static void ref_shootdown(struct ref_smp *r, const struct op *op, int levels)
{
        bool every = op->all || (op->gva >> (PAGE_SHIFT + PT_INDEX_BITS * levels - 1)) & 1;
        struct op inv = {.kind = op->all ? OP_TLB_FLUSH : OP_INVLPG, .gva = op->gva};
        for (unsigned t = 0; t < RV; t++)
                if (t != r->cur && r->online[t] && (every || r->asid[t] == r->asid[r->cur]))
                        ref_apply(&r->cpu[t], &inv);
}

/* Applies a non-access op to the reference. */
static void ref_smp_apply(struct ref_smp *r, const struct op *op, int levels)
{
        switch (op->kind) {
        case OP_CPU:
                r->cur = op->cpu;
                r->online[op->cpu] = true;
                break;
        case OP_PT_WRITE:
        case OP_PT_CLEAR:
        case OP_PT_PROTECT:
                for (unsigned c = 0; c < RV; c++)
                        apply_in(r, c, r->asid[r->cur], op);
                break;
        case OP_CR3:
                for (unsigned c = 0; c < RV; c++) /* every copy knows every space */
                        apply_in(r, c, op->asid, NULL);
                ref_apply(&r->cpu[r->cur], op);
                r->asid[r->cur] = op->asid;
                break;
        case OP_SHOOTDOWN:
                ref_shootdown(r, op, levels);
                break;
        default: /* INVLPG, TLB_FLUSH: the running vCPU's own */
                ref_apply(&r->cpu[r->cur], op);
                break;
        }
}

/* A random trace of RV vCPUs over a few pages of both halves and two
 * address spaces: mappings changed with or without INVLPG and shootdown. */
static void random_smp_trace(uint64_t *x, char *buf, size_t n, unsigned ops)
{
        static const uint64_t pages[] = {0x1000, 0x2000, 0x3000, 0xFFFF800000001000,
                                         0xFFFF800000002000};
        static const char *const flags[] = {"rw", "r", "rwu", "ru", "rwx"};
        size_t len = 0;
        for (unsigned i = 0; i < ops && len + 64 < n; i++) {
                *x = *x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
                uint64_t d = *x >> 33;
                unsigned long long gva = pages[(d >> 8) % 5];
                unsigned long long gpa = 0x5000 + ((d >> 12) % 4) * 0x1000;
                const char *f = flags[(d >> 16) % 5];
                switch (d % 100 / 10) {
                case 0:
                case 1:
                        len += (size_t)snprintf(buf + len, n - len, "PT_WRITE 0x%llX->0x%llX %s\n",
                                                gva, gpa, f);
                        break;
                case 2:
                        len += (size_t)snprintf(buf + len, n - len, "%s 0x%llX%s%s\n",
                                                d & 1 ? "PT_CLEAR" : "PT_PROTECT", gva,
                                                d & 1 ? "" : " ", d & 1 ? "" : f);
                        break;
                case 3:
                        len += (size_t)snprintf(buf + len, n - len, "%s 0x%llX\n",
                                                d & 1 ? "INVLPG" : "SHOOTDOWN", gva);
                        break;
                case 4:
                        len += (size_t)snprintf(buf + len, n - len, "%s\n",
                                                d & 1   ? "CR3 1"
                                                : d & 2 ? "CR3 0"
                                                        : "SHOOTDOWN all");
                        break;
                case 5:
                        len += (size_t)snprintf(buf + len, n - len, "CPU %llu\n",
                                                (unsigned long long)((d >> 4) % RV));
                        break;
                default:
                        len += (size_t)snprintf(buf + len, n - len, "%s 0x%llX%s\n",
                                                (const char *[]){"R", "W", "X"}[(d >> 4) % 3], gva,
                                                d & 8 ? " user" : "");
                        break;
                }
        }
}

/* Runs text under cfg and the reference side by side; fails at the first
 * access whose outcome the reference does not allow on its vCPU. Returns
 * the accesses compared. */
static size_t lockstep_smp(const struct sim_config *cfg, const char *text)
{
        struct ref_smp r;
        ref_smp_init(&r, cfg);
        run_cfg(cfg, "");
        struct trace_limits lim;
        trace_limits_of_config(cfg, &lim);
        size_t compared = 0;
        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");
                struct op op;
                struct trace_error err;
                bool ok = trace_parse_v1(line, len, &lim, &op, &err);
                assert_true(ok);
                rec.n = 0;
                sim_apply(&s, &op);
                if (op.kind != OP_ACCESS) {
                        ref_smp_apply(&r, &op, cfg->levels);
                } else {
                        struct ref_outcome allowed[64], seen = {0};
                        size_t nallowed = ref_allowed(&r.cpu[r.cur], &op, allowed, 64);
                        const struct event *e = last_kind(&rec, EV_ACCESS);
                        if (!e)
                                e = last_kind(&rec, EV_GUEST_PF);
                        assert_non_null(e);
                        assert_int_equal(e->cpu, r.cur);
                        seen = (struct ref_outcome){.fault = e->kind == EV_GUEST_PF,
                                                    .pf_error =
                                                        e->kind == EV_GUEST_PF ? e->pf_error : 0,
                                                    .gpa = e->gpa,
                                                    .hpa = e->hpa};
                        bool found = false;
                        for (size_t k = 0; k < nallowed && k < 64; k++)
                                found |= ref_outcome_equal(&seen, &allowed[k]);
                        if (!found) {
                                char a[96];
                                fail_msg("%s%s: '%.*s' on vCPU %u gave %s, which the reference "
                                         "does not allow, in:\n%s",
                                         mode_name(cfg->mode), cfg->pcid ? " --pcid" : "", (int)len,
                                         line, r.cur, ref_outcome_format(&seen, a, sizeof a), text);
                        }
                        ref_observe(&r.cpu[r.cur], &op, &seen);
                        compared++;
                }
                line += len + (line[len] == '\n');
        }
        ref_smp_free(&r);
        teardown(NULL);
        return compared;
}

/* Every access on every vCPU agrees with the reference, under every
 * scheme, with and without PCID, on random traces of three vCPUs. */
static void test_reference_smp(void **state)
{
        (void)state;
        static char text[8192];
        uint64_t x = 42;
        size_t compared = 0;
        for (unsigned t = 0; t < 1000; t++) {
                random_smp_trace(&x, text, sizeof text, 70);
                for (int m = 0; m < MODE_COUNT; m++)
                        for (int pcid = 0; pcid < 2; pcid++) {
                                struct sim_config cfg = config_for((enum mmu_mode)m);
                                cfg.vcpus = RV;
                                cfg.pcid = pcid;
                                compared += lockstep_smp(&cfg, text);
                        }
        }
        assert_true(compared > 20000);
}

/* ---- the trace format --------------------------------------------------- */

static void test_cpu_line(void **state)
{
        (void)state;
        struct trace_limits lim = {4, UINT64_C(4) << 30, 4};
        struct op op;
        struct trace_error err;
        assert_true(trace_parse_v1("cpu 3", 5, &lim, &op, &err));
        assert_int_equal(op.kind, OP_CPU);
        assert_int_equal(op.cpu, 3);
        char buf[64];
        assert_string_equal(op_format(&op, buf, sizeof buf), "CPU 3");
        assert_false(trace_parse_v1("CPU 4", 5, &lim, &op, &err));
        assert_int_equal(err.col, 5);
        assert_string_equal(err.msg, "expected a vCPU number below 4 (--vcpus), found '4'");
        lim.vcpus = 1;
        assert_false(trace_parse_v1("CPU 1", 5, &lim, &op, &err));
        assert_string_equal(
            err.msg, "expected vCPU 0 (the machine has 1 vCPU; --vcpus N for more), found '1'");
        assert_false(trace_parse_v1("CPU", 3, &lim, &op, &err));
        assert_int_equal(err.col, 4);
        assert_false(trace_parse_v1("CPU 0 1", 7, &lim, &op, &err));
        assert_int_equal(err.col, 7);
}

static void test_shootdown_line(void **state)
{
        (void)state;
        struct trace_limits lim = {4, UINT64_C(4) << 30, 2};
        struct op op;
        struct trace_error err;
        char buf[64];
        assert_true(trace_parse_v1("shootdown 0x1234", 16, &lim, &op, &err));
        assert_int_equal(op.kind, OP_SHOOTDOWN);
        assert_int_equal(op.gva, 0x1234);
        assert_false(op.all);
        assert_string_equal(op_format(&op, buf, sizeof buf), "SHOOTDOWN 0x1234");
        assert_true(trace_parse_v1("SHOOTDOWN ALL # every page", 26, &lim, &op, &err));
        assert_true(op.all);
        assert_string_equal(op_format(&op, buf, sizeof buf), "SHOOTDOWN all");
        assert_false(trace_parse_v1("SHOOTDOWN", 9, &lim, &op, &err));
        assert_string_equal(err.msg,
                            "expected a guest virtual address or 'all', found end of line");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_no_cpu_lines_run_as_one_vcpu, teardown),
            cmocka_unit_test_teardown(test_own_tlb, teardown),
            cmocka_unit_test_teardown(test_own_walk_cache, teardown),
            cmocka_unit_test_teardown(test_own_nested_walk_cache, teardown),
            cmocka_unit_test_teardown(test_own_cr3, teardown),
            cmocka_unit_test_teardown(test_own_root_cache, teardown),
            cmocka_unit_test_teardown(test_cpu_stats_add_up, teardown),
            cmocka_unit_test_teardown(test_log_names_cpu, teardown),
            cmocka_unit_test_teardown(test_clone_goes_on_alike, teardown),
            cmocka_unit_test_teardown(test_shootdown_targets, teardown),
            cmocka_unit_test_teardown(test_shootdown_order, teardown),
            cmocka_unit_test_teardown(test_shootdown_invalidates, teardown),
            cmocka_unit_test_teardown(test_shootdown_exits, teardown),
            cmocka_unit_test_teardown(test_shootdown_cycles, teardown),
            cmocka_unit_test_teardown(test_remote_flushes, teardown),
            cmocka_unit_test_teardown(test_remote_flush_ept_dirty_log, teardown),
            cmocka_unit_test_teardown(test_remote_flush_empties, teardown),
            cmocka_unit_test_teardown(test_pml_buffer_per_vcpu, teardown),
            cmocka_unit_test_teardown(test_stale_across_vcpus, teardown),
            cmocka_unit_test_teardown(test_stale_which_vcpus, teardown),
            cmocka_unit_test_teardown(test_gen_shootdown_character, teardown),
            cmocka_unit_test_teardown(test_reference_smp, teardown),
            cmocka_unit_test(test_cpu_line),
            cmocka_unit_test(test_shootdown_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
