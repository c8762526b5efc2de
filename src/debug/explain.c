/*
 * explain.c - sentences for events: a phrase per event, chained over one
 * trace line, and a last clause on why or on what another scheme does.
 */
#include "explain.h"
#include "scheme.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

/* Links of a long chain shown: its start up to and with the line's first
 * exit when that is among the first MAX_HEAD_LINKS links (otherwise its
 * first HEAD_LINKS), and its last TAIL_LINKS; those between are counted. */
#define HEAD_LINKS     2
#define MAX_HEAD_LINKS 3
#define TAIL_LINKS     2

/* The guest's page-table stores, trapped or not. */
static void phrase_stores(struct strbuf *o, const struct event *ev)
{
        char flags[8];
        switch (ev->kind) {
        case EV_PT_WRITE:
                if (ev->trapped)
                        strbuf_put(o, "the VMM emulated the store (0x%llX -> gpa 0x%llX)",
                                   strbuf_u(ev->gva), strbuf_u(ev->gpa));
                else
                        strbuf_put(o, "guest wrote a PTE: 0x%llX -> gpa 0x%llX", strbuf_u(ev->gva),
                                   strbuf_u(ev->gpa));
                break;
        case EV_PT_LINK:
                if (ev->trapped)
                        strbuf_put(o, "the VMM emulated the store (a link to a new L%u table)",
                                   ev->level - 1u);
                else
                        strbuf_put(o, "guest linked a new L%u table at gpa 0x%llX", ev->level - 1u,
                                   strbuf_u(ev->gpa));
                break;
        case EV_PT_CLEAR:
                strbuf_put(o,
                           ev->trapped ? "the VMM emulated the store: 0x%llX unmapped"
                                       : "guest unmapped 0x%llX",
                           strbuf_u(ev->gva));
                break;
        case EV_PT_PROTECT:
                strbuf_put(o, "%s 0x%llX to %s",
                           ev->trapped ? "the VMM emulated the store: permissions of"
                                       : "guest changed the permissions of",
                           strbuf_u(ev->gva), pte_flags_str(ev->new_entry, flags));
                break;
        default:
                break;
        }
}

/* Address-space switches and the TLB's own events. */
static void phrase_tlb(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_CR3:
                strbuf_put(o, "address space %u (root gpa 0x%llX) is current", ev->asid,
                           strbuf_u(ev->table_gpa));
                break;
        case EV_INVLPG:
                strbuf_put(o, "guest invalidated 0x%llX in the TLB (%u entr%s dropped)",
                           strbuf_u(ev->gva), ev->count, ev->count == 1 ? "y" : "ies");
                break;
        case EV_TLB_FLUSH: {
                const char *entries = ev->count == 1 ? "entry" : "entries";
                if (ev->detail == DETAIL_FLUSH_CR3)
                        strbuf_put(o, "TLB flushed, %u %s (no PCID: a CR3 load empties it)",
                                   ev->count, entries);
                else if (ev->detail == DETAIL_FLUSH_GUEST)
                        strbuf_put(o, "guest flushed the TLB (%u %s)", ev->count, entries);
                else if (ev->detail == DETAIL_ZAP_PAGE)
                        strbuf_put(o, "TLB flushed (%u %s) as a shadow page went away", ev->count,
                                   entries);
                else if (ev->detail == DETAIL_FLUSH_SHADOW)
                        strbuf_put(o,
                                   "the VMM flushed the TLB (%u %s): it changed shadow entries "
                                   "the TLB may cache",
                                   ev->count, entries);
                else
                        strbuf_put(o, "the VMM flushed the TLB (%u %s)", ev->count, entries);
                break;
        }
        case EV_TLB_EVICT:
                strbuf_put(o, "TLB set full: least recently used entry 0x%llX evicted",
                           strbuf_u(ev->gva));
                break;
        case EV_TLB_DROP:
                strbuf_put(o,
                           "the VMM dropped the %u TLB entr%s that the changed shadow entry "
                           "of 0x%llX had produced",
                           ev->count, ev->count == 1 ? "y" : "ies", strbuf_u(ev->gva));
                break;
        default:
                break;
        }
}

