/*
 * quote.c - escaped outside text for one message (see quote.h).
 */
#include "quote.h"

#include "escape.h"

#define QUOTE_BUFS 4

const char *quote(const char *s)
{
        static char bufs[QUOTE_BUFS][ESCAPE_BUF];
        static unsigned next;
        char *buf = bufs[next++ % QUOTE_BUFS];
        return escape_text(s, buf, ESCAPE_BUF);
}
