/*
 * tui.c - the stepper's loop: the terminal, keys, the command line and the
 * animated run.
 *
 * Keys are looked up in the binding table (keys.c) and run as commands, so
 * a key does exactly what its command does at the ':' line. The command
 * line is readline driven from curses: readline never touches the
 * terminal (no signal handlers, no terminal modes, output to /dev/null);
 * each key read by wgetch is handed to rl_callback_read_char through
 * rl_getc_function, and the line is drawn by the stepper from
 * rl_line_buffer. Signals only set a flag; the loop acts on it, so the
 * terminal is restored on quit, on error and on Ctrl-C. A resize is
 * handled as KEY_RESIZE, bursts coalesced, and laid out again.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "input.h"
#include "keys.h"
#include "quote.h"
#include "stepper.h"
#include "run.h"
#include "tui_impl.h"
#include "xalloc.h"

#define IDLE_TIMEOUT_MS 500
#define HISTORY_LINES   1000

static volatile sig_atomic_t got_signal;
static bool curses_on;
static struct tui *the_tui; /* for readline's callbacks, which take no context */
static int pending_key = EOF;

static void on_signal(int sig)
{
        got_signal = sig;
}

static void restore_terminal(void)
{
        if (curses_on) {
                endwin();
                curses_on = false;
        }
}

/* ---- output of commands ------------------------------------------------- */

static void out_line(void *face, const char *line)
{
        struct tui *t = face;
        if (t->nout == t->cap_out) {
                t->cap_out = t->cap_out ? t->cap_out * 2 : 16;
                t->out_lines = xrealloc(t->out_lines, t->cap_out, sizeof *t->out_lines);
        }
        t->out_lines[t->nout++] = xstrdup(line);
}

static void out_clear(struct tui *t)
{
        for (size_t i = 0; i < t->nout; i++)
                free(t->out_lines[i]);
        t->nout = 0;
}

void tui_popup_clear(struct tui *t, const char *title)
{
        struct popup *p = &t->popup;
        for (size_t i = 0; i < p->n; i++)
                free(p->lines[i]);
        p->n = 0;
        p->top = 0;
        snprintf(p->title, sizeof p->title, "%s", title);
}

void tui_popup_add(struct tui *t, const char *line)
{
        struct popup *p = &t->popup;
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 32;
                p->lines = xrealloc(p->lines, p->cap, sizeof *p->lines);
        }
        p->lines[p->n++] = xstrdup(line);
}

static void set_msg(struct tui *t, bool error, const char *text)
{
        snprintf(t->msg, sizeof t->msg, "%s", text);
        t->msg_error = error;
}

static void popup_line(void *face, const char *line)
{
        tui_popup_add(face, line);
}

/* The help screen: every binding, then every command, from their tables. */
void tui_show_help(void *face, const char *topic)
{
        struct tui *t = face;
        char line[256];
        t->ctx.width = t->cols > 12 ? (unsigned)t->cols - 6 : 6; /* inside the popup's frame */
        if (topic) {
                /* One command: its line of the command table. */
                struct cmd_ctx tmp = t->ctx;
                tmp.out = out_line;
                tmp.show_help = NULL;
                if (cmd_help_text(&tmp, topic) == CMD_ERROR)
                        set_msg(t, true, tmp.err);
                return;
        }
        tui_popup_clear(t, "Help: keys run commands; ':' types one");
        tui_popup_add(t, "Keys (each runs the command after it)");
        for (size_t i = 0; key_bindings[i].command; i++) {
                const struct key_binding *b = &key_bindings[i];
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen |= strcmp(key_bindings[j].command, b->command) == 0;
                if (seen || !b->note)
                        continue;
                /* Every key bound to this command, on one row. */
                char keys[64] = "";
                for (size_t j = i; key_bindings[j].command; j++) {
                        size_t len = strlen(keys);
                        if (strcmp(key_bindings[j].command, b->command) == 0 &&
                            !strstr(keys, key_bindings[j].name))
                                snprintf(keys + len, sizeof keys - len, "%s%s", len ? " " : "",
                                         key_bindings[j].name);
                }
                snprintf(line, sizeof line, "  %-10s %s  (:%s)", keys, b->note, b->command);
                tui_popup_add(t, line);
        }
        tui_popup_add(t, "");
        tui_popup_add(t, "Mouse: a click selects a pane and a row, the wheel scrolls.");
        tui_popup_add(t, "");
        struct cmd_ctx tmp = t->ctx;
        tmp.out = popup_line;
        tmp.show_help = NULL;
        cmd_help_text(&tmp, NULL);
        t->popup.open = true;
}

/* ---- running commands --------------------------------------------------- */

static void after_move(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++)
                t->panes[i].follow = true;
        t->dirty = true;
}

