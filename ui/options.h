/*
 * options.h - the command line of shadow-sim, parsed once for every face.
 */
#ifndef SHADOW_SIM_OPTIONS_H
#define SHADOW_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"
#include "trace.h"

enum stats_format { STATS_TEXT, STATS_JSON, STATS_CSV };

/* The most -e commands on one command line. */
#define OPTIONS_MAX_EVAL 64

struct options {
        struct sim_config cfg;
        enum trace_format format;
        enum stats_format stats_format;
        bool quiet;
        bool keep_going;
        bool compare;                       /* every scheme side by side */
        bool exits;                         /* --exits: the report of VM exits by reason */
        bool comments;                      /* --comments: the trace's narration in the log */
        const char *trace;                  /* NULL: the built-in sample */
        unsigned long series;               /* --series N: CSV counters every N events (0: off) */
        bool interactive;                   /* -i: the ncurses stepper */
        bool repl;                          /* --repl: the readline debugger */
        const char *script;                 /* --script: commands to run first */
        const char *eval[OPTIONS_MAX_EVAL]; /* -e, --eval: commands to run after the script */
        unsigned neval;
        bool no_color;    /* --no-color */
        int theme;        /* --theme: an enum cmd_theme, or -1 when not given */
        size_t max_mem;   /* --max-mem: bytes the machines may take */
        unsigned threads; /* --threads: threads a run may use (0: one a core) */
};

/* The name of long option i (without the dashes; NULL past the last) and
 * whether it takes an argument: for shell completion. */
const char *options_long_name(unsigned i, bool *takes_argument);

/* Parses argv (again and again if need be). Returns -1 to go on, or an
 * exit status (0 after --help or --version; EXIT_USAGE after a message on
 * stderr). */
int options_parse(struct options *opt, int argc, char **argv);

#endif
