/*
 * mmu_shadow.c - shadow paging, as KVM (and Xen) did it before EPT/NPT.
 *
 * The hardware walks shadow tables that the VMM builds from the guest's:
 * they map GVA straight to HPA. To keep them true, every guest table frame
 * that has a shadow page is write-protected, so a guest store into it exits
 * and the VMM emulates it and fixes the shadow. Shadow entries are filled
 * lazily: a TLB miss that finds no shadow entry is a "hidden" page fault;
 * the VMM walks the guest table, fills the shadow and resumes the guest, or
 * injects a #PF when the guest has no mapping. CR3 loads and INVLPG exit.
 *
 * One scheme, three policies (struct shadow_policy), each a real design:
 * - shadow-eager: the textbook VMM that mirrors every guest table the
 *   moment it is linked and updates the shadow at every trapped store;
 * - shadow: KVM before out-of-sync pages (Linux 2.6.26 and earlier):
 *   filled on faults; an emulated leaf store updates the shadow entry
 *   (kvm_mmu_pte_write's mmu_pte_write_new_pte) and flushes the TLB; a
 *   table emulated-written 3 times without being used by a walk is
 *   unshadowed ("write flooding");
 * - shadow-oos: KVM today (arch/x86/kvm/mmu/mmu.c, paging_tmpl.h): a leaf
 *   table's first trapped store unprotects it and marks it unsync
 *   (mmu_try_to_unsync_pages); INVLPG syncs just the entry it names and the
 *   page stays unsync (kvm_mmu_invlpg, the sync_spte path); a CR3 load or
 *   flush syncs the unsync pages reachable from the new root
 *   (KVM_REQ_MMU_SYNC, mmu_sync_children); an emulated store into a table
 *   still protected zaps the entry (kvm_mmu_track_write) and flushes when it
 *   was present; write flooding skips level-1 pages (detect_write_flooding);
 *   a shadow fault prefetches up to 8 aligned neighbouring guest PTEs that
 *   are present and accessed (FNAME(pte_prefetch)).
 *
 * Shadow pages are keyed as KVM keys them: guest frame, level, direct, and
 * the rights of the guest entries above (role.access). A guest large page
 * is shadowed by 4K entries in "direct" shadow pages whose rights are the
 * large entry's, so a changed large entry can never leave a writable or
 * executable shadow entry behind. Each vCPU keeps its current root and 3
 * previous ones (kvm_mmu_new_pgd's prev_roots); a root that falls out of
 * that cache keeps its shadow pages, which stay hashed and write-protected
 * and are found again when the guest loads that CR3 again. With A/D
 * emulation a clean page is mapped read-only, so the first write exits and
 * the VMM sets the guest D bit.
 *
 * Simplification: VMM exits assume VPID, so an exit does not flush the TLB
 * by itself (before VPID, Intel CPUs flushed the whole TLB on every exit).
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "nested.h"
#include "scheme.h"
#include "xalloc.h"

#define NONE          UINT32_MAX
#define ROOT_CACHE    4 /* current root + 3 previous (KVM_MMU_NUM_PREV_ROOTS) */
#define FLOOD_LIMIT   3 /* emulated writes without a walk before unshadowing */
#define PREFETCH_SPAN 8 /* PTE_PREFETCH_NUM: an aligned group of 8 entries */

/* When the VMM flushes the TLB after changing shadow entries. */
enum vmm_flush {
        FLUSH_RANGE,       /* drop exactly the entries the change can affect */
        FLUSH_IF_PRESENT,  /* flush all when a present entry changed (KVM today) */
        FLUSH_EVERY_WRITE, /* flush all after every emulated write (KVM <= 2.6.26) */
};

/* What a shadow page is. */
enum spage_kind {
        SP_INDIRECT, /* mirrors a guest table, which it write-protects */
        SP_DIRECT,   /* backs part of a guest large page, protects nothing */
        SP_NESTED,   /* agile: the walk switches to nested mode at this guest table */
};

/* What distinguishes the designs; every decision below asks this. */
struct shadow_policy {
        bool agile;       /* agile paging: often-written tables are walked nested */
        bool eager;       /* mirror every guest table when it is linked */
        bool update_leaf; /* an emulated leaf store updates the entry, else zaps it */
        bool unsync;      /* leaf tables may go out of sync */
        bool flood_leaf;  /* write flooding counts level-1 pages too */
        bool prefetch;    /* a shadow fault prefetches 8 neighbours */
        enum vmm_flush flush;
};

static const struct shadow_policy policy_eager = {
    .eager = true, .update_leaf = true, .flush = FLUSH_RANGE};
static const struct shadow_policy policy_kvm_old = {
    .update_leaf = true, .flood_leaf = true, .flush = FLUSH_EVERY_WRITE};
static const struct shadow_policy policy_kvm_today = {
    .unsync = true, .prefetch = true, .flush = FLUSH_IF_PRESENT};
static const struct shadow_policy policy_agile = {.agile = true, .flush = FLUSH_IF_PRESENT};

struct spage {
        uint64_t gfn;         /* guest table shadowed; direct: first guest frame covered */
        uint64_t gva_base;    /* lowest GVA this page translates */
        uint32_t parent_head; /* first link into links[] naming a parent entry */
        uint8_t level;
        uint8_t access;     /* role.access: the rights above, packed (pack_rights) */
        bool direct;        /* backs part of a guest large page, protects nothing */
        bool nested;        /* agile: guest table gfn (at level) is walked nested;
                               holds no entries, protects nothing */
        bool unsync;        /* out of sync: its guest table is writable */
        bool valid;         /* false once zapped (the slot is then free) */
        uint8_t flood;      /* emulated writes since last used by a walk */
        struct ptable spte; /* upper: P | child id; leaf: P | rights | HFN */
};

/* "Entry index of page parent points to me": KVM's parent-pte rmap. */
struct plink {
        uint32_t parent, next;
        uint16_t index;
};

struct cached_root {
        uint64_t root_gfn; /* guest root table */
        uint32_t page;     /* its shadow page */
};

/* One vCPU's current root and the 3 before it: each vCPU loads its own
 * CR3, so KVM keeps root and prev_roots per vCPU (vcpu->arch.mmu), while
 * the shadow pages themselves are the VM's (kvm->arch.mmu_page_hash). */
struct root_cache {
        struct cached_root roots[ROOT_CACHE]; /* [0] is the current root */
        unsigned n;
};

struct shadow {
        const struct shadow_policy *policy;
        int levels;
        struct spage *pages;
        uint32_t npages, cap_pages, free_pages; /* free_pages: freed ids chained via parent_head */
        size_t table_heap; /* heap bytes of the pages' entries (ptable_bytes) */
        struct plink *links;
        uint32_t nlinks, cap_links, free_links;
        struct u64map by_key; /* spage_key() -> page id */
        struct u64map wp;     /* guest gfn -> shadow pages keeping it write-protected */
        uint32_t unsync_count;
        struct root_cache *rc; /* one per vCPU */
        unsigned nvcpus;
        /* Agile paging only. */
        struct nested nest;          /* the nested dimension, below a switch */
        struct u64map nested_tables; /* guest table gfn -> writes this interval << 3 | level */
        struct u64map writes;        /* shadowed table gfn -> trapped writes this interval */
        uint64_t next_interval;      /* op count at which the interval ends */
};

/* role.access in 3 bits: W, U and NX. */
#define ACCESS_VALUES 8
static uint8_t pack_rights(uint64_t rights)
{
        return (uint8_t)((rights & (PTE_W | PTE_U)) | (rights >> 63));
}

