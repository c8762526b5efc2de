/*
 * u64map.c - open-addressing hash map from u64 keys to u32 values.
 */
#include <stdlib.h>
#include "u64map.h"

#include <string.h>

#include "xalloc.h"

/* A 64-bit mix (the finaliser of splitmix64): frame numbers are dense and
 * strided, so they need scattering before masking. */
static inline uint64_t mix(uint64_t x)
{
        x ^= x >> 30;
        x *= UINT64_C(0xbf58476d1ce4e5b9);
        x ^= x >> 27;
        x *= UINT64_C(0x94d049bb133111eb);
        x ^= x >> 31;
        return x;
}

void u64map_init(struct u64map *m)
{
        memset(m, 0, sizeof *m);
}

void u64map_free(struct u64map *m)
{
        free(m->keys);
        free(m->vals);
        u64map_init(m);
}

static size_t find_slot(const struct u64map *m, uint64_t key)
{
        size_t mask = m->capacity - 1;
        size_t i = (size_t)mix(key) & mask;
        while (m->keys[i] != key && m->keys[i] != U64MAP_EMPTY)
                i = (i + 1) & mask;
        return i;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val)
{
        if (m->capacity == 0)
                return false;
        size_t i = find_slot(m, key);
        if (m->keys[i] == U64MAP_EMPTY)
                return false;
        *val = m->vals[i];
        return true;
}

static void grow(struct u64map *m)
{
        struct u64map old = *m;
        m->capacity = old.capacity ? old.capacity * 2 : 64;
        m->keys = xmalloc(m->capacity * sizeof *m->keys);
        m->vals = xmalloc(m->capacity * sizeof *m->vals);
        memset(m->keys, 0xff, m->capacity * sizeof *m->keys);
        for (size_t i = 0; i < old.capacity; i++) {
                if (old.keys[i] == U64MAP_EMPTY)
                        continue;
                size_t j = find_slot(m, old.keys[i]);
                m->keys[j] = old.keys[i];
                m->vals[j] = old.vals[i];
        }
        free(old.keys);
        free(old.vals);
}

void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
        /* Keep the load factor at or below 1/2 so probes stay short. */
        if ((m->count + 1) * 2 > m->capacity)
                grow(m);
        size_t i = find_slot(m, key);
        if (m->keys[i] == U64MAP_EMPTY) {
                m->keys[i] = key;
                m->count++;
        }
        m->vals[i] = val;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
        if (m->capacity == 0)
                return false;
        size_t mask = m->capacity - 1;
        size_t i = find_slot(m, key);
        if (m->keys[i] == U64MAP_EMPTY)
                return false;
        /* Backward-shift deletion: pull later members of the probe run into
         * the hole when their home slot does not lie between hole and them. */
        size_t j = i;
        for (;;) {
                j = (j + 1) & mask;
                if (m->keys[j] == U64MAP_EMPTY)
                        break;
                size_t home = (size_t)mix(m->keys[j]) & mask;
                bool between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
                if (between)
                        continue;
                m->keys[i] = m->keys[j];
                m->vals[i] = m->vals[j];
                i = j;
        }
        m->keys[i] = U64MAP_EMPTY;
        m->count--;
        return true;
}

void u64map_clone(struct u64map *dst, const struct u64map *src)
{
        *dst = *src;
        if (src->capacity == 0)
                return;
        dst->keys = xmemdup(src->keys, src->capacity * sizeof *src->keys);
        dst->vals = xmemdup(src->vals, src->capacity * sizeof *src->vals);
}

size_t u64map_bytes(const struct u64map *m)
{
        return m->capacity * (sizeof *m->keys + sizeof *m->vals);
}

void u64map_each(const struct u64map *m, void (*fn)(uint64_t key, uint32_t val, void *ctx),
                 void *ctx)
{
        for (size_t i = 0; i < m->capacity; i++)
                if (m->keys[i] != U64MAP_EMPTY)
                        fn(m->keys[i], m->vals[i], ctx);
}
