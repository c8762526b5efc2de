/*
 * tree.c - flattening the guest, shadow and nested tables into
 * tree rows (see tree.h).
 */
#include "tree.h"
#include "scheme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu_view.h"
#include "session_view.h"
#include "u64map.h"
#include "xalloc.h"

/* Tables with at most this many present entries start expanded. */
#define SMALL_TABLE 32

/* The tables an event reads (tables_read). */
enum { READ_GUEST = 1, READ_MMU = 2 };

/* Tag spaces, so guest, shadow and nested rows never share a tag. */
enum { TAG_GUEST = 1, TAG_SHADOW = 2, TAG_EPT = 3 };

struct builder {
        struct tree *t;
        const struct session *s;
        tree_expand_fn expand;
        void *ctx;
        size_t max;
        bool has_focus;
        uint64_t focus;          /* address of the current event (GVA or GPA) */
        bool read;               /* the current event read these tables along focus's path */
        struct guest_walk walk;  /* guest walk of focus */
        struct u64map shadowed;  /* guest gfn -> enum tree_table, from the shadow pages */
        const struct event *evs; /* events of the current op shown so far */
        size_t nevs;
};

static uint64_t tag(unsigned space, uint64_t table, unsigned index)
{
        return table << 12 | (uint64_t)index << 2 | space;
}

/* Sign-extends a guest virtual address of the given depth. */
static uint64_t canonical(uint64_t va, int levels)
{
        unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)levels;
        if (bits < 64 && (va >> (bits - 1)) & 1)
                va |= ~((UINT64_C(1) << bits) - 1);
        return va;
}

static struct tree_row *add_row(struct builder *b)
{
        struct tree *t = b->t;
        if (t->n >= b->max) {
                t->truncated = true;
                return NULL;
        }
        if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 64;
                t->rows = xrealloc(t->rows, t->cap, sizeof *t->rows);
        }
        struct tree_row *r = &t->rows[t->n++];
        memset(r, 0, sizeof *r);
        return r;
}

static bool expanded(struct builder *b, uint64_t tg, bool dflt)
{
        return b->expand ? b->expand(b->ctx, tg, dflt) : dflt;
}

static unsigned present_count(const struct ptable *t)
{
        unsigned n = 0;
        for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1))
                n += pte_present(ptable_get(t, i));
        return n;
}

/* The highest index of a present entry of t, or -1. */
static int last_present(const struct ptable *t)
{
        int last = -1;
        for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1))
                if (pte_present(ptable_get(t, i)))
                        last = (int)i;
        return last;
}

/* Which tables the current event read along its address's path: the
 * guest's, the scheme's own (shadow or nested), both or none. A TLB hit
 * reads none. A walk on a miss reads what the scheme's hardware walks
 * (natively the guest tables; under shadow paging the shadow tables only;
 * under EPT both; agile its shadow part, and the guest and nested tables
 * below a switch when it made nested references). A hidden page fault is
 * the shadow walk finding a hole; the VMM's fill then reads the guest
 * tables (FNAME(walk_addr) in paging_tmpl.h) and writes the shadow entry.
 * An EPT violation stops a two-dimensional walk; the VMM's mapping writes
 * the nested entry. A guest store, or the VMM's change to a shadow entry,
 * marks the path to the entry it changed. */
static unsigned tables_read(const struct session *s)
{
        const struct event *ev = session_event(s);
        enum scheme_tables tables = scheme_of(s->sim.cfg.mode)->tables;
        switch (ev ? ev->kind : EV_KIND_COUNT) {
        case EV_ACCESS:
                if (ev->tlb_hit)
                        return 0;
                if (tables == TABLES_NONE)
                        return READ_GUEST;
                if (tables == TABLES_NESTED)
                        return READ_GUEST | READ_MMU;
                return READ_MMU | (ev->nested_refs ? READ_GUEST : 0);
        case EV_VM_EXIT:
                return ev->reason == EXIT_PAGE_FAULT      ? READ_MMU
                       : ev->reason == EXIT_EPT_VIOLATION ? READ_GUEST | READ_MMU
                                                          : 0;
        case EV_GUEST_PF:
        case EV_PT_WRITE:
        case EV_PT_LINK:
        case EV_PT_CLEAR:
        case EV_PT_PROTECT:
                return READ_GUEST;
        case EV_SHADOW_FILL:
                return READ_GUEST | READ_MMU;
        case EV_SHADOW_UPDATE:
        case EV_SHADOW_ZAP:
        case EV_EPT_MAP:
                return READ_MMU;
        default:
                return 0;
        }
}