static uint64_t unpack_rights(uint8_t access)
{
        return (access & (PTE_W | PTE_U)) | ((uint64_t)(access & 1) << 63);
}

static uint64_t spage_key(uint64_t gfn, int level, enum spage_kind kind, uint8_t access)
{
        return gfn << 9 | (uint64_t)kind << 7 | (uint64_t)access << 4 | (uint64_t)level;
}

static enum spage_kind kind_of(const struct spage *sp)
{
        return sp->nested ? SP_NESTED : sp->direct ? SP_DIRECT : SP_INDIRECT;
}

/* Whether the page write-protects its guest table. */
static bool protects(const struct spage *sp)
{
        return !sp->direct && !sp->nested && !sp->unsync;
}

static uint64_t key_of(const struct spage *sp)
{
        return spage_key(sp->gfn, sp->level, kind_of(sp), sp->access);
}

/* ---- page and link pools ------------------------------------------------ */

static uint32_t alloc_page(struct shadow *sh)
{
        uint32_t id;
        if (sh->free_pages != NONE) {
                id = sh->free_pages;
                sh->free_pages = sh->pages[id].parent_head;
        } else {
                if (sh->npages == sh->cap_pages) {
                        sh->cap_pages = sh->cap_pages ? sh->cap_pages * 2 : 16;
                        sh->pages = xrealloc(sh->pages, sh->cap_pages, sizeof *sh->pages);
                }
                id = sh->npages++;
        }
        memset(&sh->pages[id], 0, sizeof sh->pages[id]);
        sh->pages[id].parent_head = NONE;
        return id;
}

static void add_parent(struct shadow *sh, uint32_t child, uint32_t parent, unsigned index)
{
        uint32_t l;
        if (sh->free_links != NONE) {
                l = sh->free_links;
                sh->free_links = sh->links[l].next;
        } else {
                if (sh->nlinks == sh->cap_links) {
                        sh->cap_links = sh->cap_links ? sh->cap_links * 2 : 64;
                        sh->links = xrealloc(sh->links, sh->cap_links, sizeof *sh->links);
                }
                l = sh->nlinks++;
        }
        sh->links[l] = (struct plink){parent, sh->pages[child].parent_head, (uint16_t)index};
        sh->pages[child].parent_head = l;
}

static void remove_parent(struct shadow *sh, uint32_t child, uint32_t parent, unsigned index)
{
        uint32_t *p = &sh->pages[child].parent_head;
        while (*p != NONE) {
                struct plink *l = &sh->links[*p];
                if (l->parent == parent && l->index == index) {
                        uint32_t dead = *p;
                        *p = l->next;
                        sh->links[dead].next = sh->free_links;
                        sh->free_links = dead;
                        return;
                }
                p = &l->next;
        }
}

/* Counts one more (delta +1) or one fewer (-1) shadow page keeping guest
 * frame gfn write-protected. Returns whether the frame became protected. */
static bool wp_adjust(struct shadow *sh, uint64_t gfn, int delta)
{
        uint32_t n = 0;
        u64map_get(&sh->wp, gfn, &n);
        bool was = n != 0;
        n = (uint32_t)((int)n + delta);
        if (n)
                u64map_put(&sh->wp, gfn, n);
        else
                u64map_del(&sh->wp, gfn);
        return !was && n != 0;
}

/* The VMM write-protected a guest table frame the guest could write until
 * now (it wrote the table when it built it, or while it was out of sync):
 * another vCPU's TLB may still hold a writable translation of that frame,
 * so KVM flushes every vCPU (account_shadowed or mmu_sync_children
 * write-protect the frame's sptes, then kvm_flush_remote_tlbs_gfn or
 * kvm_flush_remote_tlbs). The model's TLBs hold no translation of the
 * tables themselves (the guest's stores into them are modelled apart), so
 * the VMM's own vCPU is left as it was and only the others are kicked: the
 * cost of write protection on a machine of several vCPUs. */
static void write_protected(struct sim *s)
{
        sim_vmm_flush_others(s, 0, 0, DETAIL_FLUSH_SHADOW);
}

static void *shadow_create(struct sim *s)
{
        struct shadow *sh = xcalloc(1, sizeof *sh);
        sh->policy = scheme_of(s->cfg.mode)->policy;
        sh->levels = s->cfg.levels;
        sh->free_pages = sh->free_links = NONE;
        sh->nvcpus = s->cfg.vcpus;
        sh->rc = xcalloc(sh->nvcpus, sizeof *sh->rc);
        u64map_init(&sh->by_key);
        u64map_init(&sh->wp);
        u64map_init(&sh->nested_tables);
        u64map_init(&sh->writes);
        if (sh->policy->agile) {
                nested_init(&sh->nest, &s->cfg);
                sh->next_interval = s->cfg.agile_interval;
        }
        return sh;
}

static void shadow_destroy(void *state)
{
        struct shadow *sh = state;
        for (uint32_t id = 0; id < sh->npages; id++)
                ptable_free(&sh->pages[id].spte, NULL);
        free(sh->pages);
        free(sh->links);
        free(sh->rc);
        u64map_free(&sh->by_key);
        u64map_free(&sh->wp);
        u64map_free(&sh->nested_tables);
        u64map_free(&sh->writes);
        nested_free(&sh->nest);
        free(sh);
}

static void *shadow_clone(const void *state)
{
        const struct shadow *src = state;
        struct shadow *sh = xmemdup(src, sizeof *src);
        sh->pages = xmemdup(src->pages, src->cap_pages * sizeof *src->pages);
        sh->table_heap = 0;
        for (uint32_t id = 0; id < src->npages; id++)
                ptable_clone(&sh->pages[id].spte, &src->pages[id].spte, &sh->table_heap);
        sh->links = xmemdup(src->links, src->cap_links * sizeof *src->links);
        sh->rc = xmemdup(src->rc, src->nvcpus * sizeof *src->rc);
        u64map_clone(&sh->by_key, &src->by_key);
        u64map_clone(&sh->wp, &src->wp);
        u64map_clone(&sh->nested_tables, &src->nested_tables);
        u64map_clone(&sh->writes, &src->writes);
        if (src->nest.pages)
                nested_clone(&sh->nest, &src->nest);
        return sh;
}

/* ---- shadow entries ----------------------------------------------------- */

/* Entry index of shadow page page. */
static uint64_t spte_at(const struct shadow *sh, uint32_t page, unsigned index)
{
        return ptable_get(&sh->pages[page].spte, index);
}

/* Entry index of shadow page page becomes spte (the VMM's store; what it
 * reports and flushes is the caller's). */
static void set_spte(struct shadow *sh, uint32_t page, unsigned index, uint64_t spte)
{
        ptable_set(&sh->pages[page].spte, index, spte, &sh->table_heap);
}

/* Entry index of the guest table gt (NULL: none, all entries 0). */
static uint64_t gpte_at(const struct ptable *gt, unsigned index)
{
        return gt ? ptable_get(gt, index) : 0;
}

/* The shadow leaf for guest frame gfn with the given effective rights (the
 * rights above, folded with the guest leaf's, as FNAME(fetch) computes
 * pte_access): with A/D emulation writable only once the guest entry is
 * dirty (FNAME(protect_clean_gpte)); while dirty logging, writable only
 * once the page is logged this round. */
