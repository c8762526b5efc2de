/*
 * fuzz_cmd.c - libFuzzer harness over the debugger's command layer.
 *
 * An input is one configuration byte followed by command lines, one a
 * line, as a --script file or the REPL would hand them to cmd_run(): the
 * byte picks the scheme stepped and the one compared beside it. The session
 * steps a small trace held here that uses every kind of trace line, with a
 * tiny snapshot budget so that going back replays from thinned snapshots.
 * Each line is also completed at every length, as the prompt's Tab does.
 *
 * Besides the sanitizers, the harness checks the contracts of the layer and
 * aborts when one is broken: a failing command leaves a message in err,
 * printable ASCII only (messages quote what was typed and reach a
 * terminal), and every output line is one line.
 *
 * Build and run: make fuzz FUZZ_SECONDS=60 (see the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "session.h"
#include "sim.h"

#define MAX_COMMANDS 48
#define MAX_LINE     1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char trace_text[] = "# every kind of line, two address spaces\n"
                                 "PT_WRITE 0x1000->0x5000\n"
                                 "ACCESS 0x1000\n"
                                 "W 0x1000\n"
                                 "PT_WRITE 0x2000->0x6000 rx\n"
                                 "X 0x2000\n"
                                 "W 0x2000\n"
                                 "PT_WRITE 0x200000->0x400000 rw 2M\n"
                                 "R 0x201000\n"
                                 "PT_WRITE 0xFFFF800000000000->0x100000\n"
                                 "CR3 1\n"
                                 "PT_WRITE 0x1000->0x9000\n"
                                 "R 0x1000\n"
                                 "R 0xFFFF800000000000\n"
                                 "CR3 0\n"
                                 "PT_PROTECT 0x1000 r\n"
                                 "W 0x1000\n"
                                 "INVLPG 0x1000\n"
                                 "DIRTY_LOG start\n"
                                 "W 0x201000\n"
                                 "DIRTY_LOG sync\n"
                                 "DIRTY_LOG stop\n"
                                 "PT_CLEAR 0x1000\n"
                                 "TLB_FLUSH\n"
                                 "R 0x1000\n";

/* Output lines: each must be one line. */
static void out(void *face, const char *line)
{
        (void)face;
        if (strchr(line, '\n'))
                abort();
}

static void ignore_word(void *arg, const char *word)
{
        (void)arg;
        (void)word;
}

/* A message for a terminal: non-empty, printable ASCII. */
static void check_message(const char *msg)
{
        if (!msg[0])
                abort();
        for (const char *p = msg; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F) {
                        fprintf(stderr, "control character in '%s'\n", msg);
                        abort();
                }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = (enum mmu_mode)(data[0] % MODE_COUNT);
        int cmp = (int)(data[0] / MODE_COUNT % (MODE_COUNT + 1)) - 1; /* -1: none */
        struct session s;
        if (session_open(&s, &cfg, TRACE_FORMAT_AUTO, NULL, trace_text, "fuzz", cmp) < 0)
                abort();
        session_set_budget(&s, 64 * 1024);
        struct cmd_ctx ctx;
        cmd_ctx_init(&ctx, &s);
        ctx.out = out;

        const char *p = (const char *)data + 1, *end = (const char *)data + size;
        char line[MAX_LINE + 1];
        for (int n = 0; n < MAX_COMMANDS && p < end; n++) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = (size_t)((nl ? nl : end) - p);
                if (len > MAX_LINE)
                        len = MAX_LINE;
                memcpy(line, p, len);
                line[len] = '\0'; /* a NUL inside ends the command, as for a C string */
                p = nl ? nl + 1 : end;

                for (size_t k = 0; k <= strlen(line); k++) {
                        char before[MAX_LINE + 1];
                        memcpy(before, line, k);
                        before[k] = '\0';
                        cmd_complete(&ctx, before, ignore_word, NULL);
                }
                ctx.err[0] = '\0';
                enum cmd_result r = cmd_run(&ctx, line);
                if (r == CMD_ERROR)
                        check_message(ctx.err);
                if (r == CMD_QUIT)
                        break;
        }
        cmd_ctx_free(&ctx);
        session_close(&s);
        return 0;
}
