/*
 * gen_os.c - the generator's guest kernel: processes, frames, faults, and
 * the trace lines they write.
 */
#include "gen_os.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"
#include "xalloc.h"

/* Above this many pages munmap flushes the whole TLB instead of one
 * INVLPG a page (Linux's tlb_single_page_flush_ceiling). */
#define INVLPG_CEILING 33

#define LARGE_SHIFT 21 /* 2 MiB pages */

static void space_init(struct gen_space *m)
{
        memset(m, 0, sizeof *m);
        u64map_init(&m->index);
        u64map_init(&m->large);
}

static void space_free(struct gen_space *m)
{
        u64map_free(&m->index);
        u64map_free(&m->large);
        free(m->pages);
        memset(m, 0, sizeof *m);
}

static struct gen_page *space_find(const struct gen_space *m, uint64_t vpn)
{
        uint32_t i;
        return u64map_get(&m->index, vpn, &i) ? &m->pages[i] : NULL;
}

static struct gen_page *space_add(struct gen_space *m, uint64_t vpn, uint8_t prot)
{
        assert(!space_find(m, vpn));
        if (m->npages == m->cap) {
                m->cap = m->cap ? m->cap * 2 : 64;
                m->pages = xrealloc(m->pages, m->cap, sizeof *m->pages);
        }
        struct gen_page *pg = &m->pages[m->npages];
        *pg = (struct gen_page){.vpn = vpn, .prot = prot};
        u64map_put(&m->index, vpn, m->npages++);
        return pg;
}

/* Removes the page vpn (which must be there), moving the last page into
 * its slot. */
static void space_remove(struct gen_space *m, uint64_t vpn)
{
        uint32_t i;
        bool found = u64map_get(&m->index, vpn, &i);
        assert(found);
        (void)found;
        u64map_del(&m->index, vpn);
        if (i != --m->npages) {
                m->pages[i] = m->pages[m->npages];
                u64map_put(&m->index, m->pages[i].vpn, i);
        }
}

static bool is_kernel(uint64_t gva)
{
        return gva >> 63 != 0;
}

/* The address space gva belongs to, seen from the current process. */
static struct gen_space *space_of(struct gen_os *os, uint64_t gva)
{
        return is_kernel(gva) ? &os->kernel : &os->procs[os->current].mem;
}

void gen_os_init(struct gen_os *os, FILE *out)
{
        memset(os, 0, sizeof *os);
        os->out = out;
        os->next_gfn = GEN_FIRST_GFN;
        space_init(&os->kernel);
        gen_os_spawn(os);
        os->procs[0].cpus = 1; /* process 0 runs on vCPU 0 */
}

void gen_os_free(struct gen_os *os)
{
        for (uint32_t p = 0; p < os->nprocs; p++)
                space_free(&os->procs[p].mem);
        space_free(&os->kernel);
        free(os->procs);
        free(os->free_gfns);
        free(os->refs);
        free(os->free_asids);
        memset(os, 0, sizeof *os);
}

/* Lines between two checks of the output for a write error. */
#define CHECK_EVERY 4096

/* Counts a line written; every CHECK_EVERY lines, stops the writing if
 * out has seen a write error. */
static void line_written(struct gen_os *os)
{
        if (++os->sum.lines % CHECK_EVERY == 0 && ferror(os->out))
                os->failed = true;
}

void gen_os_comment(struct gen_os *os, const char *fmt, ...)
{
        if (os->failed)
                return;
        va_list ap;
        fputs("# ", os->out);
        va_start(ap, fmt);
        vfprintf(os->out, fmt, ap);
        va_end(ap);
        fputc('\n', os->out);
        line_written(os);
}

/* Writes one op as its canonical v1 line. */
static void emit(struct gen_os *os, const struct op *op)
{
        char line[128];
        if (!os->failed) {
                fputs(op_format(op, line, sizeof line), os->out);
                fputc('\n', os->out);
                line_written(os);
        }
        os->sum.ops++;
        switch (op->kind) {
        case OP_PT_WRITE:
        case OP_PT_PROTECT:
        case OP_PT_CLEAR:
                os->sum.pt_ops++;
                break;
        case OP_ACCESS:
                os->sum.accesses++;
                break;
        case OP_CR3:
                os->sum.switches++;
                break;
        case OP_INVLPG:
        case OP_TLB_FLUSH:
        case OP_DIRTY_LOG:
        case OP_SHOOTDOWN:
                os->sum.shootdowns++;
                break;
        case OP_CPU:
        case OP_KIND_COUNT:
                break;
        }
}

