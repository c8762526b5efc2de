/*
 * stats.h - the counters of a run, computed from the event stream.
 *
 * stats_count() is the consumer of every event a sim emits; the counters are
 * never updated from inside the schemes. A TLB hit that no sink reads is
 * counted as its event would be, without the event being built
 * (stats_count_access, and stats_count_hits for a run of them: see
 * sim_apply_ops). The list of counters is one
 * X-macro, so the [STATS] line, the JSON and CSV records (record.h) and the
 * comparison table all print the same names in the same order.
 */
#ifndef SHADOW_SIM_STATS_H
#define SHADOW_SIM_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "event.h"

/* X(name, smp, what it counts). exits and tlb_flushes come first: the
 * [STATS] line starts with them. smp: the counter is about several vCPUs,
 * so the text faces show it only on a machine of several (the [STATS] line
 * and the tables of a machine of one stay as they always were); the run
 * records (record.h) carry every counter. */
#define STATS_FIELDS(X)                                                                            \
        X(exits, 0, "VM exits, all reasons")                                                       \
        X(tlb_flushes, 0, "whole-TLB flushes (CR3 loads without PCID, guest flushes)")             \
        X(accesses, 0, "memory accesses (one per page touched)")                                   \
        X(tlb_hits, 0, "accesses translated by the TLB")                                           \
        X(tlb_misses, 0, "accesses that needed a page walk")                                       \
        X(tlb_evictions, 0, "TLB entries evicted to make room")                                    \
        X(walk_refs, 0, "memory references made by hardware page walks")                           \
        X(pt_writes, 0, "guest stores into its page tables (links, leaves, clears, protects)")     \
        X(pt_traps, 0, "guest page-table stores that exited to the VMM")                           \
        X(shadow_pages, 0, "shadow pages created (guest tables write-protected)")                  \
        X(shadow_fills, 0, "shadow leaves filled on hidden page faults")                           \
        X(shadow_updates, 0, "shadow leaves updated by emulated guest PT writes")                  \
        X(shadow_zaps, 0, "shadow entries and pages dropped")                                      \
        X(unsyncs, 0, "leaf tables let out of sync")                                               \
        X(resyncs, 0, "out-of-sync tables resynced")                                               \
        X(resync_entries, 0, "entries compared during resyncs")                                    \
        X(guest_pf, 0, "page faults the guest saw")                                                \
        X(hidden_pf, 0, "page faults the VMM handled without the guest knowing")                   \
        X(ept_violations, 0, "EPT violations (first touch of a guest frame)")                      \
        X(stale_tlb, 0, "accesses through a TLB entry the guest had changed without INVLPG")       \
        X(dirty_rounds, 0, "dirty-logging rounds synced (migration rounds)")                       \
        X(dirty_pages, 0, "guest pages found written, summed over the rounds")                     \
        X(dirty_extra, 0, "pages reported dirty that were not written (coarse tracking)")          \
        X(dirty_exits, 0, "exits that only dirty logging caused")                                  \
        X(shootdowns, 1, "guest TLB shootdowns (SHOOTDOWN lines)")                                 \
        X(ipis, 1, "IPIs the guest sent for them, one per vCPU reached")                           \
        X(shootdown_exits, 1, "VM exits the shootdowns took, on every vCPU")                       \
        X(exit_pt_write, 0, "exits: trapped guest PT write")                                       \
        X(exit_page_fault, 0, "exits: page fault on the shadow tables")                            \
        X(exit_cr3, 0, "exits: CR3 load")                                                          \
        X(exit_invlpg, 0, "exits: INVLPG")                                                         \
        X(exit_ept_violation, 0, "exits: EPT violation")                                           \
        X(exit_pml_full, 0, "exits: page-modification log full")                                   \
        X(exit_ipi, 1, "exits: a shootdown IPI sent or delivered")                                 \
        X(exit_remote_flush, 1,                                                                    \
          "exits: kicked by the VMM to flush the TLB (another vCPU's change)")                     \
        X(cycles, 0, "modelled CPU cycles (cost model)")

struct stats {
#define STATS_FIELD(name, smp, help) uint64_t name;
        STATS_FIELDS(STATS_FIELD)
#undef STATS_FIELD
};

/* Number of counters and their names, in the order of STATS_FIELDS. */
#define STATS_COUNT 36
const char *stats_name(unsigned i);
const char *stats_help(unsigned i);
uint64_t stats_value(const struct stats *s, unsigned i);

/* Whether the text faces show counter i for a machine of vcpus vCPUs. */
bool stats_shown(unsigned i, unsigned vcpus);

/* The cycles one VM exit of reason costs under c: the exit and entry round
 * trip and the VMM's handling of that reason. */
uint64_t stats_exit_cycles(const struct cost_model *c, enum exit_reason reason);

/* Accounts one event: counters and its cycles under cost model c. */
void stats_count(struct stats *s, const struct cost_model *c, const struct event *ev);

/* What stats_count does for an ACCESS event: also called directly on the
 * TLB-hit path when no sink reads the event (a --quiet run), so that the
 * event need not be built. */
static inline void stats_count_access(struct stats *s, const struct cost_model *c, uint32_t refs,
                                      bool tlb_hit, enum access_kind access)
{
        s->accesses++;
        s->walk_refs += refs;
        if (tlb_hit)
                s->tlb_hits++;
        else
                s->tlb_misses++;
        s->cycles += c->access + c->base_access + refs * c->walk_ref;
        if (access == ACCESS_EXEC)
                s->cycles += c->base_instr;
}

/* stats_count_access for n TLB hits without walk references, fetches of
 * them instruction fetches: the counters of n ACCESS events of hits,
 * added at once for a run of hits that no sink reads. */
static inline void stats_count_hits(struct stats *s, const struct cost_model *c, uint64_t n,
                                    uint64_t fetches)
{
        s->accesses += n;
        s->tlb_hits += n;
        s->cycles += n * (c->access + c->base_access) + fetches * c->base_instr;
}

/* Overhead in percent of cycles over native_cycles (0 when that is 0). */
double stats_overhead(const struct stats *s, uint64_t native_cycles);

/* "[STATS] exits=N tlb_flushes=N ..." and a newline: the counters shown
 * for a machine of vcpus vCPUs. With has_native, an overhead=+P% pair
 * follows the cycles. */
void stats_print_line(FILE *out, const struct stats *s, unsigned vcpus, int has_native,
                      uint64_t native_cycles);

#endif