/* Accesses and what the guest sees of them. */
static void phrase_accesses(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_ACCESS:
                if (ev->tlb_hit)
                        strbuf_put(o, "TLB hit: 0x%llX -> hpa 0x%llX, no walk", strbuf_u(ev->gva),
                                   strbuf_u(ev->hpa));
                else
                        strbuf_put(o,
                                   "TLB miss: a walk of %u memory reference%s, TLB filled: 0x%llX "
                                   "-> hpa 0x%llX",
                                   ev->refs, ev->refs == 1 ? "" : "s", strbuf_u(ev->gva),
                                   strbuf_u(ev->hpa));
                break;
        case EV_GUEST_PF:
                if (ev->detail == DETAIL_INJECTED)
                        strbuf_put(
                            o, "the guest has no valid mapping for 0x%llX: the VMM injected a #PF",
                            strbuf_u(ev->gva));
                else if (ev->detail == DETAIL_DEMAND)
                        strbuf_put(o, "guest #PF on 0x%llX: its kernel pages the page in",
                                   strbuf_u(ev->gva));
                else
                        strbuf_put(o, "page fault delivered to the guest (%s)",
                                   ev->pf_error & PF_ERR_P ? "its rights refuse this access"
                                                           : "no mapping");
                strbuf_put(o, ", error code 0x%X: %s, %s, %s%s", ev->pf_error,
                           ev->pf_error & PF_ERR_P ? "protection" : "not present",
                           ev->pf_error & PF_ERR_W ? "write" : "read",
                           ev->pf_error & PF_ERR_U ? "user" : "supervisor",
                           ev->pf_error & PF_ERR_I ? ", fetch" : "");
                break;
        case EV_STALE_TLB:
                if (ev->detail == DETAIL_STALE_REMOTE)
                        strbuf_put(o,
                                   "WARNING: a stale TLB entry was used (hpa 0x%llX): vCPU %u "
                                   "changed the mapping and no shootdown reached this vCPU",
                                   strbuf_u(ev->hpa), ev->index);
                else
                        strbuf_put(o,
                                   "WARNING: a stale TLB entry was used (hpa 0x%llX): the mapping "
                                   "changed without INVLPG",
                                   strbuf_u(ev->hpa));
                break;
        default:
                break;
        }
}

/* VM exits, by reason. */
static void phrase_exits(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_VM_EXIT:
                switch ((enum exit_reason)ev->reason) {
                case EXIT_PT_WRITE:
                        strbuf_put(
                            o, "guest wrote a PTE in a write-protected table page -> VM exit #%u",
                            ev->exit_number);
                        break;
                case EXIT_PAGE_FAULT:
                        strbuf_put(
                            o,
                            "TLB miss and no shadow entry allows this %s of 0x%llX: hidden page "
                            "fault -> VM exit #%u",
                            ev->access == ACCESS_WRITE  ? "write"
                            : ev->access == ACCESS_EXEC ? "fetch"
                                                        : "read",
                            strbuf_u(ev->gva), ev->exit_number);
                        break;
                case EXIT_CR3:
                        strbuf_put(o, "guest loaded CR3 -> VM exit #%u", ev->exit_number);
                        break;
                case EXIT_INVLPG:
                        strbuf_put(o, "guest ran INVLPG 0x%llX -> VM exit #%u", strbuf_u(ev->gva),
                                   ev->exit_number);
                        break;
                case EXIT_EPT_VIOLATION:
                        strbuf_put(
                            o, "guest frame 0x%llX has no EPT entry: EPT violation -> VM exit #%u",
                            strbuf_u(ev->gpa), ev->exit_number);
                        break;
                case EXIT_PML_FULL:
                        strbuf_put(
                            o,
                            "the 512-entry PML buffer filled up -> VM exit #%u: the VMM drains it",
                            ev->exit_number);
                        break;
                case EXIT_IPI:
                        if (ev->detail == DETAIL_IPI_SEND)
                                strbuf_put(o,
                                           "the guest's IPI to vCPU %u is a write to its emulated "
                                           "APIC -> VM exit #%u: the VMM sends it",
                                           ev->index, ev->exit_number);
                        else
                                strbuf_put(o,
                                           "vCPU %u's IPI needs the VMM to inject it (no posted "
                                           "interrupts): this vCPU is kicked out -> VM exit #%u",
                                           ev->index, ev->exit_number);
                        break;
                case EXIT_REMOTE_FLUSH:
                        strbuf_put(o,
                                   "the VMM on vCPU %u changed tables every vCPU walks: it kicks "
                                   "this one out to flush its TLB (kvm_flush_remote_tlbs) -> VM "
                                   "exit #%u",
                                   ev->index, ev->exit_number);
                        break;
                case EXIT_REASON_COUNT:
                        break;
                }
                break;
        default:
                break;
        }
}

