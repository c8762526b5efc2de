/*
 * cmd.c - the command table, lookup by name, alias or unique prefix, the
 * command-line splitter, output helpers and completion (help is in
 * cmd_help.c).
 */
#include "number.h"
#include "cmd.h"
#include "session_view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "run.h"

const struct cmd_entry *const cmd_table[] = {
    &cmd_step_entry,
    &cmd_next_entry,
    &cmd_stepi_entry,
    &cmd_continue_entry,
    &cmd_run_entry,
    &cmd_back_entry,
    &cmd_reverse_next_entry,
    &cmd_backi_entry,
    &cmd_reverse_continue_entry,
    &cmd_goto_entry,
    &cmd_restart_entry,
    &cmd_search_entry,
    &cmd_where_entry,
    &cmd_break_entry,
    &cmd_toggle_entry,
    &cmd_delete_entry,
    &cmd_disable_entry,
    &cmd_enable_entry,
    &cmd_info_entry,
    &cmd_translate_entry,
    &cmd_walk_entry,
    &cmd_quiz_entry,
    &cmd_mode_entry,
    &cmd_compare_entry,
    &cmd_set_entry,
    &cmd_help_entry,
    &cmd_quit_entry,
    &cmd_pause_entry,
    NULL,
};

const struct tlb *cmd_shown_tlb(const struct cmd_ctx *ctx, unsigned *cpu)
{
        const struct sim *m = session_machine(ctx->s);
        *cpu = ctx->tlb_cpu && ctx->tlb_cpu - 1 < m->cfg.vcpus ? ctx->tlb_cpu - 1 : m->cpu;
        return sim_cpu_tlb(m, *cpu);
}

void cmd_ctx_init(struct cmd_ctx *ctx, struct session *s)
{
        memset(ctx, 0, sizeof *ctx);
        ctx->s = s;
        ctx->speed = 10;
}

void cmd_ctx_free(struct cmd_ctx *ctx)
{
        cmd_quiz_drop(ctx);
}

void cmd_print(struct cmd_ctx *ctx, const char *fmt, ...)
{
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (!ctx->out)
                return;
        for (char *line = buf, *nl;; line = nl + 1) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                ctx->out(ctx->face, line);
                if (!nl)
                        break;
        }
}

enum cmd_result cmd_error(struct cmd_ctx *ctx, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
        va_end(ap);
        return CMD_ERROR;
}

/* Messages quote what was typed or read from a script: their control
 * characters and bytes outside ASCII are rewritten as \xHH, so that none
 * reaches a terminal (an escape sequence in a script file must not drive
 * it; the messages themselves are ASCII). */
static void escape_controls(char *msg, size_t size)
{
        char raw[sizeof((struct cmd_ctx *)0)->err];
        snprintf(raw, sizeof raw, "%s", msg);
        size_t o = 0;
        for (const char *p = raw; *p && o + 5 < size; p++) {
                unsigned char ch = (unsigned char)*p;
                if (ch < 0x20 || ch >= 0x7F)
                        o += (size_t)snprintf(msg + o, size - o, "\\x%02X", ch);
                else
                        msg[o++] = (char)ch;
        }
        msg[o] = '\0';
}

const char *cmd_plural(uint64_t n)
{
        return n == 1 ? "" : "s";
}

bool cmd_switch(const char *word, bool *flag)
{
        if (word && strcmp(word, "toggle") == 0)
                *flag = !*flag;
        else if (word && (strcmp(word, "on") == 0 || strcmp(word, "off") == 0))
                *flag = strcmp(word, "on") == 0;
        else
                return false;
        return true;
}

bool cmd_count(struct cmd_ctx *ctx, int argc, char **argv, uint64_t def, uint64_t *n)
{
        if (argc < 2) {
                *n = def;
                return true;
        }
        if (!parse_u64(argv[1], strlen(argv[1]), n) || *n == 0) {
                cmd_error(ctx, "expected a count (a positive number), found '%s'", argv[1]);
                return false;
        }
        return true;
}

