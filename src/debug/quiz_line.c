/*
 * quiz_line.c - the questions about one trace line that the quiz
 * (quiz.c) and the stepper's quiz mode (cmd_quiz.c) share: does the line
 * exit, how many memory references does its walk make, each answered
 * from the events a machine made on the line, with the story a wrong
 * answer is followed by; and the line a session runs next, run on copies
 * of its machines, so that the stepper can ask before it moves.
 */
#include "quiz.h"

#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "scheme.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

/* Log lines of one machine shown in an explanation. */
#define MAX_LOG 12
/* Room for one question's longest text (its explanation). */
#define TEXT_MAX 8192

long quiz_line_find(const struct quiz_line *l, enum event_kind kind)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->evs[i].kind == kind)
                        return (long)i;
        return -1;
}

long quiz_line_exit(const struct quiz_line *l)
{
        return quiz_line_find(l, EV_VM_EXIT);
}

long quiz_line_access(const struct quiz_line *l)
{
        long first = quiz_line_find(l, EV_ACCESS);
        for (size_t i = first < 0 ? l->n : (size_t)first + 1; i < l->n; i++)
                if (l->evs[i].kind == EV_ACCESS)
                        return -1;
        return first;
}

static const char *scheme_name(const struct quiz_line *l)
{
        return mode_name(l->cfg->mode);
}

void quiz_line_story(struct strbuf *o, const struct quiz_line *l, const struct quiz_line *cmp,
                     size_t key)
{
        if (!l->n) {
                strbuf_put(o, "  under %s, line %llu caused no event\n", scheme_name(l),
                           strbuf_u(l->line));
                return;
        }
        strbuf_put(o, "  under %s, line %llu logged:\n", scheme_name(l), strbuf_u(l->line));
        char buf[1024];
        for (size_t i = 0; i < l->n && i < MAX_LOG; i++) {
                event_format(&l->evs[i], buf, sizeof buf);
                strbuf_put(o, "    %s\n", buf);
        }
        if (l->n > MAX_LOG)
                strbuf_put(o, "    ... and %zu more events\n", l->n - MAX_LOG);
        struct line_facts facts;
        if (cmp)
                line_facts_of(&facts, cmp->cfg->mode, cmp->evs, cmp->n);
        explain_event(l->evs, l->n, key, l->cfg, cmp ? &facts : NULL, buf, sizeof buf);
        strbuf_put(o, "  %s\n", buf);
}

void quiz_fill(struct quiz_question *q, enum quiz_kind kind, uint64_t line, const char *text,
               const char *answer, const char *explanation)
{
        char form[256];
        q->kind = kind;
        q->line = line;
        q->answer = xstrdup(answer);
        quiz_form(q, form, sizeof form);
        size_t len = strlen(text) + strlen(form) + 4;
        q->text = xmalloc(len);
        snprintf(q->text, len, "%s (%s)", text, form);
        q->explanation = xstrdup(explanation);
}

void quiz_ask_exits(struct quiz_question *q, const struct quiz_line *const m[],
                    const struct quiz_line *const cmp[], size_t n)
{
        char text[256], answer[16], why[TEXT_MAX];
        struct strbuf t = {text, sizeof text, 0}, a = {answer, sizeof answer, 0},
                      o = {why, sizeof why, 0};
        why[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                long e = quiz_line_exit(m[i]);
                strbuf_put(&t, "%s %s?", i ? " Under" : "Does this line cause a VM exit under",
                           scheme_name(m[i]));
                strbuf_put(&a, "%s%s", i ? " " : "", e >= 0 ? "yes" : "no");
                quiz_line_story(&o, m[i], cmp[i], e >= 0 ? (size_t)e : (m[i]->n ? m[i]->n - 1 : 0));
        }
        quiz_fill(q, QUIZ_EXITS, m[0]->line, text, answer, why);
}

