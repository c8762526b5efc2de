/*
 * xalloc.c - allocation that cannot fail (see xalloc.h).
 */
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
        fputs("shadow-sim: out of memory\n", stderr);
        abort();
}

void *xmalloc(size_t size)
{
        void *p = malloc(size ? size : 1);
        if (!p)
                out_of_memory();
        return p;
}

void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                out_of_memory();
        return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
        if (size && n > SIZE_MAX / size)
                out_of_memory();
        size_t bytes = n * size;
        p = realloc(p, bytes ? bytes : 1);
        if (!p)
                out_of_memory();
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
