/*
 * test_schemes.c - the guest model and the native, shadow and EPT schemes:
 * what traps, what the shadow holds, how many references a walk makes.
 */
#include "harness.h"
#include "scheme.h"

#include "guest.h"

static struct sim s;
static struct recorder rec;
static bool running; /* s holds a machine to free */

static void begin(const struct sim_config *cfg)
{
        start(&s, cfg, &rec);
        running = true;
}

static void stop(void)
{
        if (running)
                finish(&s, &rec);
        running = false;
}

static void run(enum mmu_mode mode, const char *text)
{
        struct sim_config cfg = config_for(mode);
        begin(&cfg);
        feed(&s, text);
}

static int teardown(void **state)
{
        (void)state;
        stop();
        return 0;
}

/* The guest tables hold the mapping in guest memory, x86-64 style. */
static void test_guest_tables_in_guest_memory(void **state)
{
        (void)state;
        run(MODE_NATIVE, "PT_WRITE 0x1000->0x5000 rwu\n");
        struct guest_walk w;
        guest_walk(&s.guest, guest_root(&s.guest), 0x1234, &w);
        assert_true(w.present);
        assert_int_equal(w.gpa, 0x5234);
        assert_int_equal(w.leaf_level, 1);
        assert_int_equal(w.depth, 4);
        assert_true(w.leaf & PTE_U);
        assert_true(w.leaf & PTE_NX);
        /* Three links and a leaf were stored: four PT writes. */
        assert_int_equal(s.stats.pt_writes, 4);
        assert_int_equal(count_kind(&rec, EV_PT_LINK), 3);
        assert_int_equal(guest_root(&s.guest), 0xFFFFF); /* the top frame of 4 GiB */
        /* The leaf lives in a table page that is itself in guest memory. */
        assert_non_null(guest_table_at(&s.guest, w.table_gfn[1]));
        assert_int_equal(guest_table_level(&s.guest, w.table_gfn[1]), 1);
}

/* The seed's critical cases: a PT write to a shadowed table updates the
 * shadow; an access then uses the shadow mapping. */
static void test_pt_write_updates_shadow(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0x2000->0x6000\nACCESS 0x2000\nPT_WRITE 0x1000->0x5000\n"
                         "ACCESS 0x1000\n");
        size_t w = find_kind(&rec, 0, EV_PT_WRITE);
        w = find_kind(&rec, w + 1, EV_PT_WRITE);
        assert_true(w < rec.n);
        assert_int_equal(rec.ev[w].gva, 0x1000);
        assert_true(rec.ev[w].trapped);
        assert_int_equal(rec.ev[w - 1].kind, EV_VM_EXIT);
        assert_int_equal(rec.ev[w - 1].reason, EXIT_PT_WRITE);
        assert_int_equal(rec.ev[w + 1].kind, EV_SHADOW_UPDATE);
        assert_int_equal(rec.ev[w + 1].gva, 0x1000);
        assert_int_equal(rec.ev[w + 1].hpa, 0x8A000);
        const struct event *a = last_kind(&rec, EV_ACCESS);
        assert_int_equal(a->gpa, 0x5000);
        assert_int_equal(a->hpa, 0x8A000);
        assert_int_equal(a->refs, 4);
        /* The shadow already held the entry: no hidden fault for it. */
        assert_int_not_equal(a[-1].kind, EV_SHADOW_FILL);
        assert_int_equal(s.stats.shadow_fills, 1);
        char line[256];
        event_format(&rec.ev[w], line, sizeof line);
        assert_string_equal(line, "[TRACE] PT_WRITE 0x1000->0x5000");
        event_format(&rec.ev[w + 1], line, sizeof line);
        assert_string_equal(line, "[TRACE] SHADOW_UPDATE 0x1000->0x8A000");
}

/* A store into a table that has no shadow page does not trap; the shadow is
 * filled later, on the first miss. */
static void test_unshadowed_table_does_not_trap(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0x1000->0x5000\n");
        /* Only the store into the (shadowed) root trapped. */
        assert_int_equal(s.stats.pt_traps, 1);
        assert_int_equal(s.stats.pt_writes, 4);
        assert_int_equal(s.stats.shadow_updates, 0);
        feed(&s, "ACCESS 0x1000\n");
        assert_int_equal(s.stats.hidden_pf, 1);
        assert_int_equal(s.stats.exit_page_fault, 1);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0x8A000);
}

