/*
 * run_parallel.c - one reader, the machines on every core (see
 * run_trace_parallel in run.h).
 *
 * The comparison runs every scheme on one trace, a batch run without a
 * log its scheme and native beside it; each machine is state of its own
 * (the engine has no global state), so machines can run on different
 * threads at once, and beside the reading. The calling thread reads the
 * trace once into a ring of batches of ops; a task is one machine applying its next batch,
 * and every thread (the reader between batches, and a worker for each
 * other core) takes the task of the machine furthest behind. A thread per
 * core rather than per machine: six threads on two cores spent more time
 * handing batches over than they saved.
 *
 * What run_trace decides between two ops with all the machines at hand (a
 * bad line, the memory limit, a machine that found no free frame, the
 * output) is recorded per op as each machine goes and judged afterwards,
 * batch by batch in trace order, by the reader before the batch's slot is
 * used again: the same messages in the same order, the same status, the
 * same place to stop as the sequential loop.
 *
 * Stopping: machines run ahead of that judgement by up to the ring, so two
 * things hold them back. A stop that is known (a machine found no frame
 * without --keep-going, the judgement stopped) lowers stop_at, the first
 * item no machine applies. And the memory limit: at each check a machine
 * publishes its size, and it is held there when the latest sizes add up
 * to more than the limit, or to more than half of it while the machine is
 * over NEAR items ahead of the slowest; held, it waits until every machine
 * has checked the same item, and their sizes at that item are added up
 * exactly: over the limit, stop_at comes down to it. So near the limit
 * the machines go almost in step and outgrow --max-mem by little more
 * than in the sequential loop, whose checks are RUN_CHECK_EVERY accesses
 * apart. The machine furthest behind is never held for long (the others
 * have checked its item), so a runnable machine always exists.
 */
#include "run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_mem.h"
#include "xalloc.h"

/* Items a batch holds and batches in the ring: a task is long enough that
 * taking one costs nothing measurable, a batch short enough to stay in a
 * core's cache while several machines apply it. */
#define BATCH 4096
#define RING  4

/* Near the memory limit, how far (in items) a machine may run ahead of
 * the slowest: as far apart as the sequential loop's checks. */
#define NEAR RUN_CHECK_EVERY

/* What an item of a batch is, besides an op. */
#define ITEM_CHECK 1u /* the limits are checked before it (run_is_check) */
#define ITEM_BAD   2u /* a bad line skipped (--keep-going): no op */

struct batch {
        uint64_t first; /* number of the batch's first item in the trace */
        unsigned n;     /* items */
        struct op ops[BATCH];
        uint8_t flags[BATCH];       /* ITEM_* */
        struct trace_error *bad;    /* the ITEM_BAD items' errors, in order */
        unsigned nbad, cap_bad;     /* (grown by the reader) */
        enum trace_status end;      /* TRACE_OK: more batches follow; else how the
                                       trace ended after these items */
        struct trace_error end_err; /* TRACE_BAD_LINE, _IO_ERROR, _BAD_DATA */
        size_t *mem;                /* [machine * BATCH + item]: at ITEM_CHECK items */
        uint64_t *no_frame;         /* [machine * BATCH / 64]: set where sim_apply failed */
};

/* How a task ended. */
enum task_end {
        TASK_DONE,    /* the batch is applied */
        TASK_HELD,    /* held at a check until the others have checked it */
        TASK_STOPPED, /* at stop_at: the machine applies nothing more */
};

/* A machine, its place in the trace and what the others see of it. */
struct machine {
        uint64_t next;            /* the batch it applies next (under lock) */
        unsigned resume;          /* TASK_HELD: the slot of that batch it is held at */
        bool held, busy, stopped; /* (under lock) busy: a thread applies it */
        _Atomic size_t size;      /* its bytes at its latest check */
        _Atomic uint64_t checked; /* 1 + the item of its latest check */
};

struct par {
        struct sim *const *sims;
        unsigned nsims;
        const struct run_options *opt;
        struct batch *ring;       /* RING slots */
        struct machine *ms;       /* [nsims] */
        pthread_mutex_t lock;     /* guards what is marked so */
        pthread_cond_t changed;   /* a batch was read, a task ended, or the run closed */
        uint64_t published;       /* batches read (under lock) */
        bool closed;              /* the run ends: no more tasks (under lock) */
        _Atomic uint64_t stop_at; /* the first item no machine applies */
};

static void lower_stop(struct par *p, uint64_t item)
{
        uint64_t cur = atomic_load(&p->stop_at);
        while (item < cur && !atomic_compare_exchange_weak(&p->stop_at, &cur, item))
                ;
}

