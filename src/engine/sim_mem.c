/*
 * sim_mem.c - the memory estimate of a machine (see sim_mem.h).
 */
#include "sim_mem.h"

#include "mmu_view.h"

/* Bookkeeping a scheme keeps per table besides its 512 entries: its
 * descriptor, the hash entries that find it, links to its parents. */
#define SCHEME_TABLE_OVERHEAD 128

static size_t map_bytes(const struct u64map *m)
{
        return m->capacity * (sizeof(uint64_t) + sizeof(uint32_t));
}

size_t sim_mem_bytes(const struct sim *s)
{
        const struct guest *g = &s->guest;
        size_t b = sizeof *s;
        b += g->cap_tables * (sizeof(struct guest_table) + sizeof(uint64_t) + sizeof(uint8_t));
        b += g->cap_spaces * sizeof(struct address_space);
        b += map_bytes(&g->table_ix) + map_bytes(&g->space_ix) + map_bytes(&s->host.backed);
        b += map_bytes(&s->dirty.gfns) + map_bytes(&s->dirty.truth);
        b += (size_t)s->cfg.vcpus * s->tlb.sets * s->tlb.ways * sizeof(struct tlb_entry);
        b += s->cfg.vcpus * (sizeof(struct vcpu) + (s->cpu_stats ? sizeof(struct stats) : 0));
        b += (size_t)mmu_view_count(s) * (PT_ENTRIES * sizeof(uint64_t) + SCHEME_TABLE_OVERHEAD);
        return b;
}
