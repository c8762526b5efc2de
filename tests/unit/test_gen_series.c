/*
 * test_gen_series.c - the --series CSV sink: a row before the first event,
 * one every N events, one at the end, each with every counter.
 */
#include "harness.h"

#include "series.h"

/* Splits the CSV text into rows; returns the number of rows and leaves
 * pointers to their starts in rows[] (the text is cut at each newline). */
static size_t split_rows(char *text, char **rows, size_t max)
{
        size_t n = 0;
        for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n"))
                rows[n++] = line;
        return n;
}

static size_t count_fields(const char *row)
{
        size_t n = 1;
        for (; *row; row++)
                n += *row == ',';
        return n;
}

static void run_series(uint64_t every, uint64_t *events, char **text)
{
        size_t len = 0;
        FILE *out = open_memstream(text, &len);
        assert_non_null(out);
        struct sim_config cfg = config_for(MODE_SHADOW);
        struct sim s;
        struct series sr;
        sim_init(&s, &cfg);
        series_header(out, cfg.vcpus);
        assert_true(series_start(&sr, &s, out, every, "shadow"));
        feed(&s, "PT_WRITE 0x1000->0x5000\nR 0x1000\nW 0x1000\nCR3 1\nPT_WRITE 0x2000->0x6000\n"
                 "R 0x2000\nCR3 0\nR 0x1000\nPT_CLEAR 0x1000\nINVLPG 0x1000\nR 0x1000\n");
        series_finish(&sr);
        *events = s.seq;
        /* The last row must hold the final counters. */
        fprintf(out, "exits=%llu,cycles=%llu\n", (unsigned long long)s.stats.exits,
                (unsigned long long)s.stats.cycles);
        fclose(out);
        sim_free(&s);
}

static void test_rows(void **state)
{
        (void)state;
        static const uint64_t everies[] = {1, 7, 1000};
        for (size_t k = 0; k < 3; k++) {
                uint64_t events;
                char *text = NULL;
                run_series(everies[k], &events, &text);
                char *rows[1024];
                size_t n = split_rows(text, rows, 1024);
                uint64_t every = everies[k];
                /* header + event 0 + every N + the end (if off the grid) + check line */
                size_t want = 2 + events / every + (events % every != 0) + 1;
                assert_int_equal(n, want);
                unsigned shown = 0;
                for (unsigned i = 0; i < STATS_COUNT; i++)
                        shown += stats_shown(i, 1);
                /* None of the counters about several vCPUs. */
                assert_true(shown < STATS_COUNT);
                assert_null(strstr(rows[0], "shootdown"));
                assert_int_equal(count_fields(rows[0]), 4 + shown);
                assert_memory_equal(rows[0], "scheme,event,op,line,exits,", 27);
                assert_memory_equal(rows[1], "shadow,0,0,0,0,", 15);
                for (size_t i = 1; i + 1 < n; i++)
                        assert_int_equal(count_fields(rows[i]), 4 + shown);
                /* The last row: event number and the counters of the end. */
                unsigned long long ev, exits, cycles;
                assert_int_equal(sscanf(rows[n - 2], "shadow,%llu,%*u,%*u,%llu", &ev, &exits), 2);
                assert_int_equal(ev, events);
                const char *last_comma = strrchr(rows[n - 2], ',');
                unsigned long long want_exits, want_cycles;
                assert_int_equal(
                    sscanf(rows[n - 1], "exits=%llu,cycles=%llu", &want_exits, &want_cycles), 2);
                assert_int_equal(exits, want_exits);
                assert_int_equal(sscanf(last_comma + 1, "%llu", &cycles), 1);
                assert_int_equal(cycles, want_cycles);
                /* Rows in between fall on the grid. */
                for (size_t i = 2; i + 2 < n; i++) {
                        assert_int_equal(sscanf(rows[i], "shadow,%llu", &ev), 1);
                        assert_int_equal(ev % every, 0);
                }
                free(text);
        }
}

/* A sim whose sink slots are all taken refuses the series. */
static void test_no_room(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        struct sim s;
        struct recorder rec[SIM_MAX_SINKS];
        sim_init(&s, &cfg);
        for (int i = 0; i < SIM_MAX_SINKS; i++) {
                memset(&rec[i], 0, sizeof rec[i]);
                sim_add_sink(&s, record_sink, &rec[i]);
        }
        struct series sr;
        FILE *out = fopen("/dev/null", "w");
        assert_non_null(out);
        assert_false(series_start(&sr, &s, out, 1, "native"));
        fclose(out);
        sim_free(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rows),
            cmocka_unit_test(test_no_room),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
