/*
 * cost.h - the cycle cost model.
 *
 * Every event has a price in CPU cycles. The defaults follow the figures the
 * literature gives for Nehalem-class and later CPUs (a VM exit and entry
 * round trip about 1,500 cycles; a shadow page fault about 5,000 in all; a
 * trapped guest page-table write about 6,000 in all). Each is overridable
 * with --cost key=value,...; `--cost help` lists them.
 */
#ifndef SHADOW_SIM_COST_H
#define SHADOW_SIM_COST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* X(name, default, what it stands for) */
#define COST_KEYS(X)                                                                               \
        X(exit, 1500, "VM exit + VM entry round trip, paid by every exit")                         \
        X(page_fault, 3500,                                                                        \
          "VMM handling of a #PF exit on shadow tables, beyond the exit "                          \
          "(5,000 in all)")                                                                        \
        X(pt_write, 4500,                                                                          \
          "VMM emulation of a trapped guest PT write, beyond the exit "                            \
          "(6,000 in all)")                                                                        \
        X(cr3, 1000, "VMM handling of a CR3-load exit (root switch), beyond the exit")             \
        X(invlpg, 500, "VMM handling of an INVLPG exit, beyond the exit")                          \
        X(ept_violation, 2000,                                                                     \
          "VMM building a nested entry after an EPT violation, beyond the "                        \
          "exit")                                                                                  \
        X(pml_full, 3000, "VMM draining a full 512-entry page-modification log, beyond the exit")  \
        X(shadow_page, 800, "allocating a shadow page and write-protecting its guest table")       \
        X(resync_entry, 15, "comparing one guest entry with its shadow during a resync")           \
        X(walk_ref, 25, "one memory reference of a hardware page walk")                            \
        X(access, 1, "a memory access that hits the TLB")                                          \
        X(pt_store, 10, "a guest store into one of its page tables (every scheme)")                \
        X(guest_pf, 1200, "the guest kernel handling a page fault (every scheme)")

struct cost_model {
#define COST_FIELD(name, def, help) uint64_t name;
        COST_KEYS(COST_FIELD)
#undef COST_FIELD
};

void cost_defaults(struct cost_model *c);

/* Applies "key=value,key=value". Returns 0, or -1 with a message in err
 * (unknown key, bad number, an empty item: an empty spec or a ',' at
 * either end or twice). */
int cost_parse(struct cost_model *c, const char *spec, char *err, size_t errlen);

/* Prints the keys, their defaults and meanings (for --cost help). */
void cost_print_help(FILE *out);

#endif
