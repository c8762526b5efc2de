/*
 * test_trace.c - the trace format v1 parser and the streaming reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "number.h"
#include "trace.h"

static const struct trace_limits limits4 = {4, UINT64_C(4) << 30, 1};

static bool parse(const char *line, struct op *op, struct trace_error *err)
{
        return trace_parse_v1(line, strlen(line), &limits4, op, err);
}

/* Parses a line that must be malformed; returns the error column. */
static unsigned bad(const char *line, const char *msg_part)
{
        struct op op;
        struct trace_error err;
        assert_false(parse(line, &op, &err));
        assert_int_not_equal(err.col, 0);
        if (!strstr(err.msg, msg_part))
                fail_msg("'%s': message '%s' lacks '%s'", line, err.msg, msg_part);
        return err.col;
}

static void test_seed_forms(void **state)
{
        (void)state;
        struct op op;
        struct trace_error err;
        const char *forms[] = {"PT_WRITE 0x1000->0x5000", "PT_WRITE 0x1000 -> 0x5000",
                               "pt_write 0x1000-> 0x5000", "PT_WRITE 4096->20480"};
        for (size_t i = 0; i < 4; i++) {
                assert_true(parse(forms[i], &op, &err));
                assert_int_equal(op.kind, OP_PT_WRITE);
                assert_int_equal(op.gva, 0x1000);
                assert_int_equal(op.gpa, 0x5000);
                assert_int_equal(op.leaf_level, 1);
                assert_int_equal(op.perm, PTE_W | PTE_NX); /* default rw */
        }
        assert_true(parse("ACCESS 0x1000", &op, &err));
        assert_int_equal(op.kind, OP_ACCESS);
        assert_int_equal(op.access, ACCESS_READ);
}

static void test_every_keyword(void **state)
{
        (void)state;
        struct op op;
        struct trace_error err;
        assert_true(parse("PT_WRITE 0x400000->0x200000 rxu 2M", &op, &err));
        assert_int_equal(op.leaf_level, 2);
        assert_int_equal(op.perm, PTE_U);
        assert_true(parse("PT_WRITE 0x40000000->0x40000000 1G", &op, &err));
        assert_int_equal(op.leaf_level, 3);
        assert_true(parse("PT_CLEAR 0x1000", &op, &err));
        assert_int_equal(op.kind, OP_PT_CLEAR);
        assert_true(parse("PT_PROTECT 0x1000 r", &op, &err));
        assert_int_equal(op.kind, OP_PT_PROTECT);
        assert_int_equal(op.perm, PTE_NX);
        assert_true(parse("access 0x1000 w", &op, &err));
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_true(parse("X 0x1000", &op, &err));
        assert_int_equal(op.access, ACCESS_EXEC);
        assert_true(parse("W 0x1000 # comment", &op, &err));
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_false(op.user);
        /* user: a user-mode access, in every spelling, and back to text. */
        char text[64];
        assert_true(parse("ACCESS 0x1000 W user", &op, &err));
        assert_true(op.user && op.access == ACCESS_WRITE);
        assert_string_equal(op_format(&op, text, sizeof text), "ACCESS 0x1000 W user");
        assert_true(parse("access 0x1000 USER", &op, &err));
        assert_true(op.user && op.access == ACCESS_READ);
        assert_true(parse("X 0x1000 user # a fetch", &op, &err));
        assert_true(op.user && op.access == ACCESS_EXEC);
        assert_false(parse("R 0x1000 user user", &op, &err));
        assert_false(parse("R 0x1000 users", &op, &err));
        assert_true(parse("CR3 7", &op, &err));
        assert_int_equal(op.asid, 7);
        assert_true(parse("INVLPG 0x2000", &op, &err));
        assert_int_equal(op.kind, OP_INVLPG);
        assert_true(parse("  TLB_FLUSH", &op, &err));
        assert_int_equal(op.kind, OP_TLB_FLUSH);
        assert_true(parse("R 0xFFFF800000000000", &op, &err));
        assert_int_equal(op.gva, UINT64_C(0xFFFF800000000000));
}

static void test_blank_and_comment(void **state)
{
        (void)state;
        struct op op;
        struct trace_error err;
        assert_false(parse("", &op, &err));
        assert_int_equal(err.col, 0);
        assert_false(parse("   # just a comment", &op, &err));
        assert_int_equal(err.col, 0);
}

