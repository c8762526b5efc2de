/*
 * test_tlb.c - the set-associative LRU TLB.
 */
#include "harness.h"

#include "tlb.h"

static unsigned slot;
static struct tlb_entry evicted;

/* Caches a level-sized piece of a guest page of page_level. */
static bool fill(struct tlb *t, uint32_t asid, uint64_t gva, int level, int page_level,
                 uint64_t gfn)
{
        struct tlb_fill_req req = {.gva = gva,
                                   .gfn = gfn,
                                   .hfn = gfn + 100,
                                   .perm = PTE_W,
                                   .asid = asid,
                                   .level = level,
                                   .page_level = page_level};
        bool evicts;
        slot = tlb_slot_for(t, &req, &evicts);
        if (evicts)
                evicted = t->e[slot];
        tlb_fill_at(t, slot, &req);
        return evicts;
}

static bool fill4k(struct tlb *t, uint32_t asid, uint64_t gva, uint64_t gfn)
{
        return fill(t, asid, gva, 1, 1, gfn);
}

static void test_hit_miss_and_lru(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 2, 2, false);
        /* Pages 0, 2, 4 all index set 0 of 2 sets. */
        assert_false(fill4k(&t, 0, 0x0000, 1));
        assert_false(fill4k(&t, 0, 0x2000, 2));
        assert_non_null(tlb_lookup(&t, 0, 0x0123)); /* touch page 0: page 2 is now LRU */
        assert_true(fill4k(&t, 0, 0x4000, 3));
        assert_int_equal(evicted.vpn, 2);
        assert_null(tlb_lookup(&t, 0, 0x2000));
        assert_non_null(tlb_lookup(&t, 0, 0x0000));
        assert_non_null(tlb_lookup(&t, 0, 0x4fff));
        assert_null(tlb_lookup(&t, 0, 0x1000)); /* set 1 is empty */
        assert_int_equal(tlb_count(&t), 2);
        tlb_free(&t);
}

static void test_pcid_tags_and_flushes(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 16, 4, true);
        fill4k(&t, 1, 0x1000, 5);
        fill4k(&t, 2, 0x1000, 6);
        assert_int_equal(tlb_lookup(&t, 1, 0x1000)->gfn, 5);
        assert_int_equal(tlb_lookup(&t, 2, 0x1000)->gfn, 6);
        assert_int_equal(tlb_invlpg(&t, 1, 0x1000), 1);
        assert_null(tlb_lookup(&t, 1, 0x1000));
        assert_non_null(tlb_lookup(&t, 2, 0x1000));
        assert_int_equal(tlb_flush(&t), 1);
        assert_int_equal(tlb_count(&t), 0);
        tlb_free(&t);

        tlb_init(&t, 16, 4, false); /* without PCID every entry is asid 0 */
        fill4k(&t, 1, 0x1000, 5);
        assert_non_null(tlb_lookup(&t, 7, 0x1000));
        tlb_free(&t);
}

static void test_large_pages(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 16, 4, false);
        fill(&t, 0, 0x200000, 2, 2, 0x400);
        struct tlb_entry *e = tlb_lookup(&t, 0, 0x3FF123);
        assert_non_null(e);
        assert_int_equal(e->level, 2);
        assert_int_equal(tlb_entry_gva(e), 0x200000);
        assert_null(tlb_lookup(&t, 0, 0x400000));
        assert_int_equal(tlb_invlpg(&t, 0, 0x250000), 1);
        tlb_free(&t);
}

/* SDM 4.10.4.1: INVLPG of any address of a large page cached in 4K pieces
 * drops every piece, and nothing outside the page. */
static void test_invlpg_drops_every_piece(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 16, 4, false);
        fill(&t, 0, 0x200000, 1, 2, 0x400);
        fill(&t, 0, 0x201000, 1, 2, 0x401);
        fill(&t, 0, 0x3FF000, 1, 2, 0x5FF);
        fill4k(&t, 0, 0x400000, 7);
        assert_int_equal(tlb_invlpg(&t, 0, 0x250000), 3);
        assert_null(tlb_lookup(&t, 0, 0x201000));
        assert_null(tlb_lookup(&t, 0, 0x3FF000));
        assert_non_null(tlb_lookup(&t, 0, 0x400000));
        tlb_free(&t);
}

