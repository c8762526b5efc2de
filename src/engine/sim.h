/*
 * sim.h - one simulated machine: a guest, its TLB, host memory and the MMU
 * scheme the hypervisor uses, driven one op at a time.
 *
 * A sim owns all of its state (no globals), so several can run side by side
 * (the comparison runs all schemes in lockstep) and a sim can be cloned for
 * the stepper's snapshots. It reports everything it does as events to its
 * sinks; its own counters (stats) are the first consumer of that stream.
 */
#ifndef SHADOW_SIM_SIM_H
#define SHADOW_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cost.h"
#include "event.h"
#include "guest.h"
#include "hostmem.h"
#include "op.h"
#include "pwc.h"
#include "stats.h"
#include "tlb.h"

/* The schemes, in the order of the registry (scheme.h, scheme.c), which
 * describes each one; callers ask the descriptor, never the value. */
enum mmu_mode {
        MODE_NATIVE,
        MODE_SHADOW_EAGER,
        MODE_SHADOW,
        MODE_SHADOW_OOS,
        MODE_EPT,
        MODE_AGILE,
        MODE_COUNT
};

/* The most vCPUs a machine has (--vcpus). */
#define SIM_MAX_VCPUS 64

/* What the CPU virtualizes of a guest's IPIs (--ipi-virt); natively
 * nothing exits whatever it says. */
enum ipi_virt {
        IPI_VIRT_OFF,    /* no APICv: the ICR write exits (KVM emulates the local APIC) and
                            delivery kicks the running target out to inject the interrupt */
        IPI_VIRT_POSTED, /* APICv posted interrupts (Intel since Ivy Bridge-EP, AMD AVIC):
                            the send exits, delivery to a running vCPU does not */
        IPI_VIRT_ON,     /* IPI virtualization (Intel since Sapphire Rapids, AMD AVIC): the
                            ICR write does not exit either */
};

/* "off", "posted" or "on"; ipi_virt_parse returns the mode named, or -1. */
const char *ipi_virt_name(enum ipi_virt v);
int ipi_virt_parse(const char *name);

struct sim_config {
        enum mmu_mode mode;
        int levels;         /* guest paging levels, 2..5 */
        int ept_levels;     /* nested paging levels, 2..5 */
        uint64_t guest_mem; /* bytes of guest physical memory */
        unsigned tlb_sets;  /* power of two */
        unsigned tlb_ways;
        bool pcid;                /* tag TLB entries by address space (PCID/VPID) */
        bool ad_emulation;        /* shadow: map clean pages read-only to emulate D */
        bool pwc;                 /* page-walk caches shorten walks (both dimensions) */
        bool host_large;          /* the host backs guest memory with 2M pages */
        bool prealloc;            /* the host backs all guest memory before the guest runs */
        bool smep;                /* CR4.SMEP: supervisor fetches from user pages fault */
        bool smap;                /* CR4.SMAP: supervisor data accesses to user pages fault */
        uint32_t agile_threshold; /* agile: trapped writes in an interval that make a
                                     table nested */
        uint64_t agile_interval;  /* agile: ops in one interval of the policy */
        unsigned vcpus;           /* virtual CPUs, 1..SIM_MAX_VCPUS */
        enum ipi_virt ipi_virt;   /* what of a guest's IPIs the CPU virtualizes */
        struct cost_model cost;
};

/* The scheme's name (from its descriptor), or "?" for no scheme. */
const char *mode_name(enum mmu_mode mode);
/* Returns the mode named (exact name), or -1. */
int mode_parse(const char *name);

void sim_config_defaults(struct sim_config *cfg);

/* Checks a configuration. Returns 0, or -1 with a sentence in err. */
int sim_config_check(const struct sim_config *cfg, char *err, size_t errlen);

/* The hypervisor's dirty log for live migration. */
struct dirty_log {
        bool on;
        uint32_t round;      /* rounds synced so far */
        struct u64map gfns;  /* guest frames the VMM reports written this round */
        struct u64map truth; /* guest frames really written this round */
};

/* What one vCPU has of its own, as each logical processor has its own
 * TLBs and paging-structure caches (SDM vol. 3, 4.10) and KVM's struct
 * kvm_vcpu its own loaded root: the guest's tables, host memory and the
 * VMM's shadow or nested tables are the machine's, shared by every vCPU.
 * The running vCPU's state is in the sim itself (tlb, pwc, pwc_nested,
 * guest.current), so that the one-vCPU machine runs as it always did; a
 * vCPU's slot holds its state while another runs (sim_switch_cpu). */
struct vcpu {
        struct tlb tlb;
        struct pwc pwc;        /* the walker's cache of the guest dimension */
        struct pwc pwc_nested; /* and of the nested dimension */
        uint32_t space;        /* index into guest.spaces[] of its loaded CR3 */
        bool online;           /* it has run an op (vCPU 0 from the start): until then the guest has
                                  not brought it up, so no IPI reaches it and the VMM has no TLB of
                                  its to flush (Linux's CPU bring-up; KVM kicks only running vCPUs) */
};

