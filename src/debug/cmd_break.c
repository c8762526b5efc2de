/*
 * cmd_break.c - setting, toggling, deleting, enabling and disabling
 * breakpoints.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "number.h"
#include "cmd.h"
#include "strbuf.h"

/* Joins argv[first..argc) with blanks. */
static void join(int argc, char **argv, int first, char *buf, size_t n)
{
        buf[0] = '\0';
        for (int i = first; i < argc; i++) {
                size_t len = strlen(buf);
                snprintf(buf + len, n - len, "%s%s", len ? " " : "", argv[i]);
        }
}

static void announce(struct cmd_ctx *ctx, const char *verb, const struct breakpoint *bp)
{
        char what[96];
        bp_describe(bp, what, sizeof what);
        cmd_print(ctx, "%s %d: %s", verb, bp->id, what);
}

static enum cmd_result cmd_break_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        char spec[256];
        struct breakpoint bp;
        join(argc, argv, 1, spec, sizeof spec);
        if (bp_parse(spec, &bp, ctx->err, sizeof ctx->err) < 0 ||
            session_break_check(ctx->s, &bp, ctx->err, sizeof ctx->err) < 0)
                return CMD_ERROR;
        const struct breakpoint *same = session_break_same(ctx->s, &bp);
        if (same) {
                char what[96];
                bp_describe(same, what, sizeof what);
                cmd_print(ctx, "Breakpoint %d already stops there: %s%s", same->id, what,
                          same->enabled ? "" : " (disabled: enable turns it on)");
                return CMD_OK;
        }
        int id = session_break_add(ctx->s, &bp);
        announce(ctx, "Breakpoint", session_break_find(ctx->s, id));
        return CMD_OK;
}

/* After break: the keywords and event kinds; after "break exit": the
 * exit reasons. */
static void break_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        static const char *const words[] = {"exit", "gpa", "gva", "event", "line", "cpu", NULL};
        (void)ctx;
        if (argc == 1) {
                for (int i = 0; words[i]; i++)
                        add(arg, words[i]);
                for (int k = 0; k < EV_KIND_COUNT; k++)
                        add(arg, event_kind_name((enum event_kind)k));
        } else if (argc == 2 && strcasecmp(argv[1], "exit") == 0) {
                for (int r = 0; r < EXIT_REASON_COUNT; r++)
                        add(arg, exit_reason_name((enum exit_reason)r));
        }
}

static const struct cmd_form break_forms[] = {
    {"break ADDR[/SIZE]",
     "any event about guest-virtual memory inside the range (without SIZE, the 4K page of "
     "ADDR): an access, a fault, a TLB entry, a guest or shadow entry whose span lies inside",
     "break 0x400000/2M"},
    {"break gva ADDR[/SIZE]", "the same, written out", "break gva 0x1000"},
    {"break gpa ADDR[/SIZE]",
     "any event about guest-physical memory inside the range: a guest table there written "
     "(PT_WRITE, PT_LINK, PT_CLEAR, PT_PROTECT, the pt_write exit), linked, loaded into CR3, "
     "shadowed, synced, zapped or moved by agile paging; a frame there mapped by the guest or "
     "the EPT, accessed, evicted from the TLB or logged dirty (with its EPT violation or "
     "PML-full exit)",
     "break gpa 0xFFFFC000"},
    {"break exit [REASON]", "a VM exit, of any reason or of REASON", "break exit cr3"},
    {"break KIND", "an event of that kind", "break SHADOW_UPDATE"},
    {"break event N", "event number N (break #N too)", "break event 120"},
    {"break line N", "any event of trace line N", "break line 31"},
    {"break cpu N", "any event on vCPU N (a machine of several, --vcpus)", "break cpu 1"},
    {NULL, NULL, NULL},
};

/* help break: the words KIND and REASON stand for. */
static void break_more_help(struct cmd_ctx *ctx, int col)
{
        char list[1024];
        struct strbuf o = {list, sizeof list, 0};
        for (int k = 0; k < EV_KIND_COUNT; k++)
                strbuf_put(&o, "%s%s", k ? " " : "", event_kind_name((enum event_kind)k));
        cmd_print_columns(ctx, "KIND", col, list);
        o.len = 0;
        for (int r = 0; r < EXIT_REASON_COUNT; r++)
                strbuf_put(&o, "%s%s", r ? " " : "", exit_reason_name((enum exit_reason)r));
        cmd_print_columns(ctx, "REASON", col, list);
        cmd_print_columns(ctx, "SIZE", col,
                          "bytes, or a number with K, M or G: 4K, 2M, 0x3000; a range starts "
                          "and ends on a 4K page boundary");
}

const struct cmd_entry cmd_break_entry = {
    .name = "break",
    .aliases = "b",
    .args = {1, 3},
    .usage = "ADDR[/SIZE] | gpa ADDR[/SIZE] | exit [REASON] | KIND | event N | line N",
    .help = "stop on events about an address, an exit, an event kind or number, a trace line",
    .forms = break_forms,
    .exec = cmd_break_exec,
    .complete = break_complete,
    .more_help = break_more_help,
};

