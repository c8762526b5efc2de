/*
 * test_lackey.c - Valgrind lackey input and demand paging: the parser of
 * each access kind, banners, malformed lines, accesses that cross a page,
 * and the guest kernel's page-ins (one guest #PF per distinct page, code
 * read+exec, data read+write, the same faults under every scheme).
 */
#include "harness.h"

#include "run.h"
#include "trace_lackey.h"

static const struct trace_limits limits4 = {.levels = 4, .guest_mem = UINT64_C(4) << 30};

/* Parses one line; returns what trace_parse_lackey returned. */
static int parse(const char *line, struct op *op, struct op *second, struct trace_error *err)
{
        memset(err, 0, sizeof *err);
        return trace_parse_lackey(line, strlen(line), &limits4, op, second, err);
}

static void test_each_kind(void **state)
{
        (void)state;
        struct op op, second;
        struct trace_error err;

        assert_int_equal(parse("I  04016bf0,3", &op, &second, &err), 1);
        assert_int_equal(op.kind, OP_ACCESS);
        assert_int_equal(op.access, ACCESS_EXEC);
        assert_int_equal(op.gva, 0x4016bf0);
        assert_int_equal(op.size, 3);
        assert_true(op.demand);

        assert_int_equal(parse(" L 1fff000618,8", &op, &second, &err), 1);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(op.gva, 0x1fff000618);
        assert_int_equal(op.size, 8);

        assert_int_equal(parse(" S 04a1B0c8,16", &op, &second, &err), 1);
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_int_equal(op.gva, 0x4a1b0c8);
        assert_int_equal(op.size, 16);

        /* Modify: a load, then a store of the same bytes. */
        assert_int_equal(parse(" M 0402c000,4", &op, &second, &err), 2);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(second.access, ACCESS_WRITE);
        assert_int_equal(second.gva, 0x402c000);
        assert_int_equal(second.size, 4);
        assert_true(second.demand);
}

static void test_banners_and_blanks(void **state)
{
        (void)state;
        static const char *const skipped[] = {
            "==7850== Lackey, an example Valgrind tool",
            "==7850== ",
            "--11620-- Reading syms from /usr/bin/true",
            "**42** a message from the client",
            "",
            "   ",
        };
        for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
                struct op op, second;
                struct trace_error err;
                assert_int_equal(parse(skipped[i], &op, &second, &err), 0);
                assert_int_equal(err.col, 0);
        }
        assert_true(trace_lackey_looks_like("==1== x", 7));
        assert_true(trace_lackey_looks_like(" S 10,4", 7));
        assert_false(trace_lackey_looks_like("R 0x1000", 8));
        assert_false(trace_lackey_looks_like("PT_WRITE 0x1000->0x5000", 23));
        assert_false(trace_lackey_looks_like("== not a banner", 15));
}

static void test_malformed(void **state)
{
        (void)state;
        static const struct {
                const char *line;
                unsigned col;
                const char *msg;
        } cases[] = {
            {"Q 1000,4", 1, "expected a lackey access kind I, L, S or M, found 'Q'"},
            {"I  zz,3", 4, "expected a hex address, found 'zz'"},
            {" L 1000", 8, "expected ',' and an access size, found end of line"},
            {" L 1000,", 9,
             "expected an access size in decimal right after ',', found end of line"},
            {" L 1000,0", 9, "expected an access size of at least 1 byte, found '0'"},
            {" L 1000,5000", 9, "expected an access size of at most 4096 bytes"},
            {" L 1000,8 x", 11, "expected end of line, found 'x'"},
            {" S1000,8", 3, "expected a space after the access kind"},
            {"I 12345678901234567,1", 3, "expected a hex address that fits in 64 bits"},
            {" S 7ffffffffffc,8", 4, "expected an access that ends within user space"},
            {" S 800000000000,8", 4, "expected a user-space address within the guest's"},
            {"== not a banner", 1, "expected a lackey access kind"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct op op, second;
                struct trace_error err;
                assert_int_equal(parse(cases[i].line, &op, &second, &err), 0);
                if (err.col != cases[i].col || !strstr(err.msg, cases[i].msg))
                        fail_msg("'%s': col %u '%s', expected col %u '%s'", cases[i].line, err.col,
                                 err.msg, cases[i].col, cases[i].msg);
        }
        /* A NUL byte is not an access kind (strchr would find it). */
        struct op op, second;
        struct trace_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(trace_parse_lackey("\0 10,4", 6, &limits4, &op, &second, &err), 0);
        assert_int_equal(err.col, 1);
}

/* The highest user address of 5-level paging is accepted there only. */
static void test_address_width(void **state)
{
        (void)state;
        struct trace_limits limits5 = {.levels = 5, .guest_mem = UINT64_C(4) << 30};
        struct op op, second;
        struct trace_error err;
        const char *line = " L ffffffffffff00,8";
        memset(&err, 0, sizeof err);
        assert_int_equal(trace_parse_lackey(line, strlen(line), &limits5, &op, &second, &err), 1);
        assert_int_equal(parse(line, &op, &second, &err), 0);
        assert_int_equal(err.col, 4);
}

/* Through the reader: detection, M split in two ops of one line, banner
 * lines counted, errors as file:line:col. */
static void test_reader(void **state)
{
        (void)state;
        struct trace_reader r;
        struct op op;
        struct trace_error err;
        trace_open_string(&r, "==1== banner\nI  1000,2\n M 2000,8\n\n S 3000,4\n L zz,1\n",
                          TRACE_FORMAT_AUTO, &limits4);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.line, 2);
        assert_int_equal(op.access, ACCESS_EXEC);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.line, 3);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.line, 3);
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_int_equal(op.gva, 0x2000);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.line, 5);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_BAD_LINE);
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        run_print_error(out, "prog.lackey", &err);
        fclose(out);
        assert_string_equal(text, "prog.lackey:6:4: error: expected a hex address, found 'zz'\n");
        free(text);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_EOF);
        trace_close(&r);

        /* --format lackey reads a file with no banner whose first line a
         * v1 reader would reject. */
        trace_open_string(&r, " M 10,4\n", TRACE_FORMAT_LACKEY, &limits4);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_true(op.demand);
        trace_close(&r);
        /* Forced v1 refuses lackey lines. */
        trace_open_string(&r, " M 10,4\n", TRACE_FORMAT_V1, &limits4);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_BAD_LINE);
        trace_close(&r);
}

