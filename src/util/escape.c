/*
 * escape.c - quoting outside text in messages (see escape.h).
 */
#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence of a printable character at s (1
 * for printable ASCII), or 0 when the byte at s must be escaped. */
static size_t printable_length(const unsigned char *s)
{
        unsigned char c = s[0];
        if (c >= 0x20 && c < 0x7F)
                return 1;
        if (c < 0xC2 || c > 0xF4)
                return 0; /* a control, DEL, a continuation byte or overlong lead */
        size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        /* The second byte's range rules out overlongs, surrogates and code
         * points past U+10FFFF; the others are plain continuation bytes. */
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
                lo = 0xA0;
        else if (c == 0xED)
                hi = 0x9F;
        else if (c == 0xF0)
                lo = 0x90;
        else if (c == 0xF4)
                hi = 0x8F;
        if (s[1] < lo || s[1] > hi)
                return 0;
        if (c == 0xC2 && s[1] < 0xA0)
                return 0; /* U+0080..U+009F: the C1 controls */
        for (size_t i = 2; i < len; i++)
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return 0;
        return len;
}

const char *escape_text(const char *s, char *buf, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t o = 0, used = 0;
        bool cut = false;
        while (p[used]) {
                size_t len = printable_length(p + used);
                size_t out = len ? len : 4;
                if (used + (len ? len : 1) > ESCAPE_MAX || o + out + 4 > n) {
                        cut = true;
                        break;
                }
                if (len)
                        memcpy(buf + o, p + used, len);
                else
                        snprintf(buf + o, 5, "\\x%02X", p[used]);
                o += out;
                used += len ? len : 1;
        }
        memcpy(buf + o, cut ? "..." : "", cut ? 4 : 1);
        return buf;
}
