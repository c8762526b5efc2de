/*
 * tui_draw.c - painting the stepper: the colour of an event (the colours
 * themselves are tui_theme.c's), layout from the screen size,
 * the panes (each draws itself, tui_pane.c), the stats and compare bar,
 * the explain lines, the message or command line, the F-key bar, the
 * popup, and the notice shown when the terminal is too small. Everything is clipped to the screen,
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

/* ---- what colour an event has, glyphs ------------------------------------ */

enum tui_color tui_event_color(const struct event *ev)
{
        switch (ev->kind) {
        case EV_VM_EXIT:
                return COL_TRAP;
        case EV_PT_WRITE:
        case EV_PT_LINK:
        case EV_PT_CLEAR:
        case EV_PT_PROTECT:
                return ev->trapped ? COL_TRAP : COL_NONE;
        case EV_SHADOW_FILL:
        case EV_SHADOW_UPDATE:
        case EV_SHADOW_PAGE:
        case EV_SHADOW_ROOT:
                return COL_SHADOW;
        case EV_SHADOW_ZAP:
        case EV_TLB_FLUSH:
        case EV_TLB_EVICT:
                return COL_ZAP;
        case EV_UNSYNC:
        case EV_RESYNC:
                return COL_SYNC;
        case EV_EPT_MAP:
        case EV_DIRTY:
        case EV_DIRTY_LOG:
                return COL_EPT;
        case EV_STALE_TLB:
                return COL_ERROR;
        default:
                return COL_NONE;
        }
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

/* ---- words ------------------------------------------------------------- */

bool tui_trace_share(const struct session *s, char *buf, size_t n)
{
        if (trace_percent(&s->reader) < 0 && !s->at_end)
                return false; /* a pipe: its length is known only at its end */
        snprintf(buf, n, "%u%% of the trace", session_percent(s));
        return true;
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
                        place(t->panes[i], 0, 0, 0, 0);
                place(t->panes[t->focus], 0, 0, area, cols);
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
        place(t->panes[PANE_GUEST], 0, 0, top, half);
        place(t->panes[PANE_MMU], 0, half, top, cols - half);
        place(t->panes[PANE_LOG], top, 0, area - top, cols - tlbw);
        place(t->panes[PANE_TLB], top, cols - tlbw, area - top, tlbw);
}

/* ---- bars --------------------------------------------------------------- */

/* Every number of the counter rows, in one format of at most 5
 * characters: exact up to 99999, then three significant digits and a
 * suffix (100k, 1.23M, 12.3M, 123M, 1.23G, ...); with plus (what a line
 * added), a '+' and exact up to 9999, then two or three digits (+12k,
 * +1.2M). */
static void compact(uint64_t v, bool plus, char *buf, size_t n)
{
        static const char suffix[] = "kMGTPE";
        const char *sign = plus ? "+" : "";
        if (v < (plus ? 10000 : 100000)) {
                snprintf(buf, n, "%s%llu", sign, (unsigned long long)v);
                return;
        }
        double d = (double)v;
        int i = -1;
        while (d >= 999.5 && i + 1 < (int)sizeof suffix - 1) {
                d /= 1000;
                i++;
        }
        int decimals = plus ? (d < 9.95 ? 1 : 0) : (d < 9.995 ? 2 : d < 99.95 ? 1 : 0);
        snprintf(buf, n, "%s%.*f%c", sign, decimals, d, suffix[i]);
}

/* One counter row: the scheme's name padded to label_w, then the counters
 * a room compares, each number right-aligned in its column, so that the
 * two rows line up whatever the names; shorter names on narrow screens
 * (at 80 columns a row takes 66 columns and the name). */
static void stats_text(const struct stats *st, bool plus, const char *label, int label_w, bool wide,
                       char *buf, size_t n)
{
        static const char *const names[2][6] = {
            {"exits", "traps", "hpf", "viol", "refs", "cyc"},
            {"exits", " pt-traps", " hidden-pf", " ept-viol", " walk-refs", " cycles"},
        };
        uint64_t v[6] = {st->exits,          st->pt_traps,  st->hidden_pf,
                         st->ept_violations, st->walk_refs, st->cycles};
        size_t len = (size_t)snprintf(buf, n, "%-*s", label_w, label);
        for (int i = 0; i < 6 && len < n; i++) {
                char c[16];
                compact(v[i], plus, c, sizeof c);
                len += (size_t)snprintf(buf + len, n - len, " %s %5s", names[wide][i], c);
        }
}

static void draw_stats(struct tui *t)
{
        struct session *s = t->s;
        struct stats st, line, cmp_line;
        char buf[256];
        const char *main_name = mode_name(s->sim.cfg.mode);
        const char *cmp_name =
            mode_name(s->has_cmp ? s->cmp_mode : session_default_cmp(s->cfg.mode));
        int label_w =
            (int)(strlen(main_name) > strlen(cmp_name) ? strlen(main_name) : strlen(cmp_name));
        bool wide = t->cols >= 110;
        bool plus = t->ctx.deltas;
        session_stats(s, &st);
        session_line_stats(s, &line, &cmp_line);
        stats_text(plus ? &line : &st, plus, main_name, label_w, wide, buf, sizeof buf);
        tui_put(t, t->stats_y, 0, t->cols, A_BOLD, buf);
        if (s->has_cmp)
                stats_text(plus ? &cmp_line : &s->cmp.stats, plus, cmp_name, label_w, wide, buf,
                           sizeof buf);
        else
                snprintf(buf, sizeof buf, "(no comparison: :compare %s)", cmp_name);
        tui_put(t, t->stats_y + 1, 0, t->cols, 0, buf);
}

int tui_wrap(const char *text, int w, struct tui_span *rows, int max)
{
        size_t width = w > 0 ? (size_t)w : 1;
        int n = 0;
        while (*text && n < max) {
                size_t len = strlen(text), cut = len;
                if (len > width && n + 1 < max) {
                        cut = width;
                        while (cut > width / 2 && text[cut] != ' ')
                                cut--;
                        if (cut <= width / 2)
                                cut = width;
                }
                rows[n++] = (struct tui_span){text, cut};
                text += cut;
                while (*text == ' ')
                        text++;
        }
        return n;
}

/* One row of wrapped text on screen row y, over whatever was there. */
static void put_span(struct tui *t, int y, int attr, const struct tui_span *row)
{
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)row->len, row->text);
        move(y, 0);
        clrtoeol();
        tui_put(t, y, 0, t->cols, attr, line);
}

