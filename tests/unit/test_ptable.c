/*
 * test_ptable.c - a page table's entries in the inline, block and dense
 * forms (ptable.h): every read as a 512-entry page would give it, whatever
 * the form, and the heap bytes counted as they change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ptable.h"

/* Every entry of t equals page's, the count is page's, and iteration
 * visits exactly the non-zero entries of page in index order. */
static void assert_same(const struct ptable *t, const uint64_t *page)
{
        unsigned n = 0;
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
                assert_int_equal(ptable_get(t, i), page[i]);
                n += page[i] != 0;
        }
        assert_int_equal(ptable_count(t), n);
        unsigned want = 0, seen = 0;
        for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1)) {
                while (!page[want])
                        want++;
                assert_int_equal(i, want++);
                seen++;
        }
        assert_int_equal(seen, n);
}

static void test_empty_reads_zero(void **state)
{
        (void)state;
        struct ptable t = PTABLE_EMPTY;
        uint64_t page[PT_ENTRIES] = {0};
        assert_same(&t, page);
        assert_int_equal(ptable_next(&t, 0), PT_ENTRIES);
        assert_int_equal(ptable_bytes(&t), 0);
        assert_null(ptable_slot(&t, 0));
        size_t heap = 0;
        ptable_set(&t, 7, 0, &heap); /* clearing what is not there: nothing */
        assert_int_equal(ptable_count(&t), 0);
        assert_int_equal(heap, 0);
}

/* Two entries stay inside the struct, index 0 among them; a third moves
 * them to a block. */
static void test_inline_then_block(void **state)
{
        (void)state;
        struct ptable t = PTABLE_EMPTY;
        uint64_t page[PT_ENTRIES] = {0};
        size_t heap = 0;
        ptable_set(&t, 300, page[300] = 0x5003, &heap);
        ptable_set(&t, 0, page[0] = 0x1003, &heap);
        assert_same(&t, page);
        assert_int_equal(t.cap, 0);
        assert_int_equal(heap, 0);
        assert_int_equal(ptable_next(&t, 1), 300);
        ptable_set(&t, 5, page[5] = 0x2003, &heap);
        assert_same(&t, page);
        assert_int_equal(t.cap, 4);
        assert_true(heap > 0);
        assert_int_equal(heap, ptable_bytes(&t));
        /* Emptied, the block goes; the inline slots it leaves read as 0,
         * index 0 included. */
        ptable_set(&t, 0, page[0] = 0, &heap);
        ptable_set(&t, 5, page[5] = 0, &heap);
        ptable_set(&t, 300, page[300] = 0, &heap);
        assert_same(&t, page);
        assert_int_equal(heap, 0);
        assert_null(t.val);
        ptable_set(&t, 9, page[9] = 0x9003, &heap);
        ptable_set(&t, 5, page[5] = 0x5003, &heap);
        ptable_set(&t, 9, page[9] = 0, &heap);
        assert_same(&t, page);
        ptable_set(&t, 5, page[5] = 0, &heap);
        assert_same(&t, page);
}

/* Entries set in a scattered order grow the block 4, 8, 16, 32; the 33rd
 * makes the table dense, and it stays dense when emptied. */
static void test_sparse_to_dense(void **state)
{
        (void)state;
        struct ptable t = PTABLE_EMPTY;
        uint64_t page[PT_ENTRIES] = {0};
        size_t heap = 0;
        for (unsigned k = 0; k < PTABLE_SPARSE_MAX; k++) {
                unsigned i = (k * 97 + 11) % PT_ENTRIES; /* distinct for k < 512 */
                ptable_set(&t, i, page[i] = pte_make(k + 1, PTE_P), &heap);
                assert_same(&t, page);
                assert_int_equal(heap, ptable_bytes(&t));
        }
        assert_int_equal(t.cap, PTABLE_SPARSE_MAX);
        size_t sparse = heap;
        assert_true(sparse < PT_ENTRIES * sizeof(uint64_t) / 8);
        ptable_set(&t, 511, page[511] = 0xABC003, &heap);
        assert_int_equal(t.cap, PTABLE_DENSE);
        assert_same(&t, page);
        assert_true(heap >= PT_ENTRIES * sizeof(uint64_t));
        assert_int_equal(heap, ptable_bytes(&t));
        for (unsigned i = 0; i < PT_ENTRIES; i++)
                ptable_set(&t, i, page[i] = 0, &heap);
        assert_same(&t, page);
        assert_int_equal(t.cap, PTABLE_DENSE);
        ptable_free(&t, &heap);
        assert_int_equal(heap, 0);
}

