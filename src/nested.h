/*
 * nested.h - the nested page table (Intel EPT, AMD NPT): GPA -> HPA, in
 * host memory, walked by the hardware for every guest-physical address.
 *
 * Nested paging uses it for every guest table and data frame a walk
 * touches; agile paging for the part of a walk below its switch to nested
 * mode. The table is a real radix tree filled on demand: a guest frame
 * without an entry is an EPT violation, which exits; the VMM maps the
 * frame (to the host frame every scheme uses) and the access restarts.
 * With --host-pages 2M its leaves are 2M; with page-walk caches its upper
 * entries are cached (the nested dimension's own cache).
 */
#ifndef SHADOW_SIM_NESTED_H
#define SHADOW_SIM_NESTED_H

#include <stdbool.h>
#include <stdint.h>

#include "pwc.h"
#include "sim.h"

struct nested_page {
        uint64_t entry[PT_ENTRIES]; /* upper levels: P | child page index; leaves: P | HFN */
};

struct nested {
        int levels;
        int leaf_level; /* 1: 4K nested leaves; 2: 2M (--host-pages 2M) */
        bool use_pwc;
        struct pwc pwc;            /* the nested dimension's page-walk cache */
        struct nested_page *pages; /* pages[0] is the root */
        uint32_t npages, cap;
};

/* An empty table (its root only) for the machine's configuration. */
void nested_init(struct nested *n, const struct sim_config *cfg);
void nested_free(struct nested *n);
void nested_clone(struct nested *dst, const struct nested *src);

/* Walks the table for guest frame gfn and adds its memory references to
 * *refs (fewer with the page-walk cache). Returns false on a violation (no
 * entry); *refs is then left as it was. */
bool nested_walk(struct nested *n, uint64_t gfn, uint32_t *refs);

/* The leaf entry of gfn (4K or 2M), or NULL when there is none. */
uint64_t *nested_leaf(struct nested *n, uint64_t gfn);

/* The VMM's answer to an EPT violation on gfn during an access to gva: the
 * exit, then the nested path built (EPT_MAP event). */
void nested_map(struct sim *s, struct nested *n, uint64_t gfn, uint64_t gva);

#endif
