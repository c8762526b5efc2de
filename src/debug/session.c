/*
 * session.c - moving a sim forward and backward through a trace: the
 * position, snapshots and deterministic replay (see session.h).
 */
#include "session.h"
#include "scheme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "escape.h"
#include "session_hist.h"
#include "session_view.h"
#include "sim_mem.h"
#include "xalloc.h"

#define DEFAULT_BUDGET ((size_t)256 << 20)
/* Snapshot spacing by cost. Cloning a machine of B bytes (allocation,
 * first touch of the pages, copy) costs about as much as replaying B / 10
 * ops of the engine, so a snapshot every B / BYTES_PER_OP ops keeps the
 * clones near a tenth of the replay time of a long forward move, while
 * going back replays at most as many ops: a few milliseconds for the usual
 * machines of a few hundred KiB. Machines of tens of MiB are capped at
 * MAX_SNAP_EVERY ops (some 30 ms of replay at 1 us an op), so that going
 * back stays quick, at the price of clones that cost more than a tenth. */
#define MIN_SNAP_EVERY 256 /* ops between snapshots, at least */
#define MAX_SNAP_EVERY (1 << 15)
#define BYTES_PER_OP   16 /* a snapshot of B bytes every B / this ops */
#define MAX_SNAPS      4096
#define POLL_EVERY     1024 /* ops between polls during long moves */

struct session_snap {
        uint64_t ops;         /* ops applied */
        uint64_t seq;         /* events emitted */
        struct trace_pos pos; /* the reader after those ops */
        struct sim sim, cmp;
        size_t bytes; /* estimated footprint */
};

/* ---- footprint and snapshots -------------------------------------------- */

/* The estimate for a snapshot of the live machines. */
static size_t machines_bytes(const struct session *s)
{
        return sim_mem_bytes(&s->sim) + (s->has_cmp ? sim_mem_bytes(&s->cmp) : 0);
}

static void append(struct event **evs, size_t *n, size_t *cap, const struct event *ev)
{
        if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                *evs = xrealloc(*evs, *cap, sizeof **evs);
        }
        (*evs)[(*n)++] = *ev;
}

static void capture(void *ctx, const struct event *ev)
{
        struct session *s = ctx;
        append(&s->evs, &s->nevs, &s->cap_evs, ev);
}

/* The compare machine's events of the op being applied, for the
 * explanations' comparative clause (explain.h). */
static void capture_cmp(void *ctx, const struct event *ev)
{
        struct session *s = ctx;
        append(&s->cmp_evs, &s->ncmp_evs, &s->cap_cmp_evs, ev);
}

static void free_snap(struct session *s, size_t i)
{
        struct session_snap *sn = &s->snaps[i];
        sim_free(&sn->sim);
        if (s->has_cmp)
                sim_free(&sn->cmp);
        s->snap_bytes -= sn->bytes;
        memmove(sn, sn + 1, (s->nsnaps - i - 1) * sizeof *sn);
        s->nsnaps--;
}

/* Drops snapshots until they fit the budget: each time the one whose loss
 * widens the gap least relative to its distance from the current position,
 * so snapshots thin out with distance. The first (the start) stays. */
static void thin_snaps(struct session *s)
{
        uint64_t cur = s->sim.ops;
        while ((s->snap_bytes > s->snap_budget || s->nsnaps > MAX_SNAPS) && s->nsnaps > 2) {
                size_t best = 0;
                double best_score = 0;
                for (size_t i = 1; i < s->nsnaps; i++) {
                        uint64_t next = i + 1 < s->nsnaps
                                            ? s->snaps[i + 1].ops
                                            : (cur > s->snaps[i].ops ? cur : s->snaps[i].ops);
                        uint64_t at = s->snaps[i].ops;
                        double dist =
                            (double)(at > cur ? at - cur : cur - at) + (double)s->snap_every;
                        double score = (double)(next - s->snaps[i - 1].ops) / dist;
                        if (best == 0 || score < best_score) {
                                best = i;
                                best_score = score;
                        }
                }
                free_snap(s, best);
        }
}

/* Index of the last snapshot with ops <= ops (there is always [0]). */
static size_t snap_at_or_before(const struct session *s, uint64_t ops)
{
        size_t lo = 0, hi = s->nsnaps;
        while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (s->snaps[mid].ops <= ops)
                        lo = mid;
                else
                        hi = mid;
        }
        return lo;
}

/* Index of the last snapshot with seq < seq (seq >= 1). */
static size_t snap_before_seq(const struct session *s, uint64_t seq)
{
        size_t i = 0;
        while (i + 1 < s->nsnaps && s->snaps[i + 1].seq < seq)
                i++;
        return i;
}

/* Takes a snapshot of the current machine when the last one before it is
 * far enough behind. */
