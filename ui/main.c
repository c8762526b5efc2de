/*
 * main.c - the shadow-sim command: parses options and starts a face.
 */
#include <locale.h>
#include <string.h>

#include "batch.h"
#include "compare.h"
#include "completion.h"
#include "gen_cmd.h"
#include "options.h"
#include "repl.h"
#include "sweep.h"
#include "tui.h"

int main(int argc, char **argv)
{
        struct options opt;
        /* Wide characters for the terminal; numbers stay in the C locale so
         * output is byte-identical everywhere. */
        setlocale(LC_CTYPE, "");
        /* `shadow-sim gen ...` writes a trace (a file named gen: ./gen). */
        if (argc > 1 && strcmp(argv[1], "gen") == 0)
                return gen_main(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "sweep") == 0)
                return sweep_main(argv[0], argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "completion") == 0)
                return completion_main(argc - 1, argv + 1);
        int status = options_parse(&opt, argc, argv);
        if (status >= 0)
                return status;
        if (opt.interactive)
                return tui_run(&opt);
        if (opt.repl || opt.script || opt.neval)
                return repl_run(&opt);
        /* --series writes CSV, of every scheme with --compare (batch.c). */
        return opt.compare && !opt.series ? compare_run(&opt) : batch_run(&opt);
}
