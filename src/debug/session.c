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
#include <sys/stat.h>

#include "escape.h"
#include "hist.h"
#include "run.h"
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

/* Forgets the message of the last move, and what kind of error it was. */
static void clear_msg(struct session *s)
{
        s->msg[0] = '\0';
        s->read_failed = false;
}

int session_error_status(const struct session *s)
{
        return s->read_failed ? EXIT_IOERR : EXIT_DATAERR;
}

/* Reads the next op. Returns 1, 0 at the end, -1 on a bad line (when
 * report_errors; otherwise bad lines are skipped) or a read error. */
static int read_op(struct session *s, struct op *op)
{
        for (;;) {
                struct trace_error err;
                enum trace_status st = trace_next(&s->reader, op, &err);
                switch (st) {
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
                        s->read_failed = st != TRACE_BAD_DATA;
                        return -1;
                }
        }
}

/* Whether the machines and snapshots have reached the memory limit; if
 * so, says so in msg for the op at line (which is not applied). The
 * snapshots only make going back faster, so past the limit they go
 * first, the latest (the largest) first, all but the start; only then is
 * the op refused. */
static bool reached_limit(struct session *s, uint64_t line)
{
        while (s->mem_limit && s->nsnaps > 1 && machines_bytes(s) + s->snap_bytes > s->mem_limit)
                free_snap(s, s->nsnaps - 1);
        size_t bytes = machines_bytes(s) + s->snap_bytes;
        s->over_limit = s->mem_limit && bytes > s->mem_limit;
        if (s->over_limit)
                snprintf(s->limit_msg, sizeof s->limit_msg,
                         "%s:%llu:1: error: expected a trace whose machines fit in --max-mem "
                         "(%zu MiB), found them and their snapshots at %zu MiB before this line",
                         s->name, (unsigned long long)line, s->mem_limit >> 20, bytes >> 20);
        if (s->over_limit)
                snprintf(s->msg, sizeof s->msg, "%s", s->limit_msg);
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
        if (s->over_limit) { /* every move forward says why again */
                snprintf(s->msg, sizeof s->msg, "%s", s->limit_msg);
                return -1;
        }
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
        snprintf(s->note, sizeof s->note, "%s", trace_note(&s->reader));
        s->op_known = true;
        bool applied = sim_apply(&s->sim, &op);
        if (s->has_cmp)
                applied &= sim_apply(&s->cmp, &op);
        hist_add(s->hist, s->sim.ops, &op, s->evs, s->nevs, s->note);
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
        s->view = session_view_new();
        s->report_errors = true;
        build(s);
        return 0;
}

void session_close(struct session *s)
{
        unbuild(s);
        trace_close(&s->reader);
        hist_free(s->hist);
        session_view_free(s->view);
        free(s->snaps);
        free(s->evs);
        free(s->cmp_evs);
        session_break_free(s);
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

void session_line_stats(const struct session *s, struct stats *main, struct stats *cmp)
{
        memset(main, 0, sizeof *main);
        memset(cmp, 0, sizeof *cmp);
        if (!s->op_known)
                return;
        struct stats now;
        session_stats(s, &now);
#define LINE_DELTA(name, smp, help) main->name = now.name - s->before.name;
        STATS_FIELDS(LINE_DELTA)
#undef LINE_DELTA
        for (size_t i = 0; s->has_cmp && i < s->ncmp_evs; i++)
                stats_count(cmp, &s->cmp.cfg.cost, &s->cmp_evs[i]);
}

unsigned session_percent(const struct session *s)
{
        if (s->at_end && s->shown == s->nevs)
                return 100;
        int p = trace_percent(&s->reader);
        return p < 0 ? 0 : (unsigned)p;
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
                if (use_bps && session_break_count(s))
                        return true;
        }
        return false;
}

/* One unit of a forward move, a line (line_unit) or an event
 * (event_unit): 1 when it moved, UNIT_BREAK when it moved onto a
 * breakpoint (use_bps), 0 at the end, -1 on an error. */
