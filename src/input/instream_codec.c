/*
 * instream_codec.c - gzip (zlib), xz (liblzma) and zstd (libzstd) behind
 * one decoding interface (see instream_codec.h).
 */
#include "instream_codec.h"

#include <limits.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "xalloc.h"

struct magic {
        const char *name;
        enum codec codec;
        unsigned char bytes[CODEC_MAGIC_MAX];
        size_t len;
};

/* Magic numbers, from each format's specification. The formats that are
 * not read are recognised too, so that the error names them. */
static const struct magic magics[] = {
    {"gzip", CODEC_GZIP, {0x1F, 0x8B}, 2},
    {"xz", CODEC_XZ, {0xFD, '7', 'z', 'X', 'Z', 0x00}, 6},
    {"zstd", CODEC_ZSTD, {0x28, 0xB5, 0x2F, 0xFD}, 4},
    {"bzip2", CODEC_NONE, {'B', 'Z', 'h'}, 3},
    {"lz4", CODEC_NONE, {0x04, 0x22, 0x4D, 0x18}, 4},
    {"lzip", CODEC_NONE, {'L', 'Z', 'I', 'P'}, 4},
    {"compress (.Z)", CODEC_NONE, {0x1F, 0x9D}, 2},
    {"lzma (legacy .lzma)", CODEC_NONE, {0x5D, 0x00, 0x00}, 3},
};

enum codec codec_detect(const unsigned char *p, size_t n, const char **unread)
{
        *unread = NULL;
        for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
                const struct magic *m = &magics[i];
                if (n < m->len || memcmp(p, m->bytes, m->len) != 0)
                        continue;
                if (m->codec == CODEC_NONE)
                        *unread = m->name;
                return m->codec;
        }
        return CODEC_NONE;
}

const char *codec_name(enum codec c)
{
        switch (c) {
        case CODEC_GZIP:
                return "gzip";
        case CODEC_XZ:
                return "xz";
        case CODEC_ZSTD:
                return "zstd";
        case CODEC_NONE:
                break;
        }
        return "text";
}

static enum decoder_status failed(char *msg, size_t msglen, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
        return DECODER_ERROR;
}

static enum decoder_status truncated(const struct decoder *d, char *msg, size_t msglen)
{
        return failed(msg, msglen, "truncated %s data: the input ends inside a compressed stream",
                      codec_name(d->codec));
}

