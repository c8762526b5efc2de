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
 *
 * With --host-pages 2M the host backs guest memory with 2M pages: nested
 * walks are a level shorter, a violation maps 2M at once, the TLB may hold
 * 2M entries for guest 2M pages, and dirty logging becomes coarse: one D
 * bit covers 512 frames, all of which the VMM must report.
 *
 * With --pwc, the walker caches upper-level entries in both dimensions:
 * guest links (which skip guest levels and their nested walks) and nested
 * links (which shorten each nested walk), the way the cold 24 references
 * shrink on real hardware.
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "nested.h"
#include "scheme.h"
#include "xalloc.h"

/* The page-modification log: the CPU appends the GPA of every page whose
 * nested D bit it sets while logging; full, it exits. */
#define PML_ENTRIES 512

struct ept {
        struct nested nest;
        uint32_t pml_used; /* entries in the PML buffer */
};

static void *ept_create(struct sim *s)
{
        struct ept *e = xcalloc(1, sizeof *e);
        nested_init(&e->nest, &s->cfg);
        return e;
}

static void ept_destroy(void *state)
{
        struct ept *e = state;
        nested_free(&e->nest);
        free(e);
}

static void *ept_clone(const void *state)
{
        const struct ept *src = state;
        struct ept *e = xmemdup(src, sizeof *src);
        nested_clone(&e->nest, &src->nest);
        return e;
}

/* A write to gfn: the CPU sets the nested D bit and, while logging, logs
 * the page into the PML buffer, exiting when the buffer is full. */
static void nested_write(struct sim *s, uint64_t gfn)
{
        struct ept *e = s->mmu_state;
        uint64_t *leaf = nested_leaf(&e->nest, gfn);
        if (!leaf || (*leaf & PTE_D))
                return;
        *leaf |= PTE_D;
        if (!s->dirty.on)
                return;
        if (e->nest.leaf_level == 1) {
                sim_log_dirty(s, gfn, DETAIL_DIRTY_PML);
        } else {
                /* One D bit for 2M: later writes inside it are not seen, so
                 * the VMM must report the whole large page. */
                uint64_t span = level_span(e->nest.leaf_level) >> PAGE_SHIFT;
                sim_log_dirty_range(s, gfn & ~(span - 1), (uint32_t)span, DETAIL_DIRTY_PML);
        }
        if (++e->pml_used == PML_ENTRIES) {
                struct event ev = {
                    .kind = EV_VM_EXIT, .reason = EXIT_PML_FULL, .count = PML_ENTRIES};
                sim_emit(s, &ev);
                e->pml_used = 0;
        }
}

static void ept_write_hit_clean(struct sim *s, uint64_t gpa)
{
        nested_write(s, gpa >> PAGE_SHIFT);
}

/* Dirty logging with EPT A/D bits and PML: a round starts with every
 * nested D bit clear (and the TLB flushed, since it caches them); a sync
 * drains the buffer without an exit. */
static void ept_dirty_log(struct sim *s, enum dirty_log_action action)
{
        struct ept *e = s->mmu_state;
        e->pml_used = 0;
        if (action != DIRTY_LOG_START)
                return;
        /* Leaves are the pages reached from level 2; clearing D everywhere
         * is harmless for upper levels, which never carry it. */
        for (uint32_t ix = 0; ix < e->nest.npages; ix++)
                for (unsigned i = 0; i < PT_ENTRIES; i++)
                        e->nest.pages[ix].entry[i] &= ~PTE_D;
        sim_vmm_flush(s, DETAIL_NONE);
}

/* The two-dimensional walk. Each guest table read needs its frame through
 * the nested table first; so does the final data frame. A violation exits,
 * the VMM maps the frame, and the walk starts over. */
static void ept_translate(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                          struct translation *t)
{
        struct ept *e = s->mmu_state;
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
restart:
        /* Only the walk that completes is counted: an aborted one is paid
         * for by its violation's exit. */
        t->refs = 0;
        int top = s->guest.levels, last = top - w.depth + 1;
        int first = s->cfg.pwc ? pwc_start_level(&s->pwc, sim_pwc_space(s), gva, top, last) : top;
        for (int level = first; level >= last; level--) {
                uint64_t table = w.table_gfn[level];
                if (!nested_walk(&e->nest, table, &t->refs)) {
                        nested_map(s, &e->nest, table, gva);
                        goto restart;
                }
                t->refs++; /* the guest entry itself */
        }
        if (s->cfg.pwc)
                pwc_remember(&s->pwc, sim_pwc_space(s), gva, top, last);
        if (!w.present || !sim_allows(s, w.rights, kind, user)) {
                sim_fault(t, w.present, kind, user); /* delivered directly: no exit */
                return;
        }
        uint64_t gfn = w.gpa >> PAGE_SHIFT;
        if (!nested_walk(&e->nest, gfn, &t->refs)) {
                nested_map(s, &e->nest, gfn, gva);
                goto restart;
        }
        guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
        if (kind == ACCESS_WRITE)
                nested_write(s, gfn);
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        /* The TLB caches the smaller of the two page sizes. */
        t->level = w.leaf_level < e->nest.leaf_level ? w.leaf_level : e->nest.leaf_level;
        t->page_level = w.leaf_level;
        t->perm = w.rights;
        t->dirty = (w.leaf & PTE_D) && (*nested_leaf(&e->nest, gfn) & PTE_D);
}

static const struct mmu_ops ept_ops = {
    .create = ept_create,
    .destroy = ept_destroy,
    .clone = ept_clone,
    .translate = ept_translate,
    .write_hit_clean = ept_write_hit_clean,
    .dirty_log = ept_dirty_log,
};

/* ---- read-only views (mmu_view.h) --------------------------------------- */

/* The nested root is always page 0. */
static uint32_t ept_view_root(const struct sim *s)
{
        (void)s;
        return 0;
}

static bool ept_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        const struct ept *e = s->mmu_state;
        if (id >= e->nest.npages)
                return false;
        /* Nested pages do not record their level; only the root's is known. */
        *t = (struct mmu_table_view){.entry = e->nest.pages[id].entry,
                                     .level = id == 0 ? e->nest.levels : 0};
        return true;
}

static uint32_t ept_view_count(const struct sim *s)
{
        const struct ept *e = s->mmu_state;
        return e->nest.npages;
}

const struct scheme scheme_ept = {
    .name = "ept",
    .design = "nested paging (Intel EPT, AMD NPT)",
    .ops = &ept_ops,
    .tables = TABLES_NESTED,
    .tables_title = "EPT",
    .compare_with = "shadow",
    .view_root = ept_view_root,
    .view_table = ept_view_table,
    .view_count = ept_view_count,
};
