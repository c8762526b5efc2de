/*
 * mmu_native.c - no hypervisor: the hardware walks the guest's own tables.
 *
 * The baseline every other scheme is measured against. A TLB miss costs one
 * memory reference per level; page-table stores, CR3 loads and INVLPG cost
 * nothing beyond themselves; the walker sets A and D bits. The "HPA" of a
 * native run is the same bijection of the GPA as in every other scheme, so
 * translations compare one to one.
 */
#include "mmu.h"
#include "scheme.h"

static void native_translate(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                             struct translation *t)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        t->refs = sim_walk_refs(s, gva, s->guest.levels - w.depth + 1);
        if (!w.present || !sim_allows(s, w.rights, kind, user)) {
                sim_fault(t, w.present, kind, user);
                return;
        }
        guest_set_accessed_dirty(&s->guest, &w, kind == ACCESS_WRITE);
        hostmem_back(&s->host, w.gpa >> PAGE_SHIFT);
        t->gpa = w.gpa;
        t->hpa = hostmem_hpa(&s->host, w.gpa);
        t->level = w.leaf_level;
        t->page_level = w.leaf_level;
        t->perm = w.rights;
        t->dirty = (w.leaf & PTE_D) != 0;
}

/* Every hook but translate is absent: nothing native costs extra. */
static const struct mmu_ops native_ops = {
    .translate = native_translate,
};

const struct scheme scheme_native = {
    .name = "native",
    .design = "no hypervisor: the CPU walks the guest tables",
    .ops = &native_ops,
    .tables = TABLES_NONE,
    .compare_with = "shadow",
};
