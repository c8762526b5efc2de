/*
 * test_instream.c - the input streams under the trace reader: every
 * encoding reads back the exact text, going back lands on the exact bytes
 * (the gzip index, the kept text of xz, zstd and pipes, several streams on
 * one input), and bad compressed data are refused with a sentence naming
 * the format.
 */
#include "encode.h"

#include <errno.h>

#include "instream.h"
#include "instream_gzindex.h"

/* Lines of a lackey-like text, deterministic, about 20 bytes each.
 * Caller frees. */
static char *make_text(size_t lines, uint32_t seed)
{
        char *t = malloc(lines * 32 + 1);
        size_t len = 0;
        uint32_t x = seed;
        for (size_t i = 0; i < lines; i++) {
                x = x * 1664525u + 1013904223u;
                len += (size_t)sprintf(t + len, " %c %08x,%u\n", "ILSM"[x >> 30], x & 0xFFFFFF0u,
                                       1 + (x >> 8) % 8);
        }
        t[len] = '\0';
        return t;
}

static uint32_t rng = 1;

static size_t rnd(size_t n)
{
        rng = rng * 1103515245u + 12345u;
        return (rng >> 8) % n;
}

/* Reads n bytes at s's offset in chunks of random sizes and checks them
 * against want. */
static void expect_bytes(struct instream *s, const char *want, size_t n)
{
        static char buf[1 << 16];
        size_t done = 0;
        while (done < n) {
                size_t ask = 1 + rnd(sizeof buf);
                if (ask > n - done)
                        ask = n - done;
                ssize_t got = instream_read(s, buf, ask);
                if (got <= 0)
                        fail_msg("read %zd at %zu of %zu: %s", got, done, n, s->fault);
                assert_memory_equal(buf, want + done, (size_t)got);
                done += (size_t)got;
        }
}

static void expect_end(struct instream *s)
{
        char c;
        assert_int_equal(instream_read(s, &c, 1), 0);
}

static void test_read_every_encoding(void **state)
{
        (void)state;
        char *text = make_text(60000, 7);
        size_t len = strlen(text);
        for (int enc = 0; enc < ENC_COUNT; enc++) {
                for (unsigned parts = 1; parts <= 3; parts += 2) {
                        struct encoded_input in;
                        struct instream s;
                        encoded_open(&in, (enum encoding)enc, text, parts);
                        assert_int_equal(instream_open(&s, in.path, INSTREAM_ONCE), INSTREAM_OK);
                        static const char *const codec[ENC_COUNT] = {"text", "gzip", "xz",
                                                                     "zstd", "text", "gzip"};
                        assert_string_equal(instream_codec_name(&s), codec[enc]);
                        expect_bytes(&s, text, len);
                        expect_end(&s);
                        instream_close(&s);
                        encoded_close(&in);
                }
        }
        free(text);
}

/* Seeks s to random offsets of the text, backward and forward, and reads
 * a little at each. A second stream on the same input reads in between. */
static void check_random_seeks(struct instream *s, const char *text, size_t len)
{
        struct instream other;
        assert_int_equal(instream_open_again(&other, s), INSTREAM_OK);
        for (int i = 0; i < 60; i++) {
                size_t at = rnd(len), n = 1 + rnd(40000);
                if (n > len - at)
                        n = len - at;
                assert_int_equal(instream_seek(s, at), 0);
                expect_bytes(s, text + at, n);
                size_t o = rnd(len), k = 1 + rnd(1000);
                if (k > len - o)
                        k = len - o;
                assert_int_equal(instream_seek(&other, o), 0);
                expect_bytes(&other, text + o, k);
        }
        assert_int_equal(instream_seek(s, len), 0);
        expect_end(s);
        instream_close(&other);
}

static void test_rewind_every_encoding(void **state)
{
        (void)state;
        char *text = make_text(120000, 3); /* 2.4 MB: gzip index points */
        size_t len = strlen(text);
        for (int enc = 0; enc < ENC_COUNT; enc++) {
                struct encoded_input in;
                struct instream s;
                encoded_open(&in, (enum encoding)enc, text, enc == ENC_GZIP ? 2 : 1);
                assert_int_equal(instream_open(&s, in.path, INSTREAM_REWIND), INSTREAM_OK);
                /* Half forward first, then about: the far half is read by
                 * a seek forward. */
                expect_bytes(&s, text, len / 2);
                check_random_seeks(&s, text, len);
                instream_close(&s);
                encoded_close(&in);
        }
        free(text);
}

/* A tiny span and a small cap on the points: the index thins itself and
 * seeks still land on the right bytes. */