void tui_exec(struct tui *t, const char *line)
{
        out_clear(t);
        t->ctx.run_requested = false;
        enum cmd_result r = cmd_run(&t->ctx, line);
        if (r == CMD_QUIT) {
                t->quit = true;
                return;
        }
        if (t->ctx.last_flags & CMD_MOVES)
                after_move(t);
        if (r == CMD_ERROR && t->ctx.err[0]) {
                snprintf(t->msg, sizeof t->msg, "error: %.500s", t->ctx.err);
                t->msg_error = true;
        } else if (t->nout == 1) {
                set_msg(t, r == CMD_ERROR, t->out_lines[0]);
        } else if (t->nout > 1) {
                tui_popup_clear(t, line);
                for (size_t i = 0; i < t->nout; i++)
                        tui_popup_add(t, t->out_lines[i]);
                t->popup.open = true;
        } else if (t->ctx.last_flags & CMD_MOVES) {
                t->msg[0] = '\0';
        }
        if (t->ctx.run_requested) {
                t->running = true;
                char buf[96];
                snprintf(buf, sizeof buf, "Running at %u events a second: any key pauses",
                         t->ctx.speed);
                set_msg(t, false, buf);
        }
        out_clear(t);
}

static bool tui_selection(void *face, struct breakpoint *bp)
{
        struct tui *t = face;
        struct pane *p = &t->panes[t->focus];
        return p->cls->selection(p, bp);
}

/* ---- interrupting long moves -------------------------------------------- */

/* When the command being run started, for the progress notice. */
static struct timespec run_start;

static double elapsed(const struct timespec *since)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Asked by the session every so many ops: a key or a signal stops a long
 * move; after a moment a notice says how far it got. */
static bool tui_poll(void *ctx)
{
        struct tui *t = ctx;
        if (got_signal)
                return true;
        timeout(0);
        int ch = getch();
        timeout(IDLE_TIMEOUT_MS);
        if (ch == KEY_RESIZE) {
                ungetch(ch);
        } else if (ch != ERR) {
                return true;
        }
        if (elapsed(&run_start) > 0.3) {
                char buf[128];
                snprintf(buf, sizeof buf, " working: line %llu, %u%% of the trace; any key stops ",
                         (unsigned long long)t->s->op.line, session_percent(t->s));
                tui_put(t, t->msg_y, 0, t->cols, A_REVERSE, buf);
                refresh();
        }
        return false;
}

static void run_key_command(struct tui *t, const char *command)
{
        clock_gettime(CLOCK_MONOTONIC, &run_start);
        tui_exec(t, command);
}

/* ---- the command line (readline inside curses) -------------------------- */

static int rl_getc_from_curses(FILE *f)
{
        (void)f;
        int k = pending_key;
        pending_key = EOF;
        return k;
}

/* Readline asks whether more keys wait, to read typed-ahead text at once;
 * the keys it may read are only the one handed to it. */
static int rl_no_typeahead(void)
{
        return pending_key != EOF;
}

static void rl_redisplay_nothing(void)
{
        /* The stepper draws rl_line_buffer itself (tui_draw). */
}

static void rl_prep_nothing(int meta)
{
        (void)meta;
}

static void rl_deprep_nothing(void)
{
}

static void rl_show_matches(char **matches, int num, int max)
{
        char buf[512] = "";
        (void)max;
        for (int i = 1; i <= num; i++) {
                size_t len = strlen(buf);
                snprintf(buf + len, sizeof buf - len, "%s%s", i > 1 ? "  " : "", matches[i]);
        }
        set_msg(the_tui, false, buf);
}

static void close_prompt(struct tui *t)
{
        rl_callback_handler_remove();
        t->prompting = false;
}

static void on_line(char *line)
{
        struct tui *t = the_tui;
        close_prompt(t);
        if (!line)
                return;
        if (*line) {
                if (!history_length ||
                    strcmp(history_get(history_base + history_length - 1)->line, line) != 0)
                        add_history(line);
                run_key_command(t, line);
        }
        free(line);
}

void tui_open_prompt(struct tui *t, const char *text)
{
        t->prompting = true;
        t->msg[0] = '\0';
        rl_callback_handler_install("", on_line);
        rl_replace_line("", 0);
        if (text && *text)
                rl_insert_text(text);
}

static void init_readline(struct tui *t)
{
        rl_catch_signals = 0;
        rl_catch_sigwinch = 0;
        rl_change_environment = 0;
        rl_prep_term_function = rl_prep_nothing;
        rl_deprep_term_function = rl_deprep_nothing;
        rl_getc_function = rl_getc_from_curses;
        rl_input_available_hook = rl_no_typeahead;
        rl_redisplay_function = rl_redisplay_nothing;
        rl_completion_display_matches_hook = rl_show_matches;
        rl_outstream = fopen("/dev/null", "w");
        stepper_completion(&t->ctx);
        using_history();
}

