/*
 * tui_panes.c - the four panes as classes: the guest's tables, the tables
 * the hardware walks (shadow or EPT), the TLB, and the event log. Each
 * rebuilds its rows from the session after a move and draws a row.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_view.h"
#include "event.h"
#include "scheme.h"
#include "tui_impl.h"
#include "xalloc.h"

#define MAX_TREE_ROWS 20000
#define LOG_PEEK      12 /* upcoming trace lines shown, dimmed */

/* ---- trees -------------------------------------------------------------- */

bool tui_tree_expanded(void *ctx, uint64_t tag, bool dflt)
{
        struct pane *p = ctx;
        uint32_t v;
        return u64map_get(&p->toggled, tag, &v) ? v != 0 : dflt;
}

static void tree_reselect(struct pane *p)
{
        for (size_t i = 0; i < p->tree.n; i++)
                if (p->tree.rows[i].tag == p->sel_tag) {
                        p->sel = i;
                        return;
                }
        if (p->sel >= p->tree.n)
                p->sel = p->tree.n ? p->tree.n - 1 : 0;
}

static void guest_rebuild(struct tui *t, struct pane *p)
{
        tree_build_guest(&p->tree, t->s, tui_tree_expanded, p, MAX_TREE_ROWS);
        tree_reselect(p);
}

static void mmu_rebuild(struct tui *t, struct pane *p)
{
        tree_build_mmu(&p->tree, t->s, tui_tree_expanded, p, MAX_TREE_ROWS);
        p->gpa_rows = scheme_has_nested(t->s->sim.cfg.mode);
        tree_reselect(p);
}

static size_t tree_count(const struct pane *p)
{
        return p->tree.n;
}

static enum tui_color mark_color(uint8_t mark)
{
        switch (mark) {
        case MARK_TRAPPED:
                return COL_TRAP;
        case MARK_FILLED:
        case MARK_UPDATED:
                return COL_SHADOW;
        case MARK_ZAPPED:
                return COL_ZAP;
        case MARK_MAPPED:
                return COL_EPT;
        default:
                return COL_NONE;
        }
}

static const char *mark_text(uint8_t mark)
{
        static const char *const names[] = {
            [MARK_NONE] = "",           [MARK_WRITTEN] = " <written", [MARK_TRAPPED] = " <TRAPPED",
            [MARK_FILLED] = " <filled", [MARK_UPDATED] = " <updated", [MARK_ZAPPED] = " <zapped",
            [MARK_MAPPED] = " <mapped",
        };
        return mark < sizeof names / sizeof names[0] ? names[mark] : "";
}

static void tree_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                          bool selected)
{
        const struct tree_row *r = &p->tree.rows[i];
        char prefix[256] = "";
        size_t len = 0;
        int cols = 0;
        for (unsigned d = 1; d < r->depth && len + 16 < sizeof prefix; d++, cols += 2)
                len += (size_t)snprintf(prefix + len, sizeof prefix - len, "%s",
                                        (r->guides >> d) & 1 ? tui_glyph_guide(t) : "  ");
        if (r->depth && len + 16 < sizeof prefix) {
                len += (size_t)snprintf(prefix + len, sizeof prefix - len, "%s",
                                        tui_glyph_branch(t, r->last));
                cols += 2;
        }
        if (r->parent)
                snprintf(prefix + len, sizeof prefix - len, "%s", r->expanded ? "" : "+");
        int attr = selected ? A_REVERSE : 0;
        int base = attr | (r->on_walk ? tui_attr(t, COL_WALK) : 0);
        if (r->table == TABLE_UNSYNC)
                base |= tui_attr(t, COL_SYNC);
        tui_put(t, y, x, 1, base, r->on_walk ? "*" : " ");
        tui_put(t, y, x + 1, w - 1, attr, prefix);
        int at = x + 1 + cols + (r->parent && !r->expanded);
        if (at >= x + w)
                return;
        tui_put(t, y, at, x + w - at, base, r->text);
        int tl = (int)strlen(r->text);
        if (r->mark && at + tl < x + w)
                tui_put(t, y, at + tl, x + w - at - tl,
                        attr | tui_attr(t, mark_color(r->mark)) | A_BOLD, mark_text(r->mark));
}

