/*
 * test_cost.c - the cost model: every key documented with its source, the
 * base costs that calibrate a run (per access, per instruction fetch) and
 * that they change nothing but cycles, equally in every scheme.
 */
#include "harness.h"

/* --cost help names every key with a default, a meaning and a source. */
static void test_help_cites_every_key(void **state)
{
        (void)state;
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        cost_print_help(out);
        fclose(out);
        const char *keys[] = {"exit",         "page_fault",    "pt_write",  "cr3",
                              "invlpg",       "ept_violation", "pml_full",  "shadow_page",
                              "resync_entry", "walk_ref",      "access",    "pt_store",
                              "guest_pf",     "base_access",   "base_instr"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                char want[32];
                snprintf(want, sizeof want, "\n  %s ", keys[i]);
                const char *at = strstr(text, want);
                if (!at)
                        fail_msg("--cost help lacks %s", keys[i]);
                /* The next line holds its source, in brackets. */
                const char *next = strchr(at + 1, '\n');
                assert_non_null(next);
                const char *open = strchr(next, '[');
                assert_non_null(open);
                assert_true(open < strchr(next + 1, '\n'));
        }
        assert_non_null(strstr(text, "SplitX"));
        assert_non_null(strstr(text, "overhead percentages are far above measured slowdowns"));
        free(text);
}

/* The base costs default to 0 and parse like any key. */
static void test_base_keys(void **state)
{
        (void)state;
        struct cost_model c;
        char err[128];
        cost_defaults(&c);
        assert_int_equal(c.base_access, 0);
        assert_int_equal(c.base_instr, 0);
        assert_int_equal(cost_parse(&c, "base_access=3,base_instr=2", err, sizeof err), 0);
        assert_int_equal(c.base_access, 3);
        assert_int_equal(c.base_instr, 2);
}

/* Runs text under cfg and returns its counters. */
static struct stats run(const struct sim_config *cfg, const char *text)
{
        struct sim s;
        struct recorder rec;
        start(&s, cfg, &rec);
        feed(&s, text);
        struct stats st = s.stats;
        finish(&s, &rec);
        return st;
}

/* base_access adds its cost to every access and base_instr to every
 * instruction fetch, in every scheme alike; no other counter moves. */
static void test_base_costs_add_to_every_scheme(void **state)
{
        (void)state;
        const char *text = "PT_WRITE 0x1000->0x5000 rwx\nR 0x1000\nW 0x1000\nX 0x1000\nX 0x1000\n"
                           "PT_WRITE 0x2000->0x6000\nR 0x2000\nW 0x2000\n";
        for (int mode = 0; mode < MODE_COUNT; mode++) {
                struct sim_config cfg = config_for((enum mmu_mode)mode);
                struct stats plain = run(&cfg, text);
                cfg.cost.base_access = 7;
                cfg.cost.base_instr = 100;
                struct stats based = run(&cfg, text);
                /* 6 accesses, 2 of them instruction fetches. */
                assert_int_equal(plain.accesses, 6);
                assert_int_equal(based.cycles - plain.cycles, 6 * 7 + 2 * 100);
                plain.cycles = based.cycles;
                assert_memory_equal(&plain, &based, sizeof plain);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_help_cites_every_key),
            cmocka_unit_test(test_base_keys),
            cmocka_unit_test(test_base_costs_add_to_every_scheme),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
