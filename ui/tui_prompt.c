/*
 * tui_prompt.c - the stepper's command line: readline driven from curses.
 *
 * Readline never touches the terminal here: no signal handlers, no
 * terminal modes, output to /dev/null. Each key read by wgetch is handed to
 * rl_callback_read_char through rl_getc_function, and the stepper draws the
 * line itself from rl_line_buffer (tui_draw.c). History is kept in the
 * file the REPL uses. The same line reads the reply to the quiz's
 * question (quiz on, then s): no history, no completion, and Esc or
 * Ctrl-C drops the question.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "stepper.h"
#include "tui_impl.h"

#define HISTORY_LINES 1000

static struct tui *the_tui; /* for readline's callbacks, which take no context */
static int pending_key = EOF;

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
        tui_set_msg(the_tui, false, buf);
}

static void close_prompt(struct tui *t)
{
        rl_callback_handler_remove();
        t->prompting = false;
        t->answering = false;
}

static void on_line(char *line)
{
        struct tui *t = the_tui;
        bool answer = t->answering;
        close_prompt(t);
        if (!line)
                return;
        if (answer) {
                tui_answer(t, line);
        } else if (*line) {
                if (!history_length ||
                    strcmp(history_get(history_base + history_length - 1)->line, line) != 0)
                        add_history(line);
                tui_run_command(t, line);
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

void tui_open_answer(struct tui *t)
{
        tui_open_prompt(t, NULL);
        t->answering = true;
}

void tui_cancel_prompt(struct tui *t)
{
        if (!t->prompting)
                return;
        bool answer = t->answering;
        rl_replace_line("", 0);
        close_prompt(t);
        if (answer) {
                cmd_quiz_drop(&t->ctx);
                tui_set_msg(t, false,
                            "Quiz: the question is dropped, nothing moved (s asks again)");
        }
}

void tui_prompt_start(struct tui *t)
{
        the_tui = t;
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
        t->has_history = stepper_history_path(t->history, sizeof t->history);
        if (t->has_history)
                read_history(t->history);
        t->prompt_started = true;
}

void tui_prompt_stop(struct tui *t)
{
        if (!t->prompt_started)
                return;
        tui_cancel_prompt(t);
        if (t->has_history) {
                write_history(t->history);
                history_truncate_file(t->history, HISTORY_LINES);
        }
        stepper_completion_done();
        clear_history();
        if (rl_outstream && rl_outstream != stdout)
                fclose(rl_outstream);
        rl_outstream = NULL;
        t->prompt_started = false;
        the_tui = NULL;
}

/* A curses key as readline's key: the arrows and editing keys become the
 * control characters of emacs mode; -1 for keys the line ignores. */
static int readline_key(int ch)
{
        switch (ch) {
        case KEY_LEFT:
                return 2;
        case KEY_RIGHT:
                return 6;
        case KEY_UP:
                return 16;
        case KEY_DOWN:
                return 14;
        case KEY_HOME:
                return 1;
        case KEY_END:
                return 5;
        case KEY_BACKSPACE:
        case 8:
                return 127;
        case KEY_DC:
                return 4;
        case KEY_ENTER:
        case '\r':
                return '\n';
        default:
                return ch > 255 ? -1 : ch;
        }
}

void tui_prompt_key(struct tui *t, int ch)
{
        if (ch == 27) { /* Esc */
                tui_cancel_prompt(t);
                return;
        }
        ch = readline_key(ch);
        if (ch < 0 || (ch == 4 && rl_end == 0))
                return; /* ^D or Delete on an empty line: not an end of file here */
        if (ch == '\t' && t->answering)
                return; /* a reply has no commands to complete */
        pending_key = ch;
        rl_callback_read_char();
}
