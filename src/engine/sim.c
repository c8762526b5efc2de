/*
 * sim.c - one simulated machine: applies guest ops, drives the MMU scheme,
 * keeps the TLB and reports events.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu.h"
#include "scheme.h"
#include "xalloc.h"

/* Inlining on the access path, which runs for every access of a trace of
 * millions: the TLB-hit path is forced inline into sim_apply and the rest
 * kept out of line, so that sim_apply stays a short function without the
 * register saves and stack frame of the rare paths. */
#if defined(__GNUC__)
#define ACCESS_PATH inline __attribute__((always_inline))
#define RARE_PATH   __attribute__((noinline))
#else
#define ACCESS_PATH inline
#define RARE_PATH
#endif

/* Demand paging hands out data frames from 1 MiB upwards. */
#define FIRST_DATA_GFN 0x100

static const char *const ipi_virt_names[] = {
    [IPI_VIRT_OFF] = "off", [IPI_VIRT_POSTED] = "posted", [IPI_VIRT_ON] = "on"};

const char *ipi_virt_name(enum ipi_virt v)
{
        return v <= IPI_VIRT_ON ? ipi_virt_names[v] : "?";
}

int ipi_virt_parse(const char *name)
{
        for (int v = IPI_VIRT_OFF; v <= IPI_VIRT_ON; v++)
                if (strcmp(name, ipi_virt_names[v]) == 0)
                        return v;
        return -1;
}

void sim_config_defaults(struct sim_config *cfg)
{
        memset(cfg, 0, sizeof *cfg);
        cfg->mode = MODE_SHADOW;
        cfg->levels = 4;
        cfg->ept_levels = 4;
        cfg->guest_mem = UINT64_C(4) << 30;
        cfg->tlb_sets = 16;
        cfg->tlb_ways = 4;
        cfg->pcid = false;
        cfg->ad_emulation = true;
        cfg->pwc = true; /* every x86 CPU since about 2008 has page-walk caches */
        cfg->agile_threshold = 2;
        cfg->agile_interval = 10000;
        cfg->vcpus = 1;
        cost_defaults(&cfg->cost);
}

int sim_config_check(const struct sim_config *cfg, char *err, size_t errlen)
{
        if (cfg->levels < MIN_LEVELS || cfg->levels > MAX_LEVELS) {
                snprintf(err, errlen, "--levels must be 2..5, not %d", cfg->levels);
                return -1;
        }
        if (cfg->ept_levels < MIN_LEVELS || cfg->ept_levels > MAX_LEVELS) {
                snprintf(err, errlen, "--ept-levels must be 2..5, not %d", cfg->ept_levels);
                return -1;
        }
        if (cfg->guest_mem < (UINT64_C(1) << 20) || (cfg->guest_mem & PAGE_OFFSET_MASK)) {
                snprintf(err, errlen, "--guest-mem must be a multiple of 4K and at least 1M");
                return -1;
        }
        unsigned gpa_bits = PAGE_SHIFT + PT_INDEX_BITS * (unsigned)cfg->ept_levels;
        if (gpa_bits < 52 && cfg->guest_mem > (UINT64_C(1) << gpa_bits)) {
                snprintf(err, errlen,
                         "--guest-mem is larger than %d-level nested paging maps (%u bits)",
                         cfg->ept_levels, gpa_bits);
                return -1;
        }
        if (cfg->guest_mem > (UINT64_C(1) << 52)) {
                snprintf(err, errlen, "--guest-mem must be at most 4P (52-bit physical addresses)");
                return -1;
        }
        if (cfg->tlb_sets == 0 || (cfg->tlb_sets & (cfg->tlb_sets - 1)) || cfg->tlb_sets > 65536) {
                snprintf(err, errlen, "--tlb-sets must be a power of two from 1 to 65536");
                return -1;
        }
        if (cfg->tlb_ways == 0 || cfg->tlb_ways > 64) {
                snprintf(err, errlen, "--tlb-ways must be 1..64");
                return -1;
        }
        if (cfg->vcpus == 0 || cfg->vcpus > SIM_MAX_VCPUS) {
                snprintf(err, errlen, "--vcpus must be 1..%d", SIM_MAX_VCPUS);
                return -1;
        }
        return 0;
}

void sim_init(struct sim *s, const struct sim_config *cfg)
{
        memset(s, 0, sizeof *s);
        s->cfg = *cfg;
        guest_init(&s->guest, cfg->levels, cfg->guest_mem);
        hostmem_init(&s->host, s->guest.mem_frames, cfg->host_large, cfg->prealloc);
        tlb_init(&s->tlb, cfg->tlb_sets, cfg->tlb_ways, cfg->pcid);
        s->vcpus = xcalloc(cfg->vcpus, sizeof *s->vcpus);
        for (unsigned n = 1; n < cfg->vcpus; n++)
                tlb_init(&s->vcpus[n].tlb, cfg->tlb_sets, cfg->tlb_ways, cfg->pcid);
        s->vcpus[0].online = true;
        if (cfg->vcpus > 1)
                s->cpu_stats = xcalloc(cfg->vcpus, sizeof *s->cpu_stats);
        rights_rules_init(&s->rules, cfg->smep, cfg->smap);
        s->mmu = scheme_of(cfg->mode)->ops;
        s->mmu_state = s->mmu->create ? s->mmu->create(s) : NULL;
        s->next_data_gfn = FIRST_DATA_GFN;
        u64map_init(&s->dirty.gfns);
        u64map_init(&s->dirty.truth);
}

