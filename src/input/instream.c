/*
 * instream.c - reading a trace's text from a file or a pipe, plain or
 * compressed, once or with going back (see instream.h).
 */
#include "instream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instream_codec.h"
#include "instream_gzindex.h"
#include "xalloc.h"

#define IN_CHUNK      (64 * 1024) /* compressed bytes read at a time */
#define SCRATCH_BYTES (64 * 1024)

enum source_kind {
        SOURCE_FILE,    /* a plain regular file: pread at the offset */
        SOURCE_GZINDEX, /* a gzip file with restart points: a cursor per stream */
        SOURCE_PIPE,    /* read in order once, decoded on the way if compressed */
        SOURCE_SPOOL,   /* as SOURCE_PIPE, the text kept in a temporary file */
};

struct instream_source {
        unsigned refs; /* streams open on it */
        enum source_kind kind;
        int fd;
        bool owns_fd;
        bool regular;       /* a regular file (its size is known) */
        uint64_t file_size; /* of a regular file, in bytes */
        enum codec codec;
        /* The input in order (SOURCE_PIPE, SOURCE_SPOOL): bytes read ahead
         * (the first ones, looked at for a magic number, or compressed
         * ones), the decoder, and a failure that sticks. */
        unsigned char *in;
        size_t in_pos, in_len;
        bool in_eof;
        uint64_t in_total; /* bytes read from fd so far */
        struct decoder dec;
        bool dec_end; /* the compressed data have ended */
        enum instream_status up_status;
        int up_errno;
        char up_fault[256];
        /* SOURCE_SPOOL: the text read so far, in an unlinked file. */
        int spool_fd;
        uint64_t spooled;
        /* SOURCE_GZINDEX */
        struct gz_index gzi;
};

static void set_fault(struct instream *s, enum instream_status status, int errnum, const char *fmt,
                      ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->fault, sizeof s->fault, fmt, ap);
        va_end(ap);
        s->status = status;
        s->fault_errno = errnum;
}

/* ---- the input in order -------------------------------------------------- */

/* Records a failure of the input that every later read reports. */
static void source_fail(struct instream_source *src, enum instream_status status, int errnum,
                        const char *what)
{
        src->up_status = status;
        src->up_errno = errnum;
        snprintf(src->up_fault, sizeof src->up_fault, "%s", what);
}

/* read(2) of up to n bytes of fd. Returns the count, 0 at the end, -1
 * after recording the failure. */
static ssize_t read_fd(struct instream_source *src, void *buf, size_t n)
{
        for (;;) {
                ssize_t got = read(src->fd, buf, n);
                if (got >= 0) {
                        src->in_total += (uint64_t)got;
                        return got;
                }
                if (errno == EINTR)
                        continue;
                char what[160];
                snprintf(what, sizeof what, "read failed: %s", strerror(errno));
                source_fail(src, INSTREAM_IO_ERROR, errno, what);
                return -1;
        }
}

/* Compressed bytes consumed by the decoder so far. */
static uint64_t consumed(const struct instream_source *src)
{
        return src->in_total - (src->in_len - src->in_pos);
}

/* Decodes up to n bytes of text. Returns the count (at least one unless
 * at the end), 0 at the end, -1 after recording a failure. */
static ssize_t decode(struct instream_source *src, unsigned char *buf, size_t n)
{
        size_t got = 0;
        while (got == 0 && !src->dec_end) {
                if (src->in_pos == src->in_len && !src->in_eof) {
                        ssize_t r = read_fd(src, src->in, IN_CHUNK);
                        if (r < 0)
                                return -1;
                        src->in_pos = 0;
                        src->in_len = (size_t)r;
                        src->in_eof = r == 0;
                }
                size_t used, made;
                char msg[200];
                enum decoder_status st =
                    decoder_run(&src->dec, src->in + src->in_pos, src->in_len - src->in_pos,
                                src->in_eof, &used, buf + got, n - got, &made, msg, sizeof msg);
                src->in_pos += used;
                got += made;
                if (st == DECODER_END)
                        src->dec_end = true;
                if (st == DECODER_ERROR) {
                        char what[256];
                        snprintf(what, sizeof what, "%s (in the first %llu bytes of the input)",
                                 msg, (unsigned long long)src->in_total);
                        source_fail(src, INSTREAM_BAD_DATA, 0, what);
                        return got ? (ssize_t)got : -1;
                }
        }
        return (ssize_t)got;
}

