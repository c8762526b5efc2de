/*
 * harness.h - helpers shared by the engine's unit tests: run a trace held
 * in a string through a sim and keep every event it emits.
 */
#ifndef SHADOW_SIM_TEST_HARNESS_H
#define SHADOW_SIM_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "trace.h"

struct recorder {
        struct event *ev;
        size_t n, cap;
};

static void record_sink(void *ctx, const struct event *ev)
{
        struct recorder *r = ctx;
        if (r->n == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 256;
                r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
                assert_non_null(r->ev);
        }
        r->ev[r->n++] = *ev;
}

static inline struct sim_config config_for(enum mmu_mode mode)
{
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = mode;
        return cfg;
}

/* Applies every op of text, read in the given format (it must be well
 * formed), to s. */
static inline void feed_format(struct sim *s, const char *text, enum trace_format format)
{
        struct trace_limits limits;
        struct trace_reader r;
        struct op op;
        struct trace_error err;
        enum trace_status st;
        trace_limits_of_config(&s->cfg, &limits);
        trace_open_string(&r, text, format, &limits);
        while ((st = trace_next(&r, &op, &err)) == TRACE_OK)
                sim_apply(s, &op);
        if (st != TRACE_EOF)
                fail_msg("trace line %llu: %s", (unsigned long long)err.line, err.msg);
        trace_close(&r);
}

/* Applies every op of text (format v1; must be well formed) to s. */
static inline void feed(struct sim *s, const char *text)
{
        feed_format(s, text, TRACE_FORMAT_V1);
}

/* Starts a sim for cfg with a recorder attached. */
static inline void start(struct sim *s, const struct sim_config *cfg, struct recorder *rec)
{
        memset(rec, 0, sizeof *rec);
        sim_init(s, cfg);
        sim_add_sink(s, record_sink, rec);
}

static inline void finish(struct sim *s, struct recorder *rec)
{
        sim_free(s);
        free(rec->ev);
        memset(rec, 0, sizeof *rec);
}

/* Number of recorded events of a kind. */
static inline size_t count_kind(const struct recorder *rec, enum event_kind kind)
{
        size_t n = 0;
        for (size_t i = 0; i < rec->n; i++)
                n += rec->ev[i].kind == kind;
        return n;
}

/* The last recorded event of a kind, or NULL. */
static inline const struct event *last_kind(const struct recorder *rec, enum event_kind kind)
{
        for (size_t i = rec->n; i-- > 0;)
                if (rec->ev[i].kind == kind)
                        return &rec->ev[i];
        return NULL;
}

/* Index of the first event of kind at or after from, or rec->n. */
static inline size_t find_kind(const struct recorder *rec, size_t from, enum event_kind kind)
{
        while (from < rec->n && rec->ev[from].kind != kind)
                from++;
        return from;
}

#endif