/* A slot changes the entry in place, in every form. */
static void test_slot_changes_in_place(void **state)
{
        (void)state;
        unsigned counts[] = {1, 2, 3, 20, 40};
        for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                struct ptable t = PTABLE_EMPTY;
                uint64_t page[PT_ENTRIES] = {0};
                for (unsigned k = 0; k < counts[c]; k++)
                        ptable_set(&t, 10 + 3 * k, page[10 + 3 * k] = PTE_P | (k << 12), NULL);
                for (unsigned k = 0; k < counts[c]; k++) {
                        uint64_t *e = ptable_slot(&t, 10 + 3 * k);
                        assert_non_null(e);
                        *e |= PTE_A;
                        page[10 + 3 * k] |= PTE_A;
                }
                assert_null(ptable_slot(&t, 11));
                assert_same(&t, page);
                ptable_free(&t, NULL);
        }
}

/* Clearing the entry a loop is at, or one further on, keeps the loop on
 * the remaining entries in order. */
static void test_iteration_while_clearing(void **state)
{
        (void)state;
        struct ptable t = PTABLE_EMPTY;
        for (unsigned i = 0; i < 12; i++)
                ptable_set(&t, i * 40, PTE_P, NULL);
        unsigned visited[12], n = 0;
        for (unsigned i = ptable_next(&t, 0); i < PT_ENTRIES; i = ptable_next(&t, i + 1)) {
                visited[n++] = i;
                ptable_set(&t, i, 0, NULL);
                if (i == 80)
                        ptable_set(&t, 120, 0, NULL); /* skipped from now on */
        }
        assert_int_equal(n, 11);
        for (unsigned k = 0, want = 0; k < n; k++, want += 40) {
                if (want == 120)
                        want += 40;
                assert_int_equal(visited[k], want);
        }
        assert_int_equal(ptable_count(&t), 0);
        ptable_free(&t, NULL);
}

/* A clone is independent, reads the same, and takes the form its count
 * calls for: a dense table of few entries comes out sparse and smaller. */
static void test_clone(void **state)
{
        (void)state;
        struct ptable t = PTABLE_EMPTY;
        uint64_t page[PT_ENTRIES] = {0};
        for (unsigned i = 0; i < 100; i++)
                ptable_set(&t, i, page[i] = PTE_P | ((uint64_t)i << 12), NULL);
        for (unsigned i = 0; i < 95; i++)
                ptable_set(&t, i, page[i] = 0, NULL);
        assert_int_equal(t.cap, PTABLE_DENSE);
        size_t heap = 0;
        struct ptable c;
        ptable_clone(&c, &t, &heap);
        assert_same(&c, page);
        assert_int_equal(c.cap, 8); /* 5 entries: a block of 8 slots */
        assert_int_equal(heap, ptable_bytes(&c));
        assert_true(heap < ptable_bytes(&t));
        ptable_set(&c, 99, 0, &heap);
        ptable_set(&c, 200, PTE_P, &heap);
        assert_same(&t, page);
        ptable_free(&t, NULL);
        page[99] = 0;
        page[200] = PTE_P;
        assert_same(&c, page);
        ptable_free(&c, &heap);
        assert_int_equal(heap, 0);

        struct ptable e = PTABLE_EMPTY, ce;
        ptable_clone(&ce, &e, &heap);
        assert_int_equal(ptable_count(&ce), 0);
        assert_int_equal(heap, 0);
}

/* Random sets and clears against a plain page: reads, order, counts and
 * heap bytes agree after every step, through every form, and so does a
 * clone taken along the way. */
static void test_random_against_a_page(void **state)
{
        (void)state;
        uint64_t rng = 0x9E3779B97F4A7C15u;
        for (unsigned round = 0; round < 40; round++) {
                struct ptable t = PTABLE_EMPTY;
                uint64_t page[PT_ENTRIES] = {0};
                size_t heap = 0;
                unsigned span = round % 2 ? 64 : PT_ENTRIES; /* clustered or spread */
                for (unsigned step = 0; step < 400; step++) {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        unsigned i = (unsigned)(rng % span);
                        uint64_t e = (rng >> 20) % 3 == 0 ? 0 : (rng | PTE_P);
                        ptable_set(&t, i, e, &heap);
                        page[i] = e;
                        assert_int_equal(heap, ptable_bytes(&t));
                        if (step % 50 == 0)
                                assert_same(&t, page);
                }
                assert_same(&t, page);
                struct ptable c;
                size_t cheap = 0;
                ptable_clone(&c, &t, &cheap);
                assert_same(&c, page);
                assert_int_equal(cheap, ptable_bytes(&c));
                ptable_free(&c, NULL);
                ptable_free(&t, &heap);
                assert_int_equal(heap, 0);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty_reads_zero),
            cmocka_unit_test(test_inline_then_block),
            cmocka_unit_test(test_sparse_to_dense),
            cmocka_unit_test(test_slot_changes_in_place),
            cmocka_unit_test(test_iteration_while_clearing),
            cmocka_unit_test(test_clone),
            cmocka_unit_test(test_random_against_a_page),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
