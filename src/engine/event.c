/*
 * event.c - names of event kinds and exit reasons, and the log line of an
 * event (the [TRACE] format that golden tests and users rely on).
 */
#include "event.h"

#include <strings.h>

#include "strbuf.h"

static const char *const kind_names[EV_KIND_COUNT] = {
    [EV_PT_WRITE] = "PT_WRITE",
    [EV_PT_LINK] = "PT_LINK",
    [EV_PT_CLEAR] = "PT_CLEAR",
    [EV_PT_PROTECT] = "PT_PROTECT",
    [EV_CR3] = "CR3",
    [EV_INVLPG] = "INVLPG",
    [EV_TLB_FLUSH] = "TLB_FLUSH",
    [EV_TLB_EVICT] = "TLB_EVICT",
    [EV_TLB_DROP] = "TLB_DROP",
    [EV_ACCESS] = "ACCESS",
    [EV_GUEST_PF] = "GUEST_PF",
    [EV_VM_EXIT] = "VM_EXIT",
    [EV_SHADOW_PAGE] = "SHADOW_PAGE",
    [EV_SHADOW_FILL] = "SHADOW_FILL",
    [EV_SHADOW_UPDATE] = "SHADOW_UPDATE",
    [EV_SHADOW_ZAP] = "SHADOW_ZAP",
    [EV_SHADOW_ROOT] = "SHADOW_ROOT",
    [EV_UNSYNC] = "UNSYNC",
    [EV_RESYNC] = "RESYNC",
    [EV_EPT_MAP] = "EPT_MAP",
    [EV_STALE_TLB] = "STALE_TLB",
    [EV_DIRTY_LOG] = "DIRTY_LOG",
    [EV_DIRTY] = "DIRTY",
    [EV_AGILE] = "AGILE",
    [EV_CPU] = "CPU",
    [EV_IPI] = "IPI",
    [EV_SHOOTDOWN] = "SHOOTDOWN",
};

static const char *const reason_names[EXIT_REASON_COUNT] = {
    [EXIT_PT_WRITE] = "pt_write",
    [EXIT_PAGE_FAULT] = "page_fault",
    [EXIT_CR3] = "cr3",
    [EXIT_INVLPG] = "invlpg",
    [EXIT_EPT_VIOLATION] = "ept_violation",
    [EXIT_PML_FULL] = "pml_full",
    [EXIT_IPI] = "ipi",
    [EXIT_REMOTE_FLUSH] = "remote_flush",
};

const char *event_kind_name(enum event_kind kind)
{
        return kind < EV_KIND_COUNT ? kind_names[kind] : "?";
}

const char *exit_reason_name(enum exit_reason reason)
{
        return reason < EXIT_REASON_COUNT ? reason_names[reason] : "?";
}

int event_kind_parse(const char *name)
{
        for (int k = 0; k < EV_KIND_COUNT; k++)
                if (strcasecmp(name, kind_names[k]) == 0)
                        return k;
        return -1;
}

int exit_reason_parse(const char *name)
{
        for (int r = 0; r < EXIT_REASON_COUNT; r++)
                if (strcasecmp(name, reason_names[r]) == 0)
                        return r;
        return -1;
}

static const char *size_name(int level)
{
        return level == 3 ? "1G" : level == 2 ? "2M" : "4K";
}

/* A span in bytes as the page sizes name it, or its hex value. */
static const char *span_name(uint64_t span)
{
        static const char *const names[] = {"4K", "2M", "1G", "512G", "256T"};
        for (int level = 1; level <= MAX_LEVELS; level++)
                if (span == level_span(level))
                        return names[level - 1];
        return "?";
}