bool quiz_ask_refs(struct quiz_question *q, const struct quiz_line *l, const struct quiz_line *cmp)
{
        long i = quiz_line_access(l);
        if (i < 0 || l->evs[i].tlb_hit)
                return false;
        const struct event *ev = &l->evs[i];
        char text[256], answer[32], why[TEXT_MAX];
        struct strbuf o = {why, sizeof why, 0};
        snprintf(text, sizeof text,
                 "Under %s this access misses the TLB. How many memory references does the page "
                 "walk that completes it make?",
                 scheme_name(l));
        snprintf(answer, sizeof answer, "%u", ev->refs);
        why[0] = '\0';
        quiz_line_story(&o, l, cmp, (size_t)i);
        if (!scheme_has_nested(l->cfg->mode)) { /* the 2D count is in the story */
                strbuf_put(&o, "  the walk: ");
                explain_walk(&o, l->cfg, ev->refs, ev->nested_refs);
                strbuf_put(&o, "\n");
        }
        quiz_fill(q, QUIZ_REFS, l->line, text, answer, why);
        return true;
}

/* ---- the line a session runs next ----------------------------------------- */

/* A copy of a machine and the events it made on one op. */
struct line_run {
        struct sim m;
        struct event *evs;
        size_t n, cap;
};

static void run_sink(void *ctx, const struct event *ev)
{
        struct line_run *r = ctx;
        if (r->n == r->cap) {
                r->cap = r->cap ? 2 * r->cap : 64;
                r->evs = xrealloc(r->evs, r->cap, sizeof *r->evs);
        }
        r->evs[r->n++] = *ev;
}

/* Runs op on a copy of src, as the session would apply it. */
static void run_copy(struct line_run *r, const struct sim *src, const struct op *op)
{
        memset(r, 0, sizeof *r);
        sim_clone(&r->m, src);
        sim_add_sink(&r->m, run_sink, r);
        (void)sim_apply(&r->m, op); /* a machine out of frames still says what it did */
}

static void run_free(struct line_run *r)
{
        sim_free(&r->m);
        free(r->evs);
}

/* The line as the stepper's log shows it: "line 17: ACCESS 0x1000 W". */
static char *op_context(const struct op *op)
{
        char buf[160], text[128];
        snprintf(buf, sizeof buf, "line %llu: %s", (unsigned long long)op->line,
                 op_format(op, text, sizeof text));
        return xstrdup(buf);
}

bool quiz_next_line(struct session *s, enum quiz_kind prefer, struct quiz_question *q, bool *both)
{
        struct op op;
        memset(q, 0, sizeof *q);
        *both = false;
        if (s->shown < s->nevs || s->over_limit || session_peek(s, &op, 1, NULL, 0) == 0)
                return false;
        struct line_run own, cmp;
        run_copy(&own, &s->sim, &op);
        if (s->has_cmp)
                run_copy(&cmp, &s->cmp, &op);
        struct quiz_line l = {&own.m.cfg, op.line, own.evs, own.n};
        struct quiz_line c = {s->has_cmp ? &cmp.m.cfg : NULL, op.line, s->has_cmp ? cmp.evs : NULL,
                              s->has_cmp ? cmp.n : 0};
        const struct quiz_line *mine[1] = {&l}, *theirs[1] = {s->has_cmp ? &c : NULL};
        bool exits = scheme_of(own.m.cfg.mode)->tables != TABLES_NONE; /* a VMM to exit to */
        long i = quiz_line_access(&l);
        bool refs = i >= 0 && !l.evs[i].tlb_hit, made = refs || exits;
        *both = refs && exits;
        if (refs && (prefer == QUIZ_REFS || !exits))
                quiz_ask_refs(q, &l, theirs[0]);
        else if (exits)
                quiz_ask_exits(q, mine, theirs, 1);
        if (made)
                q->context = op_context(&op);
        run_free(&own);
        if (s->has_cmp)
                run_free(&cmp);
        return made;
}
