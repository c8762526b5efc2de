/*
 * test_record.c - a run's record and its exit report: every scheme's
 * report on every generated workload sums to its exits and their cost, its
 * rows are in order, and the record's fields make rows as wide as the
 * header.
 */
#include "harness.h"

#include "exit_report.h"
#include "gen.h"
#include "record.h"

/* The text of scenario i at its defaults, seed 1. Caller frees. */
static char *scenario_text(unsigned i)
{
        const struct gen_scenario *sc = gen_scenario_at(i);
        uint64_t values[GEN_MAX_PARAMS];
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        gen_defaults(sc, values);
        assert_int_equal(gen_write(sc, values, 1, f, NULL), 0);
        fclose(f);
        return text;
}

static void check_report(const struct sim *s)
{
        struct exit_report r;
        exit_report_make(&r, &s->stats, &s->cfg.cost);
        uint64_t exits = 0, cycles = 0;
        for (unsigned i = 0; i < r.nrows; i++) {
                const struct exit_row *row = &r.rows[i];
                assert_true(row->exits > 0);
                assert_int_equal(row->exits, exit_report_count(&s->stats, row->reason));
                assert_int_equal(row->cycles,
                                 row->exits * stats_exit_cycles(&s->cfg.cost, row->reason));
                if (i > 0)
                        assert_true(r.rows[i - 1].exits > row->exits ||
                                    (r.rows[i - 1].exits == row->exits &&
                                     r.rows[i - 1].reason < row->reason));
                exits += row->exits;
                cycles += row->cycles;
        }
        assert_int_equal(exits, s->stats.exits);
        assert_int_equal(r.exits, exits);
        assert_int_equal(r.cycles, cycles);
        assert_true(r.cycles + r.vmm_cycles <= s->stats.cycles);
        /* Every reason that occurred has a row. */
        unsigned occurred = 0;
        for (int reason = 0; reason < EXIT_REASON_COUNT; reason++)
                occurred += exit_report_count(&s->stats, (enum exit_reason)reason) > 0;
        assert_int_equal(occurred, r.nrows);
}

static void test_reports_sum_to_the_exits(void **state)
{
        (void)state;
        unsigned with_exits = 0;
        for (unsigned sc = 0; sc < gen_scenario_count(); sc++) {
                char *text = scenario_text(sc);
                for (int m = 0; m < MODE_COUNT; m++) {
                        struct sim_config cfg = config_for((enum mmu_mode)m);
                        cfg.vcpus = SIM_MAX_VCPUS; /* for shootdown's threads; idle otherwise */
                        struct sim s;
                        sim_init(&s, &cfg);
                        feed(&s, text);
                        check_report(&s);
                        with_exits += s.stats.exits > 0;
                        sim_free(&s);
                }
                free(text);
        }
        assert_true(with_exits > gen_scenario_count()); /* not a test of empty reports */
}

/* Counts the cells of a CSV line without quotes. */
static unsigned cells(const char *line)
{
        unsigned n = 1;
        for (; *line && *line != '\n'; line++)
                n += *line == ',';
        return n;
}

static void test_record_rows_match_the_header(void **state)
{
        (void)state;
        unsigned n = record_field_count();
        for (unsigned i = 0; i < n; i++)
                assert_non_null(record_field_name(i));
        assert_null(record_field_name(n));
        assert_string_equal(record_field_name(0), "version");
        assert_string_equal(record_field_name(n - 1), "overhead_pct");
        struct run_record rec = {.trace = "t.txt", .lines = 3, .compression = "gzip"};
        sim_config_defaults(&rec.cfg);
        rec.cfg.tlb_ways = 7;
        rec.stats.exits = 42;
        rec.stats.cycles = 300;
        rec.native_cycles = 100;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        record_csv_header(f);
        record_csv_row(f, &rec);
        fclose(f);
        char *row = strchr(text, '\n') + 1;
        assert_int_equal(cells(text), n);
        assert_int_equal(cells(row), n);
        assert_non_null(strstr(row, ",t.txt,3,auto,gzip,shadow,"));
        assert_non_null(strstr(row, ",16,7,off,on,on,4K,"));
        assert_non_null(strstr(row, ",300,200.0\n"));
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_reports_sum_to_the_exits),
            cmocka_unit_test(test_record_rows_match_the_header),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
