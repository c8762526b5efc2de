/*
 * cmdline.h - command lines from a script file or a pipe, within bounds.
 *
 * The debugger reads its commands from a --script file or, with --repl and
 * no terminal, from standard input. Whatever those hold (a device such as
 * /dev/zero, a binary file, a line that never ends), reading keeps at most
 * CMD_MAX_LINE bytes of a line: a longer one is reported as soon as it
 * passes the limit, and the rest of it dropped when the next line is
 * read (a script stops there and never waits for it); a NUL byte means the input is not text, which
 * ends the reading; a read error is told from the end of the input.
 */
#ifndef SHADOW_SIM_CMDLINE_H
#define SHADOW_SIM_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd.h"

enum cmdline_status {
        CMDLINE_OK,       /* buf holds the line, without its newline */
        CMDLINE_EOF,      /* the input has no more lines */
        CMDLINE_TOO_LONG, /* the line was over CMD_MAX_LINE bytes (dropped) */
        CMDLINE_NUL,      /* the line holds a NUL byte, at column col */
        CMDLINE_ERROR,    /* reading failed (errno in err) */
};

struct cmdline_reader {
        FILE *in;
        unsigned long line; /* number of the line last read */
        unsigned long col;  /* CMDLINE_NUL: its 1-based column */
        int err;            /* CMDLINE_ERROR: the errno of the read */
        bool skipping;      /* the rest of a line too long is still to drop */
        char buf[CMD_MAX_LINE + 1];
};

void cmdline_init(struct cmdline_reader *r, FILE *in);

/* Reads the next line. Returns its status; after CMDLINE_TOO_LONG the
 * reader stands inside the long line, and the next call first reads past
 * its end. */
enum cmdline_status cmdline_read(struct cmdline_reader *r);

/* Prints the error of status (CMDLINE_TOO_LONG, CMDLINE_NUL or
 * CMDLINE_ERROR) as "name:line: error: ..." on out, name escaped, and
 * returns the exit status it means: 65 for a bad line, 74 for a read
 * error. */
int cmdline_report(const struct cmdline_reader *r, enum cmdline_status status, const char *name,
                   FILE *out);

#endif
