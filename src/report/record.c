/*
 * record.c - a run's record as CSV and JSON (see record.h).
 */
#include "record.h"

#include <stddef.h>
#include <string.h>

#include "exit_report.h"

#ifndef SHADOW_SIM_VERSION
#define SHADOW_SIM_VERSION "0.1.0"
#endif

/* A field's value, typed for JSON. */
struct value {
        enum { V_STR, V_UINT, V_BOOL, V_PCT } type;
        const char *s;
        uint64_t u;
        double d;
};

/* The record's fields in order: the run and its trace, the configuration,
 * the cost model, the counters, the overhead. */
enum { RUN_FIELDS = 5, CONFIG_FIELDS = 18, COST_FIELDS = sizeof(struct cost_model) / 8 };

static const char *const run_names[RUN_FIELDS] = {"version", "trace", "lines", "format",
                                                  "compression"};
/* The same in the JSON "trace" object (version stands alone). */
static const char *const trace_json_names[RUN_FIELDS] = {"version", "name", "lines", "format",
                                                         "compression"};

static const char *const config_names[] = {
    "mode",     "levels",          "ept_levels",     "guest_mem",
    "tlb_sets", "tlb_ways",        "pcid",           "ad_emulation",
    "pwc",      "host_pages",      "prealloc",       "smep",
    "smap",     "agile_threshold", "agile_interval", "vcpus",
    "ipi_virt", "keep_going",
};

_Static_assert(sizeof config_names / sizeof config_names[0] == CONFIG_FIELDS,
               "config_names and config_value() disagree");

/* A tripwire for the promise of record.h: the fields of struct sim_config
 * before its cost model, as this file knows them (x86-64). A field added
 * there moves the cost model: add it to config_names and config_value(),
 * then here. */
_Static_assert(sizeof(void *) != 8 || offsetof(struct sim_config, cost) == 64,
               "struct sim_config has a field that the run record does not carry");

static const char *const cost_names[] = {
#define COST_NAME(name, def, help, source) "cost_" #name,
    COST_KEYS(COST_NAME)
#undef COST_NAME
};

static const size_t cost_offsets[] = {
#define COST_OFFSET(name, def, help, source) offsetof(struct cost_model, name),
    COST_KEYS(COST_OFFSET)
#undef COST_OFFSET
};

_Static_assert(sizeof cost_names / sizeof cost_names[0] == COST_FIELDS,
               "a cost key that is not a uint64_t field");

#define FIRST_CONFIG RUN_FIELDS
#define FIRST_COST   (FIRST_CONFIG + CONFIG_FIELDS)
#define FIRST_STATS  (FIRST_COST + COST_FIELDS)
#define OVERHEAD     (FIRST_STATS + STATS_COUNT)
#define NFIELDS      (OVERHEAD + 1)

unsigned record_field_count(void)
{
        return NFIELDS;
}

const char *record_field_name(unsigned i)
{
        if (i < FIRST_CONFIG)
                return run_names[i];
        if (i < FIRST_COST)
                return config_names[i - FIRST_CONFIG];
        if (i < FIRST_STATS)
                return cost_names[i - FIRST_COST];
        if (i < OVERHEAD)
                return stats_name(i - FIRST_STATS);
        return i == OVERHEAD ? "overhead_pct" : NULL;
}

static struct value str(const char *s)
{
        return (struct value){.type = V_STR, .s = s};
}

static struct value num(uint64_t u)
{
        return (struct value){.type = V_UINT, .u = u};
}

static struct value flag(bool b)
{
        return (struct value){.type = V_BOOL, .u = b};
}

static struct value config_value(const struct sim_config *c, bool keep_going, unsigned i)
{
        switch (i) {
        case 0:
                return str(mode_name(c->mode));
        case 1:
                return num((uint64_t)c->levels);
        case 2:
                return num((uint64_t)c->ept_levels);
        case 3:
                return num(c->guest_mem);
        case 4:
                return num(c->tlb_sets);
        case 5:
                return num(c->tlb_ways);
        case 6:
                return flag(c->pcid);
        case 7:
                return flag(c->ad_emulation);
        case 8:
                return flag(c->pwc);
        case 9:
                return str(c->host_large ? "2M" : "4K");
        case 10:
                return flag(c->prealloc);
        case 11:
                return flag(c->smep);
        case 12:
                return flag(c->smap);
        case 13:
                return num(c->agile_threshold);
        case 14:
                return num(c->agile_interval);
        case 15:
                return num(c->vcpus);
        case 16:
                return str(ipi_virt_name(c->ipi_virt));
        default: /* 17 */
                return flag(keep_going);
        }
}

