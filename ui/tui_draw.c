/*
 * tui_draw.c - painting the stepper: layout from the screen size, pane
 * boxes and rows, the stats and compare bar, the explain lines, the
 * message or command line, the F-key bar, popups, and the notice shown
 * when the terminal is too small. Everything is clipped to the screen,
 * drawn on stdscr and shown with one refresh.
 */
#include <curses.h>
#include <readline/readline.h>
#include <stdio.h>
#include <string.h>

#include "session_view.h"
#include "explain.h"
#include "keys.h"
#include "tui_impl.h"

/* ---- colours and glyphs ------------------------------------------------- */

void tui_colors_init(struct tui *t)
{
        if (!t->color)
                return;
        start_color();
        use_default_colors();
        init_pair(COL_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(COL_TRAP, COLOR_RED, -1);
        init_pair(COL_SHADOW, COLOR_GREEN, -1);
        init_pair(COL_ZAP, COLOR_YELLOW, -1);
        init_pair(COL_SYNC, COLOR_MAGENTA, -1);
        init_pair(COL_EPT, COLOR_CYAN, -1);
        init_pair(COL_WALK, COLOR_YELLOW, -1);
        /* What is still to come: grey where there are 256 colours, else
         * dim (a dark blue is unreadable on a projector). */
        if (COLORS >= 256)
                init_pair(COL_DIM, 245, -1);
        init_pair(COL_ERROR, COLOR_RED, -1);
        init_pair(COL_BAR, COLOR_BLACK, COLOR_CYAN);
        init_pair(COL_CURRENT, COLOR_WHITE, COLOR_BLUE);
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
        if (!t->color || (c == COL_DIM && COLORS < 256))
                return mono_attr(c);
        int a = COLOR_PAIR(c);
        if (c == COL_TRAP || c == COL_WALK || c == COL_ERROR)
                a |= A_BOLD;
        return a;
}

const char *tui_glyph_guide(const struct tui *t)
{
        return t->utf8 ? "\u2502 " : "| ";
}

const char *tui_glyph_branch(const struct tui *t, bool last)
{
        if (t->utf8)
                return last ? "\u2514\u2500" : "\u251c\u2500";
        return last ? "`-" : "|-";
}

/* Bytes of s that fill at most w columns (every character one column). */
static size_t fit(const char *s, int w)
{
        size_t i = 0;
        for (int cols = 0; s[i] && cols < w; cols++) {
                i++;
                while ((s[i] & 0xC0) == 0x80)
                        i++;
        }
        return i;
}

void tui_put(struct tui *t, int y, int x, int w, int attr, const char *text)
{
        (void)t;
        if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
                return;
        if (w > COLS - x)
                w = COLS - x;
        size_t n = fit(text, w);
        int cols = 0;
        for (size_t i = 0; i < n; i++)
                cols += (text[i] & 0xC0) != 0x80;
        attrset(attr);
        mvaddnstr(y, x, text, (int)n);
        /* Fill the rest so a highlight spans the width. */
        for (int c = cols; c < w && (attr & A_REVERSE); c++)
                mvaddch(y, x + c, ' ');
        attrset(A_NORMAL);
}

/* ---- layout ------------------------------------------------------------- */

static void place(struct pane *p, int y, int x, int h, int w)
{
        p->y = y;
        p->x = x;
        p->h = h;
        p->w = w;
}

void tui_layout(struct tui *t)
{
        int rows = LINES, cols = COLS;
        t->rows = rows;
        t->cols = cols;
        t->too_small = rows < TUI_MIN_H || cols < TUI_MIN_W;
        /* Bottom: stats (2), explain (3, or 4 on tall screens), message or
         * command line, F-key bar. */
        t->explain_rows = rows >= 30 ? 4 : 3;
        t->bar_y = rows - 1;
        t->msg_y = rows - 2;
        t->explain_y = t->msg_y - t->explain_rows;
        t->stats_y = t->explain_y - 2;
        int area = t->stats_y;
        if (t->zoomed) {
                for (int i = 0; i < PANE_COUNT; i++)
                        place(&t->panes[i], 0, 0, 0, 0);
                place(&t->panes[t->focus], 0, 0, area, cols);
                return;
        }
        int top = area * 45 / 100;
        if (top < 6)
                top = 6;
        int half = cols / 2;
        int tlbw = cols * 7 / 20;
        if (tlbw < 30)
                tlbw = 30;
        if (tlbw > cols - 30)
                tlbw = cols - 30;
        place(&t->panes[PANE_GUEST], 0, 0, top, half);
        place(&t->panes[PANE_MMU], 0, half, top, cols - half);
        place(&t->panes[PANE_LOG], top, 0, area - top, cols - tlbw);
        place(&t->panes[PANE_TLB], top, cols - tlbw, area - top, tlbw);
}

/* ---- panes -------------------------------------------------------------- */

static void frame_box(struct tui *t, const struct pane *p, const char *title, bool focused)
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
        char buf[128];
        snprintf(buf, sizeof buf, " %s ", title);
        tui_put(t, y0, x0 + 2, p->w - 7, focused ? tui_attr(t, COL_TITLE) | A_BOLD : A_BOLD, buf);
}

