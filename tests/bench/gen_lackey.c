/*
 * gen_lackey.c - writes a synthetic Valgrind lackey trace for the benchmark.
 *
 * Usage: gen_lackey COUNT [HEAP_PAGES]
 *
 * Prints a lackey banner and COUNT access lines shaped like those of a real
 * program under `valgrind --tool=lackey --trace-mem=yes`: instruction
 * fetches ("I  0040a3c4,3") walking through a code region with short jumps,
 * and after about half of them a load, store or modify (" L", " S", " M")
 * on the stack (a few hot pages) or on a heap of HEAP_PAGES pages (default
 * 512), with locality: runs of accesses near the previous heap address and
 * now and then a jump elsewhere.
 *
 * The output is a pure function of the arguments (a fixed linear
 * congruential generator), and every page of the working set is touched in
 * the first few hundred thousand lines, so a trace of 5 million lines and
 * one of 50 million touch the same pages: peak memory must be the same.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CODE_BASE  UINT64_C(0x400000)
#define CODE_PAGES 64
#define STACK_TOP  UINT64_C(0x1ffefff000)
#define STACK_SPAN (8 * 4096)
#define HEAP_BASE  UINT64_C(0x4a2c000)

/* A 64-bit LCG (Knuth's MMIX constants); the high bits are the good ones. */
static uint64_t next(uint64_t *state)
{
        *state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        return *state >> 33;
}

/* Parses a positive count. Returns 0 on anything else. */
static uint64_t parse_count(const char *s)
{
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        return (*s >= '0' && *s <= '9' && *end == '\0') ? (uint64_t)v : 0;
}

int main(int argc, char **argv)
{
        uint64_t count = argc > 1 ? parse_count(argv[1]) : 0;
        uint64_t heap_pages = argc > 2 ? parse_count(argv[2]) : 512;
        if (argc < 2 || argc > 3 || count == 0 || heap_pages == 0) {
                fprintf(stderr, "usage: gen_lackey COUNT [HEAP_PAGES]\n");
                return 64;
        }
        static char buf[1 << 16];
        setvbuf(stdout, buf, _IOFBF, sizeof buf);
        printf("==4242== Lackey, an example Valgrind tool\n"
               "==4242== Command: ./workload\n"
               "==4242== \n");

        uint64_t rng = 42, pc = CODE_BASE + 0x3c4, heap = HEAP_BASE;
        uint64_t code_span = CODE_PAGES * UINT64_C(4096), heap_span = heap_pages * UINT64_C(4096);
        uint64_t written = 0;
        while (written < count) {
                uint64_t r = next(&rng);
                unsigned size = 1 + (unsigned)(r % 7);
                printf("I  %08" PRIx64 ",%u\n", pc, size);
                written++;
                /* Straight-line code, a short branch now and then, a far
                 * call (another code page) more rarely. */
                if (r % 16 == 0)
                        pc = CODE_BASE + (next(&rng) % code_span);
                else if (r % 4 == 0)
                        pc += (next(&rng) % 256) - 128;
                else
                        pc += size;
                if (pc < CODE_BASE || pc >= CODE_BASE + code_span - 8)
                        pc = CODE_BASE + 0x3c4;
                if (written == count || (r >> 8) % 2)
                        continue;

                uint64_t d = next(&rng);
                uint64_t addr;
                if (d % 10 < 6) {
                        addr = STACK_TOP - 8 - (d >> 4) % STACK_SPAN;
                } else {
                        if (d % 64 == 7)
                                heap = HEAP_BASE + (next(&rng) % heap_span);
                        else
                                heap = HEAP_BASE + (heap - HEAP_BASE + 8 * ((d >> 8) % 32)) % heap_span;
                        addr = heap;
                }
                static const char kinds[4] = {'L', 'L', 'S', 'M'};
                printf(" %c %08" PRIx64 ",%u\n", kinds[(d >> 20) % 4], addr & ~UINT64_C(7), 8u);
                written++;
        }
        if (fflush(stdout) != 0) {
                perror("gen_lackey");
                return 74;
        }
        return 0;
}
