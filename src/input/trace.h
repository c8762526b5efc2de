/*
 * trace.h - streaming reader of trace files.
 *
 * Reads a trace line by line through an input stream (instream.h: a file
 * or a pipe, plain or compressed) with a fixed-size buffer, so memory does
 * not grow with trace length, and turns each line
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

#include "instream.h"
#include "op.h"

struct sim_config;

/* Longest accepted line, in bytes, without its newline. */
#define TRACE_MAX_LINE 4096

enum trace_format { TRACE_FORMAT_AUTO, TRACE_FORMAT_V1, TRACE_FORMAT_LACKEY };

/* Bytes of narration kept for one op (the comment lines right above it);
 * a longer block keeps its first lines, cut at a line's end. */
#define TRACE_NOTE_MAX 1024

/* What a valid address must fit into. */
struct trace_limits {
        int levels;         /* guest paging levels: GVAs have 12 + 9 * levels bits */
        uint64_t guest_mem; /* bytes of guest physical memory: GPAs are below */
        unsigned vcpus;     /* vCPUs of the machine: a CPU line names one below (0: one) */
};

struct trace_error {
        uint64_t line;
        unsigned col; /* 1-based byte column */
        char msg[256];
};

enum trace_status {
        TRACE_OK,
        TRACE_EOF,
        TRACE_BAD_LINE,
        TRACE_IO_ERROR, /* reading failed */
        TRACE_BAD_DATA, /* corrupt or truncated compressed data */
        TRACE_NO_INPUT, /* (trace_open only) the input cannot be opened */
};

struct trace_reader {
        struct instream in;            /* the text, unless held in memory */
        enum trace_format format;      /* AUTO until detected */
        enum trace_format open_format; /* as opened (trace_open_again) */
        struct trace_limits limits;
        char *buf; /* read buffer */
        size_t cap, pos, end;
        bool eof;
        bool in_long_line;       /* the last line was over TRACE_MAX_LINE: the rest of it
                                    is skipped before the next one is read */
        uint64_t line;           /* number of the last line returned */
        enum trace_status fault; /* TRACE_IO_ERROR or TRACE_BAD_DATA once reading failed */
        struct op pending;       /* second half of a lackey modify (M) line */
        bool has_pending;
        /* Narration: the comment lines right above an op belong to it. */
        char note[TRACE_NOTE_MAX]; /* the comment block read since the last op or blank line */
        size_t note_len;
        char op_note[TRACE_NOTE_MAX]; /* the block above the op last returned */
        size_t op_note_len;
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

/* Opens path ("-" for standard input) to be read once, in order. Returns
 * TRACE_OK; or TRACE_NO_INPUT (it cannot be opened), TRACE_BAD_DATA (a
 * compression format that is not read) or TRACE_IO_ERROR, with a sentence
 * in trace_fault(r) and nothing to close. */
enum trace_status trace_open(struct trace_reader *r, const char *path, enum trace_format format,
                             const struct trace_limits *limits);

/* The same, for a reader that can go back (trace_seek) to any place it
 * has read, even on a pipe or a compressed file (see instream.h). */
enum trace_status trace_open_rewindable(struct trace_reader *r, const char *path,
                                        enum trace_format format,
                                        const struct trace_limits *limits);

/* Opens another reader of the same input as src (a rewindable reader or
 * text in memory), at its start, with src's format and limits as given
 * when it was opened. Returns as trace_open. */
enum trace_status trace_open_again(struct trace_reader *r, const struct trace_reader *src);

/* "auto", "v1" or "lackey". */
const char *trace_format_name(enum trace_format format);

/* The compression of the input: "text" (none, or text in memory), "gzip",
 * "xz" or "zstd". */
const char *trace_compression(const struct trace_reader *r);

/* Why opening or reading failed: a sentence without the file name
 * ("read failed: Input/output error", "corrupt gzip data: ..."). */
const char *trace_fault(const struct trace_reader *r);

/* Reads a trace held in memory (the built-in sample, tests). The text must
 * outlive the reader. */
void trace_open_string(struct trace_reader *r, const char *text, enum trace_format format,
                       const struct trace_limits *limits);

void trace_close(struct trace_reader *r);

/* Reads the next op. TRACE_OK fills *op; TRACE_EOF at the end;
 * TRACE_BAD_LINE fills *err (reading may go on with the next line);
 * TRACE_IO_ERROR when reading failed and TRACE_BAD_DATA when compressed
 * data are corrupt, with the reason in err->msg (and trace_fault), and
 * err->line the lines read before; every later call says the same. A line
 * over TRACE_MAX_LINE is reported as soon as its first TRACE_MAX_LINE + 1
 * bytes are read: the rest of it is read and dropped only if reading goes
 * on (an endless line costs nothing to a caller that stops). */
enum trace_status trace_next(struct trace_reader *r, struct op *op, struct trace_error *err);

/* The reader's fast path, for the run loop: reads up to max ops (at least
 * one slot) from the lines that trace_lackey_fast takes in a lackey trace,
 * as trace_next would return them, and stops at the first line it does
 * not take or at the end of what is buffered. Returns how many; 0 when the
 * next op is to be read with trace_next (which reads any line, refills the
 * buffer, reports errors and the end). The ops have no narration. */
size_t trace_next_ops(struct trace_reader *r, struct op *ops, size_t max);

/* The narration of the op trace_next returned last: the whole-line
 * comments right above its line (a blank line ends a block, so a file's
 * header belongs to no op), each without its '#' and the blank after it,
 * joined by newlines; "" when there are none (lackey traces have none).
 * Valid until the next trace_next. */
const char *trace_note(const struct trace_reader *r);

/* Where the reader stands. Returns false while it holds the second half
 * of a lackey modify line: no line boundary names that place. */
bool trace_tell(const struct trace_reader *r, struct trace_pos *pos);

/* Moves the reader back (or forward) to a place trace_tell gave on the same
 * input. Returns 0, or -1 with errno set and the reason in trace_fault
 * when it cannot (going back on a reader opened to read once: ESPIPE). */
int trace_seek(struct trace_reader *r, const struct trace_pos *pos);

/* How far through its input the reader stands, 0..100 (by compressed
 * bytes for a compressed file); -1 when the size is unknown (a pipe). */
int trace_percent(const struct trace_reader *r);

/* Parses one line of format v1 (no newline) into *op. Returns true when the
 * line holds an op, false for a blank or comment line; on a malformed line
 * returns false and sets err->col (non-zero) and err->msg. Exposed for the
 * command layer and tests. */
bool trace_parse_v1(const char *line, size_t len, const struct trace_limits *limits, struct op *op,
                    struct trace_error *err);

/* The trace limits implied by a configuration: the levels and guest
 * memory every address of a trace must fit. */
void trace_limits_of_config(const struct sim_config *cfg, struct trace_limits *limits);

#endif