static void test_gz_index_thins(void **state)
{
        (void)state;
        char *text = make_text(100000, 5);
        size_t len = strlen(text), n;
        unsigned char *gz = encode(ENC_GZIP, text, len, 3, &n);
        const char *path = write_temp(gz, n);
        FILE *f = fopen(path, "rb");
        struct gz_index ix;
        struct gz_cursor c;
        gz_index_init(&ix, fileno(f));
        ix.span = 4096;
        ix.max_points = 4;
        assert_int_equal(gz_cursor_open(&c, &ix), 0);
        char *back = malloc(len);
        size_t done = 0;
        ssize_t got;
        while ((got = gz_cursor_read(&c, back + done, len - done)) > 0)
                done += (size_t)got;
        assert_int_equal(got, 0);
        assert_int_equal(done, len);
        assert_memory_equal(back, text, len);
        assert_true(ix.npoints > 1 && ix.npoints <= 4);
        assert_true(ix.span > 4096);
        for (int i = 0; i < 200; i++) {
                size_t at = rnd(len), k = 1 + rnd(3000);
                if (k > len - at)
                        k = len - at;
                assert_int_equal(gz_cursor_seek(&c, at), 0);
                assert_int_equal(gz_cursor_read(&c, back, k), (ssize_t)k);
                assert_memory_equal(back, text + at, k);
        }
        assert_int_equal(gz_cursor_seek(&c, len + 1), -1);
        assert_non_null(strstr(c.fault, "end before"));
        gz_cursor_close(&c);
        gz_index_free(&ix);
        fclose(f);
        unlink(path);
        free(back);
        free(gz);
        free(text);
}

/* Opens bytes as a file in mode and reads it to its end or a fault,
 * checking what it reads against want (unless NULL). Returns the status of
 * the failure (INSTREAM_OK for none) with the fault in s->fault;
 * *text_read is the bytes read first. */
static enum instream_status read_bytes(const unsigned char *bytes, size_t n,
                                       enum instream_mode mode, const char *want,
                                       struct instream *s, size_t *text_read)
{
        const char *path = write_temp(bytes, n);
        enum instream_status st = instream_open(s, path, mode);
        unlink(path);
        *text_read = 0;
        if (st != INSTREAM_OK)
                return st;
        char buf[4096];
        ssize_t got;
        while ((got = instream_read(s, buf, sizeof buf)) > 0) {
                if (want)
                        assert_memory_equal(buf, want + *text_read, (size_t)got);
                *text_read += (size_t)got;
        }
        st = got < 0 ? s->status : INSTREAM_OK;
        char fault[sizeof s->fault];
        memcpy(fault, s->fault, sizeof fault);
        instream_close(s);
        memcpy(s->fault, fault, sizeof fault);
        return st;
}

/* The failure of reading bytes, which must be bad data naming want. */
static void expect_bad(const unsigned char *bytes, size_t n, const char *want)
{
        for (int mode = INSTREAM_ONCE; mode <= INSTREAM_REWIND; mode++) {
                struct instream s;
                size_t got;
                assert_int_equal(read_bytes(bytes, n, (enum instream_mode)mode, NULL, &s, &got),
                                 INSTREAM_BAD_DATA);
                if (!strstr(s.fault, want))
                        fail_msg("'%s' does not say '%s'", s.fault, want);
        }
}

static void test_bad_compressed_data(void **state)
{
        (void)state;
        char *text = make_text(20000, 9);
        size_t len = strlen(text), n;
        for (int enc = ENC_GZIP; enc <= ENC_ZSTD; enc++) {
                static const char *const truncated[] = {
                    [ENC_GZIP] = "truncated gzip data",
                    [ENC_XZ] = "truncated xz data",
                    [ENC_ZSTD] = "truncated zstd data",
                };
                unsigned char *bytes = encode((enum encoding)enc, text, len, 1, &n);
                expect_bad(bytes, n / 2, truncated[enc]);
                expect_bad(bytes, 7, truncated[enc]);
                /* Text decoded before the cut comes first. */
                struct instream s;
                size_t got;
                assert_int_equal(read_bytes(bytes, n / 2, INSTREAM_ONCE, text, &s, &got),
                                 INSTREAM_BAD_DATA);
                assert_true(got > len / 4 && got < len);
                free(bytes);
        }
        /* Damaged headers. */
        unsigned char *gz = encode(ENC_GZIP, text, len, 1, &n);
        gz[2] = 9; /* compression method: not deflate */
        expect_bad(gz, n, "corrupt gzip data: unknown compression method");
        gz[2] = 8;
        gz[n - 2] ^= 0xFF; /* the length in the trailer */
        expect_bad(gz, n, "corrupt gzip data: incorrect length check");
        gz[n - 2] ^= 0xFF;
        unsigned char *tail = malloc(n + 4);
        memcpy(tail, gz, n);
        memcpy(tail + n, "junk", 4);
        expect_bad(tail, n + 4, "bytes that are not gzip after the end of a member");
        unsigned char *xz = encode(ENC_XZ, text, len, 1, &n);
        xz[8] ^= 0xFF; /* the stream header's CRC */
        expect_bad(xz, n, "corrupt xz data");
        unsigned char *zs = encode(ENC_ZSTD, text, len, 1, &n);
        zs[4] = 0xFF; /* frame header descriptor: reserved bit set */
        expect_bad(zs, n, "corrupt zstd data");
        /* Formats recognised and not read: refused at open. */
        static const struct {
                const char *bytes, *name;
        } unread[] = {
            {"BZh91AY&SY", "bzip2"}, {"\x04\x22\x4D\x18xx", "lz4"}, {"LZIP\x01x", "lzip"}};
        for (size_t i = 0; i < sizeof unread / sizeof unread[0]; i++) {
                struct instream s;
                size_t got;
                const unsigned char *b = (const unsigned char *)unread[i].bytes;
                assert_int_equal(
                    read_bytes(b, strlen(unread[i].bytes), INSTREAM_ONCE, NULL, &s, &got),
                    INSTREAM_BAD_DATA);
                assert_non_null(strstr(s.fault, unread[i].name));
                assert_non_null(strstr(s.fault, "decompress it first"));
        }
        free(tail);
        free(gz);
        free(xz);
        free(zs);
        free(text);
}

