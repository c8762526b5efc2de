/*
 * mmu_ept.c - nested paging (Intel EPT, AMD NPT).
 *
 * The guest owns its page tables outright: its stores, CR3 loads and INVLPG
 * never exit. The price is paid on a TLB miss: every guest table the walker
 * reads sits at a guest physical address that must itself be translated
 * through the nested table, so with n guest levels and m nested levels a
 * cold walk makes (n + 1)(m + 1) - 1 memory references (24 for 4 + 4).
 *
 * The nested table (nested.h) is a real radix tree in host memory, filled
 * on demand: the first touch of a guest frame that has no nested entry is
 * an EPT violation, the VMM maps the frame (to the same host frame every
 * scheme uses) and the guest instruction restarts, walk and all. The touch
 * may be a walk reading a guest table, the access itself, or the guest
 * kernel's store into one of its tables: the CPU writes that GPA, so the
 * store takes the violation, not the next walk. With --prealloc the host
 * backed all of guest memory before the guest ran: nothing violates.
 *
 * Host memory is 4K-granular by default, so nested leaves are 4K and a
 * guest large page is cached by the TLB in 4K pieces ("splintering"). With
 * --host-pages 2M the host backs guest memory with 2M pages: nested walks
 * are a level shorter, a violation maps 2M at once, the TLB may hold 2M
 * entries for guest 2M pages, and dirty logging becomes coarse: one D bit
 * covers 512 frames, all of which the VMM must report.
 *
 * EPT A/D flags are on (page-modification logging needs them), so the CPU
 * sets the nested D bit of every page it writes and, while the VMM logs
 * dirty pages, appends its GPA to the 512-entry PML buffer. As the SDM says
 * ("Accessed and Dirty Flags for EPT", Vol. 3C section 28.2.4 in 2014
 * editions, 28.3.5 later, 29.3.5 since 2023), with EPT A/D enabled the
 * processor's accesses to guest paging-structure entries are treated as
 * writes: every guest table frame a walk reads gets its nested D bit set
 * and is logged (KVM's emulation of nested EPT does the same). The PML
 * buffer ("Page-Modification Logging", 28.3.6 / 29.3.6): when the CPU must
 * log a GPA and all 512 entries are used, a PML-full exit comes first, the
 * access waits, and after the VMM drains the buffer the GPA is logged. KVM
 * drains it on every VM exit (vmx_flush_pml_buffer, called from
 * vmx_handle_exit), so any exit empties it. KVM creates nested entries with
 * their A bit already set, so only D-bit updates reach the buffer; the
 * model keeps no nested A bits.
 *
 * With --pwc, the walker caches upper-level entries in both dimensions:
 * guest links (which skip guest levels and their nested walks) and nested
 * links (which shorten each nested walk), the way the cold 24 references
 * shrink on real hardware.
 *
 * A walk is first planned on the current state (nested_plan), which is
 * also what the debugger's translate shows, then carried out.
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "nested.h"
#include "scheme.h"
#include "xalloc.h"

/* The page-modification log: the CPU appends the GPA of every page whose
 * nested D bit it sets while the VMM logs. */
#define PML_ENTRIES 512