/* Starts building t; gpa: the focus is the event's GPA (nested tables);
 * which: READ_GUEST or READ_MMU, the tables t shows. */
static void begin(struct builder *b, struct tree *t, const struct session *s, tree_expand_fn expand,
                  void *ctx, size_t max_rows, bool gpa, unsigned which)
{
        memset(b, 0, sizeof *b);
        t->n = 0;
        t->truncated = false;
        t->title[0] = '\0';
        b->t = t;
        b->s = s;
        b->expand = expand;
        b->ctx = ctx;
        b->max = max_rows;
        b->evs = s->evs;
        b->nevs = s->shown;
        b->has_focus = tree_focus(s, gpa, &b->focus);
        b->read = b->has_focus && (tables_read(s) & which);
        u64map_init(&b->shadowed);
        if (b->has_focus && !gpa)
                guest_walk(&session_machine(s)->guest, guest_root(&session_machine(s)->guest),
                           b->focus, &b->walk);
}

bool tree_focus(const struct session *s, bool gpa, uint64_t *addr)
{
        const struct event *ev = session_event(s);
        if (!ev || !event_has_gva(ev))
                return false;
        if (!gpa) {
                *addr = ev->gva;
                return true;
        }
        if (ev->kind == EV_ACCESS || ev->kind == EV_EPT_MAP || ev->kind == EV_PT_WRITE) {
                *addr = ev->gpa;
                return true;
        }
        struct guest_walk w;
        guest_walk(&session_machine(s)->guest, guest_root(&session_machine(s)->guest), ev->gva, &w);
        *addr = w.gpa;
        return w.present;
}

void tree_free(struct tree *t)
{
        free(t->rows);
        memset(t, 0, sizeof *t);
}

/* ---- the guest's tables ------------------------------------------------- */

static uint8_t view_state(const struct mmu_table_view *v)
{
        return v->direct   ? TABLE_DIRECT
               : v->nested ? TABLE_NESTED
               : v->unsync ? TABLE_UNSYNC
                           : TABLE_WP;
}

static void note_shadowed(struct builder *b)
{
        const struct sim *m = session_machine(b->s);
        for (uint32_t id = 0; id < mmu_view_count(m); id++) {
                struct mmu_table_view v;
                if (!mmu_view_table(m, id, &v) || v.direct)
                        continue;
                u64map_put(&b->shadowed, v.gfn, view_state(&v));
        }
}

static uint8_t guest_table_state(struct builder *b, uint64_t gfn)
{
        uint32_t st;
        return u64map_get(&b->shadowed, gfn, &st) ? (uint8_t)st : TABLE_PLAIN;
}

static const char *state_suffix(uint8_t table)
{
        switch (table) {
        case TABLE_WP:
                return " [wp]";
        case TABLE_UNSYNC:
                return " [oos]";
        case TABLE_DIRECT:
                return " [direct]";
        case TABLE_NESTED:
                return " [nested]";
        default:
                return "";
        }
}

static uint8_t guest_mark(const struct builder *b, uint64_t gfn, unsigned index)
{
        uint8_t mark = MARK_NONE;
        for (size_t i = 0; i < b->nevs; i++) {
                const struct event *ev = &b->evs[i];
                if ((ev->kind == EV_PT_WRITE || ev->kind == EV_PT_LINK || ev->kind == EV_PT_CLEAR ||
                     ev->kind == EV_PT_PROTECT) &&
                    ev->table_gpa >> PAGE_SHIFT == gfn && ev->index == index)
                        mark = ev->trapped ? MARK_TRAPPED : MARK_WRITTEN;
        }
        return mark;
}

/* Flags of a guest leaf with its A and D bits: "rw AD". */
static void leaf_flags(uint64_t e, char *buf, size_t n)
{
        char f[8];
        pte_flags_str(e, f);
        snprintf(buf, n, "%s%s%s%s", f, (e & (PTE_A | PTE_D)) ? " " : "", (e & PTE_A) ? "A" : "",
                 (e & PTE_D) ? "D" : "");
}