enum { UNIT_BREAK = 2 };
typedef int (*unit_fn)(struct session *s, bool use_bps);

static int line_unit(struct session *s, bool use_bps)
{
        if (s->shown == s->nevs) {
                int r = advance_op(s);
                if (r <= 0)
                        return r;
        }
        return reveal_op(s, use_bps) ? UNIT_BREAK : 1;
}

static int event_unit(struct session *s, bool use_bps)
{
        int r = next_event(s);
        if (r <= 0)
                return r;
        return use_bps && session_break_count(s) ? UNIT_BREAK : 1;
}

/* Moves forward n units, stopping early at a breakpoint, the end, an
 * error or an interrupt. */
static enum stop_reason forward(struct session *s, uint64_t n, bool use_bps, unit_fn unit)
{
        uint64_t polls = 0;
        clear_msg(s);
        if (file_changed(s))
                return STOP_ERROR;
        for (uint64_t i = 0; i < n; i++) {
                if (interrupted(s, &polls))
                        return STOP_INTERRUPT;
                int r = unit(s, use_bps);
                if (r <= 0)
                        return stop_for(r);
                if (r == UNIT_BREAK)
                        return STOP_BREAK;
        }
        return STOP_DONE;
}

enum stop_reason session_step(struct session *s, uint64_t n, bool use_bps)
{
        return forward(s, n, use_bps, line_unit);
}

enum stop_reason session_stepi(struct session *s, uint64_t n, bool use_bps)
{
        return forward(s, n, use_bps, event_unit);
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
        return session_break_stops(s, evs, i);
}

/* A replay of the main machine alone on a copy of a snapshot, for the
 * scans: what breakpoints and searches look for are its events, and the
 * compare machine would double the cost. */
struct scan {
        struct trace_reader r;
        struct sim m;
        struct event *evs; /* the events of the last op applied */
        size_t nevs, cap;
        bool bad_line; /* a malformed line was passed over */
};

static void scan_capture(void *ctx, const struct event *ev)
{
        struct scan *sc = ctx;
        append(&sc->evs, &sc->nevs, &sc->cap, ev);
}

/* Starts sc at snapshot i. Returns false (nothing to free) when the trace
 * cannot be read again. */
static bool scan_start(const struct session *s, size_t i, struct scan *sc)
{
        memset(sc, 0, sizeof *sc);
        if (file_difference(s) || open_reader(s, &sc->r) < 0)
                return false;
        if (trace_seek(&sc->r, &s->snaps[i].pos) < 0) {
                trace_close(&sc->r);
                return false;
        }
        sim_clone(&sc->m, &s->snaps[i].sim);
        sim_add_sink(&sc->m, scan_capture, sc);
        return true;
}

/* Applies the next op, its events in sc->evs. Returns false at the end. */
static bool scan_next(struct scan *sc)
{
        struct op op;
        struct trace_error err;
        for (;;) {
                enum trace_status st = trace_next(&sc->r, &op, &err);
                if (st == TRACE_BAD_LINE) {
                        sc->bad_line = true;
                        continue;
                }
                if (st != TRACE_OK)
                        return false;
                sc->nevs = 0;
                sim_apply(&sc->m, &op);
                return true;
        }
}

static void scan_end(struct scan *sc)
{
        sim_free(&sc->m);
        trace_close(&sc->r);
        free(sc->evs);
}

/* The latest event numbered in [lo, hi) that match accepts, replaying
 * from snapshot i up to event hi - 1 (0 when there is none). *stop is set
 * when the poll asked to stop. */
static uint64_t scan_segment(struct session *s, size_t i, uint64_t lo, uint64_t hi, match_fn match,
                             void *ctx, uint64_t *polls, bool *stop)
{
        struct scan sc;
        uint64_t found = 0;
        if (!scan_start(s, i, &sc))
                return 0;
        while (sc.m.seq < hi - 1 && !(*stop = interrupted(s, polls)) && scan_next(&sc)) {
                uint64_t first = sc.m.seq - sc.nevs + 1;
                for (size_t e = 0; e < sc.nevs; e++)
                        if (first + e >= lo && first + e < hi && match(s, sc.evs, e, ctx))
                                found = first + e;
        }
        scan_end(&sc);
        return *stop ? 0 : found;
}

