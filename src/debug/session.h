/*
 * session.h - a simulated machine under a debugger.
 *
 * A session replays one trace (a file or text in memory) through a sim and
 * lets a user move through it: forward one trace line (step), one engine
 * event (stepi), to the next breakpoint (continue), and backward the same
 * ways (back, backi, reverse-continue), or straight to an event (goto).
 *
 * Position. The sim only stops between ops, but a user can stand on any
 * event: the session applies a whole op, keeps its events, and shows them
 * one at a time. The position is (ops applied, events of the last op shown);
 * the current event is the last one shown. The counters a user sees are
 * exact at every event, since they are a function of the event stream.
 *
 * Going back. Every so many ops the session clones the machine (a snapshot)
 * and remembers where in the trace it stood (a byte offset, not the text).
 * To go back it restores the nearest snapshot before the target and replays
 * forward, which is deterministic. Snapshots are thinned under a memory
 * budget so that they stay dense near the current position and sparse far
 * from it; nothing else grows with the length of the trace.
 *
 * A second machine may run the same ops under another scheme in lockstep
 * (the compare line: shadow against EPT, exits side by side).
 *
 * No output: callers format what they need. Errors are returned as
 * sentences in the session's message buffer.
 */
#ifndef SHADOW_SIM_SESSION_H
#define SHADOW_SIM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trace.h"

/* ---- breakpoints --------------------------------------------------------- */

enum bp_kind {
        BP_GVA,   /* an event about guest virtual addresses inside [lo, hi): an
                     access, a fault, a mapping, a table whose range lies inside */
        BP_GPA,   /* an event about guest physical memory in [lo, hi): a guest
                     table it is about, a frame it maps or touches
                     (event_gpa_ranges in session_break.c) */
        BP_EXIT,  /* a VM exit; value = exit reason, or -1 for any */
        BP_KIND,  /* an event of kind value */
        BP_EVENT, /* event number lo */
        BP_LINE,  /* trace line lo */
        BP_CPU,   /* an event on vCPU lo (several vCPUs, --vcpus) */
};

struct breakpoint {
        int id; /* 1-based, never reused in a session */
        enum bp_kind kind;
        uint64_t lo, hi; /* range [lo, hi), hi 0 for a range to the top of the
                            address space; or a number in lo: see the kind */
        int value;       /* exit reason or event kind */
        bool enabled;
        uint64_t hits; /* times execution stopped on it */
};

/* Parses a breakpoint as written after "break": "0x1000" (the page),
 * "0x400000/2M" (a range), "gpa 0xFFFFC000[/SIZE]", "exit [REASON]",
 * "SHADOW_UPDATE" (an event kind), "event N" or "#N", "line N", "cpu N".
 * Returns 0, or -1 with a sentence in err. */
int bp_parse(const char *spec, struct breakpoint *bp, char *err, size_t errlen);

/* Writes what bp stops on ("gva 0x1000-0x1fff", "exit cr3", ...). */
void bp_describe(const struct breakpoint *bp, char *buf, size_t n);

/* Whether the event's gva field names an address (and not a zero left
 * unset, as for a CR3 load or a flush). */
bool event_has_gva(const struct event *ev);

/* A range of guest-physical addresses, [lo, lo + len). */
struct gpa_range {
        uint64_t lo, len;
};

/* The guest-virtual range an event is about, [base, base + span): an
 * address, a table entry's span, a table's. False when it is about none. */
bool event_gva_range(const struct event *ev, uint64_t *base, uint64_t *span);

/* The guest-physical ranges an event is about (a guest table, a frame it
 * maps or touches), what break gpa matches as help break says. Returns
 * how many, at most 2. */
size_t event_gpa_ranges(const struct event *ev, struct gpa_range out[2]);

/* Whether the event is one bp stops on (enabled or not). */
bool bp_matches(const struct breakpoint *bp, const struct event *ev);

/* ---- the session --------------------------------------------------------- */

