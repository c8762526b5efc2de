/*
 * mmu_view.c - the table views, answered by the sim's scheme descriptor.
 */
#include "mmu_view.h"

#include <string.h>

#include "nested.h"
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

size_t mmu_view_bytes(const struct sim *s)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_bytes ? sc->view_bytes(s) : 0;
}

unsigned mmu_view_cached_roots(const struct sim *s, uint64_t *gfns, unsigned max)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        return sc->view_roots ? sc->view_roots(s, gfns, max) : 0;
}

/* The nested part of a walk along w: guest levels first..last, each through
 * a nested walk, then the data frame's; adds it to *v. */
static void view_nested_part(const struct sim *s, const struct guest_walk *w, int first, int last,
                             struct mmu_walk_view *v)
{
        const struct scheme *sc = scheme_of(s->cfg.mode);
        struct nested_plan p;
        nested_plan(s, sc->view_nested(s), w, first, last, w->present, &p);
        v->refs += p.guest_refs + p.nested_refs;
        v->nested_refs = p.nested_refs;
        v->missing = p.missing;
        v->first_missing_gpa = p.first_missing << PAGE_SHIFT;
        v->complete = w->present && !p.missing;
}

/* The hardware's walk of the shadow tables, read through the views: at a
 * leaf it is complete; at a hole it is a hidden page fault; at an agile
 * switch it goes on nested. */
static void view_shadow_walk(const struct sim *s, const struct guest_walk *w, uint64_t gva,
                             struct mmu_walk_view *v)
{
        struct mmu_table_view t;
        uint32_t id = mmu_view_root(s);
        for (int level = s->guest.levels; level >= 1; level--) {
                if (id == MMU_VIEW_NONE || !mmu_view_table(s, id, &t))
                        return;
                uint64_t e = ptable_get(t.entries, pt_index(gva, level));
                if (!pte_present(e))
                        return;
                if (level == 1 || (e & PTE_PS)) {
                        v->refs = sim_walk_refs_peek(s, gva, level);
                        v->complete = true;
                        return;
                }
                id = (uint32_t)pte_frame(e);
                if (mmu_view_table(s, id, &t) && t.nested) {
                        v->refs = sim_walk_refs_peek(s, gva, level);
                        v->switch_level = t.level;
                        view_nested_part(s, w, t.level, s->guest.levels - w->depth + 1, v);
                        return;
                }
        }
}

void mmu_view_walk(const struct sim *s, uint64_t gva, struct mmu_walk_view *v)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        *v = (struct mmu_walk_view){0};
        int last = s->guest.levels - w.depth + 1;
        switch (scheme_of(s->cfg.mode)->tables) {
        case TABLES_NONE:
                v->complete = w.present;
                v->refs = sim_walk_refs_peek(s, gva, last);
                return;
        case TABLES_SHADOW:
                view_shadow_walk(s, &w, gva, v);
                return;
        case TABLES_NESTED:
                /* The guest levels read: below the links the cache holds. */
                view_nested_part(s, &w, last - 1 + (int)sim_walk_refs_peek(s, gva, last), last, v);
                return;
        }
}

void walk_listing_add(struct walk_listing *l, const struct walk_ref *r)
{
        if (l->n < WALK_MAX_REFS)
                l->ref[l->n++] = *r;
        l->reads += !r->skipped;
}

/* Lists the entries of the guest walk w from the top down to level last,
 * those above first skipped (the page-walk cache holds them). */
static void list_guest_levels(const struct sim *s, const struct guest_walk *w, int first, int last,
                              struct walk_listing *l)
{
        for (int level = s->guest.levels; level >= last; level--) {
                struct walk_ref r = {.dim = WALK_GUEST,
                                     .level = (uint8_t)level,
                                     .skipped = level > first,
                                     .index = pt_index(w->gva, level),
                                     .table = w->table_gfn[level] << PAGE_SHIFT,
                                     .entry = w->entry[level]};
                walk_listing_add(l, &r);
        }
}

/* The shadow walk, entry by entry, as view_shadow_walk makes it; at an
 * agile switch the nested part follows. */
static void list_shadow_walk(const struct sim *s, const struct guest_walk *w, uint64_t gva,
                             struct walk_listing *l)
{
        struct mmu_table_view t;
        uint32_t id = mmu_view_root(s);
        struct walk_ref path[MAX_LEVELS + 1];
        int n = 0, end = 0;
        for (int level = s->guest.levels; level >= 1 && !end; level--) {
                if (id == MMU_VIEW_NONE || !mmu_view_table(s, id, &t))
                        break;
                uint64_t e = ptable_get(t.entries, pt_index(gva, level));
                path[n++] = (struct walk_ref){.dim = WALK_SHADOW,
                                              .level = (uint8_t)level,
                                              .index = pt_index(gva, level),
                                              .table = t.gfn << PAGE_SHIFT,
                                              .entry = e};
                if (!pte_present(e) || level == 1 || (e & PTE_PS))
                        end = level;
                else
                        id = (uint32_t)pte_frame(e);
                if (!end && mmu_view_table(s, id, &t) && t.nested)
                        end = -level; /* the switch: nested below */
        }
        int last = end < 0 ? -end : end ? end : s->guest.levels - n + 1;
        int first = last - 1 + (int)sim_walk_refs_peek(s, gva, last);
        for (int i = 0; i < n; i++) {
                path[i].skipped = path[i].level > first;
                walk_listing_add(l, &path[i]);
        }
        if (end < 0) {
                struct nested_plan p;
                const struct scheme *sc = scheme_of(s->cfg.mode);
                nested_plan_list(s, sc->view_nested(s), w, t.level, s->guest.levels - w->depth + 1,
                                 w->present, &p, l);
        }
}

void mmu_view_walk_list(const struct sim *s, uint64_t gva, struct walk_listing *l)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        memset(l, 0, sizeof *l);
        int last = s->guest.levels - w.depth + 1;
        int first = last - 1 + (int)sim_walk_refs_peek(s, gva, last);
        switch (scheme_of(s->cfg.mode)->tables) {
        case TABLES_NONE:
                list_guest_levels(s, &w, first, last, l);
                return;
        case TABLES_SHADOW:
                list_shadow_walk(s, &w, gva, l);
                return;
        case TABLES_NESTED: {
                /* The guest levels the cache holds, then the 2D walk below. */
                struct nested_plan p;
                const struct scheme *sc = scheme_of(s->cfg.mode);
                list_guest_levels(s, &w, first, first + 1, l);
                nested_plan_list(s, sc->view_nested(s), &w, first, last, w.present, &p, l);
                return;
        }
        }
}
