/*
 * output.h - the end of what a command writes on standard output: the
 * buffered rest is flushed and a write error that happened on the way,
 * now or earlier, is reported instead of lost.
 */
#ifndef SHADOW_SIM_OUTPUT_H
#define SHADOW_SIM_OUTPUT_H

#include <stdbool.h>

/* Flushes stdout. Returns whether everything written to it so far reached
 * its file: false after a write error (a full disk, a closed pipe), now
 * or in an earlier write whose error glibc kept in the stream. */
bool output_flushed(void);

/* Finishes a command's output: returns status, or EXIT_IOERR after
 * "PROG: write error: REASON" on stderr when status was 0 and stdout
 * could not be written (a status that already says why the command
 * failed is kept). */
int output_finish(const char *prog, int status);

#endif
