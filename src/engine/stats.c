/*
 * stats.c - counters computed from events, and their printed forms.
 */
#include "stats.h"

#include <stddef.h>

static const char *const names[] = {
#define STATS_NAME(name, smp, help) #name,
    STATS_FIELDS(STATS_NAME)
#undef STATS_NAME
};

static const char *const helps[] = {
#define STATS_HELP(name, smp, help) help,
    STATS_FIELDS(STATS_HELP)
#undef STATS_HELP
};

static const size_t offsets[] = {
#define STATS_OFFSET(name, smp, help) offsetof(struct stats, name),
    STATS_FIELDS(STATS_OFFSET)
#undef STATS_OFFSET
};

static const bool smp_only[] = {
#define STATS_SMP(name, smp, help) smp,
    STATS_FIELDS(STATS_SMP)
#undef STATS_SMP
};

_Static_assert(sizeof names / sizeof names[0] == STATS_COUNT, "STATS_COUNT is out of date");

const char *stats_name(unsigned i)
{
        return i < STATS_COUNT ? names[i] : NULL;
}

const char *stats_help(unsigned i)
{
        return i < STATS_COUNT ? helps[i] : NULL;
}

uint64_t stats_value(const struct stats *s, unsigned i)
{
        return *(const uint64_t *)((const char *)s + offsets[i]);
}

bool stats_shown(unsigned i, unsigned vcpus)
{
        return i < STATS_COUNT && (vcpus > 1 || !smp_only[i]);
}

/* What the VMM's handling of an exit of reason costs beyond the round trip. */
static uint64_t exit_handling_cost(const struct cost_model *c, enum exit_reason reason)
{
        switch (reason) {
        case EXIT_PT_WRITE:
                return c->pt_write;
        case EXIT_PAGE_FAULT:
                return c->page_fault;
        case EXIT_CR3:
                return c->cr3;
        case EXIT_INVLPG:
                return c->invlpg;
        case EXIT_EPT_VIOLATION:
                return c->ept_violation;
        case EXIT_PML_FULL:
                return c->pml_full;
        case EXIT_IPI:
                return c->ipi;
        case EXIT_REMOTE_FLUSH:
                return c->remote_flush;
        case EXIT_REASON_COUNT:
                break;
        }
        return 0;
}

uint64_t stats_exit_cycles(const struct cost_model *c, enum exit_reason reason)
{
        return c->exit + exit_handling_cost(c, reason);
}

/* A VM exit: its reason's counter and cost. */
static void count_exit(struct stats *s, const struct cost_model *c, const struct event *ev)
{
        s->exits++;
        switch ((enum exit_reason)ev->reason) {
        case EXIT_PT_WRITE:
                s->exit_pt_write++;
                break;
        case EXIT_PAGE_FAULT:
                s->exit_page_fault++;
                break;
        case EXIT_CR3:
                s->exit_cr3++;
                break;
        case EXIT_INVLPG:
                s->exit_invlpg++;
                break;
        case EXIT_EPT_VIOLATION:
                s->exit_ept_violation++;
                s->ept_violations++;
                break;
        case EXIT_PML_FULL:
                s->exit_pml_full++;
                s->dirty_exits++;
                break;
        case EXIT_IPI:
                s->exit_ipi++;
                break;
        case EXIT_REMOTE_FLUSH:
                s->exit_remote_flush++;
                break;
        case EXIT_REASON_COUNT:
                break;
        }
        s->cycles += stats_exit_cycles(c, (enum exit_reason)ev->reason);
}

/* What the guest does: accesses, its page faults and its table stores. */
static void count_guest(struct stats *s, const struct cost_model *c, const struct event *ev)
{
        switch (ev->kind) {
        case EV_ACCESS:
                stats_count_access(s, c, ev->refs, ev->tlb_hit, (enum access_kind)ev->access);
                break;
        case EV_GUEST_PF:
                s->guest_pf++;
                s->cycles += c->guest_pf;
                break;
        default: /* a store into a table */
                s->pt_writes++;
                s->pt_traps += ev->trapped;
                s->cycles += c->pt_store;
                break;
        }
}

