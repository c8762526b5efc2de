/*
 * main.c - the shadow-sim command: parses options and starts a face.
 */
#include <locale.h>

#include "batch.h"
#include "compare.h"
#include "options.h"
#include "repl.h"
#include "tui.h"

int main(int argc, char **argv)
{
        struct options opt;
        /* Wide characters for the terminal; numbers stay in the C locale so
         * output is byte-identical everywhere. */
        setlocale(LC_CTYPE, "");
        int status = options_parse(&opt, argc, argv);
        if (status >= 0)
                return status;
        if (opt.interactive)
                return tui_run(&opt);
        if (opt.repl || opt.script)
                return repl_run(&opt);
        return opt.compare ? compare_run(&opt) : batch_run(&opt);
}
