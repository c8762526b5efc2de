/*
 * mmu_shadow.c - shadow paging, as KVM and Xen did it before EPT/NPT.
 *
 * The hardware walks shadow tables that the VMM builds from the guest's:
 * they map GVA straight to HPA. To keep them true, every guest table frame
 * that has a shadow page is write-protected, so a guest store into it exits
 * and the VMM emulates it and fixes the shadow. Shadow entries are filled
 * lazily: a TLB miss that finds no shadow entry is a "hidden" page fault;
 * the VMM walks the guest table, fills the shadow and resumes the guest, or
 * injects a #PF when the guest has no mapping. CR3 loads and INVLPG exit.
 *
 * One scheme, three policies (the mode):
 * - shadow-eager: every guest table is mirrored the moment it is linked and
 *   every trapped store updates the shadow at once;
 * - shadow (KVM-like, lazy): filled on faults; non-leaf stores zap the
 *   shadow link; a table emulated-written 3 times without being used by a
 *   walk is unshadowed ("write flooding");
 * - shadow-oos: a leaf table's first trapped store unprotects it and marks
 *   it unsync; later stores do not exit; it is resynced at INVLPG, CR3 load
 *   and TLB flush. Upper-level tables always stay write-protected.
 *
 * The VMM keeps the current root and 3 previous ones (as KVM does); a root
 * that falls out of that cache is zapped. With A/D emulation a clean page is
 * mapped read-only, so the first write exits and the VMM sets the guest D
 * bit. A guest large page is shadowed by 4K entries in "direct" shadow
 * pages, since host memory is 4K-granular.
 */
#include <stdlib.h>
#include "mmu.h"

#include <string.h>

#include "mmu_view.h"
#include "xalloc.h"

#define NONE        UINT32_MAX
#define ROOT_CACHE  4 /* current root + 3 previous */
#define FLOOD_LIMIT 3 /* emulated writes without a walk before unshadowing */