/* A second PT_WRITE for the same GVA: the shadow never keeps the old HPA. */
static void test_conflicting_mapping(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x1000->0x6000\n");
        assert_int_equal(last_kind(&rec, EV_SHADOW_UPDATE)->hpa, 0xA9000);
        feed(&s, "R 0x1000\n");
        const struct event *a = last_kind(&rec, EV_ACCESS);
        assert_int_equal(a->gpa, 0x6000);
        assert_int_equal(a->hpa, 0xA9000); /* the VMM dropped the old TLB entry too */
        assert_int_equal(s.stats.stale_tlb, 0);
        stop();

        /* Natively the TLB keeps the old translation until INVLPG: warned. */
        run(MODE_NATIVE, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x1000->0x6000\nR 0x1000\n");
        const struct event *stale = last_kind(&rec, EV_STALE_TLB);
        assert_non_null(stale);
        assert_int_equal(stale->hpa, 0x8A000);
        assert_int_equal(stale->gpa, 0x6000);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0x8A000);
        char line[256];
        event_format(stale, line, sizeof line);
        assert_string_equal(line, "[WARN] STALE_TLB 0x1000 hpa=0x8A000 but guest maps gpa=0x6000 "
                                  "(no INVLPG since the change)");
        feed(&s, "INVLPG 0x1000\nR 0x1000\n");
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xA9000);
        assert_int_equal(s.stats.stale_tlb, 1);
}

/* Two address spaces share the kernel half's tables; under shadow paging
 * the shared guest table has one shadow page used by both roots. */
static void test_cr3_switch_shares_kernel_tables(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0xFFFF800000001000->0x5000\nR 0xFFFF800000001000\nCR3 1\n"
                         "R 0xFFFF800000001000\n");
        struct guest_walk w0, w1;
        guest_walk(&s.guest, s.guest.spaces[0].root_gfn, UINT64_C(0xFFFF800000001000), &w0);
        guest_walk(&s.guest, s.guest.spaces[1].root_gfn, UINT64_C(0xFFFF800000001000), &w1);
        assert_int_not_equal(w0.table_gfn[4], w1.table_gfn[4]);
        assert_int_equal(w0.table_gfn[3], w1.table_gfn[3]); /* shared PDPT */
        assert_int_equal(w0.table_gfn[1], w1.table_gfn[1]); /* shared PT */
        /* Shadow pages: 2 roots + the shared PDPT, PD and PT, not more. */
        assert_int_equal(s.stats.shadow_pages, 5);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0x8A000);
        /* A store into the shared PT traps once and serves both spaces. */
        feed(&s, "PT_WRITE 0xFFFF800000001000->0x6000\nCR3 0\nR 0xFFFF800000001000\n");
        assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x6000);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xA9000);
}

/* CR3 loads and INVLPG exit under shadow paging, not under EPT; CR3 loads
 * flush the TLB without PCID. */
/* How many TLB flushes had this cause. */
static size_t count_flushes(uint8_t detail)
{
        size_t n = 0;
        for (size_t i = 0; i < rec.n; i++)
                n += rec.ev[i].kind == EV_TLB_FLUSH && rec.ev[i].detail == detail;
        return n;
}

static void test_cr3_and_invlpg_exits(void **state)
{
        (void)state;
        const char *t =
            "PT_WRITE 0x1000->0x5000\nR 0x1000\nCR3 1\nCR3 0\nINVLPG 0x1000\nR 0x1000\n";
        run(MODE_SHADOW, t);
        assert_int_equal(s.stats.exit_cr3, 2);
        assert_int_equal(s.stats.exit_invlpg, 1);
        assert_int_equal(count_flushes(DETAIL_FLUSH_CR3), 2);
        assert_int_equal(count_kind(&rec, EV_SHADOW_ROOT), 3); /* boot, asid 1 new, asid 0 cached */
        assert_int_equal(last_kind(&rec, EV_SHADOW_ROOT)->detail, DETAIL_ROOT_CACHED);
        stop();
        run(MODE_EPT, t);
        assert_int_equal(s.stats.exit_cr3 + s.stats.exit_invlpg + s.stats.exit_pt_write, 0);
        assert_int_equal(s.stats.tlb_flushes, 2);
        stop();
        struct sim_config cfg = config_for(MODE_EPT);
        cfg.pcid = true;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\nCR3 1\nCR3 0\nR 0x1000\n");
        assert_int_equal(s.stats.tlb_flushes, 0);
        assert_true(last_kind(&rec, EV_ACCESS)->tlb_hit);
}

