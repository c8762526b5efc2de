/*
 * fuzz_debugger.c - libFuzzer harness over the debugger: random traces and
 * random command sequences, checked against a forward-only replay.
 *
 * An input builds a trace and then drives a session over it through the
 * command layer (cmd_run), as a --script would:
 *
 *   byte 0      the scheme stepped and the one compared beside it
 *   byte 1      machine options: PCID, page-walk caches, A/D emulation off,
 *               2M host pages, 5-level paging, the snapshot spacing (1 to
 *               4 lines), SMEP and SMAP
 *   byte 2      the number of trace lines (1..64, the low six bits), the
 *               format (v1, or Valgrind lackey when bit 7 is set) and where
 *               the trace is read from (memory, or a file when bit 6 is
 *               set: the reader's file path, reopened for the log); then
 *               two bytes a line: its kind and an argument that picks
 *               addresses, flags, sizes and address spaces from small
 *               sets, so that lines meet
 *   the rest    two bytes a command: which (step, next, stepi, back,
 *               reverse-next, backi, goto an event or a line, continue,
 *               reverse-continue, restart, mode, compare, break on an
 *               address, a kind, an exit, an event or a line, delete,
 *               search) and its argument
 *
 * The property, checked after every command: the position the session
 * shows (the machine, the compare machine, the counters as of the current
 * event, the current line's events and how many are shown) equals the one a
 * fresh session reaches from the start of the trace by going forward only,
 * under the schemes now in use. Going back restores thinned snapshots (a
 * tiny budget) and replays; a scheme change replays from the start; a
 * breakpoint search runs backwards through segments: any of them landing
 * elsewhere than the forward run is a bug, and the harness aborts.
 *
 * Build and run: make fuzz FUZZ_SECONDS=60 (see the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/position_digest.h"
#include "cmd.h"
#include "session.h"
#include "sim.h"

#define MAX_LINES    64
#define MAX_COMMANDS 40
#define TRACE_CAP    (MAX_LINES * 64 + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Guest virtual pages the trace and the breakpoints name: user pages, a 2M
 * region, the kernel half shared by every address space. */
static const uint64_t gvas[8] = {
    0x1000,
    0x2000,
    0x3000,
    0x200000,
    0x201000,
    0x7ffffffff000,
    0xFFFF800000000000,
    0xFFFF800000001000,
};
static const char *const flag_sets[8] = {"", " r", " rx", " rwu", " ru", " rw 2M", " x", " w"};

/* Appends the trace line that kind byte k and argument a stand for. */
static void trace_line(char *buf, size_t *len, uint8_t k, uint8_t a)
{
        uint64_t gva = gvas[a & 7];
        uint64_t gpa = (uint64_t)(0x5 + (a >> 3)) << 12;
        char line[96];
        switch (k % 12) {
        case 0:
        case 1: {
                const char *flags = flag_sets[(a >> 5) & 7];
                if (strstr(flags, "2M")) {
                        gva &= ~UINT64_C(0x1FFFFF);
                        gpa = (uint64_t)(1 + (a >> 3)) << 21;
                }
                snprintf(line, sizeof line, "PT_WRITE 0x%llX->0x%llX%s\n", (unsigned long long)gva,
                         (unsigned long long)gpa, flags);
                break;
        }
        case 2:
                snprintf(line, sizeof line, "PT_CLEAR 0x%llX\n", (unsigned long long)gva);
                break;
        case 3:
                snprintf(line, sizeof line, "PT_PROTECT 0x%llX%s\n", (unsigned long long)gva,
                         (a >> 5) & 1 ? " r" : " rw");
                break;
        case 4:
        case 5:
        case 6:
                snprintf(line, sizeof line, "%s 0x%llX%s\n", (const char *[]){"R", "W", "X"}[k % 3],
                         (unsigned long long)(gva + (a >> 3 & 15) * 8), a >> 7 ? " user" : "");
                break;
        case 7:
                snprintf(line, sizeof line, "CR3 %u\n", (unsigned)(a % 5));
                break;
        case 8:
                snprintf(line, sizeof line, "INVLPG 0x%llX\n", (unsigned long long)gva);
                break;
        case 9:
                snprintf(line, sizeof line, "TLB_FLUSH\n");
                break;
        case 10:
                snprintf(line, sizeof line, "DIRTY_LOG %s\n",
                         (const char *[]){"start", "sync", "stop", "sync"}[a & 3]);
                break;
        default: /* the session stops there once, then goes on past it */
                snprintf(line, sizeof line, a & 1 ? "# a comment\n" : "R 0x%llX Q\n",
                         (unsigned long long)gva);
                break;
        }
        size_t n = strlen(line);
        if (*len + n < TRACE_CAP) {
                memcpy(buf + *len, line, n + 1);
                *len += n;
        }
}

