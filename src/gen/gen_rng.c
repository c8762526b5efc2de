/*
 * gen_rng.c - xoshiro256** seeded with splitmix64 (both public-domain
 * algorithms by Blackman and Vigna, written here from their definitions).
 */
#include "gen_rng.h"

/* One step of splitmix64: spreads a seed over the whole state. */
static uint64_t splitmix64(uint64_t *x)
{
        uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, unsigned k)
{
        return (x << k) | (x >> (64 - k));
}

void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
        for (int i = 0; i < 4; i++)
                r->s[i] = splitmix64(&seed);
}

uint64_t gen_rng_next(struct gen_rng *r)
{
        uint64_t *s = r->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
        /* Reject the top sliver that would make some values likelier. */
        uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x;
        do
                x = gen_rng_next(r);
        while (x >= limit);
        return x % n;
}
