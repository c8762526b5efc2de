/*
 * tui_marker.c - breakpoint markers, as cgdb marks the lines of a
 * breakpoint: a glyph on the log's events a breakpoint stops on, and on
 * the table and TLB entries whose page or range a breakpoint covers.
 *
 * Whether a breakpoint covers an entry is the session's own matching
 * (bp_matches) asked about the events that would be about the entry: a
 * guest store into it and, for a leaf, an access to its first address
 * (guest-virtual rows), the mapping of its frame (the EPT's leaves). So an
 * entry is marked exactly when such an event would stop there.
 */
#include "tui_impl.h"

/* The mark the probes earn from the breakpoints of kind: enabled wins
 * over disabled. */
static enum tui_bp_mark probe(const struct tui *t, enum bp_kind kind, const struct event *probes,
                              size_t n)
{
        enum tui_bp_mark m = BPM_NONE;
        const struct session *s = t->s;
        for (size_t b = 0; b < s->nbps && m != BPM_ENABLED; b++) {
                const struct breakpoint *bp = &s->bps[b];
                if (bp->kind != kind)
                        continue;
                for (size_t i = 0; i < n; i++)
                        if (bp_matches(bp, &probes[i])) {
                                m = bp->enabled ? BPM_ENABLED : BPM_DISABLED;
                                break;
                        }
        }
        return m;
}

enum tui_bp_mark tui_bp_mark_gva(const struct tui *t, uint64_t gva, unsigned level, bool leaf)
{
        struct event probes[2] = {{.kind = EV_PT_WRITE, .gva = gva, .level = (uint8_t)level},
                                  {.kind = EV_ACCESS, .gva = gva}};
        return probe(t, BP_GVA, probes, leaf ? 2 : 1);
}

enum tui_bp_mark tui_bp_mark_gpa(const struct tui *t, uint64_t gpa, unsigned level)
{
        struct event map = {.kind = EV_EPT_MAP, .gpa = gpa, .level = (uint8_t)level};
        return probe(t, BP_GPA, &map, 1);
}

const char *tui_bp_glyph(const struct tui *t, enum tui_bp_mark m)
{
        switch (m) {
        case BPM_ENABLED:
                return t->utf8 ? "\u25cf" : "B";
        case BPM_DISABLED:
                return t->utf8 ? "\u25cb" : "b";
        default:
                return " ";
        }
}

void tui_draw_bp(struct tui *t, int y, int x, int attr, enum tui_bp_mark m)
{
        if (m == BPM_NONE)
                return;
        tui_put(t, y, x, 1, attr | tui_attr(t, m == BPM_ENABLED ? COL_BREAK : COL_DIM),
                tui_bp_glyph(t, m));
}