struct spage {
        uint64_t gfn;         /* guest table shadowed; direct: first guest frame covered */
        uint64_t gva_base;    /* lowest GVA this page translates */
        uint32_t parent_head; /* first link into links[] naming a parent entry */
        uint8_t level;
        bool direct;               /* backs part of a guest large page, protects nothing */
        bool unsync;               /* out of sync: its guest table is writable */
        bool valid;                /* false once zapped (the slot is then free) */
        uint8_t flood;             /* emulated writes since last used by a walk */
        uint64_t spte[PT_ENTRIES]; /* upper: P | child id; leaf: P | perms | HFN */
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

struct shadow {
        enum mmu_mode policy;
        int levels;
        struct spage *pages;
        uint32_t npages, cap_pages, free_pages; /* free_pages: freed ids chained via parent_head */
        struct plink *links;
        uint32_t nlinks, cap_links, free_links;
        struct u64map by_key; /* spage_key() -> page id */
        struct u64map wp;     /* guest gfn -> shadow pages keeping it write-protected */
        uint32_t unsync_count;
        struct cached_root roots[ROOT_CACHE]; /* [0] is the current root */
        unsigned nroots;
};

static uint64_t spage_key(uint64_t gfn, int level, bool direct)
{
        return gfn << 4 | (uint64_t)level << 1 | direct;
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

static void wp_adjust(struct shadow *sh, uint64_t gfn, int delta)
{
        uint32_t n = 0;
        u64map_get(&sh->wp, gfn, &n);
        n = (uint32_t)((int)n + delta);
        if (n)
                u64map_put(&sh->wp, gfn, n);
        else
                u64map_del(&sh->wp, gfn);
}

static void *shadow_create(struct sim *s)
{
        struct shadow *sh = xcalloc(1, sizeof *sh);
        sh->policy = s->cfg.mode;
        sh->levels = s->cfg.levels;
        sh->free_pages = sh->free_links = NONE;
        u64map_init(&sh->by_key);
        u64map_init(&sh->wp);
        return sh;
}

static void shadow_destroy(void *state)
{
        struct shadow *sh = state;
        free(sh->pages);
        free(sh->links);
        u64map_free(&sh->by_key);
        u64map_free(&sh->wp);
        free(sh);
}

static void *shadow_clone(const void *state)
{
        const struct shadow *src = state;
        struct shadow *sh = xmemdup(src, sizeof *src);
        sh->pages = xmemdup(src->pages, src->cap_pages * sizeof *src->pages);
        sh->links = xmemdup(src->links, src->cap_links * sizeof *src->links);
        u64map_clone(&sh->by_key, &src->by_key);
        u64map_clone(&sh->wp, &src->wp);
        return sh;
}

/* ---- shadow entries ----------------------------------------------------- */

/* The shadow leaf for a guest leaf: same permissions, the host frame of
 * gfn; with A/D emulation writable only once the guest entry is dirty;
 * while dirty logging, writable only once the page is logged this round. */
static uint64_t leaf_spte(const struct sim *s, uint64_t gfn, uint64_t gpte)
{
        uint64_t perm = gpte & PTE_PERM_MASK;
        if (s->cfg.ad_emulation && !(gpte & PTE_D))
                perm &= ~PTE_W;
        if (s->dirty.on && !sim_is_logged(s, gfn))
                perm &= ~PTE_W;
        return pte_make(hostmem_hfn(&s->host, gfn), PTE_P | perm);
}

/* The guest frame a guest leaf maps at index of a table at level: for a
 * 4K leaf its frame, for a large leaf the 4K piece idx names. */
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

/* Drops the TLB entries that a shadow entry for gva may have produced. */
static void drop_tlb(struct sim *s, uint64_t gva)
{
        if (guest_va_kernel(&s->guest, gva) && s->tlb.pcid) {
                for (uint32_t i = 0; i < s->guest.nspaces; i++)
                        tlb_invlpg(&s->tlb, s->guest.spaces[i].asid, gva);
        } else {
                tlb_invlpg(&s->tlb, sim_asid(s), gva);
        }
}

/* Clears a shadow entry; a link also stops naming its parent, and the
 * walker's cached copies of links go (the VMM's INVLPG of them). */
static void unlink_child(struct sim *s, uint32_t page, unsigned index)
{
        struct shadow *sh = s->mmu_state;
        uint64_t spte = sh->pages[page].spte[index];
        if (pte_present(spte) && sh->pages[page].level > 1) {
                remove_parent(sh, (uint32_t)pte_frame(spte), page, index);
                pwc_flush(&s->pwc);
        }
        sh->pages[page].spte[index] = 0;
}

static bool is_cached_root(const struct shadow *sh, uint32_t page)
{
        for (unsigned i = 0; i < sh->nroots; i++)
                if (sh->roots[i].page == page)
                        return true;
        return false;
}

/* Unshadows a page: parents stop pointing at it, its children lose it as a
 * parent (they stay, as orphans, until flooding or a walk decides), its
 * guest table is no longer protected, and the TLB is flushed since entries
 * built from it may be cached. */
static void zap_page(struct sim *s, uint32_t page, uint8_t detail)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        unsigned present = 0;
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
                if (pte_present(sh->pages[page].spte[i]))
                        present++;
                unlink_child(s, page, i);
        }
        sp = &sh->pages[page];
        while (sp->parent_head != NONE) {
                struct plink l = sh->links[sp->parent_head];
                sh->pages[l.parent].spte[l.index] = 0;
                remove_parent(sh, page, l.parent, l.index);
        }
        if (!sp->direct && !sp->unsync)
                wp_adjust(sh, sp->gfn, -1);
        if (sp->unsync)
                sh->unsync_count--;
        u64map_del(&sh->by_key, spage_key(sp->gfn, sp->level, sp->direct));
        struct event ev = {
            .kind = EV_SHADOW_ZAP,
            .gva = sp->gva_base,
            .table_gpa = sp->direct ? 0 : sp->gfn << PAGE_SHIFT,
            .level = sp->level,
            .count = present,
            .detail = detail,
        };
        sim_emit(s, &ev);
        sp->valid = false;
        pwc_flush(&s->pwc);
        sp->parent_head = sh->free_pages;
        sh->free_pages = page;
        struct event fl = {
            .kind = EV_TLB_FLUSH, .count = tlb_flush(&s->tlb), .detail = DETAIL_ZAP_PAGE};
        sim_emit(s, &fl);
}

