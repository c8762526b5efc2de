/*
 * sweep.c - `shadow-sim sweep [--OPTION V1,V2,...]... [-j N] [--list]
 * TRACE...`.
 *
 * A grid: every option of a run that changes the counters may take a
 * comma-separated list of values, and every combination runs on every
 * trace. Each run is exactly the command `shadow-sim --quiet --stats=csv
 * OPTIONS TRACE` (the same parser, the same batch face, in a child
 * process) and gives one CSV row (record.h: the version, the trace, the
 * whole configuration, then every counter) under one header. Rows come in
 * a fixed order whatever the number of parallel runs: trace by trace, and
 * for each trace the combinations with the last option varying fastest.
 * --list prints the runs as command lines instead, for GNU parallel or a
 * cluster's job array.
 */
#include "sweep.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "jobs.h"
#include "options.h"
#include "output.h"
#include "record.h"
#include "run.h"
#include "xalloc.h"

#define MAX_AXES 32
#define MAX_RUNS 1000000

enum axis_kind {
        AXIS_VALUE, /* --NAME VALUE */
        AXIS_FLAG,  /* --NAME when on, nothing when off */
        AXIS_COST,  /* --cost KEY=VALUE */
};

struct sweep_option {
        const char *name; /* without the dashes */
        enum axis_kind kind;
};

/* The options of a run that a sweep may vary (those that change what a
 * run counts or reads); the others are the sweep's own or make no row. */
static const struct sweep_option sweepable[] = {
    {"mode", AXIS_VALUE},
    {"levels", AXIS_VALUE},
    {"ept-levels", AXIS_VALUE},
    {"guest-mem", AXIS_VALUE},
    {"tlb-sets", AXIS_VALUE},
    {"tlb-ways", AXIS_VALUE},
    {"pcid", AXIS_FLAG},
    {"smep", AXIS_FLAG},
    {"smap", AXIS_FLAG},
    {"ad-emulation", AXIS_VALUE},
    {"host-pages", AXIS_VALUE},
    {"pwc", AXIS_VALUE},
    {"prealloc", AXIS_FLAG},
    {"agile-threshold", AXIS_VALUE},
    {"agile-interval", AXIS_VALUE},
    {"vcpus", AXIS_VALUE},
    {"ipi-virt", AXIS_VALUE},
    {"cost", AXIS_COST},
    {"format", AXIS_VALUE},
    {"max-mem", AXIS_VALUE},
};

#define NSWEEPABLE (sizeof sweepable / sizeof sweepable[0])

/* One option of the grid and its values. */
struct axis {
        const struct sweep_option *opt;
        char *key;     /* AXIS_COST: the cost key */
        char **values; /* pointers into list */
        unsigned n;
        char *list; /* the values, split in place */
};

struct sweep {
        const char *prog;
        struct axis axes[MAX_AXES];
        unsigned naxes;
        bool keep_going;
        char **traces;
        unsigned ntraces;
        unsigned jobs;
        unsigned cores; /* online, at least 1 */
        bool list;
        unsigned long combinations; /* product of the axes' sizes */
        int first_failure;          /* exit status of the first run that failed */
};

/* The argv of one run, each string its own allocation. */
struct command {
        char *argv[2 * MAX_AXES + 8];
        int argc;
};

const char *sweep_option_name(unsigned i)
{
        return i < NSWEEPABLE ? sweepable[i].name : NULL;
}

