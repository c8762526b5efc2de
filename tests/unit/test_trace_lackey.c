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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The line of text at s, as the reader gives it to trace_parse_lackey:
 * up to its newline (or the end), without a CR before the newline. */
static size_t line_of(const char *s, size_t avail)
{
        const char *nl = memchr(s, '\n', avail);
        size_t len = nl ? (size_t)(nl - s) : avail;
        return len > 0 && s[len - 1] == '\r' ? len - 1 : len;
}

/* trace_lackey_fast on the first avail of the n bytes of text, copied to
 * the start of a zeroed buffer (it reads TRACE_LACKEY_READ bytes whatever
 * avail is; past avail it finds the rest of the text, as in the reader's
 * buffer). Whatever it takes must end in a newline within avail and be
 * what the line parser makes of that line; returns what it returned. */
static int fast_agrees(const char *text, size_t n, size_t avail)
{
        char buf[256] = {0};
        assert_true(n + TRACE_LACKEY_READ <= sizeof buf && avail <= n);
        memcpy(buf, text, n);
        struct op a, a2, b, b2;
        struct trace_error err;
        size_t used = 0;
        int fast = trace_lackey_fast(buf, avail, &limits64, &a, &a2, &used);
        if (fast == 0)
                return 0;
        assert_true(used >= 2 && used <= avail);
        assert_int_equal(buf[used - 1], '\n');
        size_t len = line_of(buf, avail);
        assert_true(used == len + 1 || (used == len + 2 && buf[len] == '\r'));
        assert_int_equal(trace_parse_lackey(buf, len, &limits64, &b, &b2, &err), fast);
        same_op(&a, &b);
        if (fast == 2)
                same_op(&a2, &b2);
        return fast;
}

/* The reader's fast path agrees with the line parser: on a line it takes
 * it gives the same ops and the length with the line end; every other
 * line it leaves to the line parser. */
static void fast_path_agrees_with_the_line_parser(void **state)
{
        (void)state;
        /* Lengths given, for the NUL bytes. */
#define LINE(text)                                                                                 \
        {                                                                                          \
                text, sizeof text - 1                                                              \
        }
        static const struct {
                const char *s;
                size_t len;
        } lines[] = {
            LINE("I  04016bf0,3"),
            LINE(" L 1ffefffd28,8"),
            LINE(" S 1ffefffd20,8"),
            LINE(" M 0601040,4"),
            LINE(" M 04a45f50,8"),
            LINE(" L 0000000004a45f50,8"),
            LINE(" L 000000004a45f50,16"),
            LINE(" L 1000,4096"),
            LINE(" L 04001000,4097"),
            LINE(" L 04001000,0"),
            LINE(" L 04001000,00"),
            LINE(" L 04001000,08"),
            LINE(" L 04001000,"),
            LINE(" L 04001000,123"),
            LINE(" L ,8"),
            LINE(" L zz,8"),
            LINE(" Q 04001000,8"),
            LINE(" I 04001000,8"),
            LINE("L  04001000,8"),
            LINE("I   04001000,8"),
            LINE("==12== banner"),
            LINE("--12-- debug"),
            LINE(" L 04001000,8 "),
            LINE(" L 04001000,8\r"),
            LINE(" L 04001000,8\r\r"),
            LINE(" L 04001000,8\t"),
            LINE(""),
            LINE("   "),
            LINE(" L 04001000,8 junk"),
            LINE("I 04001000,1"),
            LINE(" L 00000000000000001000,8"),
            LINE(" L 11111111111111111111,8"),
            LINE(" L ffffffffffffff,8"),
            LINE(" L fffffffffffff8,8"),
            LINE(" L 00fffffffffff8,8"),
            LINE(" L 00ffffffffff,8"),
            LINE(" L FFFFFFFFFFFF,1"),
            LINE(" L 7FFFFFFFFFFF,1"),
            LINE(" L 7FFFFFFFFFFF,2"),
            LINE(" L 0400G000,8"),
            LINE(" L 0400\x80"
                 "000,8"),
            LINE(" L 04001000\x00,8"),
            LINE(" L 04001000,\x00"),
            LINE("\x00L 04001000,8"),
        };
#undef LINE
        static const char *const ends[] = {"\n", "\r\n", ""};
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
                for (int end = 0; end < 3; end++) {
                        char text[128];
                        size_t len = lines[i].len, n = len;
                        memcpy(text, lines[i].s, len);
                        n +=
                            (size_t)snprintf(text + n, sizeof text - n, "%s L 2000,1\n", ends[end]);
                        fast_agrees(text, n, n);
                        /* Cut anywhere: a line not whole is never taken. */
                        for (size_t cut = 0; cut <= len + 1; cut++)
                                if (fast_agrees(text, n, cut))
                                        assert_true(cut > len);
                }
        }
        /* What the fast path takes: Valgrind's lines. */
        const char *own[] = {"I  04016bf0,3\n",   " L 1ffefffd28,8\n", " S 04a45f50,16\n",
                             " M 04a45f50,8\r\n", "I  0400ddcf,4\nI",  " L 7fffffffffff,1\n"};
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
                assert_int_equal(fast_agrees(own[i], strlen(own[i]), strlen(own[i])),
                                 own[i][1] == 'M' ? 2 : 1);
}

