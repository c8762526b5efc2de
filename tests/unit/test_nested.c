/*
 * test_nested.c - nested paging where the hardware takes it: EPT
 * violations at the guest's stores into fresh tables, --prealloc, the PML
 * buffer (512 entries, full on the 513th, drained by every exit), EPT A/D
 * on guest paging structures, 2M host pages, and host memory's bijection.
 */
#include "harness.h"

#include "hostmem.h"

static struct sim s;
static struct recorder rec;

static void begin(const struct sim_config *cfg)
{
        start(&s, cfg, &rec);
}

static int teardown(void **state)
{
        (void)state;
        finish(&s, &rec);
        return 0;
}

/* Index of the first exit of reason at or after from, or rec.n. */
static size_t find_exit(size_t from, enum exit_reason reason)
{
        for (size_t i = from; i < rec.n; i++)
                if (rec.ev[i].kind == EV_VM_EXIT && rec.ev[i].reason == reason)
                        return i;
        return rec.n;
}

/* A guest store into a table frame the host has not backed takes its EPT
 * violation at the store: exit, map, then the store. The walk that follows
 * finds every table mapped and violates on the data frame only. */
static void test_violation_at_store(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\n");
        /* Root, PDPT, PD and PT: each stored into once, each fresh. */
        assert_int_equal(s.stats.ept_violations, 4);
        size_t link = find_kind(&rec, 0, EV_PT_LINK);
        assert_true(link >= 2);
        assert_int_equal(rec.ev[link - 2].kind, EV_VM_EXIT);
        assert_int_equal(rec.ev[link - 2].reason, EXIT_EPT_VIOLATION);
        assert_int_equal(rec.ev[link - 2].gpa, rec.ev[link].table_gpa);
        assert_int_equal(rec.ev[link - 1].kind, EV_EPT_MAP);
        assert_int_equal(rec.ev[link - 1].detail, DETAIL_AT_STORE);
        size_t leaf = find_kind(&rec, 0, EV_PT_WRITE);
        assert_int_equal(rec.ev[leaf - 2].gpa, rec.ev[leaf].table_gpa); /* the PT's own */
        size_t before = rec.n;
        feed(&s, "R 0x1000\n");
        assert_int_equal(s.stats.ept_violations, 5);
        size_t exit = find_exit(before, EXIT_EPT_VIOLATION);
        assert_int_equal(rec.ev[exit].gpa, 0x5000);
        /* A second store into a backed table: no exit. */
        before = s.stats.exits;
        feed(&s, "PT_WRITE 0x2000->0x6000\n");
        assert_int_equal(s.stats.exits, before);
}

/* --prealloc: no violation ever, under any access pattern; walks cost what
 * they cost on a warm host; host memory knows every frame backed without
 * recording any. */
static void test_prealloc(void **state)
{
        (void)state;
        const char *trace = "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x40000000->0x40000000 "
                            "2M\nW 0x40001000\nCR3 1\nPT_WRITE 0x1000->0x9000\nW 0x1000\n";
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                cfg.prealloc = true;
                cfg.pwc = false; /* the textbook counts */
                begin(&cfg);
                feed(&s, trace);
                assert_int_equal(s.stats.ept_violations, 0);
                assert_int_equal(count_kind(&rec, EV_EPT_MAP), 0);
                assert_int_equal(hostmem_backed_frames(&s.host), s.guest.mem_frames);
                assert_true(hostmem_is_backed(&s.host, s.guest.mem_frames - 1));
                assert_false(hostmem_back(&s.host, 12345));
                assert_int_equal(s.host.backed.count, 0); /* "all backed" is one flag */
                if (mode == MODE_EPT) {
                        assert_int_equal(s.stats.exits, 0);
                        size_t a = find_kind(&rec, 0, EV_ACCESS);
                        assert_int_equal(rec.ev[a].refs, 24);
                        assert_int_equal(rec.ev[a].nested_refs, 20);
                }
                finish(&s, &rec);
        }
        /* Without it the same trace violates on every fresh frame. */
        struct sim_config cfg = config_for(MODE_EPT);
        begin(&cfg);
        feed(&s, trace);
        assert_true(s.stats.ept_violations > 5);
        assert_int_equal(hostmem_backed_frames(&s.host), s.stats.ept_violations);
}

