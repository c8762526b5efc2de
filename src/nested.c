/*
 * nested.c - the nested page table: walks, leaves and the VMM's fill on an
 * EPT violation.
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
        memset(&n->pages[n->npages], 0, sizeof n->pages[0]);
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
        free(n->pages);
        n->pages = NULL;
}

void nested_clone(struct nested *dst, const struct nested *src)
{
        *dst = *src;
        dst->pages = xmemdup(src->pages, src->cap * sizeof *src->pages);
}

bool nested_walk(struct nested *n, uint64_t gfn, uint32_t *refs)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = n->levels; level >= n->leaf_level; level--) {
                uint64_t ent = n->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(ent))
                        return false;
                ix = (uint32_t)pte_frame(ent);
        }
        int last = n->leaf_level;
        *refs += n->use_pwc ? pwc_walk_refs(&n->pwc, 0, gpa, n->levels, last)
                            : (uint32_t)(n->levels - last + 1);
        return true;
}

uint64_t *nested_leaf(struct nested *n, uint64_t gfn)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        uint32_t ix = 0;
        for (int level = n->levels; level > n->leaf_level; level--) {
                uint64_t ent = n->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(ent))
                        return NULL;
                ix = (uint32_t)pte_frame(ent);
        }
        uint64_t *leaf = &n->pages[ix].entry[pt_index(gpa, n->leaf_level)];
        return pte_present(*leaf) ? leaf : NULL;
}

void nested_map(struct sim *s, struct nested *n, uint64_t gfn, uint64_t gva)
{
        uint64_t gpa = gfn << PAGE_SHIFT;
        sim_exit(s, EXIT_EPT_VIOLATION, gva, gpa, ACCESS_READ, 0);
        uint32_t ix = 0;
        for (int level = n->levels; level > n->leaf_level; level--) {
                uint64_t *ent = &n->pages[ix].entry[pt_index(gpa, level)];
                if (!pte_present(*ent)) {
                        uint32_t child = new_page(n);
                        ent = &n->pages[ix].entry[pt_index(gpa, level)]; /* pages moved */
                        *ent = pte_make(child, PTE_P | PTE_W);
                }
                ix = (uint32_t)pte_frame(*ent);
        }
        uint64_t hfn = hostmem_hfn(&s->host, gfn);
        uint64_t bits = PTE_P | PTE_W | (n->leaf_level > 1 ? PTE_PS : 0);
        n->pages[ix].entry[pt_index(gpa, n->leaf_level)] = pte_make(hfn, bits);
        hostmem_back(&s->host, gfn);
        struct event ev = {.kind = EV_EPT_MAP, .gva = gva, .gpa = gpa, .hpa = hfn << PAGE_SHIFT};
        sim_emit(s, &ev);
}