/* The explanation of the current event (or of where the session stands)
 * into buf. */
static void explanation(struct tui *t, char *buf, size_t n)
{
        struct session *s = t->s;
        if (s->shown && s->op_known)
                session_explain(s, buf, n);
        else if (s->op_known && session_ops(s))
                snprintf(buf, n, "line %llu: nothing happened on this line",
                         (unsigned long long)s->op.line);
        else
                snprintf(buf, n,
                         "At the start of %s. s steps a trace line, i one event, "
                         "c continues, b sets a breakpoint, ? shows every key.",
                         s->name);
}

/* Wraps text into the explain rows from row *y on, at most max of them,
 * in attr. */
static void put_explain(struct tui *t, const char *text, int attr, int *y, int max)
{
        struct tui_span rows[TUI_MAX_TEXT_ROWS];
        int n = tui_wrap(text, t->cols, rows, max < TUI_MAX_TEXT_ROWS ? max : TUI_MAX_TEXT_ROWS);
        for (int i = 0; i < n; i++)
                put_span(t, (*y)++, attr, &rows[i]);
}

/* The explain rows: the quiz's waiting question, or what the current
 * event means, after the line's narration (dimmed, at most all rows but
 * one) with set narration on. */
static void draw_explain(struct tui *t)
{
        struct session *s = t->s;
        char buf[TRACE_NOTE_MAX + 1024];
        int y = t->explain_y, end = t->explain_y + t->explain_rows;
        if (t->ctx.quiz.pending) {
                const struct quiz_question *q = &t->ctx.quiz.q;
                snprintf(buf, sizeof buf, "Quiz, %s. %s Type the answer; Esc skips.", q->context,
                         q->text);
                put_explain(t, buf, tui_attr(t, COL_TITLE) | A_BOLD, &y, t->explain_rows);
                return;
        }
        const char *note = cmd_narration(&t->ctx);
        if (*note) {
                size_t i = 0;
                for (; note[i] && i + 1 < sizeof buf; i++)
                        buf[i] = note[i] == '\n' ? ' ' : note[i];
                buf[i] = '\0';
                put_explain(t, buf, tui_attr(t, COL_DIM), &y, t->explain_rows - 1);
        }
        explanation(t, buf, sizeof buf);
        put_explain(t, buf, s->shown ? tui_attr(t, tui_event_color(session_event(s))) : 0, &y,
                    end - y);
}

