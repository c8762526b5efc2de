/*
 * tui_pane_tree.c - the two table panes: the guest's page tables, and the
 * tables the hardware walks (shadow tables, or the EPT). Rows come from
 * session_tree.c; the pane keeps which nodes the user opened or closed,
 * and the selected row, by their stable tags across rebuilds (as tmux's
 * mode-tree does).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "scheme.h"
#include "tree.h"
#include "tui_impl.h"
#include "u64map.h"
#include "xalloc.h"

#define MAX_TREE_ROWS 20000

struct tree_pane {
        struct pane base;
        bool mmu;              /* the tables the hardware walks, not the guest's */
        struct tree tree;      /* the rows */
        struct u64map toggled; /* tag -> 1 expanded, 0 collapsed by the user */
        uint64_t sel_tag;      /* the selected row's tag, kept across rebuilds */
        bool gpa_rows;         /* rows are guest physical (EPT) */
};

static struct tree_pane *tree_of(struct pane *p)
{
        return PANE_OF(struct tree_pane, p);
}

static const struct tree_pane *ctree_of(const struct pane *p)
{
        return CONST_PANE_OF(struct tree_pane, p);
}

static bool expanded(void *ctx, uint64_t tag, bool dflt)
{
        struct tree_pane *tp = ctx;
        uint32_t v;
        return u64map_get(&tp->toggled, tag, &v) ? v != 0 : dflt;
}

/* The row with the tag selected before the rebuild, or the nearest row. */
static void reselect(struct tree_pane *tp)
{
        for (size_t i = 0; i < tp->tree.n; i++)
                if (tp->tree.rows[i].tag == tp->sel_tag) {
                        tp->base.sel = i;
                        return;
                }
        if (tp->base.sel >= tp->tree.n)
                tp->base.sel = tp->tree.n ? tp->tree.n - 1 : 0;
}

static void tree_rebuild(struct tui *t, struct pane *p)
{
        struct tree_pane *tp = tree_of(p);
        if (tp->mmu) {
                tree_build_mmu(&tp->tree, t->s, expanded, tp, MAX_TREE_ROWS);
                tp->gpa_rows = scheme_has_nested(t->s->sim.cfg.mode);
        } else {
                tree_build_guest(&tp->tree, t->s, expanded, tp, MAX_TREE_ROWS);
        }
        reselect(tp);
}

static size_t tree_count(const struct pane *p)
{
        return ctree_of(p)->tree.n;
}

static void tree_title(const struct tui *t, const struct pane *p, char *buf, size_t n)
{
        const struct tree_pane *tp = ctree_of(p);
        (void)t;
        snprintf(buf, n, "%s",
                 tp->tree.title[0] ? tp->tree.title
                 : tp->mmu         ? "Shadow PT"
                                   : "Guest PT");
}

enum tui_color tui_mark_color(uint8_t mark)
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

const char *tui_mark_text(uint8_t mark)
{
        static const char *const names[] = {
            [MARK_NONE] = "",           [MARK_WRITTEN] = " <written", [MARK_TRAPPED] = " <TRAPPED",
            [MARK_FILLED] = " <filled", [MARK_UPDATED] = " <updated", [MARK_ZAPPED] = " <zapped",
            [MARK_MAPPED] = " <mapped",
        };
        return mark < sizeof names / sizeof names[0] ? names[mark] : "";
}

/* The guides and branch in front of a row's text; *cols gets their width. */
static void tree_prefix(const struct tui *t, const struct tree_row *r, char *prefix, size_t n,
                        int *cols)
{
        size_t len = 0;
        *cols = 0;
        prefix[0] = '\0';
        for (unsigned d = 1; d < r->depth && len + 16 < n; d++, *cols += 2)
                len += (size_t)snprintf(prefix + len, n - len, "%s",
                                        (r->guides >> d) & 1 ? tui_glyph_guide(t) : "  ");
        if (r->depth && len + 16 < n) {
                len += (size_t)snprintf(prefix + len, n - len, "%s", tui_glyph_branch(t, r->last));
                *cols += 2;
        }
        if (r->parent)
                snprintf(prefix + len, n - len, "%s", r->expanded ? "" : "+");
}

/* The breakpoint marker of a row: guest-virtual entries, or the EPT's
 * guest-physical leaves; none for a root line. */
static enum tui_bp_mark tree_bp(const struct tui *t, const struct tree_pane *tp,
                                const struct tree_row *r)
{
        if (r->depth == 0)
                return BPM_NONE;
        if (tp->gpa_rows)
                return r->leaf ? tui_bp_mark_gpa(t, r->addr, r->level) : BPM_NONE;
        return tui_bp_mark_gva(t, r->addr, r->level, r->leaf);
}