static size_t tree_focus_row(const struct pane *p)
{
        size_t walk = 0, marked = 0;
        bool has_marked = false;
        for (size_t i = 0; i < p->tree.n; i++) {
                if (p->tree.rows[i].on_path)
                        walk = i;
                if (p->tree.rows[i].mark && !has_marked) {
                        marked = i;
                        has_marked = true;
                }
        }
        return walk ? walk : marked;
}

static bool tree_selection(const struct pane *p, struct breakpoint *bp)
{
        if (p->sel >= p->tree.n)
                return false;
        const struct tree_row *r = &p->tree.rows[p->sel];
        if (r->depth == 0)
                return false;
        memset(bp, 0, sizeof *bp);
        bp->kind = p->gpa_rows ? BP_GPA : BP_GVA;
        bp->value = -1;
        bp->lo = r->addr;
        bp->hi = r->addr + level_span(r->level);
        return true;
}

static void tree_activate(struct tui *t, struct pane *p)
{
        if (p->sel >= p->tree.n || !p->tree.rows[p->sel].parent)
                return;
        const struct tree_row *r = &p->tree.rows[p->sel];
        u64map_put(&p->toggled, r->tag, !r->expanded);
        p->sel_tag = r->tag;
        t->dirty = true;
}

const struct pane_class pane_guest_class = {
    "Guest PT",     guest_rebuild,  tree_count,    tree_draw_row,
    tree_focus_row, tree_selection, tree_activate,
};

const struct pane_class pane_mmu_class = {
    "Shadow PT",    mmu_rebuild,    tree_count,    tree_draw_row,
    tree_focus_row, tree_selection, tree_activate,
};

/* ---- the TLB ------------------------------------------------------------ */

static const char *tlb_mark(const struct tui *t, unsigned slot, const struct tlb_entry *e,
                            enum tui_color *col);

static void tlb_rebuild(struct tui *t, struct pane *p)
{
        const struct tlb *tlb = &session_machine(t->s)->tlb;
        size_t need = (size_t)tlb->sets * tlb->ways + 2;
        if (need > p->cap_tlb) {
                p->cap_tlb = need;
                p->tlb_rows = xrealloc(p->tlb_rows, p->cap_tlb, sizeof *p->tlb_rows);
        }
        p->ntlb = 0;
        p->tlb_rows[p->ntlb++] = TLB_EVICTED - 1; /* the header */
        p->has_evicted = false;
        for (size_t i = 0; i < t->s->shown; i++)
                if (t->s->evs[i].kind == EV_TLB_EVICT) {
                        p->evicted = t->s->evs[i];
                        p->has_evicted = true;
                }
        p->tlb_focus = 0;
        for (unsigned i = 0; i < tlb->sets * tlb->ways; i++) {
                enum tui_color col;
                if (p->has_evicted && p->evicted.index == i) {
                        if (!p->tlb_focus)
                                p->tlb_focus = p->ntlb;
                        p->tlb_rows[p->ntlb++] = TLB_EVICTED;
                }
                if (!tlb->e[i].valid)
                        continue;
                if (!p->tlb_focus && *tlb_mark(t, i, &tlb->e[i], &col))
                        p->tlb_focus = p->ntlb;
                p->tlb_rows[p->ntlb++] = i;
        }
        if (p->sel >= p->ntlb)
                p->sel = p->ntlb - 1;
}

static size_t tlb_rows_count(const struct pane *p)
{
        return p->ntlb;
}

/* What the current op did to TLB entry slot: filled it, or hit it. */
static const char *tlb_mark(const struct tui *t, unsigned slot, const struct tlb_entry *e,
                            enum tui_color *col)
{
        const char *mark = "";
        for (size_t i = 0; i < t->s->shown; i++) {
                const struct event *ev = &t->s->evs[i];
                if (ev->kind != EV_ACCESS)
                        continue;
                if (!ev->tlb_hit && ev->index == slot) {
                        mark = "new";
                        *col = COL_SHADOW;
                } else if (ev->tlb_hit &&
                           tlb_entry_gva(e) == (ev->gva & ~(level_span(e->level) - 1))) {
                        mark = "hit";
                        *col = COL_WALK;
                }
        }
        return mark;
}

