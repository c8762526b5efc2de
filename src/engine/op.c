/*
 * op.c - names and the canonical text form of ops.
 */
#include "op.h"

#include <stdio.h>

static const char *const names[OP_KIND_COUNT] = {
    [OP_PT_WRITE] = "PT_WRITE",
    [OP_PT_CLEAR] = "PT_CLEAR",
    [OP_PT_PROTECT] = "PT_PROTECT",
    [OP_ACCESS] = "ACCESS",
    [OP_CR3] = "CR3",
    [OP_INVLPG] = "INVLPG",
    [OP_TLB_FLUSH] = "TLB_FLUSH",
    [OP_DIRTY_LOG] = "DIRTY_LOG",
    [OP_CPU] = "CPU",
    [OP_SHOOTDOWN] = "SHOOTDOWN",
};

const char *op_kind_name(enum op_kind kind)
{
        return kind < OP_KIND_COUNT ? names[kind] : "?";
}

char *op_format(const struct op *op, char *buf, size_t n)
{
        char flags[8];
        unsigned long long gva = (unsigned long long)op->gva;
        switch (op->kind) {
        case OP_PT_WRITE:
                snprintf(buf, n, "PT_WRITE 0x%llX->0x%llX %s%s", gva, (unsigned long long)op->gpa,
                         pte_flags_str(PTE_P | op->perm, flags),
                         op->leaf_level == 3   ? " 1G"
                         : op->leaf_level == 2 ? " 2M"
                                               : "");
                break;
        case OP_PT_PROTECT:
                snprintf(buf, n, "PT_PROTECT 0x%llX %s", gva,
                         pte_flags_str(PTE_P | op->perm, flags));
                break;
        case OP_ACCESS:
                snprintf(buf, n, "ACCESS 0x%llX %s%s", gva, access_kind_letter(op->access),
                         op->user ? " user" : "");
                break;
        case OP_CR3:
                snprintf(buf, n, "CR3 %u", op->asid);
                break;
        case OP_CPU:
                snprintf(buf, n, "CPU %u", op->cpu);
                break;
        case OP_SHOOTDOWN:
                if (op->all)
                        snprintf(buf, n, "SHOOTDOWN all");
                else
                        snprintf(buf, n, "SHOOTDOWN 0x%llX", gva);
                break;
        case OP_PT_CLEAR:
        case OP_INVLPG:
                snprintf(buf, n, "%s 0x%llX", names[op->kind], gva);
                break;
        case OP_DIRTY_LOG:
                snprintf(buf, n, "DIRTY_LOG %s",
                         op->dirty == DIRTY_LOG_START  ? "start"
                         : op->dirty == DIRTY_LOG_SYNC ? "sync"
                                                       : "stop");
                break;
        case OP_TLB_FLUSH:
        case OP_KIND_COUNT:
                snprintf(buf, n, "%s", op_kind_name(op->kind));
                break;
        }
        return buf;
}
