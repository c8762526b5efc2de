/*
 * bp_index.h - the breakpoints of a session indexed by what they stop on,
 * so that checking an event costs a few lookups however many there are.
 *
 * Every event a move shows is checked against the breakpoints; with a
 * list, 5,000 breakpoints made a continue 90 times slower. The index
 * answers "which breakpoints could stop on this event": those of its kind,
 * of its exit reason, of its event number or line, and those whose
 * guest-virtual or guest-physical range meets the addresses the event is
 * about. A range is filed under each unit of the finest granularity (4K,
 * 2M, 1G, 512G, 256T) at which it spans at most a few units, so that an
 * address is looked up once per granularity in use. The answer may hold
 * breakpoints that do not match (a range filed under a unit it only
 * partly covers): the caller checks each with bp_matches. It holds every
 * one that does.
 */
#ifndef SHADOW_SIM_BP_INDEX_H
#define SHADOW_SIM_BP_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct bp_index;

/* Indexes the n breakpoints of bps (by their position in the array, which
 * must not change while the index is used; enabled or not). */
struct bp_index *bp_index_build(const struct breakpoint *bps, size_t n);
void bp_index_free(struct bp_index *x);

/* The positions of the breakpoints that may stop on ev, each once, in
 * increasing order; *n says how many. The array is the index's own, valid
 * until the next lookup. */
const uint32_t *bp_index_lookup(struct bp_index *x, const struct event *ev, size_t *n);

#endif
