/*
 * ref_x86.h - an independent reference model of x86 guest linear-address
 * translation, for the tests.
 *
 * Written from the Intel SDM vol. 3, chapter 4, and from the guest OS
 * contract of the trace format, without looking at the engine's walk code:
 * it keeps its own radix tables of the guest's mappings (4.5: 2..5 levels,
 * 2M and 1G leaves), applies the trace's ops to them itself and decides
 * every access from them: the access rights of 4.6 (U/S and R/W at every
 * level, CR0.WP = 1, XD at any level, SMEP, SMAP with EFLAGS.AC = 0) and
 * the page-fault error code of 4.7 (P, W/R, U/S, I/D).
 *
 * What x86 leaves open is the TLB (4.10): after a change that was not
 * invalidated, the processor may still use a translation it cached before
 * (4.10.4.3). The model keeps, per address space, every translation that
 * was in force at some moment since the last invalidation of its page
 * (INVLPG of any address of a page, large or not, drops it: 4.10.4.1; a
 * CR3 load without PCID, a full flush and a page fault on the address do
 * too) and answers an access with the set of outcomes x86 allows: the one
 * the current tables give, and one per such stale translation.
 *
 * The only engine pieces it uses are definitions, not translation logic:
 * struct op (what a trace line says) and the host-frame bijection
 * (hostmem.h), so that it can name the HPA of a GPA.
 */
#ifndef SHADOW_SIM_REF_X86_H
#define SHADOW_SIM_REF_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostmem.h"
#include "op.h"

struct ref_config {
        int levels;         /* paging levels, 2..5 (5 = LA57) */
        uint64_t guest_mem; /* bytes of guest memory (sizes the host bijection) */
        bool pcid;          /* TLB entries are tagged by address space: CR3 loads keep them */
        bool smep, smap;    /* CR4.SMEP, CR4.SMAP */
        bool host_large;    /* 2M host pages: the bijection maps whole 2M frames */
        /* Not architectural: a not-present page fault leaves the stale
         * translations of its page usable. KVM's out-of-sync shadow pages
         * behave so: kvm_inject_emulated_page_fault() syncs the faulting
         * address only for a protection fault (P = 1). */
        bool kvm_not_present_fault_keeps_stale;
};

/* A translation as a TLB entry holds it (SDM 4.10.2.2): the page, its
 * frame and the rights combined over every level of the walk. */
struct ref_xlate {
        uint64_t base; /* first linear address of the page */
        int level;     /* 1 = 4K, 2 = 2M, 3 = 1G */
        uint64_t gpa;  /* guest-physical address of the page's first byte */
        bool w;        /* R/W = 1 at every level */
        bool u;        /* U/S = 1 at every level: a user-mode address */
        bool nx;       /* XD = 1 at some level */
};

/* What an access did: went to gpa/hpa, or took a page fault. */
struct ref_outcome {
        bool fault;
        uint8_t pf_error; /* fault: the error code (REF_PF_*) */
        uint64_t gpa, hpa;
};

/* Page-fault error code bits (SDM 4.7), spelt here from the manual. */
#define REF_PF_P 0x01 /* 1: protection violation; 0: not present */
#define REF_PF_W 0x02 /* the access was a write */
#define REF_PF_U 0x04 /* the access was made in user mode */
#define REF_PF_I 0x10 /* the access was an instruction fetch */

struct ref_table;

struct ref_space {
        uint32_t asid;
        struct ref_table *root; /* lower (user) half only; the upper half is shared */
};

/* A translation a TLB of address space asid may still hold. */
struct ref_stale {
        uint32_t asid;
        struct ref_xlate x;
};

/* A 4K page of a stale large translation that a page fault invalidated:
 * the fault drops the TLB entries for the page numbers of the faulting
 * address (SDM 4.10.4.1), but a large page may be cached as several
 * smaller entries (4.10.2.3), and those for its other parts may stay. */
struct ref_hole {
        uint32_t asid;
        struct ref_xlate x;
        uint64_t page; /* first address of the 4K page */
};

struct ref_machine {
        struct ref_config cfg;
        struct hostmem host;
        struct ref_table *kernel; /* the upper half of every root (entries 256..511) */
        struct ref_space *spaces;
        size_t nspaces, cap_spaces;
        size_t current; /* index into spaces[] */
        struct ref_stale *stale;
        size_t nstale, cap_stale;
        struct ref_hole *holes;
        size_t nholes, cap_holes;
};

/* Starts a machine in address space 0 with no mappings. Aborts when out
 * of memory (a test helper). */
void ref_init(struct ref_machine *m, const struct ref_config *cfg);
void ref_free(struct ref_machine *m);

/* Applies an op that is not an access (PT_WRITE, PT_CLEAR, PT_PROTECT,
 * CR3, INVLPG, TLB_FLUSH; DIRTY_LOG changes nothing the guest sees). */
void ref_apply(struct ref_machine *m, const struct op *op);

/* The translation the current tables give for gva. Returns false when no
 * leaf maps it. */
bool ref_translate(const struct ref_machine *m, uint64_t gva, struct ref_xlate *x);

/* The outcome of an access through translation x (NULL: not mapped). */
struct ref_outcome ref_access_through(const struct ref_machine *m, const struct ref_xlate *x,
                                      uint64_t gva, enum access_kind kind, bool user);

/* The outcomes x86 allows for an access op, each once, the one the
 * current tables give first. Writes at most max of them into out and
 * returns how many there are (which may be more than max). */
size_t ref_allowed(const struct ref_machine *m, const struct op *op, struct ref_outcome *out,
                   size_t max);

/* Tells the model what an access op did: a page fault invalidates the
 * TLB entries for the faulting address (SDM 4.10.4.1), so no stale
 * translation is used for its 4K page again (unless the fault was
 * not-present and kvm_not_present_fault_keeps_stale is set). */
void ref_observe(struct ref_machine *m, const struct op *op, const struct ref_outcome *seen);

/* Whether two outcomes are the same (fields that do not apply ignored). */
bool ref_outcome_equal(const struct ref_outcome *a, const struct ref_outcome *b);

/* Writes an outcome as "gpa=0x.. hpa=0x.." or "#PF err=0x.. (P W U I)"
 * into buf of size n. Returns buf. */
char *ref_outcome_format(const struct ref_outcome *o, char *buf, size_t n);

#endif