struct ept {
        struct nested nest;
        uint32_t pml_used[SIM_MAX_VCPUS]; /* entries in each vCPU's PML buffer (a VMCS
                                             field: one buffer per vCPU) */
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

/* Makes sure gfn has its nested entry (a violation when it has none). */
static void ensure_mapped(struct sim *s, struct ept *e, uint64_t gfn, uint64_t gva)
{
        if (!nested_leaf(&e->nest, gfn))
                nested_map(s, &e->nest, gfn, gva);
}

/* The CPU writes gfn, which has its nested entry: it sets the nested D bit
 * and, while the VMM logs, logs the page. Returns false when the PML
 * buffer was full: the PML-full exit came first, the VMM drained the
 * buffer and nothing was set; the CPU then retries the access. */
static bool set_dirty(struct sim *s, struct ept *e, uint64_t gfn)
{
        uint64_t *leaf = nested_leaf(&e->nest, gfn);
        if (*leaf & PTE_D)
                return true;
        if (s->dirty.on && e->pml_used[s->cpu] == PML_ENTRIES) {
                struct event ev = {.kind = EV_VM_EXIT,
                                   .reason = EXIT_PML_FULL,
                                   .gpa = gfn << PAGE_SHIFT,
                                   .count = PML_ENTRIES};
                sim_emit(s, &ev);
                e->pml_used[s->cpu] = 0; /* vmx_flush_pml_buffer */
                return false;
        }
        *leaf |= PTE_D;
        if (!s->dirty.on)
                return true;
        e->pml_used[s->cpu]++;
        if (e->nest.leaf_level == 1) {
                sim_log_dirty(s, gfn, DETAIL_DIRTY_PML);
        } else {
                /* One D bit for 2M: later writes inside it are not seen, so
                 * the VMM must report the whole large page. */
                uint64_t span = level_span(e->nest.leaf_level) >> PAGE_SHIFT;
                sim_log_dirty_range(s, gfn & ~(span - 1), (uint32_t)span, DETAIL_DIRTY_PML);
        }
        return true;
}

/* A write the CPU makes outside a walk (a store through the TLB, a store
 * into a guest table): after a PML-full exit it is retried and succeeds. */
static void write_frame(struct sim *s, struct ept *e, uint64_t gfn)
{
        if (!set_dirty(s, e, gfn))
                set_dirty(s, e, gfn);
}

static void ept_write_hit_clean(struct sim *s, uint64_t gpa)
{
        write_frame(s, s->mmu_state, gpa >> PAGE_SHIFT);
}

/* The guest kernel stores into its table at st->gfn: the CPU's write to
 * that GPA. Its linear address (the kernel's mapping of the table) is taken
 * to hit the TLB: only the nested side is modelled. */
static void ept_before_store(struct sim *s, const struct pt_store *st)
{
        struct ept *e = s->mmu_state;
        if (!nested_leaf(&e->nest, st->gfn))
                nested_map_at_store(s, &e->nest, st->gfn);
        write_frame(s, e, st->gfn);
}

/* KVM flushes the PML buffer into the dirty bitmap on every VM exit. */
static void ept_vm_exit(struct sim *s, enum exit_reason reason)
{
        struct ept *e = s->mmu_state;
        (void)reason;
        e->pml_used[s->cpu] = 0;
}

/* Dirty logging with EPT A/D bits and PML: a round starts with every
 * nested D bit clear and every vCPU's TLB flushed, since it caches them
 * (kvm_mmu_slot_leaf_clear_dirty, then kvm_flush_remote_tlbs): the one
 * change to the nested table that can leave a TLB entry stale, and so the
 * only remote flush under EPT (building nested entries on violations
 * leaves none). A sync drains the buffer (the VMM kicks the vCPU out to do
 * so). */
static void ept_dirty_log(struct sim *s, enum dirty_log_action action)
{
        struct ept *e = s->mmu_state;
        /* Every vCPU's buffer is drained (kvm_flush_pml_buffers kicks each;
         * those kicks are not counted as exits here). */
        memset(e->pml_used, 0, sizeof e->pml_used);
        if (action != DIRTY_LOG_START)
                return;
        /* Leaves are the pages reached from level 2; clearing D everywhere
         * is harmless for upper levels, which never carry it. */
        nested_clear_dirty(&e->nest);
        sim_vmm_flush_all(s, DETAIL_NONE);
}

/* The guest levels a walk of gva reads, first down to last: below the
 * deepest link the guest-dimension page-walk cache holds. */
static int first_level(const struct sim *s, uint64_t gva, int last)
{
        return last - 1 + (int)sim_walk_refs_peek(s, gva, last);
}

/* Sets the nested D bit of every guest table frame the walk read (EPT A/D
 * treats those reads as writes). Returns false when a PML-full exit came
 * first: the walk then starts again. */
static bool tables_dirty(struct sim *s, struct ept *e, const struct guest_walk *w, int first,
                         int last)
{
        for (int level = first; level >= last; level--)
                if (!set_dirty(s, e, w->table_gfn[level]))
                        return false;
        return true;
}

/* The two-dimensional walk. Each guest table read needs its frame through
 * the nested table first; so does the final data frame. A violation exits,
 * the VMM maps the frame, and the walk starts over; so does a PML-full
 * exit. Only the walk that completes is counted: an aborted one is paid
 * for by its exit. */
static void ept_translate(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                          struct translation *t)
{
        struct ept *e = s->mmu_state;
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        bool allowed = w.present && sim_allows(s, w.rights, kind, user);
        int last = s->guest.levels - w.depth + 1, first;
        uint64_t gfn = w.gpa >> PAGE_SHIFT;
        struct nested_plan p;
        for (;;) {
                first = first_level(s, gva, last);
                nested_plan(s, &e->nest, &w, first, last, allowed, &p);
                s->pwc_nested = p.pwc; /* the nested walks made stay cached */
                bool data_missing = allowed && !nested_known(s, &e->nest, gfn);
                if (p.missing > data_missing) { /* a guest table's frame */
                        nested_map(s, &e->nest, p.first_missing, gva);
                        continue;
                }
                for (int level = first; level >= last; level--)
                        ensure_mapped(s, e, w.table_gfn[level], gva); /* preallocated */
                if (!tables_dirty(s, e, &w, first, last))
                        continue;
                /* The guest walk is done: its links are cached even when the
                 * data frame's translation then fails (SDM 4.10.3.1). */
                if (s->cfg.pwc)
                        pwc_remember(&s->pwc, sim_pwc_space(s), gva, s->guest.levels, last);
                if (!allowed)
                        break;
                if (data_missing) {
                        nested_map(s, &e->nest, gfn, gva);
                        continue;
                }
                ensure_mapped(s, e, gfn, gva); /* preallocated */
                guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
                if (kind != ACCESS_WRITE || set_dirty(s, e, gfn))
                        break;
        }
        t->refs = p.guest_refs + p.nested_refs;
        t->nested_refs = p.nested_refs;
        if (!allowed) {
                sim_fault(t, w.present, kind, user); /* delivered directly: no exit */
                return;
        }
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        /* The TLB caches the smaller of the two page sizes. */
        t->level = w.leaf_level < e->nest.leaf_level ? w.leaf_level : e->nest.leaf_level;
        t->page_level = w.leaf_level;
        t->perm = w.rights;
        t->dirty = (w.leaf & PTE_D) && (*nested_leaf(&e->nest, gfn) & PTE_D);
}

static const struct mmu_ops ept_ops = {
    .exits_on_ipi = true,
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
        *t = (struct mmu_table_view){.entries = &e->nest.pages[id],
                                     .level = id == 0 ? e->nest.levels : 0};
        return true;
}

static uint32_t ept_view_count(const struct sim *s)
{
        const struct ept *e = s->mmu_state;
        return e->nest.npages;
}

static size_t ept_view_bytes(const struct sim *s)
{
        const struct ept *e = s->mmu_state;
        return sizeof *e + nested_bytes(&e->nest);
}

static const struct nested *ept_view_nested(const struct sim *s)
{
        const struct ept *e = s->mmu_state;
        return &e->nest;
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
    .view_bytes = ept_view_bytes,
    .view_nested = ept_view_nested,
};