static uint64_t leaf_spte(const struct sim *s, uint64_t gfn, uint64_t rights, bool guest_dirty)
{
        uint64_t perm = rights;
        if (s->cfg.ad_emulation && !guest_dirty)
                perm &= ~PTE_W;
        if (s->dirty.on && !sim_is_logged(s, gfn))
                perm &= ~PTE_W;
        return pte_make(hostmem_hfn(&s->host, gfn), PTE_P | perm);
}

/* The shadow leaf of entry index of page for guest entry gpte (a 4K leaf
 * of an indirect page), or 0 when gpte maps nothing. */
static uint64_t indirect_leaf(const struct sim *s, const struct spage *sp, uint64_t gpte)
{
        if (!pte_present(gpte))
                return 0;
        uint64_t rights = pte_rights_fold(unpack_rights(sp->access), gpte);
        return leaf_spte(s, pte_frame(gpte), rights, (gpte & PTE_D) != 0);
}

static uint64_t spte_hpa(uint64_t spte)
{
        return pte_frame(spte) << PAGE_SHIFT;
}

static void emit_shadow(struct sim *s, enum event_kind kind, uint64_t gva, uint32_t page,
                        unsigned index, uint64_t old_spte, uint64_t new_spte, uint8_t detail)
{
        struct shadow *sh = s->mmu_state;
        struct event ev = {
            .kind = kind,
            .gva = gva,
            .hpa = spte_hpa(new_spte ? new_spte : old_spte),
            .table_gpa = sh->pages[page].gfn << PAGE_SHIFT,
            .old_entry = old_spte,
            .new_entry = new_spte,
            .index = (uint16_t)index,
            .level = sh->pages[page].level,
            .count = 1,
            .detail = detail,
        };
        sim_emit(s, &ev);
}

/* Drops the TLB entries that shadow entries for [gva, gva + span) may have
 * produced (in every address space for a kernel address under PCID, since
 * the kernel's tables are shared), as one TLB_DROP event, on every vCPU:
 * the shadow tables are shared, so the other vCPUs drop the range too. */
static void drop_tlb(struct sim *s, uint64_t gva, uint64_t span)
{
        bool every_space = guest_va_kernel(&s->guest, gva) && s->tlb.pcid;
        sim_tlb_drop(s, sim_asid(s), every_space, gva, span);
        sim_vmm_flush_others(s, gva, span, DETAIL_FLUSH_SHADOW);
}

/* The VMM's TLB work after it changed the shadow entry at index of page
 * (present_changed: the old entry was present), by the policy. A change
 * to a present entry can leave it stale in any vCPU's TLB, as the shadow
 * tables are shared: it is invalidated on every vCPU; a new entry can be
 * cached nowhere yet. */
static void after_spte_change(struct sim *s, uint32_t page, unsigned index, bool present_changed)
{
        struct shadow *sh = s->mmu_state;
        const struct spage *sp = &sh->pages[page];
        uint64_t span = level_span(sp->level);
        switch (sh->policy->flush) {
        case FLUSH_RANGE:
                if (present_changed)
                        drop_tlb(s, sp->gva_base + index * span, span);
                break;
        case FLUSH_IF_PRESENT: /* kvm_mmu_track_write: kvm_mmu_remote_flush_or_zap */
                if (present_changed)
                        sim_vmm_flush_all(s, DETAIL_FLUSH_SHADOW);
                break;
        case FLUSH_EVERY_WRITE:
                /* mmu_pte_write_flush_tlb (Linux 2.6.26): every vCPU when
                 * the old entry was present (need_remote_flush), else only
                 * the VMM's own. */
                if (present_changed)
                        sim_vmm_flush_all(s, DETAIL_FLUSH_SHADOW);
                else
                        sim_vmm_flush(s, DETAIL_FLUSH_SHADOW);
                break;
        }
}

/* Whether an entry of a table at level links a child shadow page (rather
 * than map a page: a 4K leaf, or a large one at level 2). */
static bool is_link(uint64_t spte, int level)
{
        return pte_present(spte) && level > 1 && !(spte & PTE_PS);
}

/* Clears a shadow entry; a link also stops naming its child, and the
 * walker's cached copies of links go (the VMM's INVLPG of them). */
static void unlink_child(struct sim *s, uint32_t page, unsigned index)
{
        struct shadow *sh = s->mmu_state;
        uint64_t spte = spte_at(sh, page, index);
        if (is_link(spte, sh->pages[page].level)) {
                remove_parent(sh, (uint32_t)pte_frame(spte), page, index);
                pwc_flush(&s->pwc);
        }
        set_spte(sh, page, index, 0);
}

/* Zaps shadow entry index of page when present: SHADOW_ZAP, no TLB work. */
static bool zap_entry(struct sim *s, uint32_t page, unsigned index)
{
        struct shadow *sh = s->mmu_state;
        uint64_t old = spte_at(sh, page, index);
        if (!pte_present(old))
                return false;
        const struct spage *sp = &sh->pages[page];
        uint64_t gva = sp->gva_base + (uint64_t)index * level_span(sp->level);
        const struct ptable *gt = sp->direct ? NULL : guest_table_at(&s->guest, sp->gfn);
        bool guest_maps = pte_present(gpte_at(gt, index));
        unlink_child(s, page, index);
        struct event ev = {
            .kind = EV_SHADOW_ZAP,
            .gva = gva,
            .hpa = spte_hpa(old),
            .table_gpa = sp->gfn << PAGE_SHIFT,
            .old_entry = old,
            .index = (uint16_t)index,
            .level = sp->level,
            .count = 1,
            .detail = DETAIL_ZAP_ENTRY,
            .guest_maps = guest_maps,
        };
        sim_emit(s, &ev);
        return true;
}

/* The running vCPU's cache of roots. */
static struct root_cache *cpu_roots(const struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        return &sh->rc[s->cpu];
}

/* The running vCPU's current shadow root. */
static uint32_t root_page(const struct sim *s)
{
        return cpu_roots(s)->roots[0].page;
}

/* Whether page is a root some vCPU has cached. */
static bool is_cached_root(const struct shadow *sh, uint32_t page)
{
        for (unsigned c = 0; c < sh->nvcpus; c++)
                for (unsigned i = 0; i < sh->rc[c].n; i++)
                        if (sh->rc[c].roots[i].page == page)
                                return true;
        return false;
}

/* Unshadows a page (kvm_mmu_prepare_zap_page): parents stop pointing at it,
 * its children lose it as a parent (they stay hashed, as orphans), its
 * guest table is no longer protected, and every vCPU's TLB is flushed
 * since entries built from it may be cached anywhere
 * (kvm_mmu_commit_zap_page: kvm_flush_remote_tlbs). */
static void zap_page(struct sim *s, uint32_t page, uint8_t detail)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        unsigned present = 0;
        for (unsigned i = ptable_next(&sp->spte, 0); i < PT_ENTRIES;
             i = ptable_next(&sp->spte, i + 1)) {
                present += pte_present(ptable_get(&sp->spte, i));
                unlink_child(s, page, i);
        }
        ptable_free(&sp->spte, &sh->table_heap); /* a dense page keeps its block when emptied */
        while (sp->parent_head != NONE) {
                struct plink l = sh->links[sp->parent_head];
                set_spte(sh, l.parent, l.index, 0);
                remove_parent(sh, page, l.parent, l.index);
        }
        if (protects(sp))
                wp_adjust(sh, sp->gfn, -1);
        if (sp->unsync)
                sh->unsync_count--;
        u64map_del(&sh->by_key, key_of(sp));
        struct event ev = {
            .kind = EV_SHADOW_ZAP,
            .gva = sp->gva_base,
            .table_gpa = sp->direct ? 0 : sp->gfn << PAGE_SHIFT,
            .level = sp->level,
            .count = present,
            .detail = detail,
        };
        sp->valid = false;
        pwc_flush(&s->pwc);
        sp->parent_head = sh->free_pages;
        sh->free_pages = page;
        sim_emit(s, &ev);
        sim_vmm_flush_all(s, DETAIL_ZAP_PAGE);
}