/* The guest's page-table stores, trapped or not. */
static void format_stores(struct strbuf *o, const struct event *ev)
{
        char flags[8];
        switch (ev->kind) {
        case EV_PT_WRITE:
                strbuf_put(o, " 0x%llX->0x%llX", strbuf_u(ev->gva), strbuf_u(ev->gpa));
                pte_flags_str(ev->new_entry, flags);
                if (ev->level > 1 ||
                    (flags[0] && !(flags[0] == 'r' && flags[1] == 'w' && !flags[2])))
                        strbuf_put(o, " %s", flags);
                if (ev->level > 1)
                        strbuf_put(o, " %s", size_name(ev->level));
                break;
        case EV_PT_LINK:
                strbuf_put(o, " L%u 0x%llX[%u]->0x%llX", ev->level, strbuf_u(ev->table_gpa),
                           ev->index, strbuf_u(ev->gpa));
                break;
        case EV_PT_CLEAR:
                strbuf_put(o, " 0x%llX gpa=0x%llX", strbuf_u(ev->gva), strbuf_u(ev->gpa));
                break;
        case EV_PT_PROTECT:
                strbuf_put(o, " 0x%llX %s", strbuf_u(ev->gva), pte_flags_str(ev->new_entry, flags));
                break;
        default:
                break;
        }
}

/* Address-space switches and the TLB's own events. */
static void format_tlb(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_CR3:
                strbuf_put(o, " asid=%u root=0x%llX", ev->asid, strbuf_u(ev->table_gpa));
                break;
        case EV_INVLPG:
                strbuf_put(o, " 0x%llX", strbuf_u(ev->gva));
                break;
        case EV_TLB_FLUSH:
                strbuf_put(o, " entries=%u cause=%s", ev->count,
                           ev->detail == DETAIL_FLUSH_CR3     ? "cr3"
                           : ev->detail == DETAIL_FLUSH_GUEST ? "guest"
                                                              : "vmm");
                break;
        case EV_TLB_EVICT:
                strbuf_put(o, " 0x%llX hpa=0x%llX", strbuf_u(ev->gva), strbuf_u(ev->hpa));
                break;
        case EV_TLB_DROP:
                strbuf_put(o, " 0x%llX span=%s entries=%u", strbuf_u(ev->gva), span_name(ev->hpa),
                           ev->count);
                break;
        default:
                break;
        }
}

/* Accesses and what the guest sees of them. */
static void format_accesses(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_ACCESS:
                strbuf_put(o, " 0x%llX %s%s gpa=0x%llX hpa=0x%llX tlb=%s refs=%u",
                           strbuf_u(ev->gva), access_kind_letter(ev->access),
                           ev->user ? " user" : "", strbuf_u(ev->gpa), strbuf_u(ev->hpa),
                           ev->tlb_hit ? "hit" : "miss", ev->refs);
                break;
        case EV_GUEST_PF:
                strbuf_put(o, " 0x%llX %s%s error=0x%X", strbuf_u(ev->gva),
                           access_kind_letter(ev->access), ev->user ? " user" : "", ev->pf_error);
                break;
        case EV_STALE_TLB:
                strbuf_put(o, " 0x%llX hpa=0x%llX", strbuf_u(ev->gva), strbuf_u(ev->hpa));
                if (pte_present(ev->new_entry))
                        strbuf_put(o, " but guest maps gpa=0x%llX", strbuf_u(ev->gpa));
                else
                        strbuf_put(o, " but guest has no mapping");
                if (ev->detail == DETAIL_STALE_REMOTE)
                        strbuf_put(o, " (vCPU %u changed it; no shootdown reached this vCPU)",
                                   ev->index);
                else
                        strbuf_put(o, ev->detail == DETAIL_STALE_SHADOW
                                          ? " (out-of-sync shadow)"
                                          : " (no INVLPG since the change)");
                break;
        default:
                break;
        }
}

