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
#include "options.h"

/* Opens a session on the options' trace (the built-in sample without
 * one), comparing with the default second scheme. Returns 0, or an exit
 * status after a message on stderr. */
int stepper_open(struct session *s, const struct options *opt);

/* The settings the command line and the environment give: --theme, else
 * the light theme when COLORFGBG names a light background (its last
 * field 7 or 15, as rxvt and others set it), else the dark one. */
void stepper_settings(struct cmd_ctx *ctx, const struct options *opt);

/* Runs every command of the file at path through ctx, stopping at the
 * first that fails. Returns 0, or an exit status after
 * "path:line: error: ..." on stderr: 65 for a command that failed, a line
 * over CMD_MAX_LINE bytes or one with a NUL byte (cmdline.h), 66 when the
 * file cannot be read at all, 74 when reading fails on the way. A quit in
 * the script sets *quit. */
int stepper_script(struct cmd_ctx *ctx, const char *path, bool *quit);

/* Runs what the command line gives before the face starts: the --script
 * file, then each -e command, stopping at the first that fails. Returns 0,
 * or an exit status after a message (65: "-e 'CMD': error: ..."). A quit
 * sets *quit. */
int stepper_prelude(struct cmd_ctx *ctx, const struct options *opt, bool *quit);

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
