/*
 * exit_report.c - VM exits by reason, from the counters (see
 * exit_report.h).
 */
#include "exit_report.h"

#include <stdio.h>
#include <string.h>

uint64_t exit_report_count(const struct stats *s, enum exit_reason reason)
{
        switch (reason) {
        case EXIT_PT_WRITE:
                return s->exit_pt_write;
        case EXIT_PAGE_FAULT:
                return s->exit_page_fault;
        case EXIT_CR3:
                return s->exit_cr3;
        case EXIT_INVLPG:
                return s->exit_invlpg;
        case EXIT_EPT_VIOLATION:
                return s->exit_ept_violation;
        case EXIT_PML_FULL:
                return s->exit_pml_full;
        case EXIT_IPI:
                return s->exit_ipi;
        case EXIT_REMOTE_FLUSH:
                return s->exit_remote_flush;
        case EXIT_REASON_COUNT:
                break;
        }
        return 0;
}

double exit_report_pct(uint64_t part, uint64_t whole)
{
        return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void exit_report_make(struct exit_report *r, const struct stats *s, const struct cost_model *c)
{
        memset(r, 0, sizeof *r);
        for (int reason = 0; reason < EXIT_REASON_COUNT; reason++) {
                uint64_t n = exit_report_count(s, (enum exit_reason)reason);
                if (n == 0)
                        continue;
                /* Insertion by count, most first; equal counts keep the
                 * order of the reasons. */
                unsigned at = r->nrows;
                while (at > 0 && r->rows[at - 1].exits < n) {
                        r->rows[at] = r->rows[at - 1];
                        at--;
                }
                r->rows[at] = (struct exit_row){(enum exit_reason)reason, n,
                                                n * stats_exit_cycles(c, (enum exit_reason)reason)};
                r->nrows++;
                r->exits += n;
                r->cycles += r->rows[at].cycles;
        }
        r->all_cycles = s->cycles;
        r->shadow_pages = s->shadow_pages;
        r->resync_entries = s->resync_entries;
        r->vmm_cycles = s->shadow_pages * c->shadow_page + s->resync_entries * c->resync_entry;
}

static unsigned long long u(uint64_t v)
{
        return (unsigned long long)v;
}

void exit_report_write(const struct exit_report *r, const char *scheme,
                       void (*line)(void *ctx, const char *text), void *ctx)
{
        char buf[256];
        snprintf(buf, sizeof buf, "VM exits under %s:", scheme);
        line(ctx, buf);
        if (r->nrows == 0) {
                line(ctx, "  none");
                return;
        }
        snprintf(buf, sizeof buf, "%18s %10s %8s %14s %8s %11s", "VM-EXIT", "Exits", "Exits%",
                 "Cycles", "Cycles%", "Avg cycles");
        line(ctx, buf);
        for (unsigned i = 0; i < r->nrows; i++) {
                const struct exit_row *row = &r->rows[i];
                snprintf(buf, sizeof buf, "%18s %10llu %7.2f%% %14llu %7.2f%% %11.1f",
                         exit_reason_name(row->reason), u(row->exits),
                         exit_report_pct(row->exits, r->exits), u(row->cycles),
                         exit_report_pct(row->cycles, r->cycles),
                         (double)row->cycles / (double)row->exits);
                line(ctx, buf);
        }
        snprintf(buf, sizeof buf, "%18s %10llu %7.2f%% %14llu %7.2f%% %11.1f", "Total", u(r->exits),
                 100.0, u(r->cycles), 100.0, (double)r->cycles / (double)r->exits);
        line(ctx, buf);
        snprintf(buf, sizeof buf,
                 "Exits took %.1f%% of the %llu cycles; the VMM also built %llu shadow pages and "
                 "compared %llu entries in resyncs (%llu cycles, %.1f%%).",
                 exit_report_pct(r->cycles, r->all_cycles), u(r->all_cycles), u(r->shadow_pages),
                 u(r->resync_entries), u(r->vmm_cycles),
                 exit_report_pct(r->vmm_cycles, r->all_cycles));
        line(ctx, buf);
}
