/*
 * trace.c - streaming trace reader and the trace format v1 parser.
 */
#include "trace.h"

#include "escape.h"
#include "number.h"
#include "sim.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "trace_lackey.h"
#include "xalloc.h"

#define READ_CHUNK (256 * 1024)

/* Parser-internal marker for the letter x while flags are read; it is
 * turned into the absence of PTE_NX before an op leaves the parser. */
#define PTE_X_FLAG (UINT64_C(1) << 62)

/* Sets up the parts of a reader common to every input. */
static void reader_init(struct trace_reader *r, enum trace_format format,
                        const struct trace_limits *limits)
{
        memset(r, 0, sizeof *r);
        r->format = r->open_format = format;
        r->limits = *limits;
}

static enum trace_status status_of(enum instream_status st)
{
        switch (st) {
        case INSTREAM_OK:
                return TRACE_OK;
        case INSTREAM_NO_INPUT:
                return TRACE_NO_INPUT;
        case INSTREAM_BAD_DATA:
                return TRACE_BAD_DATA;
        case INSTREAM_IO_ERROR:
                break;
        }
        return TRACE_IO_ERROR;
}

/* The read buffer: cap bytes, and past them the bytes the lackey fast
 * path may read beyond the end of what was read, zeroed so that they are
 * never uninitialized memory. */
static void alloc_buf(struct trace_reader *r, size_t cap)
{
        r->cap = cap;
        r->buf = xcalloc(cap + TRACE_LACKEY_READ, 1);
}

/* Opens a stream reader in mode, with its buffer. */
static enum trace_status open_stream(struct trace_reader *r, const char *path,
                                     enum trace_format format, const struct trace_limits *limits,
                                     enum instream_mode mode)
{
        reader_init(r, format, limits);
        enum trace_status st = status_of(instream_open(&r->in, path, mode));
        if (st == TRACE_OK)
                alloc_buf(r, READ_CHUNK + TRACE_MAX_LINE + 2);
        return st;
}

enum trace_status trace_open(struct trace_reader *r, const char *path, enum trace_format format,
                             const struct trace_limits *limits)
{
        return open_stream(r, path, format, limits, INSTREAM_ONCE);
}

enum trace_status trace_open_rewindable(struct trace_reader *r, const char *path,
                                        enum trace_format format, const struct trace_limits *limits)
{
        return open_stream(r, path, format, limits, INSTREAM_REWIND);
}

void trace_open_string(struct trace_reader *r, const char *text, enum trace_format format,
                       const struct trace_limits *limits)
{
        reader_init(r, format, limits);
        r->mem = text;
        r->mem_len = strlen(text);
}

enum trace_status trace_open_again(struct trace_reader *r, const struct trace_reader *src)
{
        if (src->mem) {
                trace_open_string(r, src->mem, src->open_format, &src->limits);
                return TRACE_OK;
        }
        reader_init(r, src->open_format, &src->limits);
        enum trace_status st = status_of(instream_open_again(&r->in, &src->in));
        if (st == TRACE_OK)
                alloc_buf(r, src->cap);
        return st;
}

const char *trace_format_name(enum trace_format format)
{
        return format == TRACE_FORMAT_V1 ? "v1" : format == TRACE_FORMAT_LACKEY ? "lackey" : "auto";
}

const char *trace_compression(const struct trace_reader *r)
{
        return r->mem ? "text" : instream_codec_name(&r->in);
}

const char *trace_fault(const struct trace_reader *r)
{
        return r->in.fault;
}

void trace_close(struct trace_reader *r)
{
        if (!r->mem)
                instream_close(&r->in);
        free(r->buf);
        r->buf = NULL;
}

bool trace_tell(const struct trace_reader *r, struct trace_pos *pos)
{
        if (r->has_pending)
                return false;
        pos->offset = r->mem ? r->pos : r->buf_offset + r->pos;
        pos->line = r->line;
        pos->format = r->format;
        return true;
}