static void pane_title(const struct tui *t, const struct pane *p, char *buf, size_t n)
{
        if (p->cls == &pane_guest_class || p->cls == &pane_mmu_class) {
                snprintf(buf, n, "%s", p->tree.title[0] ? p->tree.title : p->cls->name);
        } else if (p->cls == &pane_tlb_class) {
                const struct tlb *tlb = &session_machine(t->s)->tlb;
                snprintf(buf, n, "TLB  %u/%u%s", tlb_count(tlb), tlb->sets * tlb->ways,
                         tlb->pcid ? "  PCID" : "");
        } else if (t->s->op_known && session_ops(t->s)) {
                snprintf(buf, n, "Log  line %llu  event %llu  %u%%  %s",
                         (unsigned long long)t->s->op.line, (unsigned long long)session_seq(t->s),
                         session_percent(t->s), t->s->name);
        } else {
                snprintf(buf, n, "Log  %s", t->s->name);
        }
}

void tui_scroll_to(struct tui *t, struct pane *p, size_t row)
{
        (void)t;
        size_t n = p->cls->count(p);
        int vis = p->h - 2;
        if (n == 0 || vis <= 0)
                return;
        if (row >= n)
                row = n - 1;
        p->sel = row;
        if (row < p->top)
                p->top = row;
        else if (row >= p->top + (size_t)vis)
                p->top = row + 1 - (size_t)vis;
}

/* After a move: the focus row shown a third of the way down (the log: two
 * thirds, so what led here stays in view). */
static void follow(struct pane *p)
{
        size_t n = p->cls->count(p);
        int vis = p->h - 2;
        if (!p->follow || n == 0 || vis <= 0)
                return;
        size_t row = p->cls->focus_row(p);
        size_t above = (size_t)(p->cls == &pane_log_class ? vis * 2 / 3 : vis / 3);
        p->sel = row;
        p->top = row > above ? row - above : 0;
        if (p->top + (size_t)vis > n)
                p->top = n > (size_t)vis ? n - (size_t)vis : 0;
}

static void draw_pane(struct tui *t, int id)
{
        struct pane *p = &t->panes[id];
        if (p->h < 3 || p->w < 4)
                return;
        char title[128];
        pane_title(t, p, title, sizeof title);
        frame_box(t, p, title, id == t->focus);
        size_t n = p->cls->count(p);
        int vis = p->h - 2;
        if (p->top > n)
                p->top = n;
        for (int r = 0; r < vis && p->top + (size_t)r < n; r++) {
                size_t i = p->top + (size_t)r;
                p->cls->draw_row(t, p, i, p->y + 1 + r, p->x + 1, p->w - 2,
                                 id == t->focus && i == p->sel);
        }
        if (p->top > 0)
                tui_put(t, p->y, p->x + p->w - 3, 1, A_BOLD, t->utf8 ? "\u25b2" : "^");
        if (p->top + (size_t)vis < n)
                tui_put(t, p->y + p->h - 1, p->x + p->w - 3, 1, A_BOLD, t->utf8 ? "\u25bc" : "v");
}

