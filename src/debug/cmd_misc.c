/*
 * cmd_misc.c - the scheme (mode, compare), settings (set: a table of them,
 * each shown, changed and completed the same way) and quit.
 */
#include <stddef.h>
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

/* Offers every scheme, from the registry. */
static void add_schemes(cmd_add_fn add, void *arg)
{
        for (int m = 0; m < MODE_COUNT; m++)
                add(arg, mode_name((enum mmu_mode)m));
}

/* help mode, help compare: every scheme and the design it models. */
static void schemes_more_help(struct cmd_ctx *ctx, int col)
{
        for (int m = 0; m < MODE_COUNT; m++)
                cmd_print_columns(ctx, mode_name((enum mmu_mode)m), col,
                                  scheme_of((enum mmu_mode)m)->design);
}

static void mode_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        add_schemes(add, arg);
}

static const struct cmd_form mode_forms[] = {
    {"mode SCHEME", "replay to the same trace line under SCHEME (one of those below)", "mode ept"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_mode_entry = {
    .name = "mode",
    .args = {1, 1},
    .usage = "SCHEME",
    .help = "replay to the same line under another scheme (help mode lists them)",
    .forms = mode_forms,
    .flags = CMD_MOVES,
    .exec = cmd_mode_exec,
    .complete = mode_complete,
    .more_help = schemes_more_help,
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

static void compare_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        add_schemes(add, arg);
        add(arg, "off");
}

static const struct cmd_form compare_forms[] = {
    {"compare SCHEME", "run SCHEME beside this one on the same lines, counters side by side",
     "compare native"},
    {"compare off", "run no second scheme", "compare off"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_compare_entry = {
    .name = "compare",
    .args = {1, 1},
    .usage = "SCHEME|off",
    .help = "run a second scheme beside this one, counters side by side",
    .forms = compare_forms,
    .exec = cmd_compare_exec,
    .complete = compare_complete,
    .more_help = schemes_more_help,
};

/* ---- settings ----------------------------------------------------------- */

struct setting;

static const char *const theme_names[] = {
    [CMD_THEME_DARK] = "dark", [CMD_THEME_LIGHT] = "light", NULL};

static void show_speed(struct cmd_ctx *ctx, const struct setting *st, char *buf, size_t n)
{
        (void)st;
        snprintf(buf, n, "%u", ctx->speed);
}

static enum cmd_result set_speed(struct cmd_ctx *ctx, const struct setting *st, const char *value)
{
        (void)st;
        uint64_t n;
        if (!value || !parse_u64(value, strlen(value), &n) || n == 0 || n > CMD_MAX_SPEED)
                return cmd_error(ctx, "expected 'set speed N' with N events a second, 1..%u",
                                 CMD_MAX_SPEED);
        ctx->speed = (unsigned)n;
        return CMD_OK;
}

static void show_theme(struct cmd_ctx *ctx, const struct setting *st, char *buf, size_t n)
{
        (void)st;
        snprintf(buf, n, "%s", theme_names[ctx->theme]);
}

static enum cmd_result set_theme(struct cmd_ctx *ctx, const struct setting *st, const char *value)
{
        (void)st;
        for (int i = 0; value && theme_names[i]; i++)
                if (strcmp(value, theme_names[i]) == 0) {
                        ctx->theme = (enum cmd_theme)i;
                        return CMD_OK;
                }
        return cmd_error(ctx, "expected 'set theme dark' or 'set theme light', found '%s'",
                         value ? value : "nothing");
}

static const char *const switch_words[] = {"on", "off", "toggle", NULL};

/* The on/off settings (deltas, narration): the flag of ctx they turn, and
 * what set says each way. */
struct switch_setting {
        size_t flag; /* offsetof the bool in struct cmd_ctx */
        const char *on, *off;
};

static const struct switch_setting deltas_switch = {
    offsetof(struct cmd_ctx, deltas),
    "Counters: what the current line added (set deltas off: the totals)",
    "Counters: the totals",
};

/* The explanation starts with the trace's narration of the line (the
 * comment lines above it, trace_note), which the log shows anyway. */
static const struct switch_setting narration_switch = {
    offsetof(struct cmd_ctx, narration),
    "Explanation: the trace's narration of the line first",
    "Explanation: what the machine did",
};

static bool *switch_flag(struct cmd_ctx *ctx, const struct switch_setting *sw)
{
        return (bool *)((char *)ctx + sw->flag);
}

static const char *const tlb_cpu_words[] = {"auto", NULL};

static void show_tlb_cpu(struct cmd_ctx *ctx, const struct setting *st, char *buf, size_t n)
{
        (void)st;
        if (ctx->tlb_cpu > 0)
                snprintf(buf, n, "%u", ctx->tlb_cpu - 1);
        else
                snprintf(buf, n, "auto");
}

/* Which vCPU's TLB the stepper's pane and info tlb show: auto (the
 * current event's) or a number. */
static enum cmd_result set_tlb_cpu(struct cmd_ctx *ctx, const struct setting *st, const char *value)
{
        (void)st;
        uint64_t n;
        unsigned vcpus = ctx->s->sim.cfg.vcpus;
        if (value && strcmp(value, "auto") == 0) {
                ctx->tlb_cpu = 0;
                return CMD_OK;
        }
        if (!value || !parse_u64(value, strlen(value), &n) || n >= vcpus)
                return cmd_error(ctx, "expected 'set tlb-cpu auto' or a vCPU 0..%u, found '%s'",
                                 vcpus - 1, value ? value : "nothing");
        ctx->tlb_cpu = (unsigned)n + 1;
        return CMD_OK;
}

/* A setting: its name, the words its value may be (NULL: a number), what
 * it is, and how it is shown and changed; an on/off one (sw) is shown and
 * changed by show_switch and set_switch. */
struct setting {
        const char *name;
        const char *const *values;
        const char *what;
        void (*show)(struct cmd_ctx *ctx, const struct setting *st, char *buf, size_t n);
        enum cmd_result (*change)(struct cmd_ctx *ctx, const struct setting *st, const char *value);
        const struct switch_setting *sw;
};

static void show_switch(struct cmd_ctx *ctx, const struct setting *st, char *buf, size_t n)
{
        snprintf(buf, n, "%s", *switch_flag(ctx, st->sw) ? "on" : "off");
}

static enum cmd_result set_switch(struct cmd_ctx *ctx, const struct setting *st, const char *value)
{
        bool *flag = switch_flag(ctx, st->sw);
        if (!cmd_switch(value, flag))
                return cmd_error(ctx, "expected 'set %s on', 'off' or 'toggle', found '%s'",
                                 st->name, value ? value : "nothing");
        cmd_print(ctx, "%s", *flag ? st->sw->on : st->sw->off);
        return CMD_OK;
}

static const struct setting settings[] = {
    {"speed", NULL, "events a second while running", show_speed, set_speed, NULL},
    {"theme", theme_names, "the stepper's colours, for a dark or a light background", show_theme,
     set_theme, NULL},
    {"deltas", switch_words, "counters show what the current line added, not the totals",
     show_switch, set_switch, &deltas_switch},
    {"narration", switch_words, "the explanation starts with the trace's comments on the line",
     show_switch, set_switch, &narration_switch},
    {"tlb-cpu", tlb_cpu_words,
     "whose TLB the pane and info tlb show: the current event's vCPU "
     "(auto) or vCPU N",
     show_tlb_cpu, set_tlb_cpu, NULL},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static enum cmd_result cmd_set_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        char value[64], names[128] = "";
        for (size_t i = 0; i < NSETTINGS; i++) {
                const struct setting *st = &settings[i];
                if (argc == 1) {
                        st->show(ctx, st, value, sizeof value);
                        cmd_print(ctx, "%s %s (%s)", st->name, value, st->what);
                } else if (strcmp(argv[1], st->name) == 0) {
                        return st->change(ctx, st, argc > 2 ? argv[2] : NULL);
                }
                size_t len = strlen(names);
                snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", st->name);
        }
        if (argc == 1)
                return CMD_OK;
        return cmd_error(ctx, "expected a setting (%s), found '%s'", names, argv[1]);
}

static void set_complete(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg)
{
        (void)ctx;
        for (size_t i = 0; i < NSETTINGS; i++) {
                const struct setting *st = &settings[i];
                if (argc == 1)
                        add(arg, st->name);
                else if (argc == 2 && strcmp(argv[1], st->name) == 0)
                        for (size_t v = 0; st->values && st->values[v]; v++)
                                add(arg, st->values[v]);
        }
}

static const struct cmd_form set_forms[] = {
    {"set", "show the settings", "set"},
    {"set speed N", "events a second while run animates, 1..100000", "set speed 50"},
    {"set theme dark|light",
     "the stepper's colours, for a dark or a light background (a projector)", "set theme light"},
    {"set deltas on|off|toggle",
     "the counters (the stepper's bar, info stats) show what the current line added",
     "set deltas on"},
    {"set narration on|off|toggle",
     "the explanation (the stepper's, where's) starts with the trace's comment lines above the "
     "current line",
     "set narration on"},
    {"set tlb-cpu auto|N",
     "whose TLB the stepper's pane and info tlb show: the current event's vCPU, or vCPU N",
     "set tlb-cpu 1"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_set_entry = {
    .name = "set",
    .args = {0, 2},
    .usage = "[SETTING [VALUE]]",
    .help = "show or change settings",
    .forms = set_forms,
    .exec = cmd_set_exec,
    .complete = set_complete,
};

static enum cmd_result cmd_quit_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
        (void)ctx;
        (void)argc;
        (void)argv;
        return CMD_QUIT;
}

static const struct cmd_form quit_forms[] = {
    {"quit", "leave the debugger", "q"},
    {NULL, NULL, NULL},
};

const struct cmd_entry cmd_quit_entry = {
    .name = "quit",
    .aliases = "q exit",
    .args = {0, 0},
    .usage = "",
    .help = "leave the debugger",
    .forms = quit_forms,
    .exec = cmd_quit_exec,
};