static void guest_table(struct builder *b, uint64_t gfn, int level, uint64_t base, int depth,
                        uint32_t guides)
{
        const struct sim *m = session_machine(b->s);
        const struct ptable *gt = guest_table_at(&m->guest, gfn);
        if (!gt)
                return;
        int last = last_present(gt);
        for (int i = (int)ptable_next(gt, 0); i <= last;
             i = (int)ptable_next(gt, (unsigned)i + 1)) {
                uint64_t e = ptable_get(gt, (unsigned)i);
                if (!pte_present(e))
                        continue;
                struct tree_row *r = add_row(b);
                if (!r)
                        return;
                r->addr = canonical(base + (uint64_t)i * level_span(level), m->guest.levels);
                r->tag = tag(TAG_GUEST, gfn, (unsigned)i);
                r->depth = (uint8_t)depth;
                r->guides = guides;
                r->last = i == last;
                r->level = (uint8_t)level;
                r->mark = guest_mark(b, gfn, (unsigned)i);
                bool on_path = b->has_focus && b->walk.depth > m->guest.levels - level &&
                               b->walk.table_gfn[level] == gfn &&
                               pt_index(b->focus, level) == (unsigned)i;
                r->on_path = on_path;
                r->on_walk = b->read && on_path;
                r->leaf = level == 1 || (e & PTE_PS);
                if (r->leaf) {
                        char f[16];
                        leaf_flags(e, f, sizeof f);
                        snprintf(r->text, sizeof r->text, "[%3d] 0x%llX->0x%llX %s%s", i,
                                 (unsigned long long)r->addr,
                                 (unsigned long long)(pte_frame(e) << PAGE_SHIFT), f,
                                 level > 1 ? (level == 2 ? " 2M" : " 1G") : "");
                        continue;
                }
                uint64_t child = pte_frame(e);
                r->table = guest_table_state(b, child);
                r->parent = true;
                const struct ptable *ct = guest_table_at(&m->guest, child);
                bool dflt = on_path || (ct && present_count(ct) <= SMALL_TABLE);
                r->expanded = expanded(b, r->tag, dflt);
                snprintf(r->text, sizeof r->text, "[%3d] -> L%d 0x%llX%s", i, level - 1,
                         (unsigned long long)(child << PAGE_SHIFT), state_suffix(r->table));
                if (r->expanded)
                        guest_table(b, child, level - 1, r->addr, depth + 1,
                                    guides | (i == last ? 0 : 1u << depth));
        }
}

void tree_build_guest(struct tree *t, const struct session *s, tree_expand_fn expand, void *ctx,
                      size_t max_rows)
{
        struct builder b;
        begin(&b, t, s, expand, ctx, max_rows, false, READ_GUEST);
        const struct guest *g = &session_machine(s)->guest;
        uint64_t root = guest_root(g);
        snprintf(t->title, sizeof t->title, "Guest PT  asid %u", sim_asid(session_machine(s)));
        note_shadowed(&b);
        struct tree_row *r = add_row(&b);
        if (r) {
                r->tag = tag(TAG_GUEST, root, PT_ENTRIES);
                r->level = (uint8_t)g->levels;
                r->table = guest_table_state(&b, root);
                r->parent = true;
                r->on_path = b.has_focus;
                r->on_walk = b.read;
                r->expanded = expanded(&b, r->tag, true);
                snprintf(r->text, sizeof r->text, "L%d root 0x%llX%s", g->levels,
                         (unsigned long long)(root << PAGE_SHIFT), state_suffix(r->table));
                if (r->expanded)
                        guest_table(&b, root, g->levels, 0, 1, 0);
        }
        u64map_free(&b.shadowed);
}

/* ---- the shadow tables -------------------------------------------------- */

static uint8_t shadow_mark(const struct builder *b, const struct mmu_table_view *v, unsigned index)
{
        uint8_t mark = MARK_NONE;
        for (size_t i = 0; i < b->nevs; i++) {
                const struct event *ev = &b->evs[i];
                if (ev->index != index || ev->level != v->level ||
                    ev->table_gpa >> PAGE_SHIFT != v->gfn)
                        continue;
                if (ev->kind == EV_SHADOW_FILL)
                        mark = MARK_FILLED;
                else if (ev->kind == EV_SHADOW_UPDATE)
                        mark = MARK_UPDATED;
                else if (ev->kind == EV_SHADOW_ZAP && ev->detail == DETAIL_ZAP_ENTRY)
                        mark = MARK_ZAPPED;
        }
        return mark;
}

