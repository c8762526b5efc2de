/*
 * quiz.c - picking questions about a trace from the events of machines
 * that ran it.
 *
 * One pass over the trace runs, in lockstep, the machines the questions
 * need: the quiz's scheme, and the pair the exit questions contrast (a
 * scheme with a hypervisor and the one it is compared with by default:
 * shadow paging and EPT). Each machine's events are gathered a trace line
 * at a time; when a line is complete, every kind of question whose answer
 * the events define there is a candidate. A reservoir per kind and class
 * of answer (Vitter's algorithm R, seeded) keeps a uniform sample of at
 * most count candidates, so memory does not grow with the trace, and
 * classes ("the schemes agree" and "they differ", "guest" and "hidden")
 * make both kinds of answer come up. The samples are dealt out kind by
 * kind in a seeded order and the questions sorted by line.
 *
 * The answers are the engine's: the events of the line (an exit, refs= of
 * an access, its HPA) and, for an INVLPG, the TLB entries that were valid
 * before it and are gone when its event comes.
 */
#include "quiz.h"

#include <stdlib.h>
#include <string.h>

#include "scheme.h"
#include "session.h"
#include "strbuf.h"
#include "tlb.h"
#include "xalloc.h"

/* Trace lines (ops) shown above the one asked about, and with it. */
#define CONTEXT_OPS 4
/* Pages listed of the TLB before an INVLPG. */
#define MAX_HELD 8
/* Classes of answer a kind's candidates are sampled in. */
#define BUCKETS 2
/* Room for one question's longest text (its explanation). */
#define TEXT_MAX 8192

/* The machines' roles: the quiz's scheme, the pair of the exit questions,
 * and the one with shadow tables that the fault questions are about. */
enum role { ROLE_OWN, ROLE_A, ROLE_B, ROLE_SHADOW, ROLE_COUNT };

/* One machine and the events of the line being gathered. */
struct machine {
        struct sim sim;
        uint64_t line; /* the line whose events evs holds */
        struct event *evs;
        size_t nevs, cap;
        /* An INVLPG being asked about: the TLB before it, and the pages
         * whose entries are gone when its event comes. */
        bool watch;
        struct tlb before;
        uint64_t *dropped;
        size_t ndropped, cap_dropped;
        char held[256]; /* the pages the TLB held before, for the explanation */
};

/* A reservoir of candidates: at most cap questions of seen. */
struct pool {
        struct quiz_question *q;
        unsigned n;
        uint64_t seen;
};

struct builder {
        struct machine m[3];
        unsigned nm;
        unsigned role[ROLE_COUNT]; /* index into m */
        struct pool pools[QUIZ_KIND_COUNT][BUCKETS];
        unsigned cap;
        uint64_t rng;
        struct op recent[CONTEXT_OPS]; /* the last ops read, a ring */
        unsigned nrecent;
        uint64_t line;                /* the line being gathered (0: none yet) */
        struct quiz_question *invlpg; /* the slot an INVLPG of this line goes to */
};

/* ---- seeded choices ------------------------------------------------------- */

/* splitmix64 (Steele, Lea and Flood, OOPSLA 2014): a whole generator in
 * one 64-bit word, so the same seed gives the same quiz. */
