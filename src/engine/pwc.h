/*
 * pwc.h - a page-walk cache: the upper-level entries a walker read lately.
 *
 * CPUs keep the non-leaf entries of recent walks (Intel's paging-structure
 * caches, AMD's page walk cache) so a TLB miss near a recent one reads only
 * the lower levels. Nested paging has one such cache per dimension. The
 * cache here is small, fully associative and LRU; it is keyed by the level
 * and the address bits that select an entry at that level (plus an address
 * space tag), and it only shortens the count of references: the walk's
 * result always comes from the tables themselves. It is flushed when the
 * TLB is (CR3 load without PCID, INVLPG, TLB flush) and when the VMM
 * changes upper-level shadow entries.
 */
#ifndef SHADOW_SIM_PWC_H
#define SHADOW_SIM_PWC_H

#include <stdbool.h>
#include <stdint.h>

#define PWC_ENTRIES 32

struct pwc {
        uint64_t tag[PWC_ENTRIES];
        uint64_t last_use[PWC_ENTRIES]; /* 0 = empty */
        uint64_t tick;
};

void pwc_flush(struct pwc *p);

/* For a walk of addr that reads the levels top down to last (every level
 * above last holding a present link): the first level the walker must
 * really read, below the deepest link the cache holds (top on a miss).
 * space tags the walk's address space or dimension. */
int pwc_start_level(const struct pwc *p, uint64_t space, uint64_t addr, int top, int last);

/* Caches the links of such a walk (levels top down to last + 1). */
void pwc_remember(struct pwc *p, uint64_t space, uint64_t addr, int top, int last);

/* Both: the references the walk makes with the cache, then remember it. */
uint32_t pwc_walk_refs(struct pwc *p, uint64_t space, uint64_t addr, int top, int last);

#endif