int trace_seek(struct trace_reader *r, const struct trace_pos *pos)
{
        if (!r->mem) {
                if (instream_seek(&r->in, pos->offset) < 0) {
                        /* The next read reports why. */
                        r->pos = r->end = 0;
                        r->eof = true;
                        r->in_long_line = false;
                        r->fault = status_of(r->in.status);
                        errno = r->in.fault_errno ? r->in.fault_errno : EINVAL;
                        return -1;
                }
                r->buf_offset = pos->offset;
                r->end = 0;
        } else if (pos->offset > r->mem_len) {
                errno = EINVAL;
                return -1;
        }
        r->pos = r->mem ? (size_t)pos->offset : 0;
        r->eof = false;
        r->fault = TRACE_OK;
        r->in_long_line = false;
        r->has_pending = false;
        r->note_len = r->op_note_len = 0;
        r->line = pos->line;
        r->format = pos->format;
        return 0;
}

int trace_percent(const struct trace_reader *r)
{
        if (r->mem)
                return r->mem_len ? (int)((uint64_t)r->pos * 100 / r->mem_len) : 100;
        return instream_percent(&r->in, r->buf_offset + r->pos);
}

/* Moves unread bytes to the front and reads more. Returns false at end of
 * input or on an error (r->fault). */
static bool fill(struct trace_reader *r)
{
        if (r->eof)
                return false;
        if (r->pos > 0) {
                memmove(r->buf, r->buf + r->pos, r->end - r->pos);
                r->end -= r->pos;
                r->buf_offset += r->pos;
                r->pos = 0;
        }
        ssize_t n = instream_read(&r->in, r->buf + r->end, r->cap - r->end);
        if (n > 0) {
                r->end += (size_t)n;
                return true;
        }
        if (n < 0)
                r->fault = status_of(r->in.status);
        r->eof = true;
        return false;
}

/* Drops the rest of a line over TRACE_MAX_LINE, up to and including its
 * newline (or to the end of input). */
static void skip_long_line(struct trace_reader *r)
{
        r->in_long_line = false;
        for (;;) {
                char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
                if (nl) {
                        r->pos = (size_t)(nl - r->buf) + 1;
                        return;
                }
                r->pos = r->end;
                if (!fill(r))
                        return;
        }
}

/* Finds the next line. Sets *line and *len (without the newline) and
 * returns 1; returns 0 at end of input; -1 for a line over TRACE_MAX_LINE
 * (the rest of which the next call skips). */
static int next_line(struct trace_reader *r, const char **line, size_t *len)
{
        if (r->mem) {
                if (r->pos >= r->mem_len)
                        return 0;
                const char *s = r->mem + r->pos;
                const char *nl = memchr(s, '\n', r->mem_len - r->pos);
                size_t n = nl ? (size_t)(nl - s) : r->mem_len - r->pos;
                r->pos += n + (nl != NULL);
                *line = s;
                *len = n;
                return n > TRACE_MAX_LINE ? -1 : 1;
        }
        if (r->in_long_line)
                skip_long_line(r);
        for (;;) {
                char *s = r->buf + r->pos;
                size_t avail = r->end - r->pos;
                char *nl = memchr(s, '\n', avail);
                if (nl) {
                        *line = s;
                        *len = (size_t)(nl - s);
                        r->pos += *len + 1;
                        return *len > TRACE_MAX_LINE ? -1 : 1;
                }
                if (avail > TRACE_MAX_LINE) {
                        /* Too long: report it now, skip the rest later. */
                        r->pos = r->end;
                        r->in_long_line = true;
                        return -1;
                }
                if (!fill(r)) {
                        if (r->end == r->pos || r->fault)
                                return 0; /* a fault is reported, not a cut line */
                        /* Last line without a newline. */
                        *line = r->buf + r->pos;
                        *len = r->end - r->pos;
                        r->pos = r->end;
                        return 1;
                }
        }
}

static void set_error(struct trace_error *err, unsigned col, const char *fmt, ...)
{
        va_list ap;
        err->col = col;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
}

/* Whether a line holds nothing but blanks and a comment. */
static bool blank_line(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '#')
                        return true;
                if (!isspace((unsigned char)s[i]))
                        return false;
        }
        return true;
}

static enum trace_format detect_format(const char *s, size_t len)
{
        return trace_lackey_looks_like(s, len) ? TRACE_FORMAT_LACKEY : TRACE_FORMAT_V1;
}