/* A row: '*' when the current event read the entry (a breakpoint's
 * marker instead, the text keeping the walk's colour: no column is spent
 * on it at 80 columns), the tree's guides, the entry, and what the line
 * did to it. */
static void tree_draw_row(struct tui *t, struct pane *p, size_t i, int y, int x, int w,
                          bool selected)
{
        const struct tree_pane *tp = tree_of(p);
        const struct tree_row *r = &tp->tree.rows[i];
        char prefix[256];
        int cols;
        tree_prefix(t, r, prefix, sizeof prefix, &cols);
        int attr = selected ? A_REVERSE : 0;
        int base = attr | (r->on_walk ? tui_attr(t, COL_WALK) : 0);
        if (r->table == TABLE_UNSYNC)
                base |= tui_attr(t, COL_SYNC);
        tui_put(t, y, x, 1, base, r->on_walk ? "*" : " ");
        tui_draw_bp(t, y, x, attr, tree_bp(t, tp, r));
        tui_put(t, y, x + 1, w - 1, attr, prefix);
        int at = x + 1 + cols + (r->parent && !r->expanded);
        if (at >= x + w)
                return;
        tui_put(t, y, at, x + w - at, base, r->text);
        /* The mark follows the text, or covers its end when the pane is too
         * narrow for both: what the line did to the entry stays readable. */
        int tl = (int)strlen(r->text), ml = (int)strlen(tui_mark_text(r->mark));
        int mx = at + tl + ml > x + w ? x + w - ml : at + tl;
        if (r->mark && mx >= at)
                tui_put(t, y, mx, x + w - mx, attr | tui_attr(t, tui_mark_color(r->mark)) | A_BOLD,
                        tui_mark_text(r->mark));
}

/* The deepest row on the walk, else the first the current line marked. */
static size_t tree_focus_row(const struct pane *p)
{
        const struct tree *tr = &ctree_of(p)->tree;
        size_t walk = 0, marked = 0;
        bool has_marked = false;
        for (size_t i = 0; i < tr->n; i++) {
                if (tr->rows[i].on_path)
                        walk = i;
                if (tr->rows[i].mark && !has_marked) {
                        marked = i;
                        has_marked = true;
                }
        }
        return walk ? walk : marked;
}

static void tree_selected(struct pane *p)
{
        struct tree_pane *tp = tree_of(p);
        tp->sel_tag = p->sel < tp->tree.n ? tp->tree.rows[p->sel].tag : 0;
}

/* The range the selected entry translates: guest virtual, or guest
 * physical in the EPT. */
static bool tree_selection(const struct tui *t, const struct pane *p, struct breakpoint *bp)
{
        (void)t;
        const struct tree_pane *tp = ctree_of(p);
        if (p->sel >= tp->tree.n)
                return false;
        const struct tree_row *r = &tp->tree.rows[p->sel];
        if (r->depth == 0)
                return false;
        memset(bp, 0, sizeof *bp);
        bp->kind = tp->gpa_rows ? BP_GPA : BP_GVA;
        bp->value = -1;
        bp->lo = r->addr;
        bp->hi = r->addr + level_span(r->level);
        return true;
}

/* Opens or closes the selected table. */
static void tree_activate(struct tui *t, struct pane *p)
{
        struct tree_pane *tp = tree_of(p);
        if (p->sel >= tp->tree.n || !tp->tree.rows[p->sel].parent)
                return;
        const struct tree_row *r = &tp->tree.rows[p->sel];
        u64map_put(&tp->toggled, r->tag, !r->expanded);
        tp->sel_tag = r->tag;
        t->dirty = true;
}

static void tree_destroy(struct pane *p)
{
        struct tree_pane *tp = tree_of(p);
        tree_free(&tp->tree);
        u64map_free(&tp->toggled);
        free(tp);
}

static const struct pane_ops tree_ops = {
    .rebuild = tree_rebuild,
    .count = tree_count,
    .title = tree_title,
    .draw_row = tree_draw_row,
    .focus_row = tree_focus_row,
    .focus_thirds = 1,
    .selected = tree_selected,
    .selection = tree_selection,
    .activate = tree_activate,
    .destroy = tree_destroy,
};

struct pane *pane_tree_new(bool mmu)
{
        struct tree_pane *tp = xcalloc(1, sizeof *tp);
        tp->base.ops = &tree_ops;
        tp->mmu = mmu;
        u64map_init(&tp->toggled);
        return &tp->base;
}
