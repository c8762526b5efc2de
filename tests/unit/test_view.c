/*
 * test_view.c - the machine the stepper shows is the machine right after
 * the current event, at every event of every shipped trace, under every
 * scheme (session_view.h).
 *
 * Two kinds of check. Truth: each event that reports a change (a guest
 * store, a shadow fill or zap, a TLB fill, eviction or flush, a CR3 load,
 * a nested mapping) must be visible in the view at that event, and the
 * next event's change must not be visible yet; the expectation comes from
 * the event's own fields, not from the engine's tables. Path independence:
 * the panes' text (both table trees, the TLB, the counters) at an event is
 * the same whether the event was reached forwards, backwards, or by a
 * fresh session's goto.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu_view.h"
#include "scheme.h"
#include "session.h"
#include "tree.h"
#include "session_view.h"
#include "strbuf.h"

static const char *const traces[] = {
    "traces/sample_trace.txt", "traces/boot.txt",       "traces/context-switch.txt",
    "traces/forkwait.txt",     "traces/mmap-churn.txt", "traces/tlb-stress.txt",
    "traces/migration.txt",    "traces/shootdown.txt",
};

/* Events checked per trace and scheme: the first this many (the longer
 * traces repeat their patterns; this keeps the test near ten seconds). */
#define MAX_EVENTS 1200

/* ---- reading the view ----------------------------------------------------- */

static uint64_t guest_entry(const struct sim *m, uint64_t table_gpa, unsigned index)
{
        const struct ptable *t = guest_table_at(&m->guest, table_gpa >> PAGE_SHIFT);
        return t ? ptable_get(t, index) : 0;
}

/* How many shadow tables of guest frame gfn at level hold entry at index
 * (several may: one per role, and direct pages). */
static unsigned shadow_holding(const struct sim *m, uint64_t gfn, int level, unsigned index,
                               uint64_t entry)
{
        unsigned n = 0;
        for (uint32_t id = 0; id < mmu_view_count(m); id++) {
                struct mmu_table_view v;
                if (mmu_view_table(m, id, &v) && v.gfn == gfn && v.level == level &&
                    ptable_get(v.entries, index) == entry)
                        n++;
        }
        return n;
}

/* How many live shadow tables mirror guest frame gfn at level; with
 * unsync, only those out of sync. */
static unsigned shadow_pages(const struct sim *m, uint64_t gfn, int level, bool unsync)
{
        unsigned n = 0;
        for (uint32_t id = 0; id < mmu_view_count(m); id++) {
                struct mmu_table_view v;
                if (mmu_view_table(m, id, &v) && !v.direct && v.gfn == gfn &&
                    (level == 0 || v.level == level) && (!unsync || v.unsync))
                        n++;
        }
        return n;
}

/* A number the change an event reports moves, and which way (*want: +1
 * up, -1 down, 0 no such number): compared right before and right after
 * the event, from the event's own fields. */
static long change_metric(const struct sim *m, const struct event *ev, int *want)
{
        uint64_t gfn = ev->table_gpa >> PAGE_SHIFT;
        *want = 0;
        switch (ev->kind) {
        case EV_SHADOW_FILL:
        case EV_SHADOW_UPDATE:
                if (ev->old_entry == ev->new_entry)
                        return 0;
                *want = +1;
                return shadow_holding(m, gfn, ev->level, ev->index, ev->new_entry);
        case EV_SHADOW_ZAP:
                if (ev->detail == DETAIL_ZAP_ENTRY) {
                        *want = -1;
                        return shadow_holding(m, gfn, ev->level, ev->index, ev->old_entry);
                }
                if (ev->table_gpa == 0)
                        return 0; /* a direct page */
                *want = -1;
                return shadow_pages(m, gfn, ev->level, false);
        case EV_SHADOW_PAGE:
                if (ev->table_gpa == 0)
                        return 0;
                *want = +1;
                return shadow_pages(m, gfn, ev->level, false);
        case EV_UNSYNC:
                *want = +1;
                return shadow_pages(m, gfn, 1, true);
        case EV_RESYNC:
                if (ev->detail == DETAIL_SYNC_ONE)
                        return 0;
                *want = -1;
                return shadow_pages(m, gfn, ev->level, true);
        case EV_TLB_FLUSH:
        case EV_TLB_DROP:
        case EV_INVLPG:
                if (ev->count == 0)
                        return 0;
                *want = -1;
                return tlb_count(&m->tlb);
        default:
                return 0;
        }
}