/* The page keyed (gfn, level, direct, access), or NONE. */
static uint32_t find_page(const struct shadow *sh, uint64_t gfn, int level, enum spage_kind kind,
                          uint8_t access)
{
        uint32_t id;
        return u64map_get(&sh->by_key, spage_key(gfn, level, kind, access), &id) ? id : NONE;
}

static void link_child(struct shadow *sh, uint32_t parent, unsigned index, uint32_t child)
{
        set_spte(sh, parent, index, pte_make(child, PTE_P | PTE_W));
        add_parent(sh, child, parent, index);
}

/* Where a shadow page is linked: entry index of page parent. */
struct spage_link {
        uint32_t parent;
        unsigned index;
};

/* The shadow page for (gfn, level, direct, access), created when missing
 * (kvm_mmu_get_shadow_page), and linked at *at when given: before its
 * SHADOW_PAGE event, which reports it in place (sim.h, "an event follows
 * its change"). *fresh tells whether it was created. */
static uint32_t get_page(struct sim *s, uint64_t gfn, int level, enum spage_kind kind,
                         uint8_t access, uint64_t gva_base, const struct spage_link *at,
                         bool *fresh)
{
        struct shadow *sh = s->mmu_state;
        bool direct = kind == SP_DIRECT;
        uint32_t id = find_page(sh, gfn, level, kind, access);
        *fresh = id == NONE;
        if (id != NONE) {
                if (at)
                        link_child(sh, at->parent, at->index, id);
                return id;
        }
        id = alloc_page(sh);
        struct spage *sp = &sh->pages[id];
        sp->gfn = gfn;
        sp->level = (uint8_t)level;
        sp->direct = direct;
        sp->nested = kind == SP_NESTED;
        sp->access = access;
        sp->valid = true;
        sp->gva_base = gva_base;
        u64map_put(&sh->by_key, key_of(sp), id);
        bool newly_protected = protects(sp) && wp_adjust(sh, gfn, +1);
        if (at)
                link_child(sh, at->parent, at->index, id);
        struct event ev = {
            .kind = EV_SHADOW_PAGE,
            .gva = gva_base,
            .table_gpa = direct ? 0 : gfn << PAGE_SHIFT,
            .gpa = gfn << PAGE_SHIFT,
            .level = (uint8_t)level,
            .detail = direct       ? DETAIL_DIRECT
                      : sp->nested ? DETAIL_AGILE
                                   : DETAIL_NONE,
        };
        sim_emit(s, &ev);
        if (newly_protected)
                write_protected(s);
        return id;
}

/* ---- eager mirroring ---------------------------------------------------- */

static void mirror_table(struct sim *s, uint32_t page);

/* Eager: makes shadow entry index of page match its guest entry now. */
static void mirror_entry(struct sim *s, uint32_t page, unsigned index)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        int level = sp->level;
        uint64_t gva = sp->gva_base + (uint64_t)index * level_span(level);
        uint64_t gpte = gpte_at(guest_table_at(&s->guest, sp->gfn), index);
        uint64_t old = ptable_get(&sp->spte, index);
        if (!pte_present(gpte) || (level > 1 && (gpte & PTE_PS))) {
                /* Not present, or a large leaf (shadowed on demand). */
                if (zap_entry(s, page, index))
                        after_spte_change(s, page, index, true);
                return;
        }
        if (level == 1) {
                uint64_t spte = indirect_leaf(s, sp, gpte);
                if (spte == old)
                        return;
                set_spte(sh, page, index, spte);
                emit_shadow(s, EV_SHADOW_UPDATE, gva, page, index, old, spte, DETAIL_NONE);
                after_spte_change(s, page, index, pte_present(old));
                return;
        }
        uint64_t child_gfn = pte_frame(gpte);
        uint8_t access = pack_rights(pte_rights_fold(unpack_rights(sp->access), gpte));
        if (is_link(old, level) && sh->pages[pte_frame(old)].gfn == child_gfn &&
            sh->pages[pte_frame(old)].access == access)
                return;
        if (zap_entry(s, page, index))
                after_spte_change(s, page, index, true);
        bool fresh;
        struct spage_link at = {page, index};
        uint32_t child = get_page(s, child_gfn, level - 1, SP_INDIRECT, access, gva, &at, &fresh);
        if (fresh)
                mirror_table(s, child);
}

/* The lowest index at or above from where page or the guest table it
 * mirrors holds an entry that is not 0 (PT_ENTRIES: none). */
static unsigned next_in_either(const struct sim *s, uint32_t page, unsigned from)
{
        const struct shadow *sh = s->mmu_state;
        const struct ptable *gt = guest_table_at(&s->guest, sh->pages[page].gfn);
        unsigned g = gt ? ptable_next(gt, from) : PT_ENTRIES;
        unsigned own = ptable_next(&sh->pages[page].spte, from);
        return g < own ? g : own;
}

static void mirror_table(struct sim *s, uint32_t page)
{
        for (unsigned i = next_in_either(s, page, 0); i < PT_ENTRIES;
             i = next_in_either(s, page, i + 1)) {
                struct shadow *sh = s->mmu_state;
                const struct ptable *gt = guest_table_at(&s->guest, sh->pages[page].gfn);
                if (pte_present(gpte_at(gt, i)) || pte_present(spte_at(sh, page, i)))
                        mirror_entry(s, page, i);
        }
}

/* ---- sync (out-of-sync policy) ------------------------------------------ */

/* Brings shadow entry index of an unsync leaf page in line with its guest
 * entry (FNAME(sync_spte)): a guest entry that is gone, not accessed or
 * names another frame zaps the shadow entry; otherwise its rights are
 * updated. Returns whether a present entry changed. */
static bool sync_entry(struct sim *s, uint32_t page, unsigned index)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        uint64_t old = ptable_get(&sp->spte, index);
        if (!pte_present(old))
                return false;
        uint64_t gpte = gpte_at(guest_table_at(&s->guest, sp->gfn), index);
        uint64_t spte = indirect_leaf(s, sp, gpte);
        bool same_frame = pte_present(spte) && pte_frame(spte) == pte_frame(old);
        if (!same_frame || !(gpte & PTE_A))
                return zap_entry(s, page, index);
        if (spte == old)
                return false;
        set_spte(sh, page, index, spte);
        emit_shadow(s, EV_SHADOW_UPDATE, sp->gva_base + (uint64_t)index * PAGE_SIZE, page, index,
                    old, spte, DETAIL_NONE);
        return true;
}

/* RESYNC of page (gva: the entry synced alone, or the page's base). */
static void emit_resync(struct sim *s, uint32_t page, uint64_t gva, unsigned compared,
                        uint8_t detail)
{
        struct shadow *sh = s->mmu_state;
        const struct spage *sp = &sh->pages[page];
        struct event ev = {
            .kind = EV_RESYNC,
            .gva = gva,
            .table_gpa = sp->gfn << PAGE_SHIFT,
            .level = sp->level,
            .count = compared,
            .detail = detail,
        };
        sim_emit(s, &ev);
}

