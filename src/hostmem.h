/*
 * hostmem.h - host physical memory: which host frame backs each guest frame.
 *
 * The mapping from guest frame (GFN) to host frame (HFN) is a fixed
 * bijection, hfn = (gfn * 31 + b) mod 2^k, where 2^k is the guest memory
 * size in frames rounded up to a power of two and b is chosen so that guest
 * frame 5 lands on host frame 0x8A. Because it is a formula, every MMU
 * scheme agrees on the final HPA of every GVA; what differs between schemes
 * is when and at what cost the hypervisor learns it. Frames are "backed"
 * lazily: the first time a scheme asks for a frame it is recorded, so the
 * number of backed frames is a measure of memory touched.
 */
#ifndef SHADOW_SIM_HOSTMEM_H
#define SHADOW_SIM_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "u64map.h"

struct hostmem {
        uint64_t frame_mask; /* 2^k - 1 */
        uint64_t offset;     /* b in the formula */
        struct u64map backed;
};

void hostmem_init(struct hostmem *h, uint64_t guest_frames);
void hostmem_free(struct hostmem *h);
void hostmem_clone(struct hostmem *dst, const struct hostmem *src);

/* The host frame that backs guest frame gfn (pure). */
uint64_t hostmem_hfn(const struct hostmem *h, uint64_t gfn);

/* The guest frame that host frame hfn backs: the inverse of hostmem_hfn
 * (pure). */
uint64_t hostmem_gfn(const struct hostmem *h, uint64_t hfn);

/* The HPA of a GPA (pure). */
uint64_t hostmem_hpa(const struct hostmem *h, uint64_t gpa);

/* Records that gfn is backed. Returns true when it was not before. */
bool hostmem_back(struct hostmem *h, uint64_t gfn);

static inline uint64_t hostmem_backed_frames(const struct hostmem *h)
{
        return h->backed.count;
}

#endif
