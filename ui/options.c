/*
 * options.c - command-line parsing (getopt_long) and --help.
 */
#include "number.h"
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "memlimit.h"
#include "quote.h"
#include "run.h"
#include "scheme.h"

#ifndef SHADOW_SIM_VERSION
#define SHADOW_SIM_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "Usage: shadow-sim [OPTION]... [TRACE|-]\n"
    "       shadow-sim gen SCENARIO [--seed N] [--PARAM N]...  (see shadow-sim gen --help)\n"
    "       shadow-sim sweep [--OPTION V1,V2,...]... [-j N] [--list] TRACE...\n"
    "                                           (see shadow-sim sweep --help)\n"
    "       shadow-sim quiz [--seed N] [--count N] [--answers] [OPTION]... [TRACE|-]\n"
    "                                           (see shadow-sim quiz --help)\n"
    "       shadow-sim completion bash              the bash completion script\n"
    "Replays a trace of guest page-table writes, memory accesses, context switches and\n"
    "TLB invalidations under native paging, shadow paging or nested paging (EPT/NPT),\n"
    "and prints what the MMU and the hypervisor did and what it cost. With no TRACE the\n"
    "built-in sample trace runs; - reads standard input.\n"
    "\n"
    "Schemes and machine:\n"
    "  -m, --mode MODE        the scheme, each a real design (default shadow):\n";

/* The rest of --help, after the list of schemes. */
static const char usage_rest[] =
    "      --levels N         guest paging levels, 2..5 (default 4; 5 = LA57)\n"
    "      --ept-levels N     nested paging levels, 2..5 (default 4)\n"
    "      --guest-mem SIZE   guest physical memory, e.g. 512M, 4G (default 4G, or\n"
    "                         all that --ept-levels 2 maps: 1G)\n"
    "      --tlb-sets N       TLB sets, a power of two (default 16)\n"
    "      --tlb-ways N       TLB ways (default 4)\n"
    "      --pcid             tag TLB entries by address space: CR3 loads do not flush\n"
    "      --smep             CR4.SMEP: supervisor fetches from user pages fault\n"
    "      --smap             CR4.SMAP: supervisor data accesses to user pages fault\n"
    "      --ad-emulation on|off  shadow: map clean pages read-only to emulate the D bit\n"
    "                         (default on)\n"
    "      --host-pages SIZE  4K (default) or 2M: the host page size backing guest\n"
    "                         memory (2M: an HPA keeps the low 21 bits of its GPA)\n"
    "      --prealloc         the host backs all guest memory before the guest runs\n"
    "                         (QEMU -mem-prealloc): no EPT violation on first touch\n"
    "      --pwc on|off       page-walk caches in both dimensions (default on, as on\n"
    "                         every x86 CPU since about 2008; off shows the textbook\n"
    "                         counts: 24 references for a cold 4+4 nested walk)\n"
    "      --agile-threshold N  agile: trapped writes within an interval that move a\n"
    "                         table to nested mode (default 2)\n"
    "      --agile-interval N  agile: ops in one interval; a nested table unwritten for\n"
    "                         a whole interval returns to shadow mode (default 10000)\n"
    "      --vcpus N          virtual CPUs, 1..64 (default 1), each with its own TLB,\n"
    "                         page-walk caches and CR3; CPU lines in the trace pick one\n"
    "      --ipi-virt MODE    what the CPU virtualizes of the guest's IPIs: off (default:\n"
    "                         the send and the delivery exit), posted (APICv posted\n"
    "                         interrupts: the send exits) or on (IPI virtualization)\n"
    "      --cost KEY=N,...   override cycle costs; --cost help lists the keys\n"
    "      --max-mem SIZE     memory the simulated machines may take, e.g. 2G; a trace\n"
    "                         that needs more is refused at its line (default: half\n"
    "                         of the memory, cgroup limit or ulimit, the lowest)\n"
    "\n"
    "Input and output:\n"
    "      --format FMT       auto (default), v1 or lackey\n"
    "  -q, --quiet            print only the statistics\n"
    "      --stats FMT        text (default), json or csv\n"
    "      --comments         print the trace's narration (the comment lines above a\n"
    "                         line) in the log, before the line's events\n"
    "      --exits            after the statistics, the VM exits by reason: count,\n"
    "                         share, cycles, share of the cycles, average (as\n"
    "                         perf kvm stat report); one block per scheme with -c\n"
    "  -c, --compare          run every scheme side by side and print a table\n"
    "      --series N         print the counters as CSV every N events instead of the\n"
    "                         log and the statistics (for plots)\n"
    "  -k, --keep-going       report every malformed line and go on (exit status 65)\n"
    "      --threads N        threads a run without a log may use, 1..256 (default:\n"
    "                         one a core): one reads the trace ahead of the machines\n"
    "\n"
    "Stepping through a trace:\n"
    "  -i, --interactive      open the stepper (ncurses) on TRACE or the sample\n"
    "      --repl             a debugger prompt (readline); reads commands from a pipe too\n"
    "  -e, --eval CMD         run the debugger command CMD after the script; repeat it\n"
    "                         for more (alone: run them and exit)\n"
    "      --script FILE      run the debugger commands in FILE first (alone: run them\n"
    "                         and exit)\n"
    "      --no-color         no colours in the stepper (so does NO_COLOR)\n"
    "      --theme THEME      the stepper's colours: dark or light (a projector); by\n"
    "                         default light when COLORFGBG says the background is\n"
    "                         light, else dark\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Exit status: 0 success, 64 bad usage, 65 malformed trace, 66 unreadable trace,\n"
    "74 read error.\n";