static void test_errors_name_column(void **state)
{
        (void)state;
        assert_int_equal(bad("FROB 0x1000", "expected a keyword"), 1);
        assert_int_equal(bad("ACCESS", "found end of line"), 7);
        assert_int_equal(bad("ACCESS 0x1000 Q", "access kind"), 15);
        assert_int_equal(
            bad("ACCESS 0x1000 R junk", "expected 'user' or the end of the line, found 'junk'"),
            17);
        assert_int_equal(bad("PT_WRITE 0x1000 0x5000", "'->'"), 17);
        assert_int_equal(bad("PT_WRITE 0x1000->0x5001", "page-aligned"), 18);
        assert_int_equal(bad("PT_WRITE 0x1000->0x200000000", "below 0x100000000"), 18);
        assert_int_equal(bad("PT_WRITE 0x1000->0x201000 2M", "2M-aligned"), 18);
        assert_int_equal(bad("PT_WRITE 0x1000->0x5000 rq", "flags"), 25);
        assert_int_equal(bad("ACCESS 0x800000000000", "canonical"), 8);
        assert_int_equal(bad("ACCESS 0x1FFFFFFFFFFFFFFFF", "fits in 64 bits"), 8);
        assert_int_equal(bad("ACCESS -5", "guest virtual address"), 8);
        assert_int_equal(bad("ACCESS 0xZZ", "hex 0x"), 8);
        assert_int_equal(bad("CR3 0x100000000", "below 2^32"), 5);
        assert_int_equal(bad("PT_PROTECT 0x1000", "flags"), 18);
        assert_int_equal(bad("TLB_FLUSH now", "end of line"), 11);
        bad("ACCESS\x01 0x1000", "keyword");
        struct op op;
        struct trace_error err;
        const char nul_line[] = "ACCESS 0x10\0";
        assert_false(trace_parse_v1(nul_line, sizeof nul_line - 1, &limits4, &op, &err));
        assert_int_equal(err.col, 8);
        assert_true(strstr(err.msg, "\\x00") != NULL);
}

static void test_levels_change_width(void **state)
{
        (void)state;
        struct trace_limits l5 = {5, UINT64_C(4) << 30, 1};
        struct trace_limits l2 = {2, UINT64_C(4) << 30, 1};
        struct op op;
        struct trace_error err;
        const char *line = "ACCESS 0x800000000000";
        assert_true(trace_parse_v1(line, strlen(line), &l5, &op, &err));
        line = "ACCESS 0x1FFFFFFF"; /* 30-bit addresses: the top of the lower half */
        assert_true(trace_parse_v1(line, strlen(line), &l2, &op, &err));
        line = "ACCESS 0x20000000";
        assert_false(trace_parse_v1(line, strlen(line), &l2, &op, &err));
        line = "PT_WRITE 0x0->0x40000000 1G";
        assert_false(trace_parse_v1(line, strlen(line), &l2, &op, &err));
}

static void test_numbers(void **state)
{
        (void)state;
        uint64_t v;
        assert_true(parse_u64("0xffffffffffffffff", 18, &v));
        assert_true(v == UINT64_MAX);
        assert_false(parse_u64("0x10000000000000000", 19, &v));
        assert_true(parse_u64("18446744073709551615", 20, &v));
        assert_false(parse_u64("18446744073709551616", 20, &v));
        assert_false(parse_u64("0x", 2, &v));
        assert_false(parse_u64("", 0, &v));
}

/* Reads every op of text with the streaming reader; returns the count and
 * the status that ended it. */
static int read_all(const char *text, enum trace_status *end, struct trace_error *err)
{
        struct trace_reader r;
        struct op op;
        int n = 0;
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &limits4);
        while ((*end = trace_next(&r, &op, err)) == TRACE_OK)
                n++;
        trace_close(&r);
        return n;
}

static void test_reader_line_endings(void **state)
{
        (void)state;
        enum trace_status end;
        struct trace_error err;
        assert_int_equal(read_all("R 0x1000\r\nW 0x2000\r\n", &end, &err), 2);
        assert_int_equal(end, TRACE_EOF);
        assert_int_equal(read_all("R 0x1000\nW 0x2000", &end, &err), 2); /* no final newline */
        assert_int_equal(read_all("", &end, &err), 0);
        assert_int_equal(end, TRACE_EOF);
        assert_int_equal(read_all("R 0x1000\n\n# c\nBAD\n", &end, &err), 1);
        assert_int_equal(end, TRACE_BAD_LINE);
        assert_int_equal(err.line, 4);
        assert_int_equal(err.col, 1);
}