static struct value field_value(const struct run_record *r, unsigned i)
{
        switch (i) {
        case 0:
                return str(SHADOW_SIM_VERSION);
        case 1:
                return str(r->trace);
        case 2:
                return num(r->lines);
        case 3:
                return str(trace_format_name(r->format));
        case 4:
                return str(r->compression);
        default:
                break;
        }
        if (i < FIRST_COST)
                return config_value(&r->cfg, r->keep_going, i - FIRST_CONFIG);
        if (i < FIRST_STATS)
                return num(
                    *(const uint64_t *)((const char *)&r->cfg.cost + cost_offsets[i - FIRST_COST]));
        if (i < OVERHEAD)
                return num(stats_value(&r->stats, i - FIRST_STATS));
        return (struct value){.type = V_PCT, .d = stats_overhead(&r->stats, r->native_cycles)};
}

void record_trace(struct run_record *rec, const char *name, const struct trace_reader *r)
{
        rec->trace = name;
        rec->lines = r->line;
        rec->format = r->format;
        rec->compression = trace_compression(r);
}

/* ---- CSV ----------------------------------------------------------------- */

/* A CSV cell (RFC 4180: quoted, quotes doubled, when it holds a comma, a
 * quote or a line break). */
static void csv_string(FILE *out, const char *s)
{
        if (!strpbrk(s, ",\"\r\n")) {
                fputs(s, out);
                return;
        }
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"')
                        fputc('"', out);
                fputc(*s, out);
        }
        fputc('"', out);
}

static void csv_value(FILE *out, struct value v)
{
        switch (v.type) {
        case V_STR:
                csv_string(out, v.s);
                break;
        case V_UINT:
                fprintf(out, "%llu", (unsigned long long)v.u);
                break;
        case V_BOOL:
                fputs(v.u ? "on" : "off", out);
                break;
        case V_PCT:
                fprintf(out, "%.1f", v.d);
                break;
        }
}

void record_csv_cell(FILE *out, const struct run_record *rec, unsigned i)
{
        csv_value(out, field_value(rec, i));
}

void record_csv_header(FILE *out)
{
        for (unsigned i = 0; i < NFIELDS; i++)
                fprintf(out, "%s%s", i ? "," : "", record_field_name(i));
        fputc('\n', out);
}

void record_csv_row(FILE *out, const struct run_record *rec)
{
        for (unsigned i = 0; i < NFIELDS; i++) {
                if (i)
                        fputc(',', out);
                record_csv_cell(out, rec, i);
        }
        fputc('\n', out);
}

