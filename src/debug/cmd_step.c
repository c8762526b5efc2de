/*
 * cmd_step.c - the commands that move: forward and backward by trace line
 * or by event, to a breakpoint, to an event number, to a search match.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "number.h"
#include "cmd.h"

static enum cmd_result cmd_step_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        if (n == 1 && cmd_quiz_asks(ctx, true))
                return CMD_OK; /* the answer makes the step */
        return cmd_moved(ctx, session_step(ctx->s, n, true));
}

static const struct cmd_form step_forms[] = {
    {"step [N]", "run N trace lines (default 1); a breakpoint inside one stops there", "step 10"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_step_entry = {
    .name = "step",
    .aliases = "s",
    .args = {0, 1},
    .usage = "[N]",
    .help = "run N trace lines (stops at a breakpoint inside one)",
    .forms = step_forms,
    .flags = CMD_MOVES,
    .exec = cmd_step_exec,
};

static enum cmd_result cmd_next_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        if (n == 1 && cmd_quiz_asks(ctx, false))
                return CMD_OK;
        return cmd_moved(ctx, session_step(ctx->s, n, false));
}

static const struct cmd_form next_forms[] = {
    {"next [N]", "run N whole trace lines (default 1), passing over breakpoints", "next 5"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_next_entry = {
    .name = "next",
    .aliases = "n",
    .args = {0, 1},
    .usage = "[N]",
    .help = "run N whole trace lines, over any breakpoint",
    .forms = next_forms,
    .flags = CMD_MOVES,
    .exec = cmd_next_exec,
};

static enum cmd_result cmd_stepi_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return cmd_moved(ctx, session_stepi(ctx->s, n, true));
}

static const struct cmd_form stepi_forms[] = {
    {"stepi [N]", "show the next N engine events (default 1), one at a time", "stepi 3"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_stepi_entry = {
    .name = "stepi",
    .aliases = "si",
    .args = {0, 1},
    .usage = "[N]",
    .help = "show the next N engine events",
    .forms = stepi_forms,
    .flags = CMD_MOVES,
    .exec = cmd_stepi_exec,
};

static enum cmd_result cmd_continue_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return cmd_moved(ctx, session_continue(ctx->s));
}

static const struct cmd_form continue_forms[] = {
    {"continue", "run to the next breakpoint, or to the end of the trace", "c"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_continue_entry = {
    .name = "continue",
    .aliases = "c",
    .args = {0, 0},
    .usage = "",
    .help = "run to the next breakpoint or the end",
    .forms = continue_forms,
    .flags = CMD_MOVES,
    .exec = cmd_continue_exec,
};

static enum cmd_result cmd_run_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t speed;
        if (!cmd_count(ctx, argc, argv, ctx->speed, &speed))
                return CMD_ERROR;
        if (speed > CMD_MAX_SPEED)
                return cmd_error(ctx, "expected a speed of 1..%u events a second, found '%s'",
                                 CMD_MAX_SPEED, argv[1]);
        ctx->speed = (unsigned)speed;
        ctx->run_requested = true;
        return CMD_OK;
}

static const struct cmd_form run_forms[] = {
    {"run [SPEED]",
     "animate, SPEED events a second (1..100000; default: set speed), to a breakpoint or the end; "
     "a key pauses",
     "run 20"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_run_entry = {
    .name = "run",
    .args = {0, 1},
    .usage = "[SPEED]",
    .help = "animate: SPEED events a second to a breakpoint; a key pauses",
    .forms = run_forms,
    .flags = CMD_MOVES,
    .exec = cmd_run_exec,
};

static enum cmd_result cmd_back_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return cmd_moved(ctx, session_back(ctx->s, n, true));
}

static const struct cmd_form back_forms[] = {
    {"back [N]", "go back N trace lines (default 1), stopping at the latest breakpoint on the way",
     "back 3"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_back_entry = {
    .name = "back",
    .aliases = "rs reverse-step",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N trace lines (stops at a breakpoint)",
    .forms = back_forms,
    .flags = CMD_MOVES,
    .exec = cmd_back_exec,
};

static enum cmd_result cmd_reverse_next_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return cmd_moved(ctx, session_back(ctx->s, n, false));
}

static const struct cmd_form reverse_next_forms[] = {
    {"reverse-next [N]", "go back N whole trace lines (default 1), passing over breakpoints",
     "rn 2"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_reverse_next_entry = {
    .name = "reverse-next",
    .aliases = "rn",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N whole trace lines, over any breakpoint",
    .forms = reverse_next_forms,
    .flags = CMD_MOVES,
    .exec = cmd_reverse_next_exec,
};

static enum cmd_result cmd_backi_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        if (!cmd_count(ctx, argc, argv, 1, &n))
                return CMD_ERROR;
        return cmd_moved(ctx, session_backi(ctx->s, n, true));
}

static const struct cmd_form backi_forms[] = {
    {"backi [N]", "go back N engine events (default 1), stopping at a breakpoint", "backi"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_backi_entry = {
    .name = "backi",
    .aliases = "rsi reverse-stepi",
    .args = {0, 1},
    .usage = "[N]",
    .help = "go back N engine events",
    .forms = backi_forms,
    .flags = CMD_MOVES,
    .exec = cmd_backi_exec,
};

static enum cmd_result cmd_reverse_continue_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        return cmd_moved(ctx, session_reverse_continue(ctx->s));
}

static const struct cmd_form reverse_continue_forms[] = {
    {"reverse-continue", "go back to the previous breakpoint, or to the start", "rc"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_reverse_continue_entry = {
    .name = "reverse-continue",
    .aliases = "rc",
    .args = {0, 0},
    .usage = "",
    .help = "go back to the previous breakpoint or the start",
    .forms = reverse_continue_forms,
    .flags = CMD_MOVES,
    .exec = cmd_reverse_continue_exec,
};

/* The number after "goto line" or "goto event" (what): from 1, since 0
 * names nothing (goto start goes before the first). */
static bool goto_number(struct cmd_ctx *ctx, const char *what, const char *word, uint64_t *n)
{
        const char *a = what[0] == 'e' ? "an" : "a";
        const char *num = word && word[0] == '#' ? word + 1 : word;
        if (!num || !parse_u64(num, strlen(num), n))
                cmd_error(ctx, "expected %s %s number after '%s', found '%s'", a, what, what,
                          word ? word : "nothing");
        else if (*n == 0)
                cmd_error(ctx,
                          "%ss are numbered from 1: there is no %s 0 (goto start goes before "
                          "the first)",
                          what, what);
        else
                return true;
        return false;
}

static enum cmd_result goto_line(struct cmd_ctx *ctx, const char *word)
{
        uint64_t n;
        if (!goto_number(ctx, "line", word, &n))
                return CMD_ERROR;
        enum stop_reason r = session_goto_line(ctx->s, n);
        if (r == STOP_END && !ctx->s->msg[0])
                cmd_print(ctx, "The trace ends before line %llu (its last line is %llu)",
                          (unsigned long long)n, (unsigned long long)ctx->s->op.line);
        return cmd_moved(ctx, r == STOP_END && !ctx->s->msg[0] ? STOP_DONE : r);
}

static enum cmd_result cmd_goto_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        uint64_t n;
        const char *what = argv[1];
        if (strcasecmp(what, "line") == 0)
                return goto_line(ctx, argv[2]);
        if (argc == 2 && strcasecmp(what, "start") == 0) {
                session_restart(ctx->s);
                return cmd_moved(ctx, STOP_START);
        }
        if (argc == 2 && strcasecmp(what, "end") == 0)
                return cmd_moved(ctx, session_step(ctx->s, UINT64_MAX, false));
        if (strcasecmp(what, "event") != 0 && argc > 2)
                return cmd_error(ctx, "usage: goto %s", cmd_goto_entry.usage);
        const char *num = strcasecmp(what, "event") == 0 ? argv[2] : what;
        if (!num || (!isdigit((unsigned char)num[0]) && num[0] != '#'))
                return cmd_error(ctx,
                                 "expected an event number, 'event N', 'line N', 'start' or "
                                 "'end', found '%s'",
                                 num ? num : "nothing");
        if (!goto_number(ctx, "event", num, &n))
                return CMD_ERROR;
        return cmd_moved(ctx, session_goto(ctx->s, n));
}

static void goto_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argv;
        if (argc != 1)
                return;
        add(arg, "event");
        add(arg, "line");
        add(arg, "start");
        add(arg, "end");
}

static const struct cmd_form goto_forms[] = {
    {"goto event N", "to event number N, forward or back (goto N and goto #N too)",
     "goto event 120"},
    {"goto line N",
     "to the end of trace line N (the next line that holds an operation when N holds none)",
     "goto line 31"},
    {"goto start", "back to the start, before the first line", "goto start"},
    {"goto end", "to the end of the trace", "goto end"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_goto_entry = {
    .name = "goto",
    .args = {1, 2},
    .usage = "[event] N | line N | start | end",
    .help = "jump to an event number (either way)",
    .forms = goto_forms,
    .flags = CMD_MOVES,
    .exec = cmd_goto_exec,
    .complete = goto_complete,
};

static enum cmd_result cmd_restart_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)argc;
        (void)argv;
        session_restart(ctx->s);
        return cmd_moved(ctx, STOP_START);
}

static const struct cmd_form restart_forms[] = {
    {"restart", "back to the start of the trace; breakpoints stay", "restart"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_restart_entry = {
    .name = "restart",
    .args = {0, 0},
    .usage = "",
    .help = "back to the start of the trace (breakpoints stay)",
    .forms = restart_forms,
    .flags = CMD_MOVES,
    .exec = cmd_restart_exec,
};

/* search [-b|-f] [TEXT]: without TEXT, the last one; without -b or -f, a
 * new TEXT goes forward and a repeated one the way it went last, as n does
 * in less and vim. */
static enum cmd_result cmd_search_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        int first = 1, dir = 0; /* -1 back, 1 forward, 0 not said */
        if (argc > 1 && (strcmp(argv[1], "-b") == 0 || strcmp(argv[1], "-f") == 0)) {
                dir = argv[1][1] == 'b' ? -1 : 1;
                first = 2;
        }
        char text[sizeof ctx->last_search] = "";
        for (int i = first; i < argc; i++) {
                size_t len = strlen(text);
                snprintf(text + len, sizeof text - len, "%s%s", len ? " " : "", argv[i]);
        }
        if (!text[0]) {
                if (!ctx->last_search[0])
                        return cmd_error(ctx, "expected a text to search for (no search yet to "
                                              "repeat)");
                memcpy(text, ctx->last_search, sizeof text);
                if (dir == 0)
                        dir = ctx->last_search_back ? -1 : 1;
        }
        bool back = dir < 0;
        memcpy(ctx->last_search, text, sizeof text);
        ctx->last_search_back = back;
        enum stop_reason r = session_search(ctx->s, text, back);
        if (r == STOP_DONE)
                return CMD_OK;
        return cmd_moved(ctx, r);
}

static const struct cmd_form search_forms[] = {
    {"search TEXT", "forward to the next event whose log line holds TEXT (in any case)",
     "search SHADOW_UPDATE"},
    {"search -b TEXT", "back to the previous such event", "search -b cr3"},
    {"search", "the last search again, the way it went (as n in less and vim)", "search"},
    {"search -f | -b", "the last search again, forward or back (as n and N after /)", "search -b"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_search_entry = {
    .name = "search",
    .args = {0, -1},
    .usage = "[-b|-f] [TEXT]",
    .help = "go to the next (-b: previous) event whose log line has TEXT; alone, search again",
    .forms = search_forms,
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

static const struct cmd_form where_forms[] = {
    {"where",
     "the current trace line, its events up to the current one, and what the current one means",
     "where"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_where_entry = {
    .name = "where",
    .args = {0, 0},
    .usage = "",
    .help = "show the current trace line, its events and what they mean",
    .forms = where_forms,
    .exec = cmd_where_exec,
};
