/*
 * tui_pane.c - what every pane does the same way, whatever its class: its
 * box and title, its visible rows with the selection, scrolling, and
 * following the current event after a move.
 */
#include <curses.h>
#include <stdio.h>

#include "tui_impl.h"

/* A title's fields are apart by two blanks: one too long for w columns
 * loses its last fields whole, not the end of a number (every character
 * one column, as tui_put counts them). */
static void cut_title(char *buf, int w)
{
        size_t cols = 0, keep = 0;
        for (size_t i = 0; buf[i]; i++) {
                if ((buf[i] & 0xC0) == 0x80)
                        continue;
                if (cols++ == (size_t)w)
                        break;
                if (i > 0 && buf[i] == ' ' && buf[i + 1] == ' ')
                        keep = i;
        }
        if (cols > (size_t)w && keep) {
                buf[keep] = ' ';
                buf[keep + 1] = '\0';
        }
}

static void frame(struct tui *t, const struct pane *p, const char *title, bool focused)
{
        const char *h = t->utf8 ? "\u2500" : "-", *v = t->utf8 ? "\u2502" : "|";
        const char *tl = t->utf8 ? "\u250c" : "+", *tr = t->utf8 ? "\u2510" : "+";
        const char *bl = t->utf8 ? "\u2514" : "+", *br = t->utf8 ? "\u2518" : "+";
        int y0 = p->y, y1 = p->y + p->h - 1, x0 = p->x, x1 = p->x + p->w - 1;
        for (int x = x0 + 1; x < x1; x++) {
                tui_put(t, y0, x, 1, 0, h);
                tui_put(t, y1, x, 1, 0, h);
        }
        for (int y = y0 + 1; y < y1; y++) {
                tui_put(t, y, x0, 1, 0, v);
                tui_put(t, y, x1, 1, 0, v);
        }
        tui_put(t, y0, x0, 1, 0, tl);
        tui_put(t, y0, x1, 1, 0, tr);
        tui_put(t, y1, x0, 1, 0, bl);
        tui_put(t, y1, x1, 1, 0, br);
        char buf[160]; /* a title (128) and its blanks */
        snprintf(buf, sizeof buf, " %s ", title);
        cut_title(buf, p->w - 7);
        tui_put(t, y0, x0 + 2, p->w - 7, focused ? tui_attr(t, COL_TITLE) | A_BOLD : A_BOLD, buf);
}

int tui_pane_first_y(const struct pane *p)
{
        return p->y + 1 + (p->ops->draw_header != NULL);
}

int tui_pane_rows(const struct pane *p)
{
        return p->y + p->h - 1 - tui_pane_first_y(p);
}

void tui_draw_pane(struct tui *t, struct pane *p, bool focused)
{
        if (p->h < 3 || p->w < 4)
                return;
        char title[128];
        p->ops->title(t, p, title, sizeof title);
        frame(t, p, title, focused);
        if (p->ops->draw_header)
                p->ops->draw_header(t, p, p->y + 1, p->x + 1, p->w - 2);
        size_t n = p->ops->count(p);
        int vis = tui_pane_rows(p), y = tui_pane_first_y(p);
        if (p->top > n)
                p->top = n;
        for (int r = 0; r < vis && p->top + (size_t)r < n; r++) {
                size_t i = p->top + (size_t)r;
                p->ops->draw_row(t, p, i, y + r, p->x + 1, p->w - 2, focused && i == p->sel);
        }
        if (p->top > 0)
                tui_put(t, p->y, p->x + p->w - 3, 1, A_BOLD, t->utf8 ? "\u25b2" : "^");
        if (p->top + (size_t)vis < n)
                tui_put(t, p->y + p->h - 1, p->x + p->w - 3, 1, A_BOLD, t->utf8 ? "\u25bc" : "v");
}

static void selected(struct pane *p)
{
        if (p->ops->selected)
                p->ops->selected(p);
}

void tui_scroll_to(struct tui *t, struct pane *p, size_t row)
{
        (void)t;
        size_t n = p->ops->count(p);
        int vis = tui_pane_rows(p);
        if (n == 0 || vis <= 0)
                return;
        if (row >= n)
                row = n - 1;
        p->sel = row;
        if (row < p->top)
                p->top = row;
        else if (row >= p->top + (size_t)vis)
                p->top = row + 1 - (size_t)vis;
        selected(p);
}

/* After a move: the focus row shown focus_thirds thirds of the way down. */
static void follow(struct pane *p)
{
        size_t n = p->ops->count(p);
        int vis = tui_pane_rows(p);
        if (!p->follow || n == 0 || vis <= 0)
                return;
        size_t row = p->ops->focus_row(p);
        size_t above = (size_t)(vis * p->ops->focus_thirds / 3);
        p->sel = row;
        p->top = row > above ? row - above : 0;
        if (p->top + (size_t)vis > n)
                p->top = n > (size_t)vis ? n - (size_t)vis : 0;
}

void tui_rebuild(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++) {
                struct pane *p = t->panes[i];
                p->ops->rebuild(t, p);
                follow(p);
                selected(p);
        }
        t->dirty = false;
}