static void maybe_snapshot(struct session *s)
{
        if (s->sim.ops < s->snap_due)
                return; /* the common case, without a search */
        size_t prev = snap_at_or_before(s, s->sim.ops);
        if (s->sim.ops - s->snaps[prev].ops < s->snap_every) {
                s->snap_due = s->snaps[prev].ops + s->snap_every;
                return;
        }
        struct trace_pos pos;
        if (!trace_tell(&s->reader, &pos))
                return; /* mid-line (lackey modify): take the next one */
        if (s->nsnaps == s->cap_snaps) {
                s->cap_snaps *= 2;
                s->snaps = xrealloc(s->snaps, s->cap_snaps, sizeof *s->snaps);
        }
        size_t at = prev + 1;
        memmove(&s->snaps[at + 1], &s->snaps[at], (s->nsnaps - at) * sizeof *s->snaps);
        s->nsnaps++;
        struct session_snap *sn = &s->snaps[at];
        sn->ops = s->sim.ops;
        sn->seq = s->sim.seq;
        sn->pos = pos;
        sim_clone(&sn->sim, &s->sim);
        if (s->has_cmp)
                sim_clone(&sn->cmp, &s->cmp);
        sn->bytes = machines_bytes(s);
        s->snap_bytes += sn->bytes;
        /* Bigger machines are cloned less often. */
        uint64_t every = sn->bytes / BYTES_PER_OP;
        if (s->snap_fixed)
                every = s->snap_fixed;
        else if (every < MIN_SNAP_EVERY)
                every = MIN_SNAP_EVERY;
        else if (every > MAX_SNAP_EVERY)
                every = MAX_SNAP_EVERY;
        s->snap_every = every;
        s->snap_due = sn->ops + every;
        thin_snaps(s);
}

/* ---- reading and applying ops ------------------------------------------- */

/* Reads the next op. Returns 1, 0 at the end, -1 on a bad line (when
 * report_errors; otherwise bad lines are skipped) or a read error. */
static int read_op(struct session *s, struct op *op)
{
        for (;;) {
                struct trace_error err;
                switch (trace_next(&s->reader, op, &err)) {
                case TRACE_OK:
                        return 1;
                case TRACE_EOF:
                        s->at_end = true;
                        return 0;
                case TRACE_BAD_LINE:
                        if (!s->report_errors)
                                continue;
                        snprintf(s->msg, sizeof s->msg, "%s:%llu:%u: error: %s", s->name,
                                 (unsigned long long)err.line, err.col, err.msg);
                        return -1;
                case TRACE_IO_ERROR:
                case TRACE_BAD_DATA:
                case TRACE_NO_INPUT:
                        snprintf(s->msg, sizeof s->msg, "%s: error: %s", s->name, err.msg);
                        return -1;
                }
        }
}

/* Whether the machines and snapshots have reached the memory limit; if
 * so, says so in msg for the op at line (which is not applied). */
static bool reached_limit(struct session *s, uint64_t line)
{
        size_t bytes = machines_bytes(s) + s->snap_bytes;
        s->over_limit = s->mem_limit && bytes > s->mem_limit;
        if (s->over_limit)
                snprintf(s->msg, sizeof s->msg,
                         "%s:%llu:1: error: expected a trace whose machines fit in --max-mem "
                         "(%zu MiB), found them and their snapshots at %zu MiB before this line",
                         s->name, (unsigned long long)line, s->mem_limit >> 20, bytes >> 20);
        return s->over_limit;
}

/* Says in msg that guest memory had no frame for what op at line needed
 * (it was applied as far as it could be). */
static void report_no_frame(struct session *s, const struct op *op)
{
        snprintf(s->msg, sizeof s->msg,
                 op->kind == OP_ACCESS
                     ? "%s:%llu:1: error: expected pages that fit in guest memory (--guest-mem), "
                       "found no free frame to page in 0x%llX"
                     : "%s:%llu:1: error: expected page tables that fit in guest memory "
                       "(--guest-mem), found no free frame for a new table",
                 s->name, (unsigned long long)op->line, (unsigned long long)op->gva);
}

/* Applies the next op with every event of it hidden (shown = 0). Returns
 * 1, 0 at the end, -1 on an error (see read_op), at the memory limit (the
 * op read is not applied; the reader is past it, so the machine must be
 * restored from a snapshot before it moves forward again, as any way back
 * does) or, when report_errors, when guest memory had no frame for it
 * (the op is applied as far as it could be). */
static int advance_op(struct session *s)
{
        struct op op;
        if (s->over_limit)
                return -1;
        int r = read_op(s, &op);
        if (r <= 0)
                return r;
        if (reached_limit(s, op.line))
                return -1;
        s->before = s->sim.stats;
        s->nevs = s->ncmp_evs = 0;
        s->shown = 0;
        s->epoch++;
        s->op = op;
        s->op_known = true;
        bool applied = sim_apply(&s->sim, &op);
        if (s->has_cmp)
                applied &= sim_apply(&s->cmp, &op);
        hist_add(s->hist, s->sim.ops, &op, s->evs, s->nevs);
        maybe_snapshot(s);
        if (!applied && s->report_errors) {
                report_no_frame(s, &op);
                return -1;
        }
        return 1;
}