static uint64_t rng_next(uint64_t *s)
{
        uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

/* A number below n (> 0); the modulo's bias is below n / 2^64. */
static uint64_t rng_below(uint64_t *s, uint64_t n)
{
        return rng_next(s) % n;
}

void quiz_question_free(struct quiz_question *q)
{
        free(q->context);
        free(q->text);
        free(q->answer);
        free(q->explanation);
        memset(q, 0, sizeof *q);
}

/* Counts one more candidate of pool p and draws whether it is kept.
 * Returns the slot to fill (emptied), or NULL. */
static struct quiz_question *pool_slot(struct builder *b, struct pool *p)
{
        p->seen++;
        if (p->n < b->cap)
                return &p->q[p->n++];
        uint64_t j = rng_below(&b->rng, p->seen);
        if (j >= b->cap)
                return NULL;
        quiz_question_free(&p->q[j]);
        return &p->q[j];
}

/* ---- the machines --------------------------------------------------------- */

/* The pages whose entries were valid in before and are not in now. */
static void tlb_dropped(struct machine *m)
{
        const struct tlb *now = &m->sim.tlb;
        size_t n = (size_t)now->sets * now->ways;
        for (size_t i = 0; i < n; i++) {
                const struct tlb_entry *was = &m->before.e[i], *is = &now->e[i];
                if (!was->valid || (is->valid && is->vpn == was->vpn && is->level == was->level &&
                                    is->asid == was->asid))
                        continue;
                if (m->ndropped == m->cap_dropped) {
                        m->cap_dropped = m->cap_dropped ? 2 * m->cap_dropped : 8;
                        m->dropped = xrealloc(m->dropped, m->cap_dropped, sizeof *m->dropped);
                }
                m->dropped[m->ndropped++] = tlb_entry_gva(was);
        }
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* Writes the pages the TLB before holds ("0x1000 0x2000", "none"). */
static void tlb_held(struct machine *m)
{
        size_t n = (size_t)m->before.sets * m->before.ways, count = 0;
        uint64_t pages[MAX_HELD];
        for (size_t i = 0; i < n; i++)
                if (m->before.e[i].valid && count++ < MAX_HELD)
                        pages[count - 1] = tlb_entry_gva(&m->before.e[i]);
        size_t shown = count < MAX_HELD ? count : MAX_HELD;
        qsort(pages, shown, sizeof *pages, cmp_u64);
        struct strbuf o = {m->held, sizeof m->held, 0};
        m->held[0] = '\0';
        for (size_t i = 0; i < shown; i++)
                strbuf_put(&o, "%s0x%llX", i ? " " : "", strbuf_u(pages[i]));
        if (count > shown)
                strbuf_put(&o, " and %zu more", count - shown);
        if (!count)
                strbuf_put(&o, "no entry");
}

/* Keeps the events of the line being read (not the VMM's set-up before
 * the first line, which comes with the first op but is numbered 0). */
static void machine_sink(void *ctx, const struct event *ev)
{
        struct machine *m = ctx;
        if (ev->line != m->line)
                return;
        if (m->nevs == m->cap) {
                m->cap = m->cap ? 2 * m->cap : 64;
                m->evs = xrealloc(m->evs, m->cap, sizeof *m->evs);
        }
        m->evs[m->nevs++] = *ev;
        if (ev->kind == EV_INVLPG && m->watch) {
                tlb_dropped(m);
                tlb_held(m);
                tlb_free(&m->before);
                m->watch = false;
        }
}

static unsigned add_machine(struct builder *b, const struct sim_config *cfg, enum mmu_mode mode)
{
        for (unsigned i = 0; i < b->nm; i++)
                if (b->m[i].sim.cfg.mode == mode)
                        return i;
        struct machine *m = &b->m[b->nm];
        struct sim_config c = *cfg;
        c.mode = mode;
        memset(m, 0, sizeof *m);
        sim_init(&m->sim, &c);
        sim_add_sink(&m->sim, machine_sink, m);
        return b->nm++;
}

/* The schemes of the roles: the pair is the quiz's scheme when it has a
 * hypervisor (else the one it is compared with) and that one's own
 * counterpart; the fault questions ask the one of them with shadow
 * tables. */
static void add_machines(struct builder *b, const struct sim_config *cfg)
{
        enum mmu_mode own = cfg->mode;
        enum mmu_mode a = scheme_of(own)->tables != TABLES_NONE ? own : session_default_cmp(own);
        enum mmu_mode bm = session_default_cmp(a);
        b->role[ROLE_OWN] = add_machine(b, cfg, own);
        b->role[ROLE_A] = add_machine(b, cfg, a);
        b->role[ROLE_B] = add_machine(b, cfg, bm);
        b->role[ROLE_SHADOW] = scheme_has_shadow(a) ? b->role[ROLE_A] : b->role[ROLE_B];
}

static struct machine *machine_of(struct builder *b, enum role r)
{
        return &b->m[b->role[r]];
}

static const char *scheme_name(const struct machine *m)
{
        return mode_name(m->sim.cfg.mode);
}

/* ---- what a line did ------------------------------------------------------ */

static size_t count_events(const struct machine *m, enum event_kind kind)
{
        size_t n = 0;
        for (size_t i = 0; i < m->nevs; i++)
                n += m->evs[i].kind == kind;
        return n;
}

/* The machine m is compared with: the other of the pair, or for the
 * quiz's own scheme outside the pair the one it is compared with by
 * default (which the pair starts with). */
static const struct machine *other_of(const struct builder *b, const struct machine *m)
{
        const struct machine *ma = &b->m[b->role[ROLE_A]], *mb = &b->m[b->role[ROLE_B]];
        return m == mb ? ma : m == ma ? mb : ma;
}

/* What m did on the current line, as the questions read it. */
static struct quiz_line line_of(const struct builder *b, const struct machine *m)
{
        return (struct quiz_line){&m->sim.cfg, b->line, m->evs, m->nevs};
}

/* Appends what m logged on the current line and the explanation of its
 * event key, beside what the machine it is compared with did on the
 * line. */
static void put_story(struct strbuf *o, const struct builder *b, const struct machine *m,
                      size_t key)
{
        struct quiz_line l = line_of(b, m), cmp = line_of(b, other_of(b, m));
        quiz_line_story(o, &l, &cmp, key);
}

/* The lines of the ring, the current line's marked. */
static char *context_text(const struct builder *b)
{
        char text[TEXT_MAX], op[128];
        struct strbuf o = {text, sizeof text, 0};
        unsigned n = b->nrecent < CONTEXT_OPS ? b->nrecent : CONTEXT_OPS;
        for (unsigned i = b->nrecent - n; i < b->nrecent; i++) {
                const struct op *p = &b->recent[i % CONTEXT_OPS];
                strbuf_put(&o, "%s%7llu  %s\n", p->line == b->line ? "->" : "  ", strbuf_u(p->line),
                           op_format(p, op, sizeof op));
        }
        return xstrdup(text);
}

/* Fills q: a question of kind on the current line, with its context. */
static void fill(struct builder *b, struct quiz_question *q, enum quiz_kind kind, const char *text,
                 const char *answer, const char *explanation)
{
        quiz_fill(q, kind, b->line, text, answer, explanation);
        q->context = context_text(b);
}

/* ---- the kinds of question ------------------------------------------------ */

/* Does the line exit under each scheme of the pair? Classed by whether
 * they agree. */
static void offer_exits(struct builder *b)
{
        struct quiz_line la = line_of(b, machine_of(b, ROLE_A)),
                         lb = line_of(b, machine_of(b, ROLE_B));
        bool ea = quiz_line_exit(&la) >= 0, eb = quiz_line_exit(&lb) >= 0;
        struct quiz_question *q = pool_slot(b, &b->pools[QUIZ_EXITS][ea != eb]);
        if (!q)
                return;
        const struct quiz_line *pair[2] = {&la, &lb}, *cmp[2] = {&lb, &la};
        quiz_ask_exits(q, pair, cmp, 2);
        q->context = context_text(b);
}

/* The walk and the address of a line that is one access under the quiz's
 * scheme. */
static void offer_access(struct builder *b)
{
        struct machine *m = machine_of(b, ROLE_OWN);
        struct quiz_line l = line_of(b, m), cmp = line_of(b, other_of(b, m));
        long i = quiz_line_access(&l);
        if (i < 0)
                return;
        const struct event *ev = &m->evs[i];
        char text[256], answer[32], why[TEXT_MAX];
        struct strbuf o = {why, sizeof why, 0};
        struct quiz_question *q;
        if (!ev->tlb_hit && (q = pool_slot(b, &b->pools[QUIZ_REFS][0])) != NULL &&
            quiz_ask_refs(q, &l, &cmp))
                q->context = context_text(b);
        if ((q = pool_slot(b, &b->pools[QUIZ_HPA][ev->tlb_hit])) != NULL) {
                snprintf(text, sizeof text,
                         "Under %s, what host-physical address does GVA 0x%llX reach?",
                         scheme_name(m), strbuf_u(ev->gva));
                snprintf(answer, sizeof answer, "0x%llX", strbuf_u(ev->hpa));
                put_story(&o, b, m, (size_t)i);
                fill(b, q, QUIZ_HPA, text, answer, why);
        }
}

/* The reason of the first exit of the line under one scheme of the pair
 * (the class). */
static void offer_reason(struct builder *b, enum role r, unsigned bucket)
{
        struct machine *m = machine_of(b, r);
        struct quiz_line l = line_of(b, m);
        long i = quiz_line_exit(&l);
        if (i < 0)
                return;
        size_t exits = count_events(m, EV_VM_EXIT);
        bool mixed = false;
        for (size_t j = (size_t)i; j < m->nevs; j++)
                mixed |= m->evs[j].kind == EV_VM_EXIT && m->evs[j].reason != m->evs[i].reason;
        struct quiz_question *q = pool_slot(b, &b->pools[QUIZ_REASON][bucket]);
        if (!q)
                return;
        char text[256], why[TEXT_MAX];
        struct strbuf o = {why, sizeof why, 0};
        if (exits == 1)
                snprintf(text, sizeof text, "This line causes a VM exit under %s. Which reason?",
                         scheme_name(m));
        else
                snprintf(text, sizeof text,
                         "This line causes %zu VM exits under %s. Which reason %s?", exits,
                         scheme_name(m), mixed ? "does the first have" : "do they have");
        put_story(&o, b, m, (size_t)i);
        fill(b, q, QUIZ_REASON, text, exit_reason_name(m->evs[i].reason), why);
}

/* Whether the first page fault of the line under the shadow scheme
 * reaches the guest: it is a GUEST_PF, or an exit for a #PF that the VMM
 * injects (a GUEST_PF before the next exit). *key: the event that shows
 * it (the GUEST_PF, or the shadow fill a hidden fault makes). Returns -1
 * when the line has no page fault. */
static int first_fault(const struct machine *m, size_t *key)
{
        size_t i = 0;
        while (i < m->nevs && m->evs[i].kind != EV_GUEST_PF &&
               !(m->evs[i].kind == EV_VM_EXIT && m->evs[i].reason == EXIT_PAGE_FAULT))
                i++;
        if (i == m->nevs)
                return -1;
        *key = i;
        for (size_t j = i; j < m->nevs && (j == i || m->evs[j].kind != EV_VM_EXIT); j++) {
                if (m->evs[j].kind == EV_GUEST_PF) {
                        *key = j;
                        return 1;
                }
                if (m->evs[j].kind == EV_SHADOW_FILL && *key == i)
                        *key = j;
        }
        return 0;
}

static void offer_fault(struct builder *b)
{
        struct machine *m = machine_of(b, ROLE_SHADOW);
        size_t key;
        int guest = first_fault(m, &key);
        if (guest < 0)
                return;
        struct quiz_question *q = pool_slot(b, &b->pools[QUIZ_FAULT][guest]);
        if (!q)
                return;
        char text[256], why[TEXT_MAX];
        struct strbuf o = {why, sizeof why, 0};
        snprintf(text, sizeof text,
                 "Under %s this line takes a page fault. Is the first one a guest page fault "
                 "(the guest sees it) or a hidden one (the hypervisor's alone)?",
                 scheme_name(m));
        put_story(&o, b, m, key);
        fill(b, q, QUIZ_FAULT, text, guest ? "guest" : "hidden", why);
}

/* The INVLPG of the line, when a slot was kept for it as it was read
 * (every scheme logs an INVLPG event for it). */
static void finish_invlpg(struct builder *b)
{
        struct machine *m = machine_of(b, ROLE_OWN);
        struct quiz_line l = line_of(b, m);
        long i = quiz_line_find(&l, EV_INVLPG);
        struct quiz_question *q = b->invlpg;
        b->invlpg = NULL;
        if (m->ndropped) /* qsort may not be given a null array, even empty */
                qsort(m->dropped, m->ndropped, sizeof *m->dropped, cmp_u64);
        size_t room = 20 * m->ndropped + 8; /* "0x" and 16 digits and a blank each */
        char text[256], *answer = xmalloc(room), why[TEXT_MAX];
        struct strbuf a = {answer, room, 0}, o = {why, sizeof why, 0};
        snprintf(text, sizeof text, "Under %s, which TLB entries does this INVLPG drop?",
                 scheme_name(m));
        answer[0] = '\0';
        for (size_t j = 0; j < m->ndropped; j++)
                strbuf_put(&a, "%s0x%llX", j ? " " : "", strbuf_u(m->dropped[j]));
        if (!m->ndropped)
                strbuf_put(&a, "none");
        strbuf_put(&o, "  before it the TLB held %s\n", m->held);
        put_story(&o, b, m, (size_t)i);
        fill(b, q, QUIZ_INVLPG, text, answer, why);
        free(answer);
}

/* Every candidate of the line just completed. */
static void finish_line(struct builder *b)
{
        if (!b->line)
                return;
        offer_exits(b);
        offer_access(b);
        offer_reason(b, ROLE_A, 0);
        offer_reason(b, ROLE_B, 1);
        offer_fault(b);
        if (b->invlpg)
                finish_invlpg(b);
}

/* Before each op: completes the line before it, starts gathering its own,
 * and for an INVLPG kept as a candidate, keeps the TLB it starts from. */
static void before_op(void *ctx, const struct op *op)
{
        struct builder *b = ctx;
        if (op->line != b->line) {
                finish_line(b);
                b->line = op->line;
                for (unsigned i = 0; i < b->nm; i++) {
                        b->m[i].nevs = 0;
                        b->m[i].line = op->line;
                }
        }
        b->recent[b->nrecent++ % CONTEXT_OPS] = *op;
        if (op->kind != OP_INVLPG)
                return;
        b->invlpg = pool_slot(b, &b->pools[QUIZ_INVLPG][0]);
        if (b->invlpg) {
                struct machine *m = machine_of(b, ROLE_OWN);
                tlb_clone(&m->before, &m->sim.tlb);
                m->watch = true;
                m->ndropped = 0;
        }
}

/* ---- dealing the questions ------------------------------------------------ */

static void shuffle(struct quiz_question *q, unsigned n, uint64_t *rng)
{
        for (unsigned i = n; i > 1; i--) {
                unsigned j = (unsigned)rng_below(rng, i);
                struct quiz_question t = q[i - 1];
                q[i - 1] = q[j];
                q[j] = t;
        }
}

/* The next question of kind k, its classes taken in turn: NULL when both
 * are used up. */
static struct quiz_question *next_of(struct builder *b, unsigned k, unsigned *taken, unsigned *turn)
{
        for (unsigned tries = 0; tries < BUCKETS; tries++) {
                unsigned c = (*turn)++ % BUCKETS;
                if (taken[c] < b->pools[k][c].n)
                        return &b->pools[k][c].q[taken[c]++];
        }
        return NULL;
}

static int by_line(const void *a, const void *b)
{
        const struct quiz_question *x = a, *y = b;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return (int)x->kind - (int)y->kind;
}

/* Deals up to count questions into qz: the kinds in a seeded order, one
 * of each in turn while any is left; the rest are freed. */
static void deal(struct builder *b, struct quiz *qz, unsigned count)
{
        unsigned order[QUIZ_KIND_COUNT], taken[QUIZ_KIND_COUNT][BUCKETS] = {{0}},
                                         turn[QUIZ_KIND_COUNT];
        for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++) {
                order[k] = k;
                turn[k] = (unsigned)rng_below(&b->rng, BUCKETS);
                for (unsigned c = 0; c < BUCKETS; c++)
                        shuffle(b->pools[k][c].q, b->pools[k][c].n, &b->rng);
        }
        for (unsigned i = QUIZ_KIND_COUNT; i > 1; i--) {
                unsigned j = (unsigned)rng_below(&b->rng, i), t = order[i - 1];
                order[i - 1] = order[j];
                order[j] = t;
        }
        qz->q = xcalloc(count, sizeof *qz->q);
        for (bool more = true; more && qz->n < count;) {
                more = false;
                for (unsigned i = 0; i < QUIZ_KIND_COUNT && qz->n < count; i++) {
                        struct quiz_question *q =
                            next_of(b, order[i], taken[order[i]], &turn[order[i]]);
                        if (!q)
                                continue;
                        qz->q[qz->n++] = *q;
                        memset(q, 0, sizeof *q);
                        more = true;
                }
        }
        if (qz->n)
                qsort(qz->q, qz->n, sizeof *qz->q, by_line);
}

static void builder_free(struct builder *b)
{
        for (unsigned i = 0; i < b->nm; i++) {
                struct machine *m = &b->m[i];
                if (m->watch)
                        tlb_free(&m->before);
                sim_free(&m->sim);
                free(m->evs);
                free(m->dropped);
        }
        for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++)
                for (unsigned c = 0; c < BUCKETS; c++) {
                        for (unsigned i = 0; i < b->pools[k][c].n; i++)
                                quiz_question_free(&b->pools[k][c].q[i]);
                        free(b->pools[k][c].q);
                }
}

