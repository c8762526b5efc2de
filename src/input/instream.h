/*
 * instream.h - the bytes of a trace, from a file or a pipe, plain or
 * compressed.
 *
 * The trace reader (trace.h) reads its text through an instream, which
 * hides where the text comes from: a regular file, a pipe or a device, any
 * of them plain or compressed with gzip, xz or zstd (recognised from the
 * first bytes, instream_codec.h).
 *
 * A stream opened to be read once (the batch faces) just reads, with
 * nothing kept: memory stays flat whatever the length of the trace. A
 * stream opened to go back (the stepper) can also be moved to any offset
 * of the text it has read:
 *   - a plain regular file is read at the offset, with nothing kept;
 *   - a gzip file keeps an index of restart points (instream_gzindex.h);
 *   - an xz or zstd file, and whatever comes from a pipe, keeps its text
 *     as it is first read in an unlinked temporary file ($TMPDIR, else
 *     /tmp), read from then on as a plain file: neither library can resume
 *     decoding in the middle of a stream, and a pipe cannot be read twice.
 * Several streams can read one input (instream_open_again), each at its
 * own offset: the stepper reads ahead and replays with streams of its own.
 */
#ifndef SHADOW_SIM_INSTREAM_H
#define SHADOW_SIM_INSTREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum instream_mode {
        INSTREAM_ONCE,   /* read in order, once */
        INSTREAM_REWIND, /* read, and go back to any offset read */
};

enum instream_status {
        INSTREAM_OK,
        INSTREAM_NO_INPUT, /* the input cannot be opened (fault_errno) */
        INSTREAM_IO_ERROR, /* reading failed (fault_errno) */
        INSTREAM_BAD_DATA, /* corrupt or truncated compressed data, or a
                              compression format that is not read */
};

struct instream_source;
struct gz_cursor;

struct instream {
        struct instream_source *src; /* shared by the streams on one input */
        struct gz_cursor *gz;        /* this stream's inflater on an indexed gzip file */
        uint64_t offset;             /* text offset of the next byte read gives */
        enum instream_status status; /* of the last failure */
        int fault_errno;             /* errno of a failed open or read (0: bad data) */
        char fault[256];             /* the last failure, a sentence without the file name */
};

/* Opens path ("-": standard input). Returns INSTREAM_OK; otherwise the
 * kind of failure with a sentence in s->fault ("cannot read: No such file
 * or directory", "a bzip2-compressed file: ...") and nothing to close.
 * A read error met while looking at the first bytes is kept for the first
 * instream_read, which reports it as any read error. */
enum instream_status instream_open(struct instream *s, const char *path, enum instream_mode mode);

/* Opens another stream on the input src reads (which was opened with
 * INSTREAM_REWIND), at offset 0. Returns as instream_open. */
enum instream_status instream_open_again(struct instream *dst, const struct instream *src);

void instream_close(struct instream *s);

/* Reads up to n bytes of text at s->offset. Returns how many (fewer than
 * n when that is what the input has now), 0 at the end of the text, or -1
 * with s->status and s->fault set. Bytes decoded before corrupt data are
 * returned first; the fault comes with the next call. */
ssize_t instream_read(struct instream *s, void *buf, size_t n);

/* Moves s to text offset. On a stream read once, a plain file seeks, a
 * compressed one decodes again from its start to go back (and reads up to
 * offset), and a pipe cannot seek at all (ESPIPE, as lseek(2)). Returns 0,
 * or -1 with s->status and s->fault set. */
int instream_seek(struct instream *s, uint64_t offset);

/* How far through its input s stands at text offset (which it has read),
 * 0..100; -1 when the input's size is unknown (a pipe). */
int instream_percent(const struct instream *s, uint64_t offset);

/* The compression of the input: "gzip", "xz", "zstd" or "text". */
const char *instream_codec_name(const struct instream *s);

#endif
