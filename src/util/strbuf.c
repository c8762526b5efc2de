/*
 * strbuf.c - appending formatted text to a fixed buffer.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>

void strbuf_put(struct strbuf *o, const char *fmt, ...)
{
        va_list ap;
        if (o->n == 0 || o->len >= o->n - 1)
                return;
        va_start(ap, fmt);
        int w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
        va_end(ap);
        if (w > 0)
                o->len += (size_t)w;
        if (o->len >= o->n)
                o->len = o->n - 1;
}
