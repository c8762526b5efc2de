/*
 * test_run.c - the run loop's blocks give what one op at a time gives.
 *
 * run_trace reads runs of lackey accesses a block at a time and, when
 * nothing can tell, applies a block to one machine before the next
 * (sim_apply_ops, which counts runs of TLB hits together). Against a
 * reference loop that reads one op at a time and applies it to every
 * machine in turn (run_trace as it was before blocks), on random process
 * traces under every scheme and several machines: the same status,
 * messages, events and machines (counters, event and op numbers, TLB
 * contents with their LRU ages, frames handed out), also when guest
 * memory runs out, with and without --keep-going.
 */
#include "harness.h"

#include "event.h"
#include "run.h"
#include "scheme.h"

/* splitmix64 */
static uint64_t rnd(uint64_t *x)
{
        uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

/* A lackey trace of about lines lines over pages pages of code, stack and
 * heap: runs of fetches on a page, data accesses between them, some that
 * cross a page, now and then a banner or (bad) a malformed line. */
static char *process_trace(uint64_t seed, unsigned lines, unsigned pages, bool bad)
{
        size_t size = (size_t)lines * 24 + 64, o = 0;
        char *text = malloc(size);
        assert_non_null(text);
        o += (size_t)snprintf(text, size, "==1== Lackey\n");
        uint64_t x = seed, code = 0x4000000;
        while (o + 48 < size) {
                uint64_t r = rnd(&x) % 100;
                if (r < 60) {
                        code += 1 + rnd(&x) % 6;
                        if (rnd(&x) % 16 == 0)
                                code = 0x4000000 + (rnd(&x) % pages << 12) + rnd(&x) % 4096;
                        o += (size_t)snprintf(text + o, size - o, "I  %08llx,%u\n",
                                              (unsigned long long)code, 1 + (unsigned)(r % 7));
                } else if (r < 97) {
                        uint64_t base = r % 2 ? UINT64_C(0x1ffefff000) : 0x5000000;
                        uint64_t addr = base + (rnd(&x) % pages << 12) + rnd(&x) % 4096;
                        o += (size_t)snprintf(text + o, size - o, " %c %08llx,%u\n",
                                              "LSM"[rnd(&x) % 3], (unsigned long long)addr,
                                              1u << (rnd(&x) % 5));
                } else if (r < 99 || !bad) {
                        o += (size_t)snprintf(text + o, size - o, "==1== note %u\n", (unsigned)r);
                } else {
                        o += (size_t)snprintf(text + o, size - o, " L zz%u,8\n", (unsigned)r);
                }
        }
        return text;
}

/* What a loop ended with, and the machines it left. */
struct outcome {
        int status;
        bool end;
        struct sim sims[2];
        char *messages; /* errors, then the main machine's events, as lines */
        size_t len;
};

static void event_line(void *ctx, const struct event *ev)
{
        char line[256];
        size_t n = event_format(ev, line, sizeof line);
        fprintf(ctx, "%.*s\n", (int)n, line);
}

/* The loop run_trace was before it read blocks: one op at a time, applied
 * to every sim in turn. */
static int reference_loop(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
                          const struct run_options *opt, bool *reached_end)
{
        int status = 0;
        *reached_end = false;
        for (uint64_t n = 0;; n++) {
                struct op op;
                struct trace_error err;
                enum trace_status st = trace_next(r, &op, &err);
                if (st == TRACE_EOF) {
                        *reached_end = true;
                        return status;
                }
                if (st == TRACE_BAD_LINE) {
                        run_print_error(opt->errors, opt->name, &err);
                        if (!opt->keep_going)
                                return EXIT_DATAERR;
                        status = EXIT_DATAERR;
                        continue;
                }
                assert_int_equal(st, TRACE_OK);
                if (run_is_check(&op, n) && run_check_output(opt->out, opt->errors))
                        return EXIT_IOERR;
                bool applied = true;
                for (unsigned i = 0; i < nsims; i++)
                        applied &= sim_apply(sims[i], &op);
                if (!applied) {
                        run_report_no_frame(opt, &op);
                        if (!opt->keep_going)
                                return EXIT_DATAERR;
                        status = EXIT_DATAERR;
                }
        }
}

/* Runs text on cfg's scheme and native beside it (as the batch command
 * does), with run_trace or the reference loop; with sink, the main
 * machine's events are written after the errors. */
static void run_one(const char *text, const struct sim_config *cfg, bool keep_going, bool sink,
                    bool reference, struct outcome *o)
{
        struct sim_config native = *cfg;
        native.mode = MODE_NATIVE;
        sim_init(&o->sims[0], cfg);
        sim_init(&o->sims[1], &native);
        struct sim *ptrs[2] = {&o->sims[0], &o->sims[1]};
        FILE *out = open_memstream(&o->messages, &o->len);
        assert_non_null(out);
        if (sink)
                sim_add_sink(&o->sims[0], event_line, out);
        struct trace_limits limits;
        trace_limits_of_config(cfg, &limits);
        struct trace_reader r;
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &limits);
        struct run_options opt = {.name = "t", .keep_going = keep_going, .errors = out, .out = out};
        o->status = (reference ? reference_loop : run_trace)(&r, ptrs, 2, &opt, &o->end);
        fclose(out);
        trace_close(&r);
}

