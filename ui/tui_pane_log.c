/*
 * tui_pane_log.c - the log pane: the trace lines that led here with their
 * events, the current line with the events still to come of it, and the
 * next few lines, dimmed (the next one's narration kept back with the quiz
 * on); a marker on the events a breakpoint stops on.
 * Enter on a row goes to that line or event.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "tui_impl.h"
#include "xalloc.h"

#define LOG_PEEK 12 /* upcoming trace lines shown, dimmed */

/* One row of the log. */
struct log_row {
        uint64_t opno;   /* the op it belongs to */
        uint64_t line;   /* its trace line */
        struct event ev; /* for an event row */
        bool is_op;      /* a trace line, not an event */
        bool is_note;    /* a line of the narration above a trace line */
        bool future;     /* not reached yet */
        bool current;    /* the current event */
        bool stops;      /* an enabled breakpoint stops on this event */
        char text[160];
};

struct log_pane {
        struct pane base;
        struct log_row *rows;
        size_t n, cap;
        int line_width; /* columns of the line numbers */
};

static struct log_pane *log_of(struct pane *p)
{
        return PANE_OF(struct log_pane, p);
}

static const struct log_pane *clog_of(const struct pane *p)
{
        return CONST_PANE_OF(struct log_pane, p);
}

static struct log_row *log_add(struct log_pane *lp)
{
        if (lp->n == lp->cap) {
                lp->cap = lp->cap ? lp->cap * 2 : 256;
                lp->rows = xrealloc(lp->rows, lp->cap, sizeof *lp->rows);
        }
        struct log_row *r = &lp->rows[lp->n++];
        memset(r, 0, sizeof *r);
        return r;
}

/* The narration of a trace line (its comment lines), wrapped at blanks to
 * width, as dimmed rows above it. */
static void log_note(struct log_pane *lp, uint64_t opno, uint64_t line, const char *note,
                     bool future, int width)
{
        size_t room = width > lp->line_width + 12 ? (size_t)(width - lp->line_width - 4) : 8;
        if (room > sizeof lp->rows[0].text - 40)
                room = sizeof lp->rows[0].text - 40;
        while (*note) {
                size_t len = strcspn(note, "\n"), cut = len;
                if (len > room) {
                        cut = room;
                        while (cut > room / 2 && note[cut] != ' ')
                                cut--;
                        if (cut <= room / 2)
                                cut = room;
                }
                struct log_row *r = log_add(lp);
                r->opno = opno;
                r->line = line;
                r->is_note = true;
                r->future = future;
                snprintf(r->text, sizeof r->text, "%*s # %.*s", lp->line_width - 1, "", (int)cut,
                         note);
                note += cut;
                if (cut == len && *note == '\n')
                        note++; /* the end of a comment line */
                else
                        while (*note == ' ') /* wrapped inside one */
                                note++;
        }
}

static void log_op(struct log_pane *lp, uint64_t opno, const struct op *op, bool future)
{
        char buf[128];
        struct log_row *r = log_add(lp);
        r->opno = opno;
        r->line = op->line;
        r->is_op = true;
        r->future = future;
        op_format(op, buf, sizeof buf);
        snprintf(r->text, sizeof r->text, "%*llu %s", lp->line_width, (unsigned long long)op->line,
                 buf);
}

static void log_event(struct log_pane *lp, uint64_t opno, const struct event *ev, bool future,
                      bool current, bool stops)
{
        char buf[256];
        struct log_row *r = log_add(lp);
        r->opno = opno;
        r->line = ev->line;
        r->ev = *ev;
        r->future = future;
        r->current = current;
        r->stops = stops;
        event_format(ev, buf, sizeof buf);
        const char *text = strncmp(buf, "[TRACE] ", 8) == 0 ? buf + 8 : buf;
        snprintf(r->text, sizeof r->text, "%*s%s #%llu %.120s", lp->line_width - 1, "",
                 current ? "=>" : "  ", (unsigned long long)ev->seq, text);
}

