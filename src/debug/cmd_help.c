/*
 * cmd_help.c - help: the command table as two columns (synopsis, what it
 * does), and one command with every form it takes and an example of each.
 *
 * Every line is laid out for the face's width (ctx->width): the
 * description starts in its own column and wraps inside it, and a
 * synopsis too long for its column puts the description on the lines
 * below it, so that the two never run into each other at any width.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* Width when the face gives none (a pipe, a script). */
#define DEFAULT_WIDTH 80
/* The widest left column: a longer synopsis gets lines of its own. */
#define MAX_COLUMN 34

/* A line being filled word by word. */
struct wrap {
        struct cmd_ctx *ctx;
        char line[CMD_MAX_LINE + 1];
        int len, width;
};

static void wrap_flush(struct wrap *w)
{
        w->line[w->len] = '\0';
        cmd_print(w->ctx, "%s", w->line);
        w->len = 0;
}

/* Pads the line with blanks to column col (a new line when it is past). */
static void wrap_to(struct wrap *w, int col)
{
        if (w->len > col - 1 && w->len > 0)
                wrap_flush(w);
        while (w->len < col)
                w->line[w->len++] = ' ';
}

/* Appends the words of text, each line of them starting at column indent
 * (the current line is assumed to be there already). A word wider than the
 * room is cut. */
static void wrap_words(struct wrap *w, const char *text, int indent)
{
        int room = w->width - indent < 8 ? 8 : w->width - indent;
        for (const char *p = text + strspn(text, " "); *p; p += strspn(p, " ")) {
                int n = (int)strcspn(p, " ");
                if (n > room)
                        n = room;
                bool fresh = w->len <= indent;
                if (!fresh && w->len + 1 + n > w->width) {
                        wrap_flush(w);
                        wrap_to(w, indent);
                        fresh = true;
                }
                if (!fresh)
                        w->line[w->len++] = ' ';
                memcpy(w->line + w->len, p, (size_t)n);
                w->len += n;
                p += n;
        }
}

static int width_of(const struct cmd_ctx *ctx)
{
        return ctx->width > 0 ? (int)ctx->width : DEFAULT_WIDTH;
}

/* The column descriptions start in for lefts of these lengths: two
 * blanks after the longest one that fits under MAX_COLUMN, or a narrow
 * indent under the synopsis when the face is too narrow for two. */
static int column_for(const struct cmd_ctx *ctx, int longest)
{
        int col = 2 + longest + 2;
        return col > width_of(ctx) / 2 ? 6 : col;
}

/* A copy of ctx that measures instead of printing (cmd_print_columns). */
static struct cmd_ctx measuring(const struct cmd_ctx *ctx)
{
        struct cmd_ctx m = *ctx;
        m.out = NULL;
        m.widest = 0;
        return m;
}

void cmd_print_columns(struct cmd_ctx *ctx, const char *left, int col, const char *text)
{
        int len = (int)strlen(left);
        if (!ctx->out) {
                if (len < MAX_COLUMN - 4 && len > ctx->widest)
                        ctx->widest = len;
                return;
        }
        struct wrap w = {.ctx = ctx, .width = width_of(ctx)};
        wrap_to(&w, 2);
        wrap_words(&w, left, 4);
        if (text && *text) {
                if (w.len + 2 > col)
                        wrap_flush(&w);
                wrap_to(&w, col);
                wrap_words(&w, text, col);
        }
        wrap_flush(&w);
}

/* ---- the table ---------------------------------------------------------- */

static void synopsis(const struct cmd_entry *e, char *buf, size_t n)
{
        snprintf(buf, n, "%s%s%s", e->name, *e->usage ? " " : "", e->usage);
}

struct table_print {
        struct cmd_ctx *ctx;
        int col;
};

static bool print_row(const struct cmd_entry *e, void *arg)
{
        struct table_print *t = arg;
        char left[256], text[512];
        synopsis(e, left, sizeof left);
        snprintf(text, sizeof text, "%s%s%s%s", e->help, e->aliases ? " (alias " : "",
                 e->aliases ? e->aliases : "", e->aliases ? ")" : "");
        cmd_print_columns(t->ctx, left, t->col, text);
        return false;
}

/* ---- one command -------------------------------------------------------- */

static void help_one(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
        char head[512];
        snprintf(head, sizeof head, "%s%s%s%s: %s", e->name, e->aliases ? " (alias " : "",
                 e->aliases ? e->aliases : "", e->aliases ? ")" : "", e->help);
        struct wrap w = {.ctx = ctx, .width = width_of(ctx)};
        wrap_words(&w, head, 2);
        wrap_flush(&w);
        if (!e->forms) {
                char left[256];
                synopsis(e, left, sizeof left);
                cmd_print_columns(ctx, left, column_for(ctx, (int)strlen(left)), NULL);
                return;
        }
        struct cmd_ctx measure = measuring(ctx);
        for (const struct cmd_form *f = e->forms; f->synopsis; f++)
                cmd_print_columns(&measure, f->synopsis, 0, NULL);
        if (e->more_help)
                e->more_help(&measure, 0);
        int col = column_for(ctx, measure.widest);
        for (const struct cmd_form *f = e->forms; f->synopsis; f++) {
                char example[256];
                cmd_print_columns(ctx, f->synopsis, col, f->help);
                snprintf(example, sizeof example, "e.g. %s", f->example);
                if (strcmp(f->example, f->synopsis) != 0)
                        cmd_print_columns(ctx, "", col, example);
        }
        if (e->more_help)
                e->more_help(ctx, col);
}

enum cmd_result cmd_help_text(struct cmd_ctx *ctx, const char *topic)
{
        if (topic) {
                const struct cmd_entry *e = cmd_find(ctx, topic);
                if (!e)
                        return CMD_ERROR;
                help_one(ctx, e);
                return CMD_OK;
        }
        struct wrap w = {.ctx = ctx, .width = width_of(ctx)};
        wrap_words(&w, "Commands (a unique prefix will do; help COMMAND shows its forms):", 2);
        wrap_flush(&w);
        struct cmd_ctx measure = measuring(ctx);
        struct table_print t = {&measure, 0};
        cmd_each_entry(ctx, print_row, &t);
        t.ctx = ctx;
        t.col = column_for(ctx, measure.widest);
        cmd_each_entry(ctx, print_row, &t);
        return CMD_OK;
}

/* ---- the command -------------------------------------------------------- */

static enum cmd_result cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        if (ctx->show_help) {
                ctx->show_help(ctx->face, argc > 1 ? argv[1] : NULL);
                return CMD_OK;
        }
        return cmd_help_text(ctx, argc > 1 ? argv[1] : NULL);
}

static void help_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)argc;
        (void)argv;
        cmd_complete_names(ctx, add, arg);
}

static const struct cmd_form help_forms[] = {
    {"help", "list every command with what it does", "help"},
    {"help COMMAND", "every form of one command, with an example of each", "help break"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_help_entry = {
    .name = "help",
    .aliases = "h",
    .args = {0, 1},
    .usage = "[COMMAND]",
    .help = "list the commands and keys, or explain one",
    .forms = help_forms,
    .exec = cmd_help_exec,
    .complete = help_complete,
};
