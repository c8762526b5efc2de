/*
 * instream_gzindex.c - random access into gzip files by index points (see
 * instream_gzindex.h).
 */
#include "instream_gzindex.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "xalloc.h"

#define IN_CHUNK      (64 * 1024)
#define SCRATCH_BYTES (64 * 1024)
#define WINDOW_BYTES  32768
#define GZIP_TRAILER  8         /* CRC-32 and length after each member */
#define GZIP_BITS     (15 + 16) /* zlib's windowBits for a gzip wrapper */
#define RAW_BITS      (-15)     /* zlib's windowBits for raw deflate */

void gz_index_init(struct gz_index *ix, int fd)
{
        memset(ix, 0, sizeof *ix);
        ix->fd = fd;
        ix->span = GZINDEX_SPAN;
        ix->max_points = GZINDEX_MAX_POINTS;
}

void gz_index_free(struct gz_index *ix)
{
        for (size_t i = 0; i < ix->npoints; i++)
                free(ix->points[i].window);
        free(ix->points);
        memset(ix, 0, sizeof *ix);
}

/* Keeps every other point and doubles the span, when the index is full. */
static void thin_points(struct gz_index *ix)
{
        size_t kept = 0;
        for (size_t i = 0; i < ix->npoints; i++) {
                if (i % 2 == 0)
                        ix->points[kept++] = ix->points[i];
                else
                        free(ix->points[i].window);
        }
        ix->npoints = kept;
        ix->span *= 2;
}

/* Whether c stands a span past the last point of the index (no other
 * cursor has indexed this part of the text yet). */
static bool wants_point(const struct gz_cursor *c)
{
        const struct gz_index *ix = c->ix;
        uint64_t last = ix->npoints ? ix->points[ix->npoints - 1].out : 0;
        return c->out >= last + ix->span;
}

/* Adds a point where c's inflater stopped, at a block boundary. */
static void add_point(struct gz_cursor *c)
{
        struct gz_index *ix = c->ix;
        z_stream *z = c->z;
        if (ix->npoints >= ix->max_points)
                thin_points(ix);
        if (!wants_point(c))
                return;
        if (ix->npoints == ix->cap) {
                ix->cap = ix->cap ? ix->cap * 2 : 64;
                ix->points = xrealloc(ix->points, ix->cap, sizeof *ix->points);
        }
        unsigned char window[WINDOW_BYTES];
        uInt wsize = 0;
        if (inflateGetDictionary(z, window, &wsize) != Z_OK)
                return;
        struct gz_point *p = &ix->points[ix->npoints++];
        p->out = c->out;
        p->in = gz_cursor_consumed(c);
        p->bits = z->data_type & 7;
        p->wsize = wsize;
        p->window = xmemdup(window, wsize ? wsize : 1);
}

static ssize_t fail(struct gz_cursor *c, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->fault, sizeof c->fault, fmt, ap);
        va_end(ap);
        c->failed = true;
        c->fault_errno = errnum;
        return -1;
}

/* Makes compressed bytes available in c->in. Returns 1, 0 at the end of
 * the file, -1 on a read error. */
static int refill(struct gz_cursor *c)
{
        if (c->in_pos < c->in_len)
                return 1;
        if (c->in_eof)
                return 0;
        for (;;) {
                ssize_t n = pread(c->ix->fd, c->in, IN_CHUNK, (off_t)c->in_next);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fail(c, errno, "read failed: %s", strerror(errno));
                        return -1;
                }
                c->in_pos = 0;
                c->in_len = (size_t)n;
                c->in_next += (uint64_t)n;
                c->in_eof = n == 0;
                return n > 0;
        }
}

/* Starts inflating at point p, or at the start of the file for NULL. */
static int restart(struct gz_cursor *c, const struct gz_point *p)
{
        z_stream *z = c->z;
        c->raw = p != NULL;
        c->member_done = false;
        c->trailer = 0;
        c->failed = false;
        c->in_pos = c->in_len = 0;
        c->in_eof = false;
        c->in_next = p ? p->in - (p->bits ? 1 : 0) : 0;
        c->out = p ? p->out : 0;
        if (inflateReset2(z, c->raw ? RAW_BITS : GZIP_BITS) != Z_OK)
                return (int)fail(c, 0, "cannot restart the gzip decoder");
        if (!p)
                return 0;
        if (p->bits) {
                if (refill(c) <= 0)
                        return c->failed ? -1 : (int)fail(c, 0, "truncated gzip data");
                int byte = c->in[c->in_pos++];
                inflatePrime(z, p->bits, byte >> (8 - p->bits));
        }
        if (p->wsize && inflateSetDictionary(z, p->window, p->wsize) != Z_OK)
                return (int)fail(c, 0, "cannot restart the gzip decoder");
        return 0;
}