static void same_tlb(const struct tlb *a, const struct tlb *b)
{
        assert_int_equal(a->tick, b->tick);
        for (size_t i = 0; i < (size_t)a->sets * a->ways; i++) {
                const struct tlb_entry *x = &a->e[i], *y = &b->e[i];
                assert_int_equal(x->valid, y->valid);
                if (!x->valid)
                        continue;
                assert_int_equal(x->vpn, y->vpn);
                assert_int_equal(x->hfn, y->hfn);
                assert_int_equal(x->last_use, y->last_use);
                assert_int_equal(x->dirty, y->dirty);
                assert_int_equal(x->stale, y->stale);
        }
}

/* Both loops on text: the same outcome. Returns the blocks' status. */
static int same_outcome(const char *text, const struct sim_config *cfg, bool keep_going, bool sink)
{
        struct outcome blocks, ref;
        run_one(text, cfg, keep_going, sink, false, &blocks);
        run_one(text, cfg, keep_going, sink, true, &ref);
        assert_int_equal(blocks.status, ref.status);
        assert_int_equal(blocks.end, ref.end);
        assert_int_equal(blocks.len, ref.len);
        assert_memory_equal(blocks.messages, ref.messages, ref.len);
        for (int m = 0; m < 2; m++) {
                struct sim *a = &blocks.sims[m], *b = &ref.sims[m];
                assert_memory_equal(&a->stats, &b->stats, sizeof a->stats);
                assert_int_equal(a->seq, b->seq);
                assert_int_equal(a->ops, b->ops);
                assert_int_equal(a->line, b->line);
                assert_int_equal(a->next_data_gfn, b->next_data_gfn);
                assert_int_equal(a->guest.ntables, b->guest.ntables);
                same_tlb(&a->tlb, &b->tlb);
                sim_free(a);
                sim_free(b);
        }
        free(blocks.messages);
        free(ref.messages);
        return ref.status;
}

/* Every scheme on machines that hit, miss, evict and take large pages
 * differently, and with the costs of a program's own work; read by no
 * sink (the runs of hits counted together) and with the log of the main
 * machine. */
static void test_blocks_as_one_op_at_a_time(void **state)
{
        (void)state;
        char *text = process_trace(1, 30000, 24, false);
        for (unsigned mode = 0; mode < MODE_COUNT; mode++) {
                for (int variant = 0; variant < 7; variant++) {
                        struct sim_config cfg = config_for((enum mmu_mode)mode);
                        cfg.pcid = variant == 1;
                        cfg.tlb_sets = variant == 2 ? 1 : variant == 3 ? 64 : 16;
                        cfg.tlb_ways = variant == 2 ? 1 : variant == 3 ? 8 : 4;
                        cfg.host_large = variant == 4;
                        cfg.pwc = variant != 5;
                        cfg.levels = variant == 5 ? 5 : 4;
                        cfg.ept_levels = cfg.levels;
                        if (variant == 6) { /* a program's own work in the cycles */
                                cfg.cost.base_access = 2;
                                cfg.cost.base_instr = 7;
                        }
                        assert_int_equal(same_outcome(text, &cfg, false, false), 0);
                        if (variant == 0)
                                assert_int_equal(same_outcome(text, &cfg, false, true), 0);
                }
        }
        free(text);
}

/* A guest too small for the trace's pages: the run stops at the first
 * access that finds no frame, or goes on with --keep-going; bad lines
 * between. */
static void test_out_of_frames_and_bad_lines(void **state)
{
        (void)state;
        char *text = process_trace(2, 20000, 200, true);
        for (unsigned mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                cfg.guest_mem = 2 << 20; /* 512 frames, 256 below the data frames */
                assert_int_equal(same_outcome(text, &cfg, false, false), EXIT_DATAERR);
                assert_int_equal(same_outcome(text, &cfg, true, false), EXIT_DATAERR);
                assert_int_equal(same_outcome(text, &cfg, true, true), EXIT_DATAERR);
                cfg.guest_mem = 4 << 20;
                assert_int_equal(same_outcome(text, &cfg, true, false), EXIT_DATAERR);
        }
        free(text);
}

/* sim_can_page_in keeps its promise up to where frames run out: while it
 * holds for two pages, an access never finds no frame, and it holds for
 * most of the run. */
static void test_page_in_promise(void **state)
{
        (void)state;
        char *text = process_trace(3, 20000, 400, false);
        for (unsigned mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                cfg.guest_mem = 3 << 20;
                struct sim s;
                sim_init(&s, &cfg);
                struct trace_limits limits;
                trace_limits_of_config(&cfg, &limits);
                struct trace_reader r;
                trace_open_string(&r, text, TRACE_FORMAT_LACKEY, &limits);
                struct op op;
                struct trace_error err;
                unsigned promised = 0, failed = 0;
                while (trace_next(&r, &op, &err) == TRACE_OK) {
                        bool promise = sim_can_page_in(&s, 2);
                        bool applied = sim_apply(&s, &op);
                        promised += promise;
                        failed += !applied;
                        assert_true(applied || !promise);
                }
                assert_true(failed > 0);
                assert_true(promised > 1000);
                trace_close(&r);
                sim_free(&s);
        }
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_blocks_as_one_op_at_a_time),
            cmocka_unit_test(test_out_of_frames_and_bad_lines),
            cmocka_unit_test(test_page_in_promise),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
