/*
 * guest.c - guest physical memory, page tables and address spaces.
 */
#include <stdlib.h>
#include "guest.h"

#include <string.h>

#include "xalloc.h"

void guest_init(struct guest *g, int levels, uint64_t mem_bytes)
{
        memset(g, 0, sizeof *g);
        g->levels = levels;
        g->mem_frames = mem_bytes >> PAGE_SHIFT;
        u64map_init(&g->table_ix);
        u64map_init(&g->space_ix);
        g->next_free_gfn = g->mem_frames - 1;
        guest_space_find(g, 0, true);
}

void guest_free(struct guest *g)
{
        for (uint32_t i = 0; i < g->ntables; i++)
                ptable_free(&g->tables[i], NULL);
        u64map_free(&g->table_ix);
        u64map_free(&g->space_ix);
        free(g->tables);
        free(g->table_gfn);
        free(g->table_level);
        free(g->spaces);
        memset(g, 0, sizeof *g);
}

/* A clone holds the tables and spaces in use, not the room the original
 * grew for them: a snapshot of a machine that doubled its table array a
 * moment ago costs half as much, and each table is copied in the form its
 * entries call for (ptable_clone). The clone grows again if it runs on. */
void guest_clone(struct guest *dst, const struct guest *src)
{
        *dst = *src;
        u64map_clone(&dst->table_ix, &src->table_ix);
        u64map_clone(&dst->space_ix, &src->space_ix);
        dst->cap_tables = src->ntables;
        dst->cap_spaces = src->nspaces;
        dst->tables = xcalloc(src->ntables, sizeof *dst->tables);
        dst->table_heap = 0;
        for (uint32_t i = 0; i < src->ntables; i++)
                ptable_clone(&dst->tables[i], &src->tables[i], &dst->table_heap);
        dst->table_gfn = xmemdup(src->table_gfn, src->ntables * sizeof *src->table_gfn);
        dst->table_level = xmemdup(src->table_level, src->ntables * sizeof *src->table_level);
        dst->spaces = xmemdup(src->spaces, src->nspaces * sizeof *src->spaces);
}

unsigned guest_va_bits(const struct guest *g)
{
        return PAGE_SHIFT + PT_INDEX_BITS * (unsigned)g->levels;
}

bool guest_va_kernel(const struct guest *g, uint64_t gva)
{
        return (gva >> (guest_va_bits(g) - 1)) & 1;
}

bool guest_va_canonical(const struct guest *g, uint64_t gva)
{
        unsigned bits = guest_va_bits(g);
        if (bits >= 64)
                return true;
        uint64_t upper = gva >> (bits - 1); /* the sign bit and all above it */
        uint64_t all_ones = (UINT64_C(1) << (64 - (bits - 1))) - 1;
        return upper == 0 || upper == all_ones;
}

const struct ptable *guest_table_at(const struct guest *g, uint64_t gfn)
{
        uint32_t ix;
        if (!u64map_get(&g->table_ix, gfn, &ix))
                return NULL;
        return &g->tables[ix];
}

/* The table at frame gfn, which holds one, to change. */
static struct ptable *table_to_change(struct guest *g, uint64_t gfn)
{
        uint32_t ix = 0;
        u64map_get(&g->table_ix, gfn, &ix);
        return &g->tables[ix];
}

void guest_table_set(struct guest *g, uint64_t gfn, unsigned index, uint64_t e)
{
        ptable_set(table_to_change(g, gfn), index, e, &g->table_heap);
}

int guest_table_level(const struct guest *g, uint64_t gfn)
{
        uint32_t ix;
        if (!u64map_get(&g->table_ix, gfn, &ix))
                return 0;
        return g->table_level[ix];
}

uint64_t guest_alloc_table(struct guest *g, int level)
{
        if (g->ntables >= g->mem_frames)
                return GUEST_NO_FRAME;
        /* Skip frames already holding a table (possible only after the
         * allocator wrapped, in a tiny guest); one is free, as checked. */
        uint64_t gfn = g->next_free_gfn;
        while (guest_table_at(g, gfn))
                gfn = gfn ? gfn - 1 : g->mem_frames - 1;
        g->next_free_gfn = gfn ? gfn - 1 : g->mem_frames - 1;

        if (g->ntables == g->cap_tables) {
                g->cap_tables = g->cap_tables ? g->cap_tables * 2 : 16;
                g->tables = xrealloc(g->tables, g->cap_tables, sizeof *g->tables);
                g->table_gfn = xrealloc(g->table_gfn, g->cap_tables, sizeof *g->table_gfn);
                g->table_level = xrealloc(g->table_level, g->cap_tables, sizeof *g->table_level);
        }
        uint32_t ix = g->ntables++;
        g->tables[ix] = PTABLE_EMPTY;
        g->table_gfn[ix] = gfn;
        g->table_level[ix] = (uint8_t)level;
        u64map_put(&g->table_ix, gfn, ix);
        return gfn;
}

int guest_space_find(struct guest *g, uint32_t asid, bool create)
{
        uint32_t ix;
        if (u64map_get(&g->space_ix, asid, &ix))
                return (int)ix;
        if (!create)
                return -1;
        uint64_t root = guest_alloc_table(g, g->levels);
        if (root == GUEST_NO_FRAME)
                return -1;
        if (g->nspaces == g->cap_spaces) {
                g->cap_spaces = g->cap_spaces ? g->cap_spaces * 2 : 4;
                g->spaces = xrealloc(g->spaces, g->cap_spaces, sizeof *g->spaces);
        }
        struct address_space *s = &g->spaces[g->nspaces];
        s->asid = asid;
        s->root_gfn = root;
        u64map_put(&g->space_ix, asid, g->nspaces);
        return (int)g->nspaces++;
}

void guest_walk(const struct guest *g, uint64_t root_gfn, uint64_t gva, struct guest_walk *w)
{
        memset(w, 0, sizeof *w);
        w->gva = gva;
        uint64_t gfn = root_gfn;
        uint64_t rights = PTE_RIGHTS_ALL;
        for (int level = g->levels; level >= 1; level--) {
                const struct ptable *t = guest_table_at(g, gfn);
                w->table_gfn[level] = gfn;
                w->depth++;
                uint64_t e = t ? ptable_get(t, pt_index(gva, level)) : 0;
                w->entry[level] = e;
                if (!pte_present(e))
                        return;
                rights = pte_rights_fold(rights, e);
                if (level == 1 || (e & PTE_PS)) {
                        uint64_t span = level_span(level);
                        w->present = true;
                        w->leaf_level = level;
                        w->leaf = e;
                        w->rights = rights;
                        w->gpa = ((pte_frame(e) << PAGE_SHIFT) & ~(span - 1)) | (gva & (span - 1));
                        return;
                }
                gfn = pte_frame(e);
        }
}

void guest_set_accessed_dirty(struct guest *g, struct guest_walk *w, bool write)
{
        for (int level = g->levels; level >= w->leaf_level; level--) {
                /* Present entries, so stored ones: changed in place. */
                struct ptable *t = table_to_change(g, w->table_gfn[level]);
                uint64_t *e = ptable_slot(t, pt_index(w->gva, level));
                *e |= PTE_A;
                if (level == w->leaf_level && write)
                        *e |= PTE_D;
                w->entry[level] = *e;
        }
        w->leaf = w->entry[w->leaf_level];
}