/* Why a movement stopped. */
enum stop_reason {
        STOP_DONE,      /* the movement was completed */
        STOP_BREAK,     /* a breakpoint matched the current event */
        STOP_END,       /* the trace has no more ops */
        STOP_START,     /* going back reached the beginning */
        STOP_INTERRUPT, /* the progress callback asked to stop */
        STOP_ERROR,     /* a malformed trace line (see msg); the next move skips it */
};

/* Polled during long movements; returns true to interrupt. */
typedef bool (*session_poll_fn)(void *ctx);

struct session_snap;
struct hist;
struct bp_index;
struct session_view;

struct session {
        struct sim_config cfg;
        enum trace_format format;
        char *path;                  /* the trace file, or NULL for text */
        const char *text;            /* the trace in memory (outlives the session) */
        char *name;                  /* the trace's name in messages (escaped) */
        bool file_watched;           /* path is a regular file, read again to go back */
        uint64_t file_size;          /* its size at the open, to notice it changed */
        uint64_t file_dev, file_ino; /* the file opened, to notice it replaced */
        int64_t file_mtime_ns;       /* its modification time, to notice it changed */
        const char *file_change;     /* how it changed (every move is then refused), or NULL */
        struct trace_reader reader;  /* positioned after the last applied op */
        struct sim sim;
        struct sim cmp; /* the same ops under cmp_mode, when has_cmp */
        bool has_cmp;
        enum mmu_mode cmp_mode;
        struct stats before;       /* sim.stats before the last applied op */
        struct op op;              /* the last applied op */
        char note[TRACE_NOTE_MAX]; /* its narration: the trace's comment lines above it */
        bool op_known;             /* op and evs are those of op number sim.ops (not so
                                      right after a snapshot was restored) */
        struct event *evs;         /* its events */
        size_t nevs, cap_evs;
        struct event *cmp_evs; /* the compare machine's events of the same op (when
                                  op_known and has_cmp) */
        size_t ncmp_evs, cap_cmp_evs;
        size_t shown;       /* events of op shown: the current event is evs[shown-1] */
        bool at_end;        /* the reader has reached the end of the trace */
        bool report_errors; /* a bad line stops a forward move (not during replay) */
        bool read_failed;   /* msg is a read error of the trace (an I/O error), not bad data */
        /* snapshots, sorted by ops; [0] is the machine before any op */
        struct session_snap *snaps;
        size_t nsnaps, cap_snaps;
        uint64_t snap_every; /* ops between snapshots */
        uint64_t snap_fixed; /* snap_every when set, instead of by cost */
        uint64_t snap_due;   /* no snapshot is due before this many ops */
        size_t snap_budget;  /* bytes the snapshots may use */
        size_t snap_bytes;
        size_t mem_limit;    /* bytes machines and snapshots may take (0: no limit) */
        bool over_limit;     /* the last op was refused: they had reached mem_limit */
        char limit_msg[384]; /* the refusal, said again at every move forward */
        struct hist *hist;   /* recent ops and their events, for the log */
        struct breakpoint *bps;
        size_t nbps, cap_bps;
        int next_bp_id;
        struct bp_index *bp_index; /* over bps, built when first needed after a change */
        session_poll_fn poll;
        void *poll_ctx;
        uint64_t epoch;            /* changes whenever the live machine or its op changes */
        struct session_view *view; /* the machine right after the current event
                                      (session_view.h) */
        char msg[512];             /* the last error or notice */
};

/* Opens a session on the trace at path ("-": standard input), or on text
 * when path is NULL (name is then used in messages). A pipe's text and a
 * compressed file's are read as the session goes and kept so that it can
 * go back (instream.h). cfg must have passed sim_config_check. cmp_mode < 0
 * runs no second machine. Returns 0; or -1 with a sentence in s->msg and
 * errno set: the open's errno when the file cannot be read, EILSEQ for a
 * compression format that is not read, EIO otherwise. Nothing is applied
 * yet.
 *
 * Going back reads a regular file again, so it must stay what it was: once
 * its size, modification time or inode differ from what they were at the
 * open, every move (and the log history and peek) is refused, with
 * STOP_ERROR and a message saying so, rather than replaying another
 * trace. */
