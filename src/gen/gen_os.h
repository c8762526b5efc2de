/*
 * gen_os.h - the guest operating system of the workload generator.
 *
 * The generator writes trace format v1: a trace names only what the guest
 * does to its page tables and memory (PT_WRITE, PT_PROTECT, PT_CLEAR,
 * INVLPG, TLB_FLUSH, CR3, ACCESS, and the hypervisor's DIRTY_LOG). The
 * process-level operations of the
 * classic workloads (fork with copy-on-write, exit, mmap, munmap, demand
 * faults, context switches) are therefore played out here, by a small
 * model of a Unix kernel that keeps each process's pages and the frames
 * they share, and writes the lines its page-table code would cause. The
 * engine stays small and the trace stays readable: every fault is the
 * access that faults, the kernel's PT writes, and the access again.
 *
 * What the kernel does, as Linux does it on x86-64:
 * - demand paging: a page of a mapping is not present until touched; the
 *   touch faults, a fresh frame is mapped, the access is retried;
 * - fork: the parent's writable pages become read-only in both processes
 *   (copy-on-write) and the parent's TLB is flushed; the child's tables are
 *   filled with the parent's mappings;
 * - a write to a copy-on-write page faults; the kernel copies the frame
 *   (PT_WRITE to the copy, INVLPG), or, when no other process shares it any
 *   more, makes the page writable again in place (PT_PROTECT);
 * - exit clears every mapping of the process (PT_CLEAR each: the teardown
 *   writes Xen's "early unshadow" heuristic is aimed at) and flushes the
 *   TLB; the next process created gets the same address space (root and
 *   table pages) again, as the page allocator hands the freed page-table
 *   pages out again;
 * - munmap clears the range, then INVLPG each page or, above 33 pages (the
 *   threshold Linux uses), flushes the whole TLB.
 * - threads: a process may run on several vCPUs (CPU lines); once it has
 *   run on another vCPU than the one it runs on (mm_cpumask), munmap and
 *   mprotect shoot each page down after its INVLPG (flush_tlb_mm_range
 *   sends the other vCPUs an IPI) or, past the ceiling, every page.
 * One simplification: a v1 trace can only write the tables of the loaded
 * address space, so fork loads the child's CR3 before writing the child's
 * tables (the child then runs first, as after sched_child_runs_first).
 * Another: a SHOOTDOWN line names one page, so a range of pages costs an
 * IPI a page, where Linux sends one IPI for the range.
 *
 * Guest frames are handed out from 1 MiB upwards and recycled (last freed,
 * first reused), so long loops reuse frames as a real kernel's allocator
 * does. Nothing here draws random numbers: the scenarios decide, this file
 * carries out.
 */
#ifndef SHADOW_SIM_GEN_OS_H
#define SHADOW_SIM_GEN_OS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "op.h"
#include "pte.h"
#include "u64map.h"

/* Protections of a mapping (as in mmap's PROT_*). */
enum { GEN_PROT_R = 1, GEN_PROT_W = 2, GEN_PROT_X = 4 };

/* What a generated trace provokes, counted by the model as it writes the
 * lines: the engine must come to the same guest #PF count. */
struct gen_summary {
        uint64_t lines;         /* lines written, comments included */
        uint64_t ops;           /* trace ops written (lines that are not comments) */
        uint64_t accesses;      /* ACCESS lines (a faulting access and its retry are two) */
        uint64_t faults;        /* accesses that fault in the guest (each one guest #PF) */
        uint64_t demand_faults; /* ... of them, first touches of not-present pages */
        uint64_t cow_faults;    /* ... of them, writes to copy-on-write pages */
        uint64_t cow_copies;    /* copy-on-write faults that copied the frame */
        uint64_t forks, exits;  /* processes created and torn down */
        uint64_t switches;      /* CR3 loads */
        uint64_t pt_ops;        /* PT_WRITE, PT_PROTECT and PT_CLEAR lines */
        uint64_t shootdowns;    /* SHOOTDOWN lines */
};

/* One virtual page of a process. */
struct gen_page {
        uint64_t vpn; /* virtual page number (gva >> 12) */
        uint64_t gfn; /* backing frame, when present */
        uint8_t prot; /* GEN_PROT_* of its mapping */
        bool present; /* mapped in the page table */
        bool cow;     /* read-only for copy-on-write, though prot has W */
};

/* The pages of one address space (a process, or the shared kernel half). */
struct gen_space {
        struct u64map index;    /* vpn -> index into pages[] */
        struct gen_page *pages; /* in the order they were mapped (swap-removed) */
        uint32_t npages, cap;
        struct u64map large; /* 2 MiB page number -> prot, for large pages */
};

struct gen_proc {
        uint32_t asid;        /* its address space in the trace (CR3 operand) */
        bool live;            /* not exited */
        struct gen_space mem; /* its user pages */
        uint64_t cpus;        /* the vCPUs it has run on (Linux's mm_cpumask) */
};