/* A key for the command line: curses codes become readline's keys. */
static void prompt_key(struct tui *t, int ch)
{
        switch (ch) {
        case 27: /* Esc */
                rl_replace_line("", 0);
                close_prompt(t);
                return;
        case KEY_LEFT:
                ch = 2;
                break;
        case KEY_RIGHT:
                ch = 6;
                break;
        case KEY_UP:
                ch = 16;
                break;
        case KEY_DOWN:
                ch = 14;
                break;
        case KEY_HOME:
                ch = 1;
                break;
        case KEY_END:
                ch = 5;
                break;
        case KEY_BACKSPACE:
        case 8:
                ch = 127;
                break;
        case KEY_DC:
                if (rl_end == 0)
                        return;
                ch = 4;
                break;
        case KEY_ENTER:
        case '\r':
                ch = '\n';
                break;
        default:
                if (ch > 255)
                        return;
        }
        if (ch == 4 && rl_end == 0)
                return; /* ^D on an empty line: not an end of file here */
        pending_key = ch;
        rl_callback_read_char();
}

/* ---- the loop ----------------------------------------------------------- */

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

static void mouse(struct tui *t)
{
        MEVENT me;
        if (getmouse(&me) != OK)
                return;
        if (t->popup.open) {
                if (me.bstate & BUTTON4_PRESSED && t->popup.top > 0)
                        t->popup.top -= t->popup.top > 3 ? 3 : t->popup.top;
                else if (me.bstate & BUTTON5_PRESSED)
                        t->popup.top += 3;
                else if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
                        t->popup.open = false;
                return;
        }
        for (int i = 0; i < PANE_COUNT; i++) {
                struct pane *p = &t->panes[i];
                if ((t->zoomed && i != t->focus) || me.y < p->y || me.y >= p->y + p->h ||
                    me.x < p->x || me.x >= p->x + p->w)
                        continue;
                t->focus = i;
                p->follow = false;
                if (me.bstate & BUTTON4_PRESSED) {
                        p->top = p->top > 3 ? p->top - 3 : 0;
                } else if (me.bstate & BUTTON5_PRESSED) {
                        size_t n = p->cls->count(p);
                        if (p->top + 3 < n)
                                p->top += 3;
                } else if (me.y > p->y && me.y < p->y + p->h - 1) {
                        tui_scroll_to(t, p, p->top + (size_t)(me.y - p->y - 1));
                        if (p->cls == &pane_guest_class || p->cls == &pane_mmu_class)
                                p->sel_tag = p->sel < p->tree.n ? p->tree.rows[p->sel].tag : 0;
                }
                return;
        }
}

static void popup_key(struct tui *t, int ch)
{
        struct popup *p = &t->popup;
        size_t page = t->rows > 8 ? (size_t)(t->rows - 8) : 1;
        switch (ch) {
        case KEY_UP:
        case 'k':
                if (p->top)
                        p->top--;
                break;
        case KEY_DOWN:
        case 'j':
                p->top++;
                break;
        case KEY_PPAGE:
                p->top = p->top > page ? p->top - page : 0;
                break;
        case KEY_NPAGE:
        case ' ':
                p->top += page;
                break;
        case KEY_HOME:
                p->top = 0;
                break;
        case KEY_END:
                p->top = p->n;
                break;
        default:
                p->open = false;
        }
}

/* One step of the animated run. */
static void animate(struct tui *t)
{
        enum stop_reason r = session_stepi(t->s, 1, true);
        after_move(t);
        if (r != STOP_DONE) {
                t->running = false;
                out_clear(t);
                t->ctx.out = out_line;
                cmd_report_stop(&t->ctx, r);
                if (t->nout)
                        set_msg(t, r == STOP_ERROR, t->out_lines[t->nout - 1]);
                out_clear(t);
        }
}

static void handle_key(struct tui *t, int ch)
{
        if (ch == KEY_RESIZE) {
                resize(t);
                return;
        }
        if (t->prompting) {
                prompt_key(t, ch);
                return;
        }
        if (t->running) {
                t->running = false;
                set_msg(t, false, "Paused (r runs on)");
                return;
        }
        if (ch == KEY_MOUSE) {
                mouse(t);
                return;
        }
        if (t->popup.open) {
                popup_key(t, ch);
                return;
        }
        const struct key_binding *b = key_lookup(ch);
        if (b) {
                run_key_command(t, b->command);
        } else if (ch != ERR && ch < 256 && ch > ' ') {
                char buf[64];
                snprintf(buf, sizeof buf, "'%c' does nothing here: ? lists the keys", ch);
                set_msg(t, false, buf);
        }
}

