/*
 * gen.h - the workload generator: traces of the classic scenarios the
 * literature measured shadow and nested paging on.
 *
 * A scenario is a small program for the guest kernel model (gen_os.h):
 * forkwait, tlb-stress, mmap-churn, context-switch, boot, migration. Each
 * takes a few
 * size parameters and a seed and writes a trace in format v1 to a FILE*;
 * the same scenario, parameters and seed give the same bytes everywhere
 * (the generator has its own PRNG, gen_rng.h). The trace starts with the
 * command line that makes it again and ends with the number of guest page
 * faults it provokes, so a reader can check a replay against it.
 *
 * The command `shadow-sim gen` (ui/gen_cmd.c) parses the command line;
 * this file knows nothing of argv.
 */
#ifndef SHADOW_SIM_GEN_H
#define SHADOW_SIM_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gen_os.h"
#include "gen_rng.h"

#define GEN_MAX_PARAMS 4

/* A size parameter of a scenario, given as --NAME N. */
struct gen_param {
        const char *name;
        uint64_t def, min, max; /* default and accepted range */
        const char *help;
};

struct gen_scenario {
        const char *name;
        const char *help;                        /* one line: what it models */
        struct gen_param params[GEN_MAX_PARAMS]; /* unused ones have no name */
        /* Writes the body of the trace; values[i] is params[i]. */
        void (*run)(struct gen_os *os, struct gen_rng *rng, const uint64_t *values);
        /* The memory accesses run makes with these values (one ACCESS line
         * each, two when it faults): the size a limit is put on. */
        uint64_t (*accesses)(const uint64_t *values);
        /* What values must satisfy together beyond their ranges, or NULL:
         * returns NULL when they do, else a sentence saying why not. */
        const char *(*check)(const uint64_t *values, char *buf, size_t n);
};

/* The default limit on the accesses of a generated trace (`shadow-sim gen
 * --max-accesses`): some 2.5 GB of text. */
#define GEN_MAX_ACCESSES UINT64_C(100000000)

/* The scenarios, in the order --help lists them. */
unsigned gen_scenario_count(void);
const struct gen_scenario *gen_scenario_at(unsigned i);

/* The scenario of that exact name, or NULL. */
const struct gen_scenario *gen_find(const char *name);

/* Number of parameters of sc, and the index of the one named, or -1. */
unsigned gen_param_count(const struct gen_scenario *sc);
int gen_param_find(const struct gen_scenario *sc, const char *name);

/* Fills values[] with the defaults of sc's parameters. */
void gen_defaults(const struct gen_scenario *sc, uint64_t *values);

/* Checks values (each within its range) together. Returns NULL, or a
 * sentence in buf saying which do not go together. */
const char *gen_check(const struct gen_scenario *sc, const uint64_t *values, char *buf, size_t n);

/* Writes the whole trace of sc with the given parameter values (each
 * within its range, gen_check passed) and seed to out, and what it
 * provokes into *sum (may be NULL). Returns 0, or -1 when out reports a
 * write error (errno set by the failed write): the writing stops within a
 * few thousand lines of it. */
int gen_write(const struct gen_scenario *sc, const uint64_t *values, uint64_t seed, FILE *out,
              struct gen_summary *sum);

#endif
