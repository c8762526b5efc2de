/*
 * test_escape.c - escape_text: outside text as messages quote it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"

static void check(const char *in, const char *want)
{
        char buf[ESCAPE_BUF];
        assert_string_equal(escape_text(in, buf, sizeof buf), want);
}

/* Bytes that drive a terminal or end a line are escaped; text is kept. */
static void test_controls(void **state)
{
        (void)state;
        check("plain name.txt", "plain name.txt");
        check("x\033]0;pwned\007", "x\\x1B]0;pwned\\x07");
        check("a\nb\rc\td", "a\\x0Ab\\x0Dc\\x09d");
        check("del\177", "del\\x7F");
        check("", "");
}

/* Valid UTF-8 stays, except the C1 controls; anything else is escaped a
 * byte at a time. */
static void test_utf8(void **state)
{
        (void)state;
        check("donn\xC3\xA9"
              "es \xE2\x82\xAC \xF0\x9F\x98\x80",
              "donn\xC3\xA9"
              "es \xE2\x82\xAC \xF0\x9F\x98\x80");
        check("\xC2\x85\xC2\x9B[2J", "\\xC2\\x85\\xC2\\x9B[2J"); /* NEL, CSI */
        check("\xC2\xA0", "\xC2\xA0");                           /* no-break space */
        check("\xFF\xFE", "\\xFF\\xFE");
        check("\xC0\x80", "\\xC0\\x80");                   /* an overlong NUL */
        check("\xE0\x80\x80", "\\xE0\\x80\\x80");          /* overlong */
        check("\xED\xA0\x80", "\\xED\\xA0\\x80");          /* a surrogate */
        check("\xF4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* past U+10FFFF */
        check("end\xC3", "end\\xC3");                      /* cut short */
        check("\x9B", "\\x9B");                            /* a bare C1 byte */
}

/* Too long for the buffer or ESCAPE_MAX: cut at a character, with "...". */
static void test_cut(void **state)
{
        (void)state;
        char small[12];
        assert_string_equal(escape_text("abcdefghijkl", small, sizeof small), "abcdefgh...");
        assert_string_equal(escape_text("abcd\033efgh", small, sizeof small), "abcd\\x1B...");
        assert_string_equal(escape_text("abcd\033efgh", small, sizeof small - 1), "abcd...");
        assert_string_equal(
            escape_text("ab\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", small, sizeof small),
            "ab\xE2\x82\xAC\xE2\x82\xAC...");
        char big[ESCAPE_MAX + 10];
        memset(big, 'y', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        char buf[ESCAPE_BUF];
        escape_text(big, buf, sizeof buf);
        assert_int_equal(strlen(buf), ESCAPE_MAX + 3);
        assert_string_equal(buf + ESCAPE_MAX, "...");
        memset(big, '\033', sizeof big - 1);
        escape_text(big, buf, sizeof buf);
        assert_int_equal(strlen(buf), 4 * ESCAPE_MAX + 3);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_controls),
            cmocka_unit_test(test_utf8),
            cmocka_unit_test(test_cut),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
