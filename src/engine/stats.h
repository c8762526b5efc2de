/*
 * stats.h - the counters of a run, computed from the event stream.
 *
 * stats_count() is the consumer of every event a sim emits; the counters are
 * never updated from inside the schemes. The list of counters is one
 * X-macro, so the [STATS] line, the JSON and CSV records (record.h) and the
 * comparison table all print the same names in the same order.
 */
#ifndef SHADOW_SIM_STATS_H
#define SHADOW_SIM_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "cost.h"
#include "event.h"

/* X(name, what it counts). exits and tlb_flushes come first: the [STATS]
 * line starts with them. */
#define STATS_FIELDS(X)                                                                            \
        X(exits, "VM exits, all reasons")                                                          \
        X(tlb_flushes, "whole-TLB flushes (CR3 loads without PCID, guest flushes)")                \
        X(accesses, "memory accesses (one per page touched)")                                      \
        X(tlb_hits, "accesses translated by the TLB")                                              \
        X(tlb_misses, "accesses that needed a page walk")                                          \
        X(tlb_evictions, "TLB entries evicted to make room")                                       \
        X(walk_refs, "memory references made by hardware page walks")                              \
        X(pt_writes, "guest stores into its page tables (links, leaves, clears, protects)")        \
        X(pt_traps, "guest page-table stores that exited to the VMM")                              \
        X(shadow_pages, "shadow pages created (guest tables write-protected)")                     \
        X(shadow_fills, "shadow leaves filled on hidden page faults")                              \
        X(shadow_updates, "shadow leaves updated by emulated guest PT writes")                     \
        X(shadow_zaps, "shadow entries and pages dropped")                                         \
        X(unsyncs, "leaf tables let out of sync")                                                  \
        X(resyncs, "out-of-sync tables resynced")                                                  \
        X(resync_entries, "entries compared during resyncs")                                       \
        X(guest_pf, "page faults the guest saw")                                                   \
        X(hidden_pf, "page faults the VMM handled without the guest knowing")                      \
        X(ept_violations, "EPT violations (first touch of a guest frame)")                         \
        X(stale_tlb, "accesses through a TLB entry the guest had changed without INVLPG")          \
        X(dirty_rounds, "dirty-logging rounds synced (migration rounds)")                          \
        X(dirty_pages, "guest pages found written, summed over the rounds")                        \
        X(dirty_extra, "pages reported dirty that were not written (coarse tracking)")             \
        X(dirty_exits, "exits that only dirty logging caused")                                     \
        X(exit_pt_write, "exits: trapped guest PT write")                                          \
        X(exit_page_fault, "exits: page fault on the shadow tables")                               \
        X(exit_cr3, "exits: CR3 load")                                                             \
        X(exit_invlpg, "exits: INVLPG")                                                            \
        X(exit_ept_violation, "exits: EPT violation")                                              \
        X(exit_pml_full, "exits: page-modification log full")                                      \
        X(cycles, "modelled CPU cycles (cost model)")

struct stats {
#define STATS_FIELD(name, help) uint64_t name;
        STATS_FIELDS(STATS_FIELD)
#undef STATS_FIELD
};

/* Number of counters and their names, in the order of STATS_FIELDS. */
#define STATS_COUNT 31
const char *stats_name(unsigned i);
const char *stats_help(unsigned i);
uint64_t stats_value(const struct stats *s, unsigned i);

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

/* Overhead in percent of cycles over native_cycles (0 when that is 0). */
double stats_overhead(const struct stats *s, uint64_t native_cycles);

/* "[STATS] exits=N tlb_flushes=N ..." and a newline. With has_native, an
 * overhead=+P% pair follows the cycles. */
void stats_print_line(FILE *out, const struct stats *s, int has_native, uint64_t native_cycles);

#endif
