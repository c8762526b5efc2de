/*
 * scheme.c - the registry: every scheme, in the order users see them.
 *
 * Adding a scheme: its descriptor in its own file, its name in enum
 * mmu_mode (sim.h) and one line here.
 */
#include "scheme.h"

#include <string.h>

#include "strbuf.h"

static const struct scheme *const registry[MODE_COUNT] = {
    [MODE_NATIVE] = &scheme_native, [MODE_SHADOW_EAGER] = &scheme_shadow_eager,
    [MODE_SHADOW] = &scheme_shadow, [MODE_SHADOW_OOS] = &scheme_shadow_oos,
    [MODE_EPT] = &scheme_ept,       [MODE_AGILE] = &scheme_agile,
};

const struct scheme *scheme_of(enum mmu_mode mode)
{
        return registry[mode];
}

const char *mode_name(enum mmu_mode mode)
{
        return mode < MODE_COUNT ? registry[mode]->name : "?";
}

int mode_parse(const char *name)
{
        for (int m = 0; m < MODE_COUNT; m++)
                if (strcmp(name, registry[m]->name) == 0)
                        return m;
        return -1;
}

char *scheme_list(char *buf, size_t n)
{
        struct strbuf o = {buf, n, 0};
        if (n)
                buf[0] = '\0';
        for (int m = 0; m < MODE_COUNT; m++)
                strbuf_put(&o, "%s%s", m ? ", " : "", registry[m]->name);
        return buf;
}
