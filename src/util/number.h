/*
 * number.h - the one number syntax of traces, commands and options.
 *
 * Hex "0x..." or decimal, as written in traces, debugger commands and
 * command-line options; shared by every layer, so it lives with the
 * utilities.
 */
#ifndef SHADOW_SIM_NUMBER_H
#define SHADOW_SIM_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a number as written in traces and commands: hex "0x..." or
 * decimal, the whole of [s, s+len). Returns false when it is not one or does
 * not fit in 64 bits. */
bool parse_u64(const char *s, size_t len, uint64_t *out);

#endif