/* Random lines over the bytes that matter to the fast path: whatever it
 * takes, the line parser makes the same of. */
static void fast_path_on_random_lines(void **state)
{
        (void)state;
        static const char bytes[] = "ILSMQ ,\r\n\t0123456789abcdefABCDEFgG/:@`\x80\xff";
        uint64_t x = 0x9E3779B97F4A7C15u;
        int taken = 0;
        for (int round = 0; round < 300000; round++) {
                char text[64];
                /* A well-formed line, then a few bytes replaced. */
                int n = snprintf(text, sizeof text, "%s%0*llx,%u\n",
                                 next(&x) % 2   ? "I  "
                                 : next(&x) % 2 ? " L "
                                                : " M ",
                                 (int)(8 + next(&x) % 9),
                                 (unsigned long long)(next(&x) >> (next(&x) % 64)),
                                 (unsigned)(next(&x) % 120));
                for (uint64_t k = next(&x) % 4; k > 0; k--)
                        text[next(&x) % (uint64_t)n] = bytes[next(&x) % (sizeof bytes - 1)];
                taken += fast_agrees(text, (size_t)n, (size_t)n) > 0;
        }
        assert_true(taken > 50000); /* it does take lines */
}

/* ---- The reader: blocks of ops, and lines the way the reader splits them */

/* One item a reader gives: an op, or a malformed line's error. */
struct item {
        bool bad;
        struct op op;
        struct trace_error err;
};

struct items {
        struct item *v;
        size_t n, cap;
};

static struct item *add(struct items *it)
{
        if (it->n == it->cap) {
                it->cap = it->cap ? it->cap * 2 : 1024;
                it->v = realloc(it->v, it->cap * sizeof *it->v);
                assert_non_null(it->v);
        }
        memset(&it->v[it->n], 0, sizeof it->v[it->n]);
        return &it->v[it->n++];
}

/* The reference: text split at its newlines by hand, each line (without a
 * CR before the newline) given to trace_parse_lackey, a line over
 * TRACE_MAX_LINE reported as the reader reports it. */
static void reference_read(const char *text, size_t n, struct items *it)
{
        uint64_t line = 0;
        for (size_t pos = 0; pos < n;) {
                const char *s = text + pos, *nl = memchr(s, '\n', n - pos);
                size_t len = nl ? (size_t)(nl - s) : n - pos;
                pos += len + (nl != NULL);
                line++;
                struct op op, second;
                struct trace_error err = {.line = line};
                int got = 0;
                if (len > TRACE_MAX_LINE) {
                        err.col = TRACE_MAX_LINE + 1;
                        snprintf(err.msg, sizeof err.msg,
                                 "expected a line of at most %d characters, found a longer one",
                                 TRACE_MAX_LINE);
                } else {
                        got = trace_parse_lackey(s, len && s[len - 1] == '\r' ? len - 1 : len,
                                                 &limits64, &op, &second, &err);
                }
                for (int k = 0; k < got; k++) {
                        struct item *i = add(it);
                        i->op = k ? second : op;
                        i->op.line = line;
                }
                if (got == 0 && err.col) {
                        struct item *i = add(it);
                        i->bad = true;
                        i->err = err;
                }
        }
}