/* The shadow tables' pages and entries. */
static void phrase_shadow_tables(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_SHADOW_PAGE:
                if (ev->detail == DETAIL_DIRECT)
                        strbuf_put(o,
                                   "the VMM built a direct shadow page for part of a large page");
                else if (ev->detail == DETAIL_AGILE)
                        strbuf_put(o,
                                   "the shadow entry switches to nested mode: the hardware walks "
                                   "guest table 0x%llX and below in two dimensions",
                                   strbuf_u(ev->gpa));
                else
                        strbuf_put(
                            o,
                            "the VMM shadowed guest table 0x%llX (L%u): it is write-protected now",
                            strbuf_u(ev->table_gpa), ev->level);
                break;
        case EV_SHADOW_FILL:
                if (ev->detail == DETAIL_DIRTY)
                        strbuf_put(
                            o, "the VMM set the guest's D bit and made the shadow entry writable");
                else if (ev->detail == DETAIL_PREFETCH)
                        strbuf_put(o,
                                   "the VMM prefetched neighbour 0x%llX -> hpa 0x%llX (present and "
                                   "accessed in the guest)",
                                   strbuf_u(ev->gva), strbuf_u(ev->hpa));
                else
                        strbuf_put(o, "the VMM filled the shadow entry: 0x%llX -> hpa 0x%llX",
                                   strbuf_u(ev->gva), strbuf_u(ev->hpa));
                break;
        case EV_SHADOW_UPDATE:
                strbuf_put(o, "shadow entry updated: 0x%llX -> hpa 0x%llX", strbuf_u(ev->gva),
                           strbuf_u(ev->hpa));
                break;
        case EV_SHADOW_ZAP:
                if (ev->detail == DETAIL_ZAP_ENTRY && ev->guest_maps)
                        strbuf_put(o, "shadow entry of 0x%llX dropped (refilled on next use)",
                                   strbuf_u(ev->gva));
                else if (ev->detail == DETAIL_ZAP_ENTRY)
                        strbuf_put(o, "shadow entry of 0x%llX dropped", strbuf_u(ev->gva));
                else if (ev->detail == DETAIL_FLOOD)
                        strbuf_put(
                            o,
                            "table 0x%llX written 3 times unused: the VMM unshadowed it (write "
                            "flooding)",
                            strbuf_u(ev->table_gpa));
                else /* agile paging changed the table's mode */
                        strbuf_put(o,
                                   "table 0x%llX changed mode (agile paging): its shadow pages "
                                   "were dropped",
                                   strbuf_u(ev->table_gpa));
                break;
        default:
                break;
        }
}

/* What the VMM does to whole tables: roots, sync state, agile modes. */
static void phrase_shadow_state(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_SHADOW_ROOT:
                strbuf_put(o,
                           ev->detail == DETAIL_ROOT_CACHED
                               ? "the VMM reused the cached shadow root of address space %u"
                           : ev->detail == DETAIL_ROOT_FOUND
                               ? "the VMM found the kept shadow pages of address space %u "
                                 "(out of the cache of 4, but still hashed)"
                               : "the VMM built a shadow root for address space %u",
                           ev->asid);
                break;
        case EV_UNSYNC:
                strbuf_put(
                    o, "the VMM let leaf table 0x%llX go out of sync: its next stores do not exit",
                    strbuf_u(ev->table_gpa));
                break;
        case EV_RESYNC:
                if (ev->detail == DETAIL_SYNC_ONE)
                        strbuf_put(o,
                                   "INVLPG: the VMM synced the one entry of 0x%llX; table 0x%llX "
                                   "stays out of sync",
                                   strbuf_u(ev->gva), strbuf_u(ev->table_gpa));
                else
                        strbuf_put(o,
                                   "the VMM resynced table 0x%llX: compared %u entr%s, "
                                   "write-protected again",
                                   strbuf_u(ev->table_gpa), ev->count,
                                   ev->count == 1 ? "y" : "ies");
                break;
        case EV_AGILE:
                if (ev->detail == DETAIL_TO_NESTED)
                        strbuf_put(o,
                                   "table 0x%llX (L%u) was written %u times this interval: agile "
                                   "paging walks it nested now, so its stores no longer exit",
                                   strbuf_u(ev->table_gpa), ev->level, ev->count);
                else
                        strbuf_put(o,
                                   "table 0x%llX (L%u) stayed unwritten a whole interval: back to "
                                   "shadow mode (one-dimensional walks, its stores trap again)",
                                   strbuf_u(ev->table_gpa), ev->level);
                break;
        default:
                break;
        }
}