/* The shadow page for (gfn, level, direct), created when missing. */
static uint32_t get_page(struct sim *s, uint64_t gfn, int level, bool direct, uint64_t gva_base)
{
        struct shadow *sh = s->mmu_state;
        uint32_t id;
        if (u64map_get(&sh->by_key, spage_key(gfn, level, direct), &id))
                return id;
        id = alloc_page(sh);
        struct spage *sp = &sh->pages[id];
        sp->gfn = gfn;
        sp->level = (uint8_t)level;
        sp->direct = direct;
        sp->valid = true;
        sp->gva_base = gva_base;
        u64map_put(&sh->by_key, spage_key(gfn, level, direct), id);
        if (!direct)
                wp_adjust(sh, gfn, +1);
        struct event ev = {
            .kind = EV_SHADOW_PAGE,
            .gva = gva_base,
            .table_gpa = direct ? 0 : gfn << PAGE_SHIFT,
            .gpa = gfn << PAGE_SHIFT,
            .level = (uint8_t)level,
            .detail = direct ? DETAIL_DIRECT : DETAIL_NONE,
        };
        sim_emit(s, &ev);
        return id;
}

static void link_child(struct shadow *sh, uint32_t parent, unsigned index, uint32_t child)
{
        sh->pages[parent].spte[index] = pte_make(child, PTE_P | PTE_W);
        add_parent(sh, child, parent, index);
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
        const struct guest_table *gt = guest_table_at(&s->guest, sp->gfn);
        uint64_t gpte = gt ? gt->entry[index] : 0;
        uint64_t old = sp->spte[index];
        if (!pte_present(gpte) || (level > 1 && (gpte & PTE_PS))) {
                /* Not present, or a large leaf (shadowed on demand). */
                if (pte_present(old)) {
                        unlink_child(s, page, index);
                        emit_shadow(s, EV_SHADOW_ZAP, gva, page, index, old, 0, DETAIL_ZAP_ENTRY);
                        drop_tlb(s, gva);
                }
                return;
        }
        if (level == 1) {
                uint64_t spte = leaf_spte(s, pte_frame(gpte), gpte);
                if (spte == old)
                        return;
                sh->pages[page].spte[index] = spte;
                emit_shadow(s, EV_SHADOW_UPDATE, gva, page, index, old, spte, DETAIL_NONE);
                drop_tlb(s, gva);
                return;
        }
        uint64_t child_gfn = pte_frame(gpte);
        if (pte_present(old) && sh->pages[pte_frame(old)].gfn == child_gfn)
                return;
        unlink_child(s, page, index);
        uint32_t existed;
        bool fresh = !u64map_get(&sh->by_key, spage_key(child_gfn, level - 1, false), &existed);
        uint32_t child = get_page(s, child_gfn, level - 1, false, gva);
        link_child(sh, page, index, child);
        if (fresh)
                mirror_table(s, child);
}

static void mirror_table(struct sim *s, uint32_t page)
{
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
                struct shadow *sh = s->mmu_state;
                const struct guest_table *gt = guest_table_at(&s->guest, sh->pages[page].gfn);
                if ((gt && pte_present(gt->entry[i])) || pte_present(sh->pages[page].spte[i]))
                        mirror_entry(s, page, i);
        }
}

/* ---- resync (out-of-sync policy) ---------------------------------------- */

/* Compares every present shadow entry of an unsync leaf page with its
 * guest entry, fixes the differences and write-protects the table again. */