/* User addresses a lackey trace touches: code, data, the stack, some
 * across a page boundary with the larger sizes. */
static const uint64_t lackey_addrs[8] = {
    0x4014F0, 0x401FFC, 0x600000, 0x601FFA, 0x1FFEFFFD28, 0x7FFFFFFFEFF8, 0x10000000, 0x2000,
};

/* Appends the lackey line that kind byte k and argument a stand for: an
 * access (a modify is two), a banner, or a malformed line. */
static void lackey_line(char *buf, size_t *len, uint8_t k, uint8_t a)
{
        char line[64];
        uint64_t addr = lackey_addrs[a & 7] + (a >> 6) * 0x1000;
        unsigned size = 1 + (a >> 3 & 7);
        switch (k % 6) {
        case 0:
                snprintf(line, sizeof line, "I  %08llx,%u\n", (unsigned long long)addr, size);
                break;
        case 1:
        case 2:
        case 3:
                snprintf(line, sizeof line, " %c %08llx,%u\n", "LSM"[k % 6 - 1],
                         (unsigned long long)addr, size);
                break;
        case 4:
                snprintf(line, sizeof line, "==4242== a banner line\n");
                break;
        default:
                snprintf(line, sizeof line, " Q %08llx,%u\n", (unsigned long long)addr, size);
                break;
        }
        size_t n = strlen(line);
        if (*len + n < TRACE_CAP) {
                memcpy(buf + *len, line, n + 1);
                *len += n;
        }
}

static const char *const reasons[] = {"",        " pt_write",      " page_fault", " cr3",
                                      " invlpg", " ept_violation", " pml_full",   ""};

/* Writes into cmd the command that opcode o and argument a stand for. */
static void command(char *cmd, size_t n, uint8_t o, uint8_t a)
{
        unsigned count = 1 + a % 8;
        switch (o % 20) {
        case 0:
                snprintf(cmd, n, "step %u", count);
                break;
        case 1:
                snprintf(cmd, n, "next %u", count);
                break;
        case 2:
                snprintf(cmd, n, "stepi %u", 1 + a % 32);
                break;
        case 3:
                snprintf(cmd, n, "back %u", count);
                break;
        case 4:
                snprintf(cmd, n, "reverse-next %u", count);
                break;
        case 5:
                snprintf(cmd, n, "backi %u", 1 + a % 32);
                break;
        case 6:
                snprintf(cmd, n, "goto %u", (unsigned)a);
                break;
        case 7:
                snprintf(cmd, n, "goto line %u", 1 + a % (MAX_LINES + 4));
                break;
        case 8:
                snprintf(cmd, n, "continue");
                break;
        case 9:
                snprintf(cmd, n, "reverse-continue");
                break;
        case 10:
                snprintf(cmd, n, a & 1 ? "restart" : "goto end");
                break;
        case 11:
                snprintf(cmd, n, "mode %s", mode_name((enum mmu_mode)(a % MODE_COUNT)));
                break;
        case 12:
                snprintf(cmd, n, "compare %s",
                         a % (MODE_COUNT + 1) == MODE_COUNT
                             ? "off"
                             : mode_name((enum mmu_mode)(a % (MODE_COUNT + 1))));
                break;
        case 13:
                snprintf(cmd, n, "break 0x%llX%s", (unsigned long long)gvas[a & 7],
                         (a >> 3) & 1 ? "/2M" : "");
                break;
        case 14:
                snprintf(cmd, n, "break %s", event_kind_name((enum event_kind)(a % EV_KIND_COUNT)));
                break;
        case 15:
                snprintf(cmd, n, "break exit%s", reasons[a & 7]);
                break;
        case 16:
                snprintf(cmd, n, a & 1 ? "break event %u" : "break line %u", 1 + (a >> 1));
                break;
        case 17:
                snprintf(cmd, n, a & 1 ? "delete all" : "delete %u", 1 + (a >> 1) % 8);
                break;
        case 18:
                snprintf(cmd, n, "search %s%s", a & 1 ? "-b " : "",
                         event_kind_name((enum event_kind)((a >> 1) % EV_KIND_COUNT)));
                break;
        default:
                snprintf(cmd, n, a & 1 ? "disable all" : "enable all");
                break;
        }
}