/* The nested table and dirty logging. */
static void phrase_hypervisor(struct strbuf *o, const struct event *ev)
{
        switch (ev->kind) {
        case EV_EPT_MAP:
                strbuf_put(o, "the VMM mapped gpa 0x%llX -> hpa 0x%llX in the EPT%s; %s",
                           strbuf_u(ev->gpa), strbuf_u(ev->hpa),
                           ev->level == 2 ? " (the whole 2M host page)" : "",
                           ev->detail == DETAIL_AT_STORE ? "the guest's store into its table "
                                                           "goes on"
                                                         : "the walk restarts");
                break;
        case EV_DIRTY_LOG:
                if (ev->detail == DETAIL_LOG_START)
                        strbuf_put(
                            o,
                            "the VMM started dirty logging (live migration): writes are tracked");
                else if (ev->detail == DETAIL_LOG_SYNC)
                        strbuf_put(o,
                                   "dirty-log round %u: %u pages reported written (%u of them not "
                                   "really)",
                                   ev->index, ev->count, ev->refs);
                else
                        strbuf_put(o, "the VMM stopped dirty logging");
                break;
        case EV_DIRTY:
                if (ev->detail == DETAIL_DIRTY_PML)
                        strbuf_put(o, "the CPU logged gpa 0x%llX into the PML buffer: no exit",
                                   strbuf_u(ev->gpa));
                else if (ev->detail == DETAIL_DIRTY_EXIT)
                        strbuf_put(o, "the VMM logged gpa 0x%llX as written, found through an exit",
                                   strbuf_u(ev->gpa));
                else
                        strbuf_put(o, "gpa 0x%llX logged as written", strbuf_u(ev->gpa));
                break;
        default:
                break;
        }
}

/* What a shootdown invalidates: "0x1000" or "every address". */
static void put_what(struct strbuf *o, const struct event *ev)
{
        if (ev->all)
                strbuf_put(o, "every address");
        else
                strbuf_put(o, "0x%llX", strbuf_u(ev->gva));
}

/* A guest TLB shootdown's IPIs, and its end. */
static void phrase_shootdown(struct strbuf *o, const struct event *ev)
{
        if (ev->kind == EV_SHOOTDOWN) {
                strbuf_put(o, "shootdown of ");
                put_what(o, ev);
                strbuf_put(o, " done: %u vCPU%s invalidated and acknowledged, %u VM exit%s",
                           ev->count, ev->count == 1 ? "" : "s", ev->refs,
                           ev->refs == 1 ? "" : "s");
                return;
        }
        switch (ev->detail) {
        case DETAIL_IPI_SEND:
                strbuf_put(o, "vCPU %u sends a shootdown IPI to vCPU %u, which may cache ", ev->cpu,
                           ev->index);
                put_what(o, ev);
                break;
        case DETAIL_IPI_DELIVER:
                strbuf_put(o, "vCPU %u takes vCPU %u's IPI: its handler invalidates ", ev->cpu,
                           ev->index);
                put_what(o, ev);
                break;
        default:
                strbuf_put(o, "vCPU %u sees vCPU %u's acknowledgement (it waits for every one)",
                           ev->cpu, ev->index);
                break;
        }
}

/* Several vCPUs: which one runs, and the shootdowns between them. */
static void phrase_cpus(struct strbuf *o, const struct event *ev)
{
        if (ev->kind != EV_CPU)
                phrase_shootdown(o, ev);
        else if (ev->detail == DETAIL_ONLINE)
                strbuf_put(o,
                           "vCPU %u runs for the first time: the guest brought it up on address "
                           "space %u, with an empty TLB",
                           ev->cpu, ev->asid);
        else
                strbuf_put(o, "the ops below run on vCPU %u (its own TLB, address space %u)",
                           ev->cpu, ev->asid);
}