/* Feeds lackey text to s. */
static void feed_lackey(struct sim *s, const char *text)
{
        feed_format(s, text, TRACE_FORMAT_LACKEY);
}

/* An access over a page boundary touches both pages: two faults, two
 * page-ins, two completed accesses; one inside a page touches one. */
static void test_page_crossing(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        struct sim s;
        struct recorder rec;
        start(&s, &cfg, &rec);
        feed_lackey(&s, " S 1ffc,8\n");
        assert_int_equal(s.stats.guest_pf, 2);
        assert_int_equal(count_kind(&rec, EV_PT_WRITE), 2);
        assert_int_equal(count_kind(&rec, EV_ACCESS), 2);
        size_t a = find_kind(&rec, 0, EV_ACCESS);
        size_t b = find_kind(&rec, a + 1, EV_ACCESS);
        assert_int_equal(rec.ev[a].gva, 0x1ffc);
        assert_int_equal(rec.ev[b].gva, 0x2000);
        assert_int_equal(rec.ev[a].access, ACCESS_WRITE);
        assert_int_equal(rec.ev[b].access, ACCESS_WRITE);
        /* Ending exactly at the boundary stays on one page. */
        feed_lackey(&s, " L 3ff8,8\n");
        assert_int_equal(s.stats.guest_pf, 3);
        assert_int_equal(s.stats.accesses, 3);
        /* A modify that crosses: load and store on both pages, the two
         * new pages faulted in once each. */
        feed_lackey(&s, " M 5ffe,4\n");
        assert_int_equal(s.stats.guest_pf, 5);
        assert_int_equal(s.stats.accesses, 7);
        finish(&s, &rec);
}

/* The fault handler's mappings: a fetch maps read+exec, a load or store
 * read+write (and no exec), both user pages, each on a fresh frame from
 * 1 MiB upwards; the faulting access then completes. */
static void test_page_in_permissions(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        struct sim s;
        struct recorder rec;
        start(&s, &cfg, &rec);
        feed_lackey(&s, "I  401000,4\n L 601008,8\n");
        assert_int_equal(count_kind(&rec, EV_GUEST_PF), 2);
        size_t pf = find_kind(&rec, 0, EV_GUEST_PF);
        assert_int_equal(rec.ev[pf].detail, DETAIL_DEMAND);
        size_t w = find_kind(&rec, pf, EV_PT_WRITE);
        assert_int_equal(rec.ev[w].gva, 0x401000);
        assert_int_equal(rec.ev[w].gpa, 0x100000);
        uint64_t code = rec.ev[w].new_entry;
        assert_true(code & PTE_U);
        assert_false(code & PTE_W);
        assert_false(code & PTE_NX);
        size_t acc = find_kind(&rec, w, EV_ACCESS);
        assert_int_equal(rec.ev[acc].gva, 0x401000);
        assert_int_equal(rec.ev[acc].gpa, 0x100000);

        pf = find_kind(&rec, acc, EV_GUEST_PF);
        w = find_kind(&rec, pf, EV_PT_WRITE);
        uint64_t data = rec.ev[w].new_entry;
        assert_int_equal(rec.ev[w].gpa, 0x101000);
        assert_true(data & PTE_U);
        assert_true(data & PTE_W);
        assert_true(data & PTE_NX);
        acc = find_kind(&rec, w, EV_ACCESS);
        assert_int_equal(rec.ev[acc].gpa, 0x101008);
        assert_int_equal(rec.ev[acc].access, ACCESS_READ);

        /* Touching the pages again costs no fault. */
        feed_lackey(&s, " S 601010,8\nI  401004,2\n L 401800,4\n");
        assert_int_equal(s.stats.guest_pf, 2);
        finish(&s, &rec);
}