static void ignore_line(void *face, const char *line)
{
        (void)face;
        (void)line;
}

/* The trace of the input: its text, and the file holding it when it is
 * read from one (NULL: from memory). */
struct input_trace {
        const char *text;
        const char *path;
};

static void open_session(struct session *s, const struct sim_config *cfg,
                         const struct input_trace *t, int cmp, uint64_t spacing)
{
        if (session_open(s, cfg, TRACE_FORMAT_AUTO, t->path, t->text, "fuzz.txt", cmp) < 0)
                abort();
        session_set_budget(s, 64 * 1024);
        session_set_spacing(s, spacing);
}

/* The view of the same position reached by a fresh session going forward
 * only: whole lines up to the current one, then its events one at a time
 * (passing over malformed lines, as the session does after stopping on
 * one). */
static struct view forward_view(const struct session *s, const struct input_trace *t)
{
        struct sim_config cfg = s->cfg;
        struct session ref;
        open_session(&ref, &cfg, t, s->has_cmp ? (int)s->cmp_mode : -1, 0);
        ref.report_errors = false;
        uint64_t ops = session_ops(s);
        if (ops > 0 && s->shown > 0) {
                if (ops > 1)
                        session_step(&ref, ops - 1, false);
                session_stepi(&ref, s->shown, false);
        } else if (ops > 0) {
                session_step(&ref, ops, false);
        }
        struct view v = view_of(&ref);
        session_close(&ref);
        return v;
}

static bool same_view(const struct view *a, const struct view *b)
{
        return a->ops == b->ops && a->seq == b->seq && a->shown == b->shown && a->nevs == b->nevs &&
               a->line == b->line && a->stats == b->stats && a->events == b->events &&
               a->machine == b->machine && a->at == b->at && a->cmp == b->cmp;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 3)
                return 0;
        struct sim_config cfg;
        sim_config_defaults(&cfg);
        cfg.mode = (enum mmu_mode)(data[0] % MODE_COUNT);
        int cmp = (int)(data[0] / MODE_COUNT % (MODE_COUNT + 1)) - 1; /* -1: none */
        cfg.pcid = data[1] & 1;
        cfg.pwc = data[1] & 2;
        cfg.ad_emulation = !(data[1] & 4);
        cfg.host_large = data[1] & 8;
        cfg.levels = data[1] & 16 ? 5 : 4;
        cfg.smep = cfg.smap = data[1] & 128;
        uint64_t spacing = 1 + (data[1] >> 5 & 3);

        static char text[TRACE_CAP];
        size_t len = 0, at = 3;
        text[0] = '\0';
        unsigned lines = 1 + (data[2] & 63);
        bool lackey = data[2] & 128;
        for (unsigned i = 0; i < lines && at + 1 < size; i++, at += 2)
                (lackey ? lackey_line : trace_line)(text, &len, data[at], data[at + 1]);
        struct input_trace t = {text, NULL};
        static char path[64];
        if (data[2] & 64) {
                snprintf(path, sizeof path, "/tmp/fuzz_debugger.%ld.trace", (long)getpid());
                FILE *f = fopen(path, "w");
                if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                        abort();
                t.path = path;
        }

        struct session s;
        open_session(&s, &cfg, &t, cmp, spacing);
        struct cmd_ctx ctx;
        cmd_ctx_init(&ctx, &s);
        ctx.out = ignore_line;
        for (int n = 0; n < MAX_COMMANDS && at + 1 < size; n++, at += 2) {
                char cmd[96];
                command(cmd, sizeof cmd, data[at], data[at + 1]);
                if (cmd_run(&ctx, cmd) == CMD_QUIT)
                        break;
                ctx.run_requested = false;
                struct view got = view_of(&s), want = forward_view(&s, &t);
                if (!same_view(&got, &want)) {
                        fprintf(stderr,
                                "after '%s': ops %llu seq %llu shown %zu/%zu, forward: ops %llu "
                                "seq %llu shown %zu/%zu, machine %s, compare %s, stats %s\n",
                                cmd, (unsigned long long)got.ops, (unsigned long long)got.seq,
                                got.shown, got.nevs, (unsigned long long)want.ops,
                                (unsigned long long)want.seq, want.shown, want.nevs,
                                got.machine == want.machine ? "same" : "differs",
                                got.cmp == want.cmp ? "same" : "differs",
                                got.stats == want.stats ? "same" : "differs");
                        abort();
                }
        }
        cmd_ctx_free(&ctx);
        session_close(&s);
        if (t.path)
                unlink(t.path);
        return 0;
}