/* A range drop removes what overlaps the range in one address space, or
 * in all of them, by probing or by scanning alike. */
static void test_drop_range(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 1, 2, true);
        fill(&t, 1, 0x200000, 2, 2, 0x400);
        fill4k(&t, 2, 0x201000, 9);
        assert_int_equal(tlb_drop_range(&t, 1, false, 0x200000, 0x200000), 1);
        assert_non_null(tlb_lookup(&t, 2, 0x201000));
        /* 1G is more 4K pages than this TLB has entries: a scan. */
        assert_int_equal(tlb_drop_range(&t, 1, true, 0, UINT64_C(1) << 30), 1);
        assert_int_equal(tlb_count(&t), 0);
        tlb_free(&t);
}

static void test_stale_marking(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 16, 4, false);
        fill4k(&t, 0, 0x1000, 5);
        fill4k(&t, 0, 0x2000, 6);
        /* Same frame and permissions: not stale. */
        tlb_mark_stale(&t, 0, false, 0x1000, 0x1000, pte_make(5, PTE_P | PTE_W), 0);
        assert_false(tlb_lookup(&t, 0, 0x1000)->stale);
        /* Another frame: stale; the neighbour untouched. */
        tlb_mark_stale(&t, 0, false, 0x1000, 0x1000, pte_make(9, PTE_P | PTE_W), 0);
        assert_true(tlb_lookup(&t, 0, 0x1000)->stale);
        assert_false(tlb_lookup(&t, 0, 0x2000)->stale);
        /* Write permission removed: stale. */
        tlb_mark_stale(&t, 0, false, 0x2000, 0x1000, pte_make(6, PTE_P), 0);
        assert_true(tlb_lookup(&t, 0, 0x2000)->stale);
        tlb_free(&t);
}

/* The slot a page's hint names is checked, never trusted: pages that
 * share a hint alternate, an entry dropped or replaced under its hint is
 * not found, and a page found again through the set scan. */
static void test_hint_is_only_a_hint(void **state)
{
        (void)state;
        struct tlb t;
        tlb_init(&t, 2, 4, false);
        /* Pages 1 and 1 + TLB_HINTS share a hint (and here a set). */
        uint64_t a = 0x1000, b = a + ((uint64_t)TLB_HINTS << PAGE_SHIFT);
        fill4k(&t, 0, a, 5);
        fill4k(&t, 0, b, 6);
        for (int i = 0; i < 4; i++) {
                assert_int_equal(tlb_lookup(&t, 0, a)->gfn, 5);
                assert_int_equal(tlb_lookup(&t, 0, b)->gfn, 6);
        }
        uint64_t ticks = t.tick;
        assert_int_equal(tlb_find_4k(&t, 0, a >> PAGE_SHIFT)->gfn, 5);
        assert_int_equal(t.tick, ticks); /* looking is no hit */
        assert_int_equal(tlb_invlpg(&t, 0, a), 1);
        assert_null(tlb_lookup(&t, 0, a)); /* its hint names a free slot now */
        assert_int_equal(tlb_lookup(&t, 0, b)->gfn, 6);
        /* The set full of other pages: a's old slot is reused by one. */
        for (uint64_t p = 3; p < 3 + 2 * 4; p += 2)
                fill4k(&t, 0, p << PAGE_SHIFT, p);
        assert_null(tlb_lookup(&t, 0, a));
        fill4k(&t, 0, a, 7);
        assert_int_equal(tlb_lookup(&t, 0, a)->gfn, 7);
        /* Another address space's entry is not this one's (with PCID). */
        tlb_free(&t);
        tlb_init(&t, 2, 4, true);
        fill4k(&t, 1, a, 5);
        assert_non_null(tlb_lookup(&t, 1, a));
        assert_null(tlb_lookup(&t, 2, a));
        tlb_free(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_hint_is_only_a_hint),
            cmocka_unit_test(test_hit_miss_and_lru),
            cmocka_unit_test(test_pcid_tags_and_flushes),
            cmocka_unit_test(test_large_pages),
            cmocka_unit_test(test_invlpg_drops_every_piece),
            cmocka_unit_test(test_drop_range),
            cmocka_unit_test(test_stale_marking),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
