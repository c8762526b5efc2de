/*
 * tlb.h - a set-associative TLB with LRU replacement.
 *
 * Entries map one virtual page (4K, 2M or 1G) of an address space to a host
 * frame; they also remember the guest frame so the stepper can show the
 * whole translation. Without PCID every entry is tagged with address space
 * 0 and a CR3 load flushes; with PCID entries carry their asid and survive
 * a switch. A large page is indexed by its own page number, so a lookup
 * probes one set per page size that the TLB currently holds.
 */
#ifndef SHADOW_SIM_TLB_H
#define SHADOW_SIM_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "pte.h"

struct tlb_entry {
        uint64_t vpn;       /* virtual page number at the entry's own size */
        uint64_t hfn;       /* host frame of the first 4K of the page */
        uint64_t gfn;       /* guest frame of the first 4K of the page */
        uint64_t last_use;  /* tick of the last hit or fill, for LRU */
        uint64_t perm;      /* PTE_W / PTE_NX / PTE_U as the walk allowed */
        uint32_t asid;      /* tag (0 when PCID is off) */
        uint8_t level;      /* 1 = 4K, 2 = 2M, 3 = 1G */
        uint8_t page_level; /* the guest page it is part of (>= level: a splinter when >) */
        bool valid;
        bool dirty;        /* a write went through this entry (D is set) */
        bool stale;        /* the guest changed the mapping and did not INVLPG */
        uint8_t stale_cpu; /* when stale: the vCPU whose store changed the mapping */
};

/* Pages whose last slot a TLB remembers (a power of two): a process's
 * fetches and data accesses interleave over a few pages at a time. */
#define TLB_HINTS 64

struct tlb {
        unsigned sets, ways; /* sets is a power of two */
        bool pcid;
        struct tlb_entry *e; /* sets * ways entries, set-major */
        uint64_t tick;
        unsigned large[4];  /* valid entries per level, to skip empty sizes */
        unsigned splinters; /* valid entries smaller than their guest page */
        /* hint[vpn % TLB_HINTS]: the slot of the last 4K hit on a page of
         * that number, tried first. Only a hint: its contents are checked
         * as the set scan checks a way, and a wrong one costs the scan. */
        uint32_t hint[TLB_HINTS];
};

/* sets must be a power of two >= 1, ways >= 1. */
void tlb_init(struct tlb *t, unsigned sets, unsigned ways, bool pcid);
void tlb_free(struct tlb *t);
void tlb_clone(struct tlb *dst, const struct tlb *src);

/* The large-page (2M, 1G) half of tlb_lookup. */
struct tlb_entry *tlb_lookup_large(struct tlb *t, uint32_t want, uint64_t gva);

/* The tag of an entry of address space asid: asid with PCID, else 0. */
static inline uint32_t tlb_tag(const struct tlb *t, uint32_t asid)
{
        return t->pcid ? asid : 0;
}

/* The valid 4K entry of virtual page vpn tagged want, or NULL. Changes
 * nothing but the page's hint (so a caller may look before it decides
 * that an access hits; tlb_touch then counts the hit).
 *
 * Inline, as it runs for every access of a trace. The slot of the page's
 * hint is tried first; then the set is probed without a branch that
 * depends on which way matches: every way is compared and the match (there
 * is at most one per page size, tlb_fill keeps them unique) picked by a
 * conditional move. Stopping at the matching way made the loop's exit
 * unpredictable, and its mispredictions were the largest cost of a TLB
 * hit. */
/* Zero exactly when e is the valid 4K entry of vpn tagged want; all
 * bitwise, so that the compiler leaves one branch on it. */
static inline uint64_t tlb_differs_4k(const struct tlb_entry *e, uint32_t want, uint64_t vpn)
{
        return (e->vpn ^ vpn) | (uint64_t)(e->level ^ 1u) | (uint64_t)(e->valid ^ 1u) |
               (uint64_t)(e->asid ^ want);
}