/* The entry permissions of a page: W unless read-only or copy-on-write,
 * NX unless executable, U for the user half. */
static uint64_t perm_of(uint8_t prot, bool cow, bool user)
{
        uint64_t perm = 0;
        if ((prot & GEN_PROT_W) && !cow)
                perm |= PTE_W;
        if (!(prot & GEN_PROT_X))
                perm |= PTE_NX;
        if (user)
                perm |= PTE_U;
        return perm;
}

static uint64_t page_gva(const struct gen_page *pg)
{
        return pg->vpn << PAGE_SHIFT;
}

static void emit_pt_write(struct gen_os *os, const struct gen_page *pg)
{
        uint64_t gva = page_gva(pg);
        struct op op = {.kind = OP_PT_WRITE,
                        .gva = gva,
                        .gpa = pg->gfn << PAGE_SHIFT,
                        .perm = perm_of(pg->prot, pg->cow, !is_kernel(gva)),
                        .leaf_level = 1};
        emit(os, &op);
}

static void emit_gva_op(struct gen_os *os, enum op_kind kind, uint64_t gva, uint64_t perm)
{
        struct op op = {.kind = kind, .gva = gva, .perm = perm};
        emit(os, &op);
}

static uint32_t *refs_of(struct gen_os *os, uint64_t gfn)
{
        uint64_t i = gfn - GEN_FIRST_GFN;
        if (i >= os->cap_refs) {
                uint64_t cap = os->cap_refs ? os->cap_refs : 1024;
                while (cap <= i)
                        cap *= 2;
                os->refs = xrealloc(os->refs, cap, sizeof *os->refs);
                memset(os->refs + os->cap_refs, 0, (cap - os->cap_refs) * sizeof *os->refs);
                os->cap_refs = cap;
        }
        return &os->refs[i];
}

/* A frame for one sharer: the last one freed, else a new one. */
static uint64_t frame_alloc(struct gen_os *os)
{
        uint64_t gfn = os->nfree ? os->free_gfns[--os->nfree] : os->next_gfn++;
        *refs_of(os, gfn) = 1;
        return gfn;
}

/* One sharer of gfn lets go; the last one frees it. */
static void frame_release(struct gen_os *os, uint64_t gfn)
{
        uint32_t *refs = refs_of(os, gfn);
        assert(*refs > 0);
        if (--*refs > 0)
                return;
        if (os->nfree == os->cap_free) {
                os->cap_free = os->cap_free ? os->cap_free * 2 : 256;
                os->free_gfns = xrealloc(os->free_gfns, os->cap_free, sizeof *os->free_gfns);
        }
        os->free_gfns[os->nfree++] = gfn;
}

void gen_os_map(struct gen_os *os, uint64_t gva, uint64_t npages, uint8_t prot, bool populate)
{
        assert((gva & PAGE_OFFSET_MASK) == 0);
        struct gen_space *m = space_of(os, gva);
        for (uint64_t i = 0; i < npages; i++) {
                struct gen_page *pg = space_add(m, (gva >> PAGE_SHIFT) + i, prot);
                if (populate) {
                        pg->gfn = frame_alloc(os);
                        pg->present = true;
                        emit_pt_write(os, pg);
                }
        }
}

void gen_os_map_large(struct gen_os *os, uint64_t gva, uint64_t gpa, uint8_t prot)
{
        uint64_t span = UINT64_C(1) << LARGE_SHIFT;
        assert(is_kernel(gva) && (gva & (span - 1)) == 0 && (gpa & (span - 1)) == 0);
        u64map_put(&os->kernel.large, gva >> LARGE_SHIFT, prot);
        struct op op = {.kind = OP_PT_WRITE,
                        .gva = gva,
                        .gpa = gpa,
                        .perm = perm_of(prot, false, false),
                        .leaf_level = 2};
        emit(os, &op);
}

static bool prot_allows(uint8_t prot, enum access_kind kind)
{
        return kind == ACCESS_WRITE  ? (prot & GEN_PROT_W) != 0
               : kind == ACCESS_EXEC ? (prot & GEN_PROT_X) != 0
                                     : (prot & GEN_PROT_R) != 0;
}

static void emit_access(struct gen_os *os, uint64_t gva, enum access_kind kind)
{
        struct op op = {.kind = OP_ACCESS, .gva = gva, .access = kind};
        emit(os, &op);
}

/* The kernel's answer to a write fault on a copy-on-write page: the last
 * sharer takes the frame back writable; otherwise the page gets a copy. */
