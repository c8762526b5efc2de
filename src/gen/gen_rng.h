/*
 * gen_rng.h - the workload generator's own pseudo-random numbers.
 *
 * A generated trace must be the same bytes for the same seed on every
 * machine and C library, so the generator cannot use rand(): it carries
 * this small generator (xoshiro256**, seeded through splitmix64) in its
 * state. Nothing else in the engine draws random numbers.
 */
#ifndef SHADOW_SIM_GEN_RNG_H
#define SHADOW_SIM_GEN_RNG_H

#include <stdint.h>

struct gen_rng {
        uint64_t s[4]; /* xoshiro256** state, never all zero */
};

/* Seeds the generator; every seed (0 included) gives a valid state. */
void gen_rng_seed(struct gen_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t gen_rng_next(struct gen_rng *r);

/* A uniform number in [0, n), without modulo bias; n must not be 0. */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);

#endif
