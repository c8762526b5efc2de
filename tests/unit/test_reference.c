/*
 * test_reference.c - every scheme against the reference model of x86.
 *
 * The engine runs a trace under one scheme and option set while the
 * reference model (ref_x86.h, written from the SDM and not from the
 * engine) follows the same ops; every access's outcome (its GPA and HPA,
 * or a guest page fault with its error code) must be one the reference
 * allows. Where the guest did not invalidate a change, x86 may still use
 * the old translation, so the reference allows the old ones as well as
 * the new one; after an invalidation it demands the new one.
 *
 * - the matrix, in the style of kvm-unit-tests x86/access.c: every leaf
 *   flag combination (w, x, u) before and after every PT_PROTECT
 *   transition, for 4K, 2M and 1G pages in the user and the kernel half
 *   (whose links lack U), each access kind, user and supervisor, SMEP and
 *   SMAP on and off, the change invalidated through the page's first
 *   address or another one inside it, accesses at several offsets;
 * - random traces (seeded, deterministic) with and without invalidations;
 * - minimal traces of the bugs found, kept as regressions; those the
 *   engine still gets wrong are marked known_failing (see the table).
 *
 * All of it runs under every scheme (MODE_COUNT) and a list of option
 * sets. A disagreement is shrunk to a minimal trace, which is printed
 * with what the engine did and what the reference allows.
 */
#include "harness.h"
#include "ref_x86.h"
#include "trace_lackey.h"
#include "scheme.h"

/* ---- machine options ----------------------------------------------------- */

/* A machine configuration: what differs from the engine's defaults. */
struct option_set {
        int levels, ept_levels;
        uint64_t guest_mem; /* 0: the default */
        bool pcid, pwc, host_large, ad_emulation;
        unsigned tlb_sets, tlb_ways;
};

static const struct option_set option_sets[] = {
    {4, 4, 0, false, true, false, true, 16, 4}, /* the defaults */
    {4, 4, 0, false, false, false, true, 16, 4},
    {2, 4, 0, false, false, false, true, 16, 4},
    {2, 2, UINT64_C(1) << 30, false, true, false, true, 1, 1},
    {3, 3, 0, false, true, false, true, 16, 4},
    {5, 5, 0, false, false, false, true, 16, 4},
    {5, 5, 0, false, true, false, true, 16, 4},
    {4, 4, 0, true, false, false, true, 16, 4},
    {4, 4, 0, false, false, true, true, 16, 4},
    {4, 4, 0, false, true, true, true, 16, 4},
    {4, 4, 0, false, true, false, false, 16, 4},
    {4, 4, 0, false, false, false, true, 1, 1},
    {4, 4, 0, true, true, true, true, 1, 1},
    {5, 5, 0, true, false, true, false, 16, 4},
    {3, 4, 0, true, true, false, false, 2, 1},
};
#define NOPTION_SETS (sizeof option_sets / sizeof option_sets[0])

/* SMEP / SMAP combination c (0..3): bit 0 SMEP, bit 1 SMAP. */
static struct sim_config config_of(enum mmu_mode mode, const struct option_set *o, int c)
{
        struct sim_config cfg = config_for(mode);
        cfg.levels = o->levels;
        cfg.ept_levels = o->ept_levels;
        if (o->guest_mem)
                cfg.guest_mem = o->guest_mem;
        cfg.pcid = o->pcid;
        cfg.pwc = o->pwc;
        cfg.host_large = o->host_large;
        cfg.ad_emulation = o->ad_emulation;
        cfg.tlb_sets = o->tlb_sets;
        cfg.tlb_ways = o->tlb_ways;
        cfg.smep = (c & 1) != 0;
        cfg.smap = (c & 2) != 0;
        char err[256];
        if (sim_config_check(&cfg, err, sizeof err) != 0)
                fail_msg("option set %zu: %s", (size_t)(o - option_sets), err);
        return cfg;
}

/* Writes cfg as the command-line options that give it (those that differ
 * from the defaults) into buf of size n. */
static void describe(const struct sim_config *cfg, char *buf, size_t n)
{
        struct sim_config d;
        sim_config_defaults(&d);
        size_t o = (size_t)snprintf(buf, n, "--mode %s", mode_name(cfg->mode));
#define OPT(cond, ...)                                                                             \
        do {                                                                                       \
                if ((cond) && o < n)                                                               \
                        o += (size_t)snprintf(buf + o, n - o, __VA_ARGS__);                        \
        } while (0)
        OPT(cfg->levels != d.levels, " --levels %d", cfg->levels);
        OPT(cfg->ept_levels != d.ept_levels, " --ept-levels %d", cfg->ept_levels);
        OPT(cfg->guest_mem != d.guest_mem, " --guest-mem %lluM",
            (unsigned long long)(cfg->guest_mem >> 20));
        OPT(cfg->tlb_sets != d.tlb_sets, " --tlb-sets %u", cfg->tlb_sets);
        OPT(cfg->tlb_ways != d.tlb_ways, " --tlb-ways %u", cfg->tlb_ways);
        OPT(cfg->pcid != d.pcid, " --pcid");
        OPT(cfg->pwc != d.pwc, " --pwc %s", cfg->pwc ? "on" : "off");
        OPT(cfg->host_large != d.host_large, " --host-pages %s", cfg->host_large ? "2M" : "4K");
        OPT(cfg->ad_emulation != d.ad_emulation, " --ad-emulation %s",
            cfg->ad_emulation ? "on" : "off");
        OPT(cfg->smep, " --smep");
        OPT(cfg->smap, " --smap");
#undef OPT
}

/* ---- traces as lines ------------------------------------------------------ */

struct lines {
        char **v;
        size_t n, cap;
        bool lackey; /* Valgrind lackey lines, not format v1 */
};

static void lines_add(struct lines *t, const char *fmt, ...)
{
        char buf[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 256;
                t->v = realloc(t->v, t->cap * sizeof *t->v);
                assert_non_null(t->v);
        }
        t->v[t->n] = strdup(buf);
        assert_non_null(t->v[t->n]);
        t->n++;
}

/* Splits text (one op a line) into t. */
static void lines_from_text(struct lines *t, const char *text)
{
        while (*text) {
                const char *nl = strchr(text, '\n');
                size_t len = nl ? (size_t)(nl - text) : strlen(text);
                lines_add(t, "%.*s", (int)len, text);
                text += len + (nl != NULL);
        }
}