static void init_panes(struct tui *t)
{
        const struct pane_class *cls[PANE_COUNT] = {&pane_guest_class, &pane_mmu_class,
                                                    &pane_tlb_class, &pane_log_class};
        for (int i = 0; i < PANE_COUNT; i++) {
                t->panes[i].cls = cls[i];
                t->panes[i].follow = true;
                u64map_init(&t->panes[i].toggled);
        }
        t->focus = PANE_LOG;
}

static void free_panes(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++) {
                struct pane *p = &t->panes[i];
                tree_free(&p->tree);
                u64map_free(&p->toggled);
                free(p->log);
                free(p->tlb_rows);
        }
        tui_popup_clear(t, "");
        free(t->popup.lines);
        out_clear(t);
        free(t->out_lines);
}

static bool use_color(const struct options *opt)
{
        const char *no = getenv("NO_COLOR");
        return !opt->no_color && !(no && *no) && has_colors();
}

static int start_curses(struct tui *t, const struct options *opt, FILE *keys)
{
        if (!newterm(NULL, stdout, keys)) {
                fprintf(stderr, "shadow-sim: cannot use terminal type '%s'\n",
                        getenv("TERM") ? quote(getenv("TERM")) : "(unset)");
                return EXIT_USAGE;
        }
        curses_on = true;
        atexit(restore_terminal);
        cbreak();
        noecho();
        nonl();
        keypad(stdscr, TRUE);
        set_escdelay(25);
        timeout(IDLE_TIMEOUT_MS);
        mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
        t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
        t->color = use_color(opt);
        tui_colors_init(t);
        return 0;
}

/* The stepper, with keys read from keys. */
static int run_on(const struct options *opt, FILE *keys)
{
        if (!isatty(fileno(keys)) || !isatty(STDOUT_FILENO)) {
                fprintf(stderr,
                        "shadow-sim: -i needs a terminal (--repl reads commands from a pipe)\n");
                return EXIT_USAGE;
        }
        struct session s;
        struct tui t;
        memset(&t, 0, sizeof t);
        int status = stepper_open(&s, opt);
        if (status)
                return status;
        the_tui = &t;
        t.s = &s;
        cmd_ctx_init(&t.ctx, &s);
        t.ctx.out = out_line;
        t.ctx.face = &t;
        t.ctx.extra = tui_commands;
        t.ctx.selection = tui_selection;
        t.ctx.show_help = tui_show_help;
        init_panes(&t);
        if (opt->script || opt->neval) {
                bool quit = false;
                status = stepper_prelude(&t.ctx, opt, &quit);
                if (status == 0 && t.nout)
                        set_msg(&t, false, t.out_lines[t.nout - 1]);
                out_clear(&t);
                if (status || quit) {
                        free_panes(&t);
                        session_close(&s);
                        return status;
                }
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        status = start_curses(&t, opt, keys);
        if (status) {
                free_panes(&t);
                session_close(&s);
                return status;
        }
        char hist[4200];
        bool has_hist = stepper_history_path(hist, sizeof hist);
        init_readline(&t);
        if (has_hist)
                read_history(hist);
        s.poll = tui_poll;
        s.poll_ctx = &t;
        tui_layout(&t);
        t.dirty = true;
        while (!t.quit) {
                if (t.dirty)
                        tui_rebuild(&t);
                tui_draw(&t);
                if (t.running)
                        timeout(t.ctx.speed >= 1000 ? 1 : (int)(1000 / t.ctx.speed));
                int ch = getch();
                if (t.running)
                        timeout(IDLE_TIMEOUT_MS);
                if (got_signal) {
                        int sig = got_signal;
                        got_signal = 0;
                        if (t.running || t.prompting) {
                                t.running = false;
                                if (t.prompting)
                                        close_prompt(&t);
                                set_msg(&t, false, "Interrupted");
                                continue;
                        }
                        status = 128 + sig;
                        break;
                }
                if (ch == ERR) {
                        if (t.running)
                                animate(&t);
                        continue;
                }
                handle_key(&t, ch);
        }
        if (t.prompting)
                close_prompt(&t);
        restore_terminal();
        if (has_hist) {
                write_history(hist);
                history_truncate_file(hist, HISTORY_LINES);
        }
        stepper_completion_done();
        clear_history();
        if (rl_outstream && rl_outstream != stdout)
                fclose(rl_outstream);
        free_panes(&t);
        session_close(&s);
        return status;
}

int tui_run(const struct options *opt)
{
        FILE *keys = input_keys(opt); /* /dev/tty when the trace is stdin */
        if (!keys)
                return EXIT_USAGE;
        int status = run_on(opt, keys);
        if (keys != stdin)
                fclose(keys);
        return status;
}
