/*
 * test_trace_lackey.c - the lackey parser against a plain reference.
 *
 * The parser decodes addresses eight hex digits at a time (trace_lackey.c);
 * these tests hold it to a digit-at-a-time reference on lines built from
 * every byte value around the digit ranges, in both cases, at every length
 * from 1 to 20 digits, and check the kinds, sizes and errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trace_lackey.h"

static const struct trace_limits limits64 = {.levels = 5, .guest_mem = UINT64_C(1) << 32};

/* The reference: the address and how many hex digits start s. */
static size_t ref_hex(const char *s, uint64_t *value)
{
        size_t n = 0;
        uint64_t v = 0;
        for (;; n++) {
                char c = s[n];
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        break;
                v = v << 4 | d;
        }
        *value = v;
        return n;
}

/* A small deterministic generator (xorshift). */
static uint64_t next(uint64_t *x)
{
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        return *x;
}

static void addresses_match_reference(void **state)
{
        (void)state;
        static const char digits[] = "0123456789abcdefABCDEF";
        /* Bytes next to the digit and letter ranges, and a high one. */
        static const char near[] = "/:@G`g\t\x80\xff,";
        uint64_t x = 88172645463325252u;
        for (int round = 0; round < 200000; round++) {
                char line[64] = " L ";
                size_t ndig = 1 + next(&x) % 12; /* 1..12 digits: canonical widths */
                size_t o = 3;
                for (size_t i = 0; i < ndig; i++)
                        line[o++] = digits[next(&x) % (sizeof digits - 1)];
                /* Now and then a byte that is not a digit, anywhere. */
                if (next(&x) % 4 == 0)
                        line[3 + next(&x) % ndig] = near[next(&x) % (sizeof near - 1)];
                o += (size_t)snprintf(line + o, sizeof line - o, ",8");
                struct op op, second;
                struct trace_error err;
                int n = trace_parse_lackey(line, o, &limits64, &op, &second, &err);
                uint64_t want;
                size_t got_digits = ref_hex(line + 3, &want);
                bool valid = got_digits == ndig && want + 7 < (UINT64_C(1) << 56);
                if (valid) {
                        assert_int_equal(n, 1);
                        assert_int_equal(op.gva, want);
                        assert_int_equal(op.size, 8);
                } else {
                        assert_int_equal(n, 0);
                        assert_true(err.col >= 4);
                }
        }
}

static void long_addresses_and_leading_zeros(void **state)
{
        (void)state;
        struct op op, second;
        struct trace_error err;
        const char *ok16 = "I  00000000deadbeef,4";
        assert_int_equal(trace_parse_lackey(ok16, strlen(ok16), &limits64, &op, &second, &err), 1);
        assert_int_equal(op.gva, 0xdeadbeef);
        const char *zeros = "I  000000000000000000000000004003c4,4"; /* 30 digits */
        assert_int_equal(trace_parse_lackey(zeros, strlen(zeros), &limits64, &op, &second, &err),
                         1);
        assert_int_equal(op.gva, 0x4003c4);
        const char *big = "I  100000000000000000,4"; /* 18 digits, does not fit */
        assert_int_equal(trace_parse_lackey(big, strlen(big), &limits64, &op, &second, &err), 0);
        assert_string_equal(
            err.msg, "expected a hex address that fits in 64 bits, found '100000000000000000'");
        const char *mixed = " S 1FfEfFfD28,8";
        assert_int_equal(trace_parse_lackey(mixed, strlen(mixed), &limits64, &op, &second, &err),
                         1);
        assert_int_equal(op.gva, 0x1ffefffd28);
        assert_int_equal(op.access, ACCESS_WRITE);
        assert_true(op.user); /* a process's own accesses are user accesses */
}