size_t trace_next_ops(struct trace_reader *r, struct op *ops, size_t max)
{
        size_t n = 0;
        if (max == 0)
                return 0;
        if (r->has_pending) {
                r->has_pending = false;
                ops[n++] = r->pending;
        }
        if (r->format != TRACE_FORMAT_LACKEY || r->in_long_line)
                return n;
        /* A file's buffer has TRACE_LACKEY_READ bytes past its end; text
         * in memory has its terminator, so its last lines go the slow way. */
        const char *base = r->mem ? r->mem : r->buf;
        size_t pos = r->pos, end = r->mem ? r->mem_len : r->end;
        size_t stop = !r->mem ? end : end > TRACE_LACKEY_READ ? end - TRACE_LACKEY_READ : 0;
        uint64_t line = r->line;
        while (n < max && pos < stop) {
                /* The store of a modify goes to the next slot, or waits. */
                struct op *second = n + 1 < max ? &ops[n + 1] : &r->pending;
                size_t used;
                int got =
                    trace_lackey_fast(base + pos, end - pos, &r->limits, &ops[n], second, &used);
                if (got == 0)
                        break;
                pos += used;
                ops[n++].line = second->line = ++line;
                if (got == 2 && second == &r->pending)
                        r->has_pending = true;
                else
                        n += (size_t)got - 1;
        }
        r->pos = pos;
        r->line = line;
        return n;
}

/* Keeps a v1 comment line for the op below it, or forgets the block at a
 * blank line. */
static void note_line(struct trace_reader *r, const char *s, size_t len)
{
        size_t i = 0;
        while (i < len && isspace((unsigned char)s[i]))
                i++;
        if (i == len) {
                r->note_len = 0;
                return;
        }
        i++; /* the '#' */
        if (i < len && s[i] == ' ')
                i++;
        /* Shown on terminals: control bytes are escaped as in messages. */
        char raw[ESCAPE_MAX + 1], text[ESCAPE_BUF];
        size_t rawlen = len - i < ESCAPE_MAX ? len - i : ESCAPE_MAX;
        memcpy(raw, s + i, rawlen);
        raw[rawlen] = '\0';
        size_t n = strlen(escape_text(raw, text, sizeof text)), sep = r->note_len > 0;
        if (r->note_len + sep + n >= sizeof r->note)
                return; /* the block is full: its first lines are kept */
        if (sep)
                r->note[r->note_len++] = '\n';
        memcpy(r->note + r->note_len, text, n);
        r->note_len += n;
}

/* The block read so far becomes the narration of the op just parsed. */
static void take_note(struct trace_reader *r)
{
        memcpy(r->op_note, r->note, r->note_len);
        r->op_note_len = r->note_len;
        r->note_len = 0;
}

const char *trace_note(const struct trace_reader *r)
{
        return r->op_note_len ? r->op_note : "";
}

enum trace_status trace_next(struct trace_reader *r, struct op *op, struct trace_error *err)
{
        r->op_note[r->op_note_len = 0] = '\0';
        if (trace_next_ops(r, op, 1))
                return TRACE_OK;
        for (;;) {
                const char *line;
                size_t len;
                int got = next_line(r, &line, &len);
                if (got == 0 && r->fault) {
                        err->line = r->line;
                        err->col = 0;
                        snprintf(err->msg, sizeof err->msg, "%s", r->in.fault);
                        return r->fault;
                }
                if (got == 0)
                        return TRACE_EOF;
                r->line++;
                err->line = r->line;
                if (got < 0) {
                        set_error(err, TRACE_MAX_LINE + 1,
                                  "expected a line of at most %d characters, found a longer one",
                                  TRACE_MAX_LINE);
                        return TRACE_BAD_LINE;
                }
                if (len > 0 && line[len - 1] == '\r')
                        len--;
                if (r->format == TRACE_FORMAT_AUTO) {
                        if (blank_line(line, len)) {
                                note_line(r, line, len); /* v1 narration, until known */
                                continue;
                        }
                        r->format = detect_format(line, len);
                        if (r->format == TRACE_FORMAT_LACKEY)
                                r->note_len = 0;
                }
                bool ok;
                err->col = 0;
                if (r->format == TRACE_FORMAT_LACKEY) {
                        int n = trace_parse_lackey(line, len, &r->limits, op, &r->pending, err);
                        ok = n > 0;
                        r->has_pending = n > 1;
                } else {
                        ok = trace_parse_v1(line, len, &r->limits, op, err);
                        if (!ok && !err->col)
                                note_line(r, line, len);
                }
                if (ok) {
                        op->line = r->line;
                        r->pending.line = r->line;
                        if (r->note_len)
                                take_note(r);
                        r->op_note[r->op_note_len] = '\0';
                        return TRACE_OK;
                }
                if (err->col) {
                        r->note_len = 0;
                        return TRACE_BAD_LINE;
                }
        }
}