/* A store to a code page or a fetch from a data page (which a real kernel
 * would refuse) widens the page's permissions with one more fault instead
 * of looping; the frame stays the same. */
static void test_widening(void **state)
{
        (void)state;
        struct sim_config cfg = config_for(MODE_NATIVE);
        struct sim s;
        struct recorder rec;
        start(&s, &cfg, &rec);
        feed_lackey(&s, "I  401000,4\n S 401100,8\n L 601000,8\nI  601100,4\n");
        assert_int_equal(s.stats.guest_pf, 4);
        assert_int_equal(count_kind(&rec, EV_PT_WRITE), 2);
        assert_int_equal(count_kind(&rec, EV_PT_PROTECT), 2);
        const struct event *p = last_kind(&rec, EV_PT_PROTECT);
        assert_int_equal(p->gva, 0x601000);
        assert_false(p->new_entry & PTE_NX);
        assert_true(p->new_entry & PTE_W);
        assert_int_equal(pte_frame(p->new_entry), 0x101);
        assert_int_equal(s.stats.accesses, 4);
        finish(&s, &rec);
}

/* xorshift for the synthetic trace below: the test's own, independent of
 * the generator's PRNG. */
static uint64_t next_rand(uint64_t *x)
{
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        return *x;
}

/* A synthetic process trace: code, stack and heap regions, with accesses
 * that cross pages. The guest #PFs equal the distinct pages touched,
 * counted here independently, under every scheme; all schemes agree on
 * every final address. */
static void test_faults_equal_distinct_pages(void **state)
{
        (void)state;
        enum { LINES = 3000 };
        size_t cap = LINES * 32, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        uint64_t pages[2 * LINES];
        size_t npages = 0;
        uint64_t x = 88172645463325252u;
        for (int i = 0; i < LINES; i++) {
                uint64_t r = next_rand(&x);
                char kind = "ILSM"[r % 4];
                uint64_t base = kind == 'I' ? 0x400000 : (r >> 8) % 2 ? 0x1fff000000 : 0x4a0000;
                uint64_t addr = base + (r >> 16) % (40 * 4096);
                unsigned size = 1u << ((r >> 40) % 4);
                len +=
                    (size_t)snprintf(text + len, cap - len, "%s%c %llx,%u\n",
                                     kind == 'I' ? "" : " ", kind, (unsigned long long)addr, size);
                uint64_t first = addr >> 12, last = (addr + size - 1) >> 12;
                for (uint64_t p = first; p <= last; p++) {
                        size_t j = 0;
                        while (j < npages && pages[j] != p)
                                j++;
                        if (j == npages)
                                pages[npages++] = p;
                }
        }
        /* Code and data regions do not overlap, so no page is widened. */
        struct sim sims[MODE_COUNT];
        struct recorder recs[MODE_COUNT];
        for (int m = 0; m < MODE_COUNT; m++) {
                struct sim_config cfg = config_for((enum mmu_mode)m);
                start(&sims[m], &cfg, &recs[m]);
                feed_lackey(&sims[m], text);
                assert_int_equal(sims[m].stats.guest_pf, npages);
                assert_int_equal(count_kind(&recs[m], EV_GUEST_PF), npages);
                assert_int_equal(sims[m].stats.stale_tlb, 0);
        }
        /* The same accesses with the same final addresses everywhere. */
        for (int m = 1; m < MODE_COUNT; m++) {
                size_t i = 0, j = 0;
                for (;;) {
                        i = find_kind(&recs[0], i, EV_ACCESS);
                        j = find_kind(&recs[m], j, EV_ACCESS);
                        if (i == recs[0].n || j == recs[m].n)
                                break;
                        assert_int_equal(recs[0].ev[i].gva, recs[m].ev[j].gva);
                        assert_int_equal(recs[0].ev[i].hpa, recs[m].ev[j].hpa);
                        i++, j++;
                }
                assert_int_equal(i, recs[0].n);
                assert_int_equal(j, recs[m].n);
        }
        /* Paging in is a PT write the shadow VMM traps; under EPT the
         * guest's #PFs and PT writes cost no exit. */
        assert_true(sims[MODE_SHADOW].stats.pt_traps > 0);
        assert_int_equal(sims[MODE_EPT].stats.pt_traps, 0);
        assert_int_equal(sims[MODE_EPT].stats.exits, sims[MODE_EPT].stats.ept_violations);
        for (int m = 0; m < MODE_COUNT; m++)
                finish(&sims[m], &recs[m]);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_each_kind),
            cmocka_unit_test(test_banners_and_blanks),
            cmocka_unit_test(test_malformed),
            cmocka_unit_test(test_address_width),
            cmocka_unit_test(test_reader),
            cmocka_unit_test(test_page_crossing),
            cmocka_unit_test(test_page_in_permissions),
            cmocka_unit_test(test_widening),
            cmocka_unit_test(test_faults_equal_distinct_pages),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
