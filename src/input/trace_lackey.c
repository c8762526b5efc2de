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

/* Whether a line is one of Valgrind's own messages rather than an access:
 * "==pid== ..." (the tool's report), "--pid-- ..." (debug output, -v) or
 * "**pid** ..." (messages from the client). */
static inline bool is_banner(const char *s, size_t len)
{
        /* Runs for every line of a trace: the first two bytes decide. */
        if (len < 5 || s[1] != s[0] || (s[0] != '=' && s[0] != '-' && s[0] != '*'))
                return false;
        size_t i = 2;
        while (i < len && isdigit((unsigned char)s[i]))
                i++;
        return i > 2 && i + 1 < len && s[i] == s[0] && s[i + 1] == s[0];
}

/* access_plus_1[c] is 1 + the access that kind letter c stands for, or 0
 * for any other byte (NUL included: strchr() would find the terminator).
 * A table, as the kinds alternate at random and a switch on them was
 * mispredicted. */
static const unsigned char access_plus_1[256] = {
    ['I'] = 1 + ACCESS_EXEC,
    ['L'] = 1 + ACCESS_READ,
    ['M'] = 1 + ACCESS_READ, /* the load; the store follows */
    ['S'] = 1 + ACCESS_WRITE,
};

static int access_of(char kind)
{
        return access_plus_1[(unsigned char)kind] - 1;
}

/* The value of hex digit ch, or 16 for any other byte (no <ctype.h>: it is
 * slower and depends on the locale). */
static inline unsigned hex_value(unsigned char ch)
{
        if ((unsigned)(ch - '0') < 10)
                return (unsigned)(ch - '0');
        ch |= 0x20; /* lower case */
        if ((unsigned)(ch - 'a') < 6)
                return (unsigned)(ch - 'a' + 10);
        return 16;
}

/* Eight hex digits at a time, as SIMD within a register: most lackey
 * addresses are 8 to 12 digits, and decoding them a digit at a time was the
 * largest cost of reading a trace. */
#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The eight bytes at p as a little-endian number, whatever the host's byte
 * order (compilers make this one load). */
