/*
 * tui_theme.c - the stepper's colours: one table of what each colour pair
 * is (with 256 colours, with 8, and as an attribute on a monochrome
 * terminal), from which curses is set up, every pane draws, and the help
 * screen's legend names each colour, so the three cannot disagree.
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

static const struct style styles[COL_COUNT] = {
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
};

/* Whether the terminal draws pair c in colour (else as an attribute). */
static bool in_color(const struct tui *t, enum tui_color c)
{
        return t->color && c != COL_NONE && (COLORS >= 256 || styles[c].fg8 != MONO);
}

void tui_colors_init(struct tui *t)
{
        if (!t->color)
                return;
        start_color();
        use_default_colors();
        for (int c = COL_NONE + 1; c < COL_COUNT; c++)
                if (in_color(t, (enum tui_color)c))
                        init_pair((short)c, COLORS >= 256 ? styles[c].fg : styles[c].fg8,
                                  COLORS >= 256 ? styles[c].bg : styles[c].bg8);
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
        return (int)COLOR_PAIR(c) | styles[c].attr;
}

/* ---- what a colour looks like, for the legend ---------------------------- */

static const char *color_name(short c)
{
        static const char *const basic[8] = {"black", "red",     "green", "yellow",
                                             "blue",  "magenta", "cyan",  "white"};
        if (c >= 0 && c < 8)
                return basic[c];
        if (c >= 232 || c == 245)
                return "grey";
        return "a colour";
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
        const struct style *st = &styles[c];
        short fg = COLORS >= 256 ? st->fg : st->fg8, bg = COLORS >= 256 ? st->bg : st->bg8;
        attr_words(st->attr, buf, n);
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", len ? " " : "", color_name(fg));
        len = strlen(buf);
        if (bg >= 0)
                snprintf(buf + len, n - len, " on %s", color_name(bg));
}
