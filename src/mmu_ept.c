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
 * uses) and the guest instruction restarts, walk and all. The touch may be
 * a walk reading a guest table, the access itself, or the guest kernel's
 * store into one of its tables: the CPU writes that GPA, so the store takes
 * the violation, not the next walk. With --prealloc the host backed all of
 * guest memory before the guest ran: nothing violates, and the nested
 * tables are built as they are first needed, silently (they stand for
 * tables that exist from the start).
 *
 * Host memory is 4K-granular by default, so nested leaves are 4K and a
 * guest large page is cached by the TLB in 4K pieces ("splintering"). With
 * --host-pages 2M the host backs guest memory with 2M pages: nested walks
 * are a level shorter, a violation maps 2M at once, the TLB may hold 2M
 * entries for guest 2M pages, and dirty logging becomes coarse: one D bit
 * covers 512 frames, all of which the VMM must report.
 *
 * EPT A/D flags are on (they are what page-modification logging needs), so
 * the CPU sets the nested D bit of every page it writes and, while the VMM
 * logs dirty pages, appends its GPA to the 512-entry PML buffer. As the SDM
 * says ("Accessed and Dirty Flags for EPT", Vol. 3C section 28.2.4 in 2014
 * editions, 28.3.5 later, 29.3.5 since 2023), with EPT A/D enabled the
 * processor's accesses to guest paging-structure entries are treated as
 * writes: every guest table frame a walk reads gets its nested D bit set
 * and is logged, as KVM's nested EPT emulation does too. The PML buffer
 * ("Page-Modification Logging", 28.3.6 / 29.3.6): when the CPU must log a
 * GPA and all 512 entries are used, a PML-full exit comes first, the access
 * waits, and after the VMM drains the buffer the GPA is logged. KVM drains
 * it on every VM exit (vmx_flush_pml_buffer from vmx_handle_exit), so any
 * exit empties it. KVM creates nested entries with their A bit set, so only
 * D-bit updates reach the buffer; the model keeps no nested A bits.
 *
 * With --pwc, the walker caches upper-level entries in both dimensions:
 * guest links (which skip guest levels and their nested walks) and nested
 * links (which shorten each nested walk), the way the cold 24 references
 * shrink on real hardware.
 *
 * A walk is first worked out on the current state without changing it
 * (ept_plan), which is also what `translate` shows, and only then carried
 * out: one computation for the count the log, the explanation and the
 * stepper print.
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "xalloc.h"

struct ept_page {
        uint64_t entry[PT_ENTRIES]; /* upper levels: P | child page index; leaves: P | HFN */
};

/* The page-modification log: the CPU appends the GPA of every page whose
 * nested D bit it sets while logging. */
#define PML_ENTRIES 512

struct ept {
        int levels;
        int leaf_level;    /* 1: 4K nested leaves; 2: 2M (--host-pages 2M) */
        uint32_t pml_used; /* entries in the PML buffer */
        bool use_pwc;
        struct pwc pwc;         /* the nested dimension's page-walk cache */
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
        e->use_pwc = s->cfg.pwc;
        e->leaf_level = s->cfg.host_large ? 2 : 1;
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

/* The nested leaf entry of gfn (4K or 2M), or NULL when there is none. */
static uint64_t *nested_leaf(const struct ept *e, uint64_t gfn)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = e->levels; level > e->leaf_level; level--) {
                uint64_t ent = e->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(ent))
                        return NULL;
                ix = (uint32_t)pte_frame(ent);
        }
        uint64_t *leaf = &e->pages[ix].entry[pt_index(gpa, e->leaf_level)];
        return pte_present(*leaf) ? leaf : NULL;
}

/* ---- planning a walk (pure) ---------------------------------------------- */

/* A 2D walk worked out on the current state, changing nothing. */
struct ept_plan {
        uint32_t guest_refs;    /* guest entries read */
        uint32_t nested_refs;   /* nested entries read, over every nested walk */
        uint32_t missing;       /* frames of the walk with no nested entry */
        uint64_t first_missing; /* the first of them (gfn): the violation to take */
        int first, last;        /* the guest levels read, top down */
        struct pwc npwc;        /* the nested page-walk cache as the walk leaves it
                                   (up to the first violation, where the walk stops) */
};

/* Whether the host has gfn's nested entry, or would build it without an
 * exit because all guest memory is preallocated. */
static bool nested_known(const struct sim *s, const struct ept *e, uint64_t gfn)
{
        return nested_leaf(e, gfn) || s->host.prealloc;
}

/* Plans the nested walk of gfn as part of p. */
static void plan_nested(const struct sim *s, const struct ept *e, uint64_t gfn, struct ept_plan *p)
{
        if (!nested_known(s, e, gfn)) {
                if (p->missing++ == 0)
                        p->first_missing = gfn;
                return;
        }
        if (p->missing)
                return; /* the walk stops at the first violation */
        int last = e->leaf_level;
        p->nested_refs += e->use_pwc
                              ? pwc_walk_refs(&p->npwc, 0, gfn << PAGE_SHIFT, e->levels, last)
                              : (uint32_t)(e->levels - last + 1);
}

