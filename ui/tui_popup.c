/*
 * tui_popup.c - the popup: a pane of text lines over the others, for the
 * output of a command that printed more than a line, and for the help.
 * It has the keyboard while it is open: arrows and pages scroll it, other
 * keys close it.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "tui_impl.h"
#include "xalloc.h"

struct popup_pane {
        struct pane base;
        char **lines;
        enum tui_color *colors; /* of each line */
        size_t n, cap;
        char title[64];
};

static struct popup_pane *popup_of(struct pane *p)
{
        return PANE_OF(struct popup_pane, p);
}

void tui_popup_clear(struct tui *t, const char *title)
{
        struct popup_pane *pp = popup_of(t->popup);
        for (size_t i = 0; i < pp->n; i++)
                free(pp->lines[i]);
        pp->n = 0;
        pp->base.top = 0;
        snprintf(pp->title, sizeof pp->title, "%s", title);
}

static void add_row(struct popup_pane *pp, const char *text, size_t len, enum tui_color c)
{
        if (pp->n == pp->cap) {
                pp->cap = pp->cap ? pp->cap * 2 : 32;
                pp->lines = xrealloc(pp->lines, pp->cap, sizeof *pp->lines);
                pp->colors = xrealloc(pp->colors, pp->cap, sizeof *pp->colors);
        }
        char *row = xmalloc(len + 1);
        memcpy(row, text, len);
        row[len] = '\0';
        pp->colors[pp->n] = c;
        pp->lines[pp->n++] = row;
}

/* Adds a line, wrapped at blanks to the popup's width (as the screen is
 * now); continuation rows are indented under the line's own text, so that
 * nothing a command printed is cut. */
void tui_popup_add_color(struct tui *t, const char *line, enum tui_color c)
{
        struct popup_pane *pp = popup_of(t->popup);
        size_t width = t->cols > 26 ? (size_t)t->cols - 6 : 20;
        size_t indent = strspn(line, " ") + 2, len = strlen(line);
        char row[1024];
        if (indent > width / 2)
                indent = 2;
        for (bool first = true; first || len > 0; first = false) {
                size_t lead = first ? 0 : indent, room = width - lead, cut = len;
                if (len > room) {
                        cut = room;
                        while (cut > room / 2 && line[cut] != ' ')
                                cut--;
                        if (cut <= room / 2)
                                cut = room;
                }
                int n = snprintf(row, sizeof row, "%*s%.*s", (int)lead, "", (int)cut, line);
                add_row(pp, row,
                        n < 0                    ? 0
                        : (size_t)n < sizeof row ? (size_t)n
                                                 : sizeof row - 1,
                        c);
                line += cut;
                len -= cut;
                while (len > 0 && *line == ' ') {
                        line++;
                        len--;
                }
        }
}

void tui_popup_add(struct tui *t, const char *line)
{
        tui_popup_add_color(t, line, COL_NONE);
}

static size_t popup_count(const struct pane *p)
{
        return CONST_PANE_OF(struct popup_pane, p)->n;
}

static void popup_title(const struct tui *t, const struct pane *p, char *buf, size_t n)
{
        (void)t;
        snprintf(buf, n, "%s", CONST_PANE_OF(struct popup_pane, p)->title);
}

static void popup_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                           bool selected)
{
        (void)selected;
        struct popup_pane *pp = popup_of(p);
        tui_put(t, y, x + 1, w - 2, tui_attr(t, pp->colors[i]), pp->lines[i]);
}

/* Scrolls; any other key closes the popup, and is the popup's unless it
 * starts a command: typing ':' over a popup opens the command line. */
static bool popup_key(struct tui *t, struct pane *p, int ch)
{
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
                p->top = popup_count(p);
                break;
        default:
                t->popup_open = false;
                return !key_starts_command(ch);
        }
        return true;
}

void tui_popup_draw(struct tui *t)
{
        struct pane *p = t->popup;
        int w = t->cols - 2, h = t->rows - 4;
        if (w < 10 || h < 3)
                return;
        p->y = 2;
        p->x = 1;
        p->h = h;
        p->w = w;
        for (int y = 1; y < h - 1; y++)
                mvhline(2 + y, 2, ' ', w - 2);
        size_t n = popup_count(p), vis = (size_t)(h - 2);
        /* Scrolled no further than a full last page. */
        if (p->top + vis > n)
                p->top = n > vis ? n - vis : 0;
        tui_draw_pane(t, p, true);
        char foot[96];
        snprintf(foot, sizeof foot, " q/Esc closes, arrows scroll  %zu/%zu ", n ? p->top + 1 : 0,
                 n);
        tui_put(t, 2 + h - 1, 3, w - 6, A_BOLD, foot);
}

static void popup_destroy(struct pane *p)
{
        struct popup_pane *pp = popup_of(p);
        for (size_t i = 0; i < pp->n; i++)
                free(pp->lines[i]);
        free(pp->lines);
        free(pp->colors);
        free(pp);
}

static const struct pane_ops popup_ops = {
    .count = popup_count,
    .title = popup_title,
    .draw_row = popup_draw_row,
    .key = popup_key,
    .destroy = popup_destroy,
};

struct pane *pane_popup_new(void)
{
        struct popup_pane *pp = xcalloc(1, sizeof *pp);
        pp->base.ops = &popup_ops;
        return &pp->base;
}
