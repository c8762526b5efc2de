/*
 * trace.h - streaming reader of trace files.
 *
 * Reads a trace line by line from a file descriptor with a fixed-size
 * buffer, so memory does not grow with trace length, and turns each line
 * into an op (op.h). Two formats are understood: trace format v1 (the
 * project's own, see README) and Valgrind lackey output; the format is
 * detected from the first line that is neither blank nor a comment.
 *
 * Every malformed line is reported as a position (line, column) and a
 * sentence saying what was expected and what was found. Reading can go on
 * after an error: the reader is positioned at the next line.
 */
#ifndef SHADOW_SIM_TRACE_H
#define SHADOW_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "op.h"

/* Longest accepted line, in bytes, without its newline. */
#define TRACE_MAX_LINE 4096

enum trace_format { TRACE_FORMAT_AUTO, TRACE_FORMAT_V1, TRACE_FORMAT_LACKEY };

/* What a valid address must fit into. */
struct trace_limits {
        int levels;         /* guest paging levels: GVAs have 12 + 9 * levels bits */
        uint64_t guest_mem; /* bytes of guest physical memory: GPAs are below */
};

struct trace_error {
        uint64_t line;
        unsigned col; /* 1-based byte column */
        char msg[256];
};

enum trace_status { TRACE_OK, TRACE_EOF, TRACE_BAD_LINE, TRACE_IO_ERROR };

struct trace_reader {
        int fd;
        bool owns_fd;
        enum trace_format format;
        struct trace_limits limits;
        char *buf; /* read buffer */
        size_t cap, pos, end;
        bool eof;
        bool in_long_line; /* the last line was over TRACE_MAX_LINE: the rest of it
                              is skipped before the next one is read */
        uint64_t line;     /* number of the last line returned */
        int io_errno;      /* set with TRACE_IO_ERROR */
        struct op pending; /* second half of a lackey modify (M) line */
        bool has_pending;
        /* Text input held in memory (trace_open_string), read in place. */
        const char *mem;
        size_t mem_len;
        uint64_t buf_offset; /* file offset of buf[0] (trace_tell) */
};

/* A place between two lines of a trace, to come back to (the stepper's
 * snapshots): the byte offset of the next line, the number of lines before
 * it and the format detected so far. */
struct trace_pos {
        uint64_t offset;
        uint64_t line;
        enum trace_format format;
};

/* Opens path ("-" for standard input). Returns 0, or -1 with errno set
 * (the caller reports it; the file could not be read). */
int trace_open(struct trace_reader *r, const char *path, enum trace_format format,
               const struct trace_limits *limits);

/* Reads a trace held in memory (the built-in sample, tests). The text must
 * outlive the reader. */
void trace_open_string(struct trace_reader *r, const char *text, enum trace_format format,
                       const struct trace_limits *limits);

void trace_close(struct trace_reader *r);

/* Reads the next op. TRACE_OK fills *op; TRACE_EOF at the end;
 * TRACE_BAD_LINE fills *err (reading may go on with the next line);
 * TRACE_IO_ERROR when read(2) failed (r->io_errno). A line over
 * TRACE_MAX_LINE is reported as soon as its first TRACE_MAX_LINE + 1
 * bytes are read: the rest of it is read and dropped only if reading goes
 * on (an endless line costs nothing to a caller that stops). */
enum trace_status trace_next(struct trace_reader *r, struct op *op, struct trace_error *err);

/* Where the reader stands. Returns false while it holds the second half
 * of a lackey modify line: no line boundary names that place. */
bool trace_tell(const struct trace_reader *r, struct trace_pos *pos);

/* Moves the reader back (or forward) to a place trace_tell gave on the same
 * input. Returns 0, or -1 with errno set when the input cannot seek (a
 * pipe: ESPIPE). */
int trace_seek(struct trace_reader *r, const struct trace_pos *pos);

/* Parses one line of format v1 (no newline) into *op. Returns true when the
 * line holds an op, false for a blank or comment line; on a malformed line
 * returns false and sets err->col (non-zero) and err->msg. Exposed for the
 * command layer and tests. */
bool trace_parse_v1(const char *line, size_t len, const struct trace_limits *limits, struct op *op,
                    struct trace_error *err);

/* Parses a number as written in traces and commands: hex "0x..." or
 * decimal, the whole of [s, s+len). Returns false when it is not one or does
 * not fit in 64 bits. */
bool trace_parse_number(const char *s, size_t len, uint64_t *out);

#endif
