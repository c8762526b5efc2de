/*
 * sim_mem.h - what a machine's state costs in memory.
 *
 * One estimate, from the sizes of its parts (guest tables, address spaces,
 * host backing, TLB, the scheme's own tables, dirty logs), for the two
 * budgets that bound memory: the stepper's snapshots (session.c) and the
 * --max-mem limit on the machines a trace builds (run.c, session.c). It is
 * an estimate of the heap a clone of the machine would take, accurate to a
 * few per cent for machines of more than a few hundred KiB; it reads sizes
 * only and costs a few loads.
 */
#ifndef SHADOW_SIM_SIM_MEM_H
#define SHADOW_SIM_SIM_MEM_H

#include <stddef.h>

#include "sim.h"

/* Bytes of heap the state of s takes (its struct included). */
size_t sim_mem_bytes(const struct sim *s);

#endif
