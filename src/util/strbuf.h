/*
 * strbuf.h - appending formatted text to a fixed buffer.
 *
 * The log line of an event and the explain line are built piece by piece
 * into a caller's buffer; a piece that does not fit is cut, and the buffer
 * always stays terminated.
 */
#ifndef SHADOW_SIM_STRBUF_H
#define SHADOW_SIM_STRBUF_H

#include <stddef.h>
#include <stdint.h>

struct strbuf {
        char *buf;
        size_t n;   /* size of buf */
        size_t len; /* characters written, at most n - 1 */
};

/* Appends printf-style text, truncating at the end of the buffer. */
__attribute__((format(printf, 2, 3))) void strbuf_put(struct strbuf *o, const char *fmt, ...);

/* A u64 as the unsigned long long that %llX expects. */
static inline unsigned long long strbuf_u(uint64_t v)
{
        return (unsigned long long)v;
}

#endif