void sim_free(struct sim *s)
{
        if (s->mmu->destroy)
                s->mmu->destroy(s->mmu_state);
        tlb_free(&s->tlb);
        for (unsigned n = 0; n < s->cfg.vcpus; n++)
                if (n != s->cpu)
                        tlb_free(&s->vcpus[n].tlb);
        free(s->vcpus);
        free(s->cpu_stats);
        u64map_free(&s->dirty.gfns);
        u64map_free(&s->dirty.truth);
        hostmem_free(&s->host);
        guest_free(&s->guest);
}

void sim_clone(struct sim *dst, const struct sim *src)
{
        *dst = *src;
        dst->nsinks = 0;
        guest_clone(&dst->guest, &src->guest);
        hostmem_clone(&dst->host, &src->host);
        tlb_clone(&dst->tlb, &src->tlb);
        dst->vcpus = xmemdup(src->vcpus, src->cfg.vcpus * sizeof *src->vcpus);
        for (unsigned n = 0; n < src->cfg.vcpus; n++)
                if (n != src->cpu)
                        tlb_clone(&dst->vcpus[n].tlb, &src->vcpus[n].tlb);
        if (src->cpu_stats)
                dst->cpu_stats = xmemdup(src->cpu_stats, src->cfg.vcpus * sizeof *src->cpu_stats);
        u64map_clone(&dst->dirty.gfns, &src->dirty.gfns);
        u64map_clone(&dst->dirty.truth, &src->dirty.truth);
        dst->mmu_state = src->mmu->clone ? src->mmu->clone(src->mmu_state) : NULL;
}

void sim_add_sink(struct sim *s, sim_sink_fn fn, void *ctx)
{
        if (s->nsinks < SIM_MAX_SINKS) {
                s->sinks[s->nsinks].fn = fn;
                s->sinks[s->nsinks].ctx = ctx;
                s->nsinks++;
        }
}

void sim_switch_cpu(struct sim *s, unsigned n)
{
        if (n == s->cpu)
                return;
        struct vcpu *from = &s->vcpus[s->cpu], *to = &s->vcpus[n];
        from->tlb = s->tlb;
        from->pwc = s->pwc;
        from->pwc_nested = s->pwc_nested;
        from->space = s->guest.current;
        s->tlb = to->tlb;
        s->pwc = to->pwc;
        s->pwc_nested = to->pwc_nested;
        s->guest.current = to->space;
        /* The slot of the running vCPU holds nothing of its own. */
        memset(&to->tlb, 0, sizeof to->tlb);
        s->cpu = n;
}

uint64_t sim_pwc_space(const struct sim *s)
{
        return s->cfg.pcid ? sim_asid(s) : 0;
}

uint32_t sim_walk_refs_peek(const struct sim *s, uint64_t addr, int last)
{
        int top = s->guest.levels;
        int first = s->cfg.pwc ? pwc_start_level(&s->pwc, sim_pwc_space(s), addr, top, last) : top;
        return (uint32_t)(first - last + 1);
}

uint32_t sim_walk_refs(struct sim *s, uint64_t addr, int last)
{
        uint32_t refs = sim_walk_refs_peek(s, addr, last);
        if (s->cfg.pwc)
                pwc_remember(&s->pwc, sim_pwc_space(s), addr, s->guest.levels, last);
        return refs;
}

bool sim_log_dirty(struct sim *s, uint64_t gfn, uint8_t detail)
{
        if (!s->dirty.on || sim_is_logged(s, gfn))
                return false;
        u64map_put(&s->dirty.gfns, gfn, 1);
        struct event ev = {
            .kind = EV_DIRTY, .gpa = gfn << PAGE_SHIFT, .count = 1, .detail = detail};
        sim_emit(s, &ev);
        return true;
}

void sim_log_dirty_range(struct sim *s, uint64_t first_gfn, uint32_t count, uint8_t detail)
{
        if (!s->dirty.on)
                return;
        for (uint32_t i = 0; i < count; i++)
                u64map_put(&s->dirty.gfns, first_gfn + i, 1);
        struct event ev = {
            .kind = EV_DIRTY, .gpa = first_gfn << PAGE_SHIFT, .count = count, .detail = detail};
        sim_emit(s, &ev);
}

void sim_vmm_flush(struct sim *s, uint8_t detail)
{
        struct event ev = {.kind = EV_TLB_FLUSH, .detail = detail};
        ev.count = tlb_flush(&s->tlb);
        pwc_flush(&s->pwc);
        sim_emit(s, &ev);
}

void sim_tlb_drop(struct sim *s, uint32_t asid, bool every_space, uint64_t gva, uint64_t span)
{
        unsigned n = tlb_drop_range(&s->tlb, asid, every_space, gva, span);
        if (n == 0)
                return;
        struct event ev = {.kind = EV_TLB_DROP, .gva = gva, .count = n, .hpa = span};
        sim_emit(s, &ev);
}

static void exit_with(struct sim *s, struct event *ev);

void sim_vmm_flush_others(struct sim *s, uint64_t gva, uint64_t span, uint8_t detail)
{
        unsigned home = s->cpu;
        uint32_t asid = sim_asid(s);
        bool every_space = guest_va_kernel(&s->guest, gva) && s->tlb.pcid;
        for (unsigned t = 0; t < s->cfg.vcpus; t++) {
                if (t == home || !s->vcpus[t].online)
                        continue;
                sim_switch_cpu(s, t);
                struct event ev = {
                    .kind = EV_VM_EXIT, .reason = EXIT_REMOTE_FLUSH, .index = (uint16_t)home};
                exit_with(s, &ev);
                if (span)
                        sim_tlb_drop(s, asid, every_space, gva, span);
                else
                        sim_vmm_flush(s, detail);
                pwc_flush(&s->pwc);
                sim_switch_cpu(s, home);
        }
}