/* --help: the text, with one line per scheme from the registry. */
static void print_usage(FILE *out)
{
        fputs(usage_text, out);
        for (int m = 0; m < MODE_COUNT; m++) {
                const struct scheme *sc = scheme_of((enum mmu_mode)m);
                fprintf(out, "                           %-13s %s\n", sc->name, sc->design);
        }
        fputs(usage_rest, out);
}

enum long_only {
        OPT_LEVELS = 256,
        OPT_EPT_LEVELS,
        OPT_GUEST_MEM,
        OPT_TLB_SETS,
        OPT_TLB_WAYS,
        OPT_PCID,
        OPT_SMEP,
        OPT_AGILE_THRESHOLD,
        OPT_AGILE_INTERVAL,
        OPT_SMAP,
        OPT_AD,
        OPT_PWC,
        OPT_HOST_PAGES,
        OPT_PREALLOC,
        OPT_COST,
        OPT_FORMAT,
        OPT_STATS,
        OPT_SERIES,
        OPT_REPL,
        OPT_SCRIPT,
        OPT_NO_COLOR,
        OPT_THEME,
        OPT_MAX_MEM,
        OPT_THREADS,
        OPT_EXITS,
        OPT_COMMENTS,
        OPT_VCPUS,
        OPT_IPI_VIRT,
};

static const struct option long_options[] = {
    {"mode", required_argument, NULL, 'm'},
    {"levels", required_argument, NULL, OPT_LEVELS},
    {"ept-levels", required_argument, NULL, OPT_EPT_LEVELS},
    {"guest-mem", required_argument, NULL, OPT_GUEST_MEM},
    {"tlb-sets", required_argument, NULL, OPT_TLB_SETS},
    {"tlb-ways", required_argument, NULL, OPT_TLB_WAYS},
    {"pcid", no_argument, NULL, OPT_PCID},
    {"smep", no_argument, NULL, OPT_SMEP},
    {"agile-threshold", required_argument, NULL, OPT_AGILE_THRESHOLD},
    {"agile-interval", required_argument, NULL, OPT_AGILE_INTERVAL},
    {"vcpus", required_argument, NULL, OPT_VCPUS},
    {"ipi-virt", required_argument, NULL, OPT_IPI_VIRT},
    {"smap", no_argument, NULL, OPT_SMAP},
    {"ad-emulation", required_argument, NULL, OPT_AD},
    {"pwc", required_argument, NULL, OPT_PWC},
    {"host-pages", required_argument, NULL, OPT_HOST_PAGES},
    {"prealloc", no_argument, NULL, OPT_PREALLOC},
    {"cost", required_argument, NULL, OPT_COST},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"quiet", no_argument, NULL, 'q'},
    {"stats", required_argument, NULL, OPT_STATS},
    {"exits", no_argument, NULL, OPT_EXITS},
    {"comments", no_argument, NULL, OPT_COMMENTS},
    {"series", required_argument, NULL, OPT_SERIES},
    {"keep-going", no_argument, NULL, 'k'},
    {"compare", no_argument, NULL, 'c'},
    {"interactive", no_argument, NULL, 'i'},
    {"repl", no_argument, NULL, OPT_REPL},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"eval", required_argument, NULL, 'e'},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"theme", required_argument, NULL, OPT_THEME},
    {"max-mem", required_argument, NULL, OPT_MAX_MEM},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

