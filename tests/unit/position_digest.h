/*
 * position_digest.h - what a position of the debugger shows, as digests, for
 * the tests that check that every way of reaching a position (forward,
 * backward, by event, by line, under a scheme changed on the way) shows
 * the same thing: the unit tests of the session and the debugger's fuzz
 * harness (tests/fuzz/fuzz_debugger.c). Header-only.
 */
#ifndef SHADOW_SIM_TEST_POSITION_DIGEST_H
#define SHADOW_SIM_TEST_POSITION_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "mmu_view.h"
#include "session.h"
#include "session_view.h"

static inline uint64_t mix(uint64_t h, uint64_t v)
{
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h;
}

/* h mixed with every entry of t that is not 0, and its index (the same
 * whether t is stored sparse or dense). */
static inline uint64_t table_digest(uint64_t h, const struct ptable *t)
{
        for (unsigned i = ptable_next(t, 0); i < PT_ENTRIES; i = ptable_next(t, i + 1))
                h = mix(mix(h, i), ptable_get(t, i));
        return h;
}

/* A digest of everything a user can see of a machine: guest tables and
 * address spaces, TLB, the scheme's tables, counters. */
static inline uint64_t sim_digest(const struct sim *m)
{
        uint64_t h = mix(0, m->seq);
        h = mix(h, m->ops);
        for (uint32_t i = 0; i < m->guest.ntables; i++) {
                h = mix(h, m->guest.table_gfn[i]);
                h = table_digest(h, &m->guest.tables[i]);
        }
        for (uint32_t i = 0; i < m->guest.nspaces; i++)
                h = mix(mix(h, m->guest.spaces[i].asid), m->guest.spaces[i].root_gfn);
        h = mix(h, m->guest.current);
        for (unsigned i = 0; i < m->tlb.sets * m->tlb.ways; i++) {
                const struct tlb_entry *e = &m->tlb.e[i];
                if (!e->valid)
                        continue;
                h = mix(mix(mix(mix(h, i), e->vpn), e->hfn), e->last_use);
                h = mix(mix(h, e->perm), (uint64_t)e->stale << 1 | e->dirty);
        }
        for (uint32_t id = 0; id < mmu_view_count(m); id++) {
                struct mmu_table_view t;
                if (!mmu_view_table(m, id, &t))
                        continue;
                h = mix(mix(mix(h, id), t.gfn), (uint64_t)t.unsync << 1 | t.write_protected);
                h = table_digest(h, t.entries);
        }
        h = mix(h, mmu_view_root(m));
        for (unsigned i = 0; i < STATS_COUNT; i++)
                h = mix(h, stats_value(&m->stats, i));
        return h;
}

/* What a position shows: the machine (live, and as it is right after the
 * current event), the counters as of the current event, the current op's
 * events and how many are shown. */
struct view {
        uint64_t ops, seq, line, machine, at, cmp, stats, events;
        size_t shown, nevs;
};

static inline struct view view_of(const struct session *s)
{
        struct view v = {
            .ops = session_ops(s), .seq = session_seq(s), .shown = s->shown, .nevs = s->nevs};
        struct stats st;
        session_stats(s, &st);
        for (unsigned i = 0; i < STATS_COUNT; i++)
                v.stats = mix(v.stats, stats_value(&st, i));
        for (size_t i = 0; i < s->nevs; i++) {
                char line[256];
                event_format(&s->evs[i], line, sizeof line);
                for (const char *c = line; *c; c++)
                        v.events = mix(v.events, (uint64_t)*c);
                v.events = mix(v.events, s->evs[i].seq);
        }
        v.machine = sim_digest(&s->sim);
        v.at = sim_digest(session_machine(s));
        v.cmp = s->has_cmp ? sim_digest(&s->cmp) : 0;
        v.line = s->sim.ops ? s->op.line : 0;
        return v;
}

#endif