/* The latest event numbered in [lo, hi) that match accepts, found by
 * replaying the main machine from snapshots, latest segment first; 0 when
 * there is none. The session does not move. *stop is set when the poll
 * asked to stop. */
static uint64_t scan_back(struct session *s, uint64_t lo, uint64_t hi, match_fn match, void *ctx,
                          bool *stop)
{
        uint64_t polls = 0, found = 0;
        *stop = false;
        while (hi > lo && hi > 1 && !found && !*stop) {
                size_t i = snap_before_seq(s, hi - 1);
                found = scan_segment(s, i, lo, hi, match, ctx, &polls, stop);
                hi = s->snaps[i].seq + 1;
                if (i == 0)
                        break;
        }
        return found;
}

/* The first event after the current one that match accepts, found by
 * replaying the main machine alone from the snapshot before the current
 * op; 0 when there is none. The session does not move. *stop is set when
 * the poll asked to stop; *bad_line when a malformed line lies ahead
 * (which a forward move must report). */
static uint64_t scan_ahead(struct session *s, match_fn match, void *ctx, bool *stop, bool *bad_line)
{
        uint64_t cur = session_seq(s), polls = 0, found = 0, ops = session_ops(s);
        struct scan sc;
        *stop = *bad_line = false;
        if (!scan_start(s, snap_at_or_before(s, ops ? ops - 1 : 0), &sc))
                return 0;
        while (!found && !(*stop = interrupted(s, &polls))) {
                sc.bad_line = false;
                bool more = scan_next(&sc);
                /* A bad line read before op m.ops (or at the end): past the
                 * current op? */
                *bad_line |= sc.bad_line && sc.m.ops - (more ? 1 : 0) >= ops;
                if (!more)
                        break;
                uint64_t first = sc.m.seq - sc.nevs + 1;
                for (size_t e = 0; e < sc.nevs && !found; e++)
                        if (first + e > cur && match(s, sc.evs, e, ctx))
                                found = first + e;
        }
        scan_end(&sc);
        return *stop ? 0 : found;
}

/* Goes back to event target (0: the start), or to the latest event in
 * [target, current) that a breakpoint stops on when use_bps. */
static enum stop_reason back_to(struct session *s, uint64_t target, bool use_bps)
{
        uint64_t cur = session_seq(s);
        clear_msg(s);
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
                        session_break_count(s);
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
        clear_msg(s);
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
                session_break_count(s);
                return STOP_BREAK;
        }
        to_ops(s, k);
        if (stop && end + 1 < cur)
                return STOP_INTERRUPT;
        return session_break_count(s) ? STOP_BREAK : STOP_DONE;
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
        clear_msg(s);
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
        clear_msg(s);
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

/* A text searched for: in lower case (ASCII, as the log lines are), and
 * the two cases of its first character. */
struct needle {
        char low[256];
        char first[3];
};

