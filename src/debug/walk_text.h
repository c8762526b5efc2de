/*
 * walk_text.h - a walk listed reference by reference, as text.
 *
 * translate and info walk print every memory reference of a walk in the
 * order the hardware makes it (mmu_view_walk_list): its dimension, the
 * table's level, address and index, the entry read and what it leads to,
 * and the references a page-walk cache saved, marked as skipped. A cold
 * 4+4 nested walk lists 24 references, a shadow or native walk 4.
 */
#ifndef SHADOW_SIM_WALK_TEXT_H
#define SHADOW_SIM_WALK_TEXT_H

#include <stddef.h>

#include "mmu_view.h"

/* Called with each line of the listing (no newline). */
typedef void (*walk_line_fn)(void *ctx, const char *line);

/* Writes the listing l: a header line, then one numbered line per
 * reference. */
void walk_text(const struct walk_listing *l, walk_line_fn fn, void *ctx);

/* Draws l as the literature draws a walk: one row per guest level (the
 * table's nested walk across, then its guest entry), the data frame's
 * nested walk last; a shadow or native walk is one row. Each cell is the
 * reference's number; a reference a page-walk cache saved is shown in
 * parentheses, the current one (1-based; 0: none) in brackets, and its
 * line of the listing follows the grid. */
void walk_grid(const struct walk_listing *l, unsigned current, walk_line_fn fn, void *ctx);

#endif