static enum cmd_result cmd_toggle_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct breakpoint want;
        if (argc > 1) {
                if (bp_parse(argv[1], &want, ctx->err, sizeof ctx->err) < 0)
                        return CMD_ERROR;
                if (want.kind != BP_GVA)
                        return cmd_error(ctx, "expected an address or range, found '%s'", argv[1]);
                if (session_break_check(ctx->s, &want, ctx->err, sizeof ctx->err) < 0)
                        return CMD_ERROR;
        } else if (!ctx->selection || !ctx->selection(ctx->face, &want)) {
                return cmd_error(ctx, "no page selected: select a mapping or give an address");
        }
        want.enabled = true;
        want.value = -1;
        const struct breakpoint *same = session_break_same(ctx->s, &want);
        if (same) {
                announce(ctx, "Deleted breakpoint", same);
                session_break_delete(ctx->s, same->id);
                return CMD_OK;
        }
        int id = session_break_add(ctx->s, &want);
        announce(ctx, "Breakpoint", session_break_find(ctx->s, id));
        return CMD_OK;
}

static const struct cmd_form toggle_forms[] = {
    {"toggle", "set or clear a breakpoint on the entry selected on screen (its page or range)",
     "toggle"},
    {"toggle ADDR[/SIZE]", "set or clear a breakpoint on that page or range", "toggle 0x400000/2M"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_toggle_entry = {
    .name = "toggle",
    .args = {0, 1},
    .usage = "[ADDR[/SIZE]]",
    .help = "set or clear a breakpoint on a page or range (default: the selected entry)",
    .forms = toggle_forms,
    .exec = cmd_toggle_exec,
};

/* Applies op to the breakpoints named by argv[1..] ("all" for every one). */
static enum cmd_result each_named(struct cmd_ctx *ctx, int argc, char **argv,
                                  void (*op)(struct cmd_ctx *ctx, struct breakpoint *bp))
{
        struct session *s = ctx->s;
        if (argc == 2 && strcmp(argv[1], "all") == 0) {
                /* By id, in order: op may delete. */
                int last = 0;
                for (;;) {
                        struct breakpoint *next = NULL;
                        for (size_t i = 0; i < s->nbps; i++)
                                if (s->bps[i].id > last && (!next || s->bps[i].id < next->id))
                                        next = &s->bps[i];
                        if (!next)
                                return CMD_OK;
                        last = next->id;
                        op(ctx, next);
                }
        }
        /* Check every number before acting on any. */
        for (int i = 1; i < argc; i++) {
                uint64_t id;
                const char *num = argv[i][0] == '#' ? argv[i] + 1 : argv[i];
                if (!parse_u64(num, strlen(num), &id) || id > INT32_MAX)
                        return cmd_error(ctx, "expected a breakpoint number or 'all', found '%s'",
                                         argv[i]);
                if (!session_break_find(s, (int)id))
                        return cmd_error(
                            ctx, "no breakpoint number %s (info breakpoints lists them)", num);
        }
        for (int i = 1; i < argc; i++) {
                uint64_t id;
                const char *num = argv[i][0] == '#' ? argv[i] + 1 : argv[i];
                parse_u64(num, strlen(num), &id);
                struct breakpoint *bp = session_break_find(s, (int)id);
                if (bp)
                        op(ctx, bp);
        }
        return CMD_OK;
}

static void do_delete(struct cmd_ctx *ctx, struct breakpoint *bp)
{
        announce(ctx, "Deleted breakpoint", bp);
        session_break_delete(ctx->s, bp->id);
}

static void do_disable(struct cmd_ctx *ctx, struct breakpoint *bp)
{
        bp->enabled = false;
        announce(ctx, "Disabled breakpoint", bp);
}

static void do_enable(struct cmd_ctx *ctx, struct breakpoint *bp)
{
        bp->enabled = true;
        announce(ctx, "Enabled breakpoint", bp);
}

static enum cmd_result cmd_delete_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        return each_named(ctx, argc, argv, do_delete);
}

static enum cmd_result cmd_disable_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        return each_named(ctx, argc, argv, do_disable);
}

static enum cmd_result cmd_enable_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        return each_named(ctx, argc, argv, do_enable);
}

/* The numbers of the breakpoints, and "all". */
static void ids_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        char id[16];
        (void)argc;
        (void)argv;
        add(arg, "all");
        for (size_t i = 0; i < ctx->s->nbps; i++) {
                snprintf(id, sizeof id, "%d", ctx->s->bps[i].id);
                add(arg, id);
        }
}

static const struct cmd_form delete_forms[] = {
    {"delete N...", "delete the breakpoints with these numbers (info breakpoints lists them)",
     "delete 2 3"},
    {"delete all", "delete every breakpoint", "delete all"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_delete_entry = {
    .name = "delete",
    .aliases = "d",
    .args = {1, -1},
    .usage = "N... | all",
    .help = "delete breakpoints",
    .forms = delete_forms,
    .exec = cmd_delete_exec,
    .complete = ids_complete,
};

static const struct cmd_form disable_forms[] = {
    {"disable N...", "stop stopping on these breakpoints; they stay listed", "disable 1"},
    {"disable all", "disable every breakpoint", "disable all"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_disable_entry = {
    .name = "disable",
    .args = {1, -1},
    .usage = "N... | all",
    .help = "disable breakpoints (they stay listed)",
    .forms = disable_forms,
    .exec = cmd_disable_exec,
    .complete = ids_complete,
};

static const struct cmd_form enable_forms[] = {
    {"enable N...", "stop on these breakpoints again", "enable 1"},
    {"enable all", "enable every breakpoint", "enable all"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_enable_entry = {
    .name = "enable",
    .args = {1, -1},
    .usage = "N... | all",
    .help = "enable breakpoints again",
    .forms = enable_forms,
    .exec = cmd_enable_exec,
    .complete = ids_complete,
};
