/*
 * bp_index.c - breakpoints indexed by kind, exit reason, event number,
 * line, and guest-virtual and guest-physical range (bp_index.h).
 *
 * One hash map files every keyed breakpoint: a key is a unit (an address
 * shifted by a granularity, or an event or line number) times 16 plus a
 * tag saying what the unit counts. Its value is the first node of a chain
 * of breakpoint positions. A bloom filter of one hash in front of it keeps
 * most lookups of keys never filed out of the map. Keys may collide (a number past 2^60): the
 * answer then holds more candidates, never fewer, and the caller checks
 * each one.
 */
#include "bp_index.h"

#include <stdlib.h>
#include <string.h>

#include "u64map.h"
#include "xalloc.h"

#define GRANULES   5  /* 4K, 2M, 1G, 512G, 256T: the spans of levels 1..5 */
#define MAX_UNITS  16 /* units a range is filed under at most */
#define MAX_PROBES 64 /* units of an event's range looked up one by one */
#define NONE       UINT32_MAX
#define BLOOM_BITS 17 /* a bit for each key filed, 16 KiB: most lookups stop there */

enum bp_class { CLASS_GVA, CLASS_GPA, CLASS_COUNT };

/* Tags of the keys: a granularity of a class, or a number. */
#define TAG_EVENT (CLASS_COUNT * GRANULES)
#define TAG_LINE  (TAG_EVENT + 1)

struct node {
        uint32_t bp;   /* position in the breakpoint array */
        uint32_t next; /* next node of the chain, or NONE */
};

/* The ranges of one class. */
struct ranges {
        unsigned used;              /* bit g: some range filed at granularity g;
                                       bit GRANULES: one too wide to file */
        uint32_t all[GRANULES + 1]; /* chain of every range filed at g (the
                                       fallback for an event range of many units) */
        uint64_t lo, last;          /* the addresses all the ranges lie in */
};

/* Event or line numbers. */
struct numbers {
        bool any;
        uint64_t lo, hi; /* the least and the greatest */
};

struct bp_index {
        struct u64map heads;                     /* key -> first node */
        uint64_t bloom[(1u << BLOOM_BITS) / 64]; /* bit of each key filed (bloom_bit) */
        struct node *nodes;
        size_t nnodes, cap_nodes;
        uint32_t kind[EV_KIND_COUNT];         /* chains by event kind */
        uint32_t exit[EXIT_REASON_COUNT + 1]; /* by exit reason; the last: any reason */
        uint32_t cpu[SIM_MAX_VCPUS];          /* by the vCPU of the event */
        struct ranges ranges[CLASS_COUNT];
        struct numbers events, lines;
        /* The answer of the last lookup, each breakpoint once. */
        uint32_t *stamp; /* per breakpoint: the lookup that last found it */
        uint32_t lookup; /* the number of this lookup */
        uint32_t *found;
        size_t nfound, nbps;
};

static unsigned shift_of(unsigned g)
{
        return PAGE_SHIFT + PT_INDEX_BITS * g;
}

static uint64_t key(uint64_t unit, unsigned tag)
{
        return unit * 16 + tag;
}

/* Puts breakpoint bp at the head of the chain *head. */
static void push(struct bp_index *x, uint32_t *head, uint32_t bp)
{
        if (x->nnodes == x->cap_nodes) {
                x->cap_nodes = x->cap_nodes ? x->cap_nodes * 2 : 64;
                x->nodes = xrealloc(x->nodes, x->cap_nodes, sizeof *x->nodes);
        }
        x->nodes[x->nnodes] = (struct node){bp, *head};
        *head = (uint32_t)x->nnodes++;
}

/* The bit of key k in the bloom filter (Fibonacci hashing). */
static uint64_t bloom_bit(uint64_t k)
{
        return (k * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - BLOOM_BITS);
}

static void file_key(struct bp_index *x, uint64_t k, uint32_t bp)
{
        uint32_t head = NONE;
        uint64_t b = bloom_bit(k);
        x->bloom[b / 64] |= UINT64_C(1) << (b % 64);
        u64map_get(&x->heads, k, &head);
        push(x, &head, bp);
        u64map_put(&x->heads, k, head);
}

/* Files the range [lo, last] of class c under each unit of the finest
 * granularity at which it spans at most MAX_UNITS. */
static void file_range(struct bp_index *x, enum bp_class c, uint64_t lo, uint64_t last, uint32_t bp)
{
        struct ranges *r = &x->ranges[c];
        if (!r->used || lo < r->lo)
                r->lo = lo;
        if (!r->used || last > r->last)
                r->last = last;
        for (unsigned g = 0; g < GRANULES; g++) {
                uint64_t first = lo >> shift_of(g), end = last >> shift_of(g);
                if (end - first >= MAX_UNITS)
                        continue;
                for (uint64_t u = first; u <= end; u++)
                        file_key(x, key(u, c * GRANULES + g), bp);
                push(x, &r->all[g], bp);
                r->used |= 1u << g;
                return;
        }
        push(x, &r->all[GRANULES], bp);
        r->used |= 1u << GRANULES;
}

static void file_number(struct bp_index *x, struct numbers *n, unsigned tag, uint64_t v,
                        uint32_t bp)
{
        if (!n->any || v < n->lo)
                n->lo = v;
        if (!n->any || v > n->hi)
                n->hi = v;
        n->any = true;
        file_key(x, key(v, tag), bp);
}