/* Writes "W gva" for n pages from first (mapped beforehand by map_pages). */
static size_t write_pages(char *buf, size_t size, uint64_t first, int n)
{
        size_t o = 0;
        for (int i = 0; i < n; i++)
                o += (size_t)snprintf(buf + o, size - o, "W 0x%llx\n",
                                      (unsigned long long)(first + (uint64_t)i * 0x1000));
        return o;
}

/* Maps n pages from gva 0x100000 to gpa 0x100000 and touches each (so the
 * nested entries exist before logging starts). */
static void map_pages(int n)
{
        static char trace[1 << 17];
        size_t o = 0;
        for (int i = 0; i < n; i++)
                o += (size_t)snprintf(trace + o, sizeof trace - o, "PT_WRITE 0x%x->0x%x\n",
                                      0x100000 + i * 0x1000, 0x100000 + i * 0x1000);
        write_pages(trace + o, sizeof trace - o, 0x100000, n);
        feed(&s, trace);
}

/* The PML buffer holds 512 GPAs; the full exit comes when a 513th would
 * be logged, before it is, and the drained buffer then holds it. */
static void test_pml_full_on_513th(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        begin(&cfg);
        map_pages(600);
        static char trace[1 << 16];
        size_t o = (size_t)snprintf(trace, sizeof trace, "DIRTY_LOG start\n");
        write_pages(trace + o, sizeof trace - o, 0x100000, 600);
        size_t from = rec.n;
        feed(&s, trace);
        size_t logged = 0, exit_at = 0;
        for (size_t i = from; i < rec.n; i++) {
                if (rec.ev[i].kind == EV_DIRTY && rec.ev[i].detail == DETAIL_DIRTY_PML)
                        logged++;
                if (rec.ev[i].kind == EV_VM_EXIT && rec.ev[i].reason == EXIT_PML_FULL) {
                        assert_int_equal(exit_at, 0);
                        assert_int_equal(logged, 512);
                        exit_at = i;
                }
        }
        assert_true(exit_at > 0);
        /* After the drain the GPA that was waiting is logged first. */
        size_t next = find_kind(&rec, exit_at, EV_DIRTY);
        assert_int_equal(rec.ev[next].gpa, rec.ev[exit_at].gpa);
        assert_int_equal(rec.ev[exit_at].count, 512);
        /* 600 data pages and the 5 guest tables the walks read (root, PDPT,
         * PD, two PTs), the walker's reads being writes under EPT A/D. */
        assert_int_equal(logged, 605);
        assert_int_equal(s.stats.exit_pml_full, 1);
}

/* KVM drains the buffer on every exit: an EPT violation in the middle of a
 * round empties it, so 600 logged pages around it need no full exit. */
static void test_pml_drained_by_any_exit(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        begin(&cfg);
        map_pages(600);
        static char trace[1 << 16];
        size_t o = (size_t)snprintf(trace, sizeof trace, "DIRTY_LOG start\n");
        o += write_pages(trace + o, sizeof trace - o, 0x100000, 300);
        /* A fresh frame: an EPT violation, and the drain with it. */
        o += (size_t)snprintf(trace + o, sizeof trace - o,
                              "PT_WRITE 0x7000000->0x7000000\nR 0x7000000\n");
        write_pages(trace + o, sizeof trace - o, 0x100000 + 300 * 0x1000, 300);
        uint64_t violations = s.stats.ept_violations;
        feed(&s, trace);
        assert_true(s.stats.ept_violations > violations);
        assert_int_equal(s.stats.exit_pml_full, 0);
        assert_true(s.dirty.gfns.count > PT_ENTRIES + 1); /* more than one buffer's worth */
}

/* EPT A/D: the walker's accesses to guest paging structures are writes, so
 * a read logs the table frames it walked and not the page it read; a
 * second walk through the same (now dirty) tables logs nothing new. */
