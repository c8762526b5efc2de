/*
 * gen_cmd.h - the `shadow-sim gen` subcommand: writes a generated trace.
 */
#ifndef SHADOW_SIM_GEN_CMD_H
#define SHADOW_SIM_GEN_CMD_H

/* Runs `gen` with argv[0] == "gen". Returns the exit status: 0, EXIT_USAGE
 * after a message on stderr, EXIT_IOERR when standard output failed. */
int gen_main(int argc, char **argv);

#endif