/* Makes snapshot i the current machine, nothing of its last op known. */
static void restore(struct session *s, size_t i)
{
        struct session_snap *sn = &s->snaps[i];
        sim_free(&s->sim);
        sim_clone(&s->sim, &sn->sim);
        sim_add_sink(&s->sim, capture, s);
        if (s->has_cmp) {
                sim_free(&s->cmp);
                sim_clone(&s->cmp, &sn->cmp);
                sim_add_sink(&s->cmp, capture_cmp, s);
        }
        /* A failure (an input that cannot be read again) is reported by
         * the next read. */
        (void)trace_seek(&s->reader, &sn->pos);
        s->at_end = false;
        s->over_limit = false;
        s->op_known = false;
        s->nevs = s->shown = s->ncmp_evs = 0;
        s->epoch++;
        s->before = s->sim.stats;
        s->snap_due = 0;
}

/* Whether a long move should stop, asked every POLL_EVERY calls. */
static bool interrupted(struct session *s, uint64_t *count)
{
        return s->poll && (++*count % POLL_EVERY) == 0 && s->poll(s->poll_ctx);
}

/* The machine after exactly k ops, all events of op k shown. Replays are
 * silent (errors skipped). Returns false when the trace has fewer ops (the
 * end is then the position). */
static bool to_ops(struct session *s, uint64_t k)
{
        bool report = s->report_errors;
        s->report_errors = false;
        if (k < s->sim.ops || (k == s->sim.ops && k > 0 && !s->op_known)) {
                size_t i = snap_at_or_before(s, k ? k - 1 : 0);
                restore(s, i);
        }
        bool ok = true;
        while (s->sim.ops < k)
                if (advance_op(s) <= 0) {
                        ok = false;
                        break;
                }
        s->shown = s->nevs;
        s->report_errors = report;
        return ok;
}

/* The machine with event seq current (seq >= 1). Returns false when the
 * trace has fewer events (the end is then the position). */
static bool to_seq(struct session *s, uint64_t seq)
{
        uint64_t start = s->sim.seq - s->nevs;
        bool report = s->report_errors;
        s->report_errors = false;
        if (seq <= start)
                restore(s, snap_before_seq(s, seq));
        bool ok = true;
        while (s->sim.seq < seq)
                if (advance_op(s) <= 0) {
                        ok = false;
                        break;
                }
        s->report_errors = report;
        start = s->sim.seq - s->nevs;
        s->shown = ok ? (size_t)(seq - start) : s->nevs;
        return ok;
}

/* ---- the file under the session ------------------------------------------ */

