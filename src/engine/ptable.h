/*
 * ptable.h - the 512 entries of one page table, stored by how many are set.
 *
 * Every table of the model (the guest's, the shadow tables, the nested
 * table) is a 4 KiB page of 512 eight-byte entries, as on x86-64 (pte.h).
 * Most hold a few: the tables above a process's leaves hold a link or two,
 * and a trace of many address spaces builds a root, a PDPT, a PD and a PT
 * of one entry each for every space. Storing each as 4 KiB made such a
 * trace cost 4 KiB a table (gigabytes for 200,000 spaces), so a table is
 * kept in the form its count of non-zero entries calls for:
 *
 * - sparse: up to PTABLE_SPARSE_MAX entries, as (index, entry) pairs in
 *   slots sorted by index: the first PTABLE_INLINE slots inside the struct
 *   itself (a table of one or two entries, as most upper-level tables are,
 *   takes no heap at all), then a block of 4, 8, 16 or 32 slots;
 * - dense: past that, the 512 entries in index order, as the page holds
 *   them. A dense table stays dense when its entries are cleared, until it
 *   is cloned or freed (a clone takes the form its count calls for).
 *
 * Reading an entry a sparse table does not hold gives 0, as the page would.
 * This is storage only: every entry reads as the 4 KiB page would hold it,
 * so no count, log line or view depends on the form. A read is one load on
 * a dense table, two compares on an inline one and, on a block, a guess
 * (the slot a run of consecutive indices puts it in) and else a binary
 * search of at most 32 keys; iteration goes through the non-zero entries
 * in index order in every form.
 *
 * The bytes a table takes on the heap are counted by its owner (the guest,
 * the shadow pages, the nested table) through the heap counter that every
 * function that changes the form is given, so the memory budget (sim_mem.h)
 * reads one number instead of walking every table.
 */
#ifndef SHADOW_SIM_PTABLE_H
#define SHADOW_SIM_PTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "pte.h"

/* Slots inside the struct, for the tables of a sparse form without a
 * block. */
#define PTABLE_INLINE 2
_Static_assert(PTABLE_INLINE == 2, "ptable_find tries the second inline slot by name");

/* The most entries a sparse table holds; one more makes it dense. At 32
 * slots a block takes 320 bytes against a page's 4096. */
#define PTABLE_SPARSE_MAX 32

/* cap of a dense table. */
#define PTABLE_DENSE UINT16_MAX

struct ptable {
        uint64_t *val;               /* dense: PT_ENTRIES entries; a block: cap
                                        entries, then their cap keys (uint16_t) */
        uint64_t inl[PTABLE_INLINE]; /* without a block: the entries of the slots */
        uint16_t key[PTABLE_INLINE]; /* without a block: the indices of the slots */
        uint16_t n;                  /* entries that are not 0 */
        uint16_t cap;                /* 0: no block (the inline slots); slots of
                                        the block; PTABLE_DENSE */
};

/* An empty table (as is a zeroed struct). Slots past n hold index 0 and
 * entry 0, which reads as the 0 an empty slot stands for. */
#define PTABLE_EMPTY ((struct ptable){0})

/* The entries of a sparse table's slots. */
static inline const uint64_t *ptable_vals(const struct ptable *t)
{
        return t->cap ? t->val : t->inl;
}

/* The indices of a sparse table's slots, ascending. */
static inline const uint16_t *ptable_keys(const struct ptable *t)
{
        return t->cap ? (const uint16_t *)(t->val + t->cap) : t->key;
}

/* The slot of a block that holds index, or -1: a search (ptable.c). */
int ptable_block_find(const struct ptable *t, unsigned index);

/* The slot of the sparse t that holds index, or -1. The indices of a
 * table's entries mostly come in runs (pages mapped one after the other),
 * so the slot as far from the first as index is from the first index is
 * tried before a search. */
static inline int ptable_find(const struct ptable *t, unsigned index)
{
        const uint16_t *keys = ptable_keys(t);
        unsigned guess = index - keys[0]; /* wraps to a large value below the first */
        if (guess < t->n && keys[guess] == index)
                return (int)guess;
        if (!t->cap) /* the other inline slot */
                return t->n == PTABLE_INLINE && keys[1] == index ? 1 : -1;
        return ptable_block_find(t, index);
}

/* Entry index (below PT_ENTRIES) of t: 0 when it holds none there. */
static inline uint64_t ptable_get(const struct ptable *t, unsigned index)
{
        if (t->cap == PTABLE_DENSE)
                return t->val[index];
        if (!t->cap) {
                /* An empty slot (index 0, entry 0) reads as 0 for any index;
                 * slot 0 is asked last, as it may hold index 0 itself. */
                uint64_t e = t->key[1] == index ? t->inl[1] : 0;
                return t->key[0] == index ? t->inl[0] : e;
        }
        int k = ptable_find(t, index);
        return k < 0 ? 0 : t->val[k];
}

/* Sets entry index of t to e (0 clears it), moving t to a block when its
 * inline slots are full and to the dense form when it outgrows
 * PTABLE_SPARSE_MAX; adds the change of its heap bytes to *heap (heap may
 * be NULL). Ends the process when memory runs out, as every allocation of
 * the engine does (xalloc.h). */
void ptable_set(struct ptable *t, unsigned index, uint64_t e, size_t *heap);

/* Where the non-zero entry index of t is stored, for a change in place to
 * another non-zero value (the walker's A and D bits); NULL when the entry
 * is 0. Valid until t is next set, cloned from or freed. */
static inline uint64_t *ptable_slot(struct ptable *t, unsigned index)
{
        if (t->cap == PTABLE_DENSE)
                return t->val[index] ? &t->val[index] : NULL;
        int k = ptable_find(t, index);
        return k < 0 ? NULL : t->cap ? &t->val[k] : &t->inl[k];
}

/* The lowest index at or above from whose entry is not 0, or PT_ENTRIES
 * when there is none: for (i = ptable_next(t, 0); i < PT_ENTRIES;
 * i = ptable_next(t, i + 1)) visits every non-zero entry in index order,
 * and stays right when the loop sets or clears the entry it is at. */
unsigned ptable_next(const struct ptable *t, unsigned from);

/* Entries of t that are not 0. */
static inline unsigned ptable_count(const struct ptable *t)
{
        return t->n;
}

/* Bytes of heap t takes (its block, with the allocator's header and
 * rounding), beyond the struct itself. */
size_t ptable_bytes(const struct ptable *t);

/* Makes dst (not initialised) an independent copy of src in the form its
 * count calls for (a dense table of few entries is copied sparse, a block
 * with no spare slots beyond a multiple of 4); adds dst's heap bytes to
 * *heap (heap may be NULL). */
void ptable_clone(struct ptable *dst, const struct ptable *src, size_t *heap);

/* Frees t's block and leaves it empty; subtracts its bytes from *heap
 * (heap may be NULL: nobody counts, its owner is being freed). */
void ptable_free(struct ptable *t, size_t *heap);

#endif
