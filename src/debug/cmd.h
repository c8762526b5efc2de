/*
 * cmd.h - the debugger's commands: one table that every face uses.
 *
 * A command is an entry with a name, gdb-style aliases, a usage line, a
 * one-line help and the function that runs it. The REPL, the TUI's command
 * line, a --script file and the TUI's key bindings all hand a command
 * string to cmd_run(), so they cannot disagree. A face may add commands of
 * its own (the TUI's zoom or focus) as a second table with the same entry
 * type. Names are found exactly, by alias, or by a unique prefix.
 *
 * Commands talk to the user only through the context's output function,
 * one line at a time, and report failures with cmd_error(); no command
 * prints or reads a terminal itself.
 */
#ifndef SHADOW_SIM_CMD_H
#define SHADOW_SIM_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quiz.h"
#include "session.h"

#define CMD_MAX_ARGS 16
/* The fastest run and set speed allow, in events a second. */
#define CMD_MAX_SPEED 100000u
/* Longest command line, in bytes, without its newline. */
#define CMD_MAX_LINE 1023

enum cmd_result {
        CMD_OK,
        CMD_ERROR, /* the message is in ctx->err */
        CMD_QUIT,
};

/* Flags of an entry. */
#define CMD_MOVES 0x1 /* changes the position: faces show where it is after */
#define CMD_REST  0x2 /* takes the rest of the line, as it is, as its one argument */

struct cmd_ctx;

/* Receives one completion candidate (the face filters by prefix). */
typedef void (*cmd_add_fn)(void *arg, const char *word);

/* One way of writing a command, for help COMMAND. */
struct cmd_form {
        const char *synopsis; /* "break ADDR[/SIZE]" */
        const char *help;     /* what this form does */
        const char *example;  /* "break 0x400000/2M" */
};

/* A command, written with designated initializers:
 *
 *     const struct cmd_entry cmd_step_entry = {
 *         .name = "step", .aliases = "s", .args = {0, 1}, .usage = "[N]",
 *         .help = "run N trace lines", .flags = CMD_MOVES, .exec = step_exec,
 *     };
 */