/* VM exits, by reason. */
static void format_exits(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_VM_EXIT:
                strbuf_put(o, " %s #%u", exit_reason_name(ev->reason), ev->exit_number);
                switch ((enum exit_reason)ev->reason) {
                case EXIT_PT_WRITE:
                        strbuf_put(o, " gpa=0x%llX[%u]", strbuf_u(ev->gpa), ev->index);
                        break;
                case EXIT_PAGE_FAULT:
                        strbuf_put(o, " 0x%llX %s", strbuf_u(ev->gva),
                                   access_kind_letter(ev->access));
                        break;
                case EXIT_CR3:
                        strbuf_put(o, " root=0x%llX", strbuf_u(ev->gpa));
                        break;
                case EXIT_INVLPG:
                        strbuf_put(o, " 0x%llX", strbuf_u(ev->gva));
                        break;
                case EXIT_EPT_VIOLATION:
                        strbuf_put(o, " gpa=0x%llX", strbuf_u(ev->gpa));
                        break;
                case EXIT_PML_FULL:
                        strbuf_put(o, " entries=%u", ev->count);
                        break;
                case EXIT_IPI:
                        strbuf_put(o, ev->detail == DETAIL_IPI_SEND ? " to=%u" : " from=%u",
                                   ev->index);
                        break;
                case EXIT_REMOTE_FLUSH:
                        strbuf_put(o, " from=%u", ev->index);
                        break;
                case EXIT_REASON_COUNT:
                        break;
                }
                break;
        default:
                break;
        }
}

/* The VMM's work on shadow tables (and agile paging's mode changes). */
static void format_shadow(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_SHADOW_PAGE:
                if (ev->detail == DETAIL_DIRECT)
                        strbuf_put(o, " L%u direct gpa=0x%llX", ev->level, strbuf_u(ev->gpa));
                else if (ev->detail == DETAIL_AGILE)
                        strbuf_put(o, " L%u gpa=0x%llX nested", ev->level, strbuf_u(ev->gpa));
                else
                        strbuf_put(o, " L%u gpa=0x%llX write-protected", ev->level,
                                   strbuf_u(ev->table_gpa));
                break;
        case EV_SHADOW_FILL:
                strbuf_put(o, " 0x%llX->0x%llX", strbuf_u(ev->gva), strbuf_u(ev->hpa));
                if (ev->detail == DETAIL_DIRTY)
                        strbuf_put(o, " dirty");
                else if (ev->detail == DETAIL_PREFETCH)
                        strbuf_put(o, " prefetch");
                break;
        case EV_SHADOW_UPDATE:
                strbuf_put(o, " 0x%llX->0x%llX", strbuf_u(ev->gva), strbuf_u(ev->hpa));
                break;
        case EV_SHADOW_ZAP:
                if (ev->detail == DETAIL_ZAP_ENTRY)
                        strbuf_put(o, " 0x%llX L%u", strbuf_u(ev->gva), ev->level);
                else
                        strbuf_put(o, " page L%u gpa=0x%llX entries=%u cause=%s", ev->level,
                                   strbuf_u(ev->table_gpa), ev->count,
                                   ev->detail == DETAIL_FLOOD ? "write-flooding" : "agile-mode");
                break;
        case EV_SHADOW_ROOT:
                strbuf_put(o, " asid=%u root=0x%llX %s", ev->asid, strbuf_u(ev->table_gpa),
                           ev->detail == DETAIL_ROOT_CACHED  ? "cached"
                           : ev->detail == DETAIL_ROOT_FOUND ? "kept"
                                                             : "new");
                break;
        case EV_UNSYNC:
                strbuf_put(o, " gpa=0x%llX", strbuf_u(ev->table_gpa));
                break;
        case EV_RESYNC:
                strbuf_put(o, " gpa=0x%llX entries=%u%s", strbuf_u(ev->table_gpa), ev->count,
                           ev->detail == DETAIL_SYNC_ONE ? " one-entry" : "");
                break;
        case EV_AGILE:
                strbuf_put(o, " L%u gpa=0x%llX -> %s", ev->level, strbuf_u(ev->table_gpa),
                           ev->detail == DETAIL_TO_NESTED ? "nested" : "shadow");
                if (ev->detail == DETAIL_TO_NESTED)
                        strbuf_put(o, " writes=%u", ev->count);
                break;
        default:
                break;
        }
}

