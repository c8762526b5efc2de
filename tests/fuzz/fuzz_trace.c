/*
 * fuzz_trace.c - libFuzzer harness over the trace readers and the engine.
 *
 * An input is four configuration bytes followed by trace text. The bytes
 * pick the machine (paging depths, guest memory size, TLB shape, PCID, A/D
 * emulation, page-walk caches, 2M host pages, one vCPU or four), the input format (auto, v1,
 * lackey) and whether the text is
 * read through a file descriptor (the streaming path with its refills and
 * over-long lines) or held in memory (the built-in sample's path), and
 * which schemes run: every op read is applied to one sim per chosen scheme,
 * side by side, as the batch command and the comparison do (one scheme per
 * input keeps the harness fast; several cover the lockstep path). Every
 * event is formatted as a log line. At the end each sim is cloned, the
 * original freed and the clone run on, as the stepper's snapshots are.
 *
 * Besides the sanitizers, the harness checks two contracts and aborts when
 * one is broken: a malformed line has a column and an "expected ..." message,
 * and a v1 op written back with op_format() parses to the same op.
 *
 * Build and run: make fuzz FUZZ_SECONDS=60 (see the Makefile).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "event.h"
#include "op.h"
#include "record.h"
#include "run.h"
#include "sim.h"
#include "stats.h"
#include "trace.h"
#include "xalloc.h"

#define CONFIG_BYTES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Formats every event into a scratch line, as the batch log sink does. */
static void format_sink(void *ctx, const struct event *ev)
{
        char line[256];
        size_t n = event_format(ev, line, sizeof line);
        if (n >= sizeof line)
                abort();
        *(size_t *)ctx += n;
}

/* Builds the configuration from the leading bytes. Returns false when the
 * bytes name a machine that sim_config_check rejects (the command line
 * would refuse it with exit 64). */
static bool pick_config(const uint8_t *b, struct sim_config *cfg, enum trace_format *format)
{
        sim_config_defaults(cfg);
        cfg->levels = MIN_LEVELS + (b[0] & 3);
        cfg->ept_levels = MIN_LEVELS + ((b[0] >> 2) & 3);
        cfg->pcid = b[0] & 16;
        cfg->ad_emulation = b[0] & 32;
        static const enum trace_format formats[4] = {TRACE_FORMAT_AUTO, TRACE_FORMAT_V1,
                                                     TRACE_FORMAT_LACKEY, TRACE_FORMAT_AUTO};
        *format = formats[b[0] >> 6];
        /* 1M (256 frames: the table allocator wraps) up to 2^51 bytes. */
        cfg->guest_mem = (UINT64_C(1) << 20) << (b[1] % 32);
        cfg->tlb_sets = 1u << (b[2] & 7);
        cfg->tlb_ways = 1 + ((b[2] >> 3) & 7);
        cfg->pwc = b[2] & 64;
        cfg->host_large = b[2] & 128;
        cfg->vcpus = b[3] & 128 ? 4 : 1;
        char err[256];
        return sim_config_check(cfg, err, sizeof err) == 0;
}

/* Opens the text through a memory file, as a trace on disk is read (a
 * compressed one too, when the bytes start with a magic number). Returns
 * false for a compression format that is not read. */
static bool open_fd(struct trace_reader *r, const uint8_t *text, size_t len,
                    enum trace_format format, const struct trace_limits *limits)
{
        static int memfd = -1;
        if (memfd < 0 && (memfd = memfd_create("trace", 0)) < 0)
                abort();
        if (ftruncate(memfd, 0) < 0 || pwrite(memfd, text, len, 0) != (ssize_t)len)
                abort();
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
        enum trace_status st = trace_open(r, path, format, limits);
        if (st != TRACE_OK && st != TRACE_BAD_DATA)
                abort();
        return st == TRACE_OK;
}

/* A v1 op written back in its canonical form must parse to itself. */
static void check_round_trip(const struct op *op, const struct trace_limits *limits)
{
        char text[160];
        struct op again;
        struct trace_error err;
        op_format(op, text, sizeof text);
        if (!trace_parse_v1(text, strlen(text), limits, &again, &err)) {
                fprintf(stderr, "op_format gave '%s', which does not parse: %s\n", text, err.msg);
                abort();
        }
        again.line = op->line;
        again.size = op->size;
        again.demand = op->demand;
        if (memcmp(&again, op, sizeof *op) != 0) {
                fprintf(stderr, "'%s' parses to another op\n", text);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct sim_config cfg;
        enum trace_format format;
        if (size < CONFIG_BYTES || !pick_config(data, &cfg, &format))
                return 0;
        bool in_memory = data[3] & 1;
        unsigned modes = (data[3] >> 1) & ((1u << MODE_COUNT) - 1);
        if (modes == 0)
                modes = 1u << MODE_SHADOW;
        const uint8_t *text = data + CONFIG_BYTES;
        size_t len = size - CONFIG_BYTES;

        struct trace_limits limits;
        trace_limits_of_config(&cfg, &limits);
        struct trace_reader reader;
        char *copy = NULL;
        if (in_memory) {
                copy = xmalloc(len + 1);
                memcpy(copy, text, len);
                copy[len] = '\0';
                trace_open_string(&reader, copy, format, &limits);
        } else if (!open_fd(&reader, text, len, format, &limits)) {
                return 0;
        }

        struct sim sims[MODE_COUNT];
        size_t logged = 0;
        struct sim *run[MODE_COUNT];
        unsigned nrun = 0;
        for (int m = 0; m < MODE_COUNT; m++) {
                if (!(modes & (1u << m)))
                        continue;
                cfg.mode = (enum mmu_mode)m;
                sim_init(&sims[m], &cfg);
                sim_add_sink(&sims[m], format_sink, &logged);
                run[nrun++] = &sims[m];
        }
        for (;;) {
                struct op op;
                struct trace_error err;
                enum trace_status st = trace_next(&reader, &op, &err);
                if (st == TRACE_EOF || st == TRACE_IO_ERROR || st == TRACE_BAD_DATA)
                        break;
                if (st == TRACE_BAD_LINE) {
                        if (err.col == 0 || err.line == 0 ||
                            strncmp(err.msg, "expected ", 9) != 0) {
                                fprintf(stderr, "bad error report %llu:%u: '%s'\n",
                                        (unsigned long long)err.line, err.col, err.msg);
                                abort();
                        }
                        continue;
                }
                if (!op.demand)
                        check_round_trip(&op, &limits);
                for (unsigned i = 0; i < nrun; i++)
                        sim_apply(run[i], &op);
        }
        trace_close(&reader);
        free(copy);

        /* Snapshots: a clone must outlive its original and go on running. */
        FILE *devnull = fopen("/dev/null", "w");
        struct op touch = {.kind = OP_ACCESS, .gva = 0x1000, .size = 1, .demand = true};
        for (unsigned i = 0; i < nrun; i++) {
                struct sim copy_sim;
                sim_clone(&copy_sim, run[i]);
                sim_free(run[i]);
                sim_apply(&copy_sim, &touch);
                stats_print_line(devnull, &copy_sim.stats, copy_sim.cfg.vcpus, 1, 1);
                record_json(devnull, &(struct run_record){.trace = "fuzz",
                                                          .compression = "text",
                                                          .cfg = copy_sim.cfg,
                                                          .stats = copy_sim.stats,
                                                          .cpu_stats = copy_sim.cpu_stats,
                                                          .native_cycles = 1});
                sim_free(&copy_sim);
        }
        fclose(devnull);
        return 0;
}
