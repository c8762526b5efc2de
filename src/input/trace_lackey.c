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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* The number whose eight hex digits (the first the most significant) are
 * the values 0..15 in the bytes of nibbles, the first in the low byte:
 * byte k becomes its value, then pairs, quads, all. */
static inline uint32_t hex_lanes(uint64_t nibbles)
{
        uint64_t pairs = ((nibbles << 4) + (nibbles >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
        uint64_t quads = ((pairs << 8) + (pairs >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
        return (uint32_t)((quads & 0xFFFF) << 16 | quads >> 32);
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
        *value = hex_lanes((v & ONES * 0x0F) + (letters >> 7) * 9);
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

/* The user half of the guest's virtual addresses: the bits of a GVA with
 * the paging depth of limits (below 64), less the sign bit. */
static inline unsigned user_bits(const struct trace_limits *limits)
{
        return PAGE_SHIFT + PT_INDEX_BITS * (unsigned)limits->levels - 1;
}

/* Whether the size bytes from addr lie in the user half. */
static inline bool fits(uint64_t addr, unsigned size, const struct trace_limits *limits)
{
        uint64_t last = addr + size - 1;
        return last >= addr && (last >> user_bits(limits)) == 0;
}

static bool starts_inside(uint64_t addr, const struct trace_limits *limits)
{
        return (addr >> user_bits(limits)) == 0;
}

/* The ops of an access line of kind (I, L, S or M; access its access
 * kind): *op, and for a modify the store in *second. Returns how many. */
static inline int make_ops(char kind, int access, uint64_t addr, unsigned size, struct op *op,
                           struct op *second)
{
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

#define FAIL(col, expected) return bad(err, col, expected, s, len)
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
        if (i < len && s[i] != ' ' && s[i] != '\t')
                FAIL(size_col, "an access size in decimal");
        if (size == 0)
                FAIL(size_col, "an access size of at least 1 byte");
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (i < len)
                FAIL(i, "end of line");
        if (!fits(addr, size, limits))
                FAIL(start, starts_inside(addr, limits)
                                ? "an access that ends within user space, not past its top"
                                : "a user-space address within the guest's virtual address "
                                  "width");
        return make_ops(kind, access, addr, size, op, second);
}

#undef FAIL

/* Sixteen bytes as one vector (GCC's vector extension: SSE2 on x86-64,
 * NEON on arm64, plain integers elsewhere), and the same bits as wider
 * lanes. */
typedef unsigned char u8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));

/* lane_mask + 16 - n: 16 bytes whose first n are 0xFF, the rest 0. */
static const unsigned char lane_mask[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* How many of the lanes of hex (0xFF for a hex digit, else 0) lead before
 * the first 0. */
static inline unsigned leading_digits(u8x16 hex)
{
#ifdef __SSE2__
        /* A bit a lane (pmovmskb), one branchless count: some 3% less time
         * a line than the two halves below. */
        unsigned lanes = (unsigned)_mm_movemask_epi8((__m128i)hex);
        return (unsigned)__builtin_ctz(~lanes | 0x10000u);
#else
        u64x2 halves = (u64x2)hex;
        return ~halves[0]   ? (unsigned)__builtin_ctzll(~halves[0]) >> 3
               : ~halves[1] ? 8 + ((unsigned)__builtin_ctzll(~halves[1]) >> 3)
                            : 16;
#endif
}

/* The hex digits at the start of the sixteen bytes at p (read whatever
 * they hold): sets *n to how many lead (0..16) and returns the value of
 * those digits (0 for none). Every byte is classified and converted at
 * once, then lanes are merged pairwise (as hex_lanes does in a word). */
static inline uint64_t hex16(const char *p, unsigned *n)
{
        u8x16 c;
        memcpy(&c, p, sizeof c);
        u8x16 digit = c - '0', letter = (c | 0x20) - 'a'; /* either case */
        u8x16 is_digit = (u8x16)(digit < 10), is_letter = (u8x16)(letter < 6);
        *n = leading_digits((u8x16)(is_digit | is_letter));
        u8x16 keep;
        memcpy(&keep, lane_mask + 16 - *n, sizeof keep);
        u8x16 nibbles = ((digit & is_digit) | ((letter + 10) & is_letter)) & keep;
        u16x8 pairs = (u16x8)nibbles;
        pairs = ((pairs << 4) + (pairs >> 8)) & 0xFF;
        u32x4 quads = (u32x4)pairs;
        quads = ((quads << 8) + (quads >> 16)) & 0xFFFF;
        u64x2 octets = (u64x2)quads;
        octets = ((octets << 16) + (octets >> 32)) & 0xFFFFFFFF;
        /* Sixteen digits, the first n of them the number's. */
        uint64_t all = octets[0] << 32 | octets[1];
        return *n ? all >> (4 * (16 - *n)) : 0;
}

/* fast_kind[k] for the byte k = s[0] ^ s[1] ^ ' ' of a line that starts
 * with a kind and a blank in either order: 1 when k is 'I' (Valgrind
 * writes "I  addr"), 2 for a data access (" L addr"), 0 for anything else. */
static const unsigned char fast_kind[256] = {['I'] = 1, ['L'] = 2, ['S'] = 2, ['M'] = 2};

int trace_lackey_fast(const char *s, size_t avail, const struct trace_limits *limits, struct op *op,
                      struct op *second, size_t *used)
{
        /* The kind: "I  " or " K ". When one of the first two bytes is a
         * blank, the XOR of both and a blank is the other. */
        char kind = (char)(s[0] ^ s[1] ^ ' ');
        unsigned form = fast_kind[(unsigned char)kind];
        if (form == 0 || s[2] != ' ' || s[form == 1 ? 1 : 0] != ' ')
                return 0;

        /* Eight hex digits (Valgrind pads to eight), then up to seven more. */
        unsigned digits;
        uint64_t addr = hex16(s + 3, &digits);
        if (digits < 8 || digits == 16)
                return 0; /* 16 digits or more: the line parser takes them */
        size_t i = 3 + digits;
        if (s[i] != ',')
                return 0;

        /* One or two digits of size, a newline (or CR LF) and nothing
         * else; a larger size, a blank or junk is the line parser's. */
        unsigned d0 = (unsigned)(s[i + 1] - '0'), d1 = (unsigned)(s[i + 2] - '0');
        if (d0 > 9)
                return 0;
        bool two = d1 <= 9;
        unsigned size = two ? d0 * 10 + d1 : d0;
        i += 2 + two;
        size_t len = s[i] == '\n' ? i + 1 : s[i] == '\r' && s[i + 1] == '\n' ? i + 2 : 0;
        if (len == 0 || len > avail || size == 0 || !fits(addr, size, limits))
                return 0;
        *used = len;
        return make_ops(kind, access_of(kind), addr, size, op, second);
}