/* ---- trace format v1 ---------------------------------------------------- */

/* A cursor over one line, for the v1 parser. */
struct cursor {
        const char *s;
        size_t len, pos;
        const struct trace_limits *limits;
        struct trace_error *err;
};

static void skip_blanks(struct cursor *c)
{
        while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
                c->pos++;
}

static bool at_end(struct cursor *c)
{
        skip_blanks(c);
        return c->pos >= c->len || c->s[c->pos] == '#';
}

static bool word_char(char ch)
{
        return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '>' || ch == '/';
}

/* Length of the token at the cursor: a run of non-blank characters (at
 * least one, so that junk is shown), ending before a "->" that does not
 * start it (so that a bad GVA is shown without the GPA glued to it). */
static size_t token_len(const struct cursor *c)
{
        size_t n = 0;
        while (c->pos + n < c->len && !isspace((unsigned char)c->s[c->pos + n]) &&
               c->s[c->pos + n] != '#') {
                if (n > 0 && c->s[c->pos + n] == '-' && c->pos + n + 1 < c->len &&
                    c->s[c->pos + n + 1] == '>')
                        break;
                n++;
        }
        return n ? n : (c->pos < c->len ? 1 : 0);
}

/* Whether the token at the cursor is word (case-insensitive). */
static bool is_word(const struct cursor *c, const char *word)
{
        size_t n = strlen(word);
        return token_len(c) == n && strncasecmp(c->s + c->pos, word, n) == 0;
}

/* Longest part of a token quoted in an error message. */
#define FOUND_MAX 24

/* Describes what stands at the cursor for an error message: a quoted token
 * (non-printable bytes escaped as \xHH, cut after FOUND_MAX bytes with
 * "...") or "end of line". buf must hold at least 4 * FOUND_MAX + 8 bytes. */
static const char *found(const struct cursor *c, char *buf, size_t n)
{
        if (c->pos >= c->len || c->s[c->pos] == '#')
                return "end of line";
        size_t len = token_len(c), o = 0;
        buf[o++] = '\'';
        for (size_t i = 0; i < len && i < FOUND_MAX; i++) {
                unsigned char ch = (unsigned char)c->s[c->pos + i];
                if (isprint(ch))
                        buf[o++] = (char)ch;
                else
                        o += (size_t)snprintf(buf + o, n - o, "\\x%02X", ch);
        }
        snprintf(buf + o, n - o, "%s'", len > FOUND_MAX ? "..." : "");
        return buf;
}

static bool fail(struct cursor *c, const char *expected)
{
        char tok[4 * FOUND_MAX + 8];
        set_error(c->err, (unsigned)c->pos + 1, "expected %s, found %s", expected,
                  found(c, tok, sizeof tok));
        return false;
}

/* Reads a number token ending at a blank, '#', end of line or (when
 * stop_at_arrow) at "->". */
static bool read_number(struct cursor *c, const char *what, bool stop_at_arrow, uint64_t *out)
{
        skip_blanks(c);
        size_t start = c->pos, n = 0;
        while (start + n < c->len) {
                char ch = c->s[start + n];
                if (isspace((unsigned char)ch) || ch == '#')
                        break;
                if (stop_at_arrow && ch == '-' && start + n + 1 < c->len &&
                    c->s[start + n + 1] == '>')
                        break;
                n++;
        }
        if (n == 0 || !parse_u64(c->s + start, n, out)) {
                char expected[96];
                bool digits = n > 0 && isdigit((unsigned char)c->s[start]);
                bool hex = n > 2 && c->s[start] == '0' &&
                           (c->s[start + 1] == 'x' || c->s[start + 1] == 'X');
                uint64_t dummy;
                /* A run of valid digits that does not fit is "too large";
                 * 1e3 or 12abc is no decimal number at all. */
                bool too_big = digits && !parse_u64(c->s + start, n, &dummy);
                for (size_t i = hex ? 2 : 0; too_big && i < n; i++) {
                        unsigned char ch = (unsigned char)c->s[start + i];
                        if (hex ? !isxdigit(ch) : !isdigit(ch))
                                too_big = false;
                }
                snprintf(expected, sizeof expected, "%s%s", what,
                         too_big ? " that fits in 64 bits" : " (hex 0x... or decimal)");
                return fail(c, expected);
        }
        c->pos = start + n;
        return true;
}