void sim_vmm_flush_all(struct sim *s, uint8_t detail)
{
        sim_vmm_flush(s, detail);
        sim_vmm_flush_others(s, 0, 0, detail);
}

/* sim_emit's body, inline in the access path below. */
static inline void emit(struct sim *s, struct event *ev)
{
        ev->seq = ++s->seq;
        ev->line = s->line;
        if (ev->kind != EV_CR3 && ev->kind != EV_SHADOW_ROOT)
                ev->asid = sim_asid(s);
        if (ev->kind == EV_VM_EXIT)
                ev->exit_number = (uint32_t)(s->stats.exits + 1);
        ev->cpu = (uint8_t)s->cpu;
        ev->smp = s->cfg.vcpus > 1;
        stats_count(&s->stats, &s->cfg.cost, ev);
        if (s->cpu_stats)
                stats_count(&s->cpu_stats[s->cpu], &s->cfg.cost, ev);
        for (unsigned i = 0; i < s->nsinks; i++)
                s->sinks[i].fn(s->sinks[i].ctx, ev);
}

void sim_emit(struct sim *s, struct event *ev)
{
        emit(s, ev);
}

/* Emits the VM exit ev and has the scheme do what it does on every exit. */
static void exit_with(struct sim *s, struct event *ev)
{
        sim_emit(s, ev);
        if (s->mmu->vm_exit)
                s->mmu->vm_exit(s, (enum exit_reason)ev->reason);
}

void sim_exit(struct sim *s, enum exit_reason reason, uint64_t gva, uint64_t gpa,
              enum access_kind access, unsigned index)
{
        struct event ev = {
            .kind = EV_VM_EXIT,
            .reason = (uint8_t)reason,
            .gva = gva,
            .gpa = gpa,
            .access = (uint8_t)access,
            .index = (uint16_t)index,
        };
        exit_with(s, &ev);
}

static bool is_leaf(uint64_t e, int level)
{
        return pte_present(e) && (level == 1 || (e & PTE_PS));
}

/* A guest store replaced a leaf of the running vCPU's address space that
 * covers [gva, gva + span): every TLB that may cache a translation through
 * it keeps it, now stale, until an invalidation reaches it, as on real
 * hardware, where TLBs are not coherent with memory (SDM vol. 3, 4.10.4):
 * the running vCPU's, and each other's that holds entries of this address
 * space (tagged with its PCID, or loaded there without PCID) or, for the
 * kernel's shared half, of any. */
static void mark_stale(struct sim *s, uint64_t gva, uint64_t span, uint64_t new_leaf)
{
        bool kernel = guest_va_kernel(&s->guest, gva);
        uint32_t asid = sim_asid(s);
        tlb_mark_stale(&s->tlb, asid, kernel, gva, span, new_leaf, s->cpu);
        for (unsigned t = 0; t < s->cfg.vcpus; t++)
                if (t != s->cpu && s->vcpus[t].online &&
                    (kernel || s->tlb.pcid || s->vcpus[t].space == s->guest.current))
                        tlb_mark_stale(&s->vcpus[t].tlb, asid, kernel, gva, span, new_leaf, s->cpu);
}

void sim_pt_store(struct sim *s, struct pt_store *st)
{
        if (s->mmu->before_store)
                s->mmu->before_store(s, st);
        /* The guest wrote that frame, whoever learns of it. */
        if (s->dirty.on)
                u64map_put(&s->dirty.truth, st->gfn, 1);
        bool trapped = s->mmu->store_traps && s->mmu->store_traps(s, st->gfn);
        if (trapped)
                sim_exit(s, EXIT_PT_WRITE, st->gva, st->gfn << PAGE_SHIFT, ACCESS_WRITE, st->index);
        struct event ev = {
            .kind = st->kind,
            .gva = st->gva,
            .gpa = pte_frame(st->new_entry) << PAGE_SHIFT,
            .table_gpa = st->gfn << PAGE_SHIFT,
            .old_entry = st->old_entry,
            .new_entry = st->new_entry,
            .index = (uint16_t)st->index,
            .level = (uint8_t)st->level,
            .trapped = trapped,
        };
        if (st->kind == EV_PT_CLEAR)
                ev.gpa = pte_frame(st->old_entry) << PAGE_SHIFT;
        guest_table_set(&s->guest, st->gfn, st->index, st->new_entry);
        /* A cached translation of the old leaf now disagrees with memory
         * until the guest invalidates it, as on real hardware. */
        if (is_leaf(st->old_entry, st->level)) {
                uint64_t span = level_span(st->level);
                uint64_t new_leaf = is_leaf(st->new_entry, st->level) ? st->new_entry : 0;
                mark_stale(s, st->gva & ~(span - 1), span, new_leaf);
        }
        sim_emit(s, &ev);
        if (s->mmu->after_store)
                s->mmu->after_store(s, st, trapped);
}

/* Stores value into entry index of table gfn (at level), as the guest. */
static void store(struct sim *s, enum event_kind kind, uint64_t gva, uint64_t gfn, int level,
                  unsigned index, uint64_t value)
{
        struct pt_store st = {
            .kind = kind,
            .gva = gva,
            .gfn = gfn,
            .level = level,
            .index = index,
            .old_entry = ptable_get(guest_table_at(&s->guest, gfn), index),
            .new_entry = value,
        };
        sim_pt_store(s, &st);
}

/* The root index range of the kernel half: its links are shared. */
static unsigned kernel_first_index(void)
{
        return PT_ENTRIES / 2;
}

/* A new link in the kernel half of a root goes into every root, as the
 * kernel keeps its half identical in all address spaces. */