static void tlb_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected)
{
        const struct tlb *tlb = &session_machine(t->s)->tlb;
        uint32_t slot = p->tlb_rows[i];
        char buf[160];
        int attr = selected ? A_REVERSE : 0;
        if (i == 0) {
                tui_put(t, y, x, w, A_BOLD,
                        tlb->pcid ? "    set.w asid page->hpa perm age"
                                  : "    set.w page->hpa perm age");
                return;
        }
        if (slot == TLB_EVICTED) {
                snprintf(buf, sizeof buf, "out %3u.%-1u 0x%llX evicted (LRU)",
                         p->evicted.index / tlb->ways, p->evicted.index % tlb->ways,
                         (unsigned long long)p->evicted.gva);
                tui_put(t, y, x, w, attr | tui_attr(t, COL_ZAP) | A_BOLD, buf);
                return;
        }
        const struct tlb_entry *e = &tlb->e[slot];
        char flags[8];
        enum tui_color col = COL_NONE;
        pte_flags_str(PTE_P | e->perm, flags);
        const char *mark = tlb_mark(t, slot, e, &col);
        char asid[16] = "";
        if (tlb->pcid)
                snprintf(asid, sizeof asid, " %u", e->asid);
        snprintf(buf, sizeof buf, "%-3s %3u.%-1u%s 0x%llX->0x%llX %s%s%s %llu%s", mark,
                 slot / tlb->ways, slot % tlb->ways, asid, (unsigned long long)tlb_entry_gva(e),
                 (unsigned long long)(e->hfn << PAGE_SHIFT), flags, e->dirty ? "D" : "",
                 e->level > 1 ? (e->level == 2 ? " 2M" : " 1G") : "",
                 (unsigned long long)(tlb->tick - e->last_use), e->stale ? " STALE" : "");
        int a = attr;
        if (e->stale)
                a |= tui_attr(t, COL_ERROR);
        else if (*mark)
                a |= tui_attr(t, col) | (int)A_BOLD;
        tui_put(t, y, x, w, a, buf);
}

static size_t tlb_focus_row(const struct pane *p)
{
        return p->tlb_focus;
}

static bool tlb_selection(const struct pane *p, struct breakpoint *bp)
{
        (void)p;
        (void)bp;
        return false;
}

static void tlb_activate(struct tui *t, struct pane *p)
{
        (void)t;
        (void)p;
}

const struct pane_class pane_tlb_class = {
    "TLB", tlb_rebuild, tlb_rows_count, tlb_draw_row, tlb_focus_row, tlb_selection, tlb_activate,
};

/* ---- the log ------------------------------------------------------------ */

static struct log_row *log_add(struct pane *p)
{
        if (p->nlog == p->cap_log) {
                p->cap_log = p->cap_log ? p->cap_log * 2 : 256;
                p->log = xrealloc(p->log, p->cap_log, sizeof *p->log);
        }
        struct log_row *r = &p->log[p->nlog++];
        memset(r, 0, sizeof *r);
        return r;
}

static void log_op(struct pane *p, uint64_t opno, const struct op *op, bool future)
{
        char buf[128];
        struct log_row *r = log_add(p);
        r->opno = opno;
        r->line = op->line;
        r->is_op = true;
        r->future = future;
        op_format(op, buf, sizeof buf);
        snprintf(r->text, sizeof r->text, "%*llu %s", p->line_width, (unsigned long long)op->line,
                 buf);
}

static void log_event(struct pane *p, uint64_t opno, const struct event *ev, bool future,
                      bool current)
{
        char buf[256];
        struct log_row *r = log_add(p);
        r->opno = opno;
        r->line = ev->line;
        r->ev = *ev;
        r->future = future;
        r->current = current;
        event_format(ev, buf, sizeof buf);
        const char *text = strncmp(buf, "[TRACE] ", 8) == 0 ? buf + 8 : buf;
        snprintf(r->text, sizeof r->text, "%*s%s #%llu %.120s", p->line_width - 1, "",
                 current ? "=>" : "  ", (unsigned long long)ev->seq, text);
}

struct log_fill {
        struct pane *p;
        uint64_t cur;
};

