/*
 * encode.h - test inputs in every encoding the trace reader accepts: text
 * written to a temporary file plain, gzip, xz or zstd compressed (with the
 * libraries themselves, in one or several members, streams or frames), or
 * fed through a pipe by a child process.
 */
#ifndef SHADOW_SIM_TEST_ENCODE_H
#define SHADOW_SIM_TEST_ENCODE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <lzma.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

enum encoding { ENC_PLAIN, ENC_GZIP, ENC_XZ, ENC_ZSTD, ENC_PIPE, ENC_GZIP_PIPE, ENC_COUNT };

static inline const char *encoding_name(enum encoding enc)
{
        static const char *const names[ENC_COUNT] = {"plain", "gzip", "xz",
                                                     "zstd",  "pipe", "gzip pipe"};
        return names[enc];
}

/* text[0..len) as one gzip member. Caller frees; sets *out_len. */
static inline unsigned char *gzip_member(const char *text, size_t len, size_t *out_len)
{
        z_stream z = {0};
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t cap = deflateBound(&z, len) + 64;
        unsigned char *out = malloc(cap);
        z.next_in = (unsigned char *)(uintptr_t)text;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        *out_len = cap - z.avail_out;
        deflateEnd(&z);
        return out;
}

static inline unsigned char *xz_stream(const char *text, size_t len, size_t *out_len)
{
        size_t cap = lzma_stream_buffer_bound(len);
        unsigned char *out = malloc(cap);
        *out_len = 0;
        assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, (const uint8_t *)text,
                                                 len, out, out_len, cap),
                         LZMA_OK);
        return out;
}

static inline unsigned char *zstd_frame(const char *text, size_t len, size_t *out_len)
{
        size_t cap = ZSTD_compressBound(len);
        unsigned char *out = malloc(cap);
        *out_len = ZSTD_compress(out, cap, text, len, 3);
        assert_false(ZSTD_isError(*out_len));
        return out;
}

/* The encoding of text as a file's bytes: compressed in parts members
 * (gzip members, xz streams, zstd frames, concatenated), or plain. */
static inline unsigned char *encode(enum encoding enc, const char *text, size_t len, unsigned parts,
                                    size_t *out_len)
{
        unsigned char *out = NULL;
        *out_len = 0;
        if (enc == ENC_PLAIN || enc == ENC_PIPE) {
                *out_len = len;
                return memcpy(malloc(len + 1), text, len);
        }
        for (unsigned p = 0; p < parts; p++) {
                size_t from = len * p / parts, to = len * (p + 1) / parts, n;
                unsigned char *piece = enc == ENC_XZ     ? xz_stream(text + from, to - from, &n)
                                       : enc == ENC_ZSTD ? zstd_frame(text + from, to - from, &n)
                                                         : gzip_member(text + from, to - from, &n);
                out = realloc(out, *out_len + n);
                memcpy(out + *out_len, piece, n);
                *out_len += n;
                free(piece);
        }
        return out;
}

/* Writes bytes to a new temporary file and returns its name (static). */
static inline const char *write_temp(const unsigned char *bytes, size_t n)
{
        static char path[64];
        snprintf(path, sizeof path, "/tmp/test_encode_XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, bytes, n), (ssize_t)n);
        close(fd);
        return path;
}

/* An input of text in encoding enc, named by a path (a regular file, or
 * /proc/self/fd/N of a pipe that a child process fills). */
struct encoded_input {
        char path[64];
        bool is_file;
        pid_t writer;
        int read_fd;
};

static inline void encoded_open(struct encoded_input *in, enum encoding enc, const char *text,
                                unsigned parts)
{
        size_t n;
        enum encoding as = enc == ENC_GZIP_PIPE ? ENC_GZIP : enc;
        unsigned char *bytes = encode(as, text, strlen(text), parts, &n);
        memset(in, 0, sizeof *in);
        if (enc != ENC_PIPE && enc != ENC_GZIP_PIPE) {
                snprintf(in->path, sizeof in->path, "%s", write_temp(bytes, n));
                in->is_file = true;
                free(bytes);
                return;
        }
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        in->writer = fork();
        assert_true(in->writer >= 0);
        if (in->writer == 0) {
                close(fds[0]);
                size_t done = 0;
                while (done < n) {
                        ssize_t put = write(fds[1], bytes + done, n - done);
                        if (put <= 0)
                                _exit(1);
                        done += (size_t)put;
                }
                _exit(0);
        }
        close(fds[1]);
        free(bytes);
        in->read_fd = fds[0];
        snprintf(in->path, sizeof in->path, "/proc/self/fd/%d", fds[0]);
}

static inline void encoded_close(struct encoded_input *in)
{
        if (in->is_file) {
                unlink(in->path);
                return;
        }
        close(in->read_fd);
        kill(in->writer, SIGTERM);
        waitpid(in->writer, NULL, 0);
}

#endif