static void test_reader_file_and_long_line(void **state)
{
        (void)state;
        char path[] = "/tmp/shadow-sim-test-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fputs("R 0x1000\n", f);
        for (int i = 0; i < 1000000; i++)
                fputc('#', f);
        fputs("\nW 0x2000\n", f);
        for (int i = 0; i < 100000; i++)
                fputs("R 0x3000\n", f);
        fclose(f);

        struct trace_reader r;
        struct op op;
        struct trace_error err;
        assert_int_equal(trace_open(&r, path, TRACE_FORMAT_AUTO, &limits4), TRACE_OK);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_BAD_LINE);
        assert_int_equal(err.line, 2);
        assert_true(strstr(err.msg, "at most 4096") != NULL);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK); /* reading goes on */
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_int_equal(op.line, 3);
        int n = 0;
        while (trace_next(&r, &op, &err) == TRACE_OK)
                n++;
        assert_int_equal(n, 100000);
        assert_int_equal(op.line, 100003);
        trace_close(&r);
        unlink(path);
        assert_int_equal(trace_open(&r, "/nonexistent/trace", TRACE_FORMAT_AUTO, &limits4),
                         TRACE_NO_INPUT);
        assert_string_equal(trace_fault(&r), "cannot read: No such file or directory");
        assert_int_equal(trace_open(&r, "/tmp", TRACE_FORMAT_AUTO, &limits4), TRACE_NO_INPUT);
}

static void test_lackey_detected(void **state)
{
        (void)state;
        struct trace_reader r;
        struct op op;
        struct trace_error err;
        trace_open_string(&r, "==123== Lackey\nI  04016bf0,3\n M 1fff000618,8\n", TRACE_FORMAT_AUTO,
                          &limits4);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.access, ACCESS_EXEC);
        assert_int_equal(op.gva, 0x04016bf0);
        assert_int_equal(op.size, 3);
        assert_true(op.demand);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        assert_int_equal(op.access, ACCESS_WRITE); /* M = load then store */
        assert_int_equal(op.line, 3);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_EOF);
        trace_close(&r);
}

/* The comment lines right above an op are its narration; a blank line,
 * a bad line or a seek ends a block; the first lines of a long block are
 * kept; lackey traces have none. */
static void test_notes(void **state)
{
        (void)state;
        static const char text[] = "# the file's header\n"
                                   "\n"
                                   "# first touch:\n"
                                   "#   a TLB miss\n"
                                   "R 0x1000\n"
                                   "W 0x1000 # a trailing comment is no narration\n"
                                   "# lost: a blank line follows\n"
                                   "\n"
                                   "CR3 1\n"
                                   "   # indented\n"
                                   "INVLPG 0x1000\n";
        static const char *const want[] = {"first touch:\n  a TLB miss", "", "", "indented"};
        struct trace_reader r;
        struct trace_error err;
        struct op op;
        trace_open_string(&r, text, TRACE_FORMAT_AUTO, &limits4);
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
                assert_string_equal(trace_note(&r), want[i]);
        }
        assert_int_equal(trace_next(&r, &op, &err), TRACE_EOF);
        assert_string_equal(trace_note(&r), "");
        trace_close(&r);

        static char big[8 * TRACE_NOTE_MAX];
        size_t n = 0;
        for (int i = 0; i < 100; i++)
                n += (size_t)snprintf(big + n, sizeof big - n, "# line %03d of a long block\n", i);
        snprintf(big + n, sizeof big - n, "R 0x1000\n");
        trace_open_string(&r, big, TRACE_FORMAT_AUTO, &limits4);
        assert_int_equal(trace_next(&r, &op, &err), TRACE_OK);
        const char *note = trace_note(&r);
        assert_true(strlen(note) < TRACE_NOTE_MAX);
        assert_true(strncmp(note, "line 000 of a long block\nline 001", 33) == 0);
        assert_int_equal(note[strlen(note) - 1], 'k'); /* whole lines only */
        trace_close(&r);

        trace_open_string(&r, "==1== Lackey\n# not a note\nI  04016bf0,3\n", TRACE_FORMAT_AUTO,
                          &limits4);
        while (trace_next(&r, &op, &err) == TRACE_OK)
                assert_string_equal(trace_note(&r), "");
        trace_close(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_notes),
            cmocka_unit_test(test_seed_forms),
            cmocka_unit_test(test_every_keyword),
            cmocka_unit_test(test_blank_and_comment),
            cmocka_unit_test(test_errors_name_column),
            cmocka_unit_test(test_levels_change_width),
            cmocka_unit_test(test_numbers),
            cmocka_unit_test(test_reader_line_endings),
            cmocka_unit_test(test_reader_file_and_long_line),
            cmocka_unit_test(test_lackey_detected),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
