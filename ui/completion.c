/*
 * completion.c - `shadow-sim completion bash`: writes the bash completion
 * script (make install puts it in share/bash-completion/completions).
 *
 * Every word the script offers comes from the table the program itself
 * uses: the long options of the parser, the schemes of the registry, the
 * generator's scenarios and their parameters, the debugger's commands and
 * info topics, the exit reasons, the cost keys and the options a sweep
 * varies. So the completion cannot drift from the program; the shell code
 * around the lists is fixed text.
 */
#include "completion.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cost.h"
#include "event.h"
#include "gen.h"
#include "options.h"
#include "output.h"
#include "run.h"
#include "scheme.h"
#include "sweep.h"

/* The shell functions that use the lists. */
static const char script[] =
    "# _shadow_sim_values OPTION: the words that may follow OPTION.\n"
    "_shadow_sim_values() {\n"
    "        case $1 in\n"
    "        --mode | -m) echo \"$_shadow_sim_modes\" ;;\n"
    "        --format) echo \"$_shadow_sim_formats\" ;;\n"
    "        --stats) echo \"$_shadow_sim_stats\" ;;\n"
    "        --pwc | --ad-emulation | --pcid | --smep | --smap | --prealloc) echo 'on off' ;;\n"
    "        --host-pages) echo '4K 2M' ;;\n"
    "        --ipi-virt) echo 'off posted on' ;;\n"
    "        --theme) echo 'dark light' ;;\n"
    "        --levels | --ept-levels) echo '2 3 4 5' ;;\n"
    "        --cost) echo \"$_shadow_sim_cost_keys\" ;;\n"
    "        --eval | -e) echo \"$_shadow_sim_commands\" ;;\n"
    "        completion) echo bash ;;\n"
    "        esac\n"
    "}\n"
    "\n"
    "# _shadow_sim_reply WORDS CUR: COMPREPLY from WORDS; a CUR with commas\n"
    "# completes its last item (a sweep's list of values).\n"
    "_shadow_sim_reply() {\n"
    "        local words=$1 cur=$2 head=\n"
    "        case $cur in *,*) head=${cur%,*},; cur=${cur##*,} ;; esac\n"
    "        COMPREPLY=($(compgen -P \"$head\" -W \"$words\" -- \"$cur\"))\n"
    "        case ${COMPREPLY[0]} in *=) compopt -o nospace 2>/dev/null ;; esac\n"
    "}\n"
    "\n"
    "_shadow_sim() {\n"
    "        local cur=${COMP_WORDS[COMP_CWORD]} prev= sub=${COMP_WORDS[1]}\n"
    "        [ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
    "        # --option=value: bash splits the word at the '='.\n"
    "        if [ \"$cur\" = = ]; then\n"
    "                cur=\n"
    "        elif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
    "                prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
    "        fi\n"
    "        cur=${cur#[\\\"\\']}\n"
    "        COMPREPLY=()\n"
    "        local values\n"
    "        case $sub in\n"
    "        gen)\n"
    "                if [ \"$COMP_CWORD\" -eq 2 ]; then\n"
    "                        _shadow_sim_reply \"$_shadow_sim_scenarios --help\" \"$cur\"\n"
    "                elif [ \"${cur#-}\" != \"$cur\" ] || [ -z \"$cur\" ]; then\n"
    "                        _shadow_sim_reply \"$(_shadow_sim_gen_params \"${COMP_WORDS[2]}\")"
    " --seed --max-accesses --help\" \"$cur\"\n"
    "                fi\n"
    "                return\n"
    "                ;;\n"
    "        sweep)\n"
    "                values=$(_shadow_sim_values \"$prev\")\n"
    "                if [ -n \"$values\" ]; then\n"
    "                        _shadow_sim_reply \"$values\" \"$cur\"\n"
    "                elif [ \"${cur#-}\" != \"$cur\" ]; then\n"
    "                        _shadow_sim_reply \"$_shadow_sim_sweep_options\" \"$cur\"\n"
    "                fi\n"
    "                return\n"
    "                ;;\n"
    "        quiz)\n"
    "                values=$(_shadow_sim_values \"$prev\")\n"
    "                if [ -n \"$values\" ]; then\n"
    "                        _shadow_sim_reply \"$values\" \"$cur\"\n"
    "                elif [ \"${cur#-}\" != \"$cur\" ]; then\n"
    "                        _shadow_sim_reply \"--seed --count --answers $_shadow_sim_options\""
    " \"$cur\"\n"
    "                fi\n"
    "                return\n"
    "                ;;\n"
    "        esac\n"
    "        values=$(_shadow_sim_values \"$prev\")\n"
    "        if [ -n \"$values\" ]; then\n"
    "                _shadow_sim_reply \"$values\" \"$cur\"\n"
    "        elif [ \"${cur#-}\" != \"$cur\" ]; then\n"
    "                _shadow_sim_reply \"$_shadow_sim_options\" \"$cur\"\n"
    "        elif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
    "                _shadow_sim_reply 'gen sweep quiz completion' \"$cur\"\n"
    "        fi\n"
    "}\n"
    "complete -o bashdefault -o default -F _shadow_sim shadow-sim\n";