static void break_cow(struct gen_os *os, struct gen_page *pg)
{
        os->sum.cow_faults++;
        pg->cow = false;
        if (*refs_of(os, pg->gfn) == 1) {
                gen_os_comment(os, "#PF copy-on-write, no other sharer: writable again");
                emit_gva_op(os, OP_PT_PROTECT, page_gva(pg),
                            perm_of(pg->prot, false, !is_kernel(page_gva(pg))));
                return;
        }
        gen_os_comment(os, "#PF copy-on-write: the page gets a copy of the frame");
        os->sum.cow_copies++;
        frame_release(os, pg->gfn);
        pg->gfn = frame_alloc(os);
        emit_pt_write(os, pg);
        emit_gva_op(os, OP_INVLPG, page_gva(pg), 0);
}

bool gen_os_touch(struct gen_os *os, uint64_t gva, enum access_kind kind)
{
        struct gen_space *m = space_of(os, gva);
        struct gen_page *pg = space_find(m, gva >> PAGE_SHIFT);
        if (!pg) {
                uint32_t prot = 0;
                bool large = u64map_get(&m->large, gva >> LARGE_SHIFT, &prot);
                assert(large && prot_allows((uint8_t)prot, kind));
                (void)large;
                emit_access(os, gva, kind);
                return false;
        }
        assert(prot_allows(pg->prot, kind));
        emit_access(os, gva, kind);
        if (pg->present && !(kind == ACCESS_WRITE && pg->cow))
                return false;
        os->sum.faults++;
        if (!pg->present) {
                os->sum.demand_faults++;
                gen_os_comment(os, "#PF not present: the kernel maps a fresh frame");
                pg->gfn = frame_alloc(os);
                pg->present = true;
                pg->cow = false;
                emit_pt_write(os, pg);
        } else {
                break_cow(os, pg);
        }
        emit_access(os, gva, kind);
        return true;
}

uint32_t gen_os_spawn(struct gen_os *os)
{
        if (os->nprocs == os->cap_procs) {
                os->cap_procs = os->cap_procs ? os->cap_procs * 2 : 16;
                os->procs = xrealloc(os->procs, os->cap_procs, sizeof *os->procs);
        }
        struct gen_proc *p = &os->procs[os->nprocs];
        p->asid = os->nfree_asids ? os->free_asids[--os->nfree_asids] : os->next_asid++;
        p->live = true;
        p->cpus = 0;
        space_init(&p->mem);
        return os->nprocs++;
}

void gen_os_switch(struct gen_os *os, uint32_t p)
{
        assert(p < os->nprocs && os->procs[p].live);
        if (p == os->current)
                return;
        os->current = p;
        os->procs[p].cpus |= UINT64_C(1) << os->cpu;
        struct op op = {.kind = OP_CR3, .asid = os->procs[p].asid};
        emit(os, &op);
}

uint32_t gen_os_fork(struct gen_os *os)
{
        uint32_t parent = os->current;
        uint32_t child = gen_os_spawn(os); /* may move procs[] */
        struct gen_space *pm = &os->procs[parent].mem;
        gen_os_comment(os, "fork: process %u creates process %u", parent, child);
        os->sum.forks++;
        bool protected = false;
        for (uint32_t i = 0; i < pm->npages; i++) {
                struct gen_page *pg = &pm->pages[i];
                if (!pg->present || !(pg->prot & GEN_PROT_W) || pg->cow)
                        continue;
                pg->cow = true;
                emit_gva_op(os, OP_PT_PROTECT, page_gva(pg), perm_of(pg->prot, true, true));
                protected = true;
        }
        if (protected)
                gen_os_flush(os);
        struct gen_space *cm = &os->procs[child].mem;
        for (uint32_t i = 0; i < pm->npages; i++) {
                struct gen_page *pg = space_add(cm, pm->pages[i].vpn, pm->pages[i].prot);
                *pg = pm->pages[i];
                if (pg->present)
                        (*refs_of(os, pg->gfn))++;
        }
        gen_os_switch(os, child);
        for (uint32_t i = 0; i < cm->npages; i++)
                if (cm->pages[i].present)
                        emit_pt_write(os, &cm->pages[i]);
        return child;
}

