/*
 * cmd_step.c - the commands that move: forward and backward by trace line
 * or by event, to a breakpoint, to an event number, to a search match.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "number.h"
#include "cmd.h"

/* Reports where a move stopped. A malformed trace line is a failure the
 * face counts; its message has been printed already. */
static enum cmd_result moved(struct cmd_ctx *ctx, enum stop_reason r)
{
        cmd_report_stop(ctx, r);
        if (r == STOP_ERROR) {
                ctx->err[0] = '\0';
                return CMD_ERROR;
        }
        return CMD_OK;
}

static enum cmd_result cmd_step_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_step(ctx->s, n, true));
}

const struct cmd_entry cmd_step_entry = {
    .name = "step",
    .aliases = "s",
    .args = {0, 1},
    .usage = "[N]",
    .help = "run N trace lines (stops at a breakpoint inside one)",
    .flags = CMD_MOVES,
    .exec = cmd_step_exec,
};

static enum cmd_result cmd_next_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_step(ctx->s, n, false));
}

const struct cmd_entry cmd_next_entry = {
    .name = "next",
    .aliases = "n",
    .args = {0, 1},
    .usage = "[N]",
    .help = "run N whole trace lines, over any breakpoint",
    .flags = CMD_MOVES,
    .exec = cmd_next_exec,
};

static enum cmd_result cmd_stepi_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_stepi(ctx->s, n, true));
}

const struct cmd_entry cmd_stepi_entry = {
    .name = "stepi",
    .aliases = "si",
    .args = {0, 1},
    .usage = "[N]",
    .help = "show the next N engine events",
    .flags = CMD_MOVES,
    .exec = cmd_stepi_exec,
};

static enum cmd_result cmd_continue_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return moved(ctx, session_continue(ctx->s));
}

const struct cmd_entry cmd_continue_entry = {
    .name = "continue",
    .aliases = "c",
    .args = {0, 0},
    .usage = "",
    .help = "run to the next breakpoint or the end",
    .flags = CMD_MOVES,
    .exec = cmd_continue_exec,
};

static enum cmd_result cmd_run_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t speed;
        if (!cmd_count(ctx, argc, argv, ctx->speed, &speed))
                return CMD_ERROR;
        ctx->speed = speed > 100000 ? 100000 : (unsigned)speed;
        ctx->run_requested = true;
        return CMD_OK;
}

const struct cmd_entry cmd_run_entry = {
    .name = "run",
    .args = {0, 1},
    .usage = "[SPEED]",
    .help = "animate: SPEED events a second to a breakpoint; a key pauses",
    .flags = CMD_MOVES,
    .exec = cmd_run_exec,
};

static enum cmd_result cmd_back_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_back(ctx->s, n, true));
}

const struct cmd_entry cmd_back_entry = {
    .name = "back",
    .aliases = "rs reverse-step",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N trace lines (stops at a breakpoint)",
    .flags = CMD_MOVES,
    .exec = cmd_back_exec,
};

static enum cmd_result cmd_reverse_next_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_back(ctx->s, n, false));
}

const struct cmd_entry cmd_reverse_next_entry = {
    .name = "reverse-next",
    .aliases = "rn",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N whole trace lines, over any breakpoint",
    .flags = CMD_MOVES,
    .exec = cmd_reverse_next_exec,
};

static enum cmd_result cmd_backi_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return moved(ctx, session_backi(ctx->s, n, true));
}

const struct cmd_entry cmd_backi_entry = {
    .name = "backi",
    .aliases = "rsi reverse-stepi",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N engine events",
    .flags = CMD_MOVES,
    .exec = cmd_backi_exec,
};

static enum cmd_result cmd_reverse_continue_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return moved(ctx, session_reverse_continue(ctx->s));
}

const struct cmd_entry cmd_reverse_continue_entry = {
    .name = "reverse-continue",
    .aliases = "rc",
    .args = {0, 0},
    .usage = "",
    .help = "go back to the previous breakpoint or the start",
    .flags = CMD_MOVES,
    .exec = cmd_reverse_continue_exec,
};

static enum cmd_result cmd_goto_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        (void)argc;
        if (strcasecmp(argv[1], "start") == 0) {
                session_restart(ctx->s);
                return moved(ctx, STOP_START);
        }
        if (strcasecmp(argv[1], "end") == 0)
                return moved(ctx, session_step(ctx->s, UINT64_MAX, false));
        if (strcasecmp(argv[1], "line") == 0) {
                if (!argv[2] || !parse_u64(argv[2], strlen(argv[2]), &n))
                        return cmd_error(ctx, "expected a line number after 'line', found '%s'",
                                         argv[2] ? argv[2] : "nothing");
                return moved(ctx, session_goto_line(ctx->s, n));
        }
        const char *num = argv[1][0] == '#' ? argv[1] + 1 : argv[1];
        if (argc > 2 || !parse_u64(num, strlen(num), &n))
                return cmd_error(ctx,
                                 "expected an event number, 'line N', 'start' or 'end', found '%s'",
                                 argv[1]);
        return moved(ctx, session_goto(ctx->s, n));
}

static void goto_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argv;
        if (argc != 1)
                return;
        add(arg, "line");
        add(arg, "start");
        add(arg, "end");
}

const struct cmd_entry cmd_goto_entry = {
    .name = "goto",
    .args = {1, 2},
    .usage = "EVENT | line N | start | end",
    .help = "jump to an event number (either way)",
    .flags = CMD_MOVES,
    .exec = cmd_goto_exec,
    .complete = goto_complete,
};

static enum cmd_result cmd_restart_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        session_restart(ctx->s);
        return moved(ctx, STOP_START);
}

const struct cmd_entry cmd_restart_entry = {
    .name = "restart",
    .args = {0, 0},
    .usage = "",
    .help = "back to the start of the trace (breakpoints stay)",
    .flags = CMD_MOVES,
    .exec = cmd_restart_exec,
};

static enum cmd_result cmd_search_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        bool back = argc > 1 && strcmp(argv[1], "-b") == 0;
        char text[sizeof ctx->last_search] = "";
        for (int i = back ? 2 : 1; i < argc; i++) {
                size_t len = strlen(text);
                snprintf(text + len, sizeof text - len, "%s%s", len ? " " : "", argv[i]);
        }
        if (!text[0]) {
                if (!ctx->last_search[0])
                        return cmd_error(ctx, "expected a text to search for");
                memcpy(text, ctx->last_search, sizeof text);
        }
        memcpy(ctx->last_search, text, sizeof text);
        enum stop_reason r = session_search(ctx->s, text, back);
        if (r == STOP_DONE)
                return CMD_OK;
        return moved(ctx, r);
}

const struct cmd_entry cmd_search_entry = {
    .name = "search",
    .args = {0, -1},
    .usage = "[-b] [TEXT]",
    .help = "go to the next (-b: previous) event whose log line has TEXT",
    .flags = CMD_MOVES,
    .exec = cmd_search_exec,
};

static enum cmd_result cmd_where_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        cmd_where(ctx);
        return CMD_OK;
}

const struct cmd_entry cmd_where_entry = {
    .name = "where",
    .args = {0, 0},
    .usage = "",
    .help = "show the current trace line, its events and what they mean",
    .exec = cmd_where_exec,
};