/* ---- bars --------------------------------------------------------------- */

/* A count in at most 6 characters: 12345, 123.4k, 12.35M, 1.23G. */
static void compact(uint64_t v, char *buf, size_t n)
{
        if (v < 100000)
                snprintf(buf, n, "%llu", (unsigned long long)v);
        else if (v < 1000000)
                snprintf(buf, n, "%.1fk", (double)v / 1e3);
        else if (v < 1000000000)
                snprintf(buf, n, "%.2fM", (double)v / 1e6);
        else
                snprintf(buf, n, "%.2fG", (double)v / 1e9);
}

/* The counters a room compares, in columns that line up between the two
 * rows; shorter names on narrow screens. */
static void stats_text(const struct stats *st, const char *label, bool wide, char *buf, size_t n)
{
        char c[6][16];
        uint64_t v[6] = {st->exits,          st->pt_traps,  st->hidden_pf,
                         st->ept_violations, st->walk_refs, st->cycles};
        for (int i = 0; i < 6; i++)
                compact(v[i], c[i], sizeof c[i]);
        if (wide)
                snprintf(buf, n,
                         "%-10s exits %6s  pt-traps %6s  hidden-pf %6s  ept-viol %6s  "
                         "walk-refs %6s  cycles %6s",
                         label, c[0], c[1], c[2], c[3], c[4], c[5]);
        else
                snprintf(buf, n, "%-8s exits %-5s traps %-5s hpf %-5s viol %-5s refs %-6s cyc %s",
                         label, c[0], c[1], c[2], c[3], c[4], c[5]);
}

static void draw_stats(struct tui *t)
{
        struct session *s = t->s;
        struct stats st;
        char buf[256], label[32];
        session_stats(s, &st);
        snprintf(label, sizeof label, "%s", mode_name(s->sim.cfg.mode));
        stats_text(&st, label, t->cols >= 110, buf, sizeof buf);
        tui_put(t, t->stats_y, 0, t->cols, A_BOLD, buf);
        if (s->has_cmp) {
                snprintf(label, sizeof label, "%s", mode_name(s->cmp_mode));
                stats_text(&s->cmp.stats, label, t->cols >= 110, buf, sizeof buf);
        } else {
                snprintf(buf, sizeof buf, "(no comparison: :compare ept)");
        }
        tui_put(t, t->stats_y + 1, 0, t->cols, 0, buf);
}

static void draw_explain(struct tui *t)
{
        struct session *s = t->s;
        char buf[1024];
        if (s->shown && s->op_known) {
                session_explain(s, buf, sizeof buf);
        } else if (s->op_known && session_ops(s)) {
                snprintf(buf, sizeof buf, "line %llu: nothing happened on this line",
                         (unsigned long long)s->op.line);
        } else {
                snprintf(buf, sizeof buf,
                         "At the start of %s. s steps a trace line, i one event, "
                         "c continues, b sets a breakpoint, ? shows every key.",
                         s->name);
        }
        /* Wrapped at blanks over the explain rows. */
        int attr = s->shown ? tui_attr(t, tui_event_color(session_event(s))) : 0;
        const char *p = buf;
        size_t w = (size_t)t->cols;
        for (int row = 0; row < t->explain_rows && *p; row++) {
                size_t len = strlen(p), cut = len;
                if (len > w && row + 1 < t->explain_rows) {
                        cut = w;
                        while (cut > w / 2 && p[cut] != ' ')
                                cut--;
                        if (cut <= w / 2)
                                cut = w;
                }
                char line[1024];
                snprintf(line, sizeof line, "%.*s", (int)cut, p);
                tui_put(t, t->explain_y + row, 0, t->cols, attr, line);
                p += cut;
                while (*p == ' ')
                        p++;
        }
}

static void draw_message(struct tui *t)
{
        if (t->prompting) {
                const char *line = rl_line_buffer ? rl_line_buffer : "";
                int point = rl_point;
                int w = t->cols - 1;
                /* Scroll so the cursor stays on screen. */
                int start = point >= w ? point - w + 1 : 0;
                tui_put(t, t->msg_y, 0, 1, A_BOLD, ":");
                tui_put(t, t->msg_y, 1, w, 0, line + start);
                move(t->msg_y, 1 + point - start);
                return;
        }
        tui_put(t, t->msg_y, 0, t->cols, t->msg_error ? tui_attr(t, COL_ERROR) : 0, t->msg);
}

