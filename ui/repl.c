/*
 * repl.c - the debugger at a prompt.
 *
 * On a terminal it reads lines with readline, with the history and the
 * completion the stepper shares (stepper.h). From a pipe it reads plain
 * lines with no prompt, so the debugger can be driven by a script or a
 * test. Either way each line goes to cmd_run(); after a
 * command that moves, the current line, its events and the explanation
 * are printed. Ctrl-C interrupts a long continue or run.
 */
#include "repl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmdline.h"
#include "escape.h"
#include "event.h"
#include "input.h"
#include "run.h"
#include "stepper.h"
#include "xalloc.h"

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

/* ---- the animated run --------------------------------------------------- */

/* Shows events one at a time at ctx->speed a second until a breakpoint,
 * the end, a trace that cannot be read on, or Ctrl-C. Returns why it
 * stopped. */
static enum stop_reason animate(struct cmd_ctx *ctx)
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
                        return r;
                }
                if (interrupted) {
                        cmd_report_stop(ctx, STOP_INTERRUPT);
                        return STOP_INTERRUPT;
                }
                struct timespec ts = {step_ns / 1000000000L, step_ns % 1000000000L};
                nanosleep(&ts, NULL);
        }
}

/* Reads the reply to a question of the quiz: a new string, or NULL at the
 * end of the input. */
typedef char *(*reply_fn)(void *arg);

/* Where the replies come from: the terminal, or the command lines of a
 * pipe. */
struct replies {
        reply_fn read;
        void *arg;
        bool echo; /* print a piped reply after the prompt */
};

/* A question of the quiz waits: prints the line and the question, reads
 * the reply and answers it (the answer makes the step), then shows where
 * the step stopped; at the end of the input the question is dropped and
 * nothing moves. *fail_status becomes the step's failure status when it
 * is worse (see handle). */
static void ask(struct cmd_ctx *ctx, const struct replies *in, int *fail_status)
{
        const struct quiz_question *q = &ctx->quiz.q;
        printf("Quiz, %s\n%s\n", q->context, q->text);
        if (in->echo)
                fputs("answer> ", stdout);
        fflush(stdout);
        char *reply = in->read(in->arg);
        if (!reply) {
                cmd_quiz_drop(ctx);
                printf("%sno answer: the question is dropped, nothing moved\n",
                       in->echo ? "\n" : "");
                return;
        }
        char esc[ESCAPE_BUF];
        if (in->echo)
                printf("%s\n", escape_text(reply, esc, sizeof esc));
        if (cmd_quiz_answer(ctx, reply, true) == CMD_ERROR && ctx->fail_status > *fail_status)
                *fail_status = ctx->fail_status;
        free(reply);
        cmd_where(ctx);
}

/* Runs one command line as the prompt does: the command, then the
 * animated run it asked for. Returns CMD_ERROR when either failed (the
 * status it deserves in ctx->fail_status). */
static enum cmd_result run_command(struct cmd_ctx *ctx, const char *line)
{
        interrupted = 0;
        enum cmd_result r = cmd_run(ctx, line);
        if (r != CMD_QUIT && ctx->run_requested && animate(ctx) == STOP_ERROR) {
                ctx->err[0] = '\0'; /* animate printed it */
                ctx->fail_status = session_error_status(ctx->s);
                return CMD_ERROR;
        }
        return r;
}

/* The script's lines, for stepper_script_run. */
static enum cmd_result script_command(void *face, const char *line)
{
        return run_command(face, line);
}

/* Runs one line; returns false to quit, or when its output could not be
 * written (*write_failed is then set). On an error, *fail_status becomes
 * the worst status seen: a read error (74) over anything else (65). A
 * question of the quiz the command left waiting reads its reply from in. */
static bool handle(struct cmd_ctx *ctx, const char *line, const struct replies *in,
                   int *fail_status, bool *write_failed)
{
        enum cmd_result r = run_command(ctx, line);
        if (r == CMD_QUIT)
                return false;
        if (r == CMD_ERROR) {
                if (ctx->err[0])
                        fprintf(stderr, "error: %s\n", ctx->err);
                if (ctx->fail_status > *fail_status)
                        *fail_status = ctx->fail_status;
        }
        if (ctx->quiz.pending)
                ask(ctx, in, fail_status);
        else if (r == CMD_OK && (ctx->last_flags & CMD_MOVES))
                cmd_where(ctx);
        *write_failed = !stepper_flush();
        return !*write_failed;
}

/* ---- readline ----------------------------------------------------------- */

