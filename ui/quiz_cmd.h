/*
 * quiz_cmd.h - the `shadow-sim quiz` subcommand: questions about a trace,
 * answered on standard input.
 */
#ifndef SHADOW_SIM_QUIZ_CMD_H
#define SHADOW_SIM_QUIZ_CMD_H

/* Runs `quiz` with argv[0] == "quiz". Returns the exit status: 0 after the
 * quiz whatever the score; EXIT_USAGE, EXIT_DATAERR, EXIT_NOINPUT or
 * EXIT_IOERR after a message on stderr. */
int quiz_main(int argc, char **argv);

#endif
