/*
 * gen.c - the scenarios of the workload generator and its entry point.
 *
 * Each scenario lays out memory the way a Linux/x86-64 process or kernel
 * does (text at 0x400000, data above it, the stack below 0x7ffffffff000,
 * mmap areas at 0x7f..., the kernel's direct map at 0xffff888000000000, its
 * text at 0xffffffff81000000, vmalloc at 0xffffc90000000000) and then runs
 * its loop through the guest kernel model. Random choices (which page, read
 * or write) all come from the seeded generator, in a fixed order.
 */
#include "gen.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "gen_rng.h"

#define CODE_BASE    UINT64_C(0x400000)
#define DATA_BASE    UINT64_C(0x600000)
#define STACK_TOP    UINT64_C(0x7ffffffff000)
#define MMAP_BASE    UINT64_C(0x7f0000000000)
#define DIRECT_MAP   UINT64_C(0xffff888000000000)
#define KERNEL_TEXT  UINT64_C(0xffffffff81000000)
#define VMALLOC_BASE UINT64_C(0xffffc90000000000)
#define PAGE         PAGE_SIZE
#define LARGE_PAGE   (UINT64_C(1) << 21)

enum { RW = GEN_PROT_R | GEN_PROT_W, RX = GEN_PROT_R | GEN_PROT_X };

/* A word-aligned address inside page `page` of the region at base. */
static uint64_t word_in(struct gen_rng *rng, uint64_t base, uint64_t page)
{
        return base + page * PAGE + gen_rng_below(rng, PAGE / 8) * 8;
}

/* A process image: code pages, data pages and a stack of stack_pages,
 * mapped and touched once (as after exec and start-up). */
static void exec_image(struct gen_os *os, uint64_t code_pages, uint64_t data_pages,
                       uint64_t stack_pages)
{
        gen_os_map(os, CODE_BASE, code_pages, RX, true);
        gen_os_map(os, DATA_BASE, data_pages, RW, true);
        gen_os_map(os, STACK_TOP - stack_pages * PAGE, stack_pages, RW, true);
        for (uint64_t i = 0; i < code_pages; i++)
                gen_os_touch(os, CODE_BASE + i * PAGE, ACCESS_EXEC);
        for (uint64_t i = 0; i < data_pages; i++)
                gen_os_touch(os, DATA_BASE + i * PAGE, ACCESS_WRITE);
        for (uint64_t i = 1; i <= stack_pages; i++)
                gen_os_touch(os, STACK_TOP - i * PAGE, ACCESS_WRITE);
}

/* ---- forkwait ------------------------------------------------------------ */

enum { FW_CODE = 8, FW_STACK = 2 };

static void run_forkwait(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t iterations = v[0], pages = v[1], writes = v[2];
        gen_os_comment(os, "the parent: %d code pages, %llu data pages, %d stack pages", FW_CODE,
                       (unsigned long long)pages, FW_STACK);
        exec_image(os, FW_CODE, pages, FW_STACK);
        uint32_t parent = 0;
        uint64_t stack = STACK_TOP - 8;
        for (uint64_t it = 0; it < iterations && gen_os_ok(os); it++) {
                gen_os_comment(os, "iteration %llu: fork, the child writes %llu pages and exits",
                               (unsigned long long)it + 1, (unsigned long long)writes);
                gen_os_touch(os, CODE_BASE + gen_rng_below(rng, FW_CODE) * PAGE, ACCESS_EXEC);
                gen_os_touch(os, stack, ACCESS_WRITE);
                gen_os_fork(os);
                /* The child: runs a little code, writes its stack and a few
                 * distinct data pages (each a copy-on-write fault), reads
                 * one more. */
                gen_os_touch(os, CODE_BASE + gen_rng_below(rng, FW_CODE) * PAGE, ACCESS_EXEC);
                gen_os_touch(os, stack, ACCESS_WRITE);
                uint64_t first = gen_rng_below(rng, pages);
                for (uint64_t w = 0; w < writes; w++)
                        gen_os_touch(os, word_in(rng, DATA_BASE, (first + w) % pages),
                                     ACCESS_WRITE);
                gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)), ACCESS_READ);
                gen_os_exit(os, parent);
                /* wait() returns: the parent writes its stack and a data
                 * page, now its own again. */
                gen_os_touch(os, stack, ACCESS_WRITE);
                gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)), ACCESS_WRITE);
        }
}