static bool read_gva(struct cursor *c, bool stop_at_arrow, uint64_t *gva)
{
        size_t start;
        skip_blanks(c);
        start = c->pos;
        if (!read_number(c, "a guest virtual address", stop_at_arrow, gva))
                return false;
        unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)c->limits->levels;
        uint64_t upper = bits >= 64 ? 0 : *gva >> (bits - 1);
        uint64_t ones = bits >= 64 ? 0 : (UINT64_C(1) << (64 - (bits - 1))) - 1;
        if (upper != 0 && upper != ones) {
                char expected[128];
                c->pos = start;
                snprintf(expected, sizeof expected,
                         "a canonical guest virtual address (%u bits with %d-level paging)", bits,
                         c->limits->levels);
                return fail(c, expected);
        }
        return true;
}

/* Reads the optional flags of PT_WRITE / the flags of PT_PROTECT: tokens of
 * the letters r, w, x, u and (large_ok) a size 2M or 1G. */
static bool read_flags(struct cursor *c, bool large_ok, bool required, uint64_t *perm, int *level)
{
        bool any_letters = false;
        uint64_t p = 0;
        *level = 1;
        while (!at_end(c)) {
                size_t n = token_len(c);
                const char *t = c->s + c->pos;
                bool size_2m = n == 2 && t[0] == '2' && (t[1] == 'M' || t[1] == 'm');
                bool size_1g = n == 2 && t[0] == '1' && (t[1] == 'G' || t[1] == 'g');
                if (large_ok && (size_2m || size_1g)) {
                        if (*level != 1)
                                return fail(c, "one page size at most");
                        *level = size_2m ? 2 : 3;
                } else {
                        for (size_t i = 0; i < n; i++) {
                                switch (tolower((unsigned char)t[i])) {
                                case 'r':
                                        break;
                                case 'w':
                                        p |= PTE_W;
                                        break;
                                case 'x':
                                        p |= PTE_X_FLAG;
                                        break;
                                case 'u':
                                        p |= PTE_U;
                                        break;
                                default:
                                        return fail(c, large_ok
                                                           ? "flags (letters of rwxu, or 2M/1G)"
                                                           : "flags (letters of rwxu)");
                                }
                        }
                        any_letters = true;
                }
                c->pos += n;
        }
        if (required && !any_letters)
                return fail(c, "flags (letters of rwxu)");
        if (!any_letters)
                p = PTE_W; /* default "rw" */
        /* x is spelt as the absence of NX. */
        *perm = (p & (PTE_W | PTE_U)) | ((p & PTE_X_FLAG) ? 0 : PTE_NX);
        return true;
}

static bool expect_end(struct cursor *c)
{
        if (at_end(c))
                return true;
        return fail(c, "end of line");
}

struct keyword {
        const char *name;
        enum op_kind kind;
        int access; /* short forms R/W/X: the access kind; else -1 */
};

static const struct keyword keywords[] = {
    {"PT_WRITE", OP_PT_WRITE, -1},     {"PT_CLEAR", OP_PT_CLEAR, -1},
    {"PT_PROTECT", OP_PT_PROTECT, -1}, {"ACCESS", OP_ACCESS, -1},
    {"R", OP_ACCESS, ACCESS_READ},     {"W", OP_ACCESS, ACCESS_WRITE},
    {"X", OP_ACCESS, ACCESS_EXEC},     {"CR3", OP_CR3, -1},
    {"INVLPG", OP_INVLPG, -1},         {"TLB_FLUSH", OP_TLB_FLUSH, -1},
    {"DIRTY_LOG", OP_DIRTY_LOG, -1},   {"CPU", OP_CPU, -1},
    {"SHOOTDOWN", OP_SHOOTDOWN, -1},
};

