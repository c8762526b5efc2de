/*
 * repl.h - the debugger prompt (shadow-sim --repl), and what it shares with
 * the TUI: opening the session the options name and running a script.
 */
#ifndef SHADOW_SIM_REPL_H
#define SHADOW_SIM_REPL_H

#include "cmd.h"
#include "options.h"

/* Runs the prompt: readline on a terminal, plain lines from a pipe. With
 * --script and no --repl, runs the script and exits. Returns the exit
 * status: 0, or 65 when a command, a command line or the trace was bad
 * (in a pipe or a script), 66 for an unreadable trace or script, 74 when
 * reading commands failed. */
int repl_run(const struct options *opt);

/* Opens a session on the options' trace (the built-in sample without
 * one), comparing with the default second scheme. Returns 0, or an exit
 * status after a message on stderr. */
int stepper_open(struct session *s, const struct options *opt);

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

/* The readline history file, $XDG_STATE_HOME/shadow-sim/history or, when
 * that is unset or relative (which the XDG spec says to ignore),
 * ~/.local/state/shadow-sim/history, its directory created. Returns false
 * when there is no home to keep it in. */
bool stepper_history_path(char *buf, size_t n);

/* Makes readline complete commands and their arguments for ctx; done
 * frees what completion kept. */
void stepper_completion(struct cmd_ctx *ctx);
void stepper_completion_done(void);

#endif