/* The nested table and dirty logging. */
static void format_hypervisor(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_EPT_MAP:
                strbuf_put(o, " 0x%llX->0x%llX", strbuf_u(ev->gpa), strbuf_u(ev->hpa));
                if (ev->level == 2)
                        strbuf_put(o, " 2M");
                break;
        case EV_DIRTY_LOG:
                if (ev->detail == DETAIL_LOG_SYNC)
                        strbuf_put(o, " sync round=%u pages=%u extra=%u", ev->index, ev->count,
                                   ev->refs);
                else
                        strbuf_put(o, " %s", ev->detail == DETAIL_LOG_START ? "start" : "stop");
                break;
        case EV_DIRTY:
                strbuf_put(o, " gpa=0x%llX", strbuf_u(ev->gpa));
                if (ev->count > 1)
                        strbuf_put(o, " pages=%u", ev->count);
                strbuf_put(o, "%s",
                           ev->detail == DETAIL_DIRTY_PML    ? " pml"
                           : ev->detail == DETAIL_DIRTY_EXIT ? " exit"
                                                             : "");
                break;
        default:
                break;
        }
}

/* The address a shootdown is about, or all. */
static void put_target(struct strbuf *o, const struct event *ev)
{
        if (ev->all)
                strbuf_put(o, " all");
        else
                strbuf_put(o, " 0x%llX", strbuf_u(ev->gva));
}

/* Several vCPUs: a CPU line (the vCPU is named by cpu=), the IPIs of a
 * shootdown and its end. */
static void format_cpu(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_CPU:
                if (ev->detail == DETAIL_ONLINE)
                        strbuf_put(o, " online");
                break;
        case EV_IPI:
                if (ev->detail == DETAIL_IPI_SEND)
                        strbuf_put(o, " send to=%u", ev->index);
                else if (ev->detail == DETAIL_IPI_DELIVER)
                        strbuf_put(o, " delivered from=%u", ev->index);
                else if (ev->detail == DETAIL_IPI_POSTED)
                        strbuf_put(o, " posted from=%u", ev->index);
                else
                        strbuf_put(o, " ack from=%u", ev->index);
                put_target(o, ev);
                break;
        case EV_SHOOTDOWN:
                put_target(o, ev);
                strbuf_put(o, " targets=%u exits=%u", ev->count, ev->refs);
                break;
        default:
                break;
        }
}

/* The fields of each kind of event on its log line. */
static void (*const formats[EV_KIND_COUNT])(struct strbuf *o, const struct event *ev) = {
    [EV_PT_WRITE] = format_stores,
    [EV_PT_LINK] = format_stores,
    [EV_PT_CLEAR] = format_stores,
    [EV_PT_PROTECT] = format_stores,
    [EV_CR3] = format_tlb,
    [EV_INVLPG] = format_tlb,
    [EV_TLB_FLUSH] = format_tlb,
    [EV_TLB_EVICT] = format_tlb,
    [EV_TLB_DROP] = format_tlb,
    [EV_ACCESS] = format_accesses,
    [EV_GUEST_PF] = format_accesses,
    [EV_STALE_TLB] = format_accesses,
    [EV_VM_EXIT] = format_exits,
    [EV_SHADOW_PAGE] = format_shadow,
    [EV_SHADOW_FILL] = format_shadow,
    [EV_SHADOW_UPDATE] = format_shadow,
    [EV_SHADOW_ZAP] = format_shadow,
    [EV_SHADOW_ROOT] = format_shadow,
    [EV_UNSYNC] = format_shadow,
    [EV_RESYNC] = format_shadow,
    [EV_AGILE] = format_shadow,
    [EV_EPT_MAP] = format_hypervisor,
    [EV_DIRTY_LOG] = format_hypervisor,
    [EV_DIRTY] = format_hypervisor,
    [EV_CPU] = format_cpu,
    [EV_IPI] = format_cpu,
    [EV_SHOOTDOWN] = format_cpu,
};

size_t event_format(const struct event *ev, char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        if (n == 0)
                return 0;
        buf[0] = '\0';
        strbuf_put(&o, "%s %s", ev->kind == EV_STALE_TLB ? "[WARN]" : "[TRACE]",
                   event_kind_name(ev->kind));
        /* A machine of one vCPU logs as it always did. */
        if (ev->smp)
                strbuf_put(&o, " cpu=%u", ev->cpu);
        if (ev->kind < EV_KIND_COUNT)
                formats[ev->kind](&o, ev);
        return o.len;
}