/* The next bytes of the input's text, in order. Returns as decode. */
static ssize_t upstream_read(struct instream_source *src, unsigned char *buf, size_t n)
{
        if (src->up_status != INSTREAM_OK)
                return -1;
        if (src->codec != CODEC_NONE)
                return decode(src, buf, n);
        if (src->in_pos < src->in_len) {
                size_t k = src->in_len - src->in_pos;
                if (k > n)
                        k = n;
                memcpy(buf, src->in + src->in_pos, k);
                src->in_pos += k;
                return (ssize_t)k;
        }
        return read_fd(src, buf, n);
}

/* ---- the kinds of source ------------------------------------------------- */

/* pread of a whole count from fd, or less at its end. Returns the count,
 * or -1 with errno set. */
static ssize_t pread_some(int fd, void *buf, size_t n, uint64_t offset)
{
        for (;;) {
                ssize_t got = pread(fd, buf, n, (off_t)offset);
                if (got >= 0 || errno != EINTR)
                        return got;
        }
}

/* Writes all of buf at offset. Returns 0, or -1 with errno set. */
static int pwrite_all(int fd, const unsigned char *buf, size_t n, uint64_t offset)
{
        while (n > 0) {
                ssize_t put = pwrite(fd, buf, n, (off_t)offset);
                if (put < 0 && errno == EINTR)
                        continue;
                if (put <= 0)
                        return -1;
                buf += put;
                n -= (size_t)put;
                offset += (uint64_t)put;
        }
        return 0;
}

/* Text at s->offset from the spool, or from the input when the offset is
 * where the spool ends (the text then goes into the spool too). */
static ssize_t spool_read(struct instream *s, unsigned char *buf, size_t n)
{
        struct instream_source *src = s->src;
        if (s->offset < src->spooled) {
                uint64_t left = src->spooled - s->offset;
                ssize_t got =
                    pread_some(src->spool_fd, buf, left < n ? (size_t)left : n, s->offset);
                if (got < 0)
                        set_fault(s, INSTREAM_IO_ERROR, errno, "cannot read the kept text: %s",
                                  strerror(errno));
                return got;
        }
        ssize_t got = upstream_read(src, buf, n);
        if (got > 0) {
                if (pwrite_all(src->spool_fd, buf, (size_t)got, src->spooled) < 0) {
                        int e = errno ? errno : ENOSPC;
                        char what[200];
                        snprintf(what, sizeof what,
                                 "cannot keep the text read in a temporary file: %s", strerror(e));
                        source_fail(src, INSTREAM_IO_ERROR, e, what);
                        return -1;
                }
                src->spooled += (uint64_t)got;
        }
        return got;
}

ssize_t instream_read(struct instream *s, void *buf, size_t n)
{
        struct instream_source *src = s->src;
        ssize_t got = -1;
        switch (src->kind) {
        case SOURCE_FILE:
                got = pread_some(src->fd, buf, n, s->offset);
                if (got < 0) {
                        set_fault(s, INSTREAM_IO_ERROR, errno, "read failed: %s", strerror(errno));
                        return -1;
                }
                break;
        case SOURCE_GZINDEX:
                got = gz_cursor_read(s->gz, buf, n);
                if (got < 0) {
                        set_fault(s, s->gz->fault_errno ? INSTREAM_IO_ERROR : INSTREAM_BAD_DATA,
                                  s->gz->fault_errno, "%s (in the first %llu bytes of the input)",
                                  s->gz->fault, (unsigned long long)s->gz->in_next);
                        return -1;
                }
                break;
        case SOURCE_PIPE:
                got = upstream_read(src, buf, n);
                break;
        case SOURCE_SPOOL:
                got = spool_read(s, buf, n);
                if (got < 0 && src->up_status == INSTREAM_OK)
                        return -1; /* the fault is the stream's own */
                break;
        }
        if (got < 0) {
                set_fault(s, src->up_status, src->up_errno, "%s", src->up_fault);
                return -1;
        }
        s->offset += (uint64_t)got;
        return got;
}

/* Reads a compressed regular file read once again from its start. Returns
 * 0, or -1 with s->fault set. */
static int restart(struct instream *s)
{
        struct instream_source *src = s->src;
        if (lseek(src->fd, 0, SEEK_SET) < 0) {
                set_fault(s, INSTREAM_IO_ERROR, errno, "cannot read again: %s", strerror(errno));
                return -1;
        }
        src->in_pos = src->in_len = 0;
        src->in_eof = src->dec_end = false;
        src->in_total = 0;
        src->up_status = INSTREAM_OK;
        s->offset = 0;
        decoder_free(&src->dec);
        if (decoder_init(&src->dec, src->codec, s->fault, sizeof s->fault) < 0) {
                s->status = INSTREAM_IO_ERROR;
                s->fault_errno = ENOMEM;
                return -1;
        }
        return 0;
}