static void draw_message(struct tui *t)
{
        if (t->prompting) {
                const char *line = rl_line_buffer ? rl_line_buffer : "";
                int point = rl_point;
                const char *lead = t->answering ? "answer> " : ":";
                int lw = (int)strlen(lead), w = t->cols - lw;
                /* Scroll so the cursor stays on screen. */
                int start = point >= w ? point - w + 1 : 0;
                tui_put(t, t->msg_y, 0, lw, A_BOLD, lead);
                tui_put(t, t->msg_y, lw, w, 0, line + start);
                move(t->msg_y, lw + point - start);
                return;
        }
        /* A long message takes the explain rows above it too. */
        struct tui_span rows[TUI_MAX_TEXT_ROWS];
        int n = tui_wrap(t->msg, t->cols, rows, 1 + t->explain_rows);
        for (int i = 0; i < n; i++)
                put_span(t, t->msg_y - (n - 1) + i, t->msg_error ? tui_attr(t, COL_ERROR) : 0,
                         &rows[i]);
}

/* Columns a binding takes in the F-key bar: "F5 Cont " and a blank. */
static int bar_width(const struct key_binding *b)
{
        return (int)strlen(b->name) + (int)strlen(b->bar) + 3;
}

static int draw_bar_item(struct tui *t, int x, const struct key_binding *b)
{
        char label[32];
        tui_put(t, t->bar_y, x, t->cols - x, A_BOLD, b->name);
        snprintf(label, sizeof label, " %s ", b->bar);
        tui_put(t, t->bar_y, x + (int)strlen(b->name), t->cols - x - (int)strlen(b->name),
                tui_attr(t, COL_BAR), label);
        return x + bar_width(b);
}

/* The bindings that have a bar label, in the table's order, as many as
 * fit; the last (Quit) always has its place; with the quiz on, its score
 * at the right end ("quiz 3/4"). */
static void draw_bar(struct tui *t)
{
        const struct key_binding *last = NULL;
        for (size_t i = 0; key_bindings[i].command; i++)
                if (key_bindings[i].bar)
                        last = &key_bindings[i];
        if (!last)
                return;
        char score[48] = "";
        if (t->ctx.quiz.on)
                snprintf(score, sizeof score, " quiz %u/%u ", t->ctx.quiz.right, t->ctx.quiz.asked);
        int x = 0, room = t->cols - bar_width(last) - (int)strlen(score);
        for (size_t i = 0; &key_bindings[i] != last; i++) {
                const struct key_binding *b = &key_bindings[i];
                if (!b->bar)
                        continue;
                if (x + bar_width(b) > room)
                        break; /* the ones after it neither: the order stays */
                x = draw_bar_item(t, x, b);
        }
        draw_bar_item(t, x, last);
        if (score[0])
                tui_put(t, t->bar_y, t->cols - (int)strlen(score), (int)strlen(score),
                        A_REVERSE | A_BOLD, score);
}

/* ---- the small-terminal notice ------------------------------------------ */

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

void tui_draw(struct tui *t)
{
        if (LINES != t->rows || COLS != t->cols)
                tui_layout(t);
        tui_colors_follow(t);
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
                        tui_draw_pane(t, t->panes[i], i == t->focus);
        draw_stats(t);
        draw_explain(t);
        draw_bar(t);
        if (t->popup_open)
                tui_popup_draw(t);
        draw_message(t);
        if (t->prompting)
                curs_set(1);
        refresh();
}