static void draw_bar(struct tui *t)
{
        int x = 0;
        for (size_t i = 0; key_bindings[i].command && x < t->cols; i++) {
                const struct key_binding *b = &key_bindings[i];
                if (!b->bar)
                        continue;
                tui_put(t, t->bar_y, x, t->cols - x, A_BOLD, b->name);
                x += (int)strlen(b->name);
                char label[32];
                snprintf(label, sizeof label, " %s ", b->bar);
                tui_put(t, t->bar_y, x, t->cols - x, tui_attr(t, COL_BAR), label);
                x += (int)strlen(label) + 1;
        }
}

/* ---- popups and the small-terminal notice ------------------------------- */

static void draw_popup(struct tui *t)
{
        struct popup *pp = &t->popup;
        int w = t->cols - 2, h = t->rows - 4;
        if (w < 10 || h < 3)
                return;
        struct pane frame = {.y = 2, .x = 1, .h = h, .w = w};
        for (int y = 1; y < h - 1; y++)
                mvhline(2 + y, 2, ' ', w - 2);
        frame_box(t, &frame, pp->title, true);
        int vis = h - 2;
        if (pp->top + (size_t)vis > pp->n)
                pp->top = pp->n > (size_t)vis ? pp->n - (size_t)vis : 0;
        for (int r = 0; r < vis && pp->top + (size_t)r < pp->n; r++)
                tui_put(t, 3 + r, 3, w - 4, 0, pp->lines[pp->top + (size_t)r]);
        char foot[96];
        snprintf(foot, sizeof foot, " q/Esc closes, arrows scroll  %zu/%zu ",
                 pp->n ? pp->top + 1 : 0, pp->n);
        tui_put(t, 2 + h - 1, 3, w - 6, A_BOLD, foot);
}

static void draw_too_small(struct tui *t)
{
        char lines[3][64];
        bool narrow = t->cols < 30;
        snprintf(lines[0], sizeof lines[0],
                 narrow ? "Too small: %dx%d" : "Terminal too small: %dx%d", t->cols, t->rows);
        snprintf(lines[1], sizeof lines[1], narrow ? "need %dx%d" : "the stepper needs %dx%d",
                 TUI_MIN_W, TUI_MIN_H);
        snprintf(lines[2], sizeof lines[2], "q quits");
        int y = t->rows / 2 - 1;
        if (y < 0)
                y = 0;
        for (int i = 0; i < 3; i++) {
                int len = (int)strlen(lines[i]);
                tui_put(t, y + i, len < t->cols ? (t->cols - len) / 2 : 0, t->cols, i ? 0 : A_BOLD,
                        lines[i]);
        }
}

/* ---- the whole screen --------------------------------------------------- */

void tui_rebuild(struct tui *t)
{
        for (int i = 0; i < PANE_COUNT; i++) {
                struct pane *p = &t->panes[i];
                p->cls->rebuild(t, p);
                follow(p);
                if (p->cls == &pane_guest_class || p->cls == &pane_mmu_class)
                        p->sel_tag = p->sel < p->tree.n ? p->tree.rows[p->sel].tag : 0;
        }
        t->dirty = false;
}

void tui_draw(struct tui *t)
{
        if (LINES != t->rows || COLS != t->cols)
                tui_layout(t);
        erase();
        if (t->rows <= 0 || t->cols <= 0) {
                refresh();
                return;
        }
        curs_set(0);
        if (t->too_small) {
                draw_too_small(t);
                refresh();
                return;
        }
        for (int i = 0; i < PANE_COUNT; i++)
                if (!t->zoomed || i == t->focus)
                        draw_pane(t, i);
        draw_stats(t);
        draw_explain(t);
        draw_bar(t);
        if (t->popup.open)
                draw_popup(t);
        draw_message(t);
        if (t->prompting)
                curs_set(1);
        refresh();
}