/* The TLB entry of the current address space covering gva, or NULL. */
static const struct tlb_entry *tlb_covering(const struct sim *m, uint64_t gva)
{
        const struct tlb *t = &m->tlb;
        uint32_t asid = t->pcid ? sim_asid(m) : 0;
        for (unsigned i = 0; i < t->sets * t->ways; i++) {
                const struct tlb_entry *e = &t->e[i];
                uint64_t span = level_span(e->level);
                if (e->valid && e->asid == asid && tlb_entry_gva(e) == (gva & ~(span - 1)))
                        return e;
        }
        return NULL;
}

/* Whether the nested table maps gpa (a walk of the view's tables); true
 * for a scheme whose table views are not the nested table (agile shows its
 * shadow tables). */
static bool nested_maps(const struct sim *m, uint64_t gpa)
{
        if (scheme_of(m->cfg.mode)->tables != TABLES_NESTED)
                return true;
        uint32_t id = mmu_view_root(m);
        for (int level = m->cfg.ept_levels; level >= 1 && id != MMU_VIEW_NONE; level--) {
                struct mmu_table_view v;
                if (!mmu_view_table(m, id, &v))
                        return false;
                uint64_t e = ptable_get(v.entries, pt_index(gpa, level));
                if (!pte_present(e))
                        return false;
                if (level == 1 || (e & PTE_PS))
                        return true;
                id = (uint32_t)pte_frame(e);
        }
        return false;
}

/* ---- the truth of one event ----------------------------------------------- */

static bool is_pt_store(const struct event *ev)
{
        return ev->kind == EV_PT_WRITE || ev->kind == EV_PT_LINK || ev->kind == EV_PT_CLEAR ||
               ev->kind == EV_PT_PROTECT;
}

static void fail_at(const char *trace, const struct sim *m, const struct event *ev,
                    const char *what)
{
        char line[256];
        event_format(ev, line, sizeof line);
        fail_msg("%s under %s, event #%llu (%s): %s", trace, mode_name(m->cfg.mode),
                 (unsigned long long)ev->seq, line, what);
}

/* ev is the current event: what it reports is in the view m. When
 * has_before, before is its change_metric right before it. */
static void check_done(const char *trace, const struct sim *m, const struct event *ev,
                       bool has_before, long before)
{
        if (is_pt_store(ev) && guest_entry(m, ev->table_gpa, ev->index) != ev->new_entry)
                fail_at(trace, m, ev, "the guest entry does not hold the value stored");
        if (ev->kind == EV_CR3 && sim_asid(m) != ev->asid)
                fail_at(trace, m, ev, "the address space loaded is not the new one");
        if (ev->kind == EV_TLB_FLUSH && !m->cfg.pcid && tlb_count(&m->tlb) != 0)
                fail_at(trace, m, ev, "the TLB still holds entries after the flush");
        if (ev->kind == EV_ACCESS && !ev->tlb_hit) {
                const struct tlb_entry *e = &m->tlb.e[ev->index];
                uint64_t span = level_span(e->level);
                if (!e->valid || tlb_entry_gva(e) != (ev->gva & ~(span - 1)))
                        fail_at(trace, m, ev, "the TLB slot filled does not hold the address");
        }
        if (ev->kind == EV_ACCESS && ev->tlb_hit) {
                const struct tlb_entry *e = &m->tlb.e[ev->index];
                if (e != tlb_covering(m, ev->gva))
                        fail_at(trace, m, ev, "the hit's TLB slot is not the entry of the address");
        }
        if (ev->kind == EV_ACCESS && ev->access == ACCESS_WRITE) {
                const struct tlb_entry *e = tlb_covering(m, ev->gva);
                if (!e || !e->dirty)
                        fail_at(trace, m, ev, "the written page's TLB entry is not dirty");
        }
        if (ev->kind == EV_TLB_EVICT) {
                const struct tlb_entry *e = &m->tlb.e[ev->index];
                if (e->valid && tlb_entry_gva(e) == ev->gva && (e->gfn << PAGE_SHIFT) == ev->gpa)
                        fail_at(trace, m, ev, "the evicted entry is still in its slot");
        }
        if ((ev->kind == EV_INVLPG || ev->kind == EV_GUEST_PF) && tlb_covering(m, ev->gva))
                fail_at(trace, m, ev, "the TLB still translates the address");
        int want;
        long now = change_metric(m, ev, &want);
        if (has_before && ((want > 0 && now <= before) || (want < 0 && now >= before)))
                fail_at(trace, m, ev,
                        "the change it reports is not between the state before and after it");
        if (ev->kind == EV_EPT_MAP && !nested_maps(m, ev->gpa))
                fail_at(trace, m, ev, "the nested table does not map the frame");
}