static void print_help(FILE *out)
{
        fputs("Usage: shadow-sim sweep [--OPTION V1,V2,...]... [-j N] [--list] TRACE...\n"
              "Runs every combination of the values given on every trace, each run as\n"
              "  shadow-sim --quiet --stats=csv OPTIONS TRACE\n"
              "would, and prints one CSV row per run under one header: the version, the\n"
              "trace, the whole configuration, then every counter. Rows come trace by trace,\n"
              "the last option varying fastest, whatever -j is.\n"
              "\n"
              "  -j, --jobs N           runs at once (default: the number of cores)\n"
              "      --list             print the runs as command lines instead, one a line\n"
              "                         (each prints a header and its row)\n"
              "  -k, --keep-going       each run skips malformed lines (exit status 65)\n"
              "  -h, --help             show this help and exit\n"
              "\n"
              "Options that take a list of values (see shadow-sim --help):\n ",
              out);
        for (size_t i = 0; i < NSWEEPABLE; i++)
                fprintf(out, " --%s%s", sweepable[i].name, i + 1 < NSWEEPABLE ? "," : "\n");
        fputs("--pcid, --smep, --smap and --prealloc take on,off; --cost takes KEY=V1,V2,...\n"
              "(one key a --cost, repeat it for more keys).\n"
              "\n"
              "Example:\n"
              "  shadow-sim sweep --mode shadow,ept --tlb-ways 2,4,8 --pwc on,off -j 2 t.txt\n"
              "Exit status: 0, 64 bad usage, or the status of the first run that failed (its\n"
              "row is left out).\n",
              out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "shadow-sim sweep: " and the message on stderr, with a pointer to
 * --help. Returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
        va_list ap;
        fputs("shadow-sim sweep: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'shadow-sim sweep --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

static const struct sweep_option *find_option(const char *name, size_t len)
{
        for (size_t i = 0; i < NSWEEPABLE; i++)
                if (strlen(sweepable[i].name) == len && strncmp(sweepable[i].name, name, len) == 0)
                        return &sweepable[i];
        return NULL;
}

/* Adds the axis --name with the values of text ("V1,V2", or "KEY=V1,V2"
 * for --cost). Returns 0 or EXIT_USAGE after a message. */
static int add_axis(struct sweep *sw, const struct sweep_option *opt, const char *text)
{
        if (sw->naxes == MAX_AXES)
                return usage_error("at most %d options to vary", MAX_AXES);
        struct axis *a = &sw->axes[sw->naxes];
        memset(a, 0, sizeof *a);
        a->opt = opt;
        a->list = xstrdup(text);
        char *values = a->list;
        if (opt->kind == AXIS_COST) {
                char *eq = strchr(a->list, '=');
                if (!eq || eq == a->list)
                        return usage_error("--cost expects KEY=V1,V2,... in a sweep, not '%s'",
                                           text);
                *eq = '\0';
                a->key = a->list;
                values = eq + 1;
        }
        for (unsigned i = 0; i < sw->naxes; i++)
                if (sw->axes[i].opt == opt &&
                    (opt->kind != AXIS_COST || strcmp(sw->axes[i].key, a->key) == 0))
                        return usage_error("--%s%s%s is given twice", opt->name, a->key ? " " : "",
                                           a->key ? a->key : "");
        a->values = xcalloc(strlen(values) + 1, sizeof *a->values);
        for (char *v = values;; v++) {
                char *end = strchr(v, ',');
                if (end)
                        *end = '\0';
                if (*v == '\0')
                        return usage_error("an empty value in --%s '%s'", opt->name, text);
                if (opt->kind == AXIS_FLAG && strcmp(v, "on") && strcmp(v, "off"))
                        return usage_error("--%s takes on or off in a sweep, not '%s'", opt->name,
                                           v);
                a->values[a->n++] = v;
                if (!end)
                        break;
                v = end;
        }
        sw->naxes++;
        return 0;
}

/* Parses -j's argument into sw->jobs. */
static int parse_jobs(struct sweep *sw, const char *arg)
{
        char *end;
        long n = arg ? strtol(arg, &end, 10) : 0;
        if (!arg || *arg == '\0' || *end != '\0' || n < 1 || n > 1024)
                return usage_error("-j expects a number of runs at once, 1..1024, not '%s'",
                                   arg ? arg : "");
        sw->jobs = (unsigned)n;
        return 0;
}

/* Parses the command line into sw. Returns -1 to go on, or an exit status
 * (0 after --help). */
static int parse(struct sweep *sw, int argc, char **argv)
{
        sw->traces = xcalloc((size_t)argc + 1, sizeof *sw->traces);
        bool options = true;
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];
                int r = 0;
                if (!options || arg[0] != '-' || strcmp(arg, "-") == 0) {
                        if (strcmp(arg, "-") == 0)
                                return usage_error("%s", "a sweep reads each trace once a run: "
                                                         "give files, not standard input");
                        sw->traces[sw->ntraces++] = argv[i];
                } else if (strcmp(arg, "--") == 0) {
                        options = false;
                } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                        print_help(stdout);
                        return 0;
                } else if (strcmp(arg, "--list") == 0) {
                        sw->list = true;
                } else if (strcmp(arg, "-k") == 0 || strcmp(arg, "--keep-going") == 0) {
                        sw->keep_going = true;
                } else if (strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0) {
                        r = parse_jobs(sw, i + 1 < argc ? argv[++i] : NULL);
                } else if (strncmp(arg, "-j", 2) == 0 && arg[1] != '-') {
                        r = parse_jobs(sw, arg + 2);
                } else if (strncmp(arg, "--jobs=", 7) == 0) {
                        r = parse_jobs(sw, arg + 7);
                } else {
                        const char *name = arg + 2, *eq = strchr(name, '=');
                        size_t len = eq ? (size_t)(eq - name) : strlen(name);
                        const struct sweep_option *opt =
                            arg[1] == '-' ? find_option(name, len) : NULL;
                        if (!opt)
                                return usage_error("'%s' is not an option a sweep varies", arg);
                        if (!eq && i + 1 >= argc)
                                return usage_error("--%s needs a list of values", opt->name);
                        r = add_axis(sw, opt, eq ? eq + 1 : argv[++i]);
                }
                if (r)
                        return r;
        }
        if (sw->ntraces == 0)
                return usage_error("%s", "expected one or more trace files");
        sw->combinations = 1;
        for (unsigned a = 0; a < sw->naxes; a++) {
                sw->combinations *= sw->axes[a].n;
                if (sw->combinations * sw->ntraces > MAX_RUNS)
                        return usage_error("more than %d runs", MAX_RUNS);
        }
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        sw->cores = cores > 0 ? (unsigned)cores : 1;
        if (sw->jobs == 0)
                sw->jobs = sw->cores;
        return -1;
}

