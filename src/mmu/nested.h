/*
 * nested.h - the nested page table (Intel EPT, AMD NPT): GPA -> HPA, in
 * host memory, walked by the hardware for every guest-physical address.
 *
 * Nested paging uses it for every guest table and data frame a walk
 * touches; agile paging for the part of a walk below its switch to nested
 * mode. The table is a real radix tree filled on demand: a guest frame
 * without an entry is an EPT violation, which exits; the VMM maps the
 * frame (to the host frame every scheme uses) and the access restarts.
 * When the host backed all guest memory before the guest ran (--prealloc),
 * nothing violates: an entry is built the first time it is needed, with no
 * exit and no event, standing for one that was there from the start.
 * With --host-pages 2M its leaves are 2M; with page-walk caches its upper
 * entries are cached (the nested dimension's own cache, one per vCPU as the
 * table is shared by every vCPU: sim.pwc_nested).
 *
 * A walk can be planned on the current state without changing anything
 * (nested_plan): the schemes plan, then carry the plan out, and the
 * debugger's translate shows the same plan, so the count a walk makes and
 * the count shown for it are one computation.
 */
#ifndef SHADOW_SIM_NESTED_H
#define SHADOW_SIM_NESTED_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu_view.h"
#include "ptable.h"
#include "pwc.h"
#include "sim.h"

struct nested {
        int levels;
        int leaf_level;       /* 1: 4K nested leaves; 2: 2M (--host-pages 2M) */
        bool use_pwc;         /* walks use the nested dimension's page-walk cache,
                                 the running vCPU's (sim.pwc_nested) */
        struct ptable *pages; /* pages[0] is the root; entries of upper levels:
                                 P | child page index; of leaves: P | HFN */
        uint32_t npages, cap;
        size_t heap; /* heap bytes of the pages' entries (ptable_bytes) */
};

/* An empty table (its root only) for the machine's configuration. */
void nested_init(struct nested *n, const struct sim_config *cfg);
void nested_free(struct nested *n);
void nested_clone(struct nested *dst, const struct nested *src);

/* Heap bytes the table takes (its pages and their entries). */
size_t nested_bytes(const struct nested *n);

/* The leaf entry of gfn (4K or 2M), or NULL when there is none; valid
 * until the table next changes (ptable_slot). */
uint64_t *nested_leaf(struct nested *n, uint64_t gfn);

/* Clears the D bit of every entry (a dirty-logging round starts). */
void nested_clear_dirty(struct nested *n);

/* Whether a walk for gfn reaches a leaf without an EPT violation: the
 * entry is there, or all guest memory is preallocated (pure). */
bool nested_known(const struct sim *s, const struct nested *n, uint64_t gfn);

/* The memory references of a walk for gfn (which must be known), with the
 * page-walk cache pwc when the table uses one; pwc then holds the walk's
 * links. */
uint32_t nested_walk_refs(const struct nested *n, struct pwc *pwc, uint64_t gfn);

/* The same, listing each entry of the walk into l (which may be NULL):
 * skipped when pwc held it. */
uint32_t nested_walk_list(const struct nested *n, struct pwc *pwc, uint64_t gfn,
                          struct walk_listing *l);

/* Walks the table for guest frame gfn and adds its memory references to
 * *refs (fewer with the page-walk cache). Returns false on a violation (no
 * entry); *refs is then left as it was. A preallocated frame's entry is
 * built on the way. */
bool nested_walk(struct sim *s, struct nested *n, uint64_t gfn, uint32_t *refs);

/* The VMM's answer to an EPT violation on gfn during an access to gva: the
 * exit, then the nested path built (EPT_MAP event). With all memory
 * preallocated, only the path, silently. */
void nested_map(struct sim *s, struct nested *n, uint64_t gfn, uint64_t gva);

/* The same when the violation came from the guest's store into its page
 * table at gfn (the CPU writes that GPA): the store then goes on. */
void nested_map_at_store(struct sim *s, struct nested *n, uint64_t gfn);

/* A walk worked out on the current state: guest entries read one by one,
 * each after the nested walk of its table's frame, then the data frame's
 * nested walk. */
struct nested_plan {
        uint32_t guest_refs;    /* guest entries read */
        uint32_t nested_refs;   /* nested entries read, over every nested walk */
        uint32_t missing;       /* frames of the walk with no nested entry */
        uint64_t first_missing; /* the first of them (gfn): the violation to take */
        struct pwc pwc;         /* the running vCPU's nested page-walk cache as the walk
                                   leaves it; a walk stops at its first violation */
};

/* Plans the walk along guest walk w that reads guest levels first down to
 * last through n and then, when to_data, the data frame (pure). */
void nested_plan(const struct sim *s, const struct nested *n, const struct guest_walk *w, int first,
                 int last, bool to_data, struct nested_plan *p);

/* The same, listing into l every reference in the order the hardware makes
 * them: for each guest level the nested walk of its table's frame, then
 * the guest entry; then the data frame's nested walk. */
void nested_plan_list(const struct sim *s, const struct nested *n, const struct guest_walk *w,
                      int first, int last, bool to_data, struct nested_plan *p,
                      struct walk_listing *l);

#endif