static void propagate_kernel_link(struct sim *s, unsigned index, uint64_t link, uint64_t gva)
{
        for (uint32_t i = 0; i < s->guest.nspaces; i++) {
                uint64_t root = s->guest.spaces[i].root_gfn;
                if (ptable_get(guest_table_at(&s->guest, root), index) != link)
                        store(s, EV_PT_LINK, gva, root, s->guest.levels, index, link);
        }
}

/* The rights of a link the guest kernel creates: present and writable,
 * user-accessible only in the user half (Linux's _PAGE_TABLE for user
 * tables, _KERNPG_TABLE for the kernel's), so that the leaf decides. */
static uint64_t link_rights(const struct guest *g, uint64_t gva)
{
        return PTE_P | PTE_W | (guest_va_kernel(g, gva) ? 0 : PTE_U);
}

/* Whether a table entry on the way down must be replaced by a link to a
 * new table: it maps nothing, maps a large page, or names no table. */
static bool needs_table(const struct guest *g, uint64_t e)
{
        return !pte_present(e) || (e & PTE_PS) || !guest_table_at(g, pte_frame(e));
}

/* Walks to the table at leaf_level for gva in the current space, creating
 * the missing tables (each link a PT write). Returns its frame, or
 * GUEST_NO_FRAME, having stored nothing, when guest memory has too few
 * frames left for the tables it would create. */
static uint64_t table_for(struct sim *s, uint64_t gva, int leaf_level)
{
        struct guest *g = &s->guest;
        uint64_t gfn = guest_root(g);
        /* All or nothing: below the first missing table every one is new. */
        for (int level = g->levels; level > leaf_level; level--) {
                uint64_t e = ptable_get(guest_table_at(g, gfn), pt_index(gva, level));
                if (needs_table(g, e)) {
                        if (g->mem_frames - g->ntables < (uint64_t)(level - leaf_level))
                                return GUEST_NO_FRAME;
                        break;
                }
                gfn = pte_frame(e);
        }
        gfn = guest_root(g);
        for (int level = g->levels; level > leaf_level; level--) {
                unsigned index = pt_index(gva, level);
                uint64_t e = ptable_get(guest_table_at(g, gfn), index);
                if (needs_table(g, e)) {
                        uint64_t child = guest_alloc_table(g, level - 1);
                        uint64_t link = pte_make(child, link_rights(g, gva));
                        uint64_t base = gva & ~(level_span(level) - 1);
                        if (level == g->levels && guest_va_kernel(g, gva))
                                propagate_kernel_link(s, index, link, base);
                        else
                                store(s, EV_PT_LINK, base, gfn, level, index, link);
                        e = link;
                }
                gfn = pte_frame(e);
        }
        return gfn;
}

/* Returns false when no frame was left for a table (see sim_apply). */
static bool do_pt_write(struct sim *s, const struct op *op)
{
        uint64_t table = table_for(s, op->gva, op->leaf_level);
        if (table == GUEST_NO_FRAME)
                return false;
        uint64_t leaf = pte_make(op->gpa >> PAGE_SHIFT, PTE_P | PTE_A | op->perm);
        if (op->leaf_level > 1)
                leaf |= PTE_PS;
        store(s, EV_PT_WRITE, op->gva, table, op->leaf_level, pt_index(op->gva, op->leaf_level),
              leaf);
        return true;
}

/* PT_CLEAR and PT_PROTECT: change the leaf mapping gva, if there is one. */
static void do_leaf_change(struct sim *s, const struct op *op)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), op->gva, &w);
        if (!w.present)
                return; /* nothing mapped: the guest has nothing to change */
        int level = w.leaf_level;
        uint64_t value = 0;
        if (op->kind == OP_PT_PROTECT)
                value = (w.leaf & ~PTE_PERM_MASK) | op->perm;
        store(s, op->kind == OP_PT_CLEAR ? EV_PT_CLEAR : EV_PT_PROTECT,
              op->gva & ~(level_span(level) - 1), w.table_gfn[level], level,
              pt_index(op->gva, level), value);
}

/* The guest kernel's page-fault handler for a process trace: maps a fresh
 * user frame (code read+exec, data read+write, by the kind of the first
 * access) or, when the page is mapped but lacks the permission (a store to
 * a code page, a fetch from a data page), widens it. Returns false when
 * guest memory is exhausted. */
static bool demand_page_in(struct sim *s, uint64_t gva, enum access_kind kind, bool user)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        struct op fix = {.gva = gva & ~PAGE_OFFSET_MASK, .leaf_level = 1};
        if (w.present) {
                fix.kind = OP_PT_PROTECT;
                fix.perm = (w.leaf & PTE_PERM_MASK) | (kind == ACCESS_WRITE ? PTE_W : 0) |
                           (user ? PTE_U : 0);
                if (kind == ACCESS_EXEC)
                        fix.perm &= ~PTE_NX;
                do_leaf_change(s, &fix);
                return true;
        }
        if (s->next_data_gfn >= s->guest.next_free_gfn)
                return false;
        fix.kind = OP_PT_WRITE;
        fix.gpa = s->next_data_gfn++ << PAGE_SHIFT;
        fix.perm = (user ? PTE_U : 0) | (kind == ACCESS_EXEC ? 0 : PTE_W | PTE_NX);
        return do_pt_write(s, &fix);
}

/* A stale translation was used: from an out-of-sync shadow entry, or
 * from a TLB entry the store of vCPU by made stale. */
