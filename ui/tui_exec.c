/*
 * tui_exec.c - running a command in the stepper and showing what it said:
 * one line goes to the message line, more open a popup, an error is shown
 * as one. The help screen is built here too, from the key bindings, the
 * legend (tui_legend.c) and the command table, so it cannot drift from
 * what the keys do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"
#include "tui_impl.h"
#include "xalloc.h"

/* ---- output of commands ------------------------------------------------- */

void tui_out_line(void *face, const char *line)
{
        struct tui *t = face;
        if (t->nout == t->cap_out) {
                t->cap_out = t->cap_out ? t->cap_out * 2 : 16;
                t->out_lines = xrealloc(t->out_lines, t->cap_out, sizeof *t->out_lines);
        }
        t->out_lines[t->nout++] = xstrdup(line);
}

void tui_out_clear(struct tui *t)
{
        for (size_t i = 0; i < t->nout; i++)
                free(t->out_lines[i]);
        t->nout = 0;
}

/* A message shows whole: wrapped over the message and explain rows, or,
 * when longer than they hold, in the popup. */
void tui_set_msg(struct tui *t, bool error, const char *text)
{
        struct tui_span rows[TUI_MAX_TEXT_ROWS];
        t->msg_error = error;
        /* (Before the first layout there are no rows to count.) */
        if (t->cols <= 0 || t->prompting ||
            tui_wrap(text, t->cols, rows, TUI_MAX_TEXT_ROWS) <= 1 + t->explain_rows) {
                snprintf(t->msg, sizeof t->msg, "%s", text);
                return;
        }
        tui_popup_clear(t, error ? "Error" : "Message");
        tui_popup_add(t, text); /* which wraps it to the popup's width */
        t->popup_open = true;
        t->msg[0] = '\0';
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
                tmp.out = tui_out_line;
                tmp.show_help = NULL;
                if (cmd_help_text(&tmp, topic) == CMD_ERROR)
                        tui_set_msg(t, true, tmp.err);
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
        tui_popup_add(t, "Ctrl-C, or any key, stops a long move; only q leaves the stepper.");
        tui_popup_add(t, "");
        tui_legend(t);
        struct cmd_ctx tmp = t->ctx;
        tmp.out = popup_line;
        tmp.show_help = NULL;
        cmd_help_text(&tmp, NULL);
        t->popup_open = true;
}

/* ---- running commands --------------------------------------------------- */

void tui_after_move(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++)
                t->panes[i]->follow = true;
        t->dirty = true;
}

/* What the breakpoints are, in a number that changes when one is set,
 * deleted, enabled or disabled: the log's markers are then drawn again. */
static uint64_t breakpoints_state(const struct session *s)
{
        uint64_t h = s->nbps;
        for (size_t i = 0; i < s->nbps; i++)
                h = h * 31 + (uint64_t)s->bps[i].id * 2 + s->bps[i].enabled;
        return h;
}

/* Shows what a command (title) did: r, and its output collected. */
static void show_result(struct tui *t, enum cmd_result r, const char *title, uint64_t bps)
{
        if (t->ctx.last_flags & CMD_MOVES)
                tui_after_move(t);
        else if (breakpoints_state(t->s) != bps)
                t->dirty = true;
        if (r == CMD_ERROR && t->ctx.err[0]) {
                char buf[sizeof t->ctx.err + 16];
                snprintf(buf, sizeof buf, "error: %s", t->ctx.err);
                tui_set_msg(t, true, buf);
        } else if (t->nout == 1) {
                tui_set_msg(t, r == CMD_ERROR, t->out_lines[0]);
        } else if (t->nout > 1) {
                tui_popup_clear(t, title);
                for (size_t i = 0; i < t->nout; i++)
                        tui_popup_add(t, t->out_lines[i]);
                t->popup_open = true;
        } else if (t->ctx.last_flags & CMD_MOVES) {
                t->msg[0] = '\0';
        }
        if (t->ctx.quiz.pending)
                t->popup_open = false; /* the question shows in the explain rows */
        tui_start_requested_run(t);
        tui_out_clear(t);
}

enum cmd_result tui_exec(struct tui *t, const char *line)
{
        tui_out_clear(t);
        t->ctx.run_requested = false;
        uint64_t bps = breakpoints_state(t->s);
        bool quiz = t->ctx.quiz.on;
        enum cmd_result r = cmd_run(&t->ctx, line);
        if (r == CMD_QUIT) {
                t->quit = true;
                return r;
        }
        if (t->ctx.quiz.on != quiz)
                t->dirty = true; /* the log keeps the next line's narration back, or not */
        show_result(t, r, line, bps);
        return r;
}

void tui_answer(struct tui *t, const char *reply)
{
        tui_out_clear(t);
        t->ctx.run_requested = false;
        uint64_t bps = breakpoints_state(t->s);
        /* The panes, the log and the explain rows show what happened. */
        enum cmd_result r = cmd_quiz_answer(&t->ctx, reply, false);
        show_result(t, r, "Quiz", bps);
}

void tui_start_requested_run(struct tui *t)
{
        if (!t->ctx.run_requested)
                return;
        t->ctx.run_requested = false;
        t->running = true;
        char buf[96];
        snprintf(buf, sizeof buf, "Running at %u events a second: any key pauses", t->ctx.speed);
        tui_set_msg(t, false, buf);
}

void tui_run_command(struct tui *t, const char *command)
{
        clock_gettime(CLOCK_MONOTONIC, &t->run_start);
        tui_exec(t, command);
}