static void shadow_table(struct builder *b, uint32_t id, uint64_t base, int depth, uint32_t guides,
                         bool walk)
{
        const struct sim *m = session_machine(b->s);
        struct mmu_table_view v;
        if (!mmu_view_table(m, id, &v))
                return;
        uint8_t marks[PT_ENTRIES];
        int last = -1;
        for (int i = 0; i < PT_ENTRIES; i++) {
                marks[i] = shadow_mark(b, &v, (unsigned)i);
                if (pte_present(ptable_get(v.entries, (unsigned)i)) || marks[i] == MARK_ZAPPED)
                        last = i;
        }
        for (int i = 0; i <= last; i++) {
                uint64_t e = ptable_get(v.entries, (unsigned)i);
                if (!pte_present(e) && marks[i] != MARK_ZAPPED)
                        continue;
                struct tree_row *r = add_row(b);
                if (!r)
                        return;
                r->addr = canonical(base + (uint64_t)i * level_span(v.level), m->guest.levels);
                r->tag =
                    tag(TAG_SHADOW, v.gfn << 4 | (uint64_t)v.level << 1 | v.direct, (unsigned)i);
                r->depth = (uint8_t)depth;
                r->guides = guides;
                r->last = i == last;
                r->level = (uint8_t)v.level;
                r->mark = marks[i];
                bool on_path = walk && b->has_focus && pt_index(b->focus, v.level) == (unsigned)i;
                r->on_path = on_path;
                r->on_walk = b->read && on_path;
                if (!pte_present(e)) {
                        r->leaf = v.level == 1;
                        snprintf(r->text, sizeof r->text, "[%3d] 0x%llX zapped", i,
                                 (unsigned long long)r->addr);
                        continue;
                }
                if (v.level == 1 || (e & PTE_PS)) {
                        char f[8];
                        r->leaf = true;
                        snprintf(r->text, sizeof r->text, "[%3d] 0x%llX->hpa 0x%llX %s%s", i,
                                 (unsigned long long)r->addr,
                                 (unsigned long long)(pte_frame(e) << PAGE_SHIFT),
                                 pte_flags_str(e, f), v.level > 1 ? " 2M" : "");
                        continue;
                }
                uint32_t child = (uint32_t)pte_frame(e);
                struct mmu_table_view cv;
                if (!mmu_view_table(m, child, &cv))
                        continue;
                r->table = view_state(&cv);
                r->parent = true;
                bool dflt = on_path || present_count(cv.entries) <= SMALL_TABLE;
                r->expanded = expanded(b, r->tag, dflt);
                if (cv.nested) /* agile: nothing below is shadowed */
                        r->parent = false;
                snprintf(r->text, sizeof r->text, "[%3d] -> L%d of 0x%llX%s", i, cv.level,
                         (unsigned long long)(cv.gfn << PAGE_SHIFT), state_suffix(r->table));
                if (r->expanded)
                        shadow_table(b, child, r->addr, depth + 1,
                                     guides | (i == last ? 0 : 1u << depth), on_path);
        }
}

static void build_shadow(struct builder *b)
{
        const struct sim *m = session_machine(b->s);
        uint64_t roots[8];
        unsigned nroots = mmu_view_cached_roots(m, roots, 8);
        uint32_t root = mmu_view_root(m);
        struct mmu_table_view v;
        snprintf(b->t->title, sizeof b->t->title, "%s  %u cached root%s",
                 scheme_of(m->cfg.mode)->tables_title, nroots, nroots == 1 ? "" : "s");
        struct tree_row *r = add_row(b);
        if (!r)
                return;
        if (root == MMU_VIEW_NONE || !mmu_view_table(m, root, &v)) {
                snprintf(r->text, sizeof r->text, "no shadow root yet (built on the first op)");
                return;
        }
        r->tag = tag(TAG_SHADOW, v.gfn << 4 | (uint64_t)v.level << 1, PT_ENTRIES);
        r->level = (uint8_t)v.level;
        r->table = view_state(&v);
        r->parent = true;
        r->on_path = b->has_focus;
        r->on_walk = b->read;
        r->expanded = expanded(b, r->tag, true);
        snprintf(r->text, sizeof r->text, "L%d shadow of root 0x%llX%s", v.level,
                 (unsigned long long)(v.gfn << PAGE_SHIFT), state_suffix(r->table));
        if (r->expanded)
                shadow_table(b, root, 0, 1, 0, true);
}

