/*
 * hist.c - a ring of the last HIST_OPS ops and their events.
 */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct slot {
        struct op op;
        struct event *evs; /* reused from op to op */
        size_t n, cap;
        char *note; /* its narration (trace_note), or NULL */
};

struct hist {
        struct slot slots[HIST_OPS]; /* op k lives in slots[k % HIST_OPS] */
        uint64_t first;              /* op number of the oldest held */
        uint64_t count;
};

struct hist *hist_new(void)
{
        return xcalloc(1, sizeof(struct hist));
}

void hist_free(struct hist *h)
{
        for (size_t i = 0; i < HIST_OPS; i++) {
                free(h->slots[i].evs);
                free(h->slots[i].note);
        }
        free(h);
}

void hist_reset(struct hist *h)
{
        h->first = h->count = 0;
}

static void store(struct hist *h, uint64_t opno, const struct op *op, const struct event *evs,
                  size_t n, const char *note)
{
        struct slot *sl = &h->slots[opno % HIST_OPS];
        if (n > sl->cap) {
                sl->cap = n;
                sl->evs = xrealloc(sl->evs, sl->cap, sizeof *sl->evs);
        }
        sl->op = *op;
        if (n)
                memcpy(sl->evs, evs, n * sizeof *evs);
        sl->n = n;
        free(sl->note);
        sl->note = note && *note ? xstrdup(note) : NULL;
}

void hist_add(struct hist *h, uint64_t opno, const struct op *op, const struct event *evs, size_t n,
              const char *note)
{
        if (h->count && opno >= h->first && opno < h->first + h->count)
                return; /* replayed: the same as held */
        if (h->count && opno == h->first + h->count) {
                if (h->count == HIST_OPS) {
                        h->first++;
                        h->count--;
                }
                h->count++;
        } else {
                h->first = opno;
                h->count = 1;
        }
        store(h, opno, op, evs, n, note);
}

uint64_t hist_first(const struct hist *h)
{
        return h->count ? h->first : 0;
}

bool hist_get(const struct hist *h, uint64_t opno, const struct op **op, const struct event **evs,
              size_t *n, const char **note)
{
        if (!h->count || opno < h->first || opno >= h->first + h->count)
                return false;
        const struct slot *sl = &h->slots[opno % HIST_OPS];
        *op = &sl->op;
        *evs = sl->evs;
        *n = sl->n;
        *note = sl->note ? sl->note : "";
        return true;
}