/* Reads and drops text up to offset. Returns 0 or -1 (s->fault set). */
static int skip_to(struct instream *s, uint64_t offset)
{
        unsigned char scratch[SCRATCH_BYTES];
        while (s->offset < offset) {
                uint64_t left = offset - s->offset;
                ssize_t got =
                    instream_read(s, scratch, left < sizeof scratch ? left : sizeof scratch);
                if (got < 0)
                        return -1;
                if (got == 0) {
                        set_fault(s, INSTREAM_BAD_DATA, 0, "the text ends before offset %llu",
                                  (unsigned long long)offset);
                        return -1;
                }
        }
        return 0;
}

int instream_seek(struct instream *s, uint64_t offset)
{
        struct instream_source *src = s->src;
        switch (src->kind) {
        case SOURCE_FILE:
                s->offset = offset;
                return 0;
        case SOURCE_GZINDEX:
                if (gz_cursor_seek(s->gz, offset) < 0) {
                        set_fault(s, s->gz->fault_errno ? INSTREAM_IO_ERROR : INSTREAM_BAD_DATA,
                                  s->gz->fault_errno, "%s", s->gz->fault);
                        return -1;
                }
                s->offset = offset;
                return 0;
        case SOURCE_SPOOL:
                if (offset <= src->spooled) {
                        s->offset = offset;
                        return 0;
                }
                s->offset = src->spooled;
                return skip_to(s, offset);
        case SOURCE_PIPE:
                if (!src->regular)
                        break; /* as lseek(2) on a pipe */
                if (offset < s->offset && restart(s) < 0)
                        return -1;
                return skip_to(s, offset);
        }
        set_fault(s, INSTREAM_IO_ERROR, ESPIPE, "cannot seek in a pipe read once");
        errno = ESPIPE;
        return -1;
}

/* ---- opening ------------------------------------------------------------- */

/* The first bytes of the input, for its magic number, into magic (at most
 * CODEC_MAGIC_MAX). A pipe's bytes stay in src->in, to be read first. A
 * failure is kept for the first read. Returns how many bytes were seen. */
static size_t peek(struct instream_source *src, unsigned char *magic)
{
        if (src->regular) {
                ssize_t got = pread_some(src->fd, magic, CODEC_MAGIC_MAX, 0);
                return got > 0 ? (size_t)got : 0; /* a failure recurs at the first read */
        }
        while (src->in_len < CODEC_MAGIC_MAX && !src->in_eof) {
                ssize_t got = read_fd(src, src->in + src->in_len, CODEC_MAGIC_MAX - src->in_len);
                if (got <= 0) {
                        src->in_eof = got == 0;
                        break;
                }
                src->in_len += (size_t)got;
        }
        memcpy(magic, src->in, src->in_len);
        return src->in_len;
}

/* Opens the unlinked temporary file that keeps the text of src. */
static int open_spool(struct instream_source *src)
{
        const char *dir = getenv("TMPDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/shadow-sim-XXXXXX", dir && *dir ? dir : "/tmp");
        src->spool_fd = mkstemp(path);
        if (src->spool_fd < 0)
                return -1;
        unlink(path);
        fcntl(src->spool_fd, F_SETFD, FD_CLOEXEC);
        return 0;
}

static void source_free(struct instream_source *src)
{
        if (src->kind == SOURCE_GZINDEX)
                gz_index_free(&src->gzi);
        if (src->kind == SOURCE_SPOOL && src->spool_fd >= 0)
                close(src->spool_fd);
        decoder_free(&src->dec);
        if (src->owns_fd)
                close(src->fd);
        free(src->in);
        free(src);
}

/* Opens the fd of path and learns what kind of file it is. */
static enum instream_status open_fd(struct instream *s, struct instream_source *src,
                                    const char *path)
{
        struct stat st;
        if (strcmp(path, "-") == 0) {
                src->fd = STDIN_FILENO;
        } else {
                src->fd = open(path, O_RDONLY | O_CLOEXEC);
                if (src->fd < 0) {
                        set_fault(s, INSTREAM_NO_INPUT, errno, "cannot read: %s", strerror(errno));
                        return INSTREAM_NO_INPUT;
                }
                src->owns_fd = true;
        }
        if (fstat(src->fd, &st) == 0) {
                if (S_ISDIR(st.st_mode)) {
                        set_fault(s, INSTREAM_NO_INPUT, EISDIR, "cannot read: %s",
                                  strerror(EISDIR));
                        return INSTREAM_NO_INPUT;
                }
                src->regular = S_ISREG(st.st_mode);
                src->file_size = src->regular ? (uint64_t)st.st_size : 0;
        }
        return INSTREAM_OK;
}

