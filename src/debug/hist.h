/*
 * hist.h - the last ops a session applied, with their events, so
 * the log can show what led to the current position without replaying.
 *
 * Replays are deterministic, so an op's events never change once seen: the
 * history keeps a window of consecutive op numbers and ignores ops it holds
 * already when a replay goes over them again.
 */
#ifndef SHADOW_SIM_HIST_H
#define SHADOW_SIM_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "op.h"

/* Ops kept. */
#define HIST_OPS 1024

struct hist;

struct hist *hist_new(void);
void hist_free(struct hist *h);

/* Forgets everything (the events change when the scheme does). */
void hist_reset(struct hist *h);

/* Records op number opno (1-based), its events and its narration (the
 * comment lines above it, or ""). An op that does not follow the window
 * starts a new one. */
void hist_add(struct hist *h, uint64_t opno, const struct op *op, const struct event *evs, size_t n,
              const char *note);

/* The first op number held, or 0 when empty. */
uint64_t hist_first(const struct hist *h);

/* Finds op opno. Returns false when it is not held. The pointers stay
 * valid until the next hist_add or hist_reset. */
bool hist_get(const struct hist *h, uint64_t opno, const struct op **op, const struct event **evs,
              size_t *n, const char **note);

#endif