/* Clamps a buffer length to what zlib's counters hold. */
static uInt zlen(size_t n)
{
        return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

/* ---- gzip ---------------------------------------------------------------- */

static int gzip_init(struct decoder *d)
{
        z_stream *z = xcalloc(1, sizeof *z);
        d->state = z;
        return inflateInit2(z, 15 + 16) == Z_OK ? 0 : -1; /* 15 + 16: gzip wrapper */
}

static enum decoder_status gzip_run(struct decoder *d, const unsigned char *in, size_t in_len,
                                    bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                    size_t *made, char *msg, size_t msglen)
{
        z_stream *z = d->state;
        for (;;) {
                if (d->member_done) {
                        if (*used == in_len)
                                return in_eof ? DECODER_END : DECODER_MORE;
                        if (in[*used] != 0x1F)
                                return failed(msg, msglen,
                                              "corrupt gzip data: bytes that are not gzip "
                                              "after the end of a member");
                        inflateReset(z);
                        d->member_done = false;
                }
                z->next_in = (unsigned char *)(uintptr_t)(in + *used);
                z->avail_in = zlen(in_len - *used);
                z->next_out = out + *made;
                z->avail_out = zlen(out_len - *made);
                int r = inflate(z, Z_NO_FLUSH);
                *used = (size_t)(z->next_in - in);
                *made = (size_t)(z->next_out - out);
                if (r == Z_STREAM_END) {
                        d->member_done = true;
                        continue;
                }
                if (r != Z_OK && r != Z_BUF_ERROR)
                        return failed(msg, msglen, "corrupt gzip data: %s",
                                      z->msg ? z->msg : "inflate failed");
                if (*made == out_len)
                        return DECODER_MORE;
                if (*used == in_len)
                        return in_eof ? truncated(d, msg, msglen) : DECODER_MORE;
        }
}

static void gzip_free(struct decoder *d)
{
        inflateEnd(d->state);
        free(d->state);
}

/* ---- xz ------------------------------------------------------------------ */

static int xz_init(struct decoder *d)
{
        lzma_stream *x = xmalloc(sizeof *x);
        *x = (lzma_stream)LZMA_STREAM_INIT;
        d->state = x;
        return lzma_stream_decoder(x, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK ? 0 : -1;
}

static const char *xz_error(lzma_ret r)
{
        switch (r) {
        case LZMA_FORMAT_ERROR:
                return "not in the .xz format";
        case LZMA_OPTIONS_ERROR:
                return "compression options this liblzma does not support";
        case LZMA_DATA_ERROR:
                return "the compressed data is corrupt";
        case LZMA_MEM_ERROR:
                return "out of memory";
        default:
                return "lzma_code failed";
        }
}

static enum decoder_status xz_run(struct decoder *d, const unsigned char *in, size_t in_len,
                                  bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                  size_t *made, char *msg, size_t msglen)
{
        lzma_stream *x = d->state;
        x->next_in = in;
        x->avail_in = in_len;
        x->next_out = out;
        x->avail_out = out_len;
        for (;;) {
                lzma_ret r = lzma_code(x, in_eof ? LZMA_FINISH : LZMA_RUN);
                *used = in_len - x->avail_in;
                *made = out_len - x->avail_out;
                if (r == LZMA_STREAM_END)
                        return DECODER_END;
                if (r == LZMA_BUF_ERROR)
                        return in_eof ? truncated(d, msg, msglen) : DECODER_MORE;
                if (r != LZMA_OK)
                        return failed(msg, msglen, "corrupt xz data: %s", xz_error(r));
                if (x->avail_out == 0 || (x->avail_in == 0 && !in_eof))
                        return DECODER_MORE;
        }
}

static void xz_free(struct decoder *d)
{
        lzma_end(d->state);
        free(d->state);
}

/* ---- zstd ---------------------------------------------------------------- */

static int zstd_init(struct decoder *d)
{
        d->state = ZSTD_createDStream();
        return d->state ? 0 : -1;
}

static enum decoder_status zstd_run(struct decoder *d, const unsigned char *in, size_t in_len,
                                    bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                    size_t *made, char *msg, size_t msglen)
{
        ZSTD_inBuffer ib = {in, in_len, 0};
        ZSTD_outBuffer ob = {out, out_len, 0};
        for (;;) {
                size_t before_in = ib.pos, before_out = ob.pos;
                size_t r = ZSTD_decompressStream(d->state, &ob, &ib);
                *used = ib.pos;
                *made = ob.pos;
                if (ZSTD_isError(r))
                        return failed(msg, msglen, "corrupt zstd data: %s", ZSTD_getErrorName(r));
                /* A call on no input after a complete frame asks for the
                 * next frame's header: the frame stays complete. */
                if (ib.pos != before_in || ob.pos != before_out)
                        d->member_done = r == 0;
                if (ob.pos == ob.size)
                        return DECODER_MORE;
                if (ib.pos == ib.size) {
                        if (!in_eof)
                                return DECODER_MORE;
                        return d->member_done ? DECODER_END : truncated(d, msg, msglen);
                }
        }
}

static void zstd_free(struct decoder *d)
{
        ZSTD_freeDStream(d->state);
}

/* ---- the interface ------------------------------------------------------- */

struct codec_ops {
        int (*init)(struct decoder *d);
        enum decoder_status (*run)(struct decoder *d, const unsigned char *in, size_t in_len,
                                   bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                   size_t *made, char *msg, size_t msglen);
        void (*free)(struct decoder *d);
};

static const struct codec_ops ops[] = {
    [CODEC_GZIP] = {gzip_init, gzip_run, gzip_free},
    [CODEC_XZ] = {xz_init, xz_run, xz_free},
    [CODEC_ZSTD] = {zstd_init, zstd_run, zstd_free},
};

int decoder_init(struct decoder *d, enum codec codec, char *msg, size_t msglen)
{
        memset(d, 0, sizeof *d);
        d->codec = codec;
        if (ops[codec].init(d) == 0)
                return 0;
        decoder_free(d);
        snprintf(msg, msglen, "cannot start the %s decoder (out of memory)", codec_name(codec));
        return -1;
}

enum decoder_status decoder_run(struct decoder *d, const unsigned char *in, size_t in_len,
                                bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                size_t *made, char *msg, size_t msglen)
{
        *used = *made = 0;
        return ops[d->codec].run(d, in, in_len, in_eof, used, out, out_len, made, msg, msglen);
}

void decoder_free(struct decoder *d)
{
        if (d->state)
                ops[d->codec].free(d);
        d->state = NULL;
}
