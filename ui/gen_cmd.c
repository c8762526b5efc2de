/*
 * gen_cmd.c - `shadow-sim gen SCENARIO [--seed N] [--PARAM N]...`.
 *
 * Parses the scenario and its size parameters (each scenario has its own,
 * listed by --help from the scenario table, so the help cannot drift) and
 * writes the trace to standard output.
 */
#include "number.h"
#include "gen_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "output.h"
#include "quote.h"
#include "run.h"
#include "trace.h"

static void print_help(FILE *out)
{
        fputs("Usage: shadow-sim gen SCENARIO [--seed N] [--PARAM N]...\n"
              "Writes a trace (format v1) of a classic workload to standard output. The same\n"
              "scenario, parameters and seed give the same bytes. Replay it with\n"
              "  shadow-sim gen forkwait | shadow-sim --mode ept -\n"
              "\n"
              "      --seed N           seed of the random choices (default 1)\n"
              "      --max-accesses N   refuse a trace of more than N memory accesses (default\n"
              "                         100000000, some 2.5 GB; 0: no limit)\n"
              "  -h, --help             show this help and exit\n"
              "\n"
              "Scenarios and their parameters (default, range):\n",
              out);
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                const struct gen_scenario *sc = gen_scenario_at(i);
                fprintf(out, "  %s\n      %s\n", sc->name, sc->help);
                for (unsigned j = 0; j < gen_param_count(sc); j++) {
                        const struct gen_param *p = &sc->params[j];
                        char opt[40];
                        snprintf(opt, sizeof opt, "--%s N", p->name);
                        fprintf(out, "      %-20s %s (%llu, %llu..%llu)\n", opt, p->help,
                                (unsigned long long)p->def, (unsigned long long)p->min,
                                (unsigned long long)p->max);
                }
        }
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "shadow-sim gen: " and the message on stderr, with a pointer to
 * --help. Returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
        va_list ap;
        fputs("shadow-sim gen: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'shadow-sim gen --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

/* The scenario names, comma-separated, into buf of size n. */
static const char *scenario_names(char *buf, size_t n)
{
        size_t o = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < gen_scenario_count() && o < n; i++)
                o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
                                      gen_scenario_at(i)->name);
        return buf;
}

/* Splits "--name=value" or "--name value" at argv[*i]; advances *i past
 * what it used. Returns false when the value is missing. */
static bool option_value(int argc, char **argv, int *i, char *name, size_t n, const char **value)
{
        const char *arg = argv[*i] + 2;
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        snprintf(name, n, "%.*s", (int)len, arg);
        if (eq) {
                *value = eq + 1;
        } else {
                if (*i + 1 >= argc)
                        return false;
                *value = argv[++*i];
        }
        (*i)++;
        return true;
}

int gen_main(int argc, char **argv)
{
        const struct gen_scenario *sc = NULL;
        uint64_t values[GEN_MAX_PARAMS];
        uint64_t seed = 1, max_accesses = GEN_MAX_ACCESSES;
        char names[256];
        int i = 1;
        while (i < argc) {
                const char *arg = argv[i];
                if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                        print_help(stdout);
                        return output_finish("shadow-sim gen", 0);
                }
                if (arg[0] == '-' && (arg[1] != '-' || arg[2] == '\0'))
                        return usage_error("unknown option '%s'", quote(arg));
                if (arg[0] != '-') {
                        if (sc)
                                return usage_error("expected one scenario, found '%s' too",
                                                   quote(arg));
                        sc = gen_find(arg);
                        if (!sc)
                                return usage_error("unknown scenario '%s' (%s)", quote(arg),
                                                   scenario_names(names, sizeof names));
                        gen_defaults(sc, values);
                        i++;
                        continue;
                }
                char name[64];
                const char *value;
                if (!option_value(argc, argv, &i, name, sizeof name, &value))
                        return usage_error("option '%s' needs a number", quote(arg));
                uint64_t v;
                bool number = parse_u64(value, strlen(value), &v);
                if (strcmp(name, "seed") == 0) {
                        if (!number)
                                return usage_error("--seed expects a number, not '%s'",
                                                   quote(value));
                        seed = v;
                        continue;
                }
                if (strcmp(name, "max-accesses") == 0) {
                        if (!number)
                                return usage_error("--max-accesses expects a number, not '%s'",
                                                   quote(value));
                        max_accesses = v;
                        continue;
                }
                if (!sc)
                        return usage_error("expected the scenario before '%s'", quote(arg));
                int p = gen_param_find(sc, name);
                if (p < 0) {
                        size_t o = 0;
                        names[0] = '\0';
                        for (unsigned j = 0; j < gen_param_count(sc) && o < sizeof names; j++)
                                o += (size_t)snprintf(names + o, sizeof names - o, " --%s",
                                                      sc->params[j].name);
                        return usage_error("%s has no option --%s; it takes%s and --seed", sc->name,
                                           quote(name), names);
                }
                const struct gen_param *param = &sc->params[p];
                if (!number || v < param->min || v > param->max)
                        return usage_error("--%s expects %llu..%llu, not '%s'", param->name,
                                           (unsigned long long)param->min,
                                           (unsigned long long)param->max, quote(value));
                values[p] = v;
        }
        if (!sc)
                return usage_error("expected a scenario (%s)", scenario_names(names, sizeof names));
        char why[256];
        if (gen_check(sc, values, why, sizeof why))
                return usage_error("%s", why);
        uint64_t accesses = sc->accesses(values);
        if (max_accesses && accesses > max_accesses)
                return usage_error("%s with these sizes makes %llu memory accesses, more than "
                                   "the limit of %llu; --max-accesses N raises it (0: none)",
                                   sc->name, (unsigned long long)accesses,
                                   (unsigned long long)max_accesses);
        static char outbuf[1 << 16];
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
        if (gen_write(sc, values, seed, stdout, NULL) < 0) {
                fprintf(stderr, "shadow-sim gen: write error: %s\n", strerror(errno));
                return EXIT_IOERR;
        }
        return 0;
}