static inline struct tlb_entry *tlb_find_4k(struct tlb *t, uint32_t want, uint64_t vpn)
{
        uint32_t *hint = &t->hint[vpn & (TLB_HINTS - 1)];
        struct tlb_entry *last = &t->e[*hint];
        if (tlb_differs_4k(last, want, vpn) == 0)
                return last;
        struct tlb_entry *set = &t->e[(size_t)(vpn & (t->sets - 1)) * t->ways];
        unsigned hit = t->ways;
        for (unsigned w = 0; w < t->ways; w++)
                hit = tlb_differs_4k(&set[w], want, vpn) == 0 ? w : hit;
        if (hit == t->ways)
                return NULL;
        *hint = (uint32_t)(&set[hit] - t->e);
        return &set[hit];
}

/* A hit on e: refreshes its LRU age. */
static inline void tlb_touch(struct tlb *t, struct tlb_entry *e)
{
        e->last_use = ++t->tick;
}

/* The entry that translates gva in address space asid, or NULL; a 4K entry
 * before a large one. A hit refreshes its LRU age. */
static inline struct tlb_entry *tlb_lookup(struct tlb *t, uint32_t asid, uint64_t gva)
{
        uint32_t want = tlb_tag(t, asid);
        struct tlb_entry *e = tlb_find_4k(t, want, gva >> PAGE_SHIFT);
        if (e) {
                tlb_touch(t, e);
                return e;
        }
        return (t->large[2] | t->large[3]) ? tlb_lookup_large(t, want, gva) : NULL;
}

/* What a fill caches: the entry's own size and that of the guest page it
 * belongs to (larger when the other dimension splinters the page). */
struct tlb_fill_req {
        uint64_t gva, gfn, hfn; /* gfn, hfn: the first 4K of the entry */
        uint64_t perm;          /* effective PTE_W / PTE_U / PTE_NX */
        uint32_t asid;
        int level, page_level;
        bool dirty;
};

/* The slot a translation goes into: the address space's old entry for the
 * same page, a free way of its set, or the least recently used way, in
 * which case *evicts is set (a valid entry has to go). Changes nothing. */
unsigned tlb_slot_for(const struct tlb *t, const struct tlb_fill_req *req, bool *evicts);

/* Inserts a translation into slot (from tlb_slot_for), dropping what was
 * there. Two steps, so that the engine can report an eviction before the
 * fill (sim.h, "an event follows its change"). */
void tlb_fill_at(struct tlb *t, unsigned slot, const struct tlb_fill_req *req);

/* INVLPG (SDM vol. 3, 4.10.4.1): drops every entry of asid for the page
 * containing gva, whatever its size; when a large guest page is cached
 * in pieces, all of its pieces. Returns how many. */
unsigned tlb_invlpg(struct tlb *t, uint32_t asid, uint64_t gva);

/* Drops every entry overlapping [gva, gva + span) in asid or, if
 * any_asid, in every address space. Costs at most the smaller of the
 * range's 4K pages and the TLB's size. Returns how many. */
unsigned tlb_drop_range(struct tlb *t, uint32_t asid, bool any_asid, uint64_t gva, uint64_t span);

/* Drops every entry. Returns how many were valid. */
unsigned tlb_flush(struct tlb *t);

void tlb_drop(struct tlb *t, struct tlb_entry *e);

/* Marks the entries that overlap [gva, gva + span) as stale, in asid or, if
 * any_asid, in every address space, unless they already agree with the new
 * translation (gfn and permissions; new_leaf is 0 for an unmapping); cpu is
 * the vCPU whose store it was. */
void tlb_mark_stale(struct tlb *t, uint32_t asid, bool any_asid, uint64_t gva, uint64_t span,
                    uint64_t new_leaf, unsigned cpu);

/* Number of valid entries. */
unsigned tlb_count(const struct tlb *t);

/* The virtual address of an entry's page. */
static inline uint64_t tlb_entry_gva(const struct tlb_entry *e)
{
        return e->vpn << level_shift(e->level);
}

#endif
