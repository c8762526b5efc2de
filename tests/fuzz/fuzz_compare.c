/*
 * fuzz_compare.c - libFuzzer harness over the parallel loop (of the
 * comparison and of a batch run without a log).
 *
 * An input is four configuration bytes followed by trace text:
 *
 *   byte 0      paging depths, PCID, page-walk caches, the format (auto,
 *               v1, lackey)
 *   byte 1      guest memory, 1M to 128M (small, so tables and lackey
 *               pages run out of frames; bits 0-2), and a scheme (the rest)
 *   byte 2      --keep-going (bit 0), the memory limit: none, or 64K up
 *               to 1G, low enough for short traces to meet it (bits 1-4),
 *               the machines (bits 5-6: every scheme as --compare runs
 *               them, the scheme and native as a batch run does, or the
 *               scheme alone) and the threads (bit 7: one a core, or 3)
 *   byte 3      how many times the text is repeated (2^0 to 2^11, within
 *               1 MiB), so that a trace spans several of the parallel
 *               loop's batches of 4096 ops
 *
 * The machines run the trace twice, once in run_trace (one thread, the
 * machines in turn) and once in run_trace_parallel (the reader and the
 * machines spread over threads); the harness aborts unless both end with
 * the same status,
 * at the same place, with the same messages byte for byte and, at the
 * end of the trace, the same counters in every machine.
 *
 * Build and run: make fuzz FUZZ_SECONDS=60 (see the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "scheme.h"
#include "sim.h"
#include "stats.h"
#include "trace.h"
#include "xalloc.h"

#define CONFIG_BYTES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a loop ended with. */
struct outcome {
        int status;
        bool end;
        struct stats stats[MODE_COUNT];
        char *errors; /* the messages, as written */
        size_t len;
};

/* The machines of a run: n of them, in these modes. */
struct machines {
        unsigned n;
        enum mmu_mode modes[MODE_COUNT];
};

/* Runs text on the machines ms in one of the two loops. */
static void run_loop(const char *text, const struct sim_config *base, const struct machines *ms,
                     enum trace_format format, const struct run_options *ropt, bool parallel,
                     struct outcome *o)
{
        struct sim sims[MODE_COUNT], *ptrs[MODE_COUNT];
        memset(o->stats, 0, sizeof o->stats);
        for (unsigned m = 0; m < ms->n; m++) {
                struct sim_config cfg = *base;
                cfg.mode = ms->modes[m];
                sim_init(&sims[m], &cfg);
                ptrs[m] = &sims[m];
        }
        struct trace_limits limits;
        trace_limits_of_config(base, &limits);
        struct trace_reader r;
        trace_open_string(&r, text, format, &limits);
        struct run_options opt = *ropt;
        opt.errors = open_memstream(&o->errors, &o->len);
        if (!opt.errors)
                abort();
        o->status = (parallel ? run_trace_parallel : run_trace)(&r, ptrs, ms->n, &opt, &o->end);
        fclose(opt.errors);
        for (unsigned m = 0; m < ms->n; m++) {
                o->stats[m] = sims[m].stats;
                sim_free(&sims[m]);
        }
        trace_close(&r);
}

/* The configuration from the leading bytes. Returns false when the bytes
 * name a machine the command line would refuse. */
static bool pick(const uint8_t *b, struct sim_config *cfg, struct machines *ms,
                 enum trace_format *format, struct run_options *ropt)
{
        sim_config_defaults(cfg);
        cfg->levels = MIN_LEVELS + (b[0] & 3);
        cfg->ept_levels = MIN_LEVELS + ((b[0] >> 2) & 3);
        cfg->pcid = b[0] & 16;
        cfg->pwc = b[0] & 32;
        static const enum trace_format formats[4] = {TRACE_FORMAT_AUTO, TRACE_FORMAT_V1,
                                                     TRACE_FORMAT_LACKEY, TRACE_FORMAT_AUTO};
        *format = formats[b[0] >> 6];
        cfg->guest_mem = (UINT64_C(1) << 20) << (b[1] % 8);
        memset(ropt, 0, sizeof *ropt);
        ropt->name = "t";
        ropt->keep_going = b[2] & 1;
        unsigned limit = (b[2] >> 1) & 15;
        ropt->max_mem = limit ? (size_t)(64 << 10) << (limit - 1) : 0;
        ropt->threads = b[2] & 128 ? 3 : 0;
        enum mmu_mode scheme = (enum mmu_mode)((b[1] >> 3) % MODE_COUNT);
        switch ((b[2] >> 5) & 3) {
        case 1: /* a batch run */
                *ms = (struct machines){.n = 2, .modes = {scheme, MODE_NATIVE}};
                break;
        case 2:
                *ms = (struct machines){.n = 1, .modes = {scheme}};
                break;
        default: /* the comparison */
                ms->n = MODE_COUNT;
                for (unsigned m = 0; m < MODE_COUNT; m++)
                        ms->modes[m] = (enum mmu_mode)m;
        }
        char err[256];
        return sim_config_check(cfg, err, sizeof err) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct sim_config cfg;
        enum trace_format format;
        struct run_options ropt;
        struct machines ms;
        if (size < CONFIG_BYTES || !pick(data, &cfg, &ms, &format, &ropt))
                return 0;
        size_t len = size - CONFIG_BYTES;
        unsigned repeat = 1u << (data[3] % 12);
        while (repeat > 1 && len * repeat > (1u << 20))
                repeat /= 2;
        char *text = xmalloc(len * repeat + 1);
        for (unsigned i = 0; i < repeat; i++)
                memcpy(text + i * len, data + CONFIG_BYTES, len);
        text[len * repeat] = '\0';

        struct outcome seq, par;
        run_loop(text, &cfg, &ms, format, &ropt, false, &seq);
        run_loop(text, &cfg, &ms, format, &ropt, true, &par);
        if (par.status != seq.status || par.end != seq.end || par.len != seq.len ||
            memcmp(par.errors, seq.errors, seq.len) != 0 ||
            (seq.end && memcmp(par.stats, seq.stats, sizeof seq.stats) != 0)) {
                fprintf(stderr, "parallel: status %d, end %d, messages:\n%.*s\n", par.status,
                        par.end, (int)par.len, par.errors);
                fprintf(stderr, "sequential: status %d, end %d, messages:\n%.*s\n", seq.status,
                        seq.end, (int)seq.len, seq.errors);
                abort();
        }
        free(seq.errors);
        free(par.errors);
        free(text);
        return 0;
}
