/*
 * test_walk_count.c - one walk has one reference count wherever it is
 * shown: the log's refs=, the explanation, translate and info walk.
 *
 * In every configuration (scheme x guest levels x nested levels x page-walk
 * caches x host page size x PCID x preallocation), before each access of
 * a random trace the walk a miss would make is worked out on the machine
 * (what translate prints, changing nothing); when the access then misses
 * the TLB and walks without an exit first, the ACCESS event's count (what
 * the log and the explanation print) must be the same, split the same way
 * between the two dimensions. Then, in a session, info walk and the explanation of
 * every walking access must print the event's own count.
 */
#include "harness.h"

#include "cmd.h"
#include "explain.h"
#include "mmu_view.h"
#include "nested.h"
#include "scheme.h"

/* splitmix64: a small deterministic generator of the test's own. */
static uint64_t rng_next(uint64_t *x)
{
        uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

/* The lowest address of the kernel half with this many guest levels. */
static uint64_t kernel_base(int levels)
{
        return ~((UINT64_C(1) << (PAGE_SHIFT + PT_INDEX_BITS * (unsigned)levels - 1)) - 1);
}

/* A random trace valid with every guest depth from 2 levels (user
 * addresses below 512M) and a 256M guest: mappings of 4K and 2M pages,
 * accesses of every kind, switches, invalidations, dirty logging. */
static void make_trace(uint64_t seed, int levels, char *buf, size_t size)
{
        static const uint64_t user[] = {0x1000, 0x2000, 0x9000, 0x200000, 0x3FF000, 0x10000000};
        static const char *const kinds[] = {"R", "W", "X"};
        uint64_t x = seed, kernel = kernel_base(levels);
        size_t o = 0;
        for (int i = 0; i < 160 && o + 96 < size; i++) {
                uint64_t r = rng_next(&x) % 100;
                uint64_t gva = r % 7 == 0 ? kernel + (rng_next(&x) % 4) * 0x1000
                                          : user[rng_next(&x) % 6] + (rng_next(&x) % 4) * 0x1000;
                unsigned long long g = (unsigned long long)gva;
                if (r < 25)
                        o +=
                            (size_t)snprintf(buf + o, size - o, "PT_WRITE 0x%llX->0x%llX rwx\n", g,
                                             (unsigned long long)((1 + rng_next(&x) % 4000) << 12));
                else if (r < 28)
                        o += (size_t)snprintf(buf + o, size - o,
                                              "PT_WRITE 0x800000->0x%llX rwx 2M\nTLB_FLUSH\n",
                                              (unsigned long long)((1 + rng_next(&x) % 60) << 21));
                else if (r < 33)
                        o += (size_t)snprintf(buf + o, size - o, "CR3 %u\n",
                                              (unsigned)(rng_next(&x) % 3));
                else if (r < 36)
                        o += (size_t)snprintf(buf + o, size - o, "INVLPG 0x%llX\n", g);
                else if (r < 38)
                        o += (size_t)snprintf(buf + o, size - o, "TLB_FLUSH\n");
                else if (r < 40)
                        o += (size_t)snprintf(buf + o, size - o, "DIRTY_LOG %s\n",
                                              r & 1 ? "start" : "sync");
                else if (r < 48)
                        o += (size_t)snprintf(
                            buf + o, size - o, "%s 0x%llX\n", kinds[rng_next(&x) % 3],
                            (unsigned long long)(0x800000 + (rng_next(&x) % 512) * 0x1000));
                else
                        o += (size_t)snprintf(buf + o, size - o, "%s 0x%llX\n",
                                              kinds[rng_next(&x) % 3], g);
        }
        buf[o] = '\0';
}

/* Replays text op by op on cfg, checking each walking access against the
 * walk previewed on a copy of the machine just before it. Returns how many
 * walks were compared. */
static unsigned switched; /* walks compared that went nested below an agile switch */

static unsigned check_config(const struct sim_config *cfg, const char *text)
{
        struct sim s;
        struct recorder rec;
        start(&s, cfg, &rec);
        struct trace_limits limits;
        struct trace_reader r;
        struct trace_error err;
        struct op op;
        unsigned compared = 0;
        trace_limits_of_config(cfg, &limits);
        trace_open_string(&r, text, TRACE_FORMAT_V1, &limits);
        while (trace_next(&r, &op, &err) == TRACE_OK) {
                struct mmu_walk_view v = {0};
                /* (Before its first op a machine has not booted: no preview.) */
                bool previewed = op.kind == OP_ACCESS && s.booted;
                if (previewed) {
                        /* Looking changes nothing: not the walk caches, not
                         * the counters. */
                        struct pwc pwc = s.pwc, npwc = s.pwc_nested;
                        uint64_t seq = s.seq, cycles = s.stats.cycles;
                        mmu_view_walk(&s, op.gva, &v);
                        assert_memory_equal(&pwc, &s.pwc, sizeof pwc);
                        assert_memory_equal(&npwc, &s.pwc_nested, sizeof npwc);
                        assert_int_equal(seq, s.seq);
                        assert_int_equal(cycles, s.stats.cycles);
                }
                size_t first = rec.n;
                sim_apply(&s, &op);
                if (!previewed || first == rec.n)
                        continue;
                const struct event *ev = &rec.ev[first];
                if (ev->kind != EV_ACCESS || ev->tlb_hit)
                        continue;
                if (!v.complete || ev->refs != v.refs || ev->nested_refs != v.nested_refs)
                        fail_msg("%s levels %d/%d pwc %d host2M %d pcid %d prealloc %d, line "
                                 "%llu: the access walked %u (%u nested), translate said %u (%u "
                                 "nested, complete %d)",
                                 mode_name(cfg->mode), cfg->levels, cfg->ept_levels, cfg->pwc,
                                 cfg->host_large, cfg->pcid, cfg->prealloc,
                                 (unsigned long long)op.line, ev->refs, ev->nested_refs, v.refs,
                                 v.nested_refs, v.complete);
                compared++;
                switched += v.switch_level > 0;
        }
        trace_close(&r);
        finish(&s, &rec);
        return compared;
}

static void test_preview_matches_walk(void **state)
{
        (void)state;
        static char text[1 << 14];
        unsigned compared = 0;
        for (int levels = 2; levels <= 5; levels++) {
                make_trace((uint64_t)levels * 7919, levels, text, sizeof text);
                for (int mode = 0; mode < MODE_COUNT; mode++) {
                        /* Nested depth matters to EPT alone. */
                        int lo = mode == MODE_EPT ? 2 : 4, hi = mode == MODE_EPT ? 5 : 4;
                        for (int ept_levels = lo; ept_levels <= hi; ept_levels++) {
                                for (unsigned v = 0; v < 16; v++) {
                                        struct sim_config cfg = config_for((enum mmu_mode)mode);
                                        cfg.levels = levels;
                                        cfg.ept_levels = ept_levels;
                                        cfg.guest_mem = UINT64_C(256) << 20;
                                        cfg.pwc = v & 1;
                                        cfg.host_large = (v & 2) != 0;
                                        cfg.pcid = (v & 4) != 0;
                                        cfg.prealloc = (v & 8) != 0;
                                        compared += check_config(&cfg, text);
                                }
                        }
                }
        }
        /* The comparison really happened, many times, agile switches too. */
        assert_true(compared > 5000);
        assert_true(switched > 100);
}

/* Output of the commands, collected. */
struct capture {
        char text[8192];
        size_t len;
};

static void out(void *face, const char *line)
{
        struct capture *c = face;
        int n = snprintf(c->text + c->len, sizeof c->text - c->len, "%s\n", line);
        if (n > 0 && c->len + (size_t)n < sizeof c->text)
                c->len += (size_t)n;
}

/* In a session on the sample trace under cfg, at every walking access:
 * info walk and the explanation print the event's count. */
static unsigned check_session(const struct sim_config *cfg, const char *text)
{
        struct session s;
        struct cmd_ctx ctx;
        struct capture cap;
        unsigned checked = 0;
        assert_int_equal(session_open(&s, cfg, TRACE_FORMAT_AUTO, NULL, text, "t", -1), 0);
        cmd_ctx_init(&ctx, &s);
        ctx.out = out;
        ctx.face = &cap;
        while (session_stepi(&s, 1, false) == STOP_DONE) {
                const struct event *ev = session_event(&s);
                if (!ev || ev->kind != EV_ACCESS || ev->tlb_hit)
                        continue;
                char want[96], explained[1024];
                cap.len = 0;
                cap.text[0] = '\0';
                assert_int_equal(cmd_run(&ctx, "info walk"), CMD_OK);
                snprintf(want, sizeof want, "the walk of event #%llu: %u reference",
                         (unsigned long long)ev->seq, ev->refs);
                if (!strstr(cap.text, want))
                        fail_msg("%s: info walk says\n%s\nexpected '%s'", mode_name(cfg->mode),
                                 cap.text, want);
                /* The listing reads as many references as the walk made,
                 * one numbered line each, the last numbered as listed. */
                unsigned listed, read;
                const char *hdr = strstr(cap.text, "reference by reference: ");
                assert_non_null(hdr);
                assert_int_equal(
                    sscanf(hdr, "reference by reference: %u listed, %u read", &listed, &read), 2);
                if (read != ev->refs)
                        fail_msg("%s pwc %d host 2M %d, event #%llu: listing reads %u, walk %u\n%s",
                                 mode_name(cfg->mode), cfg->pwc, cfg->host_large,
                                 (unsigned long long)ev->seq, read, ev->refs, cap.text);
                char last[32];
                snprintf(last, sizeof last, "%3u. ", listed);
                assert_non_null(strstr(hdr, last));
                snprintf(last, sizeof last, "%3u. ", listed + 1);
                assert_null(strstr(hdr, last));
                session_explain(&s, explained, sizeof explained);
                snprintf(want, sizeof want, "a walk of %u memory reference%s", ev->refs,
                         ev->refs == 1 ? "" : "s");
                assert_non_null(strstr(explained, want));
                if (cfg->mode == MODE_EPT) {
                        snprintf(want, sizeof want, "a 2D walk of %u references = %u guest",
                                 ev->refs, ev->refs - ev->nested_refs);
                        assert_non_null(strstr(explained, want));
                }
                checked++;
        }
        session_close(&s);
        return checked;
}

static void test_info_walk_and_explanation(void **state)
{
        (void)state;
        static char text[1 << 14];
        make_trace(4242, 4, text, sizeof text);
        for (int mode = 0; mode < MODE_COUNT; mode++)
                for (unsigned v = 0; v < 4; v++) {
                        struct sim_config cfg = config_for((enum mmu_mode)mode);
                        cfg.guest_mem = UINT64_C(256) << 20;
                        cfg.pwc = v & 1;
                        cfg.host_large = (v & 2) != 0;
                        assert_true(check_session(&cfg, text) > 10);
                }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_preview_matches_walk),
            cmocka_unit_test(test_info_walk_and_explanation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