/* Five address spaces round robin: the cache of 4 shadow roots misses, but
 * a root that falls out of it keeps its shadow pages (kvm_mmu_new_pgd:
 * they stay hashed and are found again). */
static void test_shadow_root_cache(void **state)
{
        (void)state;
        run(MODE_SHADOW, "CR3 1\nCR3 2\nCR3 3\nCR3 0\nCR3 1\n");
        assert_int_equal(last_kind(&rec, EV_SHADOW_ROOT)->detail, DETAIL_ROOT_CACHED);
        feed(&s, "CR3 4\n"); /* pushes the least recent, asid 2, out of the cache */
        assert_null(last_kind(&rec, EV_SHADOW_ZAP));
        feed(&s, "CR3 2\n");
        assert_int_equal(last_kind(&rec, EV_SHADOW_ROOT)->detail, DETAIL_ROOT_FOUND);
}

/* Round robin over 6 address spaces whose tables do not change: once warm,
 * each switch costs its CR3 exit and nothing else. */
static void test_round_robin_warm(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_SHADOW_OOS);
        cfg.pcid = true;
        begin(&cfg);
        char text[2048] = "";
        size_t o = 0;
        for (int round = 0; round < 3; round++)
                for (int a = 0; a < 6; a++) {
                        o += (size_t)snprintf(text + o, sizeof text - o, "CR3 %d\n", a);
                        if (round == 0)
                                o += (size_t)snprintf(text + o, sizeof text - o,
                                                      "PT_WRITE 0x%x000->0x%x000\n", a + 1, a + 5);
                        o += (size_t)snprintf(text + o, sizeof text - o, "R 0x%x000\n", a + 1);
                }
        feed(&s, text);
        uint64_t exits = s.stats.exits;
        feed(&s, "CR3 0\nR 0x1000\nCR3 1\nR 0x2000\nCR3 2\nR 0x3000\n");
        assert_int_equal(s.stats.exits - exits, 3);
        assert_int_equal(s.stats.exit_cr3, 3 * 6 + 3);
}

/* The first touch of a page walks n levels natively and under shadow
 * paging, (n+1)(m+1)-1 under EPT with nothing cached. */
static void test_walk_references(void **state)
{
        (void)state;
        for (int n = 2; n <= 5; n++) {
                for (int m = 2; m <= 5; m++) {
                        struct sim_config cfg = config_for(MODE_EPT);
                        cfg.pwc = false; /* the textbook count */
                        cfg.levels = n;
                        cfg.ept_levels = m;
                        cfg.guest_mem = UINT64_C(1) << 30;
                        begin(&cfg);
                        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\nTLB_FLUSH\nR 0x1000\n");
                        const struct event *a = last_kind(&rec, EV_ACCESS);
                        assert_false(a->tlb_hit);
                        if ((int)a->refs != (n + 1) * (m + 1) - 1)
                                fail_msg("%d+%d levels: %u refs", n, m, a->refs);
                        stop();
                }
        }
        struct sim_config cfg = config_for(MODE_NATIVE);
        cfg.levels = 5;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\n");
        assert_int_equal(last_kind(&rec, EV_ACCESS)->refs, 5);
        stop();
        run(MODE_SHADOW, "PT_WRITE 0x1000->0x5000\nR 0x1000\nTLB_FLUSH\nR 0x1000\n");
        assert_int_equal(last_kind(&rec, EV_ACCESS)->refs, 4);
}

/* EPT: the guest edits its tables freely; first touches of guest frames
 * (tables included) are EPT violations, once each. */
static void test_ept_violations(void **state)
{
        (void)state;
        run(MODE_EPT, "PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\nR 0x1000\nR 0x2000\n"
                      "TLB_FLUSH\nR 0x1000\nR 0x2000\n");
        /* 4 table frames + 2 data frames */
        assert_int_equal(s.stats.ept_violations, 6);
        assert_int_equal(s.stats.exits, 6);
        assert_int_equal(s.stats.pt_traps, 0);
        assert_int_equal(count_kind(&rec, EV_EPT_MAP), 6);
        assert_int_equal(last_kind(&rec, EV_EPT_MAP)->hpa, 0xA9000);
}

/* Guest page faults: delivered directly natively and under EPT, through an
 * exit and an injection under shadow paging. */