/* The phrase of each kind of event. */
static void (*const phrases[EV_KIND_COUNT])(struct strbuf *o, const struct event *ev) = {
    [EV_PT_WRITE] = phrase_stores,
    [EV_PT_LINK] = phrase_stores,
    [EV_PT_CLEAR] = phrase_stores,
    [EV_PT_PROTECT] = phrase_stores,
    [EV_CR3] = phrase_tlb,
    [EV_INVLPG] = phrase_tlb,
    [EV_TLB_FLUSH] = phrase_tlb,
    [EV_TLB_EVICT] = phrase_tlb,
    [EV_TLB_DROP] = phrase_tlb,
    [EV_ACCESS] = phrase_accesses,
    [EV_GUEST_PF] = phrase_accesses,
    [EV_STALE_TLB] = phrase_accesses,
    [EV_VM_EXIT] = phrase_exits,
    [EV_SHADOW_PAGE] = phrase_shadow_tables,
    [EV_SHADOW_FILL] = phrase_shadow_tables,
    [EV_SHADOW_UPDATE] = phrase_shadow_tables,
    [EV_SHADOW_ZAP] = phrase_shadow_tables,
    [EV_SHADOW_ROOT] = phrase_shadow_state,
    [EV_UNSYNC] = phrase_shadow_state,
    [EV_RESYNC] = phrase_shadow_state,
    [EV_AGILE] = phrase_shadow_state,
    [EV_EPT_MAP] = phrase_hypervisor,
    [EV_DIRTY_LOG] = phrase_hypervisor,
    [EV_DIRTY] = phrase_hypervisor,
    [EV_CPU] = phrase_cpus,
    [EV_IPI] = phrase_cpus,
    [EV_SHOOTDOWN] = phrase_cpus,
};

static void phrase(struct strbuf *o, const struct event *ev)
{
        if (ev->kind < EV_KIND_COUNT)
                phrases[ev->kind](o, ev);
}

/* A run of n events of one kind (n > 1), told once. */
static void phrase_run(struct strbuf *o, const struct event *ev, size_t n)
{
        switch (ev->kind) {
        case EV_SHADOW_PAGE:
                strbuf_put(o, "the VMM shadowed %zu guest tables: they are write-protected now", n);
                break;
        case EV_PT_LINK:
                strbuf_put(o, "guest linked %zu new tables", n);
                break;
        case EV_SHADOW_UPDATE:
                strbuf_put(o, "%zu shadow entries updated", n);
                break;
        case EV_SHADOW_ZAP:
                strbuf_put(o, "%zu shadow entries or pages dropped", n);
                break;
        case EV_EPT_MAP:
                strbuf_put(o, "the VMM mapped %zu guest frames in the EPT", n);
                break;
        default:
                phrase(o, ev);
                strbuf_put(o, " (and %zu more like it)", n - 1);
                break;
        }
}

/* Whether b continues a run that a started (same kind, and for stores the
 * same trapping). */
static bool same_run(const struct event *a, const struct event *b)
{
        return a->kind == b->kind && a->trapped == b->trapped && a->detail == b->detail &&
               a->kind != EV_VM_EXIT && a->kind != EV_ACCESS;
}

size_t explain_phrase(const struct event *ev, char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        if (n)
                buf[0] = '\0';
        phrase(&o, ev);
        return o.len;
}

static bool is_store(const struct event *ev)
{
        return ev->kind == EV_PT_WRITE || ev->kind == EV_PT_LINK || ev->kind == EV_PT_CLEAR ||
               ev->kind == EV_PT_PROTECT;
}

/* The exit the current event follows from: the latest at or before it,
 * unless an untrapped guest store comes between. -1 when none. */
static int cause(const struct event *evs, size_t cur)
{
        for (size_t i = cur + 1; i-- > 0;) {
                if (evs[i].kind == EV_VM_EXIT)
                        return evs[i].reason;
                if (is_store(&evs[i]) && !evs[i].trapped)
                        return -1;
        }
        return -1;
}

