/*
 * test_differential.c - every scheme agrees with native on every access.
 *
 * Random well-behaved traces (every changed mapping is invalidated before it
 * is used again) run under native, shadow-eager, shadow, shadow-oos and ept
 * with the same machine options. Each access must end at the same HPA, or
 * fault, in all of them: the schemes differ in cost, never in meaning.
 * Also: the same trace and options give the identical event stream twice.
 */
#include "harness.h"

/* splitmix64: a small deterministic generator of the test's own. */
static uint64_t rng_next(uint64_t *x)
{
        uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

static const uint64_t gvas[] = {
    0x1000,
    0x2000,
    0x3000,
    0x5000,
    0x200000,
    0x201000,
    0x7FFFFFFFF000,
    UINT64_C(0xFFFF800000000000),
    UINT64_C(0xFFFF800000001000),
};
#define NGVAS (sizeof gvas / sizeof gvas[0])

/* Writes a random well-behaved trace of n ops into buf. */
static void make_trace(uint64_t seed, int n, bool large, char *buf, size_t size)
{
        size_t o = 0;
        uint64_t x = seed;
        static const char *const flags[] = {"rw", "r", "rx", "rwx", "rwu"};
        static const char *const kinds[] = {"R", "W", "X"};
        for (int i = 0; i < n && o + 128 < size; i++) {
                uint64_t r = rng_next(&x) % 100;
                uint64_t gva = gvas[rng_next(&x) % NGVAS] + (rng_next(&x) % 4096 & ~UINT64_C(7));
                bool kernel = gva >> 63;
                /* Kernel changes are seen by every address space: flush all. */
                const char *inval = kernel ? "TLB_FLUSH" : "INVLPG";
                char target[40] = "";
                if (!kernel && !(inval[0] == 'T'))
                        snprintf(target, sizeof target, " 0x%llX", (unsigned long long)gva);
                if (r < 25) {
                        uint64_t gpa = (1 + rng_next(&x) % 64) << 12;
                        o += (size_t)snprintf(buf + o, size - o,
                                              "PT_WRITE 0x%llX->0x%llX %s\n%s%s\n",
                                              (unsigned long long)gva, (unsigned long long)gpa,
                                              flags[rng_next(&x) % 5], inval, target);
                } else if (r < 29 && large) {
                        o += (size_t)snprintf(buf + o, size - o,
                                              "PT_WRITE 0x40000000->0x%llX 2M\nTLB_FLUSH\n",
                                              (unsigned long long)((1 + rng_next(&x) % 8) << 21));
                } else if (r < 33) {
                        o += (size_t)snprintf(buf + o, size - o, "PT_CLEAR 0x%llX\n%s%s\n",
                                              (unsigned long long)gva, inval, target);
                } else if (r < 37) {
                        o += (size_t)snprintf(buf + o, size - o, "PT_PROTECT 0x%llX %s\n%s%s\n",
                                              (unsigned long long)gva, flags[rng_next(&x) % 5],
                                              inval, target);
                } else if (r < 43) {
                        o += (size_t)snprintf(buf + o, size - o, "CR3 %u\n",
                                              (unsigned)(rng_next(&x) % 6));
                } else if (r < 45) {
                        o += (size_t)snprintf(buf + o, size - o, "TLB_FLUSH\n");
                } else if (r < 47) {
                        static const char *const actions[] = {"start", "sync", "stop"};
                        o += (size_t)snprintf(buf + o, size - o, "DIRTY_LOG %s\n",
                                              actions[rng_next(&x) % 3]);
                } else {
                        if (large && r < 55)
                                gva = 0x40000000 + (rng_next(&x) % 512) * 4096;
                        o += (size_t)snprintf(buf + o, size - o, "%s 0x%llX\n",
                                              kinds[rng_next(&x) % 3], (unsigned long long)gva);
                }
        }
        buf[o] = '\0';
}

/* One observable outcome of an access: where it went, or that it faulted. */
struct outcome {
        uint64_t gva, hpa;
        bool fault;
};

static size_t outcomes(const struct recorder *rec, struct outcome *out, size_t max)
{
        size_t n = 0;
        for (size_t i = 0; i < rec->n && n < max; i++) {
                const struct event *e = &rec->ev[i];
                if (e->kind == EV_ACCESS)
                        out[n++] = (struct outcome){e->gva, e->hpa, false};
                else if (e->kind == EV_GUEST_PF)
                        out[n++] = (struct outcome){e->gva, 0, true};
        }
        return n;
}

#define MAX_OUT 20000

static void check_agreement(const struct sim_config *base, bool large, int seeds)
{
        static char trace[1 << 17];
        static struct outcome want[MAX_OUT], got[MAX_OUT];
        for (int seed = 1; seed <= seeds; seed++) {
                make_trace((uint64_t)seed, 400, large, trace, sizeof trace);
                struct sim s;
                struct recorder rec;
                struct sim_config cfg = *base;
                cfg.mode = MODE_NATIVE;
                start(&s, &cfg, &rec);
                feed(&s, trace);
                size_t nwant = outcomes(&rec, want, MAX_OUT);
                assert_true(s.stats.stale_tlb == 0);
                finish(&s, &rec);
                /* Every scheme of the registry but native, the reference. */
                for (int m = MODE_NATIVE + 1; m < MODE_COUNT; m++) {
                        cfg.mode = (enum mmu_mode)m;
                        start(&s, &cfg, &rec);
                        feed(&s, trace);
                        size_t ngot = outcomes(&rec, got, MAX_OUT);
                        if (ngot != nwant)
                                fail_msg("seed %d %s: %zu outcomes, native %zu", seed,
                                         mode_name(cfg.mode), ngot, nwant);
                        for (size_t i = 0; i < ngot; i++)
                                if (got[i].gva != want[i].gva || got[i].hpa != want[i].hpa ||
                                    got[i].fault != want[i].fault)
                                        fail_msg("seed %d %s access %zu: gva 0x%llx hpa 0x%llx%s, "
                                                 "native hpa 0x%llx%s",
                                                 seed, mode_name(cfg.mode), i,
                                                 (unsigned long long)got[i].gva,
                                                 (unsigned long long)got[i].hpa,
                                                 got[i].fault ? " (fault)" : "",
                                                 (unsigned long long)want[i].hpa,
                                                 want[i].fault ? " (fault)" : "");
                        assert_true(s.stats.stale_tlb == 0);
                        finish(&s, &rec);
                }
        }
}

static void test_defaults(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        check_agreement(&cfg, false, 40);
}

static void test_variants(void **state)
{
        (void)state;
        for (int v = 0; v < 8; v++) {
                struct sim_config cfg = config_for(MODE_NATIVE);
                cfg.pcid = v & 1;
                cfg.ad_emulation = (v & 2) != 0;
                cfg.tlb_sets = (v & 4) ? 2 : 16;
                cfg.tlb_ways = (v & 4) ? 1 : 4;
                cfg.pwc = (v & 1) == 0;
                cfg.host_large = (v & 2) == 0;
                check_agreement(&cfg, true, 10);
        }
        struct sim_config cfg = config_for(MODE_NATIVE);
        cfg.levels = 5;
        cfg.ept_levels = 5;
        check_agreement(&cfg, true, 10);
}

/* Same trace, same options: the identical event stream, byte for byte. */
static void test_deterministic(void **state)
{
        (void)state;
        static char trace[1 << 17];
        make_trace(99, 400, true, trace, sizeof trace);
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim a, b;
                struct recorder ra, rb;
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                start(&a, &cfg, &ra);
                start(&b, &cfg, &rb);
                feed(&a, trace);
                feed(&b, trace);
                assert_int_equal(ra.n, rb.n);
                for (size_t i = 0; i < ra.n; i++) {
                        char la[256], lb[256];
                        event_format(&ra.ev[i], la, sizeof la);
                        event_format(&rb.ev[i], lb, sizeof lb);
                        assert_string_equal(la, lb);
                }
                assert_memory_equal(&a.stats, &b.stats, sizeof a.stats);
                finish(&a, &ra);
                finish(&b, &rb);
        }
}

