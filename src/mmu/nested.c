/*
 * nested.c - the nested page table: walks (planned and made), leaves and
 * the VMM's fill on an EPT violation.
 */
#include "nested.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint32_t new_page(struct nested *n)
{
        if (n->npages == n->cap) {
                n->cap = n->cap ? n->cap * 2 : 8;
                n->pages = xrealloc(n->pages, n->cap, sizeof *n->pages);
        }
        n->pages[n->npages] = PTABLE_EMPTY;
        return n->npages++;
}

void nested_init(struct nested *n, const struct sim_config *cfg)
{
        memset(n, 0, sizeof *n);
        n->levels = cfg->ept_levels;
        n->use_pwc = cfg->pwc;
        n->leaf_level = cfg->host_large ? 2 : 1;
        new_page(n);
}

void nested_free(struct nested *n)
{
        for (uint32_t i = 0; i < n->npages; i++)
                ptable_free(&n->pages[i], NULL);
        free(n->pages);
        n->pages = NULL;
        n->npages = n->cap = 0;
        n->heap = 0;
}

/* The clone holds the pages in use, each in the form its entries call
 * for (ptable_clone). */
void nested_clone(struct nested *dst, const struct nested *src)
{
        *dst = *src;
        dst->cap = src->npages;
        dst->pages = xcalloc(src->npages, sizeof *dst->pages);
        dst->heap = 0;
        for (uint32_t i = 0; i < src->npages; i++)
                ptable_clone(&dst->pages[i], &src->pages[i], &dst->heap);
}

size_t nested_bytes(const struct nested *n)
{
        return n->cap * sizeof *n->pages + n->heap;
}

void nested_clear_dirty(struct nested *n)
{
        for (uint32_t ix = 0; ix < n->npages; ix++) {
                struct ptable *t = &n->pages[ix];
                for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1))
                        ptable_set(t, i, ptable_get(t, i) & ~PTE_D, &n->heap);
        }
}

/* Finds the leaf entry of gfn: its page in *page. Returns false when the
 * path or the leaf is missing. */
static bool find_leaf(const struct nested *n, uint64_t gfn, uint32_t *page)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = n->levels; level > n->leaf_level; level--) {
                uint64_t ent = ptable_get(&n->pages[ix], pt_index(gpa, level));
                if (!pte_present(ent))
                        return false;
                ix = (uint32_t)pte_frame(ent);
        }
        *page = ix;
        return pte_present(ptable_get(&n->pages[ix], pt_index(gpa, n->leaf_level)));
}

uint64_t *nested_leaf(struct nested *n, uint64_t gfn)
{
        uint32_t page;
        if (!find_leaf(n, gfn, &page))
                return NULL;
        return ptable_slot(&n->pages[page], pt_index(gfn << PAGE_SHIFT, n->leaf_level));
}

bool nested_known(const struct sim *s, const struct nested *n, uint64_t gfn)
{
        uint32_t page;
        return s->host.prealloc || find_leaf(n, gfn, &page);
}

uint32_t nested_walk_refs(const struct nested *n, struct pwc *pwc, uint64_t gfn)
{
        return nested_walk_list(n, pwc, gfn, NULL);
}

/* Lists the entries of the walk for gpa, levels top..last, those above
 * first skipped. */
static void list_nested(const struct nested *n, uint64_t gpa, int first, struct walk_listing *l)
{
        uint32_t ix = 0;
        for (int level = n->levels; level >= n->leaf_level; level--) {
                unsigned index = pt_index(gpa, level);
                uint64_t e = ptable_get(&n->pages[ix], index);
                struct walk_ref r = {.dim = WALK_NESTED,
                                     .level = (uint8_t)level,
                                     .skipped = level > first,
                                     .index = index,
                                     .table = ix,
                                     .entry = e,
                                     .gpa = gpa};
                walk_listing_add(l, &r);
                if (!pte_present(e) || (e & PTE_PS))
                        return; /* a hole stops the walk; a 2M leaf ends it */
                ix = (uint32_t)pte_frame(e);
        }
}

uint32_t nested_walk_list(const struct nested *n, struct pwc *pwc, uint64_t gfn,
                          struct walk_listing *l)
{
        int last = n->leaf_level;
        uint64_t gpa = gfn << PAGE_SHIFT;
        int first = n->use_pwc ? pwc_start_level(pwc, 0, gpa, n->levels, last) : n->levels;
        if (n->use_pwc)
                pwc_remember(pwc, 0, gpa, n->levels, last);
        if (l)
                list_nested(n, gpa, first, l);
        return (uint32_t)(first - last + 1);
}

/* Builds the path of gfn down to its leaf (4K, or the 2M page holding
 * it), mapped to the host frames every scheme uses. */