int gz_cursor_open(struct gz_cursor *c, struct gz_index *ix)
{
        memset(c, 0, sizeof *c);
        c->ix = ix;
        c->z = xcalloc(1, sizeof(z_stream));
        c->in = xmalloc(IN_CHUNK);
        c->scratch = xmalloc(SCRATCH_BYTES);
        if (inflateInit2((z_stream *)c->z, GZIP_BITS) != Z_OK)
                return (int)fail(c, 0, "cannot start the gzip decoder (out of memory)");
        return 0;
}

void gz_cursor_close(struct gz_cursor *c)
{
        if (c->z)
                inflateEnd(c->z);
        free(c->z);
        free(c->in);
        free(c->scratch);
        memset(c, 0, sizeof *c);
}

/* Between members: skips what is left of a raw member's trailer, then
 * starts the next member. Returns 1 to go on inflating, 0 at the end of
 * the data, -1 on a fault. */
static int next_member(struct gz_cursor *c)
{
        while (c->trailer > 0) {
                int r = refill(c);
                if (r <= 0)
                        return r < 0 ? -1
                                     : (int)fail(c, 0,
                                                 "truncated gzip data: the input ends inside a "
                                                 "member's trailer");
                size_t skip = c->in_len - c->in_pos;
                if (skip > c->trailer)
                        skip = c->trailer;
                c->in_pos += skip;
                c->trailer -= (unsigned)skip;
        }
        int r = refill(c);
        if (r <= 0)
                return r;
        if (c->in[c->in_pos] != 0x1F)
                return (int)fail(c, 0,
                                 "corrupt gzip data: bytes that are not gzip after the end of a "
                                 "member");
        if (inflateReset2(c->z, GZIP_BITS) != Z_OK)
                return (int)fail(c, 0, "cannot restart the gzip decoder");
        c->raw = false;
        c->member_done = false;
        return 1;
}

/* One call of inflate into out[0..n). Returns bytes made (0 possible), or
 * -1 on a fault; sets *end at the end of the data. */
static ssize_t inflate_step(struct gz_cursor *c, unsigned char *out, size_t n, bool *end)
{
        z_stream *z = c->z;
        if (c->member_done) {
                int r = next_member(c);
                if (r <= 0) {
                        *end = r == 0;
                        return r < 0 ? -1 : 0;
                }
        }
        if (refill(c) < 0)
                return -1;
        bool indexing = wants_point(c);
        z->next_in = c->in + c->in_pos;
        z->avail_in = (uInt)(c->in_len - c->in_pos);
        z->next_out = out;
        z->avail_out = n > UINT_MAX ? UINT_MAX : (uInt)n;
        int r = inflate(z, indexing ? Z_BLOCK : Z_NO_FLUSH);
        size_t made = (size_t)(z->next_out - out);
        c->in_pos = (size_t)(z->next_in - c->in);
        c->out += made;
        if (r == Z_STREAM_END) {
                c->member_done = true;
                c->trailer = c->raw ? GZIP_TRAILER : 0;
                return (ssize_t)made;
        }
        if (r != Z_OK && r != Z_BUF_ERROR)
                return fail(c, 0, "corrupt gzip data: %s", z->msg ? z->msg : "inflate failed");
        if (indexing && (z->data_type & 128) && !(z->data_type & 64))
                add_point(c);
        if (made == 0 && c->in_pos == c->in_len && c->in_eof)
                return fail(c, 0, "truncated gzip data: the input ends inside a compressed stream");
        return (ssize_t)made;
}

ssize_t gz_cursor_read(struct gz_cursor *c, void *buf, size_t n)
{
        size_t got = 0;
        bool end = false;
        if (c->failed)
                return -1;
        while (got < n && !end) {
                ssize_t made = inflate_step(c, (unsigned char *)buf + got, n - got, &end);
                if (made < 0)
                        return got ? (ssize_t)got : -1;
                got += (size_t)made;
        }
        return (ssize_t)got;
}

int gz_cursor_seek(struct gz_cursor *c, uint64_t offset)
{
        const struct gz_index *ix = c->ix;
        size_t lo = 0, hi = ix->npoints; /* the first point after offset */
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (ix->points[mid].out <= offset)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        const struct gz_point *p = lo ? &ix->points[lo - 1] : NULL;
        uint64_t base = p ? p->out : 0;
        if (c->failed || c->out > offset || c->out < base)
                if (restart(c, p) < 0)
                        return -1;
        while (c->out < offset) {
                uint64_t left = offset - c->out;
                ssize_t got = gz_cursor_read(c, c->scratch,
                                             left < SCRATCH_BYTES ? (size_t)left : SCRATCH_BYTES);
                if (got < 0)
                        return -1;
                if (got == 0) {
                        fail(c, 0, "the gzip data end before text offset %llu",
                             (unsigned long long)offset);
                        return -1;
                }
        }
        return 0;
}