static uint64_t forkwait_accesses(const uint64_t *v)
{
        return FW_CODE + v[1] + FW_STACK + v[0] * (v[2] + 7);
}

/* The child writes distinct pages of the parent's. */
static const char *forkwait_check(const uint64_t *v, char *buf, size_t n)
{
        if (v[2] <= v[1])
                return NULL;
        snprintf(buf, n,
                 "--child-writes %llu is more than --pages %llu: the child writes distinct "
                 "pages of its parent's",
                 (unsigned long long)v[2], (unsigned long long)v[1]);
        return buf;
}

/* ---- tlb-stress ---------------------------------------------------------- */

static void run_tlb_stress(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t pages = v[0], accesses = v[1];
        gen_os_comment(os, "a working set of %llu pages, mapped once", (unsigned long long)pages);
        gen_os_map(os, DATA_BASE, pages, RW, true);
        gen_os_comment(os, "%llu accesses at random: 3 reads to 1 write",
                       (unsigned long long)accesses);
        for (uint64_t i = 0; i < accesses && gen_os_ok(os); i++) {
                uint64_t r = gen_rng_below(rng, 4);
                gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)),
                             r == 0 ? ACCESS_WRITE : ACCESS_READ);
        }
}

static uint64_t tlb_stress_accesses(const uint64_t *v)
{
        return v[1];
}

/* ---- leaf-churn ---------------------------------------------------------- */

static void run_leaf_churn(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t pages = v[0], accesses = v[1], every = v[2], hot = v[3];
        gen_os_comment(os, "a working set of %llu pages, mapped once: its tables never change",
                       (unsigned long long)pages);
        gen_os_map(os, DATA_BASE, pages, RW, true);
        gen_os_comment(os, "a heap of %llu pages, one of them remapped every %llu accesses",
                       (unsigned long long)hot, (unsigned long long)every);
        gen_os_map(os, MMAP_BASE, hot, RW, true);
        for (uint64_t i = 0; i < accesses && gen_os_ok(os); i++) {
                uint64_t r = gen_rng_below(rng, 4);
                gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)),
                             r == 0 ? ACCESS_WRITE : ACCESS_READ);
                if (i % every == every - 1) {
                        uint64_t page = MMAP_BASE + gen_rng_below(rng, hot) * PAGE;
                        gen_os_unmap(os, page, 1);
                        gen_os_map(os, page, 1, RW, true);
                        gen_os_touch(os, page, ACCESS_WRITE);
                }
        }
}

static uint64_t leaf_churn_accesses(const uint64_t *v)
{
        return v[1] + v[1] / v[2];
}

/* ---- mmap-churn ---------------------------------------------------------- */

enum { MC_SLOTS = 4 };

static void run_mmap_churn(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t iterations = v[0], pages = v[1];
        gen_os_comment(os, "the process: 2 code pages, 1 data page, 1 stack page");
        exec_image(os, 2, 1, 1);
        for (uint64_t it = 0; it < iterations && gen_os_ok(os); it++) {
                /* mmap picks one of a few free areas; they are reused. */
                uint64_t base = MMAP_BASE + gen_rng_below(rng, MC_SLOTS) * (pages + 16) * PAGE;
                gen_os_comment(os, "mmap 0x%llX, %llu pages", (unsigned long long)base,
                               (unsigned long long)pages);
                gen_os_map(os, base, pages, RW, false);
                gen_os_touch(os, CODE_BASE + gen_rng_below(rng, 2) * PAGE, ACCESS_EXEC);
                for (uint64_t p = 0; p < pages; p++)
                        gen_os_touch(os, base + p * PAGE, ACCESS_WRITE);
                for (uint64_t i = 0; i < pages / 2; i++)
                        gen_os_touch(os, word_in(rng, base, gen_rng_below(rng, pages)),
                                     ACCESS_READ);
                gen_os_comment(os, "munmap 0x%llX", (unsigned long long)base);
                gen_os_unmap(os, base, pages);
        }
}

