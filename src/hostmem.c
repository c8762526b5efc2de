/*
 * hostmem.c - the fixed GFN -> HFN bijection and lazy backing.
 */
#include <stdlib.h>
#include "hostmem.h"

#include "pte.h"

/* Odd, so multiplication by it is invertible modulo any power of two. */
#define HOSTMEM_STRIDE 31u
/* Guest frame ANCHOR_GFN maps to host frame ANCHOR_HFN. */
#define ANCHOR_GFN 5u
#define ANCHOR_HFN 0x8Au

void hostmem_init(struct hostmem *h, uint64_t guest_frames)
{
        uint64_t size = 1;
        while (size < guest_frames)
                size <<= 1;
        h->frame_mask = size - 1;
        h->offset = (ANCHOR_HFN - (uint64_t)ANCHOR_GFN * HOSTMEM_STRIDE) & h->frame_mask;
        u64map_init(&h->backed);
}

void hostmem_free(struct hostmem *h)
{
        u64map_free(&h->backed);
}

void hostmem_clone(struct hostmem *dst, const struct hostmem *src)
{
        *dst = *src;
        u64map_clone(&dst->backed, &src->backed);
}

uint64_t hostmem_hfn(const struct hostmem *h, uint64_t gfn)
{
        return (gfn * HOSTMEM_STRIDE + h->offset) & h->frame_mask;
}

uint64_t hostmem_gfn(const struct hostmem *h, uint64_t hfn)
{
        /* The inverse of the stride modulo 2^64 (Newton's iteration doubles
         * the correct low bits each step: 5 steps reach 64 from 5). */
        uint64_t inverse = HOSTMEM_STRIDE;
        for (int i = 0; i < 5; i++)
                inverse *= 2 - HOSTMEM_STRIDE * inverse;
        return ((hfn - h->offset) * inverse) & h->frame_mask;
}

uint64_t hostmem_hpa(const struct hostmem *h, uint64_t gpa)
{
        return (hostmem_hfn(h, gpa >> PAGE_SHIFT) << PAGE_SHIFT) | (gpa & PAGE_OFFSET_MASK);
}

bool hostmem_back(struct hostmem *h, uint64_t gfn)
{
        uint32_t dummy;
        if (u64map_get(&h->backed, gfn, &dummy))
                return false;
        u64map_put(&h->backed, gfn, 1);
        return true;
}
