/*
 * output.c - flushing standard output and reporting a write error (see
 * output.h).
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* Why the first write that failed failed: the reason the message gives,
 * kept because a later flush with nothing left to write no longer says. */
static int write_errno;

bool output_flushed(void)
{
        errno = 0;
        if (fflush(stdout) == 0 && !ferror(stdout))
                return true;
        if (!write_errno)
                write_errno = errno ? errno : EIO;
        return false;
}

int output_finish(const char *prog, int status)
{
        if (output_flushed() || status != 0)
                return status;
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(write_errno));
        return EXIT_IOERR;
}
