/*
 * repl.c - the debugger at a prompt.
 *
 * On a terminal it reads lines with readline: history kept across runs in
 * $XDG_STATE_HOME/shadow-sim/history (~/.local/state when unset or not an
 * absolute path), tab completion of commands, breakpoint kinds, exit
 * reasons and modes. From a
 * pipe it reads plain lines with no prompt, so the debugger can be driven
 * by a script or a test. Either way each line goes to cmd_run(); after a
 * command that moves, the current line, its events and the explanation
 * are printed. Ctrl-C interrupts a long continue or run.
 */
#include "repl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmdline.h"
#include "event.h"
#include "input.h"
#include "quote.h"
#include "run.h"
#include "sample.h"

#define HISTORY_LINES 1000

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
        (void)sig;
        interrupted = 1;
}

static bool poll_interrupt(void *ctx)
{
        (void)ctx;
        return interrupted != 0;
}

static void print_line(void *face, const char *line)
{
        (void)face;
        puts(line);
}

int stepper_open(struct session *s, const struct options *opt)
{
        int cmp = (int)session_default_cmp(opt->cfg.mode);
        if (session_open(s, &opt->cfg, opt->format, opt->trace, sample_trace, "sample_trace.txt",
                         cmp) < 0) {
                /* A trace's own errors are "file: error: ...", as in batch. */
                int e = errno;
                bool data = e == EILSEQ || e == EIO;
                fprintf(stderr, "%s%s\n", data ? "" : "shadow-sim: ", s->msg);
                return e == EILSEQ ? EXIT_DATAERR : e == EIO ? EXIT_IOERR : EXIT_NOINPUT;
        }
        session_set_memory_limit(s, opt->max_mem);
        return 0;
}

/* Flushes what a command printed. Returns true, or false after saying
 * why on stderr when it could not be written (then nobody reads what
 * follows). */
static bool flushed(void)
{
        errno = 0;
        if (fflush(stdout) == 0 && !ferror(stdout))
                return true;
        fprintf(stderr, "shadow-sim: write error: %s\n", strerror(errno ? errno : EIO));
        return false;
}

int stepper_prelude(struct cmd_ctx *ctx, const struct options *opt, bool *quit)
{
        int status = opt->script ? stepper_script(ctx, opt->script, quit) : 0;
        for (unsigned i = 0; status == 0 && !*quit && i < opt->neval; i++) {
                enum cmd_result r = cmd_run(ctx, opt->eval[i]);
                *quit = r == CMD_QUIT;
                if (r == CMD_ERROR) {
                        if (ctx->err[0])
                                fprintf(stderr, "-e '%s': error: %s\n", quote(opt->eval[i]),
                                        ctx->err);
                        status = EXIT_DATAERR;
                }
        }
        return status;
}

int stepper_script(struct cmd_ctx *ctx, const char *path, bool *quit)
{
        FILE *f = fopen(path, "r");
        if (!f) {
                fprintf(stderr, "shadow-sim: %s: cannot read: %s\n", quote(path), strerror(errno));
                return EXIT_NOINPUT;
        }
        struct cmdline_reader in;
        enum cmdline_status st;
        int status = 0;
        cmdline_init(&in, f);
        *quit = false;
        while ((st = cmdline_read(&in)) == CMDLINE_OK) {
                enum cmd_result r = cmd_run(ctx, in.buf);
                if (r == CMD_QUIT) {
                        *quit = true;
                        break;
                }
                if (r == CMD_ERROR) {
                        if (ctx->err[0])
                                fprintf(stderr, "%s:%lu: error: %s\n", quote(path), in.line,
                                        ctx->err);
                        status = EXIT_DATAERR;
                        break;
                }
                if (!flushed()) {
                        status = EXIT_IOERR;
                        break;
                }
        }
        /* A directory opens and then fails to read (EISDIR): no script.
         * Any other read error is one (74). */
        if (st == CMDLINE_ERROR && in.line == 0 && in.err == EISDIR) {
                fprintf(stderr, "shadow-sim: %s: cannot read: %s\n", quote(path), strerror(in.err));
                status = EXIT_NOINPUT;
        } else if (status == 0 && !*quit) {
                status = cmdline_report(&in, st, quote(path), stderr);
        }
        fclose(f);
        return status;
}

/* ---- the animated run --------------------------------------------------- */

/* Shows events one at a time at ctx->speed a second until a breakpoint,
 * the end or Ctrl-C. */
static void animate(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        long step_ns = 1000000000L / (long)ctx->speed;
        ctx->run_requested = false;
        for (;;) {
                enum stop_reason r = session_stepi(s, 1, true);
                const struct event *ev = session_event(s);
                if (r == STOP_DONE || r == STOP_BREAK) {
                        char buf[256];
                        if (ev) {
                                event_format(ev, buf, sizeof buf);
                                printf("#%llu %s\n", (unsigned long long)ev->seq, buf);
                                fflush(stdout);
                        }
                }
                if (r != STOP_DONE) {
                        cmd_report_stop(ctx, r);
                        return;
                }
                if (interrupted) {
                        cmd_report_stop(ctx, STOP_INTERRUPT);
                        return;
                }
                struct timespec ts = {step_ns / 1000000000L, step_ns % 1000000000L};
                nanosleep(&ts, NULL);
        }
}

/* Runs one line; returns false to quit, or when its output could not be
 * written (*write_failed is then set). *failed is set on an error. */
static bool handle(struct cmd_ctx *ctx, const char *line, bool *failed, bool *write_failed)
{
        interrupted = 0;
        enum cmd_result r = cmd_run(ctx, line);
        if (r == CMD_QUIT)
                return false;
        if (r == CMD_ERROR) {
                if (ctx->err[0])
                        fprintf(stderr, "error: %s\n", ctx->err);
                *failed = true;
        }
        if (ctx->run_requested)
                animate(ctx);
        if (r == CMD_OK && (ctx->last_flags & CMD_MOVES))
                cmd_where(ctx);
        *write_failed = !flushed();
        return !*write_failed;
}