int quiz_make(struct quiz *qz, struct trace_reader *r, const struct sim_config *cfg,
              const struct quiz_params *p)
{
        struct builder *b = xcalloc(1, sizeof *b);
        memset(qz, 0, sizeof *qz);
        b->cap = p->count;
        b->rng = p->seed;
        for (unsigned k = 0; k < QUIZ_KIND_COUNT; k++)
                for (unsigned c = 0; c < BUCKETS; c++)
                        b->pools[k][c].q = xcalloc(b->cap, sizeof *b->pools[k][c].q);
        add_machines(b, cfg);
        struct sim *sims[3];
        for (unsigned i = 0; i < b->nm; i++)
                sims[i] = &b->m[i].sim;
        struct run_options ropt = p->run;
        ropt.before_op = before_op;
        ropt.before_ctx = b;
        bool end; /* with status 0, always */
        int status = run_trace(r, sims, b->nm, &ropt, &end);
        if (status == 0) {
                finish_line(b);
                deal(b, qz, p->count);
        }
        builder_free(b);
        free(b);
        return status;
}

void quiz_free(struct quiz *qz)
{
        for (size_t i = 0; i < qz->n; i++)
                quiz_question_free(&qz->q[i]);
        free(qz->q);
        memset(qz, 0, sizeof *qz);
}
