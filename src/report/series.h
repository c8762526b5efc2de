/*
 * series.h - the counters of a run as a time series, in CSV.
 *
 * A sink on a sim's event stream: every N events it writes one row with
 * all the counters (the columns of stats.h, in their order), so plots can
 * show how exits, fills or cycles accumulate over a trace. Rows carry the
 * event number and the trace op and line being applied, so the series of
 * different schemes over the same trace can be put on one time axis (the
 * op number) although they emit different numbers of events.
 *
 * Format: a header "scheme,event,op,line,exits,tlb_flushes,...", then one
 * row per sample, the first for the state before any event (all zero), the
 * last for the end of the run.
 */
#ifndef SHADOW_SIM_SERIES_H
#define SHADOW_SIM_SERIES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"

struct series {
        FILE *out;
        const struct sim *sim; /* whose counters are written */
        const char *label;     /* first column: the scheme's name */
        uint64_t every;        /* a row every this many events */
        uint64_t last_seq;     /* event number of the last row written */
};

/* Writes the CSV header line to out: the counters shown for a machine of
 * vcpus vCPUs (stats_shown). */
void series_header(FILE *out, unsigned vcpus);

/* Starts a series of s's counters on out, labelled label (which must
 * outlive the series), one row every `every` (at least 1) events: writes
 * the row of event 0 and attaches the sink to s. Fails (returns false)
 * only when s has no room for another sink. */
bool series_start(struct series *sr, struct sim *s, FILE *out, uint64_t every, const char *label);

/* Writes the final row, unless the last event already had one. */
void series_finish(struct series *sr);

#endif
