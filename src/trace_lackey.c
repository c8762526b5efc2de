/*
 * trace_lackey.c - parser of Valgrind lackey memory traces.
 *
 * One line at a time, without allocating: the reader (trace.c) calls it for
 * every line of a file detected as lackey output, millions of times for a
 * real program, so it scans the bytes once and builds the ops in place.
 */
#include "trace_lackey.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Whether ch is one of the characters of set (never the NUL byte, which
 * strchr would find as the terminator). */
static bool one_of(char ch, const char *set)
{
        return ch != '\0' && strchr(set, ch) != NULL;
}

/* Whether a line is one of Valgrind's own messages rather than an access:
 * "==pid== ..." (the tool's report), "--pid-- ..." (debug output, -v) or
 * "**pid** ..." (messages from the client). */
static bool is_banner(const char *s, size_t len)
{
        if (len < 5 || !one_of(s[0], "=-*") || s[1] != s[0])
                return false;
        size_t i = 2;
        while (i < len && isdigit((unsigned char)s[i]))
                i++;
        return i > 2 && i + 1 < len && s[i] == s[0] && s[i + 1] == s[0];
}

bool trace_lackey_looks_like(const char *s, size_t len)
{
        if (is_banner(s, len))
                return true;
        size_t i = 0;
        while (i < len && s[i] == ' ')
                i++;
        if (i >= len || !one_of(s[i], "ILSM"))
                return false;
        i++;
        if (i >= len || s[i] != ' ')
                return false;
        while (i < len && s[i] == ' ')
                i++;
        size_t digits = 0;
        while (i < len && isxdigit((unsigned char)s[i]))
                i++, digits++;
        return digits > 0 && i < len && s[i] == ',';
}

static int bad(struct trace_error *err, size_t col, const char *expected, const char *s, size_t len)
{
        char tok[32];
        size_t n = 0;
        while (col + n < len && n < 20 && !isspace((unsigned char)s[col + n]))
                n++;
        if (col >= len) {
                snprintf(tok, sizeof tok, "end of line");
        } else {
                size_t o = 0;
                tok[o++] = '\'';
                for (size_t i = 0; i < (n ? n : 1) && o + 6 < sizeof tok; i++) {
                        unsigned char ch = (unsigned char)s[col + i];
                        o += (size_t)snprintf(tok + o, sizeof tok - o,
                                              isprint(ch) ? "%c" : "\\x%02X", ch);
                }
                snprintf(tok + o, sizeof tok - o, "'");
        }
        err->col = (unsigned)col + 1;
        snprintf(err->msg, sizeof err->msg, "expected %s, found %s", expected, tok);
        return 0;
}

int trace_parse_lackey(const char *s, size_t len, const struct trace_limits *limits, struct op *op,
                       struct op *second, struct trace_error *err)
{
        err->col = 0;
        if (is_banner(s, len))
                return 0;
        size_t i = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i >= len)
                return 0;
        char kind = s[i];
        if (!one_of(kind, "ILSM"))
                return bad(err, i, "a lackey access kind I, L, S or M", s, len);
        i++;
        if (i >= len || s[i] != ' ')
                return bad(err, i, "a space after the access kind", s, len);
        while (i < len && s[i] == ' ')
                i++;
        size_t start = i;
        uint64_t addr = 0;
        while (i < len && isxdigit((unsigned char)s[i])) {
                if (addr >> 60)
                        return bad(err, start, "a hex address that fits in 64 bits", s, len);
                int ch = tolower((unsigned char)s[i]);
                addr = addr << 4 | (uint64_t)(isdigit(ch) ? ch - '0' : ch - 'a' + 10);
                i++;
        }
        if (i == start)
                return bad(err, i, "a hex address", s, len);
        if (i >= len || s[i] != ',')
                return bad(err, i, "',' and an access size", s, len);
        i++;
        size_t size_col = i;
        uint64_t size = 0;
        while (i < len && isdigit((unsigned char)s[i])) {
                size = size * 10 + (uint64_t)(s[i] - '0');
                if (size > 4096)
                        return bad(err, size_col, "an access size of at most 4096 bytes", s, len);
                i++;
        }
        if (i == size_col || size == 0)
                return bad(err, size_col, "an access size of at least 1 byte", s, len);
        while (i < len && isspace((unsigned char)s[i]))
                i++;
        if (i < len)
                return bad(err, i, "end of line", s, len);

        unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)limits->levels;
        uint64_t last = addr + size - 1;
        if (last < addr || (bits < 64 && (last >> (bits - 1)) != 0))
                return bad(err, start,
                           "a user-space address within the guest's virtual address width", s, len);

        memset(op, 0, sizeof *op);
        op->kind = OP_ACCESS;
        op->gva = addr;
        op->size = (uint32_t)size;
        op->access = kind == 'I' ? ACCESS_EXEC : kind == 'S' ? ACCESS_WRITE : ACCESS_READ;
        op->demand = true;
        if (kind != 'M')
                return 1;
        *second = *op;
        second->access = ACCESS_WRITE;
        return 2;
}