/* Write-protects an unsync leaf page again and compares every present
 * shadow entry with its guest entry (kvm_sync_page). Returns whether a
 * present entry changed; *protected tells whether its guest frame became
 * write-protected again. */
static bool resync_page(struct sim *s, uint32_t page, bool *protected)
{
        struct shadow *sh = s->mmu_state;
        unsigned compared = 0;
        bool changed = false;
        const struct ptable *t = &sh->pages[page].spte;
        for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1)) {
                if (!pte_present(ptable_get(t, i)))
                        continue;
                compared++;
                changed |= sync_entry(s, page, i);
        }
        struct spage *sp = &sh->pages[page];
        sp->unsync = false;
        sh->unsync_count--;
        *protected |= wp_adjust(sh, sp->gfn, +1);
        emit_resync(s, page, sp->gva_base, compared, DETAIL_NONE);
        return changed;
}

/* Whether page is reachable from shadow page root through parent links. */
static bool reachable(const struct shadow *sh, uint32_t page, uint32_t root)
{
        if (page == root)
                return true;
        for (uint32_t l = sh->pages[page].parent_head; l != NONE; l = sh->links[l].next)
                if (reachable(sh, sh->links[l].parent, root))
                        return true;
        return false;
}

/* Syncs the unsync pages reachable from the current root (kvm_mmu_sync_roots),
 * then flushes every vCPU when a present entry changed, and the others when
 * a guest table was write-protected again (mmu_sync_children). */
static void sync_roots(struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        bool changed = false, protected = false;
        uint32_t root = root_page(s);
        for (uint32_t id = 0; id < sh->npages && sh->unsync_count; id++) {
                const struct spage *sp = &sh->pages[id];
                if (sp->valid && sp->unsync && reachable(sh, id, root))
                        changed |= resync_page(s, id, &protected);
        }
        if (changed)
                sim_vmm_flush_all(s, DETAIL_FLUSH_SHADOW);
        else if (protected)
                write_protected(s);
}

/* ---- agile paging (Gandhi, Hill and Swift, ISCA 2016) -------------------- */

/* The policy modelled (the paper's, section 4): a shadowed guest table that
 * takes --agile-threshold trapped writes within one interval of
 * --agile-interval ops moves to nested mode, its subtree with it; a table
 * in nested mode that is not written for a whole interval moves back (the
 * VMM learns it from the nested D bit of the table's frame, without a
 * trap). The root always stays shadowed: the walk starts in shadow mode. */

static void emit_agile(struct sim *s, uint64_t gfn, int level, uint32_t writes, uint8_t detail)
{
        struct event ev = {.kind = EV_AGILE,
                           .table_gpa = gfn << PAGE_SHIFT,
                           .level = (uint8_t)level,
                           .count = writes,
                           .detail = detail};
        sim_emit(s, &ev);
}

/* Zaps page and the pages below it (they would be walked nested too). */
static void zap_subtree(struct sim *s, uint32_t page, uint8_t detail)
{
        struct shadow *sh = s->mmu_state;
        const struct ptable *t = &sh->pages[page].spte;
        if (sh->pages[page].level > 1)
                for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1)) {
                        uint64_t spte = ptable_get(t, i);
                        if (is_link(spte, sh->pages[page].level))
                                zap_subtree(s, (uint32_t)pte_frame(spte), detail);
                }
        if (sh->pages[page].valid)
                zap_page(s, page, detail);
}

/* Every shadow page of kind for guest table gfn at level, zapped. */
static void zap_table(struct sim *s, uint64_t gfn, int level, enum spage_kind kind)
{
        for (uint8_t a = 0; a < ACCESS_VALUES; a++) {
                uint32_t page = find_page(s->mmu_state, gfn, level, kind, a);
                if (page != NONE)
                        zap_subtree(s, page, DETAIL_AGILE);
        }
}

static void to_nested(struct sim *s, uint64_t gfn, int level, uint32_t writes)
{
        struct shadow *sh = s->mmu_state;
        emit_agile(s, gfn, level, writes, DETAIL_TO_NESTED);
        zap_table(s, gfn, level, SP_INDIRECT);
        u64map_put(&sh->nested_tables, gfn, (uint32_t)level);
        u64map_del(&sh->writes, gfn);
}

static void to_shadow(struct sim *s, uint64_t gfn, int level)
{
        struct shadow *sh = s->mmu_state;
        emit_agile(s, gfn, level, 0, DETAIL_TO_SHADOW);
        u64map_del(&sh->nested_tables, gfn);
        zap_table(s, gfn, level, SP_NESTED);
}

/* Counts a guest store for the policy: into a nested table (no exit), or
 * a trapped one into a shadowed table below the root. */
static void agile_count_store(struct sim *s, const struct pt_store *st, bool trapped)
{
        struct shadow *sh = s->mmu_state;
        uint32_t v;
        if (u64map_get(&sh->nested_tables, st->gfn, &v)) {
                u64map_put(&sh->nested_tables, st->gfn, v + (1u << 3));
                return;
        }
        if (!trapped || st->level == sh->levels || s->dirty.on)
                return;
        uint32_t n = 0;
        u64map_get(&sh->writes, st->gfn, &n);
        if (++n >= s->cfg.agile_threshold)
                to_nested(s, st->gfn, st->level, n);
        else
                u64map_put(&sh->writes, st->gfn, n);
}

struct quiet_list {
        uint64_t *gfn;
        uint32_t *value;
        size_t n;
};

static void collect(uint64_t key, uint32_t val, void *ctx)
{
        struct quiet_list *q = ctx;
        q->gfn[q->n] = key;
        q->value[q->n++] = val;
}

/* Ends the interval when it is over: quiet nested tables go back to shadow
 * mode (every one when all is set), the counts start again. */
static void end_interval(struct sim *s, bool all)
{
        struct shadow *sh = s->mmu_state;
        size_t n = sh->nested_tables.count;
        struct quiet_list q = {xcalloc(n + 1, sizeof *q.gfn), xcalloc(n + 1, sizeof *q.value), 0};
        u64map_each(&sh->nested_tables, collect, &q);
        for (size_t i = 0; i < q.n; i++) {
                if (all || q.value[i] >> 3 == 0)
                        to_shadow(s, q.gfn[i], (int)(q.value[i] & 7));
                else
                        u64map_put(&sh->nested_tables, q.gfn[i], q.value[i] & 7);
        }
        free(q.gfn);
        free(q.value);
        u64map_free(&sh->writes);
        u64map_init(&sh->writes);
}

static void agile_tick(struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        if (s->ops < sh->next_interval)
                return;
        sh->next_interval = s->ops + s->cfg.agile_interval;
        end_interval(s, false);
}

/* ---- the hooks ---------------------------------------------------------- */

static bool shadow_store_traps(struct sim *s, uint64_t gfn)
{
        struct shadow *sh = s->mmu_state;
        uint32_t n;
        return u64map_get(&sh->wp, gfn, &n);
}

/* Lets a leaf page go out of sync instead of emulating the store. */
static void unsync_page(struct sim *s, uint32_t page, uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        if (sp->unsync)
                return;
        sp->unsync = true;
        sh->unsync_count++;
        wp_adjust(sh, sp->gfn, -1);
        struct event ev = {
            .kind = EV_UNSYNC, .gva = gva, .table_gpa = sp->gfn << PAGE_SHIFT, .level = 1};
        sim_emit(s, &ev);
}

/* The VMM's emulation of a trapped store into the table one shadow page
 * mirrors (kvm_mmu_track_write / kvm_mmu_pte_write). */
