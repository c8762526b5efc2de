/*
 * exit_report.h - VM exits by reason, as `perf kvm stat report` shows
 * them.
 *
 * For each reason that occurred: how many exits, their share of all exits,
 * the cycles they cost under the cost model (each exit pays the round trip
 * and the VMM's handling of its reason), their share of the exits' cycles
 * and the average. It is computed from the counters, which are themselves
 * a function of the event stream, so the batch report and the debugger's
 * `info exits` agree at every event. Other work the VMM does while it
 * handles exits (building shadow pages, comparing entries in a resync) has
 * its own cost keys; the report states it beside the table.
 */
#ifndef SHADOW_SIM_EXIT_REPORT_H
#define SHADOW_SIM_EXIT_REPORT_H

#include <stdint.h>

#include "cost.h"
#include "event.h"
#include "stats.h"

struct exit_row {
        enum exit_reason reason;
        uint64_t exits;
        uint64_t cycles;
};

struct exit_report {
        struct exit_row rows[EXIT_REASON_COUNT]; /* reasons that occurred, most first */
        unsigned nrows;
        uint64_t exits;          /* all exits (the sum of the rows) */
        uint64_t cycles;         /* their cycles (the sum of the rows) */
        uint64_t all_cycles;     /* every cycle of the run */
        uint64_t shadow_pages;   /* shadow pages built */
        uint64_t resync_entries; /* entries compared in resyncs */
        uint64_t vmm_cycles;     /* what those two cost */
};

/* The exits of reason in s. */
uint64_t exit_report_count(const struct stats *s, enum exit_reason reason);

/* The report of the counters s under cost model c. Rows are sorted by
 * exits, most first (ties in the order of enum exit_reason). */
void exit_report_make(struct exit_report *r, const struct stats *s, const struct cost_model *c);

/* Percent of part in whole (0 when whole is 0). */
double exit_report_pct(uint64_t part, uint64_t whole);

/* Writes the report of the scheme named scheme as lines without a newline,
 * each given to line(ctx, text): a title, the table with a Total row, and
 * a sentence on the exits' share of all cycles and the VMM's other work. */
void exit_report_write(const struct exit_report *r, const char *scheme,
                       void (*line)(void *ctx, const char *text), void *ctx);

#endif
