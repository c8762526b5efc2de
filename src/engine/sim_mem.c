/*
 * sim_mem.c - the memory estimate of a machine (see sim_mem.h).
 */
#include "sim_mem.h"

#include "mmu_view.h"

size_t sim_mem_bytes(const struct sim *s)
{
        const struct guest *g = &s->guest;
        size_t b = sizeof *s;
        b += g->cap_tables * (sizeof(struct ptable) + sizeof(uint64_t) + sizeof(uint8_t));
        b += g->table_heap;
        b += g->cap_spaces * sizeof(struct address_space);
        b +=
            u64map_bytes(&g->table_ix) + u64map_bytes(&g->space_ix) + u64map_bytes(&s->host.backed);
        b += u64map_bytes(&s->dirty.gfns) + u64map_bytes(&s->dirty.truth);
        b += (size_t)s->cfg.vcpus * s->tlb.sets * s->tlb.ways * sizeof(struct tlb_entry);
        b += s->cfg.vcpus * (sizeof(struct vcpu) + (s->cpu_stats ? sizeof(struct stats) : 0));
        b += mmu_view_bytes(s);
        return b;
}
