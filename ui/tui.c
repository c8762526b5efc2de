/*
 * tui.c - the stepper's life: it checks the terminal, opens the session,
 * runs the --script and -e commands up to a pause (tui_script.c), starts
 * curses and the command line,
 * reads keys until the user quits, and tears down in one place.
 *
 * Every way out (quit, a failed start, a signal) returns through
 * tui_close, which undoes what tui_open set up, in reverse order, and
 * only that; the terminal is restored there, and by an atexit handler if
 * the process ends some other way. Signals only set a flag; the loop acts
 * on it: Ctrl-C stops a long move and never ends the stepper (as in gdb),
 * SIGTERM and SIGHUP end it, SIGCONT draws everything again. Keys are looked up in the binding
 * table (keys.c) and run as commands, so a key does exactly what its command does at the ':' line.
 * A resize is handled as KEY_RESIZE, bursts coalesced, and laid out again.
 */
#include "tui.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "keys.h"
#include "quote.h"
#include "stepper.h"
#include "run.h"
#include "tui_impl.h"

#define IDLE_TIMEOUT_MS 500
#define MOUSE_EVENTS    (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED)

static volatile sig_atomic_t got_signal, got_cont;

/* The curses screen, static so that the atexit handler can end it. */
static SCREEN *screen;

static void on_signal(int sig)
{
        if (sig == SIGCONT)
                got_cont = 1;
        else
                got_signal = sig;
}

/* Ends curses if it is on; safe to call twice (tui_close, then atexit). */
static void restore_terminal(void)
{
        if (!screen)
                return;
        endwin();
        delscreen(screen);
        screen = NULL;
}

/* ---- signals ------------------------------------------------------------ */

static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGCONT};
#define NCAUGHT (sizeof caught_signals / sizeof caught_signals[0])
static struct sigaction old_actions[NCAUGHT];

static void catch_signals(struct tui *t)
{
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < NCAUGHT; i++)
                sigaction(caught_signals[i], &sa, &old_actions[i]);
        t->signals_caught = true;
}

static void release_signals(struct tui *t)
{
        if (!t->signals_caught)
                return;
        for (size_t i = 0; i < NCAUGHT; i++)
                sigaction(caught_signals[i], &old_actions[i], NULL);
        t->signals_caught = false;
}

/* ---- interrupting long moves -------------------------------------------- */

static double elapsed(const struct timespec *since)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Asked by the session every so many ops: a key or a signal stops a long
 * move, and that key is used up (a click too), so it does nothing else; a
 * resize is laid out and the move goes on. After a moment a notice says
 * how far it got. */
static bool tui_poll(void *ctx)
{
        struct tui *t = ctx;
        MEVENT me;
        if (got_signal) {
                if (got_signal == SIGINT)
                        got_signal = 0; /* Ctrl-C stops the move, and that is all it does */
                return true;
        }
        timeout(0);
        int ch = getch();
        timeout(IDLE_TIMEOUT_MS);
        if (ch == KEY_MOUSE)
                (void)getmouse(&me);
        if (ch == KEY_RESIZE) {
                tui_layout(t);
                t->dirty = true;
        } else if (ch != ERR) {
                return true;
        }
        if (elapsed(&t->run_start) > 0.3) {
                char share[32] = "", buf[128];
                bool known = tui_trace_share(t->s, share, sizeof share);
                snprintf(buf, sizeof buf, " working: line %llu%s%s; any key stops ",
                         (unsigned long long)t->s->op.line, known ? ", " : "", share);
                tui_put(t, t->msg_y, 0, t->cols, A_REVERSE, buf);
                refresh();
        }
        return false;
}

static bool tui_selection(void *face, struct breakpoint *bp)
{
        struct tui *t = face;
        struct pane *p = t->panes[t->focus];
        return p->ops->selection && p->ops->selection(t, p, bp);
}

/* ---- keys and the mouse ------------------------------------------------- */

static void resize(struct tui *t)
{
        /* Coalesce a burst of resizes into one layout. */
        int ch;
        timeout(0);
        while ((ch = getch()) == KEY_RESIZE)
                ;
        if (ch != ERR)
                ungetch(ch);
        timeout(IDLE_TIMEOUT_MS);
        tui_layout(t);
        t->dirty = true;
}

/* The wheel scrolls the pane under the pointer, a click selects the pane
 * and the row; over the popup, the wheel scrolls it and a click closes
 * it. */