const char *options_long_name(unsigned i, bool *takes_argument)
{
        if (i >= sizeof long_options / sizeof long_options[0] - 1)
                return NULL;
        *takes_argument = long_options[i].has_arg != no_argument;
        return long_options[i].name;
}

/* Prints "shadow-sim: " and fmt with arg (escaped: it comes from the
 * command line) on stderr, with a pointer to --help. Returns EXIT_USAGE. */
static int usage_error(const char *fmt, const char *arg)
{
        fputs("shadow-sim: ", stderr);
        fprintf(stderr, fmt, quote(arg));
        fputs("\nTry 'shadow-sim --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

/* Parses a whole number option argument in [lo, hi]. */
static bool parse_int(const char *s, long lo, long hi, long *out)
{
        uint64_t v;
        if (!parse_u64(s, strlen(s), &v) || v < (uint64_t)lo || v > (uint64_t)hi)
                return false;
        *out = (long)v;
        return true;
}

static bool parse_on_off(const char *s, bool *out)
{
        if (strcmp(s, "on") && strcmp(s, "off"))
                return false;
        *out = strcmp(s, "on") == 0;
        return true;
}

/* Parses a size: a number with an optional K, M, G or T suffix (binary). */
static bool parse_size(const char *s, uint64_t *out)
{
        size_t len = strlen(s);
        unsigned shift = 0;
        if (len > 0) {
                switch (s[len - 1]) {
                case 'K':
                case 'k':
                        shift = 10;
                        break;
                case 'M':
                case 'm':
                        shift = 20;
                        break;
                case 'G':
                case 'g':
                        shift = 30;
                        break;
                case 'T':
                case 't':
                        shift = 40;
                        break;
                default:
                        break;
                }
        }
        uint64_t v;
        if (!parse_u64(s, len - (shift != 0), &v) || (shift && v > (UINT64_MAX >> shift)))
                return false;
        *out = v << shift;
        return true;
}

/* The smallest --max-mem: the machines of the built-in sample and of any
 * small trace fit many times over. */
#define MIN_MAX_MEM ((uint64_t)16 << 20)

/* The guest memory without --guest-mem: the default of the machine, or
 * all that nested paging of ept_levels maps when that is less (1G with 2
 * levels). */
static uint64_t default_guest_mem(uint64_t mem, int ept_levels)
{
        unsigned gpa_bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)ept_levels;
        if (gpa_bits < 64 && (UINT64_C(1) << gpa_bits) < mem)
                mem = UINT64_C(1) << gpa_bits;
        return mem;
}

/* The options that only the batch faces use, given with a debugger face
 * (-i, --repl, --script): the first one's name, or NULL. */
static const char *batch_only(const struct options *opt, bool stats_set)
{
        if (opt->compare)
                return "--compare";
        if (opt->series)
                return "--series";
        if (stats_set)
                return "--stats";
        if (opt->exits)
                return "--exits";
        if (opt->comments)
                return "--comments";
        if (opt->quiet)
                return "--quiet";
        if (opt->keep_going)
                return "--keep-going";
        if (opt->threads)
                return "--threads";
        return NULL;
}

/* What options_parse's helpers answer for an option that is not theirs;
 * -1 means parsed, anything else is the status to exit with. */
#define NOT_MINE (-2)

/* The options of the machine the engine runs (its configuration). */
static int machine_option(struct options *opt, int c, const char *arg, bool *guest_mem_set)
{
        long n;
        char err[256];
        switch (c) {
        case 'm': {
                int m = mode_parse(arg);
                if (m < 0) {
                        char list[256], msg[320];
                        snprintf(msg, sizeof msg, "unknown mode '%%s' (%s)",
                                 scheme_list(list, sizeof list));
                        return usage_error(msg, arg);
                }
                opt->cfg.mode = (enum mmu_mode)m;
                break;
        }
        case OPT_LEVELS:
                if (!parse_int(arg, MIN_LEVELS, MAX_LEVELS, &n))
                        return usage_error("--levels expects 2..5, not '%s'", arg);
                opt->cfg.levels = (int)n;
                break;
        case OPT_EPT_LEVELS:
                if (!parse_int(arg, MIN_LEVELS, MAX_LEVELS, &n))
                        return usage_error("--ept-levels expects 2..5, not '%s'", arg);
                opt->cfg.ept_levels = (int)n;
                break;
        case OPT_GUEST_MEM:
                *guest_mem_set = true;
                if (!parse_size(arg, &opt->cfg.guest_mem))
                        return usage_error("--guest-mem expects a size such as 512M or 4G, "
                                           "not '%s'",
                                           arg);
                break;
        case OPT_TLB_SETS:
                if (!parse_int(arg, 1, 65536, &n))
                        return usage_error("--tlb-sets expects a power of two, not '%s'", arg);
                opt->cfg.tlb_sets = (unsigned)n;
                break;
        case OPT_TLB_WAYS:
                if (!parse_int(arg, 1, 64, &n))
                        return usage_error("--tlb-ways expects 1..64, not '%s'", arg);
                opt->cfg.tlb_ways = (unsigned)n;
                break;
        case OPT_PCID:
                opt->cfg.pcid = true;
                break;
        case OPT_SMEP:
                opt->cfg.smep = true;
                break;
        case OPT_AGILE_THRESHOLD:
                if (!parse_int(arg, 1, 1000000, &n))
                        return usage_error("--agile-threshold expects 1..1000000, not '%s'", arg);
                opt->cfg.agile_threshold = (uint32_t)n;
                break;
        case OPT_AGILE_INTERVAL:
                if (!parse_int(arg, 1, 1000000000, &n))
                        return usage_error("--agile-interval expects 1..1000000000, not '%s'", arg);
                opt->cfg.agile_interval = (uint64_t)n;
                break;
        case OPT_SMAP:
                opt->cfg.smap = true;
                break;
        case OPT_VCPUS:
                if (!parse_int(arg, 1, SIM_MAX_VCPUS, &n))
                        return usage_error("--vcpus expects 1..64, not '%s'", arg);
                opt->cfg.vcpus = (unsigned)n;
                break;
        case OPT_IPI_VIRT: {
                int v = ipi_virt_parse(arg);
                if (v < 0)
                        return usage_error("--ipi-virt expects off, posted or on, not '%s'", arg);
                opt->cfg.ipi_virt = (enum ipi_virt)v;
                break;
        }
        case OPT_AD:
                if (!parse_on_off(arg, &opt->cfg.ad_emulation))
                        return usage_error("--ad-emulation expects on or off, not '%s'", arg);
                break;
        case OPT_HOST_PAGES:
                if (strcasecmp(arg, "4K") && strcasecmp(arg, "2M"))
                        return usage_error("--host-pages expects 4K or 2M, not '%s'", arg);
                opt->cfg.host_large = strcasecmp(arg, "2M") == 0;
                break;
        case OPT_PREALLOC:
                opt->cfg.prealloc = true;
                break;
        case OPT_PWC:
                if (!parse_on_off(arg, &opt->cfg.pwc))
                        return usage_error("--pwc expects on or off, not '%s'", arg);
                break;
        case OPT_COST:
                if (strcmp(arg, "help") == 0) {
                        cost_print_help(stdout);
                        return 0;
                }
                if (cost_parse(&opt->cfg.cost, arg, err, sizeof err) < 0)
                        return usage_error("%s", err);
                break;
        default:
                return NOT_MINE;
        }
        return -1;
}

/* The options of the input, the output and the faces. */
static int io_option(struct options *opt, int c, const char *arg, char **argv, bool *stats_set,
                     uint64_t *max_mem)
{
        long n;
        switch (c) {
        case OPT_FORMAT:
                if (strcmp(arg, "auto") == 0)
                        opt->format = TRACE_FORMAT_AUTO;
                else if (strcmp(arg, "v1") == 0)
                        opt->format = TRACE_FORMAT_V1;
                else if (strcmp(arg, "lackey") == 0)
                        opt->format = TRACE_FORMAT_LACKEY;
                else
                        return usage_error("--format expects auto, v1 or lackey, not '%s'", arg);
                break;
        case 'q':
                opt->quiet = true;
                break;
        case OPT_STATS:
                *stats_set = true;
                if (strcmp(arg, "text") == 0)
                        opt->stats_format = STATS_TEXT;
                else if (strcmp(arg, "json") == 0)
                        opt->stats_format = STATS_JSON;
                else if (strcmp(arg, "csv") == 0)
                        opt->stats_format = STATS_CSV;
                else
                        return usage_error("--stats expects text, json or csv, not '%s'", arg);
                break;
        case OPT_SERIES:
                if (!parse_int(arg, 1, 1000000000, &n))
                        return usage_error("--series expects a number of events, 1 or "
                                           "more, not '%s'",
                                           arg);
                opt->series = (unsigned long)n;
                break;
        case 'k':
                opt->keep_going = true;
                break;
        case OPT_EXITS:
                opt->exits = true;
                break;
        case OPT_COMMENTS:
                opt->comments = true;
                break;
        case 'c':
                opt->compare = true;
                break;
        case 'i':
                opt->interactive = true;
                break;
        case OPT_REPL:
                opt->repl = true;
                break;
        case OPT_SCRIPT:
                opt->script = arg;
                break;
        case 'e':
                if (opt->neval == OPTIONS_MAX_EVAL)
                        return usage_error("at most %s -e commands", "64");
                opt->eval[opt->neval++] = arg;
                break;
        case OPT_NO_COLOR:
                opt->no_color = true;
                break;
        case OPT_THEME:
                if (strcmp(arg, "dark") && strcmp(arg, "light"))
                        return usage_error("--theme expects dark or light, not '%s'", arg);
                opt->theme = strcmp(arg, "light") == 0 ? CMD_THEME_LIGHT : CMD_THEME_DARK;
                break;
        case OPT_MAX_MEM:
                if (!parse_size(arg, max_mem) || *max_mem < MIN_MAX_MEM || *max_mem > SIZE_MAX)
                        return usage_error("--max-mem expects a size of at least 16M, "
                                           "such as 512M or 8G, not '%s'",
                                           arg);
                break;
        case OPT_THREADS:
                if (!parse_int(arg, 1, 256, &n))
                        return usage_error("--threads expects a number of threads, 1 to 256, "
                                           "not '%s'",
                                           arg);
                opt->threads = (unsigned)n;
                break;
        case 'h':
                print_usage(stdout);
                return 0;
        case 'V':
                puts("shadow-sim " SHADOW_SIM_VERSION);
                return 0;
        case ':':
                return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
                return usage_error("unknown option '%s'", argv[optind - 1]);
        }
        return -1;
}

/* The checks of a whole command line, after its options are read. */
static int check_options(struct options *opt, int argc, char **argv, bool guest_mem_set,
                         bool stats_set, uint64_t max_mem)
{
        char err[256];
        if (argc - optind > 1)
                return usage_error("expected at most one trace file, found '%s' too",
                                   argv[optind + 1]);
        if (optind < argc)
                opt->trace = argv[optind];
        if (!guest_mem_set)
                opt->cfg.guest_mem = default_guest_mem(opt->cfg.guest_mem, opt->cfg.ept_levels);
        opt->max_mem = max_mem > SIZE_MAX ? SIZE_MAX : (size_t)max_mem;
        if (sim_config_check(&opt->cfg, err, sizeof err) < 0)
                return usage_error("%s", err);
        if (opt->interactive && opt->repl)
                return usage_error("%s", "choose one of -i (the stepper) and --repl (the prompt)");
        const char *unused = batch_only(opt, stats_set);
        if ((opt->interactive || opt->repl || opt->script || opt->neval) && unused)
                return usage_error(
                    "%s is for the batch run; the debugger (-i, --repl, --script, -e) "
                    "does not use it",
                    unused);
        if (opt->comments && (opt->compare || opt->series || opt->quiet))
                return usage_error("%s", "--comments prints the trace's narration in the log; "
                                         "--compare, --series and --quiet print no log");
        if (opt->exits && (opt->series || opt->stats_format != STATS_TEXT))
                return usage_error("%s", "--exits prints a text report after the statistics; "
                                         "--stats json has the exits by reason, --series none");
        if (opt->series && stats_set)
                return usage_error("%s", "--stats does not apply to --series, which prints CSV "
                                         "rows instead of the statistics");
        return -1;
}

int options_parse(struct options *opt, int argc, char **argv)
{
        memset(opt, 0, sizeof *opt);
        optind = 0; /* getopt_long from the start (a sweep parses many command lines) */
        sim_config_defaults(&opt->cfg);
        opt->format = TRACE_FORMAT_AUTO;
        opt->theme = -1;
        opterr = 0;
        int c;
        bool guest_mem_set = false, stats_set = false;
        uint64_t max_mem = memlimit_available() / 2;
        while ((c = getopt_long(argc, argv, ":m:qkchVie:", long_options, NULL)) != -1) {
                int r = machine_option(opt, c, optarg, &guest_mem_set);
                if (r == NOT_MINE)
                        r = io_option(opt, c, optarg, argv, &stats_set, &max_mem);
                if (r != -1)
                        return r;
        }
        return check_options(opt, argc, argv, guest_mem_set, stats_set, max_mem);
}
