/*
 * series.c - CSV rows of the stats counters, every N events.
 */
#include "series.h"

void series_header(FILE *out, unsigned vcpus)
{
        fputs("scheme,event,op,line", out);
        for (unsigned i = 0; i < STATS_COUNT; i++)
                if (stats_shown(i, vcpus))
                        fprintf(out, ",%s", stats_name(i));
        fputc('\n', out);
}

static void write_row(struct series *sr)
{
        const struct sim *s = sr->sim;
        fprintf(sr->out, "%s,%llu,%llu,%llu", sr->label, (unsigned long long)s->seq,
                (unsigned long long)s->ops, (unsigned long long)s->line);
        for (unsigned i = 0; i < STATS_COUNT; i++)
                if (stats_shown(i, s->cfg.vcpus))
                        fprintf(sr->out, ",%llu", (unsigned long long)stats_value(&s->stats, i));
        fputc('\n', sr->out);
        sr->last_seq = s->seq;
}

/* The sink: the sim has counted the event before handing it over, so the
 * row includes it. */
static void series_sink(void *ctx, const struct event *ev)
{
        struct series *sr = ctx;
        if (ev->seq % sr->every == 0)
                write_row(sr);
}

bool series_start(struct series *sr, struct sim *s, FILE *out, uint64_t every, const char *label)
{
        if (s->nsinks >= SIM_MAX_SINKS)
                return false;
        *sr = (struct series){.out = out, .sim = s, .label = label, .every = every ? every : 1};
        write_row(sr);
        sim_add_sink(s, series_sink, sr);
        return true;
}

void series_finish(struct series *sr)
{
        if (sr->sim->seq != sr->last_seq)
                write_row(sr);
}
