/*
 * instream_gzindex.h - going back in a gzip file without reading it again
 * from its start.
 *
 * Deflate data can only be decoded from its start, except at the boundary
 * of a block when the 32 KiB of text before it (the window) and the bit at
 * which the block starts are known. While a gzip file is read, its index
 * keeps such a point about every span bytes of text; going to any text
 * offset then inflates from the nearest point before it, never more than a
 * span or so: a few milliseconds, however long the file. This is how zlib's
 * example zran.c gives random access.
 *
 * One index serves every cursor on the file (the stepper reads ahead and
 * replays with cursors of its own); each cursor has its own inflater. The
 * index takes a window per point and at most GZINDEX_MAX_POINTS of them:
 * when full it keeps every other point and doubles the span, so its memory
 * stays bounded whatever the length of the trace.
 */
#ifndef SHADOW_SIM_INSTREAM_GZINDEX_H
#define SHADOW_SIM_INSTREAM_GZINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GZINDEX_SPAN       (UINT64_C(1) << 20) /* text bytes between points, at first */
#define GZINDEX_MAX_POINTS 1024

/* A place where inflating can start afresh. */
struct gz_point {
        uint64_t out;          /* text offset */
        uint64_t in;           /* offset in the file of the first byte not consumed */
        int bits;              /* bits of the byte before in that belong to the block */
        unsigned wsize;        /* bytes of window (less than 32 KiB near a member start) */
        unsigned char *window; /* the text before the point, for back references */
};

struct gz_index {
        int fd; /* the gzip file, read with pread so that cursors share it */
        struct gz_point *points;
        size_t npoints, cap;
        size_t max_points; /* GZINDEX_MAX_POINTS (tests make it smaller) */
        uint64_t span;     /* text bytes between points, at least */
};

struct gz_cursor {
        struct gz_index *ix;
        void *z;                /* this cursor's z_stream */
        bool raw;               /* inflating raw deflate (resumed at a point) */
        bool member_done;       /* a gzip member has ended */
        unsigned trailer;       /* bytes of a member's trailer still to skip (raw) */
        unsigned char *in;      /* compressed bytes read ahead */
        size_t in_pos, in_len;  /* unread part of in */
        uint64_t in_next;       /* file offset of the byte after in[in_len - 1] */
        bool in_eof;            /* the file has no bytes after in */
        uint64_t out;           /* text offset of the next byte this cursor gives */
        unsigned char *scratch; /* text skipped over by a seek */
        bool failed;            /* the data were found corrupt: see fault */
        int fault_errno;        /* pread failed: its errno (0: bad data) */
        char fault[224];
};

/* Starts an empty index of the gzip file open on fd (not owned). */
void gz_index_init(struct gz_index *ix, int fd);
void gz_index_free(struct gz_index *ix);

/* A cursor at the start of the text. Returns 0, or -1 with c->fault set
 * (out of memory in zlib). */
int gz_cursor_open(struct gz_cursor *c, struct gz_index *ix);
void gz_cursor_close(struct gz_cursor *c);

/* Reads up to n bytes of text. Returns how many (0 at the end of the
 * data), or -1 with c->fault (and c->fault_errno for a read error) set.
 * Bytes decoded before a fault are returned first; the fault comes with
 * the next call. */
ssize_t gz_cursor_read(struct gz_cursor *c, void *buf, size_t n);

/* Moves the cursor to text offset, from the nearest index point before it
 * (or from where it stands, when that is nearer). Returns 0, or -1 with
 * c->fault set (the data end before offset, are corrupt, or cannot be
 * read). */
int gz_cursor_seek(struct gz_cursor *c, uint64_t offset);

/* Bytes of the file consumed so far, about. */
static inline uint64_t gz_cursor_consumed(const struct gz_cursor *c)
{
        return c->in_next - (c->in_len - c->in_pos);
}

#endif