static void emulate_store(struct sim *s, uint32_t page, const struct pt_store *st)
{
        struct shadow *sh = s->mmu_state;
        const struct shadow_policy *p = sh->policy;
        struct spage *sp = &sh->pages[page];
        if (p->eager) {
                mirror_entry(s, page, st->index);
                return;
        }
        if (p->unsync && sp->level == 1) {
                unsync_page(s, page, st->gva);
                return;
        }
        bool floods = sp->level > 1 || p->flood_leaf;
        if (floods && !is_cached_root(sh, page) && ++sp->flood >= FLOOD_LIMIT) {
                zap_page(s, page, DETAIL_FLOOD);
                return;
        }
        uint64_t old = ptable_get(&sp->spte, st->index);
        if (p->update_leaf && sp->level == 1 && pte_present(st->new_entry)) {
                uint64_t spte = indirect_leaf(s, sp, st->new_entry);
                set_spte(sh, page, st->index, spte);
                emit_shadow(s, EV_SHADOW_UPDATE, st->gva, page, st->index, old, spte, DETAIL_NONE);
        } else {
                zap_entry(s, page, st->index);
        }
        after_spte_change(s, page, st->index, pte_present(old));
}

/* A trapped guest PT store: every shadow page of that guest table (one per
 * role.access it was reached with) sees it. */
static void shadow_after_store(struct sim *s, const struct pt_store *st, bool trapped)
{
        struct shadow *sh = s->mmu_state;
        if (sh->policy->agile)
                agile_tick(s);
        if (trapped)
                for (uint8_t a = 0; a < ACCESS_VALUES; a++) {
                        uint32_t page = find_page(sh, st->gfn, st->level, SP_INDIRECT, a);
                        if (page != NONE)
                                emulate_store(s, page, st);
                }
        if (sh->policy->agile)
                agile_count_store(s, st, trapped);
}

/* The hardware's walk of the shadow tables. Returns the leaf spte, or 0
 * when it stopped at a hole or (agile) at a switch to nested mode, whose
 * page it then names in *to_nested (else NONE); counts references into
 * *refs. */
static uint64_t hw_walk(const struct shadow *sh, uint32_t root, uint64_t gva, uint32_t *refs,
                        uint32_t *to_nested)
{
        uint32_t page = root;
        *to_nested = NONE;
        for (int level = sh->levels; level >= 1; level--) {
                uint64_t spte = spte_at(sh, page, pt_index(gva, level));
                (*refs)++;
                if (!pte_present(spte))
                        return 0;
                if (level == 1 || (spte & PTE_PS))
                        return spte;
                page = (uint32_t)pte_frame(spte);
                if (sh->pages[page].nested) {
                        *to_nested = page;
                        return 0;
                }
        }
        return 0;
}

/* Agile: whether guest table gfn is walked in nested mode. */
static bool is_nested_table(const struct shadow *sh, uint64_t gfn)
{
        uint32_t v;
        return u64map_get(&sh->nested_tables, gfn, &v);
}

/* The shadow page below entry index of page for the guest walk w (an
 * indirect page of the guest table there, or a direct page of 4K pieces
 * inside a guest large page), found or created, linked in. */
static uint32_t child_for(struct sim *s, uint32_t page, const struct guest_walk *w, uint64_t gva,
                          int level)
{
        struct shadow *sh = s->mmu_state;
        uint64_t span = level_span(level);
        bool direct = level <= w->leaf_level;
        uint64_t child_gfn = w->table_gfn[level - 1];
        /* role.access: the rights of the guest entries above the child;
         * a direct page takes the large leaf's effective rights. */
        uint64_t rights = PTE_RIGHTS_ALL;
        for (int l = sh->levels; l >= level && l >= w->leaf_level; l--)
                rights = pte_rights_fold(rights, w->entry[l]);
        enum spage_kind kind = direct ? SP_DIRECT : SP_INDIRECT;
        if (direct)
                child_gfn = (w->gpa & ~(span - 1)) >> PAGE_SHIFT;
        else if (sh->policy->agile && is_nested_table(sh, child_gfn))
                kind = SP_NESTED;
        bool fresh;
        struct spage_link at = {page, pt_index(gva, level)};
        uint32_t child = get_page(s, child_gfn, level - 1, kind, pack_rights(rights),
                                  gva & ~(span - 1), &at, &fresh);
        /* A subtree linked in again may hold unsync pages whose entries
         * the guest has changed since: sync before use. */
        if (!fresh && sh->unsync_count)
                sync_roots(s);
        return child;
}

/* FNAME(pte_prefetch): after a fault filled entry index of a leaf page,
 * fill the other entries of its aligned group of 8 that are empty, whose
 * guest entries are present and accessed (a direct page: every piece). */
static void prefetch(struct sim *s, uint32_t page, unsigned index, const struct guest_walk *w)
{
        struct shadow *sh = s->mmu_state;
        const struct spage *sp = &sh->pages[page];
        const struct ptable *gt = sp->direct ? NULL : guest_table_at(&s->guest, sp->gfn);
        unsigned first = index & ~(unsigned)(PREFETCH_SPAN - 1);
        for (unsigned i = first; i < first + PREFETCH_SPAN; i++) {
                if (i == index || pte_present(spte_at(sh, page, i)))
                        continue;
                uint64_t spte;
                if (sp->direct) {
                        spte = leaf_spte(s, sp->gfn + i, unpack_rights(sp->access),
                                         (w->leaf & PTE_D) != 0);
                } else {
                        uint64_t gpte = gpte_at(gt, i);
                        if (!(gpte & PTE_A))
                                continue;
                        spte = indirect_leaf(s, sp, gpte);
                }
                if (!spte)
                        continue;
                set_spte(sh, page, i, spte);
                emit_shadow(s, EV_SHADOW_FILL, sp->gva_base + (uint64_t)i * PAGE_SIZE, page, i, 0,
                            spte, DETAIL_PREFETCH);
        }
}

/* Whether a guest large page may be shadowed by a 2M shadow entry: the
 * host backs guest memory with 2M pages too (KVM maps at the smaller of
 * the guest's and the host's page size, kvm_mmu_max_mapping_level), and
 * dirty logging is off (KVM maps 4K while it tracks writes). */
static bool large_leaf_allowed(const struct sim *s, const struct guest_walk *w)
{
        return s->cfg.host_large && w->leaf_level >= 2 && !s->dirty.on;
}

/* Maps the 2M piece of a guest large page holding gva with one 2M entry at
 * index of a level-2 shadow page. */
static void fill_large(struct sim *s, uint32_t page, unsigned index, const struct guest_walk *w,
                       uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        uint64_t span = level_span(2);
        uint64_t gfn = (w->gpa & ~(span - 1)) >> PAGE_SHIFT;
        uint64_t old = spte_at(sh, page, index);
        uint64_t spte = leaf_spte(s, gfn, w->rights, (w->leaf & PTE_D) != 0) | PTE_PS;
        set_spte(sh, page, index, spte);
        emit_shadow(s, EV_SHADOW_FILL, gva & ~(span - 1), page, index, old, spte, DETAIL_NONE);
}

/* Fills the shadow path for a present guest walk (the VMM's work on a
 * hidden page fault, FNAME(fetch)). */
