/*
 * mmu_view.c - picks the scheme that answers a table view question.
 */
#include "mmu_view.h"

#include "mmu.h"

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
