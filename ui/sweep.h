/*
 * sweep.h - the `shadow-sim sweep` subcommand: a grid of options and
 * traces, one CSV row per run.
 */
#ifndef SHADOW_SIM_SWEEP_H
#define SHADOW_SIM_SWEEP_H

/* Runs `sweep` with argv[0] == "sweep"; prog is how the program was
 * invoked (for --list). Returns the exit status: 0 when every run
 * succeeded, EXIT_USAGE after a message, or the status of the first run
 * that failed (its row left out, the others printed). */
int sweep_main(const char *prog, int argc, char **argv);

#endif