struct cmd_entry {
        const char *name;
        const char *aliases; /* space-separated, or NULL: "s", "rs reverse-step" */
        struct {
                int min, max; /* words after the name; max -1: any number */
        } args;
        const char *usage; /* the arguments, e.g. "[N]"; "" for none */
        const char *help;  /* one line */
        /* Every form, ending with one whose synopsis is NULL (NULL: the
         * usage is the only form). */
        const struct cmd_form *forms;
        unsigned flags;
        enum cmd_result (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
        /* Optional: offers the words that may stand as argument number argc
         * (1 = the first after the name), argv[0..argc) being the words typed
         * before it. */
        void (*complete)(struct cmd_ctx *ctx, int argc, char **argv, cmd_add_fn add, void *arg);
        /* Optional: what help COMMAND prints after the forms (the words an
         * argument takes), in columns from col (cmd_print_columns). */
        void (*more_help)(struct cmd_ctx *ctx, int col);
};

/* The stepper's colours (set theme): for a dark or a light background. */
enum cmd_theme { CMD_THEME_DARK, CMD_THEME_LIGHT };

/* What a face lends the commands. Fields a face does not use stay zero. */
struct cmd_ctx {
        struct session *s;
        /* One line of output, without a newline. */
        void (*out)(void *face, const char *line);
        void *face;
        /* The face's own commands (NULL-terminated), or NULL. */
        const struct cmd_entry *const *extra;
        /* The breakpoint the entry selected on screen suggests (its page,
         * or the range a table entry covers). */
        bool (*selection)(void *face, struct breakpoint *bp);
        /* Shows help on a topic (NULL: all) the face's way; when absent,
         * help prints the command table. */
        void (*show_help)(void *face, const char *topic);
        /* Settings (set). */
        unsigned speed;       /* events per second while running (set speed) */
        enum cmd_theme theme; /* the stepper's colours (set theme) */
        bool deltas;          /* counters show what the current line added (set deltas) */
        bool narration;       /* the explanation starts with the line's narration (set narration) */
        /* The stepper's quiz (quiz on, cmd_quiz.c): a step asks about the
         * line it runs before it runs it. */
        struct cmd_quiz {
                bool on;
                bool pending;           /* q waits for its answer; the step is not made yet */
                bool use_bps;           /* that step stops at breakpoints (step, not next) */
                bool both;              /* its line defines both kinds of answer */
                bool refs_turn;         /* a line that defines both is asked its references */
                uint64_t at[3];         /* where the session stood when q was asked */
                struct quiz_question q; /* the question (q.context: the line) */
                unsigned right, asked;  /* the score */
        } quiz;
        /* A script (--script, -e) is running the commands: pause stops it,
         * setting pause_requested and its text (escaped) for the face. */
        bool in_script;
        bool pause_requested;
        char pause_text[CMD_MAX_LINE + 1];
        unsigned width; /* columns help lays its text out for (0: 80) */
        int widest;     /* the longest left cmd_print_columns saw with no out */
        /* Set by cmd_run and the commands for the face to act on. */
        unsigned last_flags; /* flags of the last command run (CMD_MOVES) */
        bool run_requested;  /* start the animated run (run) */
        int fail_status;     /* the exit status the last command's failure deserves */
        char err[512];
        char last_search[128];
        bool last_search_back; /* the last search went backward */
        unsigned tlb_cpu;      /* whose TLB is shown: 0 the current event's vCPU, n vCPU n-1 */
        uint64_t walk_seq;     /* the event the walk command drew last */
        unsigned walk_ref;     /* the reference it highlighted (1-based) */
};

/* The built-in command table, NULL-terminated, and its entries (one
 * cmd_*.c file per group of commands). */
extern const struct cmd_entry *const cmd_table[];
extern const struct cmd_entry cmd_step_entry, cmd_next_entry, cmd_stepi_entry, cmd_continue_entry,
    cmd_run_entry, cmd_back_entry, cmd_reverse_next_entry, cmd_backi_entry,
    cmd_reverse_continue_entry, cmd_goto_entry, cmd_restart_entry, cmd_search_entry,
    cmd_where_entry;
extern const struct cmd_entry cmd_break_entry, cmd_toggle_entry, cmd_delete_entry,
    cmd_disable_entry, cmd_enable_entry;
extern const struct cmd_entry cmd_info_entry, cmd_translate_entry, cmd_walk_entry;
extern const struct cmd_entry cmd_mode_entry, cmd_compare_entry, cmd_set_entry, cmd_help_entry,
    cmd_quit_entry, cmd_pause_entry, cmd_quiz_entry;

/* The TLB the stepper's pane and info tlb show (set tlb-cpu), of the
 * machine at the current event; *cpu receives its vCPU. */
const struct tlb *cmd_shown_tlb(const struct cmd_ctx *ctx, unsigned *cpu);

/* Prepares ctx for session s (speed 10). */
void cmd_ctx_init(struct cmd_ctx *ctx, struct session *s);

/* Frees what the commands keep in ctx (a question of the quiz waiting for
 * its answer). */
void cmd_ctx_free(struct cmd_ctx *ctx);

/* ---- the stepper's quiz (cmd_quiz.c) ------------------------------------ */

/* For step and next (use_bps: whether the step stops at breakpoints) with
 * a count of 1: when the quiz is on, outside a script, asks about the line
 * the step would run, standing at the end of a line (or the start) with
 * one to come. Returns true when a question now waits in ctx->quiz.q and
 * the step is not made: the face shows the question and hands the reply to
 * cmd_quiz_answer. */
bool cmd_quiz_asks(struct cmd_ctx *ctx, bool use_bps);

/* Judges reply against the waiting question, counts it, makes the step it
 * held back, and prints the verdict with the score ("right (quiz 3/4)")
 * and, with story, after a wrong one what the machines logged on the line
 * and why; then where the step stopped, as a move reports it. Sets
 * CMD_MOVES in last_flags. CMD_ERROR when no question waits. */
enum cmd_result cmd_quiz_answer(struct cmd_ctx *ctx, const char *reply, bool story);

/* Drops the waiting question: no step, nothing counted. */
void cmd_quiz_drop(struct cmd_ctx *ctx);

/* What the explanation starts with: the current line's narration (its
 * comment lines, one a line) when set narration is on, else "" (and when
 * the line has none). */
const char *cmd_narration(const struct cmd_ctx *ctx);

/* Finds a command by name, alias or unique prefix, in the built-in table
 * and ctx->extra. Returns NULL with a sentence in ctx->err. */
const struct cmd_entry *cmd_find(struct cmd_ctx *ctx, const char *name);

/* Runs one command line (blank lines and '#' comments do nothing).
 * CMD_ERROR leaves a sentence in ctx->err. */
enum cmd_result cmd_run(struct cmd_ctx *ctx, const char *line);

/* For the commands: output and errors. */
__attribute__((format(printf, 2, 3))) void cmd_print(struct cmd_ctx *ctx, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) enum cmd_result cmd_error(struct cmd_ctx *ctx,
                                                                const char *fmt, ...);

/* "" for 1, else "s": "%llu event%s". */
const char *cmd_plural(uint64_t n);

/* Changes *flag as word says: "on", "off" or "toggle". False, *flag left
 * as it was, for any other word (or NULL). */
bool cmd_switch(const char *word, bool *flag);

/* Parses a count argument (default def when argv has none). */
bool cmd_count(struct cmd_ctx *ctx, int argc, char **argv, uint64_t def, uint64_t *n);

/* Prints the help of one command (every form, with examples), or the
 * whole table, laid out for ctx->width. */
enum cmd_result cmd_help_text(struct cmd_ctx *ctx, const char *topic);

/* Prints left from column 2 and text from column col, both wrapped at
 * ctx->width; when left reaches col, text starts on the line below. With
 * no ctx->out it only measures: ctx->widest becomes the longest left. */
void cmd_print_columns(struct cmd_ctx *ctx, const char *left, int col, const char *text);

/* Calls fn on every entry of the built-in table, then of ctx->extra,
 * until fn returns true; returns that entry, or NULL. */
const struct cmd_entry *cmd_each_entry(const struct cmd_ctx *ctx,
                                       bool (*fn)(const struct cmd_entry *e, void *arg), void *arg);

/* Completion: calls add for each word that may stand at the word being
 * typed, given the line before it (the face filters by prefix): a command
 * name, or what the command's complete hook offers. */
void cmd_complete(struct cmd_ctx *ctx, const char *before, cmd_add_fn add, void *arg);

/* Offers every command name (both tables), for completion hooks. */
void cmd_complete_names(struct cmd_ctx *ctx, cmd_add_fn add, void *arg);

/* Prints where the session stands: the trace's narration of the line (set
 * narration on: with the explanation instead, before it), the trace line,
 * its events up to the current one, and what the current event means. */
void cmd_where(struct cmd_ctx *ctx);

/* Prints one line saying why a move stopped (nothing for STOP_DONE). */
void cmd_report_stop(struct cmd_ctx *ctx, enum stop_reason r);

/* Reports where a move stopped and what the command that made it returns:
 * a trace that could not be read on is a failure the face counts, with
 * the status the batch run would give it (fail_status); its message has
 * been printed already. */
enum cmd_result cmd_moved(struct cmd_ctx *ctx, enum stop_reason r);

#endif
