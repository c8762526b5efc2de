/*
 * mmu_ept.c - nested paging (Intel EPT, AMD NPT).
 *
 * The guest owns its page tables outright: its stores, CR3 loads and INVLPG
 * never exit. The price is paid on a TLB miss: every guest table the walker
 * reads sits at a guest physical address that must itself be translated
 * through the nested table, so with n guest levels and m nested levels a
 * cold walk makes (n + 1)(m + 1) - 1 memory references (24 for 4 + 4).
 *
 * The nested table is a real radix tree in host memory, filled on demand:
 * the first touch of a guest frame that has no nested entry is an EPT
 * violation, the VMM maps the frame (to the same host frame every scheme
 * uses) and the guest instruction restarts, walk and all. Host memory is
 * 4K-granular, so nested leaves are 4K and a guest large page is cached by
 * the TLB in 4K pieces ("splintering").
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "xalloc.h"

struct ept_page {
        uint64_t entry[PT_ENTRIES]; /* upper levels: P | child page index; leaves: P | HFN */
};

struct ept {
        int levels;
        struct ept_page *pages; /* pages[0] is the root */
        uint32_t npages, cap;
};

static uint32_t ept_new_page(struct ept *e)
{
        if (e->npages == e->cap) {
                e->cap = e->cap ? e->cap * 2 : 8;
                e->pages = xrealloc(e->pages, e->cap, sizeof *e->pages);
        }
        memset(&e->pages[e->npages], 0, sizeof e->pages[0]);
        return e->npages++;
}

static void *ept_create(struct sim *s)
{
        struct ept *e = xcalloc(1, sizeof *e);
        e->levels = s->cfg.ept_levels;
        ept_new_page(e);
        return e;
}

static void ept_destroy(void *state)
{
        struct ept *e = state;
        free(e->pages);
        free(e);
}

static void *ept_clone(const void *state)
{
        const struct ept *src = state;
        struct ept *e = xmemdup(src, sizeof *src);
        e->pages = xmemdup(src->pages, src->cap * sizeof *src->pages);
        return e;
}

/* Walks the nested table for guest frame gfn, counting one reference per
 * level read into *refs. Returns false on a violation (no entry). */
static bool nested_walk(const struct ept *e, uint64_t gfn, uint32_t *refs)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = e->levels; level >= 1; level--) {
                uint64_t ent = e->pages[ix].entry[pt_index(gpa, level)];
                (*refs)++;
                if (!pte_present(ent))
                        return false;
                ix = (uint32_t)pte_frame(ent);
        }
        return true;
}

/* The VMM's answer to an EPT violation on gfn: build the nested path. */
static void nested_map(struct sim *s, struct ept *e, uint64_t gfn, uint64_t gva)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        sim_exit(s, EXIT_EPT_VIOLATION, gva, gpa, ACCESS_READ, 0);
        uint32_t ix = 0;
        for (int level = e->levels; level > 1; level--) {
                uint64_t *ent = &e->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(*ent)) {
                        uint32_t child = ept_new_page(e);
                        ent = &e->pages[ix].entry[pt_index(gpa, level)]; /* pages moved */
                        *ent = pte_make(child, PTE_P | PTE_W);
                }
                ix = (uint32_t)pte_frame(*ent);
        }
        uint64_t hfn = hostmem_hfn(&s->host, gfn);
        e->pages[ix].entry[pt_index(gpa, 1)] = pte_make(hfn, PTE_P | PTE_W);
        hostmem_back(&s->host, gfn);
        struct event ev = {.kind = EV_EPT_MAP, .gva = gva, .gpa = gpa, .hpa = hfn << PAGE_SHIFT};
        sim_emit(s, &ev);
}

/* The two-dimensional walk. Each guest table read needs its frame through
 * the nested table first; so does the final data frame. A violation exits,
 * the VMM maps the frame, and the walk starts over. */
static void ept_translate(struct sim *s, uint64_t gva, enum access_kind kind, struct translation *t)
{
        struct ept *e = s->mmu_state;
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
restart:
        /* Only the walk that completes is counted: an aborted one is paid
         * for by its violation's exit. */
        t->refs = 0;
        for (int level = s->guest.levels; level > s->guest.levels - w.depth; level--) {
                uint64_t table = w.table_gfn[level];
                if (!nested_walk(e, table, &t->refs)) {
                        nested_map(s, e, table, gva);
                        goto restart;
                }
                t->refs++; /* the guest entry itself */
        }
        if (!w.present || !pte_permits(w.leaf, kind)) {
                t->fault = true; /* delivered to the guest directly: no exit */
                return;
        }
        uint64_t gfn = w.gpa >> PAGE_SHIFT;
        if (!nested_walk(e, gfn, &t->refs)) {
                nested_map(s, e, gfn, gva);
                goto restart;
        }
        guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        t->level = 1;
        t->perm = w.leaf & PTE_PERM_MASK;
        t->dirty = (w.leaf & PTE_D) != 0;
}

const struct mmu_ops mmu_ept_ops = {
        .create = ept_create,
        .destroy = ept_destroy,
        .clone = ept_clone,
        .translate = ept_translate,
};

/* ---- read-only views (mmu_view.h) --------------------------------------- */

bool mmu_ept_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        const struct ept *e = s->mmu_state;
        if (id >= e->npages)
                return false;
        /* Nested pages do not record their level; only the root's is known. */
        *t = (struct mmu_table_view){.entry = e->pages[id].entry, .level = id == 0 ? e->levels : 0};
        return true;
}

uint32_t mmu_ept_view_count(const struct sim *s)
{
        const struct ept *e = s->mmu_state;
        return e->npages;
}