static void mouse(struct tui *t)
{
        MEVENT me;
        if (getmouse(&me) != OK)
                return;
        struct pane *p = t->popup_open ? t->popup : NULL;
        for (int i = 0; i < PANE_COUNT && !p; i++) {
                struct pane *q = t->panes[i];
                if ((!t->zoomed || i == t->focus) && me.y >= q->y && me.y < q->y + q->h &&
                    me.x >= q->x && me.x < q->x + q->w) {
                        t->focus = i;
                        p = q;
                }
        }
        if (!p)
                return;
        p->follow = false;
        if (me.bstate & BUTTON4_PRESSED) {
                p->top = p->top > 3 ? p->top - 3 : 0;
        } else if (me.bstate & BUTTON5_PRESSED) {
                if (p->top + 3 < p->ops->count(p))
                        p->top += 3;
        } else if (p == t->popup) {
                t->popup_open = false;
        } else if (me.y >= tui_pane_first_y(p) && me.y < p->y + p->h - 1) {
                tui_scroll_to(t, p, p->top + (size_t)(me.y - tui_pane_first_y(p)));
        }
}

/* One step of the animated run. */
static void animate(struct tui *t)
{
        enum stop_reason r = session_stepi(t->s, 1, true);
        tui_after_move(t);
        if (r != STOP_DONE) {
                t->running = false;
                tui_out_clear(t);
                cmd_report_stop(&t->ctx, r);
                if (t->nout)
                        tui_set_msg(t, r == STOP_ERROR, t->out_lines[t->nout - 1]);
                tui_out_clear(t);
        }
}

static void handle_key(struct tui *t, int ch)
{
        if (ch == KEY_RESIZE) {
                resize(t);
                return;
        }
        if (t->prompting) {
                tui_prompt_key(t, ch);
                return;
        }
        if (t->running) {
                t->running = false;
                tui_set_msg(t, false, "Paused (r runs on)");
                return;
        }
        if (ch == KEY_MOUSE) {
                mouse(t);
                return;
        }
        if (tui_script_paused(t)) {
                tui_script_key(t); /* a key at a pause of the script runs it on */
                return;
        }
        if (t->popup_open && t->popup->ops->key(t, t->popup, ch))
                return;
        const struct key_binding *b = key_lookup(ch);
        if (b) {
                tui_run_command(t, b->command);
        } else if (ch < 256 && ch > ' ') {
                char buf[64];
                snprintf(buf, sizeof buf, "'%c' does nothing here: ? lists the keys", ch);
                tui_set_msg(t, false, buf);
        }
}

/* ---- the loop ----------------------------------------------------------- */

/* What a signal does between moves: Ctrl-C pauses the animated run,
 * drops the rest of a paused script or the command line, and never ends the stepper (as in gdb);
 * SIGTERM and SIGHUP end it with 128 + their number. Returns that status, or 0 to go on. */
static int on_got_signal(struct tui *t, int sig)
{
        if (sig != SIGINT)
                return 128 + sig;
        if (t->running) {
                t->running = false;
                tui_set_msg(t, false, "Interrupted (r runs on)");
        } else if (tui_script_paused(t)) {
                tui_script_drop(t);
        } else if (t->prompting) {
                tui_cancel_prompt(t);
        } else {
                tui_set_msg(t, false, "Ctrl-C stops a long move; q quits");
        }
        return 0;
}

/* After SIGCONT (a stop the stepper could not see coming, as SIGSTOP):
 * whoever had the terminal meanwhile may have changed its modes and
 * screen, so curses takes both back and everything is drawn again. */
static void resume(struct tui *t)
{
        endwin();
        refresh();
        mousemask(MOUSE_EVENTS, NULL);
        clearok(curscr, TRUE);
        tui_layout(t);
        t->dirty = true;
}

/* Reads keys until the user quits. Returns the exit status. */
static int tui_loop(struct tui *t)
{
        tui_layout(t);
        t->dirty = true;
        while (!t->quit) {
                if (t->ctx.quiz.pending && !t->prompting)
                        tui_open_answer(t); /* the quiz's question waits for its reply */
                if (t->dirty)
                        tui_rebuild(t);
                tui_draw(t);
                if (t->running)
                        timeout(t->ctx.speed >= 1000 ? 1 : (int)(1000 / t->ctx.speed));
                int ch = getch();
                if (t->running)
                        timeout(IDLE_TIMEOUT_MS);
                if (got_cont) {
                        got_cont = 0;
                        resume(t);
                }
                if (got_signal) {
                        int sig = got_signal;
                        got_signal = 0;
                        int status = on_got_signal(t, sig);
                        if (status)
                                return status;
                } else if (ch == ERR) {
                        if (t->running)
                                animate(t);
                } else {
                        handle_key(t, ch);
                }
        }
        return 0;
}

/* ---- setting up and tearing down ---------------------------------------- */