void explain_walk(struct strbuf *o, const struct sim_config *cfg, uint32_t refs,
                  uint32_t nested_refs)
{
        int n = cfg->levels;
        strbuf_put(o, "%u reference%s", refs, refs == 1 ? "" : "s");
        if (!scheme_has_nested(cfg->mode)) {
                if (nested_refs) /* agile: the walk went on nested below a switch */
                        strbuf_put(o, " = %u table entries + %u in nested walks below the switch",
                                   refs - nested_refs, nested_refs);
                else if (refs >= (uint32_t)n)
                        strbuf_put(o, ", one per table level");
                else
                        strbuf_put(o,
                                   ": %u of the %d levels read (a large leaf or the page-walk "
                                   "cache spared the rest)",
                                   refs, n);
                return;
        }
        /* One nested walk per guest entry read, and one for the data page. */
        uint32_t guest = refs - nested_refs, walks = guest + 1;
        int m = cfg->ept_levels - (cfg->host_large ? 1 : 0);
        strbuf_put(o, " = %u guest entr%s + ", guest, guest == 1 ? "y" : "ies");
        if (nested_refs == walks * (uint32_t)m)
                strbuf_put(o, "%u nested walks of %d", walks, m);
        else
                strbuf_put(o, "%u in %u nested walks (the page-walk caches spared the rest)",
                           nested_refs, walks);
        strbuf_put(o,
                   "; with nothing cached (%d+1)(%d+1)-1 = %d for a 4K page%s, against %d "
                   "natively",
                   n, m, (n + 1) * (m + 1) - 1,
                   cfg->host_large ? " (2M host pages: one nested level fewer)" : "", n);
}

void line_facts_of(struct line_facts *f, enum mmu_mode mode, const struct event *evs, size_t n)
{
        memset(f, 0, sizeof *f);
        f->mode = mode;
        for (size_t i = 0; i < n; i++) {
                if (evs[i].kind == EV_VM_EXIT && evs[i].reason < EXIT_REASON_COUNT) {
                        f->exits[evs[i].reason]++;
                        f->nexits++;
                } else if (evs[i].kind == EV_ACCESS && !evs[i].tlb_hit) {
                        f->walks++;
                        f->walk_refs += evs[i].refs;
                }
        }
}

/* What the compared machine did on this line, as its events say. */
static void compared(struct strbuf *o, const struct line_facts *f)
{
        if (!f)
                return;
        const char *name = mode_name(f->mode);
        if (f->nexits == 0) {
                strbuf_put(o, "; on this line %s took no VM exit", name);
        } else {
                strbuf_put(o, "; on this line %s took %u VM exit%s (", name, f->nexits,
                           f->nexits == 1 ? "" : "s");
                const char *sep = "";
                for (unsigned r = 0; r < EXIT_REASON_COUNT; r++)
                        if (f->exits[r]) {
                                strbuf_put(o, "%s%u %s", sep, f->exits[r],
                                           exit_reason_name((enum exit_reason)r));
                                sep = ", ";
                        }
                strbuf_put(o, ")");
        }
        if (f->walks)
                strbuf_put(o, " and %u walk%s of %llu memory reference%s", f->walks,
                           f->walks == 1 ? "" : "s", strbuf_u(f->walk_refs),
                           f->walk_refs == 1 ? "" : "s");
}

/* What the event itself teaches about this machine, when it does. Returns
 * whether it said something. */
static bool own_fact(struct strbuf *o, const struct event *evs, size_t cur,
                     const struct sim_config *cfg)
{
        const struct event *ev = &evs[cur];
        bool shadow = scheme_has_shadow(cfg->mode);
        if (ev->kind == EV_ACCESS && !ev->tlb_hit && scheme_has_nested(cfg->mode)) {
                strbuf_put(o, "; a 2D walk of ");
                explain_walk(o, cfg, ev->refs, ev->nested_refs);
        } else if (ev->kind == EV_ACCESS && !ev->tlb_hit && shadow) {
                strbuf_put(
                    o, "; the hardware walked the shadow table, which maps GVA straight to HPA");
        } else if (ev->kind == EV_UNSYNC) {
                strbuf_put(o, "; the guest's next stores to it do not exit until it is resynced");
        } else if (ev->kind == EV_RESYNC) {
                strbuf_put(o,
                           "; the price of out-of-sync: the stores were free, the check comes now");
        } else if (ev->kind == EV_STALE_TLB && ev->detail == DETAIL_STALE_REMOTE) {
                strbuf_put(o, "; real hardware does the same: TLBs are not coherent, the guest "
                              "must shoot the page down on every vCPU that may cache it");
        } else if (ev->kind == EV_STALE_TLB) {
                strbuf_put(o,
                           "; real hardware does the same: the guest must INVLPG after a change");
        } else {
                return false;
        }
        return true;
}