void gen_os_exit(struct gen_os *os, uint32_t next)
{
        uint32_t p = os->current;
        assert(next != p);
        struct gen_space *m = &os->procs[p].mem;
        gen_os_comment(os, "exit: process %u tears its address space down", p);
        os->sum.exits++;
        for (uint32_t i = 0; i < m->npages; i++) {
                if (!m->pages[i].present)
                        continue;
                emit_gva_op(os, OP_PT_CLEAR, page_gva(&m->pages[i]), 0);
                frame_release(os, m->pages[i].gfn);
        }
        gen_os_flush(os);
        space_free(m);
        os->procs[p].live = false;
        if (os->nfree_asids == os->cap_free_asids) {
                os->cap_free_asids = os->cap_free_asids ? os->cap_free_asids * 2 : 16;
                os->free_asids =
                    xrealloc(os->free_asids, os->cap_free_asids, sizeof *os->free_asids);
        }
        os->free_asids[os->nfree_asids++] = os->procs[p].asid;
        gen_os_switch(os, next);
}

/* Whether the current process has run on another vCPU than this one, so
 * that a change to its mappings must be shot down there. */
static bool runs_elsewhere(const struct gen_os *os)
{
        return (os->procs[os->current].cpus & ~(UINT64_C(1) << os->cpu)) != 0;
}

/* Invalidates the pages first..last (vpns) of the current process after a
 * change to their mappings, as Linux's flush_tlb_mm_range: page by page,
 * or the whole TLB past the ceiling; on the other vCPUs it ran on too. */
static void invalidate(struct gen_os *os, uint64_t first, uint64_t last)
{
        bool others = runs_elsewhere(os);
        if (last - first + 1 > INVLPG_CEILING) {
                gen_os_flush(os);
                if (others) {
                        struct op op = {.kind = OP_SHOOTDOWN, .all = true};
                        emit(os, &op);
                }
                return;
        }
        for (uint64_t vpn = first; vpn <= last; vpn++) {
                emit_gva_op(os, OP_INVLPG, vpn << PAGE_SHIFT, 0);
                if (others)
                        emit_gva_op(os, OP_SHOOTDOWN, vpn << PAGE_SHIFT, 0);
        }
}

void gen_os_unmap(struct gen_os *os, uint64_t gva, uint64_t npages)
{
        struct gen_space *m = space_of(os, gva);
        uint64_t first = UINT64_MAX, last = 0; /* span of the cleared pages */
        for (uint64_t i = 0; i < npages; i++) {
                uint64_t vpn = (gva >> PAGE_SHIFT) + i;
                struct gen_page *pg = space_find(m, vpn);
                if (!pg)
                        continue;
                if (pg->present) {
                        emit_gva_op(os, OP_PT_CLEAR, page_gva(pg), 0);
                        frame_release(os, pg->gfn);
                        first = first < vpn ? first : vpn;
                        last = vpn;
                }
                space_remove(m, vpn);
        }
        if (first <= last)
                invalidate(os, first, last);
}

void gen_os_protect(struct gen_os *os, uint64_t gva, uint64_t npages, uint8_t prot)
{
        struct gen_space *m = space_of(os, gva);
        uint64_t first = UINT64_MAX, last = 0; /* span of the changed pages */
        for (uint64_t i = 0; i < npages; i++) {
                uint64_t vpn = (gva >> PAGE_SHIFT) + i;
                struct gen_page *pg = space_find(m, vpn);
                if (!pg)
                        continue;
                pg->prot = prot;
                if (!pg->present)
                        continue;
                emit_gva_op(os, OP_PT_PROTECT, page_gva(pg),
                            perm_of(prot, pg->cow, !is_kernel(page_gva(pg))));
                first = first < vpn ? first : vpn;
                last = vpn;
        }
        if (first <= last)
                invalidate(os, first, last);
}

void gen_os_cpu(struct gen_os *os, uint32_t cpu)
{
        assert(cpu < 64);
        os->procs[os->current].cpus |= UINT64_C(1) << cpu;
        if (cpu == os->cpu)
                return;
        os->cpu = cpu;
        struct op op = {.kind = OP_CPU, .cpu = cpu};
        emit(os, &op);
}

void gen_os_flush(struct gen_os *os)
{
        struct op op = {.kind = OP_TLB_FLUSH};
        emit(os, &op);
}

void gen_os_dirty_log(struct gen_os *os, enum dirty_log_action action)
{
        struct op op = {.kind = OP_DIRTY_LOG, .dirty = action};
        emit(os, &op);
}

const struct gen_page *gen_os_page(const struct gen_os *os, uint32_t p, uint64_t gva)
{
        const struct gen_space *m = is_kernel(gva) ? &os->kernel : &os->procs[p].mem;
        return space_find(m, gva >> PAGE_SHIFT);
}
