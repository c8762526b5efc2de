/*
 * walk_text.c - a walk listed reference by reference (see walk_text.h).
 */
#include "walk_text.h"

#include <stdio.h>

#include "strbuf.h"

static const char *const dim_names[] = {
    [WALK_GUEST] = "guest",
    [WALK_SHADOW] = "shadow",
    [WALK_NESTED] = "nested",
};

/* Where the walk's table is: a guest table by its GPA, a shadow table by
 * the guest table it mirrors, a nested table by its id. */
static void table_text(struct strbuf *o, const struct walk_ref *r)
{
        switch ((enum walk_dim)r->dim) {
        case WALK_GUEST:
                strbuf_put(o, "table 0x%llX[%u]", strbuf_u(r->table), r->index);
                break;
        case WALK_SHADOW:
                strbuf_put(o, "shadow of 0x%llX[%u]", strbuf_u(r->table), r->index);
                break;
        case WALK_NESTED:
                strbuf_put(o, "EPT table #%llu[%u] for gpa 0x%llX", strbuf_u(r->table), r->index,
                           strbuf_u(r->gpa));
                break;
        }
}

/* What the entry leads to, or why the walk stops there. */
static void entry_text(struct strbuf *o, const struct walk_ref *r)
{
        uint64_t e = r->entry;
        bool leaf = r->level == 1 || (e & PTE_PS);
        if (!pte_present(e)) {
                strbuf_put(o, "not present: %s",
                           r->dim == WALK_GUEST    ? "a guest page fault"
                           : r->dim == WALK_SHADOW ? "a hidden page fault (VM exit)"
                                                   : "an EPT violation (VM exit)");
                return;
        }
        uint64_t addr = pte_frame(e) << PAGE_SHIFT;
        const char *size = r->level == 2 ? " (2M)" : r->level == 3 ? " (1G)" : "";
        switch ((enum walk_dim)r->dim) {
        case WALK_GUEST:
                if (leaf)
                        strbuf_put(o, "-> gpa 0x%llX%s", strbuf_u(addr), size);
                else
                        strbuf_put(o, "-> L%u table 0x%llX", r->level - 1u, strbuf_u(addr));
                break;
        case WALK_SHADOW:
                if (leaf)
                        strbuf_put(o, "-> hpa 0x%llX%s", strbuf_u(addr), size);
                else
                        strbuf_put(o, "-> its L%u shadow table", r->level - 1u);
                break;
        case WALK_NESTED:
                if (leaf)
                        strbuf_put(o, "-> hpa 0x%llX%s", strbuf_u(addr), size);
                else
                        strbuf_put(o, "-> EPT table #%llu", strbuf_u(pte_frame(e)));
                break;
        }
}

/* The listing's line for reference i (0-based), without its number. */
static void ref_line(const struct walk_ref *r, struct strbuf *o)
{
        strbuf_put(o, "%-6s L%u  ", dim_names[r->dim], r->level);
        table_text(o, r);
        strbuf_put(o, ": ");
        if (r->skipped)
                strbuf_put(o, "skipped, cached: ");
        entry_text(o, r);
}

/* One cell: the reference's number, (saved), or [current]. */
static void cell(struct strbuf *o, const struct walk_listing *l, unsigned i, unsigned current)
{
        char num[16];
        snprintf(num, sizeof num,
                 i + 1 == current    ? "[%u]"
                 : l->ref[i].skipped ? "(%u)"
                                     : "%u",
                 i + 1);
        strbuf_put(o, " %5s", num);
}

/* The label of a row ending at guest or shadow reference r, or of the
 * data frame's row (r NULL, gpa its address). */
static void row_label(struct strbuf *o, const struct walk_ref *r, uint64_t gpa)
{
        char label[48];
        if (!r)
                snprintf(label, sizeof label, "data gpa 0x%llX", strbuf_u(gpa));
        else
                snprintf(label, sizeof label, "%s L%u 0x%llX", dim_names[r->dim], r->level,
                         strbuf_u(r->table));
        strbuf_put(o, "%-22s", label);
}

void walk_grid(const struct walk_listing *l, unsigned current, walk_line_fn fn, void *ctx)
{
        char line[512];
        struct strbuf o = {line, sizeof line, 0};
        unsigned nested = 0;
        for (unsigned i = 0; i < l->n; i++)
                nested += l->ref[i].dim == WALK_NESTED;
        strbuf_put(&o, "%-22s %s", "table read",
                   nested ? "its frame's nested walk, then its entry" : "its entry");
        fn(ctx, line);
        unsigned start = 0;
        for (unsigned i = 0; i <= l->n; i++) {
                bool ends = i == l->n || l->ref[i].dim != WALK_NESTED;
                if (!ends || (i == l->n && start == l->n))
                        continue;
                o = (struct strbuf){line, sizeof line, 0};
                row_label(&o, i < l->n ? &l->ref[i] : NULL, i > 0 ? l->ref[i - 1].gpa : 0);
                for (unsigned k = start; k < i; k++)
                        cell(&o, l, k, current);
                if (i < l->n) {
                        strbuf_put(&o, "%s", i > start ? "  ->" : "");
                        cell(&o, l, i, current);
                }
                fn(ctx, line);
                start = i + 1;
        }
        if (current >= 1 && current <= l->n) {
                o = (struct strbuf){line, sizeof line, 0};
                strbuf_put(&o, "[%u] ", current);
                ref_line(&l->ref[current - 1], &o);
                fn(ctx, line);
        }
}

void walk_text(const struct walk_listing *l, walk_line_fn fn, void *ctx)
{
        char line[256];
        struct strbuf o = {line, sizeof line, 0};
        strbuf_put(&o, "the walk, reference by reference: %u listed, %u read", l->n, l->reads);
        if (l->n > l->reads)
                strbuf_put(&o, ", %u saved by the page-walk caches", l->n - l->reads);
        fn(ctx, line);
        for (unsigned i = 0; i < l->n; i++) {
                const struct walk_ref *r = &l->ref[i];
                o = (struct strbuf){line, sizeof line, 0};
                strbuf_put(&o, "%3u. ", i + 1);
                ref_line(r, &o);
                fn(ctx, line);
        }
}