typedef void (*sim_sink_fn)(void *ctx, const struct event *ev);

#define SIM_MAX_SINKS 4

struct mmu_ops;

struct sim {
        struct sim_config cfg;
        struct guest guest;
        struct hostmem host;
        struct tlb tlb;            /* the running vCPU's TLB */
        struct pwc pwc;            /* its walker's cache of upper-level entries */
        struct pwc pwc_nested;     /* the same in the nested dimension (EPT, agile) */
        struct rights_rules rules; /* which rights each kind of access needs */
        const struct mmu_ops *mmu;
        void *mmu_state;
        struct stats stats;      /* every vCPU's counters together */
        struct stats *cpu_stats; /* each vCPU's (cfg.vcpus of them); NULL with one vCPU */
        struct vcpu *vcpus;      /* cfg.vcpus slots; the running one's holds only online */
        unsigned cpu;            /* the vCPU running: the trace's last CPU line */
        struct dirty_log dirty;
        struct {
                sim_sink_fn fn;
                void *ctx;
        } sinks[SIM_MAX_SINKS];
        unsigned nsinks;
        uint64_t seq;           /* events emitted so far */
        uint64_t line;          /* trace line of the op being applied */
        uint64_t ops;           /* ops applied so far */
        uint64_t next_data_gfn; /* demand paging hands out data frames from here up */
        bool booted;            /* the VMM has set up the first address space */
};

/* Builds a machine. The configuration must have passed sim_config_check. */
void sim_init(struct sim *s, const struct sim_config *cfg);
void sim_free(struct sim *s);

/* Makes dst an independent copy of src, sinks excluded. */
void sim_clone(struct sim *dst, const struct sim *src);

/* Adds a consumer of events (at most SIM_MAX_SINKS). */
void sim_add_sink(struct sim *s, sim_sink_fn fn, void *ctx);

/* Applies one op. An op the guest tables do not allow ends in a guest page
 * fault, which is an event like any other. Returns false only when guest
 * memory has too few frames left for what the op needs: page tables (new
 * tables or an address space root; the op then has no effect) or, for an
 * access served by demand paging (lackey traces), the page itself (the
 * access then ends at its page fault). The machine can go on. */
bool sim_apply(struct sim *s, const struct op *op);

/* Applies ops[0..n) in order as sim_apply would one by one, up to the
 * first that sim_apply returns false for: returns its index (it was
 * applied), or n. The runs of TLB hits that nothing reads event by event
 * (a --quiet run) go without a call each and are counted together. */
size_t sim_apply_ops(struct sim *s, const struct op *ops, size_t n);

/* Whether demand paging surely finds guest frames for pages more pages
 * and the tables they need, whatever the ops that bring them in: then no
 * access among ops that touch at most that many pages makes sim_apply
 * return false. (false promises nothing.) */
bool sim_can_page_in(const struct sim *s, uint64_t pages);

/* Makes vCPU n (below cfg.vcpus) the running one: its TLB, page-walk
 * caches and loaded address space move into the sim, the running one's
 * into its slot. No event: the events emitted next name the vCPU. */
void sim_switch_cpu(struct sim *s, unsigned n);

/* The index into guest.spaces[] of the address space vCPU n has loaded. */
static inline uint32_t sim_cpu_space(const struct sim *s, unsigned n)
{
        return n == s->cpu ? s->guest.current : s->vcpus[n].space;
}

/* vCPU n's TLB (the running one's is the sim's own). */
static inline const struct tlb *sim_cpu_tlb(const struct sim *s, unsigned n)
{
        return n == s->cpu ? &s->tlb : &s->vcpus[n].tlb;
}

/* The asid of the loaded address space. */
static inline uint32_t sim_asid(const struct sim *s)
{
        return s->guest.spaces[s->guest.current].asid;
}

/* ---- for the MMU schemes ------------------------------------------------ */

/* One store into a guest page table, described for the scheme. */
struct pt_store {
        enum event_kind kind; /* EV_PT_WRITE, EV_PT_LINK, EV_PT_CLEAR, EV_PT_PROTECT */
        uint64_t gva;         /* an address whose translation goes through the entry */
        uint64_t gfn;         /* the table frame stored into */
        int level;            /* its level */
        unsigned index;
        uint64_t old_entry, new_entry;
};

/* The answer of a scheme's translate on a TLB miss. */
struct translation {
        uint64_t gpa;         /* what the guest tables say */
        uint64_t hpa;         /* what the hardware used */
        int level;            /* page size the TLB may cache (1 = 4K) */
        int page_level;       /* size of the guest page it is part of (0: level) */
        uint64_t perm;        /* effective PTE_W / PTE_NX / PTE_U the hardware allows */
        bool dirty;           /* the walk set (or found) the dirty bit */
        uint8_t pf_error;     /* when fault: the error code the guest sees */
        uint32_t refs;        /* memory references of the hardware walk that completed */
        uint32_t nested_refs; /* of refs, those in the nested dimension (EPT, agile) */
        bool fault;           /* the guest must see a page fault */
        bool exited;          /* the fault was reflected through a VM exit */
        bool stale;           /* the hardware used a translation the guest tables no
                                 longer hold (an out-of-sync shadow entry) */
};

