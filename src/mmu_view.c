/*
 * mmu_view.c - picks the scheme that answers a table view question.
 */
#include "mmu_view.h"

#include "mmu.h"
#include "pte.h"

uint32_t mmu_view_root(const struct sim *s)
{
        if (s->mmu == &mmu_shadow_ops)
                return mmu_shadow_view_root(s);
        if (s->mmu == &mmu_ept_ops)
                return 0;
        return MMU_VIEW_NONE;
}

bool mmu_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        if (s->mmu == &mmu_shadow_ops)
                return mmu_shadow_view_table(s, id, t);
        if (s->mmu == &mmu_ept_ops)
                return mmu_ept_view_table(s, id, t);
        return false;
}

uint32_t mmu_view_count(const struct sim *s)
{
        if (s->mmu == &mmu_shadow_ops)
                return mmu_shadow_view_count(s);
        if (s->mmu == &mmu_ept_ops)
                return mmu_ept_view_count(s);
        return 0;
}

unsigned mmu_view_cached_roots(const struct sim *s, uint64_t *gfns, unsigned max)
{
        return s->mmu == &mmu_shadow_ops ? mmu_shadow_view_roots(s, gfns, max) : 0;
}

/* The hardware's walk of the shadow tables, read through the views: the
 * level of the leaf it reaches, or 0 at a hole (a hidden page fault). */
static int shadow_leaf_level(const struct sim *s, uint64_t gva, int *stop)
{
        struct mmu_table_view t;
        uint32_t id = mmu_view_root(s);
        for (int level = s->guest.levels; level >= 1; level--) {
                *stop = level;
                if (id == MMU_VIEW_NONE || !mmu_view_table(s, id, &t))
                        return 0;
                uint64_t e = t.entry[pt_index(gva, level)];
                if (!pte_present(e))
                        return 0;
                if (level == 1 || (e & PTE_PS))
                        return level;
                id = (uint32_t)pte_frame(e);
        }
        return 0;
}

void mmu_view_walk(const struct sim *s, uint64_t gva, struct mmu_walk_view *v)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        if (s->mmu == &mmu_ept_ops) {
                mmu_ept_view_walk(s, &w, v);
                return;
        }
        *v = (struct mmu_walk_view){0};
        if (s->mmu == &mmu_shadow_ops) {
                int stop = s->guest.levels;
                v->leaf_level = shadow_leaf_level(s, gva, &stop);
                v->complete = v->leaf_level > 0;
                v->refs = sim_walk_refs_peek(s, gva, stop);
                return;
        }
        v->complete = w.present;
        v->leaf_level = w.leaf_level;
        v->refs = sim_walk_refs_peek(s, gva, s->guest.levels - w.depth + 1);
}
