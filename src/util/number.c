/*
 * number.c - the one number syntax of traces, commands and options.
 */
#include "number.h"

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
        uint64_t v = 0;
        size_t i = 0;
        if (len >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                for (i = 2; i < len; i++) {
                        int d;
                        char ch = s[i];
                        if (ch >= '0' && ch <= '9')
                                d = ch - '0';
                        else if (ch >= 'a' && ch <= 'f')
                                d = ch - 'a' + 10;
                        else if (ch >= 'A' && ch <= 'F')
                                d = ch - 'A' + 10;
                        else
                                return false;
                        if (v >> 60)
                                return false;
                        v = v << 4 | (uint64_t)d;
                }
        } else {
                if (len == 0)
                        return false;
                for (i = 0; i < len; i++) {
                        if (s[i] < '0' || s[i] > '9')
                                return false;
                        uint64_t d = (uint64_t)(s[i] - '0');
                        if (v > (UINT64_MAX - d) / 10)
                                return false;
                        v = v * 10 + d;
                }
        }
        *out = v;
        return true;
}