static void test_guest_page_faults(void **state)
{
        (void)state;
        const char *t = "PT_WRITE 0x1000->0x5000 r\nW 0x1000\nR 0x9000\nX 0x1000\n";
        run(MODE_NATIVE, t);
        assert_int_equal(s.stats.guest_pf, 3);
        assert_int_equal(s.stats.exits, 0);
        stop();
        run(MODE_SHADOW, t);
        assert_int_equal(s.stats.guest_pf, 3);
        assert_int_equal(s.stats.exit_page_fault, 3);
        assert_int_equal(last_kind(&rec, EV_GUEST_PF)->detail, DETAIL_INJECTED);
        char line[128];
        event_format(last_kind(&rec, EV_GUEST_PF), line, sizeof line);
        assert_string_equal(line, "[TRACE] GUEST_PF 0x1000 X error=0x11");
        const struct event *first = NULL;
        for (size_t i = 0; i < rec.n && !first; i++)
                if (rec.ev[i].kind == EV_GUEST_PF)
                        first = &rec.ev[i];
        assert_int_equal(first->pf_error, PF_ERR_P | PF_ERR_W); /* W to a read-only page */
}

/* User and supervisor (SDM 4.6): the kernel half's links lack U, so a user
 * access there faults even when the leaf says u; a user access needs u on
 * the leaf; supervisor writes obey W (CR0.WP = 1); SMEP and SMAP refuse
 * supervisor fetches and data accesses to user pages. */
static void test_user_supervisor(void **state)
{
        (void)state;
        for (int m = 0; m < MODE_COUNT; m++) {
                run((enum mmu_mode)m, "PT_WRITE 0x1000->0x5000 rwu\nPT_WRITE 0x2000->0x6000\n"
                                      "PT_WRITE 0xFFFF800000001000->0x7000 rwu\n"
                                      "R 0x1000 user\nR 0x2000 user\n"
                                      "R 0xFFFF800000001000 user\nR 0xFFFF800000001000\n");
                assert_int_equal(s.stats.guest_pf, 2);
                assert_int_equal(last_kind(&rec, EV_GUEST_PF)->pf_error, PF_ERR_P | PF_ERR_U);
                assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x7000);
                stop();
                struct sim_config cfg = config_for((enum mmu_mode)m);
                cfg.smep = cfg.smap = true;
                begin(&cfg);
                feed(&s, "PT_WRITE 0x1000->0x5000 rwxu\nR 0x1000 user\nX 0x1000\nR 0x1000\n"
                         "W 0x1000 user\n");
                assert_int_equal(s.stats.guest_pf, 2);
                assert_int_equal(last_kind(&rec, EV_GUEST_PF)->pf_error, PF_ERR_P);
                assert_true(last_kind(&rec, EV_ACCESS)->user);
                stop();
        }
}

/* INVLPG of any address of a guest large page drops every TLB entry of the
 * page (SDM 4.10.4.1), in every scheme: a later read misses and faults. */
static void test_invlpg_large_page(void **state)
{
        (void)state;
        for (int m = 0; m < MODE_COUNT; m++) {
                run((enum mmu_mode)m, "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x201000\n"
                                      "R 0x202000\nPT_CLEAR 0x200000\nINVLPG 0x3FF000\n"
                                      "R 0x201000\n");
                assert_int_equal(count_kind(&rec, EV_STALE_TLB), 0);
                assert_int_equal(s.stats.guest_pf, 1);
                stop();
        }
}

/* A read-only 2M page never leaves a writable shadow entry behind (direct
 * shadow pages are keyed by the large entry's rights, role.access), nor
 * does an alias of the same frame with other rights. */
static void test_large_page_rights(void **state)
{
        (void)state;
        for (int m = 0; m < MODE_COUNT; m++) {
                run((enum mmu_mode)m, "PT_WRITE 0x200000->0x400000 rw 2M\nW 0x201000\n"
                                      "PT_PROTECT 0x200000 r\nINVLPG 0x200000\nW 0x201000\n"
                                      "PT_WRITE 0x600000->0x400000 r 2M\nW 0x601000\n"
                                      "PT_PROTECT 0x200000 rw\nINVLPG 0x200000\nW 0x201000\n");
                assert_int_equal(s.stats.guest_pf, 2);
                assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x401000);
                stop();
        }
}