static void file_one(struct bp_index *x, const struct breakpoint *b, uint32_t i)
{
        switch (b->kind) {
        case BP_GVA:
        case BP_GPA:
                file_range(x, b->kind == BP_GVA ? CLASS_GVA : CLASS_GPA, b->lo, b->hi - 1, i);
                break;
        case BP_EXIT:
                push(x, &x->exit[b->value < 0 ? EXIT_REASON_COUNT : b->value], i);
                break;
        case BP_KIND:
                push(x, &x->kind[b->value], i);
                break;
        case BP_EVENT:
                file_number(x, &x->events, TAG_EVENT, b->lo, i);
                break;
        case BP_LINE:
                file_number(x, &x->lines, TAG_LINE, b->lo, i);
                break;
        case BP_CPU:
                push(x, &x->cpu[b->lo], i);
                break;
        }
}

struct bp_index *bp_index_build(const struct breakpoint *bps, size_t n)
{
        struct bp_index *x = xcalloc(1, sizeof *x);
        u64map_init(&x->heads);
        memset(x->kind, 0xFF, sizeof x->kind);
        memset(x->exit, 0xFF, sizeof x->exit);
        memset(x->cpu, 0xFF, sizeof x->cpu);
        for (int c = 0; c < CLASS_COUNT; c++)
                memset(x->ranges[c].all, 0xFF, sizeof x->ranges[c].all);
        x->nbps = n;
        x->stamp = xcalloc(n ? n : 1, sizeof *x->stamp);
        x->found = xcalloc(n ? n : 1, sizeof *x->found);
        for (size_t i = 0; i < n; i++)
                file_one(x, &bps[i], (uint32_t)i);
        return x;
}

void bp_index_free(struct bp_index *x)
{
        if (!x)
                return;
        u64map_free(&x->heads);
        free(x->nodes);
        free(x->stamp);
        free(x->found);
        free(x);
}

/* ---- lookup ------------------------------------------------------------- */

/* Adds every breakpoint of the chain from head to the answer, once. */
static void take(struct bp_index *x, uint32_t head)
{
        for (uint32_t n = head; n != NONE; n = x->nodes[n].next) {
                uint32_t bp = x->nodes[n].bp;
                if (x->stamp[bp] != x->lookup) {
                        x->stamp[bp] = x->lookup;
                        x->found[x->nfound++] = bp;
                }
        }
}

static void take_key(struct bp_index *x, uint64_t k)
{
        uint32_t head;
        uint64_t b = bloom_bit(k);
        if (!(x->bloom[b / 64] >> (b % 64) & 1))
                return; /* no key with this bit was filed */
        if (u64map_get(&x->heads, k, &head))
                take(x, head);
}

static void take_number(struct bp_index *x, const struct numbers *n, unsigned tag, uint64_t v)
{
        if (n->any && v >= n->lo && v <= n->hi)
                take_key(x, key(v, tag));
}

/* The ranges of class c filed under a unit that [a, b] meets. */
static void take_ranges(struct bp_index *x, enum bp_class c, uint64_t a, uint64_t b)
{
        const struct ranges *r = &x->ranges[c];
        if (!r->used || b < r->lo || a > r->last)
                return;
        for (unsigned g = 0; g < GRANULES; g++) {
                if (!(r->used & (1u << g)))
                        continue;
                uint64_t first = a >> shift_of(g), end = b >> shift_of(g);
                if (end - first >= MAX_PROBES) {
                        take(x, r->all[g]);
                        continue;
                }
                for (uint64_t u = first; u <= end; u++)
                        take_key(x, key(u, c * GRANULES + g));
        }
        if (r->used & (1u << GRANULES))
                take(x, r->all[GRANULES]);
}

static int by_position(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return (x > y) - (x < y);
}

const uint32_t *bp_index_lookup(struct bp_index *x, const struct event *ev, size_t *n)
{
        x->nfound = 0;
        if (++x->lookup == 0) { /* the stamps wrapped: start them again */
                memset(x->stamp, 0, x->nbps * sizeof *x->stamp);
                x->lookup = 1;
        }
        take(x, x->kind[ev->kind]);
        if (ev->cpu < SIM_MAX_VCPUS)
                take(x, x->cpu[ev->cpu]);
        if (ev->kind == EV_VM_EXIT) {
                take(x, x->exit[EXIT_REASON_COUNT]);
                if (ev->reason < EXIT_REASON_COUNT)
                        take(x, x->exit[ev->reason]);
        }
        take_number(x, &x->events, TAG_EVENT, ev->seq);
        take_number(x, &x->lines, TAG_LINE, ev->line);
        uint64_t base, span;
        if (x->ranges[CLASS_GVA].used && event_gva_range(ev, &base, &span))
                take_ranges(x, CLASS_GVA, base, base); /* a match holds base */
        struct gpa_range r[2];
        size_t nr = x->ranges[CLASS_GPA].used ? event_gpa_ranges(ev, r) : 0;
        for (size_t i = 0; i < nr; i++)
                if (r[i].len)
                        take_ranges(x, CLASS_GPA, r[i].lo, r[i].lo + (r[i].len - 1));
        if (x->nfound > 1)
                qsort(x->found, x->nfound, sizeof *x->found, by_position);
        *n = x->nfound;
        return x->found;
}
