/*
 * memlimit.c - the memory this process may take (see memlimit.h).
 */
#include "memlimit.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static uint64_t lower(uint64_t a, uint64_t b)
{
        return a < b ? a : b;
}

/* The number in the file at path (a cgroup limit), or UINT64_MAX when it
 * cannot be read or says "max". */
static uint64_t read_limit(const char *path)
{
        FILE *f = fopen(path, "r");
        if (!f)
                return UINT64_MAX;
        unsigned long long v;
        int got = fscanf(f, "%llu", &v);
        fclose(f);
        return got == 1 ? (uint64_t)v : UINT64_MAX;
}

/* The limit of the control group of this process, from /proc/self/cgroup:
 * "0::/path" (v2) or "N:memory:/path" (v1), looked up below
 * /sys/fs/cgroup, and at the mount's root too (inside a container the
 * group is that root). */
static uint64_t cgroup_limit(void)
{
        FILE *f = fopen("/proc/self/cgroup", "r");
        if (!f)
                return UINT64_MAX;
        char line[4096], path[4200];
        uint64_t limit = UINT64_MAX;
        while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = '\0';
                const char *group;
                if (strncmp(line, "0::", 3) == 0) {
                        group = line + 3;
                        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", group);
                        limit = lower(limit, read_limit(path));
                        limit = lower(limit, read_limit("/sys/fs/cgroup/memory.max"));
                } else if ((group = strstr(line, ":memory:")) != NULL) {
                        group += strlen(":memory:");
                        snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes",
                                 group);
                        limit = lower(limit, read_limit(path));
                        limit =
                            lower(limit, read_limit("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
                }
        }
        fclose(f);
        return limit;
}

static uint64_t rlimit_of(int resource)
{
        struct rlimit rl;
        if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
                return UINT64_MAX;
        return (uint64_t)rl.rlim_cur;
}

uint64_t memlimit_available(void)
{
        uint64_t limit = UINT64_MAX;
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0)
                limit = (uint64_t)pages * (uint64_t)page;
        limit = lower(limit, cgroup_limit());
        limit = lower(limit, rlimit_of(RLIMIT_AS));
        return lower(limit, rlimit_of(RLIMIT_DATA));
}