/* Plans the walk of gva along guest walk w: each guest table read through
 * its nested walk, and the data frame's when to_data (the guest entry
 * allows the access). */
static void ept_plan(const struct sim *s, const struct ept *e, uint64_t gva,
                     const struct guest_walk *w, bool to_data, struct ept_plan *p)
{
        memset(p, 0, sizeof *p);
        p->npwc = e->pwc;
        int top = s->guest.levels;
        p->last = top - w->depth + 1;
        p->first = s->cfg.pwc ? pwc_start_level(&s->pwc, sim_pwc_space(s), gva, top, p->last) : top;
        for (int level = p->first; level >= p->last; level--) {
                plan_nested(s, e, w->table_gfn[level], p);
                p->guest_refs++;
        }
        if (to_data)
                plan_nested(s, e, w->gpa >> PAGE_SHIFT, p);
}

/* ---- the VMM's side ------------------------------------------------------ */

/* Builds the nested path of gfn down to its leaf (4K, or the 2M page
 * holding it), mapped to the host frames every scheme uses. */
static void nested_build(struct sim *s, struct ept *e, uint64_t gfn)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = e->levels; level > e->leaf_level; level--) {
                uint64_t *ent = &e->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(*ent)) {
                        uint32_t child = ept_new_page(e);
                        ent = &e->pages[ix].entry[pt_index(gpa, level)]; /* pages moved */
                        *ent = pte_make(child, PTE_P | PTE_W);
                }
                ix = (uint32_t)pte_frame(*ent);
        }
        uint64_t span = level_span(e->leaf_level) >> PAGE_SHIFT;
        uint64_t hfn = hostmem_hfn(&s->host, gfn & ~(span - 1));
        uint64_t bits = PTE_P | PTE_W | (e->leaf_level > 1 ? PTE_PS : 0);
        e->pages[ix].entry[pt_index(gpa, e->leaf_level)] = pte_make(hfn, bits);
        hostmem_back(&s->host, gfn);
}

/* Makes sure gfn has its nested entry: an EPT violation when the host has
 * not backed it (access tells what the guest was doing, at_store whether
 * it was storing into its table gfn), a silent build when all memory is
 * preallocated. */
static void nested_ensure(struct sim *s, struct ept *e, uint64_t gfn, uint64_t gva,
                          enum access_kind access, bool at_store)
{
        if (nested_leaf(e, gfn))
                return;
        if (s->host.prealloc) {
                nested_build(s, e, gfn);
                return;
        }
        uint64_t gpa = gfn << PAGE_SHIFT;
        sim_exit(s, EXIT_EPT_VIOLATION, gva, gpa, access, 0);
        nested_build(s, e, gfn);
        struct event ev = {.kind = EV_EPT_MAP,
                           .gva = gva,
                           .gpa = gpa,
                           .hpa = hostmem_hpa(&s->host, gpa),
                           .level = (uint8_t)e->leaf_level,
                           .detail = at_store ? DETAIL_AT_STORE : DETAIL_NONE};
        sim_emit(s, &ev);
}

/* The CPU writes gfn (which has its nested entry): it sets the nested D bit
 * and, while the VMM logs, logs the page. Returns false when the PML
 * buffer was full: the PML-full exit came first, the buffer is drained and
 * nothing was set; the CPU then retries the access. */
static bool nested_set_dirty(struct sim *s, struct ept *e, uint64_t gfn)
{
        uint64_t *leaf = nested_leaf(e, gfn);
        if (*leaf & PTE_D)
                return true;
        if (s->dirty.on && e->pml_used == PML_ENTRIES) {
                struct event ev = {.kind = EV_VM_EXIT,
                                   .reason = EXIT_PML_FULL,
                                   .gpa = gfn << PAGE_SHIFT,
                                   .count = PML_ENTRIES};
                sim_emit(s, &ev);
                e->pml_used = 0; /* vmx_flush_pml_buffer */
                return false;
        }
        *leaf |= PTE_D;
        if (!s->dirty.on)
                return true;
        e->pml_used++;
        if (e->leaf_level == 1) {
                sim_log_dirty(s, gfn, DETAIL_DIRTY_PML);
        } else {
                /* One D bit for 2M: later writes inside it are not seen, so
                 * the VMM must report the whole large page. */
                uint64_t span = level_span(e->leaf_level) >> PAGE_SHIFT;
                sim_log_dirty_range(s, gfn & ~(span - 1), (uint32_t)span, DETAIL_DIRTY_PML);
        }
        return true;
}

/* A write the CPU makes outside a walk (a store through the TLB, a store
 * into a guest table): when the buffer was full it is retried after the
 * drain, and then succeeds. */
static void nested_write(struct sim *s, struct ept *e, uint64_t gfn)
{
        if (!nested_set_dirty(s, e, gfn))
                nested_set_dirty(s, e, gfn);
}

