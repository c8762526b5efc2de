/*
 * mmu_view.c - the table views, answered by the sim's scheme descriptor.
 */
#include "mmu_view.h"

#include "scheme.h"

uint32_t mmu_view_root(const struct sim *s)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_root ? sc->view_root(s) : MMU_VIEW_NONE;
}

bool mmu_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_table && sc->view_table(s, id, t);
}

uint32_t mmu_view_count(const struct sim *s)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_count ? sc->view_count(s) : 0;
}

unsigned mmu_view_cached_roots(const struct sim *s, uint64_t *gfns, unsigned max)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_roots ? sc->view_roots(s, gfns, max) : 0;
}