/* A/D emulation: a clean page is mapped read-only; the first write exits. */
static void test_dirty_bit_emulation(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0x1000->0x5000\nR 0x1000\nW 0x1000\nW 0x1000\n");
        assert_int_equal(s.stats.exit_page_fault, 2);
        assert_int_equal(last_kind(&rec, EV_SHADOW_FILL)->detail, DETAIL_DIRTY);
        struct guest_walk w;
        guest_walk(&s.guest, guest_root(&s.guest), 0x1000, &w);
        assert_true(w.leaf & PTE_D);
        assert_true(w.leaf & PTE_A);
        stop();
        struct sim_config cfg = config_for(MODE_SHADOW);
        cfg.ad_emulation = false;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\nW 0x1000\n");
        assert_int_equal(s.stats.exit_page_fault, 1);
}

/* Lazy shadow: 3 emulated writes to a table not used by a walk unshadow it. */
static void test_write_flooding(void **state)
{
        (void)state;
        run(MODE_SHADOW, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x2000->0x6000\n"
                         "PT_WRITE 0x3000->0x7000\n");
        assert_int_equal(count_kind(&rec, EV_SHADOW_ZAP), 0);
        feed(&s, "PT_WRITE 0x4000->0x8000\n");
        const struct event *zap = last_kind(&rec, EV_SHADOW_ZAP);
        assert_non_null(zap);
        assert_int_equal(zap->detail, DETAIL_FLOOD);
        assert_int_equal(zap->level, 1);
        uint64_t traps = s.stats.pt_traps;
        feed(&s, "PT_WRITE 0x5000->0x9000\n"); /* unprotected now: no trap */
        assert_int_equal(s.stats.pt_traps, traps);
        feed(&s, "R 0x5000\n"); /* rebuilt on the next miss */
        assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x9000);
}

/* Out of sync: the first trapped write unprotects a leaf table; later
 * writes do not exit; INVLPG resyncs it. */
static void test_out_of_sync(void **state)
{
        (void)state;
        run(MODE_SHADOW_OOS, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x1000->0x6000\n"
                             "PT_WRITE 0x2000->0x7000\nPT_WRITE 0x3000->0x8000\n");
        assert_int_equal(s.stats.unsyncs, 1);
        assert_int_equal(s.stats.exit_pt_write, 2); /* the root link, then the unsync */
        /* INVLPG syncs the one entry: its frame changed, so it is zapped
         * (FNAME(sync_spte)); the page stays out of sync. */
        feed(&s, "INVLPG 0x1000\n");
        const struct event *rs = last_kind(&rec, EV_RESYNC);
        assert_int_equal(rs->detail, DETAIL_SYNC_ONE);
        assert_int_equal(last_kind(&rec, EV_SHADOW_ZAP)->gva, 0x1000);
        feed(&s, "R 0x1000\nPT_WRITE 0x1000->0x7000\n"); /* still unsync: no exit */
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xA9000);
        assert_int_equal(s.stats.exit_pt_write, 2);
        /* The fill prefetched the present, accessed neighbours. */
        assert_int_equal(last_kind(&rec, EV_SHADOW_FILL)->detail, DETAIL_PREFETCH);
        assert_int_equal(last_kind(&rec, EV_SHADOW_FILL)->gva, 0x3000);
        /* A flush (a CR3 reload) syncs the whole page and protects it. */
        feed(&s, "TLB_FLUSH\nR 0x1000\nPT_WRITE 0x1000->0x8000\n");
        assert_int_equal(last_kind(&rec, EV_RESYNC)->detail, DETAIL_NONE);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xC8000);
        assert_int_equal(s.stats.exit_pt_write, 3);
        assert_int_equal(s.stats.unsyncs, 2);
        feed(&s, "INVLPG 0x1000\nR 0x1000\n");
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xE7000);
}

/* An access through an out-of-sync shadow entry reports the GPA that entry
 * was built from, beside the warning (the guest no longer maps it). */
static void test_stale_shadow_gpa(void **state)
{
        (void)state;
        run(MODE_SHADOW_OOS, "PT_WRITE 0x200000->0x401000 rwxu\nW 0x200D80\nCR3 0\n"
                             "PT_CLEAR 0x200000\nACCESS 0x200858 R\n");
        const struct event *a = last_kind(&rec, EV_ACCESS);
        assert_int_equal(a->gpa, 0x401858);
        assert_int_equal(a->hpa, hostmem_hpa(&s.host, 0x401858));
        assert_int_equal(last_kind(&rec, EV_STALE_TLB)->detail, DETAIL_STALE_SHADOW);
}