static void kinds_and_modify(void **state)
{
        (void)state;
        struct op op, second;
        struct trace_error err;
        assert_int_equal(trace_parse_lackey("I  1000,3", 9, &limits64, &op, &second, &err), 1);
        assert_int_equal(op.access, ACCESS_EXEC);
        assert_true(op.demand);
        assert_int_equal(trace_parse_lackey(" L 1000,3", 9, &limits64, &op, &second, &err), 1);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(trace_parse_lackey(" M 1000,3", 9, &limits64, &op, &second, &err), 2);
        assert_int_equal(op.access, ACCESS_READ);
        assert_int_equal(second.access, ACCESS_WRITE);
        assert_int_equal(second.gva, 0x1000);
        /* A NUL is no kind (strchr would have found the terminator). */
        assert_int_equal(trace_parse_lackey(" \0 1000,3", 9, &limits64, &op, &second, &err), 0);
        assert_int_equal(err.col, 2);
        assert_int_equal(trace_parse_lackey("==12== banner", 13, &limits64, &op, &second, &err), 0);
        assert_int_equal(err.col, 0);
}

static void sizes(void **state)
{
        (void)state;
        struct op op, second;
        struct trace_error err;
        assert_int_equal(trace_parse_lackey(" L 1000,4096", 12, &limits64, &op, &second, &err), 1);
        assert_int_equal(op.size, 4096);
        assert_int_equal(trace_parse_lackey(" L 1000,4097", 12, &limits64, &op, &second, &err), 0);
        assert_int_equal(err.col, 9);
        assert_int_equal(trace_parse_lackey(" L 1000,0", 9, &limits64, &op, &second, &err), 0);
        assert_int_equal(trace_parse_lackey(" L 1000,", 8, &limits64, &op, &second, &err), 0);
}

static void same_op(const struct op *a, const struct op *b)
{
        assert_int_equal(a->kind, b->kind);
        assert_int_equal(a->gva, b->gva);
        assert_int_equal(a->size, b->size);
        assert_int_equal(a->access, b->access);
        assert_int_equal(a->user, b->user);
        assert_int_equal(a->demand, b->demand);
}

/* The reader's fast path agrees with the line parser: on a line it takes
 * (an access ended by a newline) it gives the same ops and the length
 * with the newline; every other line it leaves to the line parser. */
static void scan_agrees_with_the_line_parser(void **state)
{
        (void)state;
        static const char *const lines[] = {
            "I  04016bf0,3",
            " L 1ffefffd28,8",
            " S 1ffefffd20,8",
            " M 0601040,4",
            " L 1000,4096",
            " L 1000,4097",
            " L 1000,0",
            " L 1000,",
            " L ,8",
            " L zz,8",
            " Q 1000,8",
            "==12== banner",
            "--12-- debug",
            " L 1000,8 ",
            " L 1000,8\r",
            "",
            "   ",
            " L 1000,8 junk",
            "I 1000,1",
            " L 00000000000000001000,8",
            " L 11111111111111111111,8",
            " L ffffffffffffff,8",
            " L fffffffffffff8,8",
        };
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
                char text[64];
                size_t len = strlen(lines[i]);
                snprintf(text, sizeof text, "%s\n L 2000,1\n", lines[i]);
                struct op a, a2, b, b2;
                struct trace_error err;
                size_t used;
                int scanned = trace_lackey_scan(text, strlen(text), &limits64, &a, &a2, &used);
                int parsed = trace_parse_lackey(lines[i], len, &limits64, &b, &b2, &err);
                if (scanned == 0) {
                        assert_int_equal(used, 0);
                        continue;
                }
                assert_int_equal(scanned, parsed);
                assert_int_equal(used, len + 1);
                same_op(&a, &b);
                if (scanned == 2)
                        same_op(&a2, &b2);
        }
        /* What the fast path takes. */
        struct op op, second;
        size_t used;
        assert_int_equal(trace_lackey_scan(" M 10,4\nx", 9, &limits64, &op, &second, &used), 2);
        assert_int_equal(used, 8);
        /* A line cut by the end of the buffer, and one with a CR, are not. */
        assert_int_equal(trace_lackey_scan(" L 1000,8", 9, &limits64, &op, &second, &used), 0);
        assert_int_equal(trace_lackey_scan(" L 1000,8\r\n", 11, &limits64, &op, &second, &used), 0);
        assert_int_equal(trace_lackey_scan(" L 1000,4097\n", 13, &limits64, &op, &second, &used),
                         0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(addresses_match_reference),
            cmocka_unit_test(long_addresses_and_leading_zeros),
            cmocka_unit_test(kinds_and_modify),
            cmocka_unit_test(sizes),
            cmocka_unit_test(scan_agrees_with_the_line_parser),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