static void make_panes(struct tui *t)
{
        t->panes[PANE_GUEST] = pane_tree_new(false);
        t->panes[PANE_MMU] = pane_tree_new(true);
        t->panes[PANE_TLB] = pane_tlb_new();
        t->panes[PANE_LOG] = pane_log_new();
        for (int i = 0; i < PANE_COUNT; i++)
                t->panes[i]->follow = true;
        t->popup = pane_popup_new();
        t->focus = PANE_LOG;
}

static void free_panes(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++)
                if (t->panes[i])
                        t->panes[i]->ops->destroy(t->panes[i]);
        if (t->popup)
                t->popup->ops->destroy(t->popup);
        tui_out_clear(t);
        free(t->out_lines);
}

static bool use_color(const struct options *opt)
{
        const char *no = getenv("NO_COLOR");
        return !opt->no_color && !(no && *no) && has_colors();
}

/* Says why the terminal cannot show the stepper. Returns 64. */
static int refuse_terminal(const char *why)
{
        fprintf(stderr,
                "shadow-sim: terminal type '%s' %s; -i needs one that can draw "
                "(--repl works on any terminal)\n",
                getenv("TERM") ? quote(getenv("TERM")) : "(unset)", why);
        return EXIT_USAGE;
}

static int start_curses(struct tui *t, const struct options *opt)
{
        screen = newterm(NULL, stdout, t->keys);
        if (!screen)
                return refuse_terminal("is not known to curses");
        atexit(restore_terminal);
        cbreak();
        noecho();
        nonl();
        keypad(stdscr, TRUE);
        set_escdelay(25);
        timeout(IDLE_TIMEOUT_MS);
        mousemask(MOUSE_EVENTS, NULL);
        mouseinterval(0);
        t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
        t->color = use_color(opt);
        tui_colors_init(t);
        return 0;
}

/* Whether the stepper can run on this terminal, keys read from keys:
 * 0, or 64 after saying what works instead. */
static int check_terminal(FILE *keys)
{
        if (!isatty(STDOUT_FILENO)) {
                fprintf(stderr, "shadow-sim: -i draws on a terminal, and standard output is "
                                "none (--repl and the batch command write to a pipe or a file)\n");
                return EXIT_USAGE;
        }
        if (!isatty(fileno(keys))) {
                /* Keys come from stdin here: the trace is a file, or not given. */
                fprintf(stderr,
                        "shadow-sim: -i reads keys from a terminal, and standard input is none: "
                        "a trace on standard input is named '-' (... | shadow-sim -i -), and "
                        "keys then come from the terminal; --repl reads commands from a pipe\n");
                return EXIT_USAGE;
        }
        const char *why = tui_unusable_terminal();
        return why ? refuse_terminal(why) : 0;
}

/* Sets up the stepper, step by step, recording each step for tui_close.
 * Returns 0, or the exit status after a message on stderr (64 without a
 * terminal or with one curses cannot drive; 65/66 for a bad script or
 * trace). A script that quits sets t->quit. */
static int tui_open(struct tui *t, const struct options *opt)
{
        memset(t, 0, sizeof *t);
        make_panes(t);
        t->keys = input_keys(opt); /* /dev/tty when the trace is stdin */
        if (!t->keys)
                return EXIT_USAGE;
        int status = check_terminal(t->keys);
        if (status)
                return status;
        status = stepper_open(&t->session, opt);
        if (status)
                return status;
        t->s = &t->session;
        cmd_ctx_init(&t->ctx, t->s);
        stepper_settings(&t->ctx, opt);
        t->ctx.out = tui_out_line;
        t->ctx.face = t;
        t->ctx.extra = tui_commands;
        t->ctx.selection = tui_selection;
        t->ctx.show_help = tui_show_help;
        status = tui_script_start(t, opt);
        if (status || t->quit)
                return status;
        catch_signals(t);
        status = start_curses(t, opt);
        if (status)
                return status;
        tui_prompt_start(t);
        t->s->poll = tui_poll;
        t->s->poll_ctx = t;
        return 0;
}

/* The one way out: undoes what tui_open did, whatever it got to. */
static void tui_close(struct tui *t)
{
        stepper_script_end(&t->script);
        tui_prompt_stop(t);
        cmd_ctx_free(&t->ctx);
        restore_terminal();
        release_signals(t);
        free_panes(t);
        if (t->s)
                session_close(t->s);
        if (t->keys && t->keys != stdin)
                fclose(t->keys);
}

int tui_run(const struct options *opt)
{
        struct tui t;
        int status = tui_open(&t, opt);
        if (status == 0 && !t.quit)
                status = tui_loop(&t);
        tui_close(&t);
        return status;
}
