/*
 * tlb.c - set-associative LRU TLB.
 */
#include <stdlib.h>
#include "tlb.h"

#include <string.h>

#include "xalloc.h"

void tlb_init(struct tlb *t, unsigned sets, unsigned ways, bool pcid)
{
        memset(t, 0, sizeof *t);
        t->sets = sets;
        t->ways = ways;
        t->pcid = pcid;
        t->e = xcalloc((size_t)sets * ways, sizeof *t->e);
}

void tlb_free(struct tlb *t)
{
        free(t->e);
        t->e = NULL;
}

void tlb_clone(struct tlb *dst, const struct tlb *src)
{
        *dst = *src;
        dst->e = xmemdup(src->e, (size_t)src->sets * src->ways * sizeof *src->e);
}

static inline struct tlb_entry *set_of(struct tlb *t, uint64_t vpn)
{
        return &t->e[(size_t)(vpn & (t->sets - 1)) * t->ways];
}

struct tlb_entry *tlb_lookup_large(struct tlb *t, uint32_t want, uint64_t gva)
{
        for (int level = 2; level <= 3; level++) {
                if (t->large[level] == 0)
                        continue;
                uint64_t vpn = gva >> level_shift(level);
                struct tlb_entry *set = set_of(t, vpn);
                for (unsigned w = 0; w < t->ways; w++) {
                        struct tlb_entry *e = &set[w];
                        if (e->valid && e->vpn == vpn && e->level == level && e->asid == want) {
                                e->last_use = ++t->tick;
                                return e;
                        }
                }
        }
        return NULL;
}

void tlb_drop(struct tlb *t, struct tlb_entry *e)
{
        if (!e->valid)
                return;
        e->valid = false;
        t->large[e->level]--;
        t->splinters -= e->page_level > e->level;
}

unsigned tlb_slot_for(const struct tlb *t, const struct tlb_fill_req *req, bool *evicts)
{
        uint64_t vpn = req->gva >> level_shift(req->level);
        const struct tlb_entry *set = &t->e[(vpn & (t->sets - 1)) * t->ways];
        const struct tlb_entry *victim = NULL;
        uint32_t want = tlb_tag(t, req->asid);
        for (unsigned w = 0; w < t->ways && !victim; w++)
                if (set[w].valid && set[w].vpn == vpn && set[w].level == req->level &&
                    set[w].asid == want)
                        victim = &set[w]; /* replace our own old entry */
        for (unsigned w = 0; w < t->ways && !victim; w++)
                if (!set[w].valid)
                        victim = &set[w];
        *evicts = !victim;
        if (!victim) {
                victim = &set[0];
                for (unsigned w = 1; w < t->ways; w++)
                        if (set[w].last_use < victim->last_use)
                                victim = &set[w];
        }
        return (unsigned)(victim - t->e);
}

void tlb_fill_at(struct tlb *t, unsigned slot, const struct tlb_fill_req *req)
{
        struct tlb_entry *victim = &t->e[slot];
        tlb_drop(t, victim);
        victim->vpn = req->gva >> level_shift(req->level);
        victim->hfn = req->hfn;
        victim->gfn = req->gfn;
        victim->perm = req->perm;
        victim->asid = tlb_tag(t, req->asid);
        victim->level = (uint8_t)req->level;
        victim->page_level = (uint8_t)(req->page_level > req->level ? req->page_level : req->level);
        victim->valid = true;
        victim->dirty = req->dirty;
        victim->stale = false;
        victim->last_use = ++t->tick;
        t->large[req->level]++;
        t->splinters += victim->page_level > victim->level;
}

