/*
 * record.h - one run as a record: what reproduces it, then what it counted.
 *
 * The counters of a run are worth keeping only with what made them: the
 * program's version, the trace (its name, the lines read, the format
 * detected, the compression) and the whole effective configuration (the
 * scheme, the machine, every option that changes the counters, the cost
 * model). A record holds all of it, and the same fields in the same order
 * make the CSV row of --stats=csv and of a sweep, the rows of the
 * comparison's CSV table and the JSON of --stats=json.
 *
 * Every field of struct sim_config is a field of the record: a field added
 * there must be added to CONFIG_FIELDS in record.c. (--max-mem is not: it
 * never changes the counters of a run that completes, and its default
 * depends on the machine.)
 */
#ifndef SHADOW_SIM_RECORD_H
#define SHADOW_SIM_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"
#include "stats.h"
#include "trace.h"

struct run_record {
        const char *trace;        /* the trace's name, as messages give it */
        uint64_t lines;           /* lines read */
        enum trace_format format; /* as detected (auto for an empty trace) */
        const char *compression;  /* "text", "gzip", "xz" or "zstd" */
        bool keep_going;          /* malformed lines were skipped */
        struct sim_config cfg;
        struct stats stats;
        const struct stats *cpu_stats; /* each vCPU's counters (cfg.vcpus of them: the
                                          machine's own, which must outlive the record),
                                          or NULL with one vCPU */
        uint64_t native_cycles;        /* of native on the same trace (for the overhead) */
};

/* The trace's side of a record, from the reader that read it to its end. */
void record_trace(struct run_record *rec, const char *name, const struct trace_reader *r);

/* The number of fields of a record and the name of field i (CSV header
 * names: "version", "trace", ..., "mode", ..., "cost_exit", ...,
 * "exits", ..., "cycles", "overhead_pct"). */
unsigned record_field_count(void);
const char *record_field_name(unsigned i);

/* Writes field i of rec as a CSV cell (quoted when it must be). */
void record_csv_cell(FILE *out, const struct run_record *rec, unsigned i);

/* The header line and the row of rec, each with a newline. */
void record_csv_header(FILE *out);
void record_csv_row(FILE *out, const struct run_record *rec);

/* The comparison as CSV: a column per record (each a scheme on the same
 * trace), a row per field, the first column naming the field. */
void record_csv_table(FILE *out, const struct run_record *recs, unsigned n);

/* The record as one line of JSON:
 *   {"version": ..., "trace": {"name", "lines", "format", "compression"},
 *    "config": {..., "cost": {...}}, "stats": {..., "overhead_pct"},
 *    "exit_reasons": [{"reason", "exits", "exits_pct", "cycles",
 *                      "cycles_pct", "avg_cycles"}, ...]}
 * and a newline; with several vCPUs "vcpus": [{"cpu": 0, "stats": {...}},
 * ...] follows the exit reasons, each vCPU's counters (the machine's are
 * their sum). */
void record_json(FILE *out, const struct run_record *rec);

/* The comparison as one line of JSON: version, trace and config (without
 * the mode) once, then "schemes": {"native": {"stats": {...},
 * "exit_reasons": [...], and "vcpus" as above}, ...} in the order of recs. */
void record_json_compare(FILE *out, const struct run_record *recs, unsigned n);

#endif