/* Decides how src is read from its first bytes, and sets that up. */
static enum instream_status set_up(struct instream *s, struct instream_source *src,
                                   enum instream_mode mode)
{
        unsigned char magic[CODEC_MAGIC_MAX];
        const char *unread;
        size_t seen = peek(src, magic);
        src->codec = codec_detect(magic, seen, &unread);
        if (unread) {
                set_fault(s, INSTREAM_BAD_DATA, 0,
                          "a %s-compressed file: traces are read plain or compressed with gzip, "
                          "xz or zstd (decompress it first)",
                          unread);
                return INSTREAM_BAD_DATA;
        }
        if (src->regular && src->codec == CODEC_NONE)
                src->kind = SOURCE_FILE;
        else if (src->regular && src->codec == CODEC_GZIP && mode == INSTREAM_REWIND)
                src->kind = SOURCE_GZINDEX;
        else
                src->kind = mode == INSTREAM_REWIND ? SOURCE_SPOOL : SOURCE_PIPE;
        if (src->kind == SOURCE_GZINDEX) {
                gz_index_init(&src->gzi, src->fd);
                return INSTREAM_OK;
        }
        if (src->kind == SOURCE_SPOOL && open_spool(src) < 0) {
                set_fault(s, INSTREAM_IO_ERROR, errno,
                          "cannot create a temporary file to keep the text for going back: %s",
                          strerror(errno));
                return INSTREAM_IO_ERROR;
        }
        if (src->codec != CODEC_NONE &&
            decoder_init(&src->dec, src->codec, s->fault, sizeof s->fault) < 0) {
                s->status = INSTREAM_IO_ERROR;
                s->fault_errno = ENOMEM;
                return INSTREAM_IO_ERROR;
        }
        return INSTREAM_OK;
}

/* Gives s a cursor of its own on an indexed gzip source. */
static enum instream_status open_cursor(struct instream *s)
{
        if (s->src->kind != SOURCE_GZINDEX)
                return INSTREAM_OK;
        s->gz = xmalloc(sizeof *s->gz);
        if (gz_cursor_open(s->gz, &s->src->gzi) == 0)
                return INSTREAM_OK;
        set_fault(s, INSTREAM_IO_ERROR, ENOMEM, "%s", s->gz->fault);
        gz_cursor_close(s->gz);
        free(s->gz);
        s->gz = NULL;
        return INSTREAM_IO_ERROR;
}

enum instream_status instream_open(struct instream *s, const char *path, enum instream_mode mode)
{
        memset(s, 0, sizeof *s);
        struct instream_source *src = xcalloc(1, sizeof *src);
        src->refs = 1;
        src->spool_fd = -1;
        src->kind = SOURCE_PIPE;
        src->in = xmalloc(IN_CHUNK);
        s->src = src;
        enum instream_status st = open_fd(s, src, path);
        if (st == INSTREAM_OK)
                st = set_up(s, src, mode);
        if (st == INSTREAM_OK)
                st = open_cursor(s);
        if (st != INSTREAM_OK) {
                source_free(src);
                s->src = NULL;
        }
        return st;
}

enum instream_status instream_open_again(struct instream *dst, const struct instream *src)
{
        memset(dst, 0, sizeof *dst);
        dst->src = src->src;
        dst->src->refs++;
        enum instream_status st = open_cursor(dst);
        if (st != INSTREAM_OK) {
                dst->src->refs--;
                dst->src = NULL;
        }
        return st;
}

void instream_close(struct instream *s)
{
        if (s->gz) {
                gz_cursor_close(s->gz);
                free(s->gz);
        }
        if (s->src && --s->src->refs == 0)
                source_free(s->src);
        memset(s, 0, sizeof *s);
}

int instream_percent(const struct instream *s, uint64_t offset)
{
        const struct instream_source *src = s->src;
        if (!src->regular || src->file_size == 0)
                return -1;
        /* The bytes of the file behind the text decoded so far, scaled to
         * offset when that lies behind (the reader reads ahead). */
        uint64_t done = offset, decoded = offset;
        switch (src->kind) {
        case SOURCE_FILE:
                break;
        case SOURCE_GZINDEX:
                done = gz_cursor_consumed(s->gz);
                decoded = s->gz->out;
                break;
        case SOURCE_SPOOL:
                done = consumed(src);
                decoded = src->spooled;
                break;
        case SOURCE_PIPE:
                done = consumed(src);
                decoded = s->offset;
                break;
        }
        if (offset < decoded)
                done = (uint64_t)((double)done * (double)offset / (double)decoded);
        return done >= src->file_size ? 100 : (int)(done * 100 / src->file_size);
}

const char *instream_codec_name(const struct instream *s)
{
        return codec_name(s->src->codec);
}