/* What the VMM does to its shadow tables. */
static void count_shadow(struct stats *s, const struct cost_model *c, const struct event *ev)
{
        switch (ev->kind) {
        case EV_SHADOW_PAGE:
                s->shadow_pages++;
                s->cycles += c->shadow_page;
                break;
        case EV_SHADOW_FILL:
                s->shadow_fills++;
                s->hidden_pf++;
                break;
        case EV_SHADOW_UPDATE:
                s->shadow_updates++;
                break;
        case EV_SHADOW_ZAP:
                s->shadow_zaps++;
                break;
        case EV_UNSYNC:
                s->unsyncs++;
                break;
        default: /* a resync */
                s->resyncs++;
                s->resync_entries += ev->count;
                s->cycles += ev->count * c->resync_entry;
                break;
        }
}

/* The guest's side of a shootdown's IPIs (every scheme). */
static uint64_t ipi_cycles(const struct cost_model *c, const struct event *ev)
{
        switch (ev->detail) {
        case DETAIL_IPI_SEND:
                return c->ipi_send;
        case DETAIL_IPI_DELIVER:
        case DETAIL_IPI_POSTED:
                return c->ipi_deliver;
        default:
                return c->ipi_ack;
        }
}

/* The TLB, stale translations, dirty logging and shootdowns. */
static void count_other(struct stats *s, const struct cost_model *c, const struct event *ev)
{
        switch (ev->kind) {
        case EV_TLB_FLUSH:
                s->tlb_flushes++;
                break;
        case EV_TLB_EVICT:
                s->tlb_evictions++;
                break;
        case EV_STALE_TLB:
                s->stale_tlb++;
                break;
        case EV_DIRTY_LOG:
                if (ev->detail == DETAIL_LOG_SYNC) {
                        s->dirty_rounds++;
                        s->dirty_pages += ev->count;
                        s->dirty_extra += ev->refs;
                }
                break;
        case EV_DIRTY:
                s->dirty_exits += ev->detail == DETAIL_DIRTY_EXIT;
                break;
        case EV_SHOOTDOWN:
                s->shootdowns++;
                s->shootdown_exits += ev->refs;
                break;
        case EV_IPI:
                s->ipis += ev->detail == DETAIL_IPI_SEND;
                s->cycles += ipi_cycles(c, ev);
                break;
        default: /* CR3, INVLPG, TLB_DROP, AGILE, SHADOW_ROOT, EPT_MAP, CPU: no counter */
                break;
        }
}

void stats_count(struct stats *s, const struct cost_model *c, const struct event *ev)
{
        switch (ev->kind) {
        case EV_ACCESS:
        case EV_GUEST_PF:
        case EV_PT_WRITE:
        case EV_PT_LINK:
        case EV_PT_CLEAR:
        case EV_PT_PROTECT:
                count_guest(s, c, ev);
                break;
        case EV_VM_EXIT:
                count_exit(s, c, ev);
                break;
        case EV_SHADOW_PAGE:
        case EV_SHADOW_FILL:
        case EV_SHADOW_UPDATE:
        case EV_SHADOW_ZAP:
        case EV_UNSYNC:
        case EV_RESYNC:
                count_shadow(s, c, ev);
                break;
        default:
                count_other(s, c, ev);
                break;
        }
}

double stats_overhead(const struct stats *s, uint64_t native_cycles)
{
        if (native_cycles == 0)
                return 0.0;
        return 100.0 * ((double)s->cycles - (double)native_cycles) / (double)native_cycles;
}

void stats_print_line(FILE *out, const struct stats *s, unsigned vcpus, int has_native,
                      uint64_t native_cycles)
{
        fputs("[STATS]", out);
        for (unsigned i = 0; i < STATS_COUNT; i++)
                if (stats_shown(i, vcpus))
                        fprintf(out, " %s=%llu", names[i], (unsigned long long)stats_value(s, i));
        if (has_native)
                fprintf(out, " overhead=%+.1f%%", stats_overhead(s, native_cycles));
        fputc('\n', out);
}