struct log_fill {
        struct log_pane *lp;
        struct session *s;
        uint64_t cur;
        int width; /* the pane's, for the narration's wrapping */
};

static void log_history(void *ctx, uint64_t opno, const struct op *op, const struct event *evs,
                        size_t n, const char *note)
{
        struct log_fill *f = ctx;
        if (opno == f->cur)
                return; /* the current op is added with its hidden events */
        log_note(f->lp, opno, op->line, note, false, f->width);
        log_op(f->lp, opno, op, false);
        for (size_t i = 0; i < n; i++)
                log_event(f->lp, opno, &evs[i], false, false, session_break_stops(f->s, evs, i));
}

/* A dimmed remark where the lines to come would be: "(end of trace)". */
static void log_aside(struct log_pane *lp, uint64_t opno, const char *text)
{
        struct log_row *r = log_add(lp);
        r->future = true;
        r->opno = opno;
        snprintf(r->text, sizeof r->text, "%*s(%s)", lp->line_width + 1, "", text);
}

/* The lines after the current one, the next with its narration (which
 * the quiz keeps back, as it may tell the answer), or the end of the
 * trace; none when a move can go no further (the machines reached
 * --max-mem), since they cannot be reached. */
static void log_future(struct log_pane *lp, struct session *s, uint64_t cur, int width, bool quiz)
{
        if (s->over_limit) {
                log_aside(lp, cur + 1, "refused: no later line can be reached");
                return;
        }
        struct op next[LOG_PEEK];
        char note[TRACE_NOTE_MAX];
        size_t n = session_peek(s, next, LOG_PEEK, note, sizeof note);
        for (size_t i = 0; i < n; i++) {
                if (i == 0 && quiz && note[0])
                        log_note(lp, cur + 1, next[0].line,
                                 "(the quiz shows the narration once the line has run)", true,
                                 width);
                else if (i == 0)
                        log_note(lp, cur + 1, next[0].line, note, true, width);
                log_op(lp, cur + 1 + i, &next[i], true);
        }
        if (n == 0 && s->at_end && s->shown == s->nevs)
                log_aside(lp, cur + 1, "end of trace");
}

static void log_rebuild(struct tui *t, struct pane *p)
{
        struct log_pane *lp = log_of(p);
        struct session *s = t->s;
        uint64_t cur = s->op_known ? session_ops(s) : 0;
        uint64_t back = (uint64_t)(p->h > 0 ? p->h : 24) + 8;
        /* Line numbers as wide as the largest shown (at least 5). */
        char digits[24];
        lp->line_width =
            snprintf(digits, sizeof digits, "%llu", (unsigned long long)s->op.line + 99);
        if (lp->line_width < 5)
                lp->line_width = 5;
        lp->n = 0;
        struct log_fill f = {lp, s, cur, p->w > 0 ? p->w - 2 : 78};
        if (cur > 1)
                session_history(s, cur > back ? cur - back : 1, cur - 1, log_history, &f);
        if (cur) {
                log_note(lp, cur, s->op.line, s->note, false, f.width);
                log_op(lp, cur, &s->op, false);
                for (size_t i = 0; i < s->nevs; i++)
                        log_event(lp, cur, &s->evs[i], i >= s->shown, i + 1 == s->shown,
                                  session_break_stops(s, s->evs, i));
        }
        log_future(lp, s, cur, f.width, t->ctx.quiz.on);
        if (p->sel >= lp->n)
                p->sel = lp->n ? lp->n - 1 : 0;
}

static size_t log_count(const struct pane *p)
{
        return clog_of(p)->n;
}

/* Where the session stands: "Log  line 300  #795  74% of the trace  NAME"
 * (the line, the current event, how far through the trace; a narrow pane
 * drops the last fields whole, tui_pane.c). */