static RARE_PATH void emit_stale(struct sim *s, uint64_t gva, uint64_t hpa, bool from_shadow,
                                 unsigned by)
{
        struct guest_walk w;
        guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
        struct event ev = {
            .kind = EV_STALE_TLB,
            .gva = gva,
            .hpa = hpa,
            .gpa = w.present ? w.gpa : 0,
            .new_entry = w.present ? w.leaf : 0,
            .index = (uint16_t)by,
            .detail = from_shadow    ? DETAIL_STALE_SHADOW
                      : by != s->cpu ? DETAIL_STALE_REMOTE
                                     : DETAIL_NONE,
        };
        sim_emit(s, &ev);
}

/* An event with every field zero, to start one from on the access path: a
 * designated initializer there compiles to `rep stos`, which costs more
 * than the rest of a TLB hit. */
static const struct event no_event;

static ACCESS_PATH bool access_page(struct sim *s, const struct op *op, uint64_t gva,
                                    bool may_page_in);

/* An access that the TLB translates with the permission it needs: the path
 * of almost every access of a process trace, kept small and inline. */
static ACCESS_PATH void access_hit(struct sim *s, struct tlb_entry *e, uint64_t gva,
                                   enum access_kind kind, bool user)
{
        uint64_t offset = gva - tlb_entry_gva(e);
        uint64_t gpa = (e->gfn << PAGE_SHIFT) + offset;
        uint64_t hpa = e->level == 1 ? (e->hfn << PAGE_SHIFT) | offset : hostmem_hpa(&s->host, gpa);
        if (e->stale)
                emit_stale(s, gva, hpa, false, e->stale_cpu);
        /* Dirty logging is off nearly always: test it first. */
        if (s->dirty.on && kind == ACCESS_WRITE)
                u64map_put(&s->dirty.truth, gpa >> PAGE_SHIFT, 1);
        /* One branch, nearly always not taken: the kind of access changes
         * from one access to the next and a branch on it alone would be
         * mispredicted. */
        if ((unsigned)(kind == ACCESS_WRITE) & (unsigned)!e->dirty) {
                /* The walker's locked update of the D bit. */
                struct guest_walk w;
                guest_walk(&s->guest, guest_root(&s->guest), gva, &w);
                if (w.present)
                        guest_set_accessed_dirty(&s->guest, &w, true);
                if (s->mmu->write_hit_clean)
                        s->mmu->write_hit_clean(s, gpa);
                e->dirty = true;
        }
        if (s->nsinks == 0) {
                /* No one reads the event (a --quiet run): count it as
                 * stats_count would, without building it. */
                s->seq++;
                stats_count_access(&s->stats, &s->cfg.cost, 0, true, kind);
                if (s->cpu_stats)
                        stats_count_access(&s->cpu_stats[s->cpu], &s->cfg.cost, 0, true, kind);
                return;
        }
        struct event ev = no_event;
        ev.kind = EV_ACCESS;
        ev.gva = gva;
        ev.gpa = gpa;
        ev.hpa = hpa;
        ev.access = (uint8_t)kind;
        ev.user = user;
        ev.tlb_hit = true;
        ev.index = (uint16_t)(e - s->tlb.e);
        emit(s, &ev);
}

/* An access that the TLB cannot serve (e is the entry that lacked a
 * permission, or NULL): the scheme translates, which may exit or fault;
 * then the TLB is filled. Returns false when the fault was to be served by
 * demand paging and guest memory had no frame left for the page. */
static RARE_PATH bool access_miss(struct sim *s, const struct op *op, uint64_t gva,
                                  bool may_page_in, struct tlb_entry *e)
{
        enum access_kind kind = op->access;
        if (e)
                tlb_drop(&s->tlb, e); /* a permission the entry lacks: walk again */
        struct translation t = {0};
        s->mmu->translate(s, gva, kind, op->user, &t);
        if (!t.fault && kind == ACCESS_WRITE && s->dirty.on)
                u64map_put(&s->dirty.truth, t.gpa >> PAGE_SHIFT, 1);
        if (t.fault) {
                /* A page fault invalidates every TLB entry for the faulting
                 * address, of every page size (SDM 4.10.4.1). */
                tlb_invlpg(&s->tlb, sim_asid(s), gva);
                bool demand = op->demand && may_page_in;
                struct event ev = {.kind = EV_GUEST_PF,
                                   .gva = gva,
                                   .access = (uint8_t)kind,
                                   .user = op->user,
                                   .pf_error = t.pf_error,
                                   .detail = demand     ? DETAIL_DEMAND
                                             : t.exited ? DETAIL_INJECTED
                                                        : DETAIL_NONE};
                sim_emit(s, &ev);
                if (!demand)
                        return true;
                return demand_page_in(s, gva, kind, op->user) && access_page(s, op, gva, false);
        }
        uint64_t span = level_span(t.level);
        uint64_t base_gfn = (t.gpa & ~(span - 1)) >> PAGE_SHIFT;
        uint64_t base_hfn = t.level == 1 ? t.hpa >> PAGE_SHIFT : hostmem_hfn(&s->host, base_gfn);
        struct tlb_fill_req req = {
            .gva = gva,
            .gfn = base_gfn,
            .hfn = base_hfn,
            .perm = t.perm,
            .asid = sim_asid(s),
            .level = t.level,
            .page_level = t.page_level,
            .dirty = t.dirty,
        };
        bool evicts;
        unsigned slot = tlb_slot_for(&s->tlb, &req, &evicts);
        if (evicts) {
                struct tlb_entry *victim = &s->tlb.e[slot];
                struct event ev = {.kind = EV_TLB_EVICT,
                                   .gva = tlb_entry_gva(victim),
                                   .hpa = victim->hfn << PAGE_SHIFT,
                                   .gpa = victim->gfn << PAGE_SHIFT,
                                   .index = (uint16_t)slot};
                tlb_drop(&s->tlb, victim);
                sim_emit(s, &ev);
        }
        tlb_fill_at(&s->tlb, slot, &req);
        if (t.stale)
                emit_stale(s, gva, t.hpa, true, s->cpu);
        struct event ev = {.kind = EV_ACCESS,
                           .gva = gva,
                           .gpa = t.gpa,
                           .hpa = t.hpa,
                           .access = (uint8_t)kind,
                           .user = op->user,
                           .refs = t.refs,
                           .nested_refs = t.nested_refs,
                           .index = (uint16_t)slot};
        sim_emit(s, &ev);
        return true;
}