/* nx is the next event of the op: what it reports is not in m yet. */
static void check_not_yet(const char *trace, const struct sim *m, const struct event *nx)
{
        if (is_pt_store(nx) && guest_entry(m, nx->table_gpa, nx->index) != nx->old_entry)
                fail_at(trace, m, nx, "the guest entry changed before the store's event");
        if (nx->kind == EV_ACCESS && !nx->tlb_hit) {
                const struct tlb_entry *e = tlb_covering(m, nx->gva);
                if (e && sim_allows(m, e->perm, (enum access_kind)nx->access, nx->user))
                        fail_at(trace, m, nx, "the TLB was filled before the access's event");
        }
        if (nx->kind == EV_TLB_EVICT && !m->tlb.e[nx->index].valid)
                fail_at(trace, m, nx, "the slot was emptied before the eviction's event");
        if (nx->kind == EV_TLB_FLUSH && nx->count > 0 && tlb_count(&m->tlb) == 0)
                fail_at(trace, m, nx, "the TLB was flushed before the flush's event");
        if (nx->kind == EV_EPT_MAP && scheme_of(m->cfg.mode)->tables == TABLES_NESTED &&
            nested_maps(m, nx->gpa))
                fail_at(trace, m, nx, "the frame was mapped before the mapping's event");
}

/* ---- what the panes show -------------------------------------------------- */

static void dump_tree(struct strbuf *b, const struct tree *t)
{
        strbuf_put(b, "%s\n", t->title);
        for (size_t i = 0; i < t->n; i++)
                strbuf_put(b, "%u%u%u%u %s\n", t->rows[i].depth, t->rows[i].mark, t->rows[i].table,
                           t->rows[i].on_walk, t->rows[i].text);
}

/* Everything the panes show at the current event, as text. */
static char *dump(const struct session *s)
{
        size_t n = 1 << 18;
        char *buf = malloc(n);
        assert_non_null(buf);
        struct strbuf b = {buf, n, 0};
        buf[0] = '\0';
        struct tree t = {0};
        tree_build_guest(&t, s, NULL, NULL, 4000);
        dump_tree(&b, &t);
        tree_build_mmu(&t, s, NULL, NULL, 4000);
        dump_tree(&b, &t);
        tree_free(&t);
        const struct sim *m = session_machine(s);
        for (unsigned i = 0; i < m->tlb.sets * m->tlb.ways; i++) {
                const struct tlb_entry *e = &m->tlb.e[i];
                if (e->valid)
                        strbuf_put(&b, "tlb %u %llx %llx %llx %d%d\n", i,
                                   (unsigned long long)e->vpn, (unsigned long long)e->hfn,
                                   (unsigned long long)e->perm, e->dirty, e->stale);
        }
        struct stats st;
        session_stats(s, &st);
        strbuf_put(&b, "exits %llu refs %llu", (unsigned long long)st.exits,
                   (unsigned long long)st.walk_refs);
        return buf;
}