static void log_title(const struct tui *t, const struct pane *p, char *buf, size_t n)
{
        struct session *s = t->s;
        char share[32];
        (void)p;
        if (!s->op_known || !session_ops(s)) {
                snprintf(buf, n, "Log  %s", s->name);
                return;
        }
        size_t len =
            (size_t)snprintf(buf, n, "Log  line %llu  #%llu", (unsigned long long)s->op.line,
                             (unsigned long long)session_seq(s));
        if (len < n && s->sim.cfg.vcpus > 1) { /* the current event's vCPU, which the panes show */
                const struct event *ev = session_event(s);
                len += (size_t)snprintf(buf + len, n - len, "  vCPU %u", ev ? ev->cpu : s->sim.cpu);
        }
        if (len < n && tui_trace_share(s, share, sizeof share))
                len += (size_t)snprintf(buf + len, n - len, "  %s", share);
        if (len < n)
                snprintf(buf + len, n - len, "  %s", s->name);
}

static void log_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected)
{
        const struct log_row *r = &log_of(p)->rows[i];
        int attr = selected ? A_REVERSE : 0;
        enum tui_color col = r->is_op ? COL_NONE : tui_event_color(&r->ev);
        if (r->current && col == COL_NONE)
                attr = tui_attr(t, COL_CURRENT) | A_BOLD;
        else if (r->current)
                attr |= A_REVERSE | A_BOLD | tui_attr(t, col);
        else if (r->future || r->is_note)
                attr |= tui_attr(t, COL_DIM);
        else if (r->is_op)
                attr |= A_BOLD;
        else
                attr |= tui_attr(t, col);
        /* A highlighted row is padded to the pane's width. */
        char line[sizeof r->text + 256];
        snprintf(line, sizeof line, "%-*s", (r->current || selected) && w < 256 ? w : 0, r->text);
        tui_put(t, y, x, w, attr, line);
        /* In the blanks before the event's number. */
        if (r->stops)
                tui_draw_bp(t, y, x, selected ? A_REVERSE : 0, BPM_ENABLED);
}

/* The current event, else the last row already reached. */
static size_t log_focus_row(const struct pane *p)
{
        const struct log_pane *lp = clog_of(p);
        size_t last_past = 0;
        for (size_t i = 0; i < lp->n; i++) {
                if (lp->rows[i].current)
                        return i;
                if (!lp->rows[i].future)
                        last_past = i;
        }
        return last_past;
}

/* The page of the selected event's address. */
static bool log_selection(const struct tui *t, const struct pane *p, struct breakpoint *bp)
{
        (void)t;
        const struct log_pane *lp = clog_of(p);
        if (p->sel >= lp->n || lp->rows[p->sel].is_op || !event_has_gva(&lp->rows[p->sel].ev))
                return false;
        memset(bp, 0, sizeof *bp);
        bp->kind = BP_GVA;
        bp->value = -1;
        bp->lo = lp->rows[p->sel].ev.gva & ~PAGE_OFFSET_MASK;
        bp->hi = bp->lo + PAGE_SIZE;
        return true;
}

/* Goes to the selected line or event. */
static void log_activate(struct tui *t, struct pane *p)
{
        struct log_pane *lp = log_of(p);
        char cmd[64];
        if (p->sel >= lp->n)
                return;
        const struct log_row *r = &lp->rows[p->sel];
        if (r->is_op || !r->ev.seq)
                snprintf(cmd, sizeof cmd, "goto line %llu", (unsigned long long)r->line);
        else
                snprintf(cmd, sizeof cmd, "goto %llu", (unsigned long long)r->ev.seq);
        if (r->line || r->ev.seq)
                tui_exec(t, cmd);
}

static void log_destroy(struct pane *p)
{
        struct log_pane *lp = log_of(p);
        free(lp->rows);
        free(lp);
}

static const struct pane_ops log_ops = {
    .rebuild = log_rebuild,
    .count = log_count,
    .title = log_title,
    .draw_row = log_draw_row,
    .focus_row = log_focus_row,
    .focus_thirds = 2, /* what led here stays in view */
    .selection = log_selection,
    .activate = log_activate,
    .destroy = log_destroy,
};

struct pane *pane_log_new(void)
{
        struct log_pane *lp = xcalloc(1, sizeof *lp);
        lp->base.ops = &log_ops;
        return &lp->base;
}