/* ---- the nested table --------------------------------------------------- */

static void ept_table(struct builder *b, uint32_t id, int level, uint64_t base, int depth,
                      uint32_t guides, bool walk)
{
        const struct sim *m = session_machine(b->s);
        struct mmu_table_view v;
        if (!mmu_view_table(m, id, &v))
                return;
        int last = last_present(v.entries);
        for (int i = (int)ptable_next(v.entries, 0); i <= last;
             i = (int)ptable_next(v.entries, (unsigned)i + 1)) {
                uint64_t e = ptable_get(v.entries, (unsigned)i);
                if (!pte_present(e))
                        continue;
                struct tree_row *r = add_row(b);
                if (!r)
                        return;
                r->addr = base + (uint64_t)i * level_span(level);
                r->tag = tag(TAG_EPT, id, (unsigned)i);
                r->depth = (uint8_t)depth;
                r->guides = guides;
                r->last = i == last;
                r->level = (uint8_t)level;
                bool on_path = walk && b->has_focus && pt_index(b->focus, level) == (unsigned)i;
                r->on_path = on_path;
                r->on_walk = b->read && on_path;
                if (level == 1 || (e & PTE_PS)) {
                        r->leaf = true;
                        for (size_t k = 0; k < b->nevs; k++)
                                if (b->evs[k].kind == EV_EPT_MAP &&
                                    (b->evs[k].gpa & ~(level_span(level) - 1)) == r->addr)
                                        r->mark = MARK_MAPPED;
                        snprintf(r->text, sizeof r->text, "[%3d] gpa 0x%llX->hpa 0x%llX%s%s", i,
                                 (unsigned long long)r->addr,
                                 (unsigned long long)(pte_frame(e) << PAGE_SHIFT),
                                 level > 1 ? " 2M" : "", (e & PTE_D) ? " D" : "");
                        continue;
                }
                uint32_t child = (uint32_t)pte_frame(e);
                struct mmu_table_view cv;
                if (!mmu_view_table(m, child, &cv))
                        continue;
                r->table = TABLE_PLAIN;
                r->parent = true;
                r->expanded =
                    expanded(b, r->tag, on_path || present_count(cv.entries) <= SMALL_TABLE);
                snprintf(r->text, sizeof r->text, "[%3d] -> L%d gpa 0x%llX..", i, level - 1,
                         (unsigned long long)r->addr);
                if (r->expanded)
                        ept_table(b, child, level - 1, r->addr, depth + 1,
                                  guides | (i == last ? 0 : 1u << depth), on_path);
        }
}

static void build_ept(struct builder *b)
{
        const struct sim *m = session_machine(b->s);
        snprintf(b->t->title, sizeof b->t->title, "%s  %u nested tables",
                 scheme_of(m->cfg.mode)->tables_title, mmu_view_count(m));
        struct tree_row *r = add_row(b);
        if (!r)
                return;
        r->tag = tag(TAG_EPT, 0, PT_ENTRIES);
        r->level = (uint8_t)m->cfg.ept_levels;
        r->table = TABLE_PLAIN;
        r->parent = true;
        r->on_path = b->has_focus;
        r->on_walk = b->read;
        r->expanded = expanded(b, r->tag, true);
        snprintf(r->text, sizeof r->text, "L%d nested root (GPA -> HPA)", m->cfg.ept_levels);
        if (r->expanded)
                ept_table(b, 0, m->cfg.ept_levels, 0, 1, 0, true);
}

void tree_build_mmu(struct tree *t, const struct session *s, tree_expand_fn expand, void *ctx,
                    size_t max_rows)
{
        struct builder b;
        enum mmu_mode mode = s->sim.cfg.mode;
        begin(&b, t, s, expand, ctx, max_rows, scheme_has_nested(mode), READ_MMU);
        if (scheme_has_nested(mode)) {
                build_ept(&b);
        } else if (scheme_has_shadow(mode)) {
                build_shadow(&b);
        } else {
                snprintf(t->title, sizeof t->title, "Native");
                struct tree_row *r = add_row(&b);
                if (r)
                        snprintf(r->text, sizeof r->text,
                                 "no hypervisor: the hardware walks the guest tables");
        }
        u64map_free(&b.shadowed);
}
