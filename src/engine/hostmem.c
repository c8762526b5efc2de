/*
 * hostmem.c - the fixed GFN -> HFN bijection and lazy backing.
 */
#include "hostmem.h"

#include "pte.h"

/* Odd, so multiplication by it is invertible modulo any power of two. */
#define HOSTMEM_STRIDE 31u
/* 4K host pages: guest frame ANCHOR_GFN maps to host frame ANCHOR_HFN. */
#define ANCHOR_GFN 5u
#define ANCHOR_HFN 0x8Au
/* 2M host pages: guest 2M frame 0 maps to host 2M frame ANCHOR_LARGE (HPA
 * 0x8A00000), so the sample's gpa 0x5000 becomes hpa 0x8A05000. */
#define ANCHOR_LARGE 0x45u
/* Frames in a 2M host page, as a shift. */
#define LARGE_SHIFT PT_INDEX_BITS

void hostmem_init(struct hostmem *h, uint64_t guest_frames, bool large, bool prealloc)
{
        h->page_shift = large ? LARGE_SHIFT : 0;
        uint64_t pages = (guest_frames + (UINT64_C(1) << h->page_shift) - 1) >> h->page_shift;
        uint64_t size = 1;
        while (size < pages)
                size <<= 1;
        h->frame_mask = size - 1;
        h->offset = large ? ANCHOR_LARGE & h->frame_mask
                          : (ANCHOR_HFN - (uint64_t)ANCHOR_GFN * HOSTMEM_STRIDE) & h->frame_mask;
        h->guest_frames = guest_frames;
        h->prealloc = prealloc;
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
        uint64_t page = gfn >> h->page_shift;
        uint64_t inside = gfn & ((UINT64_C(1) << h->page_shift) - 1);
        return ((page * HOSTMEM_STRIDE + h->offset) & h->frame_mask) << h->page_shift | inside;
}

uint64_t hostmem_gfn(const struct hostmem *h, uint64_t hfn)
{
        /* The inverse of the stride modulo 2^64 (Newton's iteration doubles
         * the correct low bits each step: 5 steps reach 64 from 5). */
        uint64_t inverse = HOSTMEM_STRIDE;
        for (int i = 0; i < 5; i++)
                inverse *= 2 - HOSTMEM_STRIDE * inverse;
        uint64_t page = hfn >> h->page_shift;
        uint64_t inside = hfn & ((UINT64_C(1) << h->page_shift) - 1);
        return (((page - h->offset) * inverse) & h->frame_mask) << h->page_shift | inside;
}

uint64_t hostmem_hpa(const struct hostmem *h, uint64_t gpa)
{
        return (hostmem_hfn(h, gpa >> PAGE_SHIFT) << PAGE_SHIFT) | (gpa & PAGE_OFFSET_MASK);
}

bool hostmem_is_backed(const struct hostmem *h, uint64_t gfn)
{
        uint32_t unused;
        return h->prealloc || u64map_get(&h->backed, gfn >> h->page_shift, &unused);
}

bool hostmem_back(struct hostmem *h, uint64_t gfn)
{
        if (hostmem_is_backed(h, gfn))
                return false;
        u64map_put(&h->backed, gfn >> h->page_shift, 1);
        return true;
}

uint64_t hostmem_backed_frames(const struct hostmem *h)
{
        if (h->prealloc)
                return h->guest_frames;
        return (uint64_t)h->backed.count << h->page_shift;
}
