/*
 * test_run_parallel.c - the machines on threads give what the sequential
 * loop gives.
 *
 * run_trace_parallel (the loop of the comparison and of a batch run
 * without a log) must end with the same
 * status, at the same place, with the same counters in every machine and
 * the same messages, byte for byte, as run_trace on the same trace: over
 * many batches of ops, with bad lines and tables that find no frame
 * (stopping, or skipped with --keep-going), and stopped by the memory
 * limit, which the threads judge from the sizes each machine records.
 */
#include "harness.h"

#include "run.h"
#include "scheme.h"

/* What a loop ended with. */
struct outcome {
        int status;
        bool end;
        struct stats stats[MODE_COUNT];
        char *errors; /* the messages, as written */
        size_t len;
};

/* The machines a loop runs: every scheme (the comparison), a scheme and
 * native (a batch run), one machine (--mode native). */
struct machines {
        unsigned n;
        enum mmu_mode modes[MODE_COUNT];
};

static struct machines every_scheme(void)
{
        struct machines ms = {.n = MODE_COUNT};
        for (unsigned m = 0; m < MODE_COUNT; m++)
                ms.modes[m] = (enum mmu_mode)m;
        return ms;
}

/* Runs text on the machines ms with run_trace (parallel false) or
 * run_trace_parallel on threads threads (0: one a core). */
static void run_loop(const char *text, const struct machines *ms, uint64_t guest_mem,
                     size_t max_mem, bool keep_going, bool parallel, unsigned threads,
                     struct outcome *o)
{
        struct sim sims[MODE_COUNT], *ptrs[MODE_COUNT];
        for (unsigned m = 0; m < ms->n; m++) {
                struct sim_config cfg = config_for(ms->modes[m]);
                if (guest_mem)
                        cfg.guest_mem = guest_mem;
                sim_init(&sims[m], &cfg);
                ptrs[m] = &sims[m];
        }
        struct trace_limits limits;
        trace_limits_of_config(&sims[0].cfg, &limits);
        struct trace_reader r;
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &limits);
        FILE *errors = open_memstream(&o->errors, &o->len);
        assert_non_null(errors);
        struct run_options opt = {.name = "t",
                                  .keep_going = keep_going,
                                  .errors = errors,
                                  .max_mem = max_mem,
                                  .threads = threads};
        o->status = (parallel ? run_trace_parallel : run_trace)(&r, ptrs, ms->n, &opt, &o->end);
        fclose(errors);
        memset(o->stats, 0, sizeof o->stats);
        for (unsigned m = 0; m < ms->n; m++) {
                o->stats[m] = sims[m].stats;
                sim_free(&sims[m]);
        }
        trace_close(&r);
}

/* Both loops on text, on the machines ms, the parallel one on threads
 * threads: the same outcome. Returns the messages' lines. */
static unsigned same_outcome_on(const char *text, const struct machines *ms, unsigned threads,
                                uint64_t guest_mem, size_t max_mem, bool keep_going)
{
        struct outcome seq, par;
        run_loop(text, ms, guest_mem, max_mem, keep_going, false, 0, &seq);
        run_loop(text, ms, guest_mem, max_mem, keep_going, true, threads, &par);
        assert_int_equal(par.status, seq.status);
        assert_int_equal(par.end, seq.end);
        assert_int_equal(par.len, seq.len);
        assert_memory_equal(par.errors, seq.errors, seq.len);
        if (seq.end)
                assert_memory_equal(par.stats, seq.stats, sizeof seq.stats);
        unsigned lines = 0;
        for (size_t i = 0; i < seq.len; i++)
                lines += seq.errors[i] == '\n';
        free(seq.errors);
        free(par.errors);
        return lines;
}

/* The machine sets of a batch run (a scheme and native) and of one
 * machine, beside every_scheme (the comparison). */
static const struct machines fewer[] = {
    {.n = 2, .modes = {MODE_SHADOW, MODE_NATIVE}},
    {.n = 2, .modes = {MODE_EPT, MODE_NATIVE}},
    {.n = 1, .modes = {MODE_NATIVE}},
};
#define NFEWER (sizeof fewer / sizeof fewer[0])

