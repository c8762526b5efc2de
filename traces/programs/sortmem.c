/*
 * sortmem.c - a small real program whose memory trace ships in traces/.
 *
 * Fills a heap array with pseudo-random numbers, sorts it with the C
 * library's qsort and checks the order: code, stack, static data and heap
 * pages are all touched, and the exit status says whether the sort worked.
 * traces/sortmem.lackey.cmd has the commands that recorded its trace.
 */
#include <stdlib.h>

enum { COUNT = 1024 };

static int compare(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

int main(void)
{
        int *v = malloc(COUNT * sizeof *v);
        if (!v)
                return 2;
        unsigned x = 1;
        for (int i = 0; i < COUNT; i++) {
                x = x * 1103515245u + 12345u;
                v[i] = (int)(x >> 8);
        }
        qsort(v, COUNT, sizeof *v, compare);
        int sorted = 1;
        for (int i = 1; i < COUNT; i++)
                sorted &= v[i - 1] <= v[i];
        free(v);
        return !sorted;
}
