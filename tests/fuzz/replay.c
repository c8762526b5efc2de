/*
 * replay.c - runs a fuzz harness over files, without libFuzzer.
 *
 * Linked with a harness (fuzz_*.c) by any C compiler, it calls
 * LLVMFuzzerTestOneInput once per file named on the command line, or per
 * file in a directory named there. The test suite uses it to replay the seed
 * corpus and every crash found so far under ASan + UBSan, with gcc, so the
 * harnesses keep compiling and the regressions stay fixed on machines
 * without clang.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the harness on one file. Returns 0, or 1 when it cannot be read. */
static int run_file(const char *path)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                perror(path);
                return 1;
        }
        size_t cap = 4096, len = 0;
        uint8_t *buf = malloc(cap);
        size_t n;
        while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
                len += n;
                if (len == cap) {
                        uint8_t *more = realloc(buf, cap *= 2);
                        if (!more)
                                free(buf);
                        buf = more;
                }
        }
        int bad = ferror(f) || !buf;
        fclose(f);
        if (!bad)
                LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        if (bad)
                fprintf(stderr, "%s: cannot read\n", path);
        return bad;
}

int main(int argc, char **argv)
{
        int failed = 0, runs = 0;
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                        DIR *d = opendir(argv[i]);
                        struct dirent *de;
                        while (d && (de = readdir(d)) != NULL) {
                                if (de->d_name[0] == '.')
                                        continue;
                                char path[4096];
                                snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
                                failed += run_file(path);
                                runs++;
                        }
                        if (d)
                                closedir(d);
                } else {
                        failed += run_file(argv[i]);
                        runs++;
                }
        }
        printf("%d inputs replayed, %d unreadable\n", runs, failed);
        return failed != 0;
}
