/*
 * sample.h - the built-in sample trace (traces/sample_trace.txt, embedded
 * at build time by scripts/embed.sh).
 */
#ifndef SHADOW_SIM_SAMPLE_H
#define SHADOW_SIM_SAMPLE_H

extern const char sample_trace[];

#endif
