/*
 * pte.c - printable forms of entries and access kinds, and the x86 rules
 * of which rights an access needs.
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

void rights_rules_init(struct rights_rules *r, bool smep, bool smap)
{
        /* User mode needs U everywhere; writes need W (CR0.WP = 1 makes
         * that true of supervisor writes too); fetches need NX clear.
         * SMEP forbids supervisor fetches from user pages, SMAP
         * supervisor data accesses to them (EFLAGS.AC is never set). */
        uint64_t smap_u = smap ? PTE_U : 0;
        r->rule[rights_rule_index(ACCESS_READ, true)] = (struct rights_rule){PTE_U, PTE_U};
        r->rule[rights_rule_index(ACCESS_WRITE, true)] =
            (struct rights_rule){PTE_U | PTE_W, PTE_U | PTE_W};
        r->rule[rights_rule_index(ACCESS_EXEC, true)] = (struct rights_rule){PTE_U | PTE_NX, PTE_U};
        r->rule[rights_rule_index(ACCESS_READ, false)] = (struct rights_rule){smap_u, 0};
        r->rule[rights_rule_index(ACCESS_WRITE, false)] =
            (struct rights_rule){PTE_W | smap_u, PTE_W};
        r->rule[rights_rule_index(ACCESS_EXEC, false)] =
            (struct rights_rule){PTE_NX | (smep ? PTE_U : 0), 0};
}
