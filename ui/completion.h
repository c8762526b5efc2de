/*
 * completion.h - the `shadow-sim completion bash` subcommand: the bash
 * completion script, written from the program's own tables.
 */
#ifndef SHADOW_SIM_COMPLETION_H
#define SHADOW_SIM_COMPLETION_H

/* Runs `completion` with argv[0] == "completion". Returns 0 after writing
 * the script, EXIT_USAGE after a message, EXIT_IOERR when the output
 * failed. */
int completion_main(int argc, char **argv);

#endif