static void lines_free(struct lines *t)
{
        for (size_t i = 0; i < t->n; i++)
                free(t->v[i]);
        free(t->v);
        memset(t, 0, sizeof *t);
}

/* Keeps the lines whose keep[] is set. */
static void lines_filter(struct lines *t, const bool *keep)
{
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
                if (keep[i])
                        t->v[k++] = t->v[i];
                else
                        free(t->v[i]);
        }
        t->n = k;
}

static char *lines_join(const struct lines *t)
{
        size_t len = 1;
        for (size_t i = 0; i < t->n; i++)
                len += strlen(t->v[i]) + 1;
        char *s = malloc(len), *p = s;
        assert_non_null(s);
        for (size_t i = 0; i < t->n; i++)
                p += sprintf(p, "%s\n", t->v[i]);
        *p = '\0';
        return s;
}

/* ---- running the engine and the reference in lockstep -------------------- */

struct verdict {
        bool agree;
        size_t line;    /* index of the access that disagreed */
        char why[1024]; /* what the engine did, what the reference allows */
};

#define MAX_ALLOWED 64

/* Accesses compared so far (reported by each test). */
static size_t accesses_compared;

/* Schemes that model KVM's out-of-sync shadow pages, which keep a stale
 * entry across a not-present guest page fault (see
 * ref_config.kvm_not_present_fault_keeps_stale): a deviation from the SDM
 * that KVM makes and the scheme models on purpose; its descriptor says so. */
static bool models_kvm_unsync(enum mmu_mode mode)
{
        return scheme_of(mode)->out_of_sync;
}

static struct ref_config ref_config_of(const struct sim_config *cfg)
{
        return (struct ref_config){.levels = cfg->levels,
                                   .guest_mem = cfg->guest_mem,
                                   .pcid = cfg->pcid,
                                   .smep = cfg->smep,
                                   .smap = cfg->smap,
                                   .host_large = cfg->host_large,
                                   .kvm_not_present_fault_keeps_stale =
                                       models_kvm_unsync(cfg->mode)};
}

/* The outcome the engine reported for one access (the events rec holds),
 * or false with a sentence in why when it did not report exactly one. */
static bool engine_outcome(const struct recorder *rec, const struct op *op, struct ref_outcome *o,
                           char *why, size_t n)
{
        size_t found = 0;
        for (size_t i = 0; i < rec->n; i++) {
                const struct event *e = &rec->ev[i];
                if (e->kind != EV_ACCESS && e->kind != EV_GUEST_PF)
                        continue;
                found++;
                *o = (struct ref_outcome){.fault = e->kind == EV_GUEST_PF,
                                          .pf_error = e->kind == EV_GUEST_PF ? e->pf_error : 0,
                                          .gpa = e->gpa,
                                          .hpa = e->hpa};
                if (e->gva != op->gva || e->access != op->access || e->user != op->user) {
                        snprintf(why, n, "the engine reported the access as %s 0x%llX%s",
                                 access_kind_letter((enum access_kind)e->access),
                                 (unsigned long long)e->gva, e->user ? " user" : "");
                        return false;
                }
        }
        if (found != 1)
                snprintf(why, n, "the engine reported %zu outcomes for one access", found);
        return found == 1;
}

static void explain_mismatch(const struct ref_outcome *seen, const struct ref_outcome *allowed,
                             size_t nallowed, char *why, size_t n)
{
        char a[96];
        size_t o = (size_t)snprintf(
            why, n, "engine: %s; reference allows: ", ref_outcome_format(seen, a, sizeof a));
        for (size_t i = 0; i < nallowed && i < MAX_ALLOWED && o < n; i++)
                o += (size_t)snprintf(why + o, n - o, "%s%s%s", i ? " | " : "",
                                      ref_outcome_format(&allowed[i], a, sizeof a),
                                      i == 0 ? " (current tables)" : " (stale)");
}

/* The engine and the reference, side by side. */
struct lockstep {
        struct sim s;
        struct recorder rec; /* the events of the op being applied */
        struct ref_machine ref;
};

static bool outcome_allowed(const struct ref_outcome *seen, const struct ref_outcome *allowed,
                            size_t nallowed)
{
        for (size_t k = 0; k < nallowed; k++)
                if (ref_outcome_equal(seen, &allowed[k]))
                        return true;
        return false;
}

/* Applies an access op of a v1 trace to both; false (with v->why) when
 * the engine's outcome is not one the reference allows. */
static bool step_access(struct lockstep *ls, const struct op *op, struct verdict *v)
{
        static struct ref_outcome allowed[MAX_ALLOWED];
        size_t nallowed = ref_allowed(&ls->ref, op, allowed, MAX_ALLOWED);
        if (nallowed > MAX_ALLOWED)
                fail_msg("test trace allows %zu outcomes at line %llu", nallowed,
                         (unsigned long long)op->line);
        assert_true(sim_apply(&ls->s, op));
        struct ref_outcome seen;
        if (!engine_outcome(&ls->rec, op, &seen, v->why, sizeof v->why))
                return false;
        accesses_compared++;
        if (!outcome_allowed(&seen, allowed, nallowed)) {
                explain_mismatch(&seen, allowed, nallowed, v->why, sizeof v->why);
                return false;
        }
        ref_observe(&ls->ref, op, &seen);
        return true;
}

/* Checks one event of a demand-paged access: the reference decides a
 * fault or an access at the event's address, in the state the leaves
 * written so far give. */
static bool check_demand_event(struct lockstep *ls, const struct op *op, const struct event *e,
                               struct verdict *v)
{
        struct ref_outcome allowed[MAX_ALLOWED];
        struct op at = *op;
        at.gva = e->gva;
        size_t nallowed = ref_allowed(&ls->ref, &at, allowed, MAX_ALLOWED);
        struct ref_outcome seen = {.fault = e->kind == EV_GUEST_PF,
                                   .pf_error = e->kind == EV_GUEST_PF ? e->pf_error : 0,
                                   .gpa = e->gpa,
                                   .hpa = e->hpa};
        accesses_compared++;
        if (e->access != op->access || e->user != op->user) {
                snprintf(v->why, sizeof v->why, "the engine reported the access as %s%s",
                         access_kind_letter((enum access_kind)e->access), e->user ? " user" : "");
                return false;
        }
        if (!outcome_allowed(&seen, allowed, nallowed)) {
                explain_mismatch(&seen, allowed, nallowed, v->why, sizeof v->why);
                return false;
        }
        ref_observe(&ls->ref, &at, &seen);
        return true;
}

