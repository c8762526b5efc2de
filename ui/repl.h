/*
 * repl.h - the debugger prompt (shadow-sim --repl, or --script alone).
 */
#ifndef SHADOW_SIM_REPL_H
#define SHADOW_SIM_REPL_H

#include "options.h"

/* Runs the prompt: readline on a terminal, plain lines from a pipe. With
 * --script and no --repl, runs the script and exits. Returns the exit
 * status: 0, or 65 when a command, a command line or the trace was bad
 * (in a pipe or a script), 66 for an unreadable trace or script, 74 when
 * reading commands failed. */
int repl_run(const struct options *opt);

#endif