static void resync_page(struct sim *s, uint32_t page)
{
        struct shadow *sh = s->mmu_state;
        struct spage *sp = &sh->pages[page];
        const struct guest_table *gt = guest_table_at(&s->guest, sp->gfn);
        unsigned compared = 0;
        for (unsigned i = 0; i < PT_ENTRIES; i++) {
                uint64_t old = sh->pages[page].spte[i];
                if (!pte_present(old))
                        continue;
                compared++;
                uint64_t gpte = gt ? gt->entry[i] : 0;
                uint64_t gva = sp->gva_base + (uint64_t)i * PAGE_SIZE;
                if (!pte_present(gpte)) {
                        sh->pages[page].spte[i] = 0;
                        emit_shadow(s, EV_SHADOW_ZAP, gva, page, i, old, 0, DETAIL_ZAP_ENTRY);
                        drop_tlb(s, gva);
                        continue;
                }
                uint64_t spte = leaf_spte(s, pte_frame(gpte), gpte);
                if (spte != old) {
                        sh->pages[page].spte[i] = spte;
                        emit_shadow(s, EV_SHADOW_UPDATE, gva, page, i, old, spte, DETAIL_NONE);
                        drop_tlb(s, gva);
                }
        }
        sp = &sh->pages[page];
        sp->unsync = false;
        sh->unsync_count--;
        wp_adjust(sh, sp->gfn, +1);
        struct event ev = {
            .kind = EV_RESYNC,
            .gva = sp->gva_base,
            .table_gpa = sp->gfn << PAGE_SHIFT,
            .level = sp->level,
            .count = compared,
        };
        sim_emit(s, &ev);
}

static void resync_all(struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        for (uint32_t id = 0; id < sh->npages && sh->unsync_count; id++)
                if (sh->pages[id].valid && sh->pages[id].unsync)
                        resync_page(s, id);
}

/* ---- the hooks ---------------------------------------------------------- */

static bool shadow_store_traps(struct sim *s, uint64_t gfn)
{
        struct shadow *sh = s->mmu_state;
        uint32_t n;
        return u64map_get(&sh->wp, gfn, &n);
}

/* The VMM's half of a trapped guest PT store (KVM: kvm_mmu_pte_write). */
static void shadow_after_store(struct sim *s, const struct pt_store *st, bool trapped)
{
        struct shadow *sh = s->mmu_state;
        uint32_t page;
        if (!trapped || !u64map_get(&sh->by_key, spage_key(st->gfn, st->level, false), &page))
                return;
        struct spage *sp = &sh->pages[page];
        if (sh->policy == MODE_SHADOW_EAGER) {
                mirror_entry(s, page, st->index);
                return;
        }
        if (sh->policy == MODE_SHADOW_OOS && sp->level == 1) {
                /* Let it go out of sync: no more exits until a resync. */
                sp->unsync = true;
                sh->unsync_count++;
                wp_adjust(sh, sp->gfn, -1);
                struct event ev = {.kind = EV_UNSYNC,
                                   .gva = st->gva,
                                   .table_gpa = st->gfn << PAGE_SHIFT,
                                   .level = 1};
                sim_emit(s, &ev);
                return;
        }
        if (!is_cached_root(sh, page) && ++sp->flood >= FLOOD_LIMIT) {
                zap_page(s, page, DETAIL_FLOOD);
                return;
        }
        uint64_t old = sp->spte[st->index];
        uint64_t gpte = st->new_entry;
        if (sp->level == 1 && pte_present(gpte)) {
                uint64_t spte = leaf_spte(s, pte_frame(gpte), gpte);
                sp->spte[st->index] = spte;
                emit_shadow(s, EV_SHADOW_UPDATE, st->gva, page, st->index, old, spte, DETAIL_NONE);
                drop_tlb(s, st->gva);
        } else if (pte_present(old)) {
                unlink_child(s, page, st->index);
                emit_shadow(s, EV_SHADOW_ZAP, st->gva, page, st->index, old, 0, DETAIL_ZAP_ENTRY);
                drop_tlb(s, st->gva);
        }
}

/* The hardware's walk of the shadow tables. Returns the leaf spte, or 0
 * when it stopped at a hole; counts references into *refs. */
static uint64_t hw_walk(const struct shadow *sh, uint32_t root, uint64_t gva, uint32_t *refs)
{
        uint32_t page = root;
        for (int level = sh->levels; level >= 1; level--) {
                uint64_t spte = sh->pages[page].spte[pt_index(gva, level)];
                (*refs)++;
                if (!pte_present(spte))
                        return 0;
                if (level == 1)
                        return spte;
                page = (uint32_t)pte_frame(spte);
        }
        return 0;
}

/* Fills the shadow path for a present guest walk (the VMM's work on a
 * hidden page fault). */