int session_open(struct session *s, const struct sim_config *cfg, enum trace_format format,
                 const char *path, const char *text, const char *name, int cmp_mode);
void session_close(struct session *s);

/* Sets the bytes snapshots may use (default 256 MiB). */
void session_set_budget(struct session *s, size_t bytes);

/* Sets the bytes the machines and their snapshots may take together
 * (--max-mem; 0: no limit), and the snapshots' budget to a quarter of it
 * when that is less than theirs. At it the snapshots go first (all but
 * the start's); past it with them gone, a forward move stops before the
 * next op with STOP_ERROR and a message naming its line; going back still
 * works. */
void session_set_memory_limit(struct session *s, size_t bytes);

/* Takes a snapshot every ops ops instead of spacing them by their cost
 * (0: by cost, the default: sparser for bigger machines). For tests that
 * need many snapshots on a short trace. */
void session_set_spacing(struct session *s, uint64_t ops);

/* ---- where we are -------------------------------------------------------- */

/* Ops applied so far (0 at the start). */
static inline uint64_t session_ops(const struct session *s)
{
        return s->sim.ops;
}

/* Number of the current event (0 before the first). */
static inline uint64_t session_seq(const struct session *s)
{
        return s->sim.seq - (s->nevs - s->shown);
}

/* The current event, or NULL (at the start, or on an op without events). */
const struct event *session_event(const struct session *s);

/* The counters as of the current event (exact mid-op). */
void session_stats(const struct session *s, struct stats *out);

/* What the current line added to the counters: as of the current event
 * (mid-op, what its events shown so far added), and on the compare
 * machine (its whole line; zero without one). Zero when the line is not
 * known (right after a snapshot was restored). */
void session_line_stats(const struct session *s, struct stats *main, struct stats *cmp);

/* How far through the trace file, 0..100 (text input: by characters; a
 * compressed file: by compressed bytes; a pipe: 0 until its end). */
unsigned session_percent(const struct session *s);

/* ---- moving -------------------------------------------------------------- */

/* Forward n trace lines (ops). A position mid-op first completes its op,
 * which counts as one. Stops early on a breakpoint when use_bps. A
 * breakpoint stops on the first event of a line that it matches, once per
 * line. */
/* The exit status a face ends with for the error in msg that stopped the
 * last move: EXIT_IOERR when the trace failed to read (as the batch run
 * says it), EXIT_DATAERR for everything else (a bad line, corrupt
 * compressed data, the memory limit, guest memory full, a changed file). */
int session_error_status(const struct session *s);

enum stop_reason session_step(struct session *s, uint64_t n, bool use_bps);

/* Forward n events (ops without events are passed over). */
enum stop_reason session_stepi(struct session *s, uint64_t n, bool use_bps);

/* Forward to the next breakpoint or the end. */
enum stop_reason session_continue(struct session *s);

/* Back n ops: to the end of the op n before the current one (the start
 * when there are fewer). A mid-op position counts its own op as the first.
 * Stops on the latest breakpoint on the way when use_bps. */
enum stop_reason session_back(struct session *s, uint64_t n, bool use_bps);

/* Back n events. */
enum stop_reason session_backi(struct session *s, uint64_t n, bool use_bps);

/* Back to the latest breakpoint before the current event, or the start. */
enum stop_reason session_reverse_continue(struct session *s);

/* To event seq (0: the start). Past the end: stops at the end (STOP_END). */
enum stop_reason session_goto(struct session *s, uint64_t seq);

/* To the end of the first op on trace line >= line (or the end). */
enum stop_reason session_goto_line(struct session *s, uint64_t line);

