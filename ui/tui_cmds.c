/*
 * tui_cmds.c - the stepper's own commands: focus, zoom, scroll, expand,
 * prompt and redraw. They are entries like the engine's commands, so a key
 * binding, the ':' line and a script can all use them.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui_impl.h"

static struct tui *tui_of(struct cmd_ctx *ctx)
{
        return ctx->face;
}

static const char *const pane_names[PANE_COUNT] = {"guest", "mmu", "tlb", "log"};

static enum cmd_result focus_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct tui *t = tui_of(ctx);
        const char *to = argc > 1 ? argv[1] : "next";
        if (strcmp(to, "next") == 0) {
                t->focus = (t->focus + 1) % PANE_COUNT;
        } else if (strcmp(to, "prev") == 0) {
                t->focus = (t->focus + PANE_COUNT - 1) % PANE_COUNT;
        } else {
                int i = 0;
                while (i < PANE_COUNT && strcmp(pane_names[i], to) != 0)
                        i++;
                if (i == PANE_COUNT)
                        return cmd_error(
                            ctx, "expected next, prev, guest, mmu, tlb or log, found '%s'", to);
                t->focus = i;
        }
        if (t->zoomed)
                tui_layout(t);
        return CMD_OK;
}

static const struct cmd_entry focus_entry = {
    .name = "focus",
    .args = {0, 1},
    .usage = "[next|prev|guest|mmu|tlb|log]",
    .help = "move the keyboard focus to a pane",
    .exec = focus_exec,
};

static enum cmd_result zoom_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct tui *t = tui_of(ctx);
        (void)argc;
        (void)argv;
        t->zoomed = !t->zoomed;
        tui_layout(t);
        t->dirty = true;
        return CMD_OK;
}

static const struct cmd_entry zoom_entry = {
    .name = "zoom",
    .args = {0, 0},
    .usage = "",
    .help = "show the focused pane on the whole screen, or all panes again",
    .exec = zoom_exec,
};

static enum cmd_result scroll_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct tui *t = tui_of(ctx);
        struct pane *p = t->panes[t->focus];
        int rows = tui_pane_rows(p);
        size_t n = p->ops->count(p), page = rows > 1 ? (size_t)(rows - 1) : 1;
        const char *how = argv[1];
        (void)argc;
        if (n == 0)
                return CMD_OK;
        p->follow = false;
        if (strcmp(how, "up") == 0)
                tui_scroll_to(t, p, p->sel ? p->sel - 1 : 0);
        else if (strcmp(how, "down") == 0)
                tui_scroll_to(t, p, p->sel + 1);
        else if (strcmp(how, "pageup") == 0)
                tui_scroll_to(t, p, p->sel > page ? p->sel - page : 0);
        else if (strcmp(how, "pagedown") == 0)
                tui_scroll_to(t, p, p->sel + page);
        else if (strcmp(how, "home") == 0)
                tui_scroll_to(t, p, 0);
        else if (strcmp(how, "end") == 0) {
                tui_scroll_to(t, p, n - 1);
                p->follow = true;
                t->dirty = true;
        } else
                return cmd_error(
                    ctx, "expected up, down, pageup, pagedown, home or end, found '%s'", how);
        return CMD_OK;
}

static const struct cmd_entry scroll_entry = {
    .name = "scroll",
    .args = {1, 1},
    .usage = "up|down|pageup|pagedown|home|end",
    .help = "move the selection in the focused pane",
    .exec = scroll_exec,
};

static enum cmd_result expand_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct tui *t = tui_of(ctx);
        struct pane *p = t->panes[t->focus];
        (void)argc;
        (void)argv;
        if (p->ops->activate)
                p->ops->activate(t, p);
        return CMD_OK;
}

static const struct cmd_entry expand_entry = {
    .name = "expand",
    .args = {0, 0},
    .usage = "",
    .help = "open or close the selected table (in the log: go to that event)",
    .exec = expand_exec,
};

static enum cmd_result prompt_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        char text[256] = "";
        for (int i = 1; i < argc; i++) {
                size_t len = strlen(text);
                snprintf(text + len, sizeof text - len, "%s%s", argv[i], " ");
        }
        tui_open_prompt(tui_of(ctx), text);
        return CMD_OK;
}

static const struct cmd_entry prompt_entry = {
    .name = "prompt",
    .args = {0, -1},
    .usage = "[TEXT]",
    .help = "open the command line, TEXT already typed",
    .exec = prompt_exec,
};

static enum cmd_result redraw_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        clearok(curscr, TRUE);
        return CMD_OK;
}

static const struct cmd_entry redraw_entry = {
    .name = "redraw",
    .args = {0, 0},
    .usage = "",
    .help = "redraw the whole screen",
    .exec = redraw_exec,
};

const struct cmd_entry *const tui_commands[] = {
    &focus_entry, &zoom_entry, &scroll_entry, &expand_entry, &prompt_entry, &redraw_entry, NULL,
};
