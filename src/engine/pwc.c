/*
 * pwc.c - page-walk cache.
 */
#include "pwc.h"

#include <string.h>

#include "pte.h"

void pwc_flush(struct pwc *p)
{
        memset(p, 0, sizeof *p);
}

/* The entry at level of the walk for addr: level, the index bits of addr
 * from that level up, and the space. */
static uint64_t make_tag(uint64_t space, uint64_t addr, int level)
{
        uint64_t prefix = addr >> level_shift(level);
        return space << 48 ^ prefix << 3 ^ (uint64_t)level;
}

static int find(const struct pwc *p, uint64_t tag)
{
        for (int i = 0; i < PWC_ENTRIES; i++)
                if (p->last_use[i] && p->tag[i] == tag)
                        return i;
        return -1;
}

static void insert(struct pwc *p, uint64_t tag)
{
        int slot = find(p, tag);
        if (slot < 0) {
                slot = 0;
                for (int i = 1; i < PWC_ENTRIES; i++)
                        if (p->last_use[i] < p->last_use[slot])
                                slot = i;
                p->tag[slot] = tag;
        }
        p->last_use[slot] = ++p->tick;
}

int pwc_start_level(const struct pwc *p, uint64_t space, uint64_t addr, int top, int last)
{
        for (int level = last + 1; level <= top; level++)
                if (find(p, make_tag(space, addr, level)) >= 0)
                        return level - 1;
        return top;
}

void pwc_remember(struct pwc *p, uint64_t space, uint64_t addr, int top, int last)
{
        for (int level = top; level > last; level--)
                insert(p, make_tag(space, addr, level));
}

uint32_t pwc_walk_refs(struct pwc *p, uint64_t space, uint64_t addr, int top, int last)
{
        int first = pwc_start_level(p, space, addr, top, last);
        pwc_remember(p, space, addr, top, last);
        return (uint32_t)(first - last + 1);
}