static inline uint64_t load_le64(const char *p)
{
        const unsigned char *u = (const unsigned char *)p;
        return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24 |
               (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 |
               (uint64_t)u[7] << 56;
}

/* 0x80 in each byte of x whose value lies strictly between m and n, 0 in
 * the others. Exact for bytes below 0x80, 0 <= m <= 127 and 0 <= n <= 128:
 * no lane borrows from or carries into its neighbour. */
static inline uint64_t bytes_between(uint64_t x, unsigned m, unsigned n)
{
        uint64_t low7 = x & ONES * 127;
        return (ONES * (127 + n) - low7) & ~x & (low7 + ONES * (127 - m)) & HIGHS;
}

/* Decodes the eight hex digits at p (the first the most significant) into
 * *value. Returns false, leaving *value alone, unless all eight are hex
 * digits. The caller guarantees eight readable bytes. */
static inline bool hex8(const char *p, uint32_t *value)
{
        uint64_t v = load_le64(p);
        if (v & HIGHS)
                return false;
        uint64_t digits = bytes_between(v, '0' - 1, '9' + 1);
        uint64_t letters = bytes_between(v | ONES * 0x20, 'a' - 1, 'f' + 1); /* either case */
        if ((digits | letters) != HIGHS)
                return false;
        /* Byte k (char k) now becomes its value, then pairs, quads, all. */
        uint64_t nibbles = (v & ONES * 0x0F) + (letters >> 7) * 9;
        uint64_t pairs = ((nibbles << 4) + (nibbles >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
        uint64_t quads = ((pairs << 8) + (pairs >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
        *value = (uint32_t)((quads & 0xFFFF) << 16 | quads >> 32);
        return true;
}

bool trace_lackey_looks_like(const char *s, size_t len)
{
        if (is_banner(s, len))
                return true;
        size_t i = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i >= len || access_of(s[i]) < 0)
                return false;
        i++;
        if (i >= len || s[i] != ' ')
                return false;
        while (i < len && s[i] == ' ')
                i++;
        size_t digits = 0;
        while (i < len && hex_value((unsigned char)s[i]) < 16)
                i++, digits++;
        return digits > 0 && i < len && s[i] == ',';
}

/* Longest part of a token quoted in an error message. */
#define FOUND_MAX 20

/* Fills err for a malformed line: col (0-based) is where the token found
 * starts; the token runs to a blank or a ',' (at least one byte), is
 * quoted with non-printable bytes escaped and cut after FOUND_MAX bytes.
 * Returns 0, for the caller to return. */
static int bad(struct trace_error *err, size_t col, const char *expected, const char *s, size_t len)
{
        char tok[4 * FOUND_MAX + 8];
        size_t n = 0;
        while (col + n < len && !isspace((unsigned char)s[col + n]) &&
               (n == 0 || s[col + n] != ','))
                n++;
        if (col >= len) {
                snprintf(tok, sizeof tok, "end of line");
        } else {
                size_t o = 0;
                tok[o++] = '\'';
                for (size_t i = 0; i < (n ? n : 1) && i < FOUND_MAX; i++) {
                        unsigned char ch = (unsigned char)s[col + i];
                        o += (size_t)snprintf(tok + o, sizeof tok - o,
                                              isprint(ch) ? "%c" : "\\x%02X", ch);
                }
                snprintf(tok + o, sizeof tok - o, "%s'", n > FOUND_MAX ? "..." : "");
        }
        err->col = (unsigned)col + 1;
        snprintf(err->msg, sizeof err->msg, "expected %s, found %s", expected, tok);
        return 0;
}

/* The parser of both entry points. With used NULL, s[0..len) is one line
 * and a malformed one is reported in err. With used set (a scan), s[0..len)
 * is the rest of the input: only a well-formed access line that ends in a
 * newline is taken (*used = its length with the newline); for anything
 * else it returns 0, err untouched, and the caller takes the line the slow
 * way. Inlined into each, so that the scan has no test of used left. */
#define FAIL(col, expected) return used ? 0 : bad(err, col, expected, s, len)
static inline __attribute__((always_inline)) int parse(const char *s, size_t len,
                                                       const struct trace_limits *limits,
                                                       struct op *op, struct op *second,
                                                       struct trace_error *err, size_t *used)
{
        if (!used)
                err->col = 0;
        if (is_banner(s, len))
                return 0;
        size_t i = 0;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i >= len)
                return 0;
        char kind = s[i];
        int access = access_of(kind);
        if (access < 0)
                FAIL(i, "a lackey access kind I, L, S or M");
        i++;
        if (i >= len || s[i] != ' ')
                FAIL(i, "a space after the access kind");
        while (i < len && s[i] == ' ')
                i++;

        /* The address: hex digits, no prefix; eight at a time while eight
         * bytes are left, then one at a time. The loops have no overflow
         * test: over 16 digits, the leading ones must be zeros. */
        size_t start = i;
        uint64_t addr = 0;
        uint32_t eight;
        while (len - i >= 8 && hex8(s + i, &eight)) {
                addr = addr << 32 | eight;
                i += 8;
        }
        unsigned digit;
        while (i < len && (digit = hex_value((unsigned char)s[i])) < 16) {
                addr = addr << 4 | digit;
                i++;
        }
        if (i == start)
                FAIL(i, "a hex address");
        for (size_t z = start; z + 16 < i; z++)
                if (s[z] != '0')
                        FAIL(start, "a hex address that fits in 64 bits");
        if (i >= len || s[i] != ',')
                FAIL(i, "',' and an access size");
        i++;

        /* The size, in decimal: 1..4096 (Valgrind prints small ones), right
         * after the comma. */
        size_t size_col = i;
        unsigned size = 0;
        while (i < len && (unsigned)(s[i] - '0') < 10) {
                size = size * 10 + (unsigned)(s[i] - '0');
                if (size > 4096)
                        FAIL(size_col, "an access size of at most 4096 bytes");
                i++;
        }
        if (i == size_col)
                FAIL(size_col, "an access size in decimal right after ','");
        size_t line_end = i + 1; /* a scan's line, with its newline */
        if (used) {
                if (i >= len || s[i] != '\n' || size == 0)
                        return 0; /* blanks, a CR, junk: the slow way says which */
        } else {
                if (i < len && s[i] != ' ' && s[i] != '\t')
                        FAIL(size_col, "an access size in decimal");
                if (size == 0)
                        FAIL(size_col, "an access size of at least 1 byte");
                while (i < len && (s[i] == ' ' || s[i] == '\t'))
                        i++;
                if (i < len)
                        FAIL(i, "end of line");
        }

        unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)limits->levels;
        uint64_t last = addr + size - 1;
        if (last < addr || (bits < 64 && (last >> (bits - 1)) != 0)) {
                bool starts_inside = bits < 64 && (addr >> (bits - 1)) == 0;
                FAIL(start, starts_inside
                                ? "an access that ends within user space, not past its top"
                                : "a user-space address within the guest's virtual address "
                                  "width");
        }

        if (used)
                *used = line_end;
        *op = (struct op){
            .kind = OP_ACCESS,
            .gva = addr,
            .size = size,
            .access = (enum access_kind)access,
            .user = true, /* a process's own accesses, to its user pages */
            .demand = true,
        };
        if (kind != 'M')
                return 1;
        *second = *op; /* a modify is a load then a store */
        second->access = ACCESS_WRITE;
        return 2;
}
#undef FAIL

int trace_parse_lackey(const char *s, size_t len, const struct trace_limits *limits, struct op *op,
                       struct op *second, struct trace_error *err)
{
        return parse(s, len, limits, op, second, err, NULL);
}

int trace_lackey_scan(const char *s, size_t avail, const struct trace_limits *limits, struct op *op,
                      struct op *second, size_t *used)
{
        *used = 0;
        return parse(s, avail, limits, op, second, NULL, used);
}