static uint64_t mmap_churn_accesses(const uint64_t *v)
{
        return 4 + v[0] * (1 + v[1] + v[1] / 2);
}

/* ---- context-switch ------------------------------------------------------ */

enum { CS_CODE = 2, CS_KERNEL = 4 };

static void run_context_switch(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t procs = v[0], pages = v[1], slices = v[2], accesses = v[3];
        gen_os_comment(os, "the scheduler's data: %d kernel pages every process shares", CS_KERNEL);
        gen_os_map(os, VMALLOC_BASE, CS_KERNEL, RW, true);
        for (uint64_t p = 0; p < procs; p++) {
                gen_os_comment(os, "process %llu starts: %d code pages, %llu data pages",
                               (unsigned long long)p, CS_CODE, (unsigned long long)pages);
                if (p > 0)
                        gen_os_switch(os, gen_os_spawn(os));
                exec_image(os, CS_CODE, pages, 1);
        }
        for (uint64_t s = 0; s < slices && gen_os_ok(os); s++) {
                uint32_t p = (uint32_t)(s % procs);
                if (s % procs == 0)
                        gen_os_comment(os, "round %llu", (unsigned long long)(s / procs) + 1);
                gen_os_switch(os, p);
                gen_os_touch(os, word_in(rng, VMALLOC_BASE, p % CS_KERNEL), ACCESS_WRITE);
                gen_os_touch(os, CODE_BASE + gen_rng_below(rng, CS_CODE) * PAGE, ACCESS_EXEC);
                for (uint64_t i = 0; i < accesses; i++) {
                        uint64_t r = gen_rng_below(rng, 4);
                        gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)),
                                     r == 0 ? ACCESS_WRITE : ACCESS_READ);
                }
        }
}

static uint64_t context_switch_accesses(const uint64_t *v)
{
        return v[0] * (CS_CODE + v[1] + 1) + v[2] * (2 + v[3]);
}

/* ---- boot ---------------------------------------------------------------- */

enum { BOOT_TEXT = 32 };

static void run_boot(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t mem_mib = v[0], vmalloc_pages = v[1];
        gen_os_comment(os, "kernel text: %d pages", BOOT_TEXT);
        gen_os_map(os, KERNEL_TEXT, BOOT_TEXT, RX, true);
        for (uint64_t i = 0; i < BOOT_TEXT; i++)
                gen_os_touch(os, KERNEL_TEXT + i * PAGE, ACCESS_EXEC);
        gen_os_comment(os,
                       "the direct map of %llu MiB of RAM in 2 MiB pages, each touched "
                       "as memory is initialised",
                       (unsigned long long)mem_mib);
        for (uint64_t off = 0; off < mem_mib << 20; off += LARGE_PAGE) {
                gen_os_map_large(os, DIRECT_MAP + off, off, RW);
                gen_os_touch(os, DIRECT_MAP + off, ACCESS_WRITE);
                gen_os_touch(os, word_in(rng, DIRECT_MAP + off, gen_rng_below(rng, 512)),
                             ACCESS_WRITE);
        }
        gen_os_comment(os, "vmalloc: %llu pages mapped one at a time and written",
                       (unsigned long long)vmalloc_pages);
        for (uint64_t i = 0; i < vmalloc_pages; i++) {
                gen_os_map(os, VMALLOC_BASE + i * PAGE, 1, RW, true);
                gen_os_touch(os, VMALLOC_BASE + i * PAGE, ACCESS_WRITE);
        }
        gen_os_comment(os, "init, the first process: the kernel half is copied into its root");
        gen_os_switch(os, gen_os_spawn(os));
        exec_image(os, 4, 4, 2);
}

