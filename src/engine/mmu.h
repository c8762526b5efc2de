/*
 * mmu.h - the interface every MMU scheme implements.
 *
 * A scheme is what the hardware walks on a TLB miss and what the hypervisor
 * does about guest page-table stores, CR3 loads, INVLPG and flushes. Native,
 * shadow (with its eager, lazy and out-of-sync policies) and EPT are the
 * implementations. The sim calls these hooks; schemes report what they do
 * through sim_emit() and sim_exit().
 */
#ifndef SHADOW_SIM_MMU_H
#define SHADOW_SIM_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

/* Hooks other than translate may be NULL: the scheme does nothing there. */
struct mmu_ops {
        bool exits_on_cr3;    /* a guest CR3 load (and TLB flush) exits */
        bool exits_on_invlpg; /* a guest INVLPG exits */
        bool exits_on_ipi;    /* a VMM emulates the guest's local APIC: an IPI's ICR write
                                 and its delivery exit unless the CPU virtualizes them
                                 (--ipi-virt) */
        void *(*create)(struct sim *s);
        void (*destroy)(void *state);
        void *(*clone)(const void *state);
        /* The CPU is about to store into guest table frame st->gfn (before
         * store_traps is asked): the scheme may exit here, as EPT does when
         * the frame has no nested entry yet. */
        void (*before_store)(struct sim *s, const struct pt_store *st);
        /* Whether a guest store into table frame gfn exits. */
        bool (*store_traps)(struct sim *s, uint64_t gfn);
        /* Called after the store is written to guest memory. */
        void (*after_store)(struct sim *s, const struct pt_store *st, bool trapped);
        /* The TLB missed (or lacked a permission) for an access to gva of
         * this kind, in user mode or not: walk and answer. */
        void (*translate)(struct sim *s, uint64_t gva, enum access_kind kind, bool user,
                          struct translation *t);
        /* The guest loaded CR3 (guest.current is already the new space). */
        void (*cr3_loaded)(struct sim *s, bool same_root);
        void (*invlpg)(struct sim *s, uint64_t gva);
        /* A write went through a TLB entry whose page was clean. */
        void (*write_hit_clean)(struct sim *s, uint64_t gpa);
        /* A VM exit happened (any reason, emitted through sim_exit): what
         * the VMM does on every exit, such as draining the PML buffer. */
        void (*vm_exit)(struct sim *s, enum exit_reason reason);
        /* Dirty logging: START re-arms tracking (also after a sync), SYNC
         * collects what the hardware logged, STOP ends it. */
        void (*dirty_log)(struct sim *s, enum dirty_log_action action);
};

#endif
