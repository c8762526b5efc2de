/*
 * tui_pane_tlb.c - the TLB pane: under a header, the valid entries in slot
 * order (set.way), each marked with what the current trace line did to it
 * (filled it: new, or hit it), and the entry it evicted shown where it was.
 * A row is selected as in the table panes, and suggests a breakpoint on
 * the page its entry translates; a breakpoint on that page marks the row.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "session_view.h"
#include "tui_impl.h"
#include "xalloc.h"

#define ROW_EVICTED UINT32_MAX

struct tlb_pane {
        struct pane base;
        uint32_t *rows; /* row -> entry slot, or ROW_EVICTED */
        size_t n, cap;
        size_t focus;         /* the row the current op touched */
        struct event evicted; /* what the current op evicted */
        bool has_evicted;
};

static struct tlb_pane *tlb_of(struct pane *p)
{
        return PANE_OF(struct tlb_pane, p);
}

static const struct tlb_pane *ctlb_of(const struct pane *p)
{
        return CONST_PANE_OF(struct tlb_pane, p);
}

/* The TLB the pane shows (set tlb-cpu) and its vCPU. */
static const struct tlb *shown_tlb(const struct tui *t, unsigned *cpu)
{
        return cmd_shown_tlb(&t->ctx, cpu);
}

/* What the current op did to TLB entry slot of the shown vCPU's TLB:
 * filled it, or hit it (the slot an access names is its own vCPU's). */
static const char *tlb_mark(const struct tui *t, unsigned slot, enum tui_color *col)
{
        const char *mark = "";
        unsigned cpu;
        shown_tlb(t, &cpu);
        for (size_t i = 0; i < t->s->shown; i++) {
                const struct event *ev = &t->s->evs[i];
                if (ev->kind != EV_ACCESS || ev->cpu != cpu)
                        continue;
                if (!ev->tlb_hit && ev->index == slot) {
                        mark = "new";
                        *col = COL_TLB_NEW;
                } else if (ev->tlb_hit && ev->index == slot) {
                        mark = "hit";
                        *col = COL_TLB_HIT;
                }
        }
        return mark;
}

static void tlb_rebuild(struct tui *t, struct pane *p)
{
        struct tlb_pane *tp = tlb_of(p);
        unsigned cpu;
        const struct tlb *tlb = shown_tlb(t, &cpu);
        size_t need = (size_t)tlb->sets * tlb->ways + 1;
        if (need > tp->cap) {
                tp->cap = need;
                tp->rows = xrealloc(tp->rows, tp->cap, sizeof *tp->rows);
        }
        tp->n = 0;
        tp->has_evicted = false;
        for (size_t i = 0; i < t->s->shown; i++)
                if (t->s->evs[i].kind == EV_TLB_EVICT) {
                        tp->evicted = t->s->evs[i];
                        tp->has_evicted = true;
                }
        bool focused = false;
        tp->focus = 0;
        for (unsigned i = 0; i < tlb->sets * tlb->ways; i++) {
                enum tui_color col;
                if (tp->has_evicted && tp->evicted.index == i) {
                        if (!focused)
                                tp->focus = tp->n;
                        focused = true;
                        tp->rows[tp->n++] = ROW_EVICTED;
                }
                if (!tlb->e[i].valid)
                        continue;
                if (!focused && *tlb_mark(t, i, &col)) {
                        tp->focus = tp->n;
                        focused = true;
                }
                tp->rows[tp->n++] = i;
        }
        if (p->sel >= tp->n)
                p->sel = tp->n ? tp->n - 1 : 0;
}

static size_t tlb_rows_count(const struct pane *p)
{
        return ctlb_of(p)->n;
}

static void tlb_title(const struct tui *t, const struct pane *p, char *buf, size_t n)
{
        unsigned cpu;
        const struct tlb *tlb = shown_tlb(t, &cpu);
        char which[24] = "";
        (void)p;
        if (session_machine(t->s)->cfg.vcpus > 1)
                snprintf(which, sizeof which, "  cpu %u%s", cpu, t->ctx.tlb_cpu ? "" : " (auto)");
        snprintf(buf, n, "TLB%s  %u/%u%s", which, tlb_count(tlb), tlb->sets * tlb->ways,
                 tlb->pcid ? "  PCID" : "");
}

