/*
 * u64map.h - an open-addressing hash map from 64-bit keys to 32-bit values.
 *
 * The engine indexes everything sparse by frame number (guest table pages,
 * shadow pages, nested entries, backed frames). Values are indices into
 * arrays rather than pointers, so a whole machine can be copied with memcpy
 * when the stepper takes a snapshot. Linear probing with backward-shift
 * deletion keeps lookups to a few cache lines and needs no tombstones.
 */
#ifndef SHADOW_SIM_U64MAP_H
#define SHADOW_SIM_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one key value that cannot be stored: it marks empty slots. */
#define U64MAP_EMPTY UINT64_MAX

struct u64map {
        uint64_t *keys; /* capacity slots, U64MAP_EMPTY when free */
        uint32_t *vals;
        size_t capacity; /* a power of two, or 0 before the first insert */
        size_t count;
};

void u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);

/* Looks key up. Returns true and stores the value in *val when present. */
bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val);

/* Inserts or replaces key. Ends the process if memory runs out, as every
 * allocation in the engine does (xalloc.h: there is no sensible partial
 * state). */
void u64map_put(struct u64map *m, uint64_t key, uint32_t val);

/* Removes key. Returns whether it was present. */
bool u64map_del(struct u64map *m, uint64_t key);

/* Makes dst an independent copy of src (dst must not be initialised). */
void u64map_clone(struct u64map *dst, const struct u64map *src);

/* Bytes of heap the map's slots take. */
size_t u64map_bytes(const struct u64map *m);

/* Calls fn for every entry, in slot order (deterministic for a given
 * history of inserts). fn must not modify the map. */
void u64map_each(const struct u64map *m, void (*fn)(uint64_t key, uint32_t val, void *ctx),
                 void *ctx);

#endif