/* Reads r as the run loop does: blocks of ops from the fast path (max
 * 1..64, changing), anything else from trace_next. */
static void reader_read(struct trace_reader *r, struct items *it, uint64_t seed)
{
        struct op ops[64];
        for (;;) {
                size_t max = 1 + next(&seed) % 64;
                size_t got = trace_next_ops(r, ops, max);
                assert_true(got <= max);
                for (size_t k = 0; k < got; k++)
                        add(it)->op = ops[k];
                if (got)
                        continue;
                struct op op;
                struct trace_error err;
                enum trace_status st = trace_next(r, &op, &err);
                if (st == TRACE_EOF)
                        return;
                assert_true(st == TRACE_OK || st == TRACE_BAD_LINE);
                struct item *i = add(it);
                i->bad = st == TRACE_BAD_LINE;
                if (i->bad)
                        i->err = err;
                else
                        i->op = op;
        }
}

static void same_items(const struct items *a, const struct items *b)
{
        assert_int_equal(a->n, b->n);
        for (size_t k = 0; k < a->n; k++) {
                const struct item *x = &a->v[k], *y = &b->v[k];
                assert_int_equal(x->bad, y->bad);
                if (x->bad) {
                        assert_int_equal(x->err.line, y->err.line);
                        assert_int_equal(x->err.col, y->err.col);
                        assert_string_equal(x->err.msg, y->err.msg);
                } else {
                        same_op(&x->op, &y->op);
                        assert_int_equal(x->op.line, y->op.line);
                }
        }
}

/* A lackey trace of about size bytes, mostly Valgrind's lines, with now
 * and then a line of another valid form, a CR LF, a blank, a malformed
 * line, NUL bytes or a line over TRACE_MAX_LINE (nuls, long: whether
 * these may come). */
static size_t make_trace(char *buf, size_t size, uint64_t *x, bool nuls, bool long_lines)
{
        static const char *const odd[] = {
            "  L   04001000,8",
            "\tS 04002000,4",
            "L 04003000,2",
            " L 4000,8 ",
            " L 04001000,8\t",
            " L 04001000,123",
            " L 04001000,4096",
            "==12== banner",
            "",
            "   ",
            " L 04001000,4097",
            " L 04001000,0",
            " Q 04001000,8",
            " L ,8",
            " L zz,8",
            " L 04001000,8 junk",
            " L 11111111111111111111,8",
            " L 7fffffffffff,2",
        };
        size_t n = 0;
        while (n + 8192 < size) {
                uint64_t r = next(x) % 1000;
                if (r < 900) {
                        static const char *const kinds[] = {"I  ", " L ", " S ", " M "};
                        n += (size_t)sprintf(buf + n, "%s%0*llx,%u\n", kinds[next(x) % 4],
                                             (int)(8 + next(x) % 5),
                                             (unsigned long long)(next(x) % 0x7fffffff000),
                                             (unsigned)(1 + next(x) % 64));
                } else if (r < 960) {
                        n += (size_t)sprintf(buf + n, "%s\n",
                                             odd[next(x) % (sizeof odd / sizeof *odd)]);
                } else if (r < 980) {
                        n += (size_t)sprintf(buf + n, " M %08llx,8\r\n",
                                             (unsigned long long)(next(x) % 0xffffffff));
                } else if (r < 990 && nuls) {
                        n += (size_t)sprintf(buf + n, " L 0400%c000,8\n", next(x) % 2 ? 'a' : 0);
                        buf[n++] = '\0';
                        buf[n++] = '\n';
                } else if (r < 992 && long_lines) {
                        size_t len = TRACE_MAX_LINE - 2 + next(x) % 5; /* 4094..4098 */
                        memcpy(buf + n, " L ", 3);
                        memset(buf + n + 3, '0', len - 3);
                        n += len;
                        buf[n++] = '\n';
                }
        }
        return n;
}

/* The same items, read through a file (the read buffer refilled, lines
 * cut by its end at every offset: the trace is shifted by a banner of
 * 0..40 bytes) and in memory (where the last lines take the slow way). */