/* Reads the keyword at the start of a line. Returns it, or NULL with the
 * error set. */
static const struct keyword *read_keyword(struct cursor *c)
{
        size_t start = c->pos, n = 0;
        while (start + n < c->len && word_char(c->s[start + n]) && c->s[start + n] != '-')
                n++;
        const struct keyword *kw = NULL;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
                if (strlen(keywords[i].name) == n &&
                    strncasecmp(keywords[i].name, c->s + start, n) == 0)
                        kw = &keywords[i];
        if (!kw || (start + n < c->len && !isspace((unsigned char)c->s[start + n]) &&
                    c->s[start + n] != '#')) {
                fail(c, "a keyword (PT_WRITE, PT_CLEAR, PT_PROTECT, ACCESS, R, W, X, CR3, "
                        "INVLPG, TLB_FLUSH, DIRTY_LOG, CPU, SHOOTDOWN)");
                return NULL;
        }
        c->pos += n;
        return kw;
}

/* Checks that a leaf of op->leaf_level at op->gpa fits guest memory and
 * the paging depth; on failure the error points at gpa_col. */
static bool check_leaf_gpa(struct cursor *c, const struct op *op, size_t gpa_col)
{
        uint64_t span = level_span(op->leaf_level);
        uint64_t mem = c->limits->guest_mem;
        c->pos = gpa_col;
        if (op->gpa & (span - 1))
                return fail(c, op->leaf_level == 1   ? "a page-aligned guest physical address"
                               : op->leaf_level == 2 ? "a 2M-aligned guest physical address"
                                                     : "a 1G-aligned guest physical address");
        if (op->gpa >= mem || mem - op->gpa < span) {
                char expected[128];
                if (op->gpa < mem) /* a large page runs past the end */
                        snprintf(expected, sizeof expected,
                                 "a %s page that ends within guest memory (0x%llX, --guest-mem)",
                                 op->leaf_level == 2 ? "2M" : "1G", (unsigned long long)mem);
                else
                        snprintf(expected, sizeof expected,
                                 "a guest physical address below 0x%llX (--guest-mem)",
                                 (unsigned long long)mem);
                return fail(c, expected);
        }
        if (op->leaf_level > c->limits->levels - 1)
                return fail(c, "a page size this paging depth supports");
        return true;
}

/* PT_WRITE <gva>-><gpa> [flags] */
static bool parse_pt_write(struct cursor *c, struct op *op)
{
        if (!read_gva(c, true, &op->gva))
                return false;
        skip_blanks(c);
        if (c->pos + 1 >= c->len || c->s[c->pos] != '-' || c->s[c->pos + 1] != '>')
                return fail(c, "'->' between the guest virtual and physical address");
        c->pos += 2;
        skip_blanks(c);
        size_t gpa_col = c->pos;
        int leaf_level;
        if (!read_number(c, "a guest physical address", false, &op->gpa) ||
            !read_flags(c, true, false, &op->perm, &leaf_level))
                return false;
        op->leaf_level = (int8_t)leaf_level;
        size_t end = c->pos;
        if (!check_leaf_gpa(c, op, gpa_col))
                return false;
        c->pos = end;
        op->gva &= ~(level_span(op->leaf_level) - 1);
        return true;
}

/* ACCESS <gva> [R|W|X] [user], or its short forms R/W/X <gva> [user] */
static bool parse_access(struct cursor *c, const struct keyword *kw, struct op *op)
{
        if (!read_gva(c, false, &op->gva))
                return false;
        op->access = kw->access < 0 ? ACCESS_READ : (enum access_kind)kw->access;
        skip_blanks(c);
        if (kw->access < 0 && !at_end(c) && !is_word(c, "user")) {
                size_t t = token_len(c);
                char ch = (char)toupper((unsigned char)c->s[c->pos]);
                if (t != 1 || (ch != 'R' && ch != 'W' && ch != 'X'))
                        return fail(c, "an access kind R, W or X");
                op->access = ch == 'R' ? ACCESS_READ : ch == 'W' ? ACCESS_WRITE : ACCESS_EXEC;
                c->pos++;
                skip_blanks(c);
        }
        if (is_word(c, "user")) {
                op->user = true;
                c->pos += 4;
        } else if (!at_end(c)) {
                return fail(c, "'user' or the end of the line");
        }
        return expect_end(c);
}