/* Whether every machine has checked item (so their sizes there are in). */
static bool all_checked(const struct par *p, uint64_t item)
{
        for (unsigned m = 0; m < p->nsims; m++)
                if (atomic_load_explicit(&p->ms[m].checked, memory_order_acquire) <= item)
                        return false;
        return true;
}

/* The check before item (slot i of b) for machine m: records its size.
 * Returns false when the machine is to be held there: the latest sizes of
 * all add up to more than the limit, or to more than half of it while it
 * is over NEAR items ahead of the slowest (which could still grow past
 * the limit before catching up). */
static bool check(struct par *p, unsigned m, struct batch *b, unsigned i, uint64_t item)
{
        size_t mine = sim_mem_bytes(p->sims[m]);
        b->mem[(size_t)m * BATCH + i] = mine;
        atomic_store_explicit(&p->ms[m].size, mine, memory_order_relaxed);
        atomic_store_explicit(&p->ms[m].checked, item + 1, memory_order_release);
        size_t all = 0;
        uint64_t slowest = UINT64_MAX;
        for (unsigned j = 0; j < p->nsims; j++) {
                all += atomic_load_explicit(&p->ms[j].size, memory_order_relaxed);
                uint64_t c = atomic_load_explicit(&p->ms[j].checked, memory_order_relaxed);
                slowest = c < slowest ? c : slowest;
        }
        if (all > p->opt->max_mem)
                return false;
        return all <= p->opt->max_mem / 2 || item + 1 <= slowest + NEAR;
}

/* A held machine goes on from the check before item (slot i of b), every
 * machine having checked it: returns whether their sizes there fit. */
static bool fits_there(struct par *p, const struct batch *b, unsigned i, uint64_t item)
{
        size_t bytes = 0;
        for (unsigned m = 0; m < p->nsims; m++)
                bytes += b->mem[(size_t)m * BATCH + i];
        if (bytes <= p->opt->max_mem)
                return true;
        lower_stop(p, item);
        return false;
}

/* Applies machine m's next batch b from slot *at (a held machine's) to its
 * end; sets *at where it is held. */
static enum task_end apply_batch(struct par *p, unsigned m, struct batch *b, unsigned *at,
                                 bool resumed)
{
        struct sim *sim = p->sims[m];
        uint64_t *no_frame = b->no_frame + (size_t)m * (BATCH / 64);
        if (!resumed)
                memset(no_frame, 0, BATCH / 8);
        /* Items that stop a run of ops: a bad line, and a check when
         * there is a limit to check. */
        unsigned stops = ITEM_BAD | (p->opt->max_mem ? ITEM_CHECK : 0);
        for (unsigned i = *at; i < b->n;) {
                uint64_t item = b->first + i;
                if (b->flags[i] & ITEM_BAD) {
                        i++;
                        continue;
                }
                if ((b->flags[i] & ITEM_CHECK) && p->opt->max_mem) {
                        if (resumed && i == *at) {
                                if (atomic_load(&p->stop_at) <= item || !fits_there(p, b, i, item))
                                        return TASK_STOPPED;
                        } else if (!check(p, m, b, i, item)) {
                                *at = i;
                                return TASK_HELD;
                        }
                }
                if (item >= atomic_load_explicit(&p->stop_at, memory_order_relaxed))
                        return TASK_STOPPED;
                /* The ops up to the next such item go to sim_apply_ops
                 * together, at most RUN_CHECK_EVERY of them: a stop that
                 * another machine makes known is seen within that many ops
                 * (what a machine applies past a stop is never judged). */
                unsigned end = i + 1;
                while (end < b->n && end - i < RUN_CHECK_EVERY && !(b->flags[end] & stops))
                        end++;
                i += (unsigned)sim_apply_ops(sim, &b->ops[i], end - i);
                if (i < end) {
                        no_frame[i / 64] |= 1ull << (i % 64);
                        if (!p->opt->keep_going)
                                lower_stop(p, b->first + i + 1); /* every machine applies it */
                        i++;
                }
        }
        return TASK_DONE;
}

/* Under lock: the machine whose task to run next (the one furthest
 * behind that can go on), marked busy; -1 when none can. */
static int take(struct par *p)
{
        int best = -1;
        for (unsigned m = 0; m < p->nsims; m++) {
                struct machine *w = &p->ms[m];
                if (w->busy || w->stopped || w->next >= p->published)
                        continue;
                if (w->held) {
                        uint64_t item = p->ring[w->next % RING].first + w->resume;
                        if (atomic_load(&p->stop_at) > item && !all_checked(p, item))
                                continue;
                }
                if (best < 0 || w->next < p->ms[best].next)
                        best = (int)m;
        }
        if (best >= 0)
                p->ms[best].busy = true;
        return best;
}