static void log_history(void *ctx, uint64_t opno, const struct op *op, const struct event *evs,
                        size_t n)
{
        struct log_fill *f = ctx;
        if (opno == f->cur)
                return; /* the current op is added with its hidden events */
        log_op(f->p, opno, op, false);
        for (size_t i = 0; i < n; i++)
                log_event(f->p, opno, &evs[i], false, false);
}

static void log_rebuild(struct tui *t, struct pane *p)
{
        struct session *s = t->s;
        uint64_t cur = s->op_known ? session_ops(s) : 0;
        uint64_t back = (uint64_t)(p->h > 0 ? p->h : 24) + 8;
        /* Line numbers as wide as the largest shown (at least 5). */
        char digits[24];
        p->line_width =
            snprintf(digits, sizeof digits, "%llu", (unsigned long long)s->op.line + 99);
        if (p->line_width < 5)
                p->line_width = 5;
        p->nlog = 0;
        struct log_fill f = {p, cur};
        if (cur > 1)
                session_history(s, cur > back ? cur - back : 1, cur - 1, log_history, &f);
        if (cur) {
                log_op(p, cur, &s->op, false);
                for (size_t i = 0; i < s->nevs; i++)
                        log_event(p, cur, &s->evs[i], i >= s->shown, i + 1 == s->shown);
        }
        struct op next[LOG_PEEK];
        size_t n = session_peek(s, next, LOG_PEEK);
        for (size_t i = 0; i < n; i++)
                log_op(p, cur + 1 + i, &next[i], true);
        if (n == 0 && s->at_end && s->shown == s->nevs) {
                struct log_row *r = log_add(p);
                r->future = true;
                r->opno = cur + 1;
                snprintf(r->text, sizeof r->text, "%*s(end of trace)", p->line_width + 1, "");
        }
        if (p->sel >= p->nlog)
                p->sel = p->nlog ? p->nlog - 1 : 0;
}

static size_t log_count(const struct pane *p)
{
        return p->nlog;
}

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

static void log_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected)
{
        const struct log_row *r = &p->log[i];
        int attr = selected ? A_REVERSE : 0;
        enum tui_color col = r->is_op ? COL_NONE : tui_event_color(&r->ev);
        if (r->current && col == COL_NONE)
                attr = tui_attr(t, COL_CURRENT) | A_BOLD;
        else if (r->current)
                attr |= A_REVERSE | A_BOLD | tui_attr(t, col);
        else if (r->future)
                attr |= tui_attr(t, COL_DIM);
        else if (r->is_op)
                attr |= A_BOLD;
        else
                attr |= tui_attr(t, col);
        /* A highlighted row is padded to the pane's width. */
        char line[sizeof r->text + 256];
        snprintf(line, sizeof line, "%-*s", (r->current || selected) && w < 256 ? w : 0, r->text);
        tui_put(t, y, x, w, attr, line);
}

static size_t log_focus_row(const struct pane *p)
{
        size_t last_past = 0;
        for (size_t i = 0; i < p->nlog; i++) {
                if (p->log[i].current)
                        return i;
                if (!p->log[i].future)
                        last_past = i;
        }
        return last_past;
}

static bool log_selection(const struct pane *p, struct breakpoint *bp)
{
        if (p->sel >= p->nlog || p->log[p->sel].is_op || !event_has_gva(&p->log[p->sel].ev))
                return false;
        memset(bp, 0, sizeof *bp);
        bp->kind = BP_GVA;
        bp->value = -1;
        bp->lo = p->log[p->sel].ev.gva & ~PAGE_OFFSET_MASK;
        bp->hi = bp->lo + PAGE_SIZE;
        return true;
}

static void log_activate(struct tui *t, struct pane *p)
{
        char cmd[64];
        if (p->sel >= p->nlog)
                return;
        const struct log_row *r = &p->log[p->sel];
        if (r->is_op || !r->ev.seq)
                snprintf(cmd, sizeof cmd, "goto line %llu", (unsigned long long)r->line);
        else
                snprintf(cmd, sizeof cmd, "goto %llu", (unsigned long long)r->ev.seq);
        if (r->line || r->ev.seq)
                tui_exec(t, cmd);
}

const struct pane_class pane_log_class = {
    "Log", log_rebuild, log_count, log_draw_row, log_focus_row, log_selection, log_activate,
};
