/*
 * instream_codec.h - the decompressors of traces kept compressed.
 *
 * Traces of real programs run to hundreds of megabytes and are kept as
 * .gz, .xz or .zst files. A codec is recognised from the first bytes of the
 * input (its magic number, not the file name) and decoded as a stream with
 * its own library (zlib, liblzma, libzstd), behind one interface: the
 * caller feeds compressed bytes and takes text. Concatenated streams
 * (gzip members, xz streams, zstd frames) decode as one, as the command
 * line tools do.
 */
#ifndef SHADOW_SIM_INSTREAM_CODEC_H
#define SHADOW_SIM_INSTREAM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum codec { CODEC_NONE, CODEC_GZIP, CODEC_XZ, CODEC_ZSTD };

/* Bytes codec_detect needs to see (fewer when the input is shorter). */
#define CODEC_MAGIC_MAX 6

/* The codec whose magic number starts p[0..n), or CODEC_NONE. When the
 * bytes are the magic of a compression format that is not read (bzip2,
 * lz4, lzip, compress), sets *unread to its name; else to NULL. */
enum codec codec_detect(const unsigned char *p, size_t n, const char **unread);

/* "gzip", "xz", "zstd" ("text" for CODEC_NONE). */
const char *codec_name(enum codec c);

enum decoder_status {
        DECODER_MORE,  /* call again: with more input, or more room for output */
        DECODER_END,   /* the compressed data ended cleanly (nothing more follows) */
        DECODER_ERROR, /* corrupt or truncated data: see the message */
};

struct decoder {
        enum codec codec;
        void *state;      /* the library's stream (z_stream, lzma_stream, ZSTD_DStream) */
        bool member_done; /* gzip: a member ended exactly at the end of the input
                             given so far; zstd: the last frame is complete */
};

/* Sets d up for codec (not CODEC_NONE). Returns 0, or -1 with a sentence
 * in msg when the library cannot (out of memory). */
int decoder_init(struct decoder *d, enum codec codec, char *msg, size_t msglen);

/* Decodes from in[0..in_len) into out[0..out_len), setting *used to the
 * input consumed and *made to the output written. in_eof says that no
 * input follows in. Returns DECODER_MORE, DECODER_END (*made may be
 * non-zero), or DECODER_ERROR with a sentence in msg naming the format
 * ("corrupt gzip data: invalid block type", "truncated xz data: ...");
 * the decoder is then of no further use but to free. */
enum decoder_status decoder_run(struct decoder *d, const unsigned char *in, size_t in_len,
                                bool in_eof, size_t *used, unsigned char *out, size_t out_len,
                                size_t *made, char *msg, size_t msglen);

void decoder_free(struct decoder *d);

#endif