/* ---- the walks ------------------------------------------------------------ */

/* The vCPUs a trace runs on: its generator header's --vcpus N, else 1
 * (traces/shootdown.txt: events move between vCPUs within a line). */
static unsigned vcpus_of(const char *trace)
{
        char line[256] = "";
        FILE *f = fopen(trace, "r");
        if (f) {
                if (!fgets(line, sizeof line, f))
                        line[0] = '\0';
                fclose(f);
        }
        const char *v = strstr(line, "--vcpus ");
        return v ? (unsigned)strtoul(v + strlen("--vcpus "), NULL, 10) : 1;
}

static void open_at(struct session *s, const char *trace, enum mmu_mode mode)
{
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        cfg.vcpus = vcpus_of(trace);
        assert_int_equal(session_open(s, &cfg, TRACE_FORMAT_AUTO, trace, NULL, NULL, -1), 0);
        session_set_spacing(s, 8);
}

/* Steps through the events forwards (at most MAX_EVENTS), checking their
 * truth; returns the panes' text at each (dumps[k - 1] at event k) and the
 * count. */
static size_t walk_forward(const char *trace, enum mmu_mode mode, char ***dumps)
{
        struct session s;
        open_at(&s, trace, mode);
        size_t n = 0, cap = 0;
        long before = 0;
        *dumps = NULL;
        while (n < MAX_EVENTS && session_stepi(&s, 1, false) == STOP_DONE) {
                const struct sim *m = session_machine(&s);
                check_done(trace, m, session_event(&s), s.shown > 1, before);
                if (s.shown < s.nevs) {
                        int want;
                        check_not_yet(trace, m, &s.evs[s.shown]);
                        before = change_metric(m, &s.evs[s.shown], &want);
                }
                if (n == cap) {
                        cap = cap ? cap * 2 : 256;
                        *dumps = realloc(*dumps, cap * sizeof **dumps);
                        assert_non_null(*dumps);
                }
                (*dumps)[n++] = dump(&s);
        }
        session_close(&s);
        return n;
}

static void expect_same(const char *trace, enum mmu_mode mode, size_t k, const char *how,
                        const char *want, const char *got)
{
        if (strcmp(want, got) != 0)
                fail_msg("%s under %s, event #%zu reached %s shows other panes:\n%s\n----\n%s",
                         trace, mode_name(mode), k, how, want, got);
}

/* Walks back from the end one event at a time, and goes to a few events
 * with a fresh session: the panes equal those seen going forwards. */
static void walk_back(const char *trace, enum mmu_mode mode, char **dumps, size_t n)
{
        struct session s;
        open_at(&s, trace, mode);
        session_goto(&s, n);
        for (size_t k = n; k >= 1; k--) {
                char *d = dump(&s);
                expect_same(trace, mode, k, "backwards", dumps[k - 1], d);
                free(d);
                if (k > 1)
                        session_backi(&s, 1, false);
        }
        session_close(&s);
        for (size_t k = 1; k <= n; k += 1 + n / 7) {
                open_at(&s, trace, mode);
                session_goto(&s, k);
                char *d = dump(&s);
                expect_same(trace, mode, k, "by goto", dumps[k - 1], d);
                free(d);
                session_close(&s);
        }
}

static void test_every_event(void **state)
{
        (void)state;
        for (size_t t = 0; t < sizeof traces / sizeof *traces; t++)
                for (int mode = 0; mode < MODE_COUNT; mode++) {
                        char **dumps;
                        size_t n = walk_forward(traces[t], (enum mmu_mode)mode, &dumps);
                        assert_true(n > 0);
                        walk_back(traces[t], (enum mmu_mode)mode, dumps, n);
                        for (size_t k = 0; k < n; k++)
                                free(dumps[k]);
                        free(dumps);
                }
}