static uint64_t boot_accesses(const uint64_t *v)
{
        return BOOT_TEXT + (v[0] + 1) / 2 * 2 + v[1] + 4 + 4 + 2;
}

/* ---- migration ----------------------------------------------------------- */

static void run_migration(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t pages = v[0], rounds = v[1], writes = v[2];
        uint64_t hot = pages / 10 ? pages / 10 : 1;
        gen_os_comment(os, "a process with %llu data pages, all written once",
                       (unsigned long long)pages);
        exec_image(os, 2, pages, 1);
        gen_os_comment(os, "live migration: the hypervisor logs the pages written in each "
                           "round while the guest runs");
        gen_os_dirty_log(os, DIRTY_LOG_START);
        for (uint64_t r = 0; r < rounds && gen_os_ok(os); r++) {
                gen_os_comment(os, "round %llu: %llu writes, 9 in 10 to a hot tenth of the pages",
                               (unsigned long long)r + 1, (unsigned long long)writes);
                for (uint64_t i = 0; i < writes; i++) {
                        uint64_t page = gen_rng_below(rng, 10) ? gen_rng_below(rng, hot)
                                                               : gen_rng_below(rng, pages);
                        gen_os_touch(os, word_in(rng, DATA_BASE, page), ACCESS_WRITE);
                        gen_os_touch(os, word_in(rng, DATA_BASE, gen_rng_below(rng, pages)),
                                     ACCESS_READ);
                }
                gen_os_dirty_log(os, DIRTY_LOG_SYNC);
        }
        gen_os_dirty_log(os, DIRTY_LOG_STOP);
}

static uint64_t migration_accesses(const uint64_t *v)
{
        return 2 + v[0] + 1 + v[1] * v[2] * 2;
}

/* ---- shootdown ----------------------------------------------------------- */

enum { SD_SLOTS = 8 };
#define SD_THREADS (MMAP_BASE + (UINT64_C(1) << 32)) /* the threads' own areas */

/* Thread t's own area of pages pages. */
static uint64_t thread_area(uint64_t t, uint64_t pages)
{
        return SD_THREADS + t * (pages + 16) * PAGE;
}

/* The threads other than owner each read the buffer and work on a page of
 * their own, on their vCPU: each TLB caches the buffer. */
static void others_read(struct gen_os *os, struct gen_rng *rng, uint64_t vcpus, uint64_t owner,
                        uint64_t buf, uint64_t pages)
{
        for (uint64_t t = 0; t < vcpus; t++) {
                if (t == owner)
                        continue;
                gen_os_cpu(os, (uint32_t)t);
                gen_os_touch(os, word_in(rng, buf, 0), ACCESS_READ);
                uint64_t r = gen_rng_below(rng, 4);
                gen_os_touch(os, word_in(rng, thread_area(t, pages), gen_rng_below(rng, pages)),
                             r == 0 ? ACCESS_WRITE : ACCESS_READ);
        }
}