static void fill_path(struct sim *s, const struct guest_walk *w, uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        uint32_t page = sh->roots[0].page;
        for (int level = sh->levels; level > 1; level--) {
                struct spage *sp = &sh->pages[page];
                unsigned index = pt_index(gva, level);
                sp->flood = 0;
                if (pte_present(sp->spte[index])) {
                        page = (uint32_t)pte_frame(sp->spte[index]);
                        continue;
                }
                uint64_t span = level_span(level);
                uint64_t base = gva & ~(span - 1);
                uint64_t child_gfn = w->table_gfn[level - 1];
                bool direct = level <= w->leaf_level;
                if (direct) /* inside a guest large page: a page of 4K pieces */
                        child_gfn = (w->gpa & ~(span - 1)) >> PAGE_SHIFT;
                uint32_t child;
                bool existed =
                    u64map_get(&sh->by_key, spage_key(child_gfn, level - 1, direct), &child);
                child = get_page(s, child_gfn, level - 1, direct, base);
                link_child(sh, page, index, child);
                /* A subtree linked in again may hold unsync pages whose
                 * entries the guest has changed since: sync before use. */
                if (existed && sh->unsync_count)
                        resync_all(s);
                page = child;
        }
        struct spage *sp = &sh->pages[page];
        sp->flood = 0;
        unsigned index = pt_index(gva, 1);
        uint64_t old = sp->spte[index];
        uint64_t spte = leaf_spte(s, w->gpa >> PAGE_SHIFT, w->leaf);
        sp->spte[index] = spte;
        bool dirty_only = pte_present(old) && pte_frame(old) == pte_frame(spte) && !(old & PTE_W) &&
                          (spte & PTE_W);
        emit_shadow(s, EV_SHADOW_FILL, gva & ~PAGE_OFFSET_MASK, page, index, old, spte,
                    dirty_only ? DETAIL_DIRTY : DETAIL_NONE);
}

static void shadow_translate(struct sim *s, uint64_t gva, enum access_kind kind,
                             struct translation *t)
{
        struct shadow *sh = s->mmu_state;
        uint32_t read = 0; /* levels the walk read */
        uint64_t spte = hw_walk(sh, sh->roots[0].page, gva, &read);
        if (!pte_permits(spte, kind)) {
                /* The walk that faulted is paid for by the exit. */
                read = 0;
                sim_exit(s, EXIT_PAGE_FAULT, gva, 0, kind, 0);
                struct guest_walk w;
                guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
                if (!w.present || !pte_permits(w.leaf, kind)) {
                        t->fault = true;
                        t->exited = true;
                        return;
                }
                if (kind == ACCESS_WRITE) {
                        /* Exits that only the log's write protection caused. */
                        bool log_only = (w.leaf & PTE_D) || !s->cfg.ad_emulation;
                        sim_log_dirty(s, w.gpa >> PAGE_SHIFT,
                                      log_only ? DETAIL_DIRTY_EXIT : DETAIL_NONE);
                }
                guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
                hostmem_back(&s->host, w.gpa >> PAGE_SHIFT);
                fill_path(s, &w, gva);
                spte = hw_walk(sh, sh->roots[0].page, gva, &read);
        }
        t->refs = sim_walk_refs(s, gva, sh->levels - (int)read + 1);
        /* The hardware used spte; the guest's view is reported beside it so
         * that a shadow entry left stale (out of sync) shows. */
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        t->gpa = w.present ? w.gpa : 0;
        t->hpa = spte_hpa(spte) | (gva & PAGE_OFFSET_MASK);
        t->level = 1;
        t->perm = spte & PTE_PERM_MASK;
        t->dirty = (spte & PTE_W) != 0;
}

/* Makes guest root_gfn's shadow root current: from the cache of 4 when it
 * is there, else built (or found) and pushed, evicting the oldest. */