static void fill_path(struct sim *s, const struct guest_walk *w, uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        uint32_t page = root_page(s);
        for (int level = sh->levels; level > 1; level--) {
                struct spage *sp = &sh->pages[page];
                unsigned index = pt_index(gva, level);
                sp->flood = 0; /* clear_sp_write_flooding_count */
                if (level == 2 && large_leaf_allowed(s, w)) {
                        fill_large(s, page, index, w, gva);
                        return;
                }
                uint64_t e = ptable_get(&sp->spte, index);
                if (is_link(e, level))
                        page = (uint32_t)pte_frame(e);
                else /* empty, or a 2M entry no longer allowed: a link now */
                        page = child_for(s, page, w, gva, level);
                if (sh->pages[page].nested)
                        return; /* agile: the hardware walks on in nested mode */
        }
        struct spage *sp = &sh->pages[page];
        sp->flood = 0;
        unsigned index = pt_index(gva, 1);
        uint64_t old = ptable_get(&sp->spte, index);
        uint64_t spte = leaf_spte(s, w->gpa >> PAGE_SHIFT, w->rights, (w->leaf & PTE_D) != 0);
        set_spte(sh, page, index, spte);
        bool dirty_only = pte_present(old) && pte_frame(old) == pte_frame(spte) && !(old & PTE_W) &&
                          (spte & PTE_W);
        emit_shadow(s, EV_SHADOW_FILL, gva & ~PAGE_OFFSET_MASK, page, index, old, spte,
                    dirty_only ? DETAIL_DIRTY : DETAIL_NONE);
        if (sh->policy->prefetch)
                prefetch(s, page, index, w);
}

static void sync_one(struct sim *s, uint64_t gva);

/* The VMM's half of a hidden page fault: the guest's own walk decides
 * between injecting a #PF and filling the shadow. Returns false when the
 * guest must see the fault. */
static bool handle_shadow_fault(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                                struct translation *t)
{
        sim_exit(s, EXIT_PAGE_FAULT, gva, 0, kind, 0);
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        if (!w.present || !sim_allows(s, w.rights, kind, user)) {
                sim_fault(t, w.present, kind, user);
                t->exited = true;
                /* kvm_inject_emulated_page_fault: a fault the CPU would take
                 * invalidates its address (SDM 4.10.4.1), which KVM honours
                 * for protection faults only (P set): not-present ones keep
                 * a stale out-of-sync entry, a KVM deviation modelled as is. */
                if (w.present)
                        sync_one(s, gva);
                return false;
        }
        if (kind == ACCESS_WRITE) {
                /* Exits that only the log's write protection caused. */
                bool log_only = (w.leaf & PTE_D) || !s->cfg.ad_emulation;
                sim_log_dirty(s, w.gpa >> PAGE_SHIFT, log_only ? DETAIL_DIRTY_EXIT : DETAIL_NONE);
        }
        guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
        hostmem_back(&s->host, w.gpa >> PAGE_SHIFT);
        fill_path(s, &w, gva);
        return true;
}

/* Agile: the rest of a walk that switched to nested mode at the guest
 * table of page sw (after shadow_read shadow entries): each guest level
 * below reads its entry through a nested walk, as does the data frame; a
 * guest fault is delivered directly, without an exit. Returns false after
 * an EPT violation (the VMM mapped the frame: the walk restarts). */
static bool walk_nested(struct sim *s, uint32_t sw, uint64_t gva, enum access_kind kind, bool user,
                        uint32_t shadow_read, struct translation *t)
{
        struct shadow *sh = s->mmu_state;
        int top = sh->levels, switch_level = sh->pages[sw].level;
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        t->refs = sim_walk_refs(s, gva, top - (int)shadow_read + 1);
        t->nested_refs = 0;
        int last = top - w.depth + 1;
        for (int level = switch_level; level >= last; level--) {
                if (!nested_walk(s, &sh->nest, w.table_gfn[level], &t->nested_refs)) {
                        nested_map(s, &sh->nest, w.table_gfn[level], gva);
                        return false;
                }
                t->refs++; /* the guest entry itself */
        }
        if (!w.present || !sim_allows(s, w.rights, kind, user)) {
                sim_fault(t, w.present, kind, user);
                return true;
        }
        uint64_t gfn = w.gpa >> PAGE_SHIFT;
        if (!nested_walk(s, &sh->nest, gfn, &t->nested_refs)) {
                nested_map(s, &sh->nest, gfn, gva);
                return false;
        }
        t->refs += t->nested_refs;
        guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        t->level = 1;
        t->page_level = w.leaf_level;
        t->perm = w.rights;
        t->dirty = (w.leaf & PTE_D) != 0;
        return true;
}

static void agile_tick(struct sim *s);

/* The hardware's walk of the shadow tables (and, agile, of a nested part
 * below them): a miss or a refused access is a hidden page fault the VMM
 * handles before the walk runs again. */
static void shadow_translate(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                             struct translation *t)
{
        struct shadow *sh = s->mmu_state;
        if (sh->policy->agile)
                agile_tick(s);
        uint64_t spte;
        /* A fault fills the path once; each EPT violation maps one frame
         * of at most levels + 1 that a walk reads. */
        for (int tries = 0;; tries++) {
                uint32_t read = 0, sw; /* levels the walk read, a switch */
                spte = hw_walk(sh, root_page(s), gva, &read, &sw);
                if (sw != NONE) {
                        if (walk_nested(s, sw, gva, kind, user, read, t) || tries > 2 * MAX_LEVELS)
                                return;
                        continue;
                }
                if (pte_present(spte) && sim_allows(s, spte & PTE_PERM_MASK, kind, user)) {
                        t->refs = sim_walk_refs(s, gva, sh->levels - (int)read + 1);
                        break;
                }
                /* The walk that faulted is paid for by the exit. */
                if (tries > 0 || !handle_shadow_fault(s, gva, kind, user, t))
                        return;
        }
        /* The hardware used spte; the guest's view is reported beside it so
         * that a shadow entry left stale (out of sync) shows. */
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        int level = spte & PTE_PS ? 2 : 1;
        uint64_t offset = gva & (level_span(level) - 1);
        /* The GPA the shadow entry was built from: the guest's own when in
         * sync, the old one when the entry is stale (out of sync). A 2M
         * entry's HPA is its frame plus the offset, as host frames are
         * 2M-aligned with 2M host pages: hostmem_hpa says the same. */
        t->gpa = (hostmem_gfn(&s->host, pte_frame(spte)) << PAGE_SHIFT) + offset;
        t->hpa = level == 1 ? spte_hpa(spte) + offset : hostmem_hpa(&s->host, t->gpa);
        t->stale = !w.present || w.gpa != t->gpa;
        t->level = level;
        t->page_level = w.present ? w.leaf_level : 1;
        t->perm = spte & PTE_PERM_MASK;
        t->dirty = (spte & PTE_W) != 0;
}

/* Makes guest root_gfn's shadow root current (kvm_mmu_new_pgd): from the
 * cache of 4 when it is there, else found in the hash or built, and pushed;
 * the oldest cached root only loses its place, its pages stay. */
