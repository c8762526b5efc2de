/*
 * scheme.h - what a memory-virtualization scheme is, and the registry of
 * every scheme the simulator knows.
 *
 * A scheme is described once, in its own file (mmu_native.c, mmu_shadow.c,
 * mmu_ept.c): its name, the real design it models, its hooks (mmu.h), the
 * tables the hardware walks besides the guest's and how the stepper shows
 * them, and the scheme it is compared with by default. Every caller asks
 * the descriptor; none tests which scheme it is. Every list of schemes a user sees (--mode, --help,
 * --compare's columns, the debugger's mode and compare commands) comes from the registry, in its
 * order, which is the order of enum mmu_mode.
 */
#ifndef SHADOW_SIM_SCHEME_H
#define SHADOW_SIM_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu_view.h"
#include "sim.h"

struct nested;

/* The tables the hardware walks besides the guest's own. */
enum scheme_tables {
        TABLES_NONE,   /* none: the guest's tables alone (native) */
        TABLES_SHADOW, /* shadow tables, GVA -> HPA, kept by the VMM */
        TABLES_NESTED, /* a nested table, GPA -> HPA (EPT, NPT) */
};

struct scheme {
        const char *name;   /* the --mode spelling */
        const char *design; /* one line: the real design it models, with its era */
        const struct mmu_ops *ops;
        const void *policy; /* the scheme's own parameters (shadow: its policy) */
        enum scheme_tables tables;
        const char *tables_title; /* the stepper's title for them ("Shadow PT", "EPT") */
        const char *compare_with; /* the scheme compared with by default */
        /* Guest tables it shadows may be left writable (KVM's unsync pages),
         * so a shadow entry can stay stale across a not-present guest page
         * fault, as in KVM (kvm_inject_emulated_page_fault invalidates only
         * on protection faults): a deviation from the SDM, on purpose. */
        bool out_of_sync;
        /* Read-only views of its tables (mmu_view.h); NULL with TABLES_NONE. */
        uint32_t (*view_root)(const struct sim *s);
        bool (*view_table)(const struct sim *s, uint32_t id, struct mmu_table_view *t);
        uint32_t (*view_count)(const struct sim *s);
        unsigned (*view_roots)(const struct sim *s, uint64_t *gfns, unsigned max);
        size_t (*view_bytes)(const struct sim *s); /* mmu_view_bytes */
        /* The nested table the hardware walks (EPT: every walk; agile: below
         * a switch), or NULL when it has none. */
        const struct nested *(*view_nested)(const struct sim *s);
};

/* The descriptors, each defined in its scheme's file. */
extern const struct scheme scheme_native;
extern const struct scheme scheme_shadow_eager;
extern const struct scheme scheme_shadow;
extern const struct scheme scheme_shadow_oos;
extern const struct scheme scheme_ept;
extern const struct scheme scheme_agile;

/* The descriptor of mode (a valid mode: below MODE_COUNT). */
const struct scheme *scheme_of(enum mmu_mode mode);

static inline bool scheme_has_shadow(enum mmu_mode mode)
{
        return scheme_of(mode)->tables == TABLES_SHADOW;
}

static inline bool scheme_has_nested(enum mmu_mode mode)
{
        return scheme_of(mode)->tables == TABLES_NESTED;
}

/* Writes the names of every scheme into buf of size n, comma-separated in
 * registry order ("native, shadow-eager, ..."; truncated, always
 * terminated). Returns buf. */
char *scheme_list(char *buf, size_t n);

#endif