static char lower_of(char c)
{
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void needle_init(struct needle *n, const char *text)
{
        size_t i = 0;
        for (; text[i] && i + 1 < sizeof n->low; i++)
                n->low[i] = lower_of(text[i]);
        n->low[i] = '\0';
        char c = n->low[0];
        n->first[0] = c;
        n->first[1] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : '\0';
        n->first[2] = '\0';
}

/* Whether line holds the needle, ignoring case: each place that starts
 * with its first character (found with strpbrk) is compared. */
static bool holds(const char *line, const struct needle *n)
{
        if (!n->low[0])
                return true;
        for (const char *p = line; (p = strpbrk(p, n->first)) != NULL; p++) {
                size_t k = 1;
                while (n->low[k] && lower_of(p[k]) == n->low[k])
                        k++;
                if (!n->low[k])
                        return true;
        }
        return false;
}

/* Whether the log line of evs[i] holds the needle ctx, ignoring case. */
static bool match_text(struct session *s, const struct event *evs, size_t i, void *ctx)
{
        char line[256];
        (void)s;
        event_format(&evs[i], line, sizeof line);
        return holds(line, ctx);
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

/* Moves forward to event found, or (found 0) to the first event after
 * the current one whose line holds n, reporting a malformed line on the
 * way as any forward move does; text is what was typed. */
static enum stop_reason move_to_match(struct session *s, uint64_t found, struct needle *n,
                                      const char *text)
{
        uint64_t cur = session_seq(s), polls = 0;
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
                if (found ? session_seq(s) == found : match_text(s, s->evs, s->shown - 1, n))
                        return STOP_DONE;
        }
}

enum stop_reason session_search(struct session *s, const char *text, bool back)
{
        uint64_t cur = session_seq(s), found;
        struct needle needle;
        bool stop = false, bad;
        needle_init(&needle, text);
        clear_msg(s);
        if (file_changed(s))
                return STOP_ERROR;
        if (back) {
                found = cur > 1 ? scan_back(s, 1, cur, match_text, &needle, &stop) : 0;
                back_to_seq(s, found ? found : cur);
                if (!found && !stop)
                        not_found(s, text, "before", cur);
                return stop ? STOP_INTERRUPT : found ? STOP_DONE : STOP_START;
        }
        /* Look ahead with the main machine alone, then move there (or to
         * the malformed line the move must report). */
        found = scan_ahead(s, match_text, &needle, &stop, &bad);
        if (stop)
                return STOP_INTERRUPT;
        if (!found && !bad) {
                not_found(s, text, "after", cur);
                return STOP_END;
        }
        return move_to_match(s, found, &needle, text);
}

/* ---- changing schemes --------------------------------------------------- */

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

/* Puts the machines of a completed refill in the first n snapshots
 * (dropping the later ones) and their schemes in the configuration. */
static void commit_schemes(struct session *s, const struct sim_config *cfg[2],
                           struct sim (*fresh)[2], size_t n)
{
        while (s->nsnaps > n)
                free_snap(s, s->nsnaps - 1);
        s->snap_bytes = 0;
        for (size_t i = 0; i < n; i++) {
                struct session_snap *sn = &s->snaps[i];
                if (cfg[0]) {
                        sim_free(&sn->sim);
                        sn->sim = fresh[i][0];
                        sn->seq = sn->sim.seq; /* events are numbered by the main machine */
                }
                if (cfg[1]) {
                        if (s->has_cmp)
                                sim_free(&sn->cmp);
                        sn->cmp = fresh[i][1];
                }
                sn->bytes =
                    sim_mem_bytes(&sn->sim) + (s->has_cmp || cfg[1] ? sim_mem_bytes(&sn->cmp) : 0);
                s->snap_bytes += sn->bytes;
        }
        if (cfg[0])
                s->cfg.mode = cfg[0]->mode;
        if (cfg[1]) {
                if (!s->has_cmp)
                        sim_init(&s->cmp, cfg[1]); /* for restore() to replace */
                s->has_cmp = true;
                s->cmp_mode = cfg[1]->mode;
        }
}

/* Replays the trace from the start on fresh machines of the schemes cfg
 * names (cfg[0] the main one, cfg[1] the compare one; NULL: none), cloning
 * them into fresh[j] where snapshot j stands, for the first n snapshots.
 * Returns how many it cloned; *stopped when the poll interrupted it. */
static size_t replay_clones(struct session *s, const struct sim_config *cfg[2],
                            struct sim (*fresh)[2], size_t n, bool *stopped)
{
        uint64_t done = 0, polls = 0;
        size_t j = 0;
        struct sim m[2];
        for (int k = 0; k < 2; k++)
                if (cfg[k])
                        sim_init(&m[k], cfg[k]);
        (void)trace_seek(&s->reader, &s->snaps[0].pos); /* as restore() */
        *stopped = false;
        for (;;) {
                if (s->snaps[j].ops == done) {
                        for (int k = 0; k < 2; k++)
                                if (cfg[k])
                                        sim_clone(&fresh[j][k], &m[k]);
                        if (++j == n)
                                break;
                }
                if (interrupted(s, &polls)) {
                        *stopped = true;
                        break;
                }
                if (read_op(s, &s->op) <= 0)
                        break; /* the trace changed under us */
                for (int k = 0; k < 2; k++)
                        if (cfg[k])
                                sim_apply(&m[k], &s->op);
                done++;
        }
        for (int k = 0; k < 2; k++)
                if (cfg[k])
                        sim_free(&m[k]);
        return j;
}

/* Replays the trace under new schemes for the machines cfg names (cfg[0]
 * the main one, cfg[1] the compare one; NULL: kept). A replay that
 * completes replaces those machines in the snapshots up to the current op
 * and the schemes, and returns to the end of the current op (STOP_DONE, or
 * STOP_END when the trace changed under it). An interrupted one changes
 * nothing and returns to the event the session stood on (STOP_INTERRUPT). */
static enum stop_reason refill(struct session *s, const struct sim_config *cfg[2])
{
        uint64_t ops = s->sim.ops;
        size_t shown = s->shown, n = snap_at_or_before(s, ops) + 1;
        bool report = s->report_errors, stopped;
        struct sim(*fresh)[2] = xcalloc(n, sizeof *fresh);
        s->report_errors = false;
        size_t made = replay_clones(s, cfg, fresh, n, &stopped);
        s->report_errors = report;
        if (stopped) {
                for (size_t i = 0; i < made; i++)
                        for (int k = 0; k < 2; k++)
                                if (cfg[k])
                                        sim_free(&fresh[i][k]);
        } else {
                commit_schemes(s, cfg, fresh, made);
        }
        free(fresh);
        hist_reset(s->hist);
        restore(s, snap_at_or_before(s, ops ? ops - 1 : 0));
        memset(&s->op, 0, sizeof s->op);
        if (!to_ops(s, ops))
                return STOP_END;
        if (stopped)
                s->shown = shown;
        return stopped ? STOP_INTERRUPT : STOP_DONE;
}

enum mmu_mode session_default_cmp(enum mmu_mode mode)
{
        return (enum mmu_mode)mode_parse(scheme_of(mode)->compare_with);
}

enum stop_reason session_set_schemes(struct session *s, enum mmu_mode mode, int cmp)
{
        uint64_t ops = s->sim.ops;
        clear_msg(s);
        if (file_changed(s))
                return STOP_ERROR;
        if (s->has_cmp && mode == s->cmp_mode && cmp == (int)s->cfg.mode) {
                swap_schemes(s);
                return STOP_DONE;
        }
        if (s->has_cmp && cmp < 0)
                drop_cmp(s);
        struct sim_config main_cfg = s->cfg, cmp_cfg = s->cfg;
        main_cfg.mode = mode;
        cmp_cfg.mode = cmp < 0 ? s->cmp_mode : (enum mmu_mode)cmp;
        const struct sim_config *fresh[2] = {
            mode != s->cfg.mode ? &main_cfg : NULL,
            cmp >= 0 && !(s->has_cmp && cmp == (int)s->cmp_mode) ? &cmp_cfg : NULL,
        };
        if (fresh[0] || fresh[1])
                return refill(s, fresh);
        to_ops(s, ops);
        return STOP_DONE;
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
                        fn(ctx, m.ops, &op, rs.evs, rs.n, trace_note(&r));
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
                const char *note;
                size_t n;
                if (k == s->sim.ops) {
                        fn(ctx, k, &s->op, s->evs, s->nevs, s->note);
                } else if (hist_get(s->hist, k, &op, &evs, &n, &note)) {
                        fn(ctx, k, op, evs, n, note);
                }
        }
}

size_t session_peek(struct session *s, struct op *ops, size_t max, char *note, size_t note_len)
{
        struct trace_pos pos;
        size_t n = 0;
        if (note_len)
                note[0] = '\0';
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
                        if (n++ == 0 && note_len)
                                snprintf(note, note_len, "%s", trace_note(&r));
                }
        }
        trace_close(&r);
        return n;
}