static void tlb_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                         bool selected)
{
        struct tlb_pane *tp = tlb_of(p);
        unsigned cpu;
        const struct tlb *tlb = shown_tlb(t, &cpu);
        uint32_t slot = tp->rows[i];
        char buf[160];
        int attr = selected ? A_REVERSE : 0;
        if (slot == ROW_EVICTED) {
                snprintf(buf, sizeof buf, "out %3u.%-1u 0x%llX evicted (LRU)",
                         tp->evicted.index / tlb->ways, tp->evicted.index % tlb->ways,
                         (unsigned long long)tp->evicted.gva);
                tui_put(t, y, x, w, attr | tui_attr(t, COL_TLB_OUT) | A_BOLD, buf);
                tui_draw_bp(t, y, x + 3, attr,
                            tui_bp_mark_gva(t, tp->evicted.gva & ~PAGE_OFFSET_MASK, 1, true));
                return;
        }
        const struct tlb_entry *e = &tlb->e[slot];
        char flags[8];
        enum tui_color col = COL_NONE;
        pte_flags_str(PTE_P | e->perm, flags);
        const char *mark = tlb_mark(t, slot, &col);
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
                a |= tui_attr(t, COL_TLB_STALE);
        else if (*mark)
                a |= tui_attr(t, col) | (int)A_BOLD;
        tui_put(t, y, x, w, a, buf);
        /* The breakpoint marker stands between the mark and the slot. */
        tui_draw_bp(t, y, x + 3, attr, tui_bp_mark_gva(t, tlb_entry_gva(e), e->level, true));
}

static void tlb_draw_header(struct tui *t, struct pane *p, int y, int x, int w)
{
        unsigned cpu;
        (void)p;
        tui_put(t, y, x, w, A_BOLD,
                shown_tlb(t, &cpu)->pcid ? "    set.w asid page->hpa perm age"
                                         : "    set.w page->hpa perm age");
}

static size_t tlb_focus_row(const struct pane *p)
{
        return ctlb_of(p)->focus;
}

/* The page the selected entry translates (4K, 2M or 1G), or the 4K page
 * of the evicted one. */
static bool tlb_selection(const struct tui *t, const struct pane *p, struct breakpoint *bp)
{
        const struct tlb_pane *tp = ctlb_of(p);
        if (p->sel >= tp->n)
                return false;
        memset(bp, 0, sizeof *bp);
        bp->kind = BP_GVA;
        bp->value = -1;
        uint32_t slot = tp->rows[p->sel];
        if (slot == ROW_EVICTED) {
                bp->lo = tp->evicted.gva & ~PAGE_OFFSET_MASK;
                bp->hi = bp->lo + PAGE_SIZE;
        } else {
                unsigned cpu;
                const struct tlb_entry *e = &shown_tlb(t, &cpu)->e[slot];
                bp->lo = tlb_entry_gva(e);
                bp->hi = bp->lo + level_span(e->level);
        }
        return true;
}

static void tlb_destroy(struct pane *p)
{
        struct tlb_pane *tp = tlb_of(p);
        free(tp->rows);
        free(tp);
}

static const struct pane_ops tlb_ops = {
    .rebuild = tlb_rebuild,
    .count = tlb_rows_count,
    .title = tlb_title,
    .draw_header = tlb_draw_header,
    .draw_row = tlb_draw_row,
    .focus_row = tlb_focus_row,
    .focus_thirds = 1,
    .selection = tlb_selection,
    .destroy = tlb_destroy,
};

struct pane *pane_tlb_new(void)
{
        struct tlb_pane *tp = xcalloc(1, sizeof *tp);
        tp->base.ops = &tlb_ops;
        return &tp->base;
}