static void switch_root(struct sim *s)
{
        struct shadow *sh = s->mmu_state;
        uint64_t root_gfn = guest_root(&s->guest);
        unsigned found = sh->nroots;
        for (unsigned i = 0; i < sh->nroots; i++)
                if (sh->roots[i].root_gfn == root_gfn)
                        found = i;
        uint8_t detail = DETAIL_ROOT_CACHED;
        if (found == sh->nroots) {
                detail = DETAIL_ROOT_NEW;
                if (sh->nroots == ROOT_CACHE) {
                        uint32_t old = sh->roots[ROOT_CACHE - 1].page;
                        sh->nroots--;
                        zap_page(s, old, DETAIL_EVICTED_ROOT);
                }
                found = sh->nroots++;
                uint32_t existed;
                bool fresh =
                    !u64map_get(&sh->by_key, spage_key(root_gfn, sh->levels, false), &existed);
                sh->roots[found].root_gfn = root_gfn;
                sh->roots[found].page = get_page(s, root_gfn, sh->levels, false, 0);
                if (fresh && sh->policy == MODE_SHADOW_EAGER)
                        mirror_table(s, sh->roots[found].page);
                pwc_flush(&s->pwc);
        }
        /* Move to the front: index 0 is the current root. */
        struct cached_root cur = sh->roots[found];
        memmove(&sh->roots[1], &sh->roots[0], found * sizeof sh->roots[0]);
        sh->roots[0] = cur;
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
        if (!same_root)
                switch_root(s);
        resync_all(s);
}

static void shadow_invlpg(struct sim *s, uint64_t gva)
{
        struct shadow *sh = s->mmu_state;
        uint32_t page = sh->roots[0].page;
        for (int level = sh->levels; level > 1; level--) {
                uint64_t spte = sh->pages[page].spte[pt_index(gva, level)];
                if (!pte_present(spte))
                        return;
                page = (uint32_t)pte_frame(spte);
        }
        if (sh->pages[page].unsync)
                resync_page(s, page);
}

/* Dirty logging under shadow paging: every shadow leaf loses its write
 * permission at the start of a round, so the first write to each page
 * exits and is logged (KVM's write-protection based logging). */
static void shadow_dirty_log(struct sim *s, enum dirty_log_action action)
{
        struct shadow *sh = s->mmu_state;
        if (action != DIRTY_LOG_START)
                return;
        for (uint32_t id = 0; id < sh->npages; id++) {
                struct spage *sp = &sh->pages[id];
                if (!sp->valid || sp->level != 1)
                        continue;
                for (unsigned i = 0; i < PT_ENTRIES; i++)
                        sp->spte[i] &= ~PTE_W;
        }
        sim_vmm_flush(s);
}

const struct mmu_ops mmu_shadow_ops = {
    .exits_on_cr3 = true,
    .exits_on_invlpg = true,
    .create = shadow_create,
    .destroy = shadow_destroy,
    .clone = shadow_clone,
    .store_traps = shadow_store_traps,
    .after_store = shadow_after_store,
    .translate = shadow_translate,
    .cr3_loaded = shadow_cr3_loaded,
    .invlpg = shadow_invlpg,
    .dirty_log = shadow_dirty_log,
};

/* ---- read-only views (mmu_view.h) --------------------------------------- */

uint32_t mmu_shadow_view_root(const struct sim *s)
{
        const struct shadow *sh = s->mmu_state;
        return sh->nroots ? sh->roots[0].page : MMU_VIEW_NONE;
}

bool mmu_shadow_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        const struct shadow *sh = s->mmu_state;
        if (id >= sh->npages || !sh->pages[id].valid)
                return false;
        const struct spage *sp = &sh->pages[id];
        *t = (struct mmu_table_view){
            .entry = sp->spte,
            .gfn = sp->gfn,
            .level = sp->level,
            .direct = sp->direct,
            .unsync = sp->unsync,
            .write_protected = !sp->direct && !sp->unsync,
            .flood = sp->flood,
        };
        return true;
}

uint32_t mmu_shadow_view_count(const struct sim *s)
{
        const struct shadow *sh = s->mmu_state;
        return sh->npages;
}

unsigned mmu_shadow_view_roots(const struct sim *s, uint64_t *gfns, unsigned max)
{
        const struct shadow *sh = s->mmu_state;
        for (unsigned i = 0; i < sh->nroots && i < max; i++)
                gfns[i] = sh->roots[i].root_gfn;
        return sh->nroots;
}