void record_csv_table(FILE *out, const struct run_record *recs, unsigned n)
{
        fputs("field", out);
        for (unsigned m = 0; m < n; m++) {
                fputc(',', out);
                csv_string(out, mode_name(recs[m].cfg.mode));
        }
        fputc('\n', out);
        for (unsigned i = 0; i < NFIELDS; i++) {
                fputs(record_field_name(i), out);
                for (unsigned m = 0; m < n; m++) {
                        fputc(',', out);
                        record_csv_cell(out, &recs[m], i);
                }
                fputc('\n', out);
        }
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_string(FILE *out, const char *s)
{
        fputc('"', out);
        for (; *s; s++) {
                unsigned char ch = (unsigned char)*s;
                if (ch == '"' || ch == '\\')
                        fprintf(out, "\\%c", ch);
                else if (ch == '\n')
                        fputs("\\n", out);
                else if (ch < 0x20 || ch == 0x7F)
                        fprintf(out, "\\u%04x", ch);
                else
                        fputc(ch, out);
        }
        fputc('"', out);
}

static void json_value(FILE *out, struct value v)
{
        switch (v.type) {
        case V_STR:
                json_string(out, v.s);
                break;
        case V_UINT:
                fprintf(out, "%llu", (unsigned long long)v.u);
                break;
        case V_BOOL:
                fputs(v.u ? "true" : "false", out);
                break;
        case V_PCT:
                fprintf(out, "%.1f", v.d);
                break;
        }
}

/* Writes "name": value for fields [from, to) of rec, names from names
 * (offset to from) or the CSV names with their prefix cut. */
static void json_members(FILE *out, const struct run_record *rec, unsigned from, unsigned to,
                         const char *const *names, size_t cut)
{
        for (unsigned i = from; i < to; i++) {
                fputs(i > from ? ", " : "", out);
                json_string(out, names ? names[i - from] : record_field_name(i) + cut);
                fputs(": ", out);
                json_value(out, field_value(rec, i));
        }
}

static void json_trace(FILE *out, const struct run_record *rec)
{
        fputs("\"version\": ", out);
        json_value(out, field_value(rec, 0));
        fputs(", \"trace\": {", out);
        json_members(out, rec, 1, RUN_FIELDS, trace_json_names + 1, 0);
        fputs("}", out);
}

/* "config": {...}, from its first field (1: without the mode). */
static void json_config(FILE *out, const struct run_record *rec, unsigned first)
{
        fputs(", \"config\": {", out);
        json_members(out, rec, FIRST_CONFIG + first, FIRST_COST, config_names + first, 0);
        fputs(", \"cost\": {", out);
        json_members(out, rec, FIRST_COST, FIRST_STATS, NULL, strlen("cost_"));
        fputs("}}", out);
}

/* , "vcpus": [{"cpu": N, "stats": {...}}, ...]: each vCPU's counters. */
static void json_vcpus(FILE *out, const struct run_record *rec)
{
        fputs(", \"vcpus\": [", out);
        for (unsigned c = 0; c < rec->cfg.vcpus; c++) {
                fprintf(out, "%s{\"cpu\": %u, \"stats\": {", c ? ", " : "", c);
                for (unsigned i = 0; i < STATS_COUNT; i++)
                        fprintf(out, "%s\"%s\": %llu", i ? ", " : "", stats_name(i),
                                (unsigned long long)stats_value(&rec->cpu_stats[c], i));
                fputs("}}", out);
        }
        fputs("]", out);
}

/* "stats": {...}, "exit_reasons": [...] */
static void json_results(FILE *out, const struct run_record *rec)
{
        fputs("\"stats\": {", out);
        json_members(out, rec, FIRST_STATS, NFIELDS, NULL, 0);
        fputs("}, \"exit_reasons\": [", out);
        struct exit_report rep;
        exit_report_make(&rep, &rec->stats, &rec->cfg.cost);
        for (unsigned i = 0; i < rep.nrows; i++) {
                const struct exit_row *row = &rep.rows[i];
                fprintf(out,
                        "%s{\"reason\": \"%s\", \"exits\": %llu, \"exits_pct\": %.2f, "
                        "\"cycles\": %llu, \"cycles_pct\": %.2f, \"avg_cycles\": %.1f}",
                        i ? ", " : "", exit_reason_name(row->reason),
                        (unsigned long long)row->exits, exit_report_pct(row->exits, rep.exits),
                        (unsigned long long)row->cycles, exit_report_pct(row->cycles, rep.cycles),
                        (double)row->cycles / (double)row->exits);
        }
        fputs("]", out);
        if (rec->cpu_stats)
                json_vcpus(out, rec);
}

void record_json(FILE *out, const struct run_record *rec)
{
        fputs("{", out);
        json_trace(out, rec);
        json_config(out, rec, 0);
        fputs(", ", out);
        json_results(out, rec);
        fputs("}\n", out);
}

void record_json_compare(FILE *out, const struct run_record *recs, unsigned n)
{
        fputs("{", out);
        json_trace(out, &recs[0]);
        json_config(out, &recs[0], 1);
        fputs(", \"schemes\": {", out);
        for (unsigned m = 0; m < n; m++) {
                fputs(m ? ", " : "", out);
                json_string(out, mode_name(recs[m].cfg.mode));
                fputs(": {", out);
                json_results(out, &recs[m]);
                fputs("}", out);
        }
        fputs("}}\n", out);
}
