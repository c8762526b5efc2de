/*
 * guest.h - the guest: its physical memory, page tables and address spaces.
 *
 * The guest's page tables live in guest physical memory as x86-64 radix
 * tables (pte.h). Only frames that hold tables have contents in the model;
 * data frames are just numbers. Table frames come from a deterministic
 * allocator that hands out frames from the top of guest memory downwards,
 * so they rarely collide with the data frames a trace names.
 *
 * Each address space (asid) has its own root table. Addresses in the upper
 * (kernel) half of the canonical space are shared by all address spaces,
 * as in Linux: every root holds the same links for the kernel half, so the
 * tables below them are shared pages.
 *
 * This file only holds state and answers questions about it (walks, entry
 * reads and writes). Deciding what a store costs is the MMU scheme's job;
 * the sim (sim.h) drives both.
 */
#ifndef SHADOW_SIM_GUEST_H
#define SHADOW_SIM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "pte.h"
#include "ptable.h"
#include "u64map.h"

struct address_space {
        uint32_t asid;
        uint64_t root_gfn;
};

struct guest {
        int levels;             /* paging levels, 2..5 */
        uint64_t mem_frames;    /* guest physical memory in 4 KiB frames */
        struct u64map table_ix; /* gfn -> index into tables[] */
        struct ptable *tables;  /* each table's entries, sparse or dense (ptable.h) */
        uint64_t *table_gfn;    /* tables[i] lives at frame table_gfn[i] */
        uint8_t *table_level;   /* level of tables[i] (levels = root) */
        uint32_t ntables, cap_tables;
        size_t table_heap;      /* heap bytes of the tables' entries (ptable_bytes) */
        uint64_t next_free_gfn; /* the allocator hands this out, then goes down */
        struct address_space *spaces;
        uint32_t nspaces, cap_spaces;
        struct u64map space_ix; /* asid -> index into spaces[] */
        uint32_t current;       /* index into spaces[] of the loaded CR3 */
};

/* The result of walking the guest tables for one address. */
struct guest_walk {
        bool present;   /* a leaf maps the address */
        int leaf_level; /* level of the leaf (1 = 4K, 2 = 2M, 3 = 1G) */
        int depth;      /* entries read (levels - leaf_level + 1, or to the hole) */
        uint64_t table_gfn[MAX_LEVELS + 1]; /* table read at each level */
        uint64_t entry[MAX_LEVELS + 1];     /* entry read at each level */
        uint64_t gpa;                       /* translated address (when present) */
        uint64_t leaf;                      /* the leaf entry (when present) */
        uint64_t rights; /* effective PTE_W | PTE_U | PTE_NX of every level (when present) */
        uint64_t gva;    /* the address walked */
};

/* Creates a guest with the given levels and memory size; address space 0
 * exists with an empty root and is loaded. mem_bytes must be a multiple of
 * the page size and at least 1 MiB. */
void guest_init(struct guest *g, int levels, uint64_t mem_bytes);
void guest_free(struct guest *g);
void guest_clone(struct guest *dst, const struct guest *src);

/* Width in bits of a guest virtual address (12 + 9 * levels). */
unsigned guest_va_bits(const struct guest *g);

/* Whether gva is canonical for this paging depth: below 2^(bits-1), or the
 * sign extension of that (the kernel half). */
bool guest_va_canonical(const struct guest *g, uint64_t gva);

/* Whether gva is in the upper, shared (kernel) half. */
bool guest_va_kernel(const struct guest *g, uint64_t gva);

/* The table stored at frame gfn, or NULL when gfn holds no table. Its
 * entries are read with ptable_get and changed with guest_table_set. */
const struct ptable *guest_table_at(const struct guest *g, uint64_t gfn);
int guest_table_level(const struct guest *g, uint64_t gfn);

/* Entry index of the table at frame gfn (which must hold one) becomes e:
 * the store itself, nothing around it (sim_pt_store makes the guest's). */
void guest_table_set(struct guest *g, uint64_t gfn, unsigned index, uint64_t e);

/* What guest_alloc_table returns when no frame is left. */
#define GUEST_NO_FRAME UINT64_MAX

/* Allocates a fresh, empty table for the given level. Returns its frame, or
 * GUEST_NO_FRAME when every frame of guest memory already holds a table (a
 * tiny --guest-mem and a trace that maps many regions). */
uint64_t guest_alloc_table(struct guest *g, int level);

/* Finds address space asid, creating it (empty root) when create is set,
 * in constant time (a hash of the asids). Returns its index in spaces[],
 * or -1 when it does not exist and was not created (create not set, or no
 * frame left for its root). Creating does not copy the shared kernel
 * links: the sim does that as PT writes. */
int guest_space_find(struct guest *g, uint32_t asid, bool create);

static inline uint64_t guest_root(const struct guest *g)
{
        return g->spaces[g->current].root_gfn;
}

/* Walks the tables from root_gfn for gva. Pure: sets no A/D bits. */
void guest_walk(const struct guest *g, uint64_t root_gfn, uint64_t gva, struct guest_walk *w);

/* Marks the entries along a present walk accessed, and the leaf dirty when
 * the access writes: what the hardware walker (or the VMM on its behalf)
 * does. Updates w's copies of the entries too. */
void guest_set_accessed_dirty(struct guest *g, struct guest_walk *w, bool write);

#endif
