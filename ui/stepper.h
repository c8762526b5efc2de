/*
 * stepper.h - what the two faces of the debugger share: the prompt
 * (repl.c) and the full-screen stepper (tui.c) open the session the
 * options name, run the --script file and the -e commands before they
 * start, keep a readline history and complete commands with readline.
 */
#ifndef SHADOW_SIM_STEPPER_H
#define SHADOW_SIM_STEPPER_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"
#include "cmdline.h"
#include "options.h"

/* Opens a session on the options' trace (the built-in sample without
 * one), comparing with the default second scheme. Returns 0, or an exit
 * status after a message on stderr. */
int stepper_open(struct session *s, const struct options *opt);

/* The settings the command line and the environment give: --theme, else
 * the light theme when COLORFGBG names a light background (its last
 * field 7 or 15, as rxvt and others set it), else the dark one. */
void stepper_settings(struct cmd_ctx *ctx, const struct options *opt);

/* What the command line gives to run before the face starts: the
 * --script file, then each -e command. A pause in them stops them there
 * (pause [TEXT], cmd_pause.c), and a later run goes on from it, so that a
 * face can show a prepared lecture a step at a time. */
enum script_state {
        SCRIPT_PAUSED,  /* stopped at a pause (or not started): a run goes on */
        SCRIPT_RUNNING, /* (inside a run) */
        SCRIPT_DONE,    /* every command ran, or one failed */
        SCRIPT_QUIT,    /* a quit ran */
};

struct stepper_script {
        const struct options *opt;
        enum script_state state;
        FILE *f;                  /* the --script file, once opened */
        struct cmdline_reader in; /* its lines, read as far as the script ran */
        bool file_done;           /* its last line ran */
        unsigned next_eval;       /* the -e command to run next */
};

/* Runs a line for a face that shows what it does (the stepper's
 * tui_exec); NULL: cmd_run. */
typedef enum cmd_result (*stepper_run_fn)(void *face, const char *line);

/* Prepares the script of the options (done at once without one). */
void stepper_script_init(struct stepper_script *sc, const struct options *opt);

/* Runs the script on through ctx (each line through run) up to a pause
 * (sc->state SCRIPT_PAUSED, its text in ctx->pause_text), a quit or its
 * end. Returns 0, or an exit status after a message on errors: 65 for a
 * command that failed ("path:line: error: ..." or "-e 'CMD': error:
 * ..."), a line over CMD_MAX_LINE bytes or one with a NUL byte
 * (cmdline.h), 66 when the file cannot be read at all, 74 when reading or
 * writing fails on the way; the script is then done. */
int stepper_script_run(struct stepper_script *sc, struct cmd_ctx *ctx, stepper_run_fn run,
                       void *face, FILE *errors);

/* Closes the file; the rest of the script, if any, is dropped. */
void stepper_script_end(struct stepper_script *sc);

/* Flushes what the commands printed on standard output. Returns true, or
 * false after saying why on stderr when it could not be written (then
 * nobody reads what follows). */
bool stepper_flush(void);

/* The readline history file, $XDG_STATE_HOME/shadow-sim/history or, when
 * that is unset or relative (which the XDG spec says to ignore),
 * ~/.local/state/shadow-sim/history, its directory created. Returns false
 * when there is no home to keep it in. */
bool stepper_history_path(char *buf, size_t n);

/* Makes readline complete commands and their arguments for ctx (through
 * cmd_complete); done frees what completion kept. */
void stepper_completion(struct cmd_ctx *ctx);
void stepper_completion_done(void);

#endif