static char *terminal_reply(void *arg)
{
        (void)arg;
        return readline("answer> ");
}

static int prompt_loop(struct cmd_ctx *ctx)
{
        const struct replies in = {terminal_reply, NULL, false};
        char hist[4200];
        bool has_hist = stepper_history_path(hist, sizeof hist);
        /* At a terminal the user has seen every failure: the status is 0. */
        bool write_failed = false;
        int fail_status = 0;
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
                int rows, cols;
                rl_get_screen_size(&rows, &cols);
                ctx->width = cols > 0 ? (unsigned)cols : 0; /* help fits the terminal */
                bool go_on = handle(ctx, line, &in, &fail_status, &write_failed);
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

/* The next line of a pipe as a reply; NULL at its end, or when it is no
 * line (too long, said on stderr; not text). */
static char *piped_reply(void *arg)
{
        struct cmdline_reader *lines = arg;
        enum cmdline_status st = cmdline_read(lines);
        if (st == CMDLINE_TOO_LONG)
                cmdline_report(lines, st, "<stdin>", stderr);
        return st == CMDLINE_OK ? xstrdup(lines->buf) : NULL;
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
        bool write_failed = false;
        int fail_status = 0;
        cmdline_init(&lines, in);
        const struct replies replies = {piped_reply, &lines, true};
        while ((st = cmdline_read(&lines)) != CMDLINE_EOF) {
                if (st == CMDLINE_TOO_LONG) {
                        int line_status = cmdline_report(&lines, st, "<stdin>", stderr);
                        if (line_status > fail_status)
                                fail_status = line_status;
                        continue;
                }
                if (st != CMDLINE_OK)
                        return cmdline_report(&lines, st, "<stdin>", stderr);
                if (!handle(ctx, lines.buf, &replies, &fail_status, &write_failed))
                        break;
        }
        return write_failed ? EXIT_IOERR : fail_status;
}

/* A pause of the script: its text, then, when commands could be typed
 * (keys is a terminal), a wait for Enter. False when the terminal ends
 * (Ctrl-D): the rest of the script is dropped. */
static bool pause_here(const struct cmd_ctx *ctx, FILE *keys)
{
        printf("%s\n", ctx->pause_text[0] ? ctx->pause_text : "Paused.");
        if (!keys || !isatty(fileno(keys)))
                return true;
        fputs("(Enter goes on) ", stdout);
        fflush(stdout);
        char buf[256];
        while (fgets(buf, sizeof buf, keys))
                if (strchr(buf, '\n'))
                        return true;
        putchar('\n');
        return false;
}

/* The --script file and the -e commands, a pause at a time. */
static int run_script(struct cmd_ctx *ctx, const struct options *opt, FILE *keys, bool *quit)
{
        struct stepper_script sc;
        int status = 0;
        stepper_script_init(&sc, opt);
        while (status == 0 && sc.state == SCRIPT_PAUSED) {
                status = stepper_script_run(&sc, ctx, script_command, ctx, stderr);
                if (status == 0 && sc.state == SCRIPT_PAUSED && !pause_here(ctx, keys))
                        break;
        }
        *quit = sc.state == SCRIPT_QUIT;
        stepper_script_end(&sc);
        return status;
}

/* Where a pause waits for Enter without --repl: standard input, or the
 * terminal when the trace is read from standard input (NULL without one:
 * a pause then only prints). */
static FILE *pause_keys(const struct options *opt)
{
        if (!opt->trace || strcmp(opt->trace, "-") != 0)
                return stdin;
        return fopen("/dev/tty", "r");
}

int repl_run(const struct options *opt)
{
        struct session s;
        struct cmd_ctx ctx;
        int status = stepper_open(&s, opt);
        if (status)
                return status;
        cmd_ctx_init(&ctx, &s);
        stepper_settings(&ctx, opt);
        ctx.out = print_line;
        struct sigaction sa = {0};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        s.poll = poll_interrupt;
        bool quit = false;
        FILE *keys = opt->repl ? input_keys(opt) : pause_keys(opt);
        if (opt->repl && !keys) {
                status = EXIT_USAGE;
        } else {
                status = run_script(&ctx, opt, keys, &quit);
                rl_instream = keys;
                if (status == 0 && !quit && opt->repl)
                        status = isatty(fileno(keys)) ? prompt_loop(&ctx) : pipe_loop(&ctx, keys);
        }
        if (keys && keys != stdin)
                fclose(keys);
        if (status == 0 && !stepper_flush())
                status = EXIT_IOERR;
        cmd_ctx_free(&ctx);
        session_close(&s);
        return status;
}