static void reader_agrees_with_the_reference(void **state)
{
        (void)state;
        size_t size = 700000;
        char *text = malloc(size + 64);
        assert_non_null(text);
        uint64_t x = 0x243F6A8885A308D3u;
        for (int shift = 0; shift <= 40; shift++) {
                size_t n = (size_t)sprintf(text, "==%0*d==\n", shift, 1);
                bool nuls = shift % 2, long_lines = shift % 3 == 0;
                n += make_trace(text + n, size - n, &x, nuls, long_lines);
                /* How it ends: a whole line, one without its newline, a
                 * lone CR, a modify cut short. */
                static const char *const tails[] = {"", " M 04a45f50,8", " L 04a45f50,8\r",
                                                    " M 04a4"};
                n += (size_t)sprintf(text + n, "%s", tails[shift % 4]);

                struct items want = {0}, got = {0};
                reference_read(text, n, &want);
                char path[] = "/tmp/shadow-sim-test-XXXXXX";
                int fd = mkstemp(path);
                assert_true(fd >= 0);
                assert_int_equal(write(fd, text, n), (ssize_t)n);
                close(fd);
                struct trace_reader r;
                assert_int_equal(trace_open(&r, path, TRACE_FORMAT_LACKEY, &limits64), TRACE_OK);
                reader_read(&r, &got, x);
                trace_close(&r);
                unlink(path);
                same_items(&want, &got);
                if (!nuls) {
                        text[n] = '\0';
                        got.n = 0;
                        trace_open_string(&r, text, TRACE_FORMAT_LACKEY, &limits64);
                        reader_read(&r, &got, x + 1);
                        trace_close(&r);
                        same_items(&want, &got);
                }
                free(want.v);
                free(got.v);
        }
        free(text);
}

/* A modify's store waits for the next block when the block is full, and
 * the reader says where it stands only between lines. */
static void modify_split_across_blocks(void **state)
{
        (void)state;
        static const char text[] = "I  04000000,4\n M 04a45f50,8\nI  04000004,4\n";
        struct trace_reader r;
        struct op ops[2];
        struct trace_pos pos;
        trace_open_string(&r, text, TRACE_FORMAT_LACKEY, &limits64);
        /* In memory, lines within TRACE_LACKEY_READ bytes of the end go
         * the slow way: the first line only is taken here. */
        assert_int_equal(trace_next_ops(&r, ops, 2), 1);
        trace_close(&r);

        char big[8192];
        size_t n = 0;
        for (int i = 0; i < 100; i++)
                n += (size_t)sprintf(big + n, "%s", text);
        trace_open_string(&r, big, TRACE_FORMAT_LACKEY, &limits64);
        assert_int_equal(trace_next_ops(&r, ops, 2), 2); /* the fetch and the load */
        assert_int_equal(ops[1].access, ACCESS_READ);
        assert_int_equal(ops[1].line, 2);
        assert_false(trace_tell(&r, &pos)); /* the store is pending */
        assert_int_equal(trace_next_ops(&r, ops, 1), 1);
        assert_int_equal(ops[0].access, ACCESS_WRITE);
        assert_int_equal(ops[0].gva, 0x4a45f50);
        assert_int_equal(ops[0].line, 2);
        assert_true(trace_tell(&r, &pos));
        assert_int_equal(pos.line, 2);
        assert_int_equal(trace_next_ops(&r, ops, 2), 2);
        assert_int_equal(ops[0].line, 3);
        assert_int_equal(ops[1].line, 4);
        trace_close(&r);

        /* A v1 trace has no fast path. */
        trace_open_string(&r, "R 0x1000\n", TRACE_FORMAT_AUTO, &limits64);
        assert_int_equal(trace_next_ops(&r, ops, 2), 0);
        trace_close(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(addresses_match_reference),
            cmocka_unit_test(long_addresses_and_leading_zeros),
            cmocka_unit_test(kinds_and_modify),
            cmocka_unit_test(sizes),
            cmocka_unit_test(fast_path_agrees_with_the_line_parser),
            cmocka_unit_test(fast_path_on_random_lines),
            cmocka_unit_test(reader_agrees_with_the_reference),
            cmocka_unit_test(modify_split_across_blocks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
