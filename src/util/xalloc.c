/*
 * xalloc.c - allocation that cannot fail (see xalloc.h).
 */
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* EX_OSERR of sysexits.h. */
#define EXIT_OUT_OF_MEMORY 71

/* Ends the process: no unwinding (the state is half-changed), no flush of
 * buffered output that could end in a partial line, no core dump. */
static _Noreturn void out_of_memory(size_t bytes)
{
        char msg[160];
        int n = snprintf(msg, sizeof msg,
                         "shadow-sim: out of memory (allocating %zu bytes); --max-mem sets the "
                         "limit that refuses a trace at its line\n",
                         bytes);
        if (n > 0) {
                ssize_t written = write(STDERR_FILENO, msg, (size_t)n);
                (void)written; /* a failed write cannot be reported */
        }
        _exit(EXIT_OUT_OF_MEMORY);
}

void *xmalloc(size_t size)
{
        void *p = malloc(size ? size : 1);
        if (!p)
                out_of_memory(size);
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                out_of_memory(n * size);
        return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
        if (size && n > SIZE_MAX / size)
                out_of_memory(SIZE_MAX);
        size_t bytes = n * size;
        p = realloc(p, bytes ? bytes : 1);
        if (!p)
                out_of_memory(bytes);
        return p;
}

void *xmemdup(const void *p, size_t size)
{
        void *q = xmalloc(size);
        if (size)
                memcpy(q, p, size);
        return q;
}

char *xstrdup(const char *s)
{
        return xmemdup(s, strlen(s) + 1);
}