/* The last clause: why the line went as it did on this machine, then what
 * the compared machine did on it (other). */
static void why(struct strbuf *o, const struct event *evs, size_t cur, const struct sim_config *cfg,
                const struct line_facts *other)
{
        const struct event *ev = &evs[cur];
        bool shadow = scheme_has_shadow(cfg->mode);
        int why_exit = cause(evs, cur);
        if (own_fact(o, evs, cur, cfg)) {
                if (ev->kind == EV_ACCESS) /* a walk: what the other machine's walks cost */
                        compared(o, other);
                return;
        }
        if (why_exit == EXIT_PML_FULL) {
                strbuf_put(o, "; the CPU logs 512 written pages before this exit");
        } else if (why_exit == EXIT_EPT_VIOLATION) {
                strbuf_put(o, "; once per guest %s, on its first touch",
                           cfg->host_large ? "2M page (the host's page size)" : "frame");
        } else if (is_store(ev) && cur > 0 && evs[cur - 1].kind == EV_EPT_MAP &&
                   evs[cur - 1].detail == DETAIL_AT_STORE) {
                strbuf_put(o, "; the host backs a guest frame on its first touch, here the "
                              "guest's store into a fresh table: later stores into it do not "
                              "exit");
        } else if (is_store(ev) && !ev->trapped && scheme_has_nested(cfg->mode)) {
                strbuf_put(o, "; the guest owns its tables: its stores into them do not exit");
        } else if (is_store(ev) && !ev->trapped && shadow) {
                strbuf_put(o, "; this table is not write-protected (not shadowed yet, or out of "
                              "sync): no exit");
        } else if (why_exit < 0) {
                return;
        }
        compared(o, other);
}

/* The chain of links l in [from, to), each a phrase or a run. */
static void chain(struct strbuf *o, const struct event *evs, const size_t *start,
                  const size_t *count, size_t from, size_t to)
{
        for (size_t l = from; l < to; l++) {
                if (l > from)
                        strbuf_put(o, " -> ");
                if (count[l] == 1)
                        phrase(o, &evs[start[l]]);
                else
                        phrase_run(o, &evs[start[l]], count[l]);
        }
}

size_t explain_event(const struct event *evs, size_t nevs, size_t cur, const struct sim_config *cfg,
                     const struct line_facts *other, char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        if (n)
                buf[0] = '\0';
        if (cur >= nevs)
                return 0;
        /* Links: runs of like events told once. */
        size_t cap = cur + 1;
        size_t *start = xcalloc(cap, sizeof *start), *count = xcalloc(cap, sizeof *count);
        size_t nlinks = 0, first_exit = SIZE_MAX;
        for (size_t i = 0; i <= cur; i++) {
                if (nlinks && same_run(&evs[start[nlinks - 1]], &evs[i])) {
                        count[nlinks - 1]++;
                        continue;
                }
                if (evs[i].kind == EV_VM_EXIT && first_exit == SIZE_MAX)
                        first_exit = nlinks;
                start[nlinks] = i;
                count[nlinks++] = 1;
        }
        size_t head = first_exit < MAX_HEAD_LINKS ? first_exit + 1 : HEAD_LINKS;
        if (nlinks <= head + TAIL_LINKS + 1) {
                chain(&o, evs, start, count, 0, nlinks);
        } else {
                chain(&o, evs, start, count, 0, head);
                size_t left = nlinks - head - TAIL_LINKS;
                strbuf_put(&o, " -> (%zu more step%s) -> ", left, left == 1 ? "" : "s");
                chain(&o, evs, start, count, nlinks - TAIL_LINKS, nlinks);
        }
        free(start);
        free(count);
        why(&o, evs, cur, cfg, other);
        return o.len;
}

size_t session_explain(const struct session *s, char *buf, size_t n)
{
        if (n)
                buf[0] = '\0';
        if (!s->shown)
                return 0;
        struct line_facts other;
        bool has_other = s->has_cmp && s->op_known;
        if (has_other)
                line_facts_of(&other, s->cmp_mode, s->cmp_evs, s->ncmp_evs);
        return explain_event(s->evs, s->nevs, s->shown - 1, &s->sim.cfg, has_other ? &other : NULL,
                             buf, n);
}