/* One access to one page. Returns false as access_miss does. */
static ACCESS_PATH bool access_page(struct sim *s, const struct op *op, uint64_t gva,
                                    bool may_page_in)
{
        struct tlb_entry *e = tlb_lookup(&s->tlb, sim_asid(s), gva);
        if (e && sim_allows(s, e->perm, op->access, op->user)) {
                access_hit(s, e, gva, op->access, op->user);
                return true;
        }
        return access_miss(s, op, gva, may_page_in, e);
}

/* Returns false when demand paging found no frame for a page. */
static ACCESS_PATH bool do_access(struct sim *s, const struct op *op)
{
        uint64_t first = op->gva & ~PAGE_OFFSET_MASK;
        uint64_t last = (op->gva + (op->size ? op->size - 1 : 0)) & ~PAGE_OFFSET_MASK;
        bool ok = access_page(s, op, op->gva, true);
        if (last != first)
                ok &= access_page(s, op, last, true);
        return ok;
}

static void flush_tlb(struct sim *s, uint8_t detail)
{
        struct event ev = {.kind = EV_TLB_FLUSH, .detail = detail};
        ev.count = tlb_flush(&s->tlb);
        sim_emit(s, &ev);
}

/* Returns false when no frame was left for a new root (see sim_apply). */
static bool do_cr3(struct sim *s, const struct op *op)
{
        struct guest *g = &s->guest;
        int ix = guest_space_find(g, op->asid, false);
        if (ix < 0) {
                /* A new address space: the kernel half is copied into its root. */
                ix = guest_space_find(g, op->asid, true);
                if (ix < 0)
                        return false;
                uint64_t from = g->spaces[0].root_gfn, to = g->spaces[ix].root_gfn;
                const struct ptable *kernel = guest_table_at(g, from);
                for (unsigned i = ptable_next(kernel, kernel_first_index()); i < PT_ENTRIES;
                     i = ptable_next(kernel, i + 1)) {
                        uint64_t link = ptable_get(kernel, i);
                        if (pte_present(link)) {
                                uint64_t gva = (uint64_t)i << level_shift(g->levels);
                                gva |= ~((UINT64_C(1) << guest_va_bits(g)) - 1);
                                store(s, EV_PT_LINK, gva, to, g->levels, i, link);
                        }
                }
        }
        bool same = (uint32_t)ix == g->current;
        if (s->mmu->exits_on_cr3)
                sim_exit(s, EXIT_CR3, 0, g->spaces[ix].root_gfn << PAGE_SHIFT, ACCESS_READ, 0);
        g->current = (uint32_t)ix;
        struct event ev = {
            .kind = EV_CR3, .asid = op->asid, .table_gpa = g->spaces[ix].root_gfn << PAGE_SHIFT};
        sim_emit(s, &ev);
        if (!s->cfg.pcid) {
                flush_tlb(s, DETAIL_FLUSH_CR3);
                pwc_flush(&s->pwc);
        }
        if (s->mmu->cr3_loaded)
                s->mmu->cr3_loaded(s, same);
        return true;
}

static void do_invlpg(struct sim *s, const struct op *op)
{
        if (s->mmu->exits_on_invlpg)
                sim_exit(s, EXIT_INVLPG, op->gva, 0, ACCESS_READ, 0);
        struct event ev = {.kind = EV_INVLPG, .gva = op->gva};
        ev.count = tlb_invlpg(&s->tlb, sim_asid(s), op->gva);
        pwc_flush(&s->pwc); /* INVLPG also drops the paging-structure caches */
        sim_emit(s, &ev);
        if (s->mmu->invlpg)
                s->mmu->invlpg(s, op->gva);
}

static void do_tlb_flush(struct sim *s)
{
        /* The guest reloads CR3 with its current value. */
        if (s->mmu->exits_on_cr3)
                sim_exit(s, EXIT_CR3, 0, guest_root(&s->guest) << PAGE_SHIFT, ACCESS_READ, 0);
        flush_tlb(s, DETAIL_FLUSH_GUEST);
        pwc_flush(&s->pwc);
        if (s->mmu->cr3_loaded)
                s->mmu->cr3_loaded(s, true);
}

struct unwritten_count {
        const struct u64map *truth;
        uint32_t n;
};

static void count_unwritten(uint64_t gfn, uint32_t unused, void *ctx)
{
        struct unwritten_count *c = ctx;
        uint32_t v;
        (void)unused;
        c->n += !u64map_get(c->truth, gfn, &v);
}

/* The frames reported dirty this round that the guest did not write: what
 * coarse tracking (a 2M dirty bit) and the walker's own writes (EPT A/D on
 * guest paging structures) add to a migration round. */
static uint32_t dirty_reported_unwritten(const struct dirty_log *d)
{
        struct unwritten_count c = {.truth = &d->truth};
        u64map_each(&d->gfns, count_unwritten, &c);
        return c.n;
}