static void ept_write_hit_clean(struct sim *s, uint64_t gpa)
{
        nested_write(s, s->mmu_state, gpa >> PAGE_SHIFT);
}

/* The guest kernel stores into its table at st->gfn: the CPU's write to
 * that GPA. Its linear address (the kernel's mapping of the table) is taken
 * to hit the TLB: only the nested side is modelled. */
static void ept_before_store(struct sim *s, const struct pt_store *st)
{
        struct ept *e = s->mmu_state;
        nested_ensure(s, e, st->gfn, 0, ACCESS_WRITE, true);
        nested_write(s, e, st->gfn);
}

/* KVM flushes the PML buffer into the dirty bitmap on every VM exit. */
static void ept_vm_exit(struct sim *s, enum exit_reason reason)
{
        struct ept *e = s->mmu_state;
        (void)reason;
        e->pml_used = 0;
}

/* Dirty logging with EPT A/D bits and PML: a round starts with every
 * nested D bit clear (and the TLB flushed, since it caches them); a sync
 * drains the buffer (the VMM kicks the vCPU out to do so). */
static void ept_dirty_log(struct sim *s, enum dirty_log_action action)
{
        struct ept *e = s->mmu_state;
        e->pml_used = 0;
        if (action != DIRTY_LOG_START)
                return;
        /* Leaves are the pages reached from level 2; clearing D everywhere
         * is harmless for upper levels, which never carry it. */
        for (uint32_t ix = 0; ix < e->npages; ix++)
                for (unsigned i = 0; i < PT_ENTRIES; i++)
                        e->pages[ix].entry[i] &= ~PTE_D;
        sim_vmm_flush(s);
}

/* Sets the nested D bit of every guest table frame the walk read (EPT A/D
 * treats those reads as writes). Returns false when a PML-full exit came
 * first: the walk then starts again. */
static bool walk_tables_dirty(struct sim *s, struct ept *e, const struct guest_walk *w,
                              const struct ept_plan *p)
{
        for (int level = p->first; level >= p->last; level--)
                if (!nested_set_dirty(s, e, w->table_gfn[level]))
                        return false;
        return true;
}

/* The two-dimensional walk. Each guest table read needs its frame through
 * the nested table first; so does the final data frame. A violation exits,
 * the VMM maps the frame, and the walk starts over; so does a PML-full
 * exit. Only the walk that completes is counted: an aborted one is paid
 * for by its exit. */
static void ept_translate(struct sim *s, uint64_t gva, enum access_kind kind, struct translation *t)
{
        struct ept *e = s->mmu_state;
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        bool permitted = w.present && pte_permits(w.leaf, kind);
        struct ept_plan p;
        uint64_t gfn = w.gpa >> PAGE_SHIFT;
        for (;;) {
                ept_plan(s, e, gva, &w, permitted, &p);
                e->pwc = p.npwc; /* the nested walks made stay cached */
                if (p.missing) {
                        nested_ensure(s, e, p.first_missing, gva, kind, false);
                        continue;
                }
                for (int level = p.first; level >= p.last; level--)
                        nested_ensure(s, e, w.table_gfn[level], gva, kind, false); /* prealloc */
                if (permitted)
                        nested_ensure(s, e, gfn, gva, kind, false);
                if (!walk_tables_dirty(s, e, &w, &p))
                        continue;
                if (s->cfg.pwc)
                        pwc_remember(&s->pwc, sim_pwc_space(s), gva, s->guest.levels, p.last);
                if (!permitted)
                        break;
                guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
                if (kind != ACCESS_WRITE || nested_set_dirty(s, e, gfn))
                        break;
        }
        t->refs = p.guest_refs + p.nested_refs;
        t->nested_refs = p.nested_refs;
        if (!permitted) {
                t->fault = true; /* delivered to the guest directly: no exit */
                return;
        }
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        /* The TLB caches the smaller of the two page sizes. */
        t->level = w.leaf_level < e->leaf_level ? w.leaf_level : e->leaf_level;
        t->perm = w.leaf & PTE_PERM_MASK;
        t->dirty = (w.leaf & PTE_D) && (*nested_leaf(e, gfn) & PTE_D);
}

const struct mmu_ops mmu_ept_ops = {
    .create = ept_create,
    .destroy = ept_destroy,
    .clone = ept_clone,
    .before_store = ept_before_store,
    .translate = ept_translate,
    .write_hit_clean = ept_write_hit_clean,
    .vm_exit = ept_vm_exit,
    .dirty_log = ept_dirty_log,
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

void mmu_ept_view_walk(const struct sim *s, const struct guest_walk *w, struct mmu_walk_view *v)
{
        struct ept_plan p;
        ept_plan(s, s->mmu_state, w->gva, w, w->present, &p);
        *v = (struct mmu_walk_view){
            .complete = p.missing == 0 && w->present,
            .refs = p.guest_refs + p.nested_refs,
            .nested_refs = p.nested_refs,
            .missing = p.missing,
            .first_missing_gpa = p.first_missing << PAGE_SHIFT,
            .leaf_level = w->leaf_level,
        };
}