/* Runs machine m's task, taken under lock, which is held again after. */
static void run_task(struct par *p, unsigned m)
{
        struct machine *w = &p->ms[m];
        unsigned at = w->held ? w->resume : 0;
        bool resumed = w->held;
        struct batch *b = &p->ring[w->next % RING];
        pthread_mutex_unlock(&p->lock);
        enum task_end end = apply_batch(p, m, b, &at, resumed);
        pthread_mutex_lock(&p->lock);
        w->busy = false;
        w->held = end == TASK_HELD;
        w->resume = at;
        w->stopped = end == TASK_STOPPED;
        if (end == TASK_DONE)
                w->next++;
        pthread_cond_broadcast(&p->changed);
}

/* A worker: runs tasks until the run closes. */
static void *worker_main(void *arg)
{
        struct par *p = arg;
        pthread_mutex_lock(&p->lock);
        while (!p->closed) {
                int m = take(p);
                if (m < 0)
                        pthread_cond_wait(&p->changed, &p->lock);
                else
                        run_task(p, (unsigned)m);
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

/* Reads the next batch into b, numbering its items from *item (and
 * counting them there). */
static void read_batch(struct trace_reader *r, const struct run_options *opt, struct batch *b,
                       uint64_t *item)
{
        b->first = *item;
        b->n = b->nbad = 0;
        b->end = TRACE_OK;
        while (b->n < BATCH) {
                /* Runs of accesses from the reader's fast path. */
                size_t got = trace_next_ops(r, &b->ops[b->n], BATCH - b->n);
                for (size_t k = 0; k < got; k++, b->n++, (*item)++)
                        b->flags[b->n] = run_is_check(&b->ops[b->n], *item) ? ITEM_CHECK : 0;
                if (got)
                        continue;
                unsigned i = b->n;
                struct trace_error err;
                enum trace_status st = trace_next(r, &b->ops[i], &err);
                if (st == TRACE_BAD_LINE && opt->keep_going) {
                        if (b->nbad == b->cap_bad) {
                                b->cap_bad = b->cap_bad ? 2 * b->cap_bad : 16;
                                b->bad = xrealloc(b->bad, b->cap_bad, sizeof *b->bad);
                        }
                        b->bad[b->nbad++] = err;
                        b->flags[i] = ITEM_BAD;
                } else if (st == TRACE_OK) {
                        b->flags[i] = run_is_check(&b->ops[i], *item) ? ITEM_CHECK : 0;
                } else {
                        b->end = st;
                        b->end_err = err;
                        return;
                }
                b->n++;
                (*item)++;
        }
}

/* Judges batch b once every machine is done with it, as run_trace would
 * have between its ops: reports on opt->errors, updates *status. Returns
 * false when the run ends here (*status is then final; *reached_end is set
 * at the end of the trace). */
static bool judge(struct par *p, const struct batch *b, int *status, bool *reached_end)
{
        const struct run_options *opt = p->opt;
        uint64_t no_frame[BATCH / 64] = {0}; /* in any machine */
        for (unsigned m = 0; m < p->nsims; m++)
                for (unsigned w = 0; w < BATCH / 64; w++)
                        no_frame[w] |= b->no_frame[(size_t)m * (BATCH / 64) + w];
        unsigned bad = 0;
        for (unsigned i = 0; i < b->n; i++) {
                const struct op *op = &b->ops[i];
                if (b->flags[i] & ITEM_BAD) {
                        run_print_error(opt->errors, opt->name, &b->bad[bad++]);
                        *status = EXIT_DATAERR;
                        continue;
                }
                if (b->flags[i] & ITEM_CHECK) {
                        if (opt->out && run_check_output(opt->out, opt->errors)) {
                                *status = EXIT_IOERR;
                                return false;
                        }
                        size_t bytes = 0;
                        for (unsigned m = 0; opt->max_mem && m < p->nsims; m++)
                                bytes += b->mem[(size_t)m * BATCH + i];
                        if (opt->max_mem && run_over_limit(opt, op, bytes)) {
                                *status = EXIT_DATAERR;
                                return false;
                        }
                }
                if ((no_frame[i / 64] >> (i % 64)) & 1) {
                        run_report_no_frame(opt, op);
                        *status = EXIT_DATAERR;
                        if (!opt->keep_going)
                                return false;
                }
        }
        switch (b->end) {
        case TRACE_OK:
                return true;
        case TRACE_EOF:
                *reached_end = true;
                return false;
        case TRACE_BAD_LINE:
                run_print_error(opt->errors, opt->name, &b->end_err);
                *status = EXIT_DATAERR;
                return false;
        default:
                if (opt->errors)
                        fprintf(opt->errors, "%s: error: %s\n", opt->name, b->end_err.msg);
                *status = b->end == TRACE_IO_ERROR ? EXIT_IOERR : EXIT_DATAERR;
                return false;
        }
}

/* Under lock: whether every machine is done with batch n (or stopped). */
static bool batch_done(const struct par *p, uint64_t n)
{
        for (unsigned m = 0; m < p->nsims; m++)
                if (!p->ms[m].stopped && p->ms[m].next <= n)
                        return false;
        return true;
}

/* The reader's loop, under lock: judges each batch once every machine is
 * done with it, reads the next one when the ring has room, and otherwise
 * runs a task. Returns the exit status, the run closed. */
static int read_and_judge(struct par *p, struct trace_reader *r, bool *reached_end)
{
        uint64_t item = 0, judged = 0;
        int status = 0;
        bool more = true;
        for (;;) {
                if (judged < p->published && batch_done(p, judged)) {
                        const struct batch *b = &p->ring[judged % RING];
                        pthread_mutex_unlock(&p->lock);
                        bool going = judge(p, b, &status, reached_end);
                        pthread_mutex_lock(&p->lock);
                        judged++;
                        if (!going)
                                break;
                } else if (more && p->published - judged < RING) {
                        struct batch *b = &p->ring[p->published % RING];
                        pthread_mutex_unlock(&p->lock);
                        read_batch(r, p->opt, b, &item);
                        pthread_mutex_lock(&p->lock);
                        more = b->end == TRACE_OK;
                        p->published++;
                        pthread_cond_broadcast(&p->changed);
                } else {
                        int m = take(p);
                        if (m >= 0)
                                run_task(p, (unsigned)m);
                        else
                                pthread_cond_wait(&p->changed, &p->lock);
                }
        }
        lower_stop(p, 0); /* what still runs stops at its next op */
        p->closed = true;
        pthread_cond_broadcast(&p->changed);
        return status;
}

static void par_init(struct par *p, struct sim *const *sims, unsigned nsims,
                     const struct run_options *opt)
{
        memset(p, 0, sizeof *p);
        p->sims = sims;
        p->nsims = nsims;
        p->opt = opt;
        p->ring = xcalloc(RING, sizeof *p->ring);
        for (unsigned s = 0; s < RING; s++) {
                p->ring[s].mem = xcalloc((size_t)nsims * BATCH, sizeof *p->ring[s].mem);
                p->ring[s].no_frame = xcalloc((size_t)nsims * (BATCH / 64), sizeof(uint64_t));
        }
        p->ms = xcalloc(nsims, sizeof *p->ms);
        atomic_init(&p->stop_at, UINT64_MAX);
        for (unsigned m = 0; m < nsims; m++) {
                atomic_init(&p->ms[m].size, 0);
                atomic_init(&p->ms[m].checked, 0);
        }
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->changed, NULL);
}

static void par_free(struct par *p)
{
        for (unsigned s = 0; s < RING; s++) {
                free(p->ring[s].bad);
                free(p->ring[s].mem);
                free(p->ring[s].no_frame);
        }
        free(p->ring);
        free(p->ms);
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
}

/* Workers beside the reader: one for each other core (or other thread
 * allowed), no more than there are machines to keep busy. Reading and
 * parsing take about as long as a scheme's machine and native's together
 * (docs/performance.md), so even one machine gets a worker: the reader
 * parses ahead of it. */
static unsigned workers_wanted(unsigned nsims, unsigned threads)
{
        long cores = threads ? (long)threads : sysconf(_SC_NPROCESSORS_ONLN);
        if (cores < 2)
                return 0;
        return (unsigned)(cores - 1) < nsims ? (unsigned)(cores - 1) : nsims;
}

int run_trace_parallel(struct trace_reader *r, struct sim *const *sims, unsigned nsims,
                       const struct run_options *opt, bool *reached_end)
{
        unsigned want = workers_wanted(nsims, opt->threads);
        if (want == 0)
                return run_trace(r, sims, nsims, opt, reached_end);
        struct par p;
        par_init(&p, sims, nsims, opt);
        pthread_t *threads = xcalloc(want, sizeof *threads);
        unsigned started = 0;
        while (started < want && pthread_create(&threads[started], NULL, worker_main, &p) == 0)
                started++;
        /* With fewer workers than wanted (or none), the reader takes more
         * of the tasks: the result is the same. */
        *reached_end = false;
        pthread_mutex_lock(&p.lock);
        int status = read_and_judge(&p, r, reached_end);
        pthread_mutex_unlock(&p.lock);
        for (unsigned i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        free(threads);
        par_free(&p);
        return status;
}