/* The command line of run i (trace i / combinations, combination i %
 * combinations, its last axis varying fastest). */
static void command_of(const struct sweep *sw, unsigned long i, struct command *c)
{
        unsigned long combination = i % sw->combinations;
        const char *trace = sw->traces[i / sw->combinations];
        unsigned digit[MAX_AXES];
        for (unsigned a = sw->naxes; a-- > 0;) {
                digit[a] = (unsigned)(combination % sw->axes[a].n);
                combination /= sw->axes[a].n;
        }
        c->argc = 0;
        c->argv[c->argc++] = xstrdup(sw->prog);
        c->argv[c->argc++] = xstrdup("--quiet");
        c->argv[c->argc++] = xstrdup("--stats=csv");
        if (sw->keep_going)
                c->argv[c->argc++] = xstrdup("--keep-going");
        for (unsigned a = 0; a < sw->naxes; a++) {
                const struct axis *ax = &sw->axes[a];
                const char *v = ax->values[digit[a]];
                char opt[64];
                snprintf(opt, sizeof opt, "--%s", ax->opt->name);
                if (ax->opt->kind == AXIS_FLAG) {
                        if (strcmp(v, "on") == 0)
                                c->argv[c->argc++] = xstrdup(opt);
                        continue;
                }
                c->argv[c->argc++] = xstrdup(opt);
                if (ax->opt->kind == AXIS_COST) {
                        size_t n = strlen(ax->key) + strlen(v) + 2;
                        char *kv = xmalloc(n);
                        snprintf(kv, n, "%s=%s", ax->key, v);
                        c->argv[c->argc++] = kv;
                } else {
                        c->argv[c->argc++] = xstrdup(v);
                }
        }
        if (trace[0] == '-')
                c->argv[c->argc++] = xstrdup("--");
        c->argv[c->argc++] = xstrdup(trace);
        c->argv[c->argc] = NULL;
}

static void command_free(struct command *c)
{
        for (int i = 0; i < c->argc; i++)
                free(c->argv[i]);
        c->argc = 0;
}