/* Whether some row of the tree is highlighted as read by the event. */
static bool any_read(const struct session *s, bool guest)
{
        struct tree t = {0};
        if (guest)
                tree_build_guest(&t, s, NULL, NULL, 4000);
        else
                tree_build_mmu(&t, s, NULL, NULL, 4000);
        bool any = false;
        for (size_t i = 0; i < t.n; i++)
                any |= t.rows[i].on_walk;
        tree_free(&t);
        return any;
}

/* The walk highlight shows what the event read: under shadow paging a
 * miss walks the shadow tables and not the guest's, whose walk is the
 * VMM's at a fill; natively and under EPT a miss walks the guest tables
 * (and the nested ones); a TLB hit walks nothing. Counts the cases seen,
 * so that the sample must contain each. */
static void test_walk_marks(void **state)
{
        (void)state;
        const enum mmu_mode modes[] = {MODE_NATIVE, MODE_SHADOW, MODE_EPT};
        for (size_t k = 0; k < sizeof modes / sizeof *modes; k++) {
                struct session s;
                unsigned misses = 0, hits = 0, fills = 0;
                open_at(&s, "traces/sample_trace.txt", modes[k]);
                while (session_stepi(&s, 1, false) == STOP_DONE) {
                        const struct event *ev = session_event(&s);
                        bool guest = any_read(&s, true), mmu = any_read(&s, false);
                        if (ev->kind == EV_ACCESS && ev->tlb_hit) {
                                assert_false(guest);
                                assert_false(mmu);
                                hits++;
                        } else if (ev->kind == EV_ACCESS) {
                                assert_int_equal(guest, modes[k] != MODE_SHADOW);
                                assert_int_equal(mmu, modes[k] != MODE_NATIVE);
                                misses++;
                        } else if (ev->kind == EV_SHADOW_FILL) {
                                assert_true(guest);
                                fills++;
                        }
                }
                assert_true(misses > 0 && hits > 0);
                assert_true(modes[k] != MODE_SHADOW || fills > 0);
                session_close(&s);
        }
}

/* The walk listing, reference by reference, of every walk that completed
 * in the shipped traces under every scheme, worked out on the machine
 * right before its access's event: as many references read as the event
 * counts, every one named (a table and an index), and with the page-walk
 * caches off, none skipped and the textbook count. */
static void check_listings(const char *trace, enum mmu_mode mode, bool pwc)
{
        struct session s;
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        cfg.pwc = pwc;
        assert_int_equal(session_open(&s, &cfg, TRACE_FORMAT_AUTO, trace, NULL, NULL, -1), 0);
        session_set_spacing(&s, 8);
        unsigned checked = 0;
        for (size_t k = 0; k < MAX_EVENTS && session_stepi(&s, 1, false) == STOP_DONE; k++) {
                struct event walked = *session_event(&s);
                const struct event *ev = &walked;
                if (ev->kind != EV_ACCESS || ev->tlb_hit)
                        continue;
                struct walk_listing l;
                mmu_view_walk_list(session_machine_before_walk(&s), ev->gva, &l);
                if (l.reads != ev->refs)
                        fail_msg("%s under %s (pwc %d), event #%llu: the listing reads %u, the "
                                 "walk made %u references",
                                 trace, mode_name(mode), pwc, (unsigned long long)ev->seq, l.reads,
                                 ev->refs);
                unsigned skipped = 0;
                for (unsigned i = 0; i < l.n; i++)
                        skipped += l.ref[i].skipped;
                assert_true(pwc || skipped == 0);
                checked++;
        }
        assert_true(checked > 0);
        session_close(&s);
}

static void test_walk_listing(void **state)
{
        (void)state;
        for (size_t t = 0; t < 4; t++)
                for (int mode = 0; mode < MODE_COUNT; mode++) {
                        check_listings(traces[t], (enum mmu_mode)mode, true);
                        check_listings(traces[t], (enum mmu_mode)mode, false);
                }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_every_event),
            cmocka_unit_test(test_walk_marks),
            cmocka_unit_test(test_walk_listing),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