/* ---- lookup ------------------------------------------------------------- */

static bool has_alias(const struct cmd_entry *e, const char *name)
{
        size_t n = strlen(name);
        for (const char *a = e->aliases; a && *a;) {
                size_t len = strcspn(a, " ");
                if (len == n && strncmp(a, name, n) == 0)
                        return true;
                a += len;
                a += strspn(a, " ");
        }
        return false;
}

const struct cmd_entry *cmd_each_entry(const struct cmd_ctx *ctx,
                                       bool (*fn)(const struct cmd_entry *e, void *arg), void *arg)
{
        const struct cmd_entry *const *tables[2] = {cmd_table, ctx->extra};
        for (int t = 0; t < 2; t++)
                for (size_t i = 0; tables[t] && tables[t][i]; i++)
                        if (fn(tables[t][i], arg))
                                return tables[t][i];
        return NULL;
}

static bool exact(const struct cmd_entry *e, void *arg)
{
        return strcmp(e->name, arg) == 0 || has_alias(e, arg);
}

struct prefix_search {
        const char *name;
        const struct cmd_entry *found;
        unsigned count;
        char list[256];
};

static bool prefix(const struct cmd_entry *e, void *arg)
{
        struct prefix_search *p = arg;
        if (strncmp(e->name, p->name, strlen(p->name)) == 0) {
                p->found = e;
                p->count++;
                size_t len = strlen(p->list);
                snprintf(p->list + len, sizeof p->list - len, "%s%s", len ? ", " : "", e->name);
        }
        return false;
}

const struct cmd_entry *cmd_find(struct cmd_ctx *ctx, const char *name)
{
        const struct cmd_entry *e = cmd_each_entry(ctx, exact, (void *)(uintptr_t)name);
        if (e)
                return e;
        struct prefix_search p = {.name = name};
        cmd_each_entry(ctx, prefix, &p);
        if (p.count == 1)
                return p.found;
        if (p.count > 1)
                cmd_error(ctx, "ambiguous command '%s': %s", name, p.list);
        else
                cmd_error(ctx, "unknown command '%s' (help lists them)", name);
        return NULL;
}

/* ---- running ------------------------------------------------------------ */

/* Splits line into words at blanks; "..." groups a word. Returns the
 * count, or -1 with ctx->err set. */
static int split(struct cmd_ctx *ctx, char *line, char **argv)
{
        int argc = 0;
        char *p = line;
        for (;;) {
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p)
                        return argc;
                if (argc == CMD_MAX_ARGS) {
                        cmd_error(ctx, "expected at most %d words, found more", CMD_MAX_ARGS);
                        return -1;
                }
                if (*p == '"') {
                        argv[argc++] = ++p;
                        char *q = strchr(p, '"');
                        if (!q) {
                                cmd_error(ctx, "expected a closing '\"'");
                                return -1;
                        }
                        *q = '\0';
                        p = q + 1;
                        continue;
                }
                argv[argc++] = p;
                p += strcspn(p, " \t");
                if (*p)
                        *p++ = '\0';
        }
}

/* The entry the first word (start, up to rest) names when it takes the
 * rest of its line (CMD_REST), else NULL: the line is then split into
 * words, and its first looked up as a command name. */
static const struct cmd_entry *rest_entry(struct cmd_ctx *ctx, char *start, char *rest)
{
        if (*start == '"')
                return NULL;
        char after = *rest;
        *rest = '\0';
        const struct cmd_entry *e = cmd_find(ctx, start);
        *rest = after;
        ctx->err[0] = '\0';
        return e && (e->flags & CMD_REST) ? e : NULL;
}

/* The words of a command that takes the rest of its line: the name
 * (start, ending at rest), and what follows it without the blanks around
 * it, when there is any. Returns the count. */