/* A machine no sink reads (a --quiet run counts TLB hits without building
 * their events) ends with the counters and event numbers of one that is
 * read, under every scheme, exec accesses included. */
static void test_unread_counts_the_same(void **state)
{
        (void)state;
        static char trace[1 << 16];
        static const char *const kinds[] = {"R", "W", "X"};
        size_t o = 0;
        for (int p = 0; p < 8; p++)
                o += (size_t)snprintf(trace + o, sizeof trace - o, "PT_WRITE 0x%x->0x%x rwx\n",
                                      (p + 1) << 12, (p + 9) << 12);
        for (int i = 0; i < 600; i++)
                o += (size_t)snprintf(trace + o, sizeof trace - o, "%s 0x%x\n", kinds[i % 3],
                                      ((i * 5) % 8 + 1) << 12);
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim read, unread;
                struct recorder r;
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                start(&read, &cfg, &r);
                sim_init(&unread, &cfg);
                feed(&read, trace);
                feed(&unread, trace);
                assert_true(read.stats.tlb_hits > 500);
                assert_int_equal(read.seq, unread.seq);
                assert_memory_equal(&read.stats, &unread.stats, sizeof read.stats);
                finish(&read, &r);
                sim_free(&unread);
        }
}

/* A clone continues exactly as the original would (the stepper relies on
 * it for snapshots). */
static void test_clone_continues_identically(void **state)
{
        (void)state;
        static char trace[1 << 17];
        make_trace(7, 600, true, trace, sizeof trace);
        char *half = trace + strlen(trace) / 2;
        half = strchr(half, '\n') + 1;
        char saved = *half;
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim a, b;
                struct recorder ra, rb;
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                start(&a, &cfg, &ra);
                *half = '\0';
                feed(&a, trace);
                *half = saved;
                sim_clone(&b, &a);
                memset(&rb, 0, sizeof rb);
                sim_add_sink(&b, record_sink, &rb);
                size_t before = ra.n;
                feed(&a, half);
                feed(&b, half);
                assert_int_equal(ra.n - before, rb.n);
                for (size_t i = 0; i < rb.n; i++) {
                        char la[256], lb[256];
                        event_format(&ra.ev[before + i], la, sizeof la);
                        event_format(&rb.ev[i], lb, sizeof lb);
                        assert_string_equal(la, lb);
                }
                assert_memory_equal(&a.stats, &b.stats, sizeof a.stats);
                finish(&a, &ra);
                finish(&b, &rb);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_variants),
            cmocka_unit_test(test_deterministic),
            cmocka_unit_test(test_clone_continues_identically),
            cmocka_unit_test(test_unread_counts_the_same),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
