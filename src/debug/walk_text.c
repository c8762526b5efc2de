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
                strbuf_put(&o, "%3u. %-6s L%u  ", i + 1, dim_names[r->dim], r->level);
                table_text(&o, r);
                strbuf_put(&o, ": ");
                if (r->skipped)
                        strbuf_put(&o, "skipped, cached: ");
                entry_text(&o, r);
                fn(ctx, line);
        }
}