/* Applies an access the guest kernel pages in on demand (a lackey line):
 * each guest #PF it takes and each access it makes (one a page it
 * touches) must be what the reference says, the reference following the
 * leaves the kernel writes (EV_PT_WRITE) as it pages in. */
static bool step_demand_access(struct lockstep *ls, const struct op *op, struct verdict *v)
{
        if (!op->user) { /* a process's accesses are made in user mode */
                snprintf(v->why, sizeof v->why, "a demand-paged access made in supervisor mode");
                return false;
        }
        assert_true(sim_apply(&ls->s, op));
        size_t accesses = 0;
        for (size_t i = 0; i < ls->rec.n; i++) {
                const struct event *e = &ls->rec.ev[i];
                if (e->kind == EV_PT_WRITE) {
                        struct op w = {.kind = OP_PT_WRITE,
                                       .gva = e->gva,
                                       .gpa = e->gpa,
                                       .perm = e->new_entry & PTE_PERM_MASK,
                                       .leaf_level = e->level};
                        ref_apply(&ls->ref, &w);
                } else if (e->kind == EV_GUEST_PF || e->kind == EV_ACCESS) {
                        accesses += e->kind == EV_ACCESS;
                        if (!check_demand_event(ls, op, e, v))
                                return false;
                }
        }
        if (accesses == 0)
                snprintf(v->why, sizeof v->why, "the access never completed");
        return accesses > 0;
}

/* The ops of line i of t (a lackey modify line holds two). Returns how
 * many; a line that does not parse is a defect of the test (it fails). */
static int parse_line(const struct lines *t, size_t i, const struct trace_limits *limits,
                      struct op ops[2])
{
        struct trace_error err = {0};
        const char *line = t->v[i];
        int n = t->lackey ? trace_parse_lackey(line, strlen(line), limits, &ops[0], &ops[1], &err)
                          : trace_parse_v1(line, strlen(line), limits, &ops[0], &err);
        if (err.col)
                fail_msg("test trace line '%s': %s", line, err.msg);
        for (int k = 0; k < n; k++)
                ops[k].line = i + 1;
        return n;
}

/* Runs the lines under cfg and the reference. Returns true when every
 * access agrees; else fills v with the first disagreement. */
static bool run_lockstep(const struct sim_config *cfg, const struct lines *t, struct verdict *v)
{
        struct lockstep ls;
        struct ref_config rc = ref_config_of(cfg);
        struct trace_limits limits;
        trace_limits_of_config(cfg, &limits);
        start(&ls.s, cfg, &ls.rec);
        ref_init(&ls.ref, &rc);
        v->agree = true;
        for (size_t i = 0; i < t->n && v->agree; i++) {
                struct op ops[2];
                int n = parse_line(t, i, &limits, ops);
                for (int k = 0; k < n && v->agree; k++) {
                        const struct op *op = &ops[k];
                        ls.rec.n = 0;
                        v->line = i;
                        if (op->kind != OP_ACCESS) {
                                assert_true(sim_apply(&ls.s, op));
                                ref_apply(&ls.ref, op);
                        } else {
                                v->agree = op->demand ? step_demand_access(&ls, op, v)
                                                      : step_access(&ls, op, v);
                        }
                }
        }
        ref_free(&ls.ref);
        finish(&ls.s, &ls.rec);
        return v->agree;
}

/* ---- shrinking a disagreement to a minimal trace -------------------------- */

/* Removes lines from t while some access still disagrees: everything after
 * the first disagreement, then chunks of halving size, down to single
 * lines, until no line can go. *v is the verdict on the result. */
static void shrink(const struct sim_config *cfg, struct lines *t, struct verdict *v)
{
        bool *keep = malloc(t->n * sizeof *keep);
        assert_non_null(keep);
        for (size_t i = 0; i < t->n; i++)
                keep[i] = i <= v->line;
        lines_filter(t, keep);
        for (size_t chunk = t->n / 2; chunk >= 1; chunk /= 2) {
                bool progress = true;
                while (progress) {
                        progress = false;
                        for (size_t at = 0; at + 1 <= t->n;) {
                                struct lines trial = {.lackey = t->lackey};
                                for (size_t i = 0; i < t->n; i++)
                                        if (i < at || i >= at + chunk)
                                                lines_add(&trial, "%s", t->v[i]);
                                struct verdict tv;
                                if (trial.n > 0 && !run_lockstep(cfg, &trial, &tv)) {
                                        lines_free(t);
                                        *t = trial;
                                        *v = tv;
                                        progress = true;
                                } else {
                                        lines_free(&trial);
                                        at += chunk;
                                }
                        }
                }
                if (chunk == 1)
                        break;
        }
        free(keep);
}

/* ---- collecting disagreements -------------------------------------------- */

#define MAX_DISTINCT 24
#define MAX_SHRINKS  40

/* The disagreements of one test: each distinct minimal trace once. */
struct failures {
        size_t count; /* configurations x traces that disagreed */
        size_t nshrunk;
        struct {
                char *trace;
                char where[160];
                char why[1024];
                size_t times;
        } distinct[MAX_DISTINCT];
        size_t ndistinct;
};

/* Runs the lines under cfg; a disagreement is shrunk (while the budget
 * lasts) and recorded. Returns whether they agreed. */
static bool check_trace(struct failures *f, const struct sim_config *cfg, const struct lines *t)
{
        struct verdict v;
        if (run_lockstep(cfg, t, &v))
                return true;
        f->count++;
        if (f->nshrunk >= MAX_SHRINKS)
                return false;
        f->nshrunk++;
        struct lines small = {.lackey = t->lackey};
        for (size_t i = 0; i < t->n; i++)
                lines_add(&small, "%s", t->v[i]);
        shrink(cfg, &small, &v);
        char *text = lines_join(&small);
        lines_free(&small);
        for (size_t i = 0; i < f->ndistinct; i++) {
                if (strcmp(f->distinct[i].trace, text) == 0) {
                        f->distinct[i].times++;
                        free(text);
                        return false;
                }
        }
        if (f->ndistinct == MAX_DISTINCT) {
                free(text);
                return false;
        }
        describe(cfg, f->distinct[f->ndistinct].where, sizeof f->distinct[f->ndistinct].where);
        snprintf(f->distinct[f->ndistinct].why, sizeof f->distinct[f->ndistinct].why, "%s", v.why);
        f->distinct[f->ndistinct].trace = text;
        f->distinct[f->ndistinct].times = 1;
        f->ndistinct++;
        return false;
}