/* Threads of the parallel loop: one a core, and more than machines. */
static const unsigned thread_counts[] = {0, 3};
#define NTHREADS (sizeof thread_counts / sizeof thread_counts[0])

/* The same on every machine set and thread count. Returns the messages'
 * lines of every scheme. */
static unsigned same_outcome(const char *text, uint64_t guest_mem, size_t max_mem, bool keep_going)
{
        const struct machines all = every_scheme();
        unsigned lines = 0;
        for (unsigned t = 0; t < NTHREADS; t++) {
                lines =
                    same_outcome_on(text, &all, thread_counts[t], guest_mem, max_mem, keep_going);
                for (unsigned s = 0; s < NFEWER; s++)
                        same_outcome_on(text, &fewer[s], thread_counts[t], guest_mem, max_mem,
                                        keep_going);
        }
        return lines;
}

/* A trace of n rounds of: a new address space, a mapping in it, an access
 * to it, and every bad_every rounds (0: never) a bad line. */
static char *spaces_trace(unsigned n, unsigned bad_every)
{
        size_t size = (size_t)n * 80 + 1, o = 0;
        char *text = malloc(size);
        assert_non_null(text);
        for (unsigned i = 1; i <= n; i++) {
                o += (size_t)snprintf(text + o, size - o,
                                      "CR3 %u\nPT_WRITE 0x%x000->0x5000\nR 0x%x000\n", i,
                                      1 + i % 64, 1 + i % 64);
                if (bad_every && i % bad_every == 0)
                        o += (size_t)snprintf(text + o, size - o, "BAD %u\n", i);
        }
        return text;
}

/* Accesses over a working set larger than the TLB: many batches, counted
 * alike. */
static void test_many_batches(void **state)
{
        (void)state;
        size_t size = 40000 * 24, o = 0;
        char *text = malloc(size);
        assert_non_null(text);
        for (unsigned p = 0; p < 256; p++)
                o += (size_t)snprintf(text + o, size - o, "PT_WRITE 0x%x000->0x%x000\n", 16 + p,
                                      16 + p);
        for (unsigned i = 0; o + 32 < size; i++)
                o += (size_t)snprintf(text + o, size - o, "%s 0x%x000\n", i % 3 ? "R" : "W",
                                      16 + (i * 97) % 256);
        assert_int_equal(same_outcome(text, 0, 0, false), 0);
        assert_int_equal(same_outcome(text, 0, (size_t)1 << 30, false), 0);
        free(text);
}

/* Bad lines and tables that find no frame, in the order met. */
static void test_errors_in_order(void **state)
{
        (void)state;
        char *text = spaces_trace(6000, 7);
        assert_true(same_outcome(text, 2 << 20, 0, true) > 1000);
        assert_int_equal(same_outcome(text, 2 << 20, 0, false), 1);
        assert_int_equal(same_outcome(text, 0, 0, false), 1); /* the first bad line */
        free(text);
}

/* The memory limit stops both at the same line with the same sizes, early
 * or late in the trace. */
static void test_memory_limit(void **state)
{
        (void)state;
        char *text = spaces_trace(20000, 0);
        for (size_t mib = 16; mib <= 64; mib += 24) {
                assert_int_equal(same_outcome(text, 0, mib << 20, false), 1);
                assert_int_equal(same_outcome(text, 0, mib << 20, true), 1);
        }
        /* Fewer machines reach a lower limit. */
        for (unsigned s = 0; s < NFEWER; s++)
                for (size_t mib = 2; mib <= 8; mib *= 2)
                        for (unsigned t = 0; t < NTHREADS; t++)
                                assert_int_equal(same_outcome_on(text, &fewer[s], thread_counts[t],
                                                                 0, mib << 20, false),
                                                 1);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_many_batches),
            cmocka_unit_test(test_errors_in_order),
            cmocka_unit_test(test_memory_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
