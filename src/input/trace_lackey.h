/*
 * trace_lackey.h - the parser of Valgrind lackey memory traces.
 *
 * `valgrind --tool=lackey --trace-mem=yes` writes one access a line:
 * "I  04016bf0,3" (instruction fetch), " L addr,size" (load), " S addr,size"
 * (store) and " M addr,size" (modify: a load then a store), with addresses
 * in hex without a prefix, plus "==pid== ..." banner lines. A process trace
 * names no page-table operations: the machine pages it in on demand.
 */
#ifndef SHADOW_SIM_TRACE_LACKEY_H
#define SHADOW_SIM_TRACE_LACKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"

/* Whether a line looks like lackey output (a banner or an access line). */
bool trace_lackey_looks_like(const char *s, size_t len);

/* Parses one lackey line. Returns 0 for a line without an access (banner,
 * blank; err->col stays 0) or a malformed one (err->col and err->msg set),
 * 1 when *op holds an access, 2 when a modify line also left its store in
 * *second. */
int trace_parse_lackey(const char *s, size_t len, const struct trace_limits *limits, struct op *op,
                       struct op *second, struct trace_error *err);

/* Bytes trace_lackey_fast reads from the start of a line, whatever the
 * line's length: its caller keeps that many bytes readable there. */
#define TRACE_LACKEY_READ 32

/* The reader's fast path: parses the line at the start of s (avail bytes
 * of input from there, newlines and all) when it is in the form Valgrind
 * writes, "I  ADDR,SIZE" or " K ADDR,SIZE" (K one of L, S, M; 8 to 15 hex
 * digits; a size of 1 or 2 decimal digits) ended by a newline or CR LF
 * within avail, and its access fits; sets *used to its length with the
 * line end and returns 1 or 2 as trace_parse_lackey, with the same ops.
 * Returns 0 for any other line (nothing set, nothing reported): the caller
 * then finds the line's end and calls trace_parse_lackey, which takes
 * every valid line and says what is wrong with the others. Reads
 * TRACE_LACKEY_READ bytes at s. */
int trace_lackey_fast(const char *s, size_t avail, const struct trace_limits *limits, struct op *op,
                      struct op *second, size_t *used);

#endif