static void do_dirty_log(struct sim *s, const struct op *op)
{
        struct event ev = {.kind = EV_DIRTY_LOG};
        switch (op->dirty) {
        case DIRTY_LOG_START:
                s->dirty.on = true;
                u64map_free(&s->dirty.gfns);
                u64map_free(&s->dirty.truth);
                ev.detail = DETAIL_LOG_START;
                sim_emit(s, &ev);
                if (s->mmu->dirty_log)
                        s->mmu->dirty_log(s, DIRTY_LOG_START);
                return;
        case DIRTY_LOG_SYNC:
                if (s->dirty.on && s->mmu->dirty_log)
                        s->mmu->dirty_log(s, DIRTY_LOG_SYNC);
                ev.detail = DETAIL_LOG_SYNC;
                ev.count = (uint32_t)s->dirty.gfns.count;
                ev.refs = dirty_reported_unwritten(&s->dirty);
                ev.index = (uint16_t)(s->dirty.on ? ++s->dirty.round : s->dirty.round);
                if (s->dirty.on) {
                        u64map_free(&s->dirty.gfns);
                        u64map_free(&s->dirty.truth);
                }
                sim_emit(s, &ev);
                if (s->dirty.on && s->mmu->dirty_log)
                        s->mmu->dirty_log(s, DIRTY_LOG_START);
                return;
        case DIRTY_LOG_STOP:
                if (s->dirty.on && s->mmu->dirty_log)
                        s->mmu->dirty_log(s, DIRTY_LOG_STOP);
                s->dirty.on = false;
                ev.detail = DETAIL_LOG_STOP;
                sim_emit(s, &ev);
                return;
        }
}

/* CPU n: the ops that follow run on vCPU n. The first time, the guest
 * brings it up on the first address space and the VMM loads its root
 * (kvm_mmu_load on its first entry). */
static void do_cpu(struct sim *s, const struct op *op)
{
        if (op->cpu >= s->cfg.vcpus)
                return; /* the trace reader refuses it (trace_limits) */
        bool first = !s->vcpus[op->cpu].online;
        sim_switch_cpu(s, op->cpu);
        s->vcpus[op->cpu].online = true;
        struct event ev = {.kind = EV_CPU, .detail = first ? DETAIL_ONLINE : DETAIL_NONE};
        sim_emit(s, &ev);
        if (first && s->mmu->cr3_loaded)
                s->mmu->cr3_loaded(s, false);
}

/* Whether vCPU t must take part in a shootdown from the running vCPU: it
 * is another one, it runs, and it has the same address space loaded
 * unless every one must (a kernel address, or all), as Linux sends the
 * IPIs to mm_cpumask for a user range (flush_tlb_mm_range) and to every
 * CPU for the kernel's (flush_tlb_kernel_range, flush_tlb_all). */
static bool shootdown_reaches(const struct sim *s, unsigned t, bool every)
{
        return t != s->cpu && s->vcpus[t].online &&
               (every || sim_cpu_space(s, t) == s->guest.current);
}

/* An IPI event of the shootdown op (or, as kind EV_VM_EXIT, the exit of
 * reason ipi it takes): detail says which step, other names the vCPU at
 * the other end. */
static struct event ipi_event(enum event_kind kind, uint8_t detail, unsigned other,
                              const struct op *op)
{
        return (struct event){.kind = kind,
                              .reason = kind == EV_VM_EXIT ? EXIT_IPI : 0,
                              .detail = detail,
                              .index = (uint16_t)other,
                              .gva = op->all ? 0 : op->gva,
                              .all = op->all};
}

static void emit_ipi(struct sim *s, uint8_t detail, unsigned other, const struct op *op)
{
        struct event ev = ipi_event(EV_IPI, detail, other, op);
        sim_emit(s, &ev);
}

/* The running vCPU sends a shootdown IPI to vCPU to. Under a VMM the ICR
 * write exits and KVM emulates it (kvm_x2apic_icr_write, kvm_apic_send_ipi),
 * unless the CPU virtualizes IPIs (Intel IPI virtualization, SDM vol. 3,
 * "IPI Virtualization"; AMD AVIC). One write per target, as Linux's x2APIC
 * physical mode sends them (x2apic_send_IPI_mask); KVM's paravirtual
 * KVM_FEATURE_PV_SEND_IPI, one hypercall for many targets, is not modelled. */
static void send_shootdown_ipi(struct sim *s, unsigned to, const struct op *op)
{
        if (s->mmu->exits_on_ipi && s->cfg.ipi_virt != IPI_VIRT_ON) {
                struct event ev = ipi_event(EV_VM_EXIT, DETAIL_IPI_SEND, to, op);
                exit_with(s, &ev);
        }
        emit_ipi(s, DETAIL_IPI_SEND, to, op);
}

/* The running vCPU, a target of a shootdown from vCPU from, takes the IPI
 * and runs the guest's handler (flush_tlb_func): INVLPG of the page, or a
 * flush of every entry (a CR3 reload), as the guest's own would. Under a
 * VMM without posted interrupts the target, running, is kicked out to have
 * the interrupt injected (kvm_vcpu_kick: an exit); with them (APICv,
 * vmx_deliver_posted_interrupt) it takes it in guest mode. */
static void take_shootdown_ipi(struct sim *s, unsigned from, const struct op *op)
{
        bool emulated = s->mmu->exits_on_ipi;
        if (emulated && s->cfg.ipi_virt == IPI_VIRT_OFF) {
                struct event ev = ipi_event(EV_VM_EXIT, DETAIL_IPI_DELIVER, from, op);
                exit_with(s, &ev);
        }
        emit_ipi(
            s, emulated && s->cfg.ipi_virt != IPI_VIRT_OFF ? DETAIL_IPI_POSTED : DETAIL_IPI_DELIVER,
            from, op);
        if (op->all)
                do_tlb_flush(s);
        else
                do_invlpg(s, op);
}