/* ---- readline ----------------------------------------------------------- */

static struct cmd_ctx *completing;

struct words {
        char **v;
        size_t n, cap;
        const char *prefix;
};

static void add_word(void *arg, const char *word)
{
        struct words *w = arg;
        if (strncasecmp(word, w->prefix, strlen(w->prefix)) != 0)
                return;
        if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 32;
                w->v = realloc(w->v, w->cap * sizeof *w->v);
                if (!w->v)
                        abort();
        }
        w->v[w->n++] = strdup(word);
}

static struct words matches;
static size_t match_next;

static char *generator(const char *text, int state)
{
        (void)text;
        if (state == 0)
                match_next = 0;
        if (match_next < matches.n) {
                char *w = matches.v[match_next];
                matches.v[match_next++] = NULL;
                return w;
        }
        return NULL;
}

static char **complete(const char *text, int start, int end)
{
        (void)end;
        char before[256];
        snprintf(before, sizeof before, "%.*s", start, rl_line_buffer);
        for (size_t i = match_next; i < matches.n; i++)
                free(matches.v[i]);
        matches.n = 0;
        matches.prefix = text;
        cmd_complete(completing, before, add_word, &matches);
        rl_attempted_completion_over = 1;
        return rl_completion_matches(text, generator);
}

bool stepper_history_path(char *buf, size_t n)
{
        const char *state = getenv("XDG_STATE_HOME");
        const char *home = getenv("HOME");
        char dir[4096];
        /* The XDG Base Directory spec: a relative path is to be ignored. */
        if (state && state[0] == '/')
                snprintf(dir, sizeof dir, "%s/shadow-sim", state);
        else if (home && *home)
                snprintf(dir, sizeof dir, "%s/.local/state/shadow-sim", home);
        else
                return false;
        /* mkdir -p */
        for (char *p = dir + 1; *p; p++) {
                if (*p == '/') {
                        *p = '\0';
                        mkdir(dir, 0700);
                        *p = '/';
                }
        }
        mkdir(dir, 0700);
        snprintf(buf, n, "%s/history", dir);
        return true;
}

void stepper_completion(struct cmd_ctx *ctx)
{
        completing = ctx;
        rl_readline_name = "shadow-sim";
        rl_attempted_completion_function = complete;
}

void stepper_completion_done(void)
{
        for (size_t i = match_next; i < matches.n; i++)
                free(matches.v[i]);
        free(matches.v);
        memset(&matches, 0, sizeof matches);
        match_next = 0;
}

static int prompt_loop(struct cmd_ctx *ctx)
{
        char hist[4200];
        bool has_hist = stepper_history_path(hist, sizeof hist);
        bool failed = false, write_failed = false;
        stepper_completion(ctx);
        rl_catch_signals = 0;
        using_history();
        if (has_hist)
                read_history(hist);
        printf("shadow-sim: %s under %s; help lists the commands, quit leaves.\n", ctx->s->name,
               mode_name(ctx->s->sim.cfg.mode));
        for (;;) {
                char *line = readline("(shadow-sim) ");
                if (!line) {
                        putchar('\n');
                        break;
                }
                if (*line && (!history_length ||
                              strcmp(history_get(history_base + history_length - 1)->line, line)))
                        add_history(line);
                bool go_on = handle(ctx, line, &failed, &write_failed);
                free(line);
                if (!go_on)
                        break;
        }
        if (has_hist) {
                write_history(hist);
                history_truncate_file(hist, HISTORY_LINES);
        }
        stepper_completion_done();
        clear_history();
        return write_failed ? EXIT_IOERR : 0;
}

/* Commands from in, standard input or the terminal, when it is no
 * terminal. A bad command is
 * reported and the next one runs; a line too long is reported and
 * dropped; input that is not text (a NUL byte) or cannot be read ends the
 * loop. Returns the exit status. */
static int pipe_loop(struct cmd_ctx *ctx, FILE *in)
{
        struct cmdline_reader lines;
        enum cmdline_status st;
        bool failed = false, write_failed = false;
        cmdline_init(&lines, in);
        while ((st = cmdline_read(&lines)) != CMDLINE_EOF) {
                if (st == CMDLINE_TOO_LONG) {
                        cmdline_report(&lines, st, "<stdin>", stderr);
                        failed = true;
                        continue;
                }
                if (st != CMDLINE_OK)
                        return cmdline_report(&lines, st, "<stdin>", stderr);
                if (!handle(ctx, lines.buf, &failed, &write_failed))
                        break;
        }
        return write_failed ? EXIT_IOERR : failed ? EXIT_DATAERR : 0;
}

int repl_run(const struct options *opt)
{
        struct session s;
        struct cmd_ctx ctx;
        int status = stepper_open(&s, opt);
        if (status)
                return status;
        cmd_ctx_init(&ctx, &s);
        ctx.out = print_line;
        struct sigaction sa = {0};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        s.poll = poll_interrupt;
        bool quit = false;
        status = stepper_prelude(&ctx, opt, &quit);
        if (status == 0 && !quit && opt->repl) {
                FILE *keys = input_keys(opt);
                if (!keys) {
                        status = EXIT_USAGE;
                } else {
                        rl_instream = keys;
                        status = isatty(fileno(keys)) ? prompt_loop(&ctx) : pipe_loop(&ctx, keys);
                        if (keys != stdin)
                                fclose(keys);
                }
        }
        if (status == 0 && !flushed())
                status = EXIT_IOERR;
        session_close(&s);
        return status;
}
