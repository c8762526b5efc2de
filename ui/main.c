/*
 * main.c - the shadow-sim command: parses options and starts a face.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "compare.h"
#include "completion.h"
#include "gen_cmd.h"
#include "options.h"
#include "output.h"
#include "quiz_cmd.h"
#include "repl.h"
#include "sweep.h"
#include "tui.h"

/* Points standard input, output and error at /dev/null when they are
 * closed, so that the first file opened cannot take their place (a trace
 * opened as fd 0 would be read as commands, a log written as fd 1 into a
 * trace). */
static void open_closed_standard_fds(void)
{
        for (int fd = 0; fd <= 2; fd++) {
                if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
                        continue;
                int null = open("/dev/null", O_RDWR);
                if (null >= 0 && null != fd) {
                        dup2(null, fd);
                        close(null);
                }
        }
}

int main(int argc, char **argv)
{
        struct options opt;
        open_closed_standard_fds();
        /* Wide characters for the terminal; numbers stay in the C locale so
         * output is byte-identical everywhere. */
        setlocale(LC_CTYPE, "");
        /* `shadow-sim gen ...` writes a trace (a file named gen: ./gen). */
        if (argc > 1 && strcmp(argv[1], "gen") == 0)
                return gen_main(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "sweep") == 0)
                return sweep_main(argv[0], argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "quiz") == 0)
                return quiz_main(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "completion") == 0)
                return completion_main(argc - 1, argv + 1);
        int status = options_parse(&opt, argc, argv);
        if (status >= 0) /* --help, --version, --cost help or bad usage */
                return output_finish("shadow-sim", status);
        if (opt.interactive)
                return tui_run(&opt);
        if (opt.repl || opt.script || opt.neval)
                return repl_run(&opt);
        /* --series writes CSV, of every scheme with --compare (batch.c). */
        return opt.compare && !opt.series ? compare_run(&opt) : batch_run(&opt);
}
