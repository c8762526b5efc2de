/*
 * memlimit.h - how much memory this process may take, for the default of
 * --max-mem.
 */
#ifndef SHADOW_SIM_MEMLIMIT_H
#define SHADOW_SIM_MEMLIMIT_H

#include <stdint.h>

/* The lowest of the physical memory, the memory limit of the process's
 * control group (v2 memory.max or v1 memory.limit_in_bytes) and its
 * RLIMIT_AS and RLIMIT_DATA, in bytes. Limits that cannot be read are left
 * out; UINT64_MAX when none can. */
uint64_t memlimit_available(void);

#endif