/* Back to the start. */
void session_restart(struct session *s);

/* Forward (or backward with back) to the next event whose log line contains
 * text (case-insensitive). STOP_DONE when found. */
enum stop_reason session_search(struct session *s, const char *text, bool back);

/* The scheme a session compares with by default: EPT for the shadow
 * modes, shadow for EPT and native. */
enum mmu_mode session_default_cmp(enum mmu_mode mode);

/* Switches the scheme to mode and the compare machine's to cmp (negative:
 * none) and returns to the end of the same op under them. Exchanging the
 * two schemes is immediate; any other change replays from the start,
 * polling as long moves do. An interrupted change (STOP_INTERRUPT) changes
 * nothing: the schemes and the current event stay as they were. STOP_DONE,
 * or STOP_END when the trace is shorter. */
enum stop_reason session_set_schemes(struct session *s, enum mmu_mode mode, int cmp);

/* The same, changing only the scheme, or only the compare machine's. */
enum stop_reason session_set_mode(struct session *s, enum mmu_mode mode);
enum stop_reason session_set_cmp(struct session *s, int mode);

/* ---- breakpoints --------------------------------------------------------- */

/* Adds a copy of bp (its id is assigned). Returns the new id. */
int session_break_add(struct session *s, const struct breakpoint *bp);

/* The breakpoint with this id, or NULL. */
struct breakpoint *session_break_find(struct session *s, int id);

/* Refuses a breakpoint that names no address of this machine: a
 * guest-virtual range that is not canonical with its paging levels (or
 * crosses the hole between the halves), a guest-physical one past the end
 * of guest memory. Returns 0, or -1 with a sentence in err. */
int session_break_check(const struct session *s, const struct breakpoint *bp, char *err, size_t n);

/* The breakpoint that stops where bp would (same kind, range, number or
 * reason, enabled or not), or NULL. */
struct breakpoint *session_break_same(struct session *s, const struct breakpoint *bp);

/* Removes breakpoint id. Returns false when there is none. */
bool session_break_delete(struct session *s, int id);

/* Frees every breakpoint (session_close). */
void session_break_free(struct session *s);

/* The enabled breakpoint that stops on the current event (lowest id), or
 * NULL. A breakpoint stops on the first event of a line that it matches. */
const struct breakpoint *session_break_hit(struct session *s);

/* Stores in out (up to max) every enabled breakpoint that stops on the
 * current event, by id. Returns how many there are (which may be more
 * than max). */
size_t session_break_hits(struct session *s, const struct breakpoint **out, size_t max);

/* Whether an enabled breakpoint stops on evs[i] of one op's events. */
bool session_break_stops(struct session *s, const struct event *evs, size_t i);

/* Counts a stop on the current event for every breakpoint that stops on
 * it. Returns whether there was one. */
bool session_break_count(struct session *s);

/* ---- the log ------------------------------------------------------------- */

/* Calls fn for each applied op number first..last (1-based, inclusive, at
 * most the current op) with its events and narration, without moving. Recent ops come
 * from memory, older ones are replayed on a copy of a snapshot. */
typedef void (*session_hist_fn)(void *ctx, uint64_t opno, const struct op *op,
                                const struct event *evs, size_t nevs, const char *note);
void session_history(struct session *s, uint64_t first, uint64_t last, session_hist_fn fn,
                     void *ctx);

/* Builds in out (which the caller frees) the machine before the current
 * op: a copy of a snapshot replayed up to it. Returns false, with nothing
 * built, when the trace cannot be read again (it changed). For the view
 * of the machine at the current event (session_view.h). */
bool session_replay_before(const struct session *s, struct sim *out);

/* Reads up to max ops that come after the current one, without applying
 * them, and the narration of the first into note (n bytes; "" when none).
 * Returns how many. */
size_t session_peek(struct session *s, struct op *ops, size_t max, char *note, size_t n);

#endif
