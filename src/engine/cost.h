/*
 * cost.h - the cycle cost model.
 *
 * Every event has a price in CPU cycles. Each default says where it comes
 * from (docs/cost-model.md gives the sources in full): the VM exit round
 * trip follows published measurements (SplitX measured 2,000 cycles of
 * direct cost on Nehalem; later CPUs are faster, so the default is 1,500);
 * for the VMM's handling of each exit no published per-operation figure was
 * found, and the defaults are estimates, marked so. Each is overridable
 * with --cost key=value,...; `--cost help` lists them with their sources.
 *
 * The model prices what the MMU and the hypervisor do, not the program's
 * own work: base_access and base_instr (0 by default) add a cost per
 * access and per instruction fetch in every scheme, so that native cycles
 * can be calibrated against a measured run and the overhead figures come
 * near measured slowdowns.
 */
#ifndef SHADOW_SIM_COST_H
#define SHADOW_SIM_COST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* X(name, default, what it stands for, where the default comes from) */
#define COST_KEYS(X)                                                                               \
        X(exit, 1500, "VM exit + VM entry round trip, paid by every exit",                         \
          "SplitX, WIOV 2011: 2,000 on Nehalem; lower since (Intel, VMware)")                      \
        X(page_fault, 3500,                                                                        \
          "VMM handling of a #PF exit on shadow tables, beyond the exit (5,000 in all)",           \
          "estimate: no published per-fault figure found")                                         \
        X(pt_write, 4500,                                                                          \
          "VMM emulation of a trapped guest PT write, beyond the exit (6,000 in all)",             \
          "estimate: no published per-write figure found")                                         \
        X(cr3, 1000, "VMM handling of a CR3-load exit (root switch), beyond the exit",             \
          "estimate: no published figure found")                                                   \
        X(invlpg, 500, "VMM handling of an INVLPG exit, beyond the exit",                          \
          "estimate: no published figure found")                                                   \
        X(ept_violation, 2000,                                                                     \
          "VMM building a nested entry after an EPT violation, beyond the exit",                   \
          "estimate: none published found; a host page fault costs more")                          \
        X(pml_full, 3000, "VMM draining a full 512-entry page-modification log, beyond the exit",  \
          "estimate: about 6 cycles an entry into the dirty bitmap")                               \
        X(shadow_page, 800, "allocating a shadow page and write-protecting its guest table",       \
          "estimate: no published figure found")                                                   \
        X(resync_entry, 15, "comparing one guest entry with its shadow during a resync",           \
          "estimate: a cached load and compare")                                                   \
        X(walk_ref, 25, "one memory reference of a hardware page walk",                            \
          "estimate: between an L2 and an L3 hit, where walks find entries")                       \
        X(access, 1, "a TLB lookup, paid by every access",                                         \
          "estimate: the L1 TLB answers within the load's own latency")                            \
        X(pt_store, 10, "a guest store into one of its page tables (every scheme)",                \
          "estimate: a store and its bookkeeping")                                                 \
        X(guest_pf, 1200, "the guest kernel handling a page fault (every scheme)",                 \
          "estimate: no measurement used")                                                         \
        X(base_access, 0, "the program's own work per memory access (every scheme)",               \
          "none: 0 leaves compute out; calibrate it from a measured run")                          \
        X(base_instr, 0, "the program's own work per instruction fetch (every scheme)",            \
          "none: 0 leaves compute out; calibrate it from a measured run")                          \
        X(ipi_send, 300, "the sender's ICR write for one IPI of a shootdown (every scheme)",       \
          "estimate: an x2APIC ICR write; a shootdown takes microseconds (Amit, ATC 2017)")        \
        X(ipi_deliver, 1000,                                                                       \
          "a target taking a shootdown IPI: interrupt entry, handler, return (every scheme)",      \
          "estimate: part of a shootdown's microseconds (Amit, ATC 2017)")                         \
        X(ipi_ack, 1000, "the sender's wait for one target's acknowledgement (every scheme)",      \
          "estimate: the target's latency and a cache-line round trip (Amit, ATC 2017)")           \
        X(ipi, 800,                                                                                \
          "VMM emulating an IPI's ICR write, or injecting an IPI into the vCPU it kicked out, "    \
          "beyond the exit",                                                                       \
          "estimate: no published per-exit figure found (KVM's x2APIC ICR fast path)")             \
        X(remote_flush, 500,                                                                       \
          "a vCPU kicked by the VMM to flush its TLB (kvm_flush_remote_tlbs): the request "        \
          "served at entry, the flush, the VMM's wait, beyond the exit",                           \
          "estimate: no published figure found")

struct cost_model {
#define COST_FIELD(name, def, help, source) uint64_t name;
        COST_KEYS(COST_FIELD)
#undef COST_FIELD
};

void cost_defaults(struct cost_model *c);

/* Applies "key=value,key=value". Returns 0, or -1 with a message in err
 * (unknown key, bad number, an empty item: an empty spec or a ',' at
 * either end or twice). */
int cost_parse(struct cost_model *c, const char *spec, char *err, size_t errlen);

/* Prints the keys, their defaults, meanings and sources, and what the
 * model leaves out (for --cost help). */
void cost_print_help(FILE *out);

#endif