static void build(struct sim *s, struct nested *n, uint64_t gfn)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = n->levels; level > n->leaf_level; level--) {
                unsigned index = pt_index(gpa, level);
                uint64_t ent = ptable_get(&n->pages[ix], index);
                if (!pte_present(ent)) {
                        ent = pte_make(new_page(n), PTE_P | PTE_W);
                        ptable_set(&n->pages[ix], index, ent, &n->heap);
                }
                ix = (uint32_t)pte_frame(ent);
        }
        uint64_t span = level_span(n->leaf_level) >> PAGE_SHIFT;
        uint64_t hfn = hostmem_hfn(&s->host, gfn & ~(span - 1));
        uint64_t bits = PTE_P | PTE_W | (n->leaf_level > 1 ? PTE_PS : 0);
        ptable_set(&n->pages[ix], pt_index(gpa, n->leaf_level), pte_make(hfn, bits), &n->heap);
        hostmem_back(&s->host, gfn);
}

bool nested_walk(struct sim *s, struct nested *n, uint64_t gfn, uint32_t *refs)
{
        if (!nested_known(s, n, gfn))
                return false;
        if (!nested_leaf(n, gfn))
                build(s, n, gfn); /* preallocated: there from the start */
        *refs += nested_walk_refs(n, &s->pwc_nested, gfn);
        return true;
}

/* nested_map and nested_map_at_store: detail says which. */
static void map(struct sim *s, struct nested *n, uint64_t gfn, uint64_t gva,
                enum access_kind access, uint8_t detail)
{
        if (s->host.prealloc) {
                build(s, n, gfn);
                return;
        }
        uint64_t gpa = gfn << PAGE_SHIFT;
        sim_exit(s, EXIT_EPT_VIOLATION, gva, gpa, access, 0);
        build(s, n, gfn);
        struct event ev = {.kind = EV_EPT_MAP,
                           .gva = gva,
                           .gpa = gpa,
                           .hpa = hostmem_hpa(&s->host, gpa),
                           .level = (uint8_t)n->leaf_level,
                           .detail = detail};
        sim_emit(s, &ev);
}

void nested_map(struct sim *s, struct nested *n, uint64_t gfn, uint64_t gva)
{
        map(s, n, gfn, gva, ACCESS_READ, DETAIL_NONE);
}

void nested_map_at_store(struct sim *s, struct nested *n, uint64_t gfn)
{
        /* The store's own address (the kernel's mapping of its table) is
         * not modelled: no gva. */
        map(s, n, gfn, 0, ACCESS_WRITE, DETAIL_AT_STORE);
        /* Retried after the exit, the store's translation walks the frame's
         * new nested entry, which the nested page-walk cache then holds
         * (its references belong to no access of the trace). */
        if (!s->host.prealloc)
                nested_walk_refs(n, &s->pwc_nested, gfn);
}

/* Plans the nested walk of gfn as part of p (listed into l when not
 * NULL). */
static void plan_frame(const struct sim *s, const struct nested *n, uint64_t gfn,
                       struct nested_plan *p, struct walk_listing *l)
{
        if (!nested_known(s, n, gfn)) {
                if (p->missing++ == 0) {
                        p->first_missing = gfn;
                        uint64_t gpa = gfn << PAGE_SHIFT;
                        if (l) /* the walk stops at the entry that is missing */
                                list_nested(n, gpa,
                                            n->use_pwc ? pwc_start_level(&p->pwc, 0, gpa, n->levels,
                                                                         n->leaf_level)
                                                       : n->levels,
                                            l);
                }
                return;
        }
        if (!p->missing) /* the walk stops at its first violation */
                p->nested_refs += nested_walk_list(n, &p->pwc, gfn, l);
}

/* Lists guest entry level of w. */
static void list_guest(const struct guest_walk *w, int level, struct walk_listing *l)
{
        struct walk_ref r = {.dim = WALK_GUEST,
                             .level = (uint8_t)level,
                             .index = pt_index(w->gva, level),
                             .table = w->table_gfn[level] << PAGE_SHIFT,
                             .entry = w->entry[level]};
        walk_listing_add(l, &r);
}

void nested_plan_list(const struct sim *s, const struct nested *n, const struct guest_walk *w,
                      int first, int last, bool to_data, struct nested_plan *p,
                      struct walk_listing *l)
{
        memset(p, 0, sizeof *p);
        p->pwc = s->pwc_nested;
        for (int level = first; level >= last; level--) {
                plan_frame(s, n, w->table_gfn[level], p, p->missing ? NULL : l);
                p->guest_refs++;
                if (l && !p->missing)
                        list_guest(w, level, l);
        }
        if (to_data)
                plan_frame(s, n, w->gpa >> PAGE_SHIFT, p, p->missing ? NULL : l);
}

void nested_plan(const struct sim *s, const struct nested *n, const struct guest_walk *w, int first,
                 int last, bool to_data, struct nested_plan *p)
{
        nested_plan_list(s, n, w, first, last, to_data, p, NULL);
}