/* Writes the words fn gives until NULL, quoted for the shell: 'w w w'. */
static void put_words(FILE *out, const char *(*fn)(unsigned i, void *ctx), void *ctx)
{
        const char *w;
        fputc('\'', out);
        for (unsigned i = 0; (w = fn(i, ctx)) != NULL; i++)
                fprintf(out, "%s%s", i ? " " : "", w);
        fputc('\'', out);
}

/* Writes `name='word word ...'` and a newline. */
static void put_list(FILE *out, const char *name, const char *(*fn)(unsigned i, void *ctx),
                     void *ctx)
{
        fprintf(out, "%s=", name);
        put_words(out, fn, ctx);
        fputc('\n', out);
}

static const char *long_option(unsigned i, void *ctx)
{
        static char buf[64];
        bool arg;
        const char *name = options_long_name(i, &arg);
        (void)ctx;
        if (!name)
                return NULL;
        snprintf(buf, sizeof buf, "--%s", name);
        return buf;
}

static const char *mode(unsigned i, void *ctx)
{
        (void)ctx;
        return i < MODE_COUNT ? scheme_of((enum mmu_mode)i)->name : NULL;
}

static const char *format_name(unsigned i, void *ctx)
{
        static const enum trace_format formats[] = {TRACE_FORMAT_AUTO, TRACE_FORMAT_V1,
                                                    TRACE_FORMAT_LACKEY};
        (void)ctx;
        return i < sizeof formats / sizeof formats[0] ? trace_format_name(formats[i]) : NULL;
}

static const char *stats_format(unsigned i, void *ctx)
{
        static const char *const names[] = {"text", "json", "csv"};
        (void)ctx;
        return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

static const char *cost_key(unsigned i, void *ctx)
{
        static const char *const keys[] = {
#define COST_WORD(name, def, help, source) #name "=",
            COST_KEYS(COST_WORD)
#undef COST_WORD
                "help",
        };
        (void)ctx;
        return i < sizeof keys / sizeof keys[0] ? keys[i] : NULL;
}

static const char *command(unsigned i, void *ctx)
{
        (void)ctx;
        return cmd_table[i] ? cmd_table[i]->name : NULL;
}

static const char *scenario(unsigned i, void *ctx)
{
        (void)ctx;
        return i < gen_scenario_count() ? gen_scenario_at(i)->name : NULL;
}

static const char *gen_param(unsigned i, void *ctx)
{
        static char buf[64];
        const struct gen_scenario *sc = ctx;
        if (i >= gen_param_count(sc))
                return NULL;
        snprintf(buf, sizeof buf, "--%s", sc->params[i].name);
        return buf;
}

/* The options a sweep varies, then its own. */
static const char *sweep_option(unsigned i, void *ctx)
{
        static const char *const own[] = {"--jobs", "--list", "--keep-going", "--help"};
        static char buf[64];
        unsigned varied = 0;
        (void)ctx;
        while (sweep_option_name(varied))
                varied++;
        if (i >= varied)
                return i - varied < sizeof own / sizeof own[0] ? own[i - varied] : NULL;
        snprintf(buf, sizeof buf, "--%s", sweep_option_name(i));
        return buf;
}

static void write_script(FILE *out)
{
        fputs("# bash completion for shadow-sim, written by `shadow-sim completion bash` from\n"
              "# the program's own tables (options, schemes, scenarios, debugger commands).\n\n",
              out);
        put_list(out, "_shadow_sim_options", long_option, NULL);
        put_list(out, "_shadow_sim_modes", mode, NULL);
        put_list(out, "_shadow_sim_formats", format_name, NULL);
        put_list(out, "_shadow_sim_stats", stats_format, NULL);
        put_list(out, "_shadow_sim_cost_keys", cost_key, NULL);
        put_list(out, "_shadow_sim_commands", command, NULL);
        put_list(out, "_shadow_sim_scenarios", scenario, NULL);
        put_list(out, "_shadow_sim_sweep_options", sweep_option, NULL);
        fputs("\n# _shadow_sim_gen_params SCENARIO: its parameters.\n"
              "_shadow_sim_gen_params() {\n"
              "        case $1 in\n",
              out);
        for (unsigned i = 0; i < gen_scenario_count(); i++) {
                const struct gen_scenario *sc = gen_scenario_at(i);
                fprintf(out, "        %s) echo ", sc->name);
                put_words(out, gen_param, (void *)(uintptr_t)sc);
                fputs(" ;;\n", out);
        }
        fputs("        esac\n}\n\n", out);
        fputs(script, out);
}

int completion_main(int argc, char **argv)
{
        if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
                puts("Usage: shadow-sim completion bash\n"
                     "Writes the bash completion script to standard output. make install puts it\n"
                     "in $(PREFIX)/share/bash-completion/completions/shadow-sim; to try it:\n"
                     "  source <(shadow-sim completion bash)");
                return output_finish("shadow-sim completion", 0);
        }
        if (argc != 2 || strcmp(argv[1], "bash") != 0) {
                fprintf(stderr,
                        "shadow-sim completion: expected 'bash', found '%s'\n"
                        "Try 'shadow-sim completion --help' for more information.\n",
                        argc > 1 ? argv[1] : "nothing");
                return EXIT_USAGE;
        }
        write_script(stdout);
        return output_finish("shadow-sim completion", 0);
}