unsigned tlb_invlpg(struct tlb *t, uint32_t asid, uint64_t gva)
{
        unsigned n = 0;
        struct tlb_entry *e;
        while ((e = tlb_lookup(t, asid, gva)) != NULL) {
                tlb_drop(t, e);
                n++;
        }
        if (t->splinters == 0)
                return n;
        /* Pieces of a large guest page: the one holding gva need not be
         * cached for the others to go. */
        uint32_t want = tlb_tag(t, asid);
        for (size_t i = 0; i < (size_t)t->sets * t->ways; i++) {
                e = &t->e[i];
                if (!e->valid || e->asid != want || e->page_level == e->level)
                        continue;
                unsigned shift = level_shift(e->page_level);
                if (tlb_entry_gva(e) >> shift == gva >> shift) {
                        tlb_drop(t, e);
                        n++;
                }
        }
        return n;
}

/* Drops the entries of tag want (any tag if any) whose pages hold addr,
 * probing only the sets addr maps to, without touching LRU ages. */
static unsigned drop_at(struct tlb *t, uint32_t want, bool any, uint64_t addr)
{
        unsigned n = 0;
        for (int level = 1; level <= 3; level++) {
                if (level > 1 && t->large[level] == 0)
                        continue;
                uint64_t vpn = addr >> level_shift(level);
                struct tlb_entry *set = set_of(t, vpn);
                for (unsigned w = 0; w < t->ways; w++) {
                        struct tlb_entry *e = &set[w];
                        if (e->valid && e->vpn == vpn && e->level == level &&
                            (any || e->asid == want)) {
                                tlb_drop(t, e);
                                n++;
                        }
                }
        }
        return n;
}

unsigned tlb_drop_range(struct tlb *t, uint32_t asid, bool any_asid, uint64_t gva, uint64_t span)
{
        uint32_t want = tlb_tag(t, asid);
        size_t size = (size_t)t->sets * t->ways;
        unsigned n = 0;
        if ((span >> PAGE_SHIFT) <= size) {
                for (uint64_t off = 0; off < span; off += PAGE_SIZE)
                        n += drop_at(t, want, any_asid, gva + off);
                return n;
        }
        for (size_t i = 0; i < size; i++) {
                struct tlb_entry *e = &t->e[i];
                if (!e->valid || (!any_asid && e->asid != want))
                        continue;
                uint64_t start = tlb_entry_gva(e), end = start + level_span(e->level);
                if (start < gva + span && gva < end) {
                        tlb_drop(t, e);
                        n++;
                }
        }
        return n;
}

unsigned tlb_flush(struct tlb *t)
{
        unsigned n = 0;
        for (size_t i = 0; i < (size_t)t->sets * t->ways; i++) {
                if (t->e[i].valid)
                        n++;
                t->e[i].valid = false;
        }
        memset(t->large, 0, sizeof t->large);
        t->splinters = 0;
        return n;
}

void tlb_mark_stale(struct tlb *t, uint32_t asid, bool any_asid, uint64_t gva, uint64_t span,
                    uint64_t new_leaf, unsigned cpu)
{
        uint32_t want = tlb_tag(t, asid);
        for (size_t i = 0; i < (size_t)t->sets * t->ways; i++) {
                struct tlb_entry *e = &t->e[i];
                if (!e->valid || (!any_asid && e->asid != want))
                        continue;
                uint64_t start = tlb_entry_gva(e), size = level_span(e->level);
                if (start >= gva + span || gva >= start + size)
                        continue;
                bool inside = start >= gva && start + size <= gva + span;
                bool same = inside && pte_present(new_leaf) &&
                            pte_frame(new_leaf) + ((start - gva) >> PAGE_SHIFT) == e->gfn &&
                            (e->perm & ~new_leaf & PTE_W) == 0 &&
                            (new_leaf & ~e->perm & PTE_NX) == 0;
                if (!same) {
                        e->stale = true;
                        e->stale_cpu = (uint8_t)cpu;
                }
        }
}

unsigned tlb_count(const struct tlb *t)
{
        unsigned n = 0;
        for (size_t i = 0; i < (size_t)t->sets * t->ways; i++)
                n += t->e[i].valid;
        return n;
}
