/*
 * cost.c - defaults, parsing and help of the cycle cost model.
 */
#include "cost.h"

#include <stdio.h>
#include <string.h>

#include "number.h"

struct cost_key {
        const char *name;
        uint64_t def;
        const char *help;
        const char *source; /* where the default comes from */
        size_t offset;
};

static const struct cost_key keys[] = {
#define COST_ROW(name, def, help, source)                                                          \
        {#name, def, help, source, offsetof(struct cost_model, name)},
    COST_KEYS(COST_ROW)
#undef COST_ROW
};

#define NKEYS (sizeof keys / sizeof keys[0])

static uint64_t *field(struct cost_model *c, const struct cost_key *k)
{
        return (uint64_t *)((char *)c + k->offset);
}

void cost_defaults(struct cost_model *c)
{
        for (size_t i = 0; i < NKEYS; i++)
                *field(c, &keys[i]) = keys[i].def;
}

int cost_parse(struct cost_model *c, const char *spec, char *err, size_t errlen)
{
        const char *p = spec;
        for (;;) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                if (len == 0) {
                        snprintf(err, errlen, "expected key=value in --cost, found an empty item%s",
                                 *spec ? " (a ',' too many)" : "");
                        return -1;
                }
                const char *eq = memchr(p, '=', len);
                if (!eq) {
                        snprintf(err, errlen, "expected key=value in --cost, found '%.*s'",
                                 (int)len, p);
                        return -1;
                }
                size_t klen = (size_t)(eq - p);
                const struct cost_key *k = NULL;
                for (size_t i = 0; i < NKEYS; i++)
                        if (strlen(keys[i].name) == klen && strncmp(keys[i].name, p, klen) == 0)
                                k = &keys[i];
                if (!k) {
                        snprintf(err, errlen, "unknown cost key '%.*s' (see --cost help)",
                                 (int)klen, p);
                        return -1;
                }
                uint64_t v;
                size_t vlen = len - klen - 1;
                if (!parse_u64(eq + 1, vlen, &v) || v > UINT64_C(1) << 32) {
                        snprintf(err, errlen, "expected a number of cycles for '%s', found '%.*s'",
                                 k->name, (int)vlen, eq + 1);
                        return -1;
                }
                *field(c, k) = v;
                if (!end)
                        return 0;
                p = end + 1;
        }
}

void cost_print_help(FILE *out)
{
        fputs("Cost model keys (cycles; override with --cost key=value,...):\n", out);
        for (size_t i = 0; i < NKEYS; i++)
                fprintf(out, "  %-14s %6llu  %s\n  %-14s %6s  [%s]\n", keys[i].name,
                        (unsigned long long)keys[i].def, keys[i].help, "", "", keys[i].source);
        fputs("The cycles price what the MMU and the hypervisor do, not the program's own\n"
              "work: with base_access and base_instr at 0 a native run is nearly free, so\n"
              "overhead percentages are far above measured slowdowns. Set them from a\n"
              "measured native run to calibrate (docs/cost-model.md shows how).\n",
              out);
}