static void test_walk_dirties_tables(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_EPT);
        begin(&cfg);
        feed(&s, "PT_WRITE 0x1000->0x5000\nPT_WRITE 0x2000->0x6000\nR 0x1000\nR 0x2000\n"
                 "DIRTY_LOG start\n");
        size_t from = rec.n;
        feed(&s, "R 0x1000\n");
        uint64_t logged[8];
        size_t n = 0;
        for (size_t i = from; i < rec.n; i++)
                if (rec.ev[i].kind == EV_DIRTY && n < 8)
                        logged[n++] = rec.ev[i].gpa;
        assert_int_equal(n, 4);
        struct guest_walk w;
        guest_walk(&s.guest, guest_root(&s.guest), 0x1000, &w);
        for (int level = 4; level >= 1; level--)
                assert_int_equal(logged[4 - level], w.table_gfn[level] << PAGE_SHIFT);
        from = rec.n;
        feed(&s, "R 0x2000\nDIRTY_LOG sync\n");
        assert_int_equal(find_kind(&rec, from, EV_DIRTY), rec.n); /* nothing new */
        const struct event *sync = last_kind(&rec, EV_DIRTY_LOG);
        assert_int_equal(sync->count, 4);
        assert_int_equal(sync->refs, 4); /* walked, not written by the guest */
        /* A guest store into a table is a real write: logged, not extra. */
        feed(&s, "PT_WRITE 0x3000->0x7000\nDIRTY_LOG sync\n");
        sync = last_kind(&rec, EV_DIRTY_LOG);
        assert_int_equal(sync->count, 1);
        assert_int_equal(sync->refs, 0);
}

/* Host memory: a bijection; with 2M host pages an HPA keeps the low 21
 * bits of its GPA; with 4K pages frame 5 stays at host frame 0x8A. */
static void test_hostmem_bijection(void **state)
{
        (void)state;
        uint64_t frames = 64 << 8; /* 64M */
        for (int large = 0; large < 2; large++) {
                struct hostmem h;
                hostmem_init(&h, frames, large, false);
                uint8_t *seen = calloc(frames * 2, 1);
                assert_non_null(seen);
                for (uint64_t gfn = 0; gfn < frames; gfn++) {
                        uint64_t hfn = hostmem_hfn(&h, gfn);
                        assert_true(hfn < frames * 2);
                        assert_int_equal(seen[hfn], 0);
                        seen[hfn] = 1;
                        if (large)
                                assert_int_equal(hfn & 511, gfn & 511);
                }
                free(seen);
                if (!large)
                        assert_int_equal(hostmem_hfn(&h, 5), 0x8A);
                assert_true(hostmem_back(&h, 700));
                assert_false(hostmem_back(&h, 700));
                /* A 2M host page backs its 512 frames at once. */
                assert_int_equal(hostmem_back(&h, 701), !large);
                assert_int_equal(hostmem_backed_frames(&h), large ? 512 : 2);
                hostmem_free(&h);
        }
}

/* With 2M host pages every scheme of a run reaches the same HPA for each
 * access, 2M-aligned with its GPA. */
static void test_host_pages_agree(void **state)
{
        (void)state;
        const char *trace = "PT_WRITE 0x1000->0x5000\nR 0x1000\nPT_WRITE 0x40000000->0x40000000 "
                            "2M\nW 0x40123000\nPT_WRITE 0x2000->0x3FF000\nW 0x2000\n";
        uint64_t hpas[MODE_COUNT][8];
        size_t counts[MODE_COUNT];
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                cfg.host_large = true;
                begin(&cfg);
                feed(&s, trace);
                counts[mode] = 0;
                for (size_t i = 0; i < rec.n; i++) {
                        const struct event *ev = &rec.ev[i];
                        if (ev->kind != EV_ACCESS)
                                continue;
                        assert_int_equal(ev->hpa & 0x1FFFFF, ev->gpa & 0x1FFFFF);
                        hpas[mode][counts[mode]++] = ev->hpa;
                }
                assert_int_equal(counts[mode], 3);
                if (mode > 0)
                        assert_memory_equal(hpas[mode], hpas[0], sizeof hpas[0][0] * 3);
                finish(&s, &rec);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_violation_at_store, teardown),
            cmocka_unit_test_teardown(test_prealloc, teardown),
            cmocka_unit_test_teardown(test_pml_full_on_513th, teardown),
            cmocka_unit_test_teardown(test_pml_drained_by_any_exit, teardown),
            cmocka_unit_test_teardown(test_walk_dirties_tables, teardown),
            cmocka_unit_test(test_hostmem_bijection),
            cmocka_unit_test(test_host_pages_agree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