/* Prints every distinct minimal trace and fails when there was any. */
static void report(struct failures *f, const char *test, size_t checked)
{
        print_message("%s: %zu runs, %zu accesses compared\n", test, checked, accesses_compared);
        for (size_t i = 0; i < f->ndistinct; i++) {
                fprintf(stderr,
                        "%s: disagreement under %s (shrunk from %zu configuration%s):\n%s"
                        "  %s\n\n",
                        test, f->distinct[i].where, f->distinct[i].times,
                        f->distinct[i].times == 1 ? "" : "s", f->distinct[i].trace,
                        f->distinct[i].why);
                free(f->distinct[i].trace);
        }
        if (f->count)
                fail_msg("%s: %zu of %zu runs disagree with the reference model (%zu shrunk, "
                         "%zu distinct minimal traces above)",
                         test, f->count, checked, f->nshrunk, f->ndistinct);
}

/* ---- addresses ------------------------------------------------------------ */

/* The first address of the upper (kernel) half for a paging depth. */
static uint64_t kernel_base(int levels)
{
        unsigned bits = 12u + 9u * (unsigned)levels;
        return bits >= 64 ? UINT64_C(1) << 63 : ~UINT64_C(0) << (bits - 1);
}

static const char *size_word(int level)
{
        return level == 3 ? " 1G" : level == 2 ? " 2M" : "";
}

/* Trace flags for bits 0 w, 1 x, 2 u ("r" always). */
static const char *flags_word(int f)
{
        static const char *const words[8] = {"r", "rw", "rx", "rwx", "ru", "rwu", "rxu", "rwxu"};
        return words[f & 7];
}

static const char *const kind_words[] = {"R", "W", "X"};

/* ---- the matrix ------------------------------------------------------------ */

struct matrix_page {
        uint64_t offset;    /* of the page's first address, in its half */
        uint64_t gpa;       /* what it maps */
        uint64_t probes[3]; /* offsets accessed */
        uint64_t inner;     /* an address inside the page other than its first */
};

static const struct matrix_page matrix_pages[4] = {
    [1] = {0x1000, 0x5000, {0, 0x800, 0xFF8}, 0x800},
    [2] = {0x200000, 0x400000, {0, 0x1008, 0x1FF000}, 0x1000},
    [3] = {0x40000000, 0x80000000, {0, 0x201008, 0x3FFFF000}, 0x201000},
};

/* Every access the matrix makes to the page at base. */
static void matrix_probe(struct lines *t, uint64_t base, const struct matrix_page *p)
{
        for (int o = 0; o < 3; o++)
                for (int k = 0; k < 3; k++)
                        for (int user = 0; user < 2; user++)
                                lines_add(t, "%s 0x%llX%s", kind_words[k],
                                          (unsigned long long)(base + p->probes[o]),
                                          user ? " user" : "");
}

/* The matrix for one page size in one half: for every pair of flag sets
 * (from, to), map the page with from (INVLPG: it replaces the last leaf),
 * probe it, PT_PROTECT it to to, invalidate it, probe it again. Every
 * other pair (odd ones for variant 0, even ones for variant 1)
 * invalidates through an address inside the page other than its first. */
static void matrix_trace(int levels, int size, bool kernel, int variant, struct lines *t)
{
        const struct matrix_page *p = &matrix_pages[size];
        uint64_t base = (kernel ? kernel_base(levels) : 0) + p->offset;
        for (int pair = 0; pair < 64; pair++) {
                int from = pair / 8, to = pair % 8;
                uint64_t inval = base + ((pair + variant) & 1 ? p->inner : 0);
                unsigned long long b = (unsigned long long)base, i = (unsigned long long)inval;
                lines_add(t, "PT_WRITE 0x%llX->0x%llX %s%s", b, (unsigned long long)p->gpa,
                          flags_word(from), size_word(size));
                lines_add(t, "INVLPG 0x%llX", i);
                matrix_probe(t, base, p);
                lines_add(t, "PT_PROTECT 0x%llX %s", b, flags_word(to));
                lines_add(t, "INVLPG 0x%llX", i);
                matrix_probe(t, base, p);
        }
}

/* Runs the matrix (every page size the depth has, both halves) under cfg.
 * Returns the number of runs. */
static size_t check_matrix(struct failures *f, const struct sim_config *cfg, int variant)
{
        size_t runs = 0;
        for (int size = 1; size <= 3 && size <= cfg->levels - 1; size++) {
                if (matrix_pages[size].gpa + level_span(size) > cfg->guest_mem)
                        continue;
                for (int kernel = 0; kernel < 2; kernel++) {
                        struct lines t = {0};
                        matrix_trace(cfg->levels, size, kernel, variant, &t);
                        check_trace(f, cfg, &t);
                        lines_free(&t);
                        runs++;
                }
        }
        return runs;
}

/* Every scheme, every SMEP/SMAP combination, the defaults; each
 * transition invalidated through the page's first address and another. */
static void test_matrix_every_scheme(void **state)
{
        (void)state;
        accesses_compared = 0;
        struct failures f = {0};
        size_t runs = 0;
        for (int mode = 0; mode < MODE_COUNT; mode++)
                for (int c = 0; c < 4; c++) {
                        struct sim_config cfg = config_of((enum mmu_mode)mode, &option_sets[0], c);
                        runs += check_matrix(&f, &cfg, c % 2);
                }
        report(&f, "matrix", runs);
}

/* Every scheme under every other option set, SMEP and SMAP both off or
 * both on by turns. */
static void test_matrix_every_option_set(void **state)
{
        (void)state;
        accesses_compared = 0;
        struct failures f = {0};
        size_t runs = 0;
        for (size_t o = 1; o < NOPTION_SETS; o++)
                for (int mode = 0; mode < MODE_COUNT; mode++) {
                        int c = (int)((o + (size_t)mode) % 2) * 3;
                        struct sim_config cfg = config_of((enum mmu_mode)mode, &option_sets[o], c);
                        runs += check_matrix(&f, &cfg, c % 2);
                }
        report(&f, "matrix/options", runs);
}

/* ---- random traces -------------------------------------------------------- */

