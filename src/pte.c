/*
 * pte.c - printable forms of entries and access kinds.
 */
#include "pte.h"

char *pte_flags_str(uint64_t e, char *buf)
{
        char *p = buf;
        if (pte_present(e)) {
                *p++ = 'r';
                if (e & PTE_W)
                        *p++ = 'w';
                if (!(e & PTE_NX))
                        *p++ = 'x';
                if (e & PTE_U)
                        *p++ = 'u';
        } else {
                *p++ = '-';
        }
        *p = '\0';
        return buf;
}

const char *access_kind_letter(enum access_kind kind)
{
        return kind == ACCESS_WRITE ? "W" : kind == ACCESS_EXEC ? "X" : "R";
}