/* Guest and host pages both large: shadow paging maps the guest 2M page
 * with one 2M shadow entry and the TLB caches it whole (KVM's
 * kvm_mmu_max_mapping_level); a 1G guest page gets 2M entries in a direct
 * page; dirty logging goes back to 4K entries. */
static void test_large_shadow_entries(void **state)
{
        (void)state;
        for (int m = 0; m < MODE_COUNT; m++) {
                if (!scheme_has_shadow((enum mmu_mode)m))
                        continue;
                struct sim_config cfg = config_for((enum mmu_mode)m);
                cfg.host_large = true;
                begin(&cfg);
                feed(&s, "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x201000\nR 0x3FF000\n");
                assert_int_equal(s.stats.tlb_hits, 1);
                const struct event *fill = last_kind(&rec, EV_SHADOW_FILL);
                assert_true(fill->new_entry & PTE_PS);
                assert_int_equal(fill->level, 2);
                feed(&s, "PT_WRITE 0x40000000->0x40000000 1G\nR 0x40001000\nR 0x401FF000\n"
                         "R 0x40200000\n");
                assert_int_equal(last_kind(&rec, EV_SHADOW_PAGE)->detail, DETAIL_DIRECT);
                assert_int_equal(s.stats.tlb_hits, 2);
                assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x40200000);
                feed(&s, "DIRTY_LOG start\nW 0x201000\nR 0x202000\n");
                assert_false(last_kind(&rec, EV_SHADOW_FILL)->new_entry & PTE_PS);
                assert_false(last_kind(&rec, EV_ACCESS)->tlb_hit);
                stop();
        }
}

/* Agile paging: a leaf table written twice in an interval is walked nested
 * from then on (its stores no longer exit, walks below the switch are 2D);
 * quiet for a whole interval, it goes back to shadow mode. */
static void test_agile_switches(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_AGILE);
        cfg.pwc = false;
        cfg.agile_interval = 50;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x2000->0x6000\n"
                 "PT_WRITE 0x3000->0x7000\n");
        const struct event *ag = last_kind(&rec, EV_AGILE);
        assert_non_null(ag);
        assert_int_equal(ag->detail, DETAIL_TO_NESTED);
        assert_int_equal(ag->level, 1);
        uint64_t traps = s.stats.pt_traps;
        feed(&s, "PT_WRITE 0x4000->0x8000\nR 0x4000\nTLB_FLUSH\nR 0x4000\n");
        assert_int_equal(s.stats.pt_traps, traps);
        const struct event *a = last_kind(&rec, EV_ACCESS);
        assert_int_equal(a->gpa, 0x8000);
        /* 3 shadow levels, then the leaf level and the data through 4-level
         * nested walks: 3 + (4 + 1) + 4. */
        assert_int_equal(a->refs, 12);
        /* The first interval saw a store into it: it stays nested; the
         * second one was quiet. */
        for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 60; i++)
                        feed(&s, "R 0x4000\n");
                feed(&s, "TLB_FLUSH\nR 0x4000\n");
                assert_int_equal(last_kind(&rec, EV_AGILE)->detail,
                                 round ? DETAIL_TO_SHADOW : DETAIL_TO_NESTED);
        }
        assert_int_equal(last_kind(&rec, EV_ACCESS)->refs, 4);
        feed(&s, "PT_WRITE 0x5000->0x9000\n"); /* shadowed again: it traps */
        assert_int_equal(s.stats.pt_traps, traps + 1);
}

/* KVM today zaps the entry on an emulated store into an upper table that
 * stays protected, and write flooding never unshadows a leaf table. */
static void test_kvm_today_emulation(void **state)
{
        (void)state;
        run(MODE_SHADOW_OOS, "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_CLEAR 0x1000\n"
                             "PT_WRITE 0x2000->0x6000\nPT_WRITE 0x3000->0x7000\n"
                             "PT_WRITE 0x4000->0x8000\n");
        assert_int_equal(s.stats.shadow_updates, 0);
        assert_null(last_kind(&rec, EV_SHADOW_ZAP));
        feed(&s, "PT_WRITE 0x40000000->0x9000\n"); /* a link into the protected PDPT */
        assert_int_equal(s.stats.shadow_updates, 0);
}

