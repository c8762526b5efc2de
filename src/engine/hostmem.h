/*
 * hostmem.h - host physical memory: which host frame backs each guest frame.
 *
 * The mapping from guest frame (GFN) to host frame (HFN) is a fixed
 * bijection, so every MMU scheme of a run agrees on the final HPA of every
 * GVA; what differs between schemes is when and at what cost the hypervisor
 * learns it.
 *
 * With 4K host pages it is hfn = (gfn * 31 + b) mod 2^k, where 2^k is the
 * guest memory size in frames rounded up to a power of two and b is chosen
 * so that guest frame 5 lands on host frame 0x8A. With 2M host pages the
 * same kind of formula permutes whole 2M frames and keeps the offset inside
 * them, so an HPA and its GPA agree in their low 21 bits, as they must when
 * one host large page backs 512 guest frames.
 *
 * Frames are "backed" lazily, one host page (4K or 2M) at a time: the first
 * time a scheme asks for a frame it is recorded, so the backed memory is a
 * measure of memory touched. A preallocated guest (QEMU -mem-prealloc) has
 * all of its memory backed from the start, which is one flag, not a set.
 */
#ifndef SHADOW_SIM_HOSTMEM_H
#define SHADOW_SIM_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "u64map.h"

struct hostmem {
        uint64_t frame_mask; /* 4K host pages: 2^k - 1 over frames; 2M: over 2M frames */
        uint64_t offset;     /* b in the formula */
        uint64_t guest_frames;
        unsigned page_shift;  /* log2 of the frames in a host page: 0 (4K) or 9 (2M) */
        bool prealloc;        /* every frame is backed before the guest runs */
        struct u64map backed; /* host pages backed so far (keys: gfn >> page_shift) */
};

/* Sets up the bijection for a guest of guest_frames frames backed by 2M
 * host pages when large, and backs everything at once when prealloc. */
void hostmem_init(struct hostmem *h, uint64_t guest_frames, bool large, bool prealloc);
void hostmem_free(struct hostmem *h);
void hostmem_clone(struct hostmem *dst, const struct hostmem *src);

/* The host frame that backs guest frame gfn (pure). */
uint64_t hostmem_hfn(const struct hostmem *h, uint64_t gfn);

/* The guest frame that host frame hfn backs: the inverse of hostmem_hfn
 * (pure). */
uint64_t hostmem_gfn(const struct hostmem *h, uint64_t hfn);

/* The HPA of a GPA (pure). */
uint64_t hostmem_hpa(const struct hostmem *h, uint64_t gpa);

/* Records that the host page holding gfn is backed. Returns true when it
 * was not before (never when the guest was preallocated). */
bool hostmem_back(struct hostmem *h, uint64_t gfn);

/* Whether the host page holding gfn is backed. */
bool hostmem_is_backed(const struct hostmem *h, uint64_t gfn);

/* Host frames (4K) backing guest memory so far: whole host pages, so with
 * 2M pages a multiple of 512; the guest's size when preallocated. */
uint64_t hostmem_backed_frames(const struct hostmem *h);

#endif