/* splitmix64: the test's own deterministic generator. */
static uint64_t rng_next(uint64_t *x)
{
        uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

static uint64_t pick(uint64_t *x, uint64_t n)
{
        return rng_next(x) % n;
}

/* Page offsets (in either half) the random traces work on: pieces of one
 * 1G region, of 2M pages and neighbouring 4K pages, so that large and
 * small mappings overlap and replace one another. */
static const uint64_t random_pages[] = {
    0x1000,   0x2000,   0x3000,   0x5000,     0x7000,     0x8000,     0x200000,   0x201000,
    0x3FF000, 0x400000, 0x600000, 0x40000000, 0x40200000, 0x40201000, 0x7FE00000,
};
#define NRANDOM_PAGES (sizeof random_pages / sizeof random_pages[0])

/* Frames mapped: few, so that aliases (one GPA, several GVAs and rights)
 * are common. */
static const uint64_t random_gpas[4][4] = {
    [1] = {0x5000, 0x6000, 0x401000, 0x7000},
    [2] = {0x400000, 0x600000, 0x200000, 0x400000},
    [3] = {0x40000000, 0x80000000, 0x40000000, 0x80000000},
};

/* How often a random trace does each thing (weights), and where. */
struct random_profile {
        unsigned write, clear, protect, invlpg, flush, cr3, dirty_log, access;
        unsigned kernel_percent; /* addresses in the upper (shared) half */
        unsigned spaces;         /* address spaces CR3 picks from */
};

static const struct random_profile random_profiles[] = {
    /* a mix of everything, more address spaces than the 4 cached roots */
    {20, 6, 10, 6, 1, 6, 2, 49, 33, 7},
    /* table churn: rewrites of few tables under dirty logging, rare CR3 */
    {28, 8, 16, 4, 1, 1, 8, 34, 20, 2},
    /* the shared kernel half seen from many address spaces */
    {14, 4, 10, 6, 1, 15, 2, 48, 80, 9},
};
#define NRANDOM_PROFILES (sizeof random_profiles / sizeof random_profiles[0])

struct random_ctx {
        uint64_t x;
        int levels;
        uint64_t guest_mem;
        bool strict; /* every change is invalidated as x86 requires */
        const struct random_profile *p;
};

/* A random address of a page of the pool, in a random half, at a random
 * offset within 2M (4K-aligned at times, not always). */
static uint64_t random_gva(struct random_ctx *r, bool aligned)
{
        uint64_t half = pick(&r->x, 100) < r->p->kernel_percent ? kernel_base(r->levels) : 0;
        uint64_t top = UINT64_C(1) << (12 + 9 * (r->levels) - 1); /* size of a half */
        uint64_t off = random_pages[pick(&r->x, NRANDOM_PAGES)];
        if (!aligned)
                off += pick(&r->x, 4) == 0 ? (pick(&r->x, 512) << 12) + 8 * pick(&r->x, 512)
                                           : 8 * pick(&r->x, 512);
        return half + (off & (top - 1));
}

static int random_size(struct random_ctx *r)
{
        int size = 1 + (int)pick(&r->x, 3);
        while (size > 1 && (size > r->levels - 1 || level_span(size) * 2 > r->guest_mem))
                size--;
        return size;
}

/* After a change of the page holding gva (of size level): the INVLPG x86
 * requires (through the page's first address or another), a full flush,
 * or nothing (the old translation may then still be used). Strict traces
 * always invalidate: INVLPG gva drops the page holding it, whatever its
 * size; a large leaf written may replace a table of many pages, so that
 * takes a full flush. */
static void random_invalidation(struct random_ctx *r, struct lines *t, uint64_t gva, int level,
                                bool large_write)
{
        if (r->strict) {
                if (large_write)
                        lines_add(t, "TLB_FLUSH");
                else
                        lines_add(t, "INVLPG 0x%llX", (unsigned long long)gva);
                return;
        }
        if (level > r->levels - 1)
                level = r->levels - 1;
        uint64_t span = level_span(level), base = gva & ~(span - 1);
        uint64_t d = pick(&r->x, 20);
        if (d < 11)
                lines_add(t, "INVLPG 0x%llX",
                          (unsigned long long)(base + (pick(&r->x, 2) ? 0 : pick(&r->x, span))));
        else if (d < 13)
                lines_add(t, "TLB_FLUSH");
}

enum random_kind { R_WRITE, R_CLEAR, R_PROTECT, R_INVLPG, R_FLUSH, R_CR3, R_DIRTY, R_ACCESS };

/* A kind of op, drawn with the profile's weights. */
static enum random_kind random_kind(struct random_ctx *r)
{
        const struct random_profile *p = r->p;
        const unsigned w[] = {p->write, p->clear, p->protect,   p->invlpg,
                              p->flush, p->cr3,   p->dirty_log, p->access};
        unsigned total = 0;
        for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
                total += w[i];
        unsigned d = (unsigned)pick(&r->x, total);
        size_t k = 0;
        while (d >= w[k])
                d -= w[k++];
        return (enum random_kind)k;
}

static void random_write(struct random_ctx *r, struct lines *t, uint64_t gva)
{
        int size = random_size(r);
        uint64_t gpa = random_gpas[size][pick(&r->x, 4)];
        if (gpa + level_span(size) > r->guest_mem)
                gpa = 0;
        const char *flags = pick(&r->x, 8) == 0 ? "" : flags_word((int)pick(&r->x, 8));
        lines_add(t, "PT_WRITE 0x%llX->0x%llX %s%s",
                  (unsigned long long)(gva & ~(level_span(size) - 1)), (unsigned long long)gpa,
                  flags, size_word(size));
        random_invalidation(r, t, gva, size, size > 1);
}

static void random_access(struct random_ctx *r, struct lines *t, uint64_t gva)
{
        const char *user = pick(&r->x, 2) ? " user" : "";
        const char *kind = kind_words[pick(&r->x, 3)];
        if (pick(&r->x, 2))
                lines_add(t, "%s 0x%llX%s", kind, (unsigned long long)gva, user);
        else
                lines_add(t, "ACCESS 0x%llX %s%s", (unsigned long long)gva, kind, user);
}

static void random_op(struct random_ctx *r, struct lines *t)
{
        static const char *const actions[] = {"start", "sync", "stop"};
        enum random_kind k = random_kind(r);
        bool changes = k == R_WRITE || k == R_CLEAR || k == R_PROTECT;
        uint64_t gva = random_gva(r, changes);
        switch (k) {
        case R_WRITE:
                random_write(r, t, gva);
                break;
        case R_CLEAR:
                lines_add(t, "PT_CLEAR 0x%llX", (unsigned long long)gva);
                random_invalidation(r, t, gva, (int)pick(&r->x, 3) + 1, false);
                break;
        case R_PROTECT:
                lines_add(t, "PT_PROTECT 0x%llX %s", (unsigned long long)gva,
                          flags_word((int)pick(&r->x, 8)));
                random_invalidation(r, t, gva, (int)pick(&r->x, 3) + 1, false);
                break;
        case R_INVLPG:
                lines_add(t, "INVLPG 0x%llX", (unsigned long long)gva);
                break;
        case R_FLUSH:
                lines_add(t, "TLB_FLUSH");
                break;
        case R_CR3:
                lines_add(t, "CR3 %u", (unsigned)pick(&r->x, r->p->spaces));
                break;
        case R_DIRTY:
                lines_add(t, "DIRTY_LOG %s", actions[pick(&r->x, 3)]);
                break;
        case R_ACCESS:
                random_access(r, t, gva);
                break;
        }
}

/* A random trace of n ops: strict or not, with the profile of the seed. */
static void random_trace(uint64_t seed, const struct sim_config *cfg, bool strict, int n,
                         struct lines *t)
{
        struct random_ctx r = {seed, cfg->levels, cfg->guest_mem, strict,
                               &random_profiles[seed % NRANDOM_PROFILES]};
        for (int i = 0; i < n; i++)
                random_op(&r, t);
}

#define RANDOM_SEEDS 32
#define RANDOM_OPS   500

static void test_random_traces(void **state)
{
        (void)state;
        accesses_compared = 0;
        struct failures f = {0};
        size_t runs = 0;
        for (size_t o = 0; o < NOPTION_SETS; o++)
                for (uint64_t seed = 1; seed <= RANDOM_SEEDS; seed++) {
                        struct lines t = {0};
                        struct sim_config cfg = config_of(MODE_NATIVE, &option_sets[o], 0);
                        random_trace(seed * 1000 + o, &cfg, seed % 2 == 0, RANDOM_OPS, &t);
                        for (int mode = 0; mode < MODE_COUNT; mode++) {
                                cfg = config_of((enum mmu_mode)mode, &option_sets[o],
                                                (int)(seed % 4));
                                check_trace(&f, &cfg, &t);
                                runs++;
                        }
                        lines_free(&t);
                }
        report(&f, "random", runs);
}

/* ---- Valgrind lackey traces: a process paged in on demand -------------- */

/* A process's accesses: fetches in its code, loads, stores and modifies
 * in its data and near the top of its stack, some crossing a page. The
 * addresses fit every paging depth's user half. */
static void lackey_trace(uint64_t seed, int n, struct lines *t)
{
        uint64_t x = seed;
        t->lackey = true;
        for (int i = 0; i < n; i++) {
                uint64_t d = pick(&x, 10);
                if (d < 4) {
                        lines_add(t, "I  %08llx,%u",
                                  (unsigned long long)(0x400000 + pick(&x, 0x8000)),
                                  (unsigned)(1 + pick(&x, 15)));
                        continue;
                }
                static const char kinds[] = {'L', 'S', 'M'};
                uint64_t base = d < 8 ? 0x1000000 : 0x1FF00000 - 0x10000;
                lines_add(t, " %c %08llx,%u", kinds[pick(&x, 3)],
                          (unsigned long long)(base + pick(&x, 0x10000)), 1u << pick(&x, 4));
        }
}

/* Lackey accesses are user accesses to the pages the guest kernel maps
 * for them (code read+exec, data read+write): every scheme and option
 * set, each demand fault's error code and each access against the
 * reference. */
static void test_lackey_demand_paging(void **state)
{
        (void)state;
        accesses_compared = 0;
        struct failures f = {0};
        size_t runs = 0;
        for (size_t o = 0; o < NOPTION_SETS; o++)
                for (uint64_t seed = 1; seed <= 2; seed++) {
                        struct lines t = {0};
                        lackey_trace(seed * 77 + o, 300, &t);
                        for (int mode = 0; mode < MODE_COUNT; mode++) {
                                struct sim_config cfg =
                                    config_of((enum mmu_mode)mode, &option_sets[o], (int)(o % 4));
                                check_trace(&f, &cfg, &t);
                                runs++;
                        }
                        lines_free(&t);
                }
        report(&f, "lackey", runs);
}

/* ---- regressions: minimal traces ---------------------------------------- */

struct regression {
        const char *name;
        int min_levels; /* the trace's addresses and page sizes need this depth */
        /* The engine disagrees with the reference on it today (reported);
         * the test then only notes it, and fails once it agrees, so that
         * the mark is removed. */
        bool known_failing;
        const char *trace;
};

static const struct regression regressions[] = {
    /* INVLPG of a large page's first address drops every TLB entry of
     * the page, its 4K pieces included. */
    {"invlpg of a 2M page drops all of it", 3, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x201000\nPT_CLEAR 0x200000\nINVLPG 0x200000\n"
     "R 0x201000\n"},
    /* The same through another address of the page. */
    {"invlpg inside a 2M page drops all of it", 3, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x200000\nR 0x3FF000\nPT_CLEAR 0x200000\n"
     "INVLPG 0x201000\nR 0x200000\nR 0x3FF000\n"},
    {"invlpg inside a 1G page drops all of it", 4, false,
     "PT_WRITE 0x40000000->0x80000000 rw 1G\nR 0x40000000\nR 0x40201000\n"
     "PT_PROTECT 0x40000000 r\nINVLPG 0x7FFFF000\nW 0x40000000\nW 0x40201000\n"},
    /* A 2M page made read-only: a write faults (P W). */
    {"write to a 2M page made read-only", 3, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nW 0x200000\nW 0x201000\nPT_PROTECT 0x200000 r\n"
     "INVLPG 0x200000\nW 0x200000\nW 0x201000\nW 0x3FF008\n"},
    {"write to a 2M page mapped read-only", 3, false,
     "PT_WRITE 0x200000->0x400000 r 2M\nR 0x201000\nW 0x201000\n"},
    /* Two 2M aliases of one GPA with different rights. */
    {"2M aliases: writable, then read-only", 3, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nPT_WRITE 0x600000->0x400000 r 2M\nW 0x200000\n"
     "W 0x201000\nW 0x600000\nW 0x601000\nR 0x601000\n"},
    {"2M aliases: read-only, then writable", 3, false,
     "PT_WRITE 0x600000->0x400000 r 2M\nPT_WRITE 0x200000->0x400000 rw 2M\nR 0x601000\n"
     "W 0x201000\nW 0x601000\nW 0x600000\n"},
    {"2M aliases: executable and not", 3, false,
     "PT_WRITE 0x200000->0x400000 rx 2M\nPT_WRITE 0x600000->0x400000 rw 2M\nX 0x201000\n"
     "X 0x601000\nX 0x600000\n"},
    {"2M aliases: user and supervisor", 3, false,
     "PT_WRITE 0x200000->0x400000 rwu 2M\nPT_WRITE 0x600000->0x400000 rw 2M\nR 0x201000 user\n"
     "R 0x601000 user\nR 0x600000 user\n"},
    /* A 2M leaf replaced by a table: the rest of the 2M is unmapped. */
    {"2M leaf replaced by a table", 3, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x201000\nR 0x200000\nPT_WRITE 0x200000->0x5000\n"
     "INVLPG 0x200000\nR 0x201000\nR 0x200000\nW 0x3FF000\n"},
    /* A table replaced by a 2M leaf (each old 4K page invalidated). */
    {"table replaced by a 2M leaf", 3, false,
     "PT_WRITE 0x200000->0x5000\nPT_WRITE 0x201000->0x6000 r\nR 0x200000\nR 0x201000\n"
     "PT_WRITE 0x200000->0x400000 rw 2M\nINVLPG 0x200000\nINVLPG 0x201000\nW 0x201000\n"
     "R 0x200000\nR 0x202000\n"},
    /* User accesses need U at every level: kernel-half links lack it. */
    {"user access to a kernel-half page marked u", 4, false,
     "PT_WRITE 0xFFFF800000001000->0x5000 rwu\nR 0xFFFF800000001000\n"
     "R 0xFFFF800000001000 user\nW 0xFFFF800000001000 user\n"},
    {"user access to a page without u", 2, false,
     "PT_WRITE 0x1000->0x5000 rwx\nR 0x1000\nR 0x1000 user\nW 0x1000 user\nX 0x1000 user\n"},
    {"supervisor write to a read-only user page (CR0.WP)", 2, false,
     "PT_WRITE 0x1000->0x5000 ru\nR 0x1000 user\nW 0x1000 user\nW 0x1000\n"},
    /* The kernel half is shared: a mapping made in one address space is
     * seen from one created earlier. */
    {"kernel half shared by every address space", 4, false,
     "CR3 1\nCR3 0\nPT_WRITE 0xFFFF800000001000->0x5000\nCR3 1\nR 0xFFFF800000001000\n"
     "CR3 2\nR 0xFFFF800000001000\nPT_CLEAR 0xFFFF800000001000\nTLB_FLUSH\nCR3 0\n"
     "R 0xFFFF800000001000\n"},
    /* SMEP / SMAP only look at user-mode addresses (U at every level). */
    {"supervisor fetch and data on user pages", 2, false,
     "PT_WRITE 0x1000->0x5000 rwxu\nX 0x1000\nR 0x1000\nW 0x1000\nX 0x1000 user\n"},
    {"supervisor fetch and data on a kernel-half page marked u", 4, false,
     "PT_WRITE 0xFFFF800000002000->0x5000 rwxu\nX 0xFFFF800000002000\nR 0xFFFF800000002000\n"
     "W 0xFFFF800000002000\n"},
    /* An access through a stale out-of-sync shadow entry (PT_CLEAR not
     * invalidated) reported gpa=0 beside the stale HPA. */
    {"stale out-of-sync entry reports its GPA", 2, false,
     "PT_WRITE 0x200000->0x401000 rwxu\nW 0x200D80\nCR3 0\nPT_CLEAR 0x200000\n"
     "ACCESS 0x200858 R\n"},
    /* A page fault invalidates the TLB entries of the faulting address
     * (SDM 4.10.4.1): a stale translation is not used for its page again,
     * after a protection fault (KVM invalidates there too) ... */
    {"protection fault drops the stale entry of its page", 2, false,
     "PT_WRITE 0x8000->0x7000 ru\nACCESS 0x8688 R user\nPT_PROTECT 0x8000 r\n"
     "ACCESS 0x89F8 W user\nACCESS 0x8F90 R user\n"},
    /* ... and after a not-present fault (except where the scheme models
     * KVM's out-of-sync pages, which keep it). */
    {"not-present fault drops the stale entry of its page", 2, false,
     "PT_WRITE 0x8000->0x7000 ru\nACCESS 0x8688 R user\nPT_CLEAR 0x8000\n"
     "ACCESS 0x89F8 W user\nACCESS 0x8F90 R\n"},
    /* The TLB may hold an entry of each page size for an address (SDM
     * 4.10.2.3); a page fault drops all of them. */
    {"a page fault drops the entries of every page size", 4, false,
     "PT_WRITE 0x200000->0x400000 rw 2M\nR 0x200000\nPT_WRITE 0x0->0x80000000 rwx 1G\n"
     "R 0x600000\nPT_PROTECT 0x0 r\nX 0x201000\nW 0x201008\n"},
    /* Rights read from the TLB after a PT_PROTECT that was invalidated. */
    {"4K protect transitions through the TLB", 2, false,
     "PT_WRITE 0x1000->0x5000 rwxu\nW 0x1000 user\nX 0x1000 user\nPT_PROTECT 0x1000 ru\n"
     "INVLPG 0x1000\nR 0x1000 user\nW 0x1000 user\nX 0x1000 user\nPT_PROTECT 0x1000 rwx\n"
     "INVLPG 0x1000\nR 0x1000 user\nW 0x1000\nX 0x1000\n"},
};
#define NREGRESSIONS (sizeof regressions / sizeof regressions[0])

/* Every regression under every scheme and option set deep enough for it,
 * with SMEP and SMAP off and on. */
static void test_regressions(void **state)
{
        (void)state;
        accesses_compared = 0;
        struct failures f = {0};
        size_t runs = 0;
        for (size_t i = 0; i < NREGRESSIONS; i++) {
                const struct regression *g = &regressions[i];
                struct lines t = {0};
                struct failures mine = {0};
                lines_from_text(&t, g->trace);
                for (size_t o = 0; o < NOPTION_SETS; o++) {
                        if (option_sets[o].levels < g->min_levels)
                                continue;
                        for (int mode = 0; mode < MODE_COUNT; mode++)
                                for (int c = 0; c < 4; c += 3) {
                                        struct sim_config cfg =
                                            config_of((enum mmu_mode)mode, &option_sets[o], c);
                                        check_trace(g->known_failing ? &mine : &f, &cfg, &t);
                                        runs++;
                                }
                }
                lines_free(&t);
                if (g->known_failing && mine.count == 0)
                        fail_msg("regression '%s' now agrees everywhere: clear known_failing",
                                 g->name);
                if (g->known_failing)
                        fprintf(stderr, "known failing: '%s' (%zu runs disagree)\n", g->name,
                                mine.count);
                for (size_t k = 0; k < mine.ndistinct; k++) {
                        fprintf(stderr, "  e.g. %s: %s\n", mine.distinct[k].where,
                                mine.distinct[k].why);
                        free(mine.distinct[k].trace);
                }
        }
        report(&f, "regressions", runs);
}

/* ---- the reference model itself ------------------------------------------ */

struct expectation {
        const char *line;
        bool fault;
        uint8_t pf_error;
        uint64_t gpa;
};

/* Runs lines through the reference alone; each access must give the one
 * outcome written beside it (worked out by hand from the SDM). */
static void expect_reference(const struct ref_config *rc, const struct expectation *x, size_t n)
{
        struct ref_machine m;
        struct trace_limits limits = {rc->levels, rc->guest_mem, 1};
        ref_init(&m, rc);
        for (size_t i = 0; i < n; i++) {
                struct op op;
                struct trace_error err;
                assert_true(trace_parse_v1(x[i].line, strlen(x[i].line), &limits, &op, &err));
                if (op.kind != OP_ACCESS) {
                        ref_apply(&m, &op);
                        continue;
                }
                struct ref_outcome out[4];
                size_t k = ref_allowed(&m, &op, out, 4);
                char a[96];
                if (k != 1 || out[0].fault != x[i].fault ||
                    (x[i].fault ? out[0].pf_error != x[i].pf_error : out[0].gpa != x[i].gpa))
                        fail_msg("'%s': reference gives %s (%zu outcomes)", x[i].line,
                                 ref_outcome_format(&out[0], a, sizeof a), k);
                ref_observe(&m, &op, &out[0]);
        }
        ref_free(&m);
}

static void test_reference_model(void **state)
{
        (void)state;
        const struct ref_config plain = {.levels = 4, .guest_mem = UINT64_C(4) << 30};
        const struct ref_config smep_smap = {
            .levels = 4, .guest_mem = UINT64_C(4) << 30, .smep = true, .smap = true};
        static const struct expectation rights[] = {
            {"R 0x1000", true, 0, 0},
            {"X 0x1000 user", true, REF_PF_U | REF_PF_I, 0},
            {"PT_WRITE 0x1000->0x5000 r", false, 0, 0},
            {"R 0x1008", false, 0, 0x5008},
            {"W 0x1008", true, REF_PF_P | REF_PF_W, 0},
            {"X 0x1008", true, REF_PF_P | REF_PF_I, 0},
            {"R 0x1008 user", true, REF_PF_P | REF_PF_U, 0},
            {"PT_PROTECT 0x1000 rwxu", false, 0, 0},
            {"INVLPG 0x1000", false, 0, 0},
            {"W 0x1008 user", false, 0, 0x5008},
            {"X 0x1008", false, 0, 0x5008},
            {"PT_WRITE 0xFFFF800000200000->0x400000 rwxu 2M", false, 0, 0},
            {"R 0xFFFF800000201000 user", true, REF_PF_P | REF_PF_U, 0},
            {"X 0xFFFF800000201000", false, 0, 0x401000},
            {"PT_WRITE 0xFFFF800000200000->0x5000", false, 0, 0},
            {"INVLPG 0xFFFF800000200000", false, 0, 0},
            {"R 0xFFFF800000201000", true, 0, 0},
            {"W 0xFFFF800000200008", false, 0, 0x5008},
        };
        expect_reference(&plain, rights, sizeof rights / sizeof rights[0]);
        static const struct expectation smx[] = {
            {"PT_WRITE 0x1000->0x5000 rwxu", false, 0, 0},
            {"X 0x1000", true, REF_PF_P | REF_PF_I, 0},
            {"R 0x1000", true, REF_PF_P, 0},
            {"W 0x1000", true, REF_PF_P | REF_PF_W, 0},
            {"X 0x1000 user", false, 0, 0x5000},
            {"PT_WRITE 0xFFFF800000001000->0x6000 rwxu", false, 0, 0},
            {"X 0xFFFF800000001000", false, 0, 0x6000},
            {"W 0xFFFF800000001000", false, 0, 0x6000},
        };
        expect_reference(&smep_smap, smx, sizeof smx / sizeof smx[0]);
}

/* A change not invalidated leaves both translations allowed; INVLPG of
 * any address of the large page then leaves only the new one. */
static void test_reference_stale_window(void **state)
{
        (void)state;
        const struct ref_config rc = {.levels = 4, .guest_mem = UINT64_C(4) << 30};
        struct ref_machine m;
        struct trace_limits limits = {4, rc.guest_mem, 1};
        struct ref_outcome out[4];
        struct op op;
        struct trace_error err;
        const char *const lines[] = {"PT_WRITE 0x200000->0x400000 rw 2M",
                                     "PT_WRITE 0x200000->0x600000 r 2M", "W 0x201000",
                                     "INVLPG 0x3FF000", "W 0x201000"};
        ref_init(&m, &rc);
        for (int i = 0; i < 2; i++) {
                assert_true(trace_parse_v1(lines[i], strlen(lines[i]), &limits, &op, &err));
                ref_apply(&m, &op);
        }
        assert_true(trace_parse_v1(lines[2], strlen(lines[2]), &limits, &op, &err));
        assert_int_equal(ref_allowed(&m, &op, out, 4), 2);
        assert_true(out[0].fault && out[0].pf_error == (REF_PF_P | REF_PF_W));
        assert_false(out[1].fault);
        assert_int_equal(out[1].gpa, 0x401000);
        assert_true(trace_parse_v1(lines[3], strlen(lines[3]), &limits, &op, &err));
        ref_apply(&m, &op);
        assert_true(trace_parse_v1(lines[4], strlen(lines[4]), &limits, &op, &err));
        assert_int_equal(ref_allowed(&m, &op, out, 4), 1);
        assert_true(out[0].fault);
        ref_free(&m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_reference_model),
            cmocka_unit_test(test_reference_stale_window),
            cmocka_unit_test(test_regressions),
            cmocka_unit_test(test_matrix_every_scheme),
            cmocka_unit_test(test_matrix_every_option_set),
            cmocka_unit_test(test_random_traces),
            cmocka_unit_test(test_lackey_demand_paging),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