/* Eager shadow: PT writes = traps = shadow updates, once the root exists. */
static void test_eager(void **state)
{
        (void)state;
        run(MODE_SHADOW_EAGER, "PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\n"
                               "PT_WRITE 0x400000->0x7000\nR 0x1000\nR 0x2000\n");
        assert_int_equal(s.stats.pt_writes, s.stats.pt_traps);
        assert_int_equal(s.stats.shadow_updates, 3);
        assert_int_equal(s.stats.hidden_pf, 0);
        assert_int_equal(s.stats.exit_page_fault, 0);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, 0xA9000);
}

/* A 2M guest page: one TLB entry natively; 4K direct shadow pieces. */
static void test_large_page(void **state)
{
        (void)state;
        const char *t = "PT_WRITE 0x200000->0x400000 2M\nR 0x201000\nR 0x3FF000\n";
        run(MODE_NATIVE, t);
        assert_int_equal(s.stats.tlb_misses, 1);
        assert_int_equal(s.stats.tlb_hits, 1);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->refs, 0);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x5FF000);
        uint64_t hpa = last_kind(&rec, EV_ACCESS)->hpa;
        stop();
        run(MODE_SHADOW, t);
        assert_int_equal(s.stats.tlb_misses, 2);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->hpa, hpa);
        assert_int_equal(last_kind(&rec, EV_SHADOW_PAGE)->detail, DETAIL_DIRECT);
}

/* A page-crossing access touches both pages. */
static void test_page_crossing(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x9000\n");
        struct op op = {
            .kind = OP_ACCESS, .gva = 0x1FFC, .size = 8, .access = ACCESS_READ, .line = 3};
        sim_apply(&s, &op);
        assert_int_equal(count_kind(&rec, EV_ACCESS), 2);
        assert_int_equal(last_kind(&rec, EV_ACCESS)->gpa, 0x9000);
}

/* Dirty logging: one exit per first write to a page per round under
 * shadow paging; under EPT the PML buffer exits once per 512 pages. */
static void test_dirty_logging(void **state)
{
        (void)state;
        static char trace[64 * 1024];
        size_t o = 0;
        for (int i = 0; i < 600; i++)
                o += (size_t)snprintf(trace + o, sizeof trace - o, "PT_WRITE 0x%x->0x%x\nW 0x%x\n",
                                      0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
                                      0x100000 + i * 0x1000);
        o += (size_t)snprintf(trace + o, sizeof trace - o, "DIRTY_LOG start\n");
        for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 600; i++)
                        o += (size_t)snprintf(trace + o, sizeof trace - o, "W 0x%x\nW 0x%x\n",
                                              0x100000 + i * 0x1000, 0x100000 + i * 0x1000);
                o += (size_t)snprintf(trace + o, sizeof trace - o, "DIRTY_LOG sync\n");
        }
        run(MODE_SHADOW, trace);
        assert_int_equal(s.stats.dirty_rounds, 2);
        assert_int_equal(s.stats.dirty_pages, 1200);
        assert_int_equal(s.stats.dirty_exits, 1200); /* pages were already dirty: log-only exits */
        assert_int_equal(last_kind(&rec, EV_DIRTY_LOG)->count, 600);
        stop();
        run(MODE_EPT, trace);
        /* And the 5 guest tables the walks read each round (root, PDPT, PD
         * and two PTs): with EPT A/D on, the walker's reads are writes. */
        assert_int_equal(s.stats.dirty_pages, 1210);
        assert_int_equal(s.stats.dirty_extra, 10);
        assert_int_equal(s.stats.exit_pml_full, 2); /* 600 pages a round: one full buffer each */
        assert_int_equal(s.stats.dirty_exits, 2);
}

/* Host 2M pages under EPT: shorter nested walks, 2M TLB entries for guest
 * 2M pages, and coarse dirty logging that over-reports. */
