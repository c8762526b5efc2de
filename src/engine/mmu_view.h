/*
 * mmu_view.h - read-only views of the tables the hardware walks under shadow
 * and nested paging, for the stepper's panes and the translate command.
 *
 * The schemes keep their tables private (mmu_shadow.c, mmu_ept.c). These
 * functions let a face list and walk them without changing anything: no
 * event, no counter, no LRU or A/D bit moves. A table is named by a small
 * id that stays valid until the table is freed. Entries are in the x86-64
 * format (pte.h): in an upper-level table the frame bits of a present entry
 * hold the id of the child table; in a leaf they hold the host frame.
 */
#ifndef SHADOW_SIM_MMU_VIEW_H
#define SHADOW_SIM_MMU_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptable.h"
#include "sim.h"

#define MMU_VIEW_NONE UINT32_MAX

struct mmu_table_view {
        /* Its entries (ptable_get), owned by the scheme. */
        const struct ptable *entries;
        uint64_t gfn;         /* shadow: the guest table mirrored (direct: first guest frame
                                 covered); EPT: 0 */
        int level;            /* 1 = leaf table; 0 when the scheme does not record it (EPT
                                 below the root: the walk from the root knows it) */
        bool direct;          /* shadow: backs part of a guest large page */
        bool unsync;          /* shadow: out of sync, its guest table writable */
        bool write_protected; /* shadow: stores into its guest table exit */
        bool nested;          /* agile: a switch: the walk goes on nested in guest table gfn */
        unsigned flood;       /* shadow: emulated writes since a walk last used it */
};

/* The id of the root the hardware walks now (shadow: the current root;
 * EPT: the nested root), or MMU_VIEW_NONE when the sim's scheme has no
 * tables of its own (native) or has built none yet. */
uint32_t mmu_view_root(const struct sim *s);

/* Fills *t for table id. Returns false when id names no live table. */
bool mmu_view_table(const struct sim *s, uint32_t id, struct mmu_table_view *t);

/* One more than the largest id in use (ids below it may be free): the
 * bound for listing every table. */
uint32_t mmu_view_count(const struct sim *s);

/* Bytes of heap the scheme's own state takes: its tables, their entries
 * and its bookkeeping (0 for a scheme without tables). For the memory
 * estimate of a machine (sim_mem.h). */
size_t mmu_view_bytes(const struct sim *s);

/* The walk a TLB miss on an address would make now, worked out with no
 * side effect by the same code the schemes walk with: the count of the
 * first dimension (sim_walk_refs_peek) and of the nested one
 * (nested_plan). What `translate` and `info walk` show. */
struct mmu_walk_view {
        bool complete;              /* the walk would reach a translation without an exit first */
        uint32_t refs;              /* its memory references (when complete) */
        uint32_t nested_refs;       /* of refs, those in the nested dimension */
        uint32_t missing;           /* frames of the walk with no nested entry (violations) */
        uint64_t first_missing_gpa; /* the first of them */
        int switch_level; /* agile: the guest level where the walk goes nested (0: none) */
};

/* Fills *v for a miss on gva in the current address space (pure). */
void mmu_view_walk(const struct sim *s, uint64_t gva, struct mmu_walk_view *v);

/* One memory reference of a walk, for the listing of a walk reference by
 * reference (translate, info walk). */
enum walk_dim {
        WALK_GUEST,  /* an entry of a guest table (natively, or between nested walks) */
        WALK_SHADOW, /* an entry of a shadow table */
        WALK_NESTED, /* an entry of the nested table, translating a guest-physical frame */
};

struct walk_ref {
        uint8_t dim;    /* enum walk_dim */
        uint8_t level;  /* level of the table the entry is in */
        bool skipped;   /* a page-walk cache held it: not read from memory */
        unsigned index; /* entry index in its table */
        uint64_t table; /* guest: the table's GPA; shadow: the GPA of the guest table
                           it mirrors; nested: the table's id */
        uint64_t entry; /* the entry (0: not present, where the walk stops) */
        uint64_t gpa;   /* nested: the guest-physical address it translates */
};

#define WALK_MAX_REFS 64

struct walk_listing {
        struct walk_ref ref[WALK_MAX_REFS];
        unsigned n;     /* references listed, skipped ones included */
        unsigned reads; /* those read from memory: the walk's count */
};

/* Appends a reference (dropped past WALK_MAX_REFS; reads still counts it). */
void walk_listing_add(struct walk_listing *l, const struct walk_ref *r);

/* Lists, in order, every reference a TLB miss on gva would make now: the
 * same walk mmu_view_walk counts (l->reads equals its refs; a walk that
 * ends in a fault lists up to the entry that stops it). Pure. */
void mmu_view_walk_list(const struct sim *s, uint64_t gva, struct walk_listing *l);

/* The guest roots whose shadow roots the VMM keeps cached (shadow only;
 * [0] is the current one). Writes at most max guest frames into gfns and
 * returns how many there are. */
unsigned mmu_view_cached_roots(const struct sim *s, uint64_t *gfns, unsigned max);

#endif