static int rest_of_line(char *start, char *rest, char **argv)
{
        argv[0] = start;
        if (!*rest)
                return 1;
        *rest++ = '\0';
        rest += strspn(rest, " \t");
        size_t len = strlen(rest);
        while (len > 0 && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
                rest[--len] = '\0';
        argv[1] = rest;
        return len ? 2 : 1;
}

/* cmd_run without the clean-up of its message. */
static enum cmd_result run_line(struct cmd_ctx *ctx, const char *line)
{
        char buf[CMD_MAX_LINE + 1], *argv[CMD_MAX_ARGS + 1];
        ctx->err[0] = '\0';
        ctx->last_flags = 0;
        if (strlen(line) >= sizeof buf)
                return cmd_error(ctx, "expected a command line of at most %zu characters",
                                 sizeof buf - 1);
        snprintf(buf, sizeof buf, "%s", line);
        buf[strcspn(buf, "\r\n")] = '\0';
        char *start = buf + strspn(buf, " \t");
        if (*start == '\0' || *start == '#')
                return CMD_OK;
        char *rest = start + strcspn(start, " \t");
        const struct cmd_entry *e = rest_entry(ctx, start, rest);
        int argc = e ? rest_of_line(start, rest, argv) : split(ctx, start, argv);
        if (argc < 0)
                return CMD_ERROR;
        argv[argc] = NULL;
        if (!e)
                e = cmd_find(ctx, argv[0]);
        if (!e)
                return CMD_ERROR;
        int nargs = argc - 1;
        if (nargs < e->args.min || (e->args.max >= 0 && nargs > e->args.max))
                return cmd_error(ctx, "usage: %s %s", e->name, e->usage);
        ctx->last_flags = e->flags;
        return e->exec(ctx, argc, argv);
}

enum cmd_result cmd_run(struct cmd_ctx *ctx, const char *line)
{
        ctx->fail_status = EXIT_DATAERR;
        enum cmd_result r = run_line(ctx, line);
        if (r == CMD_ERROR)
                escape_controls(ctx->err, sizeof ctx->err);
        return r;
}

/* ---- completion --------------------------------------------------------- */

struct adder {
        cmd_add_fn add;
        void *arg;
};

static bool add_name(const struct cmd_entry *e, void *arg)
{
        struct adder *a = arg;
        a->add(a->arg, e->name);
        return false;
}

void cmd_complete_names(struct cmd_ctx *ctx, cmd_add_fn add, void *arg)
{
        struct adder a = {add, arg};
        cmd_each_entry(ctx, add_name, &a);
}

void cmd_complete(struct cmd_ctx *ctx, const char *before, cmd_add_fn add, void *arg)
{
        char buf[256], *words[CMD_MAX_ARGS + 1];
        int n = 0;
        snprintf(buf, sizeof buf, "%s", before);
        for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w && n < CMD_MAX_ARGS;
             w = strtok_r(NULL, " \t", &save))
                words[n++] = w;
        words[n] = NULL;
        if (n == 0) {
                cmd_complete_names(ctx, add, arg);
                return;
        }
        char saved[sizeof ctx->err];
        memcpy(saved, ctx->err, sizeof saved);
        const struct cmd_entry *e = cmd_find(ctx, words[0]);
        memcpy(ctx->err, saved, sizeof saved);
        if (e && e->complete && (e->args.max < 0 || n <= e->args.max))
                e->complete(ctx, n, words, add, arg);
}

/* ---- where we are ------------------------------------------------------- */

const char *cmd_narration(const struct cmd_ctx *ctx)
{
        const struct session *s = ctx->s;
        return ctx->narration && s->op_known && session_ops(s) ? s->note : "";
}

/* Prints the trace's narration of the current line, each comment line
 * after lead. */
static void print_narration(struct cmd_ctx *ctx, const char *lead)
{
        for (const char *n = ctx->s->note; *n;) {
                size_t len = strcspn(n, "\n");
                cmd_print(ctx, "%s# %.*s", lead, (int)len, n);
                n += len + (n[len] == '\n');
        }
}