/* SHOOTDOWN: the guest's remote TLB invalidation from the running vCPU, as
 * Linux makes it (native_flush_tlb_multi through smp_call_function_many):
 * an IPI to every vCPU that may cache the translation; each takes it,
 * invalidates and acknowledges; the sender waits for every acknowledgement.
 * The sender's own invalidation is an INVLPG line of its own, before. */
static void do_shootdown(struct sim *s, const struct op *op)
{
        unsigned home = s->cpu;
        bool every = op->all || guest_va_kernel(&s->guest, op->gva);
        uint64_t exits = s->stats.exits;
        bool reached[SIM_MAX_VCPUS] = {false};
        unsigned n = 0;
        for (unsigned t = 0; t < s->cfg.vcpus; t++) {
                reached[t] = shootdown_reaches(s, t, every);
                if (reached[t]) {
                        n++;
                        send_shootdown_ipi(s, t, op);
                }
        }
        for (unsigned t = 0; t < s->cfg.vcpus; t++) {
                if (!reached[t])
                        continue;
                sim_switch_cpu(s, t);
                take_shootdown_ipi(s, home, op);
                sim_switch_cpu(s, home);
                emit_ipi(s, DETAIL_IPI_ACK, t, op);
        }
        struct event ev = {.kind = EV_SHOOTDOWN,
                           .gva = op->all ? 0 : op->gva,
                           .all = op->all,
                           .count = n,
                           .refs = (uint32_t)(s->stats.exits - exits)};
        sim_emit(s, &ev);
}

/* The VMM sets up the first address space before the guest runs. */
static RARE_PATH void boot(struct sim *s)
{
        s->booted = true;
        s->line = 0;
        if (s->mmu->cr3_loaded)
                s->mmu->cr3_loaded(s, false);
}

/* sim_apply for every op but an access. */
static RARE_PATH bool apply_other(struct sim *s, const struct op *op)
{
        switch (op->kind) {
        case OP_PT_WRITE:
                return do_pt_write(s, op);
        case OP_PT_CLEAR:
        case OP_PT_PROTECT:
                do_leaf_change(s, op);
                break;
        case OP_ACCESS:
                return do_access(s, op);
        case OP_CR3:
                return do_cr3(s, op);
        case OP_INVLPG:
                do_invlpg(s, op);
                break;
        case OP_TLB_FLUSH:
                do_tlb_flush(s);
                break;
        case OP_DIRTY_LOG:
                do_dirty_log(s, op);
                break;
        case OP_CPU:
                do_cpu(s, op);
                break;
        case OP_SHOOTDOWN:
                do_shootdown(s, op);
                break;
        case OP_KIND_COUNT:
                break;
        }
        return true;
}

bool sim_apply(struct sim *s, const struct op *op)
{
        if (!s->booted)
                boot(s);
        s->line = op->line;
        s->ops++;
        /* Accesses are nearly every op of a process trace: their path (a TLB
         * hit, inline) stays clear of the other ops' code. */
        if (op->kind == OP_ACCESS)
                return do_access(s, op);
        return apply_other(s, op);
}

/* The run of accesses at the start of ops[0..n) that are TLB hits with
 * nothing more to do (no sink reads their events, one vCPU, no dirty
 * logging; one page each, through an entry that allows the access, is
 * not stale and, for a store, is dirty already): applies them as
 * sim_apply would, their counters added at once (stats_count_hits), and
 * returns how many. The first op that is anything else is left to
 * sim_apply. */
static size_t apply_hits(struct sim *s, const struct op *ops, size_t n)
{
        if (!s->booted || s->nsinks || s->cpu_stats || s->dirty.on)
                return 0;
        uint32_t want = tlb_tag(&s->tlb, sim_asid(s));
        uint64_t fetches = 0;
        size_t i = 0;
        for (; i < n; i++) {
                const struct op *op = &ops[i];
                uint64_t last = op->gva + op->size - (op->size != 0);
                if (op->kind != OP_ACCESS || (op->gva ^ last) >> PAGE_SHIFT)
                        break;
                struct tlb_entry *e = tlb_find_4k(&s->tlb, want, op->gva >> PAGE_SHIFT);
                if (!e || !sim_allows(s, e->perm, op->access, op->user) || e->stale ||
                    ((unsigned)(op->access == ACCESS_WRITE) & (unsigned)!e->dirty))
                        break;
                tlb_touch(&s->tlb, e);
                fetches += op->access == ACCESS_EXEC;
        }
        if (i == 0)
                return 0;
        s->line = ops[i - 1].line;
        s->ops += i;
        s->seq += i;
        stats_count_hits(&s->stats, &s->cfg.cost, i, fetches);
        return i;
}

size_t sim_apply_ops(struct sim *s, const struct op *ops, size_t n)
{
        for (size_t i = 0;; i++) {
                i += apply_hits(s, ops + i, n - i);
                if (i == n)
                        return n;
                if (!sim_apply(s, &ops[i]))
                        return i;
        }
}

bool sim_can_page_in(const struct sim *s, uint64_t pages)
{
        /* Each page takes a data frame and at most levels - 1 tables. The
         * table allocator goes down from next_free_gfn, skipping frames
         * that hold tables (at most ntables), and demand paging finds no
         * frame once next_data_gfn reaches it. */
        const struct guest *g = &s->guest;
        uint64_t frames = pages * (uint64_t)g->levels;
        return g->mem_frames - g->ntables >= frames && g->next_free_gfn > s->next_data_gfn &&
               g->next_free_gfn - s->next_data_gfn > frames + g->ntables;
}