struct gen_os {
        FILE *out;
        struct gen_proc *procs;  /* indexed by process number (pid) */
        struct gen_space kernel; /* the upper half, shared by every process */
        uint32_t nprocs, cap_procs;
        uint32_t current;    /* process whose CR3 is loaded */
        uint32_t cpu;        /* the vCPU the lines run on (CPU lines), 0 first */
        uint64_t next_gfn;   /* next never-used frame */
        uint64_t *free_gfns; /* recycled frames, last freed on top */
        uint32_t nfree, cap_free;
        uint32_t *refs;       /* sharers of each frame, by gfn - GEN_FIRST_GFN */
        uint32_t next_asid;   /* next never-used address space */
        uint32_t *free_asids; /* address spaces of exited processes, last on top */
        uint32_t nfree_asids, cap_free_asids;
        uint64_t cap_refs;
        struct gen_summary sum;
        bool failed; /* writing out failed: nothing more is written */
};

/* First guest frame handed out for data (1 MiB, as the engine's own demand
 * paging does; page tables come from the top of guest memory). */
#define GEN_FIRST_GFN 0x100

/* Starts the model writing to out: process 0 exists, is loaded (the
 * engine starts in address space 0) and has no pages. */
void gen_os_init(struct gen_os *os, FILE *out);
void gen_os_free(struct gen_os *os);

/* Whether the trace is still being written: false once a write to out has
 * failed (checked every few thousand lines), for the scenarios' loops to
 * stop. */
static inline bool gen_os_ok(const struct gen_os *os)
{
        return !os->failed;
}

/* Writes "# " and the formatted text as a comment line. */
void gen_os_comment(struct gen_os *os, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Maps npages pages at gva (page-aligned) with protection prot. A
 * lower-half gva maps user pages into the current process; an upper-half
 * (kernel) gva maps kernel pages, which every address space shares. With
 * populate each page gets a frame and a PT_WRITE now (as exec maps a
 * program's text and data, or the kernel its own pages); without it they
 * are paged in by the first touch (mmap). The range must not overlap a
 * mapping already there. */
void gen_os_map(struct gen_os *os, uint64_t gva, uint64_t npages, uint8_t prot, bool populate);

/* Maps one 2 MiB kernel page gva -> gpa (both 2 MiB-aligned, gva in the
 * upper half): the boot code's direct map. */
void gen_os_map_large(struct gen_os *os, uint64_t gva, uint64_t gpa, uint8_t prot);

/* The current process accesses gva, which must lie in one of its
 * mappings or a kernel one whose protection allows kind. When the access
 * faults in the guest (not present, or a write to a copy-on-write page)
 * the kernel handles the fault and the access is retried. Returns whether
 * it faulted. */
bool gen_os_touch(struct gen_os *os, uint64_t gva, enum access_kind kind);

/* Creates a process with an empty address space: a new one, or the one
 * the process that exited last left (its asid). Returns its number. */
uint32_t gen_os_spawn(struct gen_os *os);

/* Loads process p's CR3 (a line only when it is not loaded already). */
void gen_os_switch(struct gen_os *os, uint32_t p);

/* Forks the current process: copy-on-write as described above. The child
 * is loaded when this returns. Returns the child's number. */
uint32_t gen_os_fork(struct gen_os *os);

/* The current process exits: every mapping is cleared, its frames
 * released and the TLB flushed, then process next is loaded. */
void gen_os_exit(struct gen_os *os, uint32_t next);

/* Unmaps npages pages from gva in the current process (pages never
 * touched cost nothing), then invalidates them. */
void gen_os_unmap(struct gen_os *os, uint64_t gva, uint64_t npages);

/* Changes the protection of npages pages from gva in the current process
 * to prot (mprotect; prot must allow what the pages' mapping needs no
 * more than it did), then invalidates them. */
void gen_os_protect(struct gen_os *os, uint64_t gva, uint64_t npages, uint8_t prot);

/* Flushes the whole TLB (the guest's TLB_FLUSH). */
void gen_os_flush(struct gen_os *os);

/* The lines below run on vCPU cpu (below 64): a CPU line when it is not
 * the vCPU they run on already. The current process has run there. */
void gen_os_cpu(struct gen_os *os, uint32_t cpu);

/* The hypervisor starts, syncs (ends a round of) or stops dirty logging for
 * live migration; the guest does not see it. */
void gen_os_dirty_log(struct gen_os *os, enum dirty_log_action action);

/* The page at gva as process p sees it (its own, or the kernel's for an
 * upper-half gva), or NULL when nothing is mapped there in 4 KiB pages. */
const struct gen_page *gen_os_page(const struct gen_os *os, uint32_t p, uint64_t gva);

#endif
