/*
 * ptable.c - one page table's entries, sparse or dense (see ptable.h).
 */
#include "ptable.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Slots of a sparse table. */
static unsigned slots(const struct ptable *t)
{
        return t->cap ? t->cap : PTABLE_INLINE;
}

static uint64_t *vals(struct ptable *t)
{
        return t->cap ? t->val : t->inl;
}

static uint16_t *keys(struct ptable *t)
{
        return t->cap ? (uint16_t *)(t->val + t->cap) : t->key;
}

/* Bytes of a block of cap slots: the entries, then the keys. */
static size_t block_size(unsigned cap)
{
        return cap * (sizeof(uint64_t) + sizeof(uint16_t));
}

/* What a block of size bytes takes on the heap: glibc's malloc adds an
 * 8-byte header, rounds to 16 bytes and hands out 32 at least. */
static size_t heap_size(size_t size)
{
        size_t chunk = (size + 8 + 15) & ~(size_t)15;
        return chunk < 32 ? 32 : chunk;
}

size_t ptable_bytes(const struct ptable *t)
{
        if (t->cap == PTABLE_DENSE)
                return heap_size(PT_ENTRIES * sizeof(uint64_t));
        return t->cap ? heap_size(block_size(t->cap)) : 0;
}

/* The entries of a sparse table below index: the slot index has or would
 * take. */
static unsigned rank(const struct ptable *t, unsigned index)
{
        const uint16_t *k = ptable_keys(t);
        unsigned lo = 0, n = t->n;
        while (n > 1) { /* the answer is in [lo, lo + n] */
                unsigned half = n / 2;
                lo = k[lo + half - 1] < index ? lo + half : lo;
                n -= half;
        }
        return lo + (n == 1 && k[lo] < index);
}

/* Moves the sparse t's entries into a new block of cap slots. */
static void to_block(struct ptable *t, unsigned cap)
{
        uint64_t *val = xmalloc(block_size(cap));
        uint16_t *key = (uint16_t *)(val + cap);
        memcpy(val, ptable_vals(t), t->n * sizeof *val);
        memcpy(key, ptable_keys(t), t->n * sizeof *key);
        unsigned n = t->n;
        ptable_free(t, NULL);
        t->val = val;
        t->n = (uint16_t)n;
        t->cap = (uint16_t)cap;
}

/* Makes the sparse t dense. */
static void to_dense(struct ptable *t)
{
        uint64_t *val = xcalloc(PT_ENTRIES, sizeof *val);
        for (unsigned k = 0; k < t->n; k++)
                val[ptable_keys(t)[k]] = ptable_vals(t)[k];
        unsigned n = t->n;
        ptable_free(t, NULL);
        t->val = val;
        t->n = (uint16_t)n;
        t->cap = PTABLE_DENSE;
}

/* Inserts e at index into the sparse t, which holds no entry there. */
static void insert(struct ptable *t, unsigned index, uint64_t e)
{
        if (t->n == slots(t)) {
                if (t->n == PTABLE_SPARSE_MAX) {
                        to_dense(t);
                        t->val[index] = e;
                        t->n++;
                        return;
                }
                unsigned cap = t->cap ? 2u * t->cap : 2u * PTABLE_INLINE;
                to_block(t, cap < PTABLE_SPARSE_MAX ? cap : PTABLE_SPARSE_MAX);
        }
        unsigned r = rank(t, index);
        uint64_t *v = vals(t);
        uint16_t *k = keys(t);
        memmove(v + r + 1, v + r, (t->n - r) * sizeof *v);
        memmove(k + r + 1, k + r, (t->n - r) * sizeof *k);
        v[r] = e;
        k[r] = (uint16_t)index;
        t->n++;
}

/* Removes the entry of slot r from the sparse t, leaving the slot past
 * the last one empty (index 0, entry 0); the last entry of a block frees
 * it. */
static void erase(struct ptable *t, unsigned r)
{
        uint64_t *v = vals(t);
        uint16_t *k = keys(t);
        memmove(v + r, v + r + 1, (t->n - r - 1) * sizeof *v);
        memmove(k + r, k + r + 1, (t->n - r - 1) * sizeof *k);
        t->n--;
        v[t->n] = 0;
        k[t->n] = 0;
        if (t->cap && !t->n)
                ptable_free(t, NULL);
}

void ptable_set(struct ptable *t, unsigned index, uint64_t e, size_t *heap)
{
        if (t->cap == PTABLE_DENSE) {
                t->n = (uint16_t)(t->n - (t->val[index] != 0) + (e != 0));
                t->val[index] = e;
                return;
        }
        unsigned r = rank(t, index);
        bool held = r < t->n && ptable_keys(t)[r] == index;
        if (held && e) {
                vals(t)[r] = e;
                return;
        }
        if (!held && !e)
                return;
        size_t before = ptable_bytes(t);
        if (held)
                erase(t, r);
        else
                insert(t, index, e);
        if (heap)
                *heap = *heap - before + ptable_bytes(t);
}

int ptable_block_find(const struct ptable *t, unsigned index)
{
        unsigned r = rank(t, index);
        return r < t->n && ptable_keys(t)[r] == index ? (int)r : -1;
}

unsigned ptable_next(const struct ptable *t, unsigned from)
{
        if (t->cap == PTABLE_DENSE) {
                for (unsigned i = from; i < PT_ENTRIES; i++)
                        if (t->val[i])
                                return i;
                return PT_ENTRIES;
        }
        unsigned r = rank(t, from);
        return r < t->n ? ptable_keys(t)[r] : PT_ENTRIES;
}

void ptable_clone(struct ptable *dst, const struct ptable *src, size_t *heap)
{
        *dst = PTABLE_EMPTY;
        if (src->n > PTABLE_SPARSE_MAX) {
                dst->val = xmemdup(src->val, PT_ENTRIES * sizeof *src->val);
                dst->n = src->n;
                dst->cap = PTABLE_DENSE;
        } else {
                if (src->n > PTABLE_INLINE)
                        to_block(dst, (src->n + 3u) & ~3u);
                for (unsigned i = ptable_next(src, 0); i < PT_ENTRIES;
                     i = ptable_next(src, i + 1)) {
                        vals(dst)[dst->n] = ptable_get(src, i);
                        keys(dst)[dst->n++] = (uint16_t)i;
                }
        }
        if (heap)
                *heap += ptable_bytes(dst);
}

void ptable_free(struct ptable *t, size_t *heap)
{
        if (heap)
                *heap -= ptable_bytes(t);
        if (t->cap)
                free(t->val);
        *t = PTABLE_EMPTY;
}
