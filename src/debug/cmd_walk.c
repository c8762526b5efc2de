/*
 * cmd_walk.c - the walk command: the current event's walk drawn as a grid,
 * the guest levels down and each one's nested walk across, one reference
 * highlighted at a time (walk_text.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mmu_view.h"
#include "number.h"
#include "session_view.h"
#include "walk_text.h"

static void grid_line(void *ctx, const char *line)
{
        cmd_print(ctx, "  %s", line);
}

/* The walk of the current event: the one it made when it walked (on the
 * machine it was made on), else the one a miss on its address would make
 * now. Returns false when the event names no address. */
static bool current_walk(struct cmd_ctx *ctx, struct walk_listing *l, const struct event **ev)
{
        *ev = session_event(ctx->s);
        if (!*ev || !event_has_gva(*ev))
                return false;
        bool walked = (*ev)->kind == EV_ACCESS && !(*ev)->tlb_hit;
        const struct sim *m =
            walked ? session_machine_before_walk(ctx->s) : session_machine(ctx->s);
        mmu_view_walk_list(m, (*ev)->gva, l);
        return true;
}

/* The reference the argument asks for: a number, "+" / "next", "-" /
 * "prev", or none (the first at a new event, else the same). 0 when out of
 * range, with the error said. */
static unsigned pick(struct cmd_ctx *ctx, int argc, char **argv, unsigned n, bool same_event)
{
        unsigned cur = same_event && ctx->walk_ref ? ctx->walk_ref : 1;
        if (argc < 2)
                return cur;
        const char *a = argv[1];
        uint64_t v;
        if (strcmp(a, "+") == 0 || strcmp(a, "next") == 0)
                return cur < n ? cur + (same_event && ctx->walk_ref ? 1 : 0) : n;
        if (strcmp(a, "-") == 0 || strcmp(a, "prev") == 0)
                return cur > 1 ? cur - 1 : 1;
        if (!parse_u64(a, strlen(a), &v) || v < 1 || v > n) {
                cmd_error(ctx, "expected a reference 1..%u, + or -, found '%s'", n, a);
                return 0;
        }
        return (unsigned)v;
}

static enum cmd_result cmd_walk_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct walk_listing l;
        const struct event *ev;
        if (!current_walk(ctx, &l, &ev))
                return cmd_error(ctx, "%s",
                                 "the current event has no address to walk; "
                                 "translate GVA walks any address");
        if (l.n == 0)
                return cmd_error(ctx, "%s", "this scheme's walk reads nothing here");
        bool same = ctx->walk_seq == ev->seq;
        unsigned ref = pick(ctx, argc, argv, l.n, same);
        if (ref == 0)
                return CMD_ERROR;
        ctx->walk_seq = ev->seq;
        ctx->walk_ref = ref;
        bool walked = ev->kind == EV_ACCESS && !ev->tlb_hit;
        if (walked)
                cmd_print(ctx, "The walk of event #%llu (0x%llX):", (unsigned long long)ev->seq,
                          (unsigned long long)ev->gva);
        else
                cmd_print(ctx, "The walk a TLB miss on 0x%llX would make now:",
                          (unsigned long long)ev->gva);
        cmd_print(ctx, "  %u references, %u read%s; walk + and walk - (W) step through them", l.n,
                  l.reads, l.n > l.reads ? ", the others saved by a page-walk cache" : "");
        walk_grid(&l, ref, grid_line, ctx);
        return CMD_OK;
}

static const struct cmd_form walk_forms[] = {
    {"walk",
     "the current event's walk as a grid, the guest levels down and each one's nested "
     "walk across; the first reference highlighted (at a new event)",
     "walk"},
    {"walk N", "the same with reference N highlighted and described", "walk 24"},
    {"walk + | walk -", "the next or the previous reference", "walk +"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_walk_entry = {
    .name = "walk",
    .args = {0, 1},
    .usage = "[N|+|-]",
    .help = "draw the current event's walk, reference by reference",
    .forms = walk_forms,
    .exec = cmd_walk_exec,
};