static void test_open_and_go_back_failures(void **state)
{
        (void)state;
        struct instream s;
        assert_int_equal(instream_open(&s, "/nonexistent/x", INSTREAM_ONCE), INSTREAM_NO_INPUT);
        assert_int_equal(s.fault_errno, ENOENT);
        assert_string_equal(s.fault, "cannot read: No such file or directory");
        assert_int_equal(instream_open(&s, "/tmp", INSTREAM_REWIND), INSTREAM_NO_INPUT);
        assert_int_equal(s.fault_errno, EISDIR);
        /* A pipe read once cannot seek, as lseek(2). */
        struct encoded_input in;
        char *text = make_text(1000, 1);
        encoded_open(&in, ENC_PIPE, text, 1);
        assert_int_equal(instream_open(&s, in.path, INSTREAM_ONCE), INSTREAM_OK);
        expect_bytes(&s, text, 100);
        assert_int_equal(instream_seek(&s, 100), -1);
        assert_int_equal(s.fault_errno, ESPIPE);
        assert_int_equal(instream_percent(&s, 100), -1);
        instream_close(&s);
        encoded_close(&in);
        /* A compressed file read once decodes again to go back. */
        size_t len = strlen(text);
        for (int enc = ENC_GZIP; enc <= ENC_ZSTD; enc++) {
                encoded_open(&in, (enum encoding)enc, text, 2);
                assert_int_equal(instream_open(&s, in.path, INSTREAM_ONCE), INSTREAM_OK);
                expect_bytes(&s, text, len);
                expect_end(&s);
                assert_int_equal(instream_seek(&s, 0), 0);
                expect_bytes(&s, text, 50);
                assert_int_equal(instream_seek(&s, 30), 0);
                expect_bytes(&s, text + 30, 100);
                assert_int_equal(instream_seek(&s, 900), 0);
                expect_bytes(&s, text + 900, len - 900);
                expect_end(&s);
                instream_close(&s);
                encoded_close(&in);
        }
        /* An empty file is an empty text. */
        const char *path = write_temp((const unsigned char *)"", 0);
        assert_int_equal(instream_open(&s, path, INSTREAM_REWIND), INSTREAM_OK);
        expect_end(&s);
        instream_close(&s);
        unlink(path);
        free(text);
}

static void test_percent(void **state)
{
        (void)state;
        char *text = make_text(50000, 2);
        size_t len = strlen(text);
        for (int enc = ENC_PLAIN; enc <= ENC_ZSTD; enc++) {
                struct encoded_input in;
                struct instream s;
                encoded_open(&in, (enum encoding)enc, text, 1);
                assert_int_equal(instream_open(&s, in.path, INSTREAM_REWIND), INSTREAM_OK);
                expect_bytes(&s, text, len);
                assert_int_equal(instream_percent(&s, len), 100);
                assert_int_equal(instream_seek(&s, len / 2), 0);
                int p = instream_percent(&s, len / 2);
                if (p < 35 || p > 65)
                        fail_msg("%s: %d%% half-way", encoding_name((enum encoding)enc), p);
                instream_close(&s);
                encoded_close(&in);
        }
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_read_every_encoding),
            cmocka_unit_test(test_rewind_every_encoding),
            cmocka_unit_test(test_gz_index_thins),
            cmocka_unit_test(test_bad_compressed_data),
            cmocka_unit_test(test_open_and_go_back_failures),
            cmocka_unit_test(test_percent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