static int64_t mtime_ns(const struct stat *st)
{
        return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void remember_file(struct session *s, const struct stat *st)
{
        s->file_watched = true;
        s->file_size = (uint64_t)st->st_size;
        s->file_dev = (uint64_t)st->st_dev;
        s->file_ino = (uint64_t)st->st_ino;
        s->file_mtime_ns = mtime_ns(st);
}

/* How the trace file is no longer the one opened, as it was, or NULL
 * (once changed, changed for good). */
static const char *file_difference(const struct session *s)
{
        struct stat st;
        if (!s->file_watched || s->file_change)
                return s->file_change;
        if (stat(s->path, &st) != 0)
                return "it is gone";
        if ((uint64_t)st.st_dev != s->file_dev || (uint64_t)st.st_ino != s->file_ino)
                return "another file has its name";
        if ((uint64_t)st.st_size != s->file_size)
                return "its size changed";
        if (mtime_ns(&st) != s->file_mtime_ns)
                return "it was written";
        return NULL;
}

/* Whether the trace file is no longer the one opened, as it was; if so
 * (and from then on), says so in msg. */
static bool file_changed(struct session *s)
{
        s->file_change = file_difference(s);
        if (s->file_change)
                snprintf(s->msg, sizeof s->msg,
                         "%s: the trace changed since it was opened (%s): quit and open it again "
                         "to step through it",
                         s->name, s->file_change);
        return s->file_change != NULL;
}

/* ---- opening ------------------------------------------------------------ */

/* Another reader of the session's input, at its start, for replays and
 * looking ahead. Returns 0 or -1. */
static int open_reader(const struct session *s, struct trace_reader *r)
{
        return trace_open_again(r, &s->reader) == TRACE_OK ? 0 : -1;
}

/* (Re)builds the machines and snapshot [0] for the current configuration,
 * at the start of the trace. */
static void build(struct session *s)
{
        sim_init(&s->sim, &s->cfg);
        sim_add_sink(&s->sim, capture, s);
        if (s->has_cmp) {
                struct sim_config c = s->cfg;
                c.mode = s->cmp_mode;
                sim_init(&s->cmp, &c);
                sim_add_sink(&s->cmp, capture_cmp, s);
        } else {
                memset(&s->cmp, 0, sizeof s->cmp);
        }
        s->over_limit = false;
        s->nsnaps = 1;
        s->snaps[0].ops = s->snaps[0].seq = 0;
        s->snaps[0].pos = (struct trace_pos){0, 0, s->format};
        sim_clone(&s->snaps[0].sim, &s->sim);
        if (s->has_cmp)
                sim_clone(&s->snaps[0].cmp, &s->cmp);
        s->snaps[0].bytes = machines_bytes(s);
        s->snap_bytes = s->snaps[0].bytes;
        s->snap_every = s->snap_fixed ? s->snap_fixed : MIN_SNAP_EVERY;
        s->snap_due = 0;
        memset(&s->before, 0, sizeof s->before);
        memset(&s->op, 0, sizeof s->op);
        s->nevs = s->shown = 0;
        s->epoch++;
        s->at_end = false;
        hist_reset(s->hist);
        (void)trace_seek(&s->reader, &s->snaps[0].pos); /* as restore() */
}

static void unbuild(struct session *s)
{
        while (s->nsnaps > 0)
                free_snap(s, s->nsnaps - 1);
        sim_free(&s->sim);
        if (s->has_cmp)
                sim_free(&s->cmp);
}

int session_open(struct session *s, const struct sim_config *cfg, enum trace_format format,
                 const char *path, const char *text, const char *name, int cmp_mode)
{
        memset(s, 0, sizeof *s);
        s->cfg = *cfg;
        s->format = format;
        s->text = text;
        char escaped[ESCAPE_BUF];
        s->name = xstrdup(!path                    ? name
                          : strcmp(path, "-") == 0 ? "<stdin>"
                                                   : escape_text(path, escaped, sizeof escaped));
        struct trace_limits limits;
        trace_limits_of_config(cfg, &limits);
        if (path) {
                enum trace_status st = trace_open_rewindable(&s->reader, path, format, &limits);
                if (st != TRACE_OK) {
                        int e = st == TRACE_NO_INPUT   ? s->reader.in.fault_errno
                                : st == TRACE_BAD_DATA ? EILSEQ
                                                       : EIO;
                        snprintf(s->msg, sizeof s->msg, "%s: %s%s", s->name,
                                 st == TRACE_NO_INPUT ? "" : "error: ", trace_fault(&s->reader));
                        free(s->name);
                        errno = e;
                        return -1;
                }
                s->path = xstrdup(path);
                struct stat file;
                if (strcmp(path, "-") != 0 && stat(path, &file) == 0 && S_ISREG(file.st_mode))
                        remember_file(s, &file);
        } else {
                trace_open_string(&s->reader, text, format, &limits);
        }
        s->has_cmp = cmp_mode >= 0;
        s->cmp_mode = s->has_cmp ? (enum mmu_mode)cmp_mode : MODE_NATIVE;
        s->snap_budget = DEFAULT_BUDGET;
        s->cap_snaps = 16;
        s->snaps = xcalloc(s->cap_snaps, sizeof *s->snaps);
        s->hist = hist_new();
        s->view = view_new();
        s->report_errors = true;
        build(s);
        return 0;
}

void session_close(struct session *s)
{
        unbuild(s);
        trace_close(&s->reader);
        hist_free(s->hist);
        view_free(s->view);
        free(s->snaps);
        free(s->evs);
        free(s->cmp_evs);
        free(s->bps);
        free(s->path);
        free(s->name);
        memset(s, 0, sizeof *s);
}

void session_set_budget(struct session *s, size_t bytes)
{
        s->snap_budget = bytes;
        thin_snaps(s);
}

void session_set_memory_limit(struct session *s, size_t bytes)
{
        s->mem_limit = bytes;
        if (bytes && bytes / 4 < s->snap_budget)
                session_set_budget(s, bytes / 4);
}

void session_set_spacing(struct session *s, uint64_t ops)
{
        s->snap_fixed = ops;
        if (ops)
                s->snap_every = ops;
        s->snap_due = 0;
}

/* ---- where we are ------------------------------------------------------- */

const struct event *session_event(const struct session *s)
{
        return s->shown ? &s->evs[s->shown - 1] : NULL;
}

void session_stats(const struct session *s, struct stats *out)
{
        *out = s->before;
        for (size_t i = 0; i < s->shown; i++)
                stats_count(out, &s->sim.cfg.cost, &s->evs[i]);
}

unsigned session_percent(const struct session *s)
{
        if (s->at_end && s->shown == s->nevs)
                return 100;
        int p = trace_percent(&s->reader);
        return p < 0 ? 0 : (unsigned)p;
}

/* Whether breakpoint bp stops on evs[i] of an op: on the first event of
 * the op that it matches, so that one trace line stops once per
 * breakpoint (stepi walks through the rest). */
static bool stops(const struct breakpoint *bp, const struct event *evs, size_t i)
{
        if (!bp->enabled || !bp_matches(bp, &evs[i]))
                return false;
        for (size_t j = 0; j < i; j++)
                if (bp_matches(bp, &evs[j]))
                        return false;
        return true;
}

const struct breakpoint *session_break_hit(const struct session *s)
{
        if (!s->shown)
                return NULL;
        for (size_t b = 0; b < s->nbps; b++)
                if (stops(&s->bps[b], s->evs, s->shown - 1))
                        return &s->bps[b];
        return NULL;
}

/* Counts a stop on the current event for every breakpoint that matches
 * it. Returns whether there was one. */
static bool count_hit(struct session *s)
{
        bool any = false;
        for (size_t b = 0; s->shown && b < s->nbps; b++)
                if (stops(&s->bps[b], s->evs, s->shown - 1)) {
                        s->bps[b].hits++;
                        any = true;
                }
        return any;
}

/* ---- forward ------------------------------------------------------------ */

/* Shows the next event, applying ops as needed. Returns 1, 0 at the end,
 * -1 on an error. */
static int next_event(struct session *s)
{
        while (s->shown == s->nevs) {
                int r = advance_op(s);
                if (r <= 0)
                        return r;
        }
        s->shown++;
        return 1;
}

static enum stop_reason stop_for(int r)
{
        return r == 0 ? STOP_END : STOP_ERROR;
}

/* Shows the rest of the current op's events, stopping on a breakpoint. */
static bool reveal_op(struct session *s, bool use_bps)
{
        while (s->shown < s->nevs) {
                s->shown++;
                if (use_bps && count_hit(s))
                        return true;
        }
        return false;
}

enum stop_reason session_step(struct session *s, uint64_t n, bool use_bps)
{
        uint64_t polls = 0;
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        for (uint64_t i = 0; i < n; i++) {
                if (interrupted(s, &polls))
                        return STOP_INTERRUPT;
                if (s->shown == s->nevs) {
                        int r = advance_op(s);
                        if (r <= 0)
                                return stop_for(r);
                }
                if (reveal_op(s, use_bps))
                        return STOP_BREAK;
        }
        return STOP_DONE;
}

enum stop_reason session_stepi(struct session *s, uint64_t n, bool use_bps)
{
        uint64_t polls = 0;
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        for (uint64_t i = 0; i < n; i++) {
                if (interrupted(s, &polls))
                        return STOP_INTERRUPT;
                int r = next_event(s);
                if (r <= 0)
                        return stop_for(r);
                if (use_bps && count_hit(s))
                        return STOP_BREAK;
        }
        return STOP_DONE;
}

enum stop_reason session_continue(struct session *s)
{
        return session_stepi(s, UINT64_MAX, true);
}

/* ---- backward ----------------------------------------------------------- */

typedef bool (*match_fn)(struct session *s, const struct event *evs, size_t i, void *ctx);

static bool match_bp(struct session *s, const struct event *evs, size_t i, void *ctx)
{
        (void)ctx;
        for (size_t b = 0; b < s->nbps; b++)
                if (stops(&s->bps[b], evs, i))
                        return true;
        return false;
}

/* The latest event numbered in [lo, hi) that match accepts, found by
 * replaying from snapshots, latest segment first; 0 when there is none.
 * Leaves the machine anywhere: the caller moves it. *stop is set when the
 * poll asked to stop. */
static uint64_t scan_back(struct session *s, uint64_t lo, uint64_t hi, match_fn match, void *ctx,
                          bool *stop)
{
        bool report = s->report_errors;
        uint64_t polls = 0, found = 0;
        s->report_errors = false;
        *stop = false;
        while (hi > lo && hi > 1 && !found) {
                size_t i = snap_before_seq(s, hi - 1);
                restore(s, i);
                while (s->sim.seq < hi - 1) {
                        if (interrupted(s, &polls)) {
                                *stop = true;
                                s->report_errors = report;
                                return 0;
                        }
                        if (advance_op(s) <= 0)
                                break;
                        uint64_t first = s->sim.seq - s->nevs + 1;
                        for (size_t e = 0; e < s->nevs; e++)
                                if (first + e >= lo && first + e < hi && match(s, s->evs, e, ctx))
                                        found = first + e;
                }
                hi = s->snaps[i].seq + 1;
                if (i == 0)
                        break;
        }
        s->report_errors = report;
        return found;
}

/* Goes back to event target (0: the start), or to the latest event in
 * [target, current) that a breakpoint stops on when use_bps. */
static enum stop_reason back_to(struct session *s, uint64_t target, bool use_bps)
{
        uint64_t cur = session_seq(s);
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (use_bps && s->nbps > 0 && target < cur) {
                bool stop;
                uint64_t found = scan_back(s, target ? target : 1, cur, match_bp, NULL, &stop);
                if (stop) {
                        to_seq(s, cur);
                        return STOP_INTERRUPT;
                }
                if (found) {
                        to_seq(s, found);
                        count_hit(s);
                        return STOP_BREAK;
                }
        }
        if (target == 0) {
                session_restart(s);
                return STOP_START;
        }
        to_seq(s, target);
        return STOP_DONE;
}

enum stop_reason session_back(struct session *s, uint64_t n, bool use_bps)
{
        uint64_t k = s->sim.ops > n ? s->sim.ops - n : 0;
        uint64_t cur = session_seq(s);
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (k == 0)
                return back_to(s, 0, use_bps);
        /* Find where op k ends, then look for breakpoints after it. */
        to_ops(s, k);
        uint64_t end = s->sim.seq;
        if (!use_bps || s->nbps == 0)
                return STOP_DONE;
        bool stop = false; /* scan_back sets it only when it runs */
        uint64_t found = end + 1 < cur ? scan_back(s, end + 1, cur, match_bp, NULL, &stop) : 0;
        if (found) {
                to_seq(s, found);
                count_hit(s);
                return STOP_BREAK;
        }
        to_ops(s, k);
        if (stop && end + 1 < cur)
                return STOP_INTERRUPT;
        return count_hit(s) ? STOP_BREAK : STOP_DONE;
}

enum stop_reason session_backi(struct session *s, uint64_t n, bool use_bps)
{
        uint64_t cur = session_seq(s);
        return back_to(s, cur > n ? cur - n : 0, use_bps);
}

enum stop_reason session_reverse_continue(struct session *s)
{
        return back_to(s, 0, true);
}

void session_restart(struct session *s)
{
        restore(s, 0);
        memset(&s->op, 0, sizeof s->op);
}

enum stop_reason session_goto(struct session *s, uint64_t seq)
{
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (seq == 0) {
                session_restart(s);
                return STOP_START;
        }
        bool report = s->report_errors;
        bool ok = to_seq(s, seq);
        s->report_errors = report;
        if (!ok && s->over_limit)
                return STOP_ERROR; /* msg says why */
        if (!ok) {
                snprintf(s->msg, sizeof s->msg, "the trace has only %llu events",
                         (unsigned long long)s->sim.seq);
                return STOP_END;
        }
        return STOP_DONE;
}

enum stop_reason session_goto_line(struct session *s, uint64_t line)
{
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (s->sim.ops > 0 && s->op.line >= line) {
                /* Back to a snapshot taken before that line, then forward. */
                size_t i = s->nsnaps - 1;
                while (i > 0 && s->snaps[i].pos.line >= line)
                        i--;
                restore(s, i);
                memset(&s->op, 0, sizeof s->op);
        }
        bool report = s->report_errors;
        s->report_errors = false;
        int r = 1;
        while ((s->sim.ops == 0 || s->op.line < line) && (r = advance_op(s)) > 0)
                ;
        s->report_errors = report;
        s->shown = s->nevs;
        return r > 0 ? STOP_DONE : s->over_limit ? STOP_ERROR : STOP_END;
}

/* ---- search ------------------------------------------------------------- */

/* Whether hay contains needle, ignoring case. */
static bool contains(const char *hay, const char *needle)
{
        size_t n = strlen(needle);
        for (; *hay; hay++)
                if (strncasecmp(hay, needle, n) == 0)
                        return true;
        return n == 0;
}

static bool match_text(struct session *s, const struct event *evs, size_t i, void *ctx)
{
        char line[256];
        (void)s;
        event_format(&evs[i], line, sizeof line);
        return contains(line, ctx);
}

/* Returns to event seq (0: the start). */
static void back_to_seq(struct session *s, uint64_t seq)
{
        if (seq)
                to_seq(s, seq);
        else
                session_restart(s);
}

/* Says in msg that text (escaped: it was typed) is not found before or
 * after event cur. */
static void not_found(struct session *s, const char *text, const char *where, uint64_t cur)
{
        char escaped[ESCAPE_BUF];
        snprintf(s->msg, sizeof s->msg, "'%s' not found %s event %llu",
                 escape_text(text, escaped, sizeof escaped), where, (unsigned long long)cur);
}

enum stop_reason session_search(struct session *s, const char *text, bool back)
{
        uint64_t cur = session_seq(s), polls = 0;
        void *ctx = (void *)(uintptr_t)text;
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (back) {
                bool stop = false;
                uint64_t found = cur > 1 ? scan_back(s, 1, cur, match_text, ctx, &stop) : 0;
                back_to_seq(s, found ? found : cur);
                if (!found && !stop)
                        not_found(s, text, "before", cur);
                return stop ? STOP_INTERRUPT : found ? STOP_DONE : STOP_START;
        }
        for (;;) {
                if (interrupted(s, &polls)) {
                        back_to_seq(s, cur);
                        return STOP_INTERRUPT;
                }
                int r = next_event(s);
                if (r < 0)
                        return STOP_ERROR;
                if (r == 0) {
                        back_to_seq(s, cur);
                        not_found(s, text, "after", cur);
                        return STOP_END;
                }
                if (match_text(s, s->evs, s->shown - 1, ctx))
                        return STOP_DONE;
        }
}

/* ---- changing schemes --------------------------------------------------- */

/* Rebuilds everything under the current configuration and replays to the
 * end of op number ops: STOP_DONE, STOP_END when the trace is shorter, or
 * STOP_INTERRUPT (the position is then where the replay got to). */
static enum stop_reason rebuild(struct session *s, uint64_t ops)
{
        bool report = s->report_errors;
        uint64_t polls = 0;
        enum stop_reason r = STOP_DONE;
        build(s);
        s->report_errors = false;
        while (s->sim.ops < ops) {
                if (interrupted(s, &polls)) {
                        r = STOP_INTERRUPT;
                        break;
                }
                if (advance_op(s) <= 0) {
                        r = STOP_END;
                        break;
                }
        }
        s->shown = s->nevs;
        s->report_errors = report;
        return r;
}

/* Makes the compare machine the main one and the main one the compare
 * machine, live and in every snapshot: both ran the same ops, so nothing
 * is replayed but the current op (its events are the other scheme's). */
static void swap_schemes(struct session *s)
{
        uint64_t ops = s->sim.ops;
        for (size_t i = 0; i < s->nsnaps; i++) {
                struct sim t = s->snaps[i].sim;
                s->snaps[i].sim = s->snaps[i].cmp;
                s->snaps[i].cmp = t;
                s->snaps[i].seq = s->snaps[i].sim.seq; /* numbered by the main machine */
        }
        struct sim t = s->sim;
        s->sim = s->cmp;
        s->cmp = t;
        s->sim.nsinks = s->cmp.nsinks = 0;
        sim_add_sink(&s->sim, capture, s);
        sim_add_sink(&s->cmp, capture_cmp, s);
        s->cmp_mode = s->cfg.mode;
        s->cfg.mode = s->sim.cfg.mode;
        hist_reset(s->hist);
        s->op_known = false;
        s->epoch++;
        to_ops(s, ops);
}

/* Drops the compare machine, live and in every snapshot. */
static void drop_cmp(struct session *s)
{
        for (size_t i = 0; i < s->nsnaps; i++) {
                struct session_snap *sn = &s->snaps[i];
                sim_free(&sn->cmp);
                s->snap_bytes -= sn->bytes;
                sn->bytes = sim_mem_bytes(&sn->sim);
                s->snap_bytes += sn->bytes;
        }
        sim_free(&s->cmp);
        memset(&s->cmp, 0, sizeof s->cmp);
        s->has_cmp = false;
}

/* Replays the trace from the start under a new scheme for one of the two
 * machines only (the main one when main), replacing that machine in every
 * snapshot up to the current op; the other machine's snapshots stay, and
 * later snapshots are dropped. Then returns to the end of the current op.
 * STOP_DONE, or STOP_INTERRUPT when the poll stopped the replay (the
 * position is then the last snapshot it replaced). */
static enum stop_reason refill(struct session *s, bool main, const struct sim_config *cfg)
{
        uint64_t ops = s->sim.ops, polls = 0;
        bool report = s->report_errors;
        enum stop_reason r = STOP_DONE;
        struct sim m;
        size_t j = 0;
        while (s->nsnaps > 1 && s->snaps[s->nsnaps - 1].ops > ops)
                free_snap(s, s->nsnaps - 1);
        sim_init(&m, cfg);
        s->report_errors = false;
        (void)trace_seek(&s->reader, &s->snaps[0].pos); /* as restore() */
        for (;;) {
                if (s->snaps[j].ops == m.ops) {
                        struct session_snap *sn = &s->snaps[j++];
                        struct sim *side = main ? &sn->sim : &sn->cmp;
                        sim_free(side);
                        sim_clone(side, &m);
                        if (main)
                                sn->seq = m.seq; /* events are numbered by the main machine */
                        s->snap_bytes -= sn->bytes;
                        sn->bytes =
                            sim_mem_bytes(&sn->sim) + (s->has_cmp ? sim_mem_bytes(&sn->cmp) : 0);
                        s->snap_bytes += sn->bytes;
                        if (j == s->nsnaps)
                                break;
                }
                if (interrupted(s, &polls)) {
                        r = STOP_INTERRUPT;
                        break;
                }
                if (read_op(s, &s->op) <= 0)
                        break; /* the trace changed under us */
                sim_apply(&m, &s->op);
        }
        sim_free(&m);
        while (s->nsnaps > j)
                free_snap(s, s->nsnaps - 1);
        s->report_errors = report;
        hist_reset(s->hist);
        if (r == STOP_INTERRUPT)
                ops = s->snaps[j - 1].ops;
        restore(s, snap_at_or_before(s, ops ? ops - 1 : 0));
        memset(&s->op, 0, sizeof s->op);
        if (!to_ops(s, ops))
                r = STOP_END;
        return r;
}

enum mmu_mode session_default_cmp(enum mmu_mode mode)
{
        return (enum mmu_mode)mode_parse(scheme_of(mode)->compare_with);
}

enum stop_reason session_set_schemes(struct session *s, enum mmu_mode mode, int cmp)
{
        uint64_t ops = s->sim.ops;
        s->msg[0] = '\0';
        if (file_changed(s))
                return STOP_ERROR;
        if (mode == s->cfg.mode &&
            (cmp < 0 ? !s->has_cmp : s->has_cmp && cmp == (int)s->cmp_mode)) {
                to_ops(s, ops);
                return STOP_DONE;
        }
        if (s->has_cmp && mode == s->cmp_mode && cmp == (int)s->cfg.mode) {
                swap_schemes(s);
                return STOP_DONE;
        }
        if (s->has_cmp && cmp < 0)
                drop_cmp(s);
        if (mode == s->cfg.mode && cmp < 0) {
                to_ops(s, ops);
                return STOP_DONE;
        }
        if (mode == s->cfg.mode && s->has_cmp) {
                struct sim_config c = s->cfg;
                c.mode = (enum mmu_mode)cmp;
                s->cmp_mode = c.mode;
                return refill(s, false, &c);
        }
        if (cmp < 0 || (s->has_cmp && cmp == (int)s->cmp_mode)) {
                s->cfg.mode = mode;
                return refill(s, true, &s->cfg);
        }
        unbuild(s);
        s->cfg.mode = mode;
        s->has_cmp = cmp >= 0;
        s->cmp_mode = s->has_cmp ? (enum mmu_mode)cmp : MODE_NATIVE;
        return rebuild(s, ops);
}

enum stop_reason session_set_mode(struct session *s, enum mmu_mode mode)
{
        return session_set_schemes(s, mode, s->has_cmp ? (int)s->cmp_mode : -1);
}

enum stop_reason session_set_cmp(struct session *s, int mode)
{
        return session_set_schemes(s, s->cfg.mode, mode);
}

/* ---- the log ------------------------------------------------------------ */

struct replay_sink {
        struct event *evs;
        size_t n, cap;
};

static void replay_capture(void *ctx, const struct event *ev)
{
        struct replay_sink *rs = ctx;
        if (rs->n == rs->cap) {
                rs->cap = rs->cap ? rs->cap * 2 : 64;
                rs->evs = xrealloc(rs->evs, rs->cap, sizeof *rs->evs);
        }
        rs->evs[rs->n++] = *ev;
}

/* Opens r on the trace and m as a copy of the latest snapshot taken at or
 * before op number ops, with r positioned after it. Returns false (nothing
 * to free) when the trace cannot be read again. */
static bool replay_start(const struct session *s, uint64_t ops, struct trace_reader *r,
                         struct sim *m)
{
        if (file_difference(s))
                return false; /* what it would read is another trace */
        size_t i = snap_at_or_before(s, ops);
        if (open_reader(s, r) < 0)
                return false;
        if (trace_seek(r, &s->snaps[i].pos) < 0) {
                trace_close(r);
                return false;
        }
        sim_clone(m, &s->snaps[i].sim);
        return true;
}

/* Applies the next op read from r to m (bad lines are skipped, as in any
 * replay). Returns false at the end of what can be read. */
static bool replay_next(struct trace_reader *r, struct sim *m, struct op *op)
{
        for (;;) {
                struct trace_error err;
                enum trace_status st = trace_next(r, op, &err);
                if (st == TRACE_BAD_LINE)
                        continue;
                if (st != TRACE_OK)
                        return false;
                sim_apply(m, op);
                return true;
        }
}

/* Replays ops first..last on a copy of a snapshot, for the log. */
static void replay_range(struct session *s, uint64_t first, uint64_t last, session_hist_fn fn,
                         void *ctx)
{
        struct trace_reader r;
        struct sim m;
        struct replay_sink rs = {0};
        struct op op;
        if (file_changed(s) || !replay_start(s, first - 1, &r, &m))
                return;
        sim_add_sink(&m, replay_capture, &rs);
        while (m.ops < last) {
                rs.n = 0;
                if (!replay_next(&r, &m, &op))
                        break;
                if (m.ops >= first)
                        fn(ctx, m.ops, &op, rs.evs, rs.n);
        }
        free(rs.evs);
        sim_free(&m);
        trace_close(&r);
}

bool session_replay_before(const struct session *s, struct sim *out)
{
        uint64_t ops = s->sim.ops ? s->sim.ops - 1 : 0;
        struct trace_reader r;
        struct op op;
        if (!replay_start(s, ops, &r, out))
                return false;
        while (out->ops < ops)
                if (!replay_next(&r, out, &op))
                        break;
        trace_close(&r);
        if (out->ops == ops)
                return true;
        sim_free(out);
        return false;
}

void session_history(struct session *s, uint64_t first, uint64_t last, session_hist_fn fn,
                     void *ctx)
{
        if (last > s->sim.ops)
                last = s->sim.ops;
        if (first == 0)
                first = 1;
        if (first > last)
                return;
        uint64_t have = hist_first(s->hist);
        if (have == 0 || have > last) {
                replay_range(s, first, last, fn, ctx);
                return;
        }
        if (first < have)
                replay_range(s, first, have - 1, fn, ctx);
        for (uint64_t k = first > have ? first : have; k <= last; k++) {
                const struct op *op;
                const struct event *evs;
                size_t n;
                if (k == s->sim.ops) {
                        fn(ctx, k, &s->op, s->evs, s->nevs);
                } else if (hist_get(s->hist, k, &op, &evs, &n)) {
                        fn(ctx, k, op, evs, n);
                }
        }
}

size_t session_peek(struct session *s, struct op *ops, size_t max)
{
        struct trace_pos pos;
        size_t n = 0;
        if (max == 0)
                return 0;
        if (!trace_tell(&s->reader, &pos)) {
                ops[0] = s->reader.pending;
                return 1;
        }
        struct trace_reader r;
        if (file_changed(s) || open_reader(s, &r) < 0)
                return 0;
        if (trace_seek(&r, &pos) == 0) {
                while (n < max) {
                        struct trace_error err;
                        enum trace_status st = trace_next(&r, &ops[n], &err);
                        if (st == TRACE_BAD_LINE)
                                continue;
                        if (st != TRACE_OK)
                                break;
                        n++;
                }
        }
        trace_close(&r);
        return n;
}