static void run_shootdown(struct gen_os *os, struct gen_rng *rng, const uint64_t *v)
{
        uint64_t vcpus = v[0], iterations = v[1], pages = v[2], every = v[3];
        gen_os_comment(os,
                       "a process of %llu threads, one on each vCPU (replay it with --vcpus %llu)",
                       (unsigned long long)vcpus, (unsigned long long)vcpus);
        exec_image(os, 2, 1, 1);
        for (uint64_t t = 0; t < vcpus; t++) {
                gen_os_comment(os, "thread %llu starts on vCPU %llu: %llu pages of its own",
                               (unsigned long long)t, (unsigned long long)t,
                               (unsigned long long)pages);
                gen_os_cpu(os, (uint32_t)t);
                gen_os_map(os, thread_area(t, pages), pages, RW, false);
                for (uint64_t p = 0; p < pages; p++)
                        gen_os_touch(os, thread_area(t, pages) + p * PAGE, ACCESS_WRITE);
        }
        for (uint64_t it = 0; it < iterations && gen_os_ok(os); it++) {
                uint64_t owner = it % vcpus;
                uint64_t buf = MMAP_BASE + gen_rng_below(rng, SD_SLOTS) * PAGE;
                gen_os_cpu(os, (uint32_t)owner);
                gen_os_comment(os,
                               "round %llu: thread %llu maps a buffer at 0x%llX, the others "
                               "read it",
                               (unsigned long long)it + 1, (unsigned long long)owner,
                               (unsigned long long)buf);
                gen_os_map(os, buf, 1, RW, false);
                gen_os_touch(os, word_in(rng, buf, 0), ACCESS_WRITE);
                others_read(os, rng, vcpus, owner, buf, pages);
                gen_os_cpu(os, (uint32_t)owner);
                if (every && it % every == every - 1) {
                        gen_os_comment(os, "mprotect: the buffer becomes read-only");
                        gen_os_protect(os, buf, 1, GEN_PROT_R);
                        others_read(os, rng, vcpus, owner, buf, pages);
                        gen_os_cpu(os, (uint32_t)owner);
                }
                gen_os_comment(os, "munmap 0x%llX", (unsigned long long)buf);
                gen_os_unmap(os, buf, 1);
        }
}

static uint64_t shootdown_accesses(const uint64_t *v)
{
        uint64_t per_round = 1 + 2 * (v[0] - 1);
        uint64_t protects = v[3] ? v[1] / v[3] : 0;
        return 4 + v[0] * v[2] + v[1] * per_round + protects * 2 * (v[0] - 1);
}

/* ---- the table ----------------------------------------------------------- */

/* The ranges keep every trace's frames below 2 GiB (frames are recycled
 * where the scenario frees them), so it replays in the default 4 GiB of
 * guest memory with room for the page tables at the top. */

static const struct gen_scenario scenarios[] = {
    {"forkwait",
     "a parent forks a child that writes a few pages and exits, and waits, in a loop",
     {{"iterations", 100, 1, 100000, "fork-wait rounds"},
      {"pages", 32, 1, 4096, "data pages of the parent (all copy-on-write after fork)"},
      {"child-writes", 4, 0, 4096, "data pages the child writes (up to --pages)"}},
     run_forkwait,
     forkwait_accesses,
     forkwait_check},
    {"tlb-stress",
     "random accesses over a large static working set: TLB misses, few PT updates",
     {{"pages", 4096, 1, 262144, "pages in the working set"},
      {"accesses", 100000, 1, 100000000, "random accesses"}},
     run_tlb_stress,
     tlb_stress_accesses,
     NULL},
    {"leaf-churn",
     "random accesses over a static working set while a heap's leaf table churns: what "
     "agile paging targets",
     {{"pages", 4096, 1, 262144, "pages in the static working set"},
      {"accesses", 100000, 1, 100000000, "random accesses"},
      {"every", 20, 1, 1000000, "accesses between two remaps of a heap page"},
      {"hot", 16, 1, 512, "pages of the churning heap"}},
     run_leaf_churn,
     leaf_churn_accesses,
     NULL},
    {"mmap-churn",
     "a process maps an anonymous area, touches every page and unmaps it, in a loop",
     {{"iterations", 300, 1, 100000, "map-touch-unmap rounds"},
      {"pages", 16, 1, 4096, "pages of each mapping"}},
     run_mmap_churn,
     mmap_churn_accesses,
     NULL},
    {"context-switch",
     "processes run round-robin, each touching its own working set",
     {{"procs", 6, 1, 256, "processes"},
      {"pages", 16, 1, 1024, "data pages of each process"},
      {"slices", 600, 1, 10000000, "time slices (context switches)"},
      {"accesses", 20, 0, 100000, "accesses in each time slice"}},
     run_context_switch,
     context_switch_accesses,
     NULL},
    {"boot",
     "the kernel maps its text, builds the direct map of RAM and fills vmalloc",
     {{"mem", 256, 2, 2048, "MiB of RAM in the direct map (2 MiB pages)"},
      {"vmalloc-pages", 512, 0, 262144, "4 KiB vmalloc pages"}},
     run_boot,
     boot_accesses,
     NULL},
    {"migration",
     "the guest keeps writing while the hypervisor logs dirty pages, round after round",
     {{"pages", 4096, 1, 262144, "data pages of the guest process"},
      {"rounds", 8, 1, 10000, "dirty-logging rounds (DIRTY_LOG sync)"},
      {"writes", 4000, 0, 10000000, "writes in each round (a read follows each)"}},
     run_migration,
     migration_accesses,
     NULL},
    {"shootdown",
     "a process's threads on several vCPUs map, share and unmap buffers: TLB shootdowns",
     {{"vcpus", 4, 1, 64, "vCPUs, one thread on each (replay with --vcpus as many)"},
      {"iterations", 200, 1, 100000, "rounds: a thread maps a page, the others read it, munmap"},
      {"pages", 8, 1, 1024, "pages of each thread's own"},
      {"mprotect-every", 4, 0, 100000, "rounds between two mprotects of the buffer (0: none)"}},
     run_shootdown,
     shootdown_accesses,
     NULL},
};