/* CR3 <asid> */
static bool parse_cr3(struct cursor *c, struct op *op)
{
        uint64_t asid;
        skip_blanks(c);
        size_t col = c->pos;
        if (!read_number(c, "an address space number", false, &asid))
                return false;
        if (asid > UINT32_MAX) {
                c->pos = col;
                return fail(c, "an address space number below 2^32");
        }
        op->asid = (uint32_t)asid;
        return expect_end(c);
}

/* CPU <n>: n below the machine's vCPUs (--vcpus). */
static bool parse_cpu(struct cursor *c, struct op *op)
{
        uint64_t n;
        unsigned vcpus = c->limits->vcpus ? c->limits->vcpus : 1;
        skip_blanks(c);
        size_t col = c->pos;
        if (!read_number(c, "a vCPU number", false, &n))
                return false;
        if (n >= vcpus) {
                char expected[96];
                c->pos = col;
                if (vcpus == 1)
                        snprintf(expected, sizeof expected,
                                 "vCPU 0 (the machine has 1 vCPU; --vcpus N for more)");
                else
                        snprintf(expected, sizeof expected, "a vCPU number below %u (--vcpus)",
                                 vcpus);
                return fail(c, expected);
        }
        op->cpu = (uint32_t)n;
        return expect_end(c);
}

/* SHOOTDOWN <gva>|all */
static bool parse_shootdown(struct cursor *c, struct op *op)
{
        skip_blanks(c);
        if (is_word(c, "all")) {
                op->all = true;
                c->pos += 3;
                return expect_end(c);
        }
        if (at_end(c))
                return fail(c, "a guest virtual address or 'all'");
        return read_gva(c, false, &op->gva) && expect_end(c);
}

/* DIRTY_LOG start|sync|stop */
static bool parse_dirty_log(struct cursor *c, struct op *op)
{
        static const char *const actions[] = {"start", "sync", "stop"};
        skip_blanks(c);
        size_t n = token_len(c);
        for (int a = 0; a < 3; a++) {
                if (n == strlen(actions[a]) && strncasecmp(c->s + c->pos, actions[a], n) == 0) {
                        op->dirty = (enum dirty_log_action)a;
                        c->pos += n;
                        return expect_end(c);
                }
        }
        return fail(c, "start, sync or stop");
}

bool trace_parse_v1(const char *line, size_t len, const struct trace_limits *limits, struct op *op,
                    struct trace_error *err)
{
        struct cursor c = {line, len, 0, limits, err};
        err->col = 0;
        if (at_end(&c))
                return false;
        memset(op, 0, sizeof *op);
        op->size = 1;
        const struct keyword *kw = read_keyword(&c);
        if (!kw)
                return false;
        op->kind = kw->kind;
        switch (kw->kind) {
        case OP_PT_WRITE:
                return parse_pt_write(&c, op);
        case OP_PT_CLEAR:
        case OP_INVLPG:
                return read_gva(&c, false, &op->gva) && expect_end(&c);
        case OP_PT_PROTECT: {
                int level;
                return read_gva(&c, false, &op->gva) &&
                       read_flags(&c, false, true, &op->perm, &level);
        }
        case OP_ACCESS:
                return parse_access(&c, kw, op);
        case OP_CR3:
                return parse_cr3(&c, op);
        case OP_DIRTY_LOG:
                return parse_dirty_log(&c, op);
        case OP_CPU:
                return parse_cpu(&c, op);
        case OP_SHOOTDOWN:
                return parse_shootdown(&c, op);
        case OP_TLB_FLUSH:
        case OP_KIND_COUNT:
                break;
        }
        return expect_end(&c);
}

void trace_limits_of_config(const struct sim_config *cfg, struct trace_limits *limits)
{
        limits->levels = cfg->levels;
        limits->guest_mem = cfg->guest_mem;
        limits->vcpus = cfg->vcpus;
}
