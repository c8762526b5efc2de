/*
 * cmd_misc.c - the scheme (mode, compare), settings, help and quit.
 */
#include <stdio.h>
#include <string.h>

#include "number.h"
#include "cmd.h"
#include "scheme.h"

static enum cmd_result cmd_mode_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct session *s = ctx->s;
        (void)argc;
        int m = mode_parse(argv[1]);
        char list[256];
        if (m < 0)
                return cmd_error(ctx, "expected a mode (%s), found '%s'",
                                 scheme_list(list, sizeof list), argv[1]);
        int cmp = !s->has_cmp             ? -1
                  : (int)s->cmp_mode == m ? (int)session_default_cmp((enum mmu_mode)m)
                                          : (int)s->cmp_mode;
        bool stopped = session_set_schemes(s, (enum mmu_mode)m, cmp) == STOP_INTERRUPT;
        cmd_print(ctx, "%s %s at line %llu%s%s", stopped ? "Interrupted: still mode" : "Mode",
                  mode_name(s->sim.cfg.mode), (unsigned long long)(session_ops(s) ? s->op.line : 0),
                  s->has_cmp ? ", compared with " : "", s->has_cmp ? mode_name(s->cmp_mode) : "");
        return CMD_OK;
}

const struct cmd_entry cmd_mode_entry = {
    "mode", NULL, "MODE",    "replay to the same line under another scheme (MODE: see --help)",
    1,      1,    CMD_MOVES, cmd_mode_exec,
};

static enum cmd_result cmd_compare_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        struct session *s = ctx->s;
        (void)argc;
        int m = strcmp(argv[1], "off") == 0 ? -1 : mode_parse(argv[1]);
        char list[256];
        if (m < 0 && strcmp(argv[1], "off") != 0)
                return cmd_error(ctx, "expected a mode (%s) or off, found '%s'",
                                 scheme_list(list, sizeof list), argv[1]);
        if (session_set_cmp(s, m) == STOP_INTERRUPT)
                cmd_print(ctx, "Interrupted: %s%s, as before",
                          s->has_cmp ? "comparing with " : "no comparison",
                          s->has_cmp ? mode_name(s->cmp_mode) : "");
        else if (m < 0)
                cmd_print(ctx, "No comparison");
        else
                cmd_print(ctx, "Comparing with %s", mode_name((enum mmu_mode)m));
        return CMD_OK;
}

const struct cmd_entry cmd_compare_entry = {
    "compare", NULL, "MODE|off", "run a second scheme beside this one, counters side by side",
    1,         1,    0,          cmd_compare_exec,
};

static enum cmd_result cmd_set_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (argc == 1) {
                cmd_print(ctx, "speed %u (events a second while running)", ctx->speed);
                return CMD_OK;
        }
        if (strcmp(argv[1], "speed") != 0)
                return cmd_error(ctx, "expected a setting (speed), found '%s'", argv[1]);
        if (argc != 3 || !parse_u64(argv[2], strlen(argv[2]), &n) || n == 0 || n > 100000)
                return cmd_error(ctx, "expected 'set speed N' with N events a second, 1..100000");
        ctx->speed = (unsigned)n;
        return CMD_OK;
}

const struct cmd_entry cmd_set_entry = {
    "set", NULL, "[speed N]", "show or change settings", 0, 2, 0, cmd_set_exec,
};

static enum cmd_result cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        if (ctx->show_help) {
                ctx->show_help(ctx->face, argc > 1 ? argv[1] : NULL);
                return CMD_OK;
        }
        return cmd_help_text(ctx, argc > 1 ? argv[1] : NULL);
}

const struct cmd_entry cmd_help_entry = {
    "help", "h", "[COMMAND]", "list the commands and keys, or explain one", 0, 1, 0, cmd_help_exec,
};

static enum cmd_result cmd_quit_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        return CMD_QUIT;
}

const struct cmd_entry cmd_quit_entry = {
    "quit", "q exit", "", "leave the debugger", 0, 0, 0, cmd_quit_exec,
};
