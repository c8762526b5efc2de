/*
 * session_view.c - rebuilding the machine right after the current event
 * (see session_view.h).
 */
#include "session_view.h"

#include <stdlib.h>
#include <string.h>

#include "sim_mem.h"
#include "xalloc.h"

struct session_view {
        struct sim before; /* the machine before the current op */
        bool have_before;
        uint64_t before_epoch; /* the session's epoch it was built in */
        struct sim at;         /* the machine right after the current event */
        bool have_at;
        uint64_t at_epoch;
        size_t at_shown; /* events of the op shown when it was built */
};

struct session_view *session_view_new(void)
{
        return xcalloc(1, sizeof(struct session_view));
}

static void drop(struct sim *m, bool *have)
{
        if (*have)
                sim_free(m);
        *have = false;
}

void session_view_free(struct session_view *v)
{
        if (!v)
                return;
        drop(&v->before, &v->have_before);
        drop(&v->at, &v->have_at);
        free(v);
}

size_t session_view_bytes(const struct session_view *v)
{
        return (v->have_before ? sim_mem_bytes(&v->before) : 0) +
               (v->have_at ? sim_mem_bytes(&v->at) : 0);
}

/* Copies the emitting machine into dst when event seq is emitted: the
 * machine right after event seq. */
struct freeze {
        const struct sim *src;
        uint64_t seq;
        struct sim *dst;
        bool done;
};

static void freeze_sink(void *ctx, const struct event *ev)
{
        struct freeze *f = ctx;
        if (!f->done && ev->seq == f->seq) {
                sim_clone(f->dst, f->src);
                f->done = true;
        }
}

/* The machine before the current op, kept for as long as the session
 * stays in it (the same epoch). */
static const struct sim *before_op(const struct session *s, struct session_view *v)
{
        if (v->have_before && v->before_epoch == s->epoch)
                return &v->before;
        drop(&v->before, &v->have_before);
        if (!session_replay_before(s, &v->before))
                return NULL;
        v->have_before = true;
        v->before_epoch = s->epoch;
        return &v->before;
}

/* Replays the current op on a copy of before and keeps the machine as it
 * is when its event number shown is emitted. */
static bool build_at(const struct session *s, struct session_view *v, const struct sim *before,
                     size_t shown)
{
        struct sim m;
        sim_clone(&m, before);
        struct freeze f = {&m, before->seq + shown, &v->at, false};
        sim_add_sink(&m, freeze_sink, &f);
        sim_apply(&m, &s->op);
        sim_free(&m);
        v->have_at = f.done;
        return f.done;
}

/* Whether the machine after the op is the machine right after its last
 * event: not when that event happened on another vCPU than the one the
 * op ran on (the VMM's kick of another vCPU, whose state the sim holds only
 * until it switches back, which has no event). */
static bool ends_as_last_event(const struct session *s)
{
        return s->nevs == 0 || s->evs[s->nevs - 1].cpu == s->sim.cpu;
}

const struct sim *session_machine_at(const struct session *s, size_t shown)
{
        struct session_view *v = s->view;
        if (!s->op_known || shown > s->nevs || (shown == s->nevs && ends_as_last_event(s)))
                return &s->sim;
        if (v->have_at && v->at_epoch == s->epoch && v->at_shown == shown)
                return &v->at;
        const struct sim *before = before_op(s, v);
        if (!before)
                return &s->sim; /* the trace cannot be read again */
        if (shown == 0)
                return before;
        drop(&v->at, &v->have_at);
        if (!build_at(s, v, before, shown))
                return &s->sim;
        v->at_epoch = s->epoch;
        v->at_shown = shown;
        return &v->at;
}

const struct sim *session_machine(const struct session *s)
{
        return session_machine_at(s, s->shown);
}

const struct sim *session_machine_before_walk(const struct session *s)
{
        size_t j = s->shown ? s->shown - 1 : 0;
        const struct event *ev = s->shown ? &s->evs[j] : NULL;
        if (ev && ev->kind == EV_ACCESS && !ev->tlb_hit)
                while (j > 0 && (s->evs[j - 1].kind == EV_TLB_EVICT ||
                                 (s->evs[j - 1].kind == EV_STALE_TLB &&
                                  s->evs[j - 1].detail == DETAIL_STALE_SHADOW)))
                        j--;
        return session_machine_at(s, j);
}
