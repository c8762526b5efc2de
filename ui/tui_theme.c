/*
 * tui_theme.c - the stepper's colours: a table per theme (set theme,
 * --theme) of what each colour pair is with 256 colours and with 8, and
 * what stands for it on a monochrome terminal, from which curses is set
 * up, every pane draws, and the help screen's legend names each colour,
 * so the three cannot disagree.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui_impl.h"

/* The 8-colour side of a pair that has none: the monochrome attribute. */
#define MONO (-2)

/* One colour pair: foreground and background with 256 colours and with 8
 * (-1: the terminal's own), and attributes added to the pair. */
struct style {
        short fg, bg, fg8, bg8;
        int attr;
};

/* The themes: the default for a dark background, and one of strong
 * contrast for a light one (a projector's white), where yellow and olive
 * vanish: darker colours, bold, and the walk as a highlighter's yellow
 * behind black. */
static const struct style themes[][COL_COUNT] =
    {
        [CMD_THEME_DARK] =
            {
                [COL_TITLE] = {COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, 0},
                [COL_TRAP] = {COLOR_RED, -1, COLOR_RED, -1, A_BOLD},
                [COL_SHADOW] = {COLOR_GREEN, -1, COLOR_GREEN, -1, 0},
                [COL_ZAP] = {COLOR_YELLOW, -1, COLOR_YELLOW, -1, 0},
                [COL_SYNC] = {COLOR_MAGENTA, -1, COLOR_MAGENTA, -1, 0},
                [COL_EPT] = {COLOR_CYAN, -1, COLOR_CYAN, -1, 0},
                [COL_WALK] = {COLOR_YELLOW, -1, COLOR_YELLOW, -1, A_BOLD},
                /* Grey where there are 256 colours, else dim (a dark blue is
                 * unreadable on a projector). */
                [COL_DIM] = {245, -1, MONO, MONO, 0},
                [COL_ERROR] = {COLOR_RED, -1, COLOR_RED, -1, A_BOLD},
                [COL_BAR] = {COLOR_BLACK, COLOR_CYAN, COLOR_BLACK, COLOR_CYAN, 0},
                [COL_CURRENT] = {COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, 0},
                [COL_BREAK] = {COLOR_RED, -1, COLOR_RED, -1, A_BOLD},
            },
        [CMD_THEME_LIGHT] =
            {
                [COL_TITLE] = {COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, A_BOLD},
                [COL_TRAP] = {124, -1, COLOR_RED, -1, A_BOLD},
                [COL_SHADOW] = {22, -1, COLOR_GREEN, -1, A_BOLD},
                [COL_ZAP] = {130, -1, COLOR_BLACK, COLOR_CYAN, A_BOLD},
                [COL_SYNC] = {90, -1, COLOR_MAGENTA, -1, A_BOLD},
                [COL_EPT] = {25, -1, COLOR_BLUE, -1, A_BOLD},
                [COL_WALK] = {16, 228, COLOR_BLACK, COLOR_YELLOW, A_BOLD},
                [COL_DIM] = {242, -1, MONO, MONO, 0},
                [COL_ERROR] = {124, -1, COLOR_RED, -1, A_BOLD},
                [COL_BAR] = {COLOR_WHITE, COLOR_BLACK, COLOR_WHITE, COLOR_BLACK, 0},
                [COL_CURRENT] = {COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, A_BOLD},
                [COL_BREAK] = {160, -1, COLOR_RED, -1, A_BOLD},
            },
};

static const struct style *style_of(const struct tui *t, enum tui_color c)
{
        return &themes[t->ctx.theme][c];
}

/* Whether the terminal draws pair c in colour (else as an attribute). */
static bool in_color(const struct tui *t, enum tui_color c)
{
        return t->color && c != COL_NONE && (COLORS >= 256 || style_of(t, c)->fg8 != MONO);
}

/* Sets every pair as the theme has it. */
static void apply(struct tui *t)
{
        for (int c = COL_NONE + 1; c < COL_COUNT; c++) {
                const struct style *st = style_of(t, (enum tui_color)c);
                if (in_color(t, (enum tui_color)c))
                        init_pair((short)c, COLORS >= 256 ? st->fg : st->fg8,
                                  COLORS >= 256 ? st->bg : st->bg8);
        }
        t->theme_shown = t->ctx.theme;
}

void tui_colors_init(struct tui *t)
{
        if (!t->color)
                return;
        start_color();
        use_default_colors();
        apply(t);
}

void tui_colors_follow(struct tui *t)
{
        if (t->color && t->theme_shown != t->ctx.theme)
                apply(t);
}

/* Monochrome: what each colour becomes as an attribute. */
static int mono_attr(enum tui_color c)
{
        switch (c) {
        case COL_TITLE:
        case COL_BAR:
        case COL_CURRENT:
                return A_REVERSE;
        case COL_TRAP:
        case COL_ERROR:
        case COL_WALK:
        case COL_BREAK:
                return A_BOLD;
        case COL_DIM:
                return A_DIM;
        case COL_SYNC:
        case COL_ZAP:
                return A_UNDERLINE;
        default:
                return 0;
        }
}

int tui_attr(const struct tui *t, enum tui_color c)
{
        if (c == COL_NONE)
                return 0;
        if (!in_color(t, c))
                return mono_attr(c);
        return (int)COLOR_PAIR(c) | style_of(t, c)->attr;
}

/* ---- what a colour looks like, for the legend ---------------------------- */

/* The name of a colour the themes use (of 8, or of the 256 of xterm). */
static const char *color_name(short c)
{
        static const char *const basic[8] = {"black", "red",     "green", "yellow",
                                             "blue",  "magenta", "cyan",  "white"};
        static const struct {
                short c;
                const char *name;
        } more[] = {{16, "black"},     {22, "dark green"}, {25, "dark blue"}, {90, "purple"},
                    {124, "dark red"}, {130, "brown"},     {160, "red"},      {228, "yellow"}};
        if (c >= 0 && c < 8)
                return basic[c];
        for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
                if (more[i].c == c)
                        return more[i].name;
        return c >= 232 ? "grey" : "a colour";
}

/* Appends the attributes of a (bold, dim, ...) to buf as words. */
static void attr_words(int a, char *buf, size_t n)
{
        static const struct {
                int attr;
                const char *word;
        } words[] = {
            {A_BOLD, "bold"}, {A_DIM, "dim"}, {A_UNDERLINE, "underlined"}, {A_REVERSE, "reversed"}};
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
                size_t len = strlen(buf);
                if (a & words[i].attr)
                        snprintf(buf + len, n - len, "%s%s", len ? " " : "", words[i].word);
        }
}

void tui_color_describe(const struct tui *t, enum tui_color c, char *buf, size_t n)
{
        buf[0] = '\0';
        if (!in_color(t, c)) {
                attr_words(mono_attr(c), buf, n);
                if (!buf[0])
                        snprintf(buf, n, "plain");
                return;
        }
        const struct style *st = style_of(t, c);
        short fg = COLORS >= 256 ? st->fg : st->fg8, bg = COLORS >= 256 ? st->bg : st->bg8;
        attr_words(st->attr, buf, n);
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", len ? " " : "", color_name(fg));
        len = strlen(buf);
        if (bg >= 0)
                snprintf(buf + len, n - len, " on %s", color_name(bg));
}