/* The references of a walk of the first dimension (guest tables natively,
 * shadow tables, guest tables under EPT) that read levels top..last: with
 * the page-walk cache on, fewer. */
uint32_t sim_walk_refs(struct sim *s, uint64_t addr, int last);

/* The same count without remembering the walk in the page-walk cache
 * (pure): what sim_walk_refs would answer now. */
uint32_t sim_walk_refs_peek(const struct sim *s, uint64_t addr, int last);

/* Whether rights (effective PTE_W | PTE_U | PTE_NX) allow the access. */
static inline bool sim_allows(const struct sim *s, uint64_t rights, enum access_kind kind,
                              bool user)
{
        return rights_allow(&s->rules, rights, kind, user);
}

/* Makes t a guest page fault: the guest walk was present (so the rights
 * refused the access) or not. */
static inline void sim_fault(struct translation *t, bool present, enum access_kind kind, bool user)
{
        t->fault = true;
        t->pf_error = pf_error_code(present, kind, user);
}

/* The PWC tag of the current address space (0 unless PCID tags it). */
uint64_t sim_pwc_space(const struct sim *s);

/* Records gfn in the dirty log of this round (when logging is on and it
 * was not yet there): a DIRTY event with detail. Returns whether it was
 * newly logged. */
bool sim_log_dirty(struct sim *s, uint64_t gfn, uint8_t detail);

/* The same for the count frames from first_gfn, which the VMM can only
 * track together (a large host page): one DIRTY event for the range. */
void sim_log_dirty_range(struct sim *s, uint64_t first_gfn, uint32_t count, uint8_t detail);

static inline bool sim_is_logged(const struct sim *s, uint64_t gfn)
{
        uint32_t v;
        return u64map_get(&s->dirty.gfns, gfn, &v);
}

/* Emits a TLB_FLUSH the VMM asked for (detail: why) and empties the
 * running vCPU's TLB and page-walk cache. */
void sim_vmm_flush(struct sim *s, uint8_t detail);

/* Drops the running vCPU's TLB entries for [gva, gva + span) in address
 * space asid or, with every_space, in all (tlb_drop_range), as one
 * TLB_DROP event when there were any. */
void sim_tlb_drop(struct sim *s, uint32_t asid, bool every_space, uint64_t gva, uint64_t span);

/* The VMM changed tables every vCPU walks (shadow or nested) in a way that
 * can leave a translation in another vCPU's TLB stale: every other running
 * vCPU is kicked out of the guest (an exit of reason remote_flush each)
 * and invalidates before it re-enters, KVM's kvm_flush_remote_tlbs (a
 * request to each vCPU and an IPI to those in guest mode, whose handling
 * the VMM waits for: KVM_REQUEST_WAIT). span 0: the whole TLB (TLB_FLUSH,
 * detail: why); else only [gva, gva + span) of the running vCPU's address
 * space, or of every one for a kernel address under PCID (TLB_DROP), as a
 * range flush (kvm_flush_remote_tlbs_range). The running vCPU's own TLB is
 * the caller's to invalidate. Each target's page-walk cache is flushed. */
void sim_vmm_flush_others(struct sim *s, uint64_t gva, uint64_t span, uint8_t detail);

/* sim_vmm_flush, then sim_vmm_flush_others of the whole TLB: what
 * kvm_flush_remote_tlbs does on every vCPU, the VMM's own included. */
void sim_vmm_flush_all(struct sim *s, uint8_t detail);

/* Emits an event: numbers it, counts it, hands it to every sink.
 *
 * An event follows its change: the engine and the schemes make the change
 * an event reports (a store into a table, a TLB fill, eviction or flush, a
 * shadow entry made or zapped, a CR3 load) before they emit it, and emit
 * it before they make the next change. The machine at the moment a sink
 * receives event k is therefore the machine right after event k, which is
 * what the stepper shows there (session_view.h). A few changes have no
 * event of their own and show from the next event: LRU ticks, page-walk
 * cache contents, and the write protection of shadow leaves when a
 * dirty-logging round starts (its TLB flush follows). */
void sim_emit(struct sim *s, struct event *ev);

/* Emits a VM exit for reason; gva and gpa describe it. */
void sim_exit(struct sim *s, enum exit_reason reason, uint64_t gva, uint64_t gpa,
              enum access_kind access, unsigned index);

/* Performs one guest store into a page table: the scheme decides whether
 * it exits; the store is logged, written and the scheme told. */
void sim_pt_store(struct sim *s, struct pt_store *st);

#endif