static void test_host_large_pages(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        cfg.host_large = true;
        cfg.pwc = false;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x40000000->0x40000000 2M\nW 0x40000000\nDIRTY_LOG start\n"
                 "W 0x40001000\nW 0x40005000\nR 0x40009000\nDIRTY_LOG sync\n");
        assert_int_equal(s.stats.ept_violations, 2); /* the tables' 2M, the data's 2M */
        assert_int_equal(s.stats.tlb_hits, 2);       /* one 2M TLB entry serves both */
        assert_int_equal(find_kind(&rec, 0, EV_ACCESS) < rec.n, 1);
        assert_int_equal(rec.ev[find_kind(&rec, 0, EV_ACCESS)].refs, (2 + 1) * (3 + 1) + 3);
        /* Two pages written; reported: their 2M page and the 2M page of the
         * guest tables the walks read. */
        const struct event *sync = last_kind(&rec, EV_DIRTY_LOG);
        assert_int_equal(sync->count, 1024);
        assert_int_equal(sync->refs, 1022);
        assert_int_equal(s.stats.dirty_extra, 1022);
        stop();
        cfg.host_large = false;
        begin(&cfg);
        feed(&s, "PT_WRITE 0x40000000->0x40000000 2M\nW 0x40000000\nDIRTY_LOG start\n"
                 "W 0x40001000\nW 0x40005000\nR 0x40009000\nDIRTY_LOG sync\n");
        /* The two pages, and the root, PDPT and PD the walk read. */
        assert_int_equal(last_kind(&rec, EV_DIRTY_LOG)->count, 5);
        assert_int_equal(s.stats.dirty_extra, 3);
}

/* Page-walk caches shrink the walks of neighbouring misses. */
static void test_page_walk_cache(void **state)
{
        (void)state;
        const char *t = "PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\nR 0x1000\nR 0x2000\n"
                        "TLB_FLUSH\nR 0x1000\nR 0x2000\n";
        enum mmu_mode modes[] = {MODE_NATIVE, MODE_SHADOW, MODE_EPT};
        uint32_t warm[] = {1, 1, 3};
        for (int i = 0; i < 3; i++) {
                struct sim_config cfg = config_for(modes[i]);
                cfg.pwc = true;
                begin(&cfg);
                feed(&s, t);
                const struct event *a = last_kind(&rec, EV_ACCESS);
                if (a->refs != warm[i])
                        fail_msg("%s: %u refs with a warm PWC", mode_name(modes[i]), a->refs);
                /* Right after a flush the guest dimension walks in full again;
                 * the nested dimension keeps its cache (tagged by VPID/EPTP):
                 * 4 guest entries + 5 one-reference nested walks = 9. */
                size_t first = find_kind(&rec, find_kind(&rec, 0, EV_TLB_FLUSH), EV_ACCESS);
                assert_int_equal(rec.ev[first].refs, modes[i] == MODE_EPT ? 9 : 4);
                stop();
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_guest_tables_in_guest_memory, teardown),
            cmocka_unit_test_teardown(test_pt_write_updates_shadow, teardown),
            cmocka_unit_test_teardown(test_unshadowed_table_does_not_trap, teardown),
            cmocka_unit_test_teardown(test_conflicting_mapping, teardown),
            cmocka_unit_test_teardown(test_cr3_switch_shares_kernel_tables, teardown),
            cmocka_unit_test_teardown(test_cr3_and_invlpg_exits, teardown),
            cmocka_unit_test_teardown(test_shadow_root_cache, teardown),
            cmocka_unit_test_teardown(test_walk_references, teardown),
            cmocka_unit_test_teardown(test_ept_violations, teardown),
            cmocka_unit_test_teardown(test_guest_page_faults, teardown),
            cmocka_unit_test_teardown(test_dirty_bit_emulation, teardown),
            cmocka_unit_test_teardown(test_write_flooding, teardown),
            cmocka_unit_test_teardown(test_out_of_sync, teardown),
            cmocka_unit_test_teardown(test_kvm_today_emulation, teardown),
            cmocka_unit_test_teardown(test_stale_shadow_gpa, teardown),
            cmocka_unit_test_teardown(test_agile_switches, teardown),
            cmocka_unit_test_teardown(test_large_shadow_entries, teardown),
            cmocka_unit_test_teardown(test_round_robin_warm, teardown),
            cmocka_unit_test_teardown(test_user_supervisor, teardown),
            cmocka_unit_test_teardown(test_invlpg_large_page, teardown),
            cmocka_unit_test_teardown(test_large_page_rights, teardown),
            cmocka_unit_test_teardown(test_eager, teardown),
            cmocka_unit_test_teardown(test_large_page, teardown),
            cmocka_unit_test_teardown(test_page_crossing, teardown),
            cmocka_unit_test_teardown(test_dirty_logging, teardown),
            cmocka_unit_test_teardown(test_page_walk_cache, teardown),
            cmocka_unit_test_teardown(test_host_large_pages, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
