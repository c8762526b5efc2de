/*
 * xalloc.h - allocation that cannot fail.
 *
 * The engine's state is all-or-nothing: a machine that could not grow a
 * table has no meaningful state to report, so running out of memory ends the
 * process with a message and exit status 71 (EX_OSERR), without a core
 * dump, instead of threading NULL through every layer. The faces keep the
 * machines below --max-mem, which refuses a trace at its line well before
 * that happens (run.h).
 */
#ifndef SHADOW_SIM_XALLOC_H
#define SHADOW_SIM_XALLOC_H

#include <stddef.h>

/* libreadline exports an xmalloc and an xrealloc of its own (xrealloc with
 * another signature). A program linking both would let ours interpose
 * readline's calls and corrupt its heap, so the link names are prefixed. */
#define xmalloc  shadow_sim_xmalloc
#define xcalloc  shadow_sim_xcalloc
#define xrealloc shadow_sim_xrealloc
#define xmemdup  shadow_sim_xmemdup
#define xstrdup  shadow_sim_xstrdup

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
void *xmemdup(const void *p, size_t size);
char *xstrdup(const char *s);

#endif