#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

unsigned gen_scenario_count(void)
{
        return NSCENARIOS;
}

const struct gen_scenario *gen_scenario_at(unsigned i)
{
        return i < NSCENARIOS ? &scenarios[i] : NULL;
}

const struct gen_scenario *gen_find(const char *name)
{
        for (unsigned i = 0; i < NSCENARIOS; i++)
                if (strcmp(scenarios[i].name, name) == 0)
                        return &scenarios[i];
        return NULL;
}

unsigned gen_param_count(const struct gen_scenario *sc)
{
        unsigned n = 0;
        while (n < GEN_MAX_PARAMS && sc->params[n].name)
                n++;
        return n;
}

int gen_param_find(const struct gen_scenario *sc, const char *name)
{
        for (unsigned i = 0; i < gen_param_count(sc); i++)
                if (strcmp(sc->params[i].name, name) == 0)
                        return (int)i;
        return -1;
}

void gen_defaults(const struct gen_scenario *sc, uint64_t *values)
{
        for (unsigned i = 0; i < gen_param_count(sc); i++)
                values[i] = sc->params[i].def;
}

const char *gen_check(const struct gen_scenario *sc, const uint64_t *values, char *buf, size_t n)
{
        return sc->check ? sc->check(values, buf, n) : NULL;
}

int gen_write(const struct gen_scenario *sc, const uint64_t *values, uint64_t seed, FILE *out,
              struct gen_summary *sum)
{
        struct gen_os os;
        struct gen_rng rng;
        gen_os_init(&os, out);
        gen_rng_seed(&rng, seed);
        fprintf(out, "# shadow-sim gen %s --seed %llu", sc->name, (unsigned long long)seed);
        for (unsigned i = 0; i < gen_param_count(sc); i++) {
                assert(values[i] >= sc->params[i].min && values[i] <= sc->params[i].max);
                fprintf(out, " --%s %llu", sc->params[i].name, (unsigned long long)values[i]);
        }
        fputc('\n', out);
        os.sum.lines++;
        gen_os_comment(&os, "%s: %s", sc->name, sc->help);
        sc->run(&os, &rng, values);
        gen_os_comment(&os, "guest page faults: %llu (%llu on first touch, %llu copy-on-write)",
                       (unsigned long long)os.sum.faults, (unsigned long long)os.sum.demand_faults,
                       (unsigned long long)os.sum.cow_faults);
        if (sum)
                *sum = os.sum;
        gen_os_free(&os);
        return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