void cmd_where(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        char buf[512];
        if (session_ops(s) == 0 || !s->op_known) {
                cmd_print(ctx, "At the start of %s: nothing applied yet (step, stepi, continue).",
                          s->name);
                return;
        }
        bool narrated = cmd_narration(ctx)[0]; /* set narration: in the explanation */
        if (!narrated)
                print_narration(ctx, "");
        op_format(&s->op, buf, sizeof buf);
        char on[32] = ""; /* the vCPU the line ran on, on a machine of several */
        if (s->sim.cfg.vcpus > 1)
                snprintf(on, sizeof on, " on vCPU %u", s->sim.cpu);
        cmd_print(ctx, "line %llu%s: %s   [event %llu, %u%%]", (unsigned long long)s->op.line, on,
                  buf, (unsigned long long)session_seq(s), session_percent(s));
        for (size_t i = 0; i < s->shown; i++) {
                event_format(&s->evs[i], buf, sizeof buf);
                cmd_print(ctx, "%s #%llu %s", i + 1 == s->shown ? "=>" : "  ",
                          (unsigned long long)s->evs[i].seq, buf);
        }
        if (s->shown < s->nevs)
                cmd_print(ctx, "   (%zu more event%s on this line: stepi shows %s)",
                          s->nevs - s->shown, cmd_plural(s->nevs - s->shown),
                          s->nevs - s->shown == 1 ? "it" : "them");
        if (narrated)
                print_narration(ctx, "   ");
        if (s->shown) {
                session_explain(s, buf, sizeof buf);
                cmd_print(ctx, "   %s", buf);
        }
}

/* Breakpoints reported by name at one stop; more are counted. */
#define REPORT_HITS 8

/* One line for each breakpoint that stops on the current event. */
static void report_breakpoints(struct cmd_ctx *ctx)
{
        struct session *s = ctx->s;
        const struct breakpoint *hits[REPORT_HITS];
        size_t n = session_break_hits(s, hits, REPORT_HITS);
        for (size_t i = 0; i < n && i < REPORT_HITS; i++) {
                char what[96];
                bp_describe(hits[i], what, sizeof what);
                cmd_print(ctx, "Breakpoint %d (%s), event #%llu, hit %llu time%s", hits[i]->id,
                          what, (unsigned long long)session_seq(s),
                          (unsigned long long)hits[i]->hits, cmd_plural(hits[i]->hits));
        }
        if (n > REPORT_HITS)
                cmd_print(ctx,
                          "... and %zu more breakpoints stop here (info breakpoints lists them)",
                          n - REPORT_HITS);
}

void cmd_report_stop(struct cmd_ctx *ctx, enum stop_reason r)
{
        struct session *s = ctx->s;
        switch (r) {
        case STOP_DONE:
                break;
        case STOP_BREAK:
                report_breakpoints(ctx);
                break;
        case STOP_END:
                if (s->msg[0])
                        cmd_print(ctx, "%s", s->msg);
                else
                        cmd_print(ctx, "End of trace: %llu line%s applied, %llu event%s",
                                  (unsigned long long)session_ops(s), cmd_plural(session_ops(s)),
                                  (unsigned long long)s->sim.seq, cmd_plural(s->sim.seq));
                break;
        case STOP_START:
                cmd_print(ctx, "%s", s->msg[0] ? s->msg : "Start of trace");
                break;
        case STOP_INTERRUPT:
                cmd_print(ctx, "Interrupted at event #%llu", (unsigned long long)session_seq(s));
                break;
        case STOP_ERROR:
                cmd_print(ctx, "%s", s->msg);
                break;
        }
}

enum cmd_result cmd_moved(struct cmd_ctx *ctx, enum stop_reason r)
{
        cmd_report_stop(ctx, r);
        if (r != STOP_ERROR)
                return CMD_OK;
        ctx->err[0] = '\0';
        ctx->fail_status = session_error_status(ctx->s);
        return CMD_ERROR;
}