static void switch_root(struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        struct root_cache *rc = cpu_roots(s);
        uint64_t root_gfn = guest_root(&s->guest);
        unsigned found = rc->n;
        for (unsigned i = 0; i < rc->n; i++)
                if (rc->roots[i].root_gfn == root_gfn)
                        found = i;
        uint8_t detail = DETAIL_ROOT_CACHED;
        if (found == rc->n) {
                if (rc->n == ROOT_CACHE)
                        rc->n--;
                found = rc->n++;
                bool fresh;
                uint32_t page = get_page(s, root_gfn, sh->levels, SP_INDIRECT,
                                         pack_rights(PTE_RIGHTS_ALL), 0, NULL, &fresh);
                detail = fresh ? DETAIL_ROOT_NEW : DETAIL_ROOT_FOUND;
                rc->roots[found].root_gfn = root_gfn;
                rc->roots[found].page = page;
                if (fresh && sh->policy->eager)
                        mirror_table(s, page);
                pwc_flush(&s->pwc);
        }
        /* Move to the front: index 0 is the current root. */
        struct cached_root cur = rc->roots[found];
        memmove(&rc->roots[1], &rc->roots[0], found * sizeof rc->roots[0]);
        rc->roots[0] = cur;
        struct event ev = {
            .kind = EV_SHADOW_ROOT,
            .asid = sim_asid(s),
            .table_gpa = root_gfn << PAGE_SHIFT,
            .detail = detail,
        };
        sim_emit(s, &ev);
}

static void shadow_cr3_loaded(struct sim *s, bool same_root)
{
        struct shadow *sh = s->mmu_state;
        if (!same_root)
                switch_root(s);
        if (sh->unsync_count)
                sync_roots(s);
}

/* kvm_mmu_invalidate_addr, for INVLPG (kvm_mmu_invlpg) and injected
 * protection faults: the leaf shadow page translating gva, if it is
 * unsync, has that one entry synced; the page stays unsync. */
static void sync_one(struct sim *s, uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        uint32_t page = root_page(s);
        for (int level = sh->levels; level > 1; level--) {
                uint64_t spte = spte_at(sh, page, pt_index(gva, level));
                if (!is_link(spte, level))
                        return; /* a hole, or a 2M entry: no unsync page below */
                page = (uint32_t)pte_frame(spte);
        }
        if (!sh->pages[page].unsync)
                return;
        unsigned index = pt_index(gva, 1);
        bool was_present = pte_present(spte_at(sh, page, index));
        bool changed = sync_entry(s, page, index);
        emit_resync(s, page, gva & ~PAGE_OFFSET_MASK, was_present, DETAIL_SYNC_ONE);
        /* __kvm_mmu_invalidate_addr: kvm_flush_remote_tlbs_sptep. */
        if (changed)
                sim_vmm_flush_all(s, DETAIL_FLUSH_SHADOW);
}

/* Dirty logging under shadow paging: every shadow leaf loses its write
 * permission at the start of a round, so the first write to each page
 * exits and is logged (KVM's write-protection based logging). */
static void shadow_dirty_log(struct sim *s, enum dirty_log_action action)
{
        struct shadow *sh = s->mmu_state;
        if (action != DIRTY_LOG_START)
                return;
        /* Agile: logging tracks writes by write protection, so every table
         * goes back to shadow mode while it runs. */
        if (sh->policy->agile)
                end_interval(s, true);
        for (uint32_t id = 0; id < sh->npages; id++) {
                struct spage *sp = &sh->pages[id];
                if (!sp->valid || sp->level > 2)
                        continue;
                for (unsigned i = ptable_next(&sp->spte, 0); i < PT_ENTRIES;
                     i = ptable_next(&sp->spte, i + 1)) {
                        uint64_t spte = ptable_get(&sp->spte, i);
                        if (sp->level == 1)
                                set_spte(sh, id, i, spte & ~PTE_W);
                        else if (spte & PTE_PS)
                                zap_entry(s, id, i); /* 2M entries go: 4K while logging */
                }
        }
        /* kvm_mmu_slot_remove_write_access, then kvm_flush_remote_tlbs. */
        sim_vmm_flush_all(s, DETAIL_NONE);
}

static const struct mmu_ops shadow_ops = {
    .exits_on_cr3 = true,
    .exits_on_invlpg = true,
    .exits_on_ipi = true,
    .create = shadow_create,
    .destroy = shadow_destroy,
    .clone = shadow_clone,
    .store_traps = shadow_store_traps,
    .after_store = shadow_after_store,
    .translate = shadow_translate,
    .cr3_loaded = shadow_cr3_loaded,
    .invlpg = sync_one,
    .dirty_log = shadow_dirty_log,
};

/* ---- read-only views (mmu_view.h) --------------------------------------- */

static uint32_t shadow_view_root(const struct sim *s)
{
        const struct root_cache *rc = cpu_roots(s);
        return rc->n ? rc->roots[0].page : MMU_VIEW_NONE;
}

static bool shadow_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        const struct shadow *sh = s->mmu_state;
        if (id >= sh->npages || !sh->pages[id].valid)
                return false;
        const struct spage *sp = &sh->pages[id];
        *t = (struct mmu_table_view){
            .entries = &sp->spte,
            .gfn = sp->gfn,
            .level = sp->level,
            .direct = sp->direct,
            .unsync = sp->unsync,
            .nested = sp->nested,
            .write_protected = protects(sp),
            .flood = sp->flood,
        };
        return true;
}

static uint32_t shadow_view_count(const struct sim *s)
{
        const struct shadow *sh = s->mmu_state;
        return sh->npages;
}

/* The pages, their entries, the links to parents, the hashes, the root
 * caches and (agile) the nested table. */
static size_t shadow_view_bytes(const struct sim *s)
{
        const struct shadow *sh = s->mmu_state;
        size_t b = sizeof *sh + sh->cap_pages * sizeof *sh->pages + sh->table_heap;
        b += sh->cap_links * sizeof *sh->links + sh->nvcpus * sizeof *sh->rc;
        b += u64map_bytes(&sh->by_key) + u64map_bytes(&sh->wp);
        b += u64map_bytes(&sh->nested_tables) + u64map_bytes(&sh->writes);
        return b + nested_bytes(&sh->nest);
}

static unsigned shadow_view_roots(const struct sim *s, uint64_t *gfns, unsigned max)
{
        const struct root_cache *rc = cpu_roots(s);
        for (unsigned i = 0; i < rc->n && i < max; i++)
                gfns[i] = rc->roots[i].root_gfn;
        return rc->n;
}

/* Agile: the nested table below its switches. */
static const struct nested *agile_view_nested(const struct sim *s)
{
        const struct shadow *sh = s->mmu_state;
        return &sh->nest;
}

/* ---- the three designs -------------------------------------------------- */

#define SHADOW_SCHEME(policy_)                                                                     \
        .ops = &shadow_ops, .policy = &(policy_), .tables = TABLES_SHADOW,                         \
        .tables_title = "Shadow PT", .compare_with = "ept", .view_root = shadow_view_root,         \
        .view_table = shadow_view_table, .view_count = shadow_view_count,                          \
        .view_roots = shadow_view_roots, .view_bytes = shadow_view_bytes

const struct scheme scheme_shadow_eager = {
    .name = "shadow-eager",
    .design = "textbook shadow paging, every guest table mirrored at once",
    SHADOW_SCHEME(policy_eager),
};

const struct scheme scheme_shadow = {
    .name = "shadow",
    .design = "KVM before out-of-sync pages (Linux 2.6.26 and earlier)",
    SHADOW_SCHEME(policy_kvm_old),
};

const struct scheme scheme_shadow_oos = {
    .name = "shadow-oos",
    .design = "KVM today: unsync leaf tables, prefetch",
    .out_of_sync = true,
    SHADOW_SCHEME(policy_kvm_today),
};

const struct scheme scheme_agile = {
    .name = "agile",
    .design = "agile paging (Gandhi et al., ISCA 2016): often-written tables walked nested",
    SHADOW_SCHEME(policy_agile),
    .view_nested = agile_view_nested,
};