/* Writes arg for a POSIX shell: as it is when it is safe, else quoted. */
static void put_quoted(FILE *out, const char *arg)
{
        if (*arg && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789_-+=.,:/@%") == strlen(arg)) {
                fputs(arg, out);
                return;
        }
        fputc('\'', out);
        for (; *arg; arg++) {
                if (*arg == '\'')
                        fputs("'\\''", out);
                else
                        fputc(*arg, out);
        }
        fputc('\'', out);
}

static void put_command(FILE *out, const struct command *c)
{
        for (int i = 0; i < c->argc; i++) {
                if (i)
                        fputc(' ', out);
                put_quoted(out, c->argv[i]);
        }
}

/* Parses every combination's command line once, so that a bad value stops
 * the sweep before any run. Returns 0 or EXIT_USAGE (the parser said why). */
static int check_commands(const struct sweep *sw)
{
        for (unsigned long i = 0; i < sw->combinations; i++) {
                struct command c;
                struct options opt;
                command_of(sw, i, &c);
                int status = options_parse(&opt, c.argc, c.argv);
                if (status >= 0) {
                        fputs("shadow-sim sweep: in the run ", stderr);
                        put_command(stderr, &c);
                        fputc('\n', stderr);
                }
                command_free(&c);
                if (status >= 0)
                        return EXIT_USAGE;
        }
        return 0;
}

/* A run, in its child process: the cores are shared out among the runs
 * at once, unless its command line says --threads. */
static int run_one(void *ctx, unsigned i)
{
        struct sweep *sw = ctx;
        struct command c;
        struct options opt;
        command_of(sw, i, &c);
        int status = options_parse(&opt, c.argc, c.argv);
        if (status >= 0)
                return status;
        if (opt.threads == 0)
                opt.threads = sw->cores > sw->jobs ? sw->cores / sw->jobs : 1;
        return batch_run(&opt);
}

/* A run's output: its header, then its row, which goes out at once.
 * Returns false when it could not be written (the sweep stops). */
static bool take_row(void *ctx, unsigned i, int status, const char *out, size_t len)
{
        struct sweep *sw = ctx;
        const char *nl = memchr(out, '\n', len);
        size_t row = nl ? len - (size_t)(nl + 1 - out) : 0;
        if (status == 0 && row > 0) {
                fwrite(nl + 1, 1, row, stdout);
                return output_flushed();
        }
        struct command c;
        command_of(sw, i, &c);
        fputs("shadow-sim sweep: ", stderr);
        put_command(stderr, &c);
        fprintf(stderr, " exited with status %d: its row is left out\n", status);
        command_free(&c);
        if (sw->first_failure == 0)
                sw->first_failure = status ? status : EXIT_SOFTWARE;
        return true;
}

static void sweep_free(struct sweep *sw)
{
        for (unsigned a = 0; a < sw->naxes; a++) {
                free(sw->axes[a].values);
                free(sw->axes[a].list);
        }
        if (sw->naxes < MAX_AXES) { /* an axis refused halfway */
                free(sw->axes[sw->naxes].values);
                free(sw->axes[sw->naxes].list);
        }
        free(sw->traces);
}

int sweep_main(const char *prog, int argc, char **argv)
{
        struct sweep sw;
        memset(&sw, 0, sizeof sw);
        sw.prog = prog;
        int status = parse(&sw, argc, argv);
        if (status < 0)
                status = check_commands(&sw);
        else if (status == 0)
                status = -1; /* --help: done */
        if (status != 0) {
                sweep_free(&sw);
                return status < 0 ? 0 : status;
        }
        unsigned long runs = sw.combinations * sw.ntraces;
        if (sw.list) {
                for (unsigned long i = 0; i < runs; i++) {
                        struct command c;
                        command_of(&sw, i, &c);
                        put_command(stdout, &c);
                        fputc('\n', stdout);
                        command_free(&c);
                }
        } else {
                record_csv_header(stdout);
                /* Output that cannot be written stops the sweep before a run. */
                if (output_flushed() &&
                    jobs_run((unsigned)runs, sw.jobs, run_one, take_row, &sw) < 0) {
                        perror("shadow-sim sweep: cannot start a run");
                        if (sw.first_failure == 0)
                                sw.first_failure = 71; /* EX_OSERR */
                }
        }
        status = sw.first_failure;
        sweep_free(&sw);
        return output_finish("shadow-sim sweep", status);
}
